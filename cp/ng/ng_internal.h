/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ng's own: the door's state, shared by its files (FEATURE.md).
 */
#ifndef NG_INTERNAL_H
#define NG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include "agw/cp_agw.h"
#include "agw/cp_agw_types.h"
#include "certfp.h"
#include "ipc_types.h"
#include "ng_req.h"
#include "ng_sdp.h"

struct cp_ctx;
struct tp_conf_ng;

#define NG_DGRAM_MAX     65535u   /* a request datagram (its SDP bounded apart) */
#define NG_COOKIE_MAX    64u      /* a cookie's octets */
#define NG_RECV_SERVE    256u     /* datagrams read a serve, at most */
#define NG_WORK_SERVE    64u      /* requests acted on a serve, at most */
#define NG_CACHE_SLOTS   8192u    /* replies kept at most (a power of 2) */
#define NG_CACHE_WAYS    4u       /* in sets of this many (a power of 2) */
#define NG_CACHE_BYTES   (32u << 20) /* their octets at most */
#define NG_FORKS_MAX     4u       /* to-tags of one call (forking) */
#define NG_BUSY_US       5000u    /* after a request, the socket is watched closely this long */
#define NG_STEP_US       50u      /* and read this often from the loop's turns */
/* A termination's latching unless the request says otherwise (ng_call.c's
 * latch_of()): strict, the door having no gm to bound who may latch */
#define NG_LATCH_DEFAULT IPC_RTP_LATCH_STRICT

/* The counters (status's ng.stats, turnpike_ng_NAME_total). */
#define NG_STATS(X) \
	X(requests, "Requests acted on (a repeat answered from the cache not counted)") \
	X(repeats, "Requests answered from the cache of replies (the same cookie from the same source)") \
	X(strangers, "Datagrams from sources outside ng.allow (dropped, unanswered)") \
	X(malformed, "Datagrams that are no cookie and bencode dictionary (answered with an error when a cookie could be read)") \
	X(rate_limited, "Requests past ng.max_rate, or while a large reply's cost is repaid (answered with an error only when it is no longer than the request)") \
	X(errors, "Requests answered with result error") \
	X(unsupported, "Requests asking what turnpike does not do (transcoding, recording, DTMF...): answered with an error") \
	X(calls_created, "Calls made by an offer") \
	X(calls_deleted, "Calls ended by a delete") \
	X(calls_timed_out, "Calls ended by a timeout: ng.timeout without media on either side of every stream (or no media at all), or an offer not answered in an hour") \
	X(calls_released, "Calls whose every context ended otherwise (the operator, dp)") \
	X(oversize, "Datagrams past 65,535 octets or replies past the send buffer (dropped)") \
	X(deletes_unmatched, "Deletes that found no call or not its tags (a call deleted already): answered ok with a warning, as rtpengine, an error under the flag fatal")

enum ng_stat {
#define NG_STAT_E(n, h) NG_STAT_##n,
	NG_STATS(NG_STAT_E)
#undef NG_STAT_E
	NG_STAT__COUNT
};

/* Where a reply goes: the request's source and cookie, and the cache's
 * hash of both. */
struct ng_src {
	struct sockaddr_storage from;
	uint64_t hash;
	uint64_t req_hash;        /* of the whole request datagram: a repeat is the same */
	uint32_t req_len;
	uint8_t clen;
	bool refusal;             /* a refusal past the rate: sent only when no longer
				   * than the request (cp_amp.h), never kept */
	char cookie[NG_COOKIE_MAX];
};

/* A query or a delete waiting for dp's figures of its call's contexts
 * (its reply carries them). */
/* at most NG_PENDING_MAX * NG_SDP_MEDIA_MAX of cp/agw's
 * CP_AGW_RTP_STATS_PENDING (256) requests, so that a flood of queries
 * leaves the other doors theirs */
#define NG_PENDING_MAX 16u
struct ng_pending {
	struct cp_ng *g;
	bool used;
	uint8_t left;             /* answers still to come */
	uint8_t n;
	uint32_t req[NG_SDP_MEDIA_MAX];
	struct ng_src src;
	struct ng_req r;          /* the request (no SDP) */
};

/* One cached reply: the request's source and cookie, the reply's bytes. */
struct ng_cached {
	uint64_t hash;            /* 0: free */
	uint64_t at_ms;
	struct sockaddr_storage from;
	uint8_t cookie_len;
	char cookie[NG_COOKIE_MAX];
	uint64_t req_hash;        /* the request's (ng_src): only its repeat is answered */
	uint32_t req_len;
	char *reply;              /* malloc'd */
	uint32_t reply_len;
};

