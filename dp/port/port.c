/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: find or hot-plug each configured device, configure one RX and one
 * TX queue per worker, turn on the offloads the device has (checksums,
 * symmetric RSS), set the MTU and start it. The first core port of a
 * family also gets the family's relayed addresses (tp_conf_relay_addrs()),
 * which the network layer answers for. A device that cannot be had
 * gets one clear error naming the port and the device.
 *
 * RSS: with several workers a flow must always land on its owner. Where
 * the device hashes flows itself (symmetric Toeplitz key, so both
 * directions of a flow agree) we trust the queue it picked; net_tap only
 * steers through an eBPF program that this kernel may refuse, so there —
 * and on any device without RSS — workers compute the owner in software
 * and hand packets over (dp_handoff()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "../dp.h"
#include "../net/net.h"
#include "steer.h"
#include "tp_conf.h"

/* A symmetric RSS key: the 16-bit pattern repeated makes the Toeplitz
 * hash of (a, b) equal to that of (b, a). */
static uint8_t sym_rss_key[40] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

/* "net_tap0,iface=x" -> "net_tap0"; "0000:3b:00.0" stays. */
static void
dev_name(const char *spec, char *out, size_t size)
{
	size_t n = strcspn(spec, ",");

	if (n >= size)
		n = size - 1;
	memcpy(out, spec, n);
	out[n] = '\0';
}

static int
port_find_or_probe(const struct tp_conf_port *cp, uint16_t *port_id)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	int rc;

	dev_name(cp->dev, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	rc = rte_dev_probe(cp->dev);
	if (rc < 0 && rc != -EEXIST) {
		tp_log(TP_LOG_ERR, "port '%s': cannot open device '%s': %s\n",
			cp->name, cp->dev, strerror(-rc));
		return rc;
	}
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		tp_log(TP_LOG_ERR, "port '%s': device '%s' probed but no "
			"ethernet port named '%s' appeared\n", cp->name, cp->dev, name);
		return -ENODEV;
	}
	return 0;
}

/* The relayed addresses of family that live on port index (none when
 * another port carries them). */
static void
port_relays(struct dp_port *p, const struct tp_conf *conf, unsigned int index,
	    int family)
{
	uint8_t addrs[TP_CONF_MAX_RELAY][16];
	unsigned int on = 0;
	unsigned int n = tp_conf_relay_addrs(conf, family, addrs, &on);
	const uint8_t *own = family == 4 ? p->ip4 : p->ip6;
	int8_t own_idx = -1;

	if (n == 0 || on != index)
		n = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (family == 4) {
			memcpy(&p->relay4[i], addrs[i], 4);
		} else {
			memcpy(p->relay6[i], addrs[i], 16);
			ipv6_solicited_node(p->relay6[i], p->relay6_snm[i]);
		}
		if (memcmp(addrs[i], own, family == 4 ? 4 : 16) == 0)
			own_idx = (int8_t)i;
	}
	if (family == 4) {
		p->nrelay4 = (uint8_t)n;
		p->own_relay4 = own_idx;
	} else {
		p->nrelay6 = (uint8_t)n;
		p->own_relay6 = own_idx;
	}
	dp_port_relay_index(p);
}

/* The tenants' TURN addresses lib/conf put on port index (an access
 * port's prefix holds them), with their tenant indices. */
static void
port_tenants(struct dp_port *p, const struct tp_conf *conf, unsigned int index)
{
	p->nta4 = p->nta6 = 0;
	for (unsigned int i = 0; i < conf->tenants.n; i++) {
		const struct tp_conf_tenant *t = &conf->tenants.t[i];

		for (unsigned int j = 0; j < t->naddrs; j++) {
			const struct tp_conf_tenant_addr *a = &t->addrs[j];

			if (a->port != index)
				continue;
			if (a->family == 4 && p->nta4 < DP_PORT_TADDRS) {
				memcpy(&p->ta4[p->nta4], a->ip, 4);
				p->ta4_tenant[p->nta4++] = (uint8_t)(i + 1);
			} else if (a->family == 6 && p->nta6 < DP_PORT_TADDRS) {
				memcpy(p->ta6[p->nta6], a->ip, 16);
				ipv6_solicited_node(a->ip, p->ta6_snm[p->nta6]);
				p->ta6_tenant[p->nta6++] = (uint8_t)(i + 1);
			}
		}
	}
	dp_port_tenant_index(p);
}

