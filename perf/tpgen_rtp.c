/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's RTP calls: both ends of N calls through a media relay (dp's RTP
 * terminations, or rtpengine on a tap), as perf/run --rtp measures them.
 * Call i's UE is client address i (its port GEN_RTP_PORT_A) and its core
 * side peer address i (GEN_RTP_PORT_B); the relay's two ports of the call
 * come from its control plane (rtpengine's ng answers, cp's contexts) in
 * a file, one line a call:
 *
 *   [IP:]PORT_A [IP:]PORT_B SUITE [TX_KEY RX_KEY]
 *
 * PORT_A is where the UE sends, PORT_B where the core side sends (on the
 * server's address unless an IP is given). SUITE 0 is plain RTP both
 * ways; otherwise the UE's side is SRTP (lib/srtp_ref's suite numbers, RFC
 * 4568's and RFC 7714's names in srtp_ref.h), TX_KEY the UE's master key
 * and salt in hex (what the UE offered: the relay decrypts with it) and
 * RX_KEY the relay's (what it answered: the UE decrypts with it). The core
 * side is plain RTP. Calls of different suites may share a file; a run
 * takes a range of them.
 *
 * A run sends G.711-sized packets (a 12-byte RTP header, 160 octets of
 * payload, PCMU, the sequence number and timestamp moving on as a 20 ms
 * packetiser's would) from its streams in turns at a set rate in all:
 * both sides of each call, or only the UE's (SRTP -> RTP through the
 * relay), or only the core's (RTP -> SRTP). The first 16 octets of a
 * payload are a stamp (magic, call and side, TSC): what arrives plain on
 * the core's side shows the relay decrypted it; what arrives as SRTP at
 * the UE is kept, one packet in `verify` a call, and decrypted after the
 * run with the relay's key (libsrtp kept out of the receive loop too).
 *
 * The UE's SRTP is made by libsrtp (a session a call and direction, open
 * only while used: struct gen_srtp), either on the fly or before the run
 * (`pre`): libsrtp over NSS takes 2-8 us a packet here, more with many
 * sessions open, so one core protecting on the fly offers some 300 kpps
 * of AES-CM at most. With `pre` every frame the run will send (rate x (warm + secs),
 * both sides' frames, the plain ones too) is made first into a queue
 * (tpgen_frames.h: 1 Mpps for 4 s is some 1 GB), then the run only copies
 * each into an mbuf at the rate. A ring of frames could not be sent twice
 * (the tag covers the sequence number, and the relay refuses a replay),
 * hence a queue the size of the run; what a run leaves is sent first by
 * the next run of the same streams, and dropped by any other run (a gap
 * in the streams' indices, which the relay takes).
 *
 * The frames' UDP checksums are computed whole (the payload is encrypted
 * after the head is written): SRTP writes the payload, so the TX pool is
 * no longer zero after a run and the TURN runs' precomputed sums would be
 * wrong: an RTP generator serves RTP runs only (`run` is refused after).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "srtp_ref.h"
#include "tpgen.h"
#include "tpgen_frames.h"

#define GEN_RTP_HDR     12u
#define GEN_RTP_PAYLOAD 160u          /* G.711 at 8 kHz, 20 ms */
#define GEN_RTP_LEN     (GEN_RTP_HDR + GEN_RTP_PAYLOAD)
#define GEN_RTP_PORT_A  20000u        /* the UE's RTP port */
#define GEN_RTP_PORT_B  30000u        /* the core side's */
#define GEN_RTP_MAX_CALLS 100000u
/* A frame made before the run keeps, past its end in its slot, whose it
 * is and its index: the run tells its leg what it sent (struct gen_pre_tag). */
#define GEN_PRE_TAG     (GEN_FRAME_SLOT - 16u)

struct gen_pre_tag {
	uint32_t stream;              /* call << 1 | side */
	uint32_t pad;
	uint64_t idx;
};

_Static_assert(42u + GEN_RTP_HDR + GEN_RTP_PAYLOAD + SRTP_REF_TRAILER_MAX <= GEN_PRE_TAG,
	       "a frame and its tag fit a slot");

/*
 * One direction of a call's SRTP: its libsrtp session open only while it
 * is used. NSS's soft token slows every protect by the sessions open in
 * the process, used or not (AES-CM on this host: 5-8 us a packet with
 * one open, 26-66 with 1,600), so the frames made before a run are made
 * a stream at a time with only that stream's session open, and the
 * session is closed after, its stream's state (lib/srtp_ref's restart:
 * ROC and sequence number) kept for the next time it opens.
 */
struct gen_srtp {
	struct srtp_ref *s;           /* NULL: closed */
	struct srtp_ref_key key;      /* suite 0: no SRTP this way */
	struct srtp_ref_stream st;    /* where the stream was when s closed */
	bool saved;                   /* st holds a stream */
};

/* What one side of a call sends. */
struct gen_rtp_leg {
	uint8_t head[42];             /* Ethernet, IPv4 (its checksum), UDP */
	uint32_t ssrc;
	uint64_t idx;                 /* the next packet's index (RFC 3711 section
				       * 3.3.1: ROC * 65536 + SEQ), ROC 0 first */
	uint64_t sent;                /* the index of the last sent */
	uint32_t ts;
	struct gen_srtp tx;           /* the UE's SRTP (the core's side: plain) */
};

struct gen_rtp_call {
	struct gen_rtp_leg leg[2];    /* 0 the UE's side, 1 the core's */
	struct gen_srtp rx;           /* what the relay sends the UE */
	uint32_t checked;             /* packets to the UE since the last verified */
	uint64_t verified;            /* 1 + the index of the last verified; 0: none */
	uint8_t trailer;              /* what the UE's suite adds to a packet */
};

/* An SRTP packet to a UE kept to be decrypted after the run (libsrtp
 * over NSS takes tens of microseconds a packet with hundreds of sessions
 * open: in the receive loop it held the sender back, and what it then sent
 * in a burst overflowed the relay's ring). */
struct gen_rtp_check {
	uint32_t ci;
	uint16_t len;
	uint64_t idx;                 /* its index, from what the core's side sent */
	uint8_t pkt[GEN_RTP_LEN + SRTP_REF_TRAILER_MAX];
};

#define GEN_RTP_CHECKS 65536u         /* kept a run at most (13 MB) */

/* The streams a run sends: calls first .. first + n - 1, one side or both. */
struct gen_rtp_sel {
	uint32_t first, n;
	enum gen_rtp_dir dir;
};

struct gen_rtp {
	uint32_t ncalls;
	struct gen_rtp_call *calls;
	size_t trailer;               /* the most protect adds (0: no SRTP call) */
	uint32_t verify;              /* decrypt one SRTP packet to the UE in this many */
	bool measuring;               /* inside the run's measured seconds */
	/* frames made before a run (`pre`), of pre_sel's streams */
	struct gen_frames pre;
	struct gen_rtp_sel pre_sel;
	uint32_t pre_next;            /* the stream the next frame made is of */
	/* a run's counts */
	uint64_t rx[2], rx_all[2];    /* arrived at the UE's side, the core's */
	uint64_t rx_bad;              /* wrong length, or a stamp not ours in plain RTP */
	uint64_t srtp_checked, srtp_failed;
	/* the failures by libsrtp's outcome (lib/srtp_ref's codes); then a
	 * session not made again, then a packet decrypted not ours */
	uint64_t srtp_why[SRTP_REF_E_COUNT + 2];
	struct gen_rtp_check *checks;   /* GEN_RTP_CHECKS, made at the first */
	uint32_t nchecks;
	uint64_t checks_skipped;        /* sampled, no room to keep */
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* x's session, open (made again where it was closed). 0, or -errno. */
static int
srtp_open(struct gen_srtp *x, enum srtp_ref_dir dir)
{
	int rc;

	if (x->s != NULL)
		return 0;
	x->s = srtp_ref_create(dir, &x->key);
	if (x->s == NULL)
		return -errno;
	if (x->saved) {
		rc = srtp_ref_restore(x->s, &x->st);
		if (rc < 0) {
			srtp_ref_free(x->s);
			x->s = NULL;
			return rc;
		}
	}
	return 0;
}

/* x's session closed, its stream's state kept (the generator's streams
 * keep one SSRC each way). */
static void
srtp_close(struct gen_srtp *x)
{
	if (x->s == NULL)
		return;
	if (srtp_ref_streams(x->s, &x->st, 1) > 0)
		x->saved = true;
	srtp_ref_free(x->s);
	x->s = NULL;
}

static void
srtp_wipe(struct gen_srtp *x)
{
	srtp_ref_free(x->s);
	x->s = NULL;
	srtp_ref_key_wipe(&x->key);
	x->saved = false;
}

/* Every call's sessions closed. */
static void
rtp_close_sessions(struct gen_rtp *r)
{
	for (uint32_t i = 0; i < r->ncalls; i++) {
		srtp_close(&r->calls[i].leg[0].tx);
		srtp_close(&r->calls[i].rx);
	}
}

static void
rtp_free_calls(struct gen_rtp *r)
{
	for (uint32_t i = 0; i < r->ncalls; i++) {
		srtp_wipe(&r->calls[i].leg[0].tx);
		srtp_wipe(&r->calls[i].rx);
	}
	free(r->calls);
	r->calls = NULL;
	r->nchecks = 0;
	r->ncalls = 0;
	r->trailer = 0;
	/* (frames made of the freed sessions: worthless) */
	gen_frames_clear(&r->pre);
	r->pre_next = 0;
}

static int
hex_key(const char *hex, enum srtp_ref_suite suite, struct srtp_ref_key *k)
{
	unsigned int kl = srtp_ref_key_len(suite), sl = srtp_ref_salt_len(suite);
	uint8_t raw[sizeof(k->key) + sizeof(k->salt)];

	if (kl == 0 || strlen(hex) != 2u * (kl + sl))
		return -EINVAL;
	for (unsigned int i = 0; i < kl + sl; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		raw[i] = (uint8_t)b;
	}
	memset(k, 0, sizeof(*k));
	k->suite = (uint8_t)suite;
	memcpy(k->key, raw, kl);
	memcpy(k->salt, raw + kl, sl);
	memset(raw, 0, sizeof(raw));
	return 0;
}

/* "[IP:]PORT" */
static int
parse_dest(const char *s, uint32_t def_ip, uint32_t *ip, uint16_t *port)
{
	const char *colon = strchr(s, ':');
	char addr[16];
	struct in_addr a;
	unsigned long p;

	*ip = def_ip;
	if (colon != NULL) {
		if ((size_t)(colon - s) >= sizeof(addr))
			return -EINVAL;
		memcpy(addr, s, (size_t)(colon - s));
		addr[colon - s] = '\0';
		if (inet_pton(AF_INET, addr, &a) != 1)
			return -EINVAL;
		*ip = ntohl(a.s_addr);
		s = colon + 1;
	}
	p = strtoul(s, NULL, 10);
	if (p == 0 || p > 65535)
		return -EINVAL;
	*port = (uint16_t)p;
	return 0;
}

static void
leg_init(struct gen *g, struct gen_rtp_leg *l, uint32_t src, uint16_t sport,
	 uint32_t dst, uint16_t dport)
{
	gen_build_udp(g, l->head, src, sport, dst, dport, GEN_RTP_LEN);
	l->ssrc = (uint32_t)rte_rand();
	l->idx = (uint16_t)rte_rand();
	l->ts = (uint32_t)rte_rand();
}

int
gen_rtp_load(struct gen *g, const char *file, bool keep, FILE *out)
{
	struct gen_rtp *r = g->rtp;
	struct gen_rtp_call *kept = NULL;
	char line[512];
	uint32_t n = 0, srtp = 0, nkept = 0;
	FILE *f;
	int rc = -EINVAL;

	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		g->rtp = r;
		if (srtp_ref_init() < 0)
			return -EIO;
	}
	if (keep) {
		/* (the calls' SRTP taken over by the new lines: their
		 * sessions closed, the frames made with them dropped) */
		rtp_close_sessions(r);
		kept = r->calls;
		nkept = r->ncalls;
		r->calls = NULL;
		r->ncalls = 0;
	}
	rtp_free_calls(r);
	if (!g->dut_mac_known) {
		rc = -EHOSTUNREACH;
		goto unkeep;
	}
	f = fopen(file, "r");
	if (f == NULL) {
		rc = -errno;
		goto unkeep;
	}
	r->calls = calloc(g->nclients, sizeof(*r->calls));
	if (r->calls == NULL) {
		fclose(f);
		rc = -ENOMEM;
		goto unkeep;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char da[40], db[40], txk[160], rxk[160];
		unsigned int suite;
		int got = sscanf(line, "%39s %39s %u %159s %159s", da, db, &suite, txk, rxk);
		struct gen_rtp_call *c;
		uint32_t ipa, ipb;
		uint16_t pa, pb;

		if (got <= 0 || line[0] == '#')
			continue;
		if (n >= g->nclients || got < 3 || parse_dest(da, g->dut_ip, &ipa, &pa) < 0 ||
		    parse_dest(db, g->dut_ip, &ipb, &pb) < 0 ||
		    (suite != 0 && got != 5) || suite >= SRTP_REF_SUITE_COUNT)
			goto fail;
		c = &r->calls[n];
		r->ncalls = ++n;       /* (freed from here on a failure) */
		leg_init(g, &c->leg[0], g->client_base + n - 1, GEN_RTP_PORT_A, ipa, pa);
		leg_init(g, &c->leg[1], g->peer_base + n - 1, GEN_RTP_PORT_B, ipb, pb);
		if (suite != 0) {
			/* (both sessions made once: libsrtp takes the keys;
			 * then closed until used) */
			if (hex_key(txk, suite, &c->leg[0].tx.key) < 0 ||
			    hex_key(rxk, suite, &c->rx.key) < 0)
				goto fail;
			rc = srtp_open(&c->leg[0].tx, SRTP_REF_OUTBOUND);
			if (rc == 0)
				rc = srtp_open(&c->rx, SRTP_REF_INBOUND);
			if (rc < 0)
				goto fail;
			c->trailer = (uint8_t)srtp_ref_trailer(c->leg[0].tx.s, false);
			if (c->trailer > r->trailer)
				r->trailer = c->trailer;
			srtp_close(&c->leg[0].tx);
			srtp_close(&c->rx);
			rc = -EINVAL;
			srtp++;
		} else if (n <= nkept && kept[n - 1].leg[0].tx.key.suite != 0) {
			/* keep=1: the keys this call had (a DTLS handshake's) */
			c->leg[0].tx = kept[n - 1].leg[0].tx;
			c->rx = kept[n - 1].rx;
			c->trailer = kept[n - 1].trailer;
			memset(&kept[n - 1].leg[0].tx, 0, sizeof(kept[n - 1].leg[0].tx));
			memset(&kept[n - 1].rx, 0, sizeof(kept[n - 1].rx));
			if (c->trailer > r->trailer)
				r->trailer = c->trailer;
			srtp++;
		}
	}
	fclose(f);
	for (uint32_t i = 0; i < nkept; i++) {
		srtp_wipe(&kept[i].leg[0].tx);
		srtp_wipe(&kept[i].rx);
	}
	free(kept);
	kept = NULL;
	if (n == 0) {
		rtp_free_calls(r);
		return -ENOENT;
	}
	fprintf(out, "{\"calls\":%u,\"srtp\":%u,\"trailer\":%zu}\n", n, srtp, r->trailer);
	fflush(out);
	return 0;
fail:
	fclose(f);
	fprintf(stderr, "tpgen: rtpcalls: line %u of %s: %s", n + 1, file, line);
	rtp_free_calls(r);
unkeep:
	for (uint32_t i = 0; i < nkept; i++) {
		srtp_wipe(&kept[i].leg[0].tx);
		srtp_wipe(&kept[i].rx);
	}
	free(kept);
	return rc;
}

/* Call ci's side's next packet, the whole frame, into f (room bytes);
 * the frame's length, or 0 (SRTP refused it). */
static uint16_t
build(struct gen_rtp *r, uint8_t *f, size_t room, uint32_t ci, unsigned int side,
      uint64_t now)
{
	struct gen_rtp_leg *l = &r->calls[ci].leg[side];
	uint8_t *rtp = f + 42;
	size_t len = GEN_RTP_LEN;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(f + 34);

	memcpy(f, l->head, sizeof(l->head));
	rtp[0] = 0x80;
	rtp[1] = 0;                   /* PCMU */
	put16(rtp + 2, (uint16_t)l->idx++);
	put32(rtp + 4, l->ts);
	l->ts += GEN_RTP_PAYLOAD;
	put32(rtp + 8, l->ssrc);
	memset(rtp + GEN_RTP_HDR, 0, GEN_RTP_PAYLOAD);
	put32(rtp + GEN_RTP_HDR, GEN_STAMP_MAGIC);
	put32(rtp + GEN_RTP_HDR + 4, ci << 1 | side);
	memcpy(rtp + GEN_RTP_HDR + 8, &now, 8);
	if (l->tx.key.suite != 0) {
		if (srtp_open(&l->tx, SRTP_REF_OUTBOUND) < 0 ||
		    srtp_ref_protect(l->tx.s, rtp, &len, room - 42u) != SRTP_REF_OK)
			return 0;
		put16(f + 14 + 2, (uint16_t)(20 + 8 + len));
		f[14 + 10] = 0;
		f[14 + 11] = 0;
		put16(f + 14 + 10, gen_ip_cksum(f + 14));
		put16(f + 34 + 4, (uint16_t)(8 + len));
	}
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	return (uint16_t)(42 + len);
}

static uint32_t
sel_streams(const struct gen_rtp_sel *sel)
{
	return sel->dir == GEN_RTP_BOTH ? sel->n * 2 : sel->n;
}

/* Stream s of sel: its call and side. */
static void
sel_stream(const struct gen_rtp_sel *sel, uint32_t s, uint32_t *ci, unsigned int *side)
{
	switch (sel->dir) {
	case GEN_RTP_UE:
		*ci = sel->first + s;
		*side = 0;
		break;
	case GEN_RTP_CORE:
		*ci = sel->first + s;
		*side = 1;
		break;
	default:
		*ci = sel->first + (s >> 1);
		*side = s & 1u;
		break;
	}
}

/* The frames of sel's streams queued until want are (those kept from the
 * run before first, when of the same streams; else they are dropped and
 * counted in *dropped), *made counting those made. A stream's frames are
 * made together, in their slots of the queue's round of the streams:
 * libsrtp over NSS protects several times faster on one session's warm
 * state than in turns over hundreds (22 against 8 us a packet for
 * AES-CM over 400 sessions, measured on this host under load). 0,
 * -ENOMEM, -EPROTO (SRTP refused a packet: a key past its use), -EINTR. */
static int
pre_make(struct gen *g, struct gen_rtp *r, const struct gen_rtp_sel *sel, size_t want,
	 uint64_t *dropped, uint64_t *made)
{
	uint32_t nstreams = sel_streams(sel);
	uint64_t now = rte_rdtsc();
	unsigned int polled = 0;
	size_t need;
	int rc;

	if (r->pre_sel.first != sel->first || r->pre_sel.n != sel->n ||
	    r->pre_sel.dir != sel->dir) {
		*dropped += gen_frames_clear(&r->pre);
		r->pre_sel = *sel;
		r->pre_next = 0;
	}
	if (gen_frames_count(&r->pre) >= want)
		return 0;
	rc = gen_frames_reserve(&r->pre, want);
	if (rc < 0)
		return rc;
	rtp_close_sessions(r);
	/* frame k to come is of stream (pre_next + k) mod nstreams */
	need = want - gen_frames_count(&r->pre);
	for (uint32_t s = 0; s < nstreams; s++) {
		uint32_t ci;
		unsigned int side;

		sel_stream(sel, s, &ci, &side);
		for (size_t k = (s + nstreams - r->pre_next) % nstreams; k < need; k += nstreams) {
			uint8_t *f = gen_frames_slot(&r->pre, k);
			struct gen_pre_tag t = { .stream = ci << 1 | side,
						 .idx = r->calls[ci].leg[side].idx };
			uint16_t len = build(r, f, GEN_PRE_TAG, ci, side, now);

			if (len == 0)
				return -EPROTO;
			memcpy(f + GEN_PRE_TAG, &t, sizeof(t));
			gen_frames_set_len(&r->pre, k, len);
			/* ARP asked of us is answered while the frames
			 * are made (seconds of AES-CM) */
			if (++polled % 4096u == 0) {
				if (gen_stop)
					return -EINTR;
				now = rte_rdtsc();
				gen_rx_poll(g, now);
			}
		}
		srtp_close(&r->calls[ci].leg[side].tx);
	}
	gen_frames_commit(&r->pre, need);
	r->pre_next = (uint32_t)((r->pre_next + need) % nstreams);
	*made += need;
	return 0;
}

/* The index of SEQ seq on call c's core side (the relay keeps the core's
 * SEQ and counts its wraps from the first packet it relayed, RFC 3711
 * section 3.3.1, as the leg's index does), from what that side sent last. */
static uint64_t
core_index(const struct gen_rtp_call *c, uint16_t seq)
{
	uint64_t sent = c->leg[1].sent;

	return sent - (uint16_t)((uint16_t)sent - seq);
}

/*
 * Before call c's UE decrypts the packet of index idx (SSRC ssrc): if its
 * session has not seen the stream, or not within half a SEQ's span (one
 * packet checked in many, frames made and never sent), the session is
 * made again from that index (lib/srtp_ref's restart), or RFC 3711's
 * estimate of the ROC would be wrong.
 */
static void
rx_seed(struct gen_rtp_call *c, uint64_t idx, uint32_t ssrc)
{
	if (c->verified != 0 && idx >= c->verified && idx - c->verified < 0x8000u) {
		c->verified = idx + 1;
		return;
	}
	c->verified = idx + 1;
	srtp_close(&c->rx);
	c->rx.saved = idx > 0;
	if (idx > 0)
		c->rx.st = (struct srtp_ref_stream){
			.ssrc = ssrc, .rtp = true,
			.roc = (uint32_t)((idx - 1) >> 16), .seq = (uint16_t)(idx - 1),
		};
}

/* The packets kept for checking decrypted with the keys the relay
 * answered, in the order they came, and counted. */
static void
rtp_check_kept(struct gen_rtp *r)
{
	for (uint32_t i = 0; i < r->nchecks; i++) {
		struct gen_rtp_check *k = &r->checks[i];
		struct gen_rtp_call *c = &r->calls[k->ci];
		enum srtp_ref_err e;
		size_t n = k->len;

		r->srtp_checked++;
		rx_seed(c, k->idx, get32(k->pkt + 8));
		if (srtp_open(&c->rx, SRTP_REF_INBOUND) < 0) {
			r->srtp_failed++;
			r->srtp_why[SRTP_REF_E_COUNT]++;
		} else if ((e = srtp_ref_unprotect(c->rx.s, k->pkt, &n)) != SRTP_REF_OK) {
			r->srtp_failed++;
			r->srtp_why[e]++;
		} else if (n != GEN_RTP_LEN || get32(k->pkt + GEN_RTP_HDR) != GEN_STAMP_MAGIC ||
			   get32(k->pkt + GEN_RTP_HDR + 4) != (k->ci << 1 | 1u)) {
			r->srtp_failed++;
			r->srtp_why[SRTP_REF_E_COUNT + 1]++;
		}
	}
	r->nchecks = 0;
}

void
gen_rtp_input(struct gen *g, uint32_t dst, const uint8_t *p, uint16_t len)
{
	struct gen_rtp *r = g->rtp;
	uint32_t ci;
	unsigned int side;

	if (dst - g->client_base < r->ncalls) {
		ci = dst - g->client_base;
		side = 0;
	} else if (dst - g->peer_base < r->ncalls) {
		ci = dst - g->peer_base;
		side = 1;
	} else {
		g->rx_other++;
		return;
	}
	r->rx_all[side]++;
	if (r->measuring)
		r->rx[side]++;
	/* What a side receives was sent by the other side of the call. */
	if (side == 0 && r->calls[ci].rx.key.suite != 0) {
		struct gen_rtp_call *c = &r->calls[ci];
		struct gen_rtp_check *k;

		if (len != GEN_RTP_LEN + c->trailer) {
			r->rx_bad++;
			return;
		}
		if (r->verify == 0 || ++c->checked < r->verify)
			return;
		c->checked = 0;
		if (r->checks == NULL)
			r->checks = calloc(GEN_RTP_CHECKS, sizeof(*r->checks));
		if (r->checks == NULL || r->nchecks == GEN_RTP_CHECKS) {
			r->checks_skipped++;
			return;
		}
		k = &r->checks[r->nchecks++];
		k->ci = ci;
		k->len = len;
		k->idx = core_index(c, (uint16_t)(p[2] << 8 | p[3]));
		memcpy(k->pkt, p, len);
		return;
	}
	if (len != GEN_RTP_LEN || get32(p + GEN_RTP_HDR) != GEN_STAMP_MAGIC ||
	    get32(p + GEN_RTP_HDR + 4) != (ci << 1 | (side ^ 1u)))
		r->rx_bad++;
}

uint32_t
gen_rtp_ncalls(const struct gen *g)
{
	return g->rtp != NULL ? g->rtp->ncalls : 0;
}

int
gen_rtp_ue_addr(const struct gen *g, uint32_t ci, uint32_t *ue, uint16_t *ue_port,
		uint32_t *relay, uint16_t *relay_port)
{
	const uint8_t *h;

	if (g->rtp == NULL || ci >= g->rtp->ncalls)
		return -ENOENT;
	h = g->rtp->calls[ci].leg[0].head;
	*ue = get32(h + 26);
	*relay = get32(h + 30);
	*ue_port = (uint16_t)(h[34] << 8 | h[35]);
	*relay_port = (uint16_t)(h[36] << 8 | h[37]);
	return 0;
}

int
gen_rtp_set_keys(struct gen *g, uint32_t ci, const struct srtp_ref_key *tx,
		 const struct srtp_ref_key *rx)
{
	struct gen_rtp *r = g->rtp;
	struct gen_rtp_call *c;
	int rc;

	if (r == NULL || ci >= r->ncalls)
		return -ENOENT;
	c = &r->calls[ci];
	srtp_wipe(&c->leg[0].tx);
	srtp_wipe(&c->rx);
	c->leg[0].tx.key = *tx;
	c->rx.key = *rx;
	/* (both sessions made once: libsrtp takes the keys; then closed
	 * until used, as gen_rtp_load()'s) */
	rc = srtp_open(&c->leg[0].tx, SRTP_REF_OUTBOUND);
	if (rc == 0)
		rc = srtp_open(&c->rx, SRTP_REF_INBOUND);
	if (rc < 0) {
		srtp_wipe(&c->leg[0].tx);
		srtp_wipe(&c->rx);
		return rc;
	}
	c->trailer = (uint8_t)srtp_ref_trailer(c->leg[0].tx.s, false);
	if (c->trailer > r->trailer)
		r->trailer = c->trailer;
	c->checked = 0;
	c->verified = 0;
	srtp_close(&c->leg[0].tx);
	srtp_close(&c->rx);
	return 0;
}

static const char *
dir_name(enum gen_rtp_dir d)
{
	return d == GEN_RTP_UE ? "ue" : d == GEN_RTP_CORE ? "core" : "both";
}

int
gen_rtp_run(struct gen *g, const struct gen_rtp_opts *o, FILE *out)
{
	struct gen_rtp *r = g->rtp;
	struct rte_mbuf *pkts[GEN_BURST];
	struct gen_rtp_sel sel;
	uint64_t t0, tw, tend, now, drain_end, offered = 0, tx = 0, tx_all = 0;
	uint64_t refused = 0, protect_failed = 0, late = 0, dry = 0;
	uint64_t pre_dropped = 0, pre_made = 0;
	double pre_s = 0;
	uint32_t s = 0, nstreams;

	if (r == NULL || r->ncalls == 0)
		return -ENOENT;
	if (o->first >= r->ncalls || (o->pre && !(o->rate > 0)))
		return -EINVAL;
	sel.first = o->first;
	sel.n = o->n == 0 || o->n > r->ncalls - o->first ? r->ncalls - o->first : o->n;
	sel.dir = o->dir;
	nstreams = sel_streams(&sel);
	g->pool_dirty = true;
	r->verify = o->verify;
	if (o->pre) {
		/* every frame of the run, and a burst more: the last due
		 * ones are never short by a rounding */
		size_t want = (size_t)(o->rate * (o->warm + o->secs)) + GEN_BURST;
		uint64_t p0 = rte_rdtsc();
		int rc = pre_make(g, r, &sel, want, &pre_dropped, &pre_made);

		if (rc < 0)
			return rc;
		pre_s = (double)(rte_rdtsc() - p0) / (double)g->hz;
		/* (in the log: where the run starts, for a profiler) */
		fprintf(stderr, "tpgen: rtprun: %" PRIu64 " frames made in %.1f s; sending\n",
			pre_made, pre_s);
	} else {
		/* (what they hold is older than what this run protects: the
		 * relay would refuse them as replays) */
		pre_dropped = gen_frames_clear(&r->pre);
	}
	memset(r->rx, 0, sizeof(r->rx));
	memset(r->rx_all, 0, sizeof(r->rx_all));
	r->rx_bad = r->srtp_checked = r->srtp_failed = r->checks_skipped = 0;
	memset(r->srtp_why, 0, sizeof(r->srtp_why));
	g->rx_other = 0;
	r->measuring = false;
	t0 = rte_rdtsc();
	tw = t0 + (uint64_t)(o->warm * (double)g->hz);
	tend = tw + (uint64_t)(o->secs * (double)g->hz);
	now = t0;
	while (now < tend && !gen_stop) {
		uint64_t n = GEN_BURST;
		uint16_t k = 0, sent;

		if (!r->measuring && now >= tw)
			r->measuring = true;
		if (o->rate > 0) {
			uint64_t due = (uint64_t)((double)(now - t0) * o->rate / (double)g->hz);

			n = due > offered ? due - offered : 0;
			if (n > 4u * GEN_BURST)
				late++;       /* the generator is behind its rate */
			if (n > GEN_BURST)
				n = GEN_BURST;
		}
		if (o->pre && n > gen_frames_count(&r->pre)) {
			n = gen_frames_count(&r->pre);
			dry = 1;
		}
		if (n > 0 && rte_pktmbuf_alloc_bulk(g->tx_pool, pkts, (unsigned int)n) == 0) {
			for (unsigned int i = 0; i < n; i++) {
				struct rte_mbuf *m = pkts[i];
				uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
				uint16_t len;

				if (o->pre) {
					const uint8_t *src = gen_frames_front(&r->pre, &len);
					struct gen_pre_tag t;

					memcpy(f, src, len);
					memcpy(&t, src + GEN_PRE_TAG, sizeof(t));
					r->calls[t.stream >> 1].leg[t.stream & 1u].sent = t.idx;
					gen_frames_pop(&r->pre);
				} else {
					uint32_t ci;
					unsigned int side;

					sel_stream(&sel, s, &ci, &side);
					if (++s == nstreams)
						s = 0;
					len = build(r, f, m->buf_len - m->data_off, ci, side, now);
					r->calls[ci].leg[side].sent = r->calls[ci].leg[side].idx - 1;
				}
				if (len == 0) {
					protect_failed++;
					rte_pktmbuf_free(m);
					continue;
				}
				m->data_len = len;
				m->pkt_len = len;
				pkts[k++] = m;
			}
			sent = rte_eth_tx_burst(g->port_id, 0, pkts, k);
			if (sent < k) {
				refused += (uint64_t)(k - sent);
				rte_pktmbuf_free_bulk(pkts + sent, (unsigned int)(k - sent));
			}
			tx_all += sent;
			if (now >= tw)
				tx += sent;
			offered += n;
		}
		gen_rx_poll(g, now);
		now = rte_rdtsc();
	}
	r->measuring = false;
	drain_end = rte_rdtsc() + g->hz / 5;
	while ((now = rte_rdtsc()) < drain_end)
		gen_rx_poll(g, now);
	rtp_check_kept(r);
	fprintf(out, "{\"calls\":%u,\"first\":%u,\"dir\":\"%s\",\"rate\":%.0f,\"secs\":%.3f,"
		"\"warm\":%.3f,\"tx\":%" PRIu64 ",\"tx_all\":%" PRIu64 ",\"rx\":%" PRIu64
		",\"rx_all\":%" PRIu64 ",\"rx_ue\":%" PRIu64 ",\"rx_core\":%" PRIu64
		",\"tx_pps\":%.1f,\"rx_pps\":%.1f,\"tx_refused\":%" PRIu64
		",\"protect_failed\":%" PRIu64 ",\"rx_bad\":%" PRIu64 ",\"rx_other\":%" PRIu64
		",\"srtp_checked\":%" PRIu64 ",\"srtp_failed\":%" PRIu64
		",\"srtp_check_skipped\":%" PRIu64 ",\"gen_late\":%" PRIu64
		",\"pre\":%d,\"pre_made\":%" PRIu64 ",\"pre_s\":%.3f,\"pre_left\":%zu"
		",\"pre_dropped\":%" PRIu64 ",\"pre_ran_dry\":%" PRIu64 ",\"srtp_failed_why\":{",
		sel.n, sel.first, dir_name(sel.dir), o->rate, o->secs, o->warm, tx, tx_all,
		r->rx[0] + r->rx[1], r->rx_all[0] + r->rx_all[1], r->rx[0], r->rx[1],
		(double)tx / o->secs, (double)(r->rx[0] + r->rx[1]) / o->secs, refused,
		protect_failed, r->rx_bad, g->rx_other, r->srtp_checked, r->srtp_failed,
		r->checks_skipped, late,
		o->pre ? 1 : 0, pre_made, pre_s, gen_frames_count(&r->pre), pre_dropped, dry);
	for (unsigned int k = 1, comma = 0; k < SRTP_REF_E_COUNT + 2; k++) {
		if (r->srtp_why[k] == 0)
			continue;
		fprintf(out, "%s\"%s\":%" PRIu64, comma++ ? "," : "",
			k == SRTP_REF_E_COUNT ? "session" : k == SRTP_REF_E_COUNT + 1 ? "not_ours" :
			srtp_ref_err_name((enum srtp_ref_err)k), r->srtp_why[k]);
	}
	fputs("}}\n", out);
	fflush(out);
	return 0;
}
