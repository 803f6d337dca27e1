/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator API as a module of turnpike-cp: its socket (cp/api/api.c,
 * its state behind cp->api) bound, every module's commands registered
 * through their descriptors (cp_modules_commands(): alloc's, auth's,
 * tls's, agw's, the metrics' status and this one's reload), then
 * published at its path, with the operator group if configured; served
 * from the loop. What the commands share is api_cmd.c's.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../cp.h"
#include "../cp_module.h"
#include "api_cmd.h"

/* reload: cp_reload() (reload.c) answers what changed and what needs a
 * restart, or why nothing changed. */
static int
cmd_reload(void *ctx, struct json_object *req, struct json_object *resp,
	   const char **error)
{
	struct cp_ctx *cp = ctx;
	int rc;

	(void)req;
	rc = cp_reload(cp, resp);
	if (rc < 0)
		*error = cp->api->err;
	return rc;
}

int
cp_api_commands_register(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	int rc;

	rc = cp_modules_commands(cp, err, errlen);
	if (rc < 0)
		return rc;
	/* Every command is there: make the socket reachable at its path,
	 * with the operator group (cp_api_open() left it under a temporary
	 * name with its owner's bits only). */
	rc = cp_api_publish(cp->api, c->has_api_group ? (gid_t)c->api_gid : CP_API_NO_GROUP,
			    c->has_agw_group ? (gid_t)c->agw_gid : CP_API_NO_GROUP);
	if (rc < 0)
		snprintf(err, errlen, "cannot publish the API socket at %s%s%s%s%s: %s",
			 c->api_socket, c->has_api_group ? " for group " : "",
			 c->has_api_group ? c->api_group : "",
			 c->has_agw_group ? " with controller group " : "",
			 c->has_agw_group ? c->agw_group : "",
			 rc == -EOPNOTSUPP ? "its file system takes no ACLs (cp.agw_group needs "
			 "one)" : strerror(-rc));
	return rc;
}

/* ---- the module (cp_module.h) ------------------------------------------- */

static void
api_fini(struct cp_ctx *cp)
{
	if (cp->api == NULL)
		return;
	cp_api_close(cp->api);
	free(cp->api);
	cp->api = NULL;
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

/* The socket bound, every command registered (each module's, its own
 * reload among them: cp_modules_commands()), then published at its path:
 * a rename in its folder, which may be root's, before cp becomes cp.user. */
static int
api_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	const struct tp_conf_cp *c = &cp->conf->cp;
	int rc;

	cp->api = calloc(1, sizeof(*cp->api));
	if (cp->api == NULL) {
		snprintf(err, errlen, "no memory for the API socket");
		return -ENOMEM;
	}
	mkdir_parent(c->api_socket);
	rc = cp_api_open(cp->api, c->api_socket, c->api_mode);
	if (rc < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", c->api_socket, strerror(-rc));
		free(cp->api);
		cp->api = NULL;
		return rc;
	}
	rc = cp_api_commands_register(cp, err, errlen);
	if (rc < 0) {
		api_fini(cp);
		return rc;
	}
	return 0;
}

/* The operator's socket: once a millisecond and after each doze (a
 * client waits at most that long; it does not keep cp awake). */
static unsigned int
api_serve(struct cp_ctx *cp, uint64_t now_ms)
{
	struct pollfd pfd = { .fd = cp->api->fd, .events = POLLIN };

	(void)now_ms;
	if (poll(&pfd, 1, 0) > 0)
		cp_api_serve(cp->api);
	return 0;
}

/* reload: the whole of cp's running configuration, no one module's */
static int
api_commands(struct cp_ctx *cp)
{
	static const struct cp_api_cmd_def cmds[] = {
		{ "reload", cmd_reload },
	};

	return cp_api_cmds(cp, cmds, sizeof(cmds) / sizeof(cmds[0]));
}

/* The API's counters: in status's stats as api_NAME; the first four, as
 * ever, turnpike_api_NAME_total too. */
static const struct cp_ctrs_desc api_desc[] = {
	{ "requests", CP_CTRS_COUNTER, 0, "Operator API requests" },
	{ "errors", CP_CTRS_COUNTER, 0, "Operator API answers with ok false" },
	{ "accepted", CP_CTRS_COUNTER, CP_CTRS_NO_METRIC, NULL },
	{ "refused", CP_CTRS_COUNTER, 0, "Operator API peers refused (credentials)" },
	{ "timed_out", CP_CTRS_COUNTER, 0, "Operator API connections past their deadline" },
	{ "too_many", CP_CTRS_COUNTER, CP_CTRS_NO_METRIC, NULL },
};

/* (zeros before the socket is made) */
static void
api_values(const struct cp_ctx *cp, uint64_t *out)
{
	const struct cp_api *a = cp->api;

	if (a == NULL)
		return;
	out[0] = a->requests;
	out[1] = a->errors;
	out[2] = a->stats.accepted;
	out[3] = a->stats.refused;
	out[4] = a->stats.timed_out;
	out[5] = a->stats.too_many;
}

static const struct cp_ctrs_family api_ctrs = {
	.name = "api",
	.prefix = "api_",
	.metric = "turnpike_",
	.rank = CP_METRICS_AUTH_REFUSED + 1,
	.desc = api_desc,
	.n = sizeof(api_desc) / sizeof(api_desc[0]),
	.values = api_values,
};

const struct cp_module cp_api_module = {
	.name = "api",
	.setup = api_setup,
	.fini = api_fini,
	.serve = api_serve,
	.commands = api_commands,
	.ctrs = &api_ctrs,
};
