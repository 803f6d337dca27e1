/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "tls" group of the configuration file: TLS termination in dp's
 * workers (dp/tls) for TURN over TLS (turn.listen_tls). What can be
 * checked without OpenSSL is checked here, with "file:line" errors: the
 * names, types and ranges, the version, that certificates and keys are
 * named, that listen_tls has a certificate to serve. Whether a file is
 * there and readable (by dp, root: cp reads this file too, as its own
 * user, and needs no key), whether it is PEM, whether the key matches its certificate
 * and whether a cipher or group list means anything is OpenSSL's to say:
 * dp asks it at start (and with --check) through tls_ctx_create(), which
 * names the same file and line.
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

/* An optional string setting (non-empty) into out; *line gets its line. */
static int
get_str(const config_setting_t *g, const char *what, const char *name, char *out,
	size_t size, int *line, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	const char *v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		FAIL(s, "%s.%s must be a string", what, name);
	v = config_setting_get_string(s);
	if (strlen(v) >= size)
		FAIL(s, "%s.%s is longer than %zu bytes", what, name, size - 1);
	if (v[0] == '\0')
		FAIL(s, "%s.%s must not be empty", what, name);
	snprintf(out, size, "%s", v);
	if (line != NULL)
		*line = where(s);
	return 1;
}

/* A PEM file named by what.name: set. Whether it is there and readable
 * is dp's question (tls_ctx_create(), at start and with --check): cp
 * reads this file too, as another user, and has no use for the key. */
static int
get_file(const config_setting_t *g, const char *what, const char *name, char *out,
	 size_t size, int *line, struct tp_conf *c, char *err, size_t errlen)
{
	int rc;

	rc = get_str(g, what, name, out, size, line, c, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 0)
		FAIL(g, "%s.%s is required (a PEM file)", what, name);
	return 0;
}

int
tp_conf_load_cert(const config_setting_t *g, const char *what, struct tp_conf_tls_cert *t,
		  struct tp_conf *c, char *err, size_t errlen)
{
	int rc;

	t->line = where(g);
	if ((rc = get_file(g, what, "certificate", t->certificate, sizeof(t->certificate),
			   &t->certificate_line, c, err, errlen)) < 0 ||
	    (rc = get_file(g, what, "private_key", t->private_key, sizeof(t->private_key),
			   &t->private_key_line, c, err, errlen)) < 0)
		return rc;
	return 0;
}

/* tls.sni: ( { name = "turn.example.net"; certificate = "..."; private_key = "..."; }, ... ) */
static int
load_sni(const config_setting_t *g, struct tp_conf_tls *t, struct tp_conf *c,
	 char *err, size_t errlen)
{
	static const char *const names[] = { "name", "certificate", "private_key", NULL };
	const config_setting_t *s = config_setting_get_member(g, "sni");
	int rc;

	if (s == NULL)
		return 0;
	if (!config_setting_is_list(s))
		FAIL(s, "tls.sni must be a list ( { name = \"host\"; certificate = \"...\"; "
		     "private_key = \"...\"; }, ... )");
	if (config_setting_length(s) > TP_CONF_MAX_SNI)
		FAIL(s, "tls.sni has more than %d entries", TP_CONF_MAX_SNI);
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		struct tp_conf_tls_cert *sc = &t->sni[t->nsni];

		if (!config_setting_is_group(e))
			FAIL(e, "tls.sni: entry %d must be { name = ...; certificate = ...; "
			     "private_key = ...; }", i + 1);
		if ((rc = tp_conf_check_names(e, "tls.sni", names, c, err, errlen)) < 0)
			return rc;
		rc = get_str(e, "tls.sni", "name", sc->name, sizeof(sc->name), NULL, c,
			     err, errlen);
		if (rc < 0)
			return rc;
		if (rc == 0)
			FAIL(e, "tls.sni: entry %d needs a name (the host name clients "
			     "ask for)", i + 1);
		for (const char *q = sc->name; *q != '\0'; q++)
			if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			      (*q >= '0' && *q <= '9') || *q == '-' || *q == '.' || *q == '*'))
				FAIL(e, "tls.sni: '%s' is not a host name", sc->name);
		for (unsigned int j = 0; j < t->nsni; j++)
			if (strcasecmp(t->sni[j].name, sc->name) == 0)
				FAIL(e, "tls.sni: '%s' is listed twice", sc->name);
		if ((rc = tp_conf_load_cert(e, "tls.sni", sc, c, err, errlen)) < 0)
			return rc;
		t->nsni++;
	}
	return 0;
}

