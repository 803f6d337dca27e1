/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp's side of dp/tcp: a TCP stack per worker (created when something
 * listens on TCP: for now the diagnostic TCP echo, dp.diag_tcp_echo_port),
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

/* Source ports of active opens (IANA's dynamic range, RFC 6335 §6). */
#define DP_TCP_EPH_LO 49152u
#define DP_TCP_EPH_HI 65535u

/*
 * Active open from worker w to raddr:rport (host order) for the
 * application app of w's stack: from the own address (dp_port_src()) of
 * the port the route to raddr leaves by, and a source port whose replies
 * that port's steering brings back to w (dp_flow_pick_sport(), proto 6),
 * so that the connection lives on w (the ports taken are skipped). Then
 * tcp_connect(). Returns 0 with *id, or -ENETUNREACH (no route),
 * -EADDRNOTAVAIL (no free port lands on w), -ENOTSUP (the NIC's
 * steering is unknown), -ENOBUFS, -EINVAL; -ENOTCONN without a stack.
 */
int dp_tcp_connect(struct dp_worker *w, uint8_t family, const uint8_t *raddr,
		   uint16_t rport, int app, void *arg, uint64_t *id);

/* Move the stack's clock and run its timers; returns the timers fired. */
unsigned int dp_tcp_poll(struct dp_worker *w, uint64_t now_ms);

#endif /* DP_TCP_GLUE_H */
