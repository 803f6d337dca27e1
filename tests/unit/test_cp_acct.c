/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/acct's record and file (acct_record.c, acct.c): a record's line is
 * one JSON object that json-c reads back field for field (a username with
 * quotes, backslashes and control bytes included), times in RFC 3339 UTC,
 * ids UUIDs v4; the file takes whole lines, a full disk (/dev/full) or a
 * missing folder is an error counted (write_errors, records_lost) and the
 * next record is tried again, a reopen follows a rotation, and the
 * retention removes the rotated copies past it and nothing else. A link
 * or a hard link planted where one of acct's files is expected (to a
 * stand-in for /etc/shadow) is refused and the file it names untouched;
 * a FIFO, a file of another's or writable by others is refused; files are
 * made as cp.user's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "acct/acct.h"
#include "tp_conf_types.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tp-acct.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The writer, its files the test's own (as cp's without cp.user). */
static char create_err[512];

static struct cp_acct *
create(const struct tp_conf_acct *c)
{
	create_err[0] = '\0';
	return cp_acct_create(c, (uint32_t)geteuid(), (uint32_t)getegid(), create_err,
			      sizeof(create_err));
}

static void
addr4(struct ipc_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->ip[0] = b0, a->ip[1] = b1, a->ip[2] = b2, a->ip[3] = b3;
	a->port = port;
}

static void
udp_rec(struct cp_acct_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->type = CP_ACCT_STOP;
	r->kind = CP_ACCT_TURN;
	r->transport = CP_ACCT_UDP;
	r->has_pkts = true;
	r->exact = true;
	r->reason = CP_ACCT_R_CLIENT;
	r->session = 42;
	snprintf(r->id, sizeof(r->id), "0f0e0d0c-0b0a-4908-8706-050403020100");
	snprintf(r->user, sizeof(r->user), "alice");
	addr4(&r->client, 10, 210, 0, 2, 40000);
	addr4(&r->server, 10, 210, 0, 1, 3478);
	r->nrelayed = 2;
	addr4(&r->relayed[0], 10, 211, 0, 1, 50002);
	memset(&r->relayed[1], 0, sizeof(r->relayed[1]));
	r->relayed[1].family = 6;
	r->relayed[1].ip[0] = 0xfd;
	r->relayed[1].ip[15] = 1;
	r->relayed[1].port = 50002;
	r->start_ms = 1764262343123ull;           /* 2025-11-27T16:52:23.123Z */
	r->end_ms = r->start_ms + 61500;
	r->bytes_from_client = 2500;
	r->bytes_to_client = 2400;
	r->pkts_from_client = 25;
	r->pkts_to_client = 24;
	r->npeers = 1;
	addr4(&r->peers[0], 10, 211, 0, 2, 0);
}

static struct json_object *
parse_line(const char *line, int n)
{
	struct json_object *o;

	assert_true(n > 0);
	assert_int_equal(line[n - 1], '\n');
	assert_null(memchr(line, '\n', (size_t)n - 1));   /* one line */
	o = json_tokener_parse(line);
	assert_non_null(o);
	return o;
}

static const char *
str(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_string(v);
}

static int64_t
num(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_int64(v);
}

/* Every field of a UDP stop record, as json-c reads it back. */
static void
test_acct_format_udp_stop_reads_back(void **state)
{
	static char line[CP_ACCT_LINE_MAX];
	struct cp_acct_rec r;
	struct json_object *o, *v, *cl;
	int n;

	(void)state;
	udp_rec(&r);
	n = cp_acct_format(&r, line, sizeof(line));
	o = parse_line(line, n);
	assert_string_equal(str(o, "id"), r.id);
	assert_string_equal(str(o, "type"), "stop");
	assert_string_equal(str(o, "kind"), "turn");
	assert_string_equal(str(o, "session"), "42");
	assert_string_equal(str(o, "tenant"), "default");
	assert_string_equal(str(o, "user"), "alice");
	assert_string_equal(str(o, "start"), "2025-11-27T16:52:23.123Z");
	assert_string_equal(str(o, "end"), "2025-11-27T16:53:24.623Z");
	assert_true(json_object_object_get_ex(o, "duration", &v));
	assert_true(json_object_get_double(v) == 61.5);
	assert_true(json_object_object_get_ex(o, "client", &cl));
	assert_string_equal(str(cl, "address"), "10.210.0.2");
	assert_int_equal(num(cl, "port"), 40000);
	assert_string_equal(str(cl, "transport"), "udp");
	assert_string_equal(str(o, "server"), "10.210.0.1:3478");
	assert_true(json_object_object_get_ex(o, "relayed", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)),
			    "10.211.0.1:50002");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 1)),
			    "[fd00::1]:50002");
	assert_string_equal(str(o, "relayed_transport"), "udp");
	assert_int_equal(num(o, "bytes_from_client"), 2500);
	assert_int_equal(num(o, "bytes_to_client"), 2400);
	assert_int_equal(num(o, "packets_from_client"), 25);
	assert_int_equal(num(o, "packets_to_client"), 24);
	assert_true(json_object_object_get_ex(o, "peers", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)),
			    "10.211.0.2");
	assert_string_equal(str(o, "reason"), "client_deleted");
	assert_true(json_object_object_get_ex(o, "exact", &v));
	assert_true(json_object_get_boolean(v));
	json_object_put(o);
}

/* An interim record has its time, no end, reason or exact; an RFC 6062
 * one no packets; an AGW one its two legs and the cause. */
static void
test_acct_format_interim_tcp_relay_and_agw(void **state)
{
	static char line[CP_ACCT_LINE_MAX];
	struct cp_acct_rec r;
	struct json_object *o, *v, *leg, *cl;
	int n;

	(void)state;
	udp_rec(&r);
	r.type = CP_ACCT_INTERIM;
	r.relay_tcp = true;
	r.has_pkts = false;
	r.transport = CP_ACCT_TLS;
	o = parse_line(line, n = cp_acct_format(&r, line, sizeof(line)));
	assert_string_equal(str(o, "type"), "interim");
	assert_string_equal(str(o, "time"), "2025-11-27T16:53:24.623Z");
	assert_false(json_object_object_get_ex(o, "end", NULL));
	assert_false(json_object_object_get_ex(o, "reason", NULL));
	assert_false(json_object_object_get_ex(o, "exact", NULL));
	assert_false(json_object_object_get_ex(o, "packets_from_client", NULL));
	assert_string_equal(str(o, "relayed_transport"), "tcp");
	json_object_put(o);
	/* a client over DTLS (RFC 7350) */
	udp_rec(&r);
	r.transport = CP_ACCT_DTLS;
	o = parse_line(line, n = cp_acct_format(&r, line, sizeof(line)));
	assert_true(json_object_object_get_ex(o, "client", &cl));
	assert_string_equal(str(cl, "transport"), "dtls");
	assert_string_equal(str(o, "relayed_transport"), "udp");
	json_object_put(o);

	memset(&r, 0, sizeof(r));
	r.type = CP_ACCT_STOP;
	r.kind = CP_ACCT_AGW;
	r.reason = CP_ACCT_R_AGW;
	r.session = 7;
	snprintf(r.cause, sizeof(r.cause), "released");
	addr4(&r.leg_local[0], 10, 210, 0, 1, 20000);
	addr4(&r.leg_remote[0], 10, 210, 0, 2, 30000);
	addr4(&r.leg_local[1], 10, 211, 0, 1, 20001);
	addr4(&r.leg_remote[1], 10, 211, 0, 2, 30001);
	r.leg_tls[1] = 13;
	r.leg_in[0] = 11, r.leg_out[0] = 22, r.leg_in[1] = 22, r.leg_out[1] = 11;
	r.bytes_from_client = 11, r.bytes_to_client = 22;
	o = parse_line(line, n = cp_acct_format(&r, line, sizeof(line)));
	assert_string_equal(str(o, "kind"), "agw");
	assert_string_equal(str(o, "reason"), "released");
	assert_true(json_object_object_get_ex(o, "legs", &v));
	assert_int_equal(json_object_array_length(v), 2);
	leg = json_object_array_get_idx(v, 1);
	assert_string_equal(str(leg, "transport"), "tls");
	assert_string_equal(str(leg, "remote"), "10.211.0.2:30001");
	assert_int_equal(num(leg, "bytes_in"), 22);
	assert_false(json_object_object_get_ex(o, "client", NULL));
	assert_string_equal(str(o, "door"), "api");
	json_object_put(o);
	/* each door by its name (cp_agw_door_name()), not "api" for all but Iq */
	r.door = CP_AGW_DOOR_NG;
	o = parse_line(line, n = cp_acct_format(&r, line, sizeof(line)));
	assert_string_equal(str(o, "door"), "ng");
	json_object_put(o);
}

