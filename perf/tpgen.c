/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tpgen: the process (see tpgen.h for what the generator is). This file
 * owns the port (one RX/TX queue pair per queue asked for, a TX pool kept
 * zeroed so payload filler never needs writing), ARP (it answers for its
 * own address and learns the server's MAC), the receive dispatch, and the
 * command loop on stdin:
 *
 *   setup [window=N] [timeout=S] [count=N]   allocate and bind clients
 *   run kind=chan|send|peer|mix size=B [rate=PPS] secs=S [warm=S]
 *   flood [kind=badmi|noauth] [sources=N] [rate=PPS] secs=S [warm=S]
 *         [legit=PER_S] [give_up=S] [yield=0|1] [hold_us=US] [stale=0|1]
 *   tcpconn [port=P] [window=W] [req=B] secs=S [warm=S]   (--tcp)
 *   tcpbulk [port=P] [conns=N] [chunk=B] secs=S [warm=S]  (--tcp)
 *   tlsconn [port=P] [window=W] [resume=0|1] secs=S [warm=S]  (--tls)
 *   tlsku_open [port=P] [conns=N] [timeout=S] | tlsku_send [count=K]
 *         [req=0|1] [mode=lean|openssl] [wait=S] | tlsku_close   (--tls)
 *   agwopen file=F [tls=MASK] [probe=B] [window=W] [timeout=S]  (--tcp)
 *   agwbulk [chunk=B] secs=S [warm=S] | agwclose [timeout=S]    (--tcp)
 *   agwping [size=B] rate=PPS secs=S [warm=S]                  (--tcp)
 *   rtpcalls file=F [keep=1] | rtprun rate=PPS secs=S [warm=S] [verify=N]
 *         [dir=both|ue|core] [first=I] [n=N] [pre=0|1]   (tpgen_rtp.c)
 *   dtlscert | dtlshs role=client|server [hold=1] [first=I] [n=N]
 *         [inflight=K] [timeout=S]                          (tpgen_dtls.c)
 *   quit
 *
 * Each command answers one JSON object on one line of stdout. Between
 * commands the port is still polled, so ARP keeps being answered.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "flow.h"
#include "steer.h"
#include "tpgen.h"

volatile int gen_stop;

static void
on_signal(int sig)
{
	(void)sig;
	gen_stop = 1;
}

/* ---- checksums ---------------------------------------------------------- */

uint32_t
gen_sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

uint16_t
gen_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t
gen_ip_cksum(const uint8_t *ip)
{
	return (uint16_t)~gen_fold(gen_sum16(ip, 20, 0));
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Ethernet + IPv4 + UDP headers (42 bytes) for payload_len bytes, the UDP
 * checksum left 0 for the caller. */
void
gen_build_udp(struct gen *g, uint8_t *f, uint32_t src, uint16_t sport,
	      uint32_t dst, uint16_t dport, uint16_t payload_len)
{
	uint8_t *ip = f + 14, *u = f + 34;

	memcpy(f, g->dut_mac.addr_bytes, 6);
	memcpy(f + 6, g->mac.addr_bytes, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(20 + 8 + payload_len));
	put16(ip + 4, 0);
	put16(ip + 6, 0x4000);       /* DF */
	ip[8] = 64;
	ip[9] = 17;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, gen_ip_cksum(ip));
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + payload_len));
	put16(u + 6, 0);
}

/* ---- the port ----------------------------------------------------------- */

static uint32_t tcp_conns;           /* --tcp: the stack's connections */
static bool tls_on;                  /* --tls, --tls-turn */
static char tls_suite[128] = "TLS_AES_128_GCM_SHA256";
static const char *tls_cert, *tls_key;     /* the clients' (--tls-cert) */

static void
zero_obj(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct rte_mbuf *m = obj;

	(void)mp;
	(void)arg;
	(void)idx;
	memset(m->buf_addr, 0, m->buf_len);
}

