/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/turn/turn_stream.c, the stream adapter (TURN over TCP/TLS, RFC 8656
 * §12.5): replies and relayed data go to the connection whole. And
 * lib/stun's deframer driven as a transport that gives bytes in a buffer
 * would drive it (the test's turn_stream_recv()): however the stream is
 * cut into segments, TURN's entries see the same frames, in order, each in
 * an mbuf of its own (ChannelData without its stream padding, STUN whole),
 * with the connection in turn_from; lost framing is an error for the
 * caller to close on, counted.
 *
 * What sits around the adapter is the test's: the entries (turn_client.c
 * needs the whole dp) record what they are given, dp_alloc() hands out
 * mbufs built here (no pool, no EAL), the stream's write functions record
 * what is written, and UDP's sender fails the test if a stream client's
 * reply reaches it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "turn.h"
#include "turn_inlines.h"
#include "ipc.h"

#define NBUF 256u
#define BUFSZ 2048u

static struct rte_mbuf mbufs[NBUF];
static uint8_t bufmem[NBUF][BUFSZ];
static unsigned int nalloc;

struct rte_mbuf *dp_alloc(struct dp_worker *w);

struct rte_mbuf *
dp_alloc(struct dp_worker *w)
{
	struct rte_mbuf *m;

	(void)w;
	if (nalloc == NBUF)
		return NULL;
	m = &mbufs[nalloc];
	memset(m, 0, sizeof(*m));
	m->buf_addr = bufmem[nalloc];
	m->buf_len = BUFSZ;
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->nb_segs = 1;
	nalloc++;
	return m;
}

/* What the entries were given. */
struct call {
	int chdata;
	uint64_t conn_id;
	uint16_t len;
	uint8_t bytes[600];
};

static struct call calls[NBUF];
static unsigned int ncalls;

static void
record(int chdata, const struct turn_from *from, const struct turn_in *in)
{
	struct call *c = &calls[ncalls++];

	assert_true(ncalls <= NBUF);
	assert_null(in->udp);                       /* nothing to carry */
	assert_int_equal(in->len, rte_pktmbuf_pkt_len(in->m) - in->off);
	c->chdata = chdata;
	c->conn_id = from->conn_id;
	c->len = in->len;
	assert_true(in->len <= sizeof(c->bytes));
	memcpy(c->bytes, rte_pktmbuf_mtod_offset(in->m, const uint8_t *, in->off), in->len);
}

bool
turn_client_stun(struct dp_worker *w, const struct turn_from *from,
		 const struct turn_in *in)
{
	(void)w;
	record(0, from, in);
	return false;
}

void
turn_client_chdata(struct dp_worker *w, const struct turn_from *from,
		   const struct turn_in *in)
{
	(void)w;
	record(1, from, in);
}

/* UDP's adapter (turn_udp.c needs dp's UDP sender): never reached here. */
void
turn_udp_reply(struct dp_worker *w, const struct turn_from *to,
	       const uint8_t *buf, uint16_t len)
{
	(void)w;
	(void)to;
	(void)buf;
	(void)len;
	fail_msg("a stream client's reply went to UDP");
}

const struct turn_xport_ops turn_udp_ops = { .name = "udp" };

/*
 * A transport that gives a connection's bytes in a buffer: lib/stun's
 * deframer cuts them, and each complete frame goes to TURN's entries in
 * an mbuf of its own, copied. dp has no such transport (TCP and TLS cut
 * frames out of their mbufs, turn_tcp.c, and test_tcp_turn covers that),
 * so this driver is the test's: the frames the entries get from
 * lib/stun's deframer, whatever the cuts, and lost framing counted in
 * stream_bad_frame.
 *
 * turn_stream_input(): the complete frames already in d, handed on; the
 * count, or the deframer's negative errno.
 */
static int
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

/* Bytes of the connection from, fed to its deframer and every complete
 * frame handed on: 0, or a negative errno when the framing is lost
 * (-EBADMSG, -EMSGSIZE: lib/stun's deframer). */
static int
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

/* The stream: STUN messages and padded ChannelData, and the frames each
 * should reach the entries as. */
static uint8_t stream[16384];
static size_t stream_len;
static struct call want[NBUF];
static unsigned int nwant;

