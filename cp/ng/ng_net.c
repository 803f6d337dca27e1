/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng's transport: UDP datagrams of "<cookie> <bencode dict>", each
 * answered with "<cookie> <bencode dict>" to its source (rtpengine's ng
 * protocol). Who is answered: ng.allow's sources only (ng has no
 * authentication: SECURITY.md puts it on a control network). A repeat of
 * a request (the same datagram, cookie and dictionary, from the same
 * source within ng.reply_cache_time) is
 * answered with the reply already sent, never acted on twice: a P-CSCF's
 * rtpengine module repeats a request whose reply it missed, and an offer
 * acted on twice would make a second set of ports. Every request costs a
 * token of ng.max_rate before anything is sent, a repeat answered from
 * the cache too; a reply larger than CP_AMP_FACTOR times its request costs
 * more (cp_amp.h: ng's sources can be forged, and a reply must not make
 * the door an amplifier towards the one named). Past the rate a request
 * is not acted on and gets an error reply only when that is no longer
 * than the request, not a queue: a serve reads NG_RECV_SERVE datagrams
 * and acts on NG_WORK_SERVE requests at most, so a flood cannot keep
 * cp's loop. A reply to a request that changed contexts (an offer, an
 * answer) is held until dp holds the change (cp/agw's
 * cp_agw_when_held(): the peer it names may send at once, RFC 3264
 * §6.1), and kept and charged only as it goes; a repeat meanwhile is
 * answered by it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bencode.h"
#include "cp.h"
#include "cp_amp.h"
#include "ng_internal.h"
#include "tp_siphash.h"
#include "tp_conf.h"
#include "tp_log.h"

static socklen_t
ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					    sizeof(struct sockaddr_in);
}

int
ng_net_open(struct cp_ng *g, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct stun_addr a;
	int rc, one = 1;

	g->fd = -1;
	if (cp_parse_hostport(g->conf->listen, &a) < 0) {
		snprintf(err, errlen, "ng.listen '%s' is not IP:PORT", g->conf->listen);
		return -EINVAL;
	}
	memset(&ss, 0, sizeof(ss));
	if (a.family == STUN_AF_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a.port);
		memcpy(&s6->sin6_addr, a.ip, 16);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(a.port);
		memcpy(&s4->sin_addr, a.ip, 4);
	}
	g->family = (uint8_t)ss.ss_family;
	g->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g->fd >= 0 && ss.ss_family == AF_INET6)
		(void)setsockopt(g->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (g->fd < 0 || bind(g->fd, (struct sockaddr *)&ss, ss_len(&ss)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "ng.listen %s (udp): %s", g->conf->listen, strerror(-rc));
		ng_net_close(g);
		return rc;
	}
	g->cache = calloc(NG_CACHE_SLOTS, sizeof(*g->cache));
	g->held = calloc(NG_HELD_MAX, sizeof(*g->held));
	g->rbuf = malloc(NG_DGRAM_MAX + 1);
	g->wsize = NG_DGRAM_MAX;
	g->wbuf = malloc(g->wsize);
	g->nodes = calloc(NG_NODES_MAX, sizeof(*g->nodes));
	if (g->cache == NULL || g->held == NULL || g->rbuf == NULL || g->wbuf == NULL ||
	    g->nodes == NULL) {
		ng_net_close(g);
		snprintf(err, errlen, "ng: out of memory");
		return -ENOMEM;
	}
	g->tokens = g->rtokens = g->conf->max_rate;
	return 0;
}

