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
	req_dtls = req_dtls_fp = NULL;
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
	bc_w_kstr(&w, "from-tag", "ue");
	if (strcmp(cmd, "answer") == 0)
		bc_w_kstr(&w, "to-tag", "core");
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
	if (flag != NULL) {
		bc_w_str(&w, "flags");
		bc_w_list(&w);
		bc_w_str(&w, flag);
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

/* What the door refuses before anything is made, with ng's error: a
 * DTLS-SRTP section's holdconn, no a=setup, only sha-1, no rtcp-mux,
 * DTLS=off; transport-protocol UDP/TLS under DTLS=off; SDES-off towards
 * RTP/SAVP; an answer's actpass, an answer that is DTLS-SRTP where the
 * offer was not. SDES-no-<suite>: our a=crypto of another suite. */
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
	/* SDES-no-: our key of the next suite */
	assert_true(reqx("offer", "c3", SDP_A_SAVP, NULL, NULL,
			 "SDES-no-AES_CM_128_HMAC_SHA1_80"));
	x = offered();
	(void)x;
	assert_int_equal(in_sdp("a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:"), 1);
	assert_int_equal(in_sdp("a=crypto:"), 1);
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
		cmocka_unit_test_setup_teardown(test_ng_ice_ufrag_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_dtls_browser_to_sip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_dtls_sip_to_browser, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_dtls_reoffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ng_dtls_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
