/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/auth as a module of turnpike-cp: its tables made to the
 * configuration's sizes and filled with the file's users and REST secrets
 * (the store's come after, cp/store/store_module.c); its operator
 * commands are auth_commands.c's, its part of a reload auth_reload.c's;
 * its parts of status here: the credentials, the requests it refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cp.h"
#include "cp_module.h"
#include "oauth.h"

static void
auth_fini(struct cp_ctx *cp)
{
	cp_auth_free(cp->auth);
	cp->auth = NULL;
}

/*
 * An oauth key's bytes from its base64 (the file's key, or the first line
 * of key_file), exactly as long as its algorithm needs: coturn takes the
 * first 16 or 32 bytes of a longer key (its built-in test keys are 17 and
 * 33 bytes, a newline at the end); a key of the wrong length here is a
 * mistake to tell, not to truncate. 0 or -EINVAL with err set.
 */
static int
oauth_key_of(const struct cp_ctx *cp, const struct tp_conf_oauth_key *in,
	     struct cp_oauth_key *out, char *err, size_t errlen)
{
	char b64[128];
	uint8_t raw[96];
	size_t n, pad = 0;
	int len;

	_Static_assert(TP_CONF_OAUTH_A128GCM == CP_OAUTH_A128GCM &&
		       TP_CONF_OAUTH_A256GCM == CP_OAUTH_A256GCM, "algorithm numbers");
	_Static_assert(TP_CONF_OAUTH_KID_MAX == CP_OAUTH_KID_MAX, "kid length");
	memset(out, 0, sizeof(*out));
	snprintf(out->kid, sizeof(out->kid), "%s", in->kid);
	snprintf(out->as, sizeof(out->as), "%s", in->as);
	out->alg = in->alg;
	if (in->key_file[0] != '\0') {
		/* read as the iq.auth key files are: the file itself (no
		 * link), root's or cp.user's, written by nobody else (one who
		 * may write the key may mint tokens); readable by others is
		 * lib/conf's warning (tp_conf_secrets_exposed()) */
		uid_t owner = cp->conf->cp.user[0] != '\0' ? (uid_t)cp->conf->cp.user_uid :
							     geteuid();
		int fd = open(in->key_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		struct stat st;
		ssize_t r = -1;

		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_uid == 0 || st.st_uid == owner) && (st.st_mode & 022) == 0)
			r = read(fd, b64, sizeof(b64) - 1);
		if (r < 0) {
			snprintf(err, errlen, "%s:%d: oauth key '%s': %s: %s", cp->conf->path,
				 in->line, in->kid, in->key_file,
				 fd < 0 ? strerror(errno) :
				 "not a regular file of root's or cp.user's that only its owner "
				 "may write (chown; chmod 600)");
			if (fd >= 0)
				close(fd);
			return -EINVAL;
		}
		close(fd);
		b64[r] = '\0';
		b64[strcspn(b64, "\r\n")] = '\0';
	} else {
		snprintf(b64, sizeof(b64), "%s", in->key_b64);
	}
	n = strlen(b64);
	while (pad < 2 && n > pad && b64[n - 1 - pad] == '=')
		pad++;
	len = n % 4 == 0 && n / 4 * 3 <= sizeof(raw) ?
	      EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n) : -1;
	OPENSSL_cleanse(b64, sizeof(b64));
	if (len >= 0)
		len -= (int)pad;   /* EVP_DecodeBlock counts the padding's zero bytes */
	if (len < 0 || (unsigned int)len != cp_oauth_alg_key_len(in->alg)) {
		OPENSSL_cleanse(raw, sizeof(raw));
		snprintf(err, errlen, "%s:%d: oauth key '%s': %s needs a key of %u bytes in "
			 "base64, this one %s %d (coturn takes the first %u bytes of a "
			 "longer one: give those)", cp->conf->path, in->line, in->kid,
			 cp_oauth_alg_name(in->alg), cp_oauth_alg_key_len(in->alg),
			 len < 0 ? "is not base64, or longer than" : "has", len < 0 ? 64 : len,
			 cp_oauth_alg_key_len(in->alg));
		return -EINVAL;
	}
	out->key_len = (uint8_t)len;
	memcpy(out->key, raw, (size_t)len);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

