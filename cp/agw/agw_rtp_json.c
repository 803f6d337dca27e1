/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP contexts at the JSON door (agw_rtp_face; agw_json.c hands a command
 * here when a leg says "rtp", or its id is an RTP context's): an RTP leg
 * read from its JSON (its form only: the rules are the C API's), each
 * command's call of the C API, its answer (agw_rtp_render.c writes the
 * context: our keys in the answer to the create or add that made them).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../cp.h"
#include "../api/api_cmd.h"
#include "agw_internal.h"
#include "certfp.h"
#include "cp_agw.h"
#include "cp_agw_rtp.h"
#include "ipc.h"
#include "tp_conf.h"

#define FAIL(...) do { *error = cp_api_err(cp, __VA_ARGS__); return -EINVAL; } while (0)

static int
name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t k = 0; k < n; k++)
		if (strcasecmp(names[k], s) == 0)
			return (int)k;
	return -1;
}


/* ---- a leg from JSON --------------------------------------------------------------------- */

static bool
is_rtp_leg(struct json_object *o)
{
	struct json_object *v;

	return o != NULL && json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, "rtp", &v);
}

bool
agw_rtp_legs(struct json_object *legs)
{
	for (size_t i = 0; i < json_object_array_length(legs); i++)
		if (is_rtp_leg(json_object_array_get_idx(legs, i)))
			return true;
	return false;
}

static int
rtp_json_bool(struct cp_ctx *cp, struct json_object *o, const char *name, unsigned int i, bool *out,
	  const char **error)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		FAIL("leg %u: \"%s\" must be true or false", i, name);
	*out = json_object_get_boolean(v);
	return 1;
}

/* "latch" (true: the door's default policy, false: off, or a policy's
 * name: off, relatch, strict, handover) and "latch_signalled" (bound to
 * the signalled remote's address) into *latch, each absent: as it is.
 * 1 when either was given, 0 when neither, -EINVAL. */
static int
rtp_json_latch(struct cp_ctx *cp, struct json_object *o, unsigned int i, uint8_t *latch,
	       const char **error)
{
	struct json_object *v;
	bool b;
	int k, given = 0;

	if (json_object_object_get_ex(o, "latch", &v)) {
		unsigned int pol;

		if (json_object_is_type(v, json_type_boolean)) {
			pol = json_object_get_boolean(v) ? AGW_JSON_LATCH_DEFAULT : IPC_RTP_LATCH_OFF;
		} else {
			k = json_object_is_type(v, json_type_string) ?
			    name_index(agw_rtp_latch_names, AGW_RTP_LATCHES, json_object_get_string(v)) :
			    -1;
			if (k < 0)
				FAIL("leg %u: \"latch\" must be true, false or a policy: off, relatch, "
				     "strict, handover", i);
			pol = (unsigned int)k;
		}
		*latch = (uint8_t)((*latch & ~IPC_RTP_LATCH_POLICY) | pol);
		given = 1;
	}
	if ((k = rtp_json_bool(cp, o, "latch_signalled", i, &b, error)) < 0)
		return -EINVAL;
	if (k > 0) {
		*latch = (uint8_t)(b ? *latch | IPC_RTP_LATCH_SIGNALLED :
				   *latch & ~IPC_RTP_LATCH_SIGNALLED);
		given = 1;
	}
	return given;
}

/* "ice" (true or "lite": ICE as a lite agent; false or "off": none),
 * "ice_ufrag" and "ice_pwd" (ours, both or neither: cp makes them),
 * "ice_peer_ufrag" (the peer's; "": not known) into *mode and the
 * strings (each absent: NULL, mode as it is). 1 when any was given, 0
 * when none, -EINVAL. */
