/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-dp: the DPDK primary. Owns the NIC ports, the worker lcores and
 * every packet. This file is the process: command line, configuration,
 * EAL start-up with one clear error per thing that can be missing
 * (hugepages, a port, an lcore), the workers' launch, signals (SIGINT and
 * SIGTERM stop, SIGUSR1 prints statistics) and an orderly stop that
 * releases the ports.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef TP_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "dp.h"
#include "dp_root.h"
#include "dp_cp.h"
#include "dp_ctrs.h"
#include "dp_ha.h"
#include "dp_module.h"
#include "ipc.h"
#include "net/net.h"
#include "tp_conf.h"
#include "tp_esc.h"
#include "tp_version.h"

static struct dp_ctx *g_ctx;  /* for the signal handler only */

static void
dp_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s --config FILE [--check] [-- EAL options...]\n"
		"       %s --help | --version\n"
		"\n"
		"turnpike-dp is the dataplane of turnpike. It reads the 'dp' group of\n"
		"the configuration file (EAL arguments, worker lcores, ports with their\n"
		"addresses), starts one worker per lcore and runs until SIGINT or\n"
		"SIGTERM. SIGUSR1 prints every worker's counters, drops by reason and\n"
		"cycles per packet per stage; so does the exit. SIGHUP reads the file\n"
		"again and gives TURN over TLS the tls group's certificates, keys and\n"
		"lists for the connections it accepts from then on (no restart).\n"
		"\n"
		"  -c, --config FILE  the configuration file (see conf/demo.conf)\n"
		"      --check        load and check the configuration, then exit\n"
		"  -h, --help         show this help and exit\n"
		"      --version      show the version and exit\n"
		"  -- EAL options     appended to the configuration's dp.eal list\n",
		prog, prog);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP) {
		/* (from the start on: a request waits for the thread) */
		dp_reload_signal();
		return;
	}
	if (g_ctx == NULL)
		return;
	if (sig == SIGUSR1)
		g_ctx->dump_stats = 1;
	else
		g_ctx->stop = 1;
}

/* DPDK's own message for an empty hugepage pool is easy to miss among its
 * other lines; say it plainly first. */
static int
check_hugepages(const struct tp_conf_dp *cd, int extra_argc, char **extra)
{
	char line[256];
	long total = -1, free_pages = -1;
	FILE *f;

	for (int i = 0; i < cd->eal_argc; i++)
		if (strcmp(cd->eal_argv[i], "--no-huge") == 0)
			return 0;
	for (int i = 0; i < extra_argc; i++)
		if (strcmp(extra[i], "--no-huge") == 0)
			return 0;
	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		sscanf(line, "HugePages_Total: %ld", &total);
		sscanf(line, "HugePages_Free: %ld", &free_pages);
	}
	fclose(f);
	if (total == 0 || free_pages == 0) {
		tp_log(TP_LOG_ERR, "no free hugepages (HugePages_Total=%ld, "
			"HugePages_Free=%ld): run tools/bootstrap, or reserve them with "
			"'echo 1024 > /proc/sys/vm/nr_hugepages' and mount hugetlbfs\n",
			total, free_pages);
		return -ENOMEM;
	}
	return 0;
}

static const char *eal_file_prefix(const struct tp_conf_dp *cd);

/* The EAL refuses a second primary on a file prefix with a lock error and
 * rte_errno 0; look at the lock ourselves and say what to do. */
static int
check_prefix_free(const struct tp_conf_dp *cd)
{
	char path[512];
	struct flock fl;
	int fd;

	for (int i = 0; i < cd->eal_argc; i++)
		if (strcmp(cd->eal_argv[i], "--in-memory") == 0 ||
		    strcmp(cd->eal_argv[i], "--no-shconf") == 0)
			return 0;
	snprintf(path, sizeof(path), "/var/run/dpdk/%s/config", eal_file_prefix(cd));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
		tp_log(TP_LOG_ERR, "file prefix '%s' is in use by process %d "
			"(another turnpike-dp?): give each instance its own "
			"--file-prefix in dp.eal\n", eal_file_prefix(cd), (int)fl.l_pid);
		close(fd);
		return -EBUSY;
	}
	close(fd);
	return 0;
}

/*
 * The TSC rate dp keeps time with: the EAL's, unless the test hook
 * TP_DP_TEST_CLOCK_SKEW_PPM (-500000..500000) says to run it that many
 * parts per million fast or slow, as a TSC whose rate was measured a
 * little wrong would: tests show that dp's time still agrees with cp's.
 */
