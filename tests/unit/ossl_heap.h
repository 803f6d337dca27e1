/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenSSL's heap, counted (CRYPTO_set_mem_functions): the bytes live that
 * allocations made while ossl_heap_counting was set still hold. Install
 * before OpenSSL allocates anything (first thing in main()).
 */
#ifndef TP_TEST_OSSL_HEAP_H
#define TP_TEST_OSSL_HEAP_H

#include <stdbool.h>

extern int ossl_heap_counting;
extern long long ossl_heap_live;
/* the most ossl_heap_live has been (set it to ossl_heap_live to start a
 * measure) */
extern long long ossl_heap_peak;

bool ossl_heap_install(void);

#endif
