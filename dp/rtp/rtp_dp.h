/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/rtp: the access gateway's RTP terminations (dp/rtp/FEATURE.md).
 * Contexts of two UDP media terminations that cp installs (RTP_ADD,
 * RTP_MOD, RTP_DEL), relayed to each other in the worker that owns their
 * ports (agw.media_ports, cut into worker shares): latched and filtered
 * (H.248.37, H.248.43), checked (lib/rtp), counted, policed, marked, and
 * reported to cp (RTP_EVENT, RTP_STATS, RTP_STATE). What the rest of dp
 * sees of it: the module's descriptor, its counters, the SRTP and
 * DTLS-SRTP seams' registration and calls back, and, for the tests, the
 * UDP handler.
 */
#ifndef DP_RTP_DP_H
#define DP_RTP_DP_H

#include <stdbool.h>
#include <stdint.h>

#include "rtp_dp_types.h"

struct dp_ctx;
struct dp_module;
struct dp_udp_meta;
struct dp_worker;
struct dp_ctrs_family;
struct rte_mbuf;

/* The module (dp_module.h): set up with an agw group that has
 * media_ports; nothing otherwise. */
extern const struct dp_module rtp_dp_module;

/* Its counters for cp (dp_ctrs.h): rtp_<name> and the contexts now,
 * lib/rtp's refusals by reason (rtp_malformed_<reason>), SRTP's
 * (rtp_srtp_<reason>), ICE's (rtp_ice_refused_<reason>). */
extern const struct dp_ctrs_family rtp_dp_ctrs;
extern const struct dp_ctrs_family rtp_dp_malformed_ctrs;
extern const struct dp_ctrs_family rtp_dp_srtp_ctrs;
extern const struct dp_ctrs_family rtp_dp_ice_ctrs;

/* SRTP's ops (rtp_dp_types.h), once, before the module's set-up (which
 * takes rtp_srtp.c's, on libipsec-mb, when none were; without any an SRTP
 * termination is refused). 0, or -EEXIST for other ops. */
int rtp_srtp_register(const struct rtp_srtp_ops *ops);

/* DTLS-SRTP's ops (rtp_dp_types.h), once, before the module's set-up
 * (dp/dtls_srtp's module registers them as each worker is made); without
 * them a DTLS-SRTP termination is refused and DTLS on a media port is
 * counted (rtp_dropped_dtls). 0, or -EEXIST for other ops. */
int rtp_dtls_register(const struct rtp_dtls_ops *ops);

/*
 * DTLS-SRTP's seam back into dp/rtp (the ops' caller, on the worker's
 * thread). rtp_term_srtp_keys(): the keys a handshake exported (RFC 5764
 * §4.2: rx what termination idx's network protects with, tx ours) become
 * its SRTP contexts now, as cp's would (their trailers, an SRTP position
 * told to cp), and its cfg's copy (RTP_STATE gives them to a restarted
 * cp, flagged IPC_RTP_DTLS_F_KEYS); the caller wipes its own copies. 0;
 * -ESTALE when idx holds no DTLS-SRTP termination of that serial any
 * more (the keys were not taken); -EINVAL when SRTP refuses them.
 * rtp_term_src_ok(): would idx take media from src on its RTP flow (ICE:
 * a check from it passed within agw.ice_consent_ms; otherwise its latched
 * source, or latching's rule and gm for another)?
 */
int rtp_term_srtp_keys(struct dp_worker *w, uint32_t idx, uint16_t serial,
		       const struct ipc_srtp_key *rx, const struct ipc_srtp_key *tx);
bool rtp_term_src_ok(struct dp_worker *w, uint32_t idx, const struct ipc_addr *src);

/* A datagram to a media port (net's UDP demultiplexer calls it: the
 * handler the module registered for each port of agw.media_ports).
 * Consumes m. */
void rtp_udp_input(struct dp_worker *w, struct rte_mbuf *m, const struct dp_udp_meta *meta,
		   void *arg);

/* The worker's table sweep and events to cp (the module's sweep hook):
 * the work done. */
unsigned int rtp_sweep(struct dp_worker *w, uint64_t tsc);

#endif /* DP_RTP_DP_H */
