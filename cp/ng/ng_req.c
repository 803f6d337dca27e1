/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng requests read (ng_req.h). rtpengine takes a flag spelt with spaces,
 * dashes or underscores and in any case ("trust address", "trust-address",
 * "SIP_source_address"); so does this reader, by comparing names with
 * those three folded together.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "certfp.h"
#include "ng_req.h"
#include "ng_sdp.h"
#include "sdp.h"

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int __attribute__((format(printf, 3, 4)))
unsupported(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -ENOTSUP;
}

/* n is the name s with ' ', '-', '_' the same and case not minded. */
static bool
name_is(const struct bc_node *n, const char *s)
{
	size_t i;

	if (n == NULL || n->type != BC_STR || n->len != strlen(s))
		return false;
	for (i = 0; i < n->len; i++) {
		unsigned char a = (unsigned char)n->s[i], b = (unsigned char)s[i];

		if (a == ' ' || a == '_')
			a = '-';
		if (b == ' ' || b == '_')
			b = '-';
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

/* A string node shown in a sentence: printable, at most 40 octets. */
static const char *
shown(const struct bc_node *n, char *buf, size_t size)
{
	size_t i, o = 0;

	if (n == NULL || n->type != BC_STR)
		return "(not a string)";
	for (i = 0; i < n->len && o + 1 < size && i < 40; i++)
		buf[o++] = n->s[i] >= 0x20 && n->s[i] < 0x7f ? n->s[i] : '?';
	buf[o] = '\0';
	return buf;
}

/* A key of the request: any spelling rtpengine takes ("call-id" and
 * "call id"). */
static const struct bc_node *
get(const struct bc_node *nodes, const struct bc_node *root, const char *key)
{
	for (const struct bc_node *k = bc_first(nodes, root); k != NULL;
	     k = bc_next(nodes, bc_next(nodes, k)))
		if (name_is(k, key))
			return bc_next(nodes, k);
	return NULL;
}

static int
str_key(const struct bc_node *nodes, const struct bc_node *root, const char *key, char *out,
	size_t size, bool need, char *err, size_t errlen)
{
	const struct bc_node *v = get(nodes, root, key);
	int rc;

	out[0] = '\0';
	if (v == NULL)
		return need ? fail(err, errlen, "No %s in message", key) : 0;
	rc = bc_str(v, out, size);
	if (rc == -E2BIG)
		return fail(err, errlen, "\"%s\" is longer than %zu octets", key, size - 1);
	if (rc < 0)
		return fail(err, errlen, "\"%s\" is not a string", key);
	if (need && out[0] == '\0')
		return fail(err, errlen, "\"%s\" is empty", key);
	return 0;
}

static const struct {
	const char *name;
	uint32_t bit;
} flag_names[] = {
	{ "trust-address", NG_F_TRUST_ADDRESS },
	{ "SIP-source-address", NG_F_SIP_SOURCE },
	{ "symmetric", NG_F_SYMMETRIC },
	{ "asymmetric", NG_F_ASYMMETRIC },
	{ "strict-source", NG_F_STRICT_SOURCE },
	{ "port-latching", NG_F_PORT_LATCHING },
	{ "original-sendrecv", NG_F_ORIG_SENDRECV },
	{ "media-handover", NG_F_MEDIA_HANDOVER },
	{ "fatal", NG_F_FATAL },
	/* rtpengine takes these in "flags" too */
	{ "replace-origin", NG_F_REPLACE_ORIGIN },
	{ "replace-session-connection", NG_F_REPLACE_SESS_C },
	{ "ICE-remove", NG_F_ICE_REMOVE },
	{ "reject-ICE", NG_F_ICE_REJECT },
	{ "ICE-reject", NG_F_ICE_REJECT },
	{ "trickle-ICE", NG_F_TRICKLE_ICE },
	{ "rtcp-mux-demux", NG_F_MUX_DEMUX },
	{ "rtcp-mux-offer", NG_F_MUX_OFFER },
	{ "rtcp-mux-accept", NG_F_MUX_ACCEPT },
	{ "rtcp-mux-reject", NG_F_MUX_REJECT },
	{ "rtcp-mux-require", NG_F_MUX_REQUIRE | NG_F_MUX_OFFER },
	{ "no-tls-id", NG_F_NO_TLS_ID },
	{ "generate-mid", NG_F_GENERATE_MID },
	/* the transport protocol as a flag (Kamailio's "RTP/SAVP") is read below */
};

/* What rtpengine does and turnpike does not (FEATURE.md): refused as such. */
static const char *const out_of_scope[] = {
	"record-call", "always-transcode", "inject-DTMF", "transcode", "loop-protect",
	"strip-extmap", "pad-crypto", "generate-RTCP", "debug",
	"reorder-codecs", "single-codec", "allow-transcoding", "block-DTMF",
	"block-media", "silence-media", "T.38", "recording-vsc",
};

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "RTP/AVP", SDP_PROTO_RTP_AVP },
	{ "RTP/AVPF", SDP_PROTO_RTP_AVPF },
	{ "RTP/SAVP", SDP_PROTO_RTP_SAVP },
	{ "RTP/SAVPF", SDP_PROTO_RTP_SAVPF },
	{ "UDP/TLS/RTP/SAVP", SDP_PROTO_UDP_TLS_RTP_SAVP },
	{ "UDP/TLS/RTP/SAVPF", SDP_PROTO_UDP_TLS_RTP_SAVPF },
};

