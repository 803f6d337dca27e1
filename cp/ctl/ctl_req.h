/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl: one request to turnpike-cp and reading its answer, for the
 * commands that talk to it (ctl_api.c carries the bytes).
 *
 * Every such command does the same around its own rendering: build
 * {"cmd": ..., arguments...}, send it, print the answer as it is with
 * --json, report {"ok": false, "error": ...} terminal-safe on stderr, and
 * turn what went wrong into an exit status (enum ctl_exit). Members of
 * the answer are read either strictly (ctl_member(), ctl_int(),
 * ctl_text(): a missing one is a malformed answer, reported) or leniently
 * (ctl_get_str(), ctl_get_int(): a default), as the command promises.
 *
 * With --json a command prints the answer object instead of rendering it,
 * re-serialised by json-c exactly as turnpike-cp writes it (one line, no
 * spaces), for scripts. Exit status: 0 done; 1 bad command line (nothing
 * is sent); 2 turnpike-cp unreachable, silent, malformed, or answering
 * {"ok": false, "error": ...} ("turnpikectl: <error>" on stderr, and the
 * answer on stdout with --json).
 */
#ifndef CTL_REQ_H
#define CTL_REQ_H

#include <stdint.h>

#include <json-c/json.h>

#include "ctl.h"

/* ---- building a request --------------------------------------------------- */

/* {"cmd": cmd}, or NULL when memory ran out. */
struct json_object *ctl_request(const char *cmd);

/* Chainable builders: each takes ownership of req and returns it grown,
 * or NULL (everything freed) when req is NULL or memory ran out. */
struct json_object *ctl_req_str(struct json_object *req, const char *key,
				const char *val);
struct json_object *ctl_req_int(struct json_object *req, const char *key,
				int64_t val);
/* Add "tenant": t when t is not NULL (--tenant; without it the request
 * is as it was before tenants). */
struct json_object *ctl_req_tenant(struct json_object *req, const char *t);

/* ---- one exchange --------------------------------------------------------- */

/* Send {"cmd": cmd} and read the answer (put it) as ctl_api_call() does:
 * nothing printed, "ok" not looked at; for a command that reads another
 * command's answer for its own ends (top, allocations --cluster and
 * import-coturn read status's). Returns 0 or -errno. */
int ctl_ask(const struct ctl_opts *opts, const char *cmd, struct json_object **answer);

/*
 * Send req (consumed; NULL means building it ran out of memory) and deal
 * with what every command does alike: print the answer with --json,
 * report {"ok": false}. Returns an exit status; on CTL_EXIT_OK without
 * --json, *answer (the caller puts it) is the answer to render, with
 * --json it is NULL and there is nothing left to do. A caller that
 * prints the answer its own way with --json passes opts with json off.
 */
int ctl_exchange(const struct ctl_opts *opts, struct json_object *req,
		 struct json_object **answer);

/* ctl_exchange(), then, unless --json, done and arg (terminal-safe) on a
 * line: "added user alice". Returns an exit status. */
int ctl_simple(const struct ctl_opts *opts, struct json_object *req,
	       const char *done, const char *arg);

/* ctl_exchange(), then, unless --json, render(answer): 0, or -EPROTO
 * already reported, or -ENOMEM. Returns an exit status, stdout flushed. */
int ctl_query(const struct ctl_opts *opts, struct json_object *req,
	      int (*render)(struct json_object *answer));

/* The status of a rendering (0, -EPROTO already reported, -ENOMEM) as an
 * exit status, stdout flushed. */
int ctl_rendered(int rc);

/* ---- reading the answer --------------------------------------------------- */

/* "turnpikectl: malformed answer from turnpike-cp: ..." on stderr.
 * Returns -EPROTO. */
int ctl_malformed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Member key of o, of type type, or -EPROTO naming what is missing.
 * where says whose member it is ("the answer", "allocation 3"). */
int ctl_member(struct json_object *o, const char *key, enum json_type type,
	       const char *where, struct json_object **out);
int ctl_int(struct json_object *o, const char *key, const char *where, int64_t *v);
int ctl_text(struct json_object *o, const char *key, const char *where,
	     const char **v);

/* Member key of o if it is a string, else dflt. */
const char *ctl_get_str(struct json_object *o, const char *key, const char *dflt);
/* Member key of o if it is an integer, else 0. */
int64_t ctl_get_int(struct json_object *o, const char *key);

#endif /* CTL_REQ_H */
