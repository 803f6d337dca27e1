/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "iq" group of the configuration file: the IMS-ALG's door into the
 * access gateway, H.248 over UDP or TCP (cp/iq). cp alone reads it; it
 * needs the agw group (the contexts Iq drives). Addresses are IP
 * literals: cp never waits on a name lookup, and an MGC is named by the
 * address its messages come from (only those are answered).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

void
tp_conf_iq_defaults(struct tp_conf *c)
{
	c->iq.max_rate = 500;
	c->iq.request_timeout = 30;
	snprintf(c->iq.profile, sizeof(c->iq.profile), "threegiq/1");
}

/* H.248.1 Annex B serviceChangeProfile: NAME "/" Version (1-2 digits);
 * NAME a token (letters, digits, '_', '-', '.') */
static bool
profile_ok(const char *v)
{
	const char *slash = strchr(v, '/');
	size_t n = strlen(v);

	if (slash == NULL || slash == v || n >= sizeof(((struct tp_conf_iq *)0)->profile) ||
	    strlen(slash + 1) < 1 || strlen(slash + 1) > 2)
		return false;
	for (const char *p = v; p < slash; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	for (const char *p = slash + 1; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static int
get_hostport(const config_setting_t *s, const char *what, char *out, struct tp_conf *c,
	     char *err, size_t errlen)
{
	const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ?
			config_setting_get_string(s) : NULL;
	int fam;

	if (v == NULL || strlen(v) >= 64 || (fam = tp_conf_hostport_family(v)) == 0)
		FAIL(s, "%s: '%s' is not \"IP:PORT\" (an IPv4 address, or an IPv6 one in "
		     "brackets; no host names)", what, v != NULL ? v : "?");
	snprintf(out, 64, "%s", v);
	return fam;
}

/* H.248.1 Annex B's mId: "[IPv4]:port", "[IPv6]:port", "<domain>:port" or
 * a deviceName; printable, no space or brace (it is a token of every
 * message we write). */
static bool
mid_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= sizeof(((struct tp_conf_iq *)0)->mid))
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] > '~' || v[i] == '{' || v[i] == '}' || v[i] == ',' ||
		    v[i] == ';' || v[i] == '"' || v[i] == '=')
			return false;
	return true;
}

/* "IP:PORT" (IPv6 in brackets) into its family (4 or 6), address bytes
 * and port; false when it is not that (get_hostport() checked it). */
static bool
hostport(const char *s, int *fam, uint8_t addr[16], uint16_t *port)
{
	char host[64];
	const char *colon, *h = s;
	size_t hl;

	*fam = s[0] == '[' ? 6 : 4;
	if (*fam == 6) {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			return false;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return false;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(host))
		return false;
	memcpy(host, h, hl);
	host[hl] = '\0';
	memset(addr, 0, 16);
	*port = (uint16_t)atoi(colon + 1);
	return inet_pton(*fam == 4 ? AF_INET : AF_INET6, host, addr) == 1;
}

/* Same host (and with port, same port) of two "IP:PORT". */
static bool
same_hostport(const char *a, const char *b, bool port)
{
	uint8_t x[16], y[16];
	uint16_t px, py;
	int fx, fy;

	return hostport(a, &fx, x, &px) && hostport(b, &fy, y, &py) && fx == fy &&
	       memcmp(x, y, 16) == 0 && (!port || px == py);
}

/* The settings of the iq group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_iq[] = {
	"listen", "transport", "mid", "mgc", "send_from", "auth", "max_rate",
	"request_timeout", "profile", "tenant", NULL,
};

/* The settings of one iq.auth entry. */
static const char *const names_iq_auth[] = {
	"mgc", "spi", "algorithm", "key", "key_file", "anti_replay", NULL,
};

