/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ng's SDP (ng_sdp.c) over lib/sdp: whole descriptions as a P-CSCF
 * hands them over ng (baresip's, an SDES offer, a WebRTC one with ICE at
 * both levels, a browser's DTLS-SRTP with its lines at either level,
 * audio and a refused video, kept MSRP and data-channel sections,
 * media-level c=, IPv6, LF alone) read section by section and
 * rewritten as rtpengine rewrites them, byte for byte, and read back; the
 * attacker's texts (past each limit, a line without '=', NUL, a giant
 * line, no v= first, mutations) and every buffer too small by one or more
 * (-ENOSPC, "", nothing written past size).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "ng/ng_sdp.h"

/* 30 octets each: 01..1e, 65..82, and ours (0x11 each) */
#define KA "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"
#define KB "ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGC"
#define KOURS "ERERERERERERERERERERERERERERERERERERERER"

#define OUT_MAX (NG_SDP_SIZE_MAX + 4096)

/* Big: static, one at a time. */
static struct ng_sdp d, back;
static char out[OUT_MAX], again[OUT_MAX];

static void
read_ok(const char *text, struct ng_sdp *x)
{
	struct sdp_error e;
	int rc = ng_sdp_read(text, strlen(text), x, &e);

	if (rc != 0)
		fail_msg("ng_sdp_read: %d: %s", rc, e.msg);
}

/* rw for d: every relayed section ours (4 or 6 for the family), the
 * rest kept. */
static void
rw_init(struct ng_sdp_rewrite *rw, const struct ng_sdp *x, const char *ip, uint16_t port)
{
	memset(rw, 0, sizeof(*rw));
	rw->nmedia = x->nmedia;
	for (unsigned int i = 0; i < x->nmedia; i++) {
		struct ng_sdp_out_media *o = &rw->media[i];

		o->keep = !x->media[i].relay;
		if (o->keep)
			continue;
		o->family = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(o->family, ip, o->ip), 1);
		o->port = x->media[i].m.port == 0 ? 0 : (uint16_t)(port + 2 * i);
		o->rtcp_port = o->port == 0 ? 0 : (uint16_t)(port + 2 * i + 1);
	}
}

/* Every size short of the text: -ENOSPC, "" and nothing past size (a
 * canary after it), what was written wiped (keys); then exactly enough. */
static void
short_sizes(const struct ng_sdp *x, const struct ng_sdp_rewrite *rw, int n)
{
	assert_true(n > 0);
	for (size_t sz = 0; sz <= (size_t)n; sz++) {
		memset(again, 0x5a, sizeof(again));
		assert_int_equal(ng_sdp_rewrite(x, rw, again, sz), -ENOSPC);
		for (size_t j = 0; j < sz; j++)
			if (again[j] != '\0')
				fail_msg("size %zu: byte %zu left written", sz, j);
		for (size_t j = sz; j < sz + 64 && j < sizeof(again); j++)
			if (again[j] != 0x5a)
				fail_msg("size %zu: byte %zu written past size", sz, j);
	}
	memset(again, 0x5a, sizeof(again));
	assert_int_equal(ng_sdp_rewrite(x, rw, again, (size_t)n + 1), n);
	assert_int_equal(again[n], '\0');
	assert_int_equal((unsigned char)again[n + 1], 0x5a);
}

static int
rewrite_ok(const struct ng_sdp *x, const struct ng_sdp_rewrite *rw)
{
	int n;

	memset(out, 0x5a, sizeof(out));
	n = ng_sdp_rewrite(x, rw, out, sizeof(out));
	if (n <= 0)
		fail_msg("ng_sdp_rewrite: %d", n);
	assert_int_equal((size_t)n, strlen(out));
	return n;
}

static unsigned int
count(const char *s, const char *what)
{
	unsigned int k = 0;

	for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
		k++;
	return k;
}

/* s with every CRLF made LF, into a static buffer. */
static const char *
lf_only(const char *s)
{
	static char buf[OUT_MAX];
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			buf[n++] = *s;
	buf[n] = '\0';
	return buf;
}

static void
ip4(uint8_t *ip, const char *s)
{
	assert_int_equal(inet_pton(AF_INET, s, ip), 1);
}

static const char baresip[] =
	"v=0\r\n"
	"o=- 1234 5678 IN IP4 192.168.1.10\r\n"
	"s=-\r\n"
	"c=IN IP4 192.168.1.10\r\n"
	"t=0 0\r\n"
	"m=audio 10000 RTP/AVP 96 0 8 101\r\n"
	"b=AS:64\r\n"
	"a=rtpmap:96 opus/48000/2\r\n"
	"a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=ptime:20\r\n"
	"a=rtcp:10001\r\n"
	"a=sendrecv\r\n";

/* baresip's offer: read, rewritten with our address and ports (o=
 * with replace-origin only), byte for byte; read back. LF alone gives
 * the same. */
static void
test_ng_sdp_baresip_offer(void **state)
{
	struct ng_sdp_rewrite rw;
	const struct sdp_media *m;
	uint8_t ip[4];
	int n;

	(void)state;
	read_ok(baresip, &d);
	assert_int_equal(d.nlines, 16);
	assert_int_equal(d.nsess, 5);
	assert_int_equal(d.nmedia, 1);
	assert_true(d.has_sess_c);
	assert_false(d.ice);
	ip4(ip, "192.168.1.10");
	assert_int_equal(d.sess_addr.kind, SDP_ADDR_IP);
	assert_int_equal(d.sess_addr.line, 4);
	assert_memory_equal(d.sess_addr.ip, ip, 4);
	assert_int_equal(d.origin_addr.kind, SDP_ADDR_IP);
	assert_int_equal(d.origin_addr.family, AF_INET);
	assert_int_equal(d.origin_addr.line, 2);
	assert_memory_equal(d.origin_addr.ip, ip, 4);
	assert_true(d.media[0].relay);
	assert_null(d.media[0].why);
	assert_false(d.media[0].has_c);
	assert_false(d.media[0].ice);
	assert_int_equal(d.media[0].first_line, 5);
	assert_int_equal(d.media[0].nlines, 11);
	m = &d.media[0].m;
	assert_int_equal(m->type, SDP_MEDIA_AUDIO);
	assert_int_equal(m->proto, SDP_PROTO_RTP_AVP);
	assert_int_equal(m->port, 10000);
	assert_int_equal(m->line, 6);          /* the caller's numbering */
	assert_int_equal(m->rtcp_port, 10001);
	assert_int_equal(m->rtcp_line, 15);
	assert_int_equal(m->addr.line, 4);
	assert_memory_equal(m->addr.ip, ip, 4);
	assert_int_equal(m->dir, SDP_DIR_SENDRECV);
	assert_int_equal(m->ptime, 20);
	assert_int_equal(m->npt, 4);
	assert_int_equal(m->pt[3], 101);
	assert_false(m->rtcp_mux);

	rw_init(&rw, &d, "203.0.113.1", 30000);
	n = rewrite_ok(&d, &rw);
	assert_string_equal(out,
		"v=0\r\n"
		"o=- 1234 5678 IN IP4 192.168.1.10\r\n"
		"s=-\r\n"
		"c=IN IP4 203.0.113.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 96 0 8 101\r\n"
		"b=AS:64\r\n"
		"a=rtpmap:96 opus/48000/2\r\n"
		"a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:8 PCMA/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=fmtp:101 0-15\r\n"
		"a=ptime:20\r\n"
		"a=sendrecv\r\n"
		"a=rtcp:30001\r\n");
	short_sizes(&d, &rw, n);

	rw.flags = NG_SDP_REPLACE_ORIGIN;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "\r\no=- 1234 5678 IN IP4 203.0.113.1\r\n"));
	/* read back: ours */
	read_ok(out, &back);
	ip4(ip, "203.0.113.1");
	assert_memory_equal(back.sess_addr.ip, ip, 4);
	assert_memory_equal(back.origin_addr.ip, ip, 4);
	assert_true(back.media[0].relay);
	assert_int_equal(back.media[0].m.port, 30000);
	assert_int_equal(back.media[0].m.rtcp_port, 30001);
	assert_memory_equal(back.media[0].m.addr.ip, ip, 4);
	assert_string_equal(back.media[0].m.codec, d.media[0].m.codec);
	{
		/* one m=: lib/sdp takes the whole of it too */
		struct sdp s;
		struct sdp_error e;

		assert_int_equal(sdp_parse(out, strlen(out), &s, &e), 0);
		assert_int_equal(s.media.port, 30000);
	}

	/* LF alone: the same reading, the same (CRLF) text */
	strcpy(again, out);
	read_ok(lf_only(baresip), &d);
	assert_int_equal(d.nlines, 16);
	assert_int_equal(d.media[0].m.rtcp_port, 10001);
	assert_int_equal(rewrite_ok(&d, &rw), (int)strlen(again));
	assert_string_equal(out, again);
	/* and a last line without its line end */
	{
		char t[sizeof(baresip)];

		memcpy(t, baresip, sizeof(baresip));
		t[strlen(t) - 2] = '\0';
		read_ok(t, &d);
		assert_int_equal(rewrite_ok(&d, &rw), (int)strlen(again));
		assert_string_equal(out, again);
	}
}

static const char savp[] =
	"v=0\r\n"
	"o=ue 7 7 IN IP4 10.45.0.2\r\n"
	"s=-\r\n"
	"c=IN IP4 10.45.0.2\r\n"
	"t=0 0\r\n"
	"m=audio 49152 RTP/SAVP 0 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KA "|2^31\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" KB "\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=rtcp-mux\r\n";

/* An SDES offer: its two a=crypto lines read (keys, lines); replaced by
 * ours, or removed with the proto made RTP/AVP (SRTP to RTP); the other
 * way (RTP to SRTP) from baresip's. */
static void
test_ng_sdp_savp_crypto(void **state)
{
	struct ng_sdp_rewrite rw;
	struct sdp_crypto c[2];
	const struct sdp_media *m;
	int n;

	(void)state;
	read_ok(savp, &d);
	m = &d.media[0].m;
	assert_true(d.media[0].relay);
	assert_int_equal(m->proto, SDP_PROTO_RTP_SAVP);
	assert_int_equal(m->ncrypto, 2);
	assert_int_equal(m->crypto[0].tag, 1);
	assert_int_equal(m->crypto[0].line, 8);
	assert_int_equal(m->crypto[0].key_len, 30);
	assert_int_equal(m->crypto[0].key[0], 1);
	assert_int_equal(m->crypto[0].key[29], 30);
	assert_int_equal(m->crypto[0].lifetime, UINT64_C(1) << 31);
	assert_int_equal(m->crypto[1].suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(m->crypto[1].line, 9);
	assert_int_equal(m->crypto[1].key[0], 101);
	assert_true(m->rtcp_mux);

	/* ours in their place: the answer's one line, mux accepted */
	memset(c, 0, sizeof(c));
	c[0].tag = 1;
	c[0].suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80;
	c[0].key_len = 30;
	memset(c[0].key, 0x11, 30);
	c[1] = c[0];
	c[1].tag = 2;
	c[1].suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_32;
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.media[0].crypto = c;
	rw.media[0].ncrypto = 1;
	rw.media[0].rtcp_mux = true;
	rw.media[0].rtcp_mux_only = true;
	n = rewrite_ok(&d, &rw);
	assert_string_equal(out,
		"v=0\r\n"
		"o=ue 7 7 IN IP4 10.45.0.2\r\n"
		"s=-\r\n"
		"c=IN IP4 203.0.113.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/SAVP 0 101\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=rtcp-mux\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KOURS "\r\n");
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_int_equal(back.media[0].m.ncrypto, 1);
	assert_memory_equal(back.media[0].m.crypto[0].key, c[0].key, 30);
	assert_true(back.media[0].m.rtcp_mux);
	assert_int_equal(back.media[0].m.rtcp_port, 0);

	/* two of ours (an offer), the peer's keys nowhere */
	rw.media[0].ncrypto = 2;
	rewrite_ok(&d, &rw);
	assert_null(strstr(out, KA));
	assert_null(strstr(out, KB));
	assert_int_equal(count(out, "a=crypto:"), 2);
	read_ok(out, &back);
	assert_int_equal(back.media[0].m.ncrypto, 2);
	assert_int_equal(back.media[0].m.crypto[1].suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_32);

	/* SRTP to RTP: none of ours, RTP/AVP */
	rw.media[0].ncrypto = 0;
	rw.media[0].crypto = NULL;
	rw.media[0].proto = "RTP/AVP";
	n = rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "\r\nm=audio 30000 RTP/AVP 0 101\r\n"));
	assert_int_equal(count(out, "a=crypto"), 0);
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_int_equal(back.media[0].m.proto, SDP_PROTO_RTP_AVP);
	assert_int_equal(back.media[0].m.ncrypto, 0);

	/* RTP to SRTP: baresip's offer made RTP/SAVP with our two lines */
	read_ok(baresip, &d);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.media[0].proto = "RTP/SAVP";
	rw.media[0].crypto = c;
	rw.media[0].ncrypto = 2;
	n = rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "\r\nm=audio 30000 RTP/SAVP 96 0 8 101\r\n"));
	assert_non_null(strstr(out, "a=sendrecv\r\na=rtcp:30001\r\n"
				    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KOURS "\r\n"
				    "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" KOURS "\r\n"));
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_int_equal(back.media[0].m.proto, SDP_PROTO_RTP_SAVP);
	assert_int_equal(back.media[0].m.ncrypto, 2);
}