/* An RTP context's figures as dp gave them: n packets of 172 octets each
 * way, some RTCP, drops of each kind, the SRTP failures. */
static void
rtp_stats(struct ipc_rtp_stats *s, uint16_t serial, uint64_t n, unsigned int k)
{
	memset(s, 0, sizeof(*s));
	s->serial = serial;
	s->rtp_in = n, s->rtp_in_octets = n * 172;
	s->rtp_out = n + 1, s->rtp_out_octets = (n + 1) * 172;
	s->rtcp_in = 2, s->rtcp_in_octets = 2 * 52;
	s->rtcp_out = 3, s->rtcp_out_octets = 3 * 52;
	s->lost = 4 + k, s->expected = n + 4;
	s->jitter = 80, s->jitter_us = 10000 + k;
	s->drop_stranger = 7 + k, s->drop_malformed = 1, s->drop_policed = 2, s->drop_mode = 3;
	s->drop_no_dest = 5, s->srtp_fail = 6 + k;
	s->srtp_rx.nstreams = 1, s->srtp_rx.stream[0].roc = 1, s->srtp_rx.stream[0].ssrc = 0x1234;
}

static struct json_object *
rtp_line(char *line, const struct cp_agw_ctx *c, const struct ipc_rtp_event *e)
{
	struct cp_acct_rec r;

	assert_true(cp_acct_rtp_rec(&r, c, NULL, e, "acme", 1764262404623ull));
	return parse_line(line, cp_acct_format(&r, line, CP_ACCT_LINE_MAX));
}

/* An RTP context's record (its RELEASED): door, tenant, label, start and
 * end, each termination's profile, local address, latched (else the
 * signalled) remote, octets and packets both ways, RTCP, lost, jitter,
 * SRTP failures, drops, the cause; leg 0's as the client's; never a key.
 * A termination subtracted while the context lived on gets a record of
 * its own (SUBTRACTED, its slot empty by then), and the RELEASED after
 * it names only what was left; other events make none. */
