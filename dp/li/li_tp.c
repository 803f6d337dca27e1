/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp-li, dp's delivery thread for lawful interception (docs/design/li.md
 * §3.4; issue 70 slices 4, 5): a control thread (never on a worker's lcore)
 * that drains every worker's ring of copies, writes each copy as an X3
 * PDU of ETSI TS 103 221-2 (lib/li's header, then the IP packet between
 * the relayed address and the peer: payload format 5 or 6, the IP and UDP
 * headers written here; or a gateway's RTP packet in the clear as it is,
 * format 8, or a piece of a gateway's TCP leg's clear stream (MSRP after
 * TLS), format 13, its leg's addresses as attributes), or, for an X2 event cp sent
 * through the worker (lib/ipc LI_X2), an X2 PDU (payload format 4: cp's
 * event as it came, cp's sequence number and time), and sends it to each of the copy's destinations
 * over one long-lived TCP connection with TLS a destination (our
 * li.x2x3.cert/key; the mediation function's certificate must chain to
 * li.x2x3.ca). Everything is non-blocking and bounded: a connection that
 * is not up, or whose backlog (LI_CONN_OUT) is full, drops the PDU and
 * counts it; a failed one is retried LI_RETRY_MS later. The connections
 * (keepalives, deadlines, TLS, what the MF sends) are li_conn.c's. The
 * workers never wait for it. Nothing here logs a task, a target or a
 * destination.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <rte_lcore.h>

#include "../dp.h"
#include "li_conn.h"
#include "li_dp.h"
#include "li_pdu.h"
#include "li_st.h"
#include "li_tp.h"
#include "tp_log.h"

/* Copies a worker's ring gives at most a pass (the others' wait). */
#define LI_DRAIN_BURST 256u

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
count(struct li_ctx *lc, enum li_ctr c, uint64_t n)
{
	li_count(lc, c, n);
}

/* RFC 1071's sum of n bytes, folded into acc (not complemented). */
static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (; n > 1; p += 2, n -= 2)
		acc += (uint32_t)p[0] << 8 | p[1];
	if (n == 1)
		acc += (uint32_t)p[0] << 8;
	return acc;
}

static uint16_t
fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffffu) + (acc >> 16);
	return (uint16_t)~acc;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * The IP packet of a copy (payload formats 5, 6: TS 103 221-2 table
 * 5.4.1-1) into out: an IPv4 header (RFC 791, TTL 64, its checksum) or
 * an IPv6 one (RFC 8200, hop limit 64), the UDP header (RFC 768) with its
 * checksum, and the payload. Returns its length.
 */
static uint32_t
ip_packet(const struct li_copy *cp, const uint8_t *payload, uint8_t *out)
{
	uint32_t l3 = cp->family == 4 ? 20u : 40u, ulen = 8u + cp->len;
	uint8_t *u = out + l3;
	uint32_t acc;

	if (cp->family == 4) {
		memset(out, 0, 20);
		out[0] = 0x45;
		put16(out + 2, (uint16_t)(20u + ulen));
		out[6] = 0x40;                   /* DF */
		out[8] = 64;
		out[9] = 17;
		memcpy(out + 12, cp->src, 4);
		memcpy(out + 16, cp->dst, 4);
		put16(out + 10, fold(sum16(out, 20, 0)));
		acc = sum16(cp->src, 4, sum16(cp->dst, 4, 0));
	} else {
		memset(out, 0, 40);
		out[0] = 0x60;
		put16(out + 4, (uint16_t)ulen);
		out[6] = 17;
		out[7] = 64;
		memcpy(out + 8, cp->src, 16);
		memcpy(out + 24, cp->dst, 16);
		acc = sum16(cp->src, 16, sum16(cp->dst, 16, 0));
	}
	put16(u, cp->sport);
	put16(u + 2, cp->dport);
	put16(u + 4, (uint16_t)ulen);
	put16(u + 6, 0);
	memcpy(u + 8, payload, cp->len);
	acc += 17u + ulen;
	acc = sum16(u, ulen, acc);
	{
		uint16_t c = fold(acc);

		put16(u + 6, c == 0 ? 0xffffu : c);  /* RFC 768: 0 sent as all ones */
	}
	return l3 + ulen;
}

/* One copy as an X3 PDU to each of its destinations. */
static void
deliver(struct li_ctx *lc, const struct li_copy *cp, uint64_t now)
{
	struct li_pdu p;
	int h;
	uint32_t n;

	memset(&p, 0, sizeof(p));
	p.type = LI_PDU_X3;
	p.format = cp->format == LI_COPY_RTP ? LI_FMT_RTP :
		   cp->format == LI_COPY_MSRP ? LI_FMT_MSRP :
		   cp->family == 4 ? LI_FMT_IPV4 : LI_FMT_IPV6;
	p.dir = cp->dir;
	memcpy(p.xid, cp->xid, 16);
	p.corr = cp->correlation;
	p.has = LI_HAS(LI_ATTR_SEQ) | LI_HAS(LI_ATTR_TIMESTAMP) | LI_HAS(LI_ATTR_SRC_PORT) |
		LI_HAS(LI_ATTR_DST_PORT) | LI_HAS(LI_ATTR_IP_PROTO) |
		(cp->family == 4 ? LI_HAS(LI_ATTR_SRC_IPV4) | LI_HAS(LI_ATTR_DST_IPV4) :
		 LI_HAS(LI_ATTR_SRC_IPV6) | LI_HAS(LI_ATTR_DST_IPV6));
	p.seq = cp->seq;
	p.ts.sec = cp->ts_sec;
	p.ts.nsec = cp->ts_nsec;
	memcpy(p.src_ip, cp->src, 16);
	memcpy(p.dst_ip, cp->dst, 16);
	p.src_port = cp->sport;
	p.dst_port = cp->dport;
	/* (format 13: the bytes of a TCP leg) */
	p.ip_proto = cp->format == LI_COPY_MSRP ? 6 : 17;
	/* formats 8 and 13: the RTP packet, the stream's bytes, as they are,
	 * their leg's addresses in the attributes only */
	p.payload_len = cp->format == LI_COPY_RTP || cp->format == LI_COPY_MSRP ? cp->len :
			(cp->family == 4 ? 28u : 48u) + cp->len;
	h = li_pdu_encode_hdr(&p, lc->pdu, sizeof(lc->pdu));
	if (h < 0 || (size_t)h + p.payload_len > sizeof(lc->pdu)) {
		count(lc, LI_CTR_UNDELIVERED, cp->ndest);
		return;
	}
	if (cp->format == LI_COPY_RTP || cp->format == LI_COPY_MSRP) {
		memcpy(lc->pdu + h, cp + 1, cp->len);
		n = (uint32_t)h + cp->len;
	} else {
		n = (uint32_t)h + ip_packet(cp, (const uint8_t *)(cp + 1), lc->pdu + h);
	}
	li_st_seen(lc, cp->xid, (uint64_t)cp->ts_sec * 1000000u + cp->ts_nsec / 1000u);
	for (unsigned int i = 0; i < cp->ndest && i < IPC_LI_DESTS; i++)
		li_conn_put(lc, &cp->dest[i], lc->pdu, n, now);
	/* the copy's bytes are LI data: not left in the scratch */
	memset(lc->pdu, 0, n);
}

/* One X2 event (cp's, through the worker's ring) as an X2 PDU, payload
 * format 4 (docs/design/li.md §3.2), to each of its destinations. */
static void
deliver_x2(struct li_ctx *lc, const struct li_copy *cp, uint64_t now)
{
	struct li_pdu p;
	int h;
	uint32_t n;

	memset(&p, 0, sizeof(p));
	p.type = LI_PDU_X2;
	p.format = LI_FMT_PROPRIETARY;
	p.dir = cp->dir;
	memcpy(p.xid, cp->xid, 16);
	p.corr = cp->correlation;
	p.has = LI_HAS(LI_ATTR_SEQ) | LI_HAS(LI_ATTR_TIMESTAMP);
	p.seq = cp->seq;
	p.ts.sec = cp->ts_sec;
	p.ts.nsec = cp->ts_nsec;
	p.payload_len = cp->len;
	h = li_pdu_encode_hdr(&p, lc->pdu, sizeof(lc->pdu));
	if (h < 0 || (size_t)h + cp->len > sizeof(lc->pdu)) {
		count(lc, LI_CTR_UNDELIVERED, cp->ndest);
		return;
	}
	memcpy(lc->pdu + h, cp + 1, cp->len);
	n = (uint32_t)h + cp->len;
	li_st_seen(lc, cp->xid, (uint64_t)cp->ts_sec * 1000000u + cp->ts_nsec / 1000u);
	for (unsigned int i = 0; i < cp->ndest && i < IPC_LI_DESTS; i++)
		li_conn_put(lc, &cp->dest[i], lc->pdu, n, now);
	memset(lc->pdu, 0, n);
}

/* Up to LI_DRAIN_BURST copies of r; how many. */
static unsigned int
drain(struct li_ctx *lc, struct li_ring *r, uint64_t now)
{
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	uint32_t tail = r->tail;
	unsigned int k = 0;

	while (tail != head && k < LI_DRAIN_BURST) {
		struct li_copy *cp = (struct li_copy *)(void *)(r->slots +
			(size_t)(tail & (LI_RING_SLOTS - 1)) * LI_SLOT_SIZE);

		if (cp->kind == LI_COPY_X2)
			deliver_x2(lc, cp, now);
		else
			deliver(lc, cp, now);
		memset(cp, 0, sizeof(*cp) + cp->len);
		tail++;
		k++;
	}
	if (k > 0)
		__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	return k;
}

static void *
tp_li_main(void *arg)
{
	struct li_ctx *lc = arg;
	struct dp_ctx *ctx = lc->dp;

	while (!lc->stop) {
		uint64_t now = mono_ms();
		unsigned int work = 0, nfd = 0;
		struct pollfd pf[LI_CONNS_MAX];

		for (unsigned int w = 0; w < ctx->nworkers; w++)
			if (ctx->workers[w] != NULL && ctx->workers[w]->li != NULL)
				work += drain(lc, ctx->workers[w]->li, now);
		nfd = li_conn_poll(lc, now, pf);
		/* the figures for cp, once a second when they moved */
		(void)li_st_tick(lc, now);
		if (work == 0) {
			/* nothing drained: a millisecond's wait, woken by the
			 * connections (the rings are looked at after it) */
			if (nfd > 0)
				(void)poll(pf, nfd, 1);
			else
				(void)usleep(1000);
		}
	}
	return NULL;
}

int
li_tp_check(const char *cert, const char *key, const char *ca)
{
	SSL_CTX *s = li_conn_tls_ctx(cert, key, ca);

	if (s == NULL)
		return -EINVAL;
	SSL_CTX_free(s);
	return 0;
}

int
li_tp_start(struct li_ctx *lc, struct dp_ctx *ctx, const char *cert, const char *key,
	    const char *ca)
{
	int rc;

	lc->dp = ctx;
	for (unsigned int i = 0; i < LI_CONNS_MAX; i++) {
		lc->conns[i].fd = -1;
		lc->conns[i].st_i = -1;
	}
	lc->ssl = li_conn_tls_ctx(cert, key, ca);
	if (lc->ssl == NULL)
		return -EINVAL;
	/* A mediation function that closes while we write must not end
	 * the process: dp has no other use for SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	/* A control thread: the EAL's CPUs minus the workers' lcores. */
	rc = rte_ctrl_thread_create(&lc->thread, "tp-li", NULL, tp_li_main, lc);
	if (rc != 0) {
		tp_log(TP_LOG_ERR, "li: cannot start tp-li: %s\n", strerror(rc < 0 ? -rc : rc));
		SSL_CTX_free(lc->ssl);
		lc->ssl = NULL;
		return rc < 0 ? rc : -rc;
	}
	lc->running = 1;
	return 0;
}

void
li_tp_stop(struct li_ctx *lc)
{
	if (lc->running) {
		lc->stop = 1;
		pthread_join(lc->thread, NULL);
		lc->running = 0;
	}
	li_conn_fini(lc);
	SSL_CTX_free(lc->ssl);
	lc->ssl = NULL;
}
