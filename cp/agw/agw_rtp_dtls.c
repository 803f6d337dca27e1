/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS-SRTP on an RTP termination, cp's part (cp_agw_rtp.h's rule;
 * cp/agw/FEATURE.md "DTLS-SRTP"; dp/dtls_srtp runs the handshake): a
 * door's reading of the peer's SDP judged and turned into lib/ipc's
 * ipc_rtp_term.dtls (our role from a=setup, RFC 4145 §4 and RFC 5763
 * §5; the peer's fingerprints of the strongest hash, RFC 8122 §5; our
 * certificate's generation; the association's number, RFC 8842 §5), our
 * tls-id, a modify's association kept or started anew, and what dp says
 * back: DTLS_CERT (our certificate, two generations kept for the Local
 * SDP's a=fingerprint) and RTP_DTLS applied to the RTP kind's
 * termination (its keys kept as SDES keys are, for a restarted dp),
 * logged, counted by door and tenant, told to the observers. Every door
 * goes through these, as through agw_rtp_ice.c and agw_rtp_keys.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "../cp.h"
#include "../api/api_cmd.h"
#include "agw_internal.h"
#include "certfp.h"
#include "cp_agw.h"
#include "cp_agw_rtp.h"
#include "ipc.h"
#include "tp_conf.h"
#include "tp_esc.h"

#define ERR(rc, ...) do { snprintf(err, errlen, __VA_ARGS__); return (rc); } while (0)

/* ---- names ---------------------------------------------------------------------------- */

/* dp/tls/tls_fails.def: the reasons dp's RTP_DTLS names by number (its
 * enum's order, NONE 0), the list dp's worker counters name too */
static const char *const why_names[] = {
#define TLS_FAIL(e, n) n,
#include "../../dp/tls/tls_fails.def"
#undef TLS_FAIL
};
#define AGW_DTLS_WHYS (sizeof(why_names) / sizeof(why_names[0]))
_Static_assert(AGW_DTLS_WHYS <= IPC_RTP_DTLS_WHY_MAX + 1u, "tls_fails.def within lib/ipc's why");

const char *
agw_rtp_dtls_why_name(unsigned int why)
{
	return why < AGW_DTLS_WHYS ? why_names[why] : "unknown";
}

const char *
agw_rtp_dtls_setup_name(unsigned int setup)
{
	switch (setup) {
	case CP_AGW_DTLS_OUR_ACTPASS: return "actpass";
	case CP_AGW_DTLS_OUR_ACTIVE: return "active";
	case CP_AGW_DTLS_OUR_PASSIVE: return "passive";
	default: return "unknown";
	}
}

static const char *
role_name(unsigned int role)
{
	switch (role) {
	case IPC_RTP_DTLS_CLIENT: return "client";
	case IPC_RTP_DTLS_SERVER: return "server";
	case IPC_RTP_DTLS_EITHER: return "either";
	default: return "none";
	}
}

static const char *
state_name(unsigned int state)
{
	switch (state) {
	case 0: return "waiting";
	case IPC_RTP_DTLS_UP: return "up";
	case IPC_RTP_DTLS_VERIFY_WAIT: return "verify_wait";
	case IPC_RTP_DTLS_FAILED: return "failed";
	default: return "unknown";
	}
}

/* ---- a door's DTLS-SRTP judged ------------------------------------------------------------ */

static struct agw_rtp_state *
rtp_of(const struct cp_ctx *cp)
{
	return cp->agw != NULL ? cp->agw->rtp : NULL;
}

static bool
key_zero(const struct ipc_srtp_key *k)
{
	static const struct ipc_srtp_key zero;

	return memcmp(k, &zero, sizeof(zero)) == 0;
}

static void
certfp_of(const struct ipc_agw_fp *f, struct certfp *out)
{
	memset(out, 0, sizeof(*out));
	out->alg = f->alg;
	out->len = f->len;
	memcpy(out->md, f->md, sizeof(out->md));
}

/* RFC 8842 §4: tls-id-value = 20*255(tls-id-char), ALPHA / DIGIT / "+" /
 * "/" / "-" / "_". */
static bool
tls_id_ok(const char *s, size_t n)
{
	if (n < 20 || n > 255)
		return false;
	for (size_t k = 0; k < n; k++) {
		char ch = s[k];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '+' || ch == '/' || ch == '-' || ch == '_'))
			return false;
	}
	return true;
}

/* The peer's side of d as dp checks it: the strongest hash's
 * fingerprints (at most IPC_RTP_DTLS_FP_MAX of them), sha-1 allowed. */
struct dtls_peer {
	uint8_t nfp;
	bool sha1;
	struct ipc_agw_fp fp[IPC_RTP_DTLS_FP_MAX];
};

static int
peer_judge(const struct cp_ctx *cp, unsigned int i, const struct cp_agw_rtp_dtls *d,
	   struct dtls_peer *p, char *err, size_t errlen)
{
	static const uint8_t fp_len[5] = { 0, 20, 32, 48, 64 };
	struct certfp got[IPC_AGW_FP_MAX];
	size_t idlen = strnlen(d->tls_id, sizeof(d->tls_id));
	int best;

