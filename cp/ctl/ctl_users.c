/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl users add|del|list: turnpike-cp's static users (long-term
 * credentials). import-coturn is ctl_import.c's.
 */
#include <getopt.h>
#include <stdio.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"
#include "tp_common.h"

/* The user names, one per line, or "no users". */
static int
users_show(struct json_object *a)
{
	static const char key[] = "users";
	struct json_object *list, *e;
	size_t i, n;
	int rc;

	rc = ctl_member(a, key, json_type_array, "the answer", &list);
	if (rc != 0)
		return rc;
	/* a tenant's list says whose it is (the default tenant's, as before) */
	if (json_object_object_get_ex(a, "tenant", &e) &&
	    json_object_is_type(e, json_type_string))
		ctl_put_safe(stdout, "tenant: ", json_object_get_string(e), "\n");
	n = json_object_array_length(list);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(list, i),
					 json_type_string))
			return ctl_malformed("\"%s\"[%zu] is not a string", key,
					     i);
	if (n == 0)
		printf("no %s\n", key);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(list, i);
		ctl_put_safe(stdout, "", json_object_get_string(e), "\n");
	}
	return 0;
}

static const struct ctl_help users_add_usage = {
	"[--tenant NAME] [--] NAME PASSWORD",
	"Add a static (long-term credential) user, or set the password of\n"
	"an existing one. turnpike-cp applies SASLprep (RFC 4013) to both.\n"
	"\n"
	"A password on the command line is visible to other local users\n"
	"(ps, shell history). Put '--' before NAME if NAME or PASSWORD\n"
	"starts with '-'.\n"
	"\n"
	"--tenant T: a user of tenant T (the tenants list of turnpike-cp's\n"
	"file): its key is made with T's realm, and it authenticates only at\n"
	"T's addresses. Without it (or \"default\"), the box's own.\n",
};

static int
users_add(const struct ctl_opts *opts, const char *path, int argc,
	      char **argv)
{
	static const char *const names[] = { "NAME", "PASSWORD" };
	const char *tenant;
	int status;

	status = ctl_args_tenant(path, argc, argv, &users_add_usage, names, 2, &tenant);
	if (status >= 0)
		return status;
	return ctl_simple(opts,
			  ctl_req_tenant(ctl_req_str(ctl_req_str(ctl_request("users.add"),
								 "name", argv[optind]),
						     "password", argv[optind + 1]), tenant),
			  "added user ", argv[optind]);
}

static const struct ctl_help users_del_usage = {
	"[--tenant NAME] [--] NAME",
	"Delete a static user. Its allocations stay until they expire (see\n"
	"'turnpikectl allocations --user NAME' and 'turnpikectl kill').\n"
	"--tenant T: tenant T's user of that name.\n",
};

static int
users_del(const struct ctl_opts *opts, const char *path, int argc,
	      char **argv)
{
	static const char *const names[] = { "NAME" };
	const char *tenant;
	int status;

	status = ctl_args_tenant(path, argc, argv, &users_del_usage, names, 1, &tenant);
	if (status >= 0)
		return status;
	return ctl_simple(opts,
			  ctl_req_tenant(ctl_req_str(ctl_request("users.del"), "name",
						     argv[optind]), tenant),
			  "deleted user ", argv[optind]);
}

static const struct ctl_help users_list_usage = {
	"[--tenant NAME]",
	"List the static users' names, one per line (\"no users\" when\n"
	"there are none). With the global --json: {\"users\": [NAME...],\n"
	"\"ok\": true}.\n"
	"--tenant T: tenant T's users, after a line \"tenant: T\" (and\n"
	"\"tenant\": T in --json).\n",
};

static int
users_list(const struct ctl_opts *opts, const char *path, int argc,
	       char **argv)
{
	const char *tenant;
	int status;

	status = ctl_args_tenant(path, argc, argv, &users_list_usage, NULL, 0, &tenant);
	if (status >= 0)
		return status;
	return ctl_query(opts, ctl_req_tenant(ctl_request("users.list"), tenant),
			 users_show);
}

static const struct ctl_cmd users_cmds[] = {
	{ "add", "add a user or change its password", users_add },
	{ "del", "delete a user", users_del },
	{ "list", "list the users' names", users_list },
	{ "import-coturn", "import users and secrets from coturn's database",
	  ctl_users_import_coturn },
};

int
ctl_users_main(const struct ctl_opts *opts, const char *path, int argc,
	       char **argv)
{
	return ctl_group(opts, path, argc, argv, users_cmds,
			 TP_ARRAY_SIZE(users_cmds),
			 "Manage turnpike-cp's static users (long-term credentials).");
}
