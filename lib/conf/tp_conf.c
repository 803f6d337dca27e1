/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading the box's configuration file with libconfig: the "dp" group
 * here (EAL arguments, workers, idle back-off, neighbour cache, ports with
 * their addresses, VLAN, MTU and impairment), the "turn" and "cp" groups
 * in tp_conf_turn.c, "ipc" in tp_conf_ipc.c, "tls" in tp_conf_tls.c, "agw"
 * in tp_conf_agw.c, "iq" in tp_conf_iq.c, "ng" in tp_conf_ng.c; other
 * top-level groups are left to their readers.
 *
 * Defaults are merged in one place (conf_defaults, port_defaults). Every
 * error is one line "<file>:<line>: <what> <value>: <why>", where <what>
 * names the setting the way an operator finds it ("dp.mbufs_per_worker",
 * "port 'access': impair.loss"). Unknown settings inside dp, a port or an
 * impair group are refused (with the nearest known name as a hint), so a
 * typo cannot pass silently.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

#define SUBJECT_LEN 160

/* ---- messages --------------------------------------------------------- */

/* Is s one element of dp.ports? */
static bool
is_port(const config_setting_t *s)
{
	const config_setting_t *list = config_setting_parent(s);
	const config_setting_t *dp;
	const char *n;

	if (config_setting_name(s) != NULL || list == NULL)
		return false;
	n = config_setting_name(list);
	dp = config_setting_parent(list);
	if (n == NULL || strcmp(n, "ports") != 0 || dp == NULL)
		return false;
	n = config_setting_name(dp);
	return n != NULL && strcmp(n, "dp") == 0 && config_setting_parent(dp) != NULL &&
	       config_setting_parent(config_setting_parent(dp)) == NULL;
}

/* "port 'access'", or "port #2" while the port has no usable name. */
static void
port_label(const config_setting_t *port, char *buf, size_t len)
{
	const config_setting_t *n = config_setting_get_member(port, "name");

	if (n != NULL && config_setting_type(n) == CONFIG_TYPE_STRING &&
	    config_setting_get_string(n)[0] != '\0')
		snprintf(buf, len, "port '%s'", config_setting_get_string(n));
	else
		snprintf(buf, len, "port #%d", config_setting_index(port) + 1);
}

/*
 * How a message names setting s: "dp.idle_sleep_max_us", "dp.eal[3]",
 * "port 'access': mtu", "port 'access': impair.loss", "turn.listen_port".
 */
static const char *
subject(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *chain[16];
	int n = 0;
	size_t off = 0;
	bool sep = false;

	for (const config_setting_t *p = s;
	     p != NULL && config_setting_parent(p) != NULL && n < 16;
	     p = config_setting_parent(p))
		chain[n++] = p;
	buf[0] = '\0';
	for (int i = n - 1; i >= 0 && off < len; i--) {
		const char *name = config_setting_name(chain[i]);
		int w;

		if (is_port(chain[i])) {
			port_label(chain[i], buf, len);
			off = strlen(buf);
			if (i > 0 && off + 2 < len) {
				memcpy(buf + off, ": ", 3);
				off += 2;
			}
			sep = false;
			continue;
		}
		if (name != NULL)
			w = snprintf(buf + off, len - off, "%s%s", sep ? "." : "", name);
		else
			w = snprintf(buf + off, len - off, "[%d]",
				     config_setting_index(chain[i]));
		if (w < 0)
			break;
		off += (size_t)w;
		sep = true;
	}
	return buf;
}

/* "a string (\"x\")", "an integer (12)", "a group": for "must be X, not Y". */
static const char *
value_desc(const config_setting_t *s, char *buf, size_t len)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(buf, len, "an integer (%lld)", config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, len, "a float (%g)", config_setting_get_float(s));
		break;
	case CONFIG_TYPE_STRING:
		snprintf(buf, len, "a string (\"%.60s\")", config_setting_get_string(s));
		break;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, len, "a boolean (%s)",
			 config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_GROUP:
		snprintf(buf, len, "a group");
		break;
	case CONFIG_TYPE_ARRAY:
		snprintf(buf, len, "an array");
		break;
	case CONFIG_TYPE_LIST:
		snprintf(buf, len, "a list");
		break;
	default:
		snprintf(buf, len, "nothing usable");
		break;
	}
	return buf;
}

/*
 * A file libconfig names (NULL: the one we opened; an @include'd one as
 * written, where relative names live in the main file's folder).
 */
const char *
tp_conf_file_name(const char *f, const struct tp_conf *c, char *buf, size_t len)
{
	const char *slash = strrchr(c->path, '/');

	if (f == NULL || strcmp(f, c->path) == 0)
		return c->path;
	if (f[0] == '/' || slash == NULL)
		return f;
	snprintf(buf, len, "%.*s%s", (int)(slash - c->path + 1), c->path, f);
	return buf;
}

/*
 * Write "<file>:<line>: [<subject of s>]<fmt...>" into err and return
 * -EINVAL. with_subject puts the setting's name first, so that fmt goes
 * on with " 5 is out of range ..." or ": ...".
 */
