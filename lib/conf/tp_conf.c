/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading the box's configuration file with libconfig: the "dp" group
 * here (EAL arguments, workers, ports and their addresses, impairment),
 * the "turn" and "cp" groups in tp_conf_turn.c. Defaults are merged in
 * one place (conf_defaults); every error names the file, the line and
 * what is wrong; unknown settings are refused so a typo cannot pass.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

#define FAIL(s, ...) do { \
	int _n = snprintf(err, errlen, "%s:%d: ", c->path, \
			  config_setting_source_line(s)); \
	if (_n >= 0 && (size_t)_n < errlen) \
		snprintf(err + _n, errlen - (size_t)_n, __VA_ARGS__); \
	return -EINVAL; \
} while (0)

int
tp_conf_parse_prefix(const char *s, uint8_t addr[16], uint8_t *plen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int family;
	char *end;
	long len;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		family = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		family = 6;
	else
		return -EINVAL;
	if (plen == NULL)
		return slash == NULL ? family : -EINVAL;
	if (slash == NULL || slash[1] == '\0')
		return -EINVAL;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || len < 0 || len > (family == 4 ? 32 : 128))
		return -EINVAL;
	*plen = (uint8_t)len;
	return family;
}

static void
conf_defaults(struct tp_conf *c)
{
	c->dp.nworkers = 1;
	c->dp.workers[0] = 0;
	c->dp.idle_sleep_max_us = 0;
	c->dp.mbufs_per_worker = 8191;
	c->dp.neigh_reachable_s = 30;
	c->dp.neigh_retry_ms = 1000;
	c->dp.neigh_queue_max = 8;
	c->dp.icmp_rate_per_s = 100;
	c->dp.diag_echo_port = 0;
	tp_conf_turn_defaults(c);
}

static bool
in_list(const char *name, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(*names, name) == 0)
			return true;
	return false;
}

int
tp_conf_check_names(const config_setting_t *g, const char *what,
	    const char *const *names, struct tp_conf *c, char *err, size_t errlen)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned int)i);

		if (!in_list(config_setting_name(s), names))
			FAIL(s, "%s: unknown setting '%s'", what, config_setting_name(s));
	}
	return 0;
}

static int
get_int(const config_setting_t *g, const char *name, long long lo, long long hi,
	long long *out, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		FAIL(s, "%s must be an integer", name);
	*out = config_setting_get_int64(s);
	if (*out < lo || *out > hi)
		FAIL(s, "%s %lld is out of range %lld..%lld", name, *out, lo, hi);
	return 1;
}

int
tp_conf_get_u32(const config_setting_t *g, const char *name, uint32_t lo, uint32_t hi,
	uint32_t *out, struct tp_conf *c, char *err, size_t errlen)
{
	long long v;
	int rc = get_int(g, name, lo, hi, &v, c, err, errlen);

	if (rc > 0)
		*out = (uint32_t)v;
	return rc < 0 ? rc : 0;
}

static int
get_double(const config_setting_t *g, const char *name, double *out,
	   const char *owner, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	double v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	else
		FAIL(s, "port '%s': impair.%s must be a number", owner, name);
	if (v < 0.0 || v > 1.0)
		FAIL(s, "port '%s': impair.%s %g must lie in 0..1", owner, name, v);
	*out = v;
	return 0;
}

static int
load_eal(const config_setting_t *s, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_dp *d = &c->dp;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAIL(s, "dp.eal must be a list of strings");
	if (config_setting_length(s) > TP_CONF_MAX_EAL_ARGS)
		FAIL(s, "dp.eal has more than %d arguments", TP_CONF_MAX_EAL_ARGS);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *v = config_setting_get_string(e);

		if (v == NULL)
			FAIL(e, "dp.eal: argument %d is not a string", i + 1);
		d->eal_argv[d->eal_argc] = strdup(v);
		if (d->eal_argv[d->eal_argc] == NULL) {
			snprintf(err, errlen, "%s: out of memory", c->path);
			return -ENOMEM;
		}
		d->eal_argc++;
	}
	return 0;
}

static int
load_workers(const config_setting_t *s, struct tp_conf *c, char *err,
	     size_t errlen)
{
	struct tp_conf_dp *d = &c->dp;
	int n = config_setting_length(s);

	if (!config_setting_is_array(s) || n < 1)
		FAIL(s, "dp.workers must be a non-empty list of lcore numbers");
	if (n > TP_CONF_MAX_WORKERS)
		FAIL(s, "dp.workers has more than %d lcores", TP_CONF_MAX_WORKERS);
	d->nworkers = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		long long v;

		if (config_setting_type(e) != CONFIG_TYPE_INT)
			FAIL(e, "dp.workers: entry %d is not an lcore number", i + 1);
		v = config_setting_get_int(e);
		if (v < 0 || v >= 1024)
			FAIL(e, "dp.workers: lcore %lld is out of range 0..1023", v);
		for (unsigned int j = 0; j < d->nworkers; j++)
			if (d->workers[j] == (unsigned int)v)
				FAIL(e, "dp.workers: lcore %lld is listed twice", v);
		d->workers[d->nworkers++] = (unsigned int)v;
	}
	return 0;
}

