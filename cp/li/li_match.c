/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's matcher (docs/design/li.md §4; issue 70 slice 4): which task,
 * if any, targets a TURN allocation, by hash, never a walk of the tasks.
 * The index is built from the tables when they changed (li->gen), once
 * per change: every target of every task under one key, an address
 * target under (family, prefix length, the address masked to it), a NAI
 * under its user part. An allocation is looked up under its client's
 * address masked to each prefix length some task uses (at most 33 + 129
 * lookups, in practice the few lengths tasks name) and under its user:
 * a NAI "user@realm" (split at its last '@') matches that user only in
 * the tenant whose realm it names, realms compared without case (DNS
 * names); a bare "user" matches the user in every tenant. The user is the
 * caller's to give: a TURN REST name's user part (cp/auth's reading,
 * cp_auth_rest_user(): li_taps.c), never a bare lookup of the whole name
 * (a static user named "alice@b.example" in tenant a is no target
 * "alice@b.example"). An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its
 * IPv4 address on both sides: a client's, and a target's (a mapped CIDR of
 * /96 or longer the IPv4 CIDR 96 bits shorter). Of several tasks, the
 * first in the table's order wins (one tap an allocation: §8). Nothing
 * here logs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipc_types.h"
#include "li.h"
#include "li_internal.h"

#define IDX_BUCKETS 4096u

struct li_key {
	uint32_t hash;
	int32_t next;                 /* index of the next in its bucket, -1 */
	uint16_t task;
	uint8_t nai;                  /* 1: a NAI, 0: an address */
	uint8_t family;
	uint8_t prefix;
	uint8_t addr[16];             /* masked to prefix */
	const char *text;             /* a NAI's user part, the task's own bytes */
	size_t len;
	const char *realm;            /* its realm (after the last '@'), or NULL */
	size_t rlen;
};

struct cp_li_index {
	uint64_t gen;                 /* li->gen it was built from */
	int32_t heads[IDX_BUCKETS];
	struct li_key *keys;
	unsigned int nkeys;
	unsigned int nnai;            /* of them NAIs */
	uint8_t plen4[33];            /* prefix lengths in use */
	uint8_t plen6[129];
};

static uint32_t
fnv(const void *p, size_t n, uint32_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static void
mask(uint8_t *out, const uint8_t *ip, unsigned int family, unsigned int prefix)
{
	unsigned int n = family == 4 ? 4 : 16;

	memset(out, 0, 16);
	for (unsigned int i = 0; i < n && prefix > 0; i++) {
		unsigned int take = prefix >= 8 ? 8 : prefix;

		out[i] = (uint8_t)(ip[i] & (0xffu << (8 - take)));
		prefix -= take;
	}
}

/* ::ffff:0:0/96 (RFC 4291 §2.5.5.2): an IPv4 client seen over IPv6. */
static bool
v4_mapped(const uint8_t *ip)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(ip, pfx, sizeof(pfx)) == 0;
}

static uint32_t
addr_hash(unsigned int family, unsigned int prefix, const uint8_t *masked)
{
	uint8_t k[2] = { (uint8_t)family, (uint8_t)prefix };

	return fnv(masked, 16, fnv(k, 2, 2166136261u));
}

static uint32_t
nai_hash(const char *s, size_t n)
{
	return fnv(s, n, 2166136261u ^ 0x4e4149u);
}

static void
idx_add(struct cp_li_index *x, struct li_key *k)
{
	uint32_t b = k->hash & (IDX_BUCKETS - 1);

	k->next = x->heads[b];
	x->heads[b] = (int32_t)(k - x->keys);
	x->nkeys++;
}

