/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside cp/alloc: what the request decisions (requests.c) use of the
 * allocation table and its resources (alloc.c). Not for the rest of cp,
 * which goes through cp.h. Each function's comment is at its definition.
 */
#ifndef TP_CP_ALLOC_INTERNAL_H
#define TP_CP_ALLOC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cp.h"
#include "alloc_state.h"
#include "stun.h"

#define NET_AF4 4u
#define NET_AF6 6u

/* helpers */
void cpa_stun_from_ipc(struct stun_addr *s, const struct ipc_addr *a);
uint64_t cpa_ms_to_tick(const struct cp_ctx *cp, uint64_t ms);

/* relayed transport addresses: ports by family, address and worker share */
unsigned int cpa_fam_i(uint8_t family);
uint8_t cpa_relay_index(const struct cp_ctx *cp, uint8_t family, const uint8_t *ip);
bool cpa_port_used(const struct cp_ctx *cp, unsigned int fi, unsigned int idx, uint32_t p);
void cpa_port_set(struct cp_ctx *cp, unsigned int fi, unsigned int idx, uint16_t p, bool used);
void cpa_alloc_ports_set(struct cp_ctx *cp, struct cp_alloc *a, bool used);
struct cp_alloc *cpa_alloc_by_relayed(struct cp_ctx *cp, const struct ipc_addr *r);
uint16_t cpa_port_pick(struct cp_ctx *cp, unsigned int w, const uint8_t *fams,
	  const uint64_t *masks, unsigned int nfams, bool even, bool reserve, uint8_t *idx);

/* tenants: a tuple's (its server address), a tenant's relayed addresses */
unsigned int cpa_tenant_of(const struct cp_ctx *cp, const struct ipc_tuple *tu);
uint64_t cpa_tenant_mask(const struct cp_ctx *cp, unsigned int t, uint8_t family);

/* EVEN-PORT reservations */
struct cp_reservation *cpa_reserv_find(struct cp_ctx *cp, uint64_t token, unsigned int w,
				       unsigned int t);
uint64_t cpa_reserv_token_of(const struct cp_ctx *cp, uint64_t id);
struct cp_reservation *cpa_reserv_free_slot(struct cp_ctx *cp);
uint64_t cpa_reserv_new_token(struct cp_ctx *cp);
void cpa_reserv_end(struct cp_ctx *cp, struct cp_reservation *rv);

/* quota counts by (tenant, username) */
struct cp_user *cpa_user_find(const struct cp_ctx *cp, unsigned int tenant, const char *name,
			      size_t len);
int cpa_user_attach(struct cp_ctx *cp, struct cp_alloc *a, const char *name, size_t len);

/* sending to dp: install first, response second, on the same ring */
void cpa_send_response(struct cp_ctx *cp, unsigned int w, const struct ipc_tuple *tu,
	      const uint8_t *buf, int len);
void cpa_send_alloc(struct cp_ctx *cp, const struct cp_alloc *a, uint16_t kind);
void cpa_send_binding(struct cp_ctx *cp, const struct cp_alloc *a, uint16_t kind,
	     const struct ipc_addr *peer, uint16_t channel, uint64_t expires_ms);

/* the allocation table and its lifetime timer */
struct cp_alloc *cpa_alloc_by_tuple(struct cp_ctx *cp, const struct ipc_tuple *t);
struct cp_alloc *cpa_alloc_new(struct cp_ctx *cp, const struct ipc_tuple *tu, uint16_t worker,
	  uint64_t id, const char *name, size_t len);
void cpa_alloc_free(struct cp_ctx *cp, struct cp_alloc *a, unsigned int reason);
void cpa_alloc_arm(struct cp_ctx *cp, struct cp_alloc *a);
/* An allocation as dp or the pair's mirror holds it, made in the table
 * (alloc.c, above restore()): it, or NULL with errno. */
struct cp_alloc *cpa_alloc_restore(struct cp_ctx *cp, unsigned int w,
				   const struct ipc_tuple *tuple, uint64_t id,
				   const struct ipc_alloc *ia, const struct ipc_binding *binds,
				   size_t n);
void cpa_alloc_ipc(const struct cp_alloc *a, struct ipc_alloc *ia);

/* permissions and channels */
int cpa_bind_find(const struct cp_alloc *a, const struct ipc_addr *peer, bool chan);
int cpa_chan_find(const struct cp_alloc *a, uint16_t ch);
int cpa_bind_add(struct cp_alloc *a, const struct ipc_addr *peer, uint16_t channel);
void cpa_bind_del(struct cp_alloc *a, unsigned int i);

