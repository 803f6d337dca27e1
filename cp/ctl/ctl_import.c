/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl users import-coturn FILE: move users and TURN REST secrets
 * from coturn's SQLite database (what `turnadmin -a -b FILE -u U -r REALM
 * -p P` and `turnadmin -s SECRET -b FILE -r REALM` write) into
 * turnpike-cp, without resetting a password.
 *
 * coturn keeps a user as (realm, name, hmackey) in table turnusers_lt,
 * hmackey the hex of the long-term key MD5(name ":" realm ":" password)
 * (RFC 8489 §9.2.2), and a secret as (realm, value) in turn_secret. The
 * key is the credential: it goes to cp as it is (users.import), and cp
 * writes it through to its own store. A key holds its realm, so only the
 * rows of cp's realm are imported (cp says its realm in "status"); the
 * others are counted and named. A key that is not 32 hex digits (coturn
 * built for SHA-256 keys) cannot be used with MD5 and is skipped, counted.
 *
 * The file is opened read-only: importing never changes it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"

#define IMPORT_BATCH 200      /* users per request: well under 64 KiB */

struct import {
	const struct ctl_opts *opts;
	const char *file;
	const char *realm;
	const char *tenant;           /* --tenant: its users (NULL: the default's) */
	sqlite3 *db;
	struct json_object *users;    /* the batch being filled */
	unsigned long imported, secrets, skipped_key, skipped_conf;
	unsigned long other_realm;
};

/* Send one batch (and the secrets, on the first call with secrets):
 * 0, or an exit status on failure. */
static int
import_send(struct import *im, struct json_object *secrets)
{
	struct json_object *req = ctl_request("users.import"), *ans = NULL, *v;
	int rc;

	json_object_object_add(req, "realm", json_object_new_string(im->realm));
	req = ctl_req_tenant(req, im->tenant);
	json_object_object_add(req, "users", im->users);
	if (secrets != NULL)
		json_object_object_add(req, "secrets", json_object_get(secrets));
	im->users = json_object_new_array();
	rc = ctl_api_call(im->opts, req, &ans);
	json_object_put(req);
	if (rc < 0)
		return CTL_EXIT_FAIL;
	json_object_object_get_ex(ans, "ok", &v);
	if (!json_object_get_boolean(v)) {
		json_object_object_get_ex(ans, "error", &v);
		ctl_put_safe(stderr, CTL_PROG ": import stopped: ", json_object_get_string(v), "");
		fprintf(stderr, " (%lu user(s) imported before)\n", im->imported);
		json_object_put(ans);
		return CTL_EXIT_FAIL;
	}
	if (json_object_object_get_ex(ans, "users", &v))
		im->imported += (unsigned long)json_object_get_int64(v);
	if (json_object_object_get_ex(ans, "secrets", &v))
		im->secrets += (unsigned long)json_object_get_int64(v);
	if (json_object_object_get_ex(ans, "skipped", &v) &&
	    json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			ctl_put_safe(stderr, CTL_PROG ": user '",
				     json_object_get_string(json_object_array_get_idx(v, i)),
				     "' is in turnpike-cp's configuration file: left as it is there\n");
		im->skipped_conf += json_object_array_length(v);
	}
	json_object_put(ans);
	return 0;
}

/* cp's realm, from "status"; a tenant's, from "tenants". */
static int
import_realm(const struct ctl_opts *opts, const char *tenant, char *out, size_t size)
{
	struct json_object *ans, *v, *list;

	if (tenant != NULL) {
		if (ctl_ask(opts, "tenants", &ans) < 0)
			return -EIO;
		if (json_object_object_get_ex(ans, "tenants", &list) &&
		    json_object_is_type(list, json_type_array))
			for (size_t i = 0; i < json_object_array_length(list); i++) {
				struct json_object *t = json_object_array_get_idx(list, i);
				const char *n = ctl_get_str(t, "name", NULL);
				const char *r = ctl_get_str(t, "realm", NULL);

				if (n != NULL && r != NULL && strcmp(n, tenant) == 0) {
					snprintf(out, size, "%s", r);
					json_object_put(ans);
					return 0;
				}
			}
		ctl_put_safe(stderr, CTL_PROG ": turnpike-cp has no tenant '", tenant,
			     "' (see 'turnpikectl tenants')\n");
		json_object_put(ans);
		return -ENOENT;
	}
	if (ctl_ask(opts, "status", &ans) < 0)
		return -EIO;
	if (!json_object_object_get_ex(ans, "realm", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		fprintf(stderr, "%s: turnpike-cp did not say its realm (an older cp?)\n",
			CTL_PROG);
		json_object_put(ans);
		return -EPROTO;
	}
	snprintf(out, size, "%s", json_object_get_string(v));
	json_object_put(ans);
	return 0;
}

static bool
has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	bool yes = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
			       "AND name = ?1", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

static bool
is_hex32(const char *s)
{
	if (s == NULL || strlen(s) != 32)
		return false;
	for (int i = 0; i < 32; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

static int
import_run(struct import *im)
{
	struct json_object *secrets = json_object_new_array();
	sqlite3_stmt *st = NULL;
	int rc, status = CTL_EXIT_FAIL;
	unsigned int n = 0;

	if (!has_table(im->db, "turnusers_lt")) {
		fprintf(stderr, "%s: %s has no table turnusers_lt: not a coturn user "
			"database (turnadmin -b)\n", CTL_PROG, im->file);
		goto out;
	}
	/* The secrets first: sent with the first batch. */
	if (has_table(im->db, "turn_secret")) {
		rc = sqlite3_prepare_v2(im->db, "SELECT value FROM turn_secret WHERE "
					"realm = ?1", -1, &st, NULL);
		if (rc != SQLITE_OK)
			goto sql_fail;
		sqlite3_bind_text(st, 1, im->realm, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *v = (const char *)sqlite3_column_text(st, 0);

			if (v != NULL && v[0] != '\0')
				json_object_array_add(secrets, json_object_new_string(v));
		}
		if (rc != SQLITE_DONE)
			goto sql_fail;
		sqlite3_finalize(st);
		st = NULL;
	}
	rc = sqlite3_prepare_v2(im->db, "SELECT realm, name, hmackey FROM turnusers_lt",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto sql_fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *realm = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *key = (const char *)sqlite3_column_text(st, 2);
		struct json_object *u;

		if (realm == NULL || strcmp(realm, im->realm) != 0) {
			im->other_realm++;
			continue;
		}
		if (name == NULL || name[0] == '\0' || !is_hex32(key)) {
			ctl_put_safe(stderr, CTL_PROG ": user '", name, "': hmackey is not an MD5 "
				     "key (32 hex digits): skipped\n");
			im->skipped_key++;
			continue;
		}
		u = json_object_new_object();
		json_object_object_add(u, "name", json_object_new_string(name));
		json_object_object_add(u, "hmackey", json_object_new_string(key));
		json_object_array_add(im->users, u);
		if (++n == IMPORT_BATCH) {
			if (import_send(im, secrets) != 0)
				goto out;
			json_object_put(secrets);
			secrets = NULL;
			n = 0;
		}
	}
	if (rc != SQLITE_DONE)
		goto sql_fail;
	if ((n > 0 || secrets != NULL) && import_send(im, secrets) != 0)
		goto out;
	printf("imported %lu user(s) and %lu REST secret(s) of realm '%s' from %s\n",
	       im->imported, im->secrets, im->realm, im->file);
	if (im->other_realm > 0)
		printf("skipped %lu user(s) of other realms (their keys hold their "
		       "realm: they cannot authenticate in '%s')\n", im->other_realm,
		       im->realm);
	if (im->skipped_key > 0 || im->skipped_conf > 0)
		printf("skipped %lu user(s) with a key that is not MD5, %lu defined in "
		       "turnpike-cp's configuration file\n", im->skipped_key,
		       im->skipped_conf);
	status = CTL_EXIT_OK;
	goto out;
sql_fail:
	fprintf(stderr, "%s: %s: %s\n", CTL_PROG, im->file, sqlite3_errmsg(im->db));
out:
	sqlite3_finalize(st);
	json_object_put(secrets);
	return status;
}

int
ctl_users_import_coturn(const struct ctl_opts *opts, const char *path, int argc,
			char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "tenant", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct import im;
	const char *tenant = NULL;
	char realm[800];
	int c, status;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":ht:", longopts, NULL)) != -1) {
		if (c == 't') {
			if (optarg[0] == '\0')
				return ctl_usage_error(path, "--tenant: a tenant's name (see '%s "
						       "tenants')", CTL_PROG);
			tenant = optarg;
			continue;
		}
		if (c != 'h')
			return ctl_option_error(path, c, argv);
		printf("Usage: %s [--tenant NAME] FILE\n\n"
		       "Import the users (name and MD5 key, hmackey, as they are: no\n"
		       "password is reset) and TURN REST secrets of turnpike-cp's realm\n"
		       "from coturn's SQLite database FILE (turnadmin -b FILE). cp writes\n"
		       "them to its user store (cp.store, or the cluster's Redis). FILE\n"
		       "is only read.\n"
		       "\n"
		       "  -t, --tenant NAME  a tenant's: the rows of its realm become its\n"
		       "                     users and secrets\n", path);
		return CTL_EXIT_OK;
	}
	if (argc - optind != 1)
		return ctl_usage_error(path, argc - optind < 1 ? "missing FILE" :
				       "unexpected argument '%s'", argv[optind + 1]);
	memset(&im, 0, sizeof(im));
	im.opts = opts;
	im.file = argv[optind];
	if (sqlite3_open_v2(im.file, &im.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: cannot open %s: %s\n", CTL_PROG, im.file,
			im.db != NULL ? sqlite3_errmsg(im.db) : "out of memory");
		sqlite3_close(im.db);
		return CTL_EXIT_FAIL;
	}
	sqlite3_busy_timeout(im.db, 2000);
	if (import_realm(opts, tenant, realm, sizeof(realm)) < 0) {
		sqlite3_close(im.db);
		return CTL_EXIT_FAIL;
	}
	im.realm = realm;
	im.tenant = tenant;
	im.users = json_object_new_array();
	status = import_run(&im);
	json_object_put(im.users);
	sqlite3_close(im.db);
	return status;
}
