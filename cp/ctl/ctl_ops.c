/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl's commands that talk to turnpike-cp over its API socket
 * (ctl_api.c): status, allocations, kill, users, secrets.
 *
 * Each command sends one request and renders the answer for people: a
 * few aligned lines or a table. With the global --json it prints the
 * answer object instead, re-serialised by json-c exactly as turnpike-cp
 * writes it (one line, no spaces), for scripts.
 *
 * Exit status (enum ctl_exit): 0 done; 1 bad command line (nothing is
 * sent); 2 turnpike-cp unreachable, silent, malformed, or answering
 * {"ok": false, "error": ...} ("turnpikectl: <error>" on stderr, and the
 * answer on stdout with --json).
 *
 * Text from the server (user names above all: with TURN REST API secrets
 * a client chooses its own) is printed with control characters replaced
 * by '?', so that nothing it contains can drive the operator's terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "ctl.h"
#include "tp_common.h"

/* ---- growing strings ----------------------------------------------------- */

struct ops_str {
	char *s;
	size_t len;
	size_t cap;
	bool failed;          /* an allocation failed: s is incomplete */
};

static void
ops_str_add(struct ops_str *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
ops_str_add(struct ops_str *b, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *p;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap) {
		cap = b->cap != 0 ? b->cap : 64;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ---- terminal-safe text -------------------------------------------------- */

/*
 * A malloc'd copy of s with C0 controls, DEL and (UTF-8 encoded) C1
 * controls replaced by '?'. Other bytes, UTF-8 included, pass.
 */
static char *
ops_safe(const char *s)
{
	size_t i, o, n = strlen(s);
	unsigned char ch;
	char *out;

	out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	for (i = 0, o = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		if (ch == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			out[o++] = '?';
			i++;
		} else if (ch < 0x20 || ch == 0x7f) {
			out[o++] = '?';
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
	return out;
}

/* printf("%s<suffix>") of s made terminal-safe; -ENOMEM or 0. */
static int
ops_put_safe(FILE *f, const char *prefix, const char *s, const char *suffix)
{
	char *t = ops_safe(s);

	if (t == NULL)
		return -ENOMEM;
	fprintf(f, "%s%s%s", prefix, t, suffix);
	free(t);
	return 0;
}

/* ---- tables -------------------------------------------------------------- */

#define OPS_TABLE_MAX_COLS 12u

/* Rows of cells printed in aligned columns, two spaces apart. */
struct ops_table {
	size_t ncols;
	uint32_t right;       /* bit i set: column i aligned right */
	size_t nrows;
	size_t cap;           /* rows allocated */
	char **cells;         /* nrows * ncols terminal-safe copies */
	size_t width[OPS_TABLE_MAX_COLS];
};

static void
ops_table_init(struct ops_table *t, size_t ncols, uint32_t right)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols < OPS_TABLE_MAX_COLS ? ncols : OPS_TABLE_MAX_COLS;
	t->right = right;
}

static void
ops_table_free(struct ops_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

/* Append one row of t->ncols cells (copied). Returns 0 or -ENOMEM. */
static int
ops_table_row(struct ops_table *t, const char *const *cells)
{
	size_t i, len, cap;
	char **p, **row;

	if (t->nrows == t->cap) {
		cap = t->cap != 0 ? 2 * t->cap : 16;
		p = realloc(t->cells, cap * t->ncols * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		t->cells = p;
		t->cap = cap;
	}
	row = t->cells + t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		row[i] = ops_safe(cells[i] != NULL ? cells[i] : "");
		if (row[i] == NULL) {
			while (i-- > 0)
				free(row[i]);
			return -ENOMEM;
		}
	}
	for (i = 0; i < t->ncols; i++) {
		len = strlen(row[i]);
		if (len > t->width[i])
			t->width[i] = len;
	}
	t->nrows++;
	return 0;
}

static void
ops_table_print(const struct ops_table *t, FILE *f)
{
	const char *cell;
	size_t r, i;
	int w;

	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			cell = t->cells[r * t->ncols + i];
			w = (int)t->width[i];
			if (i > 0)
				fputs("  ", f);
			if (t->right & (1u << i))
				fprintf(f, "%*s", w, cell);
			else if (i + 1 < t->ncols)
				fprintf(f, "%-*s", w, cell);
			else
				fputs(cell, f);   /* no trailing blanks */
		}
		fputc('\n', f);
	}
}

/* ---- reading the answer -------------------------------------------------- */

/* Report an answer that lacks what its command promises. Returns
 * -EPROTO. */
static int
ops_malformed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
ops_malformed(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: malformed answer from turnpike-cp: ", CTL_PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EPROTO;
}

/* Member key of o, of type type, or -EPROTO naming what is missing.
 * where says whose member it is ("the answer", "allocation 3"). */
static int
ops_member(struct json_object *o, const char *key, enum json_type type,
	   const char *where, struct json_object **out)
{
	if (json_object_object_get_ex(o, key, out) &&
	    json_object_is_type(*out, type))
		return 0;
	return ops_malformed("%s has no %s \"%s\"", where,
			     json_type_to_name(type), key);
}

static int
ops_int(struct json_object *o, const char *key, const char *where,
	int64_t *v)
{
	struct json_object *m;
	int rc = ops_member(o, key, json_type_int, where, &m);

	if (rc == 0)
		*v = json_object_get_int64(m);
	return rc;
}

static int
ops_text(struct json_object *o, const char *key, const char *where,
	 const char **v)
{
	struct json_object *m;
	int rc = ops_member(o, key, json_type_string, where, &m);

	if (rc == 0)
		*v = json_object_get_string(m);
	return rc;
}

/* ---- one exchange -------------------------------------------------------- */

static struct json_object *
ops_req_add(struct json_object *req, const char *key, struct json_object *v)
{
	if (req == NULL || v == NULL ||
	    json_object_object_add(req, key, v) != 0) {
		json_object_put(v);
		json_object_put(req);
		return NULL;
	}
	return req;
}

/* Chainable request builders: each takes ownership of req and returns it
 * grown, or NULL (everything freed) when memory ran out. */
static struct json_object *
ops_req_str(struct json_object *req, const char *key, const char *val)
{
	return ops_req_add(req, key,
			   req != NULL ? json_object_new_string(val) : NULL);
}

static struct json_object *
ops_req_int(struct json_object *req, const char *key, int64_t val)
{
	return ops_req_add(req, key,
			   req != NULL ? json_object_new_int64(val) : NULL);
}

static struct json_object *
ops_request(const char *cmd)
{
	return ops_req_str(json_object_new_object(), "cmd", cmd);
}

static int
ops_out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", CTL_PROG);
	return CTL_EXIT_FAIL;
}

/* Flush stdout; a failed write (full disk, closed pipe) is a failure. */
static int
ops_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write the output: %s\n", CTL_PROG,
			strerror(errno));
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

/*
 * Send req (consumed; NULL means building it ran out of memory) and deal
 * with what every command does alike: print the answer with --json,
 * report {"ok": false}. Returns an exit status; on CTL_EXIT_OK without
 * --json, *answer (the caller puts it) is the answer to render, with
 * --json it is NULL and there is nothing left to do.
 */
