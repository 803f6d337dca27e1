/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP contexts in JSON (agw_rtp_ops' json, event_json, status, metrics):
 * the names of profiles, modes, sides and SRTP suites, keys in base64
 * (RFC 4648; SDES's inline keys), a context as the operator and the
 * controller read it (never a key, but our keys once, in the answer to
 * the create or add that made them), what a line of the event log says of
 * an RTP context's event, status's "agw"."rtp", the turnpike_agw_rtp_*
 * metrics. The JSON door reads RTP legs with the same names
 * (agw_rtp_json.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../cp.h"
#include "../api/api_cmd.h"
#include "agw_internal.h"
#include "cp_agw.h"
#include "cp_agw_rtp.h"
#include "ipc.h"
#include "tp_conf.h"
#include "tp_esc.h"

/* ---- names ---------------------------------------------------------------------------- */

const char *const agw_rtp_profile_names[AGW_RTP_PROFILES] = { "none", "RTP/AVP", "RTP/AVPF",
							     "RTP/SAVP",
					     "RTP/SAVPF" };
const char *const agw_rtp_mode_names[AGW_RTP_MODES] = { "inactive", "sendonly", "recvonly",
						       "sendrecv" };
const char *const agw_rtp_side_names[AGW_RTP_SIDES] = { "route", "access", "core" };
const char *const agw_rtp_latch_names[AGW_RTP_LATCHES] = { "off", "relatch", "strict",
							   "handover" };
/* lib/sdp's enum sdp_suite, by number (RFC 4568, RFC 6188, RFC 7714) */
const char *const agw_rtp_suite_names[AGW_RTP_SUITES] = { "", "AES_CM_128_HMAC_SHA1_80",
					   "AES_CM_128_HMAC_SHA1_32", "AES_192_CM_HMAC_SHA1_80",
					   "AES_192_CM_HMAC_SHA1_32", "AES_256_CM_HMAC_SHA1_80",
					   "AES_256_CM_HMAC_SHA1_32", "AEAD_AES_128_GCM",
					   "AEAD_AES_256_GCM" };

static const char *const stat_names[AGW_RTP_STAT__COUNT] = {
	"created", "refused", "released", "setup_failed", "terms_added", "terms_modified",
	"terms_subtracted", "latched", "inactive", "restored", "readded", "stats_asked",
	"stats_timeout", "events_unknown", "events_stale", "keys_made", "positions_asked",
	"keys_refused", "ice_credentials_made", "ice_nominated", "ice_consent_lost",
	"ice_consent_regained", "dtls_up", "dtls_failed", "dtls_events_stale",
	"dtls_associations_new", "dtls_certificates", "bundle_ssrc_clash_events",
	"bundle_ssrc_clashes",
};
static const char *const stat_help[AGW_RTP_STAT__COUNT] = {
	"RTP contexts created", "RTP contexts refused (form, address, ports, quota)",
	"RTP contexts released", "RTP contexts dp could not install",
	"RTP terminations added to a context", "RTP terminations modified",
	"RTP terminations subtracted", "RTP flows latched (H.248.37)",
	"RTP terminations reported silent (H.248.40)",
	"RTP contexts taken back from dp by a restarted cp",
	"RTP contexts installed again in a restarted dp", "RTP statistics asked of dp",
	"RTP statistics requests dp did not answer in time",
	"RTP events of contexts cp does not know", "RTP events of terminations subtracted since",
	"SRTP master keys cp generated",
	"SRTP contexts' figures asked of dp so a restarted dp carries each stream's index on",
	"SRTP keys refused: a key equal to another of its context's, or used there before (RFC 3711 section 9.1)",
	"ICE ufrags and passwords cp generated for terminations (RFC 8839 section 5.4)",
	"ICE pairs a peer nominated (USE-CANDIDATE): where dp sends a termination's media",
	"ICE terminations' flows whose consent expired (RFC 7675): media to them stopped",
	"ICE terminations' flows whose consent came back with a valid check",
	"DTLS-SRTP handshakes that came up (RFC 5764): their keys installed in dp and kept by cp",
	"DTLS-SRTP handshakes that failed (turnpike_agw_dtls_failures_total has why)",
	"DTLS-SRTP outcomes of a termination or an association replaced since (RFC 8842)",
	"DTLS-SRTP associations a modify started anew: another fingerprint or tls-id (RFC 8842 section 5)",
	"DTLS-SRTP certificates dp published (DTLS_CERT): the fingerprints our SDP gives",
	"BUNDLE SSRC clashes dp told (SSRC_CLASH events: at most one every 10 s a context)",
	("BUNDLE RTP to the peer dp refused for an SSRC another section of its group holds "
	 "(RFC 3711 section 9.1), as its SSRC_CLASH events counted them"),
};


/* ---- base64 (RFC 4648 section 4), for SDES's inline keys ------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
agw_b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

int
agw_b64_decode(const char *s, uint8_t *out, size_t max)
{
	size_t len = strlen(s), n = 0;
	uint32_t v = 0;
	unsigned int bits = 0;

	while (len > 0 && s[len - 1] == '=')
		len--;
	for (size_t i = 0; i < len; i++) {
		const char *p = strchr(b64, s[i]);

		if (p == NULL || s[i] == '\0')
			return -1;
		v = v << 6 | (uint32_t)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == max)
				return -1;
			out[n++] = (uint8_t)(v >> bits);
		}
	}
	return (int)n;
}


/* ---- a context as JSON ------------------------------------------------------------------ */

static struct json_object *
addr_json(const struct ipc_addr *a, bool port)
{
	char s[64];

	if (a->family == 0)
		return NULL;
	cp_api_addr_str(a, port && a->port != 0, s, sizeof(s));
	return json_object_new_string(s);
}

static void
put_u64(struct json_object *o, const char *name, uint64_t v)
{
	json_object_object_add(o, name, json_object_new_int64((int64_t)v));
}

struct json_object *
agw_rtp_stats_json(const struct cp_ctx *cp, const struct ipc_rtp_stats *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "latched_rtp", (s->latched & IPC_RTP_LATCHED_RTP) ?
			       addr_json(&s->rtp_src, true) : NULL);
	json_object_object_add(o, "latched_rtcp", (s->latched & IPC_RTP_LATCHED_RTCP) ?
			       addr_json(&s->rtcp_src, true) : NULL);
	put_u64(o, "rtp_in", s->rtp_in);
	put_u64(o, "rtp_in_octets", s->rtp_in_octets);
	put_u64(o, "rtp_out", s->rtp_out);
	put_u64(o, "rtp_out_octets", s->rtp_out_octets);
	put_u64(o, "rtcp_in", s->rtcp_in);
	put_u64(o, "rtcp_in_octets", s->rtcp_in_octets);
	put_u64(o, "rtcp_out", s->rtcp_out);
	put_u64(o, "rtcp_out_octets", s->rtcp_out_octets);
	json_object_object_add(o, "lost", json_object_new_int64(s->lost));
	put_u64(o, "expected", s->expected);
	put_u64(o, "jitter", s->jitter);
	put_u64(o, "jitter_us", s->jitter_us);
	put_u64(o, "ssrc", s->ssrc);
	put_u64(o, "ext_max_seq", s->ext_max_seq);
	put_u64(o, "drop_stranger", s->drop_stranger);
	put_u64(o, "drop_malformed", s->drop_malformed);
	put_u64(o, "drop_policed", s->drop_policed);
	put_u64(o, "drop_mode", s->drop_mode);
	put_u64(o, "drop_no_dest", s->drop_no_dest);
	put_u64(o, "srtp_fail", s->srtp_fail);
	json_object_object_add(o, "heard_ms_ago", s->heard_ms != 0 && cp->now_ms >= s->heard_ms ?
			       json_object_new_int64((int64_t)(cp->now_ms - s->heard_ms)) : NULL);
	if (s->ice & IPC_RTP_ICE_ON) {
		/* ICE's (RFC 8445, RFC 7675): the latched sources are the
		 * nominated pairs' remotes */
		put_u64(o, "ice_checks_answered", s->ice_checks);
		put_u64(o, "ice_checks_refused", s->ice_refused);
		json_object_object_add(o, "ice_consent", json_object_new_string(
					       !(s->latched & IPC_RTP_LATCHED_RTP) ? "none" :
					       (s->ice & IPC_RTP_ICE_LOST) ? "lost" : "fresh"));
		json_object_object_add(o, "ice_consent_ms_ago", s->ice_consent_ms != 0 &&
				       cp->now_ms >= s->ice_consent_ms ?
				       json_object_new_int64((int64_t)(cp->now_ms -
								       s->ice_consent_ms)) : NULL);
	}
	return o;
}

/* A termination's ICE (its mode, our credentials, the peer's ufrag, the
 * nominated pair and its consent as last heard); our pwd only to whom
 * reads our keys (keys), as the Local SDP's a=ice-pwd. */
static struct json_object *
ice_json(const struct cp_ctx *cp, const struct ipc_rtp_term *t, const struct ipc_rtp_stats *st,
	 bool keys)
{
	const struct ipc_rtp_ice *x = &t->ice;
	struct json_object *o;

	if (x->mode == IPC_RTP_ICE_OFF)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "mode", json_object_new_string("lite"));
	json_object_object_add(o, "ufrag", json_object_new_string_len(x->ufrag, x->ufrag_len));
	if (keys)
		json_object_object_add(o, "pwd", json_object_new_string_len(x->pwd, x->pwd_len));
	json_object_object_add(o, "peer_ufrag", x->peer_ufrag_len != 0 ?
			       json_object_new_string_len(x->peer_ufrag, x->peer_ufrag_len) :
			       NULL);
	json_object_object_add(o, "nominated", (st->latched & IPC_RTP_LATCHED_RTP) ?
			       addr_json(&st->rtp_src, true) : NULL);
	if (!(t->flags & IPC_RTP_F_MUX))
		json_object_object_add(o, "nominated_rtcp", (st->latched & IPC_RTP_LATCHED_RTCP) ?
				       addr_json(&st->rtcp_src, true) : NULL);
	json_object_object_add(o, "consent", json_object_new_string(
				       !(st->latched & IPC_RTP_LATCHED_RTP) ? "none" :
				       (st->ice & IPC_RTP_ICE_LOST) ? "lost" : "fresh"));
	json_object_object_add(o, "last_consent_ms_ago", st->ice_consent_ms != 0 &&
			       cp->now_ms >= st->ice_consent_ms ?
			       json_object_new_int64((int64_t)(cp->now_ms - st->ice_consent_ms)) :
			       NULL);
	put_u64(o, "checks_answered", st->ice_checks);
	put_u64(o, "checks_refused", st->ice_refused);
	return o;
}

static struct json_object *
key_json(const struct ipc_srtp_key *k, bool with_key)
{
	struct json_object *o;
	char s[2 * IPC_SRTP_KEY_MAX];

	if (k->suite == 0)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "suite", json_object_new_string(
				       k->suite < AGW_RTP_SUITES ? agw_rtp_suite_names[k->suite] : "unknown"));
	if (with_key) {
		agw_b64_encode(k->key, k->key_len, s);
		json_object_object_add(o, "key", json_object_new_string(s));
		explicit_bzero(s, sizeof(s));
	}
	if (k->mki_len > 0) {
		json_object_object_add(o, "mki", json_object_new_int64(k->mki));
		json_object_object_add(o, "mki_len", json_object_new_int(k->mki_len));
	}
	return o;
}

