/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TURN over a stream transport (TCP, and TLS over TCP below it: RFC 8656
 * §3.1, §12.5; dp/README.md "How a stream flows"): the adapter between a
 * client connection and TURN. In: the connection's STUN messages and
 * ChannelData frames reach turn_client_stun() / turn_client_chdata() in an
 * mbuf of their own, with the connection in turn_from. Out (turn_stream_ops): a
 * STUN message is written whole to the connection, relayed data
 * (ChannelData padded to 4 by turn_chdata_wrap(), or a Data indication, a
 * multiple of 4 already) is handed over in its mbuf.
 *
 * TURN over TCP and TLS (turn_tcp.c) attaches its write functions to
 * each worker (turn_stream_attach()) and hands complete frames, cut from
 * the connection's mbufs, to the two entries itself. A connection that
 * closes takes its allocation with it and cp hears of it
 * (turn_stream_gone(), CONN_DOWN through a backlog that waits for room
 * in the ring rather than failing).
 */
#include <errno.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "../dp.h"
#include "ipc.h"
#include "turn.h"
#include "turn_inlines.h"

/* The CONN_DOWN backlog for max_conns more connections or sessions (set-up
 * only: it is empty then, and made again when it must grow). */
static int
conn_events_size(struct turn_worker *t, uint32_t max_conns)
{
	uint32_t cap = 1;

	/* One event at most per connection that can be open at once, and
	 * as many again for those that closed since the last flush. */
	t->conn_events_want += max_conns;
	while (cap < 2u * t->conn_events_want && cap < (1u << 30))
		cap <<= 1;
	if (t->conn_events_mem != NULL && t->conn_events.cap < cap) {
		rte_free(t->conn_events_mem);
		t->conn_events_mem = NULL;
	}
	if (t->conn_events_mem == NULL) {
		t->conn_events_mem = rte_zmalloc("turn_conn_events",
						 (size_t)cap * sizeof(struct ipc_event), 0);
		if (t->conn_events_mem == NULL)
			return -ENOMEM;
		ipc_backlog_init(&t->conn_events, t->conn_events_mem, cap);
	}
	return 0;
}

int
turn_stream_attach(struct dp_worker *w, const struct turn_stream_io *io,
		   uint32_t max_conns)
{
	w->turn->stream_io = io;
	return conn_events_size(w->turn, max_conns);
}

int
turn_dtls_attach(struct dp_worker *w, const struct turn_stream_io *io,
		 uint32_t max_sessions)
{
	w->turn->dtls_io = io;
	return conn_events_size(w->turn, max_sessions);
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
		turn_alloc_remove(t, a, reason >= 1 && reason <= IPC_CONN_REASON_MAX ?
				  reason : IPC_CONN_CLOSED);
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

/* A STUN message, whole, to the client's connection or session (io:
 * the stream's or DTLS's). */
static void
io_reply(struct dp_worker *w, const struct turn_stream_io *io,
	 const struct turn_from *to, const uint8_t *buf, uint16_t len)
{
	if (io == NULL) {
		w->turn->xport_none++;
		return;
	}
	if (io->write(w, to->conn_id, buf, len) < 0)
		w->turn->stream_write_failed++;
}

/* Relayed data to a's client: the frame at m's data start, whole (the
 * connection or the record checksums it: no carried checksum needed). */
static void
io_to_client(struct dp_worker *w, const struct turn_stream_io *io,
	     struct turn_alloc *a, struct rte_mbuf *m)
{
	if (io == NULL) {
		w->turn->xport_none++;
		rte_pktmbuf_free(m);
		return;
	}
	if (io->write_mbuf(w, a->conn_id, m) < 0)
		w->turn->stream_write_failed++;
}

static void
stream_reply(struct dp_worker *w, const struct turn_from *to, const uint8_t *buf,
	     uint16_t len)
{
	io_reply(w, w->turn->stream_io, to, buf, len);
}

static void
stream_to_client(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
		 const struct turn_carry *cy)
{
	(void)cy;
	io_to_client(w, w->turn->stream_io, a, m);
}

const struct turn_xport_ops turn_stream_ops = {
	.name = "stream",
	.chdata_pad = true,
	.reply = stream_reply,
	.to_client = stream_to_client,
};

/* TURN over DTLS (turn_dtls.c): a STUN message in a record of the
 * client's session. */
static void
dtls_reply(struct dp_worker *w, const struct turn_from *to, const uint8_t *buf,
	   uint16_t len)
{
	io_reply(w, w->turn->dtls_io, to, buf, len);
}

/* Relayed data to a's client in a record of its session (ChannelData
 * unpadded, as over UDP: RFC 8656 §12.5). */
static void
dtls_to_client(struct dp_worker *w, struct turn_alloc *a, struct rte_mbuf *m,
	       const struct turn_carry *cy)
{
	(void)cy;
	io_to_client(w, w->turn->dtls_io, a, m);
}

const struct turn_xport_ops turn_dtls_ops = {
	.name = "dtls",
	.chdata_pad = false,
	.reply = dtls_reply,
	.to_client = dtls_to_client,
};