static int
hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int
tp_conf_iq_key_hex(const char *hex, size_t n, uint8_t alg, uint8_t *key, uint8_t *keylen)
{
	size_t min = alg == TP_IQ_HMAC_SHA256_128 ? 32 : 20;

	/* RFC 2404 §3, RFC 4868 §2.1.1: a key as long as the hash's output
	 * at least; past the HMAC block (64 bytes) it would be hashed */
	if (n % 2 != 0 || n / 2 < min || n / 2 > TP_CONF_IQ_KEY_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	*keylen = (uint8_t)(n / 2);
	return 0;
}

/* iq.send_from: each a source of one controller (the one of iq.mgc on its
 * host, which must be one alone), listed once, none a controller's own
 * address. */
static int
load_send_from(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_iq *q = &c->iq;
	const config_setting_t *s = config_setting_get_member(g, "send_from");

	if (s == NULL)
		return 0;
	if (q->tcp)
		FAIL(s, "iq.send_from is for UDP (over TCP the gateway connects to its controller)");
	if (!config_setting_is_array(s) || config_setting_length(s) > TP_CONF_MAX_IQ_SEND_FROM)
		FAIL(s, "iq.send_from must list up to %d source addresses [\"IP:PORT\", ...] "
		     "of the controllers of iq.mgc", TP_CONF_MAX_IQ_SEND_FROM);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		char *v = q->send_from[q->nsend_from];
		int f = get_hostport(e, "iq.send_from", v, c, err, errlen), owner = -1;

		if (f < 0)
			return f;
		for (unsigned int j = 0; j < q->nmgc; j++) {
			if (same_hostport(v, q->mgc[j], true))
				FAIL(e, "iq.send_from: '%s' is iq.mgc's own address (list only the "
				     "controller's other source addresses)", v);
			if (!same_hostport(v, q->mgc[j], false))
				continue;
			if (owner >= 0)
				FAIL(e, "iq.send_from: '%s' is on the host of two controllers (%s, %s): "
				     "whose it is cannot be told", v, q->mgc[owner], q->mgc[j]);
			owner = (int)j;
		}
		if (owner < 0)
			FAIL(e, "iq.send_from: '%s' is on no controller's host (each address is "
			     "one of a controller of iq.mgc, on its host)", v);
		for (unsigned int j = 0; j < q->nsend_from; j++)
			if (same_hostport(v, q->send_from[j], true))
				FAIL(e, "iq.send_from: '%s' is listed twice", v);
		q->send_from_mgc[q->nsend_from++] = (uint8_t)owner;
	}
	return 0;
}

static bool
wildcard(const char *hp)
{
	uint8_t a[16], zero[16] = { 0 };
	uint16_t port;
	int fam;

	return hostport(hp, &fam, a, &port) && memcmp(a, zero, 16) == 0;
}

static bool
loopback(const char *hp)
{
	static const uint8_t one6[16] = { [15] = 1 };
	uint8_t a[16];
	uint16_t port;
	int fam;

	if (!hostport(hp, &fam, a, &port))
		return false;
	return fam == 4 ? a[0] == 127 : memcmp(a, one6, 16) == 0;
}

