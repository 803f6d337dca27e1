/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl's access-gateway commands (cp/agw through the API):
 *   agw create --a SPEC --b SPEC [--setup-timeout S] [--label TEXT]
 *              [--fingerprint-alg sha-256]
 *   agw list | agw show ID | agw release ID
 *   events [--follow] [--after SEQ] [--id ID] [--until TYPE] [--timeout S]
 * A SPEC is one termination as comma-separated key=value pairs:
 *   tcp=client|server  tls=none|server|client  local=ADDR[:PORT]
 *   remote=ADDR[:PORT] fp="sha-256 AB:CD:..." (again for more)  cert=NAME
 *   accept_any=true (a plain server leg without remote)
 * e.g. --a 'tcp=server,tls=server,local=10.210.0.1,fp=sha-256 4F:...'
 *      --b 'tcp=client,remote=10.211.0.2:5000'
 * With --json each answer is printed as cp wrote it; events prints one
 * JSON object per line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "ctl.h"
#include "tp_common.h"

static const char *
str_of(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return dflt;
	return json_object_get_string(v);
}

static int64_t
int_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}

/* Control characters of text from the server replaced, as ctl_ops does. */
static void
put_safe(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* Send req (consumed) and read the answer: with --json print it. Returns
 * an exit status; *ans (put it) is the answer when ok and not --json. */
static int
exchange(const struct ctl_opts *opts, struct json_object *req, struct json_object **ans,
	 bool quiet_json)
{
	struct json_object *a = NULL, *ok, *err;

	*ans = NULL;
	if (ctl_api_call(opts, req, &a) != 0) {
		json_object_put(req);
		return CTL_EXIT_FAIL;
	}
	json_object_put(req);
	if (opts->json && !quiet_json)
		puts(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_object_get_ex(a, "ok", &ok);
	if (!json_object_get_boolean(ok)) {
		json_object_object_get_ex(a, "error", &err);
		fprintf(stderr, "%s: ", CTL_PROG);
		put_safe(stderr, json_object_get_string(err));
		fputc('\n', stderr);
		json_object_put(a);
		return CTL_EXIT_FAIL;
	}
	if (opts->json && !quiet_json) {
		json_object_put(a);
		fflush(stdout);
		return CTL_EXIT_OK;
	}
	*ans = a;
	return CTL_EXIT_OK;
}

static struct json_object *
request(const char *cmd)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "cmd", json_object_new_string(cmd));
	return r;
}

/* "tcp=server,tls=server,local=...,fp=sha-256 AB:..." into a leg object. */
static int
parse_spec(const char *path, const char *which, const char *spec, struct json_object *leg)
{
	char *copy = strdup(spec), *save = NULL, *tok;
	struct json_object *fps = json_object_new_array();
	int rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *key, *val;

		if (eq == NULL) {
			rc = ctl_usage_error(path, "--%s: '%s' is not key=value", which, tok);
			goto out;
		}
		*eq = '\0';
		key = tok;
		val = eq + 1;
		if (strcmp(key, "fp") == 0 || strcmp(key, "fingerprint") == 0) {
			json_object_array_add(fps, json_object_new_string(val));
		} else if (strcmp(key, "tcp") == 0 || strcmp(key, "tls") == 0 ||
			   strcmp(key, "local") == 0 || strcmp(key, "remote") == 0 ||
			   strcmp(key, "cert") == 0) {
			json_object_object_add(leg, key, json_object_new_string(val));
		} else if (strcmp(key, "accept_any") == 0) {
			if (strcmp(val, "true") != 0 && strcmp(val, "1") != 0 &&
			    strcmp(val, "false") != 0 && strcmp(val, "0") != 0) {
				rc = ctl_usage_error(path, "--%s: accept_any is true or false",
						     which);
				goto out;
			}
			json_object_object_add(leg, key, json_object_new_boolean(
				strcmp(val, "true") == 0 || strcmp(val, "1") == 0));
		} else {
			rc = ctl_usage_error(path, "--%s: unknown key '%s' (tcp, tls, local, "
					     "remote, fp, cert, accept_any)", which, key);
			goto out;
		}
	}
	if (json_object_array_length(fps) > 0) {
		json_object_object_add(leg, "fingerprints", fps);
		fps = NULL;
	}
out:
	json_object_put(fps);
	free(copy);
	return rc;
}

