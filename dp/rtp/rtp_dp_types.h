/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/rtp types: a worker's RTP contexts, their terminations, the address
 * and port tables a datagram finds them by, and the seam SRTP plugs into
 * (rtp_dp.h, FEATURE.md). Types only.
 */
#ifndef DP_RTP_DP_TYPES_H
#define DP_RTP_DP_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_types.h"
#include "rtp_types.h"
#include "tp_conf_types.h"

struct dp_udp_meta;
struct dp_worker;
struct rte_mbuf;

enum rtp_dp_ctr {
#define RTP_CTR(n, s, h) RTP_CTR_##n,
#include "rtp_counters.def"
#undef RTP_CTR
	RTP_CTR__COUNT
};

/* Why ICE's responder refused a check (rtp_ice_errors.def); 0 is none. */
enum rtp_ice_err {
	RTP_ICE_OK = 0,
#define RTP_ICE_E(n, s, h) RTP_ICE_E_##n,
#include "rtp_ice_errors.def"
#undef RTP_ICE_E
	RTP_ICE_E_COUNT
};

/*
 * A check judged and answered (rtp_ice_check.c: pure, no mbuf and no EAL,
 * so that a fuzz target runs what rtp_ice.c runs). What the judge does
 * with a datagram to an ICE termination's port:
 *   DROP       refused unanswered (err says why)
 *   KEEPALIVE  a Binding indication (RFC 8445 §11): nothing to answer
 *   STRANGER   a source gm (H.248.43) does not hear: dropped as media are
 *   ERROR      refused with an error answer (err, code; authed: the check's
 *              MESSAGE-INTEGRITY passed and the answer carries one)
 *   SUCCESS    a valid check: a success answer (nominate: USE-CANDIDATE)
 */
enum rtp_ice_do {
	RTP_ICE_DO_DROP = 0,
	RTP_ICE_DO_KEEPALIVE,
	RTP_ICE_DO_STRANGER,
	RTP_ICE_DO_ERROR,
	RTP_ICE_DO_SUCCESS,
};

struct rtp_ice_verdict {
	enum rtp_ice_do act;
	enum rtp_ice_err err;      /* RTP_ICE_OK but for DROP and ERROR */
	uint16_t code;             /* ERROR's STUN error code (RFC 8489 §14.8) */
	bool authed;               /* MESSAGE-INTEGRITY passed under our pwd */
	bool nominate;             /* SUCCESS's USE-CANDIDATE (RFC 8445 §7.3.1.5) */
};

/*
 * What the judge asks of its caller, each given arg, at its place in the
 * order (rtp_ice.c's opening comment):
 *   crc32     CRC-32 of len octets (FINGERPRINT's before its XOR, RFC
 *             8489 §14.7)
 *   mac       HMAC-SHA1 under our pwd of p (len octets, not changed)
 *             into tag
 *   heard     the datagram's source may be heard at all (gm)
 *   may_mac   the termination's budget pays for one HMAC (true: paid)
 *   cksum_ok  the datagram's UDP checksum holds
 */
struct rtp_ice_hooks {
	uint32_t (*crc32)(const uint8_t *buf, size_t len);
	void (*mac)(void *arg, uint8_t *p, unsigned int len, uint8_t tag[20]);
	bool (*heard)(void *arg);
	bool (*may_mac)(void *arg);
	bool (*cksum_ok)(void *arg);
	void *arg;
};

/* The addresses a termination may be on, per family: every port's own
 * and every relayed address (TP_CONF_MAX_RELAY a family). */
#define RTP_DP_ADDRS (TP_CONF_MAX_PORTS + TP_CONF_MAX_RELAY)
#define RTP_DP_ADDR_SCAN 0xffu    /* addr_at[]: several share the last octet */

/* What the seam does for a termination (struct rtp_term.srtp). */
#define RTP_SRTP_IN  0x1u         /* what its network sends is SRTP: unprotect */
#define RTP_SRTP_OUT 0x2u         /* what dp sends it is SRTP: protect */
#define RTP_SRTP_AEAD 0x4u        /* its network's key is AES-GCM's (RFC 7714 §9's SRTCP) */