/* What does not fit in: -EINVAL and "" (nothing half written). */
static void
test_ng_sdp_rewrite_refuses(void **state)
{
	struct ng_sdp_rewrite rw, ok;
	struct sdp_crypto c[2];

	(void)state;
	read_ok(savp, &d);
	memset(c, 0, sizeof(c));
	c[0].tag = 1;
	c[0].suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80;
	c[0].key_len = 30;
	c[1] = c[0];
	c[1].tag = 2;
	rw_init(&ok, &d, "203.0.113.1", 30000);
	ok.media[0].crypto = c;
	ok.media[0].ncrypto = 2;
	assert_true(ng_sdp_rewrite(&d, &ok, out, sizeof(out)) > 0);
#define REFUSED(expr)                                                               \
	do {                                                                        \
		rw = ok;                                                            \
		expr;                                                               \
		memset(out, 'x', sizeof(out));                                      \
		assert_int_equal(ng_sdp_rewrite(&d, &rw, out, sizeof(out)), -EINVAL); \
		assert_int_equal(out[0], '\0');                                     \
	} while (0)
	REFUSED(rw.nmedia = 2);                               /* not in->nmedia */
	REFUSED(rw.nmedia = 0);
	REFUSED(rw.media[0].family = 0);                      /* relayed without a family */
	REFUSED(rw.media[0].family = 99);
	REFUSED(rw.media[0].ncrypto = SDP_CRYPTO_MAX + 1);
	REFUSED(rw.media[0].crypto = NULL);
	REFUSED(rw.media[0].proto = "RTP/ SAVP");
	REFUSED(rw.media[0].proto = "");
	REFUSED(rw.flags = 0x80);
	REFUSED(c[1].tag = 1);                                /* would not read back */
	c[1].tag = 2;
	REFUSED(c[1].key_len = 29);                           /* the wrong key length */
	c[1].key_len = 30;
	REFUSED(c[1].key_choose = true);
	c[1].key_choose = false;
	REFUSED(c[1].suite = SDP_SUITE_OTHER);
	c[1].suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80;
	/* a section not relayed is not ours to rewrite */
	read_ok("v=0\r\nc=IN IP4 192.0.2.1\r\nm=message 7 TCP/MSRP *\r\n", &d);
	rw_init(&ok, &d, "203.0.113.1", 30000);
	assert_true(ng_sdp_rewrite(&d, &ok, out, sizeof(out)) > 0);
	REFUSED((rw.media[0].keep = false, rw.media[0].family = AF_INET));
#undef REFUSED
	assert_int_equal(ng_sdp_rewrite(NULL, &ok, out, sizeof(out)), -EINVAL);
	assert_int_equal(ng_sdp_rewrite(&d, NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(ng_sdp_rewrite(&d, &ok, NULL, 0), -EINVAL);
	assert_int_equal(ng_sdp_rewrite(&d, &ok, out, 0), -ENOSPC);
}

static const char webrtc[] =
	"v=0\r\n"
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"t=0 0\r\n"
	"a=group:BUNDLE 0\r\n"
	"a=ice-ufrag:F7gI\r\n"
	"a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
	"a=ice-options:trickle\r\n"
	"a=ice-lite\r\n"
	"m=audio 54400 RTP/SAVPF 111 0\r\n"
	"c=IN IP4 198.51.100.7\r\n"
	"a=rtcp:54401 IN IP4 198.51.100.7\r\n"
	"a=candidate:1 1 UDP 2130706431 198.51.100.7 54400 typ host\r\n"
	"a=candidate:1 2 UDP 2130706431 198.51.100.7 54401 typ host\r\n"
	"a=candidate:2 1 UDP 1694498815 203.0.113.77 54400 typ srflx raddr 198.51.100.7 rport 54400\r\n"
	"a=end-of-candidates\r\n"
	"a=ice-ufrag:F7gI\r\n"
	"a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
	"a=remote-candidates:1 198.51.100.9 5000\r\n"
	"a=ice-mismatch\r\n"
	"a=mid:0\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=rtcp-fb:111 transport-cc\r\n"
	"a=fmtp:111 minptime=10;useinbandfec=1\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KA "\r\n"
	"a=sendrecv\r\n";

/* A WebRTC-like offer, ICE at both levels: removed with ICE=remove (all
 * eight attributes, nothing else), kept without; rtcp-mux as an answer
 * (a=rtcp-mux only) and as an offer (a=rtcp and a=rtcp-mux); a
 * media-level c= rewritten in place, no session c= unless asked. */
static void
test_ng_sdp_webrtc_ice(void **state)
{
	struct ng_sdp_rewrite rw;
	struct sdp_crypto c = { .tag = 1, .suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80, .key_len = 30 };
	int n;

	(void)state;
	memset(c.key, 0x11, 30);
	read_ok(webrtc, &d);
	assert_true(d.ice);
	assert_false(d.has_sess_c);
	assert_int_equal(d.sess_addr.kind, SDP_ADDR_NONE);
	assert_true(d.media[0].ice);
	assert_true(d.media[0].has_c);
	assert_true(d.media[0].relay);
	assert_true(d.media[0].m.rtcp_mux);
	assert_int_equal(d.media[0].m.rtcp_port, 54401);
	assert_int_equal(d.media[0].m.addr.line, 11);
	assert_int_equal(d.media[0].m.line, 10);
	assert_int_equal(d.media[0].m.ncrypto, 1);
	assert_int_equal(d.media[0].m.crypto[0].line, 27);

	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.flags = NG_SDP_ICE_REMOVE;
	rw.media[0].crypto = &c;
	rw.media[0].ncrypto = 1;
	rw.media[0].rtcp_mux = true;
	rw.media[0].rtcp_mux_only = true;
	n = rewrite_ok(&d, &rw);
	assert_string_equal(out,
		"v=0\r\n"
		"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
		"s=-\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/SAVPF 111 0\r\n"
		"c=IN IP4 203.0.113.1\r\n"
		"a=mid:0\r\n"
		"a=rtpmap:111 opus/48000/2\r\n"
		"a=rtcp-fb:111 transport-cc\r\n"
		"a=fmtp:111 minptime=10;useinbandfec=1\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n"
		"a=rtcp-mux\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KOURS "\r\n");
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_false(back.ice);
	assert_false(back.media[0].ice);
	assert_int_equal(back.media[0].m.port, 30000);

	/* an offer that offers mux: a=rtcp:<port> then a=rtcp-mux */
	rw.media[0].rtcp_mux_only = false;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "a=sendrecv\r\na=rtcp:30001\r\na=rtcp-mux\r\na=crypto:1 "));
	assert_int_equal(count(out, "a=rtcp:"), 1);
	read_ok(out, &back);
	assert_true(back.media[0].m.rtcp_mux);
	assert_int_equal(back.media[0].m.rtcp_port, 30001);
	/* no mux: a=rtcp alone; none at all with port 0 */
	rw.media[0].rtcp_mux = false;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "a=sendrecv\r\na=rtcp:30001\r\na=crypto:1 "));
	assert_int_equal(count(out, "a=rtcp-mux"), 0);
	rw.media[0].rtcp_port = 0;
	rewrite_ok(&d, &rw);
	assert_int_equal(count(out, "a=rtcp:"), 0);

	/* ICE kept: every ICE line where it was, nothing else changed */
	rw.flags = 0;
	rw.media[0].rtcp_mux = rw.media[0].rtcp_mux_only = true;
	rewrite_ok(&d, &rw);
	assert_int_equal(count(out, "a=candidate:"), 3);
	assert_int_equal(count(out, "a=ice-ufrag:F7gI\r\n"), 2);
	assert_int_equal(count(out, "a=ice-pwd:"), 2);
	assert_non_null(strstr(out, "t=0 0\r\na=ice-ufrag:F7gI\r\n"
				    "a=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\na=ice-options:trickle\r\n"
				    "a=ice-lite\r\nm=audio 30000 "));
	assert_non_null(strstr(out, "a=end-of-candidates\r\n"));
	assert_non_null(strstr(out, "a=remote-candidates:1 198.51.100.9 5000\r\n"));
	assert_non_null(strstr(out, "a=ice-mismatch\r\n"));
	read_ok(out, &back);
	assert_true(back.ice);

	/* replace-session-connection: a session c= (ours) before t= */
	rw.flags = NG_SDP_REPLACE_SESS_C | NG_SDP_ICE_REMOVE;
	n = rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "s=-\r\nc=IN IP4 203.0.113.1\r\nt=0 0\r\n"));
	/* the section's own c= stays (rewritten) */
	assert_non_null(strstr(out, "m=audio 30000 RTP/SAVPF 111 0\r\nc=IN IP4 203.0.113.1\r\n"));
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_true(back.has_sess_c);

	/* a WebRTC section has many candidates: past lib/sdp's 64 lines with
	 * them, relayed without them */
	{
		static char big[NG_SDP_SIZE_MAX];
		size_t k = 0;

		k += (size_t)snprintf(big + k, sizeof(big) - k, "%s", webrtc);
		for (unsigned int i = 0; i < 100; i++)
			k += (size_t)snprintf(big + k, sizeof(big) - k,
					      "a=candidate:%u 1 UDP 2130706431 198.51.100.7 %u typ host\r\n",
					      i + 10, 20000 + i);
		read_ok(big, &d);
		assert_true(d.media[0].relay);
		rw.flags = NG_SDP_ICE_REMOVE;
		rewrite_ok(&d, &rw);
		assert_int_equal(count(out, "candidate"), 0);
		/* kept: they are all there */
		rw.flags = 0;
		rewrite_ok(&d, &rw);
		assert_int_equal(count(out, "a=candidate:"), 103);
	}
}

/* Audio and a refused video (port 0): the video read as relayed with port
 * 0, written with port 0; a second address for a section gets its own c=
 * after m= and i=. */
