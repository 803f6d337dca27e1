/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's side of dp/tcp: a TCP stack per worker (created when something
 * listens on TCP: for now the diagnostic TCP echo, dp.diag_tcp_echo_port,
 * and its active open, dp.diag_tcp_connect),
 * segments in from the network layer, out through dp_ip_output(), timers
 * on the worker's wheel advanced from the worker loop.
 */
#ifndef DP_TCP_GLUE_H
#define DP_TCP_GLUE_H

#include <stdbool.h>
#include <stdint.h>

struct dp_worker;
struct rte_mbuf;

/* Create w's stack and wheel if the configuration asks for TCP; 0 when
 * created or not needed, -errno after printing one clear error. */
int dp_tcp_create(struct dp_worker *w);
void dp_tcp_free(struct dp_worker *w);

/*
 * A TCP segment for one of our addresses: l4 points into m at the TCP
 * header, l4len its length with the payload. Consumes m. Only called
 * when w->tcp exists.
 */
void dp_tcp_input(struct dp_worker *w, struct rte_mbuf *m, uint8_t family,
		  const uint8_t *src, const uint8_t *dst, const uint8_t *l4,
		  uint16_t l4len, bool cksum_ok);

/* Move the stack's clock and run its timers; returns the timers fired. */
unsigned int dp_tcp_poll(struct dp_worker *w, uint64_t now_ms);

#endif /* DP_TCP_GLUE_H */
