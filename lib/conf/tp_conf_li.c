/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "li" group of the configuration file: lawful interception (issue 70,
 * docs/design/li.md §2.1). cp serves X1 (ETSI TS 103 221-1) on x1.listen
 * with mutual TLS to the ADMF whose certificate chains to x1.client_ca and
 * whose admfIdentifier is x1.admf_id, and keeps tasks and destinations in
 * their own SQLite file (`store`, default li.db beside cp.store); dp
 * delivers X2/X3 with the x2x3 pair towards mediation functions whose
 * certificates chain to x2x3.ca. Absent: no interception, no listener.
 * Same rules as the other groups: "file:line: why", unknown settings
 * refused, addresses IP literals. Files are named here and opened by the
 * process that needs them (cp at start, dp's delivery thread), which says
 * which one it could not read.
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

void
tp_conf_li_defaults(struct tp_conf *c)
{
	memset(&c->li, 0, sizeof(c->li));
}

/* The settings of the li group and of its two groups (tp_conf_keys.c
 * gives the group's each its reload class; x1 and x2x3 are compared
 * whole). */
const char *const tp_conf_names_li[] = { "ne_id", "store", "x1", "x2x3", NULL };
static const char *const names_x1[] = {
	"listen", "cert", "key", "client_ca", "admf_id", "cctf_id", "schemas", NULL,
};
static const char *const names_x2x3[] = { "cert", "key", "ca", "keepalive_s", "timeout_s",
					   NULL };

/* An identifier TS 103 221-1 carries (neIdentifier, admfIdentifier): 1 to
 * TP_CONF_LI_ID_MAX letters, digits, '-', '_', '.' (nothing XML or a log
 * line would need to escape). */
static bool
li_id_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > TP_CONF_LI_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

/* A string setting `what`.`name` of g into out (outlen bytes): required
 * (absent: "WHAT needs NAME = EXAMPLE") or not (absent: out left ""). */
static int
get_string(const config_setting_t *g, const char *what, const char *name, bool required,
	   const char *example, char *out, size_t outlen, const config_setting_t **at,
	   struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	const char *v;

	*at = s;
	if (s == NULL) {
		if (required)
			FAIL(g, "%s needs %s = %s", what, name, example);
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAIL(s, "%s.%s must be a string (%s)", what, name, example);
	v = config_setting_get_string(s);
	if (strlen(v) >= outlen)
		FAIL(s, "%s.%s is longer than %zu bytes", what, name, outlen - 1);
	snprintf(out, outlen, "%s", v);
	return 0;
}

/* A required absolute path (a certificate, a key, a CA bundle, a folder). */
static int
get_path(const config_setting_t *g, const char *what, const char *name, bool required,
	 const char *example, char *out, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s;
	int rc = get_string(g, what, name, required, example, out, TP_CONF_PATH_LEN, &s, c,
			    err, errlen);

	if (rc < 0 || s == NULL)
		return rc;
	if (out[0] != '/')
		FAIL(s, "%s.%s '%s' must be an absolute path (%s)", what, name, out, example);
	return 0;
}

/* A subgroup `name` of li, required; its names checked. */
static const config_setting_t *
subgroup(const config_setting_t *g, const char *name, const char *const *names,
	 const char *shape, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char what[16];

	if (s == NULL) {
		snprintf(err, errlen, "%s:%d: li needs %s = %s", c->path, where(g), name, shape);
		return NULL;
	}
	if (!config_setting_is_group(s)) {
		snprintf(err, errlen, "%s:%d: li.%s must be a group %s", c->path, where(s), name,
			 shape);
		return NULL;
	}
	snprintf(what, sizeof(what), "li.%s", name);
	if (tp_conf_check_names(s, what, names, c, err, errlen) < 0)
		return NULL;
	return s;
}

static int
load_x1(const config_setting_t *g, struct tp_conf_li *l, struct tp_conf *c, char *err,
	size_t errlen)
{
	const config_setting_t *x, *s;
	int rc;

	x = subgroup(g, "x1", names_x1, "{ listen = \"ADDR:PORT\"; cert = \"PATH\"; key = "
		     "\"PATH\"; client_ca = \"PATH\"; admf_id = \"NAME\"; }", c, err, errlen);
	if (x == NULL)
		return -EINVAL;
	if ((rc = get_string(x, "li.x1", "listen", true, "\"IP:PORT\" (where the ADMF "
			     "connects)", l->x1.listen, sizeof(l->x1.listen), &s, c, err,
			     errlen)) < 0)
		return rc;
	if (tp_conf_hostport_family(l->x1.listen) == 0)
		FAIL(s, "li.x1.listen '%s' is not \"IP:PORT\" (an IPv4 address, or an IPv6 one "
		     "in brackets; no host names)", l->x1.listen);
	if ((rc = get_path(x, "li.x1", "cert", true, "\"/etc/turnpike/li/x1.crt\" (our "
			   "chain, leaf first)", l->x1.cert, c, err, errlen)) < 0 ||
	    (rc = get_path(x, "li.x1", "key", true, "\"/etc/turnpike/li/x1.key\" (its key)",
			   l->x1.key, c, err, errlen)) < 0 ||
	    (rc = get_path(x, "li.x1", "client_ca", true, "\"/etc/turnpike/li/admf-ca.crt\" "
			   "(what the ADMF's certificate chains to)", l->x1.client_ca, c, err,
			   errlen)) < 0 ||
	    (rc = get_path(x, "li.x1", "schemas", false, "\"/usr/share/turnpike/li-xsd\" "
			   "(ETSI's TS 103 221-1 and TS 103 280 modules)", l->x1.schemas, c,
			   err, errlen)) < 0)
		return rc;
	if ((rc = get_string(x, "li.x1", "admf_id", true, "\"NAME\" (the ADMF's "
			     "admfIdentifier)", l->x1.admf_id, sizeof(l->x1.admf_id), &s, c,
			     err, errlen)) < 0)
		return rc;
	if (!li_id_ok(l->x1.admf_id))
		FAIL(s, "li.x1.admf_id '%s': 1 to %u letters, digits, '-', '_' or '.'",
		     l->x1.admf_id, TP_CONF_LI_ID_MAX);
	/* the IMS signalling function's CC-TF, whose LI_T3 triggers name the
	 * gateway's contexts (docs/design/li.md §2.7): optional */
	if ((rc = get_string(x, "li.x1", "cctf_id", false, "\"NAME\" (the P-CSCF's CC-TF: "
			     "its certificate's name and the admfIdentifier of its triggers)",
			     l->x1.cctf_id, sizeof(l->x1.cctf_id), &s, c, err, errlen)) < 0)
		return rc;
	if (l->x1.cctf_id[0] != '\0' && !li_id_ok(l->x1.cctf_id))
		FAIL(s, "li.x1.cctf_id '%s': 1 to %u letters, digits, '-', '_' or '.'",
		     l->x1.cctf_id, TP_CONF_LI_ID_MAX);
	if (l->x1.cctf_id[0] != '\0' && strcmp(l->x1.cctf_id, l->x1.admf_id) == 0)
		FAIL(s, "li.x1.cctf_id '%s' is li.x1.admf_id: the CC-TF is another party",
		     l->x1.cctf_id);
	return 0;
}

static int
load_x2x3(const config_setting_t *g, struct tp_conf_li *l, struct tp_conf *c, char *err,
	  size_t errlen)
{
	const config_setting_t *x;
	int rc;

	x = subgroup(g, "x2x3", names_x2x3, "{ cert = \"PATH\"; key = \"PATH\"; ca = "
		     "\"PATH\"; }", c, err, errlen);
	if (x == NULL)
		return -EINVAL;
	if ((rc = get_path(x, "li.x2x3", "cert", true, "\"/etc/turnpike/li/x2x3.crt\" (ours "
			   "towards the mediation function)", l->x2x3.cert, c, err,
			   errlen)) < 0 ||
	    (rc = get_path(x, "li.x2x3", "key", true, "\"/etc/turnpike/li/x2x3.key\"",
			   l->x2x3.key, c, err, errlen)) < 0 ||
	    (rc = get_path(x, "li.x2x3", "ca", true, "\"/etc/turnpike/li/mf-ca.crt\" (what "
			   "the mediation function's certificate chains to)", l->x2x3.ca, c,
			   err, errlen)) < 0)
		return rc;
	/* docs/design/li.md §3.3, §3.4: keepalives (0: none) and the
	 * handshake's and the writes' deadline */
	l->x2x3.keepalive_s = TP_CONF_LI_KEEPALIVE_S;
	l->x2x3.timeout_s = TP_CONF_LI_TIMEOUT_S;
	if ((rc = tp_conf_get_u32(x, "keepalive_s", 0, 3600, &l->x2x3.keepalive_s, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(x, "timeout_s", 1, 300, &l->x2x3.timeout_s, c, err,
				  errlen)) < 0)
		return rc;
	return 0;
}

static int
load_li(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_li *l = &c->li;
	const config_setting_t *s;
	int rc;

	l->line = where(g);
	if ((rc = tp_conf_check_names(g, "li", tp_conf_names_li, c, err, errlen)) < 0)
		return rc;
	if ((rc = get_string(g, "li", "ne_id", true, "\"NAME\" (this box's neIdentifier)",
			     l->ne_id, sizeof(l->ne_id), &s, c, err, errlen)) < 0)
		return rc;
	if (!li_id_ok(l->ne_id))
		FAIL(s, "li.ne_id '%s': 1 to %u letters, digits, '-', '_' or '.'", l->ne_id,
		     TP_CONF_LI_ID_MAX);
	if ((rc = get_path(g, "li", "store", false, "\"/var/lib/turnpike/li.db\"", l->store, c,
			   err, errlen)) < 0)
		return rc;
	if (l->store[0] == '\0' && c->cp.store[0] == '\0')
		FAIL(g, "li needs store = \"/var/lib/turnpike/li.db\" when cp.store is \"none\" "
		     "(tasks must survive a restart)");
	if ((rc = load_x1(g, l, c, err, errlen)) < 0 ||
	    (rc = load_x2x3(g, l, c, err, errlen)) < 0)
		return rc;
	l->enabled = true;
	return 0;
}

int
tp_conf_load_li(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *g = config_setting_get_member(config_root_setting(cfg), "li");

	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		FAIL(g, "li must be a group { ne_id = \"NAME\"; x1 = { ... }; x2x3 = { ... }; }");
	return load_li(g, c, err, errlen);
}
