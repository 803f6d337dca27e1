/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster: turnpike-cp as one box of many, its shared state in Redis
 * (cluster_types.h). Everything runs on cp's one loop: hiredis's
 * asynchronous API over non-blocking sockets that cp_cluster_poll()
 * looks at, so that no request of a client and no operator command ever
 * waits on Redis. Redis away: cp goes on with what it holds, quotas are
 * counted locally (counted: quota_local), the links come back with
 * back-off (100 ms doubling to 5 s).
 */
#ifndef CP_CLUSTER_H
#define CP_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster_secret.h"
#include "cluster_types.h"

struct cp_ctx;
struct cp_alloc;
struct cp_store;

/* Join the cluster of cp->conf's cluster group (cp->cluster stays NULL
 * without one). Nothing is connected yet: cp_cluster_poll() does that.
 * 0, or -errno with err saying why (cp_cluster_module's setup). */
int cp_cluster_init(struct cp_ctx *cp, char *err, size_t errlen);
void cp_cluster_fini(struct cp_ctx *cp);

/* Do what is ready on the links, never waiting: connect (after the
 * back-off), read answers and events, publish the load, renew leases a
 * slice at a time, decide Allocates whose wait is over. Returns the work
 * done (0: nothing). */
unsigned int cp_cluster_poll(struct cp_ctx *cp);
/* Allocates wait for Redis: cp should poll every turn, not doze. */
bool cp_cluster_waiting(const struct cp_ctx *cp);
/* Wait up to us microseconds for Redis' answer (instead of a doze on
 * dp's doorbell, which Redis does not ring). */
void cp_cluster_nap(struct cp_ctx *cp, unsigned int us);

/* The user store over the cluster (cp/store's interface): writes go to
 * Redis and are announced to every box; -EAGAIN while Redis is away. */
struct cp_store *cp_store_redis_open(struct cp_cluster *cl);

/* A command of another module's on the cluster's command link (cp/acct's
 * XADD): true when it went, and fn hears its answer (priv as given);
 * false when Redis is away (or there is no cluster). fn calls
 * cp_cluster_answer() first, which says whether the answer is one (ok:
 * false when the link went: nothing came) and gives cp. */
struct redisAsyncContext;
struct redisReply;
bool cp_cluster_send(struct cp_ctx *cp, void (*fn)(struct redisAsyncContext *, void *, void *),
		     void *priv, int argc, const char **argv, const size_t *len);
struct cp_ctx *cp_cluster_answer(struct redisAsyncContext *ac, const struct redisReply *r,
				 bool *ok);
/* The command link's generation: it moves at each connect and close, and
 * a command sent under another one is never answered (a closed link's
 * callbacks are not called). */
uint32_t cp_cluster_link_gen(const struct cp_ctx *cp);
/* The key "NS:what" in the cluster's namespace: its length, or -errno. */
int cp_cluster_key(const struct cp_ctx *cp, const char *what, char *out, size_t size);

/* Is a's Redis answer (a name, a number, an address) well formed?
 * (cluster_parse.c; unit-tested.) */
int cl_parse_u32(const char *s, size_t len, uint32_t *out);
int cl_parse_user(const char *name, size_t nlen, const char *val, size_t vlen,
		  uint8_t md5[16], uint8_t sha256[32], int *has_sha256);
struct cp_store_psk;
int cl_parse_psk(const char *id, size_t idlen, const char *val, size_t vlen,
		 struct cp_store_psk *out);
int cl_parse_box(const char *name, size_t nlen, const char *const *kv,
		 const size_t *kvlen, size_t n, struct cl_box *out);
/* Keys and events of the default tenant and of a tenant (cluster_types.h
 * has the forms): the key of what (then name) in namespace ns, tenant
 * NULL for the default's; its length or -ENAMETOOLONG. */
int cl_tkey(char *out, size_t size, const char *ns, const char *tenant, const char *what,
	    const char *name, size_t nlen);
/* A tenant's name as a box may use it in a key or an event. */
bool cl_tenant_name_ok(const char *s, size_t len);
enum cl_event_kind { CL_EV_USER = 1, CL_EV_SECRETS, CL_EV_PSK };
struct cl_event {
	enum cl_event_kind kind;
	char tenant[TP_CONF_TENANT_NAME_MAX + 1];   /* "": the default tenant */
	const char *name;             /* into the message (a user, a PSK id) */
	size_t nlen;
};
int cl_parse_event(const char *msg, size_t len, struct cl_event *ev);
/* The best box for new clients of a family (4 or 6) among n, not named
 * self, not draining, not full: the least loaded (allocs / capacity),
 * then by name. NULL: none. */
const struct cl_box *cl_pick_box(const struct cl_box *boxes, unsigned int n,
				 const char *self, int family);

#endif /* CP_CLUSTER_H */
