/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: lib/bencode's reader, its walkers and its writer, over
 * what an ng peer (or anyone who can reach cp/ng's port) sends after the
 * cookie.
 *
 * The input is the value, from a heap copy of exactly its size (no NUL),
 * so a read past it is caught. Besides memory errors and undefined
 * behaviour, the target aborts on a broken promise of bencode.h: a refusal
 * is -EINVAL or -E2BIG with an offset inside the input and a sentence; an
 * accepted value's nodes are all reached once by bc_first()/bc_next(), in
 * the array, with the counts they claim, strings inside the input;
 * bc_dict_get() finds each key's first occurrence; the value written back
 * is the input itself (bencode has one spelling per value) and parses to
 * the same tree; tighter bounds give the same tree or -E2BIG; *used says
 * where the value ends; the writer given too little room says -ENOSPC and
 * writes nothing past its size.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bencode.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NODES 1024
#define CANARY 16

static struct bc_node n1[NODES], n2[NODES], n3[NODES];

struct walk {
	const char *buf;
	size_t size;
	const struct bc_node *nodes;
	int n;
	unsigned int seen;
};

static void
check_node(const struct walk *wk, const struct bc_node *n)
{
	char s[64];
	int rc;

	CHECK(n >= wk->nodes && n < wk->nodes + wk->n);
	CHECK(n->type >= BC_INT && n->type <= BC_DICT);
	if (n->type == BC_STR) {
		CHECK(n->s >= wk->buf && n->len <= wk->size &&
		      (size_t)(n->s - wk->buf) <= wk->size - n->len);
		rc = bc_str(n, s, sizeof(s));
		if (memchr(n->s, '\0', n->len) != NULL)
			CHECK(rc == -EINVAL && s[0] == '\0');
		else if (n->len >= sizeof(s))
			CHECK(rc == -E2BIG && s[0] == '\0');
		else
			CHECK(rc == 0 && strlen(s) == n->len && memcmp(s, n->s, n->len) == 0);
	} else {
		CHECK(bc_str(n, s, sizeof(s)) == -EINVAL);
		CHECK(!bc_is(n, ""));
	}
	if (n->type != BC_LIST && n->type != BC_DICT)
		CHECK(bc_first(wk->nodes, n) == NULL);
	if (n->type != BC_DICT)
		CHECK(bc_dict_get(wk->nodes, n, "", 0) == NULL);
}

/* Walk n and write it with w; recursion is bounded by the parse's depth. */
static void
walk(struct walk *wk, const struct bc_node *n, struct bc_w *w, unsigned int depth)
{
	const struct bc_node *e, *k;
	uint32_t count = 0;

	CHECK(depth <= BC_DEPTH_MAX);
	check_node(wk, n);
	wk->seen++;
	switch (n->type) {
	case BC_INT:
		bc_w_int(w, n->i);
		break;
	case BC_STR:
		bc_w_strn(w, n->s, n->len);
		break;
	case BC_LIST:
		CHECK(depth < BC_DEPTH_MAX);
		bc_w_list(w);
		for (e = bc_first(wk->nodes, n); e != NULL; e = bc_next(wk->nodes, e)) {
			walk(wk, e, w, depth + 1);
			count++;
		}
		CHECK(count == n->count);
		bc_w_close(w);
		break;
	case BC_DICT:
		CHECK(depth < BC_DEPTH_MAX);
		bc_w_dict(w);
		for (k = bc_first(wk->nodes, n); k != NULL; k = bc_next(wk->nodes, e)) {
			const struct bc_node *first, *f;

			CHECK(k->type == BC_STR);
			e = bc_next(wk->nodes, k);
			CHECK(e != NULL);
			/* the first key spelled so wins */
			first = NULL;
			for (f = bc_first(wk->nodes, n); first == NULL; f = bc_next(wk->nodes, f)) {
				if (f->len == k->len && memcmp(f->s, k->s, k->len) == 0)
					first = bc_next(wk->nodes, f);
				else
					f = bc_next(wk->nodes, f);
			}
			CHECK(bc_dict_get(wk->nodes, n, k->s, k->len) == first);
			if (memchr(k->s, '\0', k->len) == NULL) {
				char key[64];

				if (bc_str(k, key, sizeof(key)) == 0) {
					CHECK(bc_dict_gets(wk->nodes, n, key) == first);
					CHECK(bc_is(k, key));
				}
			}
			walk(wk, k, w, depth + 1);
			walk(wk, e, w, depth + 1);
			count++;
		}
		CHECK(count == n->count);
		bc_w_close(w);
		break;
	default:
		CHECK(0);
	}
}

static bool
same_tree(const struct bc_node *a, const char *abuf, const struct bc_node *b, const char *bbuf,
	  int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (a[i].type != b[i].type || a[i].first != b[i].first || a[i].next != b[i].next ||
		    a[i].count != b[i].count || a[i].i != b[i].i || a[i].len != b[i].len)
			return false;
		if (a[i].type == BC_STR && (a[i].s - abuf != b[i].s - bbuf))
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size > 0 ? size : 1);
	char *out = malloc(size + CANARY);
	struct bc_error err;
	struct bc_w w;
	struct walk wk;
	size_t used = 0, i, room;
	int rc, ru, rt, len;

	CHECK(s != NULL && out != NULL);
	memcpy(s, data, size);
	memset(&err, 0x5a, sizeof(err));
	rc = bc_parse(s, size, n1, NODES, BC_DEPTH_MAX, NULL, &err);
	CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);

	/* with *used: the same, or a value followed by other bytes */
	ru = bc_parse(s, size, n2, NODES, BC_DEPTH_MAX, &used, NULL);
	if (rc > 0)
		CHECK(ru == rc && used == size);
	if (ru > 0) {
		CHECK(used > 0 && used <= size);
		CHECK(rc > 0 || (used < size && rc == -EINVAL));
		CHECK(bc_parse(s, used, n3, NODES, BC_DEPTH_MAX, NULL, NULL) == ru);
		CHECK(same_tree(n2, s, n3, s, ru));
	} else {
		CHECK(ru == rc);
	}

	if (rc < 0) {
		CHECK(rc == -EINVAL || rc == -E2BIG);
		CHECK(err.off <= size && err.msg[0] != '\0');
		goto out;
	}
	CHECK(rc <= NODES && err.msg[0] == '\0');

	/* tighter bounds: the same tree, or a bound's refusal */
	rt = bc_parse(s, size, n3, (uint32_t)(size % 7 + 1), (unsigned int)(size % 3 + 1), NULL,
		      NULL);
	CHECK(rt == -E2BIG || (rt == rc && same_tree(n1, s, n3, s, rc)));

	/* every node reached once, written back to the input's octets */
	wk = (struct walk){ .buf = s, .size = size, .nodes = n1, .n = rc, .seen = 0 };
	memset(out, 0xa5, size + CANARY);
	bc_w_init(&w, out, size);
	walk(&wk, &n1[0], &w, 0);
	CHECK(wk.seen == (unsigned int)rc);
	len = bc_w_end(&w);
	CHECK(len >= 0 && (size_t)len == size && memcmp(out, s, size) == 0);
	for (i = size; i < size + CANARY; i++)
		CHECK((unsigned char)out[i] == 0xa5);
	CHECK(bc_parse(out, size, n2, NODES, BC_DEPTH_MAX, NULL, NULL) == rc);
	CHECK(same_tree(n1, s, n2, out, rc));

	/* too little room: -ENOSPC, a prefix of the value, nothing past it */
	room = size - 1 - (size_t)data[0] % size;
	memset(out, 0xa5, size + CANARY);
	bc_w_init(&w, out, room);
	wk.seen = 0;
	walk(&wk, &n1[0], &w, 0);
	CHECK(bc_w_end(&w) == -ENOSPC && w.len <= room && memcmp(out, s, w.len) == 0);
	for (i = room; i < size + CANARY; i++)
		CHECK((unsigned char)out[i] == 0xa5);
out:
	free(out);
	free(s);
	return 0;
}