struct json_object *
agw_rtp_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c, int alg, bool keys)
{
	struct json_object *o = json_object_new_object(), *legs = json_object_new_array();

	put_u64(o, "id", c->id);
	json_object_object_add(o, "kind", json_object_new_string("rtp"));
	json_object_object_add(o, "state", json_object_new_string(
				       c->state == CP_AGW_FREE ? "free" :
				       c->state == CP_AGW_LIVE ? "live" :
				       c->state == CP_AGW_RELEASING ? "releasing" : "unknown"));
	json_object_object_add(o, "worker", json_object_new_int(c->worker));
	json_object_object_add(o, "door", json_object_new_string(cp_agw_door_name(c->door)));
	json_object_object_add(o, "tenant", json_object_new_string(
				       tp_conf_tenant_name(cp->conf, c->tenant)));
	json_object_object_add(o, "label", c->label[0] ? json_object_new_string(c->label) : NULL);
	put_u64(o, "created_ms", c->created_wall_ms);
	json_object_object_add(o, "stats_age_ms", c->rtp.st_ms != 0 && cp->now_ms >= c->rtp.st_ms ?
			       json_object_new_int64((int64_t)(cp->now_ms - c->rtp.st_ms)) : NULL);
	/* the door's own names for it (cp/iq: the H.248 ContextID and
	 * TerminationIDs), as a TCP context's */
	if (c->door < CP_AGW_DOORS && cp->agw->names[c->door].fn != NULL)
		cp->agw->names[c->door].fn(c, o, cp->agw->names[c->door].arg);
	for (unsigned int i = 0; i < 2; i++) {
		const struct ipc_rtp_term *t = &c->rtp.term[i];
		struct json_object *l;

		if (t->profile == IPC_RTP_NONE) {
			json_object_array_add(legs, NULL);
			continue;
		}
		l = json_object_new_object();
		json_object_object_add(l, "rtp", json_object_new_string(
					       agw_rtp_profile_names[t->profile <= 4 ? t->profile : 0]));
		json_object_object_add(l, "mode",
				       json_object_new_string(agw_rtp_mode_names[t->mode & 3u]));
		json_object_object_add(l, "local", addr_json(&t->local, true));
		json_object_object_add(l, "rtcp_port", t->flags & IPC_RTP_F_MUX ? NULL :
				       json_object_new_int(t->rtcp_port));
		json_object_object_add(l, "rtcp_mux", json_object_new_boolean(
					       (t->flags & IPC_RTP_F_MUX) != 0));
		json_object_object_add(l, "latch", json_object_new_string(agw_rtp_latch_names[
			(t->latch & IPC_RTP_LATCH_POLICY) < AGW_RTP_LATCHES ?
			t->latch & IPC_RTP_LATCH_POLICY : 0]));
		json_object_object_add(l, "latch_signalled", json_object_new_boolean(
					       (t->latch & IPC_RTP_LATCH_SIGNALLED) != 0));
		json_object_object_add(l, "remote", addr_json(&t->remote, true));
		json_object_object_add(l, "remote_rtcp", t->remote_rtcp != 0 ?
				       json_object_new_int(t->remote_rtcp) : NULL);
		if (t->gm_addr.family != 0) {
			char s[64];

			cp_api_addr_str(&t->gm_addr, false, s, sizeof(s));
			snprintf(s + strlen(s), sizeof(s) - strlen(s), "/%u", t->gm_plen);
			json_object_object_add(l, "gm", json_object_new_string(s));
		}
		json_object_object_add(l, "dscp", json_object_new_int(t->dscp));
		if (t->pol_rate != 0) {
			struct json_object *p = json_object_new_object();

			put_u64(p, "rate", t->pol_rate);
			put_u64(p, "burst", t->pol_burst);
			json_object_object_add(l, "police", p);
		}
		json_object_object_add(l, "inactivity_ms", t->inact_ms != 0 ?
				       json_object_new_int64(t->inact_ms) : NULL);
		json_object_object_add(l, "inactive",
				       json_object_new_boolean(c->rtp.inactive[i] != 0));
		json_object_object_add(l, "serial", json_object_new_int(t->serial));
		/* the remote's key is never shown; ours once, to its maker; a
		 * DTLS-SRTP association's never (no SDP carries them: "dtls"
		 * says how the termination is secured) */
		/* (a BUNDLE member's key is its owner's: the owner's leg shows
		 * it, once) */
		json_object_object_add(l, "crypto", t->dtls.role != IPC_RTP_DTLS_NONE ||
				       agw_rtp_is_member(t) ? NULL : key_json(&t->srtp_rx, false));
		json_object_object_add(l, "our_crypto", t->dtls.role != IPC_RTP_DTLS_NONE ||
				       agw_rtp_is_member(t) ? NULL : key_json(&t->srtp_tx, keys));
		json_object_object_add(l, "dtls", agw_rtp_dtls_json(cp, c, i, alg + 1));
		json_object_object_add(l, "bundle", agw_rtp_bundle_json(cp, c, i));
		json_object_object_add(l, "ice", ice_json(cp, t, &c->rtp.st[i], keys));
		json_object_object_add(l, "stats", agw_rtp_stats_json(cp, &c->rtp.st[i]));
		json_object_array_add(legs, l);
	}
	json_object_object_add(o, "legs", legs);
	return o;
}