static void
test_ng_sdp_audio_video_disabled(void **state)
{
	static const char av[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 192.0.2.10\r\n"
		"s=call\r\n"
		"c=IN IP4 192.0.2.10\r\n"
		"t=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"m=video 0 RTP/AVP 96\r\n"
		"i=camera\r\n"
		"a=rtpmap:96 H264/90000\r\n";
	struct ng_sdp_rewrite rw;
	int n;

	(void)state;
	read_ok(av, &d);
	assert_int_equal(d.nmedia, 2);
	assert_true(d.media[1].relay);
	assert_int_equal(d.media[1].m.port, 0);
	assert_int_equal(d.media[1].m.type, SDP_MEDIA_VIDEO);
	assert_int_equal(d.media[1].first_line, 7);
	assert_int_equal(d.media[1].nlines, 3);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	assert_int_equal(rw.media[1].port, 0);
	n = rewrite_ok(&d, &rw);
	assert_string_equal(out,
		"v=0\r\n"
		"o=- 1 1 IN IP4 192.0.2.10\r\n"
		"s=call\r\n"
		"c=IN IP4 203.0.113.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtcp:30001\r\n"
		"m=video 0 RTP/AVP 96\r\n"
		"i=camera\r\n"
		"a=rtpmap:96 H264/90000\r\n");
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_int_equal(back.media[1].m.port, 0);

	/* the video on another address of ours: its own c=, after i= */
	ip4(rw.media[1].ip, "203.0.113.2");
	rw.media[1].port = 30002;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "m=video 30002 RTP/AVP 96\r\ni=camera\r\n"
				    "c=IN IP4 203.0.113.2\r\na=rtpmap:96 H264/90000\r\n"));
	read_ok(out, &back);
	assert_true(back.media[1].has_c);
	assert_memory_equal(back.media[1].m.addr.ip, rw.media[1].ip, 4);
	assert_memory_equal(back.media[0].m.addr.ip, rw.media[0].ip, 4);
	/* the refused video kept as it came (an answer's port 0): no c= of
	 * the old address for it (no media, nothing to say), as rtpengine */
	rw.media[1].keep = true;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "c=IN IP4 203.0.113.1\r\nt=0 0\r\n"));
	assert_non_null(strstr(out, "a=rtcp:30001\r\nm=video 0 RTP/AVP 96\r\ni=camera\r\n"
				    "a=rtpmap:96 H264/90000\r\n"));
	rw.media[1].keep = false;
	/* the audio kept as it came (not ours to relay, say): the session c=
	 * follows the first relayed section, the audio gets its old one */
	rw.media[0].keep = true;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "s=call\r\nc=IN IP4 203.0.113.2\r\nt=0 0\r\n"
				    "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.10\r\n"
				    "a=rtpmap:0 PCMU/8000\r\nm=video 30002 RTP/AVP 96\r\n"
				    "i=camera\r\na=rtpmap:96 H264/90000\r\n"));
}

/* Sections we do not relay (MSRP, a data channel) kept as they came; the
 * session c= made ours, so each that relied on it gets a c= of the old
 * address (after m= and i=); none when the address stays the same, nor
 * for one with its own c=. */
static void
test_ng_sdp_kept_sections(void **state)
{
	static const char mixed[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 192.0.2.10\r\n"
		"s=-\r\n"
		"c=IN IP4 192.0.2.10\r\n"
		"t=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\n"
		"m=message 7394 TCP/MSRP *\r\n"
		"a=accept-types:text/plain\r\n"
		"a=path:msrp://192.0.2.10:7394/s111;tcp\r\n"
		"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
		"i=data\r\n"
		"a=sctp-port:5000\r\n"
		"a=setup:actpass\r\n"
		"a=candidate:1 1 UDP 2130706431 192.0.2.10 9 typ host\r\n"
		"m=image 6000 udptl t38\r\n"
		"c=IN IP4 192.0.2.99\r\n";
	struct ng_sdp_rewrite rw;
	int n;

	(void)state;
	read_ok(mixed, &d);
	assert_int_equal(d.nmedia, 4);
	assert_true(d.media[0].relay);
	for (unsigned int i = 1; i < 4; i++) {
		assert_false(d.media[i].relay);
		assert_non_null(d.media[i].why);
	}
	assert_true(d.media[2].ice);
	assert_true(d.media[3].has_c);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.flags = NG_SDP_ICE_REMOVE;
	assert_true(rw.media[1].keep && rw.media[2].keep && rw.media[3].keep);
	n = rewrite_ok(&d, &rw);
	assert_string_equal(out,
		"v=0\r\n"
		"o=- 1 1 IN IP4 192.0.2.10\r\n"
		"s=-\r\n"
		"c=IN IP4 203.0.113.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtcp:30001\r\n"
		"m=message 7394 TCP/MSRP *\r\n"
		"c=IN IP4 192.0.2.10\r\n"
		"a=accept-types:text/plain\r\n"
		"a=path:msrp://192.0.2.10:7394/s111;tcp\r\n"
		"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
		"i=data\r\n"
		"c=IN IP4 192.0.2.10\r\n"
		"a=sctp-port:5000\r\n"
		"a=setup:actpass\r\n"
		"a=candidate:1 1 UDP 2130706431 192.0.2.10 9 typ host\r\n"
		"m=image 6000 udptl t38\r\n"
		"c=IN IP4 192.0.2.99\r\n");
	short_sizes(&d, &rw, n);
	/* read back: the kept sections' addresses are the old ones */
	read_ok(out, &back);
	assert_int_equal(back.nmedia, 4);
	assert_true(back.media[1].has_c);
	assert_true(back.media[2].has_c);

	/* our address the same as the old: nothing added */
	rw_init(&rw, &d, "192.0.2.10", 30000);
	rewrite_ok(&d, &rw);
	assert_int_equal(count(out, "c=IN IP4 192.0.2.10\r\n"), 1);
	/* nothing relayed: the text as it came, CRLF */
	for (unsigned int i = 0; i < 4; i++)
		rw.media[i].keep = true;
	rw.flags = NG_SDP_REPLACE_ORIGIN | NG_SDP_REPLACE_SESS_C | NG_SDP_ICE_REMOVE;
	rewrite_ok(&d, &rw);
	assert_string_equal(out, mixed);
	short_sizes(&d, &rw, (int)strlen(mixed));
}

/* c= at media level only; each section's rewritten in place; a session
 * one added (before b=/t=...) with replace-session-connection. */
static void
test_ng_sdp_media_level_c(void **state)
{
	static const char mc[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 192.0.2.10\r\n"
		"s=-\r\n"
		"b=AS:128\r\n"
		"t=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\n"
		"c=IN IP4 192.0.2.10\r\n"
		"m=video 4002 RTP/AVP 96\r\n"
		"i=camera\r\n"
		"c=IN IP4 192.0.2.11\r\n"
		"a=rtpmap:96 H264/90000\r\n";
	struct ng_sdp_rewrite rw;
	uint8_t ip[4];
	int n;

	(void)state;
	read_ok(mc, &d);
	assert_false(d.has_sess_c);
	assert_true(d.media[0].has_c && d.media[1].has_c);
	ip4(ip, "192.0.2.11");
	assert_memory_equal(d.media[1].m.addr.ip, ip, 4);
	assert_int_equal(d.media[1].m.addr.line, 10);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	ip4(rw.media[1].ip, "203.0.113.2");
	n = rewrite_ok(&d, &rw);
	assert_string_equal(out,
		"v=0\r\n"
		"o=- 1 1 IN IP4 192.0.2.10\r\n"
		"s=-\r\n"
		"b=AS:128\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"c=IN IP4 203.0.113.1\r\n"
		"a=rtcp:30001\r\n"
		"m=video 30002 RTP/AVP 96\r\n"
		"i=camera\r\n"
		"c=IN IP4 203.0.113.2\r\n"
		"a=rtpmap:96 H264/90000\r\n"
		"a=rtcp:30003\r\n");
	short_sizes(&d, &rw, n);
	rw.flags = NG_SDP_REPLACE_SESS_C | NG_SDP_REPLACE_ORIGIN;
	n = rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "o=- 1 1 IN IP4 203.0.113.1\r\ns=-\r\n"
				    "c=IN IP4 203.0.113.1\r\nb=AS:128\r\n"));
	assert_int_equal(count(out, "c=IN IP4 203.0.113.1"), 2);
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_true(back.has_sess_c);
	assert_memory_equal(back.media[1].m.addr.ip, rw.media[1].ip, 4);
	/* no session-level line after s=: the session c= goes last */
	read_ok("v=0\r\ns=-\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n", &d);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.flags = NG_SDP_REPLACE_SESS_C;
	rewrite_ok(&d, &rw);
	assert_string_equal(out, "v=0\r\ns=-\r\nc=IN IP4 203.0.113.1\r\n"
			    "m=audio 30000 RTP/AVP 0\r\nc=IN IP4 203.0.113.1\r\na=rtcp:30001\r\n");
	/* and a section with no c= anywhere gets one of ours */
	read_ok("v=0\r\ns=-\r\nm=audio 4000 RTP/AVP 0\r\n", &d);
	assert_int_equal(d.media[0].m.addr.kind, SDP_ADDR_NONE);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rewrite_ok(&d, &rw);
	assert_string_equal(out, "v=0\r\ns=-\r\nm=audio 30000 RTP/AVP 0\r\n"
			    "c=IN IP4 203.0.113.1\r\na=rtcp:30001\r\n");
}

/* IPv6 in, IPv6 out (o= too with replace-origin), and IPv4 to IPv6. */
static void
test_ng_sdp_ipv6(void **state)
{
	static const char v6[] =
		"v=0\n"
		"o=- 1 1 IN IP6 2001:db8::10\n"
		"s=-\n"
		"c=IN IP6 2001:db8::10\n"
		"t=0 0\n"
		"m=audio 4000 RTP/AVP 8\n"
		"a=rtcp:4001 IN IP6 2001:db8::10\n"
		"a=sendonly\n";
	struct ng_sdp_rewrite rw;
	uint8_t ip[16];
	int n;

	(void)state;
	read_ok(v6, &d);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::10", ip), 1);
	assert_int_equal(d.sess_addr.family, AF_INET6);
	assert_memory_equal(d.sess_addr.ip, ip, 16);
	assert_int_equal(d.origin_addr.family, AF_INET6);
	assert_memory_equal(d.origin_addr.ip, ip, 16);
	assert_int_equal(d.media[0].m.addr.family, AF_INET6);
	assert_int_equal(d.media[0].m.rtcp_addr.family, AF_INET6);
	assert_int_equal(d.media[0].m.dir, SDP_DIR_SENDONLY);
	rw_init(&rw, &d, "2001:db8:ffff::1", 30000);
	rw.flags = NG_SDP_REPLACE_ORIGIN;
	n = rewrite_ok(&d, &rw);
	assert_string_equal(out,
		"v=0\r\n"
		"o=- 1 1 IN IP6 2001:db8:ffff::1\r\n"
		"s=-\r\n"
		"c=IN IP6 2001:db8:ffff::1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 8\r\n"
		"a=sendonly\r\n"
		"a=rtcp:30001\r\n");
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_memory_equal(back.media[0].m.addr.ip, rw.media[0].ip, 16);
	assert_memory_equal(back.origin_addr.ip, rw.media[0].ip, 16);

	/* IPv4 to IPv6: every address written is ours, of our family */
	read_ok(baresip, &d);
	rw_init(&rw, &d, "2001:db8:ffff::1", 30000);
	rw.flags = NG_SDP_REPLACE_ORIGIN;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "o=- 1234 5678 IN IP6 2001:db8:ffff::1\r\n"));
	assert_non_null(strstr(out, "c=IN IP6 2001:db8:ffff::1\r\n"));
	assert_null(strstr(out, "IP4"));
	read_ok(out, &back);
	assert_int_equal(back.media[0].m.addr.family, AF_INET6);
	/* the session's direction applies to the medium */
	read_ok("v=0\r\nc=IN IP4 192.0.2.1\r\na=recvonly\r\nm=audio 4000 RTP/AVP 0\r\n", &d);
	assert_int_equal(d.media[0].m.dir, SDP_DIR_RECVONLY);
	/* an o= we cannot read: kept, not an error */
	read_ok("v=0\r\no=weird\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n", &d);
	assert_int_equal(d.origin_addr.kind, SDP_ADDR_NONE);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.flags = NG_SDP_REPLACE_ORIGIN;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "\r\no=weird\r\n"));
}

