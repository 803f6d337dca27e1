/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocations in cp (RFC 8656 §7–§12): the table and what an allocation
 * holds (the decisions on requests are requests.c's). The relayed
 * transport address chosen at random
 * (CSPRNG, RFC 6056 style) among the free (address, port) pairs whose port
 * lies in the requesting worker's share of the range, so that peer traffic
 * steers to the worker that owns the client: with several relayed
 * addresses per family (relay_ipv4 / relay_ipv6) the box holds addresses x
 * ports allocations, a dual allocation one port in both families, each
 * family at an address where that port is free; every lifetime a timer in
 * cp's wheel; quotas per user and in total, and no worker given more than
 * its dp table holds (508). What cp decides goes back to the worker
 * install first, response second, on the same ring, so the response never
 * overtakes the state it announces.
 *
 * Restarts: a new cp asks dp for its state and rebuilds allocations and
 * timers from it (times are absolute CLOCK_MONOTONIC milliseconds, the
 * same for every process of the host); when dp restarts (its epoch
 * changes), cp installs every allocation again.
 * EVEN-PORT reservations are cp's alone and do not survive a cp restart
 * (struct cp_reservation).
 *
 * The modules that follow allocations (usage records, the cluster's
 * registry and leases) observe them (cp_alloc_observe()), and one of
 * them may decide the quota across boxes (cp_alloc_quota_hook()):
 * cp/alloc names none of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <openssl/rand.h>

#include "alloc_internal.h"
#include "../cp_dp.h"
#include "steer.h"
#include "stun.h"
#include "tp_conf.h"
#include "tp_log.h"

/* ---- small helpers ------------------------------------------------------ */

static uint32_t
hash_bytes(const void *p, size_t n, uint32_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;   /* FNV-1a */
	return h;
}

static uint32_t
tuple_hash(const struct ipc_tuple *t)
{
	uint32_t h = 2166136261u;

	h = hash_bytes(&t->transport, 1, h);
	h = hash_bytes(&t->in_port, 1, h);
	h = hash_bytes(&t->conn_id, sizeof(t->conn_id), h);
	h = hash_bytes(&t->client.family, 1, h);
	h = hash_bytes(&t->client.port, 2, h);
	h = hash_bytes(t->client.ip, 16, h);
	return hash_bytes(&t->server.port, 2, h);
}

static bool
tuple_eq(const struct ipc_tuple *a, const struct ipc_tuple *b)
{
	return a->transport == b->transport && a->in_port == b->in_port &&
	       a->conn_id == b->conn_id && a->client.family == b->client.family &&
	       a->client.port == b->client.port && a->server.port == b->server.port &&
	       memcmp(a->client.ip, b->client.ip, 16) == 0;
}

static uint32_t
id_hash(uint64_t id)
{
	return (uint32_t)((id * 0x9E3779B97F4A7C15ULL) >> 32);
}

void
cpa_stun_from_ipc(struct stun_addr *s, const struct ipc_addr *a)
{
	memset(s, 0, sizeof(*s));
	s->family = a->family == NET_AF4 ? STUN_AF_IPV4 : STUN_AF_IPV6;
	s->port = a->port;
	memcpy(s->ip, a->ip, 16);
}

uint64_t
cpa_ms_to_tick(const struct cp_ctx *cp, uint64_t ms)
{
	return ms <= cp->start_ms ? 0 : (ms - cp->start_ms) / CP_TICK_MS;
}

/* ---- relayed transport addresses ---------------------------------------- */

/* Index of a family in cp's relayed-address tables. */
unsigned int
cpa_fam_i(uint8_t family)
{
	return family == NET_AF6 ? 1u : 0u;
}

/* The worker whose share of the relay range holds port p (lib/steer: the
 * rule dp and the load generator use too), or STEER_NONE outside it. */
static uint32_t
share_of(const struct cp_ctx *cp, uint32_t p)
{
	if (p > UINT16_MAX)
		return STEER_NONE;
	return steer_relay_owner(cp->conf->turn.relay_min, cp->conf->turn.relay_max,
				 cp->nworkers, (uint16_t)p);
}

/* The index of ip among the family's relayed addresses, or CP_RELAY_NONE. */
uint8_t
cpa_relay_index(const struct cp_ctx *cp, uint8_t family, const uint8_t *ip)
{
	unsigned int fi = cpa_fam_i(family);

	for (unsigned int k = 0; k < cp->alloc->nrelay[fi]; k++)
		if (memcmp(cp->alloc->relay_ip[fi][k], ip, family == NET_AF4 ? 4 : 16) == 0)
			return (uint8_t)k;
	return CP_RELAY_NONE;
}

bool
cpa_port_used(const struct cp_ctx *cp, unsigned int fi, unsigned int idx, uint32_t p)
{
	return (cp->alloc->port_used[fi][idx][p >> 6] >> (p & 63)) & 1u;
}

/* Mark (address idx of family fi, port p) used or free, keeping the count
 * of its worker share. */
void
cpa_port_set(struct cp_ctx *cp, unsigned int fi, unsigned int idx, uint16_t p, bool used)
{
	uint64_t *word, bit = 1ULL << (p & 63);
	uint32_t w;

	if (idx >= cp->alloc->nrelay[fi])
		return;   /* not one of ours (the configuration changed) */
	word = &cp->alloc->port_used[fi][idx][p >> 6];
	if (((*word & bit) != 0) == used)
		return;
	*word ^= bit;
	/* the port at every address of the family: full */
	if (used)
		cp->alloc->port_n[fi][p]++;
	else
		cp->alloc->port_n[fi][p]--;
	if (cp->alloc->port_n[fi][p] >= cp->alloc->nrelay[fi])
		cp->alloc->port_full[fi][p >> 6] |= bit;
	else
		cp->alloc->port_full[fi][p >> 6] &= ~bit;
	w = share_of(cp, p);
	if (w < IPC_MAX_WORKERS) {
		if (used)
			cp->alloc->share_used[fi][idx][w]++;
		else
			cp->alloc->share_used[fi][idx][w]--;
	}
}

/* a into (or out of) the chain of its relay_port: taken once when its
 * ports are, given back once (a chain holds an allocation at most once). */
static void
port_chain(struct cp_ctx *cp, struct cp_alloc *a, bool used)
{
	struct cp_alloc **pp = &cp->alloc->by_port[a->relay_port];

	for (; *pp != NULL; pp = &(*pp)->next_port)
		if (*pp == a) {
			if (!used)
				*pp = a->next_port;
			return;
		}
	if (used) {
		a->next_port = cp->alloc->by_port[a->relay_port];
		cp->alloc->by_port[a->relay_port] = a;
	}
}

/*
 * The live allocation that holds relayed transport address r (family, IP
 * and port), or NULL: a walk of the allocations on r's port only, never
 * of the pool. Reservations (EVEN-PORT) are no allocation.
 */
struct cp_alloc *
cpa_alloc_by_relayed(struct cp_ctx *cp, const struct ipc_addr *r)
{
	if (cp->alloc == NULL)
		return NULL;
	for (struct cp_alloc *a = cp->alloc->by_port[r->port]; a != NULL; a = a->next_port)
		for (unsigned int i = 0; i < a->nrelayed && i < 2; i++)
			if (a->relayed[i].family == r->family &&
			    memcmp(a->relayed[i].ip, r->ip, r->family == NET_AF4 ? 4 : 16) == 0)
				return a;
	return NULL;
}

/* Take (or give back) every relayed transport address of a, counted for
 * its tenant at each address, and a in the chain of its port. */
void
cpa_alloc_ports_set(struct cp_ctx *cp, struct cp_alloc *a, bool used)
{
	port_chain(cp, a, used);
	for (unsigned int i = 0; i < a->nrelayed && i < 2; i++) {
		unsigned int fi = cpa_fam_i(a->relayed[i].family), k = a->relay_idx[i];
		uint32_t *at;

		if (k == CP_RELAY_NONE || k >= cp->alloc->nrelay[fi])
			continue;
		cpa_port_set(cp, fi, k, a->relay_port, used);
		at = &cp->alloc->tenant_at[a->tenant][fi][k];
		if (used)
			(*at)++;
		else if (*at > 0)
			(*at)--;
	}
}

/*
 * The tenant of a request or an allocation: the one whose TURN address
 * the client reached (the tuple's server address; lib/conf's index, 0 the
 * default tenant). Nothing the client sends picks it: a client reaches a
 * tenant's address only by sending to it, and dp answers it there.
 */
unsigned int
cpa_tenant_of(const struct cp_ctx *cp, const struct ipc_tuple *tu)
{
	unsigned int t;

	if (cp->conf->tenants.n == 0 ||
	    (tu->server.family != NET_AF4 && tu->server.family != NET_AF6))
		return 0;
	t = tp_conf_tenant_of(cp->conf, tu->server.family, tu->server.ip);
	return t <= TP_CONF_MAX_TENANTS ? t : 0;
}

/* The relayed addresses of family (NET_AF4, NET_AF6) tenant t may take,
 * as bits over relay_ip[]: all of them without tenants. */
uint64_t
cpa_tenant_mask(const struct cp_ctx *cp, unsigned int t, uint8_t family)
{
	return t <= TP_CONF_MAX_TENANTS ? cp->alloc->relay_mask[t][cpa_fam_i(family)] : 0;
}

/* Of the 64 ports of word wi, those a search may take: not at every
 * address of each family in fams (port_full), even when even is set, and
 * port + 1 not full either when reserve is set (checked again per address
 * by the caller). */
static uint64_t
port_candidates(const struct cp_ctx *cp, uint32_t wi, const uint8_t *fams,
		unsigned int nfams, bool even, bool reserve)
{
	uint64_t c = ~0ULL;

	for (unsigned int f = 0; f < nfams; f++) {
		const uint64_t *full = cp->alloc->port_full[cpa_fam_i(fams[f])];

		c &= ~full[wi];
		if (reserve)
			c &= ~((full[wi] >> 1) |
			       (wi + 1 < 65536 / 64 ? full[wi + 1] << 63 : 1ULL << 63));
	}
	if (even || reserve)
		c &= 0x5555555555555555ULL;   /* even ports: bit 0 is port 64 * wi */
	return c;
}

/* In each family of fams, an address of its mask where port p (and p + 1
 * when reserve) is free, from a random first one: idx[] filled, true;
 * false when a family has none. */
static bool
port_addresses(const struct cp_ctx *cp, uint32_t p, const uint8_t *fams,
	       const uint64_t *masks, unsigned int nfams, bool reserve, uint32_t r,
	       uint8_t *idx)
{
	for (unsigned int f = 0; f < nfams; f++) {
		unsigned int fi = cpa_fam_i(fams[f]), n = cp->alloc->nrelay[fi], k;

		for (k = 0; k < n; k++) {
			unsigned int a = (r + k) % n;

			if (!((masks[f] >> a) & 1u) || cpa_port_used(cp, fi, a, p) ||
			    (reserve && cpa_port_used(cp, fi, a, p + 1)))
				continue;
			idx[f] = (uint8_t)a;
			break;
		}
		if (k == n)
			return false;
	}
	return true;
}

/*
 * RFC 8656 §7.2: a relayed transport address for each of the nfams
 * families in fams[]: one port for all of them, from worker w's share of
 * the range (peer traffic to it steers to w), even when even is set, with
 * port + 1 free too at the same address when reserve is set (EVEN-PORT
 * R=1); in each family, one of the addresses of masks[] (bits over the
 * family's relayed addresses: the tenant's pool) where that port is free. The
 * port and the first address tried are random (CSPRNG, RFC 6056 style):
 * relayed transport addresses are hard to guess and spread over every
 * address. Fills idx[] (address index per family) and returns the port,
 * or 0 when the share has no such pair (508).
 *
 * The search goes 64 ports at a time, from a random port: a port in use
 * at every address of a family is one bit of port_full, so a word of
 * candidates is a few ANDs, and only a candidate's addresses are looked
 * at. With a million allocations on 64 addresses x 16,384 ports (95% of
 * the pairs taken) a pick is the first word or two and up to 64 address
 * bits, where the port-by-port search tested every address of every
 * port it passed (O(ports x addresses) as the share filled).
 *
 * A tenant's pool is a subset of the family's addresses: port_full (a
 * port used at every address) still rules candidates out, but a port
 * free elsewhere and used at each of the pool's addresses is only found
 * used by port_addresses(). A pool that is full in w's share is seen
 * before the search (share_used per address); one nearly full costs a
 * bit test per pool address and candidate port, microseconds for 16,384
 * ports. Without tenants every mask is every address: the search is the
 * one above.
 */
uint16_t
cpa_port_pick(struct cp_ctx *cp, unsigned int w, const uint8_t *fams,
	  const uint64_t *masks, unsigned int nfams, bool even, bool reserve, uint8_t *idx)
{
	uint32_t lo, hi, span, start, r[2] = { 0, 0 }, wlo, whi, nw;
	uint16_t slo, shi;

	if (w >= IPC_MAX_WORKERS ||
	    !steer_relay_share(cp->conf->turn.relay_min, cp->conf->turn.relay_max,
			       cp->nworkers, w, &slo, &shi))
		return 0;
	lo = slo;
	hi = shi;
	span = hi - lo + 1;
	/* A family with its whole share in use at every address of its
	 * mask: no search. */
	for (unsigned int f = 0; f < nfams; f++) {
		unsigned int fi = cpa_fam_i(fams[f]), k;

		for (k = 0; k < cp->alloc->nrelay[fi]; k++)
			if (((masks[f] >> k) & 1u) && cp->alloc->share_used[fi][k][w] < span)
				break;
		if (k == cp->alloc->nrelay[fi])
			return 0;
	}
	RAND_bytes((unsigned char *)r, sizeof(r));
	start = lo + r[0] % span;
	wlo = lo >> 6;
	whi = hi >> 6;
	nw = whi - wlo + 1;
	/* every word once from start's, then start's again for the ports
	 * below start in it */
	for (uint32_t i = 0; i <= nw; i++) {
		uint32_t wi = wlo + ((start >> 6) - wlo + i) % nw;
		uint64_t c = port_candidates(cp, wi, fams, nfams, even, reserve);
		uint32_t base = wi << 6;

		/* within the share, and the part of start's word this pass is for */
		if (base < lo)
			c &= ~0ULL << (lo - base);
		if (base + 63 > hi)
			c &= ~0ULL >> (base + 63 - hi);
		if (i == 0)
			c &= ~0ULL << (start & 63);
		else if (i == nw)
			c &= (start & 63) ? ~0ULL >> (64 - (start & 63)) : 0;
		while (c != 0) {
			uint32_t p = base + (uint32_t)__builtin_ctzll(c);

			c &= c - 1;
			if (reserve && p + 1 > hi)
				continue;
			if (port_addresses(cp, p, fams, masks, nfams, reserve, r[1], idx))
				return (uint16_t)p;
		}
	}
	return 0;
}

/* ---- EVEN-PORT reservations (RFC 8656 §7.2 steps 5 and 8) -------------- */

/*
 * The slot's state says whether it is held, a token is never 0, and a
 * reservation ends, slot and port, when it is used or when its timer
 * fires. Token 0 as the mark of a free slot would let an Allocate
 * carrying eight zero bytes match a used reservation and get the port
 * the token's owner already holds; an expired reservation that kept its
 * port would hold it until another reservation took the slot.
 */

/* The reservation token names for worker w and tenant t, or NULL: 0,
 * unknown, used, expired, another worker's or another tenant's (§7.2
 * step 5: then 508). The reserved port lies in the reserving worker's
 * share, where peer traffic to it goes, and at an address of the
 * reserving tenant's pool: a token is a bearer secret, and one that
 * leaked to another tenant's client must not hand it that pool's
 * address (nor tell it the token is valid: the same 508 as unknown). */
struct cp_reservation *
cpa_reserv_find(struct cp_ctx *cp, uint64_t token, unsigned int w, unsigned int t)
{
	if (token == 0)
		return NULL;
	for (unsigned int i = 0; i < CP_MAX_RESERV; i++) {
		struct cp_reservation *rv = &cp->alloc->reserv[i];

		if (rv->used && rv->token == token)
			return rv->expires_ms > cp->now_ms && rv->worker == w &&
			       rv->tenant == t ? rv : NULL;
	}
	return NULL;
}

/* The token of the reservation allocation id made, or 0. */
uint64_t
cpa_reserv_token_of(const struct cp_ctx *cp, uint64_t id)
{
	for (unsigned int i = 0; i < CP_MAX_RESERV; i++)
		if (cp->alloc->reserv[i].used && cp->alloc->reserv[i].alloc_id == id)
			return cp->alloc->reserv[i].token;
	return 0;
}

/* A free slot, or NULL when CP_MAX_RESERV are held. */
struct cp_reservation *
cpa_reserv_free_slot(struct cp_ctx *cp)
{
	for (unsigned int i = 0; i < CP_MAX_RESERV; i++)
		if (!cp->alloc->reserv[i].used)
			return &cp->alloc->reserv[i];
	return NULL;
}

/* A new token: random (CSPRNG: a token must not be guessed), never 0 and
 * never one a held reservation has. 0 when no randomness is to be had. */
uint64_t
cpa_reserv_new_token(struct cp_ctx *cp)
{
	for (unsigned int tries = 0; tries < 8; tries++) {
		uint64_t t = 0;
		bool taken = false;

		if (RAND_bytes((unsigned char *)&t, sizeof(t)) != 1 || t == 0)
			continue;
		for (unsigned int i = 0; i < CP_MAX_RESERV && !taken; i++)
			taken = cp->alloc->reserv[i].used && cp->alloc->reserv[i].token == t;
		if (!taken)
			return t;
	}
	return 0;
}

/* The reservation ends: its slot is free, its token names nothing. */
void
cpa_reserv_end(struct cp_ctx *cp, struct cp_reservation *rv)
{
	tw_del(&cp->wheel, &rv->timer);
	rv->used = false;
	rv->token = 0;
}

static struct cp_ctx *g_cp;   /* timer callbacks reach the context here */

/* Unused for its 30 s: the port is free again now, not when another
 * reservation happens to take the slot. */
static void
reserv_expired(struct tw_timer *t, void *arg)
{
	struct cp_reservation *rv = arg;

	(void)t;
	cpa_port_set(g_cp, cpa_fam_i(rv->family), rv->relay_idx, rv->port, false);
	cpa_reserv_end(g_cp, rv);
}

/* ---- usernames: interned, counted for the quota (RFC 8656 §7.2 step 10) */

/*
 * An entry leaves with its user's last allocation, and chains stay as
 * short as the live users make them: the heads double when the users
 * outnumber them. With TURN REST credentials every session brings a new
 * username: open addressing without deletion, sized 2 x quota_total,
 * fills after a few hundred thousand sessions (then every Allocate gets
 * 486), and its probes grow long well before (300,000 usernames take 4
 * minutes where 20,000 take 5 s).
 *
 * The names are authenticated (cp/auth), so whoever picks them holds a
 * credential; the hash basis is random per run all the same.
 */
static uint32_t
user_hash(const struct cp_ctx *cp, unsigned int tenant, const char *name, size_t len)
{
	uint32_t h = hash_bytes(name, len, 2166136261u ^ cp->alloc->user_seed);
	uint8_t t = (uint8_t)tenant;

	/* (the default tenant's hash is the one from before tenants) */
	return t != 0 ? hash_bytes(&t, 1, h) : h;
}

static bool
user_is(const struct cp_user *u, uint32_t h, unsigned int tenant, const char *name,
	size_t len)
{
	return u->hash == h && u->tenant == tenant && u->len == len &&
	       memcmp(u->name, name, len) == 0;
}

/* The entry of username name in tenant, or NULL when it has no
 * allocation. */
struct cp_user *
cpa_user_find(const struct cp_ctx *cp, unsigned int tenant, const char *name, size_t len)
{
	uint32_t h = user_hash(cp, tenant, name, len);

	for (struct cp_user *u = cp->alloc->by_user[h & cp->alloc->users_mask]; u; u = u->next)
		if (user_is(u, h, tenant, name, len))
			return u;
	return NULL;
}

/* Twice the chain heads, every entry moved (a step of cp's own loop: a
 * few milliseconds at a million users). Without memory the chains just
 * grow longer. */
static void
users_grow(struct cp_ctx *cp)
{
	uint32_t n = (cp->alloc->users_mask + 1) * 2;
	struct cp_user **heads = calloc(n, sizeof(*heads));

	if (heads == NULL)
		return;
	for (uint32_t b = 0; b <= cp->alloc->users_mask; b++) {
		struct cp_user *u = cp->alloc->by_user[b], *next;

		for (; u != NULL; u = next) {
			next = u->next;
			u->next = heads[u->hash & (n - 1)];
			heads[u->hash & (n - 1)] = u;
		}
	}
	free(cp->alloc->by_user);
	cp->alloc->by_user = heads;
	cp->alloc->users_mask = n - 1;
}

/* Count allocation a under username name (len bytes, at most
 * TP_USERNAME_MAX) in a's tenant: the user's entry, made with a copy of
 * the name at its first allocation. 0, or -ENOMEM (a is not counted, has
 * no user). */
int
cpa_user_attach(struct cp_ctx *cp, struct cp_alloc *a, const char *name, size_t len)
{
	uint32_t h = user_hash(cp, a->tenant, name, len);
	struct cp_user **head = &cp->alloc->by_user[h & cp->alloc->users_mask], *u;

	if (len > UINT16_MAX)
		return -EINVAL;
	for (u = *head; u != NULL; u = u->next)
		if (user_is(u, h, a->tenant, name, len))
			break;
	if (u == NULL) {
		u = malloc(sizeof(*u) + len + 1);
		if (u == NULL)
			return -ENOMEM;
		u->hash = h;
		u->tenant = a->tenant;
		u->n = 0;
		u->allocs = NULL;
		u->len = (uint16_t)len;
		memcpy(u->name, name, len);
		u->name[len] = '\0';
		u->next = *head;
		*head = u;
		cp->alloc->nusers++;
		if (cp->alloc->nusers > cp->alloc->users_mask + 1)
			users_grow(cp);
	}
	a->user = u;
	a->user_prev = NULL;
	a->user_next = u->allocs;
	if (u->allocs != NULL)
		u->allocs->user_prev = a;
	u->allocs = a;
	u->n++;
	return 0;
}

/* a no longer counts; its user leaves the table with its last one. */
static void
user_detach(struct cp_ctx *cp, struct cp_alloc *a)
{
	struct cp_user *u = a->user, **pp;

	if (u == NULL)
		return;
	if (a->user_prev != NULL)
		a->user_prev->user_next = a->user_next;
	else
		u->allocs = a->user_next;
	if (a->user_next != NULL)
		a->user_next->user_prev = a->user_prev;
	a->user = NULL;
	a->user_next = a->user_prev = NULL;
	if (--u->n > 0)
		return;
	for (pp = &cp->alloc->by_user[u->hash & cp->alloc->users_mask]; *pp != u;
	     pp = &(*pp)->next)
		;
	*pp = u->next;
	free(u);
	cp->alloc->nusers--;
}

/* ---- sending to dp ------------------------------------------------------ */

/* m to worker w: alloc's messages answer clients' requests (or go in a
 * reinstall whose room was asked for first, headroom included), so they
 * may take the ring's last slots. 0, or < 0 (cp_dp_send(), which counts). */
static int
send_msg(struct cp_ctx *cp, unsigned int w, struct ipc_msg *m)
{
	return cp_dp_send(cp, w, m, 0);
}

void
cpa_send_msg(struct cp_ctx *cp, unsigned int w, struct ipc_msg *m)
{
	send_msg(cp, w, m);
}

static void
msg_init(struct ipc_msg *m, uint16_t kind, const struct cp_alloc *a,
	 const struct ipc_tuple *tu)
{
	memset(&m->h, 0, sizeof(m->h));
	m->h.kind = kind;
	m->h.alloc_id = a != NULL ? a->id : 0;
	m->h.tuple = a != NULL ? a->tuple : *tu;
}

void
cpa_send_response(struct cp_ctx *cp, unsigned int w, const struct ipc_tuple *tu,
	      const uint8_t *buf, int len)
{
	static struct ipc_msg m;

	if (len <= 0 || (size_t)len > sizeof(m.body))
		return;
	msg_init(&m, IPC_RESPONSE, NULL, tu);
	m.h.body_len = (uint16_t)len;
	memcpy(m.body, buf, (size_t)len);
	send_msg(cp, w, &m);
}

void
cpa_send_alloc(struct cp_ctx *cp, const struct cp_alloc *a, uint16_t kind)
{
	static struct ipc_msg m;

	msg_init(&m, kind, a, NULL);
	if (kind == IPC_ALLOC_ADD) {
		struct ipc_alloc ia;

		/* No key: nobody reads it again (a request is authenticated
		 * afresh), and a restarted cp needs the username only. */
		cpa_alloc_ipc(a, &ia);
		memcpy(m.body, &ia, sizeof(ia));
		m.h.body_len = sizeof(ia);
	} else if (kind == IPC_ALLOC_LIFE) {
		memcpy(m.body, &a->expires_ms, sizeof(a->expires_ms));
		m.h.body_len = sizeof(a->expires_ms);
	}
	send_msg(cp, a->worker, &m);
	if (kind == IPC_ALLOC_ADD || kind == IPC_ALLOC_LIFE) {
		struct cp_alloc_ev ev = {
			.type = kind == IPC_ALLOC_ADD ? CP_ALLOC_EV_UP : CP_ALLOC_EV_LIFE, .a = a,
		};

		cpa_observers(cp, &ev);
	}
}

void
cpa_send_binding(struct cp_ctx *cp, const struct cp_alloc *a, uint16_t kind,
	     const struct ipc_addr *peer, uint16_t channel, uint64_t expires_ms)
{
	static struct ipc_msg m;
	struct ipc_binding b;

	msg_init(&m, kind, a, NULL);
	memset(&b, 0, sizeof(b));
	b.peer = *peer;
	b.channel = channel;
	b.expires_ms = expires_ms;
	memcpy(m.body, &b, sizeof(b));
	m.h.body_len = sizeof(b);
	send_msg(cp, a->worker, &m);
}

/* ---- allocation table --------------------------------------------------- */

/* What dp is told of a (ALLOC_ADD): its relayed addresses, expiry and
 * username; no key. */
void
cpa_alloc_ipc(const struct cp_alloc *a, struct ipc_alloc *ia)
{
	memset(ia, 0, sizeof(*ia));
	ia->nrelayed = a->nrelayed;
	for (unsigned int i = 0; i < a->nrelayed && i < 2; i++) {
		ia->relayed[i] = a->relayed[i];
		ia->relayed[i].port = a->relay_port;
	}
	ia->expires_ms = a->expires_ms;
	ia->created_ms = a->created_ms;
	ia->max_bps = a->max_bps;
	ia->max_bps_burst = a->max_bps_burst;
	ia->flags = (uint16_t)((a->tcp ? IPC_ALLOC_F_TCP : 0) |
			       (a->mobile ? IPC_ALLOC_F_MOBILE : 0));
	if (a->user != NULL) {
		ia->user_len = a->user->len;
		memcpy(ia->username, a->user->name, a->user->len);
	}
}

struct cp_alloc *
cpa_alloc_by_tuple(struct cp_ctx *cp, const struct ipc_tuple *t)
{
	const struct cp_allocs *al = cp->alloc;

	if (al == NULL)                 /* no turn group: no allocations */
		return NULL;
	for (struct cp_alloc *a = al->by_tuple[tuple_hash(t) & al->hash_mask]; a;
	     a = a->next_tuple)
		if (tuple_eq(&a->tuple, t))
			return a;
	return NULL;
}

struct cp_alloc *
cp_alloc_find_tuple(struct cp_ctx *cp, const struct ipc_tuple *t)
{
	return cpa_alloc_by_tuple(cp, t);
}

struct cp_alloc *
cp_alloc_find_id(struct cp_ctx *cp, uint64_t id)
{
	return cpa_alloc_by_id(cp, id);
}

struct cp_alloc *
cpa_alloc_by_id(struct cp_ctx *cp, uint64_t id)
{
	const struct cp_allocs *al = cp->alloc;

	if (al == NULL)                 /* no turn group: no allocations */
		return NULL;
	for (struct cp_alloc *a = al->by_id[id_hash(id) & al->hash_mask]; a; a = a->next_id)
		if (a->id == id)
			return a;
	return NULL;
}

/*
 * The two chain tables (by client tuple, by id) start small and double
 * when the allocations outnumber their heads, every live allocation moved
 * (a step of cp's loop: some 20 ms at a million). Reserved whole for
 * cp.quota_total they were 65,536 heads each whatever the count: chains
 * of 15 at a million. Without memory they stay as they are (longer
 * chains, still correct).
 */
static void
hash_grow(struct cp_ctx *cp)
{
	uint32_t n = (cp->alloc->hash_mask + 1) * 2, cur = 0;
	struct cp_alloc **bt = calloc(n, sizeof(*bt)), **bi = calloc(n, sizeof(*bi));
	struct cp_alloc *a;

	if (bt == NULL || bi == NULL) {
		free(bt);
		free(bi);
		return;
	}
	while ((a = cp_alloc_next(cp, &cur)) != NULL) {
		uint32_t h = tuple_hash(&a->tuple) & (n - 1);

		a->next_tuple = bt[h];
		bt[h] = a;
		h = id_hash(a->id) & (n - 1);
		a->next_id = bi[h];
		bi[h] = a;
	}
	free(cp->alloc->by_tuple);
	free(cp->alloc->by_id);
	cp->alloc->by_tuple = bt;
	cp->alloc->by_id = bi;
	cp->alloc->hash_mask = n - 1;
}

static void alloc_timer(struct tw_timer *t, void *arg);

/* A new allocation of worker for tu's client, of the tenant whose address
 * tu's server is, counted under username name (len bytes) in it; id 0: a
 * new id. NULL when cp holds max_allocs or has no memory for the user. */
struct cp_alloc *
cpa_alloc_new(struct cp_ctx *cp, const struct ipc_tuple *tu, uint16_t worker,
	  uint64_t id, const char *name, size_t len)
{
	struct cp_alloc *a;
	uint32_t h;

	/* (before a is live: the move takes every live allocation) */
	if (cp->alloc->nallocs + 1u > cp->alloc->hash_mask + 1u)
		hash_grow(cp);
	a = cp->alloc->free_list;
	if (a != NULL)
		cp->alloc->free_list = a->next_id;
	else if (cp->alloc->pool_used < cp->alloc->max_allocs)
		a = &cp->alloc->pool[cp->alloc->pool_used++];   /* a slot never used before */
	else
		return NULL;
	memset(a, 0, sizeof(*a));
	a->tenant = (uint8_t)cpa_tenant_of(cp, tu);
	if (cpa_user_attach(cp, a, name, len) < 0) {
		a->next_id = cp->alloc->free_list;
		cp->alloc->free_list = a;
		return NULL;
	}
	/* a user's limit holds for each of its allocations (not shared) */
	a->max_bps = tp_conf_max_bps(cp->conf, a->tenant, name, len, &a->max_bps_burst);
	cp->alloc->nallocs_limited += a->max_bps != 0;
	a->id = id != 0 ? id : ++cp->alloc->next_id;
	if (a->id > cp->alloc->next_id)
		cp->alloc->next_id = a->id;
	a->tuple = *tu;
	cp->alloc->nallocs_tcp += tu->transport == 6;
	a->worker = worker;
	a->created_ms = cp->now_ms;
	a->live = true;
	tw_timer_init(&a->timer, alloc_timer, a);
	cp->alloc->nallocs++;
	cp->alloc->tenant_allocs[a->tenant]++;
	h = tuple_hash(tu) & cp->alloc->hash_mask;
	a->next_tuple = cp->alloc->by_tuple[h];
	cp->alloc->by_tuple[h] = a;
	h = id_hash(a->id) & cp->alloc->hash_mask;
	a->next_id = cp->alloc->by_id[h];
	cp->alloc->by_id[h] = a;
	if (worker < IPC_MAX_WORKERS)
		cp->alloc->worker_allocs[worker]++;
	return a;
}

/* a's forward (FWD_ADD to fwd_worker: its tuple is a's there; FWD_DEL:
 * no longer): 0, or < 0 not sent (cp_dp_send() counted it). */
static int
fwd_send(struct cp_ctx *cp, const struct cp_alloc *a, uint16_t kind)
{
	static struct ipc_msg m;

	msg_init(&m, kind, a, NULL);
	if (kind == IPC_FWD_ADD) {
		struct ipc_fwd f = { .owner = a->worker };

		memcpy(m.body, &f, sizeof(f));
		m.h.body_len = sizeof(f);
	}
	return send_msg(cp, a->fwd_worker, &m);
}

/* a's forward goes (FWD_DEL, best effort: a full ring leaves it in dp,
 * where it hands the tuple's packets to a worker that treats them as
 * any stranger's). The worker's count falls only when the delete went:
 * one left in dp still fills dp's bound, and were cp's count below dp's,
 * cp would answer a move with success that dp then refuses (the client's
 * new tuple dropped); so cp refuses it first (405), for good: nothing
 * tells cp when dp's stale entry goes. */
static void
fwd_drop(struct cp_ctx *cp, struct cp_alloc *a)
{
	if (!a->fwd)
		return;
	if (fwd_send(cp, a, IPC_FWD_DEL) == 0 && cp->alloc->worker_fwds[a->fwd_worker] > 0)
		cp->alloc->worker_fwds[a->fwd_worker]--;
	a->fwd = false;
}

/*
 * RFC 8016: a's client is tu's now (a UDP tuple without an allocation,
 * checked by mobility.c), whose packets reach worker reach: cp's tuple
 * chain moves and dp is told before anything else about a, so that what
 * follows finds it there: a's worker (ALLOC_MOVE, the old tuple in the
 * header, the new one in the body); the worker of a's old forward, if any
 * (FWD_DEL); and reach when it is not a's worker (FWD_ADD: hand tu's
 * packets to a's worker; mobility.c checked it has room for one more);
 * then its observers hear MOVED. -ENOBUFS: one of those rings has no room for what it must take
 * (counted ipc_full), nothing sent, nothing moved.
 */
int
cpa_alloc_move(struct cp_ctx *cp, struct cp_alloc *a, const struct ipc_tuple *tu,
	       unsigned int reach)
{
	static struct ipc_msg m;
	bool add = reach != a->worker;
	struct ipc_tuple from = a->tuple;
	struct cp_alloc **pp;
	uint32_t h;

	/* Not moved here unless dp is told: cp and dp would disagree on the
	 * tuple, and everything cp says of a would miss it in dp. */
	if (!cp_dp_room(cp, a->worker, 1, 0) ||
	    (add && !cp_dp_room(cp, reach, 1u + (a->fwd && a->fwd_worker == reach), 0)) ||
	    (a->fwd && !cp_dp_room(cp, a->fwd_worker, 1, 0))) {
		cp->stats[CP_STAT_IPC_FULL]++;
		return -ENOBUFS;
	}
	msg_init(&m, IPC_ALLOC_MOVE, a, NULL);
	memcpy(m.body, tu, sizeof(*tu));
	m.h.body_len = sizeof(*tu);
	send_msg(cp, a->worker, &m);
	fwd_drop(cp, a);                          /* (of the old tuple) */
	for (pp = &cp->alloc->by_tuple[tuple_hash(&a->tuple) & cp->alloc->hash_mask]; *pp;
	     pp = &(*pp)->next_tuple)
		if (*pp == a) {
			*pp = a->next_tuple;
			break;
		}
	a->tuple = *tu;
	h = tuple_hash(tu) & cp->alloc->hash_mask;
	a->next_tuple = cp->alloc->by_tuple[h];
	cp->alloc->by_tuple[h] = a;
	if (add) {
		a->fwd = true;
		a->fwd_worker = (uint16_t)reach;
		cp->alloc->worker_fwds[reach]++;
		(void)fwd_send(cp, a, IPC_FWD_ADD);   /* (room checked) */
	}
	/* (after dp's ALLOC_MOVE: what an observer sends of a, a tap of
	 * lawful interception's, finds it at its new tuple) */
	cpa_observers(cp, &(struct cp_alloc_ev){ .type = CP_ALLOC_EV_MOVED, .a = a,
						 .from = &from });
	return 0;
}

/* Can reach take one more forward (one of a's goes from there)? */
bool
cpa_fwd_room(const struct cp_ctx *cp, const struct cp_alloc *a, unsigned int reach)
{
	return reach < IPC_MAX_WORKERS &&
	       cp->alloc->worker_fwds[reach] - (a->fwd && a->fwd_worker == reach) < IPC_FWD_MAX;
}

/* Forget an allocation (dp is told by the caller when it must be);
 * reason: why it ended (enum cp_alloc_end_reason), which its observers
 * hear (END) while it is still whole. */
void
cpa_alloc_free(struct cp_ctx *cp, struct cp_alloc *a, unsigned int reason)
{
	struct cp_alloc_ev ev = { .type = CP_ALLOC_EV_END, .a = a, .reason = reason };
	struct cp_alloc **pp;

	cpa_observers(cp, &ev);

	tw_del(&cp->wheel, &a->timer);
	fwd_drop(cp, a);          /* (another worker's: its only end) */
	if (a->tcp)
		cpa_tcp_alloc_gone(cp, a);   /* RFC 6062 §5.5: its connections go */
	for (pp = &cp->alloc->by_tuple[tuple_hash(&a->tuple) & cp->alloc->hash_mask]; *pp;
	     pp = &(*pp)->next_tuple)
		if (*pp == a) {
			*pp = a->next_tuple;
			break;
		}
	for (pp = &cp->alloc->by_id[id_hash(a->id) & cp->alloc->hash_mask]; *pp;
	     pp = &(*pp)->next_id)
		if (*pp == a) {
			*pp = a->next_id;
			break;
		}
	cpa_alloc_ports_set(cp, a, false);
	ev.type = CP_ALLOC_EV_GONE;
	cpa_observers(cp, &ev);
	{
		uint64_t t[IPC_ALLOC_STATS_N];

		cp_alloc_traffic(a, t);
		for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++) {
			cp->alloc->traffic_done[a->tenant][i] += t[i];
			cp->alloc->traffic_live[a->tenant][i] -= t[i];
		}
	}
	cp->alloc->nallocs_tcp -= a->tuple.transport == 6;
	cp->alloc->nallocs_limited -= a->max_bps != 0;
	if (a->worker < IPC_MAX_WORKERS && cp->alloc->worker_allocs[a->worker] > 0)
		cp->alloc->worker_allocs[a->worker]--;
	user_detach(cp, a);
	OPENSSL_cleanse(a->oauth, sizeof(a->oauth));
	free(a->binds);
	a->binds = NULL;
	a->nbinds = a->bind_cap = a->nperms = 0;
	a->live = false;
	a->next_id = cp->alloc->free_list;
	cp->alloc->free_list = a;
	cp->alloc->nallocs--;
	if (cp->alloc->tenant_allocs[a->tenant] > 0)
		cp->alloc->tenant_allocs[a->tenant]--;
}

