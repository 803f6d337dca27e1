/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pair's link between the two cps (docs/design/ha.md §2.2, slice 4).
 *
 * Transport: TCP, TLS 1.3 only, authenticated by an external PSK only (RFC
 * 8446 §4.2.11: identity = ha.pair, key = ha.key_file, cipher suite
 * TLS_AES_128_GCM_SHA256, key exchange psk_dhe_ke: OpenSSL offers and
 * accepts no psk_ke unless SSL_OP_ALLOW_NO_DHE_KEX, never set here, so
 * every link has forward secrecy). No certificate exists on either side: a
 * client that does not hold the key cannot finish a handshake, and a
 * dialer whose handshake did not use the PSK (SSL_session_reused()) drops
 * it. Both boxes listen and dial; a second link that comes up while one
 * is up keeps the one dialed by the box whose name sorts first (both ends
 * choose the same), unless the old one has been silent for two heartbeats.
 *
 * Messages inside TLS: a 4-byte big-endian length (of type and body, 1 to
 * HA_LINK_MSG_MAX; before the hello at most HA_LINK_HELLO_MAX), a type,
 * the body:
 *
 *   HELLO  ver 1 | box (len8, bytes) | n | n × (name (len8, bytes), digest 16)
 *   HB     role 1 (| 0x80: vouch asked) | token 8 | sent_ms 8 | echo_ms 8 | hold_ms 4
 *   BATCH  token 8 | seq 8 | records
 *   ACK    seq 8
 *   SWITCH step 1 (ASK, OK, NO, GO) | token 8 | nonce 8 | NO: why (printable, 1-200)
 *
 * Version 2: SWITCH gained its nonce (the ASK's, echoed by OK, NO and GO:
 * docs/design/ha.md §4 S15). Version 3 (HA_HELLO_VERSION): HB's role byte
 * says whether the active box asks for the standby's word (0x80): a
 * standby's echo binds it only then, and it takes the key as it expires
 * otherwise (§3.2, §3.5); a box of version 2 would vouch with every echo
 * and the other not keep the promise. A hello of another version
 * is refused, named, as any other difference: the two boxes of a pair run
 * one version of the link.
 *
 * A heartbeat's echo is the sent_ms of the peer's latest heartbeat heard,
 * hold how long ago: the round trip and the offset of the peer's clock
 * (NTP's arithmetic), and for the role machine the peer's word that it
 * heard us then (ha_role.c); a box that withholds that word
 * (ha_self.no_vouch) echoes 0. A batch of a token below the floor (the
 * highest token the lease vouched for on this box, ha_self.floor: never a
 * heartbeat's or a batch's, which are the peer's word) is dropped,
 * counted.
 *
 * Hostile input, the listener being a new port: the peer's address only
 * (the dialer binds to its ha.listen address), HA_LINK_SLOTS connections
 * at once (one more is closed at once, counted), each with a deadline for
 * its handshake and hello (a slow or silent sender is closed then), a
 * bounded length before anything is buffered (a huge one closes the
 * connection), a bounded read a turn. Each refusal is one log line (at
 * most one a second; the rest counted) naming the address and why.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "ha_link.h"
#include "tp_common.h"
#include "tp_conf.h"
#include "tp_log.h"

#define HA_T_HELLO 1u
#define HA_T_HB    2u
#define HA_T_BATCH 3u
#define HA_T_ACK   4u
#define HA_T_SWITCH 5u
#define HA_SW_WHY_MAX 200u                 /* a SWITCH NO's sentence, bytes */
#define HA_SW_LEN       (1u + 8u + 8u)     /* a SWITCH's step, token, nonce */

#define HA_HELLO_VERSION 3u                /* 2: SWITCH's nonce; 3: HB's vouch bit */
#define HA_HB_VOUCH 0x80u                  /* HB's role byte: the active box asks */
#define HA_HB_LEN       (1u + 1u + 8u + 8u + 8u + 4u)
#define HA_WBUF         (2u * (HA_LINK_MSG_MAX + 4u))
#define HA_READ_BUDGET  (256u * 1024u)     /* bytes read from one connection a turn */
#define HA_ACCEPT_BUDGET 8u
#define HA_DIAL_MIN_MS  100u
#define HA_DIAL_MAX_MS  2000u
#define HA_UNACKED      1024u              /* batches in flight */

enum conn_state {
	C_FREE = 0,
	C_TLS,                        /* the handshake */
	C_HELLO,                      /* ours sent, the peer's awaited */
	C_UP,
};

struct ha_conn {
	enum conn_state state;
	int fd;
	SSL *ssl;
	bool dialed;
	uint64_t deadline_ms;         /* before UP: closed then */
	uint64_t up_ms;
	char who[64];                 /* "IP:PORT" or the test's name */
	char peer_box[64];
	size_t rlen;
	size_t wlen, woff;
	uint8_t *rbuf;                /* HA_LINK_MSG_MAX + 4 */
	uint8_t *wbuf;                /* HA_WBUF */
};

struct ha_link {
	char pair[64];
	uint8_t key[HA_LINK_KEY_MAX];
	size_t key_len;
	char box[64];
	uint32_t lease_ms, heartbeat_ms;
	struct ha_sig sig;
	struct ha_link_hooks hooks;
	SSL_CTX *cli, *srv;
	int lfd;
	bool have_peer;
	struct sockaddr_storage peer, local;
	socklen_t peer_len, local_len;
	char peer_str[64];
	uint64_t next_dial_ms;
	uint32_t dial_backoff_ms;
	struct ha_conn c[HA_LINK_SLOTS];
	int up;                       /* the slot that is the link, or -1 */
	/* the peer, as the link's last messages said */
	enum ha_state peer_role;
	uint64_t peer_token;
	uint64_t last_rx_ms;
	uint64_t last_hb_tx_ms;
	uint64_t peer_sent_ms, peer_sent_rx_ms;    /* the peer's latest heartbeat */
	int64_t clock_off_ms;
	uint32_t rtt_ms;
	uint64_t token_seen;          /* the floor (ha_self.floor): batches below it dropped */
	/* batches sent and not acknowledged: seq and send time, a ring */
	uint64_t next_seq, acked_seq;
	uint64_t unacked_ms[HA_UNACKED];
	uint64_t last_said_ms;        /* the refusals' log lines: one a second */
	unsigned int unsaid;
	char refusal[200];
	struct ha_link_stats st;
};

/* ---- small pieces ------------------------------------------------------ */

static void
addr_str(const struct sockaddr_storage *sa, char *out, size_t size)
{
	char h[INET6_ADDRSTRLEN];

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &a->sin_addr, h, sizeof(h));
		snprintf(out, size, "%s:%u", h, ntohs(a->sin_port));
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &a->sin6_addr, h, sizeof(h));
		snprintf(out, size, "[%s]:%u", h, ntohs(a->sin6_port));
	} else {
		snprintf(out, size, "?");
	}
}