/* A reply held until dp holds what its request changed (cp/agw's
 * cp_agw_when_held()): where it goes, its bytes. As many as cp/agw holds
 * at most, so that a full table here means cp/agw's is full too (its
 * replies_not_held). */
#define NG_HELD_MAX CP_AGW_HOLD_MAX
struct ng_held {
	struct cp_ng *g;
	bool used;
	struct ng_src src;
	char *reply;              /* malloc'd (it may hold our SRTP keys) */
	uint32_t len;
};

/* The codecs an offer gave its receiver (ng_codec.c): each payload
 * type's lib/sdp sdp_codec_key(), which ones carry no medium of their
 * own (a bit each), and the list in words for an answer's refusal. */
#define NG_CODECS_TEXT_MAX 96u
struct ng_codecs {
	uint8_t n;                /* payload types offered */
	uint32_t supp;            /* bit k: key[k] carries no medium (sdp_codec_supplemental()) */
	uint32_t key[SDP_PT_MAX];
	char text[NG_CODECS_TEXT_MAX];  /* "8 PCMA/8000, 101 telephone-event/8000" ("..." if cut) */
};

/* One media stream of a call: one AGW RTP context, term[0] side A (the
 * first offer's sender), term[1] side B. */
struct ng_stream {
	uint64_t ctx;             /* 0: none (a section not relayed, or ended) */
	uint8_t profile[2];       /* what each side's SDP speaks (enum ipc_rtp_profile) */
	uint8_t mux[2];           /* each side's rtcp-mux as agreed */
	uint8_t mux_offered;      /* we offered rtcp-mux to the answerer */
	uint8_t mux_required;     /* and offered no RTCP port beside it (rtcp-mux-require,
				   * DTLS-SRTP): its answer must take it */
	uint8_t side[2];          /* enum cp_agw_rtp_side of each side */
	uint8_t answered;         /* side B's answer taken */
	uint8_t media;            /* lib/sdp's enum sdp_media_type */
	uint32_t tag[2];          /* the a=crypto tag each side's line carries */
	struct ipc_srtp_key offer_tx; /* our key offered to an answerer before it answered */
	uint8_t offer_tx_side;    /* which side offer_tx is for (0, 1) */
	uint8_t has_offer_tx;
	/* ICE (FEATURE.md "ICE"): what each side's last SDP taken said of
	 * its own (it does ICE with us: its credentials, the pwd as a keyed
	 * hash, a change of either being a restart, RFC 8839 section
	 * 4.4.1.1.1), and what the offer under way said of its sender's,
	 * which the answer applies: a side's termination does ICE once our
	 * answer to it carries ours */
	uint8_t ice_had[2];
	uint8_t ice_pend;         /* the offer's sender asks ICE (not rejected) */
	char ice_ufrag[2][IPC_ICE_UFRAG_MAX + 1];
	char ice_pend_ufrag[IPC_ICE_UFRAG_MAX + 1];
	uint64_t ice_pwd_h[2];
	uint64_t ice_pend_pwd_h;
	/* DTLS-SRTP (FEATURE.md "DTLS-SRTP"): each side's m= proto as its SDP
	 * has it (lib/sdp's enum sdp_proto: UDP/TLS/RTP/SAVP or _SAVPF for a
	 * side whose keys come from a handshake with us), and the hash of the
	 * fingerprint we give it (lib/certfp's enum certfp_alg; 0: none given
	 * yet), kept once given: another hash of our certificate would read
	 * as another certificate, a new association (RFC 8842 section 5) */
	uint8_t proto[2];
	uint8_t fp_alg[2];
	/* each side's a=mid as its last offer gave it ("" none): the answer
	 * to it carries it back when the answerer's has none (RFC 5888
	 * section 9.1: an answer's mid is its offer's; a browser refuses an
	 * answer without it) */
	char mid[2][SDP_MID_MAX];
	uint8_t mid_gen;          /* bit s: side s was given a generated a=mid (generate-mid),
				   * given again by every later offer towards it whose
				   * sender gives none, as rtpengine keeps a media ID */
	/* what the last offer taken gave its receiver: its answer is held
	 * to it (FEATURE.md "Codecs") */
	struct ng_codecs offered;
	/* BUNDLE (FEATURE.md "BUNDLE"): side bdl_side's termination is in a
	 * group of that side's (bundle=accept on its offer), the group's
	 * transport (OWNER) or a member of stream bdl_owner's, whose
	 * termination bdl_side carries it; bdl_ext the MID extension's id */
	uint8_t bdl_role;         /* enum ng_bdl_role */
	uint8_t bdl_owner;        /* MEMBER: the owner's stream index */
	uint8_t bdl_side;
	uint8_t bdl_ext;
};

