/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's RTP mapping (iq_rtp.c): a termination's Local and Remote SDP
 * and its LocalControl packages onto struct ipc_rtp_term (the profile,
 * ports, rtcp-mux, the remote, latching, gm, tman, ds, the stream mode,
 * the inactivity, SRTP's keys), our Local back from what cp/agw
 * installed, the rtp and nt statistics, and what is refused with which
 * H.248.8 code (nothing made: the spec zeroed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "iq/iq_rtp.h"

static struct h248_node nodes[256];

/* m from Local, Remote (NULL: none) and a LocalControl body ("" none). */
static void
media(struct iq_media *m, const char *local, const char *remote, const char *lc)
{
	struct sdp_error e;

	memset(m, 0, sizeof(*m));
	if (local != NULL) {
		if (sdp_parse(local, strlen(local), &m->l, &e) < 0)
			fail_msg("Local: %s", e.msg);
		m->local = true;
	}
	if (remote != NULL) {
		if (sdp_parse(remote, strlen(remote), &m->r, &e) < 0)
			fail_msg("Remote: %s", e.msg);
		m->remote = true;
	}
	if (lc[0] != '\0') {
		static char msg[2048];
		struct h248_tree t;
		struct h248_msg hm;
		struct h248_err err;
		struct iq_fail f;
		const struct h248_node *md;
		int n = snprintf(msg, sizeof(msg), "MEGACO/3 [192.0.2.20]:2944\nTransaction = 5 { "
				 "Context = 1 { Modify = rtp/0/1 { Media { LocalControl { %s } } } } }",
				 lc);

		if (h248_parse(&t, msg, (size_t)n, nodes, 256, &hm, &err) != 0)
			fail_msg("%s at %u", err.why, err.off);
		md = h248_child(&t, h248_child(&t, h248_child(&t, hm.trans[0].node,
							      H248_TOK_CONTEXT), H248_TOK_MODIFY),
				H248_TOK_MEDIA);
		if (iq_props_read(&t, h248_child(&t, md, H248_TOK_LOCALCONTROL),
				  IQ_DESC_LOCALCONTROL, m, &f) < 0)
			fail_msg("LocalControl: %u %s", f.code, f.text);
	}
}

#define LOCAL_AVP "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/AVP 0 8 101\r\n" \
	"a=rtpmap:101 telephone-event/8000\r\n"
#define UE_AVP "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 49170 RTP/AVP 0 8 101\r\n" \
	"a=rtpmap:101 telephone-event/8000\r\n"

static bool
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void
test_iq_rtp_avp_offer_answered(void **state)
{
	struct iq_media m;
	struct iq_rtp_spec s;
	struct iq_fail f;
	struct iq_rtp_ev ev = { IQ_RTP_IEV_IPSTOP, 5000 };
	const struct ipc_rtp_term *t = &s.term;
	uint8_t ue[4] = { 198, 51, 100, 7 };

	(void)state;
	media(&m, LOCAL_AVP, UE_AVP, "Mode = SendReceive, ipnapt/latch = ON, ds/dscp = 46, "
	      "tman/pol = ON, tman/sdr = 16000, gm/spf = ON, gm/spr = 49170");
	assert_true(iq_rtp_media(&m));
	assert_int_equal(iq_rtp_spec(&m, &ev, 0, &s, &f), 0);
	assert_int_equal(t->profile, IPC_RTP_AVP);
	assert_int_equal(t->mode, IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV);
	assert_int_equal(t->flags, 0);
	assert_int_equal(t->latch, IPC_RTP_LATCH_RELATCH);
	assert_true(s.addr_choose && s.port_choose && s.remote_known && !s.key_choose);
	/* ours cp/agw's: family said, address zero, ports 0 */
	assert_int_equal(t->local.family, 4);
	assert_true(all_zero(t->local.ip, 16));
	assert_int_equal(t->local.port, 0);
	assert_int_equal(t->rtcp_port, 0);
	assert_int_equal(t->remote.family, 4);
	assert_memory_equal(t->remote.ip, ue, 4);
	assert_int_equal(t->remote.port, 49170);
	assert_int_equal(t->remote_rtcp, 49171);       /* RFC 3605: port + 1 */
	assert_int_equal(t->dscp, 46);
	assert_int_equal(t->pol_rate, 16000);
	assert_int_equal(t->pol_burst, 4000);          /* a quarter second */
	assert_int_equal(t->gm_addr.family, 0);        /* gm/saf not asked */
	assert_int_equal(t->gm_port_lo, 49170);
	assert_int_equal(t->gm_port_hi, 49170);
	assert_int_equal(t->inact_ms, 5000);
	assert_int_equal(t->clock_hz, 0);              /* PCMU: 8000 */
	assert_string_equal(s.fmt, "0 8 101");
	assert_true(all_zero(&t->srtp_rx, sizeof(t->srtp_rx)));
	assert_true(all_zero(&t->srtp_tx, sizeof(t->srtp_tx)));

	/* the answer: what cp/agw installed, every $ filled */
	{
		struct ipc_rtp_term in = *t;
		char buf[2048];
		uint8_t ours[4] = { 192, 0, 2, 10 };

		memcpy(in.local.ip, ours, 4);
		in.local.port = 30000;
		in.rtcp_port = 30001;
		assert_true(iq_rtp_answer(&s, &in, NULL, 7, 1, buf, sizeof(buf)) > 0);
		assert_non_null(strstr(buf, "c=IN IP4 192.0.2.10\r\n"));
		assert_non_null(strstr(buf, "m=audio 30000 RTP/AVP 0 8 101\r\n"));
		assert_non_null(strstr(buf, "a=rtpmap:101 telephone-event/8000\r\n"));
		assert_non_null(strstr(buf, "a=rtcp:30001\r\n"));
		assert_non_null(strstr(buf, "a=sendrecv\r\n"));   /* Mode was said */
		assert_null(strstr(buf, "a=crypto"));
		assert_null(strstr(buf, "a=rtcp-mux"));
	}
}

static void
test_iq_rtp_mux_rtcp_and_gm_saf(void **state)
{
	struct iq_media m;
	struct iq_rtp_spec s;
	struct iq_fail f;
	char buf[2048];

	(void)state;
	/* both sides mux: one port; gm/saf ON filters on Remote's address */
	media(&m, "v=0\r\nc=IN IP4 192.0.2.10\r\nm=audio 30010 RTP/AVP 96\r\n"
	      "a=rtpmap:96 AMR-WB/16000\r\na=rtcp-mux\r\n",
	      "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 5004 RTP/AVP 96\r\na=rtcp-mux\r\n",
	      "gm/saf = ON");
	assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
	assert_int_equal(s.term.flags, IPC_RTP_F_MUX);
	assert_false(s.addr_choose || s.port_choose);
	assert_int_equal(s.term.local.port, 30010);
	assert_int_equal(s.term.rtcp_port, 0);
	assert_int_equal(s.term.remote_rtcp, 0);
	assert_int_equal(s.term.clock_hz, 16000);      /* a=rtpmap's */
	assert_int_equal(s.term.gm_addr.family, 4);
	assert_int_equal(s.term.gm_plen, 32);
	assert_memory_equal(s.term.gm_addr.ip, s.term.remote.ip, 4);
	assert_true(iq_rtp_answer(&s, &s.term, NULL, 7, 1, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "a=rtcp-mux\r\n"));
	assert_null(strstr(buf, "a=rtcp:"));
	assert_null(strstr(buf, "a=sendrecv"));          /* no direction said */
	/* a fixed port without mux: RTCP the next one, or Local's a=rtcp */
	media(&m, "v=0\r\nc=IN IP4 192.0.2.10\r\nm=audio 30020 RTP/AVP 0\r\na=rtcp:30041\r\n",
	      UE_AVP, "");
	assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
	assert_int_equal(s.term.rtcp_port, 30041);
	/* rtcph/rtcpa OFF: fits a muxed termination only */
	media(&m, LOCAL_AVP "a=rtcp-mux\r\n", UE_AVP "a=rtcp-mux\r\n", "rtcph/rtcpa = OFF");
	assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
	media(&m, LOCAL_AVP, UE_AVP, "rtcph/rtcpa = OFF");
	assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), -1);
	assert_int_equal(f.code, H248_E_BAD_VALUE);
	media(&m, LOCAL_AVP, UE_AVP, "rtcph/rtcpa = ON");
	assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
}