	memset(p, 0, sizeof(*p));
	if (d->setup > CP_AGW_DTLS_SETUP_MAX)
		ERR(-EINVAL, "termination %u: DTLS setup %u is not one (offer, actpass, active, "
		    "passive; holdconn is not taken)", i, d->setup);
	if ((d->profiles & ~IPC_RTP_DTLS_P_ALL) != 0)
		ERR(-EINVAL, "termination %u: DTLS-SRTP profiles %#x: only use_srtp's AES128_CM_80, "
		    "AES128_CM_32, AEAD_AES_128_GCM and AEAD_AES_256_GCM (RFC 5764, RFC 7714)", i,
		    d->profiles);
	if (idlen == sizeof(d->tls_id))
		ERR(-EINVAL, "termination %u: the peer's tls-id is longer than 255 characters", i);
	if (idlen != 0 && !tls_id_ok(d->tls_id, idlen))
		ERR(-EINVAL, "termination %u: the peer's tls-id must be 20 to 255 of letters, digits, "
		    "+, /, - and _ (RFC 8842 section 4)", i);
	if (d->nfp > IPC_AGW_FP_MAX)
		ERR(-EINVAL, "termination %u: %u fingerprints, at most %u", i, d->nfp,
		    IPC_AGW_FP_MAX);
	for (unsigned int k = 0; k < d->nfp; k++) {
		if (d->fp[k].alg < 1 || d->fp[k].alg > 4 || d->fp[k].len != fp_len[d->fp[k].alg])
			ERR(-EINVAL, "termination %u: fingerprint %u: not sha-1, sha-256, sha-384 or "
			    "sha-512 of its length", i, k + 1);
		certfp_of(&d->fp[k], &got[k]);
	}
	if (d->setup == CP_AGW_DTLS_OFFER) {
		if (d->nfp != 0 || idlen != 0)
			ERR(-EINVAL, "termination %u: we offer DTLS-SRTP (setup offer): the peer's "
			    "fingerprints and tls-id come with its answer", i);
		return 0;
	}
	if (d->nfp == 0)
		ERR(-EINVAL, "termination %u: DTLS-SRTP needs the peer's a=fingerprint (RFC 8122): "
		    "the peer is trusted by it only", i);
	best = certfp_strongest(got, d->nfp);
	if (best == CERTFP_SHA1) {
		if (!cp->conf->agw.allow_sha1 && !d->allow_sha1)
			ERR(-EINVAL, "termination %u: only sha-1 fingerprints given, and "
			    "agw.allow_sha1 is off (sha-1 is too weak to trust the peer by): give the "
			    "peer's sha-256, sha-384 or sha-512 a=fingerprint as SDP signalled it, or "
			    "set agw.allow_sha1 = true in the configuration (allow_sha1 for this "
			    "termination)", i);
		p->sha1 = true;
	}
	/* (dp judges the strongest hash signalled only, RFC 8122 §5: the
	 * weaker ones beside it are not carried) */
	for (unsigned int k = 0; k < d->nfp; k++) {
		if (d->fp[k].alg != best)
			continue;
		if (p->nfp == IPC_RTP_DTLS_FP_MAX)
			ERR(-EINVAL, "termination %u: more than %u %s fingerprints: dp checks at most "
			    "%u certificates a peer may use", i, IPC_RTP_DTLS_FP_MAX,
			    certfp_alg_name((enum certfp_alg)best), IPC_RTP_DTLS_FP_MAX);
		p->fp[p->nfp] = d->fp[k];
		memset(p->fp[p->nfp].pad, 0, sizeof(p->fp[p->nfp].pad));
		memset(p->fp[p->nfp].md + p->fp[p->nfp].len, 0,
		       sizeof(p->fp[p->nfp].md) - p->fp[p->nfp].len);
		p->nfp++;
	}
	return 0;
}

/* Our role (dp's) and a=setup from the peer's a=setup (RFC 4145 §4, RFC
 * 5763 §5: its actpass answered active unless the door asks passive). */
static void
roles_of(const struct cp_agw_rtp_dtls *d, uint8_t *role, uint8_t *ours)
{
	switch (d->setup) {
	case CP_AGW_DTLS_OFFER:
		*role = IPC_RTP_DTLS_EITHER;
		*ours = CP_AGW_DTLS_OUR_ACTPASS;
		break;
	case CP_AGW_DTLS_PEER_ACTPASS:
		*role = d->passive ? IPC_RTP_DTLS_SERVER : IPC_RTP_DTLS_CLIENT;
		*ours = d->passive ? CP_AGW_DTLS_OUR_PASSIVE : CP_AGW_DTLS_OUR_ACTIVE;
		break;
	case CP_AGW_DTLS_PEER_ACTIVE:
		*role = IPC_RTP_DTLS_SERVER;
		*ours = CP_AGW_DTLS_OUR_PASSIVE;
		break;
	default:
		*role = IPC_RTP_DTLS_CLIENT;
		*ours = CP_AGW_DTLS_OUR_ACTIVE;
		break;
	}
}