/* tls.offload: { provider = "NAME_OR_PATH"; properties = "?provider=NAME"; }
 * or { engine = "qatengine"; poll = "external" | "internal"; }, either
 * with jobs = N (OpenSSL's async jobs a worker may hold at once) */
static int
load_offload(const config_setting_t *g, struct tp_conf_tls *t, struct tp_conf *c,
	     char *err, size_t errlen)
{
	static const char *const names[] = { "provider", "properties", "engine", "poll",
					     "jobs", NULL };
	const config_setting_t *s = config_setting_get_member(g, "offload");
	char poll[32] = "";
	int rc, hp, he, hq, hpo;

	if (s == NULL)
		return 0;
	t->offload_line = where(s);
	if (!config_setting_is_group(s))
		FAIL(s, "tls.offload must be { provider = \"NAME_OR_PATH\"; properties = "
		     "\"?provider=NAME\"; } or { engine = \"qatengine\"; poll = "
		     "\"external\"; }");
	if ((rc = tp_conf_check_names(s, "tls.offload", names, c, err, errlen)) < 0)
		return rc;
	if ((hp = get_str(s, "tls.offload", "provider", t->offload_provider,
			  sizeof(t->offload_provider), NULL, c, err, errlen)) < 0 ||
	    (hq = get_str(s, "tls.offload", "properties", t->offload_properties,
			  sizeof(t->offload_properties), NULL, c, err, errlen)) < 0 ||
	    (he = get_str(s, "tls.offload", "engine", t->offload_engine,
			  sizeof(t->offload_engine), NULL, c, err, errlen)) < 0 ||
	    (hpo = get_str(s, "tls.offload", "poll", poll, sizeof(poll), NULL, c, err,
			   errlen)) < 0 ||
	    tp_conf_get_u32(s, "jobs", TP_CONF_TLS_ASYNC_JOBS_MIN, TP_CONF_TLS_ASYNC_JOBS_MAX,
			    &t->offload_jobs, c, err, errlen) < 0)
		return -EINVAL;
	if (hp && he)
		FAIL(s, "tls.offload: a provider or an engine, not both");
	if (!hp && !he)
		FAIL(s, "tls.offload needs a provider (name or path) or an engine");
	if (hq && !hp)
		FAIL(s, "tls.offload.properties goes with a provider");
	if (hpo && !he)
		FAIL(s, "tls.offload.poll goes with an engine");
	if (hpo && strcmp(poll, "external") != 0 && strcmp(poll, "internal") != 0)
		FAIL(config_setting_get_member(s, "poll"),
		     "tls.offload.poll must be \"external\" (the worker loop polls the "
		     "engine) or \"internal\" (its own thread does)");
	t->offload = hp ? TP_TLS_OFFLOAD_PROVIDER : TP_TLS_OFFLOAD_ENGINE;
	t->offload_poll_external = hpo && strcmp(poll, "external") == 0;
	return 0;
}

/* tls.NAME, one of words[] (NULL-terminated; a word's hint, when hints
 * has one, follows it in the error): its index into *k. 1 when set, 0
 * when absent (*k untouched), or -EINVAL with err set ("tls.NAME must be
 * "a" (hint), "b" or "c", not "x""). */
static int
get_word(const config_setting_t *g, const char *name, const char *const *words,
	 const char *const *hints, int *k, int *line, struct tp_conf *c, char *err,
	 size_t errlen)
{
	char v[16], list[256];
	size_t n = 0;
	int rc = get_str(g, "tls", name, v, sizeof(v), line, c, err, errlen);

	if (rc <= 0)
		return rc;
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(v, words[i]) == 0) {
			*k = i;
			return 1;
		}
	list[0] = '\0';
	for (int i = 0; words[i] != NULL && n < sizeof(list); i++) {
		int w = snprintf(list + n, sizeof(list) - n, "%s\"%s\"%s%s",
				 i == 0 ? "" : words[i + 1] == NULL ? " or " : ", ", words[i],
				 hints != NULL && hints[i] != NULL ? " " : "",
				 hints != NULL && hints[i] != NULL ? hints[i] : "");

		if (w < 0)
			break;
		n += (size_t)w;
	}
	FAIL(config_setting_get_member(g, name), "tls.%s must be %s, not \"%s\"", name, list,
	     v);
}

/* The settings of the tls group (tp_conf_keys.c gives each its reload class). */
const char *const tp_conf_names_tls[] = {
	"certificate", "private_key", "sni", "min_version", "ciphers",
	"ciphersuites", "groups", "session_cache", "handshake_budget_us", "offload",
	"record_layer", "record_crypto", NULL,
};

