/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TURN-over-TCP adapter (dp/turn/turn_tcp.c) over the fake transport
 * (fake_xprt.h), driven through the TCP applications it registers and the
 * stream writes it gives TURN (turn_stream_attach()); TURN's entries are
 * the test's, recording each frame they are handed. A stream of STUN and
 * ChannelData frames arrives in any pieces (a byte at a time, many frames
 * a read, frames across mbufs) and comes out as the same frames in order,
 * each whole and contiguous; bad framing resets the connection with its
 * counter; the first-message and allocation deadlines reset silent
 * connections; TURN's writes reach the transport (gathered over raw TCP,
 * a record each over TLS); a ConnectionBind holds the connection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "dp_tcp.h"
#include "dp_ctrs.h"
#include "fake_xprt.h"
#include "ipc.h"
#include "stun.h"
#include "tcprelay/tcprelay.h"
#include "tp_conf_types.h"
#include "turn/turn.h"
#include "turn/turn_tcp.h"

static const uint8_t L4[4] = { 10, 0, 0, 1 };
static const uint8_t R4[4] = { 10, 0, 0, 2 };
static const uint8_t OTHER4[4] = { 10, 9, 9, 9 };

#define PORT_TCP 3478
#define PORT_TLS 5349
#define FIRST_S 10u
#define ALLOC_S 30u

/* ---- TURN, as the adapter sees it ----------------------------------------- */

#define LOG_MAX 64
static struct {
	unsigned int n;
	char kind[LOG_MAX];          /* 'S' STUN, 'C' ChannelData */
	uint16_t len[LOG_MAX];
	uint8_t bytes[LOG_MAX][2048];
	uint64_t conn[LOG_MAX];
	bool to_cp;                  /* turn_client_stun() says it went to cp */
	/* turn_stream_gone() */
	unsigned int gone;
	uint32_t gone_reason;
	bool gone_talked;
	bool has_alloc;
	const struct turn_stream_io *io;
} turn;

static void
record(char kind, const struct turn_from *from, const struct turn_in *in)
{
	assert_int_equal(from->transport, STUN_TRANSPORT_TCP);
	assert_int_equal(from->dst_port == PORT_TCP || from->dst_port == PORT_TLS, true);
	assert_memory_equal(from->src, R4, 4);
	/* whole and contiguous in the first segment */
	assert_true((uint32_t)in->off + in->len <= in->m->data_len);
	assert_true(turn.n < LOG_MAX);
	turn.kind[turn.n] = kind;
	turn.len[turn.n] = in->len;
	turn.conn[turn.n] = from->conn_id;
	memcpy(turn.bytes[turn.n], rte_pktmbuf_mtod_offset(in->m, const uint8_t *, in->off),
	       in->len);
	turn.n++;
	rte_pktmbuf_free(in->m);
}

bool
turn_client_stun(struct dp_worker *w, const struct turn_from *from, const struct turn_in *in)
{
	(void)w;
	record('S', from, in);
	return turn.to_cp;
}

void
turn_client_chdata(struct dp_worker *w, const struct turn_from *from, const struct turn_in *in)
{
	(void)w;
	record('C', from, in);
}

int
turn_stream_attach(struct dp_worker *w, const struct turn_stream_io *io, uint32_t max_conns)
{
	(void)w;
	(void)max_conns;
	turn.io = io;
	return 0;
}

void
turn_stream_gone(struct dp_worker *w, const struct turn_from *from, uint32_t reason,
		 bool talked)
{
	(void)w;
	(void)from;
	turn.gone++;
	turn.gone_reason = reason;
	turn.gone_talked = talked;
}

bool
turn_stream_has_alloc(struct dp_worker *w, const struct turn_from *from)
{
	(void)w;
	(void)from;
	return turn.has_alloc;
}

/* ---- the fixture ---------------------------------------------------------- */

struct fix {
	struct dp_ctx ctx;
	struct tp_conf *conf;
	struct dp_worker *w;
	int app, app_tls;
	void *larg;
	unsigned int mbufs0;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	void *larg_tls;

