/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A usage record as one JSON line. Written by hand rather than through
 * json-c: a record is a fixed set of fields, every string in it is either
 * ours or escaped here (the username is the client's: RFC 8489 allows any
 * UTF-8 in it, and a quote or a control character must not end the line),
 * and cp writes one per allocation that ends.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <openssl/rand.h>

#include "acct.h"
#include "tp_esc.h"

const char *
cp_acct_reason_name(unsigned int reason)
{
	static const char *const names[CP_ACCT_R__COUNT] = {
#define CP_ALLOC_END_REASON(e, n) [CP_ACCT_R_##e] = n,
#include "../alloc/alloc_end_reasons.def"
#undef CP_ALLOC_END_REASON
		[CP_ACCT_R_AGW] = "agw",
	};

	return reason < CP_ACCT_R__COUNT ? names[reason] : "?";
}

int
cp_acct_uuid(char out[37])
{
	uint8_t b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);   /* RFC 9562 §5.4: version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);   /* variant 10 */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6],
		 b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

void
cp_acct_rfc3339(uint64_t unix_ms, char out[32])
{
	time_t s = (time_t)(unix_ms / 1000u);
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL) {
		snprintf(out, 32, "1970-01-01T00:00:00.000Z");
		return;
	}
	/* (each field bounded, so the compiler sees that 24 bytes do) */
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
		 (unsigned int)(tm.tm_year + 1900) % 10000u, (unsigned int)(tm.tm_mon + 1) % 100u,
		 (unsigned int)tm.tm_mday % 100u, (unsigned int)tm.tm_hour % 100u,
		 (unsigned int)tm.tm_min % 100u, (unsigned int)tm.tm_sec % 100u,
		 (unsigned int)(unix_ms % 1000u));
}

/* What is written so far, and whether it all fitted. */
struct out {
	char *buf;
	size_t len, n;
	bool full;
};

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->full)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= o->len - o->n) {
		o->full = true;
		return;
	}
	o->n += (size_t)k;
}

/* A JSON string: quotes, backslashes and control bytes escaped (other
 * bytes as they are: a username is UTF-8 by RFC 8265). */
static void
put_str(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		size_t n;

		if (ch == '"' || ch == '\\') {
			put(o, "\\%c", ch);
		} else if (ch < 0x20 || ch == 0x7f) {
			put(o, "\\u%04x", ch);
		} else if (ch < 0x80) {
			put(o, "%c", ch);
		} else if ((n = tp_utf8_len((const unsigned char *)s, strnlen(s, 4))) > 0) {
			put(o, "%.*s", (int)n, s);
			s += n - 1;
		} else {
			/* not UTF-8 (a REST username is the client's bytes):
			 * the byte as the code point of its value, so the line
			 * stays JSON a strict parser takes */
			put(o, "\\u%04x", ch);
		}
	}
	put(o, "\"");
}

