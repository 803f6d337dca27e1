/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: lib/certfp's parser of RFC 8122 fingerprints (what a
 * controller hands cp from SDP, a=fingerprint's value).
 *
 * The input is the text, given with its length (no NUL needed) from a
 * heap copy of exactly that size, so a read past it is caught. Besides
 * memory errors and undefined behaviour, the target aborts on a broken
 * promise of certfp.h: an accepted text must be exactly what
 * certfp_format() writes back, up to letter case (the parser takes no
 * other liberty), the result must be valid (a known hash, its length),
 * and a refusal must say why and leave nothing behind.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "certfp.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size > 0 ? size : 1), back[CERTFP_STR_MAX];
	struct certfp fp, again;
	const char *why = NULL;
	int rc, n;

	CHECK(s != NULL);
	memcpy(s, data, size);
	rc = certfp_parse(s, size, &fp, &why);
	CHECK(why != NULL);
	if (rc < 0) {
		CHECK(rc == -EINVAL || rc == -ENOTSUP);
		CHECK(why[0] != '\0');
		CHECK(fp.alg == 0 && fp.len == 0);
		free(s);
		return 0;
	}
	CHECK(why[0] == '\0');
	CHECK(fp.len == certfp_alg_len((enum certfp_alg)fp.alg) && fp.len > 0);
	n = certfp_format(&fp, back, sizeof(back));
	CHECK(n > 0 && (size_t)n == size);
	CHECK(strncasecmp(back, s, size) == 0);
	CHECK(certfp_parse(back, (size_t)n, &again, NULL) == 0);
	CHECK(certfp_equal(&fp, &again));
	/* the hash name alone */
	CHECK(certfp_alg_parse(s, strcspn(back, " ")) == fp.alg);
	free(s);
	return 0;
}
