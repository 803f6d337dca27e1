/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tls types: a worker's TLS state and a TLS connection's. Types only.
 */
#ifndef DP_TLS_TYPES_H
#define DP_TLS_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/types.h>

#include "tls_aead_types.h"

struct dp_worker;
struct rte_mbuf;
struct rte_ring;
struct tls_keys;
struct tls_leg;
struct tls_rec;

enum tls_ctr {
#define TLS_CTR(n, s, h) TLS_CTR_##n,
#include "tls_counters.def"
#undef TLS_CTR
	TLS_CTR__COUNT
};

/* What the SSL's app data and its BIO's data point at (first byte). */
#define TLS_K_CONN   1u
#define TLS_K_ORPHAN 2u

#define TLS_F_HS_DONE  0x01u      /* handshake complete (counted) */
#define TLS_F_PARKED   0x02u      /* an operation waits for the offload */
#define TLS_F_EOF      0x04u      /* TCP gave its FIN: no more ciphertext */
#define TLS_F_FATAL    0x08u      /* OpenSSL failed: no more use */
#define TLS_F_TIMEOUT  0x10u      /* already counted as hs_timeout */
#define TLS_F_DEFERRED 0x20u      /* it waits on a deferral FIFO (TLS_X_RECQ: which) */
#define TLS_F_NOTIFIED 0x40u      /* the peer's close_notify came (dp's records) */
#define TLS_F_NOJOB    0x80u      /* an operation waits for a free async job
				   * (always with TLS_F_DEFERRED: on the FIFO) */

#define TLS_OP_READ     1u
#define TLS_OP_WRITE    2u
#define TLS_OP_SHUTDOWN 3u        /* an SSL_shutdown() (its close_notify) */

/* tls_conn.x */
#define TLS_X_JOB  0x01u          /* its SSL holds a paused async job */
#define TLS_X_RECQ 0x02u          /* deferred on the records' FIFO, not the handshakes' */
#define TLS_X_READY 0x04u         /* a woken read went on in tls_poll(): its result kept */
#define TLS_X_FINISHING 0x08u     /* ... and is going on now: a leg's handshake is told after */
#define TLS_X_WPEND 0x10u         /* wbuf is a write not yet started: it waits for
				   * the read's job under way to end */
#define TLS_X_LINGER 0x20u        /* closed by its application while an
				   * operation was under way (tls_close):
				   * TCP closes after it and the close_notify */
#define TLS_X_SHUTPEND 0x40u      /* its application asked for a shutdown: the
				   * close_notify and TCP's FIN after what is
				   * under way (tls_settle) */
#define TLS_X_SHUT 0x80u          /* ... and from then on: no more writes */

/*
 * A TLS connection, in the worker's array by its TCP slot. Ciphertext
 * stays in mbufs both ways: rx holds the segments TCP gave (by reference,
 * as received) until OpenSSL's BIO reads copy them out; OpenSSL's writes
 * land in tx (copied once, into mbufs from the worker's pool) until they
 * go to tcp_send() when the SSL call returns. A parked operation keeps
 * the plaintext buffer it was given (OpenSSL resumes with the same one).
 */
struct tls_conn {
	uint8_t kind;             /* TLS_K_CONN */
	uint8_t flags;            /* TLS_F_* */
	uint8_t op;               /* the parked operation: TLS_OP_* */
	uint8_t x;                /* TLS_X_* */
	uint32_t rx_len;
	uint64_t id;              /* the TCP connection; 0: slot unused */
	SSL *ssl;                 /* NULL until the first bytes come */
	struct rte_mbuf *rx;      /* ciphertext received, a chain of segments */
	struct rte_mbuf *tx;      /* ciphertext to send (chain), tx_tail its last */
	struct rte_mbuf *tx_tail;
	uint32_t tx_len;
	/* the fatal alerts it sent and received (OpenSSL's info callback):
	 * a failure's reason when the thread's error queue lost it (an
	 * error raised in an async job that then paused, to write its
	 * alert, is cleared by whatever the worker does meanwhile) */
	uint8_t alert_sent;
	uint8_t alert_recv;
	uint16_t pad2;
	struct rte_mbuf *rbuf;    /* plaintext buffer of a parked SSL_read */
	struct rte_mbuf *wbuf;    /* plaintext of a parked SSL_write ... */
	struct rte_mbuf *wseg;    /* ... from this segment of it on */
	struct dp_worker *w;
	/* an AGW leg's (tls_conn_start()): its role, the fingerprints its
	 * peer must match, its callbacks and verdict; NULL for TURN */
	struct tls_leg *leg;
	/* dp's record layer (tls_rec.h): NULL until OpenSSL hands a key */
	struct tls_rec *rec;
	/* what a woken read gave when tls_poll() ran it to its end (so that
	 * its job ends then, not when the application reads again, which
	 * may wait on the application's own flow control): TLS_X_READY,
	 * rcv_buf's result and, when > 0, its plaintext */
	struct rte_mbuf *ready;
	int32_t ready_rc;
	uint32_t linger_until;    /* TLS_X_LINGER: reset from then (ms, low bits) */
	/* who a resumed operation wakes (dp_xprt_ops.subscribe: the
	 * connection's session), and its argument; NULL: nobody */
	void (*wake)(struct dp_worker *w, uint64_t id, void *arg);
	void *wake_arg;
};

/* A connection closed while OpenSSL's job for it waited: the SSL (and the
 * buffers the job writes to) live on until the job's callback comes and
 * the job ends; then they are freed. */
