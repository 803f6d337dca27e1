/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl secrets add|del|list: the shared secrets of TURN REST API
 * credentials. A secret is never printed back, only its tag.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"
#include "tp_common.h"

/* TAG LENGTH ALGORITHM, one line per secret, no header (so that a line
 * is a secret), or "no secrets". An answer without "algorithm" (a cp
 * that predates it) is a SHA-1 secret's. */
static int
secrets_show(struct json_object *a)
{
	struct json_object *list, *e, *alg;
	struct ctl_table t;
	const char *tag, *row[3];
	char where[48], len[40];
	int64_t vlen;
	size_t i, n;
	int rc;

	rc = ctl_member(a, "secrets", json_type_array, "the answer", &list);
	if (rc != 0)
		return rc;
	if (json_object_object_get_ex(a, "tenant", &e) &&
	    json_object_is_type(e, json_type_string))
		ctl_put_safe(stdout, "tenant: ", json_object_get_string(e), "\n");
	n = json_object_array_length(list);
	if (n == 0) {
		puts("no secrets");
		return 0;
	}
	ctl_table_init(&t, 3, 0);
	for (i = 0; rc == 0 && i < n; i++) {
		e = json_object_array_get_idx(list, i);
		snprintf(where, sizeof(where), "\"secrets\"[%zu]", i);
		if (!json_object_is_type(e, json_type_object)) {
			rc = ctl_malformed("%s is not an object", where);
			break;
		}
		rc = ctl_text(e, "tag", where, &tag);
		if (rc == 0)
			rc = ctl_int(e, "length", where, &vlen);
		if (rc != 0)
			break;
		snprintf(len, sizeof(len), "%" PRId64 " bytes", vlen);
		row[0] = tag;
		row[1] = len;
		row[2] = "sha1";
		if (json_object_object_get_ex(e, "algorithm", &alg)) {
			row[2] = json_object_is_type(alg, json_type_string) ?
				 json_object_get_string(alg) : NULL;
			if (row[2] == NULL || tp_rest_alg_parse(row[2]) < 0) {
				rc = ctl_malformed("%s: \"algorithm\" is neither \"sha1\" "
						   "nor \"sha256\"", where);
				break;
			}
		}
		rc = ctl_table_row(&t, row);
	}
	if (rc == 0)
		ctl_table_print(&t, stdout);
	ctl_table_free(&t);
	return rc;
}

static const struct ctl_help secrets_add_usage = {
	"[--tenant NAME] [--algorithm sha1|sha256] [--] SECRET",
	"Add a shared secret for TURN REST API credentials (the username\n"
	"carries an expiry time, the password is base64(HMAC-SHA1(SECRET,\n"
	"username))).\n"
	"Several secrets may be live at once, for rotation.\n"
	"\n"
	"A secret on the command line is visible to other local users (ps,\n"
	"shell history). It is never printed back; 'list' shows its tag.\n"
	"\n"
	"--algorithm sha256: the secret's passwords are\n"
	"base64(HMAC-SHA256(SECRET, username)) (Kamailio's auth_ephemeral\n"
	"with sha_algorithm 1); a SHA-1 password is then refused. Default\n"
	"sha1 (coturn's use-auth-secret).\n"
	"--tenant T: a secret of tenant T (the tenants list of turnpike-cp's\n"
	"file): it signs credentials for T's realm and addresses only.\n",
};

static int
secrets_add(const struct ctl_opts *opts, const char *path, int argc,
		char **argv)
{
	static const struct option longopts[] = {
		{ "algorithm", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ "tenant", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tenant = NULL, *alg = NULL;
	struct json_object *req;
	int c;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":a:ht:", longopts, NULL)) != -1) {
		if (c == 't' || c == 'a') {
			if (optarg[0] == '\0')
				return ctl_usage_error(path, "--%s needs a value",
						       c == 't' ? "tenant" : "algorithm");
			*(c == 't' ? &tenant : &alg) = optarg;
			continue;
		}
		if (c != 'h')
			return ctl_option_error(path, c, argv);
		ctl_print_help(stdout, path, &secrets_add_usage);
		return CTL_EXIT_OK;
	}
	if (alg != NULL && tp_rest_alg_parse(alg) < 0)
		return ctl_usage_error(path, "--algorithm is sha1 or sha256, not '%s'", alg);
	if (argc - optind < 1)
		return ctl_usage_error(path, "missing SECRET");
	if (argc - optind > 1)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind + 1]);
	req = ctl_req_str(ctl_request("secrets.add"), "secret", argv[optind]);
	/* (only when asked: a SHA-1 secret's request is as it always was) */
	if (alg != NULL && tp_rest_alg_parse(alg) != TP_REST_SHA1)
		req = ctl_req_str(req, "algorithm", alg);
	return ctl_simple(opts, ctl_req_tenant(req, tenant), "added secret", "");
}

static const struct ctl_help secrets_del_usage = {
	"[--tenant NAME] [--] SECRET-OR-TAG",
	"Delete a shared secret, given as itself or as its tag (the TAG\n"
	"column of 'turnpikectl secrets list'); --tenant T: of tenant T's.\n",
};

static int
secrets_del(const struct ctl_opts *opts, const char *path, int argc,
		char **argv)
{
	static const char *const names[] = { "SECRET-OR-TAG" };
	const char *tenant;
	int status;

	status = ctl_args_tenant(path, argc, argv, &secrets_del_usage, names, 1, &tenant);
	if (status >= 0)
		return status;
	return ctl_simple(opts,
			  ctl_req_tenant(ctl_req_str(ctl_request("secrets.del"), "secret",
						     argv[optind]), tenant),
			  "deleted secret", "");
}

static const struct ctl_help secrets_list_usage = {
	"[--tenant NAME]",
	"List the shared secrets, one line each: its tag (16 hex digits,\n"
	"safe to show), its length and its algorithm (sha1, sha256); \"no\n"
	"secrets\" when there are none.\n"
	"With the global --json: {\"secrets\": [{\"tag\", \"length\",\n"
	"\"algorithm\"}...], \"ok\": true}.\n"
	"--tenant T: tenant T's, after a line \"tenant: T\".\n",
};

static int
secrets_list(const struct ctl_opts *opts, const char *path, int argc,
		 char **argv)
{
	const char *tenant;
	int status;

	status = ctl_args_tenant(path, argc, argv, &secrets_list_usage, NULL, 0, &tenant);
	if (status >= 0)
		return status;
	return ctl_query(opts, ctl_req_tenant(ctl_request("secrets.list"), tenant),
			 secrets_show);
}

static const struct ctl_cmd secrets_cmds[] = {
	{ "add", "add a shared secret", secrets_add },
	{ "del", "delete a secret, by value or tag", secrets_del },
	{ "list", "list the secrets' tags, lengths and algorithms", secrets_list },
};

int
ctl_secrets_main(const struct ctl_opts *opts, const char *path, int argc,
		 char **argv)
{
	return ctl_group(opts, path, argc, argv, secrets_cmds,
			 TP_ARRAY_SIZE(secrets_cmds),
			 "Manage the shared secrets of TURN REST API credentials.");
}