/* what the observers hear (cp_alloc_observe()), in the order they
 * registered; the quota across boxes, as the decider registered says
 * (CP_ALLOC_QUOTA_ALLOW without one) */
void cpa_observers(struct cp_ctx *cp, struct cp_alloc_ev *ev);
int cpa_quota_across(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg,
		     unsigned int tenant, const char *user, size_t len);

/* requests.c: an authenticated or unauthenticated request from worker w */
void cpa_handle_request(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);

/* A request being decided (requests.c), and the answers' helpers the
 * RFC 6062 requests (tcp_relay.c) share with it. */
struct req_ctx {
	struct cp_ctx *cp;
	unsigned int worker;
	const struct ipc_msg *msg;
	const struct stun_msg *req;
	struct cp_auth_result auth;
	struct cp_auth_peer from;
	unsigned int tenant;          /* the tuple's (cpa_tenant_of()) */
};

void reply_error(struct req_ctx *r, uint16_t code, const struct stun_addr *aerr_for);
void reply_error_why(struct req_ctx *r, uint16_t code, const char *why);
void reply_begin(struct req_ctx *r, struct stun_builder *b, uint8_t *buf, size_t cap);
void reply_finish(struct req_ctx *r, struct stun_builder *b);
struct cp_alloc *need_alloc(struct req_ctx *r);
/* RFC 8656 §5 with RFC 7635 (requests.c): is r from a's own client
 * (renew: r is a Refresh that keeps a, cpa_renewal())? Did the token
 * that made a carry r's key (a move needs it)? Keep what a token that
 * made a gives it; take a restarted cp's token allocation back with the
 * token that made it. */
bool cpa_own_client(const struct req_ctx *r, struct cp_alloc *a, bool renew);
bool cpa_oauth_reclaim(const struct req_ctx *r, struct cp_alloc *a);
bool cpa_renewal(const struct req_ctx *r);
bool cpa_oauth_maker(const struct req_ctx *r, const struct cp_alloc *a);
void cpa_oauth_made(const struct req_ctx *r, struct cp_alloc *a);
/* Made by a token, and cp still holds what it kept (not one a restarted
 * cp took back from dp)? */
static inline bool
cpa_oauth_alloc(const struct cp_alloc *a)
{
	return a->oauth[CPA_OAUTH_MADE].key_len > 0 || a->oauth[CPA_OAUTH_SESSION].key_len > 0;
}
uint16_t peer_check(struct req_ctx *r, const struct cp_alloc *a, const struct stun_attr *attr,
		    bool any_port, struct ipc_addr *canon);
uint16_t cpa_peer_judge(struct cp_ctx *cp, const struct cp_alloc *a, const struct ipc_addr *peer,
			bool any_port, struct ipc_addr *canon);
struct cp_alloc *cpa_alloc_by_id(struct cp_ctx *cp, uint64_t id);
int cpa_alloc_move(struct cp_ctx *cp, struct cp_alloc *a, const struct ipc_tuple *tu,
		   unsigned int reach);
bool cpa_fwd_room(const struct cp_ctx *cp, const struct cp_alloc *a, unsigned int reach);

/* mobility.c: RFC 8016 */
uint16_t cpa_mob_allocate_check(struct req_ctx *r, bool *mobile);
struct cp_alloc *cpa_mob_refresh(struct req_ctx *r, const struct stun_attr *ticket);
void cpa_mob_add_ticket(struct req_ctx *r, struct stun_builder *b, const struct cp_alloc *a);
void cpa_send_msg(struct cp_ctx *cp, unsigned int w, struct ipc_msg *m);

/* tcp_relay.c: RFC 6062 */
void cpa_tcp_connect(struct req_ctx *r);
void cpa_tcp_bind(struct req_ctx *r);
/* Allocate's step for REQUESTED-TRANSPORT 6: 0 when it may go on, else
 * the error code (§5.1). */
uint16_t cpa_tcp_allocate_check(struct req_ctx *r);
/* a TCP allocation goes: its connections with it */
void cpa_tcp_alloc_gone(struct cp_ctx *cp, struct cp_alloc *a);
/* TCP_EVENT from worker w */
void cpa_tcp_event(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);
/* TCP_STATE from worker w (cp restarted) */
void cpa_tcp_state(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg);

#endif
