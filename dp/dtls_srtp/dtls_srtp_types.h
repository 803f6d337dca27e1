/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/dtls_srtp's types: a termination's configuration and state, the
 * pool's handshakes, a worker's tables, the seam's operations, the event.
 * (Types only: dtls_srtp.h has the functions.)
 */
#ifndef DP_DTLS_SRTP_TYPES_H
#define DP_DTLS_SRTP_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/types.h>

#include "certfp.h"
#include "dtls_hello.h"
#include "dtls_io.h"
#include "ipc_types.h"
#include "tls_leg.h"
#include "tw_types.h"

struct dp_worker;
struct dp_udp_meta;
struct rte_mbuf;
struct rte_ring;
struct tp_conf_tls;

/* A termination's role, as cp decides it from SDP (RFC 4145, RFC 5763
 * §5): NONE, no DTLS; CLIENT, we send the ClientHello (a=setup:active);
 * SERVER, we wait for one (passive); EITHER, we offered actpass and the
 * answer has not come: a ClientHello is taken as the server, the peer's
 * certificate held until the answer's fingerprints (none yet). */
enum dtls_srtp_role {
	DTLS_SRTP_ROLE_NONE = 0,
	DTLS_SRTP_ROLE_CLIENT,
	DTLS_SRTP_ROLE_SERVER,
	DTLS_SRTP_ROLE_EITHER,
};

/* cfg flags */
#define DTLS_SRTP_F_ICE        0x01u /* ICE gates the sources; a client starts at its check */
#define DTLS_SRTP_F_ALLOW_SHA1 0x02u /* sha-1 fingerprints trusted alone (agw.allow_sha1) */
#define DTLS_SRTP_F_COOKIE     0x04u /* a cookie before any state (ICE off: a forged source) */
#define DTLS_SRTP_F_KEYS       0x08u /* the association's keys came with it (a restarted dp's
				      * termination, from cp): up at its install, no handshake */
#define DTLS_SRTP_F_ALL        0x0fu

/*
 * A termination's DTLS-SRTP, as cp gives it (slice 4 carries it in lib/ipc's
 * struct ipc_rtp_term; until then the caller fills it): role, the peer's
 * fingerprints (RFC 8122, 1..TLS_LEG_FP_MAX; 0 only with EITHER), the
 * profiles offered (dtls_hello.h's bits, within DTLS_SRTP_DP_PROFILES),
 * the association's number (RFC 8842: the same keeps keys and state, a
 * new one starts over), the termination's serial (its keys are delivered
 * with it), our address and port, and the remote's (a client without ICE
 * sends its ClientHello there).
 */
struct dtls_srtp_term_cfg {
	uint8_t role;             /* enum dtls_srtp_role */
	uint8_t nfp;
	uint8_t profiles;
	uint8_t flags;            /* DTLS_SRTP_F_* */
	uint16_t serial;
	uint16_t cert_gen;        /* our certificate's generation its SDP gave
				   * (dtls_srtp_offer()); 0: the current one */
	uint16_t pad;
	uint32_t assoc;
	struct ipc_addr local;
	struct ipc_addr remote;
	struct certfp fp[TLS_LEG_FP_MAX];
};

/* A termination's state (dtls_srtp_states.def). */
enum dtls_srtp_state {
#define DTLS_SRTP_STATE(e, n) DTLS_SRTP_ST_##e,
#include "dtls_srtp_states.def"
#undef DTLS_SRTP_STATE
	DTLS_SRTP_ST__COUNT
};

/* What the engine tells of a termination (the RTP_DTLS event slice 4
 * sends cp): its state, the role the handshake took, why it failed, the
 * association, the peer, the profile and cipher, the certificate's
 * digest (the strongest hash signalled), which fingerprint matched, and
 * with UP the keys (which cp keeps as it keeps SDES keys): the engine
 * wipes the event once the callback returns. */
struct dtls_srtp_event {
	uint8_t state;            /* UP, VERIFY_WAIT, FAILED */
	uint8_t role;             /* CLIENT or SERVER */
	uint8_t why;              /* enum tls_fail */
	int8_t matched;           /* of the fingerprints; -1 */
	uint8_t attempts;
	uint8_t pad;
	uint16_t serial;
	uint16_t version;         /* 0xfefd */
	uint16_t profile;         /* use_srtp's id */
	uint32_t assoc;
	struct ipc_addr peer;
	struct certfp seen;
	struct ipc_srtp_key rx, tx;     /* UP only */
	char cipher[48];
	char detail[IPC_RTP_DETAIL_MAX];
};

