/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "turn" and "cp" groups of the configuration file: what dp and cp
 * share about TURN (listening port, relayed port range, realm; turn.ipc
 * and turn.cp_grace are the ipc group's now, tp_conf_ipc.c) and what
 * only cp reads (API socket and operator
 * group, lifetimes, quotas, users, REST secrets, peer policy). Same rules
 * as the dp group: defaults merged here, every error "file:line: what is
 * wrong", unknown settings refused so that a typo cannot pass silently.
 */
#include <errno.h>
#include <grp.h>
#include <libconfig.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tp_conf.h"
#include "tp_common.h"
#include "tp_conf_internal.h"
#include "tp_version.h"

static int
get_str(const config_setting_t *g, const char *name, char *out, size_t size,
	bool nonempty, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	const char *v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAIL(s, "%s must be a string", name);
	v = config_setting_get_string(s);
	if (strlen(v) >= size)
		FAIL(s, "%s is longer than %zu bytes", name, size - 1);
	if (nonempty && v[0] == '\0')
		FAIL(s, "%s must not be empty", name);
	snprintf(out, size, "%s", v);
	return 0;
}

static int
get_bool(const config_setting_t *g, const char *name, bool *out,
	 struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		FAIL(s, "%s must be true or false", name);
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

/* turn.listen_tcp / turn.listen_tls / turn.listen_dtls: a list of
 * distinct ports outside relay_ports ([] for none); listen_tls's also
 * distinct from listen_tcp's (read first), listen_dtls's (UDP) from
 * listen_port. */
static int
load_listen(const config_setting_t *g, const char *name, uint16_t *ports,
	    unsigned int *nports, struct tp_conf_turn *t, struct tp_conf *c,
	    char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	bool tls = strcmp(name, "listen_tls") == 0;
	bool dtls = strcmp(name, "listen_dtls") == 0;
	int n;

	if (s == NULL)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAIL(s, "turn.%s must be a list of ports like %s, or [] for none", name,
		     tls || dtls ? "[5349, 443]" : "[3478, 80]");
	n = config_setting_length(s);
	if (n > TP_CONF_MAX_TCP_LISTEN)
		FAIL(s, "turn.%s has %d ports, at most %d", name, n,
		     TP_CONF_MAX_TCP_LISTEN);
	if (tls)
		t->listen_tls_line = where(s);
	if (dtls)
		t->listen_dtls_line = where(s);
	*nports = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		long long v = config_setting_get_int64(e);

		if (config_setting_type(e) != CONFIG_TYPE_INT &&
		    config_setting_type(e) != CONFIG_TYPE_INT64)
			FAIL(e, "turn.%s: element %d is not a port number", name, i + 1);
		if (v < 1 || v > 65535)
			FAIL(e, "turn.%s: port %lld is not in 1..65535", name, v);
		if (v >= t->relay_min && v <= t->relay_max)
			FAIL(e, "turn.%s: port %lld lies inside relay_ports", name, v);
		for (unsigned int j = 0; j < *nports; j++)
			if (ports[j] == v)
				FAIL(e, "turn.%s: port %lld is listed twice", name, v);
		for (unsigned int j = 0; tls && j < t->nlisten_tcp; j++)
			if (t->listen_tcp[j] == v)
				FAIL(e, "turn.listen_tls: port %lld is in turn.listen_tcp too "
				     "(a port is TLS or plain TCP, not both)", v);
		if (dtls && v == t->listen_port)
			FAIL(e, "turn.listen_dtls: port %lld is turn.listen_port (a UDP port "
			     "is DTLS or plain UDP, not both)", v);
		ports[(*nports)++] = (uint16_t)v;
	}
	return 0;
}

/* The settings of the turn group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_turn[] = {
	"listen_port", "relay_ports", "realm", "software", "ipc", "channels",
	"cp_grace", "admit_rate", "admit_burst", "listen_tcp",
	"tcp_first_message", "tcp_per_source", "listen_tls", "tcp_alloc_bytes",
	"tcp_alloc_mbufs", "tcp_source_prefix6", "tcp_allocate_timeout", "tcp_keepalive",
	"mobility", "listen_dtls", "max_bps", "max_bps_burst", NULL,
};

static int
load_turn(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_turn *t = &c->turn;
	const config_setting_t *s;
	uint32_t v;
	int rc;

	if ((rc = tp_conf_check_names(g, "turn", tp_conf_names_turn, c, err, errlen)) < 0)
		return rc;
	v = t->listen_port;
	if ((rc = tp_conf_get_u32(g, "listen_port", 1, 65535, &v, c, err, errlen)) < 0)
		return rc;
	t->listen_port = (uint16_t)v;
	/* (turn.ipc and turn.cp_grace: tp_conf_ipc.c) */
	if ((rc = tp_conf_get_u32(g, "admit_rate", 1, 1000000, &t->admit_rate, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "admit_burst", 1, 1000000, &t->admit_burst, c, err,
				  errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "relay_ports");
	if (s != NULL) {
		long long lo, hi;

		if (!config_setting_is_array(s) || config_setting_length(s) != 2 ||
		    config_setting_type(config_setting_get_elem(s, 0)) != CONFIG_TYPE_INT ||
		    config_setting_type(config_setting_get_elem(s, 1)) != CONFIG_TYPE_INT)
			FAIL(s, "relay_ports must be [first, last]");
		lo = config_setting_get_int_elem(s, 0);
		hi = config_setting_get_int_elem(s, 1);
		/* RFC 8656 §7.2: SHOULD NOT be 0..1023. */
		if (lo < 1024 || hi > 65535 || lo > hi)
			FAIL(s, "relay_ports [%lld, %lld] must lie in 1024..65535, first <= last",
			     lo, hi);
		t->relay_min = (uint16_t)lo;
		t->relay_max = (uint16_t)hi;
	}
	if (t->listen_port >= t->relay_min && t->listen_port <= t->relay_max)
		FAIL(g, "turn.listen_port %u lies inside relay_ports", t->listen_port);
	if ((rc = tp_conf_get_u32(g, "tcp_first_message", 1, 300, &t->tcp_first_message_s,
				  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_per_source", 0, 1u << 22, &t->tcp_per_source,
				  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_source_prefix6", 32, 128, &t->tcp_source_prefix6,
				  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_allocate_timeout", 0, 3600,
				  &t->tcp_allocate_timeout_s, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_keepalive(g, "tcp_keepalive", "turn.tcp_keepalive",
					&t->tcp_keepalive, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_alloc_bytes", 0, 1u << 30, &t->tcp_alloc_bytes,
				  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tcp_alloc_mbufs", 0, 65535, &t->tcp_alloc_mbufs,
				  c, err, errlen)) < 0 ||
	    (rc = load_listen(g, "listen_tcp", t->listen_tcp, &t->nlisten_tcp, t, c,
			      err, errlen)) < 0 ||
	    (rc = load_listen(g, "listen_tls", t->listen_tls, &t->nlisten_tls, t, c,
			      err, errlen)) < 0 ||
	    (rc = load_listen(g, "listen_dtls", t->listen_dtls, &t->nlisten_dtls, t, c,
			      err, errlen)) < 0)
		return rc;
	if ((rc = tp_conf_get_u32(g, "max_bps", 0, TP_CONF_MAX_BPS, &t->max_bps, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "max_bps_burst", 0, TP_CONF_MAX_BPS, &t->max_bps_burst, c,
				  err, errlen)) < 0)
		return rc;
	/* a burst must hold a datagram */
	if (t->max_bps_burst != 0 && t->max_bps_burst < 1500)
		FAIL(config_setting_get_member(g, "max_bps_burst"),
		     "turn.max_bps_burst %u must be 0 (a second of the limit) or at least "
		     "1500 bytes (a datagram)", t->max_bps_burst);
	/* a budget must let a connection have a window and some segments */
	if (t->tcp_alloc_bytes != 0 && t->tcp_alloc_bytes < 16384)
		FAIL(config_setting_get_member(g, "tcp_alloc_bytes"),
		     "turn.tcp_alloc_bytes %u must be 0 (no budget) or at least 16384",
		     t->tcp_alloc_bytes);
	if (t->tcp_alloc_mbufs != 0 && t->tcp_alloc_mbufs < 16)
		FAIL(config_setting_get_member(g, "tcp_alloc_mbufs"),
		     "turn.tcp_alloc_mbufs %u must be 0 (no budget) or at least 16",
		     t->tcp_alloc_mbufs);
	if ((rc = get_str(g, "realm", t->realm, sizeof(t->realm), true, c, err, errlen)) < 0 ||
	    (rc = get_str(g, "software", t->software, sizeof(t->software), false, c, err, errlen)) < 0)
		return rc;
	if (t->realm[0] == '\0')
		FAIL(g, "turn.realm is required");
	if ((rc = get_bool(g, "mobility", &t->mobility, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "channels");
	if (s != NULL) {
		const char *cv = config_setting_get_string(s);

		if (cv != NULL && strcmp(cv, "rfc8656") == 0)
			t->channel_max = 0x4FFF;
		else if (cv != NULL && strcmp(cv, "rfc5766") == 0)
			t->channel_max = 0x7FFE;
		else
			FAIL(s, "turn.channels must be \"rfc8656\" (0x4000-0x4FFF) or "
			     "\"rfc5766\" (0x4000-0x7FFE)");
	}
	t->enabled = true;
	return 0;
}

static int
load_prefixes(const config_setting_t *g, const char *name, char (*out)[64],
	      unsigned int *n, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAIL(s, "%s must be a list of prefixes", name);
	if (config_setting_length(s) > TP_CONF_MAX_PREFIXES)
		FAIL(s, "%s has more than %d prefixes", name, TP_CONF_MAX_PREFIXES);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *v = config_setting_get_string(e);
		uint8_t addr[16], plen;

		if (v == NULL || strlen(v) >= 64 || strchr(v, '/') == NULL ||
		    tp_conf_parse_prefix(v, addr, &plen) < 0)
			FAIL(e, "%s: '%s' is not a prefix like \"10.201.0.0/24\"", name,
			     v ? v : "?");
		snprintf(out[*n], 64, "%s", v);
		(*n)++;
	}
	return 0;
}

/* cp.metrics_allow: who may scrape cp.metrics. load_prefixes()'s checks
 * and two more, as a slip here either opens the endpoint or shuts it:
 * host bits set ("10.1.2.3/8": the network or the host?), and an empty
 * list (nobody; leaving the setting out means any source). */
static int
load_metrics_allow(const config_setting_t *g, struct tp_conf *c, char *err,
		   size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, "metrics_allow");
	struct tp_conf_cp *p = &c->cp;
	int rc;

	if (s == NULL)
		return 0;
	if ((rc = load_prefixes(g, "metrics_allow", p->metrics_allow, &p->nmetrics_allow,
				c, err, errlen)) < 0)
		return rc;
	if (p->nmetrics_allow == 0)
		FAIL(s, "cp.metrics_allow is empty: list the prefixes scrapers come "
		     "from, or leave it out (any source)");
	for (unsigned int i = 0; i < p->nmetrics_allow; i++) {
		uint8_t a[16], plen = 0;
		int f = tp_conf_parse_prefix(p->metrics_allow[i], a, &plen);

		for (unsigned int b = plen; b < (f == 4 ? 32u : 128u); b++)
			if (a[b / 8] & (0x80u >> (b % 8)))
				FAIL(config_setting_get_elem(s, i), "cp.metrics_allow: '%s' has "
				     "host bits set (a network has them zero, like "
				     "\"10.0.0.0/8\"; one host is \"10.0.0.7/32\")",
				     p->metrics_allow[i]);
	}
	return 0;
}

/* cp.api_group: a group name the system knows; its gid, and mode 0660
 * unless api_mode says otherwise. */
static int
load_group(const config_setting_t *g, const char *name, char *out, size_t outsz,
	   uint32_t *gid, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	struct group gr, *res = NULL;
	long size = sysconf(_SC_GETGR_R_SIZE_MAX);
	char *buf = NULL;
	int rc;

	if (s == NULL)
		return 0;
	if ((rc = get_str(g, name, out, outsz, true, c, err, errlen)) < 0)
		return rc;
	if (size <= 0)
		size = 16384;
	for (;;) {
		buf = malloc((size_t)size);
		if (buf == NULL)
			FAIL(s, "cp.%s '%s': out of memory", name, out);
		rc = getgrnam_r(out, &gr, buf, (size_t)size, &res);
		if (rc != ERANGE || size >= (1L << 20))
			break;
		free(buf);
		size *= 4;
	}
	if (res != NULL)
		*gid = (uint32_t)gr.gr_gid;
	free(buf);
	if (res == NULL && rc != 0)
		FAIL(s, "cp.%s '%s': cannot look it up: %s", name, out, strerror(rc));
	if (res == NULL)
		FAIL(s, "cp.%s '%s': no such group", name, out);
	return 1;
}

/* cp.api_group (the operators) and cp.agw_group (the AGW's controllers:
 * agw.* and events only): group names the system knows; their gids; mode
 * 0660 unless api_mode says otherwise. */
static int
load_api_group(const config_setting_t *g, struct tp_conf *c, char *err,
	       size_t errlen)
{
	struct tp_conf_cp *p = &c->cp;
	int rc;

	rc = load_group(g, "api_group", p->api_group, sizeof(p->api_group), &p->api_gid, c,
			err, errlen);
	if (rc < 0)
		return rc;
	p->has_api_group = rc > 0;
	rc = load_group(g, "agw_group", p->agw_group, sizeof(p->agw_group), &p->agw_gid, c,
			err, errlen);
	if (rc < 0)
		return rc;
	p->has_agw_group = rc > 0;
	if (p->has_agw_group && p->has_api_group && p->agw_gid == p->api_gid)
		FAIL(config_setting_get_member(g, "agw_group"), "cp.agw_group '%s' is "
		     "cp.api_group's group: the controllers would be operators", p->agw_group);
	if ((p->has_api_group || p->has_agw_group) &&
	    config_setting_get_member(g, "api_mode") == NULL)
		p->api_mode = 0660;
	return 0;
}

/* cp.user: a user name as useradd takes it (no ':', '/', space or control
 * character, not starting with '-'); whether the system has it is
 * tp_conf_resolve_user()'s question. */
static int
load_user(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, "user");
	struct tp_conf_cp *p = &c->cp;
	int rc;

	if (s == NULL)
		return 0;
	if ((rc = get_str(g, "user", p->user, sizeof(p->user), true, c, err, errlen)) < 0)
		return rc;
	if (p->user[0] == '-')
		FAIL(s, "cp.user '%s' is not a user name", p->user);
	for (const char *q = p->user; *q != '\0'; q++)
		if (*q == ':' || *q == '/' || (unsigned char)*q <= ' ' || *q == 0x7f)
			FAIL(s, "cp.user '%s' is not a user name", p->user);
	p->user_line = where(s);
	return 0;
}

/* The settings of the cp group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_cp[] = {
	"api_socket", "api_mode", "api_group", "lifetime_default", "lifetime_max",
	"permission_lifetime", "channel_lifetime", "nonce_lifetime",
	"quota_user", "quota_total", "users", "secrets", "peers", "user", "agw_group",
	"challenge_rate", "challenge_burst", "store", "store_busy_ms",
	"max_users", "metrics", "metrics_allow", "alternates", "log_level",
	"tls_ticket_rotate", NULL,
};

static int
load_cp(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_cp *p = &c->cp;
	const config_setting_t *s;
	int rc;

	if ((rc = tp_conf_check_names(g, "cp", tp_conf_names_cp, c, err, errlen)) < 0)
		return rc;
	if ((rc = get_str(g, "api_socket", p->api_socket, sizeof(p->api_socket), true,
			  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "api_mode", 0, 0777, &p->api_mode, c, err, errlen)) < 0 ||
	    (rc = load_api_group(g, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "lifetime_default", 1, 86400, &p->lifetime_default_s,
			   c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "lifetime_max", 1, 86400, &p->lifetime_max_s, c, err,
			   errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "permission_lifetime", 1, 3600, &p->perm_lifetime_s,
			   c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "channel_lifetime", 1, 3600, &p->chan_lifetime_s, c,
			   err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "nonce_lifetime", 1, 3600, &p->nonce_lifetime_s, c,
			   err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "tls_ticket_rotate", 1, 86400, &p->tls_ticket_rotate_s,
			   c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "quota_user", 0, 10000000, &p->quota_user, c, err,
			   errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "quota_total", 1, 10000000, &p->quota_total, c, err,
			   errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "challenge_rate", 1, 1000000, &p->challenge_rate, c,
			   err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "challenge_burst", 1, 1000000, &p->challenge_burst, c,
			   err, errlen)) < 0 ||
	    (rc = get_str(g, "store", p->store, sizeof(p->store), false, c, err,
			  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "store_busy_ms", 1, 10000, &p->store_busy_ms, c,
			   err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "max_users", 1, 10000000, &p->max_users, c,
			   err, errlen)) < 0 ||
	    (rc = get_str(g, "metrics", p->metrics, sizeof(p->metrics), false, c,
			  err, errlen)) < 0)
		return rc;
	if ((s = config_setting_get_member(g, "log_level")) != NULL) {
		const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ?
				config_setting_get_string(s) : "";

		p->log_level = 0;
#define TP_LOG_LEVEL(n, num, name) \
		if (strcmp(v, name) == 0) \
			p->log_level = num;
#include "tp_log_levels.def"
#undef TP_LOG_LEVEL
		if (p->log_level == 0)
			FAIL(s, "cp.log_level must be \"error\", \"warning\", \"notice\", "
			     "\"info\" or \"debug\"");
	}
	if (strcmp(p->store, "none") == 0)
		p->store[0] = '\0';
	else if (p->store[0] != '/') {
		s = config_setting_get_member(g, "store");
		FAIL(s, "cp.store must be an absolute path, or \"none\" (no user "
		     "store: users added at run time live in memory only)");
	}
	/* Unset: a tenth of the total, whatever the total became. */
	if (config_setting_get_member(g, "quota_user") == NULL)
		p->quota_user = TP_CONF_QUOTA_USER_DEF(p->quota_total);
	if (p->lifetime_default_s > p->lifetime_max_s)
		FAIL(g, "cp.lifetime_default %u exceeds cp.lifetime_max %u",
		     p->lifetime_default_s, p->lifetime_max_s);
	if ((rc = load_user(g, c, err, errlen)) < 0 ||
	    (rc = load_metrics_allow(g, c, err, errlen)) < 0)
		return rc;

	if ((rc = tp_conf_load_users(config_setting_get_member(g, "users"), p->users,
				     &p->nusers, TP_CONF_MAX_USERS, c, err, errlen)) < 0 ||
	    (rc = tp_conf_load_secrets(config_setting_get_member(g, "secrets"), p->secrets,
				       p->secret_algs, &p->nsecrets, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "alternates");
	if (s != NULL) {
		if (!config_setting_is_array(s) && !config_setting_is_list(s))
			FAIL(s, "alternates must be a list of \"ADDR:PORT\" strings");
		if (config_setting_length(s) > TP_CONF_MAX_ALTERNATES)
			FAIL(s, "more than %d alternates", TP_CONF_MAX_ALTERNATES);
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
			const char *v = config_setting_get_string(e);

			if (v == NULL || v[0] == '\0' || strlen(v) >= 64 || strchr(v, ':') == NULL)
				FAIL(e, "an alternate is \"192.0.2.7:3478\" or \"[2001:db8::7]:3478\"");
			snprintf(p->alternates[p->nalternates++], 64, "%s", v);
		}
	}
	s = config_setting_get_member(g, "peers");
	if (s != NULL && (rc = tp_conf_load_peers(s, "peers", &p->peers, &p->allow_relay_to_relay,
						  c, err, errlen)) < 0)
		return rc;
	return 0;
}

int
tp_conf_load_users(const config_setting_t *s, struct tp_conf_user *users, unsigned int *n,
		   unsigned int max, struct tp_conf *c, char *err, size_t errlen)
{
	int rc;

	if (s == NULL)
		return 0;
	if (!config_setting_is_list(s))
		FAIL(s, "users must be a list of { name = \"...\"; password = \"...\"; }");
	if ((unsigned int)config_setting_length(s) > max)
		FAIL(s, "more than %u users", max);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *u = config_setting_get_elem(s, (unsigned int)i);
		static const char *const unames[] = { "name", "password", "max_bps", NULL };
		struct tp_conf_user *cu = &users[*n];

		if (!config_setting_is_group(u))
			FAIL(u, "a user must be { name = \"...\"; password = \"...\"; }");
		if ((rc = tp_conf_check_names(u, "user", unames, c, err, errlen)) < 0 ||
		    (rc = get_str(u, "name", cu->name, sizeof(cu->name), true, c,
				  err, errlen)) < 0 ||
		    (rc = get_str(u, "password", cu->password, sizeof(cu->password),
				  true, c, err, errlen)) < 0)
			return rc;
		if (cu->name[0] == '\0' || cu->password[0] == '\0')
			FAIL(u, "a user needs a name and a password");
		cu->has_max_bps = config_setting_get_member(u, "max_bps") != NULL;
		if ((rc = tp_conf_get_u32(u, "max_bps", 0, TP_CONF_MAX_BPS, &cu->max_bps, c, err,
					  errlen)) < 0)
			return rc;
		for (unsigned int j = 0; j < *n; j++)
			if (strcmp(users[j].name, cu->name) == 0)
				FAIL(u, "user '%s' is defined twice", cu->name);
		cu->line = where(u);
		tp_conf_note_secret(u, c);
		(*n)++;
	}
	return 0;
}

/*
 * A secret is a string (its passwords HMAC-SHA1 ones, the draft's and
 * coturn's), or a group { secret = "..."; algorithm = "sha1"|"sha256"; }
 * (libconfig: only a ( ) list holds groups and strings together). The
 * same value twice is refused, whatever each one's algorithm: cp knows a
 * secret by its value.
 */
int
tp_conf_load_secrets(const config_setting_t *s, char (*secrets)[TP_CONF_STR_LEN],
		     uint8_t *algs, unsigned int *n, struct tp_conf *c, char *err,
		     size_t errlen)
{
	static const char *const snames[] = { "secret", "algorithm", NULL };
	int rc;

	if (s == NULL)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAIL(s, "secrets must be a list of strings or of { secret = \"...\"; "
		     "algorithm = \"sha256\"; }");
	if (config_setting_length(s) > TP_CONF_MAX_SECRETS)
		FAIL(s, "more than %d secrets", TP_CONF_MAX_SECRETS);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const config_setting_t *ve = e;
		const char *v, *an = "sha1";
		int alg;

		if (config_setting_is_group(e)) {
			const config_setting_t *a = config_setting_get_member(e, "algorithm");

			if ((rc = tp_conf_check_names(e, "secret", snames, c, err, errlen)) < 0)
				return rc;
			ve = config_setting_get_member(e, "secret");
			if (ve == NULL)
				FAIL(e, "a secret group needs secret = \"...\"");
			if (a != NULL && (an = config_setting_get_string(a)) == NULL)
				FAIL(a, "algorithm must be \"sha1\" or \"sha256\"");
		}
		v = config_setting_get_string(ve);
		if (v == NULL || v[0] == '\0' || strlen(v) >= TP_CONF_STR_LEN)
			FAIL(ve, "a secret must be a non-empty string under %d bytes",
			     TP_CONF_STR_LEN);
		alg = tp_rest_alg_parse(an);
		if (alg < 0)
			FAIL(e, "algorithm '%.32s' is neither \"sha1\" nor \"sha256\" (the "
			     "HMAC of the secret's TURN REST passwords)", an);
		for (unsigned int j = 0; j < *n; j++)
			if (strcmp(secrets[j], v) == 0)
				FAIL(ve, "secret %d is there twice", i + 1);
		/* conf/carrier.conf's placeholders: a box started with the
		 * example unedited would take credentials anyone can read */
		if (strcmp(v, "replace-with-a-long-random-secret") == 0 ||
		    strcmp(v, "change-me-too") == 0)
			FAIL(e, "secret '%s' is the example's placeholder, known to "
			     "everyone: put a long random one there (openssl rand "
			     "-base64 32)", v);
		tp_conf_note_secret(ve, c);
		algs[*n] = (uint8_t)alg;
		snprintf(secrets[(*n)++], TP_CONF_STR_LEN, "%s", v);
	}
	return 0;
}

