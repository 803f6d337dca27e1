/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/sdp's WebRTC lines: a Chromium offer (audio and video bundled,
 * trickle ICE, no candidate) and an aiortc 1.4 offer (its candidates and
 * a=end-of-candidates) as those stacks write them (tests/unit/sdp/), read
 * by sdp_parse_desc() field by field; each line (ICE's, a=candidate,
 * a=tls-id, a=mid, a=group:BUNDLE, a=extmap, a=ssrc, the RTCP flags)
 * good, malformed, too long and at its limits, with the error it names;
 * DTLS-SRTP's protos and a=setup:holdconn, the fingerprints a handshake is
 * checked against; RFC 8445's priorities and foundations; our lines
 * written (sdp_rtp_write(), sdp_webrtc_put(), sdp_session_webrtc_put())
 * and read back to the same model, and the writer's refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp.h"

#define FP256 "D1:2C:BE:AD:C4:F6:64:5C:25:16:11:9C:AF:E7:0F:73:79:36:4E:9C:1E:15:54:39:0C:06:8B:A0:60:7F:0E:E3"
#define FP1 "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB"
#define PWD22 "u7ZAqFm1vMZq2b8pY0Qr4s"

static char text[SDP_DESC_SIZE_MAX + 1];
static struct sdp_desc dd, dd2;

