/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl: what the subcommands share.
 *
 * turnpikectl is the operator's command-line tool. turnpikectl.c owns the
 * global options and the top-level command table; each ctl_<area>.c owns
 * one command area and, through ctl_dispatch(), its own table of
 * subcommands. Adding a command is one row in a table plus one handler.
 * ctl_stun.c and ctl_cert.c work offline; the others talk to turnpike-cp
 * through ctl_req.c (one exchange, reading the answer) over ctl_api.c
 * (the socket), and print through ctl_out.c (terminal-safe text, tables).
 *
 * Return conventions: command handlers return a process exit status
 * (enum ctl_exit), because that is what the operator and scripts see;
 * every other ctl_ function returns 0 or -errno.
 */
#ifndef CTL_H
#define CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CTL_PROG "turnpikectl"

/* Process exit statuses, shared by every command. */
enum ctl_exit {
	CTL_EXIT_OK = 0,      /* done, or --help */
	CTL_EXIT_USAGE = 1,   /* bad command line: message on stderr */
	CTL_EXIT_FAIL = 2,    /* the input or the operation failed */
};

/* Global options, parsed before the command name, read-only afterwards. */
struct ctl_opts {
	bool json;            /* --json: machine-readable output */
	const char *socket;   /* --socket: turnpike-cp's API socket, or NULL */
	bool quiet;           /* ctl_api_call() reports no failure */
};

/* Where turnpike-cp listens unless --socket or TURNPIKE_SOCKET say. */
#define CTL_DEFAULT_SOCKET "/run/turnpike/cp.sock"

/*
 * One row of a command table. path is the full command as the operator
 * types it ("turnpikectl stun decode"), for messages and usage text.
 * argv[0] is the command's own name; getopt-style parsing starts at 1.
 */
struct ctl_cmd {
	const char *name;
	const char *summary;  /* one line for the parent's usage */
	int (*run)(const struct ctl_opts *opts, const char *path, int argc,
		   char **argv);
};

/*
 * Find argv[0] in cmds and run it, with "<parent> <name>" as its path.
 * Prints a usage error to stderr for a missing or unknown name.
 * Returns the command's exit status, or CTL_EXIT_USAGE.
 */
int ctl_dispatch(const struct ctl_cmd *cmds, size_t ncmds,
		 const struct ctl_opts *opts, const char *parent, int argc,
		 char **argv);

/* List cmds, one "  name  summary" line each, for a usage text. */
void ctl_usage_commands(FILE *f, const struct ctl_cmd *cmds, size_t ncmds);

/*
 * Report a usage error: "<path>: <message>" and a hint to run --help, on
 * stderr. Returns CTL_EXIT_USAGE so callers can `return ctl_usage_error()`.
 */
