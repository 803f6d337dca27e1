/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: lib/li's X1 reader (x1_read(), libxml2 underneath)
 * over what anyone who holds the ADMF's certificate can POST, then the
 * writer over what it read, as cp/li answers.
 *
 * The input is the body, from a heap copy of exactly its size (no NUL), so
 * a read past it is caught. Besides memory errors, undefined behaviour and
 * leaks, the target aborts on a broken promise of x1.h: a refusal is
 * -EBADMSG or -EMSGSIZE (or -ENOMEM) with a 101 and a sentence and no
 * message; an accepted request has 1..X1_MSG_MAX messages, each with an
 * op of x1_ops.def, a code of x1_errors.def (or 0) and, with 0, the body
 * of its op within its bounds (targets of a served kind, addresses of
 * their family, a delivery type); every text NUL-terminated; and the
 * writer answers every message (an error, an oK, the task's details)
 * without an -EINVAL, whatever was read.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "x1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct x1_req req;
static char out[1 << 20];

static void
check_msg(const struct x1_msg *m)
{
	unsigned int i;

	CHECK(m->op > X1_OP_NONE && m->op < X1_OP_COUNT);
	CHECK(memchr(m->text, '\0', sizeof(m->text)) != NULL);
	CHECK(memchr(m->hdr.admf, '\0', sizeof(m->hdr.admf)) != NULL && m->hdr.admf[0] != '\0');
	CHECK(memchr(m->hdr.ne, '\0', sizeof(m->hdr.ne)) != NULL && m->hdr.ne[0] != '\0');
	CHECK(strncmp(m->hdr.version, "v1.", 3) == 0);
	if (m->code != 0) {
		CHECK(x1_err_text(m->code) != NULL);
		CHECK(m->text[0] != '\0');
		return;
	}
	CHECK(x1_op_served(m->op));
	if (m->op == X1_OP_ACTIVATE_TASK || m->op == X1_OP_MODIFY_TASK) {
		const struct x1_task *t = &m->u.task;

		CHECK(t->n_targets >= 1 && t->n_targets <= X1_TARGETS_MAX);
		CHECK(t->n_dids <= X1_DIDS_MAX);
		CHECK(t->delivery >= X1_DELIVERY_X2_ONLY && t->delivery <= X1_DELIVERY_X2_AND_X3);
		CHECK(t->implicit_deactivation >= -1 && t->implicit_deactivation <= 1);
		for (i = 0; i < t->n_targets; i++) {
			const struct x1_target *g = &t->targets[i];

			CHECK(g->kind != X1_T_OTHER);
			if (g->kind == X1_T_NAI)
				CHECK(memchr(g->nai, '\0', sizeof(g->nai)) != NULL && g->nai[0] != '\0');
			else if (g->kind == X1_T_IMS_T3)   /* 3GPP's LI_T3 trigger */
				CHECK(g->h248_ctx >= X1_T3_CTX_MIN && g->h248_ctx <= X1_T3_CTX_MAX &&
				      g->t3_dir <= X1_T3_DIR_NOT_DETERMINED &&
				      g->t3_scope <= X1_T3_SCOPE_BI && g->t3_ctx == 0);
			else
				CHECK(g->prefix <= (g->family == 4 ? 32 : 128) &&
				      (g->family == 4 || g->family == 6));
		}
	}
	if (m->op == X1_OP_CREATE_DESTINATION || m->op == X1_OP_MODIFY_DESTINATION) {
		const struct x1_dest *d = &m->u.dest;

		CHECK(d->ip_port && d->tcp && d->port >= 2);
		CHECK(d->family == 4 || d->family == 6);
		CHECK(d->delivery >= X1_DELIVERY_X2_ONLY && d->delivery <= X1_DELIVERY_X2_AND_X3);
		CHECK(memchr(d->friendly, '\0', sizeof(d->friendly)) != NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct x1_task_status st = { .x2_pdus = -1, .x3_pdus = -1,
						  .n_modifications = -1 };
	struct x1_resp_hdr h = { .admf = "admf", .ne = "ne", .now_us = 0 };
	struct x1_err err;
	struct x1_w w;
	char *body = malloc(size > 0 ? size : 1);
	unsigned int i;
	int rc;

	CHECK(body != NULL);
	memcpy(body, data, size);
	memset(&err, 0, sizeof(err));
	rc = x1_read(body, size, NULL, &req, &err);
	if (rc != 0) {
		CHECK(rc == -EBADMSG || rc == -EMSGSIZE || rc == -ENOMEM);
		CHECK(req.n == 0);
		if (rc != -ENOMEM)
			CHECK(err.code == X1_E_SYNTAX && err.text[0] != '\0');
		CHECK(x1_w_top_error(out, sizeof(out), &h) > 0);
		free(body);
		return 0;
	}
	CHECK(req.n >= 1 && req.n <= X1_MSG_MAX);
	x1_w_init(&w, out, sizeof(out));
	for (i = 0; i < req.n; i++) {
		const struct x1_msg *m = &req.msgs[i];

		check_msg(m);
		h.txid = m->hdr.txid;
		if (m->code != 0)
			x1_w_error(&w, &h, m->op, m->code, m->text);
		else if (m->op == X1_OP_ACTIVATE_TASK || m->op == X1_OP_MODIFY_TASK)
			x1_w_task(&w, &h, &m->u.task, &st);
		else
			x1_w_ok(&w, &h, m->op);
	}
	rc = x1_w_end(&w);
	/* a text the reader took may hold a character XML forbids only if
	 * libxml2 let it through, which it must not */
	CHECK(rc > 0);
	free(body);
	return 0;
}