enum ng_bdl_role {
	NG_BDL_NONE = 0,
	NG_BDL_OWNER = 1,
	NG_BDL_MEMBER = 2,
};

struct ng_call {
	struct ng_call *hnext;    /* the hash chain */
	struct ng_call *dnext;    /* the list of calls with a delete_at_ms */
	struct ng_call **dprev;   /* what points at this one there (NULL: not on it) */
	uint64_t hash;            /* of call_id's first 63 octets (a context's label) */
	uint64_t created_wall_ms;
	uint64_t last_ms;         /* cp's monotonic ms of its last request */
	uint64_t delete_at_ms;    /* 0: not to be deleted */
	char call_id[NG_CALLID_MAX];
	char tag[2][NG_TAG_MAX];  /* side A's (the first offer's from-tag), side B's (its answer's to-tag) */
	char label[NG_LABEL_MAX];
	uint8_t nforks;
	char forks[NG_FORKS_MAX][NG_TAG_MAX];  /* to-tags answered before tag[1] */
	uint8_t nstreams;
	uint8_t deleting;         /* a delete waits for dp's last figures */
	uint8_t timed;            /* delete_at_ms is a timeout's (an offer never answered,
				   * a call without media), not a delete's delay */
	struct ng_stream s[NG_SDP_MEDIA_MAX];
};

struct cp_ng {
	struct cp_ctx *cp;
	const struct tp_conf_ng *conf;
	struct cp_agw_caller who;
	struct ng_names names;
	int fd;
	uint8_t family;           /* the listen address's */
	uint8_t hkey[16];         /* siphash key of the call and cache tables */
	/* the rate limit: tokens a ms, at most max_rate; below 0 while a
	 * reply's cost past its request's token is repaid (cp_amp.h) */
	uint64_t tok_ms;
	double tokens;
	/* the refusals past the rate: as many a second at most */
	uint64_t rtok_ms;
	double rtokens;
	/* the pace: while requests come (busy_until_us), the socket is read
	 * every NG_STEP_US from the loop's turns and napped on instead of
	 * dozing, not only once a millisecond */
	uint64_t busy_until_us;
	uint64_t read_us;
	unsigned int last_work;   /* requests from ng.allow the last read acted on */
	/* the call table */
	uint32_t ncalls, calls_max;
	uint32_t nbuckets;        /* a power of 2 */
	struct ng_call **bucket;
	struct ng_call *dlist;    /* calls with a delete_at_ms */
	uint64_t dwalk_ms;
	/* the reply cache */
	struct ng_cached *cache;
	/* replies held for dp (NG_HELD_MAX), nheld of them used */
	struct ng_held *held;
	unsigned int nheld;
	uint64_t cache_bytes;
	uint64_t stats[NG_STAT__COUNT];
	/* scratch */
	char *rbuf;               /* a request */
	char *wbuf;               /* a reply */
	size_t wsize;
	char *sdpbuf;             /* a rewritten SDP */
	struct bc_node *nodes;
	struct ng_sdp *sdp;       /* the request's SDP as read */
	struct ng_pending pending[NG_PENDING_MAX];
};

/* ng_ice.c: ICE on a call's terminations (its opening comment says
 * what goes where). */
/* What a sender's section says of its ICE. */
struct ng_ice_peer {
	bool creds;               /* its credentials are there (both) */
	bool lite;                /* it is a lite agent (a=ice-lite) */
	bool on;                  /* it does ICE with us: creds and not lite */
	char ufrag[IPC_ICE_UFRAG_MAX + 1];
	uint64_t pwd_h;           /* its pwd under the door's siphash key */
};
/* Our WebRTC lines of one section, ICE's (ng_ice.c) and DTLS-SRTP's
 * (ng_dtls.c) (the rewrite's ng_sdp_out_media.webrtc points at ours):
 * zeroed before either fills its part, wiped when done (our pwd). */
struct ng_webrtc_lines {
	char ufrag[IPC_ICE_UFRAG_MAX + 1];
	char pwd[IPC_ICE_PWD_MAX + 1];
	struct sdp_candidate cand[2];
	struct certfp fp;         /* our certificate's, of the side's hash */
	char tls_id[CP_AGW_TLS_ID_MAX];
	char mid[12];             /* a generated a=mid (generate-mid): the index, decimal */
	struct sdp_webrtc_ours ours;
};
/* md's sender's ICE into *pe (nothing when md is not relayed). 0, or
 * -EINVAL with a sentence (a ufrag past dp's 32 characters). */