static void
test_iq_rtp_modes(void **state)
{
	static const struct {
		const char *lc;           /* LocalControl */
		const char *ldir, *rdir;  /* a= lines of Local, Remote */
		uint8_t mode;
		const char *answer;       /* the answer's direction line, NULL none */
	} rows[] = {
		{ "", "", "", 3, NULL },
		{ "Mode = SendReceive", "", "", 3, "a=sendrecv" },
		{ "Mode = SendOnly", "", "", IPC_RTP_MODE_SEND, "a=sendonly" },
		{ "Mode = ReceiveOnly", "", "", IPC_RTP_MODE_RECV, "a=recvonly" },
		{ "Mode = Inactive", "", "", 0, "a=inactive" },
		/* the peer sends only: we take from it and send it nothing */
		{ "", "", "a=sendonly\r\n", IPC_RTP_MODE_RECV, "a=recvonly" },
		{ "", "", "a=recvonly\r\n", IPC_RTP_MODE_SEND, "a=sendonly" },
		{ "", "", "a=inactive\r\n", 0, "a=inactive" },
		{ "", "a=sendonly\r\n", "", IPC_RTP_MODE_SEND, "a=sendonly" },
		/* LocalControl and the peer disagree: nothing is left */
		{ "Mode = SendOnly", "", "a=sendonly\r\n", 0, "a=inactive" },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char l[512], r[512], buf[2048];
		struct iq_media m;
		struct iq_rtp_spec s;
		struct iq_fail f;

		snprintf(l, sizeof(l), "%s%s", LOCAL_AVP, rows[i].ldir);
		snprintf(r, sizeof(r), "%s%s", UE_AVP, rows[i].rdir);
		media(&m, l, r, rows[i].lc);
		assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
		if (s.term.mode != rows[i].mode)
			fail_msg("row %u: mode %u, not %u", i, s.term.mode, rows[i].mode);
		s.term.local.port = 30000;
		s.term.rtcp_port = 30001;
		s.term.local.ip[0] = 192;
		assert_true(iq_rtp_answer(&s, &s.term, NULL, 1, 1, buf, sizeof(buf)) > 0);
		if (rows[i].answer == NULL)
			assert_null(strstr(buf, "a=sendrecv"));
		else if (strstr(buf, rows[i].answer) == NULL)
			fail_msg("row %u: no %s in %s", i, rows[i].answer, buf);
	}
}

