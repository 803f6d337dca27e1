/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator API of turnpike-cp: a local stream socket (root-only by
 * default) speaking one JSON object per connection each way:
 *   request  {"cmd": "status", ...arguments}
 *   response {"ok": true, ...} or {"ok": false, "error": "why"}
 * turnpikectl is its client. Handlers are registered by name.
 *
 * It lives inside cp's single loop, next to the rings from dp and the
 * timer wheel, so it never waits for a client: every socket is
 * non-blocking, each connection has its own request buffer and answer
 * buffer and a deadline, and cp_api_serve() does what is ready and
 * returns. a->fd is one pollable descriptor (an epoll set holding the
 * listening socket, every open connection and a timerfd armed at the
 * earliest deadline), so a loop that calls cp_api_serve() only when
 * a->fd is readable still sees every deadline fire.
 *
 * Who may talk: SO_PEERCRED of each accepted connection, allowed are
 * uid 0, cp's own euid, and members of the operator group (the peer's
 * gid, its supplementary groups as the kernel holds them
 * (SO_PEERGROUPS), or the peer user's groups in the group database
 * (getgrouplist)). Members of the controller group (the same tests) are
 * let in too, but may run only the commands registered for controllers
 * (cp_api_allow_controller(): the AGW's), and are told so for any other.
 * Others get {"ok":false,"error":"permission denied"}.
 */
#ifndef CP_API_H
#define CP_API_H

#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#define CP_API_MAX_CMDS 32
#define CP_API_MAX_REQ  65536       /* request bytes, at most */
#define CP_API_MAX_CONNS 16         /* open connections, at most */
#define CP_API_REQ_TIMEOUT_MS 2000  /* accept .. complete request */
#define CP_API_WRITE_IDLE_MS 2000   /* answer: longest wait for progress */
#define CP_API_WRITE_MAX_MS 30000   /* answer: whole write, at most */
#define CP_API_PIECES 2             /* list pieces per cp_api_serve() */
#define CP_API_NO_GROUP ((gid_t)-1)

/* Who a connection's peer is (what it may run). */
#define CP_API_ROLE_OPERATOR   0x1u
#define CP_API_ROLE_CONTROLLER 0x2u

/* A handler fills resp (an object the API created, "ok" is added for
 * it) and returns 0, or returns -errno after setting *error to a static
 * or resp-owned string. */
typedef int (*cp_api_fn)(void *ctx, struct json_object *req,
			 struct json_object *resp, const char **error);

/*
 * A list answer (one member holding an array over a table that may be
 * large: every allocation) is built a piece at a time, so that no
 * cp_api_serve() call builds, prints or frees all of it: each time the
 * connection's answer has been written out, fn appends at most a bounded
 * number of items (it decides how many, a few ms' worth) to items, keeps
 * its place in *cursor (0 at first), and returns 1 while there may be
 * more, 0 when done, or -errno (the connection is closed: the answer so
 * far cannot be taken back). The list is not a snapshot: an entry made
 * or removed while it is written may or may not appear.
 */
typedef int (*cp_api_list_fn)(void *ctx, struct json_object *req,
			      uint64_t *cursor, struct json_object *items);

struct cp_api_cmd {
	const char *name;
	cp_api_fn fn;                 /* may be NULL for a list command */
	cp_api_list_fn list;          /* NULL: a plain command */
	const char *member;           /* the list's member name */
	void *ctx;
	uint8_t roles;                /* CP_API_ROLE_*: who may run it */
};

/* One open connection (fd -1: the slot is free). */
struct cp_api_conn {
	int fd;
	uint32_t gen;                 /* tells a slot's successive tenants apart */
	uint8_t writing;              /* answer under way (else reading) */
	uint8_t role;                 /* CP_API_ROLE_* of its peer */
	uint64_t deadline_ms;         /* CLOCK_MONOTONIC */
	uint64_t write_end_ms;        /* the write's overall bound */
	size_t have;                  /* request bytes read so far */
	struct json_tokener *tok;     /* the request, parsed as it arrives */
	struct json_object *resp;     /* owns out (a plain answer) */
	const char *out;
	size_t out_len, out_off;
	/* a list answer: its command, request, place and text */
	const struct cp_api_cmd *list;
	struct json_object *req;
	uint64_t cursor;
	uint64_t nitems;
	char *buf;                    /* owns out (a list answer) */
	size_t buf_cap;
	char *tail;                   /* "]," and the rest of the object */
	/* an answer held until what the command started elsewhere is done
	 * (cp_api_hold()): the answer, and how many are still to come */
	struct json_object *held;
	unsigned int waits;
	uint8_t holding;
	uint8_t held_failed;
};

/* What the API counted since cp_api_open(). */
struct cp_api_stats {
	uint64_t accepted;            /* connections accepted, all of them */
	uint64_t refused;             /* peer credentials not allowed */
	uint64_t role_refused;        /* a controller's request for another command */
	uint64_t timed_out;           /* request or answer missed its deadline */
	uint64_t too_many;            /* CP_API_MAX_CONNS open already */
};

struct cp_api {
	int fd;                       /* epoll set: what cp polls */
	int lfd;                      /* the listening socket */
	int tfd;                      /* timerfd: the earliest deadline */
	uint64_t timer_ms;            /* what tfd is armed at, UINT64_MAX: not */
	unsigned int mode;            /* the socket's mode once published */
	gid_t gid;                    /* operator group, CP_API_NO_GROUP */
	gid_t ctl_gid;                /* controller group, CP_API_NO_GROUP */
	uid_t euid;                   /* cp's, allowed */
	int published;                /* the socket is at path */
	char path[108];
	char tmp[108];                /* where it is bound until published */
	unsigned int ncmds;
	struct cp_api_cmd cmds[CP_API_MAX_CMDS];
	unsigned int nconns;
	struct cp_api_conn conns[CP_API_MAX_CONNS];
	unsigned int pieces_left;     /* list pieces this cp_api_serve() may build */
	struct cp_api_conn *running;  /* whose handler runs now (cp_api_hold()) */
	uint8_t role_now;             /* its peer's role, or a list piece's (cp_api_role()) */
	unsigned long requests;       /* answers begun (errors included) */
	unsigned long errors;         /* answers with "ok": false */
	struct cp_api_stats stats;
	/* a handler's error sentence, copied into its answer at once
	 * (cp/api/api_cmd.c cp_api_err()) */
	char err[1024];
};

/*
 * Bind and listen, not yet reachable: the socket is bound under a
 * temporary name beside path (".cpapi.<pid>" in path's folder) with its
 * owner's bits of mode only (umask set around bind()), so that it never
 * exists with a wider mode than asked. cp_api_publish() then makes it
 * reachable at path. Returns 0 or -errno (-ENAMETOOLONG when the path or
 * the temporary name does not fit a sockaddr_un).
 */
int cp_api_open(struct cp_api *a, const char *path, unsigned int mode);
/*
 * Give the socket its group (gid, or CP_API_NO_GROUP to keep cp's) and
 * its full mode, then (ctl_gid, unless CP_API_NO_GROUP) an ACL entry that
 * lets the controller group connect as the group's bits let gid, then
 * rename it onto path, replacing a stale socket in one step. gid becomes
 * the operator group of the peer check, ctl_gid its controller group.
 * Returns 0 or -errno (-EINVAL: ctl_gid is gid; -EOPNOTSUPP: the file
 * system takes no ACLs). (cp calls it from cp_api_commands_register().)
 */
int cp_api_publish(struct cp_api *a, gid_t gid, gid_t ctl_gid);
/* Close every connection and the socket, remove it from the file
 * system. Safe twice. */
void cp_api_close(struct cp_api *a);
int cp_api_register(struct cp_api *a, const char *name, cp_api_fn fn,
		    void *ctx);
/* Let the controller group run command name (registered already). 0 or
 * -ENOENT. */
int cp_api_allow_controller(struct cp_api *a, const char *name);
/* From inside a handler, or a list's fn building a piece: the role of the
 * peer whose request it runs (CP_API_ROLE_*), so that a command both
 * roles may run can show each its own (cp/agw: the controller its
 * contexts, the operator all). 0 outside one (a NULL a too). */
uint8_t cp_api_role(const struct cp_api *a);
/* A list command: fn (optional) fills the answer's other members as a
 * plain handler does, then list fills member a piece at a time (above).
 * The answer reads {"member":[...],...,"ok":true}. */
int cp_api_register_list(struct cp_api *a, const char *name, cp_api_fn fn,
			 cp_api_list_fn list, const char *member, void *ctx);
/*
 * Do what is ready now, never waiting: accept (at most CP_API_MAX_CONNS
 * open, more are answered "too many connections" and closed), read
 * requests, run handlers, write answers (at most CP_API_PIECES pieces of
 * list answers built), close connections past their deadline. Returns
 * how many events it handled (0: nothing was ready).
 */
int cp_api_serve(struct cp_api *a);

/*
 * From inside a handler: hold its answer until cp_api_release() has been
 * called once for each cp_api_hold() (what it started elsewhere, a write
 * to the cluster's Redis, is done), or until CP_API_HOLD_MS passed (then
 * the answer is an error saying the outcome is unknown). Returns a token
 * for cp_api_release(), 0 when no handler runs (nothing is held). The
 * handler returns as usual; an error answer is not held.
 */
#define CP_API_HOLD_MS 3000
uint64_t cp_api_hold(struct cp_api *a);
/* One held thing is done: error NULL, or why it failed (the answer
 * becomes that error). A token whose connection is gone is ignored. From
 * inside the handler that took the token (nothing to wait for after all)
 * it takes that hold back; error is then ignored (the handler returns
 * its own). */
void cp_api_release(struct cp_api *a, uint64_t token, const char *error);

#endif /* CP_API_H */