/* Our tls-id as the SDP gives it: raw's octets in hex, 32 characters
 * (letters and digits are tls-id-chars); "" for all zero (none: a
 * context of a cp before ours). */
static void
tls_id_hex(const uint8_t raw[IPC_RTP_DTLS_ID_LEN], char out[33])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t any = 0;

	_Static_assert(2u * IPC_RTP_DTLS_ID_LEN + 1u == 33u, "our tls-id's characters");
	for (unsigned int k = 0; k < IPC_RTP_DTLS_ID_LEN; k++) {
		out[2u * k] = hex[raw[k] >> 4];
		out[2u * k + 1u] = hex[raw[k] & 15u];
		any |= raw[k];
	}
	out[any != 0 ? 2u * IPC_RTP_DTLS_ID_LEN : 0] = '\0';
}

/* Our tls-id, new: 128 bits of getrandom() (RFC 8842 §4 asks for 120 at
 * least) in raw, kept in the termination (dp gives it back to a
 * restarted cp), and as the SDP gives it in out. 0, -EAGAIN. */
static int
tls_id_make(uint8_t raw[IPC_RTP_DTLS_ID_LEN], char out[33])
{
	uint8_t b[IPC_RTP_DTLS_ID_LEN];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -EAGAIN;
	memcpy(raw, b, sizeof(b));
	tls_id_hex(raw, out);
	explicit_bzero(b, sizeof(b));
	return 0;
}

/* The peer's tls-id as the termination keeps it (what a restarted cp
 * compares a re-offer's with): the first IPC_RTP_DTLS_PEER_ID_LEN octets
 * of its SHA-256, all zero for none (""). 0, -EAGAIN. */
static int
peer_id_of(const char *tls_id, uint8_t out[IPC_RTP_DTLS_PEER_ID_LEN])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t len = strlen(tls_id);

	memset(out, 0, IPC_RTP_DTLS_PEER_ID_LEN);
	if (len == 0)
		return 0;
	if (!EVP_Digest(tls_id, len, md, &n, EVP_sha256(), NULL) || n < IPC_RTP_DTLS_PEER_ID_LEN)
		return -EAGAIN;
	memcpy(out, md, IPC_RTP_DTLS_PEER_ID_LEN);
	return 0;
}

/* The certificate whose fingerprints our SDP gives now. */
static const struct ipc_dtls_cert *
cert_now(const struct agw_rtp_state *r)
{
	return r != NULL && r->dtls_cert[0].nfp != 0 ? &r->dtls_cert[0] : NULL;
}

/* st's peer part from d: as signalled. */
static void
peer_signalled(const struct cp_agw_rtp_dtls *d, struct cp_agw_rtp_dtls_st *st)
{
	memset(st->peer_fp, 0, sizeof(st->peer_fp));
	st->peer_nfp = d->nfp;
	memcpy(st->peer_fp, d->fp, sizeof(d->fp[0]) * d->nfp);
	snprintf(st->peer_tls_id, sizeof(st->peer_tls_id), "%s", d->tls_id);
}

/* t->dtls's peer part and flags from p and the digest of d's tls-id
 * (pid), st's peer part from d. */
static void
peer_set(const struct cp_agw_rtp_dtls *d, const struct dtls_peer *p,
	 const uint8_t pid[IPC_RTP_DTLS_PEER_ID_LEN], struct ipc_rtp_term *t,
	 struct cp_agw_rtp_dtls_st *st)
{
	memset(t->dtls.fp, 0, sizeof(t->dtls.fp));
	t->dtls.nfp = p->nfp;
	memcpy(t->dtls.fp, p->fp, sizeof(p->fp[0]) * p->nfp);
	t->dtls.flags = (uint8_t)((t->dtls.flags & IPC_RTP_DTLS_F_KEYS) |
				  (p->sha1 ? IPC_RTP_DTLS_F_ALLOW_SHA1 : 0));
	memcpy(t->dtls.peer_tls_id, pid, IPC_RTP_DTLS_PEER_ID_LEN);
	peer_signalled(d, st);
}

int
agw_rtp_dtls_form(struct cp_ctx *cp, unsigned int i, const struct cp_agw_rtp_dtls *d,
		  struct ipc_rtp_term *t, struct cp_agw_rtp_dtls_st *st, char *err, size_t errlen)
{
	static const struct cp_agw_rtp_dtls off;
	const struct ipc_dtls_cert *cert;
	struct dtls_peer p;
	uint8_t pid[IPC_RTP_DTLS_PEER_ID_LEN];
	int rc;