#define KEY_UE "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"   /* 30 octets */

static void
test_iq_rtp_savp_keys(void **state)
{
	struct iq_media m;
	struct iq_rtp_spec s;
	struct iq_fail f;
	struct sdp back;
	struct sdp_error e;
	char buf[2048];
	struct ipc_rtp_term in;

	(void)state;
	/* the UE offers two lines: the first taken, answered with its tag */
	media(&m, "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/SAVP 0\r\na=crypto:$\r\n",
	      "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 49170 RTP/SAVP 0\r\n"
	      "a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:" KEY_UE "\r\n"
	      "a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:" KEY_UE "\r\n", "");
	assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
	assert_int_equal(s.term.profile, IPC_RTP_SAVP);
	assert_int_equal(s.term.srtp_rx.suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(s.term.srtp_rx.key_len, 30);
	assert_memory_equal(s.term.srtp_rx.key, m.r.media.crypto[0].key, 30);
	/* ours: the same suite, the key cp/agw's to make */
	assert_int_equal(s.term.srtp_tx.suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(s.term.srtp_tx.key_len, 0);
	assert_true(s.key_choose);
	assert_int_equal(s.tag, 3);
	/* no key installed: no answer */
	in = s.term;
	in.local.port = 30000;
	in.rtcp_port = 30001;
	assert_int_equal(iq_rtp_answer(&s, &in, NULL, 1, 1, buf, sizeof(buf)), -EINVAL);
	in.srtp_tx.key_len = 30;
	for (unsigned int i = 0; i < 30; i++)
		in.srtp_tx.key[i] = (uint8_t)(0xa0 + i);
	assert_true(iq_rtp_answer(&s, &in, NULL, 1, 1, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "m=audio 30000 RTP/SAVP 0\r\n"));
	assert_int_equal(sdp_parse(buf, strlen(buf), &back, &e), 0);
	assert_int_equal(back.media.ncrypto, 1);
	assert_int_equal(back.media.crypto[0].tag, 3);
	assert_int_equal(back.media.crypto[0].suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_32);
	assert_memory_equal(back.media.crypto[0].key, in.srtp_tx.key, 30);

	/* our offer (no Remote yet): AES_CM_128_HMAC_SHA1_80, tag 1 */
	media(&m, "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/SAVP 0\r\na=crypto:$\r\n", NULL, "");
	assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
	assert_false(s.remote_known);
	assert_int_equal(s.term.remote.family, 0);
	assert_int_equal(s.term.srtp_tx.suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_80);
	assert_true(s.key_choose);
	assert_int_equal(s.tag, 1);
	assert_true(all_zero(&s.term.srtp_rx, sizeof(s.term.srtp_rx)));
	/* a key Local fixed is ours as given */
	media(&m, "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/SAVP 0\r\n"
	      "a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:" KEY_UE "\r\n", NULL, "");
	assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
	assert_false(s.key_choose);
	assert_int_equal(s.term.srtp_tx.key_len, 30);
	assert_int_equal(s.tag, 9);
}

/* Each refusal, its code, and nothing kept of it. */
static void
test_iq_rtp_refusals(void **state)
{
	static const struct {
		const char *local, *remote, *lc;
		unsigned int code;
		const char *says;
	} rows[] = {
		/* a suite the gateway's SRTP does not take */
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 4000 RTP/SAVP 0\r\n"
		  "a=crypto:1 F8_128_HMAC_SHA1_80 inline:" KEY_UE "\r\n", "", H248_E_BAD_VALUE,
		  "a=crypto" },
		/* SAVP with no key */
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 4000 RTP/SAVP 0\r\n", "",
		  H248_E_INFO_MISSING, "a=crypto" },
		/* one termination, one profile */
		{ "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/AVP 0\r\n",
		  "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 4000 RTP/SAVP 0\r\n"
		  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_UE "\r\n", "",
		  H248_E_MEDIA_TYPE, NULL },
		/* a Remote with no address */
		{ NULL, "v=0\r\nm=audio 4000 RTP/AVP 0\r\n", "", H248_E_BAD_VALUE, NULL },
		/* port 0: a refused stream */
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 0 RTP/AVP 0\r\n", "",
		  H248_E_BAD_VALUE, NULL },
		/* RTCP elsewhere than RTP */
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 4000 RTP/AVP 0\r\n"
		  "a=rtcp:4001 IN IP4 198.51.100.8\r\n", "", H248_E_BAD_VALUE, "a=rtcp" },
		{ LOCAL_AVP, UE_AVP, "tman/pol = ON", H248_E_INFO_MISSING, "tman/sdr" },
		{ LOCAL_AVP, NULL, "gm/saf = ON", H248_E_INFO_MISSING, "gm/saf" },
		{ LOCAL_AVP, NULL, "gm/spf = ON", H248_E_INFO_MISSING, "gm/spf" },
		{ LOCAL_AVP, UE_AVP, "gm/saf = ON, gm/sam = \"2001:db8::1\"", H248_E_CONFLICT,
		  "gm/sam" },
		{ "v=0\r\nc=IN IP6 $\r\nm=audio $ RTP/AVP 0\r\n", UE_AVP, "", H248_E_BAD_VALUE,
		  NULL },
		{ NULL, NULL, "", H248_E_NO_LOCAL_REMOTE, NULL },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct iq_media m;
		struct iq_rtp_spec s;
		struct iq_fail f;

		media(&m, rows[i].local, rows[i].remote, rows[i].lc);
		memset(&s, 0x5a, sizeof(s));
		if (iq_rtp_spec(&m, NULL, 0, &s, &f) != -1 || f.code != rows[i].code)
			fail_msg("row %u: %u %s", i, f.code, f.text);
		if (rows[i].says != NULL && strstr(f.text, rows[i].says) == NULL)
			fail_msg("row %u: %s", i, f.text);
		/* never a key in a sentence; nothing kept */
		assert_null(strstr(f.text, "inline"));
		assert_null(strstr(f.text, KEY_UE));
		assert_true(all_zero(&s, sizeof(s)));
	}
}