static void
add_stun(uint16_t soft_len)
{
	static const uint8_t tid[STUN_TID_LEN] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2 };
	char soft[300];
	struct stun_builder b;
	int n;

	memset(soft, 'a' + (int)(nwant % 26), soft_len);
	soft[soft_len] = '\0';
	stun_build_init(&b, stream + stream_len, sizeof(stream) - stream_len,
			stun_msg_type(STUN_METHOD_BINDING, STUN_CLASS_REQUEST), tid);
	stun_build_str(&b, STUN_ATTR_SOFTWARE, soft);
	n = stun_build_finish(&b);
	assert_true(n > 0);
	want[nwant].chdata = 0;
	want[nwant].len = (uint16_t)n;
	memcpy(want[nwant].bytes, stream + stream_len, (size_t)n);
	nwant++;
	stream_len += (size_t)n;
}

static void
add_chdata(uint16_t ch, uint16_t dlen)
{
	uint8_t *p = stream + stream_len;
	size_t total;

	for (uint16_t i = 0; i < dlen; i++)
		p[4 + i] = (uint8_t)(i ^ ch);
	total = chdata_encode_hdr(p, ch, dlen, true);   /* padded to 4 */
	assert_int_equal(total % 4, 0);
	want[nwant].chdata = 1;
	want[nwant].len = (uint16_t)(4 + dlen);
	memcpy(want[nwant].bytes, p, 4u + dlen);
	nwant++;
	stream_len += total;
}

static void
build_stream(void)
{
	stream_len = 0;
	nwant = 0;
	for (uint16_t i = 0; i < 40; i++) {
		add_chdata((uint16_t)(0x4000 + i), (uint16_t)(i * 7 % 23));
		add_stun((uint16_t)(i * 13 % 200));
		if (i % 5 == 0)
			add_chdata(0x4fff, 0);
	}
}

static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

struct fix {
	struct dp_worker *w;
	struct turn_from from;
	struct stun_deframer d;
	uint8_t dbuf[1024];
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	size_t wsz = (sizeof(struct dp_worker) + 63u) & ~(size_t)63u;

	assert_non_null(f);
	f->w = aligned_alloc(64, wsz);
	assert_non_null(f->w);
	memset(f->w, 0, wsz);
	/* TURN's state behind its pointer, as turn_init() gives it */
	f->w->turn = aligned_alloc(64, (sizeof(struct turn_worker) + 63u) & ~(size_t)63u);
	assert_non_null(f->w->turn);
	memset(f->w->turn, 0, sizeof(struct turn_worker));
	f->from.transport = STUN_TRANSPORT_TCP;
	f->from.family = NET_AF_IPV4;
	f->from.conn_id = 0x0300000500c0ffeeull;
	stun_deframer_init(&f->d, f->dbuf, sizeof(f->dbuf));
	nalloc = 0;
	ncalls = 0;
	build_stream();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	free(f->w->turn);
	free(f->w);
	free(f);
	return 0;
}

static void
check_calls(void)
{
	assert_int_equal(ncalls, nwant);
	for (unsigned int i = 0; i < nwant; i++) {
		assert_int_equal(calls[i].chdata, want[i].chdata);
		assert_true(calls[i].conn_id == 0x0300000500c0ffeeull);
		assert_int_equal(calls[i].len, want[i].len);
		assert_memory_equal(calls[i].bytes, want[i].bytes, want[i].len);
	}
}

/* Whole, byte by byte, and cut at random (many seeds): the same calls. */
static void
test_turn_stream_random_cuts_give_same_entry_calls(void **state)
{
	struct fix *f = *state;

	assert_int_equal(turn_stream_recv(f->w, &f->from, &f->d, stream, stream_len), 0);
	check_calls();
	for (unsigned int seed = 0; seed < 50; seed++) {
		size_t off = 0;

		stun_deframer_init(&f->d, f->dbuf, sizeof(f->dbuf));
		nalloc = 0;
		ncalls = 0;
		while (off < stream_len) {
			size_t cut = seed == 0 ? 1 : 1 + rnd(seed < 25 ? 9 : 700);

			if (cut > stream_len - off)
				cut = stream_len - off;
			assert_int_equal(turn_stream_recv(f->w, &f->from, &f->d,
							  stream + off, cut), 0);
			off += cut;
		}
		check_calls();
		assert_int_equal(stun_deframer_pending(&f->d), 0);
	}
	assert_true(f->w->turn->stream_bad_frame == 0);
}