static int
rtp_json_ice(struct cp_ctx *cp, struct json_object *o, unsigned int i, uint8_t *mode,
	     const char **ufrag, const char **pwd, const char **peer, const char **error)
{
	static const char *const names[] = { "ice_ufrag", "ice_pwd", "ice_peer_ufrag" };
	const char **out[] = { ufrag, pwd, peer };
	struct json_object *v;
	int given = 0;

	if (json_object_object_get_ex(o, "ice", &v)) {
		const char *s = json_object_is_type(v, json_type_string) ?
				json_object_get_string(v) : NULL;

		if (json_object_is_type(v, json_type_boolean))
			*mode = json_object_get_boolean(v) ? IPC_RTP_ICE_LITE : IPC_RTP_ICE_OFF;
		else if (s != NULL && (strcmp(s, "lite") == 0 || strcmp(s, "off") == 0))
			*mode = s[0] == 'l' ? IPC_RTP_ICE_LITE : IPC_RTP_ICE_OFF;
		else
			FAIL("leg %u: \"ice\" must be true, false, \"lite\" or \"off\" (dp is an "
			     "ICE-lite agent, RFC 8445 section 2.5)", i);
		given = 1;
	}
	for (unsigned int k = 0; k < 3; k++) {
		*out[k] = NULL;
		if (!json_object_object_get_ex(o, names[k], &v))
			continue;
		if (!json_object_is_type(v, json_type_string))
			FAIL("leg %u: \"%s\" must be a string of ice-chars (RFC 8839 section 5.4)",
			     i, names[k]);
		*out[k] = json_object_get_string(v);
		given = 1;
	}
	return given;
}

/* {"suite": NAME, "key": base64 key||salt (ours: absent, cp makes it)} */
static int
parse_crypto(struct cp_ctx *cp, struct json_object *o, unsigned int i, const char *which,
	     bool ours, struct ipc_srtp_key *k, const char **error)
{
	const char *s;
	int n;

	memset(k, 0, sizeof(*k));
	if (!json_object_is_type(o, json_type_object))
		FAIL("leg %u: \"%s\" must be {\"suite\": ..., \"key\": base64}", i, which);
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "suite") != 0 && strcmp(key, "key") != 0)
			FAIL("leg %u: %s: unknown member \"%s\" (suite, key)", i, which, key);
	}
	s = cp_api_str(o, "suite");
	n = s != NULL ? name_index(agw_rtp_suite_names, AGW_RTP_SUITES, s) : -1;
	if (n < 1)
		FAIL("leg %u: %s: \"suite\" must be one of RFC 4568's, RFC 6188's or RFC 7714's "
		     "(AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32, AEAD_AES_128_GCM, ...)", i,
		     which);
	k->suite = (uint8_t)n;
	s = cp_api_str(o, "key");
	if (s == NULL) {
		if (!ours)
			FAIL("leg %u: %s: \"key\" (the remote's inline key||salt, base64) is "
			     "required", i, which);
		return 0;
	}
	n = agw_b64_decode(s, k->key, sizeof(k->key));
	if (n <= 0) {
		explicit_bzero(k, sizeof(*k));
		FAIL("leg %u: %s: \"key\" is not base64 of at most %u octets", i, which,
		     IPC_SRTP_KEY_MAX);
	}
	k->key_len = (uint8_t)n;
	return 0;
}

/*
 * "dtls" (DTLS-SRTP, as the door read the peer's SDP; cp_agw_rtp.h's
 * struct cp_agw_rtp_dtls): {"setup": the peer's a=setup ("actpass",
 * "active", "passive"; "offer": we offer actpass), "passive" (answer its
 * actpass passive), "fingerprints": ["sha-256 AB:..."] (its
 * a=fingerprint lines), "tls_id" (its a=tls-id), "allow_sha1"} into *d.
 * Its form only: the rules are the C API's.
 */
