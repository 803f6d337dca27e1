/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/sdp: descriptions in the form the RFCs' examples give (RFC 4975's
 * MSRP, RFC 8856's BFCP, RFC 4145's setup, RFC 8122's fingerprint), as
 * Erlang's megaco text encoder frames them in Local{...}; every error
 * code with the line it names; the RFC 4145 role table of sdp_derive();
 * H.248 CHOOSE; sdp_write() read back by sdp_parse() for every proto and
 * role, and its -ENOSPC at every short size.
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