__attribute__((format(printf, 6, 7)))
static int
conf_fail(const struct tp_conf *c, char *err, size_t errlen,
	  const config_setting_t *s, bool with_subject, const char *fmt, ...)
{
	char subj[SUBJECT_LEN], file[sizeof(c->path) + 64];
	va_list ap;
	int n;

	if (errlen == 0)
		return -EINVAL;
	n = snprintf(err, errlen, "%s:%d: %s",
		     tp_conf_file_name(s != NULL ? config_setting_source_file(s) : NULL, c,
			       file, sizeof(file)),
		     s != NULL ? config_setting_source_line(s) : 0,
		     with_subject ? subject(s, subj, sizeof(subj)) : "");
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* FAIL: the message as written; FAILS: the setting's name, then the text. */
#undef FAIL                  /* (this file's own: conf_fail()) */
#define FAIL(s, ...)  return conf_fail(c, err, errlen, (s), false, __VA_ARGS__)
#define FAILS(s, ...) return conf_fail(c, err, errlen, (s), true, __VA_ARGS__)

/* ---- prefixes --------------------------------------------------------- */

int
tp_conf_parse_prefix(const char *s, uint8_t addr[16], uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned int len = 0, max;
	int family;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		family = 6;
	else
		return -EINVAL;
	if (plen == NULL)
		return slash == NULL ? family : -EINVAL;
	if (slash == NULL)
		return -EINVAL;
	/* Decimal digits only: no sign, no blanks, at most three of them. */
	max = family == 4 ? 32 : 128;
	n = strlen(slash + 1);
	if (n == 0 || n > 3)
		return -EINVAL;
	for (const char *d = slash + 1; *d != '\0'; d++) {
		if (!isdigit((unsigned char)*d))
			return -EINVAL;
		len = len * 10 + (unsigned int)(*d - '0');
	}
	if (len > max)
		return -EINVAL;
	*plen = (uint8_t)len;
	return family;
}

bool
tp_conf_same_prefix(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int whole = plen / 8, rest = plen % 8;

	if (memcmp(a, b, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[whole] ^ b[whole]) & (uint8_t)(0xFFu << (8 - rest))) == 0;
}

/* ---- defaults ---------------------------------------------------------- */

static void
conf_defaults(struct tp_conf *c)
{
	c->dp.nworkers = 1;
	c->dp.workers[0] = 0;
	c->dp.idle_sleep_max_us = 0;          /* busy poll */
	c->dp.mbufs_per_worker = 8191;
	c->dp.neigh_reachable_s = 30;
	c->dp.neigh_retry_ms = 1000;
	c->dp.neigh_queue_max = 8;
	c->dp.icmp_rate_per_s = 100;
	c->dp.diag_echo_port = 0;             /* off */
	c->dp.diag_tcp_echo_port = 0;         /* off */
	c->dp.diag_tcp_connect_family = 0;    /* off */
	c->dp.tcp_max_conns = 16384;
	c->dp.tcp_held_max = 0;               /* from mbufs_per_worker */
	c->dp.tcp_invalid_ratelimit_ms = 500; /* Linux's tcp_invalid_ratelimit */
	c->dp.tcp_challenge_acks = 1000;      /* a second, RFC 5961 §7 */
	c->dp.tcp_reserve_turn = 25;
	c->dp.tcp_reserve_relay = 25;
	c->dp.tcp_reserve_agw = 25;
	c->dp.tcp_user_timeout_s = 900;
	c->dp.tcp_orphan_timeout_s = 60;
	tp_conf_ipc_defaults(c);
	tp_conf_turn_defaults(c);
	tp_conf_tls_defaults(c);
	tp_conf_agw_defaults(c);
	tp_conf_iq_defaults(c);
	tp_conf_ng_defaults(c);
	tp_conf_cluster_defaults(c);
	tp_conf_ha_defaults(c);
	tp_conf_li_defaults(c);
	tp_conf_acct_defaults(c);
	tp_conf_oauth_defaults(c);
}

static void
port_defaults(struct tp_conf_port *p)
{
	memset(p, 0, sizeof(*p));
	p->mtu = 1500;
	p->vlan = 0;                          /* untagged */
	p->impair.enabled = false;
	p->impair.dir = TP_IMPAIR_RX;
	p->impair.seed = 1;
}

/* ---- generic readers --------------------------------------------------- */

/* Levenshtein distance, small strings only (setting names). */
static unsigned int
edit_distance(const char *a, const char *b)
{
	unsigned int row[64];
	size_t la = strlen(a), lb = strlen(b);

	if (la >= 64 || lb >= 64)
		return UINT_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = (unsigned int)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned int up = row[j];
			unsigned int best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

int
tp_conf_check_names(const config_setting_t *g, const char *what,
		    const char *const *names, struct tp_conf *c, char *err,
		    size_t errlen)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned int)i);
		const char *name = config_setting_name(s);
		const char *hint = NULL;
		unsigned int best = 3;
		bool known = false;

		if (name == NULL)
			continue;
		for (const char *const *k = names; *k != NULL; k++) {
			unsigned int d;

			if (strcmp(*k, name) == 0) {
				known = true;
				break;
			}
			d = edit_distance(name, *k);
			if (d < best && d < strlen(*k)) {
				best = d;
				hint = *k;
			}
		}
		if (known)
			continue;
		if (hint != NULL)
			FAIL(s, "%s: unknown setting '%s' (did you mean '%s'?)", what,
			     name, hint);
		FAIL(s, "%s: unknown setting '%s'", what, name);
	}
	return 0;
}

/* An optional integer in lo..hi: 1 when read into *out, 0 when absent,
 * -EINVAL with err set. */
static int
get_int(const config_setting_t *g, const char *name, long long lo, long long hi,
	long long *out, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char vd[96];
	long long v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		FAILS(s, " must be an integer, not %s", value_desc(s, vd, sizeof(vd)));
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		FAILS(s, " %lld is out of range %lld..%lld", v, lo, hi);
	*out = v;
	return 1;
}

int
tp_conf_get_u32(const config_setting_t *g, const char *name, uint32_t lo,
		uint32_t hi, uint32_t *out, struct tp_conf *c, char *err,
		size_t errlen)
{
	long long v = 0;   /* set when rc > 0; -O3 cannot tell */
	int rc = get_int(g, name, lo, hi, &v, c, err, errlen);

	if (rc > 0)
		*out = (uint32_t)v;
	return rc < 0 ? rc : 0;
}

static int
get_u16(const config_setting_t *g, const char *name, uint16_t lo, uint16_t hi,
	uint16_t *out, struct tp_conf *c, char *err, size_t errlen)
{
	long long v = 0;   /* set when rc > 0; -O3 cannot tell */
	int rc = get_int(g, name, lo, hi, &v, c, err, errlen);

	if (rc > 0)
		*out = (uint16_t)v;
	return rc < 0 ? rc : 0;
}

/* An optional probability 0..1 (an integer 0 or 1 is fine too). */
static int
get_rate(const config_setting_t *g, const char *name, double *out,
	 struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char vd[96];
	double v;

	if (s == NULL)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	default:
		FAILS(s, " must be a number 0..1, not %s", value_desc(s, vd, sizeof(vd)));
	}
	if (!(v >= 0.0 && v <= 1.0))
		FAILS(s, " %g must lie in 0..1", v);
	*out = v;
	return 0;
}

