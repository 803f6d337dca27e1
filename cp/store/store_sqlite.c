/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/store over SQLite: one database file on the box (cp.store), made on
 * first start.
 *
 * The tables are coturn's (turnadmin's turnusers_lt and turn_secret, keyed
 * by realm), so that an operator who knows coturn's database knows this
 * one, with two columns more (turnusers_lt.sha256key, the RFC 8489
 * §18.5.1.2 key, and turn_secret.algorithm, the HMAC of a REST secret's
 * passwords, neither of which coturn keeps). The file says what it is: PRAGMA application_id
 * TP_STORE_APP_ID ("TPK1") and PRAGMA user_version the schema version. A
 * file that is not ours, or from a newer turnpike, is refused, never
 * written to; a damaged one (PRAGMA quick_check) too.
 *
 * Nothing is lost: every write is one transaction (BEGIN IMMEDIATE, so
 * that a lock is met before anything is written, not at COMMIT), and the
 * caller updates its own tables only once it committed. A lock held by
 * another process is waited for busy_ms at most (cp's loop must not stall:
 * allocations wait on it), then the write fails with -EBUSY and says so.
 * A file removed or replaced under a running cp (its inode is checked
 * before each operation) fails with -ESTALE rather than writing into an
 * unlinked file that the next start would not find.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "tp_common.h"

/* A sentence for the operator may be cut short at CP_STORE_ERR_MAX
 * (a path near 255 bytes and SQLite's message): said, not lost. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define TP_STORE_APP_ID  0x54504b31   /* "TPK1" */

/* Keys leave no copy behind in our buffers (no OpenSSL here). */
static void
wipe(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n-- > 0)
		*b++ = 0;
}
#define TP_STORE_SCHEMA  3

static const char schema_v1[] =
	"CREATE TABLE turnusers_lt (realm varchar(127) default '', "
	"name varchar(512), hmackey char(128), sha256key char(64), "
	"PRIMARY KEY (realm, name));"
	"CREATE TABLE turn_secret (realm varchar(127) default '', "
	"value varchar(256), PRIMARY KEY (realm, value));"
	"PRAGMA application_id = 1414548273;"   /* TP_STORE_APP_ID */
	"PRAGMA user_version = 1;";

/* Version 2: TLS 1.3 external PSKs, by realm and identity; the
 * key in hex, the suite as its number. A version 1 store is brought up to
 * it in one transaction when cp opens it (nothing else changes). */
static const char schema_v2[] =
	"CREATE TABLE tls_psk (realm varchar(127) default '', "
	"identity varchar(128), pskkey char(128), cipher integer, "
	"PRIMARY KEY (realm, identity));"
	"PRAGMA user_version = 2;";

/* Version 3: the HMAC of each REST secret's passwords, "sha1" or
 * "sha256" (tp_rest_alg_name()); the rows before it are SHA-1 ones, the
 * only kind there was. A turnpike that knows version 2 refuses the file
 * rather than take a SHA-256 secret for a SHA-1 one. */
static const char schema_v3[] =
	"ALTER TABLE turn_secret ADD COLUMN algorithm varchar(16) "
	"NOT NULL DEFAULT 'sha1';"
	"PRAGMA user_version = 3;";

struct sq_store {
	struct cp_store base;         /* first */
	sqlite3 *db;
	char path[256];
	uint32_t busy_ms;
	dev_t dev;
	ino_t ino;
};

static struct sq_store *
sq(struct cp_store *s)
{
	return (struct sq_store *)s;
}

/* An SQLite result as -errno, with the operator's sentence in s->err. */
static int
sq_fail(struct sq_store *q, int rc, const char *what)
{
	const char *msg = q->db != NULL ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(q->base.err, sizeof(q->base.err), "user store %s is locked by "
			 "another process (waited %u ms) while %s: nothing changed, "
			 "try again", q->path, q->busy_ms, what);
		return -EBUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		snprintf(q->base.err, sizeof(q->base.err), "user store %s is damaged "
			 "or not a database (%s) while %s: nothing changed; restore it "
			 "from a backup", q->path, msg, what);
		return -EIO;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
	case SQLITE_AUTH:
		snprintf(q->base.err, sizeof(q->base.err), "user store %s cannot be "
			 "written (%s) while %s: nothing changed", q->path, msg, what);
		return -EACCES;
	case SQLITE_FULL:
		snprintf(q->base.err, sizeof(q->base.err), "user store %s: disk full "
			 "while %s: nothing changed", q->path, what);
		return -ENOSPC;
	case SQLITE_CONSTRAINT:
		snprintf(q->base.err, sizeof(q->base.err), "already in user store %s",
			 q->path);
		return -EEXIST;
	default:
		snprintf(q->base.err, sizeof(q->base.err), "user store %s: %s while "
			 "%s: nothing changed", q->path, msg, what);
		return -EIO;
	}
}

