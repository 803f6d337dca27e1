/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What TLS connections hold in dp's heap, told at run time
 * (memory per TLS connection bounded and reported). dp's C heap is, after
 * its start, mostly OpenSSL's (dp's own tables are DPDK's, in hugepages):
 * glibc's mallinfo2() is read when the statistics are printed, nothing is
 * added to an allocation (a wrapper on OpenSSL's allocations cost a
 * handshake 2-6%, perf/RESULTS.md T13). Live SSL objects are counted
 * through an ex_data index's new and free callbacks, every SSL of dp's
 * whatever made it, a counter per thread on a cache line of its own.
 */
#ifndef DP_TLS_MEM_H
#define DP_TLS_MEM_H

#include <stdint.h>

/* Once, before any SSL is made (an ex_data index for SSL objects). */
void tls_mem_init(void);
/* dp's C heap in use now (bytes: arenas' allocated space and mmapped
 * blocks), and the live SSL objects. */
int64_t tls_mem_bytes(void);
int64_t tls_mem_ssl_live(void);
/* What was in use once dp was up (contexts, providers): the baseline
 * against which a connection's share is told. */
void tls_mem_mark(void);
int64_t tls_mem_marked(void);

#endif /* DP_TLS_MEM_H */
