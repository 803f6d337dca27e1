/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ng/ng_req.c: ng requests as Kamailio's rtpengine module and
 * rtpengine-ng-client send them, read into struct ng_req; what is refused
 * and how (-EINVAL, -ENOTSUP) with its sentence.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "bencode.h"
#include "ng_req.h"
#include "sdp.h"

static const char names_access[2][32] = { "access", "internal" };
static const char names_core[2][32] = { "core", "external" };
static const struct ng_names names = { 2, 2, names_access, names_core };

static struct bc_node nodes[NG_NODES_MAX];
static char buf[8192];
static char err[256];

/* Read the message m (bencode) into r. */
static int
rd(const char *m, size_t n, struct ng_req *r)
{
	struct bc_error be;
	int k = bc_parse(m, n, nodes, NG_NODES_MAX, NG_DEPTH_MAX, NULL, &be);

	if (k <= 0)
		fprintf(stderr, "bc_parse: %s at %zu of %.*s\n", be.msg, be.off, (int)n, m);
	assert_true(k > 0);
	err[0] = '\0';
	return ng_req_read(nodes, &nodes[0], &names, r, err, sizeof(err));
}

#define RDS(s, r) rd(s, sizeof(s) - 1, r)

static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
			  "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

/* An offer as Kamailio's module builds it from
 * "replace-origin replace-session-connection ICE=remove trust-address
 * direction=internal direction=external RTP/SAVP rtcp-mux-demux", extra
 * members given by the caller. */
static size_t
offer(struct bc_w *w, void (*extra)(struct bc_w *))
{
	bc_w_init(w, buf, sizeof(buf));
	bc_w_dict(w);
	bc_w_kstr(w, "sdp", sdp);
	bc_w_kstr(w, "call-id", "a84b4c76e66710@pc33.example.com");
	bc_w_kstr(w, "from-tag", "1928301774");
	bc_w_str(w, "flags");
	bc_w_list(w);
	bc_w_str(w, "trust-address");
	bc_w_close(w);
	bc_w_str(w, "replace");
	bc_w_list(w);
	bc_w_str(w, "origin");
	bc_w_str(w, "session-connection");
	bc_w_close(w);
	bc_w_kstr(w, "ICE", "remove");
	bc_w_kstr(w, "transport-protocol", "RTP/SAVP");
	bc_w_str(w, "direction");
	bc_w_list(w);
	bc_w_str(w, "internal");
	bc_w_str(w, "external");
	bc_w_close(w);
	bc_w_str(w, "rtcp-mux");
	bc_w_list(w);
	bc_w_str(w, "demux");
	bc_w_close(w);
	bc_w_str(w, "received-from");
	bc_w_list(w);
	bc_w_str(w, "IP4");
	bc_w_str(w, "198.51.100.7");
	bc_w_close(w);
	if (extra != NULL)
		extra(w);
	bc_w_kstr(w, "command", "offer");
	bc_w_close(w);
	assert_true(bc_w_end(w) > 0);
	return (size_t)bc_w_end(w);
}

static void
test_kamailio_offer(void **state)
{
	struct ng_req r;
	struct bc_w w;
	size_t n = offer(&w, NULL);

	(void)state;
	assert_int_equal(rd(buf, n, &r), 0);
	assert_int_equal(r.cmd, NG_CMD_OFFER);
	assert_string_equal(r.call_id, "a84b4c76e66710@pc33.example.com");
	assert_string_equal(r.from_tag, "1928301774");
	assert_int_equal(r.sdp_len, strlen(sdp));
	assert_memory_equal(r.sdp, sdp, r.sdp_len);
	assert_true(r.flags & NG_F_TRUST_ADDRESS);
	assert_true(r.flags & NG_F_REPLACE_ORIGIN);
	assert_true(r.flags & NG_F_REPLACE_SESS_C);
	assert_true(r.flags & NG_F_ICE_REMOVE);
	assert_true(r.flags & NG_F_MUX_DEMUX);
	assert_false(r.flags & NG_F_ASYMMETRIC);
	assert_int_equal(r.transport, SDP_PROTO_RTP_SAVP);
	assert_int_equal(r.dir[0], NG_SIDE_ACCESS);
	assert_int_equal(r.dir[1], NG_SIDE_CORE);
	assert_true(r.has_received_from);
	assert_int_equal(r.received_family, AF_INET);
}