static int
proto_of(const struct bc_node *n)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (n != NULL && n->type == BC_STR && n->len == strlen(protos[i].name) &&
		    memcmp(n->s, protos[i].name, n->len) == 0)
			return protos[i].proto;
	return -1;
}

/* rtpengine's endpoint-learning modes, by enum ng_learning */
static const char *const learnings[] = { "", "off", "immediate", "delayed", "heuristic" };

/* n (the key's value, or what follows "endpoint-learning-" in a flag,
 * len octets at s) into r->learning; -EINVAL with its name. */
static int
read_learning(const char *s, size_t len, struct ng_req *r, char *err, size_t errlen)
{
	const struct bc_node n = { .type = BC_STR, .s = s, .len = len };
	char b[48];

	for (unsigned int i = NG_LEARN_OFF; i < sizeof(learnings) / sizeof(learnings[0]); i++)
		if (name_is(&n, learnings[i])) {
			r->learning = (uint8_t)i;
			return 0;
		}
	return fail(err, errlen, "Unknown endpoint-learning '%s' (off, immediate, delayed, "
		    "heuristic)", shown(&n, b, sizeof(b)));
}

/* The suite lib/sdp knows by the name s[0..len) (case not minded); 0:
 * none. */
static uint8_t
suite_named(const char *s, size_t len)
{
	for (unsigned int k = SDP_SUITE_OTHER + 1; k < SDP_SUITE_COUNT; k++) {
		const char *name = sdp_suite_name((enum sdp_suite)k);

		if (name != NULL && strlen(name) == len && strncasecmp(s, name, len) == 0)
			return (uint8_t)k;
	}
	return 0;
}

/*
 * One of rtpengine's SDES options (s[0..len): the SDES list's item, or
 * what follows "SDES-" in a flag; docs/ng_control_protocol.md's "SDES"):
 * off (no, disable), no-<suite>, only-<suite> and order:<suite;suite;...>
 * are taken (FEATURE.md's table). A suite lib/sdp does not know is passed
 * over in each (it is never offered anyway, as rtpengine passes over a
 * name it does not know), as are the other options (session parameters,
 * nonew, offerer_pref:, pad, lifetime, static, prefer): turnpike offers
 * one suite of its choosing, no session parameters.
 */
static void
read_sdes(const char *s, size_t len, struct ng_req *r)
{
	const struct bc_node n = { .type = BC_STR, .s = s, .len = len };
	uint8_t k;

	if (name_is(&n, "off") || name_is(&n, "no") || name_is(&n, "disable")) {
		r->sdes_off = true;
		return;
	}
	if (len > 3 && strncasecmp(s, "no-", 3) == 0) {
		if ((k = suite_named(s + 3, len - 3)) != 0)
			r->sdes_no |= SDP_SUITE_BIT(k);
		return;
	}
	if (len > 5 && strncasecmp(s, "only-", 5) == 0) {
		if ((k = suite_named(s + 5, len - 5)) != 0)
			r->sdes_only |= SDP_SUITE_BIT(k);
		return;
	}
	if (len > 6 && strncasecmp(s, "order:", 6) == 0) {
		/* "a;b;c;" (rtpengine's separator; a trailing one allowed), a
		 * later order: list going on after an earlier one's */
		for (size_t i = 6; i < len;) {
			size_t j = i;

			while (j < len && s[j] != ';')
				j++;
			k = suite_named(s + i, j - i);
			for (unsigned int q = 0; k != 0 && q < r->sdes_norder; q++)
				if (r->sdes_order[q] == k)
					k = 0;
			if (k != 0 && r->sdes_norder < NG_SDES_ORDER_MAX)
				r->sdes_order[r->sdes_norder++] = k;
			i = j + 1;
		}
	}
}

