/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/h248: the H.248.1 v3 text encoding. Messages written from Annex B's
 * ABNF (tests/unit/h248/hand_*.txt) and the same messages as Erlang
 * megaco's pretty and compact encoders write them (megaco_*.txt, see
 * megaco_conv.escript) parse, say what they mean and survive a round trip
 * through the writer; each class of bad input is refused with its H.248.8
 * code; what the writer builds is read back by us and, when escript is
 * installed, by megaco's decoder (tests/unit/h248/megaco_check.escript).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "h248.h"

#define NODES 1024

static struct h248_node nodes[NODES], nodes2[NODES];
static char text[H248_MSG_MAX + 1], out[2 * H248_MSG_MAX], out2[2 * H248_MSG_MAX];

static const char *
src_dir(void)
{
	const char *s = getenv("TP_SRC");

	return s != NULL ? s : ".";
}

static size_t
load(const char *name)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/unit/h248/%s", src_dir(), name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return n;
}

/* parse -> write -> parse gives an equal tree, and writing that again
 * gives the same bytes (one canonical form). */
static void
round_trip(const struct h248_tree *t)
{
	struct h248_tree t2, t3;
	struct h248_node *n3 = calloc(NODES, sizeof(*n3));
	struct h248_err err;
	int len, len2;

	assert_non_null(n3);
	len = h248_tree_write(t, out, sizeof(out));
	assert_true(len > 0);
	assert_int_equal(h248_parse_tree(&t2, out, (size_t)len, nodes2, NODES, &err), 0);
	assert_true(h248_tree_equal(t, &t2));
	len2 = h248_tree_write(&t2, out2, sizeof(out2));
	assert_int_equal(len, len2);
	assert_memory_equal(out, out2, (size_t)len);
	assert_int_equal(h248_parse_tree(&t3, out2, (size_t)len2, n3, NODES, &err), 0);
	assert_true(h248_tree_equal(&t2, &t3));
	free(n3);
}

static void
test_h248_tokens_every_spelling(void **state)
{
	static const struct {
		const char *spell;
		enum h248_tok tok;
	} known[] = {
		{ "Add", H248_TOK_ADD }, { "a", H248_TOK_ADD }, { "Modify", H248_TOK_MODIFY },
		{ "MF", H248_TOK_MODIFY }, { "Subtract", H248_TOK_SUBTRACT }, { "S", H248_TOK_SUBTRACT },
		{ "AuditValue", H248_TOK_AUDITVALUE }, { "AV", H248_TOK_AUDITVALUE },
		{ "Notify", H248_TOK_NOTIFY }, { "N", H248_TOK_NOTIFY },
		{ "ServiceChange", H248_TOK_SERVICECHANGE }, { "sc", H248_TOK_SERVICECHANGE },
		{ "Transaction", H248_TOK_TRANSACTION }, { "T", H248_TOK_TRANSACTION },
		{ "Reply", H248_TOK_REPLY }, { "P", H248_TOK_REPLY }, { "Pending", H248_TOK_PENDING },
		{ "PN", H248_TOK_PENDING }, { "TransactionResponseAck", H248_TOK_RESPONSEACK },
		{ "K", H248_TOK_RESPONSEACK }, { "Context", H248_TOK_CONTEXT }, { "C", H248_TOK_CONTEXT },
		{ "Media", H248_TOK_MEDIA }, { "M", H248_TOK_MEDIA }, { "Stream", H248_TOK_STREAM },
		{ "ST", H248_TOK_STREAM }, { "Local", H248_TOK_LOCAL }, { "L", H248_TOK_LOCAL },
		{ "Remote", H248_TOK_REMOTE }, { "R", H248_TOK_REMOTE },
		{ "LocalControl", H248_TOK_LOCALCONTROL }, { "O", H248_TOK_LOCALCONTROL },
		{ "Mode", H248_TOK_MODE }, { "MO", H248_TOK_MODE }, { "Events", H248_TOK_EVENTS },
		{ "E", H248_TOK_EVENTS }, { "ObservedEvents", H248_TOK_OBSERVEDEVENTS },
		{ "OE", H248_TOK_OBSERVEDEVENTS }, { "Error", H248_TOK_ERROR }, { "ER", H248_TOK_ERROR },
		{ "Services", H248_TOK_SERVICES }, { "SV", H248_TOK_SERVICES },
		{ "Method", H248_TOK_METHOD }, { "MT", H248_TOK_METHOD }, { "Reason", H248_TOK_REASON },
		{ "RE", H248_TOK_REASON }, { "Profile", H248_TOK_PROFILE }, { "PF", H248_TOK_PROFILE },
		{ "Version", H248_TOK_VERSION }, { "V", H248_TOK_VERSION },
		{ "ServiceChangeAddress", H248_TOK_SERVICECHANGEADDRESS },
		{ "AD", H248_TOK_SERVICECHANGEADDRESS }, { "MgcIdToTry", H248_TOK_MGCIDTOTRY },
		{ "MG", H248_TOK_MGCIDTOTRY }, { "Audit", H248_TOK_AUDIT }, { "AT", H248_TOK_AUDIT },
		{ "Statistics", H248_TOK_STATISTICS }, { "SA", H248_TOK_STATISTICS },
		{ "TerminationState", H248_TOK_TERMINATIONSTATE }, { "TS", H248_TOK_TERMINATIONSTATE },
		{ "Signals", H248_TOK_SIGNALS }, { "SG", H248_TOK_SIGNALS },
		{ "SENDRECEIVE", H248_TOK_SENDRECV }, { "sr", H248_TOK_SENDRECV },
		{ "END", H248_TOK_SEGMENTCOMPLETE }, { "&", H248_TOK_SEGMENTCOMPLETE },
		{ "SPARequestID", H248_TOK_REQUESTID }, { "RequestID", H248_TOK_REQUESTID },
		{ "ANSLgc", H248_TOK_ANDLGC }, { "MEGACO", H248_TOK_MEGACO }, { "!", H248_TOK_MEGACO },
		{ "ImmAckRequired", H248_TOK_IMMACKREQUIRED }, { "IA", H248_TOK_IMMACKREQUIRED },
	};
	unsigned int i, j;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_int_equal(h248_tok_lookup(known[i].spell, strlen(known[i].spell)), known[i].tok);
	/* every token's spellings come back to it, in any case: no two
	 * tokens share a spelling */
	for (i = H248_TOK_OTHER + 1; i < H248_TOK_COUNT; i++) {
		const char *l = h248_tok_name((enum h248_tok)i), *s = h248_tok_short((enum h248_tok)i);
		char up[64];

		assert_non_null(l);
		assert_non_null(s);
		assert_int_equal(h248_tok_lookup(l, strlen(l)), i);
		assert_int_equal(h248_tok_lookup(s, strlen(s)), i);
		for (j = 0; s[j] != '\0' && j + 1 < sizeof(up); j++)
			up[j] = (char)((s[j] >= 'a' && s[j] <= 'z') ? s[j] - 32 : s[j]);
		up[j] = '\0';
		assert_int_equal(h248_tok_lookup(up, strlen(up)), i);
	}
	assert_int_equal(h248_tok_lookup("ipnapt/latch", 12), H248_TOK_OTHER);
	assert_int_equal(h248_tok_lookup("Adds", 4), H248_TOK_OTHER);
	assert_int_equal(h248_tok_lookup("Ad", 2), H248_TOK_SERVICECHANGEADDRESS);
	assert_int_equal(h248_tok_lookup("", 0), H248_TOK_OTHER);
	assert_null(h248_tok_name(H248_TOK_OTHER));
	assert_null(h248_next(NULL, NULL, H248_TOK_NONE));
	assert_null(h248_tok_name(H248_TOK_COUNT));
	assert_string_equal(h248_code_text(400), "Syntax error in message");
	assert_null(h248_code_text(999));
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
test_h248_vectors_parse_and_round_trip(void **state)
{
	struct dirent **ents;
	char dir[512];
	int n, i, seen = 0, seen_megaco = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/unit/h248", src_dir());
	n = scandir(dir, &ents, NULL, by_name);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t l = strlen(nm);
		struct h248_tree t;
		struct h248_msg m;
		struct h248_err err;
		int rc;

		if (l > 4 && strcmp(nm + l - 4, ".txt") == 0) {
			l = load(nm);
			rc = h248_parse(&t, text, l, nodes, NODES, &m, &err);
			if (rc != 0)
				fail_msg("%s: %d %u at %u: %s", nm, rc, err.code, err.off, err.why);
			assert_true(m.ntrans > 0 || m.error != NULL);
			round_trip(&t);
			seen++;
			seen_megaco += strncmp(nm, "megaco_", 7) == 0;
		}
		free(ents[i]);
	}
	free(ents);
	assert_true(seen >= 40);
	assert_true(seen_megaco >= 28);
}