static void
test_acct_rtp_records(void **state)
{
	static char line[CP_ACCT_LINE_MAX];
	static struct cp_agw_ctx c;
	static struct ipc_rtp_event e;
	struct cp_acct_rec r;
	struct json_object *o, *legs, *l, *d;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.id = 0x80000001ull << 32 | 5;
	c.state = CP_AGW_LIVE;
	c.door = CP_AGW_DOOR_IQ;
	c.created_wall_ms = 1764262343123ull;
	snprintf(c.label, sizeof(c.label), "call-1");
	c.rtp.term[0].profile = IPC_RTP_SAVP;
	c.rtp.term[0].serial = 1;
	c.rtp.term[0].flags = IPC_RTP_F_MUX;
	c.rtp.term[0].latch = IPC_RTP_LATCH_RELATCH;
	addr4(&c.rtp.term[0].local, 10, 210, 0, 1, 40000);
	addr4(&c.rtp.term[0].remote, 10, 210, 0, 2, 5004);
	c.rtp.term[0].srtp_rx.suite = 1, c.rtp.term[0].srtp_rx.key_len = 30;
	memset(c.rtp.term[0].srtp_rx.key, 0xa5, 30);
	c.rtp.term[0].srtp_tx = c.rtp.term[0].srtp_rx;
	memset(c.rtp.term[0].srtp_tx.key, 0x5a, 30);
	c.rtp.term[1].profile = IPC_RTP_AVP;
	c.rtp.term[1].serial = 2;
	c.rtp.term[1].rtcp_port = 40003;
	addr4(&c.rtp.term[1].local, 10, 211, 0, 1, 40002);
	addr4(&c.rtp.term[1].remote, 10, 211, 0, 2, 6004);
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_RELEASED;
	e.term = IPC_RTP_TERM_NONE;
	e.cause = IPC_AGW_CONTROLLER;
	rtp_stats(&e.st[0], 1, 200, 0);
	e.st[0].latched = IPC_RTP_LATCHED_RTP;
	addr4(&e.st[0].rtp_src, 10, 210, 0, 2, 5104);
	rtp_stats(&e.st[1], 2, 300, 1);

	o = rtp_line(line, &c, &e);
	/* no key, in any form */
	assert_null(strstr(line, "key"));
	assert_null(strstr(line, "crypto"));
	assert_string_equal(str(o, "type"), "stop");
	assert_string_equal(str(o, "kind"), "agw");
	assert_string_equal(str(o, "media"), "rtp");
	assert_string_equal(str(o, "scope"), "context");
	assert_string_equal(str(o, "door"), "iq");
	assert_string_equal(str(o, "tenant"), "acme");
	assert_string_equal(str(o, "user"), "call-1");
	assert_string_equal(str(o, "session"), "9223372041149743109");
	assert_string_equal(str(o, "start"), "2025-11-27T16:52:23.123Z");
	assert_string_equal(str(o, "end"), "2025-11-27T16:53:24.623Z");
	assert_string_equal(str(o, "duration"), "61.500");
	assert_string_equal(str(o, "reason"), "controller");
	assert_true(json_object_get_boolean(json_object_object_get(o, "exact")));
	assert_int_equal(num(o, "bytes_from_client"), 200 * 172 + 2 * 52);
	assert_int_equal(num(o, "bytes_to_client"), 201 * 172 + 3 * 52);
	assert_int_equal(num(o, "packets_from_client"), 202);
	assert_int_equal(num(o, "packets_to_client"), 204);
	assert_true(json_object_object_get_ex(o, "legs", &legs));
	assert_int_equal(json_object_array_length(legs), 2);
	l = json_object_array_get_idx(legs, 0);
	assert_int_equal(num(l, "leg"), 0);
	assert_string_equal(str(l, "profile"), "RTP/SAVP");
	assert_string_equal(str(l, "secured"), "sdes");
	assert_false(json_object_object_get_ex(l, "srtp_profile", NULL));
	assert_string_equal(str(l, "local"), "10.210.0.1:40000");
	assert_true(json_object_get_boolean(json_object_object_get(l, "rtcp_mux")));
	assert_false(json_object_object_get_ex(l, "rtcp_port", NULL));
	assert_string_equal(str(l, "remote"), "10.210.0.2:5104");      /* latched */
	assert_true(json_object_get_boolean(json_object_object_get(l, "latched")));
	assert_string_equal(str(l, "transport"), "udp");
	assert_int_equal(num(l, "bytes_in"), 200 * 172 + 2 * 52);
	assert_int_equal(num(l, "bytes_out"), 201 * 172 + 3 * 52);
	assert_int_equal(num(l, "packets_in"), 202);
	assert_int_equal(num(l, "packets_out"), 204);
	assert_int_equal(num(l, "rtcp_packets_in"), 2);
	assert_int_equal(num(l, "rtcp_packets_out"), 3);
	assert_int_equal(num(l, "lost"), 4);
	assert_int_equal(num(l, "jitter_us"), 10000);
	assert_int_equal(num(l, "srtp_failures"), 6);
	assert_true(json_object_object_get_ex(l, "drops", &d));
	assert_int_equal(num(d, "stranger"), 7);
	assert_int_equal(num(d, "malformed"), 1);
	assert_int_equal(num(d, "policed"), 2);
	assert_int_equal(num(d, "mode"), 3);
	assert_int_equal(num(d, "no_dest"), 5);
	l = json_object_array_get_idx(legs, 1);
	assert_string_equal(str(l, "profile"), "RTP/AVP");
	assert_string_equal(str(l, "secured"), "none");
	assert_string_equal(str(l, "local"), "10.211.0.1:40002");
	assert_int_equal(num(l, "rtcp_port"), 40003);
	assert_string_equal(str(l, "remote"), "10.211.0.2:6004");      /* signalled */
	assert_false(json_object_get_boolean(json_object_object_get(l, "latched")));
	assert_int_equal(num(l, "packets_in"), 302);
	assert_int_equal(num(l, "lost"), 5);
	assert_int_equal(num(l, "srtp_failures"), 7);
	json_object_put(o);

	/* the UE's termination subtracted (its slot emptied at once, as
	 * cp/agw does: c->rtp.gone[0] describes it), the context living on */
	c.rtp.gone[0].serial = 1;
	c.rtp.gone[0].profile = IPC_RTP_SAVP;
	c.rtp.gone[0].flags = c.rtp.term[0].flags;
	c.rtp.gone[0].local = c.rtp.term[0].local;
	c.rtp.gone[0].remote = c.rtp.term[0].remote;
	memset(&c.rtp.term[0], 0, sizeof(c.rtp.term[0]));
	e.type = IPC_RTP_EV_SUBTRACTED;
	e.term = 0;
	e.serial = 1;
	o = rtp_line(line, &c, &e);
	assert_string_equal(str(o, "scope"), "termination");
	assert_string_equal(str(o, "reason"), "controller");
	assert_true(json_object_object_get_ex(o, "legs", &legs));
	assert_int_equal(json_object_array_length(legs), 1);
	l = json_object_array_get_idx(legs, 0);
	assert_int_equal(num(l, "leg"), 0);
	assert_int_equal(num(l, "serial"), 1);
	assert_string_equal(str(l, "profile"), "RTP/SAVP");
	assert_string_equal(str(l, "local"), "10.210.0.1:40000");
	assert_string_equal(str(l, "remote"), "10.210.0.2:5104");
	assert_int_equal(num(l, "packets_in"), 202);
	assert_int_equal(num(o, "packets_from_client"), 202);
	json_object_put(o);
	/* ... one keyed by DTLS-SRTP says so, with its profile (never a key) */
	c.rtp.gone[0].dtls_profile = 0x0001;
	o = rtp_line(line, &c, &e);
	assert_null(strstr(line, "key"));
	l = json_object_array_get_idx(json_object_object_get(o, "legs"), 0);
	assert_string_equal(str(l, "secured"), "dtls-srtp");
	assert_string_equal(str(l, "srtp_profile"), "SRTP_AES128_CM_SHA1_80");
	json_object_put(o);
	c.rtp.gone[0].dtls_profile = CP_AGW_RTP_DTLS_NO_PROFILE;
	o = rtp_line(line, &c, &e);
	l = json_object_array_get_idx(json_object_object_get(o, "legs"), 0);
	assert_string_equal(str(l, "secured"), "dtls-srtp");
	assert_true(json_object_object_get_ex(l, "srtp_profile", &d) && d == NULL);
	json_object_put(o);
	c.rtp.gone[0].dtls_profile = 0;

	/* then the context's end (its SUBTRACTED heard: cp/agw clears the
	 * serial): the core's termination only, the UE's not twice */
	c.rtp.gone[0].serial = 0;
	memset(&e.st[0], 0, sizeof(e.st[0]));
	e.type = IPC_RTP_EV_RELEASED;
	e.term = IPC_RTP_TERM_NONE;
	e.serial = 0;
	o = rtp_line(line, &c, &e);
	assert_string_equal(str(o, "scope"), "context");
	assert_true(json_object_object_get_ex(o, "legs", &legs));
	assert_int_equal(json_object_array_length(legs), 1);
	assert_int_equal(num(json_object_array_get_idx(legs, 0), "leg"), 1);
	assert_int_equal(num(o, "bytes_from_client"), 0);
	json_object_put(o);

	/* a termination subtracted whose SUBTRACTED never came (dp
	 * restarted): the RELEASED's figures of it are in the context's */
	c.rtp.gone[0].serial = 1;
	rtp_stats(&e.st[0], 1, 200, 0);
	o = rtp_line(line, &c, &e);
	assert_true(json_object_object_get_ex(o, "legs", &legs));
	assert_int_equal(json_object_array_length(legs), 2);
	assert_string_equal(str(json_object_array_get_idx(legs, 0), "local"), "10.210.0.1:40000");
	json_object_put(o);

	/* a context the ng door made says so */
	c.door = CP_AGW_DOOR_NG;
	o = rtp_line(line, &c, &e);
	assert_string_equal(str(o, "door"), "ng");
	json_object_put(o);

	/* a latch or an inactivity makes no record */
	e.type = IPC_RTP_EV_LATCHED;
	assert_false(cp_acct_rtp_rec(&r, &c, NULL, &e, "acme", 1));
	e.type = IPC_RTP_EV_INACTIVE;
	assert_false(cp_acct_rtp_rec(&r, &c, NULL, &e, "acme", 1));
}

/* A username is the client's: quotes, backslashes and control bytes are
 * escaped, and it reads back as it was. */

