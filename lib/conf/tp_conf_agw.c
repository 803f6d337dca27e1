/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "agw" group of the configuration file: the IMS access gateway's
 * contexts (dp/agw, dp/splice; 3GPP TS 29.334 end-to-access-edge
 * security). What dp and cp must share (the server terminations' port
 * range, which both cut into worker shares; whether sha-1 fingerprints
 * alone may trust a peer, which cp checks at create and dp at the
 * handshake) and what dp alone needs (contexts per worker, the hold
 * bound, the setup time, extra certificates). Same rules as the other
 * groups: "file:line: why", unknown settings refused.
 *
 *   agw = {
 *     ports = [20000, 29999];      # server terminations' local ports
 *     max_contexts = 1024;         # per worker
 *     setup_timeout = 30;          # s, both legs up by then (0: no limit)
 *     hold = 65536;                # bytes of a leg held while the other is not up
 *     keepalive = { idle = 120; interval = 30; count = 4; };
 *                                  # s, TCP keepalive on both legs (idle 0: none)
 *     allow_sha1 = false;          # sha-1 fingerprints alone trust a peer
 *     certificates = ( { name = "msrp"; certificate = "..."; private_key = "..."; } );
 *     peers = { allow = [...]; deny = [...]; allow_private = true; ... };
 *                                  # what a leg's remote may be (as cp.peers)
 *     quota = { api = 2000; iq = 6000; ng = 6000; default_tenant = 4000; emergency = 64; };
 *                                  # live contexts a door, the default tenant
 *                                  # may hold (0: no limit; cp's, live)
 *     media_ports = [30000, 39999];  # UDP ports of RTP terminations (none: no RTP)
 *     media_contexts = 4096;       # RTP contexts per worker
 *     media_relatch = 2000;        # ms of silence before another source latches
 *     ice_consent_ms = 30000;      # ms after an ICE peer's last valid check
 *                                  # that media to it stop (RFC 7675)
 *     dtls = { certificate = "..."; private_key = "..."; handshakes = 256;
 *              handshake_timeout = 20; };
 *                                  # DTLS-SRTP: our certificate (none: an
 *                                  # ECDSA P-256 one made at start), SSLs a
 *                                  # worker holds at once, s a handshake takes
 *   };
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

/* dp's active opens take source ports here (dp/dp_tcp.h DP_TCP_EPH_*):
 * their replies are steered by the 4-tuple, a server port by its share. */
#define AGW_EPH_LO 49152u

void
tp_conf_agw_defaults(struct tp_conf *c)
{
	struct tp_conf_agw *a = &c->agw;

	a->port_min = 20000;
	a->port_max = 29999;
	a->max_contexts = 1024;
	a->setup_timeout_s = 30;
	a->keepalive = (struct tp_conf_keepalive){ 120, 30, 4 };
	a->hold_bytes = 65536;
	/* an IMS core's hosts are usually private */
	a->peers.allow_private = true;
	a->allow_sha1 = false;
	a->media_min = 0;
	a->media_max = 0;
	a->media_contexts = 4096;
	a->media_relatch_ms = 2000;
	a->ice_consent_ms = 30000;
	a->quota.emergency = 64;
	a->dtls.handshakes = TP_CONF_DTLS_HANDSHAKES;
	a->dtls.handshake_timeout_s = TP_CONF_DTLS_HS_TIMEOUT_S;
	a->dtls.lifetime_s = TP_CONF_DTLS_LIFETIME_S;
}

/* A TCP port something else listens on, inside [lo, hi]: its name. */
static const char *
port_taken(const struct tp_conf *c, uint16_t lo, uint16_t hi, unsigned int *port)
{
	for (unsigned int i = 0; i < c->turn.nlisten_tcp; i++)
		if (c->turn.enabled && c->turn.listen_tcp[i] >= lo && c->turn.listen_tcp[i] <= hi) {
			*port = c->turn.listen_tcp[i];
			return "turn.listen_tcp";
		}
	for (unsigned int i = 0; i < c->turn.nlisten_tls; i++)
		if (c->turn.enabled && c->turn.listen_tls[i] >= lo && c->turn.listen_tls[i] <= hi) {
			*port = c->turn.listen_tls[i];
			return "turn.listen_tls";
		}
	if (c->dp.diag_tcp_echo_port >= lo && c->dp.diag_tcp_echo_port <= hi &&
	    c->dp.diag_tcp_echo_port != 0) {
		*port = c->dp.diag_tcp_echo_port;
		return "dp.diag_tcp_echo_port";
	}
	return NULL;
}