struct tls_orphan {
	uint8_t kind;             /* TLS_K_ORPHAN */
	uint8_t op;
	uint32_t index;
	SSL *ssl;
	struct rte_mbuf *rbuf;
	struct rte_mbuf *wbuf;
	struct dp_worker *w;
};

/* A worker's TLS: its own library context and SSL_CTX (nothing shared
 * with another worker), the ring OpenSSL's async callbacks fill (from any
 * thread), connections by slot, orphans. */
/* A KeyUpdate's cycles longer than this are left out of the stats' sum */
#define TLS_KU_TIMED_MAX_US 200u

/* Plaintext gathered for one SSL_write (tls_xprt.c tls_write_chain()). */
#define TLS_GATHER_MAX 16384u

struct tls_worker {
	SSL_CTX *ctx;
	/* a replacement for ctx that a reload built (dp_reload.c, another
	 * thread): taken by tls_poll() with an atomic exchange, as the
	 * builder puts one in (a newer one replaces one not yet taken);
	 * connections made before keep theirs (an SSL holds its context) */
	SSL_CTX *ctx_next;
	const char *propq;        /* the offload's properties (the start's conf) */
	SSL_CTX *leg_ctx;         /* the AGW legs' (either role; tls_leg.h) */
	/* when the first certificate of ctx / leg_ctx expires (Unix
	 * seconds, tls_ctx_not_after(); 0: none): for cp's metrics */
	int64_t not_after, leg_not_after;
	bool turn_tls;            /* TURN listens on TLS ports (turn.listen_tls) */
	OSSL_LIB_CTX *libctx;     /* NULL: OpenSSL's default one (engines) */
	struct rte_ring *ring;    /* SSL pointers whose job can go on (MP/SC) */
	struct tls_conn *conns;   /* max_conns, by TCP slot */
	uint32_t max_conns;
	uint32_t nparked;
	struct tls_orphan *orphans; /* orphans_max (jobs_max: tls_worker_init) */
	uint32_t *orphan_free;    /* stack of free orphan indices */
	uint32_t norphan_free;
	uint32_t orphans_max;
	bool engine_poll;         /* poll the engine while anything is parked */
	int app_linger;           /* dp/tcp app of closes that wait for their
				   * connection's operations (TLS_X_LINGER); -1: none */
	uint32_t nlinger;         /* connections that linger */
	uint64_t now_ms;          /* tls_poll()'s clock */
	uint64_t linger_checked_ms;
	uint64_t flushed_ms;      /* the session cache's last expiry pass */
	uint64_t sessions_cached; /* its size then (the statistics' copy) */
	/* Handshake work in one loop pass is the worker's account (struct
	 * dp_hs_budget, tls.handshake_budget_us, shared with DTLS); here, the
	 * connections whose handshake step waits for a later turn: a FIFO of
	 * connection ids (a freed or reused slot's id no longer matches, and
	 * is skipped), twice max_conns, a power of two. */
	uint64_t hs_step_max;     /* the longest TLS handshake step (cycles) */
	uint64_t hs_step_long;    /* 1 ms in cycles */
	struct tls_fifo {
		uint64_t *ids;
		uint32_t mask;
		uint32_t head;    /* next to serve */
		uint32_t tail;    /* next free */
		uint32_t n;       /* connections waiting on it */
	} dq_hs, dq_rec;          /* handshakes'; established connections' */
	uint32_t ndeferred;       /* connections with TLS_F_DEFERRED */
	/* OpenSSL's async jobs (with an offload): at most jobs_max on this
	 * worker's thread (tls.offload.jobs, ASYNC_init_thread()). A job is
	 * held from the call that paused it to the call that ends it
	 * (SSL_waiting_for_async(): TLS_X_JOB, counted in jobs_held), so
	 * jobs_held plus the orphans are the ones in use (jobs_peak: their
	 * most). An operation that found none free (SSL_ERROR_WANT_ASYNC_JOB)
	 * waits on a FIFO above (TLS_F_NOJOB); nojob_turn: one did in this
	 * turn, so the FIFOs' next are not tried again before a job ended. */
	uint32_t jobs_max;        /* 0: no offload, no jobs */
	uint32_t jobs_hs_max;     /* of them handshakes may hold (the rest: records') */
	uint32_t jobs_held;
	uint32_t jobs_peak;
	bool nojob_turn;
	uint64_t ring_full;       /* written by other threads: atomics */
	uint64_t ctr[TLS_CTR__COUNT];
	/* dp's record layer (tls.record_layer = "dp", software path only):
	 * the suites' ciphers, fetched once, and HKDF-Expand-Label's HMAC
	 * contexts for SHA-256 and SHA-384, kept (tls_rec.c) */
	bool rec_dp;
	EVP_CIPHER *rec_cipher[3];
	EVP_MAC_CTX *rec_hmac[2];
	/* TSC cycles spent on KeyUpdates received (turning the receiving
	 * key) and on our answers to those that asked (our KeyUpdate sealed,
	 * our sending key turned), and how many; those over ku_timed_max
	 * (TLS_KU_TIMED_MAX_US) only counted (a preemption): the stats line's
	 * key_update_{rx,tx}_{cycles,timed,dropped} */
	struct tls_ku_time {
		uint64_t cycles;
		uint64_t n;
		uint64_t dropped;
	} ku_rx, ku_tx;
	uint64_t ku_timed_max;
	/* their AEAD: libipsec-mb's manager, or none
	 * (tls.record_crypto; tls_aead.h) */
	struct tls_aead_lib aead;
	/* a write's small segments gathered into one SSL_write (records of
	 * max_send_fragment, not one a segment): software path only */
	unsigned char gather[TLS_GATHER_MAX];
};

#endif /* DP_TLS_TYPES_H */