/* A BUNDLE member's record (RFC 9143: a browser's video on its audio's
 * transport): its leg has no port, ICE or DTLS of its own, so its
 * transport and how it was secured are its owner termination's, DTLS-SRTP
 * with the owner's profile (before: "sdes", no local, no remote); its
 * figures its own. Without its owner (gone) nothing is made up. */
static void
test_acct_rtp_bundle_member(void **state)
{
	static char line[CP_ACCT_LINE_MAX];
	static struct cp_agw_ctx c, own;
	static struct ipc_rtp_event e;
	struct cp_acct_rec r;
	struct json_object *o, *l;

	(void)state;
	memset(&own, 0, sizeof(own));
	own.id = 0x80000001ull << 32 | 7;
	own.rtp.term[0].profile = IPC_RTP_SAVPF;
	own.rtp.term[0].bundle.role = IPC_RTP_BUNDLE_OWNER;
	own.rtp.term[0].dtls.role = IPC_RTP_DTLS_CLIENT;
	own.rtp.dtls[0].profile = 0x0001;
	addr4(&own.rtp.term[0].local, 10, 210, 0, 1, 40000);
	addr4(&own.rtp.term[0].remote, 10, 210, 0, 2, 5004);
	own.rtp.st[0].latched = IPC_RTP_LATCHED_RTP;
	addr4(&own.rtp.st[0].rtp_src, 10, 210, 0, 2, 5104);
	memset(&c, 0, sizeof(c));
	c.id = 0x80000001ull << 32 | 8;
	c.door = CP_AGW_DOOR_NG;
	snprintf(c.label, sizeof(c.label), "call-b");
	c.rtp.term[0].profile = IPC_RTP_SAVPF;
	c.rtp.term[0].serial = 1;
	c.rtp.term[0].flags = IPC_RTP_F_MUX;
	c.rtp.term[0].bundle.role = IPC_RTP_BUNDLE_MEMBER;
	c.rtp.term[0].bundle.owner = own.id;
	c.rtp.term[1].profile = IPC_RTP_AVP;
	c.rtp.term[1].serial = 2;
	addr4(&c.rtp.term[1].local, 10, 211, 0, 1, 40002);
	addr4(&c.rtp.term[1].remote, 10, 211, 0, 2, 6006);
	memset(&e, 0, sizeof(e));
	e.type = IPC_RTP_EV_RELEASED;
	e.term = IPC_RTP_TERM_NONE;
	e.cause = IPC_AGW_CONTROLLER;
	rtp_stats(&e.st[0], 1, 400, 0);
	rtp_stats(&e.st[1], 2, 300, 1);

	assert_true(cp_acct_rtp_rec(&r, &c, &own, &e, "acme", 1764262404623ull));
	o = parse_line(line, cp_acct_format(&r, line, sizeof(line)));
	l = json_object_array_get_idx(json_object_object_get(o, "legs"), 0);
	assert_string_equal(str(l, "profile"), "RTP/SAVPF");
	assert_string_equal(str(l, "secured"), "dtls-srtp");
	assert_string_equal(str(l, "srtp_profile"), "SRTP_AES128_CM_SHA1_80");
	assert_string_equal(str(l, "local"), "10.210.0.1:40000");
	assert_string_equal(str(l, "remote"), "10.210.0.2:5104");
	assert_int_equal(num(l, "packets_in"), 402);
	l = json_object_array_get_idx(json_object_object_get(o, "legs"), 1);
	assert_string_equal(str(l, "secured"), "none");
	assert_string_equal(str(l, "local"), "10.211.0.1:40002");
	json_object_put(o);
	/* another context than its owner, or none: the member's own (no
	 * transport to name) */
	own.id++;
	assert_true(cp_acct_rtp_rec(&r, &c, &own, &e, "acme", 1764262404623ull));
	o = parse_line(line, cp_acct_format(&r, line, sizeof(line)));
	l = json_object_array_get_idx(json_object_object_get(o, "legs"), 0);
	assert_string_not_equal(str(l, "secured"), "dtls-srtp");
	json_object_put(o);
	assert_true(cp_acct_rtp_rec(&r, &c, NULL, &e, "acme", 1764262404623ull));
	o = parse_line(line, cp_acct_format(&r, line, sizeof(line)));
	l = json_object_array_get_idx(json_object_object_get(o, "legs"), 0);
	assert_string_not_equal(str(l, "secured"), "dtls-srtp");
	json_object_put(o);
}

static void
test_acct_format_escapes_the_username(void **state)
{
	static char line[CP_ACCT_LINE_MAX];
	static const char nasty[] = "a\"b\\c\nd\x01" "e\x7f" "\xc3\xa9";
	struct cp_acct_rec r;
	struct json_object *o;

	(void)state;
	udp_rec(&r);
	snprintf(r.user, sizeof(r.user), "%s", nasty);
	o = parse_line(line, cp_acct_format(&r, line, sizeof(line)));
	assert_string_equal(str(o, "user"), nasty);
	json_object_put(o);
	/* bytes that are not UTF-8 (a lone continuation, an overlong form,
	 * a surrogate, a sequence cut short, past U+10FFFF) are written as
	 * \u00XX: the line is still JSON; 4-byte UTF-8 goes as it is */
	snprintf(r.user, sizeof(r.user), "x\x80y\xc0\xafz\xed\xa0\x80w\xe2\x82v\xf4\x90\x80\x80"
		 "\xf0\x9f\x98\x80");
	{
		int n = cp_acct_format(&r, line, sizeof(line));

		assert_true(n > 0);
		assert_non_null(strstr(line, "\"user\":\"x\\u0080y\\u00c0\\u00afz\\u00ed\\u00a0"
					     "\\u0080w\\u00e2\\u0082v\\u00f4\\u0090\\u0080\\u0080"
					     "\xf0\x9f\x98\x80\""));
		o = parse_line(line, n);
		json_object_put(o);
	}
}

/* A buffer too short says so rather than cutting the line. */
static void
test_acct_format_short_buffer_is_enospc(void **state)
{
	char line[64];
	struct cp_acct_rec r;

	(void)state;
	udp_rec(&r);
	assert_int_equal(cp_acct_format(&r, line, sizeof(line)), -ENOSPC);
	assert_int_equal(cp_acct_format(&r, line, 0), -ENOSPC);
}

