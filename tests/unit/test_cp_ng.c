/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ng's calls (ng_call.c) onto cp/agw's RTP contexts, with a real
 * (private) ring segment standing for dp: requests as Kamailio's module
 * sends them (bencode, read by ng_req_read()), the replies taken where
 * ng_net.c would send them, what cp tells dp read back from the worker's
 * ring.
 *
 * Early media (FEATURE.md "Early media"): the answerer's termination an
 * offer makes takes what reaches its port before the answer and relays it
 * to the offerer (RECV, latching as the offerer's does, never SEND) when
 * the answerer is offered plain RTP, whatever the offerer's profile; an
 * answerer offered SRTP (its key comes with its answer), an asymmetric
 * request's (no latching: as its other termination), ng.early_media off:
 * as each says; a re-offer before the answer keeps it in step with what
 * it offers now; the answer makes it the answerer's in place, its remote
 * (dp's rule: latching over) and both directions.
 *
 * ICE (FEATURE.md "ICE", ng_ice.c): our ICE-lite lines to an offer's
 * receiver as ICE=default, remove and force say, its termination doing
 * ICE from the offer until its answer says it does not; to the offerer in
 * the answer when it offered ICE and neither reject-ICE nor the answer's
 * ICE=remove says no, its termination doing ICE from then on with its
 * ufrag; a restart (new credentials of the offerer's) making ours new in
 * that answer; a termination made again keeping its ICE; query's ICE.
 *
 * DTLS-SRTP (FEATURE.md "DTLS-SRTP", ng_dtls.c): a browser's offer to a
 * SIP phone (its termination DTLS-SRTP with its setup, fingerprints and
 * ICE from the offer, the phone's plain; our active, fingerprint, tls-id
 * and the browser's mid in the answer), a SIP phone's offer to a browser
 * (ours actpass, the answer's setup and fingerprints then), query's DTLS
 * as dp's RTP_DTLS leaves it, RFC 8842's re-offers (the same tls-id keeps
 * the association, another starts one), DTLS-fingerprint, SDES-no-, and
 * what is refused before anything is made.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "cp.h"
#include "agw/cp_agw.h"
#include "agw/cp_agw_rtp.h"
#include "bencode.h"
#include "ipc.h"
#include "ng/ng_internal.h"
#include "policy/policy.h"
#include "tp_conf.h"

static struct tp_conf conf;
static struct cp_ctx cp;
static struct cp_ng *g;
static char conf_path[128], seg_name[64];
static const char *conf_ng = "";
/* DTLS and DTLS-fingerprint keys the next requests carry (NULL: none) */
static const char *req_dtls, *req_dtls_fp;
static const char *req_flag2;   /* a second flag of reqx()'s */
static const char *req_list_mux; /* the rtcp-mux list's one item (NULL: no list) */
static const char *req_bundle;   /* the bundle list's one item (NULL: no list) */
static const char *req_from, *req_to; /* the tags (NULL: "ue", and "core" in an answer) */

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"ipc = { name = \"%s\"; };\n"
	"agw = { ports = [20000, 20099]; max_contexts = 8; media_ports = [40000, 40039];\n"
	"  media_contexts = 8; };\n"
	"ng = { listen = \"127.0.0.1:2223\"; allow = [\"127.0.0.1\"]; %s };\n";

/* The last reply's dictionary, as ng_net.c would have sent it; its SDP;
 * its nodes. */
static char reply[65536];
static int reply_len;
static char reply_sdp[8192];
static struct bc_node rnodes[NG_NODES_MAX];

void
ng_net_reply(struct cp_ng *gg, const struct ng_src *src, ng_fill_fn fill, void *arg)
{
	struct bc_w w;

	(void)src;
	bc_w_init(&w, reply, sizeof(reply));
	bc_w_dict(&w);
	fill(gg, &w, arg);
	bc_w_close(&w);
	reply_len = bc_w_end(&w);
	assert_true(reply_len > 0);
}

static int
setup(void **state)
{
	char err[256];
	struct cp_policy *p;
	struct ipc_shm *shm;
	FILE *f;
	bool created;

	(void)state;
	snprintf(conf_path, sizeof(conf_path), "/tmp/tp-cp-ng-%d.conf", (int)getpid());
	snprintf(seg_name, sizeof(seg_name), "/tp-cp-ng-%d", (int)getpid());
	f = fopen(conf_path, "w");
	assert_non_null(f);
	fprintf(f, conf_text, seg_name, conf_ng);
	fclose(f);
	memset(&cp, 0, sizeof(cp));
	if (tp_conf_load(conf_path, &conf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	cp.conf = &conf;
	ipc_seg_unlink(seg_name);
	assert_int_equal(ipc_seg_open(&cp.seg, seg_name, 2, geteuid(), &created), 0);
	cp.nworkers = 2;
	cp.now_ms = ipc_monotonic_ms();
	cp.wall_ms = 1700000000000ull;
	assert_int_equal(cp_agw_init(&cp), 0);
	p = cp_policy_create();
	assert_non_null(p);
	assert_int_equal(cp_policy_add_allow(p, "10.0.0.0/16", err, sizeof(err)), 0);
	assert_int_equal(cp_policy_add_allow(p, "10.1.0.0/16", err, sizeof(err)), 0);
	cp_agw_policy_set(&cp, p);
	shm = cp.seg.shm;
	shm->dp_epoch = 1;
	shm->dp_heartbeat_ms = cp.now_ms;
	atomic_store(&shm->dp_ready, 1);
	ipc_side_set_agw(&shm->dp_side, 20000, 20099);
	ipc_side_set_media(&shm->dp_side, 40000, 40039);
	ipc_side_publish(&shm->dp_side, IPC_CAP_AGW | IPC_CAP_RTP, 0, 0, 2);
	g = calloc(1, sizeof(*g));
	assert_non_null(g);
	g->cp = &cp;
	g->conf = &conf.ng;
	g->fd = -1;
	g->who.door = CP_AGW_DOOR_NG;
	g->who.tenant = (uint8_t)conf.ng.tenant_idx;
	g->names.naccess = conf.ng.naccess;
	g->names.ncore = conf.ng.ncore;
	g->names.access = conf.ng.access;
	g->names.core = conf.ng.core;
	assert_int_equal(ng_call_init(g), 0);
	return 0;
}

static int
setup_off(void **state)
{
	conf_ng = "early_media = false;";
	return setup(state);
}

static int
teardown(void **state)
{
	(void)state;
	conf_ng = "";
	req_dtls = req_dtls_fp = req_flag2 = req_list_mux = req_bundle = req_from = req_to = NULL;
	ng_call_fini(g);
	free(g);
	g = NULL;
	cp_agw_fini(&cp);
	ipc_seg_close(&cp.seg);
	ipc_seg_unlink(seg_name);
	tp_conf_free(&conf);
	unlink(conf_path);
	return 0;
}

/* The next message to dp on any worker (false: none). */
static bool
to_dp(struct ipc_msg *m)
{
	for (unsigned int w = 0; w < 2; w++)
		if (ipc_ring_dequeue(&ipc_worker(&cp.seg, w)->to_dp, m) == 1)
			return true;
	return false;
}

#define SDP_A "v=0\r\no=ue 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n" \
	      "m=audio 5004 RTP/AVP 111 0\r\na=rtpmap:111 opus/48000/2\r\n" \
	      "a=rtpmap:0 PCMU/8000\r\n"
#define SDP_A_SAVP "v=0\r\no=ue 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n" \
		   "m=audio 5004 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n" \
		   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 " \
		   "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
/* (the same with only an AEAD_AES_128_GCM line: 28 octets of key and salt) */
#define SDP_A_GCM "v=0\r\no=ue 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n" \
		  "m=audio 5004 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n" \
		  "a=crypto:4 AEAD_AES_128_GCM inline:jw/klEbHg8wj1OojYtInbmTiAjYVefXeYTlGYQ\r\n"
#define SDP_B "v=0\r\no=core 2 1 IN IP4 10.1.0.9\r\ns=-\r\nc=IN IP4 10.1.0.9\r\nt=0 0\r\n" \
	      "m=audio 6004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

/*
 * One request: cmd of call cid with from-tag ue (to-tag core with an
 * answer), sdp (NULL: none), direction access then core for an offer
 * (core then access for an answer), transport-protocol proto and the ICE
 * key ice (NULL: none), flags (NULL: none). The reply's SDP in reply_sdp,
 * its nodes in rnodes. Returns true when the reply says ok.
 */
static bool
reqx(const char *cmd, const char *cid, const char *sdp, const char *proto, const char *ice,
     const char *flag)
{
	char buf[4096], err[256];
	struct ng_req r;
	struct ng_src src;
	struct bc_w w;
	const struct bc_node *res;
	bool offer = strcmp(cmd, "offer") == 0;
	int n;

	bc_w_init(&w, buf, sizeof(buf));
	bc_w_dict(&w);
	bc_w_kstr(&w, "command", cmd);
	bc_w_kstr(&w, "call-id", cid);
	bc_w_kstr(&w, "from-tag", req_from != NULL ? req_from : "ue");
	if (strcmp(cmd, "answer") == 0)
		bc_w_kstr(&w, "to-tag", req_to != NULL ? req_to : "core");
	if (sdp != NULL) {
		bc_w_kstr(&w, "sdp", sdp);
		bc_w_str(&w, "direction");
		bc_w_list(&w);
		bc_w_str(&w, offer ? "access" : "core");
		bc_w_str(&w, offer ? "core" : "access");
		bc_w_close(&w);
	}
	if (proto != NULL)
		bc_w_kstr(&w, "transport-protocol", proto);
	if (ice != NULL)
		bc_w_kstr(&w, "ICE", ice);
	if (req_dtls != NULL)
		bc_w_kstr(&w, "DTLS", req_dtls);
	if (req_dtls_fp != NULL)
		bc_w_kstr(&w, "DTLS-fingerprint", req_dtls_fp);
	if (req_list_mux != NULL) {
		bc_w_str(&w, "rtcp-mux");
		bc_w_list(&w);
		bc_w_str(&w, req_list_mux);
		bc_w_close(&w);
	}
	if (req_bundle != NULL) {
		bc_w_str(&w, "bundle");
		bc_w_list(&w);
		bc_w_str(&w, req_bundle);
		bc_w_close(&w);
	}
	if (flag != NULL) {
		bc_w_str(&w, "flags");
		bc_w_list(&w);
		bc_w_str(&w, flag);
		if (req_flag2 != NULL)
			bc_w_str(&w, req_flag2);
		bc_w_close(&w);
	}
	bc_w_close(&w);
	n = bc_w_end(&w);
	assert_true(n > 0);
	assert_true(bc_parse(buf, (size_t)n, rnodes, NG_NODES_MAX, NG_DEPTH_MAX, NULL, NULL) > 0);
	if (ng_req_read(rnodes, &rnodes[0], &g->names, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	memset(&src, 0, sizeof(src));
	reply_len = 0;
	reply_sdp[0] = '\0';
	ng_call_do(g, &src, &r);
	if (reply_len == 0 && strcmp(cmd, "query") == 0)
		/* (it waits for dp's figures: none come, the last known go) */
		cp_agw_serve(&cp, cp.now_ms + CP_AGW_RTP_STATS_MS + 1);
	assert_true(reply_len > 0);
	/* (a query's reply nests deeper than a request may) */
	assert_true(bc_parse(reply, (size_t)reply_len, rnodes, NG_NODES_MAX, 16, NULL, NULL) > 0);
	(void)bc_str(bc_dict_gets(rnodes, &rnodes[0], "sdp"), reply_sdp, sizeof(reply_sdp));
	res = bc_dict_gets(rnodes, &rnodes[0], "result");
	if (!bc_is(res, "ok")) {
		char why[256] = "";

		(void)bc_str(bc_dict_gets(rnodes, &rnodes[0], "error-reason"), why, sizeof(why));
		print_message("# %s: %s\n", cmd, why);
		snprintf(reply_sdp, sizeof(reply_sdp), "%s", why);
		return false;
	}
	return true;
}

static bool
req(const char *cmd, const char *sdp, const char *proto, const char *flag)
{
	return reqx(cmd, "c1", sdp, proto, NULL, flag);
}

/* The offer's RTP_ADD: the context with A's termination and B's held. */
static struct ipc_rtp_ctx
offered(void)
{
	struct ipc_msg m;
	struct ipc_rtp_ctx x;

	assert_true(to_dp(&m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	memcpy(&x, m.body, sizeof(x));
	assert_false(to_dp(&m));
	/* A's: as its offer says, both ways */
	assert_int_equal(x.term[0].mode, IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV);
	assert_int_equal(x.term[0].remote.port, 5004);
	/* B's: its ports, no remote (no answer named one) */
	assert_int_not_equal(x.term[1].local.port, 0);
	assert_int_equal(x.term[1].remote.family, 0);
	assert_int_equal(x.term[1].remote.port, 0);
	return x;
}

/* The next RTP_MOD's termination t of slot term (MOD_TERM). */
static struct ipc_rtp_term
modified(unsigned int term)
{
	struct ipc_msg m;
	const struct ipc_rtp_mod *x;

	assert_true(to_dp(&m));
	assert_int_equal(m.h.kind, IPC_RTP_MOD);
	x = (const void *)m.body;
	assert_int_equal(x->op, IPC_RTP_MOD_TERM);
	assert_int_equal(x->term, term);
	return x->t;
}

/* The answer: B's termination made B's in place (plain, no rtcp-mux, as
 * held), its remote the answer's (dp's rule: latching starts over, a
 * source latched before the answer replaced or confirmed by it), both
 * ways; A's silence watched from now. */
static void
answered(void)
{
	struct ipc_rtp_term t;

	assert_true(req("answer", SDP_B, NULL, NULL));
	t = modified(1);
	assert_int_equal(t.mode, IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV);
	assert_int_equal(t.remote.family, 4);
	assert_memory_equal(t.remote.ip, "\x0a\x01\x00\x09", 4);
	assert_int_equal(t.remote.port, 6004);
	assert_int_equal(t.latch, IPC_RTP_LATCH_STRICT);
	t = modified(0);
	assert_int_not_equal(t.inact_ms, 0);
}

/* A plain answerer: what it sends before its answer goes to A (RECV,
 * latched as A's is), nothing goes to it (no SEND). */
static void
test_ng_early_plain_relayed(void **state)
{
	struct ipc_rtp_ctx x;

	(void)state;
	assert_true(conf.ng.early_media);
	assert_true(req("offer", SDP_A, NULL, NULL));
	x = offered();
	assert_int_equal(x.term[1].mode, IPC_RTP_MODE_RECV);
	assert_int_equal(x.term[1].latch, IPC_RTP_LATCH_STRICT);
	assert_int_equal(x.term[1].latch, x.term[0].latch);
	assert_int_equal(x.term[1].profile, IPC_RTP_AVP);
	/* (the offer's media clock: what the answerer sends is of its codecs) */
	assert_int_equal(x.term[0].clock_hz, 48000);
	assert_int_equal(x.term[1].clock_hz, 48000);
	answered();
}

/* A speaks SRTP, B is offered RTP/AVP: B's plain RTP is relayed to A
 * under our key to A, the one our answer to A carries (made with the
 * context, never made again by the answer). */
static void
test_ng_early_srtp_offerer(void **state)
{
	struct ipc_rtp_ctx x;
	struct ipc_srtp_key ours;

	(void)state;
	assert_true(req("offer", SDP_A_SAVP, "RTP/AVP", NULL));
	x = offered();
	assert_int_equal(x.term[0].profile, IPC_RTP_SAVP);
	assert_int_equal(x.term[0].srtp_tx.key_len, 30);
	ours = x.term[0].srtp_tx;
	assert_int_equal(x.term[1].mode, IPC_RTP_MODE_RECV);
	assert_int_equal(x.term[1].latch, IPC_RTP_LATCH_STRICT);
	answered();
	/* (our key to A: the context's still) */
	for (uint32_t b = 0; b < g->nbuckets; b++)
		for (const struct ng_call *c = g->bucket[b]; c != NULL; c = c->hnext) {
			const struct cp_agw_ctx *y = cp_agw_lookup(&cp, &g->who, c->s[0].ctx);

			assert_non_null(y);
			assert_memory_equal(y->rtp.term[0].srtp_tx.key, ours.key, 30);
		}
	explicit_bzero(&ours, sizeof(ours));
}

/* A offers only AEAD_AES_128_GCM (RFC 7714): taken (dp's SRTP has it),
 * A's key dp's receive key, our key to A of A's suite (28 octets). */
static void
test_ng_srtp_gcm_offerer(void **state)
{
	struct ipc_rtp_ctx x;

	(void)state;
	assert_true(req("offer", SDP_A_GCM, "RTP/AVP", NULL));
	x = offered();
	assert_int_equal(x.term[0].profile, IPC_RTP_SAVP);
	assert_int_equal(x.term[0].srtp_rx.suite, SDP_SUITE_AEAD_AES_128_GCM);
	assert_int_equal(x.term[0].srtp_rx.key_len, 28);
	assert_int_equal(x.term[0].srtp_tx.suite, SDP_SUITE_AEAD_AES_128_GCM);
	assert_int_equal(x.term[0].srtp_tx.key_len, 28);
	assert_int_equal(x.term[1].profile, IPC_RTP_AVP);
	answered();
	explicit_bzero(&x, sizeof(x));
}

/* B offered SRTP: what it sends before its answer is under a key only the
 * answer brings, none of it can be authenticated: B's termination takes
 * nothing (inactive, as before). */
static void
test_ng_early_srtp_answerer_held(void **state)
{
	struct ipc_rtp_ctx x;

	(void)state;
	assert_true(req("offer", SDP_A, "RTP/SAVP", NULL));
	x = offered();
	assert_int_equal(x.term[1].mode, 0);
	assert_int_equal(x.term[1].flags, 0);
}

/* asymmetric: B's termination before the answer takes its sources as A's
 * does (no latching), still relaying what comes to A only. */
static void
test_ng_early_asymmetric(void **state)
{
	struct ipc_rtp_ctx x;

	(void)state;
	assert_true(req("offer", SDP_A, NULL, "asymmetric"));
	x = offered();
	assert_int_equal(x.term[0].latch, IPC_RTP_LATCH_OFF);
	assert_int_equal(x.term[1].mode, IPC_RTP_MODE_RECV);
	assert_int_equal(x.term[1].latch, IPC_RTP_LATCH_OFF);
}

/* A re-offer before the answer: B's termination follows what B is
 * offered now (SRTP: held; plain again: relayed). */
static void
test_ng_early_reoffer_follows(void **state)
{
	struct ipc_rtp_ctx x;
	struct ipc_rtp_term t;

	(void)state;
	assert_true(req("offer", SDP_A, NULL, NULL));
	x = offered();
	assert_int_equal(x.term[1].mode, IPC_RTP_MODE_RECV);
	assert_true(req("offer", SDP_A, "RTP/SAVP", NULL));
	t = modified(0);
	assert_int_equal(t.remote.port, 5004);
	t = modified(1);
	assert_int_equal(t.mode, 0);
	assert_int_equal(t.latch, IPC_RTP_LATCH_OFF);
	assert_true(req("offer", SDP_A, "RTP/AVP", NULL));
	(void)modified(0);
	t = modified(1);
	assert_int_equal(t.mode, IPC_RTP_MODE_RECV);
	assert_int_equal(t.latch, IPC_RTP_LATCH_STRICT);
	assert_int_equal(t.remote.port, 0);
	answered();
}

/* ng.early_media = false: B's termination takes nothing before its
 * answer, whatever it is offered; the answer as ever. */
static void
test_ng_early_off(void **state)
{
	struct ipc_rtp_ctx x;

	(void)state;
	assert_false(conf.ng.early_media);
	assert_true(req("offer", SDP_A, NULL, NULL));
	x = offered();
	assert_int_equal(x.term[1].mode, 0);
	assert_int_equal(x.term[1].flags, 0);
	answered();
}

/* ---- ICE ---- */

#define SDP_A_ICE_HEAD "v=0\r\no=ue 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n" \
		       "m=audio 5004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" \
		       "a=candidate:1 1 UDP 2130706431 10.0.0.7 5004 typ host\r\n"
/* aioice's: its ufrag and pwd, its host candidate, rtcp-mux */
#define SDP_A_ICE SDP_A_ICE_HEAD "a=ice-ufrag:aIoc\r\na=ice-pwd:aioiceaioiceaioiceaioi\r\n" \
		  "a=rtcp-mux\r\n"
#define SDP_A_ICE_NOMUX SDP_A_ICE_HEAD "a=ice-ufrag:aIoc\r\na=ice-pwd:aioiceaioiceaioiceaioi\r\n"
/* a restart (RFC 8839 4.4.1.1.1): both new; then the pwd alone */
#define SDP_A_ICE2 SDP_A_ICE_HEAD "a=ice-ufrag:rEst\r\na=ice-pwd:restartrestartrestartr\r\n" \
		   "a=rtcp-mux\r\n"
#define SDP_A_ICE3 SDP_A_ICE_HEAD "a=ice-ufrag:rEst\r\na=ice-pwd:restartrestartrestartX\r\n" \
		   "a=rtcp-mux\r\n"
#define SDP_A_ICE_LONG SDP_A_ICE_HEAD "a=ice-ufrag:uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu\r\n" \
		       "a=ice-pwd:aioiceaioiceaioiceaioi\r\n"
#define SDP_B_ICE_HEAD "v=0\r\no=core 2 1 IN IP4 10.1.0.9\r\ns=-\r\nc=IN IP4 10.1.0.9\r\nt=0 0\r\n"
#define SDP_B_ICE_M "m=audio 6004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" \
		    "a=ice-ufrag:cOre\r\na=ice-pwd:corecorecorecorecoreco\r\n" \
		    "a=candidate:1 1 UDP 2130706431 10.1.0.9 6004 typ host\r\n"
#define SDP_B_ICE SDP_B_ICE_HEAD SDP_B_ICE_M
#define SDP_B_LITE SDP_B_ICE_HEAD "a=ice-lite\r\n" SDP_B_ICE_M

/* The reply's SDP has s (count times). */
static unsigned int
in_sdp(const char *what)
{
	unsigned int k = 0;

	for (const char *p = strstr(reply_sdp, what); p != NULL; p = strstr(p + 1, what))
		k++;
	return k;
}

/* Our ICE lines of termination t in the reply's SDP: a=ice-lite at
 * session level, its ufrag and pwd, host candidates on its address and
 * ports (ncand: 1 muxed, 2), a=end-of-candidates; nothing of the
 * sender's. */
static void
ours_in_sdp(const struct ipc_rtp_term *t, unsigned int ncand)
{
	char want[160], ip[64];

	assert_int_equal(t->ice.mode, IPC_RTP_ICE_LITE);
	assert_int_equal(in_sdp("a=ice-lite\r\n"), 1);
	assert_true(strstr(reply_sdp, "a=ice-lite\r\n") < strstr(reply_sdp, "m=audio"));
	snprintf(want, sizeof(want), "a=ice-ufrag:%.*s\r\na=ice-pwd:%.*s\r\n", t->ice.ufrag_len,
		 t->ice.ufrag, t->ice.pwd_len, t->ice.pwd);
	assert_int_equal(in_sdp(want), 1);
	assert_int_equal(in_sdp("a=ice-ufrag:"), 1);
	assert_non_null(inet_ntop(t->local.family == 6 ? AF_INET6 : AF_INET, t->local.ip, ip,
				  sizeof(ip)));
	snprintf(want, sizeof(want), " 1 UDP 2130706431 %s %u typ host\r\n", ip, t->local.port);
	assert_int_equal(in_sdp(want), 1);
	if (ncand == 2) {
		snprintf(want, sizeof(want), " 2 UDP 2130706430 %s %u typ host\r\n", ip,
			 t->rtcp_port);
		assert_int_equal(in_sdp(want), 1);
	}
	assert_int_equal(in_sdp("a=candidate:"), ncand);
	assert_int_equal(in_sdp("a=end-of-candidates\r\n"), 1);
	assert_int_equal(in_sdp("aIoc"), 0);
	assert_int_equal(in_sdp("cOre"), 0);
	assert_int_equal(in_sdp("rEst"), 0);
}

static void
no_ice_in_sdp(void)
{
	assert_int_equal(in_sdp("a=ice-"), 0);
	assert_int_equal(in_sdp("a=candidate"), 0);
	assert_int_equal(in_sdp("a=end-of-candidates"), 0);
}

/* The context of call cid's first stream. */
static const struct cp_agw_ctx *
ctx_of(const char *cid)
{
	for (uint32_t b = 0; b < g->nbuckets; b++)
		for (const struct ng_call *c = g->bucket[b]; c != NULL; c = c->hnext)
			if (strcmp(c->call_id, cid) == 0)
				return cp_agw_lookup(&cp, &g->who, c->s[0].ctx);
	return NULL;
}

/* call c1's query, dp's figures not coming (the last known go): the first
 * medium of side tag in its reply (rnodes). */
static const struct bc_node *
queried_medium(const char *tag)
{
	struct ipc_msg m;
	const struct bc_node *md;

	assert_true(reqx("query", "c1", NULL, NULL, NULL, NULL));
	while (to_dp(&m))
		;
	md = bc_dict_gets(rnodes, bc_dict_gets(rnodes, &rnodes[0], "tags"), tag);
	md = bc_first(rnodes, bc_dict_gets(rnodes, md, "medias"));
	assert_non_null(md);
	return md;
}

/* dp's event e of context y, as cp's loop hands it over. */
static void
dp_event(const struct cp_agw_ctx *y, const struct ipc_rtp_event *e)
{
	static struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_EVENT;
	m.h.worker = (uint16_t)y->worker;
	m.h.alloc_id = y->id;
	m.h.body_len = sizeof(*e);
	memcpy(m.body, e, sizeof(*e));
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, y->worker, &m);
}

static void
peer_is(const struct ipc_rtp_term *t, const char *ufrag)
{
	assert_int_equal(t->ice.peer_ufrag_len, strlen(ufrag));
	assert_memory_equal(t->ice.peer_ufrag, ufrag, strlen(ufrag));
}

/* A's offer with ICE (aioice's), no ICE key (rtpengine's default: the
 * sender's choice passed on): B's termination does ICE from the offer,
 * ours in the offer to B and none of A's; B's plain answer: its
 * termination latches as without ICE, A's does ICE from now with its
 * ufrag, ours (muxed: one candidate) in the answer; the 200 after the 183
 * changes no ICE; query's ICE of A's stream: dp's nomination, the consent
 * lost. */
static void
test_ng_ice_default(void **state)
{
	struct ipc_rtp_ctx x;
	struct ipc_rtp_term t, a;
	struct ipc_msg m;
	const struct cp_agw_ctx *y;
	struct ipc_rtp_event e;
	const struct bc_node *md, *ice, *f;
	char v[64];
	bool flag_ice = false;

	(void)state;
	assert_true(req("offer", SDP_A_ICE, NULL, NULL));
	x = offered();
	assert_int_equal(x.term[0].ice.mode, IPC_RTP_ICE_OFF);
	assert_int_equal(x.term[1].ice.mode, IPC_RTP_ICE_LITE);
	assert_int_equal(x.term[1].ice.ufrag_len, 8);
	assert_int_equal(x.term[1].ice.pwd_len, 24);
	assert_int_equal(x.term[1].ice.peer_ufrag_len, 0);
	/* (B's held ports: RTP and RTCP apart, rtcp-mux only offered) */
	ours_in_sdp(&x.term[1], 2);
	assert_int_equal(in_sdp("a=rtcp-mux\r\n"), 1);

	assert_true(req("answer", SDP_B, NULL, NULL));
	t = modified(1);
	assert_int_equal(t.remote.port, 6004);
	(void)modified(0);
	t = modified(1);
	assert_int_equal(t.ice.mode, IPC_RTP_ICE_OFF);
	a = modified(0);
	assert_int_equal(a.ice.mode, IPC_RTP_ICE_LITE);
	assert_int_equal(a.ice.ufrag_len, 8);
	assert_int_equal(a.ice.pwd_len, 24);
	peer_is(&a, "aIoc");
	assert_true(a.flags & IPC_RTP_F_MUX);
	assert_false(to_dp(&m));
	ours_in_sdp(&a, 1);
	assert_int_equal(in_sdp("a=rtcp-mux\r\n"), 1);

	/* the 200 after the 183: the same, no ICE changed */
	assert_true(req("answer", SDP_B, NULL, NULL));
	(void)modified(1);
	(void)modified(0);
	assert_false(to_dp(&m));
	ours_in_sdp(&a, 1);

	/* dp: the pair aioice nominated, then its consent lost */
	y = ctx_of("c1");
	assert_non_null(y);
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_NOMINATED;
	e.term = 0;
	e.serial = y->rtp.term[0].serial;
	e.addr.family = 4;
	memcpy(e.addr.ip, "\x0a\x00\x00\x07", 4);
	e.addr.port = 5004;
	e.st[0].serial = y->rtp.term[0].serial;
	e.st[0].ice = IPC_RTP_ICE_ON;
	e.st[1].serial = y->rtp.term[1].serial;
	dp_event(y, &e);
	e.type = IPC_RTP_EV_CONSENT_LOST;
	e.silent_ms = 30000;
	dp_event(y, &e);
	md = queried_medium("ue");
	for (f = bc_first(rnodes, bc_dict_gets(rnodes, md, "flags")); f != NULL;
	     f = bc_next(rnodes, f))
		flag_ice |= bc_is(f, "ICE");
	assert_true(flag_ice);
	ice = bc_dict_gets(rnodes, bc_first(rnodes, bc_dict_gets(rnodes, md, "streams")), "ICE");
	assert_non_null(ice);
	assert_true(bc_is(bc_dict_gets(rnodes, ice, "consent"), "lost"));
	assert_true(bc_is(bc_dict_gets(rnodes, ice, "role"), "lite"));
	assert_int_equal(bc_str(bc_dict_gets(rnodes, bc_dict_gets(rnodes, ice, "nominated"),
					     "address"), v, sizeof(v)), 0);
	assert_string_equal(v, "10.0.0.7");
	/* B's stream: no ICE */
	md = bc_dict_gets(rnodes, bc_dict_gets(rnodes, &rnodes[0], "tags"), "core");
	md = bc_first(rnodes, bc_dict_gets(rnodes, md, "medias"));
	assert_null(bc_dict_gets(rnodes, bc_first(rnodes, bc_dict_gets(rnodes, md, "streams")),
				 "ICE"));
	/* regained: fresh */
	e.type = IPC_RTP_EV_CONSENT_REGAINED;
	e.silent_ms = 0;
	dp_event(y, &e);
	md = queried_medium("ue");
	ice = bc_dict_gets(rnodes, bc_first(rnodes, bc_dict_gets(rnodes, md, "streams")), "ICE");
	assert_true(bc_is(bc_dict_gets(rnodes, ice, "consent"), "fresh"));
}

/* ICE=remove in the offer: none of ours to B (nor A's), B latching; A's
 * ICE still answered (the answer's flags are A's). reject-ICE: ours to B,
 * none to A. ICE=remove in the answer: none to A. */
static void
test_ng_ice_remove_reject(void **state)
{
	struct ipc_rtp_ctx x;
	struct ipc_rtp_term a;
	struct ipc_msg m;

	(void)state;
	assert_true(reqx("offer", "c1", SDP_A_ICE, NULL, "remove", NULL));
	x = offered();
	assert_int_equal(x.term[1].ice.mode, IPC_RTP_ICE_OFF);
	no_ice_in_sdp();
	assert_true(reqx("answer", "c1", SDP_B, NULL, NULL, NULL));
	(void)modified(1);
	(void)modified(0);
	a = modified(0);
	peer_is(&a, "aIoc");
	assert_false(to_dp(&m));
	ours_in_sdp(&a, 1);

	assert_true(reqx("offer", "c2", SDP_A_ICE, NULL, NULL, "reject-ICE"));
	x = offered();
	assert_int_equal(x.term[1].ice.mode, IPC_RTP_ICE_LITE);
	ours_in_sdp(&x.term[1], 2);
	assert_true(reqx("answer", "c2", SDP_B, NULL, NULL, NULL));
	(void)modified(1);
	(void)modified(0);
	assert_int_equal(modified(1).ice.mode, IPC_RTP_ICE_OFF);
	assert_false(to_dp(&m));
	no_ice_in_sdp();

	assert_true(reqx("offer", "c3", SDP_A_ICE, NULL, NULL, NULL));
	(void)offered();
	assert_true(reqx("answer", "c3", SDP_B, NULL, "remove", NULL));
	(void)modified(1);
	(void)modified(0);
	assert_int_equal(modified(1).ice.mode, IPC_RTP_ICE_OFF);
	assert_false(to_dp(&m));
	no_ice_in_sdp();
	assert_int_equal(ctx_of("c3")->rtp.term[0].ice.mode, IPC_RTP_ICE_OFF);
}

/* ICE=force towards a B that A did not offer ICE: ours to B; B answering
 * with ICE keeps it, its ufrag given to dp; A offered none: none in the
 * answer, even under ICE=force (RFC 8839: an answer has ICE only when its
 * offer had). B answering as a lite agent: two lite agents make no
 * checks, B's termination latches. */
static void
test_ng_ice_force(void **state)
{
	struct ipc_rtp_ctx x;
	struct ipc_rtp_term t;
	struct ipc_msg m;

	(void)state;
	assert_true(reqx("offer", "c1", SDP_A, NULL, "force", NULL));
	x = offered();
	assert_int_equal(x.term[0].ice.mode, IPC_RTP_ICE_OFF);
	ours_in_sdp(&x.term[1], 2);
	assert_true(reqx("answer", "c1", SDP_B_ICE, NULL, "force", NULL));
	(void)modified(1);
	(void)modified(0);
	t = modified(1);
	assert_int_equal(t.ice.mode, IPC_RTP_ICE_LITE);
	peer_is(&t, "cOre");
	assert_memory_equal(t.ice.ufrag, x.term[1].ice.ufrag, 8);
	assert_false(to_dp(&m));
	no_ice_in_sdp();
	assert_int_equal(ctx_of("c1")->rtp.term[0].ice.mode, IPC_RTP_ICE_OFF);

	assert_true(reqx("offer", "c2", SDP_A, NULL, "optional", NULL));
	x = offered();
	ours_in_sdp(&x.term[1], 2);
	assert_true(reqx("answer", "c2", SDP_B_LITE, NULL, NULL, NULL));
	(void)modified(1);
	(void)modified(0);
	assert_int_equal(modified(1).ice.mode, IPC_RTP_ICE_OFF);
	assert_false(to_dp(&m));
	no_ice_in_sdp();
}

/* A's re-offers: its credentials as before change nothing of ICE (our
 * answer repeats ours); new ones are a restart, made by the answer: ours
 * new to A then (not before: its consent checks under the old ones go on
 * until it has them), its new ufrag given; the pwd alone changed is one
 * too. A termination made again (rtcp-mux added) keeps its ICE. */
static void
test_ng_ice_restart(void **state)
{
	struct ipc_rtp_term t, a1, a2, a3;
	struct ipc_msg m;
	const struct ipc_rtp_mod *mo;

	(void)state;
	assert_true(req("offer", SDP_A_ICE_NOMUX, NULL, NULL));
	(void)offered();
	assert_true(req("answer", SDP_B, NULL, NULL));
	(void)modified(1);
	(void)modified(0);
	(void)modified(1);
	a1 = modified(0);
	peer_is(&a1, "aIoc");
	assert_false(to_dp(&m));
	ours_in_sdp(&a1, 2);          /* RTCP apart: component 2 too */

	/* rtcp-mux added: A's termination subtracted and added again on its
	 * ports, its ICE as it was */
	assert_true(req("offer", SDP_A_ICE, NULL, NULL));
	assert_true(to_dp(&m));
	mo = (const void *)m.body;
	assert_int_equal(mo->op, IPC_RTP_SUB_TERM);
	assert_true(to_dp(&m));
	mo = (const void *)m.body;
	assert_int_equal(mo->op, IPC_RTP_ADD_TERM);
	assert_int_equal(mo->term, 0);
	assert_true(mo->t.flags & IPC_RTP_F_MUX);
	assert_int_equal(mo->t.ice.mode, IPC_RTP_ICE_LITE);
	assert_memory_equal(mo->t.ice.ufrag, a1.ice.ufrag, sizeof(a1.ice.ufrag));
	assert_memory_equal(mo->t.ice.pwd, a1.ice.pwd, sizeof(a1.ice.pwd));
	peer_is(&mo->t, "aIoc");
	assert_false(to_dp(&m));
	no_ice_in_sdp();              /* B does no ICE */
	assert_true(req("answer", SDP_B, NULL, NULL));
	(void)modified(1);
	(void)modified(0);
	assert_false(to_dp(&m));
	ours_in_sdp(&a1, 1);

	/* the restart */
	assert_true(req("offer", SDP_A_ICE2, NULL, NULL));
	t = modified(0);
	assert_memory_equal(t.ice.ufrag, a1.ice.ufrag, sizeof(a1.ice.ufrag));
	peer_is(&t, "aIoc");
	assert_false(to_dp(&m));
	assert_true(req("answer", SDP_B, NULL, NULL));
	(void)modified(1);
	(void)modified(0);
	a2 = modified(0);
	assert_int_equal(a2.ice.ufrag_len, 8);
	assert_memory_not_equal(a2.ice.ufrag, a1.ice.ufrag, 8);
	assert_memory_not_equal(a2.ice.pwd, a1.ice.pwd, 24);
	peer_is(&a2, "rEst");
	assert_false(to_dp(&m));
	ours_in_sdp(&a2, 1);
	/* its pwd alone new */
	assert_true(req("offer", SDP_A_ICE3, NULL, NULL));
	(void)modified(0);
	assert_true(req("answer", SDP_B, NULL, NULL));
	(void)modified(1);
	(void)modified(0);
	a3 = modified(0);
	assert_memory_not_equal(a3.ice.ufrag, a2.ice.ufrag, 8);
	peer_is(&a3, "rEst");
	assert_false(to_dp(&m));
	ours_in_sdp(&a3, 1);
}

/* A ufrag past dp's 32 characters: the offer refused, in a sentence,
 * before anything is made. */
static void
test_ng_ice_ufrag_too_long(void **state)
{
	struct ipc_msg m;

	(void)state;
	assert_false(req("offer", SDP_A_ICE_LONG, NULL, NULL));
	assert_non_null(strstr(reply_sdp, "a=ice-ufrag of 33 characters (line 9)"));
	assert_false(to_dp(&m));
	assert_int_equal(g->ncalls, 0);
}

/* ---- DTLS-SRTP ---- */

/* a browser's section: DTLS-SRTP, actpass, its fingerprint (sha-256 of
 * 0x5b octets), its tls-id, ICE, rtcp-mux, a mid */
#define FP_5B "5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:5B:" \
	      "5B:5B:5B:5B:5B:5B"
#define SDP_W_HEAD "v=0\r\no=- 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n" \
		   "a=group:BUNDLE 0\r\nm=audio 5004 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\n" \
		   "a=mid:0\r\na=rtcp-mux\r\na=ice-ufrag:aIoc\r\na=ice-pwd:aioiceaioiceaioiceaioi\r\n" \
		   "a=candidate:1 1 UDP 2130706431 10.0.0.7 5004 typ host\r\n"
#define SDP_W SDP_W_HEAD "a=fingerprint:sha-256 " FP_5B "\r\na=setup:actpass\r\n" \
	      "a=tls-id:browserbrowserbrowser01\r\n"
/* its re-offer: an ICE restart, the same fingerprint and tls-id; another
 * tls-id */
#define SDP_W_RESTART "v=0\r\no=- 1 2 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n" \
		      "m=audio 5004 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\na=mid:0\r\n" \
		      "a=rtcp-mux\r\na=ice-ufrag:rEst\r\na=ice-pwd:restartrestartrestartr\r\n" \
		      "a=fingerprint:sha-256 " FP_5B "\r\na=setup:actpass\r\n" \
		      "a=tls-id:browserbrowserbrowser01\r\n"
/* a legacy peer's (RFC 5763, no a=tls-id): its offer, its re-offer with
 * the same credentials, with an ICE restart */
#define SDP_W_NOID SDP_W_HEAD "a=fingerprint:sha-256 " FP_5B "\r\na=setup:actpass\r\n"
#define SDP_W_RESTART_NOID "v=0\r\no=- 1 2 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\n" \
			   "t=0 0\r\nm=audio 5004 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\n" \
			   "a=mid:0\r\na=rtcp-mux\r\na=ice-ufrag:rEst\r\n" \
			   "a=ice-pwd:restartrestartrestartr\r\n" \
			   "a=fingerprint:sha-256 " FP_5B "\r\na=setup:actpass\r\n"
#define SDP_W_NEWID SDP_W_HEAD "a=fingerprint:sha-256 " FP_5B "\r\na=setup:actpass\r\n" \
		    "a=tls-id:browserbrowserbrowser02\r\n"
/* a browser's answer (active) */
#define SDP_W_ANSWER "v=0\r\no=- 2 1 IN IP4 10.1.0.9\r\ns=-\r\nc=IN IP4 10.1.0.9\r\nt=0 0\r\n" \
		     "m=audio 6004 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\na=rtcp-mux\r\n" \
		     "a=ice-ufrag:cOre\r\na=ice-pwd:corecorecorecorecoreco\r\n" \
		     "a=fingerprint:sha-256 " FP_5B "\r\na=setup:active\r\n"

/* dp's DTLS_CERT of generation gen: sha-256 of 0xc1 octets and sha-384
 * of 0xc2 (what cp publishes into our a=fingerprint). */
static void
dtls_cert(uint16_t gen)
{
	static struct ipc_msg m;
	struct ipc_dtls_cert *x = (void *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_DTLS_CERT;
	m.h.body_len = sizeof(*x);
	x->gen = gen;
	x->nfp = 2;
	x->fp[0].alg = CERTFP_SHA256;
	x->fp[0].len = 32;
	memset(x->fp[0].md, 0xc1, 32);
	x->fp[1].alg = CERTFP_SHA384;
	x->fp[1].len = 48;
	memset(x->fp[1].md, 0xc2, 48);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, 0, &m);
}

/* dp's RTP_DTLS of context y's termination term: up (our role role), or
 * failed (why 1) */
static void
dtls_ev(const struct cp_agw_ctx *y, unsigned int term, bool up, uint8_t role)
{
	static struct ipc_msg m;
	struct ipc_rtp_dtls_ev *e = (void *)m.body;

	memset(&m, 0, sizeof(m));
	m.h.kind = IPC_RTP_DTLS;
	m.h.worker = (uint16_t)y->worker;
	m.h.alloc_id = y->id;
	m.h.body_len = sizeof(*e);
	e->term = (uint8_t)term;
	e->serial = y->rtp.term[term].serial;
	e->assoc = y->rtp.term[term].dtls.assoc;
	e->state = up ? IPC_RTP_DTLS_UP : IPC_RTP_DTLS_FAILED;
	e->role = role;
	e->matched = up ? 0 : -1;
	e->why = up ? 0 : 1;
	if (up) {
		e->version = 0xfefd;
		e->profile = 0x0001;
		snprintf(e->cipher, sizeof(e->cipher), "ECDHE-ECDSA-AES128-GCM-SHA256");
		e->rx.suite = e->tx.suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80;
		e->rx.key_len = e->tx.key_len = 30;
		memset(e->rx.key, 0x11, 30);
		memset(e->tx.key, 0x22, 30);
	}
	snprintf(e->detail, sizeof(e->detail), up ? "up" : "fingerprint_mismatch: not it");
	e->detail_len = (uint16_t)strlen(e->detail);
	e->peer.family = 4;
	memcpy(e->peer.ip, "\x0a\x00\x00\x07", 4);
	e->peer.port = 5004;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	cp_handle(&cp, y->worker, &m);
}

/* The reply's SDP has no DTLS line (nor a=crypto). */
static void
no_dtls_in_sdp(void)
{
	assert_int_equal(in_sdp("a=fingerprint"), 0);
	assert_int_equal(in_sdp("a=setup"), 0);
	assert_int_equal(in_sdp("a=tls-id"), 0);
	assert_int_equal(in_sdp("a=crypto"), 0);
	assert_int_equal(in_sdp(FP_5B), 0);
}

/* Our DTLS lines to termination side of call cid: our certificate's
 * sha-256 (0xc1 octets), setup, the termination's tls-id; nothing of the
 * peer's. */
static void
ours_dtls_in_sdp(const char *cid, unsigned int side, const char *setup)
{
	char want[160];

	assert_int_equal(in_sdp("a=fingerprint:"), 1);
	assert_int_equal(in_sdp("a=fingerprint:sha-256 C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:"
				"C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1:C1\r\n"), 1);
	snprintf(want, sizeof(want), "a=setup:%s\r\n", setup);
	assert_int_equal(in_sdp("a=setup:"), 1);
	assert_int_equal(in_sdp(want), 1);
	snprintf(want, sizeof(want), "a=tls-id:%s\r\n", ctx_of(cid)->rtp.dtls[side].tls_id);
	assert_int_equal(strlen(ctx_of(cid)->rtp.dtls[side].tls_id), 32);
	assert_int_equal(in_sdp(want), 1);
	assert_int_equal(in_sdp("a=tls-id:"), 1);
	assert_int_equal(in_sdp(FP_5B), 0);
	assert_int_equal(in_sdp("browserbrowser"), 0);
	assert_int_equal(in_sdp("a=crypto"), 0);
}

/* query c1's DTLS of side tag's stream (rnodes) */
static const struct bc_node *
queried_dtls(const char *tag)
{
	const struct bc_node *md = queried_medium(tag);

	return bc_dict_gets(rnodes, bc_first(rnodes, bc_dict_gets(rnodes, md, "streams")), "DTLS");
}

/* A browser calls a SIP phone (WebRTC -> SIP): its termination made at
 * the offer as DTLS-SRTP (SAVPF, rtcp-mux, no keys, our role client from
 * its actpass, its fingerprint) doing ICE already with its ufrag; the
 * phone's plain RTP/AVP with none of the browser's lines. The answer to
 * the browser: UDP/TLS/RTP/SAVPF, a=setup:active, our fingerprint and
 * tls-id, our ICE, its a=mid, rtcp-mux alone. query: DTLS-SRTP, the
 * handshake as dp said. */
static void
test_ng_dtls_browser_to_sip(void **state)
{
	struct ipc_rtp_ctx x;
	struct ipc_rtp_term a;
	struct ipc_msg m;
	const struct bc_node *dt, *md, *f;
	bool flag = false, sdes = false;
	char v[64];

	(void)state;
	/* before dp published its certificate: no context */
	assert_false(reqx("offer", "c1", SDP_W, "RTP/AVP", "remove", NULL));
	assert_non_null(strstr(reply_sdp, "DTLS certificate"));
	assert_false(to_dp(&m));
	dtls_cert(1);
	assert_true(reqx("offer", "c1", SDP_W, "RTP/AVP", "remove", NULL));
	assert_true(to_dp(&m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	memcpy(&x, m.body, sizeof(x));
	assert_false(to_dp(&m));
	assert_int_equal(x.term[0].profile, IPC_RTP_SAVPF);
	assert_true(x.term[0].flags & IPC_RTP_F_MUX);
	assert_int_equal(x.term[0].dtls.role, IPC_RTP_DTLS_CLIENT);
	assert_int_equal(x.term[0].dtls.nfp, 1);
	assert_int_equal(x.term[0].dtls.fp[0].alg, CERTFP_SHA256);
	assert_int_equal(x.term[0].dtls.fp[0].md[0], 0x5b);
	assert_int_equal(x.term[0].dtls.cert_gen, 1);
	assert_int_equal(x.term[0].srtp_rx.suite, 0);
	assert_int_equal(x.term[0].srtp_tx.suite, 0);
	assert_int_equal(x.term[0].ice.mode, IPC_RTP_ICE_LITE);
	peer_is(&x.term[0], "aIoc");
	assert_int_equal(x.term[1].profile, IPC_RTP_AVP);
	assert_int_equal(x.term[1].dtls.role, IPC_RTP_DTLS_NONE);
	assert_int_equal(x.term[1].ice.mode, IPC_RTP_ICE_OFF);
	assert_non_null(strstr(reply_sdp, "m=audio "));
	assert_non_null(strstr(reply_sdp, " RTP/AVP 0\r\n"));
	no_dtls_in_sdp();
	no_ice_in_sdp();
	/* the phone answers */
	assert_true(reqx("answer", "c1", SDP_B, NULL, "force", NULL));
	(void)modified(1);
	(void)modified(0);
	assert_false(to_dp(&m));
	assert_non_null(strstr(reply_sdp, " UDP/TLS/RTP/SAVPF 0\r\n"));
	ours_dtls_in_sdp("c1", 0, "active");
	a = ctx_of("c1")->rtp.term[0];
	ours_in_sdp(&a, 1);
	assert_int_equal(in_sdp("a=mid:0\r\n"), 1);
	assert_int_equal(in_sdp("a=rtcp-mux\r\n"), 1);
	assert_int_equal(in_sdp("a=rtcp:"), 0);
	/* query: waiting, then dp's handshake */
	dt = queried_dtls("ue");
	assert_non_null(dt);
	assert_true(bc_is(bc_dict_gets(rnodes, dt, "state"), "waiting"));
	assert_true(bc_is(bc_dict_gets(rnodes, dt, "setup"), "active"));
	dtls_ev(ctx_of("c1"), 0, true, IPC_RTP_DTLS_CLIENT);
	md = queried_medium("ue");
	for (f = bc_first(rnodes, bc_dict_gets(rnodes, md, "flags")); f != NULL;
	     f = bc_next(rnodes, f)) {
		flag |= bc_is(f, "DTLS-SRTP");
		sdes |= bc_is(f, "SDES");
	}
	assert_true(flag);
	assert_false(sdes);
	assert_int_equal(bc_str(bc_dict_gets(rnodes, md, "protocol"), v, sizeof(v)), 0);
	assert_string_equal(v, "UDP/TLS/RTP/SAVPF");
	dt = bc_dict_gets(rnodes, bc_first(rnodes, bc_dict_gets(rnodes, md, "streams")), "DTLS");
	assert_true(bc_is(bc_dict_gets(rnodes, dt, "state"), "up"));
	assert_true(bc_is(bc_dict_gets(rnodes, dt, "role"), "client"));
	assert_true(bc_is(bc_dict_gets(rnodes, dt, "version"), "DTLSv1.2"));
	assert_true(bc_is(bc_dict_gets(rnodes, dt, "profile"), "SRTP_AES128_CM_SHA1_80"));
	assert_int_equal(bc_dict_gets(rnodes, dt, "fingerprint verified")->i, 1);
	assert_int_equal(bc_dict_gets(rnodes, dt, "handshakes")->i, 1);
	/* the phone's stream: no DTLS */
	assert_null(queried_dtls("core"));
}

/* a browser's bundled offer (RFC 9143: audio and video on one port, the
 * session's a=group:BUNDLE, the MID extension) and the phone's answer */
#define SDP_WB_SEC(m, mid) "a=mid:" mid "\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n" \
	"a=rtcp-mux\r\na=ice-ufrag:aIoc\r\na=ice-pwd:aioiceaioiceaioiceaioi\r\n" \
	"a=fingerprint:sha-256 " FP_5B "\r\na=setup:actpass\r\na=tls-id:browserbrowserbrowser01\r\n"
#define SDP_WB(group) "v=0\r\no=- 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n" \
	group "\r\nm=audio 5004 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\n" \
	SDP_WB_SEC("audio", "0") "a=candidate:1 1 UDP 2130706431 10.0.0.7 5004 typ host\r\n" \
	"m=video 5004 UDP/TLS/RTP/SAVPF 97\r\na=rtpmap:97 VP8/90000\r\n" SDP_WB_SEC("video", "1")
/* the browser's bundled answer (to the phone's re-offer): passive, its
 * certificate and tls-id as before */
#define SDP_WB_ANS_SEC(mid) "a=mid:" mid "\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n" \
	"a=rtcp-mux\r\na=ice-ufrag:aIoc\r\na=ice-pwd:aioiceaioiceaioiceaioi\r\n" \
	"a=fingerprint:sha-256 " FP_5B "\r\na=setup:passive\r\na=tls-id:browserbrowserbrowser01\r\n"
#define SDP_WB_ANSWER "v=0\r\no=- 1 2 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n" \
	"a=group:BUNDLE 0 1\r\nm=audio 5004 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\n" \
	SDP_WB_ANS_SEC("0") "m=video 5004 UDP/TLS/RTP/SAVPF 97\r\na=rtpmap:97 VP8/90000\r\n" \
	SDP_WB_ANS_SEC("1")
/* (the video's payload type pt; the video without a=rtcp-mux) */
#define SDP_WB_PT(group, pt) "v=0\r\no=- 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\n" \
	"t=0 0\r\n" group "\r\nm=audio 5004 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\n" \
	SDP_WB_SEC("audio", "0") "a=candidate:1 1 UDP 2130706431 10.0.0.7 5004 typ host\r\n" \
	"m=video 5004 UDP/TLS/RTP/SAVPF " pt "\r\na=rtpmap:" pt " VP8/90000\r\n" SDP_WB_SEC("video", "1")
#define SDP_WB_NOMUX(group) "v=0\r\no=- 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\n" \
	"t=0 0\r\n" group "\r\nm=audio 5004 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\n" \
	SDP_WB_SEC("audio", "0") "a=candidate:1 1 UDP 2130706431 10.0.0.7 5004 typ host\r\n" \
	"m=video 5004 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\na=mid:1\r\n" \
	"a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
#define SDP_B_AV "v=0\r\no=core 2 1 IN IP4 10.1.0.9\r\ns=-\r\nc=IN IP4 10.1.0.9\r\nt=0 0\r\n" \
	"m=audio 6004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" \
	"m=video 6006 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\n"

/* The m= port of the reply's section of medium media (0: none). */
static unsigned int
port_in_sdp(const char *media)
{
	char want[32];
	const char *p;
	unsigned int port = 0;

	snprintf(want, sizeof(want), "m=%s ", media);
	p = strstr(reply_sdp, want);
	if (p != NULL && sscanf(p + strlen(want), "%u", &port) != 1)
		port = 0;
	return port;
}

/* A browser's bundled offer without bundle=accept is taken
 * as rtpengine 10.5 takes one: a context a section, the group dropped
 * from the offer to the phone and from the answer to the browser, each
 * section its own port there, the mids as the browser gave them (a
 * browser bundling "balanced" then goes on unbundled). A group lib/sdp
 * refuses is ng's error before anything is made. */
static void
test_ng_bundle_browser(void **state)
{
	struct ipc_msg m;
	unsigned int adds = 0;

	(void)state;
	dtls_cert(1);
	assert_false(reqx("offer", "c1", SDP_WB("a=group:BUNDLE 0 2"), "RTP/AVP", "remove", NULL));
	assert_string_equal(reply_sdp, "Failed to parse SDP: line 6: a=group:BUNDLE names mid 2, "
			    "which no m= section has (RFC 9143 section 7)");
	assert_false(to_dp(&m));
	assert_int_equal(g->ncalls, 0);
	assert_false(reqx("offer", "c1", SDP_WB("a=group:BUNDLE 0 1\r\na=group:BUNDLE 1"),
			  "RTP/AVP", "remove", NULL));
	assert_non_null(strstr(reply_sdp, "line 7: a=group:BUNDLE names mid 1, which the group of "
				      "line 6 has"));
	assert_false(to_dp(&m));
	assert_int_equal(g->ncalls, 0);

	assert_true(reqx("offer", "c1", SDP_WB("a=group:BUNDLE 0 1"), "RTP/AVP", "remove", NULL));
	while (to_dp(&m))
		adds += m.h.kind == IPC_RTP_ADD;
	assert_int_equal(adds, 2);
	assert_int_equal(in_sdp("a=group"), 0);
	assert_int_equal(in_sdp("a=mid:0\r\n"), 1);
	assert_int_equal(in_sdp("a=mid:1\r\n"), 1);
	assert_int_not_equal(port_in_sdp("audio"), 0);
	assert_int_not_equal(port_in_sdp("video"), 0);
	assert_int_not_equal(port_in_sdp("audio"), port_in_sdp("video"));
	assert_true(reqx("answer", "c1", SDP_B_AV, NULL, "force", NULL));
	while (to_dp(&m))
		;
	assert_int_equal(in_sdp("a=group"), 0);
	assert_int_equal(in_sdp(" UDP/TLS/RTP/SAVPF "), 2);
	assert_int_equal(in_sdp("a=mid:0\r\n"), 1);
	assert_int_equal(in_sdp("a=mid:1\r\n"), 1);
	assert_int_not_equal(port_in_sdp("audio"), 0);
	assert_int_not_equal(port_in_sdp("audio"), port_in_sdp("video"));
	assert_int_equal(in_sdp("a=setup:active\r\n"), 2);
}

/* The medium of side tag's k-th (from 0) in the last query's reply (rnodes). */
static const struct bc_node *
medium_k(const char *tag, unsigned int k)
{
	const struct bc_node *md;

	md = bc_dict_gets(rnodes, bc_dict_gets(rnodes, &rnodes[0], "tags"), tag);
	md = bc_first(rnodes, bc_dict_gets(rnodes, md, "medias"));
	while (md != NULL && k-- > 0)
		md = bc_next(rnodes, md);
	assert_non_null(md);
	return md;
}

/* its stream's key (its first stream's dictionary) */
static const struct bc_node *
stream_key(const struct bc_node *md, const char *key)
{
	return bc_dict_gets(rnodes, bc_first(rnodes, bc_dict_gets(rnodes, md, "streams")), key);
}

/* bundle=accept on a browser's bundled offer (BUNDLE slice 9): the plan
 * makes the owner's context first (the group's first section: its
 * access termination an OWNER with its mid, MID extension id and payload
 * types, the browser's ICE and DTLS-SRTP), then the member's (its mid and
 * payload types, the owner's id and termination; no port, remote, ICE,
 * DTLS or key of its own). The phone is offered each section on a port of
 * its own without BUNDLE's lines (the group, the MID a=extmap), a=mid
 * kept. The answer to the browser: our a=group:BUNDLE 0 1, both sections
 * on the owner's port without the MID a=extmap (dp inserts no MID: a
 * browser that negotiated it drops our MID-less media, Chromium 156
 * demultiplexing by payload type only without it), a=rtcp-mux alone, the
 * owner's ICE and DTLS lines in each. query: the
 * owner's port and DTLS on both sections. A re-offer of the same group
 * changes both in place; one without bundle=accept (unbundling) is
 * refused, as is bundling what was relayed unbundled. */
static void
test_ng_bundle_accept(void **state)
{
	struct ipc_msg m;
	struct ipc_rtp_ctx ox, mx;
	uint64_t oid, mid;
	unsigned int port, adds = 0, mods = 0;
	const struct bc_node *md;
	char want[128];

	(void)state;
	dtls_cert(1);
	req_bundle = "accept";
	assert_true(reqx("offer", "c1", SDP_WB("a=group:BUNDLE 0 1"), "RTP/AVP", "remove", NULL));
	/* the owner's RTP_ADD first, then the member's */
	assert_true(to_dp(&m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	oid = m.h.alloc_id;
	memcpy(&ox, m.body, sizeof(ox));
	assert_true(to_dp(&m));
	assert_int_equal(m.h.kind, IPC_RTP_ADD);
	mid = m.h.alloc_id;
	memcpy(&mx, m.body, sizeof(mx));
	assert_false(to_dp(&m));
	assert_int_equal(ox.term[0].bundle.role, IPC_RTP_BUNDLE_OWNER);
	assert_int_equal(ox.term[0].bundle.mid_len, 1);
	assert_memory_equal(ox.term[0].bundle.mid, "0", 1);
	assert_int_equal(ox.term[0].bundle.mid_ext, 4);
	assert_int_equal(ox.term[0].bundle.pt[0], 0x01);          /* PCMU */
	assert_true(ox.term[0].flags & IPC_RTP_F_MUX);
	assert_int_equal(ox.term[0].ice.mode, IPC_RTP_ICE_LITE);
	peer_is(&ox.term[0], "aIoc");
	assert_int_equal(ox.term[0].dtls.role, IPC_RTP_DTLS_CLIENT);
	assert_int_equal(ox.term[0].remote.port, 5004);
	assert_int_not_equal(ox.term[0].local.port, 0);
	assert_int_equal(ox.term[1].bundle.role, IPC_RTP_BUNDLE_NONE);
	assert_int_equal(mx.term[0].bundle.role, IPC_RTP_BUNDLE_MEMBER);
	assert_int_equal(mx.term[0].bundle.owner, oid);
	assert_int_equal(mx.term[0].bundle.owner_term, 0);
	assert_memory_equal(mx.term[0].bundle.mid, "1", 1);
	assert_int_equal(mx.term[0].bundle.pt[97 / 8], 1u << (97 % 8));  /* VP8 */
	assert_int_equal(mx.term[0].local.port, 0);
	assert_int_equal(mx.term[0].remote.family, 0);
	assert_int_equal(mx.term[0].ice.mode, IPC_RTP_ICE_OFF);
	assert_int_equal(mx.term[0].dtls.role, IPC_RTP_DTLS_NONE);
	assert_int_equal(mx.term[0].profile, IPC_RTP_SAVPF);
	assert_true(mx.term[0].flags & IPC_RTP_F_MUX);
	assert_int_not_equal(mx.term[1].local.port, 0);
	/* the phone's offer: a port each, no BUNDLE line, the mids */
	assert_int_equal(in_sdp("a=group"), 0);
	assert_int_equal(in_sdp("sdes:mid"), 0);
	assert_int_equal(in_sdp("a=mid:0\r\n"), 1);
	assert_int_equal(in_sdp("a=mid:1\r\n"), 1);
	assert_int_equal(port_in_sdp("audio"), ox.term[1].local.port);
	assert_int_equal(port_in_sdp("video"), mx.term[1].local.port);
	assert_int_not_equal(port_in_sdp("audio"), port_in_sdp("video"));
	no_dtls_in_sdp();

	/* the phone answers: the browser hears one transport */
	assert_true(reqx("answer", "c1", SDP_B_AV, NULL, "force", NULL));
	while (to_dp(&m))
		;
	port = ctx_of("c1")->rtp.term[0].local.port;
	assert_int_equal(port, ox.term[0].local.port);
	assert_int_equal(in_sdp("a=group:BUNDLE 0 1\r\n"), 1);
	assert_true(strstr(reply_sdp, "a=group:BUNDLE") < strstr(reply_sdp, "m=audio"));
	assert_int_equal(port_in_sdp("audio"), port);
	assert_int_equal(port_in_sdp("video"), port);
	assert_int_equal(in_sdp(" UDP/TLS/RTP/SAVPF "), 2);
	assert_int_equal(in_sdp("sdes:mid"), 0);
	assert_int_equal(in_sdp("a=rtcp-mux\r\n"), 2);
	assert_int_equal(in_sdp("a=rtcp:"), 0);
	assert_int_equal(in_sdp("a=bundle-only"), 0);
	assert_int_equal(in_sdp("a=mid:0\r\n"), 1);
	assert_int_equal(in_sdp("a=mid:1\r\n"), 1);
	assert_int_equal(in_sdp("a=setup:active\r\n"), 2);
	assert_int_equal(in_sdp("a=fingerprint:sha-256 C1:"), 2);
	snprintf(want, sizeof(want), "a=tls-id:%s\r\n", ctx_of("c1")->rtp.dtls[0].tls_id);
	assert_int_equal(in_sdp(want), 2);
	snprintf(want, sizeof(want), "a=ice-ufrag:%.*s\r\n", ctx_of("c1")->rtp.term[0].ice.ufrag_len,
		 ctx_of("c1")->rtp.term[0].ice.ufrag);
	assert_int_equal(in_sdp(want), 2);
	assert_int_equal(in_sdp("a=ice-ufrag:"), 2);
	assert_int_equal(in_sdp("a=candidate:"), 2);
	assert_int_equal(in_sdp("a=end-of-candidates\r\n"), 2);
	assert_int_equal(in_sdp("a=ice-lite\r\n"), 1);
	/* query: the owner's transport and DTLS on both sections */
	dtls_ev(ctx_of("c1"), 0, true, IPC_RTP_DTLS_CLIENT);
	(void)queried_medium("ue");
	for (unsigned int k = 0; k < 2; k++) {
		md = medium_k("ue", k);
		assert_int_equal(stream_key(md, "local port")->i, port);
		assert_true(bc_is(bc_dict_gets(rnodes, stream_key(md, "DTLS"), "state"), "up"));
		assert_non_null(stream_key(md, "ICE"));
	}
	assert_int_equal(stream_key(medium_k("core", 1), "local port")->i, mx.term[1].local.port);

	/* the phone's re-offer (a re-INVITE from the core): the browser is
	 * offered the same group on the owner's transport, our ICE and DTLS
	 * lines (actpass) in each section; its answer changes both in place,
	 * the phone hearing each section on its own port, none of BUNDLE's
	 * lines */
	req_from = "core";
	assert_true(reqx("offer", "c1", SDP_B_AV, NULL, "force", NULL));
	while (to_dp(&m))
		adds += m.h.kind == IPC_RTP_ADD || m.h.kind == IPC_RTP_DEL;
	assert_int_equal(adds, 0);
	assert_int_equal(in_sdp("a=group:BUNDLE 0 1\r\n"), 1);
	assert_int_equal(port_in_sdp("audio"), port);
	assert_int_equal(port_in_sdp("video"), port);
	assert_int_equal(in_sdp("sdes:mid"), 0);
	assert_int_equal(in_sdp("a=setup:actpass\r\n"), 2);
	assert_int_equal(in_sdp("a=fingerprint:sha-256 C1:"), 2);
	assert_int_equal(in_sdp("a=ice-ufrag:"), 2);
	assert_int_equal(in_sdp("a=rtcp-mux\r\n"), 2);
	assert_int_equal(in_sdp("a=rtcp:"), 0);
	assert_int_equal(in_sdp("a=mid:0\r\n"), 1);
	assert_int_equal(in_sdp("a=mid:1\r\n"), 1);
	req_to = "ue";
	assert_true(reqx("answer", "c1", SDP_WB_ANSWER, NULL, "remove", NULL));
	while (to_dp(&m))
		adds += m.h.kind == IPC_RTP_ADD || m.h.kind == IPC_RTP_DEL;
	assert_int_equal(adds, 0);
	assert_int_equal(in_sdp("a=group"), 0);
	assert_int_equal(in_sdp("sdes:mid"), 0);
	assert_int_equal(port_in_sdp("audio"), ox.term[1].local.port);
	assert_int_equal(port_in_sdp("video"), mx.term[1].local.port);
	no_dtls_in_sdp();
	assert_int_equal(ctx_of("c1")->rtp.term[0].bundle.role, IPC_RTP_BUNDLE_OWNER);
	assert_int_equal(cp_agw_lookup(&cp, &g->who, mid)->rtp.term[0].bundle.role,
			 IPC_RTP_BUNDLE_MEMBER);
	req_from = req_to = NULL;

	/* the browser's re-offer of the same group: both in place */
	assert_true(reqx("offer", "c1", SDP_WB("a=group:BUNDLE 0 1"), "RTP/AVP", "remove", NULL));
	while (to_dp(&m)) {
		adds += m.h.kind == IPC_RTP_ADD || m.h.kind == IPC_RTP_DEL;
		mods += m.h.kind == IPC_RTP_MOD;
	}
	assert_int_equal(adds, 0);
	assert_true(mods >= 2);
	assert_non_null(cp_agw_lookup(&cp, &g->who, oid));
	assert_non_null(cp_agw_lookup(&cp, &g->who, mid));
	assert_int_equal(in_sdp("a=group"), 0);
	/* unbundling: refused, nothing changed */
	req_bundle = NULL;
	assert_false(reqx("offer", "c1", SDP_WB("a=group:BUNDLE 0 1"), "RTP/AVP", "remove", NULL));
	assert_non_null(strstr(reply_sdp, "Not unbundled: the call's media are bundled"));
	assert_false(to_dp(&m));
	/* a call relayed unbundled is not bundled by a re-offer */
	assert_true(reqx("offer", "c2", SDP_WB("a=group:BUNDLE 0 1"), "RTP/AVP", "remove", NULL));
	while (to_dp(&m))
		;
	req_bundle = "accept";
	assert_false(reqx("offer", "c2", SDP_WB("a=group:BUNDLE 0 1"), "RTP/AVP", "remove", NULL));
	assert_non_null(strstr(reply_sdp, "Not bundled: mid 0's section (line 7) was relayed "
				      "unbundled before"));
	assert_false(to_dp(&m));
	req_bundle = NULL;
}

/* SDP_WB("a=group:BUNDLE 0 1") with the section of medium media at port 0 */
static const char *
wb_port0(const char *media)
{
	static char t[4096];
	char want[32];
	char *p;

	snprintf(t, sizeof(t), "%s", SDP_WB("a=group:BUNDLE 0 1"));
	snprintf(want, sizeof(want), "m=%s 5004 ", media);
	p = strstr(t, want);
	assert_non_null(p);
	memmove(p + strlen(media) + 3, p + strlen(media) + 6, strlen(p + strlen(media) + 6) + 1);
	p[strlen(media) + 3] = '0';
	return t;
}

/* A bundled call's re-offers that end a section: a member's (port 0)
 * ends its context alone, the owner and its transport staying, the
 * browser answered with the group of what is left; the owner's (its
 * transport is the group's while the group lasts) is refused, nothing
 * changed. */
static void
test_ng_bundle_reoffer_ends(void **state)
{
	struct ipc_msg m;
	const struct cp_agw_ctx *y;
	uint64_t oid, vid = 0;
	unsigned int dels = 0, adds = 0, port;

	(void)state;
	dtls_cert(1);
	req_bundle = "accept";
	assert_true(reqx("offer", "c1", SDP_WB("a=group:BUNDLE 0 1"), "RTP/AVP", "remove", NULL));
	while (to_dp(&m))
		vid = m.h.alloc_id;         /* (the member's RTP_ADD comes last) */
	assert_true(reqx("answer", "c1", SDP_B_AV, NULL, "force", NULL));
	while (to_dp(&m))
		;
	oid = ctx_of("c1")->id;
	assert_int_not_equal(vid, oid);
	port = ctx_of("c1")->rtp.term[0].local.port;
	/* the owner's section ended: refused */
	assert_false(reqx("offer", "c1", wb_port0("audio"), "RTP/AVP", "remove", NULL));
	assert_non_null(strstr(reply_sdp, "Not unbundled: mid 0's section (line 7) is the BUNDLE "
				      "group's transport"));
	assert_false(to_dp(&m));
	/* the member's: its context ends */
	assert_true(reqx("offer", "c1", wb_port0("video"), "RTP/AVP", "remove", NULL));
	while (to_dp(&m)) {
		dels += m.h.kind == IPC_RTP_DEL;
		adds += m.h.kind == IPC_RTP_ADD;
	}
	assert_int_equal(dels, 1);
	assert_int_equal(adds, 0);
	assert_int_equal(port_in_sdp("video"), 0);
	assert_true(reqx("answer", "c1", "v=0\r\no=core 2 2 IN IP4 10.1.0.9\r\ns=-\r\n"
			 "c=IN IP4 10.1.0.9\r\nt=0 0\r\nm=audio 6004 RTP/AVP 0\r\n"
			 "a=rtpmap:0 PCMU/8000\r\nm=video 0 RTP/AVP 97\r\n", NULL, "force", NULL));
	while (to_dp(&m))
		;
	assert_int_equal(in_sdp("a=group:BUNDLE 0\r\n"), 1);
	assert_int_equal(port_in_sdp("audio"), port);
	assert_int_equal(port_in_sdp("video"), 0);
	assert_int_equal(ctx_of("c1")->id, oid);
	assert_int_equal(ctx_of("c1")->rtp.term[0].bundle.role, IPC_RTP_BUNDLE_OWNER);
	y = cp_agw_lookup(&cp, &g->who, vid);
	assert_true(y == NULL || y->state == CP_AGW_RELEASING);
	req_bundle = NULL;
}

/* the phone's SDP with its audio refused (port 0), its video on a port */
#define SDP_B_A0V(v) "v=0\r\no=core 2 " v " IN IP4 10.1.0.9\r\ns=-\r\nc=IN IP4 10.1.0.9\r\n" \
	"t=0 0\r\nm=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n" \
	"m=video 6006 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\n"

/* Is context id live (not released nor being released)? */
static bool
ctx_live(uint64_t id)
{
	const struct cp_agw_ctx *y = cp_agw_lookup(&cp, &g->who, id);

	return y != NULL && y->state != CP_AGW_RELEASING;
}

/* The core side ending the group's transport: the phone's answer with
 * the audio (the owner's section) port 0 and the video accepted, and,
 * after an answer of both, the phone's re-offer with the audio port 0,
 * are refused before anything changes (nothing to dp, the owner and its
 * member live; before: the owner's release took the member with it, two
 * RTP_DEL, and the video's modify then failed on a context being
 * released); the browser ending it in its answer to the phone's re-offer
 * likewise. The call goes on: the phone's answer of both is taken. */
static void
test_ng_bundle_core_ends_owner(void **state)
{
	struct ipc_msg m;
	uint64_t oid, vid = 0;

	(void)state;
	dtls_cert(1);
	req_bundle = "accept";
	assert_true(reqx("offer", "c1", SDP_WB("a=group:BUNDLE 0 1"), "RTP/AVP", "remove", NULL));
	while (to_dp(&m))
		vid = m.h.alloc_id;         /* (the member's RTP_ADD comes last) */
	oid = ctx_of("c1")->id;
	assert_int_not_equal(vid, oid);
	req_bundle = NULL;
	assert_false(reqx("answer", "c1", SDP_B_A0V("1"), NULL, "force", NULL));
	assert_non_null(strstr(reply_sdp, "Not ended: the section of line 6 (the bundled side's "
				      "mid 0) is the BUNDLE group's transport"));
	assert_false(to_dp(&m));
	assert_true(ctx_live(oid));
	assert_true(ctx_live(vid));
	assert_true(reqx("answer", "c1", SDP_B_AV, NULL, "force", NULL));
	while (to_dp(&m))
		assert_int_not_equal(m.h.kind, IPC_RTP_DEL);
	assert_true(ctx_live(oid));
	assert_true(ctx_live(vid));
	/* the phone's re-offer ending the audio */
	req_from = "core";
	assert_false(reqx("offer", "c1", SDP_B_A0V("2"), NULL, "force", NULL));
	assert_non_null(strstr(reply_sdp, "is the BUNDLE group's transport"));
	assert_false(to_dp(&m));
	assert_true(ctx_live(oid));
	assert_true(ctx_live(vid));
	/* the phone's re-offer of both, the browser's answer ending the audio */
	assert_true(reqx("offer", "c1", SDP_B_AV, NULL, "force", NULL));
	while (to_dp(&m))
		assert_int_not_equal(m.h.kind, IPC_RTP_DEL);
	req_to = "ue";
	req_bundle = "accept";
	{
		static char t[4096];
		char *p;

		snprintf(t, sizeof(t), "%s", SDP_WB_ANSWER);
		p = strstr(t, "m=audio 5004 ");
		assert_non_null(p);
		memmove(p + 8, p + 11, strlen(p + 11) + 1);
		p[8] = '0';
		assert_false(reqx("answer", "c1", t, NULL, "remove", NULL));
	}
	assert_non_null(strstr(reply_sdp, "is the BUNDLE group's transport"));
	assert_false(to_dp(&m));
	assert_true(ctx_live(oid));
	assert_true(ctx_live(vid));
	req_from = req_to = NULL;
	req_bundle = NULL;
}

/* A bundled call's re-offer that changes the MID extension's id is
 * refused before anything changes: after it dp still demultiplexes on
 * the group's id, and the phone's re-offer gives the browser no MID
 * a=extmap, neither id (before: cp/agw refused the modify, but the
 * call's streams kept the new id, and the browser was offered it while
 * dp demultiplexed on the old one). */
static void
test_ng_bundle_mid_ext_stays(void **state)
{
	static char t[4096];
	struct ipc_msg m;
	char *p;

	(void)state;
	dtls_cert(1);
	req_bundle = "accept";
	assert_true(reqx("offer", "c1", SDP_WB("a=group:BUNDLE 0 1"), "RTP/AVP", "remove", NULL));
	while (to_dp(&m))
		;
	assert_true(reqx("answer", "c1", SDP_B_AV, NULL, "force", NULL));
	while (to_dp(&m))
		;
	snprintf(t, sizeof(t), "%s", SDP_WB("a=group:BUNDLE 0 1"));
	while ((p = strstr(t, "a=extmap:4 ")) != NULL)
		p[9] = '5';
	assert_false(reqx("offer", "c1", t, "RTP/AVP", "remove", NULL));
	assert_non_null(strstr(reply_sdp, "MID"));
	assert_false(to_dp(&m));
	req_from = "core";
	req_bundle = NULL;
	assert_true(reqx("offer", "c1", SDP_B_AV, NULL, "force", NULL));
	while (to_dp(&m))
		;
	assert_int_equal(ctx_of("c1")->rtp.term[0].bundle.mid_ext, 4);
	assert_int_equal(in_sdp("sdes:mid"), 0);
	assert_int_equal(in_sdp("a=extmap:5 "), 0);
	req_from = NULL;
}

/* A "max-bundle" browser's offer: its video port 0 with a=bundle-only
 * (RFC 9143 section 7.2), taken under bundle=accept as a member of the
 * audio's group: the phone offered it on a port of its own without
 * a=bundle-only, the browser answered both on the owner's port. */
static void
test_ng_bundle_only(void **state)
{
	static char t[4096];
	struct ipc_msg m;
	struct ipc_rtp_ctx mx;
	unsigned int adds = 0, port;

	(void)state;
	dtls_cert(1);
	snprintf(t, sizeof(t), "%sa=bundle-only\r\n", wb_port0("video"));
	req_bundle = "accept";
	assert_true(reqx("offer", "c1", t, "RTP/AVP", "remove", NULL));
	while (to_dp(&m))
		if (m.h.kind == IPC_RTP_ADD && ++adds == 2)
			memcpy(&mx, m.body, sizeof(mx));
	assert_int_equal(adds, 2);
	assert_int_equal(mx.term[0].bundle.role, IPC_RTP_BUNDLE_MEMBER);
	assert_int_not_equal(port_in_sdp("video"), 0);
	assert_int_equal(in_sdp("a=bundle-only"), 0);
	assert_true(reqx("answer", "c1", SDP_B_AV, NULL, "force", NULL));
	while (to_dp(&m))
		;
	port = ctx_of("c1")->rtp.term[0].local.port;
	assert_int_equal(in_sdp("a=group:BUNDLE 0 1\r\n"), 1);
	assert_int_equal(port_in_sdp("audio"), port);
	assert_int_equal(port_in_sdp("video"), port);
	assert_int_equal(in_sdp("a=bundle-only"), 0);
	req_bundle = NULL;
}

/* a data channel in the browser's group (not RTP) */
#define SDP_WB_DC SDP_WB("a=group:BUNDLE 0 1 2") "m=application 5004 UDP/DTLS/SCTP " \
	"webrtc-datachannel\r\na=mid:2\r\na=sctp-port:5000\r\n"

/* A data channel in the browser's group under bundle=accept: refused
 * (port 0 towards the phone, RFC 9143 section 7.3.3) and left out of our
 * group, audio and video bundled; without the flag the offer is refused
 * whole, as before (not RTP, not ng.pass_through's). */
static void
test_ng_bundle_data_channel(void **state)
{
	struct ipc_msg m;
	unsigned int adds = 0;

	(void)state;
	dtls_cert(1);
	assert_false(reqx("offer", "c1", SDP_WB_DC, "RTP/AVP", "remove", NULL));
	assert_non_null(strstr(reply_sdp, "m=application section 3"));
	assert_false(to_dp(&m));
	req_bundle = "accept";
	assert_true(reqx("offer", "c1", SDP_WB_DC, "RTP/AVP", "remove", NULL));
	while (to_dp(&m))
		adds += m.h.kind == IPC_RTP_ADD;
	assert_int_equal(adds, 2);
	assert_int_equal(in_sdp("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"), 1);
	assert_int_equal(in_sdp("a=group"), 0);
	assert_true(reqx("answer", "c1", SDP_B_AV "m=application 0 UDP/DTLS/SCTP "
			 "webrtc-datachannel\r\n", NULL, "force", NULL));
	while (to_dp(&m))
		;
	assert_int_equal(in_sdp("a=group:BUNDLE 0 1\r\n"), 1);
	assert_int_equal(port_in_sdp("audio"), port_in_sdp("video"));
	assert_int_equal(port_in_sdp("application"), 0);
	req_bundle = NULL;
}

/* BUNDLE slice 8's refusals that are turnpike's (a PT in two sections of a
 * group, MID extension ids that differ, a mid past 16 octets) apply when
 * bundle=accept asks to bundle: without it the group is dropped and each
 * section relayed alone, as rtpengine 10.5 takes it. With it, refused
 * before anything is made; a section without rtcp-mux too. */
static void
test_ng_bundle_refusals(void **state)
{
	struct ipc_msg m;
	unsigned int adds = 0;

	(void)state;
	dtls_cert(1);
	assert_true(reqx("offer", "c1", SDP_WB_PT("a=group:BUNDLE 0 1", "0"), "RTP/AVP", "remove",
			 NULL));
	while (to_dp(&m))
		adds += m.h.kind == IPC_RTP_ADD;
	assert_int_equal(adds, 2);
	assert_int_equal(in_sdp("a=group"), 0);
	req_bundle = "accept";
	assert_false(reqx("offer", "c2", SDP_WB_PT("a=group:BUNDLE 0 1", "0"), "RTP/AVP",
			  "remove", NULL));
	assert_string_equal(reply_sdp, "Not bundled: line 6: a=group:BUNDLE: payload type 0 is "
			    "in mid 0's section (line 7) and mid 1's (line 18): turnpike tells a "
			    "group's media apart by payload type, one section's each");
	assert_false(to_dp(&m));
	assert_int_equal(g->ncalls, 1);
	assert_false(reqx("offer", "c2", SDP_WB_NOMUX("a=group:BUNDLE 0 1"), "RTP/AVP", "remove",
			  NULL));
	assert_non_null(strstr(reply_sdp, "Not bundled: mid 1's section (line 18) has no "
				      "a=rtcp-mux"));
	assert_false(to_dp(&m));
	assert_int_equal(g->ncalls, 1);
	/* a MID extension id past 255 (lib/sdp takes 4096..4351), which dp's
	 * one octet of it would have truncated to another extension's */
	{
		static char t[4096];
		char *p;

		snprintf(t, sizeof(t), "%s", SDP_WB("a=group:BUNDLE 0 1"));
		while ((p = strstr(t, "a=extmap:4 ")) != NULL) {
			memmove(p + 13, p + 10, strlen(p + 10) + 1);
			memcpy(p + 9, "4097", 4);
		}
		assert_false(reqx("offer", "c2", t, "RTP/AVP", "remove", NULL));
		assert_non_null(strstr(reply_sdp, "Not bundled: line 6: a=group:BUNDLE: the MID "
					      "header extension's id 4097"));
		assert_false(to_dp(&m));
		assert_int_equal(g->ncalls, 1);
	}
	req_bundle = NULL;
}

#define SDP_AV_MID SDP_A "m=video 5006 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\na=mid:v\r\n"

/* generate-mid (rtpengine's, in its WebRTC alias): a section its sender
 * gave no a=mid gets one towards the receiver, the section's index from 1
 * (rtpengine's __update_media_id()); one with a mid keeps it, nothing
 * added; the receiver's later offers carry it without the flag (rtpengine
 * keeps a media ID); the answer to the offerer gives it none (it gave
 * none); no flag, no a=mid. */
static void
test_ng_generate_mid(void **state)
{
	struct ipc_msg m;

	(void)state;
	assert_true(req("offer", SDP_AV_MID, NULL, "generate-mid"));
	while (to_dp(&m))
		;
	assert_int_equal(in_sdp("a=mid:"), 2);
	assert_int_equal(in_sdp("a=mid:1\r\n"), 1);
	assert_int_equal(in_sdp("a=mid:v\r\n"), 1);
	assert_true(strstr(reply_sdp, "a=mid:1\r\n") < strstr(reply_sdp, "m=video "));
	assert_true(req("answer", SDP_B_AV, NULL, NULL));
	while (to_dp(&m))
		;
	assert_int_equal(in_sdp("a=mid:1\r\n"), 0);
	assert_int_equal(in_sdp("a=mid:v\r\n"), 1);
	assert_true(req("offer", SDP_AV_MID, NULL, NULL));
	while (to_dp(&m))
		;
	assert_int_equal(in_sdp("a=mid:1\r\n"), 1);
	assert_int_equal(in_sdp("a=mid:v\r\n"), 1);
	/* another call, no flag: none */
	assert_true(reqx("offer", "c2", SDP_AV_MID, NULL, NULL, NULL));
	while (to_dp(&m))
		;
	assert_int_equal(in_sdp("a=mid:"), 1);
	/* the flag any case, its second section without a mid: 2 */
	assert_true(reqx("offer", "c3", SDP_A "m=video 5006 RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\n",
			 NULL, NULL, "Generate-MID"));
	while (to_dp(&m))
		;
	assert_int_equal(in_sdp("a=mid:1\r\n"), 1);
	assert_int_equal(in_sdp("a=mid:2\r\n"), 1);
}

/* A SIP phone calls a browser (SIP -> WebRTC: ICE=force DTLS=passive
 * transport-protocol=UDP/TLS/RTP/SAVPF): the browser's termination made at
 * the offer as DTLS-SRTP already (SAVPF, rtcp-mux, our actpass: dp's
 * EITHER, no fingerprint yet), ours in the offer (actpass, fingerprint,
 * tls-id, ICE-lite, a=rtcp-mux alone); its answer (active) gives the
 * roles and its fingerprint; the phone answered plain. A failed handshake
 * in query. */
static void
test_ng_dtls_sip_to_browser(void **state)
{
	struct ipc_rtp_ctx x;
	struct ipc_rtp_term t;
	struct ipc_msg m;
	const struct bc_node *dt;
	char v[128];

	(void)state;
	dtls_cert(1);
	req_dtls = "passive";
	assert_true(reqx("offer", "c1", SDP_A, "UDP/TLS/RTP/SAVPF", "force", "SDES-off"));
	x = offered();
	assert_int_equal(x.term[1].profile, IPC_RTP_SAVPF);
	assert_true(x.term[1].flags & IPC_RTP_F_MUX);
	assert_int_equal(x.term[1].dtls.role, IPC_RTP_DTLS_EITHER);
	assert_int_equal(x.term[1].dtls.nfp, 0);
	assert_int_equal(x.term[1].mode, 0);
	assert_int_equal(x.term[1].ice.mode, IPC_RTP_ICE_LITE);
	assert_int_equal(x.term[0].dtls.role, IPC_RTP_DTLS_NONE);
	assert_non_null(strstr(reply_sdp, " UDP/TLS/RTP/SAVPF 111 0\r\n"));
	ours_dtls_in_sdp("c1", 1, "actpass");
	ours_in_sdp(&x.term[1], 1);
	assert_int_equal(in_sdp("a=rtcp-mux\r\n"), 1);
	assert_int_equal(in_sdp("a=rtcp:"), 0);
	/* its answer: active, its fingerprint: we are the server */
	req_dtls = NULL;
	assert_true(reqx("answer", "c1", SDP_W_ANSWER, NULL, NULL, NULL));
	t = modified(1);
	assert_int_equal(t.dtls.role, IPC_RTP_DTLS_SERVER);
	assert_int_equal(t.dtls.nfp, 1);
	assert_int_equal(t.dtls.fp[0].md[0], 0x5b);
	assert_int_equal(t.mode, IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV);
	(void)modified(0);
	t = modified(1);                   /* (its ICE) */
	peer_is(&t, "cOre");
	assert_false(to_dp(&m));
	assert_non_null(strstr(reply_sdp, "m=audio "));
	assert_non_null(strstr(reply_sdp, " RTP/AVP 0\r\n"));
	no_dtls_in_sdp();
	no_ice_in_sdp();
	assert_int_equal(in_sdp("cOre"), 0);
	/* dp: the handshake failed */
	dtls_ev(ctx_of("c1"), 1, false, 0);
	dt = queried_dtls("core");
	assert_true(bc_is(bc_dict_gets(rnodes, dt, "state"), "failed"));
	assert_true(bc_is(bc_dict_gets(rnodes, dt, "setup"), "passive"));
	assert_int_equal(bc_str(bc_dict_gets(rnodes, dt, "reason"), v, sizeof(v)), 0);
	assert_non_null(strstr(v, "fingerprint_mismatch"));
	assert_int_equal(bc_dict_gets(rnodes, dt, "failures")->i, 1);
}

/* rtcp-mux-require: B offered rtcp-mux with no RTCP port of ours (its
 * termination made muxed on one port, a=rtcp naming that port, as
 * rtpengine writes it), A's own RTCP apart as it offered; B's answer
 * without a=rtcp-mux refused with nothing changed (RFC 5761 section
 * 5.1.1: its RTCP would go to a port we never gave it), then its answer
 * with it taken, B's termination muxed as held; A hears no a=rtcp-mux. The
 * rtcp-mux list's require does the same. */
static void
test_ng_mux_require(void **state)
{
	struct ipc_rtp_ctx x;
	struct ipc_rtp_term t;
	struct ipc_msg m;
	char want[64];

	(void)state;
	assert_true(req("offer", SDP_A, NULL, "rtcp-mux-require"));
	x = offered();
	assert_false(x.term[0].flags & IPC_RTP_F_MUX);
	assert_int_not_equal(x.term[0].rtcp_port, 0);
	assert_true(x.term[1].flags & IPC_RTP_F_MUX);
	assert_int_equal(x.term[1].rtcp_port, 0);
	assert_int_equal(in_sdp("a=rtcp-mux\r\n"), 1);
	assert_int_equal(in_sdp("a=rtcp:"), 1);
	snprintf(want, sizeof(want), "a=rtcp:%u\r\n", x.term[1].local.port);
	assert_int_equal(in_sdp(want), 1);
	assert_true(strstr(reply_sdp, want) < strstr(reply_sdp, "a=rtcp-mux\r\n"));

	assert_false(req("answer", SDP_B, NULL, NULL));
	assert_non_null(strstr(reply_sdp, "has no a=rtcp-mux, which rtcp-mux-require offered"));
	assert_false(to_dp(&m));
	assert_true(ctx_of("c1")->rtp.term[1].flags & IPC_RTP_F_MUX);
	assert_int_equal(ctx_of("c1")->rtp.term[1].remote.port, 0);

	assert_true(req("answer", SDP_B "a=rtcp-mux\r\n", NULL, NULL));
	t = modified(1);
	assert_true(t.flags & IPC_RTP_F_MUX);
	assert_int_equal(t.local.port, x.term[1].local.port);
	assert_int_equal(t.remote.port, 6004);
	assert_int_equal(t.mode, IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV);
	t = modified(0);
	assert_false(t.flags & IPC_RTP_F_MUX);
	assert_false(to_dp(&m));
	assert_int_equal(in_sdp("a=rtcp-mux"), 0);

	/* the rtcp-mux list's require (and A offering mux: B is offered it
	 * all the same, A answered it) */
	req_list_mux = "require";
	assert_true(reqx("offer", "c2", SDP_A "a=rtcp-mux\r\n", NULL, NULL, NULL));
	x = offered();
	assert_true(x.term[0].flags & IPC_RTP_F_MUX);
	assert_true(x.term[1].flags & IPC_RTP_F_MUX);
	assert_int_equal(x.term[1].rtcp_port, 0);
	snprintf(want, sizeof(want), "a=rtcp:%u\r\n", x.term[1].local.port);
	assert_int_equal(in_sdp(want), 1);
	assert_int_equal(in_sdp("a=rtcp-mux\r\n"), 1);
	req_list_mux = NULL;
	assert_false(reqx("answer", "c2", SDP_B, NULL, NULL, NULL));
	assert_false(to_dp(&m));
}

/* WebRTC (rtpengine's alias) towards B: B offered as a WebRTC client is,
 * by the flags turnpike has of it: UDP/TLS/RTP/SAVPF with our DTLS-SRTP
 * (actpass, no a=crypto: SDES-off), our ICE-lite lines with
 * a=ice-options:trickle (ICE=force, trickle-ICE: A offered none), rtcp-mux
 * alone (rtcp-mux-offer and -require: its termination muxed, no a=rtcp,
 * as its no-rtcp-attribute asks). */
static void
test_ng_webrtc_flag(void **state)
{
	struct ipc_rtp_ctx x;

	(void)state;
	dtls_cert(1);
	assert_true(req("offer", SDP_A, NULL, "WebRTC"));
	x = offered();
	assert_int_equal(x.term[1].profile, IPC_RTP_SAVPF);
	assert_true(x.term[1].flags & IPC_RTP_F_MUX);
	assert_int_equal(x.term[1].rtcp_port, 0);
	assert_int_equal(x.term[1].dtls.role, IPC_RTP_DTLS_EITHER);
	assert_int_equal(x.term[1].ice.mode, IPC_RTP_ICE_LITE);
	assert_int_equal(x.term[0].ice.mode, IPC_RTP_ICE_OFF);
	assert_false(x.term[0].flags & IPC_RTP_F_MUX);
	assert_non_null(strstr(reply_sdp, " UDP/TLS/RTP/SAVPF 111 0\r\n"));
	ours_dtls_in_sdp("c1", 1, "actpass");
	ours_in_sdp(&x.term[1], 1);
	assert_int_equal(in_sdp("a=ice-options:trickle\r\n"), 1);
	assert_int_equal(in_sdp("a=rtcp-mux\r\n"), 1);
	assert_int_equal(in_sdp("a=rtcp:"), 0);
	assert_int_equal(in_sdp("a=crypto"), 0);
	/* (its generate-mid: A gave no a=mid) */
	assert_int_equal(in_sdp("a=mid:1\r\n"), 1);
}

/* RFC 8842 through the door: the browser's re-offer with an ICE restart
 * and the same fingerprint and tls-id keeps the association (its number
 * as before; the restart made by the answer), another tls-id starts a new
 * one; our answer keeps our fingerprint's hash (the first answer's
 * DTLS-fingerprint: a message's flag is for the SDP it carries, as
 * rtpengine's) and our tls-id of the association. */
static void
test_ng_dtls_reoffer(void **state)
{
	struct ipc_rtp_ctx x;
	struct ipc_rtp_term t;
	struct ipc_msg m;
	uint32_t assoc;

	(void)state;
	dtls_cert(1);
	assert_true(reqx("offer", "c1", SDP_W, "RTP/AVP", "remove", NULL));
	x = offered();
	assoc = x.term[0].dtls.assoc;
	req_dtls_fp = "sha-384";
	assert_true(reqx("answer", "c1", SDP_B, NULL, "force", NULL));
	req_dtls_fp = NULL;
	(void)modified(1);
	(void)modified(0);
	assert_false(to_dp(&m));
	assert_int_equal(in_sdp("a=fingerprint:sha-384 C2:C2:"), 1);
	assert_int_equal(in_sdp("a=fingerprint:"), 1);
	/* the restart: the same association */
	assert_true(reqx("offer", "c1", SDP_W_RESTART, "RTP/AVP", "remove", NULL));
	t = modified(0);
	assert_int_equal(t.dtls.assoc, assoc);
	assert_false(to_dp(&m));
	assert_true(reqx("answer", "c1", SDP_B, NULL, "force", NULL));
	(void)modified(1);
	(void)modified(0);
	t = modified(0);
	peer_is(&t, "rEst");
	assert_int_equal(t.dtls.assoc, assoc);
	assert_false(to_dp(&m));
	assert_int_equal(in_sdp("a=fingerprint:sha-384 C2:C2:"), 1);
	assert_int_equal(in_sdp("a=setup:active\r\n"), 1);
	/* another tls-id: a new association */
	assert_true(reqx("offer", "c1", SDP_W_NEWID, "RTP/AVP", "remove", NULL));
	t = modified(0);
	assert_int_equal(t.dtls.assoc, assoc + 1);
	while (to_dp(&m))
		;
}

/* A peer that gives no a=tls-id (RFC 5763's): RFC 8842 takes its new
 * ICE ufrag for a new DTLS association (rtpengine restarts DTLS there
 * too); its re-offer with the credentials it had keeps the association.
 * no-tls-id (rtpengine's flag): the restart keeps it, and our answer has
 * no a=tls-id (our fingerprint and setup as ever). */
static void
test_ng_dtls_legacy_restart(void **state)
{
	struct ipc_rtp_ctx x;
	struct ipc_rtp_term t;
	struct ipc_msg m;
	uint32_t assoc;

	(void)state;
	dtls_cert(1);
	assert_true(reqx("offer", "c1", SDP_W_NOID, "RTP/AVP", "remove", NULL));
	x = offered();
	assoc = x.term[0].dtls.assoc;
	assert_true(reqx("answer", "c1", SDP_B, NULL, "force", NULL));
	assert_int_equal(in_sdp("a=tls-id:"), 1);
	while (to_dp(&m))
		;
	/* the same credentials: the same association */
	assert_true(reqx("offer", "c1", SDP_W_NOID, "RTP/AVP", "remove", NULL));
	t = modified(0);
	assert_int_equal(t.dtls.assoc, assoc);
	assert_true(reqx("answer", "c1", SDP_B, NULL, "force", NULL));
	while (to_dp(&m))
		;
	/* an ICE restart without tls-id: a new one, in the re-offer */
	assert_true(reqx("offer", "c1", SDP_W_RESTART_NOID, "RTP/AVP", "remove", NULL));
	t = modified(0);
	assert_int_equal(t.dtls.assoc, assoc + 1);
	assert_true(reqx("answer", "c1", SDP_B, NULL, "force", NULL));
	while (to_dp(&m))
		;
	assert_int_equal(ctx_of("c1")->rtp.term[0].dtls.assoc, assoc + 1);

	/* no-tls-id: the restart keeps the association; no a=tls-id of ours */
	assert_true(reqx("offer", "c2", SDP_W_NOID, "RTP/AVP", "remove", NULL));
	x = offered();
	assoc = x.term[0].dtls.assoc;
	assert_true(reqx("answer", "c2", SDP_B, NULL, "force", "no-tls-id"));
	assert_int_equal(in_sdp("a=fingerprint:sha-256 C1:C1:"), 1);
	assert_int_equal(in_sdp("a=setup:active\r\n"), 1);
	assert_int_equal(in_sdp("a=tls-id"), 0);
	while (to_dp(&m))
		;
	assert_true(reqx("offer", "c2", SDP_W_RESTART_NOID, "RTP/AVP", "remove", "no-tls-id"));
	t = modified(0);
	assert_int_equal(t.dtls.assoc, assoc);
	assert_true(reqx("answer", "c2", SDP_B, NULL, "force", "no-tls-id"));
	assert_int_equal(in_sdp("a=tls-id"), 0);
	assert_int_equal(in_sdp("a=fingerprint:"), 1);
	while (to_dp(&m))
		;
	assert_int_equal(ctx_of("c2")->rtp.term[0].dtls.assoc, assoc);
}

/* SDES-only-<suite> and SDES-order: (rtpengine's SDES list): our one
 * a=crypto to the receiver is of a suite only- names (SDES-no- then
 * passed over), the first of order:'s that may be offered (over the
 * offerer's own), a suite dp's SRTP does not take passed over; only-
 * leaving none refuses the offer before anything is made. */
static void
test_ng_sdes_only_order(void **state)
{
	struct ipc_msg m;

	(void)state;
	assert_true(reqx("offer", "c1", SDP_A_SAVP, NULL, NULL,
			 "SDES-only-AES_256_CM_HMAC_SHA1_80"));
	(void)offered();
	assert_int_equal(in_sdp(" AES_256_CM_HMAC_SHA1_80 inline:"), 1);
	assert_int_equal(in_sdp("a=crypto:"), 1);
	req_flag2 = "SDES-no-AES_CM_128_HMAC_SHA1_80";
	assert_true(reqx("offer", "c2", SDP_A_SAVP, NULL, NULL,
			 "SDES-only-AES_CM_128_HMAC_SHA1_80"));
	(void)offered();
	assert_int_equal(in_sdp(" AES_CM_128_HMAC_SHA1_80 inline:"), 1);
	assert_int_equal(in_sdp("a=crypto:"), 1);
	/* order: over the offerer's suite; SDES-no- still holds */
	req_flag2 = NULL;
	assert_true(reqx("offer", "c3", SDP_A_SAVP, NULL, NULL,
			 "SDES-order:AEAD_AES_256_GCM;AES_256_CM_HMAC_SHA1_32;"));
	(void)offered();
	assert_int_equal(in_sdp(" AEAD_AES_256_GCM inline:"), 1);
	assert_int_equal(in_sdp("a=crypto:"), 1);
	req_flag2 = "SDES-no-AEAD_AES_256_GCM";
	assert_true(reqx("offer", "c4", SDP_A, "RTP/SAVP", NULL,
			 "SDES-order:AEAD_AES_256_GCM;AES_256_CM_HMAC_SHA1_32;"));
	(void)offered();
	assert_int_equal(in_sdp(" AES_256_CM_HMAC_SHA1_32 inline:"), 1);
	assert_int_equal(in_sdp("a=crypto:"), 1);
	/* a suite dp does not take, and one nobody knows: the default */
	req_flag2 = NULL;
	assert_true(reqx("offer", "c5", SDP_A, "RTP/SAVP", NULL,
			 "SDES-order:NULL_HMAC_SHA1_32;AES_192_CM_HMAC_SHA1_80"));
	(void)offered();
	assert_int_equal(in_sdp(" AES_CM_128_HMAC_SHA1_80 inline:"), 1);
	assert_int_equal(in_sdp("a=crypto:"), 1);
	/* only- leaving nothing dp takes */
	assert_false(reqx("offer", "c6", SDP_A, "RTP/SAVP", NULL,
			  "SDES-only-AES_192_CM_HMAC_SHA1_80"));
	assert_non_null(strstr(reply_sdp, "SDES-only- flags leave no crypto suite"));
	assert_false(to_dp(&m));
	assert_int_equal(g->ncalls, 5);
}

/* What the door refuses before anything is made, with ng's error: a
 * DTLS-SRTP section's holdconn, no a=setup, only sha-1, no rtcp-mux,
 * DTLS=off; transport-protocol UDP/TLS under DTLS=off; SDES-off towards
 * RTP/SAVP; an answer's actpass, an answer that is DTLS-SRTP where the
 * offer was not, DTLS=off in an answer of DTLS-SRTP. SDES-no-<suite>: our
 * a=crypto of another suite. */
static void
test_ng_dtls_refused(void **state)
{
	struct ipc_msg m;
	struct ipc_rtp_ctx x;

	(void)state;
	dtls_cert(1);
	assert_false(reqx("offer", "c1", SDP_W_HEAD "a=fingerprint:sha-256 " FP_5B "\r\n"
			  "a=setup:holdconn\r\n", "RTP/AVP", "remove", NULL));
	assert_non_null(strstr(reply_sdp, "holdconn"));
	assert_false(reqx("offer", "c1", SDP_W_HEAD "a=fingerprint:sha-256 " FP_5B "\r\n",
			  "RTP/AVP", "remove", NULL));
	assert_non_null(strstr(reply_sdp, "has no a=setup"));
	assert_false(reqx("offer", "c1", SDP_W_HEAD "a=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:"
			  "54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\r\na=setup:actpass\r\n", "RTP/AVP",
			  "remove", NULL));
	assert_non_null(strstr(reply_sdp, "sha-1"));
	assert_non_null(strstr(reply_sdp, "agw.allow_sha1"));
	assert_false(reqx("offer", "c1", SDP_W_HEAD "a=setup:actpass\r\n", "RTP/AVP", "remove",
			  NULL));
	assert_non_null(strstr(reply_sdp, "fingerprint"));
	assert_false(reqx("offer", "c1", SDP_W, "RTP/AVP", "remove", "rtcp-mux-reject"));
	assert_non_null(strstr(reply_sdp, "rtcp-mux"));
	req_dtls = "off";
	assert_false(reqx("offer", "c1", SDP_W, "RTP/AVP", "remove", NULL));
	assert_non_null(strstr(reply_sdp, "DTLS=off"));
	assert_false(reqx("offer", "c1", SDP_A, "UDP/TLS/RTP/SAVPF", "force", NULL));
	assert_non_null(strstr(reply_sdp, "DTLS=off"));
	req_dtls = NULL;
	assert_false(reqx("offer", "c1", SDP_A, "RTP/SAVP", NULL, "SDES-off"));
	assert_non_null(strstr(reply_sdp, "SDES-off"));
	assert_false(to_dp(&m));
	assert_int_equal(g->ncalls, 0);
	/* an answer's actpass; a DTLS-SRTP answer to a plain offer */
	assert_true(reqx("offer", "c1", SDP_A, "UDP/TLS/RTP/SAVPF", "force", NULL));
	(void)offered();
	assert_false(reqx("answer", "c1", SDP_W_HEAD "a=fingerprint:sha-256 " FP_5B "\r\n"
			  "a=setup:actpass\r\n", NULL, NULL, NULL));
	assert_non_null(strstr(reply_sdp, "actpass"));
	assert_non_null(strstr(reply_sdp, "RFC 5763"));
	assert_true(reqx("offer", "c2", SDP_A, NULL, NULL, NULL));
	(void)offered();
	assert_false(reqx("answer", "c2", SDP_W_ANSWER, NULL, NULL, NULL));
	assert_non_null(strstr(reply_sdp, "is not the RTP/AVP offered"));
	assert_false(to_dp(&m));
	/* DTLS=off in the answer of a DTLS-SRTP section: refused as in an
	 * offer (nothing to dp), the good answer after it taken */
	assert_true(reqx("offer", "c4", SDP_A, "UDP/TLS/RTP/SAVPF", "force", NULL));
	(void)offered();
	req_dtls = "off";
	assert_false(reqx("answer", "c4", SDP_W_ANSWER, NULL, NULL, NULL));
	assert_non_null(strstr(reply_sdp, "DTLS=off"));
	assert_false(to_dp(&m));
	req_dtls = NULL;
	assert_true(reqx("answer", "c4", SDP_W_ANSWER, NULL, NULL, NULL));
	while (to_dp(&m))
		;
	/* SDES-no-: our key of the next suite */
	assert_true(reqx("offer", "c3", SDP_A_SAVP, NULL, NULL,
			 "SDES-no-AES_CM_128_HMAC_SHA1_80"));
	x = offered();
	(void)x;
	assert_int_equal(in_sdp("a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:"), 1);
	assert_int_equal(in_sdp("a=crypto:"), 1);
}

/* Codecs (FEATURE.md "Codecs"): an offer of PCMA (and DTMF events) and
 * answers to it; B's SDP with the format list and rtpmap lines given. */
#define SDP_A_PCMA "v=0\r\no=ue 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n" \
		   "m=audio 5004 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n" \
		   "a=rtpmap:101 telephone-event/8000\r\n"
#define SDP_A_PCMU "v=0\r\no=ue 1 2 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\n" \
		   "m=audio 5004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
#define SDP_A_FMT(fmt, maps) "v=0\r\no=ue 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\n" \
			     "t=0 0\r\nm=audio 5004 RTP/AVP " fmt "\r\n" maps
#define SDP_B_FMT(fmt, maps) "v=0\r\no=core 2 1 IN IP4 10.1.0.9\r\ns=-\r\nc=IN IP4 10.1.0.9\r\n" \
			     "t=0 0\r\nm=audio 6004 RTP/AVP " fmt "\r\n" maps

/* Nothing more went to dp. */
static void
nothing_to_dp(void)
{
	struct ipc_msg m;

	assert_false(to_dp(&m));
}

/* An answer sharing no codec with its offer is refused with the section
 * and both lists, before anything changes (nothing to dp); DTMF events
 * alone in common are no codec (no voice would flow); the good answer
 * after them is taken as the first answer would have been. */
static void
test_ng_codec_none(void **state)
{
	(void)state;
	assert_true(req("offer", SDP_A_PCMA, NULL, NULL));
	(void)offered();
	assert_false(req("answer", SDP_B, NULL, NULL));
	assert_string_equal(reply_sdp, "No codec in common: the answer's m=audio (section 1) "
			    "has 0 PCMU/8000, the offer had 8 PCMA/8000, 101 "
			    "telephone-event/8000 (turnpike does not transcode; RFC 3264 "
			    "section 6.1)");
	nothing_to_dp();
	assert_false(req("answer", SDP_B_FMT("0 101", "a=rtpmap:0 PCMU/8000\r\n"
					     "a=rtpmap:101 telephone-event/8000\r\n"), NULL, NULL));
	assert_non_null(strstr(reply_sdp, "has 0 PCMU/8000, 101 telephone-event/8000, the offer"));
	nothing_to_dp();
	/* (the call as it was: B's termination still held, made B's now) */
	assert_true(req("answer", SDP_B_FMT("8 101", "a=rtpmap:8 PCMA/8000\r\n"
					    "a=rtpmap:101 telephone-event/8000\r\n"), NULL, NULL));
	{
		struct ipc_rtp_term t = modified(1);

		assert_int_equal(t.mode, IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV);
		assert_int_equal(t.remote.port, 6004);
		t = modified(0);
		assert_int_not_equal(t.inact_ms, 0);
	}
	assert_non_null(strstr(reply_sdp, " RTP/AVP 8 101\r\n"));
	/* A's re-offer of PCMU alone: B's PCMA answer to it is refused too,
	 * before anything changes; its PCMU answer is taken */
	assert_true(req("offer", SDP_A_PCMU, NULL, NULL));
	{
		struct ipc_msg m;

		while (to_dp(&m))
			;
	}
	assert_false(req("answer", SDP_B_FMT("8 101", "a=rtpmap:8 PCMA/8000\r\n"
					     "a=rtpmap:101 telephone-event/8000\r\n"), NULL, NULL));
	assert_non_null(strstr(reply_sdp, "has 8 PCMA/8000, 101 telephone-event/8000, the offer "
				      "had 0 PCMU/8000 ("));
	nothing_to_dp();
	assert_true(req("answer", SDP_B, NULL, NULL));
}

/* A dynamic payload type is its a=rtpmap's codec, whatever its number and
 * the case of its name: opus/48000/2 offered as 111 and answered as 96 is
 * taken; opus/48000 (one channel) is another codec. */
static void
test_ng_codec_dynamic(void **state)
{
	(void)state;
	assert_true(req("offer", SDP_A, NULL, NULL));
	(void)offered();
	assert_false(req("answer", SDP_B_FMT("96", "a=rtpmap:96 opus/48000\r\n"), NULL, NULL));
	assert_non_null(strstr(reply_sdp, "has 96 opus/48000, the offer had 111 opus/48000/2, 0 "
				      "PCMU/8000 ("));
	nothing_to_dp();
	assert_true(req("answer", SDP_B_FMT("96", "a=rtpmap:96 OPUS/48000/2\r\n"), NULL, NULL));
	assert_int_equal(modified(1).remote.port, 6004);
}

/* A static payload type is RFC 3551's codec (RFC 3264 section 6.1: one
 * codec whatever its number): an offer of 0 and 8 without a=rtpmap
 * answered with a dynamic G722/8000 is refused (9's codec, not offered),
 * with a dynamic PCMU/8000 taken. */
static void
test_ng_codec_static(void **state)
{
	(void)state;
	assert_true(req("offer", SDP_A_FMT("0 8", ""), NULL, NULL));
	(void)offered();
	assert_false(req("answer", SDP_B_FMT("96", "a=rtpmap:96 G722/8000\r\n"), NULL, NULL));
	assert_non_null(strstr(reply_sdp, "has 96 G722/8000, the offer had 0, 8 ("));
	nothing_to_dp();
	assert_true(req("answer", SDP_B_FMT("96", "a=rtpmap:96 PCMU/8000\r\n"), NULL, NULL));
	assert_int_equal(modified(1).remote.port, 6004);
	assert_non_null(strstr(reply_sdp, " RTP/AVP 96\r\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ng_early_plain_relayed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_early_srtp_offerer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_srtp_gcm_offerer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_early_srtp_answerer_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_early_asymmetric, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_early_reoffer_follows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_early_off, setup_off, teardown),
		cmocka_unit_test_setup_teardown(test_ng_ice_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_ice_remove_reject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_ice_force, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_ice_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_dtls_legacy_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_sdes_only_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_ice_ufrag_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_dtls_browser_to_sip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_bundle_browser, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_bundle_accept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_bundle_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_bundle_reoffer_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_bundle_core_ends_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_bundle_mid_ext_stays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_bundle_data_channel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_bundle_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_generate_mid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_dtls_sip_to_browser, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_mux_require, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_webrtc_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_dtls_reoffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_dtls_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_codec_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_codec_dynamic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_codec_static, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