/*
 * The engine's seam (dp/rtp's, once slice 4 wires it: rtp_term_srtp_keys(),
 * rtp_term_src_ok(), the RTP_DTLS event on the ring). Each on the worker's
 * thread, from inside the engine: none may call the engine back.
 */
struct dtls_srtp_ops {
	/* Install rx and tx as termination idx's SRTP keys if its serial is
	 * still serial: 0, or -ESTALE (the keys are wiped by the engine). */
	int (*keys)(struct dp_worker *w, uint32_t idx, uint16_t serial,
		    const struct ipc_srtp_key *rx, const struct ipc_srtp_key *tx);
	/* Whether src may start or feed a handshake on termination idx (ICE:
	 * it passed a check; otherwise latching's rule takes it). */
	bool (*src_ok)(struct dp_worker *w, uint32_t idx, const struct ipc_addr *src);
	/* What happened (ev is wiped after). */
	void (*event)(struct dp_worker *w, uint32_t idx, const struct dtls_srtp_event *ev);
};

/* The engine's settings (the agw.dtls group, slice 4). */
struct dtls_srtp_conf {
	const struct tp_conf_tls *tls;  /* cipher and group lists */
	const struct tls_cred *cred;    /* our certificate (the process's: one
					 * fingerprint for every worker) */
	uint32_t terms;                 /* termination slots (2 x media_contexts) */
	uint32_t handshakes;            /* the pool: SSLs alive at once */
	uint32_t handshake_timeout_ms;  /* a handshake's whole time */
	uint32_t linger_ms;             /* an SSL kept after its handshake */
	uint32_t verify_wait_ms;        /* keys held for the answer at most */
	uint32_t budget_us;             /* tls.handshake_budget_us */
	uint8_t attempts;               /* handshakes an association may take */
	uint16_t gen;                   /* cred's generation (0: 1) */
	/* The offload (tls.offload, dp/tls/FEATURE.md "Offload"): the
	 * contexts in its library context (NULL: OpenSSL's default, an
	 * engine's) with its properties, SSL_MODE_ASYNC, the handshakes'
	 * jobs from the worker thread's pool of async_jobs (its
	 * ASYNC_init_thread(): tls_worker_thread_init()). async_jobs 0: no
	 * offload, no async (libctx and propq unused). */
	OSSL_LIB_CTX *libctx;
	const char *propq;
	uint32_t async_jobs;
};

#define DTLS_SRTP_HANDSHAKES      256u
#define DTLS_SRTP_HS_TIMEOUT_MS   20000u
#define DTLS_SRTP_LINGER_MS       10000u
#define DTLS_SRTP_VERIFY_WAIT_MS  30000u
#define DTLS_SRTP_ATTEMPTS        3u
#define DTLS_SRTP_MTU             1200u  /* DTLS's datagrams (SSL_set_mtu) */
#define DTLS_SRTP_RETX_MAX_US     4000000u  /* a retransmission's longest wait */

/* A termination's engine state, one per slot (index slot * 2 + term). */
struct dtls_term {
	struct dtls_srtp_term_cfg cfg;
	uint8_t state;            /* enum dtls_srtp_state */
	uint8_t why;              /* enum tls_fail of the last failure */
	uint8_t attempts;         /* handshakes of this association */
	uint8_t role;             /* the role the handshake took */
	int8_t matched;
	uint8_t has_checked;      /* checked holds an address */
	uint16_t profile;
	uint16_t version;
	uint8_t pool_wait;        /* in the worker's pool-wait ring (once) */
	uint8_t pad;
	uint32_t hs;              /* pool index + 1; 0: none */
	uint64_t changed_ms;
	struct ipc_addr peer;     /* the handshake's */
	struct ipc_addr checked;  /* the last source ICE checked */
	struct certfp seen;
	const SSL_CIPHER *cipher; /* OpenSSL's static table */
};

/* A pool entry's state. */
enum dtls_hs_state {
	DTLS_HS_FREE = 0,
	DTLS_HS_STEP,             /* the handshake under way */
	DTLS_HS_LINGER,           /* done: kept to resend our last flight */
	DTLS_HS_HELD,             /* done, keys held for the answer (SSL may
				   * have gone) */
};

/* A pool entry's async job (with an offload only). */
enum dtls_hs_async {
	DTLS_HS_A_NONE = 0,
	DTLS_HS_A_PARKED,         /* its job paused: woken through the ring */
	DTLS_HS_A_NOJOB,          /* no free job: on the job-wait list, its
				   * datagram (if any) copied aside */
};