/* The Add of a TLS leg, as written by hand and by megaco's two encoders. */
static void
check_add_tls(const char *name)
{
	const struct h248_node *c, *a, *s, *lc, *lat, *loc, *rem, *mo;
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;
	char sdp[1024];
	uint32_t ctx;
	size_t len = load(name);

	assert_int_equal(h248_parse(&t, text, len, nodes, NODES, &m, &err), 0);
	assert_int_equal(t.version, 3);
	assert_int_equal(t.mid_kind, H248_MID_DOMAIN);
	assert_int_equal(t.port, 2944);
	assert_int_equal(t.addr.len, strlen("pcscf.ims.example.net"));
	assert_memory_equal(text + t.addr.off, "pcscf.ims.example.net", t.addr.len);
	assert_int_equal(m.ntrans, 1);
	assert_int_equal(m.trans[0].kind, H248_TRANS_REQUEST);
	assert_int_equal(m.trans[0].id, 10003);
	c = h248_child(&t, m.trans[0].node, H248_TOK_CONTEXT);
	assert_non_null(c);
	assert_int_equal(h248_value_ctx(&t, c, &ctx), 0);
	assert_int_equal(ctx, H248_CTX_CHOOSE);
	a = h248_child(&t, c, H248_TOK_ADD);
	assert_non_null(a);
	assert_true(h248_value_is(&t, a, "$"));
	s = h248_child(&t, h248_child(&t, a, H248_TOK_MEDIA), H248_TOK_STREAM);
	assert_non_null(s);
	assert_true(h248_value_is(&t, s, "1"));
	lc = h248_child(&t, s, H248_TOK_LOCALCONTROL);
	assert_non_null(lc);
	mo = h248_child(&t, lc, H248_TOK_MODE);
	assert_non_null(mo);
	assert_int_equal(h248_value_tok(&t, mo), H248_TOK_SENDRECV);
	lat = h248_child_named(&t, lc, "ipnapt/latch");
	assert_non_null(lat);
	assert_int_equal(lat->tok, H248_TOK_OTHER);
	assert_int_equal(h248_value_tok(&t, lat), H248_TOK_ON);
	loc = h248_child(&t, s, H248_TOK_LOCAL);
	rem = h248_child(&t, s, H248_TOK_REMOTE);
	assert_non_null(loc);
	assert_non_null(rem);
	assert_true(h248_octets(&t, loc, sdp, sizeof(sdp)) > 0);
	assert_true(strncmp(sdp, "v=0", 3) == 0);
	assert_non_null(strstr(sdp, "m=message $ TCP/TLS/MSRP *"));
	assert_true(h248_octets(&t, rem, sdp, sizeof(sdp)) > 0);
	assert_true(strncmp(sdp, "v=0", 3) == 0);
	assert_non_null(strstr(sdp, "a=fingerprint:sha-256 4A:AD:"));
	assert_null(h248_child(&t, s, H248_TOK_EVENTS));
	assert_null(h248_child(&t, h248_child(&t, s, H248_TOK_EVENTS), H248_TOK_TRANSACTION));
	assert_ptr_equal(h248_first(&t), m.trans[0].node);
}

static void
test_h248_add_tls_three_writers(void **state)
{
	(void)state;
	check_add_tls("hand_add_tls.txt");
	check_add_tls("megaco_pretty_add_tls.txt");
	check_add_tls("megaco_compact_add_tls.txt");
}

static int
parse_str(const char *s, struct h248_tree *t, struct h248_msg *m, struct h248_err *err)
{
	size_t n = strlen(s);

	memcpy(text, s, n + 1);
	return h248_parse(t, text, n, nodes, NODES, m, err);
}