	memset(&t->dtls, 0, sizeof(t->dtls));
	memset(st, 0, sizeof(*st));
	if (d->setup == CP_AGW_DTLS_OFF) {
		if (memcmp(d, &off, sizeof(off)) != 0)
			ERR(-EINVAL, "termination %u: DTLS-SRTP's fingerprints, tls-id or choices "
			    "without its setup", i);
		return 0;
	}
	if (t->profile != IPC_RTP_SAVP && t->profile != IPC_RTP_SAVPF)
		ERR(-EINVAL, "termination %u: DTLS-SRTP is for RTP/SAVP or RTP/SAVPF "
		    "(UDP/TLS/RTP/SAVPF) terminations", i);
	if (!(t->flags & IPC_RTP_F_MUX))
		ERR(-EINVAL, "termination %u: DTLS-SRTP needs rtcp-mux (RFC 5761; the handshake runs "
		    "on the RTP port only)", i);
	if (!key_zero(&t->srtp_rx) || !key_zero(&t->srtp_tx))
		ERR(-EINVAL, "termination %u: SRTP keys given with DTLS-SRTP: its handshake makes "
		    "them (RFC 5764 section 4.2)", i);
	if ((rc = peer_judge(cp, i, d, &p, err, errlen)) < 0)
		return rc;
	cert = cert_now(rtp_of(cp));
	if (cert == NULL)
		ERR(-EAGAIN, "termination %u: dp has not published its DTLS certificate yet: try "
		    "again", i);
	if (peer_id_of(d->tls_id, pid) < 0)
		ERR(-EAGAIN, "no SHA-256 for the peer's tls-id: try again");
	if (tls_id_make(t->dtls.tls_id, st->tls_id) < 0)
		ERR(-EAGAIN, "no random octets for our tls-id: try again");
	roles_of(d, &t->dtls.role, &st->setup);
	t->dtls.profiles = d->profiles != 0 ? d->profiles : (uint8_t)IPC_RTP_DTLS_P_ALL;
	t->dtls.cert_gen = cert->gen;
	t->dtls.assoc = 1;
	peer_set(d, &p, pid, t, st);
	return 0;
}

/* Are the peer's fingerprints (p: those dp checks, of the strongest
 * hash) and tls-id (pid: its digest) those of the association t holds
 * (RFC 8842 §5: the same association)? The fingerprints as a set. What
 * t holds, not what cp heard: dp gives it back to a restarted cp. */
static bool
peer_same(const struct ipc_rtp_term *t, const struct dtls_peer *p,
	  const uint8_t pid[IPC_RTP_DTLS_PEER_ID_LEN])
{
	if (p->nfp != t->dtls.nfp ||
	    memcmp(pid, t->dtls.peer_tls_id, IPC_RTP_DTLS_PEER_ID_LEN) != 0)
		return false;
	for (unsigned int k = 0; k < p->nfp; k++) {
		bool held = false;

		for (unsigned int j = 0; j < t->dtls.nfp && !held; j++)
			held = p->fp[k].alg == t->dtls.fp[j].alg && p->fp[k].len == t->dtls.fp[j].len &&
			       memcmp(p->fp[k].md, t->dtls.fp[j].md, p->fp[k].len) == 0;
		if (!held)
			return false;
	}
	return true;
}

int
agw_rtp_dtls_modify(struct cp_ctx *cp, unsigned int i, const struct cp_agw_rtp_dtls *d,
		    struct ipc_rtp_term *t, struct cp_agw_rtp_dtls_st *st, char *err,
		    size_t errlen)
{
	struct agw_rtp_state *r = rtp_of(cp);
	const struct ipc_dtls_cert *cert;
	struct dtls_peer p;
	uint8_t pid[IPC_RTP_DTLS_PEER_ID_LEN], raw[IPC_RTP_DTLS_ID_LEN];
	char id[33];
	int rc;

	if (t->dtls.role == IPC_RTP_DTLS_NONE && d->setup != CP_AGW_DTLS_OFF)
		ERR(-EINVAL, "termination %u has no DTLS-SRTP: turning it on is a subtract and an add",
		    i);
	if (t->dtls.role != IPC_RTP_DTLS_NONE && d->setup == CP_AGW_DTLS_OFF)
		ERR(-EINVAL, "termination %u: turning DTLS-SRTP off is a subtract and an add", i);
	if (d->setup == CP_AGW_DTLS_OFF)
		return 0;
	if ((rc = peer_judge(cp, i, d, &p, err, errlen)) < 0)
		return rc;
	/* our own re-offer: the association as it is (our tls-id kept) */
	if (d->setup == CP_AGW_DTLS_OFFER)
		return 0;
	if (peer_id_of(d->tls_id, pid) < 0)
		ERR(-EAGAIN, "no SHA-256 for the peer's tls-id: try again");
	if (t->dtls.role == IPC_RTP_DTLS_EITHER &&
	    (d->setup == CP_AGW_DTLS_PEER_ACTIVE || d->setup == CP_AGW_DTLS_PEER_PASSIVE)) {
		/* the answer to our actpass: the association we offered, dp
		 * verifies a handshake it served meanwhile by these */
		roles_of(d, &t->dtls.role, &st->setup);
		peer_set(d, &p, pid, t, st);
		return 0;
	}
	if (t->dtls.role != IPC_RTP_DTLS_EITHER && !d->renew && peer_same(t, &p, pid)) {
		/* (the same: as signalled now, a restarted cp's copy whole again) */
		peer_signalled(d, st);
		return 0;
	}
	/* RFC 8842 §5: another fingerprint or tls-id is a new association
	 * (and, for a peer that gives no tls-id, what its caller says is one:
	 * d->renew, RFC 8842's rule for an SDP without a=tls-id):
	 * a new handshake in the roles this SDP gives, our tls-id new; dp's
	 * old keys serve until the new ones are installed */
	cert = cert_now(r);
	if (cert == NULL)
		ERR(-EAGAIN, "termination %u: dp has not published its DTLS certificate yet: try "
		    "again", i);
	if (tls_id_make(raw, id) < 0)
		ERR(-EAGAIN, "no random octets for our tls-id: try again");
	roles_of(d, &t->dtls.role, &st->setup);
	if (d->profiles != 0)
		t->dtls.profiles = d->profiles;
	t->dtls.cert_gen = cert->gen;
	t->dtls.assoc = t->dtls.assoc + 1u != 0 ? t->dtls.assoc + 1u : 1u;
	peer_set(d, &p, pid, t, st);
	memcpy(t->dtls.tls_id, raw, sizeof(raw));
	memcpy(st->tls_id, id, sizeof(st->tls_id));
	/* (dp's word on the new one is to come) */
	st->state = 0;
	st->why = 0;
	st->matched = 0;
	st->attempts = 0;
	st->version = 0;
	st->profile = 0;
	memset(&st->seen, 0, sizeof(st->seen));
	memset(st->cipher, 0, sizeof(st->cipher));
	memset(st->detail, 0, sizeof(st->detail));
	if (r != NULL)
		r->stats[AGW_RTP_DTLS_ASSOC]++;
	return 0;
}