/* An optional string of at most size - 1 bytes; empty refused. */
static int
get_name(const config_setting_t *g, const char *name, char *out, size_t size,
	 struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char vd[96];
	const char *v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAILS(s, " must be a string, not %s", value_desc(s, vd, sizeof(vd)));
	v = config_setting_get_string(s);
	if (v[0] == '\0')
		FAILS(s, " must not be empty");
	if (strlen(v) >= size)
		FAILS(s, " '%.40s%s' is longer than %zu bytes", v,
		      strlen(v) > 40 ? "..." : "", size - 1);
	snprintf(out, size, "%s", v);
	return 0;
}

/*
 * dp.diag_tcp_connect: "a.b.c.d:port" or "[x::y]:port" (port 1..65535),
 * a unicast address (not unspecified, not multicast, not loopback).
 */
static int
get_diag_connect(const config_setting_t *g, struct tp_conf *c, char *err,
		 size_t errlen)
{
	static const char form[] = "must be \"a.b.c.d:port\" or \"[x::y]:port\" "
				   "with a unicast address and a port 1..65535";
	const config_setting_t *s = config_setting_get_member(g, "diag_tcp_connect");
	struct tp_conf_dp *d = &c->dp;
	char buf[INET6_ADDRSTRLEN + 1], vd[96];
	const char *v, *colon, *a, *digits;
	size_t alen;
	unsigned long port = 0;
	uint8_t addr[16] = { 0 };
	int family;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAILS(s, " %s, not %s", form, value_desc(s, vd, sizeof(vd)));
	v = config_setting_get_string(s);
	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		a = v + 1;
		alen = (size_t)(close - a);
		digits = close + 2;
		family = 6;
	} else {
		colon = strrchr(v, ':');
		if (colon == NULL || strchr(v, ':') != colon)
			goto bad;
		a = v;
		alen = (size_t)(colon - v);
		digits = colon + 1;
		family = 4;
	}
	if (alen == 0 || alen >= sizeof(buf))
		goto bad;
	memcpy(buf, a, alen);
	buf[alen] = '\0';
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, buf, addr) != 1)
		goto bad;
	if (digits[0] == '\0' || strlen(digits) > 5)
		goto bad;
	for (const char *p = digits; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			goto bad;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port == 0 || port > 65535)
		goto bad;
	if (family == 4 ? (addr[0] == 0 || addr[0] == 127 || addr[0] >= 224) :
	    (addr[0] == 0xff || (memcmp(addr, (const uint8_t[15]){ 0 }, 15) == 0 &&
				 addr[15] <= 1)))
		goto bad;
	d->diag_tcp_connect_family = (uint8_t)family;
	memcpy(d->diag_tcp_connect_addr, addr, 16);
	d->diag_tcp_connect_port = (uint16_t)port;
	return 0;
bad:
	FAILS(s, " \"%.60s\" %s", v, form);
}

/* ---- dp: EAL and workers ---------------------------------------------- */

static int
load_eal(const config_setting_t *s, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_dp *d = &c->dp;
	char vd[96];
	int n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAILS(s, " must be a list of strings [\"-l\", \"0\", ...], not %s",
		      value_desc(s, vd, sizeof(vd)));
	/* argv[0] takes one slot, the NULL terminator the extra one. */
	n = config_setting_length(s);
	if (n > TP_CONF_MAX_EAL_ARGS - 1)
		FAILS(s, " has %d arguments; at most %d fit", n,
		      TP_CONF_MAX_EAL_ARGS - 1);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			FAILS(e, " must be a string, not %s", value_desc(e, vd, sizeof(vd)));
		if (config_setting_get_string(e)[0] == '\0')
			FAILS(e, " is an empty argument");
		d->eal_argv[d->eal_argc] = strdup(config_setting_get_string(e));
		if (d->eal_argv[d->eal_argc] == NULL) {
			snprintf(err, errlen, "%s: out of memory", c->path);
			return -ENOMEM;
		}
		d->eal_argc++;
	}
	return 0;
}

static int
load_workers(const config_setting_t *s, struct tp_conf *c, char *err,
	     size_t errlen)
{
	struct tp_conf_dp *d = &c->dp;
	char vd[96];
	int n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAILS(s, " must be a list of lcore numbers [0, 1, ...], not %s",
		      value_desc(s, vd, sizeof(vd)));
	n = config_setting_length(s);
	if (n < 1)
		FAILS(s, " is empty: at least one worker lcore is needed");
	if (n > TP_CONF_MAX_WORKERS)
		FAILS(s, " has %d lcores; at most %d", n, TP_CONF_MAX_WORKERS);
	d->nworkers = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		long long v;

		if (config_setting_type(e) != CONFIG_TYPE_INT &&
		    config_setting_type(e) != CONFIG_TYPE_INT64)
			FAILS(e, " must be an lcore number, not %s",
			      value_desc(e, vd, sizeof(vd)));
		v = config_setting_get_int64(e);
		if (v < 0 || v > 1023)
			FAILS(e, ": lcore %lld is out of range 0..1023", v);
		for (unsigned int j = 0; j < d->nworkers; j++)
			if (d->workers[j] == (unsigned int)v)
				FAILS(e, ": lcore %lld is listed twice (also dp.workers[%u])",
				      v, j);
		d->workers[d->nworkers++] = (unsigned int)v;
	}
	return 0;
}

/* ---- dp: ports --------------------------------------------------------- */

/*
 * The name DPDK knows a device by, for spotting two ports on one device:
 * the part before the first ',' ("net_tap0" of "net_tap0,iface=x"), lower
 * case, with PCI addresses given without a domain completed ("3b:00.0" is
 * "0000:3b:00.0").
 */
static void
dev_key(const char *dev, char *key, size_t len)
{
	size_t n = strcspn(dev, ",");
	size_t off = 0;

	if (n == 7 && dev[2] == ':' && dev[5] == '.')
		off = (size_t)snprintf(key, len, "0000:");
	for (size_t i = 0; i < n && off + 1 < len; i++)
		key[off++] = (char)tolower((unsigned char)dev[i]);
	key[off < len ? off : len - 1] = '\0';
}

