/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICE on an RTP termination, cp's part (cp/agw/FEATURE.md "ICE"; dp is
 * the lite agent, dp/rtp/FEATURE.md "ICE"): a door's ICE judged (our
 * credentials given or left to cp, the peer's ufrag, within RFC 8839's
 * characters and lib/ipc's bounds, each refusal a sentence), our
 * credentials made from the kernel's CSPRNG when the door left them to
 * cp, and a modify's ICE applied (turned on or off, a restart's new
 * credentials, the peer's ufrag). Every door goes through these, as
 * through agw_rtp_keys.c's rule.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "agw_internal.h"
#include "cp_agw_rtp.h"
#include "ipc.h"

#define ERR(rc, ...) do { snprintf(err, errlen, __VA_ARGS__); return (rc); } while (0)

/* RFC 8839 §5.4's ice-char: ALPHA, DIGIT, "+", "/" (64 of them: a random
 * octet's low 6 bits pick one uniformly). */
static const char ice_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* What cp makes: 8 ice-chars of ufrag (48 bits: a stranger's guess fails
 * at dp's compare, before any HMAC) and 24 of pwd (144 bits, RFC 8839
 * §5.4 asks 128 at least). */
#define AGW_ICE_UFRAG_MADE 8u
#define AGW_ICE_PWD_MADE   24u

_Static_assert(AGW_ICE_UFRAG_MADE >= IPC_ICE_UFRAG_MIN && AGW_ICE_UFRAG_MADE <= IPC_ICE_UFRAG_MAX,
	       "our ufrag within lib/ipc's bounds");
_Static_assert(AGW_ICE_PWD_MADE >= IPC_ICE_PWD_MIN && AGW_ICE_PWD_MADE <= IPC_ICE_PWD_MAX,
	       "our pwd within lib/ipc's bounds");

bool
agw_rtp_ice_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(ice_chars, s[i]) == NULL)
			return false;
	return true;
}

/* Is s (len octets) fit to be one of ipc_rtp_ice's fields: which names
 * it in the sentence, lo..hi its bounds (lib/ipc's), RFC 8839's lower one
 * rfc_lo in the sentence beside them. */
static int
ice_check(unsigned int i, const char *which, const char *s, size_t len, unsigned int lo,
	  unsigned int hi, unsigned int rfc_lo, char *err, size_t errlen)
{
	if (len < lo || len > hi)
		ERR(-EINVAL, "termination %u: %s of %zu characters: RFC 8839 allows %u to 256, this "
		    "gateway takes %u to %u", i, which, len, rfc_lo, lo, hi);
	if (!agw_rtp_ice_chars(s, len))
		ERR(-EINVAL, "termination %u: %s must be ice-chars (RFC 8839 section 5.4: letters, "
		    "digits, + and /)", i, which);
	return 0;
}

#define CHECK_UFRAG(which, s, n) \
	ice_check(i, which, s, n, IPC_ICE_UFRAG_MIN, IPC_ICE_UFRAG_MAX, 4, err, errlen)
#define CHECK_PWD(which, s, n) \
	ice_check(i, which, s, n, IPC_ICE_PWD_MIN, IPC_ICE_PWD_MAX, 22, err, errlen)

int
agw_rtp_ice_set(unsigned int i, struct ipc_rtp_ice *x, const char *ufrag, const char *pwd,
		const char *peer_ufrag, char *err, size_t errlen)
{
	int rc;

	if ((ufrag == NULL) != (pwd == NULL))
		ERR(-EINVAL, "termination %u: our ICE ufrag and pwd go together (both given, or "
		    "neither: cp makes them)", i);
	if (ufrag != NULL) {
		if ((rc = CHECK_UFRAG("our ICE ufrag", ufrag, strlen(ufrag))) < 0 ||
		    (rc = CHECK_PWD("our ICE pwd", pwd, strlen(pwd))) < 0)
			return rc;
		memset(x->ufrag, 0, sizeof(x->ufrag));
		memset(x->pwd, 0, sizeof(x->pwd));
		x->ufrag_len = (uint8_t)strlen(ufrag);
		x->pwd_len = (uint8_t)strlen(pwd);
		memcpy(x->ufrag, ufrag, x->ufrag_len);
		memcpy(x->pwd, pwd, x->pwd_len);
	}
	if (peer_ufrag != NULL) {
		size_t n = strlen(peer_ufrag);

		if (n != 0 && (rc = CHECK_UFRAG("the peer's ICE ufrag", peer_ufrag, n)) < 0)
			return rc;
		memset(x->peer_ufrag, 0, sizeof(x->peer_ufrag));
		x->peer_ufrag_len = (uint8_t)n;
		memcpy(x->peer_ufrag, peer_ufrag, n);
	}
	return 0;
}