static int
load_certs(const config_setting_t *g, struct tp_conf_agw *a, struct tp_conf *c,
	   char *err, size_t errlen)
{
	static const char *const names[] = { "name", "certificate", "private_key", NULL };
	const config_setting_t *s = config_setting_get_member(g, "certificates");
	int rc;

	if (s == NULL)
		return 0;
	if (!config_setting_is_list(s))
		FAIL(s, "agw.certificates must be a list ( { name = \"msrp\"; certificate = "
		     "\"...\"; private_key = \"...\"; }, ... )");
	if (config_setting_length(s) > TP_CONF_MAX_AGW_CERTS)
		FAIL(s, "agw.certificates has more than %d entries", TP_CONF_MAX_AGW_CERTS);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const config_setting_t *n;
		struct tp_conf_tls_cert *t = &a->certs[a->ncerts];
		const char *v;

		if (!config_setting_is_group(e))
			FAIL(e, "agw.certificates: entry %d must be { name = ...; certificate "
			     "= ...; private_key = ...; }", i + 1);
		if ((rc = tp_conf_check_names(e, "agw.certificates", names, c, err, errlen)) < 0)
			return rc;
		n = config_setting_get_member(e, "name");
		if (n == NULL || config_setting_type(n) != CONFIG_TYPE_STRING)
			FAIL(e, "agw.certificates: entry %d needs a name (a string: what "
			     "turnpikectl agw create --a cert=NAME says)", i + 1);
		v = config_setting_get_string(n);
		if (v[0] == '\0' || strlen(v) >= sizeof(t->name) || strcmp(v, "default") == 0)
			FAIL(n, "agw.certificates: name '%s' is empty, too long or 'default' "
			     "(the tls group's)", v);
		for (const char *q = v; *q != '\0'; q++)
			if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			      (*q >= '0' && *q <= '9') || *q == '-' || *q == '_' || *q == '.'))
				FAIL(n, "agw.certificates: name '%s': letters, digits, '-', '_' "
				     "and '.' only", v);
		for (unsigned int j = 0; j < a->ncerts; j++)
			if (strcmp(a->certs[j].name, v) == 0)
				FAIL(n, "agw.certificates: '%s' is listed twice", v);
		snprintf(t->name, sizeof(t->name), "%s", v);
		if ((rc = tp_conf_load_cert(e, "agw.certificates", t, c, err, errlen)) < 0)
			return rc;
		t->line = where(e);
		a->ncerts++;
	}
	return 0;
}

/* agw.quota: live contexts a door and the default tenant may hold. */
static int
load_quota(const config_setting_t *g, struct tp_conf_agw *a, struct tp_conf *c, char *err,
	   size_t errlen)
{
	static const char *const names[] = {
		"api", "iq", "ng", "default_tenant", "emergency", NULL,
	};
	const config_setting_t *s = config_setting_get_member(g, "quota");
	int rc;

	if (s == NULL)
		return 0;
	if (!config_setting_is_group(s))
		FAIL(s, "agw.quota must be a group { api = N; iq = N; ng = N; default_tenant = N; "
		     "emergency = N; } (live contexts; 0 or absent: no limit; emergency: past "
		     "them, 64 when absent)");
	if ((rc = tp_conf_check_names(s, "agw.quota", names, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "api", 0, 1u << 28, &a->quota.api, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "iq", 0, 1u << 28, &a->quota.iq, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "ng", 0, 1u << 28, &a->quota.ng, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "default_tenant", 0, 1u << 28, &a->quota.default_tenant, c,
				  err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "emergency", 0, 1u << 20, &a->quota.emergency, c, err,
				  errlen)) < 0)
		return rc;
	return 0;
}

/* agw.dtls: DTLS-SRTP's certificate (both files, or neither: dp makes
 * one, and renews it: lifetime), its pool and its handshakes' time. */