void
agw_rtp_status(const struct cp_ctx *cp, struct json_object *into)
{
	const struct agw_rtp_state *r = cp->agw->rtp;
	const struct cp_agw_table *t = &cp->agw->tab[CP_AGW_KIND_RTP];
	struct json_object *o, *w, *by;

	/* (only with RTP terminations: agw.media_ports) */
	if (r == NULL)
		return;
	o = json_object_new_object();
	w = json_object_new_array();
	by = json_object_new_object();
	put_u64(o, "contexts", t->total);
	for (unsigned int k = 0; k < r->nworkers; k++)
		json_object_array_add(w, json_object_new_int64(t->nctx[k]));
	json_object_object_add(o, "contexts_per_worker", w);
	put_u64(o, "addresses", r->naddr);
	for (unsigned int k = 0; k < AGW_RTP_STAT__COUNT; k++)
		put_u64(o, stat_names[k], r->stats[k]);
	for (unsigned int k = 1; k <= IPC_AGW_CAUSE_MAX; k++)
		if (r->released_by[k] != 0)
			put_u64(by, ipc_agw_cause_name(k), r->released_by[k]);
	json_object_object_add(o, "released_by", by);
	json_object_object_add(into, "rtp", o);
}

uint32_t
cp_agw_rtp_live(const struct cp_ctx *cp, unsigned int door, unsigned int tenant)
{
	return cp->agw != NULL && cp->agw->rtp != NULL ?
	       agw_table_live(&cp->agw->tab[CP_AGW_KIND_RTP], door, tenant) : 0;
}