/* ---- permissions and channels: an array sized by use ------------------- */

/* The binding for peer: the permission for its IP (chan false), or the
 * channel bound to the peer's transport address (chan true). -1: none. */
int
cpa_bind_find(const struct cp_alloc *a, const struct ipc_addr *peer, bool chan)
{
	unsigned int n = peer->family == NET_AF4 ? 4 : 16;

	for (unsigned int i = 0; i < a->nbinds; i++) {
		const struct cp_bind *b = &a->binds[i];

		if ((b->channel != 0) != chan || b->peer.family != peer->family ||
		    memcmp(b->peer.ip, peer->ip, n) != 0)
			continue;
		if (!chan || b->peer.port == peer->port)
			return (int)i;
	}
	return -1;
}

/* The channel numbered ch, or -1. */
int
cpa_chan_find(const struct cp_alloc *a, uint16_t ch)
{
	for (unsigned int i = 0; i < a->nbinds; i++)
		if (a->binds[i].channel == ch)
			return (int)i;
	return -1;
}

/* A new binding at the end of a's array (grown: 2, 4, 8, ... at most
 * CP_MAX_PERMS + CP_MAX_CHANNELS): its index, or -ENOMEM. Pointers into
 * the array taken before do not survive it. */
int
cpa_bind_add(struct cp_alloc *a, const struct ipc_addr *peer, uint16_t channel)
{
	struct cp_bind *b;

	if (a->nbinds == a->bind_cap) {
		unsigned int cap = a->bind_cap ? a->bind_cap * 2u : 2u;

		if (cap > CP_MAX_PERMS + CP_MAX_CHANNELS)
			cap = CP_MAX_PERMS + CP_MAX_CHANNELS;
		if (a->nbinds >= cap)
			return -ENOMEM;
		b = realloc(a->binds, cap * sizeof(*b));
		if (b == NULL)
			return -ENOMEM;
		a->binds = b;
		a->bind_cap = (uint8_t)cap;
	}
	b = &a->binds[a->nbinds];
	memset(b, 0, sizeof(*b));
	b->peer.family = peer->family;
	memcpy(b->peer.ip, peer->ip, 16);
	if (channel != 0)
		b->peer.port = peer->port;   /* a permission's is 0: IP only */
	b->channel = channel;
	if (channel == 0)
		a->nperms++;
	return a->nbinds++;
}