static uint64_t
clock_hz(uint64_t tsc_hz)
{
	const char *v = getenv("TP_DP_TEST_CLOCK_SKEW_PPM");
	long ppm = v != NULL ? strtol(v, NULL, 10) : 0;

	if (ppm == 0 || ppm < -500000 || ppm > 500000)
		return tsc_hz;
	tp_log(TP_LOG_INFO, "test hook: the TSC taken as running %ld ppm %s\n",
	       labs(ppm), ppm > 0 ? "slow (dp's clock runs fast)" : "fast");
	return (uint64_t)((double)tsc_hz * (1e6 - (double)ppm) / 1e6);
}

#if defined(__SANITIZE_ADDRESS__)
/* Built with ASan (the integration suite's build): the EAL keeps its
 * memory to the end of the process, and the leak check at exit would
 * report all of it. Use-after-free, overflows and the rest stay on. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

static const char *
eal_file_prefix(const struct tp_conf_dp *cd)
{
	for (int i = 0; i + 1 < cd->eal_argc; i++)
		if (strcmp(cd->eal_argv[i], "--file-prefix") == 0)
			return cd->eal_argv[i + 1];
	return "rte";
}

/* Open (or create) the segment cp shares with us and announce this start
 * (the epoch tells cp to install its allocations again), then attach the
 * workers (dp_cp.c). The segment belongs to the user cp runs as (cp.user;
 * without one, to us): one we create is given to it, one we find must be
 * its, mode 0600. Its name and cp's grace are the ipc group's (ipc.name,
 * ipc.cp_grace). A box with something cp controls has the link: TURN, or
 * the gateway alone (cp creates its contexts). */
static int
cp_link_setup(struct dp_ctx *ctx)
{
	const struct tp_conf_turn *tc = &ctx->conf->turn;
	const struct tp_conf_ipc *ic = &ctx->conf->ipc;
	char err[512];
	uid_t owner;
	bool created;
	int rc;

	if (!tc->enabled && !ctx->conf->agw.enabled)
		return 0;
	rc = dp_modules_ctrs(ctx, err, sizeof(err));
	for (unsigned int i = 0; rc == 0 && i < DP_DROP__COUNT; i++) {
		if (strlen(dp_drop_name(i)) >= IPC_DP_NAME_LEN) {
			snprintf(err, sizeof(err), "dp's drop reason '%s' is longer than "
				 "%u characters (IPC_DP_NAME_LEN)", dp_drop_name(i),
				 IPC_DP_NAME_LEN - 1);
			rc = -E2BIG;
		}
	}
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "%s\n", err);
		return rc;
	}
	rc = tp_conf_resolve_user(ctx->conf, err, sizeof(err));
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "%s\n", err);
		return rc;
	}
	owner = ctx->conf->cp.user[0] != '\0' ? (uid_t)ctx->conf->cp.user_uid : geteuid();
	rc = ipc_seg_open(&ctx->ipc, ic->name, ctx->nworkers, owner, &created);
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "%s\n", ctx->ipc.err);
		return rc;
	}
	/* What dp has (stream connections when TURN listens on TCP) and the
	 * settings cp must share, checked before this start is announced: a
	 * cp that serves with other ones would give out relayed ports whose
	 * peer traffic lands on workers without the allocation. */
	ipc_side_set_agw(&ctx->ipc.shm->dp_side, ctx->conf->agw.enabled ? ctx->conf->agw.port_min : 0,
			 ctx->conf->agw.enabled ? ctx->conf->agw.port_max : 0);
	ipc_side_set_media(&ctx->ipc.shm->dp_side,
			   ctx->conf->agw.enabled ? ctx->conf->agw.media_min : 0,
			   ctx->conf->agw.enabled ? ctx->conf->agw.media_max : 0);
	ipc_side_set_tenants(&ctx->ipc.shm->dp_side, tp_conf_tenants_sig(ctx->conf));
	ipc_side_publish(&ctx->ipc.shm->dp_side, IPC_CAP_FENCE |
			 (tc->enabled && tc->nlisten_tcp + tc->nlisten_tls > 0 ?
			  IPC_CAP_STREAMS : 0) |
			 (ctx->conf->agw.enabled ? IPC_CAP_AGW : 0) |
			 (ctx->conf->agw.enabled && ctx->conf->agw.media_min != 0 ?
			  IPC_CAP_RTP : 0) |
			 (tc->enabled && tc->nlisten_tcp + tc->nlisten_tls > 0 ?
			  IPC_CAP_TCP_RELAY : 0), tc->relay_min,
			 tc->relay_max, ctx->nworkers);
	if (ipc_cp_serving(ctx->ipc.shm, ipc_monotonic_ms()) &&
	    ipc_sides_agree(ctx->ipc.shm, err, sizeof(err)) < 0) {
		tp_log(TP_LOG_ERR, "%s (%s)\n", err, ctx->conf->path);
		ipc_side_clear(&ctx->ipc.shm->dp_side);
		ipc_seg_close(&ctx->ipc);
		return -EINVAL;
	}
	ctx->ipc.shm->dp_pid = (int32_t)getpid();
	ctx->ipc.shm->dp_heartbeat_ms = ipc_monotonic_ms();
	/* what cp's metrics call dp's counters (lib/ipc ipc_dp_stats) */
	ctx->ipc.shm->dp_tsc_hz = ctx->tsc_hz;
	ctx->ipc.shm->dp_reloads = 0;          /* (this start's: dp_reload.c) */
	ctx->ipc.shm->dp_reloads_failed = 0;
	_Static_assert(DP_DROP__COUNT <= IPC_DP_DROPS_MAX,
		       "dp's drop reasons do not fit cp's shared memory");
	ctx->ipc.shm->dp_ndrops = DP_DROP__COUNT;
	for (unsigned int i = 0; i < ctx->ipc.shm->dp_ndrops; i++)
		snprintf(ctx->ipc.shm->dp_drop_names[i], IPC_DP_NAME_LEN, "%s",
			 dp_drop_name(i));
	dp_ctrs_publish(ctx->ipc.shm);
	__atomic_add_fetch(&ctx->ipc.shm->dp_epoch, 1, __ATOMIC_RELEASE);
	if (tc->enabled)
		tp_log(TP_LOG_INFO, "shared memory '%s' %s (epoch %llu); TURN on UDP %u, "
		       "relayed ports %u-%u\n", ic->name, created ? "created" : "attached",
		       (unsigned long long)ctx->ipc.shm->dp_epoch, tc->listen_port,
		       tc->relay_min, tc->relay_max);
	else
		tp_log(TP_LOG_INFO, "shared memory '%s' %s (epoch %llu); no turn group: "
		       "no TURN\n", ic->name, created ? "created" : "attached",
		       (unsigned long long)ctx->ipc.shm->dp_epoch);
	dp_cp_attach(ctx, (uint64_t)ic->cp_grace_s * 1000u);
	/* a box of a pair starts passive: the segment's role says when not */
	dp_ha_attach(ctx);
	return 0;
}

