/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: cp/cluster's checks of what it reads from Redis
 * (cluster_parse.c), where any box, or anyone who can write to Redis,
 * puts what it likes. The first byte picks the parser: 0 mod 4, a user
 * (NAME '\n' VALUE); 2 mod 4, a TLS PSK (IDENTITY '\n' VALUE); odd, a box (NAME '\n' FIELD '\n' VALUE ...), which is
 * then also offered to the pick of where new clients go. Every field is a
 * heap copy of exactly its length (no NUL after it), so that a read past
 * it is caught. Besides memory errors and undefined behaviour the target
 * aborts on a broken promise: an accepted box has a valid name and a
 * capacity, the pick never names ourselves, a draining or a full box.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "fuzz_check.h"
#include "store_types.h"
#include "tp_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIELDS 33

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[FIELDS];
	size_t len[FIELDS], n = 0, start = 1;
	struct cl_box b[2];

	if (size < 1)
		return 0;
	for (size_t i = 1; i <= size && n < FIELDS; i++) {
		if (i == size || data[i] == '\n') {
			len[n] = i - start;
			f[n] = malloc(len[n] > 0 ? len[n] : 1);
			CHECK(f[n] != NULL);
			memcpy(f[n], data + start, len[n]);
			n++;
			start = i + 1;
		}
	}
	if (data[0] % 4 == 2) {
		struct cp_store_psk p;

		if (n >= 2 && cl_parse_psk(f[0], len[0], f[1], len[1], &p) == 0)
			CHECK(strlen(p.id) == len[0] && len[0] >= 1 && len[0] <= 128 &&
			      p.key_len >= 16 && p.key_len <= 64 &&
			      p.cipher >= 0x1301 && p.cipher <= 0x1303);
	} else if (data[0] % 2 == 0) {
		uint8_t md5[16], sha[32];
		int has = -1;

		if (n >= 2 && cl_parse_user(f[0], len[0], f[1], len[1], md5, sha, &has) == 0)
			CHECK(has == 0 || has == 1);
	} else if (n >= 1 &&
		   cl_parse_box(f[0], len[0], (const char *const *)(f + 1), len + 1, n - 1,
				&b[0]) == 0) {
		const struct cl_box *p;

		CHECK(tp_conf_cluster_name_ok(b[0].name) && b[0].capacity > 0);
		b[1] = b[0];
		snprintf(b[1].name, sizeof(b[1].name), "self");
		for (int fam = 4; fam <= 6; fam += 2) {
			p = cl_pick_box(b, 2, "self", fam);
			CHECK(p == NULL || (strcmp(p->name, "self") != 0 && !p->draining &&
					    p->allocs < p->capacity));
		}
	}
	for (size_t i = 0; i < n; i++)
		free(f[i]);
	return 0;
}