static int
port_init(struct gen *g)
{
	struct rte_eth_conf conf;
	uint16_t nb_rxd = 1024, nb_txd = 1024;
	int socket = (int)rte_socket_id(), rc;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "tpgen: no port: give one with --vdev\n");
		return -ENODEV;
	}
	RTE_ETH_FOREACH_DEV(g->port_id)
		break;
	/* With TCP, mbufs are held: received segments in the streams'
	 * queues (in order until read, out of order until the hole fills),
	 * ChannelData in the send queues until acknowledged. */
	unsigned int nmbufs = tcp_conns > 0 ? 65535 : 16383;

	g->tx_pool = rte_pktmbuf_pool_create("gen_tx", nmbufs, 256, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	g->rx_pool = rte_pktmbuf_pool_create("gen_rx", nmbufs, 256, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (g->tx_pool == NULL || g->rx_pool == NULL) {
		fprintf(stderr, "tpgen: cannot create mbuf pools: %s\n",
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	/* Payload filler is zero and never written: frames only write their
	 * heads and stamps, and a few bytes after (see tpgen_traffic.c). */
	rte_mempool_obj_iter(g->tx_pool, zero_obj, NULL);
	rc = rte_eth_dev_configure(g->port_id, g->nq, g->nq, &conf);
	if (rc < 0)
		goto fail;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(g->port_id, &nb_rxd, &nb_txd);
	if (rc < 0)
		goto fail;
	for (uint16_t q = 0; q < g->nq; q++) {
		rc = rte_eth_rx_queue_setup(g->port_id, q, nb_rxd,
					    (unsigned int)socket, NULL, g->rx_pool);
		if (rc < 0)
			goto fail;
		rc = rte_eth_tx_queue_setup(g->port_id, q, nb_txd,
					    (unsigned int)socket, NULL);
		if (rc < 0)
			goto fail;
	}
	rc = rte_eth_dev_start(g->port_id);
	if (rc < 0)
		goto fail;
	rte_eth_promiscuous_enable(g->port_id);
	rte_eth_macaddr_get(g->port_id, &g->mac);
	return 0;
fail:
	fprintf(stderr, "tpgen: port setup failed: %s\n", strerror(-rc));
	return rc;
}

int
gen_tx_frame(struct gen *g, uint16_t q, const void *frame, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->rx_pool);
	void *p;

	if (m == NULL)
		return -ENOBUFS;
	p = rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	memcpy(p, frame, len);
	if (rte_eth_tx_burst(g->port_id, q, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -EAGAIN;
	}
	return 0;
}

/* ---- ARP ---------------------------------------------------------------- */

static void
arp_send(struct gen *g, uint16_t op, const uint8_t *tha, uint32_t tpa)
{
	uint8_t f[60];

	memset(f, 0, sizeof(f));
	if (op == 1)
		memset(f, 0xff, 6);
	else
		memcpy(f, tha, 6);
	memcpy(f + 6, g->mac.addr_bytes, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, op);
	memcpy(f + 22, g->mac.addr_bytes, 6);
	put32(f + 28, g->local_ip);
	if (op == 2)
		memcpy(f + 32, tha, 6);
	put32(f + 38, tpa);
	gen_tx_frame(g, 0, f, sizeof(f));
}

static void
arp_input(struct gen *g, const uint8_t *a, uint16_t len)
{
	uint16_t op;
	uint32_t spa, tpa;

	if (len < 28 || a[4] != 6 || a[5] != 4)
		return;
	op = (uint16_t)(a[6] << 8 | a[7]);
	spa = get32(a + 14);
	tpa = get32(a + 24);
	if (spa == g->dut_ip) {
		memcpy(g->dut_mac.addr_bytes, a + 8, 6);
		g->dut_mac_known = true;
	}
	/* We stand for our own address and, as a router would, for the
	 * clients and peers behind it. */
	if (op == 1 && tpa != g->dut_ip) {
		arp_send(g, 2, a + 8, spa);
		g->arp_replies++;
	}
}

/* The far side of a memif link comes after us: wait for it. */
static int
wait_link(struct gen *g, double timeout_s)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(timeout_s * (double)g->hz);
	struct rte_eth_link link;

	while (!gen_stop && rte_rdtsc() < end) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(g->port_id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return 0;
		rte_delay_ms(10);
	}
	return -ETIMEDOUT;
}

int
gen_resolve_dut(struct gen *g, double timeout_s)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(timeout_s * (double)g->hz);
	uint64_t next = 0;

	if (g->raw) {
		/* testpmd bounces whatever it gets: any unicast address. */
		static const uint8_t any[6] = { 0x02, 0, 0, 0, 0, 0x01 };

		memcpy(g->dut_mac.addr_bytes, any, 6);
		g->dut_mac_known = true;
		return 0;
	}
	while (!g->dut_mac_known && !gen_stop) {
		uint64_t now = rte_rdtsc();

		if (now > end)
			return -ETIMEDOUT;
		if (now >= next) {
			arp_send(g, 1, NULL, g->dut_ip);
			next = now + g->hz / 5;
		}
		gen_rx_poll(g, now);
	}
	return g->dut_mac_known ? 0 : -EINTR;
}

/* ---- receive ------------------------------------------------------------ */

/* Returns true when m was taken (a TCP segment: the stack keeps it). */
static bool
ip4_input(struct gen *g, struct rte_mbuf *m, const uint8_t *ip, uint16_t len,
	  uint64_t now)
{
	uint16_t hl = (uint16_t)((ip[0] & 0x0fu) * 4u), tot, ulen;
	uint32_t dst;
	const uint8_t *u, *p;

	if (len >= 20 && ip[9] == 6 && g->tcp != NULL) {
		gen_tcp_input(g, m, ip, len, now);
		return true;
	}
	if (len < 20 || (ip[0] >> 4) != 4 || hl < 20 || ip[9] != 17) {
		g->rx_other++;
		return false;
	}
	tot = (uint16_t)(ip[2] << 8 | ip[3]);
	if (tot > len || tot < hl + 8u) {
		g->rx_other++;
		return false;
	}
	u = ip + hl;
	ulen = (uint16_t)(u[4] << 8 | u[5]);
	if (ulen < 8 || ulen > tot - hl) {
		g->rx_other++;
		return false;
	}
	p = u + 8;
	ulen = (uint16_t)(ulen - 8);
	dst = get32(ip + 16);
	if (g->raw) {
		gen_traffic_input(g, false, p, ulen, now);
		return false;
	}
	if (g->rtp != NULL) {
		/* RFC 7983: 20..63 is DTLS (a relay's handshake, tpgen_dtls.c) */
		if (g->dtls != NULL && ulen > 0 && p[0] >= 20 && p[0] <= 63 &&
		    dst - g->client_base < gen_rtp_ncalls(g)) {
			gen_dtls_input(g, dst - g->client_base, get32(ip + 12),
				       (uint16_t)(u[0] << 8 | u[1]), (uint16_t)(u[2] << 8 | u[3]),
				       p, ulen);
			return false;
		}
		gen_rtp_input(g, dst, p, ulen);
		return false;
	}
	if (dst - g->client_base < g->nclients) {
		/* To a client: ChannelData or a Data indication carry
		 * traffic; any other STUN message is a control answer. */
		if (ulen >= 4 && ((p[0] & 0xc0u) == 0x40u ||
				  (ulen >= 20 && p[0] == 0x00 && p[1] == 0x17))) {
			gen_traffic_input(g, true, p, ulen, now);
			return false;
		}
		g->rx_ctl++;
		gen_turn_input(g, dst - g->client_base, p, ulen, now);
		return false;
	}
	if (dst - g->peer_base < g->nclients) {
		gen_traffic_input(g, false, p, ulen, now);
		return false;
	}
	if (dst - g->flood_base < g->flood_n) {
		gen_flood_input(g, dst - g->flood_base, p, ulen);
		return false;
	}
	g->rx_other++;
	return false;
}

unsigned int
gen_rx_poll(struct gen *g, uint64_t now)
{
	struct rte_mbuf *pkts[GEN_BURST];
	unsigned int total = 0;

	if (g->tcp != NULL)
		gen_tcp_poll(g, now);

	for (uint16_t q = 0; q < g->nq; q++) {
		uint16_t n = rte_eth_rx_burst(g->port_id, q, pkts, GEN_BURST);
		uint16_t nfree = 0;

		/* Latency ends when the burst is in our hands, not when the
		 * loop iteration began. */
		if (n > 0)
			now = rte_rdtsc();
		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *f = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
			uint16_t len = rte_pktmbuf_data_len(pkts[i]);
			uint16_t type;

			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
			if (len < 14) {
				g->rx_other++;
				pkts[nfree++] = pkts[i];
				continue;
			}
			type = (uint16_t)(f[12] << 8 | f[13]);
			if (type == 0x0800) {
				if (ip4_input(g, pkts[i], f + 14, (uint16_t)(len - 14), now))
					continue;
			} else if (type == 0x0806) {
				arp_input(g, f + 14, (uint16_t)(len - 14));
			} else {
				g->rx_other++;
			}
			pkts[nfree++] = pkts[i];
		}
		if (nfree > 0)
			rte_pktmbuf_free_bulk(pkts, nfree);
		total += n;
	}
	return total;
}

