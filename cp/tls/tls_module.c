/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/tls as a module of turnpike-cp: TLS in dp gets its ticket keys (made
 * now, a new one each period) and the store's external PSKs from cp, to
 * every worker from the loop (cp_tls_send()), and all of it again when
 * dp restarts; the operator's psk.* commands; on a reload, dp asked to
 * read its certificates again; TLS's parts of status (dp's certificate
 * reloads, each worker's TLS counters). Its state is cp->tls, made by its
 * setup and freed by its fini.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cp.h"
#include "api/api_cmd.h"
#include "cp_module.h"
#include "metrics/metrics.h"

static int
store_load_psk(void *arg, const struct cp_store_psk *p)
{
	struct cp_ctx *cp = arg;

	if (cp_tls_psk_set(cp->tls, p->id, p->key, p->key_len, p->cipher) < 0)
		cp->store->bad_rows++;
	return 0;
}

/* dp restarted: its workers' ticket keys and PSKs went with it. */
static void
tls_dp_restart(struct cp_ctx *cp)
{
	cp_tls_resend(cp->tls);
}

static void
tls_fini(struct cp_ctx *cp)
{
	if (cp->tls == NULL)
		return;
	cp_tls_fini(cp->tls);
	free(cp->tls);
	cp->tls = NULL;
}

static int
tls_setup(struct cp_ctx *cp, char *err, size_t errlen)
{
	int rc;

	cp->tls = calloc(1, sizeof(*cp->tls));
	if (cp->tls == NULL) {
		snprintf(err, errlen, "no memory for TLS ticket keys");
		return -ENOMEM;
	}
	rc = cp_tls_init(cp->tls, cp->conf->cp.tls_ticket_rotate_s, cp_dp_send, cp,
			 cp->nworkers, CP_RING_HEADROOM, ipc_monotonic_ms());
	if (rc < 0) {
		snprintf(err, errlen, "cannot make TLS ticket keys: %s", strerror(-rc));
		free(cp->tls);
		cp->tls = NULL;
		return rc;
	}
	if (cp->store != NULL) {
		uint64_t bad = cp->store->bad_rows;

		rc = cp_store_psk_list(cp->store, store_load_psk, cp);
		if (rc < 0) {
			snprintf(err, errlen, "%s", cp->store->err);
			tls_fini(cp);
			return rc;
		}
		if (cp->store->bad_rows != bad)
			tp_log(TP_LOG_WARNING, "user store %s: %llu TLS PSK row(s) skipped "
			       "(malformed, or past %u)\n", cp->conf->cp.store,
			       (unsigned long long)(cp->store->bad_rows - bad), IPC_TLS_PSK_MAX);
	}
	tp_log(TP_LOG_INFO, "TLS: ticket keys rotate every %u s, %u external PSK(s)\n",
	       cp->conf->cp.tls_ticket_rotate_s, cp->tls->npsk);
	return 0;
}

/* Ticket keys: a new one each period, the set to every worker. */
static unsigned int
tls_step(struct cp_ctx *cp)
{
	unsigned int sent;

	if (cp_tls_tick(cp->tls, cp->now_ms)) {
		cp->stats[CP_STAT_TLS_ROTATIONS]++;
		tp_log(TP_LOG_INFO, "TLS ticket keys rotated (generation %llu)\n",
		       (unsigned long long)cp->tls->set.generation);
	}
	sent = cp_tls_send(cp->tls);
	cp->stats[CP_STAT_TLS_SENT] += sent;
	return sent;
}

/* ---- TLS 1.3 external PSKs: the store's, then every worker -------------- */

/*
 * psk.add: {"identity": ID, "key": HEX, "cipher": NAME?}. The key is
 * IPC_TLS_PSK_KEY_MIN..MAX bytes in hex (what `openssl s_client -psk`
 * takes); cipher the TLS 1.3 suite it is bound to, default
 * TLS_AES_128_GCM_SHA256. An identity there already gets the new key.
 * The key never appears in an answer, the log or psk.list.
 */
