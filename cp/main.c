/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-cp: the control process. One loop: take what dp's workers
 * passed on (requests, state, counters) from the shared-memory rings,
 * decide, answer on the rings; advance the timer wheel (lifetimes,
 * permissions, channels); serve the operator API; notice a restarted dp
 * (its epoch changed) and install every allocation into it again. A
 * restarted cp asks dp for its state first, so its timers carry on.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef TP_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "cp.h"
#include "cp_dp.h"
#include "cp_module.h"
#include "tp_conf.h"
#include "tp_esc.h"
#include "tp_version.h"

/*
 * cp's modules in start-up order, each using what those before it set up:
 * the cluster first (the user store may be its Redis), the file's users,
 * the peer policy, cp.user checked, the store (a configuration check
 * stops there: CP_MODULE_CHECK); then the segment, the clocks, the
 * allocations, TLS keys and AGW contexts (their dp-restart hooks run in
 * this order: allocations go back first), the pair's role (cp/ha: after
 * what it mirrors, its lease asked from the loop), H.248's door, the usage
 * records (after agw: they observe its contexts), lawful interception's
 * tables (cp/li), the API socket (published
 * with every module's commands), the metrics endpoint (a port below 1024
 * before privileges go), and cp.user become for good. Taken down in
 * reverse.
 */
static const struct cp_module *const modules[] = {
	&cp_cluster_module,
	&cp_auth_module,
	&cp_policy_module,
	&cp_user_module,
	&cp_store_module,
	&cp_ipc_module,
	&cp_clock_module,
	&cp_alloc_module,
	&cp_tls_module,
	&cp_agw_module,
	&cp_ha_module,
	&cp_iq_module,
	&cp_ng_module,
	&cp_acct_module,
	&cp_li_module,
	&cp_api_module,
	&cp_metrics_module,
	&cp_privileges_module,
};

static volatile sig_atomic_t g_stop;
static volatile sig_atomic_t g_reload;

static void
on_hup(int sig)
{
	(void)sig;
	g_reload = 1;
}

static void
on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void
cp_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s --config FILE [--check]\n"
		"       %s --help | --version\n"
		"\n"
		"turnpike-cp is the control process of turnpike: authentication,\n"
		"allocations and their lifetimes, quotas, peer policy, and the\n"
		"operator API that turnpikectl uses; the access gateway's contexts.\n"
		"It reads the 'turn', 'cp' and 'agw' groups of the configuration dp\n"
		"reads (one of 'turn' and 'agw' at least), and talks to turnpike-dp\n"
		"only over the shared-memory segment of its 'ipc' group. Either\n"
		"process may be restarted without the other losing an allocation.\n"
		"\n"
		"  -c, --config FILE  the configuration file (see conf/demo.conf)\n"
		"      --check        load and check the configuration, then exit\n"
		"  -h, --help         show this help and exit\n"
		"      --version      show the version and exit\n",
		prog, prog);
}

/* Ask dp for its state, when a dp runs: until every worker answered, cp is
 * not ready. */
static void
start_restore(struct cp_ctx *cp)
{
	uint64_t all = cp->nworkers >= 64 ? ~0ULL : (1ULL << cp->nworkers) - 1;

	if (!ipc_dp_running(cp->seg.shm, ipc_monotonic_ms()))
		return;
	cp->sync_unsent = all;
	cp->state_wait = all;
	cp_request_state(cp);
}

/* Ready once every worker gave its state back, or once there is no dp to
 * wait for (it stopped, or another one started and has nothing). */
