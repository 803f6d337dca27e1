/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's RTP contexts (issue 56; dp/rtp/FEATURE.md is the contract with
 * dp): the access gateway's voice and video. A context holds two
 * termination slots, each empty or one UDP media termination (an RTP/RTCP
 * port pair, or one port with rtcp-mux) that dp relays to the other on
 * one worker, latching the remote (H.248.37), filtering sources (gm),
 * policing (tman), marking (ds), watching silence (it) and, for RTP/SAVP
 * and RTP/SAVPF, SRTP towards the termination's network with the keys
 * below. The doors drive them through cp_agw.h's one C API, as they do
 * TCP contexts (a struct cp_agw_spec of kind CP_AGW_KIND_RTP): the JSON
 * API (agw.create with "rtp" legs), H.248 (cp/iq) and ng (cp/ng).
 *
 * cp alone chooses a context's worker (the least loaded that has a free
 * slot of agw.media_contexts and the ports), each termination's local
 * address (unless the door names one) and ports from that worker's share
 * of agw.media_ports (RTP even, RTCP the next one unless rtcp-mux), and
 * our SRTP keys (getrandom(); never logged; wiped with explicit_bzero()
 * when a termination or context is dropped). A context's id has the
 * connection ids' layout (ipc_conn_make(): worker | slot | generation),
 * with CP_AGW_RTP_GEN_BIT set in its generation and never in a TCP
 * context's: an id names one kind or the other (cp_agw_id_is_rtp()).
 *
 * The rules of cp_agw.h hold here: who asks (struct cp_agw_caller: a
 * context answers to the door and tenant that made it, and to the
 * operator; anyone else gets -ENOENT as for one that does not exist),
 * errors as -errno with a sentence in err, agw.quota's door and tenant
 * quotas over the TCP and RTP contexts together (cp_agw_live() counts
 * both), one event log (agw.events).
 *
 * Restarts: a restarted cp takes each context back from dp's RTP_STATE
 * (door, tenant, serials, keys, figures, latches). A restarted dp lost
 * them; cp installs each again (RTP_ADD, the same id, worker and ports,
 * the last latched source as the remote, each SRTP stream's ROC and
 * sequence as last heard) and adds the figures it had to dp's new ones:
 * an RTP context outlives a dp restart (a TCP one does not).
 */
#ifndef CP_AGW_RTP_H
#define CP_AGW_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cp_agw_types.h"
#include "ipc.h"
#include "ipc_types.h"

struct cp_ctx;
struct cp_agw_ctx;
struct json_object;

/* The generation bit of RTP context ids (ipc_conn_gen()): set in every
 * RTP context's, clear in every TCP context's (agw_ctx.c wraps theirs
 * below it). */
#define CP_AGW_RTP_GEN_BIT 0x80000000u

/* Is id an RTP context's (else, when not 0, a TCP context's)? */
static inline bool
cp_agw_id_is_rtp(uint64_t id)
{
	return id != 0 && (ipc_conn_gen(id) & CP_AGW_RTP_GEN_BIT) != 0;
}

/* Where cp picks a termination's local address when the door gave none
 * (struct cp_agw_rtp_spec). */
enum cp_agw_rtp_side {
	CP_AGW_RTP_SIDE_ROUTE = 0,  /* the address dp reaches the remote from
				     * (cp_agw_route_src()), else ACCESS's */
	CP_AGW_RTP_SIDE_ACCESS = 1, /* the first access port's own address */
	CP_AGW_RTP_SIDE_CORE = 2,   /* the core's relayed addresses (relay_ipv4,
				     * relay_ipv6; none listed: the core
				     * port's own), the next when one has no
				     * free ports left */
};

/*
 * DTLS-SRTP on a termination (RFC 5763, RFC 5764, RFC 8842; issue 68),
 * as a door read the peer's SDP: struct cp_agw_rtp_spec's dtls and
 * struct cp_agw_rtp_mod's. cp/agw alone turns it into lib/ipc's
 * ipc_rtp_term.dtls (a door leaves term.dtls all zero), so that every
 * door (JSON, Iq, ng) follows one rule:
 * - our role (RFC 4145 §4, RFC 5763 §5): the peer's actpass answered
 *   active (we send the ClientHello: dp's CLIENT), or passive when the
 *   door asks (`passive`, ng's DTLS=passive); the peer's active makes us
 *   passive (SERVER), its passive active (CLIENT); OFFER, we offer
 *   actpass (dp's EITHER: a ClientHello is taken, the peer verified when
 *   the answer's modify brings its setup and fingerprints). holdconn is
 *   not a value: the door refuses it (the protocol's error).
 * - the peer's fingerprints (RFC 8122 §5): up to IPC_AGW_FP_MAX as the
 *   SDP gave them; cp keeps the strongest hash's (IPC_RTP_DTLS_FP_MAX of
 *   them) for dp; only sha-1 ones, refused (-EINVAL, a sentence naming
 *   agw.allow_sha1) unless agw.allow_sha1 or allow_sha1; none, refused
 *   except with OFFER.
 * - the association (RFC 8842 §5): a modify whose fingerprints and
 *   tls-id are those the termination has keeps it (and its keys), ICE
 *   restart or not; another fingerprint or tls-id starts a new one
 *   (assoc + 1: dp's old keys serve until the new handshake's install).
 *   The answer to our OFFER (setup ACTIVE or PASSIVE, its fingerprints)
 *   keeps the association: dp verifies the handshake it may have done.
 * - our certificate: the generation dp last published (DTLS_CERT;
 *   before it, -EAGAIN "dp has not published its DTLS certificate
 *   yet"), whose fingerprints the door writes (cp_agw_rtp_dtls_cert()).
 * - profile SAVP or SAVPF only (-EINVAL else), srtp_rx and srtp_tx all
 *   zero (the handshake makes the keys; -EINVAL else).
 * setup OFF: no DTLS (every field 0).
 */
