/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's flood (admission control): Allocates that the
 * server's control process must refuse, offered at a chosen rate up to line
 * rate from N source addresses, while honest clients allocate at a paced
 * rate (L new allocations a second, each from a fresh address, each the
 * full RFC 8656 §7 exchange: an Allocate, its 401, the authenticated
 * Allocate, with RFC 8489 §6.2.1 retransmissions: the set-up phase's state
 * machine in tpgen_turn.c). Each honest allocation is timed from its first
 * request to its success.
 *
 * The flood is realistic where a server checks cheaply, so that it is not
 * refused early for a reason a real attacker would not give:
 *
 *  - every datagram has a correct IPv4 header checksum and a correct UDP
 *    checksum (dp drops bad ones before reading STUN);
 *  - every message is a well-formed Allocate (REQUESTED-TRANSPORT UDP,
 *    LIFETIME) with a correct FINGERPRINT (RFC 8489 §14.7; dp checks it);
 *  - kind=badmi: USERNAME of a configured user, the server's REALM, a nonce
 *    of the server's own making but issued to another address (the probe's:
 *    what an attacker copies from a 401 it got; the server must compute the
 *    nonce's MAC to refuse it), and a MESSAGE-INTEGRITY made with a wrong
 *    password (the server computes HMAC-SHA1 over the message to refuse
 *    it). cp answers 401 (within its challenge budget per source);
 *  - kind=noauth: no credentials at all; cp answers each with a 401 and a
 *    fresh nonce (a MAC), within its challenge budget per source.
 *
 * Frames are built once (gen_flood_prepare(): sources x transaction IDs,
 * GEN_FLOOD_FRAME bytes apart) and sent by copy: a flood packet costs the
 * generator an mbuf, a copy of ~190 bytes and its share of a TX burst.
 * Sources are visited round-robin, so each sends rate / N a second.
 *
 * The generator shares its core with cp on a 2-core box (perf/run): with
 * yield=1 it sleeps for a few microseconds whenever nothing is due and
 * nothing came in, so that cp's time is what cp needs, not what the
 * generator's polling leaves.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_random.h>

#include "stun.h"
#include "tpgen.h"

#define FLOOD_PORT      40000u   /* + frame round: source ports */
#define FLOOD_PROBE_PORT 39999u
#define FLOOD_MAX_FRAMES 65536u
#define FLOOD_PER_LOOP  256u     /* frames sent per loop at most */
#define FLOOD_NAP_US    20u      /* yield=1: sleep when idle */

static const char *const flood_kind_names[] = { "badmi", "noauth" };

static void
rand_tid(uint8_t tid[12])
{
	for (unsigned int i = 0; i < 12; i++)
		tid[i] = (uint8_t)rte_rand();
}

/* The UDP checksum of the datagram in frame f (RFC 768), over the pseudo
 * header and all of the datagram; never 0 (0 means none). */
static uint16_t
udp_cksum(const uint8_t *f, uint16_t payload_len)
{
	const uint8_t *ip = f + 14, *u = f + 34;
	uint32_t s = gen_sum16(ip + 12, 8, 0);
	uint16_t ck;

	s += 17u + 8u + payload_len;
	s = gen_sum16(u, (size_t)(8u + payload_len), s);
	ck = (uint16_t)~gen_fold(s);
	return ck == 0 ? 0xffff : ck;
}

static void
set_cksum(uint8_t *f, uint16_t payload_len)
{
	uint16_t ck;

	f[40] = 0;
	f[41] = 0;
	ck = udp_cksum(f, payload_len);
	f[40] = (uint8_t)(ck >> 8);
	f[41] = (uint8_t)ck;
}

/* FINGERPRINT, then the Ethernet, IPv4 and UDP headers (with checksums)
 * in front of the STUN message b built at f + 42: the frame's length, or
 * the builder's error. */
static int
finish_frame(struct gen *g, struct stun_builder *b, uint8_t *f, uint32_t src,
	     uint16_t sport)
{
	int n;

	stun_build_fingerprint(b);
	n = stun_build_finish(b);
	if (n < 0)
		return n;
	gen_build_udp(g, f, src, sport, g->server_ip, g->server_port, (uint16_t)n);
	set_cksum(f, (uint16_t)n);
	return 42 + n;
}

/* A plain Allocate (no credentials) from src:sport into f (a frame);
 * returns the frame length or < 0. */
