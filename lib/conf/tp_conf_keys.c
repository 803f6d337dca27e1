/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table of every setting and its reload class (tp_conf_keys.h), with
 * the comparisons of the settings that are more than one field, and the
 * walk that says which of those needing a restart changed. A group's
 * nested settings (a port's, impair's, a keepalive's, tls.sni's, a user's,
 * a peers group's) are their parent setting's: one class for the whole.
 */
#include <stdio.h>
#include <string.h>

#include "tp_conf_internal.h"
#include "tp_conf_keys.h"

/* Where a line number is kept beside a setting (for messages), it is no
 * setting: a group that only moved in the file must not read as changed.
 * Both files were zeroed before they were read (tp_conf_load()), so the
 * bytes between fields compare equal. */
static bool
dp_same(const struct tp_conf *a, const struct tp_conf *b)
{
	const struct tp_conf_dp *x = &a->dp, *y = &b->dp;

	if (x->eal_argc != y->eal_argc)
		return false;
	for (int i = 0; i < x->eal_argc; i++)
		if (strcmp(x->eal_argv[i], y->eal_argv[i]) != 0)
			return false;
	if (memcmp(&x->nworkers, &y->nworkers,
		   offsetof(struct tp_conf_dp, ports) - offsetof(struct tp_conf_dp, nworkers)) != 0)
		return false;
	for (unsigned int i = 0; i < TP_CONF_MAX_PORTS; i++)
		if (memcmp(&x->ports[i], &y->ports[i], offsetof(struct tp_conf_port, line)) != 0)
			return false;
	return true;
}

static bool
cluster_same(const struct tp_conf *a, const struct tp_conf *b)
{
	struct tp_conf_cluster x = a->cluster, y = b->cluster;

	x.line = y.line = 0;
	x.password_file_line = y.password_file_line = 0;
	x.sentinel_password_file_line = y.sentinel_password_file_line = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

static bool
ha_same(const struct tp_conf *a, const struct tp_conf *b)
{
	struct tp_conf_ha x = a->ha, y = b->ha;

	x.line = y.line = 0;
	x.key_file_line = y.key_file_line = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

static bool
li_same(const struct tp_conf *a, const struct tp_conf *b)
{
	const struct tp_conf_li *x = &a->li, *y = &b->li;

	return strcmp(x->ne_id, y->ne_id) == 0 && strcmp(x->store, y->store) == 0 &&
	       memcmp(&x->x1, &y->x1, sizeof(x->x1)) == 0;
}

static bool
li_x2x3_same(const struct tp_conf *a, const struct tp_conf *b)
{
	return memcmp(&a->li.x2x3, &b->li.x2x3, sizeof(a->li.x2x3)) == 0;
}

static bool
oauth_same(const struct tp_conf *a, const struct tp_conf *b)
{
	struct tp_conf_oauth x = a->oauth, y = b->oauth;

	x.line = y.line = 0;
	for (unsigned int i = 0; i < TP_CONF_OAUTH_KEYS; i++)
		x.keys[i].line = y.keys[i].line = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

static bool
ports_same(const uint16_t *x, unsigned int nx, const uint16_t *y, unsigned int ny)
{
	return nx == ny && memcmp(x, y, sizeof(x[0]) * nx) == 0;
}

static bool
listen_tcp_same(const struct tp_conf *a, const struct tp_conf *b)
{
	return ports_same(a->turn.listen_tcp, a->turn.nlisten_tcp, b->turn.listen_tcp,
			  b->turn.nlisten_tcp);
}

static bool
listen_tls_same(const struct tp_conf *a, const struct tp_conf *b)
{
	return ports_same(a->turn.listen_tls, a->turn.nlisten_tls, b->turn.listen_tls,
			  b->turn.nlisten_tls);
}

static bool
listen_dtls_same(const struct tp_conf *a, const struct tp_conf *b)
{
	return ports_same(a->turn.listen_dtls, a->turn.nlisten_dtls, b->turn.listen_dtls,
			  b->turn.nlisten_dtls);
}

static bool
tls_offload_same(const struct tp_conf *a, const struct tp_conf *b)
{
	const struct tp_conf_tls *x = &a->tls, *y = &b->tls;

	return x->offload == y->offload && x->offload_poll_external == y->offload_poll_external &&
	       x->offload_jobs == y->offload_jobs &&
	       strcmp(x->offload_provider, y->offload_provider) == 0 &&
	       strcmp(x->offload_properties, y->offload_properties) == 0 &&
	       strcmp(x->offload_engine, y->offload_engine) == 0;
}

static bool
agw_certs_same(const struct tp_conf *a, const struct tp_conf *b)
{
	if (a->agw.ncerts != b->agw.ncerts)
		return false;
	for (unsigned int i = 0; i < a->agw.ncerts; i++) {
		const struct tp_conf_tls_cert *x = &a->agw.certs[i], *y = &b->agw.certs[i];

		if (strcmp(x->name, y->name) != 0 || strcmp(x->certificate, y->certificate) != 0 ||
		    strcmp(x->private_key, y->private_key) != 0)
			return false;
	}
	return true;
}

static bool
iq_mgc_same(const struct tp_conf *a, const struct tp_conf *b)
{
	return a->iq.nmgc == b->iq.nmgc &&
	       memcmp(a->iq.mgc, b->iq.mgc, sizeof(a->iq.mgc[0]) * a->iq.nmgc) == 0;
}

static bool
iq_send_from_same(const struct tp_conf *a, const struct tp_conf *b)
{
	return a->iq.nsend_from == b->iq.nsend_from &&
	       memcmp(a->iq.send_from, b->iq.send_from,
		      sizeof(a->iq.send_from[0]) * a->iq.nsend_from) == 0;
}

static bool
iq_auth_same(const struct tp_conf *a, const struct tp_conf *b)
{
	if (a->iq.nauth != b->iq.nauth)
		return false;
	for (unsigned int i = 0; i < a->iq.nauth; i++) {
		const struct tp_conf_iq_auth *x = &a->iq.auth[i], *y = &b->iq.auth[i];

		if (x->mgc != y->mgc || x->spi != y->spi || x->alg != y->alg ||
		    x->anti_replay != y->anti_replay || x->keylen != y->keylen ||
		    memcmp(x->key, y->key, x->keylen) != 0 || strcmp(x->key_file, y->key_file) != 0)
			return false;
	}
	return true;
}

static bool
ng_allow_same(const struct tp_conf *a, const struct tp_conf *b)
{
	return a->ng.nallow == b->ng.nallow &&
	       memcmp(a->ng.allow, b->ng.allow, sizeof(a->ng.allow[0]) * a->ng.nallow) == 0;
}

static bool
ng_access_same(const struct tp_conf *a, const struct tp_conf *b)
{
	return a->ng.naccess == b->ng.naccess &&
	       memcmp(a->ng.access, b->ng.access, sizeof(a->ng.access[0]) * a->ng.naccess) == 0;
}

static bool
ng_core_same(const struct tp_conf *a, const struct tp_conf *b)
{
	return a->ng.ncore == b->ng.ncore &&
	       memcmp(a->ng.core, b->ng.core, sizeof(a->ng.core[0]) * a->ng.ncore) == 0;
}

static bool
ng_pass_same(const struct tp_conf *a, const struct tp_conf *b)
{
	return a->ng.npass == b->ng.npass &&
	       memcmp(a->ng.pass_through, b->ng.pass_through,
		      sizeof(a->ng.pass_through[0]) * a->ng.npass) == 0;
}

bool
tp_conf_tenants_same(const struct tp_conf *a, const struct tp_conf *b)
{
	if (a->tenants.n != b->tenants.n)
		return false;
	for (unsigned int i = 0; i < a->tenants.n; i++) {
		const struct tp_conf_tenant *x = &a->tenants.t[i], *y = &b->tenants.t[i];

		if (strcmp(x->name, y->name) != 0 || strcmp(x->realm, y->realm) != 0 ||
		    x->naddrs != y->naddrs ||
		    memcmp(x->addrs, y->addrs, sizeof(x->addrs[0]) * x->naddrs) != 0 ||
		    x->relay4_mask != y->relay4_mask || x->relay6_mask != y->relay6_mask)
			return false;
	}
	return true;
}

#define FIELD(f) .off = offsetof(struct tp_conf, f), .size = sizeof(((struct tp_conf *)0)->f)
/* A setting that needs a restart: compared as a number, a string, bytes,
 * by a function; read into another's field */
#define NUM(g, n, r, lbl, f) { .group = g, .name = n, .reload = r, .label = lbl, \
			       .cmp = TP_CONF_CMP_NUM, FIELD(f) }
#define STR(g, n, r, lbl, f) { .group = g, .name = n, .reload = r, .label = lbl, \
			       .cmp = TP_CONF_CMP_STR, FIELD(f) }
#define MEM(g, n, r, lbl, f) { .group = g, .name = n, .reload = r, .label = lbl, \
			       .cmp = TP_CONF_CMP_MEM, FIELD(f) }
#define FN(g, n, r, lbl, fn) { .group = g, .name = n, .reload = r, .label = lbl, \
			       .cmp = TP_CONF_CMP_FN, .same = fn }