int
tp_conf_load_peers(const config_setting_t *s, const char *what, struct tp_conf_peers *p,
		   bool *relay_to_relay, struct tp_conf *c, char *err, size_t errlen)
{
	static const char *const names[] = {
		"allow_loopback", "allow_private", "allow_link_local",
		"allow_multicast", "allow_relay_to_relay", "allow", "deny", NULL,
	};
	int rc;

	if (!config_setting_is_group(s))
		FAIL(s, "%s must be a group { allow = [...]; deny = [...]; ... }", what);
	/* (allow_relay_to_relay is TURN's: another group has no such name) */
	if ((rc = tp_conf_check_names(s, what, names, c, err, errlen)) < 0)
		return rc;
	if (relay_to_relay == NULL && config_setting_get_member(s, "allow_relay_to_relay"))
		FAIL(config_setting_get_member(s, "allow_relay_to_relay"),
		     "%s: allow_relay_to_relay is cp.peers' only (TURN's relayed addresses)",
		     what);
	if ((rc = get_bool(s, "allow_loopback", &p->allow_loopback, c, err, errlen)) < 0 ||
	    (rc = get_bool(s, "allow_private", &p->allow_private, c, err, errlen)) < 0 ||
	    (rc = get_bool(s, "allow_link_local", &p->allow_link_local, c, err, errlen)) < 0 ||
	    (rc = get_bool(s, "allow_multicast", &p->allow_multicast, c, err, errlen)) < 0 ||
	    (relay_to_relay != NULL &&
	     (rc = get_bool(s, "allow_relay_to_relay", relay_to_relay, c, err, errlen)) < 0) ||
	    (rc = load_prefixes(s, "allow", p->allow, &p->nallow, c, err, errlen)) < 0 ||
	    (rc = load_prefixes(s, "deny", p->deny, &p->ndeny, c, err, errlen)) < 0)
		return rc;
	return 0;
}

