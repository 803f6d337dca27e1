/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl drain [--alternate ADDR]... and undrain: take the box out of
 * service gently, and back. The drain's line is status's too.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"

void
ctl_drain_line(struct json_object *a)
{
	struct json_object *d, *v, *alts;
	int64_t since = 0, left = 0;

	if (!json_object_object_get_ex(a, "drain", &d) ||
	    !json_object_is_type(d, json_type_object) ||
	    !json_object_object_get_ex(d, "active", &v) ||
	    !json_object_get_boolean(v))
		return;
	ctl_int(d, "since_s", "\"drain\"", &since);
	ctl_int(d, "allocations_left", "\"drain\"", &left);
	printf("drain        ON for %" PRId64 "s, %" PRId64 " allocation(s) left, "
	       "new ones get ", since, left);
	if (json_object_object_get_ex(d, "alternates", &alts) &&
	    json_object_is_type(alts, json_type_array) &&
	    json_object_array_length(alts) > 0) {
		printf("300 Try Alternate:");
		for (size_t i = 0; i < json_object_array_length(alts); i++)
			ctl_put_safe(stdout, " ", json_object_get_string(
				     json_object_array_get_idx(alts, i)), "");
		putchar('\n');
	} else {
		printf("508\n");
	}
}

/* ---- drain ------------------------------------------------------------- */

static int
drain_show(struct json_object *a)
{
	ctl_drain_line(a);
	return 0;
}

int
ctl_drain_main(const struct ctl_opts *opts, const char *path, int argc,
	       char **argv)
{
	static const struct option longopts[] = {
		{ "alternate", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *req, *alts;
	int c;

	alts = json_object_new_array();
	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":a:h", longopts, NULL)) != -1) {
		if (c == 'a') {
			json_object_array_add(alts, json_object_new_string(optarg));
			continue;
		}
		json_object_put(alts);
		if (c != 'h')
			return ctl_option_error(path, c, argv);
		printf("Usage: %s [--alternate ADDR]...\n\n"
		       "Take the box out of service gently: new Allocates are answered\n"
		       "300 Try Alternate with an ALTERNATE-SERVER (RFC 8489 section 10) of the\n"
		       "client's address family: from the ADDRs given (192.0.2.7:3478,\n"
		       "[2001:db8::7]:3478); without them, in a cluster, the least loaded\n"
		       "live box that is not draining; 508 only when there is none.\n"
		       "Allocations that exist run on until they expire. 'status' shows\n"
		       "the drain and what is left; 'undrain' ends it.\n", path);
		return CTL_EXIT_OK;
	}
	if (optind < argc) {
		json_object_put(alts);
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	}
	req = ctl_request("drain");
	json_object_object_add(req, "alternates", alts);
	return ctl_query(opts, req, drain_show);
}

int
ctl_undrain_main(const struct ctl_opts *opts, const char *path, int argc,
		 char **argv)
{
	static const struct ctl_help usage = {
		"", "End a drain: new Allocates are served again.\n",
	};
	struct json_object *answer;
	int status;

	status = ctl_args(path, argc, argv, &usage, NULL, 0);
	if (status >= 0)
		return status;
	status = ctl_exchange(opts, ctl_request("undrain"), &answer);
	if (answer == NULL)
		return status;
	puts("drain ended: new allocations are served");
	json_object_put(answer);
	return ctl_flush();
}