#define AS(g, n, r, other) { .group = g, .name = n, .reload = r, .label = other, \
			     .cmp = TP_CONF_CMP_AS, .as = other }
/* A setting a reload applies, and which part of it does */
#define LIVE(g, n, by) { .group = g, .name = n, .reload = TP_CONF_LIVE, .label = g "." n, \
			 .note = by }

#define CP   TP_CONF_RESTART_CP
#define DP   TP_CONF_RESTART_DP
#define BOTH TP_CONF_RESTART_BOTH

/* In each group the row of the group itself ("") comes first. */
const struct tp_conf_key tp_conf_keys[] = {
	/* dp: dp reads them at start, all of them one group to a reload */
	FN("dp", "eal", DP, "the dp group", dp_same),
	FN("dp", "workers", DP, "the dp group", dp_same),
	FN("dp", "idle_sleep_max_us", DP, "the dp group", dp_same),
	FN("dp", "mbufs_per_worker", DP, "the dp group", dp_same),
	FN("dp", "neigh_reachable_s", DP, "the dp group", dp_same),
	FN("dp", "neigh_retry_ms", DP, "the dp group", dp_same),
	FN("dp", "neigh_queue_max", DP, "the dp group", dp_same),
	FN("dp", "icmp_rate_per_s", DP, "the dp group", dp_same),
	FN("dp", "diag_echo_port", DP, "the dp group", dp_same),
	FN("dp", "diag_tcp_echo_port", DP, "the dp group", dp_same),
	FN("dp", "diag_tcp_connect", DP, "the dp group", dp_same),
	FN("dp", "tcp_max_conns", DP, "the dp group", dp_same),
	FN("dp", "tcp_held_max", DP, "the dp group", dp_same),
	FN("dp", "tcp_reserve", DP, "the dp group", dp_same),
	FN("dp", "ports", DP, "the dp group", dp_same),
	FN("dp", "tcp_invalid_ratelimit_ms", DP, "the dp group", dp_same),
	FN("dp", "tcp_challenge_acks", DP, "the dp group", dp_same),
	FN("dp", "tcp_user_timeout", DP, "the dp group", dp_same),
	FN("dp", "tcp_orphan_timeout", DP, "the dp group", dp_same),

	STR("ipc", "name", BOTH, "ipc.name", ipc.name),
	NUM("ipc", "cp_grace", DP, "ipc.cp_grace", ipc.cp_grace_s),

	NUM("turn", "", BOTH, "the turn group", turn.enabled),
	NUM("turn", "listen_port", DP, "turn.listen_port", turn.listen_port),
	NUM("turn", "relay_ports", BOTH, "turn.relay_ports (first)", turn.relay_min),
	NUM("turn", "relay_ports", BOTH, "turn.relay_ports (last)", turn.relay_max),
	STR("turn", "realm", BOTH, "turn.realm", turn.realm),
	STR("turn", "software", BOTH, "turn.software", turn.software),
	AS("turn", "ipc", BOTH, "ipc.name"),
	NUM("turn", "channels", CP, "turn.channels", turn.channel_max),
	NUM("turn", "mobility", CP, "turn.mobility", turn.mobility),
	AS("turn", "cp_grace", DP, "ipc.cp_grace"),
	NUM("turn", "admit_rate", DP, "turn.admit_rate", turn.admit_rate),
	NUM("turn", "admit_burst", DP, "turn.admit_burst", turn.admit_burst),
	FN("turn", "listen_tcp", DP, "turn.listen_tcp", listen_tcp_same),
	NUM("turn", "tcp_first_message", DP, "turn.tcp_first_message",
	    turn.tcp_first_message_s),
	NUM("turn", "tcp_per_source", DP, "turn.tcp_per_source", turn.tcp_per_source),
	/* (cp too: a record's transport is "tls" on these ports) */
	FN("turn", "listen_tls", BOTH, "turn.listen_tls", listen_tls_same),
	FN("turn", "listen_dtls", DP, "turn.listen_dtls", listen_dtls_same),
	NUM("turn", "tcp_alloc_bytes", DP, "turn.tcp_alloc_bytes", turn.tcp_alloc_bytes),
	NUM("turn", "tcp_alloc_mbufs", DP, "turn.tcp_alloc_mbufs", turn.tcp_alloc_mbufs),
	NUM("turn", "tcp_source_prefix6", DP, "turn.tcp_source_prefix6",
	    turn.tcp_source_prefix6),
	NUM("turn", "tcp_allocate_timeout", DP, "turn.tcp_allocate_timeout",
	    turn.tcp_allocate_timeout_s),
	NUM("turn", "tcp_keepalive", DP, "turn.tcp_keepalive.idle", turn.tcp_keepalive.idle_s),
	NUM("turn", "tcp_keepalive", DP, "turn.tcp_keepalive.interval",
	    turn.tcp_keepalive.interval_s),
	NUM("turn", "tcp_keepalive", DP, "turn.tcp_keepalive.count", turn.tcp_keepalive.count),
	/* (new allocations get it; existing ones keep theirs) */
	LIVE("turn", "max_bps", "cp/alloc"),
	LIVE("turn", "max_bps_burst", "cp/alloc"),

	STR("cp", "api_socket", CP, "cp.api_socket", cp.api_socket),
	NUM("cp", "api_mode", CP, "cp.api_mode", cp.api_mode),
	STR("cp", "api_group", CP, "cp.api_group", cp.api_group),
	LIVE("cp", "lifetime_default", "cp/alloc"),
	LIVE("cp", "lifetime_max", "cp/alloc"),
	LIVE("cp", "permission_lifetime", "cp/alloc"),
	LIVE("cp", "channel_lifetime", "cp/alloc"),
	NUM("cp", "nonce_lifetime", CP, "cp.nonce_lifetime", cp.nonce_lifetime_s),
	LIVE("cp", "quota_user", "cp/alloc"),
	NUM("cp", "quota_total", BOTH, "cp.quota_total", cp.quota_total),
	LIVE("cp", "users", "cp/auth"),
	LIVE("cp", "secrets", "cp/auth"),
	LIVE("cp", "peers", "cp/policy"),
	STR("cp", "user", CP, "cp.user", cp.user),
	STR("cp", "agw_group", CP, "cp.agw_group", cp.agw_group),
	NUM("cp", "challenge_rate", CP, "cp.challenge_rate", cp.challenge_rate),
	NUM("cp", "challenge_burst", CP, "cp.challenge_burst", cp.challenge_burst),
	STR("cp", "store", CP, "cp.store", cp.store),
	NUM("cp", "store_busy_ms", CP, "cp.store_busy_ms", cp.store_busy_ms),
	NUM("cp", "max_users", CP, "cp.max_users", cp.max_users),
	LIVE("cp", "metrics", "cp/metrics"),
	LIVE("cp", "metrics_allow", "cp/metrics"),
	LIVE("cp", "alternates", "cp/alloc"),
	LIVE("cp", "log_level", "lib/log"),
	NUM("cp", "tls_ticket_rotate", CP, "cp.tls_ticket_rotate", cp.tls_ticket_rotate_s),

	/* the certificates and lists: dp's reload (dp/dp_reload.c), which
	 * cp's asks for; a worker's own settings stay as dp started */
	MEM("tls", "", DP, "the tls group", tls.enabled),
	LIVE("tls", "certificate", "dp's reload"),
	LIVE("tls", "private_key", "dp's reload"),
	LIVE("tls", "sni", "dp's reload"),
	LIVE("tls", "min_version", "dp's reload"),
	LIVE("tls", "ciphers", "dp's reload"),
	LIVE("tls", "ciphersuites", "dp's reload"),
	LIVE("tls", "groups", "dp's reload"),
	LIVE("tls", "session_cache", "dp's reload"),
	NUM("tls", "handshake_budget_us", DP, "tls.handshake_budget_us",
	    tls.handshake_budget_us),
	FN("tls", "offload", DP, "tls.offload", tls_offload_same),
	MEM("tls", "record_layer", DP, "tls.record_layer", tls.record_openssl),
	MEM("tls", "record_crypto", DP, "tls.record_crypto", tls.record_crypto),

	NUM("agw", "", BOTH, "the agw group", agw.enabled),
	NUM("agw", "ports", BOTH, "agw.ports (first)", agw.port_min),
	NUM("agw", "ports", BOTH, "agw.ports (last)", agw.port_max),
	NUM("agw", "max_contexts", BOTH, "agw.max_contexts", agw.max_contexts),
	NUM("agw", "setup_timeout", CP, "agw.setup_timeout", agw.setup_timeout_s),
	NUM("agw", "hold", DP, "agw.hold", agw.hold_bytes),
	NUM("agw", "allow_sha1", BOTH, "agw.allow_sha1", agw.allow_sha1),
	NUM("agw", "certificates", BOTH, "agw.certificates", agw.ncerts),
	FN("agw", "certificates", BOTH, "agw.certificates", agw_certs_same),
	LIVE("agw", "peers", "cp/agw"),
	LIVE("agw", "quota", "cp/agw"),
	NUM("agw", "keepalive", DP, "agw.keepalive.idle", agw.keepalive.idle_s),
	NUM("agw", "keepalive", DP, "agw.keepalive.interval", agw.keepalive.interval_s),
	NUM("agw", "keepalive", DP, "agw.keepalive.count", agw.keepalive.count),
	/* cp picks a context's ports from a worker's share, dp steers by it */
	NUM("agw", "media_ports", BOTH, "agw.media_ports (first)", agw.media_min),
	NUM("agw", "media_ports", BOTH, "agw.media_ports (last)", agw.media_max),
	NUM("agw", "media_contexts", BOTH, "agw.media_contexts", agw.media_contexts),
	NUM("agw", "media_relatch", DP, "agw.media_relatch", agw.media_relatch_ms),
	NUM("agw", "ice_consent_ms", DP, "agw.ice_consent_ms", agw.ice_consent_ms),
	/* (dp's certificate is read at start: cp hears its fingerprints from
	 * dp, DTLS_CERT) */
	STR("agw", "dtls", DP, "agw.dtls.certificate", agw.dtls.cert.certificate),
	STR("agw", "dtls", DP, "agw.dtls.private_key", agw.dtls.cert.private_key),
	NUM("agw", "dtls", DP, "agw.dtls.handshakes", agw.dtls.handshakes),
	NUM("agw", "dtls", DP, "agw.dtls.handshake_timeout", agw.dtls.handshake_timeout_s),
	NUM("agw", "dtls", DP, "agw.dtls.lifetime", agw.dtls.lifetime_s),

	/* cp/iq opens its door and registers with the controllers at start */
	NUM("iq", "", CP, "the iq group", iq.enabled),
	STR("iq", "listen", CP, "iq.listen", iq.listen),
	MEM("iq", "transport", CP, "iq.transport", iq.tcp),
	STR("iq", "mid", CP, "iq.mid", iq.mid),
	FN("iq", "mgc", CP, "iq.mgc", iq_mgc_same),
	FN("iq", "send_from", CP, "iq.send_from", iq_send_from_same),
	FN("iq", "auth", CP, "iq.auth", iq_auth_same),
	NUM("iq", "max_rate", CP, "iq.max_rate", iq.max_rate),
	NUM("iq", "request_timeout", CP, "iq.request_timeout", iq.request_timeout),
	STR("iq", "profile", CP, "iq.profile", iq.profile),
	STR("iq", "tenant", CP, "iq.tenant", iq.tenant),

	/* cp/ng opens its door and takes its lists at start */
	NUM("ng", "", CP, "the ng group", ng.enabled),
	STR("ng", "listen", CP, "ng.listen", ng.listen),
	FN("ng", "allow", CP, "ng.allow", ng_allow_same),
	NUM("ng", "max_rate", CP, "ng.max_rate", ng.max_rate),
	NUM("ng", "delete_delay", CP, "ng.delete_delay", ng.delete_delay),
	NUM("ng", "timeout", CP, "ng.timeout", ng.timeout),
	NUM("ng", "reply_cache_time", CP, "ng.reply_cache_time", ng.reply_cache_time),
	FN("ng", "access", CP, "ng.access", ng_access_same),
	FN("ng", "core", CP, "ng.core", ng_core_same),
	STR("ng", "tenant", CP, "ng.tenant", ng.tenant),
	FN("ng", "pass_through", CP, "ng.pass_through", ng_pass_same),
	NUM("ng", "early_media", CP, "ng.early_media", ng.early_media),

	/* cp/cluster links to Redis at start: one group to a reload */
	FN("cluster", "", CP, "the cluster group", cluster_same),
	FN("cluster", "redis", CP, "the cluster group", cluster_same),
	FN("cluster", "sentinels", CP, "the cluster group", cluster_same),
	FN("cluster", "master", CP, "the cluster group", cluster_same),
	FN("cluster", "box", CP, "the cluster group", cluster_same),
	FN("cluster", "address", CP, "the cluster group", cluster_same),
	FN("cluster", "share", CP, "the cluster group", cluster_same),
	FN("cluster", "lease", CP, "the cluster group", cluster_same),
	FN("cluster", "namespace", CP, "the cluster group", cluster_same),
	FN("cluster", "password_file", CP, "the cluster group", cluster_same),
	FN("cluster", "username", CP, "the cluster group", cluster_same),
	FN("cluster", "sentinel_password_file", CP, "the cluster group", cluster_same),

	/* the pair (cp/ha's lease and link, read at start); dp holds its
	 * addresses back while the segment says it is not active, and does
	 * so only with the group (docs/design/ha.md section 3.4) */
	MEM("ha", "", BOTH, "the ha group added or removed", ha.enabled),
	FN("ha", "pair", CP, "the ha group", ha_same),
	FN("ha", "role", CP, "the ha group", ha_same),
	FN("ha", "lease_ms", CP, "the ha group", ha_same),
	FN("ha", "peer", CP, "the ha group", ha_same),
	FN("ha", "listen", CP, "the ha group", ha_same),
	FN("ha", "key_file", CP, "the ha group", ha_same),
	FN("ha", "heartbeat_ms", CP, "the ha group", ha_same),
	FN("ha", "bound_ms", CP, "the ha group", ha_same),

	/* lawful interception: cp/li reads ne_id, store and x1 at start; dp's
	 * delivery thread the x2x3 pair (docs/design/li.md section 2.1) */
	MEM("li", "", BOTH, "the li group added or removed", li.enabled),
	FN("li", "ne_id", CP, "the li group", li_same),
	FN("li", "store", CP, "the li group", li_same),
	FN("li", "x1", CP, "the li group", li_same),
	FN("li", "x2x3", DP, "li.x2x3", li_x2x3_same),

	/* the file is opened again and every setting taken (cp/acct) */
	MEM("accounting", "", CP, "the accounting group added or removed", acct.enabled),
	LIVE("accounting", "file", "cp/acct"),
	LIVE("accounting", "interim", "cp/acct"),
	LIVE("accounting", "retention", "cp/acct"),
	LIVE("accounting", "spool", "cp/acct"),
	LIVE("accounting", "spool_max", "cp/acct"),
	LIVE("accounting", "stream", "cp/acct"),
	LIVE("accounting", "stream_maxlen", "cp/acct"),

	/* cp/auth takes the keys and the server name at its start (and
	 * publishes the name for dp's 401s) */
	FN("oauth", "", CP, "the oauth group", oauth_same),
	FN("oauth", "server_name", CP, "the oauth group", oauth_same),
	FN("oauth", "tolerance", CP, "the oauth group", oauth_same),
	FN("oauth", "max_lifetime", CP, "the oauth group", oauth_same),
	FN("oauth", "keys", CP, "the oauth group", oauth_same),

	/* what identifies a tenant (dp maps its addresses, the segment
	 * publishes its realm, cp/alloc takes its relayed addresses at
	 * start) needs both restarted; the rest a reload applies */
	{ .group = "tenants", .name = "name", .reload = BOTH, .cmp = TP_CONF_CMP_FN,
	  .label = "tenants: their names, realms, addresses or relay lists",
	  .same = tp_conf_tenants_same,
	  .note = "until then no tenant's users, secrets, quota or peers change" },
	{ .group = "tenants", .name = "realm", .reload = BOTH, .cmp = TP_CONF_CMP_FN,
	  .label = "tenants: their names, realms, addresses or relay lists",
	  .same = tp_conf_tenants_same,
	  .note = "until then no tenant's users, secrets, quota or peers change" },
	{ .group = "tenants", .name = "addresses", .reload = BOTH, .cmp = TP_CONF_CMP_FN,
	  .label = "tenants: their names, realms, addresses or relay lists",
	  .same = tp_conf_tenants_same,
	  .note = "until then no tenant's users, secrets, quota or peers change" },
	{ .group = "tenants", .name = "relay", .reload = BOTH, .cmp = TP_CONF_CMP_FN,
	  .label = "tenants: their names, realms, addresses or relay lists",
	  .same = tp_conf_tenants_same,
	  .note = "until then no tenant's users, secrets, quota or peers change" },
	LIVE("tenants", "quota_total", "cp/alloc"),
	LIVE("tenants", "quota_user", "cp/alloc"),
	LIVE("tenants", "agw_contexts", "cp/agw"),
	LIVE("tenants", "max_bps", "cp/alloc"),
	LIVE("tenants", "users", "cp/auth"),
	LIVE("tenants", "secrets", "cp/auth"),
	LIVE("tenants", "peers", "cp/policy"),
};

