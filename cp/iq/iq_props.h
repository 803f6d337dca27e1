/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq: what one termination's Media descriptor asks (struct iq_media),
 * and the properties read into it from LocalControl and TerminationState:
 * iq_props.c holds the one table of the properties accepted, by package
 * and descriptor, each with its reader. Nothing here touches cp/agw: a
 * descriptor is judged alone (tests/unit/test_iq_props.c).
 */
#ifndef CP_IQ_PROPS_H
#define CP_IQ_PROPS_H

#include <stdbool.h>
#include <stdint.h>

#include "h248.h"
#include "sdp.h"

/* What went wrong in a command: the H.248.8 code and the controller's
 * sentence. */
struct iq_fail {
	unsigned int code;
	char text[200];
};

struct iq_media {
	bool local, remote;
	struct sdp l, r;
	/* LocalControl's Mode (H.248.1 7.1.7): the H.248 token (SENDRECV,
	 * SENDONLY, RECVONLY, INACTIVE), judged by the termination's kind: a
	 * TCP splice takes SendReceive only */
	bool mode_set;
	uint16_t mode;
	/* H.248.57 rtcph/rtcpa: RTCP's allocation (RTP terminations) */
	bool rtcpa_set, rtcpa;
	bool latch_set, latch;
	/* H.248.43 gm: the remote source filters (saf, sam; spf, spr) */
	bool saf_set, saf, spf_set, spf;
	uint8_t sam_fam;          /* 0: no gm/sam */
	uint8_t sam[16];
	uint16_t spr;             /* 0: no gm/spr */
	char realm[64];           /* ipdc/realm: a dp port's name */
	bool timerx_set;          /* TerminationState's hangterm/timerx */
	uint32_t timerx;
	/* H.248.52 ds/dscp; H.248.53 tman/pol, sdr, mbs (pdr and dvt are
	 * checked and not kept: FEATURE.md) */
	bool dscp_set, pol_set, pol, sdr_set, mbs_set;
	uint8_t dscp;
	uint32_t sdr, mbs;
};

/* The descriptors holding properties. */
enum iq_desc {
	IQ_DESC_LOCALCONTROL = 1u << 0,
	IQ_DESC_TERMSTATE = 1u << 1,
};

/*
 * The properties of desc (a LocalControl or TerminationState node, as in)
 * read into m, in the order written. 0, or -1 with f: a property not in
 * the table (445; a TerminationState's token other than ServiceStates is
 * taken and ignored), a value its reader refuses (449, 517), a property
 * given twice in the descriptor (456).
 */
int iq_props_read(const struct h248_tree *t, const struct h248_node *desc, enum iq_desc in,
		  struct iq_media *m, struct iq_fail *f);

#endif /* CP_IQ_PROPS_H */