static void
test_h248_header_forms(void **state)
{
	static const struct {
		const char *msg;
		uint8_t kind;
		uint16_t port;
		const char *addr;
	} cases[] = {
		{ "MEGACO/3 [192.0.2.1]:2944\nPending=1{}", H248_MID_IP4, 2944, "192.0.2.1" },
		{ "MEGACO/3 [192.0.2.1] Pending=1{}", H248_MID_IP4, 0, "192.0.2.1" },
		{ "!/3 [2001:db8::1]:2945 PN=1{}", H248_MID_IP6, 2945, "2001:db8::1" },
		{ "megaco/2 <mg.example.net>:1 Pending=1{}", H248_MID_DOMAIN, 1, "mg.example.net" },
		{ "MEGACO/1 mg1/gw\tPending=1{}", H248_MID_DEVICE, 0, "mg1/gw" },
		{ "MEGACO/3 MTP{0a1B} Pending=1{}", H248_MID_MTP, 0, "0a1B" },
		{ "MEGACO/3 [0000:0000:0000:0000:0000:ffff:192.168.100.228]:2944 Pending=1{}",
		  H248_MID_IP6, 2944, "0000:0000:0000:0000:0000:ffff:192.168.100.228" },
		{ "  ; leading comment\r\nMEGACO/3 [10.0.0.1]:65535 ;c\n Pending=1{}", H248_MID_IP4,
		  65535, "10.0.0.1" },
	};
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse_str(cases[i].msg, &t, &m, &err);

		if (rc != 0)
			fail_msg("case %u: %d %s", i, rc, err.why);
		assert_int_equal(t.mid_kind, cases[i].kind);
		assert_int_equal(t.port, cases[i].port);
		assert_int_equal(t.addr.len, strlen(cases[i].addr));
		assert_memory_equal(text + t.addr.off, cases[i].addr, t.addr.len);
		assert_int_equal(m.ntrans, 1);
		assert_int_equal(m.trans[0].kind, H248_TRANS_PENDING);
		assert_int_equal(m.trans[0].id, 1);
		round_trip(&t);
	}
	assert_int_equal(parse_str("!/3 [192.0.2.1]:2944 T=1{C=-{AV=ROOT{AT{}}}}", &t, &m, &err), 0);
	assert_int_equal(t.version, 3);
	assert_false(m.auth);
	assert_int_equal(load("hand_auth_device.txt") > 0, 1);
	assert_int_equal(h248_parse(&t, text, strlen(text), nodes, NODES, &m, &err), 0);
	assert_true(m.auth);
	assert_int_equal(m.trans[0].id, 30);
	{
		/* the header's fields, where the body begins, the header alone */
		uint8_t data[32];
		uint32_t spi, seq;
		size_t dlen;

		assert_int_equal(h248_auth_fields(&t, &spi, &seq, data, sizeof(data), &dlen), 0);
		assert_int_equal(spi, 0x1234abcd);
		assert_int_equal(seq, 1);
		assert_int_equal(dlen, 12);
		assert_int_equal(data[0], 0x01);
		assert_int_equal(data[11], 0x67);
		assert_memory_equal(text + t.body_off, "Transaction = 30 {", 18);
		assert_int_equal(h248_auth_fields(&t, &spi, &seq, data, 11, &dlen), -EINVAL);
		assert_int_equal(h248_parse_head(&t, "au = 0XABCDEF01:0x0000000a:0x"
						 "0123456789ABCDEF0123456789 ; x\n"
						 "MEGACO/3 mg1 ;c\n  \tPending=1{}", 90, &err), 0);
		assert_int_equal(h248_auth_fields(&t, &spi, &seq, data, sizeof(data), &dlen), 0);
		assert_int_equal(spi, 0xabcdef01);
		assert_int_equal(seq, 10);
		assert_int_equal(dlen, 13);
		assert_int_equal(t.body_off, 79);
		assert_int_equal(t.n, 0);
		/* an odd count of AuthData digits gives no bytes */
		assert_int_equal(h248_parse_head(&t, "AU=0x1:0x1:0x0123456789abcdef012345678 "
						 "MEGACO/3 mg1 P=1{}", 57, &err), -EBADMSG);
		assert_int_equal(h248_parse_head(&t, "AU=0x00000001:0x00000001:0x0123456789abcdef"
						 "012345678 MEGACO/3 mg1 P=1{}", 71, &err), 0);
		assert_int_equal(h248_auth_fields(&t, &spi, &seq, data, sizeof(data), &dlen),
				 -EINVAL);
		assert_int_equal(h248_parse_head(&t, "MEGACO/3 mg1 P=1{}", 18, &err), 0);
		assert_int_equal(h248_auth_fields(&t, &spi, &seq, data, sizeof(data), &dlen),
				 -ENOENT);
		assert_int_equal(t.body_off, 13);
	}
}

static void
test_h248_transactions_of_each_kind(void **state)
{
	const struct h248_node *oe, *ev, *k;
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;
	uint32_t lo, hi;
	uint16_t code;
	const char *txt;
	size_t len;

	(void)state;
	assert_int_equal(h248_parse(&t, text, load("hand_audit_pending_ack.txt"), nodes, NODES, &m, &err), 0);
	assert_int_equal(m.ntrans, 3);
	assert_int_equal(m.trans[0].kind, H248_TRANS_REQUEST);
	assert_int_equal(m.trans[1].kind, H248_TRANS_PENDING);
	assert_int_equal(m.trans[1].id, 10003);
	assert_int_equal(m.trans[2].kind, H248_TRANS_RESPONSEACK);
	k = h248_child(&t, m.trans[2].node, H248_TOK_NONE);
	assert_int_equal(h248_ack_range(&t, k, &lo, &hi), 0);
	assert_int_equal(lo, 10003);
	assert_int_equal(hi, 10003);
	k = h248_next(&t, k, H248_TOK_NONE);
	assert_int_equal(h248_ack_range(&t, k, &lo, &hi), 0);
	assert_int_equal(lo, 10005);
	assert_int_equal(hi, 10007);
	assert_null(h248_next(&t, k, H248_TOK_NONE));

	assert_int_equal(h248_parse(&t, text, load("megaco_compact_segments.txt"), nodes, NODES, &m, &err), 0);
	assert_int_equal(m.ntrans, 2);
	assert_int_equal(m.trans[0].kind, H248_TRANS_REPLY);
	assert_int_equal(m.trans[0].id, 40);
	assert_int_equal(m.trans[0].seg, 1);
	assert_false(m.trans[0].seg_end);
	assert_int_equal(m.trans[1].seg, 2);
	assert_true(m.trans[1].seg_end);
	assert_int_equal(h248_parse(&t, text, load("hand_segment_reply.txt"), nodes, NODES, &m, &err), 0);
	assert_int_equal(m.trans[0].kind, H248_TRANS_SEGMENTREPLY);
	assert_int_equal(m.trans[0].id, 41);
	assert_int_equal(m.trans[0].seg, 3);
	assert_true(m.trans[0].seg_end);

	assert_int_equal(h248_parse(&t, text, load("hand_compact.txt"), nodes, NODES, &m, &err), 0);
	assert_int_equal(m.ntrans, 3);
	assert_int_equal(m.trans[2].kind, H248_TRANS_REPLY);
	assert_true(m.trans[2].imm_ack);
	assert_false(m.trans[0].imm_ack);

	assert_int_equal(h248_parse(&t, text, load("megaco_pretty_reply_errors.txt"), nodes, NODES, &m, &err), 0);
	assert_non_null(m.trans[0].error);
	assert_int_equal(h248_error_of(&t, m.trans[0].error, &code, &txt, &len), 0);
	assert_int_equal(code, 441);
	assert_int_equal(len, strlen("Missing Remote or Local Descriptor"));
	assert_memory_equal(txt, "Missing Remote or Local Descriptor", len);
	assert_null(m.trans[1].error);

	assert_int_equal(h248_parse(&t, text, load("hand_error_msg.txt"), nodes, NODES, &m, &err), 0);
	assert_int_equal(m.ntrans, 0);
	assert_non_null(m.error);
	assert_int_equal(h248_error_of(&t, m.error, &code, &txt, &len), 0);
	assert_int_equal(code, 400);

	/* observed events with their timestamps */
	assert_int_equal(h248_parse(&t, text, load("megaco_pretty_notify.txt"), nodes, NODES, &m, &err), 0);
	oe = h248_child(&t, h248_child(&t, h248_child(&t, m.trans[0].node, H248_TOK_CONTEXT),
					H248_TOK_NOTIFY), H248_TOK_OBSERVEDEVENTS);
	assert_non_null(oe);
	assert_true(h248_value_is(&t, oe, "1234"));
	ev = h248_child_named(&t, oe, "g/cause");
	assert_non_null(ev);
	assert_int_equal(ev->ts.len, 17);
	assert_memory_equal(text + ev->ts.off, "20261127T12300100", 17);
	assert_true(h248_value_is(&t, h248_child_named(&t, ev, "generalcause"), "NR"));

	/* O- and W- prefixes, context properties, lists */
	assert_int_equal(h248_parse(&t, text, load("hand_ctx_props.txt"), nodes, NODES, &m, &err), 0);
	assert_int_equal(m.trans[0].id, 4294967295u);
	k = h248_child(&t, h248_child(&t, m.trans[0].node, H248_TOK_CONTEXT), H248_TOK_ADD);
	assert_non_null(k);
	assert_int_equal(k->flags & (H248_F_OPTIONAL | H248_F_WILDREPLY), H248_F_OPTIONAL);
	k = h248_child(&t, h248_child(&t, m.trans[0].node, H248_TOK_CONTEXT), H248_TOK_SUBTRACT);
	assert_int_equal(k->flags & (H248_F_OPTIONAL | H248_F_WILDREPLY), H248_F_WILDREPLY);
	assert_true(h248_value_is(&t, k, "ip/*"));
}