/* One entry of iq.auth. */
static int
load_auth_one(const config_setting_t *e, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_iq *q = &c->iq;
	struct tp_conf_iq_auth *a = &q->auth[q->nauth];
	const config_setting_t *s;
	const char *v;
	int rc, idx = -1;

	if (!config_setting_is_group(e))
		FAIL(e, "iq.auth must be a list of groups ( { mgc = \"IP:PORT\"; spi = "
		     "\"0x...\"; algorithm = \"hmac-sha1-96\"; key_file = \"/...\"; } )");
	if ((rc = tp_conf_check_names(e, "iq.auth", names_iq_auth, c, err, errlen)) < 0)
		return rc;
	a->line = where(e);
	s = config_setting_get_member(e, "mgc");
	v = s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING ?
	    config_setting_get_string(s) : NULL;
	if (v == NULL)
		FAIL(e, "iq.auth: each entry names its controller: mgc = \"IP:PORT\" (one of "
		     "iq.mgc)");
	for (unsigned int j = 0; j < q->nmgc; j++)
		if (same_hostport(v, q->mgc[j], true))
			idx = (int)j;
	if (idx < 0)
		FAIL(s, "iq.auth: mgc '%s' is not one of iq.mgc", v);
	for (unsigned int j = 0; j < q->nauth; j++)
		if (q->auth[j].mgc == (unsigned int)idx)
			FAIL(s, "iq.auth: controller '%s' has two entries", v);
	if (q->mgc[idx][0] == '[')
		FAIL(s, "iq.auth: '%s' is IPv6: H.248.1 §10.2's authentication header is for "
		     "IPv4 (over IPv6, IPsec)", v);
	if (!q->tcp && wildcard(q->listen))
		FAIL(s, "iq.auth needs iq.listen to name this host's address, not '%s' (over "
		     "UDP the check value covers the address the controller sends to)",
		     q->listen);
	a->mgc = (unsigned int)idx;
	s = config_setting_get_member(e, "spi");
	if (s == NULL)
		FAIL(e, "iq.auth: spi = \"0x...\" is required (the security parameter index "
		     "both sides use, 256 to 0xffffffff)");
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		long long x = config_setting_get_int64(s);

		a->spi = x >= 0 && x <= 0xffffffffLL ? (uint32_t)x : 0;
	} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *x = config_setting_get_string(s);
		size_t n = strlen(x);

		a->spi = 0;
		if (n > 2 && n <= 10 && x[0] == '0' && (x[1] == 'x' || x[1] == 'X'))
			for (size_t i = 2; i < n; i++) {
				if (hex_digit(x[i]) < 0) {
					a->spi = 0;
					break;
				}
				a->spi = a->spi << 4 | (uint32_t)hex_digit(x[i]);
			}
	}
	/* RFC 2402 §2.4: 1-255 reserved by IANA, 0 for local use */
	if (a->spi < 256)
		FAIL(s, "iq.auth: spi must be \"0x\" and 1 to 8 hex digits (or a number), "
		     "256 to 0xffffffff (0-255 are reserved, RFC 2402 §2.4)");
	a->alg = TP_IQ_HMAC_SHA1_96;
	s = config_setting_get_member(e, "algorithm");
	if (s != NULL) {
		v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : "";
		if (strcmp(v, "hmac-sha1-96") == 0)
			a->alg = TP_IQ_HMAC_SHA1_96;
		else if (strcmp(v, "hmac-sha256-128") == 0)
			a->alg = TP_IQ_HMAC_SHA256_128;
		else if (strcmp(v, "hmac-md5-96") == 0)
			FAIL(s, "iq.auth: hmac-md5-96 is not offered (MD5 is broken): "
			     "\"hmac-sha1-96\" or \"hmac-sha256-128\"");
		else
			FAIL(s, "iq.auth: algorithm must be \"hmac-sha1-96\" (RFC 2404) or "
			     "\"hmac-sha256-128\" (RFC 4868)");
	}
	a->anti_replay = true;
	s = config_setting_get_member(e, "anti_replay");
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			FAIL(s, "iq.auth: anti_replay must be true or false");
		a->anti_replay = config_setting_get_bool(s);
	}
	s = config_setting_get_member(e, "key");
	if (s != NULL) {
		v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : "";
		if (config_setting_get_member(e, "key_file") != NULL)
			FAIL(s, "iq.auth: key or key_file, not both");
		tp_conf_note_secret(s, c);
		if (tp_conf_iq_key_hex(v, strlen(v), a->alg, a->key, &a->keylen) < 0)
			FAIL(s, "iq.auth: key must be hex, %d to %d bytes (%d to %d digits) for %s",
			     a->alg == TP_IQ_HMAC_SHA256_128 ? 32 : 20, TP_CONF_IQ_KEY_MAX,
			     a->alg == TP_IQ_HMAC_SHA256_128 ? 64 : 40, 2 * TP_CONF_IQ_KEY_MAX,
			     a->alg == TP_IQ_HMAC_SHA256_128 ? "hmac-sha256-128" : "hmac-sha1-96");
	} else {
		s = config_setting_get_member(e, "key_file");
		v = s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING ?
		    config_setting_get_string(s) : NULL;
		if (s == NULL)
			FAIL(e, "iq.auth: key_file = \"/path\" (a file of hex, mode 0600) or "
			     "key = \"hex\" is required");
		if (v == NULL || v[0] != '/' || strlen(v) >= TP_CONF_PATH_LEN)
			FAIL(s, "iq.auth: key_file must be an absolute path (shorter than %d) to a "
			     "file holding the key in hex (mode 0600)", TP_CONF_PATH_LEN);
		snprintf(a->key_file, sizeof(a->key_file), "%s", v);
	}
	q->nauth++;
	return 0;
}