/* The index of li's tables now. 0 or -ENOMEM (the old one kept). */
static int
idx_build(struct cp_li *li)
{
	struct cp_li_index *x = li->idx;
	struct li_key *keys;
	unsigned int n = 0;

	if (x == NULL) {
		x = calloc(1, sizeof(*x));
		if (x == NULL)
			return -ENOMEM;
		li->idx = x;
	}
	for (unsigned int t = 0; t < li->ntasks; t++)
		n += li->tasks[t]->t.n_targets;
	keys = calloc(n > 0 ? n : 1, sizeof(*keys));
	if (keys == NULL)
		return -ENOMEM;
	free(x->keys);
	x->keys = keys;
	x->nkeys = 0;
	x->nnai = 0;
	memset(x->plen4, 0, sizeof(x->plen4));
	memset(x->plen6, 0, sizeof(x->plen6));
	for (unsigned int i = 0; i < IDX_BUCKETS; i++)
		x->heads[i] = -1;
	for (unsigned int t = 0; t < li->ntasks; t++) {
		const struct x1_task *tk = &li->tasks[t]->t;

		for (unsigned int i = 0; i < tk->n_targets; i++) {
			const struct x1_target *tg = &tk->targets[i];
			struct li_key *k = &keys[x->nkeys];

			memset(k, 0, sizeof(*k));   /* (a slot skipped before: reused) */
			k->task = (uint16_t)t;
			if (tg->kind == X1_T_NAI) {
				const char *at = strrchr(tg->nai, '@');

				k->nai = 1;
				k->text = tg->nai;
				k->len = at != NULL ? (size_t)(at - tg->nai) : strlen(tg->nai);
				if (at != NULL) {
					k->realm = at + 1;
					k->rlen = strlen(at + 1);
				}
				/* an empty user or realm names no one */
				if (k->len == 0 || (at != NULL && k->rlen == 0))
					continue;
				k->hash = nai_hash(k->text, k->len);
				x->nnai++;
			} else if (tg->kind == X1_T_IPV4 || tg->kind == X1_T_IPV4_CIDR ||
				   tg->kind == X1_T_IPV6 || tg->kind == X1_T_IPV6_CIDR) {
				const uint8_t *ip = tg->addr;

				k->family = tg->family;
				k->prefix = tg->prefix;
				if ((k->family != 4 || k->prefix > 32) &&
				    (k->family != 6 || k->prefix > 128))
					continue;
				/* a mapped address (or CIDR within ::ffff:0:0/96)
				 * is the IPv4 one, as a mapped client is */
				if (k->family == 6 && k->prefix >= 96 && v4_mapped(ip)) {
					k->family = 4;
					k->prefix = (uint8_t)(k->prefix - 96);
					ip += 12;
				}
				mask(k->addr, ip, k->family, k->prefix);
				k->hash = addr_hash(k->family, k->prefix, k->addr);
				if (k->family == 4)
					x->plen4[k->prefix] = 1;
				else
					x->plen6[k->prefix] = 1;
			} else {
				continue;
			}
			idx_add(x, k);
		}
	}
	x->gen = li->gen;
	return 0;
}

/* The lowest task index under a NAI for user[0..n) in the tenant of
 * realm (NULL or "": none), or best: a bare NAI of that user, or one whose
 * realm is the tenant's, without case. */
static int
find_nai(const struct cp_li_index *x, const char *s, size_t n, const char *realm, int best)
{
	uint32_t h = nai_hash(s, n);
	size_t rlen = realm != NULL ? strlen(realm) : 0;

	for (int32_t i = x->heads[h & (IDX_BUCKETS - 1)]; i >= 0; i = x->keys[i].next) {
		const struct li_key *k = &x->keys[i];

		if (k->hash != h || !k->nai || k->len != n || memcmp(k->text, s, n) != 0 ||
		    (best >= 0 && k->task >= best))
			continue;
		if (k->realm == NULL ||
		    (rlen > 0 && k->rlen == rlen && strncasecmp(k->realm, realm, rlen) == 0))
			best = k->task;
	}
	return best;
}

