/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "tenants" list of the configuration file (tp_conf_types.h, struct
 * tp_conf_tenant):
 *
 *   tenants = (
 *     { name = "mvno-a";                       # 1..31 letters, digits, '-', '_', '.'
 *       realm = "a.example.net";               # its 401s' REALM; its credentials' realm
 *       addresses = ["192.0.2.11", "2001:db8:1::11"];   # TURN addresses on an access port
 *       relay = ["198.51.100.21"];             # relayed addresses only it gets (optional)
 *       quota_total = 20000; quota_user = 100; # allocations (default cp's)
 *       agw_contexts = 500;                    # live AGW contexts (default: no limit)
 *       max_bps = 125000;                      # bytes/s each way an allocation (default turn.max_bps)
 *       users = ( { name = "..."; password = "..."; } );
 *       secrets = [ "..." ];                   # TURN REST API
 *       peers = { allow = [ ... ]; };          # its peer policy (default cp.peers)
 *     }
 *   );
 *
 * A client's tenant is decided by the address it reached, so addresses
 * may not overlap: no two tenants share one, and none is a port's own
 * address (the default tenant's), a relayed address, a gateway or the
 * prefix's network or broadcast address. dp answers ARP and neighbour
 * solicitations for them on the access port whose prefix holds them.
 * Relayed addresses named by relay must be the core port's (relay_ipv4 /
 * relay_ipv6) and no other tenant's; the default tenant relays on those
 * no tenant names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

/* Is a (family f) any port's own address, gateway or relayed address?
 * what gets a word for the message. */
static bool
address_taken(const struct tp_conf *c, int f, const uint8_t *a, const char **what)
{
	unsigned int alen = f == 4 ? 4 : 16;
	uint8_t relay[TP_CONF_MAX_RELAY][16];
	unsigned int nr = tp_conf_relay_addrs(c, f, relay, NULL);

	for (unsigned int i = 0; i < c->dp.nports; i++) {
		const struct tp_conf_port *p = &c->dp.ports[i];

		if ((f == 4 ? p->has_ip4 : p->has_ip6) &&
		    memcmp(a, f == 4 ? p->ip4 : p->ip6, alen) == 0) {
			*what = "a port's own address (the default tenant's)";
			return true;
		}
		if ((f == 4 ? p->has_gw4 : p->has_gw6) &&
		    memcmp(a, f == 4 ? p->gw4 : p->gw6, alen) == 0) {
			*what = "a port's gateway";
			return true;
		}
	}
	for (unsigned int i = 0; i < nr; i++)
		if (memcmp(a, relay[i], alen) == 0) {
			*what = "a relayed address";
			return true;
		}
	return false;
}

static int
load_addresses(const config_setting_t *g, struct tp_conf_tenant *t, struct tp_conf *c,
	       char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, "addresses");
	int n;

	if (s == NULL)
		FAIL(g, "tenant '%s' needs addresses = [\"192.0.2.11\", ...] (the TURN "
		     "addresses on an access port that are its own)", t->name);
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAIL(s, "tenant '%s': addresses must be a list of IP addresses", t->name);
	n = config_setting_length(s);
	if (n == 0 || n > TP_CONF_TENANT_ADDRS)
		FAIL(s, "tenant '%s': addresses has %d entries; 1 to %d", t->name, n,
		     TP_CONF_TENANT_ADDRS);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		struct tp_conf_tenant_addr *ta = &t->addrs[t->naddrs];
		const char *v = config_setting_get_string(e);
		const char *what;
		unsigned int alen;
		uint8_t a[16];
		bool found = false;
		int f;

		if (v == NULL || (f = tp_conf_parse_prefix(v, a, NULL)) < 0)
			FAIL(e, "tenant '%s': address '%s' is not an IP address (no prefix "
			     "length)", t->name, v != NULL ? v : "(not a string)");
		alen = f == 4 ? 4 : 16;
		for (unsigned int pi = 0; pi < c->dp.nports && !found; pi++) {
			const struct tp_conf_port *p = &c->dp.ports[pi];
			unsigned int plen = f == 4 ? p->plen4 : p->plen6;

			if (!(p->roles & TP_ROLE_ACCESS) || !(f == 4 ? p->has_ip4 : p->has_ip6) ||
			    !tp_conf_same_prefix(a, f == 4 ? p->ip4 : p->ip6, plen))
				continue;
			if (plen + 2 <= alen * 8 && tp_conf_host_bits_all(a, plen, alen, false))
				FAIL(e, "tenant '%s': address '%s' is the network (or "
				     "Subnet-Router anycast) address of port '%s'", t->name, v,
				     p->name);
			if (f == 4 && plen + 2 <= 32 && tp_conf_host_bits_all(a, plen, alen, true))
				FAIL(e, "tenant '%s': address '%s' is the broadcast address of "
				     "port '%s'", t->name, v, p->name);
			ta->port = (uint8_t)pi;
			found = true;
		}
		if (!found)
			FAIL(e, "tenant '%s': address '%s' lies in no access port's prefix "
			     "(dp answers ARP and neighbour solicitations on the link only)",
			     t->name, v);
		if (address_taken(c, f, a, &what))
			FAIL(e, "tenant '%s': address '%s' is %s", t->name, v, what);
		for (unsigned int k = 0; k <= c->tenants.n; k++) {
			const struct tp_conf_tenant *o = &c->tenants.t[k];

			for (unsigned int j = 0; j < o->naddrs; j++)
				if (o->addrs[j].family == f && memcmp(o->addrs[j].ip, a, alen) == 0)
					FAIL(e, "tenant '%s': address '%s' is also tenant '%s''s "
					     "(line %d): a client's tenant is the address it "
					     "reached, so no two share one", t->name, v, o->name,
					     o->line);
		}
		ta->family = (uint8_t)f;
		memset(ta->ip, 0, sizeof(ta->ip));
		memcpy(ta->ip, a, alen);
		t->naddrs++;
	}
	return 0;
}

