/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen's queue of frames made before a run (tpgen_frames.h): the
 * mapping and its growth. The fast-path calls are inlines in the header.
 */
#include <errno.h>
#include <string.h>

#include <sys/mman.h>

#include "tpgen_frames.h"

static void *
map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* 2 MB pages where the kernel has them to give: a run reads the
	 * frames once, in order, a TLB entry a page. */
	(void)madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

int
gen_frames_reserve(struct gen_frames *q, size_t n)
{
	size_t kept = gen_frames_count(q);
	uint8_t *mem;
	uint16_t *len;

	if (n < kept)
		n = kept;
	if (n <= q->cap) {
		if (q->head > 0 && kept > 0) {
			memmove(q->mem, q->mem + q->head * GEN_FRAME_SLOT, kept * GEN_FRAME_SLOT);
			memmove(q->len, q->len + q->head, kept * sizeof(*q->len));
		}
		q->head = 0;
		q->tail = kept;
		return 0;
	}
	mem = map(n * GEN_FRAME_SLOT);
	len = map(n * sizeof(*len));
	if (mem == NULL || len == NULL) {
		if (mem != NULL)
			munmap(mem, n * GEN_FRAME_SLOT);
		if (len != NULL)
			munmap(len, n * sizeof(*len));
		return -ENOMEM;
	}
	if (kept > 0) {
		memcpy(mem, q->mem + q->head * GEN_FRAME_SLOT, kept * GEN_FRAME_SLOT);
		memcpy(len, q->len + q->head, kept * sizeof(*len));
	}
	gen_frames_free(q);
	q->mem = mem;
	q->len = len;
	q->cap = n;
	q->head = 0;
	q->tail = kept;
	return 0;
}

size_t
gen_frames_clear(struct gen_frames *q)
{
	size_t n = gen_frames_count(q);

	q->head = q->tail = 0;
	return n;
}

void
gen_frames_free(struct gen_frames *q)
{
	if (q->mem != NULL)
		munmap(q->mem, q->cap * GEN_FRAME_SLOT);
	if (q->len != NULL)
		munmap(q->len, q->cap * sizeof(*q->len));
	memset(q, 0, sizeof(*q));
}
