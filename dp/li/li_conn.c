/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp-li's connections to the mediation functions (li_conn.h;
 * docs/design/li.md §3.3, §3.4, issue 70 slices 4 and 8): one TCP+TLS
 * connection a destination, everything non-blocking and bounded.
 *
 * - Made when a PDU first comes for its destination, and again a second
 *   after a failure while PDUs came for it within the last minute.
 * - TLS (OpenSSL): ours li.x2x3.cert/key; the MF's chain must verify
 *   against li.x2x3.ca and its certificate name the destination's IP
 *   address (X509_VERIFY_PARAM_set1_ip(): subjectAltName iPAddress);
 *   TLS 1.2 with ECDHE and AEAD suites only, or 1.3 (OpenSSL's suites);
 *   no renegotiation.
 * - Keepalives and deadlines are lib/li's (li_ka.h): a keepalive every
 *   li.x2x3.keepalive_s, acknowledged within two; a handshake done, and
 *   queued bytes moving, within li.x2x3.timeout_s. What the MF sends is
 *   read at most LI_KA_IN_MAX bytes a turn and must be the acknowledgement
 *   of our keepalive: anything else closes the connection, counted.
 * - A failure or a fault closes it: what it held is lost (counted
 *   dropped_undelivered), its buffers wiped, retried LI_RETRY_MS later.
 * - An up connection with no PDU for its destination for LI_IDLE_MS is
 *   closed and its entry given back; every entry busy, a new destination
 *   takes a down one's (failed at least once since it was last up, nothing
 *   queued, or connecting past its deadline), else the one up and idle the
 *   longest (LI_TAKE_MS at least, nothing queued): sixteen destinations once
 *   used, or failing and still sent PDUs, no longer lock out a seventeenth
 *   (docs/design/li.md §8 V4). Only a PDU queued on an up connection counts
 *   as use (used_ms): a PDU dropped for a down one keeps its retry going
 *   (pdu_ms), never its entry.
 * - What each destination's PDUs came to, and each task's, goes to cp
 *   (li_st.c): never to a log or counter of dp's.
 * Nothing here logs a destination (docs/design/li.md §2.6).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "li_conn.h"
#include "li_ka.h"
#include "li_pdu.h"
#include "li_st.h"
#include "tp_log.h"

/* TLS 1.2's suites: ECDHE key exchange, AEAD ciphers (§3.4). */
#define LI_TLS12_SUITES "ECDHE+AESGCM:ECDHE+CHACHA20"

/* The out buffer's written bytes [0, off) wiped and dropped (compaction). */
static void
out_compact(struct li_conn *c)
{
	uint32_t left = c->len - c->off;

	if (c->off == 0)
		return;
	memmove(c->out, c->out + c->off, left);
	OPENSSL_cleanse(c->out + left, c->off);
	c->mark -= c->off;
	c->len = left;
	c->off = 0;
}

/* Everything queued dropped, the bytes wiped (S10: LI data not left). */
static void
out_clear(struct li_conn *c)
{
	if (c->out != NULL && c->len > 0)
		OPENSSL_cleanse(c->out, c->len);
	OPENSSL_cleanse(c->in, sizeof(c->in));
	c->off = c->mark = c->len = c->in_len = 0;
	c->queued = 0;
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

/* The PDU type (X2, X3, keepalive) of the PDU at p. */
static uint16_t
pdu_type(const uint8_t *p)
{
	return (uint16_t)(p[2] << 8 | p[3]);
}

/* The figures' name for a failure's counter (li_st.c). */
static uint8_t
fault_of(enum li_ctr why)
{
	switch (why) {
	case LI_CTR_CERT_REFUSED:
		return IPC_LI_FAULT_CERT;
	case LI_CTR_TIMED_OUT:
		return IPC_LI_FAULT_TIMEOUT;
	case LI_CTR_KA_LATE:
		return IPC_LI_FAULT_KA_LATE;
	case LI_CTR_MF_BAD:
		return IPC_LI_FAULT_MF_BAD;
	default:
		return IPC_LI_FAULT_CONNECT;
	}
}

/* The X2/X3 PDUs c held not written whole, each lost to its task and
 * destination's figures (li_st.c). */
static void
out_lost(struct li_ctx *lc, struct li_conn *c)
{
	uint32_t at = c->mark;

	while (c->out != NULL && at < c->len) {
		const uint8_t *p = c->out + at;
		int64_t f = li_pdu_frame_len(p, c->len - at);

		if (f <= 0 || at + (uint64_t)f > c->len)
			break;
		if (pdu_type(p) == LI_PDU_X2 || pdu_type(p) == LI_PDU_X3)
			li_st_lost(lc, c->st_i, pdu_type(p), p + 16, LI_ST_LOST);
		at += (uint32_t)f;
	}
}

/* c failed (why: the counter of the reason): what waited in it is lost
 * (counted), wiped, retried LI_RETRY_MS later. */
static void
conn_fail(struct li_ctx *lc, struct li_conn *c, enum li_ctr why, uint64_t now)
{
	conn_close(c);
	li_count(lc, LI_CTR_UNDELIVERED, c->queued);
	li_count(lc, why, 1);
	out_lost(lc, c);
	li_st_state(lc, c->st_i, IPC_LI_CONN_FAILED, fault_of(why));
	out_clear(c);
	c->st = LI_CONN_DOWN;
	c->retry_ms = now + LI_RETRY_MS;
	if (c->fails < UINT32_MAX)
		c->fails++;
	ERR_clear_error();
}

/* A non-blocking TCP connect to c->dest; the handshake's clock starts. */
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
	li_ka_init(&c->ka, lc->ka_ms, lc->timeout_ms, now);
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		conn_fail(lc, c, LI_CTR_CONN_FAILED, now);
		return;
	}
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		conn_fail(lc, c, LI_CTR_CONN_FAILED, now);
		return;
	}
	c->st = LI_CONN_CONNECTING;
	li_st_state(lc, c->st_i, IPC_LI_CONN_CONNECTING, 0);
}

