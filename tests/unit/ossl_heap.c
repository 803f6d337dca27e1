/* SPDX-License-Identifier: BSD-3-Clause */
/* OpenSSL's heap, counted (ossl_heap.h). */
#include <stdlib.h>

#include <openssl/crypto.h>

#include "ossl_heap.h"

struct hdr {
	size_t n;
	size_t counted;
};

int ossl_heap_counting;
long long ossl_heap_live;
long long ossl_heap_peak;

static void
peak(void)
{
	if (ossl_heap_live > ossl_heap_peak)
		ossl_heap_peak = ossl_heap_live;
}

static void *
cnt_malloc(size_t n, const char *file, int line)
{
	struct hdr *h = malloc(sizeof(*h) + n);

	(void)file;
	(void)line;
	if (h == NULL)
		return NULL;
	h->n = n;
	h->counted = (size_t)ossl_heap_counting;
	if (ossl_heap_counting) {
		ossl_heap_live += (long long)n;
		peak();
	}
	return h + 1;
}

static void
cnt_free(void *p, const char *file, int line)
{
	struct hdr *h;

	(void)file;
	(void)line;
	if (p == NULL)
		return;
	h = (struct hdr *)p - 1;
	if (h->counted)
		ossl_heap_live -= (long long)h->n;
	free(h);
}

static void *
cnt_realloc(void *p, size_t n, const char *file, int line)
{
	struct hdr *h;

	if (p == NULL)
		return cnt_malloc(n, file, line);
	h = (struct hdr *)p - 1;
	if (h->counted)
		ossl_heap_live -= (long long)h->n;
	h = realloc(h, sizeof(*h) + n);
	if (h == NULL)
		return NULL;
	h->n = n;
	h->counted = (size_t)ossl_heap_counting;
	if (ossl_heap_counting) {
		ossl_heap_live += (long long)n;
		peak();
	}
	return h + 1;
}

bool
ossl_heap_install(void)
{
	return CRYPTO_set_mem_functions(cnt_malloc, cnt_realloc, cnt_free) == 1;
}
