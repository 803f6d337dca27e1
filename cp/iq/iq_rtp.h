/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's RTP terminations: what an Add's or Modify's Media descriptor
 * (its Local and Remote SDP, LocalControl's packages) and Events ask of
 * one RTP termination, mapped onto lib/ipc's struct ipc_rtp_term (the
 * termination dp installs, dp/rtp/FEATURE.md), the Local SDP of our reply
 * from what cp/agw installed, and the rtp and nt statistics of a
 * Subtract's and an AuditValue's reply. Nothing here touches cp/agw: the
 * mapping is judged alone (tests/unit/test_iq_rtp.c); iq_cmd.c calls
 * cp/agw's RTP API (cp_agw_rtp.h) with what it gives.
 *
 * The packages by their names in TS 29.334 (FEATURE.md's table):
 *   ipnapt/latch (H.248.37)  latch: ON IQ_RTP_LATCH, OFF IPC_RTP_LATCH_OFF
 *   gm/saf, sam, spf, spr    gm_addr/gm_plen, gm_port_lo..hi (H.248.43)
 *   tman/pol, sdr, mbs       pol_rate, pol_burst (H.248.53)
 *   ds/dscp                  dscp (H.248.52)
 *   rtcph/rtcpa              RTCP passed through (H.248.57): ON, or OFF
 *                            with rtcp-mux (no RTCP port to leave out)
 *   adid/ipstop{dt}, it/ito{mit} (H.248.40, H.248.14 on a termination)
 *                            inact_ms, and the Notify when dp says so
 *   Mode, a=sendrecv etc.    mode bits (H.248.1 7.1.7, RFC 3264)
 *
 * WebRTC (issue 68; TS 23.334 §5.20, §6.2.10.5, §6.2.17.1): a Remote with
 * a=ice-ufrag and a=ice-pwd (not itself ice-lite), or a Local with
 * a=ice-lite, makes the termination an ICE lite agent (term.ice: the
 * peer's ufrag; ours cp/agw's, or Local's); UDP/TLS/RTP/SAVP(F) makes it
 * DTLS-SRTP, Remote's a=setup, a=fingerprint and a=tls-id (and Local's
 * a=setup, the controller's word for our role) read into a struct
 * cp_agw_rtp_dtls that cp/agw's one rule for every door judges
 * (cp_agw_rtp.h); our Local then carries a=ice-lite, our ufrag and pwd,
 * host candidates, our fingerprint, a=setup and a=tls-id.
 */
#ifndef CP_IQ_RTP_H
#define CP_IQ_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agw/cp_agw_rtp.h"
#include "h248.h"
#include "ipc_types.h"
#include "iq_props.h"
#include "sdp.h"

/* A termination's names: "rtp/<term>/<serial>" (TCP's are "tcp/..."). */
#define IQ_RTP_PREFIX "rtp/"

/* ipnapt/latch ON (H.248.37): the relatch rule (a UE whose NAT binding
 * moved is heard again after agw.media_relatch of silence). Iq has gm
 * (H.248.43) to bound who may latch at all: an IMS-ALG that knows the
 * UE's address says gm/saf, and no stranger elsewhere can take the
 * stream (ng, which has no gm, latches strictly by default). */
#define IQ_RTP_LATCH IPC_RTP_LATCH_RELATCH

/* tman/pol ON with sdr and no mbs: a quarter second of the rate, at
 * least one full datagram (a smaller bucket would drop every packet
 * above it whatever the rate). */
#define IQ_RTP_MBS_MIN 1500u

/* The inactivity a termination's Events ask for (H.248.40 adid/ipstop,
 * or H.248.14 it/ito named on a termination): the silence, in ms, after
 * which dp reports it, and which event the Notify names. */
enum iq_rtp_ievent {
	IQ_RTP_IEV_NONE = 0,
	IQ_RTP_IEV_IPSTOP = 1,    /* adid/ipstop */
	IQ_RTP_IEV_ITO = 2,       /* it/ito */
};
struct iq_rtp_ev {
	uint8_t which;            /* enum iq_rtp_ievent */
	uint32_t inact_ms;        /* 0 with NONE */
};

/*
 * What a command asks of one RTP termination. term is as cp/agw's
 * struct cp_agw_rtp_spec takes it: local all zero where we choose
 * (local.family set), port 0 where we choose, srtp_tx with its suite and
 * key_len 0 where our key is ours to make.
 */
struct iq_rtp_spec {
	struct ipc_rtp_term term;
	bool addr_choose;         /* our address is ours to pick (`$` or no c=) */
	bool port_choose;         /* our port is ours to pick (`$`) */
	bool key_choose;          /* SRTP: cp/agw makes our key */
	bool remote_known;        /* a Remote was given */
	bool dir_said;            /* a direction (Mode, a=<dir>) was said: the
				   * answer writes one */
	uint8_t media;            /* enum sdp_media_type */
	uint8_t proto;            /* enum sdp_proto */
	uint32_t tag;             /* our a=crypto's tag (SRTP) */
	uint64_t lifetime;        /* our a=crypto's lifetime, 0: none */
	char fmt[SDP_FMT_MAX];    /* the payload types the answer lists */
	char codec[SDP_CODEC_MAX];/* the codec lines the answer repeats */
	/* ICE (RFC 8445 §2.5: we are lite): term.ice.mode IPC_RTP_ICE_LITE,
	 * term.ice.peer_ufrag Remote's, ours Local's or 0 (cp/agw makes
	 * them); ice_peer says a Remote with ICE was read (a Modify's: the
	 * peer's credentials now) */
	bool ice;
	bool ice_peer;
	/* DTLS-SRTP (setup 0: none): the peer's SDP as cp/agw's rule takes it;
	 * local_setup Local's a=setup (enum sdp_setup; an Add's offer takes
	 * actpass, `$` or none: iq_cmd.c refuses active and passive there, a
	 * Modify repeating our Local without Remote says ours) */
	struct cp_agw_rtp_dtls dtls;
	uint8_t local_setup;
	char mid[SDP_MID_MAX];    /* Remote's a=mid, echoed in our Local ("" none) */
};

/*
 * A Modify's ICE against the termination as it is (cur), its Remote read
 * into rs (remote_known), into qm (RFC 8839 section 4.4.1.1.1): a peer that
 * stops doing ICE has it turned off, one that starts it on, one that gives
 * a new ufrag restarts it (ours new too, RFC 8445 section 9) unless its
 * ufrag was not known before (the answer to our offer: taken, no
 * restart). peer_ufrag (IPC_ICE_UFRAG_MAX + 1 octets, the caller's: qm
 * points into it) gets Remote's ufrag. With qm->dtls (rs's DTLS-SRTP, the
 * caller's), cp/agw's rule for a peer without a=tls-id
 * (cp_agw_rtp_dtls_renew(), RFC 8842): its new ufrag is a new association.
 * True when ICE's credentials change (our Local then says ours).
 */
bool iq_rtp_mod_ice(const struct ipc_rtp_term *cur, struct iq_rtp_spec *rs,
		    struct cp_agw_rtp_mod *qm, char *peer_ufrag);

/* Our DTLS-SRTP lines of a Local (iq_rtp_answer()): our certificate's
 * fingerprint (cp_agw_rtp_dtls_cert()), our a=setup (ACTIVE, PASSIVE,
 * ACTPASS: cp/agw's cp_agw_rtp_dtls_st.setup) and tls-id. */
struct iq_rtp_dtls_ours {
	struct certfp fp;
	uint8_t setup;            /* enum sdp_setup */
	char tls_id[33];
};

/* Is this Media an RTP one (an m= line of an RTP proto in Local or
 * Remote)? Then iq_rtp_spec() judges it; else it is TCP's. */
bool iq_rtp_media(const struct iq_media *m);

/*
 * The termination m (and ev, NULL: no Events) asks for. suites: what
 * the gateway's SRTP takes (SDP_SUITE_BIT()s, 0: every known one).
 * Without Remote and with a=crypto:$ or no line, our offer is
 * AES_CM_128_HMAC_SHA1_80. 0, or -1 with f (the H.248.8 code, a sentence
 * that never holds a key); *out is then zeroed.
 */
int iq_rtp_spec(const struct iq_media *m, const struct iq_rtp_ev *ev, unsigned int suites,
		struct iq_rtp_spec *out, struct iq_fail *f);

/* An SDP error as H.248.8 names it (lib/sdp's code): cp/iq's one table,
 * for TCP and RTP. */
unsigned int iq_sdp_code(enum sdp_err e);

/*
 * Our Local for the reply: spec's media, proto, formats and codec lines
 * with what cp/agw installed (t: our address, ports, srtp_tx), every `$`
 * filled: c= our address, m= our RTP port, a=rtcp our RTCP port unless
 * rtcp-mux (then a=rtcp-mux), the direction from t's mode when one was
 * said, our a=crypto (spec's tag and suite, t's key) for SAVP/SAVPF;
 * with ICE on t (t->ice.mode), a=ice-lite, t's ufrag and pwd, our host
 * candidates on t's address and ports (RFC 8445 §5.1.1.1) and
 * a=end-of-candidates; for DTLS-SRTP (spec->dtls.setup), d's fingerprint,
 * a=setup and a=tls-id (d NULL then: -EINVAL); spec's mid. The length, or
 * -errno. buf holds our key or ICE password: the caller wipes it.
 */
int iq_rtp_answer(const struct iq_rtp_spec *spec, const struct ipc_rtp_term *t,
		  const struct iq_rtp_dtls_ours *d, uint64_t sess_id, uint64_t sess_version,
		  char *buf, size_t size);

/* The statistics of one termination (its figures, from its network's
 * side: RTP and RTCP together for nt's octets): nt/or, nt/os, nt/dur,
 * rtp/pr, rtp/ps, rtp/pl, rtp/jit, written into an open Statistics
 * descriptor. */
void iq_rtp_stats_write(struct h248_w *w, const struct ipc_rtp_stats *st, uint64_t dur_ms);

/* The mode bits of an H.248 Mode token (SENDRECV, SENDONLY, RECVONLY,
 * INACTIVE): IPC_RTP_MODE_*. */
uint8_t iq_rtp_mode_of(unsigned int tok);

#endif /* CP_IQ_RTP_H */