static bool
same_ip(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			      &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/* A refusal: kept for status, said in the log at most once a second. */
static void __attribute__((format(printf, 3, 4)))
refuse(struct ha_link *l, uint64_t now_ms, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->refusal, sizeof(l->refusal), fmt, ap);
	va_end(ap);
	if (l->last_said_ms != 0 && now_ms - l->last_said_ms < 1000) {
		l->unsaid++;
		return;
	}
	if (l->unsaid > 0)
		tp_log(TP_LOG_WARNING, "ha: link: %s (and %u more refusals not said)", l->refusal,
		       l->unsaid);
	else
		tp_log(TP_LOG_WARNING, "ha: link: %s", l->refusal);
	l->unsaid = 0;
	l->last_said_ms = now_ms != 0 ? now_ms : 1;
}

/* ---- TLS with the PSK only -------------------------------------------- */

static SSL_SESSION *
psk_session(SSL *ssl, const struct ha_link *l)
{
	static const unsigned char aes128gcm[] = { 0x13, 0x01 };
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, aes128gcm);
	SSL_SESSION *s;

	if (cipher == NULL || (s = SSL_SESSION_new()) == NULL)
		return NULL;
	if (!SSL_SESSION_set1_master_key(s, l->key, l->key_len) ||
	    !SSL_SESSION_set_cipher(s, cipher) ||
	    !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION)) {
		SSL_SESSION_free(s);
		return NULL;
	}
	return s;
}

static int
use_psk(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *idlen,
	SSL_SESSION **sess)
{
	const struct ha_link *l = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	*sess = NULL;
	if (md != NULL && EVP_MD_get_type(md) != NID_sha256)
		return 1;                 /* our suite's hash only: no PSK */
	*sess = psk_session(ssl, l);
	if (*sess == NULL)
		return 0;
	*id = (const unsigned char *)l->pair;
	*idlen = strlen(l->pair);
	return 1;
}

static int
find_psk(SSL *ssl, const unsigned char *id, size_t idlen, SSL_SESSION **sess)
{
	const struct ha_link *l = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	*sess = NULL;
	if (idlen != strlen(l->pair) || memcmp(id, l->pair, idlen) != 0)
		return 1;                 /* another identity: no PSK, no certificate: refused */
	*sess = psk_session(ssl, l);
	return *sess != NULL;
}

static SSL_CTX *
tls_ctx(struct ha_link *l, bool client)
{
	SSL_CTX *ctx = SSL_CTX_new(client ? TLS_client_method() : TLS_server_method());

	if (ctx == NULL)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") ||
	    !SSL_CTX_set_num_tickets(ctx, 0)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_clear_options(ctx, SSL_OP_ALLOW_NO_DHE_KEX);   /* psk_dhe_ke only */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_app_data(ctx, l);
	if (client) {
		/* no trust store: a certificate handshake fails */
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_psk_use_session_callback(ctx, use_psk);
	} else {
		SSL_CTX_set_psk_find_session_callback(ctx, find_psk);
	}
	return ctx;
}

/* ---- connections --------------------------------------------------------- */

static void
conn_close(struct ha_link *l, unsigned int i)
{
	struct ha_conn *c = &l->c[i];

	if (c->state == C_FREE)
		return;
	if (c->ssl != NULL)
		SSL_free(c->ssl);          /* no close_notify: the peer sees the close */
	if (c->fd >= 0)
		close(c->fd);
	if (l->up == (int)i) {
		l->up = -1;
		l->st.link_down++;
	}
	c->ssl = NULL;
	c->fd = -1;
	c->state = C_FREE;
	c->rlen = c->wlen = c->woff = 0;
}