static void
x_flags(struct bc_w *w)
{
	bc_w_str(w, "flags ");   /* not "flags": the reader takes the first */
	bc_w_list(w);
	bc_w_close(w);
}

static void
test_spellings(void **state)
{
	/* rtpengine's spellings: spaces, underscores, case */
	static const char m[] =
		"d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
		"5:flagsl13:trust address18:SIP_source_address8:RTP/AVPF13:port-latchinge"
		"13:received-froml3:IP410:192.0.2.99e13:media-address11:203.0.113.5e";
	struct ng_req r;

	(void)state;
	assert_int_equal(rd(m, sizeof(m) - 1, &r), 0);
	assert_true(r.flags & NG_F_TRUST_ADDRESS);
	assert_true(r.flags & NG_F_SIP_SOURCE);
	assert_true(r.flags & NG_F_PORT_LATCHING);
	assert_int_equal(r.transport, SDP_PROTO_RTP_AVPF);
	assert_true(r.has_media_addr);
	assert_int_equal(r.media_addr_family, AF_INET);
	(void)x_flags;
}

static void
test_commands(void **state)
{
	struct ng_req r;

	(void)state;
	assert_int_equal(RDS("d7:command4:pinge", &r), 0);
	assert_int_equal(r.cmd, NG_CMD_PING);
	assert_int_equal(RDS("d7:command10:statisticse", &r), 0);
	assert_int_equal(r.cmd, NG_CMD_STATISTICS);
	assert_int_equal(RDS("d7:command4:list5:limiti5ee", &r), 0);
	assert_int_equal(r.cmd, NG_CMD_LIST);
	assert_int_equal(r.limit, 5);
	assert_int_equal(RDS("d7:command4:list5:limiti-1ee", &r), -EINVAL);
	assert_int_equal(RDS("d7:command6:delete7:call-id1:c8:from-tag1:f"
			    "12:delete-delayi10ee", &r), 0);
	assert_true(r.has_delete_delay);
	assert_int_equal(r.delete_delay, 10);
	assert_int_equal(RDS("d7:command6:delete7:call-id1:c12:delete-delay4:3601e", &r),
			 -EINVAL);
	assert_int_equal(RDS("d7:command5:query7:call-id1:ce", &r), 0);
	assert_int_equal(r.cmd, NG_CMD_QUERY);
	/* unknown: refused with its name; rtpengine's own but not ours:
	 * refused as out of scope */
	assert_int_equal(RDS("d7:command5:hello7:call-id1:ce", &r), -EINVAL);
	assert_non_null(strstr(err, "Unrecognized command 'hello'"));
	assert_int_equal(RDS("d7:command15:start recording7:call-id1:ce", &r), -ENOTSUP);
	assert_non_null(strstr(err, "not supported"));
	assert_int_equal(RDS("d7:command9:play DTMF7:call-id1:ce", &r), -ENOTSUP);
	assert_int_equal(RDS("d7:call-id1:ce", &r), -EINVAL);
	assert_non_null(strstr(err, "No command"));
	assert_int_equal(RDS("d7:commandi1ee", &r), -EINVAL);
	assert_int_equal(RDS("l4:pinge", &r), -EINVAL);
}