/*
 * ipv4/ipv6 of a port: "address/len" of the right family. The address may
 * have host bits (it is the port's own address in its subnet).
 */
static int
load_prefix(const config_setting_t *port, const char *name, int family,
	    uint8_t *addr, uint8_t *plen, bool *has, const char *who,
	    struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(port, name);
	const char *fam = family == 4 ? "IPv4" : "IPv6";
	const char *eg = family == 4 ? "10.200.0.1/24" : "fd00:200::1/64";
	char a_only[INET6_ADDRSTRLEN + 1], vd[96];
	uint8_t a[16];
	const char *v, *slash;
	size_t n;
	int f;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAIL(s, "%s: %s must be a string like \"%s\", not %s", who, name, eg,
		     value_desc(s, vd, sizeof(vd)));
	v = config_setting_get_string(s);
	slash = strchr(v, '/');
	n = slash != NULL ? (size_t)(slash - v) : strlen(v);
	if (n == 0 || n >= sizeof(a_only))
		FAIL(s, "%s: %s '%s' is not an %s address with a prefix length "
		     "(\"%s\")", who, name, v, fam, eg);
	memcpy(a_only, v, n);
	a_only[n] = '\0';
	f = tp_conf_parse_prefix(a_only, a, NULL);
	if (f < 0)
		FAIL(s, "%s: %s '%s': '%s' is not an %s address", who, name, v, a_only,
		     fam);
	if (f != family)
		FAIL(s, "%s: %s '%s' is an IPv%d address; %s takes %s (use %s)", who,
		     name, v, f, name, fam, family == 4 ? "ipv6" : "ipv4");
	if (slash == NULL)
		FAIL(s, "%s: %s '%s' needs a prefix length ('%s/len')", who, name, v, v);
	if (tp_conf_parse_prefix(v, a, plen) != family)
		FAIL(s, "%s: %s '%s': prefix length must be 0..%d", who, name, v,
		     family == 4 ? 32 : 128);
	memcpy(addr, a, family == 4 ? 4 : 16);
	*has = true;
	return 0;
}

/* gateway4/gateway6: a bare address inside the port's own prefix. */
static int
load_gateway(const config_setting_t *port, struct tp_conf_port *p, int family,
	     const char *who, struct tp_conf *c, char *err, size_t errlen)
{
	const char *name = family == 4 ? "gateway4" : "gateway6";
	const char *ipname = family == 4 ? "ipv4" : "ipv6";
	const char *fam = family == 4 ? "IPv4" : "IPv6";
	const config_setting_t *s = config_setting_get_member(port, name);
	const uint8_t *ip = family == 4 ? p->ip4 : p->ip6;
	unsigned int plen = family == 4 ? p->plen4 : p->plen6;
	bool has_ip = family == 4 ? p->has_ip4 : p->has_ip6;
	uint8_t *gw = family == 4 ? p->gw4 : p->gw6;
	char ipbuf[INET6_ADDRSTRLEN], vd[96];
	uint8_t a[16];
	const char *v;
	int f;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAIL(s, "%s: %s must be a string holding an %s address, not %s", who,
		     name, fam, value_desc(s, vd, sizeof(vd)));
	v = config_setting_get_string(s);
	f = tp_conf_parse_prefix(v, a, NULL);
	if (f < 0)
		FAIL(s, "%s: %s '%s' is not an %s address (no prefix length here)", who,
		     name, v, fam);
	if (f != family)
		FAIL(s, "%s: %s '%s' is an IPv%d address; %s takes %s (use gateway%d)",
		     who, name, v, f, name, fam, f);
	if (!has_ip)
		FAIL(s, "%s: %s '%s' needs an %s on the port", who, name, v, ipname);
	inet_ntop(family == 4 ? AF_INET : AF_INET6, ip, ipbuf, sizeof(ipbuf));
	if (!tp_conf_same_prefix(a, ip, plen))
		FAIL(s, "%s: %s '%s' lies outside the port's prefix %s/%u", who, name,
		     v, ipbuf, plen);
	if (memcmp(a, ip, family == 4 ? 4 : 16) == 0)
		FAIL(s, "%s: %s '%s' is the port's own address", who, name, v);
	memcpy(gw, a, family == 4 ? 4 : 16);
	if (family == 4)
		p->has_gw4 = true;
	else
		p->has_gw6 = true;
	return 0;
}

bool
tp_conf_host_bits_all(const uint8_t *a, unsigned int plen, unsigned int alen, bool bit)
{
	for (unsigned int i = plen; i < alen * 8; i++)
		if (((a[i / 8] >> (7 - i % 8)) & 1u) != (unsigned int)bit)
			return false;
	return true;
}

/*
 * relay_ipv4 / relay_ipv6: the port's relayed addresses of that family
 * instead of its own one. dp answers ARP and neighbour solicitations for
 * them on this link, so each must lie inside the port's prefix; none may
 * be the port's own address (the relayed one when the list is left out),
 * its gateway, or the prefix's network (IPv4) / Subnet-Router anycast
 * (IPv6, RFC 4291 §2.6.1) or broadcast address; no two alike. Only the
 * first core port with an address of the family may list them: cp takes
 * every relayed address from that port (tp_conf_relay_addrs()).
 */