static void
test_h248_lists_and_operators(void **state)
{
	const struct h248_node *lc, *x, *e;
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;
	char v[16];

	(void)state;
	assert_int_equal(h248_parse(&t, text, load("megaco_compact_ctx_props.txt"), nodes, NODES, &m, &err), 0);
	lc = h248_child(&t, h248_child(&t, h248_child(&t, h248_child(&t, h248_child(&t,
		m.trans[0].node, H248_TOK_CONTEXT), H248_TOK_ADD), H248_TOK_MEDIA), H248_TOK_STREAM),
		H248_TOK_LOCALCONTROL);
	assert_non_null(lc);
	x = h248_child_named(&t, lc, "nt/jit");
	assert_int_equal(x->op, H248_OP_GT);
	assert_true(h248_value_is(&t, x, "40"));
	x = h248_child_named(&t, lc, "rtp/x");
	assert_int_equal(x->vkind, H248_V_LIST);
	e = h248_elem(&t, x);
	assert_int_equal(h248_value_copy(&t, e, v, sizeof(v)), 1);
	assert_string_equal(v, "1");
	e = h248_next(&t, h248_next(&t, e, H248_TOK_NONE), H248_TOK_NONE);
	assert_true(h248_value_is(&t, e, "3"));
	assert_null(h248_next(&t, e, H248_TOK_NONE));
	x = h248_child_named(&t, lc, "rtp/y");
	assert_int_equal(x->vkind, H248_V_RANGE);
	x = h248_child_named(&t, lc, "rtp/z");
	assert_int_equal(x->vkind, H248_V_ALT);
	assert_true(h248_value_is(&t, h248_elem(&t, x), "a"));
	assert_int_equal(h248_value_copy(&t, x, v, 3), -ENOSPC);
	assert_string_equal(v, "");
}

struct bad_case {
	const char *msg;
	int rc;
	uint16_t code;
	uint32_t tid;
	const char *why;	/* a word of the sentence */
};

#define HDR "MEGACO/3 [192.0.2.100]:2944\n"

