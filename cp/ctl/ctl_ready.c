/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl ready [--wait S]: whether turnpike-cp serves and
 * turnpike-dp runs, as an exit status, for start-up scripts and tests.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"

/*
 * Whether turnpike-cp serves requests (its tables built, dp's state taken
 * back) and turnpike-dp runs, as cp's status answer says: 0 when both, 2
 * when not (and why, on stderr). With --wait S it asks again every 100 ms
 * for up to S seconds, quietly, and reports only how the last try went:
 * what a start-up script or a test waits on before it offers load.
 */
static int
ready_once(const struct ctl_opts *opts, const char **why)
{
	struct json_object *req = ctl_request("status"), *ans = NULL, *ok, *v, *dp;
	int rc;

	*why = "turnpike-cp unreachable";
	if (req == NULL)
		return ctl_out_of_memory();
	rc = ctl_api_call(opts, req, &ans);
	json_object_put(req);
	if (rc != 0)
		return CTL_EXIT_FAIL;
	rc = CTL_EXIT_FAIL;
	*why = "turnpike-cp refused the status request";
	if (!json_object_object_get_ex(ans, "ok", &ok) || !json_object_get_boolean(ok))
		goto out;
	*why = "turnpike-cp is not ready (taking dp's state back)";
	if (!json_object_object_get_ex(ans, "ready", &v) ||
	    !json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v))
		goto out;
	*why = "turnpike-dp is not running";
	if (!json_object_object_get_ex(ans, "dp", &dp) ||
	    !json_object_object_get_ex(dp, "running", &v) ||
	    !json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v))
		goto out;
	*why = NULL;
	rc = CTL_EXIT_OK;
out:
	json_object_put(ans);
	return rc;
}

int
ctl_ready_main(const struct ctl_opts *opts, const char *path, int argc,
	       char **argv)
{
	static const struct option longopts[] = {
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts q = *opts;
	double wait_s = 0;
	struct timespec t0, t;
	const char *why = NULL;
	char *end;
	int c, status;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			errno = 0;
			wait_s = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !(wait_s >= 0 && wait_s <= 3600))
				return ctl_usage_error(path, "--wait takes seconds, 0..3600, "
						       "not '%s'", optarg);
			break;
		case 'h':
			printf("Usage: %s [--wait SECONDS]\n\n"
			       "Exit 0 when turnpike-cp serves requests (its tables built and\n"
			       "turnpike-dp's state taken back) and turnpike-dp runs; 2, and why\n"
			       "on stderr, when not. --wait asks every 100 ms until then, for at\n"
			       "most SECONDS.\n", path);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	q.quiet = true;
	q.json = false;
	for (;;) {
		double el;

		status = ready_once(&q, &why);
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
		if (status == CTL_EXIT_OK || el + 0.1 > wait_s)
			break;
		nanosleep(&(struct timespec){ .tv_sec = 0, .tv_nsec = 100000000 }, NULL);
	}
	if (status != CTL_EXIT_OK) {
		/* Once more, aloud, so that the reason for an unreachable cp
		 * is on stderr too. */
		if (why != NULL && strcmp(why, "turnpike-cp unreachable") == 0)
			status = ready_once(opts, &why);
		fprintf(stderr, "%s: not ready: %s\n", CTL_PROG, why ? why : "?");
		return CTL_EXIT_FAIL;
	}
	if (opts->json)
		puts("{\"ready\":true}");
	else
		puts("ready: turnpike-cp serves, turnpike-dp runs");
	return ctl_flush();
}