/* Why SRTP refused a packet (rtp_srtp_errors.def); 0 is none. */
enum rtp_srtp_err {
	RTP_SRTP_OK = 0,
#define RTP_SRTP_E(n, s, h) RTP_SRTP_E_##n,
#include "rtp_srtp_errors.def"
#undef RTP_SRTP_E
	RTP_SRTP_E_COUNT
};

/* What unprotect and protect return beside 0 and -enum rtp_srtp_err: the
 * packet went through, and cp should hear where the context's streams
 * stand (a new SSRC, or a stream dp protects IPC_SRTP_TELL past what cp
 * was told: lib/ipc's IPC_SRTP_POS_LAG). */
#define RTP_SRTP_TELL 1
/* And what protect alone may add to it (or'ed): a stream a key's
 * positions started (a dp restart) had its sequence numbers shifted past
 * what the dp before may have used, at this packet (rtp_srtp.c's
 * stream_shift()). */
#define RTP_SRTP_SHIFTED 2

/*
 * Where SRTP plugs in (FEATURE.md "SRTP"): the contexts of one worker's
 * terminations behind ops registered once at start (rtp_srtp_register();
 * rtp_srtp.c's by default). Each termination has two contexts: srtp_in
 * (what its network sends: unprotect) and srtp_out (what dp sends it:
 * protect), in a table the worker makes at set-up, one entry per
 * termination slot (idx = slot * 2 + term): nothing allocated later.
 *   worker_init  the table for n entries (socket's memory): the worker's
 *                state, or NULL (errno)
 *   worker_free  wiped and freed
 *   check        why a termination's keys cannot be taken (NULL: they can)
 *   install      entry idx's two contexts from the termination's keys
 *                (rx: its network's, tx: ours), wiping what was there;
 *                rx or tx NULL keeps that direction as it is
 *   wipe         entry idx's keys and state wiped
 *   position     where a context stands (each SSRC's ROC and s_l, the
 *                SRTCP index)
 *   unprotect    pkt (len octets, RTP or RTCP) in place, *len its clear
 *                length after; 0, RTP_SRTP_TELL or -enum rtp_srtp_err
 *   protect      in place, with room octets free after it for the
 *                trailer; *len grows; 0, RTP_SRTP_TELL, RTP_SRTP_SHIFTED
 *                (or'ed) or -enum rtp_srtp_err
 *   mac_key      HMAC-SHA1's inner and outer states (RFC 2104) of key
 *                (len octets, at most 64) into ipad and opad (32 octets
 *                each, 16-aligned): dp/rtp's other user of HMAC-SHA1,
 *                ICE's MESSAGE-INTEGRITY (RFC 8489 §14.5), shares SRTP's;
 *                NULL: none (ICE is then refused)
 *   mac          HMAC-SHA1 of p (len octets; not changed) with those
 *                states into tag (20 octets)
 */
struct rtp_srtp_ops {
	void *(*worker_init)(uint32_t n, int socket);
	void (*worker_free)(void *ws);
	const char *(*check)(const void *ws, const struct ipc_srtp_key *rx,
			     const struct ipc_srtp_key *tx);
	void (*install)(void *ws, uint32_t idx, const struct ipc_srtp_key *rx,
			const struct ipc_srtp_key *tx, void **in, void **out);
	void (*wipe)(void *ws, uint32_t idx);
	void (*position)(const void *sctx, struct ipc_srtp_pos *pos);
	int (*unprotect)(void *sctx, uint8_t *pkt, uint16_t *len, bool rtcp);
	int (*protect)(void *sctx, uint8_t *pkt, uint16_t *len, uint16_t room, bool rtcp);
	void (*mac_key)(void *ws, const uint8_t *key, unsigned int len, uint8_t *ipad,
			uint8_t *opad);
	void (*mac)(void *ws, const uint8_t *ipad, const uint8_t *opad, uint8_t *p,
		    unsigned int len, uint8_t tag[20]);
};