/* A message into c's send buffer: 0, or -EAGAIN when it does not fit. */
static int
queue(struct ha_conn *c, unsigned int type, const void *a, size_t alen, const void *b,
      size_t blen)
{
	size_t n = 1 + alen + blen;

	if (n > HA_LINK_MSG_MAX)
		return -EMSGSIZE;
	if (c->woff > 0 && c->wlen + 4 + n > HA_WBUF) {
		memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
		c->wlen -= c->woff;
		c->woff = 0;
	}
	if (c->wlen + 4 + n > HA_WBUF)
		return -EAGAIN;
	tp_wr32(c->wbuf + c->wlen, (uint32_t)n);
	c->wbuf[c->wlen + 4] = (uint8_t)type;
	if (alen > 0)
		memcpy(c->wbuf + c->wlen + 5, a, alen);
	if (blen > 0)
		memcpy(c->wbuf + c->wlen + 5 + alen, b, blen);
	c->wlen += 4 + n;
	return 0;
}

static int
send_hello(struct ha_link *l, struct ha_conn *c)
{
	uint8_t b[HA_LINK_HELLO_MAX];
	size_t n = 0, bl = strlen(l->box);

	b[n++] = HA_HELLO_VERSION;
	b[n++] = (uint8_t)bl;
	memcpy(b + n, l->box, bl);
	n += bl;
	b[n++] = (uint8_t)l->sig.n;
	for (unsigned int i = 0; i < l->sig.n; i++) {
		size_t nl = strlen(l->sig.item[i].name);

		b[n++] = (uint8_t)nl;
		memcpy(b + n, l->sig.item[i].name, nl);
		n += nl;
		memcpy(b + n, l->sig.item[i].digest, HA_SIG_DIGEST);
		n += HA_SIG_DIGEST;
	}
	return queue(c, HA_T_HELLO, b, n, NULL, 0);
}

static void
send_hb(struct ha_link *l, struct ha_conn *c, const struct ha_self *me, uint64_t now_ms)
{
	uint8_t b[HA_HB_LEN - 1];
	uint64_t echo = me->no_vouch ? 0 : l->peer_sent_ms;
	uint64_t hold = echo != 0 ? now_ms - l->peer_sent_rx_ms : 0;

	b[0] = (uint8_t)((unsigned int)me->role | (me->ask_vouch ? HA_HB_VOUCH : 0u));
	tp_wr64(b + 1, me->token);
	tp_wr64(b + 9, now_ms);
	tp_wr64(b + 17, echo);
	tp_wr32(b + 25, hold > UINT32_MAX ? UINT32_MAX : (uint32_t)hold);
	if (queue(c, HA_T_HB, b, sizeof(b), NULL, 0) < 0)
		l->st.tx_full++;
	l->last_hb_tx_ms = now_ms;
}

/* Write what is queued: 0, or -1 when the connection failed. */
static int
flush(struct ha_conn *c)
{
	while (c->woff < c->wlen) {
		int n = SSL_write(c->ssl, c->wbuf + c->woff, (int)(c->wlen - c->woff));

		if (n <= 0) {
			int e = SSL_get_error(c->ssl, n);

			ERR_clear_error();
			return e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ ? 0 : -1;
		}
		c->woff += (size_t)n;
	}
	c->woff = c->wlen = 0;
	return 0;
}

/* The peer's hello: the same signature as ours, or refused naming the
 * first setting that differs. 0 or -1 (closed by the caller). */
static int
read_hello(struct ha_link *l, struct ha_conn *c, const uint8_t *p, size_t n, uint64_t now_ms)
{
	size_t o = 0, bl;
	unsigned int k;

	if (n < 3 || p[0] != HA_HELLO_VERSION) {
		refuse(l, now_ms, "%s: a hello of version %u (this box speaks %u): refused",
		       c->who, n > 0 ? p[0] : 0, HA_HELLO_VERSION);
		return -1;
	}
	bl = p[1];
	o = 2;
	if (bl == 0 || bl >= sizeof(c->peer_box) || o + bl + 1 > n)
		goto bad;
	memcpy(c->peer_box, p + o, bl);
	c->peer_box[bl] = '\0';
	for (size_t i = 0; i < bl; i++)
		if (c->peer_box[i] <= ' ' || c->peer_box[i] > '~')
			goto bad;
	o += bl;
	if (strcmp(c->peer_box, l->box) == 0) {
		refuse(l, now_ms, "%s calls itself %s, as this box does: refused (cluster.box "
		       "must differ)", c->who, l->box);
		return -1;
	}
	k = p[o++];
	if (k > HA_SIG_MAX)
		goto bad;
	{
		struct ha_sig theirs = { .n = k };

		for (unsigned int i = 0; i < k; i++) {
			size_t nl;

			if (o >= n || (nl = p[o]) == 0 || nl > HA_SIG_NAME_MAX ||
			    o + 1 + nl + HA_SIG_DIGEST > n)
				goto bad;
			memcpy(theirs.item[i].name, p + o + 1, nl);
			theirs.item[i].name[nl] = '\0';
			memcpy(theirs.item[i].digest, p + o + 1 + nl, HA_SIG_DIGEST);
			o += 1 + nl + HA_SIG_DIGEST;
		}
		if (o != n)
			goto bad;
		for (unsigned int i = 0; i < l->sig.n; i++) {
			unsigned int j;

			for (j = 0; j < k; j++)
				if (strcmp(theirs.item[j].name, l->sig.item[i].name) == 0)
					break;
			if (j == k || memcmp(theirs.item[j].digest, l->sig.item[i].digest,
					     HA_SIG_DIGEST) != 0) {
				refuse(l, now_ms, "%s (box %s) differs in %s%s: not paired (the "
				       "pair's boxes must agree on it)", c->who, c->peer_box,
				       l->sig.item[i].name, j == k ? " (it has none)" : "");
				return -1;
			}
		}
		if (k != l->sig.n) {
			refuse(l, now_ms, "%s (box %s) signs %u settings, this box %u: not paired "
			       "(another version?)", c->who, c->peer_box, k, l->sig.n);
			return -1;
		}
	}
	return 0;
bad:
	refuse(l, now_ms, "%s: a hello that does not parse: refused", c->who);
	return -1;
}

