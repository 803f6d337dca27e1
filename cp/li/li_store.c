/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's SQLite file (li.db, docs/design/li.md §2.5): the destinations
 * and tasks the ADMF provisioned, each task's targets and DIDs in rows of
 * their own, and an audit row for every X1 change and refusal (who, when,
 * what, the code answered) for the LI authority's own audits, read with
 * sqlite3 by whoever may read the file; turnpike has no command for it.
 *
 * The file is made and checked as cp/store makes the user store
 * (store_sqlite.c): its owner's only (umask 077), PRAGMA application_id
 * "TPL1" and user_version the schema's version, a file that is not ours or
 * from a newer turnpike refused and never written to, PRAGMA quick_check,
 * and the inode checked before each write. Contention (another process
 * reading or writing the file: the LI authority's sqlite3, a backup) costs
 * cp's loop at most LI_STORE_BUSY_MS, never cp.store_busy_ms' seconds: the
 * loop serves every allocation. An X1 request that changes anything is one
 * BEGIN EXCLUSIVE transaction (cp_li_store_txn_*): all its messages'
 * writes and audit rows, or none. PRAGMA secure_delete: a deactivated task's bytes are overwritten,
 * not left in free pages. Values are written as text the schema names
 * (element names, UUIDs, "X2andX3"), not as this build's enum numbers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "li_store.h"
#include "tp_common.h"
#include "x1.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define LI_STORE_APP_ID  1414548529   /* "TPL1" */
#define LI_STORE_SCHEMA  1
#define LI_STORE_BUSY_MS 20           /* the most cp's loop waits for a lock */

static const char schema_v1[] =
	"CREATE TABLE destination (did TEXT PRIMARY KEY, friendly TEXT, "
	"delivery TEXT NOT NULL, family INTEGER NOT NULL, addr BLOB NOT NULL, "
	"port INTEGER NOT NULL);"
	"CREATE TABLE task (xid TEXT PRIMARY KEY, delivery TEXT NOT NULL, "
	"correlation INTEGER, implicit INTEGER NOT NULL, product TEXT, "
	"created INTEGER NOT NULL, modified INTEGER NOT NULL, nmod INTEGER NOT NULL);"
	"CREATE TABLE task_target (xid TEXT NOT NULL, n INTEGER NOT NULL, "
	"kind TEXT NOT NULL, family INTEGER NOT NULL, prefix INTEGER NOT NULL, "
	"addr BLOB NOT NULL, nai TEXT NOT NULL, PRIMARY KEY (xid, n));"
	"CREATE TABLE task_did (xid TEXT NOT NULL, n INTEGER NOT NULL, did TEXT NOT NULL, "
	"PRIMARY KEY (xid, n));"
	"CREATE TABLE audit (at INTEGER NOT NULL, transaction_id TEXT NOT NULL, "
	"admf TEXT NOT NULL, operation TEXT NOT NULL, xid_or_did TEXT, "
	"result INTEGER NOT NULL);"
	"PRAGMA application_id = 1414548529;"   /* LI_STORE_APP_ID */
	"PRAGMA user_version = 1;";

struct cp_li_store {
	sqlite3 *db;
	char path[256];
	uint32_t busy_ms;
	bool txn;                     /* inside cp_li_store_txn_begin()'s */
	dev_t dev;
	ino_t ino;
	char err[CP_LI_ERR_MAX];
};

static const char *const kind_names[] = {
	[X1_T_NAI] = "nai", [X1_T_IPV4] = "ipv4Address", [X1_T_IPV6] = "ipv6Address",
	[X1_T_IPV4_CIDR] = "ipv4Cidr", [X1_T_IPV6_CIDR] = "ipv6Cidr",
	/* a CC-TF's LI_T3 trigger (docs/design/li.md §2.7), in the same
	 * columns (user_version stays 1): family its PayloadDirectionAssignment,
	 * prefix its TriggerScope (x1_types.h's numbers), addr its
	 * H248ContextID (4 bytes) and the gateway context it was resolved to
	 * (8 bytes), network order; nai "H248ContextID=N" for a reader of the
	 * file */
	[X1_T_IMS_T3] = "IMST3TargetIdentifierExtensions",
};

static void
t3_pack(const struct x1_target *g, uint8_t addr[16])
{
	memset(addr, 0, 16);
	for (unsigned int i = 0; i < 4; i++)
		addr[i] = (uint8_t)(g->h248_ctx >> (24 - 8 * i));
	for (unsigned int i = 0; i < 8; i++)
		addr[4 + i] = (uint8_t)(g->t3_ctx >> (56 - 8 * i));
}

static int
t3_unpack(struct x1_target *g)
{
	g->h248_ctx = 0;
	g->t3_ctx = 0;
	for (unsigned int i = 0; i < 4; i++)
		g->h248_ctx = g->h248_ctx << 8 | g->addr[i];
	for (unsigned int i = 0; i < 8; i++)
		g->t3_ctx = g->t3_ctx << 8 | g->addr[4 + i];
	g->t3_dir = g->family;
	g->t3_scope = g->prefix;
	g->family = 0;
	g->prefix = 0;
	memset(g->addr, 0, sizeof(g->addr));
	g->nai[0] = '\0';
	/* (a context id 0: a trigger disarmed, its context released,
	 * docs/design/li.md §2.7) */
	if (g->h248_ctx < X1_T3_CTX_MIN || g->h248_ctx > X1_T3_CTX_MAX ||
	    g->t3_dir > X1_T3_DIR_NOT_DETERMINED || g->t3_scope > X1_T3_SCOPE_BI)
		return -EINVAL;
	return 0;
}
static const char *const delivery_names[] = {
	[X1_DELIVERY_X2_ONLY] = "X2Only", [X1_DELIVERY_X3_ONLY] = "X3Only",
	[X1_DELIVERY_X2_AND_X3] = "X2andX3",
};

static int
name_index(const char *const *names, unsigned int n, const char *v)
{
	for (unsigned int i = 1; v != NULL && i < n; i++)
		if (names[i] != NULL && strcmp(names[i], v) == 0)
			return (int)i;
	return -1;
}

const char *
cp_li_store_err(const struct cp_li_store *s)
{
	return s->err;
}

/* An SQLite result as -errno, with a sentence naming the file. */
static int
fail(struct cp_li_store *s, int rc, const char *what)
{
	const char *msg = s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(s->err, sizeof(s->err), "li store %s is locked by another process "
			 "(waited %u ms) while %s: nothing changed", s->path, s->busy_ms, what);
		return -EBUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		snprintf(s->err, sizeof(s->err), "li store %s is damaged or not a database "
			 "(%s) while %s", s->path, msg, what);
		return -EIO;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
	case SQLITE_AUTH:
		snprintf(s->err, sizeof(s->err), "li store %s cannot be written (%s) while "
			 "%s: nothing changed", s->path, msg, what);
		return -EACCES;
	case SQLITE_FULL:
		snprintf(s->err, sizeof(s->err), "li store %s: disk full while %s: nothing "
			 "changed", s->path, what);
		return -ENOSPC;
	default:
		snprintf(s->err, sizeof(s->err), "li store %s: %s while %s", s->path, msg,
			 what);
		return -EIO;
	}
}

