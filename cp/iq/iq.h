/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq: the IMS-ALG's door into the access gateway, H.248 (ITU-T H.248.1
 * version 3, text encoding) as 3GPP TS 29.334 profiles it for the Iq
 * interface. turnpike-cp plays the media gateway: it registers with the
 * controllers of iq.mgc (ServiceChange), answers their transactions over
 * UDP or TCP (iq_net, iq_trans) and carries their commands out on the
 * same contexts as the operator API (cp/agw): one H.248 context is one
 * AGW context, one termination one leg. What dp reports of a context
 * goes back as Notify when the controller asked for it.
 */
#ifndef CP_IQ_H
#define CP_IQ_H

#include <stdint.h>

struct cp_ctx;
struct cp_iq;
struct json_object;

/* Iq's counters. */
enum iq_stat {
#define IQ_STAT(e, n, h) IQ_STAT_##e,
#include "iq_stats.def"
#undef IQ_STAT
	IQ_STAT__COUNT
};

/* The error codes counted one by one; the rest count as "other", the last. */
enum {
#define IQ_ERR_CODE(c) IQ_ERR_##c,
#include "iq_err_codes.def"
#undef IQ_ERR_CODE
	IQ_ERR_OTHER,
	IQ_ERR__COUNT
};

/* What cp/metrics and status read: the first member of cp/iq's state, so
 * that it is read through cp->iq without the rest of cp/iq. */
struct cp_iq_counters {
	uint8_t assoc;                /* 0 idle, 1 registering, 2 registered */
	uint8_t mgc;                  /* with iq.mgc[mgc] */
	uint64_t stats[IQ_STAT__COUNT];
	uint64_t err[IQ_ERR__COUNT];
	uint64_t strangers;           /* datagrams from hosts of no controller */
	uint64_t wrong_port;          /* from a controller's host, not one of its sources */
	uint64_t unauth[8];           /* refused by iq.auth, by reason (iq_auth.h) */
	uint64_t oversize;            /* messages from a controller past 8192 bytes */
	uint64_t resent;              /* our requests sent again */
	uint64_t gave_up;             /* our requests never answered */
};

/* The counters of cp's iq (NULL without an iq group). */
static inline const struct cp_iq_counters *
cp_iq_counters(const struct cp_iq *q)
{
	return (const struct cp_iq_counters *)(const void *)q;
}

/* The cp/agw id of the live RTP context the Iq association knows as
 * H.248 ContextID h (made by the Iq door for iq.tenant), or 0 (none, no
 * iq group). cp/li's LI_T3 triggers (docs/design/li.md §2.7). */
uint64_t cp_iq_rtp_ctx_id(struct cp_ctx *cp, uint32_t h);

/* The module (iq_module.c): set up when the configuration has an iq
 * group. */
extern const struct cp_module cp_iq_module;


#endif /* CP_IQ_H */
