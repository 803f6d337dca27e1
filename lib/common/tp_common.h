/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers shared by every part of turnpike: branch hints and array
 * sizes. No state, no dependencies beyond the C library.
 */
#ifndef TP_COMMON_H
#define TP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define TP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A counter's name as dp and cp publish it (status's keys, the metrics'
 * names and labels): [a-z0-9_] only; "" passes (a prefix may be empty). */
static inline bool
tp_ctr_name_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* The n bytes at s are printable ASCII: one line of the metrics' text,
 * nothing a terminal would act on (a counter's help). */
static inline bool
tp_printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* Network byte order at any alignment (wire formats: STUN, TCP). */
static inline uint16_t
tp_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
tp_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void
tp_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
tp_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint64_t
tp_rd64(const uint8_t *p)
{
	return (uint64_t)tp_rd32(p) << 32 | tp_rd32(p + 4);
}

static inline void
tp_wr64(uint8_t *p, uint64_t v)
{
	tp_wr32(p, (uint32_t)(v >> 32));
	tp_wr32(p + 4, (uint32_t)v);
}

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

/*
 * The MAC of a TURN REST API password, base64(HMAC-H(secret, USERNAME)),
 * chosen per shared secret and said the same way everywhere one is kept
 * (the configuration, cp's tables, the user store, the cluster's Redis):
 * SHA-1, the draft's and coturn's, is the default, and what a secret
 * stored before the choice existed is; SHA-256 is what Kamailio's
 * auth_ephemeral makes with sha_algorithm 1.
 */
enum tp_rest_alg {
	TP_REST_SHA1 = 0,
	TP_REST_SHA256 = 1,
};

static inline const char *
tp_rest_alg_name(unsigned int alg)
{
	return alg == TP_REST_SHA256 ? "sha256" : "sha1";
}

/* "sha1" or "sha256" (as the configuration, the API and the store spell
 * them): its enum tp_rest_alg, else -1. */
static inline int
tp_rest_alg_parse(const char *s)
{
	if (s != NULL && strcmp(s, "sha1") == 0)
		return TP_REST_SHA1;
	if (s != NULL && strcmp(s, "sha256") == 0)
		return TP_REST_SHA256;
	return -1;
}

#endif /* TP_COMMON_H */
