/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-dp's reload (SIGHUP, `systemctl reload turnpike-dp`, or cp's
 * `turnpikectl reload`: IPC TLS_RELOAD to worker 0, which signals the same
 * way): TURN over TLS takes renewed certificates without a restart, so no
 * TCP or TLS connection, and no allocation, is lost to a renewal.
 *
 * The signal handler only posts a semaphore (async-signal-safe). A DPDK
 * control thread of its own (off the workers' lcores) then reads the
 * configuration file again, whole, as a start would, and gives it to each
 * module's reload (dp_module.h): TLS makes its contexts again
 * (dp/tls/tls_reload.c). A file that does not load changes nothing and is
 * one error naming the file, the line and why; so is what a module
 * refuses. The reloads and the failed ones are counted for cp's metrics.
 * Between reloads the thread wakes once a second for the modules' renew
 * (dp_module.h: a certificate dp made, renewed before its end).
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>

#include "dp.h"
#include "dp_module.h"
#include "dp_root.h"
#include "tp_conf.h"

/* Posted by the handler from the moment it is installed (dp_reload_init(),
 * before the EAL starts): a request that comes before the thread runs
 * waits for it. Never destroyed: a handler may post until the exit. */
static sem_t reload_sem;
static volatile sig_atomic_t reload_sem_ok;

/* The reload counters where cp's metrics read them (lib/ipc ipc_shm). */
static void
reload_publish(struct dp_ctx *ctx)
{
	if (ctx->ipc.shm == NULL)
		return;
	__atomic_store_n(&ctx->ipc.shm->dp_reloads,
			 __atomic_load_n(&ctx->reloads, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
	__atomic_store_n(&ctx->ipc.shm->dp_reloads_failed,
			 __atomic_load_n(&ctx->reloads_failed, __ATOMIC_RELAXED),
			 __ATOMIC_RELAXED);
}

/* One reload: the file read again, whole, as a start reads it, then each
 * module takes what it can of it (dp_module.h reload; TLS's contexts). */
static void
reload_run(struct dp_ctx *ctx)
{
	const char *path = ctx->conf->path;
	struct tp_conf *nc = calloc(1, sizeof(*nc));
	char err[768];

	__atomic_fetch_add(&ctx->reloads, 1, __ATOMIC_RELAXED);
	if (nc == NULL) {
		tp_log(TP_LOG_ERR, "reload: out of memory; nothing changed\n");
		goto failed;
	}
	if (tp_conf_load(path, nc, err, sizeof(err)) < 0) {
		tp_log(TP_LOG_ERR, "reload: %s; nothing changed\n", err);
		goto failed;
	}
	if (dp_modules_reload(ctx, nc) < 0)
		goto failed;
	goto out;
failed:
	__atomic_fetch_add(&ctx->reloads_failed, 1, __ATOMIC_RELAXED);
out:
	reload_publish(ctx);
	if (nc != NULL) {
		tp_conf_free(nc);
		free(nc);
	}
	fflush(stdout);
}

static void *
reload_main(void *arg)
{
	struct dp_ctx *ctx = arg;

	for (;;) {
		struct timespec until;

		/* (the monotonic clock: a step of the wall clock neither
		 * stalls the wait nor hurries it) */
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 1;
		if (sem_clockwait(&reload_sem, CLOCK_MONOTONIC, &until) != 0) {
			if (errno == EINTR)
				continue;
			if (errno != ETIMEDOUT)
				break;
			if (ctx->stop)
				break;
			dp_modules_renew(ctx, (int64_t)time(NULL));
			continue;
		}
		if (ctx->stop)
			break;
		/* signals that came while the last one ran: one reload reads
		 * the file as it is now for all of them */
		while (sem_trywait(&reload_sem) == 0)
			;
		reload_run(ctx);
	}
	return NULL;
}

int
dp_reload_init(void)
{
	if (sem_init(&reload_sem, 0, 0) != 0) {
		tp_log(TP_LOG_ERR, "reload: no semaphore: %s\n", strerror(errno));
		return -errno;
	}
	reload_sem_ok = 1;
	return 0;
}

int
dp_reload_start(struct dp_ctx *ctx)
{
	int rc;

	if (!reload_sem_ok)
		return -EINVAL;
	/* On the CPUs the EAL was given minus the workers' lcores. */
	rc = rte_ctrl_thread_create(&ctx->reload_thread, "tp-reload", NULL, reload_main,
				    ctx);
	if (rc != 0) {
		tp_log(TP_LOG_ERR, "cannot start the reload thread: %s\n",
		       strerror(rc < 0 ? -rc : rc));
		return rc < 0 ? rc : -rc;
	}
	ctx->reload_running = 1;
	return 0;
}

/* From the signal handler (and a worker, for cp's TLS_RELOAD): sem_post()
 * only, async-signal-safe; errno as it was. */
void
dp_reload_signal(void)
{
	int e = errno;

	if (reload_sem_ok)
		(void)sem_post(&reload_sem);
	errno = e;
}

void
dp_reload_stop(struct dp_ctx *ctx)
{
	if (!ctx->reload_running)
		return;
	ctx->stop = 1;
	(void)sem_post(&reload_sem);
	pthread_join(ctx->reload_thread, NULL);
	ctx->reload_running = 0;
}