static void
test_acct_uuid_is_v4_and_unique(void **state)
{
	char a[37], b[37];

	(void)state;
	assert_int_equal(cp_acct_uuid(a), 0);
	assert_int_equal(cp_acct_uuid(b), 0);
	assert_int_equal(strlen(a), 36);
	assert_true(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
	assert_string_not_equal(a, b);
}

static unsigned int
lines_of(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned int n = 0;
	int ch;

	if (f == NULL)
		return 0;
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

/* Records go in whole lines with ids of their own; after a rotation a
 * reopen makes the file anew. */
static void
test_acct_write_appends_and_reopens_after_rotation(void **state)
{
	struct tp_conf_acct c = { .enabled = true, .interim_s = 0, .retention_days = 0 };
	struct cp_acct *acct;
	struct cp_acct_rec r;
	char moved[sizeof(c.file) + 8];

	(void)state;
	snprintf(c.file, sizeof(c.file), "%s/usage.jsonl", dir);
	acct = create(&c);
	assert_non_null(acct);
	udp_rec(&r);
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(lines_of(c.file), 2);
	assert_int_equal(acct->stats[CP_ACCT_STAT_RECORDS], 2);
	snprintf(moved, sizeof(moved), "%s.1", c.file);
	assert_int_equal(rename(c.file, moved), 0);
	assert_int_equal(cp_acct_reopen(acct, &c), 0);
	r.type = CP_ACCT_INTERIM;
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(lines_of(c.file), 1);
	assert_int_equal(lines_of(moved), 2);
	assert_int_equal(acct->stats[CP_ACCT_STAT_INTERIM], 1);
	assert_int_equal(acct->stats[CP_ACCT_STAT_WRITE_ERRORS], 0);
	cp_acct_free(acct);
}

/* A full disk and a folder that is not there: each record is an error,
 * counted, nothing stops; a reopen onto a good file writes again. */
static void
test_acct_write_errors_are_counted_and_survived(void **state)
{
	struct tp_conf_acct c = { .enabled = true };
	struct cp_acct *acct;
	struct cp_acct_rec r;

	(void)state;
	udp_rec(&r);
	snprintf(c.file, sizeof(c.file), "/dev/full");
	acct = create(&c);
	assert_non_null(acct);
	assert_int_equal(cp_acct_write(acct, &r), -ENOSPC);
	assert_int_equal(cp_acct_write(acct, &r), -ENOSPC);
	assert_int_equal(acct->stats[CP_ACCT_STAT_WRITE_ERRORS], 2);
	assert_int_equal(acct->stats[CP_ACCT_STAT_LOST], 2);
	snprintf(c.file, sizeof(c.file), "%s/no/such/folder/u.jsonl", dir);
	assert_int_equal(cp_acct_reopen(acct, &c), -ENOENT);
	assert_int_equal(cp_acct_write(acct, &r), -ENOENT);
	assert_int_equal(acct->stats[CP_ACCT_STAT_LOST], 3);
	snprintf(c.file, sizeof(c.file), "%s/good.jsonl", dir);
	assert_int_equal(cp_acct_reopen(acct, &c), 0);
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(lines_of(c.file), 1);
	assert_int_equal(acct->stats[CP_ACCT_STAT_RECORDS], 1);
	cp_acct_free(acct);
}

static void
touch_aged(const char *path, unsigned int days)
{
	struct timeval tv[2];
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fclose(f);
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= (time_t)days * 86400;
	tv[1] = tv[0];
	assert_int_equal(utimes(path, tv), 0);
}

/* Retention: FILE.x and FILE-x older than it go; newer ones, FILE itself
 * (however old) and other names stay; 0 keeps everything. */
static void
test_acct_prune_removes_old_rotated_files_only(void **state)
{
	struct tp_conf_acct c = { .enabled = true, .retention_days = 30 };
	static const char *const gone[] = { "u.jsonl.1", "u.jsonl.2.gz", "u.jsonl-20250101" };
	static const char *const kept[] = { "u.jsonl.0", "other.1", "u.jsonlx" };
	struct cp_acct *acct;
	char p[256];

	(void)state;
	snprintf(c.file, sizeof(c.file), "%s/u.jsonl", dir);
	acct = create(&c);
	assert_non_null(acct);
	touch_aged(c.file, 100);
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, gone[i]);
		touch_aged(p, 31);
	}
	snprintf(p, sizeof(p), "%s/%s", dir, kept[0]);
	touch_aged(p, 29);
	snprintf(p, sizeof(p), "%s/%s", dir, kept[1]);
	touch_aged(p, 100);
	snprintf(p, sizeof(p), "%s/%s", dir, kept[2]);
	touch_aged(p, 100);
	acct->retention_days = 0;
	assert_int_equal(cp_acct_prune(acct, time(NULL)), 0);
	acct->retention_days = 30;
	assert_int_equal(cp_acct_prune(acct, time(NULL)), 3);
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, gone[i]);
		assert_int_not_equal(access(p, F_OK), 0);
		snprintf(p, sizeof(p), "%s/%s", dir, kept[i]);
		assert_int_equal(access(p, F_OK), 0);
	}
	assert_int_equal(access(c.file, F_OK), 0);
	assert_int_equal(acct->stats[CP_ACCT_STAT_PRUNED], 3);
	cp_acct_free(acct);
}

/* session numbers of the records in path, in order */
static unsigned int
sessions_of(const char *path, uint64_t *out, unsigned int max)
{
	static char line[CP_ACCT_LINE_MAX];
	FILE *f = fopen(path, "r");
	unsigned int n = 0;

	if (f == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		struct json_object *o = json_tokener_parse(line);

		assert_non_null(o);
		out[n++] = strtoull(str(o, "session"), NULL, 10);
		json_object_put(o);
	}
	fclose(f);
	return n;
}

/* The file cannot take records (a full disk): they wait in the spool,
 * counted, none lost; once the file takes them again (a reload) they go
 * in first, in order, then the next one. */
