/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "ng" group of the configuration file: a SIP proxy's door into the
 * access gateway, rtpengine's ng protocol over UDP (cp/ng). cp alone
 * reads it; it needs the agw group with RTP terminations (agw.media_ports:
 * every call ng sets up is RTP). ng carries no credentials, so the group
 * cannot be had without an allow-list: only those sources are answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

/* rtpengine's own names for its two sides (its interface= names and the
 * direction= words Kamailio configurations use) */
static const char *const default_access[] = { "access", "internal" };
static const char *const default_core[] = { "core", "external" };

void
tp_conf_ng_defaults(struct tp_conf *c)
{
	struct tp_conf_ng *n = &c->ng;

	n->max_rate = 1000;
	n->delete_delay = 0;
	n->timeout = 60;
	n->reply_cache_time = 30;
	/* rtpengine relays what reaches the answerer's port before its answer */
	n->early_media = true;
	n->naccess = sizeof(default_access) / sizeof(default_access[0]);
	for (unsigned int i = 0; i < n->naccess; i++)
		snprintf(n->access[i], sizeof(n->access[i]), "%s", default_access[i]);
	n->ncore = sizeof(default_core) / sizeof(default_core[0]);
	for (unsigned int i = 0; i < n->ncore; i++)
		snprintf(n->core[i], sizeof(n->core[i]), "%s", default_core[i]);
}

/* The settings of the ng group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_ng[] = {
	"listen", "allow", "max_rate", "delete_delay", "timeout", "reply_cache_time", "access",
	"core", "tenant", "pass_through", "early_media", NULL,
};

/* One ng.allow entry, "10.0.0.0/8" or a bare address (one host). */
static int
load_allow_one(const config_setting_t *e, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_ng *n = &c->ng;
	struct tp_conf_ng_net *net = &n->allow[n->nallow];
	const char *v = config_setting_type(e) == CONFIG_TYPE_STRING ?
			config_setting_get_string(e) : NULL;
	uint8_t plen = 0;
	unsigned int bits;
	int fam;

	if (v == NULL)
		FAIL(e, "ng.allow: each entry is a string, a prefix like \"10.0.0.0/8\" or one "
		     "address");
	fam = strchr(v, '/') != NULL ? tp_conf_parse_prefix(v, net->ip, &plen) :
	      tp_conf_parse_prefix(v, net->ip, NULL);
	if (fam < 0)
		FAIL(e, "ng.allow: '%s' is not a prefix like \"10.0.0.0/8\" or \"2001:db8::/32\", "
		     "or one address", v);
	bits = fam == 4 ? 32 : 128;
	if (strchr(v, '/') == NULL)
		plen = (uint8_t)bits;
	/* "10.1.2.3/8": the network or the host? Either reading of a slip
	 * answers sources the operator did not mean, so neither is taken. */
	for (unsigned int b = plen; b < bits; b++)
		if (net->ip[b / 8] & (0x80u >> (b % 8)))
			FAIL(e, "ng.allow: '%s' has host bits set (a network has them zero, like "
			     "\"10.0.0.0/8\"; one host is \"10.0.0.7/32\" or \"10.0.0.7\")", v);
	net->family = fam == 4 ? AF_INET : AF_INET6;
	net->plen = plen;
	for (unsigned int j = 0; j < n->nallow; j++)
		if (n->allow[j].family == net->family && n->allow[j].plen == plen &&
		    memcmp(n->allow[j].ip, net->ip, sizeof(net->ip)) == 0)
			FAIL(e, "ng.allow: '%s' is listed twice", v);
	n->nallow++;
	return 0;
}

static int
load_allow(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, "allow");
	int rc;

	if (s == NULL)
		FAIL(g, "ng needs allow = [\"10.0.0.0/8\", ...]: the sources whose requests are "
		     "answered (ng has no authentication; SECURITY.md)");
	if ((!config_setting_is_array(s) && !config_setting_is_list(s)) ||
	    config_setting_length(s) < 1 || config_setting_length(s) > TP_CONF_MAX_NG_ALLOW)
		FAIL(s, "ng.allow must list 1 to %d prefixes [\"10.0.0.0/8\", \"::1\", ...] "
		     "(only their requests are answered)", TP_CONF_MAX_NG_ALLOW);
	for (int i = 0; i < config_setting_length(s); i++)
		if ((rc = load_allow_one(config_setting_get_elem(s, (unsigned int)i), c, err,
					 errlen)) < 0)
			return rc;
	return 0;
}

