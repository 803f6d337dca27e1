/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpus of fuzz_ice_responder (tests/fuzz/corpus/
 * ice_responder/): connectivity checks as a browser sends them, built with
 * lib/stun under fuzz_ice.h's credentials, each after the octet that says
 * what the worker answers (fuzz_ice.h): a valid check (ICE-CONTROLLING,
 * with and without USE-CANDIDATE), one from ICE-CONTROLLED (487), a wrong
 * ufrag, a bad MESSAGE-INTEGRITY, no USERNAME, no PRIORITY, an unknown
 * comprehension-required attribute (420), no FINGERPRINT, a keepalive
 * indication, a response; and the valid check where gm, the budget or the
 * checksum refuses it, before the peer's ufrag is known, from IPv6. Built
 * with the fuzz targets so that it keeps compiling; run it when the
 * credentials or the checks change:
 *
 *   build-fuzz/tests/fuzz/gen_ice_responder_seeds tests/fuzz/corpus/ice_responder
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_ice.h"
#include "stun.h"

/* A comprehension-required attribute lib/stun does not know. */
#define ATTR_UNKNOWN 0x7f31u

/* What a seed's check carries. */
enum {
	S_NO_USERNAME = 0x001,
	S_WRONG_UFRAG = 0x002,
	S_NO_PRIORITY = 0x004,
	S_CONTROLLED = 0x008,
	S_NOMINATE = 0x010,
	S_UNKNOWN = 0x020,
	S_BAD_MI = 0x040,
	S_NO_MI = 0x080,
	S_NO_FP = 0x100,
	S_INDICATION = 0x200,
	S_RESPONSE = 0x400,
};

static const char *dir;

static void
put(const char *name, uint8_t worker, unsigned int s)
{
	static const uint8_t tid[STUN_TID_LEN] = { 0x4a, 0x1f, 0x93, 0x07, 0xc2, 0x55,
						   0x6e, 0x18, 0xb0, 0x3d, 0x7a, 0x21 };
	static const uint8_t tie[8] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	uint16_t type = stun_msg_type(STUN_METHOD_BINDING,
				      (s & S_INDICATION) ? STUN_CLASS_INDICATION :
				      (s & S_RESPONSE) ? STUN_CLASS_SUCCESS : STUN_CLASS_REQUEST);
	uint8_t buf[1 + 512];
	struct stun_builder b;
	char path[512];
	FILE *f;
	int n;

	buf[0] = worker;
	stun_build_init(&b, buf + 1, sizeof(buf) - 1, type, tid);
	if (!(s & (S_NO_USERNAME | S_INDICATION | S_RESPONSE)))
		stun_build_str(&b, STUN_ATTR_USERNAME,
			       (s & S_WRONG_UFRAG) ? "stale000:" FUZZ_ICE_PEER :
						     FUZZ_ICE_UFRAG ":" FUZZ_ICE_PEER);
	if (!(s & (S_NO_PRIORITY | S_INDICATION | S_RESPONSE)))
		stun_build_u32(&b, STUN_ATTR_PRIORITY, 1853824767u);
	if (!(s & (S_INDICATION | S_RESPONSE)))
		stun_build_attr(&b, (s & S_CONTROLLED) ? STUN_ATTR_ICE_CONTROLLED :
							 STUN_ATTR_ICE_CONTROLLING, tie, sizeof(tie));
	if (s & S_NOMINATE)
		stun_build_attr(&b, STUN_ATTR_USE_CANDIDATE, NULL, 0);
	if (s & S_UNKNOWN)
		stun_build_u32(&b, ATTR_UNKNOWN, 1);
	if (!(s & (S_NO_MI | S_INDICATION | S_RESPONSE))) {
		const char *pwd = (s & S_BAD_MI) ? "not-the-password-at-all!" : FUZZ_ICE_PWD;

		stun_build_integrity(&b, (const uint8_t *)pwd, strlen(pwd));
	}
	if (!(s & S_NO_FP))
		stun_build_fingerprint(&b);
	n = stun_build_finish(&b);
	if (n <= 0) {
		fprintf(stderr, "seed %s: the builder refused it (%d)\n", name, n);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, (size_t)n + 1, f) != (size_t)n + 1 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	put("check_controlling", 0, 0);
	put("check_nominate", 0, S_NOMINATE);
	put("check_controlled_487", 0, S_CONTROLLED);
	put("wrong_ufrag_401", 0, S_WRONG_UFRAG);
	put("bad_integrity_401", 0, S_BAD_MI);
	put("no_username_400", 0, S_NO_USERNAME);
	put("no_integrity_400", 0, S_NO_MI);
	put("no_priority_400", 0, S_NO_PRIORITY | S_NOMINATE);
	put("unknown_attr_420", 0, S_UNKNOWN);
	put("no_fingerprint", 0, S_NO_FP);
	put("keepalive_indication", 0, S_INDICATION);
	put("success_response", 0, S_RESPONSE);
	put("check_gm_refuses", FUZZ_ICE_DEAF, S_NOMINATE);
	put("check_budget_spent", FUZZ_ICE_SPENT, S_NOMINATE);
	put("check_bad_cksum", FUZZ_ICE_CKSUM, S_NOMINATE);
	put("check_peer_unknown", FUZZ_ICE_NO_PEER, S_NOMINATE);
	put("check_ipv6_source", FUZZ_ICE_V6, S_NOMINATE);
	return 0;
}