enum cp_agw_dtls_setup {
	CP_AGW_DTLS_OFF = 0,
	CP_AGW_DTLS_OFFER = 1,          /* we offer a=setup:actpass */
	CP_AGW_DTLS_PEER_ACTPASS = 2,   /* the peer offered actpass */
	CP_AGW_DTLS_PEER_ACTIVE = 3,    /* the peer's a=setup:active */
	CP_AGW_DTLS_PEER_PASSIVE = 4,   /* the peer's a=setup:passive */
};
#define CP_AGW_DTLS_SETUP_MAX 4u
#define CP_AGW_TLS_ID_MAX 256u      /* a=tls-id: 20..255 characters, NUL */

struct cp_agw_rtp_dtls {
	uint8_t setup;                  /* enum cp_agw_dtls_setup */
	bool passive;                   /* PEER_ACTPASS: we answer passive */
	bool allow_sha1;                /* a sha-1 fingerprint alone trusted */
	uint8_t profiles;               /* IPC_RTP_DTLS_P_*: use_srtp's we take;
					 * 0: every one dp's SRTP has */
	uint8_t nfp;                    /* the peer's a=fingerprint lines */
	struct ipc_agw_fp fp[IPC_AGW_FP_MAX];
	char tls_id[CP_AGW_TLS_ID_MAX]; /* the peer's a=tls-id; "" none */
	bool renew;                     /* a modify: a new association whatever the
					 * fingerprints and tls-id (RFC 8842: an SDP
					 * without a=tls-id whose ICE ufrag changed) */
};

/*
 * What cp keeps of a termination's DTLS-SRTP (struct cp_agw_rtp's
 * dtls[i]; setup 0: none). Ours: what the door writes in the Local SDP
 * (a=setup, a=tls-id: 128 bits of getrandom() in 32 hex characters, made
 * at create and when a new association starts, kept in term[i].dtls.tls_id
 * too so that a restarted cp answers with it; a=fingerprint:
 * cp_agw_rtp_dtls_cert() of cert_gen). The peer's: its tls-id and
 * fingerprints as last signalled, for the operator (the association's
 * rule reads term[i].dtls: its fingerprints and the tls-id's digest).
 * dp's: the last RTP_DTLS heard (state 0: none
 * yet, a handshake to come; the keys of an UP one are in term[i].srtp_rx
 * and srtp_tx with IPC_RTP_DTLS_F_KEYS, secrets as SDES keys are).
 */
enum cp_agw_dtls_our_setup {
	CP_AGW_DTLS_OUR_ACTPASS = 1,
	CP_AGW_DTLS_OUR_ACTIVE = 2,
	CP_AGW_DTLS_OUR_PASSIVE = 3,
};

struct cp_agw_rtp_dtls_st {
	uint8_t setup;                  /* enum cp_agw_dtls_our_setup; 0 none */
	uint8_t state;                  /* enum ipc_rtp_dtls_state; 0 none yet */
	uint8_t role;                   /* dp's, taken: IPC_RTP_DTLS_CLIENT, _SERVER */
	uint8_t why;                    /* FAILED: dp/tls/tls_fails.def's */
	int8_t matched;
	uint8_t attempts;
	uint16_t version;
	uint16_t profile;               /* use_srtp's id (RFC 5764 §4.1.2) */
	uint16_t pad;
	uint64_t at_ms;                 /* cp's monotonic ms of the last RTP_DTLS */
	uint32_t handshakes;            /* UP heard on this termination */
	uint32_t failures;              /* FAILED heard */
	struct ipc_addr peer;
	struct ipc_agw_fp seen;
	struct ipc_agw_fp peer_fp[IPC_AGW_FP_MAX];   /* as signalled */
	uint8_t peer_nfp;
	char cipher[IPC_RTP_DTLS_CIPHER_MAX];
	char detail[IPC_RTP_DETAIL_MAX];
	char tls_id[33];                /* ours */
	char peer_tls_id[CP_AGW_TLS_ID_MAX];
};

/* use_srtp's profile id (RFC 5764 §4.1.2, RFC 7714 §14.2) by its name,
 * "unknown" for another: what agw show and the usage records say. */
static inline const char *
cp_agw_rtp_dtls_profile_name(unsigned int id)
{
	switch (id) {
	case 0x0001: return "SRTP_AES128_CM_SHA1_80";
	case 0x0002: return "SRTP_AES128_CM_SHA1_32";
	case 0x0007: return "SRTP_AEAD_AES_128_GCM";
	case 0x0008: return "SRTP_AEAD_AES_256_GCM";
	default: return "unknown";
	}
}