static int
parse_dtls(struct cp_ctx *cp, struct json_object *o, unsigned int i, struct cp_agw_rtp_dtls *d,
	   const char **error)
{
	static const char *const setups[] = { "", "offer", "actpass", "active", "passive" };
	struct json_object *v;
	const char *s;
	int k;

	memset(d, 0, sizeof(*d));
	if (!json_object_is_type(o, json_type_object))
		FAIL("leg %u: \"dtls\" must be an object: {\"setup\": ..., \"fingerprints\": [...], "
		     "...}", i);
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "setup") != 0 && strcmp(key, "passive") != 0 &&
		    strcmp(key, "fingerprints") != 0 && strcmp(key, "tls_id") != 0 &&
		    strcmp(key, "allow_sha1") != 0)
			FAIL("leg %u: dtls: unknown member \"%s\" (setup, passive, fingerprints, "
			     "tls_id, allow_sha1)", i, key);
	}
	s = cp_api_str(o, "setup");
	k = s != NULL ? name_index(setups, sizeof(setups) / sizeof(setups[0]), s) : -1;
	if (k < 1)
		FAIL("leg %u: dtls: \"setup\" must be the peer's a=setup: actpass, active or passive "
		     "(offer: we offer actpass; holdconn is not taken)", i);
	d->setup = (uint8_t)k;
	if (rtp_json_bool(cp, o, "passive", i, &d->passive, error) < 0 ||
	    rtp_json_bool(cp, o, "allow_sha1", i, &d->allow_sha1, error) < 0)
		return -EINVAL;
	if ((s = cp_api_str(o, "tls_id")) != NULL) {
		if (strlen(s) >= sizeof(d->tls_id))
			FAIL("leg %u: dtls: \"tls_id\" is longer than %zu characters", i,
			     sizeof(d->tls_id) - 1);
		snprintf(d->tls_id, sizeof(d->tls_id), "%s", s);
	} else if (json_object_object_get_ex(o, "tls_id", &v) && v != NULL) {
		FAIL("leg %u: dtls: \"tls_id\" must be the peer's a=tls-id (a string)", i);
	}
	if (json_object_object_get_ex(o, "fingerprints", &v)) {
		if (!json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) > IPC_AGW_FP_MAX)
			FAIL("leg %u: dtls: \"fingerprints\" must be a list of at most %u of the peer's "
			     "a=fingerprint values (\"sha-256 AB:CD:...\")", i, IPC_AGW_FP_MAX);
		for (size_t n = 0; n < json_object_array_length(v); n++) {
			struct json_object *f = json_object_array_get_idx(v, n);
			const char *why = NULL;
			struct certfp fp;

			s = json_object_is_type(f, json_type_string) ? json_object_get_string(f) : "";
			if (certfp_parse(s, strlen(s), &fp, &why) < 0)
				FAIL("leg %u: dtls: fingerprint %zu: %s", i, n + 1,
				     why != NULL ? why : "not \"sha-256 AB:CD:...\"");
			d->fp[d->nfp].alg = fp.alg;
			d->fp[d->nfp].len = fp.len;
			memcpy(d->fp[d->nfp].md, fp.md, fp.len);
			d->nfp++;
		}
	}
	return 0;
}

/*
 * "bundle" (BUNDLE, RFC 9143; cp_agw_rtp.h's struct cp_agw_rtp_bundle):
 * {"mid": the section's a=mid (RFC 9143's identification-tag), "mid_ext":
 * the a=extmap id of urn:ietf:params:rtp-hdrext:sdes:mid (RFC 8285; a
 * member: absent, or its owner's), "pt": [the section's payload types],
 * "ssrc": [its a=ssrc SSRCs, at most 2], "with": the context whose leg
 * carries the group's transport (absent: this leg is that owner),
 * "with_leg": that leg (absent: 0)} into *b. Its form only: the rules
 * are the C API's.
 */
static int
parse_bundle(struct cp_ctx *cp, struct json_object *o, unsigned int i,
	     struct cp_agw_rtp_bundle *b, const char **error)
{
	struct json_object *v;
	const char *s;
	int64_t n;
	int k;

	memset(b, 0, sizeof(*b));
	if (!json_object_is_type(o, json_type_object))
		FAIL("leg %u: \"bundle\" must be an object: {\"mid\": ..., \"with\": ID, ...}", i);
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (strcmp(key, "mid") != 0 && strcmp(key, "mid_ext") != 0 &&
		    strcmp(key, "pt") != 0 && strcmp(key, "ssrc") != 0 &&
		    strcmp(key, "with") != 0 && strcmp(key, "with_leg") != 0)
			FAIL("leg %u: bundle: unknown member \"%s\" (mid, mid_ext, pt, ssrc, with, "
			     "with_leg)", i, key);
	}
	s = cp_api_str(o, "mid");
	if (s == NULL || s[0] == '\0')
		FAIL("leg %u: bundle: \"mid\" (the section's a=mid) is required", i);
	if (strlen(s) >= sizeof(b->mid))
		FAIL("leg %u: bundle: \"mid\" is longer than %zu characters", i, sizeof(b->mid) - 1);
	snprintf(b->mid, sizeof(b->mid), "%s", s);
	if ((k = agw_json_uint(o, "mid_ext", 0, 255, &n)) < 0)
		FAIL("leg %u: bundle: \"mid_ext\" must be the MID extension's a=extmap id, 1 to "
		     "255 (RFC 8285)", i);
	b->mid_ext = (uint8_t)(k > 0 ? n : 0);
	if ((k = agw_json_uint(o, "with", 1, INT64_MAX, &n)) < 0)
		FAIL("leg %u: bundle: \"with\" must be the id of the context whose leg carries the "
		     "group's transport", i);
	b->with = k > 0 ? (uint64_t)n : 0;
	if ((k = agw_json_uint(o, "with_leg", 0, 1, &n)) < 0)
		FAIL("leg %u: bundle: \"with_leg\" must be 0 or 1", i);
	b->with_term = (uint8_t)(k > 0 ? n : 0);
	if (json_object_object_get_ex(o, "pt", &v)) {
		if (!json_object_is_type(v, json_type_array))
			FAIL("leg %u: bundle: \"pt\" must be a list of payload types (0 to 127)", i);
		for (size_t x = 0; x < json_object_array_length(v); x++) {
			struct json_object *p = json_object_array_get_idx(v, x);
			int64_t pt = json_object_is_type(p, json_type_int) ?
				     json_object_get_int64(p) : -1;

			if (pt < 0 || pt > 127)
				FAIL("leg %u: bundle: \"pt\" must be a list of payload types (0 to "
				     "127)", i);
			b->pt[pt / 8] |= (uint8_t)(1u << (pt % 8));
		}
	}
	if (json_object_object_get_ex(o, "ssrc", &v)) {
		if (!json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) > IPC_RTP_BUNDLE_SSRCS)
			FAIL("leg %u: bundle: \"ssrc\" must be a list of at most %u SSRCs (a=ssrc)",
			     i, IPC_RTP_BUNDLE_SSRCS);
		for (size_t x = 0; x < json_object_array_length(v); x++) {
			struct json_object *p = json_object_array_get_idx(v, x);
			int64_t ssrc = json_object_is_type(p, json_type_int) ?
				       json_object_get_int64(p) : -1;

			if (ssrc < 0 || ssrc > UINT32_MAX)
				FAIL("leg %u: bundle: an SSRC is 0 to 4294967295", i);
			b->ssrc[b->nssrc++] = (uint32_t)ssrc;
		}
	}
	return 0;
}

