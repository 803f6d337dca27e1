/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's commands: one action (Context=<id>{...}) of a request carried
 * out on cp/agw's contexts (cp_agw.h's C API, the operator API's too), its
 * replies written back.
 *
 * Names (iq_term.c): an H.248 context is an AGW context, a termination
 * one leg, "tcp/<leg>/<serial>".
 *
 * What a termination's descriptors mean (TS 29.334 §5.8, TS 23.334):
 *  - Media: one stream (Stream=1, or the stream's descriptors directly),
 *    LocalControl (Mode SendReceive only; ipnapt/latch; ipdc/realm naming
 *    the dp port by its name; ds/dscp, H.248.52, our packets' DSCP;
 *    tman/pol, sdr, mbs, H.248.53, the policing of what the peer sends),
 *    Local (what the controller asks of our
 *    side: a=setup our TCP role, `$` for our address, port and
 *    fingerprint) and Remote (the peer: its address, port, a=setup,
 *    fingerprints), as lib/sdp reads and judges them (sdp_derive()). The
 *    TLS role follows the TCP role (TS 23.334: an active peer makes the
 *    gateway the TLS server).
 *  - Events: g/cause (a termination's end with its cause, H.248.1 E.1),
 *    hangterm/thb (H.248.36), on TCP and RTP terminations, notified with
 *    the request id given; on RTP ones adid/ipstop and it/ito too; what a
 *    termination (or ROOT) cannot detect 512, by iq_events.def's table.
 *  - Signals: only an empty descriptor.
 * The reply to Add and Modify carries Local with every `$` filled (our
 * address, port, role and our certificate's fingerprint); Subtract's
 * carries the leg's statistics (nt/or, nt/os: octets received and sent;
 * nt/dur: ms) unless an empty Audit asks for none. A Subtract alone in
 * its request answers once dp told the leg's bytes as it left (IQ_DEFER:
 * the replies that wait are here, fed by cp/agw's events).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <stddef.h>
#include <strings.h>
#include <time.h>

#include "cp.h"
#include "agw/cp_agw.h"
#include "agw/cp_agw_rtp.h"
#include "certfp.h"
#include "iq_events.h"
#include "iq_internal.h"
#include "iq_props.h"
#include "iq_rtp.h"
#include "ipc.h"
#include "sdp.h"
#include "tp_log.h"

/* Commands in one action: more is refused (the profile leaves it open;
 * an AGW context has two terminations). */
#define IQ_CMDS_MAX 8u
/* The longest reply one command of ours takes (an Add's: Local with our
 * SDP and fingerprint is some 350 bytes) */
#define IQ_RES_MAX 640u

/* ---- names ------------------------------------------------------------------ */

/* The leg a termination name names in c: 0 or 1, -1 when none. */
static int term_leg(const struct cp_agw_ctx *c, const char *name, size_t len);

/* The H.248.8 code for a name that names no termination of c: 435 for
 * one of ours in another context (or gone), 430 for what we never name
 * so. */
static unsigned int
term_code(const char *name, size_t len)
{
	return len > 4 && (strncasecmp(name, "tcp/", 4) == 0 ||
			   strncasecmp(name, IQ_RTP_PREFIX, 4) == 0) ? H248_E_TERM_NOT_IN_CTX :
	       H248_E_UNKNOWN_TERM;
}

static int
term_leg(const struct cp_agw_ctx *c, const char *name, size_t len)
{
	unsigned int leg, serial;
	char buf[40];
	int n;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	/* (a controller may send it back in another case: megaco lowers
	 * every unquoted name) */
	/* (digits only: sscanf's %u takes signs and spaces too, and the name
	 * is echoed back in the reply) */
	if (strncasecmp(buf, "tcp/", 4) != 0 || strspn(buf + 4, "0123456789/") != len - 4 ||
	    sscanf(buf + 4, "%u/%u%n", &leg, &serial, &n) != 2 || (size_t)n + 4 != len || leg > 1 ||
	    c->tcp.leg_state[leg] == CP_AGW_LEG_EMPTY || c->tcp.term[leg].tcp_role == 0 ||
	    c->tcp.term[leg].serial != serial)
		return -1;
	return (int)leg;
}

/* ---- what a command carries --------------------------------------------------- */

struct iq_ev_req {
	bool set;                 /* an Events descriptor was given */
	bool has_rid;             /* with a request id (none: nothing asked) */
	uint32_t rid;
	uint32_t asked;           /* the events asked for (IQ_EV_BIT()) */
	/* RTP: media inactivity asked for (adid/ipstop, it/ito on a
	 * termination) and its silence */
	struct iq_rtp_ev iev;
};

/* H.248.40 adid/ipstop's detection time when the controller gives none:
 * ours, provisioned (a VoIP stream sends every 20 ms; comfort noise
 * every 160 ms at least) */
#define IQ_IPSTOP_DEFAULT_MS 30000u

/* Fail with code c and the sentence: IQ_FAIL from a command, the -1 of
 * the helpers returning 0 or -1. */
#define FAIL(f, c, ...) do { \
	(f)->code = (c); \
	snprintf((f)->text, sizeof((f)->text), __VA_ARGS__); \
	return IQ_FAIL; \
} while (0)

/* tman/pol ON with tman/sdr and no tman/mbs: a quarter second of the
 * rate, at least this (a few TCP segments and a TLS record: a burst
 * smaller than one read would pause the leg on every segment). */
#define IQ_TMAN_MBS_MIN 16384u

/* What m's ds and tman ask of the leg's DSCP and policing (a Modify
 * without them: nothing set). 0, or -1 with f set. */
static int
qos_of(const struct iq_media *m, struct cp_agw_leg_mod *q, struct iq_fail *f)
{
	q->dscp_set = m->dscp_set;
	q->dscp = m->dscp;
	if (!m->pol_set)
		return 0;                 /* (sdr, mbs without pol ON: not policed) */
	q->pol_set = true;
	if (!m->pol)
		return 0;                 /* OFF: none */
	if (!m->sdr_set)
		FAIL(f, H248_E_INFO_MISSING, "tman/pol ON needs tman/sdr (policing from the SDP's "
		     "bandwidth is not supported)");
	q->pol_rate = m->sdr;
	q->pol_burst = m->mbs_set ? m->mbs :
		       m->sdr / 4u > IQ_TMAN_MBS_MIN ? m->sdr / 4u : IQ_TMAN_MBS_MIN;
	return 0;
}

static int
octets_sdp(const struct h248_tree *t, const struct h248_node *n, struct sdp *out,
	   const char *which, struct iq_fail *f)
{
	char buf[SDP_SIZE_MAX + 1];
	struct sdp_error e;
	int len = h248_octets(t, n, buf, sizeof(buf));

	if (len == -ENOSPC)
		FAIL(f, H248_E_BAD_VALUE, "%s: the SDP is longer than %u bytes", which,
		     SDP_SIZE_MAX);
	if (len < 0)
		FAIL(f, H248_E_SYNTAX_CMD, "%s: no SDP", which);
	if (sdp_parse(buf, (size_t)len, out, &e) < 0)
		FAIL(f, iq_sdp_code(e.code), "%s: %s", which, e.msg);
	return 0;
}

/* One stream's descriptors (Stream=1{...} or Media's own). */
static int
stream_parms(const struct h248_tree *t, const struct h248_node *s, struct iq_media *m,
	     struct iq_fail *f)
{
	for (const struct h248_node *n = h248_child(t, s, H248_TOK_NONE); n != NULL;
	     n = h248_next(t, n, H248_TOK_NONE)) {
		switch (n->tok) {
		case H248_TOK_LOCAL:
			if (m->local)
				FAIL(f, H248_E_DESC_TWICE, "Local appears twice");
			if (octets_sdp(t, n, &m->l, "Local", f) < 0)
				return -1;
			m->local = true;
			break;
		case H248_TOK_REMOTE:
			if (m->remote)
				FAIL(f, H248_E_DESC_TWICE, "Remote appears twice");
			if (octets_sdp(t, n, &m->r, "Remote", f) < 0)
				return -1;
			m->remote = true;
			break;
		case H248_TOK_LOCALCONTROL:
			if (iq_props_read(t, n, IQ_DESC_LOCALCONTROL, m, f) < 0)
				return -1;
			break;
		case H248_TOK_STATISTICS:
		case H248_TOK_TERMINATIONSTATE:     /* (media_parms() judged it) */
		case H248_TOK_STREAM:
			break;
		default: {
			size_t nl;
			const char *nm = h248_name(t, n, &nl);

			FAIL(f, H248_E_UNKNOWN_DESC, "Media: %.*s is not supported", (int)nl, nm);
		}
		}
	}
	return 0;
}

static int
media_parms(const struct h248_tree *t, const struct h248_node *md, struct iq_media *m,
	    struct iq_fail *f)
{
	unsigned int streams = 0;

	for (const struct h248_node *n = h248_child(t, md, H248_TOK_NONE); n != NULL;
	     n = h248_next(t, n, H248_TOK_NONE)) {
		if (n->tok == H248_TOK_STREAM) {
			uint32_t sid;

			if (h248_value_u32(t, n, &sid) < 0 || sid != 1 || ++streams > 1)
				FAIL(f, H248_E_BAD_VALUE, "Stream: one stream (1) per TCP "
				     "termination");
			if (stream_parms(t, n, m, f) < 0)
				return -1;
		} else if (n->tok == H248_TOK_TERMINATIONSTATE) {
			if (iq_props_read(t, n, IQ_DESC_TERMSTATE, m, f) < 0)
				return -1;
		} else if (n->tok != H248_TOK_LOCAL && n->tok != H248_TOK_REMOTE &&
			   n->tok != H248_TOK_LOCALCONTROL && n->tok != H248_TOK_STATISTICS) {
			size_t nl;
			const char *nm = h248_name(t, n, &nl);

			FAIL(f, H248_E_UNKNOWN_DESC, "Media: %.*s is not supported", (int)nl, nm);
		}
	}
	/* descriptors directly under Media: walk them as one stream */
	if (streams == 0)
		return stream_parms(t, md, m, f);
	return 0;
}

/* The events of what a command asks that where (IQ_ON_*, what names
 * it) cannot detect: 512, the first of them named. 0, or -1 with f. */
static int
events_detected(const struct iq_ev_req *ev, unsigned int where, const char *what,
		struct iq_fail *f)
{
	enum iq_event e = iq_events_refused(ev->asked, where);

	if (e != IQ_EV_NONE)
		FAIL(f, H248_E_UNEQUIPPED_EVENT, "Events: %s is not detected on %s",
		     iq_event_name(e), what);
	return 0;
}

static int
events_parms(const struct h248_tree *t, const struct h248_node *e, struct iq_ev_req *ev,
	     bool root, struct cp_iq *q, struct iq_fail *f)
{
	if (ev->set)
		FAIL(f, H248_E_DESC_TWICE, "Events appears twice");
	ev->set = true;
	ev->asked = 0;
	memset(&ev->iev, 0, sizeof(ev->iev));
	if (h248_value_u32(t, e, &ev->rid) < 0) {
		if (e->child != H248_NONE)
			FAIL(f, H248_E_SYNTAX_CMD, "Events: a request id is needed");
		ev->rid = 0;     /* "Events" alone: none requested */
		return 0;
	}
	ev->has_rid = true;
	for (const struct h248_node *n = h248_child(t, e, H248_TOK_NONE); n != NULL;
	     n = h248_next(t, n, H248_TOK_NONE)) {
		size_t nl;
		const char *nm = h248_name(t, n, &nl);
		unsigned int code = 0;
		enum iq_event k = iq_event_of(nm, nl, &code);

		if (k == IQ_EV_NONE && code == H248_E_SYNTAX_CMD)
			FAIL(f, code, "Events: %.*s is not a package/event name", (int)nl, nm);
		if (k == IQ_EV_NONE && code == H248_E_UNKNOWN_PKG)
			FAIL(f, code, "Events: package of %.*s is not supported", (int)nl, nm);
		if (k == IQ_EV_NONE)
			FAIL(f, code, "Events: %.*s: no such event in its package", (int)nl, nm);
		ev->asked |= IQ_EV_BIT(k);
		if (k == IQ_EV_IPSTOP) {
			/* H.248.40: dt the silence (ms), dir which packets count:
			 * dp watches what arrives (in) */
			const struct h248_node *dt = h248_child_named(t, n, "dt");
			const struct h248_node *dir = h248_child_named(t, n, "dir");
			uint32_t v = IQ_IPSTOP_DEFAULT_MS;

			if (dt != NULL && (h248_value_u32(t, dt, &v) < 0 || v < 100u ||
					   v > 86400000u))
				FAIL(f, H248_E_BAD_VALUE, "adid/ipstop: dt is 100 to 86400000 (ms)");
			if (dir != NULL && !h248_value_is(t, dir, "in"))
				FAIL(f, H248_E_BAD_VALUE, "adid/ipstop: dir: only IN (what arrives "
				     "from the termination's network) is watched");
			ev->iev.which = IQ_RTP_IEV_IPSTOP;
			ev->iev.inact_ms = v;
		} else if (k == IQ_EV_ITO) {
			/* H.248.14: mit in units of 10 ms; absent, ours (60 s).
			 * At least 100 ms (a Notify each poll is no monitoring),
			 * at most a day. On ROOT the controller's silence, named
			 * on a termination its media's. */
			const struct h248_node *mit = h248_child_named(t, n, "mit");
			uint32_t v = 6000u;

			if (mit != NULL && (h248_value_u32(t, mit, &v) < 0 || v < 10u ||
					    v > 8640000u))
				FAIL(f, H248_E_BAD_VALUE, "it/ito: mit is 10 to 8640000 (10 ms "
				     "units)");
			ev->iev.which = IQ_RTP_IEV_ITO;
			ev->iev.inact_ms = v * 10u;
		}
	}
	/* (a termination's kind is known once its Media is read: judged
	 * there) */
	if (!root)
		return 0;
	if (events_detected(ev, IQ_ON_ROOT, "ROOT", f) < 0)
		return -1;
	if (ev->asked & IQ_EV_BIT(IQ_EV_ITO)) {
		q->mit_ms = ev->iev.inact_ms;
		q->it_rid = ev->rid;
	}
	memset(&ev->iev, 0, sizeof(ev->iev));
	return 0;
}

/* ---- our side ----------------------------------------------------------------- */

/*
 * Our address for a termination of family fam: the realm's port (by
 * name), else the one dp reaches the remote from (cp_agw_route_src()),
 * else the first port of the access role (a UE's side), else the first
 * port of the family. 0, or -1 with f set.
 */
static int
pick_local(const struct tp_conf *conf, uint8_t fam, const char *realm, const uint8_t *remote,
	   uint8_t *out, struct iq_fail *f)
{
	const struct tp_conf_port *first = NULL, *access = NULL;

	if (realm[0] == '\0' && remote != NULL && cp_agw_route_src(conf, fam, remote, out))
		return 0;
	for (unsigned int i = 0; i < conf->dp.nports; i++) {
		const struct tp_conf_port *p = &conf->dp.ports[i];

		if (!(fam == 4 ? p->has_ip4 : p->has_ip6))
			continue;
		if (realm[0] != '\0' && strcmp(p->name, realm) == 0) {
			memcpy(out, fam == 4 ? p->ip4 : p->ip6, fam == 4 ? 4 : 16);
			return 0;
		}
		if (first == NULL)
			first = p;
		if (access == NULL && (p->roles & TP_ROLE_ACCESS))
			access = p;
	}
	if (realm[0] != '\0')
		FAIL(f, H248_E_BAD_VALUE, "ipdc/realm %s: no dp port of that name with an IPv%u "
		     "address", realm, fam);
	if (access != NULL)
		first = access;
	if (first == NULL)
		FAIL(f, H248_E_RESOURCES, "no dp port has an IPv%u address", fam);
	memcpy(out, fam == 4 ? first->ip4 : first->ip6, fam == 4 ? 4 : 16);
	return 0;
}

static uint8_t
fam_of(uint8_t af)
{
	return af == AF_INET6 ? 6 : 4;
}

/*
 * H.248.43's gate on a server termination's remote source: gm/saf ON
 * takes connections from gm/sam (else Remote's address) only, OFF from
 * any address (the first connection, or with TLS the first whose
 * certificate matches); gm/spf ON from gm/spr (else Remote's port) only,
 * OFF from any port. r is the remote as Remote gave it. 0, or -1 with f.
 */
static int
gm_apply(const struct iq_media *m, uint8_t fam, struct ipc_addr *r, struct iq_fail *f)
{
	if (m->sam_fam != 0 && m->sam_fam != fam)
		FAIL(f, H248_E_CONFLICT,
		     "gm/sam is of another address family than the termination");
	if (m->saf_set && !m->saf) {
		memset(r, 0, sizeof(*r));
		return 0;
	}
	if (m->saf_set && m->sam_fam != 0) {
		r->family = fam;
		memcpy(r->ip, m->sam, 16);
	}
	if (m->saf_set && r->family == 0)
		FAIL(f, H248_E_INFO_MISSING, "gm/saf ON: the address to filter on is needed "
		     "(gm/sam or Remote's c=)");
	if (m->spf_set && m->spf) {
		if (r->family == 0)
			FAIL(f, H248_E_INFO_MISSING, "gm/spf ON: filters on a port of a known "
			     "remote address");
		if (m->spr != 0)
			r->port = m->spr;
		if (r->port == 0)
			FAIL(f, H248_E_INFO_MISSING, "gm/spf ON: the port to filter on is needed "
			     "(gm/spr or Remote's port)");
	} else if (m->spf_set) {
		r->port = 0;
	}
	return 0;
}

/*
 * One termination's spec from its Local and Remote (an Add: both roles
 * decided here). 0, or -1 with f set.
 */
static int
spec_of(struct cp_ctx *cp, const struct iq_media *m, struct cp_agw_leg_spec *sp,
	struct sdp_term *st, struct iq_fail *f)
{
	struct ipc_agw_term *t = &sp->term;
	struct sdp_error e;
	uint8_t fam;
	bool latch;

	memset(sp, 0, sizeof(*sp));
	if (!m->local && !m->remote)
		FAIL(f, H248_E_NO_LOCAL_REMOTE, "Missing Remote or Local Descriptor: a TCP "
		     "termination needs its SDP (m=message or m=application over TCP)");
	if (sdp_derive(m->local ? &m->l : NULL, m->remote ? &m->r : NULL, 0, st, &e) < 0)
		FAIL(f, iq_sdp_code(e.code), "%s", e.msg);
	if (st->role == SDP_ROLE_NONE)
		FAIL(f, H248_E_BAD_VALUE, "a=setup:holdconn: a termination without a connection is "
		     "not supported");
	t->tcp_role = st->role == SDP_ROLE_SERVER ? IPC_AGW_TCP_SERVER : IPC_AGW_TCP_CLIENT;
	t->tls_role = !st->tls ? IPC_AGW_TLS_NONE :
		      st->role == SDP_ROLE_SERVER ? IPC_AGW_TLS_SERVER : IPC_AGW_TLS_CLIENT;
	fam = st->local_family != 0 ? fam_of(st->local_family) :
	      st->remote_family != 0 ? fam_of(st->remote_family) : 4;
	if (st->remote_family != 0 && fam_of(st->remote_family) != fam)
		FAIL(f, H248_E_CONFLICT, "Local and Remote are of different address families");
	latch = t->tcp_role == IPC_AGW_TCP_SERVER && m->latch_set && m->latch;
	if (st->remote_known && st->remote_family != 0 &&
	    !(latch && t->tls_role != IPC_AGW_TLS_NONE)) {
		/* a server leg binds to the peer the controller observed (its
		 * address: a peer that connects signals no port). A plain one
		 * latching (H.248.37) keeps it too, latching the port only:
		 * the first connection from anywhere would be whoever swept
		 * agw.ports first. A TLS one latches onto whoever proves to be
		 * the peer: the certificate decides. */
		t->remote.family = fam;
		memcpy(t->remote.ip, st->remote_ip, 16);
		t->remote.port = st->remote_port;
	}
	if (t->tcp_role == IPC_AGW_TCP_SERVER && gm_apply(m, fam, &t->remote, f) < 0)
		return -1;
	if (t->tcp_role == IPC_AGW_TCP_CLIENT && (t->remote.family == 0 || t->remote.port == 0))
		FAIL(f, H248_E_INFO_MISSING, "Remote: an active termination needs the peer's "
		     "address and port");
	t->local.family = fam;
	if (!st->local_addr_choose) {
		memcpy(t->local.ip, st->local_ip, 16);
	} else if (t->tcp_role == IPC_AGW_TCP_SERVER || m->realm[0] != '\0') {
		if (pick_local(cp->conf, fam, m->realm, t->remote.family != 0 ? t->remote.ip : NULL,
			       t->local.ip, f) < 0)
			return -1;
	} else {
		t->local.family = 0;      /* a client's: the route's */
	}
	if (t->tcp_role == IPC_AGW_TCP_SERVER)
		t->local.port = st->local_port_choose ? 0 : st->local_port;
	t->nfp = st->nfp;
	for (unsigned int k = 0; k < st->nfp; k++) {
		t->fp[k].alg = st->fp[k].alg;
		t->fp[k].len = st->fp[k].len;
		memcpy(t->fp[k].md, st->fp[k].md, sizeof(t->fp[k].md));
	}
	/* latching without TLS nor a Remote address to keep, or the gate
	 * opened (gm/saf OFF): the first connection from anywhere (what the
	 * controller asked for, knowingly); with TLS the certificate decides */
	sp->accept_any = t->tcp_role == IPC_AGW_TCP_SERVER && t->tls_role == IPC_AGW_TLS_NONE &&
			 t->remote.family == 0 && (latch || (m->saf_set && !m->saf));
	return 0;
}

/* Our Local for the reply: every `$` filled. */
static int
answer_sdp(struct cp_ctx *cp, const struct cp_agw_ctx *c, unsigned int leg,
	   const struct sdp_term *st, char *buf, size_t size)
{
	const struct ipc_agw_term *t = &c->tcp.term[leg];
	struct sdp_answer a = {
		.family = t->local.family == 6 ? AF_INET6 : AF_INET,
		.media = st->media,
		.proto = st->proto,
		.setup = t->tcp_role == IPC_AGW_TCP_SERVER ? SDP_SETUP_PASSIVE : SDP_SETUP_ACTIVE,
		.connection = SDP_CONNECTION_NEW,
		.port = t->tcp_role == IPC_AGW_TCP_SERVER ? t->local.port : 0,
		.sess_id = c->id,
		.sess_version = t->serial,
	};
	struct certfp fp;

	memcpy(a.ip, t->local.ip, 16);
	if (t->local.family == 0) {
		/* a client leg from the route's address */
		uint8_t fam = t->remote.family;
		struct iq_fail f;

		a.family = fam == 6 ? AF_INET6 : AF_INET;
		if (pick_local(cp->conf, fam, "", t->remote.ip, a.ip, &f) < 0)
			return -1;
	}
	if (t->tls_role != IPC_AGW_TLS_NONE) {
		const char *s = cp->agw->fp[t->cred][1];     /* sha-256 */
		const char *why;

		if (s[0] == '\0' || certfp_parse(s, strlen(s), &fp, &why) < 0)
			return -1;
		a.fp = &fp;
		a.nfp = 1;
	}
	return sdp_write(&a, buf, size);
}

/* ---- the commands ------------------------------------------------------------ */



/* What one command did, for the reply. */
struct iq_res {
	uint16_t verb;                /* enum h248_tok */
	uint8_t leg;
	bool root;
	bool local;                   /* write Local (sdp) */
	bool stats;                   /* write Statistics */
	bool wild;                    /* W- Subtract of the context */
	uint16_t err;                 /* an optional command's failure (O-) */
	char err_text[200];
	char term[40];
	char sdp[2048];
	uint64_t bytes_in, bytes_out, dur_ms;
	bool rtp;                     /* the statistics are st's (an RTP termination) */
	struct ipc_rtp_stats st;
};

struct iq_action {
	struct cp_ctx *cp;
	struct cp_iq *q;
	const struct h248_tree *t;
	uint32_t h248;                /* the context (CHOOSE until an Add made it) */
	struct cp_agw_ctx *c;         /* its context in cp/agw, of either kind */
	bool emergency;               /* the action's context is an emergency one */
	uint64_t now_ms;
	struct iq_defer *defer;       /* where a reply may wait (NULL: none) */
	unsigned int nres;
	struct iq_res res[IQ_CMDS_MAX];
	struct iq_fail fail;
};

_Static_assert(sizeof(struct iq_action) <= IQ_ACTION_SIZE, "IQ_ACTION_SIZE");

/* The action's context holds RTP terminations, or TCP ones: what H.248
 * says of a termination (its media, its events, its statistics) is its
 * kind's. */
static bool
ctx_rtp(const struct iq_action *a)
{
	return a->c != NULL && a->c->kind == CP_AGW_KIND_RTP;
}

static bool
ctx_tcp(const struct iq_action *a)
{
	return a->c != NULL && a->c->kind == CP_AGW_KIND_TCP;
}

static unsigned int
agw_code(int rc)
{
	switch (rc) {
	case -ENOSPC:
		return H248_E_RESOURCES;
	case -ENOENT:
		return H248_E_TERM_NOT_IN_CTX;
	case -EBUSY:
		return H248_E_RESOURCES;     /* (the port asked for is taken) */
	case -EAGAIN:
		return H248_E_BUSY;
	case -ENODEV:
		return H248_E_UNAVAILABLE;
	case -ESHUTDOWN:
		return H248_E_UNKNOWN_CTX;
	default:
		return H248_E_BAD_VALUE;
	}
}

/* A termination's memo (iq_memo) from its old one (NULL: none) and what
 * a command said: an Events descriptor replaces the events requested, a
 * TerminationState's timerx the period. */
static void
memo_of(const uint8_t *old, const struct iq_ev_req *ev, const struct iq_media *m, uint8_t *raw)
{
	struct iq_memo mm = { 0 };

	if (old != NULL)
		iq_memo_read(old, &mm);
	if (ev->set) {
		mm.rid = ev->rid;
		mm.flags = (uint16_t)((mm.flags & IQ_MEMO_TIMERX) |
				      ((ev->asked & IQ_EV_BIT(IQ_EV_CAUSE)) ? IQ_MEMO_CAUSE : 0u) |
				      ((ev->asked & IQ_EV_BIT(IQ_EV_THB)) ? IQ_MEMO_THB : 0u) |
				      (ev->iev.which == IQ_RTP_IEV_IPSTOP ? IQ_MEMO_IPSTOP : 0u) |
				      (ev->iev.which == IQ_RTP_IEV_ITO ? IQ_MEMO_ITO : 0u) |
				      ((ev->asked & IQ_EV_BIT(IQ_EV_ICE_CCR)) ? IQ_MEMO_ICE_CCR : 0u) |
				      ((ev->asked & IQ_EV_BIT(IQ_EV_ICE_CFL)) ? IQ_MEMO_ICE_CFL : 0u) |
				      ((ev->asked & IQ_EV_BIT(IQ_EV_DTLS_EST)) ? IQ_MEMO_DTLS_EST :
				       0u) |
				      ((ev->asked & IQ_EV_BIT(IQ_EV_DTLS_FAIL)) ? IQ_MEMO_DTLS_FAIL :
				       0u));
		if (!(mm.flags & IQ_MEMO_EVENTS))
			mm.rid = 0;
	}
	if (m->timerx_set) {
		mm.timerx_s = m->timerx;
		mm.flags |= IQ_MEMO_TIMERX;
	}
	iq_memo_write(&mm, raw);
}

/* ---- RTP terminations (iq_rtp.c maps; cp/agw's RTP API makes) ------------- */

/* The slot an RTP termination name names in c: 0 or 1, -1 when none. */
static int
rtp_term_of(const struct cp_agw_ctx *c, const char *name, size_t len)
{
	unsigned int term, serial;
	char buf[40];
	int n;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (strncasecmp(buf, IQ_RTP_PREFIX, 4) != 0 || strspn(buf + 4, "0123456789/") != len - 4 ||
	    sscanf(buf + 4, "%u/%u%n", &term, &serial, &n) != 2 || (size_t)n + 4 != len ||
	    term > 1 || c->rtp.term[term].profile == IPC_RTP_NONE ||
	    c->rtp.term[term].serial != serial)
		return -1;
	return (int)term;
}

/* cp/agw's refusal of an RTP termination as H.248.8 names it. */
static unsigned int
rtp_agw_code(int rc)
{
	switch (rc) {
	case -ENODEV:
		return H248_E_MEDIA_TYPE;     /* (no agw.media_ports: RTP is not offered) */
	case -EOPNOTSUPP:
		return H248_E_BAD_VALUE;
	case -EACCES:
		return H248_E_BAD_VALUE;
	case -EKEYREJECTED:
		/* an a=crypto key of Local or Remote that the keys rule refuses
		 * (equal to another key of the context's, or used there before):
		 * H.248.8's "incorrect parameter or property value", as for a
		 * suite it does not know; 473 (conflicting values) is for values
		 * that conflict within one request, which only Local's key equal
		 * to Remote's would be, and the same refusal keeps one code */
		return H248_E_BAD_VALUE;
	default:
		return agw_code(rc);
	}
}

/* Our a=crypto: the suites the gateway's SRTP takes (lib/sdp's 0: any it
 * knows; dp refuses an SRTP termination it cannot protect, cp/agw says
 * so) */
#define IQ_RTP_SUITES 0u

/* Our DTLS-SRTP lines of termination term, as cp/agw holds them (the one
 * rule of every door, cp_agw_rtp.h): our a=setup, our tls-id, the sha-256
 * fingerprint of the certificate generation the termination was given
 * (RFC 8122: sha-256 always, a digest under another hash reading as
 * another certificate in a later answer). 0 (d->fp.alg 0: no DTLS-SRTP),
 * or -1 with f. */
static int
rtp_dtls_ours(struct iq_action *a, unsigned int term, struct iq_rtp_dtls_ours *d,
	      struct iq_fail *f)
{
	const struct cp_agw_rtp_dtls_st *ds = &a->c->rtp.dtls[term];
	const struct ipc_dtls_cert *cert;

	memset(d, 0, sizeof(*d));
	if (ds->setup == 0)
		return 0;
	cert = cp_agw_rtp_dtls_cert(a->cp, a->c->rtp.term[term].dtls.cert_gen);
	if (cert == NULL)
		FAIL(f, H248_E_INTERNAL, "our DTLS certificate of generation %u is not known any "
		     "more (replaced twice since)", a->c->rtp.term[term].dtls.cert_gen);
	for (unsigned int k = 0; k < cert->nfp && k < IPC_AGW_FP_MAX; k++)
		if (cert->fp[k].alg == CERTFP_SHA256 && cert->fp[k].len <= sizeof(d->fp.md)) {
			d->fp.alg = cert->fp[k].alg;
			d->fp.len = cert->fp[k].len;
			memcpy(d->fp.md, cert->fp[k].md, cert->fp[k].len);
		}
	if (d->fp.alg == 0)
		FAIL(f, H248_E_INTERNAL, "our DTLS certificate has no sha-256 fingerprint");
	d->setup = ds->setup == CP_AGW_DTLS_OUR_ACTIVE ? SDP_SETUP_ACTIVE :
		   ds->setup == CP_AGW_DTLS_OUR_PASSIVE ? SDP_SETUP_PASSIVE : SDP_SETUP_ACTPASS;
	snprintf(d->tls_id, sizeof(d->tls_id), "%s", ds->tls_id);
	return 0;
}

/* An RTP termination's Add: into the context a->c, or a new one. */
static enum iq_run
rtp_add(struct iq_action *a, const struct iq_media *m, const struct iq_ev_req *ev,
	struct iq_res *r)
{
	struct cp_agw_rtp_spec sp;
	struct iq_rtp_spec rs;
	struct iq_rtp_dtls_ours dl;
	char err[200];
	unsigned int term = 0;
	int rc, len;

	if (ctx_tcp(a))
		FAIL(&a->fail, H248_E_MEDIA_TYPE, "this context's terminations are TCP: an RTP "
		     "termination goes into a context of its own");
	if (a->c != NULL && a->c->rtp.term[0].profile != IPC_RTP_NONE &&
	    a->c->rtp.term[1].profile != IPC_RTP_NONE)
		FAIL(&a->fail, H248_E_TOO_MANY_TERMS, "the context already has two terminations");
	if (events_detected(ev, IQ_ON_RTP, "an RTP termination", &a->fail) < 0)
		return IQ_FAIL;
	if (iq_rtp_spec(m, ev->set ? &ev->iev : NULL, IQ_RTP_SUITES, &rs, &a->fail) < 0)
		return IQ_FAIL;
	/* RFC 5763 §5: our DTLS-SRTP offer says actpass */
	if (rs.dtls.setup == CP_AGW_DTLS_OFFER &&
	    (rs.local_setup == SDP_SETUP_ACTIVE || rs.local_setup == SDP_SETUP_PASSIVE)) {
		bool act = rs.local_setup == SDP_SETUP_ACTIVE;

		explicit_bzero(&rs, sizeof(rs));
		FAIL(&a->fail, H248_E_BAD_VALUE, "Local's a=setup:%s with no Remote: our DTLS-SRTP "
		     "offer is a=setup:actpass (RFC 5763 section 5)", act ? "active" : "passive");
	}
	memset(&sp, 0, sizeof(sp));
	sp.term = rs.term;
	sp.side = CP_AGW_RTP_SIDE_ROUTE;
	sp.dtls = rs.dtls;
	if (rs.addr_choose && m->realm[0] != '\0' &&
	    pick_local(a->cp->conf, sp.term.local.family, m->realm, NULL, sp.term.local.ip,
		       &a->fail) < 0)
		goto fail;
	memo_of(NULL, ev, m, sp.term.memo);
	if (a->c == NULL) {
		struct cp_agw_spec two[2];

		memset(two, 0, sizeof(two));
		two[0].kind = two[1].kind = CP_AGW_KIND_RTP;
		two[0].rtp = sp;
		two[0].rtp.emergency = a->emergency;
		rc = cp_agw_create(a->cp, two, CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_IQ,
				   a->q->who.tenant, &a->c, err, sizeof(err));
		explicit_bzero(two, sizeof(two));
		if (rc < 0) {
			a->fail.code = rtp_agw_code(rc);
			snprintf(a->fail.text, sizeof(a->fail.text), "%s", err);
			goto fail;
		}
		a->h248 = iq_rtp_ctx_h248(a->cp, a->c->id);
		iq_rtp_seen(a->q, a->c->id, false);
		a->q->ctr.stats[IQ_STAT_CONTEXTS_ADDED]++;
	} else {
		struct cp_agw_spec one = { .kind = CP_AGW_KIND_RTP, .rtp = sp };

		rc = cp_agw_add(a->cp, &a->q->who, a->c->id, CP_AGW_ANY, &one, CP_AGW_SETUP_DEFAULT,
				&term, err, sizeof(err));
		explicit_bzero(&one, sizeof(one));
		if (rc < 0) {
			a->fail.code = rtp_agw_code(rc);
			snprintf(a->fail.text, sizeof(a->fail.text), "%s", err);
			goto fail;
		}
	}
	explicit_bzero(&sp, sizeof(sp));
	r->leg = (uint8_t)term;
	iq_term_name(a->c, term, r->term, sizeof(r->term));
	iq_events_touch(a->q, a->c, term);
	if (rtp_dtls_ours(a, term, &dl, &a->fail) < 0) {
		explicit_bzero(&rs, sizeof(rs));
		cp_agw_subtract(a->cp, &a->q->who, a->c->id, term, err, sizeof(err));
		return IQ_FAIL;
	}
	len = iq_rtp_answer(&rs, &a->c->rtp.term[term], &dl, a->c->id,
			    a->c->rtp.term[term].serial, r->sdp, sizeof(r->sdp));
	explicit_bzero(&rs, sizeof(rs));
	if (len < 0) {
		/* made, but its Local cannot be told: undo, say why */
		explicit_bzero(r->sdp, sizeof(r->sdp));
		cp_agw_subtract(a->cp, &a->q->who, a->c->id, term, err, sizeof(err));
		FAIL(&a->fail, H248_E_INTERNAL, "our Local SDP could not be written (%d)", len);
	}
	r->local = true;
	return IQ_DONE;
fail:
	explicit_bzero(&sp, sizeof(sp));
	explicit_bzero(&rs, sizeof(rs));
	return IQ_FAIL;
}

/* gm of a Modify without SDP: the termination's remote as it is. */
static void
rtp_gm_mod(const struct iq_media *m, const struct ipc_rtp_term *cur, struct cp_agw_rtp_mod *qm)
{
	qm->gm_set = true;
	qm->gm_addr = cur->gm_addr;
	qm->gm_plen = cur->gm_plen;
	qm->gm_port_lo = cur->gm_port_lo;
	qm->gm_port_hi = cur->gm_port_hi;
	if (m->saf_set && !m->saf) {
		memset(&qm->gm_addr, 0, sizeof(qm->gm_addr));
		qm->gm_plen = 0;
	} else if (m->saf_set) {
		qm->gm_addr = cur->remote;
		qm->gm_addr.port = 0;
		if (m->sam_fam != 0) {
			qm->gm_addr.family = m->sam_fam;
			memcpy(qm->gm_addr.ip, m->sam, 16);
		}
		qm->gm_plen = qm->gm_addr.family == 6 ? 128 : qm->gm_addr.family == 4 ? 32 : 0;
	}
	if (m->spf_set && !m->spf) {
		qm->gm_port_lo = qm->gm_port_hi = 0;
	} else if (m->spf_set) {
		qm->gm_port_lo = qm->gm_port_hi = m->spr != 0 ? m->spr : cur->remote.port;
	}
}

static enum iq_run
rtp_modify(struct iq_action *a, int term, const struct iq_media *m, const struct iq_ev_req *ev,
	   struct iq_res *r)
{
	const struct ipc_rtp_term *cur = &a->c->rtp.term[term];
	struct cp_agw_rtp_mod qm;
	struct iq_rtp_spec rs;
	struct iq_rtp_dtls_ours dl;
	struct ipc_addr remote;
	uint8_t memo[IPC_RTP_MEMO_LEN];
	char err[200], peer_ufrag[IPC_ICE_UFRAG_MAX + 1];
	bool ice_new = false;
	int rc;

	memset(&qm, 0, sizeof(qm));
	memset(&rs, 0, sizeof(rs));
	if (events_detected(ev, IQ_ON_RTP, "an RTP termination", &a->fail) < 0)
		return IQ_FAIL;
	if (m->local || m->remote) {
		if (!iq_rtp_media(m))
			FAIL(&a->fail, H248_E_MEDIA_TYPE, "an RTP termination stays RTP");
		if (iq_rtp_spec(m, ev->set ? &ev->iev : NULL, IQ_RTP_SUITES, &rs, &a->fail) < 0)
			return IQ_FAIL;
		/* what dp cannot change on a live termination */
		if (rs.term.profile != cur->profile ||
		    (rs.term.flags & IPC_RTP_F_MUX) != (cur->flags & IPC_RTP_F_MUX) ||
		    (!rs.port_choose && rs.term.local.port != 0 &&
		     rs.term.local.port != cur->local.port)) {
			explicit_bzero(&rs, sizeof(rs));
			FAIL(&a->fail, H248_E_BAD_VALUE, "Modify: an RTP termination's profile, "
			     "local port and rtcp-mux cannot change (Subtract it and Add another)");
		}
		/* DTLS-SRTP is the termination's keying from its Add to its end
		 * (cp/agw's rule: turning it on or off is a Subtract and an Add) */
		if ((cur->dtls.role != IPC_RTP_DTLS_NONE) != sdp_proto_dtls((enum sdp_proto)rs.proto)) {
			explicit_bzero(&rs, sizeof(rs));
			FAIL(&a->fail, H248_E_BAD_VALUE, "Modify: a termination's DTLS-SRTP (UDP/TLS/"
			     "RTP/SAVP(F)) or SDES keying cannot change (Subtract it and Add another)");
		}
		if (rs.remote_known) {
			remote = rs.term.remote;
			qm.remote = &remote;
			qm.remote_rtcp_set = true;
			qm.remote_rtcp = rs.term.remote_rtcp;
			if (rs.term.srtp_rx.key_len > 0)
				qm.srtp_rx = &rs.term.srtp_rx;
			if (rs.dtls.setup != CP_AGW_DTLS_OFF) {
				/* RFC 5763 §5: the answer to our actpass is active or
				 * passive */
				if (cur->dtls.role == IPC_RTP_DTLS_EITHER &&
				    rs.dtls.setup == CP_AGW_DTLS_PEER_ACTPASS) {
					explicit_bzero(&rs, sizeof(rs));
					FAIL(&a->fail, H248_E_BAD_VALUE, "Remote's a=setup:actpass "
					     "answering our actpass: the answerer picks active or "
					     "passive (RFC 5763 section 5)");
				}
				/* the association kept (RFC 8842 §5: the same
				 * fingerprints and tls-id) or started anew: cp/agw's */
				qm.dtls = &rs.dtls;
			}
			/* ICE, and DTLS-SRTP's association over an ICE restart */
			ice_new = iq_rtp_mod_ice(cur, &rs, &qm, peer_ufrag);
		}
		qm.mode_set = true;
		qm.mode = rs.term.mode;
		qm.clock_set = true;
		qm.clock_hz = rs.term.clock_hz;
		if (m->saf_set || m->spf_set) {
			qm.gm_set = true;
			qm.gm_addr = rs.term.gm_addr;
			qm.gm_plen = rs.term.gm_plen;
			qm.gm_port_lo = rs.term.gm_port_lo;
			qm.gm_port_hi = rs.term.gm_port_hi;
		}
	} else {
		if (m->mode_set) {
			qm.mode_set = true;
			qm.mode = iq_rtp_mode_of(m->mode);
		}
		if (m->saf_set || m->spf_set)
			rtp_gm_mod(m, cur, &qm);
		if (m->rtcpa_set && !m->rtcpa && !(cur->flags & IPC_RTP_F_MUX))
			FAIL(&a->fail, H248_E_BAD_VALUE, "rtcph/rtcpa OFF: RTCP is passed through on "
			     "its own port; without rtcp-mux that port cannot be left out");
	}
	if (m->latch_set) {
		qm.latch_set = true;
		qm.latch = m->latch ? IQ_RTP_LATCH : IPC_RTP_LATCH_OFF;
	}
	if (m->dscp_set) {
		qm.dscp_set = true;
		qm.dscp = m->dscp;
	}
	if (m->pol_set) {
		qm.pol_set = true;
		if (m->pol && !m->sdr_set) {
			explicit_bzero(&rs, sizeof(rs));
			FAIL(&a->fail, H248_E_INFO_MISSING, "tman/pol ON needs tman/sdr");
		}
		qm.pol_rate = m->pol ? m->sdr : 0;
		qm.pol_burst = !m->pol ? 0 : m->mbs_set ? m->mbs :
			       m->sdr / 4u > IQ_RTP_MBS_MIN ? m->sdr / 4u : IQ_RTP_MBS_MIN;
	}
	if (ev->set) {
		/* an Events descriptor replaces what was asked: no inactivity
		 * event, no watch */
		qm.inact_set = true;
		qm.inact_ms = ev->iev.inact_ms;
	}
	if (ev->set || m->timerx_set) {
		memo_of(cur->memo, ev, m, memo);
		qm.memo = memo;
	}
	rc = cp_agw_modify(a->cp, &a->q->who, a->c->id, (unsigned int)term,
			   &(struct cp_agw_mod){ .kind = CP_AGW_KIND_RTP, .rtp = qm }, err,
			   sizeof(err));
	if (rc < 0) {
		explicit_bzero(&rs, sizeof(rs));
		FAIL(&a->fail, rtp_agw_code(rc), "%s", err);
	}
	iq_events_touch(a->q, a->c, (unsigned int)term);
	/* our Local when Local was given, or when our ICE credentials are new
	 * (the controller must give them to the peer) */
	if (m->local || ice_new) {
		struct ipc_rtp_term t = a->c->rtp.term[term];

		if (rtp_dtls_ours(a, (unsigned int)term, &dl, &a->fail) < 0) {
			explicit_bzero(&t, sizeof(t));
			explicit_bzero(&rs, sizeof(rs));
			return IQ_FAIL;
		}
		/* (our key is the one the Add made: the answer repeats it) */
		rs.tag = rs.tag != 0 ? rs.tag : 1;
		if (iq_rtp_answer(&rs, &t, &dl, a->c->id, t.serial, r->sdp, sizeof(r->sdp)) > 0)
			r->local = true;
		explicit_bzero(&t, sizeof(t));
	}
	explicit_bzero(&rs, sizeof(rs));
	return IQ_DONE;
}

/* The sum of a context's two terminations' figures (W-Subtract=*). */
static void
rtp_sum(struct ipc_rtp_stats *out, const struct ipc_rtp_stats st[2])
{
	*out = st[0];
	out->rtp_in += st[1].rtp_in;
	out->rtp_in_octets += st[1].rtp_in_octets;
	out->rtp_out += st[1].rtp_out;
	out->rtp_out_octets += st[1].rtp_out_octets;
	out->rtcp_in_octets += st[1].rtcp_in_octets;
	out->rtcp_out_octets += st[1].rtcp_out_octets;
	out->lost = (st[0].lost > 0 ? st[0].lost : 0) + (st[1].lost > 0 ? st[1].lost : 0);
	out->jitter_us = st[0].jitter_us > st[1].jitter_us ? st[0].jitter_us : st[1].jitter_us;
}

static struct iq_defer *
rtp_defer(struct iq_action *a, const struct iq_res *r, int term, bool audit)
{
	struct iq_defer *d = a->defer;

	if (d == NULL || !r->stats)
		return NULL;
	memset(d, 0, sizeof(*d));
	d->rtp = true;
	d->audit = audit;
	d->leg = (int8_t)term;
	d->serial = term >= 0 ? a->c->rtp.term[term].serial : 0;
	d->h248 = a->h248;
	d->id = a->c->id;
	d->dur_ms = r->dur_ms;
	d->st = r->st;
	snprintf(d->term, sizeof(d->term), "%s", r->term);
	return d;
}

static enum iq_run
rtp_subtract(struct iq_action *a, const char *tid, size_t nl, struct iq_res *r)
{
	struct cp_agw_ctx *c = a->c;
	struct iq_defer *d;
	char err[200];
	uint16_t serial;
	int term, rc;

	r->rtp = true;
	r->dur_ms = a->now_ms - c->rtp.created_ms;
	if (nl == 1 && tid[0] == '*') {
		snprintf(r->term, sizeof(r->term), "*");
		r->wild = true;
		rtp_sum(&r->st, c->rtp.st);
		d = rtp_defer(a, r, -1, false);
		rc = cp_agw_release(a->cp, &a->q->who, c->id, err, sizeof(err));
		if (rc < 0)
			FAIL(&a->fail, rtp_agw_code(rc), "%s", err);
		/* (the controller asked: no g/cause of it) */
		for (unsigned int k = 0; k < 2; k++)
			if (iq_term_held(c, k))
				iq_events_silence(a->q, c, k, iq_term_serial(c, k));
		a->q->ctr.stats[IQ_STAT_CONTEXTS_SUBTRACTED]++;
		return d != NULL ? IQ_DEFER : IQ_DONE;
	}
	if ((term = rtp_term_of(c, tid, nl)) < 0)
		FAIL(&a->fail, term_code(tid, nl), "%.*s is not a termination of this context",
		     (int)nl, tid);
	snprintf(r->term, sizeof(r->term), "%.*s", (int)nl, tid);
	/* (its figures as last known: the Subtract's reply unless dp's final
	 * ones come, IQ_DEFER) */
	r->st = c->rtp.st[term];
	d = rtp_defer(a, r, term, false);
	serial = c->rtp.term[term].serial;
	rc = cp_agw_subtract(a->cp, &a->q->who, c->id, (unsigned int)term, err, sizeof(err));
	if (rc < 0)
		FAIL(&a->fail, rtp_agw_code(rc), "%s", err);
	/* (its slot is empty at once; dp's SUBTRACTED, later, is no end to
	 * tell) */
	iq_events_silence(a->q, c, (unsigned int)term, serial);
	return d != NULL ? IQ_DEFER : IQ_DONE;
}

static void rtp_stats_answer(struct cp_ctx *cp, uint64_t id, int rc,
			     const struct ipc_rtp_stats st[2], void *arg);

static enum iq_run
rtp_audit(struct iq_action *a, const char *tid, size_t nl, struct iq_res *r)
{
	struct iq_defer *d;
	char err[200];
	int term;

	if ((term = rtp_term_of(a->c, tid, nl)) < 0)
		FAIL(&a->fail, term_code(tid, nl), "%.*s is not a termination of this context",
		     (int)nl, tid);
	snprintf(r->term, sizeof(r->term), "%.*s", (int)nl, tid);
	r->leg = (uint8_t)term;
	r->stats = true;
	r->rtp = true;
	iq_events_touch(a->q, a->c, (unsigned int)term);
	r->st = a->c->rtp.st[term];
	r->dur_ms = a->now_ms - a->c->rtp.created_ms;
	/* alone in its request: dp's figures now, else what cp knew */
	d = rtp_defer(a, r, term, true);
	if (d != NULL && cp_agw_rtp_stats(a->cp, &a->q->who, a->c->id, rtp_stats_answer, a->q,
					  &d->req, err, sizeof(err)) == 0)
		return IQ_DEFER;
	return IQ_DONE;
}

/* What a TCP termination refuses of what an RTP one takes. 0, or -1. */
static int
tcp_only(const struct iq_media *m, const struct iq_ev_req *ev, struct iq_fail *f)
{
	/* a TCP splice has no one-way mode */
	if (m->mode_set && m->mode != H248_TOK_SENDRECV)
		FAIL(f, H248_E_MODE, "Mode: only SendReceive is supported on a TCP bearer");
	if (m->rtcpa_set)
		FAIL(f, H248_E_UNKNOWN_PROP, "LocalControl: rtcph/rtcpa is an RTP termination's");
	return events_detected(ev, IQ_ON_TCP, "a TCP termination", f);
}

static enum iq_run
cmd_add(struct iq_action *a, const struct h248_node *cmd, struct iq_res *r)
{
	struct cp_agw *g = a->cp->agw;
	struct iq_media m;
	struct iq_ev_req ev = { 0 };
	struct cp_agw_leg_spec sp;
	struct sdp_term st;
	char err[200];
	size_t nl;
	const char *tid = h248_value(a->t, cmd, &nl);
	unsigned int leg = 0;
	int rc;

	memset(&m, 0, sizeof(m));
	if (nl != 1 || tid[0] != '$')
		FAIL(&a->fail, H248_E_UNKNOWN_TERM, "Add: our terminations are ephemeral: name it "
		     "$ (we choose)");
	if (ctx_tcp(a) && a->c->tcp.leg_state[0] != CP_AGW_LEG_EMPTY &&
	    a->c->tcp.leg_state[1] != CP_AGW_LEG_EMPTY)
		FAIL(&a->fail, H248_E_TOO_MANY_TERMS, "the context already has two terminations");
	for (const struct h248_node *n = h248_child(a->t, cmd, H248_TOK_NONE); n != NULL;
	     n = h248_next(a->t, n, H248_TOK_NONE)) {
		if (n->tok == H248_TOK_MEDIA) {
			if (media_parms(a->t, n, &m, &a->fail) < 0)
				return IQ_FAIL;
		} else if (n->tok == H248_TOK_EVENTS) {
			if (events_parms(a->t, n, &ev, false, a->q, &a->fail) < 0)
				return IQ_FAIL;
		} else if (n->tok == H248_TOK_SIGNALS) {
			if (n->child != H248_NONE)
				FAIL(&a->fail, H248_E_UNKNOWN_DESC, "Signals: none is supported on "
				     "a TCP termination");
		} else if (n->tok == H248_TOK_AUDIT) {
			/* (what the reply carries is fixed: Local) */
		} else {
			const char *nm = h248_name(a->t, n, &nl);

			FAIL(&a->fail, H248_E_UNKNOWN_DESC, "Add: %.*s is not supported", (int)nl,
			     nm);
		}
	}
	if (iq_rtp_media(&m))
		return rtp_add(a, &m, &ev, r);
	if (ctx_rtp(a))
		FAIL(&a->fail, H248_E_MEDIA_TYPE, "this context's terminations are RTP: a TCP "
		     "termination goes into a context of its own");
	if (tcp_only(&m, &ev, &a->fail) < 0)
		return IQ_FAIL;
	if (spec_of(a->cp, &m, &sp, &st, &a->fail) < 0)
		return IQ_FAIL;
	memo_of(NULL, &ev, &m, sp.term.memo);
	{
		struct cp_agw_leg_mod q = { 0 };

		if (qos_of(&m, &q, &a->fail) < 0)
			return IQ_FAIL;
		sp.term.dscp = q.dscp;
		sp.term.pol_rate = q.pol_rate;
		sp.term.pol_burst = q.pol_burst;
	}
	if (a->c == NULL) {
		struct cp_agw_spec two[2];

		memset(two, 0, sizeof(two));
		two[0].kind = two[1].kind = CP_AGW_KIND_TCP;
		two[0].tcp = sp;
		/* the association's door and tenant (iq.tenant) */
		rc = cp_agw_create(a->cp, two, CP_AGW_SETUP_DEFAULT, NULL, CP_AGW_DOOR_IQ,
				   a->q->who.tenant, &a->c, err, sizeof(err));
		if (rc < 0)
			FAIL(&a->fail, agw_code(rc), "%s", err);
		a->h248 = iq_ctx_h248(g, a->c->id);
		a->q->ctr.stats[IQ_STAT_CONTEXTS_ADDED]++;
	} else {
		rc = cp_agw_add(a->cp, &a->q->who, a->c->id, CP_AGW_ANY,
				&(struct cp_agw_spec){ .kind = CP_AGW_KIND_TCP, .tcp = sp },
				CP_AGW_SETUP_DEFAULT, &leg, err, sizeof(err));
		if (rc < 0)
			FAIL(&a->fail, agw_code(rc), "%s", err);
	}
	iq_events_touch(a->q, a->c, leg);
	r->leg = (uint8_t)leg;
	iq_term_name(a->c, leg, r->term, sizeof(r->term));
	if (answer_sdp(a->cp, a->c, leg, &st, r->sdp, sizeof(r->sdp)) < 0) {
		/* made, but its Local cannot be told: undo, say why */
		cp_agw_subtract(a->cp, &a->q->who, a->c->id, leg, err, sizeof(err));
		FAIL(&a->fail, H248_E_INTERNAL, "our certificate's fingerprint is not known (the "
		     "tls group's certificate could not be read)");
	}
	r->local = true;
	return IQ_DONE;
}

static enum iq_run
cmd_modify(struct iq_action *a, const struct h248_node *cmd, struct iq_res *r, bool root)
{
	struct iq_media m;
	struct iq_ev_req ev = { 0 };
	struct cp_agw_leg_mod qm = { 0 };
	struct ipc_addr gm_remote;
	uint8_t memo[IPC_AGW_MEMO_LEN];
	size_t nl;
	const char *tid = h248_value(a->t, cmd, &nl);
	int leg = -1;
	char err[200];

	memset(&m, 0, sizeof(m));
	if (!root && (leg = ctx_rtp(a) ? rtp_term_of(a->c, tid, nl) : term_leg(a->c, tid, nl)) < 0)
		FAIL(&a->fail, term_code(tid, nl), "%.*s is not a termination of this context",
		     (int)nl, tid);
	for (const struct h248_node *n = h248_child(a->t, cmd, H248_TOK_NONE); n != NULL;
	     n = h248_next(a->t, n, H248_TOK_NONE)) {
		if (n->tok == H248_TOK_MEDIA && !root) {
			if (media_parms(a->t, n, &m, &a->fail) < 0)
				return IQ_FAIL;
		} else if (n->tok == H248_TOK_EVENTS) {
			if (events_parms(a->t, n, &ev, root, a->q, &a->fail) < 0)
				return IQ_FAIL;
		} else if (n->tok == H248_TOK_SIGNALS && n->child == H248_NONE) {
		} else if (n->tok == H248_TOK_AUDIT) {
		} else {
			const char *nm = h248_name(a->t, n, &nl);

			FAIL(&a->fail, H248_E_UNKNOWN_DESC, "Modify: %.*s is not supported%s",
			     (int)nl, nm, root ? " on ROOT" : "");
		}
	}
	r->root = root;
	snprintf(r->term, sizeof(r->term), "%.*s", (int)(nl < 39 ? nl : 39), tid);
	if (root) {
		snprintf(r->term, sizeof(r->term), "ROOT");
		if (ev.set && !ev.has_rid)
			a->q->mit_ms = 0;
		return IQ_DONE;
	}
	r->leg = (uint8_t)leg;
	if (ctx_rtp(a))
		return rtp_modify(a, leg, &m, &ev, r);
	if (tcp_only(&m, &ev, &a->fail) < 0)
		return IQ_FAIL;
	iq_events_touch(a->q, a->c, (unsigned int)leg);
	if (qos_of(&m, &qm, &a->fail) < 0)
		return IQ_FAIL;
	if (ev.set || m.timerx_set) {
		memo_of(a->c->tcp.term[leg].memo, &ev, &m, memo);
		qm.memo = memo;
	}
	if (!m.remote && !m.local && (m.saf_set || m.spf_set)) {
		/* the gate alone: a server termination's remote narrowed */
		const struct ipc_agw_term *cur = &a->c->tcp.term[leg];

		if (cur->tcp_role != IPC_AGW_TCP_SERVER)
			FAIL(&a->fail, H248_E_BAD_VALUE, "gm: filters the source of what connects "
			     "to us: a termination we connect from has none");
		if (m.saf_set && !m.saf)
			FAIL(&a->fail, H248_E_BAD_VALUE, "gm/saf OFF: opening a termination's gate "
			     "is for its Add, not a Modify");
		gm_remote = cur->remote;
		if (gm_apply(&m, cur->local.family, &gm_remote, &a->fail) < 0)
			return IQ_FAIL;
		qm.remote = &gm_remote;
	}
	if (!m.remote && !m.local && (qm.dscp_set || qm.pol_set || qm.memo != NULL ||
				      qm.remote != NULL)) {
		int rc = cp_agw_modify(a->cp, &a->q->who, a->c->id, (unsigned int)leg,
				       &(struct cp_agw_mod){ .kind = CP_AGW_KIND_TCP, .tcp = qm },
				       err, sizeof(err));

		if (rc < 0)
			FAIL(&a->fail, agw_code(rc), "%s", err);
	}
	if (m.remote || m.local) {
		const struct ipc_agw_term *cur = &a->c->tcp.term[leg];
		struct cp_agw_leg_spec sp;
		struct sdp_term st;
		struct ipc_addr remote;
		int rc;

		if (spec_of(a->cp, &m, &sp, &st, &a->fail) < 0)
			return IQ_FAIL;
		/* a termination keeps its roles and its local side: what may
		 * change is what the peer is (its address, its fingerprints) */
		if (sp.term.tcp_role != cur->tcp_role || sp.term.tls_role != cur->tls_role)
			FAIL(&a->fail, H248_E_CONFLICT, "Modify: the termination's TCP or TLS role "
			     "cannot change (Subtract it and Add another)");
		remote = sp.term.remote;
		qm.remote = remote.family != 0 ? &remote : NULL;
		qm.fp = sp.term.fp;
		qm.nfp = sp.term.nfp;
		rc = cp_agw_modify(a->cp, &a->q->who, a->c->id, (unsigned int)leg,
				   &(struct cp_agw_mod){ .kind = CP_AGW_KIND_TCP, .tcp = qm }, err,
				   sizeof(err));
		if (rc < 0)
			FAIL(&a->fail, agw_code(rc), "%s", err);
		if (m.local && answer_sdp(a->cp, a->c, (unsigned int)leg, &st, r->sdp,
					  sizeof(r->sdp)) > 0)
			r->local = true;
	}
	return IQ_DONE;
}

/* The request is this Subtract alone, and its statistics are asked for:
 * its reply may wait for dp's count of the leg's bytes (IQ_DEFER). The
 * wait as the caller keeps it, or NULL when the reply goes now. */
static struct iq_defer *
defer_stats(struct iq_action *a, const struct iq_res *r, int leg)
{
	struct iq_defer *d = a->defer;

	if (d == NULL || !r->stats)
		return NULL;
	memset(d, 0, sizeof(*d));
	d->leg = (int8_t)leg;
	d->serial = leg >= 0 ? a->c->tcp.term[leg].serial : 0;
	d->h248 = a->h248;
	d->id = a->c->id;
	d->dur_ms = r->dur_ms;
	d->bytes_in = r->bytes_in;
	d->bytes_out = r->bytes_out;
	snprintf(d->term, sizeof(d->term), "%s", r->term);
	return d;
}

static enum iq_run
cmd_subtract(struct iq_action *a, const struct h248_node *cmd, struct iq_res *r)
{
	size_t nl;
	const char *tid = h248_value(a->t, cmd, &nl);
	const struct h248_node *au = h248_child(a->t, cmd, H248_TOK_AUDIT);
	struct cp_agw_ctx *c = a->c;
	struct iq_defer *d;
	char err[200];
	int leg, rc;

	r->stats = au == NULL || au->child != H248_NONE;
	if (ctx_rtp(a))
		return rtp_subtract(a, tid, nl, r);
	r->dur_ms = (uint64_t)time(NULL) * 1000u - c->created_wall_ms;
	if (nl == 1 && tid[0] == '*') {
		/* the whole context (TS 29.334 5.10.5: W-Subtract=*) */
		snprintf(r->term, sizeof(r->term), "*");
		r->wild = true;
		for (unsigned int k = 0; k < 2; k++) {
			r->bytes_in += c->tcp.bytes_in[k];
			r->bytes_out += c->tcp.bytes_out[k];
		}
		d = defer_stats(a, r, -1);
		rc = cp_agw_release(a->cp, &a->q->who, c->id, err, sizeof(err));
		if (rc < 0)
			FAIL(&a->fail, agw_code(rc), "%s", err);
		for (unsigned int k = 0; k < 2; k++)
			if (c->tcp.term[k].tcp_role != 0)
				iq_events_silence(a->q, c, k, c->tcp.term[k].serial);
		a->q->ctr.stats[IQ_STAT_CONTEXTS_SUBTRACTED]++;
		return d != NULL ? IQ_DEFER : IQ_DONE;
	}
	if ((leg = term_leg(c, tid, nl)) < 0)
		FAIL(&a->fail, term_code(tid, nl), "%.*s is not a termination of this context",
		     (int)nl, tid);
	snprintf(r->term, sizeof(r->term), "%.*s", (int)nl, tid);
	r->bytes_in = c->tcp.bytes_in[leg];
	r->bytes_out = c->tcp.bytes_out[leg];
	d = defer_stats(a, r, leg);
	rc = cp_agw_subtract(a->cp, &a->q->who, c->id, (unsigned int)leg, err, sizeof(err));
	if (rc < 0)
		FAIL(&a->fail, agw_code(rc), "%s", err);
	iq_events_silence(a->q, c, (unsigned int)leg, c->tcp.term[leg].serial);
	return d != NULL ? IQ_DEFER : IQ_DONE;
}

static enum iq_run
cmd_audit(struct iq_action *a, const struct h248_node *cmd, struct iq_res *r, bool root)
{
	size_t nl;
	const char *tid = h248_value(a->t, cmd, &nl);
	int leg;

	if (root) {
		/* the controller's liveness probe (TS 29.334 5.12.3): an empty
		 * answer says we are here */
		snprintf(r->term, sizeof(r->term), "ROOT");
		r->root = true;
		return IQ_DONE;
	}
	if (ctx_rtp(a))
		return rtp_audit(a, tid, nl, r);
	if ((leg = term_leg(a->c, tid, nl)) < 0)
		FAIL(&a->fail, term_code(tid, nl), "%.*s is not a termination of this context",
		     (int)nl, tid);
	snprintf(r->term, sizeof(r->term), "%.*s", (int)nl, tid);
	r->leg = (uint8_t)leg;
	r->stats = true;
	iq_events_touch(a->q, a->c, (unsigned int)leg);
	r->bytes_in = a->c->tcp.bytes_in[leg];
	r->bytes_out = a->c->tcp.bytes_out[leg];
	r->dur_ms = (uint64_t)time(NULL) * 1000u - a->c->created_wall_ms;
	return IQ_DONE;
}

/* A ServiceChange from the controller on ROOT: HandOff to another of
 * ours (iq_assoc.c acts once the reply went); others are answered. */
static enum iq_run
cmd_service_change(struct iq_action *a, const struct h248_node *cmd, struct iq_res *r)
{
	const struct h248_node *sv = h248_child(a->t, cmd, H248_TOK_SERVICES);
	const struct h248_node *mt = sv != NULL ? h248_child(a->t, sv, H248_TOK_METHOD) : NULL;

	if (mt == NULL)
		FAIL(&a->fail, H248_E_SYNTAX_CMD, "ServiceChange: no Method");
	snprintf(r->term, sizeof(r->term), "ROOT");
	r->root = true;
	if (h248_value_tok(a->t, mt) == H248_TOK_HANDOFF) {
		const struct h248_node *mg = h248_child(a->t, sv, H248_TOK_MGCIDTOTRY);
		size_t n;
		const char *v = mg != NULL ? h248_value(a->t, mg, &n) : NULL;

		if (v == NULL || iq_handoff(a->q, v, n, a->now_ms) < 0)
			FAIL(&a->fail, H248_E_BAD_VALUE, "ServiceChange HandOff: MgcIdToTry must "
			     "name another controller of iq.mgc");
	}
	return IQ_DONE;
}

/* ---- replies that wait ------------------------------------------------------ */

/* A waiting Subtract's reply, with the bytes dp counted (or what cp
 * knew, when its time is up). */
static void
defer_done(struct cp_iq *q, struct iq_defer *d, uint64_t bytes_in, uint64_t bytes_out,
	   uint64_t now_ms)
{
	struct h248_w w;
	char v[24];
	int len;

	h248_w_init(&w, q->tx, sizeof(q->tx));
	h248_w_header(&w, IQ_VERSION, q->conf->mid);
	h248_w_reply(&w, d->tid, 0, false, false);
	h248_w_context(&w, d->h248);
	if (d->leg < 0)
		h248_w_open_name(&w, "W-Subtract", d->term);
	else
		h248_w_open(&w, d->audit ? H248_TOK_AUDITVALUE : H248_TOK_SUBTRACT, d->term);
	h248_w_open(&w, H248_TOK_STATISTICS, NULL);
	if (d->rtp) {
		iq_rtp_stats_write(&w, &d->st, d->dur_ms);
	} else {
		snprintf(v, sizeof(v), "%" PRIu64, bytes_in);
		h248_w_item_name(&w, "nt/or", '=', v);
		snprintf(v, sizeof(v), "%" PRIu64, bytes_out);
		h248_w_item_name(&w, "nt/os", '=', v);
		snprintf(v, sizeof(v), "%" PRIu64, d->dur_ms);
		h248_w_item_name(&w, "nt/dur", '=', v);
	}
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	h248_w_close(&w);
	len = h248_w_finish(&w);
	d->used = false;
	if (len < 0)
		return;
	/* (it may go while another message is answered: an event of
	 * cp/agw's that one's commands set off) */
	{
		struct iq_answer keep = q->ans;

		iq_answering(q, d->in_len, false, now_ms);
		iq_send_reply(q, d->peer, d->src, d->tid, (size_t)len, now_ms);
		q->ans = keep;
	}
}

void
iq_defer_event(struct cp_iq *q, const struct cp_agw_ctx *c, const struct ipc_agw_event *e,
	       uint64_t now_ms)
{
	/* a Subtract waiting for this leg's (or context's) last bytes */
	for (unsigned int i = 0; i < IQ_DEFER_MAX; i++) {
		struct iq_defer *d = &q->defer[i];

		if (!d->used || d->rtp || d->id != c->id)
			continue;
		if (d->leg >= 0 && e->leg == (uint8_t)d->leg && e->serial == d->serial &&
		    (e->type == IPC_AGW_EV_SUBTRACTED || e->type == IPC_AGW_EV_LEG_DOWN))
			defer_done(q, d, e->bytes_in[d->leg], e->bytes_out[d->leg], now_ms);
		else if (e->type == IPC_AGW_EV_RELEASED)
			defer_done(q, d, d->leg >= 0 ? e->bytes_in[d->leg] :
					 e->bytes_in[0] + e->bytes_in[1],
				   d->leg >= 0 ? e->bytes_out[d->leg] :
					 e->bytes_out[0] + e->bytes_out[1], now_ms);
	}
}

void
iq_defer_rtp_event(struct cp_iq *q, const struct cp_agw_ctx *c, const struct ipc_rtp_event *e,
		   uint64_t now_ms)
{
	/* a Subtract waiting for its termination's (or context's) final
	 * figures */
	for (unsigned int i = 0; i < IQ_DEFER_MAX; i++) {
		struct iq_defer *d = &q->defer[i];

		if (!d->used || !d->rtp || d->audit || d->id != c->id)
			continue;
		if (d->leg >= 0 && e->type == IPC_RTP_EV_SUBTRACTED && e->term == (uint8_t)d->leg &&
		    e->serial == d->serial) {
			d->st = e->st[d->leg];
			defer_done(q, d, 0, 0, now_ms);
		} else if (e->type == IPC_RTP_EV_RELEASED) {
			if (d->leg >= 0)
				d->st = e->st[d->leg];
			else
				rtp_sum(&d->st, e->st);
			defer_done(q, d, 0, 0, now_ms);
		}
	}
}

/* cp_agw_rtp_stats()'s answer: an AuditValue's reply. */
static void
rtp_stats_answer(struct cp_ctx *cp, uint64_t id, int rc, const struct ipc_rtp_stats st[2],
		 void *arg)
{
	struct cp_iq *q = arg;

	(void)rc;
	for (unsigned int i = 0; i < IQ_DEFER_MAX; i++) {
		struct iq_defer *d = &q->defer[i];

		if (!d->used || !d->rtp || !d->audit || d->id != id || d->leg < 0)
			continue;
		d->st = st[d->leg];
		defer_done(q, d, 0, 0, cp->now_ms);
		return;
	}
}

void
iq_defer_due(struct cp_iq *q, uint64_t now_ms)
{
	for (unsigned int i = 0; i < IQ_DEFER_MAX; i++)
		if (q->defer[i].used && now_ms >= q->defer[i].due_ms)
			defer_done(q, &q->defer[i], q->defer[i].bytes_in, q->defer[i].bytes_out,
				   now_ms);
}

static void
write_res(struct iq_action *a, struct h248_w *w, const struct iq_res *r)
{
	enum h248_tok verb = (enum h248_tok)r->verb;
	bool body = r->local || r->stats;

	if (r->err != 0) {
		/* (H.248.1 §8.2.2: an optional command that failed answers
		 * with its error, and the others go on) */
		h248_w_open(w, verb, r->term);
		h248_w_error(w, r->err, r->err_text);
		h248_w_close(w);
		return;
	}
	if (!body) {
		h248_w_item(w, verb, r->term);
		return;
	}
	if (r->wild)
		h248_w_open_name(w, "W-Subtract", r->term);
	else
		h248_w_open(w, verb, r->term);
	if (r->local) {
		h248_w_open(w, H248_TOK_MEDIA, NULL);
		h248_w_open(w, H248_TOK_STREAM, "1");
		h248_w_octets(w, H248_TOK_LOCAL, r->sdp, strlen(r->sdp));
		h248_w_close(w);
		h248_w_close(w);
	}
	if (r->stats && r->rtp) {
		h248_w_open(w, H248_TOK_STATISTICS, NULL);
		iq_rtp_stats_write(w, &r->st, r->dur_ms);
		h248_w_close(w);
	} else if (r->stats) {
		char v[24];

		h248_w_open(w, H248_TOK_STATISTICS, NULL);
		snprintf(v, sizeof(v), "%" PRIu64, r->bytes_in);
		h248_w_item_name(w, "nt/or", '=', v);
		snprintf(v, sizeof(v), "%" PRIu64, r->bytes_out);
		h248_w_item_name(w, "nt/os", '=', v);
		snprintf(v, sizeof(v), "%" PRIu64, r->dur_ms);
		h248_w_item_name(w, "nt/dur", '=', v);
		h248_w_close(w);
	}
	h248_w_close(w);
	(void)a;
}

static bool
is_root(const struct h248_tree *t, const struct h248_node *cmd)
{
	return h248_value_is(t, cmd, "ROOT");
}

/* One command: IQ_DONE, IQ_DEFER (a->defer filled), or IQ_FAIL with
 * a->fail set. */
static enum iq_run
command(struct iq_action *a, const struct h248_node *cmd, struct iq_res *r, bool null_ctx)
{
	bool root = is_root(a->t, cmd);

	memset(r, 0, sizeof(*r));
	r->verb = cmd->tok;
	if (null_ctx != root && cmd->tok != H248_TOK_ADD)
		FAIL(&a->fail, root ? H248_E_ACTION : H248_E_UNKNOWN_CTX,
		     root ? "ROOT is addressed in Context -" : "Context - holds only ROOT");
	switch (cmd->tok) {
	case H248_TOK_ADD:
		if (null_ctx)
			FAIL(&a->fail, H248_E_ACTION, "Add into Context -: a context must be "
			     "chosen ($)");
		return cmd_add(a, cmd, r);
	case H248_TOK_MODIFY:
		if (a->c == NULL && !root)
			FAIL(&a->fail, H248_E_UNKNOWN_CTX, "Modify: no such context");
		return cmd_modify(a, cmd, r, root);
	case H248_TOK_SUBTRACT:
		if (root)
			FAIL(&a->fail, H248_E_NOT_ON_TERM, "Subtract: not on ROOT");
		if (a->c == NULL)
			FAIL(&a->fail, H248_E_UNKNOWN_CTX, "Subtract: no such context");
		return cmd_subtract(a, cmd, r);
	case H248_TOK_AUDITVALUE:
		if (a->c == NULL && !root)
			FAIL(&a->fail, H248_E_UNKNOWN_CTX, "AuditValue: no such context");
		return cmd_audit(a, cmd, r, root);
	case H248_TOK_SERVICECHANGE:
		if (!root)
			FAIL(&a->fail, H248_E_NOT_ON_TERM, "ServiceChange: on ROOT only");
		return cmd_service_change(a, cmd, r);
	default: {
		size_t nl;
		const char *nm = h248_name(a->t, cmd, &nl);

		FAIL(&a->fail, H248_E_UNKNOWN_CMD, "%.*s is not supported by this gateway", (int)nl,
		     nm);
	}
	}
}

enum iq_run
iq_cmd_action(struct cp_ctx *cp, struct cp_iq *q, const struct h248_tree *t,
	      const struct h248_node *action, struct h248_w *w, struct iq_defer *defer,
	      uint64_t now_ms)
{
	struct iq_action *a = (struct iq_action *)q->act;
	enum iq_run run = IQ_DONE;
	unsigned int code;
	bool null_ctx;

	memset(a, 0, offsetof(struct iq_action, res));
	a->cp = cp;
	a->q = q;
	a->t = t;
	a->now_ms = now_ms;
	a->defer = defer;
	a->nres = 0;
	a->fail.code = 0;
	if (h248_value_ctx(t, action, &a->h248) < 0) {
		a->fail.code = H248_E_SYNTAX_ACTION;
		snprintf(a->fail.text, sizeof(a->fail.text),
			 "ContextID is not a number, -, $ or *");
		a->h248 = H248_CTX_NULL;
		goto out;
	}
	null_ctx = a->h248 == H248_CTX_NULL;
	if (a->h248 == H248_CTX_ALL) {
		a->fail.code = H248_E_NOT_IMPLEMENTED;
		snprintf(a->fail.text, sizeof(a->fail.text), "Context * is not implemented");
		goto out;
	}
	if (!null_ctx && a->h248 != H248_CTX_CHOOSE) {
		a->c = a->h248 >= IQ_RTP_CTX_BASE ? iq_rtp_ctx_of_h248(cp, q, a->h248) :
						    iq_ctx_of_h248(q, a->h248);
		if (a->c == NULL) {
			a->fail.code = H248_E_UNKNOWN_CTX;
			snprintf(a->fail.text, sizeof(a->fail.text), "The transaction refers to an "
				 "unknown ContextId");
			goto out;
		}
	}
	/* TS 23.334 §8: the context properties come before the commands, but
	 * the context an Add makes must know at once that it is an emergency
	 * one (no quota refuses it) */
	for (const struct h248_node *n = h248_child(t, action, H248_TOK_NONE); n != NULL;
	     n = h248_next(t, n, H248_TOK_NONE)) {
		if (n->tok == H248_TOK_EMERGENCY)
			a->emergency = true;
		else if (n->tok == H248_TOK_EMERGENCYOFF)
			a->emergency = false;
	}
	for (const struct h248_node *n = h248_child(t, action, H248_TOK_NONE); n != NULL;
	     n = h248_next(t, n, H248_TOK_NONE)) {
		if (!h248_tok_is_command((enum h248_tok)n->tok)) {
			/* context properties we take (Emergency above) or ignore
			 * (one priority for every context) */
			if (n->tok == H248_TOK_PRIORITY || n->tok == H248_TOK_EMERGENCY ||
			    n->tok == H248_TOK_EMERGENCYOFF || n->tok == H248_TOK_IEPSCALL)
				continue;
			a->fail.code = H248_E_UNKNOWN_DESC;
			snprintf(a->fail.text, sizeof(a->fail.text), "context property not "
				 "supported");
			break;
		}
		if (a->nres == IQ_CMDS_MAX) {
			a->fail.code = H248_E_RESOURCES;
			snprintf(a->fail.text, sizeof(a->fail.text), "more than %u commands in one "
				 "action", IQ_CMDS_MAX);
			break;
		}
		q->ctr.stats[IQ_STAT_COMMANDS]++;
		if (n->tok != H248_TOK_ADD && n->tok != H248_TOK_MODIFY &&
		    n->tok != H248_TOK_SUBTRACT && n->tok != H248_TOK_AUDITVALUE &&
		    n->tok != H248_TOK_SERVICECHANGE) {
			size_t nl;
			const char *nm = h248_name(t, n, &nl);

			a->fail.code = H248_E_UNKNOWN_CMD;
			snprintf(a->fail.text, sizeof(a->fail.text), "%.*s is not supported by "
				 "this gateway", (int)(nl > 40 ? 40 : nl), nm);
			break;
		}
		if (a->h248 == H248_CTX_CHOOSE && a->c == NULL &&
		    n->tok != H248_TOK_ADD) {
			a->fail.code = H248_E_ACTION;
			snprintf(a->fail.text, sizeof(a->fail.text), "Context $: the first command "
				 "must be Add");
			break;
		}
		/* what ran must be answered in one message: a command whose
		 * reply might not fit is not run (H.248.8 533) */
		if (w->len + (a->nres + 1u) * IQ_RES_MAX + 512u > w->size) {
			a->fail.code = H248_E_TOO_LARGE;
			snprintf(a->fail.text, sizeof(a->fail.text), "Response exceeds maximum "
				 "transport PDU size: the commands from here on were not run");
			break;
		}
		run = command(a, n, &a->res[a->nres], null_ctx);
		if (run == IQ_FAIL) {
			/* an optional command's failure does not end the
			 * transaction (H.248.1 §8.2.2 O-): its reply is its
			 * error */
			if (n->flags & H248_F_OPTIONAL) {
				struct iq_res *r = &a->res[a->nres++];
				size_t nl;
				const char *tid = h248_value(t, n, &nl);

				tp_log(TP_LOG_INFO, "iq: optional command failed: %u %s",
				       a->fail.code, a->fail.text);
				iq_count_error(q, a->fail.code);
				r->verb = n->tok;
				r->local = r->stats = r->wild = false;
				r->err = (uint16_t)a->fail.code;
				snprintf(r->err_text, sizeof(r->err_text), "%s", a->fail.text);
				snprintf(r->term, sizeof(r->term), "%.*s",
					 (int)(nl < 39 ? nl : 39), tid != NULL ? tid : "");
				a->fail.code = 0;
				run = IQ_DONE;
				continue;
			}
			break;
		}
		a->nres++;
	}
out:
	if (a->h248 == H248_CTX_CHOOSE)
		a->h248 = H248_CTX_NULL;     /* no context was made */
	h248_w_context(w, a->h248);
	for (unsigned int i = 0; i < a->nres; i++)
		write_res(a, w, &a->res[i]);
	if (a->fail.code != 0) {
		code = a->fail.code;
		iq_count_error(q, code);
		h248_w_error(w, code, a->fail.text);
		tp_log(TP_LOG_NOTICE, "iq: %u %s", code, a->fail.text);
		run = IQ_FAIL;
	}
	h248_w_close(w);
	return run;
}