/* c given back (idle, or taken for another destination): a close_notify
 * when up, closed, its buffers wiped, its entry free. */
static void
conn_release(struct li_ctx *lc, struct li_conn *c)
{
	if (c->st == LI_CONN_UP && c->ssl != NULL)
		(void)SSL_shutdown(c->ssl);
	out_lost(lc, c);
	li_count(lc, LI_CTR_UNDELIVERED, c->queued);
	conn_close(c);
	out_clear(c);
	li_st_state(lc, c->st_i, IPC_LI_CONN_NONE, 0);
	c->st_i = -1;
	c->st = LI_CONN_FREE;
	memset(&c->dest, 0, sizeof(c->dest));
	ERR_clear_error();
}

/* c is down, its entry takeable by another destination (V4, M4): it has
 * failed since it was last up (or took the entry) and holds nothing (a
 * down one never does; a retry's connect may hold what came since), or
 * its connect is past its deadline (it fails at tp-li's next turn). */
static int
conn_down(const struct li_conn *c, uint64_t now)
{
	if (c->st == LI_CONN_FREE || c->st == LI_CONN_UP)
		return 0;
	if (c->st != LI_CONN_DOWN && now >= c->ka.up_by_ms)
		return 1;
	return c->fails > 0 && c->off == c->len;
}

/* The connection to dest, made when there is none (an entry free, one
 * down with no PDU for LI_KEEP_MS, else one down (conn_down()), else the
 * one up and idle the longest, at least LI_TAKE_MS with nothing queued:
 * V4; among the down, the one delivering the longest ago); NULL when every
 * entry is delivering or new. */
static struct li_conn *
conn_get(struct li_ctx *lc, const struct ipc_addr *dest, uint64_t now)
{
	struct li_conn *free_c = NULL, *down = NULL, *idle = NULL;

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
		/* a down one no PDU came for in a minute gives its entry up */
		if (free_c == NULL && c->st == LI_CONN_DOWN && now - c->pdu_ms > LI_KEEP_MS)
			free_c = c;
		if (conn_down(c, now)) {
			if (down == NULL || c->used_ms < down->used_ms)
				down = c;
		} else if (c->st == LI_CONN_UP && c->off == c->len &&
			   now - c->used_ms >= LI_TAKE_MS &&
			   (idle == NULL || c->used_ms < idle->used_ms)) {
			idle = c;
		}
	}
	if (free_c == NULL)
		free_c = down != NULL ? down : idle;
	if (free_c == NULL)
		return NULL;
	if (free_c->st != LI_CONN_FREE)
		conn_release(lc, free_c);
	free_c->dest = *dest;
	free_c->st_i = li_st_dest(lc, dest);
	free_c->st = LI_CONN_DOWN;
	free_c->retry_ms = 0;
	free_c->fails = 0;
	free_c->used_ms = free_c->pdu_ms = now;
	return free_c;
}

/* n bytes of a whole PDU appended to c's out buffer: 0, or -ENOSPC. */
static int
out_put(struct li_conn *c, const uint8_t *pdu, uint32_t n)
{
	if (c->out == NULL)
		c->out = malloc(LI_CONN_OUT);
	if (c->out == NULL || LI_CONN_OUT - (c->len - c->off) < n)
		return -ENOSPC;
	if (LI_CONN_OUT - c->len < n)
		out_compact(c);
	memcpy(c->out + c->len, pdu, n);
	c->len += n;
	return 0;
}