/* s refused with rc, code and line (0: none). */
static void
refused(const char *s, size_t len, int rc, enum sdp_err code, unsigned int line)
{
	struct sdp_error e;
	int got;

	memset(&d, 0x5a, sizeof(d));
	got = ng_sdp_read(s, len, &d, &e);
	if (got != rc || e.code != code || e.line != line)
		fail_msg("got %d code %s line %u (%s); wanted %d %s line %u", got,
			 sdp_err_name(e.code), e.line, e.msg, rc, sdp_err_name(code), line);
	assert_true(strlen(e.msg) > 0);
	/* nothing half read (keys among it) */
	assert_int_equal(d.nmedia, 0);
	assert_int_equal(d.nlines, 0);
	assert_null(d.text);
}

static void
refused_str(const char *s, int rc, enum sdp_err code, unsigned int line)
{
	refused(s, strlen(s), rc, code, line);
}

/* The attacker's texts: each limit exactly reached and then passed, a
 * line without '=', NUL, a giant line, no v= first, and what lib/sdp
 * finds malformed in a section, told with the caller's line. */
static void
test_ng_sdp_attacker(void **state)
{
	static char t[NG_SDP_SIZE_MAX * 2];
	static const char head[] = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n";
	struct sdp_error e;
	size_t k;

	(void)state;
	/* NG_SDP_SIZE_MAX: exactly taken, one more refused before any line */
	k = (size_t)snprintf(t, sizeof(t), "%s", head);
	while (k + 500 < NG_SDP_SIZE_MAX)
		k += (size_t)snprintf(t + k, sizeof(t) - k, "a=x:%0494d\r\n", 0);
	k += (size_t)snprintf(t + k, sizeof(t) - k, "a=y:%0*d\r\n",
			      (int)(NG_SDP_SIZE_MAX - k - 6), 0);
	assert_int_equal(k, NG_SDP_SIZE_MAX);
	/* one section as long as the description may be: read and relayed
	 * (a section's limit, sdp_parse_section()'s, is the description's) */
	read_ok(t, &d);
	assert_true(d.media[0].relay);
	assert_null(d.media[0].why);
	t[k] = 'x';
	refused(t, k + 1, -E2BIG, SDP_E_SIZE, 0);
	refused(t, SIZE_MAX, -E2BIG, SDP_E_SIZE, 0);

	/* NG_SDP_LINES_MAX lines (session attributes: lib/sdp sees none) */
	k = (size_t)snprintf(t, sizeof(t), "v=0\r\n");
	for (unsigned int i = 1; i < NG_SDP_LINES_MAX - 2; i++)
		k += (size_t)snprintf(t + k, sizeof(t) - k, "a=x\r\n");
	k += (size_t)snprintf(t + k, sizeof(t) - k, "c=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n");
	read_ok(t, &d);
	assert_int_equal(d.nlines, NG_SDP_LINES_MAX);
	assert_true(d.media[0].relay);
	snprintf(t + k, sizeof(t) - k, "a=sendrecv\r\n");
	refused_str(t, -E2BIG, SDP_E_LINES, NG_SDP_LINES_MAX + 1);

	/* NG_SDP_MEDIA_MAX sections, then one more */
	k = (size_t)snprintf(t, sizeof(t), "v=0\r\nc=IN IP4 192.0.2.1\r\n");
	for (unsigned int i = 0; i < NG_SDP_MEDIA_MAX; i++)
		k += (size_t)snprintf(t + k, sizeof(t) - k, "m=audio %u RTP/AVP 0\r\n", 4000 + 2 * i);
	read_ok(t, &d);
	assert_int_equal(d.nmedia, NG_SDP_MEDIA_MAX);
	{
		struct ng_sdp_rewrite rw;

		rw_init(&rw, &d, "203.0.113.1", 30000);
		short_sizes(&d, &rw, rewrite_ok(&d, &rw));
		read_ok(out, &back);
		assert_int_equal(back.media[7].m.port, 30014);
	}
	snprintf(t + k, sizeof(t) - k, "m=video 5000 RTP/AVP 96\r\n");
	refused_str(t, -E2BIG, SDP_E_MEDIA_COUNT, NG_SDP_MEDIA_MAX + 3);

	/* a line without '=' (session level, in a section, an ICE line) */
	refused_str("v=0\r\nhello\r\n", -EINVAL, SDP_E_LINE, 2);
	refused_str("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\na\r\n", -EINVAL,
		    SDP_E_LINE, 4);
	refused_str("v=0\r\nm=audio 4000 RTP/AVP 0\r\n=x\r\n", -EINVAL, SDP_E_LINE, 3);
	refused_str("v=0\r\nA=x\r\n", -EINVAL, SDP_E_LINE, 2);
	refused_str("v=0\r\nx=y\r\n", -EINVAL, SDP_E_LINE, 2);   /* no such type */
	/* NUL: anywhere, in a line lib/sdp is not given too */
	{
		static const char nul[] = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n"
					  "a=candidate:1 1 UDP 1 192.0.2.1 4000 typ\0host\r\n";

		refused(nul, sizeof(nul) - 1, -EINVAL, SDP_E_CHAR, 4);
		refused("v=0\0\r\n", 6, -EINVAL, SDP_E_CHAR, 1);
		refused("v=0\r\n\0", 6, -EINVAL, SDP_E_CHAR, 2);
	}
	refused_str("v=0\r\ns=a\rb\r\n", -EINVAL, SDP_E_CHAR, 2);     /* CR alone */
	refused_str("v=0\r\ns=a\033b\r\n", -EINVAL, SDP_E_CHAR, 2);
	/* a giant line (an ICE one, which lib/sdp would not see) */
	k = (size_t)snprintf(t, sizeof(t), "%sa=candidate:%0*d\r\n", head, SDP_LINE_MAX, 0);
	refused_str(t, -E2BIG, SDP_E_LINE_LEN, 4);
	k = (size_t)snprintf(t, sizeof(t), "%sa=candidate:%0*d\r\n", head, SDP_LINE_MAX - 12, 0);
	read_ok(t, &d);                                   /* SDP_LINE_MAX exactly */
	memset(t, 'a', NG_SDP_SIZE_MAX);
	memcpy(t, "v=0\r\na=", 7);
	refused(t, NG_SDP_SIZE_MAX, -E2BIG, SDP_E_LINE_LEN, 2);
	/* no v= first */
	refused_str("o=- 1 1 IN IP4 192.0.2.1\r\nv=0\r\n", -EINVAL, SDP_E_VERSION, 1);
	refused_str("v=1\r\n", -EINVAL, SDP_E_VERSION, 1);
	refused_str("v=00\r\n", -EINVAL, SDP_E_VERSION, 1);
	refused_str("\r\nv=0\r\n", -EINVAL, SDP_E_VERSION, 1);
	refused_str("", -EINVAL, SDP_E_EMPTY, 0);
	refused_str(" \r\n\r\n", -EINVAL, SDP_E_EMPTY, 0);
	refused(NULL, 10, -EINVAL, SDP_E_EMPTY, 0);
	assert_int_equal(ng_sdp_read("v=0", 3, NULL, &e), -EINVAL);
	/* framing and order */
	refused_str("v=0\r\n\r\ns=-\r\n", -EINVAL, SDP_E_LINE, 2);    /* an empty line inside */
	read_ok("v=0\r\ns=-\r\n\r\n \r\n", &d);                        /* blank ones after: dropped */
	assert_int_equal(d.nlines, 2);
	refused_str("v=0\r\ns=-\r\nv=0\r\n", -EINVAL, SDP_E_ALTERNATIVE, 3);
	refused_str("v=0\r\nm=audio 4000 RTP/AVP 0\r\nv=0\r\n", -EINVAL, SDP_E_ALTERNATIVE, 3);
	refused_str("v=0\r\nm=audio 4000 RTP/AVP 0\r\nt=0 0\r\n", -EINVAL, SDP_E_ORDER, 3);
	refused_str("v=0\r\nc=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.2\r\n", -EINVAL,
		    SDP_E_DUPLICATE, 3);
	refused_str("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\no=- 1 1 IN IP4 192.0.2.1\r\n", -EINVAL,
		    SDP_E_DUPLICATE, 3);
	refused_str("v=0\r\na=sendonly\r\na=inactive\r\n", -EINVAL, SDP_E_DUPLICATE, 3);
	/* lib/sdp's refusals, with the caller's line numbers */
	refused_str("v=0\r\nc=IN IP4 192.0.2.300\r\nm=audio 4000 RTP/AVP 0\r\n", -EINVAL,
		    SDP_E_CONN, 2);
	refused_str("v=0\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n"
		    "m=audio 4002 RTP/AVP 0\r\nc=IN IP9 x\r\n", -EINVAL, SDP_E_CONN, 6);
	refused_str("v=0\r\nm=audio 4000 RTP/AVP 0\r\nm=audio 70000 RTP/AVP 0\r\n", -EINVAL,
		    SDP_E_PORT, 3);
	refused_str("v=0\r\nm=audio 4000 RTP/AVP 0\r\na=candidate:x\r\na=rtcp:0\r\n", -EINVAL,
		    SDP_E_RTCP, 4);
	/* a key of the wrong length: named by line and tag, never the key */
	{
		static const char longkey[] = "v=0\r\ns=-\r\nm=audio 4000 RTP/SAVP 0\r\n"
					      "a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:" KA "AAAA\r\n";

		refused_str(longkey, -EINVAL, SDP_E_CRYPTO_KEY, 4);
		assert_int_equal(ng_sdp_read(longkey, strlen(longkey), &d, &e), -EINVAL);
	}
	assert_non_null(strstr(e.msg, "line 4: a=crypto:7"));
	assert_null(strstr(e.msg, "AQID"));
	/* H.248's CHOOSE is no SDP */
	refused_str("v=0\r\nm=audio $ RTP/AVP 0\r\n", -EINVAL, SDP_E_LINE, 2);
	refused_str("v=0\r\nc=IN IP4 $\r\nm=audio 4000 RTP/AVP 0\r\n", -EINVAL, SDP_E_CONN, 2);
	refused_str("v=0\r\nm=audio 4000 RTP/AVP 0\r\ns=x\r\nc=IN IP4 $\r\n", -EINVAL,
		    SDP_E_ORDER, 3);
	refused_str("v=0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP4 $\r\n", -EINVAL, SDP_E_LINE, 3);
	refused_str("v=0\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
		    "inline:$\r\n", -EINVAL, SDP_E_LINE, 3);
	/* well-formed, not taken by lib/sdp: not relayed, not an error */
	read_ok("v=0\r\nm=message 7 TCP/TLS/MSRP *\r\na=fingerprint:md5 "
		"00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n", &d);
	assert_false(d.media[0].relay);
	assert_non_null(d.media[0].why);
	read_ok("v=0\r\nm=image 4000 RTP/AVP 0\r\n", &d);     /* RTP, not a medium relayed */
	assert_false(d.media[0].relay);
}

/* A browser's offer: DTLS-SRTP (UDP/TLS/RTP/SAVPF) with its candidates
 * and fingerprint, and a data channel. */