/* ---- queue steering ----------------------------------------------------- */

/*
 * With --steer N the generator puts every frame on the queue of the dp
 * worker that owns it, as a NIC with symmetric RSS and a flow rule per
 * relayed-port share would: client flows by dp's software flow owner
 * (dp/net/flow.h), peer flows by the share of the relayed port (lib/steer),
 * the very functions dp and cp call. Without it every frame goes on
 * queue 0 and dp hands flows over between workers in software.
 */
static unsigned int
flow_owner(unsigned int nworkers, uint32_t a, uint32_t b, uint16_t pa,
	   uint16_t pb)
{
	uint32_t na = htonl(a), nb = htonl(b);

	return dp_flow_owner_n(nworkers, NET_AF_IPV4, (const uint8_t *)&na,
			       (const uint8_t *)&nb, pa, pb, 17);
}

/* The worker whose share holds port; queue 0 outside the range. */
static unsigned int
relay_share(const struct gen *g, uint16_t port)
{
	uint32_t w = steer_relay_owner(g->relay_min, g->relay_max, g->dp_workers, port);

	return w == STEER_NONE ? 0 : w;
}

void
gen_assign_queues(struct gen *g)
{
	for (uint32_t i = 0; i < g->nclients; i++) {
		struct gen_client *c = &g->c[i];

		c->txq = 0;
		c->relay_txq = 0;
		if (!g->steer)
			continue;
		c->txq = (uint8_t)(flow_owner(g->dp_workers, c->ip, g->server_ip,
					      c->port, g->server_port) % g->nq);
		c->relay_txq = (uint8_t)(relay_share(g, c->relay_port) % g->nq);
	}
}

/* ---- commands ----------------------------------------------------------- */

static const char *
arg_str(char *line, const char *key)
{
	size_t kl = strlen(key);

	for (char *t = strtok(line, " \t\n"); t != NULL; t = strtok(NULL, " \t\n"))
		if (strncmp(t, key, kl) == 0 && t[kl] == '=')
			return t + kl + 1;
	return NULL;
}

/* key=value from a command line (the line is copied: strtok writes). */
static double
arg_num(const char *line, const char *key, double def)
{
	char copy[512];
	const char *v;

	snprintf(copy, sizeof(copy), "%s", line);
	v = arg_str(copy, key);
	return v == NULL ? def : strtod(v, NULL);
}

