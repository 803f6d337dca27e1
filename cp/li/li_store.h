/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's file (li_store.c): tasks and destinations in SQLite, apart from
 * the user store (cp.store), which operators' scripts read and a cluster
 * moves to Redis: tasks must follow it to neither. Internal to cp/li.
 * Every write is one transaction (BEGIN EXCLUSIVE) with its audit row,
 * or part of the request's (cp_li_store_txn_begin()); the caller changes
 * its tables once it was written, and reloads them when the request's
 * transaction is rolled back. A lock held elsewhere is waited for 20 ms at
 * most (-EBUSY). Operations return
 * 0 or -errno with a sentence in err that names the file, never a task.
 */
#ifndef CP_LI_STORE_H
#define CP_LI_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "li_types.h"

/* What the audit table keeps of an X1 operation (who, when, what, the
 * TS 103 221-1 code answered: 0 done). */
struct cp_li_audit {
	int64_t at_us;
	const uint8_t *txid;          /* x1TransactionId */
	const char *admf;
	const char *op;               /* "ActivateTask", ... */
	const uint8_t *id;            /* the XID or DID, or NULL */
	int result;
};

struct cp_li_store *cp_li_store_open(const struct cp_li_conf *conf, char *err,
				     size_t errlen);
void cp_li_store_close(struct cp_li_store *s);
/* The last failure's sentence. */
const char *cp_li_store_err(const struct cp_li_store *s);

/* Every row, to fn (its return: 0 go on, < 0 stop with it). */
int cp_li_store_load(struct cp_li_store *s,
		     int (*task_fn)(void *arg, const struct cp_li_task *t),
		     int (*dest_fn)(void *arg, const struct cp_li_dest *d), void *arg);

/* A task written whole (a new one, or in place of the one of its XID),
 * or removed with its rows (secure_delete: its bytes do not stay in free
 * pages); a destination likewise; a refusal's audit row alone. */
int cp_li_store_task_put(struct cp_li_store *s, const struct cp_li_task *t,
			 const struct cp_li_audit *a);
int cp_li_store_task_del(struct cp_li_store *s, const uint8_t xid[16],
			 const struct cp_li_audit *a);
int cp_li_store_dest_put(struct cp_li_store *s, const struct cp_li_dest *d,
			 const struct cp_li_audit *a);
int cp_li_store_dest_del(struct cp_li_store *s, const uint8_t did[16],
			 const struct cp_li_audit *a);
int cp_li_store_audit(struct cp_li_store *s, const struct cp_li_audit *a);

/* One X1 request's writes as one transaction (R5): begun with BEGIN
 * EXCLUSIVE (-EBUSY: another process holds the file; -ESTALE: it was
 * removed or replaced; nothing begun), every put, del and audit until
 * commit inside it. commit: 0, or its failure with the transaction still
 * open, for rollback. rollback: every write since begin undone, and
 * reload(arg) called while the file is still locked, to read the tables
 * back as they were (its return is rollback's). */
int cp_li_store_txn_begin(struct cp_li_store *s);
int cp_li_store_txn_commit(struct cp_li_store *s);
int cp_li_store_txn_rollback(struct cp_li_store *s, int (*reload)(void *arg), void *arg);

#endif /* CP_LI_STORE_H */