void
dp_port_from_conf(struct dp_port *p, const struct tp_conf *conf, unsigned int index)
{
	const struct tp_conf_port *cp = &conf->dp.ports[index];

	snprintf(p->name, sizeof(p->name), "%s", cp->name);
	p->roles = cp->roles;
	p->has_ip4 = cp->has_ip4;
	memcpy(p->ip4, cp->ip4, 4);
	p->plen4 = cp->plen4;
	p->has_gw4 = cp->has_gw4;
	memcpy(p->gw4, cp->gw4, 4);
	p->has_ip6 = cp->has_ip6;
	memcpy(p->ip6, cp->ip6, 16);
	p->plen6 = cp->plen6;
	p->has_gw6 = cp->has_gw6;
	memcpy(p->gw6, cp->gw6, 16);
	if (p->has_ip6)
		ipv6_solicited_node(p->ip6, p->ip6_snm);
	port_relays(p, conf, index, 4);
	port_relays(p, conf, index, 6);
	port_tenants(p, conf, index);
	p->mtu = cp->mtu;
	p->vlan = cp->vlan;
	p->impair = cp->impair;
}

static int
port_setup(struct dp_ctx *ctx, struct dp_port *p)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nq = (uint16_t)ctx->nworkers, nb_rxd = 1024, nb_txd = 1024;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc < 0)
		goto fail;
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		tp_log(TP_LOG_ERR, "port '%s': %u workers need %u queues, "
			"the device has %u RX / %u TX\n", p->name, nq, nq,
			info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}

	if (ctx->conf->dp.ports[p->index].no_tx_offload)
		info.tx_offload_capa = 0;   /* operator's choice: software */
	if ((info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		p->tx_ip4_cksum = true;
	}
	if ((info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) != 0) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		p->tx_l4_cksum = true;
	}
	if ((info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) != 0) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
		p->tx_tcp_cksum = true;
	}
	if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_CHECKSUM) ==
	    RTE_ETH_RX_OFFLOAD_CHECKSUM) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_CHECKSUM;
		p->rx_cksum = true;
	}
	if (nq > 1 && strcmp(info.driver_name, "net_tap") != 0 &&
	    (info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP)) != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = sym_rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = sizeof(sym_rss_key);
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
		p->rss = true;
	}

	rc = rte_eth_dev_configure(p->port_id, nq, nq, &conf);
	if (rc < 0)
		goto fail;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (rc < 0)
		goto fail;
	for (uint16_t q = 0; q < nq; q++) {
		struct dp_worker *w = ctx->workers[q];
		int sid = rte_eth_dev_socket_id(p->port_id);
		unsigned int socket = sid < 0 ? (unsigned int)rte_socket_id() :
						(unsigned int)sid;

		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd,
					    socket,
					    NULL, w->pool);
		if (rc < 0)
			goto fail;
		rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd,
					    socket,
					    NULL);
		if (rc < 0)
			goto fail;
	}
	rc = rte_eth_dev_set_mtu(p->port_id, p->mtu);
	if (rc < 0 && rc != -ENOTSUP) {
		tp_log(TP_LOG_ERR, "port '%s': cannot set MTU %u: %s\n",
			p->name, p->mtu, strerror(-rc));
		return rc;
	}
	rc = rte_eth_macaddr_get(p->port_id, &p->mac);
	if (rc < 0)
		goto fail;
	/* IPv6 neighbour discovery needs the solicited-node groups. */
	rte_eth_allmulticast_enable(p->port_id);
	rc = rte_eth_dev_start(p->port_id);
	if (rc < 0)
		goto fail;
	rte_eth_dev_set_link_up(p->port_id);
	return dp_port_steer(ctx, p, &info);
