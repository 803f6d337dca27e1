/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "oauth" group of the configuration file: RFC 7635 third-party
 * authorization (cp/auth/oauth.c). Absent: off, and a request bringing
 * ACCESS-TOKEN is answered as by a server that does not know it.
 *
 *   oauth = {
 *     server_name = "turn.example.net";  # THIRD-PARTY-AUTHORIZATION; default turn.realm
 *     tolerance = 30;                    # s of clock skew with the AS, both ways (0..3600)
 *     max_lifetime = 3600;               # cap on a token's lifetime, s; 0: none
 *     keys = (
 *       { kid = "north"; algorithm = "A256GCM"; key = "<base64 of 32 bytes>"; },
 *       { kid = "union"; as = "idp"; algorithm = "A128GCM";
 *         key_file = "/etc/turnpike/union.key"; }
 *     );
 *   };
 *
 * A key's `as` names the authorization server it is shared with (keys of
 * one AS, a rotation's old and new, name the same; absent: the kid names
 * it): cp/alloc renews an allocation with a token of its own AS only.
 *
 * The keys are secrets shared with the authorization servers: a file
 * holding one (this one, or key_file) is checked like the files holding
 * passwords (tp_conf_secrets.c). lib/conf checks their form; cp decodes
 * the base64 (and reads key_file) when it sets cp/auth up, and refuses to
 * start on a key of the wrong length for its algorithm.
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

#define OAUTH_TOLERANCE_DEFAULT 30u

void
tp_conf_oauth_defaults(struct tp_conf *c)
{
	memset(&c->oauth, 0, sizeof(c->oauth));
	c->oauth.tolerance_s = OAUTH_TOLERANCE_DEFAULT;
}

const char *const tp_conf_names_oauth[] = {
	"server_name", "tolerance", "max_lifetime", "keys", NULL,
};

static bool
b64_ok(const char *v)
{
	size_t n = strlen(v), pad = 0;

	if (n == 0 || n % 4 != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];

		if (ch == '=') {
			if (i < n - 2)
				return false;
			pad++;
			continue;
		}
		if (pad > 0)
			return false;
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '+' || ch == '/'))
			return false;
	}
	return true;
}

static int
load_key(const config_setting_t *e, struct tp_conf_oauth_key *k, struct tp_conf *c,
	 char *err, size_t errlen)
{
	static const char *const names[] = { "kid", "as", "algorithm", "key", "key_file", NULL };
	const config_setting_t *s;
	const char *v;
	int rc;

	if (!config_setting_is_group(e))
		FAIL(e, "an oauth key is a group { kid = \"...\"; algorithm = \"A256GCM\"; "
		     "key = \"<base64>\"; }");
	if ((rc = tp_conf_check_names(e, "oauth key", names, c, err, errlen)) < 0)
		return rc;
	k->line = where(e);
	s = config_setting_get_member(e, "kid");
	if (s == NULL || (v = config_setting_get_string(s)) == NULL || v[0] == '\0' ||
	    strlen(v) > TP_CONF_OAUTH_KID_MAX)
		FAIL(s != NULL ? s : e, "an oauth key needs kid = \"...\" (1..%u bytes: the "
		     "USERNAME its clients send)", TP_CONF_OAUTH_KID_MAX);
	snprintf(k->kid, sizeof(k->kid), "%s", v);
	s = config_setting_get_member(e, "as");
	if (s != NULL && ((v = config_setting_get_string(s)) == NULL || v[0] == '\0' ||
			  strlen(v) > TP_CONF_OAUTH_KID_MAX))
		FAIL(s, "oauth key '%s': as = \"...\" names its authorization server "
		     "(1..%u bytes)", k->kid, TP_CONF_OAUTH_KID_MAX);
	if (s != NULL)
		snprintf(k->as, sizeof(k->as), "%s", v);
	s = config_setting_get_member(e, "algorithm");
	v = s != NULL ? config_setting_get_string(s) : NULL;
	if (v != NULL && strcmp(v, "A128GCM") == 0)
		k->alg = TP_CONF_OAUTH_A128GCM;
	else if (v != NULL && strcmp(v, "A256GCM") == 0)
		k->alg = TP_CONF_OAUTH_A256GCM;
	else
		FAIL(s != NULL ? s : e, "oauth key '%s': algorithm = \"A256GCM\" or \"A128GCM\"",
		     k->kid);
	s = config_setting_get_member(e, "key");
	if (s != NULL) {
		v = config_setting_get_string(s);
		if (v == NULL || !b64_ok(v) || strlen(v) >= sizeof(k->key_b64))
			FAIL(s, "oauth key '%s': key must be the key in standard base64 "
			     "('=' padded; openssl rand -base64 32)", k->kid);
		snprintf(k->key_b64, sizeof(k->key_b64), "%s", v);
		tp_conf_note_secret(s, c);
	}
	s = config_setting_get_member(e, "key_file");
	if (s != NULL) {
		v = config_setting_get_string(s);
		if (k->key_b64[0] != '\0')
			FAIL(s, "oauth key '%s': key or key_file, not both", k->kid);
		if (v == NULL || v[0] != '/' || strlen(v) >= sizeof(k->key_file))
			FAIL(s, "oauth key '%s': key_file must be an absolute path (a file "
			     "holding the key in base64)", k->kid);
		snprintf(k->key_file, sizeof(k->key_file), "%s", v);
		tp_conf_note_secret_path(v, c);
	}
	if (k->key_b64[0] == '\0' && k->key_file[0] == '\0')
		FAIL(e, "oauth key '%s' needs key = \"<base64>\" or key_file = \"/path\"",
		     k->kid);
	return 0;
}