	assert_non_null(f);
	fx_init();
	memset(&turn, 0, sizeof(turn));
	f->conf = calloc(1, sizeof(*f->conf));
	assert_non_null(f->conf);
	f->conf->dp.tcp_max_conns = 32;
	f->conf->turn.nlisten_tcp = 1;
	f->conf->turn.listen_tcp[0] = PORT_TCP;
	f->conf->turn.nlisten_tls = 1;
	f->conf->turn.listen_tls[0] = PORT_TLS;
	f->conf->turn.tcp_first_message_s = FIRST_S;
	f->conf->turn.tcp_allocate_timeout_s = ALLOC_S;
	f->ctx.conf = f->conf;
	f->ctx.nports = 1;
	f->ctx.ports[0].roles = TP_ROLE_ACCESS;
	f->ctx.ports[0].has_ip4 = true;
	memcpy(f->ctx.ports[0].ip4, L4, 4);
	f->w = fx_worker_new(&f->ctx);
	f->mbufs0 = fx_mbufs_in_use();
	assert_int_equal(turn_tcp_init(f->w), 0);
	assert_non_null(turn.io);
	f->app = fx_listener(PORT_TCP, &f->larg);
	f->app_tls = fx_listener(PORT_TLS, &larg_tls);
	assert_true(f->app >= 0 && f->app_tls >= 0 && f->app != f->app_tls);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	turn_tcp_free(f->w);
	/* every mbuf back: frames handed on, gathered writes, partial frames */
	assert_int_equal(fx_mbufs_in_use(), f->mbufs0);
	fx_reset();
	fx_worker_free(f->w);
	free(f->conf);
	free(f);
	return 0;
}

static uint64_t
ctr(const struct fix *f, enum turn_tcp_ctr c)
{
	uint64_t v[TURN_TCP_CTR__COUNT];

	/* as dp publishes them: the family the adapter registers */
	assert_int_equal(turn_tcp_ctrs.n, TURN_TCP_CTR__COUNT);
	turn_tcp_ctrs.values(f->w, v);
	return v[c];
}

/* A client connected to PORT_TCP (or the TLS port), accepted. */
static uint64_t
client(struct fix *f, uint32_t slot, bool tls)
{
	uint64_t id = fx_conn_new(slot, 4, L4, tls ? PORT_TLS : PORT_TCP, R4,
				  (uint16_t)(40000 + slot));

	assert_int_equal(fx_accept(tls ? f->app_tls : f->app, id, f->larg), 0);
	return id;
}

/* ---- frames ---------------------------------------------------------------- */

struct frame {
	char kind;
	uint16_t msg_len;            /* what TURN gets */
	uint16_t wire_len;           /* with ChannelData's padding */
	uint8_t b[2048];
};

/* A STUN message of type with attr_len bytes of attributes (pattern). */
static void
stun_frame(struct frame *fr, uint16_t type, uint16_t attr_len, uint8_t seed)
{
	memset(fr, 0, sizeof(*fr));
	fr->kind = 'S';
	fr->b[0] = (uint8_t)(type >> 8);
	fr->b[1] = (uint8_t)type;
	fr->b[2] = (uint8_t)(attr_len >> 8);
	fr->b[3] = (uint8_t)attr_len;
	fr->b[4] = 0x21;
	fr->b[5] = 0x12;
	fr->b[6] = 0xA4;
	fr->b[7] = 0x42;
	for (unsigned int i = 8; i < 20u + attr_len; i++)
		fr->b[i] = (uint8_t)(seed + i * 13u);
	fr->msg_len = fr->wire_len = (uint16_t)(20u + attr_len);
}

/* ChannelData on channel of len bytes (pattern), padded to 4. */
static void
cd_frame(struct frame *fr, uint16_t channel, uint16_t len, uint8_t seed)
{
	memset(fr, 0, sizeof(*fr));
	fr->kind = 'C';
	fr->b[0] = (uint8_t)(channel >> 8);
	fr->b[1] = (uint8_t)channel;
	fr->b[2] = (uint8_t)(len >> 8);
	fr->b[3] = (uint8_t)len;
	for (unsigned int i = 4; i < 4u + len; i++)
		fr->b[i] = (uint8_t)(seed + i * 7u);
	fr->msg_len = (uint16_t)(4u + len);
	fr->wire_len = (uint16_t)((4u + len + 3u) & ~3u);
}

