/* SPDX-License-Identifier: BSD-3-Clause */
/* What TLS connections hold in dp's heap (tls_mem.h). */
#include <malloc.h>
#include <stddef.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#if defined(__SANITIZE_ADDRESS__)
/* ASan's allocator keeps no arenas for mallinfo2 (it says 0); its own
 * count, from its runtime (GCC ships no header for it) */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

#include "tls_mem.h"

#define TLS_MEM_SLOTS 128u

/* One thread's count of SSLs made minus freed, a cache line of its own,
 * written by that thread only (the statistics add them up). Threads past
 * TLS_MEM_SLOTS share the last slot, by atomic adds. */
struct tls_mem_slot {
	int64_t ssl;
	int64_t pad[7];
} __attribute__((aligned(64)));

static struct tls_mem_slot slots[TLS_MEM_SLOTS + 1];
static unsigned int nslots;
static _Thread_local struct tls_mem_slot *mine;
static int64_t marked;

static void
ssl_count(int64_t d)
{
	struct tls_mem_slot *s = mine;

	if (__builtin_expect(s == NULL, 0)) {
		unsigned int i = __atomic_fetch_add(&nslots, 1u, __ATOMIC_RELAXED);

		s = mine = i < TLS_MEM_SLOTS ? &slots[i] : &slots[TLS_MEM_SLOTS];
	}
	if (s == &slots[TLS_MEM_SLOTS])
		__atomic_fetch_add(&s->ssl, d, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&s->ssl, __atomic_load_n(&s->ssl, __ATOMIC_RELAXED) + d,
				 __ATOMIC_RELAXED);
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
	ssl_count(1);
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
	ssl_count(-1);
}

void
tls_mem_init(void)
{
	static int idx = -1;

	if (idx < 0)
		idx = SSL_get_ex_new_index(0, NULL, ssl_new_cb, NULL, ssl_free_cb);
}

int64_t
tls_mem_bytes(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return (int64_t)__sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();

	/* (chunks in a thread's tcache count as in use: a few KB a thread) */
	return (int64_t)(mi.uordblks + mi.hblkhd);
#endif
}

int64_t
tls_mem_ssl_live(void)
{
	unsigned int n = __atomic_load_n(&nslots, __ATOMIC_RELAXED);
	int64_t t = 0;

	if (n > TLS_MEM_SLOTS)
		n = TLS_MEM_SLOTS;
	for (unsigned int i = 0; i < n; i++)
		t += __atomic_load_n(&slots[i].ssl, __ATOMIC_RELAXED);
	return t + __atomic_load_n(&slots[TLS_MEM_SLOTS].ssl, __ATOMIC_RELAXED);
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