static int
ops_exchange(const struct ctl_opts *opts, struct json_object *req,
	     struct json_object **answer)
{
	struct json_object *ans = NULL, *ok, *err;
	const char *text;
	int status = CTL_EXIT_OK;

	*answer = NULL;
	if (req == NULL)
		return ops_out_of_memory();
	if (ctl_api_call(opts, req, &ans) != 0) {
		json_object_put(req);
		return CTL_EXIT_FAIL;
	}
	json_object_put(req);

	if (opts->json) {
		/* The flags turnpike-cp writes with (cp/api/api.c), so that
		 * this is its answer byte for byte. */
		text = json_object_to_json_string_ext(ans,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (text == NULL) {
			json_object_put(ans);
			return ops_out_of_memory();
		}
		puts(text);
		status = ops_flush();
	}
	/* ctl_api_call() checked the types of "ok" and "error". */
	json_object_object_get_ex(ans, "ok", &ok);
	if (!json_object_get_boolean(ok)) {
		json_object_object_get_ex(ans, "error", &err);
		if (ops_put_safe(stderr, CTL_PROG ": ",
				 json_object_get_string(err), "\n") != 0)
			fprintf(stderr, "%s: turnpike-cp refused\n", CTL_PROG);
		status = CTL_EXIT_FAIL;
	}
	if (opts->json || status != CTL_EXIT_OK) {
		json_object_put(ans);
		return status;
	}
	*answer = ans;
	return CTL_EXIT_OK;
}

/* The status of a rendering (0, -EPROTO already reported, -ENOMEM) as an
 * exit status. */
static int
ops_rendered(int rc)
{
	if (rc == -ENOMEM)
		return ops_out_of_memory();
	if (rc != 0)
		return CTL_EXIT_FAIL;
	return ops_flush();
}

/* ---- command lines ------------------------------------------------------- */

struct ops_usage {
	const char *args;     /* after the path: "NAME PASSWORD" */
	const char *text;     /* the rest of --help */
};

static void
ops_print_usage(FILE *f, const char *path, const struct ops_usage *u)
{
	fprintf(f, "Usage: %s%s%s\n\n%s", path, u->args[0] ? " " : "",
		u->args, u->text);
}

/*
 * The command line of a command with positional arguments only (and
 * -h/--help; "--" ends the options, for a password that starts with
 * '-'). names are the nargs arguments, for messages. Returns -1 with the
 * arguments at argv[optind...], or an exit status to return.
 */
static int
ops_args(const char *path, int argc, char **argv, const struct ops_usage *u,
	 const char *const *names, int nargs)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c != 'h')
			return ctl_option_error(path, c, argv);
		ops_print_usage(stdout, path, u);
		return CTL_EXIT_OK;
	}
	if (argc - optind < nargs)
		return ctl_usage_error(path, "missing %s",
				       names[argc - optind]);
	if (argc - optind > nargs)
		return ctl_usage_error(path, "unexpected argument '%s'",
				       argv[optind + nargs]);
	return -1;
}

/* A command made of subcommands (users, secrets): dispatch. */
static int
ops_group(const struct ctl_opts *opts, const char *path, int argc,
	  char **argv, const struct ctl_cmd *cmds, size_t ncmds,
	  const char *what)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (c != 'h')
			return ctl_option_error(path, c, argv);
		printf("Usage: %s COMMAND [ARGS...]\n\n%s\n\nCommands:\n",
		       path, what);
		ctl_usage_commands(stdout, cmds, ncmds);
		printf("\nRun '%s COMMAND --help' for a command's arguments.\n",
		       path);
		return CTL_EXIT_OK;
	}
	if (optind >= argc)
		return ctl_usage_error(path, "missing command (add, del, list%s)",
				       ncmds > 3 ? " or import-coturn" : "");
	return ctl_dispatch(cmds, ncmds, opts, path, argc - optind,
			    argv + optind);
}

/* ---- status -------------------------------------------------------------- */

/* "1d 2h 3m 4s", leading zero units left out. */
static void
ops_duration(int64_t s, char *buf, size_t size)
{
	int64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (s < 0)
		snprintf(buf, size, "%" PRId64 "s", s);
	else if (d > 0)
		snprintf(buf, size, "%" PRId64 "d %" PRId64 "h %" PRId64 "m %"
			 PRId64 "s", d, h, m, s % 60);
	else if (h > 0)
		snprintf(buf, size, "%" PRId64 "h %" PRId64 "m %" PRId64 "s",
			 h, m, s % 60);
	else if (m > 0)
		snprintf(buf, size, "%" PRId64 "m %" PRId64 "s", m, s % 60);
	else
		snprintf(buf, size, "%" PRId64 "s", s);
}