static int
cmd_psk_add(void *ctx, struct json_object *req, struct json_object *resp,
	    const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *id = cp_api_str(req, "identity"), *hex = cp_api_str(req, "key");
	const char *cname = cp_api_str(req, "cipher");
	struct cp_store_psk p;
	size_t hl = hex != NULL ? strlen(hex) : 0;
	int rc;

	(void)resp;
	if (id == NULL || hex == NULL) {
		*error = "psk.add needs \"identity\" and \"key\" (hex)";
		return -EINVAL;
	}
	if (!cp_tls_psk_id_ok(id)) {
		*error = cp_api_err(cp, "a PSK identity is 1 to %u printable ASCII characters "
				    "without spaces", IPC_TLS_PSK_ID_MAX);
		return -EINVAL;
	}
	memset(&p, 0, sizeof(p));
	p.cipher = cname != NULL ? cp_tls_cipher_parse(cname) : 0x1301;
	if (p.cipher == 0) {
		*error = "\"cipher\" must be TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 "
			 "or TLS_CHACHA20_POLY1305_SHA256";
		return -EINVAL;
	}
	if (hl % 2 != 0 || hl / 2 < IPC_TLS_PSK_KEY_MIN || hl / 2 > IPC_TLS_PSK_KEY_MAX ||
	    cp_store_unhex(hex, p.key, hl / 2) < 0) {
		*error = cp_api_err(cp, "\"key\" must be %u to %u bytes in hex",
				    IPC_TLS_PSK_KEY_MIN, IPC_TLS_PSK_KEY_MAX);
		OPENSSL_cleanse(&p, sizeof(p));
		return -EINVAL;
	}
	p.key_len = (uint16_t)(hl / 2);
	memcpy(p.id, id, strlen(id) + 1);
	if (cp_tls_psk_find(cp->tls, id) == NULL && cp->tls->npsk >= IPC_TLS_PSK_MAX) {
		*error = cp_api_err(cp, "PSK table full (%u identities)", IPC_TLS_PSK_MAX);
		rc = -ENOSPC;
		goto out;
	}
	if (cp->store != NULL && (rc = cp_store_psk_put(cp->store, &p)) < 0) {
		rc = cp_api_store_failed(cp, rc, error);
		goto out;
	}
	rc = cp_tls_psk_set(cp->tls, p.id, p.key, p.key_len, p.cipher);
	if (rc < 0)
		*error = "cannot add the PSK to cp's table";
	else
		tp_log(TP_LOG_INFO, "TLS PSK '%s' installed (%s)\n", p.id,
		       cp_tls_cipher_name(p.cipher));
out:
	OPENSSL_cleanse(&p, sizeof(p));
	return rc;
}

static int
cmd_psk_del(void *ctx, struct json_object *req, struct json_object *resp,
	    const char **error)
{
	struct cp_ctx *cp = ctx;
	const char *id = cp_api_str(req, "identity");
	int rc;

	(void)resp;
	if (id == NULL) {
		*error = "psk.del needs \"identity\"";
		return -EINVAL;
	}
	if (cp_tls_psk_find(cp->tls, id) == NULL) {
		*error = "no such PSK";
		return -ENOENT;
	}
	if (cp->store != NULL && (rc = cp_store_psk_del(cp->store, id)) < 0 && rc != -ENOENT)
		return cp_api_store_failed(cp, rc, error);
	cp_tls_psk_del(cp->tls, id);
	tp_log(TP_LOG_INFO, "TLS PSK '%.128s' removed\n", id);
	return 0;
}

/* psk.list: {"psks": [{"identity": ID, "cipher": NAME}...]}, never a key. */
static int
cmd_psk_list(void *ctx, struct json_object *req, struct json_object *resp,
	     const char **error)
{
	struct cp_ctx *cp = ctx;
	struct json_object *list = json_object_new_array();

	(void)req;
	(void)error;
	for (uint32_t i = 0; i < cp->tls->npsk; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "identity",
				       json_object_new_string_len(cp->tls->psk[i].id,
								  cp->tls->psk[i].id_len));
		json_object_object_add(o, "cipher", json_object_new_string(
					       cp_tls_cipher_name(cp->tls->psk[i].cipher)));
		json_object_array_add(list, o);
	}
	json_object_object_add(resp, "psks", list);
	json_object_object_add(resp, "store", cp->store != NULL ?
			       json_object_new_string(cp->store->where) : NULL);
	return 0;
}