/* dp's DTLS-SRTP certificate of generation gen (ipc_rtp_term.dtls's
 * cert_gen; cp keeps the current one and the one before), NULL when cp
 * has no such generation (none published yet, or replaced twice since):
 * its fingerprints (sha-1, sha-256, sha-384, sha-512) for the Local
 * SDP's a=fingerprint. Owned by cp/agw; valid until the next DTLS_CERT. */
const struct ipc_dtls_cert *cp_agw_rtp_dtls_cert(const struct cp_ctx *cp, uint16_t gen);

/*
 * RFC 8842's rule for a peer whose SDP gives no a=tls-id (an RFC 5763
 * peer, which has no other way to say it): its ICE restart (new
 * credentials, RFC 8839 section 4.4.1.1.1) is a new DTLS association.
 * Every door calls it on the peer's DTLS-SRTP as its new SDP says it (d,
 * for cp_agw_modify()'s dtls) before the modify: d->renew is set when d
 * is DTLS-SRTP (setup not OFF) with no tls_id, the peer's ICE ufrag was
 * known before (before, before_len octets, no NUL needed; 0: none, as
 * ipc_rtp_ice.peer_ufrag's 0 length), is given now (now, now_len; 0:
 * none, the peer does no ICE now) and the two differ, or pwd_changed
 * says the door saw its pwd change (a door that keeps the peer's pwd:
 * ng; the others pass false). Otherwise d->renew is left as it is (a
 * door's own opt-out, ng's no-tls-id, is not to call it). The answer to
 * our offer, the peer's ufrag heard first, is no restart (before_len 0).
 * Header-only, as cp_agw_rtp_key.h: the doors' pure parts (test_iq_rtp)
 * need no cp/agw.
 */
static inline void
cp_agw_rtp_dtls_renew(struct cp_agw_rtp_dtls *d, const char *before, size_t before_len,
		      const char *now, size_t now_len, bool pwd_changed)
{
	if (d->setup == CP_AGW_DTLS_OFF || d->tls_id[0] != '\0' || before_len == 0 ||
	    now_len == 0)
		return;
	if (pwd_changed || before_len != now_len || memcmp(before, now, now_len) != 0)
		d->renew = true;
}

/*
 * BUNDLE (RFC 9143; dp/rtp/FEATURE.md "BUNDLE"): several m= sections of
 * one peer on one transport. Each section stays a context of its own;
 * the access termination of the group's first section is the OWNER (its
 * port, ICE, DTLS-SRTP, latching and consent are the group's transport),
 * the other sections' access terminations are MEMBERs of it, each in
 * its own context. A door asks for either in struct cp_agw_rtp_spec's
 * bundle (at a create or an add; a modify changes no role, owner or mid:
 * dp changes none in place, so an unbundled termination cannot become an
 * owner later without a subtract and an add, which would start its ICE,
 * DTLS and SRTP again):
 * - mid "" : no BUNDLE (every other field 0);
 * - with 0 : an OWNER, its section's mid and the MID extension's id;
 * - with an RTP context's id: a MEMBER of that context's termination
 *   with_term, which must be an OWNER with rtcp-mux of the same door and
 *   tenant (another door's is answered as one that does not exist). The
 *   member's context lives on its owner's worker (the id says which);
 *   its termination gets no port, address, remote, latching, gm, ICE or
 *   DTLS, and no key of its own: its keys carry the owner's suite with
 *   every key octet 0 (all zero under a DTLS-SRTP owner), the group's one
 *   key is the owner's (dp keys the member's SRTP with it, at the
 *   member's own positions). mid_ext 0 or the owner's.
 * Both: rtcp-mux (RFC 9143 §9.3), a mid of 1..IPC_RTP_MID_MAX token chars
 * (RFC 8866 §9; the MID header extension's one-byte form carries 16
 * octets, RFC 8285 §4.2: lib/sdp takes 32, a longer one is refused), one
 * bundled termination a context. The group: at most CP_AGW_RTP_BUNDLE_MAX
 * sections (the owner's and its members'), no mid twice, no payload type
 * or signalled SSRC in two sections (dp demultiplexes by them: a shared
 * payload type would go to neither). Each refusal is -EINVAL with a
 * sentence (-ENOENT for an owner unknown, -ENOSPC for a full group).
 */
#define CP_AGW_RTP_BUNDLE_MAX 8u          /* sections a group: dp's RTP_BUNDLE_MAX,
					   * lib/sdp's SDP_SECTIONS_MAX */
#define CP_AGW_RTP_MID_STR 33u            /* lib/sdp's a=mid (32), NUL */

struct cp_agw_rtp_bundle {
	uint64_t with;            /* MEMBER: the owner's context; 0: OWNER, or none */
	uint8_t with_term;        /* MEMBER: the owner's termination, 0 or 1 */
	uint8_t mid_ext;          /* the MID extension's a=extmap id (urn:ietf:params:
				   * rtp-hdrext:sdes:mid; 1..14 one-byte, 1..255 two-byte,
				   * RFC 8285); 0: none (a member: its owner's) */
	uint8_t nssrc;            /* a=ssrc SSRCs the section signals, 0..IPC_RTP_BUNDLE_SSRCS */
	uint8_t pad;
	uint32_t ssrc[IPC_RTP_BUNDLE_SSRCS];
	uint8_t pt[16];           /* the section's payload types: bit pt % 8 of octet
				   * pt / 8, as ipc_rtp_bundle has them */
	char mid[CP_AGW_RTP_MID_STR];     /* the section's a=mid; "": no BUNDLE */
};