/* One RTP termination from its JSON object (its form only: the rules are
 * the C API's). */
static int
parse_rtp_term(struct cp_ctx *cp, struct json_object *o, unsigned int i,
	       struct cp_agw_rtp_spec *sp, const char **error)
{
	static const char *const known[] = { "rtp", "local", "side", "remote", "remote_rtcp",
					     "rtcp_mux", "latch", "latch_signalled", "rsize",
					     "mode", "gm",
					     "gm_ports", "dscp", "police", "inactivity_ms",
					     "clock_hz", "crypto", "our_crypto", "ice", "ice_ufrag",
					     "ice_pwd", "ice_peer_ufrag", "dtls", "bundle", NULL };
	struct ipc_rtp_term *t = &sp->term;
	struct json_object *v;
	struct agw_qos_in q;
	const char *s;
	bool b;
	int64_t n;
	int k;

	memset(sp, 0, sizeof(*sp));
	if (!json_object_is_type(o, json_type_object))
		FAIL("leg %u is not an object", i);
	json_object_object_foreach(o, key, val) {
		bool ok = false;

		(void)val;
		for (const char *const *x = known; *x != NULL; x++)
			ok = ok || strcmp(*x, key) == 0;
		if (!ok)
			FAIL("leg %u: unknown member \"%s\" of an RTP leg (rtp, local, side, remote, "
			     "remote_rtcp, rtcp_mux, latch, latch_signalled, rsize, mode, gm, "
			     "gm_ports, dscp, police, "
			     "inactivity_ms, clock_hz, crypto, our_crypto, ice, ice_ufrag, ice_pwd, "
			     "ice_peer_ufrag, dtls, bundle)", i, key);
	}
	s = cp_api_str(o, "rtp");
	k = -1;
	if (s != NULL) {
		k = name_index(agw_rtp_profile_names, AGW_RTP_PROFILES, s);
		if (k < 0) {
			char up[16];

			snprintf(up, sizeof(up), "RTP/%s", s);
			k = name_index(agw_rtp_profile_names, AGW_RTP_PROFILES, up);
		}
	}
	if (k < 1)
		FAIL("leg %u: \"rtp\" must be the profile: avp, avpf, savp or savpf (RTP/AVP ...)",
		     i);
	t->profile = (uint8_t)k;
	t->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	if ((s = cp_api_str(o, "mode")) != NULL) {
		if ((k = name_index(agw_rtp_mode_names, AGW_RTP_MODES, s)) < 0)
			FAIL("leg %u: \"mode\" must be sendrecv, sendonly, recvonly or inactive (as "
			     "H.248 says it of the termination)", i);
		t->mode = (uint8_t)k;
	}
	if ((s = cp_api_str(o, "side")) != NULL) {
		if ((k = name_index(agw_rtp_side_names, AGW_RTP_SIDES, s)) < 0)
			FAIL("leg %u: \"side\" must be route, access or core", i);
		sp->side = (uint8_t)k;
	}
	if ((s = cp_api_str(o, "local")) != NULL && agw_parse_addr(s, &t->local) < 0)
		FAIL("leg %u: local \"%s\" is not an address like 192.0.2.1 or 192.0.2.1:40000", i,
		     s);
	if ((s = cp_api_str(o, "remote")) != NULL && agw_parse_addr(s, &t->remote) < 0)
		FAIL("leg %u: remote \"%s\" is not an address like 192.0.2.7:5004", i, s);
	if ((k = agw_json_uint(o, "remote_rtcp", 1, 65535, &n)) < 0)
		FAIL("leg %u: \"remote_rtcp\" must be a port (a=rtcp)", i);
	if (k > 0)
		t->remote_rtcp = (uint16_t)n;
	t->latch = AGW_JSON_LATCH_DEFAULT;
	if (rtp_json_latch(cp, o, i, &t->latch, error) < 0)
		return -EINVAL;
	b = false;
	if (rtp_json_bool(cp, o, "rtcp_mux", i, &b, error) < 0)
		return -EINVAL;
	t->flags |= b ? IPC_RTP_F_MUX : 0;
	b = false;
	if (rtp_json_bool(cp, o, "rsize", i, &b, error) < 0)
		return -EINVAL;
	t->flags |= b ? IPC_RTP_F_RSIZE : 0;
	if ((s = cp_api_str(o, "gm")) != NULL) {
		int fam = tp_conf_parse_prefix(s, t->gm_addr.ip, &t->gm_plen);

		if (fam < 0)
			FAIL("leg %u: \"gm\" must be a source prefix like 192.0.2.7/32", i);
		t->gm_addr.family = (uint8_t)fam;
	}
	if (json_object_object_get_ex(o, "gm_ports", &v)) {
		struct json_object *lo = json_object_array_get_idx(v, 0);
		struct json_object *hi = json_object_array_get_idx(v, 1);

		if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != 2 ||
		    !json_object_is_type(lo, json_type_int) || !json_object_is_type(hi, json_type_int) ||
		    json_object_get_int64(lo) < 1 || json_object_get_int64(hi) > 65535 ||
		    json_object_get_int64(lo) > json_object_get_int64(hi))
			FAIL("leg %u: \"gm_ports\" must be [first, last] source ports", i);
		t->gm_port_lo = (uint16_t)json_object_get_int64(lo);
		t->gm_port_hi = (uint16_t)json_object_get_int64(hi);
	}
	if (agw_parse_qos(cp, o, i, &q, error) < 0)
		return -EINVAL;
	t->dscp = q.dscp;
	t->pol_rate = q.pol_rate;
	t->pol_burst = q.pol_burst;
	if ((k = agw_json_uint(o, "inactivity_ms", 0, UINT32_MAX, &n)) < 0)
		FAIL("leg %u: \"inactivity_ms\" must be ms of silence (0: none)", i);
	if (k > 0)
		t->inact_ms = (uint32_t)n;
	if ((k = agw_json_uint(o, "clock_hz", 0, 1000000, &n)) < 0)
		FAIL("leg %u: \"clock_hz\" must be the media clock (a=rtpmap), 0 to 1000000", i);
	if (k > 0)
		t->clock_hz = (uint32_t)n;
	{
		const char *ufrag, *pwd, *peer;
		char why[256];

		if ((k = rtp_json_ice(cp, o, i, &t->ice.mode, &ufrag, &pwd, &peer, error)) < 0)
			return -EINVAL;
		if (k > 0 && (ufrag != NULL || pwd != NULL || peer != NULL) &&
		    t->ice.mode == IPC_RTP_ICE_OFF)
			FAIL("leg %u: ICE credentials without \"ice\": \"lite\"", i);
		if (k > 0 && agw_rtp_ice_set(i, &t->ice, ufrag, pwd, peer, why, sizeof(why)) < 0)
			FAIL("%s", why);
	}
	if (json_object_object_get_ex(o, "dtls", &v) && parse_dtls(cp, v, i, &sp->dtls, error) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(o, "bundle", &v) &&
	    parse_bundle(cp, v, i, &sp->bundle, error) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(o, "crypto", &v) &&
	    parse_crypto(cp, v, i, "crypto", false, &t->srtp_rx, error) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(o, "our_crypto", &v) &&
	    parse_crypto(cp, v, i, "our_crypto", true, &t->srtp_tx, error) < 0) {
		explicit_bzero(t, sizeof(*t));
		return -EINVAL;
	}
	return 0;
}