/* Bytes that are neither STUN nor ChannelData: the frames before them
 * reach the entries, then an error that sticks, counted. */
static void
test_turn_stream_lost_framing_is_an_error(void **state)
{
	struct fix *f = *state;
	uint8_t bad[8] = { 0x80, 1, 2, 3, 4, 5, 6, 7 };
	size_t first = want[0].len + 0u;

	first = (first + 3u) & ~(size_t)3u;        /* ChannelData, padded */
	assert_int_equal(turn_stream_recv(f->w, &f->from, &f->d, stream, first), 0);
	assert_int_equal(ncalls, 1);
	assert_int_equal(turn_stream_recv(f->w, &f->from, &f->d, bad, sizeof(bad)),
			 -EBADMSG);
	assert_true(f->w->turn->stream_bad_frame == 1);
	assert_true(turn_stream_recv(f->w, &f->from, &f->d, stream, 4) < 0);
	assert_int_equal(ncalls, 1);
}

/* What the connection is given. */
static uint8_t wrote[256];
static uint16_t wrote_len;
static uint64_t wrote_conn;
static struct rte_mbuf *wrote_m;

static int
io_write(struct dp_worker *w, uint64_t conn_id, const uint8_t *buf, uint16_t len)
{
	(void)w;
	wrote_conn = conn_id;
	wrote_len = len;
	memcpy(wrote, buf, len);
	return 0;
}

static int
io_write_mbuf(struct dp_worker *w, uint64_t conn_id, struct rte_mbuf *m)
{
	(void)w;
	wrote_conn = conn_id;
	wrote_m = m;
	return -EAGAIN;                             /* counted */
}

static const struct turn_stream_io io = {
	.write = io_write,
	.write_mbuf = io_write_mbuf,
};

/* Replies and relayed data through the ops: none without a stream
 * attached (counted), whole to the connection with one. */
static void
test_turn_stream_ops_write_to_the_connection(void **state)
{
	struct fix *f = *state;
	struct turn_alloc a;
	const uint8_t msg[20] = { 0x01, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42 };

	assert_ptr_equal(turn_xport(STUN_TRANSPORT_TCP, 77), &turn_stream_ops);
	assert_ptr_equal(turn_xport(STUN_TRANSPORT_UDP, 0), &turn_udp_ops);
	assert_true(turn_stream_ops.chdata_pad);
	/* a DTLS session (transport 17 with a session's id): its own ops,
	 * ChannelData unpadded, the allocation's transport UDP */
	assert_ptr_equal(turn_xport(STUN_TRANSPORT_UDP,
				    ipc_conn_make(3, 5 | IPC_CONN_SLOT_DTLS, 1)), &turn_dtls_ops);
	assert_false(turn_dtls_ops.chdata_pad);
	memset(&a, 0, sizeof(a));
	a.conn_id = ipc_conn_make(3, 5 | IPC_CONN_SLOT_DTLS, 1);
	assert_int_equal(turn_alloc_transport(&a), STUN_TRANSPORT_UDP);
	a.conn_id = ipc_conn_make(3, 5, 1);
	assert_int_equal(turn_alloc_transport(&a), STUN_TRANSPORT_TCP);
	turn_reply(f->w, &f->from, msg, sizeof(msg));
	assert_true(f->w->turn->xport_none == 1);
	(void)turn_stream_attach(f->w, &io, 4); /* no EAL: the backlog may fail */
	turn_reply(f->w, &f->from, msg, sizeof(msg));
	assert_true(wrote_conn == 0x0300000500c0ffeeull);
	assert_int_equal(wrote_len, sizeof(msg));
	assert_memory_equal(wrote, msg, sizeof(msg));
	memset(&a, 0, sizeof(a));
	a.conn_id = 77;
	turn_xport(turn_alloc_transport(&a), a.conn_id)->to_client(f->w, &a, dp_alloc(f->w), NULL);
	assert_int_equal(wrote_conn, 77);
	assert_ptr_equal(wrote_m, &mbufs[nalloc - 1]);
	assert_true(f->w->turn->stream_write_failed == 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_turn_stream_random_cuts_give_same_entry_calls,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_stream_lost_framing_is_an_error,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_turn_stream_ops_write_to_the_connection,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