static int
arg_kind(const char *line, enum gen_kind *k)
{
	static const char *const names[] = { "chan", "send", "peer", "mix" };
	char copy[512];
	const char *v;

	snprintf(copy, sizeof(copy), "%s", line);
	v = arg_str(copy, "kind");
	if (v == NULL)
		v = "mix";
	for (unsigned int i = 0; i < RTE_DIM(names); i++) {
		if (strcmp(v, names[i]) == 0) {
			*k = (enum gen_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

static void
flood_command(struct gen *g, const char *line)
{
	char copy[512];
	const char *v;
	enum gen_flood_kind kind = GF_BAD_MI;
	double sources = arg_num(line, "sources", 1);

	snprintf(copy, sizeof(copy), "%s", line);
	v = arg_str(copy, "kind");
	if (v != NULL && strcmp(v, "noauth") == 0)
		kind = GF_NO_AUTH;
	else if (v != NULL && strcmp(v, "badmi") != 0)
		sources = 0;
	if (sources < 1 || sources > 65536 || g->raw) {
		printf("{\"error\":\"flood: kind is badmi or noauth, sources "
		       "1..65536, not with --raw\"}\n");
		return;
	}
	if (gen_flood_prepare(g, kind, (uint32_t)sources,
			      (uint32_t)arg_num(line, "frames", 256),
			      arg_num(line, "stale", 0) != 0) < 0) {
		printf("{\"error\":\"flood: could not build the frames (no 401 "
		       "from the server, or no memory)\"}\n");
		return;
	}
	gen_flood_run(g, arg_num(line, "rate", 0), arg_num(line, "secs", 1),
		      arg_num(line, "warm", 0.5), arg_num(line, "legit", 0),
		      arg_num(line, "give_up", 5), arg_num(line, "yield", 1) != 0,
		      (uint32_t)arg_num(line, "hold_us", 0),
		      arg_num(line, "stale", 0) != 0, stdout);
}

/* agwopen file=F [tls=MASK] [probe=B] [window=W] [timeout=S] | agwbulk
 * [chunk=B] secs=S [warm=S] | agwping [size=B] rate=PPS secs=S [warm=S] |
 * agwclose [timeout=S] (tpgen_agw.c) */
static void
agw_command(struct gen *g, const char *line)
{
	char copy[512];
	const char *file;
	int rc;

	if (g->agw == NULL) {
		printf("{\"error\":\"agw: start with --tcp\"}\n");
		return;
	}
	if (strncmp(line, "agwopen", 7) == 0) {
		snprintf(copy, sizeof(copy), "%s", line);
		file = arg_str(copy, "file");
		if (file == NULL) {
			printf("{\"error\":\"agwopen: file=F\"}\n");
			return;
		}
		rc = gen_agw_open(g, file, (unsigned int)arg_num(line, "tls", 0),
				  (uint32_t)arg_num(line, "probe", 1000),
				  (unsigned int)arg_num(line, "window", 64),
				  arg_num(line, "timeout", 30), stdout);
	} else if (strncmp(line, "agwbulk", 7) == 0) {
		rc = gen_agw_bulk(g, (uint32_t)arg_num(line, "chunk", 1400),
				  arg_num(line, "secs", 1), arg_num(line, "warm", 0.5), stdout);
	} else if (strncmp(line, "agwping", 7) == 0) {
		rc = gen_agw_ping(g, (uint32_t)arg_num(line, "size", 200), arg_num(line, "rate", 0),
				  arg_num(line, "secs", 1), arg_num(line, "warm", 0.5), stdout);
	} else if (strncmp(line, "agwclose", 8) == 0) {
		rc = gen_agw_close(g, arg_num(line, "timeout", 10), stdout);
	} else {
		rc = -ENOSYS;
	}
	if (rc < 0)
		printf("{\"error\":\"%.8s: %s\"}\n", line, strerror(-rc));
}

/* rtpcalls file=F [keep=1] | rtprun rate=PPS secs=S [warm=S] [verify=N]
 * [dir=both|ue|core] [first=I] [n=N] [pre=0|1] (tpgen_rtp.c) */
static void
rtp_command(struct gen *g, const char *line)
{
	char copy[512];
	const char *file, *dir;
	int rc;

	if (strncmp(line, "rtpcalls", 8) == 0) {
		snprintf(copy, sizeof(copy), "%s", line);
		file = arg_str(copy, "file");
		rc = file == NULL ? -EINVAL : gen_rtp_load(g, file, arg_num(line, "keep", 0) != 0,
							   stdout);
	} else if (strncmp(line, "rtprun", 6) == 0) {
		struct gen_rtp_opts o = {
			.rate = arg_num(line, "rate", 0),
			.secs = arg_num(line, "secs", 1),
			.warm = arg_num(line, "warm", 0.5),
			.verify = (uint32_t)arg_num(line, "verify", 0),
			.first = (uint32_t)arg_num(line, "first", 0),
			.n = (uint32_t)arg_num(line, "n", 0),
			.pre = arg_num(line, "pre", 0) != 0,
		};

		snprintf(copy, sizeof(copy), "%s", line);
		dir = arg_str(copy, "dir");
		rc = 0;
		if (dir == NULL || strcmp(dir, "both") == 0)
			o.dir = GEN_RTP_BOTH;
		else if (strcmp(dir, "ue") == 0)
			o.dir = GEN_RTP_UE;
		else if (strcmp(dir, "core") == 0)
			o.dir = GEN_RTP_CORE;
		else
			rc = -EINVAL;
		if (rc == 0)
			rc = gen_rtp_run(g, &o, stdout);
	} else {
		rc = -ENOSYS;
	}
	if (rc < 0)
		printf("{\"error\":\"%.8s: %s\"}\n", line, strerror(-rc));
}

/* dtlscert | dtlshs role=client|server [hold=1] [first=I] [n=N]
 * [inflight=K] [timeout=S] (tpgen_dtls.c) */
static void
dtls_command(struct gen *g, const char *line)
{
	char copy[512];
	const char *role;
	int rc = -EINVAL;

	if (strncmp(line, "dtlscert", 8) == 0) {
		rc = gen_dtls_cert(g, stdout);
	} else if (strncmp(line, "dtlshs", 6) == 0) {
		snprintf(copy, sizeof(copy), "%s", line);
		role = arg_str(copy, "role");
		if (role != NULL && (strcmp(role, "client") == 0 || strcmp(role, "server") == 0))
			rc = gen_dtls_run(g, strcmp(role, "client") == 0,
					  arg_num(line, "hold", 0) != 0,
					  (uint32_t)arg_num(line, "first", 0),
					  (uint32_t)arg_num(line, "n", 0),
					  (uint32_t)arg_num(line, "inflight", 32),
					  arg_num(line, "timeout", 30), stdout);
	} else {
		rc = -ENOSYS;
	}
	if (rc < 0)
		printf("{\"error\":\"%.8s: %s\"}\n", line, strerror(-rc));
}

static void
command(struct gen *g, const char *line)
{
	if (strncmp(line, "setup", 5) == 0) {
		gen_turn_setup(g, (unsigned int)arg_num(line, "window", 256),
			       arg_num(line, "timeout", 60),
			       (uint32_t)arg_num(line, "count", 0), stdout);
	} else if (strncmp(line, "flood", 5) == 0) {
		flood_command(g, line);
	} else if (strncmp(line, "run", 3) == 0) {
		enum gen_kind k;
		double size = arg_num(line, "size", 64);

		double record = arg_num(line, "record", 0);

		if (g->pool_dirty || g->rtp != NULL) {
			printf("{\"error\":\"run: not after rtpcalls (start another tpgen)\"}\n");
		} else if (arg_kind(line, &k) < 0 || size < GEN_STAMP_LEN || size > 1400 ||
		    (g->tcp_turn && k == GK_SEND) || record < 0 || record > 16384 ||
		    (record > 0 && !g->tls_turn)) {
			printf("{\"error\":\"run: kind is chan, send, peer or mix; "
			       "size %u..1400; record 0..16384 (--tls-turn)\"}\n",
			       GEN_STAMP_LEN);
		} else if (gen_traffic_prepare(g, (uint16_t)size,
					       (uint32_t)arg_num(line, "flows", 0)) < 0) {
			printf("{\"error\":\"run: no memory for the flows, or flows that "
			       "differ in ports or channel, or a checksum patched wrong\"}\n");
		} else {
			g->tls_record = (uint32_t)record;
			gen_traffic_run(g, k, arg_num(line, "rate", 0),
					arg_num(line, "secs", 1),
					arg_num(line, "warm", 0.2), stdout);
		}
	} else if (strncmp(line, "tcpconn", 7) == 0 || strncmp(line, "tcpbulk", 7) == 0) {
		if (g->tcp == NULL) {
			printf("{\"error\":\"%.7s: start with --tcp\"}\n", line);
		} else if (line[3] == 'c') {
			if (gen_tcp_conn_run(g, (uint16_t)arg_num(line, "port", 7),
					     (unsigned int)arg_num(line, "window", 64),
					     (uint32_t)arg_num(line, "req", 0),
					     arg_num(line, "secs", 1),
					     arg_num(line, "warm", 0.2), stdout) < 0)
				printf("{\"error\":\"tcpconn: window 1 or more\"}\n");
		} else if (gen_tcp_bulk_run(g, (uint16_t)arg_num(line, "port", 7),
					    (uint32_t)arg_num(line, "conns", 4),
					    (uint32_t)arg_num(line, "chunk", 1400),
					    arg_num(line, "secs", 1), arg_num(line, "warm", 0.5),
					    stdout) < 0) {
			printf("{\"error\":\"tcpbulk: no memory\"}\n");
		}
	} else if (strncmp(line, "tlsconn", 7) == 0) {
		if (g->tcp == NULL || !gen_tls_enabled()) {
			printf("{\"error\":\"tlsconn: start with --tls\"}\n");
		} else if (gen_tcp_tls_conn_run(g, (uint16_t)arg_num(line, "port", 5349),
						(unsigned int)arg_num(line, "window", 64),
						arg_num(line, "resume", 0) != 0,
						arg_num(line, "secs", 1),
						arg_num(line, "warm", 0.2), stdout) < 0) {
			printf("{\"error\":\"tlsconn: window 1 or more\"}\n");
		}
	} else if (strncmp(line, "tlsku_", 6) == 0) {
		char copy[512];
		const char *mode;
		int rc = -EINVAL;

		snprintf(copy, sizeof(copy), "%s", line);
		mode = arg_str(copy, "mode");
		if (g->tcp == NULL || !gen_tls_enabled())
			printf("{\"error\":\"tlsku: start with --tls\"}\n");
		else if (strncmp(line, "tlsku_open", 10) == 0)
			rc = gen_tcp_ku_open(g, (uint16_t)arg_num(line, "port", 5349),
					     (uint32_t)arg_num(line, "conns", 64),
					     arg_num(line, "timeout", 30), stdout);
		else if (strncmp(line, "tlsku_send", 10) == 0)
			rc = gen_tcp_ku_send(g, (uint32_t)arg_num(line, "count", 32),
					     arg_num(line, "req", 0) != 0,
					     mode == NULL || strcmp(mode, "openssl") != 0,
					     arg_num(line, "wait", 0.5), stdout);
		else if (strncmp(line, "tlsku_close", 11) == 0)
			rc = gen_tcp_ku_close(g, stdout);
		if (rc < 0 && g->tcp != NULL && gen_tls_enabled())
			printf("{\"error\":\"tlsku: %s\"}\n", strerror(-rc));
	} else if (strncmp(line, "agw", 3) == 0) {
		agw_command(g, line);
	} else if (strncmp(line, "rtp", 3) == 0) {
		rtp_command(g, line);
	} else if (strncmp(line, "dtls", 4) == 0) {
		dtls_command(g, line);
	} else if (strncmp(line, "quit", 4) == 0) {
		gen_stop = 1;
		printf("{\"bye\":true}\n");
	} else {
		printf("{\"error\":\"unknown command\"}\n");
	}
	fflush(stdout);
}

static void
command_loop(struct gen *g)
{
	char line[512];
	size_t have = 0;

	while (!gen_stop) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		int r = poll(&pfd, 1, 1);
		char *nl;

		gen_rx_poll(g, rte_rdtsc());
		if (r <= 0)
			continue;
		r = (int)read(0, line + have, sizeof(line) - 1 - have);
		if (r <= 0)
			break;           /* stdin closed: perf/run is gone */
		have += (size_t)r;
		line[have] = '\0';
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			if (line[0] != '\0')
				command(g, line);
			have -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, have + 1);
		}
		if (have == sizeof(line) - 1)
			have = 0;        /* an overlong line: drop it */
	}
}

/* ---- main --------------------------------------------------------------- */

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: tpgen [EAL options] -- [options]\n"
		"  --local IP         our address on the link (default 10.200.0.2)\n"
		"  --dut IP           the server's address on the link (10.200.0.1)\n"
		"  --server IP:PORT   TURN server (default DUT:3478)\n"
		"  --clients IP       first client address (10.128.0.1; one per client)\n"
		"  --peers IP         first peer address (10.160.0.1; one per client)\n"
		"  --flood-base IP    first flood source address (10.176.0.1)\n"
		"  --allocs N         clients, one allocation each (default 1)\n"
		"  --user U --pass P  long-term credentials (realm from the 401)\n"
		"  --bind chan|perm   ChannelBind (default) or CreatePermission only\n"
		"  --queues N         RX/TX queue pairs (default 1)\n"
		"  --steer W          queue per frame as dp's W workers own them\n"
		"  --relay-ports A-B  dp's relayed port range (for --steer)\n"
		"  --raw              no TURN: frames are bounced back (testpmd)\n"
		"  --tcp N            host dp/tcp with room for N connections\n"
		"  --tcp-turn         clients speak TURN over TCP (implies --tcp)\n"
		"  --tls              TLS 1.3 clients (OpenSSL; tlsconn; implies --tcp)\n"
		"  --tls-turn         clients speak TURN over TLS (implies --tcp-turn)\n"
		"  --tls-suite S      the TLS 1.3 suite offered (TLS_AES_128_GCM_SHA256)\n"
		"  --tls-cert F --tls-key F  the clients' certificate (AGW legs)\n"
		"Commands on stdin: setup [window=N] [count=N] | run kind=K size=B\n"
		"  [rate=PPS] secs=S [warm=S] [flows=F] | flood [kind=badmi|noauth]\n"
		"  [sources=N] [rate=PPS] secs=S [warm=S] [legit=PER_S] [give_up=S]\n"
		"  [yield=0|1] [hold_us=US] [stale=0|1] | tcpconn [port=P] [window=W]\n"
		"  [req=B] secs=S [warm=S] | tcpbulk [port=P] [conns=N] [chunk=B] secs=S\n"
		"  [warm=S] | tlsconn [port=P] [window=W] [resume=0|1] secs=S [warm=S]\n"
		"  | tlsku_open [port=P] [conns=N] [timeout=S] | tlsku_send [count=K]\n"
		"  [req=0|1] [mode=lean|openssl] [wait=S] | tlsku_close\n"
		"  | agwopen file=F [tls=MASK] [probe=B] [window=W] [timeout=S] | agwbulk\n"
		"  [chunk=B] secs=S [warm=S] | agwping [size=B] rate=PPS secs=S [warm=S]\n"
		"  | agwclose [timeout=S] | rtpcalls file=F [keep=1] | rtprun rate=PPS secs=S\n"
		"  [warm=S] [verify=N] [dir=both|ue|core] [first=I] [n=N] [pre=0|1]\n"
		"  | dtlscert | dtlshs role=client|server [hold=1] [first=I] [n=N]\n"
		"  [inflight=K] [timeout=S] | quit; one JSON answer per command (run: record=B gathers\n"
		"  ChannelData into TLS records of B bytes with --tls-turn).\n");
}