/* ---- WebRTC (issue 68): ICE lite and DTLS-SRTP ---------------------------- */

#define FP_UE "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3F:" \
	"5D:49:6B:19:E5:7C:AB:3F:5D:49:6B"
#define TLSID_UE "abcdefghijklmnopqrstuvwxyz012345"
/* A browser's offer (aiortc's shape): UDP/TLS/RTP/SAVPF, rtcp-mux, ICE,
 * a host candidate, its fingerprint, actpass, a tls-id, a mid. */
#define UE_WEBRTC(setup) "v=0\r\nc=IN IP4 198.51.100.7\r\na=group:BUNDLE 0\r\n" \
	"m=audio 49200 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=rtcp-mux\r\n" \
	"a=rtpmap:0 PCMU/8000\r\na=ice-ufrag:UeFr\r\na=ice-pwd:ue0pwd0of0twentytwo0chars\r\n" \
	"a=candidate:1 1 udp 2130706431 198.51.100.7 49200 typ host\r\n" \
	"a=fingerprint:" FP_UE "\r\na=setup:" setup "\r\na=tls-id:" TLSID_UE "\r\n"
/* (the same, active, without a=tls-id: an RFC 5763 peer's) */
#define UE_WEBRTC_NO_TLSID "v=0\r\nc=IN IP4 198.51.100.7\r\n" \
	"m=audio 49200 UDP/TLS/RTP/SAVPF 0\r\na=rtcp-mux\r\n" \
	"a=rtpmap:0 PCMU/8000\r\na=ice-ufrag:UeFr\r\na=ice-pwd:ue0pwd0of0twentytwo0chars\r\n" \
	"a=candidate:1 1 udp 2130706431 198.51.100.7 49200 typ host\r\n" \
	"a=fingerprint:" FP_UE "\r\na=setup:active\r\n"
#define LOCAL_WEBRTC "v=0\r\nc=IN IP4 $\r\nm=audio $ UDP/TLS/RTP/SAVPF 0\r\na=rtcp-mux\r\n"

/* The UE's offer as Remote, our Local `$`: an ICE lite agent with the
 * UE's ufrag, DTLS-SRTP as cp/agw's rule takes it (the UE's actpass, its
 * fingerprint and tls-id), no SDES key; our Local with a=ice-lite, our
 * credentials and host candidate, our fingerprint, a=setup:active (cp/
 * agw's answer to actpass), our tls-id, the UE's mid, no a=crypto; what
 * it writes lib/sdp reads back. */
