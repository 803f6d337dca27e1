/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li's X1 (ETSI TS 103 221-1): each request kind turnpike serves, from
 * samples in li_x1/ written by hand against the schema (and valid against
 * it: xmllint and x1_schema_validate() agree), read into the right struct
 * field by field; several messages in one request; the refusals — a
 * DOCTYPE, a billion-laughs entity set, an external entity, a body over
 * 256 KiB, nesting past 32, an unknown target element, a bad UUID, an
 * unknown xsi:type, more than 16 messages — each answered as TS 103 221-1
 * says (101, whole or per message), a target or destination turnpike does
 * not serve (401, 400), an operation it does not serve (100); the writer's
 * bytes, its refusals at every short buffer; and, when ETSI's schemas are
 * at LI_XSD_DIR or ../shared/li-xsd beside the checkout (they are never
 * part of it), every sample and every response the writer makes validated
 * against them, and a request only the schema catches refused with 101.
 * Without the schemas those checks are skipped, saying so.
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
#include <unistd.h>

#include "x1.h"

static char body[X1_BODY_MAX + 4096];
static struct x1_req req;
static const char *xsd_dir;	/* where load_schema() found ETSI's */
static struct x1_schema *schema;

static const uint8_t xid[16] = {
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
	0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};
static const uint8_t txid[16] = {
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x41, 0x11,
	0x81, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
};
static const uint8_t did1[16] = {
	0xaa, 0xaa, 0xaa, 0xaa, 0x00, 0x00, 0x40, 0x00,
	0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
};

/* A sample from tests/unit/li_x1 into body; its length. */
static size_t
sample(const char *name)
{
	const char *src = getenv("TP_SRC");
	char path[1024];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/unit/li_x1/%s", src != NULL ? src : ".", name);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s: cannot open (TP_SRC is the source tree)", path);
	n = fread(body, 1, sizeof(body) - 1, f);
	fclose(f);
	body[n] = '\0';
	return n;
}

/* body with the first `from` replaced by `to`; the new length. */
static size_t
patch(const char *from, const char *to)
{
	char *at = strstr(body, from);
	size_t fl = strlen(from), tl = strlen(to), n = strlen(body);

	if (at == NULL)
		fail_msg("\"%s\" not in the sample", from);
	assert_true(n - fl + tl < sizeof(body));
	memmove(at + tl, at + fl, n - (size_t)(at - body) - fl + 1);
	memcpy(at, to, tl);
	return strlen(body);
}

/* Reads body; every message is `op` with `code`. */
static void
reads_as(size_t len, unsigned int n, enum x1_op op, int code)
{
	struct x1_err err;
	unsigned int i;
	int rc = x1_read(body, len, NULL, &req, &err);

	if (rc != 0)
		fail_msg("x1_read: %d (%s)", rc, err.text);
	assert_int_equal(req.n, n);
	for (i = 0; i < n; i++) {
		if (req.msgs[i].code != code)
			fail_msg("message %u: code %d (%s), not %d", i, req.msgs[i].code,
				 req.msgs[i].text, code);
		if (op != X1_OP_NONE)
			assert_int_equal(req.msgs[i].op, op);
	}
}

/* Refused whole: rc and a 101 with a sentence. */
static void
refused_whole(size_t len, int rc)
{
	struct x1_err err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(x1_read(body, len, NULL, &req, &err), rc);
	assert_int_equal(err.code, X1_E_SYNTAX);
	assert_true(strlen(err.text) > 0);
	assert_int_equal(req.n, 0);
}

static void
hdr_is_sample(const struct x1_hdr *h)
{
	assert_string_equal(h->admf, "admf-1");
	assert_string_equal(h->ne, "turnpike-1");
	assert_string_equal(h->version, "v1.22.1");
	assert_true(h->timestamp_us == 1796032800000000ll);	/* 2026-11-30T10:00:00Z */
	assert_memory_equal(h->txid, txid, 16);
}

static void
test_x1_activate_task(void **state)
{
	static const uint8_t v4[4] = { 192, 0, 2, 1 }, net4[4] = { 198, 51, 100, 0 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t net6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 };
	static const uint8_t did2[16] = {
		0xaa, 0xaa, 0xaa, 0xaa, 0x00, 0x00, 0x40, 0x00,
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	};
	const struct x1_task *t = &req.msgs[0].u.task;

	(void)state;
	reads_as(sample("activate_task.xml"), 1, X1_OP_ACTIVATE_TASK, 0);
	hdr_is_sample(&req.msgs[0].hdr);
	assert_memory_equal(t->xid, xid, 16);
	assert_int_equal(t->n_targets, 5);
	assert_int_equal(t->targets[0].kind, X1_T_NAI);
	assert_string_equal(t->targets[0].nai, "alice@example.org");
	assert_int_equal(t->targets[1].kind, X1_T_IPV4);
	assert_int_equal(t->targets[1].family, 4);
	assert_int_equal(t->targets[1].prefix, 32);
	assert_memory_equal(t->targets[1].addr, v4, 4);
	assert_int_equal(t->targets[2].kind, X1_T_IPV4_CIDR);
	assert_int_equal(t->targets[2].prefix, 24);
	assert_memory_equal(t->targets[2].addr, net4, 4);
	assert_int_equal(t->targets[3].kind, X1_T_IPV6);
	assert_int_equal(t->targets[3].family, 6);
	assert_memory_equal(t->targets[3].addr, v6, 16);
	assert_int_equal(t->targets[4].kind, X1_T_IPV6_CIDR);
	assert_int_equal(t->targets[4].prefix, 48);
	assert_memory_equal(t->targets[4].addr, net6, 16);
	assert_int_equal(t->delivery, X1_DELIVERY_X2_AND_X3);
	assert_int_equal(t->n_dids, 2);
	assert_memory_equal(t->dids[0], did1, 16);
	assert_memory_equal(t->dids[1], did2, 16);
	assert_true(t->has_corr);
	assert_true(t->corr == UINT64_MAX);
	assert_int_equal(t->implicit_deactivation, 0);
	assert_false(t->has_product);
	assert_false(t->extras);
}

