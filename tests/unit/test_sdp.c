/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/sdp: descriptions in the form the RFCs' examples give (RFC 4975's
 * MSRP, RFC 8856's BFCP, RFC 4145's setup, RFC 8122's fingerprint), as
 * Erlang's megaco text encoder frames them in Local{...}; every error
 * code with the line it names; the RFC 4145 role table of sdp_derive();
 * H.248 CHOOSE; sdp_write() read back by sdp_parse() for every proto and
 * role, and its -ENOSPC at every short size. RTP media: an IMS UE's VoLTE
 * offer with SDES keys and our answer to it, every RTP and a=crypto error,
 * the key lengths of every suite, the session parameters honoured and not,
 * the choice of a crypto line, RTCP ports and mux, sdp_rtp_write() read
 * back for every proto, suite and form, never a key in a sentence.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp.h"

#define FP1 "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB"
#define FP256 "D1:2C:BE:AD:C4:F6:64:5C:25:16:11:9C:AF:E7:0F:73:79:36:4E:9C:1E:15:54:39:0C:06:8B:A0:60:7F:0E:E3"

static int
parse(const char *s, struct sdp *d, struct sdp_error *e)
{
	return sdp_parse(s, strlen(s), d, e);
}

static void
test_sdp_rfc4975_msrp(void **state)
{
	/* RFC 4975's examples: a name in c=, MSRP over TLS, a=path */
	const char *s = "v=0\r\n"
			"o=alice 2890844526 2890844527 IN IP4 alicepc.example.com\r\n"
			"s=-\r\n"
			"c=IN IP4 alicepc.example.com\r\n"
			"t=0 0\r\n"
			"m=message 7777 TCP/TLS/MSRP *\r\n"
			"a=accept-types:text/plain\r\n"
			"a=path:msrps://alicepc.example.com:7777/iau39soe2843z;tcp\r\n";
	struct sdp d;
	struct sdp_term t;
	struct sdp_error e;

	(void)state;
	assert_int_equal(parse(s, &d, &e), 0);
	assert_int_equal(e.code, SDP_OK);
	assert_int_equal(d.nlines, 8);
	assert_string_equal(d.origin, "alice 2890844526 2890844527 IN IP4 alicepc.example.com");
	assert_string_equal(d.name, "-");
	assert_true(d.has_media);
	assert_int_equal(d.media.type, SDP_MEDIA_MESSAGE);
	assert_int_equal(d.media.proto, SDP_PROTO_TCP_TLS_MSRP);
	assert_int_equal(d.media.port, 7777);
	assert_string_equal(d.media.fmt, "*");
	assert_string_equal(d.media.path, "msrps://alicepc.example.com:7777/iau39soe2843z;tcp");
	assert_int_equal(d.media.addr.kind, SDP_ADDR_FQDN);
	assert_int_equal(d.media.addr.family, AF_INET);
	assert_int_equal(d.media.setup, SDP_SETUP_NONE);
	assert_int_equal(d.nother, 2);   /* t=, a=accept-types */
	/* the gateway resolves no names */
	assert_int_equal(sdp_derive(NULL, &d, SDP_REMOTE_OFFER, &t, &e), -ENOTSUP);
	assert_int_equal(e.code, SDP_E_ADDRESS);
	assert_non_null(strstr(e.msg, "name"));
	assert_int_equal(e.line, 4);
}

static void
test_sdp_rfc8122_fingerprint(void **state)
{
	/* RFC 8122's example, upper-case hash name; a second, sha-256 */
	const char *s = "v=0\nc=IN IP4 192.0.2.5\nm=message 7394 TCP/TLS/MSRP *\n"
			"a=setup:passive\n"
			"a=fingerprint:SHA-1 " FP1 "\n"
			"a=fingerprint:sha-256 " FP256 "\n";
	struct sdp d;
	struct sdp_term t;
	struct sdp_error e;

	(void)state;
	assert_int_equal(parse(s, &d, &e), 0);
	assert_int_equal(d.media.nfp, 2);
	assert_int_equal(d.media.fp[0].alg, CERTFP_SHA1);
	assert_int_equal(d.media.fp[0].md[0], 0x4a);
	assert_int_equal(d.media.fp[0].md[19], 0xab);
	assert_int_equal(d.media.fp[1].alg, CERTFP_SHA256);
	assert_int_equal(d.media.fp[1].md[31], 0xe3);
	assert_int_equal(sdp_derive(NULL, &d, 0, &t, &e), 0);
	assert_true(t.tls);
	assert_int_equal(t.role, SDP_ROLE_CLIENT);
	assert_int_equal(t.nfp, 2);
	assert_true(certfp_equal(&t.fp[1], &d.media.fp[1]));
	assert_int_equal(t.remote_port, 7394);
	assert_int_equal(t.remote_family, AF_INET);
	assert_memory_equal(t.remote_ip, "\xc0\x00\x02\x05", 4);
}

static void
test_sdp_rfc4145_tcp(void **state)
{
	/* RFC 4145's example: a passive end with a=connection:new, over
	 * plain TCP (a proto the gateway does not carry) */
	const char *s = "v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\n"
			"t=0 0\r\nm=image 54111 TCP t38\r\n"
			"a=setup:passive\r\na=connection:new\r\n";
	struct sdp d;
	struct sdp_term t;
	struct sdp_error e;

	(void)state;
	assert_int_equal(parse(s, &d, &e), 0);
	assert_int_equal(d.media.type, SDP_MEDIA_OTHER);
	assert_int_equal(d.media.proto, SDP_PROTO_OTHER);
	assert_string_equal(d.media.proto_str, "TCP");
	assert_string_equal(d.media.media_str, "image");
	assert_string_equal(d.media.fmt, "t38");
	assert_int_equal(d.media.setup, SDP_SETUP_PASSIVE);
	assert_int_equal(d.media.setup_line, 7);
	assert_int_equal(d.media.connection, SDP_CONNECTION_NEW);
	assert_int_equal(sdp_derive(NULL, &d, 0, &t, &e), -ENOTSUP);
	assert_int_equal(e.code, SDP_E_PROTO);
	assert_int_equal(e.line, 6);
	assert_non_null(strstr(e.msg, "proto TCP is not"));
}

static void
test_sdp_rfc8856_bfcp(void **state)
{
	/* RFC 8856's attributes kept, not interpreted */
	const char *s = "v=0\r\nc=IN IP6 2001:db8::7\r\nm=application 50000 TCP/TLS/BFCP *\r\n"
			"a=setup:actpass\r\na=connection:new\r\n"
			"a=fingerprint:sha-256 " FP256 "\r\n"
			"a=floorctrl:c-only s-only\r\na=confid:4321\r\na=userid:1234\r\n"
			"a=floorid:1 mstrm:10\r\na=bfcpver:2\r\n";
	struct sdp d;
	struct sdp_term t;
	struct sdp_error e;

	(void)state;
	assert_int_equal(parse(s, &d, &e), 0);
	assert_int_equal(d.media.type, SDP_MEDIA_APPLICATION);
	assert_int_equal(d.media.proto, SDP_PROTO_TCP_TLS_BFCP);
	assert_int_equal(d.nother, 5);
	assert_int_equal(d.media.addr.family, AF_INET6);
	assert_int_equal(sdp_derive(NULL, &d, 0, &t, &e), 0);
	assert_int_equal(t.role, SDP_ROLE_SERVER);
	assert_non_null(strstr(t.why_role, "actpass"));
	assert_int_equal(t.remote_port, 0);   /* we accept: from any port */
	assert_int_equal(sdp_derive(NULL, &d, SDP_PREFER_CLIENT, &t, &e), 0);
	assert_int_equal(t.role, SDP_ROLE_CLIENT);
	assert_int_equal(t.remote_port, 50000);
}

/* As megaco_pretty_text_encoder frames it: "Local { " LF, the lines with
 * CRLF, an LF and the closing brace's indentation. */
static void
test_sdp_h248_framing(void **state)
{
	const char *s = " \nv=0\r\nc=IN IP4 $\r\nm=message $ TCP/MSRP *\r\na=setup:passive\r\n"
			"\n\t\t\t\t\t";
	struct sdp d;
	struct sdp_term t;
	struct sdp_error e;

	(void)state;
	assert_int_equal(parse(s, &d, &e), 0);
	assert_int_equal(d.nlines, 4);
	assert_int_equal(d.media.line, 3);
	assert_int_equal(d.media.setup_line, 4);
	assert_int_equal(d.addr.kind, SDP_ADDR_CHOOSE);
	assert_true(d.media.port_choose);
	assert_int_equal(sdp_derive(&d, NULL, 0, &t, &e), 0);
	assert_true(t.local_addr_choose);
	assert_true(t.local_port_choose);
	assert_int_equal(t.local_family, AF_INET);
	assert_int_equal(t.role, SDP_ROLE_SERVER);
	assert_false(t.tls);
	assert_false(t.remote_known);
	/* the last line without its line end, and the megaco compact form */
	assert_int_equal(parse("v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *", &d, &e), 0);
	assert_int_equal(parse("\nv=0\r\nm=message $ TCP/MSRP *\r\n", &d, &e), 0);
}

struct bad {
	const char *text;
	int rc;
	enum sdp_err code;
	unsigned int line;
	const char *says;
};

