/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "ha" group of the configuration file: this box is one of an
 * active/standby pair (issue 69, docs/design/ha.md §3.1). The lease that
 * says which box is active lives in the cluster's Redis, so the group needs
 * a cluster group; the mirror goes over a direct link between the two cps
 * (`peer`, `listen`, its pre-shared key in `key_file`, which cp reads and
 * checks at start as it does cluster.password_file). Absent: one box.
 * Same rules as the other groups: "file:line: why", unknown settings
 * refused. Addresses are IP literals (cp never waits on a name lookup).
 *
 * The times are bounded so that the lease can be kept: at least three
 * heartbeats within a lease (one lost heartbeat is no takeover), and the
 * mirror's bound under the lease (a change older than the lease would
 * outlive the box that made it).
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

#define HA_LEASE_MIN_MS      300u
#define HA_LEASE_MAX_MS      60000u
#define HA_LEASE_DEFAULT_MS  1000u
#define HA_TIME_MIN_MS       10u     /* heartbeat_ms, bound_ms */
#define HA_TIME_MAX_MS       10000u
#define HA_TIME_DEFAULT_MS   100u

void
tp_conf_ha_defaults(struct tp_conf *c)
{
	memset(&c->ha, 0, sizeof(c->ha));
	c->ha.role = TP_HA_ROLE_AUTO;
	c->ha.lease_ms = HA_LEASE_DEFAULT_MS;
	c->ha.heartbeat_ms = HA_TIME_DEFAULT_MS;
	c->ha.bound_ms = HA_TIME_DEFAULT_MS;
}

/* The settings of the ha group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_ha[] = {
	"pair", "role", "lease_ms", "peer", "listen", "key_file", "heartbeat_ms", "bound_ms",
	NULL,
};

/* A required string setting of g, or NULL with err set ("ha needs ..."). */
static const config_setting_t *
need_string(const config_setting_t *g, const char *name, const char *example,
	    struct tp_conf *c, char *err, size_t errlen, const char **v)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	*v = NULL;
	if (s == NULL) {
		snprintf(err, errlen, "%s:%d: ha needs %s = %s", c->path, where(g), name,
			 example);
		return NULL;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		snprintf(err, errlen, "%s:%d: ha.%s must be a string (%s)", c->path, where(s),
			 name, example);
		return NULL;
	}
	*v = config_setting_get_string(s);
	return s;
}

/* "IP:PORT" of the link's ends into out (64 bytes); its family in *fam. */
static int
get_end(const config_setting_t *g, const char *name, const char *example, char *out,
	int *fam, struct tp_conf *c, char *err, size_t errlen)
{
	const char *v;
	const config_setting_t *s = need_string(g, name, example, c, err, errlen, &v);

	if (s == NULL)
		return -EINVAL;
	if (strlen(v) >= 64 || (*fam = tp_conf_hostport_family(v)) == 0)
		FAIL(s, "ha.%s '%s' is not \"IP:PORT\" (an IPv4 address, or an IPv6 one in "
		     "brackets; no host names)", name, v);
	snprintf(out, 64, "%s", v);
	return 0;
}

static int
get_role(const config_setting_t *g, struct tp_conf_ha *h, struct tp_conf *c, char *err,
	 size_t errlen)
{
	static const char *const names[] = {
		[TP_HA_ROLE_AUTO] = "auto", [TP_HA_ROLE_STANDBY] = "standby",
		[TP_HA_ROLE_ACTIVE] = "active",
	};
	const config_setting_t *s = config_setting_get_member(g, "role");
	const char *v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAIL(s, "ha.role must be a string: \"auto\", \"standby\" or \"active\"");
	v = config_setting_get_string(s);
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i]) == 0) {
			h->role = i;
			return 0;
		}
	}
	FAIL(s, "ha.role '%s' is none of \"auto\", \"standby\", \"active\"", v);
}