static int
load_addr(const config_setting_t *p, const char *name, int family,
	  bool want_prefix, uint8_t *addr, uint8_t *plen, bool *has,
	  const char *owner, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(p, name);
	uint8_t a[16];
	const char *v;
	int f;

	if (s == NULL)
		return 0;
	v = config_setting_get_string(s);
	if (v == NULL)
		FAIL(s, "port '%s': %s must be a string", owner, name);
	f = tp_conf_parse_prefix(v, a, want_prefix ? plen : NULL);
	if (f < 0) {
		if (want_prefix && strchr(v, '/') != NULL) {
			const char *sl = strchr(v, '/');
			char *end;
			long len = strtol(sl + 1, &end, 10);

			if (*end == '\0' && sl[1] != '\0' && len >= 0)
				FAIL(s, "port '%s': %s '%s': prefix length must be 0..%d",
				     owner, name, v, strchr(v, ':') ? 128 : 32);
		}
		FAIL(s, "port '%s': %s '%s' is not an %s%s", owner, name, v,
		     family == 4 ? "IPv4 address" : "IPv6 address",
		     want_prefix ? " with a prefix length (a.b.c.d/len)" : "");
	}
	if (f != family)
		FAIL(s, "port '%s': %s '%s' is not an %s", owner, name, v,
		     family == 4 ? "IPv4 address" : "IPv6 address");
	memcpy(addr, a, family == 4 ? 4 : 16);
	*has = true;
	return 0;
}

static int
load_impair(const config_setting_t *s, struct tp_conf_port *p,
	    struct tp_conf *c, char *err, size_t errlen)
{
	static const char *const names[] = {
		"loss", "dup", "reorder", "delay_us", "jitter_us", "seed",
		"direction", NULL,
	};
	struct tp_conf_impair *im = &p->impair;
	const config_setting_t *dir;
	long long v;
	int rc;

