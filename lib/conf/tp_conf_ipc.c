/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "ipc" group of the configuration file: the shared-memory segment
 * dp and cp talk through (lib/ipc), and how long dp serves without cp.
 * Every module's messages use it (TURN's, the AGW's, TLS keys), so a box
 * without TURN (an AGW-only box) has it too.
 *
 *   ipc = {
 *     name = "/turnpike";          # the segment (shm_open), one per box
 *     cp_grace = 40;               # s dp holds clients back without a cp
 *   };
 *
 * Both used to be TURN's (turn.ipc, turn.cp_grace) and are still read
 * there: tp_conf.warn then says that they moved; one setting written in
 * both places with two values is refused, naming both lines.
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

#define IPC_NAME_DEFAULT  "/turnpike"
#define IPC_GRACE_DEFAULT 40u
#define IPC_GRACE_MAX     600u

void
tp_conf_ipc_defaults(struct tp_conf *c)
{
	snprintf(c->ipc.name, sizeof(c->ipc.name), "%s", IPC_NAME_DEFAULT);
	c->ipc.cp_grace_s = IPC_GRACE_DEFAULT;
}

/* A segment name as shm_open() wants one: "/x", no other '/'. what names
 * the setting (ipc.name, turn.ipc) in the message. */
static int
get_name(const config_setting_t *s, const char *what, char *out, size_t size,
	 struct tp_conf *c, char *err, size_t errlen)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAIL(s, "%s must be a string like \"/turnpike\"", what);
	v = config_setting_get_string(s);
	if (v[0] == '\0')
		FAIL(s, "%s must not be empty", what);
	if (strlen(v) >= size)
		FAIL(s, "%s is longer than %zu bytes", what, size - 1);
	if (v[0] != '/' || strchr(v + 1, '/') != NULL)
		FAIL(s, "%s '%s' must be a name like \"/turnpike\"", what, v);
	snprintf(out, size, "%s", v);
	return 0;
}

/* An optional cp_grace of group g, 0..IPC_GRACE_MAX s (the message names
 * the setting as the file does: "turn.cp_grace 700 is out of range"). */
static int
get_grace(const config_setting_t *g, uint32_t *out, struct tp_conf *c, char *err,
	  size_t errlen)
{
	return tp_conf_get_u32(g, "cp_grace", 0, IPC_GRACE_MAX, out, c, err, errlen);
}

/* The settings of the ipc group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_ipc[] = { "name", "cp_grace", NULL };

int
tp_conf_load_ipc(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *root = config_root_setting(cfg);
	const config_setting_t *g = config_setting_get_member(root, "ipc");
	const config_setting_t *t = config_setting_get_member(root, "turn");
	const config_setting_t *old_name = NULL, *old_grace = NULL, *s;
	char tname[sizeof(c->ipc.name)] = "";
	uint32_t tgrace = 0;
	int rc;

	/* The old places first: where they are the only ones, they are what
	 * the box runs with. */
	if (t != NULL && config_setting_is_group(t)) {
		old_name = config_setting_get_member(t, "ipc");
		old_grace = config_setting_get_member(t, "cp_grace");
		if (old_name != NULL &&
		    (rc = get_name(old_name, "turn.ipc", tname, sizeof(tname), c, err,
				   errlen)) < 0)
			return rc;
		if (old_grace != NULL &&
		    (rc = get_grace(t, &tgrace, c, err, errlen)) < 0)
			return rc;
		if (old_name != NULL)
			snprintf(c->ipc.name, sizeof(c->ipc.name), "%s", tname);
		if (old_grace != NULL)
			c->ipc.cp_grace_s = tgrace;
	}
	if (g != NULL) {
		if (!config_setting_is_group(g))
			FAIL(g, "ipc must be a group { name = \"/turnpike\"; cp_grace = 40; }");
		c->ipc.line = where(g);
		if ((rc = tp_conf_check_names(g, "ipc", tp_conf_names_ipc, c, err, errlen)) < 0)
			return rc;
		s = config_setting_get_member(g, "name");
		if (s != NULL) {
			if ((rc = get_name(s, "ipc.name", c->ipc.name, sizeof(c->ipc.name), c,
					   err, errlen)) < 0)
				return rc;
			if (old_name != NULL && strcmp(c->ipc.name, tname) != 0)
				FAIL(s, "ipc.name '%s' and turn.ipc '%s' (line %d) differ: the "
				     "segment's name is ipc.name now; remove turn.ipc",
				     c->ipc.name, tname, where(old_name));
		}
		s = config_setting_get_member(g, "cp_grace");
		if (s != NULL) {
			if ((rc = get_grace(g, &c->ipc.cp_grace_s, c, err, errlen)) < 0)
				return rc;
			if (old_grace != NULL && c->ipc.cp_grace_s != tgrace)
				FAIL(s, "ipc.cp_grace %u and turn.cp_grace %u (line %d) differ: "
				     "the grace is ipc.cp_grace now; remove turn.cp_grace",
				     c->ipc.cp_grace_s, tgrace, where(old_grace));
		}
	}
	if (old_name != NULL || old_grace != NULL) {
		const config_setting_t *first = old_name != NULL ? old_name : old_grace;

		snprintf(c->warn, sizeof(c->warn), "%.300s:%d: %s%s%s moved to the ipc group "
			 "(ipc = { name = \"%s\"; cp_grace = %u; };): read from the turn "
			 "group for now", c->path, where(first),
			 old_name != NULL ? "turn.ipc" : "",
			 old_name != NULL && old_grace != NULL ? " and " : "",
			 old_grace != NULL ? "turn.cp_grace" : "", c->ipc.name,
			 c->ipc.cp_grace_s);
	}
	return 0;
}
