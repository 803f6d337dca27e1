/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's tables, inside the module (li.c): indexes by XID or DID (-1:
 * none), an entry set (added, or in place of the one with its id: 0,
 * -ENOSPC past the bound, -ENOMEM) and dropped (wiped).
 */
#ifndef CP_LI_INTERNAL_H
#define CP_LI_INTERNAL_H

#include <stdint.h>

#include "li_types.h"

int cp_li_task_index(const struct cp_li *li, const uint8_t xid[16]);
int cp_li_dest_index(const struct cp_li *li, const uint8_t did[16]);
int cp_li_task_set(struct cp_li *li, const struct cp_li_task *t);
void cp_li_task_drop(struct cp_li *li, unsigned int i);
int cp_li_dest_set(struct cp_li *li, const struct cp_li_dest *d);
void cp_li_dest_drop(struct cp_li *li, unsigned int i);
/* The tables dropped (wiped) and read again from li.db: after a
 * request's transaction was rolled back. 0 or -errno (then the tables
 * hold what was read before the failure). */
int cp_li_reload(void *li);

#endif /* CP_LI_INTERNAL_H */
