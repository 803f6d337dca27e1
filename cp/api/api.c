/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator API socket, served from cp's single loop without ever
 * waiting on a client. Everything is non-blocking and driven by one
 * epoll set (a->fd) holding the listening socket, every open connection
 * and a timerfd armed at the earliest deadline:
 *
 *   accept -> peer check -> READING (request fed to a json_tokener as it
 *   arrives, at most CP_API_MAX_REQ bytes, CP_API_REQ_TIMEOUT_MS from
 *   accept) -> handler -> WRITING (the answer's text, owned by its json
 *   object, sent as the socket takes it; no progress for
 *   CP_API_WRITE_IDLE_MS, or not done in CP_API_WRITE_MAX_MS: dropped)
 *   -> close. A list answer (cp_api_register_list(): "allocations") is
 *   built a piece at a time while WRITING, each piece once the one
 *   before has been written out, at most CP_API_PIECES per call.
 *
 * At most CP_API_MAX_CONNS connections are open. One more is accepted,
 * told {"ok":false,"error":"too many connections"} in one non-blocking
 * send and closed, rather than left in the listen backlog: the client
 * learns why at once (turnpikectl prints it) instead of waiting for a
 * slot it cannot see, the backlog never fills with connections whose
 * clients may be long gone, and a readable listening socket we do not
 * accept from cannot keep a->fd readable (cp would spin instead of
 * sleeping in poll()). Refused peers are treated the same way: they
 * never take a slot, so they cannot crowd operators out.
 *
 * Before closing, whatever the client sent that we did not read is
 * drained once (non-blocking): a unix socket closed with unread data
 * makes the peer's next recv() fail with ECONNRESET, which would hide
 * our answer from a client that reads it after sending.
 *
 * json-c does the JSON; what it copies as it is, a string's bytes that
 * are not UTF-8, goes out as \u00XX (buf_put_json()). A bad request gets
 * {"ok": false, "error": ...}.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "tp_esc.h"

#define CP_API_TAG_LISTEN  CP_API_MAX_CONNS
#define CP_API_TAG_TIMER   (CP_API_MAX_CONNS + 1)
#define CP_API_EV_BATCH    32        /* events per cp_api_serve() */
#define CP_API_ACCEPTS     16        /* accepts per cp_api_serve() */
#define CP_API_READ_STEP   4096
#define CP_API_DRAIN_MAX   CP_API_MAX_REQ
#define CP_API_BACKLOG     64

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t
tag(unsigned int slot, uint32_t gen)
{
	return (uint64_t)gen << 32 | slot;
}

/* ---- socket file ------------------------------------------------------- */

int
cp_api_open(struct cp_api *a, const char *path, unsigned int mode)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sockaddr_un sun;
	const char *slash;
	size_t dirlen;
	mode_t old;
	int n, rc;

	memset(a, 0, sizeof(*a));
	a->fd = a->lfd = a->tfd = -1;
	for (unsigned int i = 0; i < CP_API_MAX_CONNS; i++)
		a->conns[i].fd = -1;
	a->mode = mode & 0777;
	a->gid = CP_API_NO_GROUP;
	a->ctl_gid = CP_API_NO_GROUP;
	a->euid = geteuid();
	a->timer_ms = UINT64_MAX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	snprintf(a->path, sizeof(a->path), "%s", path);
	slash = strrchr(path, '/');
	dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	n = snprintf(a->tmp, sizeof(a->tmp), "%.*s.cpapi.%ld", (int)dirlen, path,
		     (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path)) {
		a->tmp[0] = '\0';
		return -ENAMETOOLONG;
	}

	a->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->lfd < 0)
		goto fail;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, a->tmp, strlen(a->tmp));
	unlink(a->tmp);   /* ours: a cp of this pid that died */
	/* The file bind() creates gets 0777 & ~umask: with the owner's bits
	 * of mode only, it is never wider than asked, not even before
	 * cp_api_publish() (cp is single-threaded: the umask is ours). */
	old = umask(0777 & ~(a->mode & 0700));
	rc = bind(a->lfd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0) {
		rc = -errno;
		a->tmp[0] = '\0';
		cp_api_close(a);
		return rc;
	}
	if (listen(a->lfd, CP_API_BACKLOG) < 0)
		goto fail;
	a->fd = epoll_create1(EPOLL_CLOEXEC);
	a->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (a->fd < 0 || a->tfd < 0)
		goto fail;
	ev.data.u64 = tag(CP_API_TAG_LISTEN, 0);
	if (epoll_ctl(a->fd, EPOLL_CTL_ADD, a->lfd, &ev) < 0)
		goto fail;
	ev.data.u64 = tag(CP_API_TAG_TIMER, 0);
	if (epoll_ctl(a->fd, EPOLL_CTL_ADD, a->tfd, &ev) < 0)
		goto fail;
	return 0;
