/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/bencode: BitTorrent's bencode (BEP 3), as rtpengine's ng control
 * protocol carries it after a cookie. Pure: no EAL, no cp, no allocation.
 *
 * The reader parses one value into a caller-given array of nodes (a flat
 * tree linked by indices), pointing into the caller's buffer: strings are
 * NOT NUL-terminated and may hold any byte. Everything an attacker sends is
 * bounded: nesting depth, nodes (so elements of all lists and dicts
 * together), a string's length against what is left of the buffer, an
 * integer's digits; a dict's keys must be strings (order is not checked:
 * rtpengine's peers do not all sort them; a repeated key: the first wins
 * for bc_dict_get()). Trailing bytes after the value are an error unless
 * the caller asks for the value's length (bc_parse()'s *used).
 *
 * The writer appends to a caller-given buffer; once it would overflow, it
 * writes nothing more and bc_w_end() says so.
 */
#ifndef TP_BENCODE_H
#define TP_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bc_type {
	BC_NONE = 0,
	BC_INT,
	BC_STR,
	BC_LIST,
	BC_DICT,
};

#define BC_NIL 0xffffffffu    /* no node (an empty list's first, a last node's next) */
#define BC_DEPTH_MAX 32u      /* the deepest any caller may ask for */
#define BC_ERR_MAX 96u

/*
 * One value. Lists and dicts: first is the index of their first element
 * (a dict's: its first KEY node; the value follows it as the key's next),
 * count their elements (a dict's pairs). Every element's next is the
 * index of the one after it in its parent (BC_NIL: the last). Integers
 * fit int64_t (larger: an error).
 */
struct bc_node {
	uint8_t type;             /* enum bc_type */
	uint32_t first;
	uint32_t next;
	uint32_t count;
	int64_t i;                /* BC_INT */
	const char *s;            /* BC_STR: into the parsed buffer, not NUL-terminated */
	size_t len;               /* BC_STR: octets */
};

struct bc_error {
	size_t off;               /* where in the buffer */
	char msg[BC_ERR_MAX];     /* a sentence */
};

/*
 * Parse one value from buf[0..len) into nodes[0..cap); node 0 is the
 * root. max_depth (1..BC_DEPTH_MAX) bounds nesting (a list in a dict is
 * depth 2). used NULL: bytes after the value are an error; else *used
 * is the value's length. Returns the number of nodes used (> 0), or
 * -EINVAL (malformed: a leading zero, "-0", a missing 'e', a non-string
 * key, a length past the buffer...), -E2BIG (a bound: depth, nodes, an
 * integer's magnitude), with err (may be NULL) saying where and why.
 */
int bc_parse(const char *buf, size_t len, struct bc_node *nodes, uint32_t cap,
	     unsigned int max_depth, size_t *used, struct bc_error *err);

/* dict's value for key (klen octets), or NULL (none, or dict is not a
 * dict). */
const struct bc_node *bc_dict_get(const struct bc_node *nodes, const struct bc_node *dict,
				  const char *key, size_t klen);
/* The same with a NUL-terminated key. */
const struct bc_node *bc_dict_gets(const struct bc_node *nodes, const struct bc_node *dict,
				   const char *key);
/* A list's or dict's first element (a dict's first key), the element
 * after n, or NULL. */
const struct bc_node *bc_first(const struct bc_node *nodes, const struct bc_node *n);
const struct bc_node *bc_next(const struct bc_node *nodes, const struct bc_node *n);
/* Is n the string s (NUL-terminated), exactly? Case-sensitive; n may be
 * NULL or not a string (false). */
bool bc_is(const struct bc_node *n, const char *s);
/* n's string copied into out (size bytes, NUL-terminated): 0, or -EINVAL
 * (n NULL or not a string, or it holds a NUL), -E2BIG (too long: out is
 * then ""). */
int bc_str(const struct bc_node *n, char *out, size_t size);

/* ---- the writer ---- */
struct bc_w {
	char *buf;
	size_t size;
	size_t len;               /* octets written */
	bool overflow;            /* something did not fit: the output is not valid */
	unsigned int depth;       /* open lists and dicts */
};

void bc_w_init(struct bc_w *w, char *buf, size_t size);
void bc_w_dict(struct bc_w *w);          /* 'd' */
void bc_w_list(struct bc_w *w);          /* 'l' */
void bc_w_close(struct bc_w *w);         /* 'e' */
void bc_w_int(struct bc_w *w, int64_t v);
void bc_w_strn(struct bc_w *w, const char *s, size_t n);
void bc_w_str(struct bc_w *w, const char *s);    /* NUL-terminated */
/* A dict's key and value in one call. */
void bc_w_kstr(struct bc_w *w, const char *k, const char *v);
void bc_w_kstrn(struct bc_w *w, const char *k, const char *v, size_t n);
void bc_w_kint(struct bc_w *w, const char *k, int64_t v);
/* The length written (>= 0), or -ENOSPC (something did not fit) or
 * -EINVAL (a list or dict left open). */
int bc_w_end(const struct bc_w *w);

#endif /* TP_BENCODE_H */