int ng_ice_peer_of(const struct cp_ng *g, const struct ng_sdp_media *md, struct ng_ice_peer *pe,
		   char *err, size_t errlen);
/* Do our ICE lines go to side p (the receiver of r, an offer; sender its
 * sender's ICE)? x: the context (NULL: none yet). */
bool ng_ice_to(const struct ng_stream *st, const struct cp_agw_ctx *x, unsigned int p,
	       const struct ng_req *r, const struct ng_ice_peer *sender);
/* An offer's section from side o of st, whose context exists and whose
 * out has its address and ports: the sender's ICE kept for the answer,
 * the receiver's termination's ICE on (or off before its answer) as r
 * says, out->ice our lines in l when ours go. 0 or -errno with err. */
int ng_ice_offer(struct cp_ng *g, struct ng_stream *st, unsigned int o, const struct ng_req *r,
		 const struct ng_ice_peer *sender, struct ng_sdp_out_media *out,
		 struct ng_webrtc_lines *l, char *err, size_t errlen);
/* An answer's section to the offer of side o: the answerer's ICE taken
 * (its termination off unless it does ICE), the offerer's applied (on,
 * restarted, or off), out->ice our lines to the offerer in l when ours
 * go. 0 or -errno with err. */
int ng_ice_answer(struct cp_ng *g, struct ng_stream *st, unsigned int o, const struct ng_req *r,
		  const struct ng_ice_peer *answerer, struct ng_sdp_out_media *out,
		  struct ng_webrtc_lines *l, char *err, size_t errlen);

/* ng_codec.c: the codecs offered and answered (its opening comment). */
/* What offer section md gives its receiver, into *oc. */
void ng_codecs_offered(struct ng_codecs *oc, const struct sdp_media *md);
/* 0 when answer section md (the call's i-th, 0-based) has a codec of those
 * oc holds that carries a medium (sdp_codec_supplemental()'s alone: none), or
 * oc holds none; else -EINVAL with a sentence for ng's error-reason
 * naming the section and both lists (RFC 3264 section 6.1). */
int ng_codecs_answer(const struct ng_codecs *oc, unsigned int i, const struct sdp_media *md,
		     char *err, size_t errlen);

/* ng_dtls.c: DTLS-SRTP on a call's terminations (its opening comment
 * says what goes where). */
/* The peer's DTLS-SRTP as section md says it (a sender's offer: offer;
 * an answer's), as cp/agw takes it into *d (setup CP_AGW_DTLS_OFF when md
 * is not UDP/TLS/RTP/SAVP or _SAVPF). 0, or -EINVAL / -ENOTSUP with a
 * sentence fit for ng's error-reason: DTLS=off, no rtcp-mux, a=setup
 * missing, actpass in an answer, only sha-1 fingerprints (unless
 * agw.allow_sha1), none. */
int ng_dtls_peer_of(const struct cp_ng *g, const struct ng_req *r, const struct ng_sdp_media *md,
		    bool offer, struct cp_agw_rtp_dtls *d, char *err, size_t errlen);
/* RFC 8842's rule for an SDP without a=tls-id (a legacy RFC 5763 peer's):
 * its new ICE ufrag is a new DTLS association. d (side s's DTLS as its new
 * SDP says, ng_dtls_peer_of()'s) gets renew when s gave ICE credentials
 * before, gives others now (ice: ng_ice_peer_of()'s) and no a=tls-id,
 * unless the flag no-tls-id (rtpengine's: keep the association). */
void ng_dtls_renew(const struct ng_stream *st, unsigned int s, const struct ng_req *r,
		   const struct ng_ice_peer *ice, struct cp_agw_rtp_dtls *d);
/* Our DTLS-SRTP lines to side s of st's context, into l (o->webrtc then
 * points at l->ours): our certificate's fingerprint (of the generation
 * the termination was offered with, under the side's hash: FEATURE.md),
 * a=setup (actpass in an offer, our role in an answer), our a=tls-id.
 * 0, or -errno with err (the termination does no DTLS-SRTP, our
 * certificate is not known any more). */
int ng_dtls_lines(struct cp_ng *g, struct ng_stream *st, unsigned int s, const struct ng_req *r,
		  bool offer, struct ng_sdp_out_media *o, struct ng_webrtc_lines *l, char *err,
		  size_t errlen);
