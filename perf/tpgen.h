/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen: the TURN load generator of perf/. One DPDK process on one lcore
 * plays many TURN clients and their peers at once over one port (a memif
 * link to turnpike-dp or testpmd, or a tap towards a kernel TURN server
 * such as coturn). It sets up allocations through the server's real
 * control path (Allocate with long-term credentials, then ChannelBind or
 * CreatePermission), then offers ChannelData and Send indications from
 * the clients and plain UDP from the peers at a chosen rate and size, and
 * counts what comes back, with one-way latency from a TSC stamp that every
 * payload carries (sender and receiver are this process, so one clock).
 *
 * It can also offer a flood of Allocates that cp must refuse (bad
 * credentials, or none) from many source addresses at up to line rate
 * while a paced population of honest clients allocates, and time those
 * clients (tpgen_flood.c).
 *
 * perf/run drives it line by line on stdin (commands) and stdout (one
 * JSON object per answer); see tpgen_usage() for the commands. IPv4 only.
 */
#ifndef TPGEN_H
#define TPGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "tpgen_hist.h"

#define GEN_BURST      32
#define GEN_PREFETCH   64     /* frames ahead a template is asked for */
#define GEN_MAX_QUEUES 8
#define GEN_MAX_DP_WORKERS 64      /* dp's TP_CONF_MAX_WORKERS */
#define GEN_NONCE_MAX  128
#define GEN_STAMP_MAGIC 0x7470676eu   /* "tpgn": first word of a payload */
#define GEN_STAMP_LEN   16u           /* magic, flow, TSC */

/* What a client is doing in the set-up phase. */
enum gen_cstate {
	CS_IDLE = 0,         /* nothing sent yet */
	CS_ALLOC_PLAIN,      /* Allocate without credentials sent: wants 401 */
	CS_ALLOC_AUTH,       /* authenticated Allocate sent */
	CS_ALLOCATED,        /* has a relayed address */
	CS_BIND,             /* ChannelBind / CreatePermission sent */
	CS_READY,            /* can relay */
	CS_FAILED,
};

/* Traffic kinds: from the client (ChannelData, Send indication) or from
 * the peer (UDP to the relayed address); mix alternates chan and peer. */
enum gen_kind {
	GK_CHAN = 0,
	GK_SEND,
	GK_PEER,
	GK__COUNT,
	GK_MIX = GK__COUNT,
};

struct gen_client {
	uint32_t ip;                 /* host order */
	uint32_t peer_ip;
	uint32_t relay_ip;           /* XOR-RELAYED-ADDRESS */
	uint16_t port, peer_port, relay_port;
	uint16_t channel;
	uint8_t state;               /* enum gen_cstate */
	uint8_t tries;               /* sends of the current transaction */
	uint8_t retries;             /* new transactions after a 5xx */
	bool backoff;                /* waiting to retry after a 5xx */
	uint8_t txq;                 /* queue for client -> server packets */
	uint8_t relay_txq;           /* queue for peer -> relay packets */
	uint16_t err;                /* last error code seen */
	uint8_t nonce_len;
	uint8_t tid[12];
	uint64_t deadline;           /* TSC: retransmit after */
	uint64_t t_first;            /* TSC: first request (flood phase) */
	uint64_t t_done;             /* TSC: allocated (flood phase) */
	uint16_t rtx;                /* retransmissions of this client */
	char nonce[GEN_NONCE_MAX];
};

/* What the flood sends (tpgen_flood.c). */
enum gen_flood_kind {
	GF_BAD_MI = 0,       /* USERNAME, REALM, a nonce not this source's,
			      * a wrong MESSAGE-INTEGRITY */
	GF_NO_AUTH,          /* no credentials: cp answers 401 (a nonce) */
	GF__COUNT,
};

struct gen_flood {
	uint8_t *frames;             /* nframes x GEN_FLOOD_FRAME bytes */
	uint16_t *len;               /* frame lengths */
	uint32_t nframes;
	uint32_t nsources;
	enum gen_flood_kind kind;
	/* what came back to the flood's sources */
	uint64_t rx_answers;
	uint64_t rx_401, rx_438, rx_400, rx_5xx, rx_success, rx_other;
	/* the probe (a 401 to learn REALM and a nonce of cp's) */
	uint8_t probe_tid[12];
	bool probe_done;
	uint8_t nonce_len;
	char nonce[GEN_NONCE_MAX];
	char realm[128];
};