static int
load_relay(const config_setting_t *g, struct tp_conf_tenant *t, struct tp_conf *c,
	   char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, "relay");
	uint8_t r4[TP_CONF_MAX_RELAY][16], r6[TP_CONF_MAX_RELAY][16];
	unsigned int n4, n6;

	if (s == NULL)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		FAIL(s, "tenant '%s': relay must be a list of relayed addresses", t->name);
	if (config_setting_length(s) == 0)
		FAIL(s, "tenant '%s': relay is empty: leave it out to share the default "
		     "tenant's relayed addresses", t->name);
	n4 = tp_conf_relay_addrs(c, 4, r4, NULL);
	n6 = tp_conf_relay_addrs(c, 6, r6, NULL);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *v = config_setting_get_string(e);
		uint64_t *mask;
		unsigned int k, nr;
		uint8_t a[16];
		int f;

		if (v == NULL || (f = tp_conf_parse_prefix(v, a, NULL)) < 0)
			FAIL(e, "tenant '%s': relay '%s' is not an IP address", t->name,
			     v != NULL ? v : "(not a string)");
		nr = f == 4 ? n4 : n6;
		for (k = 0; k < nr; k++)
			if (memcmp(f == 4 ? r4[k] : r6[k], a, f == 4 ? 4 : 16) == 0)
				break;
		if (k == nr)
			FAIL(e, "tenant '%s': relay '%s' is not one of the core port's relayed "
			     "addresses (list it in relay_ipv%d there)", t->name, v, f);
		mask = f == 4 ? &t->relay4_mask : &t->relay6_mask;
		if (*mask & (1ull << k))
			FAIL(e, "tenant '%s': relay '%s' is listed twice", t->name, v);
		for (unsigned int j = 0; j < c->tenants.n; j++) {
			const struct tp_conf_tenant *o = &c->tenants.t[j];

			if (((f == 4 ? o->relay4_mask : o->relay6_mask) >> k) & 1u)
				FAIL(e, "tenant '%s': relay '%s' is also tenant '%s''s (line %d)",
				     t->name, v, o->name, o->line);
		}
		*mask |= 1ull << k;
	}
	return 0;
}