static void
send_frames(uint64_t id, const struct frame *fr, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		fx_peer_send(id, fr[i].b, fr[i].wire_len);
}

/* TURN got exactly these frames, from first on, in order, on id. */
static void
got_frames(unsigned int first, uint64_t id, const struct frame *fr, unsigned int n)
{
	assert_int_equal(turn.n, first + n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(turn.kind[first + i], fr[i].kind);
		assert_int_equal(turn.len[first + i], fr[i].msg_len);
		assert_memory_equal(turn.bytes[first + i], fr[i].b, fr[i].msg_len);
		assert_int_equal(turn.conn[first + i], id);
	}
}

/* A mixed stream: a Binding request first (the greeting), then frames of
 * odd sizes (padding), one as large as an mbuf holds. */
static unsigned int
mixed(struct frame *fr)
{
	unsigned int n = 0;

	stun_frame(&fr[n++], 0x0001, 8, 1);
	cd_frame(&fr[n++], 0x4000, 5, 2);
	cd_frame(&fr[n++], 0x4001, 100, 3);
	stun_frame(&fr[n++], 0x0003, 0, 4);
	cd_frame(&fr[n++], 0x7fff, 1, 5);
	cd_frame(&fr[n++], 0x4abc, 0, 6);
	cd_frame(&fr[n++], 0x4002, 1200, 7);
	stun_frame(&fr[n++], 0x0001, 300, 8);
	cd_frame(&fr[n++], 0x4003, 2044, 9);    /* 2048 on the wire: an mbuf's room */
	cd_frame(&fr[n++], 0x4004, 3, 10);
	return n;
}

static void
run_pieces(struct fix *f, uint32_t rd_seg, uint32_t rd_max)
{
	static struct frame fr[16];
	unsigned int n = mixed(fr);
	uint64_t id = client(f, 3, false);

	fx_get(id)->rd_seg = rd_seg;
	fx_get(id)->rd_max = rd_max;
	send_frames(id, fr, n);
	fx_readable(id);
	got_frames(0, id, fr, n);
	assert_int_equal(ctr(f, TURN_TCP_CTR_STUN), 3);
	assert_int_equal(ctr(f, TURN_TCP_CTR_CHDATA), 7);
	assert_int_equal(fx_get(id)->aborts, 0);
	assert_int_equal(turn.gone, 0);
	/* and again, after the greeting (reads no longer held to a frame) */
	send_frames(id, fr, n);
	fx_readable(id);
	got_frames(n, id, fr, n);
}

static void
test_tcp_turn_one_byte_at_a_time(void **state)
{
	run_pieces(*state, 1, 1);
}

static void
test_tcp_turn_many_frames_a_read(void **state)
{
	struct fix *f = *state;

	run_pieces(f, 0, 0);
	/* (the greeting was read alone: turn_tcp_first_want()) */
}

static void
test_tcp_turn_frames_across_mbufs(void **state)
{
	run_pieces(*state, 7, 0);
}

static void
test_tcp_turn_frames_across_reads(void **state)
{
	run_pieces(*state, 0, 333);
}

/* A frame that fills its segment exactly is handed on in that mbuf. */
static void
test_tcp_turn_zero_copy(void **state)
{
	struct fix *f = *state;
	struct frame g, fr[4];
	uint64_t id = client(f, 4, false);

	stun_frame(&g, 0x0001, 0, 1);
	fx_peer_send(id, g.b, g.wire_len);
	fx_readable(id);
	for (unsigned int i = 0; i < 4; i++)
		cd_frame(&fr[i], 0x4000, 96, (uint8_t)i);
	fx_get(id)->rd_max = 100;               /* a frame a read */
	send_frames(id, fr, 4);
	fx_readable(id);
	got_frames(1, id, fr, 4);
	assert_int_equal(ctr(f, TURN_TCP_CTR_ZERO_COPY), 4);
}

/* ---- bad input ---------------------------------------------------------------- */

