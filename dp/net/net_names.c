/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names of dp's drop reasons, from dp_drops.def.
 */
#include "net.h"

const char *
dp_drop_name(enum dp_drop d)
{
	static const char *const names[DP_DROP__COUNT] = {
#define DP_DROP(e, name) [DP_DROP_##e] = name,
#include "../dp_drops.def"
#undef DP_DROP
	};

	return (unsigned int)d < DP_DROP__COUNT ? names[d] : "none";
}