/* The settings of a tenant (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_tenants[] = {
	"name", "realm", "addresses", "relay", "quota_total", "quota_user", "agw_contexts",
	"users", "secrets", "peers", "max_bps", NULL,
};

static int
load_tenant(const config_setting_t *g, struct tp_conf_tenant *t, struct tp_conf *c,
	    char *err, size_t errlen)
{
	const config_setting_t *s;
	const char *v;
	int rc;

	memset(t, 0, sizeof(*t));
	t->line = where(g);
	if (!config_setting_is_group(g))
		FAIL(g, "a tenant must be a group { name = \"...\"; realm = \"...\"; "
		     "addresses = [...]; }");
	if ((rc = tp_conf_check_names(g, "tenant", tp_conf_names_tenants, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "name");
	if (s == NULL || (v = config_setting_get_string(s)) == NULL)
		FAIL(g, "a tenant needs a name = \"...\" (a string)");
	if (strlen(v) > TP_CONF_TENANT_NAME_MAX || !tp_conf_cluster_name_ok(v))
		FAIL(s, "tenant name '%s': 1 to %d letters, digits, '-', '_' or '.'", v,
		     TP_CONF_TENANT_NAME_MAX);
	if (strcmp(v, "default") == 0)
		FAIL(s, "tenant name 'default' is the box's own (turn.realm, cp's users): "
		     "pick another");
	for (unsigned int j = 0; j < c->tenants.n; j++)
		if (strcmp(c->tenants.t[j].name, v) == 0)
			FAIL(s, "tenant '%s' is defined twice (first at line %d)", v,
			     c->tenants.t[j].line);
	snprintf(t->name, sizeof(t->name), "%s", v);
	s = config_setting_get_member(g, "realm");
	if (s == NULL || (v = config_setting_get_string(s)) == NULL || v[0] == '\0')
		FAIL(s != NULL ? s : g, "tenant '%s' needs a realm = \"...\" (a non-empty "
		     "string)", t->name);
	if (strlen(v) >= sizeof(t->realm) || strlen(v) > 763)
		FAIL(s, "tenant '%s': realm is longer than 255 bytes", t->name);
	for (const char *q = v; *q != '\0'; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			FAIL(s, "tenant '%s': realm holds a control character (it goes into "
			     "401s, logs, JSON and records)", t->name);
	if (strcmp(v, c->turn.realm) == 0)
		FAIL(s, "tenant '%s': realm '%s' is turn.realm, the default tenant's", t->name,
		     v);
	for (unsigned int j = 0; j < c->tenants.n; j++)
		if (strcmp(c->tenants.t[j].realm, v) == 0)
			FAIL(s, "tenant '%s': realm '%s' is also tenant '%s''s (line %d)",
			     t->name, v, c->tenants.t[j].name, c->tenants.t[j].line);
	snprintf(t->realm, sizeof(t->realm), "%s", v);
	if ((rc = load_addresses(g, t, c, err, errlen)) < 0 ||
	    (rc = load_relay(g, t, c, err, errlen)) < 0)
		return rc;
	t->quota_total = c->cp.quota_total;
	if ((rc = tp_conf_get_u32(g, "quota_total", 1, 10000000, &t->quota_total, c, err,
				  errlen)) < 0)
		return rc;
	t->quota_user = TP_CONF_QUOTA_USER_DEF(t->quota_total);
	if ((rc = tp_conf_get_u32(g, "quota_user", 0, 10000000, &t->quota_user, c, err,
				  errlen)) < 0)
		return rc;
	if (t->quota_total > c->cp.quota_total)
		FAIL(g, "tenant '%s': quota_total %u exceeds cp.quota_total %u (the box's)",
		     t->name, t->quota_total, c->cp.quota_total);
	if ((rc = tp_conf_get_u32(g, "agw_contexts", 0, 1u << 28, &t->agw_contexts, c, err,
				  errlen)) < 0)
		return rc;
	t->has_max_bps = config_setting_get_member(g, "max_bps") != NULL;
	if ((rc = tp_conf_get_u32(g, "max_bps", 0, TP_CONF_MAX_BPS, &t->max_bps, c, err,
				  errlen)) < 0)
		return rc;
	if ((rc = tp_conf_load_users(config_setting_get_member(g, "users"), t->users,
				     &t->nusers, TP_CONF_TENANT_USERS, c, err, errlen)) < 0 ||
	    (rc = tp_conf_load_secrets(config_setting_get_member(g, "secrets"), t->secrets,
				       t->secret_algs, &t->nsecrets, c, err, errlen)) < 0)
		return rc;
	t->allow_relay_to_relay = c->cp.allow_relay_to_relay;
	s = config_setting_get_member(g, "peers");
	if (s != NULL) {
		if ((rc = tp_conf_load_peers(s, "peers", &t->peers, &t->allow_relay_to_relay, c,
					     err, errlen)) < 0)
			return rc;
		t->has_peers = true;
	} else {
		t->peers = c->cp.peers;
	}
	return 0;
}

_Static_assert(sizeof(((struct tp_conf_iq *)0)->tenant) > TP_CONF_TENANT_NAME_MAX,
	       "iq.tenant cannot hold a tenant's name");
_Static_assert(sizeof(((struct tp_conf_ng *)0)->tenant) > TP_CONF_TENANT_NAME_MAX,
	       "ng.tenant cannot hold a tenant's name");

static int resolve_door_tenants(struct tp_conf *c, char *err, size_t errlen);

int
tp_conf_load_tenants(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(config_root_setting(cfg),
							      "tenants");
	int n, rc;

	memset(&c->tenants, 0, sizeof(c->tenants));
	if (s == NULL)
		return resolve_door_tenants(c, err, errlen);
	c->tenants.line = where(s);
	if (!config_setting_is_list(s))
		FAIL(s, "tenants must be a list ( { name = ...; realm = ...; addresses = "
		     "[...]; }, ... )");
	n = config_setting_length(s);
	if (n > TP_CONF_MAX_TENANTS)
		FAIL(s, "tenants has %d entries; at most %d", n, TP_CONF_MAX_TENANTS);
	for (int i = 0; i < n; i++) {
		if ((rc = load_tenant(config_setting_get_elem(s, (unsigned int)i),
				      &c->tenants.t[i], c, err, errlen)) < 0) {
			memset(&c->tenants, 0, sizeof(c->tenants));
			return rc;
		}
		c->tenants.n++;
	}
	/* Quotas that add up past the box's total leave the tenants
	 * unprotected from each other: one fills the box (cp.quota_total)
	 * before the others reach theirs. Allowed (overbooking is a
	 * carrier's choice), said. */
	{
		uint64_t sum = 0;

		for (unsigned int i = 0; i < c->tenants.n; i++)
			sum += c->tenants.t[i].quota_total;
		if (sum > c->cp.quota_total && c->warn[0] == '\0')
			snprintf(c->warn, sizeof(c->warn), "%.300s:%d: the tenants' quota_total add "
				 "up to %llu, past cp.quota_total %u: one tenant can fill the box "
				 "before the others reach their quotas (docs/tenants.md)", c->path,
				 c->tenants.line, (unsigned long long)sum, c->cp.quota_total);
	}
	return resolve_door_tenants(c, err, errlen);
}