static void
test_iq_rtp_webrtc_offer_answered(void **state)
{
	struct iq_media m;
	struct iq_rtp_spec s;
	struct iq_fail f;
	struct iq_rtp_dtls_ours d;
	struct ipc_rtp_term in;
	struct sdp back;
	struct sdp_error e;
	const struct ipc_rtp_term *t = &s.term;
	char buf[4096];
	uint8_t ours[4] = { 192, 0, 2, 10 };

	(void)state;
	media(&m, LOCAL_WEBRTC, UE_WEBRTC("actpass"), "");
	assert_true(iq_rtp_media(&m));
	assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
	assert_int_equal(t->profile, IPC_RTP_SAVPF);
	assert_int_equal(t->flags, IPC_RTP_F_MUX);
	assert_int_equal(s.proto, SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_int_equal(t->remote.port, 49200);
	/* ICE: lite, the UE's ufrag, ours cp/agw's to make */
	assert_true(s.ice && s.ice_peer);
	assert_int_equal(t->ice.mode, IPC_RTP_ICE_LITE);
	assert_int_equal(t->ice.peer_ufrag_len, 4);
	assert_memory_equal(t->ice.peer_ufrag, "UeFr", 4);
	assert_int_equal(t->ice.ufrag_len, 0);
	assert_int_equal(t->ice.pwd_len, 0);
	/* DTLS-SRTP: the UE's actpass (we answer active), its fingerprint
	 * and tls-id; no SDES key either way */
	assert_int_equal(s.dtls.setup, CP_AGW_DTLS_PEER_ACTPASS);
	assert_false(s.dtls.passive);
	assert_int_equal(s.dtls.nfp, 1);
	assert_int_equal(s.dtls.fp[0].alg, CERTFP_SHA256);
	assert_int_equal(s.dtls.fp[0].len, 32);
	assert_int_equal(s.dtls.fp[0].md[0], 0x4a);
	assert_int_equal(s.dtls.fp[0].md[31], 0x6b);
	assert_string_equal(s.dtls.tls_id, TLSID_UE);
	assert_string_equal(s.mid, "0");
	assert_false(s.key_choose);
	assert_true(all_zero(&t->srtp_rx, sizeof(t->srtp_rx)));
	assert_true(all_zero(&t->srtp_tx, sizeof(t->srtp_tx)));

	/* our Local, from what cp/agw installed */
	in = *t;
	memcpy(in.local.ip, ours, 4);
	in.local.port = 30000;
	in.ice.ufrag_len = 8;
	memcpy(in.ice.ufrag, "OurUfrag", 8);
	in.ice.pwd_len = 24;
	memcpy(in.ice.pwd, "our0password0of024chars0", 24);
	/* (DTLS-SRTP without our lines: nothing written) */
	assert_int_equal(iq_rtp_answer(&s, &in, NULL, 7, 1, buf, sizeof(buf)), -EINVAL);
	memset(&d, 0, sizeof(d));
	d.fp.alg = CERTFP_SHA256;
	d.fp.len = 32;
	memset(d.fp.md, 0xab, 32);
	d.setup = SDP_SETUP_ACTIVE;
	snprintf(d.tls_id, sizeof(d.tls_id), "%s", "OurTlsIdOurTlsIdOurTlsIdOurTlsId");
	assert_true(iq_rtp_answer(&s, &in, &d, 7, 1, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "a=ice-lite\r\n"));
	assert_non_null(strstr(buf, "m=audio 30000 UDP/TLS/RTP/SAVPF 0\r\n"));
	assert_non_null(strstr(buf, "a=rtcp-mux\r\n"));
	assert_non_null(strstr(buf, "a=ice-ufrag:OurUfrag\r\n"));
	assert_non_null(strstr(buf, "a=ice-pwd:our0password0of024chars0\r\n"));
	assert_non_null(strstr(buf, " 192.0.2.10 30000 typ host\r\n"));
	assert_non_null(strstr(buf, "a=end-of-candidates\r\n"));
	assert_non_null(strstr(buf, "a=fingerprint:sha-256 AB:AB:"));
	assert_non_null(strstr(buf, "a=setup:active\r\n"));
	assert_non_null(strstr(buf, "a=tls-id:OurTlsIdOurTlsIdOurTlsIdOurTlsId\r\n"));
	assert_non_null(strstr(buf, "a=mid:0\r\n"));
	assert_null(strstr(buf, "a=crypto"));
	/* one component (rtcp-mux): no candidate on another port */
	assert_null(strstr(buf, " 2 UDP "));
	assert_int_equal(sdp_parse(buf, strlen(buf), &back, &e), 0);
	assert_true(back.ice_lite);
	assert_string_equal(back.media.ice.ufrag, "OurUfrag");
	assert_int_equal(back.media.ice.ncand, 1);
	assert_int_equal(back.media.ice.cand[0].port, 30000);
	assert_int_equal(back.media.setup, SDP_SETUP_ACTIVE);
	assert_int_equal(back.media.nfp, 1);
	assert_memory_equal(back.media.fp[0].md, d.fp.md, 32);
	explicit_bzero(buf, sizeof(buf));
}

/* DTLS-SRTP's setups as cp/agw's rule takes them, Local's a=setup the
 * controller's word for our role (TS 23.334 §6.2.10.5: the IMS-ALG
 * decides on actpass), and ICE's cases. */
static void
test_iq_rtp_webrtc_setups(void **state)
{
	static const struct {
		const char *local, *remote;
		uint8_t setup;
		bool passive, ice;
	} rows[] = {
		{ LOCAL_WEBRTC, UE_WEBRTC("actpass"), CP_AGW_DTLS_PEER_ACTPASS, false, true },
		{ LOCAL_WEBRTC "a=setup:passive\r\n", UE_WEBRTC("actpass"), CP_AGW_DTLS_PEER_ACTPASS,
		  true, true },
		{ LOCAL_WEBRTC "a=setup:active\r\n", UE_WEBRTC("actpass"), CP_AGW_DTLS_PEER_ACTPASS,
		  false, true },
		{ LOCAL_WEBRTC "a=setup:$\r\n", UE_WEBRTC("actpass"), CP_AGW_DTLS_PEER_ACTPASS, false,
		  true },
		{ NULL, UE_WEBRTC("active"), CP_AGW_DTLS_PEER_ACTIVE, false, true },
		{ LOCAL_WEBRTC "a=setup:passive\r\n", UE_WEBRTC("active"), CP_AGW_DTLS_PEER_ACTIVE,
		  false, true },
		{ NULL, UE_WEBRTC("passive"), CP_AGW_DTLS_PEER_PASSIVE, false, true },
		/* our offer: actpass, ICE when Local asks for it */
		{ LOCAL_WEBRTC, NULL, CP_AGW_DTLS_OFFER, false, false },
		{ LOCAL_WEBRTC "a=setup:actpass\r\n", NULL, CP_AGW_DTLS_OFFER, false, false },
		{ "v=0\r\nc=IN IP4 $\r\na=ice-lite\r\nm=audio $ UDP/TLS/RTP/SAVPF 0\r\na=rtcp-mux\r\n",
		  NULL, CP_AGW_DTLS_OFFER, false, true },
		/* our Local repeated (a Modify): our fingerprint, tls-id and
		 * setup not read (ours are the gateway's; an Add's offer with
		 * active or passive is iq_cmd.c's 449, local_setup says it) */
		{ LOCAL_WEBRTC "a=fingerprint:" FP_UE "\r\na=setup:active\r\na=tls-id:" TLSID_UE "\r\n",
		  NULL, CP_AGW_DTLS_OFFER, false, false },
		{ LOCAL_WEBRTC "a=fingerprint:" FP_UE "\r\n", UE_WEBRTC("active"),
		  CP_AGW_DTLS_PEER_ACTIVE, false, true },
		/* a lite peer: no checks either way (RFC 8445 §6.1.1) */
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\na=ice-lite\r\n"
		  "m=audio 49200 UDP/TLS/RTP/SAVPF 0\r\na=rtcp-mux\r\na=ice-ufrag:UeFr\r\n"
		  "a=ice-pwd:ue0pwd0of0twentytwo0chars\r\na=fingerprint:" FP_UE "\r\n"
		  "a=setup:active\r\n", CP_AGW_DTLS_PEER_ACTIVE, false, false },
		/* ICE without DTLS: a plain RTP peer doing ICE */
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 49200 RTP/AVP 0\r\n"
		  "a=ice-ufrag:UeFr\r\na=ice-pwd:ue0pwd0of0twentytwo0chars\r\n", CP_AGW_DTLS_OFF,
		  false, true },
		{ NULL, UE_AVP, CP_AGW_DTLS_OFF, false, false },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct iq_media m;
		struct iq_rtp_spec s;
		struct iq_fail f;

		media(&m, rows[i].local, rows[i].remote, "");
		if (iq_rtp_spec(&m, NULL, 0, &s, &f) != 0)
			fail_msg("row %u: %u %s", i, f.code, f.text);
		if (s.dtls.setup != rows[i].setup || s.dtls.passive != rows[i].passive ||
		    s.ice != rows[i].ice ||
		    (s.term.ice.mode == IPC_RTP_ICE_LITE) != rows[i].ice)
			fail_msg("row %u: setup %u passive %d ice %d", i, s.dtls.setup,
				 s.dtls.passive, s.ice);
		assert_int_equal(s.local_setup, rows[i].local == NULL ? SDP_SETUP_NONE :
				 strstr(rows[i].local, "a=setup:active") ? SDP_SETUP_ACTIVE :
				 strstr(rows[i].local, "a=setup:passive") ? SDP_SETUP_PASSIVE :
				 strstr(rows[i].local, "a=setup:actpass") ? SDP_SETUP_ACTPASS :
				 strstr(rows[i].local, "a=setup:$") ? SDP_SETUP_CHOOSE :
				 SDP_SETUP_NONE);
		/* an offer carries no peer's fingerprint; the peer's only */
		if (s.dtls.nfp == 1)
			assert_int_equal(s.dtls.fp[0].md[0], 0x4a);
		assert_int_equal(s.dtls.nfp, rows[i].setup == CP_AGW_DTLS_PEER_ACTPASS ||
				 rows[i].setup == CP_AGW_DTLS_PEER_ACTIVE ||
				 rows[i].setup == CP_AGW_DTLS_PEER_PASSIVE ? 1 : 0);
	}
}

