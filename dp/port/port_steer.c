/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering on the NIC: what dp asks a multi-queue port to do so that a
 * packet lands on the queue of the worker that owns it, and what the port
 * actually does, read back. One queue per worker (queue q = worker q).
 *
 * - RSS ports: the redirection table is programmed to map its entries
 *   evenly and exactly onto the worker queues (entry i -> queue i mod n)
 *   and read back (rte_eth_dev_rss_reta_query()); the key and hash types
 *   are read back too. That is what dp/net/flow.c computes an active
 *   open's source port against: a table that cannot be read back leaves
 *   the port's RETA unknown and active opens refused, never guessed.
 * - Relayed ports (any multi-queue port that carries relayed addresses):
 *   one rte_flow rule per worker share and family (lib/steer), UDP
 *   destination port as a range (item spec/last) where the PMD validates
 *   that, else as the share's aligned prefix blocks (spec/mask), each
 *   action QUEUE = the share's worker. Every rule is validated before any
 *   is created; where the PMD refuses one, or a creation fails, the port
 *   keeps none and relayed traffic goes by the software hand-off (dp's
 *   listener owner, counted per worker as relay_handoff), and the refusal
 *   is counted on the port (flow_refused). Validation is not enough on
 *   every PMD: net_tap (DPDK 22.11) refuses item ranges at validate, but
 *   validates a partial port mask and refuses it only at create (TC
 *   flower takes exact ports only); and it needs the multiq qdisc, flower
 *   and skbedit in the kernel, without which it disables rte_flow.
 *
 * One line per port at start says which steering it got.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_flow.h>

#include "../dp.h"
#include "steer.h"

#define STEER_MAX_RULES 512    /* per port: 64 workers x 2 families x ranges,
				* or fewer workers as prefix blocks */