static int
run(struct dp_ctx *ctx)
{
	unsigned int main_lcore = rte_get_main_lcore();
	struct dp_worker *main_worker = NULL;
	int rc;

	/* everything is made, the ports are up: what the modules note before
	 * the workers start (TLS: the heap's baseline for the statistics) */
	dp_modules_start(ctx);
	/* the reload thread first: a SIGHUP (or cp's TLS_RELOAD) from
	 * READY=1 on is served */
	if (dp_reload_start(ctx) < 0)
		return -1;
	for (unsigned int i = 0; i < ctx->nworkers; i++) {
		struct dp_worker *w = ctx->workers[i];

		if (w->lcore == main_lcore) {
			main_worker = w;
			continue;
		}
		rc = rte_eal_remote_launch(dp_worker_main, w, w->lcore);
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "cannot start worker %u on lcore %u: "
				"%s (is the lcore busy?)\n", w->id, w->lcore, strerror(-rc));
			ctx->stop = 1;
			rte_eal_mp_wait_lcore();
			dp_reload_stop(ctx);
			return rc;
		}
	}
	if (ctx->ipc.shm != NULL)
		ipc_dp_set_ready(ctx->ipc.shm, true);
	tp_log(TP_LOG_INFO, "running %u worker(s), %u port(s)\n", ctx->nworkers,
	       ctx->nports);
	fflush(stdout);
#ifdef TP_HAVE_SYSTEMD
	/* Type=notify: ports, rings and workers are up. */
	sd_notifyf(0, "READY=1\nSTATUS=running %u worker(s), %u port(s)",
		   ctx->nworkers, ctx->nports);
