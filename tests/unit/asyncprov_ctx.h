/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The asynchronous test provider (tests/tls_asyncprov) as dp loads an
 * offload provider: a library context of its own (tls_libctx_create()),
 * for the unit tests that run with TP_ASYNCPROV_SO set.
 */
#ifndef TP_TEST_ASYNCPROV_CTX_H
#define TP_TEST_ASYNCPROV_CTX_H

#include <stdbool.h>

#include <openssl/types.h>

/* The provider named by TP_ASYNCPROV_SO in a library context of its own:
 * *lc (freed with tls_libctx_free()) and *propq ("?provider=tpasync"),
 * both NULL when TP_ASYNCPROV_SO is unset or empty. False (said on
 * stderr) when it is set and cannot be loaded. */
bool asyncprov_ctx(OSSL_LIB_CTX **lc, const char **propq);

#endif