static void
test_missing(void **state)
{
	struct ng_req r;

	(void)state;
	/* an offer needs call-id, from-tag and sdp; an answer to-tag too */
	assert_int_equal(RDS("d7:command5:offer8:from-tag1:f3:sdp4:v=0\ne", &r), -EINVAL);
	assert_non_null(strstr(err, "call-id"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c3:sdp4:v=0\ne", &r), -EINVAL);
	assert_non_null(strstr(err, "from-tag"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:fe", &r), -EINVAL);
	assert_non_null(strstr(err, "SDP"));
	assert_int_equal(RDS("d7:command6:answer7:call-id1:c8:from-tag1:f3:sdp4:v=0\ne", &r),
			 -EINVAL);
	assert_non_null(strstr(err, "to-tag"));
	assert_int_equal(RDS("d7:command5:offer7:call-id0:8:from-tag1:f3:sdp4:v=0\ne", &r),
			 -EINVAL);
	assert_int_equal(RDS("d7:command5:offer7:call-idi5e8:from-tag1:f3:sdp4:v=0\ne", &r),
			 -EINVAL);
	/* a NUL in the SDP or the call-id */
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\0e", &r),
			 -EINVAL);
	assert_int_equal(RDS("d7:command5:offer7:call-id2:c\0" "8:from-tag1:f3:sdp4:v=0\ne", &r),
			 -EINVAL);
}

static void
test_too_long(void **state)
{
	static char big[NG_CALLID_MAX + 64];
	struct ng_req r;
	struct bc_w w;
	int n;

	(void)state;
	/* a call-id one past its buffer: refused, never cut (two calls must
	 * not become one) */
	memset(big, 'x', NG_CALLID_MAX);
	big[NG_CALLID_MAX] = '\0';
	bc_w_init(&w, buf, sizeof(buf));
	bc_w_dict(&w);
	bc_w_kstr(&w, "command", "query");
	bc_w_kstr(&w, "call-id", big);
	bc_w_close(&w);
	n = bc_w_end(&w);
	assert_int_equal(rd(buf, (size_t)n, &r), -EINVAL);
	assert_non_null(strstr(err, "longer"));
	big[NG_CALLID_MAX - 1] = '\0';
	bc_w_init(&w, buf, sizeof(buf));
	bc_w_dict(&w);
	bc_w_kstr(&w, "command", "query");
	bc_w_kstr(&w, "call-id", big);
	bc_w_close(&w);
	n = bc_w_end(&w);
	assert_int_equal(rd(buf, (size_t)n, &r), 0);
	assert_int_equal(strlen(r.call_id), NG_CALLID_MAX - 1);
}

static void
x_unknown_flag(struct bc_w *w)
{
	bc_w_str(w, "flags");
	bc_w_list(w);
	bc_w_str(w, "no-such-flag");
	bc_w_close(w);
}

static void
x_record(struct bc_w *w)
{
	bc_w_kstr(w, "record call", "yes");
}

static void
x_codec(struct bc_w *w)
{
	bc_w_str(w, "codec");
	bc_w_dict(w);
	bc_w_str(w, "strip");
	bc_w_list(w);
	bc_w_str(w, "PCMA");
	bc_w_close(w);
	bc_w_close(w);
}

static void
x_bad_dir(struct bc_w *w)
{
	bc_w_str(w, "direction ");
	bc_w_list(w);
	bc_w_close(w);
}

static void
test_refused(void **state)
{
	struct ng_req r;
	struct bc_w w;
	size_t n;

	(void)state;
	/* a flag "flags" already seen (the first "flags" wins): unknown ones
	 * in a second list are not read; a first list with one is refused */
	n = offer(&w, x_unknown_flag);
	assert_int_equal(rd(buf, n, &r), 0);
	bc_w_init(&w, buf, sizeof(buf));
	bc_w_dict(&w);
	x_unknown_flag(&w);
	bc_w_kstr(&w, "command", "offer");
	bc_w_kstr(&w, "call-id", "c");
	bc_w_kstr(&w, "from-tag", "f");
	bc_w_kstr(&w, "sdp", sdp);
	bc_w_close(&w);
	assert_int_equal(rd(buf, (size_t)bc_w_end(&w), &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown flag 'no-such-flag'"));
	n = offer(&w, x_record);
	assert_int_equal(rd(buf, n, &r), -ENOTSUP);
	n = offer(&w, x_codec);
	assert_int_equal(rd(buf, n, &r), -ENOTSUP);
	assert_non_null(strstr(err, "transcoding"));
	/* "direction " is "direction" to rtpengine: the first one read is
	 * the message's own */
	n = offer(&w, x_bad_dir);
	assert_int_equal(rd(buf, n, &r), 0);
	/* names not configured; a flag in the list out of scope */
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "9:directionl3:pub4:privee", &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown direction 'pub'"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl11:record-callee", &r), -ENOTSUP);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl15:codec-strip-allee", &r), -ENOTSUP);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl9:symmetric10:asymmetricee", &r), -EINVAL);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl18:SIP-source-addressee", &r), -EINVAL);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "18:transport-protocol13:UDP/TLS/RTP/Se", &r), -EINVAL);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "3:ICE11:force-relaye", &r), -ENOTSUP);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "13:received-froml3:IP47:2001::1ee", &r), -EINVAL);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "8:rtcp-muxl9:sometimesee", &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown rtcp-mux 'sometimes'"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:DTLS9:sometimese", &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown DTLS 'sometimes'"));
}