/*
 * One termination as a door asks for it: term as lib/ipc has it
 * (dp/rtp/FEATURE.md's table) with the door's choices, and what cp
 * completes:
 * - profile 1..4, mode, flags (MUX, RSIZE), latch (the policy: lib/ipc's
 *   enum ipc_rtp_latch, with IPC_RTP_LATCH_SIGNALLED or not; each door
 *   sets it, its default its own: cp/agw's FEATURE.md), remote and
 *   remote_rtcp (family 0: none yet), gm_*, dscp, pol_*, inact_ms,
 *   clock_hz, memo: the door's, checked (lib/ipc's rules, agw.peers for a
 *   remote: -EACCES).
 * - local: family 0, the remote's (4 without one); an address all zero,
 *   cp picks one by side; else it must be one of dp's (-EINVAL). Port 0,
 *   cp picks (even, and rtcp_port the next one without MUX); a port
 *   given must be free on that address and in the context's worker's
 *   share (-EBUSY, -EINVAL), rtcp_port 0 then meaning port + 1.
 * - srtp_rx (SAVP, SAVPF: required): the remote's a=crypto, suite and
 *   key as lib/sdp parsed them (key_len sdp_suite_key_len()).
 * - srtp_tx (SAVP, SAVPF: required): suite set (the answer's), key_len 0,
 *   cp generates our master key and salt (getrandom()); key_len given,
 *   the door's key is taken (a test's, or a Local SDP that fixed it).
 *   The context's term[].srtp_tx holds what the door puts in the Local
 *   SDP's a=crypto.
 * - both keys pass the keys rule (-EKEYREJECTED; CP_AGW_RTP_KEYS below):
 *   neither is the other, nor a key of the other termination; our key
 *   is none the context has used; the remote's is none the context used
 *   but one the remote of this slot gave before (a fork's branch
 *   answering again, a re-INVITE going back to its key).
 * - ice (lib/ipc's struct ipc_rtp_ice): mode off, every field 0; or lite
 *   (dp answers the peer's checks, takes media only from a source that
 *   passed one and sends only to the pair it nominated, while its consent
 *   lasts: dp/rtp/FEATURE.md "ICE"), with our ufrag and pwd both given
 *   (a Local SDP that fixed them) or both left 0 (cp makes them from
 *   getrandom(): 8 and 24 ice-chars), the peer's ufrag given or 0 (not
 *   known yet: any taken); each within lib/ipc's bounds (ufrag 4 to 32,
 *   pwd 22 to 64) and of ice-chars, else -EINVAL with a sentence. The
 *   context's term[].ice holds what the door puts in the Local SDP's
 *   a=ice-ufrag and a=ice-pwd. ICE replaces latching on the termination.
 * - dtls (above): DTLS-SRTP; term.dtls is cp's (the door's is ignored).
 * - bundle (above): BUNDLE; term.bundle is cp's (the door's is ignored).
 * - serial, door, tenant: cp's (ignored).
 * An AVP/AVPF termination has both keys all zero.
 * emergency (cp_agw_create() only: either spec's): the context is an
 * emergency one (TS 23.334 §8): no quota refuses it (agw.quota's door and
 * tenant quotas; it still counts in them), only a lack of slots or ports.
 */
struct cp_agw_rtp_spec {
	struct ipc_rtp_term term;
	uint8_t side;             /* enum cp_agw_rtp_side */
	bool emergency;
	struct cp_agw_rtp_dtls dtls;      /* DTLS-SRTP (above); setup 0: none */
	struct cp_agw_rtp_bundle bundle;  /* BUNDLE (above); mid "": none */
};

#define CP_AGW_RTP_DTLS_NO_PROFILE 0xffffu

/* What a context keeps of the termination subtracted last from a slot
 * (no keys): its observers name it when its SUBTRACTED comes, the slot
 * being empty or another's by then (cp/acct's record; cp/iq's Notify,
 * from the door's memo, of one dp refused or the operator subtracted). */
struct cp_agw_rtp_gone {
	uint16_t serial;          /* 0: none */
	uint8_t profile;          /* enum ipc_rtp_profile */
	uint8_t flags;            /* IPC_RTP_F_* */
	uint16_t rtcp_port;
	uint16_t dtls_profile;    /* DTLS-SRTP: use_srtp's profile its handshake
				   * took (CP_AGW_RTP_DTLS_NO_PROFILE: none came
				   * up, or a restarted cp's); 0: no DTLS-SRTP */
	struct ipc_addr local, remote;
	uint8_t memo[IPC_RTP_MEMO_LEN];   /* the door's, as dp kept it */
};

/*
 * The SRTP keys a context has used (agw_rtp_keys.c, RFC 3711 §9.1: a
 * key we send under is one stream's, never two): a digest of each key's
 * octets (master key || salt) under a secret of this cp's,
 * CP_AGW_RTP_KEY_DIGEST octets of SHA-256, never the key, with the slot
 * of the termination that held it and its direction (the rule lets a
 * remote's key come back to the slot that held it, never anywhere else);
 * at most CP_AGW_RTP_KEYS a context, past which a new key is refused
 * (-ENOSPC: a new context starts a new memory). Wiped with the context.
 */