/* query's "DTLS" of side s of context x (a DTLS-SRTP termination). */
struct bc_w;
void ng_dtls_query(struct bc_w *w, const struct cp_agw_ctx *x, unsigned int s);

/* ng_bundle.c: BUNDLE on a call (its opening comment says what goes
 * where). */
/* An offer's plan: each section's role (enum ng_bdl_role), a member's
 * owner section, the MID extension's id. */
struct ng_bundle_plan {
	uint8_t role[NG_SDP_MEDIA_MAX];
	uint8_t owner[NG_SDP_MEDIA_MAX];
	uint8_t ext[NG_SDP_MEDIA_MAX];
	uint8_t refuse[NG_SDP_MEDIA_MAX];  /* a section of the group that is not RTP:
					    * refused (port 0), left out of our group */
};
/* The plan of the offer g->sdp from side o of call c (had: its sections
 * before this offer), before anything is made: nothing bundled without
 * bundle=accept in r; with it, the offer's group of relayed RTP sections
 * (ng_sdp_bundle_check()'s rules, rtcp-mux), its sections that are not
 * RTP refused (RFC 9143 section 7.3.3: a data channel). 0, or -EINVAL /
 * -EOPNOTSUPP / -E2BIG with a sentence for ng's error-reason (what v1
 * does not do: a second group, a section relayed unbundled before made
 * a group's, a bundled section unbundled, the owner's section ended). */
int ng_bundle_plan(const struct cp_ng *g, const struct ng_call *c, unsigned int had, unsigned int o,
		   const struct ng_req *r, struct ng_bundle_plan *pl, char *err, size_t errlen);
/* Does the SDP g->sdp (an offer or an answer, from either side) of call c
 * (had: its sections before it) end a stream whose context is a BUNDLE
 * group's owner with live members (port 0, or not relayed)? 0 when it
 * does not, else -EOPNOTSUPP with a sentence for ng's error-reason,
 * before anything changes: the owner's context is the group's transport,
 * its release would take the members with it (what design 4.2 would do,
 * the owner kept as the transport with its other side subtracted, is not
 * done). The bundled side's own offer meets ng_bundle_plan()'s refusal
 * first. */
int ng_bundle_owner_ends(const struct cp_ng *g, const struct ng_call *c, unsigned int had,
			 char *err, size_t errlen);
/* Section md of stream st (bundled: bdl_role set) as cp/agw's bundle:
 * its mid (else the stream's), an owner's MID extension or a member's
 * owner, its payload types and signalled SSRCs (none past two). */
void ng_bundle_of(const struct ng_call *c, const struct ng_stream *st,
		  const struct ng_sdp_media *md, struct cp_agw_rtp_bundle *b);
/* The rewrite rw of g->sdp to side s of call c, whose sections are
 * bundled on s's side: every bundled section on its owner's address and
 * port with the owner's ICE, DTLS-SRTP and a=crypto lines (il[]: a
 * member's point into the owner's), its mid, the MID a=extmap,
 * a=rtcp-mux alone; our group into *grp, rw->group then pointing at it
 * (the owner's mid first). Nothing when s has no group. */
void ng_bundle_out(const struct cp_ng *g, const struct ng_call *c, unsigned int s,
		   struct ng_sdp_rewrite *rw, struct ng_webrtc_lines *il, struct sdp_group *grp);

/* ng_net.c */
int ng_net_open(struct cp_ng *g, char *err, size_t errlen);
void ng_net_close(struct cp_ng *g);
unsigned int ng_net_serve(struct cp_ng *g, uint64_t now_ms);
/* The reply to src: its cookie, then the dictionary fill(g, w, arg)
 * writes the members of (one too large for a datagram becomes an error
 * reply); kept in the cache for a repeat, sent, wiped. */
typedef void (*ng_fill_fn)(struct cp_ng *g, struct bc_w *w, void *arg);
void ng_net_reply(struct cp_ng *g, const struct ng_src *src, ng_fill_fn fill, void *arg);
/* ng_call.c: a request acted on and answered (now, or once dp's figures
 * came: a query) */
int ng_call_init(struct cp_ng *g);
void ng_call_fini(struct cp_ng *g);
void ng_call_do(struct cp_ng *g, const struct ng_src *src, const struct ng_req *r);
unsigned int ng_call_serve(struct cp_ng *g, uint64_t now_ms);

#endif /* NG_INTERNAL_H */
