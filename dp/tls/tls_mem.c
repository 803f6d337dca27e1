/* SPDX-License-Identifier: BSD-3-Clause */
/* OpenSSL's heap in dp, counted (tls_mem.h). */
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "tls_mem.h"

#define TLS_MEM_SLOTS 128u

/* One thread's account, a cache line of its own: written by that thread
 * only (plain stores through atomics, for the readers). The last slot is
 * shared by threads past TLS_MEM_SLOTS, and updated by atomic adds. */
struct tls_mem_slot {
	int64_t bytes;
	int64_t ssl;
	int64_t pad[6];
} __attribute__((aligned(64)));

static struct tls_mem_slot slots[TLS_MEM_SLOTS + 1];
static unsigned int nslots;
static _Thread_local struct tls_mem_slot *mine;
static bool counted;
static int64_t marked;

static inline void
account(size_t off, int64_t d)
{
	struct tls_mem_slot *s = mine;
	int64_t *f;

	if (__builtin_expect(s == NULL, 0)) {
		unsigned int i = __atomic_fetch_add(&nslots, 1u, __ATOMIC_RELAXED);

		s = mine = i < TLS_MEM_SLOTS ? &slots[i] : &slots[TLS_MEM_SLOTS];
	}
	f = (int64_t *)(void *)((char *)s + off);
	if (s == &slots[TLS_MEM_SLOTS])
		__atomic_fetch_add(f, d, __ATOMIC_RELAXED);
	else
		__atomic_store_n(f, __atomic_load_n(f, __ATOMIC_RELAXED) + d,
				 __ATOMIC_RELAXED);
}

#define ADD_BYTES(d) account(offsetof(struct tls_mem_slot, bytes), (d))
#define ADD_SSL(d) account(offsetof(struct tls_mem_slot, ssl), (d))

static void *
mem_malloc(size_t n, const char *file, int line)
{
	void *p = malloc(n);

	(void)file;
	(void)line;
	if (p != NULL)
		ADD_BYTES((int64_t)malloc_usable_size(p));
	return p;
}

static void *
mem_realloc(void *p, size_t n, const char *file, int line)
{
	int64_t was = p != NULL ? (int64_t)malloc_usable_size(p) : 0;
	void *q;

	(void)file;
	(void)line;
	q = realloc(p, n);
	if (q != NULL)
		ADD_BYTES((int64_t)malloc_usable_size(q) - was);
	else if (n == 0 && p != NULL)
		ADD_BYTES(-was);          /* (freed, as glibc's realloc does) */
	return q;
}

static void
mem_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	if (p == NULL)
		return;
	ADD_BYTES(-(int64_t)malloc_usable_size(p));
	free(p);
}

bool
tls_mem_init(void)
{
	counted = CRYPTO_set_mem_functions(mem_malloc, mem_realloc, mem_free) == 1;
	return counted;
}

static void
ssl_new_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent;
	(void)ptr;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	ADD_SSL(1);
}

static void
ssl_free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	(void)parent;
	(void)ptr;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	ADD_SSL(-1);
}

void
tls_mem_count_ssl(void)
{
	static int idx = -1;

	if (idx < 0)
		idx = SSL_get_ex_new_index(0, NULL, ssl_new_cb, NULL, ssl_free_cb);
}

bool
tls_mem_counted(void)
{
	return counted;
}

static int64_t
sum(size_t off)
{
	unsigned int n = __atomic_load_n(&nslots, __ATOMIC_RELAXED);
	int64_t t = 0;

	if (n > TLS_MEM_SLOTS)
		n = TLS_MEM_SLOTS;
	for (unsigned int i = 0; i < n; i++)
		t += __atomic_load_n((int64_t *)(void *)((char *)&slots[i] + off),
				     __ATOMIC_RELAXED);
	t += __atomic_load_n((int64_t *)(void *)((char *)&slots[TLS_MEM_SLOTS] + off),
			     __ATOMIC_RELAXED);
	return t;
}

int64_t
tls_mem_bytes(void)
{
	return sum(offsetof(struct tls_mem_slot, bytes));
}

int64_t
tls_mem_ssl_live(void)
{
	return sum(offsetof(struct tls_mem_slot, ssl));
}

void
tls_mem_mark(void)
{
	__atomic_store_n(&marked, tls_mem_bytes(), __ATOMIC_RELAXED);
}

int64_t
tls_mem_marked(void)
{
	return __atomic_load_n(&marked, __ATOMIC_RELAXED);
}