#define CP_AGW_RTP_KEYS 32u
#define CP_AGW_RTP_KEY_DIGEST 16u

struct cp_agw_rtp_key_used {
	uint8_t digest[CP_AGW_RTP_KEY_DIGEST];
	uint8_t term;             /* the slot whose termination held it: 0, 1 */
	uint8_t ours;             /* 1: our key to it (we sent under it); 0: its
				   * remote's to us (we received under it) */
};

/*
 * An RTP context's own part (struct cp_agw_ctx's rtp; its state
 * CP_AGW_LIVE once RTP_ADD went, CP_AGW_RELEASING once RTP_DEL went or
 * its last termination was subtracted). term[i] is what dp holds (profile 0: the slot is empty),
 * local addresses and ports chosen, srtp_tx our keys (secrets: never
 * logged, never shown; the door that made the context reads them once
 * for its Local SDP). st[i] are the termination's figures as last heard
 * (RTP_STATS, SUBTRACTED, RELEASED, RTP_STATE: at st_ms, cp's monotonic
 * ms; 0 never), counted over dp's restarts (what dp had before one is
 * added to what it reports after).
 */
struct cp_agw_rtp {
	uint8_t inactive[2];      /* reported INACTIVE, silent since */
	uint8_t aidx[2];          /* cp's: term[i].local's index in its address table */
	uint8_t readd;            /* cp's: to be installed again (dp restarted) */
	uint8_t sub_term;         /* cp's: the slot of the termination subtracted last */
	uint16_t sub_serial;      /* cp's: its serial (0: none waiting for SUBTRACTED) */
	uint8_t emergency;        /* made as an emergency context: 1, 2 past its door's
				   * quotas (not kept over a cp restart) */
	uint8_t nmembers;         /* BUNDLE: an owner's members in members[] */
	uint8_t mirror;           /* cp/ha's: the peer's, held for a takeover
				   * (not in this box's dp; cp_agw_rtp_mirror_put()) */
	uint8_t yielded;          /* cp's: RTP_DELs cp_agw_rtp_mirror_yield() sent
				   * whose RELEASED is still due (what dp says
				   * of the context until then is the old one's) */
	uint64_t created_ms;      /* cp's monotonic ms: nt/dur */
	uint64_t st_ms;           /* cp's monotonic ms of st[]'s last figures */
	uint64_t pos_due_ms;      /* cp's: when st[] is asked for again (SRTP) */
	/* BUNDLE: RTP of term[i]'s to the peer dp refused for an SSRC
	 * another section of the group holds (SSRC_CLASH: how many, the
	 * last SSRC; logged once a context) */
	uint32_t ssrc_clashes[2];
	uint32_t clash_ssrc[2];
	struct ipc_rtp_term term[2];
	struct ipc_rtp_stats st[2];
	struct ipc_rtp_stats base[2];     /* cp's: the figures before dp's last restart */
	struct ipc_rtp_stats sub_base;    /* cp's: base[sub_term] of the one subtracted */
	struct cp_agw_rtp_gone gone[2];   /* the termination subtracted last from each slot */
	struct cp_agw_rtp_dtls_st dtls[2];/* DTLS-SRTP (above): ours, the peer's, dp's */
	/* BUNDLE: the contexts whose termination is a member of this one's
	 * owner termination (term[i].bundle.role OWNER), in the order they
	 * joined; a restarted cp rebuilds them from RTP_STATE's */
	uint64_t members[CP_AGW_RTP_BUNDLE_MAX - 1];
	/* every SRTP key it has held, its terminations' and those
	 * subtracted since (a restarted cp: those dp held then), each
	 * once for each slot and direction it had */
	uint32_t nkeys;
	struct cp_agw_rtp_key_used keys[CP_AGW_RTP_KEYS];
};

/*
 * What an RTP context's observer hears (cp_agw_observe() of
 * CP_AGW_KIND_RTP, its e a struct ipc_rtp_event): every RTP_EVENT of a
 * known context, after cp/agw applied it (c as it is then; RELEASED: as
 * it was before its slot was freed), with e->st[] counted over dp's
 * restarts as c->rtp.st[] are:
 * - LATCHED: term e->term's flow (e->rtcp) latched e->addr;
 * - NOMINATED: an ICE termination's flow (e->rtcp): the peer nominated
 *   the pair whose remote is e->addr, where media go;
 * - CONSENT_LOST, CONSENT_REGAINED: its consent (RFC 7675) expired, e->
 *   silent_ms after the last valid check from e->addr (media to it
 *   stopped), or came back;
 * - INACTIVE: silent for e->silent_ms (H.248.40's Notify);
 * - SUBTRACTED: term e->term (serial e->serial: the slot may hold another
 *   termination by now; c->rtp.gone[e->term] describes it when its serial is
 *   e->serial) left, e->st[e->term] its last figures (what a
 *   Subtract's reply carries: cp_agw_subtract() leaves the last known
 *   at once, this the final ones);
 * - RELEASED: the context ended (cause controller, setup_failed: dp
 *   refused it, e->detail says why), e->st[] both terminations' last
 *   figures.
 * - SSRC_CLASH: BUNDLE: RTP of term e->term's to the peer refused, its
 *   SSRC e->ssrc another section's of the group (e->count since dp last
 *   told; at most one every 10 s a context).
 * - CP_AGW_RTP_EV_DTLS_UP, CP_AGW_RTP_EV_DTLS_FAILED (cp's types, past
 *   lib/ipc's: RTP_DTLS as cp/agw applied it): term e->term's handshake
 *   came up (keys installed in dp, kept in c->rtp.term[e->term]) or
 *   failed (media never flow under it), e->addr the peer, e->detail dp's
 *   sentence; c->rtp.dtls[e->term] holds the rest (role, cipher, profile,
 *   why). VERIFY_WAIT is no event (the answer's modify decides).
 * It may call the API below (not on a RELEASED context).
 */