static int
load_ha(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_ha *h = &c->ha;
	const config_setting_t *s;
	const char *v;
	int rc, fam_peer = 0, fam_listen = 0;

	h->line = where(g);
	if ((rc = tp_conf_check_names(g, "ha", tp_conf_names_ha, c, err, errlen)) < 0)
		return rc;
	s = need_string(g, "pair", "\"NAME\" (the pair's name in the cluster)", c, err, errlen,
			&v);
	if (s == NULL)
		return -EINVAL;
	if (!tp_conf_cluster_name_ok(v))
		FAIL(s, "ha.pair '%s': 1 to %u letters, digits, '-', '_' or '.'", v,
		     TP_CONF_CLUSTER_NAME_MAX);
	snprintf(h->pair, sizeof(h->pair), "%s", v);
	if ((rc = get_role(g, h, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "lease_ms", HA_LEASE_MIN_MS, HA_LEASE_MAX_MS, &h->lease_ms,
				  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "heartbeat_ms", HA_TIME_MIN_MS, HA_TIME_MAX_MS,
				  &h->heartbeat_ms, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "bound_ms", HA_TIME_MIN_MS, HA_TIME_MAX_MS, &h->bound_ms,
				  c, err, errlen)) < 0)
		return rc;
	if ((rc = get_end(g, "peer", "\"IP:PORT\" (the other box's link)", h->peer, &fam_peer,
			  c, err, errlen)) < 0 ||
	    (rc = get_end(g, "listen", "\"IP:PORT\" (where this box takes the link)", h->listen,
			  &fam_listen, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "listen");
	if (fam_peer != fam_listen)
		FAIL(s, "ha.listen and ha.peer must be of one family (the link is one "
		     "connection): '%s', '%s'", h->listen, h->peer);
	if (strcmp(h->peer, h->listen) == 0)
		FAIL(config_setting_get_member(g, "peer"), "ha.peer is ha.listen ('%s'): the "
		     "peer is the other box", h->peer);
	s = need_string(g, "key_file", "\"/etc/turnpike/ha.key\" (the link's pre-shared key, "
			"mode 0600)", c, err, errlen, &v);
	if (s == NULL)
		return -EINVAL;
	if (v[0] != '/' || strlen(v) >= sizeof(h->key_file))
		FAIL(s, "ha.key_file must be an absolute path (shorter than %zu) to a file "
		     "holding the link's key (mode 0600)", sizeof(h->key_file));
	snprintf(h->key_file, sizeof(h->key_file), "%s", v);
	h->key_file_line = where(s);
	/* the times against the lease (each said on its own line) */
	s = config_setting_get_member(g, "heartbeat_ms");
	if (h->heartbeat_ms * 3u > h->lease_ms)
		FAIL(s != NULL ? s : config_setting_get_member(g, "lease_ms"),
		     "ha.heartbeat_ms %u must be at most a third of ha.lease_ms %u (one lost "
		     "heartbeat is no takeover)", h->heartbeat_ms, h->lease_ms);
	s = config_setting_get_member(g, "bound_ms");
	if (h->bound_ms >= h->lease_ms)
		FAIL(s != NULL ? s : config_setting_get_member(g, "lease_ms"),
		     "ha.bound_ms %u must be less than ha.lease_ms %u (the mirror's lag "
		     "within a lease)", h->bound_ms, h->lease_ms);
	h->enabled = true;
	return 0;
}

int
tp_conf_load_ha(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *g = config_setting_get_member(config_root_setting(cfg), "ha");

	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		FAIL(g, "ha must be a group { pair = \"NAME\"; peer = \"IP:PORT\"; listen = "
		     "\"IP:PORT\"; key_file = \"/etc/turnpike/ha.key\"; }");
	if (!c->cluster.enabled)
		FAIL(g, "ha needs a cluster group (the lease that says which box is active "
		     "is in its Redis)");
	return load_ha(g, c, err, errlen);
}