/* The precomputed frame head of one kind, the fields its flows differ
 * in (addresses, the relayed port, XOR-PEER-ADDRESS's address) zero; a
 * frame is this head with its flow's fields patched in (tpgen_traffic.c). */
struct gen_tmpl {
	uint8_t hdr[96];             /* Ethernet .. start of the stamp */
	uint16_t hdr_len;
	uint16_t frame_len;
	uint32_t csum_base;          /* UDP sum of everything but the stamp
				      * and the flow's fields */
	uint32_t ip_sum;             /* IP header's, without the flow's */
};

/* What one flow's frames differ in: 16 bytes, so that at a million flows
 * the generator's per-flow state (16 MB, visited scattered) is a line a
 * frame at most. Per-flow templates (224 MB at a million, two lines a
 * frame) held the generator below what dp relays (perf/RESULTS.md). */
struct gen_flow {
	uint32_t ip;                 /* the client's, host order */
	uint32_t peer_ip;
	uint32_t relay_ip;
	uint16_t relay_port;
	uint8_t txq;                 /* client -> server */
	uint8_t relay_txq;           /* peer -> relayed address */
};

struct gen_tcp;                      /* tpgen_tcp.c */

struct gen {
	/* port */
	uint16_t port_id;
	uint16_t nq;                 /* TX/RX queues used */
	struct rte_mempool *tx_pool, *rx_pool;
	struct rte_ether_addr mac;   /* ours */
	struct rte_ether_addr dut_mac;
	bool dut_mac_known;
	uint64_t hz;

	/* addressing (host order) */
	uint32_t local_ip;           /* our address on the link */
	uint32_t dut_ip;             /* the server's address on the link */
	uint32_t server_ip;          /* TURN server address */
	uint16_t server_port;
	uint32_t client_base, peer_base;
	uint32_t flood_base;         /* first flood source address */
	uint32_t flood_n;            /* flood sources in use */
	uint16_t client_port, peer_port;
	bool raw;                    /* no TURN: frames are bounced (testpmd) */
	struct gen_tcp *tcp;         /* dp/tcp in the generator (--tcp) */
	struct gen_agw *agw;         /* the access gateway's legs (--tcp) */
	struct gen_rtp *rtp;         /* RTP calls through a media relay (rtpcalls) */
	struct gen_dtls *dtls;       /* their DTLS-SRTP handshakes (dtlshs) */
	bool pool_dirty;             /* an RTP run wrote payloads: no TURN runs after */
	bool tcp_turn;               /* clients speak TURN over TCP (--tcp-turn) */
	bool tls_turn;               /* ... over TLS on that TCP (--tls-turn) */
	uint32_t tls_record;         /* run: ChannelData gathered into records
				      * of this many bytes (0: one a frame) */
	bool steer;                  /* pick TX queues as dp's owners would */
	unsigned int dp_workers;     /* for steer */
	uint16_t relay_min, relay_max;

	/* credentials */
	char user[128], pass[128], realm[128];
	uint8_t key[32];
	int key_len;
	uint32_t lifetime;

	/* clients */
	uint32_t nclients;
	struct gen_client *c;
	bool use_channels;
	uint32_t fresh;              /* first client never used (flood phase) */

	struct gen_flood flood;

	/* counters of the current phase */
	uint64_t tx[GK__COUNT], rx[GK__COUNT];
	uint64_t tx_fail;            /* not taken by the TX queue */
	uint64_t rx_other, rx_ctl, arp_replies;
	uint64_t stun_err[7];        /* 3xx..6xx answers seen in set-up */
	uint64_t retransmits;        /* set-up: requests sent again (RTO) */
	uint64_t retries;            /* set-up: new requests after a 5xx */
	uint64_t ctl_refused;        /* requests the link did not take */
	/* A request the link refuses (its ring full: the server is off its
	 * core) is offered again for up to ctl_hold_us, as a host's own queue
	 * would hold it; counted, with the longest wait. 0: dropped at once. */
	uint32_t ctl_hold_us;
	uint64_t ctl_held, ctl_held_max_tsc;
	uint64_t rtx_state[CS_FAILED + 1];   /* retransmissions, by state */
	struct gen_hist lat;

