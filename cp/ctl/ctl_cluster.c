/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl allocations --cluster: "where is this user" (of which
 * tenant) from any box of a cluster (cp/cluster). turnpike-cp says where its Redis is and
 * under which namespace (status, "cluster"); turnpikectl then reads the
 * registry there itself, one NS:allocs:BOX hash per box (found by SCAN,
 * so that the registry needs no other key shared), with a
 * blocking hiredis context bounded by CTL_API_TIMEOUT_S (a command line
 * may wait; cp's loop never does). What Redis holds is another box's
 * word: names, lengths and JSON are checked, an entry that is not well
 * formed is counted and skipped, never printed as if it were.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis/hiredis.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "cluster/cluster_secret.h"
#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"
#include "tp_conf.h"

#define CL_ENTRY_MAX 4096u            /* bytes of one registry entry */

/* "host:port" or "[v6]:port" from cp into host and port. */
static int
split(const char *s, char *host, size_t size, int *port)
{
	const char *colon = strrchr(s, ':');
	size_t hl;

	if (tp_conf_hostport_family(s) == 0 || colon == NULL)
		return -EINVAL;
	hl = (size_t)(colon - s);
	if (s[0] == '[') {
		s++;
		hl -= 2;
	}
	if (hl >= size)
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	*port = atoi(colon + 1);
	return 0;
}

/* One registry entry (box, id, JSON value) into out, checked. */
static struct json_object *
entry(const char *box, const redisReply *id, const redisReply *val, int64_t now_s)
{
	struct json_object *v, *o, *rel, *x;
	const char *user, *client, *xport, *tenant;
	uint64_t n = 0;

	if (id->type != REDIS_REPLY_STRING || val->type != REDIS_REPLY_STRING ||
	    id->len == 0 || id->len > 20 || val->len > CL_ENTRY_MAX)
		return NULL;
	for (size_t i = 0; i < id->len; i++) {
		if (id->str[i] < '0' || id->str[i] > '9')
			return NULL;
		n = n * 10u + (uint64_t)(id->str[i] - '0');
	}
	v = json_tokener_parse(val->str);
	if (v == NULL)
		return NULL;
	user = ctl_get_str(v, "user", NULL);
	client = ctl_get_str(v, "client", NULL);
	xport = ctl_get_str(v, "transport", NULL);
	/* (an entry without is the default tenant's, as every entry was
	 * before tenants) */
	tenant = json_object_object_get_ex(v, "tenant", &x) ? ctl_get_str(v, "tenant", NULL) :
								    "default";
	if (user == NULL || client == NULL || xport == NULL || tenant == NULL ||
	    (strcmp(tenant, "default") != 0 &&
	     (strlen(tenant) > TP_CONF_TENANT_NAME_MAX || !tp_conf_cluster_name_ok(tenant))) ||
	    !json_object_object_get_ex(v, "relayed", &rel) ||
	    !json_object_is_type(rel, json_type_array) || json_object_array_length(rel) > 2 ||
	    !json_object_object_get_ex(v, "expires", &x) ||
	    !json_object_is_type(x, json_type_int)) {
		json_object_put(v);
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(rel); i++)
		if (!json_object_is_type(json_object_array_get_idx(rel, i), json_type_string)) {
			json_object_put(v);
			return NULL;
		}
	o = json_object_new_object();
	json_object_object_add(o, "box", json_object_new_string(box));
	json_object_object_add(o, "id", json_object_new_int64((int64_t)n));
	json_object_object_add(o, "user", json_object_new_string(user));
	json_object_object_add(o, "tenant", json_object_new_string(tenant));
	json_object_object_add(o, "client", json_object_new_string(client));
	json_object_object_add(o, "transport", json_object_new_string(xport));
	json_object_object_add(o, "relayed", json_object_get(rel));
	json_object_object_add(o, "lifetime_left_s",
			       json_object_new_int64(json_object_get_int64(x) - now_s));
	json_object_put(v);
	return o;
}

#define CL_BOXES_MAX 1024u

/* AUTH as cp does, when its status names a password file (cp checked it
 * at start; we read it as whoever runs us: root or cp.user). 0, or -1
 * with the reason on stderr. */
static int
redis_auth(redisContext *rc, struct json_object *cl, const char *redis)
{
	const char *file = ctl_get_str(cl, "password_file", NULL);
	const char *user = ctl_get_str(cl, "username", NULL);
	const char *argv[3] = { "AUTH", NULL, NULL };
	size_t len[3] = { 4, 0, 0 };
	char pass[CL_SECRET_MAX], err[512];
	size_t plen = 0;
	redisReply *r;
	int argc = 1, ok;

	if (file == NULL)
		return 0;
	if (cl_read_secret(file, (uid_t)-1, pass, &plen, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: cluster.password_file %s (turnpikectl reads it as "
			"turnpike-cp does: run it as root or cp.user)\n", CTL_PROG, err);
		return -1;
	}
	if (user != NULL) {
		argv[argc] = user;
		len[argc++] = strlen(user);
	}
	argv[argc] = pass;
	len[argc++] = plen;
	r = redisCommandArgv(rc, argc, argv, len);
	OPENSSL_cleanse(pass, sizeof(pass));
	ok = r != NULL && r->type == REDIS_REPLY_STATUS;
	if (!ok)
		fprintf(stderr, "%s: redis at %s refused AUTH with cluster.password_file: "
			"%s\n", CTL_PROG, redis, r == NULL ? rc->errstr :
			r->type == REDIS_REPLY_ERROR ? r->str : "not OK");
	if (r != NULL)
		freeReplyObject(r);
	return ok ? 0 : -1;
}

/* The boxes with a registry hash: SCAN for NS:allocs:* (the namespace's
 * glob characters escaped), names checked. Returns how many went into
 * names (each malloc()ed), or -1 with the reason on stderr; *bad counts
 * names refused. */
static int
scan_boxes(redisContext *rc, const char *ns, char **names, unsigned int *bad)
{
	char pat[2200], cursor[32] = "0";
	size_t j = 0, plen = strlen(ns) + strlen(":allocs:");
	int n = 0;

	for (const char *p = ns; *p != '\0' && j + 3 < sizeof(pat); p++) {
		if (strchr("*?[]\\", *p) != NULL)
			pat[j++] = '\\';
		pat[j++] = *p;
	}
	snprintf(pat + j, sizeof(pat) - j, ":allocs:*");
	do {
		redisReply *r = redisCommand(rc, "SCAN %s MATCH %s COUNT 1000", cursor, pat);

		if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING || r->element[0]->len >= 32 ||
		    r->element[1]->type != REDIS_REPLY_ARRAY) {
			fprintf(stderr, "%s: redis: %s\n", CTL_PROG,
				r == NULL ? rc->errstr : "SCAN did not answer [cursor, keys]");
			if (r != NULL)
				freeReplyObject(r);
			while (n > 0)
				free(names[--n]);
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (size_t i = 0; i < r->element[1]->elements && n < (int)CL_BOXES_MAX; i++) {
			const redisReply *k = r->element[1]->element[i];
			const char *b;

			if (k->type != REDIS_REPLY_STRING || k->len <= plen ||
			    strlen(k->str) != k->len) {
				(*bad)++;
				continue;
			}
			b = k->str + plen;
			if (!tp_conf_cluster_name_ok(b)) {
				(*bad)++;
				continue;
			}
			names[n] = strdup(b);
			if (names[n] != NULL)
				n++;
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return n;
}

/* A TENANT column after USER when a tenant is asked for or one of the
 * allocations is a tenant's: without tenants, the table as it was. */
static void
print_table(struct json_object *list, bool tenants)
{
	size_t n = json_object_array_length(list);

	if (n == 0) {
		puts("no allocations in the cluster");
		return;
	}
	for (size_t i = 0; i < n && !tenants; i++)
		tenants = strcmp(ctl_get_str(json_object_array_get_idx(list, i), "tenant",
					     "default"), "default") != 0;
	if (tenants)
		printf("%-16s %8s %-20s %-16s %-24s %-9s %-44s %7s\n", "BOX", "ID", "USER",
		       "TENANT", "CLIENT", "TRANSPORT", "RELAYED", "LEFT(s)");
	else
		printf("%-16s %8s %-20s %-24s %-9s %-44s %7s\n", "BOX", "ID", "USER", "CLIENT",
		       "TRANSPORT", "RELAYED", "LEFT(s)");
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(list, i), *rel, *id, *left;
		char rbuf[160] = "", user[64], client[64], xport[16], r[64];

		json_object_object_get_ex(e, "relayed", &rel);
		for (size_t k = 0; k < json_object_array_length(rel); k++) {
			size_t l = strlen(rbuf);

			snprintf(rbuf + l, sizeof(rbuf) - l, "%s%s", k ? "," : "",
				 ctl_safe_copy(json_object_get_string(json_object_array_get_idx(rel, k)),
				       r, sizeof(r)));
		}
		json_object_object_get_ex(e, "id", &id);
		json_object_object_get_ex(e, "lifetime_left_s", &left);
		printf("%-16s %8" PRId64 " %-20s ", ctl_get_str(e, "box", NULL),
		       json_object_get_int64(id),
		       ctl_safe_copy(ctl_get_str(e, "user", NULL), user, sizeof(user)));
		if (tenants)
			printf("%-16s ", ctl_get_str(e, "tenant", "default"));
		printf("%-24s %-9s %-44s %7" PRId64 "\n",
		       ctl_safe_copy(ctl_get_str(e, "client", NULL), client, sizeof(client)),
		       ctl_safe_copy(ctl_get_str(e, "transport", NULL), xport, sizeof(xport)),
		       rbuf[0] ? rbuf : "-", json_object_get_int64(left));
	}
}

int
ctl_allocations_cluster(const struct ctl_opts *opts, const char *user, const char *tenant)
{
	struct json_object *ans = NULL, *cl, *list;
	struct timeval tv = { .tv_sec = CTL_API_TIMEOUT_S, .tv_usec = 0 };
	const char *redis, *ns;
	char host[64], k[1200];
	int port, status = CTL_EXIT_FAIL;
	unsigned int bad = 0, nboxes = 0;
	redisContext *rc = NULL;
	char *names[CL_BOXES_MAX];
	int nnames = 0;
	int64_t now_s = (int64_t)time(NULL);

	if (ctl_ask(opts, "status", &ans) != 0)
		goto out;
	if (!json_object_object_get_ex(ans, "cluster", &cl) ||
	    !json_object_is_type(cl, json_type_object) ||
	    (redis = ctl_get_str(cl, "redis", NULL)) == NULL ||
	    (ns = ctl_get_str(cl, "namespace", NULL)) == NULL) {
		fprintf(stderr, "%s: this turnpike-cp is not in a cluster (no cluster group)\n",
			CTL_PROG);
		goto out;
	}
	if (split(redis, host, sizeof(host), &port) < 0 || strlen(ns) > 1000) {
		ctl_put_safe(stderr, CTL_PROG ": turnpike-cp named redis '", redis,
			     "', not an address\n");
		goto out;
	}
	rc = redisConnectWithTimeout(host, port, tv);
	if (rc == NULL || rc->err) {
		fprintf(stderr, "%s: cannot reach redis at %s: %s\n", CTL_PROG, redis,
			rc != NULL ? rc->errstr : "out of memory");
		goto out;
	}
	redisSetTimeout(rc, tv);
	if (redis_auth(rc, cl, redis) < 0)
		goto out;
	nnames = scan_boxes(rc, ns, names, &bad);
	if (nnames < 0)
		goto out;
	list = json_object_new_array();
	for (int i = 0; i < nnames; i++) {
		const char *b = names[i];
		redisReply *h;

		nboxes++;
		snprintf(k, sizeof(k), "%s:allocs:%s", ns, b);
		h = redisCommand(rc, "HGETALL %s", k);
		if (h == NULL) {
			fprintf(stderr, "%s: redis at %s: %s\n", CTL_PROG, redis, rc->errstr);
			json_object_put(list);
			goto out;
		}
		for (size_t j = 0; h->type == REDIS_REPLY_ARRAY && j + 1 < h->elements; j += 2) {
			struct json_object *e = entry(b, h->element[j], h->element[j + 1], now_s);

			if (e == NULL) {
				bad++;
				continue;
			}
			if ((user != NULL && strcmp(ctl_get_str(e, "user", NULL), user) != 0) ||
			    (tenant != NULL &&
			     strcmp(ctl_get_str(e, "tenant", NULL), tenant) != 0)) {
				json_object_put(e);
				continue;
			}
			json_object_array_add(list, e);
		}
		freeReplyObject(h);
	}
	if (opts->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "allocations", list);
		json_object_object_add(o, "boxes", json_object_new_int((int)nboxes));
		json_object_object_add(o, "malformed", json_object_new_int((int)bad));
		json_object_object_add(o, "ok", json_object_new_boolean(1));
		ctl_put_json(o);
		json_object_put(o);
	} else {
		print_table(list, tenant != NULL);
		if (bad > 0)
			fprintf(stderr, "%s: %u malformed entr%s in redis skipped\n", CTL_PROG,
				bad, bad == 1 ? "y" : "ies");
		json_object_put(list);
	}
	status = fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
out:
	for (int i = 0; i < nnames; i++)
		free(names[i]);
	if (rc != NULL)
		redisFree(rc);
	json_object_put(ans);
	return status;
}
