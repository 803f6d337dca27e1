/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-cp: the control process. One loop: take what dp's workers
 * passed on (requests, state, counters) from the shared-memory rings,
 * decide, answer on the rings; advance the timer wheel (lifetimes,
 * permissions, channels); serve the operator API; notice a restarted dp
 * (its epoch changed) and install every allocation into it again. A
 * restarted cp asks dp for its state first, so its timers carry on.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#ifdef TP_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "cp.h"
#include "cp_dp.h"
#include "cluster/cluster.h"
#include "metrics/metrics.h"
#include "tp_conf.h"
#include "tp_version.h"

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

static void
mkdir_parent(const char *path)
{
	char dir[sizeof(((struct cp_api *)0)->path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return;
	*slash = '\0';
	mkdir(dir, 0755);
}

/*
 * Privileges. turnpike-cp needs root for one thing at most: binding its
 * API socket in a folder only root may write (/run/turnpike). Started as
 * root with cp.user set, it reads its file, opens the segment (given to
 * cp.user), binds the socket, gives the socket to cp.user and becomes that
 * user for good (groups, gid, uid) before it acts on a message or an API
 * request. Dropping rather than refusing to run as root: the file may stay
 * readable by root only (it holds passwords and REST secrets), the socket's
 * folder under /run needs nobody to make it first, and the start command
 * stays what it was (tools/demo, systemd, a shell). cp may also be started
 * as cp.user itself, if its socket's folder lets it; as anybody else it
 * refuses. Without cp.user nothing changes: cp runs as it was started.
 */
static int
user_setup(struct cp_ctx *cp)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	char err[512];
	int rc = tp_conf_resolve_user(cp->conf, err, sizeof(err));

	if (rc < 0) {
		tp_log(TP_LOG_ERR, "%s\n", err);
		return rc;
	}
	if (c->user[0] != '\0' && geteuid() != 0 && geteuid() != c->user_uid) {
		tp_log(TP_LOG_ERR, "%s:%d: cp.user is '%s' (uid %u), but "
			"turnpike-cp runs as uid %u: start it as root (it becomes '%s' "
			"once its API socket is open) or as '%s'\n", cp->conf->path,
			c->user_line, c->user, c->user_uid, (unsigned int)geteuid(),
			c->user, c->user);
		return -EPERM;
	}
	return 0;
}

static int
drop_privileges(struct cp_ctx *cp)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	uid_t uid = (uid_t)c->user_uid;
	gid_t gid = (gid_t)c->user_gid;
	struct stat st;

	if (c->user[0] == '\0' || geteuid() == uid)
		return 0;
	/* The socket we just bound (lstat and lchown: nothing a link points
	 * at is given away). */
	errno = 0;
	if (lstat(c->api_socket, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    lchown(c->api_socket, uid, gid) < 0) {
		tp_log(TP_LOG_ERR, "cannot give %s to '%s': %s\n",
			c->api_socket, c->user, errno != 0 ? strerror(errno) :
			"not the socket just bound");
		return -EPERM;
	}
	if (initgroups(c->user, gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		tp_log(TP_LOG_ERR, "cannot become '%s' (uid %u, gid %u): %s\n",
			c->user, (unsigned int)uid, (unsigned int)gid, strerror(errno));
		return -EPERM;
	}
	/* For good: no way back. */
	if (setuid(0) == 0 || geteuid() != uid || getuid() != uid ||
	    getegid() != gid || getgid() != gid) {
		tp_log(TP_LOG_ERR, "still able to become root after "
			"switching to '%s': stopping\n", c->user);
		return -EPERM;
	}
	tp_log(TP_LOG_INFO, "running as '%s' (uid %u, gid %u)\n", c->user,
	       (unsigned int)uid, (unsigned int)gid);
	return 0;
}

#define CP_REALM_NO_TURN "(no turn group)"

static int
auth_setup(struct cp_ctx *cp)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	struct cp_auth_conf ac;

	memset(&ac, 0, sizeof(ac));
	/* Without a turn group (an AGW-only box) no client authenticates:
	 * the users and secrets the API manages wait under a realm of no
	 * client's, and cp publishes no nonce key. */
	ac.realm = cp->conf->turn.enabled ? cp->conf->turn.realm : CP_REALM_NO_TURN;
	ac.max_users = c->max_users;
	ac.max_secrets = TP_CONF_MAX_SECRETS + 16;
	ac.software = cp->conf->turn.software;
	ac.nonce_lifetime_s = c->nonce_lifetime_s;
	ac.rl_rate = c->challenge_rate;
	ac.rl_burst = c->challenge_burst;
	/* Challenge rate-limit buckets: twice as many as there may be
	 * allocations, so that clients who all (re)connect at once (after a
	 * failover, say) each find a bucket of their own, not one shared
	 * with two dozen others (at the default 4096 a 100k-client set-up
	 * had clients silenced for good). */
	ac.rl_buckets = c->quota_total > CP_AUTH_DEF_RL_BUCKETS / 2 ?
			2 * c->quota_total : CP_AUTH_DEF_RL_BUCKETS;
	cp->auth = cp_auth_init(&ac);
	if (cp->auth == NULL) {
		tp_log(TP_LOG_ERR, "cannot set up authentication: %s\n",
			strerror(errno));
		return -errno;
	}
	for (unsigned int i = 0; i < c->nusers; i++) {
		if (cp_auth_user_add(cp->auth, c->users[i].name, c->users[i].password) < 0) {
			tp_log(TP_LOG_ERR, "%s:%d: user '%s' refused (bad name or "
				"password)\n", cp->conf->path, c->users[i].line,
				c->users[i].name);
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < c->nsecrets; i++) {
		if (cp_auth_secret_add(cp->auth, c->secrets[i]) < 0) {
			tp_log(TP_LOG_ERR, "%s: REST secret %u refused\n",
				cp->conf->path, i + 1);
			return -EINVAL;
		}
	}
	return 0;
}

/* A user of the store, into cp's table under the file's users. */
static int
store_load_user(void *arg, const struct cp_store_user *u)
{
	struct cp_ctx *cp = arg;
	int rc;

	if (cp_conf_user(cp, u->name)) {
		tp_log(TP_LOG_NOTICE, "user '%s' of %s is also in %s: the file's is used\n",
		       u->name, cp->conf->cp.store, cp->conf->path);
		return 0;
	}
	rc = cp_auth_user_add_keys(cp->auth, u->name, u->md5,
				   u->has_sha256 ? u->sha256 : NULL);
	if (rc == -ENOSPC)
		tp_log(TP_LOG_ERR, "%s holds more users than cp.max_users "
			"(%u) allows: raise it\n", cp->conf->cp.store,
			cp->conf->cp.max_users);
	return rc;
}

static int
store_load_secret(void *arg, const char *secret)
{
	struct cp_ctx *cp = arg;
	int rc = cp_auth_secret_add(cp->auth, secret);

	if (rc == -ENOSPC)
		tp_log(TP_LOG_ERR, "%s holds more REST secrets than cp keeps "
			"(%u)\n", cp->conf->cp.store, TP_CONF_MAX_SECRETS + 16);
	return rc == -EEXIST ? 0 : rc;
}

/*
 * The default store's folder (/var/lib/turnpike) and what is in it, when
 * root's: systemd's StateDirectory=turnpike makes the folder, and gives
 * it and its files to the unit's user at each start, root (cp starts as
 * root to bind its socket). They are turnpike's own, so cp.user's: given
 * back to it, in a folder only root could write to (so root's doing).
 * Not for a store elsewhere: cp does not take over an operator's folder.
 */
static void
store_default_to_user(const struct tp_conf_cp *c)
{
	static const char *const names[] = { "", "-journal", "-wal", "-shm", NULL };
	char dir[sizeof(c->store)], f[sizeof(c->store) + 16];
	struct stat st;

	if (strcmp(c->store, TP_CONF_STORE_DEFAULT) != 0)
		return;
	snprintf(dir, sizeof(dir), "%s", c->store);
	*strrchr(dir, '/') = '\0';
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 022) != 0)
		return;
	if (chown(dir, (uid_t)c->user_uid, (gid_t)c->user_gid) == 0)
		tp_log(TP_LOG_NOTICE, "gave %s (the user store's folder) to cp.user '%s'",
		       dir, c->user);
	for (unsigned int i = 0; names[i] != NULL; i++) {
		snprintf(f, sizeof(f), "%s%s", c->store, names[i]);
		if (lstat(f, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
		    chown(f, (uid_t)c->user_uid, (gid_t)c->user_gid) == 0 && i == 0)
			tp_log(TP_LOG_NOTICE, "gave %s to cp.user '%s'", f, c->user);
	}
}

/*
 * The user store (cp.store): opened, made on first start, and read into
 * cp's tables under the configuration file's users, which win a name
 * both have. A store cp cannot open (locked past the busy timeout,
 * damaged, not a turnpike store, from a newer turnpike) stops the start
 * with the reason: running without the users it holds would refuse them
 * all, and writing to it could lose them.
 */
static int
store_setup(struct cp_ctx *cp, bool check_only)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	struct cp_store_conf sc;
	char err[CP_STORE_ERR_MAX];
	uid_t owner = geteuid();
	gid_t group = getegid();
	struct stat st;
	int rc;

	/* Many boxes sharing their users (cp/cluster): Redis is the store,
	 * read once connected and kept up to date from its events. */
	if (cp->cluster != NULL && (cp->conf->cluster.share & TP_CLUSTER_SHARE_USERS)) {
		cp->store = cp_store_redis_open(cp->cluster);
		if (cp->store == NULL) {
			tp_log(TP_LOG_ERR, "no memory for the cluster store\n");
			return -ENOMEM;
		}
		tp_log(TP_LOG_INFO, "user store: the cluster's (redis, namespace '%s'); "
		       "cp.store is not used\n", cp->conf->cluster.ns);
		return 0;
	}
	if (c->store[0] == '\0') {
		tp_log(TP_LOG_NOTICE, "no user store (cp.store = \"none\"): users and "
		       "secrets added at run time live in memory only\n");
		return 0;
	}
	/* Whose place it is, before SQLite opens or makes anything there. */
	if (c->user[0] != '\0' && geteuid() == 0) {
		owner = (uid_t)c->user_uid;
		group = (gid_t)c->user_gid;
	}
	if (owner != geteuid() && !check_only)
		store_default_to_user(c);
	rc = cp_store_path_check(c->store, owner, group, !check_only, err, sizeof(err));
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "%s (cp.store in %s; cp.store = \"none\" "
			"runs without a store)\n", err, cp->conf->path);
		return rc;
	}
	/* --check reads a store that is there; it makes none */
	if (check_only && stat(c->store, &st) < 0 && errno == ENOENT) {
		tp_log(TP_LOG_INFO, "user store %s does not exist yet: the first start "
		       "makes it\n", c->store);
		return 0;
	}
	memset(&sc, 0, sizeof(sc));
	sc.path = c->store;
	sc.realm = cp->conf->turn.enabled ? cp->conf->turn.realm : CP_REALM_NO_TURN;
	sc.busy_ms = c->store_busy_ms;
	sc.owner_uid = -1;
	sc.owner_gid = -1;
	if (c->user[0] != '\0' && geteuid() == 0) {
		sc.owner_uid = c->user_uid;
		sc.owner_gid = c->user_gid;
	}
	/* SQLite writes its journal beside the file: once cp is cp.user, the
	 * folder must let that user in and write, or every write would fail
	 * after the start (seen as that user, now, rather than then). */
	if (c->user[0] != '\0' && geteuid() == 0) {
		char dir[sizeof(c->store)];
		char *slash;
		bool ok;

		snprintf(dir, sizeof(dir), "%s", c->store);
		slash = strrchr(dir, '/');
		if (slash == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if (setegid((gid_t)c->user_gid) < 0 || seteuid((uid_t)c->user_uid) < 0) {
			tp_log(TP_LOG_ERR, "cannot check %s as '%s': %s\n", dir,
				c->user, strerror(errno));
			return -EPERM;
		}
		ok = faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;
		if (seteuid(0) < 0 || setegid(0) < 0) {
			tp_log(TP_LOG_ERR, "cannot become root again: %s\n",
				strerror(errno));
			return -EPERM;
		}
		if (!ok) {
			tp_log(TP_LOG_ERR, "cp.store: the folder %s is not writable "
				"by cp.user '%s' (SQLite writes its journal there): give it to "
				"that user (chown %s %s)\n", dir, c->user, c->user, dir);
			return -EACCES;
		}
	}
	cp->store = cp_store_sqlite_open(&sc, err, sizeof(err));
	if (cp->store == NULL) {
		tp_log(TP_LOG_ERR, "%s (cp.store in %s)\n", err, cp->conf->path);
		return -EIO;
	}
	rc = cp_store_user_list(cp->store, store_load_user, cp);
	if (rc == 0)
		rc = cp_store_secret_list(cp->store, store_load_secret, cp);
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "%s: %s\n", c->store,
			rc == -ENOSPC || rc == -EINVAL ? "cannot load it" : cp->store->err);
		return rc;
	}
	if (cp->store->bad_rows > 0)
		tp_log(TP_LOG_WARNING, "%s: %llu malformed row(s) skipped\n",
			c->store, (unsigned long long)cp->store->bad_rows);
	cp->stats[CP_STAT_STORE_ERRORS] += cp->store->bad_rows;
	tp_log(TP_LOG_INFO, "user store %s: %u user(s) in all, %u REST secret(s)\n",
	       c->store, cp_auth_user_count(cp->auth),
	       cp_auth_secret_list(cp->auth, NULL, 0));
	return 0;
}

