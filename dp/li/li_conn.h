/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp-li's connections to the mediation functions (li_conn.c;
 * docs/design/li.md §3.3, §3.4): one TCP+TLS connection a destination,
 * non-blocking, bounded, with keepalives and deadlines. tp-li's thread
 * alone calls these.
 */
#ifndef DP_LI_CONN_H
#define DP_LI_CONN_H

#include <poll.h>
#include <stdint.h>

#include "li_dp_types.h"

/* tp-li's counter c moved by n (read relaxed by worker 0's tick). */
static inline void
li_count(struct li_ctx *lc, enum li_ctr c, uint64_t n)
{
	__atomic_fetch_add(&lc->ctr[c], n, __ATOMIC_RELAXED);
}

/* Our TLS client towards the MFs (§3.4: TLS 1.2 with ECDHE and AEAD suites
 * only, or 1.3; no renegotiation; our pair; the MF's chain against ca, its
 * address checked per connection). NULL after one log line naming the
 * file. The caller frees it (SSL_CTX_free). */
struct ssl_ctx_st *li_conn_tls_ctx(const char *cert, const char *key, const char *ca);

/* n bytes of one whole PDU (pdu[0..n), copied) queued for dest at now (ms);
 * dropped and counted (dropped_undelivered) when it cannot go. */
void li_conn_put(struct li_ctx *lc, const struct ipc_addr *dest, const uint8_t *pdu,
		 uint32_t n, uint64_t now);

/* Every connection moved on as far as it goes without waiting (connects,
 * handshakes, writes, the MF's input, keepalives, deadlines, retries);
 * the descriptors to wait on into pf (LI_CONNS_MAX at most), how many. */
unsigned int li_conn_poll(struct li_ctx *lc, uint64_t now, struct pollfd *pf);

/* Every connection closed (a TLS close_notify to those up), its buffers
 * wiped and freed. */
void li_conn_fini(struct li_ctx *lc);

#endif /* DP_LI_CONN_H */