static void
print_leg(const char *name, struct json_object *l)
{
	const char *tls = str_of(l, "tls", "none");
	const char *fp = str_of(l, "fingerprint", NULL);
	const char *cause = str_of(l, "cause", NULL);

	printf("  leg %s: tcp %s local %s", name, str_of(l, "tcp", "?"), str_of(l, "local", "-"));
	if (str_of(l, "remote", NULL) != NULL)
		printf(" remote %s", str_of(l, "remote", "-"));
	printf(", tls %s", tls);
	if (str_of(l, "tls_version", NULL) != NULL)
		printf(" %s", str_of(l, "tls_version", ""));
	printf(", %s", str_of(l, "state", "?"));
	if (cause != NULL)
		printf(" (%s)", cause);
	if (strcmp(tls, "none") != 0) {
		printf(", cert %s, our fingerprint ", str_of(l, "cert", "default"));
		if (fp != NULL) {
			fputs(fp, stdout);
		} else {
			fputs("unknown (", stdout);
			put_safe(stdout, str_of(l, "fingerprint_error", "?"));
			fputc(')', stdout);
		}
	}
	printf(", bytes in %" PRId64 " out %" PRId64 "\n", int_of(l, "bytes_in"),
	       int_of(l, "bytes_out"));
}

static void
print_ctx(struct json_object *c)
{
	struct json_object *legs;
	const char *label = str_of(c, "label", NULL);

	printf("context %" PRId64 " worker %" PRId64 " %s", int_of(c, "id"), int_of(c, "worker"),
	       str_of(c, "state", "?"));
	if (label != NULL) {
		fputs(" label ", stdout);
		put_safe(stdout, label);
	}
	printf(" age %" PRId64 "s\n", int_of(c, "age_s"));
	if (json_object_object_get_ex(c, "legs", &legs) &&
	    json_object_is_type(legs, json_type_array))
		for (size_t i = 0; i < json_object_array_length(legs) && i < 2; i++)
			print_leg(i == 0 ? "a" : "b", json_object_array_get_idx(legs, i));
}

static int
help_or_error(const char *path, int c, char **argv, const char *usage)
{
	if (c == 'h') {
		printf("%s", usage);
		return CTL_EXIT_OK;
	}
	return ctl_option_error(path, c, argv);
}

static const char create_usage[] =
	"Usage: turnpikectl agw create --a SPEC --b SPEC [--setup-timeout S]\n"
	"                              [--label TEXT] [--fingerprint-alg ALG]\n\n"
	"Create an access-gateway context: two terminations that dp splices.\n"
	"SPEC: comma-separated key=value:\n"
	"  tcp=client|server    connect to remote, or accept on local\n"
	"  tls=none|server|client\n"
	"  local=ADDR[:PORT]    a server's address (and port: else cp picks one of\n"
	"                       agw.ports); a client's source address (optional)\n"
	"  remote=ADDR[:PORT]   where a client connects; a server accepts only this\n"
	"                       peer (the address seen for it, a NAT's: its port\n"
	"                       when known); required for a server leg without TLS\n"
	"  accept_any=true      a server leg without TLS and without remote: the\n"
	"                       first connection from anywhere takes it\n"
	"  fp=\"sha-256 AB:..\"   the peer's certificate fingerprint from SDP\n"
	"                       (RFC 8122; up to 4); required with TLS\n"
	"  cert=NAME            our certificate: one of agw.certificates (default:\n"
	"                       the tls group's)\n"
	"The answer gives the context's id, the local addresses and our\n"
	"certificate's fingerprint for each TLS leg.\n";

static int
agw_create(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "a", required_argument, NULL, 'a' },
		{ "b", required_argument, NULL, 'b' },
		{ "setup-timeout", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'l' },
		{ "fingerprint-alg", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *req, *legs, *leg[2], *ans;
	const char *spec[2] = { NULL, NULL }, *label = NULL, *alg = NULL;
	long timeout = -1;
	int c, rc;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			spec[0] = optarg;
			break;
		case 'b':
			spec[1] = optarg;
			break;
		case 't': {
			char *end;

			timeout = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || timeout < 0 || timeout > 86400)
				return ctl_usage_error(path, "--setup-timeout: '%s' is not 0..86400 "
						       "seconds", optarg);
			break;
		}
		case 'l':
			label = optarg;
			break;
		case 'f':
			alg = optarg;
			break;
		default:
			return help_or_error(path, c, argv, create_usage);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	if (spec[0] == NULL || spec[1] == NULL)
		return ctl_usage_error(path, "both terminations are needed: --a SPEC --b SPEC");
	req = request("agw.create");
	legs = json_object_new_array();
	for (unsigned int i = 0; i < 2; i++) {
		leg[i] = json_object_new_object();
		json_object_array_add(legs, leg[i]);
		rc = parse_spec(path, i == 0 ? "a" : "b", spec[i], leg[i]);
		if (rc != 0) {
			json_object_put(legs);
			json_object_put(req);
			return rc < 0 ? CTL_EXIT_FAIL : rc;
		}
	}
	json_object_object_add(req, "legs", legs);
	if (timeout >= 0)
		json_object_object_add(req, "setup_timeout", json_object_new_int64(timeout));
	if (label != NULL)
		json_object_object_add(req, "label", json_object_new_string(label));
	if (alg != NULL)
		json_object_object_add(req, "fingerprint_alg", json_object_new_string(alg));
	rc = exchange(opts, req, &ans, false);
	if (ans == NULL)
		return rc;
	print_ctx(ans);
	json_object_put(ans);
	return CTL_EXIT_OK;
}