/* Binding i goes (the last one fills its place). */
void
cpa_bind_del(struct cp_alloc *a, unsigned int i)
{
	if (i >= a->nbinds)
		return;
	if (a->binds[i].channel == 0)
		a->nperms--;
	a->binds[i] = a->binds[--a->nbinds];
}

/* a's timer at the earliest of its expiry and its bindings'. */
void
cpa_alloc_arm(struct cp_ctx *cp, struct cp_alloc *a)
{
	uint64_t first = a->expires_ms;

	for (unsigned int i = 0; i < a->nbinds; i++)
		if (a->binds[i].expires_ms < first)
			first = a->binds[i].expires_ms;
	tw_add(&cp->wheel, &a->timer, cpa_ms_to_tick(cp, first));
}

/*
 * The allocation's timer: the allocation expired (RFC 8656 §6: it goes,
 * and dp is told), or some of its permissions (§9) and channels (§12)
 * did (each goes, and dp is told); then it is armed for what is next.
 * Everything whose tick has come goes in one call, as the timers of each
 * did when each had its own.
 */
static void
alloc_timer(struct tw_timer *t, void *arg)
{
	struct cp_ctx *cp = g_cp;
	struct cp_alloc *a = arg;
	uint64_t now = cpa_ms_to_tick(cp, cp->now_ms);

	if (t->expires > now)
		now = t->expires;
	if (cpa_ms_to_tick(cp, a->expires_ms) <= now) {
		cp->stats[CP_STAT_EXPIRED_ALLOCS]++;
		tp_log(TP_LOG_DEBUG, "allocation %llu (worker %u): expired",
		       (unsigned long long)a->id, a->worker);
		cpa_send_alloc(cp, a, IPC_ALLOC_DEL);
		cpa_alloc_free(cp, a, CP_ALLOC_R_EXPIRED);
		return;
	}
	for (unsigned int i = 0; i < a->nbinds;) {
		const struct cp_bind *b = &a->binds[i];

		if (cpa_ms_to_tick(cp, b->expires_ms) > now) {
			i++;
			continue;
		}
		if (b->channel == 0) {
			cp->stats[CP_STAT_EXPIRED_PERMS]++;
			cpa_send_binding(cp, a, IPC_PERM_DEL, &b->peer, 0, 0);
		} else {
			cp->stats[CP_STAT_EXPIRED_CHANS]++;
			cpa_send_binding(cp, a, IPC_CHAN_DEL, &b->peer, b->channel, 0);
		}
		cpa_bind_del(a, i);
	}
	cpa_alloc_arm(cp, a);
}

