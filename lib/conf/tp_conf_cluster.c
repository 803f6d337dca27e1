/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "cluster" group of the configuration file: many boxes
 * sharing users, quotas, where allocations live and their load in Redis
 * (cp/cluster). Absent: one box. Same rules as the other groups:
 * "file:line: why", unknown settings refused. Addresses are IP literals
 * (cp never waits on a name lookup in its loop).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

void
tp_conf_cluster_defaults(struct tp_conf *c)
{
	c->cluster.share = TP_CLUSTER_SHARE_ALL;
	c->cluster.lease_s = 30;
}

/*
 * "192.0.2.1:6379" or "[2001:db8::1]:6379" into *ss (the port in network
 * order) and, unless len is NULL, its length: 4 or 6, or 0 (ss zeroed)
 * when s is not that. IP literals only (no host names: nothing here
 * waits on a resolver); an IPv6 address in brackets; the port 1..65535 in
 * at most five decimal digits (no sign, no blank: strtol's leniency let
 * "+80" and " 80" through). The one reading of every "IP:PORT" setting
 * (cluster.address, ha.peer and listen, li.x1.listen, iq.listen and
 * mgc, ng.listen, cp.metrics) at load and where cp binds or compares it.
 */
int
tp_conf_hostport_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon, *h = s;
	size_t hl;
	unsigned long port = 0;
	int fam = 4;

	memset(ss, 0, sizeof(*ss));
	if (s == NULL)
		return 0;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			return 0;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
		fam = 6;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return 0;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(host) || colon[1] == '\0' || strlen(colon + 1) > 5)
		return 0;
	memcpy(host, h, hl);
	host[hl] = '\0';
	for (const char *d = colon + 1; *d != '\0'; d++) {
		if (*d < '0' || *d > '9')
			return 0;
		port = port * 10 + (unsigned long)(*d - '0');
	}
	if (port == 0 || port > 65535)
		return 0;
	if (fam == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (len != NULL)
			*len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (len != NULL)
			*len = sizeof(*a);
	}
	return fam;
bad:
	memset(ss, 0, sizeof(*ss));
	return 0;
}

/* "192.0.2.1:6379" or "[2001:db8::1]:6379": 4 or 6, or 0 if not that
 * (tp_conf_hostport_parse()'s rule). */
int
tp_conf_hostport_family(const char *s)
{
	struct sockaddr_storage ss;

	return tp_conf_hostport_parse(s, &ss, NULL);
}

/* A box or master name: 1..63 of letters, digits, '-', '_', '.'; they go
 * into Redis keys and log lines. */
bool
tp_conf_cluster_name_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > TP_CONF_CLUSTER_NAME_MAX)
		return false;
	for (const char *q = v; *q != '\0'; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || *q == '-' || *q == '_' || *q == '.'))
			return false;
	return true;
}

static int
get_hosts(const config_setting_t *g, const char *name, char out[][64], unsigned int *n,
	  struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAIL(s, "cluster.%s must be a list of \"IP:PORT\" strings", name);
	if (config_setting_length(s) < 1 || config_setting_length(s) > TP_CONF_MAX_CLUSTER_HOSTS)
		FAIL(s, "cluster.%s must list 1 to %d addresses", name,
		     TP_CONF_MAX_CLUSTER_HOSTS);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *v = config_setting_type(e) == CONFIG_TYPE_STRING ?
				config_setting_get_string(e) : NULL;

		if (v == NULL || strlen(v) >= 64 || tp_conf_hostport_family(v) == 0)
			FAIL(e, "cluster.%s: '%s' is not \"IP:PORT\" (an IPv4 address, or an "
			     "IPv6 one in brackets; no host names)", name, v != NULL ? v : "?");
		snprintf(out[*n], 64, "%s", v);
		(*n)++;
	}
	return 0;
}

static int
get_name(const config_setting_t *g, const char *name, char *out, struct tp_conf *c,
	 char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	const char *v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAIL(s, "cluster.%s must be a string", name);
	v = config_setting_get_string(s);
	if (!tp_conf_cluster_name_ok(v))
		FAIL(s, "cluster.%s '%s': 1 to %u letters, digits, '-', '_' or '.'", name, v,
		     TP_CONF_CLUSTER_NAME_MAX);
	snprintf(out, TP_CONF_CLUSTER_NAME_MAX + 1, "%s", v);
	return 1;
}

static int
get_share(const config_setting_t *g, struct tp_conf_cluster *k, struct tp_conf *c,
	  char *err, size_t errlen)
{
	static const char *const what[] = { "users", "quota", "registry", "load" };
	const config_setting_t *s = config_setting_get_member(g, "share");

	if (s == NULL)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAIL(s, "cluster.share must be a list of \"users\", \"quota\", \"registry\", "
		     "\"load\"");
	k->share = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *v = config_setting_type(e) == CONFIG_TYPE_STRING ?
				config_setting_get_string(e) : "?";
		unsigned int b;

		for (b = 0; b < 4; b++)
			if (strcmp(v, what[b]) == 0)
				break;
		if (b == 4)
			FAIL(e, "cluster.share: '%s' is none of \"users\", \"quota\", "
			     "\"registry\", \"load\"", v);
		k->share |= 1u << b;
	}
	return 0;
}

