/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's matcher met with the gateway's RTP contexts (docs/design/li.md
 * §2.5, §4; issue 70 slice 6): a context is targeted when an address
 * target (an IPv4/IPv6 address or CIDR) holds the remote of one of its
 * terminations, as signalled (SDP's c= and m=) or as latched (the source
 * dp learnt, or ICE's nominated pair). A NAI names a user, and a context
 * has none: NAI targets never match one. Through li_match.c's lookup: one
 * index, the same first-task rule. A CC-TF's trigger (TS 33.128's LI_T3,
 * docs/design/li.md §2.7) names a context itself: cp_li_match_trigger().
 * A BUNDLE member is matched through its owner's termination
 * (cp_li_match_rtp_bundle()).
 * Nothing here logs.
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

/* The matcher over two slots: tm[i] the termination whose remote is
 * looked at (NULL: an empty slot, or a member whose owner is not known),
 * sp[i] the figures whose latched sources are (NULL: none). */
static const struct cp_li_task *
match(struct cp_li *li, const struct ipc_rtp_term *const tm[2],
      const struct ipc_rtp_stats *const sp[2], unsigned int *target)
{
	/* what dp saw first, both sides, then what was signalled: an SDP is
	 * the other party's word, so a party that writes a target's address
	 * in its c= must not draw a call whose target's source dp latched on
	 * the other side into its own task (review V2); a signalled remote
	 * still matches (a target behind a NAT latches from another address) */
	for (unsigned int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < 2; i++) {
			const struct cp_li_task *t = NULL;

			if (tm[i] == NULL)
				continue;
			if (pass == 1)
				t = by_addr(li, &tm[i]->remote);
			else if (sp[i] != NULL) {
				if (sp[i]->latched & IPC_RTP_LATCHED_RTP)
					t = by_addr(li, &sp[i]->rtp_src);
				if (t == NULL && (sp[i]->latched & IPC_RTP_LATCHED_RTCP))
					t = by_addr(li, &sp[i]->rtcp_src);
			}
			if (t != NULL) {
				*target = i;
				return t;
			}
		}
	}
	*target = 0;
	return NULL;
}

const struct cp_li_task *
cp_li_match_trigger(const struct cp_li *li, uint64_t ctx)
{
	/* (a walk: triggers are a call's, few at a time; the tables hold
	 * CP_LI_TASKS_MAX at most) */
	for (unsigned int i = 0; ctx != 0 && i < li->ntasks; i++) {
		const struct cp_li_task *t = li->tasks[i];

		if (cp_li_task_is_trigger(t) && t->t.targets[0].t3_ctx == ctx)
			return t;
	}
	return NULL;
}

const struct cp_li_task *
cp_li_match_rtp(struct cp_li *li, const struct ipc_rtp_term *term,
		const struct ipc_rtp_stats *st, unsigned int *target)
{
	return cp_li_match_rtp_bundle(li, term, st, NULL, NULL, target);
}

const struct cp_li_task *
cp_li_match_rtp_bundle(struct cp_li *li, const struct ipc_rtp_term *term,
		       const struct ipc_rtp_stats *st, const struct ipc_rtp_term *const *own_term,
		       const struct ipc_rtp_stats *const *own_st, unsigned int *target)
{
	const struct ipc_rtp_term *tm[2] = { NULL, NULL };
	const struct ipc_rtp_stats *sp[2] = { NULL, NULL };

	for (unsigned int i = 0; i < 2; i++) {
		if (term[i].profile == IPC_RTP_NONE)
			continue;
		if (term[i].bundle.role == IPC_RTP_BUNDLE_MEMBER) {
			/* (its own remote and figures say nothing of where
			 * its media come from: its owner's transport does) */
			tm[i] = own_term != NULL ? own_term[i] : NULL;
			sp[i] = tm[i] != NULL && own_st != NULL ? own_st[i] : NULL;
			continue;
		}
		tm[i] = &term[i];
		sp[i] = st != NULL ? &st[i] : NULL;
	}
	return match(li, tm, sp, target);
}