static int
build_plain(struct gen *g, uint8_t *f, size_t cap, uint32_t src,
	    uint16_t sport, const uint8_t tid[12])
{
	struct stun_builder b;

	stun_build_init(&b, f + 42, cap - 42,
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST), tid);
	stun_build_transport(&b, STUN_TRANSPORT_UDP);
	stun_build_u32(&b, STUN_ATTR_LIFETIME, g->lifetime);
	return finish_frame(g, &b, f, src, sport);
}

/* An Allocate with credentials that do not verify. */
static int
build_bad_mi(struct gen *g, uint8_t *f, size_t cap, uint32_t src,
	     uint16_t sport, const uint8_t tid[12], const uint8_t *key,
	     size_t key_len)
{
	struct gen_flood *fl = &g->flood;
	struct stun_builder b;

	stun_build_init(&b, f + 42, cap - 42,
			stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST), tid);
	stun_build_transport(&b, STUN_TRANSPORT_UDP);
	stun_build_u32(&b, STUN_ATTR_LIFETIME, g->lifetime);
	stun_build_str(&b, STUN_ATTR_USERNAME, g->user);
	stun_build_str(&b, STUN_ATTR_REALM, fl->realm);
	stun_build_attr(&b, STUN_ATTR_NONCE, fl->nonce, fl->nonce_len);
	stun_build_integrity(&b, key, key_len);
	return finish_frame(g, &b, f, src, sport);
}

/* The answer's class and, for an error whose first attribute is
 * ERROR-CODE (every error answer turnpike sends), its code, without a
 * parse: with dp answering a noauth flood itself the generator gets a
 * million answers a second, and a parse each (some 300 ns) would take the
 * generator's core from cp. Returns false when it cannot tell. */
static bool
quick_class(const uint8_t *p, uint16_t len, uint8_t *cls, uint16_t *code)
{
	uint16_t type;

	if (len < STUN_HDR_LEN || (p[0] & 0xc0u) != 0)
		return false;
	type = (uint16_t)(p[0] << 8 | p[1]);
	*cls = stun_type_class(type);
	*code = 0;
	if (*cls != STUN_CLASS_ERROR)
		return true;
	if (len < STUN_HDR_LEN + 8 || p[20] != 0x00 || p[21] != 0x09)
		return false;
	*code = (uint16_t)((p[26] & 7u) * 100u + p[27]);
	return true;
}

void
gen_flood_input(struct gen *g, uint32_t idx, const uint8_t *p, uint16_t len)
{
	struct gen_flood *fl = &g->flood;
	const struct stun_attr *ea, *na, *ra;
	struct stun_msg m;
	uint16_t code = 0, rlen;
	const char *reason;
	uint8_t cls;

	if (fl->probe_done || idx != 0) {
		if (quick_class(p, len, &cls, &code)) {
			fl->rx_answers++;
			if (cls == STUN_CLASS_SUCCESS)
				fl->rx_success++;     /* must never happen */
			else if (cls != STUN_CLASS_ERROR)
				fl->rx_other++;
			else if (code == 401)
				fl->rx_401++;
			else if (code == 438)
				fl->rx_438++;
			else if (code == 400)
				fl->rx_400++;
			else if (code >= 500 && code < 600)
				fl->rx_5xx++;
			else
				fl->rx_other++;
			return;
		}
	}
	if (stun_msg_parse(&m, p, len, NULL) < 0) {
		fl->rx_other++;
		return;
	}
	if (!fl->probe_done && idx == 0 &&
	    memcmp(m.tid, fl->probe_tid, sizeof(fl->probe_tid)) == 0 &&
	    m.cls == STUN_CLASS_ERROR) {
		na = stun_msg_find(&m, STUN_ATTR_NONCE);
		ra = stun_msg_find(&m, STUN_ATTR_REALM);
		if (na != NULL && ra != NULL && na->len < GEN_NONCE_MAX &&
		    ra->len < sizeof(fl->realm)) {
			memcpy(fl->nonce, na->value, na->len);
			fl->nonce_len = (uint8_t)na->len;
			memcpy(fl->realm, ra->value, ra->len);
			fl->realm[ra->len] = '\0';
			fl->probe_done = true;
		}
		return;
	}
	fl->rx_answers++;
	if (m.cls == STUN_CLASS_SUCCESS) {
		fl->rx_success++;        /* must never happen */
		return;
	}
	if (m.cls != STUN_CLASS_ERROR) {
		fl->rx_other++;
		return;
	}
	ea = stun_msg_find(&m, STUN_ATTR_ERROR_CODE);
	if (ea != NULL)
		stun_attr_get_error(ea, &code, &reason, &rlen);
	if (code == 401)
		fl->rx_401++;
	else if (code == 438)
		fl->rx_438++;
	else if (code == 400)
		fl->rx_400++;
	else if (code >= 500 && code < 600)
		fl->rx_5xx++;
	else
		fl->rx_other++;
}

