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

/*
 * The longest USERNAME turnpike takes, in bytes, in every part of it: the
 * STUN parser (lib/stun: a longer USERNAME makes the message malformed, so
 * dp answers 400 before anything else), cp's user store and credential
 * check (CP_AUTH_NAME_MAX), the per-user quota table, and the username an
 * allocation carries over IPC (IPC_USER_MAX holds it whole). RFC 8489
 * §14.3: USERNAME "MUST contain a UTF-8-encoded sequence of fewer than 509
 * bytes" (RFC 5389 allowed 512: a client sending 509..512 is refused).
 */
#define TP_USERNAME_MAX 508u

#endif /* TP_COMMON_H */
