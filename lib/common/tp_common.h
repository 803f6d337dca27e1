/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers shared by every part of turnpike: branch hints and array
 * sizes. No state, no dependencies beyond the C library.
 */
#ifndef TP_COMMON_H
#define TP_COMMON_H

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define TP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* TP_COMMON_H */
