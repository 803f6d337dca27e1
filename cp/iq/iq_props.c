/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's properties of a termination: which ones each descriptor takes,
 * by package, in one table (props[]), each with the reader that judges
 * its value into struct iq_media (iq_props.h). A name (pkg/prop) or an
 * Annex B token (Mode, ServiceStates, ...) not in the table is refused
 * (445), and one given twice in a descriptor too (456: which of the two
 * would hold is not ours to guess). What the properties mean on a TCP
 * leg is cp/iq's FEATURE.md.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ipc_types.h"
#include "iq_props.h"

static int __attribute__((format(printf, 3, 4)))
fail(struct iq_fail *f, unsigned int code, const char *fmt, ...)
{
	va_list ap;

	f->code = code;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	return -1;
}

/* A switch: ON or OFF (true/false, 1/0 as some write it). 0, or -1 when
 * it is neither. */
static int
onoff(const struct h248_tree *t, const struct h248_node *p, bool *out)
{
	*out = h248_value_is(t, p, "ON") || h248_value_is(t, p, "true") ||
	       h248_value_is(t, p, "1");
	return *out || h248_value_is(t, p, "OFF") || h248_value_is(t, p, "false") ||
	       h248_value_is(t, p, "0") ? 0 : -1;
}

/* A number: decimal, or hex as 0x2E (how some controllers write ds/dscp,
 * an octet). 0, or -1 when it is not one. */
