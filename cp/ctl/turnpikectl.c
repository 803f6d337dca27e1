/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl: the operator's command-line tool, entry point.
 *
 * This file owns the global options (--help, --version, --json,
 * --socket), the top-level command table and the helpers every command
 * uses to dispatch its own subcommands and to report usage errors. It
 * knows nothing about what a command does: adding one is a row in
 * ctl_commands[] and a handler declared in ctl.h.
 *
 * Global options come before the command name and parsing stops at the
 * first non-option ("turnpikectl [GLOBAL...] COMMAND [ARGS...]"), so that
 * each command owns everything after its name.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "ctl.h"
#include "tp_conf.h"
#include "tp_common.h"
#include "tp_version.h"

static const struct ctl_cmd ctl_commands[] = {
	{ "status", "turnpike-cp and dp health, counters", ctl_status_main },
	{ "ready", "whether cp serves and dp runs (--wait S)", ctl_ready_main },
	{ "allocations", "list live allocations", ctl_allocations_main },
	{ "kill", "remove an allocation now", ctl_kill_main },
	{ "tenants", "tenants: realm, addresses, quotas, allocations", ctl_tenants_main },
	{ "users", "users: add, del, list, import-coturn", ctl_users_main },
	{ "secrets", "TURN REST API secrets: add, del, list",
	  ctl_secrets_main },
	{ "psk", "TLS 1.3 external PSKs: add, del, list", ctl_psk_main },
	{ "top", "live view of each worker: packets, drops, allocations",
	  ctl_top_main },
	{ "reload", "re-read the configuration file, say what changed",
	  ctl_reload_main },
	{ "drain", "new allocations to other servers (300), existing run on",
	  ctl_drain_main },
	{ "undrain", "end a drain", ctl_undrain_main },
	{ "ha", "the active/standby pair: switchover", ctl_ha_main },
	{ "agw", "access-gateway contexts: create, list, show, release", ctl_agw_main },
	{ "events", "access-gateway events: legs up and down, releases (--follow)",
	  ctl_events_main },
	{ "stun", "decode and inspect STUN/TURN messages", ctl_stun_main },
	{ "fingerprint", "a certificate's RFC 8122 a=fingerprint value",
	  ctl_fingerprint_main },
	{ "aka-token", "AKA-asserted certificate token (HMAC-SHA1-96, IK)",
	  ctl_aka_token_main },
};

#define CTL_NCOMMANDS TP_ARRAY_SIZE(ctl_commands)

void
ctl_getopt_reset(void)
{
	/* glibc re-initialises its scanner (including the permutation state
	 * left over from the previous argv) only when optind is 0. */
#ifdef __GLIBC__
	optind = 0;
#else
	optind = 1;
#endif
	opterr = 0;
}

int
ctl_option_error(const char *path, int c, char *const *argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return ctl_usage_error(path, "option '%s' needs an argument",
				       arg);
	/* A long option is reported whole; a short one may sit inside a
	 * bundle ("-jx"), so name just its letter. */
	if (strncmp(arg, "--", 2) == 0 || optopt == 0)
		return ctl_usage_error(path, "unrecognized option '%s'", arg);
	return ctl_usage_error(path, "unrecognized option '-%c'", optopt);
}

int
ctl_usage_error(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", path);
	return CTL_EXIT_USAGE;
}

void
ctl_usage_commands(FILE *f, const struct ctl_cmd *cmds, size_t ncmds)
{
	size_t i;

	for (i = 0; i < ncmds; i++)
		fprintf(f, "  %-14s %s\n", cmds[i].name, cmds[i].summary);
}

int
ctl_dispatch(const struct ctl_cmd *cmds, size_t ncmds,
	     const struct ctl_opts *opts, const char *parent, int argc,
	     char **argv)
{
	char path[256];
	size_t i;

	if (argc < 1)
		return ctl_usage_error(parent, "missing command");
	for (i = 0; i < ncmds; i++) {
		if (strcmp(argv[0], cmds[i].name) != 0)
			continue;
		snprintf(path, sizeof(path), "%s %s", parent, cmds[i].name);
		return cmds[i].run(opts, path, argc, argv);
	}
	return ctl_usage_error(parent, "unknown command '%s'", argv[0]);
}

void
ctl_print_help(FILE *f, const char *path, const struct ctl_help *h)
{
	fprintf(f, "Usage: %s%s%s\n\n%s", path, h->args[0] ? " " : "",
		h->args, h->text);
}

/* ctl_args() and ctl_args_tenant(): tenant NULL refuses --tenant as any
 * unknown option. */