static const char browser[] =
	"v=0\r\n"
	"o=- 7065542345433214611 2 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"t=0 0\r\n"
	"a=group:BUNDLE 0 1\r\n"
	"m=audio 51602 UDP/TLS/RTP/SAVPF 111 0\r\n"
	"c=IN IP4 198.51.100.7\r\n"
	"a=rtcp:9 IN IP4 0.0.0.0\r\n"
	"a=candidate:842163049 1 udp 1677729535 198.51.100.7 51602 typ srflx raddr "
	"192.168.1.20 rport 51602\r\n"
	"a=ice-ufrag:Wl2e\r\n"
	"a=ice-pwd:fFcKxCbydXfbQ2pkMJ7kNzk0\r\n"
	"a=fingerprint:sha-256 9C:A5:0C:4A:8F:57:3F:A8:54:AE:B9:5D:86:B3:62:02:0A:7A:10:53:"
	"C7:2C:6B:0E:AA:D6:38:80:4C:EE:A5:F4\r\n"
	"a=setup:actpass\r\n"
	"a=mid:0\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"m=application 51603 UDP/DTLS/SCTP webrtc-datachannel\r\n"
	"c=IN IP4 198.51.100.7\r\n"
	"a=mid:1\r\n"
	"a=sctp-port:5000\r\n";

/* Chromium 156's offer as it makes it (headless, no candidates yet:
 * audio and video, max-bundle, every codec it has): its video section is
 * 124 lines, 23 payload types and 2.5 KB of codec lines, past H.248's
 * limits (sdp_parse()), within a section's (sdp_parse_section()). Both
 * sections relayed, every payload type and codec line kept through the
 * rewrite. */
static void
test_ng_sdp_chromium_offer(void **state)
{
	static char text[8192];
	struct ng_sdp_rewrite rw;
	const char *src = getenv("TP_SRC");
	char path[512];
	FILE *f;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/unit/sdp/chromium156_offer.sdp",
		 src != NULL ? src : ".");
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_true(n > 5000);
	read_ok(text, &d);
	assert_int_equal(d.nmedia, 2);
	for (unsigned int i = 0; i < 2; i++) {
		assert_true(d.media[i].relay);
		assert_null(d.media[i].why);
		assert_int_equal(d.media[i].bundle, 1);
	}
	assert_int_equal(d.media[0].m.npt, 8);
	assert_int_equal(d.media[1].m.npt, 23);
	assert_int_equal(d.media[1].m.pt[22], 120);
	assert_string_equal(d.media[1].mid, "1");
	assert_true(strlen(d.media[1].m.codec) > 2400);
	assert_non_null(strstr(d.media[1].m.codec, "a=rtpmap:45 AV1/90000"));
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rewrite_ok(&d, &rw);
	read_ok(out, &back);
	assert_true(back.media[1].relay);
	assert_int_equal(back.media[1].m.port, 30002);
	assert_int_equal(back.media[1].m.npt, 23);
	assert_string_equal(back.media[1].m.codec, d.media[1].m.codec);
}

/* A browser's bundled offer (audio and video on one transport, RFC 9143)
 * with the session's group, the mids, the MID extension's id and the
 * video's payload types given: lines 6 (group), 8 and 13 (a=mid), 9 and 14
 * (a=extmap). */
static const char *
bundled(const char *group, const char *amid, const char *aext, const char *vfmt,
	const char *vmid, const char *vext)
{
	static char t[2048];

	snprintf(t, sizeof(t),
		 "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n"
		 "%s\r\n"
		 "m=audio 51602 UDP/TLS/RTP/SAVPF 111 0\r\na=mid:%s\r\na=extmap:%s\r\n"
		 "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
		 "m=video 51602 UDP/TLS/RTP/SAVPF %s\r\na=mid:%s\r\na=extmap:%s\r\n"
		 "a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n", group, amid, aext, vfmt, vmid, vext);
	return t;
}

#define MIDX "4 urn:ietf:params:rtp-hdrext:sdes:mid"

/* refused() with the sentence */
static void
refused_says(const char *s, int rc, enum sdp_err code, unsigned int line, const char *says)
{
	struct sdp_error e;

	refused_str(s, rc, code, line);
	assert_int_equal(ng_sdp_read(s, strlen(s), &d, &e), rc);
	if (strstr(e.msg, says) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", e.msg, says);
}

/* read as it is, then refused by turnpike's rules for a group it bundles
 * (ng_sdp_bundle_check()), with the sentence */
static void
bundle_refused_says(const char *s, int rc, unsigned int line, const char *says)
{
	struct sdp_error e;

	read_ok(s, &d);
	assert_int_equal(ng_sdp_bundle_check(&d, &e), rc);
	assert_int_equal(e.code, SDP_E_BUNDLE);
	assert_int_equal(e.line, line);
	if (strstr(e.msg, says) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", e.msg, says);
}

/* BUNDLE (RFC 9143): the session's a=group:BUNDLE lines read by lib/sdp,
 * each section's mid and group; lib/sdp's refusals across the sections
 * (sdp_bundle_check()) on every description and turnpike's own when asked
 * (ng_sdp_bundle_check()), each with its sentence and the caller's line;
 * the rewrite drops the group when it relays a section (each its own
 * ports, as rtpengine 10.5). */
static void
test_ng_sdp_bundle(void **state)
{
	static char t[8192];
	struct ng_sdp_rewrite rw;
	struct sdp_error e;
	size_t k;
	int n;

	(void)state;
	read_ok(bundled("a=group:BUNDLE 0 1", "0", MIDX, "96 97", "1", MIDX), &d);
	assert_int_equal(d.ngroup, 1);
	assert_int_equal(d.group[0].line, 6);
	assert_int_equal(d.group[0].ntag, 2);
	assert_string_equal(d.group[0].tag[0], "0");
	assert_string_equal(d.media[0].mid, "0");
	assert_int_equal(d.media[0].mid_line, 8);
	assert_string_equal(d.media[1].mid, "1");
	assert_int_equal(d.media[1].mid_line, 13);
	assert_int_equal(d.media[0].bundle, 1);
	assert_int_equal(d.media[1].bundle, 1);
	assert_true(d.media[0].relay && d.media[1].relay);
	/* relayed: the group gone, a port each, the mids as they came */
	rw_init(&rw, &d, "203.0.113.1", 30000);
	n = rewrite_ok(&d, &rw);
	assert_int_equal(count(out, "a=group"), 0);
	assert_non_null(strstr(out, "t=0 0\r\nm=audio 30000 UDP/TLS/RTP/SAVPF 111 0\r\n"));
	assert_non_null(strstr(out, "m=video 30002 UDP/TLS/RTP/SAVPF 96 97\r\n"));
	assert_int_equal(count(out, "a=mid:0\r\n"), 1);
	assert_int_equal(count(out, "a=mid:1\r\n"), 1);
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_int_equal(back.ngroup, 0);
	assert_int_equal(back.media[1].bundle, 0);
	/* nothing relayed (every section kept): the description as it came */
	rw.media[0].keep = rw.media[1].keep = true;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "t=0 0\r\na=group:BUNDLE 0 1\r\nm=audio 51602 "));
	/* other semantics are not BUNDLE's: kept; two groups, a section in
	 * none; the tagged section first in its group */
	read_ok(bundled("a=group:LS 0 1\r\na=group:BUNDLE 1\r\na=group:bundle 0", "0", MIDX,
			"96", "1", "5 urn:ietf:params:rtp-hdrext:sdes:mid"), &d);
	assert_int_equal(d.ngroup, 2);
	assert_int_equal(d.group[1].line, 8);
	assert_int_equal(d.media[0].bundle, 2);
	assert_int_equal(d.media[1].bundle, 1);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rewrite_ok(&d, &rw);
	assert_int_equal(count(out, "a=group:"), 1);
	assert_non_null(strstr(out, "t=0 0\r\na=group:LS 0 1\r\nm=audio"));
	read_ok(bundled("a=group:BUNDLE 1", "0", MIDX, "0", "1", MIDX), &d);
	assert_int_equal(d.media[0].bundle, 0);    /* PCMU twice, one section bundled */
	/* a data channel in the group (not relayed: its mid read all the same) */
	read_ok(browser, &d);
	assert_false(d.media[1].relay);
	assert_string_equal(d.media[1].mid, "1");
	assert_int_equal(d.media[1].mid_line, 20);
	assert_int_equal(d.media[1].bundle, 1);
	/* a video section with 1,320 octets of codec lines (past H.248's
	 * 1023): relayed; past sdp_parse_section()'s 4095: not relayed, its
	 * mid read */
	k = (size_t)snprintf(t, sizeof(t), "%s", bundled("a=group:BUNDLE 0 1", "0", MIDX, "96",
							 "1", MIDX));
	for (unsigned int i = 0; i < 12; i++)
		k += (size_t)snprintf(t + k, sizeof(t) - k, "a=fmtp:96 x-google=%090u\r\n", i);
	read_ok(t, &d);
	assert_true(d.media[1].relay);
	for (unsigned int i = 12; i < 38; i++)
		k += (size_t)snprintf(t + k, sizeof(t) - k, "a=fmtp:96 x-google=%090u\r\n", i);
	read_ok(t, &d);
	assert_false(d.media[1].relay);
	assert_string_equal(d.media[1].mid, "1");
	assert_int_equal(d.media[1].mid_line, 13);
	assert_int_equal(d.media[1].bundle, 1);
	/* aiortc 1.4's answer to an offer it does not bundle: an empty group
	 * written with a space after the semantics */
	read_ok(bundled("a=group:BUNDLE ", "0", MIDX, "96", "1", MIDX), &d);
	assert_int_equal(d.ngroup, 1);
	assert_int_equal(d.group[0].ntag, 0);
	assert_int_equal(d.media[0].bundle, 0);
	assert_int_equal(d.media[1].bundle, 0);
	/* a long mid unbundled: lib/sdp's 32 */
	read_ok(bundled("a=group:BUNDLE 0", "0", MIDX, "96", "01234567890123456", MIDX), &d);

	/* lib/sdp's refusals, at the caller's lines */
	refused_says(bundled("a=group:BUNDLE 0 2", "0", MIDX, "96", "1", MIDX), -EINVAL,
		     SDP_E_BUNDLE, 6, "line 6: a=group:BUNDLE names mid 2, which no m= section "
		     "has (RFC 9143 section 7)");
	refused_says(bundled("a=group:BUNDLE 0", "0", MIDX, "96", "0", MIDX), -EINVAL, SDP_E_MID,
		     13, "line 13: a=mid:0 again (the first is line 8): a mid names one m= "
		     "section (RFC 5888 section 4)");
	refused_says(bundled("a=group:BUNDLE 0\r\na=group:BUNDLE 1 0", "0", MIDX, "96", "1",
			     MIDX), -EINVAL, SDP_E_BUNDLE, 7, "line 7: a=group:BUNDLE names mid 0, "
		     "which the group of line 6 has: a section is in one BUNDLE group");
	refused_says(bundled("a=group:BUNDLE 0 1 0", "0", MIDX, "96", "1", MIDX), -EINVAL,
		     SDP_E_GROUP, 6, "mid \"0\" twice");
	refused_says(bundled("a=group:BUNDLE 0  1", "0", MIDX, "96", "1", MIDX), -EINVAL,
		     SDP_E_GROUP, 6, "semantics");
	refused_says(bundled("a=group:BUNDLE 0 1 2 3 4 5 6 7 8", "0", MIDX, "96", "1", MIDX),
		     -E2BIG, SDP_E_BUNDLE, 6, "line 6: a=group:BUNDLE: more than 8 mids");
	refused_says(bundled("a=group:BUNDLE 0\r\na=group:BUNDLE 1\r\na=group:BUNDLE 2\r\n"
			     "a=group:BUNDLE 3\r\na=group:BUNDLE 4", "0", MIDX, "96", "1", MIDX),
		     -E2BIG, SDP_E_ATTR_COUNT, 10, "more than 4 groups");
	refused_says("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\na=mid:0\r\n"
		     "a=group:BUNDLE 0\r\n", -EINVAL, SDP_E_GROUP, 5, "after m=");
	/* nine bundled sections: the ninth m= is refused first, as any ninth */
	k = (size_t)snprintf(t, sizeof(t), "v=0\r\nc=IN IP4 192.0.2.1\r\n"
			     "a=group:BUNDLE 0 1 2 3 4 5 6 7 8\r\n");
	for (unsigned int i = 0; i < NG_SDP_MEDIA_MAX + 1; i++)
		k += (size_t)snprintf(t + k, sizeof(t) - k, "m=audio %u RTP/AVP %u\r\na=mid:%u\r\n",
				      4000 + 2 * i, 96 + i, i);
	refused_says(t, -E2BIG, SDP_E_MEDIA_COUNT, 4 + 2 * NG_SDP_MEDIA_MAX,
		     "m=: more than 8 m= sections");
	/* eight, each with a payload type of its own: taken */
	k = (size_t)snprintf(t, sizeof(t), "v=0\r\nc=IN IP4 192.0.2.1\r\n"
			     "a=group:BUNDLE 7 0 1 2 3 4 5 6\r\n");
	for (unsigned int i = 0; i < NG_SDP_MEDIA_MAX; i++)
		k += (size_t)snprintf(t + k, sizeof(t) - k, "m=audio %u RTP/AVP %u\r\na=mid:%u\r\n",
				      4000 + 2 * i, 96 + i, i);
	read_ok(t, &d);
	for (unsigned int i = 0; i < NG_SDP_MEDIA_MAX; i++)
		assert_int_equal(d.media[i].bundle, 1);

	/* turnpike's own, for a group it bundles (ng_sdp_bundle_check(),
	 * cp/ng's under bundle=accept): each description read as it is
	 * (harmless unbundled, as rtpengine 10.5 takes it), then refused */
	bundle_refused_says(bundled("a=group:BUNDLE 0 01234567890123456", "0", MIDX, "96",
				    "01234567890123456", MIDX), -E2BIG, 6,
			    "line 6: a=group:BUNDLE: mid 01234567890123456 is 17 octets, more "
			    "than the 16 a bundled section's may have here");
	read_ok(bundled("a=group:BUNDLE 0 0123456789012345", "0", MIDX, "96", "0123456789012345",
			MIDX), &d);                     /* 16 exactly */
	assert_int_equal(ng_sdp_bundle_check(&d, &e), 0);
	bundle_refused_says(bundled("a=group:BUNDLE 0 1", "0", MIDX, "96", "1",
				    "5 urn:ietf:params:rtp-hdrext:sdes:mid"), -EINVAL, 6,
			    "line 6: a=group:BUNDLE: the MID header extension is id 4 in mid 0's "
			    "section (line 7) and 5 in mid 1's (line 12)");
	bundle_refused_says(bundled("a=group:BUNDLE 0 1", "0", MIDX, "96", "1",
				    "5 urn:ietf:params:rtp-hdrext:toffset"), -EINVAL, 6,
			    "is id 4 in mid 0's section (line 7) and 0 in mid 1's");
	bundle_refused_says(bundled("a=group:BUNDLE 1 0", "0", MIDX, "96 0", "1", MIDX), -EINVAL,
			    6, "line 6: a=group:BUNDLE: payload type 0 is in mid 0's section "
			    "(line 7) and mid 1's (line 12)");
	/* (a group without the MID extension at all: one id, none) */
	read_ok(bundled("a=group:BUNDLE 0 1", "0", "4 urn:x", "96", "1", "4 urn:x"), &d);
	assert_int_equal(ng_sdp_bundle_check(&d, &e), 0);
}

