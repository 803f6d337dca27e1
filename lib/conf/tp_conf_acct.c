/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "accounting" group of the configuration file: usage records
 * (cp/acct), one JSON line per allocation or AGW context that ended, and
 * interim ones for long sessions. Absent: no records.
 *
 *   accounting = {
 *     file = "/var/log/turnpike/usage.jsonl";  # appended to; reopened on reload
 *     interim = 300;                           # s between interim records; 0: none
 *     retention = 90;                          # days records are kept; 0: forever
 *     spool = "/var/spool/turnpike";           # records the file could not take wait here
 *     spool_max = 64;                          # MB the spool holds; past it a record is dropped
 *     stream = "usage";                        # with a cluster: XADD to NS:usage too
 *     stream_maxlen = 1000000;                 # XADD's MAXLEN ~ (entries kept)
 *   };
 *
 * The records hold client addresses (SECURITY.md): retention is enforced
 * by cp on the rotated files (FILE.* beside FILE, older than that many
 * days, removed) and on the spool's records that ended before that, at
 * start, on reload and once an hour; rotating the file itself is the
 * operator's (logrotate, then a reload).
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

#define ACCT_INTERIM_MAX   (7u * 86400u)
#define ACCT_RETENTION_MAX 36500u
#define ACCT_SPOOL_MAX_MB  1048576u     /* 1 TB */
#define ACCT_SPOOL_DEFAULT 64u
#define ACCT_MAXLEN_DEFAULT 1000000u
#define ACCT_MAXLEN_MIN    1000u

void
tp_conf_acct_defaults(struct tp_conf *c)
{
	memset(&c->acct, 0, sizeof(c->acct));
	c->acct.spool_max_mb = ACCT_SPOOL_DEFAULT;
	c->acct.stream_maxlen = ACCT_MAXLEN_DEFAULT;
}

/* The settings of the accounting group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_accounting[] = {
	"file", "interim", "retention", "spool", "spool_max", "stream", "stream_maxlen", NULL,
};

int
tp_conf_load_acct(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *g = config_setting_get_member(config_root_setting(cfg),
							      "accounting");
	const config_setting_t *s;
	const char *v;
	int rc;

	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		FAIL(g, "accounting must be a group { file = \"/var/log/turnpike/usage.jsonl\"; }");
	c->acct.line = where(g);
	if ((rc = tp_conf_check_names(g, "accounting", tp_conf_names_accounting, c, err,
				      errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "file");
	if (s == NULL)
		FAIL(g, "accounting needs file = \"/var/log/turnpike/usage.jsonl\" (where "
		     "the records go)");
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAIL(s, "accounting.file must be a string (a file name)");
	v = config_setting_get_string(s);
	if (v[0] != '/')
		FAIL(s, "accounting.file '%s' must be an absolute path", v);
	if (strlen(v) >= sizeof(c->acct.file))
		FAIL(s, "accounting.file is longer than %zu bytes", sizeof(c->acct.file) - 1);
	if (v[strlen(v) - 1] == '/')
		FAIL(s, "accounting.file '%s' names a directory, not a file", v);
	snprintf(c->acct.file, sizeof(c->acct.file), "%s", v);
	if ((rc = tp_conf_get_u32(g, "interim", 0, ACCT_INTERIM_MAX, &c->acct.interim_s, c,
				  err, errlen)) < 0)
		return rc;
	if ((rc = tp_conf_get_u32(g, "retention", 0, ACCT_RETENTION_MAX,
				  &c->acct.retention_days, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "spool");
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			FAIL(s, "accounting.spool must be a string (a folder)");
		v = config_setting_get_string(s);
		if (v[0] != '/')
			FAIL(s, "accounting.spool '%s' must be an absolute path", v);
		if (strlen(v) + sizeof("/usage.spool") > sizeof(c->acct.spool))
			FAIL(s, "accounting.spool is longer than %zu bytes",
			     sizeof(c->acct.spool) - sizeof("/usage.spool"));
		snprintf(c->acct.spool, sizeof(c->acct.spool), "%s", v);
		c->acct.spool_line = where(s);
	}
	if ((rc = tp_conf_get_u32(g, "spool_max", 1, ACCT_SPOOL_MAX_MB, &c->acct.spool_max_mb,
				  c, err, errlen)) < 0)
		return rc;
	/* the Redis Stream: the cluster's Redis, and a spool the records wait
	 * in while Redis is away (read after the cluster group) */
	s = config_setting_get_member(g, "stream");
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			FAIL(s, "accounting.stream must be a string (the stream's name)");
		v = config_setting_get_string(s);
		if (!tp_conf_cluster_name_ok(v))
			FAIL(s, "accounting.stream '%s' must be 1..63 of letters, digits, '-', "
			     "'_', '.'", v);
		if (!c->cluster.enabled)
			FAIL(s, "accounting.stream needs a cluster group (its Redis)");
		if (c->acct.spool[0] == '\0')
			FAIL(s, "accounting.stream needs accounting.spool (records wait there "
			     "while Redis is away)");
		snprintf(c->acct.stream, sizeof(c->acct.stream), "%s", v);
	}
	if ((rc = tp_conf_get_u32(g, "stream_maxlen", ACCT_MAXLEN_MIN, 2000000000u,
				  &c->acct.stream_maxlen, c, err, errlen)) < 0)
		return rc;
	c->acct.enabled = true;
	return 0;
}