void
li_conn_put(struct li_ctx *lc, const struct ipc_addr *dest, const uint8_t *pdu, uint32_t n,
	    uint64_t now)
{
	struct li_conn *c = conn_get(lc, dest, now);
	uint16_t type = pdu_type(pdu);

	if (c == NULL) {
		li_count(lc, LI_CTR_UNDELIVERED, 1);
		li_st_lost(lc, li_st_dest(lc, dest), type, pdu + 16, LI_ST_DOWN);
		return;
	}
	c->pdu_ms = now;
	if (c->st == LI_CONN_DOWN) {
		if (now < c->retry_ms) {
			li_count(lc, LI_CTR_UNDELIVERED, 1);
			li_st_lost(lc, c->st_i, type, pdu + 16, LI_ST_DOWN);
			return;
		}
		conn_open(lc, c, now);
		if (c->st == LI_CONN_DOWN) {
			li_count(lc, LI_CTR_UNDELIVERED, 1);
			li_st_lost(lc, c->st_i, type, pdu + 16, LI_ST_DOWN);
			return;
		}
	}
	if (out_put(c, pdu, n) < 0) {
		li_count(lc, LI_CTR_UNDELIVERED, 1);
		li_st_lost(lc, c->st_i, type, pdu + 16, LI_ST_FULL);
		return;
	}
	c->queued++;
	/* delivering: only this keeps an entry from a destination in need */
	if (c->st == LI_CONN_UP)
		c->used_ms = now;
}

/* OpenSSL's answer to an operation on c: go on later (0), or failed (-1,
 * counted: mf_cert_refused when the MF's certificate did not verify). */
static int
ssl_wait_or_fail(struct li_ctx *lc, struct li_conn *c, int rc, uint64_t now)
{
	int e = SSL_get_error(c->ssl, rc);

	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	conn_fail(lc, c, c->st == LI_CONN_TLS && SSL_get_verify_result(c->ssl) != X509_V_OK ?
		  LI_CTR_CERT_REFUSED : LI_CTR_CONN_FAILED, now);
	return -1;
}

/* The TCP connect done: c's TLS, its peer to name c->dest's address. */
static int
tls_begin(struct li_ctx *lc, struct li_conn *c, uint64_t now)
{
	c->ssl = SSL_new(lc->ssl);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    X509_VERIFY_PARAM_set1_ip(SSL_get0_param(c->ssl), c->dest.ip,
				      c->dest.family == 4 ? 4 : 16) != 1) {
		conn_fail(lc, c, LI_CTR_CONN_FAILED, now);
		return -1;
	}
	SSL_set_connect_state(c->ssl);
	c->st = LI_CONN_TLS;
	return 0;
}

/* The PDUs written whole since the last look, counted delivered (the
 * keepalives not: they are ours). */
static void
out_written(struct li_ctx *lc, struct li_conn *c)
{
	while (c->mark < c->off) {
		const uint8_t *p = c->out + c->mark;
		int64_t f = li_pdu_frame_len(p, c->len - c->mark);
		uint16_t type;

		if (f <= 0 || c->mark + (uint64_t)f > c->off)
			break;
		type = pdu_type(p);
		if (type == LI_PDU_X2 || type == LI_PDU_X3) {
			li_count(lc, LI_CTR_DELIVERED, 1);
			li_st_delivered(lc, c->st_i, type, p + 16);
			if (c->queued > 0)
				c->queued--;
		}
		c->mark += (uint32_t)f;
	}
	if (c->off == c->len) {
		OPENSSL_cleanse(c->out, c->len);
		c->off = c->mark = c->len = 0;
	}
}

/* What the MF sent: at most LI_KA_IN_MAX bytes a turn (a chatty MF cannot
 * hold tp-li), each PDU through li_ka_input(). 0, or -1 (c failed). */