/* bundle (rtpengine's list, mr14 on): accept, as a list or a string, any
 * case; offer, require, strict and reject not supported (v1); another an
 * unknown name; not a string or list refused. */
static void
test_bundle(void **state)
{
	struct ng_req r;

	(void)state;
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "6:bundlel6:acceptee", &r), 0);
	assert_int_equal(r.flags, NG_F_BUNDLE_ACCEPT);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "6:bundle6:Accepte", &r), 0);
	assert_int_equal(r.flags, NG_F_BUNDLE_ACCEPT);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "6:bundlelee", &r), 0);
	assert_int_equal(r.flags, 0);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "6:bundlel6:accept5:offeree", &r), -ENOTSUP);
	assert_non_null(strstr(err, "bundle 'offer' is not supported by turnpike"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "6:bundlel7:requireee", &r), -ENOTSUP);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "6:bundlel6:strictee", &r), -ENOTSUP);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "6:bundlel6:rejectee", &r), -ENOTSUP);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "6:bundlel5:maybeee", &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown bundle 'maybe'"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "6:bundlei1ee", &r), -EINVAL);
	assert_non_null(strstr(err, "\"bundle\" is not a list"));
}

/* A delete as Kamailio's rtpengine_delete() sends it, and with rtpengine's
 * flag fatal (a delete that finds nothing is then an error, not ok with a
 * warning: ng_call.c). */
/* rtcp-mux-require, as a flag and as the rtcp-mux list's require: the
 * offer too (rtpengine's require implies it); WebRTC, rtpengine's alias,
 * as the flags turnpike has of it (UDP/TLS/RTP/SAVPF, ICE=force,
 * trickle-ICE, rtcp-mux-offer and -require, SDES-off), in any case, a
 * transport-protocol key beside it taking precedence; generate-mid, one
 * of its flags, on its own too (no longer refused). */
static void
test_mux_require_webrtc(void **state)
{
	struct ng_req r;

	(void)state;
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl16:rtcp-mux-requireee", &r), 0);
	assert_true(r.flags & NG_F_MUX_REQUIRE);
	assert_true(r.flags & NG_F_MUX_OFFER);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "8:rtcp-muxl7:requireee", &r), 0);
	assert_true(r.flags & NG_F_MUX_REQUIRE);
	assert_true(r.flags & NG_F_MUX_OFFER);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "8:rtcp-muxl5:offeree", &r), 0);
	assert_false(r.flags & NG_F_MUX_REQUIRE);

	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl6:WebRTCee", &r), 0);
	assert_int_equal(r.transport, SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_true(r.flags & NG_F_ICE_FORCE);
	assert_true(r.flags & NG_F_TRICKLE_ICE);
	assert_true(r.flags & NG_F_MUX_OFFER);
	assert_true(r.flags & NG_F_MUX_REQUIRE);
	assert_false(r.flags & NG_F_ICE_REMOVE);
	assert_true(r.flags & NG_F_GENERATE_MID);
	assert_true(r.sdes_off);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl6:webrtce18:transport-protocol16:UDP/TLS/RTP/SAVPe", &r), 0);
	assert_int_equal(r.transport, SDP_PROTO_UDP_TLS_RTP_SAVP);
	assert_true(r.flags & NG_F_MUX_REQUIRE);
	/* (Kamailio's ICE=remove beside it: the key wins, as the
	 * transport-protocol key does) */
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl6:WebRTCe3:ICE6:removee", &r), 0);
	assert_true(r.flags & NG_F_ICE_REMOVE);
	assert_false(r.flags & NG_F_ICE_FORCE);
	assert_true(r.flags & NG_F_MUX_REQUIRE);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl10:ICE-remove6:WebRTCee", &r), -EINVAL);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl7:WebRTCxee", &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown flag 'WebRTCx'"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl12:generate-midee", &r), 0);
	assert_int_equal(r.flags, NG_F_GENERATE_MID);
	assert_int_equal(r.transport, 0);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl12:Generate-Midee", &r), 0);
	assert_true(r.flags & NG_F_GENERATE_MID);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl12:strip-extmapee", &r), -ENOTSUP);
}