/* Program the RETA evenly onto nq queues, read it back into p->steer. */
static void
port_reta(struct dp_port *p, const struct rte_eth_dev_info *info, uint16_t nq,
	  char *out, size_t size)
{
	struct rte_eth_rss_reta_entry64 conf[NET_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_rss_conf rc_conf;
	uint8_t key[256];
	uint16_t n = info->reta_size;
	unsigned int groups = (n + RTE_ETH_RETA_GROUP_SIZE - 1) / RTE_ETH_RETA_GROUP_SIZE;
	bool exact = true, even = true;
	unsigned int cnt[DP_MAX_WORKERS] = { 0 };
	int rc;

	p->steer.reta_size = 0;
	memset(&rc_conf, 0, sizeof(rc_conf));
	rc_conf.rss_key = key;
	rc_conf.rss_key_len = sizeof(key) - 1;
	rc = rte_eth_dev_rss_hash_conf_get(p->port_id, &rc_conf);
	if (rc < 0 || rc_conf.rss_key_len < NET_RSS_KEY_LEN) {
		snprintf(out, size, "rss, key not readable (%s): RETA unknown",
			 rc < 0 ? strerror(-rc) : "short key");
		return;
	}
	memcpy(p->steer.rss_key, key, NET_RSS_KEY_LEN);
	p->steer.rss_l4 = 0;
	if ((rc_conf.rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_UDP) != 0 &&
	    (rc_conf.rss_hf & RTE_ETH_RSS_NONFRAG_IPV6_UDP) != 0)
		p->steer.rss_l4 |= NET_RSS_L4_UDP;
	if ((rc_conf.rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP) != 0 &&
	    (rc_conf.rss_hf & RTE_ETH_RSS_NONFRAG_IPV6_TCP) != 0)
		p->steer.rss_l4 |= NET_RSS_L4_TCP;
	if (n == 0 || n > NET_RETA_MAX) {
		snprintf(out, size, "rss, RETA of %u entries not handled: unknown", n);
		return;
	}
	memset(conf, 0, sizeof(conf));
	for (unsigned int i = 0; i < n; i++) {
		conf[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
			(uint16_t)(i % nq);
	}
	rc = rte_eth_dev_rss_reta_update(p->port_id, conf, n);
	for (unsigned int g = 0; g < groups; g++)
		memset(conf[g].reta, 0xff, sizeof(conf[g].reta));
	if (rte_eth_dev_rss_reta_query(p->port_id, conf, n) < 0) {
		snprintf(out, size, "rss, RETA %s, not readable: unknown",
			 rc < 0 ? "not programmable" : "programmed");
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint16_t q = conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];

		if (q >= nq) {
			snprintf(out, size, "rss, RETA entry %u names queue %u of %u: unknown",
				 i, q, nq);
			return;
		}
		exact = exact && q == i % nq;
		cnt[q]++;
		p->steer.reta[i] = (uint8_t)q;
	}
	for (unsigned int q = 0; q < nq; q++)
		even = even && (cnt[q] == n / nq || cnt[q] == ((unsigned int)n + nq - 1) / nq);
	p->steer.reta_size = n;
	/* what it reads back is what flow.c computes with, in any case */
	if (rc == 0 && exact)
		snprintf(out, size, "rss reta %u entries over %u queues, programmed and "
			 "verified", n, nq);
	else
		snprintf(out, size, "rss reta %u entries over %u queues, %s%s, reads back "
			 "%s", n, nq, rc < 0 ? "not programmable: " : "programmed",
			 rc < 0 ? strerror(-rc) : "", exact ? "as asked" :
			 even ? "other entries, even" : "other entries, UNEVEN");
}

struct rule_set {
	unsigned int n;
	struct {
		uint16_t spec, last, mask;
		uint16_t queue;
		uint8_t family;
	} r[STEER_MAX_RULES];
};

/* The rules of one form (ranges or blocks) for the port's families;
 * false when they do not fit. */
static bool
rules_build(struct rule_set *rs, const struct dp_ctx *ctx, const struct dp_port *p,
	    bool ranges)
{
	rs->n = 0;
	for (uint8_t fam = 4; fam <= 6; fam += 2) {
		if ((fam == 4 ? p->nrelay4 : p->nrelay6) == 0)
			continue;
		for (uint32_t w = 0; w < ctx->nworkers; w++) {
			struct steer_block b[32];
			uint16_t lo, hi;
			unsigned int nb;

			if (!steer_relay_share(ctx->relay_min, ctx->relay_max, ctx->nworkers,
					       w, &lo, &hi))
				continue;
			if (ranges) {
				if (rs->n >= STEER_MAX_RULES)
					return false;
				rs->r[rs->n].spec = lo;
				rs->r[rs->n].last = hi;
				rs->r[rs->n].mask = 0xffff;
				rs->r[rs->n].queue = (uint16_t)w;
				rs->r[rs->n++].family = fam;
				continue;
			}
			nb = steer_port_blocks(lo, hi, b, 32);
			for (unsigned int k = 0; k < nb; k++) {
				if (rs->n >= STEER_MAX_RULES)
					return false;
				rs->r[rs->n].spec = b[k].base;
				rs->r[rs->n].last = 0;
				rs->r[rs->n].mask = b[k].mask;
				rs->r[rs->n].queue = (uint16_t)w;
				rs->r[rs->n++].family = fam;
			}
		}
	}
	return true;
}

/* Validate (create when install) rule i of rs. */
static int
rule_apply(const struct dp_port *p, const struct rule_set *rs, unsigned int i,
	   bool install, struct rte_flow_error *err)
{
	struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_udp spec, last, mask;
	struct rte_flow_action_queue queue = { .index = rs->r[i].queue };
	struct rte_flow_item pattern[5];
	struct rte_flow_action actions[2];
	unsigned int k = 0;

	memset(&spec, 0, sizeof(spec));
	memset(&last, 0, sizeof(last));
	memset(&mask, 0, sizeof(mask));
	spec.hdr.dst_port = rte_cpu_to_be_16(rs->r[i].spec);
	last.hdr.dst_port = rte_cpu_to_be_16(rs->r[i].last);
	mask.hdr.dst_port = rte_cpu_to_be_16(rs->r[i].mask);
	memset(pattern, 0, sizeof(pattern));
	pattern[k++].type = RTE_FLOW_ITEM_TYPE_ETH;
	if (p->vlan != 0)
		pattern[k++].type = RTE_FLOW_ITEM_TYPE_VLAN;
	pattern[k++].type = rs->r[i].family == 4 ? RTE_FLOW_ITEM_TYPE_IPV4 :
						    RTE_FLOW_ITEM_TYPE_IPV6;
	pattern[k].type = RTE_FLOW_ITEM_TYPE_UDP;
	pattern[k].spec = &spec;
	pattern[k].last = rs->r[i].last != 0 ? &last : NULL;
	pattern[k++].mask = &mask;
	pattern[k].type = RTE_FLOW_ITEM_TYPE_END;
	memset(actions, 0, sizeof(actions));
	actions[0].type = RTE_FLOW_ACTION_TYPE_QUEUE;
	actions[0].conf = &queue;
	actions[1].type = RTE_FLOW_ACTION_TYPE_END;
	memset(err, 0, sizeof(*err));
	if (!install)
		return rte_flow_validate(p->port_id, &attr, pattern, actions, err);
	return rte_flow_create(p->port_id, &attr, pattern, actions, err) != NULL ? 0 :
	       -(rte_errno != 0 ? rte_errno : EIO);
}

static const char *
flow_err(const struct rte_flow_error *err, int rc)
{
	return err->message != NULL ? err->message : strerror(-rc);
}

/* Install the relay rules of one form; 0, or -errno with why in out. */
static int
rules_install(struct dp_port *p, const struct rule_set *rs, const char *form,
	      char *out, size_t size)
{
	struct rte_flow_error err;
	int rc;

	for (unsigned int i = 0; i < rs->n; i++) {
		rc = rule_apply(p, rs, i, false, &err);
		if (rc < 0) {
			snprintf(out, size, "%s refused by validate (rule %u/%u: %s)", form,
				 i + 1, rs->n, flow_err(&err, rc));
			return rc;
		}
	}
	for (unsigned int i = 0; i < rs->n; i++) {
		rc = rule_apply(p, rs, i, true, &err);
		if (rc < 0) {
			snprintf(out, size, "%s validated, create failed (rule %u/%u: %s)",
				 form, i + 1, rs->n, flow_err(&err, rc));
			rte_flow_flush(p->port_id, &err);
			p->flow_rules = 0;
			return rc;
		}
		p->flow_rules++;
	}
	return 0;
}

static struct rule_set rs_ranges, rs_blocks;

int
dp_port_steer(struct dp_ctx *ctx, struct dp_port *p,
	      const struct rte_eth_dev_info *info)
{
	uint16_t nq = (uint16_t)ctx->nworkers;
	char reta[160] = "", flow[320] = "", why_r[140] = "", why_b[140] = "";
	const struct rule_set *rs = NULL;
	const char *form = NULL;
	int rc = -ENOSPC;

	p->steer.nworkers = nq;
	p->steer.rss = p->rss;
	p->flow_rules = p->flow_rules_wanted = p->flow_refused = 0;
	if (p->rss)
		port_reta(p, info, nq, reta, sizeof(reta));
	else
		snprintf(reta, sizeof(reta), "%s", nq > 1 ?
			 "no rss, software flow hand-off" : "one queue");
	if (nq > 1 && ctx->relay_max != 0 && p->nrelay4 + p->nrelay6 > 0) {
		/* one rule per share where the PMD takes ranges */
		if (rules_build(&rs_ranges, ctx, p, true))
			rc = rules_install(p, &rs_ranges, "ranges", why_r, sizeof(why_r));
		else
			snprintf(why_r, sizeof(why_r), "ranges: over %u rules", STEER_MAX_RULES);
		if (rc == 0) {
			rs = &rs_ranges;
			form = "udp dst port ranges";
		} else {
			if (rules_build(&rs_blocks, ctx, p, false))
				rc = rules_install(p, &rs_blocks, "prefix blocks", why_b,
						   sizeof(why_b));
			else
				snprintf(why_b, sizeof(why_b), "prefix blocks: over %u rules",
					 STEER_MAX_RULES);
			if (rc == 0) {
				rs = &rs_blocks;
				form = "udp dst port prefix blocks";
			}
		}
		if (rs != NULL) {
			p->flow_rules_wanted = (uint16_t)rs->n;
			snprintf(flow, sizeof(flow), ", rte_flow relay rules %u/%u (%s)",
				 p->flow_rules, rs->n, form);
		} else {
			p->flow_rules_wanted = (uint16_t)rs_blocks.n;
			p->flow_refused = p->flow_rules_wanted;
			snprintf(flow, sizeof(flow), ", rte_flow relay rules 0/%u (%s; %s), "
				 "relayed ports by software hand-off", p->flow_rules_wanted,
				 why_r, why_b);
		}
	}
	snprintf(p->steering, sizeof(p->steering), "%s%s", reta, flow);
	return 0;
}

void
dp_port_unsteer(struct dp_port *p)
{
	struct rte_flow_error err;

	if (p->flow_rules > 0)
		rte_flow_flush(p->port_id, &err);
	p->flow_rules = 0;
}