void
tp_conf_turn_defaults(struct tp_conf *c)
{
	c->turn.listen_port = 3478;
	c->turn.relay_min = 49152;
	c->turn.relay_max = 65535;
	/* RFC 8656 §12: 0x4000-0x4FFF ("rfc8656"); RFC 5766's range only
	 * when turn.channels says "rfc5766". */
	c->turn.channel_max = 0x4FFF;
	c->turn.admit_rate = 1000;
	c->turn.admit_burst = 4000;
	c->turn.listen_tcp[0] = 3478;
	c->turn.nlisten_tcp = 1;
	c->turn.tcp_first_message_s = 5;
	c->turn.tcp_per_source = 256;
	c->turn.tcp_source_prefix6 = 64;
	c->turn.tcp_allocate_timeout_s = 60;
	c->turn.tcp_keepalive = (struct tp_conf_keepalive){ 120, 30, 4 };
	c->turn.tcp_alloc_bytes = 512u * 1024u;
	c->turn.tcp_alloc_mbufs = 256;
	c->cp.allow_relay_to_relay = true;
	c->cp.challenge_rate = 500;
	c->cp.challenge_burst = 2000;
	snprintf(c->cp.store, sizeof(c->cp.store), "%s", TP_CONF_STORE_DEFAULT);
	c->cp.store_busy_ms = 200;
	c->cp.max_users = 10000;
	c->cp.log_level = 6;          /* info (tp_log_levels.def) */
	snprintf(c->turn.software, sizeof(c->turn.software), "turnpike %s", TP_VERSION);
	snprintf(c->cp.api_socket, sizeof(c->cp.api_socket), "/run/turnpike/cp.sock");
	c->cp.api_mode = 0600;
	c->cp.lifetime_default_s = 600;
	c->cp.lifetime_max_s = 3600;
	c->cp.perm_lifetime_s = 300;
	c->cp.chan_lifetime_s = 600;
	c->cp.nonce_lifetime_s = 600;
	c->cp.tls_ticket_rotate_s = 3600;
	c->cp.quota_total = 100000;
	c->cp.quota_user = TP_CONF_QUOTA_USER_DEF(c->cp.quota_total);
}