static int
parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = ntohl(a.s_addr);
	return 0;
}

static int
parse_args(struct gen *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "local", required_argument, NULL, 'l' },
		{ "dut", required_argument, NULL, 'd' },
		{ "server", required_argument, NULL, 's' },
		{ "clients", required_argument, NULL, 'c' },
		{ "peers", required_argument, NULL, 'p' },
		{ "flood-base", required_argument, NULL, 'f' },
		{ "allocs", required_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'u' },
		{ "pass", required_argument, NULL, 'P' },
		{ "bind", required_argument, NULL, 'b' },
		{ "queues", required_argument, NULL, 'q' },
		{ "steer", required_argument, NULL, 'S' },
		{ "relay-ports", required_argument, NULL, 'r' },
		{ "raw", no_argument, NULL, 'R' },
		{ "tcp", required_argument, NULL, 'T' },
		{ "tcp-turn", no_argument, NULL, 'U' },
		{ "tls", no_argument, NULL, 'L' },
		{ "tls-turn", no_argument, NULL, 'K' },
		{ "tls-suite", required_argument, NULL, 'C' },
		{ "tls-cert", required_argument, NULL, 'E' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool server_set = false;
	int opt;

	parse_ip("10.200.0.2", &g->local_ip);
	parse_ip("10.200.0.1", &g->dut_ip);
	parse_ip("10.128.0.1", &g->client_base);
	parse_ip("10.160.0.1", &g->peer_base);
	parse_ip("10.176.0.1", &g->flood_base);
	g->server_port = 3478;
	g->client_port = 40000;
	g->peer_port = 50000;
	g->nclients = 1;
	g->nq = 1;
	g->use_channels = true;
	g->lifetime = 3600;
	g->relay_min = 49152;
	g->relay_max = 65535;
	snprintf(g->user, sizeof(g->user), "perf");
	snprintf(g->pass, sizeof(g->pass), "perf");
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *colon;

		switch (opt) {
		case 'l':
			if (parse_ip(optarg, &g->local_ip) < 0)
				goto bad;
			break;
		case 'd':
			if (parse_ip(optarg, &g->dut_ip) < 0)
				goto bad;
			break;
		case 's':
			colon = strchr(optarg, ':');
			if (colon == NULL)
				goto bad;
			*colon = '\0';
			if (parse_ip(optarg, &g->server_ip) < 0)
				goto bad;
			g->server_port = (uint16_t)atoi(colon + 1);
			server_set = true;
			break;
		case 'c':
			if (parse_ip(optarg, &g->client_base) < 0)
				goto bad;
			break;
		case 'p':
			if (parse_ip(optarg, &g->peer_base) < 0)
				goto bad;
			break;
		case 'f':
			if (parse_ip(optarg, &g->flood_base) < 0)
				goto bad;
			break;
		case 'n':
			g->nclients = (uint32_t)strtoul(optarg, NULL, 10);
			if (g->nclients == 0 || g->nclients > 1000000)
				goto bad;
			break;
		case 'u':
			snprintf(g->user, sizeof(g->user), "%s", optarg);
			break;
		case 'P':
			snprintf(g->pass, sizeof(g->pass), "%s", optarg);
			break;
		case 'b':
			if (strcmp(optarg, "chan") == 0)
				g->use_channels = true;
			else if (strcmp(optarg, "perm") == 0)
				g->use_channels = false;
			else
				goto bad;
			break;
		case 'q':
			g->nq = (uint16_t)atoi(optarg);
			if (g->nq < 1 || g->nq > GEN_MAX_QUEUES)
				goto bad;
			break;
		case 'S': {
			char *end;
			unsigned long n;

			/* shared among as lib/steer does: 0 workers share
			 * nothing (and once divided by zero) */
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' ||
			    errno != 0 || n < 1 || n > GEN_MAX_DP_WORKERS) {
				fprintf(stderr, "tpgen: --steer wants dp's worker count, "
					"1 to %u, not '%s'\n", GEN_MAX_DP_WORKERS, optarg);
				return -EINVAL;
			}
			g->steer = true;
			g->dp_workers = (unsigned int)n;
			break;
		}
		case 'r':
			if (sscanf(optarg, "%hu-%hu", &g->relay_min, &g->relay_max) != 2 ||
			    g->relay_min > g->relay_max)
				goto bad;
			break;
		case 'R':
			g->raw = true;
			break;
		case 'T':
			tcp_conns = (uint32_t)strtoul(optarg, NULL, 10);
			if (tcp_conns < 2 || tcp_conns > 1000000)
				goto bad;
			break;
		case 'U':
			g->tcp_turn = true;
			break;
		case 'K':
			g->tcp_turn = true;
			g->tls_turn = true;
			tls_on = true;
			break;
		case 'L':
			tls_on = true;
			break;
		case 'C':
			snprintf(tls_suite, sizeof(tls_suite), "%s", optarg);
			break;
		case 'E':
			tls_cert = optarg;
			break;
		case 'k':
			tls_key = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (!server_set)
		g->server_ip = g->dut_ip;
	if (tls_on && tcp_conns < 1024)
		tcp_conns = 1024;         /* tlsconn's windows and TIME_WAIT */
	if (g->tcp_turn && tcp_conns < g->nclients + 16)
		tcp_conns = g->nclients + 16;
	return 0;
bad:
	fprintf(stderr, "tpgen: bad value '%s' for %s\n", optarg,
		argv[optind - 1]);
	usage(stderr);
	return -EINVAL;
}