/* c passed the hello: it is the link, unless one is up that stays. */
static int
link_up(struct ha_link *l, unsigned int i, uint64_t now_ms)
{
	struct ha_conn *c = &l->c[i];

	if (l->up >= 0 && l->up != (int)i) {
		struct ha_conn *o = &l->c[l->up];
		const char *dialer_old = o->dialed ? l->box : o->peer_box;
		const char *dialer_new = c->dialed ? l->box : c->peer_box;
		bool old_alive = now_ms - l->last_rx_ms < 2u * l->heartbeat_ms;

		if (old_alive && strcmp(dialer_old, dialer_new) <= 0)
			return -1;            /* the new one goes (no refusal: a race) */
		conn_close(l, (unsigned int)l->up);
	}
	c->state = C_UP;
	c->up_ms = now_ms;
	l->up = (int)i;
	l->last_rx_ms = now_ms;
	l->peer_sent_ms = 0;
	l->acked_seq = l->next_seq - 1;   /* what the old link carried: slice 5 walks again */
	l->st.link_up++;
	l->dial_backoff_ms = HA_DIAL_MIN_MS;
	tp_log(TP_LOG_NOTICE, "ha: link up with %s (box %s, %s)", c->who, c->peer_box,
	       c->dialed ? "dialed" : "accepted");
	return 0;
}

static void
read_hb(struct ha_link *l, const uint8_t *p, uint64_t now_ms)
{
	struct ha_peer_hb hb;
	uint64_t sent = tp_rd64(p + 9), echo = tp_rd64(p + 17);
	uint32_t hold = tp_rd32(p + 25);

	unsigned int role = p[0] & ~HA_HB_VOUCH;

	hb.role = role <= HA_FENCED ? (enum ha_state)role : HA_STARTING;
	hb.vouch_asked = (p[0] & HA_HB_VOUCH) != 0;
	hb.token = tp_rd64(p + 1);
	hb.echo_ms = echo;
	l->peer_role = hb.role;
	l->peer_token = hb.token;
	/* (its token is the peer's word, not the lease's: it raises no
	 * floor here, ha_self.floor does) */
	l->peer_sent_ms = sent;
	l->peer_sent_rx_ms = now_ms;
	if (echo != 0 && echo <= now_ms && now_ms - echo >= hold) {
		uint64_t rtt = now_ms - echo - hold;

		l->rtt_ms = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt;
		l->clock_off_ms = (int64_t)(sent + rtt / 2) - (int64_t)now_ms;
	}
	if (l->hooks.heard != NULL)
		l->hooks.heard(l->hooks.arg, &hb, now_ms);
}

static void
read_ack(struct ha_link *l, uint64_t seq)
{
	if (seq > l->acked_seq && seq < l->next_seq)
		l->acked_seq = seq;
}