/* "ID" as a positive decimal integer. */
static int
parse_id(const char *path, const char *s, int64_t *id)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v == 0 || v > INT64_MAX || *s == '-')
		return ctl_usage_error(path, "'%s' is not a context id (see 'turnpikectl agw "
				       "list')", s);
	*id = (int64_t)v;
	return 0;
}

static int
agw_one(const struct ctl_opts *opts, const char *path, int argc, char **argv,
	const char *cmd, const char *usage)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *req, *ans;
	int64_t id = 0;
	int c, rc;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
		return help_or_error(path, c, argv, usage);
	if (argc - optind != 1)
		return ctl_usage_error(path, argc - optind < 1 ? "missing ID" :
				       "unexpected argument");
	rc = parse_id(path, argv[optind], &id);
	if (rc != 0)
		return rc;
	req = request(cmd);
	json_object_object_add(req, "id", json_object_new_int64(id));
	rc = exchange(opts, req, &ans, false);
	if (ans == NULL)
		return rc;
	if (strcmp(cmd, "agw.release") == 0)
		printf("context %" PRId64 ": %s\n", id, str_of(ans, "state", "?"));
	else
		print_ctx(ans);
	json_object_put(ans);
	return CTL_EXIT_OK;
}

static int
agw_show(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	return agw_one(opts, path, argc, argv, "agw.show",
		       "Usage: turnpikectl agw show ID\n\nOne context: its legs, their state "
		       "and addresses, our fingerprints.\n");
}

static int
agw_release(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	return agw_one(opts, path, argc, argv, "agw.release",
		       "Usage: turnpikectl agw release ID\n\nEnd a context (TLS close_notify, "
		       "FIN on each leg); 'turnpikectl events' shows its end.\n");
}

static int
agw_list(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *ans, *list;
	int c, rc;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
		return help_or_error(path, c, argv, "Usage: turnpikectl agw list\n\nEvery "
				     "context, with its legs.\n");
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	rc = exchange(opts, request("agw.list"), &ans, false);
	if (ans == NULL)
		return rc;
	if (json_object_object_get_ex(ans, "contexts", &list) &&
	    json_object_is_type(list, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(list); i++)
			print_ctx(json_object_array_get_idx(list, i));
		printf("%zu context(s)\n", json_object_array_length(list));
	}
	json_object_put(ans);
	return CTL_EXIT_OK;
}

static const struct ctl_cmd agw_cmds[] = {
	{ "create", "create a context of two terminations", agw_create },
	{ "list", "every context", agw_list },
	{ "show", "one context", agw_show },
	{ "release", "end a context", agw_release },
};

int
ctl_agw_main(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: %s COMMAND [ARGS...]\n\nThe IMS access gateway's contexts "
		       "(agw group).\n\nCommands:\n", path);
		ctl_usage_commands(stdout, agw_cmds, TP_ARRAY_SIZE(agw_cmds));
		return CTL_EXIT_OK;
	}
	return ctl_dispatch(agw_cmds, TP_ARRAY_SIZE(agw_cmds), opts, path, argc - 1, argv + 1);
}

/* ---- events ---------------------------------------------------------------------- */

static void
print_event(struct json_object *e)
{
	struct json_object *bi, *bo, *leg;
	const char *v;

	printf("%" PRId64 " %s ctx=%" PRId64, int_of(e, "seq"), str_of(e, "time", "?"),
	       int_of(e, "id"));
	if (json_object_object_get_ex(e, "leg", &leg) && json_object_is_type(leg, json_type_int))
		printf(" leg=%" PRId64, json_object_get_int64(leg));
	printf(" %s", str_of(e, "type", "?"));
	if ((v = str_of(e, "cause", NULL)) != NULL)
		printf(" cause=%s", v);
	if ((v = str_of(e, "tls_version", NULL)) != NULL)
		printf(" tls=%s", v);
	if ((v = str_of(e, "local", NULL)) != NULL)
		printf(" local=%s", v);
	if ((v = str_of(e, "remote", NULL)) != NULL)
		printf(" remote=%s", v);
	if (json_object_object_get_ex(e, "bytes_in", &bi) &&
	    json_object_object_get_ex(e, "bytes_out", &bo) &&
	    json_object_is_type(bi, json_type_array) && json_object_array_length(bi) == 2 &&
	    json_object_is_type(bo, json_type_array) && json_object_array_length(bo) == 2)
		printf(" bytes=%" PRId64 "/%" PRId64 ",%" PRId64 "/%" PRId64,
		       json_object_get_int64(json_object_array_get_idx(bi, 0)),
		       json_object_get_int64(json_object_array_get_idx(bo, 0)),
		       json_object_get_int64(json_object_array_get_idx(bi, 1)),
		       json_object_get_int64(json_object_array_get_idx(bo, 1)));
	if ((v = str_of(e, "detail", NULL)) != NULL) {
		fputs(" detail=\"", stdout);
		put_safe(stdout, v);
		fputc('"', stdout);
	}
	fputc('\n', stdout);
}