static int
exec(struct cp_li_store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : fail(s, rc, what);
}

static int
one_int(struct cp_li_store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : fail(s, rc, "reading its header");
}

/* The file still the one opened (not removed, not replaced). */
static int
check_file(struct cp_li_store *s)
{
	struct stat st;

	if (stat(s->path, &st) < 0 || st.st_dev != s->dev || st.st_ino != s->ino) {
		snprintf(s->err, sizeof(s->err), "li store %s was %s since turnpike-cp "
			 "opened it: nothing changed", s->path,
			 errno == ENOENT ? "removed" : "replaced");
		return -ESTALE;
	}
	return 0;
}

/* A new file: the schema; ours: its version; anything else refused. */
static int
check_schema(struct cp_li_store *s)
{
	int64_t app = 0, ver = 0, tables = 0;
	int rc;

	if ((rc = one_int(s, "PRAGMA application_id", &app)) < 0 ||
	    (rc = one_int(s, "PRAGMA user_version", &ver)) < 0 ||
	    (rc = one_int(s, "SELECT count(*) FROM sqlite_master", &tables)) < 0)
		return rc;
	if (app == 0 && ver == 0 && tables == 0) {
		if ((rc = exec(s, "BEGIN IMMEDIATE", "making it")) < 0)
			return rc;
		if ((rc = exec(s, schema_v1, "making it")) < 0) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		return exec(s, "COMMIT", "making it");
	}
	if (app != LI_STORE_APP_ID) {
		snprintf(s->err, sizeof(s->err), "%s is not a turnpike li store (application_id "
			 "%lld): refused, not touched", s->path, (long long)app);
		return -EINVAL;
	}
	if (ver > LI_STORE_SCHEMA || ver < 1) {
		snprintf(s->err, sizeof(s->err), "li store %s has schema version %lld, this "
			 "turnpike knows %d: refused, not touched", s->path, (long long)ver,
			 LI_STORE_SCHEMA);
		return -EINVAL;
	}
	return 0;
}

