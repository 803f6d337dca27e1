/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow ownership computed ahead: the worker that will receive a tuple on
 * a port (the NIC's Toeplitz hash and redirection table as dp programmed
 * and read them back, or the software owner), and the active-open choice
 * of a local port whose replies come back to the opening worker.
 * Pure: byte buffers and the port's steering, no EAL, no mbufs.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_thash.h>

#include "flow.h"

static bool
hashes_ports(const struct net_flow_steer *s, uint8_t proto)
{
	return (proto == 17 && (s->rss_l4 & NET_RSS_L4_UDP) != 0) ||
	       (proto == 6 && (s->rss_l4 & NET_RSS_L4_TCP) != 0);
}

static uint32_t
be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The tuple as rte_softrss() reads it: host-order words, addresses then
 * (sport << 16 | dport); returns the number of words (with the ports when
 * l4). */
static uint32_t
rss_tuple(uint32_t *t, uint8_t family, const uint8_t *src, const uint8_t *dst,
	  uint16_t sport, uint16_t dport, bool l4)
{
	unsigned int na = family == NET_AF_IPV4 ? 1 : 4, n = 0;

	for (unsigned int i = 0; i < na; i++)
		t[n++] = be32_at(src + 4 * i);
	for (unsigned int i = 0; i < na; i++)
		t[n++] = be32_at(dst + 4 * i);
	if (l4)
		t[n++] = (uint32_t)sport << 16 | dport;
	return n;
}

static uint32_t
rss_hash(const struct net_flow_steer *s, uint8_t family, const uint8_t *src,
	 const uint8_t *dst, uint16_t sport, uint16_t dport, bool l4)
{
	uint32_t t[9];
	uint32_t n = rss_tuple(t, family, src, dst, sport, dport, l4);

	return rte_softrss(t, n, s->rss_key);
}

uint32_t
dp_flow_rx_worker(const struct net_flow_steer *s, uint8_t family,
		  const uint8_t *src, const uint8_t *dst, uint16_t sport,
		  uint16_t dport, uint8_t proto)
{
	if (!s->rss)
		return dp_flow_owner_n(s->nworkers, family, src, dst, sport, dport,
				       proto);
	if (s->reta_size == 0)
		return UINT32_MAX;
	return s->reta[rss_hash(s, family, src, dst, sport, dport,
				hashes_ports(s, proto)) % s->reta_size];
}

/* Bits [off, off + 32) of the key, the first bit most significant: what
 * one set bit at offset off of the input XORs into a Toeplitz hash. */
static uint32_t
key_window(const uint8_t *key, unsigned int off)
{
	unsigned int b = off / 8, sh = off % 8;
	uint64_t v = 0;

	for (unsigned int i = 0; i < 5; i++)
		v = v << 8 | (b + i < NET_RSS_KEY_LEN ? key[b + i] : 0);
	return (uint32_t)(v >> (8 - sh));
}

int
dp_flow_pick_sport(const struct net_flow_steer *s, uint8_t family,
		   const uint8_t *local, const uint8_t *remote, uint16_t rport,
		   uint8_t proto, uint16_t lo, uint16_t hi, uint16_t start,
		   uint32_t worker, uint16_t *lport)
{
	uint32_t span, base = 0, win[16];
	bool l4;

	if (lo > hi || start < lo || start > hi || worker >= s->nworkers ||
	    (family != NET_AF_IPV4 && family != NET_AF_IPV6) ||
	    (proto != 6 && proto != 17))
		return -EINVAL;
	span = (uint32_t)hi - lo + 1;
	if (!s->rss) {
		for (uint32_t i = 0; i < span; i++) {
			uint16_t p = (uint16_t)(lo + (start - lo + i) % span);

			/* the reply: remote, rport -> local, p (symmetric) */
			if (dp_flow_owner_n(s->nworkers, family, remote, local, rport, p,
					    proto) == worker) {
				*lport = p;
				return 0;
			}
		}
		return -EADDRNOTAVAIL;
	}
	if (s->reta_size == 0)
		return -ENOTSUP;
	l4 = hashes_ports(s, proto);
	if (!l4) {
		/* the NIC hashes the addresses only: no port changes the queue */
		if (s->reta[rss_hash(s, family, remote, local, 0, 0, false) %
			    s->reta_size] != worker)
			return -ENOTSUP;
		*lport = start;
		return 0;
	}
	/*
	 * Toeplitz is linear over GF(2): hash(reply with dport p) =
	 * hash(reply with dport 0) ^ the key windows of p's set bits. The
	 * reply's dport is the tuple's last 16 bits (rte_softrss() reads
	 * addresses, then sport << 16 | dport): bit 80 (IPv4) or 272 (IPv6).
	 */
	base = rss_hash(s, family, remote, local, rport, 0, true);
	for (unsigned int j = 0; j < 16; j++)
		win[j] = key_window(s->rss_key,
				    (family == NET_AF_IPV4 ? 80u : 272u) + 15u - j);
	for (uint32_t i = 0; i < span; i++) {
		uint16_t p = (uint16_t)(lo + (start - lo + i) % span);
		uint32_t h = base;

		for (unsigned int j = 0; j < 16; j++)
			if (p & (1u << j))
				h ^= win[j];
		if (s->reta[h % s->reta_size] == worker) {
			*lport = p;
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}
