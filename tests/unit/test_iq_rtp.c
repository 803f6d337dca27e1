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
		assert_true(iq_rtp_answer(&s, &in, 7, 1, buf, sizeof(buf)) > 0);
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
	assert_true(iq_rtp_answer(&s, &s.term, 7, 1, buf, sizeof(buf)) > 0);
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
		assert_true(iq_rtp_answer(&s, &s.term, 1, 1, buf, sizeof(buf)) > 0);
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
	assert_int_equal(iq_rtp_answer(&s, &in, 1, 1, buf, sizeof(buf)), -EINVAL);
	in.srtp_tx.key_len = 30;
	for (unsigned int i = 0; i < 30; i++)
		in.srtp_tx.key[i] = (uint8_t)(0xa0 + i);
	assert_true(iq_rtp_answer(&s, &in, 1, 1, buf, sizeof(buf)) > 0);
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
		cmocka_unit_test(test_iq_rtp_sdp_codes),
		cmocka_unit_test(test_iq_rtp_stats_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