static void
bad(struct fix *f, const uint8_t *b, size_t n, uint32_t rd_seg, enum turn_tcp_ctr want)
{
	struct frame g;
	uint64_t id = client(f, 5, false);

	stun_frame(&g, 0x0001, 4, 1);
	fx_peer_send(id, g.b, g.wire_len);
	fx_readable(id);
	assert_int_equal(turn.n, 1);
	fx_get(id)->rd_seg = rd_seg;
	fx_peer_send(id, b, n);
	fx_readable(id);
	assert_int_equal(ctr(f, want), 1);
	assert_int_equal(fx_get(id)->aborts, 1);
	assert_int_equal(turn.n, 1);
	assert_int_equal(turn.gone, 1);
	assert_int_equal(turn.gone_reason, IPC_CONN_ABORTED);
	assert_true(turn.gone_talked);
	/* dp/tcp says nothing more after an abort; a stale readable() is
	 * ignored */
	fx_readable(id);
	assert_int_equal(fx_get(id)->aborts, 1);
}

static void
test_tcp_turn_bad_first_byte(void **state)
{
	static const uint8_t b[] = { 0x80, 0x01, 0x00, 0x04, 1, 2, 3, 4 };

	bad(*state, b, sizeof(b), 0, TURN_TCP_CTR_BAD_FRAME);
}

static void
test_tcp_turn_bad_first_byte_split(void **state)
{
	static const uint8_t b[] = { 0xc0, 0x01, 0x00, 0x04, 1, 2, 3, 4 };

	bad(*state, b, sizeof(b), 1, TURN_TCP_CTR_BAD_FRAME);
}

static void
test_tcp_turn_bad_stun_length(void **state)
{
	struct frame fr;

	stun_frame(&fr, 0x0001, 8, 3);
	fr.b[3] = 6;                     /* not a multiple of 4 */
	bad(*state, fr.b, fr.wire_len, 0, TURN_TCP_CTR_BAD_FRAME);
}

static void
test_tcp_turn_bad_cookie(void **state)
{
	struct frame fr;

	stun_frame(&fr, 0x0001, 8, 3);
	fr.b[5] ^= 0x40;
	bad(*state, fr.b, fr.wire_len, 0, TURN_TCP_CTR_BAD_FRAME);
}

static void
test_tcp_turn_too_big(void **state)
{
	static const uint8_t b[] = { 0x40, 0x00, 0xff, 0xf0, 1, 2, 3, 4 };

	bad(*state, b, sizeof(b), 0, TURN_TCP_CTR_TOO_BIG);
}

static void
test_tcp_turn_too_big_split(void **state)
{
	static const uint8_t b[] = { 0x40, 0x00, 0x08, 0x00, 1, 2, 3, 4 };

	bad(*state, b, sizeof(b), 3, TURN_TCP_CTR_TOO_BIG);
}

/* A connection to an address that is not an access port's is refused. */
static void
test_tcp_turn_not_access(void **state)
{
	struct fix *f = *state;
	uint64_t id = fx_conn_new(6, 4, OTHER4, PORT_TCP, R4, 40006);

	assert_true(fx_accept(f->app, id, f->larg) < 0);
	assert_int_equal(ctr(f, TURN_TCP_CTR_NOT_ACCESS), 1);
	assert_int_equal(ctr(f, TURN_TCP_CTR_ACCEPTED), 0);
}

/* ---- ends ------------------------------------------------------------------------ */

static void
test_tcp_turn_client_eof(void **state)
{
	struct fix *f = *state;
	struct frame g;
	uint64_t id = client(f, 7, false);

	stun_frame(&g, 0x0001, 0, 1);
	fx_peer_send(id, g.b, g.wire_len);
	fx_peer_eof(id);
	fx_readable(id);
	assert_int_equal(turn.n, 1);
	assert_int_equal(ctr(f, TURN_TCP_CTR_CLIENT_EOF), 1);
	assert_int_equal(fx_get(id)->closes, 1);
	assert_int_equal(fx_get(id)->aborts, 0);
	assert_int_equal(turn.gone, 1);
	assert_int_equal(turn.gone_reason, IPC_CONN_CLOSED);
}