/* ---- the commands ---------------------------------------------------------------------- */

static int
rtp_create(struct cp_ctx *cp, struct json_object *req, struct json_object *legs,
	   struct json_object *resp, const char **error)
{
	struct cp_agw_spec spec[2];
	struct cp_agw_ctx *c = NULL;
	char err[512];
	int rc = 0, tenant;

	memset(spec, 0, sizeof(spec));
	spec[0].kind = spec[1].kind = CP_AGW_KIND_RTP;
	for (unsigned int i = 0; i < json_object_array_length(legs) && rc == 0; i++) {
		struct json_object *o = json_object_array_get_idx(legs, i);

		if (o == NULL)
			continue;
		if (!is_rtp_leg(o)) {
			*error = cp_api_err(cp, "leg %u is not an RTP leg: a context is TCP legs or "
					    "RTP legs, never both (TS 29.334)", i);
			rc = -EINVAL;
			break;
		}
		rc = parse_rtp_term(cp, o, i, &spec[i].rtp, error);
	}
	if (rc == 0 && agw_parse_tenant(cp, req, &tenant, error) < 0)
		rc = -EINVAL;
	if (rc == 0) {
		rc = cp_agw_create(cp, spec, CP_AGW_SETUP_DEFAULT, cp_api_str(req, "label"),
				   CP_AGW_DOOR_API, (unsigned int)tenant, &c, err, sizeof(err));
		if (rc < 0)
			agw_api_rc(cp, rc, err, error);
		else
			agw_answer(cp, c, 0, true, resp);
	}
	explicit_bzero(spec, sizeof(spec));
	return rc;
}