void
agw_rtp_dtls_restored(const struct ipc_rtp_term *t, struct cp_agw_rtp_dtls_st *st)
{
	memset(st, 0, sizeof(*st));
	if (t->profile == IPC_RTP_NONE || t->dtls.role == IPC_RTP_DTLS_NONE)
		return;
	st->setup = t->dtls.role == IPC_RTP_DTLS_EITHER ? CP_AGW_DTLS_OUR_ACTPASS :
		    t->dtls.role == IPC_RTP_DTLS_SERVER ? CP_AGW_DTLS_OUR_PASSIVE :
		    CP_AGW_DTLS_OUR_ACTIVE;
	if (t->dtls.flags & IPC_RTP_DTLS_F_KEYS) {
		st->state = IPC_RTP_DTLS_UP;
		st->role = t->dtls.role;
	}
	/* our tls-id as the association has it (RFC 8842 §5: a re-offer
	 * that keeps it is answered with it); the peer's is a digest in
	 * t->dtls (peer_same() compares with it): "" until it signals again */
	tls_id_hex(t->dtls.tls_id, st->tls_id);
	st->peer_nfp = t->dtls.nfp;
	memcpy(st->peer_fp, t->dtls.fp, sizeof(t->dtls.fp[0]) * t->dtls.nfp);
}

/* ---- what dp says ----------------------------------------------------------------------- */

const struct ipc_dtls_cert *
cp_agw_rtp_dtls_cert(const struct cp_ctx *cp, uint16_t gen)
{
	const struct agw_rtp_state *r = rtp_of(cp);

	if (r == NULL)
		return NULL;
	for (unsigned int k = 0; k < 2; k++)
		if (r->dtls_cert[k].nfp != 0 && r->dtls_cert[k].gen == gen)
			return &r->dtls_cert[k];
	return NULL;
}

void
agw_rtp_dtls_cert_msg(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct agw_rtp_state *r = rtp_of(cp);
	struct ipc_dtls_cert n;
	char s[CERTFP_STR_MAX] = "";

	(void)w;
	if (r == NULL)
		return;
	memcpy(&n, msg->body, sizeof(n));
	r->stats[AGW_RTP_DTLS_CERTS]++;
	/* (the same again: a restarted cp's SYNC, a dp's link-up) */
	if (memcmp(&r->dtls_cert[0], &n, sizeof(n)) == 0)
		return;
	r->dtls_cert[1] = r->dtls_cert[0];
	r->dtls_cert[0] = n;
	for (unsigned int k = 0; k < n.nfp && k < IPC_AGW_FP_MAX; k++)
		if (n.fp[k].alg == CERTFP_SHA256) {
			struct certfp f;

			certfp_of(&n.fp[k], &f);
			(void)certfp_format(&f, s, sizeof(s));
		}
	tp_log(TP_LOG_INFO, "agw: dp's DTLS-SRTP certificate, generation %u: %s\n", n.gen, s);
}

/* Event ev of c's termination (c's figures, the peer, dp's sentence) to
 * the event log and the observers. */