/* An intrusive list of pool entries (index + 1; 0: none). */
struct dsh_link {
	uint32_t prev, next;
};

struct dsh_list {
	uint32_t head, tail;      /* oldest, newest: index + 1 */
	uint32_t n;
};

/* The longest datagram a handshake waiting for a job keeps (a longer one
 * is dropped: the peer sends its flight again). */
#define DTLS_SRTP_JW_MAX          1536u

struct dtls_srtp_worker;

/* A handshake: its SSL and what goes with it, from the pool. */
struct dtls_hs {
	SSL *ssl;
	struct dtls_srtp_worker *ds;
	struct tls_leg leg;
	struct dtls_io io;
	struct tw_timer timer;
	uint8_t state;            /* enum dtls_hs_state */
	uint8_t client;
	uint16_t serial;
	uint8_t async;            /* enum dtls_hs_async */
	uint16_t jw_len;          /* NOJOB: the datagram kept aside, octets */
	uint32_t term;
	uint32_t assoc;
	struct dsh_link linger;   /* the lingering list */
	struct dsh_link jw;       /* the job-wait list (NOJOB) */
	uint64_t born_ms, deadline_ms;
	struct ipc_addr local, peer;
	struct ipc_srtp_key rx, tx;   /* HELD's keys (wiped when they go) */
};

/* A datagram put off (the handshake budget spent), or a client's start
 * (m NULL). */
struct dtls_defer {
	struct rte_mbuf *m;
	uint32_t term;
	uint16_t serial;
	uint16_t payload_off, payload_len;
	struct ipc_addr src, dst;
};

/* The counters (dtls_srtp_counters.def). */
enum {
#define DTLS_SRTP_CTR(e, n, h) DTLS_SRTP_CTR_##e,
#include "dtls_srtp_counters.def"
#undef DTLS_SRTP_CTR
	DTLS_SRTP_CTR__COUNT
};

/* A new generation of our certificate's context, offered to a worker. */
struct dtls_srtp_gen_offer {
	SSL_CTX *ctx;
	uint16_t gen;
};

/* A worker's DTLS-SRTP (w->dtls_srtp). */
struct dtls_srtp_worker {
	struct dp_worker *w;
	const struct dtls_srtp_ops *ops;
	struct dtls_srtp_conf conf;
	/* our certificate's two generations: gen's (new handshakes) and the
	 * one before (a termination whose SDP gave that one's fingerprint);
	 * a new one offered by dtls_srtp_offer() (another thread: atomic
	 * exchange), taken at the clock or when a termination names it */
	SSL_CTX *ctx;
	SSL_CTX *ctx_prev;
	struct dtls_srtp_gen_offer *offer;
	uint16_t gen;
	uint64_t reloaded;
	struct dtls_cookie_key key;
	struct dtls_term *terms;
	uint32_t nterms;
	struct dtls_hs *pool;
	uint32_t npool;
	uint32_t *free;
	uint32_t nfree;
	struct dsh_list lingering;  /* LINGER entries, oldest first */
	uint32_t nheld;
	/* With an offload (conf.async_jobs): the ring OpenSSL's async
	 * callback fills (any thread; one wake-up a paused job: room for
	 * every job of the thread), drained from the clock; entries parked
	 * (PARKED), entries that found no job (the job-wait list, first in
	 * first out, each datagram in jw_buf at DTLS_SRTP_JW_MAX an entry),
	 * orphans (SSLs of entries freed while their job was paused, freed
	 * when it ends) */
	struct rte_ring *aring;
	uint64_t aring_full;      /* written by other threads: atomics */
	uint32_t nparked, norphans;
	struct dsh_list jobwait;
	uint8_t *jw_buf;
	/* what a lingering SSL's read returns (application data: dropped);
	 * the worker's, as a paused read's job writes into it later */
	uint8_t rd_sink[256];
	struct dtls_defer *dq;
	uint32_t dq_mask, dq_head, dq_n;
	/* clients' starts that found the pool full (every entry a handshake
	 * under way or keys held): terms' indices, first in first out, each
	 * once (dtls_term.pool_wait), tried again as entries come free */
	uint32_t *pw;
	uint32_t pw_mask, pw_head, pw_n;
	struct tw_wheel wheel;
	uint64_t ctr[DTLS_SRTP_CTR__COUNT];
	uint64_t fail[TLS_FAIL__COUNT];
};

#endif /* DP_DTLS_SRTP_TYPES_H */