/* "id", "leg" (agw_parse_id_leg(): absent, leg_any) and who asks. */
static int
id_leg(struct cp_ctx *cp, struct json_object *req, unsigned int leg_any, uint64_t *id,
       unsigned int *leg, struct cp_agw_caller *who, const char **error)
{
	if (agw_parse_id_leg(cp, req, leg_any, id, leg, error) < 0)
		return -EINVAL;
	return agw_caller_of(cp, req, who, error);
}

static int
rtp_add(struct cp_ctx *cp, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_agw_caller who;
	struct cp_agw_spec spec = { .kind = CP_AGW_KIND_RTP };
	struct json_object *o;
	unsigned int leg, got = 0;
	uint64_t id;
	char err[512];
	int rc;

	if (id_leg(cp, req, CP_AGW_ANY, &id, &leg, &who, error) < 0)
		return -EINVAL;
	if (!json_object_object_get_ex(req, "term", &o) || !is_rtp_leg(o))
		FAIL("\"term\" (an RTP termination, as one of agw.create's RTP legs) is required");
	if (parse_rtp_term(cp, o, leg == CP_AGW_ANY ? 0 : leg, &spec.rtp, error) < 0)
		return -EINVAL;
	rc = cp_agw_add(cp, &who, id, leg, &spec, CP_AGW_SETUP_DEFAULT, &got, err, sizeof(err));
	explicit_bzero(&spec, sizeof(spec));
	if (rc < 0)
		return agw_api_rc(cp, rc, err, error);
	agw_answer(cp, cp_agw_lookup(cp, &who, id), 0, true, resp);
	json_object_object_add(resp, "leg", json_object_new_int((int)got));
	return 0;
}

/* agw.modify_leg of an RTP context: "remote", "remote_rtcp", "mode",
 * "latch", "latch_signalled", "rsize", "gm" (false: none), "gm_ports", "dscp", "police",
 * "inactivity_ms", "clock_hz", "ice", "ice_restart", "ice_ufrag", "ice_pwd",
 * "ice_peer_ufrag" (our new pwd in the answer when ICE's credentials
 * changed: the Local SDP's a=ice-pwd), "dtls" (the peer's SDP again: the
 * answer to our offer, a re-offer; the leg's "dtls" in the answer has our
 * setup, fingerprint and tls-id for the Local SDP). */