int
main(int argc, char **argv)
{
	static struct gen g;
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "tpgen: cannot initialise the EAL: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	if (parse_args(&g, argc, argv) < 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	g.hz = rte_get_tsc_hz();
	g.c = calloc(g.nclients, sizeof(*g.c));
	if (g.c == NULL || port_init(&g) < 0)
		return 1;
	if (tls_on && gen_tls_init(tls_suite) < 0) {
		fprintf(stderr, "tpgen: cannot set up TLS (suite '%s')\n", tls_suite);
		return 1;
	}
	if (tls_on && tls_cert != NULL &&
	    gen_tls_client_cert(tls_cert, tls_key != NULL ? tls_key : tls_cert) < 0) {
		fprintf(stderr, "tpgen: cannot use the certificate %s\n", tls_cert);
		return 1;
	}
	if (tcp_conns > 0) {
		int rc = gen_tcp_create(&g, tcp_conns);

		if (rc < 0) {
			fprintf(stderr, "tpgen: cannot create the TCP stack: %s\n",
				strerror(-rc));
			return 1;
		}
	}
	for (uint32_t i = 0; i < g.nclients; i++) {
		struct gen_client *c = &g.c[i];

		c->ip = g.client_base + i;
		c->port = g.client_port;
		c->peer_ip = g.peer_base + i;
		c->peer_port = g.peer_port;
		c->channel = 0x4000;
		if (g.raw) {
			/* Nothing to set up: frames only need to look real. */
			c->relay_ip = g.dut_ip;
			c->relay_port = (uint16_t)(g.relay_min +
				i % ((uint32_t)g.relay_max - g.relay_min + 1));
			c->state = CS_READY;
		}
	}
	gen_assign_queues(&g);
	/*
	 * A tap's link is read by its name in our namespace, and perf/run
	 * moves the tap into a namespace of its own once we say "listening":
	 * from then on it reads down. So a tap's link is seen up before
	 * (dev_start set it up); a memif's comes up only when the peer, which
	 * perf/run starts after "listening", connects. (Read after
	 * "listening", a tap's link races perf/run's move, and a generator
	 * kept off its core between the two, as beside a CPU hog, loses: the
	 * tap's link "did not come up".)
	 */
	{
		struct rte_eth_dev_info di;
		bool tap = rte_eth_dev_info_get(g.port_id, &di) == 0 &&
			   di.driver_name != NULL && strcmp(di.driver_name, "net_tap") == 0;

		if (tap && wait_link(&g, 60) < 0) {
			printf("{\"error\":\"the tap's link did not come up\"}\n");
			fflush(stdout);
			return 1;
		}
		printf("{\"listening\":true}\n");
		fflush(stdout);
		if (!tap && wait_link(&g, 60) < 0) {
			printf("{\"error\":\"the link did not come up\"}\n");
			fflush(stdout);
			return 1;
		}
	}
	/* perf/run moves a tap into its namespace after "listening"; its
	 * `ip netns add` waits behind the kernel's clean-up of the last
	 * phase's namespace, which beside a CPU hog can take over 10 s (a
	 * shorter wait runs out, the generator exits and takes its tap with
	 * it: "Cannot find device" on the move). */
	if (gen_resolve_dut(&g, 60) < 0) {
		fprintf(stderr, "tpgen: no ARP answer from the server's address\n");
		printf("{\"error\":\"no ARP answer from the server\"}\n");
		fflush(stdout);
		return 1;
	}
	printf("{\"ready\":true,\"mac\":\"" RTE_ETHER_ADDR_PRT_FMT "\",\"dut_mac\":\""
	       RTE_ETHER_ADDR_PRT_FMT "\",\"tsc_hz\":%" PRIu64 ",\"queues\":%u}\n",
	       RTE_ETHER_ADDR_BYTES(&g.mac), RTE_ETHER_ADDR_BYTES(&g.dut_mac),
	       g.hz, g.nq);
	fflush(stdout);
	command_loop(&g);
	rte_eth_dev_stop(g.port_id);
	rte_eth_dev_close(g.port_id);
	rte_eal_cleanup();
	return 0;
}