static int
quick_check(struct cp_li_store *s)
{
	sqlite3_stmt *st;
	const char *r;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return fail(s, rc, "checking it");
	rc = sqlite3_step(st);
	r = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (r == NULL || strcmp(r, "ok") != 0) {
		snprintf(s->err, sizeof(s->err), "li store %s is damaged (quick_check: %s): "
			 "restore it from a backup", s->path, r != NULL ? r : "no answer");
		sqlite3_finalize(st);
		return -EIO;
	}
	sqlite3_finalize(st);
	return 0;
}

struct cp_li_store *
cp_li_store_open(const struct cp_li_conf *conf, char *err, size_t errlen)
{
	struct cp_li_store *s;
	struct stat st;
	bool existed;
	mode_t old;
	int rc;

	if (conf == NULL || conf->store == NULL || conf->store[0] != '/' ||
	    strlen(conf->store) >= sizeof(s->path)) {
		snprintf(err, errlen, "li store: no path, not absolute, or too long");
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "li store %s: out of memory", conf->store);
		errno = ENOMEM;
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", conf->store);
	s->busy_ms = conf->busy_ms != 0 && conf->busy_ms < LI_STORE_BUSY_MS ? conf->busy_ms :
									    LI_STORE_BUSY_MS;
	existed = stat(s->path, &st) == 0;
	if (existed && !S_ISREG(st.st_mode)) {
		snprintf(s->err, sizeof(s->err), "li store %s is not a regular file", s->path);
		rc = -EINVAL;
		goto fail_open;
	}
	old = umask(077);
	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	umask(old);
	if (rc != SQLITE_OK) {
		snprintf(s->err, sizeof(s->err), "cannot open li store %s: %s", s->path,
			 s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		rc = -EACCES;
		goto fail_open;
	}
	sqlite3_busy_timeout(s->db, (int)s->busy_ms);
	if ((rc = check_schema(s)) < 0 || (rc = quick_check(s)) < 0 ||
	    (rc = exec(s, "PRAGMA secure_delete = ON", "opening it")) < 0)
		goto fail_open;
	if (stat(s->path, &st) < 0) {
		rc = -errno;
		snprintf(s->err, sizeof(s->err), "li store %s: %s", s->path, strerror(errno));
		goto fail_open;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (!existed && conf->owner_uid >= 0 &&
	    chown(s->path, (uid_t)conf->owner_uid, (gid_t)conf->owner_gid) < 0) {
		rc = -errno;
		snprintf(s->err, sizeof(s->err), "li store %s: cannot give it to uid %lld: %s",
			 s->path, conf->owner_uid, strerror(errno));
		goto fail_open;
	}
	return s;
fail_open:
	snprintf(err, errlen, "%s", s->err);
	sqlite3_close(s->db);
	free(s);
	errno = -rc;
	return NULL;
}

void
cp_li_store_close(struct cp_li_store *s)
{
	if (s == NULL)
		return;
	sqlite3_close(s->db);
	free(s);
}

static void
bind_uuid(sqlite3_stmt *st, int col, const uint8_t id[16])
{
	char u[37];

	x1_uuid_format(id, u);
	sqlite3_bind_text(st, col, u, -1, SQLITE_TRANSIENT);
}

static int
col_uuid(sqlite3_stmt *st, int col, uint8_t out[16])
{
	const char *v = (const char *)sqlite3_column_text(st, col);

	return v == NULL ? -EINVAL : x1_uuid_parse(v, out);
}

/* A statement run to its end (no rows wanted). */
static int
run(struct cp_li_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(s, rc, what);
}

static int
prep(struct cp_li_store *s, const char *sql, sqlite3_stmt **st, const char *what)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : fail(s, rc, what);
}

static int
put_audit(struct cp_li_store *s, const struct cp_li_audit *a)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prep(s, "INSERT INTO audit VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st,
		       "writing its audit row")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, a->at_us);
	bind_uuid(st, 2, a->txid);
	sqlite3_bind_text(st, 3, a->admf, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->op, -1, SQLITE_STATIC);
	if (a->id != NULL)
		bind_uuid(st, 5, a->id);
	sqlite3_bind_int(st, 6, a->result);
	return run(s, st, "writing its audit row");
}

