/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster: the links to Redis on cp's loop. hiredis's asynchronous
 * context does the protocol; its event hooks only note what it wants
 * polled, and cl_link_poll() polls with a zero timeout from
 * cp_cluster_poll(). Connects are non-blocking (IP literals: no name
 * lookup), come back after a back-off (100 ms doubling to 5 s), and a
 * link with commands unanswered for CL_REPLY_TIMEOUT_MS is dropped
 * (hiredis 0.14 has no timeouts of its own): a Redis that hangs is a
 * Redis that is away. With Sentinel, a short-lived third link asks where
 * the master is, again after every loss of the master.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>
#include <openssl/crypto.h>

#include "../cp.h"
#include "cluster.h"
#include "cluster_internal.h"
#include "tp_conf.h"

/* ---- links: hiredis on cp's loop ---------------------------------------- */

static void ev_add_read(void *p) { ((struct cl_link *)p)->rd = true; }
static void ev_del_read(void *p) { ((struct cl_link *)p)->rd = false; }
static void ev_add_write(void *p) { ((struct cl_link *)p)->wr = true; }
static void ev_del_write(void *p) { ((struct cl_link *)p)->wr = false; }

static void
ev_cleanup(void *p)
{
	struct cl_link *l = p;

	l->ac = NULL;
	l->rd = l->wr = false;
}

static void
link_down(struct cl_link *l, const char *why)
{
	struct cp_cluster *cl = l->cl;
	bool was_up = l->state == CL_UP;

	l->state = CL_DOWN;
	l->subscribed = false;
	l->inflight = 0;
	l->retry_ms = cl->cp->now_ms + l->backoff_ms;
	l->backoff_ms = l->backoff_ms * 2 > l->backoff_max_ms ? l->backoff_max_ms :
								l->backoff_ms * 2;
	if (l == &cl->sentinel) {
		if (!l->said_down)
			tp_log(TP_LOG_WARNING, "cluster: sentinel %s: %s; asking the next one",
			       cl->conf->sentinels[cl->sentinel_i % cl->conf->nsentinels], why);
		l->said_down = true;
		cl->sentinel_i++;
		return;
	}
	/* With Sentinel, ask again where the master is: it may have moved
	 * (a failover), or been misreported. */
	if (cl->conf->nsentinels > 0)
		cl->have_target = false;
	if (was_up) {
		cl->st.disconnects++;
		tp_log(TP_LOG_WARNING, "cluster: %s link to %s:%u lost (%s): going on with "
		       "what cp holds, quotas counted locally; again in %u ms",
		       l->name, cl->host, cl->port, why, (unsigned int)(l->retry_ms -
								  cl->cp->now_ms));
	} else if (!l->said_down) {
		/* once, until it is up again: not every back-off */
		tp_log(TP_LOG_WARNING, "cluster: cannot reach redis at %s:%u (%s): going on "
		       "with what cp holds, quotas counted locally; trying again with "
		       "back-off up to %u ms", cl->host, cl->port, why, l->backoff_max_ms);
	}
	l->said_down = true;
}

static void
link_up(struct cl_link *l)
{
	l->state = CL_UP;
	l->said_down = false;
	l->backoff_ms = l->backoff_min_ms;
	l->progress_ms = l->cl->cp->now_ms;
	l->cl->st.connects++;
	if (l != &l->cl->sentinel)
		tp_log(TP_LOG_NOTICE, "cluster: %s link to %s:%u up (box '%s')", l->name,
		       l->cl->host, l->cl->port, l->cl->conf->box);
}

/* AUTH's answer: up, or refused (the link goes, and comes back after
 * the back-off: the password may be changed on Redis' side first). */