int
tp_conf_load_turn_cp(const config_t *cfg, struct tp_conf *c, char *err,
		     size_t errlen)
{
	const config_setting_t *root = config_root_setting(cfg);
	const config_setting_t *t = config_setting_get_member(root, "turn");
	const config_setting_t *p = config_setting_get_member(root, "cp");
	int rc;

	if (t != NULL) {
		if (!config_setting_is_group(t))
			FAIL(t, "turn must be a group");
		if ((rc = load_turn(t, c, err, errlen)) < 0)
			return rc;
	}
	if (p != NULL) {
		if (!config_setting_is_group(p))
			FAIL(p, "cp must be a group");
		/* (an AGW-only box: cp creates the gateway's contexts) */
		if (t == NULL && config_setting_get_member(root, "agw") == NULL)
			FAIL(p, "a cp group needs a turn group (realm, relayed ports) or an "
			     "agw group");
		if ((rc = load_cp(p, c, err, errlen)) < 0)
			return rc;
	}
	return 0;
}

int
tp_conf_resolve_user(struct tp_conf *c, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc;

	if (c->cp.user[0] == '\0')
		return 0;
	rc = getpwnam_r(c->cp.user, &pw, buf, sizeof(buf), &res);
	if (res == NULL) {
		if (rc != 0)
			snprintf(err, errlen, "%s:%d: cp.user '%s': cannot look it up: %s",
				 c->path, c->cp.user_line, c->cp.user, strerror(rc));
		else
			snprintf(err, errlen, "%s:%d: cp.user '%s': no such user on this "
				 "system (create it: useradd --system --no-create-home "
				 "--shell /usr/sbin/nologin %s)", c->path, c->cp.user_line,
				 c->cp.user, c->cp.user);
		return rc != 0 ? -rc : -ENOENT;
	}
	c->cp.user_uid = (uint32_t)pw.pw_uid;
	c->cp.user_gid = (uint32_t)pw.pw_gid;
	return 0;
}