/* An absolute path to a secret's file (what is in it cp checks at start). */
static int
get_secret_path(const config_setting_t *g, const char *name, char *out, int *line,
		struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	const char *v;

	if (s == NULL)
		return 0;
	v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
	if (v == NULL || v[0] != '/' || strlen(v) >= TP_CONF_PATH_LEN)
		FAIL(s, "cluster.%s must be an absolute path (shorter than %d) to a file "
		     "holding the password (mode 0600)", name, TP_CONF_PATH_LEN);
	snprintf(out, TP_CONF_PATH_LEN, "%s", v);
	*line = where(s);
	return 1;
}

/* The settings of the cluster group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_cluster[] = {
	"redis", "sentinels", "master", "box", "address", "share", "lease",
	"namespace", "password_file", "username", "sentinel_password_file", NULL,
};

static int
load_cluster(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_cluster *k = &c->cluster;
	const config_setting_t *s;
	int rc, fams = 0;

	k->line = where(g);
	if ((rc = tp_conf_check_names(g, "cluster", tp_conf_names_cluster, c, err, errlen)) < 0 ||
	    (rc = get_hosts(g, "redis", k->redis, &k->nredis, c, err, errlen)) < 0 ||
	    (rc = get_hosts(g, "sentinels", k->sentinels, &k->nsentinels, c, err,
			    errlen)) < 0 ||
	    (rc = get_hosts(g, "address", k->address, &k->naddress, c, err, errlen)) < 0 ||
	    (rc = get_name(g, "master", k->master, c, err, errlen)) < 0 ||
	    (rc = get_share(g, k, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "lease", 5, 3600, &k->lease_s, c, err, errlen)) < 0)
		return rc;
	if ((rc = get_secret_path(g, "password_file", k->password_file,
				  &k->password_file_line, c, err, errlen)) < 0 ||
	    (rc = get_secret_path(g, "sentinel_password_file", k->sentinel_password_file,
				  &k->sentinel_password_file_line, c, err, errlen)) < 0 ||
	    (rc = get_name(g, "username", k->username, c, err, errlen)) < 0)
		return rc;
	if (k->username[0] != '\0' && k->password_file[0] == '\0')
		FAIL(config_setting_get_member(g, "username"), "cluster.username needs "
		     "password_file (Redis' AUTH takes both)");
	if ((rc = get_name(g, "box", k->box, c, err, errlen)) < 0)
		return rc;
	if (rc == 0)
		FAIL(g, "cluster needs box = \"NAME\" (this box's name in the cluster)");
	if ((k->nredis == 0) == (k->nsentinels == 0))
		FAIL(g, "cluster needs either redis = [\"IP:PORT\"] or sentinels = "
		     "[\"IP:PORT\", ...] with master = \"NAME\", not both");
	if (k->nsentinels > 0 && k->master[0] == '\0')
		FAIL(g, "cluster.sentinels needs master = \"NAME\" (the name Sentinel "
		     "monitors it by)");
	if (k->sentinel_password_file[0] != '\0' && k->nsentinels == 0)
		FAIL(config_setting_get_member(g, "sentinel_password_file"),
		     "cluster.sentinel_password_file goes with sentinels");
	if (k->nredis > 0 && k->master[0] != '\0')
		FAIL(config_setting_get_member(g, "master"), "cluster.master goes with "
		     "sentinels, not redis");
	s = config_setting_get_member(g, "address");
	for (unsigned int i = 0; i < k->naddress; i++) {
		int f = tp_conf_hostport_family(k->address[i]) == 4 ? 1 : 2;

		if (fams & f)
			FAIL(s, "cluster.address: one IPv4 and one IPv6 address at most");
		fams |= f;
	}
	if ((k->share & TP_CLUSTER_SHARE_LOAD) && k->naddress == 0)
		FAIL(g, "cluster shares \"load\": it needs address = [\"IP:PORT\"] (where the "
		     "other boxes send new clients to this one)");
	s = config_setting_get_member(g, "namespace");
	if (s != NULL) {
		const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ?
				config_setting_get_string(s) : "";

		if (v[0] == '\0' || strlen(v) >= sizeof(k->ns) || strchr(v, ' ') != NULL)
			FAIL(s, "cluster.namespace must be a non-empty string without spaces, "
			     "shorter than %zu", sizeof(k->ns));
		snprintf(k->ns, sizeof(k->ns), "%s", v);
	} else {
		snprintf(k->ns, sizeof(k->ns), "%s", c->turn.realm);
	}
	k->enabled = true;
	return 0;
}

int
tp_conf_load_cluster(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *g =
		config_setting_get_member(config_root_setting(cfg), "cluster");

	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		FAIL(g, "cluster must be a group { redis = [\"IP:PORT\"]; box = \"NAME\"; ... }");
	if (!c->turn.enabled)
		FAIL(g, "cluster needs the turn group (cp is what joins the cluster)");
	return load_cluster(g, c, err, errlen);
}