static void
test_x1_modify_task(void **state)
{
	const struct x1_task *t = &req.msgs[0].u.task;

	(void)state;
	reads_as(sample("modify_task.xml"), 1, X1_OP_MODIFY_TASK, 0);
	hdr_is_sample(&req.msgs[0].hdr);
	assert_memory_equal(t->xid, xid, 16);
	assert_int_equal(t->n_targets, 1);
	assert_int_equal(t->targets[0].kind, X1_T_IPV6_CIDR);
	assert_int_equal(t->targets[0].prefix, 64);
	assert_int_equal(t->delivery, X1_DELIVERY_X3_ONLY);
	assert_int_equal(t->n_dids, 1);
	assert_false(t->has_corr);
	assert_int_equal(t->implicit_deactivation, -1);
}

static void
test_x1_xid_and_did_requests(void **state)
{
	(void)state;
	reads_as(sample("deactivate_task.xml"), 1, X1_OP_DEACTIVATE_TASK, 0);
	hdr_is_sample(&req.msgs[0].hdr);
	assert_memory_equal(req.msgs[0].u.xid, xid, 16);
	reads_as(sample("get_task_details.xml"), 1, X1_OP_GET_TASK_DETAILS, 0);
	assert_memory_equal(req.msgs[0].u.xid, xid, 16);
	reads_as(sample("remove_destination.xml"), 1, X1_OP_REMOVE_DESTINATION, 0);
	assert_memory_equal(req.msgs[0].u.did, did1, 16);
	reads_as(sample("get_all_details.xml"), 1, X1_OP_GET_ALL_DETAILS, 0);
	hdr_is_sample(&req.msgs[0].hdr);
	reads_as(sample("keepalive.xml"), 1, X1_OP_KEEPALIVE, 0);
	hdr_is_sample(&req.msgs[0].hdr);
}

static void
test_x1_destinations(void **state)
{
	static const uint8_t v4[4] = { 192, 0, 2, 10 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a };
	const struct x1_dest *d = &req.msgs[0].u.dest;

	(void)state;
	reads_as(sample("create_destination.xml"), 1, X1_OP_CREATE_DESTINATION, 0);
	hdr_is_sample(&req.msgs[0].hdr);
	assert_memory_equal(d->did, did1, 16);
	assert_true(d->has_friendly);
	assert_string_equal(d->friendly, "MF & LEMF 1");	/* &amp; read */
	assert_int_equal(d->delivery, X1_DELIVERY_X2_AND_X3);
	assert_true(d->ip_port);
	assert_true(d->tcp);
	assert_int_equal(d->family, 4);
	assert_memory_equal(d->addr, v4, 4);
	assert_int_equal(d->port, 7000);
	reads_as(sample("modify_destination.xml"), 1, X1_OP_MODIFY_DESTINATION, 0);
	assert_int_equal(d->family, 6);
	assert_memory_equal(d->addr, v6, 16);
	assert_int_equal(d->port, 7001);
	/* a UDP port or another kind of address: 400 */
	sample("create_destination.xml");
	reads_as(patch("<etsi280:TCPPort>7000</etsi280:TCPPort>",
		       "<etsi280:UDPPort>7000</etsi280:UDPPort>"), 1, X1_OP_CREATE_DESTINATION,
		 X1_E_DELIVERY_NOT_POSSIBLE);
	sample("create_destination.xml");
	patch("<ipAddressAndPort>", "<uri>https://mf.example/x3</uri><!--");
	reads_as(patch("</ipAddressAndPort>", "-->"), 1, X1_OP_CREATE_DESTINATION,
		 X1_E_DELIVERY_NOT_POSSIBLE);
	/* TCPPort's minExclusive 1 */
	sample("create_destination.xml");
	reads_as(patch(">7000<", ">1<"), 1, X1_OP_CREATE_DESTINATION, X1_E_SYNTAX);
	sample("create_destination.xml");
	reads_as(patch(">7000<", ">65536<"), 1, X1_OP_CREATE_DESTINATION, X1_E_SYNTAX);
}

static void
test_x1_three_messages(void **state)
{
	static const uint8_t t3[16] = {
		0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x43, 0x33,
		0x83, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
	};

	(void)state;
	reads_as(sample("three_messages.xml"), 3, X1_OP_NONE, 0);
	assert_int_equal(req.msgs[0].op, X1_OP_CREATE_DESTINATION);
	assert_int_equal(req.msgs[1].op, X1_OP_ACTIVATE_TASK);
	assert_int_equal(req.msgs[2].op, X1_OP_KEEPALIVE);
	assert_memory_equal(req.msgs[1].hdr.txid, t3, 16);
	assert_int_equal(req.msgs[1].u.task.n_targets, 5);
	assert_int_equal(req.msgs[0].u.dest.port, 7000);
}

static const char laughs[] =
	"<?xml version=\"1.0\"?>\n<!DOCTYPE X1Request [\n"
	" <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
	" <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	" <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	" <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	" <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
	" <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
	"]>\n<X1Request xmlns=\"http://uri.etsi.org/03221/X1/2017/10\">&f;</X1Request>\n";

