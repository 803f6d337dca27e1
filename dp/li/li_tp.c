/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp-li, dp's delivery thread for lawful interception (docs/design/li.md
 * §3.4; issue 70 slice 4): a control thread (never on a worker's lcore)
 * that drains every worker's ring of copies, writes each copy as an X3
 * PDU of ETSI TS 103 221-2 (lib/li's header, then the IP packet between
 * the relayed address and the peer: payload format 5 or 6, the IP and UDP
 * headers written here; or a gateway's RTP packet in the clear as it is,
 * format 8, its leg's addresses as attributes) and sends it to each of the copy's destinations
 * over one long-lived TCP connection with TLS a destination (our
 * li.x2x3.cert/key; the mediation function's certificate must chain to
 * li.x2x3.ca). Everything is non-blocking and bounded: a connection that
 * is not up, or whose backlog (LI_CONN_OUT) is full, drops the PDU and
 * counts it; a failed one is retried LI_RETRY_MS later. The workers never
 * wait for it. Nothing here logs a task, a target or a destination.
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
#include "li_dp.h"
#include "li_pdu.h"
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
	__atomic_fetch_add(&lc->ctr[c], n, __ATOMIC_RELAXED);
}

static void
conn_close(struct li_conn *c)
{
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

/* c failed: what waited in it is lost (counted), retried later. */
static void
conn_fail(struct li_ctx *lc, struct li_conn *c, uint64_t now)
{
	conn_close(c);
	count(lc, LI_CTR_UNDELIVERED, c->queued);
	count(lc, LI_CTR_CONN_FAILED, 1);
	c->queued = 0;
	c->len = 0;
	c->st = LI_CONN_DOWN;
	c->retry_ms = now + LI_RETRY_MS;
	ERR_clear_error();
}

/* A non-blocking TCP connect to c->dest. */
static void
conn_open(struct li_ctx *lc, struct li_conn *c, uint64_t now)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (c->dest.family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(c->dest.port);
		memcpy(&s4->sin_addr, c->dest.ip, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(c->dest.port);
		memcpy(&s6->sin6_addr, c->dest.ip, 16);
		sl = sizeof(*s6);
	}
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		conn_fail(lc, c, now);
		return;
	}
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		conn_fail(lc, c, now);
		return;
	}
	c->st = LI_CONN_CONNECTING;
}

/* The connection to dest, made when there is none (an entry free or one
 * that has been idle, down, the longest); NULL when every entry is busy. */
static struct li_conn *
conn_get(struct li_ctx *lc, const struct ipc_addr *dest, uint64_t now)
{
	struct li_conn *free_c = NULL;

	for (unsigned int i = 0; i < LI_CONNS_MAX; i++) {
		struct li_conn *c = &lc->conns[i];

		if (c->st == LI_CONN_FREE) {
			if (free_c == NULL)
				free_c = c;
			continue;
		}
		if (c->dest.family == dest->family && c->dest.port == dest->port &&
		    memcmp(c->dest.ip, dest->ip, dest->family == 4 ? 4 : 16) == 0)
			return c;
		/* a down one unused for a minute gives its entry up */
		if (free_c == NULL && c->st == LI_CONN_DOWN && now - c->used_ms > 60000u)
			free_c = c;
	}
	if (free_c == NULL)
		return NULL;
	conn_close(free_c);
	free_c->dest = *dest;
	free_c->st = LI_CONN_DOWN;
	free_c->retry_ms = 0;
	free_c->len = 0;
	free_c->queued = 0;
	return free_c;
}

/* Queue n bytes of PDU for dest (dropped, counted, when it cannot go). */
static void
conn_put(struct li_ctx *lc, const struct ipc_addr *dest, const uint8_t *pdu, uint32_t n,
	 uint64_t now)
{
	struct li_conn *c = conn_get(lc, dest, now);

	if (c == NULL) {
		count(lc, LI_CTR_UNDELIVERED, 1);
		return;
	}
	c->used_ms = now;
	if (c->st == LI_CONN_DOWN) {
		if (now < c->retry_ms) {
			count(lc, LI_CTR_UNDELIVERED, 1);
			return;
		}
		conn_open(lc, c, now);
		if (c->st == LI_CONN_DOWN) {
			count(lc, LI_CTR_UNDELIVERED, 1);
			return;
		}
	}
	if (c->out == NULL)
		c->out = malloc(LI_CONN_OUT);
	if (c->out == NULL || LI_CONN_OUT - c->len < n) {
		count(lc, LI_CTR_UNDELIVERED, 1);
		return;
	}
	memcpy(c->out + c->len, pdu, n);
	c->len += n;
	c->queued++;
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
	p.ip_proto = 17;
	/* format 8: the RTP packet as it is, its leg's addresses in the
	 * attributes only */
	p.payload_len = cp->format == LI_COPY_RTP ? cp->len :
			(cp->family == 4 ? 28u : 48u) + cp->len;
	h = li_pdu_encode_hdr(&p, lc->pdu, sizeof(lc->pdu));
	if (h < 0 || (size_t)h + p.payload_len > sizeof(lc->pdu)) {
		count(lc, LI_CTR_UNDELIVERED, cp->ndest);
		return;
	}
	if (cp->format == LI_COPY_RTP) {
		memcpy(lc->pdu + h, cp + 1, cp->len);
		n = (uint32_t)h + cp->len;
	} else {
		n = (uint32_t)h + ip_packet(cp, (const uint8_t *)(cp + 1), lc->pdu + h);
	}
	for (unsigned int i = 0; i < cp->ndest && i < IPC_LI_DESTS; i++)
		conn_put(lc, &cp->dest[i], lc->pdu, n, now);
	/* the copy's bytes are LI data: not left in the scratch */
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

		deliver(lc, cp, now);
		memset(cp, 0, sizeof(*cp) + cp->len);
		tail++;
		k++;
	}
	if (k > 0)
		__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	return k;
}