static int
rtp_modify(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
	   const char **error)
{
	struct cp_agw_caller who;
	struct cp_agw_mod mod = { .kind = CP_AGW_KIND_RTP };
	struct cp_agw_rtp_mod *m = &mod.rtp;
	struct cp_agw_ctx *c;
	struct cp_agw_rtp_dtls dtls;
	struct ipc_addr remote;
	struct agw_qos_in q;
	struct json_object *v;
	unsigned int leg;
	uint64_t id;
	char err[512];
	const char *s;
	uint8_t was_ice;
	int64_t n;
	int k, rc;

	if (id_leg(cp, req, AGW_LEG_REQUIRED, &id, &leg, &who, error) < 0)
		return -EINVAL;
	if ((s = cp_api_str(req, "remote")) != NULL) {
		if (agw_parse_addr(s, &remote) < 0)
			FAIL("leg %u: remote \"%s\" is not an address like 192.0.2.7:5004", leg, s);
		m->remote = &remote;
	}
	if ((k = agw_json_uint(req, "remote_rtcp", 0, 65535, &n)) < 0)
		FAIL("leg %u: \"remote_rtcp\" must be a port (0: the remote's + 1)", leg);
	m->remote_rtcp_set = k > 0;
	m->remote_rtcp = (uint16_t)(k > 0 ? n : 0);
	if ((s = cp_api_str(req, "mode")) != NULL) {
		if ((k = name_index(agw_rtp_mode_names, AGW_RTP_MODES, s)) < 0)
			FAIL("leg %u: \"mode\" must be sendrecv, sendonly, recvonly or inactive", leg);
		m->mode_set = true;
		m->mode = (uint8_t)k;
	}
	c = cp_agw_lookup(cp, &who, id);
	m->latch = c != NULL && leg <= 1 ? c->rtp.term[leg].latch : AGW_JSON_LATCH_DEFAULT;
	if ((k = rtp_json_latch(cp, req, leg, &m->latch, error)) < 0)
		return -EINVAL;
	m->latch_set = k > 0;
	if ((k = rtp_json_bool(cp, req, "rsize", leg, &m->rsize, error)) < 0)
		return -EINVAL;
	m->rsize_set = k > 0;
	if (json_object_object_get_ex(req, "gm", &v)) {
		m->gm_set = true;
		c = cp_agw_lookup(cp, &who, id);
		if (c != NULL && leg <= 1) {
			m->gm_port_lo = c->rtp.term[leg].gm_port_lo;
			m->gm_port_hi = c->rtp.term[leg].gm_port_hi;
		}
		if (json_object_is_type(v, json_type_string)) {
			int fam = tp_conf_parse_prefix(json_object_get_string(v), m->gm_addr.ip,
						       &m->gm_plen);

			if (fam < 0)
				FAIL("leg %u: \"gm\" must be a source prefix like 192.0.2.7/32 or "
				     "false", leg);
			m->gm_addr.family = (uint8_t)fam;
		} else if (!json_object_is_type(v, json_type_boolean) || json_object_get_boolean(v)) {
			FAIL("leg %u: \"gm\" must be a source prefix like 192.0.2.7/32 or false", leg);
		}
	}
	if (agw_parse_qos(cp, req, leg, &q, error) < 0)
		return -EINVAL;
	m->dscp_set = q.dscp_set;
	m->dscp = q.dscp;
	m->pol_set = q.pol_set;
	m->pol_rate = q.pol_rate;
	m->pol_burst = q.pol_burst;
	if ((k = agw_json_uint(req, "inactivity_ms", 0, UINT32_MAX, &n)) < 0)
		FAIL("leg %u: \"inactivity_ms\" must be ms of silence (0: none)", leg);
	m->inact_set = k > 0;
	m->inact_ms = (uint32_t)(k > 0 ? n : 0);
	if ((k = agw_json_uint(req, "clock_hz", 0, 1000000, &n)) < 0)
		FAIL("leg %u: \"clock_hz\" must be the media clock, 0 to 1000000", leg);
	m->clock_set = k > 0;
	m->clock_hz = (uint32_t)(k > 0 ? n : 0);
	c = cp_agw_lookup(cp, &who, id);
	m->ice_mode = c != NULL && leg <= 1 ? c->rtp.term[leg].ice.mode : IPC_RTP_ICE_OFF;
	was_ice = m->ice_mode;
	if ((k = rtp_json_ice(cp, req, leg, &m->ice_mode, &m->ice_ufrag, &m->ice_pwd,
			      &m->ice_peer_ufrag, error)) < 0)
		return -EINVAL;
	m->ice_set = m->ice_mode != was_ice;
	if ((k = rtp_json_bool(cp, req, "ice_restart", leg, &m->ice_restart, error)) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(req, "dtls", &v)) {
		if (parse_dtls(cp, v, leg, &dtls, error) < 0)
			return -EINVAL;
		/* a peer without a=tls-id that gives a new ufrag restarts its
		 * DTLS association too (RFC 8842: cp/agw's rule, the ufrag it
		 * held before against the one given now) */
		c = cp_agw_lookup(cp, &who, id);
		if (c != NULL && leg <= 1 && m->ice_peer_ufrag != NULL)
			cp_agw_rtp_dtls_renew(&dtls, c->rtp.term[leg].ice.peer_ufrag,
					      c->rtp.term[leg].ice.peer_ufrag_len, m->ice_peer_ufrag,
					      strlen(m->ice_peer_ufrag), false);
		m->dtls = &dtls;
	}
	rc = cp_agw_modify(cp, &who, id, leg, &mod, err, sizeof(err));
	if (rc < 0)
		return agw_api_rc(cp, rc, err, error);
	c = cp_agw_lookup(cp, &who, id);
	agw_answer(cp, c, 0, false, resp);
	/* our new ICE credentials, the pwd once, to whom changed them */
	if (c != NULL && leg <= 1 && c->rtp.term[leg].ice.mode != IPC_RTP_ICE_OFF &&
	    (m->ice_set || m->ice_restart) && json_object_object_get_ex(resp, "legs", &v)) {
		struct json_object *l = json_object_array_get_idx(v, leg), *x;
		const struct ipc_rtp_ice *ice = &c->rtp.term[leg].ice;

		if (l != NULL && json_object_object_get_ex(l, "ice", &x) && x != NULL)
			json_object_object_add(x, "pwd",
					       json_object_new_string_len(ice->pwd, ice->pwd_len));
	}
	return 0;
}