/* The file is still the one opened (not removed, not replaced). */
static int
sq_check_file(struct sq_store *q)
{
	struct stat st;

	if (stat(q->path, &st) < 0 || st.st_dev != q->dev || st.st_ino != q->ino) {
		snprintf(q->base.err, sizeof(q->base.err), "user store %s was %s since "
			 "turnpike-cp opened it: nothing changed; put it back or restart "
			 "turnpike-cp (it makes a new one)", q->path,
			 errno == ENOENT ? "removed" : "replaced");
		return -ESTALE;
	}
	return 0;
}

static int
sq_exec(struct sq_store *q, const char *sql, const char *what)
{
	int rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sq_fail(q, rc, what);
}

/* A prepared statement with the realm bound as parameter 1. */
static int
sq_prepare(struct sq_store *q, const char *sql, sqlite3_stmt **st,
	   const char *what)
{
	int rc = sqlite3_prepare_v2(q->db, sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		return sq_fail(q, rc, what);
	sqlite3_bind_text(*st, 1, q->base.realm, -1, SQLITE_STATIC);
	return 0;
}

/* One integer from a pragma or a count; -errno on failure. */
static int
sq_int(struct sq_store *q, const char *sql, int64_t *out, const char *what)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : sq_fail(q, rc, what);
}

/* A row of turnusers_lt as a user; -EINVAL when it is malformed. */
static int
sq_row_user(sqlite3_stmt *st, int col, struct cp_store_user *u)
{
	const char *name = (const char *)sqlite3_column_text(st, col);
	const char *md5 = (const char *)sqlite3_column_text(st, col + 1);
	const char *sha = (const char *)sqlite3_column_text(st, col + 2);

	memset(u, 0, sizeof(*u));
	if (name == NULL || name[0] == '\0' || strlen(name) > CP_STORE_NAME_MAX ||
	    md5 == NULL || strlen(md5) != 32 || cp_store_unhex(md5, u->md5, 16) < 0)
		return -EINVAL;
	memcpy(u->name, name, strlen(name) + 1);
	if (sha != NULL && sha[0] != '\0') {
		if (strlen(sha) != 64 || cp_store_unhex(sha, u->sha256, 32) < 0)
			return -EINVAL;
		u->has_sha256 = true;
	}
	return 0;
}

static int
sq_user_get(struct cp_store *s, const char *name, struct cp_store_user *out)
{
	struct sq_store *q = sq(s);
	sqlite3_stmt *st;
	int rc;

	if ((rc = sq_check_file(q)) < 0)
		return rc;
	rc = sq_prepare(q, "SELECT name, hmackey, sha256key FROM turnusers_lt "
			"WHERE realm = ?1 AND name = ?2", &st, "reading a user");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = sq_row_user(st, 0, out) < 0 ? -EINVAL : 0;
		if (rc < 0)
			snprintf(s->err, sizeof(s->err), "user store %s: user '%s' has a "
				 "malformed key", q->path, name);
	} else if (rc == SQLITE_DONE) {
		snprintf(s->err, sizeof(s->err), "no user '%s' in %s", name, q->path);
		rc = -ENOENT;
	} else {
		rc = sq_fail(q, rc, "reading a user");
	}
	sqlite3_finalize(st);
	return rc;
}

static int
sq_user_list(struct cp_store *s, cp_store_user_fn fn, void *arg)
{
	struct sq_store *q = sq(s);
	struct cp_store_user u;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sq_check_file(q)) < 0)
		return rc;
	rc = sq_prepare(q, "SELECT name, hmackey, sha256key FROM turnusers_lt "
			"WHERE realm = ?1 ORDER BY name", &st, "listing users");
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sq_row_user(st, 0, &u) < 0) {
			s->bad_rows++;
			continue;
		}
		rc = fn(arg, &u);
		if (rc != 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc == SQLITE_ROW)
		rc = 0;
	else if (rc > 0)
		rc = sq_fail(q, rc, "listing users");
	sqlite3_finalize(st);
	memset(&u, 0, sizeof(u));
	return rc;
}