/* A change's start: inside a request's transaction nothing (it is
 * begun), else its own BEGIN EXCLUSIVE, or why not. */
static int
begin(struct cp_li_store *s)
{
	int rc;

	if (s->txn)
		return 0;
	rc = check_file(s);
	return rc < 0 ? rc : exec(s, "BEGIN EXCLUSIVE", "starting a change");
}

/* A change's end: inside a request's transaction rc alone (the request
 * commits or rolls back whole); else COMMIT when rc is 0, ROLLBACK
 * otherwise; rc, or COMMIT's failure. */
static int
end(struct cp_li_store *s, int rc)
{
	if (s->txn)
		return rc;
	if (rc == 0 && (rc = exec(s, "COMMIT", "committing a change")) == 0)
		return 0;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
cp_li_store_txn_begin(struct cp_li_store *s)
{
	int rc;

	if (s->txn)
		return -EALREADY;
	if ((rc = check_file(s)) < 0 ||
	    (rc = exec(s, "BEGIN EXCLUSIVE", "starting a request")) < 0)
		return rc;
	if ((rc = exec(s, "SAVEPOINT x1_request", "starting a request")) < 0) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	s->txn = true;
	return 0;
}

int
cp_li_store_txn_commit(struct cp_li_store *s)
{
	int rc;

	if (!s->txn)
		return -EINVAL;
	if ((rc = exec(s, "RELEASE x1_request", "committing a request")) < 0 ||
	    (rc = exec(s, "COMMIT", "committing a request")) < 0)
		return rc;   /* still s->txn: the caller rolls back */
	s->txn = false;
	return 0;
}

int
cp_li_store_txn_rollback(struct cp_li_store *s, int (*reload)(void *arg), void *arg)
{
	int rc;

	s->txn = false;
	/* Back to the request's start with the lock still held, so what is
	 * read back is the file as it was, and nobody changed it since. */
	if (!sqlite3_get_autocommit(s->db) &&
	    sqlite3_exec(s->db, "ROLLBACK TO x1_request", NULL, NULL, NULL) == SQLITE_OK) {
		rc = reload(arg);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return reload(arg);
}

int
cp_li_store_audit(struct cp_li_store *s, const struct cp_li_audit *a)
{
	int rc = begin(s);

	return rc < 0 ? rc : end(s, put_audit(s, a));
}

static int
del_by(struct cp_li_store *s, const char *sql, const uint8_t id[16])
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prep(s, sql, &st, "removing rows")) < 0)
		return rc;
	bind_uuid(st, 1, id);
	return run(s, st, "removing rows");
}

