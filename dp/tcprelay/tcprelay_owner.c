/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcprelay: the owner of a peer connection's splice (dp/splice) and of
 * both legs' sessions (dp/session). A splice that is done ends its record,
 * GONE to cp with the reason its cause maps to (a Connect's failure cp
 * heard already); a moved-in connection's end lets its old worker's stub
 * linger. A data connection's TLS that resumed a read goes on through the
 * splice.
 */
#include <stddef.h>
#include <stdint.h>

#include "dp.h"
#include "ipc.h"
#include "session.h"
#include "splice.h"
#include "tcprelay.h"
#include "tcprelay_private.h"

static struct tr_conn *
tr_conn_of_splice(struct splice *sp)
{
	return (struct tr_conn *)(void *)((char *)sp - offsetof(struct tr_conn, sp));
}

/* The splice's end (enum splice_cause) as cp hears a connection's. */
static uint8_t
reason_of(uint8_t cause)
{
	switch (cause) {
	case SPLICE_CAUSE_FIN:
	case SPLICE_CAUSE_CLOSE_NOTIFY:
	case SPLICE_CAUSE_RELEASED:
		return IPC_CONN_CLOSED;
	case SPLICE_CAUSE_TIMEOUT:
	case SPLICE_CAUSE_CONNECT_FAILED:
		return IPC_CONN_TIMEOUT;
	case SPLICE_CAUSE_RST:
		return IPC_CONN_RESET;
	default:
		return IPC_CONN_ABORTED;
	}
}

/* ---- the splice's owner --------------------------------------------------- */

static void
tr_leg_down(struct dp_worker *w, struct splice *sp, unsigned int i)
{
	(void)w;
	(void)sp;
	(void)i;
}

static void
tr_done(struct dp_worker *w, struct splice *sp)
{
	struct tcprelay_worker *tr = tr_of(w);
	struct tr_conn *r = tr_conn_of_splice(sp);

	if (r->state != TR_CONNECTING)
		tr_ev_push(w, r, IPC_TCP_EV_GONE, reason_of(sp->why), 0);
	if (r->moved_from != 0)
		tr_send_unstub(w, r);
	tr_rec_free(w, r);
	tr->ctr[TR_CTR_ENDED]++;
}

const struct splice_ops tr_splice_ops = {
	.leg_down = tr_leg_down,
	.done = tr_done,
	.police_wait = tr_police_wait,
};

static void tr_ready(struct dp_worker *w, uint64_t id, void *arg);

/* Both legs' connections have a session whose owner is the record (the
 * peer's from its accept, connect or arrival; the data connection's from
 * its bind, handed over by TURN's stream adapter). */
const struct dp_session_ops tr_session_ops = {
	.name = "tcprelay",
	.ready = tr_ready,
};

/* A data connection's TLS resumed a read (its session's owner is r). */
static void
tr_ready(struct dp_worker *w, uint64_t id, void *arg)
{
	struct tr_conn *r = arg;
	int i = r != NULL ? splice_leg_of(&r->sp, id) : -1;

	if (i >= 0)
		splice_ready(w, &r->sp, (unsigned int)i);
}