static int
number(const struct h248_tree *t, const struct h248_node *p, uint32_t *out)
{
	char buf[16];
	uint64_t v = 0;
	size_t i = 0, n;
	unsigned int base = 10;

	if (h248_value_copy(t, p, buf, sizeof(buf)) < 0)
		return -1;
	n = strlen(buf);
	if (n > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -1;
	for (; i < n; i++) {
		int d = buf[i] >= '0' && buf[i] <= '9' ? buf[i] - '0' :
			base == 16 && buf[i] >= 'a' && buf[i] <= 'f' ? buf[i] - 'a' + 10 :
			base == 16 && buf[i] >= 'A' && buf[i] <= 'F' ? buf[i] - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v * base + (uint64_t)d;
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* One property's value judged into m: 0, or -1 with f. name[0..nl) is
 * the property as written (the sentence echoes it). */
typedef int (*prop_fn)(const struct h248_tree *t, const struct h248_node *p,
		       const char *name, size_t nl, struct iq_media *m, struct iq_fail *f);

static int
p_mode(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
       struct iq_media *m, struct iq_fail *f)
{
	enum h248_tok v = h248_value_tok(t, p);

	(void)name, (void)nl;
	/* (the four of a relay; Loopback would echo a UE's media back to it:
	 * a test tool's, not a gateway's between two networks. Which modes a
	 * termination takes is its kind's: iq_cmd.c) */
	if (v != H248_TOK_SENDRECV && v != H248_TOK_SENDONLY && v != H248_TOK_RECVONLY &&
	    v != H248_TOK_INACTIVE)
		return fail(f, H248_E_MODE, "Mode: SendReceive, SendOnly, ReceiveOnly or Inactive");
	m->mode_set = true;
	m->mode = (uint16_t)v;
	return 0;
}

static int
p_ignored(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
	  struct iq_media *m, struct iq_fail *f)
{
	/* (ReservedGroup/ReservedValue: a choice among alternatives, we
	 * take none) */
	(void)t, (void)p, (void)name, (void)nl, (void)m, (void)f;
	return 0;
}

static int
p_latch(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
	struct iq_media *m, struct iq_fail *f)
{
	(void)name, (void)nl;
	m->latch_set = true;
	if (onoff(t, p, &m->latch) < 0)
		return fail(f, H248_E_BAD_VALUE, "ipnapt/latch: ON or OFF");
	return 0;
}

static int
p_rtcpa(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
	struct iq_media *m, struct iq_fail *f)
{
	(void)name, (void)nl;
	m->rtcpa_set = true;
	if (onoff(t, p, &m->rtcpa) < 0)
		return fail(f, H248_E_BAD_VALUE, "rtcph/rtcpa: ON or OFF");
	return 0;
}

static int
p_saf(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
      struct iq_media *m, struct iq_fail *f)
{
	if (onoff(t, p, &m->saf) < 0)
		return fail(f, H248_E_BAD_VALUE, "%.*s: ON or OFF", (int)nl, name);
	m->saf_set = true;
	return 0;
}

static int
p_spf(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
      struct iq_media *m, struct iq_fail *f)
{
	if (onoff(t, p, &m->spf) < 0)
		return fail(f, H248_E_BAD_VALUE, "%.*s: ON or OFF", (int)nl, name);
	m->spf_set = true;
	return 0;
}

static int
p_sam(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
      struct iq_media *m, struct iq_fail *f)
{
	char a[64];

	(void)name, (void)nl;
	/* one address (H.248.43 allows a mask: not offered, a peer is one
	 * host here) */
	if (h248_value_copy(t, p, a, sizeof(a)) >= 0) {
		if (inet_pton(AF_INET, a, m->sam) == 1) {
			m->sam_fam = 4;
			return 0;
		}
		if (inet_pton(AF_INET6, a, m->sam) == 1) {
			m->sam_fam = 6;
			return 0;
		}
	}
	return fail(f, H248_E_BAD_VALUE, "gm/sam: one IPv4 or IPv6 address");
}

static int
p_spr(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
      struct iq_media *m, struct iq_fail *f)
{
	uint32_t v;

	(void)name, (void)nl;
	if (number(t, p, &v) < 0 || v == 0 || v > 65535)
		return fail(f, H248_E_BAD_VALUE, "gm/spr: a port, 1 to 65535");
	m->spr = (uint16_t)v;
	return 0;
}

static int
p_realm(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
	struct iq_media *m, struct iq_fail *f)
{
	(void)name, (void)nl;
	if (h248_value_copy(t, p, m->realm, sizeof(m->realm)) < 0)
		return fail(f, H248_E_BAD_VALUE, "ipdc/realm: too long");
	return 0;
}

static int
p_dscp(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
       struct iq_media *m, struct iq_fail *f)
{
	uint32_t v;

	(void)name, (void)nl;
	if (number(t, p, &v) < 0 || v > IPC_AGW_DSCP_MAX)
		return fail(f, H248_E_BAD_VALUE, "ds/dscp: a DiffServ code point, 0 to %u "
			    "(46 or 0x2E: EF)", IPC_AGW_DSCP_MAX);
	m->dscp_set = true;
	m->dscp = (uint8_t)v;
	return 0;
}

static int
p_pol(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
      struct iq_media *m, struct iq_fail *f)
{
	(void)name, (void)nl;
	m->pol_set = true;
	if (onoff(t, p, &m->pol) < 0)
		return fail(f, H248_E_BAD_VALUE, "tman/pol: ON or OFF");
	return 0;
}

/* tman's numbers (sdr, pdr bytes a second; mbs bytes; dvt microseconds:
 * pdr and dvt bound nothing a TCP window does not, FEATURE.md). A rate or
 * a burst of 0 polices nothing through: refused. */
static int
tman_number(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
	    bool zero_ok, uint32_t *v, struct iq_fail *f)
{
	if (number(t, p, v) < 0 || (*v == 0 && !zero_ok))
		return fail(f, H248_E_BAD_VALUE, "%.*s: a number, 1 to %u", (int)nl, name,
			    UINT32_MAX);
	return 0;
}

static int
p_sdr(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
      struct iq_media *m, struct iq_fail *f)
{
	if (tman_number(t, p, name, nl, false, &m->sdr, f) < 0)
		return -1;
	m->sdr_set = true;
	return 0;
}

static int
p_mbs(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
      struct iq_media *m, struct iq_fail *f)
{
	if (tman_number(t, p, name, nl, false, &m->mbs, f) < 0)
		return -1;
	m->mbs_set = true;
	return 0;
}

static int
p_checked(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
	  struct iq_media *m, struct iq_fail *f)
{
	uint32_t v;

	(void)m;
	return tman_number(t, p, name, nl, true, &v, f);
}

static int
p_service_states(const struct h248_tree *t, const struct h248_node *p, const char *name,
		 size_t nl, struct iq_media *m, struct iq_fail *f)
{
	(void)name, (void)nl, (void)m;
	if (h248_value_tok(t, p) != H248_TOK_INSERVICE)
		return fail(f, H248_E_BAD_VALUE, "ServiceStates: only InService");
	return 0;
}

static int
p_timerx(const struct h248_tree *t, const struct h248_node *p, const char *name, size_t nl,
	 struct iq_media *m, struct iq_fail *f)
{
	(void)name, (void)nl;
	/* H.248.36: seconds between heartbeats, 0 none (unset: the
	 * provisioned period) */
	if (h248_value_u32(t, p, &m->timerx) < 0 || m->timerx > 86400u)
		return fail(f, H248_E_BAD_VALUE, "hangterm/timerx: seconds, 0 to 86400");
	m->timerx_set = true;
	return 0;
}

/* Every property accepted: an Annex B token (Mode, ...) or a package's
 * pkg/prop, the descriptor it belongs in, its reader. */
static const struct {
	enum h248_tok tok;        /* H248_TOK_OTHER: a package's, by name */
	const char *name;
	uint8_t in;               /* enum iq_desc */
	prop_fn read;
} props[] = {
	{ H248_TOK_MODE, NULL, IQ_DESC_LOCALCONTROL, p_mode },
	{ H248_TOK_RESERVEDGROUP, NULL, IQ_DESC_LOCALCONTROL, p_ignored },
	{ H248_TOK_RESERVEDVALUE, NULL, IQ_DESC_LOCALCONTROL, p_ignored },
	{ H248_TOK_SERVICESTATES, NULL, IQ_DESC_TERMSTATE, p_service_states },
	/* H.248.37 IP NAPT traversal */
	{ H248_TOK_OTHER, "ipnapt/latch", IQ_DESC_LOCALCONTROL, p_latch },
	/* H.248.57 RTCP handling (RTP terminations) */
	{ H248_TOK_OTHER, "rtcph/rtcpa", IQ_DESC_LOCALCONTROL, p_rtcpa },
	/* H.248.43 gate management */
	{ H248_TOK_OTHER, "gm/saf", IQ_DESC_LOCALCONTROL, p_saf },
	{ H248_TOK_OTHER, "gm/sam", IQ_DESC_LOCALCONTROL, p_sam },
	{ H248_TOK_OTHER, "gm/spf", IQ_DESC_LOCALCONTROL, p_spf },
	{ H248_TOK_OTHER, "gm/spr", IQ_DESC_LOCALCONTROL, p_spr },
	/* H.248.41 IP domain connection */
	{ H248_TOK_OTHER, "ipdc/realm", IQ_DESC_LOCALCONTROL, p_realm },
	/* H.248.52 DiffServ */
	{ H248_TOK_OTHER, "ds/dscp", IQ_DESC_LOCALCONTROL, p_dscp },
	/* H.248.53 traffic management */
	{ H248_TOK_OTHER, "tman/pol", IQ_DESC_LOCALCONTROL, p_pol },
	{ H248_TOK_OTHER, "tman/sdr", IQ_DESC_LOCALCONTROL, p_sdr },
	{ H248_TOK_OTHER, "tman/mbs", IQ_DESC_LOCALCONTROL, p_mbs },
	{ H248_TOK_OTHER, "tman/pdr", IQ_DESC_LOCALCONTROL, p_checked },
	{ H248_TOK_OTHER, "tman/dvt", IQ_DESC_LOCALCONTROL, p_checked },
	/* H.248.36 hanging termination detection */
	{ H248_TOK_OTHER, "hangterm/timerx", IQ_DESC_TERMSTATE, p_timerx },
};
#define NPROPS (sizeof(props) / sizeof(props[0]))
_Static_assert(NPROPS <= 32, "a descriptor's properties seen are a 32-bit set");

/* The entry of property p in descriptor in, or -1. */
static int
prop_of(const struct h248_node *p, const char *nm, size_t nl, enum iq_desc in)
{
	for (unsigned int i = 0; i < NPROPS; i++) {
		if (!(props[i].in & in) || props[i].tok != (enum h248_tok)p->tok)
			continue;
		if (props[i].name == NULL ||
		    (strlen(props[i].name) == nl && strncasecmp(props[i].name, nm, nl) == 0))
			return (int)i;
	}
	return -1;
}

int
iq_props_read(const struct h248_tree *t, const struct h248_node *desc, enum iq_desc in,
	      struct iq_media *m, struct iq_fail *f)
{
	const char *what = in == IQ_DESC_LOCALCONTROL ? "LocalControl" : "TerminationState";
	uint32_t seen = 0;

	for (const struct h248_node *p = h248_child(t, desc, H248_TOK_NONE); p != NULL;
	     p = h248_next(t, p, H248_TOK_NONE)) {
		size_t nl;
		const char *nm = h248_name(t, p, &nl);
		int i = prop_of(p, nm, nl, in);

		if (i < 0) {
			/* (TerminationState's other tokens, Buffer and the
			 * like, mean nothing on a TCP leg: taken) */
			if (in == IQ_DESC_TERMSTATE && p->tok != H248_TOK_OTHER)
				continue;
			return fail(f, H248_E_UNKNOWN_PROP, "%s: %.*s is not supported", what,
				    (int)nl, nm);
		}
		if (seen & (1u << i))
			return fail(f, H248_E_PROP_TWICE, "%s: %.*s appears twice", what, (int)nl,
				    nm);
		seen |= 1u << i;
		if (props[i].read(t, p, nm, nl, m, f) < 0)
			return -1;
	}
	return 0;
}