static int
del_task_rows(struct cp_li_store *s, const uint8_t xid[16])
{
	int rc;

	if ((rc = del_by(s, "DELETE FROM task WHERE xid = ?1", xid)) < 0 ||
	    (rc = del_by(s, "DELETE FROM task_target WHERE xid = ?1", xid)) < 0)
		return rc;
	return del_by(s, "DELETE FROM task_did WHERE xid = ?1", xid);
}

static int
put_task_rows(struct cp_li_store *s, const struct cp_li_task *lt)
{
	const struct x1_task *t = &lt->t;
	sqlite3_stmt *st;
	uint8_t t3addr[16];
	char t3name[32];
	int rc;

	if ((rc = prep(s, "INSERT INTO task VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st,
		       "writing a task")) < 0)
		return rc;
	bind_uuid(st, 1, t->xid);
	sqlite3_bind_text(st, 2, delivery_names[t->delivery], -1, SQLITE_STATIC);
	if (t->has_corr)
		sqlite3_bind_int64(st, 3, (int64_t)t->corr);
	sqlite3_bind_int(st, 4, t->implicit_deactivation);
	if (t->has_product)
		bind_uuid(st, 5, t->product);
	sqlite3_bind_int64(st, 6, lt->created_us);
	sqlite3_bind_int64(st, 7, lt->modified_us);
	sqlite3_bind_int64(st, 8, lt->nmod);
	if ((rc = run(s, st, "writing a task")) < 0)
		return rc;
	for (unsigned int i = 0; i < t->n_targets; i++) {
		const struct x1_target *g = &t->targets[i];

		if ((rc = prep(s, "INSERT INTO task_target VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			       &st, "writing a task")) < 0)
			return rc;
		bind_uuid(st, 1, t->xid);
		sqlite3_bind_int(st, 2, (int)i);
		sqlite3_bind_text(st, 3, kind_names[g->kind], -1, SQLITE_STATIC);
		if (g->kind == X1_T_IMS_T3) {
			t3_pack(g, t3addr);
			snprintf(t3name, sizeof(t3name), "H248ContextID=%u", g->h248_ctx);
			sqlite3_bind_int(st, 4, g->t3_dir);
			sqlite3_bind_int(st, 5, g->t3_scope);
			sqlite3_bind_blob(st, 6, t3addr, sizeof(t3addr), SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 7, t3name, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_int(st, 4, g->family);
			sqlite3_bind_int(st, 5, g->prefix);
			sqlite3_bind_blob(st, 6, g->addr, sizeof(g->addr), SQLITE_STATIC);
			sqlite3_bind_text(st, 7, g->kind == X1_T_NAI ? g->nai : "", -1,
					  SQLITE_STATIC);
		}
		if ((rc = run(s, st, "writing a task")) < 0)
			return rc;
	}
	for (unsigned int i = 0; i < t->n_dids; i++) {
		if ((rc = prep(s, "INSERT INTO task_did VALUES (?1, ?2, ?3)", &st,
			       "writing a task")) < 0)
			return rc;
		bind_uuid(st, 1, t->xid);
		sqlite3_bind_int(st, 2, (int)i);
		bind_uuid(st, 3, t->dids[i]);
		if ((rc = run(s, st, "writing a task")) < 0)
			return rc;
	}
	return 0;
}

int
cp_li_store_task_put(struct cp_li_store *s, const struct cp_li_task *t,
		     const struct cp_li_audit *a)
{
	int rc;

	if (t->t.delivery == X1_DELIVERY_NONE || t->t.delivery > X1_DELIVERY_X2_AND_X3)
		return -EINVAL;
	for (unsigned int i = 0; i < t->t.n_targets; i++)
		if (t->t.targets[i].kind == X1_T_OTHER)
			return -EINVAL;
	if ((rc = begin(s)) < 0)
		return rc;
	if ((rc = del_task_rows(s, t->t.xid)) == 0 && (rc = put_task_rows(s, t)) == 0)
		rc = put_audit(s, a);
	return end(s, rc);
}

int
cp_li_store_task_del(struct cp_li_store *s, const uint8_t xid[16], const struct cp_li_audit *a)
{
	int rc;

	if ((rc = begin(s)) < 0)
		return rc;
	if ((rc = del_task_rows(s, xid)) == 0)
		rc = put_audit(s, a);
	return end(s, rc);
}

int
cp_li_store_dest_put(struct cp_li_store *s, const struct cp_li_dest *dd,
		     const struct cp_li_audit *a)
{
	const struct x1_dest *d = &dd->d;
	sqlite3_stmt *st;
	int rc;

	if (d->delivery == X1_DELIVERY_NONE || d->delivery > X1_DELIVERY_X2_AND_X3)
		return -EINVAL;
	if ((rc = begin(s)) < 0)
		return rc;
	if ((rc = del_by(s, "DELETE FROM destination WHERE did = ?1", d->did)) == 0 &&
	    (rc = prep(s, "INSERT INTO destination VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st,
		       "writing a destination")) == 0) {
		bind_uuid(st, 1, d->did);
		if (d->has_friendly)
			sqlite3_bind_text(st, 2, d->friendly, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, delivery_names[d->delivery], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, d->family);
		sqlite3_bind_blob(st, 5, d->addr, sizeof(d->addr), SQLITE_STATIC);
		sqlite3_bind_int(st, 6, d->port);
		rc = run(s, st, "writing a destination");
	}
	if (rc == 0)
		rc = put_audit(s, a);
	return end(s, rc);
}

int
cp_li_store_dest_del(struct cp_li_store *s, const uint8_t did[16], const struct cp_li_audit *a)
{
	int rc;

	if ((rc = begin(s)) < 0)
		return rc;
	if ((rc = del_by(s, "DELETE FROM destination WHERE did = ?1", did)) == 0)
		rc = put_audit(s, a);
	return end(s, rc);
}

static int
col_addr(sqlite3_stmt *st, int col, uint8_t out[16])
{
	if (sqlite3_column_bytes(st, col) != 16)
		return -EINVAL;
	memcpy(out, sqlite3_column_blob(st, col), 16);
	return 0;
}

static int
row_dest(sqlite3_stmt *st, struct cp_li_dest *dd)
{
	struct x1_dest *d = &dd->d;
	const char *fr = (const char *)sqlite3_column_text(st, 1);
	int64_t port = sqlite3_column_int64(st, 5);
	int dl = name_index(delivery_names, TP_ARRAY_SIZE(delivery_names),
			    (const char *)sqlite3_column_text(st, 2));

	memset(dd, 0, sizeof(*dd));
	if (col_uuid(st, 0, d->did) < 0 || dl < 0 || col_addr(st, 4, d->addr) < 0 ||
	    port < 1 || port > 65535)
		return -EINVAL;
	d->family = (uint8_t)sqlite3_column_int(st, 3);
	if (d->family != 4 && d->family != 6)
		return -EINVAL;
	if (fr != NULL) {
		if (strlen(fr) >= sizeof(d->friendly))
			return -EINVAL;
		d->has_friendly = true;
		snprintf(d->friendly, sizeof(d->friendly), "%s", fr);
	}
	d->delivery = (enum x1_delivery)dl;
	d->ip_port = true;
	d->tcp = true;
	d->port = (uint16_t)port;
	return 0;
}

/* A task's targets and DIDs, in their order. */
static int
task_parts(struct cp_li_store *s, struct x1_task *t)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prep(s, "SELECT kind, family, prefix, addr, nai FROM task_target "
		       "WHERE xid = ?1 ORDER BY n", &st, "reading a task")) < 0)
		return rc;
	bind_uuid(st, 1, t->xid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct x1_target *g;
		const char *nai = (const char *)sqlite3_column_text(st, 4);
		int k = name_index(kind_names, TP_ARRAY_SIZE(kind_names),
				   (const char *)sqlite3_column_text(st, 0));

		if (t->n_targets >= X1_TARGETS_MAX || k < 0 || nai == NULL ||
		    strlen(nai) >= sizeof(g->nai)) {
			sqlite3_finalize(st);
			return -EINVAL;
		}
		g = &t->targets[t->n_targets++];
		g->kind = (enum x1_target_kind)k;
		g->family = (uint8_t)sqlite3_column_int(st, 1);
		g->prefix = (uint8_t)sqlite3_column_int(st, 2);
		snprintf(g->nai, sizeof(g->nai), "%s", nai);
		snprintf(g->element, sizeof(g->element), "%s", kind_names[k]);
		if (col_addr(st, 3, g->addr) < 0 || (g->kind == X1_T_IMS_T3 && t3_unpack(g) < 0)) {
			sqlite3_finalize(st);
			return -EINVAL;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "reading a task");
	if ((rc = prep(s, "SELECT did FROM task_did WHERE xid = ?1 ORDER BY n", &st,
		       "reading a task")) < 0)
		return rc;
	bind_uuid(st, 1, t->xid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (t->n_dids >= X1_DIDS_MAX || col_uuid(st, 0, t->dids[t->n_dids]) < 0) {
			sqlite3_finalize(st);
			return -EINVAL;
		}
		t->n_dids++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(s, rc, "reading a task");
	return t->n_targets > 0 && t->n_dids > 0 ? 0 : -EINVAL;
}

static int
row_task(struct cp_li_store *s, sqlite3_stmt *st, struct cp_li_task *lt)
{
	struct x1_task *t = &lt->t;
	int dl = name_index(delivery_names, TP_ARRAY_SIZE(delivery_names),
			    (const char *)sqlite3_column_text(st, 1));
	int imp = sqlite3_column_int(st, 3);

	memset(lt, 0, sizeof(*lt));
	if (col_uuid(st, 0, t->xid) < 0 || dl < 0 || imp < -1 || imp > 1)
		return -EINVAL;
	t->delivery = (enum x1_delivery)dl;
	if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
		t->has_corr = true;
		t->corr = (uint64_t)sqlite3_column_int64(st, 2);
	}
	t->implicit_deactivation = (int8_t)imp;
	if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
		if (col_uuid(st, 4, t->product) < 0)
			return -EINVAL;
		t->has_product = true;
	}
	lt->created_us = sqlite3_column_int64(st, 5);
	lt->modified_us = sqlite3_column_int64(st, 6);
	lt->nmod = (uint32_t)sqlite3_column_int64(st, 7);
	return task_parts(s, t);
}

int
cp_li_store_load(struct cp_li_store *s, int (*task_fn)(void *arg, const struct cp_li_task *t),
		 int (*dest_fn)(void *arg, const struct cp_li_dest *d), void *arg)
{
	struct cp_li_task *lt;
	struct cp_li_dest d;
	sqlite3_stmt *st;
	int rc;

	if ((rc = prep(s, "SELECT * FROM destination ORDER BY rowid", &st,
		       "reading destinations")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = row_dest(st, &d)) < 0 || (rc = dest_fn(arg, &d)) < 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc < 0 || rc != SQLITE_DONE) {
		if (rc == -EINVAL)
			snprintf(s->err, sizeof(s->err), "li store %s: a destination row is "
				 "malformed", s->path);
		return rc < 0 ? rc : fail(s, rc, "reading destinations");
	}
	lt = malloc(sizeof(*lt));
	if (lt == NULL)
		return -ENOMEM;
	if ((rc = prep(s, "SELECT * FROM task ORDER BY rowid", &st, "reading tasks")) < 0) {
		free(lt);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = row_task(s, st, lt)) < 0 || (rc = task_fn(arg, lt)) < 0)
			break;
	}
	sqlite3_finalize(st);
	memset(lt, 0, sizeof(*lt));
	free(lt);
	if (rc == -EINVAL)
		snprintf(s->err, sizeof(s->err), "li store %s: a task row is malformed",
			 s->path);
	if (rc < 0)
		return rc;
	return rc == SQLITE_DONE ? 0 : fail(s, rc, "reading tasks");
}
