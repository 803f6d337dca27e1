/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN over a stream transport (TCP, and TLS over TCP below it: RFC 8656
 * §3.1, §12.5; ARCHITECTURE "Streams"): the adapter between a client
 * connection's bytes and TURN's two entries. In: lib/stun's deframer cuts
 * the stream into STUN messages and ChannelData frames, each handed to
 * turn_client_stun() / turn_client_chdata() in an mbuf of its own, with the
 * connection in turn_from. Out (turn_stream_ops): a STUN message is written
 * whole to the connection, relayed data (ChannelData padded to 4 by
 * turn_chdata_wrap(), or a Data indication, a multiple of 4 already) is
 * handed over in its mbuf.
 *
 * dp's TCP (turn_tcp.c) attaches its write functions to each
 * worker (turn_stream_attach()) and hands complete frames, cut from the
 * connection's mbufs, to the two entries itself; the deframer path here
 * (turn_stream_recv()) is for transports that give bytes in a buffer (TLS
 * records, later). A connection that closes takes its allocation with it
 * and cp hears of it (turn_stream_gone(), CONN_DOWN through a backlog
 * that waits for room in the ring rather than failing).
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "../dp.h"
#include "ipc.h"
#include "stun.h"
#include "turn.h"
#include "turn_inlines.h"

int
turn_stream_attach(struct dp_worker *w, const struct turn_stream_io *io,
		   uint32_t max_conns)
{
	struct turn_worker *t = w->turn;
	uint32_t cap = 1;

	/* One event at most per connection that can be open at once, and
	 * as many again for those that closed since the last flush. */
	while (cap < 2u * max_conns && cap < (1u << 30))
		cap <<= 1;
	t->stream_io = io;
	if (t->conn_events_mem == NULL) {
		t->conn_events_mem = rte_zmalloc("turn_conn_events",
						 (size_t)cap * sizeof(struct ipc_event), 0);
		if (t->conn_events_mem == NULL)
			return -ENOMEM;
		ipc_backlog_init(&t->conn_events, t->conn_events_mem, cap);
	}
	return 0;
}

bool
turn_stream_has_alloc(struct dp_worker *w, const struct turn_from *from)
{
	union turn_keyu k;

	return turn_alloc_by_tuple(w->turn, &k,
				   turn_key_from(&k, from->transport, from->conn_id, from->family,
						 from->in_port, from->src, from->src_port,
						 from->dst_port)) != NULL;
}

void
turn_stream_gone(struct dp_worker *w, const struct turn_from *from,
		 uint32_t reason, bool talked)
{
	struct turn_worker *t = w->turn;
	struct ipc_conn_event ev = { .reason = reason };
	struct ipc_tuple tu;
	union turn_keyu k;
	struct turn_alloc *a;
	uint64_t alloc_id = 0;

	a = turn_alloc_by_tuple(t, &k, turn_key_from(&k, from->transport, from->conn_id,
					   from->family, from->in_port, from->src,
					   from->src_port, from->dst_port));
	if (a != NULL) {
		alloc_id = a->id;
		turn_alloc_remove(t, a);
		t->stream_allocs_closed++;
	}
	if (!talked && a == NULL)
		return;
	if (t->conn_events_mem == NULL) {
		t->conn_events_dropped++;
		return;
	}
	turn_tuple_from(&tu, from);
	/* full: counted in conn_events.lost (it is sized not to fill) */
	(void)ipc_backlog_push(&t->conn_events, IPC_CONN_DOWN, alloc_id, &tu, &ev,
			       sizeof(ev));
}

int
turn_stream_input(struct dp_worker *w, const struct turn_from *from,
		  struct stun_deframer *d)
{
	struct turn_worker *t = w->turn;
	struct stun_frame f;
	int n = 0, rc;

	while ((rc = stun_deframer_next(d, &f)) == 1) {
		struct turn_in in;
		uint8_t *p;

		n++;
		in.m = dp_alloc(w);
		if (unlikely(in.m == NULL)) {
			w->drop[DP_DROP_NO_MBUF]++;
			continue;
		}
		/* f.data lasts until the next call: the frame is copied (a
		 * frame larger than an mbuf holds is refused, counted) */
		p = f.len <= UINT16_MAX ?
			(uint8_t *)rte_pktmbuf_append(in.m, (uint16_t)f.len) : NULL;
		if (unlikely(p == NULL)) {
			t->stream_too_big++;
			rte_pktmbuf_free(in.m);
			continue;
		}
		memcpy(p, f.data, f.len);
		in.udp = NULL;
		in.off = 0;
		in.len = (uint16_t)f.len;
		if (f.kind == STUN_FRAME_CHDATA)
			turn_client_chdata(w, from, &in);
		else
			turn_client_stun(w, from, &in);
	}
	if (rc < 0) {
		t->stream_bad_frame++;
		return rc;
	}
	return n;
}

int
turn_stream_recv(struct dp_worker *w, const struct turn_from *from,
		 struct stun_deframer *d, const uint8_t *data, size_t len)
{
	while (len > 0) {
		size_t k = stun_deframer_feed(d, data, len);
		int rc = turn_stream_input(w, from, d);

		if (rc < 0)
			return rc;
		/* the deframer refuses a frame larger than its buffer, so a
		 * full buffer always yields a frame or an error */
		if (k == 0 && rc == 0)
			return -ENOBUFS;
		data += k;
		len -= k;
	}
	return 0;
}

/* A STUN message, whole, to the client's connection. */
static void
stream_reply(struct dp_worker *w, const struct turn_from *to, const uint8_t *buf,
	     uint16_t len)
{
	const struct turn_stream_io *io = w->turn->stream_io;

	if (io == NULL) {
		w->turn->xport_none++;
		return;
	}
	if (io->write(w, to->conn_id, buf, len) < 0)
		w->turn->stream_write_failed++;
}

/* Relayed data to a's client: the frame at m's data start, whole (the
 * connection checksums it: cy is not needed). */
static void
stream_to_client(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
		 const struct turn_carry *cy)
{
	const struct turn_stream_io *io = w->turn->stream_io;

	(void)cy;
	if (io == NULL) {
		w->turn->xport_none++;
		rte_pktmbuf_free(m);
		return;
	}
	if (io->write_mbuf(w, a->conn_id, m) < 0)
		w->turn->stream_write_failed++;
}

const struct turn_xport_ops turn_stream_ops = {
	.name = "stream",
	.chdata_pad = true,
	.reply = stream_reply,
	.to_client = stream_to_client,
};