static int
mf_input(struct li_ctx *lc, struct li_conn *c, uint64_t now)
{
	uint32_t used = 0;
	int rc;

	rc = SSL_read(c->ssl, c->in + c->in_len, (int)(sizeof(c->in) - c->in_len));
	if (rc <= 0)
		return ssl_wait_or_fail(lc, c, rc, now);
	c->in_len += (uint32_t)rc;
	while ((rc = li_ka_input(&c->ka, c->in + used, c->in_len - used, now)) > 0)
		used += (uint32_t)rc;
	if (rc < 0) {
		conn_fail(lc, c, LI_CTR_MF_BAD, now);
		return -1;
	}
	if (used > 0) {
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
	return 0;
}

/* The deadlines and the keepalive due (li_ka_tick()). 0, or -1 (failed). */
static int
conn_timers(struct li_ctx *lc, struct li_conn *c, uint64_t now)
{
	uint8_t ka[LI_PDU_KEEPALIVE_LEN];

	switch (li_ka_tick(&c->ka, now, c->len - c->off)) {
	case LI_KA_HANDSHAKE_LATE:
	case LI_KA_STALLED:
		conn_fail(lc, c, LI_CTR_TIMED_OUT, now);
		return -1;
	case LI_KA_ACK_LATE:
		conn_fail(lc, c, LI_CTR_KA_LATE, now);
		return -1;
	case LI_KA_SEND:
		/* no room: asked again next turn (the stall deadline runs) */
		if (li_pdu_keepalive(ka, sizeof(ka), LI_PDU_KEEPALIVE, c->ka.seq) ==
		    (int)sizeof(ka) && out_put(c, ka, sizeof(ka)) == 0)
			(void)li_ka_sent(&c->ka, now);
		return 0;
	case LI_KA_NONE:
		break;
	}
	return 0;
}

/* Moves c on as far as it goes without waiting. */
static void
conn_step(struct li_ctx *lc, struct li_conn *c, uint64_t now)
{
	int rc;

	if (conn_timers(lc, c, now) < 0)
		return;
	if (c->st == LI_CONN_CONNECTING) {
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		int err = 0;
		socklen_t el = sizeof(err);

		if (poll(&p, 1, 0) <= 0)
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
			conn_fail(lc, c, LI_CTR_CONN_FAILED, now);
			return;
		}
		if (tls_begin(lc, c, now) < 0)
			return;
	}
	if (c->st == LI_CONN_TLS) {
		rc = SSL_do_handshake(c->ssl);
		if (rc != 1) {
			(void)ssl_wait_or_fail(lc, c, rc, now);
			return;
		}
		c->st = LI_CONN_UP;
		c->fails = 0;
		/* idle from now: what it queued while connecting is not use */
		c->used_ms = now;
		li_ka_up(&c->ka, now);
		li_st_state(lc, c->st_i, IPC_LI_CONN_UP, 0);
	}
	if (c->st != LI_CONN_UP)
		return;
	while (c->off < c->len) {
		rc = SSL_write(c->ssl, c->out + c->off, (int)(c->len - c->off));
		if (rc <= 0) {
			if (ssl_wait_or_fail(lc, c, rc, now) < 0)
				return;
			break;
		}
		c->off += (uint32_t)rc;
		li_ka_wrote(&c->ka, now);
		out_written(lc, c);
	}
	(void)mf_input(lc, c, now);
}

unsigned int
li_conn_poll(struct li_ctx *lc, uint64_t now, struct pollfd *pf)
{
	unsigned int nfd = 0;

	for (unsigned int i = 0; i < LI_CONNS_MAX; i++) {
		struct li_conn *c = &lc->conns[i];

		if (c->st == LI_CONN_FREE)
			continue;
		/* an up one no PDU needed for LI_IDLE_MS is given back (V4) */
		if (c->st == LI_CONN_UP && c->off == c->len && now - c->used_ms > LI_IDLE_MS) {
			conn_release(lc, c);
			continue;
		}
		/* a destination still in use is made again at its retry */
		if (c->st == LI_CONN_DOWN) {
			if (now < c->retry_ms || now - c->pdu_ms > LI_KEEP_MS)
				continue;
			conn_open(lc, c, now);
			if (c->st == LI_CONN_DOWN)
				continue;
		}
		conn_step(lc, c, now);
		if (c->fd >= 0 && c->st != LI_CONN_DOWN) {
			pf[nfd].fd = c->fd;
			pf[nfd].events = (short)(POLLIN |
				(c->st == LI_CONN_CONNECTING || c->off < c->len ? POLLOUT : 0));
			pf[nfd].revents = 0;
			nfd++;
		}
	}
	return nfd;
}

struct ssl_ctx_st *
li_conn_tls_ctx(const char *cert, const char *key, const char *ca)
{
	SSL_CTX *s = SSL_CTX_new(TLS_client_method());
	const char *bad = NULL;

	if (s == NULL) {
		tp_log(TP_LOG_ERR, "li: tp-li: no TLS context\n");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(s, TLS1_2_VERSION);
	SSL_CTX_set_options(s, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(s, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_set_cipher_list(s, LI_TLS12_SUITES) != 1) {
		tp_log(TP_LOG_ERR, "li: tp-li: OpenSSL has none of %s\n", LI_TLS12_SUITES);
		ERR_clear_error();
		SSL_CTX_free(s);
		return NULL;
	}
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

void
li_conn_fini(struct li_ctx *lc)
{
	for (unsigned int i = 0; i < LI_CONNS_MAX; i++) {
		struct li_conn *c = &lc->conns[i];

		if (c->st == LI_CONN_UP && c->ssl != NULL)
			(void)SSL_shutdown(c->ssl);
		conn_close(c);
		if (c->out != NULL)
			OPENSSL_cleanse(c->out, LI_CONN_OUT);
		OPENSSL_cleanse(c->in, sizeof(c->in));
		free(c->out);
		c->out = NULL;
		c->len = c->off = c->mark = c->in_len = c->queued = 0;
	}
}
