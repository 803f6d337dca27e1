/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's end of the shared-memory segment (lib/ipc) as two modules: "ipc"
 * opens it (one cp a segment), takes over from the cp before (its nonce
 * key, a new epoch, what it left unread) and publishes this cp's side;
 * "clock" starts cp's clocks and timer wheel once the segment is ours.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cp.h"
#include "cp_module.h"
#include "tp_conf.h"

/*
 * A test hook: TP_CP_TEST_START_DELAY_MS=N makes cp wait N ms (at most a
 * minute) after it has announced its start in the segment and before it
 * builds anything, as a cp with a million allocations to set up, or on a
 * slow machine, would. Tests use it to show what clients see meanwhile.
 */
static void
start_delay(void)
{
	const char *v = getenv("TP_CP_TEST_START_DELAY_MS");
	unsigned long ms = v != NULL ? strtoul(v, NULL, 10) : 0;

	if (ms == 0)
		return;
	if (ms > 60000)
		ms = 60000;
	tp_log(TP_LOG_INFO, "test hook: start delayed by %lu ms\n", ms);
	fflush(stdout);
	usleep((useconds_t)(ms * 1000u));
}

/* Whether process pid runs: exists and is not a zombie (a cp killed a
 * moment ago whose parent has not reaped it yet is gone). */
static bool
pid_runs(int32_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	if (kill(pid, 0) < 0 && errno != EPERM)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return true;            /* no /proc: kill() said it exists */
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');      /* "pid (comm) S ...": comm may hold ')' */
	return p == NULL || p[1] == '\0' || (p[2] != 'Z' && p[2] != 'X');
}

/* A running dp that read another relayed-port range (or worker count)
 * than this cp steers peer traffic to workers that do not hold the
 * allocations cp gives them: refuse to serve, and say why. */
static bool
sides_check(struct cp_ctx *cp, char *err, size_t errlen)
{
	char why[256];

	if (!ipc_dp_running(cp->seg.shm, ipc_monotonic_ms()) ||
	    ipc_sides_agree(cp->seg.shm, why, sizeof(why)) == 0)
		return false;
	snprintf(err, errlen, "%s (%.1024s)", why, cp->conf->path);
	ipc_side_clear(&cp->seg.shm->cp_side);
	return true;
}

bool
cp_sides_disagree(struct cp_ctx *cp)
{
	char err[2048];   /* a log line's worth: the path may be long */

	if (!sides_check(cp, err, sizeof(err)))
		return false;
	tp_log(TP_LOG_ERR, "%s\n", err);
	return true;
}

/* The segment belongs to cp.user (or, without one, to the euid cp was
 * started as, which dp shares): see ipc_seg_open() for what is refused. */