static int
load_auth(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, "auth");
	int rc;

	if (s == NULL)
		return 0;
	if (!config_setting_is_list(s) || config_setting_length(s) > TP_CONF_MAX_IQ_MGCS)
		FAIL(s, "iq.auth must be a list of up to %d groups ( { mgc = \"IP:PORT\"; "
		     "spi = \"0x...\"; key_file = \"/...\"; }, ... ), one a controller",
		     TP_CONF_MAX_IQ_MGCS);
	for (int i = 0; i < config_setting_length(s); i++)
		if ((rc = load_auth_one(config_setting_get_elem(s, (unsigned int)i), c, err,
					errlen)) < 0)
			return rc;
	return 0;
}

int
tp_conf_iq_unauthenticated(const struct tp_conf *c, char *out, size_t outlen)
{
	const struct tp_conf_iq *q = &c->iq;
	char names[4 * 70] = "";
	size_t used = 0;
	bool authed[TP_CONF_MAX_IQ_MGCS] = { false };
	unsigned int n = 0;

	if (outlen > 0)
		out[0] = '\0';
	if (!q->enabled || q->tcp || (loopback(q->listen) && !wildcard(q->listen)))
		return 0;
	for (unsigned int i = 0; i < q->nauth; i++)
		authed[q->auth[i].mgc] = true;
	for (unsigned int i = 0; i < q->nmgc; i++) {
		int w;

		if (authed[i])
			continue;
		w = snprintf(names + used, sizeof(names) - used, "%s%s", n > 0 ? ", " : "",
			     q->mgc[i]);
		if (w > 0 && (size_t)w < sizeof(names) - used)
			used += (size_t)w;
		n++;
	}
	if (n == 0)
		return 0;
	snprintf(out, outlen, "iq: H.248 over UDP on %s (%s) without iq.auth for %s: anyone "
		 "who can send from that address (its host, its network, a forged source) is "
		 "that controller; keep Iq on a network only the IMS-ALGs reach or set iq.auth "
		 "(SECURITY.md, \"Iq\")", q->listen,
		 wildcard(q->listen) ? "every address of this host" : "not loopback", names);
	return 1;
}