static void
check_ready(struct cp_ctx *cp, uint64_t mono_ms)
{
	char gone[160];
	bool dp_gone;

	if (cp->ready)
		return;
	if (cp->sync_unsent)
		cp_request_state(cp);
	dp_gone = !ipc_dp_running(cp->seg.shm, mono_ms) ||
		  cp->seg.shm->dp_epoch != cp->dp_epoch_seen;
	if (cp->state_wait != 0 && !dp_gone)
		return;
	cp->ready = true;
	cp->sync_unsent = cp->state_wait = 0;
	ipc_cp_set_ready(cp->seg.shm, true);
#ifdef TP_HAVE_SYSTEMD
	/* Type=notify: cp serves. */
	sd_notifyf(0, "READY=1\nSTATUS=serving, %u allocation(s)", cp_alloc_count(cp));
#endif
	gone[0] = '\0';
	if (dp_gone)
		snprintf(gone, sizeof(gone), " (no dp to wait for: dp epoch %llu, ready "
			 "for epoch %llu, last heartbeat %lld ms ago)",
			 (unsigned long long)cp->seg.shm->dp_epoch,
			 (unsigned long long)cp->seg.shm->dp_ready,
			 (long long)mono_ms - (long long)cp->seg.shm->dp_heartbeat_ms);
	tp_log(TP_LOG_NOTICE, "ready %llu ms after start, %u allocation(s) taken back "
	       "from dp%s", (unsigned long long)(mono_ms - cp->exec_ms), cp_alloc_count(cp),
	       gone);
	fflush(stdout);
}

/*
 * Idle, cp dozes: up to CP_DOZE_MS on its doorbell (lib/ipc ipc_cp_doze()),
 * which dp rings when it puts a request in a ring, rather than sleeping
 * in poll() for 2 ms whatever comes meanwhile (then an honest allocation's
 * request waits a millisecond on average, and a flood's lane empties a
 * few times a sleep and then stands full). After work it polls for
 * CP_SPIN_US more before it dozes, so that a run of requests (a flood, a
 * client's next request) costs dp no wake-up each (a system call, 2.8 us
 * on the benchmark VM). The operator's socket is looked at once a millisecond
 * and after each doze (it waits at most that long, not a request).
 */