static void
test_acct_spool_keeps_and_replays_in_order(void **state)
{
	struct tp_conf_acct c = { .enabled = true, .spool_max_mb = 1 };
	char spool[300];
	uint64_t s[8];
	struct cp_acct *acct;
	struct cp_acct_rec r;
	struct stat st;

	(void)state;
	snprintf(c.file, sizeof(c.file), "/dev/full");
	snprintf(c.spool, sizeof(c.spool), "%s", dir);
	snprintf(spool, sizeof(spool), "%s/usage.spool", dir);
	acct = create(&c);
	assert_non_null(acct);
	udp_rec(&r);
	for (unsigned int i = 1; i <= 3; i++) {
		r.session = i;
		assert_int_equal(cp_acct_write(acct, &r), 0);
	}
	assert_int_equal(acct->stats[CP_ACCT_STAT_WRITE_ERRORS], 3);
	assert_int_equal(acct->stats[CP_ACCT_STAT_SPOOLED], 3);
	assert_int_equal(acct->stats[CP_ACCT_STAT_LOST], 0);
	assert_int_equal(lines_of(spool), 3);
	snprintf(c.file, sizeof(c.file), "%s/u.jsonl", dir);
	assert_int_equal(cp_acct_reopen(acct, &c), 0);
	assert_int_equal(acct->stats[CP_ACCT_STAT_UNSPOOLED], 3);
	assert_int_equal(stat(spool, &st), 0);
	assert_int_equal(st.st_size, 0);
	r.session = 4;
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(sessions_of(c.file, s, 8), 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(s[i], i + 1);
	cp_acct_free(acct);
}

/* What waits in the spool outlives cp: the next one writes it first. */
static void
test_acct_spool_survives_a_restart(void **state)
{
	struct tp_conf_acct c = { .enabled = true, .spool_max_mb = 1 };
	uint64_t s[8];
	struct cp_acct *acct;
	struct cp_acct_rec r;

	(void)state;
	snprintf(c.file, sizeof(c.file), "%s/no/such/u.jsonl", dir);
	snprintf(c.spool, sizeof(c.spool), "%s", dir);
	acct = create(&c);
	udp_rec(&r);
	r.session = 7;
	assert_int_equal(cp_acct_write(acct, &r), 0);
	r.session = 8;
	assert_int_equal(cp_acct_write(acct, &r), 0);
	cp_acct_free(acct);
	snprintf(c.file, sizeof(c.file), "%s/u.jsonl", dir);
	acct = create(&c);
	assert_int_equal(sessions_of(c.file, s, 8), 2);
	assert_int_equal(s[0], 7);
	assert_int_equal(s[1], 8);
	assert_int_equal(acct->stats[CP_ACCT_STAT_UNSPOOLED], 2);
	cp_acct_free(acct);
}

/* A stop record's id: RFC 9562 §5.5 (Python's uuid.uuid5 of the same
 * name in the same namespace gives it), and one per allocation's end. */
static void
test_acct_stop_id_is_v5_and_names_one_end(void **state)
{
	char a[37], b[37];

	(void)state;
	cp_acct_stop_id("m1/tp/box-a", 17, 123456, a);
	/* uuid.uuid5(uuid.UUID("7c1d6f3e-9a44-4b0e-8a51-2f6b0d9e3c18"),
	 *            "turn/m1/tp/box-a/17/123456") */
	assert_string_equal(a, "de8776d4-b72b-5a9b-bfa6-3c10da5394dc");
	cp_acct_stop_id("m1/tp/box-a", 17, 123456, b);
	assert_string_equal(a, b);
	cp_acct_stop_id("m1/tp/box-a", 18, 123456, b);
	assert_string_not_equal(a, b);
	cp_acct_stop_id("m1/tp/box-a", 17, 123457, b);
	assert_string_not_equal(a, b);
	cp_acct_stop_id("m1/tp/box-b", 17, 123456, b);
	assert_string_not_equal(a, b);
	assert_int_equal(b[14], '5');
	assert_non_null(strchr("89ab", b[19]));
}

static struct cp_acct_pending *
journaled(struct cp_acct *acct, uint64_t session, bool final)
{
	struct cp_acct_pending *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	udp_rec(&p->rec);
	p->rec.session = session;
	cp_acct_stop_id("x", session, 1000 + session, p->rec.id);
	p->counters[3] = 100 * session;
	p->final = final;
	p->next = acct->pending;
	acct->pending = p;
	acct->npending++;
	cp_acct_journal_put(acct, p);
	return p;
}

/* written: off the list, then its mark (as cp_acct_flush_due() does) */
static void
written(struct cp_acct *acct, uint64_t session)
{
	for (struct cp_acct_pending **pp = &acct->pending; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->rec.session == session) {
			struct cp_acct_pending *p = *pp;

			*pp = p->next;
			acct->npending--;
			free(p);
			break;
		}
	cp_acct_journal_done(acct, session);
}

/* A killed cp's records that wait come back to the next one: each as it
 * last stood, none that was written, whatever follows a part entry
 * ignored; the file is emptied once nothing waits. */
static void
test_acct_journal_gives_a_killed_cps_records_back(void **state)
{
	struct tp_conf_acct c = { .enabled = true, .spool_max_mb = 1 };
	char path[128];
	struct cp_acct *acct;
	struct cp_acct_pending *p;
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(c.file, sizeof(c.file), "%s/u.jsonl", dir);
	snprintf(c.spool, sizeof(c.spool), "%s", dir);
	snprintf(path, sizeof(path), "%s/usage.pending", dir);
	acct = create(&c);
	assert_int_equal(cp_acct_journal_open(acct, dir, 0), 0);
	assert_int_equal(acct->npending, 0);
	journaled(acct, 1, false);
	p = journaled(acct, 2, false);
	journaled(acct, 3, false);
	/* dp's counters of 2 came: its snapshot again */
	p->counters[3] = 777;
	p->final = true;
	cp_acct_journal_put(acct, p);
	written(acct, 1);
	cp_acct_free(acct);           /* (killed: nothing flushed) */
	/* a part entry at the end (a cp killed mid-write) */
	f = fopen(path, "a");
	assert_non_null(f);
	fwrite("\x54\x50\x4a\x31\x01\x00", 1, 6, f);
	fclose(f);

	acct = create(&c);
	assert_int_equal(cp_acct_journal_open(acct, dir, 4242), 0);
	assert_int_equal(acct->npending, 2);
	assert_int_equal(acct->stats[CP_ACCT_STAT_RESTORED], 2);
	for (p = acct->pending; p != NULL; p = p->next) {
		assert_true(p->restored);
		assert_int_equal(p->due_ms, 4242);
		if (p->rec.session == 2) {
			assert_int_equal(p->counters[3], 777);
			assert_true(p->final);
		} else {
			assert_int_equal(p->rec.session, 3);
			assert_int_equal(p->counters[3], 300);
			assert_false(p->final);
		}
		assert_string_equal(p->rec.user, "alice");
	}
	/* the file holds just those two now: a third cp finds the same */
	cp_acct_free(acct);
	acct = create(&c);
	assert_int_equal(cp_acct_journal_open(acct, dir, 1), 0);
	assert_int_equal(acct->npending, 2);
	written(acct, 2);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 0);
	written(acct, 3);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	cp_acct_free(acct);
}

/* Only a full spool drops a record, counted (and lost). */
static void
test_acct_spool_full_drops_counted(void **state)
{
	struct tp_conf_acct c = { .enabled = true, .spool_max_mb = 1 };
	char line[CP_ACCT_LINE_MAX];
	struct cp_acct *acct;
	struct cp_acct_rec r;
	int n;

	(void)state;
	snprintf(c.file, sizeof(c.file), "/dev/full");
	snprintf(c.spool, sizeof(c.spool), "%s", dir);
	acct = create(&c);
	udp_rec(&r);
	n = cp_acct_format(&r, line, sizeof(line));
	acct->spool_max = (uint64_t)n * 2;        /* two records' room */
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(cp_acct_write(acct, &r), -ENOSPC);
	assert_int_equal(acct->stats[CP_ACCT_STAT_SPOOLED], 2);
	assert_int_equal(acct->stats[CP_ACCT_STAT_SPOOL_DROPPED], 1);
	assert_int_equal(acct->stats[CP_ACCT_STAT_LOST], 1);
	cp_acct_free(acct);
}

/* With a Redis Stream every record goes to the stream's spool first
 * (whence cp's loop sends it), whether the file took it or not; only a
 * full spool drops one for Redis, counted. */