void
ng_net_close(struct cp_ng *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
	if (g->cache != NULL)
		for (unsigned int i = 0; i < NG_CACHE_SLOTS; i++)
			if (g->cache[i].reply != NULL) {
				/* replies hold our SRTP keys */
				explicit_bzero(g->cache[i].reply, g->cache[i].reply_len);
				free(g->cache[i].reply);
			}
	free(g->cache);
	if (g->held != NULL)
		for (unsigned int i = 0; i < NG_HELD_MAX; i++)
			if (g->held[i].reply != NULL) {
				explicit_bzero(g->held[i].reply, g->held[i].len);
				free(g->held[i].reply);
			}
	free(g->held);
	free(g->rbuf);
	if (g->wbuf != NULL)
		explicit_bzero(g->wbuf, g->wsize);
	free(g->wbuf);
	free(g->nodes);
	g->cache = NULL;
	g->held = NULL;
	g->rbuf = g->wbuf = NULL;
	g->nodes = NULL;
}

/* Is from in ng.allow? */
static bool
allowed(const struct cp_ng *g, const struct sockaddr_storage *from)
{
	const uint8_t *ip;
	uint8_t v4[16];
	uint8_t fam;

	if (from->ss_family == AF_INET) {
		ip = (const uint8_t *)&((const struct sockaddr_in *)from)->sin_addr;
		fam = AF_INET;
	} else if (from->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)from;

		ip = (const uint8_t *)&s6->sin6_addr;
		fam = AF_INET6;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			memcpy(v4, ip + 12, 4);
			ip = v4;
			fam = AF_INET;
		}
	} else {
		return false;
	}
	for (unsigned int i = 0; i < g->conf->nallow; i++) {
		const struct tp_conf_ng_net *n = &g->conf->allow[i];
		unsigned int full = n->plen / 8u, rest = n->plen % 8u;

		if (n->family != fam)
			continue;
		if (memcmp(n->ip, ip, full) != 0)
			continue;
		if (rest != 0 && ((n->ip[full] ^ ip[full]) & (uint8_t)(0xffu << (8u - rest))) != 0)
			continue;
		return true;
	}
	return false;
}

static bool
same_src(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

	return x->sin6_port == y->sin6_port &&
	       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

/* The cache's hash of (source, cookie): keyed (the door's random key), so
 * that a sender cannot choose cookies that share a slot. */
static uint64_t
cache_hash(const struct cp_ng *g, const struct sockaddr_storage *from, const char *cookie,
	   size_t n)
{
	uint8_t buf[sizeof(struct sockaddr_in6) + NG_COOKIE_MAX];
	size_t l = from->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						  sizeof(struct sockaddr_in);
	uint64_t h;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, from, l);
	memcpy(buf + l, cookie, n);
	h = tp_siphash24(g->hkey, buf, l + n);
	return h == 0 ? 1 : h;
}

/* How long a reply is kept for a repeat (ng.reply_cache_time). */
static uint64_t
cache_ms(const struct cp_ng *g)
{
	return (uint64_t)g->conf->reply_cache_time * 1000u;
}

/* The cached reply to src's request, or NULL. The cache is NG_CACHE_WAYS-way
 * set-associative (a set by the keyed hash): a reply is pushed out only by
 * NG_CACHE_WAYS newer ones of its set, so at a P-CSCF's rates a repeat
 * within ng.reply_cache_time finds it. */
static struct ng_cached *
cache_find(struct cp_ng *g, const struct ng_src *src, uint64_t now_ms)
{
	struct ng_cached *set = &g->cache[(src->hash & (NG_CACHE_SLOTS / NG_CACHE_WAYS - 1u)) *
					  NG_CACHE_WAYS];

	for (unsigned int i = 0; i < NG_CACHE_WAYS; i++) {
		struct ng_cached *e = &set[i];

		if (e->reply != NULL && e->hash == src->hash && e->cookie_len == src->clen &&
		    memcmp(e->cookie, src->cookie, src->clen) == 0 &&
		    same_src(&e->from, &src->from) && e->req_len == src->req_len &&
		    e->req_hash == src->req_hash && now_ms - e->at_ms <= cache_ms(g))
			return e;
	}
	return NULL;
}

