/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl reload: turnpike-cp reads its configuration file again and
 * says what changed and what needs a restart.
 */
#include <stdio.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"

/* The strings of array key, each on a line after prefix. */
static void
reload_lines(struct json_object *a, const char *key, const char *prefix)
{
	struct json_object *list;

	if (!json_object_object_get_ex(a, key, &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++)
		ctl_put_safe(stdout, prefix, json_object_get_string(
			     json_object_array_get_idx(list, i)), "\n");
}

/* "reloaded:", then what changed and what waits for a restart. */
static int
reload_show(struct json_object *a)
{
	struct json_object *list;

	if (json_object_object_get_ex(a, "changed", &list) &&
	    json_object_array_length(list) == 0)
		puts("reloaded: nothing changed");
	else
		puts("reloaded:");
	reload_lines(a, "changed", "  changed: ");
	reload_lines(a, "restart_needed", "  NOT applied, needs a restart: ");
	return 0;
}

int
ctl_reload_main(const struct ctl_opts *opts, const char *path, int argc,
		char **argv)
{
	static const struct ctl_help usage = {
		"",
		"Make turnpike-cp read its configuration file again (as SIGHUP does).\n"
		"Users and REST secrets of the file, the peer policy, cp.quota_user,\n"
		"the lifetimes, cp.metrics and cp.alternates change at once, with no\n"
		"allocation lost; other changed settings are named with the restart\n"
		"they need. A file that does not load changes nothing (exit 2).\n",
	};
	int status;

	status = ctl_args(path, argc, argv, &usage, NULL, 0);
	if (status >= 0)
		return status;
	return ctl_query(opts, ctl_request("reload"), reload_show);
}