static void
test_tcp_turn_closed_by_tcp(void **state)
{
	struct fix *f = *state;
	struct frame fr;
	uint64_t id = client(f, 8, false);

	/* half a frame held, then the peer resets */
	stun_frame(&fr, 0x0001, 40, 1);
	fx_peer_send(id, fr.b, 30);
	fx_readable(id);
	assert_int_equal(turn.n, 0);
	fx_closed(id, TCP_REASON_RESET);
	assert_int_equal(ctr(f, TURN_TCP_CTR_CLOSED), 1);
	assert_int_equal(fx_get(id)->gones, 1);
	assert_int_equal(turn.gone, 1);
	assert_int_equal(turn.gone_reason, IPC_CONN_RESET);
	assert_false(turn.gone_talked);
}

/* TLS's failure (-EPROTO from rcv_buf): reset, counted. */
static void
test_tcp_turn_transport_fails(void **state)
{
	struct fix *f = *state;
	uint64_t id = client(f, 9, true);

	fx_get(id)->rx_err = -EPROTO;
	fx_readable(id);
	assert_int_equal(ctr(f, TURN_TCP_CTR_TRANSPORT), 1);
	assert_int_equal(fx_get(id)->aborts, 1);
}

/* ---- deadlines ------------------------------------------------------------------- */

/* Silent past turn.tcp_first_message: reset (its transport told first);
 * one that greeted stays. */
static void
test_tcp_turn_first_message_timeout(void **state)
{
	struct fix *f = *state;
	struct frame g;
	uint64_t quiet = client(f, 10, true), talker = client(f, 11, false);

	stun_frame(&g, 0x0001, 0, 1);
	fx_peer_send(talker, g.b, g.wire_len);
	fx_readable(talker);
	f->w->now_ms += FIRST_S * 1000u - 1u;
	turn_tcp_poll(f->w, f->w->now_ms);
	assert_int_equal(fx_get(quiet)->aborts, 0);
	f->w->now_ms += 2;
	turn_tcp_poll(f->w, f->w->now_ms);
	assert_int_equal(ctr(f, TURN_TCP_CTR_FIRST_TIMEOUT), 1);
	assert_int_equal(fx_get(quiet)->first_timeouts, 1);
	assert_int_equal(fx_get(quiet)->aborts, 1);
	assert_int_equal(fx_get(talker)->aborts, 0);
	assert_int_equal(fx_get(talker)->first_timeouts, 0);
}

/* No allocation turn.tcp_allocate_timeout after it opened: reset; with
 * one it goes round again. */
static void
test_tcp_turn_allocation_timeout(void **state)
{
	struct fix *f = *state;
	struct frame g;
	uint64_t id = client(f, 12, false);

	stun_frame(&g, 0x0001, 0, 1);
	fx_peer_send(id, g.b, g.wire_len);
	fx_readable(id);
	turn.has_alloc = true;
	f->w->now_ms += ALLOC_S * 1000u + 1u;
	turn_tcp_poll(f->w, f->w->now_ms);
	assert_int_equal(fx_get(id)->aborts, 0);
	turn.has_alloc = false;
	f->w->now_ms += ALLOC_S * 1000u + 1u;
	turn_tcp_poll(f->w, f->w->now_ms);
	assert_int_equal(ctr(f, TURN_TCP_CTR_NO_ALLOC), 1);
	assert_int_equal(fx_get(id)->aborts, 1);
	assert_int_equal(turn.gone_reason, IPC_CONN_ABORTED);
}

/* ---- TURN's writes ---------------------------------------------------------------- */

/* Over raw TCP small frames are gathered into one send at the burst's
 * end; over TLS each is a send (a record) of its own; bytes exact. */