/*
 * Where DTLS-SRTP plugs in (FEATURE.md "DTLS-SRTP"): a termination whose
 * cfg.dtls has a role takes its SRTP keys from a handshake on its RTP port
 * (rtcp-mux), run by ops registered once at start (rtp_dtls_register():
 * dp/dtls_srtp's module, a layer above this one). dp/rtp tells them of
 * such terminations and hands them their DTLS-class datagrams; they call
 * back rtp_term_srtp_keys() and rtp_term_src_ok() (rtp_dp.h). idx is the
 * termination's slot, slot * 2 + term, as SRTP's. Each on the worker's
 * thread; none calls dp/rtp's input back.
 *   check      why cfg's DTLS-SRTP cannot be taken (NULL: it can)
 *   set        termination idx of context id installed or modified: cfg
 *              as dp/rtp holds it now
 *   gone       termination idx left (its handshake ends, held keys wiped)
 *   input      a DTLS-class datagram (RFC 7983: first octet 20..63) to
 *              termination idx; consumes m
 *   checked    ICE's first valid check of src on idx's RTP flow (a client
 *              sends its ClientHello there)
 *   srtp_seen  the first SRTP or SRTCP from idx's network authenticated
 *              under keys rtp_term_srtp_keys() installed (the peer has our
 *              last flight)
 */
struct rtp_dtls_ops {
	const char *(*check)(const struct ipc_rtp_term *cfg);
	void (*set)(struct dp_worker *w, uint32_t idx, uint64_t id,
		    const struct ipc_rtp_term *cfg);
	void (*gone)(struct dp_worker *w, uint32_t idx);
	void (*input)(struct dp_worker *w, uint32_t idx, struct rte_mbuf *m,
		      const struct dp_udp_meta *meta);
	void (*checked)(struct dp_worker *w, uint32_t idx, const struct ipc_addr *src);
	void (*srtp_seen)(struct dp_worker *w, uint32_t idx);
};

/* struct rtp_term.dtls */
#define RTP_DTLS_ON        0x1u   /* its keys come from a handshake (cfg.dtls) */
#define RTP_DTLS_SEEN_WAIT 0x2u   /* a handshake's keys installed, no SRTP
				   * authenticated under them yet */

/*
 * ICE on a termination (rtp_ice.c, FEATURE.md "ICE"): what a check reads
 * and writes. Sources that passed a check (RTP_ICE_SRCS of them, the
 * least recent replaced): media are taken from one while its last check
 * is within agw.ice_consent_ms; the nominated pair of each flow is the
 * termination's latched source (rtp_src, rtcp_src, with latched's bits),
 * where media go while its consent lasts. Three token buckets in
 * thousandths of a check on the worker's ms clock: the HMACs of checks
 * from the nominated RTP source, the HMACs of any other's (so a flood
 * with our ufrag from elsewhere never starves the peer's consent), and
 * the error answers (so a stranger's flood is answered at a bounded
 * rate, and costs no HMAC at all).
 */
#define RTP_ICE_SRCS        4u
#define RTP_ICE_RATE        100u      /* checks (HMACs) a second, a bucket */
#define RTP_ICE_BURST       100u
#define RTP_ICE_ERR_RATE    20u       /* error answers a second */
#define RTP_ICE_ERR_BURST   20u

struct rtp_ice_src {
	uint64_t ms;               /* its last valid check (w->now_ms); 0: free */
	uint8_t family;
	uint8_t flow;              /* 0 RTP (or rtcp-mux), 1 RTCP of a pair */
	uint16_t port;
	uint8_t ip[16];
};

struct rtp_ice_bucket {
	uint64_t ms;               /* last refilled */
	uint32_t tokens;           /* thousandths of a check */
	uint32_t pad;
};

struct rtp_ice {
	/* HMAC-SHA1's inner and outer states under our pwd (the seam's
	 * mac_key): the checks' key, made when the credentials come */
	_Alignas(16) uint8_t ipad[32];
	_Alignas(16) uint8_t opad[32];
	uint64_t consent_ms[2];    /* per flow: the nominated pair's last valid
				    * check (its nomination's, at first) */
	uint64_t checks;           /* answered with a success */
	uint64_t refused;
	struct rtp_ice_bucket mac[2];     /* [0] the nominated RTP source's, [1] others' */
	struct rtp_ice_bucket err;
	struct rtp_ice_src src[RTP_ICE_SRCS];
	uint8_t lost;              /* per flow (bit 1 << flow): consent expired
				    * and reported; media to it stopped */
	uint8_t pad[7];
};