fail:
	rc = -errno;
	cp_api_close(a);
	return rc;
}

/* path's ACL gains "group:gid" with the permissions of its group's bits
 * (connecting to a socket needs write), the mask recomputed: libacl. */
static int
acl_add_group(const char *path, gid_t gid, mode_t mode)
{
	acl_t acl = acl_get_file(path, ACL_TYPE_ACCESS);
	acl_entry_t e;
	acl_permset_t ps;
	int rc = 0;

	if (acl == NULL)
		return -errno;
	if (acl_create_entry(&acl, &e) < 0 || acl_set_tag_type(e, ACL_GROUP) < 0 ||
	    acl_set_qualifier(e, &gid) < 0 || acl_get_permset(e, &ps) < 0 ||
	    acl_clear_perms(ps) < 0 ||
	    ((mode & 040) && acl_add_perm(ps, ACL_READ) < 0) ||
	    ((mode & 020) && acl_add_perm(ps, ACL_WRITE) < 0) ||
	    acl_calc_mask(&acl) < 0 || acl_valid(acl) < 0 ||
	    acl_set_file(path, ACL_TYPE_ACCESS, acl) < 0)
		rc = -errno;
	acl_free(acl);
	return rc;
}

int
cp_api_publish(struct cp_api *a, gid_t gid, gid_t ctl_gid)
{
	int rc;

	if (a->lfd < 0 || a->published)
		return -EBADF;
	if (ctl_gid != CP_API_NO_GROUP && ctl_gid == gid)
		return -EINVAL;
	/* Group first, then the group's bits, then the name clients use:
	 * at no point is the file wider than a->mode with group gid. */
	if (gid != CP_API_NO_GROUP && lchown(a->tmp, (uid_t)-1, gid) < 0)
		return -errno;
	if (chmod(a->tmp, (mode_t)a->mode) < 0)
		return -errno;
	/* (the controllers' entry: as wide as the group's bits, no wider) */
	if (ctl_gid != CP_API_NO_GROUP &&
	    (rc = acl_add_group(a->tmp, ctl_gid, (mode_t)a->mode)) < 0)
		return rc;
	a->ctl_gid = ctl_gid;
	/* One step, also over a stale socket of an earlier cp. */
	if (rename(a->tmp, a->path) < 0)
		return -errno;
	a->tmp[0] = '\0';
	a->gid = gid;
	a->published = 1;
	return 0;
}

static void conn_close(struct cp_api *a, struct cp_api_conn *c);

void
cp_api_close(struct cp_api *a)
{
	for (unsigned int i = 0; i < CP_API_MAX_CONNS; i++)
		if (a->conns[i].fd >= 0)
			conn_close(a, &a->conns[i]);
	if (a->lfd >= 0) {
		close(a->lfd);
		if (a->published)
			unlink(a->path);
		else if (a->tmp[0] != '\0')
			unlink(a->tmp);
	}
	if (a->tfd >= 0)
		close(a->tfd);
	if (a->fd >= 0)
		close(a->fd);
	a->fd = a->lfd = a->tfd = -1;
	a->published = 0;
	a->tmp[0] = '\0';
}

int
cp_api_register(struct cp_api *a, const char *name, cp_api_fn fn, void *ctx)
{
	if (a->ncmds == CP_API_MAX_CMDS)
		return -ENOSPC;
	a->cmds[a->ncmds].name = name;
	a->cmds[a->ncmds].fn = fn;
	a->cmds[a->ncmds].list = NULL;
	a->cmds[a->ncmds].member = NULL;
	a->cmds[a->ncmds].ctx = ctx;
	a->cmds[a->ncmds].roles = CP_API_ROLE_OPERATOR;
	a->ncmds++;
	return 0;
}