/* One message of c: 0, or -1 to close c. */
static int
message(struct ha_link *l, unsigned int i, unsigned int type, const uint8_t *p, size_t n,
	uint64_t now_ms, uint64_t *ack)
{
	struct ha_conn *c = &l->c[i];

	if (c->state == C_HELLO) {
		if (type != HA_T_HELLO) {
			refuse(l, now_ms, "%s: a message of type %u before its hello: refused",
			       c->who, type);
			return -1;
		}
		if (read_hello(l, c, p, n, now_ms) < 0) {
			/* our hello (queued at the handshake) goes out before the
			 * close, so the peer names the difference too */
			(void)flush(c);
			l->st.link_refused++;
			return -1;
		}
		return link_up(l, i, now_ms) < 0 ? -1 : 0;
	}
	l->last_rx_ms = now_ms;
	switch (type) {
	case HA_T_HB:
		if (n != HA_HB_LEN - 1)
			break;
		read_hb(l, p, now_ms);
		return 0;
	case HA_T_BATCH: {
		uint64_t token, seq;

		if (n < 16)
			break;
		token = tp_rd64(p);
		seq = tp_rd64(p + 8);
		if (token < l->token_seen) {
			l->st.batch_stale++;
			return 0;
		}
		/* (a batch's token raises no floor either: unverified) */
		if (l->hooks.batch != NULL &&
		    l->hooks.batch(l->hooks.arg, token, seq, p + 16, n - 16) < 0) {
			/* not acknowledged (nor anything else this read took):
			 * the link goes, and the active box sends everything
			 * again on the next */
			l->st.batch_refused++;
			refuse(l, now_ms, "%s (box %s): batch %" PRIu64 " refused (a record "
			       "malformed or forbidden): link closed", c->who, c->peer_box, seq);
			return -1;
		}
		if (seq > *ack)
			*ack = seq;       /* acknowledged once the read is done */
		return 0;
	}
	case HA_T_ACK:
		if (n != 8)
			break;
		read_ack(l, tp_rd64(p));
		return 0;
	case HA_T_SWITCH: {
		char why[HA_SW_WHY_MAX + 1];
		size_t wl = n > HA_SW_LEN ? n - HA_SW_LEN : 0;

		/* a planned switchover's exchange (ha_switch.c): step, token,
		 * the ASK's nonce (never 0: ha_switch.c matches it), a NO's why
		 * in printable ASCII (it is logged and shown) */
		if (n < HA_SW_LEN || p[0] < HA_SWMSG_ASK || p[0] > HA_SWMSG_GO ||
		    tp_rd64(p + 9) == 0 || (p[0] == HA_SWMSG_NO) != (wl > 0) ||
		    wl > HA_SW_WHY_MAX)
			break;
		for (size_t k = 0; k < wl; k++)
			if (p[HA_SW_LEN + k] < ' ' || p[HA_SW_LEN + k] > '~')
				goto bad;
		memcpy(why, p + HA_SW_LEN, wl);
		why[wl] = '\0';
		if (l->hooks.sw != NULL)
			l->hooks.sw(l->hooks.arg, p[0], tp_rd64(p + 1), tp_rd64(p + 9), why, now_ms);
		return 0;
	}
	default:
		break;
	}
bad:
	l->st.msg_bad++;
	refuse(l, now_ms, "%s (box %s): a message of type %u and %zu bytes that does not "
	       "parse: link closed", c->who, c->peer_box, type, n);
	return -1;
}

/* Whether a non-blocking socket has no byte to read now (not an end of file
 * nor an error, which a read must see). */