#define CP_DOZE_MS  2u
#define CP_SPIN_US  200u
#define CP_NAP_US   100u

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
run(struct cp_ctx *cp)
{
	static struct ipc_msg msg;
	uint64_t next_check = 0, last_work_us = 0, api_ms = 0;
	uint64_t wd_every_ms = 0, wd_next_ms = 0;
#ifdef TP_HAVE_SYSTEMD
	uint64_t wd_usec = 0;

	/* WatchdogSec=: a keep-alive from the loop itself at half the
	 * period, so that a loop stuck anywhere is restarted. */
	if (sd_watchdog_enabled(0, &wd_usec) > 0)
		wd_every_ms = wd_usec / 2000u > 0 ? wd_usec / 2000u : 1u;
#endif

	while (!g_stop) {
		unsigned int work = 0;
		uint64_t mono = ipc_monotonic_ms(), us;

		/* Every lifetime runs on the monotonic clock: the wall clock
		 * stepping back (NTP, `date`) once wrapped the wheel's tick
		 * count and expired everything at once. */
		cp_time_advance(cp, mono, ipc_realtime_ms());
		if (wd_every_ms != 0 && mono >= wd_next_ms) {
#ifdef TP_HAVE_SYSTEMD
			sd_notify(0, "WATCHDOG=1");
#endif
			wd_next_ms = mono + wd_every_ms;
		}
		if (g_reload) {
			/* SIGHUP: what `turnpikectl reload` does, said in
			 * the log instead of an answer. */
			g_reload = 0;
			cp_reload(cp, NULL);
		}
		__atomic_store_n(&cp->seg.shm->cp_heartbeat_ms, mono, __ATOMIC_RELAXED);
		check_ready(cp, mono);
		if (cp->seg.shm->dp_epoch != cp->dp_epoch_seen) {
			cp->dp_epoch_seen = cp->seg.shm->dp_epoch;
			tp_log(TP_LOG_INFO, "dp restarted (epoch %llu): installing %u "
			       "allocation(s) again\n",
			       (unsigned long long)cp->dp_epoch_seen, cp_alloc_count(cp));
			fflush(stdout);
			/* in start-up order: allocations, TLS keys, AGW
			 * contexts (the modules' on_dp_restart) */
			cp_dp_restarted(cp);
		}
		/* what the modules send dp on their own: a reinstall's next
		 * slice and the request for allocations' counters (alloc's,
		 * once a second, only with a turn group), ticket keys */
		work += cp_modules_step(cp);
		for (unsigned int w = 0; w < cp->nworkers; w++) {
			struct ipc_ring *r = &ipc_worker(&cp->seg, w)->to_cp;

			/* Checked before believed (ipc_msg_check()): dp is
			 * root, but its ring is memory anything may have
			 * scribbled on; a bad message is counted and skipped. */
			for (unsigned int n = 0; n < 256; n++) {
				/* (consumed once handled: a cp killed while it
				 * handles one leaves it to the next cp, which
				 * keeps dp's allocation ends, cp_ipc.c) */
				int rc = ipc_ring_peek(r, &msg);

				if (rc == 0)
					break;
				work++;
				if (rc < 0)
					cp->stats[CP_STAT_IPC_BAD]++;
				else if (ipc_msg_check(&msg, IPC_DP2CP) != 0)
					cp->stats[CP_STAT_IPC_BAD]++;
				else
					cp_handle(cp, w, &msg);
				if (rc > 0)
					ipc_ring_release(r);
			}
		}
		if (cp->now_ms >= next_check) {
			next_check = cp->now_ms + 1000;
			/* A dp started since with other settings. */
			if (cp_sides_disagree(cp)) {
				cp->fatal = true;
				break;
			}
		}
		/* work held for something outside (Allocates waiting for
		 * Redis' count): looked for every turn */
		work += cp_modules_held(cp);
		us = mono_us();
		if (work || cp_alloc_reinstalling(cp)) {
			last_work_us = us;
		} else if (cp_modules_nap(cp, CP_NAP_US)) {
			/* napped on what a module waits for instead */
		} else if (us - last_work_us >= CP_SPIN_US) {
			ipc_cp_doze(&cp->seg, CP_DOZE_MS);
			cp->stats[CP_STAT_DOZES]++;
			api_ms = 0;             /* look at the socket now */
		}
		if (mono != api_ms) {
			api_ms = mono;
			/* the modules' own sockets (the cluster's links, the
			 * API's, the metrics endpoint's), never waiting */
			if (cp_modules_serve(cp, mono) > 0)
				last_work_us = mono_us();
		}
	}
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
	static struct cp_ctx cp;
	const char *config = NULL;
	bool check_only = false;
	char err[512];
	/* the configuration's strings in the lines printed without tp_log():
	 * escaped as it would (lib/log/tp_esc.h) */
	char esc[2][512];
#define ESC(s, i) tp_esc_logs((s), esc[(i)], sizeof(esc[(i)]))
	struct sigaction sa;
	int opt, status = EXIT_FAILURE;

	tp_log_init("turnpike-cp");
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'h':
			cp_usage(stdout, argv[0]);
			return EXIT_SUCCESS;
		case 'V':
			printf("turnpike-cp %s\n", TP_VERSION);
			return EXIT_SUCCESS;
		default:
			cp_usage(stderr, argv[0]);
			return EXIT_FAILURE;
		}
	}
	if (optind < argc) {
		tp_log(TP_LOG_ERR, "unexpected argument '%s'\n", argv[optind]);
		cp_usage(stderr, argv[0]);
		return EXIT_FAILURE;
	}
	if (config == NULL) {
		tp_log(TP_LOG_ERR, "--config FILE is required\n");
		cp_usage(stderr, argv[0]);
		return EXIT_FAILURE;
	}
	/* A log file gets each line as it is written (see turnpike-dp). */
	setvbuf(stdout, NULL, _IOLBF, 0);
	cp.exec_ms = ipc_monotonic_ms();
	if (tp_conf_load(config, &conf, err, sizeof(err)) < 0) {
		tp_log(TP_LOG_ERR, "%s\n", err);
		return 2;
	}
	tp_log_set_level((enum tp_log_level)conf.cp.log_level);
	if (conf.warn[0] != '\0')
		tp_log(TP_LOG_WARNING, "%s\n", conf.warn);
	/* (at start and under --check: Iq's door open to whoever can send
	 * from a controller's address) */
	if (tp_conf_iq_unauthenticated(&conf, err, sizeof(err)) > 0)
		tp_log(TP_LOG_WARNING, "%s\n", err);
	if (!conf.turn.enabled && !conf.agw.enabled) {
		tp_log(TP_LOG_ERR, "%s: no 'turn' group and no 'agw' group: nothing to "
			"control\n", config);
		goto out_free_conf;
	}
	cp.conf = &conf;
	for (unsigned int i = 0; i < conf.cp.nalternates; i++) {
		if (cp_parse_hostport(conf.cp.alternates[i], &cp.full_alt[i]) < 0) {
			tp_log(TP_LOG_ERR, "%s: cp.alternates: '%s' is not an "
				"address like \"192.0.2.7:3478\" or \"[2001:db8::7]:3478\"\n",
				config, conf.cp.alternates[i]);
			goto out_free_conf;
		}
		cp.nfull_alt = i + 1;
	}
	cp.check_only = check_only;
	if (cp_modules_use(&cp, modules, sizeof(modules) / sizeof(modules[0])) < 0 ||
	    cp_modules_setup(&cp, true) < 0)
		goto out_free_conf;
	if (check_only) {
		if (conf.turn.enabled)
			printf("turnpike-cp: %s: configuration OK (realm '%s', %u user(s), "
			       "%u secret(s))\n", ESC(config, 0), ESC(conf.turn.realm, 1),
			       conf.cp.nusers, conf.cp.nsecrets);
		else
			printf("turnpike-cp: %s: configuration OK (no turn group: AGW "
			       "contexts only)\n", ESC(config, 0));
		status = EXIT_SUCCESS;
		goto out_fini;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (cp_modules_setup(&cp, false) < 0)
		goto out_free_conf;
	/* Learn what a running dp already relays before deciding anything. */
	start_restore(&cp);
	if (conf.turn.enabled)
		printf("turnpike-cp %s: realm '%s', API on %s, relayed ports %u-%u on %u "
		       "IPv4 and %u IPv6 address(es), at most %u allocations per worker\n",
		       TP_VERSION, ESC(conf.turn.realm, 0), ESC(conf.cp.api_socket, 1),
		       conf.turn.relay_min, conf.turn.relay_max, cp_alloc_nrelay(&cp, 0),
		       cp_alloc_nrelay(&cp, 1), cp_alloc_worker_cap(&cp));
	else
		printf("turnpike-cp %s: no turn group (no TURN, no allocations), API on "
		       "%s, AGW contexts on ports %u-%u\n", TP_VERSION, ESC(conf.cp.api_socket, 0),
		       conf.agw.port_min, conf.agw.port_max);
	fflush(stdout);
	run(&cp);
	ipc_cp_set_ready(cp.seg.shm, false);
	ipc_side_clear(&cp.seg.shm->cp_side);
#ifdef TP_HAVE_SYSTEMD
	sd_notify(0, "STOPPING=1");
#endif
	tp_log(TP_LOG_NOTICE, "stopping with %u allocation(s) live in dp\n",
	       cp_alloc_count(&cp));
	status = cp.fatal ? EXIT_FAILURE : EXIT_SUCCESS;

out_fini:
	cp_modules_fini(&cp);
out_free_conf:
	tp_conf_free(&conf);
	return status;
}
#undef ESC