static int
policy_setup(struct cp_ctx *cp)
{
	char err[512];

	struct cp_policy *agw = NULL;

	cp->policy = cp_policy_build(cp, cp->conf, err, sizeof(err));
	/* (agw.peers is cp/agw's, built with its contexts: checked here
	 * so that --check says what is wrong with it) */
	if (cp->policy == NULL ||
	    (cp->conf->agw.enabled &&
	     (agw = cp_policy_build_from(cp, cp->conf, &cp->conf->agw.peers, "agw.peers", err,
					 sizeof(err))) == NULL)) {
		tp_log(TP_LOG_ERR, "%s\n", err);
		return -EINVAL;
	}
	cp_policy_free(agw);
	return 0;
}

/* Whether process pid runs: exists and is not a zombie (a cp killed a
 * moment ago whose parent has not reaped it yet is gone). */
/* TLS in dp: ticket keys made now, the store's PSKs; all of it
 * goes to every worker from the loop (cp_tls_send()). */
static int
store_load_psk(void *arg, const struct cp_store_psk *p)
{
	struct cp_ctx *cp = arg;

	if (cp_tls_psk_set(&cp->tls, p->id, p->key, p->key_len, p->cipher) < 0)
		cp->store->bad_rows++;
	return 0;
}

/* dp restarted: its workers' ticket keys and PSKs went with it. */
static void
tls_dp_restart(struct cp_ctx *cp)
{
	cp_tls_resend(&cp->tls);
}