static bool
peek_empty(int fd)
{
	char b;
	ssize_t r = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* What c has to read, up to HA_READ_BUDGET: 0, or -1 to close c. */
static int
drain(struct ha_link *l, unsigned int i, uint64_t now_ms)
{
	struct ha_conn *c = &l->c[i];
	size_t budget = HA_READ_BUDGET;
	uint64_t ack = 0;

	while (budget > 0 && c->state != C_FREE) {
		size_t room = HA_LINK_MSG_MAX + 4 - c->rlen, o = 0;
		int n;

		/* Most loop passes find nothing to read: a peek at the socket says so
		 * for a syscall, where an SSL_read that fails with WANT_READ and the
		 * error queue's clearing cost the active box ~3,400 instructions a
		 * pass (perf/RESULTS.md T46). A record OpenSSL already holds, an end
		 * of file or an error go to SSL_read, which reports them. */
		if (!SSL_has_pending(c->ssl) && peek_empty(c->fd))
			break;
		n = SSL_read(c->ssl, c->rbuf + c->rlen, (int)room);

		if (n <= 0) {
			int e = SSL_get_error(c->ssl, n);

			ERR_clear_error();
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				break;
			if (c->state == C_UP) {
				tp_log(TP_LOG_WARNING, "ha: link with %s (box %s) closed by the peer "
				       "or the network", c->who, c->peer_box);
			} else {
				l->st.link_refused++;
				refuse(l, now_ms, "%s closed the connection before its hello (it "
				       "refused this box's: its log says why)", c->who);
			}
			return -1;
		}
		budget -= (size_t)n > budget ? budget : (size_t)n;
		c->rlen += (size_t)n;
		while (c->rlen - o >= 4) {
			uint32_t len = tp_rd32(c->rbuf + o);
			uint32_t max = c->state == C_UP ? HA_LINK_MSG_MAX : HA_LINK_HELLO_MAX;

			if (len == 0 || len > max) {
				l->st.msg_bad++;
				if (c->state != C_UP)
					l->st.link_refused++;
				refuse(l, now_ms, "%s: a message of %" PRIu32 " bytes (at most %"
				       PRIu32 " %s): closed", c->who, len, max,
				       c->state == C_UP ? "on the link" : "before the hello");
				return -1;
			}
			if (c->rlen - o < 4 + (size_t)len)
				break;
			if (message(l, i, c->rbuf[o + 4], c->rbuf + o + 5, len - 1, now_ms,
				    &ack) < 0)
				return -1;
			o += 4 + (size_t)len;
		}
		if (o > 0) {
			memmove(c->rbuf, c->rbuf + o, c->rlen - o);
			c->rlen -= o;
		}
	}
	if (ack > 0 && c->state == C_UP) {
		uint8_t b[8];

		/* the highest batch taken: the sender's lag ends there */
		tp_wr64(b, ack);
		if (queue(c, HA_T_ACK, b, sizeof(b), NULL, 0) < 0)
			l->st.tx_full++;
	}
	return 0;
}

static int
slot_open(struct ha_link *l, int fd, bool dialed, const char *who, uint64_t now_ms)
{
	unsigned int i;
	struct ha_conn *c;

	for (i = 0; i < HA_LINK_SLOTS && l->c[i].state != C_FREE; i++)
		;
	if (i == HA_LINK_SLOTS)
		return -EBUSY;
	c = &l->c[i];
	c->ssl = SSL_new(dialed ? l->cli : l->srv);
	if (c->ssl == NULL || !SSL_set_fd(c->ssl, fd)) {
		if (c->ssl != NULL)
			SSL_free(c->ssl);
		c->ssl = NULL;
		return -ENOMEM;
	}
	if (dialed)
		SSL_set_connect_state(c->ssl);
	else
		SSL_set_accept_state(c->ssl);
	c->fd = fd;
	c->dialed = dialed;
	c->state = C_TLS;
	c->rlen = c->wlen = c->woff = 0;
	c->peer_box[0] = '\0';
	/* a handshake and a hello take a round trip or two: a lease (at
	 * least a second) is generous, and bounds a slow or silent one */
	c->deadline_ms = now_ms + (l->lease_ms > 1000 ? l->lease_ms : 1000);
	snprintf(c->who, sizeof(c->who), "%s", who);
	return 0;
}

int
ha_link_adopt(struct ha_link *l, int fd, bool dialed, const char *who, uint64_t now_ms)
{
	int rc;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	rc = slot_open(l, fd, dialed, who, now_ms);
	if (rc < 0)
		close(fd);
	return rc;
}

/* The handshake's next step: 0 on, -1 to close. */
static int
handshake(struct ha_link *l, unsigned int i, uint64_t now_ms)
{
	struct ha_conn *c = &l->c[i];
	int n = SSL_do_handshake(c->ssl);
	unsigned long e;
	char why[160];

	if (n == 1) {
		if (SSL_version(c->ssl) != TLS1_3_VERSION || !SSL_session_reused(c->ssl)) {
			l->st.link_refused++;
			refuse(l, now_ms, "%s: a handshake without the pair's key: refused", c->who);
			return -1;
		}
		c->state = C_HELLO;
		if (send_hello(l, c) < 0)
			return -1;
		return 0;
	}
	n = SSL_get_error(c->ssl, n);
	if (n == SSL_ERROR_WANT_READ || n == SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return 0;
	}
	e = ERR_peek_last_error();
	ERR_error_string_n(e, why, sizeof(why));
	ERR_clear_error();
	if (c->dialed && e == 0) {
		/* the peer not there (refused, reset): no refusal, dialed again */
		tp_log(TP_LOG_DEBUG, "ha: link: dialing %s: %s", c->who, strerror(errno));
		return -1;
	}
	l->st.link_refused++;
	refuse(l, now_ms, "%s: TLS handshake failed (%s): refused (a wrong ha.key_file or "
	       "ha.pair on one box, or not a pair's cp)", c->who,
	       e != 0 ? why : n == SSL_ERROR_SYSCALL ? "connection closed" : "no reason given");
	return -1;
}

static void
serve_conn(struct ha_link *l, unsigned int i, const struct ha_self *me, uint64_t now_ms,
	   unsigned int *work)
{
	struct ha_conn *c = &l->c[i];

	if (c->state != C_UP && now_ms >= c->deadline_ms) {
		l->st.link_refused++;
		refuse(l, now_ms, "%s: no %s within %" PRIu64 " ms: closed", c->who,
		       c->state == C_TLS ? "handshake" : "hello",
		       (uint64_t)(l->lease_ms > 1000 ? l->lease_ms : 1000));
		conn_close(l, i);
		return;
	}
	if (c->state == C_TLS && handshake(l, i, now_ms) < 0)
		goto closed;
	if (c->state == C_TLS)
		goto out;
	if (drain(l, i, now_ms) < 0)
		goto closed;
	if (c->state == C_UP) {
		if (now_ms - l->last_rx_ms >= l->lease_ms) {
			l->st.hb_lost++;
			tp_log(TP_LOG_WARNING, "ha: link with %s (box %s): nothing heard for %u ms "
			       "(ha.lease_ms): closed", c->who, c->peer_box, l->lease_ms);
			goto closed;
		}
		if (me != NULL && now_ms - l->last_hb_tx_ms >= l->heartbeat_ms)
			send_hb(l, c, me, now_ms);
		if (me != NULL && me->floor > l->token_seen)
			l->token_seen = me->floor;
	}
out:
	if (c->state != C_FREE && c->state != C_TLS && flush(c) < 0)
		goto closed;
	(*work)++;
	return;
closed:
	conn_close(l, i);
	(*work)++;
}

static void
serve_accept(struct ha_link *l, uint64_t now_ms)
{
	for (unsigned int k = 0; k < HA_ACCEPT_BUDGET; k++) {
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		char who[64];
		int fd = accept4(l->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		addr_str(&sa, who, sizeof(who));
		if (l->have_peer && !same_ip(&sa, &l->peer)) {
			close(fd);
			l->st.link_refused++;
			refuse(l, now_ms, "a connection from %s, not the peer's address (ha.peer "
			       "%s): closed", who, l->peer_str);
			continue;
		}
		if (slot_open(l, fd, false, who, now_ms) < 0) {
			close(fd);
			l->st.link_busy++;
			refuse(l, now_ms, "a connection from %s while %u are in handshake: closed",
			       who, HA_LINK_SLOTS);
		}
	}
}

static void
serve_dial(struct ha_link *l, uint64_t now_ms)
{
	int fd, one = 1;

	if (!l->have_peer || l->up >= 0 || now_ms < l->next_dial_ms)
		return;
	for (unsigned int i = 0; i < HA_LINK_SLOTS; i++)
		if (l->c[i].state != C_FREE && l->c[i].dialed)
			return;
	l->next_dial_ms = now_ms + l->dial_backoff_ms;
	l->dial_backoff_ms = l->dial_backoff_ms * 2 > HA_DIAL_MAX_MS ? HA_DIAL_MAX_MS :
			     l->dial_backoff_ms * 2;
	fd = socket(l->peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* from the address the peer expects (its listener checks it) */
	if (l->local_len > 0) {
		struct sockaddr_storage src = l->local;

		if (src.ss_family == AF_INET)
			((struct sockaddr_in *)&src)->sin_port = 0;
		else
			((struct sockaddr_in6 *)&src)->sin6_port = 0;
		(void)bind(fd, (struct sockaddr *)&src, l->local_len);
	}
	if (connect(fd, (struct sockaddr *)&l->peer, l->peer_len) < 0 && errno != EINPROGRESS) {
		close(fd);
		return;
	}
	if (slot_open(l, fd, true, l->peer_str, now_ms) < 0)
		close(fd);
}

unsigned int
ha_link_serve(struct ha_link *l, const struct ha_self *me, uint64_t now_ms)
{
	unsigned int work = 0;

	if (l->lfd >= 0)
		serve_accept(l, now_ms);
	serve_dial(l, now_ms);
	for (unsigned int i = 0; i < HA_LINK_SLOTS; i++)
		if (l->c[i].state != C_FREE)
			serve_conn(l, i, me, now_ms, &work);
	return work;
}

bool
ha_link_up(const struct ha_link *l)
{
	return l->up >= 0;
}

int
ha_link_send_batch(struct ha_link *l, uint64_t token, const void *p, size_t n, uint64_t now_ms)
{
	uint8_t h[16];
	struct ha_conn *c;
	int rc;

	if (l->up < 0)
		return -ENOTCONN;
	if (16 + n + 1 > HA_LINK_MSG_MAX)
		return -EMSGSIZE;
	if (l->next_seq - 1 - l->acked_seq >= HA_UNACKED)
		return -EAGAIN;
	c = &l->c[l->up];
	tp_wr64(h, token);
	tp_wr64(h + 8, l->next_seq);
	rc = queue(c, HA_T_BATCH, h, sizeof(h), p, n);
	if (rc < 0)
		return rc;
	l->unacked_ms[l->next_seq % HA_UNACKED] = now_ms;
	l->next_seq++;
	return 0;
}

int
ha_link_send_switch(struct ha_link *l, unsigned int step, uint64_t token, uint64_t nonce,
		    const char *why)
{
	uint8_t b[HA_SW_LEN + HA_SW_WHY_MAX];
	size_t wl = 0;

	if (l->up < 0)
		return -ENOTCONN;
	if (step < HA_SWMSG_ASK || step > HA_SWMSG_GO || nonce == 0)
		return -EINVAL;
	b[0] = (uint8_t)step;
	tp_wr64(b + 1, token);
	tp_wr64(b + 9, nonce);
	if (step == HA_SWMSG_NO) {
		/* what the peer takes: printable, 1 to HA_SW_WHY_MAX bytes */
		for (const char *c = why != NULL ? why : ""; *c != '\0' && wl < HA_SW_WHY_MAX; c++)
			b[HA_SW_LEN + wl++] = *c >= ' ' && *c <= '~' ? (uint8_t)*c : '?';
		if (wl == 0)
			b[HA_SW_LEN + wl++] = '?';
	}
	return queue(&l->c[l->up], HA_T_SWITCH, b, HA_SW_LEN + wl, NULL, 0);
}

void
ha_link_hb_soon(struct ha_link *l)
{
	l->last_hb_tx_ms = 0;
}

bool
ha_link_acked(const struct ha_link *l)
{
	return l->acked_seq + 1 >= l->next_seq;
}

void
ha_link_view(const struct ha_link *l, uint64_t now_ms, struct ha_link_view *v)
{
	memset(v, 0, sizeof(*v));
	v->up = l->up >= 0;
	if (v->up) {
		const struct ha_conn *c = &l->c[l->up];

		snprintf(v->peer_box, sizeof(v->peer_box), "%s", c->peer_box);
		snprintf(v->peer_addr, sizeof(v->peer_addr), "%s", c->who);
		v->heard_ms_ago = now_ms - l->last_rx_ms;
	}
	v->peer_role = l->peer_role;
	v->peer_token = l->peer_token;
	v->clock_off_ms = l->clock_off_ms;
	v->rtt_ms = l->rtt_ms;
	if (l->acked_seq + 1 < l->next_seq)
		v->lag_ms = now_ms - l->unacked_ms[(l->acked_seq + 1) % HA_UNACKED];
	snprintf(v->refusal, sizeof(v->refusal), "%s", l->refusal);
}

const struct ha_link_stats *
ha_link_stats(const struct ha_link *l)
{
	return &l->st;
}

void
ha_link_free(struct ha_link *l)
{
	if (l == NULL)
		return;
	for (unsigned int i = 0; i < HA_LINK_SLOTS; i++) {
		conn_close(l, i);
		free(l->c[i].rbuf);
		free(l->c[i].wbuf);
	}
	if (l->lfd >= 0)
		close(l->lfd);
	SSL_CTX_free(l->cli);
	SSL_CTX_free(l->srv);
	OPENSSL_cleanse(l->key, sizeof(l->key));
	free(l);
}

static int
open_listener(struct ha_link *l, const char *listen_on, char *err, size_t errlen)
{
	int one = 1, e;

	if (tp_conf_hostport_parse(listen_on, &l->local, &l->local_len) == 0) {
		snprintf(err, errlen, "ha.listen '%s' is not IP:PORT", listen_on);
		return -EINVAL;
	}
	l->lfd = socket(l->local.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->lfd < 0)
		goto fail;
	setsockopt(l->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l->lfd, (struct sockaddr *)&l->local, l->local_len) < 0 ||
	    listen(l->lfd, (int)HA_LINK_SLOTS) < 0)
		goto fail;
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "ha.listen %s: %s", listen_on, strerror(e));
	return -e;
}

struct ha_link *
ha_link_create(const struct ha_link_conf *conf, const struct ha_link_hooks *hooks, char *err,
	       size_t errlen)
{
	struct ha_link *l;
	int rc = -EINVAL;

	if (conf->key_len < HA_LINK_KEY_MIN || conf->key_len > HA_LINK_KEY_MAX ||
	    conf->pair == NULL || strlen(conf->pair) >= sizeof(l->pair) || conf->box == NULL ||
	    strlen(conf->box) == 0 || strlen(conf->box) >= sizeof(l->box) ||
	    conf->heartbeat_ms == 0 || conf->lease_ms <= conf->heartbeat_ms ||
	    (conf->sig != NULL && conf->sig->n > HA_SIG_MAX)) {
		snprintf(err, errlen, "ha: the link's settings are out of range");
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		goto out_nomem;
	l->lfd = -1;
	l->up = -1;
	for (unsigned int i = 0; i < HA_LINK_SLOTS; i++) {
		l->c[i].fd = -1;
		l->c[i].rbuf = malloc(HA_LINK_MSG_MAX + 4);
		l->c[i].wbuf = malloc(HA_WBUF);
		if (l->c[i].rbuf == NULL || l->c[i].wbuf == NULL)
			goto out_free;
	}
	snprintf(l->pair, sizeof(l->pair), "%s", conf->pair);
	memcpy(l->key, conf->key, conf->key_len);
	l->key_len = conf->key_len;
	snprintf(l->box, sizeof(l->box), "%s", conf->box);
	l->lease_ms = conf->lease_ms;
	l->heartbeat_ms = conf->heartbeat_ms;
	if (conf->sig != NULL)
		l->sig = *conf->sig;
	if (hooks != NULL)
		l->hooks = *hooks;
	l->dial_backoff_ms = HA_DIAL_MIN_MS;
	l->next_seq = 1;
	l->cli = tls_ctx(l, true);
	l->srv = tls_ctx(l, false);
	if (l->cli == NULL || l->srv == NULL) {
		snprintf(err, errlen, "ha: OpenSSL cannot make a TLS 1.3 PSK context");
		rc = -ENOMEM;
		goto out_free_rc;
	}
	if (conf->peer != NULL && conf->peer[0] != '\0') {
		if (tp_conf_hostport_parse(conf->peer, &l->peer, &l->peer_len) == 0) {
			snprintf(err, errlen, "ha.peer '%s' is not IP:PORT", conf->peer);
			goto out_free_rc;
		}
		l->have_peer = true;
		addr_str(&l->peer, l->peer_str, sizeof(l->peer_str));
	}
	if (conf->listen != NULL && conf->listen[0] != '\0' &&
	    (rc = open_listener(l, conf->listen, err, errlen)) < 0)
		goto out_free_rc;
	return l;
out_free:
	rc = -ENOMEM;
	snprintf(err, errlen, "ha: out of memory");
out_free_rc:
	ha_link_free(l);
	errno = -rc;
	return NULL;
out_nomem:
	snprintf(err, errlen, "ha: out of memory");
	errno = ENOMEM;
	return NULL;
}