static const struct bad_case bad_cases[] = {
	/* truncated */
	{ "", -EBADMSG, 400, 0, "MEGACO" },
	{ HDR, -EBADMSG, 400, 0, "no transaction" },
	{ "MEGACO/3 [192.0.2.100]:2944", -EBADMSG, 400, 0, "space" },
	{ HDR "Transaction = 5 { Context = 1 { Add = ip/1 { Media {", -EBADMSG, 403, 5, "ends" },
	{ HDR "Transaction = 5 { Context = 1 { Add = ip/1 { Media { Stream = 1 { Local {v=0\n",
	  -EBADMSG, 403, 5, "body" },
	{ HDR "Transaction = 5 { Context = 1 { Notify = ip/1 { Reason = \"abc", -EBADMSG, 403, 5,
	  "quoted" },
	{ HDR "Transaction = 5 { Context = 1 { Modify = ip/1 { nt/x = [1, 2", -EBADMSG, 403, 5, "list" },
	/* unbalanced braces */
	{ HDR "Transaction = 5 { Context = 1 { Add = ip/1 }}}", -EBADMSG, 400, 0, "between" },
	{ HDR "Transaction = 5 { Context = 1 { Add = ip/1 } Add = ip/2 }", -EBADMSG, 403, 5, "neither" },
	{ HDR "}", -EBADMSG, 400, 0, "neither" },
	{ HDR "Transaction = 5 { Context = 1 { Add = ip/1, } }", -EBADMSG, 403, 5, "neither" },
	{ HDR "Pending = 1 {}, Pending = 2 {}", -EBADMSG, 400, 0, "between" },
	/* transaction ids */
	{ HDR "Transaction = 0 { Context = 1 { Add = ip/1 } }", -EBADMSG, 400, 0, "4294967295" },
	{ HDR "Transaction = 4294967296 { Context = 1 { Add = ip/1 } }", -EBADMSG, 400, 0, "4294967295" },
	{ HDR "Transaction = 12345678901 { Context = 1 { Add = ip/1 } }", -EBADMSG, 400, 0, "4294967295" },
	{ HDR "Transaction = x1 { Context = 1 { Add = ip/1 } }", -EBADMSG, 400, 0, "4294967295" },
	{ HDR "Transaction = 7 { }", -EBADMSG, 403, 7, "no action" },
	{ HDR "Reply = 0 { Context = 1 { Add = ip/1 } }", -EBADMSG, 400, 0, "Reply" },
	{ HDR "Reply = 4294967296 { Context = 1 { Add = ip/1 } }", -EBADMSG, 400, 0, "Reply" },
	{ HDR "Reply = 3/0 { Context = 1 { Add = ip/1 } }", -EBADMSG, 400, 0, "Reply" },
	{ HDR "Reply = 3/70000 { Context = 1 { Add = ip/1 } }", -EBADMSG, 400, 0, "Reply" },
	{ HDR "Reply = 3/1/FIN { Context = 1 { Add = ip/1 } }", -EBADMSG, 400, 0, "Reply" },
	{ HDR "Pending = 0 { }", -EBADMSG, 400, 0, "Pending" },
	{ HDR "Pending = 3 { Context = 1 }", -EBADMSG, 400, 0, "Pending" },
	{ HDR "TransactionResponseAck { 5-3 }", -EBADMSG, 400, 0, "range" },
	{ HDR "TransactionResponseAck { 0 }", -EBADMSG, 400, 0, "range" },
	{ HDR "TransactionResponseAck { }", -EBADMSG, 400, 0, "TransactionResponseAck" },
	{ HDR "Segment = 4", -EBADMSG, 400, 0, "Segment" },
	/* context ids */
	{ HDR "Transaction = 8 { Context = 0 { Add = ip/1 } }", -EBADMSG, 422, 8, "Context" },
	{ HDR "Transaction = 8 { Context = 4294967295 { Add = ip/1 } }", -EBADMSG, 422, 8, "Context" },
	{ HDR "Transaction = 8 { Context = 4294967296 { Add = ip/1 } }", -EBADMSG, 422, 8, "Context" },
	{ HDR "Transaction = 8 { Context = abc { Add = ip/1 } }", -EBADMSG, 422, 8, "Context" },
	{ HDR "Transaction = 8 { Context = 5 }", -EBADMSG, 422, 8, "{ }" },
	{ HDR "Transaction = 8 { Context = 5 { } }", -EBADMSG, 422, 8, "empty" },
	/* unknown token where a known one is required */
	{ HDR "Transaction = 9 { Context = 5 { Frobnicate = ip/1 } }", -EBADMSG, 443, 9, "command" },
	{ HDR "Transaction = 9 { Context = 5 { Media { } } }", -EBADMSG, 443, 9, "command" },
	{ HDR "Transaction = 9 { Add = ip/1 }", -EBADMSG, 403, 9, "Context" },
	{ HDR "Transaction = 9 { Context = 5 { Add { Media { } } } }", -EBADMSG, 442, 9, "command" },
	{ HDR "Frobnicate = 9 { Context = 5 { Add = ip/1 } }", -EBADMSG, 400, 0, "other than" },
	{ HDR "Error = 400 {\"x\"} Pending = 1 {}", -EBADMSG, 400, 0, "after" },
	{ HDR "Error = 40000 {\"x\"}", -EBADMSG, 400, 0, "error" },
	/* the header */
	{ "MEGACO/4 [192.0.2.100]:2944\nTransaction = 1 { }", -EPROTONOSUPPORT, 406, 0, "version" },
	{ "MEGACO/0 [192.0.2.100]:2944\nPending = 1 { }", -EPROTONOSUPPORT, 406, 0, "version" },
	{ "MEGACO/ [192.0.2.100]:2944\nPending = 1 { }", -EBADMSG, 400, 0, "MEGACO" },
	{ "MEGACO/3x [192.0.2.100]:2944\nPending = 1 { }", -EBADMSG, 400, 0, "version" },
	{ "MEGACO/123 [192.0.2.100]:2944\nPending = 1 { }", -EBADMSG, 400, 0, "digits" },
	{ "MEGACO/3 [192.0.2]:2944\nPending = 1 { }", -EBADMSG, 400, 0, "IPv4" },
	{ "MEGACO/3 [1::2::3]:2944\nPending = 1 { }", -EBADMSG, 400, 0, "IPv6" },
	{ "MEGACO/3 [::g]:2944\nPending = 1 { }", -EBADMSG, 400, 0, "character" },
	/* 45 characters are the longest IPv6 text; 46 and 47 are refused */
	{ "MEGACO/3 [0000:0000:0000:0000:0000:ffff:192.168.100.2280]:2944\nPending = 1 { }",
	  -EBADMSG, 400, 0, "longer" },
	{ "MEGACO/3 [0000:0000:0000:0000:0000:ffff:192.168.100.22800]:2944\nPending = 1 { }",
	  -EBADMSG, 400, 0, "longer" },
	{ "MEGACO/3 [0000:0000:0000:0000:0000:ffff:192.168.100.228000]:2944\nPending = 1 { }",
	  -EBADMSG, 400, 0, "closed" },
	{ "MEGACO/3 [192.0.2.100]:65536\nPending = 1 { }", -EBADMSG, 400, 0, "port" },
	{ "MEGACO/3 [192.0.2.100]:\nPending = 1 { }", -EBADMSG, 400, 0, "port" },
	{ "MEGACO/3 <-bad>:2944\nPending = 1 { }", -EBADMSG, 400, 0, "domain" },
	{ "MEGACO/3 1mg\nPending = 1 { }", -EBADMSG, 400, 0, "letter" },
	{ "MEGACO/3 [192.0.2.100]:2944Pending = 1 { }", -EBADMSG, 400, 0, "space" },
	{ "AU=0x12:0x00000001:0x0123456789abcdef01234567\nMEGACO/3 mg1\nPending = 1 { }",
	  -EBADMSG, 400, 0, "hex" },
	/* bad bytes, operators, timestamps */
	{ HDR "Transaction = 5 { Context = 1 { Notify = ip/1 { Reason = \"a\x01\" } } }", -EBADMSG, 403,
	  5, "byte" },
	{ HDR "Transaction = 5 { Context = 1 { Add = ip/1 \x80 } }", -EBADMSG, 403, 5, "neither" },
	{ HDR "Transaction = 5 { Context = 1 { Modify = ip/1 { nt/x != 3 } } }", -EBADMSG, 403, 5,
	  "neither" },
	{ HDR "Transaction = 5 { Context = 1 { Modify = ip/1 { nt/x!= 3 } } }", -EBADMSG, 403, 5,
	  "character" },
	{ HDR "Transaction = 5 { Context = 1 { Modify = ip/1 { nt/x = [1 : 3] } } }", -EBADMSG, 403,
	  5, "list" },
	{ HDR "Transaction = 5 { Context = 1 { Modify = ip/1 { nt/x = } } }", -EBADMSG, 403, 5, "value" },
	{ HDR "Transaction = 5 { Context = 1 { Notify = ip/1 { ObservedEvents = 1 { 2026 : g/x } } } }",
	  -EBADMSG, 403, 5, "timestamp" },
	{ HDR "Transaction = 5 { Context = 1 { Notify = ip/1 ; bad \x01 comment\n } }", -EBADMSG,
	  403, 5, "comment" },
};

static void
check_bad(const struct bad_case *c, size_t len, unsigned int i)
{
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;
	int rc;

	memcpy(text, c->msg, len);
	text[len] = '\0';
	rc = h248_parse(&t, text, len, nodes, NODES, &m, &err);
	if (rc != c->rc || err.code != c->code || err.tid != c->tid ||
	    strstr(err.why, c->why) == NULL)
		fail_msg("bad case %u (%.60s): rc %d code %u tid %u why \"%s\"", i, c->msg, rc,
			 err.code, err.tid, err.why);
	assert_true(err.off <= len);
	assert_true(h248_code_text(err.code) != NULL);
}

/* NUL bytes, which strlen() would hide */
static const struct bad_case nul_cases[] = {
	{ "MEGACO/3 [192.0.2.1\0]:2944\nPending = 1 { }", -EBADMSG, 400, 0, "character" },
	{ HDR "Transaction = 5 { Context = 1 { Add = ip/1 { Media { Local { v=0\0 } } } } }",
	  -EBADMSG, 403, 5, "NUL" },
	{ HDR "Transaction = 5 { Context = 1 { Notify = ip/1 { Reason = \"\0\" } } } }",
	  -EBADMSG, 403, 5, "byte" },
};

static void
test_h248_errors_each_class(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(nul_cases) / sizeof(nul_cases[0]); i++) {
		const char *nul = strchr(nul_cases[i].msg, '\0');

		check_bad(&nul_cases[i], (size_t)(nul - nul_cases[i].msg) + 1 +
			  strlen(nul + 1), 100 + i);
	}
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		check_bad(&bad_cases[i], strlen(bad_cases[i].msg), i);
}