static int
tls_commands(struct cp_ctx *cp)
{
	static const struct cp_api_cmd_def cmds[] = {
		{ "psk.add", cmd_psk_add },
		{ "psk.del", cmd_psk_del },
		{ "psk.list", cmd_psk_list },
	};

	return cp_api_cmds(cp, cmds, sizeof(cmds) / sizeof(cmds[0]));
}

/* A reload: dp reads its certificates itself (renewed files, same paths
 * included: cp cannot tell), so cp asks it, as SIGHUP to dp would. A dp
 * that is not running reads them when it starts: a message left in its
 * ring would be a stale reload later. */
static void
tls_reload_apply(struct cp_ctx *cp, const struct tp_conf *next, struct cp_reload_notes *r)
{
	int k;

	if (!cp->conf->tls.enabled || !next->tls.enabled)
		return;
	k = cp->tls != NULL && cp->seg.shm != NULL &&
	    ipc_dp_running(cp->seg.shm, ipc_monotonic_ms()) ? cp_tls_reload_dp(cp->tls) : -ESRCH;
	if (k == -ESRCH)
		cp_reload_say(r, false, "the tls group's certificates: dp is not running "
			      "(it reads them when it starts)");
	else if (k == 0)
		cp_reload_say(r, false, "dp asked to read the tls group's certificates again "
			      "(dp's log says which it serves)");
	else
		cp_reload_say(r, true, "the tls group's certificates: dp could not be asked "
			      "(%s): `systemctl reload turnpike-dp`", strerror(-k));
}

static const struct cp_module_reload tls_reload = {
	.apply = tls_reload_apply,
};

/* ---- its parts of status ------------------------------------------------- */

/* dp's certificate reloads since it started, and those refused. */
static void
tls_status(const struct cp_ctx *cp, struct json_object *resp)
{
	const struct ipc_shm *shm = cp->seg.shm;
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "reloads", json_object_new_int64((int64_t)
			       __atomic_load_n(&shm->dp_reloads, __ATOMIC_RELAXED)));
	json_object_object_add(r, "failed", json_object_new_int64((int64_t)
			       __atomic_load_n(&shm->dp_reloads_failed, __ATOMIC_RELAXED)));
	json_object_object_add(resp, "dp_tls_reloads", r);
}

/*
 * Worker w's "tls": TLS termination's counters (dp/tls's family, among
 * dp's TCP names as tls_<name>: here without the prefix), when dp has
 * them, and when the first certificate it serves expires (Unix seconds),
 * TURN's and the AGW legs'.
 */
static void
tls_status_worker(const struct cp_ctx *cp, const struct cp_metrics_snap *s, unsigned int w,
		  struct json_object *dp)
{
	const struct ipc_dp_family *fam = cp_metrics_family(s, "tls");
	struct json_object *tls = NULL;

	(void)cp;
	for (unsigned int i = fam != NULL ? fam->first : 0;
	     fam != NULL && i < (unsigned int)fam->first + fam->count; i++) {
		if (!s->tcp_ok[i])
			continue;
		if (tls == NULL)
			tls = json_object_new_object();
		json_object_object_add(tls, s->tcp_names[i] + fam->prefix_len,
				       json_object_new_int64((int64_t)s->w[w].tcp[i]));
	}
	if (s->w[w].tls_not_after != 0 || s->w[w].tls_leg_not_after != 0) {
		if (tls == NULL)
			tls = json_object_new_object();
		json_object_object_add(tls, "certificate_not_after",
				       json_object_new_int64((int64_t)s->w[w].tls_not_after));
		json_object_object_add(tls, "leg_certificate_not_after",
				       json_object_new_int64((int64_t)s->w[w].tls_leg_not_after));
	}
	if (tls != NULL)
		json_object_object_add(dp, "tls", tls);
}

const struct cp_module cp_tls_module = {
	.name = "tls",
	.setup = tls_setup,
	.fini = tls_fini,
	.on_dp_restart = tls_dp_restart,
	.step = tls_step,
	.commands = tls_commands,
	.status = tls_status,
	.status_rank = CP_STATUS_DP_TLS,
	.status_worker = tls_status_worker,
	.reload = &tls_reload,
};
