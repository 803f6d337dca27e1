/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-dp: the DPDK primary. Owns the NIC ports, the worker lcores and
 * every packet. This file holds the process entry: options that are ours
 * (--help, --version) are read before the EAL sees the command line; the
 * rest is handed to rte_eal_init() unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "tp_version.h"

static void
dp_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [EAL options]\n"
		"       %s --help | --version\n"
		"\n"
		"turnpike-dp is the dataplane of turnpike: it initialises the DPDK EAL\n"
		"from its arguments (for example: -l 0 --no-pci\n"
		"--vdev net_tap0,iface=tp0 --file-prefix tp1), reports the ports and\n"
		"lcores it was given, and exits.\n"
		"\n"
		"  --help      show this help and exit\n"
		"  --version   show the version and exit\n",
		prog, prog);
}

int
main(int argc, char **argv)
{
	unsigned int lcore;
	uint16_t port;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			dp_usage(stdout, argv[0]);
			return EXIT_SUCCESS;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("turnpike-dp %s (DPDK %s)\n", TP_VERSION, rte_version());
			return EXIT_SUCCESS;
		}
	}

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "turnpike-dp: cannot initialise the EAL: %s\n",
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}

	printf("turnpike-dp %s: EAL up, %u lcore(s), %u port(s)\n", TP_VERSION,
	       rte_lcore_count(), rte_eth_dev_count_avail());
	RTE_LCORE_FOREACH(lcore)
		printf("  lcore %u on socket %u\n", lcore, rte_lcore_to_socket_id(lcore));
	RTE_ETH_FOREACH_DEV(port) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(port, &info) == 0)
			printf("  port %u: %s\n", port, info.driver_name);
	}

	rc = rte_eal_cleanup();
	if (rc < 0) {
		fprintf(stderr, "turnpike-dp: EAL cleanup failed: %s\n",
			rte_strerror(-rc));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