fail:
	tp_log(TP_LOG_ERR, "port '%s' (%s): setup failed: %s\n", p->name,
		ctx->conf->dp.ports[p->index].dev, strerror(-rc));
	return rc;
}

/* "port 'core' relays on 10.201.0.11 10.201.0.12 fd00:201::11" */
static void
print_relays(const struct dp_port *p)
{
	char buf[INET6_ADDRSTRLEN], line[1024];
	size_t n = 0;

	if (p->nrelay4 == 0 && p->nrelay6 == 0)
		return;
	/* one line, one write (lib/log) */
	line[0] = '\0';
	for (unsigned int i = 0; i < p->nrelay4 && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s",
				      inet_ntop(AF_INET, &p->relay4[i], buf, sizeof(buf)));
	for (unsigned int i = 0; i < p->nrelay6 && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s",
				      inet_ntop(AF_INET6, p->relay6[i], buf, sizeof(buf)));
	tp_log(TP_LOG_INFO, "port '%s' relays on%s", p->name, line);
}

/* "relay port shares: worker 0 50000-50499, worker 1 50500-50999": the
 * rule (lib/steer) that cp picks ports by and the NIC rules steer by. */
static void
print_shares(const struct dp_ctx *ctx)
{
	char line[2048];
	size_t n = 0;
	uint16_t lo, hi;

	if (ctx->relay_max == 0)          /* no relayed ports */
		return;
	line[0] = '\0';
	for (uint32_t w = 0; w < ctx->nworkers && n < sizeof(line); w++) {
		if (steer_relay_share(ctx->relay_min, ctx->relay_max, ctx->nworkers, w,
				      &lo, &hi))
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s worker %u %u-%u",
					      w ? "," : "", w, lo, hi);
		else
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s worker %u none",
					      w ? "," : "", w);
	}
	tp_log(TP_LOG_INFO, "relay port shares:%s", line);
}

int
dp_ports_init(struct dp_ctx *ctx)
{
	const struct tp_conf_dp *cd = &ctx->conf->dp;
	int rc;

	ctx->nports = 0;
	for (unsigned int i = 0; i < cd->nports; i++) {
		struct dp_port *p = &ctx->ports[i];

		memset(p, 0, sizeof(*p));
		p->index = (uint8_t)i;
		dp_port_from_conf(p, ctx->conf, i);
		rc = port_find_or_probe(&cd->ports[i], &p->port_id);
		if (rc < 0)
			return rc;
		for (unsigned int j = 0; j < i; j++) {
			if (ctx->ports[j].port_id == p->port_id) {
				tp_log(TP_LOG_ERR, "ports '%s' and '%s' are the "
					"same device\n", ctx->ports[j].name, p->name);
				return -EINVAL;
			}
		}
		ctx->port_index[p->port_id] = (uint8_t)i;
		rc = port_setup(ctx, p);
		if (rc < 0)
			return rc;
		ctx->nports++;
		tp_log(TP_LOG_INFO, "port '%s' up: %s, mac " RTE_ETHER_ADDR_PRT_FMT
		       ", %u queue(s)%s%s%s\n", p->name, cd->ports[i].dev,
		       RTE_ETHER_ADDR_BYTES(&p->mac), ctx->nworkers,
		       p->rss ? ", rss" : ", software flow hand-off",
		       p->tx_l4_cksum && p->tx_tcp_cksum ? ", tx checksum offload" :
		       p->tx_l4_cksum ? ", tx checksum offload (UDP; TCP in software)" :
		       p->tx_tcp_cksum ? ", tx checksum offload (TCP; UDP in software)" :
		       ", software checksums",
		       p->vlan ? ", vlan" : "");
		tp_log(TP_LOG_INFO, "port '%s' steering: %s\n", p->name, p->steering);
		print_relays(p);
	}
	print_shares(ctx);
	return 0;
}

void
dp_ports_close(struct dp_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->nports; i++) {
		dp_port_unsteer(&ctx->ports[i]);
		rte_eth_dev_stop(ctx->ports[i].port_id);
		rte_eth_dev_close(ctx->ports[i].port_id);
	}
	ctx->nports = 0;
}