/* Every reply past ng.reply_cache_time dropped, wiped (it may hold our keys): a
 * stale reply is found by no repeat, but it held its octets of
 * NG_CACHE_BYTES until another took its slot, so a cache full of them
 * kept no new reply at all. Walked only when the bound is reached. */
static void
cache_expire(struct cp_ng *g, uint64_t now_ms)
{
	for (unsigned int i = 0; i < NG_CACHE_SLOTS; i++) {
		struct ng_cached *e = &g->cache[i];

		if (e->reply == NULL || now_ms - e->at_ms <= cache_ms(g))
			continue;
		explicit_bzero(e->reply, e->reply_len);
		g->cache_bytes -= e->reply_len;
		free(e->reply);
		e->reply = NULL;
		e->hash = 0;
	}
}

static void
cache_put(struct cp_ng *g, const struct ng_src *src, const char *reply, size_t len,
	  uint64_t now_ms)
{
	struct ng_cached *set = &g->cache[(src->hash & (NG_CACHE_SLOTS / NG_CACHE_WAYS - 1u)) *
					  NG_CACHE_WAYS];
	struct ng_cached *e = &set[0];

	/* a free way, else the oldest */
	for (unsigned int i = 0; i < NG_CACHE_WAYS && e->reply != NULL; i++)
		if (set[i].reply == NULL || set[i].at_ms < e->at_ms)
			e = &set[i];
	if (e->reply != NULL) {
		explicit_bzero(e->reply, e->reply_len);
		g->cache_bytes -= e->reply_len;
		free(e->reply);
		e->reply = NULL;
		e->hash = 0;
	}
	if (g->cache_bytes + len > NG_CACHE_BYTES)
		cache_expire(g, now_ms);
	if (g->cache_bytes + len > NG_CACHE_BYTES)
		return;
	e->reply = malloc(len);
	if (e->reply == NULL)
		return;
	memcpy(e->reply, reply, len);
	e->reply_len = (uint32_t)len;
	g->cache_bytes += len;
	e->hash = src->hash;
	e->at_ms = now_ms;
	e->from = src->from;
	e->cookie_len = src->clen;
	memcpy(e->cookie, src->cookie, src->clen);
	e->req_hash = src->req_hash;
	e->req_len = src->req_len;
}

static void
send_to(struct cp_ng *g, const struct sockaddr_storage *to, const char *buf, size_t len)
{
	if (sendto(g->fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)to, ss_len(to)) < 0)
		g->stats[NG_STAT_oversize] += errno == EMSGSIZE;
}

/* A token of bucket *tokens (filled at ng.max_rate a second since *ms, up
 * to one second's worth), if it holds one. */
static bool
take(const struct cp_ng *g, double *tokens, uint64_t *ms, uint64_t now_ms)
{
	double rate = g->conf->max_rate;

	if (now_ms > *ms) {
		*tokens += (double)(now_ms - *ms) * rate / 1000.0;
		if (*tokens > rate)
			*tokens = rate;
		*ms = now_ms;
	}
	if (*tokens < 1.0)
		return false;
	*tokens -= 1.0;
	return true;
}

/* A reply of len octets to src's request is sent: what it costs past the
 * request's token (cp_amp.h), taken from the rate into debt. */
static void
charge(struct cp_ng *g, const struct ng_src *src, size_t len)
{
	g->tokens -= (double)(cp_amp_cost(len, src->req_len) - 1u);
}

/* A held reply's time: kept for a repeat, charged and sent as any, then
 * wiped (rc aside: the change is made, the reply says what). */
static void
held_go(struct cp_ctx *cp, void *arg, int rc)
{
	struct ng_held *h = arg;
	struct cp_ng *g = h->g;

	(void)rc;
	cache_put(g, &h->src, h->reply, h->len, cp->now_ms);
	charge(g, &h->src, h->len);
	send_to(g, &h->src.from, h->reply, h->len);
	explicit_bzero(h->reply, h->len);
	free(h->reply);
	memset(h, 0, sizeof(*h));
	g->nheld--;
}