static int
load_dtls(const config_setting_t *g, struct tp_conf_agw *a, struct tp_conf *c, char *err,
	  size_t errlen)
{
	static const char *const names[] = {
		"certificate", "private_key", "handshakes", "handshake_timeout", "lifetime", NULL,
	};
	const config_setting_t *s = config_setting_get_member(g, "dtls");
	int rc;

	if (s == NULL)
		return 0;
	a->dtls.line = where(s);
	if (!config_setting_is_group(s))
		FAIL(s, "agw.dtls must be a group { certificate = \"...\"; private_key = \"...\"; "
		     "handshakes = N; handshake_timeout = S; lifetime = S; } (no files: a "
		     "certificate of dp's own, ECDSA P-256, valid lifetime seconds and renewed "
		     "with a third of them left)");
	if ((rc = tp_conf_check_names(s, "agw.dtls", names, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "handshakes", 1, 65536, &a->dtls.handshakes, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "handshake_timeout", 1, 300, &a->dtls.handshake_timeout_s,
				  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "lifetime", TP_CONF_DTLS_LIFETIME_MIN_S,
				  TP_CONF_DTLS_LIFETIME_MAX_S, &a->dtls.lifetime_s, c, err,
				  errlen)) < 0)
		return rc;
	if ((config_setting_get_member(s, "certificate") != NULL ||
	     config_setting_get_member(s, "private_key") != NULL) &&
	    (rc = tp_conf_load_cert(s, "agw.dtls", &a->dtls.cert, c, err, errlen)) < 0)
		return rc;
	return 0;
}

/* The settings of the agw group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_agw[] = {
	"ports", "max_contexts", "setup_timeout", "hold", "allow_sha1", "certificates",
	"peers", "keepalive", "quota", "media_ports", "media_contexts", "media_relatch",
	"ice_consent_ms", "dtls", NULL,
};

/* [first, last] of setting name in g into *lo, *hi (left alone when
 * absent: *line then g's), within 1024..65535. */
static int
get_port_range(const config_setting_t *g, const char *name, uint16_t *lo, uint16_t *hi,
	       const config_setting_t **at, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	long long l, h;

	*at = g;
	if (s == NULL)
		return 0;
	*at = s;
	if (!config_setting_is_array(s) || config_setting_length(s) != 2 ||
	    config_setting_type(config_setting_get_elem(s, 0)) != CONFIG_TYPE_INT ||
	    config_setting_type(config_setting_get_elem(s, 1)) != CONFIG_TYPE_INT)
		FAIL(s, "agw.%s must be [first, last]", name);
	l = config_setting_get_int_elem(s, 0);
	h = config_setting_get_int_elem(s, 1);
	if (l < 1024 || h > 65535 || l > h)
		FAIL(s, "agw.%s [%lld, %lld] must lie in 1024..65535, first <= last", name, l, h);
	*lo = (uint16_t)l;
	*hi = (uint16_t)h;
	return 0;
}

/*
 * The RTP terminations' UDP ports (dp/rtp): apart from every other UDP
 * listener of dp's (TURN's port and relayed ports, the diagnostic echo)
 * and from agw.ports, so that cp's choice and an operator's firewall rules
 * each have one range for one purpose.
 */
static int
load_media(const config_setting_t *g, struct tp_conf_agw *a, struct tp_conf *c, char *err,
	   size_t errlen)
{
	const config_setting_t *s;
	int rc;

	if ((rc = get_port_range(g, "media_ports", &a->media_min, &a->media_max, &s, c, err,
				 errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "media_contexts", 1, 1u << 22, &a->media_contexts, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "media_relatch", 0, 3600000, &a->media_relatch_ms, c, err,
				  errlen)) < 0 ||
	    /* (RFC 7675's 30 s; a floor so that a check's retransmissions,
	     * 500 ms apart, keep a consent alive) */
	    (rc = tp_conf_get_u32(g, "ice_consent_ms", TP_CONF_ICE_CONSENT_MIN_MS, 3600000,
				  &a->ice_consent_ms, c, err, errlen)) < 0)
		return rc;
	a->media_line = where(s);
	if (a->media_min == 0)
		return 0;
	if (c->turn.enabled && a->media_min <= c->turn.relay_max &&
	    a->media_max >= c->turn.relay_min)
		FAIL(s, "agw.media_ports [%u, %u] overlaps turn.relay_ports [%u, %u]",
		     a->media_min, a->media_max, c->turn.relay_min, c->turn.relay_max);
	if (c->turn.enabled && c->turn.listen_port >= a->media_min &&
	    c->turn.listen_port <= a->media_max)
		FAIL(s, "agw.media_ports [%u, %u] holds turn.listen_port %u", a->media_min,
		     a->media_max, c->turn.listen_port);
	if (c->dp.diag_echo_port != 0 && c->dp.diag_echo_port >= a->media_min &&
	    c->dp.diag_echo_port <= a->media_max)
		FAIL(s, "agw.media_ports [%u, %u] holds dp.diag_echo_port %u", a->media_min,
		     a->media_max, c->dp.diag_echo_port);
	if (a->media_min <= a->port_max && a->media_max >= a->port_min)
		FAIL(s, "agw.media_ports [%u, %u] overlaps agw.ports [%u, %u]", a->media_min,
		     a->media_max, a->port_min, a->port_max);
	return 0;
}