static int
ipc_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	uid_t owner = c->user[0] != '\0' ? (uid_t)c->user_uid : geteuid();
	bool created;
	int rc = ipc_seg_open(&cp->seg, cp->conf->ipc.name, cp->conf->dp.nworkers,
			      owner, &created);

	if (rc == -EINVAL)
		snprintf(err, errlen, "%s (dp.workers in %s)", cp->seg.err,
			 cp->conf->path);
	else if (rc < 0)
		snprintf(err, errlen, "%s", cp->seg.err);
	if (rc < 0)
		return rc;
	cp->nworkers = cp->seg.nworkers;   /* checked; shm's may change */
	/* One cp a segment: a second one would take the rings' consumer
	 * side from under the first and publish a nonce key under an epoch
	 * it did not make. A cp that beats and whose process exists serves;
	 * one that stopped beating (hung, killed) is replaced. */
	{
		struct ipc_shm *shm = cp->seg.shm;
		int32_t pid = __atomic_load_n(&shm->cp_pid, __ATOMIC_RELAXED);
		uint64_t beat = __atomic_load_n(&shm->cp_heartbeat_ms, __ATOMIC_RELAXED);
		uint64_t now = ipc_monotonic_ms();

		if (pid > 0 && pid != (int32_t)getpid() &&
		    now - beat < IPC_ALIVE_MS && pid_runs(pid)) {
			snprintf(err, errlen, "another turnpike-cp (pid %d) serves "
				 "shared memory '%s'; stop it first (one cp a segment)",
				 (int)pid, cp->conf->ipc.name);
			ipc_seg_close(&cp->seg);
			return -EBUSY;
		}
	}
	/* The nonce key of the cp before (its block, checked like any byte
	 * of the segment): the nonces it and dp gave out stay good. */
	{
		static struct ipc_nonce prev;
		uint64_t e = __atomic_load_n(&cp->seg.shm->cp_epoch, __ATOMIC_ACQUIRE);

		if (!created && e != 0 && ipc_nonce_copy(cp->seg.shm, e, &prev) == 0 &&
		    cp_auth_nonce_adopt(cp->auth, &prev) == 0)
			tp_log(TP_LOG_INFO, "kept the nonce key of the cp before (epoch %llu)\n",
			       (unsigned long long)e);
		OPENSSL_cleanse(&prev, sizeof(prev));
	}
	/* A new epoch withdraws the readiness an earlier cp published: from
	 * here dp holds requests back until this one says it is ready. */
	cp->epoch = __atomic_add_fetch(&cp->seg.shm->cp_epoch, 1, __ATOMIC_RELEASE);
	cp->seg.shm->cp_pid = (int32_t)getpid();
	cp->seg.shm->cp_heartbeat_ms = ipc_monotonic_ms();
	cp->dp_epoch_seen = cp->seg.shm->dp_epoch;
	/* What this cp takes (CONN_DOWN and RFC 6062's with TURN, AGW_EVENT
	 * with the gateway) and the settings dp must share. */
	ipc_side_set_agw(&cp->seg.shm->cp_side, cp->conf->agw.enabled ? cp->conf->agw.port_min : 0,
			 cp->conf->agw.enabled ? cp->conf->agw.port_max : 0);
	ipc_side_set_media(&cp->seg.shm->cp_side,
			   cp->conf->agw.enabled ? cp->conf->agw.media_min : 0,
			   cp->conf->agw.enabled ? cp->conf->agw.media_max : 0);
	ipc_side_set_tenants(&cp->seg.shm->cp_side, tp_conf_tenants_sig(cp->conf));
	ipc_side_publish(&cp->seg.shm->cp_side,
			 (cp->conf->turn.enabled ? IPC_CAP_CONN_DOWN | IPC_CAP_TCP_RELAY : 0) |
			 (cp->conf->agw.enabled ? IPC_CAP_AGW : 0) |
			 (cp->conf->agw.enabled && cp->conf->agw.media_min != 0 ? IPC_CAP_RTP : 0),
			 cp->conf->turn.relay_min, cp->conf->turn.relay_max, cp->nworkers);
	if (sides_check(cp, err, errlen)) {
		ipc_seg_close(&cp->seg);
		return -EINVAL;
	}
	tp_log(TP_LOG_INFO, "shared memory '%s' %s, %u worker ring pair(s), dp epoch %llu\n",
	       cp->conf->ipc.name, created ? "created" : "attached", cp->nworkers,
	       (unsigned long long)cp->dp_epoch_seen);
	return 0;
}

/*
 * What dp needs to answer requests without integrity as cp would (a 401
 * with a nonce of cp's own making) and to tell a nonce of ours from one
 * that is not: published for this epoch before cp says it is
 * ready, so that dp never judges a nonce with another cp's key.
 */
static void
nonce_publish(struct cp_ctx *cp)
{
	static struct ipc_nonce n;

	cp_auth_nonce_export(cp->auth, &n);
	/* the tenants' realms, by index (their nonces' keys dp derives from
	 * the box's: nonce_tenant_key()) */
	_Static_assert(IPC_TENANTS_MAX == TP_CONF_MAX_TENANTS, "tenant indices");
	n.ntenants = cp->conf->tenants.n;
	for (unsigned int i = 0; i < n.ntenants; i++) {
		const char *r = cp->conf->tenants.t[i].realm;

		n.tenant[i].len = (uint32_t)strnlen(r, IPC_NONCE_STR_MAX - 1);
		memcpy(n.tenant[i].realm, r, n.tenant[i].len);
	}
	ipc_nonce_publish(cp->seg.shm, &n, cp->epoch);
	OPENSSL_cleanse(&n, sizeof(n));
}