static int
find_addr(const struct cp_li_index *x, unsigned int family, const uint8_t *ip, int best)
{
	const uint8_t *used = family == 4 ? x->plen4 : x->plen6;
	unsigned int max = family == 4 ? 32 : 128;
	uint8_t m[16];

	for (unsigned int p = 0; p <= max; p++) {
		uint32_t h;

		if (!used[p])
			continue;
		mask(m, ip, family, p);
		h = addr_hash(family, p, m);
		for (int32_t i = x->heads[h & (IDX_BUCKETS - 1)]; i >= 0;
		     i = x->keys[i].next) {
			const struct li_key *k = &x->keys[i];

			if (k->hash == h && !k->nai && k->family == family && k->prefix == p &&
			    memcmp(k->addr, m, 16) == 0 && (best < 0 || k->task < best))
				best = k->task;
		}
	}
	return best;
}

bool
cp_li_has_nai(struct cp_li *li)
{
	if (li->ntasks == 0)
		return false;
	if ((li->idx == NULL || li->idx->gen != li->gen) && idx_build(li) < 0)
		return true;              /* (cp_li_match() will say: no index, no match) */
	return li->idx->nnai > 0;
}

const struct cp_li_task *
cp_li_match(struct cp_li *li, const struct cp_li_who *who)
{
	const struct cp_li_index *x;
	const uint8_t *ip = who->ip;
	unsigned int family = who->family;
	int best = -1;

	if (li->ntasks == 0)
		return NULL;
	if ((li->idx == NULL || li->idx->gen != li->gen) && idx_build(li) < 0)
		return NULL;
	x = li->idx;
	if (family == 6 && ip != NULL && v4_mapped(ip)) {
		family = 4;
		ip += 12;
	}
	if ((family == 4 || family == 6) && ip != NULL)
		best = find_addr(x, family, ip, best);
	if (who->user != NULL && who->user_len > 0)
		best = find_nai(x, who->user, who->user_len, who->realm, best);
	return best < 0 ? NULL : li->tasks[best];
}

bool
cp_li_tap_of(const struct cp_li *li, const struct cp_li_task *t, uint64_t alloc_id,
	     struct ipc_alloc_tap *out)
{
	memset(out, 0, sizeof(*out));
	if (t == NULL || t->t.delivery == X1_DELIVERY_X2_ONLY)
		return false;
	for (unsigned int i = 0; i < t->t.n_dids && out->ndest < IPC_LI_DESTS; i++) {
		const struct cp_li_dest *d = cp_li_dest_find(li, t->t.dids[i]);

		if (d == NULL || !d->d.ip_port || !d->d.tcp || d->d.port == 0 ||
		    (d->d.delivery != X1_DELIVERY_X3_ONLY &&
		     d->d.delivery != X1_DELIVERY_X2_AND_X3) ||
		    (d->d.family != 4 && d->d.family != 6))
			continue;
		out->dest[out->ndest].family = d->d.family;
		out->dest[out->ndest].port = d->d.port;
		memcpy(out->dest[out->ndest].ip, d->d.addr, d->d.family == 4 ? 4 : 16);
		out->ndest++;
	}
	if (out->ndest == 0)
		return false;
	out->on = 1;
	memcpy(out->xid, t->t.xid, 16);
	out->correlation = cp_li_correlation(t, alloc_id);
	return true;
}

uint64_t
cp_li_correlation(const struct cp_li_task *t, uint64_t session)
{
	/* TS 103 221-2 §5.2.8: the task's correlation ID when X1 gave one,
	 * else the session's own (the allocation's id); its X2 (li_x2.c)
	 * and X3 (cp_li_tap_of()) carry the same */
	return t->t.has_corr ? t->t.corr : session;
}

void
cp_li_index_free(struct cp_li *li)
{
	if (li->idx == NULL)
		return;
	if (li->idx->keys != NULL) {
		explicit_bzero(li->idx->keys, li->idx->nkeys * sizeof(*li->idx->keys));
		free(li->idx->keys);
	}
	explicit_bzero(li->idx, sizeof(*li->idx));
	free(li->idx);
	li->idx = NULL;
}