/* OpenSSL's answer to an operation on c: go on later, or fail. */
static void
ssl_wait_or_fail(struct li_ctx *lc, struct li_conn *c, int rc, uint64_t now)
{
	int e = SSL_get_error(c->ssl, rc);

	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		conn_fail(lc, c, now);
}

/* Moves c on as far as it goes without waiting. */
static void
conn_step(struct li_ctx *lc, struct li_conn *c, uint64_t now)
{
	uint8_t junk[512];
	int rc;

	if (c->st == LI_CONN_CONNECTING) {
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		int err = 0;
		socklen_t el = sizeof(err);

		if (poll(&p, 1, 0) <= 0)
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
			conn_fail(lc, c, now);
			return;
		}
		c->ssl = SSL_new(lc->ssl);
		if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
			conn_fail(lc, c, now);
			return;
		}
		SSL_set_connect_state(c->ssl);
		c->st = LI_CONN_TLS;
	}
	if (c->st == LI_CONN_TLS) {
		rc = SSL_do_handshake(c->ssl);
		if (rc != 1) {
			ssl_wait_or_fail(lc, c, rc, now);
			return;
		}
		c->st = LI_CONN_UP;
	}
	if (c->st != LI_CONN_UP)
		return;
	while (c->len > 0) {
		rc = SSL_write(c->ssl, c->out, (int)c->len);
		if (rc <= 0) {
			ssl_wait_or_fail(lc, c, rc, now);
			return;
		}
		memmove(c->out, c->out + rc, c->len - (uint32_t)rc);
		c->len -= (uint32_t)rc;
		if (c->len == 0)
			c->queued = 0;
	}
	/* What the MF sends (keepalive acknowledgements: slice 8) is read
	 * and let go; its close is a failure, retried. */
	rc = SSL_read(c->ssl, junk, sizeof(junk));
	if (rc <= 0)
		ssl_wait_or_fail(lc, c, rc, now);
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
		for (unsigned int i = 0; i < LI_CONNS_MAX; i++) {
			struct li_conn *c = &lc->conns[i];

			if (c->st == LI_CONN_FREE || c->st == LI_CONN_DOWN)
				continue;
			conn_step(lc, c, now);
			if (c->fd >= 0 && c->st != LI_CONN_DOWN) {
				pf[nfd].fd = c->fd;
				pf[nfd].events = (short)(POLLIN |
					(c->st == LI_CONN_CONNECTING || c->len > 0 ? POLLOUT : 0));
				pf[nfd].revents = 0;
				nfd++;
			}
		}
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

/* Our TLS client for the MFs: TLS 1.2 or 1.3, our pair, the MF's chain
 * against ca. NULL after one log line naming the file. */
static SSL_CTX *
tls_client(const char *cert, const char *key, const char *ca)
{
	SSL_CTX *s = SSL_CTX_new(TLS_client_method());
	const char *bad = NULL;

	if (s == NULL) {
		tp_log(TP_LOG_ERR, "li: tp-li: no TLS context\n");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(s, TLS1_2_VERSION);
	SSL_CTX_set_mode(s, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(s, cert) != 1)
		bad = cert;
	else if (SSL_CTX_use_PrivateKey_file(s, key, SSL_FILETYPE_PEM) != 1 ||
		 SSL_CTX_check_private_key(s) != 1)
		bad = key;
	else if (SSL_CTX_load_verify_locations(s, ca, NULL) != 1)
		bad = ca;
	if (bad != NULL) {
		tp_log(TP_LOG_ERR, "li.x2x3: cannot use %s\n", bad);
		ERR_clear_error();
		SSL_CTX_free(s);
		return NULL;
	}
	SSL_CTX_set_verify(s, SSL_VERIFY_PEER, NULL);
	return s;
}

int
li_tp_check(const char *cert, const char *key, const char *ca)
{
	SSL_CTX *s = tls_client(cert, key, ca);

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
	for (unsigned int i = 0; i < LI_CONNS_MAX; i++)
		lc->conns[i].fd = -1;
	lc->ssl = tls_client(cert, key, ca);
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
	for (unsigned int i = 0; i < LI_CONNS_MAX; i++) {
		struct li_conn *c = &lc->conns[i];

		if (c->st == LI_CONN_UP)
			(void)SSL_shutdown(c->ssl);
		conn_close(c);
		if (c->out != NULL)
			explicit_bzero(c->out, LI_CONN_OUT);
		free(c->out);
		c->out = NULL;
	}
	SSL_CTX_free(lc->ssl);
	lc->ssl = NULL;
}