static void
test_h248_errors_limits(void **state)
{
	static char big[H248_MSG_MAX + 64];
	static struct h248_node few[8];
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;
	size_t n;
	unsigned int i;
	int rc;

	(void)state;
	/* a quoted value one byte too long, and exactly as long as allowed */
	for (i = 0; i < 2; i++) {
		n = (size_t)snprintf(big, sizeof(big), HDR "Transaction = 6 { Context = 1 { Notify = ip/1 { Reason = \"");
		memset(big + n, 'x', H248_VALUE_MAX + 1 - i);
		n += H248_VALUE_MAX + 1 - i;
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\" } } }");
		rc = h248_parse(&t, big, n, nodes, NODES, &m, &err);
		if (i == 0) {
			assert_int_equal(rc, -E2BIG);
			assert_int_equal(err.code, 510);
			assert_int_equal(err.tid, 6);
		} else {
			assert_int_equal(rc, 0);
		}
	}
	/* an SDP body one byte over the limit, and at it */
	for (i = 0; i < 2; i++) {
		n = (size_t)snprintf(big, sizeof(big), HDR "Transaction = 6 { Context = 1 { Add = ip/1 { Media { Local {");
		memset(big + n, 'a', H248_OCTETS_MAX + 1 - i);
		n += H248_OCTETS_MAX + 1 - i;
		n += (size_t)snprintf(big + n, sizeof(big) - n, "} } } } }");
		rc = h248_parse(&t, big, n, nodes, NODES, &m, &err);
		assert_int_equal(rc, i == 0 ? -E2BIG : 0);
		if (i == 0)
			assert_int_equal(err.code, 510);
	}
	/* a token value too long */
	n = (size_t)snprintf(big, sizeof(big), HDR "Transaction = 6 { Context = 1 { Add = ");
	memset(big + n, 'z', H248_VALUE_MAX + 1);
	n += H248_VALUE_MAX + 1;
	n += (size_t)snprintf(big + n, sizeof(big) - n, " } }");
	assert_int_equal(h248_parse(&t, big, n, nodes, NODES, &m, &err), -E2BIG);
	/* a name too long */
	n = (size_t)snprintf(big, sizeof(big), HDR "Transaction = 6 { Context = 1 { Add = ip/1 { ");
	memset(big + n, 'n', H248_NAME_MAX + 1);
	n += H248_NAME_MAX + 1;
	n += (size_t)snprintf(big + n, sizeof(big) - n, " = 1 } } }");
	assert_int_equal(h248_parse(&t, big, n, nodes, NODES, &m, &err), -EBADMSG);
	assert_int_equal(err.code, 403);
	/* nested too deep: depth 16 is taken, 17 is not */
	for (i = 0; i < 2; i++) {
		unsigned int d, levels = H248_DEPTH_MAX - 3 + 1 - i;

		n = (size_t)snprintf(big, sizeof(big), HDR "Transaction = 6 { Context = 1 { Add = ip/1 ");
		for (d = 0; d < levels; d++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "{ Embed ");
		for (d = 0; d < levels; d++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "} ");
		n += (size_t)snprintf(big + n, sizeof(big) - n, "} }");
		rc = h248_parse(&t, big, n, nodes, NODES, &m, &err);
		if (i == 0) {
			assert_int_equal(rc, -EBADMSG);
			assert_non_null(strstr(err.why, "deeper"));
			assert_int_equal(err.code, 403);
		} else {
			assert_int_equal(rc, 0);
		}
	}
	/* the caller's node array runs out */
	strcpy(text, HDR "Transaction = 6 { Context = 1 { Add = ip/1 { Media { Stream = 1 { "
		     "LocalControl { Mode = SendReceive, a/b = 1, a/c = 2 } } } } } }");
	n = strlen(text);
	assert_int_equal(h248_parse(&t, text, n, few, 4, &m, &err), -E2BIG);
	assert_int_equal(err.code, 510);
	assert_int_equal(h248_parse(&t, text, n, nodes, NODES, &m, &err), 0);
	assert_int_equal(t.n, 9);
	assert_int_equal(h248_parse(&t, text, n, nodes, 9, &m, &err), 0);
	assert_int_equal(h248_parse(&t, text, n, nodes, 8, &m, &err), -E2BIG);
	/* too many transactions */
	for (i = 0; i < 2; i++) {
		unsigned int k;

		n = (size_t)snprintf(big, sizeof(big), HDR);
		for (k = 0; k < H248_TRANS_MAX + 1 - i; k++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "Pending = %u {}\n", k + 1);
		rc = h248_parse(&t, big, n, nodes, NODES, &m, &err);
		assert_int_equal(rc, i == 0 ? -E2BIG : 0);
		if (i == 0)
			assert_int_equal(err.code, 413);
		else
			assert_int_equal(m.ntrans, H248_TRANS_MAX);
	}
	assert_int_equal(h248_parse(&t, NULL, 0, nodes, NODES, &m, &err), -EBADMSG);
	assert_int_equal(err.code, 400);
	/* the message itself */
	memset(big, ' ', sizeof(big));
	assert_int_equal(h248_parse(&t, big, H248_MSG_MAX + 1, nodes, NODES, &m, &err), -E2BIG);
}

/* Every prefix of a message: refused or (a complete transaction list)
 * accepted and round-tripped; never a read past it (ASan, heap copy). */
static void
test_h248_truncated_every_prefix(void **state)
{
	static const char *const files[] = { "hand_add_tls.txt", "megaco_compact_appendix_a.txt",
					     "hand_audit_pending_ack.txt" };
	unsigned int f;

	(void)state;
	for (f = 0; f < 3; f++) {
		size_t len = load(files[f]), cut;
		unsigned int ok = 0;

		for (cut = 0; cut < len; cut++) {
			char *copy = malloc(cut > 0 ? cut : 1);
			struct h248_tree t;
			struct h248_msg m;
			struct h248_err err;
			int rc;

			memcpy(copy, text, cut);
			rc = h248_parse(&t, copy, cut, nodes, NODES, &m, &err);
			if (rc == 0) {
				size_t end = cut;

				/* a whole transaction list, cut after a '}' */
				while (end > 0 && strchr(" \t\r\n", copy[end - 1]) != NULL)
					end--;
				assert_true(end > 0 && copy[end - 1] == '}');
				round_trip(&t);
				ok++;
			} else {
				assert_true(err.code == 400 || err.code == 403 || err.code == 422 ||
					    err.code == 442 || err.code == 443);
				assert_true(err.off <= cut);
			}
			free(copy);
		}
		/* only the cuts after a whole transaction (and its line end) */
		if (ok > 5)
			fail_msg("%s: %u prefixes accepted", files[f], ok);
	}
}

