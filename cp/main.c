/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-cp: the control process. It will own users and secrets, nonces,
 * the allocation lifecycle, lifetimes, quotas, peer policy and the
 * operator API, and talk to turnpike-dp only over shared-memory rings.
 * This entry point has the command line; the control loop lands with the
 * TURN-over-UDP work, and until then cp refuses to start rather than
 * pretend to run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp_version.h"

static void
cp_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s --help | --version\n"
		"\n"
		"turnpike-cp is the control process of turnpike (authentication,\n"
		"allocations, lifetimes, quotas, peer policy, operator API).\n"
		"\n"
		"  --help      show this help and exit\n"
		"  --version   show the version and exit\n",
		prog);
}

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cp_usage(stdout, argv[0]);
			return EXIT_SUCCESS;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("turnpike-cp %s\n", TP_VERSION);
			return EXIT_SUCCESS;
		}
		fprintf(stderr, "turnpike-cp: unknown option '%s'\n", argv[i]);
		cp_usage(stderr, argv[0]);
		return EXIT_FAILURE;
	}
	fprintf(stderr, "turnpike-cp: the control loop is not built yet; "
		"only --help and --version work in this version\n");
	return EXIT_FAILURE;
}
