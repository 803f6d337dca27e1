/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading the configuration file (libconfig). Every error names the file,
 * the line and what is wrong: "conf/demo.conf:12: port 'access': ipv4
 * '10.200.0.1/33': prefix length must be 0..32".
 */
#ifndef TP_CONF_H
#define TP_CONF_H

#include <stddef.h>

#include "tp_conf_types.h"

/*
 * Load path into c (which the caller owns; zeroed and filled with the
 * defaults first). Returns 0, or -EINVAL / -ENOENT with the message in
 * err (NUL-terminated, at most errlen bytes). On failure nothing needs
 * freeing.
 */
int tp_conf_load(const char *path, struct tp_conf *c, char *err, size_t errlen);

/* Release what tp_conf_load() allocated (the EAL argument strings). */
void tp_conf_free(struct tp_conf *c);

/* Parse "a.b.c.d/len" or "x::y/len" (len optional when plen is NULL).
 * Returns 4 or 6 for the family, or -EINVAL. */
int tp_conf_parse_prefix(const char *s, uint8_t addr[16], uint8_t *plen);

#endif /* TP_CONF_H */