static int
tls_setup(struct cp_ctx *cp)
{
	struct ipc_ring *rings[IPC_MAX_WORKERS];
	int rc;

	for (unsigned int w = 0; w < cp->nworkers; w++)
		rings[w] = &ipc_worker(&cp->seg, w)->to_dp;
	rc = cp_tls_init(&cp->tls, cp->conf->cp.tls_ticket_rotate_s, rings, cp->nworkers,
			 CP_RING_HEADROOM, ipc_monotonic_ms());
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "cannot make TLS ticket keys: %s\n", strerror(-rc));
		return rc;
	}
	if (cp->store != NULL) {
		uint64_t bad = cp->store->bad_rows;

		rc = cp_store_psk_list(cp->store, store_load_psk, cp);
		if (rc < 0) {
			tp_log(TP_LOG_ERR, "%s\n", cp->store->err);
			cp_tls_fini(&cp->tls);
			return rc;
		}
		if (cp->store->bad_rows != bad)
			tp_log(TP_LOG_WARNING, "user store %s: %llu TLS PSK row(s) skipped "
			       "(malformed, or past %u)\n", cp->conf->cp.store,
			       (unsigned long long)(cp->store->bad_rows - bad), IPC_TLS_PSK_MAX);
	}
	rc = cp_dp_on_dp_restart(cp, tls_dp_restart);
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "TLS: cannot hook dp restarts: %s\n", strerror(-rc));
		cp_tls_fini(&cp->tls);
		return rc;
	}
	tp_log(TP_LOG_INFO, "TLS: ticket keys rotate every %u s, %u external PSK(s)\n",
	       cp->conf->cp.tls_ticket_rotate_s, cp->tls.npsk);
	return 0;
}

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
sides_disagree(struct cp_ctx *cp)
{
	char err[256];

	if (!ipc_dp_running(cp->seg.shm, ipc_monotonic_ms()) ||
	    ipc_sides_agree(cp->seg.shm, err, sizeof(err)) == 0)
		return false;
	tp_log(TP_LOG_ERR, "%s (%s)\n", err, cp->conf->path);
	ipc_side_clear(&cp->seg.shm->cp_side);
	return true;
}