static void
test_sdp_parse_errors(void **state)
{
	static char big[SDP_SIZE_MAX + 2], longline[SDP_LINE_MAX + 32], many[SDP_LINES_MAX * 8 + 32],
		    longpath[SDP_PATH_MAX + 64], fivefp[6 * 80 + 64];
	const struct bad bad[] = {
		{ big, -E2BIG, SDP_E_SIZE, 0, "more than the 4096" },
		{ many, -E2BIG, SDP_E_LINES, 65, "more than 64 lines" },
		{ longline, -E2BIG, SDP_E_LINE_LEN, 2, "more than the 512" },
		{ "v=0\nm=message 1 TCP/MSRP \001\n", -EINVAL, SDP_E_CHAR, 2, "control" },
		{ "v=0\rm=x\n", -EINVAL, SDP_E_CHAR, 1, "CR not before LF" },
		{ "", -EINVAL, SDP_E_EMPTY, 0, "no line" },
		{ " \r\n\t\n", -EINVAL, SDP_E_EMPTY, 0, "no line" },
		{ "v=0\nhello\n", -EINVAL, SDP_E_LINE, 2, "not <letter>=" },
		{ "v=0\nM=message 1 TCP/MSRP *\n", -EINVAL, SDP_E_LINE, 2, "not <letter>=" },
		{ "v=0\n\nm=message 1 TCP/MSRP *\n", -EINVAL, SDP_E_LINE, 2, "empty line" },
		{ "v=0\nx=1\n", -EINVAL, SDP_E_LINE, 2, "x=: a type" },
		{ "v=0\na=\n", -EINVAL, SDP_E_LINE, 2, "no attribute name" },
		{ "c=IN IP4 $\nv=0\n", -EINVAL, SDP_E_VERSION, 1, "not v=0" },
		{ "v=1\n", -EINVAL, SDP_E_VERSION, 1, "only version 0" },
		{ "v=0\nm=message 1 TCP/MSRP *\nv=0\n", -ENOTSUP, SDP_E_ALTERNATIVE, 3, "alternatives" },
		{ "v=0\nm=message 1 TCP/MSRP *\nt=0 0\n", -EINVAL, SDP_E_ORDER, 3, "after m=" },
		{ "v=0\no=- 1 1 IN IP4 $\no=- 1 1 IN IP4 $\n", -EINVAL, SDP_E_DUPLICATE, 3, "second" },
		{ "v=0\ns=a\ns=b\n", -EINVAL, SDP_E_DUPLICATE, 3, "second" },
		{ "v=0\nc=IN IP4 $\nc=IN IP4 $\n", -EINVAL, SDP_E_DUPLICATE, 3, "line 2" },
		{ "v=0\nm=message 1 TCP/MSRP *\na=setup:active\na=setup:active\n", -EINVAL,
		  SDP_E_DUPLICATE, 4, "the first is line 3" },
		{ "v=0\nm=message 1 TCP/MSRP *\na=connection:new\na=connection:new\n", -EINVAL,
		  SDP_E_DUPLICATE, 4, "the first is line 3" },
		{ "v=0\nm=message 1 TCP/MSRP *\na=path:msrp://a/b;tcp\na=path:msrp://a/c;tcp\n",
		  -EINVAL, SDP_E_DUPLICATE, 4, "the first is line 3" },
		{ "v=0\nm=message 1 TCP/MSRP *\na=path:x\n", -EINVAL, SDP_E_PATH, 3, "msrp://" },
		{ "v=0\nm=message 1 TCP/MSRP *\na=path:msrp://a/b  msrp://c/d\n", -EINVAL,
		  SDP_E_PATH, 3, "single spaces" },
		{ longpath, -E2BIG, SDP_E_TOO_LONG, 3, "a=path: longer" },
		{ "v=0\ns=" "0123456789012345678901234567890123456789012345678901234567890123"
		  "0123456789012345678901234567890123456789012345678901234567890123\n", -E2BIG,
		  SDP_E_TOO_LONG, 2, "s=: longer than 127" },
		{ "v=0\nm=messagemessagemessagemessagemessage 1 TCP/MSRP *\n", -E2BIG,
		  SDP_E_TOO_LONG, 2, "media or proto" },
		{ "v=0\no=- 1 1 IN IP4\n", -EINVAL, SDP_E_ORIGIN, 2, "o=: not" },
		{ "v=0\no=- 1  1 IN IP4 $\n", -EINVAL, SDP_E_ORIGIN, 2, "o=: not" },
		{ "v=0\nc=IN IP4\n", -EINVAL, SDP_E_CONN, 2, "c=: not" },
		{ "v=0\nc=ATM IP4 $\n", -EINVAL, SDP_E_CONN, 2, "network type \"ATM\"" },
		{ "v=0\nc=IN IPX $\n", -EINVAL, SDP_E_CONN, 2, "address type" },
		{ "v=0\nc=IN IP4 224.2.1.1/127\n", -EINVAL, SDP_E_CONN, 2, "multicast" },
		{ "v=0\nc=IN IP4 224.2.1.1\n", -EINVAL, SDP_E_CONN, 2, "multicast" },
		{ "v=0\nc=IN IP6 ff02::1\n", -EINVAL, SDP_E_CONN, 2, "multicast" },
		{ "v=0\nc=IN IP4 192.0.2.300\n", -EINVAL, SDP_E_CONN, 2, "not an IPv4" },
		{ "v=0\nc=IN IP6 192.0.2.1\n", -EINVAL, SDP_E_CONN, 2, "not an IPv6" },
		{ "v=0\nc=IN IP4 a_b.example\n", -EINVAL, SDP_E_CONN, 2, "not an IPv4" },
		{ "v=0\nm=message 1 TCP/MSRP\n", -EINVAL, SDP_E_MEDIA, 2, "m=: not" },
		{ "v=0\nm=message 1 TCP/MSRP * \n", -EINVAL, SDP_E_MEDIA, 2, "m=: not" },
		{ "v=0\nm=message 1 TCP/MSRP *  x\n", -EINVAL, SDP_E_MEDIA, 2, "format list" },
		{ "v=0\nm=message 70000 TCP/MSRP *\n", -EINVAL, SDP_E_PORT, 2, "not 0..65535" },
		{ "v=0\nm=message 100000 TCP/MSRP *\n", -EINVAL, SDP_E_PORT, 2, "not 0..65535" },
		{ "v=0\nm=message 7a TCP/MSRP *\n", -EINVAL, SDP_E_PORT, 2, "not a number" },
		{ "v=0\nm=message 4000/2 TCP/MSRP *\n", -EINVAL, SDP_E_PORT, 2, "count" },
		{ "v=0\nm=message 1 TCP/MSRP *\nm=message 2 TCP/MSRP *\n", -ENOTSUP,
		  SDP_E_MEDIA_COUNT, 3, "the first is line 2" },
		{ "v=0\nm=message 1 TCP/MSRP *\na=setup:both\n", -EINVAL, SDP_E_SETUP, 3, "\"both\"" },
		{ "v=0\nm=message 1 TCP/MSRP *\na=setup\n", -EINVAL, SDP_E_SETUP, 3, "not active" },
		{ "v=0\nm=message 1 TCP/MSRP *\na=connection:old\n", -EINVAL, SDP_E_CONNECTION, 3,
		  "\"old\"" },
		{ "v=0\nm=message 1 TCP/TLS/MSRP *\n"
		  "a=fingerprint:sha-256 D1:2C:BE:AD:C4:F6:64:5C:25:16:11:9C:AF:E7:0F:73:79:36:4E:9C"
		  ":1E:15:54:39:0C:06:8B:A0:60:7F:0E\n", -EINVAL, SDP_E_FINGERPRINT, 3,
		  "line 3: a=fingerprint: sha-256 needs 32 bytes, 31 given" },
		{ "v=0\nm=message 1 TCP/TLS/MSRP *\na=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54"
		  ":02:12:DF:3E:5D:49:6B:19:E5:7C:AZ\n", -EINVAL, SDP_E_FINGERPRINT, 3, "hex" },
		{ "v=0\nm=message 1 TCP/TLS/MSRP *\na=fingerprint:md5 4A:AD:B9:B1:3F:82:18:3B:54"
		  ":02:12:DF:3E:5D:49:6B\n", -ENOTSUP, SDP_E_FP_HASH, 3, "md2 and md5" },
		{ fivefp, -E2BIG, SDP_E_FP_COUNT, 7, "more than 4" },
	};
	struct sdp d;
	struct sdp_error e;
	size_t n;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "v=0\n", 4);
	n = (size_t)snprintf(many, sizeof(many), "v=0\n");
	for (unsigned int i = 1; i < SDP_LINES_MAX + 1; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "a=x\n");
	snprintf(longline, sizeof(longline), "v=0\ni=%0*d\n", SDP_LINE_MAX - 1, 0);
	n = (size_t)snprintf(longpath, sizeof(longpath), "v=0\nm=message 1 TCP/MSRP *\na=path:msrp://");
	memset(longpath + n, 'p', SDP_PATH_MAX);
	n = (size_t)snprintf(fivefp, sizeof(fivefp), "v=0\nm=message 1 TCP/TLS/MSRP *\n");
	for (unsigned int i = 0; i < 5; i++)
		n += (size_t)snprintf(fivefp + n, sizeof(fivefp) - n, "a=fingerprint:sha-1 " FP1 "\n");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad *b = &bad[i];
		int rc = parse(b->text, &d, &e);

		if (rc != b->rc || e.code != b->code || e.line != b->line ||
		    strstr(e.msg, b->says) == NULL)
			fail_msg("case %zu (%.30s...): rc %d code %s line %u \"%s\"", i, b->text, rc,
				 sdp_err_name(e.code), e.line, e.msg);
		/* the sentence names the line it blames */
		if (b->line > 0) {
			char pre[32];

			snprintf(pre, sizeof(pre), "line %u: ", b->line);
			assert_int_equal(strncmp(e.msg, pre, strlen(pre)), 0);
		}
		/* nothing is left behind */
		assert_false(d.has_media);
		assert_int_equal(d.nlines, 0);
	}
	/* without an err to fill, the same return */
	assert_int_equal(sdp_parse("v=1\n", 4, &d, NULL), -EINVAL);
	assert_int_equal(sdp_parse(NULL, 0, &d, &e), -EINVAL);
	assert_int_equal(e.code, SDP_E_EMPTY);
	/* exactly at the limits: taken */
	longline[strlen(longline) - 2] = '\0';    /* one byte less: 512 */
	strcat(longline, "\n");
	assert_int_equal(parse(longline, &d, &e), 0);
	many[strlen(many) - 4] = '\0';
	assert_int_equal(parse(many, &d, &e), 0);
	assert_int_equal(d.nlines, SDP_LINES_MAX);
}

/* Local and Remote of one termination from their a=setup values. */
static void
mk(char *buf, size_t size, const char *proto, const char *addr, const char *port,
   const char *setup, bool fp)
{
	int n = snprintf(buf, size, "v=0\r\nc=IN IP4 %s\r\nm=%s %s %s *\r\n", addr,
			 strstr(proto, "MSRP") != NULL ? "message" : "application", port, proto);

	if (setup != NULL)
		n += snprintf(buf + n, size - (size_t)n, "a=setup:%s\r\n", setup);
	if (fp)
		snprintf(buf + n, size - (size_t)n, "a=fingerprint:sha-256 " FP256 "\r\n");
}

struct role_case {
	const char *ls, *rs;   /* NULL: no a=setup line; "-": no Local/Remote */
	unsigned int flags;
	int rc;
	enum sdp_role role;    /* with rc 0 */
	enum sdp_err code;     /* with rc < 0 */
};