static const char events_usage[] =
	"Usage: turnpikectl events [--follow] [--after SEQ] [--id ID] [--until TYPE]\n"
	"                          [--timeout S]\n\n"
	"The access gateway's events, oldest first: leg_up, leg_down (with its\n"
	"cause), released (the context's end, with its cause). --after SEQ: only\n"
	"those after SEQ; --id: one context's; --follow: wait for more; --until\n"
	"TYPE: stop after an event of TYPE (with --follow); --timeout S: stop\n"
	"following after S seconds (exit 2 when --until was not met).\n"
	"Causes: fin, close_notify, rst, timeout, tls_alert, tls_handshake,\n"
	"tls_error, connect_failed, other_leg, controller, setup_timeout,\n"
	"setup_failed, no_memory, dp_restart.\n";

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
ctl_events_main(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "after", required_argument, NULL, 'a' },
		{ "id", required_argument, NULL, 'i' },
		{ "until", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool follow = false, met = false;
	const char *until = NULL;
	int64_t after = 0, id = 0;
	double timeout = 0;
	uint64_t end_ms = 0;
	int c, rc;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow = true;
			break;
		case 'a': {
			char *e;

			after = strtoll(optarg, &e, 10);
			if (*optarg == '\0' || *e != '\0' || after < 0)
				return ctl_usage_error(path, "--after: '%s' is not a sequence number",
						       optarg);
			break;
		}
		case 'i':
			rc = parse_id(path, optarg, &id);
			if (rc != 0)
				return rc;
			break;
		case 'u':
			until = optarg;
			if (strcmp(until, "leg_up") != 0 && strcmp(until, "leg_down") != 0 &&
			    strcmp(until, "released") != 0)
				return ctl_usage_error(path, "--until: leg_up, leg_down or released");
			break;
		case 't': {
			char *e;

			timeout = strtod(optarg, &e);
			if (*optarg == '\0' || *e != '\0' || timeout <= 0)
				return ctl_usage_error(path, "--timeout: '%s' is not seconds", optarg);
			break;
		}
		default:
			return help_or_error(path, c, argv, events_usage);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	if (timeout > 0)
		end_ms = mono_ms() + (uint64_t)(timeout * 1000.0);
	for (;;) {
		struct json_object *req = request("agw.events"), *ans, *list;
		size_t n = 0;

		json_object_object_add(req, "after", json_object_new_int64(after));
		if (id != 0)
			json_object_object_add(req, "id", json_object_new_int64(id));
		rc = exchange(opts, req, &ans, true);
		if (ans == NULL)
			return rc;
		if (int_of(ans, "lost") > 0)
			fprintf(stderr, "%s: %" PRId64 " event(s) no longer kept by turnpike-cp\n",
				CTL_PROG, int_of(ans, "lost"));
		if (json_object_object_get_ex(ans, "events", &list) &&
		    json_object_is_type(list, json_type_array)) {
			n = json_object_array_length(list);
			for (size_t i = 0; i < n && !met; i++) {
				struct json_object *e = json_object_array_get_idx(list, i);

				if (opts->json)
					puts(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN |
						JSON_C_TO_STRING_NOSLASHESCAPE));
				else
					print_event(e);
				if (until != NULL && strcmp(str_of(e, "type", ""), until) == 0)
					met = true;
			}
		}
		after = int_of(ans, "next");
		json_object_put(ans);
		if (fflush(stdout) == EOF)
			return CTL_EXIT_FAIL;
		if (met || (!follow && n < 5000))
			break;
		if (follow && n == 0) {
			struct timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000000L };

			if (end_ms != 0 && mono_ms() >= end_ms)
				return until != NULL ? CTL_EXIT_FAIL : CTL_EXIT_OK;
			nanosleep(&ts, NULL);
		}
	}
	return until != NULL && !met ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}