/* Ask the server for a 401 from the first flood source: its REALM and a
 * nonce of its own making (bound to that source). */
static int
probe(struct gen *g)
{
	struct gen_flood *fl = &g->flood;
	uint8_t f[GEN_FLOOD_FRAME];
	uint64_t end = rte_rdtsc() + 5 * g->hz, next = 0;
	int n;

	fl->probe_done = false;
	rand_tid(fl->probe_tid);
	n = build_plain(g, f, sizeof(f), g->flood_base, FLOOD_PROBE_PORT,
			fl->probe_tid);
	if (n < 0)
		return n;
	while (!fl->probe_done && !gen_stop) {
		uint64_t now = rte_rdtsc();

		if (now > end)
			return -ETIMEDOUT;
		if (now >= next) {
			gen_tx_frame(g, 0, f, (uint16_t)n);
			next = now + g->hz / 4;
		}
		if (gen_rx_poll(g, now) == 0)
			rte_delay_us_sleep(50);
	}
	return fl->probe_done ? 0 : -EINTR;
}

int
gen_flood_prepare(struct gen *g, enum gen_flood_kind kind, uint32_t nsources,
		  uint32_t nframes, bool need_probe)
{
	struct gen_flood *fl = &g->flood;
	uint8_t key[32];
	char wrong[160];
	int key_len = 0;

	if (nsources == 0 || nsources > FLOOD_MAX_FRAMES)
		return -EINVAL;
	/* Every source the same number of frames (transaction IDs). */
	if (nframes < nsources)
		nframes = nsources;
	nframes = (nframes + nsources - 1) / nsources * nsources;
	if (nframes > FLOOD_MAX_FRAMES)
		nframes = FLOOD_MAX_FRAMES / nsources * nsources;
	g->flood_n = nsources;
	if ((kind == GF_BAD_MI || need_probe) && fl->nonce_len == 0 &&
	    probe(g) < 0) {
		fprintf(stderr, "tpgen: flood: no 401 from the server\n");
		return -ETIMEDOUT;
	}
	if (kind == GF_BAD_MI) {
		/* The user's name, the wrong password. */
		snprintf(wrong, sizeof(wrong), "not-%s", g->pass);
		key_len = stun_key_long_term(STUN_PWALG_MD5, g->user, fl->realm,
					     wrong, key);
		if (key_len <= 0)
			return -EINVAL;
	}
	rte_free(fl->frames);
	rte_free(fl->len);
	fl->frames = rte_malloc("flood_frames", (size_t)nframes * GEN_FLOOD_FRAME,
				64);
	fl->len = rte_malloc("flood_len", (size_t)nframes * sizeof(*fl->len), 64);
	if (fl->frames == NULL || fl->len == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < nframes; i++) {
		uint8_t *f = fl->frames + (size_t)i * GEN_FLOOD_FRAME, tid[12];
		uint32_t src = g->flood_base + i % nsources;
		uint16_t sport = (uint16_t)(FLOOD_PORT + i / nsources % 20000u);
		int n;

		rand_tid(tid);
		n = kind == GF_BAD_MI ?
			build_bad_mi(g, f, GEN_FLOOD_FRAME, src, sport, tid, key,
				     (size_t)key_len) :
			build_plain(g, f, GEN_FLOOD_FRAME, src, sport, tid);
		if (n < 0)
			return n;
		fl->len[i] = (uint16_t)n;
	}
	fl->nframes = nframes;
	fl->nsources = nsources;
	fl->kind = kind;
	return 0;
}

static double
ms_of(const struct gen *g, uint64_t ns)
{
	(void)g;
	return (double)ns / 1e6;
}