/* A termination's counters that go to cp in struct ipc_rtp_stats. */
struct rtp_term_ctr {
	uint64_t rtcp_in, rtcp_in_octets;
	uint64_t rtcp_out, rtcp_out_octets;
	uint64_t stranger, malformed, policed, mode, no_dest, srtp;
};

/*
 * A termination: what a packet to it (or from its other) reads and
 * writes first, then its statistics, then what cp installed (for
 * RTP_MOD and RTP_STATE, never read per packet).
 */
struct rtp_term {
	uint8_t on;                /* a termination is in this slot */
	uint8_t mode;              /* IPC_RTP_MODE_* */
	uint8_t flags;             /* IPC_RTP_F_* */
	uint8_t ds;                /* its DSCP << 2: the DS byte without ECN */
	uint8_t latched;           /* IPC_RTP_LATCHED_* */
	uint8_t srtp;              /* RTP_SRTP_* */
	uint8_t family;            /* local's: 4 or 6 */
	uint8_t inactive;          /* INACTIVE reported, nothing heard since */
	uint8_t open;              /* takes any source, learns none (no latching,
				    * no gm): one test per packet */
	uint8_t srtcp_trailer;     /* SRTCP's tag octets from its network */
	uint8_t latch;             /* enum ipc_rtp_latch | IPC_RTP_LATCH_SIGNALLED:
				    * read only by a source not the latched one */
	uint8_t ice;               /* enum ipc_rtp_ice_mode: ICE, not latching,
				    * decides its sources (ice_state) */
	uint8_t srtcp_mki;         /* and its MKI's */
	uint8_t dtls;              /* RTP_DTLS_*: DTLS-SRTP's */
	uint16_t port;             /* local RTP port (a MEMBER: its owner's) */
	uint16_t rtcp_port;        /* local RTCP port (port with rtcp-mux) */
	uint8_t bundle;            /* enum ipc_rtp_bundle_role: its place in a
				    * BUNDLE group (struct rtp_bundle) */
	uint8_t tap;               /* lawful interception (rtp_li.c): 0, or the
				    * TS 103 221-2 direction of the RTP its
				    * network sends (LI_COPY_FROM_TARGET: it is
				    * the target's, LI_COPY_TO_TARGET: the other
				    * is); in the line the packet reads anyway */
	uint32_t pol_rate;         /* tman: bytes a second, 0: none */
	uint64_t heard_ms;         /* the last packet taken (w->now_ms) */
	uint8_t local[16];
	/* where RTP and RTCP for its network go: the latched source, else
	 * the signalled remote (port 0: nowhere yet) */
	struct ipc_addr rtp_to;
	struct ipc_addr rtcp_to;
	struct ipc_addr rtp_src;   /* the latched sources (with latched) */
	struct ipc_addr rtcp_src;
	/* the source filter (gm), policing, the media clock, the seam */
	uint8_t gm_family;         /* 0: any address */
	uint8_t gm_plen;
	uint16_t gm_port_lo, gm_port_hi;  /* 0, 0: any port */
	uint16_t srtp_trailer;     /* SRTP's tag and MKI octets from its network */
	uint8_t gm_addr[16];
	uint64_t clock_mul;        /* media clock units a TSC tick, << 32 */
	uint64_t pol_tokens;       /* thousandths of a byte */
	uint64_t pol_ms;
	uint32_t pol_burst;
	uint32_t inact_ms;
	void *srtp_in, *srtp_out;  /* the seam's contexts (NULL: no key yet) */
	/* the statistics (lib/rtp) */
	struct rtp_rx rx;
	struct rtp_tx tx;
	struct rtp_term_ctr ctr;
	/* when its silence watch (inact_ms) was last armed or changed: silence
	 * counts from the later of that and heard_ms (an answer that arms it
	 * after a long ring is not silence already) */
	uint64_t watched_ms;
	/* a BUNDLE MEMBER's transport: its owner's slot * 2 + term, + 1 (0:
	 * orphaned, its owner gone first) */
	uint32_t xport;
	/* ICE's (with ice) */
	struct rtp_ice ice_state;
	/* as cp installed it */
	struct ipc_rtp_term cfg;
};