static void
put_ip(struct out *o, const struct ipc_addr *a)
{
	char ip[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	put(o, "\"%s\"", ip);
}

/* "IP:PORT", IPv6 in brackets (RFC 3986 §3.2.2) */
static void
put_ep(struct out *o, const struct ipc_addr *a)
{
	char ip[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	put(o, a->family == 6 ? "\"[%s]:%u\"" : "\"%s:%u\"", ip, a->port);
}

static void
put_time(struct out *o, const char *name, uint64_t ms)
{
	char t[32];

	cp_acct_rfc3339(ms, t);
	put(o, ",\"%s\":\"%s\"", name, t);
}

/* Termination i's part of r: t its description (profile 0: not known), s
 * its last figures. */
static void
rtp_leg(struct cp_acct_rec *r, unsigned int i, uint16_t serial, uint8_t profile, uint8_t flags,
	uint16_t rtcp_port, uint16_t dtls_profile, const struct ipc_addr *local,
	const struct ipc_addr *remote, const struct ipc_rtp_stats *s)
{
	struct cp_acct_rtp_leg *l = &r->rtp[i];

	l->serial = serial;
	l->dtls_profile = dtls_profile;
	l->profile = profile <= IPC_RTP_PROFILE_MAX ? profile : 0;
	l->mux = (flags & IPC_RTP_F_MUX) != 0;
	l->rtcp_port = l->mux ? 0 : rtcp_port;
	r->leg_local[i] = *local;
	/* where the media went: the latched source, else the signalled one */
	l->latched = (s->latched & IPC_RTP_LATCHED_RTP) != 0;
	r->leg_remote[i] = l->latched ? s->rtp_src : *remote;
	r->leg_in[i] = s->rtp_in_octets + s->rtcp_in_octets;
	r->leg_out[i] = s->rtp_out_octets + s->rtcp_out_octets;
	l->pkts_in = s->rtp_in + s->rtcp_in;
	l->pkts_out = s->rtp_out + s->rtcp_out;
	l->rtcp_in = s->rtcp_in;
	l->rtcp_out = s->rtcp_out;
	l->lost = s->lost;
	l->jitter_us = s->jitter_us;
	l->srtp_fail = s->srtp_fail;
	l->drop_stranger = s->drop_stranger;
	l->drop_malformed = s->drop_malformed;
	l->drop_policed = s->drop_policed;
	l->drop_mode = s->drop_mode;
	l->drop_no_dest = s->drop_no_dest;
}

/* Termination t (slot i of c) in r at its context's end; a BUNDLE
 * member's transport and security are its owner termination's (a
 * member has no port, ICE or DTLS of its own: it is keyed with the
 * owner's key), where owner is its owner's context. */
static void
rtp_term_leg(struct cp_acct_rec *r, const struct cp_agw_ctx *c, const struct cp_agw_ctx *owner,
	     unsigned int i, const struct ipc_rtp_event *e)
{
	const struct ipc_rtp_term *t = &c->rtp.term[i];
	const struct ipc_rtp_term *x = t;          /* the transport's termination */
	const struct cp_agw_rtp_dtls_st *dst = &c->rtp.dtls[i];
	struct ipc_rtp_stats st = e->st[i];

	if (t->bundle.role == IPC_RTP_BUNDLE_MEMBER && owner != NULL &&
	    owner->id == t->bundle.owner && t->bundle.owner_term <= 1 &&
	    owner->rtp.term[t->bundle.owner_term].bundle.role == IPC_RTP_BUNDLE_OWNER) {
		x = &owner->rtp.term[t->bundle.owner_term];
		dst = &owner->rtp.dtls[t->bundle.owner_term];
		/* (where its media went: the owner's latched source) */
		st.latched = owner->rtp.st[t->bundle.owner_term].latched;
		st.rtp_src = owner->rtp.st[t->bundle.owner_term].rtp_src;
	}
	rtp_leg(r, i, t->serial, t->profile, t->flags, t->rtcp_port,
		x->dtls.role == IPC_RTP_DTLS_NONE ? 0 :
		dst->profile != 0 ? dst->profile : CP_AGW_RTP_DTLS_NO_PROFILE,
		&x->local, &x->remote, &st);
}

bool
cp_acct_rtp_rec(struct cp_acct_rec *r, const struct cp_agw_ctx *c,
		const struct cp_agw_ctx *owner, const struct ipc_rtp_event *e, const char *tenant,
		uint64_t end_ms)
{
	if (e->type != IPC_RTP_EV_RELEASED && e->type != IPC_RTP_EV_SUBTRACTED)
		return false;
	memset(r, 0, sizeof(*r));
	r->type = CP_ACCT_STOP;
	r->kind = CP_ACCT_AGW;
	r->media = CP_ACCT_MEDIA_RTP;
	r->door = c->door;
	r->session = c->id;
	r->reason = CP_ACCT_R_AGW;
	r->exact = true;
	r->has_pkts = true;
	snprintf(r->user, sizeof(r->user), "%s", c->label);
	snprintf(r->tenant, sizeof(r->tenant), "%s", tenant);
	snprintf(r->cause, sizeof(r->cause), "%s", ipc_agw_cause_name(e->cause));
	r->start_ms = c->created_wall_ms;
	r->end_ms = end_ms;
	if (e->type == IPC_RTP_EV_SUBTRACTED) {
		/* one termination, the context living on (or released next,
		 * with what is left): the slot is empty or another's now */
		unsigned int i = e->term & 1u;
		const struct cp_agw_rtp_gone *g = &c->rtp.gone[i];
		const struct cp_agw_rtp_gone none = { .serial = 0 };

		if (e->term > 1)
			return false;
		r->scope = CP_ACCT_SCOPE_TERMINATION;
		if (g->serial != e->serial)
			g = &none;
		rtp_leg(r, i, e->serial, g->profile, g->flags, g->rtcp_port, g->dtls_profile,
			&g->local, &g->remote, &e->st[i]);
	} else {
		r->scope = CP_ACCT_SCOPE_CONTEXT;
		for (unsigned int i = 0; i < 2; i++) {
			const struct ipc_rtp_term *t = &c->rtp.term[i];
			const struct cp_agw_rtp_gone *g = &c->rtp.gone[i];

			if (t->profile != IPC_RTP_NONE)
				rtp_term_leg(r, c, owner, i, e);
			else if (g->serial != 0 && e->st[i].serial == g->serial)
				/* subtracted, its SUBTRACTED never heard (dp
				 * restarted meanwhile): its figures are here */
				rtp_leg(r, i, g->serial, g->profile, g->flags, g->rtcp_port,
					g->dtls_profile, &g->local, &g->remote, &e->st[i]);
		}
	}
	/* leg 0 is the client's side (the UE's), as in a TCP context's */
	r->bytes_from_client = r->leg_in[0];
	r->bytes_to_client = r->leg_out[0];
	r->pkts_from_client = r->rtp[0].pkts_in;
	r->pkts_to_client = r->rtp[0].pkts_out;
	return true;
}

static void
put_rtp_leg(struct out *o, const struct cp_acct_rec *r, unsigned int i)
{
	static const char *const profiles[] = { "unknown", "RTP/AVP", "RTP/AVPF", "RTP/SAVP",
		"RTP/SAVPF" };
	const struct cp_acct_rtp_leg *l = &r->rtp[i];

	put(o, "{\"leg\":%u,\"serial\":%u,\"profile\":\"%s\",\"local\":", i, l->serial,
	    profiles[l->profile <= IPC_RTP_PROFILE_MAX ? l->profile : 0]);
	if (r->leg_local[i].family != 0)
		put_ep(o, &r->leg_local[i]);
	else
		put(o, "null");
	if (l->mux)
		put(o, ",\"rtcp_mux\":true");
	else
		put(o, ",\"rtcp_mux\":false,\"rtcp_port\":%u", l->rtcp_port);
	/* how its media were secured: SDES (RFC 4568), DTLS-SRTP (RFC 5764,
	 * the profile its handshake took), or not at all */
	if (l->dtls_profile == 0)
		put(o, ",\"secured\":\"%s\"", l->profile == IPC_RTP_SAVP ||
		    l->profile == IPC_RTP_SAVPF ? "sdes" : "none");
	else if (l->dtls_profile == CP_AGW_RTP_DTLS_NO_PROFILE)
		put(o, ",\"secured\":\"dtls-srtp\",\"srtp_profile\":null");
	else
		put(o, ",\"secured\":\"dtls-srtp\",\"srtp_profile\":\"%s\"",
		    cp_agw_rtp_dtls_profile_name(l->dtls_profile));
	put(o, ",\"remote\":");
	if (r->leg_remote[i].family != 0 && r->leg_remote[i].port != 0)
		put_ep(o, &r->leg_remote[i]);
	else
		put(o, "null");
	put(o, ",\"latched\":%s,\"transport\":\"udp\",\"bytes_in\":%llu,\"bytes_out\":%llu"
	    ",\"packets_in\":%llu,\"packets_out\":%llu,\"rtcp_packets_in\":%llu"
	    ",\"rtcp_packets_out\":%llu,\"lost\":%lld,\"jitter_us\":%u,\"srtp_failures\":%llu"
	    ",\"drops\":{\"stranger\":%llu,\"malformed\":%llu,\"policed\":%llu,\"mode\":%llu"
	    ",\"no_dest\":%llu}}", l->latched ? "true" : "false",
	    (unsigned long long)r->leg_in[i], (unsigned long long)r->leg_out[i],
	    (unsigned long long)l->pkts_in, (unsigned long long)l->pkts_out,
	    (unsigned long long)l->rtcp_in, (unsigned long long)l->rtcp_out, (long long)l->lost,
	    l->jitter_us, (unsigned long long)l->srtp_fail,
	    (unsigned long long)l->drop_stranger, (unsigned long long)l->drop_malformed,
	    (unsigned long long)l->drop_policed, (unsigned long long)l->drop_mode,
	    (unsigned long long)l->drop_no_dest);
}

int
cp_acct_format(const struct cp_acct_rec *r, char *buf, size_t len)
{
	static const char *const xport[] = { "udp", "tcp", "tls", "dtls" };
	struct out o = { .buf = buf, .len = len, .n = 0, .full = len == 0 };
	uint64_t dur = r->end_ms > r->start_ms ? r->end_ms - r->start_ms : 0;

	put(&o, "{\"id\":\"%s\",\"type\":\"%s\",\"kind\":\"%s\",\"session\":\"%llu\"",
	    r->id, r->type == CP_ACCT_INTERIM ? "interim" : "stop",
	    r->kind == CP_ACCT_AGW ? "agw" : "turn", (unsigned long long)r->session);
	put(&o, ",\"tenant\":");
	put_str(&o, r->tenant[0] != '\0' ? r->tenant : "default");
	put(&o, ",\"user\":");
	put_str(&o, r->user);
	put_time(&o, "start", r->start_ms);
	put_time(&o, r->type == CP_ACCT_INTERIM ? "time" : "end", r->end_ms);
	put(&o, ",\"duration\":%llu.%03llu", (unsigned long long)(dur / 1000u),
	    (unsigned long long)(dur % 1000u));
	if (r->kind == CP_ACCT_TURN) {
		put(&o, ",\"client\":{\"address\":");
		put_ip(&o, &r->client);
		put(&o, ",\"port\":%u,\"transport\":\"%s\"},\"server\":", r->client.port,
		    xport[r->transport < 4 ? r->transport : 0]);
		put_ep(&o, &r->server);
		put(&o, ",\"relayed\":[");
		for (unsigned int i = 0; i < r->nrelayed && i < 2; i++) {
			if (i > 0)
				put(&o, ",");
			put_ep(&o, &r->relayed[i]);
		}
		put(&o, "],\"relayed_transport\":\"%s\",\"max_bps\":%u",
		    r->relay_tcp ? "tcp" : "udp", r->max_bps);
	} else if (r->media == CP_ACCT_MEDIA_RTP) {
		put(&o, ",\"door\":\"%s\",\"media\":\"rtp\",\"scope\":\"%s\",\"legs\":[",
		    cp_agw_door_name(r->door),
		    r->scope == CP_ACCT_SCOPE_TERMINATION ? "termination" : "context");
		for (unsigned int i = 0; i < 2; i++) {
			if (r->rtp[i].serial == 0)
				continue;
			if (o.n > 0 && o.buf[o.n - 1] != '[')
				put(&o, ",");
			put_rtp_leg(&o, r, i);
		}
		put(&o, "]");
	} else {
		put(&o, ",\"door\":\"%s\",\"media\":\"tcp\",\"legs\":[",
		    cp_agw_door_name(r->door));
		for (unsigned int i = 0; i < 2; i++) {
			if (r->leg_local[i].family == 0)
				continue;
			if (o.n > 0 && o.buf[o.n - 1] != '[')
				put(&o, ",");
			put(&o, "{\"leg\":%u,\"local\":", i);
			put_ep(&o, &r->leg_local[i]);
			put(&o, ",\"remote\":");
			put_ep(&o, &r->leg_remote[i]);
			put(&o, ",\"transport\":\"%s\",\"bytes_in\":%llu,\"bytes_out\":%llu}",
			    r->leg_tls[i] ? "tls" : "tcp", (unsigned long long)r->leg_in[i],
			    (unsigned long long)r->leg_out[i]);
		}
		put(&o, "]");
	}
	put(&o, ",\"bytes_from_client\":%llu,\"bytes_to_client\":%llu",
	    (unsigned long long)r->bytes_from_client, (unsigned long long)r->bytes_to_client);
	if (r->has_pkts)
		put(&o, ",\"packets_from_client\":%llu,\"packets_to_client\":%llu",
		    (unsigned long long)r->pkts_from_client,
		    (unsigned long long)r->pkts_to_client);
	if (r->kind == CP_ACCT_TURN) {
		put(&o, ",\"peers\":[");
		for (unsigned int i = 0; i < r->npeers && i < CP_ACCT_PEERS_MAX; i++) {
			if (i > 0)
				put(&o, ",");
			put_ip(&o, &r->peers[i]);
		}
		put(&o, "]");
	}
	if (r->type == CP_ACCT_STOP) {
		put(&o, ",\"reason\":\"%s\"", r->kind == CP_ACCT_AGW && r->cause[0] != '\0' ?
		    r->cause : cp_acct_reason_name(r->reason));
		put(&o, ",\"exact\":%s", r->exact ? "true" : "false");
	}
	put(&o, "}\n");
	return o.full ? -ENOSPC : (int)o.n;
}