static void
on_auth(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	const char *why = "an answer that is not OK";
	int wl = 24;

	(void)priv;
	if (l == NULL)
		return;
	if (l->inflight > 0)
		l->inflight--;
	if (r == NULL)
		return;                   /* the link went: on_disconnect says so */
	if (r->type == REDIS_REPLY_STATUS && r->len == 2 && memcmp(r->str, "OK", 2) == 0) {
		link_up(l);
		return;
	}
	l->cl->st.auth_refused++;
	if (r->type == REDIS_REPLY_ERROR) {
		why = r->str;
		wl = r->len < 200 ? (int)r->len : 200;
	}
	if (!l->said_down)
		tp_log(TP_LOG_ERR, "cluster: %s at %s refused our AUTH (%.*s): check "
		       "cluster.%s%s; going on with what cp holds, trying again with "
		       "back-off", l->name, l == &l->cl->sentinel ? "the sentinel" : l->cl->host,
		       wl, why,
		       l == &l->cl->sentinel ? "sentinel_password_file" : "password_file",
		       l == &l->cl->sentinel || l->cl->conf->username[0] == '\0' ? "" :
		       " and cluster.username");
	l->said_down = true;
	redisAsyncDisconnect(ac);         /* on_disconnect: link_down() */
}

static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct cl_link *l = ac->data;
	struct cp_cluster *cl;
	const char *argv[3];
	size_t len[3];
	int argc = 0;

	if (l == NULL)
		return;
	if (status != REDIS_OK) {
		link_down(l, ac->errstr);
		return;
	}
	cl = l->cl;
	argv[argc] = "AUTH";
	len[argc++] = 4;
	if (l == &cl->sentinel ? cl->sentinel_pass_len > 0 : cl->pass_len > 0) {
		if (l != &cl->sentinel && cl->conf->username[0] != '\0') {
			argv[argc] = cl->conf->username;
			len[argc++] = strlen(cl->conf->username);
		}
		argv[argc] = l == &cl->sentinel ? cl->sentinel_pass : cl->pass;
		len[argc++] = l == &cl->sentinel ? cl->sentinel_pass_len : cl->pass_len;
		/* the link is up once Redis says OK (still CONNECTING: the
		 * watchdog drops it if no answer comes) */
		if (redisAsyncCommandArgv(l->ac, on_auth, NULL, argc, argv,
					  len) != REDIS_OK) {
			link_down(l, "cannot send AUTH");
			return;
		}
		l->inflight++;
		l->progress_ms = cl->cp->now_ms;
		return;
	}
	link_up(l);
}

static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct cl_link *l = ac->data;

	(void)status;
	if (l == NULL)
		return;
	link_down(l, ac->err ? ac->errstr : "closed");
}

int
cl_link_open(struct cl_link *l, const char *host, uint16_t port)
{
	redisAsyncContext *ac = redisAsyncConnect(host, port);

	if (ac == NULL)
		return -ENOMEM;
	if (ac->err) {
		snprintf(l->cl->err, sizeof(l->cl->err), "%s", ac->errstr);
		redisAsyncFree(ac);
		link_down(l, l->cl->err);
		return -EIO;
	}
	ac->data = l;
	ac->ev.data = l;
	ac->ev.addRead = ev_add_read;
	ac->ev.delRead = ev_del_read;
	ac->ev.addWrite = ev_add_write;
	ac->ev.delWrite = ev_del_write;
	ac->ev.cleanup = ev_cleanup;
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	l->ac = ac;
	l->conn_gen++;
	l->state = CL_CONNECTING;
	l->inflight = 0;
	l->progress_ms = l->cl->cp->now_ms;
	/* the connect completes when the socket is writable */
	l->wr = true;
	return 0;
}

/* The context goes with every callback it holds, which are not called
 * (ac->data NULL: this link's state is not theirs to change any more);
 * what waits for one of them sees conn_gen move (pending_step()). */
void
cl_link_close(struct cl_link *l)
{
	l->conn_gen++;
	if (l->ac != NULL) {
		l->ac->data = NULL;
		redisAsyncFree(l->ac);
		l->ac = NULL;
	}
	l->state = CL_DOWN;
}