static void
dtls_tell(struct cp_ctx *cp, struct cp_agw_ctx *c, const struct ipc_rtp_dtls_ev *e,
	  uint8_t type)
{
	const struct cp_agw_rtp_dtls_st *st = &c->rtp.dtls[e->term];
	struct cp_agw_event *l = agw_log_line(cp, CP_AGW_KIND_RTP, c->id, c);
	struct ipc_rtp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.term = e->term;
	ev.serial = e->serial;
	ev.addr = e->peer;
	memcpy(ev.st, c->rtp.st, sizeof(ev.st));
	if (e->detail[0] != '\0')
		snprintf(ev.detail, sizeof(ev.detail), "%s", e->detail);
	else if (type == CP_AGW_RTP_EV_DTLS_UP)
		snprintf(ev.detail, sizeof(ev.detail), "%s, %s, %s", role_name(st->role),
			 cp_agw_rtp_dtls_profile_name(st->profile), st->cipher);
	ev.detail_len = (uint16_t)strlen(ev.detail);
	l->e.type = type;
	l->e.leg = e->term;
	l->e.serial = e->serial;
	l->e.remote = e->peer;
	/* (a failure's reason where RELEASED has its cause) */
	l->e.cause = e->why;
	for (unsigned int k = 0; k < 2; k++) {
		l->e.bytes_in[k] = c->rtp.st[k].rtp_in_octets + c->rtp.st[k].rtcp_in_octets;
		l->e.bytes_out[k] = c->rtp.st[k].rtp_out_octets + c->rtp.st[k].rtcp_out_octets;
	}
	snprintf(l->e.detail, sizeof(l->e.detail), "%s", ev.detail);
	l->e.detail_len = (uint16_t)strlen(l->e.detail);
	agw_tell(cp, c, &ev);
}

void
agw_rtp_dtls_msg(struct cp_ctx *cp, unsigned int w, const struct ipc_msg *msg)
{
	struct agw_rtp_state *r = rtp_of(cp);
	struct ipc_rtp_dtls_ev e;
	struct cp_agw_rtp_dtls_st *st;
	struct ipc_rtp_term *t;
	struct cp_agw_ctx *c;
	unsigned int door, tenant;

	(void)w;
	memcpy(&e, msg->body, sizeof(e));
	/* (the keys: cp's copy is the termination's, below, and nowhere else) */
	explicit_bzero((void *)(uintptr_t)msg->body, sizeof(e));
	if (r == NULL)
		goto out_wipe;
	e.cipher[sizeof(e.cipher) - 1] = '\0';
	e.detail[sizeof(e.detail) - 1] = '\0';
	c = agw_kind_of_id(msg->h.alloc_id) == CP_AGW_KIND_RTP ?
	    agw_ctx_of_id(cp->agw, msg->h.alloc_id) : NULL;
	if (c == NULL) {
		r->stats[AGW_RTP_EVENTS_UNKNOWN]++;
		goto out_wipe;
	}
	if (agw_rtp_not_dps(c)) {
		/* (the dp this box stepped down with: the peer's keys hold) */
		r->stats[AGW_RTP_DTLS_STALE]++;
		goto out_wipe;
	}
	t = &c->rtp.term[e.term & 1u];
	/* a termination subtracted since, or an association replaced since
	 * (RFC 8842: a new fingerprint or tls-id): not this one's */
	if (e.term > 1 || t->profile == IPC_RTP_NONE || t->serial != e.serial ||
	    t->dtls.role == IPC_RTP_DTLS_NONE || t->dtls.assoc != e.assoc) {
		r->stats[AGW_RTP_DTLS_STALE]++;
		goto out_wipe;
	}
	st = &c->rtp.dtls[e.term];
	st->state = e.state;
	if (e.role != IPC_RTP_DTLS_NONE)
		st->role = e.role;
	st->why = e.why;
	st->matched = e.matched;
	st->attempts = e.attempts;
	st->version = e.version;
	st->profile = e.profile;
	st->at_ms = cp->now_ms;
	st->peer = e.peer;
	st->seen = e.seen;
	memcpy(st->cipher, e.cipher, sizeof(st->cipher));
	memcpy(st->detail, e.detail, sizeof(st->detail));
	door = c->door < CP_AGW_DOORS ? c->door : 0;
	tenant = c->tenant <= TP_CONF_MAX_TENANTS ? c->tenant : 0;
	switch (e.state) {
	case IPC_RTP_DTLS_UP:
		/* the association's keys, dp's now: kept as SDES keys are, for
		 * a restarted dp (rtp_dp_restart() gives them back with their
		 * positions); the old association's go */
		explicit_bzero(&t->srtp_rx, sizeof(t->srtp_rx));
		explicit_bzero(&t->srtp_tx, sizeof(t->srtp_tx));
		t->srtp_rx = e.rx;
		t->srtp_tx = e.tx;
		t->dtls.flags |= IPC_RTP_DTLS_F_KEYS;
		/* (a new key's streams start over: its positions are dp's to
		 * tell, RFC 3711 §3.3.1) */
		memset(&c->rtp.st[e.term].srtp_rx, 0, sizeof(c->rtp.st[e.term].srtp_rx));
		memset(&c->rtp.st[e.term].srtp_tx, 0, sizeof(c->rtp.st[e.term].srtp_tx));
		memset(&c->rtp.base[e.term].srtp_rx, 0, sizeof(c->rtp.base[e.term].srtp_rx));
		memset(&c->rtp.base[e.term].srtp_tx, 0, sizeof(c->rtp.base[e.term].srtp_tx));
		st->handshakes++;
		r->stats[AGW_RTP_DTLS_UP]++;
		r->dtls_up[door][tenant][e.role == IPC_RTP_DTLS_SERVER ? 1 : 0]++;
		tp_log(TP_LOG_INFO, "agw: RTP context %" PRIu64 " termination %u: DTLS-SRTP up, %s, "
		       "%s, %s\n", c->id, e.term, role_name(e.role),
		       cp_agw_rtp_dtls_profile_name(e.profile), st->cipher);
		dtls_tell(cp, c, &e, CP_AGW_RTP_EV_DTLS_UP);
		break;
	case IPC_RTP_DTLS_FAILED:
		st->failures++;
		r->stats[AGW_RTP_DTLS_FAILED]++;
		r->dtls_fail[door][tenant][e.why <= IPC_RTP_DTLS_WHY_MAX ? e.why : 0]++;
		tp_log(TP_LOG_INFO, "agw: RTP context %" PRIu64 " termination %u: DTLS-SRTP failed: "
		       "%s\n", c->id, e.term, st->detail[0] ? st->detail :
		       agw_rtp_dtls_why_name(e.why));
		dtls_tell(cp, c, &e, CP_AGW_RTP_EV_DTLS_FAILED);
		break;
	default:
		/* VERIFY_WAIT: the answer's modify decides */
		break;
	}
out_wipe:
	explicit_bzero(&e, sizeof(e));
}

