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

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"ipc = { name = \"%s\"; };\n"
	"agw = { ports = [20000, 20099]; max_contexts = 8; media_ports = [40000, 40039];\n"
	"  media_contexts = 8; };\n"
	"ng = { listen = \"127.0.0.1:2223\"; allow = [\"127.0.0.1\"]; %s };\n";

/* The last reply's dictionary, as ng_net.c would have sent it. */
static char reply[65536];
static int reply_len;

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
 * One request: cmd with the call c1's tags (to-tag with an answer), sdp,
 * direction access then core for an offer (core then access for an
 * answer), transport-protocol proto (NULL: none), flags (NULL: none).
 * Returns true when the reply says ok.
 */
static bool
req(const char *cmd, const char *sdp, const char *proto, const char *flag)
{
	static struct bc_node nodes[NG_NODES_MAX];
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
	bc_w_kstr(&w, "call-id", "c1");
	bc_w_kstr(&w, "from-tag", "ue");
	if (!offer)
		bc_w_kstr(&w, "to-tag", "core");
	bc_w_kstr(&w, "sdp", sdp);
	bc_w_str(&w, "direction");
	bc_w_list(&w);
	bc_w_str(&w, offer ? "access" : "core");
	bc_w_str(&w, offer ? "core" : "access");
	bc_w_close(&w);
	if (proto != NULL)
		bc_w_kstr(&w, "transport-protocol", proto);
	if (flag != NULL) {
		bc_w_str(&w, "flags");
		bc_w_list(&w);
		bc_w_str(&w, flag);
		bc_w_close(&w);
	}
	bc_w_close(&w);
	n = bc_w_end(&w);
	assert_true(n > 0);
	assert_true(bc_parse(buf, (size_t)n, nodes, NG_NODES_MAX, NG_DEPTH_MAX, NULL, NULL) > 0);
	if (ng_req_read(nodes, &nodes[0], &g->names, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	memset(&src, 0, sizeof(src));
	reply_len = 0;
	ng_call_do(g, &src, &r);
	assert_true(reply_len > 0);
	assert_true(bc_parse(reply, (size_t)reply_len, nodes, NG_NODES_MAX, NG_DEPTH_MAX, NULL,
			     NULL) > 0);
	res = bc_dict_gets(nodes, &nodes[0], "result");
	if (!bc_is(res, "ok")) {
		char why[256] = "";

		(void)bc_str(bc_dict_gets(nodes, &nodes[0], "error-reason"), why, sizeof(why));
		print_message("# %s: %s\n", cmd, why);
		return false;
	}
	return true;
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
