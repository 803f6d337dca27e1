/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/diag: the diagnostic echoes (UDP, TCP) and the diagnostic active
 * open, as one of dp's modules (dp_module.h; diag.c).
 */
#ifndef DP_DIAG_H
#define DP_DIAG_H

struct dp_module;
extern const struct dp_module diag_module;

#endif /* DP_DIAG_H */