/* ---- state from dp (cp restarted) -------------------------------------- */


/* binds (n, as dp or the mirror holds them) into a's array: at most
 * CP_MAX_PERMS permissions and CP_MAX_CHANNELS channels, the rest left. */
static void
binds_set(struct cp_alloc *a, const struct ipc_binding *binds, size_t n)
{
	unsigned int np = 0, nc = 0;

	for (size_t k = 0; k < n; k++) {
		const struct ipc_binding *b = &binds[k];
		int i;

		if (b->channel == 0 ? np >= CP_MAX_PERMS : nc >= CP_MAX_CHANNELS)
			continue;
		i = cpa_bind_add(a, &b->peer, b->channel);
		if (i < 0)
			break;
		a->binds[i].expires_ms = b->expires_ms;
		np += b->channel == 0;
		nc += b->channel != 0;
	}
}

/*
 * An allocation as dp (or, from issue 69's slice 5, the pair's mirror)
 * holds it, made in cp's table: ia's fields, the bindings binds[0..n)
 * (permissions past CP_MAX_PERMS and channels past CP_MAX_CHANNELS
 * skipped), armed, counted as restored and as a new allocation for the
 * quota. Bounded like what cp sends: a username or key longer than any
 * cp installs, a relayed pair that is not one port on two families, an id
 * cp holds already, is not ours. Times are this host's CLOCK_MONOTONIC
 * ms. The allocation, or NULL with errno (EINVAL, EEXIST, or ENOSPC: the
 * pool full or no memory).
 */