/* The segment belongs to cp.user (or, without one, to the euid cp was
 * started as, which dp shares): see ipc_seg_open() for what is refused. */
static int
ipc_setup(struct cp_ctx *cp)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	uid_t owner = c->user[0] != '\0' ? (uid_t)c->user_uid : geteuid();
	bool created;
	int rc = ipc_seg_open(&cp->seg, cp->conf->ipc.name, cp->conf->dp.nworkers,
			      owner, &created);

	if (rc == -EINVAL)
		tp_log(TP_LOG_ERR, "%s (dp.workers in %s)\n", cp->seg.err,
			cp->conf->path);
	else if (rc < 0)
		tp_log(TP_LOG_ERR, "%s\n", cp->seg.err);
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
			tp_log(TP_LOG_ERR, "another turnpike-cp (pid %d) serves "
				"shared memory '%s'; stop it first (one cp a segment)\n",
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
	ipc_side_publish(&cp->seg.shm->cp_side,
			 (cp->conf->turn.enabled ? IPC_CAP_CONN_DOWN | IPC_CAP_TCP_RELAY : 0) |
			 (cp->conf->agw.enabled ? IPC_CAP_AGW : 0),
			 cp->conf->turn.relay_min, cp->conf->turn.relay_max, cp->nworkers);
	if (sides_disagree(cp))
		return -EINVAL;
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
	ipc_nonce_publish(cp->seg.shm, &n, cp->epoch);
	OPENSSL_cleanse(&n, sizeof(n));
}

