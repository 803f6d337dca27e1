/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/conf internals shared between its files (not for users of the lib).
 */
#ifndef TP_CONF_INTERNAL_H
#define TP_CONF_INTERNAL_H

#include <libconfig.h>
#include <stddef.h>

#include "tp_conf_types.h"

/* Defaults of the turn and cp groups. */
void tp_conf_turn_defaults(struct tp_conf *c);
/* Read the turn and cp groups of a parsed file (both optional). */
int tp_conf_load_turn_cp(const config_t *cfg, struct tp_conf *c, char *err,
			 size_t errlen);

#endif /* TP_CONF_INTERNAL_H */