#define CP_AGW_RTP_EV_DTLS_UP     0x40u
#define CP_AGW_RTP_EV_DTLS_FAILED 0x41u

/*
 * The answer to cp_agw_rtp_stats(), called once (never from inside
 * cp_agw_rtp_stats()), unless cancelled: rc 0, dp's figures now; -ENOENT,
 * the context ended first (st its last figures); -ETIMEDOUT, dp did not
 * answer within CP_AGW_RTP_STATS_MS, or dp restarted (st the last known).
 * st[i] are counted over dp's restarts; c->rtp.st[] hold them too.
 */
typedef void (*cp_agw_rtp_stats_fn)(struct cp_ctx *cp, uint64_t id, int rc,
				    const struct ipc_rtp_stats st[2], void *arg);
#define CP_AGW_RTP_STATS_MS 1000u
#define CP_AGW_RTP_STATS_PENDING 256u     /* requests waiting at once */

/* What an RTP termination's modify changes (H.248 Modify, a re-INVITE;
 * struct cp_agw_mod's rtp); NULL or *_set false: as it is. A remote changed clears its
 * latches (dp). Profile, local address, ports and rtcp-mux stay (a
 * change of those is a subtract and an add). */
struct cp_agw_rtp_mod {
	const struct ipc_addr *remote;     /* family 0: none */
	bool remote_rtcp_set;
	uint16_t remote_rtcp;
	bool mode_set;
	uint8_t mode;                      /* IPC_RTP_MODE_* */
	bool latch_set;
	uint8_t latch;                     /* enum ipc_rtp_latch | IPC_RTP_LATCH_SIGNALLED */
	bool rsize_set;
	bool rsize;                        /* IPC_RTP_F_RSIZE */
	bool gm_set;                       /* gm_addr family 0: none */
	struct ipc_addr gm_addr;
	uint8_t gm_plen;
	uint16_t gm_port_lo, gm_port_hi;
	bool dscp_set;
	uint8_t dscp;
	bool pol_set;                      /* pol_rate 0: no policing */
	uint32_t pol_rate, pol_burst;
	bool inact_set;
	uint32_t inact_ms;                 /* 0: none */
	bool clock_set;
	uint32_t clock_hz;
	const uint8_t *memo;               /* IPC_RTP_MEMO_LEN bytes */
	/* the remote's a=crypto again: the key the termination holds is
	 * taken (a re-offer repeats it); another is -EOPNOTSUPP (use
	 * srtp_rx_new) */
	const struct ipc_srtp_key *srtp_rx;
	/* the remote's new a=crypto (a rekeying re-INVITE, RFC 4568 §7.1.4;
	 * SAVP, SAVPF only; not with srtp_rx): dp receives with it from where
	 * the stream stands (RFC 3711 §3.3.1: the ROC goes on over a
	 * rekeying; its position fields are ignored), and our key (srtp_tx)
	 * goes on where it is: never made anew at index 0 */
	const struct ipc_srtp_key *srtp_rx_new;
	/* ICE: ice_set, its mode (enum ipc_rtp_ice_mode: turned on, our
	 * credentials made unless ice_ufrag and ice_pwd give them; off);
	 * ice_restart, new credentials (RFC 8445 §9: both change; given in
	 * ice_ufrag and ice_pwd, else made; the peer's ufrag forgotten unless
	 * ice_peer_ufrag gives the new one): dp keeps the nominated pair
	 * until a check under them nominates; ice_peer_ufrag, the peer's
	 * ufrag (NULL: as it is; "": not known, any taken) */
	bool ice_set;
	uint8_t ice_mode;
	bool ice_restart;
	const char *ice_ufrag, *ice_pwd;
	const char *ice_peer_ufrag;
	/* DTLS-SRTP: the peer's SDP again (a re-offer, or the answer to our
	 * OFFER), the association kept or started anew by the rule above;
	 * NULL: as it is. Turning DTLS on or off is a subtract and an add. */
	const struct cp_agw_rtp_dtls *dtls;
	/* BUNDLE: the section again (a re-offer): its payload types and
	 * signalled SSRCs change (none of another section's); its with,
	 * with_term, mid and mid_ext must be what it has (another is a
	 * subtract and an add: -EINVAL). NULL: as it is. */
	const struct cp_agw_rtp_bundle *bundle;
};

/*
 * What only RTP contexts have, beside cp_agw.h's C API (the same rules:
 * who asks, errors as -errno with a sentence): dp's figures on request.
 */