/* A direction= name: what a request's direction=[...] list says, so a
 * token of it (no spaces, brackets or quotes). */
static bool
ifname_ok(const char *v)
{
	size_t len = strlen(v);

	if (len == 0 || len >= sizeof(((struct tp_conf_ng *)0)->access[0]))
		return false;
	for (const char *p = v; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

/* ng.access or ng.core: 1 to TP_CONF_MAX_NG_IFNAMES names, each once; a
 * setting left out keeps its defaults. */
static int
load_ifnames(const config_setting_t *g, const char *name, char (*out)[32], unsigned int *n,
	     struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return 0;
	if ((!config_setting_is_array(s) && !config_setting_is_list(s)) ||
	    config_setting_length(s) < 1 || config_setting_length(s) > TP_CONF_MAX_NG_IFNAMES)
		FAIL(s, "ng.%s must list 1 to %d names [\"%s\", ...] (what direction= says for "
		     "the %s side)", name, TP_CONF_MAX_NG_IFNAMES, out[0],
		     strcmp(name, "access") == 0 ? "access" : "core");
	*n = 0;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *v = config_setting_type(e) == CONFIG_TYPE_STRING ?
				config_setting_get_string(e) : "";

		if (!ifname_ok(v))
			FAIL(e, "ng.%s: '%s' is not a name: 1 to 31 of letters, digits, '_', '-', "
			     "'.'", name, v);
		for (unsigned int j = 0; j < *n; j++)
			if (strcmp(out[j], v) == 0)
				FAIL(e, "ng.%s: '%s' is listed twice", name, v);
		snprintf(out[*n], 32, "%s", v);
		(*n)++;
	}
	return 0;
}

/* Is proto (an m= line's, RFC 8866 section 5.14) of RTP's family: "RTP"
 * one of its '/'-separated parts? */
static bool
proto_rtp(const char *proto)
{
	for (const char *q = proto; *q != '\0'; ) {
		size_t l = strcspn(q, "/");

		if (l == 3 && strncasecmp(q, "RTP", 3) == 0)
			return true;
		q += l + (q[l] == '/');
	}
	return false;
}

/* ng.pass_through: up to TP_CONF_MAX_NG_PASS m= protos, each once, none
 * of RTP's family (an RTP section turnpike cannot relay is refused: passed
 * on, its media would bypass the gateway). */
static int
load_pass(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_ng *n = &c->ng;
	const config_setting_t *s = config_setting_get_member(g, "pass_through");

	if (s == NULL)
		return 0;
	if ((!config_setting_is_array(s) && !config_setting_is_list(s)) ||
	    config_setting_length(s) > TP_CONF_MAX_NG_PASS)
		FAIL(s, "ng.pass_through must list 0 to %d m= protos [\"TCP/MSRP\", "
		     "\"UDP/DTLS/SCTP\", ...] (sections passed on unanchored)", TP_CONF_MAX_NG_PASS);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *v = config_setting_type(e) == CONFIG_TYPE_STRING ?
				config_setting_get_string(e) : "";
		size_t len = strlen(v);

		if (len == 0 || len >= TP_CONF_NG_PROTO_MAX || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789/-_.+") != len)
			FAIL(e, "ng.pass_through: '%s' is not an m= proto (1 to %d of letters, "
			     "digits, '/', '-', '_', '.', '+': \"TCP/MSRP\")", v,
			     TP_CONF_NG_PROTO_MAX - 1);
		if (proto_rtp(v))
			FAIL(e, "ng.pass_through: '%s' is RTP: an RTP section is relayed or refused, "
			     "never passed on unanchored (its media would bypass the gateway)", v);
		for (unsigned int j = 0; j < n->npass; j++)
			if (strcasecmp(n->pass_through[j], v) == 0)
				FAIL(e, "ng.pass_through: '%s' is listed twice", v);
		snprintf(n->pass_through[n->npass++], TP_CONF_NG_PROTO_MAX, "%s", v);
	}
	return 0;
}

/* A name of both ng.access and ng.core would leave direction=[that, ...]
 * meaning either side. Said on the line of the list that holds it last
 * (given in the file; a default has no line). */
static int
check_sides(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_ng *n = &c->ng;
	const config_setting_t *a = config_setting_get_member(g, "access");
	const config_setting_t *k = config_setting_get_member(g, "core");
	const config_setting_t *at = k != NULL ? k : a != NULL ? a : g;

	if (a != NULL && k != NULL && where(a) > where(k))
		at = a;
	for (unsigned int i = 0; i < n->naccess; i++)
		for (unsigned int j = 0; j < n->ncore; j++)
			if (strcmp(n->access[i], n->core[j]) == 0)
				FAIL(at, "ng: '%s' is in both ng.access and ng.core (a direction= "
				     "name means one side)%s", n->access[i],
				     a == NULL || k == NULL ? " (the other list is its default)" :
				     "");
	return 0;
}

static int
load_ng(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	struct tp_conf_ng *n = &c->ng;
	const config_setting_t *s;
	const char *v;
	int rc;

	n->line = where(g);
	if ((rc = tp_conf_check_names(g, "ng", tp_conf_names_ng, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "max_rate", 1, 1000000, &n->max_rate, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "delete_delay", 0, 3600, &n->delete_delay, c, err,
				  errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "timeout", 5, 3600, &n->timeout, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "reply_cache_time", 1, 300, &n->reply_cache_time, c, err,
				  errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "early_media");
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			FAIL(s, "ng.early_media must be true or false (relay what the answerer "
			     "sends before its answer: cp/ng/FEATURE.md)");
		n->early_media = config_setting_get_bool(s) != 0;
	}
	if (!c->agw.enabled)
		FAIL(g, "ng needs the agw group with agw.media_ports (the RTP contexts a SIP "
		     "proxy drives over ng)");
	if (c->agw.media_min == 0)
		FAIL(g, "ng needs agw.media_ports (the UDP ports of the RTP terminations a SIP "
		     "proxy's calls get; the agw group has none)");
	s = config_setting_get_member(g, "listen");
	if (s == NULL)
		FAIL(g, "ng needs listen = \"IP:PORT\" (this host's UDP address on the control "
		     "network; rtpengine's ng port is 2223)");
	v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
	if (v == NULL || strlen(v) >= sizeof(n->listen) || tp_conf_hostport_family(v) == 0)
		FAIL(s, "ng.listen: '%s' is not \"IP:PORT\" (an IPv4 address, or an IPv6 one in "
		     "brackets; no host names)", v != NULL ? v : "?");
	snprintf(n->listen, sizeof(n->listen), "%s", v);
	if ((rc = load_allow(g, c, err, errlen)) < 0 ||
	    (rc = load_ifnames(g, "access", n->access, &n->naccess, c, err, errlen)) < 0 ||
	    (rc = load_ifnames(g, "core", n->core, &n->ncore, c, err, errlen)) < 0 ||
	    (rc = check_sides(g, c, err, errlen)) < 0 ||
	    (rc = load_pass(g, c, err, errlen)) < 0)
		return rc;
	/* (which tenants there are is known once the tenants list, read
	 * after this group, loaded: tp_conf_load_tenants() checks it) */
	s = config_setting_get_member(g, "tenant");
	if (s != NULL) {
		v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : "";
		if (v[0] == '\0' || strlen(v) >= sizeof(n->tenant))
			FAIL(s, "ng.tenant must name a tenant of the tenants list (\"default\": "
			     "the box's own)");
		snprintf(n->tenant, sizeof(n->tenant), "%s", v);
		n->tenant_line = where(s);
	}
	n->enabled = true;
	return 0;
}

int
tp_conf_load_ng(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *g = config_lookup(cfg, "ng");

	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		FAIL(g, "ng must be a group { listen = \"IP:PORT\"; allow = [...]; }");
	return load_ng(g, c, err, errlen);
}