int
gen_flood_run(struct gen *g, double rate, double secs, double warm,
	      double legit, double give_up, bool yield, uint32_t hold_us,
	      bool stale, FILE *out)
{
	struct gen_flood *fl = &g->flood;
	struct rte_mbuf *pkts[GEN_BURST];
	uint64_t t0, tw, tend, tmax, now, next_scan = 0, offered = 0, sent = 0;
	uint64_t refused = 0, t_last_flood;
	uint32_t want, first = g->fresh, started = 0, nin = 0, ok = 0, failed = 0;
	uint32_t timed_out = 0, with_rtx = 0, fi = 0, *inflight;
	uint16_t first_err = 0;
	uint64_t give_up_tsc = (uint64_t)(give_up * (double)g->hz), rtx = 0;

	want = (uint32_t)(legit * secs + 0.5);
	if (fl->nframes == 0 || (uint64_t)first + want > g->nclients) {
		fprintf(out, "{\"error\":\"flood: %u fresh clients wanted, %u left "
			"(--allocs)\"}\n", want, g->nclients - first);
		fflush(out);
		return -ENOSPC;
	}
	inflight = calloc(want ? want : 1, sizeof(*inflight));
	if (inflight == NULL)
		return -ENOMEM;
	/* Sleeps of a few microseconds, not the default 50 us of slack. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	fl->rx_answers = fl->rx_401 = fl->rx_438 = fl->rx_400 = 0;
	fl->rx_5xx = fl->rx_success = fl->rx_other = 0;
	memset(g->stun_err, 0, sizeof(g->stun_err));
	g->retransmits = g->retries = g->ctl_refused = 0;
	g->ctl_held = g->ctl_held_max_tsc = 0;
	g->ctl_hold_us = hold_us;
	memset(g->rtx_state, 0, sizeof(g->rtx_state));
	gen_hist_reset(&g->lat);
	t0 = rte_rdtsc();
	tw = t0 + (uint64_t)(warm * (double)g->hz);
	tend = tw + (uint64_t)(secs * (double)g->hz);
	/* The flood goes on while honest clients are still trying. */
	tmax = tend + give_up_tsc + g->hz / 10;
	now = t0;
	while (!gen_stop) {
		uint64_t due;
		unsigned int got = 0;
		bool did = false;

		if (now >= tmax || (now >= tend && nin == 0))
			break;
		/* The flood: what is due, in bursts. */
		due = rate < 0 ? 0 : FLOOD_PER_LOOP;    /* < 0: no flood */
		if (rate > 0) {
			uint64_t target = (uint64_t)((double)(now - t0) * rate /
						     (double)g->hz);

			due = target > offered ? target - offered : 0;
		}
		if (due > FLOOD_PER_LOOP)
			due = FLOOD_PER_LOOP;
		while (due > 0) {
			unsigned int n = due > GEN_BURST ? GEN_BURST : (unsigned int)due;
			uint16_t taken;

			offered += n;
			due -= n;
			did = true;
			if (rte_pktmbuf_alloc_bulk(g->tx_pool, pkts, n) != 0) {
				refused += n;      /* the link holds every mbuf */
				break;
			}
			for (unsigned int i = 0; i < n; i++) {
				const uint8_t *f = fl->frames + (size_t)fi * GEN_FLOOD_FRAME;
				uint16_t len = fl->len[fi];

				rte_memcpy(rte_pktmbuf_mtod(pkts[i], uint8_t *), f, len);
				pkts[i]->data_len = len;
				pkts[i]->pkt_len = len;
				if (++fi == fl->nframes)
					fi = 0;
			}
			taken = rte_eth_tx_burst(g->port_id, 0, pkts, (uint16_t)n);
			sent += taken;
			if (taken < n) {
				refused += n - taken;
				rte_pktmbuf_free_bulk(pkts + taken, n - taken);
				break;
			}
		}
		/* Honest clients, paced, after the warm-up. */
		if (now >= tw && now < tend) {
			uint64_t ldue = (uint64_t)((double)(now - tw) * legit /
						   (double)g->hz) + 1;

			while (started < want && started < ldue) {
				struct gen_client *c = &g->c[first + started];

				c->t_first = rte_rdtsc();
				c->t_done = 0;
				c->rtx = 0;
				if (stale && fl->nonce_len > 0 && g->key_len > 0)
					gen_turn_start_with_nonce(g, c, fl->nonce,
								  fl->nonce_len);
				else
					gen_turn_start(g, c);
				inflight[nin++] = first + started;
				started++;
				did = true;
			}
		}
		for (unsigned int k = 0; k < 8; k++) {
			unsigned int n = gen_rx_poll(g, rte_rdtsc());

			got += n;
			if (n == 0)
				break;
		}
		now = rte_rdtsc();
		if (now >= next_scan) {
			next_scan = now + g->hz / 1000;
			for (uint32_t k = 0; k < nin;) {
				struct gen_client *c = &g->c[inflight[k]];

				if (c->state == CS_ALLOCATED) {
					ok++;
					gen_hist_add(&g->lat, (uint64_t)((double)(c->t_done -
						     c->t_first) * 1e9 / (double)g->hz));
				} else if (c->state == CS_FAILED) {
					failed++;
					if (first_err == 0)
						first_err = c->err;
				} else if (now - c->t_first > give_up_tsc) {
					c->state = CS_FAILED;
					c->err = 408;
					timed_out++;
				} else {
					gen_turn_timer(g, c, now);
					k++;
					continue;
				}
				if (c->rtx > 0)
					with_rtx++;
				rtx += c->rtx;
				inflight[k] = inflight[--nin];
			}
		}
		if (yield && !did && got == 0) {
			rte_delay_us_sleep(FLOOD_NAP_US);
			now = rte_rdtsc();
		}
	}
	t_last_flood = now;
	/* Let the last answers come back. */
	while ((now = rte_rdtsc()) < t_last_flood + g->hz / 5)
		if (gen_rx_poll(g, now) == 0)
			rte_delay_us_sleep(FLOOD_NAP_US);
	/* Clients still in flight when the run was stopped. */
	for (uint32_t k = 0; k < nin; k++) {
		struct gen_client *c = &g->c[inflight[k]];

		if (c->state == CS_ALLOCATED) {
			ok++;
			gen_hist_add(&g->lat, (uint64_t)((double)(c->t_done - c->t_first) *
						       1e9 / (double)g->hz));
		} else {
			c->state = CS_FAILED;
			timed_out++;
		}
		if (c->rtx > 0)
			with_rtx++;
		rtx += c->rtx;
	}
	g->fresh = first + started;
	g->ctl_hold_us = 0;
	free(inflight);
	{
		double fsecs = (double)(t_last_flood - t0) / (double)g->hz;

		fprintf(out, "{\"flood\":{\"kind\":\"%s\",\"sources\":%u,\"frames\":%u,"
			"\"frame_len\":%u,\"rate\":%.0f,\"secs\":%.3f,\"offered\":%" PRIu64
			",\"sent\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"offered_pps\":%.0f,"
			"\"sent_pps\":%.0f,\"answers\":%" PRIu64 ",\"answers_401\":%" PRIu64
			",\"answers_438\":%" PRIu64 ",\"answers_400\":%" PRIu64
			",\"answers_5xx\":%" PRIu64 ",\"answers_success\":%" PRIu64
			",\"answers_other\":%" PRIu64 "},",
			flood_kind_names[fl->kind], fl->nsources, fl->nframes, fl->len[0],
			rate, fsecs, offered, sent, refused,
			fsecs > 0 ? (double)offered / fsecs : 0.0,
			fsecs > 0 ? (double)sent / fsecs : 0.0, fl->rx_answers, fl->rx_401,
			fl->rx_438, fl->rx_400, fl->rx_5xx, fl->rx_success, fl->rx_other);
		fprintf(out, "\"legit\":{\"stale\":%s,\"rate\":%.1f,\"secs\":%.3f,\"give_up_s\":%.1f,"
			"\"started\":%u,\"ok\":%u,\"failed\":%u,\"timed_out\":%u,"
			"\"success\":%.6f,\"ms\":{\"min\":%.3f,\"p50\":%.3f,\"p99\":%.3f,"
			"\"p999\":%.3f,\"max\":%.3f,\"mean\":%.3f},\"retransmits\":%" PRIu64
			",\"with_retransmits\":%u,\"retransmits_plain\":%" PRIu64
			",\"retransmits_auth\":%" PRIu64 ",\"refused_by_link\":%" PRIu64
			",\"held_by_link\":%" PRIu64 ",\"held_max_ms\":%.3f"
			",\"retries_5xx\":%" PRIu64
			",\"errors_4xx\":%" PRIu64 ",\"errors_5xx\":%" PRIu64
			",\"first_error\":%u}}\n",
			stale && fl->nonce_len > 0 && g->key_len > 0 ? "true" : "false",
			legit, secs, give_up, started, ok, failed, timed_out,
			started ? (double)ok / started : 0.0, ms_of(g, g->lat.min),
			ms_of(g, gen_hist_quantile(&g->lat, 0.5)),
			ms_of(g, gen_hist_quantile(&g->lat, 0.99)),
			ms_of(g, gen_hist_quantile(&g->lat, 0.999)), ms_of(g, g->lat.max),
			g->lat.n ? ms_of(g, (uint64_t)(g->lat.sum / g->lat.n)) : 0.0, rtx,
			with_rtx, g->rtx_state[CS_ALLOC_PLAIN], g->rtx_state[CS_ALLOC_AUTH],
			g->ctl_refused, g->ctl_held,
			(double)g->ctl_held_max_tsc * 1e3 / (double)g->hz, g->retries, g->stun_err[4], g->stun_err[5], first_err);
	}
	fflush(out);
	return 0;
}
