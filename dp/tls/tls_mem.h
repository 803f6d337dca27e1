/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenSSL's heap in dp, counted at run time (issue 11: memory per TLS
 * connection bounded and reported): CRYPTO_set_mem_functions() before
 * OpenSSL allocates anything, malloc_usable_size() at both ends (no
 * header, nothing added to an allocation), a counter per thread (a
 * worker's allocations write only its own cache line; the statistics add
 * the threads up, and a free on another thread than the allocation's
 * evens out in the sum). SSL objects are counted live through an ex_data
 * index's new and free callbacks, every SSL of dp's whatever made it.
 */
#ifndef DP_TLS_MEM_H
#define DP_TLS_MEM_H

#include <stdbool.h>
#include <stdint.h>

/* First thing in main(): false when OpenSSL had allocated already (then
 * nothing is counted and the statistics say so). */
bool tls_mem_init(void);
/* After OpenSSL's library init (an ex_data index for SSL objects). */
void tls_mem_count_ssl(void);
bool tls_mem_counted(void);
/* OpenSSL's heap in use now, all threads (bytes), and its live SSLs. */
int64_t tls_mem_bytes(void);
int64_t tls_mem_ssl_live(void);
/* What was in use once dp was up (contexts, providers): the baseline
 * against which a connection's share is told. */
void tls_mem_mark(void);
int64_t tls_mem_marked(void);

#endif /* DP_TLS_MEM_H */