	/* the current traffic phase: a template a kind, a record a flow
	 * (and its client's index, which only the stream clients read) */
	struct gen_tmpl tmpl[GK__COUNT];
	struct gen_flow *flows;
	uint32_t *flow_client;
	uint32_t tmpl_flows;
	uint32_t tmpl_stride;        /* flow order (tpgen_traffic.c) */
	uint16_t tmpl_size;
};

extern volatile int gen_stop;

/* tpgen.c */
/* Take what the port has; returns the frames taken. */
unsigned int gen_rx_poll(struct gen *g, uint64_t now);
int gen_tx_frame(struct gen *g, uint16_t q, const void *frame, uint16_t len);
uint16_t gen_ip_cksum(const uint8_t *ip);
void gen_build_udp(struct gen *g, uint8_t *frame, uint32_t src, uint16_t sport,
		   uint32_t dst, uint16_t dport, uint16_t payload_len);
uint32_t gen_sum16(const uint8_t *p, size_t len, uint32_t sum);
uint16_t gen_fold(uint32_t sum);
int gen_resolve_dut(struct gen *g, double timeout_s);
void gen_assign_queues(struct gen *g);

/* tpgen_turn.c */
/* Allocate (and bind) the first `count` clients (0: all); prints one
 * JSON object. */
int gen_turn_setup(struct gen *g, unsigned int window, double timeout_s,
		   uint32_t count, FILE *out);
/* Start client c's allocation (an Allocate without credentials). */
void gen_turn_start(struct gen *g, struct gen_client *c);
/* Start with an authenticated Allocate carrying nonce (one the client
 * holds from before: another port's, another server run's): the server
 * answers 438 with a fresh nonce, and the client goes on with it. */
void gen_turn_start_with_nonce(struct gen *g, struct gen_client *c,
			       const char *nonce, uint8_t len);
/* Client c's timer: retransmit (RFC 8489 §6.2.1), retry after a 5xx, or
 * give up (state CS_FAILED, err 408). */
void gen_turn_timer(struct gen *g, struct gen_client *c, uint64_t now);
/* A STUN message or ChannelData addressed to client idx (control answers
 * during set-up). */
void gen_turn_input(struct gen *g, uint32_t idx, const uint8_t *p,
		    uint16_t len, uint64_t now);

/* tpgen_traffic.c */
int gen_traffic_prepare(struct gen *g, uint16_t size, uint32_t flows);
/* Offer kind at rate pps (0: as fast as the link takes) for secs; prints
 * one JSON object. */
int gen_traffic_run(struct gen *g, enum gen_kind kind, double rate,
		    double secs, double warm, FILE *out);
/* A UDP payload that came back: count it, and its latency if stamped. */
void gen_traffic_input(struct gen *g, bool to_client, const uint8_t *p,
		       uint16_t len, uint64_t now);

/* tpgen_flood.c */
#define GEN_FLOOD_FRAME 256u         /* bytes per precomputed frame */
/* Build the flood's frames: nsources sources from g->flood_base, at least
 * nframes frames (each its own transaction ID); probes the server for its
 * REALM and a nonce first (bad-MI kind). */
int gen_flood_prepare(struct gen *g, enum gen_flood_kind kind,
		      uint32_t nsources, uint32_t nframes, bool probe);
/* Offer the flood at rate pps (0: as fast as the link takes; < 0: no
 * flood, the honest clients alone) for warm + secs, while legit new allocations per second start (after warm)
 * from fresh clients; each is given give_up seconds. yield: sleep when
 * nothing is due (a control process on the generator's core gets it).
 * stale: each honest client starts with an authenticated Allocate that
 * carries a nonce the server made for another address (the probe's), as
 * one that held a nonce from another port or an earlier server run:
 * it needs the server's 438 before it can allocate.
 * Prints one JSON object. */
int gen_flood_run(struct gen *g, double rate, double secs, double warm,
		  double legit, double give_up, bool yield, uint32_t hold_us,
		  bool stale, FILE *out);