static int
load_relay(const config_setting_t *port, struct tp_conf_port *p, int family,
	   const char *who, struct tp_conf *c, char *err, size_t errlen)
{
	const char *name = family == 4 ? "relay_ipv4" : "relay_ipv6";
	const char *ipname = family == 4 ? "ipv4" : "ipv6";
	const char *gwname = family == 4 ? "gateway4" : "gateway6";
	const char *fam = family == 4 ? "IPv4" : "IPv6";
	const char *eg = family == 4 ? "10.200.1.1" : "fd00:201::11";
	const config_setting_t *s = config_setting_get_member(port, name);
	unsigned int alen = family == 4 ? 4 : 16;
	const uint8_t *ip = family == 4 ? p->ip4 : p->ip6;
	const uint8_t *gw = family == 4 ? p->gw4 : p->gw6;
	unsigned int plen = family == 4 ? p->plen4 : p->plen6;
	bool has_ip = family == 4 ? p->has_ip4 : p->has_ip6;
	bool has_gw = family == 4 ? p->has_gw4 : p->has_gw6;
	uint8_t *nout = family == 4 ? &p->nrelay4 : &p->nrelay6;
	char ipbuf[INET6_ADDRSTRLEN], vd[96];
	int n;

	if (s == NULL)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAIL(s, "%s: %s must be a list of %s addresses [\"%s\", ...], not %s",
		     who, name, fam, eg, value_desc(s, vd, sizeof(vd)));
	n = config_setting_length(s);
	if (n == 0)
		FAIL(s, "%s: %s is empty: leave it out to relay on the port's own %s "
		     "address", who, name, fam);
	if (n > TP_CONF_MAX_RELAY)
		FAIL(s, "%s: %s has %d addresses; at most %d", who, name, n,
		     TP_CONF_MAX_RELAY);
	if (!(p->roles & TP_ROLE_CORE))
		FAIL(s, "%s: %s: relayed addresses live on a core port (roles = "
		     "[\"core\"])", who, name);
	if (!has_ip)
		FAIL(s, "%s: %s needs an %s on the port (relayed addresses lie in "
		     "its prefix)", who, name, ipname);
	for (unsigned int i = 0; i < c->dp.nports; i++) {
		const struct tp_conf_port *q = &c->dp.ports[i];

		if ((q->roles & TP_ROLE_CORE) && (family == 4 ? q->has_ip4 : q->has_ip6))
			FAIL(s, "%s: %s: relayed %s addresses are those of the first core "
			     "port with an %s, port '%s' (line %d): list them there", who,
			     name, fam, ipname, q->name, q->line);
	}
	inet_ntop(family == 4 ? AF_INET : AF_INET6, ip, ipbuf, sizeof(ipbuf));
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		uint8_t a[16];
		const char *v;
		int f;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			FAILS(e, " must be a string holding an %s address, not %s", fam,
			      value_desc(e, vd, sizeof(vd)));
		v = config_setting_get_string(e);
		f = tp_conf_parse_prefix(v, a, NULL);
		if (f < 0)
			FAILS(e, " '%s' is not an %s address (no prefix length here)", v,
			      fam);
		if (f != family)
			FAILS(e, " '%s' is an IPv%d address; %s takes %s (use relay_ipv%d)",
			      v, f, name, fam, f);
		if (!tp_conf_same_prefix(a, ip, plen))
			FAILS(e, " '%s' lies outside the port's prefix %s/%u: dp answers %s "
			      "for relayed addresses on the port's link only", v, ipbuf,
			      plen, family == 4 ? "ARP" : "neighbour solicitations");
		if (memcmp(a, ip, alen) == 0)
			FAILS(e, " '%s' is the port's own address (its relayed address "
			      "when %s is left out)", v, name);
		if (has_gw && memcmp(a, gw, alen) == 0)
			FAILS(e, " '%s' is the port's %s", v, gwname);
		if (plen + 2 <= alen * 8 && tp_conf_host_bits_all(a, plen, alen, false))
			FAILS(e, " '%s' is the %s address of the port's prefix %s/%u", v,
			      family == 4 ? "network" : "Subnet-Router anycast", ipbuf,
			      plen);
		if (family == 4 && plen + 2 <= 32 && tp_conf_host_bits_all(a, plen, alen, true))
			FAILS(e, " '%s' is the broadcast address of the port's prefix %s/%u",
			      v, ipbuf, plen);
		for (int j = 0; j < i; j++)
			if (memcmp(family == 4 ? p->relay4[j] : p->relay6[j], a, alen) == 0)
				FAILS(e, " '%s' is listed twice (also %s[%d])", v, name, j);
		memcpy(family == 4 ? p->relay4[i] : p->relay6[i], a, alen);
		(*nout)++;
	}
	return 0;
}

static int
load_roles(const config_setting_t *port, struct tp_conf_port *p, const char *who,
	   struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(port, "roles");
	char vd[96];

	if (s == NULL)
		FAIL(port, "%s has no roles: give roles = [\"access\"], [\"core\"] or "
		     "[\"access\", \"core\"]", who);
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAIL(s, "%s: roles must be a list like [\"access\"], not %s", who,
		     value_desc(s, vd, sizeof(vd)));
	if (config_setting_length(s) == 0)
		FAIL(s, "%s: roles is empty: give \"access\", \"core\" or both", who);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *r = config_setting_type(e) == CONFIG_TYPE_STRING ?
				config_setting_get_string(e) : NULL;

		if (r != NULL && strcmp(r, "access") == 0)
			p->roles |= TP_ROLE_ACCESS;
		else if (r != NULL && strcmp(r, "core") == 0)
			p->roles |= TP_ROLE_CORE;
		else if (r != NULL)
			FAIL(e, "%s: unknown role '%s' (roles are \"access\" and \"core\")",
			     who, r);
		else
			FAIL(e, "%s: a role must be \"access\" or \"core\", not %s", who,
			     value_desc(e, vd, sizeof(vd)));
	}
	return 0;
}

static int
load_impair(const config_setting_t *s, struct tp_conf_port *p, const char *who,
	    struct tp_conf *c, char *err, size_t errlen)
{
	static const char *const names[] = {
		"loss", "dup", "reorder", "delay_us", "jitter_us", "seed",
		"direction", NULL,
	};
	struct tp_conf_impair *im = &p->impair;
	const config_setting_t *dir;
	char what[SUBJECT_LEN + 16], vd[96];
	long long v;
	int rc;