static int
sq_user_put(struct cp_store *s, const struct cp_store_user *u, unsigned int n)
{
	struct sq_store *q = sq(s);
	char md5[33], sha[65];
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sq_check_file(q)) < 0)
		return rc;
	if ((rc = sq_exec(q, "BEGIN IMMEDIATE", "adding users")) < 0)
		return rc;
	rc = sq_prepare(q, "INSERT OR REPLACE INTO turnusers_lt (realm, name, "
			"hmackey, sha256key) VALUES (?1, ?2, ?3, ?4)", &st,
			"adding users");
	for (unsigned int i = 0; rc == 0 && i < n; i++) {
		int r;

		cp_store_hex(u[i].md5, 16, md5);
		sqlite3_bind_text(st, 2, u[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, md5, -1, SQLITE_TRANSIENT);
		if (u[i].has_sha256) {
			cp_store_hex(u[i].sha256, 32, sha);
			sqlite3_bind_text(st, 4, sha, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_null(st, 4);
		}
		r = sqlite3_step(st);
		if (r != SQLITE_DONE)
			rc = sq_fail(q, r, "adding users");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	memset(sha, 0, sizeof(sha));
	memset(md5, 0, sizeof(md5));
	if (rc == 0)
		rc = sq_exec(q, "COMMIT", "adding users");
	if (rc < 0)
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* DELETE with realm ?1 and one text parameter ?2: 0, -ENOENT, -errno. */
static int
sq_delete(struct sq_store *q, const char *sql, const char *v, const char *what,
	  const char *notfound)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sq_check_file(q)) < 0)
		return rc;
	if ((rc = sq_prepare(q, sql, &st, what)) < 0)
		return rc;
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		rc = sq_fail(q, rc, what);
	} else if (sqlite3_changes(q->db) == 0) {
		snprintf(q->base.err, sizeof(q->base.err), "%s", notfound);
		rc = -ENOENT;
	} else {
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int
sq_user_del(struct cp_store *s, const char *name)
{
	return sq_delete(sq(s), "DELETE FROM turnusers_lt WHERE realm = ?1 AND "
			 "name = ?2", name, "deleting a user", "no such user");
}

static int
sq_secret_list(struct cp_store *s, cp_store_secret_fn fn, void *arg)
{
	struct sq_store *q = sq(s);
	sqlite3_stmt *st;
	int rc;

	if ((rc = sq_check_file(q)) < 0)
		return rc;
	rc = sq_prepare(q, "SELECT value, algorithm FROM turn_secret WHERE realm = ?1 "
			"ORDER BY rowid", &st, "listing secrets");
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		int alg = tp_rest_alg_parse((const char *)sqlite3_column_text(st, 1));

		/* (an algorithm we do not know: a secret that no password we
		 * make would match; skipped and counted, not taken for SHA-1) */
		if (v == NULL || v[0] == '\0' || strlen(v) > CP_STORE_SECRET_MAX || alg < 0) {
			s->bad_rows++;
			continue;
		}
		rc = fn(arg, v, (unsigned int)alg);
		if (rc != 0)
			break;
	}
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		rc = 0;
	else if (rc > 0)
		rc = sq_fail(q, rc, "listing secrets");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_secret_add(struct cp_store *s, const char *secret, unsigned int alg)
{
	struct sq_store *q = sq(s);
	sqlite3_stmt *st;
	int rc;

	if (alg != TP_REST_SHA1 && alg != TP_REST_SHA256)
		return -EINVAL;
	if ((rc = sq_check_file(q)) < 0)
		return rc;
	rc = sq_prepare(q, "INSERT INTO turn_secret (realm, value, algorithm) "
			"VALUES (?1, ?2, ?3)", &st, "adding a secret");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 2, secret, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, tp_rest_alg_name(alg), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : sq_fail(q, rc, "adding a secret");
	sqlite3_finalize(st);
	return rc;
}

static int
sq_secret_del(struct cp_store *s, const char *secret)
{
	return sq_delete(sq(s), "DELETE FROM turn_secret WHERE realm = ?1 AND "
			 "value = ?2", secret, "deleting a secret", "no such secret");
}

static int
sq_psk_list(struct cp_store *s, cp_store_psk_fn fn, void *arg)
{
	struct sq_store *q = sq(s);
	struct cp_store_psk p;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sq_check_file(q)) < 0)
		return rc;
	rc = sq_prepare(q, "SELECT identity, pskkey, cipher FROM tls_psk WHERE "
			"realm = ?1 ORDER BY identity", &st, "listing PSKs");
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *hex = (const char *)sqlite3_column_text(st, 1);
		int64_t cipher = sqlite3_column_int64(st, 2);
		size_t hl = hex != NULL ? strlen(hex) : 0;

		memset(&p, 0, sizeof(p));
		if (id == NULL || id[0] == '\0' || strlen(id) > CP_STORE_PSK_ID_MAX ||
		    hl % 2 != 0 || hl / 2 < 16 || hl / 2 > CP_STORE_PSK_KEY_MAX ||
		    cp_store_unhex(hex, p.key, hl / 2) < 0 || cipher < 0x1301 ||
		    cipher > 0x1303) {
			s->bad_rows++;
			continue;
		}
		memcpy(p.id, id, strlen(id) + 1);
		p.key_len = (uint16_t)(hl / 2);
		p.cipher = (uint16_t)cipher;
		rc = fn(arg, &p);
		if (rc != 0)
			break;
	}
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		rc = 0;
	else if (rc > 0)
		rc = sq_fail(q, rc, "listing PSKs");
	sqlite3_finalize(st);
	wipe(&p, sizeof(p));
	return rc;
}