/*
 * A BUNDLE group (RFC 9143; FEATURE.md "BUNDLE"): the terminations that
 * share its owner's transport, the owner first, and what the owner's port
 * hands each of them by: the SSRCs bound to a section (signalled, or
 * learnt from a packet that passed its section's checks: an SSRC binds
 * once and never moves), the MID (RFC 8285's extension, its id the
 * owner's), a payload type only one section has. rw->bdl[slot] is the
 * group whose owner is a termination of context slot (dp takes one
 * bundled termination a context), made at set-up: nothing is allocated
 * later. Rebuilt (off the fast path) when a section joins, leaves or
 * changes: the learnt bindings of the sections still there are kept.
 */
#define RTP_BUNDLE_MAX    8u      /* sections a group: lib/sdp's SDP_SECTIONS_MAX */
#define RTP_BUNDLE_BINDS  16u     /* SSRCs bound to its sections */
#define RTP_BUNDLE_SHARED 0xffu   /* pt_of[]: two sections have the payload type */
#define RTP_BUNDLE_RELEASED 0xfeu /* bind_m[]: an SSRC of a section released under
				   * SRTP, dropped until a new receive key */

struct rtp_bundle {
	uint32_t idx[RTP_BUNDLE_MAX];            /* slot * 2 + term; [0] the owner's */
	uint32_t bind_ssrc[RTP_BUNDLE_BINDS];
	uint8_t bind_m[RTP_BUNDLE_BINDS];        /* the section: a place in idx[] */
	uint8_t n;                               /* sections: idx[0..n) */
	uint8_t nbind;                           /* bind_*[0..nbind): the signalled
						  * ones first, then those learnt
						  * from authenticated packets and
						  * those of released sections */
	uint8_t nsig;                            /* bind_*[0..nsig) signalled */
	uint8_t mid_ext;                         /* the owner's cfg.bundle.mid_ext */
	uint8_t mid_len[RTP_BUNDLE_MAX];
	char mid[RTP_BUNDLE_MAX][IPC_RTP_MID_MAX];
	uint8_t pt_of[128];                      /* a place in idx[] + 1; 0: none;
						  * RTP_BUNDLE_SHARED */
	/* the SSRCs each section sends the peer (under SRTP what its out
	 * context holds, rtp_bundle_out_sync(); in the clear the first
	 * IPC_SRTP_SSRCS sent): no other section may send one under the
	 * group's key (RFC 3711 §9.1); RTCP's report blocks are routed by
	 * them */
	uint32_t out_ssrc[RTP_BUNDLE_MAX][IPC_SRTP_SSRCS];
	uint8_t nout[RTP_BUNDLE_MAX];
	/* those of sections gone, refused to the others while the key they
	 * were protected under lives (gone_full: more went than fit, or a
	 * restarted dp's group under a key used before, rtp_ctx.c's
	 * bundle_restarted(): every new SSRC refused until a new key) */
	uint32_t gone_ssrc[RTP_BUNDLE_BINDS];
	uint8_t ngone;
	uint8_t gone_full;
	/* a released section's SSRC did not fit among the bindings: every
	 * unbound SSRC dropped until a new receive key */
	uint8_t released_full;
};

/* Pending events of a context (struct rtp_ctx.ev): per termination t,
 * bit 0 + 3t its RTP flow latched (ICE: nominated), 1 + 3t its RTCP
 * flow, 2 + 3t silent; bit 6 its SRTP positions to tell cp (an RTP_STATS
 * of req 0); from bit 7, per termination and ICE flow, its consent lost
 * and regained (lost first: both go, in that order); bit 15 BUNDLE's
 * SSRC clashes to tell (struct rtp_ctx.clashes). */
#define RTP_EV_LATCH_RTP(t)  (1u << (3 * (t)))
#define RTP_EV_LATCH_RTCP(t) (2u << (3 * (t)))
#define RTP_EV_INACTIVE(t)   (4u << (3 * (t)))
#define RTP_EV_SRTP_BIT      6u
#define RTP_EV_SRTP_POS      (1u << RTP_EV_SRTP_BIT)
#define RTP_EV_CONSENT_BIT   7u
#define RTP_EV_CONSENT(t, flow, back) \
	(1u << (RTP_EV_CONSENT_BIT + 4u * (t) + 2u * (flow) + ((back) ? 1u : 0u)))
