/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/dtls_srtp as one of dp's modules (dtls_srtp_module.c): the
 * descriptor the root lists, and for the tests what turns the engine's
 * event into lib/ipc's RTP_DTLS.
 */
#ifndef DP_DTLS_SRTP_MODULE_H
#define DP_DTLS_SRTP_MODULE_H

#include <stdint.h>

#include "dtls_srtp_types.h"
#include "ipc_types.h"

struct dp_module;
struct dp_worker;

/* With an agw group that has media_ports: our certificate, each worker's
 * engine, dp/rtp's DTLS ops (registered as each worker is made, so that
 * dp/rtp's set-up, listed before, takes them), RTP_DTLS and DTLS_CERT to
 * cp. */
extern const struct dp_module dtls_srtp_dp_module;

/* The engine's event of termination idx (at at_ms on the worker's
 * clock) as RTP_DTLS's body: every field lib/ipc bounds within its
 * bounds, UP's keys only with UP. */
void dtls_srtp_module_ev_fill(uint32_t idx, const struct dtls_srtp_event *ev, uint64_t at_ms,
			      struct ipc_rtp_dtls_ev *e);
/* The engine's event callback: ev queued as RTP_DTLS of the context
 * termination idx is in (none known: dropped), sent by the sweep. */
void dtls_srtp_module_event(struct dp_worker *w, uint32_t idx, const struct dtls_srtp_event *ev);

#endif /* DP_DTLS_SRTP_MODULE_H */
