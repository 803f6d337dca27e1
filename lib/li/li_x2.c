/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike's X2 event (li_x2.h; docs/design/li.md §3.2): the payload of
 * an X2 PDU of payload format 4, written and read. No allocation, no
 * global state: any thread may call it.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "li_x2.h"
#include "tp_common.h"

static const struct {
	const char *name;
	uint8_t size;
} fields[] = {
#define LI_X2_FIELD(name, type, size, text) [type] = { text, size },
#include "li_x2_field.def"
#undef LI_X2_FIELD
};

static const struct {
	const char *name;
	uint32_t need;
} events[] = {
#define LI_X2_EVENT(name, value, need, text) [value] = { text, need },
#include "li_x2_event.def"
#undef LI_X2_EVENT
};

/* Every field bit the struct has a field for. */
#define LI_X2_ALL ((LI_X2_HAS(LI_X2F_MAX_KNOWN) | (LI_X2_HAS(LI_X2F_MAX_KNOWN) - 1u)) & ~1u)

const char *
li_x2_event_name(unsigned int event)
{
	return event < TP_ARRAY_SIZE(events) ? events[event].name : NULL;
}

const char *
li_x2_field_name(unsigned int type)
{
	return type < TP_ARRAY_SIZE(fields) ? fields[type].name : NULL;
}

static void
be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
be32(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16));
	be16(p + 2, (uint16_t)v);
}

