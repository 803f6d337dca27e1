/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp initial sequence numbers, RFC 6528 §3: ISN = M + F(localip,
 * localport, remoteip, remoteport, secretkey), M a 4-microsecond clock
 * and F SipHash-2-4 (lib/siphash) keyed per worker from getrandom(). The
 * same PRF, keyed separately, hashes the connection table (tcp_conn.c) so
 * that a remote cannot choose tuples that collide, and gives each
 * connection its timestamp offset (RFC 7323 §7.1).
 */
#include <string.h>

#include "tcp.h"
#include "tp_siphash.h"

uint64_t
tcp_tuple_hash(const uint8_t key[16], const uint8_t laddr[16], uint16_t lport,
	       const uint8_t raddr[16], uint16_t rport)
{
	uint8_t buf[36];

	memcpy(buf, laddr, 16);
	memcpy(buf + 16, raddr, 16);
	buf[32] = (uint8_t)(lport >> 8);
	buf[33] = (uint8_t)lport;
	buf[34] = (uint8_t)(rport >> 8);
	buf[35] = (uint8_t)rport;
	return tp_siphash24(key, buf, sizeof(buf));
}

uint32_t
tcp_isn(const uint8_t key[16], const uint8_t laddr[16], uint16_t lport,
	const uint8_t raddr[16], uint16_t rport, uint64_t now_us)
{
	/* RFC 6528 §3: M ticks every 4 microseconds. */
	return (uint32_t)(now_us / 4u) +
	       (uint32_t)tcp_tuple_hash(key, laddr, lport, raddr, rport);
}