/*
 * What an earlier cp left in the rings to cp (requests it never read, state
 * and counters it asked for) is dropped: requests that old are answered by
 * the clients' own retransmissions, and state is asked for again. dp's
 * word on allocations it removed (ALLOC_END, STATS_FINAL: sent while dp
 * still took the killed cp for serving, up to IPC_ALIVE_MS) is kept and
 * handled once every module is up (ipc_step()): dp has no other copy, and
 * the usage records need it.
 */
#define STALE_KEEP_MAX 4096u

struct stale_msg {
	unsigned int w;
	struct ipc_msg msg;
};

static struct stale_msg *stale;
static unsigned int nstale;

static void
drop_stale(struct cp_ctx *cp)
{
	static struct ipc_msg msg;
	uint64_t n = 0;

	for (unsigned int w = 0; w < cp->nworkers; w++)
		while (ipc_ring_dequeue(&ipc_worker(&cp->seg, w)->to_cp, &msg) != 0) {
			if (msg.h.kind == IPC_ALLOC_END || msg.h.kind == IPC_STATS_FINAL) {
				if (stale == NULL)
					stale = calloc(STALE_KEEP_MAX, sizeof(*stale));
				if (stale != NULL && nstale < STALE_KEEP_MAX) {
					stale[nstale].w = w;
					stale[nstale++].msg = msg;
					continue;
				}
			}
			n++;
		}
	if (nstale > 0)
		tp_log(TP_LOG_INFO, "kept %u allocation end(s) an earlier cp left unread\n",
		       nstale);
	cp->stats[CP_STAT_STALE_DROPPED] += n;
	if (n > 0)
		tp_log(TP_LOG_WARNING, "dropped %llu message(s) an earlier cp left unread\n",
		       (unsigned long long)n);
}


/* The segment, and what this cp takes over from the one before: a
 * nonce key published for its epoch, the test hook's delay, the rings
 * emptied of what nobody will answer. */
static int
ipc_module_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	int rc = ipc_setup(cp, err, errlen);

	if (rc < 0)
		return rc;
	/* (an AGW-only box authenticates no client: no nonce key) */
	if (cp->conf->turn.enabled)
		nonce_publish(cp);
	start_delay();
	drop_stale(cp);
	return 0;
}

/* What drop_stale() kept, handled as if it came now (checked first, as
 * whatever comes from a ring). */
static unsigned int
ipc_step(struct cp_ctx *cp)
{
	unsigned int n = nstale;

	if (stale == NULL)
		return 0;
	for (unsigned int i = 0; i < nstale; i++)
		if (ipc_msg_check(&stale[i].msg, IPC_DP2CP) == 0)
			cp_handle(cp, stale[i].w, &stale[i].msg);
		else
			cp->stats[CP_STAT_IPC_BAD]++;
	free(stale);
	stale = NULL;
	nstale = 0;
	return n;
}

/* dp sees no cp serving the segment any more (cp_pid 0), and a next cp
 * need not wait for this one's heartbeat to go stale. */
static void
ipc_module_fini(struct cp_ctx *cp)
{
	if (cp->seg.shm != NULL)
		cp->seg.shm->cp_pid = 0;
	ipc_seg_close(&cp->seg);
}

const struct cp_module cp_ipc_module = {
	.name = "ipc",
	.setup = ipc_module_setup,
	.fini = ipc_module_fini,
	.step = ipc_step,
};

/* Every lifetime and timer from here on: the clocks read once, the wheel
 * started at 0 (cp_time_advance() moves both each loop turn). */
static int
clock_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cp->start_ms = ipc_monotonic_ms();
	cp->now_ms = cp->start_ms;
	cp->wall_ms = ipc_realtime_ms();
	tw_init(&cp->wheel, 0);
	return 0;
}

const struct cp_module cp_clock_module = {
	.name = "clock",
	.setup = clock_setup,
};