/* (cp_ctrs_head()'s lines: this file links where cp_ctrs.c does not) */
static void
head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
agw_rtp_metrics(const struct cp_ctx *cp, FILE *f)
{
	const struct agw_rtp_state *r = cp->agw->rtp;
	char name[96];

	if (r == NULL)
		return;
	for (unsigned int k = 0; k < AGW_RTP_STAT__COUNT; k++) {
		snprintf(name, sizeof(name), "turnpike_agw_rtp_%s_total", stat_names[k]);
		head(f, name, "counter", stat_help[k]);
		fprintf(f, "%s %" PRIu64 "\n", name, r->stats[k]);
	}
	head(f, "turnpike_agw_rtp_contexts", "gauge",
		     "Live access-gateway RTP contexts by the door that made them and their tenant "
		     "(counted in turnpike_agw_contexts too: agw.quota bounds both kinds)");
	for (unsigned int d = 0; d < CP_AGW_DOORS; d++)
		for (unsigned int t = 0; t <= cp->conf->tenants.n; t++) {
			fprintf(f, "turnpike_agw_rtp_contexts{door=\"%s\",tenant=\"", cp_agw_door_name(d));
			tp_esc_prom_label(f, tp_conf_tenant_name(cp->conf, t));
			fprintf(f, "\"} %u\n", cp_agw_rtp_live(cp, d, t));
		}
	agw_rtp_dtls_metrics(cp, f);
}