int ctl_usage_error(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Report what getopt_long() rejected: c is the '?' or ':' it returned.
 * Call right after it, while optind and optopt still describe the error.
 * Returns CTL_EXIT_USAGE.
 */
int ctl_option_error(const char *path, int c, char *const *argv);

/*
 * Rewind getopt so that a subcommand can parse its own argv. Each handler
 * calls it before its first getopt_long().
 */
void ctl_getopt_reset(void);

/* The --help of a command with positional arguments only. */
struct ctl_help {
	const char *args;     /* after the path: "NAME PASSWORD" */
	const char *text;     /* the rest of --help */
};

/* "Usage: <path> <args>", a blank line, then h->text, on f. */
void ctl_print_help(FILE *f, const char *path, const struct ctl_help *h);

/*
 * The command line of a command with positional arguments only (and
 * -h/--help; "--" ends the options, for a password that starts with
 * '-'). names are the nargs arguments, for messages. Returns -1 with the
 * arguments at argv[optind...], or an exit status to return.
 */
int ctl_args(const char *path, int argc, char **argv, const struct ctl_help *h,
	     const char *const *names, int nargs);
/* The same, with --tenant NAME too (users and secrets): *tenant gets NAME,
 * or NULL without the option (the default tenant; the request then
 * carries no "tenant", as before tenants). */
int ctl_args_tenant(const char *path, int argc, char **argv, const struct ctl_help *h,
		    const char *const *names, int nargs, const char **tenant);


/*
 * A command made of add/del/list subcommands (users, secrets, psk): its
 * --help (what says what the group manages) or the subcommand's run.
 * Returns an exit status.
 */
int ctl_group(const struct ctl_opts *opts, const char *path, int argc,
	      char **argv, const struct ctl_cmd *cmds, size_t ncmds,
	      const char *what);

/* ---- turnpike-cp's API socket (ctl_api.c) ------------------------------ */

/*
 * The protocol (cp/api/api.h): connect to the unix stream socket, write
 * one JSON object {"cmd": ..., arguments...}, read one JSON object until
 * EOF: {"ok": true, ...} or {"ok": false, "error": "why"}.
 */

struct json_object;

/* The whole exchange, connect to EOF, must finish within this. */
#define CTL_API_TIMEOUT_S 5
/* An answer larger than this is refused (a big allocation list is a few
 * MB). */
#define CTL_API_MAX_ANSWER (64u << 20)

/* The socket to use: --socket, else $TURNPIKE_SOCKET (if not empty), else
 * CTL_DEFAULT_SOCKET. */
const char *ctl_api_socket(const struct ctl_opts *opts);

/*
 * Send req (not consumed) to turnpike-cp and read its answer. On 0,
 * *answer (the caller puts it) is a well-formed answer: an object with a
 * boolean "ok" and, when "ok" is false, a string "error". On -errno the
 * reason (unreachable socket, timeout, malformed answer) is already on
 * stderr and *answer is NULL.
 */
int ctl_api_call(const struct ctl_opts *opts, struct json_object *req,
		 struct json_object **answer);

/* ---- commands (one ctl_<name>.c each) ----------------------------------- */

/* "stun": STUN message tools (ctl_stun.c). */
int ctl_stun_main(const struct ctl_opts *opts, const char *path, int argc,
		  char **argv);

/* turnpike-cp's operator API: status (ctl_status.c), ready (ctl_ready.c),
 * allocations and kill (ctl_alloc.c), reload (ctl_reload.c), drain and
 * undrain (ctl_drain.c), users (ctl_users.c), secrets (ctl_secrets.c),
 * psk (ctl_psk.c), top (ctl_top.c). */
int ctl_status_main(const struct ctl_opts *opts, const char *path, int argc,
		    char **argv);
int ctl_ready_main(const struct ctl_opts *opts, const char *path, int argc,
		   char **argv);
/* allocations --cluster: every box's, read from the cluster's Redis
 * (ctl_cluster.c). Returns an exit status. */
int ctl_allocations_cluster(const struct ctl_opts *opts, const char *user,
			    const char *tenant);
int ctl_allocations_main(const struct ctl_opts *opts, const char *path,
			 int argc, char **argv);
int ctl_kill_main(const struct ctl_opts *opts, const char *path, int argc,
		  char **argv);
/* tenants (ctl_tenants.c) */
int ctl_tenants_main(const struct ctl_opts *opts, const char *path, int argc,
		     char **argv);
int ctl_users_main(const struct ctl_opts *opts, const char *path, int argc,
		   char **argv);
int ctl_top_main(const struct ctl_opts *opts, const char *path, int argc,
		 char **argv);
int ctl_reload_main(const struct ctl_opts *opts, const char *path, int argc,
		    char **argv);
int ctl_drain_main(const struct ctl_opts *opts, const char *path, int argc,
		   char **argv);
int ctl_undrain_main(const struct ctl_opts *opts, const char *path, int argc,
		     char **argv);
/* "drain        ON for ..." on stdout when answer a (status's, drain's)
 * says the box drains; nothing otherwise (an older cp says nothing). */
void ctl_drain_line(struct json_object *a);
/* turnpikectl ha (switchover); status's lines of the pair (an ha group). */
int ctl_ha_main(const struct ctl_opts *opts, const char *path, int argc, char **argv);
void ctl_ha_lines(struct json_object *a);
/* "users import-coturn FILE" (ctl_import.c). */
int ctl_users_import_coturn(const struct ctl_opts *opts, const char *path,
			    int argc, char **argv);
int ctl_secrets_main(const struct ctl_opts *opts, const char *path, int argc,
		     char **argv);
/* "psk": TLS 1.3 external PSKs. */
int ctl_psk_main(const struct ctl_opts *opts, const char *path, int argc,
		 char **argv);
/* Certificates, offline (ctl_cert.c): "fingerprint" (RFC 8122) and
 * "aka-token" (HMAC-SHA1-96 keyed with IK over the DER). */
int ctl_fingerprint_main(const struct ctl_opts *opts, const char *path, int argc,
			 char **argv);
int ctl_aka_token_main(const struct ctl_opts *opts, const char *path, int argc,
		       char **argv);

/* The access gateway (ctl_agw.c): "agw" (create, list, show, release) and
 * "events". */
int ctl_agw_main(const struct ctl_opts *opts, const char *path, int argc, char **argv);
int ctl_events_main(const struct ctl_opts *opts, const char *path, int argc, char **argv);

#endif /* CTL_H */