static void
test_sdp_derive_roles(void **state)
{
	const struct role_case cases[] = {
		/* Remote decides (RFC 4145 section 4.1) */
		{ "$", "active", 0, 0, SDP_ROLE_SERVER, 0 },
		{ "$", "passive", 0, 0, SDP_ROLE_CLIENT, 0 },
		{ "$", "holdconn", 0, 0, SDP_ROLE_NONE, 0 },
		{ "$", "actpass", 0, 0, SDP_ROLE_SERVER, 0 },
		{ "$", "actpass", SDP_PREFER_CLIENT, 0, SDP_ROLE_CLIENT, 0 },
		{ NULL, "active", 0, 0, SDP_ROLE_SERVER, 0 },
		{ NULL, "passive", 0, 0, SDP_ROLE_CLIENT, 0 },
		{ "actpass", "passive", 0, 0, SDP_ROLE_CLIENT, 0 },
		{ "-", "active", 0, 0, SDP_ROLE_SERVER, 0 },
		{ "-", "passive", SDP_PREFER_CLIENT, 0, SDP_ROLE_CLIENT, 0 },
		/* the controller decides, Remote must fit */
		{ "active", "passive", 0, 0, SDP_ROLE_CLIENT, 0 },
		{ "active", "actpass", 0, 0, SDP_ROLE_CLIENT, 0 },
		{ "active", NULL, 0, 0, SDP_ROLE_CLIENT, 0 },
		{ "passive", "active", 0, 0, SDP_ROLE_SERVER, 0 },
		{ "passive", "actpass", SDP_PREFER_CLIENT, 0, SDP_ROLE_SERVER, 0 },
		{ "passive", "-", SDP_PREFER_CLIENT, 0, SDP_ROLE_SERVER, 0 },
		{ "holdconn", "active", 0, 0, SDP_ROLE_NONE, 0 },
		{ "holdconn", "holdconn", 0, 0, SDP_ROLE_NONE, 0 },
		{ "active", "active", 0, -EINVAL, 0, SDP_E_ROLE_CONFLICT },
		{ "passive", "passive", 0, -EINVAL, 0, SDP_E_ROLE_CONFLICT },
		{ "active", "holdconn", 0, -EINVAL, 0, SDP_E_ROLE_CONFLICT },
		{ "passive", "holdconn", 0, -EINVAL, 0, SDP_E_ROLE_CONFLICT },
		/* nobody says: RFC 4145's default needs to know the offer */
		{ NULL, NULL, 0, -EINVAL, 0, SDP_E_SETUP_MISSING },
		{ "actpass", NULL, 0, -EINVAL, 0, SDP_E_SETUP_MISSING },
		{ NULL, NULL, SDP_REMOTE_OFFER, 0, SDP_ROLE_SERVER, 0 },
		{ NULL, NULL, SDP_REMOTE_ANSWER, 0, SDP_ROLE_CLIENT, 0 },
		{ NULL, NULL, SDP_REMOTE_OFFER | SDP_REMOTE_ANSWER, -EINVAL, 0, SDP_E_SETUP_MISSING },
		{ NULL, NULL, 0x80, -EINVAL, 0, SDP_E_SETUP_MISSING },
		/* Local alone: ours to choose */
		{ NULL, "-", 0, 0, SDP_ROLE_SERVER, 0 },
		{ "actpass", "-", 0, 0, SDP_ROLE_SERVER, 0 },
		{ "$", "-", SDP_PREFER_CLIENT, 0, SDP_ROLE_CLIENT, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct role_case *c = &cases[i];
		char lt[512], rt[512];
		struct sdp l, r;
		struct sdp_term t;
		struct sdp_error e;
		bool hl = c->ls == NULL || strcmp(c->ls, "-") != 0;
		bool hr = c->rs == NULL || strcmp(c->rs, "-") != 0;
		int rc;

		mk(lt, sizeof(lt), "TCP/TLS/MSRP", "$", "$", hl ? c->ls : NULL, false);
		mk(rt, sizeof(rt), "TCP/TLS/MSRP", "192.0.2.7", "7777", hr ? c->rs : NULL, true);
		assert_int_equal(parse(lt, &l, NULL), 0);
		assert_int_equal(parse(rt, &r, NULL), 0);
		rc = sdp_derive(hl ? &l : NULL, hr ? &r : NULL, c->flags, &t, &e);
		if (rc != c->rc || (rc == 0 && t.role != c->role) || (rc < 0 && e.code != c->code))
			fail_msg("case %zu (Local %s, Remote %s, flags %x): rc %d role %d %s \"%s\"",
				 i, c->ls ? c->ls : "none", c->rs ? c->rs : "none", c->flags, rc,
				 t.role, sdp_err_name(e.code), e.msg);
		if (rc == 0) {
			assert_non_null(t.why_role);
			assert_true(t.tls);
			assert_int_equal(t.nfp, hr ? 1 : 0);
			/* a server takes the peer from any port; a client connects to it */
			if (hr)
				assert_int_equal(t.remote_port, t.role == SDP_ROLE_SERVER ? 0 : 7777);
		} else {
			assert_int_equal(t.role, 0);
			assert_int_equal(t.nfp, 0);
			assert_true(e.msg[0] != '\0');
		}
	}
}

struct dcase {
	const char *local, *remote;   /* NULL: not given */
	int rc;
	enum sdp_err code;
	const char *says;
};

static void
test_sdp_derive_errors(void **state)
{
	const struct dcase cases[] = {
		{ NULL, NULL, -EINVAL, SDP_E_NO_MEDIA, "neither" },
		{ "v=0\nc=IN IP4 $\n", NULL, -EINVAL, SDP_E_NO_MEDIA, "Local has no m=" },
		{ NULL, "v=0\nm=audio 4000 RTP/AVP 0\n", -ENOTSUP, SDP_E_PROTO, "RTP/AVP" },
		{ NULL, "v=0\nc=IN IP4 192.0.2.1\nm=application 4000 TCP/MSRP *\na=setup:active\n",
		  -ENOTSUP, SDP_E_PROTO, "it is m=message" },
		{ NULL, "v=0\nc=IN IP4 192.0.2.1\nm=message 4000 TCP/BFCP *\na=setup:active\n",
		  -ENOTSUP, SDP_E_PROTO, "it is m=application" },
		{ "v=0\nm=message $ TCP/MSRP *\n",
		  "v=0\nc=IN IP4 192.0.2.1\nm=message 4000 TCP/TLS/MSRP *\na=setup:active\n",
		  -EINVAL, SDP_E_PROTO_MISMATCH, "Local is TCP/MSRP, Remote TCP/TLS/MSRP" },
		{ NULL, "v=0\nc=IN IP4 192.0.2.1\nm=message 4000 TCP/TLS/MSRP *\na=setup:active\n",
		  -EINVAL, SDP_E_NO_FINGERPRINT, "without a=fingerprint" },
		{ NULL, "v=0\nm=message 4000 TCP/MSRP *\na=setup:active\n", -EINVAL,
		  SDP_E_ADDRESS, "no c=" },
		{ NULL, "v=0\nc=IN IP4 $\nm=message 4000 TCP/MSRP *\na=setup:active\n", -EINVAL,
		  SDP_E_ADDRESS, "own side" },
		{ NULL, "v=0\nc=IN IP4 0.0.0.0\nm=message 4000 TCP/MSRP *\na=setup:active\n",
		  -EINVAL, SDP_E_ADDRESS, "unspecified" },
		{ "v=0\nc=IN IP4 example.net\nm=message $ TCP/MSRP *\n", NULL, -ENOTSUP,
		  SDP_E_ADDRESS, "Local's c= is a name" },
		{ "v=0\nc=IN IP4 0.0.0.0\nm=message $ TCP/MSRP *\n", NULL, -EINVAL,
		  SDP_E_ADDRESS, "unspecified" },
		{ "v=0\nc=IN IP6 $\nm=message $ TCP/MSRP *\n",
		  "v=0\nc=IN IP4 192.0.2.1\nm=message 4000 TCP/MSRP *\na=setup:active\n", -EINVAL,
		  SDP_E_ADDRESS, "Remote is IP4, Local IP6" },
		{ NULL, "v=0\nc=IN IP4 192.0.2.1\nm=message $ TCP/MSRP *\na=setup:active\n",
		  -EINVAL, SDP_E_REMOTE_PORT, "Remote's port is $" },
		{ NULL, "v=0\nc=IN IP4 192.0.2.1\nm=message 0 TCP/MSRP *\na=setup:active\n",
		  -EINVAL, SDP_E_PORT_ZERO, "refused or disabled" },
		{ "v=0\nm=message 0 TCP/MSRP *\n", NULL, -EINVAL, SDP_E_PORT_ZERO, "Local's port is 0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dcase *c = &cases[i];
		struct sdp l, r;
		struct sdp_term t;
		struct sdp_error e;
		int rc;

		if (c->local != NULL)
			assert_int_equal(parse(c->local, &l, NULL), 0);
		if (c->remote != NULL)
			assert_int_equal(parse(c->remote, &r, NULL), 0);
		rc = sdp_derive(c->local ? &l : NULL, c->remote ? &r : NULL, 0, &t, &e);
		if (rc != c->rc || e.code != c->code || strstr(e.msg, c->says) == NULL)
			fail_msg("case %zu: rc %d %s \"%s\"", i, rc, sdp_err_name(e.code), e.msg);
		assert_false(t.remote_known);
	}
}

/* CHOOSE, fixed values, session-level values overridden per medium. */
static void
test_sdp_choose_and_levels(void **state)
{
	struct sdp l, r;
	struct sdp_term t;
	struct sdp_error e;

	(void)state;
	/* Local fixes our address and port and asks for our fingerprint */
	assert_int_equal(parse("v=0\nc=IN IP6 2001:db8::1\nm=message 20000 TCP/TLS/MSRP *\n"
			       "a=setup:passive\na=fingerprint:$\n", &l, &e), 0);
	assert_true(l.media.fp_choose);
	assert_int_equal(l.media.nfp, 0);
	assert_int_equal(sdp_derive(&l, NULL, 0, &t, &e), 0);
	assert_false(t.local_addr_choose);
	assert_false(t.local_port_choose);
	assert_true(t.fp_asked);
	assert_int_equal(t.local_port, 20000);
	assert_int_equal(t.local_family, AF_INET6);
	assert_int_equal(t.local_ip[0], 0x20);
	assert_int_equal(t.local_ip[15], 1);
	assert_int_equal(t.connection, SDP_CONNECTION_NEW);
	/* no c= in Local: ours to pick too */
	assert_int_equal(parse("v=0\nm=message $ TCP/MSRP *\na=setup:$\n", &l, &e), 0);
	assert_int_equal(l.media.setup, SDP_SETUP_CHOOSE);
	assert_int_equal(sdp_derive(&l, NULL, 0, &t, &e), 0);
	assert_true(t.local_addr_choose);
	assert_int_equal(t.local_family, 0);

	/* session-level c=, a=setup and fingerprints, the medium's win */
	assert_int_equal(parse("v=0\nc=IN IP4 192.0.2.1\na=setup:passive\n"
			       "a=fingerprint:sha-1 " FP1 "\na=connection:existing\n"
			       "m=message 7000 TCP/TLS/MSRP *\nc=IN IP4 192.0.2.9\n"
			       "a=fingerprint:sha-256 " FP256 "\n", &r, &e), 0);
	assert_int_equal(r.addr.ip[3], 1);
	assert_int_equal(r.media.addr.ip[3], 9);
	assert_int_equal(r.media.setup, SDP_SETUP_PASSIVE);
	assert_int_equal(r.media.setup_line, 3);
	assert_int_equal(r.media.nfp, 1);
	assert_int_equal(r.media.fp[0].alg, CERTFP_SHA256);
	assert_int_equal(sdp_derive(NULL, &r, 0, &t, &e), 0);
	assert_int_equal(t.role, SDP_ROLE_CLIENT);
	assert_int_equal(t.connection, SDP_CONNECTION_EXISTING);
	assert_int_equal(t.remote_ip[3], 9);
	/* the session's, when the medium has none */
	assert_int_equal(parse("v=0\nc=IN IP4 192.0.2.1\na=setup:active\n"
			       "a=fingerprint:sha-1 " FP1 "\n"
			       "m=message 9 TCP/TLS/MSRP *\n", &r, &e), 0);
	assert_int_equal(sdp_derive(NULL, &r, 0, &t, &e), 0);
	assert_int_equal(t.role, SDP_ROLE_SERVER);
	assert_int_equal(t.nfp, 1);
	assert_int_equal(t.fp[0].alg, CERTFP_SHA1);
	assert_int_equal(t.remote_ip[3], 1);
	/* a plain proto's fingerprints are not the peer's certificate's */
	assert_int_equal(parse("v=0\nc=IN IP4 192.0.2.1\nm=message 9 TCP/MSRP *\n"
			       "a=setup:active\na=fingerprint:sha-1 " FP1 "\n", &r, &e), 0);
	assert_int_equal(sdp_derive(NULL, &r, 0, &t, &e), 0);
	assert_false(t.tls);
	assert_int_equal(t.nfp, 0);
}

static const struct certfp *
our_fp(void)
{
	static struct certfp fp[2];

	assert_int_equal(certfp_parse("sha-256 " FP256, strlen("sha-256 " FP256), &fp[0], NULL), 0);
	assert_int_equal(certfp_parse("sha-1 " FP1, strlen("sha-1 " FP1), &fp[1], NULL), 0);
	return fp;
}

static void
test_sdp_write_round_trip(void **state)
{
	const uint8_t setups[] = { SDP_SETUP_ACTIVE, SDP_SETUP_PASSIVE, SDP_SETUP_HOLDCONN };
	const struct certfp *fp = our_fp();

	(void)state;
	for (unsigned int p = SDP_PROTO_TCP_MSRP; p <= SDP_PROTO_TCP_TLS_BFCP; p++) {
		for (unsigned int s = 0; s < 3; s++) {
			for (unsigned int fam = 0; fam < 2; fam++) {
				bool tls = sdp_proto_tls(p), msrp = p <= SDP_PROTO_TCP_TLS_MSRP;
				struct sdp_answer a = {
					.family = fam ? AF_INET6 : AF_INET,
					.media = msrp ? SDP_MEDIA_MESSAGE : SDP_MEDIA_APPLICATION,
					.proto = (uint8_t)p, .setup = setups[s],
					.port = setups[s] == SDP_SETUP_PASSIVE ? 20002 : 0,
					.sess_id = 42, .sess_version = UINT64_MAX,
					.path = msrp ? "msrps://192.0.2.1:20002/abc;tcp" : NULL,
					.fp = tls ? fp : NULL, .nfp = tls ? 2 : 0,
				};
				char buf[1024], again[1024];
				struct sdp d;
				struct sdp_term t;
				struct sdp_error e;
				int n;

				inet_pton(a.family, fam ? "2001:db8::5" : "192.0.2.5", a.ip);
				n = sdp_write(&a, buf, sizeof(buf));
				assert_true(n > 0);
				assert_int_equal((size_t)n, strlen(buf));
				assert_int_equal(sdp_parse(buf, (size_t)n, &d, &e), 0);
				assert_int_equal(d.media.proto, p);
				assert_int_equal(d.media.setup, setups[s]);
				assert_int_equal(d.media.port, a.port ? a.port : 9);
				assert_int_equal(d.media.connection, SDP_CONNECTION_NEW);
				assert_int_equal(d.media.addr.kind, SDP_ADDR_IP);
				assert_memory_equal(d.media.addr.ip, a.ip, 16);
				assert_int_equal(d.media.nfp, a.nfp);
				for (unsigned int i = 0; i < a.nfp; i++)
					assert_true(certfp_equal(&d.media.fp[i], &fp[i]));
				assert_string_equal(d.media.path, a.path ? a.path : "");
				assert_string_equal(d.origin, fam ? "- 42 18446744073709551615 IN IP6 2001:db8::5"
								  : "- 42 18446744073709551615 IN IP4 192.0.2.5");
				/* the peer reading our answer as its Remote takes the other role */
				assert_int_equal(sdp_derive(NULL, &d, 0, &t, &e), 0);
				assert_int_equal(t.role, setups[s] == SDP_SETUP_ACTIVE ? SDP_ROLE_SERVER :
							 setups[s] == SDP_SETUP_PASSIVE ? SDP_ROLE_CLIENT :
							 SDP_ROLE_NONE);
				/* every size short of the text: -ENOSPC, nothing written */
				for (size_t sz = 0; sz <= (size_t)n; sz++) {
					memset(again, 'x', sizeof(again));
					assert_int_equal(sdp_write(&a, again, sz), -ENOSPC);
					if (sz > 0)
						assert_int_equal(again[0], '\0');
				}
				assert_int_equal(sdp_write(&a, again, (size_t)n + 1), n);
				assert_string_equal(again, buf);
			}
		}
	}
}

static void
test_sdp_write_refuses(void **state)
{
	const struct certfp *fp = our_fp();
	struct sdp_answer ok = {
		.family = AF_INET, .media = SDP_MEDIA_MESSAGE, .proto = SDP_PROTO_TCP_TLS_MSRP,
		.setup = SDP_SETUP_PASSIVE, .port = 20000, .fp = fp, .nfp = 1,
		.fmt = "* text/plain",
	};
	struct sdp_answer a;
	struct certfp bad = { 0 };
	char buf[1024];

	(void)state;
	assert_true(sdp_write(&ok, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "m=message 20000 TCP/TLS/MSRP * text/plain\r\n"));
	assert_non_null(strstr(buf, "a=fingerprint:sha-256 " FP256 "\r\n"));
	a = ok; a.family = 7;
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.media = SDP_MEDIA_APPLICATION;
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.proto = SDP_PROTO_OTHER;
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.setup = SDP_SETUP_ACTPASS;
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.nfp = 0;
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.proto = SDP_PROTO_TCP_MSRP;
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.nfp = SDP_FP_MAX + 1;
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.fp = &bad;
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.port = 0;
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.fmt = "* ";
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.fmt = "a\r\nb";
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.path = "http://x";
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.path = "msrp://x\r\na=setup:active";
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.connection = 3;
	assert_int_equal(sdp_write(&a, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sdp_write(NULL, buf, sizeof(buf)), -EINVAL);
}

static void
test_sdp_err_names(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < SDP_E_COUNT; i++) {
		assert_non_null(sdp_err_name(i));
		assert_non_null(sdp_err_help(i));
		for (unsigned int j = 0; j < i; j++)
			assert_string_not_equal(sdp_err_name(i), sdp_err_name(j));
	}
	assert_null(sdp_err_name(SDP_E_COUNT));
	assert_string_equal(sdp_err_name(SDP_E_FINGERPRINT), "fingerprint");
	assert_string_equal(sdp_setup_name(SDP_SETUP_HOLDCONN), "holdconn");
	assert_null(sdp_setup_name(SDP_SETUP_NONE));
	assert_string_equal(sdp_proto_name(SDP_PROTO_TCP_TLS_BFCP), "TCP/TLS/BFCP");
	assert_null(sdp_proto_name(SDP_PROTO_OTHER));
}

/* ---- RTP media ------------------------------------------------------------------ */

/* Keys of each length, with their octets (made up for these tests). */
#define K30A "Mr7+b1xcy962smqR+F2Np/Ib4QE46fzz9rlodPDA"
#define K30A_HEX "32befe6f5c5ccbdeb6b26a91f85d8da7f21be10138e9fcf3f6b96874f0c0"
#define K30B "P4Sc3ovVqqThvMnqf0WjcOM9WYObRPYloIhq/XfO"
#define K38 "BpfYG6RpBsj5I+qYbbVEAungSEzuzFAnnbegzukpPETQFnwjzVA="
#define K46 "PCAfV3hlv2jxre20MLrsZQwcuFero7CYGsCHE07LVlDRHX/jrZH8yXRW50CGQQ=="
#define K28 "jw/klEbHg8wj1OojYtInbmTiAjYVefXeYTlGYQ=="
#define K44 "OhG2QWcb+x26O7+HchfYjTNyDRRgbkz4TMUyNMOjxDa/cy2f0KtJrjb6M+Y="
#define K29 "klHIf2oubvCbVqRO4hGw5Ysh0Fp3NItxo855LCE="
#define K31 "Q7k6gLRqpAyMaj5GM+7J90lg1ltktObKXobFJe3xLQ=="

/* A key's octets, as the parser reads them. */
static unsigned int
key_from(unsigned int suite, const char *b64, uint8_t *out)
{
	char text[256];
	struct sdp d;

	snprintf(text, sizeof(text), "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 %s inline:%s\n",
		 sdp_suite_name(suite), b64);
	assert_int_equal(parse(text, &d, NULL), 0);
	memcpy(out, d.media.crypto[0].key, d.media.crypto[0].key_len);
	return d.media.crypto[0].key_len;
}

static void
hex_bytes(const char *hex, uint8_t *out)
{
	for (size_t i = 0; hex[2 * i] != '\0'; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

/*
 * An IMS UE's offer for a voice call with end-to-access-edge security, in
 * the form TS 26.114 and TS 24.229 give it: AMR-WB (bandwidth-efficient
 * and octet-aligned), AMR, telephone-event at both clock rates, the
 * preconditions (RFC 3312), b=AS/RS/RR, and SDES keys for RTP/SAVP (TS
 * 33.328, with its a=3ge2ae).
 */
static const char volte_offer[] =
	"v=0\r\n"
	"o=- 1027933615 1027933615 IN IP6 2001:db8:1::11\r\n"
	"s=-\r\n"
	"c=IN IP6 2001:db8:1::11\r\n"
	"b=AS:41\r\n"
	"b=RS:512\r\n"
	"b=RR:1537\r\n"
	"t=0 0\r\n"
	"m=audio 49152 RTP/SAVP 116 107 97 118 111\r\n"
	"b=AS:41\r\n"
	"a=rtpmap:116 AMR-WB/16000/1\r\n"
	"a=fmtp:116 mode-change-capability=2;max-red=220\r\n"
	"a=rtpmap:107 AMR-WB/16000/1\r\n"
	"a=fmtp:107 octet-align=1;mode-change-capability=2;max-red=220\r\n"
	"a=rtpmap:97 AMR/8000/1\r\n"
	"a=fmtp:97 mode-change-capability=2;max-red=220\r\n"
	"a=rtpmap:118 telephone-event/16000\r\n"
	"a=fmtp:118 0-15\r\n"
	"a=rtpmap:111 telephone-event/8000\r\n"
	"a=fmtp:111 0-15\r\n"
	"a=curr:qos local none\r\n"
	"a=curr:qos remote none\r\n"
	"a=des:qos mandatory local sendrecv\r\n"
	"a=des:qos optional remote sendrecv\r\n"
	"a=ptime:20\r\n"
	"a=maxptime:240\r\n"
	"a=sendrecv\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A "|2^31\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" K30B "|2^31\r\n"
	"a=3ge2ae:requested\r\n";

/* The IMS-ALG's Local for the UE's side: our address, port and key to pick. */
static const char volte_local[] =
	"v=0\r\nc=IN IP6 $\r\nm=audio $ RTP/SAVP 116 107 97 118 111\r\n"
	"a=rtpmap:116 AMR-WB/16000/1\r\n"
	"a=fmtp:116 mode-change-capability=2;max-red=220\r\n"
	"a=rtpmap:107 AMR-WB/16000/1\r\n"
	"a=fmtp:107 octet-align=1;mode-change-capability=2;max-red=220\r\n"
	"a=rtpmap:97 AMR/8000/1\r\n"
	"a=fmtp:97 mode-change-capability=2;max-red=220\r\n"
	"a=rtpmap:118 telephone-event/16000\r\n"
	"a=fmtp:118 0-15\r\n"
	"a=rtpmap:111 telephone-event/8000\r\n"
	"a=fmtp:111 0-15\r\n"
	"a=ptime:20\r\na=maxptime:240\r\n"
	"a=crypto:$\r\n";

static void
test_sdp_volte_offer(void **state)
{
	struct sdp r, l, back;
	struct sdp_rtp_term t;
	struct sdp_error e;
	uint8_t k[30];
	char buf[2048];
	int n;

	(void)state;
	assert_int_equal(parse(volte_offer, &r, &e), 0);
	assert_int_equal(r.media.type, SDP_MEDIA_AUDIO);
	assert_int_equal(r.media.proto, SDP_PROTO_RTP_SAVP);
	assert_int_equal(r.media.port, 49152);
	assert_int_equal(r.media.npt, 5);
	assert_int_equal(r.media.pt[0], 116);
	assert_int_equal(r.media.pt[4], 111);
	assert_int_equal(r.media.ptime, 20);
	assert_int_equal(r.media.maxptime, 240);
	assert_int_equal(r.media.dir, SDP_DIR_SENDRECV);
	assert_false(r.media.rtcp_mux);
	/* b= x4, t=, a=curr x2, a=des x2, a=3ge2ae: kept, not interpreted */
	assert_int_equal(r.nother, 10);
	assert_non_null(strstr(r.media.codec, "a=rtpmap:116 AMR-WB/16000/1\r\n"
					      "a=fmtp:116 mode-change-capability=2;max-red=220\r\n"));
	assert_non_null(strstr(r.media.codec, "a=ptime:20\r\na=maxptime:240\r\n"));
	assert_null(strstr(r.media.codec, "curr"));
	assert_int_equal(r.media.ncrypto, 2);
	assert_int_equal(r.media.crypto[0].tag, 1);
	assert_int_equal(r.media.crypto[0].suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(r.media.crypto[0].key_len, 30);
	hex_bytes(K30A_HEX, k);
	assert_memory_equal(r.media.crypto[0].key, k, 30);
	assert_int_equal(r.media.crypto[0].lifetime, UINT64_C(1) << 31);
	assert_int_equal(r.media.crypto[0].line, 28);
	assert_null(r.media.crypto[0].unusable);
	assert_int_equal(r.media.crypto[1].suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_32);

	/* the TCP deriver still refuses it, as cp/iq's 515 needs */
	{
		struct sdp_term tt;

		assert_int_equal(sdp_derive(NULL, &r, 0, &tt, &e), -ENOTSUP);
		assert_int_equal(e.code, SDP_E_PROTO);
	}

	assert_int_equal(parse(volte_local, &l, &e), 0);
	assert_true(l.media.crypto_choose);
	assert_int_equal(sdp_rtp_derive(&l, &r, 0, &t, &e), 0);
	assert_int_equal(t.media, SDP_MEDIA_AUDIO);
	assert_true(t.srtp);
	assert_true(t.local_addr_choose && t.local_port_choose);
	assert_int_equal(t.local_family, AF_INET6);
	assert_int_equal(t.remote_port, 49152);
	assert_int_equal(t.remote_rtcp_port, 49153);
	assert_false(t.rtcp_mux);
	assert_int_equal(t.remote_dir, SDP_DIR_SENDRECV);
	assert_int_equal(t.peer.tag, 1);
	assert_memory_equal(t.peer.key, k, 30);
	assert_int_equal(t.ours.tag, 1);
	assert_int_equal(t.ours.suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_80);
	assert_true(t.key_choose);
	assert_int_equal(t.ours.key_len, 0);

	/* our answer: the offer's tag and suite, our key, Local's codec lines */
	{
		struct sdp_crypto ours = t.ours;
		struct sdp_rtp_answer a = {
			.family = AF_INET6, .media = t.media, .proto = t.proto, .port = 20000,
			.rtcp_port = 20001, .dir = sdp_dir_answer(t.remote_dir),
			.sess_id = 7, .sess_version = 1, .fmt = l.media.fmt, .attrs = l.media.codec,
			.crypto = &ours, .ncrypto = 1,
		};

		inet_pton(AF_INET6, "2001:db8:ffff::1", a.ip);
		hex_bytes(K30A_HEX, ours.key);     /* stands for the CSPRNG's */
		ours.key[0] ^= 0xff;
		ours.key_len = 30;
		n = sdp_rtp_write(&a, buf, sizeof(buf));
		assert_true(n > 0);
		assert_string_equal(buf,
			"v=0\r\n"
			"o=- 7 1 IN IP6 2001:db8:ffff::1\r\n"
			"s=-\r\n"
			"c=IN IP6 2001:db8:ffff::1\r\n"
			"m=audio 20000 RTP/SAVP 116 107 97 118 111\r\n"
			"a=rtpmap:116 AMR-WB/16000/1\r\n"
			"a=fmtp:116 mode-change-capability=2;max-red=220\r\n"
			"a=rtpmap:107 AMR-WB/16000/1\r\n"
			"a=fmtp:107 octet-align=1;mode-change-capability=2;max-red=220\r\n"
			"a=rtpmap:97 AMR/8000/1\r\n"
			"a=fmtp:97 mode-change-capability=2;max-red=220\r\n"
			"a=rtpmap:118 telephone-event/16000\r\n"
			"a=fmtp:118 0-15\r\n"
			"a=rtpmap:111 telephone-event/8000\r\n"
			"a=fmtp:111 0-15\r\n"
			"a=ptime:20\r\n"
			"a=maxptime:240\r\n"
			"a=rtcp:20001\r\n"
			"a=sendrecv\r\n"
			"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:zb7+b1xcy962smqR+F2Np/Ib4QE46fzz9rlodPDA\r\n");
		/* the UE reads it as its Remote: our key, our port */
		assert_int_equal(sdp_parse(buf, (size_t)n, &back, &e), 0);
		assert_int_equal(back.media.crypto[0].tag, 1);
		assert_memory_equal(back.media.crypto[0].key, ours.key, 30);
		assert_int_equal(back.media.rtcp_port, 20001);
	}
}

static void
test_sdp_rtp_parse_errors(void **state)
{
	static char ninecrypto[9 * 80 + 64], longcodec[SDP_CODEC_MAX + 256];
	const struct bad bad[] = {
		{ "v=0\nm=audio 4000 RTP/AVP 0 128\n", -EINVAL, SDP_E_MEDIA, 2, "payload types" },
		{ "v=0\nm=audio 4000 RTP/AVP PCMU\n", -EINVAL, SDP_E_MEDIA, 2, "payload types" },
		{ "v=0\nm=audio 4000/2 RTP/AVP 0\n", -EINVAL, SDP_E_PORT, 2, "layered" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=sendrecv\na=recvonly\n", -EINVAL, SDP_E_DUPLICATE,
		  4, "second direction (the first is line 3)" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=inactive:yes\n", -EINVAL, SDP_E_RTP_ATTR, 3,
		  "no value" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtcp-mux:1\n", -EINVAL, SDP_E_RTP_ATTR, 3,
		  "no value" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtcp-mux\na=rtcp-mux\n", -EINVAL, SDP_E_DUPLICATE,
		  4, "second" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:0\n", -EINVAL, SDP_E_RTCP, 3, "1..65535" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:70000\n", -EINVAL, SDP_E_RTCP, 3, "1..65535" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtcp\n", -EINVAL, SDP_E_RTCP, 3, "port" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:4001 IN IP4\n", -EINVAL, SDP_E_RTCP, 3,
		  "address" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:4001 IN IP4 $\n", -EINVAL, SDP_E_RTCP, 3,
		  "address" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtcp:4001\na=rtcp:4003\n", -EINVAL,
		  SDP_E_DUPLICATE, 4, "the first is line 3" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=ptime:0\n", -EINVAL, SDP_E_RTP_ATTR, 3, "above 0" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=ptime:twenty\n", -EINVAL, SDP_E_RTP_ATTR, 3,
		  "ms" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=maxptime:20\na=maxptime:40\n", -EINVAL,
		  SDP_E_DUPLICATE, 4, "maxptime" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtpmap:0 PCMU\n", -EINVAL, SDP_E_RTP_ATTR, 3,
		  "clock rate" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtpmap:200 PCMU/8000\n", -EINVAL, SDP_E_RTP_ATTR,
		  3, "payload type" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=rtpmap:0 PCMU/0\n", -EINVAL, SDP_E_RTP_ATTR, 3,
		  "clock rate" },
		{ "v=0\nm=audio 4000 RTP/AVP 0\na=fmtp:101\n", -EINVAL, SDP_E_RTP_ATTR, 3,
		  "<format> <parameters>" },
		{ "v=0\nm=audio 4000 RTP/AVPF 0\na=rtcp-fb\n", -EINVAL, SDP_E_RTP_ATTR, 3,
		  "no value" },
		{ longcodec, -E2BIG, SDP_E_TOO_LONG, 10, "codec lines" },
		/* a=crypto's syntax */
		{ "v=0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A "\nm=audio 1 RTP/SAVP 0\n",
		  -EINVAL, SDP_E_CRYPTO, 2, "media-level" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80\n", -EINVAL,
		  SDP_E_CRYPTO, 3, "not <tag>" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto\n", -EINVAL, SDP_E_CRYPTO, 3, "not <tag>" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:x AES_CM_128_HMAC_SHA1_80 inline:" K30A "\n",
		  -EINVAL, SDP_E_CRYPTO, 3, "tag \"x\"" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1234567890 AES_CM_128_HMAC_SHA1_80 inline:"
		  K30A "\n", -EINVAL, SDP_E_CRYPTO, 3, "1 to 9 digits" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES-CM inline:" K30A "\n", -EINVAL,
		  SDP_E_CRYPTO, 3, "letters, digits and _" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 " K30A "\n",
		  -EINVAL, SDP_E_CRYPTO, 3, "<key-method>:<key-info>" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A "|\n",
		  -EINVAL, SDP_E_CRYPTO, 3, "[|<lifetime>]" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  "|2^49\n", -EINVAL, SDP_E_CRYPTO, 3, "2^48" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  "|0\n", -EINVAL, SDP_E_CRYPTO, 3, "lifetime" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  "|281474976710657\n", -EINVAL, SDP_E_CRYPTO, 3, "lifetime" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  "|1:4|2^20\n", -EINVAL, SDP_E_CRYPTO, 3, "lifetime" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  "|2^20|2^20\n", -EINVAL, SDP_E_CRYPTO, 3, "lifetime" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  "|256:1\n", -EINVAL, SDP_E_CRYPTO, 3, "holds the value" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  "|1:0\n", -EINVAL, SDP_E_CRYPTO, 3, "MKI" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  "|1:129\n", -EINVAL, SDP_E_CRYPTO, 3, "MKI" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  " KDR=25\n", -EINVAL, SDP_E_CRYPTO, 3, "KDR" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  " WSH=63\n", -EINVAL, SDP_E_CRYPTO, 3, "WSH" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A
		  " FEC_ORDER=BOTH\n", -EINVAL, SDP_E_CRYPTO, 3, "FEC_ORDER" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" K30A "\n"
		  "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" K30B "\n", -EINVAL, SDP_E_DUPLICATE,
		  4, "tag 1 again (the first is line 3)" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:$\na=crypto:$\n", -EINVAL, SDP_E_DUPLICATE, 4,
		  "second" },
		{ ninecrypto, -E2BIG, SDP_E_CRYPTO_COUNT, 11, "more than 8" },
		{ "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80_AND_A_VERY_LONG_NAME"
		  " inline:" K30A "\n", -E2BIG, SDP_E_TOO_LONG, 3, "suite name longer" },
	};
	struct sdp d;
	struct sdp_error e;
	size_t n;

	(void)state;
	n = (size_t)snprintf(ninecrypto, sizeof(ninecrypto), "v=0\nm=audio 1 RTP/SAVP 0\n");
	for (unsigned int i = 0; i < 9; i++)
		n += (size_t)snprintf(ninecrypto + n, sizeof(ninecrypto) - n,
				      "a=crypto:%u AES_CM_128_HMAC_SHA1_80 inline:" K30A "\n", i + 1);
	n = (size_t)snprintf(longcodec, sizeof(longcodec), "v=0\nm=audio 1 RTP/AVP 96\n");
	for (unsigned int i = 0; i < 8; i++)
		n += (size_t)snprintf(longcodec + n, sizeof(longcodec) - n, "a=fmtp:96 %0120d\n", 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad *b = &bad[i];
		int rc = parse(b->text, &d, &e);

		if (rc != b->rc || e.code != b->code || e.line != b->line ||
		    strstr(e.msg, b->says) == NULL)
			fail_msg("case %zu (%.60s...): rc %d code %s line %u \"%s\"", i, b->text, rc,
				 sdp_err_name(e.code), e.line, e.msg);
		/* no key in any sentence */
		assert_null(strstr(e.msg, "Mr7+b1"));
		assert_null(strstr(e.msg, "P4Sc3o"));
		assert_false(d.has_media);
		assert_int_equal(d.media.ncrypto, 0);
	}
	/* the bounds exactly: 8 crypto lines, codec lines filling SDP_H248_CODEC_MAX - 1 */
	ninecrypto[strlen(ninecrypto) - strlen("a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:" K30A
					       "\n")] = '\0';
	assert_int_equal(parse(ninecrypto, &d, &e), 0);
	assert_int_equal(d.media.ncrypto, SDP_CRYPTO_MAX);
}

struct keycase {
	const char *suite, *key;
	int rc;
	unsigned int len;   /* octets, rc 0 */
	const char *says;   /* rc < 0 */
};

static void
test_sdp_crypto_keys(void **state)
{
	const struct keycase cases[] = {
		{ "AES_CM_128_HMAC_SHA1_80", K30A, 0, 30, NULL },
		{ "AES_CM_128_HMAC_SHA1_32", K30B, 0, 30, NULL },
		{ "AES_192_CM_HMAC_SHA1_80", K38, 0, 38, NULL },
		{ "AES_192_CM_HMAC_SHA1_32", K38, 0, 38, NULL },
		{ "AES_256_CM_HMAC_SHA1_80", K46, 0, 46, NULL },
		{ "AES_256_CM_HMAC_SHA1_32", K46, 0, 46, NULL },
		{ "AEAD_AES_128_GCM", K28, 0, 28, NULL },
		{ "AEAD_AES_256_GCM", K44, 0, 44, NULL },
		/* the padding may be left out, but not half of it */
		{ "AEAD_AES_128_GCM", "jw/klEbHg8wj1OojYtInbmTiAjYVefXeYTlGYQ", 0, 28, NULL },
		{ "AEAD_AES_128_GCM", "jw/klEbHg8wj1OojYtInbmTiAjYVefXeYTlGYQ=", -EINVAL, 0,
		  "not base64" },
		{ "AEAD_AES_128_GCM", "jw/klEbHg8wj1OojYtInbmTiAjYVefXeYTlGYQ===", -EINVAL, 0,
		  "not base64" },
		/* the wrong length for the suite, either way */
		{ "AES_CM_128_HMAC_SHA1_80", K29, -EINVAL, 0, "needs 30 bytes of key and salt, 29 given" },
		{ "AES_CM_128_HMAC_SHA1_80", K31, -EINVAL, 0, "needs 30 bytes of key and salt, 31 given" },
		{ "AEAD_AES_128_GCM", K30A, -EINVAL, 0, "AEAD_AES_128_GCM needs 28 bytes" },
		{ "AES_256_CM_HMAC_SHA1_80", K44, -EINVAL, 0, "46 bytes" },
		{ "AEAD_AES_256_GCM", K46, -EINVAL, 0, "44 bytes" },
		/* not base64: a character outside it, bits past the last octet */
		{ "AES_CM_128_HMAC_SHA1_80", "Mr7+b1xcy962smqR+F2Np/Ib4QE46fzz9rlodPD!", -EINVAL, 0,
		  "not base64" },
		{ "AES_CM_128_HMAC_SHA1_80", "Mr7+b1xcy962smqR+F2Np/Ib4QE46fzz9rlodPDA=", -EINVAL, 0,
		  "not base64" },
		{ "AEAD_AES_128_GCM", "jw/klEbHg8wj1OojYtInbmTiAjYVefXeYTlGYR==", -EINVAL, 0,
		  "not base64" },
		{ "AES_CM_128_HMAC_SHA1_80", "", -EINVAL, 0, "not base64" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct keycase *c = &cases[i];
		char text[256];
		struct sdp d;
		struct sdp_error e;
		int rc;

		snprintf(text, sizeof(text), "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:7 %s inline:%s\n",
			 c->suite, c->key);
		rc = parse(text, &d, &e);
		if (rc != c->rc || (rc == 0 && d.media.crypto[0].key_len != c->len) ||
		    (rc < 0 && (e.code != SDP_E_CRYPTO_KEY || e.line != 3 ||
				strstr(e.msg, c->says) == NULL)))
			fail_msg("case %zu: rc %d %s \"%s\"", i, rc, sdp_err_name(e.code), e.msg);
		if (rc < 0) {
			assert_non_null(strstr(e.msg, "a=crypto:7"));
			if (c->key[0] != '\0')
				assert_null(strstr(e.msg, c->key));
			continue;
		}
		assert_string_equal(sdp_suite_name(d.media.crypto[0].suite), c->suite);
		assert_int_equal(sdp_suite_key_len(d.media.crypto[0].suite), c->len);
		assert_string_equal(d.media.crypto[0].suite_str, c->suite);
	}
}

struct paramcase {
	const char *tail;     /* after the key */
	const char *unusable; /* a word of the reason, NULL: usable */
};

static void
test_sdp_crypto_params(void **state)
{
	const struct paramcase cases[] = {
		{ "", NULL },
		{ "|2^20", NULL },
		{ "|1048576", NULL },
		{ "|2^48|1:4", NULL },
		{ "|4294967295:4", NULL },
		{ "|7:1 WSH=128", NULL },
		{ " FEC_ORDER=FEC_SRTP", NULL },
		{ "|1:5", "MKI longer than 4" },
		{ " UNENCRYPTED_SRTP", "UNENCRYPTED_SRTP" },
		{ " UNENCRYPTED_SRTCP", "UNENCRYPTED_SRTCP" },
		{ " UNAUTHENTICATED_SRTP", "UNAUTHENTICATED_SRTP" },
		{ " KDR=0", "KDR" },
		{ " KDR=24", "KDR" },
		{ " FEC_ORDER=SRTP_FEC", "SRTP_FEC" },
		{ " FEC_KEY=inline:" K30B, "FEC_KEY" },
		{ " WSH=64 ROC=7", "not known" },
		{ ";inline:" K30B "|2:1", "several master keys" },
		/* the first reason stays */
		{ " UNENCRYPTED_SRTCP UNENCRYPTED_SRTP", "UNENCRYPTED_SRTCP" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct paramcase *c = &cases[i];
		char text[256];
		struct sdp d;
		struct sdp_error e;
		const struct sdp_crypto *cr = &d.media.crypto[0];

		snprintf(text, sizeof(text),
			 "v=0\nm=audio 1 RTP/SAVP 0\na=crypto:1  AES_CM_128_HMAC_SHA1_80\tinline:%s%s\n",
			 K30A, c->tail);
		if (parse(text, &d, &e) != 0)
			fail_msg("case %zu: %s", i, e.msg);
		if ((c->unusable == NULL) != (cr->unusable == NULL) ||
		    (c->unusable != NULL && strstr(cr->unusable, c->unusable) == NULL))
			fail_msg("case %zu: unusable \"%s\"", i, cr->unusable ? cr->unusable : "(null)");
	}
	/* the values read */
	{
		struct sdp d;

		assert_int_equal(parse("v=0\nm=audio 1 RTP/SAVP 0\na=crypto:42 AES_CM_128_HMAC_SHA1_32 "
				       "inline:" K30B "|2^20|258:2 WSH=256\n", &d, NULL), 0);
		assert_int_equal(d.media.crypto[0].tag, 42);
		assert_int_equal(d.media.crypto[0].lifetime, 1u << 20);
		assert_int_equal(d.media.crypto[0].mki, 258);
		assert_int_equal(d.media.crypto[0].mki_len, 2);
		assert_int_equal(d.media.crypto[0].wsh, 256);
		/* an unknown suite is kept, not judged, with its key's form its own */
		assert_int_equal(parse("v=0\nm=audio 1 RTP/SAVP 0\na=crypto:3 F8_128_HMAC_SHA1_80 "
				       "inline:whatever|2^20 FOO=1\n", &d, NULL), 0);
		assert_int_equal(d.media.crypto[0].suite, SDP_SUITE_OTHER);
		assert_string_equal(d.media.crypto[0].suite_str, "F8_128_HMAC_SHA1_80");
		assert_non_null(strstr(d.media.crypto[0].unusable, "does not know"));
		/* CHOOSE in Local: the whole line, the tag, the key */
		assert_int_equal(parse("v=0\nm=audio $ RTP/SAVP 0\na=crypto:$ AEAD_AES_128_GCM inline:$\n",
				       &d, NULL), 0);
		assert_true(d.media.crypto[0].tag_choose);
		assert_true(d.media.crypto[0].key_choose);
		assert_int_equal(d.media.crypto[0].key_len, 0);
		assert_false(d.media.crypto_choose);
		/* a=crypto under a plain proto is parsed (and ignored by the deriver) */
		assert_int_equal(parse("v=0\nm=audio 1 RTP/AVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
				       "inline:" K30A "\n", &d, NULL), 0);
		assert_int_equal(d.media.ncrypto, 1);
	}
}

/* Local (with `$`) and Remote of one RTP termination. */
static int
rtp_pair(const char *local, const char *remote, unsigned int suites, struct sdp_rtp_term *t,
	 struct sdp_error *e)
{
	struct sdp l, r;

	if (local != NULL)
		assert_int_equal(parse(local, &l, NULL), 0);
	if (remote != NULL)
		assert_int_equal(parse(remote, &r, NULL), 0);
	return sdp_rtp_derive(local ? &l : NULL, remote ? &r : NULL, suites, t, e);
}

#define RTP_R(proto, attrs) "v=0\nc=IN IP4 192.0.2.7\nm=audio 30000 " proto " 0 8 101\n" attrs
#define RTP_L(proto, attrs) "v=0\nc=IN IP4 $\nm=audio $ " proto " 0 8 101\n" attrs
#define CR(tag, suite, key, rest) "a=crypto:" tag " " suite " inline:" key rest "\n"

static void
test_sdp_rtp_derive_crypto(void **state)
{
	struct sdp_rtp_term t;
	struct sdp_error e;
	uint8_t k[30];

	(void)state;
	hex_bytes(K30A_HEX, k);
	/* the first line the gateway takes, in Remote's order: past an
	 * unknown suite and a session parameter it does not honour */
	assert_int_equal(rtp_pair(RTP_L("RTP/SAVP", "a=crypto:$\n"),
				  RTP_R("RTP/SAVP", CR("1", "F8_128_HMAC_SHA1_80", K30B, "")
					CR("2", "AES_CM_128_HMAC_SHA1_32", K30B, " UNENCRYPTED_SRTCP")
					CR("3", "AES_CM_128_HMAC_SHA1_80", K30A, "|2^31|1:1")
					CR("4", "AEAD_AES_128_GCM", K28, "")), 0, &t, &e), 0);
	assert_int_equal(t.peer.tag, 3);
	assert_int_equal(t.peer.suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_80);
	assert_memory_equal(t.peer.key, k, 30);
	assert_int_equal(t.peer.mki_len, 1);
	assert_int_equal(t.peer.lifetime, UINT64_C(1) << 31);
	assert_int_equal(t.ours.tag, 3);
	assert_int_equal(t.ours.suite, SDP_SUITE_AES_CM_128_HMAC_SHA1_80);
	assert_true(t.key_choose);
	assert_non_null(strstr(t.why_crypto, "5.1.2"));
	assert_null(t.why_mux);
	/* the gateway's SRTP without AES-CM-128-80: the next one */
	assert_int_equal(rtp_pair(NULL,
				  RTP_R("RTP/SAVP", CR("3", "AES_CM_128_HMAC_SHA1_80", K30A, "")
					CR("4", "AEAD_AES_128_GCM", K28, "")),
				  SDP_SUITE_BIT(SDP_SUITE_AEAD_AES_128_GCM), &t, &e), 0);
	assert_int_equal(t.peer.tag, 4);
	assert_int_equal(t.peer.key_len, 28);
	/* Local names the suites it allows (with its key for one: ours) */
	assert_int_equal(rtp_pair(RTP_L("RTP/SAVPF", CR("9", "AES_CM_128_HMAC_SHA1_32", K30B, "|2^20")),
				  RTP_R("RTP/SAVPF", CR("1", "AES_CM_128_HMAC_SHA1_80", K30A, "")
					CR("2", "AES_CM_128_HMAC_SHA1_32", K30A, "")), 0, &t, &e), 0);
	assert_int_equal(t.proto, SDP_PROTO_RTP_SAVPF);
	assert_int_equal(t.peer.tag, 2);
	assert_int_equal(t.ours.tag, 2);          /* the offer's tag, not Local's */
	assert_false(t.key_choose);
	assert_int_equal(t.ours.key_len, 30);
	assert_int_equal(t.ours.lifetime, 1u << 20);
	/* ... or only suites, the key ours to make */
	assert_int_equal(rtp_pair(RTP_L("RTP/SAVP", "a=crypto:$ AEAD_AES_128_GCM inline:$\n"),
				  RTP_R("RTP/SAVP", CR("1", "AES_CM_128_HMAC_SHA1_80", K30A, "")
					CR("2", "AEAD_AES_128_GCM", K28, "")), 0, &t, &e), 0);
	assert_int_equal(t.peer.tag, 2);
	assert_true(t.key_choose);
	/* no Remote yet: we offer; Local's key (if any) is ours */
	assert_int_equal(rtp_pair(RTP_L("RTP/SAVP", "a=crypto:$\n"), NULL, 0, &t, &e), 0);
	assert_true(t.srtp && t.key_choose && !t.remote_known);
	assert_int_equal(rtp_pair(RTP_L("RTP/SAVP", CR("1", "AES_CM_128_HMAC_SHA1_80", K30A, "")),
				  NULL, 0, &t, &e), 0);
	assert_false(t.key_choose);
	assert_memory_equal(t.ours.key, k, 30);
	/* a plain proto ignores a=crypto */
	assert_int_equal(rtp_pair(NULL, RTP_R("RTP/AVP", CR("1", "AES_CM_128_HMAC_SHA1_80", K30A, "")),
				  0, &t, &e), 0);
	assert_false(t.srtp);
	assert_int_equal(t.peer.key_len, 0);

	/* refusals: each names the line and why, never the key */
	{
		const struct dcase cases[] = {
			{ NULL, RTP_R("RTP/SAVP", ""), -EINVAL, SDP_E_NO_CRYPTO, "without a=crypto" },
			{ NULL, RTP_R("RTP/SAVP", CR("1", "AES_CM_128_HMAC_SHA1_80", K30A,
						     " UNENCRYPTED_SRTP")), -ENOTSUP,
			  SDP_E_CRYPTO_SUITE,
			  "line 4: none of Remote's 1 a=crypto lines is taken; the first (a=crypto:1 "
			  "AES_CM_128_HMAC_SHA1_80): UNENCRYPTED_SRTP" },
			{ NULL, RTP_R("RTP/SAVP", CR("1", "F8_128_HMAC_SHA1_80", K30A, "")
				      CR("2", "AES_CM_128_HMAC_SHA1_80", K30A, " KDR=10")),
			  -ENOTSUP, SDP_E_CRYPTO_SUITE, "F8_128_HMAC_SHA1_80): a suite the gateway "
							"does not know" },
			{ RTP_L("RTP/SAVP", "a=crypto:$ AEAD_AES_256_GCM inline:$\n"),
			  RTP_R("RTP/SAVP", CR("1", "AES_CM_128_HMAC_SHA1_80", K30A, "")), -ENOTSUP,
			  SDP_E_CRYPTO_SUITE, "a suite Local does not allow" },
			{ RTP_L("RTP/SAVP", CR("1", "F8_128_HMAC_SHA1_80", K30A, "")),
			  RTP_R("RTP/SAVP", CR("1", "AES_CM_128_HMAC_SHA1_80", K30A, "")), -ENOTSUP,
			  SDP_E_CRYPTO_SUITE, "none of Local's 1 a=crypto lines" },
			{ NULL, RTP_R("RTP/SAVP", "a=crypto:$\n"), -EINVAL, SDP_E_CRYPTO,
			  "CHOOSE is for the gateway's own side" },
			{ NULL, RTP_R("RTP/SAVP", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:$\n"),
			  -EINVAL, SDP_E_CRYPTO, "CHOOSE" },
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const struct dcase *c = &cases[i];
			int rc = rtp_pair(c->local, c->remote, 0, &t, &e);

			if (rc != c->rc || e.code != c->code || strstr(e.msg, c->says) == NULL)
				fail_msg("case %zu: rc %d %s \"%s\"", i, rc, sdp_err_name(e.code),
					 e.msg);
			assert_null(strstr(e.msg, "Mr7+b1"));
			assert_false(t.remote_known);
			assert_int_equal(t.peer.key_len, 0);
		}
		/* only the gateway's SRTP lacks the suite */
		assert_int_equal(rtp_pair(NULL, RTP_R("RTP/SAVP", CR("1", "AEAD_AES_256_GCM", K44, "")),
					  SDP_SUITE_BIT(SDP_SUITE_AES_CM_128_HMAC_SHA1_80), &t, &e),
				 -ENOTSUP);
		assert_non_null(strstr(e.msg, "the gateway's SRTP does not offer"));
	}
}

struct muxcase {
	const char *lattr, *rattr;    /* "-": no Local / Remote */
	const char *rfmt;
	bool mux;
	uint16_t rtcp_port;
	const char *rtcp_ip;
};

static void
test_sdp_rtp_derive_rtcp(void **state)
{
	const struct muxcase cases[] = {
		{ "", "", "0", false, 30001, "192.0.2.7" },
		{ "a=rtcp-mux\n", "a=rtcp-mux\n", "0", true, 30000, "192.0.2.7" },
		{ "", "a=rtcp-mux\n", "0", false, 30001, "192.0.2.7" },
		{ "a=rtcp-mux\n", "", "0", false, 30001, "192.0.2.7" },
		{ "-", "a=rtcp-mux\n", "0", true, 30000, "192.0.2.7" },
		{ "a=rtcp-mux\n", "-", "0", true, 0, NULL },
		{ "", "a=rtcp:40000\n", "0", false, 40000, "192.0.2.7" },
		{ "", "a=rtcp:40000 IN IP4 192.0.2.99\n", "0", false, 40000, "192.0.2.99" },
		{ "a=rtcp-mux\n", "a=rtcp-mux\na=rtcp:30000\n", "0", true, 30000, "192.0.2.7" },
		/* RFC 5761 section 4: PT 72 under the marker bit looks like an SR */
		{ "a=rtcp-mux\n", "a=rtcp-mux\n", "0 72", false, 30001, "192.0.2.7" },
		{ "a=rtcp-mux\n", "a=rtcp-mux\n", "96 95", false, 30001, "192.0.2.7" },
		{ "a=rtcp-mux\n", "a=rtcp-mux\n", "63 96", true, 30000, "192.0.2.7" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct muxcase *c = &cases[i];
		char lt[256], rt[256];
		struct sdp_rtp_term t;
		struct sdp_error e;
		uint8_t ip[16] = { 0 };
		bool hl = strcmp(c->lattr, "-") != 0, hr = strcmp(c->rattr, "-") != 0;

		snprintf(lt, sizeof(lt), "v=0\nc=IN IP4 $\nm=audio $ RTP/AVP %s\n%s", c->rfmt,
			 hl ? c->lattr : "");
		snprintf(rt, sizeof(rt), "v=0\nc=IN IP4 192.0.2.7\nm=audio 30000 RTP/AVP %s\n%s",
			 c->rfmt, hr ? c->rattr : "");
		if (rtp_pair(hl ? lt : NULL, hr ? rt : NULL, 0, &t, &e) != 0)
			fail_msg("case %zu: %s", i, e.msg);
		if (c->rtcp_ip != NULL)
			inet_pton(AF_INET, c->rtcp_ip, ip);
		if (t.rtcp_mux != c->mux || t.remote_rtcp_port != c->rtcp_port ||
		    memcmp(t.remote_rtcp_ip, ip, 4) != 0)
			fail_msg("case %zu: mux %d rtcp port %u", i, t.rtcp_mux, t.remote_rtcp_port);
		if (strstr(c->rfmt, "72") != NULL || strstr(c->rfmt, "95") != NULL)
			assert_non_null(strstr(t.why_mux, "RFC 5761"));
	}
	/* Local fixes our ports */
	{
		struct sdp_rtp_term t;
		struct sdp_error e;

		assert_int_equal(rtp_pair("v=0\nc=IN IP6 2001:db8::1\nm=video 20000 RTP/AVPF 96\n"
					  "a=rtcp:20005\na=recvonly\n", NULL, 0, &t, &e), 0);
		assert_int_equal(t.media, SDP_MEDIA_VIDEO);
		assert_int_equal(t.local_port, 20000);
		assert_int_equal(t.local_rtcp_port, 20005);
		assert_int_equal(t.local_dir, SDP_DIR_RECVONLY);
		assert_false(t.local_addr_choose || t.local_port_choose);
		assert_int_equal(t.local_ip[15], 1);
		assert_int_equal(rtp_pair("v=0\nc=IN IP4 $\nm=text $ RTP/AVP 98\na=rtcp:$\n", NULL, 0,
					  &t, &e), 0);
		assert_int_equal(t.media, SDP_MEDIA_TEXT);
		assert_int_equal(t.local_rtcp_port, 0);
		/* a session-level direction, the medium's wins */
		assert_int_equal(rtp_pair(NULL, "v=0\nc=IN IP4 192.0.2.1\na=sendonly\n"
					  "m=audio 4000 RTP/AVP 0\n", 0, &t, &e), 0);
		assert_int_equal(t.remote_dir, SDP_DIR_SENDONLY);
		assert_int_equal(rtp_pair(NULL, "v=0\nc=IN IP4 192.0.2.1\na=sendonly\n"
					  "m=audio 4000 RTP/AVP 0\na=inactive\n", 0, &t, &e), 0);
		assert_int_equal(t.remote_dir, SDP_DIR_INACTIVE);
	}
}

static void
test_sdp_rtp_derive_errors(void **state)
{
	const struct dcase cases[] = {
		{ NULL, NULL, -EINVAL, SDP_E_NO_MEDIA, "neither" },
		{ "v=0\nc=IN IP4 $\n", NULL, -EINVAL, SDP_E_NO_MEDIA, "Local has no m=" },
		{ NULL, "v=0\nc=IN IP4 192.0.2.1\nm=message 4000 TCP/MSRP *\n", -ENOTSUP,
		  SDP_E_PROTO, "proto TCP/MSRP is not RTP/AVP" },
		{ NULL, "v=0\nc=IN IP4 192.0.2.1\nm=audio 4000 UDP/TLS/RTP/SAVPF 0\n", -ENOTSUP,
		  SDP_E_PROTO, "UDP/TLS/RTP/SAVPF is not" },
		{ NULL, "v=0\nc=IN IP4 192.0.2.1\nm=image 4000 RTP/AVP 0\n", -ENOTSUP, SDP_E_PROTO,
		  "m=image over RTP/AVP" },
		{ RTP_L("RTP/AVP", ""), RTP_R("RTP/SAVP", CR("1", "AES_CM_128_HMAC_SHA1_80", K30A, "")),
		  -EINVAL, SDP_E_PROTO_MISMATCH, "Local is m=audio RTP/AVP, Remote m=audio RTP/SAVP" },
		{ "v=0\nm=video $ RTP/AVP 96\n", RTP_R("RTP/AVP", ""), -EINVAL, SDP_E_PROTO_MISMATCH,
		  "m=video" },
		{ NULL, "v=0\nc=IN IP4 192.0.2.1\nm=audio 0 RTP/AVP 0\n", -EINVAL, SDP_E_PORT_ZERO,
		  "refused or disabled" },
		{ NULL, "v=0\nm=audio 4000 RTP/AVP 0\n", -EINVAL, SDP_E_ADDRESS, "no c=" },
		{ NULL, "v=0\nc=IN IP4 0.0.0.0\nm=audio 4000 RTP/AVP 0\n", -EINVAL, SDP_E_ADDRESS,
		  "unspecified" },
		{ "v=0\nc=IN IP6 $\nm=audio $ RTP/AVP 0\n", RTP_R("RTP/AVP", ""), -EINVAL,
		  SDP_E_ADDRESS, "Remote is IP4, Local IP6" },
		{ NULL, "v=0\nc=IN IP4 192.0.2.1\nm=audio 65535 RTP/AVP 0\n", -EINVAL,
		  SDP_E_REMOTE_PORT, "65535" },
		{ "v=0\nm=audio 65535 RTP/AVP 0\n", NULL, -EINVAL, SDP_E_PORT, "65535" },
		{ NULL, RTP_R("RTP/AVP", "a=rtcp:$\n"), -EINVAL, SDP_E_REMOTE_PORT, "a=rtcp:$" },
		{ NULL, RTP_R("RTP/AVP", "a=rtcp:4001 IN IP6 2001:db8::1\n"), -EINVAL, SDP_E_ADDRESS,
		  "a=rtcp address" },
		{ NULL, RTP_R("RTP/AVP", "a=rtcp:4001 IN IP4 rtcp.example.net\n"), -ENOTSUP,
		  SDP_E_ADDRESS, "a name" },
		{ "v=0\nm=audio 0 RTP/AVP 0\n", NULL, -EINVAL, SDP_E_PORT_ZERO, "Local's port is 0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dcase *c = &cases[i];
		struct sdp_rtp_term t;
		struct sdp_error e;
		int rc = rtp_pair(c->local, c->remote, 0, &t, &e);

		if (rc != c->rc || e.code != c->code || strstr(e.msg, c->says) == NULL)
			fail_msg("case %zu: rc %d %s \"%s\"", i, rc, sdp_err_name(e.code), e.msg);
		assert_false(t.remote_known);
		assert_int_equal(t.proto, 0);
	}
}

/* An answer of ours for each proto, family, RTCP form and direction, with
 * a crypto line of each suite and each key-param form under SAVP, read
 * back with the same values; -ENOSPC at every short size, the buffer
 * wiped. */
static void
test_sdp_rtp_write_round_trip(void **state)
{
	static const char *const keys[SDP_SUITE_COUNT] = {
		NULL, K30A, K30B, K38, K38, K46, K46, K28, K44,
	};
	unsigned int count = 0;

	(void)state;
	for (unsigned int p = SDP_PROTO_RTP_AVP; p <= SDP_PROTO_RTP_SAVPF; p++) {
		for (unsigned int v = 0; v < 16; v++) {
			bool srtp = sdp_proto_srtp(p);
			unsigned int s = 1 + v % (SDP_SUITE_COUNT - 1);
			struct sdp_crypto c[2];
			struct sdp_rtp_answer a = {
				.family = v & 1 ? AF_INET6 : AF_INET,
				.media = (uint8_t)(SDP_MEDIA_AUDIO + v % 3), .proto = (uint8_t)p,
				.dir = (uint8_t)(v % 5), .rtcp_mux = (v & 2) != 0,
				.port = (uint16_t)(20000 + 2 * v), .rtcp_port = v & 4 ? 20101 : 0,
				.sess_id = v, .sess_version = 3, .fmt = "96 0 8 101",
				.attrs = v & 8 ? "a=rtpmap:96 AMR-WB/16000/1\r\na=fmtp:96 octet-align=1\r\n"
						 "a=rtcp-fb:* nack\r\n" : NULL,
				.crypto = c, .ncrypto = srtp ? 1 + (v & 1) : 0,
			};
			char buf[2048], again[2048];
			struct sdp d;
			struct sdp_error e;
			int n;

			memset(c, 0, sizeof(c));
			for (unsigned int i = 0; i < 2; i++) {
				unsigned int si = i == 0 ? s : SDP_SUITE_AES_CM_128_HMAC_SHA1_80;

				c[i].tag = i == 0 ? 1 + v : 999999999u;
				c[i].suite = (uint8_t)si;
				c[i].key_len = (uint8_t)key_from(si, keys[si], c[i].key);
				c[i].lifetime = v & 4 ? UINT64_C(1) << 31 : v & 8 ? 1000000 : 0;
				c[i].mki_len = (uint8_t)(v % 5);
				c[i].mki = c[i].mki_len > 0 ? v : 0;
				c[i].wsh = v & 2 ? 1024 : 0;
			}
			inet_pton(a.family, v & 1 ? "2001:db8::5" : "192.0.2.5", a.ip);
			n = sdp_rtp_write(&a, buf, sizeof(buf));
			if (n <= 0)
				fail_msg("proto %u case %u: %d", p, v, n);
			assert_int_equal((size_t)n, strlen(buf));
			assert_int_equal(sdp_parse(buf, (size_t)n, &d, &e), 0);
			assert_int_equal(d.media.proto, p);
			assert_int_equal(d.media.type, a.media);
			assert_int_equal(d.media.port, a.port);
			assert_int_equal(d.media.dir, a.dir);
			assert_int_equal(d.media.rtcp_mux, a.rtcp_mux);
			assert_int_equal(d.media.rtcp_port, a.rtcp_mux ? 0 : a.rtcp_port);
			assert_memory_equal(d.media.addr.ip, a.ip, 16);
			assert_string_equal(d.media.fmt, a.fmt);
			assert_string_equal(d.media.codec, a.attrs != NULL ? a.attrs : "");
			assert_int_equal(d.media.ncrypto, a.ncrypto);
			for (unsigned int i = 0; i < a.ncrypto; i++) {
				const struct sdp_crypto *b = &d.media.crypto[i];

				assert_null(b->unusable);
				assert_int_equal(b->tag, c[i].tag);
				assert_int_equal(b->suite, c[i].suite);
				assert_int_equal(b->key_len, c[i].key_len);
				assert_memory_equal(b->key, c[i].key, c[i].key_len);
				assert_int_equal(b->lifetime, c[i].lifetime);
				assert_int_equal(b->mki, c[i].mki);
				assert_int_equal(b->mki_len, c[i].mki_len);
				assert_int_equal(b->wsh, c[i].wsh);
			}
			/* what the peer derives from it as its Remote */
			if (a.port != 0) {
				struct sdp_rtp_term t;

				assert_int_equal(sdp_rtp_derive(NULL, &d, 0, &t, &e), 0);
				assert_int_equal(t.remote_port, a.port);
				assert_int_equal(t.remote_rtcp_port, a.rtcp_mux ? a.port :
						 a.rtcp_port ? a.rtcp_port : a.port + 1);
				if (srtp)
					assert_int_equal(t.peer.tag, c[0].tag);
			}
			for (size_t sz = 0; sz <= (size_t)n; sz++) {
				memset(again, 'x', sizeof(again));
				assert_int_equal(sdp_rtp_write(&a, again, sz), -ENOSPC);
				/* nothing of the key stays behind */
				for (size_t j = 0; j < sz; j++)
					assert_int_equal(again[j], '\0');
			}
			assert_int_equal(sdp_rtp_write(&a, again, (size_t)n + 1), n);
			assert_string_equal(again, buf);
			count++;
		}
	}
	assert_int_equal(count, 64);
}

static void
test_sdp_rtp_write_refuses(void **state)
{
	struct sdp_crypto c = { .tag = 1, .suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80, .key_len = 30 };
	const struct sdp_rtp_answer ok = {
		.family = AF_INET, .media = SDP_MEDIA_AUDIO, .proto = SDP_PROTO_RTP_SAVP,
		.port = 20000, .fmt = "0", .crypto = &c, .ncrypto = 1,
	};
	struct sdp_rtp_answer a;
	struct sdp_crypto two[2];
	char buf[1024];

	(void)state;
	assert_true(sdp_rtp_write(&ok, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
				    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"));
	a = ok; a.family = 9;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.media = SDP_MEDIA_MESSAGE;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.proto = SDP_PROTO_TCP_MSRP;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.proto = SDP_PROTO_RTP_AVP;          /* a key under a plain proto */
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.ncrypto = 0;                        /* SAVP without a key */
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.dir = 5;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.fmt = NULL;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.fmt = "0 128";
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.attrs = "a=rtpmap:0 PCMU/8000";     /* no line end */
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.attrs = "a=rtcp-mux\r\n";           /* ours to write */
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.attrs = "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:x\r\n";
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.attrs = "m=video 1 RTP/AVP 0\r\n";
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	a = ok; a.attrs = "a=rtpmap:0 PCMU\r\n";      /* would not parse back */
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(buf[0], '\0');
	a = ok; a.attrs = "a=x:\001\r\n";
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	/* the crypto lines */
	c.key_len = 29;
	assert_int_equal(sdp_rtp_write(&ok, buf, sizeof(buf)), -EINVAL);
	c.key_len = 30; c.suite = SDP_SUITE_OTHER;
	assert_int_equal(sdp_rtp_write(&ok, buf, sizeof(buf)), -EINVAL);
	c.suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80; c.key_choose = true;
	assert_int_equal(sdp_rtp_write(&ok, buf, sizeof(buf)), -EINVAL);
	c.key_choose = false; c.tag = 1000000000u;
	assert_int_equal(sdp_rtp_write(&ok, buf, sizeof(buf)), -EINVAL);
	c.tag = 1; c.lifetime = (UINT64_C(1) << 48) + 1;
	assert_int_equal(sdp_rtp_write(&ok, buf, sizeof(buf)), -EINVAL);
	c.lifetime = 0; c.mki_len = 1; c.mki = 256;
	assert_int_equal(sdp_rtp_write(&ok, buf, sizeof(buf)), -EINVAL);
	c.mki_len = 5; c.mki = 1;
	assert_int_equal(sdp_rtp_write(&ok, buf, sizeof(buf)), -EINVAL);
	c.mki_len = 0; c.mki = 0; c.wsh = 63;
	assert_int_equal(sdp_rtp_write(&ok, buf, sizeof(buf)), -EINVAL);
	c.wsh = 0; c.unusable = "no";
	assert_int_equal(sdp_rtp_write(&ok, buf, sizeof(buf)), -EINVAL);
	c.unusable = NULL;
	two[0] = two[1] = c;                           /* one tag twice */
	a = ok; a.crypto = two; a.ncrypto = 2;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	two[1].tag = 2;
	assert_true(sdp_rtp_write(&a, buf, sizeof(buf)) > 0);
	a.ncrypto = SDP_CRYPTO_MAX + 1;
	assert_int_equal(sdp_rtp_write(&a, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(sdp_rtp_write(NULL, buf, sizeof(buf)), -EINVAL);
}

/* sdp_crypto_write(): the line sdp_rtp_write() writes, byte for byte,
 * for each suite and key-param form; the longest within
 * SDP_CRYPTO_LINE_MAX; -ENOSPC at every short size (nothing past size,
 * the key wiped); its refusals whatever the size. */
static void
test_sdp_crypto_write(void **state)
{
	static const char *const keys[SDP_SUITE_COUNT] = {
		NULL, K30A, K30B, K38, K38, K46, K46, K28, K44,
	};
	struct sdp_crypto c;
	char line[SDP_CRYPTO_LINE_MAX + 16], desc[1024];
	int n;

	(void)state;
	for (unsigned int s = 1; s < SDP_SUITE_COUNT; s++) {
		for (unsigned int v = 0; v < 8; v++) {
			const struct sdp_rtp_answer a = {
				.family = AF_INET, .media = SDP_MEDIA_AUDIO,
				.proto = SDP_PROTO_RTP_SAVP, .port = 20000, .fmt = "0",
				.crypto = &c, .ncrypto = 1,
			};

			memset(&c, 0, sizeof(c));
			c.tag = v & 1 ? 999999999u : s;
			c.suite = (uint8_t)s;
			c.key_len = (uint8_t)key_from(s, keys[s], c.key);
			c.lifetime = v & 2 ? (UINT64_C(1) << 48) - 1 : v & 4 ? UINT64_C(1) << 31 : 0;
			c.mki_len = v & 4 ? 4 : 0;
			c.mki = v & 4 ? UINT32_MAX : 0;
			c.wsh = v & 1 ? 65535 : 0;
			n = sdp_crypto_write(&c, line, sizeof(line));
			assert_true(n > 0 && (size_t)n < SDP_CRYPTO_LINE_MAX);
			assert_int_equal((size_t)n, strlen(line));
			assert_true(sdp_rtp_write(&a, desc, sizeof(desc)) > 0);
			assert_non_null(strstr(desc, line));
			assert_int_equal(strcmp(desc + strlen(desc) - (size_t)n, line), 0);
			for (size_t sz = 0; sz <= (size_t)n; sz++) {
				memset(line, 'x', sizeof(line));
				assert_int_equal(sdp_crypto_write(&c, line, sz), -ENOSPC);
				for (size_t j = 0; j < sz; j++)
					assert_int_equal(line[j], '\0');
				for (size_t j = sz; j < sizeof(line); j++)
					assert_int_equal(line[j], 'x');
			}
		}
	}
	assert_int_equal(sdp_crypto_write(&c, NULL, 0), -ENOSPC);
	c.key_len = 29;
	assert_int_equal(sdp_crypto_write(&c, NULL, 0), -EINVAL);
	assert_int_equal(sdp_crypto_write(&c, line, sizeof(line)), -EINVAL);
	c.key_len = 44; c.unusable = "no";
	assert_int_equal(sdp_crypto_write(&c, line, sizeof(line)), -EINVAL);
	c.unusable = NULL; c.tag_choose = true;
	assert_int_equal(sdp_crypto_write(&c, line, sizeof(line)), -EINVAL);
	c.tag_choose = false;
	assert_true(sdp_crypto_write(&c, line, sizeof(line)) > 0);
	assert_int_equal(sdp_crypto_write(NULL, line, sizeof(line)), -EINVAL);
	assert_int_equal(sdp_crypto_write(&c, NULL, 10), -EINVAL);
}

static void
test_sdp_rtp_names(void **state)
{
	(void)state;
	assert_string_equal(sdp_proto_name(SDP_PROTO_RTP_SAVPF), "RTP/SAVPF");
	assert_true(sdp_proto_rtp(SDP_PROTO_RTP_AVP));
	assert_false(sdp_proto_rtp(SDP_PROTO_TCP_TLS_BFCP));
	assert_true(sdp_proto_srtp(SDP_PROTO_RTP_SAVP));
	assert_false(sdp_proto_srtp(SDP_PROTO_RTP_AVPF));
	assert_string_equal(sdp_suite_name(SDP_SUITE_AEAD_AES_256_GCM), "AEAD_AES_256_GCM");
	assert_null(sdp_suite_name(SDP_SUITE_OTHER));
	assert_null(sdp_suite_name(SDP_SUITE_COUNT));
	assert_int_equal(sdp_suite_key_len(SDP_SUITE_AES_192_CM_HMAC_SHA1_32), 38);
	assert_int_equal(sdp_suite_key_len(SDP_SUITE_OTHER), 0);
	assert_string_equal(sdp_dir_name(SDP_DIR_RECVONLY), "recvonly");
	assert_null(sdp_dir_name(SDP_DIR_NONE));
	assert_int_equal(sdp_dir_answer(SDP_DIR_SENDONLY), SDP_DIR_RECVONLY);
	assert_int_equal(sdp_dir_answer(SDP_DIR_RECVONLY), SDP_DIR_SENDONLY);
	assert_int_equal(sdp_dir_answer(SDP_DIR_INACTIVE), SDP_DIR_INACTIVE);
	assert_int_equal(sdp_dir_answer(SDP_DIR_NONE), SDP_DIR_SENDRECV);
	assert_int_equal(SDP_SUITES_ALL & SDP_SUITE_BIT(SDP_SUITE_OTHER), 0);
	assert_true(SDP_SUITES_ALL & SDP_SUITE_BIT(SDP_SUITE_AEAD_AES_256_GCM));
}

/* RFC 8866 section 6.6's a=rtpmap read back; RFC 3264 section 6.1's one
 * codec under two numbers; what carries no medium (sdp_codec.c). */
static void
test_sdp_codec(void **state)
{
	struct sdp o, a;
	struct sdp_rtpmap c, d;
	struct sdp_error e;
	char buf[64];
	struct sdp_wbuf w;

	(void)state;
	assert_int_equal(parse("v=0\nc=IN IP4 192.0.2.7\nm=audio 30000 RTP/AVP 8 96 101 13\n"
			       "a=rtpmap:96 opus/48000/2\na=fmtp:96 useinbandfec=1\n"
			       "a=rtpmap:101 telephone-event/8000\n", &o, &e), 0);
	assert_int_equal(parse("v=0\nc=IN IP4 192.0.2.9\nm=audio 40000 RTP/AVP 111 0 97 98\n"
			       "a=rtpmap:111 OPUS/48000/2\na=rtpmap:97 opus/48000\n"
			       "a=rtpmap:98 opus/16000/2\n", &a, &e), 0);
	/* a static payload type without a=rtpmap: out holds its number alone */
	assert_int_equal(sdp_rtpmap_of(&o.media, 8, &c), -ENOENT);
	assert_int_equal(c.pt, 8);
	assert_string_equal(c.name, "");
	/* ... and RFC 3551's encoding (PCMA/8000) as its key, what a
	 * dynamic payload type of that name, rate and channels has */
	d = (struct sdp_rtpmap){ .pt = 120, .channels = 1, .rate = 8000, .name = "pcma" };
	assert_true(sdp_codec_key(&c) & 0x80000000u);
	assert_int_equal(sdp_codec_key(&c), sdp_codec_key(&d));
	assert_int_equal(sdp_rtpmap_of(&o.media, 96, &c), 0);
	assert_string_equal(c.name, "opus");
	assert_int_equal(c.rate, 48000);
	assert_int_equal(c.channels, 2);
	assert_int_equal(sdp_rtpmap_of(&o.media, 200, &c), -EINVAL);
	/* opus/48000/2 as 96 and as 111, its name in another case: one codec */
	assert_int_equal(sdp_rtpmap_of(&o.media, 96, &c), 0);
	assert_int_equal(sdp_rtpmap_of(&a.media, 111, &d), 0);
	assert_int_equal(sdp_codec_key(&c), sdp_codec_key(&d));
	assert_true(sdp_codec_key(&c) & 0x80000000u);
	/* channels (1 when not given) and the rate tell codecs apart */
	assert_int_equal(sdp_rtpmap_of(&a.media, 97, &d), 0);
	assert_int_equal(d.channels, 1);
	assert_int_not_equal(sdp_codec_key(&c), sdp_codec_key(&d));
	assert_int_equal(sdp_rtpmap_of(&a.media, 98, &d), 0);
	assert_int_not_equal(sdp_codec_key(&c), sdp_codec_key(&d));
	/* a static number is no dynamic codec's */
	assert_int_equal(sdp_rtpmap_of(&a.media, 0, &d), -ENOENT);
	assert_int_not_equal(sdp_codec_key(&c), sdp_codec_key(&d));
	/* DTMF events, comfort noise (static 13, or by name), redundancy carry no medium */
	assert_int_equal(sdp_rtpmap_of(&o.media, 101, &c), 0);
	assert_true(sdp_codec_supplemental(&c));
	assert_int_equal(sdp_rtpmap_of(&o.media, 13, &c), -ENOENT);
	assert_true(sdp_codec_supplemental(&c));
	c = (struct sdp_rtpmap){ .pt = 100, .channels = 1, .rate = 16000, .name = "cn" };
	assert_true(sdp_codec_supplemental(&c));
	c = (struct sdp_rtpmap){ .pt = 99, .channels = 1, .rate = 8000, .name = "RED" };
	assert_true(sdp_codec_supplemental(&c));
	assert_int_equal(sdp_rtpmap_of(&o.media, 96, &c), 0);
	assert_false(sdp_codec_supplemental(&c));
	assert_int_equal(sdp_rtpmap_of(&o.media, 8, &c), -ENOENT);
	assert_false(sdp_codec_supplemental(&c));
	/* written as an error names them */
	sdp_wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(sdp_rtpmap_of(&o.media, 96, &c), 0);
	sdp_rtpmap_put(&w, &c);
	sdp_put(&w, ", ");
	assert_int_equal(sdp_rtpmap_of(&o.media, 8, &c), -ENOENT);
	sdp_rtpmap_put(&w, &c);
	sdp_put(&w, ", ");
	assert_int_equal(sdp_rtpmap_of(&o.media, 101, &c), 0);
	sdp_rtpmap_put(&w, &c);
	assert_false(w.over);
	assert_string_equal(buf, "96 opus/48000/2, 8, 101 telephone-event/8000");
	/* RFC 3551's static payload types: 0 (without a=rtpmap, or with its
	 * own) and a dynamic PCMU/8000 are one codec (RFC 3264 section 6.1:
	 * one codec whatever its number); 0 and 8 are two; PCMU/8000/2 is
	 * another; 9 is G.722 whatever its a=rtpmap says (G722/16000 is
	 * common); one RFC 3551 leaves unassigned (20), and a dynamic one,
	 * without a=rtpmap: their numbers */
	assert_int_equal(parse("v=0\nc=IN IP4 192.0.2.7\nm=audio 30000 RTP/AVP 0 8 9 20 96 97 98\n"
			       "a=rtpmap:0 PCMU/8000\na=rtpmap:9 G722/16000\na=rtpmap:96 pcmu/8000\n"
			       "a=rtpmap:98 PCMU/8000/2\n", &o, &e), 0);
	assert_int_equal(parse("v=0\nc=IN IP4 192.0.2.9\nm=audio 40000 RTP/AVP 0 9\n", &a, &e), 0);
	assert_int_equal(sdp_rtpmap_of(&a.media, 0, &c), -ENOENT);
	assert_int_equal(sdp_rtpmap_of(&o.media, 0, &d), 0);
	assert_int_equal(sdp_codec_key(&c), sdp_codec_key(&d));
	assert_int_equal(sdp_rtpmap_of(&o.media, 96, &d), 0);
	assert_int_equal(sdp_codec_key(&c), sdp_codec_key(&d));
	assert_int_equal(sdp_rtpmap_of(&o.media, 98, &d), 0);
	assert_int_not_equal(sdp_codec_key(&c), sdp_codec_key(&d));
	assert_int_equal(sdp_rtpmap_of(&o.media, 8, &d), -ENOENT);
	assert_int_not_equal(sdp_codec_key(&c), sdp_codec_key(&d));
	assert_int_equal(sdp_rtpmap_of(&a.media, 9, &c), -ENOENT);
	assert_int_equal(sdp_rtpmap_of(&o.media, 9, &d), 0);
	assert_int_equal(d.rate, 16000);
	assert_int_equal(sdp_codec_key(&c), sdp_codec_key(&d));
	assert_int_equal(sdp_rtpmap_of(&o.media, 20, &c), -ENOENT);
	assert_int_equal(sdp_codec_key(&c), 20);
	assert_int_equal(sdp_rtpmap_of(&o.media, 97, &c), -ENOENT);
	assert_int_equal(sdp_codec_key(&c), 97);
}

/* sdp_parse_section(): one section to sdp_parse_desc()'s limits, what
 * sdp_parse() (H.248's) refuses: a format list of 23 payload types, 64+
 * lines, 1 KB+ of codec lines. 32 payload types taken, a 33rd a limit
 * (-E2BIG), not a malformed line; 4095 octets of codec lines, not more. */
static void
test_sdp_parse_section_limits(void **state)
{
	static char t[SDP_DESC_SIZE_MAX + 512];
	struct sdp s;
	struct sdp_error e;
	size_t n;

	(void)state;
	n = (size_t)snprintf(t, sizeof(t), "v=0\nc=IN IP4 192.0.2.1\nm=video 4000 RTP/AVPF");
	for (unsigned int pt = 96; pt < 119; pt++)
		n += (size_t)snprintf(t + n, sizeof(t) - n, " %u", pt);
	n += (size_t)snprintf(t + n, sizeof(t) - n, "\n");
	for (unsigned int pt = 96; pt < 119; pt++)
		n += (size_t)snprintf(t + n, sizeof(t) - n,
				      "a=rtpmap:%u H264/90000\na=rtcp-fb:%u nack\n"
				      "a=fmtp:%u level-asymmetry-allowed=1;packetization-mode=1\n",
				      pt, pt, pt);
	assert_int_equal(sdp_parse(t, n, &s, &e), -E2BIG);
	assert_int_equal(sdp_parse_section(t, n, &s, &e), 0);
	assert_int_equal(s.media.npt, 23);
	assert_int_equal(s.media.pt[22], 118);
	assert_true(strlen(s.media.codec) > 2000);
	assert_non_null(strstr(s.media.codec, "a=fmtp:118 level-asymmetry-allowed=1"));

	/* 32 payload types, then 33 */
	n = (size_t)snprintf(t, sizeof(t), "v=0\nc=IN IP4 192.0.2.1\nm=video 4000 RTP/AVPF");
	for (unsigned int pt = 96; pt < 128; pt++)
		n += (size_t)snprintf(t + n, sizeof(t) - n, " %u", pt);
	assert_int_equal(sdp_parse_section(t, n, &s, &e), 0);
	assert_int_equal(s.media.npt, SDP_PT_MAX);
	n += (size_t)snprintf(t + n, sizeof(t) - n, " 0");
	assert_int_equal(sdp_parse_section(t, n, &s, &e), -E2BIG);
	assert_int_equal(e.code, SDP_E_TOO_LONG);
	assert_non_null(strstr(e.msg, "more than 32 RTP payload types"));

	/* codec lines: past 4095 octets a limit */
	n = (size_t)snprintf(t, sizeof(t), "v=0\nc=IN IP4 192.0.2.1\nm=video 4000 RTP/AVPF 96\n");
	for (unsigned int i = 0; i < 40; i++)
		n += (size_t)snprintf(t + n, sizeof(t) - n, "a=fmtp:96 x=%0100u\n", i);
	assert_int_equal(sdp_parse_section(t, n, &s, &e), -E2BIG);
	assert_int_equal(e.code, SDP_E_TOO_LONG);
	assert_non_null(strstr(e.msg, "codec lines"));
	explicit_bzero(&s, sizeof(s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdp_rfc4975_msrp),
		cmocka_unit_test(test_sdp_rfc8122_fingerprint),
		cmocka_unit_test(test_sdp_rfc4145_tcp),
		cmocka_unit_test(test_sdp_rfc8856_bfcp),
		cmocka_unit_test(test_sdp_h248_framing),
		cmocka_unit_test(test_sdp_parse_errors),
		cmocka_unit_test(test_sdp_derive_roles),
		cmocka_unit_test(test_sdp_derive_errors),
		cmocka_unit_test(test_sdp_choose_and_levels),
		cmocka_unit_test(test_sdp_write_round_trip),
		cmocka_unit_test(test_sdp_write_refuses),
		cmocka_unit_test(test_sdp_err_names),
		cmocka_unit_test(test_sdp_volte_offer),
		cmocka_unit_test(test_sdp_rtp_parse_errors),
		cmocka_unit_test(test_sdp_crypto_keys),
		cmocka_unit_test(test_sdp_crypto_params),
		cmocka_unit_test(test_sdp_rtp_derive_crypto),
		cmocka_unit_test(test_sdp_rtp_derive_rtcp),
		cmocka_unit_test(test_sdp_rtp_derive_errors),
		cmocka_unit_test(test_sdp_rtp_write_round_trip),
		cmocka_unit_test(test_sdp_rtp_write_refuses),
		cmocka_unit_test(test_sdp_crypto_write),
		cmocka_unit_test(test_sdp_rtp_names),
		cmocka_unit_test(test_sdp_codec),
		cmocka_unit_test(test_sdp_parse_section_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