struct cp_alloc *
cpa_alloc_restore(struct cp_ctx *cp, unsigned int w, const struct ipc_tuple *tuple, uint64_t id,
		  const struct ipc_alloc *ia, const struct ipc_binding *binds, size_t n)
{
	struct cp_alloc *a;

	if (ia->nrelayed < 1 || ia->nrelayed > 2 ||
	    ia->user_len > TP_USERNAME_MAX || ia->key_len > IPC_KEY_MAX ||
	    (ia->nrelayed == 2 && (ia->relayed[0].family == ia->relayed[1].family ||
				   ia->relayed[0].port != ia->relayed[1].port))) {
		errno = EINVAL;
		return NULL;
	}
	if (cpa_alloc_by_id(cp, id) != NULL) {
		errno = EEXIST;
		return NULL;
	}
	/* counted as a new one is: the quota holds across the restart */
	a = cpa_alloc_new(cp, tuple, (uint16_t)w, id, ia->username, ia->user_len);
	if (a == NULL) {
		/* (cpa_alloc_new() sets none: the pool full, or no memory
		 * for the user; never EINVAL, which the mirror's batch
		 * takes for a record it forbids) */
		errno = ENOSPC;
		return NULL;
	}
	a->relay_port = ia->relayed[0].port;
	a->nrelayed = ia->nrelayed;
	a->tcp = (ia->flags & IPC_ALLOC_F_TCP) != 0;
	/* RFC 8016: still mobile; its tickets were sealed with the old cp's
	 * key, so none opens here: its next Refresh gets a new one */
	a->mobile = (ia->flags & IPC_ALLOC_F_MOBILE) != 0;
	/* (the limit it was made with, as dp polices it) */
	cp->alloc->nallocs_limited -= a->max_bps != 0;
	cp->alloc->nallocs_limited += ia->max_bps != 0;
	a->max_bps = ia->max_bps;
	a->max_bps_burst = ia->max_bps != 0 ? ia->max_bps_burst : 0;
	/* The addresses by their index in today's configuration; one it no
	 * longer has keeps relaying in dp but holds no port here. */
	for (unsigned int i = 0; i < ia->nrelayed; i++) {
		a->relayed[i] = ia->relayed[i];
		a->relayed[i].port = a->relay_port;
		a->relay_idx[i] = cpa_relay_index(cp, ia->relayed[i].family,
					      ia->relayed[i].ip);
	}
	cpa_alloc_ports_set(cp, a, true);
	a->expires_ms = ia->expires_ms;
	/* (dp keeps the start cp gave it: the record's start survives cp) */
	if (ia->created_ms != 0 && ia->created_ms <= cp->now_ms)
		a->created_ms = ia->created_ms;
	binds_set(a, binds, n);
	cpa_alloc_arm(cp, a);
	cp->stats[CP_STAT_STATE_RESTORED]++;
	return a;
}

/* STATE_ALLOC: one allocation of dp's answer to SYNC, its bindings after
 * it (copied out: the body is not aligned for them). */
static void
restore(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct ipc_binding binds[IPC_MSG_SIZE / sizeof(struct ipc_binding)];
	const struct ipc_alloc *ia = (const struct ipc_alloc *)msg->body;
	size_t n = 0;

	if (msg->h.body_len < sizeof(*ia))
		return;
	for (size_t off = sizeof(*ia); off + sizeof(binds[0]) <= msg->h.body_len &&
	     n < sizeof(binds) / sizeof(binds[0]); off += sizeof(binds[0]))
		memcpy(&binds[n++], msg->body + off, sizeof(binds[0]));
	(void)cpa_alloc_restore(cp, w, &msg->h.tuple, msg->h.alloc_id, ia, binds, n);
}

/* ---- the pair's mirror (cp/ha, issue 69) ----------------------------- */

static bool install(struct cp_ctx *cp, const struct cp_alloc *a);

/* a goes from the standby's table and its passive dp, as an end the
 * active box had (the standby's acct is silent: slice 6). */
static void
mirror_end(struct cp_ctx *cp, struct cp_alloc *a)
{
	cpa_send_alloc(cp, a, IPC_ALLOC_DEL);
	cpa_alloc_free(cp, a, CP_ALLOC_R_CP_DELETED);
}

/* dp could not take it now: the reinstall pass goes over it again (and
 * over what follows it in the pool: ALLOC_ADD again is dp's upsert). */
static void
mirror_later(struct cp_ctx *cp, const struct cp_alloc *a)
{
	uint32_t at = (uint32_t)(a - cp->alloc->pool);

	if (!cp->alloc->reinstalling || at < cp->alloc->reinstall_cur)
		cp->alloc->reinstall_cur = at;
	cp->alloc->reinstalling = true;
}

/* Whether binds (n) hold b: the same channel, to the same peer (a
 * permission's by IP alone). */
static bool
binds_have(const struct ipc_binding *binds, size_t n, const struct cp_bind *b)
{
	unsigned int len = b->peer.family == NET_AF4 ? 4 : 16;

	for (size_t k = 0; k < n; k++)
		if (binds[k].channel == b->channel && binds[k].peer.family == b->peer.family &&
		    memcmp(binds[k].peer.ip, b->peer.ip, len) == 0 &&
		    (b->channel == 0 || binds[k].peer.port == b->peer.port))
			return true;
	return false;
}

/* Whether a is relayed where ia says (the same addresses, the same port). */
static bool
same_relayed(const struct cp_alloc *a, const struct ipc_alloc *ia)
{
	if (a->nrelayed != ia->nrelayed || a->relay_port != ia->relayed[0].port)
		return false;
	for (unsigned int i = 0; i < a->nrelayed && i < 2; i++)
		if (a->relayed[i].family != ia->relayed[i].family ||
		    memcmp(a->relayed[i].ip, ia->relayed[i].ip,
			   a->relayed[i].family == NET_AF4 ? 4 : 16) != 0)
			return false;
	return true;
}

bool
cp_alloc_mirrorable(const struct ipc_tuple *t, bool tcp_relay)
{
	/* a client's stream (TCP, TLS) or DTLS session is dp's connection,
	 * which the other box has not: UDP only, and no RFC 6062 peers */
	return t->transport == 17 && t->conn_id == 0 && !tcp_relay;
}

/* Whether ia's relayed addresses are this box's, of tenant t's pool, on
 * one port of the relay range (what an Allocate here could have given). */
static bool
mirror_relayed_ok(const struct cp_ctx *cp, unsigned int t, const struct ipc_alloc *ia)
{
	uint16_t port = ia->relayed[0].port;

	if (port < cp->conf->turn.relay_min || port > cp->conf->turn.relay_max)
		return false;
	for (unsigned int i = 0; i < ia->nrelayed && i < 2; i++) {
		const struct ipc_addr *r = &ia->relayed[i];
		uint8_t idx;

		if ((r->family != NET_AF4 && r->family != NET_AF6) || r->port != port)
			return false;
		idx = cpa_relay_index(cp, r->family, r->ip);
		if (idx == CP_RELAY_NONE || !((cpa_tenant_mask(cp, t, r->family) >> idx) & 1u))
			return false;
	}
	return true;
}

/* Whether binds (n) are a shape cp makes: permissions by IP (port 0), at
 * most CP_MAX_PERMS, one per IP; channels to a port, numbered 0x4000 to
 * this box's turn.channels' last (0x4FFF, or RFC 5766's 0x7FFE: the
 * signature makes it the peer's too), at most CP_MAX_CHANNELS, a channel
 * number bound to one peer and a peer to one channel (RFC 8656 §12). */