/* Our BUNDLE in a rewrite (cp/ng's answer to a bundled offer): the
 * rewrite's group at session level after a=ice-lite, the sender's group
 * gone; a bundled section without a MID a=extmap (the section's own
 * removed, none of ours: dp inserts no MID), a=rtcp-mux alone; a section relayed unbundled (the offer to
 * the core) loses its MID a=extmap, a=bundle-only and a=rtcp-mux-only,
 * its a=mid and other a=extmap lines kept. */
static void
test_ng_sdp_bundle_rewrite(void **state)
{
	static const char offer[] =
		"v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n"
		"a=group:BUNDLE 0 1\r\n"
		"m=audio 51602 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"
		"a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
		"a=extmap:5 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
		"a=rtcp-mux\r\na=rtcp-mux-only\r\na=rtpmap:0 PCMU/8000\r\n"
		"m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=bundle-only\r\n"
		"a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
		"a=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n";
	static const char answer[] =
		"v=0\r\no=- 2 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
		"m=audio 6004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=mid:0\r\n"
		"m=video 6006 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=mid:1\r\n"
		"a=extmap:7 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
	struct ng_sdp_rewrite rw;
	struct sdp_group grp;

	(void)state;
	/* towards the core: unbundled */
	read_ok(offer, &d);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.media[1] = rw.media[0];
	rw.media[1].port = 30002;
	rw.media[0].unbundle = rw.media[1].unbundle = true;
	rewrite_ok(&d, &rw);
	assert_int_equal(count(out, "a=group"), 0);
	assert_int_equal(count(out, "sdes:mid"), 0);
	assert_int_equal(count(out, "a=bundle-only"), 0);
	assert_int_equal(count(out, "a=rtcp-mux-only"), 0);
	assert_int_equal(count(out, "a=extmap:5 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"),
			 1);
	assert_int_equal(count(out, "a=mid:0\r\n"), 1);
	assert_int_equal(count(out, "a=mid:1\r\n"), 1);
	/* (not unbundled: as before) */
	rw.media[0].unbundle = rw.media[1].unbundle = false;
	rewrite_ok(&d, &rw);
	assert_int_equal(count(out, "sdes:mid"), 2);
	assert_int_equal(count(out, "a=bundle-only\r\n"), 1);
	/* a kept section refused: its m= port 0, the rest as it came */
	rw.media[1].keep = rw.media[1].refuse = true;
	rw.media[0].unbundle = true;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=bundle-only\r\n"));
	rw.media[1].keep = rw.media[1].refuse = false;

	/* towards the browser: our group, both sections on one port */
	read_ok(answer, &d);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.media[1].port = 30000;
	rw.media[0].rtcp_mux = rw.media[1].rtcp_mux = true;
	rw.media[0].rtcp_mux_only = rw.media[1].rtcp_mux_only = true;
	rw.media[0].bundled = rw.media[1].bundled = true;
	memset(&grp, 0, sizeof(grp));
	grp.ntag = 2;
	snprintf(grp.tag[0], sizeof(grp.tag[0]), "0");
	snprintf(grp.tag[1], sizeof(grp.tag[1]), "1");
	rw.group = &grp;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "t=0 0\r\na=group:BUNDLE 0 1\r\nm=audio 30000 "));
	assert_non_null(strstr(out, "m=video 30000 "));
	assert_int_equal(count(out, "sdes:mid"), 0);
	assert_int_equal(count(out, "a=extmap:7"), 0);
	assert_int_equal(count(out, "a=rtcp-mux\r\n"), 2);
	assert_int_equal(count(out, "a=rtcp:"), 0);
	read_ok(out, &back);
	assert_int_equal(back.ngroup, 1);
	assert_int_equal(back.group[0].ntag, 2);
	/* a group lib/sdp would not read back: refused, nothing written */
	snprintf(grp.tag[1], sizeof(grp.tag[1]), "0");
	assert_int_equal(ng_sdp_rewrite(&d, &rw, out, sizeof(out)), -EINVAL);
}

/* What may go on as it came, unanchored (ng_sdp_may_pass): a section
 * without media (port 0) always; one not of RTP's family when the
 * operator names its proto (ng.pass_through); an RTP section never (a
 * browser's DTLS-SRTP, relayed, but never passed on as it came; one past
 * lib/sdp's limits, RTP under another medium, RTP over TCP), whatever
 * the list says. */
static void
test_ng_sdp_may_pass(void **state)
{
	static const char pass[][NG_SDP_NAME_MAX] = { "UDP/DTLS/SCTP", "tcp/msrp" };
	char err[256], big[6000];
	size_t n;

	(void)state;
	read_ok(browser, &d);
	assert_int_equal(d.nmedia, 2);
	assert_true(d.media[0].relay);
	assert_true(d.media[0].rtp);
	assert_false(d.media[0].off);
	assert_string_equal(d.media[0].media_name, "audio");
	assert_string_equal(d.media[0].proto, "UDP/TLS/RTP/SAVPF");
	assert_int_equal(ng_sdp_may_pass(&d, 0, NULL, 0, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "m=audio section 1 (UDP/TLS/RTP/SAVPF)"));
	assert_non_null(strstr(err, "never passed on unanchored"));
	assert_non_null(strstr(err, "the offer's section was not"));
	assert_int_equal(ng_sdp_may_pass(&d, 0, pass, 2, err, sizeof(err)), -EPROTONOSUPPORT);
	/* the data channel: the operator's choice */
	assert_false(d.media[1].rtp);
	assert_int_equal(ng_sdp_may_pass(&d, 1, NULL, 0, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "m=application section 2 (UDP/DTLS/SCTP)"));
	assert_non_null(strstr(err, "ng.pass_through does not name it"));
	assert_int_equal(ng_sdp_may_pass(&d, 1, pass, 2, err, sizeof(err)), 0);
	assert_int_equal(ng_sdp_may_pass(&d, 2, pass, 2, err, sizeof(err)), -EINVAL);

	/* no media: nothing to anchor, whatever it is */
	read_ok("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"
		"m=message 0 TCP/MSRP *\r\nm=audio 0 RTP/AVP 0\r\n", &d);
	for (unsigned int i = 0; i < 3; i++) {
		assert_true(d.media[i].off);
		assert_int_equal(ng_sdp_may_pass(&d, i, NULL, 0, err, sizeof(err)), 0);
	}
	/* MSRP named (case not minded), BFCP not */
	read_ok("v=0\r\nc=IN IP4 192.0.2.1\r\nm=message 7394 TCP/MSRP *\r\n"
		"m=application 5070 TCP/BFCP *\r\n", &d);
	assert_int_equal(ng_sdp_may_pass(&d, 0, pass, 2, err, sizeof(err)), 0);
	assert_int_equal(ng_sdp_may_pass(&d, 1, pass, 2, err, sizeof(err)), -EPROTONOSUPPORT);
	/* RTP in other forms: under m=image, over TCP (RFC 4571) */
	read_ok("v=0\r\nc=IN IP4 192.0.2.1\r\nm=image 4000 RTP/AVP 0\r\n"
		"m=audio 4002 TCP/RTP/AVP 0\r\n", &d);
	for (unsigned int i = 0; i < 2; i++) {
		assert_false(d.media[i].relay);
		assert_true(d.media[i].rtp);
		assert_int_equal(ng_sdp_may_pass(&d, i, pass, 2, err, sizeof(err)),
				 -EPROTONOSUPPORT);
	}
	/* an RTP/AVP section past lib/sdp's 4095 octets of codec lines:
	 * read, not relayed, refused */
	n = (size_t)snprintf(big, sizeof(big), "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 "
			     "RTP/AVP 0\r\n");
	while (n + 40 < sizeof(big))
		n += (size_t)snprintf(big + n, sizeof(big) - n, "a=fmtp:0 x-filler=%023u\r\n", 7u);
	read_ok(big, &d);
	assert_false(d.media[0].relay);
	assert_true(d.media[0].rtp);
	assert_int_equal(ng_sdp_may_pass(&d, 0, pass, 2, err, sizeof(err)), -EPROTONOSUPPORT);
	/* an RTP/AVP section lib/sdp relays, but for which the caller holds
	 * no context (an answer to a section not relayed): refused too */
	read_ok("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n", &d);
	assert_true(d.media[0].relay);
	assert_int_equal(ng_sdp_may_pass(&d, 0, pass, 2, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "the offer's section was not"));
}