/* WORKER TO_CP_PENDING TO_DP_PENDING TCP_CONNS, one row per worker. */
static int
ops_status_workers(struct json_object *workers, struct ops_table *t)
{
	char id[24], to_cp[24], to_dp[24], tcp[24], where[48];
	const char *row[4] = { id, to_cp, to_dp, tcp };
	struct json_object *w, *tc;
	int64_t v[4];
	size_t i, n = json_object_array_length(workers);
	int rc;

	for (i = 0; i < n; i++) {
		w = json_object_array_get_idx(workers, i);
		snprintf(where, sizeof(where), "\"workers\"[%zu]", i);
		if (!json_object_is_type(w, json_type_object))
			return ops_malformed("%s is not an object", where);
		rc = ops_int(w, "id", where, &v[0]);
		if (rc == 0)
			rc = ops_int(w, "to_cp_pending", where, &v[1]);
		if (rc == 0)
			rc = ops_int(w, "to_dp_pending", where, &v[2]);
		if (rc != 0)
			return rc;
		snprintf(id, sizeof(id), "%" PRId64, v[0]);
		snprintf(to_cp, sizeof(to_cp), "%" PRId64, v[1]);
		snprintf(to_dp, sizeof(to_dp), "%" PRId64, v[2]);
		/* a cp before TURN over TCP gives none */
		if (json_object_object_get_ex(w, "tcp_connections", &tc) &&
		    json_object_is_type(tc, json_type_int))
			snprintf(tcp, sizeof(tcp), "%" PRId64, json_object_get_int64(tc));
		else
			snprintf(tcp, sizeof(tcp), "-");
		rc = ops_table_row(t, row);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* STAT VALUE, in the server's order. Values are numbers, shown as the
 * server wrote them. */
static int
ops_status_stats(struct json_object *stats, struct ops_table *t)
{
	const char *row[2];
	int rc;

	json_object_object_foreach(stats, name, val) {
		if (!json_object_is_type(val, json_type_int) &&
		    !json_object_is_type(val, json_type_double))
			return ops_malformed("\"stats\" member \"%s\" is not a number",
					     name);
		row[0] = name;
		row[1] = json_object_get_string(val);
		rc = ops_table_row(t, row);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* "drain        on for 12s, 3 allocation(s) left, alternates ..." when
 * the answer says the box drains (an older cp says nothing). */
static void
ops_drain_line(struct json_object *a)
{
	struct json_object *d, *v, *alts;
	int64_t since = 0, left = 0;

	if (!json_object_object_get_ex(a, "drain", &d) ||
	    !json_object_is_type(d, json_type_object) ||
	    !json_object_object_get_ex(d, "active", &v) ||
	    !json_object_get_boolean(v))
		return;
	ops_int(d, "since_s", "\"drain\"", &since);
	ops_int(d, "allocations_left", "\"drain\"", &left);
	printf("drain        ON for %" PRId64 "s, %" PRId64 " allocation(s) left, "
	       "new ones get ", since, left);
	if (json_object_object_get_ex(d, "alternates", &alts) &&
	    json_object_is_type(alts, json_type_array) &&
	    json_object_array_length(alts) > 0) {
		printf("300 Try Alternate:");
		for (size_t i = 0; i < json_object_array_length(alts); i++)
			ops_put_safe(stdout, " ", json_object_get_string(
				     json_object_array_get_idx(alts, i)), "");
		putchar('\n');
	} else {
		printf("508\n");
	}
}

/* The earliest nonzero workers[].dp.tls.KEY (Unix seconds), 0 for none. */
static int64_t
ops_first_expiry(struct json_object *a, const char *key)
{
	struct json_object *workers, *w, *dp, *tls, *v;
	int64_t first = 0;

	if (!json_object_object_get_ex(a, "workers", &workers) ||
	    !json_object_is_type(workers, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(workers); i++) {
		w = json_object_array_get_idx(workers, i);
		if (json_object_object_get_ex(w, "dp", &dp) &&
		    json_object_object_get_ex(dp, "tls", &tls) &&
		    json_object_object_get_ex(tls, key, &v) &&
		    json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0 &&
		    (first == 0 || json_object_get_int64(v) < first))
			first = json_object_get_int64(v);
	}
	return first;
}

/* "tls cert     expires 2026-11-28 09:04:14 UTC, in 1d 23h 59m 58s", or
 * EXPIRED, for TURN over TLS's and the AGW legs' first certificate to
 * expire (nothing when dp serves none); then dp's reloads. */
static void
ops_tls_lines(struct json_object *a)
{
	static const struct { const char *key, *label; } k[2] = {
		{ "certificate_not_after", "tls cert     " },
		{ "leg_certificate_not_after", "agw leg cert " },
	};
	struct json_object *r, *v;
	int64_t now = (int64_t)time(NULL), n = 0, failed = 0;

	for (unsigned int i = 0; i < 2; i++) {
		int64_t at = ops_first_expiry(a, k[i].key);
		time_t t = (time_t)at;
		char when[32], left[64];
		struct tm tm;

		if (at == 0 || gmtime_r(&t, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
			continue;
		ops_duration(at > now ? at - now : now - at, left, sizeof(left));
		if (at > now)
			printf("%sexpires %s, in %s%s\n", k[i].label, when, left,
			       at - now < 30 * 86400 ? " (RENEW IT)" : "");
		else
			printf("%sEXPIRED %s, %s ago\n", k[i].label, when, left);
	}
	if (json_object_object_get_ex(a, "dp_tls_reloads", &r) &&
	    json_object_object_get_ex(r, "reloads", &v) && json_object_is_type(v, json_type_int) &&
	    (n = json_object_get_int64(v)) > 0) {
		if (json_object_object_get_ex(r, "failed", &v) &&
		    json_object_is_type(v, json_type_int))
			failed = json_object_get_int64(v);
		printf("tls reloads  %" PRId64 ", %" PRId64 " refused (nothing changed)\n", n,
		       failed);
	}
}

static int
ops_status_show(struct json_object *a)
{
	static const char *const whead[4] = {
		"WORKER", "TO_CP_PENDING", "TO_DP_PENDING", "TCP_CONNS",
	};
	static const char *const shead[2] = { "STAT", "VALUE" };
	struct json_object *dp, *alive, *running, *ready, *stats, *workers, *byx;
	int64_t uptime, pid, epoch, nworkers, nallocs, nusers, nsecrets;
	struct ops_table wt, st;
	const char *version;
	char up[64], by_xport[64] = "";
	int rc;

	ops_table_init(&wt, 4, 0xE);
	ops_table_init(&st, 2, 0x2);
	rc = ops_text(a, "version", "the answer", &version);
	if (rc == 0)
		rc = ops_int(a, "uptime_s", "the answer", &uptime);
	if (rc == 0)
		rc = ops_member(a, "dp", json_type_object, "the answer", &dp);
	if (rc == 0)
		rc = ops_member(dp, "alive", json_type_boolean, "\"dp\"",
				&alive);
	if (rc == 0)
		rc = ops_member(dp, "running", json_type_boolean, "\"dp\"",
				&running);
	if (rc == 0)
		rc = ops_member(a, "ready", json_type_boolean, "the answer",
				&ready);
	if (rc == 0)
		rc = ops_int(dp, "pid", "\"dp\"", &pid);
	if (rc == 0)
		rc = ops_int(dp, "epoch", "\"dp\"", &epoch);
	if (rc == 0)
		rc = ops_int(dp, "workers", "\"dp\"", &nworkers);
	if (rc == 0)
		rc = ops_int(a, "allocations", "the answer", &nallocs);
	if (rc == 0)
		rc = ops_int(a, "users", "the answer", &nusers);
	if (rc == 0)
		rc = ops_int(a, "secrets", "the answer", &nsecrets);
	if (rc == 0)
		rc = ops_member(a, "stats", json_type_object, "the answer",
				&stats);
	if (rc == 0)
		rc = ops_member(a, "workers", json_type_array, "the answer",
				&workers);
	if (rc == 0)
		rc = ops_table_row(&wt, whead);
	if (rc == 0)
		rc = ops_status_workers(workers, &wt);
	if (rc == 0)
		rc = ops_table_row(&st, shead);
	if (rc == 0)
		rc = ops_status_stats(stats, &st);
	if (rc != 0)
		goto out;
	/* by transport, when cp gives it */
	if (json_object_object_get_ex(a, "allocations_by_transport", &byx) &&
	    json_object_is_type(byx, json_type_object)) {
		struct json_object *u = NULL, *t = NULL;

		if (json_object_object_get_ex(byx, "UDP", &u) &&
		    json_object_object_get_ex(byx, "TCP", &t) &&
		    json_object_is_type(u, json_type_int) &&
		    json_object_is_type(t, json_type_int))
			snprintf(by_xport, sizeof(by_xport), " (UDP %" PRId64 ", TCP %" PRId64 ")",
				 json_object_get_int64(u), json_object_get_int64(t));
	}

	ops_duration(uptime, up, sizeof(up));
	rc = ops_put_safe(stdout, "version      ", version, "\n");
	if (rc != 0)
		goto out;
	printf("uptime       %s\n", up);
	printf("cp           %s\n", json_object_get_boolean(ready) ? "ready" :
	       "NOT READY (taking dp's state back)");
	printf("dp           %s%s, pid %" PRId64 ", epoch %" PRId64 ", %" PRId64
	       " worker%s\n",
	       json_object_get_boolean(alive) ? "alive" : "NOT ALIVE",
	       json_object_get_boolean(running) ? ", running" : ", NOT RUNNING",
	       pid, epoch, nworkers, nworkers == 1 ? "" : "s");
	{
		struct json_object *lv;
		const char *level = json_object_object_get_ex(a, "log_level", &lv) &&
				    json_object_is_type(lv, json_type_string) ?
				    json_object_get_string(lv) : NULL;

		/* an older cp does not say */
		if (level != NULL &&
		    (rc = ops_put_safe(stdout, "log level    ", level, "\n")) != 0)
			goto out;
	}
	printf("allocations  %" PRId64 "%s\n", nallocs, by_xport);
	printf("users        %" PRId64 "\n", nusers);
	printf("secrets      %" PRId64 "\n", nsecrets);
	ops_drain_line(a);
	ops_tls_lines(a);
	if (wt.nrows > 1) {
		putchar('\n');
		ops_table_print(&wt, stdout);
	}
	if (st.nrows > 1) {
		putchar('\n');
		ops_table_print(&st, stdout);
	}
out:
	ops_table_free(&wt);
	ops_table_free(&st);
	return rc;
}

static const struct ops_usage ops_status_usage = {
	"",
	"Show turnpike-cp's version and uptime, whether turnpike-dp is alive,\n"
	"the numbers of allocations, users and secrets, each dp worker's\n"
	"pending ring messages and turnpike-cp's counters.\n"
	"\n"
	"With the global --json: the answer object, one line:\n"
	"  {\"version\", \"uptime_s\", \"ready\", \"dp\": {\"alive\", \"running\", \"pid\",\n"
	"   \"epoch\", \"workers\"}, \"allocations\", \"users\", \"secrets\", \"stats\": {...},\n"
	"   \"workers\": [{\"id\", \"to_cp_pending\", \"to_dp_pending\",\n"
	"   \"tcp_connections\"}], \"ok\"}\n",
};

int
ctl_status_main(const struct ctl_opts *opts, const char *path, int argc,
		char **argv)
{
	struct json_object *answer;
	int status;

	status = ops_args(path, argc, argv, &ops_status_usage, NULL, 0);
	if (status >= 0)
		return status;
	status = ops_exchange(opts, ops_request("status"), &answer);
	if (answer == NULL)
		return status;
	status = ops_rendered(ops_status_show(answer));
	json_object_put(answer);
	return status;
}

/* ---- ready ---------------------------------------------------------------- */

/*
 * Whether turnpike-cp serves requests (its tables built, dp's state taken
 * back) and turnpike-dp runs, as cp's status answer says: 0 when both, 2
 * when not (and why, on stderr). With --wait S it asks again every 100 ms
 * for up to S seconds, quietly, and reports only how the last try went:
 * what a start-up script or a test waits on before it offers load.
 */
static int
ops_ready_once(const struct ctl_opts *opts, const char **why)
{
	struct json_object *req = ops_request("status"), *ans = NULL, *ok, *v, *dp;
	int rc;

	*why = "turnpike-cp unreachable";
	if (req == NULL)
		return ops_out_of_memory();
	rc = ctl_api_call(opts, req, &ans);
	json_object_put(req);
	if (rc != 0)
		return CTL_EXIT_FAIL;
	rc = CTL_EXIT_FAIL;
	*why = "turnpike-cp refused the status request";
	if (!json_object_object_get_ex(ans, "ok", &ok) || !json_object_get_boolean(ok))
		goto out;
	*why = "turnpike-cp is not ready (taking dp's state back)";
	if (!json_object_object_get_ex(ans, "ready", &v) ||
	    !json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v))
		goto out;
	*why = "turnpike-dp is not running";
	if (!json_object_object_get_ex(ans, "dp", &dp) ||
	    !json_object_object_get_ex(dp, "running", &v) ||
	    !json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v))
		goto out;
	*why = NULL;
	rc = CTL_EXIT_OK;
out:
	json_object_put(ans);
	return rc;
}

int
ctl_ready_main(const struct ctl_opts *opts, const char *path, int argc,
	       char **argv)
{
	static const struct option longopts[] = {
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts q = *opts;
	double wait_s = 0;
	struct timespec t0, t;
	const char *why = NULL;
	char *end;
	int c, status;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			errno = 0;
			wait_s = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !(wait_s >= 0 && wait_s <= 3600))
				return ctl_usage_error(path, "--wait takes seconds, 0..3600, "
						       "not '%s'", optarg);
			break;
		case 'h':
			printf("Usage: %s [--wait SECONDS]\n\n"
			       "Exit 0 when turnpike-cp serves requests (its tables built and\n"
			       "turnpike-dp's state taken back) and turnpike-dp runs; 2, and why\n"
			       "on stderr, when not. --wait asks every 100 ms until then, for at\n"
			       "most SECONDS.\n", path);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	q.quiet = true;
	q.json = false;
	for (;;) {
		double el;

		status = ops_ready_once(&q, &why);
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
		if (status == CTL_EXIT_OK || el + 0.1 > wait_s)
			break;
		nanosleep(&(struct timespec){ .tv_sec = 0, .tv_nsec = 100000000 }, NULL);
	}
	if (status != CTL_EXIT_OK) {
		/* Once more, aloud, so that the reason for an unreachable cp
		 * is on stderr too. */
		if (why != NULL && strcmp(why, "turnpike-cp unreachable") == 0)
			status = ops_ready_once(opts, &why);
		fprintf(stderr, "%s: not ready: %s\n", CTL_PROG, why ? why : "?");
		return CTL_EXIT_FAIL;
	}
	if (opts->json)
		puts("{\"ready\":true}");
	else
		puts("ready: turnpike-cp serves, turnpike-dp runs");
	return ops_flush();
}

/* ---- allocations --------------------------------------------------------- */

enum {
	OPS_AL_ID, OPS_AL_USER, OPS_AL_CLIENT, OPS_AL_XPORT, OPS_AL_RELAYED, OPS_AL_PEERS,
	OPS_AL_CHANNELS, OPS_AL_LEFT, OPS_AL_C2P, OPS_AL_P2C, OPS_AL_NCOLS,
};

/* Numbers right-aligned: ID, LEFT(s) and the counters. */
#define OPS_AL_RIGHT ((1u << OPS_AL_ID) | (1u << OPS_AL_LEFT) | \
		      (1u << OPS_AL_C2P) | (1u << OPS_AL_P2C))

/* The strings of list, or member key of each of its objects, joined by
 * commas into b ("-" when empty). Channels show as "0x4000=peer". */
static int
ops_join(struct json_object *list, const char *key, const char *key2,
	 const char *where, struct ops_str *b)
{
	struct json_object *e;
	const char *s, *s2;
	char ewhere[96];
	size_t i, n = json_object_array_length(list);
	int rc;

	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(list, i);
		snprintf(ewhere, sizeof(ewhere), "%s[%zu]", where, i);
		if (key == NULL) {
			if (!json_object_is_type(e, json_type_string))
				return ops_malformed("%s is not a string",
						     ewhere);
			ops_str_add(b, "%s%s", i ? "," : "",
				    json_object_get_string(e));
			continue;
		}
		if (!json_object_is_type(e, json_type_object))
			return ops_malformed("%s is not an object", ewhere);
		rc = ops_text(e, key, ewhere, &s);
		if (rc != 0)
			return rc;
		if (key2 == NULL) {
			ops_str_add(b, "%s%s", i ? "," : "", s);
			continue;
		}
		rc = ops_text(e, key2, ewhere, &s2);
		if (rc != 0)
			return rc;
		ops_str_add(b, "%s%s=%s", i ? "," : "", s, s2);
	}
	if (n == 0)
		ops_str_add(b, "-");
	return b->failed ? -ENOMEM : 0;
}

static int
ops_allocation_row(struct json_object *a, size_t idx, struct ops_table *t)
{
	static const char *const counters[4] = {
		"pkts_to_peer", "bytes_to_peer", "pkts_to_client",
		"bytes_to_client",
	};
	struct ops_str rel = { 0 }, peers = { 0 }, chans = { 0 };
	struct json_object *relayed, *plist, *clist;
	char id[24], left[24], c2p[48], p2c[48], where[64], lwhere[96];
	const char *row[OPS_AL_NCOLS], *user, *client, *transport = "UDP", *conn = NULL;
	struct json_object *tmp;
	char xport[64];
	int64_t vid, vleft, cnt[4];
	unsigned int k;
	int rc;

	snprintf(where, sizeof(where), "\"allocations\"[%zu]", idx);
	if (!json_object_is_type(a, json_type_object))
		return ops_malformed("%s is not an object", where);
	rc = ops_int(a, "id", where, &vid);
	if (rc == 0) {
		/* From here on, name the allocation by its id. */
		snprintf(where, sizeof(where), "allocation %" PRId64, vid);
		rc = ops_text(a, "user", where, &user);
	}
	if (rc == 0)
		rc = ops_text(a, "client", where, &client);
	/* "transport" and "connection" came with TURN over TCP: a cp
	 * before them has neither (UDP). */
	if (rc == 0 && json_object_object_get_ex(a, "transport", &tmp) &&
	    json_object_is_type(tmp, json_type_string))
		transport = json_object_get_string(tmp);
	if (rc == 0 && json_object_object_get_ex(a, "connection", &tmp) &&
	    json_object_is_type(tmp, json_type_string))
		conn = json_object_get_string(tmp);
	if (rc == 0)
		rc = ops_member(a, "relayed", json_type_array, where,
				&relayed);
	if (rc == 0)
		rc = ops_member(a, "peers", json_type_array, where, &plist);
	if (rc == 0)
		rc = ops_member(a, "channels", json_type_array, where, &clist);
	if (rc == 0)
		rc = ops_int(a, "lifetime_left_s", where, &vleft);
	for (k = 0; rc == 0 && k < 4; k++)
		rc = ops_int(a, counters[k], where, &cnt[k]);
	if (rc == 0) {
		snprintf(lwhere, sizeof(lwhere), "%s \"relayed\"", where);
		rc = ops_join(relayed, NULL, NULL, lwhere, &rel);
	}
	if (rc == 0) {
		snprintf(lwhere, sizeof(lwhere), "%s \"peers\"", where);
		rc = ops_join(plist, "peer", NULL, lwhere, &peers);
	}
	if (rc == 0) {
		snprintf(lwhere, sizeof(lwhere), "%s \"channels\"", where);
		rc = ops_join(clist, "channel", "peer", lwhere, &chans);
	}
	if (rc == 0) {
		snprintf(id, sizeof(id), "%" PRId64, vid);
		snprintf(left, sizeof(left), "%" PRId64, vleft);
		snprintf(c2p, sizeof(c2p), "%" PRId64 "/%" PRId64, cnt[0],
			 cnt[1]);
		snprintf(p2c, sizeof(p2c), "%" PRId64 "/%" PRId64, cnt[2],
			 cnt[3]);
		row[OPS_AL_ID] = id;
		row[OPS_AL_USER] = user;
		row[OPS_AL_CLIENT] = client;
		if (conn != NULL)
			snprintf(xport, sizeof(xport), "%s/%s", transport, conn);
		else
			snprintf(xport, sizeof(xport), "%s", transport);
		row[OPS_AL_XPORT] = xport;
		row[OPS_AL_RELAYED] = rel.s;
		row[OPS_AL_PEERS] = peers.s;
		row[OPS_AL_CHANNELS] = chans.s;
		row[OPS_AL_LEFT] = left;
		row[OPS_AL_C2P] = c2p;
		row[OPS_AL_P2C] = p2c;
		rc = ops_table_row(t, row);
	}
	free(rel.s);
	free(peers.s);
	free(chans.s);
	return rc;
}

static int
ops_allocations_show(struct json_object *a)
{
	static const char *const head[OPS_AL_NCOLS] = {
		"ID", "USER", "CLIENT", "TRANSPORT", "RELAYED", "PEERS", "CHANNELS",
		"LEFT(s)", "C->P(pkts/bytes)", "P->C(pkts/bytes)",
	};
	struct json_object *list;
	struct ops_table t;
	size_t i, n;
	int rc;

	rc = ops_member(a, "allocations", json_type_array, "the answer",
			&list);
	if (rc != 0)
		return rc;
	n = json_object_array_length(list);
	if (n == 0) {
		puts("no allocations");
		return 0;
	}
	ops_table_init(&t, OPS_AL_NCOLS, OPS_AL_RIGHT);
	rc = ops_table_row(&t, head);
	for (i = 0; rc == 0 && i < n; i++)
		rc = ops_allocation_row(json_object_array_get_idx(list, i), i,
					&t);
	if (rc == 0)
		ops_table_print(&t, stdout);
	ops_table_free(&t);
	return rc;
}

static void
ops_allocations_usage(FILE *f, const char *path)
{
	fprintf(f,
		"Usage: %s [--user USER] [--cluster]\n"
		"\n"
		"List the live allocations, one row each:\n"
		"  ID        the allocation's id (for 'kill')\n"
		"  USER      the username it authenticated with\n"
		"  CLIENT    the client's address and port\n"
		"  TRANSPORT UDP, or TCP/ and its connection in dp (worker:slot:gen);\n"
		"            an allocation made over TCP goes when that closes\n"
		"  RELAYED   its relayed transport address(es)\n"
		"  PEERS     the peer addresses it has permissions for\n"
		"  CHANNELS  its channels, as CHANNEL=PEER:PORT\n"
		"  LEFT(s)   seconds until it expires unless refreshed\n"
		"  C->P      packets/bytes relayed from the client to peers\n"
		"  P->C      packets/bytes relayed from peers to the client\n"
		"\n"
		"Options:\n"
		"  -u, --user USER  only USER's allocations\n"
		"  -c, --cluster    every box's, from the cluster's registry in Redis\n"
		"                   (BOX ID USER CLIENT TRANSPORT RELAYED LEFT(s));\n"
		"                   with --json {\"allocations\": [{\"box\", \"id\", \"user\",\n"
		"                   \"client\", \"transport\", \"relayed\", \"lifetime_left_s\"}],\n"
		"                   \"boxes\", \"malformed\", \"ok\"}\n"
		"  -h, --help       show this help and exit\n"
		"\n"
		"With the global --json: the answer object, one line, with\n"
		"every expiry and all eight counters (pkts_/bytes_ from_client,\n"
		"to_peer, from_peer, to_client):\n"
		"  {\"allocations\": [{\"id\", \"user\", \"worker\", \"client\",\n"
		"   \"transport\", \"connection\" (TCP only),\n"
		"   \"relayed\", \"lifetime_left_s\", \"peers\": [{\"peer\",\n"
		"   \"expires_in_s\"}], \"channels\": [{\"channel\", \"peer\",\n"
		"   \"expires_in_s\"}], counters...}], \"ok\"}\n",
		path);
}

int
ctl_allocations_main(const struct ctl_opts *opts, const char *path, int argc,
		     char **argv)
{
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "cluster", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *req, *answer;
	const char *user = NULL;
	bool cluster = false;
	int c, status;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":u:ch", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'c':
			cluster = true;
			break;
		case 'h':
			ops_allocations_usage(stdout, path);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'",
				       argv[optind]);
	if (cluster)
		return ctl_allocations_cluster(opts, user);
	req = ops_request("allocations");
	if (user != NULL)
		req = ops_req_str(req, "user", user);
	status = ops_exchange(opts, req, &answer);
	if (answer == NULL)
		return status;
	status = ops_rendered(ops_allocations_show(answer));
	json_object_put(answer);
	return status;
}

/* ---- kill ---------------------------------------------------------------- */

/* A positive decimal integer that fits an int64: digits only, no sign,
 * no blanks. Returns 0 or -EINVAL. */
static int
ops_parse_id(const char *s, int64_t *id)
{
	uint64_t v = 0;
	const char *p;

	if (*s == '\0')
		return -EINVAL;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > ((uint64_t)INT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v == 0)
		return -EINVAL;
	*id = (int64_t)v;
	return 0;
}

static const struct ops_usage ops_kill_usage = {
	"ALLOCATION-ID",
	"Remove an allocation now: turnpike-dp stops relaying for it and its\n"
	"relayed address is free again. ALLOCATION-ID is the ID column of\n"
	"'turnpikectl allocations' (a positive decimal integer).\n",
};

int
ctl_kill_main(const struct ctl_opts *opts, const char *path, int argc,
	      char **argv)
{
	static const char *const names[] = { "ALLOCATION-ID" };
	struct json_object *answer;
	int64_t id;
	int status;

	status = ops_args(path, argc, argv, &ops_kill_usage, names, 1);
	if (status >= 0)
		return status;
	if (ops_parse_id(argv[optind], &id) != 0)
		return ctl_usage_error(path,
			"'%s' is not an allocation id (a positive decimal integer, see '%s allocations')",
			argv[optind], CTL_PROG);
	status = ops_exchange(opts, ops_req_int(ops_request("kill"), "id", id),
			      &answer);
	if (answer == NULL)
		return status;
	printf("killed allocation %" PRId64 "\n", id);
	json_object_put(answer);
	return ops_flush();
}

/* ---- reload ------------------------------------------------------------ */

/* The strings of array key, each on a line after prefix. */
static void
ops_lines(struct json_object *a, const char *key, const char *prefix)
{
	struct json_object *list;

	if (!json_object_object_get_ex(a, key, &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++)
		ops_put_safe(stdout, prefix, json_object_get_string(
			     json_object_array_get_idx(list, i)), "\n");
}

int
ctl_reload_main(const struct ctl_opts *opts, const char *path, int argc,
		char **argv)
{
	static const struct ops_usage usage = {
		"",
		"Make turnpike-cp read its configuration file again (as SIGHUP does).\n"
		"Users and REST secrets of the file, the peer policy, cp.quota_user,\n"
		"the lifetimes, cp.metrics and cp.alternates change at once, with no\n"
		"allocation lost; other changed settings are named with the restart\n"
		"they need. A file that does not load changes nothing (exit 2).\n",
	};
	struct json_object *answer, *list;
	int status;

	status = ops_args(path, argc, argv, &usage, NULL, 0);
	if (status >= 0)
		return status;
	status = ops_exchange(opts, ops_request("reload"), &answer);
	if (answer == NULL)
		return status;
	if (json_object_object_get_ex(answer, "changed", &list) &&
	    json_object_array_length(list) == 0)
		puts("reloaded: nothing changed");
	else
		puts("reloaded:");
	ops_lines(answer, "changed", "  changed: ");
	ops_lines(answer, "restart_needed", "  NOT applied, needs a restart: ");
	json_object_put(answer);
	return ops_flush();
}

/* ---- drain ------------------------------------------------------------- */

int
ctl_drain_main(const struct ctl_opts *opts, const char *path, int argc,
	       char **argv)
{
	static const struct option longopts[] = {
		{ "alternate", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *req, *alts, *answer;
	int c, status;

	alts = json_object_new_array();
	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":a:h", longopts, NULL)) != -1) {
		if (c == 'a') {
			json_object_array_add(alts, json_object_new_string(optarg));
			continue;
		}
		json_object_put(alts);
		if (c != 'h')
			return ctl_option_error(path, c, argv);
		printf("Usage: %s [--alternate ADDR]...\n\n"
		       "Take the box out of service gently: new Allocates are answered\n"
		       "300 Try Alternate with an ALTERNATE-SERVER (RFC 8489 section 10) of the\n"
		       "client's address family from the ADDRs given (192.0.2.7:3478,\n"
		       "[2001:db8::7]:3478), or 508 when there is none; allocations that\n"
		       "exist run on until they expire. 'status' shows the drain and\n"
		       "what is left; 'undrain' ends it.\n", path);
		return CTL_EXIT_OK;
	}
	if (optind < argc) {
		json_object_put(alts);
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	}
	req = ops_request("drain");
	json_object_object_add(req, "alternates", alts);
	status = ops_exchange(opts, req, &answer);
	if (answer == NULL)
		return status;
	ops_drain_line(answer);
	json_object_put(answer);
	return ops_flush();
}

int
ctl_undrain_main(const struct ctl_opts *opts, const char *path, int argc,
		 char **argv)
{
	static const struct ops_usage usage = {
		"", "End a drain: new Allocates are served again.\n",
	};
	struct json_object *answer;
	int status;

	status = ops_args(path, argc, argv, &usage, NULL, 0);
	if (status >= 0)
		return status;
	status = ops_exchange(opts, ops_request("undrain"), &answer);
	if (answer == NULL)
		return status;
	puts("drain ended: new allocations are served");
	json_object_put(answer);
	return ops_flush();
}

/* ---- users --------------------------------------------------------------- */

/* The strings of member key, one per line, or "no <key>". */
static int
ops_names_show(struct json_object *a, const char *key)
{
	struct json_object *list, *e;
	size_t i, n;
	int rc;

	rc = ops_member(a, key, json_type_array, "the answer", &list);
	if (rc != 0)
		return rc;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(list, i),
					 json_type_string))
			return ops_malformed("\"%s\"[%zu] is not a string", key,
					     i);
	if (n == 0)
		printf("no %s\n", key);
	for (i = 0; rc == 0 && i < n; i++) {
		e = json_object_array_get_idx(list, i);
		rc = ops_put_safe(stdout, "", json_object_get_string(e), "\n");
	}
	return rc;
}