/* A door's tenant (iq.tenant, ng.tenant: read before the list): a tenant
 * it has, or "default". */
static int
resolve_tenant(struct tp_conf *c, const char *door, bool enabled, const char *name, int line,
	       unsigned int *idx, char *err, size_t errlen)
{
	*idx = 0;
	if (!enabled || name[0] == '\0' || strcmp(name, "default") == 0)
		return 0;
	for (unsigned int i = 0; i < c->tenants.n; i++)
		if (strcmp(c->tenants.t[i].name, name) == 0) {
			*idx = i + 1;
			return 0;
		}
	snprintf(err, errlen, "%s:%d: %s.tenant '%s' is not a tenant of the tenants list%s",
		 c->path, line, door, name, c->tenants.n == 0 ? " (there is none)" : "");
	return -EINVAL;
}

static int
resolve_door_tenants(struct tp_conf *c, char *err, size_t errlen)
{
	int rc = resolve_tenant(c, "iq", c->iq.enabled, c->iq.tenant, c->iq.tenant_line,
				&c->iq.tenant_idx, err, errlen);

	if (rc == 0)
		rc = resolve_tenant(c, "ng", c->ng.enabled, c->ng.tenant, c->ng.tenant_line,
				    &c->ng.tenant_idx, err, errlen);
	return rc;
}

/* ---- what dp and cp derive alike --------------------------------------- */

unsigned int
tp_conf_tenant_of(const struct tp_conf *c, int family, const uint8_t *ip)
{
	unsigned int alen = family == 4 ? 4 : 16;

	for (unsigned int i = 0; i < c->tenants.n; i++) {
		const struct tp_conf_tenant *t = &c->tenants.t[i];

		for (unsigned int j = 0; j < t->naddrs; j++)
			if (t->addrs[j].family == family && memcmp(t->addrs[j].ip, ip, alen) == 0)
				return i + 1;
	}
	return 0;
}

uint64_t
tp_conf_tenant_relay_mask(const struct tp_conf *c, unsigned int tenant, int family)
{
	uint8_t r[TP_CONF_MAX_RELAY][16];
	unsigned int n = tp_conf_relay_addrs(c, family, r, NULL);
	uint64_t all = n >= 64 ? ~0ull : (1ull << n) - 1, claimed = 0;

	if (tenant > c->tenants.n)
		return 0;
	if (tenant > 0) {
		const struct tp_conf_tenant *t = &c->tenants.t[tenant - 1];
		uint64_t own = family == 4 ? t->relay4_mask : t->relay6_mask;

		if (own != 0)
			return own & all;
	}
	for (unsigned int i = 0; i < c->tenants.n; i++)
		claimed |= family == 4 ? c->tenants.t[i].relay4_mask : c->tenants.t[i].relay6_mask;
	return all & ~claimed;
}

const char *
tp_conf_tenant_name(const struct tp_conf *c, unsigned int tenant)
{
	if (tenant == 0 || tenant > c->tenants.n)
		return "default";
	return c->tenants.t[tenant - 1].name;
}

uint32_t
tp_conf_tenants_sig(const struct tp_conf *c)
{
	uint32_t h = 2166136261u;

	for (unsigned int i = 0; i < c->tenants.n; i++) {
		const struct tp_conf_tenant *t = &c->tenants.t[i];

		for (const char *q = t->name; *q != '\0'; q++)
			h = (h ^ (uint8_t)*q) * 16777619u;
		h = (h ^ 0xffu) * 16777619u;
		for (unsigned int j = 0; j < t->naddrs; j++)
			for (unsigned int k = 0; k < sizeof(t->addrs[j]); k++)
				h = (h ^ ((const uint8_t *)&t->addrs[j])[k]) * 16777619u;
	}
	return h ^ c->tenants.n;
}