/* ---- as the operator and the door read it ------------------------------------------------ */

static struct json_object *
fp_json(const struct ipc_agw_fp *f)
{
	struct certfp x;
	char s[CERTFP_STR_MAX];

	certfp_of(f, &x);
	if (f->alg == 0 || certfp_format(&x, s, sizeof(s)) < 0)
		return NULL;
	return json_object_new_string(s);
}

static void
put_u64(struct json_object *o, const char *name, uint64_t v)
{
	json_object_object_add(o, name, json_object_new_int64((int64_t)v));
}

struct json_object *
agw_rtp_dtls_json(const struct cp_ctx *cp, const struct cp_agw_ctx *c, unsigned int i, int alg)
{
	const struct ipc_rtp_term *t = &c->rtp.term[i];
	const struct cp_agw_rtp_dtls_st *st = &c->rtp.dtls[i];
	const struct ipc_dtls_cert *cert = cp_agw_rtp_dtls_cert(cp, t->dtls.cert_gen);
	struct json_object *o, *fps;
	int want = alg >= CERTFP_SHA256 && alg <= CERTFP_SHA512 ? alg : CERTFP_SHA256;
	char a[64];

	if (t->dtls.role == IPC_RTP_DTLS_NONE)
		return NULL;
	o = json_object_new_object();
	/* ours, for the Local SDP: a=setup, a=fingerprint, a=tls-id */
	json_object_object_add(o, "setup", json_object_new_string(
				       agw_rtp_dtls_setup_name(st->setup)));
	{
		struct json_object *f = NULL;

		for (unsigned int k = 0; cert != NULL && k < cert->nfp && k < IPC_AGW_FP_MAX; k++)
			if (cert->fp[k].alg == want)
				f = fp_json(&cert->fp[k]);
		json_object_object_add(o, "fingerprint", f);
	}
	json_object_object_add(o, "tls_id", st->tls_id[0] ? json_object_new_string(st->tls_id) :
			       NULL);
	put_u64(o, "cert_gen", t->dtls.cert_gen);
	/* the peer's, as signalled */
	json_object_object_add(o, "peer_tls_id", st->peer_tls_id[0] ?
			       json_object_new_string(st->peer_tls_id) : NULL);
	fps = json_object_new_array();
	for (unsigned int k = 0; k < st->peer_nfp && k < IPC_AGW_FP_MAX; k++)
		json_object_array_add(fps, fp_json(&st->peer_fp[k]));
	json_object_object_add(o, "peer_fingerprints", fps);
	/* the association and dp's word on it */
	put_u64(o, "assoc", t->dtls.assoc);
	json_object_object_add(o, "role", json_object_new_string(
				       role_name(st->role != 0 ? st->role : t->dtls.role)));
	json_object_object_add(o, "state", json_object_new_string(state_name(st->state)));
	json_object_object_add(o, "why", st->state == IPC_RTP_DTLS_FAILED ?
			       json_object_new_string(agw_rtp_dtls_why_name(st->why)) : NULL);
	json_object_object_add(o, "detail", st->detail[0] ? json_object_new_string(st->detail) :
			       NULL);
	json_object_object_add(o, "version", st->version == 0xfefd ?
			       json_object_new_string("DTLSv1.2") : st->version == 0xfeff ?
			       json_object_new_string("DTLSv1.0") : NULL);
	json_object_object_add(o, "cipher", st->cipher[0] ? json_object_new_string(st->cipher) :
			       NULL);
	json_object_object_add(o, "srtp_profile", st->profile != 0 ?
			       json_object_new_string(cp_agw_rtp_dtls_profile_name(st->profile)) :
			       NULL);
	/* which of the fingerprints dp checks matched the peer's certificate */
	json_object_object_add(o, "verified", json_object_new_boolean(
				       st->state == IPC_RTP_DTLS_UP && st->matched >= 0));
	json_object_object_add(o, "matched", st->state == IPC_RTP_DTLS_UP && st->matched >= 0 ?
			       json_object_new_int(st->matched + 1) : NULL);
	put_u64(o, "of", t->dtls.nfp);
	json_object_object_add(o, "alg", t->dtls.nfp > 0 ? json_object_new_string(
				       certfp_alg_name((enum certfp_alg)t->dtls.fp[0].alg)) : NULL);
	json_object_object_add(o, "seen", fp_json(&st->seen));
	if (st->peer.family != 0) {
		cp_api_addr_str(&st->peer, st->peer.port != 0, a, sizeof(a));
		json_object_object_add(o, "peer", json_object_new_string(a));
	} else {
		json_object_object_add(o, "peer", NULL);
	}
	put_u64(o, "attempts", st->attempts);
	put_u64(o, "handshakes", st->handshakes);
	put_u64(o, "failures", st->failures);
	json_object_object_add(o, "last_ms_ago", st->at_ms != 0 && cp->now_ms >= st->at_ms ?
			       json_object_new_int64((int64_t)(cp->now_ms - st->at_ms)) : NULL);
	return o;
}

