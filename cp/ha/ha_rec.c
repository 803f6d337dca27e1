/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mirror's records on the wire (docs/design/ha.md §1.4, slice 5):
 * an allocation whole, or its tombstone, as the active box's cp sends
 * them in the link's batches. The format is ours, big-endian, one field
 * after another, variable parts counted first (relayed addresses, the
 * OAuth keys, the name, the bindings), so that a REST user's allocation
 * with a permission and a channel is about 200 bytes, not STATE_ALLOC's
 * 776. The record comes from the peer (authenticated, but a bug or a
 * different build there must not become one here): decoding checks each
 * length against what is left and each value against its range, and
 * takes only the one encoding ha_rec_encode() writes (pads and unused
 * fields 0), so a decoded record encodes back to the same bytes (the fuzz
 * target's promise).
 */
#include <errno.h>
#include <string.h>

#include "ha_rec.h"

#define CHAN_MIN 0x4000u              /* RFC 8656 §12: channel numbers */
#define CHAN_MAX 0x4fffu
#define REC_FLAGS (IPC_ALLOC_F_TCP | IPC_ALLOC_F_MOBILE)

_Static_assert(HA_REC_MAX <= UINT16_MAX, "a record's length is a u16");

/* ---- writing ---------------------------------------------------------- */

struct wr {
	uint8_t *p;
	size_t n, cap;
	bool full;
};

static void
put(struct wr *w, const void *v, size_t n)
{
	if (w->full || w->cap - w->n < n) {
		w->full = true;
		return;
	}
	memcpy(w->p + w->n, v, n);
	w->n += n;
}

static void
put_u8(struct wr *w, uint8_t v)
{
	put(w, &v, 1);
}

static void
put_u16(struct wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static void
put_u32(struct wr *w, uint32_t v)
{
	put_u16(w, (uint16_t)(v >> 16));
	put_u16(w, (uint16_t)v);
}

static void
put_u64(struct wr *w, uint64_t v)
{
	put_u32(w, (uint32_t)(v >> 32));
	put_u32(w, (uint32_t)v);
}

/* family, port, then 4 or 16 bytes of ip */
static void
put_addr(struct wr *w, const struct ipc_addr *a)
{
	put_u8(w, a->family);
	put_u16(w, a->port);
	put(w, a->ip, a->family == 4 ? 4 : 16);
}

/* ---- reading ---------------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t n, at;
	bool bad;
};

static void
get(struct rd *r, void *v, size_t n)
{
	if (r->bad || r->n - r->at < n) {
		r->bad = true;
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p + r->at, n);
	r->at += n;
}

static uint8_t
get_u8(struct rd *r)
{
	uint8_t v;

	get(r, &v, 1);
	return v;
}

static uint16_t
get_u16(struct rd *r)
{
	uint8_t b[2];

	get(r, b, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t
get_u32(struct rd *r)
{
	uint32_t hi = get_u16(r);

	return hi << 16 | get_u16(r);
}

static uint64_t
get_u64(struct rd *r)
{
	uint64_t hi = get_u32(r);

	return hi << 32 | get_u32(r);
}

static void
get_addr(struct rd *r, struct ipc_addr *a)
{
	a->family = get_u8(r);
	a->port = get_u16(r);
	if (a->family != 4 && a->family != 6) {
		r->bad = true;
		return;
	}
	get(r, a->ip, a->family == 4 ? 4 : 16);
}

/* ---- the rules both sides keep ------------------------------------------ */

/* Only what is used is checked and written (a permission's peer over IPv4
 * is 4 bytes of ip; the relayed addresses past nrelayed, the bindings past
 * nbinds, a key past key_len, pads: not at all); decode leaves the rest 0. */
static bool
addr_ok(const struct ipc_addr *a)
{
	return a->family == 4 || a->family == 6;
}

static bool
tuple_ok(const struct ipc_tuple *t)
{
	return (t->transport == 6 || t->transport == 17) && addr_ok(&t->client) &&
	       addr_ok(&t->server);
}

/* What decode refuses, encode refuses too: one list of rules. */
static bool
rec_ok(const struct ha_rec *r)
{
	if (r->type == HA_REC_WALK_START || r->type == HA_REC_WALK_END)
		return true;
	if (r->id == 0 || !tuple_ok(&r->tuple))
		return false;
	if (r->type == HA_REC_ALLOC_END)
		return true;
	if (r->type != HA_REC_ALLOC)
		return false;
	if (r->worker >= IPC_MAX_WORKERS || (r->flags & ~REC_FLAGS) != 0)
		return false;
	if (r->nrelayed < 1 || r->nrelayed > 2)
		return false;
	for (unsigned int i = 0; i < r->nrelayed; i++) {
		if (!addr_ok(&r->relayed[i]))
			return false;
	}
	if (r->fwd ? r->fwd_worker >= IPC_MAX_WORKERS : r->fwd_worker != 0)
		return false;
	for (unsigned int i = 0; i < 2; i++) {
		if (r->oauth[i].key_len > HA_REC_KEY_MAX)
			return false;
	}
	if (r->user_len > HA_REC_USER_MAX || r->nbinds > HA_REC_BINDS_MAX)
		return false;
	for (unsigned int i = 0; i < r->nbinds; i++) {
		const struct ha_rec_bind *b = &r->binds[i];

		if (!addr_ok(&b->peer))
			return false;
		if (b->channel != 0 && (b->channel < CHAN_MIN || b->channel > CHAN_MAX))
			return false;
	}
	return true;
}

/* ---- the record ---------------------------------------------------------- */

static void
put_tuple(struct wr *w, const struct ipc_tuple *t)
{
	put_u8(w, t->transport);
	put_u8(w, t->in_port);
	put_u64(w, t->conn_id);
	put_addr(w, &t->client);
	put_addr(w, &t->server);
}

static void
get_tuple(struct rd *r, struct ipc_tuple *t)
{
	t->transport = get_u8(r);
	t->in_port = get_u8(r);
	t->conn_id = get_u64(r);
	get_addr(r, &t->client);
	get_addr(r, &t->server);
}

int
ha_rec_encode(const struct ha_rec *r, uint8_t *buf, size_t cap)
{
	struct wr w = { .p = buf, .cap = cap };

	if (!rec_ok(r))
		return -EINVAL;
	put_u8(&w, r->type);
	put_u16(&w, 0);               /* the length, below */
	if (r->type == HA_REC_ALLOC || r->type == HA_REC_ALLOC_END) {
		put_u64(&w, r->id);
		put_tuple(&w, &r->tuple);
	}
	if (r->type == HA_REC_ALLOC) {
		put_u16(&w, r->worker);
		put_u16(&w, r->flags);
		put_u16(&w, r->pwalg);
		put_u8(&w, r->tenant);
		put_u8(&w, r->nrelayed);
		for (unsigned int i = 0; i < r->nrelayed; i++)
			put_addr(&w, &r->relayed[i]);
		put_u32(&w, r->left_ms);
		put_u64(&w, r->age_ms);
		put_u32(&w, r->max_bps);
		put_u32(&w, r->max_bps_burst);
		put(&w, r->tid, HA_REC_TID_LEN);
		put_u16(&w, r->mob_gen);
		put_u8(&w, r->fwd ? 1 : 0);
		put_u16(&w, r->fwd_worker);
		for (unsigned int i = 0; i < 2; i++) {
			const struct ha_rec_oauth *o = &r->oauth[i];

			put_u8(&w, o->key_len);
			if (o->key_len == 0)
				continue;
			put_u8(&w, o->kid);
			put_u8(&w, o->as);
			put_u64(&w, o->expiry);
			put(&w, o->key, o->key_len);
		}
		put_u16(&w, r->user_len);
		put(&w, r->user, r->user_len);
		put_u8(&w, r->nbinds);
		for (unsigned int i = 0; i < r->nbinds; i++) {
			put_addr(&w, &r->binds[i].peer);
			put_u16(&w, r->binds[i].channel);
			put_u32(&w, r->binds[i].left_ms);
		}
	}
	if (w.full)
		return -E2BIG;
	buf[1] = (uint8_t)(w.n >> 8);
	buf[2] = (uint8_t)w.n;
	return (int)w.n;
}

int
ha_rec_decode(const uint8_t *p, size_t n, struct ha_rec *r)
{
	struct rd rd = { .p = p, .n = n };
	size_t len;

	memset(r, 0, sizeof(*r));
	if (n < HA_REC_HDR)
		return -EINVAL;
	len = (size_t)p[1] << 8 | p[2];
	if (len < HA_REC_HDR || len > n || len > HA_REC_MAX)
		return -EINVAL;
	rd.n = len;                   /* nothing of the next record is read */
	r->type = get_u8(&rd);
	(void)get_u16(&rd);
	if (r->type == HA_REC_ALLOC || r->type == HA_REC_ALLOC_END) {
		r->id = get_u64(&rd);
		get_tuple(&rd, &r->tuple);
	}
	if (r->type == HA_REC_ALLOC) {
		r->worker = get_u16(&rd);
		r->flags = get_u16(&rd);
		r->pwalg = get_u16(&rd);
		r->tenant = get_u8(&rd);
		r->nrelayed = get_u8(&rd);
		if (r->nrelayed < 1 || r->nrelayed > 2)
			goto bad;
		for (unsigned int i = 0; i < r->nrelayed; i++)
			get_addr(&rd, &r->relayed[i]);
		r->left_ms = get_u32(&rd);
		r->age_ms = get_u64(&rd);
		r->max_bps = get_u32(&rd);
		r->max_bps_burst = get_u32(&rd);
		get(&rd, r->tid, HA_REC_TID_LEN);
		r->mob_gen = get_u16(&rd);
		switch (get_u8(&rd)) {
		case 0: r->fwd = false; break;
		case 1: r->fwd = true; break;
		default: goto bad;
		}
		r->fwd_worker = get_u16(&rd);
		for (unsigned int i = 0; i < 2; i++) {
			struct ha_rec_oauth *o = &r->oauth[i];

			o->key_len = get_u8(&rd);
			if (o->key_len == 0)
				continue;
			if (o->key_len > HA_REC_KEY_MAX)
				goto bad;
			o->kid = get_u8(&rd);
			o->as = get_u8(&rd);
			o->expiry = get_u64(&rd);
			get(&rd, o->key, o->key_len);
		}
		r->user_len = get_u16(&rd);
		if (r->user_len > HA_REC_USER_MAX)
			goto bad;
		get(&rd, r->user, r->user_len);
		r->nbinds = get_u8(&rd);
		if (r->nbinds > HA_REC_BINDS_MAX)
			goto bad;
		for (unsigned int i = 0; i < r->nbinds; i++) {
			get_addr(&rd, &r->binds[i].peer);
			r->binds[i].channel = get_u16(&rd);
			r->binds[i].left_ms = get_u32(&rd);
		}
	} else if (r->type != HA_REC_ALLOC_END && r->type != HA_REC_WALK_START &&
		   r->type != HA_REC_WALK_END) {
		goto bad;
	}
	/* every byte of the length used, and no value out of its range */
	if (rd.bad || rd.at != len || !rec_ok(r))
		goto bad;
	return (int)len;
bad:
	memset(r, 0, sizeof(*r));
	return -EINVAL;
}