#endif
	if (dp_watchdog_start(ctx) < 0) {
		ctx->stop = 1;
		rte_eal_mp_wait_lcore();
		dp_reload_stop(ctx);
		return -1;
	}
	if (main_worker != NULL) {
		dp_worker_main(main_worker);
	} else {
		while (!ctx->stop) {
			usleep(100 * 1000);
			if (ctx->dump_stats) {
				ctx->dump_stats = 0;
				dp_stats_print(ctx, stdout);
			}
		}
	}
	rte_eal_mp_wait_lcore();
	dp_reload_stop(ctx);
	dp_watchdog_stop(ctx);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct tp_conf conf;
	static struct dp_ctx ctx;
	const char *config = NULL;
	char err[512], *eal_argv[TP_CONF_MAX_EAL_ARGS * 2 + 2];
	int opt, eal_argc = 0, extra_argc, rc, status = EXIT_FAILURE;
	bool check_only = false;
	struct sigaction sa;

	tp_log_init("turnpike-dp");
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'h':
			dp_usage(stdout, argv[0]);
			return EXIT_SUCCESS;
		case 'V':
			printf("turnpike-dp %s (DPDK %s)\n", TP_VERSION, rte_version());
			return EXIT_SUCCESS;
		default:
			dp_usage(stderr, argv[0]);
			return EXIT_FAILURE;
		}
	}
	if (config == NULL) {
		tp_log(TP_LOG_ERR, "--config FILE is required\n");
		dp_usage(stderr, argv[0]);
		return EXIT_FAILURE;
	}
	/* A log file gets each line as it is written: an operator (or a
	 * test) reading it must see where a start-up stands. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* SIGHUP from the start: a reload (dp_reload.c) asked for before the
	 * thread runs waits for it, and never stops dp */
	if (dp_reload_init() == 0) {
		struct sigaction hup;

		memset(&hup, 0, sizeof(hup));
		hup.sa_handler = on_signal;
		sigemptyset(&hup.sa_mask);
		sigaction(SIGHUP, &hup, NULL);
	}
	if (tp_conf_load(config, &conf, err, sizeof(err)) < 0) {
		tp_log(TP_LOG_ERR, "%s\n", err);
		return 2;
	}
	if (conf.warn[0] != '\0')
		tp_log(TP_LOG_WARNING, "%s\n", conf.warn);
	if (dp_modules_use_all(&ctx) < 0) {
		tp_log(TP_LOG_ERR, "internal error: too many modules\n");
		tp_conf_free(&conf);
		return EXIT_FAILURE;
	}
	if (check_only && dp_modules_check(&ctx, &conf) < 0) {
		tp_conf_free(&conf);
		return 2;
	}
	if (check_only) {
		char e[512];

		printf("turnpike-dp: %s: configuration OK (%u port(s), %u worker(s))\n",
		       tp_esc_logs(config, e, sizeof(e)), conf.dp.nports, conf.dp.nworkers);
		tp_conf_free(&conf);
		return EXIT_SUCCESS;
	}

	extra_argc = argc - optind;
	if (extra_argc + conf.dp.eal_argc > (int)RTE_DIM(eal_argv) - 1) {
		tp_log(TP_LOG_ERR, "too many EAL arguments\n");
		goto out_free_conf;
	}
	for (int i = 0; i < conf.dp.eal_argc; i++)
		eal_argv[eal_argc++] = conf.dp.eal_argv[i];
	for (int i = optind; i < argc; i++)
		eal_argv[eal_argc++] = argv[i];
	eal_argv[eal_argc] = NULL;

	if (check_hugepages(&conf.dp, extra_argc, argv + optind) < 0 ||
	    check_prefix_free(&conf.dp) < 0)
		goto out_free_conf;

	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		int e = rte_errno;

		tp_log(TP_LOG_ERR, "cannot initialise the EAL: %s\n",
			e != 0 ? rte_strerror(e) : "see the EAL messages above");
		goto out_free_conf;
	}

	ctx.conf = &conf;
	ctx.tsc_hz = rte_get_tsc_hz();
	ctx.start_tsc = rte_rdtsc();
	ctx.start_ms = ipc_monotonic_ms();
	ctx.clock_hz = clock_hz(ctx.tsc_hz);
	dp_watchdog_test_hook(&ctx);
	g_ctx = &ctx;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	if (dp_reload_cp_register(&ctx) < 0 || dp_workers_create(&ctx) < 0)
		goto out_free_workers;
	/*
	 * Every large allocation before any port starts. A memif port
	 * connects from the EAL's interrupt thread once started, and its
	 * zero-copy region set-up allocates inside rte_memseg_walk() (memory
	 * lock held for reading, then the heap lock); the TURN tables,
	 * allocated here at the same moment, hold the heap lock and want the
	 * memory lock for writing to grow the heap: both threads spin for
	 * good (at 100k allocations, with DPDK 22.11's memif PMD).
	 */
	if (dp_udp_init(&ctx) < 0)
		goto out_close_ports;
	if (cp_link_setup(&ctx) < 0 || dp_modules_setup(&ctx) < 0)
		goto out_close_ports;
	if (dp_ports_init(&ctx) < 0)
		goto out_close_ports;
	if (run(&ctx) == 0)
		status = EXIT_SUCCESS;
	tp_log(TP_LOG_INFO, "stopping\n");
	dp_stats_print(&ctx, stdout);

out_close_ports:
	dp_ports_close(&ctx);
	dp_modules_fini(&ctx);
	if (ctx.ipc.shm != NULL) {
		dp_cp_detach(&ctx);
		ipc_dp_set_ready(ctx.ipc.shm, false);
		ipc_side_clear(&ctx.ipc.shm->dp_side);
		ctx.ipc.shm->dp_pid = 0;
		ipc_seg_close(&ctx.ipc);
	}
	dp_udp_free(&ctx);
out_free_workers:
	dp_workers_free(&ctx);
	g_ctx = NULL;
	rte_eal_cleanup();
out_free_conf:
	tp_conf_free(&conf);
	return status;
}
