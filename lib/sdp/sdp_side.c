/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A termination's two sides, as both derivers (sdp_derive() for a TCP leg,
 * sdp_rtp_derive() for an RTP termination) read them: Local is what the
 * controller asks of our side, `$` (H.248's CHOOSE) where the gateway
 * picks; Remote is the peer's description, which must say where the peer
 * is. The rules each deriver would otherwise write for itself are here
 * once: one of the two given, each with its m= line, CHOOSE refused in
 * Remote, no name resolved, a peer's address numeric and specified, our
 * address and port taken or left to us.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp_internal.h"

const char *const sdp_side_name[2] = { "Local", "Remote" };

int
sdp_pair_given(const struct sdp *local, const struct sdp *remote, struct sdp_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (local == NULL && remote == NULL)
		return sdp_fail(err, SDP_E_NO_MEDIA, 0, -EINVAL, "neither Local nor Remote given");
	return 0;
}

int
sdp_has_media(const struct sdp *d, unsigned int who, struct sdp_error *err)
{
	if (!d->has_media)
		return sdp_fail(err, SDP_E_NO_MEDIA, 0, -EINVAL, "%s has no m= line",
				sdp_side_name[who]);
	return 0;
}

bool
sdp_ip_zero(const uint8_t *ip, int family)
{
	static const uint8_t z[16];

	return memcmp(ip, z, family == AF_INET ? 4 : 16) == 0;
}

int
sdp_remote_choose(struct sdp_error *err, enum sdp_err code, unsigned int line, const char *what)
{
	return sdp_fail(err, code, line, -EINVAL,
			"Remote's %s: CHOOSE is for the gateway's own side", what);
}

int
sdp_remote_ip(const struct sdp_addr *a, const char *what, struct sdp_error *err)
{
	char w[32];

	switch (a->kind) {
	case SDP_ADDR_IP:
		if (sdp_ip_zero(a->ip, a->family))
			return sdp_fail(err, SDP_E_ADDRESS, a->line, -EINVAL,
					"Remote's %s address is unspecified: no peer to reach or "
					"to take", what);
		return 0;
	case SDP_ADDR_CHOOSE:
		snprintf(w, sizeof(w), "%s is $", what);
		return sdp_remote_choose(err, SDP_E_ADDRESS, a->line, w);
	default:
		return sdp_fail(err, SDP_E_ADDRESS, a->line, -ENOTSUP,
				"Remote's %s address is a name: the gateway resolves none", what);
	}
}

int
sdp_local_side(const struct sdp_media *lm, struct sdp_side *o, struct sdp_error *err)
{
	memset(o, 0, sizeof(*o));
	if (lm == NULL) {
		o->addr_choose = o->port_choose = true;
		return 0;
	}
	if (lm->port_choose)
		o->port_choose = true;
	else if (lm->port == 0)
		return sdp_fail(err, SDP_E_PORT_ZERO, lm->line, -EINVAL,
				"Local's port is 0: the controller refuses the stream");
	else
		o->port = lm->port;
	switch (lm->addr.kind) {
	case SDP_ADDR_NONE:
		o->addr_choose = true;
		return 0;
	case SDP_ADDR_CHOOSE:
		o->addr_choose = true;
		o->family = lm->addr.family;
		return 0;
	case SDP_ADDR_IP:
		if (sdp_ip_zero(lm->addr.ip, lm->addr.family))
			return sdp_fail(err, SDP_E_ADDRESS, lm->addr.line, -EINVAL,
					"Local's c= address is unspecified: give ours or $");
		o->family = lm->addr.family;
		memcpy(o->ip, lm->addr.ip, 16);
		return 0;
	default:
		return sdp_fail(err, SDP_E_ADDRESS, lm->addr.line, -ENOTSUP,
				"Local's c= is a name: the gateway resolves none; give an address "
				"or $");
	}
}

int
sdp_remote_side(const struct sdp_media *rm, uint8_t local_family, struct sdp_side *o,
		struct sdp_error *err)
{
	int rc;

	memset(o, 0, sizeof(*o));
	if (rm->port_choose)
		return sdp_remote_choose(err, SDP_E_REMOTE_PORT, rm->line, "port is $");
	if (rm->port == 0)
		return sdp_fail(err, SDP_E_PORT_ZERO, rm->line, -EINVAL,
				"Remote's port is 0: the peer refused or disabled the stream");
	if (rm->addr.kind == SDP_ADDR_NONE)
		return sdp_fail(err, SDP_E_ADDRESS, rm->line, -EINVAL, "Remote has no c= line");
	if ((rc = sdp_remote_ip(&rm->addr, "c=", err)) < 0)
		return rc;
	if (local_family != 0 && local_family != rm->addr.family)
		return sdp_fail(err, SDP_E_ADDRESS, rm->addr.line, -EINVAL,
				"Remote is IP%c, Local IP%c: one leg has one family",
				rm->addr.family == AF_INET ? '4' : '6',
				local_family == AF_INET ? '4' : '6');
	o->family = rm->addr.family;
	o->port = rm->port;
	memcpy(o->ip, rm->addr.ip, 16);
	return 0;
}
