/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CHECK(): a fuzz target's invariant. A broken one names the file, line
 * and condition and aborts, which libFuzzer reports as a crash with the
 * input that caused it. One definition for every target.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: broken invariant: %s\n", \
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

#endif /* FUZZ_CHECK_H */
