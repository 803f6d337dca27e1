/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpus of fuzz_ipc_msg (tests/fuzz/corpus/ipc_msg/): one
 * message of every kind as dp or cp builds it (header, then body_len bytes
 * of body), and a few variants at the edges (IPv6, a dual allocation with
 * bindings, the longest STATS, an error response). Built with the fuzz
 * targets so that it keeps compiling; run it when the contract changes:
 *
 *   build-fuzz/tests/fuzz/gen_ipc_msg_seeds tests/fuzz/corpus/ipc_msg
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"

static const char *dir;

static void
put(const char *name, const struct ipc_msg *m)
{
	char path[512];
	FILE *f;
	size_t n = sizeof(m->h) + m->h.body_len;

	if (ipc_msg_check(m, ipc_kind_dir(m->h.kind)) != 0) {
		fprintf(stderr, "seed %s does not pass ipc_msg_check\n", name);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(m, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void
tuple(struct ipc_tuple *t, uint8_t family)
{
	memset(t, 0, sizeof(*t));
	t->transport = 17;
	t->client.family = family;
	t->client.port = 40000;
	t->server.family = family;
	t->server.port = 3478;
	if (family == 4) {
		memcpy(t->client.ip, "\x0a\xc8\x00\x02", 4);
		memcpy(t->server.ip, "\x0a\xc8\x00\x01", 4);
	} else {
		memcpy(t->client.ip, "\xfd\x00\x02\x00", 4);
		t->client.ip[15] = 2;
		memcpy(t->server.ip, "\xfd\x00\x02\x00", 4);
		t->server.ip[15] = 1;
	}
}

/* A STUN message of type with one SOFTWARE attribute (RFC 8489 §5, §14.14). */
static uint16_t
stun(uint8_t *b, uint16_t type)
{
	static const uint8_t msg[] = {
		0, 0, 0, 12, 0x21, 0x12, 0xa4, 0x42,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		0x80, 0x22, 0, 8, 't', 'u', 'r', 'n', 'p', 'i', 'k', 'e',
	};

	memcpy(b, msg, sizeof(msg));
	b[0] = (uint8_t)(type >> 8);
	b[1] = (uint8_t)type;
	return sizeof(msg);
}

static struct ipc_alloc *
alloc(struct ipc_msg *m, unsigned int nrelayed)
{
	struct ipc_alloc *a = (struct ipc_alloc *)(void *)m->body;

	memset(a, 0, sizeof(*a));
	a->nrelayed = (uint8_t)nrelayed;
	a->key_len = 16;
	a->pwalg = 1;
	memset(a->key, 0xab, 16);
	a->user_len = 4;
	memcpy(a->username, "demo", 4);
	a->relayed[0].family = 4;
	a->relayed[0].port = 49200;
	memcpy(a->relayed[0].ip, "\x0a\xc9\x00\x01", 4);
	if (nrelayed == 2) {
		a->relayed[1].family = 6;
		a->relayed[1].port = 49200;
		memcpy(a->relayed[1].ip, "\xfd\x00\x02\x01", 4);
		a->relayed[1].ip[15] = 1;
	}
	a->expires_ms = 1700000000000ull;
	return a;
}

static struct ipc_binding *
binding(struct ipc_msg *m, size_t off, uint8_t family, uint16_t channel)
{
	struct ipc_binding *b = (struct ipc_binding *)(void *)(m->body + off);

	memset(b, 0, sizeof(*b));
	b->peer.family = family;
	b->peer.port = 3480;
	memcpy(b->peer.ip, family == 4 ? "\x0a\xc9\x00\x02" : "\xfd\x00\x02\x01", 4);
	b->channel = channel;
	b->expires_ms = 1700000300000ull;
	return b;
}

static void
start(struct ipc_msg *m, uint16_t kind, uint64_t alloc_id, int family)
{
	memset(m, 0, sizeof(*m));
	m->h.kind = kind;
	m->h.worker = 0;
	m->h.seq = 1;
	m->h.alloc_id = alloc_id;
	if (family != 0)
		tuple(&m->h.tuple, (uint8_t)family);
}

int
main(int argc, char **argv)
{
	static struct ipc_msg m;
	size_t off;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];

	start(&m, IPC_REQUEST, 0, 4);
	m.h.body_len = stun(m.body, 0x0003);          /* Allocate request */
	put("request_allocate", &m);
	start(&m, IPC_REQUEST, 0, 6);
	m.h.body_len = stun(m.body, 0x0009);          /* ChannelBind request */
	put("request_channel_bind_ipv6", &m);
	start(&m, IPC_RESPONSE, 0, 4);
	m.h.body_len = stun(m.body, 0x0103);          /* Allocate success */
	put("response_allocate_success", &m);
	start(&m, IPC_RESPONSE, 0, 6);
	m.h.body_len = stun(m.body, 0x0113);          /* Allocate error */
	put("response_allocate_error_ipv6", &m);

	start(&m, IPC_ALLOC_ADD, 7, 4);
	alloc(&m, 1);
	m.h.body_len = sizeof(struct ipc_alloc);
	put("alloc_add", &m);
	start(&m, IPC_ALLOC_ADD, 8, 6);
	alloc(&m, 2)->key_len = IPC_KEY_MAX;
	m.h.body_len = sizeof(struct ipc_alloc);
	put("alloc_add_dual", &m);
	start(&m, IPC_ALLOC_DEL, 7, 4);
	put("alloc_del", &m);
	start(&m, IPC_ALLOC_LIFE, 7, 4);
	memcpy(m.body, &(uint64_t){ 1700000600000ull }, 8);
	m.h.body_len = 8;
	put("alloc_life", &m);
	start(&m, IPC_ALLOC_TAP, 7, 4);
	{
		struct ipc_alloc_tap tp = { .on = 1, .ndest = 2, .correlation = 42 };

		memset(tp.xid, 0x5a, sizeof(tp.xid));
		tp.dest[0].family = 4;
		tp.dest[0].port = 7000;
		tp.dest[1].family = 6;
		tp.dest[1].port = 7001;
		memcpy(m.body, &tp, sizeof(tp));
		m.h.body_len = sizeof(tp);
	}
	put("alloc_tap", &m);
	start(&m, IPC_ALLOC_TAP, 7, 6);
	m.h.body_len = sizeof(struct ipc_alloc_tap);
	put("alloc_tap_off", &m);
	start(&m, IPC_LI_X2, 7, 4);
	{
		struct ipc_li_x2 *x = (struct ipc_li_x2 *)(void *)m.body;
		/* a CREATED event's start (lib/li's li_x2.h): dp reads none of it */
		static const uint8_t ev[] = { 'T', 'P', 'X', '2', 1, 1, 0, 0,
					      0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7 };

		memset(x->xid, 0x5a, sizeof(x->xid));
		x->correlation = 7;
		x->seq = 1;
		x->ts_sec = 1700000000u;
		x->ts_nsec = 999999999u;
		x->dir = 3;
		x->ndest = 2;
		x->dest[0].family = 4;
		x->dest[0].port = 7000;
		x->dest[1].family = 6;
		x->dest[1].port = 7001;
		x->len = sizeof(ev);
		memcpy(x->payload, ev, sizeof(ev));
		m.h.body_len = (uint16_t)(offsetof(struct ipc_li_x2, payload) + sizeof(ev));
	}
	put("li_x2", &m);
	start(&m, IPC_LI_STATUS, 0, 0);
	{
		/* tp-li's delivery report (through worker 0): one destination
		 * failed, one task's figures */
		struct ipc_li_status *x = (struct ipc_li_status *)(void *)m.body;

		x->ndest = 1;
		x->ntask = 1;
		x->dest[0].addr.family = 4;
		x->dest[0].addr.port = 7000;
		x->dest[0].state = IPC_LI_CONN_FAILED;
		x->dest[0].fault = IPC_LI_FAULT_CERT;
		x->dest[0].delivered = 404;
		x->dest[0].dropped_down = 411;
		x->dest[0].failures = 11;
		memset(x->task[0].xid, 0x5a, sizeof(x->task[0].xid));
		x->task[0].x3_delivered = 404;
		x->task[0].x3_lost = 416;
		x->task[0].last_us = 1700000000000000ull;
		m.h.body_len = sizeof(*x);
	}
	put("li_status", &m);

	start(&m, IPC_PERM_ADD, 7, 4);
	binding(&m, 0, 4, 0);
	m.h.body_len = sizeof(struct ipc_binding);
	put("perm_add", &m);
	start(&m, IPC_PERM_DEL, 7, 4);
	binding(&m, 0, 6, 0);
	m.h.body_len = sizeof(struct ipc_binding);
	put("perm_del_ipv6", &m);
	start(&m, IPC_CHAN_ADD, 7, 4);
	binding(&m, 0, 4, 0x4000);
	m.h.body_len = sizeof(struct ipc_binding);
	put("chan_add", &m);
	start(&m, IPC_CHAN_DEL, 7, 4);
	binding(&m, 0, 4, 0x7FFE);
	m.h.body_len = sizeof(struct ipc_binding);
	put("chan_del", &m);

	start(&m, IPC_SYNC, 3, 0);
	put("sync", &m);
	start(&m, IPC_STATS_REQ, 0, 0);
	put("stats_req", &m);

	start(&m, IPC_STATE_ALLOC, 7, 4);
	alloc(&m, 1);
	m.h.body_len = sizeof(struct ipc_alloc);
	put("state_alloc_bare", &m);
	start(&m, IPC_STATE_ALLOC, 8, 6);
	alloc(&m, 2);
	off = sizeof(struct ipc_alloc);
	binding(&m, off, 4, 0);
	off += sizeof(struct ipc_binding);
	binding(&m, off, 6, 0);
	off += sizeof(struct ipc_binding);
	binding(&m, off, 4, 0x4001);
	off += sizeof(struct ipc_binding);
	m.h.body_len = (uint16_t)off;
	put("state_alloc_bindings", &m);
	start(&m, IPC_STATE_DONE, 3, 0);
	put("state_done", &m);
	/* (a FENCE's number: this cp's epoch << 32 and its count of changes) */
	start(&m, IPC_FENCE, (5ull << 32) | 17u, 0);
	put("fence", &m);
	start(&m, IPC_FENCE_DONE, (5ull << 32) | 17u, 0);
	put("fence_done", &m);

	start(&m, IPC_STATS, 0, 0);
	for (unsigned int i = 0; i < 2; i++) {
		struct ipc_alloc_stats *s =
			(struct ipc_alloc_stats *)(void *)(m.body + i * sizeof(*s));

		s->alloc_id = 7 + i;
		for (unsigned int k = 0; k < IPC_ALLOC_STATS_N; k++)
			s->c[k] = 100 * (k + 1);
	}
	m.h.body_len = 2 * sizeof(struct ipc_alloc_stats);
	put("stats", &m);
	m.h.body_len = (uint16_t)(sizeof(m.body) / sizeof(struct ipc_alloc_stats) *
				  sizeof(struct ipc_alloc_stats));
	put("stats_full", &m);

	/* Streams (IPC v5): a request and an allocation on a connection of
	 * worker 2, and the connection going down. */
	start(&m, IPC_ALLOC_ADD, 9, 4);
	m.h.worker = 2;
	m.h.tuple.transport = 6;
	m.h.tuple.conn_id = ipc_conn_make(2, 0x1234, 7);
	alloc(&m, 1);
	m.h.body_len = sizeof(struct ipc_alloc);
	put("alloc_add_tcp", &m);
	start(&m, IPC_CONN_DOWN, 0, 4);
	m.h.worker = 2;
	m.h.tuple.transport = 6;
	m.h.tuple.conn_id = ipc_conn_make(2, 0x1234, 7);
	memcpy(m.body, &(struct ipc_conn_event){ .reason = IPC_CONN_RESET },
	       sizeof(struct ipc_conn_event));
	m.h.body_len = sizeof(struct ipc_conn_event);
	put("conn_down", &m);

	/* TLS (IPC v8): the ticket key set (one key, then two after a
	 * rotation), a PSK added and removed, a resync's brackets. */
	{
		struct ipc_tls_tickets tk;
		struct ipc_tls_psk p;
		struct ipc_tls_psk_sync ps;

		memset(&tk, 0, sizeof(tk));
		tk.generation = 1;
		tk.nkeys = 1;
		memset(&tk.key[0], 0x11, sizeof(tk.key[0]));
		start(&m, IPC_TLS_TICKETS, 0, 0);
		memcpy(m.body, &tk, sizeof(tk));
		m.h.body_len = sizeof(tk);
		put("tls_tickets", &m);
		tk.generation = 2;
		tk.nkeys = 2;
		memset(&tk.key[1], 0x22, sizeof(tk.key[1]));
		memcpy(m.body, &tk, sizeof(tk));
		put("tls_tickets_rotated", &m);

		memset(&p, 0, sizeof(p));
		p.id_len = 6;
		memcpy(p.id, "client", 6);
		p.key_len = 32;
		memset(p.key, 0xab, 32);
		p.cipher = 0x1301;
		start(&m, IPC_TLS_PSK_ADD, 0, 0);
		memcpy(m.body, &p, sizeof(p));
		m.h.body_len = sizeof(p);
		put("tls_psk_add", &m);
		p.id_len = IPC_TLS_PSK_ID_MAX;
		memset(p.id, 'i', IPC_TLS_PSK_ID_MAX);
		p.key_len = IPC_TLS_PSK_KEY_MAX;
		p.cipher = 0x1302;
		memcpy(m.body, &p, sizeof(p));
		put("tls_psk_add_longest", &m);
		memset(&p, 0, sizeof(p));
		p.id_len = 6;
		memcpy(p.id, "client", 6);
		start(&m, IPC_TLS_PSK_DEL, 0, 0);
		memcpy(m.body, &p, sizeof(p));
		m.h.body_len = sizeof(p);
		put("tls_psk_del", &m);

		memset(&ps, 0, sizeof(ps));
		ps.phase = IPC_TLS_PSK_BEGIN;
		start(&m, IPC_TLS_PSK_SYNC, 0, 0);
		memcpy(m.body, &ps, sizeof(ps));
		m.h.body_len = sizeof(ps);
		put("tls_psk_sync_begin", &m);
		ps.phase = IPC_TLS_PSK_END;
		ps.count = 1;
		memcpy(m.body, &ps, sizeof(ps));
		put("tls_psk_sync_end", &m);
	}
	/* RFC 6062 */
	{
		struct ipc_tcp_conn c;
		struct ipc_tcp_event e;

		memset(&c, 0, sizeof(c));
		c.cid = 0x5eed;
		c.addr.family = 4;
		c.addr.port = 7000;
		memcpy(c.addr.ip, "\x0a\xd3\x00\x02", 4);
		start(&m, IPC_TCP_CONNECT, 42, 4);
		m.h.tuple.transport = 6;
		m.h.tuple.conn_id = ipc_conn_make(0, 9, 1);
		memcpy(m.body, &c, sizeof(c));
		m.h.body_len = sizeof(c);
		put("tcp_connect", &m);
		start(&m, IPC_TCP_BIND, 42, 6);
		m.h.tuple.transport = 6;
		m.h.tuple.conn_id = ipc_conn_make(1, 10, 2);
		c.peer = ipc_conn_make(0, 11, 3);
		c.ok = 1;
		c.resp_len = stun(m.body + sizeof(c), 0x010b);
		memcpy(m.body, &c, sizeof(c));
		m.h.body_len = (uint16_t)(sizeof(c) + c.resp_len);
		put("tcp_bind", &m);
		start(&m, IPC_TCP_CLOSE, 42, 0);
		c.ok = 0;
		c.resp_len = 0;
		memcpy(m.body, &c, sizeof(c));
		m.h.body_len = sizeof(c);
		put("tcp_close", &m);
		m.h.kind = IPC_TCP_NAME;
		put("tcp_name", &m);
		memset(&e, 0, sizeof(e));
		e.type = IPC_TCP_EV_BOUND;
		e.cid = 0x5eed;
		e.peer = ipc_conn_make(0, 11, 3);
		e.data = ipc_conn_make(0, 12, 4);
		e.addr = c.addr;
		start(&m, IPC_TCP_EVENT, 42, 0);
		memcpy(m.body, &e, sizeof(e));
		m.h.body_len = sizeof(e);
		put("tcp_event_bound", &m);
		e.type = IPC_TCP_EV_INCOMING;
		e.cid = 0;
		e.data = 0;
		memcpy(m.body, &e, sizeof(e));
		put("tcp_event_incoming", &m);
		m.h.kind = IPC_TCP_STATE;
		put("tcp_state_incoming", &m);
	}
	/* RTP terminations (IPC v20): a context of a pair and an rtcp-mux
	 * termination, one termination modified, released; the events, a
	 * statistics question and answer, a restarted cp's state. */
	{
		struct ipc_rtp_ctx x;
		struct ipc_rtp_mod mo;
		struct ipc_rtp_event e;
		struct ipc_rtp_stats_req rq = { .req = 9 };
		struct ipc_rtp_stats_msg sm;
		struct ipc_rtp_state st;
		uint64_t id = ipc_conn_make(0, 21, 3);

		memset(&x, 0, sizeof(x));
		for (unsigned int i = 0; i < 2; i++) {
			struct ipc_rtp_term *t = &x.term[i];

			t->profile = IPC_RTP_AVP;
			t->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
			t->flags = i == 0 ? 0 : IPC_RTP_F_MUX;
			t->latch = i == 0 ? IPC_RTP_LATCH_RELATCH : 0;
			t->serial = 1;
			t->local.family = 4;
			t->local.port = (uint16_t)(30000 + 2 * i);
			t->rtcp_port = i == 0 ? 30001 : 0;
			memcpy(t->local.ip, i == 0 ? "\x0a\xc8\x00\x01" : "\x0a\xd3\x00\x01", 4);
			t->remote.family = 4;
			t->remote.port = 5004;
			memcpy(t->remote.ip, i == 0 ? "\x0a\xc8\x00\x02" : "\x0a\xd3\x00\x02", 4);
		}
		x.term[0].gm_addr = x.term[0].remote;
		x.term[0].gm_addr.port = 0;
		x.term[0].gm_plen = 32;
		x.term[0].pol_rate = 16000;
		x.term[0].pol_burst = 4000;
		x.term[0].inact_ms = 10000;
		x.term[1].dscp = 46;
		/* the UE's side SRTP (SAVP), with an MKI and a position */
		x.term[0].profile = IPC_RTP_SAVP;
		x.term[0].srtp_rx.suite = 1;
		x.term[0].srtp_rx.key_len = 30;
		x.term[0].srtp_rx.mki_len = 1;
		x.term[0].srtp_rx.mki = 7;
		x.term[0].srtp_tx.suite = 6;
		x.term[0].srtp_tx.key_len = 46;
		x.term[0].srtp_tx.nstreams = 2;
		x.term[0].srtp_tx.stream[0].roc = 2;
		x.term[0].srtp_tx.stream[0].ssrc = 0x11223344u;
		x.term[0].srtp_tx.stream[0].seq = 9;
		x.term[0].srtp_tx.stream[1].ssrc = 0x55667788u;
		x.term[0].srtp_tx.stream[1].seq = 3;
		x.term[0].srtp_tx.srtcp_index = 4;
		for (unsigned int i = 0; i < 46; i++) {
			if (i < 30)
				x.term[0].srtp_rx.key[i] = (uint8_t)(i + 1);
			x.term[0].srtp_tx.key[i] = (uint8_t)(0x80 + i);
		}
		start(&m, IPC_RTP_ADD, id, 0);
		memcpy(m.body, &x, sizeof(x));
		m.h.body_len = sizeof(x);
		put("rtp_add", &m);
		/* the UE's side a WebRTC client's: ICE-lite with a browser's
		 * credentials (Chromium's 4 and 24), the pair it nominated
		 * before a dp restart */
		{
			struct ipc_rtp_ctx xi = x;

			xi.term[0].ice.mode = IPC_RTP_ICE_LITE;
			xi.term[0].ice.ufrag_len = 8;
			memcpy(xi.term[0].ice.ufrag, "Ab3+/9zQ", 8);
			xi.term[0].ice.pwd_len = 24;
			memcpy(xi.term[0].ice.pwd, "0123456789abcdefABCDEF+/", 24);
			xi.term[0].ice.peer_ufrag_len = 4;
			memcpy(xi.term[0].ice.peer_ufrag, "wXyZ", 4);
			xi.term[0].ice.nominated = x.term[0].remote;
			xi.term[0].ice.nominated.port = 40123;
			memcpy(m.body, &xi, sizeof(xi));
			put("rtp_add_ice", &m);
		}
		/* and DTLS-SRTP on it (IPC v26): our server for a browser's
		 * ClientHello, its sha-256 fingerprint, keys to come; then a
		 * restarted dp's, with the association's keys */
		{
			struct ipc_rtp_ctx xd = x;
			struct ipc_rtp_term *t = &xd.term[1];

			memset(&t->srtp_rx, 0, sizeof(t->srtp_rx));
			memset(&t->srtp_tx, 0, sizeof(t->srtp_tx));
			t->profile = IPC_RTP_SAVPF;
			t->dtls.role = IPC_RTP_DTLS_SERVER;
			t->dtls.nfp = 1;
			t->dtls.profiles = IPC_RTP_DTLS_P_ALL;
			t->dtls.cert_gen = 1;
			t->dtls.assoc = 1;
			t->dtls.fp[0].alg = 2;
			t->dtls.fp[0].len = 32;
			for (unsigned int i = 0; i < 32; i++)
				t->dtls.fp[0].md[i] = (uint8_t)(0xc0 + i);
			memcpy(m.body, &xd, sizeof(xd));
			put("rtp_add_dtls", &m);
			t->dtls.flags = IPC_RTP_DTLS_F_KEYS;
			t->srtp_rx = x.term[0].srtp_rx;
			t->srtp_rx.mki_len = 0;
			t->srtp_rx.mki = 0;
			t->srtp_tx = x.term[0].srtp_rx;
			t->srtp_tx.mki_len = 0;
			t->srtp_tx.mki = 0;
			memcpy(m.body, &xd, sizeof(xd));
			put("rtp_add_dtls_keys", &m);
			/* BUNDLE (IPC v27): that browser's audio owns the
			 * group's transport (MID extension 1, mid "0", PCMU and
			 * opus); its video, another context of the worker's, a
			 * member (mid "1", VP8 and its rtx, two SSRCs, the
			 * suite and positions with no key octet) */
			t->bundle.role = IPC_RTP_BUNDLE_OWNER;
			t->bundle.mid_ext = 1;
			t->bundle.mid_len = 1;
			t->bundle.mid[0] = '0';
			t->bundle.nssrc = 1;
			t->bundle.ssrc[0] = 0x0a0b0c0du;
			t->bundle.pt[0] = 0x01;
			t->bundle.pt[111 / 8] = 1u << (111 % 8);
			memcpy(m.body, &xd, sizeof(xd));
			put("rtp_add_bundle_owner", &m);
			memset(&t->dtls, 0, sizeof(t->dtls));
			memset(&t->local, 0, sizeof(t->local));
			memset(&t->remote, 0, sizeof(t->remote));
			t->latch = 0;
			memset(t->srtp_rx.key, 0, sizeof(t->srtp_rx.key));
			memset(t->srtp_tx.key, 0, sizeof(t->srtp_tx.key));
			t->srtp_rx.nstreams = 1;
			t->srtp_rx.stream[0].ssrc = 0x01020304u;
			t->srtp_rx.stream[0].seq = 77;
			memset(&t->bundle, 0, sizeof(t->bundle));
			t->bundle.role = IPC_RTP_BUNDLE_MEMBER;
			t->bundle.owner = ipc_conn_make(0, 20, 3);
			t->bundle.owner_term = 1;
			t->bundle.mid_len = 1;
			t->bundle.mid[0] = '1';
			t->bundle.nssrc = 2;
			t->bundle.ssrc[0] = 0x01020304u;
			t->bundle.ssrc[1] = 0x05060708u;
			t->bundle.pt[96 / 8] = 1u << (96 % 8) | 1u << (97 % 8);
			memcpy(m.body, &xd, sizeof(xd));
			put("rtp_add_bundle_member", &m);
		}
		memset(&mo, 0, sizeof(mo));
		mo.op = IPC_RTP_MOD_TERM;
		mo.term = 1;
		mo.t = x.term[1];
		mo.t.mode = IPC_RTP_MODE_RECV;
		mo.t.latch = IPC_RTP_LATCH_STRICT | IPC_RTP_LATCH_SIGNALLED;
		start(&m, IPC_RTP_MOD, id, 0);
		memcpy(m.body, &mo, sizeof(mo));
		m.h.body_len = sizeof(mo);
		put("rtp_mod", &m);
		start(&m, IPC_RTP_DEL, id, 0);
		put("rtp_del", &m);
		start(&m, IPC_RTP_STATS_REQ, id, 0);
		memcpy(m.body, &rq, sizeof(rq));
		m.h.body_len = sizeof(rq);
		put("rtp_stats_req", &m);
		start(&m, IPC_RTP_TAP, id, 0);
		{
			struct ipc_rtp_tap tp = { .tap = { .on = 1, .ndest = 1, .correlation = 43 },
						  .term = 1 };

			memset(tp.tap.xid, 0x5b, sizeof(tp.tap.xid));
			tp.tap.dest[0].family = 4;
			tp.tap.dest[0].port = 7000;
			memcpy(m.body, &tp, sizeof(tp));
			m.h.body_len = sizeof(tp);
		}
		put("rtp_tap", &m);
		start(&m, IPC_RTP_TAP, id, 0);
		m.h.body_len = sizeof(struct ipc_rtp_tap);
		put("rtp_tap_off", &m);
		/* (an AGW context's id has the same shape: its TCP legs' tap) */
		start(&m, IPC_AGW_TAP, id, 0);
		{
			struct ipc_agw_tap tp = { .tap = { .on = 1, .ndest = 1, .correlation = 44 },
						  .leg = 1 };

			memset(tp.tap.xid, 0x5c, sizeof(tp.tap.xid));
			tp.tap.dest[0].family = 6;
			tp.tap.dest[0].port = 7002;
			memcpy(m.body, &tp, sizeof(tp));
			m.h.body_len = sizeof(tp);
		}
		put("agw_tap", &m);

		memset(&sm, 0, sizeof(sm));
		sm.req = 9;
		sm.found = 1;
		sm.st[0].rtp_in = 1500;
		sm.st[0].latched = IPC_RTP_LATCHED_RTP;
		sm.st[0].rtp_src = x.term[0].remote;
		start(&m, IPC_RTP_STATS, id, 0);
		memcpy(m.body, &sm, sizeof(sm));
		m.h.body_len = sizeof(sm);
		put("rtp_stats", &m);
		memset(&e, 0, sizeof(e));
		e.type = IPC_RTP_EV_LATCHED;
		e.serial = 1;
		e.addr = x.term[0].remote;
		e.addr.port = 40123;
		start(&m, IPC_RTP_EVENT, id, 0);
		memcpy(m.body, &e, sizeof(e));
		m.h.body_len = sizeof(e);
		put("rtp_event_latched", &m);
		e.type = IPC_RTP_EV_NOMINATED;
		e.st[0].ice = IPC_RTP_ICE_ON;
		e.st[0].ice_checks = 3;
		e.st[0].ice_consent_ms = 1000;
		memcpy(m.body, &e, sizeof(e));
		put("rtp_event_nominated", &m);
		e.type = IPC_RTP_EV_CONSENT_LOST;
		e.silent_ms = 30000;
		e.st[0].ice |= IPC_RTP_ICE_LOST;
		memcpy(m.body, &e, sizeof(e));
		put("rtp_event_consent_lost", &m);
		memset(&e, 0, sizeof(e));
		e.type = IPC_RTP_EV_SSRC_CLASH;
		e.serial = 1;
		e.ssrc = 0x5eed5eedu;
		e.count = 3;
		memcpy(m.body, &e, sizeof(e));
		put("rtp_event_ssrc_clash", &m);
		memset(&e, 0, sizeof(e));
		e.type = IPC_RTP_EV_RELEASED;
		e.term = IPC_RTP_TERM_NONE;
		e.cause = IPC_AGW_CONTROLLER;
		e.st[0] = sm.st[0];
		memcpy(m.body, &e, sizeof(e));
		put("rtp_event_released", &m);
		memset(&st, 0, sizeof(st));
		st.ctx = x;
		st.st[0] = sm.st[0];
		start(&m, IPC_RTP_STATE, id, 0);
		memcpy(m.body, &st, sizeof(st));
		m.h.body_len = sizeof(st);
		put("rtp_state", &m);
	}
	/* DTLS-SRTP's outcome and dp's certificate (IPC v26) */
	{
		struct ipc_rtp_dtls_ev e;
		struct ipc_dtls_cert c;
		uint64_t id = ipc_conn_make(0, 21, 3);

		memset(&e, 0, sizeof(e));
		e.term = 1;
		e.state = IPC_RTP_DTLS_UP;
		e.role = IPC_RTP_DTLS_SERVER;
		e.attempts = 1;
		e.serial = 1;
		e.version = 0xfefd;
		e.profile = 1;
		e.assoc = 1;
		e.at_ms = 5000;
		e.peer.family = 4;
		e.peer.port = 50312;
		e.peer.ip[0] = 198;
		e.peer.ip[1] = 51;
		e.peer.ip[2] = 100;
		e.peer.ip[3] = 7;
		e.seen.alg = 2;
		e.seen.len = 32;
		for (unsigned int i = 0; i < 32; i++)
			e.seen.md[i] = (uint8_t)(0xc0 + i);
		e.rx.suite = e.tx.suite = 1;
		e.rx.key_len = e.tx.key_len = 30;
		for (unsigned int i = 0; i < 30; i++) {
			e.rx.key[i] = (uint8_t)(i + 1);
			e.tx.key[i] = (uint8_t)(0x80 + i);
		}
		snprintf(e.cipher, sizeof(e.cipher), "ECDHE-ECDSA-AES128-GCM-SHA256");
		start(&m, IPC_RTP_DTLS, id, 0);
		memcpy(m.body, &e, sizeof(e));
		m.h.body_len = sizeof(e);
		put("rtp_dtls_up", &m);
		memset(&e.rx, 0, sizeof(e.rx));
		memset(&e.tx, 0, sizeof(e.tx));
		e.state = IPC_RTP_DTLS_FAILED;
		e.why = 1;
		e.matched = -1;
		e.detail_len = (uint16_t)snprintf(e.detail, sizeof(e.detail),
						  "fingerprint_mismatch: none of the 1 signalled");
		memcpy(m.body, &e, sizeof(e));
		put("rtp_dtls_failed", &m);
		memset(&c, 0, sizeof(c));
		c.gen = 1;
		c.nfp = 2;
		c.not_after = 1900000000u;
		c.fp[0] = e.seen;
		c.fp[1].alg = 1;
		c.fp[1].len = 20;
		start(&m, IPC_DTLS_CERT, 0, 0);
		memcpy(m.body, &c, sizeof(c));
		m.h.body_len = sizeof(c);
		put("dtls_cert", &m);
	}
	return 0;
}