static int
auth_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	static struct cp_oauth_key okeys[CP_OAUTH_KEYS_MAX];
	const struct tp_conf_oauth *oc = &cp->conf->oauth;
	const struct tp_conf_cp *c = &cp->conf->cp;
	const struct tp_conf_tenants *tn = &cp->conf->tenants;
	const char *trealms[TP_CONF_MAX_TENANTS];
	struct cp_auth_conf ac;
	int rc;

	memset(&ac, 0, sizeof(ac));
	/* Without a turn group (an AGW-only box) no client authenticates:
	 * the users and secrets the API manages wait under a realm of no
	 * client's, and cp publishes no nonce key. */
	ac.realm = cp->conf->turn.enabled ? cp->conf->turn.realm : CP_REALM_NO_TURN;
	ac.max_users = c->max_users;
	ac.max_secrets = TP_CONF_MAX_SECRETS + 16;
	ac.software = cp->conf->turn.software;
	ac.nonce_lifetime_s = c->nonce_lifetime_s;
	ac.rl_rate = c->challenge_rate;
	ac.rl_burst = c->challenge_burst;
	/* Challenge rate-limit buckets: twice as many as there may be
	 * allocations, so that clients who all (re)connect at once (after a
	 * failover, say) each find a bucket of their own, not one shared
	 * with two dozen others (at the default 4096 a 100k-client set-up
	 * had clients silenced for good). */
	ac.rl_buckets = c->quota_total > CP_AUTH_DEF_RL_BUCKETS / 2 ?
			2 * c->quota_total : CP_AUTH_DEF_RL_BUCKETS;
	/* the tenants: a realm, nonces, users and secrets each */
	_Static_assert(TP_CONF_MAX_TENANTS == CP_AUTH_TENANTS_MAX, "tenant indices");
	for (unsigned int i = 0; i < tn->n; i++)
		trealms[i] = tn->t[i].realm;
	ac.ntenants = tn->n;
	ac.tenant_realms = trealms;
	/* RFC 7635 (the oauth group): the keys decoded for cp_auth_init(),
	 * which copies them; this copy is wiped right after */
	_Static_assert(TP_CONF_OAUTH_KEYS == CP_OAUTH_KEYS_MAX, "oauth keys");
	if (oc->enabled) {
		for (unsigned int i = 0; i < oc->nkeys; i++) {
			rc = oauth_key_of(cp, &oc->keys[i], &okeys[i], err, errlen);
			if (rc < 0) {
				OPENSSL_cleanse(okeys, sizeof(okeys));
				return rc;
			}
		}
		ac.oauth_server_name = oc->server_name;
		ac.oauth_keys = okeys;
		ac.oauth_nkeys = oc->nkeys;
		ac.oauth_tolerance_s = oc->tolerance_s;
		ac.oauth_max_lifetime_s = oc->max_lifetime_s;
	}
	cp->auth = cp_auth_init(&ac);
	OPENSSL_cleanse(okeys, sizeof(okeys));
	if (cp->auth == NULL) {
		int e = errno;

		snprintf(err, errlen, "cannot set up authentication: %s", strerror(e));
		return -e;
	}
	for (unsigned int i = 0; i < c->nusers; i++) {
		if (cp_auth_user_add(cp->auth, c->users[i].name, c->users[i].password) < 0) {
			snprintf(err, errlen, "%s:%d: user '%s' refused (bad name or "
				 "password)", cp->conf->path, c->users[i].line,
				 c->users[i].name);
			auth_fini(cp);
			return -EINVAL;
		}
	}
	for (unsigned int i = 0; i < c->nsecrets; i++) {
		if (cp_auth_secret_add_in(cp->auth, 0, c->secrets[i], c->secret_algs[i]) < 0) {
			snprintf(err, errlen, "%s: REST secret %u refused",
				 cp->conf->path, i + 1);
			auth_fini(cp);
			return -EINVAL;
		}
	}
	for (unsigned int k = 0; k < tn->n; k++) {
		const struct tp_conf_tenant *t = &tn->t[k];

		for (unsigned int i = 0; i < t->nusers; i++) {
			rc = cp_auth_user_add_in(cp->auth, k + 1, t->users[i].name,
						 t->users[i].password);
			if (rc < 0) {
				snprintf(err, errlen, "%s:%d: tenant '%s': user '%s' refused (%s)",
					 cp->conf->path, t->users[i].line, t->name,
					 t->users[i].name, rc == -ENOSPC ?
					 "more users than cp.max_users" :
					 "bad name or password");
				auth_fini(cp);
				return -EINVAL;
			}
		}
		for (unsigned int i = 0; i < t->nsecrets; i++) {
			if (cp_auth_secret_add_in(cp->auth, k + 1, t->secrets[i],
						  t->secret_algs[i]) < 0) {
				snprintf(err, errlen, "%s: tenant '%s': REST secret %u refused",
					 cp->conf->path, t->name, i + 1);
				auth_fini(cp);
				return -EINVAL;
			}
		}
	}
	/* the user store's users and secrets, once its module opened it
	 * (auth_store.c) */
	rc = cp_store_on_open(&cp->store_hooks, cp_auth_store_read);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read the user store: %s", strerror(-rc));
		auth_fini(cp);
		return rc;
	}
	return 0;
}

/* ---- its parts of status ------------------------------------------------- */

/* The long-term credential users (file and store, every tenant's) and
 * the REST secrets. */
static void
status_credentials(const struct cp_ctx *cp, struct json_object *resp)
{
	json_object_object_add(resp, "users", json_object_new_int64(cp_auth_user_count(cp->auth)));
	json_object_object_add(resp, "secrets",
			       json_object_new_int64(cp_auth_secret_list(cp->auth, NULL, 0)));
}

/* The requests authentication refused, by reason (cp->auth_refused,
 * counted where the requests are answered). */
static void
status_refused(const struct cp_ctx *cp, struct json_object *resp)
{
	struct json_object *refused = json_object_new_object();

	for (unsigned int i = 1; i < CP_AUTH_REASON__COUNT; i++)
		json_object_object_add(refused, cp_auth_reason_name((enum cp_auth_reason)i),
				       json_object_new_int64((int64_t)cp->auth_refused[i]));
	json_object_object_add(resp, "auth_refused_by_reason", refused);
}

/* Where they stand among the hub's figures (enum cp_status_rank). */
static const struct cp_status_part auth_status_parts[] = {
	{ CP_STATUS_CREDENTIALS, status_credentials },
	{ CP_STATUS_AUTH_REFUSED, status_refused },
};

const struct cp_module cp_auth_module = {
	.name = "auth",
	.flags = CP_MODULE_CHECK,
	.setup = auth_setup,
	.fini = auth_fini,
	/* users.* and secrets.* (auth_commands.c) */
	.commands = cp_auth_commands,
	.status_parts = auth_status_parts,
	.nstatus_parts = sizeof(auth_status_parts) / sizeof(auth_status_parts[0]),
	/* the file's users and secrets (auth_reload.c) */
	.reload = &cp_auth_reload,
};