/* Ask dp for context id's figures now (RTP_STATS_REQ); fn(arg) hears the
 * answer (cp_agw_rtp_stats_fn). *req (NULL: not wanted) names the request
 * for cp_agw_rtp_stats_cancel(). -ENODEV no RTP contexts in this cp;
 * -ENOENT no such RTP context, or not who's; -EAGAIN the ring to dp is
 * full; -ENOSPC: CP_AGW_RTP_STATS_PENDING requests wait already (use
 * c->rtp.st, the last known). */
int cp_agw_rtp_stats(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
		     cp_agw_rtp_stats_fn fn, void *arg, uint32_t *req, char *err, size_t errlen);
/* Would termination t (a door's, as for cp_agw_add(): its profile and
 * keys are what is judged; our key of key_len 0, one cp makes) pass the
 * SRTP keys rule in place of what slot term of context id holds? For a
 * door that changes a termination by a subtract and an add (what cp/agw
 * cannot change in place): asked first, the subtraction is done only when
 * the add will not be refused for its keys. 0; -EKEYREJECTED or -ENOSPC
 * (the rule's, cp_agw.h), -ENOENT, -ENODEV, -EINVAL; nothing changes. */
int cp_agw_rtp_keys_check(struct cp_ctx *cp, const struct cp_agw_caller *who, uint64_t id,
			  unsigned int term, const struct ipc_rtp_term *t, char *err,
			  size_t errlen);
/* Request req's fn is not called (its door went: an association ended).
 * Unknown or answered requests are ignored. */
void cp_agw_rtp_stats_cancel(struct cp_ctx *cp, uint32_t req);

/*
 * The pair's mirror of RTP contexts (cp/ha's, docs/design/ha.md §1.4 and
 * §3.5, slice 7). cp/agw does not know cp/ha: cp/ha hears what changes
 * through cp_dp_tap() (every RTP_ADD, RTP_MOD, RTP_DEL sent; every
 * RTP_EVENT, RTP_STATS, RTP_DTLS, RTP_STATE taken) and reads and writes
 * the contexts through these. A context is carried as a restarted cp
 * takes one back from dp (lib/ipc's RTP_STATE body: both terminations
 * whole, keys included, and the figures that carry it on: latches, ICE
 * consent, INACTIVE, the SRTP positions) with its label and age.
 */
struct cp_agw_rtp_mirror {
	uint64_t id;
	uint64_t age_ms;              /* since it was made */
	char label[64];               /* NUL-terminated */
	struct ipc_rtp_state s;       /* the figures other than those above: 0 */
};

/* The RTP table's slots (workers x agw.media_contexts; 0: no RTP
 * contexts): the index space of the next three. */
uint32_t cp_agw_rtp_mirror_cap(const struct cp_ctx *cp);
/* id's index when it is a context here (this box's own or a mirrored
 * one held for a takeover), else -ENOENT. */
int cp_agw_rtp_mirror_index(const struct cp_ctx *cp, uint64_t id);
/* The context at index, for the peer: 0 and *out filled (keys with it: a
 * secret, the caller wipes it), or -ENOENT (free, being released, or a
 * mirrored one held here). */
int cp_agw_rtp_mirror_get(const struct cp_ctx *cp, uint32_t index, struct cp_agw_rtp_mirror *out);
/* The next index from *cur on whose context is one (any: this box's or
 * mirrored), *cur moved past it; -ENOENT at the end. */
int cp_agw_rtp_mirror_next(const struct cp_ctx *cp, uint32_t *cur, uint64_t *id);
/*
 * The standby: m, the peer's, held here for a takeover (not given to this
 * box's dp, which relays nothing, nor told to any observer). Held to this
 * box's configuration first: its slot (worker and slot within this box's
 * table, an RTP id), each termination's address one of this dp's and its
 * ports in the worker's share of agw.media_ports and no other context's,
 * its door and tenant known here; a remote or latched source agw.peers
 * refuses is dropped (counted CP_AGW_STAT_REMOTE_REFUSED), as the
 * allocations' bindings are by the peer policy. One held already is
 * replaced whole. 0; -EINVAL a shape this box forbids (the batch is
 * refused); -EBUSY the slot holds a context of this box's own (counted,
 * not a refusal: a box that stepped down holds none, its own yielded at
 * once, cp_agw_rtp_mirror_yield(), a full ring to dp or not); -ENODEV no
 * RTP contexts here.
 */
int cp_agw_rtp_mirror_put(struct cp_ctx *cp, const struct cp_agw_rtp_mirror *m);
/* The mirrored context id gone (its tombstone, or a walk's stale one):
 * 0; -ENOENT none held; -EBUSY one of this box's own (left alone). */
int cp_agw_rtp_mirror_del(struct cp_ctx *cp, uint64_t id);
/* Mirrored contexts held (the standby's figure for status). */
uint32_t cp_agw_rtp_mirror_held(const struct cp_ctx *cp);
/*
 * This box took over (docs/design/ha.md §3.5): each mirrored context
 * (the peer's, or one of this box's yielded when it stepped down, its
 * RTP_DEL maybe still waiting for room: the RTP_ADD goes behind it)
 * becomes this box's own and is given to its dp as a restarted dp's are
 * (paced by the loop as the rings have room: media back to the source
 * last latched, ICE's nominated pair with its consent from the install,
 * INACTIVE re-armed by the install), each send stream's SRTP position
 * and SRTCP index first moved ahead packets past the mirrored one (what
 * the box before may have protected within the mirror's bound), then
 * IPC_SRTP_POS_LAG and CP_AGW_RTP_SRTCP_AHEAD as a restarted dp's: no
 * index is protected twice under a key (RFC 3711 §9.1). Contexts taken.
 */