static void
test_tcp_turn_writes(void **state)
{
	struct fix *f = *state;
	uint64_t raw = client(f, 13, false), tls = client(f, 14, true);
	struct frame a, b, c;
	uint8_t got[4096];

	stun_frame(&a, 0x0101, 12, 1);
	cd_frame(&b, 0x4000, 64, 2);
	stun_frame(&c, 0x0111, 1500, 3);          /* large: not gathered */
	for (unsigned int k = 0; k < 2; k++) {
		uint64_t id = k == 0 ? raw : tls;

		assert_int_equal(turn.io->write(f->w, id, a.b, a.wire_len), 0);
		assert_int_equal(turn.io->write(f->w, id, b.b, b.wire_len), 0);
		assert_int_equal(turn.io->write(f->w, id, c.b, c.wire_len), 0);
	}
	/* TLS: three sends already; raw: the two small ones wait */
	assert_int_equal(fx_get(tls)->sends, 3);
	assert_int_equal(fx_get(raw)->sends, 2);  /* (gathered, then the large one) */
	turn_tcp_flush(f->w);
	assert_int_equal(fx_get(raw)->sends, 2);
	assert_int_equal(ctr(f, TURN_TCP_CTR_GATHERED), 1);
	for (unsigned int k = 0; k < 2; k++) {
		uint64_t id = k == 0 ? raw : tls;
		size_t n = fx_take_tx(id, got, sizeof(got)), off = 0;

		assert_int_equal(n, (size_t)a.wire_len + b.wire_len + c.wire_len);
		assert_memory_equal(got + off, a.b, a.wire_len);
		off += a.wire_len;
		assert_memory_equal(got + off, b.b, b.wire_len);
		off += b.wire_len;
		assert_memory_equal(got + off, c.b, c.wire_len);
	}
	/* a full send queue drops (counted), never blocks */
	fx_get(raw)->room = 0;
	assert_int_equal(turn.io->write(f->w, raw, a.b, a.wire_len), 0);
	turn_tcp_flush(f->w);
	assert_int_equal(ctr(f, TURN_TCP_CTR_SEND_FULL), 1);
	/* to a connection that is not (any more) ours */
	fx_closed(tls, TCP_REASON_RESET);
	assert_true(turn.io->write(f->w, tls, a.b, a.wire_len) < 0);
	assert_int_equal(ctr(f, TURN_TCP_CTR_SEND_GONE), 1);
	assert_true(turn.io->live(f->w, raw));
	assert_false(turn.io->live(f->w, tls));
}

/* ---- RFC 6062's ConnectionBind -------------------------------------------------- */

/* A ConnectionBind that went to cp holds the connection: what followed it
 * goes back to TCP unread, nothing more is read, and the relay takes the
 * connection with its transport; one never answered is reset. */
static void
test_tcp_turn_connection_bind(void **state)
{
	struct fix *f = *state;
	struct frame bind, data;
	const struct dp_xprt_ops *xp = NULL;
	struct rte_mbuf *held = (struct rte_mbuf *)1;
	uint64_t id = client(f, 15, false), id2 = client(f, 16, false);

	stun_frame(&bind, stun_msg_type(STUN_METHOD_CONNECTION_BIND, STUN_CLASS_REQUEST), 8, 1);
	cd_frame(&data, 0x4000, 40, 2);            /* (the client's data: any bytes) */
	turn.to_cp = true;
	fx_peer_send(id, bind.b, bind.wire_len);
	fx_peer_send(id, data.b, data.wire_len);
	fx_readable(id);
	fx_readable(id);
	assert_int_equal(turn.n, 1);
	assert_int_equal(fx_get(id)->rx_len - fx_get(id)->rx_off, data.wire_len);
	assert_int_equal(turn_tcp_take(f->w, id, &xp, &held), 0);
	assert_ptr_equal(xp, &dp_xprt_raw);
	assert_null(held);
	assert_int_equal(ctr(f, TURN_TCP_CTR_BOUND), 1);
	/* the relay's now: TURN no longer reads it */
	fx_readable(id);
	assert_int_equal(turn.n, 1);

	/* a second one cp never answers */
	fx_peer_send(id2, bind.b, bind.wire_len);
	fx_readable(id2);
	f->w->now_ms += 10001;
	turn_tcp_poll(f->w, f->w->now_ms);
	assert_int_equal(ctr(f, TURN_TCP_CTR_BIND_UNANSWERED), 1);
	assert_int_equal(fx_get(id2)->aborts, 1);
	assert_int_equal(fx_get(id)->aborts, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_turn_one_byte_at_a_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_many_frames_a_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_frames_across_mbufs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_frames_across_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_zero_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_bad_first_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_bad_first_byte_split,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_bad_stun_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_bad_cookie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_too_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_too_big_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_not_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_client_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_closed_by_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_transport_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_first_message_timeout,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_allocation_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_turn_connection_bind, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