int
cp_api_allow_controller(struct cp_api *a, const char *name)
{
	for (unsigned int i = 0; i < a->ncmds; i++)
		if (strcmp(a->cmds[i].name, name) == 0) {
			a->cmds[i].roles |= CP_API_ROLE_CONTROLLER;
			return 0;
		}
	return -ENOENT;
}

int
cp_api_register_list(struct cp_api *a, const char *name, cp_api_fn fn,
		     cp_api_list_fn list, const char *member, void *ctx)
{
	int rc;

	if (list == NULL || member == NULL)
		return -EINVAL;
	rc = cp_api_register(a, name, fn, ctx);
	if (rc == 0) {
		a->cmds[a->ncmds - 1].list = list;
		a->cmds[a->ncmds - 1].member = member;
	}
	return rc;
}

/* ---- who may talk ------------------------------------------------------ */

static bool
gid_in(gid_t want, const gid_t *list, long n)
{
	for (long i = 0; i < n; i++)
		if (list[i] == want)
			return true;
	return false;
}

/* The peer process's supplementary groups, as the kernel holds them
 * (what it checked the socket file's mode against). */
static bool
peer_groups_have(int fd, gid_t want)
{
	gid_t small[64], *list = small;
	socklen_t len = sizeof(small);
	bool found = false;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, list, &len) < 0) {
		if (errno != ERANGE || (list = malloc(len)) == NULL)
			return false;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, list, &len) < 0)
			len = 0;
	}
	found = gid_in(want, list, (long)(len / sizeof(gid_t)));
	if (list != small)
		free(list);
	return found;
}

/* The peer user's groups in the group database. May consult NSS: it is
 * asked only when the kernel's view of the peer did not already allow
 * it. */
static bool
user_groups_have(uid_t uid, gid_t want)
{
	struct passwd pw, *res = NULL;
	long bufsize = sysconf(_SC_GETPW_R_SIZE_MAX);
	gid_t *groups = NULL;
	int ngroups = 64;
	bool found = false;
	char *buf;

	if (bufsize <= 0)
		bufsize = 16384;
	buf = malloc((size_t)bufsize);
	if (buf == NULL)
		return false;
	if (getpwuid_r(uid, &pw, buf, (size_t)bufsize, &res) != 0 || res == NULL)
		goto out;
	for (int tries = 0; tries < 2; tries++) {
		free(groups);
		groups = malloc((size_t)ngroups * sizeof(gid_t));
		if (groups == NULL)
			goto out;
		if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &ngroups) >= 0) {
			found = gid_in(want, groups, ngroups);
			break;
		}
	}
out:
	free(groups);
	free(buf);
	return found;
}

static bool
member_of(int fd, const struct ucred *cr, gid_t gid)
{
	return gid != CP_API_NO_GROUP &&
	       (cr->gid == gid || peer_groups_have(fd, gid) || user_groups_have(cr->uid, gid));
}

/* The peer's role: an operator (uid 0, cp's own euid, a member of the
 * operator group), else a controller (a member of the controller group),
 * else 0 (refused). */
static uint8_t
peer_role(const struct cp_api *a, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return 0;
	if (cr.uid == 0 || cr.uid == a->euid || member_of(fd, &cr, a->gid))
		return CP_API_ROLE_OPERATOR;
	if (member_of(fd, &cr, a->ctl_gid))
		return CP_API_ROLE_CONTROLLER;
	return 0;
}

/* ---- connections ------------------------------------------------------- */

