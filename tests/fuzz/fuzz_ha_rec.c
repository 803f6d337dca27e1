/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: cp/ha's mirror records (ha_rec.c), as a batch from
 * the peer's cp brings them: records one after another, each decoded
 * from a heap copy of exactly the input, so a read past it is caught.
 * Besides memory errors and undefined behaviour, the target aborts on a
 * broken promise of ha_rec.h: a record taken is at most what was left and
 * at most HA_REC_MAX, encodes back to exactly its bytes, and decodes the
 * same again; a refusal is -EINVAL and leaves the record zeroed; encode
 * into a buffer one byte short is -E2BIG.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "ha_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ha_rec zero;
	static uint8_t back[HA_REC_MAX];
	static struct ha_rec r, again;
	uint8_t *p = malloc(size > 0 ? size : 1);
	size_t at = 0;

	CHECK(p != NULL);
	memcpy(p, data, size);
	while (at < size) {
		int n = ha_rec_decode(p + at, size - at, &r), m;

		if (n < 0) {
			CHECK(n == -EINVAL);
			CHECK(memcmp(&r, &zero, sizeof(r)) == 0);
			break;
		}
		CHECK(n >= (int)HA_REC_HDR && (size_t)n <= size - at && n <= (int)HA_REC_MAX);
		m = ha_rec_encode(&r, back, sizeof(back));
		CHECK(m == n);
		CHECK(memcmp(back, p + at, (size_t)n) == 0);
		CHECK(ha_rec_decode(back, (size_t)m, &again) == n);
		CHECK(memcmp(&again, &r, sizeof(r)) == 0);
		CHECK(ha_rec_encode(&r, back, (size_t)n - 1) == -E2BIG);
		at += (size_t)n;
	}
	free(p);
	return 0;
}