static void
test_delete_fatal(void **state)
{
	struct ng_req r;

	(void)state;
	assert_int_equal(RDS("d7:call-id1:c8:from-tag1:f7:command6:deletee", &r), 0);
	assert_int_equal(r.cmd, NG_CMD_DELETE);
	assert_false(r.flags & NG_F_FATAL);
	assert_int_equal(RDS("d7:call-id1:c8:from-tag1:f5:flagsl5:fatale7:command6:deletee", &r),
			 0);
	assert_true(r.flags & NG_F_FATAL);
	assert_int_equal(RDS("d7:call-id1:c5:flagsl5:FATALe7:command6:deletee", &r), 0);
	assert_true(r.flags & NG_F_FATAL);
}

/* The latching flags and rtpengine's endpoint-learning (the key, or a
 * flag endpoint-learning-<mode> in any spelling): each read as itself; an
 * unknown mode refused with its name. */
static void
test_latching_and_learning(void **state)
{
	struct ng_req r;

	(void)state;
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl13:strict-source14:media_handovere"
			    "17:endpoint-learning9:heuristice", &r), 0);
	assert_true(r.flags & NG_F_STRICT_SOURCE);
	assert_true(r.flags & NG_F_MEDIA_HANDOVER);
	assert_int_equal(r.learning, NG_LEARN_HEURISTIC);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl21:endpoint learning offee", &r), 0);
	assert_int_equal(r.learning, NG_LEARN_OFF);
	assert_false(r.flags & (NG_F_STRICT_SOURCE | NG_F_MEDIA_HANDOVER));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl27:endpoint-learning-IMMEDIATEee", &r), 0);
	assert_int_equal(r.learning, NG_LEARN_IMMEDIATE);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "17:endpoint-learning7:delayede", &r), 0);
	assert_int_equal(r.learning, NG_LEARN_DELAYED);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\ne", &r), 0);
	assert_int_equal(r.learning, NG_LEARN_DEFAULT);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "17:endpoint-learning6:alwayse", &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown endpoint-learning 'always'"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl23:endpoint-learning-lateree", &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown endpoint-learning 'later'"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "17:endpoint-learningi1ee", &r), -EINVAL);
}

/* What FEATURE.md's table says is passed over (the SDES options but off
 * and no-<suite>, the OSRTP ones, as keys or spelt as flags) is taken and
 * has no effect; T.38 asked for, as a key or a flag, is refused as out of
 * scope. */
static void
test_passed_over_and_t38(void **state)
{
	struct ng_req r;

	(void)state;
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl31:SDES-no-AES_CM_128_HMAC_SHA1_3211:OSRTP-offere"
			    "4:SDESl7:pad-keye5:OSRTPl5:offeree", &r), 0);
	assert_int_equal(r.flags, 0);
	assert_int_equal(r.sdes_no, SDP_SUITE_BIT(SDP_SUITE_AES_CM_128_HMAC_SHA1_32));
	assert_false(r.sdes_off);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl5:SDES-ee", &r), -EINVAL);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:T.38l6:decodeee", &r), -ENOTSUP);
	assert_non_null(strstr(err, "T.38"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:T.386:decodee", &r), -ENOTSUP);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl4:T.38ee", &r), -ENOTSUP);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:T.38lee", &r), 0);
}

/* rtpengine's ICE keys and flags (ng_ice.c's rules): ICE=remove, force,
 * optional (read as force), default; force-relay refused as out of
 * scope, an unknown value by its name, force beside the flag ICE-remove
 * as a contradiction; ICE-lite forward, backward, both taken (our side is
 * lite whatever), off refused; reject-ICE and trickle-ICE in any
 * spelling. */
