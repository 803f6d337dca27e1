/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's matcher met with the gateway's TCP-leg contexts (MSRP, BFCP;
 * docs/design/li.md §2.5, §4.2; issue 70 slice 7): a context is targeted
 * when an address target (an IPv4/IPv6 address or CIDR) holds the remote
 * of one of its legs, as its TCP connection has it (what dp reported once
 * the leg was up) or as signalled (the termination's remote: SDP's c= and
 * m=, or the address the controller observed). What the connections say
 * comes first, both legs, then what was signalled, as the RTP matcher
 * does (review V2): a party that writes a target's address in its SDP
 * must not draw into that target's task a context whose target dp met on
 * the other leg. A NAI never matches a context (it has no user). Through
 * li_match.c's lookup: one index, the same first-task rule. Nothing here
 * logs.
 */
#include <string.h>

#include "ipc_types.h"
#include "li.h"
#include "li_internal.h"

/* The task whose address target holds a (family 4 or 6), or NULL. */
static const struct cp_li_task *
by_addr(struct cp_li *li, const struct ipc_addr *a)
{
	struct cp_li_who w;

	if (a->family != 4 && a->family != 6)
		return NULL;
	memset(&w, 0, sizeof(w));
	w.family = a->family;
	w.ip = a->ip;
	return cp_li_match(li, &w);
}

const struct cp_li_task *
cp_li_match_agw(struct cp_li *li, const struct ipc_agw_term *term, const struct ipc_addr *seen,
		unsigned int *target)
{
	for (unsigned int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < 2; i++) {
			const struct cp_li_task *t;

			if (term[i].tcp_role == IPC_AGW_TCP_NONE || (pass == 0 && seen == NULL))
				continue;
			t = by_addr(li, pass == 0 ? &seen[i] : &term[i].remote);
			if (t != NULL) {
				*target = i;
				return t;
			}
		}
	}
	*target = 0;
	return NULL;
}