/* Send req; on success print done (a terminal-safe line) unless --json. */
static int
ops_simple(const struct ctl_opts *opts, struct json_object *req,
	   const char *done, const char *arg)
{
	struct json_object *answer;
	int status;

	status = ops_exchange(opts, req, &answer);
	if (answer == NULL)
		return status;
	json_object_put(answer);
	if (ops_put_safe(stdout, done, arg, "\n") != 0)
		return ops_out_of_memory();
	return ops_flush();
}

static const struct ops_usage ops_users_add_usage = {
	"[--] NAME PASSWORD",
	"Add a static (long-term credential) user, or set the password of\n"
	"an existing one. turnpike-cp applies SASLprep (RFC 4013) to both.\n"
	"\n"
	"A password on the command line is visible to other local users\n"
	"(ps, shell history). Put '--' before NAME if NAME or PASSWORD\n"
	"starts with '-'.\n",
};

static int
ops_users_add(const struct ctl_opts *opts, const char *path, int argc,
	      char **argv)
{
	static const char *const names[] = { "NAME", "PASSWORD" };
	int status;

	status = ops_args(path, argc, argv, &ops_users_add_usage, names, 2);
	if (status >= 0)
		return status;
	return ops_simple(opts,
			  ops_req_str(ops_req_str(ops_request("users.add"),
						  "name", argv[optind]),
				      "password", argv[optind + 1]),
			  "added user ", argv[optind]);
}