	if (!config_setting_is_group(s))
		FAIL(s, "port '%s': impair must be a group { loss = 0.2; ... }", p->name);
	if ((rc = tp_conf_check_names(s, "impair", names, c, err, errlen)) < 0 ||
	    (rc = get_double(s, "loss", &im->loss, p->name, c, err, errlen)) < 0 ||
	    (rc = get_double(s, "dup", &im->dup, p->name, c, err, errlen)) < 0 ||
	    (rc = get_double(s, "reorder", &im->reorder, p->name, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "delay_us", 0, 10000000, &im->delay_us, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(s, "jitter_us", 0, 10000000, &im->jitter_us, c, err, errlen)) < 0)
		return rc;
	rc = get_int(s, "seed", 0, INT64_MAX, &v, c, err, errlen);
	if (rc < 0)
		return rc;
	if (rc > 0)
		im->seed = (uint64_t)v;
	dir = config_setting_get_member(s, "direction");
	if (dir != NULL) {
		const char *d = config_setting_get_string(dir);

		if (d != NULL && strcmp(d, "rx") == 0)
			im->dir = TP_IMPAIR_RX;
		else if (d != NULL && strcmp(d, "tx") == 0)
			im->dir = TP_IMPAIR_TX;
		else if (d != NULL && strcmp(d, "both") == 0)
			im->dir = TP_IMPAIR_BOTH;
		else
			FAIL(dir, "port '%s': impair.direction must be \"rx\", \"tx\" or "
			     "\"both\"", p->name);
	}
	im->enabled = true;
	return 0;
}

static int
load_port(const config_setting_t *s, struct tp_conf *c, char *err, size_t errlen)
{
	static const char *const names[] = {
		"name", "dev", "roles", "ipv4", "ipv6", "gateway4", "gateway6",
		"mtu", "vlan", "impair", "tx_checksum_offload", NULL,
	};
	struct tp_conf_dp *d = &c->dp;
	struct tp_conf_port *p = &d->ports[d->nports];
	const config_setting_t *v;
	uint32_t u;
	int rc;

	if (!config_setting_is_group(s))
		FAIL(s, "a port must be a group { name = ...; dev = ...; ... }");
	memset(p, 0, sizeof(*p));
	p->line = config_setting_source_line(s);
	p->mtu = 1500;
	p->impair.dir = TP_IMPAIR_RX;
	p->impair.seed = 1;
	v = config_setting_get_member(s, "name");
	if (v == NULL || config_setting_get_string(v) == NULL ||
	    config_setting_get_string(v)[0] == '\0')
		FAIL(s, "a port needs a name");
	if (strlen(config_setting_get_string(v)) >= sizeof(p->name))
		FAIL(v, "port name '%s' is longer than %zu bytes",
		     config_setting_get_string(v), sizeof(p->name) - 1);
	snprintf(p->name, sizeof(p->name), "%s", config_setting_get_string(v));
	if ((rc = tp_conf_check_names(s, "port", names, c, err, errlen)) < 0)
		return rc;
	for (unsigned int i = 0; i < d->nports; i++)
		if (strcmp(d->ports[i].name, p->name) == 0)
			FAIL(v, "port '%s' is defined twice (line %d)", p->name,
			     d->ports[i].line);

	v = config_setting_get_member(s, "dev");
	if (v == NULL || config_setting_get_string(v) == NULL ||
	    config_setting_get_string(v)[0] == '\0')
		FAIL(s, "port '%s' needs a dev (a PCI address or a vdev such as "
		     "\"net_tap0,iface=tp0\")", p->name);
	if (strlen(config_setting_get_string(v)) >= sizeof(p->dev))
		FAIL(v, "port '%s': dev is too long", p->name);
	snprintf(p->dev, sizeof(p->dev), "%s", config_setting_get_string(v));
	for (unsigned int i = 0; i < d->nports; i++) {
		size_t a = strcspn(d->ports[i].dev, ","), b = strcspn(p->dev, ",");

		if (a == b && strncmp(d->ports[i].dev, p->dev, a) == 0)
			FAIL(v, "port '%s' uses the device of port '%s'", p->name,
			     d->ports[i].name);
	}

	v = config_setting_get_member(s, "roles");
	if (v == NULL || !config_setting_is_array(v) || config_setting_length(v) < 1)
		FAIL(v ? v : s, "port '%s' needs roles = [\"access\"], [\"core\"] or both",
		     p->name);
	for (int i = 0; i < config_setting_length(v); i++) {
		const char *r = config_setting_get_string_elem(v, (unsigned int)i);

		if (r != NULL && strcmp(r, "access") == 0)
			p->roles |= TP_ROLE_ACCESS;
		else if (r != NULL && strcmp(r, "core") == 0)
			p->roles |= TP_ROLE_CORE;
		else
			FAIL(v, "port '%s': unknown role '%s' (access or core)", p->name,
			     r ? r : "?");
	}

	if ((rc = load_addr(s, "ipv4", 4, true, p->ip4, &p->plen4, &p->has_ip4,
			    p->name, c, err, errlen)) < 0 ||
	    (rc = load_addr(s, "ipv6", 6, true, p->ip6, &p->plen6, &p->has_ip6,
			    p->name, c, err, errlen)) < 0 ||
	    (rc = load_addr(s, "gateway4", 4, false, p->gw4, NULL, &p->has_gw4,
			    p->name, c, err, errlen)) < 0 ||
	    (rc = load_addr(s, "gateway6", 6, false, p->gw6, NULL, &p->has_gw6,
			    p->name, c, err, errlen)) < 0)
		return rc;
	if (!p->has_ip4 && !p->has_ip6)
		FAIL(s, "port '%s' needs an ipv4 or an ipv6 address", p->name);
	if (p->has_gw4) {
		uint32_t a, g, m = p->plen4 ? ~0u << (32 - p->plen4) : 0;

		v = config_setting_get_member(s, "gateway4");
		memcpy(&a, p->ip4, 4);
		memcpy(&g, p->gw4, 4);
		if (!p->has_ip4 || ((ntohl(a) ^ ntohl(g)) & m) != 0)
			FAIL(v, "port '%s': gateway4 is not inside the port's IPv4 prefix",
			     p->name);
	}
	if (p->has_gw6) {
		v = config_setting_get_member(s, "gateway6");
		if (!p->has_ip6)
			FAIL(v, "port '%s': gateway6 needs an ipv6 address on the port",
			     p->name);
		for (unsigned int bit = 0; bit < p->plen6; bit++) {
			uint8_t mask = (uint8_t)(0x80u >> (bit & 7));

			if ((p->ip6[bit / 8] & mask) != (p->gw6[bit / 8] & mask))
				FAIL(v, "port '%s': gateway6 is not inside the port's IPv6 "
				     "prefix", p->name);
		}
	}
	u = p->mtu;
	if ((rc = tp_conf_get_u32(s, "mtu", 576, 9000, &u, c, err, errlen)) < 0)
		return rc;
	p->mtu = (uint16_t)u;
	if (p->has_ip6 && p->mtu < 1280)
		FAIL(config_setting_get_member(s, "mtu") ?
		     config_setting_get_member(s, "mtu") : s,
		     "port '%s': mtu %u is below IPv6's minimum 1280", p->name, p->mtu);
	u = 0;
	if ((rc = tp_conf_get_u32(s, "vlan", 0, 4094, &u, c, err, errlen)) < 0)
		return rc;
	p->vlan = (uint16_t)u;
	v = config_setting_get_member(s, "tx_checksum_offload");
	if (v != NULL) {
		if (config_setting_type(v) != CONFIG_TYPE_BOOL)
			FAIL(v, "port '%s': tx_checksum_offload must be true or false",
			     p->name);
		p->no_tx_offload = !config_setting_get_bool(v);
	}
	v = config_setting_get_member(s, "impair");
	if (v != NULL && (rc = load_impair(v, p, c, err, errlen)) < 0)
		return rc;
	d->nports++;
	return 0;
}

static int
load_dp(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	static const char *const names[] = {
		"eal", "workers", "idle_sleep_max_us", "mbufs_per_worker",
		"neigh_reachable_s", "neigh_retry_ms", "neigh_queue_max",
		"icmp_rate_per_s", "diag_echo_port", "ports", NULL,
	};
	struct tp_conf_dp *d = &c->dp;
	const config_setting_t *s;
	uint32_t v;
	int rc;

	if (!config_setting_is_group(g))
		FAIL(g, "dp must be a group");
	if ((rc = tp_conf_check_names(g, "dp", names, c, err, errlen)) < 0)
		return rc;
	d->eal_argv[d->eal_argc++] = strdup("turnpike-dp");
	if (d->eal_argv[0] == NULL)
		return -ENOMEM;
	s = config_setting_get_member(g, "eal");
	if (s != NULL && (rc = load_eal(s, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "workers");
	if (s != NULL && (rc = load_workers(s, c, err, errlen)) < 0)
		return rc;
	if ((rc = tp_conf_get_u32(g, "idle_sleep_max_us", 0, 100000, &d->idle_sleep_max_us,
			  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "mbufs_per_worker", 1023, 1048575, &d->mbufs_per_worker,
			  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "neigh_reachable_s", 1, 3600, &d->neigh_reachable_s,
			  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "neigh_retry_ms", 10, 60000, &d->neigh_retry_ms, c,
			  err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "neigh_queue_max", 1, 16, &d->neigh_queue_max, c, err,
			  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "icmp_rate_per_s", 0, 1000000, &d->icmp_rate_per_s, c,
			  err, errlen)) < 0)
		return rc;
	v = 0;
	if ((rc = tp_conf_get_u32(g, "diag_echo_port", 0, 65535, &v, c, err, errlen)) < 0)
		return rc;
	d->diag_echo_port = (uint16_t)v;

	s = config_setting_get_member(g, "ports");
	if (s == NULL || !config_setting_is_list(s) || config_setting_length(s) == 0)
		FAIL(s ? s : g, "dp needs ports = ( { name = ...; dev = ...; ... } )");
	if (config_setting_length(s) > TP_CONF_MAX_PORTS)
		FAIL(s, "dp has more than %d ports", TP_CONF_MAX_PORTS);
	for (int i = 0; i < config_setting_length(s); i++)
		if ((rc = load_port(config_setting_get_elem(s, (unsigned int)i), c, err,
				    errlen)) < 0)
			return rc;
	return 0;
}

int
tp_conf_load(const char *path, struct tp_conf *c, char *err, size_t errlen)
{
	config_t cfg;
	const config_setting_t *dp;
	FILE *f;
	int rc;

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	conf_defaults(c);
	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return rc == -ENOENT ? -ENOENT : rc;
	}
	config_init(&cfg);
	if (config_read(&cfg, f) != CONFIG_TRUE) {
		snprintf(err, errlen, "%s:%d: %s", path, config_error_line(&cfg),
			 config_error_text(&cfg));
		rc = -EINVAL;
		goto out;
	}
	dp = config_setting_get_member(config_root_setting(&cfg), "dp");
	if (dp == NULL) {
		snprintf(err, errlen, "%s: no dp group", path);
		rc = -EINVAL;
		goto out;
	}
	rc = load_dp(dp, c, err, errlen);
	if (rc == 0)
		rc = tp_conf_load_turn_cp(&cfg, c, err, errlen);
out:
	config_destroy(&cfg);
	fclose(f);
	if (rc < 0)
		tp_conf_free(c);
	return rc;
}

void
tp_conf_free(struct tp_conf *c)
{
	for (int i = 0; i < c->dp.eal_argc; i++) {
		free(c->dp.eal_argv[i]);
		c->dp.eal_argv[i] = NULL;
	}
	c->dp.eal_argc = 0;
}