static int
read_flags(const struct bc_node *nodes, const struct bc_node *v, struct ng_req *r, char *err,
	   size_t errlen)
{
	char b[48];

	if (v->type != BC_LIST)
		return fail(err, errlen, "\"flags\" is not a list");
	for (const struct bc_node *f = bc_first(nodes, v); f != NULL; f = bc_next(nodes, f)) {
		size_t i;
		int p;

		if (f->type != BC_STR)
			return fail(err, errlen, "a flag is not a string");
		for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (name_is(f, flag_names[i].name))
				break;
		if (i < sizeof(flag_names) / sizeof(flag_names[0])) {
			r->flags |= flag_names[i].bit;
			continue;
		}
		p = proto_of(f);
		if (p > 0) {
			r->transport = (uint8_t)p;
			continue;
		}
		/* rtpengine's WebRTC (any case): its alias of the flags a
		 * WebRTC client needs (its no-rtcp-attribute is what
		 * DTLS-SRTP's rtcp-mux writes anyway) */
		if (f->len == 6 && strncasecmp(f->s, "WebRTC", 6) == 0) {
			r->transport = SDP_PROTO_UDP_TLS_RTP_SAVPF;
			r->flags |= NG_F_ICE_FORCE | NG_F_TRICKLE_ICE | NG_F_MUX_OFFER |
				    NG_F_MUX_REQUIRE | NG_F_GENERATE_MID;
			r->sdes_off = true;
			continue;
		}
		/* the key endpoint-learning spelt as a flag, as rtpengine takes it */
		if (f->len > 18) {
			const struct bc_node head = { .type = BC_STR, .s = f->s, .len = 18 };

			if (name_is(&head, "endpoint-learning-")) {
				int rc = read_learning(f->s + 18, f->len - 18, r, err, errlen);

				if (rc < 0)
					return rc;
				continue;
			}
		}
		/* rtpengine's SDES-<option> (the SDES list spelt as flags) */
		if (f->len > 5 && strncasecmp(f->s, "SDES-", 5) == 0) {
			read_sdes(f->s + 5, f->len - 5, r);
			continue;
		}
		/* and OSRTP-<option>: passed over as that key is (no OSRTP) */
		if (f->len > 6 && strncasecmp(f->s, "OSRTP-", 6) == 0)
			continue;
		for (i = 0; i < sizeof(out_of_scope) / sizeof(out_of_scope[0]); i++)
			if (name_is(f, out_of_scope[i]))
				return unsupported(err, errlen, "Flag '%s' is not supported by "
						   "turnpike (no transcoding, recording or "
						   "DTMF handling)", shown(f, b, sizeof(b)));
		if (f->len > 6 && (strncmp(f->s, "codec-", 6) == 0 ||
				   strncmp(f->s, "codec_", 6) == 0))
			return unsupported(err, errlen, "Flag '%s' is not supported by turnpike "
					   "(no transcoding)", shown(f, b, sizeof(b)));
		return fail(err, errlen, "Unknown flag '%s'", shown(f, b, sizeof(b)));
	}
	return 0;
}