static void
test_acct_stream_spool_takes_every_record(void **state)
{
	struct tp_conf_acct c = { .enabled = true, .spool_max_mb = 1,
				  .stream_maxlen = 5000 };
	char path[300], line[CP_ACCT_LINE_MAX];
	uint64_t s[8];
	struct cp_acct *acct;
	struct cp_acct_rec r;
	int n;

	(void)state;
	snprintf(c.file, sizeof(c.file), "%s/u.jsonl", dir);
	snprintf(c.spool, sizeof(c.spool), "%s", dir);
	snprintf(c.stream, sizeof(c.stream), "usage");
	snprintf(path, sizeof(path), "%s/usage.stream", dir);
	acct = create(&c);
	assert_non_null(acct);
	assert_true(acct->stream_on);
	assert_string_equal(acct->stream_maxlen, "5000");
	udp_rec(&r);
	r.session = 1;
	assert_int_equal(cp_acct_write(acct, &r), 0);
	r.session = 2;
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(sessions_of(path, s, 8), 2);
	assert_int_equal(s[0], 1);
	assert_int_equal(s[1], 2);
	assert_int_equal(sessions_of(c.file, s, 8), 2);
	n = cp_acct_format(&r, line, sizeof(line));
	assert_int_equal(acct->stream_bytes, 2u * (unsigned int)n);
	acct->spool_max = acct->stream_bytes + 1;  /* no room for a third */
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(acct->stats[CP_ACCT_STAT_STREAM_DROPPED], 1);
	assert_int_equal(lines_of(path), 2);
	assert_int_equal(lines_of(c.file), 3);
	cp_acct_free(acct);
}

/* A stand-in for a file of root's (/etc/shadow): dir/shadow, mode 0600,
 * with content; its size. */
#define SHADOW_TEXT "root:$6$secret:19000:0:99999:7:::\n"

static void
make_shadow(char *shadow, size_t len)
{
	FILE *f;

	snprintf(shadow, len, "%s/shadow", dir);
	f = fopen(shadow, "w");
	assert_non_null(f);
	fputs(SHADOW_TEXT, f);
	fclose(f);
	assert_int_equal(chmod(shadow, 0600), 0);
}

static void
assert_shadow_untouched(const char *shadow)
{
	char buf[128];
	struct stat st;
	FILE *f;
	size_t n;

	assert_int_equal(stat(shadow, &st), 0);
	assert_int_equal(st.st_size, sizeof(SHADOW_TEXT) - 1);
	f = fopen(shadow, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, SHADOW_TEXT);
}

/* cp's user plants a symbolic link (or a hard link) to a file of root's
 * where one of acct's files is expected, in folders it writes: acct's
 * set-up (run as root, before cp drops it) refuses, and the file of
 * root's is neither read into the records, nor appended to, nor cut. */
static void
test_acct_refuses_planted_links(void **state)
{
	static const char *const names[] = {
		"u.jsonl", "spool/usage.spool", "spool/usage.stream",
		"spool/usage.pending", "spool/usage.pending.new",
	};
	struct tp_conf_acct c = { .enabled = true, .spool_max_mb = 1 };
	char shadow[128], at[300], sp[200];
	struct cp_acct *acct;
	struct cp_acct_rec r;

	(void)state;
	make_shadow(shadow, sizeof(shadow));
	snprintf(sp, sizeof(sp), "%s/spool", dir);
	assert_int_equal(mkdir(sp, 0750), 0);
	snprintf(c.file, sizeof(c.file), "%s/u.jsonl", dir);
	snprintf(c.spool, sizeof(c.spool), "%s", sp);
	snprintf(c.stream, sizeof(c.stream), "usage");
	udp_rec(&r);
	for (unsigned int hard = 0; hard <= 1; hard++) {
		for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			int rc = 0;

			for (unsigned int j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
				snprintf(at, sizeof(at), "%s/%s", dir, names[j]);
				(void)unlink(at);
			}
			snprintf(at, sizeof(at), "%s/%s", dir, names[i]);
			assert_int_equal(hard ? link(shadow, at) : symlink(shadow, at), 0);
			acct = create(&c);
			if (acct != NULL) {
				rc = cp_acct_journal_open(acct, sp, 0);
				if (rc < 0)
					snprintf(create_err, sizeof(create_err), "%s", acct->why);
				(void)cp_acct_write(acct, &r);
				cp_acct_free(acct);
			}
			print_message("planted %s link at %s: create %s, journal %d: %s\n",
				      hard ? "a hard" : "a symbolic", names[i],
				      acct != NULL ? "went on" : "refused", rc, create_err);
			assert_shadow_untouched(shadow);
			if (i < 4) {
				/* refused, saying why */
				assert_true(acct == NULL || rc < 0);
				assert_non_null(strstr(create_err, names[i]));
				assert_non_null(strstr(create_err, hard ? "links" :
						       "symbolic link"));
				assert_int_equal(unlink(at), 0);
			} else {
				/* the journal's scratch name: removed, made anew */
				struct stat st;

				assert_non_null(acct);
				assert_int_equal(rc, 0);
				assert_int_not_equal(lstat(at, &st), 0);
			}
		}
	}
}

/* What is there must be the owner's regular file, writable by no one
 * else (a FIFO does not hold the start); cp started as root with cp.user
 * opens and makes its files as cp.user (the file-system ids): they are
 * cp.user's, and a file of root's is not opened for it. */