static int
args_parse(const char *path, int argc, char **argv, const struct ctl_help *h,
	   const char *const *names, int nargs, const char **tenant)
{
	static const struct option plain[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option with_tenant[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "tenant", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	if (tenant != NULL)
		*tenant = NULL;
	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, tenant != NULL ? ":ht:" : ":h",
				tenant != NULL ? with_tenant : plain, NULL)) != -1) {
		if (c == 't' && tenant != NULL) {
			if (optarg[0] == '\0')
				return ctl_usage_error(path, "--tenant needs a name");
			*tenant = optarg;
			continue;
		}
		if (c != 'h')
			return ctl_option_error(path, c, argv);
		ctl_print_help(stdout, path, h);
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

int
ctl_args(const char *path, int argc, char **argv, const struct ctl_help *h,
	 const char *const *names, int nargs)
{
	return args_parse(path, argc, argv, h, names, nargs, NULL);
}

int
ctl_args_tenant(const char *path, int argc, char **argv, const struct ctl_help *h,
		const char *const *names, int nargs, const char **tenant)
{
	return args_parse(path, argc, argv, h, names, nargs, tenant);
}

int
ctl_group(const struct ctl_opts *opts, const char *path, int argc,
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

static void
ctl_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND [ARGS...]\n"
		"\n"
		"Operator's tool for the turnpike TURN relay.\n"
		"\n"
		"Options:\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the version and exit\n"
		"  -j, --json     machine-readable (JSON) output, for commands\n"
		"                 that also have a human-readable form\n"
		"  -s, --socket PATH\n"
		"                 turnpike-cp's API socket (default: cp.api_socket of\n"
		"                 --config, else $TURNPIKE_SOCKET, else\n"
		"                 " CTL_DEFAULT_SOCKET ")\n"
		"  -c, --config FILE\n"
		"                 the configuration file turnpike-cp reads: its socket\n"
		"                 is used\n"
		"Options may also follow the command: 'turnpikectl status --json'.\n"
		"\n"
		"Commands:\n",
		CTL_PROG);
	ctl_usage_commands(f, ctl_commands, CTL_NCOMMANDS);
	fprintf(f,
		"\n"
		"Run '%s COMMAND --help' for a command's own options.\n"
		"Exit status: 0 success, 1 usage error, 2 failure.\n",
		CTL_PROG);
}

/* cp.api_socket of the configuration file at path (lib/conf reads it as
 * turnpike-cp does). 0, or -errno with the reason on stderr. */
static int
ctl_socket_from_config(const char *path, char *out, size_t size)
{
	static struct tp_conf conf;
	char err[512];

	if (tp_conf_load(path, &conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", CTL_PROG, err);
		return -EINVAL;
	}
	snprintf(out, size, "%s", conf.cp.api_socket);
	tp_conf_free(&conf);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts opts = { .json = false, .socket = NULL };
	static char sock[108];
	const char *config = NULL;
	int c;

	ctl_getopt_reset();
	/* '+': stop at the command name; ':': report a missing argument. */
	while ((c = getopt_long(argc, argv, "+:hVjs:c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			ctl_usage(stdout);
			return CTL_EXIT_OK;
		case 'V':
			printf("%s %s\n", CTL_PROG, TP_VERSION);
			return CTL_EXIT_OK;
		case 'j':
			opts.json = true;
			break;
		case 's':
			opts.socket = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		default:
			return ctl_option_error(CTL_PROG, c, argv);
		}
	}
	if (optind >= argc)
		return ctl_usage_error(CTL_PROG, "missing command");
	/* Global options anywhere after the command too ("turnpikectl
	 * status --json"), up to a "--" (after which a name or password may
	 * start with '-'): taken out before the command parses its own. No
	 * command has an option of these names. */
	{
		int out = optind + 1;

		for (int i = optind + 1; i < argc; i++) {
			const char *a = argv[i];

			if (strcmp(a, "--") == 0) {
				while (i < argc)
					argv[out++] = argv[i++];
				break;
			}
			if (strcmp(a, "--json") == 0 || strcmp(a, "-j") == 0) {
				opts.json = true;
			} else if (strncmp(a, "--socket=", 9) == 0) {
				opts.socket = a + 9;
			} else if (strncmp(a, "--config=", 9) == 0) {
				config = a + 9;
			} else if (strcmp(a, "--socket") == 0 || strcmp(a, "-s") == 0 ||
				   strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) {
				if (i + 1 >= argc)
					return ctl_usage_error(CTL_PROG, "option '%s' needs an "
							       "argument", a);
				if (a[1] == 's' || a[2] == 's')
					opts.socket = argv[++i];
				else
					config = argv[++i];
			} else {
				argv[out++] = argv[i];
			}
		}
		argv[out] = NULL;
		argc = out;
	}
	/* The socket named in the configuration file cp reads, unless
	 * --socket says otherwise. */
	if (config != NULL && opts.socket == NULL) {
		if (ctl_socket_from_config(config, sock, sizeof(sock)) < 0)
			return CTL_EXIT_FAIL;
		opts.socket = sock;
	}
	return ctl_dispatch(ctl_commands, CTL_NCOMMANDS, &opts, CTL_PROG,
			    argc - optind, argv + optind);
}