/* Mutations of the offers (a byte changed, cut, a tail repeated): read or refused
 * cleanly; what is read rewrites into every size and reads back. Under
 * the sanitizers: no read or write out of place. */
static void
test_ng_sdp_mutations(void **state)
{
	static const char *const seeds[] = { baresip, savp, webrtc };
	static const char alphabet[] = "=\r\n \0:/$0a9mcvo-|";
	static char t[NG_SDP_SIZE_MAX + 1];
	struct sdp_crypto c = { .tag = 5, .suite = SDP_SUITE_AEAD_AES_128_GCM, .key_len = 28 };
	uint32_t x = 12345;
	unsigned int taken = 0;

	(void)state;
	for (unsigned int it = 0; it < 6000; it++) {
		const char *s = seeds[it % 3];
		size_t n = strlen(s);
		struct ng_sdp_rewrite rw;
		struct sdp_error e;
		int rc;

		memcpy(t, s, n);
		for (unsigned int m = 0; m < 1 + it % 4; m++) {
			x = x * 1103515245u + 12345u;
			switch ((x >> 8) % 4) {
			case 0:
				t[(x >> 12) % n] = alphabet[(x >> 20) % (sizeof(alphabet) - 1)];
				break;
			case 1:
				n = 1 + (x >> 12) % n;
				break;
			case 2:
				t[(x >> 12) % n] = (char)(x >> 24);
				break;
			default: {
				/* the tail again: more sections, more lines */
				size_t from = (x >> 12) % n;

				if (n + (n - from) <= NG_SDP_SIZE_MAX) {
					memmove(t + n, t + from, n - from);
					n += n - from;
				}
			}
			}
		}
		rc = ng_sdp_read(t, n, &d, &e);
		if (rc != 0) {
			assert_true(rc == -EINVAL || rc == -E2BIG);
			assert_true(strlen(e.msg) > 0);
			continue;
		}
		taken++;
		rw_init(&rw, &d, it & 1 ? "2001:db8::1" : "203.0.113.1", 30000);
		rw.flags = it & 7;
		for (unsigned int i = 0; i < d.nmedia; i++) {
			rw.media[i].rtcp_mux = (it & 8) != 0;
			if (!rw.media[i].keep && (it & 16)) {
				rw.media[i].crypto = &c;
				rw.media[i].ncrypto = 1;
				rw.media[i].proto = "RTP/SAVP";
			}
		}
		rc = rewrite_ok(&d, &rw);
		if (it % 50 == 0)
			short_sizes(&d, &rw, rc);
		if (ng_sdp_read(out, (size_t)rc, &back, &e) != 0)
			fail_msg("case %u: ours does not read back: %s\n%s", it, e.msg, out);
		assert_int_equal(back.nmedia, d.nmedia);
		for (unsigned int i = 0; i < d.nmedia; i++)
			if (!rw.media[i].keep && back.media[i].relay)
				assert_int_equal(back.media[i].m.port, rw.media[i].port);
	}
	/* the mutations left some whole */
	print_message("%u of 6000 mutations read\n", taken);
	assert_true(taken > 100);
}

/* ICE as the door reads and writes it (ng_ice.c decides where): the
 * sender's credentials read by lib/sdp (the media level's, else the
 * session's), its a=ice-lite noted, its candidates not given to lib/sdp;
 * ours written in a relayed section after a=crypto (ufrag, pwd, host
 * candidates for RTP and RTCP, a=end-of-candidates) with a=ice-lite after
 * the session's last line, the sender's ICE lines gone from that section
 * and the session even without NG_SDP_ICE_REMOVE, and read back; a
 * malformed ICE line refused; ICE lines lib/sdp would not write refused. */
static void
test_ng_sdp_ice_ours(void **state)
{
	struct ng_sdp_rewrite rw;
	struct sdp_crypto c = { .tag = 1, .suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80, .key_len = 30 };
	struct sdp_candidate cand[2];
	struct sdp_webrtc_ours ours;
	char want[1024];
	uint8_t ip[4];
	int n;

	(void)state;
	memset(c.key, 0x11, 30);
	/* the sender's: the media level's credentials, the session's
	 * a=ice-lite, no candidate kept */
	read_ok(webrtc, &d);
	assert_true(d.media[0].ice_lite);
	assert_string_equal(d.media[0].m.ice.ufrag, "F7gI");
	assert_string_equal(d.media[0].m.ice.pwd, "x9cml/YzichV2+XlhiMu8g");
	assert_int_equal(d.media[0].m.ice.ufrag_line, 17);
	assert_true(d.media[0].m.ice.end_of_candidates);
	assert_int_equal(d.media[0].m.ice.options, SDP_ICE_OPT_TRICKLE);
	assert_int_equal(d.media[0].m.ice.ncand, 0);
	/* the session's credentials where the section has none; a full
	 * agent (no a=ice-lite) */
	read_ok("v=0\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=ice-ufrag:sEss\r\n"
		"a=ice-pwd:0123456789abcdef/+ABCD\r\nm=audio 4000 RTP/AVP 0\r\n"
		"a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 typ host\r\n"
		"m=audio 4002 RTP/AVP 0\r\na=ice-ufrag:mEdi\r\n"
		"a=ice-pwd:abcdefghijklmnopqrstuv\r\n", &d);
	assert_string_equal(d.media[0].m.ice.ufrag, "sEss");
	assert_string_equal(d.media[0].m.ice.pwd, "0123456789abcdef/+ABCD");
	assert_string_equal(d.media[1].m.ice.ufrag, "mEdi");
	assert_false(d.media[0].ice_lite);
	assert_false(d.media[1].ice_lite);
	/* none: empty */
	read_ok(baresip, &d);
	assert_string_equal(d.media[0].m.ice.ufrag, "");
	/* a ufrag without its pwd, a ufrag of 3: malformed (RFC 8839 5.4) */
	refused_str("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\na=ice-ufrag:abcd\r\n",
		    -EINVAL, SDP_E_ICE, 4);
	refused_str("v=0\r\nc=IN IP4 192.0.2.1\r\na=ice-ufrag:abc\r\na=ice-pwd:"
		    "abcdefghijklmnopqrstuv\r\nm=audio 4000 RTP/AVP 0\r\n", -EINVAL, SDP_E_ICE, 3);

	/* ours into the WebRTC-like offer */
	read_ok(webrtc, &d);
	ip4(ip, "203.0.113.1");
	assert_int_equal(sdp_host_candidates(AF_INET, ip, 30000, 30001, 65535, cand), 2);
	memset(&ours, 0, sizeof(ours));
	ours.ufrag = "OurUfrag";
	ours.pwd = "0123456789ABCDEFghijklmn";
	ours.cand = cand;
	ours.ncand = 2;
	ours.end_of_candidates = true;
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.media[0].crypto = &c;
	rw.media[0].ncrypto = 1;
	rw.media[0].webrtc = &ours;
	n = rewrite_ok(&d, &rw);
	snprintf(want, sizeof(want),
		 "v=0\r\n"
		 "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
		 "s=-\r\n"
		 "t=0 0\r\n"
		 "a=ice-lite\r\n"
		 "m=audio 30000 RTP/SAVPF 111 0\r\n"
		 "c=IN IP4 203.0.113.1\r\n"
		 "a=mid:0\r\n"
		 "a=rtpmap:111 opus/48000/2\r\n"
		 "a=rtcp-fb:111 transport-cc\r\n"
		 "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
		 "a=rtpmap:0 PCMU/8000\r\n"
		 "a=sendrecv\r\n"
		 "a=rtcp:30001\r\n"
		 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KOURS "\r\n"
		 "a=ice-ufrag:OurUfrag\r\n"
		 "a=ice-pwd:0123456789ABCDEFghijklmn\r\n"
		 "a=candidate:%s 1 UDP 2130706431 203.0.113.1 30000 typ host\r\n"
		 "a=candidate:%s 2 UDP 2130706430 203.0.113.1 30001 typ host\r\n"
		 "a=end-of-candidates\r\n", cand[0].foundation, cand[1].foundation);
	assert_string_equal(out, want);
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_true(back.media[0].ice_lite);
	assert_string_equal(back.media[0].m.ice.ufrag, "OurUfrag");
	assert_string_equal(back.media[0].m.ice.pwd, "0123456789ABCDEFghijklmn");
	assert_true(back.media[0].m.ice.end_of_candidates);
	/* with the flag too: the same text; trickle offered */
	rw.flags = NG_SDP_ICE_REMOVE;
	assert_int_equal(rewrite_ok(&d, &rw), n);
	assert_string_equal(out, want);
	ours.ice_options = SDP_ICE_OPT_TRICKLE;
	rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "a=ice-pwd:0123456789ABCDEFghijklmn\r\n"
				    "a=ice-options:trickle\r\na=candidate:"));
	read_ok(out, &back);
	assert_int_equal(back.media[0].m.ice.options, SDP_ICE_OPT_TRICKLE);
	ours.ice_options = 0;
	/* RTCP muxed: one candidate, no a=rtcp; a session c= written before
	 * t=, a=ice-lite still the session's last line */
	assert_int_equal(sdp_host_candidates(AF_INET, ip, 30000, 0, 65535, cand), 1);
	ours.ncand = 1;
	rw.media[0].rtcp_mux = rw.media[0].rtcp_mux_only = true;
	rw.flags = NG_SDP_REPLACE_SESS_C;
	n = rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "s=-\r\nc=IN IP4 203.0.113.1\r\nt=0 0\r\n"
				    "a=ice-lite\r\nm=audio 30000 "));
	assert_int_equal(count(out, "a=candidate:"), 1);
	assert_int_equal(count(out, "a=ice-"), 3);
	short_sizes(&d, &rw, n);

	/* two sections, ours in the second only: the first's ICE lines
	 * stay without the flag (ng_call.c always gives it), the session's
	 * go, a=ice-lite written */
	read_ok("v=0\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=ice-ufrag:sEss\r\n"
		"a=ice-pwd:0123456789abcdef/+ABCD\r\nm=audio 4000 RTP/AVP 0\r\n"
		"a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 typ host\r\n"
		"m=audio 4002 RTP/AVP 0\r\na=ice-ufrag:mEdi\r\n"
		"a=ice-pwd:abcdefghijklmnopqrstuv\r\n"
		"a=candidate:1 1 UDP 2130706431 192.0.2.1 4002 typ host\r\n", &d);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.media[1].webrtc = &ours;
	rewrite_ok(&d, &rw);
	assert_int_equal(count(out, "a=ice-ufrag:"), 1);
	assert_int_equal(count(out, "a=ice-ufrag:OurUfrag\r\n"), 1);
	assert_int_equal(count(out, "a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 typ host"), 1);
	assert_int_equal(count(out, "192.0.2.1 4002"), 0);
	assert_non_null(strstr(out, "t=0 0\r\na=ice-lite\r\nm=audio 30000 "));
	rw.flags = NG_SDP_ICE_REMOVE;
	rewrite_ok(&d, &rw);
	assert_int_equal(count(out, "a=candidate:"), 1);
	assert_int_equal(count(out, "a=ice-"), 3);

	/* kept sections relying on the session's credentials, which go:
	 * given them where they have ICE lines of their own (the data
	 * channel's candidate; a refused one's ufrag, whose pwd was the
	 * session's), not where they have none (MSRP) */
	read_ok("v=0\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=ice-ufrag:sEss\r\n"
		"a=ice-pwd:0123456789abcdef/+ABCD\r\nm=audio 4000 RTP/AVP 0\r\n"
		"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
		"a=candidate:1 1 UDP 2130706431 192.0.2.1 9 typ host\r\n"
		"m=audio 0 RTP/AVP 0\r\na=ice-ufrag:mEdi\r\n"
		"m=message 7394 TCP/MSRP *\r\n", &d);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.media[2].keep = true;
	rw.media[0].webrtc = &ours;
	n = rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
				    "c=IN IP4 192.0.2.1\r\n"
				    "a=candidate:1 1 UDP 2130706431 192.0.2.1 9 typ host\r\n"
				    "a=ice-ufrag:sEss\r\na=ice-pwd:0123456789abcdef/+ABCD\r\n"
				    "m=audio 0 RTP/AVP 0\r\na=ice-ufrag:mEdi\r\n"
				    "a=ice-pwd:0123456789abcdef/+ABCD\r\n"
				    "m=message 7394 TCP/MSRP *\r\nc=IN IP4 192.0.2.1\r\n"));
	assert_int_equal(count(out, "a=ice-ufrag:"), 3);
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_string_equal(back.media[2].m.ice.ufrag, "mEdi");
	assert_string_equal(back.media[2].m.ice.pwd, "0123456789abcdef/+ABCD");
	assert_string_equal(back.media[0].m.ice.ufrag, "OurUfrag");
	read_ok("v=0\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=ice-ufrag:sEss\r\n"
		"a=ice-pwd:0123456789abcdef/+ABCD\r\nm=audio 4000 RTP/AVP 0\r\n"
		"a=candidate:1 1 UDP 2130706431 192.0.2.1 4000 typ host\r\n"
		"m=audio 4002 RTP/AVP 0\r\na=ice-ufrag:mEdi\r\n"
		"a=ice-pwd:abcdefghijklmnopqrstuv\r\n"
		"a=candidate:1 1 UDP 2130706431 192.0.2.1 4002 typ host\r\n", &d);
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.flags = NG_SDP_ICE_REMOVE;

	/* what lib/sdp would not write back: refused, nothing written */
	rw.media[1].webrtc = &ours;
	ours.ufrag = "abc";
	assert_int_equal(ng_sdp_rewrite(&d, &rw, out, sizeof(out)), -EINVAL);
	ours.ufrag = NULL;       /* lines with no credentials */
	assert_int_equal(ng_sdp_rewrite(&d, &rw, out, sizeof(out)), -EINVAL);
	ours.ufrag = "OurUfrag";
	ours.cand = NULL;
	assert_int_equal(ng_sdp_rewrite(&d, &rw, out, sizeof(out)), -EINVAL);
	ours.cand = cand;
	assert_true(rewrite_ok(&d, &rw) > 0);
}