static const char *
load(const char *name)
{
	const char *src = getenv("TP_SRC");
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/unit/sdp/%s", src != NULL ? src : ".", name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

static int
parse(const char *s, struct sdp *d, struct sdp_error *e)
{
	return sdp_parse(s, strlen(s), d, e);
}

static int
parse_desc(const char *s, struct sdp_desc *d, struct sdp_error *e)
{
	return sdp_parse_desc(s, strlen(s), d, e);
}

/* ---- the two offers ------------------------------------------------------------ */

static void
test_chromium_offer(void **state)
{
	const char *s = load("chromium_offer.sdp");
	const struct sdp_media *a = &dd.media[0], *v = &dd.media[1];
	struct sdp one;
	struct sdp_error e;

	(void)state;
	assert_int_equal(parse_desc(s, &dd, &e), 0);
	assert_int_equal(e.code, SDP_OK);
	assert_int_equal(dd.nmedia, 2);
	assert_false(dd.s.has_media);
	assert_false(dd.s.ice_lite);
	assert_int_equal(dd.s.ngroup, 1);
	assert_int_equal(dd.s.group[0].line, 5);
	assert_int_equal(dd.s.group[0].ntag, 2);
	assert_string_equal(dd.s.group[0].tag[0], "0");
	assert_string_equal(dd.s.group[0].tag[1], "1");
	/* t=, a=msid-semantic, a=msid x2, a=ssrc-group */
	assert_int_equal(dd.s.nother, 5);

	assert_int_equal(a->type, SDP_MEDIA_AUDIO);
	assert_int_equal(a->proto, SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_true(sdp_proto_dtls((enum sdp_proto)a->proto));
	assert_false(sdp_proto_rtp((enum sdp_proto)a->proto));
	assert_false(sdp_proto_srtp((enum sdp_proto)a->proto));
	assert_int_equal(a->port, 9);
	assert_int_equal(a->addr.kind, SDP_ADDR_IP);
	assert_int_equal(a->npt, 8);
	assert_int_equal(a->pt[0], 111);
	assert_int_equal(a->pt[7], 126);
	assert_string_equal(a->mid, "0");
	assert_int_equal(a->mid_line, 16);
	assert_int_equal(a->bundle, 1);
	assert_string_equal(a->ice.ufrag, "Hk3W");
	assert_string_equal(a->ice.pwd, "u7ZAqFm1vMZq2b8pY0Qr4s6T");
	assert_int_equal(a->ice.options, SDP_ICE_OPT_TRICKLE);
	assert_int_equal(a->ice.ncand, 0);
	assert_false(a->ice.end_of_candidates);
	assert_int_equal(a->nfp, 1);
	assert_int_equal(a->fp[0].alg, CERTFP_SHA256);
	assert_int_equal(sdp_dtls_fp(a, false, &e), CERTFP_SHA256);
	assert_int_equal(a->setup, SDP_SETUP_ACTPASS);
	assert_int_equal(a->dir, SDP_DIR_SENDRECV);
	assert_true(a->rtcp_mux);
	assert_true(a->rtcp_rsize);
	assert_false(a->rtcp_mux_only);
	assert_int_equal(a->rtcp_port, 9);
	assert_true(a->extmap_allow_mixed);
	assert_int_equal(a->nextmap, 4);
	assert_int_equal(a->extmap[0].id, 1);
	assert_string_equal(a->extmap[0].uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
	assert_int_equal(sdp_extmap_id(a, SDP_EXT_MID), 4);
	assert_int_equal(a->nssrc, 1);
	assert_int_equal(a->ssrc[0], 1001522311u);
	assert_non_null(strstr(a->codec, "a=rtpmap:111 opus/48000/2\r\n"
					 "a=rtcp-fb:111 transport-cc\r\n"
					 "a=fmtp:111 minptime=10;useinbandfec=1\r\n"));
	assert_string_equal(a->tls_id, "");

	assert_int_equal(v->type, SDP_MEDIA_VIDEO);
	assert_int_equal(v->proto, SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_int_equal(v->npt, 25);
	assert_int_equal(v->pt[24], 118);
	assert_true(strlen(v->fmt) > SDP_H248_FMT_MAX - 1);     /* past sdp_parse()'s */
	assert_true(strlen(v->codec) > SDP_H248_CODEC_MAX - 1);
	assert_non_null(strstr(v->codec, "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 goog-remb\r\n"));
	assert_non_null(strstr(v->codec, "a=fmtp:117 apt=116\r\na=rtpmap:118 ulpfec/90000\r\n"));
	assert_string_equal(v->mid, "1");
	assert_int_equal(v->bundle, 1);
	assert_int_equal(v->nextmap, 11);
	assert_int_equal(sdp_extmap_id(v, SDP_EXT_MID), 4);
	assert_int_equal(sdp_extmap_id(v, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"), 10);
	assert_int_equal(sdp_extmap_id(v, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"), 0);
	assert_int_equal(v->nssrc, 2);
	assert_int_equal(v->ssrc[0], 2231627014u);
	assert_int_equal(v->ssrc[1], 632943048u);
	assert_string_equal(v->ice.ufrag, "Hk3W");
	assert_true(v->extmap_allow_mixed);

	/* the whole offer is past sdp_parse()'s limits (an H.248 descriptor's) */
	assert_int_equal(parse(s, &one, &e), -E2BIG);
	assert_int_equal(e.code, SDP_E_SIZE);
	explicit_bzero(&dd, sizeof(dd));
}

static void
test_aiortc_offer(void **state)
{
	const char *s = load("aiortc_offer.sdp");
	const struct sdp_media *a = &dd.media[0];
	const struct sdp_candidate *c;
	struct sdp one;
	struct sdp_error e;

	(void)state;
	assert_int_equal(parse_desc(s, &dd, &e), 0);
	assert_int_equal(dd.nmedia, 1);
	assert_int_equal(dd.s.ngroup, 1);
	assert_int_equal(dd.s.group[0].ntag, 1);
	assert_int_equal(a->proto, SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_int_equal(a->port, 50384);
	assert_string_equal(a->mid, "0");
	assert_int_equal(a->bundle, 1);
	assert_int_equal(a->npt, 3);
	assert_int_equal(a->pt[1], 0);
	assert_true(a->rtcp_mux);
	assert_false(a->rtcp_rsize);
	assert_int_equal(sdp_extmap_id(a, SDP_EXT_MID), 1);
	assert_int_equal(a->nssrc, 1);
	assert_string_equal(a->ice.ufrag, "Zq7L");
	assert_string_equal(a->ice.pwd, "Rm3cVx9kP2sT8wYb1nD4fH");
	assert_int_equal(a->ice.options, 0);
	assert_true(a->ice.end_of_candidates);
	assert_int_equal(a->ice.ncand, 3);
	c = &a->ice.cand[0];
	assert_string_equal(c->foundation, "8c5e7c4f0a1b2d3e4f5a6b7c8d9e0f1a");
	assert_int_equal(c->component, 1);
	assert_int_equal(c->transport, SDP_TRANSPORT_UDP);
	assert_int_equal(c->priority, 2130706431u);
	assert_int_equal(c->addr.kind, SDP_ADDR_IP);
	assert_int_equal(c->addr.family, AF_INET);
	assert_memory_equal(c->addr.ip, "\xc0\xa8\x01\x14", 4);
	assert_int_equal(c->port, 50384);
	assert_int_equal(c->type, SDP_CAND_HOST);
	assert_int_equal(c->raddr.kind, SDP_ADDR_NONE);
	assert_int_equal(c->line, 20);
	c = &a->ice.cand[1];
	assert_int_equal(c->addr.family, AF_INET6);
	assert_int_equal(c->port, 43816);
	c = &a->ice.cand[2];
	assert_int_equal(c->type, SDP_CAND_SRFLX);
	assert_int_equal(c->priority, 1694498815u);
	assert_int_equal(c->raddr.kind, SDP_ADDR_IP);
	assert_memory_equal(c->raddr.ip, "\xc0\xa8\x01\x14", 4);
	assert_int_equal(c->rport, 50384);
	assert_int_equal(a->setup, SDP_SETUP_ACTPASS);
	assert_int_equal(sdp_dtls_fp(a, false, &e), CERTFP_SHA256);
	/* one section: sdp_parse() reads it as sdp_parse_desc() does */
	assert_int_equal(parse(s, &one, &e), 0);
	assert_true(one.has_media);
	assert_memory_equal(&one.media, a, sizeof(*a));
	assert_int_equal(one.ngroup, 1);
	explicit_bzero(&dd, sizeof(dd));
	explicit_bzero(&one, sizeof(one));
}

/* ---- each line: good, malformed, too long, limits ----------------------------------- */

struct bad {
	const char *sdp;
	int rc;
	enum sdp_err code;
	unsigned int line;
	const char *says;
};

#define M "v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 UDP/TLS/RTP/SAVPF 111\n"
#define U4 "a=ice-ufrag:abcd\n"
#define P22 "a=ice-pwd:" PWD22 "\n"
#define CAND "a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 typ host"

static char long_ufrag[400], long_pwd[400], long_tls[400], long_uri[400], long_name[400];
static char many_cand[SDP_SIZE_MAX], many_extmap[SDP_SIZE_MAX], many_ssrc[SDP_SIZE_MAX];
static char many_groups[SDP_SIZE_MAX];

static void
fill(void)
{
	size_t n;

	snprintf(long_ufrag, sizeof(long_ufrag), M "a=ice-ufrag:%0257d\n" P22, 0);
	snprintf(long_pwd, sizeof(long_pwd), M U4 "a=ice-pwd:%0257d\n", 0);
	snprintf(long_tls, sizeof(long_tls), M "a=tls-id:%0256d\n", 0);
	snprintf(long_uri, sizeof(long_uri), M "a=extmap:1 urn:%0125d\n", 0);
	snprintf(long_name, sizeof(long_name),
		 M U4 P22 "a=candidate:1 1 UDP 1 %064d.local 9 typ host\n", 0);
	n = (size_t)snprintf(many_cand, sizeof(many_cand), M U4 P22);
	for (unsigned int i = 0; i <= SDP_CAND_MAX; i++)
		n += (size_t)snprintf(many_cand + n, sizeof(many_cand) - n,
				      "a=candidate:%u 1 UDP 1 192.0.2.1 %u typ host\n", i, 4000 + i);
	n = (size_t)snprintf(many_extmap, sizeof(many_extmap), M);
	for (unsigned int i = 1; i <= SDP_EXTMAP_MAX + 1; i++)
		n += (size_t)snprintf(many_extmap + n, sizeof(many_extmap) - n,
				      "a=extmap:%u urn:x:%u\n", i, i);
	n = (size_t)snprintf(many_ssrc, sizeof(many_ssrc), M);
	for (unsigned int i = 1; i <= SDP_SSRC_MAX + 1; i++)
		n += (size_t)snprintf(many_ssrc + n, sizeof(many_ssrc) - n,
				      "a=ssrc:%u cname:x\na=ssrc:%u msid:a b\n", i, i);
	n = (size_t)snprintf(many_groups, sizeof(many_groups), "v=0\n");
	for (unsigned int i = 0; i <= SDP_GROUP_MAX; i++)
		n += (size_t)snprintf(many_groups + n, sizeof(many_groups) - n,
				      "a=group:BUNDLE m%u\n", i);
}

static void
test_errors(void **state)
{
	const struct bad bad[] = {
		/* ICE's credentials (RFC 8839 section 5.4) */
		{ M "a=ice-ufrag:abc\n" P22, -EINVAL, SDP_E_ICE, 4, "3 characters, not 4..256" },
		{ long_ufrag, -EINVAL, SDP_E_ICE, 4, "257 characters" },
		{ M "a=ice-ufrag:ab-d\n" P22, -EINVAL, SDP_E_ICE, 4, "ice-chars" },
		{ M "a=ice-ufrag\n" P22, -EINVAL, SDP_E_ICE, 4, "ice-chars" },
		{ M U4 "a=ice-pwd:u7ZAqFm1vMZq2b8pY0Qr4\n", -EINVAL, SDP_E_ICE, 5, "21 characters" },
		{ long_pwd, -EINVAL, SDP_E_ICE, 5, "257 characters" },
		{ M U4 "a=ice-pwd:u7ZAqFm1vMZq2b8pY0Qr4s=\n", -EINVAL, SDP_E_ICE, 5, "ice-chars" },
		{ M U4 P22 "a=ice-ufrag:efgh\n", -EINVAL, SDP_E_DUPLICATE, 6, "first is line 4" },
		{ M U4, -EINVAL, SDP_E_ICE, 4, "a=ice-ufrag without a=ice-pwd" },
		{ "v=0\n" P22 "m=audio 1 RTP/AVP 0\n", -EINVAL, SDP_E_ICE, 2,
		  "a=ice-pwd without a=ice-ufrag" },
		{ M "a=ice-options:\n", -EINVAL, SDP_E_ICE, 4, "tags" },
		{ M "a=ice-options:trickle  ice2\n", -EINVAL, SDP_E_ICE, 4, "tags" },
		{ M "a=ice-options:tri.ckle\n", -EINVAL, SDP_E_ICE, 4, "not ice-chars" },
		{ M "a=ice-options:trickle\na=ice-options:ice2\n", -EINVAL, SDP_E_DUPLICATE, 5,
		  "second" },
		{ M "a=ice-lite\n", -EINVAL, SDP_E_ICE, 4, "session-level attribute after m=" },
		{ "v=0\na=ice-lite:yes\n", -EINVAL, SDP_E_ICE, 2, "no value" },
		{ "v=0\na=ice-lite\na=ice-lite\n", -EINVAL, SDP_E_DUPLICATE, 3, "second" },
		{ "v=0\na=ice-mismatch\n", -EINVAL, SDP_E_ICE, 2, "media-level attribute before m=" },
		{ M "a=end-of-candidates:1\n", -EINVAL, SDP_E_ICE, 4, "no value" },
		{ M "a=end-of-candidates\na=end-of-candidates\n", -EINVAL, SDP_E_DUPLICATE, 5,
		  "second" },
		{ M "a=remote-candidates:1 192.0.2.1\n", -EINVAL, SDP_E_ICE, 4, "<component>" },
		{ M "a=remote-candidates:0 192.0.2.1 4000\n", -EINVAL, SDP_E_ICE, 4, "candidate 1" },
		{ M "a=remote-candidates:1 192.0.2.1 4000 2 ::zz 4001\n", -EINVAL, SDP_E_ICE, 4,
		  "candidate 2" },
		/* a=candidate (RFC 8839 section 5.1) */
		{ "v=0\n" CAND "\n", -EINVAL, SDP_E_CANDIDATE, 2, "before m=" },
		{ M U4 P22 "a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 typ\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "not <foundation>" },
		{ M U4 P22 "a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 type host\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "typ <type>" },
		{ M U4 P22 "a=candidate:1 0 UDP 2130706431 192.0.2.1 4000 typ host\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "component \"0\"" },
		{ M U4 P22 "a=candidate:1 257 UDP 2130706431 192.0.2.1 4000 typ host\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "1..256" },
		{ M U4 P22 "a=candidate:1 1 UDP 0 192.0.2.1 4000 typ host\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "priority \"0\"" },
		{ M U4 P22 "a=candidate:1 1 UDP 2147483648 192.0.2.1 4000 typ host\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "2^31-1" },
		{ M U4 P22 "a=candidate:123456789012345678901234567890123 1 UDP 1 192.0.2.1 4000 "
		  "typ host\n", -EINVAL, SDP_E_CANDIDATE, 6, "foundation" },
		{ M U4 P22 "a=candidate:1-2 1 UDP 1 192.0.2.1 4000 typ host\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "foundation" },
		{ M U4 P22 "a=candidate:1 1 UDP 1 192.0.2.300 4000 typ host\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "not an IPv4 or IPv6 address" },
		{ M U4 P22 "a=candidate:1 1 UDP 1 2001:db8::zz 4000 typ host\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "not an IPv4" },
		{ M U4 P22 "a=candidate:1 1 UDP 1 192.0.2.1 65536 typ host\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "port" },
		{ M U4 P22 CAND " generation\n", -EINVAL, SDP_E_CANDIDATE, 6, "without its value" },
		{ M U4 P22 CAND " raddr 1.2.3\n", -EINVAL, SDP_E_CANDIDATE, 6, "raddr" },
		{ M U4 P22 CAND " rport x\n", -EINVAL, SDP_E_CANDIDATE, 6, "rport" },
		{ M U4 P22 "a=candidate:1 1 TCP 1 192.0.2.1 9 typ host tcptype x\n", -EINVAL,
		  SDP_E_CANDIDATE, 6, "tcptype" },
		{ M U4 P22 CAND "  generation 0\n", -EINVAL, SDP_E_CANDIDATE, 6, "fields" },
		{ long_name, -E2BIG, SDP_E_TOO_LONG, 6, "name longer than 63" },
		{ many_cand, -E2BIG, SDP_E_ATTR_COUNT, 6 + SDP_CAND_MAX, "more than 16" },
		/* a=tls-id (RFC 8842 section 4) */
		{ M "a=tls-id:1234567890123456789\n", -EINVAL, SDP_E_TLS_ID, 4, "19 characters" },
		{ long_tls, -E2BIG, SDP_E_TLS_ID, 4, "256 characters" },
		{ M "a=tls-id:abcdefghij.klmnopqrstu\n", -EINVAL, SDP_E_TLS_ID, 4, "ALPHA" },
		{ "v=0\na=tls-id:abcdefghijklmnopqrstu\n", -EINVAL, SDP_E_TLS_ID, 2, "before m=" },
		{ M "a=tls-id:abcdefghijklmnopqrstu\na=tls-id:abcdefghijklmnopqrstu\n", -EINVAL,
		  SDP_E_DUPLICATE, 5, "second" },
		/* DTLS's role (RFC 8842 section 5.2), at either level */
		{ M "a=setup:holdconn\n", -EINVAL, SDP_E_DTLS_SETUP, 4, "holdconn" },
		{ "v=0\na=setup:holdconn\nm=video 4000 UDP/TLS/RTP/SAVP 96\n", -EINVAL,
		  SDP_E_DTLS_SETUP, 2, "UDP/TLS/RTP/SAVP section" },
		/* a=mid, a=group, BUNDLE (RFC 5888, RFC 9143) */
		{ "v=0\na=mid:0\n", -EINVAL, SDP_E_MID, 2, "before m=" },
		{ M "a=mid\n", -EINVAL, SDP_E_MID, 4, "not a token" },
		{ M "a=mid:a(b\n", -EINVAL, SDP_E_MID, 4, "not a token" },
		{ M "a=mid:123456789012345678901234567890123\n", -E2BIG, SDP_E_MID, 4, "32 bytes" },
		{ M "a=mid:0\na=mid:1\n", -EINVAL, SDP_E_DUPLICATE, 5, "first is line 4" },
		{ M "a=group:BUNDLE 0\n", -EINVAL, SDP_E_GROUP, 4, "after m=" },
		{ "v=0\na=group\n", -EINVAL, SDP_E_GROUP, 2, "semantics" },
		{ "v=0\na=group:BUNDLE 0 0\n", -EINVAL, SDP_E_GROUP, 2, "mid \"0\" twice" },
		{ "v=0\na=group:BUNDLE 0  1\n", -EINVAL, SDP_E_GROUP, 2, "semantics" },
		{ "v=0\na=group:BUNDLE 0 a\"b\n", -EINVAL, SDP_E_GROUP, 2, "not a token" },
		{ "v=0\na=group:BUNDLE 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n", -E2BIG,
		  SDP_E_BUNDLE, 2, "more than 8 mids" },
		{ "v=0\na=group:BUNDLE 123456789012345678901234567890123\n", -E2BIG,
		  SDP_E_TOO_LONG, 2, "mid longer" },
		{ many_groups, -E2BIG, SDP_E_ATTR_COUNT, 2 + SDP_GROUP_MAX, "more than 4 groups" },
		{ M "a=bundle-only:1\n", -EINVAL, SDP_E_RTP_ATTR, 4, "no value" },
		/* a=extmap (RFC 8285 section 8) */
		{ M "a=extmap:1\n", -EINVAL, SDP_E_EXTMAP, 4, "not <id>" },
		{ M "a=extmap:0 urn:x\n", -EINVAL, SDP_E_EXTMAP, 4, "1..255 or 4096..4351" },
		{ M "a=extmap:256 urn:x\n", -EINVAL, SDP_E_EXTMAP, 4, "1..255" },
		{ M "a=extmap:4095 urn:x\n", -EINVAL, SDP_E_EXTMAP, 4, "1..255" },
		{ M "a=extmap:4352 urn:x\n", -EINVAL, SDP_E_EXTMAP, 4, "1..255" },
		{ M "a=extmap:1/both urn:x\n", -EINVAL, SDP_E_EXTMAP, 4, "direction" },
		{ M "a=extmap:1 nourischeme\n", -EINVAL, SDP_E_EXTMAP, 4, "URI" },
		{ M "a=extmap:1 urn:x\na=extmap:1 urn:y\n", -EINVAL, SDP_E_EXTMAP, 5,
		  "first is line 4" },
		{ long_uri, -E2BIG, SDP_E_TOO_LONG, 4, "URI longer than 127" },
		{ many_extmap, -E2BIG, SDP_E_ATTR_COUNT, 4 + SDP_EXTMAP_MAX, "more than 16" },
		{ "v=0\na=extmap:1 urn:a\na=extmap:2 urn:b\nm=audio 1 RTP/AVP 0\n"
		  "a=extmap:3 urn:c\na=extmap:4 urn:d\na=extmap:5 urn:e\na=extmap:6 urn:f\n"
		  "a=extmap:7 urn:g\na=extmap:8 urn:h\na=extmap:9 urn:i\na=extmap:10 urn:j\n"
		  "a=extmap:11 urn:k\na=extmap:12 urn:l\na=extmap:13 urn:m\na=extmap:14 urn:n\n"
		  "a=extmap:15 urn:o\na=extmap:16 urn:p\na=extmap:17 urn:q\n", -E2BIG,
		  SDP_E_ATTR_COUNT, 3, "for the m= section of line 4" },
		{ M "a=extmap-allow-mixed:1\n", -EINVAL, SDP_E_RTP_ATTR, 4, "no value" },
		/* RTCP's flags, a=ssrc (RFC 8858, RFC 5506, RFC 5576) */
		{ M "a=rtcp-mux-only:1\n", -EINVAL, SDP_E_RTP_ATTR, 4, "no value" },
		{ M "a=rtcp-rsize\na=rtcp-rsize\n", -EINVAL, SDP_E_DUPLICATE, 5, "second" },
		{ M "a=ssrc:1\n", -EINVAL, SDP_E_RTP_ATTR, 4, "<ssrc-id>" },
		{ M "a=ssrc:4294967296 cname:x\n", -EINVAL, SDP_E_RTP_ATTR, 4, "4294967295" },
		{ M "a=ssrc:1 \n", -EINVAL, SDP_E_RTP_ATTR, 4, "<attribute>" },
		{ many_ssrc, -E2BIG, SDP_E_ATTR_COUNT, 4 + 2 * SDP_SSRC_MAX, "more than 16 SSRCs" },
	};
	struct sdp d;
	struct sdp_error e;

	(void)state;
	fill();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i].sdp, &d, &e);

		if (rc != bad[i].rc || e.code != bad[i].code || e.line != bad[i].line ||
		    strstr(e.msg, bad[i].says) == NULL)
			fail_msg("case %zu: rc %d code %s line %u \"%s\"; wanted %d %s %u \"%s\"", i,
				 rc, sdp_err_name(e.code), e.line, e.msg, bad[i].rc,
				 sdp_err_name(bad[i].code), bad[i].line, bad[i].says);
		/* the ICE password never in a sentence */
		assert_null(strstr(e.msg, PWD22));
		assert_false(d.has_media);
		assert_int_equal(d.media.ice.ncand, 0);
		assert_string_equal(d.media.ice.pwd, "");
	}
}

static void
test_limits_and_levels(void **state)
{
	char s[2048];
	struct sdp d;
	struct sdp_error e;
	size_t n;

	(void)state;
	fill();
	/* the credentials' bounds exactly: 4 and 256, 22 and 256 */
	n = (size_t)snprintf(s, sizeof(s), M "a=ice-ufrag:%0256d\na=ice-pwd:%0256d\n", 0, 0);
	assert_int_equal(sdp_parse(s, n, &d, &e), 0);
	assert_int_equal(strlen(d.media.ice.ufrag), 256);
	assert_int_equal(strlen(d.media.ice.pwd), 256);
	assert_int_equal(parse(M U4 P22, &d, &e), 0);
	assert_string_equal(d.media.ice.pwd, PWD22);
	/* tls-id: 20 and 255 of its characters */
	assert_int_equal(parse(M "a=tls-id:abcdefghijklmnopq+/-_\n", &d, &e), 0);
	assert_string_equal(d.media.tls_id, "abcdefghijklmnopq+/-_");
	n = (size_t)snprintf(s, sizeof(s), M "a=tls-id:%0255d\n", 0);
	assert_int_equal(sdp_parse(s, n, &d, &e), 0);
	assert_int_equal(strlen(d.media.tls_id), 255);
	assert_int_equal(d.media.tls_id_line, 4);
	/* a mid of 32, a name of 63 (an mDNS candidate), 16 candidates, extmaps, SSRCs */
	assert_int_equal(parse(M "a=mid:12345678901234567890123456789012\n", &d, &e), 0);
	n = (size_t)snprintf(s, sizeof(s), M U4 P22 "a=candidate:1 1 udp 1 %057d.local 9 typ host\n",
			     0);
	assert_int_equal(sdp_parse(s, n, &d, &e), 0);
	assert_int_equal(d.media.ice.cand[0].addr.kind, SDP_ADDR_FQDN);
	assert_int_equal(strlen(d.media.ice.cand[0].name), 63);
	many_cand[strlen(many_cand) - strlen("a=candidate:16 1 UDP 1 192.0.2.1 4016 typ host\n")] =
		'\0';
	assert_int_equal(parse(many_cand, &d, &e), 0);
	assert_int_equal(d.media.ice.ncand, SDP_CAND_MAX);
	many_extmap[strlen(many_extmap) - strlen("a=extmap:17 urn:x:17\n")] = '\0';
	assert_int_equal(parse(many_extmap, &d, &e), 0);
	assert_int_equal(d.media.nextmap, SDP_EXTMAP_MAX);
	many_ssrc[strlen(many_ssrc) - strlen("a=ssrc:17 cname:x\na=ssrc:17 msid:a b\n")] = '\0';
	assert_int_equal(parse(many_ssrc, &d, &e), 0);
	assert_int_equal(d.media.nssrc, SDP_SSRC_MAX);
	/* extmap ids at their bounds, with directions */
	assert_int_equal(parse(M "a=extmap:1 urn:a\na=extmap:14/sendonly urn:b\n"
			       "a=extmap:255/recvonly urn:c\na=extmap:4096/inactive urn:d\n"
			       "a=extmap:4351/sendrecv urn:e attr1 attr2\n", &d, &e), 0);
	assert_int_equal(d.media.nextmap, 5);
	assert_int_equal(d.media.extmap[1].dir, SDP_DIR_SENDONLY);
	assert_int_equal(d.media.extmap[4].id, 4351);
	assert_string_equal(d.media.extmap[4].uri, "urn:e");
	assert_int_equal(d.media.extmap[0].dir, SDP_DIR_NONE);

	/* session level, inherited; the medium's own override */
	assert_int_equal(parse("v=0\na=ice-ufrag:sess\na=ice-pwd:" PWD22 "\na=ice-options:ice2 x\n"
			       "a=end-of-candidates\na=extmap:1 urn:sess1\na=extmap:2 urn:sess2\n"
			       "a=extmap-allow-mixed\na=fingerprint:sha-256 " FP256 "\n"
			       "a=setup:passive\nm=audio 1 UDP/TLS/RTP/SAVP 0\na=ice-ufrag:medi\n"
			       "a=extmap:2 urn:med2\n", &d, &e), 0);
	assert_string_equal(d.media.ice.ufrag, "medi");
	assert_int_equal(d.media.ice.ufrag_line, 12);
	assert_string_equal(d.media.ice.pwd, PWD22);
	assert_int_equal(d.media.ice.pwd_line, 3);
	assert_int_equal(d.media.ice.options, SDP_ICE_OPT_ICE2 | SDP_ICE_OPT_OTHER);
	assert_true(d.media.ice.end_of_candidates);
	assert_true(d.media.extmap_allow_mixed);
	assert_int_equal(d.media.nextmap, 2);
	assert_string_equal(d.media.extmap[0].uri, "urn:med2");
	assert_string_equal(d.media.extmap[1].uri, "urn:sess1");
	assert_int_equal(d.media.setup, SDP_SETUP_PASSIVE);
	assert_int_equal(d.media.nfp, 1);
	assert_int_equal(sdp_dtls_fp(&d.media, false, &e), CERTFP_SHA256);
	/* a=ice-lite is the session's; the media-level attributes before m=
	 * that RTP's are counted, as a=rtcp-mux is */
	assert_int_equal(parse("v=0\na=ice-lite\na=rtcp-rsize\na=ssrc:1 cname:x\na=bundle-only\n"
			       "a=msid-semantic: WMS\nm=audio 1 RTP/AVP 0\na=ice-options:trickle "
			       "renomination\na=remote-candidates:1 192.0.2.9 5000 2 192.0.2.9 5001\n"
			       "a=ice-mismatch\na=rtcp-mux-only\na=bundle-only\n", &d, &e), 0);
	assert_true(d.ice_lite);
	assert_int_equal(d.nother, 4);
	assert_false(d.media.rtcp_rsize);
	assert_int_equal(d.media.nssrc, 0);
	assert_int_equal(d.media.ice.options, SDP_ICE_OPT_TRICKLE | SDP_ICE_OPT_RENOMINATION);
	assert_int_equal(d.media.ice.nremote, 2);
	assert_true(d.media.ice.mismatch);
	assert_true(d.media.rtcp_mux_only);
	assert_true(d.media.bundle_only);
	/* holdconn is only DTLS's refusal: a TCP leg and plain RTP keep it */
	assert_int_equal(parse("v=0\nm=audio 1 RTP/AVP 0\na=setup:holdconn\n", &d, &e), 0);
	assert_int_equal(parse("v=0\nm=message 1 TCP/MSRP *\na=setup:holdconn\n", &d, &e), 0);
	/* other group semantics are counted, not kept; BUNDLE naming others
	 * than this one section is not sdp_parse()'s to judge */
	assert_int_equal(parse("v=0\na=group:LS 1 2\na=group:BUNDLE 1 2\na=group:bundle 3\n"
			       "m=audio 1 RTP/AVP 0\na=mid:2\n", &d, &e), 0);
	assert_int_equal(d.nother, 1);
	assert_int_equal(d.ngroup, 2);
	assert_int_equal(d.media.bundle, 1);
	/* an empty group, and aiortc 1.4's spelling of one (a space after the
	 * semantics); two spaces, or one after a mid, are not taken */
	assert_int_equal(parse("v=0\na=group:BUNDLE \nm=audio 1 RTP/AVP 0\na=mid:2\n", &d, &e), 0);
	assert_int_equal(d.ngroup, 1);
	assert_int_equal(d.group[0].ntag, 0);
	assert_int_equal(parse("v=0\na=group:BUNDLE  \n", &d, &e), -EINVAL);
	assert_int_equal(e.code, SDP_E_GROUP);
	assert_int_equal(parse("v=0\na=group:BUNDLE 0 \n", &d, &e), -EINVAL);
	assert_int_equal(e.code, SDP_E_GROUP);
	assert_int_equal(parse("v=0\na=group: \n", &d, &e), -EINVAL);
	assert_int_equal(e.code, SDP_E_GROUP);
	assert_int_equal(parse("v=0\na=group:BUNDLE\nm=audio 1 RTP/AVP 0\na=mid:2\n", &d, &e), 0);
	assert_int_equal(d.group[0].ntag, 0);
	assert_int_equal(d.media.bundle, 0);
}

static void
test_candidates(void **state)
{
	struct sdp d;
	struct sdp_error e;
	const struct sdp_candidate *c = d.media.ice.cand;

	(void)state;
	assert_int_equal(parse(M U4 P22
			       "a=candidate:842163049 1 udp 1677729535 198.51.100.7 51602 typ srflx "
			       "raddr 0.0.0.0 rport 0 generation 0 network-id 1 network-cost 10\n"
			       "a=candidate:1467250027 1 tcp 1518280447 192.168.1.5 9 typ host "
			       "tcptype active generation 0\n"
			       "a=candidate:2 1 UDP 2122262783 7d7e0c43-1f2a-4b5c-9d8e-0f1a2b3c4d5e.local "
			       "58226 typ host generation 0\n"
			       "a=candidate:3 2 UDP 16777214 2001:db8::1 3478 typ relay raddr "
			       "host.example.com rport 50000\n"
			       "a=candidate:4 1 UDP 1 192.0.2.1 4000 typ other x y\n", &d, &e), 0);
	assert_int_equal(d.media.ice.ncand, 5);
	assert_string_equal(c[0].foundation, "842163049");
	assert_int_equal(c[0].type, SDP_CAND_SRFLX);
	assert_int_equal(c[0].raddr.kind, SDP_ADDR_IP);
	assert_int_equal(c[0].rport, 0);
	assert_int_equal(c[0].next, 3);
	assert_int_equal(c[1].transport, SDP_TRANSPORT_TCP);
	assert_int_equal(c[1].tcptype, SDP_TCPTYPE_ACTIVE);
	assert_int_equal(c[1].port, 9);
	assert_int_equal(c[1].next, 1);
	assert_int_equal(c[2].addr.kind, SDP_ADDR_FQDN);
	assert_string_equal(c[2].name, "7d7e0c43-1f2a-4b5c-9d8e-0f1a2b3c4d5e.local");
	assert_int_equal(c[3].component, 2);
	assert_int_equal(c[3].type, SDP_CAND_RELAY);
	assert_int_equal(c[3].addr.family, AF_INET6);
	assert_int_equal(c[3].raddr.kind, SDP_ADDR_FQDN);
	assert_int_equal(c[3].rport, 50000);
	assert_int_equal(c[4].type, SDP_CAND_OTHER);
	assert_int_equal(c[4].line, 10);
}

static void
test_dtls(void **state)
{
	struct sdp d;
	struct sdp_error e;

	(void)state;
	assert_int_equal(parse("v=0\nm=audio 1 UDP/TLS/RTP/SAVP 0\n", &d, &e), 0);
	assert_int_equal(d.media.proto, SDP_PROTO_UDP_TLS_RTP_SAVP);
	assert_string_equal(sdp_proto_name(SDP_PROTO_UDP_TLS_RTP_SAVP), "UDP/TLS/RTP/SAVP");
	assert_string_equal(sdp_proto_name(SDP_PROTO_UDP_TLS_RTP_SAVPF), "UDP/TLS/RTP/SAVPF");
	assert_null(sdp_proto_name(SDP_PROTO_COUNT));
	assert_false(sdp_proto_dtls(SDP_PROTO_RTP_SAVPF));
	/* no fingerprint: the handshake could not be checked */
	assert_int_equal(sdp_dtls_fp(&d.media, true, &e), -EINVAL);
	assert_int_equal(e.code, SDP_E_NO_FINGERPRINT);
	/* sha-1 alone: refused unless allowed; beside a stronger one, that one */
	assert_int_equal(parse("v=0\nm=audio 1 UDP/TLS/RTP/SAVP 0\na=fingerprint:sha-1 " FP1 "\n",
			       &d, &e), 0);
	assert_int_equal(sdp_dtls_fp(&d.media, false, &e), -ENOTSUP);
	assert_int_equal(e.code, SDP_E_FP_WEAK);
	assert_non_null(strstr(e.msg, "all sha-1"));
	assert_int_equal(sdp_dtls_fp(&d.media, true, &e), CERTFP_SHA1);
	assert_int_equal(parse("v=0\na=fingerprint:sha-1 " FP1 "\na=fingerprint:sha-256 " FP256 "\n"
			       "m=audio 1 UDP/TLS/RTP/SAVPF 0\n", &d, &e), 0);
	assert_int_equal(sdp_dtls_fp(&d.media, false, &e), CERTFP_SHA256);
	/* not DTLS-SRTP: not its question */
	assert_int_equal(parse("v=0\nm=audio 1 RTP/SAVP 0\na=fingerprint:sha-256 " FP256 "\n", &d,
			       &e), 0);
	assert_int_equal(sdp_dtls_fp(&d.media, false, &e), -ENOTSUP);
	assert_int_equal(e.code, SDP_E_PROTO);
	/* neither deriver takes DTLS-SRTP without being asked (cp/ng reads
	 * its sections itself); sdp_rtp_derive_flags() with
	 * SDP_RTP_TAKE_DTLS does (cp/iq's): no a=crypto read, dtls said */
	{
		struct sdp_term t;
		struct sdp_rtp_term rt;
		struct sdp l;
		uint8_t ip[4] = { 192, 0, 2, 1 };

		assert_int_equal(parse("v=0\nc=IN IP4 192.0.2.1\nm=audio 1 UDP/TLS/RTP/SAVPF 0\n"
				       "a=fingerprint:sha-256 " FP256 "\n", &d, &e), 0);
		assert_int_equal(sdp_derive(NULL, &d, 0, &t, &e), -ENOTSUP);
		assert_int_equal(e.code, SDP_E_PROTO);
		assert_int_equal(sdp_rtp_derive(NULL, &d, 0, &rt, &e), -ENOTSUP);
		assert_int_equal(e.code, SDP_E_PROTO);
		assert_int_equal(sdp_rtp_derive_flags(NULL, &d, 0, 0x80, &rt, &e), -EINVAL);
		assert_int_equal(parse("v=0\nc=IN IP4 192.0.2.1\nm=audio 5000 UDP/TLS/RTP/SAVPF 0\n"
				       "a=rtcp-mux\na=setup:actpass\na=fingerprint:sha-256 " FP256 "\n",
				       &d, &e), 0);
		assert_int_equal(parse("v=0\nc=IN IP4 $\nm=audio $ UDP/TLS/RTP/SAVPF 0\na=rtcp-mux\n",
				       &l, &e), 0);
		assert_int_equal(sdp_rtp_derive_flags(&l, &d, 0, SDP_RTP_TAKE_DTLS, &rt, &e), 0);
		assert_true(rt.dtls);
		assert_false(rt.srtp);
		assert_true(rt.rtcp_mux);
		assert_int_equal(rt.proto, SDP_PROTO_UDP_TLS_RTP_SAVPF);
		assert_int_equal(rt.remote_port, 5000);
		assert_int_equal(rt.remote_rtcp_port, 5000);
		assert_memory_equal(rt.remote_ip, ip, 4);
		assert_true(rt.local_port_choose && rt.local_addr_choose);
		/* the flag takes DTLS-SRTP, not a mix of it and SDES */
		assert_int_equal(parse("v=0\nc=IN IP4 $\nm=audio $ RTP/SAVPF 0\na=rtcp-mux\n", &l, &e),
				 0);
		assert_int_equal(sdp_rtp_derive_flags(&l, &d, 0, SDP_RTP_TAKE_DTLS, &rt, &e), -EINVAL);
		assert_int_equal(e.code, SDP_E_PROTO_MISMATCH);
		/* an RTP proto is as without the flag */
		assert_int_equal(parse("v=0\nc=IN IP4 192.0.2.1\nm=audio 5000 RTP/AVP 0\n", &d, &e), 0);
		assert_int_equal(sdp_rtp_derive_flags(NULL, &d, 0, SDP_RTP_TAKE_DTLS, &rt, &e), 0);
		assert_false(rt.dtls);
		assert_int_equal(rt.remote_rtcp_port, 5001);
	}
}

static void
test_bundle_desc(void **state)
{
	const struct bad bad[] = {
		{ "v=0\na=group:BUNDLE 0 2\nm=audio 1 RTP/AVP 0\na=mid:0\nm=video 2 RTP/AVP 96\n"
		  "a=mid:1\n", -EINVAL, SDP_E_BUNDLE, 2, "names mid 2, which no m= section has" },
		{ "v=0\na=group:BUNDLE 0\na=group:BUNDLE 1 0\nm=audio 1 RTP/AVP 0\na=mid:0\n"
		  "m=video 2 RTP/AVP 96\na=mid:1\n", -EINVAL, SDP_E_BUNDLE, 3,
		  "the group of line 2" },
		{ "v=0\nm=audio 1 RTP/AVP 0\na=mid:0\nm=video 2 RTP/AVP 96\na=mid:0\n", -EINVAL,
		  SDP_E_MID, 5, "a=mid:0 again (the first is line 3)" },
		{ "v=0\nm=audio 1 UDP/TLS/RTP/SAVPF 0\nm=video 2 UDP/TLS/RTP/SAVPF 96\n"
		  "a=setup:holdconn\n", -EINVAL, SDP_E_DTLS_SETUP, 4, "holdconn" },
		{ "v=0\nm=audio 1 RTP/AVP 0\na=ice-ufrag:abcd\nm=video 2 RTP/AVP 96\n", -EINVAL,
		  SDP_E_ICE, 3, "without a=ice-pwd" },
	};
	char s[4096];
	struct sdp_error e;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse_desc(bad[i].sdp, &dd, &e);

		if (rc != bad[i].rc || e.code != bad[i].code || e.line != bad[i].line ||
		    strstr(e.msg, bad[i].says) == NULL)
			fail_msg("case %zu: rc %d code %s line %u \"%s\"", i, rc,
				 sdp_err_name(e.code), e.line, e.msg);
		assert_int_equal(dd.nmedia, 0);
	}
	/* 16 bundled m= sections: the group is refused before any section
	 * (SDP_SECTIONS_MAX), and so is a 9th m= section on its own */
	n = (size_t)snprintf(s, sizeof(s), "v=0\na=group:BUNDLE");
	for (unsigned int i = 0; i < 16; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, " %u", i);
	n += (size_t)snprintf(s + n, sizeof(s) - n, "\n");
	for (unsigned int i = 0; i < 16; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n,
				      "m=audio %u UDP/TLS/RTP/SAVPF 111\na=mid:%u\na=bundle-only\n",
				      i == 0 ? 9u : 0u, i);
	assert_int_equal(sdp_parse_desc(s, n, &dd, &e), -E2BIG);
	assert_int_equal(e.code, SDP_E_BUNDLE);
	assert_int_equal(e.line, 2);
	n = (size_t)snprintf(s, sizeof(s), "v=0\n");
	for (unsigned int i = 0; i < SDP_SECTIONS_MAX + 1; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "m=audio %u RTP/AVP 0\na=mid:%u\n",
				      1000 + i, i);
	assert_int_equal(sdp_parse_desc(s, n, &dd, &e), -E2BIG);
	assert_int_equal(e.code, SDP_E_MEDIA_COUNT);
	assert_int_equal(e.line, 2 + 2 * SDP_SECTIONS_MAX);
	/* 8 exactly, all in one group; the tagged one first */
	n = (size_t)snprintf(s, sizeof(s), "v=0\na=group:BUNDLE 7 0 1 2 3 4 5 6\n");
	for (unsigned int i = 0; i < SDP_SECTIONS_MAX; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "m=audio %u RTP/AVP 0\na=mid:%u\n%s",
				      1000 + i, i, i > 0 ? "a=bundle-only\n" : "");
	assert_int_equal(sdp_parse_desc(s, n, &dd, &e), 0);
	assert_int_equal(dd.nmedia, SDP_SECTIONS_MAX);
	for (unsigned int i = 0; i < SDP_SECTIONS_MAX; i++)
		assert_int_equal(dd.media[i].bundle, 1);
	assert_string_equal(dd.s.group[0].tag[0], "7");
	assert_true(dd.media[1].bundle_only);
	/* two groups, and a section in none */
	assert_int_equal(parse_desc("v=0\na=group:BUNDLE a\na=group:BUNDLE b c\n"
				    "m=audio 1 RTP/AVP 0\na=mid:a\nm=audio 2 RTP/AVP 0\na=mid:b\n"
				    "m=audio 3 RTP/AVP 0\na=mid:c\nm=audio 4 RTP/AVP 0\na=mid:d\n"
				    "m=audio 5 RTP/AVP 0\n", &dd, &e), 0);
	assert_int_equal(dd.media[0].bundle, 1);
	assert_int_equal(dd.media[1].bundle, 2);
	assert_int_equal(dd.media[2].bundle, 2);
	assert_int_equal(dd.media[3].bundle, 0);
	assert_int_equal(dd.media[4].bundle, 0);
	/* sdp_parse_desc()'s own limits: size, lines */
	assert_int_equal(sdp_parse_desc(text, SDP_DESC_SIZE_MAX + 1, &dd, &e), -E2BIG);
	assert_int_equal(e.code, SDP_E_SIZE);
	n = (size_t)snprintf(s, sizeof(s), "v=0\nm=audio 1 RTP/AVP 0\n");
	while (n + 4 < sizeof(s))
		n += (size_t)snprintf(s + n, sizeof(s) - n, "b=x\n");
	assert_int_equal(sdp_parse_desc(s, n, &dd, &e), -E2BIG);
	assert_int_equal(e.code, SDP_E_LINES);
	assert_int_equal(e.line, SDP_DESC_LINES_MAX + 1);
}

/* sdp_bundle_check() on its own, as cp/ng calls it (groups read by
 * sdp_parse(), the sections' mids read one section at a time): the same
 * rules and sentences as sdp_parse_desc()'s, and each section's group. */
static void
test_bundle_check(void **state)
{
	struct sdp_mid_ref sec[SDP_SECTIONS_MAX] = {
		{ "a", 10 }, { "v", 20 }, { "", 0 }, { "d", 40 }, { NULL, 0 },
	};
	static struct sdp d;
	uint8_t bundle[SDP_SECTIONS_MAX];
	struct sdp_error e;

	(void)state;
	assert_int_equal(parse("v=0\na=group:BUNDLE v a\na=group:LS a v\na=group:BUNDLE d\n", &d,
			       &e), 0);
	assert_int_equal(d.ngroup, 2);
	memset(bundle, 0xee, sizeof(bundle));
	assert_int_equal(sdp_bundle_check(d.group, d.ngroup, sec, 5, bundle, &e), 0);
	assert_int_equal(bundle[0], 1);
	assert_int_equal(bundle[1], 1);
	assert_int_equal(bundle[2], 0);
	assert_int_equal(bundle[3], 2);
	assert_int_equal(bundle[4], 0);
	assert_int_equal(bundle[5], 0xee);      /* nsec octets only */
	assert_int_equal(sdp_bundle_check(d.group, d.ngroup, sec, 5, NULL, &e), 0);
	assert_int_equal(sdp_bundle_check(NULL, 0, NULL, 0, NULL, &e), 0);
	/* a group naming a mid no section has (the section of mid d left out) */
	memset(bundle, 0xee, sizeof(bundle));
	assert_int_equal(sdp_bundle_check(d.group, d.ngroup, sec, 3, bundle, &e), -EINVAL);
	assert_int_equal(e.code, SDP_E_BUNDLE);
	assert_int_equal(e.line, 4);
	assert_string_equal(e.msg, "line 4: a=group:BUNDLE names mid d, which no m= section has "
			    "(RFC 9143 section 7)");
	assert_int_equal(bundle[0], 0xee);
	/* a mid twice across sections */
	sec[2] = (struct sdp_mid_ref){ "a", 30 };
	assert_int_equal(sdp_bundle_check(d.group, d.ngroup, sec, 5, bundle, &e), -EINVAL);
	assert_int_equal(e.code, SDP_E_MID);
	assert_int_equal(e.line, 30);
	assert_string_equal(e.msg, "line 30: a=mid:a again (the first is line 10): a mid names "
			    "one m= section (RFC 5888 section 4)");
	sec[2] = (struct sdp_mid_ref){ "", 0 };
	/* a section in two groups */
	assert_int_equal(parse("v=0\na=group:BUNDLE a\na=group:BUNDLE v d a\n", &d, &e), 0);
	assert_int_equal(sdp_bundle_check(d.group, d.ngroup, sec, 5, bundle, &e), -EINVAL);
	assert_int_equal(e.code, SDP_E_BUNDLE);
	assert_int_equal(e.line, 3);
	assert_string_equal(e.msg, "line 3: a=group:BUNDLE names mid a, which the group of line 2 "
			    "has: a section is in one BUNDLE group (RFC 9143 section 7)");
	/* a mid twice in one group (sdp_parse() refuses that line; a caller's
	 * own group is held to it too) */
	d.group[1].ntag = 2;
	snprintf(d.group[1].tag[1], SDP_MID_MAX, "v");
	assert_int_equal(sdp_bundle_check(&d.group[1], 1, sec, 5, bundle, &e), -EINVAL);
	assert_int_equal(e.code, SDP_E_GROUP);
	assert_non_null(strstr(e.msg, "mid \"v\" twice"));
	/* past its bounds, or NULL */
	assert_int_equal(sdp_bundle_check(d.group, d.ngroup, sec, SDP_SECTIONS_MAX + 1, bundle,
					  &e), -EINVAL);
	assert_int_equal(sdp_bundle_check(NULL, 1, sec, 5, bundle, &e), -EINVAL);
	assert_int_equal(sdp_bundle_check(d.group, d.ngroup, NULL, 1, bundle, &e), -EINVAL);
}

/* ---- what callers compute --------------------------------------------------------- */

static void
test_priority_foundation(void **state)
{
	struct sdp_addr a = { .kind = SDP_ADDR_IP, .family = AF_INET, .ip = { 192, 0, 2, 1 } };
	struct sdp_addr b = a;
	char f1[SDP_FOUNDATION_MAX], f2[SDP_FOUNDATION_MAX], f3[SDP_FOUNDATION_MAX];
	struct sdp_candidate c[2];
	const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	(void)state;
	/* RFC 8445 section 5.1.2.1 with 5.1.2.2's preferences: the values
	 * every stack writes for one address */
	assert_int_equal(sdp_ice_priority(SDP_CAND_HOST, 65535, 1), 2130706431u);
	assert_int_equal(sdp_ice_priority(SDP_CAND_HOST, 65535, 2), 2130706430u);
	assert_int_equal(sdp_ice_priority(SDP_CAND_SRFLX, 65535, 1), 1694498815u);
	assert_int_equal(sdp_ice_priority(SDP_CAND_PRFLX, 65535, 1), 1862270975u);
	assert_int_equal(sdp_ice_priority(SDP_CAND_RELAY, 65535, 1), 16777215u);
	assert_int_equal(sdp_ice_priority(SDP_CAND_HOST, 0, 256), (126u << 24));
	assert_int_equal(sdp_ice_priority(SDP_CAND_OTHER, 65535, 1), 0);
	assert_int_equal(sdp_ice_priority(SDP_CAND_HOST, 65535, 0), 0);
	assert_int_equal(sdp_ice_priority(SDP_CAND_HOST, 65535, 257), 0);
	/* the same type, transport and base: one foundation; else another */
	assert_int_equal(sdp_ice_foundation(SDP_CAND_HOST, SDP_TRANSPORT_UDP, &a, f1), 0);
	assert_int_equal(sdp_ice_foundation(SDP_CAND_HOST, SDP_TRANSPORT_UDP, &b, f2), 0);
	assert_string_equal(f1, f2);
	b.ip[3] = 2;
	assert_int_equal(sdp_ice_foundation(SDP_CAND_HOST, SDP_TRANSPORT_UDP, &b, f2), 0);
	assert_string_not_equal(f1, f2);
	assert_int_equal(sdp_ice_foundation(SDP_CAND_HOST, SDP_TRANSPORT_TCP, &a, f3), 0);
	assert_string_not_equal(f1, f3);
	assert_int_equal(sdp_ice_foundation(SDP_CAND_SRFLX, SDP_TRANSPORT_UDP, &a, f3), 0);
	assert_string_not_equal(f1, f3);
	assert_true(strlen(f1) >= 1 && strlen(f1) <= 10 && strspn(f1, "0123456789") == strlen(f1));
	b.kind = SDP_ADDR_FQDN;
	assert_int_equal(sdp_ice_foundation(SDP_CAND_HOST, SDP_TRANSPORT_UDP, &b, f2), -EINVAL);
	assert_int_equal(sdp_ice_foundation(SDP_CAND_OTHER, SDP_TRANSPORT_UDP, &a, f2), -EINVAL);
	assert_int_equal(sdp_ice_foundation(SDP_CAND_HOST, SDP_TRANSPORT_OTHER, &a, f2), -EINVAL);
	/* our host candidates: RTP and RTCP, or one with mux */
	assert_int_equal(sdp_host_candidates(AF_INET, a.ip, 30000, 30001, 65535, c), 2);
	assert_int_equal(c[0].component, 1);
	assert_int_equal(c[1].component, 2);
	assert_int_equal(c[1].port, 30001);
	assert_int_equal(c[0].priority, 2130706431u);
	assert_int_equal(c[1].priority, 2130706430u);
	assert_string_equal(c[0].foundation, f1);
	assert_string_equal(c[1].foundation, f1);
	assert_int_equal(c[0].type, SDP_CAND_HOST);
	assert_int_equal(sdp_host_candidates(AF_INET6, ip6, 30000, 0, 65534, c), 1);
	assert_int_equal(c[0].addr.family, AF_INET6);
	assert_int_equal(c[0].priority, sdp_ice_priority(SDP_CAND_HOST, 65534, 1));
	assert_int_equal(sdp_host_candidates(7, ip6, 30000, 0, 1, c), -EINVAL);
}

/* ---- our lines, written and read back ---------------------------------------------- */

static void
ours(struct sdp_webrtc_ours *o, struct certfp *fp, struct sdp_candidate *c)
{
	const uint8_t v4[4] = { 203, 0, 113, 5 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };
	const char *why = NULL;

	assert_int_equal(certfp_parse("sha-256 " FP256, strlen("sha-256 " FP256), fp, &why), 0);
	assert_int_equal(sdp_host_candidates(AF_INET6, v6, 40000, 0, 65535, c), 1);
	assert_int_equal(sdp_host_candidates(AF_INET, v4, 40000, 0, 65534, c + 1), 1);
	memset(o, 0, sizeof(*o));
	o->ufrag = "gW4t";
	o->pwd = "Ea9bQ+3/xL0mN7pR2sT5uV";
	o->ice_options = SDP_ICE_OPT_ICE2;
	o->fp = fp;
	o->nfp = 1;
	o->setup = SDP_SETUP_PASSIVE;
	o->tls_id = "x7Fq2Lr9Pz4Wk1Nd8Hs3";
	o->mid = "0";
	o->cand = c;
	o->ncand = 2;
	o->end_of_candidates = true;
}

static void
test_write_read_back(void **state)
{
	struct certfp fp;
	struct sdp_candidate c[2];
	struct sdp_webrtc_ours o;
	struct sdp_rtp_answer a = {
		.family = AF_INET, .media = SDP_MEDIA_AUDIO, .proto = SDP_PROTO_UDP_TLS_RTP_SAVPF,
		.dir = SDP_DIR_SENDRECV, .rtcp_mux = true, .port = 40000, .ip = { 203, 0, 113, 5 },
		.sess_id = 68, .sess_version = 1, .fmt = "111 0",
		.attrs = "a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n",
		.webrtc = &o, .ice_lite = true, .bundle = true,
	};
	static char buf[4096], small[4096];
	struct sdp d;
	struct sdp_error e;
	int n;

	(void)state;
	ours(&o, &fp, c);
	n = sdp_rtp_write(&a, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "c=IN IP4 203.0.113.5\r\na=ice-lite\r\na=group:BUNDLE 0\r\n"
				    "m=audio 40000 UDP/TLS/RTP/SAVPF 111 0\r\n"));
	assert_non_null(strstr(buf, "a=rtcp-mux\r\na=sendrecv\r\na=ice-ufrag:gW4t\r\n"
				    "a=ice-pwd:Ea9bQ+3/xL0mN7pR2sT5uV\r\na=ice-options:ice2\r\n"
				    "a=fingerprint:sha-256 " FP256 "\r\na=setup:passive\r\n"
				    "a=tls-id:x7Fq2Lr9Pz4Wk1Nd8Hs3\r\na=mid:0\r\na=candidate:"));
	assert_non_null(strstr(buf, " 1 UDP 2130706431 2001:db8::5 40000 typ host\r\n"));
	assert_non_null(strstr(buf, " 1 UDP 2130706175 203.0.113.5 40000 typ host\r\n"
				    "a=end-of-candidates\r\n"));
	assert_null(strstr(buf, "a=crypto"));
	/* read back: the same model */
	assert_int_equal(sdp_parse(buf, (size_t)n, &d, &e), 0);
	assert_true(d.ice_lite);
	assert_int_equal(d.ngroup, 1);
	assert_int_equal(d.media.proto, SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_int_equal(d.media.bundle, 1);
	assert_string_equal(d.media.mid, "0");
	assert_string_equal(d.media.ice.ufrag, o.ufrag);
	assert_string_equal(d.media.ice.pwd, o.pwd);
	assert_int_equal(d.media.ice.options, SDP_ICE_OPT_ICE2);
	assert_true(d.media.ice.end_of_candidates);
	assert_int_equal(d.media.nfp, 1);
	assert_true(certfp_equal(&d.media.fp[0], &fp));
	assert_int_equal(d.media.setup, SDP_SETUP_PASSIVE);
	assert_string_equal(d.media.tls_id, o.tls_id);
	assert_int_equal(d.media.ice.ncand, 2);
	for (unsigned int i = 0; i < 2; i++) {
		struct sdp_candidate x;

		memcpy(&x, &d.media.ice.cand[i], sizeof(x));
		assert_true(x.line > 0);
		x.line = 0;
		assert_memory_equal(&x, &c[i], sizeof(x));
	}
	/* -ENOSPC at every size short of it, nothing left in the buffer */
	for (size_t k = 0; k < (size_t)n + 1; k++) {
		memset(small, 'x', sizeof(small));
		assert_int_equal(sdp_rtp_write(&a, small, k), -ENOSPC);
		for (size_t j = 0; j < k; j++)
			assert_int_equal(small[j], '\0');
	}
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(&d, sizeof(d));
}

/* A two-section BUNDLE offer of ours (audio and video on one transport),
 * written line by line as a caller writing its own description does, and
 * read back by sdp_parse_desc(). */
static void
test_write_desc(void **state)
{
	struct certfp fp;
	struct sdp_candidate c[2];
	struct sdp_webrtc_ours o;
	struct sdp_group g = { .ntag = 2, .tag = { "a", "v" } };
	static char buf[4096];
	struct sdp_wbuf w;
	struct sdp_error e;

	(void)state;
	ours(&o, &fp, c);
	o.setup = SDP_SETUP_ACTPASS;
	o.tls_id = NULL;
	o.ice_options = SDP_ICE_OPT_TRICKLE | SDP_ICE_OPT_RENOMINATION;
	sdp_wbuf_init(&w, buf, sizeof(buf));
	sdp_put(&w, "v=0\r\no=- 1 1 IN IP4 203.0.113.5\r\ns=-\r\nt=0 0\r\n");
	assert_int_equal(sdp_session_webrtc_put(&w, true, &g), 0);
	sdp_put(&w, "m=audio 40000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 203.0.113.5\r\n");
	o.mid = "a";
	assert_int_equal(sdp_webrtc_put(&w, &o), 0);
	sdp_put(&w, "a=rtcp-mux\r\na=rtcp-rsize\r\n");
	sdp_put(&w, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 203.0.113.5\r\na=bundle-only\r\n");
	o.mid = "v";
	o.ncand = 0;
	o.end_of_candidates = false;
	assert_int_equal(sdp_webrtc_put(&w, &o), 0);
	assert_false(w.over);
	assert_non_null(strstr(buf, "a=ice-lite\r\na=group:BUNDLE a v\r\nm=audio"));
	assert_non_null(strstr(buf, "a=ice-options:trickle renomination\r\n"));
	assert_int_equal(sdp_parse_desc(buf, w.n, &dd, &e), 0);
	assert_true(dd.s.ice_lite);
	assert_int_equal(dd.nmedia, 2);
	assert_string_equal(dd.media[0].mid, "a");
	assert_string_equal(dd.media[1].mid, "v");
	assert_int_equal(dd.media[0].bundle, 1);
	assert_int_equal(dd.media[1].bundle, 1);
	assert_true(dd.media[1].bundle_only);
	assert_int_equal(dd.media[0].ice.ncand, 2);
	assert_int_equal(dd.media[1].ice.ncand, 0);
	assert_int_equal(dd.media[1].setup, SDP_SETUP_ACTPASS);
	assert_int_equal(dd.media[0].ice.options, SDP_ICE_OPT_TRICKLE | SDP_ICE_OPT_RENOMINATION);
	/* the same text read twice reads the same */
	assert_int_equal(sdp_parse_desc(buf, w.n, &dd2, &e), 0);
	assert_memory_equal(&dd, &dd2, sizeof(dd));
	explicit_bzero(buf, sizeof(buf));
}

static void
test_write_refusals(void **state)
{
	struct certfp fp;
	struct sdp_candidate c[2], bad;
	struct sdp_webrtc_ours o, x;
	const struct sdp_rtp_answer ok = {
		.family = AF_INET, .media = SDP_MEDIA_AUDIO, .proto = SDP_PROTO_UDP_TLS_RTP_SAVP,
		.port = 40000, .fmt = "0", .webrtc = &x,
	};
	struct sdp_rtp_answer a;
	struct sdp_crypto cr = { .tag = 1, .suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80,
				 .key_len = 30 };
	struct sdp_group g = { .ntag = 2, .tag = { "0", "0" } };
	char buf[2048];
	struct sdp_wbuf w;

	(void)state;
	ours(&o, &fp, c);
	x = o;
	a = ok;
	assert_true(sdp_rtp_write(&a, buf, sizeof(buf)) > 0);
	/* DTLS-SRTP without our fingerprint or role, or with SDES */
	x.nfp = 0;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	x = o;
	x.setup = SDP_SETUP_NONE;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	x.setup = SDP_SETUP_HOLDCONN;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	x = o;
	a.crypto = &cr;
	a.ncrypto = 1;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok;
	a.webrtc = NULL;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	/* ice-lite without ICE, BUNDLE without a mid */
	a = ok;
	a.ice_lite = true;
	x.ufrag = NULL;
	x.pwd = NULL;
	x.ncand = 0;
	x.end_of_candidates = false;
	x.ice_options = 0;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a.ice_lite = false;
	assert_true(sdp_rtp_write(&a, buf, sizeof(buf)) > 0);
	x = o;
	x.mid = NULL;
	a.bundle = true;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	/* each value out of its grammar: nothing written */
	sdp_wbuf_init(&w, buf, sizeof(buf));
	x = o; x.ufrag = "abc";
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);
	x = o; x.pwd = "u7ZAqFm1vMZq2b8pY0Qr4";
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);
	x = o; x.pwd = NULL;
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);
	x = o; x.ufrag = "ab-d";
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);
	x = o; x.ice_options = SDP_ICE_OPT_OTHER;
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);
	x = o; x.tls_id = "short";
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);
	x = o; x.mid = "a b";
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);
	x = o; x.mid = "";
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);
	x = o; x.nfp = SDP_FP_MAX + 1;
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);
	x = o; x.ncand = SDP_CAND_MAX + 1;
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);
	x = o; x.ufrag = NULL; x.pwd = NULL; x.ice_options = 0; x.end_of_candidates = false;
	assert_int_equal(sdp_webrtc_put(&w, &x), -EINVAL);     /* candidates without ICE */
	bad = c[0];
	bad.addr.kind = SDP_ADDR_FQDN;
	assert_int_equal(sdp_candidate_put(&w, &bad), -EINVAL);
	bad = c[0];
	bad.priority = 0;
	assert_int_equal(sdp_candidate_put(&w, &bad), -EINVAL);
	bad = c[0];
	bad.component = 257;
	assert_int_equal(sdp_candidate_put(&w, &bad), -EINVAL);
	bad = c[0];
	bad.type = SDP_CAND_OTHER;
	assert_int_equal(sdp_candidate_put(&w, &bad), -EINVAL);
	bad = c[0];
	bad.tcptype = SDP_TCPTYPE_ACTIVE;      /* a UDP candidate */
	assert_int_equal(sdp_candidate_put(&w, &bad), -EINVAL);
	bad = c[0];
	bad.foundation[0] = '\0';
	assert_int_equal(sdp_candidate_put(&w, &bad), -EINVAL);
	assert_int_equal(sdp_session_webrtc_put(&w, false, &g), -EINVAL);
	g.ntag = 0;
	assert_int_equal(sdp_session_webrtc_put(&w, false, &g), -EINVAL);
	g.ntag = SDP_SECTIONS_MAX + 1;
	assert_int_equal(sdp_session_webrtc_put(&w, false, &g), -EINVAL);
	assert_int_equal(w.n, 0);
	/* a TCP relay candidate with its tcptype and raddr is written */
	bad = c[1];
	bad.transport = SDP_TRANSPORT_TCP;
	bad.tcptype = SDP_TCPTYPE_PASSIVE;
	bad.type = SDP_CAND_RELAY;
	bad.raddr = bad.addr;
	bad.rport = 3478;
	assert_int_equal(sdp_candidate_put(&w, &bad), 0);
	assert_non_null(strstr(buf, " TCP 2130706175 203.0.113.5 40000 typ relay raddr 203.0.113.5 "
				    "rport 3478 tcptype passive\r\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chromium_offer),
		cmocka_unit_test(test_aiortc_offer),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits_and_levels),
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_dtls),
		cmocka_unit_test(test_bundle_desc),
		cmocka_unit_test(test_bundle_check),
		cmocka_unit_test(test_priority_foundation),
		cmocka_unit_test(test_write_read_back),
		cmocka_unit_test(test_write_desc),
		cmocka_unit_test(test_write_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
