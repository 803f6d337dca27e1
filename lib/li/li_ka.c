/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li: one delivery connection's keepalives, deadlines and the reader
 * of what its MF sends (li_ka.h; ETSI TS 103 221-2 §5.2.3, §5.2.4,
 * §6.2.4; docs/design/li.md §3.3, §3.4). No clock, no I/O: the caller's
 * time and bytes in, an action out.
 */
#include <errno.h>
#include <string.h>

#include "li_ka.h"
#include "li_pdu.h"

void
li_ka_init(struct li_ka *k, uint32_t interval_ms, uint32_t timeout_ms, uint64_t now)
{
	memset(k, 0, sizeof(*k));
	k->interval_ms = interval_ms;
	k->timeout_ms = timeout_ms;
	k->up_by_ms = now + timeout_ms;
	k->progress_ms = now;
}

void
li_ka_up(struct li_ka *k, uint64_t now)
{
	k->up = 1;
	k->next_ms = now + k->interval_ms;
	k->progress_ms = now;
}

void
li_ka_wrote(struct li_ka *k, uint64_t now)
{
	k->progress_ms = now;
}

enum li_ka_act
li_ka_tick(struct li_ka *k, uint64_t now, uint32_t pending)
{
	if (!k->up)
		return now >= k->up_by_ms ? LI_KA_HANDSHAKE_LATE : LI_KA_NONE;
	/* the stall clock runs only while bytes wait: an idle connection
	 * has nothing to make progress on */
	if (pending == 0)
		k->progress_ms = now;
	else if (now - k->progress_ms >= k->timeout_ms)
		return LI_KA_STALLED;
	if (k->interval_ms == 0)
		return LI_KA_NONE;
	if (k->waiting)
		return now >= k->ack_by_ms ? LI_KA_ACK_LATE : LI_KA_NONE;
	return now >= k->next_ms ? LI_KA_SEND : LI_KA_NONE;
}

uint32_t
li_ka_sent(struct li_ka *k, uint64_t now)
{
	uint32_t s = k->seq++;

	k->waiting = 1;
	k->wait_seq = s;
	k->ack_by_ms = now + 2u * (uint64_t)k->interval_ms;
	return s;
}

int
li_ka_input(struct li_ka *k, const uint8_t *buf, size_t len, uint64_t now)
{
	struct li_pdu p;
	int64_t n = li_pdu_frame_len(buf, len);
	int rc;

	if (n == -EAGAIN)
		return 0;
	if (n < 0)
		return (int)n;
	/* refused before its bytes are waited for: our buffer is bounded */
	if ((uint64_t)n > LI_KA_IN_MAX)
		return -EMSGSIZE;
	if ((uint64_t)n > len)
		return 0;
	rc = li_pdu_decode(buf, (size_t)n, &p);
	if (rc < 0)
		return rc == -EAGAIN ? -EBADMSG : rc;
	/* §6.2.4's shape: format and direction 0, no payload, a sequence
	 * number; an MF has nothing else to send on X2/X3 */
	if (p.type != LI_PDU_KEEPALIVE_ACK || p.format != 0 || p.dir != 0 ||
	    p.payload_len != 0 || !(p.has & LI_HAS(LI_ATTR_SEQ)))
		return -EBADMSG;
	if (!k->waiting || p.seq != k->wait_seq)
		return -EPROTO;
	k->waiting = 0;
	k->next_ms = now + k->interval_ms;
	return rc;
}