static const struct ops_usage ops_users_del_usage = {
	"[--] NAME",
	"Delete a static user. Its allocations stay until they expire (see\n"
	"'turnpikectl allocations --user NAME' and 'turnpikectl kill').\n",
};

static int
ops_users_del(const struct ctl_opts *opts, const char *path, int argc,
	      char **argv)
{
	static const char *const names[] = { "NAME" };
	int status;

	status = ops_args(path, argc, argv, &ops_users_del_usage, names, 1);
	if (status >= 0)
		return status;
	return ops_simple(opts,
			  ops_req_str(ops_request("users.del"), "name",
				      argv[optind]),
			  "deleted user ", argv[optind]);
}

static const struct ops_usage ops_users_list_usage = {
	"",
	"List the static users' names, one per line (\"no users\" when\n"
	"there are none). With the global --json: {\"users\": [NAME...],\n"
	"\"ok\": true}.\n",
};

static int
ops_users_list(const struct ctl_opts *opts, const char *path, int argc,
	       char **argv)
{
	struct json_object *answer;
	int status;

	status = ops_args(path, argc, argv, &ops_users_list_usage, NULL, 0);
	if (status >= 0)
		return status;
	status = ops_exchange(opts, ops_request("users.list"), &answer);
	if (answer == NULL)
		return status;
	status = ops_rendered(ops_names_show(answer, "users"));
	json_object_put(answer);
	return status;
}