static void
test_h248_octets_escaped_brace(void **state)
{
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;
	const struct h248_node *l;
	struct h248_w w;
	char sdp[128];
	int n;

	(void)state;
	assert_int_equal(parse_str(HDR "Transaction = 1 { Context = 1 { Add = ip/1 { Media { "
				   "Local {\r\n a=x:\\}\\y} } } } }", &t, &m, &err), 0);
	l = h248_child(&t, h248_child(&t, h248_child(&t, h248_child(&t, m.trans[0].node,
		H248_TOK_CONTEXT), H248_TOK_ADD), H248_TOK_MEDIA), H248_TOK_LOCAL);
	assert_non_null(l);
	n = h248_octets(&t, l, sdp, sizeof(sdp));
	assert_int_equal(n, (int)strlen("a=x:}\\y"));
	assert_string_equal(sdp, "a=x:}\\y");
	assert_int_equal(h248_octets(&t, l, sdp, 5), -ENOSPC);
	assert_string_equal(sdp, "");
	round_trip(&t);

	/* the writer escapes it back */
	h248_w_init(&w, out, sizeof(out));
	h248_w_header(&w, 3, "[192.0.2.1]:2944");
	h248_w_request(&w, 2);
	h248_w_context(&w, 7);
	h248_w_open(&w, H248_TOK_MODIFY, "ip/1");
	h248_w_open(&w, H248_TOK_MEDIA, NULL);
	h248_w_octets(&w, H248_TOK_REMOTE, "a=x:}}\r\n", 8);
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	n = h248_w_finish(&w);
	assert_true(n > 0);
	assert_non_null(strstr(out, "Remote {\na=x:\\}\\}\r\n}"));
	memcpy(text, out, (size_t)n);
	assert_int_equal(h248_parse(&t, text, (size_t)n, nodes, NODES, &m, &err), 0);
	l = h248_child(&t, h248_child(&t, h248_child(&t, h248_child(&t, m.trans[0].node,
		H248_TOK_CONTEXT), H248_TOK_MODIFY), H248_TOK_MEDIA), H248_TOK_REMOTE);
	assert_int_equal(h248_octets(&t, l, sdp, sizeof(sdp)), 8);
	assert_string_equal(sdp, "a=x:}}\r\n");

	/* a body ending in a backslash cannot be written */
	h248_w_init(&w, out, sizeof(out));
	h248_w_header(&w, 3, "[192.0.2.1]:2944");
	h248_w_request(&w, 2);
	h248_w_octets(&w, H248_TOK_LOCAL, "v=0\\", 4);
	h248_w_close(&w);
	assert_int_equal(h248_w_finish(&w), -EINVAL);
}

/* What cp/iq will send: the reply to an Add with our SDP, errors, a
 * pending, a response ack, a ServiceChange and a Notify request. */
static const char our_sdp[] = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=message 40002 TCP/TLS/MSRP *\r\n"
			      "a=setup:passive\r\na=fingerprint:sha-256 00:11\r\n";

static int
write_replies(char *buf, size_t size)
{
	static const uint32_t acks[2][2] = { { 7, 7 }, { 9, 12 } };
	struct h248_w w;

	h248_w_init(&w, buf, size);
	h248_w_header(&w, 3, "[192.0.2.1]:2944");
	h248_w_reply(&w, 10003, 0, false, true);
	h248_w_context(&w, 2000);
	h248_w_open(&w, H248_TOK_ADD, "ip/1/7");
	h248_w_open(&w, H248_TOK_MEDIA, NULL);
	h248_w_open_u32(&w, H248_TOK_STREAM, 1);
	h248_w_octets(&w, H248_TOK_LOCAL, our_sdp, strlen(our_sdp));
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	/* no ImmAckRequired before a bare error: tshark's dissector (not
	 * Annex B) calls that malformed */
	h248_w_reply(&w, 10004, 0, false, false);
	h248_w_error(&w, 441, NULL);
	h248_w_close(&w);
	h248_w_reply(&w, 10005, 0, false, false);
	h248_w_context(&w, 2000);
	h248_w_open(&w, H248_TOK_SUBTRACT, "ip/1/7");
	h248_w_open(&w, H248_TOK_STATISTICS, NULL);
	h248_w_item_name(&w, "nt/os", '=', "45123");
	h248_w_item_name(&w, "nt/or", '=', "3210");
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_error(&w, 435, "say \"no\"\nplease");
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_pending(&w, 10006);
	h248_w_response_ack(&w, acks, 2);
	h248_w_request(&w, 1);
	h248_w_context(&w, H248_CTX_NULL);
	h248_w_open(&w, H248_TOK_SERVICECHANGE, "ROOT");
	h248_w_open(&w, H248_TOK_SERVICES, NULL);
	h248_w_item(&w, H248_TOK_METHOD, h248_tok_name(H248_TOK_RESTART));
	h248_w_item_u32(&w, H248_TOK_SERVICECHANGEADDRESS, 2944);
	h248_w_item(&w, H248_TOK_PROFILE, "threegppiagw/1");
	h248_w_item_u32(&w, H248_TOK_VERSION, 3);
	h248_w_item_quoted(&w, H248_TOK_REASON, "901 Cold Boot");
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_request(&w, 2);
	h248_w_context(&w, 2000);
	h248_w_open(&w, H248_TOK_NOTIFY, "ip/1/7");
	h248_w_open_u32(&w, H248_TOK_OBSERVEDEVENTS, 1234);
	h248_w_open_name(&w, "g/cause", NULL);
	h248_w_item_name(&w, "Generalcause", '=', "NR");
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	/* an event without parameters: a leaf, no empty braces */
	h248_w_request(&w, 3);
	h248_w_context(&w, 2000);
	h248_w_open(&w, H248_TOK_NOTIFY, "ip/1/7");
	h248_w_open_u32(&w, H248_TOK_OBSERVEDEVENTS, 1235);
	h248_w_observed(&w, "20261127T12000000", "hangterm/thb");
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	return h248_w_finish(&w);
}

static void
test_h248_writer_reads_back(void **state)
{
	const struct h248_node *e, *st;
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;
	uint16_t code;
	const char *txt;
	size_t len;
	char sdp[256];
	int n;

	(void)state;
	n = write_replies(out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(out));
	memcpy(text, out, (size_t)n + 1);
	if (h248_parse(&t, text, (size_t)n, nodes, NODES, &m, &err) != 0)
		fail_msg("%s at %u: %s", err.why, err.off, text + err.off);
	assert_int_equal(m.ntrans, 8);
	assert_int_equal(m.trans[0].kind, H248_TRANS_REPLY);
	assert_int_equal(m.trans[0].id, 10003);
	st = h248_child(&t, h248_child(&t, h248_child(&t, h248_child(&t, m.trans[0].node,
		H248_TOK_CONTEXT), H248_TOK_ADD), H248_TOK_MEDIA), H248_TOK_STREAM);
	assert_int_equal(h248_octets(&t, h248_child(&t, st, H248_TOK_LOCAL), sdp, sizeof(sdp)), (int)strlen(our_sdp));
	assert_true(strncmp(sdp, "v=0\r\n", 5) == 0);
	assert_true(m.trans[0].imm_ack);
	assert_false(m.trans[1].imm_ack);
	assert_int_equal(h248_error_of(&t, m.trans[1].error, &code, &txt, &len), 0);
	assert_int_equal(code, 441);
	assert_int_equal(len, strlen(h248_code_text(441)));
	/* the quote the text held is replaced, the line end too */
	e = h248_child(&t, h248_child(&t, m.trans[2].node, H248_TOK_CONTEXT), H248_TOK_ERROR);
	assert_int_equal(h248_error_of(&t, e, &code, &txt, &len), 0);
	assert_int_equal(code, 435);
	assert_int_equal(len, strlen("say 'no' please"));
	assert_memory_equal(txt, "say 'no' please", len);
	assert_int_equal(m.trans[3].kind, H248_TRANS_PENDING);
	assert_int_equal(m.trans[4].kind, H248_TRANS_RESPONSEACK);
	assert_int_equal(m.trans[5].kind, H248_TRANS_REQUEST);
	assert_int_equal(m.trans[6].id, 2);
	/* the event without parameters is a leaf: no child, no braces */
	e = h248_child(&t, h248_child(&t, h248_child(&t, h248_child(&t, m.trans[7].node,
		H248_TOK_CONTEXT), H248_TOK_NOTIFY), H248_TOK_OBSERVEDEVENTS), H248_TOK_NONE);
	assert_non_null(e);
	assert_int_equal(e->child, H248_NONE);
	assert_null(strstr(out, "thb {"));
	round_trip(&t);
	/* the layout is the writer's own: the tree writer gives the same text */
	assert_int_equal(h248_tree_write(&t, out2, sizeof(out2)), n);
	assert_string_equal(out2, out);
}