/* A message to flood source idx. */
void gen_flood_input(struct gen *g, uint32_t idx, const uint8_t *p,
		     uint16_t len);

/* tpgen_tcp.c */
/* Host a dp/tcp stack with room for max_conns connections. */
int gen_tcp_create(struct gen *g, uint32_t max_conns);
/* A TCP segment (IPv4 header at ip, len bytes to the frame's end) in m:
 * consumes m. */
void gen_tcp_input(struct gen *g, struct rte_mbuf *m, const uint8_t *ip,
		   uint16_t len, uint64_t now);
/* Timers (once a millisecond) and the segments waiting to be sent. */
void gen_tcp_poll(struct gen *g, uint64_t now);
void gen_tcp_flush(struct gen *g);
/* TURN over TCP: connect the first count clients (window at a time). */
int gen_tcp_turn_connect(struct gen *g, uint32_t count, unsigned int window,
			 double timeout_s, uint32_t *ok, uint32_t *failed,
			 double *secs);
/* A STUN message on client c's stream (copied). */
int gen_tcp_send_msg(struct gen *g, struct gen_client *c, const uint8_t *msg,
		     uint16_t len);
/* A ChannelData message in m on client idx's stream; owns m. */
int gen_tcp_send_chan(struct gen *g, uint32_t idx, struct rte_mbuf *m);
/* New connections a second to port (window open at once, req bytes
 * each, half-closed); prints one JSON object. */
int gen_tcp_conn_run(struct gen *g, uint16_t port, unsigned int window,
		     uint32_t req, double secs, double warm, FILE *out);
/* conns connections sending chunk-byte writes and reading the echo;
 * prints one JSON object. */
int gen_tcp_bulk_run(struct gen *g, uint16_t port, uint32_t conns,
		     uint32_t chunk, double secs, double warm, FILE *out);
/* TLS handshakes a second to port (window connections at once): each
 * connection completes a TLS 1.3 handshake, waits for the server's
 * ticket, sends close_notify and FIN and is done at the server's FIN.
 * resume: each slot offers the ticket of its previous connection
 * (psk_dhe_ke). Prints one JSON object. (--tls) */
int gen_tcp_tls_conn_run(struct gen *g, uint16_t port, unsigned int window,
			 bool resume, double secs, double warm, FILE *out);
/* tlsku: conns TLS 1.3 connections to port, each up once
 * its Binding request (over TLS) is answered; prints {"up","failed"}. */
int gen_tcp_ku_open(struct gen *g, uint16_t port, uint32_t conns, double timeout,
		    FILE *out);
/* count KeyUpdates on each connection that is up (update_requested when
 * req), built by hand (lean) or by OpenSSL; then wait seconds for the
 * server. Prints the sender's TSC cycles per KeyUpdate. */
int gen_tcp_ku_send(struct gen *g, uint32_t count, bool req, bool lean, double wait,
		    FILE *out);
/* The tlsku connections reset. */
int gen_tcp_ku_close(struct gen *g, FILE *out);
/* TURN over TLS: ChannelData gathered for records (tls_record) sent now. */
void gen_tcp_tls_flush(struct gen *g);
/* An active open to the server's port from the next client address and
 * port, for application app (arg its callbacks' argument); *idp its id. */
int gen_tcp_open(struct gen *g, int app, uint16_t port, uint64_t *idp, void *arg);
/* The next opens from the next of the 64 client addresses (a server's
 * connections per source stay few). */
void gen_tcp_next_source(struct gen *g);

/* tpgen_agw.c: both ends of access-gateway contexts (dp's two TCP server
 * legs each), streams checked byte by byte */
struct gen_agw;
struct rte_mempool;
struct tcp_stack;
/* Its application on the generator's stack (gen_tcp_create() calls it). */
int gen_agw_create(struct gen *g, struct tcp_stack *ts, struct rte_mempool *pool);
/* Open both legs of every context in file (lines "PORT_A PORT_B"),
 * window contexts at a time, TLS on leg k when bit k of tls_mask is set;
 * each leg sends probe bytes once up. Prints one JSON object: contexts
 * carrying (both probes received, byte-exact), the time, per_s. */