static bool
mirror_binds_ok(const struct ipc_alloc *ia, const struct ipc_binding *binds, size_t n,
		uint16_t chan_max)
{
	unsigned int np = 0, nc = 0;

	for (size_t k = 0; k < n; k++) {
		const struct ipc_binding *b = &binds[k];
		struct cp_addr in, c;

		if (b->peer.family != ia->relayed[0].family &&
		    (ia->nrelayed < 2 || b->peer.family != ia->relayed[1].family))
			return false;         /* a family it does not relay (§12.2) */
		/* in its canonical form, as cp installs a peer */
		memset(&in, 0, sizeof(in));
		in.family = b->peer.family;
		memcpy(in.ip, b->peer.ip, 16);
		cp_addr_canonical(&in, &c);
		if (c.family != in.family || memcmp(c.ip, in.ip, 16) != 0)
			return false;
		if (b->channel == 0 ? b->peer.port != 0 || ++np > CP_MAX_PERMS :
		    b->channel < 0x4000 || b->channel > chan_max || b->peer.port == 0 ||
		    ++nc > CP_MAX_CHANNELS)
			return false;
		for (size_t j = 0; j < k; j++) {
			const struct ipc_binding *o = &binds[j];
			bool same_ip = o->peer.family == b->peer.family &&
				       memcmp(o->peer.ip, b->peer.ip,
					      b->peer.family == NET_AF4 ? 4 : 16) == 0;

			if (b->channel == 0 && o->channel == 0 && same_ip)
				return false;         /* one IP, two permissions */
			if (b->channel != 0 && o->channel == b->channel)
				return false;         /* one channel, two peers */
			if (b->channel != 0 && o->channel != 0 && same_ip &&
			    o->peer.port == b->peer.port)
				return false;         /* one peer, two channels */
		}
	}
	return true;
}

int
cp_alloc_mirror_put(struct cp_ctx *cp, const struct cp_alloc_mirror *m0, unsigned int *refused)
{
	static struct ipc_alloc ia;
	static struct ipc_binding binds[CP_MAX_PERMS + CP_MAX_CHANNELS];
	struct cp_alloc_mirror mm, *m = &mm;
	const struct tp_conf_cp *cc;
	struct cp_alloc *a, *b;
	bool fresh = false;
	uint64_t most;

	if (cp->alloc == NULL)
		return -ENOTSUP;
	cc = &cp->conf->cp;
	/* What the peer sends is checked against this box's own
	 * configuration before anything here changes: a worker it has, a
	 * transport that can move, its relayed addresses, bindings of a shape
	 * cp makes (refused: -EINVAL); times no longer than its own
	 * lifetimes (clamped). */
	if (m0->worker >= cp->nworkers || (m0->fwd && (m0->fwd_worker >= cp->nworkers ||
						       m0->fwd_worker == m0->worker ||
						       !(m0->ia->flags & IPC_ALLOC_F_MOBILE))) ||
	    m0->nbinds > CP_MAX_PERMS + CP_MAX_CHANNELS ||
	    m0->ia->nrelayed < 1 || m0->ia->nrelayed > 2 ||
	    !cp_alloc_mirrorable(&m0->tuple, (m0->ia->flags & IPC_ALLOC_F_TCP) != 0) ||
	    !mirror_relayed_ok(cp, cpa_tenant_of(cp, &m0->tuple), m0->ia) ||
	    !mirror_binds_ok(m0->ia, m0->binds, m0->nbinds, cp->conf->turn.channel_max))
		return -EINVAL;
	ia = *m0->ia;
	most = cp->now_ms + (uint64_t)cc->lifetime_max_s * 1000u;
	if (ia.expires_ms > most)
		ia.expires_ms = most;
	memcpy(binds, m0->binds, m0->nbinds * sizeof(binds[0]));
	for (size_t k = 0; k < m0->nbinds; k++) {
		most = cp->now_ms + (uint64_t)(binds[k].channel == 0 ? cc->perm_lifetime_s :
					       cc->chan_lifetime_s) * 1000u;
		if (binds[k].expires_ms > most)
			binds[k].expires_ms = most;
	}
	mm = *m0;
	mm.ia = &ia;
	mm.binds = binds;
	a = cpa_alloc_by_id(cp, m->id);
	/* moved (RFC 8016), on another worker or relayed elsewhere: made
	 * again */
	if (a != NULL && (a->worker != m->worker ||
			  memcmp(&a->tuple, &m->tuple, sizeof(a->tuple)) != 0 ||
			  a->user->len != m->ia->user_len ||
			  memcmp(a->user->name, m->ia->username, m->ia->user_len) != 0 ||
			  !same_relayed(a, m->ia))) {
		mirror_end(cp, a);
		a = NULL;
	}
	/* its tuple held by another id here: that one ended there */
	b = cpa_alloc_by_tuple(cp, &m->tuple);
	if (b != NULL && b != a)
		mirror_end(cp, b);
	/* a relayed transport address of its held by another id here: that
	 * one ended there too (the active box gave the port again), and two
	 * allocations never share one (the second's end would free the
	 * port, its tables, under the first) */
	for (unsigned int i = 0; i < m->ia->nrelayed && i < 2; i++) {
		struct ipc_addr r = m->ia->relayed[i];

		r.port = m->ia->relayed[0].port;
		b = cpa_alloc_by_relayed(cp, &r);
		if (b != NULL && b != a)
			mirror_end(cp, b);
	}
	if (a == NULL) {
		/* (its bindings below, once the policy has judged them for it) */
		a = cpa_alloc_restore(cp, m->worker, &m->tuple, m->id, m->ia, NULL, 0);
		if (a == NULL)
			return -errno;
		fresh = true;
	} else {
		a->expires_ms = m->ia->expires_ms;
		a->mobile = (m->ia->flags & IPC_ALLOC_F_MOBILE) != 0;
		cp->alloc->nallocs_limited -= a->max_bps != 0;
		cp->alloc->nallocs_limited += m->ia->max_bps != 0;
		a->max_bps = m->ia->max_bps;
		a->max_bps_burst = m->ia->max_bps != 0 ? m->ia->max_bps_burst : 0;
	}
	/* The bindings this box's own peer policy lets a have (the rule
	 * CreatePermission and ChannelBind keep here, cpa_peer_judge()): one
	 * it refuses is dropped, counted. */
	for (size_t k = 0; k < mm.nbinds;) {
		struct ipc_addr canon;

		if (cpa_peer_judge(cp, a, &binds[k].peer, binds[k].channel == 0, &canon) == 0) {
			k++;
			continue;
		}
		if (refused != NULL)
			(*refused)++;
		binds[k] = binds[--mm.nbinds];
	}
	/* the bindings as the active box holds them now; one it no longer
	 * has (or this box refuses) leaves dp too (its timer here went with
	 * it) */
	for (unsigned int i = 0; i < a->nbinds; i++)
		if (!binds_have(binds, mm.nbinds, &a->binds[i]))
			cpa_send_binding(cp, a, a->binds[i].channel == 0 ? IPC_PERM_DEL :
					 IPC_CHAN_DEL, &a->binds[i].peer, a->binds[i].channel, 0);
	a->nbinds = a->nperms = 0;
	binds_set(a, binds, mm.nbinds);
	cpa_alloc_arm(cp, a);
	memcpy(a->oauth, m->oauth, sizeof(a->oauth));
	memcpy(a->tid, m->tid, sizeof(a->tid));
	a->mob_gen = m->mob_gen;
	if (a->fwd && (!m->fwd || a->fwd_worker != m->fwd_worker))
		fwd_drop(cp, a);
	if (m->fwd && !a->fwd) {
		a->fwd = true;
		a->fwd_worker = m->fwd_worker;
		cp->alloc->worker_fwds[a->fwd_worker]++;
		if (!fresh)
			(void)fwd_send(cp, a, IPC_FWD_ADD);
	}
	/* into the passive dp: whole when new, its lifetime and bindings
	 * when known (dp's PERM_ADD/CHAN_ADD renew one it holds) */
	if (fresh) {
		if (!install(cp, a))
			mirror_later(cp, a);
	} else if (!cp_dp_room(cp, a->worker, 1u + a->nbinds, CP_RING_HEADROOM)) {
		mirror_later(cp, a);
	} else {
		cpa_send_alloc(cp, a, IPC_ALLOC_LIFE);
		for (unsigned int i = 0; i < a->nbinds; i++) {
			const struct cp_bind *bd = &a->binds[i];

			cpa_send_binding(cp, a, bd->channel == 0 ? IPC_PERM_ADD : IPC_CHAN_ADD,
				     &bd->peer, bd->channel, bd->expires_ms);
		}
	}
	return 0;
}

int
cp_alloc_mirror_del(struct cp_ctx *cp, uint64_t id)
{
	struct cp_alloc *a = cp->alloc != NULL ? cpa_alloc_by_id(cp, id) : NULL;

	if (a == NULL)
		return -ENOENT;
	mirror_end(cp, a);
	return 0;
}

uint32_t
cp_alloc_slot(const struct cp_ctx *cp, const struct cp_alloc *a)
{
	return (uint32_t)(a - cp->alloc->pool);
}

void
cp_alloc_id_floor(struct cp_ctx *cp, uint64_t floor)
{
	if (cp->alloc != NULL && cp->alloc->next_id < floor)
		cp->alloc->next_id = floor;
}

/* ---- what dp reports -------------------------------------------------- */

/* dp's per-allocation counters (the answer to cp_request_stats()). */
static void
stats_in(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	(void)w;
	for (size_t off = 0; off + sizeof(struct ipc_alloc_stats) <= msg->h.body_len;
	     off += sizeof(struct ipc_alloc_stats)) {
		struct ipc_alloc_stats s;
		struct cp_alloc *a;

		memcpy(&s, msg->body + off, sizeof(s));
		a = cpa_alloc_by_id(cp, s.alloc_id);
		/* (none after dp's last word on it: an older STATS) */
		if (a != NULL && !a->final) {
			/* (wraps both ways: the sum stays exact whatever dp
			 * reports, a counter that went back included) */
			for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
				cp->alloc->traffic_live[a->tenant][i] += s.c[i] - a->counters[i];
			memcpy(a->counters, s.c, sizeof(a->counters));
			a->reported_ms = cp->now_ms;
		}
	}
}

/* An end as dp says it, as cp names it (enum cp_alloc_end_reason): a
 * connection's (enum ipc_conn_reason; anything else: closed) or
 * ALLOC_END's (IPC_END_EXPIRED, IPC_END_DELETED). */
