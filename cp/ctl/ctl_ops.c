/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator commands that talk to turnpike-cp over its API socket:
 * status, allocations, kill, users, secrets. One JSON object each way per
 * connection (see cp/api/api.h); tables for people, the answer as is with
 * --json for scripts.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"

static const char *
socket_path(const struct ctl_opts *opts)
{
	const char *env = getenv("TURNPIKE_SOCKET");

	if (opts->socket != NULL)
		return opts->socket;
	return env != NULL && env[0] != '\0' ? env : CTL_DEFAULT_SOCKET;
}

/* Send req (consumed) and return the answer object, or NULL after
 * printing why. */
static struct json_object *
api_call(const struct ctl_opts *opts, struct json_object *req)
{
	const char *path = socket_path(opts);
	struct sockaddr_un sun;
	struct timeval tv = { .tv_sec = 5, .tv_usec = 0 };
	struct json_tokener *tok = NULL;
	struct json_object *resp = NULL;
	const char *text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text), off = 0;
	char buf[65536];
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "%s: socket path too long: %s\n", CTL_PROG, path);
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto out;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "%s: cannot reach turnpike-cp at %s: %s (is turnpike-cp "
			"running? see --socket or TURNPIKE_SOCKET)\n", CTL_PROG, path,
			strerror(errno));
		close(fd);
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	tok = json_tokener_new();
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		resp = json_tokener_parse_ex(tok, buf, (int)n);
		if (resp != NULL || json_tokener_get_error(tok) != json_tokener_continue)
			break;
	}
	close(fd);
	json_tokener_free(tok);
	if (resp == NULL || !json_object_is_type(resp, json_type_object)) {
		fprintf(stderr, "%s: turnpike-cp at %s gave no valid answer\n", CTL_PROG,
			path);
		json_object_put(resp);
		resp = NULL;
	}
out:
	json_object_put(req);
	return resp;
}

static long long
num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *
str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* Print the answer: as JSON with --json, else via show(). Exit status. */
static int
finish(const struct ctl_opts *opts, struct json_object *resp,
       void (*show)(struct json_object *resp))
{
	struct json_object *ok;
	int rc = CTL_EXIT_OK;

	if (resp == NULL)
		return CTL_EXIT_FAIL;
	if (!json_object_object_get_ex(resp, "ok", &ok) || !json_object_get_boolean(ok)) {
		fprintf(stderr, "%s: %s\n", CTL_PROG, str(resp, "error"));
		rc = CTL_EXIT_FAIL;
	}
	if (opts->json)
		printf("%s\n", json_object_to_json_string_ext(resp,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (rc == CTL_EXIT_OK && show != NULL)
		show(resp);
	json_object_put(resp);
	return rc;
}

static struct json_object *
request(const char *cmd)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	return req;
}

/* Commands take no options but --help; returns -1 to go on. */
static int
simple_args(const char *path, int argc, char **argv, int want_min, int want_max,
	    const char *usage)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: %s %s\n", path, usage);
		return CTL_EXIT_OK;
	}
	if (argc - 1 < want_min || argc - 1 > want_max)
		return ctl_usage_error(path, "usage: %s %s", path, usage);
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return ctl_usage_error(path, "unrecognized option '%s'", argv[i]);
	return -1;
}

/* ---- status -------------------------------------------------------------- */

static void
show_status(struct json_object *r)
{
	struct json_object *dp, *stats, *workers;

	printf("turnpike-cp %s, up %llds\n", str(r, "version"), num(r, "uptime_s"));
	if (json_object_object_get_ex(r, "dp", &dp))
		printf("dp:          %s (pid %lld, epoch %lld, %lld worker(s))\n",
		       json_object_get_boolean(json_object_object_get(dp, "alive")) ?
		       "alive" : "NOT RUNNING", num(dp, "pid"), num(dp, "epoch"),
		       num(dp, "workers"));
	printf("allocations: %lld\nusers:       %lld\nsecrets:     %lld\n",
	       num(r, "allocations"), num(r, "users"), num(r, "secrets"));
	if (json_object_object_get_ex(r, "workers", &workers))
		for (size_t i = 0; i < json_object_array_length(workers); i++) {
			struct json_object *w = json_object_array_get_idx(workers, i);

			printf("worker %lld:    rings to cp %lld, to dp %lld pending\n",
			       num(w, "id"), num(w, "to_cp_pending"), num(w, "to_dp_pending"));
		}
	if (json_object_object_get_ex(r, "stats", &stats)) {
		printf("counters:\n");
		json_object_object_foreach(stats, k, v)
			printf("  %-22s %lld\n", k, (long long)json_object_get_int64(v));
	}
}

static int
cmd_status(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	int rc = simple_args(path, argc, argv, 0, 0, "");

	if (rc >= 0)
		return rc;
	return finish(opts, api_call(opts, request("status")), show_status);
}

/* ---- allocations --------------------------------------------------------- */

static void
join(struct json_object *arr, const char *key, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *s = key ? str(e, key) : json_object_get_string(e);
		int n = snprintf(buf + off, size - off, "%s%s", i ? "," : "", s);

		if (n < 0 || (size_t)n >= size - off)
			break;
		off += (size_t)n;
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "-");
}

