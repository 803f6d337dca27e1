/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names of dp's drop reasons, generated from the one list in
 * dp_drops.def, for statistics output and logs.
 */
#include "net.h"

static const char *const dp_drop_names[DP_DROP__COUNT] = {
#define DP_DROP(e, name) [DP_DROP_##e] = name,
#include "../dp_drops.def"
#undef DP_DROP
};

const char *
dp_drop_name(enum dp_drop d)
{
	if (d == DP_DROP_NONE)
		return "none";
	if ((unsigned int)d >= DP_DROP__COUNT)
		return "unknown";
	return dp_drop_names[d];
}