static void
test_acct_files_are_the_owners(void **state)
{
	struct tp_conf_acct c = { .enabled = true, .spool_max_mb = 1 };
	char p[300], err[512];
	struct cp_acct *acct;
	struct cp_acct_rec r;
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(c.file, sizeof(c.file), "%s/u.jsonl", dir);
	snprintf(c.spool, sizeof(c.spool), "%s", dir);
	snprintf(p, sizeof(p), "%s/usage.spool", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_null(create(&c));
	assert_non_null(strstr(create_err, "not a regular file"));
	assert_int_equal(unlink(p), 0);
	f = fopen(c.file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(c.file, 0660), 0);
	assert_null(create(&c));
	assert_non_null(strstr(create_err, "writable by others"));
	assert_int_equal(chmod(c.file, 0640), 0);
	if (geteuid() != 0) {
		skip();
		return;
	}
	assert_int_equal(chown(c.file, 65534, 65534), 0);
	assert_null(create(&c));
	assert_non_null(strstr(create_err, "belongs to uid 65534"));
	/* as cp.user (65534 here), in its folder */
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(unlink(c.file), 0);
	assert_int_equal(unlink(p), 0);
	acct = cp_acct_create(&c, 65534, 65534, err, sizeof(err));
	assert_non_null(acct);
	udp_rec(&r);
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(stat(c.file, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(st.st_gid, 65534);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(geteuid(), 0);
	cp_acct_free(acct);
	/* a file of root's 0600 in its place: cp.user cannot open it (not
	 * root's rights lent), the start goes on, the record spooled */
	assert_int_equal(unlink(c.file), 0);
	f = fopen(c.file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(c.file, 0600), 0);
	acct = cp_acct_create(&c, 65534, 65534, err, sizeof(err));
	assert_non_null(acct);
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(acct->stats[CP_ACCT_STAT_SPOOLED], 1);
	assert_int_equal(stat(c.file, &st), 0);
	assert_int_equal(st.st_size, 0);
	cp_acct_free(acct);
	assert_int_equal(chown(dir, 0, 0), 0);
}

/* The kernel's id of this boot (36 characters), as the test reads it. */
static void
read_boot_id(char out[37])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	assert_non_null(f);
	assert_non_null(fgets(out, 37, f));
	fclose(f);
	assert_int_equal(strlen(out), 36);
}

/* A stop record's id across reboots: cp's allocation ids and the
 * monotonic clock start again at boot, so the same (allocation id,
 * start) comes back on the same box; the boot is in the name, and the
 * id differs. */
static void
test_acct_stop_id_differs_across_boots(void **state)
{
	static const char boot_a[] = "0b5e7a44-1c2d-4e3f-8a9b-0c1d2e3f4a5b";
	static const char boot_b[] = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
	char boot[37], kernel[37], ident[256], a[37], b[37];

	(void)state;
	read_boot_id(kernel);
	assert_int_equal(cp_acct_boot_id(boot), 0);
	assert_string_equal(boot, kernel);
	cp_acct_ident(ident, sizeof(ident), boot, "tp", "box-a");
	print_message("ident %s, boot %s\n", ident, boot);
	assert_non_null(strstr(ident, boot));
	/* the same box, allocation id and start: one id within a boot,
	 * another in the next */
	cp_acct_ident(ident, sizeof(ident), boot_a, "tp", "box-a");
	cp_acct_stop_id(ident, 17, 123456, a);
	cp_acct_ident(ident, sizeof(ident), boot_a, "tp", "box-a");
	cp_acct_stop_id(ident, 17, 123456, b);
	assert_string_equal(a, b);
	cp_acct_ident(ident, sizeof(ident), boot_b, "tp", "box-a");
	cp_acct_stop_id(ident, 17, 123456, b);
	assert_string_not_equal(a, b);
}

/* Retention covers what waits in the spools too (they hold client
 * addresses as the file does): while the file cannot take records (a
 * full disk) and Redis is away, those whose end is older than the
 * retention go from both spools, the newer ones stay, in order. */
static void
test_acct_retention_covers_the_spools(void **state)
{
	struct tp_conf_acct c = { .enabled = true, .spool_max_mb = 1, .retention_days = 30,
				  .stream_maxlen = 100 };
	char spool[300], stream[300];
	uint64_t s[8], now_ms = (uint64_t)time(NULL) * 1000;
	struct cp_acct *acct;
	struct cp_acct_rec r;
	unsigned int n;

	(void)state;
	snprintf(c.file, sizeof(c.file), "/dev/full");
	snprintf(c.spool, sizeof(c.spool), "%s", dir);
	snprintf(c.stream, sizeof(c.stream), "usage");
	snprintf(spool, sizeof(spool), "%s/usage.spool", dir);
	snprintf(stream, sizeof(stream), "%s/usage.stream", dir);
	acct = create(&c);
	assert_non_null(acct);
	udp_rec(&r);
	for (unsigned int i = 1; i <= 5; i++) {
		/* 1-3 ended 40, 35 and 31 days ago; 4, 5 an hour ago */
		static const unsigned int age_h[] = { 0, 960, 840, 744, 1, 1 };

		r.session = i;
		r.id[0] = '\0';
		r.end_ms = now_ms - (uint64_t)age_h[i] * 3600000u;
		r.start_ms = r.end_ms - 1000;
		r.type = i == 2 ? CP_ACCT_INTERIM : CP_ACCT_STOP;
		assert_int_equal(cp_acct_write(acct, &r), 0);
	}
	assert_int_equal(lines_of(spool), 5);
	assert_int_equal(lines_of(stream), 5);
	(void)cp_acct_prune(acct, time(NULL));
	assert_int_equal(acct->stats[CP_ACCT_STAT_EXPIRED], 6);
	n = sessions_of(spool, s, 8);
	print_message("the spool holds %u records after the retention\n", n);
	assert_int_equal(n, 2);
	assert_int_equal(s[0], 4);
	assert_int_equal(s[1], 5);
	n = sessions_of(stream, s, 8);
	assert_int_equal(n, 2);
	assert_int_equal(s[0], 4);
	assert_int_equal(s[1], 5);
	/* what stays goes on as before: the next record after them, and the
	 * file, once it takes them, gets the two then it */
	r.session = 6;
	r.end_ms = now_ms;
	r.type = CP_ACCT_STOP;
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(lines_of(stream), 3);
	snprintf(c.file, sizeof(c.file), "%s/u.jsonl", dir);
	assert_int_equal(cp_acct_reopen(acct, &c), 0);
	assert_int_equal(sessions_of(c.file, s, 8), 3);
	assert_int_equal(s[0], 4);
	assert_int_equal(s[2], 6);
	cp_acct_free(acct);
}

/* A short write to the stream's spool (a disk that filled mid-line, made
 * here with RLIMIT_FSIZE) leaves no part line for the next record to be
 * glued to: every line of the spool is a whole record, and the next one
 * after the disk has room again goes to Redis. */
static void
test_acct_stream_spool_short_write_glues_nothing(void **state)
{
	struct tp_conf_acct c = { .enabled = true, .spool_max_mb = 1, .stream_maxlen = 100 };
	char path[300];
	uint64_t s[8];
	struct cp_acct *acct;
	struct cp_acct_rec r;
	struct rlimit was, lim;
	void (*old)(int);

	(void)state;
	snprintf(c.file, sizeof(c.file), "/dev/null");
	snprintf(c.spool, sizeof(c.spool), "%s", dir);
	snprintf(c.stream, sizeof(c.stream), "usage");
	snprintf(path, sizeof(path), "%s/usage.stream", dir);
	acct = create(&c);
	assert_non_null(acct);
	udp_rec(&r);
	r.session = 1;
	assert_int_equal(cp_acct_write(acct, &r), 0);
	/* room for half a record more */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	lim = was;
	lim.rlim_cur = (rlim_t)(acct->stream_bytes + acct->stream_bytes / 2);
	old = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r.session = 2;
	(void)cp_acct_write(acct, &r);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, old);
	assert_int_equal(acct->stats[CP_ACCT_STAT_STREAM_DROPPED], 1);
	r.session = 3;
	assert_int_equal(cp_acct_write(acct, &r), 0);
	assert_int_equal(sessions_of(path, s, 8), 2);
	assert_int_equal(s[0], 1);
	assert_int_equal(s[1], 3);
	cp_acct_free(acct);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acct_format_udp_stop_reads_back),
		cmocka_unit_test(test_acct_format_interim_tcp_relay_and_agw),
		cmocka_unit_test(test_acct_rtp_records),
		cmocka_unit_test(test_acct_rtp_bundle_member),
		cmocka_unit_test(test_acct_format_escapes_the_username),
		cmocka_unit_test(test_acct_format_short_buffer_is_enospc),
		cmocka_unit_test(test_acct_uuid_is_v4_and_unique),
		cmocka_unit_test_setup_teardown(test_acct_write_appends_and_reopens_after_rotation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_write_errors_are_counted_and_survived,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_prune_removes_old_rotated_files_only,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_spool_keeps_and_replays_in_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_spool_survives_a_restart,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_spool_full_drops_counted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_retention_covers_the_spools,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_stream_spool_takes_every_record,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_stream_spool_short_write_glues_nothing,
						setup, teardown),
		cmocka_unit_test(test_acct_stop_id_is_v5_and_names_one_end),
		cmocka_unit_test(test_acct_stop_id_differs_across_boots),
		cmocka_unit_test_setup_teardown(test_acct_journal_gives_a_killed_cps_records_back,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_refuses_planted_links,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acct_files_are_the_owners,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
