/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpike-cp: reload (SIGHUP, `turnpikectl reload`). The file is read
 * again; what cp can change without dropping anything changes, each
 * module applying the settings it owns through its reload hook
 * (cp_module_types.h: the users and secrets, the peer policies, the
 * quotas and lifetimes, the metrics endpoint, ...), and cp.log_level here,
 * which is every module's. Everything else that differs is named as
 * needing a restart of cp, dp or both, as lib/conf's table of every
 * setting says (tp_conf_keys.h: tp_conf_restart_diff()). In three steps,
 * so that a reload happens whole or not at all: load and check the new
 * file (a file that does not load changes nothing, and says why); each
 * module prepares what can fail (a module's failure drops what the ones
 * before it prepared); then each applies what cannot fail. What a reload
 * did is said once, in the answer and in one log line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "cp.h"
#include "api/api_cmd.h"
#include "cp_module.h"
#include "tp_conf.h"
#include "tp_conf_keys.h"

/* What a reload reports: in resp's arrays and in cp's log. */
struct cp_reload_notes {
	struct json_object *changed;
	struct json_object *restart;
	char log[2048];
	size_t loglen;
};

void
cp_reload_say(struct cp_reload_notes *n, bool restart, const char *fmt, ...)
{
	char line[400];
	va_list ap;
	int k;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_object_array_add(restart ? n->restart : n->changed,
			      json_object_new_string(line));
	if (n->loglen < sizeof(n->log)) {
		k = snprintf(n->log + n->loglen, sizeof(n->log) - n->loglen, "%s%s%s",
			     n->loglen > 0 ? "; " : "", restart ? "needs a restart: " : "",
			     line);
		if (k > 0)
			n->loglen += (size_t)k;
	}
}

/* A line of tp_conf_restart_diff(): a setting that needs a restart. */
static void
say_restart(void *arg, const char *line)
{
	cp_reload_say(arg, true, "%s", line);
}

int
cp_reload(struct cp_ctx *cp, struct json_object *resp)
{
	static struct tp_conf next;
	struct tp_conf *cur = cp->conf;
	struct cp_reload_notes n = { 0 };
	bool loaded = false;
	char err[600], warn[512];
	int rc = -EINVAL;

	n.changed = json_object_new_array();
	n.restart = json_object_new_array();
	/* 1. load and check */
	if (tp_conf_load(cur->path, &next, err, sizeof(err)) < 0)
		goto fail;
	loaded = true;
	if (tp_conf_secrets_exposed(&next, (unsigned int)getegid(), warn, sizeof(warn)) > 0)
		tp_log(TP_LOG_WARNING, "%s\n", warn);
	if (!next.turn.enabled && !next.agw.enabled) {
		snprintf(err, sizeof(err), "%.200s: no 'turn' group and no 'agw' group",
			 cur->path);
		goto fail;
	}
	/* 2. prepare what can fail */
	rc = cp_modules_reload_prepare(cp, &next, err, sizeof(err));
	if (rc < 0)
		goto fail;

	/* 3. apply: nothing below fails. What needs a restart is said from
	 * the running settings before the modules take the new ones. */
	tp_conf_restart_diff(cur, &next, say_restart, &n);
	if (cur->cp.log_level != next.cp.log_level) {
		cp_reload_say(&n, false, "cp.log_level %s -> %s",
			      tp_log_level_name((int)cur->cp.log_level),
			      tp_log_level_name((int)next.cp.log_level));
		cur->cp.log_level = next.cp.log_level;
		tp_log_set_level((enum tp_log_level)cur->cp.log_level);
	}
	cp_modules_reload_apply(cp, &next, &n);
	tp_conf_free(&next);
	OPENSSL_cleanse(&next, sizeof(next));
	cp->stats[CP_STAT_RELOADS]++;
	tp_log(TP_LOG_NOTICE, "reloaded %s: %s\n", cur->path,
	       n.loglen > 0 ? n.log : "nothing changed");
	fflush(stdout);
	if (resp != NULL) {
		json_object_object_add(resp, "changed", n.changed);
		json_object_object_add(resp, "restart_needed", n.restart);
	} else {
		json_object_put(n.changed);
		json_object_put(n.restart);
	}
	return 0;
fail:
	if (loaded)
		tp_conf_free(&next);
	OPENSSL_cleanse(&next, sizeof(next));
	json_object_put(n.changed);
	json_object_put(n.restart);
	cp->stats[CP_STAT_RELOADS_REFUSED]++;
	tp_log(TP_LOG_ERR, "reload refused, nothing changed: %s\n", err);
	if (resp != NULL)
		cp_api_err(cp, "reload refused, nothing changed: %s", err);
	return rc;
}
