/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/agw's types that its doors keep in their own structs (cp/iq's
 * association): which door made a context, who asks, and what kind of
 * terminations a context holds (cp_agw.h has the C API that takes them).
 */
#ifndef CP_AGW_TYPES_H
#define CP_AGW_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* Which door made a context: it answers to that door (and tenant) only,
 * and to the operator (struct cp_agw_caller). */
enum cp_agw_door {
	CP_AGW_DOOR_API = 0,      /* the operator API (JSON, turnpikectl) */
	CP_AGW_DOOR_IQ = 1,       /* H.248 (cp/iq) */
	CP_AGW_DOOR_NG = 2,       /* rtpengine's ng protocol (cp/ng) */
};
#define CP_AGW_DOORS 3u

/* What a context's terminations are: one kind a context, each kind
 * behind its own operations in cp/agw (agw_internal.h's struct
 * agw_kind_ops), its own table (its own bound a worker) and its own
 * messages to dp. The kind is in the context's id (cp_agw_id_is_rtp()). */
enum cp_agw_kind {
	CP_AGW_KIND_TCP = 0,      /* TCP legs, TLS on either (MSRP, BFCP) */
	CP_AGW_KIND_RTP = 1,      /* UDP media terminations (RTP/RTCP, SRTP) */
};
#define CP_AGW_KINDS 2u

/*
 * A door's name as everything that shows one says it: agw list and show,
 * events, status's contexts_by_door, the metrics' door label, usage
 * records, agw.quota's keys; "unknown" past the last door. Inline beside
 * the enum, though this header is otherwise types only, so that the one
 * list reaches every reader (cp/acct is built without cp/agw).
 */
static inline const char *
cp_agw_door_name(unsigned int door)
{
	static const char *const names[CP_AGW_DOORS] = {
		[CP_AGW_DOOR_API] = "api",
		[CP_AGW_DOOR_IQ] = "iq",
		[CP_AGW_DOOR_NG] = "ng",
	};

	return door < CP_AGW_DOORS ? names[door] : "unknown";
}

/*
 * Who asks, at every entry point that acts on or shows a context made
 * before (lookup, add, modify, subtract, release; the JSON door's list and
 * events): a context answers to the door and the tenant that made it, and
 * to the operator. One of another door or tenant is answered exactly as
 * one that does not exist (-ENOENT, the same sentence), so that a door
 * learns nothing of another's contexts, not even that they exist. The
 * JSON door asks as CP_AGW_DOOR_API with the tenant its request names
 * (the operator role: is_operator), cp/iq as CP_AGW_DOOR_IQ with
 * iq.tenant, cp/ng as CP_AGW_DOOR_NG with ng.tenant.
 */
struct cp_agw_caller {
	uint8_t door;             /* enum cp_agw_door */
	uint8_t tenant;           /* lib/conf's index, 0 the default tenant */
	bool is_operator;         /* root, cp.api_group: every context */
};

#endif /* CP_AGW_TYPES_H */