static void
test_x1_refuses_dtd(void **state)
{
	struct x1_err err;
	size_t n;

	(void)state;
	/* a plain DOCTYPE before a good request */
	n = sample("keepalive.xml");
	n = patch("<X1Request ", "<!DOCTYPE X1Request>\n<X1Request ");
	refused_whole(n, -EBADMSG);
	assert_non_null(strstr(x1_read(body, n, NULL, &req, &err) == -EBADMSG ? err.text : "",
			       "DOCTYPE"));
	/* billion laughs */
	memcpy(body, laughs, sizeof(laughs));
	refused_whole(sizeof(laughs) - 1, -EBADMSG);
	/* an external entity naming a file, used in the admfIdentifier */
	sample("keepalive.xml");
	patch("<X1Request ", "<!DOCTYPE X1Request [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
	      "<X1Request ");
	n = patch("admf-1", "&x;");
	refused_whole(n, -EBADMSG);
	/* an external DTD */
	sample("keepalive.xml");
	n = patch("<X1Request ", "<!DOCTYPE X1Request SYSTEM \"http://192.0.2.1/x.dtd\">\n"
		  "<X1Request ");
	refused_whole(n, -EBADMSG);
}

/* The keepalive sample grown to `size` bytes by a comment before the root. */
static size_t
grown(size_t size)
{
	size_t n = sample("keepalive.xml");
	char *at = strstr(body, "<X1Request");
	size_t pad = size - n;

	assert_true(size > n + 8 && size < sizeof(body));
	memmove(at + pad, at, strlen(at) + 1);
	memset(at, 'x', pad);
	memcpy(at, "<!--", 4);
	memcpy(at + pad - 4, "-->\n", 4);
	assert_int_equal(strlen(body), size);
	return size;
}

/* The keepalive sample with `levels` nested elements in its message. */
static size_t
nested(unsigned int levels)
{
	char deep[64 * 8] = "";
	unsigned int i;

	sample("keepalive.xml");
	for (i = 0; i < levels; i++)
		strcat(deep, "<a>");
	for (i = 0; i < levels; i++)
		strcat(deep, "</a>");
	strcat(deep, "</x1RequestMessage>");
	return patch("</x1RequestMessage>", deep);
}

static void
test_x1_refuses_size_and_depth(void **state)
{
	size_t n;

	(void)state;
	/* 256 KiB read; a byte more, and 257 KiB, refused before parsing */
	reads_as(grown(X1_BODY_MAX), 1, X1_OP_KEEPALIVE, 0);
	refused_whole(grown(X1_BODY_MAX + 1), -EMSGSIZE);
	refused_whole(grown(257 * 1024), -EMSGSIZE);
	/* X1Request, x1RequestMessage and 30 more: 32 levels, read (the
	 * Keepalive's stray body answered 101); 31 more: refused whole */
	reads_as(nested(30), 1, X1_OP_KEEPALIVE, X1_E_SYNTAX);
	refused_whole(nested(31), -EBADMSG);
	/* not well-formed; empty */
	n = sample("keepalive.xml");
	refused_whole(n - 3, -EBADMSG);
	refused_whole(0, -EBADMSG);
}

static void
test_x1_refuses_document(void **state)
{
	size_t n;
	unsigned int i;

	(void)state;
	/* not an X1Request; another namespace */
	sample("keepalive.xml");
	patch("<X1Request ", "<X1Response ");
	n = patch("</X1Request>", "</X1Response>");
	refused_whole(n, -EBADMSG);
	sample("keepalive.xml");
	n = patch("X1/2017/10\"", "X1/2017/11\"");
	refused_whole(n, -EBADMSG);
	/* an xsi:type that is no request; none; one in another namespace */
	sample("keepalive.xml");
	n = patch("KeepaliveRequest", "KeepaliveResponse");
	refused_whole(n, -EBADMSG);
	sample("keepalive.xml");
	n = patch("xsi:type=\"KeepaliveRequest\"", "");
	refused_whole(n, -EBADMSG);
	sample("keepalive.xml");
	n = patch("xsi:type=\"KeepaliveRequest\"", "xsi:type=\"etsi280:KeepaliveRequest\"");
	refused_whole(n, -EBADMSG);
	/* header: a bad transaction id, a missing admfIdentifier, a
	 * timestamp without microseconds */
	sample("keepalive.xml");
	n = patch("11111111-1111-4111-8111-111111111111", "11111111-1111-4111-8111-11111111111G");
	refused_whole(n, -EBADMSG);
	sample("keepalive.xml");
	n = patch("<admfIdentifier>admf-1</admfIdentifier>", "");
	refused_whole(n, -EBADMSG);
	sample("keepalive.xml");
	n = patch("10:00:00.000000Z", "10:00:00Z");
	refused_whole(n, -EBADMSG);
	/* 17 messages */
	n = sample("keepalive.xml");
	{
		char *m = strstr(body, "<x1RequestMessage"), *e = strstr(body, "</X1Request>");
		size_t ml = (size_t)(e - m);
		char one[2048];

		assert_true(ml < sizeof(one));
		memcpy(one, m, ml);
		for (i = 1; i < X1_MSG_MAX; i++) {
			memmove(e + ml, e, strlen(e) + 1);
			memcpy(e, one, ml);
			e += ml;
		}
		n = strlen(body);
		reads_as(n, X1_MSG_MAX, X1_OP_KEEPALIVE, 0);
		memmove(e + ml, e, strlen(e) + 1);
		memcpy(e, one, ml);
		refused_whole(strlen(body), -EBADMSG);
	}
}