int
agw_rtp_ice_form(unsigned int i, struct ipc_rtp_ice *x, char *err, size_t errlen)
{
	static const struct ipc_rtp_ice zero;
	int rc;

	/* (the pair nominated before is cp's to give a restarted dp) */
	memset(&x->nominated, 0, sizeof(x->nominated));
	memset(x->pad, 0, sizeof(x->pad));
	memset(x->pad2, 0, sizeof(x->pad2));
	if (x->mode == IPC_RTP_ICE_OFF) {
		if (memcmp(x, &zero, sizeof(zero)) != 0)
			ERR(-EINVAL, "termination %u: ICE credentials without ICE", i);
		return 0;
	}
	if (x->mode > IPC_RTP_ICE_MAX)
		ERR(-EINVAL, "termination %u: ICE mode %u is not one (off, lite)", i, x->mode);
	if ((x->ufrag_len == 0) != (x->pwd_len == 0))
		ERR(-EINVAL, "termination %u: our ICE ufrag and pwd go together (both given, or "
		    "neither: cp makes them)", i);
	if (x->ufrag_len != 0 &&
	    ((rc = CHECK_UFRAG("our ICE ufrag", x->ufrag, x->ufrag_len)) < 0 ||
	     (rc = CHECK_PWD("our ICE pwd", x->pwd, x->pwd_len)) < 0))
		return rc;
	if (x->peer_ufrag_len != 0 &&
	    (rc = CHECK_UFRAG("the peer's ICE ufrag", x->peer_ufrag, x->peer_ufrag_len)) < 0)
		return rc;
	/* (what lies past each length is 0, as lib/ipc holds it) */
	memset(x->ufrag + x->ufrag_len, 0, sizeof(x->ufrag) - x->ufrag_len);
	memset(x->pwd + x->pwd_len, 0, sizeof(x->pwd) - x->pwd_len);
	memset(x->peer_ufrag + x->peer_ufrag_len, 0, sizeof(x->peer_ufrag) - x->peer_ufrag_len);
	return 0;
}

#undef CHECK_UFRAG
#undef CHECK_PWD

int
agw_rtp_ice_make(struct agw_rtp_state *r, struct ipc_rtp_ice *x)
{
	uint8_t b[AGW_ICE_UFRAG_MADE + AGW_ICE_PWD_MADE];

	if (x->mode == IPC_RTP_ICE_OFF || x->ufrag_len != 0)
		return 0;
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -EAGAIN;
	memset(x->ufrag, 0, sizeof(x->ufrag));
	memset(x->pwd, 0, sizeof(x->pwd));
	for (unsigned int k = 0; k < AGW_ICE_UFRAG_MADE; k++)
		x->ufrag[k] = ice_chars[b[k] & 63u];
	for (unsigned int k = 0; k < AGW_ICE_PWD_MADE; k++)
		x->pwd[k] = ice_chars[b[AGW_ICE_UFRAG_MADE + k] & 63u];
	x->ufrag_len = AGW_ICE_UFRAG_MADE;
	x->pwd_len = AGW_ICE_PWD_MADE;
	explicit_bzero(b, sizeof(b));
	r->stats[AGW_RTP_ICE_MADE]++;
	return 0;
}

int
agw_rtp_ice_modify(struct agw_rtp_state *r, unsigned int i, struct ipc_rtp_ice *x,
		   const struct cp_agw_rtp_mod *m, char *err, size_t errlen)
{
	struct ipc_rtp_ice was = *x;
	int rc;

	memset(&x->nominated, 0, sizeof(x->nominated));
	if (m->ice_set && m->ice_mode != x->mode) {
		if (m->ice_mode > IPC_RTP_ICE_MAX)
			ERR(-EINVAL, "termination %u: ICE mode %u is not one (off, lite)", i,
			    m->ice_mode);
		memset(x, 0, sizeof(*x));
		x->mode = m->ice_mode;
	}
	if (x->mode == IPC_RTP_ICE_OFF) {
		if (m->ice_restart || m->ice_ufrag != NULL || m->ice_pwd != NULL ||
		    (m->ice_peer_ufrag != NULL && m->ice_peer_ufrag[0] != '\0')) {
			*x = was;
			explicit_bzero(&was, sizeof(was));
			ERR(-EINVAL, "termination %u: ICE credentials for a termination without ICE",
			    i);
		}
		explicit_bzero(&was, sizeof(was));
		return 0;
	}
	if ((m->ice_ufrag != NULL || m->ice_pwd != NULL) && !m->ice_restart &&
	    was.mode == x->mode) {
		*x = was;
		explicit_bzero(&was, sizeof(was));
		ERR(-EINVAL, "termination %u: new ICE credentials are a restart (ice_restart)", i);
	}
	if (m->ice_restart && was.mode == x->mode) {
		/* RFC 8445 §9: both change; the peer restarts with its own
		 * (its ufrag not known until it says: any taken meanwhile) */
		memset(x->ufrag, 0, sizeof(x->ufrag));
		memset(x->pwd, 0, sizeof(x->pwd));
		memset(x->peer_ufrag, 0, sizeof(x->peer_ufrag));
		x->ufrag_len = x->pwd_len = x->peer_ufrag_len = 0;
	}
	if ((rc = agw_rtp_ice_set(i, x, m->ice_ufrag, m->ice_pwd, m->ice_peer_ufrag, err,
				  errlen)) < 0 ||
	    (rc = agw_rtp_ice_make(r, x)) < 0) {
		*x = was;
		explicit_bzero(&was, sizeof(was));
		if (rc == -EAGAIN)
			ERR(-EAGAIN, "no random octets for our ICE credentials: try again");
		return rc;
	}
	if (m->ice_restart && was.mode == x->mode &&
	    ((x->ufrag_len == was.ufrag_len && memcmp(x->ufrag, was.ufrag, x->ufrag_len) == 0) ||
	     (x->pwd_len == was.pwd_len && memcmp(x->pwd, was.pwd, x->pwd_len) == 0))) {
		*x = was;
		explicit_bzero(&was, sizeof(was));
		ERR(-EINVAL, "termination %u: an ICE restart changes both our ufrag and our pwd "
		    "(RFC 8445 section 9)", i);
	}
	explicit_bzero(&was, sizeof(was));
	return 0;
}