static int
sq_psk_put(struct cp_store *s, const struct cp_store_psk *p)
{
	struct sq_store *q = sq(s);
	char hex[2 * CP_STORE_PSK_KEY_MAX + 1];
	sqlite3_stmt *st;
	int rc;

	if (p->key_len > CP_STORE_PSK_KEY_MAX)
		return -EINVAL;
	if ((rc = sq_check_file(q)) < 0)
		return rc;
	rc = sq_prepare(q, "INSERT OR REPLACE INTO tls_psk (realm, identity, pskkey, "
			"cipher) VALUES (?1, ?2, ?3, ?4)", &st, "adding a PSK");
	if (rc < 0)
		return rc;
	cp_store_hex(p->key, p->key_len, hex);
	sqlite3_bind_text(st, 2, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, p->cipher);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : sq_fail(q, rc, "adding a PSK");
	sqlite3_finalize(st);
	wipe(hex, sizeof(hex));
	return rc;
}

static int
sq_psk_del(struct cp_store *s, const char *id)
{
	return sq_delete(sq(s), "DELETE FROM tls_psk WHERE realm = ?1 AND "
			 "identity = ?2", id, "deleting a PSK", "no such PSK");
}

static void
sq_close(struct cp_store *s)
{
	struct sq_store *q = sq(s);

	sqlite3_close(q->db);
	free(q);
}

static const struct cp_store_ops sq_ops = {
	.kind = "sqlite",
	.user_get = sq_user_get,
	.user_list = sq_user_list,
	.user_put = sq_user_put,
	.user_del = sq_user_del,
	.secret_list = sq_secret_list,
	.secret_add = sq_secret_add,
	.secret_del = sq_secret_del,
	.psk_list = sq_psk_list,
	.psk_put = sq_psk_put,
	.psk_del = sq_psk_del,
	.close = sq_close,
};

/* First start: the tables and the marks, in one transaction (a second
 * cp, or turnpikectl's reader, never sees half a schema). */
