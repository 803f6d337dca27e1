/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What x1_read.c and x1_schema.c share and nobody else sees: the guarded
 * parse of a document (libxml2 types stay inside lib/li's .c files).
 */
#ifndef TP_X1_INTERNAL_H
#define TP_X1_INTERNAL_H

#include <libxml/tree.h>

#include "x1_types.h"

/* The document in body[0..len) with the reader's refusals (size, DOCTYPE,
 * well-formedness, depth): 0 and *doc (the caller frees it with
 * xmlFreeDoc()), or -EMSGSIZE, -EBADMSG (*err says why), -ENOMEM. */
int x1_parse_doc(const char *body, size_t len, xmlDocPtr *doc, struct x1_err *err);

/* Validates a parsed document: 0, -EBADMSG (*err: line and element). */
int x1_schema_check_doc(const struct x1_schema *s, xmlDocPtr doc, struct x1_err *err);

/* Fills *err (optional) with a code, a line and a sentence. */
void x1_set_err(struct x1_err *err, int code, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* TP_X1_INTERNAL_H */