static int
load_agw(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_agw *a = &c->agw;
	const config_setting_t *s;
	const char *what;
	unsigned int port;
	int rc;

	a->line = where(g);
	if ((rc = tp_conf_check_names(g, "agw", tp_conf_names_agw, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "max_contexts", 1, 1u << 20, &a->max_contexts, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "setup_timeout", 0, 86400, &a->setup_timeout_s, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "hold", 4096, 16u << 20, &a->hold_bytes, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_keepalive(g, "keepalive", "agw.keepalive", &a->keepalive, c, err,
					errlen)) < 0 ||
	    (rc = load_certs(g, a, c, err, errlen)) < 0 ||
	    (rc = load_quota(g, a, c, err, errlen)) < 0 ||
	    (rc = load_dtls(g, a, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "peers");
	if (s != NULL && (rc = tp_conf_load_peers(s, "agw.peers", &a->peers, NULL, c, err,
						  errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "allow_sha1");
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			FAIL(s, "agw.allow_sha1 must be true or false");
		a->allow_sha1 = config_setting_get_bool(s) != 0;
	}
	s = config_setting_get_member(g, "ports");
	if (s != NULL) {
		long long lo, hi;

		if (!config_setting_is_array(s) || config_setting_length(s) != 2 ||
		    config_setting_type(config_setting_get_elem(s, 0)) != CONFIG_TYPE_INT ||
		    config_setting_type(config_setting_get_elem(s, 1)) != CONFIG_TYPE_INT)
			FAIL(s, "agw.ports must be [first, last]");
		lo = config_setting_get_int_elem(s, 0);
		hi = config_setting_get_int_elem(s, 1);
		if (lo < 1024 || hi > 65535 || lo > hi)
			FAIL(s, "agw.ports [%lld, %lld] must lie in 1024..65535, first <= last",
			     lo, hi);
		a->port_min = (uint16_t)lo;
		a->port_max = (uint16_t)hi;
	} else {
		s = g;
	}
	if (a->port_max >= AGW_EPH_LO)
		FAIL(s, "agw.ports [%u, %u] reaches into 49152-65535, where dp's active "
		     "opens (AGW client legs) take their source ports", a->port_min,
		     a->port_max);
	if (c->turn.enabled && a->port_min <= c->turn.relay_max &&
	    a->port_max >= c->turn.relay_min)
		FAIL(s, "agw.ports [%u, %u] overlaps turn.relay_ports [%u, %u]", a->port_min,
		     a->port_max, c->turn.relay_min, c->turn.relay_max);
	what = port_taken(c, a->port_min, a->port_max, &port);
	if (what != NULL)
		FAIL(s, "agw.ports [%u, %u] holds TCP port %u of %s", a->port_min,
		     a->port_max, port, what);
	if ((uint64_t)a->max_contexts * 2u > c->dp.tcp_max_conns)
		FAIL(g, "agw.max_contexts %u needs %u TCP connections per worker, more than "
		     "dp.tcp_max_conns (%u)", a->max_contexts, a->max_contexts * 2u,
		     c->dp.tcp_max_conns);
	if (a->ncerts > 0 && !c->tls.enabled)
		FAIL(g, "agw.certificates needs the tls group (TLS settings for the legs)");
	if ((rc = load_media(g, a, c, err, errlen)) < 0)
		return rc;
	a->enabled = true;
	return 0;
}

int
tp_conf_load_agw(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *g = config_setting_get_member(config_root_setting(cfg), "agw");

	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		FAIL(g, "agw must be a group { ports = [20000, 29999]; ... }");
	return load_agw(g, c, err, errlen);
}