/* A command's answer came (or the link went: r NULL). */
bool
cl_answered(struct cl_link *l, const redisReply *r)
{
	if (l->inflight > 0)
		l->inflight--;
	l->progress_ms = l->cl->cp->now_ms;
	if (r == NULL) {
		l->state = CL_DOWN;       /* the context is going: send nothing more */
		return false;
	}
	return true;
}

static void
on_done(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;

	(void)priv;
	if (l == NULL || !cl_answered(l, r))
		return;
	if (r->type == REDIS_REPLY_ERROR)
		tp_log(TP_LOG_WARNING, "cluster: redis said: %.200s", r->str);
}

/* Send a command on a link that is up; false when it is not. */
bool
cl_send_argv(struct cl_link *l, redisCallbackFn *fn, void *priv, int argc, const char **argv,
	  const size_t *len)
{
	if (l->state != CL_UP || l->ac == NULL)
		return false;
	if (redisAsyncCommandArgv(l->ac, fn != NULL ? fn : on_done, priv, argc, argv,
				  len) != REDIS_OK)
		return false;
	if (l->inflight++ == 0)
		l->progress_ms = l->cl->cp->now_ms;
	return true;
}

/* Write what hiredis holds for a link now rather than at the loop's next
 * look at it (a millisecond later, or after a doze of up to 2 ms): for
 * what must be in Redis before the client hears that it was done. Not
 * from inside one of the link's own callbacks (a failed write frees the
 * context), and not on a link that is not up. */
void
cl_link_flush(struct cl_link *l)
{
	if (l->state != CL_UP || l->ac == NULL || !l->wr ||
	    (l->ac->c.flags & (REDIS_IN_CALLBACK | REDIS_DISCONNECTING)) != 0)
		return;
	redisAsyncHandleWrite(l->ac);
}

/* argv of C strings */
bool
cl_send_cmd(struct cl_link *l, redisCallbackFn *fn, void *priv, int argc, const char **argv)
{
	size_t len[16];

	for (int i = 0; i < argc && i < 16; i++)
		len[i] = strlen(argv[i]);
	return cl_send_argv(l, fn, priv, argc, argv, len);
}

void
cl_link_limits(struct cl_link *l, uint32_t ha_lease_ms)
{
	l->backoff_min_ms = CL_BACKOFF_MIN_MS;
	l->backoff_max_ms = CL_BACKOFF_MAX_MS;
	l->connect_timeout_ms = CL_REPLY_TIMEOUT_MS;
	if (ha_lease_ms != 0) {
		/* after a Redis outage both boxes of the pair reconnect
		 * within lease/4 + lease/2 of its return, not seconds apart
		 * (5 s back-off, 3 s connect): the active box renews before
		 * the standby can find the key gone and take it. The connect
		 * gets lease/2, not lease/4: a Redis a round trip of up to
		 * lease/2 away still serves the lease (issue 69's ask waits
		 * lease - guard) and must be reachable */
		l->backoff_max_ms = ha_lease_ms / 4 > 1 ? ha_lease_ms / 4 : 1;
		if (l->backoff_min_ms > l->backoff_max_ms)
			l->backoff_min_ms = l->backoff_max_ms;
		l->connect_timeout_ms = ha_lease_ms / 2;
	}
	l->backoff_ms = l->backoff_min_ms;
}

/* One link's turn: poll its socket (no wait) and let hiredis work. */
unsigned int
cl_link_poll(struct cl_link *l)
{
	struct pollfd pfd;

	if (l->ac == NULL || (!l->rd && !l->wr))
		return 0;
	pfd.fd = l->ac->c.fd;
	pfd.events = (short)((l->rd ? POLLIN : 0) | (l->wr ? POLLOUT : 0));
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
		if (l->ac != NULL)
			redisAsyncHandleRead(l->ac);
	}
	if ((pfd.revents & POLLOUT) && l->ac != NULL)
		redisAsyncHandleWrite(l->ac);
	return 1;
}