static int
sq_create(struct sq_store *q)
{
	int rc = sq_exec(q, "BEGIN EXCLUSIVE", "creating the tables");

	if (rc < 0)
		return rc;
	rc = sq_exec(q, schema_v1, "creating the tables");
	if (rc == 0)
		rc = sq_exec(q, schema_v2, "creating the tables");
	if (rc == 0)
		rc = sq_exec(q, schema_v3, "creating the tables");
	if (rc == 0)
		rc = sq_exec(q, "COMMIT", "creating the tables");
	if (rc < 0)
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* An older version up to ours: 1 to 2 the PSK table, 2 to 3 the secrets'
 * algorithm, in one transaction (BEGIN IMMEDIATE: a second cp or a reader
 * opening it at the same time waits, then finds it done; the version is
 * read again inside, so each step is done once). */
static int
sq_migrate(struct sq_store *q)
{
	const char *what = "bringing its schema up to date";
	int64_t ver = 0;
	int rc = sq_exec(q, "BEGIN IMMEDIATE", what);

	if (rc < 0)
		return rc;
	rc = sq_int(q, "PRAGMA user_version", &ver, what);
	if (rc == 0 && ver == 1)
		rc = sq_exec(q, schema_v2, "adding the PSK table");
	if (rc == 0 && ver <= 2)
		rc = sq_exec(q, schema_v3, "adding the secrets' algorithm");
	if (rc == 0)
		rc = sq_exec(q, "COMMIT", what);
	if (rc < 0)
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* What the file is: ours (of which version), empty (new), or not ours. */
static int
sq_check_schema(struct sq_store *q)
{
	int64_t app = 0, ver = 0, nobj = 0;
	int rc;

	if ((rc = sq_int(q, "PRAGMA application_id", &app, "opening it")) < 0 ||
	    (rc = sq_int(q, "PRAGMA user_version", &ver, "opening it")) < 0 ||
	    (rc = sq_int(q, "SELECT count(*) FROM sqlite_master", &nobj,
			 "opening it")) < 0)
		return rc;
	if (app == 0 && ver == 0 && nobj == 0)
		return sq_create(q);
	if (app != TP_STORE_APP_ID) {
		snprintf(q->base.err, sizeof(q->base.err), "%s is an SQLite database "
			 "but not a turnpike user store (application_id %lld): left "
			 "untouched; a coturn database is imported with 'turnpikectl "
			 "users import-coturn %s'", q->path, (long long)app, q->path);
		return -EINVAL;
	}
	if (ver > TP_STORE_SCHEMA || ver < 1) {
		snprintf(q->base.err, sizeof(q->base.err), "user store %s has schema "
			 "version %lld; this turnpike knows version %d: left untouched",
			 q->path, (long long)ver, TP_STORE_SCHEMA);
		return -EINVAL;
	}
	if (ver < TP_STORE_SCHEMA)
		return sq_migrate(q);
	return 0;
}

static int
sq_quick_check(struct sq_store *q)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(q->db, "PRAGMA quick_check(1)", -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);

		if (r == NULL || strcmp(r, "ok") != 0) {
			snprintf(q->base.err, sizeof(q->base.err), "user store %s is "
				 "damaged (integrity check: %s): left untouched; restore "
				 "it from a backup", q->path, r != NULL ? r : "?");
			sqlite3_finalize(st);
			return -EIO;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : sq_fail(q, rc, "checking it");
}

struct cp_store *
cp_store_sqlite_open(const struct cp_store_conf *conf, char *err, size_t errlen)
{
	struct sq_store *q;
	struct stat st;
	bool existed;
	mode_t old;
	int rc;

	if (conf == NULL || conf->path == NULL || conf->realm == NULL ||
	    conf->path[0] == '\0' || strlen(conf->path) >= sizeof(q->path) ||
	    strlen(conf->realm) > CP_STORE_REALM_MAX) {
		snprintf(err, errlen, "user store: no path, or path or realm too long");
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL) {
		snprintf(err, errlen, "user store %s: out of memory", conf->path);
		errno = ENOMEM;
		return NULL;
	}
	q->base.ops = &sq_ops;
	snprintf(q->base.realm, sizeof(q->base.realm), "%s", conf->realm);
	snprintf(q->base.where, sizeof(q->base.where), "%s", conf->path);
	snprintf(q->path, sizeof(q->path), "%s", conf->path);
	q->busy_ms = conf->busy_ms != 0 ? conf->busy_ms : CP_STORE_DEF_BUSY_MS;

	existed = stat(q->path, &st) == 0;
	if (existed && !S_ISREG(st.st_mode)) {
		snprintf(q->base.err, sizeof(q->base.err), "user store %s is not a "
			 "regular file", q->path);
		rc = -EINVAL;
		goto fail;
	}
	/* Keys and secrets: the file is its owner's only. */
	old = umask(077);
	rc = sqlite3_open_v2(q->path, &q->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	umask(old);
	if (rc != SQLITE_OK) {
		snprintf(q->base.err, sizeof(q->base.err), "cannot open user store %s: "
			 "%s%s", q->path, q->db != NULL ? sqlite3_errmsg(q->db) :
			 sqlite3_errstr(rc), existed ? "" : " (does its folder exist?)");
		rc = -EACCES;
		goto fail;
	}
	sqlite3_busy_timeout(q->db, (int)q->busy_ms);
	if ((rc = sq_check_schema(q)) < 0 || (rc = sq_quick_check(q)) < 0)
		goto fail;
	if (stat(q->path, &st) < 0) {
		snprintf(q->base.err, sizeof(q->base.err), "user store %s: %s", q->path,
			 strerror(errno));
		rc = -errno;
		goto fail;
	}
	q->dev = st.st_dev;
	q->ino = st.st_ino;
	if (!existed && conf->owner_uid >= 0 &&
	    chown(q->path, (uid_t)conf->owner_uid, (gid_t)conf->owner_gid) < 0) {
		snprintf(q->base.err, sizeof(q->base.err), "user store %s: cannot give "
			 "it to uid %lld: %s", q->path, (long long)conf->owner_uid,
			 strerror(errno));
		rc = -errno;
		goto fail;
	}
	return &q->base;
fail:
	snprintf(err, errlen, "%s", q->base.err);
	sqlite3_close(q->db);
	free(q);
	errno = -rc;
	return NULL;
}