/* ---- the event log's lines ----------------------------------------------------------- */

const char *
agw_rtp_ev_name(uint8_t type)
{
	switch (type) {
	case IPC_RTP_EV_LATCHED: return "rtp_latched";
	case IPC_RTP_EV_INACTIVE: return "rtp_inactive";
	case IPC_RTP_EV_SUBTRACTED: return "rtp_subtracted";
	case IPC_RTP_EV_RELEASED: return "rtp_released";
	case IPC_RTP_EV_NOMINATED: return "rtp_nominated";
	case IPC_RTP_EV_CONSENT_LOST: return "rtp_consent_lost";
	case IPC_RTP_EV_CONSENT_REGAINED: return "rtp_consent_regained";
	case IPC_RTP_EV_SSRC_CLASH: return "rtp_ssrc_clash";
	case CP_AGW_RTP_EV_DTLS_UP: return "rtp_dtls_up";
	case CP_AGW_RTP_EV_DTLS_FAILED: return "rtp_dtls_failed";
	default: return "rtp_unknown";
	}
}

void
agw_rtp_event_json(const struct cp_ctx *cp, const struct cp_agw_event *l, struct json_object *o)
{
	const struct ipc_agw_event *e = &l->e;
	bool dtls = e->type == CP_AGW_RTP_EV_DTLS_UP || e->type == CP_AGW_RTP_EV_DTLS_FAILED;
	bool addr = e->type == IPC_RTP_EV_LATCHED || e->type == IPC_RTP_EV_NOMINATED ||
		    e->type == IPC_RTP_EV_CONSENT_LOST || e->type == IPC_RTP_EV_CONSENT_REGAINED;

	(void)cp;
	/* an RTP context's: the source latched or nominated, the silence,
	 * the consent */
	json_object_object_add(o, "kind", json_object_new_string("rtp"));
	json_object_object_add(o, "cause", e->type == IPC_RTP_EV_SUBTRACTED ||
			       e->type == IPC_RTP_EV_RELEASED ?
			       json_object_new_string(ipc_agw_cause_name(e->cause)) : NULL);
	json_object_object_add(o, "detail", e->detail[0] ?
			       json_object_new_string(e->detail) : NULL);
	json_object_object_add(o, "source", addr ? addr_json(&e->remote, true) : NULL);
	if (addr)
		json_object_object_add(o, "flow", json_object_new_string(l->rtcp ? "rtcp" : "rtp"));
	if (e->type == IPC_RTP_EV_INACTIVE || e->type == IPC_RTP_EV_CONSENT_LOST)
		json_object_object_add(o, "silent_ms", json_object_new_int64(l->silent_ms));
	/* DTLS-SRTP's: the peer (its address as dp saw it), a failure's
	 * reason (dp/tls's), dp's sentence in detail */
	if (dtls) {
		json_object_object_add(o, "peer", addr_json(&e->remote, true));
		json_object_object_add(o, "reason", e->type == CP_AGW_RTP_EV_DTLS_FAILED ?
				       json_object_new_string(agw_rtp_dtls_why_name(e->cause)) :
				       NULL);
	}
}