static void
test_h248_writer_read_by_megaco(void **state)
{
	char path[] = "/tmp/tp-h248-XXXXXX", cmd[1024];
	int fd, n;

	(void)state;
	if (system("command -v escript >/dev/null 2>&1") != 0 ||
	    system("erl -noshell -eval 'halt(case code:which(megaco_pretty_text_encoder) of "
		   "non_existing -> 1; _ -> 0 end)' >/dev/null 2>&1") != 0)
		skip();
	n = write_replies(out, sizeof(out));
	assert_true(n > 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, out, (size_t)n), n);
	close(fd);
	snprintf(cmd, sizeof(cmd), "escript %s/tests/unit/h248/megaco_check.escript %s", src_dir(), path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
}

/* One datagram for text2pcap: offsets and bytes in hex, offset 0 starting
 * a new packet. */
static void
hex_packet(FILE *f, const char *hdr, size_t hlen, const char *body, size_t blen)
{
	size_t i, n = hlen + blen;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)(i < hlen ? hdr[i] : body[i - hlen]);

		if (i % 16 == 0)
			fprintf(f, "%s%06zx", i > 0 ? "\n" : "", i);
		fprintf(f, " %02x", c);
	}
	fprintf(f, "\n");
}

/* tshark's H.248 dissector, a second reader no one here wrote: each of the
 * writer's transactions in its own UDP datagram to port 2944 (the
 * dissector stops after the first error reply in a message), decoded
 * with no malformed mark, each transaction seen. */
static void
test_h248_writer_read_by_tshark(void **state)
{
	char dir[] = "/tmp/tp-h248-XXXXXX", cmd[1024], line[256];
	const struct h248_node *tr, *nx;
	const char *hdr_end;
	struct h248_tree t;
	struct h248_err err;
	FILE *f, *p;
	int n, malformed = 0, trans = 0, packets = 0;

	(void)state;
	if (system("command -v tshark >/dev/null 2>&1 && command -v text2pcap >/dev/null 2>&1") != 0)
		skip();
	n = write_replies(out, sizeof(out));
	assert_true(n > 0);
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "%s/msg.hex", dir);
	f = fopen(cmd, "w");
	assert_non_null(f);
	/* each transaction from where the parser says it starts to where the
	 * next one does */
	assert_int_equal(h248_parse_tree(&t, out, (size_t)n, nodes, NODES, &err), 0);
	hdr_end = strchr(out, '\n') + 1;
	for (tr = h248_first(&t); tr != NULL; tr = nx) {
		nx = h248_next(&t, tr, H248_TOK_NONE);
		hex_packet(f, out, (size_t)(hdr_end - out), out + tr->off,
			   (nx != NULL ? nx->off : (uint32_t)n) - tr->off);
		packets++;
	}
	fclose(f);
	assert_int_equal(packets, 8);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && text2pcap -q -u 2944,2944 msg.hex msg.pcap >/dev/null 2>&1 && "
		 "tshark -r msg.pcap -d udp.port==2944,megaco -V 2>/dev/null", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strstr(line, "Malformed") != NULL || strstr(line, "Parse error") != NULL)
			malformed++;
		if (strstr(line, "    Transaction ID: ") == line)
			trans++;
	}
	assert_int_equal(pclose(p), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(malformed, 0);
	assert_true(trans >= packets);	/* an ack names each range */
}

static void
test_h248_writer_refuses(void **state)
{
	struct h248_w w;
	char small[64];
	int full, size;

	(void)state;
	/* every buffer shorter than the message: -ENOSPC and nothing left */
	full = write_replies(out, sizeof(out));
	assert_true(full > 0);
	for (size = 0; size <= full; size++) {
		char *b = malloc((size_t)size + 1);
		int rc = write_replies(b, (size_t)size);

		assert_int_equal(rc, -ENOSPC);
		if (size > 0)
			assert_int_equal(b[0], '\0');
		free(b);
	}
	assert_int_equal(write_replies(out, (size_t)full + 1), full);

	/* an open brace left open, a close too many */
	h248_w_init(&w, small, sizeof(small));
	h248_w_header(&w, 3, "mg1");
	h248_w_pending(&w, 1);
	assert_true(h248_w_finish(&w) > 0);
	h248_w_init(&w, small, sizeof(small));
	h248_w_header(&w, 3, "mg1");
	h248_w_request(&w, 1);
	assert_int_equal(h248_w_finish(&w), -EINVAL);
	assert_string_equal(small, "");
	h248_w_init(&w, small, sizeof(small));
	h248_w_header(&w, 3, "mg1");
	h248_w_close(&w);
	assert_int_equal(h248_w_finish(&w), -EINVAL);
	/* values that are not tokens; ids that are not ids */
	h248_w_init(&w, small, sizeof(small));
	h248_w_header(&w, 3, "mg1");
	h248_w_open(&w, H248_TOK_TRANSACTION, "1 2");
	h248_w_close(&w);
	assert_int_equal(h248_w_finish(&w), -EINVAL);
	h248_w_init(&w, small, sizeof(small));
	h248_w_header(&w, 3, "mg1");
	h248_w_pending(&w, 0);
	assert_int_equal(h248_w_finish(&w), -EINVAL);
	h248_w_init(&w, small, sizeof(small));
	h248_w_header(&w, 3, "mg 1");
	assert_int_equal(h248_w_finish(&w), -EINVAL);
	h248_w_init(&w, small, sizeof(small));
	h248_w_header(&w, 3, "mg1");
	h248_w_item(&w, H248_TOK_OTHER, "x");
	assert_int_equal(h248_w_finish(&w), -EINVAL);
	h248_w_init(&w, small, sizeof(small));
	h248_w_header(&w, 3, "mg1");
	h248_w_item_name(&w, "a/b", '!', "x");
	assert_int_equal(h248_w_finish(&w), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_h248_tokens_every_spelling),
		cmocka_unit_test(test_h248_vectors_parse_and_round_trip),
		cmocka_unit_test(test_h248_add_tls_three_writers),
		cmocka_unit_test(test_h248_header_forms),
		cmocka_unit_test(test_h248_transactions_of_each_kind),
		cmocka_unit_test(test_h248_lists_and_operators),
		cmocka_unit_test(test_h248_errors_each_class),
		cmocka_unit_test(test_h248_errors_limits),
		cmocka_unit_test(test_h248_truncated_every_prefix),
		cmocka_unit_test(test_h248_octets_escaped_brace),
		cmocka_unit_test(test_h248_writer_reads_back),
		cmocka_unit_test(test_h248_writer_read_by_megaco),
		cmocka_unit_test(test_h248_writer_read_by_tshark),
		cmocka_unit_test(test_h248_writer_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
