/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/store over SQLite (store_sqlite.c), on real files in a temporary
 * folder: made on first open with its schema and mode 0600, users and
 * secrets kept across a reopen, each realm its own, and what must be
 * refused with a clear error and nothing changed: a file that is not a
 * database, a damaged one, another program's database, a newer schema, a
 * lock held by another connection, a file removed under a running store.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tp-store.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/users.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct cp_store *
open_realm(const char *realm, char *err, size_t errlen)
{
	struct cp_store_conf c = {
		.path = path, .realm = realm, .busy_ms = 50,
		.owner_uid = -1, .owner_gid = -1,
	};

	return cp_store_sqlite_open(&c, err, errlen);
}

static struct cp_store *
open_ok(void)
{
	char err[CP_STORE_ERR_MAX];
	struct cp_store *s = open_realm("turnpike.test", err, sizeof(err));

	if (s == NULL)
		fail_msg("open: %s", err);
	return s;
}

static struct cp_store_user
user(const char *name, uint8_t fill, bool sha)
{
	struct cp_store_user u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	memset(u.md5, fill, sizeof(u.md5));
	if (sha) {
		memset(u.sha256, fill ^ 0xff, sizeof(u.sha256));
		u.has_sha256 = true;
	}
	return u;
}

struct names {
	unsigned int n;
	char name[8][32];
	unsigned int alg[8];          /* a secret's */
};

static int
collect(void *arg, const struct cp_store_user *u)
{
	struct names *ns = arg;

	if (ns->n < 8)
		snprintf(ns->name[ns->n], sizeof(ns->name[0]), "%.31s", u->name);
	ns->n++;
	return 0;
}

static int
collect_secret(void *arg, const char *s, unsigned int alg)
{
	struct names *ns = arg;

	if (ns->n < 8) {
		snprintf(ns->name[ns->n], sizeof(ns->name[0]), "%.31s", s);
		ns->alg[ns->n] = alg;
	}
	ns->n++;
	return 0;
}

static void
write_file(const char *p, const void *buf, size_t n)
{
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
}