static unsigned int
end_reason(unsigned int ipc_reason)
{
	switch (ipc_reason) {
	case IPC_CONN_RESET:
		return CP_ALLOC_R_CONN_RESET;
	case IPC_CONN_TIMEOUT:
		return CP_ALLOC_R_CONN_TIMEOUT;
	case IPC_CONN_ABORTED:
		return CP_ALLOC_R_CONN_ABORTED;
	case IPC_END_EXPIRED:
		return CP_ALLOC_R_EXPIRED;
	case IPC_END_DELETED:
		return CP_ALLOC_R_CP_DELETED;
	default:
		return CP_ALLOC_R_CONN_CLOSED;
	}
}

/* A CONN_DOWN's reason. */
static unsigned int
conn_reason(const struct ipc_msg *msg)
{
	const struct ipc_conn_event *ev = (const struct ipc_conn_event *)msg->body;

	return msg->h.body_len < sizeof(*ev) ? CP_ALLOC_R_CONN_CLOSED : end_reason(ev->reason);
}

/* dp removed an allocation and says what it had relayed to the end
 * (STATS_FINAL): its usage record is exact with it. It comes before cp's
 * end of the allocation (dp closed its connection: the CONN_DOWN follows)
 * or after it (cp deleted it, or the connection's CONN_DOWN came first). */
static void
stats_final(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct ipc_alloc_stats s;
	struct cp_alloc *a;

	(void)w;
	memcpy(&s, msg->body, sizeof(s));
	a = cpa_alloc_by_id(cp, s.alloc_id);
	if (a != NULL) {
		for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
			cp->alloc->traffic_live[a->tenant][i] += s.c[i] - a->counters[i];
		memcpy(a->counters, s.c, sizeof(a->counters));
		a->reported_ms = cp->now_ms;
		a->final = true;
	} else {
		/* counted with the finished ones' when what waited for it
		 * (its usage record) took them */
		struct cp_alloc_ev ev = { .type = CP_ALLOC_EV_FINAL, .id = s.alloc_id, .c = s.c };

		cpa_observers(cp, &ev);
		if (ev.held.took)
			for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
				cp->alloc->traffic_done[ev.held.tenant][i] += s.c[i] - ev.held.old[i];
	}
}

/* dp removed an allocation and reports it whole (ALLOC_END: dp sends it
 * in place of STATS_FINAL while its backlog has room, and always while no
 * cp serves). One cp has: its end, with dp's last counters and dp's reason
 * (its connection's CONN_DOWN, if any, then finds nothing). One cp ended:
 * the record that waits for it takes the counters. One cp never knew (it
 * ended while no cp served): its record is made from the report. */
static void
alloc_end(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	const struct ipc_alloc_end *e = (const struct ipc_alloc_end *)msg->body;
	uint64_t c[IPC_ALLOC_STATS_N];
	struct cp_alloc_ev ev;
	struct cp_alloc *a;
	unsigned int t;

	(void)w;
	memcpy(c, e->c, sizeof(c));
	a = cpa_alloc_by_id(cp, msg->h.alloc_id);
	if (a != NULL) {
		unsigned int reason;

		for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
			cp->alloc->traffic_live[a->tenant][i] += c[i] - a->counters[i];
		memcpy(a->counters, c, sizeof(a->counters));
		a->reported_ms = cp->now_ms;
		a->final = true;
		switch (e->reason) {
		case IPC_END_EXPIRED:
			reason = CP_ALLOC_R_EXPIRED;
			cp->stats[CP_STAT_EXPIRED_ALLOCS]++;
			break;
		case IPC_END_DELETED:
			reason = CP_ALLOC_R_CP_DELETED;
			break;
		default:
			reason = end_reason(e->reason);
			cp->stats[CP_STAT_CONN_DOWN_ALLOCS]++;
			break;
		}
		cpa_alloc_free(cp, a, reason);
		return;
	}
	t = cpa_tenant_of(cp, &msg->h.tuple);
	memset(&ev, 0, sizeof(ev));
	ev.type = CP_ALLOC_EV_REPORT;
	ev.id = msg->h.alloc_id;
	ev.reason = end_reason(e->reason);
	ev.c = c;
	ev.msg = msg;
	cpa_observers(cp, &ev);
	/* (what a record that waited had is counted already) */
	if (ev.held.took)
		for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
			cp->alloc->traffic_done[t][i] += c[i] - ev.held.old[i];
	else
		for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++)
			cp->alloc->traffic_done[t][i] += c[i];
}

/* An allocation made over a stream (TCP, TLS) belongs to the connection
 * it was made on and goes when that closes. dp drops it on its own when
 * the connection closes; the ALLOC_DEL makes cp's word the last one all
 * the same. */
static void
conn_down(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct cp_alloc *a = cpa_alloc_by_tuple(cp, &msg->h.tuple);

	(void)w;
	cp->stats[CP_STAT_CONN_DOWN]++;
	if (a != NULL) {
		cp->stats[CP_STAT_CONN_DOWN_ALLOCS]++;
		cpa_send_alloc(cp, a, IPC_ALLOC_DEL);
		cpa_alloc_free(cp, a, conn_reason(msg));
	}
}

/* a into dp (ALLOC_ADD, its bindings, its forward) when its worker's ring
 * can take all of it: true, or false with nothing sent. The reinstall
 * pass after a dp restart, and the pair's standby for what the mirror
 * brings (cp_alloc_mirror_put()). */
static bool
install(struct cp_ctx *cp, const struct cp_alloc *a)
{
	if (!cp_dp_room(cp, a->worker, 1u + a->nbinds, CP_RING_HEADROOM) ||
	    (a->fwd && !cp_dp_room(cp, a->fwd_worker, 1, CP_RING_HEADROOM)))
		return false;
	cpa_send_alloc(cp, a, IPC_ALLOC_ADD);
	for (unsigned int i = 0; i < a->nbinds; i++) {
		const struct cp_bind *b = &a->binds[i];

		cpa_send_binding(cp, a, b->channel == 0 ? IPC_PERM_ADD : IPC_CHAN_ADD,
			     &b->peer, b->channel, b->expires_ms);
	}
	/* (RFC 8016 across workers: its client's tuple reaches another
	 * worker, whose forward went with the old dp) */
	if (a->fwd)
		(void)fwd_send(cp, a, IPC_FWD_ADD);
	return true;
}

void
cp_reinstall_start(struct cp_ctx *cp)
{
	struct cp_alloc *a;
	uint32_t cur = 0;

	if (cp->alloc == NULL)
		return;
	/* An allocation made over TCP belonged to a connection that ended
	 * with the dp that held it (a new dp has its own connections): it
	 * goes now, as CONN_DOWN would have made it (so does one made over
	 * DTLS: its session was the old dp's); the pass below installs
	 * the others again. */
	while ((a = cp_alloc_next(cp, &cur)) != NULL)
		if (a->tuple.conn_id != 0) {          /* TCP, TLS, DTLS */
			cp->stats[CP_STAT_DP_RESTART_STREAM_ALLOCS]++;
			cpa_alloc_free(cp, a, CP_ALLOC_R_DP_RESTART);
		}
	cp->stats[CP_STAT_DP_RESTARTS]++;
	cp->alloc->reinstalling = true;
	cp->alloc->reinstall_cur = 0;
}

/*
 * Sent all at once, a carrier's allocations (three messages each and
 * more) overflowed the 1024-slot ring to dp, and what did not fit was
 * lost: 30,872 of 100,000 allocations came back to a restarted dp. Now
 * an allocation goes only when its worker's ring can take all of its
 * messages, and the pass carries on from the cursor on the next loop.
 */
unsigned int
cp_reinstall_step(struct cp_ctx *cp)
{
	unsigned int sent = 0;

	if (cp->alloc == NULL)
		return 0;
	while (cp->alloc->reinstalling && sent < CP_REINSTALL_SLICE) {
		uint32_t at = cp->alloc->reinstall_cur;
		struct cp_alloc *a = cp_alloc_next(cp, &cp->alloc->reinstall_cur);

		if (a == NULL) {
			cp->alloc->reinstalling = false;
			break;
		}
		/* (TCP allocations went at the start of the pass; one made
		 * since is the new dp's, on a connection it holds) */
		if (a->tuple.conn_id != 0)
			continue;
		if (!install(cp, a)) {
			cp->alloc->reinstall_cur = at;     /* this one, next time */
			break;
		}
		sent++;
	}
	return sent;
}

/* An empty message of kind to every worker. */
static void
to_every_worker(struct cp_ctx *cp, uint16_t kind)
{
	static struct ipc_msg m;

	for (unsigned int w = 0; w < cp->nworkers; w++) {
		memset(&m.h, 0, sizeof(m.h));
		m.h.kind = kind;
		send_msg(cp, w, &m);
	}
}

void
cp_time_advance(struct cp_ctx *cp, uint64_t mono_ms, uint64_t wall_ms)
{
	if (mono_ms > cp->now_ms)
		cp->now_ms = mono_ms;
	cp->wall_ms = wall_ms;
	tw_advance(&cp->wheel, cpa_ms_to_tick(cp, cp->now_ms));
}

void
cp_request_stats(struct cp_ctx *cp)
{
	/* (only dp's TURN answers it, about allocations) */
	if (cp->alloc != NULL)
		to_every_worker(cp, IPC_STATS_REQ);
}

unsigned int
cp_alloc_step(struct cp_ctx *cp)
{
	struct cp_allocs *al = cp->alloc;

	if (al == NULL)
		return 0;
	/* The counters are the operator's (status, allocations, metrics),
	 * at most a second old; not asked for before cp is ready, as dp's
	 * state is still coming in then. */
	if (cp->now_ms >= al->next_stats_ms) {
		if (cp->ready)
			cp_request_stats(cp);
		al->next_stats_ms = cp->now_ms + 1000;
	}
	return cp_reinstall_step(cp);
}

int
cp_alloc_kill(struct cp_ctx *cp, uint64_t id)
{
	struct cp_alloc *a = cpa_alloc_by_id(cp, id);

	if (a == NULL)
		return -ENOENT;
	cpa_send_alloc(cp, a, IPC_ALLOC_DEL);
	cpa_alloc_free(cp, a, CP_ALLOC_R_KILLED);
	return 0;
}

/* b[4] (from the client, to the peer, from the peer, to the client) into
 * IPC_ALLOC_STATS's byte counters (pkts, bytes, by direction in that
 * order): a stream has no packets */
static void
add_tcp(uint64_t out[IPC_ALLOC_STATS_N], const uint64_t b[4])
{
	for (unsigned int d = 0; d < 4; d++)
		out[2 * d + 1] += b[d];
}

void
cp_alloc_traffic(const struct cp_alloc *a, uint64_t out[IPC_ALLOC_STATS_N])
{
	memcpy(out, a->counters, sizeof(a->counters));
	add_tcp(out, a->tcp_bytes);
}

