/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/sdp: the subset of SDP (RFC 8866, which obsoletes RFC 4566) that an
 * H.248 Local or Remote descriptor carries for a TCP bearer of the access
 * gateway (3GPP TS 29.334 over Iq): one m= line of MSRP (RFC 4975) or BFCP
 * (RFC 8856, which obsoletes RFC 4583) over TCP or TLS, its c=, the TCP
 * setup role (RFC 4145 a=setup, a=connection), the peer's certificate
 * fingerprints (RFC 8122 a=fingerprint, parsed by lib/certfp) and H.248's
 * CHOOSE wildcard `$` (H.248.1 Annex C; H.248.39) where the gateway picks a
 * value: our address, our port.
 *
 * Three steps, each pure (no allocation, no global state, no EAL):
 *   sdp_parse()   text -> struct sdp (syntax, limits; a sentence per error)
 *   sdp_derive()  a termination's Local and Remote -> struct sdp_term
 *                 (TCP and TLS roles, the peer's fingerprints, addresses)
 *   sdp_write()   our answer for the Local descriptor -> text
 * FEATURE.md has the rules, the limits, the role table and what is refused.
 */
#ifndef TP_SDP_H
#define TP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "certfp.h"

/* Limits of sdp_parse(): beyond them the text is refused, not cut. */
#define SDP_SIZE_MAX    4096u  /* octets of the whole description */
#define SDP_LINES_MAX   64u    /* lines, counted from v= (blank edges skipped) */
#define SDP_LINE_MAX    512u   /* octets of a line, its line end not counted */
#define SDP_FP_MAX      4u     /* a=fingerprint lines that apply (IPC_AGW_FP_MAX) */
#define SDP_ORIGIN_MAX  256u   /* o='s value kept, NUL included */
#define SDP_NAME_MAX    128u   /* s='s value kept, NUL included */
#define SDP_TOKEN_MAX   32u    /* m='s media and proto kept, NUL included */
#define SDP_FMT_MAX     64u    /* m='s format list kept, NUL included */
#define SDP_PATH_MAX    480u   /* a=path's value kept, NUL included */
#define SDP_ERR_MSG_MAX 192u   /* struct sdp_error's sentence, NUL included */

enum sdp_err {
	SDP_OK = 0,
#define SDP_ERR(e, name, what) SDP_E_##e,
#include "sdp_errors.def"
#undef SDP_ERR
	SDP_E_COUNT
};

/* "fingerprint" etc. (a stable name for counters and logs); NULL when e
 * is not a code. sdp_err_help(): a sentence on what the code means. */
const char *sdp_err_name(enum sdp_err e);
const char *sdp_err_help(enum sdp_err e);

/* What went wrong: the code, the line (1 is the v= line; 0 when no line
 * is to blame, as for sdp_derive()'s), and a sentence naming the line
 * ("line 4: a=fingerprint: sha-256 needs 32 bytes, 31 given"). */
struct sdp_error {
	enum sdp_err code;
	unsigned int line;
	char msg[SDP_ERR_MSG_MAX];
};

enum sdp_addr_kind {
	SDP_ADDR_NONE = 0,   /* no c= */
	SDP_ADDR_IP,         /* a numeric unicast address */
	SDP_ADDR_CHOOSE,     /* `$`: the gateway picks (Local only) */
	SDP_ADDR_FQDN,       /* a name (RFC 8866 allows it; the gateway resolves none) */
};

/* c=IN IP4|IP6 <addr>. family is AF_INET or AF_INET6 for every kind but
 * NONE (c=IN IP6 $ asks for an IPv6 address of ours). */
struct sdp_addr {
	uint8_t kind;        /* enum sdp_addr_kind */
	uint8_t family;      /* AF_INET, AF_INET6; 0 with SDP_ADDR_NONE */
	uint16_t line;       /* the c= line's number */
	uint8_t ip[16];      /* SDP_ADDR_IP: network order (4 bytes for IPv4) */
};

enum sdp_media_type {
	SDP_MEDIA_OTHER = 0,
	SDP_MEDIA_MESSAGE,      /* m=message: MSRP (RFC 4975) */
	SDP_MEDIA_APPLICATION,  /* m=application: BFCP (RFC 8856) */
};

enum sdp_proto {
	SDP_PROTO_OTHER = 0,     /* kept as text in proto_str; sdp_derive() refuses it */
	SDP_PROTO_TCP_MSRP,
	SDP_PROTO_TCP_TLS_MSRP,
	SDP_PROTO_TCP_BFCP,
	SDP_PROTO_TCP_TLS_BFCP,
};

/* RFC 4145 section 4. NONE: no a=setup line; CHOOSE: a=setup:$ (Local:
 * the gateway picks its role, as with actpass). */
enum sdp_setup {
	SDP_SETUP_NONE = 0,
	SDP_SETUP_ACTIVE,
	SDP_SETUP_PASSIVE,
	SDP_SETUP_ACTPASS,
	SDP_SETUP_HOLDCONN,
	SDP_SETUP_CHOOSE,
};

/* RFC 4145 section 5; NONE: no a=connection line (its default is new). */
enum sdp_connection {
	SDP_CONNECTION_NONE = 0,
	SDP_CONNECTION_NEW,
	SDP_CONNECTION_EXISTING,
};

/*
 * One m= section with what applies to it: a media-level c=, a=setup,
 * a=connection and a=fingerprint lines override the session-level ones
 * (sdp_parse() resolves that; `*_line` say where the value came from).
 */
struct sdp_media {
	uint8_t type;                /* enum sdp_media_type */
	uint8_t proto;               /* enum sdp_proto */
	uint8_t setup;               /* enum sdp_setup */
	uint8_t connection;          /* enum sdp_connection */
	bool port_choose;            /* port is `$` */
	uint8_t nfp;                 /* fingerprints in fp[] */
	bool fp_choose;              /* a=fingerprint:$ (Local: ours is asked for) */
	uint16_t port;               /* when !port_choose */
	uint16_t line;               /* the m= line's number */
	uint16_t setup_line;         /* the a=setup line's number, 0 if none */
	struct sdp_addr addr;        /* media-level c=, else the session's */
	char media_str[SDP_TOKEN_MAX];  /* m='s first field as given */
	char proto_str[SDP_TOKEN_MAX];  /* m='s proto as given */
	char fmt[SDP_FMT_MAX];       /* the format list as given ("*") */
	char path[SDP_PATH_MAX];     /* a=path's value (MSRP), "" if none */
	struct certfp fp[SDP_FP_MAX];
};

/* A parsed description: what the termination needs, and counts of the
 * rest (kept, not interpreted: i=, u=, e=, p=, b=, t=, r=, z=, k= lines
 * and unknown attributes, a=floorctrl, a=confid... among them). */
struct sdp {
	unsigned int nlines;          /* lines from v= on */
	unsigned int nother;          /* lines kept and not interpreted */
	bool has_origin;
	bool has_name;
	bool has_media;               /* one m= line (a second is refused) */
	char origin[SDP_ORIGIN_MAX];  /* o='s value as given, "" if none */
	char name[SDP_NAME_MAX];      /* s='s value as given, "" if none */
	struct sdp_addr addr;         /* session-level c= */
	struct sdp_media media;       /* the m= section (valid with has_media) */
};

/*
 * Parse one description s[0..len) (no NUL needed) as an H.248 Local or
 * Remote descriptor holds it: lines end with CRLF or LF (the last may have
 * none); lines of spaces and tabs before v= and after the last line are
 * skipped (an H.248 encoder puts the descriptor's braces on lines of their
 * own), an empty line between two others is refused. H.248.1 lets o=, s=
 * and t= be left out, and so does this parser; v=0 must come first.
 *
 * Returns 0, or -E2BIG (a limit), -ENOTSUP (well-formed but not taken: a
 * second v= or m=, a hash we refuse) or -EINVAL (malformed), with err (if
 * not NULL) saying which line and why; *out is then zeroed.
 */
int sdp_parse(const char *s, size_t len, struct sdp *out, struct sdp_error *err);

/* ---- one termination: what its Local and Remote mean ------------------- */

enum sdp_role {
	SDP_ROLE_NONE = 0,   /* holdconn: no connection yet (RFC 4145 section 4) */
	SDP_ROLE_CLIENT,     /* TCP active: we connect (and are the TLS client) */
	SDP_ROLE_SERVER,     /* TCP passive: we accept (and are the TLS server) */
};

/* sdp_derive() flags. */
#define SDP_PREFER_CLIENT   0x1u  /* actpass left to us: be active (default passive) */
#define SDP_REMOTE_OFFER    0x2u  /* Remote is the offer (for RFC 4145's default) */
#define SDP_REMOTE_ANSWER   0x4u  /* Remote is the answer (for RFC 4145's default) */

/*
 * What a termination needs, from its Local (what the controller asks of
 * our side: `$` where we pick) and its Remote (the peer's description).
 * Addresses are in network order, families AF_INET/AF_INET6.
 */
struct sdp_term {
	uint8_t role;            /* enum sdp_role */
	uint8_t media;           /* enum sdp_media_type */
	uint8_t proto;           /* enum sdp_proto */
	bool tls;                /* a TCP/TLS/ proto: TLS role = TCP role */
	uint8_t connection;      /* enum sdp_connection (NONE read as new) */
	uint8_t nfp;             /* the peer's fingerprints (Remote's; 0 without TLS) */
	bool fp_asked;           /* Local has a=fingerprint:$ */
	bool local_addr_choose;  /* our address is ours to pick (`$` or no c=) */
	bool local_port_choose;  /* our port is ours to pick (`$`) */
	bool remote_known;       /* a Remote was given */
	uint8_t local_family;    /* from Local's c= (also with `$`), else 0 */
	uint8_t remote_family;   /* from Remote's c=, 0 without Remote */
	uint16_t local_port;     /* Local's port unless local_port_choose (0 without Local) */
	/* The peer's port: where we connect (client), or the one it connects
	 * from (server: 0, any; RFC 4145's port 9 (discard) of an active
	 * end is a placeholder, not its port). */
	uint16_t remote_port;
	uint8_t local_ip[16];
	uint8_t remote_ip[16];
	struct certfp fp[SDP_FP_MAX];
	/* A static sentence: how the role was decided ("Remote is
	 * a=setup:active, so we are passive (RFC 4145)"). */
	const char *why_role;
};

/*
 * local or remote may be NULL (an Add with Local only; Remote comes in a
 * later Modify), not both; each must hold an m= line. The role (RFC 4145
 * section 4.1), in order:
 *   - Local's a=setup active, passive or holdconn is the controller's
 *     word for our role; Remote's, when given, must fit it (active with
 *     passive, holdconn with holdconn), else SDP_E_ROLE_CONFLICT;
 *   - else Remote's: active -> we are passive (server), passive -> we are
 *     active (client), holdconn -> no role yet, actpass -> ours to choose:
 *     passive (server) unless flags hold SDP_PREFER_CLIENT (the gateway
 *     at the access edge has an address a UE behind NAT can reach, the UE
 *     none the gateway could);
 *   - no a=setup on either side: RFC 4145's default (the offerer active,
 *     the answerer passive) when flags say which Remote is
 *     (SDP_REMOTE_OFFER / SDP_REMOTE_ANSWER), else SDP_E_SETUP_MISSING;
 *   - Local alone with actpass, `$` or no a=setup: passive (or active with
 *     SDP_PREFER_CLIENT), the same choice as for a Remote's actpass.
 * Returns 0, or -EINVAL (inconsistent or missing; also flags with an
 * unknown bit or both SDP_REMOTE_OFFER and SDP_REMOTE_ANSWER, as
 * SDP_E_SETUP_MISSING) / -ENOTSUP (a proto or an address kind we do not
 * take) with err saying why; *out is then zeroed.
 */
int sdp_derive(const struct sdp *local, const struct sdp *remote, unsigned int flags,
	       struct sdp_term *out, struct sdp_error *err);

/* ---- our answer ------------------------------------------------------------ */

/* What sdp_write() writes for the Local descriptor of a reply. */
struct sdp_answer {
	uint8_t family;          /* AF_INET, AF_INET6 */
	uint8_t media;           /* SDP_MEDIA_MESSAGE or SDP_MEDIA_APPLICATION */
	uint8_t proto;           /* one of the four; TLS ones need nfp >= 1 */
	uint8_t setup;           /* ACTIVE, PASSIVE or HOLDCONN: our role */
	uint8_t connection;      /* NEW, EXISTING; NONE writes new */
	uint16_t port;           /* ours; 0 with ACTIVE or HOLDCONN writes 9 (RFC 4145) */
	uint8_t ip[16];          /* our address, network order */
	uint64_t sess_id;        /* o='s sess-id and sess-version */
	uint64_t sess_version;
	const char *fmt;         /* NULL: "*" (MSRP and BFCP); else tokens separated by spaces */
	const char *path;        /* a=path (MSRP only), NULL for none */
	const struct certfp *fp; /* our certificate's fingerprints, nfp of them */
	unsigned int nfp;        /* 0..SDP_FP_MAX */
};

/*
 * Write a's description into buf (CRLF line ends, NUL-terminated):
 *   v=0, o=- <id> <version> IN IP4|IP6 <addr>, s=-, c=IN IP4|IP6 <addr>,
 *   m=<media> <port> <proto> <fmt>, a=setup:<role>, a=connection:<new|existing>,
 *   a=fingerprint:<alg> <hex> for each of ours (TLS), a=path when given.
 * What it writes sdp_parse() takes back with the same values. Returns the
 * length (without the NUL), -EINVAL (a not valid: a field out of its
 * range, a TLS proto without a fingerprint, a fmt or path that would not
 * parse back) or -ENOSPC (buf too small; buf then holds "").
 */
int sdp_write(const struct sdp_answer *a, char *buf, size_t size);

/* "active", "passive", "actpass", "holdconn", "$"; NULL for NONE and others. */
const char *sdp_setup_name(enum sdp_setup s);
/* "TCP/MSRP" etc.; NULL for SDP_PROTO_OTHER and others. */
const char *sdp_proto_name(enum sdp_proto p);
/* The proto is one of the TLS ones. */
bool sdp_proto_tls(enum sdp_proto p);

#endif /* TP_SDP_H */
