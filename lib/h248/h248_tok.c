/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/h248: Annex B.3's tokens (h248_tokens.def: every spelling read, the
 * long one written) and the H.248.8 sentences of the codes (h248_codes.def).
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "h248.h"

struct tok_spell {
	const char *l, *s, *a;
	uint8_t ll, sl, al;	/* their lengths: most names are rejected on it */
};

#define LEN(str) ((uint8_t)(sizeof(str) - 1))
static const struct tok_spell toks[H248_TOK_COUNT] = {
#define H248_TOKEN(id, l, s, a) [H248_TOK_##id] = { l, s, a, LEN(l), LEN(s), LEN(a) },
#include "h248_tokens.def"
#undef H248_TOKEN
};

static bool
same(const char *spell, uint8_t slen, const char *name, size_t len)
{
	return slen == len && ((spell[0] ^ name[0]) & ~0x20) == 0 &&
	       strncasecmp(spell, name, len) == 0;
}

enum h248_tok
h248_tok_lookup(const char *name, size_t len)
{
	unsigned int i;

	if (len == 0 || len > 32)
		return H248_TOK_OTHER;
	for (i = H248_TOK_OTHER + 1; i < H248_TOK_COUNT; i++)
		if (same(toks[i].l, toks[i].ll, name, len) || same(toks[i].s, toks[i].sl, name, len) ||
		    same(toks[i].a, toks[i].al, name, len))
			return (enum h248_tok)i;
	return H248_TOK_OTHER;
}

const char *
h248_tok_name(enum h248_tok tok)
{
	if ((unsigned int)tok <= H248_TOK_OTHER || (unsigned int)tok >= H248_TOK_COUNT)
		return NULL;
	return toks[tok].l;
}

const char *
h248_tok_short(enum h248_tok tok)
{
	if ((unsigned int)tok <= H248_TOK_OTHER || (unsigned int)tok >= H248_TOK_COUNT)
		return NULL;
	return toks[tok].s;
}

bool
h248_tok_is_command(enum h248_tok tok)
{
	switch (tok) {
	case H248_TOK_ADD:
	case H248_TOK_MODIFY:
	case H248_TOK_MOVE:
	case H248_TOK_SUBTRACT:
	case H248_TOK_AUDITVALUE:
	case H248_TOK_AUDITCAP:
	case H248_TOK_NOTIFY:
	case H248_TOK_SERVICECHANGE:
		return true;
	default:
		return false;
	}
}

/* H.248.8's sentences (h248_codes.def) */
static const struct {
	unsigned int code;
	const char *text;
} codes[] = {
#define H248_CODE(name, code, text) { code, text },
#include "h248_codes.def"
#undef H248_CODE
};

const char *
h248_code_text(unsigned int code)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code)
			return codes[i].text;
	return NULL;
}
