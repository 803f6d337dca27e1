/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The asynchronous test provider in a library context of its own, as
 * tls.offload.provider is loaded (asyncprov_ctx.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asyncprov_ctx.h"
#include "tls_ctx.h"
#include "tp_conf_types.h"

bool
asyncprov_ctx(OSSL_LIB_CTX **lc, const char **propq)
{
	const char *so = getenv("TP_ASYNCPROV_SO");
	struct tp_conf_tls t;
	char err[768];

	*lc = NULL;
	*propq = NULL;
	if (so == NULL || so[0] == '\0')
		return true;
	memset(&t, 0, sizeof(t));
	t.offload = TP_TLS_OFFLOAD_PROVIDER;
	snprintf(t.offload_provider, sizeof(t.offload_provider), "%s", so);
	snprintf(t.offload_properties, sizeof(t.offload_properties), "?provider=tpasync");
	*lc = tls_libctx_create(&t, propq, err, sizeof(err));
	if (*lc == NULL) {
		fprintf(stderr, "%s\n", err);
		return false;
	}
	*propq = "?provider=tpasync";   /* t is on this stack frame */
	return true;
}