static const struct ctl_cmd ops_users_cmds[] = {
	{ "add", "add a user or change its password", ops_users_add },
	{ "del", "delete a user", ops_users_del },
	{ "list", "list the users' names", ops_users_list },
	{ "import-coturn", "import users and secrets from coturn's database",
	  ctl_users_import_coturn },
};

int
ctl_users_main(const struct ctl_opts *opts, const char *path, int argc,
	       char **argv)
{
	return ops_group(opts, path, argc, argv, ops_users_cmds,
			 TP_ARRAY_SIZE(ops_users_cmds),
			 "Manage turnpike-cp's static users (long-term credentials).");
}

/* ---- secrets ------------------------------------------------------------- */

/* TAG LENGTH, one line per secret, no header (so that a line is a
 * secret), or "no secrets". */
static int
ops_secrets_show(struct json_object *a)
{
	struct json_object *list, *e;
	struct ops_table t;
	const char *tag, *row[2];
	char where[48], len[40];
	int64_t vlen;
	size_t i, n;
	int rc;

	rc = ops_member(a, "secrets", json_type_array, "the answer", &list);
	if (rc != 0)
		return rc;
	n = json_object_array_length(list);
	if (n == 0) {
		puts("no secrets");
		return 0;
	}
	ops_table_init(&t, 2, 0);
	for (i = 0; rc == 0 && i < n; i++) {
		e = json_object_array_get_idx(list, i);
		snprintf(where, sizeof(where), "\"secrets\"[%zu]", i);
		if (!json_object_is_type(e, json_type_object)) {
			rc = ops_malformed("%s is not an object", where);
			break;
		}
		rc = ops_text(e, "tag", where, &tag);
		if (rc == 0)
			rc = ops_int(e, "length", where, &vlen);
		if (rc != 0)
			break;
		snprintf(len, sizeof(len), "%" PRId64 " bytes", vlen);
		row[0] = tag;
		row[1] = len;
		rc = ops_table_row(&t, row);
	}
	if (rc == 0)
		ops_table_print(&t, stdout);
	ops_table_free(&t);
	return rc;
}