static void
be64(uint8_t *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

/* The writer: a cursor that refuses to pass the end. */
struct w {
	uint8_t *p;
	size_t size, off;
	bool full;
};

/* A field's header and room for n bytes of value: its value's place, or
 * NULL (the buffer full). */
static uint8_t *
put(struct w *w, unsigned int type, size_t n)
{
	uint8_t *v;

	if (w->full || w->size - w->off < 4u + n) {
		w->full = true;
		return NULL;
	}
	be16(w->p + w->off, (uint16_t)type);
	be16(w->p + w->off + 2, (uint16_t)n);
	v = w->p + w->off + 4;
	w->off += 4u + n;
	return v;
}

static void
put_u(struct w *w, unsigned int type, uint64_t v, unsigned int n)
{
	uint8_t *p = put(w, type, n);

	if (p == NULL)
		return;
	if (n == 1)
		p[0] = (uint8_t)v;
	else if (n == 2)
		be16(p, (uint16_t)v);
	else if (n == 4)
		be32(p, (uint32_t)v);
	else
		be64(p, v);
}

static bool
addr_ok(const struct li_x2_addr *a)
{
	return a->family == 4 || a->family == 6;
}

static void
put_addr(struct w *w, unsigned int type, const struct li_x2_addr *a)
{
	size_t n = a->family == 4 ? 4 : 16;
	uint8_t *p = put(w, type, 3 + n);

	if (p == NULL)
		return;
	p[0] = a->family;
	be16(p + 1, a->port);
	memcpy(p + 3, a->ip, n);
}

static bool
text_ok(const char *s, size_t n)
{
	return s != NULL && n >= 1 && n <= LI_X2_TEXT_MAX && memchr(s, '\0', n) == NULL;
}

static void
put_text(struct w *w, unsigned int type, const char *s, size_t n)
{
	uint8_t *p = put(w, type, n);

	if (p != NULL)
		memcpy(p, s, n);
}

/* Termination field `type` of slot i: the slot, then its value. */
static void
put_term(struct w *w, unsigned int type, unsigned int i, const struct li_x2_term *t)
{
	const struct li_x2_addr *a = type == LI_X2F_LOCAL ? &t->local :
				     type == LI_X2F_REMOTE ? &t->remote : &t->latched;
	size_t n = type == LI_X2F_TERM || type == LI_X2F_LEG ? 2 : type == LI_X2F_TERM_USAGE ? 32 :
		   type == LI_X2F_MEDIA || type == LI_X2F_SRTP ? 1 :
		   a->family == 4 ? 7 : 19;
	uint8_t *p = put(w, type, 1 + n);

	if (p == NULL)
		return;
	p[0] = (uint8_t)i;
	switch (type) {
	case LI_X2F_TERM:
		be16(p + 1, t->serial);
		break;
	case LI_X2F_LEG:
		p[1] = t->leg_role;
		p[2] = t->tls;
		break;
	case LI_X2F_MEDIA:
		p[1] = t->media;
		break;
	case LI_X2F_SRTP:
		p[1] = t->srtp;
		break;
	case LI_X2F_TERM_USAGE:
		be64(p + 1, t->bytes_in);
		be64(p + 9, t->bytes_out);
		be64(p + 17, t->pkts_in);
		be64(p + 25, t->pkts_out);
		break;
	default:
		p[1] = a->family;
		be16(p + 2, a->port);
		memcpy(p + 4, a->ip, n - 3);
		break;
	}
}

int
li_x2_encode(const struct li_x2_ev *ev, void *buf, size_t size)
{
	struct w w = { .p = buf, .size = size };
	uint32_t h = ev->has;

#define HAS(f) (h & LI_X2_HAS(LI_X2F_##f))
	if ((h & ~LI_X2_ALL) != 0 || ev->event == 0 ||
	    (HAS(CLIENT) && !addr_ok(&ev->client)) || (HAS(SERVER) && !addr_ok(&ev->server)) ||
	    (HAS(PEER) && !addr_ok(&ev->peer)) ||
	    (HAS(TRANSPORT) && (ev->transport < LI_X2_UDP || ev->transport > LI_X2_DTLS)) ||
	    (HAS(USER) && !text_ok(ev->user, ev->user_len)) ||
	    (HAS(REALM) && !text_ok(ev->realm, ev->realm_len)) ||
	    (HAS(REASON) && (ev->reason < 1 || ev->reason > LI_X2_R_MAX)) ||
	    (HAS(EXACT) && ev->exact > 1) || (HAS(RENEWED) && ev->renewed > 1) ||
	    (HAS(INITIATOR) && (ev->initiator < LI_X2_BY_CLIENT || ev->initiator > LI_X2_BY_PEER)))
		return -EINVAL;
	/* (a known event without what the decoder insists on: cp's bug) */
	if (ev->event < TP_ARRAY_SIZE(events) && events[ev->event].name != NULL &&
	    (h & events[ev->event].need) != events[ev->event].need)
		return -EINVAL;
	if ((h & LI_X2_TERM_FIELDS) != ((ev->term[0].has | ev->term[1].has) & LI_X2_TERM_FIELDS) ||
	    ((ev->term[0].has | ev->term[1].has) & ~LI_X2_TERM_FIELDS) != 0 ||
	    (HAS(CHANGE) && (ev->change == 0 || (ev->change & ~LI_X2_CH_ALL) != 0)) ||
	    (HAS(TARGET_TERM) && ev->target_term > 1) ||
	    (HAS(CTX_REASON) && (ev->ctx_reason < 1 || ev->ctx_reason > LI_X2_CR_MAX)))
		return -EINVAL;
	for (unsigned int i = 0; i < 2; i++) {
		const struct li_x2_term *t = &ev->term[i];

#define THAS(f) (t->has & LI_X2_HAS(LI_X2F_##f))
		if ((THAS(LOCAL) && !addr_ok(&t->local)) || (THAS(REMOTE) && !addr_ok(&t->remote)) ||
		    (THAS(LATCHED) && !addr_ok(&t->latched)) ||
		    (THAS(MEDIA) && (t->media < LI_X2_AUDIO || t->media > LI_X2_VIDEO)) ||
		    (THAS(SRTP) && t->srtp > LI_X2_SRTP_DTLS) ||
		    (THAS(LEG) && (t->leg_role < LI_X2_LEG_CONNECT || t->leg_role > LI_X2_LEG_LISTEN ||
				   t->tls > 1)))
			return -EINVAL;
#undef THAS
	}
	if (HAS(RELAYED)) {
		if (ev->nrelayed < 1 || ev->nrelayed > 2 || !addr_ok(&ev->relayed[0]) ||
		    (ev->nrelayed == 2 && (!addr_ok(&ev->relayed[1]) ||
					   ev->relayed[0].family == ev->relayed[1].family)))
			return -EINVAL;
	}
	if (size < LI_X2_HDR_LEN)
		return -ENOSPC;
	memcpy(w.p, LI_X2_MAGIC, 4);
	w.p[4] = LI_X2_VERSION;
	w.p[5] = ev->event;
	be16(w.p + 6, 0);
	w.off = LI_X2_HDR_LEN;
	if (HAS(SESSION))
		put_u(&w, LI_X2F_SESSION, ev->session, 8);
	if (HAS(CLIENT))
		put_addr(&w, LI_X2F_CLIENT, &ev->client);
	if (HAS(SERVER))
		put_addr(&w, LI_X2F_SERVER, &ev->server);
	if (HAS(TRANSPORT))
		put_u(&w, LI_X2F_TRANSPORT, ev->transport, 1);
	if (HAS(RELAYED))
		for (unsigned int i = 0; i < ev->nrelayed; i++)
			put_addr(&w, LI_X2F_RELAYED, &ev->relayed[i]);
	if (HAS(USER))
		put_text(&w, LI_X2F_USER, ev->user, ev->user_len);
	if (HAS(REALM))
		put_text(&w, LI_X2F_REALM, ev->realm, ev->realm_len);
	if (HAS(LIFETIME))
		put_u(&w, LI_X2F_LIFETIME, ev->lifetime, 4);
	if (HAS(PEER))
		put_addr(&w, LI_X2F_PEER, &ev->peer);
	if (HAS(CHANNEL))
		put_u(&w, LI_X2F_CHANNEL, ev->channel, 2);
	if (HAS(BYTES_FROM))
		put_u(&w, LI_X2F_BYTES_FROM, ev->bytes_from, 8);
	if (HAS(BYTES_TO))
		put_u(&w, LI_X2F_BYTES_TO, ev->bytes_to, 8);
	if (HAS(PKTS_FROM))
		put_u(&w, LI_X2F_PKTS_FROM, ev->pkts_from, 8);
	if (HAS(PKTS_TO))
		put_u(&w, LI_X2F_PKTS_TO, ev->pkts_to, 8);
	if (HAS(DURATION))
		put_u(&w, LI_X2F_DURATION, ev->duration_ms, 8);
	if (HAS(REASON))
		put_u(&w, LI_X2F_REASON, ev->reason, 1);
	if (HAS(EXACT))
		put_u(&w, LI_X2F_EXACT, ev->exact, 1);
	if (HAS(RENEWED))
		put_u(&w, LI_X2F_RENEWED, ev->renewed, 1);
	if (HAS(CONN_ID))
		put_u(&w, LI_X2F_CONN_ID, ev->conn_id, 4);
	if (HAS(INITIATOR))
		put_u(&w, LI_X2F_INITIATOR, ev->initiator, 1);
	/* a context's terminations: each field type, slot 0's then 1's */
	for (unsigned int type = LI_X2F_TERM; type <= LI_X2F_TERM_USAGE; type++)
		for (unsigned int i = 0; i < 2; i++)
			if (ev->term[i].has & LI_X2_HAS(type))
				put_term(&w, type, i, &ev->term[i]);
	if (HAS(CHANGE))
		put_u(&w, LI_X2F_CHANGE, ev->change, 1);
	if (HAS(TARGET_TERM))
		put_u(&w, LI_X2F_TARGET_TERM, ev->target_term, 1);
	if (HAS(CTX_REASON))
		put_u(&w, LI_X2F_CTX_REASON, ev->ctx_reason, 1);
	for (unsigned int i = 0; i < 2; i++)
		if (ev->term[i].has & LI_X2_HAS(LI_X2F_LEG))
			put_term(&w, LI_X2F_LEG, i, &ev->term[i]);
#undef HAS
	return w.full ? -ENOSPC : (int)w.off;
}

/* An address field's value of n bytes at v into *a: 0 or -EBADMSG. */
static int
get_addr(const uint8_t *v, size_t n, struct li_x2_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (n < 3 || !((v[0] == 4 && n == 7) || (v[0] == 6 && n == 19)))
		return -EBADMSG;
	a->family = v[0];
	a->port = rd16(v + 1);
	memcpy(a->ip, v + 3, n - 3);
	return 0;
}

/* A termination field's value after its slot (v[0..n)) into *t: 0 or
 * -EBADMSG. (The fixed sizes are checked by the caller.) */
static int
get_term(unsigned int type, const uint8_t *v, size_t n, struct li_x2_term *t)
{
	switch (type) {
	case LI_X2F_TERM:
		t->serial = rd16(v);
		return 0;
	case LI_X2F_LEG:
		if (v[0] < LI_X2_LEG_CONNECT || v[0] > LI_X2_LEG_LISTEN || v[1] > 1)
			return -EBADMSG;
		t->leg_role = v[0];
		t->tls = v[1];
		return 0;
	case LI_X2F_LOCAL:
		return get_addr(v, n, &t->local);
	case LI_X2F_REMOTE:
		return get_addr(v, n, &t->remote);
	case LI_X2F_LATCHED:
		return get_addr(v, n, &t->latched);
	case LI_X2F_MEDIA:
		if (v[0] < LI_X2_AUDIO || v[0] > LI_X2_VIDEO)
			return -EBADMSG;
		t->media = v[0];
		return 0;
	case LI_X2F_SRTP:
		if (v[0] > LI_X2_SRTP_DTLS)
			return -EBADMSG;
		t->srtp = v[0];
		return 0;
	case LI_X2F_TERM_USAGE:
		t->bytes_in = rd64(v);
		t->bytes_out = rd64(v + 8);
		t->pkts_in = rd64(v + 16);
		t->pkts_out = rd64(v + 24);
		return 0;
	default:
		return -EBADMSG;
	}
}

int
li_x2_decode(const void *buf, size_t len, struct li_x2_ev *out)
{
	const uint8_t *b = buf;
	size_t off = LI_X2_HDR_LEN;

	memset(out, 0, sizeof(*out));
	if (len < LI_X2_HDR_LEN || memcmp(b, LI_X2_MAGIC, 4) != 0)
		return -EBADMSG;
	out->version = b[4];
	out->event = b[5];
	if (out->version != LI_X2_VERSION)
		return -EPROTONOSUPPORT;
	while (off < len) {
		unsigned int type, n;
		const uint8_t *v;
		uint32_t bit;

		if (len - off < 4)
			return -EBADMSG;
		type = rd16(b + off);
		n = rd16(b + off + 2);
		v = b + off + 4;
		if (len - off - 4 < n)
			return -EBADMSG;
		off += 4u + n;
		if (type == 0 || type > LI_X2F_MAX_KNOWN) {
			out->n_unknown++;
			continue;
		}
		bit = LI_X2_HAS(type);
		if (fields[type].size != 0 && n != fields[type].size)
			return -EBADMSG;
		if ((bit & LI_X2_TERM_FIELDS) != 0) {
			/* a termination's: once a slot, 0 or 1 */
			if (n < 1 || v[0] > 1 || (out->term[v[0]].has & bit) != 0 ||
			    get_term(type, v + 1, n - 1, &out->term[v[0]]) < 0)
				return -EBADMSG;
			out->term[v[0]].has |= bit;
			out->has |= bit;
			continue;
		}
		if ((out->has & bit) != 0 && !(type == LI_X2F_RELAYED && out->nrelayed == 1))
			return -EBADMSG;
		out->has |= bit;
		switch (type) {
		case LI_X2F_SESSION:
			out->session = rd64(v);
			break;
		case LI_X2F_CLIENT:
			if (get_addr(v, n, &out->client) < 0)
				return -EBADMSG;
			break;
		case LI_X2F_SERVER:
			if (get_addr(v, n, &out->server) < 0)
				return -EBADMSG;
			break;
		case LI_X2F_PEER:
			if (get_addr(v, n, &out->peer) < 0)
				return -EBADMSG;
			break;
		case LI_X2F_RELAYED:
			if (get_addr(v, n, &out->relayed[out->nrelayed]) < 0 ||
			    (out->nrelayed == 1 &&
			     out->relayed[0].family == out->relayed[1].family))
				return -EBADMSG;
			out->nrelayed++;
			break;
		case LI_X2F_TRANSPORT:
			if (v[0] < LI_X2_UDP || v[0] > LI_X2_DTLS)
				return -EBADMSG;
			out->transport = v[0];
			break;
		case LI_X2F_USER:
		case LI_X2F_REALM:
			if (!text_ok((const char *)v, n))
				return -EBADMSG;
			if (type == LI_X2F_USER) {
				out->user = (const char *)v;
				out->user_len = (uint16_t)n;
			} else {
				out->realm = (const char *)v;
				out->realm_len = (uint16_t)n;
			}
			break;
		case LI_X2F_LIFETIME:
			out->lifetime = rd32(v);
			break;
		case LI_X2F_CHANNEL:
			out->channel = rd16(v);
			break;
		case LI_X2F_BYTES_FROM:
			out->bytes_from = rd64(v);
			break;
		case LI_X2F_BYTES_TO:
			out->bytes_to = rd64(v);
			break;
		case LI_X2F_PKTS_FROM:
			out->pkts_from = rd64(v);
			break;
		case LI_X2F_PKTS_TO:
			out->pkts_to = rd64(v);
			break;
		case LI_X2F_DURATION:
			out->duration_ms = rd64(v);
			break;
		case LI_X2F_REASON:
			if (v[0] < 1 || v[0] > LI_X2_R_MAX)
				return -EBADMSG;
			out->reason = v[0];
			break;
		case LI_X2F_EXACT:
		case LI_X2F_RENEWED:
			if (v[0] > 1)
				return -EBADMSG;
			if (type == LI_X2F_EXACT)
				out->exact = v[0];
			else
				out->renewed = v[0];
			break;
		case LI_X2F_CONN_ID:
			out->conn_id = rd32(v);
			break;
		case LI_X2F_INITIATOR:
			if (v[0] < LI_X2_BY_CLIENT || v[0] > LI_X2_BY_PEER)
				return -EBADMSG;
			out->initiator = v[0];
			break;
		case LI_X2F_CHANGE:
			if (v[0] == 0 || (v[0] & ~LI_X2_CH_ALL) != 0)
				return -EBADMSG;
			out->change = v[0];
			break;
		case LI_X2F_TARGET_TERM:
			if (v[0] > 1)
				return -EBADMSG;
			out->target_term = v[0];
			break;
		case LI_X2F_CTX_REASON:
			if (v[0] < 1 || v[0] > LI_X2_CR_MAX)
				return -EBADMSG;
			out->ctx_reason = v[0];
			break;
		default:
			break;
		}
	}
	if (out->event < TP_ARRAY_SIZE(events) && events[out->event].name != NULL &&
	    (out->has & events[out->event].need) != events[out->event].need)
		return -EBADMSG;
	return 0;
}
