/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li's X1 (ETSI TS 103 221-1 v1.22.1, its types from TS 103 280
 * v2.15.1): an X1Request read into plain C structs (x1_read.c, over
 * libxml2), optionally validated against ETSI's schemas from a folder the
 * operator names (x1_schema.c), and the X1Response written into a caller's
 * buffer (x1_write.c). cp/li serves X1 with it; the fuzz target drives the
 * reader. No libxml2 type appears here.
 *
 * The reader refuses, before anything else is judged: a body over
 * X1_BODY_MAX bytes, any DOCTYPE (the parse stops at the declaration, so
 * no entity is ever declared, let alone expanded), a document libxml2 does
 * not find well-formed (network access off: XML_PARSE_NONET; no
 * XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_HUGE), nesting deeper
 * than X1_DEPTH_MAX. What it refuses whole is answered with an
 * X1TopLevelErrorResponse; what it refuses in one message, with that
 * message's ErrorResponse (§6.7).
 */
#ifndef TP_X1_H
#define TP_X1_H

#include <stddef.h>
#include <stdint.h>

#include "x1_types.h"

/*
 * Reads the X1Request in body[0..len) (§6.1: X1Request, one or more
 * x1RequestMessage with an xsi:type of "<operation>Request") into *req,
 * validating it first against `schema` when not NULL. Returns 0 when every
 * message's header was read: each message then has its op, header and, for
 * a served op (x1_ops.def), its body, and a `code` (0, or the code to
 * answer that message with: see struct x1_msg; a schema-invalid document
 * gives every message 101). Returns -EMSGSIZE for a body over
 * X1_BODY_MAX, -EBADMSG for one that cannot be answered message by message
 * (not well-formed, a DOCTYPE, too deep, not an X1Request, no message or
 * more than X1_MSG_MAX, an xsi:type that is not a request, a header that
 * does not read), with *err (optional) saying why; -ENOMEM when libxml2
 * could not allocate. `body` and `schema` stay the caller's; *req holds no
 * pointer into body. Every text copied into *req is NUL-terminated.
 */
int x1_read(const char *body, size_t len, const struct x1_schema *schema,
	    struct x1_req *req, struct x1_err *err);

/*
 * ETSI's three schema modules (TS_103_280.xsd, TS_103_221_01_HashedID.xsd,
 * TS_103_221_01.xsd) from the folder `dir`, tied together by a wrapper
 * schema made in memory (they import one another without schemaLocation).
 * NULL with errno: ENOENT a file missing, EINVAL a folder name the wrapper
 * cannot carry or a schema libxml2 refuses, ENOMEM. The caller frees it
 * with x1_schema_free(); it is read-only afterwards, so one thread at a
 * time may validate with it.
 */
struct x1_schema *x1_schema_load(const char *dir);
void x1_schema_free(struct x1_schema *s);

/* The version attributes of the three modules as "X1/HashedID/280", e.g.
 * "1.22.1/1.10.1/2.15.1", for cp's start-up line. Owned by `s`. */
const char *x1_schema_versions(const struct x1_schema *s);

/*
 * Validates the XML document body[0..len) (a request, or a response the
 * writer made) against `s`, with the reader's refusals (size, DOCTYPE,
 * network). 0 when valid, -EBADMSG (not valid; *err, optional, gives the
 * line and the element, never the text of a value), -EMSGSIZE, -ENOMEM.
 */
int x1_schema_validate(const struct x1_schema *s, const char *body, size_t len,
		       struct x1_err *err);

/* A UUID (TS 103 280's pattern: lowercase 8-4-4-4-12 hex) into 16 bytes:
 * 0 or -EINVAL. And back: out holds 37 bytes. */
int x1_uuid_parse(const char *s, uint8_t out[16]);
void x1_uuid_format(const uint8_t in[16], char out[37]);

/* The description of a code of x1_errors.def, or NULL. */
const char *x1_err_text(int code);
/* The RequestMessageType of `op` ("ActivateTask"), or NULL. */
const char *x1_op_name(enum x1_op op);
/* Whether x1_read() reads the body of `op` (x1_ops.def). */
int x1_op_served(enum x1_op op);

/*
 * The writer: one X1Response (§6.1) into buf[0..size), each response
 * message in the order of the request's. x1_w_init() writes the XML
 * declaration and opens X1Response; each x1_w_*() adds one whole
 * x1ResponseMessage (headers from *h: admfIdentifier, neIdentifier,
 * messageTimestamp from h->now_us, version X1_VERSION, x1TransactionId);
 * x1_w_end() closes it and returns the document's length in bytes, or
 * -ENOSPC when anything did not fit (the buffer's content is then not a
 * document), -EINVAL when a text held a character XML 1.0 cannot carry or
 * a GetAllDetails response was left open. `buf` stays the caller's.
 */
void x1_w_init(struct x1_w *w, char *buf, size_t size);
/* <op>Response with oK AcknowledgedAndCompleted (§6.2-§6.3, §6.6.2). */
void x1_w_ok(struct x1_w *w, const struct x1_resp_hdr *h, enum x1_op op);
/* ErrorResponse (§6.7): requestMessageType op, errorCode `code`,
 * errorDescription `text` (NULL: x1_err_text(code)). */
void x1_w_error(struct x1_w *w, const struct x1_resp_hdr *h, enum x1_op op, int code,
		const char *text);
/* GetTaskDetailsResponse (§6.4.2): the task and its status. */
void x1_w_task(struct x1_w *w, const struct x1_resp_hdr *h, const struct x1_task *t,
	       const struct x1_task_status *st);
/* GetAllDetailsResponse (§6.4.5): begin (neStatus OK, or Faults with
 * no listed fault), each task, each destination (tasks first), end. */
void x1_w_all_begin(struct x1_w *w, const struct x1_resp_hdr *h, bool ne_ok);
void x1_w_all_task(struct x1_w *w, const struct x1_task *t, const struct x1_task_status *st);
void x1_w_all_dest(struct x1_w *w, const struct x1_dest *d, bool working, unsigned int n_faults,
		   const int *fault_codes, const char *const *fault_texts);
void x1_w_all_end(struct x1_w *w);
int x1_w_end(struct x1_w *w);

/*
 * X1TopLevelErrorResponse (§6.7) for a request x1_read() refused whole:
 * h->txid is not used. Returns the document's length, or -ENOSPC.
 */
int x1_w_top_error(char *buf, size_t size, const struct x1_resp_hdr *h);

#endif /* TP_X1_H */
