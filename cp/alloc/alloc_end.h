/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Why an allocation ended, cp/alloc's concept: the enum of
 * alloc_end_reasons.def. Types only and no other include, so that cp/acct's
 * record (which adds the AGW's own reason to these) takes them without the
 * rest of cp/alloc.
 */
#ifndef CP_ALLOC_END_H
#define CP_ALLOC_END_H

enum cp_alloc_end_reason {
#define CP_ALLOC_END_REASON(e, n) CP_ALLOC_R_##e,
#include "alloc_end_reasons.def"
#undef CP_ALLOC_END_REASON
	CP_ALLOC_R__COUNT,
};

#endif /* CP_ALLOC_END_H */