/* What is refused, each with its H.248.8 code and nothing kept. */
/* A Modify's Remote again (iq_rtp_mod_ice(), iq_cmd.c's): a UE without
 * a=tls-id that restarts ICE (a new ufrag) gets a new DTLS association
 * too (RFC 8842: cp/agw's rule, renew), ours new ICE credentials (a
 * restart); the same ufrag renews nothing; with a tls-id the tls-id alone
 * says (no renew); the answer to our offer (no ufrag known before) is no
 * restart; a UE that stops ICE has it turned off, none renewed. */
static void
test_iq_rtp_webrtc_modify_renew(void **state)
{
	static const struct {
		const char *remote;
		const char *cur_ufrag;    /* the termination's peer ufrag, "" none */
		bool restart, renew;
	} cases[] = {
		{ UE_WEBRTC("active"), "UeFr", false, false },
		{ UE_WEBRTC("active"), "Old1", true, false },
		{ UE_WEBRTC_NO_TLSID, "Old1", true, true },
		{ UE_WEBRTC_NO_TLSID, "UeFr", false, false },
		{ UE_WEBRTC_NO_TLSID, "", false, false },
	};
	struct iq_media m;
	struct iq_rtp_spec s;
	struct iq_fail f;
	struct cp_agw_rtp_mod qm;
	struct ipc_rtp_term cur;
	char peer[IPC_ICE_UFRAG_MAX + 1];

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		media(&m, NULL, cases[k].remote, "");
		assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
		assert_int_equal(s.dtls.setup, CP_AGW_DTLS_PEER_ACTIVE);
		memset(&cur, 0, sizeof(cur));
		cur.ice.mode = IPC_RTP_ICE_LITE;
		cur.ice.peer_ufrag_len = (uint8_t)strlen(cases[k].cur_ufrag);
		memcpy(cur.ice.peer_ufrag, cases[k].cur_ufrag, cur.ice.peer_ufrag_len);
		memset(&qm, 0, sizeof(qm));
		qm.dtls = &s.dtls;
		if (iq_rtp_mod_ice(&cur, &s, &qm, peer) != cases[k].restart ||
		    qm.ice_restart != cases[k].restart || s.dtls.renew != cases[k].renew)
			fail_msg("case %zu: restart %d, renew %d", k, qm.ice_restart, s.dtls.renew);
		assert_string_equal(peer, "UeFr");
		if (cases[k].restart)
			assert_ptr_equal(qm.ice_peer_ufrag, peer);
	}
	/* it stops ICE: turned off, no renew */
	media(&m, NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 49200 UDP/TLS/RTP/SAVPF 0\r\n"
	      "a=rtcp-mux\r\na=fingerprint:" FP_UE "\r\na=setup:active\r\n", "");
	assert_int_equal(iq_rtp_spec(&m, NULL, 0, &s, &f), 0);
	memset(&cur, 0, sizeof(cur));
	cur.ice.mode = IPC_RTP_ICE_LITE;
	cur.ice.peer_ufrag_len = 4;
	memcpy(cur.ice.peer_ufrag, "UeFr", 4);
	memset(&qm, 0, sizeof(qm));
	qm.dtls = &s.dtls;
	assert_false(iq_rtp_mod_ice(&cur, &s, &qm, peer));
	assert_true(qm.ice_set);
	assert_int_equal(qm.ice_mode, IPC_RTP_ICE_OFF);
	assert_false(s.dtls.renew);
}