#define RTP_EV_CONSENT_ALL(t) (0xfu << (RTP_EV_CONSENT_BIT + 4u * (t)))
#define RTP_EV_CLASH_BIT     15u
#define RTP_EV_CLASH         (1u << RTP_EV_CLASH_BIT)
/* BUNDLE's SSRC clashes: told to cp at most once in this many ms a
 * context (the sweep raises the event; the drops are counted whatever) */
#define RTP_CLASH_TELL_MS    10000u

struct rtp_ctx {
	uint64_t id;               /* cp's (ipc_conn_make() layout); 0: free */
	uint16_t ev;               /* RTP_EV_* pending */
	uint8_t queued;            /* its slot is in the events' FIFO */
	uint8_t clash_term;        /* BUNDLE: the termination whose RTP to the
				    * peer was refused last for its SSRC */
	uint32_t clash_ssrc;       /* ... that SSRC */
	uint32_t clashes;          /* ... such packets since cp was last told */
	uint32_t pad;
	uint64_t clash_tell_ms;    /* no clash told to cp before then */
	struct rtp_term t[2];
};

/*
 * A tapped context's task (lib/ipc RTP_TAP; rtp_li.c): what its copies
 * carry, the target's termination, the copies' sequence (TS 103 221-2
 * §5.3.9: one each, made or not). In a per-worker array by slot, apart
 * from the contexts: an untapped context's lines do not grow.
 */
struct rtp_tap {
	uint8_t xid[16];
	uint64_t correlation;
	uint32_t seq;
	uint8_t on;
	uint8_t term;              /* the target's termination */
	uint8_t ndest;
	uint8_t pad;
	struct ipc_addr dest[IPC_LI_DESTS];
};

struct rtp_worker {
	struct rtp_ctx *ctx;       /* max, by slot */
	struct rtp_bundle *bdl;    /* max, by the owner's slot */
	uint32_t max;
	uint32_t nctx;
	uint16_t port_lo, port_hi; /* this worker's share of agw.media_ports */
	uint32_t nports;
	/* by (address index, port - port_lo): 0 free, else
	 * (slot << 2 | term << 1 | rtcp) + 1 */
	uint32_t *port_tab;
	uint8_t naddr4, naddr6;    /* IPv6 indices follow IPv4's */
	uint8_t addr4_at[256];     /* by last octet: index + 1, 0 none, SCAN */
	uint8_t addr6_at[256];
	uint32_t addr4[RTP_DP_ADDRS];            /* network order */
	uint8_t addr6[RTP_DP_ADDRS][16];
	uint64_t relatch_ms;
	uint64_t ice_consent_ms;   /* agw.ice_consent_ms */
	uint64_t tsc_hz;
	const struct rtp_srtp_ops *srtp_ops;     /* NULL: no SRTP in this dp */
	const struct rtp_dtls_ops *dtls_ops;     /* NULL: no DTLS-SRTP */
	void *srtp_ws;                           /* the ops' table (worker_init) */
	/* events: slots with pending bits (a FIFO, each at most once unless
	 * freed and reused meanwhile), and what must arrive whole */
	uint32_t *evq;
	uint32_t evq_mask, evq_head, evq_tail;
	struct ipc_backlog out;
	void *out_mem;
	/* the inactivity sweep */
	uint32_t scan_next;
	uint64_t scan_ms;
	/* a restarted cp's SYNC */
	bool sync_on;
	uint32_t sync_next;
	/* lawful interception: max entries by slot, NULL until cp first
	 * tapped a context here (rtp_li.c); ntaps tapped now */
	struct rtp_tap *taps;
	uint32_t ntaps;
	uint64_t ctr[RTP_CTR__COUNT];
	uint64_t malformed[RTP_E_COUNT];
	uint64_t srtp_err[RTP_SRTP_E_COUNT];
	uint64_t ice_err[RTP_ICE_E_COUNT];
};

#endif /* DP_RTP_DP_TYPES_H */