int gen_agw_open(struct gen *g, const char *file, unsigned int tls_mask, uint32_t probe,
		 unsigned int window, double timeout, FILE *out);
/* Every leg keeps its send queue full (writes or TLS records of chunk
 * bytes) for warm + secs; prints the goodput of the measured secs. */
int gen_agw_bulk(struct gen *g, uint32_t chunk, double secs, double warm, FILE *out);
/* The legs take turns to write size bytes (TLS: a record), rate writes a
 * second in all, for warm + secs; prints each write's latency to its last
 * byte read on the partner leg (those written in the measured secs):
 * tx, rx and lat_ns {n, min, p50, p99, p999, max}, as a relay run does. */
int gen_agw_ping(struct gen *g, uint32_t size, double rate, double secs, double warm,
		 FILE *out);
/* End every leg's stream; prints how many contexts closed byte-exact
 * (each leg read exactly its partner's stream, then its end); frees them. */
int gen_agw_close(struct gen *g, double timeout, FILE *out);

/* tpgen_rtp.c: both ends of RTP calls through a media relay */
struct gen_rtp;
/* The calls of file (a line a call: "[IP:]PORT_A [IP:]PORT_B SUITE [TX_KEY
 * RX_KEY]", see tpgen_rtp.c), replacing any before; keep: a call of suite 0
 * keeps the SRTP keys the call of its line had (its DTLS handshake's,
 * made when the relay's ports were not all known yet). Prints one JSON
 * object. 0 or -errno. */
int gen_rtp_load(struct gen *g, const char *file, bool keep, FILE *out);
/* Which streams of its calls an RTP run sends. */
enum gen_rtp_dir {
	GEN_RTP_BOTH = 0,    /* both sides' in turns */
	GEN_RTP_UE,          /* the UE's only: its SRTP to the relay, plain RTP out to the core */
	GEN_RTP_CORE,        /* the core side's only: RTP the relay protects towards the UE */
};

struct gen_rtp_opts {
	double rate;         /* packets a second in all; 0: as fast as the link takes */
	double secs, warm;   /* measured seconds, after warm seconds not counted */
	uint32_t verify;     /* one SRTP packet to a UE in this many a call kept, and
			      * decrypted after the run; 0: none */
	enum gen_rtp_dir dir;
	uint32_t first, n;   /* calls first .. first + n - 1 (n 0: to the last) */
	bool pre;            /* every frame made before the run (rate > 0), then copied */
};

/* The chosen streams send G.711-sized RTP (the UE's SRTP where its call
 * has keys) in turns, o->rate packets a second in all, for warm + secs,
 * made as they are sent or, with o->pre, all made first (the time it took
 * is in the answer, not in the run). Prints one JSON object. 0, -ENOENT
 * without calls, -EINVAL (a first past the calls, pre without a rate),
 * -ENOMEM (no room for the frames), -EPROTO (libsrtp refused to protect),
 * -EINTR (stopped while the frames were made). */
int gen_rtp_run(struct gen *g, const struct gen_rtp_opts *o, FILE *out);
/* A datagram to address dst while calls are loaded. */
void gen_rtp_input(struct gen *g, uint32_t dst, const uint8_t *p, uint16_t len);

/* The calls loaded (0: none). */
uint32_t gen_rtp_ncalls(const struct gen *g);
/* Call ci's UE address and port and the relay's port for it (host
 * order). 0, or -ENOENT. */
int gen_rtp_ue_addr(const struct gen *g, uint32_t ci, uint32_t *ue, uint16_t *ue_port,
		    uint32_t *relay, uint16_t *relay_port);
struct srtp_ref_key;
/* Call ci's UE side SRTP from now on: tx the UE's own key (what the relay
 * decrypts with), rx the relay's (copied; the caller wipes its own). 0,
 * or -errno (libsrtp refused a key: the call keeps none). */
int gen_rtp_set_keys(struct gen *g, uint32_t ci, const struct srtp_ref_key *tx,
		     const struct srtp_ref_key *rx);

/* tpgen_dtls.c: DTLS-SRTP handshakes of the UE's side of the calls */
struct gen_dtls;
/* The process's certificate (ECDSA P-256, made at the first use): one JSON
 * object with its sha-256 fingerprint. 0 or -errno. */
