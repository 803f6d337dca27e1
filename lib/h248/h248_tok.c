/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/h248: Annex B.3's tokens (h248_tokens.def: every spelling read, the
 * long one written) and the H.248.8 sentences of the codes we answer with.
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

/* H.248.8 (the codes a media gateway of this kind answers with) */
static const struct {
	unsigned int code;
	const char *text;
} codes[] = {
	{ 400, "Syntax error in message" },
	{ 401, "Protocol Error" },
	{ 402, "Unauthorized" },
	{ 403, "Syntax error in TransactionRequest" },
	{ 406, "Version Not Supported" },
	{ 410, "Incorrect identifier" },
	{ 411, "The transaction refers to an unknown ContextID" },
	{ 412, "No ContextIDs available" },
	{ 413, "Number of transactions in message exceeds maximum" },
	{ 421, "Unknown action or illegal combination of actions" },
	{ 422, "Syntax Error in Action" },
	{ 430, "Unknown TerminationID" },
	{ 431, "No TerminationID matched a wildcard" },
	{ 432, "Out of TerminationIDs or No TerminationID available" },
	{ 433, "TerminationID is already in a Context" },
	{ 434, "Max number of Terminations in a Context exceeded" },
	{ 435, "Termination ID is not in specified Context" },
	{ 440, "Unsupported or unknown Package" },
	{ 441, "Missing Remote or Local Descriptor" },
	{ 442, "Syntax Error in Command" },
	{ 443, "Unsupported or Unknown Command" },
	{ 444, "Unsupported or Unknown Descriptor" },
	{ 445, "Unsupported or Unknown Property" },
	{ 446, "Unsupported or Unknown Parameter" },
	{ 447, "Descriptor not legal in this command" },
	{ 448, "Descriptor appears twice in a command" },
	{ 449, "Unsupported or Unknown Parameter or Property Value" },
	{ 450, "No such property in this package" },
	{ 451, "No such event in this package" },
	{ 452, "No such signal in this package" },
	{ 453, "No such statistic in this package" },
	{ 454, "No such parameter value in this package" },
	{ 455, "Property illegal in this Descriptor" },
	{ 456, "Property appears twice in this Descriptor" },
	{ 457, "Missing parameter in signal or event" },
	{ 458, "Unexpected Event/Request ID" },
	{ 459, "Unsupported or Unknown Profile" },
	{ 500, "Internal software Failure in MG" },
	{ 501, "Not Implemented" },
	{ 502, "Not ready" },
	{ 503, "Service Unavailable" },
	{ 504, "Command Received from unauthorized entity" },
	{ 505, "Transaction Request Received before a ServiceChange Reply has been received" },
	{ 506, "Number of Transaction Pendings Exceeded" },
	{ 510, "Insufficient resources" },
	{ 515, "Unsupported Media Type" },
	{ 517, "Unsupported or invalid mode" },
	{ 526, "Insufficient bandwidth" },
	{ 529, "Internal hardware failure in MG" },
	{ 530, "Temporary Network failure" },
	{ 531, "Permanent Network failure" },
	{ 532, "Audited Property, Statistic, Event or Signal does not exist" },
	{ 533, "Response exceeds maximum transport PDU size" },
	{ 534, "Illegal write or read only property" },
	{ 542, "Command is not allowed on this termination" },
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