	if (!config_setting_is_group(s))
		FAIL(s, "%s: impair must be a group { loss = 0.2; ... }, not %s", who,
		     value_desc(s, vd, sizeof(vd)));
	snprintf(what, sizeof(what), "%s: impair", who);
	if ((rc = tp_conf_check_names(s, what, names, c, err, errlen)) < 0 ||
	    (rc = get_rate(s, "loss", &im->loss, c, err, errlen)) < 0 ||
	    (rc = get_rate(s, "dup", &im->dup, c, err, errlen)) < 0 ||
	    (rc = get_rate(s, "reorder", &im->reorder, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "delay_us", 0, 10000000, &im->delay_us, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "jitter_us", 0, 10000000, &im->jitter_us, c,
				  err, errlen)) < 0)
		return rc;
	rc = get_int(s, "seed", 0, INT64_MAX, &v, c, err, errlen);
	if (rc < 0)
		return rc;
	if (rc > 0)
		im->seed = (uint64_t)v;
	dir = config_setting_get_member(s, "direction");
	if (dir != NULL) {
		const char *d = config_setting_type(dir) == CONFIG_TYPE_STRING ?
				config_setting_get_string(dir) : NULL;

		if (d == NULL)
			FAILS(dir, " must be \"rx\", \"tx\" or \"both\", not %s",
			      value_desc(dir, vd, sizeof(vd)));
		if (strcmp(d, "rx") == 0)
			im->dir = TP_IMPAIR_RX;
		else if (strcmp(d, "tx") == 0)
			im->dir = TP_IMPAIR_TX;
		else if (strcmp(d, "both") == 0)
			im->dir = TP_IMPAIR_BOTH;
		else
			FAILS(dir, " '%s' must be \"rx\", \"tx\" or \"both\"", d);
	}
	im->enabled = true;
	return 0;
}

static int
load_port(const config_setting_t *s, struct tp_conf *c, char *err, size_t errlen)
{
	static const char *const names[] = {
		"name", "dev", "roles", "ipv4", "ipv6", "gateway4", "gateway6",
		"relay_ipv4", "relay_ipv6", "mtu", "vlan", "mss_clamp", "impair",
		"tx_checksum_offload", NULL,
	};
	struct tp_conf_dp *d = &c->dp;
	struct tp_conf_port *p = &d->ports[d->nports];
	const config_setting_t *v;
	char who[SUBJECT_LEN], key[TP_CONF_DEV_LEN + 8], okey[TP_CONF_DEV_LEN + 8];
	char vd[96];
	int rc;

	port_label(s, who, sizeof(who));
	if (!config_setting_is_group(s))
		FAIL(s, "%s must be a group { name = ...; dev = ...; ... }, not %s", who,
		     value_desc(s, vd, sizeof(vd)));
	port_defaults(p);
	p->line = config_setting_source_line(s);
	if ((rc = tp_conf_check_names(s, who, names, c, err, errlen)) < 0)
		return rc;

	if (config_setting_get_member(s, "name") == NULL)
		FAIL(s, "%s needs a name (name = \"access\";)", who);
	if ((rc = get_name(s, "name", p->name, sizeof(p->name), c, err, errlen)) < 0)
		return rc;
	v = config_setting_get_member(s, "name");
	for (unsigned int i = 0; i < d->nports; i++)
		if (strcmp(d->ports[i].name, p->name) == 0)
			FAIL(v, "port '%s' is defined twice (first at line %d)", p->name,
			     d->ports[i].line);

	if (config_setting_get_member(s, "dev") == NULL)
		FAIL(s, "%s needs a dev (a PCI address such as \"0000:3b:00.0\" or a "
		     "vdev such as \"net_tap0,iface=tp0\")", who);
	if ((rc = get_name(s, "dev", p->dev, sizeof(p->dev), c, err, errlen)) < 0)
		return rc;
	v = config_setting_get_member(s, "dev");
	dev_key(p->dev, key, sizeof(key));
	for (unsigned int i = 0; i < d->nports; i++) {
		dev_key(d->ports[i].dev, okey, sizeof(okey));
		if (strcmp(key, okey) == 0)
			FAIL(v, "%s: dev '%s' is the device of port '%s' (line %d)", who,
			     p->dev, d->ports[i].name, d->ports[i].line);
	}

	if ((rc = load_roles(s, p, who, c, err, errlen)) < 0 ||
	    (rc = load_prefix(s, "ipv4", 4, p->ip4, &p->plen4, &p->has_ip4, who, c,
			      err, errlen)) < 0 ||
	    (rc = load_prefix(s, "ipv6", 6, p->ip6, &p->plen6, &p->has_ip6, who, c,
			      err, errlen)) < 0)
		return rc;
	if (!p->has_ip4 && !p->has_ip6)
		FAIL(s, "%s needs an ipv4 or an ipv6 address (or both)", who);
	if ((rc = load_gateway(s, p, 4, who, c, err, errlen)) < 0 ||
	    (rc = load_gateway(s, p, 6, who, c, err, errlen)) < 0 ||
	    (rc = load_relay(s, p, 4, who, c, err, errlen)) < 0 ||
	    (rc = load_relay(s, p, 6, who, c, err, errlen)) < 0)
		return rc;

	if ((rc = get_u16(s, "mtu", 576, 9000, &p->mtu, c, err, errlen)) < 0 ||
	    (rc = get_u16(s, "vlan", 0, 4094, &p->vlan, c, err, errlen)) < 0)
		return rc;
	/* 0: none; else at least RFC 9293's IPv4 default (536), at most
	 * what any MTU here leaves */
	v = config_setting_get_member(s, "mss_clamp");
	if (v != NULL && config_setting_type(v) == CONFIG_TYPE_INT && config_setting_get_int(v) == 0)
		p->mss_clamp = 0;
	else if ((rc = get_u16(s, "mss_clamp", 536, 8960, &p->mss_clamp, c, err, errlen)) < 0)
		return rc;
	/* RFC 8200 §5: every IPv6 link carries 1280-byte packets. */
	if (p->has_ip6 && p->mtu < 1280) {
		v = config_setting_get_member(s, "mtu");
		FAIL(v != NULL ? v : s, "%s: mtu %u is below 1280, the IPv6 minimum, "
		     "and the port has an ipv6 address", who, p->mtu);
	}
	v = config_setting_get_member(s, "tx_checksum_offload");
	if (v != NULL) {
		if (config_setting_type(v) != CONFIG_TYPE_BOOL)
			FAILS(v, " must be true or false, not %s",
			      value_desc(v, vd, sizeof(vd)));
		p->no_tx_offload = !config_setting_get_bool(v);
	}
	v = config_setting_get_member(s, "impair");
	if (v != NULL && (rc = load_impair(v, p, who, c, err, errlen)) < 0)
		return rc;
	d->nports++;
	return 0;
}