/* A browser's DTLS-SRTP (RFC 5763, RFC 8842) read and rewritten: its
 * section relayed with its setup, fingerprint and tls-id read, at the
 * section's level or the session's (a section's own win); the sender's
 * DTLS lines never relayed (the other side would be told its
 * certificate), at either level, a data channel passed on given the
 * session's back; ours (fingerprint, setup, tls-id) written after our ICE
 * lines and read back; DTLS lines without ICE give no a=ice-lite. */
static void
test_ng_sdp_dtls(void **state)
{
	static const char sess[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 198.51.100.7\r\n"
		"s=-\r\n"
		"c=IN IP4 198.51.100.7\r\n"
		"t=0 0\r\n"
		"a=fingerprint:sha-256 9C:A5:0C:4A:8F:57:3F:A8:54:AE:B9:5D:86:B3:62:02:0A:7A:10:53:"
		"C7:2C:6B:0E:AA:D6:38:80:4C:EE:A5:F4\r\n"
		"a=setup:actpass\r\n"
		"m=audio 51602 UDP/TLS/RTP/SAVPF 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtcp-mux\r\n"
		"a=tls-id:abcdefghijklmnopqrstuvwxyz012345\r\n"
		"m=audio 51604 UDP/TLS/RTP/SAVP 0\r\n"
		"a=setup:active\r\n"
		"a=rtcp-mux\r\n"
		"m=application 51606 UDP/DTLS/SCTP webrtc-datachannel\r\n"
		"a=sctp-port:5000\r\n";
	static const struct certfp fp = { .alg = CERTFP_SHA256, .len = 32,
					  .md = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
						  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
						  0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
						  0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20 } };
	static const char tls_id[] = "0123456789abcdef0123456789ABCDEF";
	struct sdp_webrtc_ours ours;
	struct sdp_candidate cand[2];
	struct ng_sdp_rewrite rw;
	uint8_t ip[16];
	int n;

	(void)state;
	/* the browser's: relayed, its lines read */
	read_ok(browser, &d);
	assert_true(d.media[0].relay);
	assert_int_equal(d.media[0].m.proto, SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_int_equal(d.media[0].m.setup, SDP_SETUP_ACTPASS);
	assert_int_equal(d.media[0].m.nfp, 1);
	assert_int_equal(d.media[0].m.fp[0].alg, CERTFP_SHA256);
	assert_int_equal(d.media[0].m.fp[0].md[0], 0x9c);
	assert_true(d.media[0].m.rtcp_mux);
	assert_int_equal(d.media[0].m.ncrypto, 0);
	assert_int_equal(sdp_dtls_fp(&d.media[0].m, false, NULL), CERTFP_SHA256);
	assert_false(d.media[1].relay);

	/* at session level: every section's unless its own (a=tls-id is a
	 * section's only, RFC 8842 section 4) */
	read_ok(sess, &d);
	assert_int_equal(d.nmedia, 3);
	assert_true(d.media[0].relay && d.media[1].relay);
	assert_false(d.media[2].relay);
	assert_int_equal(d.media[0].m.setup, SDP_SETUP_ACTPASS);
	assert_int_equal(d.media[0].m.nfp, 1);
	assert_string_equal(d.media[0].m.tls_id, "abcdefghijklmnopqrstuvwxyz012345");
	assert_int_equal(d.media[0].m.tls_id_line, 11);
	assert_int_equal(d.media[1].m.proto, SDP_PROTO_UDP_TLS_RTP_SAVP);
	assert_int_equal(d.media[1].m.setup, SDP_SETUP_ACTIVE);
	assert_int_equal(d.media[1].m.setup_line, 13);
	assert_string_equal(d.media[1].m.tls_id, "");
	assert_int_equal(d.media[1].m.nfp, 1);

	/* towards a SIP phone: the sender's DTLS lines gone, at both levels,
	 * the data channel given the session's back; ours in the second */
	ip4(ip, "203.0.113.1");
	rw_init(&rw, &d, "203.0.113.1", 30000);
	rw.media[0].proto = "RTP/AVP";
	rw.media[0].rtcp_mux = false;
	memset(&ours, 0, sizeof(ours));
	ours.fp = &fp;
	ours.nfp = 1;
	ours.setup = SDP_SETUP_PASSIVE;
	ours.tls_id = tls_id;
	rw.media[1].rtcp_mux = rw.media[1].rtcp_mux_only = true;
	rw.media[1].webrtc = &ours;
	n = rewrite_ok(&d, &rw);
	assert_string_equal(out,
		"v=0\r\n"
		"o=- 1 1 IN IP4 198.51.100.7\r\n"
		"s=-\r\n"
		"c=IN IP4 203.0.113.1\r\n"
		"t=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtcp:30001\r\n"
		"m=audio 30002 UDP/TLS/RTP/SAVP 0\r\n"
		"a=rtcp-mux\r\n"
		"a=fingerprint:sha-256 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:"
		"15:16:17:18:19:1A:1B:1C:1D:1E:1F:20\r\n"
		"a=setup:passive\r\n"
		"a=tls-id:0123456789abcdef0123456789ABCDEF\r\n"
		"m=application 51606 UDP/DTLS/SCTP webrtc-datachannel\r\n"
		"c=IN IP4 198.51.100.7\r\n"
		"a=sctp-port:5000\r\n"
		"a=fingerprint:sha-256 9C:A5:0C:4A:8F:57:3F:A8:54:AE:B9:5D:86:B3:62:02:0A:7A:10:53:"
		"C7:2C:6B:0E:AA:D6:38:80:4C:EE:A5:F4\r\n"
		"a=setup:actpass\r\n");
	assert_int_equal(count(out, "a=ice-lite"), 0);
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_int_equal(back.media[0].m.nfp, 0);
	assert_int_equal(back.media[0].m.setup, SDP_SETUP_NONE);
	assert_int_equal(back.media[1].m.setup, SDP_SETUP_PASSIVE);
	assert_int_equal(back.media[1].m.nfp, 1);
	assert_true(certfp_equal(&back.media[1].m.fp[0], &fp));
	assert_string_equal(back.media[1].m.tls_id, tls_id);
	assert_int_equal(count(out, "a=setup:"), 2);
	assert_int_equal(count(out, "a=fingerprint:"), 2);

	/* with our ICE: a=ice-lite, our ICE lines before our DTLS lines */
	assert_int_equal(sdp_host_candidates(AF_INET, ip, 30002, 0, 65535, cand), 1);
	ours.ufrag = "OurUfrag";
	ours.pwd = "0123456789ABCDEFghijklmn";
	ours.cand = cand;
	ours.ncand = 1;
	ours.end_of_candidates = true;
	ours.setup = SDP_SETUP_ACTPASS;
	n = rewrite_ok(&d, &rw);
	assert_non_null(strstr(out, "t=0 0\r\na=ice-lite\r\nm=audio 30000 "));
	assert_non_null(strstr(out, "a=rtcp-mux\r\na=ice-ufrag:OurUfrag\r\n"
				    "a=ice-pwd:0123456789ABCDEFghijklmn\r\na=fingerprint:sha-256 01:"));
	assert_non_null(strstr(out, "a=setup:actpass\r\na=tls-id:0123456789abcdef"));
	short_sizes(&d, &rw, n);
	read_ok(out, &back);
	assert_int_equal(back.media[1].m.setup, SDP_SETUP_ACTPASS);
	assert_string_equal(back.media[1].m.ice.ufrag, "OurUfrag");

	/* what lib/sdp would not write back: refused, nothing written */
	ours.tls_id = "short";
	assert_int_equal(ng_sdp_rewrite(&d, &rw, out, sizeof(out)), -EINVAL);
	ours.tls_id = tls_id;
	ours.setup = SDP_SETUP_HOLDCONN;
	assert_int_equal(ng_sdp_rewrite(&d, &rw, out, sizeof(out)), -EINVAL);
	ours.setup = SDP_SETUP_ACTPASS;
	assert_true(rewrite_ok(&d, &rw) > 0);

	/* refused as the SDP's error: holdconn on a DTLS-SRTP section (RFC
	 * 8842 section 5.2), at either level */
	refused_str("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 UDP/TLS/RTP/SAVPF 0\r\n"
		    "a=setup:holdconn\r\n", -EINVAL, SDP_E_DTLS_SETUP, 4);
	refused_str("v=0\r\nc=IN IP4 192.0.2.1\r\na=setup:holdconn\r\n"
		    "m=audio 4000 UDP/TLS/RTP/SAVPF 0\r\n", -EINVAL, SDP_E_DTLS_SETUP, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ng_sdp_baresip_offer),
		cmocka_unit_test(test_ng_sdp_savp_crypto),
		cmocka_unit_test(test_ng_sdp_rewrite_refuses),
		cmocka_unit_test(test_ng_sdp_webrtc_ice),
		cmocka_unit_test(test_ng_sdp_ice_ours),
		cmocka_unit_test(test_ng_sdp_audio_video_disabled),
		cmocka_unit_test(test_ng_sdp_kept_sections),
		cmocka_unit_test(test_ng_sdp_media_level_c),
		cmocka_unit_test(test_ng_sdp_ipv6),
		cmocka_unit_test(test_ng_sdp_attacker),
		cmocka_unit_test(test_ng_sdp_may_pass),
		cmocka_unit_test(test_ng_sdp_dtls),
		cmocka_unit_test(test_ng_sdp_mutations),
		cmocka_unit_test(test_ng_sdp_bundle),
		cmocka_unit_test(test_ng_sdp_chromium_offer),
		cmocka_unit_test(test_ng_sdp_bundle_rewrite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