static void
test_iq_rtp_webrtc_refusals(void **state)
{
	static const struct {
		const char *local, *remote;
		unsigned int code;
		const char *says;
	} rows[] = {
		/* RFC 5763 §5: an answer's setup is active or passive */
		{ LOCAL_WEBRTC "a=setup:actpass\r\n", UE_WEBRTC("actpass"), H248_E_BAD_VALUE,
		  "the answerer picks" },
		/* one DTLS client */
		{ LOCAL_WEBRTC "a=setup:active\r\n", UE_WEBRTC("active"), H248_E_CONFLICT, "active" },
		{ LOCAL_WEBRTC "a=setup:passive\r\n", UE_WEBRTC("passive"), H248_E_CONFLICT,
		  "passive" },
		/* no a=setup, no fingerprint: what DTLS-SRTP needs signalled */
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 49200 UDP/TLS/RTP/SAVPF 0\r\n"
		  "a=rtcp-mux\r\na=fingerprint:" FP_UE "\r\n", H248_E_INFO_MISSING, "a=setup" },
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 49200 UDP/TLS/RTP/SAVPF 0\r\n"
		  "a=rtcp-mux\r\na=setup:actpass\r\n", H248_E_INFO_MISSING, NULL },
		/* DTLS-SRTP's lines under RTP/AVP or SDES */
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 49200 RTP/AVP 0\r\n"
		  "a=fingerprint:" FP_UE "\r\na=setup:actpass\r\n", H248_E_BAD_VALUE, "RTP/AVP" },
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 49200 RTP/SAVP 0\r\n"
		  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_UE "\r\n"
		  "a=tls-id:" TLSID_UE "\r\n", H248_E_BAD_VALUE, "tls-id" },
		/* DTLS-SRTP one side, SDES or nothing the other */
		{ "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/SAVPF 0\r\na=rtcp-mux\r\n", UE_WEBRTC("actpass"),
		  H248_E_MEDIA_TYPE, NULL },
		{ "v=0\r\nc=IN IP4 $\r\nm=audio $ RTP/AVP 0\r\n", UE_WEBRTC("actpass"),
		  H248_E_MEDIA_TYPE, NULL },
		/* a ufrag longer than dp keeps */
		{ NULL, "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 49200 RTP/AVP 0\r\n"
		  "a=ice-ufrag:0123456789012345678901234567890123\r\n"
		  "a=ice-pwd:ue0pwd0of0twentytwo0chars\r\n", H248_E_BAD_VALUE, "ufrag" },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct iq_media m;
		struct iq_rtp_spec s;
		struct iq_fail f;

		media(&m, rows[i].local, rows[i].remote, "");
		memset(&s, 0x5a, sizeof(s));
		if (iq_rtp_spec(&m, NULL, 0, &s, &f) != -1 || f.code != rows[i].code)
			fail_msg("row %u: %u %s", i, f.code, f.text);
		if (rows[i].says != NULL && strstr(f.text, rows[i].says) == NULL)
			fail_msg("row %u: %s", i, f.text);
		assert_null(strstr(f.text, "ue0pwd"));
		assert_true(all_zero(&s, sizeof(s)));
	}
	/* what lib/sdp refuses of them: holdconn (RFC 8842 §5.2) and sha-1
	 * alone, the profile's unsupported value */
	assert_int_equal(iq_sdp_code(SDP_E_DTLS_SETUP), H248_E_BAD_VALUE);
	assert_int_equal(iq_sdp_code(SDP_E_FP_WEAK), H248_E_BAD_VALUE);
	assert_int_equal(iq_sdp_code(SDP_E_NO_FINGERPRINT), H248_E_INFO_MISSING);
	{
		const char *hold = UE_WEBRTC("holdconn");
		struct sdp d;
		struct sdp_error e;

		assert_true(sdp_parse(hold, strlen(hold), &d, &e) < 0);
		assert_int_equal(iq_sdp_code(e.code), H248_E_BAD_VALUE);
	}
}