static void
show_allocations(struct json_object *r)
{
	struct json_object *list;
	size_t n;

	if (!json_object_object_get_ex(r, "allocations", &list) ||
	    (n = json_object_array_length(list)) == 0) {
		printf("no allocations\n");
		return;
	}
	printf("%-6s %-12s %-22s %-24s %-16s %-22s %6s %18s %18s\n", "ID", "USER",
	       "CLIENT", "RELAYED", "PEERS", "CHANNELS", "LEFT", "C->P PKTS/BYTES",
	       "P->C PKTS/BYTES");
	for (size_t i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(list, i), *v;
		char rel[128], peers[128], chans[128], cp[40], pc[40];

		join(json_object_object_get_ex(a, "relayed", &v) ? v : NULL, NULL, rel,
		     sizeof(rel));
		join(json_object_object_get_ex(a, "peers", &v) ? v : NULL, "peer", peers,
		     sizeof(peers));
		join(json_object_object_get_ex(a, "channels", &v) ? v : NULL, "channel",
		     chans, sizeof(chans));
		snprintf(cp, sizeof(cp), "%lld/%lld", num(a, "pkts_to_peer"),
			 num(a, "bytes_to_peer"));
		snprintf(pc, sizeof(pc), "%lld/%lld", num(a, "pkts_to_client"),
			 num(a, "bytes_to_client"));
		printf("%-6lld %-12s %-22s %-24s %-16s %-22s %6lld %18s %18s\n",
		       num(a, "id"), str(a, "user"), str(a, "client"), rel, peers, chans,
		       num(a, "lifetime_left_s"), cp, pc);
	}
}

static int
cmd_allocations(const struct ctl_opts *opts, const char *path, int argc,
		char **argv)
{
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *req;
	const char *user = NULL;
	int c;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":u:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'h':
			printf("Usage: %s [--user USER]\n", path);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	req = request("allocations");
	if (user != NULL)
		json_object_object_add(req, "user", json_object_new_string(user));
	return finish(opts, api_call(opts, req), show_allocations);
}

/* ---- kill ---------------------------------------------------------------- */

static void
show_ok(struct json_object *r)
{
	(void)r;
}

static int
cmd_kill(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	struct json_object *req;
	char *end;
	long long id;
	int rc = simple_args(path, argc, argv, 1, 1, "ALLOCATION-ID");

	if (rc >= 0)
		return rc;
	errno = 0;
	id = strtoll(argv[1], &end, 10);
	if (errno != 0 || *end != '\0' || id <= 0)
		return ctl_usage_error(path, "'%s' is not an allocation id (see "
				       "'%s allocations')", argv[1], CTL_PROG);
	req = request("kill");
	json_object_object_add(req, "id", json_object_new_int64(id));
	rc = finish(opts, api_call(opts, req), show_ok);
	if (rc == CTL_EXIT_OK && !opts->json)
		printf("killed allocation %lld\n", id);
	return rc;
}

/* ---- users and secrets --------------------------------------------------- */

static void
show_users(struct json_object *r)
{
	struct json_object *list;

	if (json_object_object_get_ex(r, "users", &list))
		for (size_t i = 0; i < json_object_array_length(list); i++)
			printf("%s\n", json_object_get_string(json_object_array_get_idx(list, i)));
}

static void
show_secrets(struct json_object *r)
{
	struct json_object *list;

	if (json_object_object_get_ex(r, "secrets", &list))
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *s = json_object_array_get_idx(list, i);

			printf("%s  (%lld bytes)\n", str(s, "tag"), num(s, "length"));
		}
}

static int
cmd_users(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	const char *usage = "add NAME PASSWORD | del NAME | list";
	struct json_object *req;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc < 2)
			return ctl_usage_error(path, "usage: %s %s", path, usage);
		printf("Usage: %s %s\n", path, usage);
		return CTL_EXIT_OK;
	}
	if (strcmp(argv[1], "add") == 0 && argc == 4) {
		req = request("users.add");
		json_object_object_add(req, "name", json_object_new_string(argv[2]));
		json_object_object_add(req, "password", json_object_new_string(argv[3]));
		return finish(opts, api_call(opts, req), show_ok);
	}
	if (strcmp(argv[1], "del") == 0 && argc == 3) {
		req = request("users.del");
		json_object_object_add(req, "name", json_object_new_string(argv[2]));
		return finish(opts, api_call(opts, req), show_ok);
	}
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return finish(opts, api_call(opts, request("users.list")), show_users);
	return ctl_usage_error(path, "usage: %s %s", path, usage);
}

static int
cmd_secrets(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	const char *usage = "add SECRET | del SECRET-OR-TAG | list";
	struct json_object *req;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc < 2)
			return ctl_usage_error(path, "usage: %s %s", path, usage);
		printf("Usage: %s %s\n", path, usage);
		return CTL_EXIT_OK;
	}
	if ((strcmp(argv[1], "add") == 0 || strcmp(argv[1], "del") == 0) && argc == 3) {
		req = request(argv[1][0] == 'a' ? "secrets.add" : "secrets.del");
		json_object_object_add(req, "secret", json_object_new_string(argv[2]));
		return finish(opts, api_call(opts, req), show_ok);
	}
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return finish(opts, api_call(opts, request("secrets.list")), show_secrets);
	return ctl_usage_error(path, "usage: %s %s", path, usage);
}

const struct ctl_cmd ctl_ops_commands[] = {
	{ "status", "dp and cp health, counters", cmd_status },
	{ "allocations", "live allocations (--user U)", cmd_allocations },
	{ "kill", "remove an allocation now", cmd_kill },
	{ "users", "static users: add, del, list", cmd_users },
	{ "secrets", "TURN REST API secrets: add, del, list", cmd_secrets },
};
const size_t ctl_ops_ncommands = sizeof(ctl_ops_commands) / sizeof(ctl_ops_commands[0]);