int
tp_conf_get_keepalive(const config_setting_t *g, const char *name, const char *what,
		      struct tp_conf_keepalive *k, struct tp_conf *c, char *err, size_t errlen)
{
	static const char *const names[] = { "idle", "interval", "count", NULL };
	const config_setting_t *s = config_setting_get_member(g, name);
	int rc;

	if (s == NULL)
		return 0;
	if (!config_setting_is_group(s))
		FAIL(s, "%s must be a group { idle = 120; interval = 30; count = 4; } (seconds; "
		     "idle = 0: none)", what);
	if ((rc = tp_conf_check_names(s, what, names, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "idle", 0, 86400, &k->idle_s, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "interval", 1, 3600, &k->interval_s, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "count", 1, 255, &k->count, c, err, errlen)) < 0)
		return rc;
	return 0;
}

/* ---- dp ---------------------------------------------------------------- */

/* The settings of the dp group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_dp[] = {
	"eal", "workers", "idle_sleep_max_us", "mbufs_per_worker",
	"neigh_reachable_s", "neigh_retry_ms", "neigh_queue_max",
	"icmp_rate_per_s", "diag_echo_port", "diag_tcp_echo_port",
	"diag_tcp_connect", "tcp_max_conns", "tcp_held_max", "tcp_reserve", "ports",
	"tcp_invalid_ratelimit_ms", "tcp_challenge_acks",
	"tcp_user_timeout", "tcp_orphan_timeout", NULL,
};

static int
load_dp(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	static const char *const reserve_names[] = { "turn", "relay", "agw", NULL };
	struct tp_conf_dp *d = &c->dp;
	const config_setting_t *s;
	char vd[96];
	int rc, n;

	if (!config_setting_is_group(g))
		FAIL(g, "dp must be a group dp = { ... };, not %s",
		     value_desc(g, vd, sizeof(vd)));
	if ((rc = tp_conf_check_names(g, "dp", tp_conf_names_dp, c, err, errlen)) < 0)
		return rc;

	d->eal_argv[0] = strdup("turnpike-dp");
	if (d->eal_argv[0] == NULL) {
		snprintf(err, errlen, "%s: out of memory", c->path);
		return -ENOMEM;
	}
	d->eal_argc = 1;
	s = config_setting_get_member(g, "eal");
	if (s != NULL && (rc = load_eal(s, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "workers");
	if (s != NULL && (rc = load_workers(s, c, err, errlen)) < 0)
		return rc;

	if ((rc = tp_conf_get_u32(g, "idle_sleep_max_us", 0, 100000,
				  &d->idle_sleep_max_us, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "mbufs_per_worker", 1023, 1048575,
				  &d->mbufs_per_worker, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "neigh_reachable_s", 1, 3600,
				  &d->neigh_reachable_s, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "neigh_retry_ms", 10, 60000,
				  &d->neigh_retry_ms, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "neigh_queue_max", 1, 16,
				  &d->neigh_queue_max, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "icmp_rate_per_s", 0, 1000000,
				  &d->icmp_rate_per_s, c, err, errlen)) < 0 ||
	    (rc = get_u16(g, "diag_echo_port", 0, 65535, &d->diag_echo_port, c,
			  err, errlen)) < 0 ||
	    (rc = get_u16(g, "diag_tcp_echo_port", 0, 65535, &d->diag_tcp_echo_port,
			  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_max_conns", 1, 1u << 20,
				  &d->tcp_max_conns, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_held_max", 0, 0xffffffffu, &d->tcp_held_max,
				  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_invalid_ratelimit_ms", 0, 60000,
				  &d->tcp_invalid_ratelimit_ms, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_challenge_acks", 1, 1000000,
				  &d->tcp_challenge_acks, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_user_timeout", 0, 86400, &d->tcp_user_timeout_s,
				  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_orphan_timeout", 0, 3600, &d->tcp_orphan_timeout_s,
				  c, err, errlen)) < 0 ||
	    (rc = get_diag_connect(g, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "tcp_reserve");
	if (s != NULL) {
		if (!config_setting_is_group(s))
			FAIL(s, "dp.tcp_reserve must be a group { turn = 25; relay = 25; agw = 25; }"
			     " (percent of tcp_max_conns)");
		if ((rc = tp_conf_check_names(s, "dp.tcp_reserve", reserve_names, c, err,
					      errlen)) < 0 ||
		    (rc = tp_conf_get_u32(s, "turn", 0, 90, &d->tcp_reserve_turn, c, err,
					  errlen)) < 0 ||
		    (rc = tp_conf_get_u32(s, "relay", 0, 90, &d->tcp_reserve_relay, c, err,
					  errlen)) < 0 ||
		    (rc = tp_conf_get_u32(s, "agw", 0, 90, &d->tcp_reserve_agw, c, err,
					  errlen)) < 0)
			return rc;
		if (d->tcp_reserve_turn + d->tcp_reserve_relay + d->tcp_reserve_agw > 90)
			FAIL(s, "dp.tcp_reserve: %u + %u + %u percent is over 90 (some of the "
			     "table must be free for any use)", d->tcp_reserve_turn,
			     d->tcp_reserve_relay, d->tcp_reserve_agw);
	}

	s = config_setting_get_member(g, "ports");
	if (s == NULL)
		FAIL(g, "dp has no ports: give ports = ( { name = \"access\"; dev = "
		     "...; roles = [\"access\"]; ipv4 = ...; }, ... )");
	if (!config_setting_is_list(s))
		FAILS(s, " must be a list ( { ... }, { ... } ), not %s",
		      value_desc(s, vd, sizeof(vd)));
	n = config_setting_length(s);
	if (n == 0)
		FAILS(s, " is empty: at least one port is needed");
	if (n > TP_CONF_MAX_PORTS)
		FAILS(s, " has %d ports; at most %d", n, TP_CONF_MAX_PORTS);
	for (int i = 0; i < n; i++)
		if ((rc = load_port(config_setting_get_elem(s, (unsigned int)i), c, err,
				    errlen)) < 0)
			return rc;
	return 0;
}

/* ---- the file ---------------------------------------------------------- */