const unsigned int tp_conf_nkeys = sizeof(tp_conf_keys) / sizeof(tp_conf_keys[0]);

#undef CP
#undef DP
#undef BOTH
#undef LIVE
#undef AS
#undef FN
#undef MEM
#undef STR
#undef NUM
#undef FIELD

const char *const tp_conf_groups[] = {
	"dp", "ipc", "turn", "cp", "tls", "agw", "iq", "ng", "cluster", "ha", "li", "accounting",
	"tenants", NULL,
};

const char *const *
tp_conf_group_names(const char *group)
{
	static const struct {
		const char *group;
		const char *const *names;
	} lists[] = {
		{ "dp", tp_conf_names_dp },
		{ "ipc", tp_conf_names_ipc },
		{ "turn", tp_conf_names_turn },
		{ "cp", tp_conf_names_cp },
		{ "tls", tp_conf_names_tls },
		{ "agw", tp_conf_names_agw },
		{ "iq", tp_conf_names_iq },
		{ "ng", tp_conf_names_ng },
		{ "cluster", tp_conf_names_cluster },
		{ "ha", tp_conf_names_ha },
		{ "li", tp_conf_names_li },
		{ "accounting", tp_conf_names_accounting },
		{ "oauth", tp_conf_names_oauth },
		{ "tenants", tp_conf_names_tenants },
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (strcmp(lists[i].group, group) == 0)
			return lists[i].names;
	return NULL;
}

static unsigned long long
num_at(const struct tp_conf *c, const struct tp_conf_key *k)
{
	const unsigned char *p = (const unsigned char *)c + k->off;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (k->size) {
	case 8:
		memcpy(&v64, p, 8);
		return v64;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	default:
		return *p;
	}
}

bool
tp_conf_key_same(const struct tp_conf_key *k, const struct tp_conf *a,
		 const struct tp_conf *b)
{
	const char *x = (const char *)a + k->off, *y = (const char *)b + k->off;

	switch (k->cmp) {
	case TP_CONF_CMP_NUM:
		return num_at(a, k) == num_at(b, k);
	case TP_CONF_CMP_STR:
		return strcmp(x, y) == 0;
	case TP_CONF_CMP_MEM:
		return memcmp(x, y, k->size) == 0;
	case TP_CONF_CMP_FN:
		return k->same(a, b);
	case TP_CONF_CMP_AS:
	case TP_CONF_CMP_NONE:
		break;
	}
	return true;
}

const char *
tp_conf_reload_who(enum tp_conf_reload r)
{
	switch (r) {
	case TP_CONF_RESTART_CP:
		return "turnpike-cp";
	case TP_CONF_RESTART_DP:
		return "turnpike-dp";
	case TP_CONF_RESTART_BOTH:
		return "turnpike-cp and turnpike-dp";
	case TP_CONF_LIVE:
		break;
	}
	return NULL;
}

void
tp_conf_restart_diff(const struct tp_conf *a, const struct tp_conf *b,
		     void (*fn)(void *arg, const char *line), void *arg)
{
	const char *said[sizeof(tp_conf_keys) / sizeof(tp_conf_keys[0])];
	const char *gone_group = NULL;
	unsigned int nsaid = 0;
	char line[400];

	for (unsigned int i = 0; i < tp_conf_nkeys; i++) {
		const struct tp_conf_key *k = &tp_conf_keys[i];
		const char *who = tp_conf_reload_who(k->reload);
		bool again = false;

		if (who == NULL || tp_conf_key_same(k, a, b))
			continue;
		if (gone_group != NULL && strcmp(gone_group, k->group) == 0)
			continue;
		for (unsigned int j = 0; j < nsaid && !again; j++)
			again = strcmp(said[j], k->label) == 0;
		if (again)
			continue;
		said[nsaid++] = k->label;
		if (k->name[0] == '\0')
			gone_group = k->group;
		if (k->cmp == TP_CONF_CMP_NUM)
			snprintf(line, sizeof(line), "%s %llu -> %llu (restart %s%s%s)", k->label,
				 num_at(a, k), num_at(b, k), who, k->note != NULL ? "; " : "",
				 k->note != NULL ? k->note : "");
		else
			snprintf(line, sizeof(line), "%s (restart %s%s%s)", k->label, who,
				 k->note != NULL ? "; " : "", k->note != NULL ? k->note : "");
		fn(arg, line);
	}
}