/* What sdp_parse() refuses of an RTP description, as the Add answers. */
static void
test_iq_rtp_sdp_codes(void **state)
{
	static const struct {
		const char *sdp;
		unsigned int code;
	} rows[] = {
		/* a malformed key: 29 octets for a 30-octet suite */
		{ "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 4000 RTP/SAVP 0\r\n"
		  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVu\r\n",
		  H248_E_SDP_SYNTAX },
		{ "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 4000 RTP/SAVP 0\r\n"
		  "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:!!notbase64!!\r\n", H248_E_SDP_SYNTAX },
		{ "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 4000 RTP/AVP 0\r\na=rtcp:x\r\n",
		  H248_E_SDP_SYNTAX },
		{ "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 4000 RTP/AVP 0\r\n"
		  "m=video 4002 RTP/AVP 96\r\n", H248_E_MEDIA_TYPE },
		{ "m=audio 4000 RTP/AVP 0\r\n", H248_E_SDP_SYNTAX },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sdp d;
		struct sdp_error e;

		assert_true(sdp_parse(rows[i].sdp, strlen(rows[i].sdp), &d, &e) < 0);
		if (iq_sdp_code(e.code) != rows[i].code)
			fail_msg("row %u: %s -> %u", i, e.msg, iq_sdp_code(e.code));
		assert_null(strstr(e.msg, "WVNf"));
	}
	assert_int_equal(iq_sdp_code(SDP_E_NO_CRYPTO), H248_E_INFO_MISSING);
	assert_int_equal(iq_sdp_code(SDP_E_CRYPTO_SUITE), H248_E_BAD_VALUE);
	assert_int_equal(iq_sdp_code(SDP_E_SIZE), H248_E_BAD_VALUE);
}

static void
test_iq_rtp_stats_written(void **state)
{
	struct ipc_rtp_stats st;
	struct h248_w w;
	char buf[1024];

	(void)state;
	memset(&st, 0, sizeof(st));
	st.rtp_in = 50;
	st.rtp_in_octets = 50 * 172;
	st.rtcp_in_octets = 100;
	st.rtp_out = 48;
	st.rtp_out_octets = 48 * 172;
	st.lost = 2;
	st.jitter_us = 2500;
	h248_w_init(&w, buf, sizeof(buf));
	h248_w_open(&w, H248_TOK_STATISTICS, NULL);
	iq_rtp_stats_write(&w, &st, 1234);
	h248_w_close(&w);
	assert_true(h248_w_finish(&w) > 0);
	assert_non_null(strstr(buf, "nt/or = 8700"));
	assert_non_null(strstr(buf, "nt/os = 8256"));
	assert_non_null(strstr(buf, "nt/dur = 1234"));
	assert_non_null(strstr(buf, "rtp/pr = 50"));
	assert_non_null(strstr(buf, "rtp/ps = 48"));
	assert_non_null(strstr(buf, "rtp/pl = 2"));
	assert_non_null(strstr(buf, "rtp/jit = 2"));
	/* duplicates: none lost, not a negative count */
	st.lost = -3;
	h248_w_init(&w, buf, sizeof(buf));
	h248_w_open(&w, H248_TOK_STATISTICS, NULL);
	iq_rtp_stats_write(&w, &st, 1);
	h248_w_close(&w);
	assert_true(h248_w_finish(&w) > 0);
	assert_non_null(strstr(buf, "rtp/pl = 0"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iq_rtp_avp_offer_answered),
		cmocka_unit_test(test_iq_rtp_mux_rtcp_and_gm_saf),
		cmocka_unit_test(test_iq_rtp_modes),
		cmocka_unit_test(test_iq_rtp_savp_keys),
		cmocka_unit_test(test_iq_rtp_refusals),
		cmocka_unit_test(test_iq_rtp_webrtc_offer_answered),
		cmocka_unit_test(test_iq_rtp_webrtc_setups),
		cmocka_unit_test(test_iq_rtp_webrtc_modify_renew),
		cmocka_unit_test(test_iq_rtp_webrtc_refusals),
		cmocka_unit_test(test_iq_rtp_sdp_codes),
		cmocka_unit_test(test_iq_rtp_stats_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