/* (cp_ctrs_head()'s lines: this file links where cp_ctrs.c does not) */
static void
head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
labels(const struct cp_ctx *cp, FILE *f, const char *name, unsigned int d, unsigned int t)
{
	fprintf(f, "%s{door=\"%s\",tenant=\"", name, cp_agw_door_name(d));
	tp_esc_prom_label(f, tp_conf_tenant_name(cp->conf, t));
}

void
agw_rtp_dtls_metrics(const struct cp_ctx *cp, FILE *f)
{
	static const char *const roles[2] = { "client", "server" };
	const struct agw_rtp_state *r = cp->agw->rtp;
	unsigned int nt = cp->conf->tenants.n <= TP_CONF_MAX_TENANTS ? cp->conf->tenants.n :
			  TP_CONF_MAX_TENANTS;

	if (r == NULL)
		return;
	head(f, "turnpike_agw_dtls_handshakes_total", "counter",
	     "DTLS-SRTP handshakes that came up on RTP terminations (RFC 5764), by the door "
	     "and tenant of their context and the role dp took");
	for (unsigned int d = 0; d < CP_AGW_DOORS; d++)
		for (unsigned int t = 0; t <= nt; t++)
			for (unsigned int k = 0; k < 2; k++) {
				labels(cp, f, "turnpike_agw_dtls_handshakes_total", d, t);
				fprintf(f, "\",role=\"%s\"} %" PRIu64 "\n", roles[k],
					r->dtls_up[d][t][k]);
			}
	/* (a series for each reason that happened only: dp/tls/tls_fails.def
	 * has more reasons than a door has failures) */
	head(f, "turnpike_agw_dtls_failures_total", "counter",
	     "DTLS-SRTP handshakes that failed on RTP terminations, by the door and tenant of "
	     "their context and the reason (dp/tls's: fingerprint_mismatch, timeout, ...); a "
	     "reason's series appears with its first failure");
	for (unsigned int d = 0; d < CP_AGW_DOORS; d++)
		for (unsigned int t = 0; t <= nt; t++)
			for (unsigned int k = 0; k <= IPC_RTP_DTLS_WHY_MAX; k++) {
				if (r->dtls_fail[d][t][k] == 0)
					continue;
				labels(cp, f, "turnpike_agw_dtls_failures_total", d, t);
				fprintf(f, "\",reason=\"%s\"} %" PRIu64 "\n", agw_rtp_dtls_why_name(k),
					r->dtls_fail[d][t][k]);
			}
	/* (beside the DTLS figures: what a WebRTC leg's operator reads
	 * together) */
	head(f, "turnpike_agw_ice_consent_lost_total", "counter",
	     "ICE consent (RFC 7675) lost on an RTP termination's nominated pair: media to it "
	     "stopped, by the door and tenant of its context");
	for (unsigned int d = 0; d < CP_AGW_DOORS; d++)
		for (unsigned int t = 0; t <= nt; t++) {
			labels(cp, f, "turnpike_agw_ice_consent_lost_total", d, t);
			fprintf(f, "\"} %" PRIu64 "\n", r->consent_lost[d][t]);
		}
}

#undef ERR