static int
rtp_subtract(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
	     const char **error)
{
	struct cp_agw_caller who;
	struct ipc_rtp_stats last;
	struct cp_agw_ctx *c;
	unsigned int leg;
	uint64_t id;
	char err[512];
	int rc;

	if (id_leg(cp, req, AGW_LEG_REQUIRED, &id, &leg, &who, error) < 0)
		return -EINVAL;
	/* (its figures as last known: the slot is empty once it went) */
	memset(&last, 0, sizeof(last));
	if ((c = cp_agw_lookup(cp, &who, id)) != NULL && leg <= 1)
		last = c->rtp.st[leg];
	rc = cp_agw_subtract(cp, &who, id, leg, err, sizeof(err));
	if (rc < 0)
		return agw_api_rc(cp, rc, err, error);
	agw_answer(cp, cp_agw_lookup(cp, &who, id), 0, false, resp);
	/* (the final figures are in the event log's rtp_subtracted) */
	json_object_object_add(resp, "subtracted_stats", agw_rtp_stats_json(cp, &last));
	return 0;
}

/* agw.show of an RTP context: the figures last heard, and dp asked for
 * fresh ones (there at the next show: "stats_age_ms" says how old). */
static int
rtp_show(struct cp_ctx *cp, struct json_object *req, struct json_object *resp, const char **error)
{
	struct cp_agw_caller who;
	struct cp_agw_ctx *c;
	unsigned int leg;
	uint64_t id;
	char err[256];

	if (id_leg(cp, req, 0, &id, &leg, &who, error) < 0)
		return -EINVAL;
	c = cp_agw_lookup(cp, &who, id);
	if (c == NULL) {
		*error = cp_api_err(cp, "no context %" PRIu64 " (released already?)", id);
		return -ENOENT;
	}
	if (c->state == CP_AGW_LIVE)
		(void)cp_agw_rtp_stats(cp, &who, id, NULL, NULL, NULL, err, sizeof(err));
	agw_answer(cp, c, 0, false, resp);
	return 0;
}

static int
rtp_release(struct cp_ctx *cp, struct json_object *req, struct json_object *resp,
	    const char **error)
{
	struct cp_agw_caller who;
	unsigned int leg;
	uint64_t id;
	char err[512];
	int rc;

	if (id_leg(cp, req, 0, &id, &leg, &who, error) < 0)
		return -EINVAL;
	rc = cp_agw_release(cp, &who, id, err, sizeof(err));
	if (rc < 0)
		return agw_api_rc(cp, rc, err, error);
	json_object_object_add(resp, "id", json_object_new_int64((int64_t)id));
	json_object_object_add(resp, "state", json_object_new_string("releasing"));
	return 0;
}

const struct agw_json_face agw_rtp_face = {
	.create = rtp_create,
	.add = rtp_add,
	.modify = rtp_modify,
	.subtract = rtp_subtract,
	.show = rtp_show,
	.release = rtp_release,
};