static int
load_tls(const config_setting_t *g, struct tp_conf *c, char *err, size_t errlen)
{
	static const char *const words_layer[] = { "dp", "openssl", NULL };
	static const char *const hints_layer[] = {
		"(dp seals and opens TLS 1.3 records itself)", NULL, NULL,
	};
	/* (the values of enum tp_tls_record_crypto, in order) */
	static const char *const words_crypto[] = { "auto", "ipsec-mb", "openssl", NULL };
	static const char *const hints_crypto[] = {
		"(Intel's libipsec-mb where it can, OpenSSL otherwise)", NULL, NULL, NULL,
	};
	static const char *const words_version[] = { "1.2", "1.3", NULL };
	struct tp_conf_tls *t = &c->tls;
	const config_setting_t *s;
	int rc, k = 0;

	t->line = where(g);
	if ((rc = tp_conf_check_names(g, "tls", tp_conf_names_tls, c, err, errlen)) < 0 ||
	    (rc = tp_conf_load_cert(g, "tls", &t->cert, c, err, errlen)) < 0 ||
	    (rc = load_sni(g, t, c, err, errlen)) < 0 ||
	    (rc = get_str(g, "tls", "ciphers", t->ciphers, sizeof(t->ciphers),
			  &t->ciphers_line, c, err, errlen)) < 0 ||
	    (rc = get_str(g, "tls", "ciphersuites", t->ciphersuites,
			  sizeof(t->ciphersuites), &t->ciphersuites_line, c, err,
			  errlen)) < 0 ||
	    (rc = get_str(g, "tls", "groups", t->groups, sizeof(t->groups),
			  &t->groups_line, c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "session_cache", 0, 1u << 20, &t->session_cache,
				  c, err, errlen)) < 0 ||
	    (rc = tp_conf_get_u32(g, "handshake_budget_us", 0, 100000,
				  &t->handshake_budget_us, c, err, errlen)) < 0 ||
	    (rc = load_offload(g, t, c, err, errlen)) < 0)
		return rc;
	t->cert.line = t->line;
	if ((rc = get_word(g, "record_layer", words_layer, hints_layer, &k, NULL, c, err,
			   errlen)) < 0)
		return rc;
	if (rc > 0)
		t->record_openssl = k == 1;
	if ((rc = get_word(g, "record_crypto", words_crypto, hints_crypto, &k,
			   &t->record_crypto_line, c, err, errlen)) < 0)
		return rc;
	if (rc > 0)
		t->record_crypto = (enum tp_tls_record_crypto)k;
	s = config_setting_get_member(g, "min_version");
	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_FLOAT)
		FAIL(s, "tls.min_version must be \"1.2\" or \"1.3\" (a string)");
	if ((rc = get_word(g, "min_version", words_version, NULL, &k, &t->min_version_line,
			   c, err, errlen)) < 0)
		return rc;
	if (rc > 0)
		t->min_version = k == 0 ? 0x0303 : 0x0304;
	t->enabled = true;
	return 0;
}

void
tp_conf_tls_defaults(struct tp_conf *c)
{
	struct tp_conf_tls *t = &c->tls;

	t->min_version = 0x0303;
	snprintf(t->ciphers, sizeof(t->ciphers), "%s", TP_CONF_TLS_CIPHERS);
	snprintf(t->ciphersuites, sizeof(t->ciphersuites), "%s", TP_CONF_TLS_CIPHERSUITES);
	snprintf(t->groups, sizeof(t->groups), "%s", TP_CONF_TLS_GROUPS);
	t->session_cache = TP_CONF_TLS_SESSION_CACHE;
	t->handshake_budget_us = TP_CONF_TLS_HANDSHAKE_BUDGET_US;
	t->offload_jobs = TP_CONF_TLS_ASYNC_JOBS;
}

int
tp_conf_load_tls(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen)
{
	const config_setting_t *root = config_root_setting(cfg);
	const config_setting_t *g = config_setting_get_member(root, "tls");
	int rc;

	if (g != NULL) {
		if (!config_setting_is_group(g))
			FAIL(g, "tls must be a group { certificate = \"...\"; "
			     "private_key = \"...\"; ... }");
		if ((rc = load_tls(g, c, err, errlen)) < 0)
			return rc;
	}
	if (c->turn.nlisten_tls > 0 && !c->tls.enabled) {
		snprintf(err, errlen, "%s:%d: turn.listen_tls needs a tls group with "
			 "certificate and private_key", c->path, c->turn.listen_tls_line);
		return -EINVAL;
	}
	if (c->turn.nlisten_dtls > 0 && !c->tls.enabled) {
		snprintf(err, errlen, "%s:%d: turn.listen_dtls needs a tls group with "
			 "certificate and private_key", c->path, c->turn.listen_dtls_line);
		return -EINVAL;
	}
	return 0;
}