int
tp_conf_load_oauth(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *g = config_setting_get_member(config_root_setting(cfg), "oauth");
	const config_setting_t *s;
	const char *v;
	int rc;

	if (g == NULL)
		return 0;
	if (!config_setting_is_group(g))
		FAIL(g, "oauth must be a group { keys = ( { kid = ...; } ); }");
	c->oauth.line = where(g);
	if ((rc = tp_conf_check_names(g, "oauth", tp_conf_names_oauth, c, err, errlen)) < 0)
		return rc;
	if (!c->turn.enabled)
		FAIL(g, "oauth needs a turn group (it authorizes TURN clients)");
	s = config_setting_get_member(g, "server_name");
	v = s != NULL ? config_setting_get_string(s) : c->turn.realm;
	if (v == NULL || v[0] == '\0' || strlen(v) > TP_CONF_OAUTH_NAME_MAX)
		FAIL(s != NULL ? s : g, "oauth.server_name must be 1..%u bytes",
		     TP_CONF_OAUTH_NAME_MAX);
	snprintf(c->oauth.server_name, sizeof(c->oauth.server_name), "%s", v);
	if ((rc = tp_conf_get_u32(g, "tolerance", 0, 3600, &c->oauth.tolerance_s, c, err,
				  errlen)) < 0)
		return rc;
	if ((rc = tp_conf_get_u32(g, "max_lifetime", 0, 86400u * 365u,
				  &c->oauth.max_lifetime_s, c, err, errlen)) < 0)
		return rc;
	s = config_setting_get_member(g, "keys");
	if (s == NULL || !config_setting_is_list(s) || config_setting_length(s) == 0)
		FAIL(s != NULL ? s : g, "oauth needs keys = ( { kid = \"...\"; algorithm = "
		     "\"A256GCM\"; key = \"<base64>\"; } )");
	if (config_setting_length(s) > TP_CONF_OAUTH_KEYS)
		FAIL(s, "more than %d oauth keys", TP_CONF_OAUTH_KEYS);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		struct tp_conf_oauth_key *k = &c->oauth.keys[c->oauth.nkeys];

		if ((rc = load_key(e, k, c, err, errlen)) < 0)
			return rc;
		for (unsigned int j = 0; j < c->oauth.nkeys; j++)
			if (strcmp(c->oauth.keys[j].kid, k->kid) == 0)
				FAIL(e, "oauth key '%s' listed twice", k->kid);
		c->oauth.nkeys++;
	}
	c->oauth.enabled = true;
	return 0;
}