/* The held reply to src's request (a repeat of it), or NULL. */
static const struct ng_held *
held_find(const struct cp_ng *g, const struct ng_src *src)
{
	for (unsigned int i = 0, seen = 0; i < NG_HELD_MAX && seen < g->nheld; i++) {
		const struct ng_held *h = &g->held[i];

		if (!h->used)
			continue;
		seen++;
		if (h->src.hash == src->hash && h->src.clen == src->clen &&
		    memcmp(h->src.cookie, src->cookie, src->clen) == 0 &&
		    same_src(&h->src.from, &src->from) && h->src.req_len == src->req_len &&
		    h->src.req_hash == src->req_hash)
			return h;
	}
	return NULL;
}

/* The reply in buf (len octets) to src's request, held when its request
 * changed contexts since `since` that dp may not hold yet: true when it
 * waits (held_go() sends it), false when it goes now. */
static bool
hold(struct cp_ng *g, const struct ng_src *src, uint64_t since, const char *buf, size_t len)
{
	struct ng_held *h = NULL;

	if (cp_agw_changes(g->cp) == since)
		return false;
	for (unsigned int i = 0; i < NG_HELD_MAX && h == NULL; i++)
		if (!g->held[i].used)
			h = &g->held[i];
	if (h == NULL || (h->reply = malloc(len)) == NULL)
		return false;
	memcpy(h->reply, buf, len);
	h->len = (uint32_t)len;
	h->src = *src;
	h->g = g;
	h->used = true;
	if (cp_agw_when_held(g->cp, since, held_go, h) == 1) {
		g->nheld++;
		return true;
	}
	explicit_bzero(h->reply, len);
	free(h->reply);
	memset(h, 0, sizeof(*h));
	return false;
}

static void
fill_error(struct cp_ng *g, struct bc_w *w, void *arg)
{
	(void)g;
	bc_w_kstr(w, "result", "error");
	bc_w_kstr(w, "error-reason", arg);
}

void
ng_net_reply(struct cp_ng *g, const struct ng_src *src, ng_fill_fn fill, void *arg)
{
	uint64_t since = cp_agw_changes(g->cp);
	size_t clen = src->clen;
	struct bc_w w;
	int rc;

	memcpy(g->wbuf, src->cookie, clen);
	g->wbuf[clen] = ' ';
	bc_w_init(&w, g->wbuf + clen + 1, g->wsize - clen - 1);
	bc_w_dict(&w);
	fill(g, &w, arg);
	bc_w_close(&w);
	rc = bc_w_end(&w);
	if (rc < 0) {
		/* a reply past the datagram: say so, in few octets */
		g->stats[NG_STAT_oversize]++;
		bc_w_init(&w, g->wbuf + clen + 1, g->wsize - clen - 1);
		bc_w_dict(&w);
		fill_error(g, &w, "Reply too large");
		bc_w_close(&w);
		rc = bc_w_end(&w);
	}
	if (rc < 0)
		return;
	if (src->refusal) {
		/* past the rate: only what amplifies nothing, never kept (a
		 * flood past the rate must not push out the replies a
		 * controller's repeats need) */
		if (cp_amp_refusal_ok(clen + 1 + (size_t)rc, src->req_len))
			send_to(g, &src->from, g->wbuf, clen + 1 + (size_t)rc);
		explicit_bzero(g->wbuf, clen + 1 + (size_t)rc);
		return;
	}
	if (!hold(g, src, since, g->wbuf, clen + 1 + (size_t)rc)) {
		cache_put(g, src, g->wbuf, clen + 1 + (size_t)rc, g->cp->now_ms);
		charge(g, src, clen + 1 + (size_t)rc);
		send_to(g, &src->from, g->wbuf, clen + 1 + (size_t)rc);
	}
	explicit_bzero(g->wbuf, clen + 1 + (size_t)rc);
}