int gen_dtls_cert(struct gen *g, FILE *out);
/* Handshakes of calls first .. first + n - 1 (n 0: to the last): as the
 * client (inflight at once), or as the server of the relay's ClientHellos
 * (hold: each kept until a line "go" comes on stdin, then answered
 * inflight at once; else answered as they come); each call's keys to its SRTP
 * (gen_rtp_set_keys()) after; stops when all have ended or after timeout
 * seconds. One JSON object. 0, or -ENOENT (no calls), -EINVAL, -ENOMEM,
 * -EIO (no certificate). */
int gen_dtls_run(struct gen *g, bool client, bool hold, uint32_t first, uint32_t n,
		 uint32_t inflight, double timeout, FILE *out);
/* A DTLS datagram (RFC 7983) for call ci's UE, from src:sport (the
 * relay's, host order) to its port dport. */
void gen_dtls_input(struct gen *g, uint32_t ci, uint32_t src, uint16_t sport, uint16_t dport,
		    const uint8_t *p, uint16_t len);

/* tpgen_tls.c: OpenSSL client connections over memory BIOs */
struct gen_tls;
struct ssl_session_st;
struct tcp_stack;
int gen_tls_init(const char *suite);
/* A certificate for the client role (dp's TLS server legs ask for one). */
int gen_tls_client_cert(const char *cert, const char *key);
bool gen_tls_enabled(void);
uint64_t gen_tls_error_count(void);
/* A client connection (resume: a ticket to offer, NULL for a full
 * handshake; sni: server_name or NULL). NULL without memory. */
struct gen_tls *gen_tls_new(struct ssl_session_st *resume, const char *sni);
void gen_tls_free(struct gen_tls *t);
/* Received ciphertext (a chain, freed). */
void gen_tls_in(struct gen_tls *t, struct rte_mbuf *m);
/* 1 established, 0 in progress, < 0 failed. */
int gen_tls_handshake(struct gen_tls *t);
/* Plaintext: bytes read, 0 nothing now, -EPIPE close_notify, < 0 failed. */
int gen_tls_read(struct gen_tls *t, void *buf, size_t len);
/* len bytes of plaintext into one record (len <= 16384); < 0 failed. */
int gen_tls_write(struct gen_tls *t, const void *buf, size_t len);
void gen_tls_close_notify(struct gen_tls *t);
/* Ciphertext written to TCP: 0 all sent, -EAGAIN some held for later. */
int gen_tls_push(struct gen_tls *t, struct tcp_stack *ts, uint64_t id,
		 struct rte_mempool *pool);
uint32_t gen_tls_held(const struct gen_tls *t);
bool gen_tls_established(const struct gen_tls *t);
bool gen_tls_resumed(const struct gen_tls *t);
bool gen_tls_has_ticket(const struct gen_tls *t);
/* The connection's newest ticket (the caller owns it), or NULL. */
struct ssl_session_st *gen_tls_take_session(struct gen_tls *t);
/* tlsku: a connection whose application traffic secret is
 * kept (a key log), for KeyUpdates built by hand */
struct gen_tls *gen_tls_new_ku(void);
/* The lean sender's state from that secret, seq records after the
 * handshake; TLS_AES_128_GCM_SHA256 only (-ENOTSUP). 0 or -errno. */
int gen_tls_ku_start(struct gen_tls *t, uint64_t seq);
#define GEN_TLS_KU_LEN 27u       /* a KeyUpdate record: 5 + 4 + 1 + 1 + 16 */
/* One KeyUpdate record into out, sealed under the current key; then the
 * next secret, key and IV. GEN_TLS_KU_LEN, or -EPROTO. */
int gen_tls_ku_lean(struct gen_tls *t, bool req, uint8_t out[GEN_TLS_KU_LEN]);
/* One KeyUpdate by OpenSSL (SSL_key_update(), SSL_do_handshake()): its
 * record in the write BIO (gen_tls_push sends it). 0 or -EPROTO. */
int gen_tls_ku_openssl(struct gen_tls *t, bool req);

#endif /* TPGEN_H */
