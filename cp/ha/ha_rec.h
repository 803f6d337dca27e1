/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ha's mirror records (ha_rec.c; docs/design/ha.md §1.4, slice 5):
 * encoded into a caller's buffer, decoded with every length and value
 * checked. A batch on the link is records one after another.
 */
#ifndef CP_HA_REC_H
#define CP_HA_REC_H

#include <stddef.h>
#include <stdint.h>

#include "ha_rec_types.h"

/*
 * r written into buf (cap bytes), big-endian, only what r uses (a
 * permission's peer as 7 bytes over IPv4, the name as long as it is):
 * the bytes written, -EINVAL when r breaks a rule of ha_rec_types.h
 * (nothing decode would refuse is written), -E2BIG when cap is short
 * (nothing promised of buf then).
 */
int ha_rec_encode(const struct ha_rec *r, uint8_t *buf, size_t cap);
/*
 * The record at the start of p (n bytes: the rest of a batch) into r:
 * the bytes it took (its length field's), -EINVAL when anything is
 * wrong (a length past n or short of its fields, an unknown type, a
 * value out of its range, a byte left over inside its length), never reading
 * past p + n. A record accepted is exactly what ha_rec_encode() writes
 * back for r. r is zeroed first, whatever the outcome.
 */
int ha_rec_decode(const uint8_t *p, size_t n, struct ha_rec *r);

#endif /* CP_HA_REC_H */