static void
test_x1_refuses_in_message(void **state)
{
	size_t n;

	(void)state;
	/* an element TargetIdentifier does not define: 101 */
	sample("activate_task.xml");
	n = patch("<nai>alice@example.org</nai>", "<fooAddress>x</fooAddress>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	/* one it defines and turnpike does not serve: 401 */
	sample("activate_task.xml");
	n = patch("<nai>alice@example.org</nai>", "<e164Number>4912345678</e164Number>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_TARGET_NOT_SUPPORTED);
	assert_string_equal(req.msgs[0].u.task.targets[0].element, "e164Number");
	/* a bad xId (uppercase hex), a bad dId, a bad address, a bad CIDR */
	sample("activate_task.xml");
	n = patch("<xId>12345678-9abc", "<xId>12345678-9ABC");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	sample("activate_task.xml");
	n = patch("<dId>aaaaaaaa-0000-4000-8000-000000000001", "<dId>aaaaaaaa-0000-4000-8000-00000000001");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	sample("activate_task.xml");
	n = patch("192.0.2.1<", "192.0.2.256<");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	sample("activate_task.xml");
	n = patch("198.51.100.0/24", "198.51.100.0/33");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	sample("activate_task.xml");
	n = patch("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	/* a correlation ID past 64 bits */
	sample("activate_task.xml");
	n = patch("18446744073709551615", "18446744073709551616");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	/* a required child missing, one given twice, an unknown one */
	sample("activate_task.xml");
	n = patch("<deliveryType>X2andX3</deliveryType>", "");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	sample("activate_task.xml");
	n = patch("<deliveryType>X2andX3</deliveryType>",
		  "<deliveryType>X2andX3</deliveryType><deliveryType>X3Only</deliveryType>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	sample("activate_task.xml");
	n = patch("<deliveryType>X2andX3</deliveryType>", "<deliveryType>X4</deliveryType>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	sample("activate_task.xml");
	n = patch("</taskDetails>", "<colour>red</colour></taskDetails>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	/* a destination set: not served */
	sample("activate_task.xml");
	n = patch("</listOfDIDs>", "<dSId>bbbbbbbb-0000-4000-8000-000000000001</dSId></listOfDIDs>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_GENERIC);
	/* a Keepalive with a body; a DeactivateTask without */
	sample("keepalive.xml");
	n = patch("</x1TransactionId>", "</x1TransactionId><xId>12345678-9abc-4def-8123-456789abcdef</xId>");
	reads_as(n, 1, X1_OP_KEEPALIVE, X1_E_SYNTAX);
	sample("deactivate_task.xml");
	n = patch("<xId>12345678-9abc-4def-8123-456789abcdef</xId>", "");
	reads_as(n, 1, X1_OP_DEACTIVATE_TASK, X1_E_SYNTAX);
	/* an operation turnpike does not serve: read, answered 100 */
	sample("keepalive.xml");
	n = patch("KeepaliveRequest", "PingRequest");
	reads_as(n, 1, X1_OP_PING, X1_E_GENERIC);
}

/* 3GPP's LI_T3 trigger (TS 33.128's IMST3TargetIdentifierExtensions in a
 * targetIdentifierExtension, docs/design/li.md §2.7): read, and refused
 * (101) when malformed; another owner or extension is 401. */
static void
test_x1_ims_t3_trigger(void **state)
{
	const struct x1_target *g = &req.msgs[0].u.task.targets[0];
	struct x1_w w;
	struct x1_resp_hdr h = { .admf = "pcscf-1", .ne = "turnpike-1", .txid = txid };
	struct x1_task_status st = { .provisioning = "complete", .x2_pdus = -1, .x3_pdus = -1,
				     .n_modifications = -1 };
	static char out[8192];
	size_t n;

	(void)state;
	reads_as(sample("activate_trigger.xml"), 1, X1_OP_ACTIVATE_TASK, 0);
	assert_int_equal(req.msgs[0].u.task.n_targets, 1);
	assert_int_equal(g->kind, X1_T_IMS_T3);
	assert_true(g->h248_ctx == 2147483649u);
	assert_int_equal(g->t3_dir, X1_T3_DIR_TO_TARGET);
	assert_int_equal(g->t3_scope, X1_T3_SCOPE_BI);
	assert_true(g->t3_ctx == 0);
	assert_true(req.msgs[0].u.task.corr == 7777);
	/* another release's namespace: the same */
	sample("activate_trigger.xml");
	n = patch("r19:v2", "r18:v6");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, 0);
	/* written back as read (GetTaskDetails), and read again */
	x1_w_init(&w, out, sizeof(out));
	x1_w_task(&w, &h, &req.msgs[0].u.task, &st);
	assert_int_equal(x1_w_end(&w) > 0, 1);
	assert_non_null(strstr(out, "<t3:H248ContextID>2147483649</t3:H248ContextID>"));
	assert_non_null(strstr(out, "<t3:TriggerScope>Bidirectional</t3:TriggerScope>"));
	assert_non_null(strstr(out, "ToTarget"));
	/* a child redeclaring the same namespace (another prefix, or the
	 * default one) is in it: the same (review L2) */
	sample("activate_trigger.xml");
	n = patch("<t3:IMST3TargetIdentifierExtension><t3:PayloadDirectionAssignment>",
		  "<t3:IMST3TargetIdentifierExtension xmlns:t3=\"urn:3GPP:ns:li:3GPPX1Extensions:"
		  "r19:v2\"><t3:PayloadDirectionAssignment>");
	n = patch("<t3:H248ContextID>2147483649</t3:H248ContextID>",
		  "<H248ContextID xmlns=\"urn:3GPP:ns:li:3GPPX1Extensions:r19:v2\">2147483649"
		  "</H248ContextID>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, 0);
	assert_true(g->h248_ctx == 2147483649u);
	assert_int_equal(g->t3_dir, X1_T3_DIR_TO_TARGET);
	/* ... but another release's inside one: 101 */
	sample("activate_trigger.xml");
	n = patch("<t3:H248ContextID>2147483649</t3:H248ContextID>",
		  "<H248ContextID xmlns=\"urn:3GPP:ns:li:3GPPX1Extensions:r18:v6\">2147483649"
		  "</H248ContextID>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	/* another owner, another extension: a target not served (401) */
	sample("activate_trigger.xml");
	n = patch("<Owner>3GPP</Owner>", "<Owner>ACME</Owner>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_TARGET_NOT_SUPPORTED);
	sample("activate_trigger.xml");
	n = patch("IMST3TargetIdentifierExtensions xmlns", "UPFLIT3TargetIdentifierExtensions xmlns");
	n = patch("</t3:IMST3TargetIdentifierExtensions>", "</t3:UPFLIT3TargetIdentifierExtensions>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_TARGET_NOT_SUPPORTED);
	sample("activate_trigger.xml");
	n = patch("urn:3GPP:ns:li:3GPPX1Extensions:r19:v2", "urn:example:other");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_TARGET_NOT_SUPPORTED);
	/* malformed: 101 */
	static const char *const bad[][2] = {
		{ "<Owner>3GPP</Owner>", "" },                              /* no Owner */
		{ ">2147483649<", ">0<" },                                  /* below 1 */
		{ ">2147483649<", ">4294967294<" },                         /* past the max */
		{ ">2147483649<", ">-1<" },
		{ ">2147483649<", ">12x<" },
		{ ">ToTarget<", ">Sideways<" },
		{ ">Bidirectional<", ">Both<" },
		{ "<t3:TriggerScope>Bidirectional</t3:TriggerScope>",       /* a second ContextID */
		  "<t3:H248ContextID>5</t3:H248ContextID>" },
		{ "<t3:H248ContextID>2147483649</t3:H248ContextID>",        /* none */
		  "<t3:TriggerScope>Unidirectional</t3:TriggerScope>" },
		{ "<t3:TriggerScope>Bidirectional</t3:TriggerScope>",       /* unknown choice */
		  "<t3:Colour>red</t3:Colour>" },
		{ "<t3:TriggerScope>Bidirectional</t3:TriggerScope>",       /* two in one */
		  "<t3:TriggerScope>Bidirectional</t3:TriggerScope><t3:TriggerScope>Bidirectional</t3:TriggerScope>" },
		{ "<t3:IMST3TargetIdentifierExtension><t3:TriggerScope>",   /* a foreign item */
		  "<t3:Other><t3:TriggerScope>" },
		{ "<t3:H248ContextID>2147483649</t3:H248ContextID>",        /* text, no element */
		  "2147483649" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sample("activate_trigger.xml");
		n = patch(bad[i][0], bad[i][1]);
		if (strcmp(bad[i][1], "<t3:Other><t3:TriggerScope>") == 0)
			n = patch("</t3:TriggerScope></t3:IMST3TargetIdentifierExtension>",
				  "</t3:TriggerScope></t3:Other>");
		reads_as(n, 1, X1_OP_ACTIVATE_TASK, X1_E_SYNTAX);
	}
}

/* The last case of the test above, checked message by message. */
static void
test_x1_one_bad_message(void **state)
{
	size_t n;

	(void)state;
	sample("three_messages.xml");
	n = patch("<nai>alice@example.org</nai>", "<sipUri>sip:alice@example.org</sipUri>");
	assert_int_equal(x1_read(body, n, NULL, &req, NULL), 0);
	assert_int_equal(req.n, 3);
	assert_int_equal(req.msgs[0].code, 0);
	assert_int_equal(req.msgs[1].code, X1_E_TARGET_NOT_SUPPORTED);
	assert_int_equal(req.msgs[2].code, 0);
}

static void
test_x1_uuid(void **state)
{
	uint8_t b[16];
	char s[37];

	(void)state;
	assert_int_equal(x1_uuid_parse("12345678-9abc-4def-8123-456789abcdef", b), 0);
	assert_memory_equal(b, xid, 16);
	x1_uuid_format(b, s);
	assert_string_equal(s, "12345678-9abc-4def-8123-456789abcdef");
	assert_int_equal(x1_uuid_parse("12345678-9abc-4def-8123-456789abcdeF", b), -EINVAL);
	assert_int_equal(x1_uuid_parse("12345678-9abc-4def-8123-456789abcde", b), -EINVAL);
	assert_int_equal(x1_uuid_parse("123456789-abc-4def-8123-456789abcdef", b), -EINVAL);
	assert_int_equal(x1_uuid_parse("12345678-9abc-4def-8123-456789abcdef0", b), -EINVAL);
	assert_string_equal(x1_err_text(X1_E_SYNTAX), "Request syntax error");
	assert_string_equal(x1_err_text(304), "DID in use");
	assert_null(x1_err_text(999));
	assert_string_equal(x1_op_name(X1_OP_GET_ALL_DETAILS), "GetAllDetails");
	assert_true(x1_op_served(X1_OP_MODIFY_DESTINATION));
	assert_false(x1_op_served(X1_OP_PING));
}

static const struct x1_resp_hdr rh = {
	.admf = "admf-1", .ne = "turnpike-1", .now_us = 1796032800000001ll, .txid = txid,
};

static const char ok_want[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<X1Response xmlns=\"http://uri.etsi.org/03221/X1/2017/10\" "
	"xmlns:etsi280=\"http://uri.etsi.org/03280/common/2017/07\" "
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
	"<x1ResponseMessage xsi:type=\"ActivateTaskResponse\">"
	"<admfIdentifier>admf-1</admfIdentifier><neIdentifier>turnpike-1</neIdentifier>"
	"<messageTimestamp>2026-11-30T10:00:00.000001Z</messageTimestamp>"
	"<version>v1.22.1</version>"
	"<x1TransactionId>11111111-1111-4111-8111-111111111111</x1TransactionId>"
	"<oK>AcknowledgedAndCompleted</oK></x1ResponseMessage>"
	"<x1ResponseMessage xsi:type=\"ErrorResponse\">"
	"<admfIdentifier>admf-1</admfIdentifier><neIdentifier>turnpike-1</neIdentifier>"
	"<messageTimestamp>2026-11-30T10:00:00.000001Z</messageTimestamp>"
	"<version>v1.22.1</version>"
	"<x1TransactionId>11111111-1111-4111-8111-111111111111</x1TransactionId>"
	"<requestMessageType>RemoveDestination</requestMessageType>"
	"<errorInformation><errorCode>304</errorCode>"
	"<errorDescription>DID in use &amp; &lt;busy&gt;</errorDescription></errorInformation>"
	"</x1ResponseMessage></X1Response>\n";

static int
write_ok_error(char *buf, size_t size)
{
	struct x1_w w;

	x1_w_init(&w, buf, size);
	x1_w_ok(&w, &rh, X1_OP_ACTIVATE_TASK);
	x1_w_error(&w, &rh, X1_OP_REMOVE_DESTINATION, X1_E_DID_IN_USE, "DID in use & <busy>");
	return x1_w_end(&w);
}

static void
test_x1_writer_bytes(void **state)
{
	static char out[4096];
	struct x1_w w;
	size_t size;
	int full;

	(void)state;
	full = write_ok_error(out, sizeof(out));
	assert_int_equal(full, (int)strlen(ok_want));
	assert_string_equal(out, ok_want);
	/* every shorter buffer: -ENOSPC, nothing past its size */
	for (size = 0; size <= (size_t)full; size++) {
		memset(out, 0x5a, sizeof(out));
		assert_int_equal(write_ok_error(out, size), -ENOSPC);
		assert_int_equal((unsigned char)out[size], 0x5a);
	}
	assert_int_equal(write_ok_error(out, (size_t)full + 1), full);
	/* a control character in a text; an op with no name; a
	 * GetAllDetails left open; a destination before a begin */
	x1_w_init(&w, out, sizeof(out));
	x1_w_error(&w, &rh, X1_OP_PING, 100, "bell\a");
	assert_int_equal(x1_w_end(&w), -EINVAL);
	x1_w_init(&w, out, sizeof(out));
	x1_w_ok(&w, &rh, X1_OP_NONE);
	assert_int_equal(x1_w_end(&w), -EINVAL);
	x1_w_init(&w, out, sizeof(out));
	x1_w_all_begin(&w, &rh, true);
	assert_int_equal(x1_w_end(&w), -EINVAL);
	x1_w_init(&w, out, sizeof(out));
	x1_w_all_task(&w, &req.msgs[0].u.task, NULL);
	assert_int_equal(x1_w_end(&w), -EINVAL);
	/* the top-level error */
	assert_true(x1_w_top_error(out, sizeof(out), &rh) > 0);
	assert_non_null(strstr(out, "<X1TopLevelErrorResponse xmlns=\"http://uri.etsi.org/03221/X1/2017/10\">"
			       "<admfIdentifier>admf-1</admfIdentifier>"));
	assert_null(strstr(out, "x1TransactionId"));
	assert_int_equal(x1_w_top_error(out, 100, &rh), -ENOSPC);
}

static const int fault_codes[] = { 400 };
static const char *const fault_texts[] = { "destination unreachable since 10:00" };
static const struct x1_task_status st = {
	.provisioning = "complete", .n_faults = 1, .fault_codes = fault_codes,
	.fault_texts = fault_texts, .last_intercept_us = 1796032800000000ll, .x2_pdus = 3,
	.x3_pdus = 1000, .last_modified_us = 1796032700000000ll, .n_modifications = 1,
};

/* Every response kind, as cp/li will answer the samples: into out. */
static int
write_all_kinds(char *out, size_t size)
{
	static const int dest_codes[] = { 400 };
	static const char *const dest_texts[] = { "not connected & retried" };
	struct x1_task task;
	struct x1_dest dest;
	struct x1_w w;

	reads_as(sample("activate_task.xml"), 1, X1_OP_ACTIVATE_TASK, 0);
	task = req.msgs[0].u.task;
	reads_as(sample("modify_destination.xml"), 1, X1_OP_MODIFY_DESTINATION, 0);
	dest = req.msgs[0].u.dest;
	x1_w_init(&w, out, size);
	x1_w_ok(&w, &rh, X1_OP_ACTIVATE_TASK);
	x1_w_ok(&w, &rh, X1_OP_MODIFY_TASK);
	x1_w_ok(&w, &rh, X1_OP_DEACTIVATE_TASK);
	x1_w_ok(&w, &rh, X1_OP_CREATE_DESTINATION);
	x1_w_ok(&w, &rh, X1_OP_MODIFY_DESTINATION);
	x1_w_ok(&w, &rh, X1_OP_REMOVE_DESTINATION);
	x1_w_ok(&w, &rh, X1_OP_KEEPALIVE);
	x1_w_error(&w, &rh, X1_OP_ACTIVATE_TASK, X1_E_XID_EXISTS, NULL);
	x1_w_task(&w, &rh, &task, &st);
	x1_w_all_begin(&w, &rh, true);
	x1_w_all_task(&w, &task, &st);
	x1_w_all_task(&w, &task, &st);
	x1_w_all_dest(&w, &dest, true, 0, NULL, NULL);
	x1_w_all_dest(&w, &dest, false, 1, dest_codes, dest_texts);
	x1_w_all_end(&w);
	x1_w_all_begin(&w, &rh, false);	/* nothing provisioned */
	x1_w_all_end(&w);
	return x1_w_end(&w);
}

static void
test_x1_writer_forms(void **state)
{
	static char out[32768];

	(void)state;
	assert_true(write_all_kinds(out, sizeof(out)) > 0);
	/* targets and addresses in TS 103 280's forms, as read */
	assert_non_null(strstr(out, "<targetIdentifier><nai>alice@example.org</nai></targetIdentifier>"));
	assert_non_null(strstr(out, "<ipv4Address>192.0.2.1</ipv4Address>"));
	assert_non_null(strstr(out, "<ipv4Cidr><etsi280:IPv4CIDR>198.51.100.0/24</etsi280:IPv4CIDR></ipv4Cidr>"));
	assert_non_null(strstr(out, "<ipv6Address>2001:0db8:0000:0000:0000:0000:0000:0001</ipv6Address>"));
	assert_non_null(strstr(out, "<ipv6Cidr>2001:0db8:0001:0000:0000:0000:0000:0000/48</ipv6Cidr>"));
	assert_non_null(strstr(out, "<correlationID>18446744073709551615</correlationID>"
			       "<implicitDeactivationAllowed>false</implicitDeactivationAllowed>"));
	assert_non_null(strstr(out, "<etsi280:IPv6Address>2001:0db8:0000:0000:0000:0000:0000:000a"
			       "</etsi280:IPv6Address></etsi280:address><etsi280:port>"
			       "<etsi280:TCPPort>7001</etsi280:TCPPort>"));
	assert_non_null(strstr(out, "<friendlyName>MF &amp; LEMF 1</friendlyName>"));
	assert_non_null(strstr(out, "<amountOfX3Data>1000</amountOfX3Data>"));
	assert_non_null(strstr(out, "<errorCode>300</errorCode><errorDescription>XID already exists"));
	assert_non_null(strstr(out, "<neStatus>Faults</neStatus>"));
	/* a destination's faults (dp's figures) */
	assert_non_null(strstr(out, "<destinationDeliveryStatus>deliveryFault</destinationDeliveryStatus>"
			       "<listOfFaults><unresolvedFault><errorCode>400</errorCode>"
			       "<errorDescription>not connected &amp; retried</errorDescription>"));
	assert_non_null(strstr(out, "<destinationDeliveryStatus>activeAndWorking"
			       "</destinationDeliveryStatus><listOfFaults></listOfFaults>"));
}

/* ETSI's schemas: LI_XSD_DIR, else ../shared/li-xsd beside the checkout. */
static int
load_schema(void **state)
{
	const char *dir = getenv("LI_XSD_DIR"), *src = getenv("TP_SRC");
	static char path[1024];

	(void)state;
	if (dir == NULL) {
		snprintf(path, sizeof(path), "%s/../shared/li-xsd", src != NULL ? src : ".");
		dir = path;
	}
	xsd_dir = dir;
	schema = x1_schema_load(dir);
	if (schema == NULL)
		print_message("  ETSI's X1 schemas not found at %s (LI_XSD_DIR names "
			      "another folder): schema validation is not checked\n", dir);
	return 0;
}

static int
free_schema(void **state)
{
	(void)state;
	x1_schema_free(schema);
	schema = NULL;
	return 0;
}

static void
test_x1_schema_samples_valid(void **state)
{
	static const char *const samples[] = {
		"activate_task.xml", "modify_task.xml", "deactivate_task.xml",
		"get_task_details.xml", "get_all_details.xml", "keepalive.xml",
		"create_destination.xml", "modify_destination.xml", "remove_destination.xml",
		"three_messages.xml",
	};
	struct x1_err err;
	unsigned int i, k;
	size_t n;

	(void)state;
	if (schema == NULL)
		skip();
	assert_string_equal(x1_schema_versions(schema), "1.22.1/1.10.1/2.15.1");
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		n = sample(samples[i]);
		if (x1_schema_validate(schema, body, n, &err) != 0)
			fail_msg("%s: line %d: %s", samples[i], err.line, err.text);
		assert_int_equal(x1_read(body, n, schema, &req, &err), 0);
		for (k = 0; k < req.n; k++)
			if (req.msgs[k].code != 0)
				fail_msg("%s: %s", samples[i], req.msgs[k].text);
	}
	/* deliveryType before targetIdentifiers: our own walk takes it, the
	 * schema's sequence does not, and every message says 101 */
	sample("activate_task.xml");
	patch("<deliveryType>X2andX3</deliveryType>", "");
	n = patch("<targetIdentifiers>", "<deliveryType>X2andX3</deliveryType><targetIdentifiers>");
	reads_as(n, 1, X1_OP_ACTIVATE_TASK, 0);
	assert_int_equal(x1_read(body, n, schema, &req, &err), 0);
	assert_int_equal(req.msgs[0].code, X1_E_SYNTAX);
	assert_non_null(strstr(req.msgs[0].text, "does not validate"));
	assert_null(strstr(req.msgs[0].text, "alice"));
	/* the reader's refusals come first with a schema too */
	sample("keepalive.xml");
	n = patch("<X1Request ", "<!DOCTYPE X1Request>\n<X1Request ");
	assert_int_equal(x1_read(body, n, schema, &req, &err), -EBADMSG);
	assert_int_equal(x1_schema_validate(schema, body, n, &err), -EBADMSG);
}

static void
test_x1_schema_responses_valid(void **state)
{
	static char out[32768];
	struct x1_err err;
	int n;

	(void)state;
	if (schema == NULL)
		skip();
	n = write_all_kinds(out, sizeof(out));
	assert_true(n > 0);
	if (x1_schema_validate(schema, out, (size_t)n, &err) != 0)
		fail_msg("line %d: %s", err.line, err.text);
	n = write_ok_error(out, sizeof(out));
	assert_int_equal(x1_schema_validate(schema, out, (size_t)n, &err), 0);
	n = x1_w_top_error(out, sizeof(out), &rh);
	if (x1_schema_validate(schema, out, (size_t)n, &err) != 0)
		fail_msg("line %d: %s", err.line, err.text);
	/* and a response that is not valid is caught: no oK */
	n = write_ok_error(out, sizeof(out));
	memcpy(strstr(out, "<oK>"), "<oX>", 4);
	memcpy(strstr(out, "</oK>"), "</oX>", 5);
	assert_int_equal(x1_schema_validate(schema, out, (size_t)n, &err), -EBADMSG);
	assert_int_equal(err.code, X1_E_SYNTAX);
	assert_true(err.line > 0 || strstr(err.text, "oX") != NULL);
}

/*
 * 3GPP's X1 extensions module beside ETSI's (docs/design/li.md §2.7): with
 * ETSI's alone the trigger's element fails the strict wildcard; with a
 * module of 3GPP's namespace in the folder (here a stand-in of turnpike's
 * own: the trigger's three elements, not 3GPP's file) it validates, and
 * the versions say the namespace's release. A file of another namespace
 * under that name: the folder refused.
 */
static void
test_x1_schema_3gpp_module(void **state)
{
	static const char *const etsi[] = {
		"TS_103_280.xsd", "TS_103_221_01_HashedID.xsd", "TS_103_221_01.xsd",
	};
	static const char standin[] =
		"<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
		"targetNamespace=\"%s\" elementFormDefault=\"qualified\">"
		"<xs:element name=\"IMST3TargetIdentifierExtensions\"><xs:complexType><xs:sequence>"
		"<xs:element name=\"IMST3TargetIdentifierExtension\" maxOccurs=\"unbounded\">"
		"<xs:complexType><xs:choice>"
		"<xs:element name=\"H248ContextID\" type=\"xs:unsignedInt\"/>"
		"<xs:element name=\"PayloadDirectionAssignment\" type=\"xs:string\"/>"
		"<xs:element name=\"TriggerScope\" type=\"xs:string\"/>"
		"</xs:choice></xs:complexType></xs:element>"
		"</xs:sequence></xs:complexType></xs:element></xs:schema>";
	char dir[] = "/tmp/tp-li-xsd-XXXXXX", from[1200], to[1200];
	struct x1_schema *s3;
	struct x1_err err;
	FILE *f;
	size_t n;

	(void)state;
	if (schema == NULL)
		skip();
	n = sample("activate_trigger.xml");
	assert_int_not_equal(x1_schema_validate(schema, body, n, &err), 0);
	assert_non_null(mkdtemp(dir));
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s/%s", xsd_dir, etsi[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, etsi[i]);
		assert_int_equal(symlink(from, to), 0);
	}
	snprintf(to, sizeof(to), "%s/urn_3GPP_ns_li_3GPPX1Extensions.xsd", dir);
	f = fopen(to, "w");
	assert_non_null(f);
	fprintf(f, standin, "urn:3GPP:ns:li:3GPPX1Extensions:r19:v2");
	fclose(f);
	s3 = x1_schema_load(dir);
	assert_non_null(s3);
	assert_string_equal(x1_schema_versions(s3), "1.22.1/1.10.1/2.15.1 3GPP r19:v2");
	if (x1_schema_validate(s3, body, n, &err) != 0)
		fail_msg("the trigger: line %d: %s", err.line, err.text);
	assert_int_equal(x1_read(body, n, s3, &req, &err), 0);
	assert_int_equal(req.msgs[0].code, 0);
	assert_int_equal(req.msgs[0].u.task.targets[0].kind, X1_T_IMS_T3);
	/* ETSI's samples still valid with it */
	n = sample("activate_task.xml");
	assert_int_equal(x1_schema_validate(s3, body, n, &err), 0);
	x1_schema_free(s3);
	f = fopen(to, "w");
	assert_non_null(f);
	fprintf(f, standin, "urn:example:not-3gpp");
	fclose(f);
	assert_null(x1_schema_load(dir));
	unlink(to);
	for (unsigned int i = 0; i < 3; i++) {
		snprintf(to, sizeof(to), "%s/%s", dir, etsi[i]);
		unlink(to);
	}
	rmdir(dir);
}

static void
test_x1_schema_load_refuses(void **state)
{
	char dir[] = "/tmp/tp-x1-xsd-XXXXXX", cmd[256];

	(void)state;
	errno = 0;
	assert_null(x1_schema_load("/nonexistent/li-xsd"));
	assert_int_equal(errno, ENOENT);
	assert_non_null(mkdtemp(dir));
	errno = 0;
	assert_null(x1_schema_load(dir));	/* empty: no file */
	assert_int_equal(errno, ENOENT);
	snprintf(cmd, sizeof(cmd), "cd %s && for f in TS_103_280.xsd TS_103_221_01_HashedID.xsd "
		 "TS_103_221_01.xsd; do echo '<x/>' > $f; done", dir);
	assert_int_equal(system(cmd), 0);
	errno = 0;
	assert_null(x1_schema_load(dir));	/* files that are no schemas */
	assert_int_equal(errno, EINVAL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_null(x1_schema_versions(NULL));
	x1_schema_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x1_activate_task),
		cmocka_unit_test(test_x1_modify_task),
		cmocka_unit_test(test_x1_xid_and_did_requests),
		cmocka_unit_test(test_x1_destinations),
		cmocka_unit_test(test_x1_three_messages),
		cmocka_unit_test(test_x1_refuses_dtd),
		cmocka_unit_test(test_x1_refuses_size_and_depth),
		cmocka_unit_test(test_x1_refuses_document),
		cmocka_unit_test(test_x1_refuses_in_message),
		cmocka_unit_test(test_x1_ims_t3_trigger),
		cmocka_unit_test(test_x1_one_bad_message),
		cmocka_unit_test(test_x1_uuid),
		cmocka_unit_test(test_x1_writer_bytes),
		cmocka_unit_test(test_x1_writer_forms),
		cmocka_unit_test(test_x1_schema_samples_valid),
		cmocka_unit_test(test_x1_schema_3gpp_module),
		cmocka_unit_test(test_x1_schema_responses_valid),
		cmocka_unit_test(test_x1_schema_load_refuses),
	};

	return cmocka_run_group_tests(tests, load_schema, free_schema);
}