/*
 * The bandwidth limit of an allocation of user (len bytes) in tenant
 * (lib/conf's index, 0 the default): the user's own (cp.users or the
 * tenant's users, max_bps), else its tenant's (a named tenant's max_bps),
 * else turn.max_bps. Bytes a second each way, 0: none; *burst the bytes
 * at once (turn.max_bps_burst, 0 there: a second of the limit; never under
 * 10 ms of it, so that a loop of dp's that takes a millisecond or more
 * does not cap the rate below the limit).
 */
uint32_t
tp_conf_max_bps(const struct tp_conf *c, unsigned int tenant, const char *user, size_t len,
		uint32_t *burst)
{
	const struct tp_conf_user *u = c->cp.users;
	unsigned int n = c->cp.nusers;
	uint32_t rate = c->turn.max_bps, b;

	if (tenant > 0 && tenant <= c->tenants.n) {
		const struct tp_conf_tenant *t = &c->tenants.t[tenant - 1];

		u = t->users;
		n = t->nusers;
		if (t->has_max_bps)
			rate = t->max_bps;
	}
	for (unsigned int i = 0; user != NULL && i < n; i++)
		if (u[i].has_max_bps && strlen(u[i].name) == len &&
		    memcmp(u[i].name, user, len) == 0) {
			rate = u[i].max_bps;
			break;
		}
	b = c->turn.max_bps_burst != 0 ? c->turn.max_bps_burst : rate;
	if (b < rate / 100u)
		b = rate / 100u;
	*burst = rate != 0 ? b : 0;
	return rate;
}