static int
read_list(const struct bc_node *nodes, const struct bc_node *v, const char *key,
	  const char *const *names, const uint32_t *bits, size_t n, struct ng_req *r, char *err,
	  size_t errlen)
{
	char b[48];

	if (v->type == BC_STR) {
		/* a single item where a list is meant: rtpengine takes it */
		for (size_t i = 0; i < n; i++)
			if (name_is(v, names[i])) {
				r->flags |= bits[i];
				return 0;
			}
		return fail(err, errlen, "Unknown %s '%s'", key, shown(v, b, sizeof(b)));
	}
	if (v->type != BC_LIST)
		return fail(err, errlen, "\"%s\" is not a list", key);
	for (const struct bc_node *f = bc_first(nodes, v); f != NULL; f = bc_next(nodes, f)) {
		size_t i;

		for (i = 0; i < n; i++)
			if (name_is(f, names[i]))
				break;
		if (i == n)
			return fail(err, errlen, "Unknown %s '%s'", key, shown(f, b, sizeof(b)));
		r->flags |= bits[i];
	}
	return 0;
}

/* rtpengine's bundle list (a single string taken as a one-item list, as
 * read_list() takes one): accept, BUNDLE for an offer's group; offer,
 * require, strict (bundling towards an offer's receiver) and reject
 * (unbundling a peer's group), not supported here (v1). */
static int
read_bundle(const struct bc_node *nodes, const struct bc_node *v, struct ng_req *r, char *err,
	    size_t errlen)
{
	static const char *const later[] = { "offer", "require", "strict", "reject" };
	const struct bc_node *f = v;
	char b[48];

	if (v->type != BC_STR && v->type != BC_LIST)
		return fail(err, errlen, "\"bundle\" is not a list");
	for (f = v->type == BC_STR ? v : bc_first(nodes, v); f != NULL;
	     f = v->type == BC_STR ? NULL : bc_next(nodes, f)) {
		if (name_is(f, "accept")) {
			r->flags |= NG_F_BUNDLE_ACCEPT;
			continue;
		}
		for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++)
			if (name_is(f, later[i]))
				return unsupported(err, errlen, "bundle '%s' is not supported by "
						   "turnpike (a browser's bundled offer only: "
						   "bundle=accept)", shown(f, b, sizeof(b)));
		return fail(err, errlen, "Unknown bundle '%s' (accept, offer, require, strict, "
			    "reject)", shown(f, b, sizeof(b)));
	}
	return 0;
}

static int
side_of(const struct bc_node *n, const struct ng_names *names)
{
	char b[32];

	if (n == NULL || bc_str(n, b, sizeof(b)) < 0)
		return -1;
	for (unsigned int i = 0; i < names->naccess; i++)
		if (strcmp(b, names->access[i]) == 0)
			return NG_SIDE_ACCESS;
	for (unsigned int i = 0; i < names->ncore; i++)
		if (strcmp(b, names->core[i]) == 0)
			return NG_SIDE_CORE;
	return -1;
}