/* Read and drop what the client sent and we did not read (see the top). */
static void
drain(int fd)
{
	char buf[CP_API_READ_STEP];
	size_t total = 0;
	ssize_t n;

	while (total < CP_API_DRAIN_MAX &&
	       (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += (size_t)n;
}

static struct json_object *
error_object(const char *error)
{
	struct json_object *resp = json_object_new_object();

	if (resp != NULL) {
		json_object_object_add(resp, "ok", json_object_new_boolean(0));
		json_object_object_add(resp, "error", json_object_new_string(error));
	}
	return resp;
}

/* A short error in one non-blocking send (after draining what the
 * client sent): for connections that get no slot, or whose time is up. */
static void
say(int fd, const char *error)
{
	struct json_object *resp = error_object(error);
	const char *text;

	drain(fd);
	if (resp == NULL)
		return;
	text = json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (send(fd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* it hung up or its buffer is full: nothing more to do */
	}
	json_object_put(resp);
}

static void
say_and_close(int fd, const char *error)
{
	say(fd, error);
	close(fd);
}

static void
conn_close(struct cp_api *a, struct cp_api_conn *c)
{
	epoll_ctl(a->fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	if (c->tok != NULL)
		json_tokener_free(c->tok);
	c->tok = NULL;
	if (c->resp != NULL)
		json_object_put(c->resp);
	c->resp = NULL;
	if (c->req != NULL)
		json_object_put(c->req);
	c->req = NULL;
	free(c->buf);
	c->buf = NULL;
	c->buf_cap = 0;
	free(c->tail);
	c->tail = NULL;
	c->list = NULL;
	c->out = NULL;
	if (c->held != NULL)
		json_object_put(c->held);
	c->held = NULL;
	c->waits = 0;
	c->holding = c->held_failed = 0;
	a->nconns--;
}

/* Room for len more bytes in the answer's buffer. 0 or -ENOMEM. */
static int
buf_room(struct cp_api_conn *c, size_t len)
{
	if (c->out_len + len > c->buf_cap) {
		size_t cap = c->buf_cap != 0 ? c->buf_cap : 4096;
		char *p;

		while (cap < c->out_len + len)
			cap *= 2;
		p = realloc(c->buf, cap);
		if (p == NULL)
			return -ENOMEM;
		c->buf = p;
		c->buf_cap = cap;
	}
	c->out = c->buf;
	return 0;
}

/* Append len bytes to the list answer's buffer. 0 or -ENOMEM. */
static int
buf_put(struct cp_api_conn *c, const char *text, size_t len)
{
	if (buf_room(c, len) < 0)
		return -ENOMEM;
	memcpy(c->buf + c->out_len, text, len);
	c->out_len += len;
	return 0;
}

/* Append len bytes of json-c's text as UTF-8: a string's bytes that are
 * not (a REST username's, a call-id's, a label's) as \u00XX
 * (lib/log/tp_esc.h), so that a strict reader takes the answer. 0 or
 * -ENOMEM. */
static int
buf_put_json(struct cp_api_conn *c, const char *text, size_t len)
{
	size_t extra = tp_esc_json_utf8_extra(text, len);

	if (extra == 0)
		return buf_put(c, text, len);
	if (buf_room(c, len + extra) < 0)
		return -ENOMEM;
	tp_esc_json_utf8(c->buf + c->out_len, text, len);
	c->out_len += len + extra;
	return 0;
}

/* The list's next piece into the (written out, so emptied) buffer; the
 * tail after the last one. 0, or -errno. */
static int
list_piece(struct cp_api *a, struct cp_api_conn *c)
{
	struct json_object *items = json_object_new_array();
	size_t n;
	int rc;

	if (items == NULL)
		return -ENOMEM;
	c->out_len = 0;
	c->out_off = 0;
	a->role_now = c->role;
	rc = c->list->list(c->list->ctx, c->req, &c->cursor, items);
	a->role_now = 0;
	n = rc < 0 ? 0 : json_object_array_length(items);
	if (n > 0) {
		const char *text = json_object_to_json_string_ext(items,
					JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		size_t len = text != NULL ? strlen(text) : 0;

		/* "[a,b]" -> "a,b", after a comma if items came before */
		if (len < 2 || (c->nitems > 0 && buf_put(c, ",", 1) < 0) ||
		    buf_put_json(c, text + 1, len - 2) < 0)
			rc = -ENOMEM;
		c->nitems += n;
	}
	json_object_put(items);
	if (rc == 0) {
		if (buf_put_json(c, c->tail, strlen(c->tail)) < 0)
			return -ENOMEM;
		free(c->tail);
		c->tail = NULL;
	}
	return rc < 0 ? rc : 0;
}

static void
conn_write(struct cp_api *a, struct cp_api_conn *c, uint64_t now)
{
	bool progress = false;

	for (;;) {
		while (c->out_off < c->out_len) {
			ssize_t n = send(c->fd, c->out + c->out_off,
					 c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n > 0) {
				c->out_off += (size_t)n;
				progress = true;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				goto wait;
			conn_close(a, c);      /* the client went away */
			return;
		}
		if (c->list == NULL || c->tail == NULL)
			break;
		/* A list with more to come: its next piece, if this call
		 * may build one (else the socket, still writable, brings
		 * us back on the next call). */
		if (a->pieces_left == 0)
			goto wait;
		a->pieces_left--;
		if (list_piece(a, c) < 0) {
			a->errors++;
			conn_close(a, c);
			return;
		}
		progress = true;
	}
	drain(c->fd);
	conn_close(a, c);
	return;
wait:
	if (progress)
		c->deadline_ms = now + CP_API_WRITE_IDLE_MS < c->write_end_ms ?
				 now + CP_API_WRITE_IDLE_MS : c->write_end_ms;
}

/* The answer is ready to go: wait for the socket to take it. */
static void
conn_start_write(struct cp_api *a, struct cp_api_conn *c, uint64_t now)
{
	struct epoll_event ev = { .events = EPOLLOUT };

	ev.data.u64 = tag((unsigned int)(c - a->conns), c->gen);
	if (c->tok != NULL)
		json_tokener_free(c->tok);
	c->tok = NULL;
	c->out_off = 0;
	c->writing = 1;
	c->deadline_ms = now + CP_API_WRITE_IDLE_MS;
	c->write_end_ms = now + CP_API_WRITE_MAX_MS;
	epoll_ctl(a->fd, EPOLL_CTL_MOD, c->fd, &ev);
	conn_write(a, c, now);
}

/* A list command's answer: resp (its other members and "ok") becomes
 * the tail; the list's pieces come before it. Takes req and resp. */
static void
conn_start_list(struct cp_api *a, struct cp_api_conn *c,
		const struct cp_api_cmd *cmd, struct json_object *req,
		struct json_object *resp, uint64_t now)
{
	const char *text = json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = text != NULL ? strlen(text) : 0;

	c->req = req;
	c->list = cmd;
	c->cursor = 0;
	c->nitems = 0;
	c->out_len = 0;
	/* "{...,"ok":true}" -> "],...,"ok":true}" ("ok" is always there) */
	c->tail = len > 2 ? malloc(len + 2) : NULL;
	if (c->tail != NULL) {
		c->tail[0] = ']';
		c->tail[1] = ',';
		memcpy(c->tail + 2, text + 1, len);    /* with the NUL */
	}
	json_object_put(resp);
	if (c->tail == NULL || buf_put(c, "{\"", 2) < 0 ||
	    buf_put(c, cmd->member, strlen(cmd->member)) < 0 ||
	    buf_put(c, "\":[", 3) < 0) {
		a->errors++;
		conn_close(a, c);
		return;
	}
	conn_start_write(a, c, now);
}

/* Take resp (the answer, "ok" already in it) and start sending it. */
static void
conn_answer(struct cp_api *a, struct cp_api_conn *c, struct json_object *resp,
	    uint64_t now)
{
	if (resp == NULL) {
		conn_close(a, c);
		return;
	}
	c->resp = resp;
	c->out = json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN |
						JSON_C_TO_STRING_NOSLASHESCAPE);
	if (c->out == NULL) {
		conn_close(a, c);
		return;
	}
	c->out_len = strlen(c->out);
	if (tp_esc_json_utf8_extra(c->out, c->out_len) > 0) {
		/* (rare: a string with bytes that are not UTF-8) */
		const char *text = c->out;
		size_t len = c->out_len;

		c->out_len = 0;
		if (buf_put_json(c, text, len) < 0) {
			conn_close(a, c);
			return;
		}
	}
	conn_start_write(a, c, now);
}

static void
conn_error(struct cp_api *a, struct cp_api_conn *c, const char *error, uint64_t now)
{
	a->requests++;
	a->errors++;
	conn_answer(a, c, error_object(error), now);
}

/* A whole request object: find its handler, answer. */
static void
conn_run(struct cp_api *a, struct cp_api_conn *c, struct json_object *req,
	 uint64_t now)
{
	struct json_object *resp = json_object_new_object(), *cmdv, *eresp;
	const struct cp_api_cmd *found = NULL;
	const char *error = NULL, *cmd;
	int rc;

	if (!json_object_is_type(req, json_type_object) ||
	    !json_object_object_get_ex(req, "cmd", &cmdv) ||
	    !json_object_is_type(cmdv, json_type_string)) {
		error = "request needs a string member \"cmd\"";
	} else if (resp == NULL) {
		error = "out of memory";
	} else {
		cmd = json_object_get_string(cmdv);
		error = "unknown command";
		for (unsigned int i = 0; i < a->ncmds; i++) {
			if (strcmp(a->cmds[i].name, cmd) == 0) {
				if (!(a->cmds[i].roles & c->role)) {
					a->stats.role_refused++;
					error = "permission denied: the controller group "
						"(cp.agw_group) may run the access gateway's "
						"commands only (turnpikectl agw, events)";
					break;
				}
				found = &a->cmds[i];
				error = NULL;
				c->waits = 0;
				a->running = c;
				a->role_now = c->role;
				rc = found->fn == NULL ? 0 :
				     found->fn(found->ctx, req, resp, &error);
				a->running = NULL;
				a->role_now = 0;
				if (rc < 0 && error == NULL)
					error = strerror(-rc);
				break;
			}
		}
	}
	a->requests++;
	if (error != NULL) {
		a->errors++;
		/* error may live in resp: copy it before resp goes */
		eresp = error_object(error);
		json_object_put(resp);
		resp = eresp;
	} else {
		json_object_object_add(resp, "ok", json_object_new_boolean(1));
		if (found->list != NULL) {
			conn_start_list(a, c, found, req, resp, now);
			return;
		}
		if (c->waits > 0) {
			/* answered by cp_api_release(), or by expire() */
			json_object_put(req);
			c->held = resp;
			c->holding = 1;
			c->deadline_ms = now + CP_API_HOLD_MS;
			return;
		}
	}
	c->waits = 0;
	json_object_put(req);
	conn_answer(a, c, resp, now);
}

uint8_t
cp_api_role(const struct cp_api *a)
{
	return a != NULL ? a->role_now : 0;
}

uint64_t
cp_api_hold(struct cp_api *a)
{
	struct cp_api_conn *c = a->running;

	if (c == NULL)
		return 0;
	c->waits++;
	return (uint64_t)c->gen << 32 | (uint64_t)(c - a->conns + 1);
}

/* The held answer goes out: as it is, or as an error. */
static void
conn_unhold(struct cp_api *a, struct cp_api_conn *c, const char *error, uint64_t now)
{
	struct json_object *resp = c->held;

	c->held = NULL;
	c->holding = 0;
	c->waits = 0;
	if (error != NULL) {
		json_object_put(resp);
		resp = error_object(error);
		a->errors++;
	}
	conn_answer(a, c, resp, now);
}

void
cp_api_release(struct cp_api *a, uint64_t token, const char *error)
{
	uint64_t slot = token & 0xffffffffu;
	struct cp_api_conn *c;

	if (slot == 0 || slot > CP_API_MAX_CONNS)
		return;
	c = &a->conns[slot - 1];
	if (c->fd < 0 || c->gen != (uint32_t)(token >> 32) || c->waits == 0)
		return;
	if (!c->holding) {
		/* from inside the handler that held it: what it was to wait
		 * for is there at once (an error is the handler's to return) */
		if (a->running == c)
			c->waits--;
		return;
	}
	if (error != NULL && !c->held_failed) {
		c->held_failed = 1;
		json_object_put(c->held);
		c->held = error_object(error);
	}
	if (--c->waits == 0) {
		bool failed = c->held_failed;

		c->held_failed = 0;
		/* (the error answer is in held already) */
		if (failed)
			a->errors++;
		conn_unhold(a, c, NULL, mono_ms());
	}
}

/* Read what is there, feed the tokener; at most CP_API_MAX_REQ bytes in
 * all, so one call reads a bounded amount. */
static void
conn_read(struct cp_api *a, struct cp_api_conn *c, uint64_t now)
{
	char buf[CP_API_READ_STEP];

	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct json_object *req;
		size_t k;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			conn_close(a, c);
			return;
		}
		if (n == 0) {
			conn_error(a, c, "request ended before a complete JSON object", now);
			return;
		}
		k = (size_t)n < CP_API_MAX_REQ - c->have ? (size_t)n : CP_API_MAX_REQ - c->have;
		req = json_tokener_parse_ex(c->tok, buf, (int)k);
		c->have += k;
		if (req != NULL) {
			conn_run(a, c, req, now);
			return;
		}
		if (json_tokener_get_error(c->tok) != json_tokener_continue) {
			conn_error(a, c, "request is not valid JSON", now);
			return;
		}
		if (c->have == CP_API_MAX_REQ) {
			conn_error(a, c, "request larger than 64 KiB", now);
			return;
		}
	}
}

static void
accept_some(struct cp_api *a, uint64_t now)
{
	for (unsigned int i = 0; i < CP_API_ACCEPTS; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct cp_api_conn *c = NULL;
		int fd = accept4(a->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		uint8_t role;

		if (fd < 0)
			return;
		a->stats.accepted++;
		role = peer_role(a, fd);
		if (role == 0) {
			a->stats.refused++;
			say_and_close(fd, "permission denied");
			continue;
		}
		if (a->nconns == CP_API_MAX_CONNS) {
			a->stats.too_many++;
			say_and_close(fd, "too many connections");
			continue;
		}
		for (unsigned int s = 0; s < CP_API_MAX_CONNS; s++) {
			if (a->conns[s].fd < 0) {
				c = &a->conns[s];
				break;
			}
		}
		c->tok = json_tokener_new();
		if (c->tok == NULL) {
			say_and_close(fd, "out of memory");
			continue;
		}
		c->fd = fd;
		c->gen++;
		c->role = role;
		c->writing = 0;
		c->have = 0;
		c->resp = NULL;
		c->out = NULL;
		c->out_len = c->out_off = 0;
		c->deadline_ms = now + CP_API_REQ_TIMEOUT_MS;
		a->nconns++;
		ev.data.u64 = tag((unsigned int)(c - a->conns), c->gen);
		if (epoll_ctl(a->fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			conn_close(a, c);
			continue;
		}
		/* The request is often there already. */
		conn_read(a, c, now);
	}
}

/* Close whatever is past its deadline; arm the timer at the next one. */
static void
expire(struct cp_api *a, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	struct itimerspec its;

	for (unsigned int i = 0; i < CP_API_MAX_CONNS; i++) {
		struct cp_api_conn *c = &a->conns[i];

		if (c->fd < 0)
			continue;
		if (now >= c->deadline_ms && c->holding) {
			a->stats.timed_out++;
			conn_unhold(a, c, "no answer from the cluster's redis within 3 s: "
				    "the change may or may not have been made", now);
			if (c->fd >= 0 && c->deadline_ms < next)
				next = c->deadline_ms;
			continue;
		}
		if (now >= c->deadline_ms) {
			a->stats.timed_out++;
			if (!c->writing) {
				char why[64];

				snprintf(why, sizeof(why), "request not complete within %u ms",
					 (unsigned int)CP_API_REQ_TIMEOUT_MS);
				a->requests++;
				a->errors++;
				say(c->fd, why);
			}
			conn_close(a, c);
			continue;
		}
		if (c->deadline_ms < next)
			next = c->deadline_ms;
	}
	if (next == a->timer_ms)
		return;
	memset(&its, 0, sizeof(its));
	if (next != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(next / 1000u);
		its.it_value.tv_nsec = (long)(next % 1000u) * 1000000L;
	}
	if (timerfd_settime(a->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		a->timer_ms = next;
}

int
cp_api_serve(struct cp_api *a)
{
	struct epoll_event ev[CP_API_EV_BATCH];
	uint64_t now = mono_ms(), ticks;
	int n = epoll_wait(a->fd, ev, CP_API_EV_BATCH, 0);

	a->pieces_left = CP_API_PIECES;

	for (int i = 0; i < n; i++) {
		unsigned int slot = (unsigned int)(ev[i].data.u64 & 0xffffffffu);
		uint32_t gen = (uint32_t)(ev[i].data.u64 >> 32);
		struct cp_api_conn *c;

		if (slot == CP_API_TAG_LISTEN) {
			accept_some(a, now);
			continue;
		}
		if (slot == CP_API_TAG_TIMER) {
			if (read(a->tfd, &ticks, sizeof(ticks)) < 0) {
				/* EAGAIN: re-armed since it fired */
			}
			continue;
		}
		c = &a->conns[slot];
		if (c->fd < 0 || c->gen != gen)
			continue;      /* closed, or the slot's next tenant */
		if (c->holding)
			continue;      /* it reads nothing more; it waits */
		if (c->writing)
			conn_write(a, c, now);
		else
			conn_read(a, c, now);
	}
	expire(a, mono_ms());
	return n > 0 ? n : 0;
}