static int
load_iq(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_iq *q = &c->iq;
	const config_setting_t *s;
	int fam, rc;

	q->line = where(g);
	if ((rc = tp_conf_check_names(g, "iq", tp_conf_names_iq, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "max_rate", 1, 1000000, &q->max_rate, c, err,
				  errlen)) < 0 ||
	    /* H.248.1 Annex D.1 leaves it provisioned: how long a silent
	     * controller is given before it counts as lost */
	    (rc = tp_conf_get_u32(g, "request_timeout", 1, 300, &q->request_timeout, c, err,
				  errlen)) < 0)
		return rc;
	if (!c->agw.enabled)
		FAIL(g, "iq needs the agw group (the contexts an IMS-ALG drives over Iq)");
	s = config_setting_get_member(g, "listen");
	if (s == NULL)
		FAIL(g, "iq needs listen = \"IP:PORT\" (this host's address on the control "
		     "network; H.248 text's port is 2944)");
	if ((fam = get_hostport(s, "iq.listen", q->listen, c, err, errlen)) < 0)
		return fam;
	s = config_setting_get_member(g, "transport");
	if (s != NULL) {
		const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ?
				config_setting_get_string(s) : "";

		if (strcmp(v, "udp") == 0)
			q->tcp = false;
		else if (strcmp(v, "tcp") == 0)
			q->tcp = true;
		else
			FAIL(s, "iq.transport must be \"udp\" or \"tcp\" (SCTP is not offered: "
			     "see cp/iq/FEATURE.md)");
	}
	s = config_setting_get_member(g, "mgc");
	if (s == NULL || !config_setting_is_array(s) || config_setting_length(s) < 1 ||
	    config_setting_length(s) > TP_CONF_MAX_IQ_MGCS)
		FAIL(s != NULL ? s : g, "iq.mgc must list 1 to %d controllers [\"IP:PORT\", ...] "
		     "(only they are answered)", TP_CONF_MAX_IQ_MGCS);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		int f = get_hostport(e, "iq.mgc", q->mgc[q->nmgc], c, err, errlen);

		if (f < 0)
			return f;
		if (f != fam)
			FAIL(e, "iq.mgc: '%s' is not of iq.listen's address family", q->mgc[q->nmgc]);
		for (unsigned int j = 0; j < q->nmgc; j++)
			if (strcmp(q->mgc[j], q->mgc[q->nmgc]) == 0)
				FAIL(e, "iq.mgc: '%s' is listed twice", q->mgc[j]);
		q->nmgc++;
	}
	if ((rc = load_send_from(g, c, err, errlen)) < 0 || (rc = load_auth(g, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "profile");
	if (s != NULL) {
		const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ?
				config_setting_get_string(s) : "";

		if (!profile_ok(v))
			FAIL(s, "iq.profile '%s' is not NAME/VERSION (e.g. \"threegiq/1\")", v);
		snprintf(q->profile, sizeof(q->profile), "%s", v);
	}
	/* (which tenants there are is known once the tenants list, read
	 * after this group, loaded: tp_conf_load_tenants() checks it) */
	s = config_setting_get_member(g, "tenant");
	if (s != NULL) {
		const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ?
				config_setting_get_string(s) : "";

		if (v[0] == '\0' || strlen(v) >= sizeof(q->tenant))
			FAIL(s, "iq.tenant must name a tenant of the tenants list (\"default\": "
			     "the box's own)");
		snprintf(q->tenant, sizeof(q->tenant), "%s", v);
		q->tenant_line = where(s);
	}
	s = config_setting_get_member(g, "mid");
	if (s != NULL) {
		const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ?
				config_setting_get_string(s) : "";

		if (!mid_ok(v))
			FAIL(s, "iq.mid '%s': printable, no spaces, braces, commas, quotes, '=' "
			     "or ';', shorter than %zu (e.g. \"[192.0.2.10]:2944\")", v,
			     sizeof(q->mid));
		snprintf(q->mid, sizeof(q->mid), "%s", v);
	} else if (fam == 4) {
		const char *colon = strrchr(q->listen, ':');

		snprintf(q->mid, sizeof(q->mid), "[%.*s]%s", (int)(colon - q->listen), q->listen,
			 colon);
	} else {
		snprintf(q->mid, sizeof(q->mid), "%s", q->listen);
	}
	q->enabled = true;
	return 0;
}

int
tp_conf_load_iq(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *g = config_lookup(cfg, "iq");

	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		FAIL(g, "iq must be a group { listen = ...; mgc = [...]; }");
	return load_iq(g, c, err, errlen);
}