/*
 * libconfig 1.5 reads an @include'd file without asking what it is: a
 * folder or "" ends the process (its scanner calls exit(2), with no
 * file:line), a FIFO or /dev/zero never returns. So every @include line
 * (at the start of a line, as libconfig takes it) of path and of what it
 * includes is looked at first: the name (relative to dir, the top file's
 * folder, as libconfig resolves it) must be a regular file, and includes
 * go at most 10 deep (libconfig's own limit). Found by the fuzz_conf
 * target. Returns 0 or -EINVAL with "file:line: why" in err.
 */
static int
check_includes(const char *path, const char *dir, int depth, char *err, size_t errlen)
{
	char line[1024], name[PATH_MAX], full[PATH_MAX];
	struct stat st;
	int lineno = 0, rc = 0;
	FILE *f;

	if (depth > 10) {
		snprintf(err, errlen, "%s: @include nested more than 10 deep", path);
		return -EINVAL;
	}
	f = fopen(path, "r");
	if (f == NULL)
		return 0;                    /* libconfig says why, with file:line */
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		const char *p = line, *q;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "@include", 8) != 0)
			continue;
		p = strchr(p + 8, '"');
		q = p != NULL ? strchr(p + 1, '"') : NULL;
		if (q == NULL)
			continue;                /* libconfig's syntax error */
		snprintf(name, sizeof(name), "%.*s", (int)(q - p - 1), p + 1);
		if (name[0] == '/' || dir[0] == '\0')
			snprintf(full, sizeof(full), "%s", name);
		else
			snprintf(full, sizeof(full), "%s%s", dir, name);
		if (name[0] == '\0' || stat(full, &st) < 0 || !S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s:%d: @include \"%s\": %s", path, lineno, name,
				 name[0] == '\0' ? "no file named" :
				 stat(full, &st) < 0 ? strerror(errno) : "not a regular file");
			rc = -EINVAL;
			break;
		}
		rc = check_includes(full, dir, depth + 1, err, errlen);
	}
	fclose(f);
	return rc;
}

int
tp_conf_load(const char *path, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *dp;
	char dir[sizeof(c->path)];
	const char *slash;
	struct stat st;
	config_t cfg;
	FILE *f;
	int rc;

	memset(c, 0, sizeof(*c));
	if (errlen > 0)
		err[0] = '\0';
	if (strlen(path) >= sizeof(c->path)) {
		snprintf(err, errlen, "%.64s...: path is too long", path);
		return -ENAMETOOLONG;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	conf_defaults(c);

	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(EISDIR));
		return -EISDIR;
	}

	config_init(&cfg);
	/* @include "x.conf" is relative to the file's own folder. */
	dir[0] = '\0';
	slash = strrchr(path, '/');
	if (slash != NULL) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + 1), path);
		config_set_include_dir(&cfg, dir);
	}
	rc = check_includes(path, dir, 0, err, errlen);
	if (rc < 0)
		goto out_destroy;
	if (config_read(&cfg, f) != CONFIG_TRUE) {
		snprintf(err, errlen, "%s:%d: %s",
			 tp_conf_file_name(config_error_file(&cfg), c, dir, sizeof(dir)),
			 config_error_line(&cfg), config_error_text(&cfg));
		rc = -EINVAL;
		goto out_destroy;
	}
	dp = config_setting_get_member(config_root_setting(&cfg), "dp");
	if (dp == NULL) {
		snprintf(err, errlen, "%s: no dp group (dp = { ports = ( ... ); };)",
			 path);
		rc = -EINVAL;
		goto out_destroy;
	}
	rc = load_dp(dp, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_turn_cp(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_ipc(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_tls(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_agw(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_iq(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_ng(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_cluster(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_ha(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_li(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_acct(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_oauth(&cfg, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_tenants(&cfg, c, err, errlen);
out_destroy:
	config_destroy(&cfg);
	fclose(f);
	if (rc < 0)
		tp_conf_free(c);
	return rc;
}

/* ---- what dp and cp derive alike --------------------------------------- */

unsigned int
tp_conf_relay_addrs(const struct tp_conf *c, int family,
		    uint8_t addrs[TP_CONF_MAX_RELAY][16], unsigned int *port)
{
	for (unsigned int i = 0; i < c->dp.nports; i++) {
		const struct tp_conf_port *p = &c->dp.ports[i];
		unsigned int n;

		if (!(p->roles & TP_ROLE_CORE) || !(family == 4 ? p->has_ip4 : p->has_ip6))
			continue;
		if (port != NULL)
			*port = i;
		memset(addrs, 0, sizeof(uint8_t[TP_CONF_MAX_RELAY][16]));
		n = family == 4 ? p->nrelay4 : p->nrelay6;
		if (n == 0) {
			memcpy(addrs[0], family == 4 ? p->ip4 : p->ip6, family == 4 ? 4 : 16);
			return 1;
		}
		for (unsigned int k = 0; k < n; k++)
			memcpy(addrs[k], family == 4 ? p->relay4[k] : p->relay6[k],
			       family == 4 ? 4 : 16);
		return n;
	}
	return 0;
}

uint32_t
tp_conf_worker_allocs(const struct tp_conf *c)
{
	uint64_t q = c->cp.quota_total;
	uint64_t n = c->dp.nworkers > 0 ? c->dp.nworkers : 1;
	uint64_t cap = q / n * 5 / 4 + 1024;

	if (cap > q)
		cap = q;
	if (cap < 64)
		cap = 64;
	return (uint32_t)cap;
}

void
tp_conf_free(struct tp_conf *c)
{
	for (int i = 0; i < c->dp.eal_argc && i < TP_CONF_MAX_EAL_ARGS + 1; i++) {
		free(c->dp.eal_argv[i]);
		c->dp.eal_argv[i] = NULL;
	}
	c->dp.eal_argc = 0;
}