static int
addr_of(const char *s, uint8_t *family, uint8_t ip[16])
{
	memset(ip, 0, 16);
	if (inet_pton(AF_INET, s, ip) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

/* ng_cmds.def's rows: a command's name, and whether it is one of
 * rtpengine's that turnpike refuses (NG_CMD_REFUSED). */
static const struct {
	const char *name;
	bool refused;
} cmds[NG_CMD__COUNT] = {
#define NG_CMD(e, n, h) [NG_CMD_##e] = { n, false },
#define NG_CMD_REFUSED(e, n) [NG_CMD_##e] = { n, true },
#include "ng_cmds.def"
#undef NG_CMD_REFUSED
#undef NG_CMD
};

const char *
ng_cmd_name(unsigned int cmd)
{
	return cmd > NG_CMD_NONE && cmd < NG_CMD__COUNT ? cmds[cmd].name : "?";
}

int
ng_cmd_refuse(const char *given, char *err, size_t errlen)
{
	return unsupported(err, errlen, "Command '%.40s' is not supported by turnpike (no "
			   "recording, forwarding, DTMF or media injection)", given);
}

static int
read_cmd(const struct bc_node *v, struct ng_req *r, char *err, size_t errlen)
{
	char b[48];

	if (v == NULL || v->type != BC_STR)
		return fail(err, errlen, "No command in message");
	for (unsigned int c = NG_CMD_NONE + 1; c < NG_CMD__COUNT; c++) {
		if (!name_is(v, cmds[c].name))
			continue;
		if (cmds[c].refused)
			return ng_cmd_refuse(shown(v, b, sizeof(b)), err, errlen);
		r->cmd = (uint8_t)c;
		return 0;
	}
	return fail(err, errlen, "Unrecognized command '%s'", shown(v, b, sizeof(b)));
}

int
ng_req_read(const struct bc_node *nodes, const struct bc_node *root,
	    const struct ng_names *names, struct ng_req *r, char *err, size_t errlen)
{
	static const char *const repl_names[] = { "origin", "session-connection" };
	static const uint32_t repl_bits[] = { NG_F_REPLACE_ORIGIN, NG_F_REPLACE_SESS_C };
	static const char *const mux_names[] = { "demux", "offer", "accept", "reject",
						 "require" };
	static const uint32_t mux_bits[] = { NG_F_MUX_DEMUX, NG_F_MUX_OFFER, NG_F_MUX_ACCEPT,
					     NG_F_MUX_REJECT, NG_F_MUX_REQUIRE | NG_F_MUX_OFFER };
	const struct bc_node *v;
	char b[64];
	int rc;

	memset(r, 0, sizeof(*r));
	r->limit = 32;
	if (root == NULL || root->type != BC_DICT)
		return fail(err, errlen, "Message is not a dictionary");
	rc = read_cmd(get(nodes, root, "command"), r, err, errlen);
	if (rc < 0)
		return rc;
	if (r->cmd == NG_CMD_PING || r->cmd == NG_CMD_STATISTICS)
		return 0;
	if (r->cmd == NG_CMD_LIST) {
		v = get(nodes, root, "limit");
		if (v != NULL) {
			if (v->type == BC_INT && v->i >= 0 && v->i <= 100000)
				r->limit = (uint32_t)v->i;
			else if (v->type == BC_STR && bc_str(v, b, sizeof(b)) == 0 &&
				 sscanf(b, "%u", &r->limit) == 1 && r->limit <= 100000)
				;
			else
				return fail(err, errlen, "\"limit\" is not a number of 0..100000");
		}
		return 0;
	}
	rc = str_key(nodes, root, "call-id", r->call_id, sizeof(r->call_id), true, err, errlen);
	if (rc == 0)
		rc = str_key(nodes, root, "from-tag", r->from_tag, sizeof(r->from_tag),
			     r->cmd == NG_CMD_OFFER || r->cmd == NG_CMD_ANSWER, err, errlen);
	if (rc == 0)
		rc = str_key(nodes, root, "to-tag", r->to_tag, sizeof(r->to_tag),
			     r->cmd == NG_CMD_ANSWER, err, errlen);
	if (rc == 0)
		rc = str_key(nodes, root, "via-branch", r->via_branch, sizeof(r->via_branch),
			     false, err, errlen);
	if (rc == 0)
		rc = str_key(nodes, root, "label", r->label, sizeof(r->label), false, err, errlen);
	if (rc < 0)
		return rc;
	if (r->cmd == NG_CMD_OFFER || r->cmd == NG_CMD_ANSWER) {
		v = get(nodes, root, "sdp");
		if (v == NULL || v->type != BC_STR)
			return fail(err, errlen, "No SDP body in message");
		if (v->len > NG_SDP_SIZE_MAX)
			return fail(err, errlen, "SDP body is longer than %u octets",
				    NG_SDP_SIZE_MAX);
		if (memchr(v->s, '\0', v->len) != NULL)
			return fail(err, errlen, "SDP body holds a NUL octet");
		r->sdp = v->s;
		r->sdp_len = v->len;
	}
	v = get(nodes, root, "flags");
	if (v != NULL && (rc = read_flags(nodes, v, r, err, errlen)) < 0)
		return rc;
	v = get(nodes, root, "replace");
	if (v != NULL && (rc = read_list(nodes, v, "replace", repl_names, repl_bits, 2, r, err,
					 errlen)) < 0)
		return rc;
	v = get(nodes, root, "rtcp-mux");
	if (v != NULL && (rc = read_list(nodes, v, "rtcp-mux", mux_names, mux_bits, 5, r, err,
					 errlen)) < 0)
		return rc;
	v = get(nodes, root, "bundle");
	if (v != NULL && (rc = read_bundle(nodes, v, r, err, errlen)) < 0)
		return rc;
	v = get(nodes, root, "ICE");
	if (v != NULL) {
		/* (the key says what WebRTC's ICE=force would have: it wins) */
		r->flags &= ~NG_F_ICE_FORCE;
		if (name_is(v, "remove"))
			r->flags |= NG_F_ICE_REMOVE;
		else if (name_is(v, "force") || name_is(v, "optional"))
			r->flags |= NG_F_ICE_FORCE;
		else if (name_is(v, "force-relay"))
			/* it leaves the sender's candidates, c= and m= as they
			 * came, ours only beside them */
			return unsupported(err, errlen, "ICE 'force-relay' is not supported by "
					   "turnpike (the sender's candidates and addresses passed "
					   "on: media bypassing the gateway)");
		else if (!name_is(v, "default"))
			return fail(err, errlen, "Unknown ICE '%s' (remove, force, default, optional)",
				    shown(v, b, sizeof(b)));
	}
	if ((r->flags & NG_F_ICE_REMOVE) && (r->flags & NG_F_ICE_FORCE))
		return fail(err, errlen, "ICE 'force' and the flag 'ICE-remove' together");
	v = get(nodes, root, "ICE-lite");
	if (v != NULL) {
		/* our side is a lite agent towards either peer, whatever is
		 * asked: forward, backward and both say so; off asks for a
		 * full agent, which turnpike is not */
		if (name_is(v, "off") || name_is(v, "none") || name_is(v, "no"))
			return unsupported(err, errlen, "ICE-lite '%s' is not supported by "
					   "turnpike (a lite agent only, RFC 8445 section 2.5)",
					   shown(v, b, sizeof(b)));
		if (!name_is(v, "forward") && !name_is(v, "backward") && !name_is(v, "both") &&
		    !name_is(v, "offer") && !name_is(v, "answer"))
			return fail(err, errlen, "Unknown ICE-lite '%s' (forward, backward, both)",
				    shown(v, b, sizeof(b)));
	}
	v = get(nodes, root, "transport-protocol");
	if (v != NULL) {
		int p = proto_of(v);

		if (p < 0)
			return fail(err, errlen, "Unknown transport-protocol '%s' (RTP/AVP, "
				    "RTP/AVPF, RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP, "
				    "UDP/TLS/RTP/SAVPF)", shown(v, b, sizeof(b)));
		r->transport = (uint8_t)p;
	}
	v = get(nodes, root, "direction");
	if (v != NULL) {
		const struct bc_node *d0, *d1;
		int s0, s1;

		if (v->type != BC_LIST || v->count != 2)
			return fail(err, errlen, "\"direction\" is not a list of two names");
		d0 = bc_first(nodes, v);
		d1 = bc_next(nodes, d0);
		s0 = side_of(d0, names);
		s1 = side_of(d1, names);
		if (s0 < 0 || s1 < 0)
			return fail(err, errlen, "Unknown direction '%s' (ng.access and ng.core "
				    "name the interfaces)", shown(s0 < 0 ? d0 : d1, b, sizeof(b)));
		r->dir[0] = (uint8_t)s0;
		r->dir[1] = (uint8_t)s1;
	}
	v = get(nodes, root, "endpoint-learning");
	if (v != NULL) {
		if (v->type != BC_STR)
			return fail(err, errlen, "\"endpoint-learning\" is not a string");
		if ((rc = read_learning(v->s, v->len, r, err, errlen)) < 0)
			return rc;
	}
	v = get(nodes, root, "media-address");
	if (v != NULL) {
		if (bc_str(v, b, sizeof(b)) < 0 ||
		    addr_of(b, &r->media_addr_family, r->media_addr) < 0)
			return fail(err, errlen, "\"media-address\" is not an IP address");
		r->has_media_addr = true;
	}
	v = get(nodes, root, "address-family");
	if (v != NULL) {
		if (name_is(v, "IP4"))
			r->family = AF_INET;
		else if (name_is(v, "IP6"))
			r->family = AF_INET6;
		else
			return fail(err, errlen, "\"address-family\" is not IP4 or IP6");
	}
	v = get(nodes, root, "received-from");
	if (v != NULL) {
		const struct bc_node *f, *a;

		if (v->type != BC_LIST || v->count != 2)
			return fail(err, errlen, "\"received-from\" is not [family, address]");
		f = bc_first(nodes, v);
		a = bc_next(nodes, f);
		if (!(name_is(f, "IP4") || name_is(f, "IP6")) || bc_str(a, b, sizeof(b)) < 0 ||
		    addr_of(b, &r->received_family, r->received_addr) < 0 ||
		    (r->received_family == AF_INET) != name_is(f, "IP4"))
			return fail(err, errlen, "\"received-from\" is not [family, address]");
		r->has_received_from = true;
	}
	v = get(nodes, root, "delete-delay");
	if (v != NULL) {
		long long d = -1;

		if (v->type == BC_INT)
			d = v->i;
		else if (bc_str(v, b, sizeof(b)) == 0 && sscanf(b, "%lld", &d) != 1)
			d = -1;
		if (d < 0 || d > 3600)
			return fail(err, errlen, "\"delete-delay\" is not 0..3600 seconds");
		r->delete_delay = d;
		r->has_delete_delay = true;
	}
	/* what rtpengine does and turnpike does not, asked by key */
	if ((v = get(nodes, root, "codec")) != NULL && v->count > 0)
		return unsupported(err, errlen, "\"codec\" is not supported by turnpike (no "
				   "transcoding)");
	if ((v = get(nodes, root, "ptime")) != NULL)
		return unsupported(err, errlen, "\"ptime\" is not supported by turnpike (no "
				   "transcoding)");
	if ((v = get(nodes, root, "record-call")) != NULL && !name_is(v, "no") &&
	    !name_is(v, "off"))
		return unsupported(err, errlen, "\"record call\" is not supported by turnpike");
	if ((v = get(nodes, root, "T.38")) != NULL && (v->type == BC_STR ? v->len : v->count) > 0)
		return unsupported(err, errlen, "\"T.38\" is not supported by turnpike (no "
				   "T.38 gateway)");
	/* (DTLS-reverse: rtpengine's daemon reads it as DTLS, into the same
	 * choices, call_flags.c; its documentation names only DTLS) */
	if ((v = get(nodes, root, "DTLS")) != NULL || (v = get(nodes, root, "DTLS-reverse")) != NULL) {
		if (name_is(v, "off") || name_is(v, "no") || name_is(v, "disable"))
			r->dtls = NG_DTLS_OFF;
		else if (name_is(v, "passive"))
			r->dtls = NG_DTLS_PASSIVE;
		else if (name_is(v, "active"))
			r->dtls = NG_DTLS_ACTIVE;
		else
			return fail(err, errlen, "Unknown DTLS '%s' (off, passive, active)",
				    shown(v, b, sizeof(b)));
	}
	if ((v = get(nodes, root, "DTLS-fingerprint")) != NULL) {
		int alg = v->type == BC_STR ? certfp_alg_parse(v->s, v->len) : -EINVAL;

		/* (lib/certfp knows no sha-224, which rtpengine has) */
		if (alg == -ENOTSUP)
			return unsupported(err, errlen, "DTLS-fingerprint '%s' is not supported "
					   "by turnpike (sha-1, sha-256, sha-384, sha-512)",
					   shown(v, b, sizeof(b)));
		if (alg < 0)
			return fail(err, errlen, "Unknown DTLS-fingerprint '%s' (sha-1, sha-256, "
				    "sha-384, sha-512)", shown(v, b, sizeof(b)));
		r->dtls_fp = (uint8_t)alg;
	}
	if ((v = get(nodes, root, "SDES")) != NULL) {
		if (v->type == BC_STR) {
			read_sdes(v->s, v->len, r);
		} else if (v->type == BC_LIST) {
			for (const struct bc_node *f = bc_first(nodes, v); f != NULL;
			     f = bc_next(nodes, f))
				if (f->type == BC_STR)
					read_sdes(f->s, f->len, r);
		} else {
			return fail(err, errlen, "\"SDES\" is not a list");
		}
	}
	if ((r->flags & NG_F_SYMMETRIC) && (r->flags & NG_F_ASYMMETRIC))
		return fail(err, errlen, "Flags 'symmetric' and 'asymmetric' together");
	if ((r->flags & NG_F_SIP_SOURCE) && !r->has_received_from)
		return fail(err, errlen, "Flag 'SIP-source-address' without \"received-from\"");
	return 0;
}