void
cl_link_watch(struct cp_cluster *cl, struct cl_link *l)
{
	/* no answer for too long: that Redis is away (a connect or its AUTH
	 * unanswered: l->connect_timeout_ms, shorter in an ha pair) */
	uint32_t limit = l->state == CL_CONNECTING && l->connect_timeout_ms < CL_REPLY_TIMEOUT_MS ?
			 l->connect_timeout_ms : CL_REPLY_TIMEOUT_MS;

	if (l->ac != NULL && (l->inflight > 0 || l->state == CL_CONNECTING) &&
	    cl->cp->now_ms - l->progress_ms > limit) {
		bool was_up = l->state == CL_UP;
		char why[48];

		snprintf(why, sizeof(why), "no answer in %u ms", limit);
		cl_link_close(l);
		l->state = was_up ? CL_UP : CL_CONNECTING;   /* so link_down says so */
		link_down(l, why);
		l->state = CL_DOWN;
	}
}

/* ---- Sentinel: where the master is ---------------------------------------- */

static void
on_master(redisAsyncContext *ac, void *reply, void *priv)
{
	struct cl_link *l = ac->data;
	const redisReply *r = reply;
	struct cp_cluster *cl;
	uint32_t port;
	char hp[80];

	(void)priv;
	if (l == NULL || !cl_answered(l, r))
		return;
	cl = l->cl;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    r->element[1]->type == REDIS_REPLY_STRING && r->element[0]->len < 48 &&
	    cl_parse_u32(r->element[1]->str, r->element[1]->len, &port) == 0 &&
	    port > 0 && port < 65536) {
		snprintf(hp, sizeof(hp), strchr(r->element[0]->str, ':') ? "[%s]:%u" : "%s:%u",
			 r->element[0]->str, port);
		if (tp_conf_hostport_family(hp) != 0) {
			snprintf(cl->host, sizeof(cl->host), "%s", r->element[0]->str);
			cl->port = (uint16_t)port;
			cl->have_target = true;
			tp_log(TP_LOG_NOTICE, "cluster: sentinel says master '%s' is %s",
			       cl->conf->master, hp);
			return;
		}
	}
	/* not an answer we can use: the next sentinel, after a pause */
	cl->st.bad_entries++;
	cl->sentinel_bad = true;
	if (!l->said_down)
		tp_log(TP_LOG_WARNING, "cluster: sentinel %s does not say where master '%s' "
		       "is; asking the next one",
		       cl->conf->sentinels[cl->sentinel_i % cl->conf->nsentinels],
		       cl->conf->master);
	l->said_down = true;
}

void
cl_hostport_split(const char *s, char *host, size_t size, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	size_t hl = (size_t)(colon - s);

	if (s[0] == '[') {
		s++;
		hl -= 2;
	}
	if (hl >= size)
		hl = size - 1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	*port = (uint16_t)atoi(colon + 1);
}

/* With Sentinel and no master known: ask the next sentinel. */
void
cl_sentinel_step(struct cp_cluster *cl)
{
	struct cl_link *l = &cl->sentinel;
	char host[64];
	uint16_t port;

	if (cl->have_target) {
		if (l->ac != NULL)
			cl_link_close(l);
		return;
	}
	if (cl->sentinel_bad) {
		cl->sentinel_bad = false;
		cl_link_close(l);
		cl->sentinel_i++;
		l->retry_ms = cl->cp->now_ms + l->backoff_ms;
		l->backoff_ms = l->backoff_ms * 2 > l->backoff_max_ms ? l->backoff_max_ms :
									l->backoff_ms * 2;
		return;
	}
	if (l->state == CL_DOWN && l->ac == NULL && cl->cp->now_ms >= l->retry_ms) {
		const char *s = cl->conf->sentinels[cl->sentinel_i % cl->conf->nsentinels];

		cl_hostport_split(s, host, sizeof(host), &port);
		cl_link_open(l, host, port);
	} else if (l->state == CL_UP && l->inflight == 0) {
		const char *argv[3] = { "SENTINEL", "get-master-addr-by-name",
					cl->conf->master };

		cl_send_cmd(l, on_master, NULL, 3, argv);
	}
}