/* One request datagram (len octets in g->rbuf) from an allowed source. */
static void
one(struct cp_ng *g, const struct sockaddr_storage *from, size_t len, uint64_t now_ms)
{
	char *sp = memchr(g->rbuf, ' ', len < NG_COOKIE_MAX + 1 ? len : NG_COOKIE_MAX + 1);
	struct ng_cached *e;
	struct bc_error be;
	struct ng_src src;
	struct ng_req r;
	char err[200];
	int n, rc;

	if (sp == NULL || sp == g->rbuf) {
		/* no cookie: nothing an answer could be matched with */
		g->stats[NG_STAT_malformed]++;
		return;
	}
	memset(&src, 0, sizeof(src));
	src.from = *from;
	src.clen = (uint8_t)(sp - g->rbuf);
	memcpy(src.cookie, g->rbuf, src.clen);
	src.hash = cache_hash(g, from, src.cookie, src.clen);
	/* a repeat is the request again, octet for octet: the cookie alone
	 * would let whoever forges an allowed source have a large reply sent
	 * there again and again for a few octets, past ng.max_rate */
	src.req_hash = tp_siphash24(g->hkey, g->rbuf, len);
	src.req_len = (uint32_t)len;
	/* every request costs its token before anything is sent, a repeat
	 * answered from the cache too: a forger of an allowed source must
	 * not have replies resent past ng.max_rate */
	if (!take(g, &g->tokens, &g->tok_ms, now_ms)) {
		g->stats[NG_STAT_rate_limited]++;
		if (take(g, &g->rtokens, &g->rtok_ms, now_ms)) {
			src.refusal = true;
			ng_net_reply(g, &src, fill_error, "Rate limit exceeded");
		}
		return;
	}
	/* a repeat of one whose reply is held: that reply answers both */
	if (held_find(g, &src) != NULL) {
		g->stats[NG_STAT_repeats]++;
		return;
	}
	e = cache_find(g, &src, now_ms);
	if (e != NULL) {
		g->stats[NG_STAT_repeats]++;
		charge(g, &src, e->reply_len);
		send_to(g, from, e->reply, e->reply_len);
		return;
	}
	n = bc_parse(sp + 1, len - src.clen - 1u, g->nodes, NG_NODES_MAX, NG_DEPTH_MAX, NULL,
		     &be);
	if (n < 0) {
		g->stats[NG_STAT_malformed]++;
		snprintf(err, sizeof(err), "Failed to decode bencode at octet %zu: %s", be.off,
			 be.msg);
		ng_net_reply(g, &src, fill_error, err);
		return;
	}
	rc = ng_req_read(g->nodes, &g->nodes[0], &g->names, &r, err, sizeof(err));
	if (rc < 0) {
		g->stats[NG_STAT_errors]++;
		if (rc == -ENOTSUP)
			g->stats[NG_STAT_unsupported]++;
		ng_net_reply(g, &src, fill_error, err);
		return;
	}
	g->stats[NG_STAT_requests]++;
	ng_call_do(g, &src, &r);
}

unsigned int
ng_net_serve(struct cp_ng *g, uint64_t now_ms)
{
	unsigned int read = 0, work = 0;

	while (read < NG_RECV_SERVE && work < NG_WORK_SERVE) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(g->fd, g->rbuf, NG_DGRAM_MAX + 1, MSG_TRUNC | MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);

		if (r < 0)
			break;
		read++;
		if (!allowed(g, &from)) {
			g->stats[NG_STAT_strangers]++;
			continue;
		}
		if ((size_t)r > NG_DGRAM_MAX) {
			g->stats[NG_STAT_oversize]++;
			continue;
		}
		work++;
		one(g, &from, (size_t)r, now_ms);
		/* the request may hold the peers' SRTP keys */
		explicit_bzero(g->rbuf, (size_t)r);
	}
	g->last_work = work;
	return read;
}