static size_t
read_file(const char *p, void *buf, size_t cap)
{
	FILE *f = fopen(p, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void
test_store_first_open_creates_file_0600_with_schema(void **state)
{
	struct cp_store *s;
	struct stat st;
	sqlite3 *db;
	sqlite3_stmt *q;

	(void)state;
	assert_int_not_equal(access(path, F_OK), 0);
	s = open_ok();
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	cp_store_close(s);
	/* coturn's table names, our marks */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 3);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_exec(db, "SELECT realm, name, hmackey, sha256key FROM "
				      "turnusers_lt; SELECT realm, value, algorithm FROM turn_secret; "
				      "SELECT realm, identity, pskkey, cipher FROM tls_psk",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void
test_store_users_survive_reopen(void **state)
{
	struct cp_store_user u[2] = { user("alice", 0x11, true), user("bob", 0x22, false) };
	struct cp_store_user got;
	struct names ns = { 0 };
	struct cp_store *s = open_ok();

	(void)state;
	assert_int_equal(cp_store_user_put(s, u, 2), 0);
	cp_store_close(s);
	s = open_ok();
	assert_int_equal(cp_store_user_list(s, collect, &ns), 0);
	assert_int_equal(ns.n, 2);
	assert_string_equal(ns.name[0], "alice");
	assert_string_equal(ns.name[1], "bob");
	assert_int_equal(cp_store_user_get(s, "alice", &got), 0);
	assert_memory_equal(got.md5, u[0].md5, 16);
	assert_true(got.has_sha256);
	assert_memory_equal(got.sha256, u[0].sha256, 32);
	assert_int_equal(cp_store_user_get(s, "bob", &got), 0);
	assert_false(got.has_sha256);
	/* replace: a new password's key */
	u[1] = user("bob", 0x33, true);
	assert_int_equal(cp_store_user_put(s, &u[1], 1), 0);
	assert_int_equal(cp_store_user_get(s, "bob", &got), 0);
	assert_memory_equal(got.md5, u[1].md5, 16);
	assert_int_equal(cp_store_user_del(s, "alice"), 0);
	assert_int_equal(cp_store_user_del(s, "alice"), -ENOENT);
	assert_int_equal(cp_store_user_get(s, "alice", &got), -ENOENT);
	cp_store_close(s);
	s = open_ok();
	memset(&ns, 0, sizeof(ns));
	assert_int_equal(cp_store_user_list(s, collect, &ns), 0);
	assert_int_equal(ns.n, 1);
	assert_string_equal(ns.name[0], "bob");
	cp_store_close(s);
}

static void
test_store_secrets_add_del_and_duplicates(void **state)
{
	struct names ns = { 0 };
	struct cp_store *s = open_ok();

	(void)state;
	assert_int_equal(cp_store_secret_add(s, "north", TP_REST_SHA1), 0);
	assert_int_equal(cp_store_secret_add(s, "south", TP_REST_SHA256), 0);
	assert_int_equal(cp_store_secret_add(s, "north", TP_REST_SHA1), -EEXIST);
	/* a value is one secret, whatever its algorithm */
	assert_int_equal(cp_store_secret_add(s, "north", TP_REST_SHA256), -EEXIST);
	assert_int_equal(cp_store_secret_add(s, "west", 7), -EINVAL);
	cp_store_close(s);
	s = open_ok();
	assert_int_equal(cp_store_secret_list(s, collect_secret, &ns), 0);
	assert_int_equal(ns.n, 2);
	assert_string_equal(ns.name[0], "north");
	assert_int_equal(ns.alg[0], TP_REST_SHA1);
	assert_string_equal(ns.name[1], "south");
	assert_int_equal(ns.alg[1], TP_REST_SHA256);
	assert_int_equal(cp_store_secret_del(s, "north"), 0);
	assert_int_equal(cp_store_secret_del(s, "north"), -ENOENT);
	cp_store_close(s);
}

static void
test_store_realms_are_apart(void **state)
{
	char err[CP_STORE_ERR_MAX];
	struct cp_store_user u = user("carol", 0x44, true), got;
	struct names ns = { 0 };
	struct cp_store *s = open_ok(), *o;

	(void)state;
	assert_int_equal(cp_store_user_put(s, &u, 1), 0);
	o = open_realm("other.realm", err, sizeof(err));
	assert_non_null(o);
	assert_int_equal(cp_store_user_get(o, "carol", &got), -ENOENT);
	assert_int_equal(cp_store_user_list(o, collect, &ns), 0);
	assert_int_equal(ns.n, 0);
	cp_store_close(o);
	cp_store_close(s);
}

static void
test_store_not_a_database_refused_untouched(void **state)
{
	static const char junk[] = "this is not an SQLite database, it is a note\n";
	char err[CP_STORE_ERR_MAX], back[256];

	(void)state;
	write_file(path, junk, sizeof(junk));
	errno = 0;
	assert_null(open_realm("turnpike.test", err, sizeof(err)));
	assert_int_equal(errno, EIO);
	assert_non_null(strstr(err, "not a database"));
	assert_int_equal(read_file(path, back, sizeof(back)), sizeof(junk));
	assert_memory_equal(back, junk, sizeof(junk));
}

static void
test_store_damaged_database_refused(void **state)
{
	struct cp_store_user u[40];
	char err[CP_STORE_ERR_MAX];
	struct cp_store *s = open_ok();
	int fd;

	(void)state;
	/* enough rows for pages beyond the first, then scribble on page 2 */
	for (int i = 0; i < 40; i++) {
		char n[256];

		snprintf(n, sizeof(n), "user%02d-%0200d", i, 0);
		u[i] = user(n, (uint8_t)i, true);
	}
	assert_int_equal(cp_store_user_put(s, u, 40), 0);
	cp_store_close(s);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	{
		uint8_t garbage[4096];

		memset(garbage, 0xa5, sizeof(garbage));
		assert_int_equal(pwrite(fd, garbage, sizeof(garbage), 4096 + 100),
				 (ssize_t)sizeof(garbage));
	}
	close(fd);
	errno = 0;
	assert_null(open_realm("turnpike.test", err, sizeof(err)));
	assert_int_equal(errno, EIO);
	assert_non_null(strstr(err, "damaged"));
}

static void
test_store_foreign_database_refused(void **state)
{
	char err[CP_STORE_ERR_MAX];
	sqlite3 *db;

	(void)state;
	/* what coturn's turnadmin makes */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE turnusers_lt (realm varchar(127) "
				      "default '', name varchar(512), hmackey char(128), "
				      "PRIMARY KEY (realm,name))", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	errno = 0;
	assert_null(open_realm("turnpike.test", err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "import-coturn"));
}

static int
psk_collect(void *arg, const struct cp_store_psk *p)
{
	struct cp_store_psk *out = arg;
	unsigned int i = 0;

	while (out[i].id[0] != '\0')
		i++;
	out[i] = *p;
	return 0;
}

/* TLS PSKs (schema 2): kept across a reopen, replaced, deleted, each realm
 * its own; a malformed row is skipped and counted. */
static void
test_store_psk_put_list_del(void **state)
{
	struct cp_store_psk p = { .key_len = 32, .cipher = 0x1301 }, got[4];
	struct cp_store *s = open_ok(), *other;
	char err[CP_STORE_ERR_MAX];
	sqlite3 *db;

	(void)state;
	snprintf(p.id, sizeof(p.id), "ims-ue-1");
	memset(p.key, 0x5a, sizeof(p.key));
	assert_int_equal(cp_store_psk_put(s, &p), 0);
	p.cipher = 0x1302;
	p.key_len = 48;
	assert_int_equal(cp_store_psk_put(s, &p), 0);       /* replaces */
	snprintf(p.id, sizeof(p.id), "ims-ue-2");
	assert_int_equal(cp_store_psk_put(s, &p), 0);
	cp_store_close(s);

	s = open_ok();
	memset(got, 0, sizeof(got));
	assert_int_equal(cp_store_psk_list(s, psk_collect, got), 0);
	assert_string_equal(got[0].id, "ims-ue-1");
	assert_int_equal(got[0].key_len, 48);
	assert_int_equal(got[0].cipher, 0x1302);
	assert_int_equal(got[0].key[47], 0x5a);
	assert_string_equal(got[1].id, "ims-ue-2");
	assert_int_equal(got[2].id[0], '\0');
	assert_int_equal(cp_store_psk_del(s, "ims-ue-1"), 0);
	assert_int_equal(cp_store_psk_del(s, "ims-ue-1"), -ENOENT);
	other = open_realm("other.realm", err, sizeof(err));
	assert_non_null(other);
	memset(got, 0, sizeof(got));
	assert_int_equal(cp_store_psk_list(other, psk_collect, got), 0);
	assert_int_equal(got[0].id[0], '\0');
	cp_store_close(other);
	/* a row someone wrote by hand with a short key */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO tls_psk VALUES ('turnpike.test', "
				      "'bad', 'abcd', 4865)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	memset(got, 0, sizeof(got));
	assert_int_equal(cp_store_psk_list(s, psk_collect, got), 0);
	assert_string_equal(got[0].id, "ims-ue-2");
	assert_int_equal(got[1].id[0], '\0');
	assert_int_equal(s->bad_rows, 1);
	cp_store_close(s);
}

/* A store of schema 2 (secrets without an algorithm) is brought to 3 when
 * opened: its secrets read as SHA-1 ones, the only kind there was; a
 * SHA-256 one added then is one after a reopen; a row whose algorithm
 * this turnpike does not know is skipped and counted, not taken for
 * SHA-1. */
static void
test_store_schema2_secrets_are_sha1(void **state)
{
	struct names ns = { 0 };
	struct cp_store *s;
	sqlite3 *db;
	sqlite3_stmt *q;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE turnusers_lt (realm varchar(127) default '', "
		"name varchar(512), hmackey char(128), sha256key char(64), "
		"PRIMARY KEY (realm, name));"
		"CREATE TABLE turn_secret (realm varchar(127) default '', "
		"value varchar(256), PRIMARY KEY (realm, value));"
		"CREATE TABLE tls_psk (realm varchar(127) default '', "
		"identity varchar(128), pskkey varchar(128), cipher integer, "
		"PRIMARY KEY (realm, identity));"
		"INSERT INTO turn_secret (realm, value) VALUES ('turnpike.test', 'before');"
		"PRAGMA application_id = 1414548273;"
		"PRAGMA user_version = 2;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_ok();
	assert_int_equal(cp_store_secret_list(s, collect_secret, &ns), 0);
	assert_int_equal(ns.n, 1);
	assert_string_equal(ns.name[0], "before");
	assert_int_equal(ns.alg[0], TP_REST_SHA1);
	assert_int_equal(cp_store_secret_add(s, "after", TP_REST_SHA256), 0);
	cp_store_close(s);

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 3);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO turn_secret (realm, value, algorithm) "
				      "VALUES ('turnpike.test', 'future', 'sha3-512')",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_ok();
	memset(&ns, 0, sizeof(ns));
	assert_int_equal(cp_store_secret_list(s, collect_secret, &ns), 0);
	assert_int_equal(ns.n, 2);
	assert_string_equal(ns.name[0], "before");
	assert_int_equal(ns.alg[0], TP_REST_SHA1);
	assert_string_equal(ns.name[1], "after");
	assert_int_equal(ns.alg[1], TP_REST_SHA256);
	assert_int_equal(s->bad_rows, 1);
	cp_store_close(s);
}

/* A store of schema 1 (without the PSK table) is brought to 2 when opened: its
 * users stay, the PSK table is there. */
static void
test_store_schema1_migrates_to_2(void **state)
{
	struct cp_store_user u = user("erin", 0x66, true), got;
	struct cp_store_psk p = { .id = "ue", .key_len = 16, .cipher = 0x1301 };
	struct cp_store *s;
	sqlite3 *db;
	sqlite3_stmt *q;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE turnusers_lt (realm varchar(127) default '', "
		"name varchar(512), hmackey char(128), sha256key char(64), "
		"PRIMARY KEY (realm, name));"
		"CREATE TABLE turn_secret (realm varchar(127) default '', "
		"value varchar(256), PRIMARY KEY (realm, value));"
		"PRAGMA application_id = 1414548273;"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_ok();
	assert_int_equal(cp_store_user_put(s, &u, 1), 0);
	assert_int_equal(cp_store_psk_put(s, &p), 0);
	cp_store_close(s);
	s = open_ok();
	assert_int_equal(cp_store_user_get(s, "erin", &got), 0);
	cp_store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 3);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* A store made before tenants (schema 2, rows of turn.realm) opens with
 * its users and secrets as the default tenant's; a tenant's rows are
 * those of its realm (cp_store_scope()): apart from the default
 * tenant's and from each other's, the same name in two tenants two rows,
 * and the store back on the default tenant's after the scope ends. */
static void
test_store_old_database_users_are_the_default_tenants(void **state)
{
	struct cp_store_user u = user("erin", 0x66, true), b1 = user("bob", 0x11, true),
			     b2 = user("bob", 0x22, true), got;
	struct names ns = { 0 };
	struct cp_store *s;
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE turnusers_lt (realm varchar(127) default '', "
		"name varchar(512), hmackey char(128), sha256key char(64), "
		"PRIMARY KEY (realm, name));"
		"CREATE TABLE turn_secret (realm varchar(127) default '', "
		"value varchar(256), PRIMARY KEY (realm, value));"
		"CREATE TABLE tls_psk (realm varchar(127) default '', "
		"identity varchar(128), pskkey varchar(128), cipher integer, "
		"PRIMARY KEY (realm, identity));"
		"PRAGMA application_id = 1414548273;"
		"PRAGMA user_version = 2;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_ok();
	assert_int_equal(cp_store_user_put(s, &u, 1), 0);
	assert_int_equal(cp_store_secret_add(s, "old", TP_REST_SHA1), 0);
	cp_store_close(s);

	s = open_ok();
	cp_store_scope(s, "a.example.net");
	assert_int_equal(cp_store_user_get(s, "erin", &got), -ENOENT);
	assert_int_equal(cp_store_secret_list(s, collect_secret, &ns), 0);
	assert_int_equal(ns.n, 0);
	assert_int_equal(cp_store_user_put(s, &b1, 1), 0);
	assert_int_equal(cp_store_secret_add(s, "old", TP_REST_SHA1), 0);   /* its own row */
	cp_store_scope(s, "b.example.net");
	assert_int_equal(cp_store_user_put(s, &b2, 1), 0);
	assert_int_equal(cp_store_user_get(s, "bob", &got), 0);
	assert_memory_equal(got.md5, b2.md5, 16);
	cp_store_scope(s, NULL);
	assert_int_equal(cp_store_user_get(s, "bob", &got), -ENOENT);
	assert_int_equal(cp_store_user_get(s, "erin", &got), 0);
	assert_int_equal(cp_store_user_list(s, collect, &ns), 0);
	assert_int_equal(ns.n, 1);
	cp_store_close(s);

	s = open_ok();
	cp_store_scope(s, "a.example.net");
	assert_int_equal(cp_store_user_get(s, "bob", &got), 0);
	assert_memory_equal(got.md5, b1.md5, 16);
	assert_int_equal(cp_store_user_del(s, "bob"), 0);
	cp_store_scope(s, "b.example.net");
	assert_int_equal(cp_store_user_get(s, "bob", &got), 0);
	cp_store_scope(s, NULL);
	assert_int_equal(cp_store_secret_del(s, "old"), 0);
	cp_store_scope(s, "a.example.net");
	memset(&ns, 0, sizeof(ns));
	assert_int_equal(cp_store_secret_list(s, collect_secret, &ns), 0);
	assert_int_equal(ns.n, 1);
	cp_store_scope(s, NULL);
	cp_store_close(s);
}

static void
test_store_newer_schema_refused(void **state)
{
	char err[CP_STORE_ERR_MAX];
	struct cp_store *s = open_ok();
	sqlite3 *db;

	(void)state;
	cp_store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	errno = 0;
	assert_null(open_realm("turnpike.test", err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "schema version 7"));
}

static void
test_store_locked_write_fails_busy_nothing_changed(void **state)
{
	struct cp_store_user u = user("dave", 0x55, true), got;
	struct cp_store *s = open_ok();
	sqlite3 *other;

	(void)state;
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(cp_store_user_put(s, &u, 1), -EBUSY);
	assert_non_null(strstr(s->err, "locked"));
	assert_int_equal(cp_store_secret_add(s, "x", TP_REST_SHA1), -EBUSY);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	assert_int_equal(cp_store_user_get(s, "dave", &got), -ENOENT);
	/* the lock gone, the same write goes through */
	assert_int_equal(cp_store_user_put(s, &u, 1), 0);
	assert_int_equal(cp_store_user_get(s, "dave", &got), 0);
	cp_store_close(s);
}

static void
test_store_removed_file_fails_stale(void **state)
{
	struct cp_store_user u = user("erin", 0x66, true);
	struct cp_store *s = open_ok();

	(void)state;
	assert_int_equal(unlink(path), 0);
	assert_int_equal(cp_store_user_put(s, &u, 1), -ESTALE);
	assert_non_null(strstr(s->err, "removed"));
	cp_store_close(s);
}

static void
test_store_hex_round_trip_and_refusals(void **state)
{
	uint8_t in[16], out[16];
	char hex[33];

	(void)state;
	for (int i = 0; i < 16; i++)
		in[i] = (uint8_t)(i * 17);
	cp_store_hex(in, 16, hex);
	assert_string_equal(hex, "00112233445566778899aabbccddeeff");
	assert_int_equal(cp_store_unhex(hex, out, 16), 0);
	assert_memory_equal(in, out, 16);
	assert_int_equal(cp_store_unhex("00112233445566778899AABBCCDDEEFF", out, 16), 0);
	assert_int_equal(cp_store_unhex("0011223344556677889900aabbccddeeff", out, 16),
			 -EINVAL);
	assert_int_equal(cp_store_unhex("zz112233445566778899aabbccddeeff", out, 16),
			 -EINVAL);
}


/* ---- where the store may live (store_path.c) ---- */

#define OTHER_UID 65534u   /* nobody: "another user" */

static int
path_check(const char *p, bool create, char *err, size_t errlen)
{
	return cp_store_path_check(p, geteuid(), getegid(), create, err, errlen);
}

static void
test_store_path_ok_in_own_folder_and_made_when_missing(void **state)
{
	char err[CP_STORE_ERR_MAX], sub[160], p[200];
	struct stat st;

	(void)state;
	assert_int_equal(path_check(path, true, err, sizeof(err)), 0);
	/* a missing store folder: made 0700 only when asked */
	snprintf(sub, sizeof(sub), "%s/state", dir);
	snprintf(p, sizeof(p), "%s/turnpike.db", sub);
	assert_int_equal(path_check(p, false, err, sizeof(err)), 0);
	assert_int_equal(stat(sub, &st), -1);
	assert_int_equal(path_check(p, true, err, sizeof(err)), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
}

static void
test_store_path_relative_refused(void **state)
{
	char err[CP_STORE_ERR_MAX];

	(void)state;
	assert_int_equal(path_check("users.db", true, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "absolute"));
}

static void
test_store_path_symlink_refused_untouched(void **state)
{
	char err[CP_STORE_ERR_MAX], target[160];
	struct stat st;

	(void)state;
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(path_check(path, true, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(stat(target, &st), -1);   /* nothing made through it */
	/* a planted journal, too */
	unlink(path);
	snprintf(target, sizeof(target), "%s-journal", path);
	assert_int_equal(symlink("/etc/passwd", target), 0);
	assert_int_equal(path_check(path, true, err, sizeof(err)), -ELOOP);
}

static void
test_store_path_file_of_another_user_refused(void **state)
{
	char err[CP_STORE_ERR_MAX];
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chown(path, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(path_check(path, true, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "not ours"));
}

static void
test_store_path_file_writable_by_others_refused(void **state)
{
	char err[CP_STORE_ERR_MAX];
	int fd;

	(void)state;
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(path_check(path, true, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "chmod 600"));
}

static void
test_store_path_folder_of_another_user_refused(void **state)
{
	char err[CP_STORE_ERR_MAX], sub[160], p[200];
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();
	/* the default's case: someone made /var/lib/turnpike before us */
	snprintf(sub, sizeof(sub), "%s/turnpike", dir);
	snprintf(p, sizeof(p), "%s/turnpike.db", sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chown(sub, OTHER_UID, OTHER_UID), 0);
	assert_int_equal(path_check(p, true, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "belongs to uid 65534"));
	assert_int_equal(stat(p, &st), -1);
}

static void
test_store_path_folder_writable_by_others_refused(void **state)
{
	char err[CP_STORE_ERR_MAX], sub[160], p[200];

	(void)state;
	snprintf(sub, sizeof(sub), "%s/shared", dir);
	snprintf(p, sizeof(p), "%s/turnpike.db", sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	/* even sticky: the journal could be planted beside the store */
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(path_check(p, true, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "writable by everyone"));
	assert_int_equal(chmod(sub, 0770), 0);
	assert_int_equal(path_check(p, true, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "its group"));
	/* a folder above that others may write, sticky or not */
	snprintf(p, sizeof(p), "%s/inner/turnpike.db", sub);
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(path_check(p, true, err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(path_check(p, true, err, sizeof(err)), 0);  /* like /tmp */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_first_open_creates_file_0600_with_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_users_survive_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_secrets_add_del_and_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_realms_are_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_not_a_database_refused_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_damaged_database_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_foreign_database_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_psk_put_list_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_old_database_users_are_the_default_tenants,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_schema1_migrates_to_2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_schema2_secrets_are_sha1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_locked_write_fails_busy_nothing_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_removed_file_fails_stale, setup, teardown),
		cmocka_unit_test(test_store_hex_round_trip_and_refusals),
		cmocka_unit_test_setup_teardown(test_store_path_ok_in_own_folder_and_made_when_missing, setup, teardown),
		cmocka_unit_test(test_store_path_relative_refused),
		cmocka_unit_test_setup_teardown(test_store_path_symlink_refused_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_path_file_of_another_user_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_path_file_writable_by_others_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_path_folder_of_another_user_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_path_folder_writable_by_others_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
