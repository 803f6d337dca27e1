/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: lib/h248's reader of H.248.1 text messages (what an
 * MGC, or anyone who can reach the Iq port, sends cp/iq), its message
 * layer and its writer.
 *
 * The input is the message, from a heap copy of exactly its size (no NUL),
 * so a read past it is caught. Besides memory errors and undefined
 * behaviour, the target aborts on a broken promise of h248.h: a refusal
 * names an H.248.8 code, a sentence and an offset inside the message; an
 * accepted message, written back, parses to an equal tree whose writing
 * is the same text (one canonical form); the message layer says the same
 * of both; every node the walkers reach is one of the tree's; a writer
 * given too small a buffer says -ENOSPC and leaves an empty string.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "h248.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NODES 512

static struct h248_node n1[NODES], n2[NODES], n3[NODES];
static char out[4 * H248_MSG_MAX], out2[4 * H248_MSG_MAX], small[64];

/* Walk every node through the public helpers: each is inside the array. */
static unsigned int
walk(const struct h248_tree *t, const struct h248_node *parent, unsigned int depth)
{
	const struct h248_node *c;
	unsigned int count = 0;
	char buf[256];

	CHECK(depth <= H248_DEPTH_MAX + 1);
	c = parent != NULL ? h248_child(t, parent, H248_TOK_NONE) : h248_first(t);
	for (; c != NULL; c = h248_next(t, c, H248_TOK_NONE)) {
		const struct h248_node *e;
		uint32_t v;
		int rc;

		CHECK(c >= t->nodes && c < t->nodes + t->n);
		CHECK(c->name.off + c->name.len <= t->len && c->value.off + c->value.len <= t->len);
		CHECK(c->raw.off + c->raw.len <= t->len);
		count++;
		for (e = h248_elem(t, c); e != NULL; e = h248_next(t, e, H248_TOK_NONE))
			CHECK(e >= t->nodes && e < t->nodes + t->n);
		(void)h248_value_u32(t, c, &v);
		(void)h248_value_ctx(t, c, &v);
		rc = h248_value_copy(t, c, buf, sizeof(buf));
		CHECK(rc == -ENOENT || rc == -ENOSPC || (rc >= 0 && (size_t)rc == strlen(buf)));
		rc = h248_octets(t, c, buf, sizeof(buf));
		CHECK(rc == -ENOENT || rc == -ENOSPC || (rc >= 0 && (size_t)rc <= c->raw.len));
		count += walk(t, c, depth + 1);
	}
	return count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size > 0 ? size : 1);
	struct h248_tree t, t2, t3, h;
	struct h248_msg m, m2;
	struct h248_err err, herr;
	uint8_t ad[32];
	uint32_t spi, seq;
	size_t dl;
	unsigned int i;
	int rc, hr, ar, len, len2;

	CHECK(s != NULL);
	memcpy(s, data, size);
	rc = h248_parse(&t, s, size, n1, NODES, &m, &err);
	CHECK(err.why != NULL);
	/* the header alone reads as the whole message's does; the
	 * authentication header's fields stay in their bounds */
	hr = h248_parse_head(&h, s, size, &herr);
	if (rc == 0)
		CHECK(hr == 0 && h.body_off == t.body_off && h.auth.off == t.auth.off &&
		      h.auth.len == t.auth.len);
	if (hr == 0 || hr == -EPROTONOSUPPORT) {
		CHECK(h.n == 0 && h.body_off <= size);
		ar = h248_auth_fields(&h, &spi, &seq, ad, sizeof(ad), &dl);
		CHECK(h.auth.len == 0 ? ar == -ENOENT :
		      ar == 0 ? dl >= 12 && dl <= 32 : ar == -EINVAL);
	}
	if (rc < 0) {
		CHECK(rc == -EBADMSG || rc == -E2BIG || rc == -EPROTONOSUPPORT);
		CHECK(err.why[0] != '\0');
		CHECK(h248_code_text(err.code) != NULL);
		CHECK(err.off <= size);
		free(s);
		return 0;
	}
	CHECK(err.code == 0);
	CHECK(t.n <= NODES);
	CHECK(m.ntrans <= H248_TRANS_MAX && (m.ntrans > 0) != (m.error != NULL));
	(void)walk(&t, NULL, 0);
	for (i = 0; i < m.ntrans; i++) {
		CHECK(m.trans[i].kind >= H248_TRANS_REQUEST &&
		      m.trans[i].kind <= H248_TRANS_SEGMENTREPLY);
		CHECK(m.trans[i].kind == H248_TRANS_RESPONSEACK || m.trans[i].id != 0);
	}

	/* the round trip */
	len = h248_tree_write(&t, out, sizeof(out));
	CHECK(len > 0 && (size_t)len == strlen(out));
	rc = h248_parse(&t2, out, (size_t)len, n2, NODES, &m2, &err);
	if (rc != 0) {
		fprintf(stderr, "rewritten message refused: %s at %u\n%s\n", err.why, err.off, out);
		CHECK(rc == 0);
	}
	CHECK(h248_tree_equal(&t, &t2));
	CHECK(m2.ntrans == m.ntrans && (m2.error != NULL) == (m.error != NULL));
	for (i = 0; i < m.ntrans; i++)
		CHECK(m2.trans[i].kind == m.trans[i].kind && m2.trans[i].id == m.trans[i].id &&
		      m2.trans[i].seg == m.trans[i].seg && m2.trans[i].seg_end == m.trans[i].seg_end &&
		      m2.trans[i].imm_ack == m.trans[i].imm_ack);
	len2 = h248_tree_write(&t2, out2, sizeof(out2));
	CHECK(len2 == len && memcmp(out, out2, (size_t)len) == 0);
	CHECK(h248_parse_tree(&t3, out2, (size_t)len2, n3, NODES, &err) == 0);
	CHECK(h248_tree_equal(&t2, &t3));

	/* too small a buffer: refused, never cut */
	if ((size_t)len >= sizeof(small)) {
		CHECK(h248_tree_write(&t, small, sizeof(small)) == -ENOSPC);
		CHECK(small[0] == '\0');
	}
	free(s);
	return 0;
}
