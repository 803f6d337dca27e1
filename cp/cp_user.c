/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who turnpike-cp runs as (cp.user), as two modules: "user" checks early
 * (also under --check) that cp may become it, "privileges" becomes it once
 * everything that needs root is open (the API socket, a metrics port
 * below 1024, the store's folder).
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp.h"
#include "cp_module.h"
#include "tp_conf.h"

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
user_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	int rc = tp_conf_resolve_user(cp->conf, err, errlen);
	char msg[512];

	if (rc < 0)
		return rc;
	/* the group cp will run as reads the file at a reload */
	if (tp_conf_secrets_exposed(cp->conf, c->user[0] != '\0' ? c->user_gid :
				    (unsigned int)getegid(), msg, sizeof(msg)) > 0)
		tp_log(TP_LOG_WARNING, "%s\n", msg);
	if (c->user[0] != '\0' && geteuid() != 0 && geteuid() != c->user_uid) {
		snprintf(err, errlen, "%s:%d: cp.user is '%s' (uid %u), but "
			 "turnpike-cp runs as uid %u: start it as root (it becomes '%s' "
			 "once its API socket is open) or as '%s'", cp->conf->path,
			 c->user_line, c->user, c->user_uid, (unsigned int)geteuid(),
			 c->user, c->user);
		return -EPERM;
	}
	return 0;
}

static int
drop_privileges(struct cp_ctx *cp, char *err, size_t errlen)
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
		snprintf(err, errlen, "cannot give %s to '%s': %s",
			 c->api_socket, c->user, errno != 0 ? strerror(errno) :
			 "not the socket just bound");
		return -EPERM;
	}
	if (initgroups(c->user, gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "cannot become '%s' (uid %u, gid %u): %s",
			 c->user, (unsigned int)uid, (unsigned int)gid, strerror(errno));
		return -EPERM;
	}
	/* For good: no way back. */
	if (setuid(0) == 0 || geteuid() != uid || getuid() != uid ||
	    getegid() != gid || getgid() != gid) {
		snprintf(err, errlen, "still able to become root after "
			 "switching to '%s': stopping", c->user);
		return -EPERM;
	}
	/* setresuid() set the dumpable flag back to fs.suid_dumpable: with
	 * lawful interception's tables in memory, no core and no ptrace by
	 * cp.user's other processes (cp/li set it first, at open) */
	if (cp->li != NULL && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot make turnpike-cp undumpable after becoming "
			 "'%s': %s", c->user, strerror(errno));
		return -EPERM;
	}
	tp_log(TP_LOG_INFO, "running as '%s' (uid %u, gid %u)\n", c->user,
	       (unsigned int)uid, (unsigned int)gid);
	return 0;
}

const struct cp_module cp_user_module = {
	.name = "user",
	.flags = CP_MODULE_CHECK,
	.setup = user_setup,
};

const struct cp_module cp_privileges_module = {
	.name = "privileges",
	.setup = drop_privileges,
};