unsigned int cp_agw_rtp_mirror_takeover(struct cp_ctx *cp, uint32_t ahead);
/*
 * The last takeover's install, as status shows it (ha.takeover): *n the
 * contexts taken, *sent_ms the ms from the role turning active to the
 * last of their RTP_ADDs in a ring to dp, *installed_ms to dp holding
 * every one (the FENCE_DONE of a FENCE behind them, cp_agw_when_held());
 * each -1 while not reached (and installed_ms stays -1 when dp never
 * answered the FENCE: CP_AGW_HOLD_MS, a dp restart, or a dp without
 * FENCE, whose figure is sent_ms). Milliseconds of cp's loop clock. 0: a
 * takeover with contexts happened; -ENOENT: none yet.
 */
int cp_agw_rtp_takeover_figures(const struct cp_ctx *cp, uint32_t *n, int64_t *sent_ms,
				int64_t *installed_ms);
/*
 * This box is not the active one any more (a switchover, or fenced, or a
 * cp started as the standby over a dp that holds contexts;
 * docs/design/ha.md §3.5): each context of its own becomes one held for
 * a takeover, as the peer's are, and leaves this box's dp (an RTP_DEL
 * whose RELEASED is taken quietly: no observer, no usage record, the call
 * goes on through the peer). The peer's records then replace it (no
 * -EBUSY from cp_agw_rtp_mirror_put()), its tombstones and walks end it,
 * and a later takeover gives dp the positions the peer reached, past the
 * bound: never those this dp stood at when it stepped down, which the
 * peer has protected past since (RFC 3711 §9.1: an index twice under a
 * key). Until its RELEASED, what dp says of it (figures, positions,
 * events, DTLS) is ignored: the old dp's. Contexts being released are left
 * to end. Each is held at once, a full ring to dp or not (§4, S3): an
 * RTP_DEL the ring has no room for waits in a backlog, sent by the loop
 * (cp_agw_serve()) as the ring has room, before anything else cp/agw
 * sends that worker; a dp restart empties it (the new dp holds none). A
 * takeover before it drains takes such a context as any held one, its
 * RTP_ADD behind the RTP_DEL: never at this dp's stale positions. cp/ha
 * calls it at the step-down, then each heartbeat while not active (a
 * dp's contexts given back to a cp started as the standby). Returns the
 * contexts yielded by this call.
 */
unsigned int cp_agw_rtp_mirror_yield(struct cp_ctx *cp);
/* The yield's RTP_DELs still waiting for room in a ring to dp (0: none). */
uint32_t cp_agw_rtp_mirror_yield_pending(const struct cp_ctx *cp);
/* Is what dp says or is told of context id not of the context cp holds:
 * one held for a takeover, or one yielded whose RTP_DEL's RELEASED has
 * not come back? An RTP_DEL of such a one ends no context (cp/ha's tap
 * sends no tombstone of it). False for an id not here. */
bool cp_agw_rtp_mirror_quiet(const struct cp_ctx *cp, uint64_t id);
/* Is latch one of ipc_rtp_term.latch's values (a policy, SIGNALLED or
 * not)? */
static inline bool
cp_agw_rtp_latch_ok(unsigned int latch)
{
	return (latch & IPC_RTP_LATCH_POLICY) <= IPC_RTP_LATCH_MAX &&
	       (latch & ~(IPC_RTP_LATCH_POLICY | IPC_RTP_LATCH_SIGNALLED)) == 0;
}

/* Live RTP contexts of door (CP_AGW_DOORS: every door's) and tenant
 * (TP_CONF_MAX_TENANTS + 1: every tenant's), no walk. */
uint32_t cp_agw_rtp_live(const struct cp_ctx *cp, unsigned int door, unsigned int tenant);

/* Where the streams under key k carry on (RFC 3711 section 3.3.1: the ROC
 * goes on over a restart and over a rekeying): every SSRC's ROC and highest
 * sequence number dp's SRTP stood at when cp last heard (pos; no streams:
 * not moved yet, from the start). srtcp: the SRTCP index too, which stands on
 * its own (a held leg may have sent RTCP only; an index started over
 * would reuse SRTCP's keystream); false where k is a new key, whose index
 * is taken from any. Never for our key after a rekeying: a send position
 * behind dp's would reuse indices (RFC 3711 section 9.1). */
static inline void
cp_agw_rtp_key_at(struct ipc_srtp_key *k, const struct ipc_srtp_pos *pos, bool srtcp)
{
	if (k->suite == 0)
		return;
	if (srtcp && pos->srtcp_index > k->srtcp_index)
		k->srtcp_index = pos->srtcp_index;
	if (pos->nstreams == 0)
		return;
	k->nstreams = pos->nstreams;
	memcpy(k->stream, pos->stream, sizeof(k->stream));
}


#endif /* CP_AGW_RTP_H */
