/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Why an allocation ended (cp/alloc's concept: a Refresh 0, its lifetime,
 * its connection as dp reports it, a restarted dp, the operator) and the
 * name a usage record gives each reason. Types only and no includes, so
 * that cp/acct's record (which adds the AGW's own reason to these) takes
 * them without the rest of cp/alloc.
 */
#ifndef CP_ALLOC_END_H
#define CP_ALLOC_END_H

#define CP_ALLOC_END_REASONS(X) \
	X(CLIENT, "client_deleted")             /* Refresh with LIFETIME 0 */ \
	X(EXPIRED, "expired")                   /* its lifetime ran out */ \
	X(CONN_CLOSED, "connection_closed")     /* its TCP/TLS connection ended */ \
	X(CONN_RESET, "connection_reset") \
	X(CONN_TIMEOUT, "connection_timeout") \
	X(CONN_ABORTED, "connection_aborted") \
	X(DP_RESTART, "dp_restarted")           /* a stream's allocation went with dp */ \
	X(KILLED, "operator_kill")              /* turnpikectl kill */ \
	X(CP_DELETED, "ended_by_cp")            /* a cp's ALLOC_DEL just before it \
						 * stopped: which of Refresh 0, \
						 * expiry, kill is not known */

enum cp_alloc_end_reason {
#define X(e, n) CP_ALLOC_R_##e,
	CP_ALLOC_END_REASONS(X)
#undef X
	CP_ALLOC_R__COUNT,
};

#endif /* CP_ALLOC_END_H */