static const struct ops_usage ops_secrets_add_usage = {
	"[--] SECRET",
	"Add a shared secret for TURN REST API credentials (the username\n"
	"carries an expiry time, the password is base64(HMAC-SHA1(SECRET,\n"
	"username))).\n"
	"Several secrets may be live at once, for rotation.\n"
	"\n"
	"A secret on the command line is visible to other local users (ps,\n"
	"shell history). It is never printed back; 'list' shows its tag.\n",
};

static int
ops_secrets_add(const struct ctl_opts *opts, const char *path, int argc,
		char **argv)
{
	static const char *const names[] = { "SECRET" };
	int status;

	status = ops_args(path, argc, argv, &ops_secrets_add_usage, names, 1);
	if (status >= 0)
		return status;
	return ops_simple(opts,
			  ops_req_str(ops_request("secrets.add"), "secret",
				      argv[optind]),
			  "added secret", "");
}

static const struct ops_usage ops_secrets_del_usage = {
	"[--] SECRET-OR-TAG",
	"Delete a shared secret, given as itself or as its tag (the TAG\n"
	"column of 'turnpikectl secrets list').\n",
};

static int
ops_secrets_del(const struct ctl_opts *opts, const char *path, int argc,
		char **argv)
{
	static const char *const names[] = { "SECRET-OR-TAG" };
	int status;

	status = ops_args(path, argc, argv, &ops_secrets_del_usage, names, 1);
	if (status >= 0)
		return status;
	return ops_simple(opts,
			  ops_req_str(ops_request("secrets.del"), "secret",
				      argv[optind]),
			  "deleted secret", "");
}

static const struct ops_usage ops_secrets_list_usage = {
	"",
	"List the shared secrets, one line each: its tag (16 hex digits,\n"
	"safe to show) and its length; \"no secrets\" when there are none.\n"
	"With the global --json: {\"secrets\": [{\"tag\", \"length\"}...],\n"
	"\"ok\": true}.\n",
};