static void
test_ice(void **state)
{
	struct ng_req r;

	(void)state;
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "3:ICE5:forcee", &r), 0);
	assert_int_equal(r.flags & (NG_F_ICE_FORCE | NG_F_ICE_REMOVE), NG_F_ICE_FORCE);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "3:ICE8:optionale", &r), 0);
	assert_int_equal(r.flags & (NG_F_ICE_FORCE | NG_F_ICE_REMOVE), NG_F_ICE_FORCE);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "3:ICE6:removee", &r), 0);
	assert_int_equal(r.flags & (NG_F_ICE_FORCE | NG_F_ICE_REMOVE), NG_F_ICE_REMOVE);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "3:ICE7:defaulte", &r), 0);
	assert_int_equal(r.flags & (NG_F_ICE_FORCE | NG_F_ICE_REMOVE), 0);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "3:ICE11:force relaye", &r), -ENOTSUP);
	assert_non_null(strstr(err, "ICE 'force-relay' is not supported by turnpike"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "3:ICE9:sometimese", &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown ICE 'sometimes'"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "3:ICE5:force5:flagsl10:ICE-removeee", &r), -EINVAL);
	assert_non_null(strstr(err, "together"));
	/* ICE-lite */
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "8:ICE-lite7:forwarde", &r), 0);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "8:ICE lite8:backwarde", &r), 0);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "8:ice-lite4:bothe", &r), 0);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "8:ICE-lite3:offe", &r), -ENOTSUP);
	assert_non_null(strstr(err, "ICE-lite 'off' is not supported by turnpike"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "8:ICE-lite7:sidewaye", &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown ICE-lite 'sideway'"));
	/* the flags */
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl10:reject ICE11:trickle-iceee", &r), 0);
	assert_int_equal(r.flags, NG_F_ICE_REJECT | NG_F_TRICKLE_ICE);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl10:ICE_rejectee", &r), 0);
	assert_int_equal(r.flags, NG_F_ICE_REJECT);
}

/* DTLS-SRTP's keys and flags (ng_dtls.c): DTLS off (no, disable),
 * passive, active, an unknown value by its name; DTLS-fingerprint's
 * hashes in any case, sha-224 and md5 refused as not supported; the
 * DTLS-SRTP transport protocols as a key or Kamailio's bare flag;
 * SDES-off and SDES-no-<suite> as flags or in the SDES list (a suite not
 * known passed over, as the other SDES options). */
static void
test_dtls_sdes(void **state)
{
	struct ng_req r;

	(void)state;
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:DTLS7:passivee", &r), 0);
	assert_int_equal(r.dtls, NG_DTLS_PASSIVE);
	assert_int_equal(r.dtls_fp, 0);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:DTLS6:Activee", &r), 0);
	assert_int_equal(r.dtls, NG_DTLS_ACTIVE);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:DTLS3:offe", &r), 0);
	assert_int_equal(r.dtls, NG_DTLS_OFF);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:DTLS2:noe", &r), 0);
	assert_int_equal(r.dtls, NG_DTLS_OFF);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:DTLS7:disablee", &r), 0);
	assert_int_equal(r.dtls, NG_DTLS_OFF);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\ne", &r), 0);
	assert_int_equal(r.dtls, NG_DTLS_DEFAULT);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:DTLSi1ee", &r), -EINVAL);
	/* DTLS-fingerprint */
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "16:DTLS-fingerprint7:SHA-256e", &r), 0);
	assert_int_equal(r.dtls_fp, CERTFP_SHA256);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "16:DTLS fingerprint5:sha-1e", &r), 0);
	assert_int_equal(r.dtls_fp, CERTFP_SHA1);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "16:DTLS-fingerprint7:sha-384e", &r), 0);
	assert_int_equal(r.dtls_fp, CERTFP_SHA384);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "16:DTLS-fingerprint7:sha-512e", &r), 0);
	assert_int_equal(r.dtls_fp, CERTFP_SHA512);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "16:DTLS-fingerprint7:SHA-224e", &r), -ENOTSUP);
	assert_non_null(strstr(err, "DTLS-fingerprint 'SHA-224' is not supported by turnpike"));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "16:DTLS-fingerprint3:md5e", &r), -ENOTSUP);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "16:DTLS-fingerprint7:sha 256e", &r), -EINVAL);
	assert_non_null(strstr(err, "Unknown DTLS-fingerprint 'sha 256'"));
	/* the transport protocols */
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "18:transport-protocol17:UDP/TLS/RTP/SAVPFe", &r), 0);
	assert_int_equal(r.transport, SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl16:UDP/TLS/RTP/SAVPee", &r), 0);
	assert_int_equal(r.transport, SDP_PROTO_UDP_TLS_RTP_SAVP);
	/* SDES */
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl8:SDES-offee", &r), 0);
	assert_true(r.sdes_off);
	assert_int_equal(r.sdes_no, 0);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:SDESl2:no19:no-AEAD_AES_128_GCM10:no-NOTHINGee", &r), 0);
	assert_true(r.sdes_off);
	assert_int_equal(r.sdes_no, SDP_SUITE_BIT(SDP_SUITE_AEAD_AES_128_GCM));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:SDES26:no-aes_cm_128_hmac_sha1_805:flagsl12:SDES-disableee", &r), 0);
	assert_true(r.sdes_off);
	assert_int_equal(r.sdes_no, SDP_SUITE_BIT(SDP_SUITE_AES_CM_128_HMAC_SHA1_80));
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:SDESi1ee", &r), -EINVAL);
	/* SDES-only-<suite> (beside no-, each kept: only- wins when the
	 * suite is chosen), SDES-order: (each suite once, in its order, one
	 * not known passed over; a later order: going on), no-tls-id */
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl33:SDES-only-AES_256_CM_HMAC_SHA1_8031:SDES-no-AES_CM_128_HMAC_SHA1_3217:SDES-only-NOTHINGee", &r), 0);
	assert_int_equal(r.sdes_only, SDP_SUITE_BIT(SDP_SUITE_AES_256_CM_HMAC_SHA1_80));
	assert_int_equal(r.sdes_no, SDP_SUITE_BIT(SDP_SUITE_AES_CM_128_HMAC_SHA1_32));
	assert_int_equal(r.sdes_norder, 0);
	assert_false(r.flags & NG_F_NO_TLS_ID);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "4:SDESl72:order:AEAD_AES_256_GCM;nothing;aes_cm_128_hmac_sha1_32;AEAD_AES_256_GCM;21:only-AEAD_AES_128_GCMe5:flagsl34:SDES-order:AES_256_CM_HMAC_SHA1_809:no-tls-idee", &r), 0);
	assert_int_equal(r.sdes_only, SDP_SUITE_BIT(SDP_SUITE_AEAD_AES_128_GCM));
	assert_int_equal(r.sdes_norder, 3);
	/* (the flags are read before the SDES key) */
	assert_int_equal(r.sdes_order[0], SDP_SUITE_AES_256_CM_HMAC_SHA1_80);
	assert_int_equal(r.sdes_order[1], SDP_SUITE_AEAD_AES_256_GCM);
	assert_int_equal(r.sdes_order[2], SDP_SUITE_AES_CM_128_HMAC_SHA1_32);
	assert_true(r.flags & NG_F_NO_TLS_ID);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "5:flagsl9:no tls idee", &r), 0);
	assert_true(r.flags & NG_F_NO_TLS_ID);
	assert_int_equal(r.sdes_norder, 0);
	/* DTLS-reverse: the key DTLS under another name (rtpengine's) */
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "12:DTLS-reverse7:passivee", &r), 0);
	assert_int_equal(r.dtls, NG_DTLS_PASSIVE);
	assert_int_equal(RDS("d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp4:v=0\n"
			    "12:DTLS-reverse5:sharpe", &r), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kamailio_offer),
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_mux_require_webrtc),
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_delete_fatal),
		cmocka_unit_test(test_latching_and_learning),
		cmocka_unit_test(test_passed_over_and_t38),
		cmocka_unit_test(test_ice),
		cmocka_unit_test(test_dtls_sdes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