void
cp_alloc_tcp_gone(struct cp_ctx *cp, uint64_t id, const uint64_t b[4])
{
	struct cp_alloc *a = cpa_alloc_by_id(cp, id);

	if (a != NULL) {
		for (unsigned int d = 0; d < 4; d++)
			a->tcp_bytes[d] += b[d];
		add_tcp(cp->alloc->traffic_live[a->tenant], b);
	} else {
		struct cp_alloc_ev ev = { .type = CP_ALLOC_EV_TCP_GONE, .id = id, .b = b };

		cpa_observers(cp, &ev);
		add_tcp(cp->alloc->traffic_done[ev.held.tenant], b);
	}
}

struct cp_alloc *
cp_alloc_next(struct cp_ctx *cp, uint32_t *cursor)
{
	if (cp->alloc == NULL)
		return NULL;
	while (*cursor < cp->alloc->pool_used) {
		struct cp_alloc *a = &cp->alloc->pool[(*cursor)++];

		if (a->live)
			return a;
	}
	return NULL;
}

void
cp_count_error(struct cp_ctx *cp, uint16_t code)
{
	switch (code) {
#define CP_ERR_CODE(c) case c: cp->err_by_code[CP_ERR_##c]++; return;
#include "../cp_err_codes.def"
#undef CP_ERR_CODE
	default:
		cp->err_by_code[CP_ERR_OTHER]++;
	}
}

int
cp_alloc_init(struct cp_ctx *cp)
{
	struct cp_allocs *al;
	int rc;

	/* An AGW-only box (no turn group) holds no allocation: cp->alloc
	 * stays NULL, and what reads allocations finds none. */
	if (!cp->conf->turn.enabled)
		return 0;
	/* (port_used, port_n and port_full start zeroed: about 0.4 MB) */
	al = calloc(1, sizeof(*al));
	if (al == NULL)
		return -ENOMEM;
	cp->alloc = al;
	al->nrelay[0] = tp_conf_relay_addrs(cp->conf, 4, al->relay_ip[0], NULL);
	al->nrelay[1] = tp_conf_relay_addrs(cp->conf, 6, al->relay_ip[1], NULL);
	/* a family without addresses has every port full */
	for (unsigned int fi = 0; fi < 2; fi++)
		memset(al->port_full[fi], al->nrelay[fi] == 0 ? 0xff : 0,
		       sizeof(al->port_full[fi]));
	/* each tenant's relayed addresses (without tenants: the default
	 * tenant's, every one) */
	for (unsigned int t = 0; t <= cp->conf->tenants.n && t <= TP_CONF_MAX_TENANTS; t++)
		for (unsigned int fi = 0; fi < 2; fi++)
			al->relay_mask[t][fi] = tp_conf_tenant_relay_mask(cp->conf, t,
									 fi == 0 ? 4 : 6);
	al->worker_cap = tp_conf_worker_allocs(cp->conf);
	al->max_allocs = cp->conf->cp.quota_total;
	/* The pool is calloc()ed and taken a slot at a time (cpa_alloc_new()):
	 * its pages are the kernel's zero pages until used. Threading a free
	 * list through every slot here wrote all of them: 3 KiB a slot then,
	 * 2.2 s and 330 MB before a 100k-allocation cp could answer anyone,
	 * 25 s and 3.2 GB at 1M. The chain tables and the users' heads start
	 * small and grow with what is live. */
	al->pool = calloc(al->max_allocs, sizeof(*al->pool));
	al->hash_mask = CP_HASH_MIN - 1;
	al->by_tuple = calloc(CP_HASH_MIN, sizeof(*al->by_tuple));
	al->by_id = calloc(CP_HASH_MIN, sizeof(*al->by_id));
	al->users_mask = CP_HASH_MIN - 1;
	al->by_user = calloc(CP_HASH_MIN, sizeof(*al->by_user));
	if (al->pool == NULL || al->by_tuple == NULL || al->by_id == NULL ||
	    al->by_user == NULL ||
	    RAND_bytes((unsigned char *)&al->user_seed, sizeof(al->user_seed)) != 1) {
		cp_alloc_fini(cp);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < CP_MAX_RESERV; i++)
		tw_timer_init(&al->reserv[i].timer, reserv_expired, &al->reserv[i]);
	/* RFC 8016's tickets: without AES-128-SIV cp serves on, and answers
	 * a request for mobility 405 */
	rc = cp_mob_keys_init(&al->mob);
	al->mob_ok = rc == 0;
	al->mob_rotated_ms = cp->now_ms;
	if (rc < 0)
		tp_log(TP_LOG_ERR, "no key for RFC 8016 mobility tickets (%s): "
		       "turn.mobility answers 405", strerror(-rc));
	g_cp = cp;
	/* What dp says about allocations and RFC 6062's peer connections
	 * (alloc/tcp_relay.c, which has no init of its own); on a dp restart
	 * the allocations go back first, before anything another module
	 * sends. (The SYNC a new cp sends and dp's STATE_DONE that ends its
	 * answer are cp_dp's: alloc's part of the answer is STATE_ALLOC.) */
	if ((rc = cp_dp_on_kind(cp, IPC_REQUEST, cpa_handle_request)) < 0 ||
	    (rc = cp_dp_on_kind(cp, IPC_STATE_ALLOC, restore)) < 0 ||
	    (rc = cp_dp_on_kind(cp, IPC_STATS, stats_in)) < 0 ||
	    (rc = cp_dp_on_kind(cp, IPC_STATS_FINAL, stats_final)) < 0 ||
	    (rc = cp_dp_on_kind(cp, IPC_ALLOC_END, alloc_end)) < 0 ||
	    (rc = cp_dp_on_kind(cp, IPC_CONN_DOWN, conn_down)) < 0 ||
	    (rc = cp_dp_on_kind(cp, IPC_TCP_EVENT, cpa_tcp_event)) < 0 ||
	    (rc = cp_dp_on_kind(cp, IPC_TCP_STATE, cpa_tcp_state)) < 0 ||
	    (rc = cp_dp_on_dp_restart(cp, cp_reinstall_start)) < 0) {
		cp_alloc_fini(cp);
		return rc;
	}
	return 0;
}

void
cp_alloc_fini(struct cp_ctx *cp)
{
	struct cp_allocs *al = cp->alloc;

	if (al == NULL)
		return;
	cp_tcp_fini(cp);
	if (al->pool != NULL)
		for (uint32_t i = 0; i < al->pool_used; i++)
			free(al->pool[i].binds);
	if (al->by_user != NULL)
		for (uint32_t b = 0; b <= al->users_mask; b++) {
			struct cp_user *u = al->by_user[b], *next;

			for (; u != NULL; u = next) {
				next = u->next;
				free(u);
			}
		}
	cp_mob_keys_fini(&al->mob);
	free(al->pool);
	free(al->by_tuple);
	free(al->by_id);
	free(al->by_user);
	free(al);
	cp->alloc = NULL;
	g_cp = NULL;
}

/* ---- who follows the allocations ---------------------------------------- */

void
cpa_observers(struct cp_ctx *cp, struct cp_alloc_ev *ev)
{
	const struct cp_alloc_hooks *h = &cp->alloc_hooks;

	for (unsigned int k = 0; k < h->nobs; k++)
		h->obs[k].fn(cp, ev, h->obs[k].arg);
}

int
cp_alloc_observe(struct cp_ctx *cp, cp_alloc_observer_fn fn, void *arg)
{
	struct cp_alloc_hooks *h = &cp->alloc_hooks;

	if (fn == NULL || h->nobs == CP_ALLOC_OBSERVERS)
		return -ENOSPC;
	h->obs[h->nobs].fn = fn;
	h->obs[h->nobs].arg = arg;
	h->nobs++;
	return 0;
}

void
cp_alloc_unobserve(struct cp_ctx *cp, cp_alloc_observer_fn fn, void *arg)
{
	struct cp_alloc_hooks *h = &cp->alloc_hooks;

	for (unsigned int k = 0; k < h->nobs; k++)
		if (h->obs[k].fn == fn && h->obs[k].arg == arg) {
			/* (the others keep their order) */
			memmove(&h->obs[k], &h->obs[k + 1], (h->nobs - k - 1) * sizeof(h->obs[0]));
			h->nobs--;
			return;
		}
}

int
cp_alloc_quota_hook(struct cp_ctx *cp, cp_alloc_quota_fn fn, void *arg)
{
	struct cp_alloc_hooks *h = &cp->alloc_hooks;

	if (fn != NULL && h->quota != NULL)
		return -EBUSY;
	h->quota = fn;
	h->quota_arg = fn != NULL ? arg : NULL;
	return 0;
}

int
cpa_quota_across(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg,
		 unsigned int tenant, const char *user, size_t len)
{
	const struct cp_alloc_hooks *h = &cp->alloc_hooks;

	return h->quota != NULL ? h->quota(cp, w, msg, tenant, user, len, h->quota_arg) :
	       CP_ALLOC_QUOTA_ALLOW;
}

/* ---- what the rest of cp reads ---------------------------------------- */

bool
cp_alloc_reinstalling(const struct cp_ctx *cp)
{
	return cp->alloc != NULL && cp->alloc->reinstalling;
}

uint32_t
cp_alloc_count(const struct cp_ctx *cp)
{
	return cp->alloc != NULL ? cp->alloc->nallocs : 0;
}

uint32_t
cp_alloc_capacity(const struct cp_ctx *cp)
{
	return cp->alloc != NULL ? cp->alloc->max_allocs : 0;
}

unsigned int
cp_alloc_nrelay(const struct cp_ctx *cp, unsigned int fi)
{
	return cp->alloc != NULL && fi < 2 ? cp->alloc->nrelay[fi] : 0;
}

uint32_t
cp_alloc_worker_cap(const struct cp_ctx *cp)
{
	return cp->alloc != NULL ? cp->alloc->worker_cap : 0;
}

void
cp_alloc_totals(const struct cp_ctx *cp, struct cp_alloc_totals *t)
{
	const struct cp_allocs *al = cp->alloc;

	memset(t, 0, sizeof(*t));
	if (al == NULL)
		return;
	t->allocs = al->nallocs;
	t->allocs_tcp = al->nallocs_tcp;
	t->allocs_limited = al->nallocs_limited;
	memcpy(t->worker, al->worker_allocs, sizeof(t->worker));
	for (unsigned int k = 0; k <= TP_CONF_MAX_TENANTS; k++)
		for (unsigned int i = 0; i < IPC_ALLOC_STATS_N; i++) {
			t->done[i] += al->traffic_done[k][i];
			t->live[i] += al->traffic_live[k][i];
			t->tenant_all[k][i] = al->traffic_done[k][i] + al->traffic_live[k][i];
		}
	memcpy(t->tenant, al->tenant_allocs, sizeof(t->tenant));
}