/*
 * What an earlier cp left in the rings to cp (requests it never read, state
 * and counters it asked for) is dropped: requests that old are answered by
 * the clients' own retransmissions, and state is asked for again.
 */
static void
drop_stale(struct cp_ctx *cp)
{
	static struct ipc_msg msg;
	uint64_t n = 0;

	for (unsigned int w = 0; w < cp->nworkers; w++)
		while (ipc_ring_dequeue(&ipc_worker(&cp->seg, w)->to_cp, &msg) != 0)
			n++;
	cp->stats[CP_STAT_STALE_DROPPED] += n;
	if (n > 0)
		tp_log(TP_LOG_WARNING, "dropped %llu message(s) an earlier cp left unread\n",
		       (unsigned long long)n);
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
	sd_notifyf(0, "READY=1\nSTATUS=serving, %u allocation(s)", cp->nallocs);
#endif
	gone[0] = '\0';
	if (dp_gone)
		snprintf(gone, sizeof(gone), " (no dp to wait for: dp epoch %llu, ready "
			 "for epoch %llu, last heartbeat %lld ms ago)",
			 (unsigned long long)cp->seg.shm->dp_epoch,
			 (unsigned long long)cp->seg.shm->dp_ready,
			 (long long)mono_ms - (long long)cp->seg.shm->dp_heartbeat_ms);
	tp_log(TP_LOG_NOTICE, "ready %llu ms after start, %u allocation(s) taken back "
	       "from dp%s", (unsigned long long)(mono_ms - cp->exec_ms), cp->nallocs, gone);
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
	uint64_t next_stats = 0, last_work_us = 0, api_ms = 0, metrics_ms = 0;
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
		struct pollfd pfd = { .fd = cp->api.fd, .events = POLLIN };
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
			       (unsigned long long)cp->dp_epoch_seen, cp->nallocs);
			fflush(stdout);
			/* in start-up order: allocations (cp_alloc_init), TLS
			 * keys (tls_setup), AGW contexts (cp_agw_init) */
			cp_dp_restarted(cp);
		}
		work += cp_reinstall_step(cp);
		/* Ticket keys: a new one each period, the set to every worker. */
		if (cp_tls_tick(&cp->tls, cp->now_ms)) {
			cp->stats[CP_STAT_TLS_ROTATIONS]++;
			tp_log(TP_LOG_INFO, "TLS ticket keys rotated (generation %llu)\n",
			       (unsigned long long)cp->tls.set.generation);
		}
		{
			unsigned int sent = cp_tls_send(&cp->tls);

			cp->stats[CP_STAT_TLS_SENT] += sent;
			work += sent;
		}
		for (unsigned int w = 0; w < cp->nworkers; w++) {
			struct ipc_ring *r = &ipc_worker(&cp->seg, w)->to_cp;

			/* Checked before believed (ipc_msg_check()): dp is
			 * root, but its ring is memory anything may have
			 * scribbled on; a bad message is counted and skipped. */
			for (unsigned int n = 0; n < 256; n++) {
				int rc = ipc_ring_dequeue(r, &msg);

				if (rc == 0)
					break;
				work++;
				if (rc < 0 || ipc_msg_check(&msg, IPC_DP2CP) != 0) {
					cp->stats[CP_STAT_IPC_BAD]++;
					continue;
				}
				cp_handle(cp, w, &msg);
			}
		}
		if (cp->now_ms >= next_stats) {
			if (cp->ready)
				cp_request_stats(cp);
			next_stats = cp->now_ms + 1000;
			/* A dp started since with other settings. */
			if (sides_disagree(cp)) {
				cp->fatal = true;
				break;
			}
		}
		/* Allocates held for Redis' count: its answer is looked for
		 * every turn (a doze would add up to CP_DOZE_MS to each) */
		if (cp_cluster_waiting(cp))
			work += cp_cluster_poll(cp);
		us = mono_us();
		if (work || cp->reinstalling) {
			last_work_us = us;
		} else if (cp_cluster_waiting(cp)) {
			/* a nap on Redis' socket: dp's next request waits at
			 * most CP_NAP_US for it */
			cp_cluster_nap(cp, CP_NAP_US);
		} else if (us - last_work_us >= CP_SPIN_US) {
			ipc_cp_doze(&cp->seg, CP_DOZE_MS);
			cp->stats[CP_STAT_DOZES]++;
			api_ms = 0;             /* look at the socket now */
		}
		if (mono != api_ms) {
			api_ms = mono;
			/* Redis (cp/cluster): what its links have, never waiting */
			if (cp_cluster_poll(cp) > 0)
				last_work_us = mono_us();
			if (poll(&pfd, 1, 0) > 0)
				cp_api_serve(&cp->api);
			/* the Prometheus endpoint: when there is work, and
			 * once a second for its connections' timeouts */
			if (cp->metrics != NULL) {
				struct pollfd mfd = { .fd = cp_metrics_fd(cp->metrics),
						      .events = POLLIN };

				if (poll(&mfd, 1, 0) > 0 || mono >= metrics_ms)
					metrics_ms = mono + cp_metrics_serve(cp->metrics);
			}
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
	struct sigaction sa;
	int opt, rc, status = EXIT_FAILURE;

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
	if ((rc = cp_cluster_init(&cp)) < 0) {
		if (rc == -ENOMEM)   /* (else it said why) */
			tp_log(TP_LOG_ERR, "no memory for the cluster\n");
		goto out_free_conf;
	}
	if (auth_setup(&cp) < 0 || policy_setup(&cp) < 0 || user_setup(&cp) < 0 ||
	    store_setup(&cp, check_only) < 0)
		goto out_free_auth;
	if (check_only) {
		if (conf.turn.enabled)
			printf("turnpike-cp: %s: configuration OK (realm '%s', %u user(s), "
			       "%u secret(s))\n", config, conf.turn.realm, conf.cp.nusers,
			       conf.cp.nsecrets);
		else
			printf("turnpike-cp: %s: configuration OK (no turn group: AGW "
			       "contexts only)\n", config);
		status = EXIT_SUCCESS;
		goto out_free_auth;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (ipc_setup(&cp) < 0)
		goto out_free_auth;
	if (conf.turn.enabled)
		nonce_publish(&cp);
	start_delay();
	drop_stale(&cp);
	cp.start_ms = ipc_monotonic_ms();
	cp.now_ms = cp.start_ms;
	cp.wall_ms = ipc_realtime_ms();
	tw_init(&cp.wheel, 0);
	if (conf.turn.enabled && cp_alloc_init(&cp) < 0) {
		tp_log(TP_LOG_ERR, "no memory for %u allocations\n",
			conf.cp.quota_total);
		goto out_close_ipc;
	}
	if (tls_setup(&cp) < 0)
		goto out_free_allocs;
	if (cp_agw_init(&cp) < 0) {
		tp_log(TP_LOG_ERR, "no memory for %u AGW contexts per worker\n",
		       conf.agw.max_contexts);
		goto out_free_allocs;
	}
	if (conf.agw.enabled) {
		char why[512];
		struct cp_policy *p = cp_policy_build_from(&cp, &conf, &conf.agw.peers,
							   "agw.peers", why, sizeof(why));

		if (p == NULL) {
			tp_log(TP_LOG_ERR, "%s\n", why);
			goto out_free_allocs;
		}
		cp_agw_policy_set(&cp, p);
	}
	mkdir_parent(conf.cp.api_socket);
	rc = cp_api_open(&cp.api, conf.cp.api_socket, conf.cp.api_mode);
	if (rc < 0) {
		tp_log(TP_LOG_ERR, "cannot listen on %s: %s\n",
			conf.cp.api_socket, strerror(-rc));
		goto out_free_allocs;
	}
	/* Registering publishes the socket at its path (a rename in its
	 * folder, which may be root's): then it is given to cp.user, and cp
	 * becomes that user. */
	if (cp_api_commands_register(&cp) < 0)
		goto out_close_api;
	/* Before dropping privileges: a port below 1024 is the operator's
	 * choice. */
	if (conf.cp.metrics[0] != '\0') {
		static struct cp_metrics_allow allow;

		if (cp_metrics_allow_parse(conf.cp.metrics_allow, conf.cp.nmetrics_allow,
					   &allow, err, sizeof(err)) < 0) {
			tp_log(TP_LOG_ERR, "%s: %s\n", config, err);
			goto out_close_api;
		}
		cp.metrics = cp_metrics_open(&cp, conf.cp.metrics, &allow, err, sizeof(err));
		if (cp.metrics == NULL) {
			tp_log(TP_LOG_ERR, "%s (cp.metrics in %s)\n", err, config);
			goto out_close_api;
		}
		tp_log(TP_LOG_INFO, "Prometheus metrics on http://%s/metrics\n",
		       conf.cp.metrics);
		if (cp_metrics_exposed_warning(conf.cp.metrics, conf.cp.nmetrics_allow,
					       err, sizeof(err)))
			tp_log(TP_LOG_WARNING, "%s\n", err);
	}
	if (drop_privileges(&cp) < 0)
		goto out_close_api;
	/* Learn what a running dp already relays before deciding anything. */
	start_restore(&cp);
	if (conf.turn.enabled)
		printf("turnpike-cp %s: realm '%s', API on %s, relayed ports %u-%u on %u "
		       "IPv4 and %u IPv6 address(es), at most %u allocations per worker\n",
		       TP_VERSION, conf.turn.realm, conf.cp.api_socket, conf.turn.relay_min,
		       conf.turn.relay_max, cp.nrelay[0], cp.nrelay[1], cp.worker_cap);
	else
		printf("turnpike-cp %s: no turn group (no TURN, no allocations), API on "
		       "%s, AGW contexts on ports %u-%u\n", TP_VERSION, conf.cp.api_socket,
		       conf.agw.port_min, conf.agw.port_max);
	fflush(stdout);
	run(&cp);
	ipc_cp_set_ready(cp.seg.shm, false);
	ipc_side_clear(&cp.seg.shm->cp_side);
#ifdef TP_HAVE_SYSTEMD
	sd_notify(0, "STOPPING=1");
#endif
	tp_log(TP_LOG_NOTICE, "stopping with %u allocation(s) live in dp\n", cp.nallocs);
	status = cp.fatal ? EXIT_FAILURE : EXIT_SUCCESS;

out_close_api:
	cp_metrics_close(cp.metrics);
	cp_api_close(&cp.api);
out_free_allocs:
	cp_agw_fini(&cp);
	cp_tls_fini(&cp.tls);
	cp_alloc_fini(&cp);
out_close_ipc:
	if (cp.seg.shm != NULL)
		cp.seg.shm->cp_pid = 0;
	ipc_seg_close(&cp.seg);
out_free_auth:
	cp_store_close(cp.store);
	cp_cluster_fini(&cp);
	cp_policy_free(cp.policy);
	cp_auth_free(cp.auth);
out_free_conf:
	tp_conf_free(&conf);
	return status;
}
