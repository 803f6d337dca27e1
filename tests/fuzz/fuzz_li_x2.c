/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li's X2 event (li_x2.h; docs/design/li.md §3.2) as a mediation
 * function reads it: the input is read as an event on its own, and as a
 * stream of X2/X3 PDUs (li_pdu_frame_len(), li_pdu_decode()) whose X2 PDUs
 * of payload format 4 carry one. Invariants: the decoder reads nothing
 * past its buffer (ASan), an event it takes has its event's required
 * fields and values in range, and, written again by the encoder (when
 * its event is not 0), reads back the same (fields and text; unknown
 * fields are not written again), within LI_X2_MAX.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "li_pdu.h"
#include "li_x2.h"

static void
same_addr(const struct li_x2_addr *a, const struct li_x2_addr *b)
{
	CHECK(a->family == b->family && a->port == b->port &&
	      memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0);
}

static void
event(const uint8_t *p, size_t n)
{
	static uint8_t buf[LI_X2_MAX];
	struct li_x2_ev e, d;
	int len;

	if (li_x2_decode(p, n, &e) != 0)
		return;
	CHECK(e.version == LI_X2_VERSION);
	CHECK(e.nrelayed <= 2 && (e.nrelayed > 0) == ((e.has & LI_X2_HAS(LI_X2F_RELAYED)) != 0));
	CHECK(e.user_len <= LI_X2_TEXT_MAX && e.realm_len <= LI_X2_TEXT_MAX);
	if (e.has & LI_X2_HAS(LI_X2F_REASON))
		CHECK(e.reason >= 1 && e.reason <= LI_X2_R_MAX);
	if (e.has & LI_X2_HAS(LI_X2F_CTX_REASON))
		CHECK(e.ctx_reason >= 1 && e.ctx_reason <= LI_X2_CR_MAX);
	CHECK((e.has & LI_X2_TERM_FIELDS) == (e.term[0].has | e.term[1].has));
	if (e.event == 0)
		return;
	len = li_x2_encode(&e, buf, sizeof(buf));
	CHECK(len >= (int)LI_X2_HDR_LEN && (size_t)len <= LI_X2_MAX);
	CHECK(li_x2_decode(buf, (size_t)len, &d) == 0);
	CHECK(d.event == e.event && d.has == e.has && d.n_unknown == 0);
	CHECK(d.session == e.session && d.transport == e.transport &&
	      d.lifetime == e.lifetime && d.channel == e.channel &&
	      d.bytes_from == e.bytes_from && d.bytes_to == e.bytes_to &&
	      d.pkts_from == e.pkts_from && d.pkts_to == e.pkts_to &&
	      d.duration_ms == e.duration_ms && d.reason == e.reason &&
	      d.exact == e.exact && d.renewed == e.renewed && d.nrelayed == e.nrelayed);
	if (e.has & LI_X2_HAS(LI_X2F_CLIENT))
		same_addr(&d.client, &e.client);
	if (e.has & LI_X2_HAS(LI_X2F_SERVER))
		same_addr(&d.server, &e.server);
	if (e.has & LI_X2_HAS(LI_X2F_PEER))
		same_addr(&d.peer, &e.peer);
	for (unsigned int i = 0; i < e.nrelayed; i++)
		same_addr(&d.relayed[i], &e.relayed[i]);
	CHECK(d.user_len == e.user_len && (e.user_len == 0 ||
					   memcmp(d.user, e.user, e.user_len) == 0));
	CHECK(d.realm_len == e.realm_len && (e.realm_len == 0 ||
					     memcmp(d.realm, e.realm, e.realm_len) == 0));
	/* a context's: each slot's fields, and the context's own */
	CHECK(d.change == e.change && d.target_term == e.target_term &&
	      d.ctx_reason == e.ctx_reason);
	for (unsigned int i = 0; i < 2; i++) {
		const struct li_x2_term *a = &e.term[i], *b = &d.term[i];

		CHECK(b->has == a->has && (a->has & ~LI_X2_TERM_FIELDS) == 0);
		CHECK(b->serial == a->serial && b->media == a->media && b->srtp == a->srtp &&
		      b->bytes_in == a->bytes_in && b->bytes_out == a->bytes_out &&
		      b->pkts_in == a->pkts_in && b->pkts_out == a->pkts_out);
		if (a->has & LI_X2_HAS(LI_X2F_LOCAL))
			same_addr(&b->local, &a->local);
		if (a->has & LI_X2_HAS(LI_X2F_REMOTE))
			same_addr(&b->remote, &a->remote);
		if (a->has & LI_X2_HAS(LI_X2F_LATCHED))
			same_addr(&b->latched, &a->latched);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	event(data, size);
	/* a stream as the MF reads it, PDU by PDU */
	while (off < size) {
		int64_t f = li_pdu_frame_len(data + off, size - off);
		struct li_pdu p;
		int n;

		if (f < 0 || (uint64_t)f > size - off)
			break;
		n = li_pdu_decode(data + off, size - off, &p);
		if (n <= 0)
			break;
		CHECK((int64_t)n == f);
		if (p.type == LI_PDU_X2 && p.format == LI_FMT_PROPRIETARY)
			event(p.payload, p.payload_len);
		off += (size_t)n;
	}
	return 0;
}