static int
ops_secrets_list(const struct ctl_opts *opts, const char *path, int argc,
		 char **argv)
{
	struct json_object *answer;
	int status;

	status = ops_args(path, argc, argv, &ops_secrets_list_usage, NULL, 0);
	if (status >= 0)
		return status;
	status = ops_exchange(opts, ops_request("secrets.list"), &answer);
	if (answer == NULL)
		return status;
	status = ops_rendered(ops_secrets_show(answer));
	json_object_put(answer);
	return status;
}

static const struct ctl_cmd ops_secrets_cmds[] = {
	{ "add", "add a shared secret", ops_secrets_add },
	{ "del", "delete a secret, by value or tag", ops_secrets_del },
	{ "list", "list the secrets' tags and lengths", ops_secrets_list },
};

int
ctl_secrets_main(const struct ctl_opts *opts, const char *path, int argc,
		 char **argv)
{
	return ops_group(opts, path, argc, argv, ops_secrets_cmds,
			 TP_ARRAY_SIZE(ops_secrets_cmds),
			 "Manage the shared secrets of TURN REST API credentials.");
}

/* ---- TLS 1.3 external PSKs ---------------------------------------------- */

static const struct ops_usage ops_psk_add_usage = {
	"[--key-hex HEX] [--cipher SUITE] [--] IDENTITY",
	"Install a TLS 1.3 external PSK (RFC 8446 §4.2.11) for IDENTITY, or\n"
	"give an existing one a new key; every dp worker takes it. Clients\n"
	"use it with (EC)DHE and see no certificate, e.g.\n"
	"  openssl s_client -tls1_3 -psk_identity IDENTITY -psk HEX ...\n"
	"\n"
	"The key (16 to 64 bytes in hex) is read from the first line of\n"
	"standard input, so that it shows in no process list:\n"
	"  turnpikectl psk add ue-0001 < ue-0001.key\n"
	"--key-hex HEX gives it on the command line instead, where other\n"
	"local users can see it (ps, shell history).\n"
	"--cipher: the TLS 1.3 suite whose hash the key is bound to:\n"
	"TLS_AES_128_GCM_SHA256 (the default, what s_client -psk uses),\n"
	"TLS_AES_256_GCM_SHA384 or TLS_CHACHA20_POLY1305_SHA256.\n"
	"The key is never printed back; 'list' shows identities only.\n",
};

/* The key's hex from the first line of stdin, blanks trimmed. */
static int
ops_psk_read_key(char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, stdin) == NULL)
		return -EIO;
	n = strlen(buf);
	if (n == len - 1 && buf[n - 1] != '\n')
		return -E2BIG;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
			 buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return n > 0 ? 0 : -ENODATA;
}

static int
ops_psk_add(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key-hex", required_argument, NULL, 'k' },
		{ "cipher", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cipher = NULL;
	char key[2 * 64 + 8];
	struct json_object *req;
	bool have_key = false;
	int c, status;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (strlen(optarg) >= sizeof(key))
				return ctl_usage_error(path, "--key-hex: at most 64 bytes "
						       "(128 hex digits)");
			snprintf(key, sizeof(key), "%s", optarg);
			have_key = true;
			break;
		case 'c':
			cipher = optarg;
			break;
		case 'h':
			ops_print_usage(stdout, path, &ops_psk_add_usage);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if (argc - optind < 1)
		return ctl_usage_error(path, "missing IDENTITY");
	if (argc - optind > 1)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind + 1]);
	if (!have_key) {
		int rc = ops_psk_read_key(key, sizeof(key));

		if (rc < 0) {
			OPENSSL_cleanse(key, sizeof(key));
			return ctl_usage_error(path, "no key: give it in hex on the first "
					       "line of standard input, or with --key-hex%s",
					       rc == -E2BIG ? " (that line is too long)" : "");
		}
	}
	req = ops_req_str(ops_req_str(ops_request("psk.add"), "identity", argv[optind]),
			  "key", key);
	OPENSSL_cleanse(key, sizeof(key));
	if (cipher != NULL)
		req = ops_req_str(req, "cipher", cipher);
	status = ops_simple(opts, req, "added PSK ", argv[optind]);
	return status;
}

static const struct ops_usage ops_psk_del_usage = {
	"[--] IDENTITY",
	"Remove the TLS external PSK of IDENTITY from cp and every dp worker.\n"
	"Connections made with it run on; new handshakes with it fail.\n",
};

static int
ops_psk_del(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const char *const names[] = { "IDENTITY" };
	int status;

	status = ops_args(path, argc, argv, &ops_psk_del_usage, names, 1);
	if (status >= 0)
		return status;
	return ops_simple(opts,
			  ops_req_str(ops_request("psk.del"), "identity", argv[optind]),
			  "deleted PSK ", argv[optind]);
}

/* IDENTITY SUITE, one line each, or "no PSKs". */
static int
ops_psk_show(struct json_object *a)
{
	struct json_object *list, *e;
	struct ops_table t;
	const char *row[2];
	char where[48];
	size_t i, n;
	int rc;

	rc = ops_member(a, "psks", json_type_array, "the answer", &list);
	if (rc != 0)
		return rc;
	n = json_object_array_length(list);
	if (n == 0) {
		puts("no PSKs");
		return 0;
	}
	ops_table_init(&t, 2, 0);
	for (i = 0; rc == 0 && i < n; i++) {
		e = json_object_array_get_idx(list, i);
		snprintf(where, sizeof(where), "\"psks\"[%zu]", i);
		if (!json_object_is_type(e, json_type_object)) {
			rc = ops_malformed("%s is not an object", where);
			break;
		}
		rc = ops_text(e, "identity", where, &row[0]);
		if (rc == 0)
			rc = ops_text(e, "cipher", where, &row[1]);
		if (rc == 0)
			rc = ops_table_row(&t, row);
	}
	if (rc == 0)
		ops_table_print(&t, stdout);
	ops_table_free(&t);
	return rc;
}

static const struct ops_usage ops_psk_list_usage = {
	"",
	"List the TLS external PSKs: identity and suite, one line each (\"no\n"
	"PSKs\" when there are none); never a key. With the global --json:\n"
	"{\"psks\": [{\"identity\", \"cipher\"}...], \"ok\": true}.\n",
};

static int
ops_psk_list(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	struct json_object *answer;
	int status;

	status = ops_args(path, argc, argv, &ops_psk_list_usage, NULL, 0);
	if (status >= 0)
		return status;
	status = ops_exchange(opts, ops_request("psk.list"), &answer);
	if (answer == NULL)
		return status;
	status = ops_rendered(ops_psk_show(answer));
	json_object_put(answer);
	return status;
}

static const struct ctl_cmd ops_psk_cmds[] = {
	{ "add", "install a PSK (key from stdin or --key-hex)", ops_psk_add },
	{ "del", "remove a PSK", ops_psk_del },
	{ "list", "list the PSKs' identities", ops_psk_list },
};

int
ctl_psk_main(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	return ops_group(opts, path, argc, argv, ops_psk_cmds, TP_ARRAY_SIZE(ops_psk_cmds),
			 "Manage the TLS 1.3 external PSKs of dp's TLS listeners.");
}
