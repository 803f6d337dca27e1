/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/sdp: the subset of SDP (RFC 8866, which obsoletes RFC 4566) that an
 * H.248 Local or Remote descriptor carries for a bearer of the access
 * gateway (3GPP TS 29.334 over Iq): one m= line, either
 *   - MSRP (RFC 4975) or BFCP (RFC 8856, which obsoletes RFC 4583) over TCP
 *     or TLS, with the TCP setup role (RFC 4145 a=setup, a=connection) and
 *     the peer's certificate fingerprints (RFC 8122 a=fingerprint, parsed
 *     by lib/certfp), or
 *   - RTP media (m=audio, video or text over RTP/AVP, RTP/AVPF, RTP/SAVP,
 *     RTP/SAVPF) with a=rtcp (RFC 3605), a=rtcp-mux (RFC 5761), the
 *     direction (RFC 8866 section 6.7), the codec lines passed through, and
 *     SDES keys (RFC 4568 a=crypto; suites of RFC 4568, RFC 6188, RFC 7714);
 * its c=, and H.248's CHOOSE wildcard `$` (H.248.1 Annex C; H.248.39) where
 * the gateway picks a value: our address, our port, our SRTP key. And what
 * a WebRTC offer carries beside (DTLS-SRTP's UDP/TLS/RTP/SAVP(F), ICE's
 * lines of RFC 8839, a=tls-id, a=mid and a=group:BUNDLE, a=extmap, a=ssrc),
 * in one section or, with sdp_parse_desc(), in every section of an offer.
 *
 * Three steps, each pure (no allocation, no global state, no EAL):
 *   sdp_parse()       text -> struct sdp (syntax, limits; a sentence per
 *                     error)                                 sdp_parse.c
 *   sdp_derive()      a TCP termination's Local and Remote -> struct sdp_term
 *                     (TCP and TLS roles, the peer's fingerprints,
 *                     addresses)                             sdp_derive.c
 *   sdp_rtp_derive()  an RTP termination's -> struct sdp_rtp_term (ports,
 *                     RTCP, the SRTP suite and the peer's key)
 *                                                            sdp_rtp_derive.c
 *   sdp_write(), sdp_rtp_write()  our answer for the Local descriptor -> text
 *   sdp_crypto_write()  one a=crypto line of ours, and the bounded writer
 *                     they write through (for cp/ng's rewriter) sdp_write.c
 *   sdp_parse_desc()  a whole offer, every m= section      sdp_parse.c
 *   sdp_parse_section()  one of its sections, to its limits  sdp_parse.c
 *   sdp_webrtc_put()  our ICE, DTLS and BUNDLE lines       sdp_write_webrtc.c
 * (the rules both derivers apply to the two sides: sdp_side.c; the names of
 * codes and values: sdp_names.c; the WebRTC lines read: sdp_parse_webrtc.c;
 * priorities, foundations, the peer's fingerprints: sdp_webrtc.c).
 * FEATURE.md has the rules, the limits, the tables and what is refused.
 *
 * Key material: struct sdp, struct sdp_rtp_term and struct sdp_rtp_answer
 * hold SRTP master keys (struct sdp_crypto's key[]); a caller wipes them
 * (explicit_bzero) when done. No error sentence ever carries a key.
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
#define SDP_H248_FMT_MAX 64u   /* m='s format list, NUL included (sdp_parse_desc(): SDP_FMT_MAX) */
#define SDP_PATH_MAX    480u   /* a=path's value kept, NUL included */
#define SDP_ERR_MSG_MAX 192u   /* struct sdp_error's sentence, NUL included */
#define SDP_CRYPTO_MAX  8u     /* a=crypto lines kept for the m= line */
#define SDP_KEY_MAX     46u    /* an SRTP master key || master salt (AES_256_CM: 32 + 14) */
#define SDP_PT_MAX      32u    /* RTP payload types in m='s format list */
#define SDP_H248_CODEC_MAX 1024u /* the codec lines, NUL included (sdp_parse_desc(): SDP_CODEC_MAX) */

/* WebRTC's lines (RFC 8839 ICE, RFC 8842 tls-id, RFC 5888 and RFC 9143
 * mid and BUNDLE, RFC 8285 extmap, RFC 5576 ssrc): what is kept of them. */
#define SDP_ICE_UFRAG_MAX  257u  /* a=ice-ufrag: 4..256 ice-chars, NUL included */
#define SDP_ICE_PWD_MAX    257u  /* a=ice-pwd: 22..256 ice-chars, NUL included */
#define SDP_FOUNDATION_MAX 33u   /* a candidate's foundation: 1..32 ice-chars, NUL included */
#define SDP_CAND_MAX       16u   /* a=candidate lines of one m= section */
#define SDP_CAND_NAME_MAX  64u   /* a candidate's name (an mDNS .local one), NUL included */
#define SDP_TLS_ID_MAX     256u  /* a=tls-id: 20..255 characters, NUL included */
#define SDP_MID_MAX        33u   /* a=mid: 1..32 token characters, NUL included */
#define SDP_EXTMAP_MAX     16u   /* a=extmap lines that apply to one m= section */
#define SDP_EXTMAP_URI_MAX 128u  /* an a=extmap URI, NUL included */
#define SDP_SSRC_MAX       16u   /* distinct SSRCs of one m= section's a=ssrc lines */
#define SDP_GROUP_MAX      4u    /* a=group:BUNDLE lines */

/* Limits of sdp_parse_desc() (a whole offer, a browser's: every m= section,
 * a video section's codec lines), and what a section holds for it. */
#define SDP_DESC_SIZE_MAX  16384u  /* octets (cp/ng's NG_SDP_SIZE_MAX) */
#define SDP_DESC_LINES_MAX 512u    /* lines */
#define SDP_SECTIONS_MAX   8u      /* m= sections (cp/ng's NG_SDP_MEDIA_MAX); a BUNDLE group names at most as many */
#define SDP_FMT_MAX        128u    /* m='s format list kept, NUL included (sdp_parse(): SDP_H248_FMT_MAX) */
#define SDP_CODEC_MAX      4096u   /* the codec lines kept for the answer, NUL included (sdp_parse(): SDP_H248_CODEC_MAX) */

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
/* Fill err (NULL: nothing) with code, line and "line N: " (N > 0) and the
 * sentence; returns rc, for a caller's return (lib/sdp's readers, and
 * cp/ng's reader of a whole description). */
struct sdp_error;
int sdp_fail(struct sdp_error *err, enum sdp_err code, unsigned int line, int rc,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
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
	SDP_MEDIA_AUDIO,        /* m=audio over RTP */
	SDP_MEDIA_VIDEO,        /* m=video over RTP */
	SDP_MEDIA_TEXT,         /* m=text over RTP (real-time text, RFC 4103) */
};

enum sdp_proto {
	SDP_PROTO_OTHER = 0,     /* kept as text in proto_str; the derivers refuse it */
	SDP_PROTO_TCP_MSRP,
	SDP_PROTO_TCP_TLS_MSRP,
	SDP_PROTO_TCP_BFCP,
	SDP_PROTO_TCP_TLS_BFCP,
	SDP_PROTO_RTP_AVP,       /* RFC 3551, over UDP */
	SDP_PROTO_RTP_AVPF,      /* RFC 4585 */
	SDP_PROTO_RTP_SAVP,      /* RFC 3711 */
	SDP_PROTO_RTP_SAVPF,     /* RFC 5124 */
	SDP_PROTO_UDP_TLS_RTP_SAVP,   /* DTLS-SRTP (RFC 5764 section 8) */
	SDP_PROTO_UDP_TLS_RTP_SAVPF,  /* DTLS-SRTP with RTCP feedback: a browser's */
	SDP_PROTO_COUNT
};

/* RFC 8866 section 6.7: a=sendrecv, sendonly, recvonly, inactive. NONE:
 * no such line (sendrecv is the default). */
enum sdp_dir {
	SDP_DIR_NONE = 0,
	SDP_DIR_SENDRECV,
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
};

/* SRTP crypto-suites of a=crypto: RFC 4568 section 6.2, RFC 6188 section
 * 7 (AES-192/256 counter mode), RFC 7714 section 14.2 (AES-GCM). OTHER:
 * a name not known here (F8_128_HMAC_SHA1_80, the SEED suites...): kept,
 * never chosen. */
enum sdp_suite {
	SDP_SUITE_OTHER = 0,
	SDP_SUITE_AES_CM_128_HMAC_SHA1_80,
	SDP_SUITE_AES_CM_128_HMAC_SHA1_32,
	SDP_SUITE_AES_192_CM_HMAC_SHA1_80,
	SDP_SUITE_AES_192_CM_HMAC_SHA1_32,
	SDP_SUITE_AES_256_CM_HMAC_SHA1_80,
	SDP_SUITE_AES_256_CM_HMAC_SHA1_32,
	SDP_SUITE_AEAD_AES_128_GCM,
	SDP_SUITE_AEAD_AES_256_GCM,
	SDP_SUITE_COUNT
};

/* A bit per suite, for sdp_rtp_derive()'s `suites` (what the gateway's
 * SRTP, dp's own, takes: dp/rtp/FEATURE.md). */
#define SDP_SUITE_BIT(s)  (1u << (s))
#define SDP_SUITES_ALL    (((1u << SDP_SUITE_COUNT) - 1u) & ~1u)

/*
 * One a=crypto line (RFC 4568 section 9.1):
 *   a=crypto:<tag> <crypto-suite> inline:<key||salt base64>[|<lifetime>][|<MKI>:<length>] [<session-param>...]
 * In Local, `$` stands for what the gateway picks: `a=crypto:$` (all of
 * it: see struct sdp_media's crypto_choose), a tag `$`, or `inline:$` (our
 * key, generated by the gateway). A line the gateway will not use (a suite
 * not known, a session parameter not honoured) is kept with `unusable`
 * saying why; sdp_rtp_derive() passes it over (RFC 4568 section 5.1.2: the
 * answerer picks a line it supports).
 */
struct sdp_crypto {
	uint32_t tag;           /* 0..999999999 (unless tag_choose) */
	uint8_t suite;          /* enum sdp_suite */
	uint8_t key_len;        /* octets in key[]: the suite's master key || salt; 0 with key_choose or OTHER */
	uint8_t mki_len;        /* MKI length in octets, 0: no MKI */
	bool tag_choose;        /* tag `$` (Local) */
	bool key_choose;        /* inline:$ (Local) */
	uint16_t line;          /* the a=crypto line's number */
	uint16_t wsh;           /* WSH= (replay window hint, RFC 4568 section 6.3.6), 0: none */
	uint32_t mki;           /* MKI value (mki_len > 0) */
	uint64_t lifetime;      /* key lifetime in packets, 0: not given */
	uint8_t key[SDP_KEY_MAX];
	char suite_str[SDP_TOKEN_MAX];  /* the suite as given */
	/* NULL, or a static sentence: why the gateway will not use this
	 * line ("UNENCRYPTED_SRTCP: the gateway does not send SRTCP in
	 * the clear") */
	const char *unusable;
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

/* ---- WebRTC's lines -------------------------------------------------------- */

/* RFC 8839 section 5.1's candidate types (RFC 8445 section 5.1.1). OTHER:
 * a type token not known here (kept, never used). */
enum sdp_cand_type {
	SDP_CAND_OTHER = 0,
	SDP_CAND_HOST,
	SDP_CAND_SRFLX,
	SDP_CAND_PRFLX,
	SDP_CAND_RELAY,
};

/* A candidate's transport: UDP (RFC 8839), TCP (RFC 6544), or another
 * token (kept as OTHER). */
enum sdp_cand_transport {
	SDP_TRANSPORT_OTHER = 0,
	SDP_TRANSPORT_UDP,
	SDP_TRANSPORT_TCP,
};

/* RFC 6544 section 4.5: a TCP candidate's tcptype; NONE: not given. */
enum sdp_tcptype {
	SDP_TCPTYPE_NONE = 0,
	SDP_TCPTYPE_ACTIVE,
	SDP_TCPTYPE_PASSIVE,
	SDP_TCPTYPE_SO,
};

/*
 * One a=candidate line (RFC 8839 section 5.1):
 *   a=candidate:<foundation> <component-id> <transport> <priority>
 *               <connection-address> <port> typ <cand-type>
 *               [raddr <address>] [rport <port>] *(<extension-name> <value>)
 * The address is numeric (IPv4, or IPv6 when it has a colon) or a name
 * (an FQDN, or a browser's mDNS name "<uuid>.local", RFC 8839 section
 * 5.1 and draft-ietf-mmusic-mdns-ice-candidates): a name is kept in
 * name[], the gateway resolves none (a candidate it cannot use). raddr
 * and rport are for diagnostics (RFC 8839): kept when numeric, a name
 * there is kept as its kind only. Extensions (generation, network-id,
 * network-cost, ufrag...) are counted but tcptype.
 */
struct sdp_candidate {
	char foundation[SDP_FOUNDATION_MAX];
	uint8_t type;                /* enum sdp_cand_type */
	uint8_t transport;           /* enum sdp_cand_transport */
	uint8_t tcptype;             /* enum sdp_tcptype */
	uint8_t next;                /* extension pairs (tcptype not counted) */
	uint16_t component;          /* 1..256: 1 RTP, 2 RTCP */
	uint16_t port;
	uint16_t rport;              /* rport, 0 if not given */
	uint16_t line;               /* the a=candidate line's number */
	uint32_t priority;           /* 1..2^31-1 (RFC 8445 section 5.1.2) */
	struct sdp_addr addr;        /* kind IP, or FQDN (name[]); line 0 */
	struct sdp_addr raddr;       /* kind NONE if not given; FQDN: the name not kept */
	char name[SDP_CAND_NAME_MAX];/* addr.kind FQDN: the name as given, else "" */
};

/* a=ice-options tags (RFC 8839 section 5.6) known here; OTHER: another. */
#define SDP_ICE_OPT_TRICKLE      0x1u   /* RFC 8840: candidates trickle */
#define SDP_ICE_OPT_ICE2         0x2u   /* RFC 8445 (not RFC 5245) */
#define SDP_ICE_OPT_RENOMINATION 0x4u   /* Chromium's renomination */
#define SDP_ICE_OPT_OTHER        0x80u  /* a tag not known here */

/*
 * ICE of one m= section (RFC 8839 section 5), the media level's lines,
 * else the session level's (ufrag, pwd, options, end-of-candidates). The
 * password is a credential (it keys the checks' MESSAGE-INTEGRITY): it is
 * never in an error's sentence, and a caller wipes it as it wipes keys.
 */
struct sdp_ice {
	char ufrag[SDP_ICE_UFRAG_MAX];  /* "" if none */
	char pwd[SDP_ICE_PWD_MAX];      /* "" if none (both or neither) */
	uint16_t ufrag_line, pwd_line;  /* 0 if none */
	uint8_t options;                /* SDP_ICE_OPT_* */
	bool end_of_candidates;         /* a=end-of-candidates (RFC 8840 section 8.2) */
	bool mismatch;                  /* a=ice-mismatch (RFC 8839 section 5.5) */
	uint8_t ncand;                  /* candidates in cand[], in their order */
	uint8_t nremote;                /* a=remote-candidates' (component, address, port)s */
	struct sdp_candidate cand[SDP_CAND_MAX];
};

/* RFC 8285 section 8: a=extmap:<id>[/<direction>] <URI> [<attributes>]. */
struct sdp_extmap {
	uint16_t id;                 /* 1..14, 1..255 (two-byte form), 4096..4351 (offers) */
	uint8_t dir;                 /* enum sdp_dir; NONE if not given (sendrecv) */
	uint16_t line;
	char uri[SDP_EXTMAP_URI_MAX];
};

/* RFC 9143's MID header extension, the one BUNDLE demultiplexes by. */
#define SDP_EXT_MID "urn:ietf:params:rtp-hdrext:sdes:mid"

/* One a=group:BUNDLE line (RFC 5888 section 5, RFC 9143): its mids, in
 * order (the first is the offerer's tagged m= section). */
struct sdp_group {
	uint16_t line;
	uint8_t ntag;
	char tag[SDP_SECTIONS_MAX][SDP_MID_MAX];
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
	/* RTP (any proto: the attributes are parsed wherever they come;
	 * only sdp_rtp_derive() reads them) */
	uint8_t dir;                 /* enum sdp_dir: the medium's, else the session's */
	uint8_t npt;                 /* payload types in pt[] (RTP protos) */
	bool rtcp_mux;               /* a=rtcp-mux (RFC 5761) */
	bool rtcp_choose;            /* a=rtcp:$ (Local: ours to pick) */
	bool crypto_choose;          /* a=crypto:$ (Local: the gateway picks suite, tag and key) */
	uint8_t ncrypto;             /* a=crypto lines in crypto[], in their order */
	uint16_t rtcp_port;          /* a=rtcp's port (RFC 3605), 0 if none */
	uint16_t rtcp_line;          /* the a=rtcp line's number, 0 if none */
	uint16_t ptime;              /* a=ptime in ms (fraction dropped), 0 if none */
	uint16_t maxptime;           /* a=maxptime in ms, 0 if none */
	struct sdp_addr rtcp_addr;   /* a=rtcp's address, kind NONE if none */
	uint8_t pt[SDP_PT_MAX];      /* the format list as RTP payload types (RTP protos) */
	struct sdp_crypto crypto[SDP_CRYPTO_MAX];
	/* The medium's a=rtpmap, a=fmtp, a=ptime, a=maxptime, a=rtcp-fb and
	 * a=framerate lines as given, each with CRLF, in their order: what
	 * an answer repeats (the gateway does not transcode). "" if none. */
	char codec[SDP_CODEC_MAX];
	/* WebRTC (any proto; the media level's, else the session's where
	 * the RFC allows both) */
	char mid[SDP_MID_MAX];       /* a=mid (RFC 5888 section 4), "" if none */
	char tls_id[SDP_TLS_ID_MAX]; /* a=tls-id (RFC 8842 section 4), "" if none */
	uint16_t mid_line, tls_id_line;
	bool bundle_only;            /* a=bundle-only (RFC 9143 section 6) */
	bool rtcp_mux_only;          /* a=rtcp-mux-only (RFC 8858) */
	bool rtcp_rsize;             /* a=rtcp-rsize (RFC 5506) */
	bool extmap_allow_mixed;     /* a=extmap-allow-mixed here or at session level (RFC 8285 section 6) */
	uint8_t bundle;              /* 1 + the index in struct sdp's group[] naming mid; 0: none */
	uint8_t nextmap;             /* extmap[]: the medium's, then the session's other ids */
	uint8_t nssrc;               /* distinct SSRCs of a=ssrc lines (RFC 5576), in order */
	uint32_t ssrc[SDP_SSRC_MAX];
	struct sdp_extmap extmap[SDP_EXTMAP_MAX];
	struct sdp_ice ice;
};

/* A parsed description: what the termination needs, and counts of the
 * rest (kept, not interpreted: i=, u=, e=, p=, b=, t=, r=, z=, k= lines
 * and unknown attributes, a=floorctrl, a=confid, a=curr, a=des... among
 * them; the attributes of struct sdp_media are not counted). */
struct sdp {
	unsigned int nlines;          /* lines from v= on */
	unsigned int nother;          /* lines kept and not interpreted */
	bool has_origin;
	bool has_name;
	bool has_media;               /* one m= line (a second is refused) */
	char origin[SDP_ORIGIN_MAX];  /* o='s value as given, "" if none */
	char name[SDP_NAME_MAX];      /* s='s value as given, "" if none */
	struct sdp_addr addr;         /* session-level c= */
	bool ice_lite;                /* a=ice-lite (RFC 8839 section 5.3: session level) */
	uint8_t ngroup;               /* a=group:BUNDLE lines in group[] (other semantics: nother) */
	struct sdp_group group[SDP_GROUP_MAX];
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

/*
 * One description with one m= section, as sdp_parse() reads it, to
 * sdp_parse_desc()'s limits (SDP_DESC_SIZE_MAX octets, SDP_DESC_LINES_MAX
 * lines, SDP_FMT_MAX of format list, SDP_CODEC_MAX of codec lines): what
 * cp/ng reads each section of an offer as. A browser's video section does
 * not fit H.248's limits (Chromium 156's: 124 lines, 23 payload types, 2.5
 * KB of codec lines). Returns and errors as sdp_parse().
 */
int sdp_parse_section(const char *s, size_t len, struct sdp *out, struct sdp_error *err);

/*
 * A whole description with its m= sections (a browser's offer: audio and
 * video bundled on one transport), each read as sdp_parse() reads its one
 * (the session's values where the section gives none), to the larger
 * limits SDP_DESC_*: up to SDP_SECTIONS_MAX sections (a further m= is
 * SDP_E_MEDIA_COUNT, -E2BIG), SDP_CODEC_MAX octets of codec lines and
 * SDP_FMT_MAX of format list a section (sdp_parse(): SDP_H248_*). Across the sections: a mid
 * names one section only (SDP_E_MID); each a=group:BUNDLE names sections
 * that exist, each once, none in two groups (SDP_E_BUNDLE, RFC 9143
 * section 7), and sets their `bundle`.
 */
struct sdp_desc {
	struct sdp s;             /* the session level (s.has_media false: s.media unused) */
	unsigned int nmedia;
	struct sdp_media media[SDP_SECTIONS_MAX];
};

/* Returns 0, or -E2BIG, -ENOTSUP or -EINVAL as sdp_parse(); *out is then
 * zeroed. out holds SRTP keys and ICE passwords: wipe it when done. */
int sdp_parse_desc(const char *s, size_t len, struct sdp_desc *out, struct sdp_error *err);

/* One m= section's a=mid as sdp_bundle_check() takes it: mid NULL or ""
 * when it has none; line, its a=mid line (for the sentences). */
struct sdp_mid_ref {
	const char *mid;
	unsigned int line;
};

/*
 * BUNDLE's rules across a description's sections, the ones
 * sdp_parse_desc() applies, for a caller that reads the sections on its
 * own (cp/ng reads each with sdp_parse(), which sees one): each mid names
 * one section (RFC 5888 section 4: SDP_E_MID, the second a=mid's line);
 * each group's mids name sections, each once in the group (SDP_E_GROUP),
 * no section in two groups (RFC 9143 section 7: SDP_E_BUNDLE, the
 * group's line). groups[0..ngroup): struct sdp's group[] as sdp_parse()
 * read them (a group's ninth mid is refused there: SDP_E_BUNDLE, -E2BIG);
 * sec[0..nsec): every section's mid, in the description's order, at most
 * SDP_SECTIONS_MAX. bundle: NULL, or nsec octets set to 1 + the index of
 * the group that names the section, 0 for none. Returns 0, or -EINVAL
 * with err (bundle then untouched). Pure.
 */
int sdp_bundle_check(const struct sdp_group *groups, unsigned int ngroup,
		     const struct sdp_mid_ref *sec, unsigned int nsec, uint8_t *bundle,
		     struct sdp_error *err);

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

/* ---- one RTP termination ------------------------------------------------- */

/*
 * What an RTP termination needs from its Local and Remote. Ports and
 * addresses in host order (ports) and network order (addresses), families
 * AF_INET/AF_INET6. See FEATURE.md for the rules.
 */
struct sdp_rtp_term {
	uint8_t media;            /* SDP_MEDIA_AUDIO, _VIDEO or _TEXT */
	uint8_t proto;            /* one of the four RTP protos */
	bool srtp;                /* RTP/SAVP or RTP/SAVPF (SDES: a=crypto) */
	bool dtls;                /* UDP/TLS/RTP/SAVP or _SAVPF (SDP_RTP_TAKE_DTLS):
				   * keys from a handshake, no a=crypto read; the
				   * caller reads a=setup, a=fingerprint, a=tls-id */
	bool rtcp_mux;            /* RTCP on the RTP port: agreed, or (no Remote) what Local offers */
	bool remote_known;        /* a Remote was given */
	bool local_addr_choose;   /* our address is ours to pick (`$` or no c=) */
	bool local_port_choose;   /* our port is ours to pick (`$`) */
	bool key_choose;          /* SRTP: our key is ours to make (CSPRNG); else ours.key holds it */
	uint8_t local_family;     /* from Local's c= (also with `$`), else 0 */
	uint8_t remote_family;    /* from Remote's c=, 0 without Remote */
	uint8_t local_dir;        /* enum sdp_dir: Local's (NONE if not said) */
	uint8_t remote_dir;       /* enum sdp_dir: Remote's */
	uint16_t local_port;      /* Local's port unless local_port_choose (0 without Local) */
	uint16_t local_rtcp_port; /* Local's a=rtcp port, 0: none (RTP port + 1, or the RTP port with mux) */
	uint16_t remote_port;     /* the peer's RTP port */
	uint16_t remote_rtcp_port;/* the peer's RTCP port: a=rtcp's, else port + 1; the RTP port with mux */
	uint8_t local_ip[16];
	uint8_t remote_ip[16];
	uint8_t remote_rtcp_ip[16]; /* a=rtcp's address, else remote_ip */
	/* SRTP with a Remote: the peer's line taken (RFC 4568 section 5.1.2:
	 * the first one the gateway supports, in Remote's order): the suite
	 * and the key of what the peer sends us. */
	struct sdp_crypto peer;
	/* SRTP with a Remote: our line for the answer: the peer's tag and
	 * suite (RFC 4568 section 5.1.2), our key when Local gave one (else
	 * key_choose and key_len 0). */
	struct sdp_crypto ours;
	/* Static sentences, NULL when there is nothing to say: how the SRTP
	 * line was picked; why RTCP is not muxed though asked for. */
	const char *why_crypto;
	const char *why_mux;
};

/*
 * local or remote may be NULL (an Add with Local only: we offer; Remote
 * later), not both; each must hold an RTP m= line (audio, video or text
 * over one of the four RTP protos), the same media and proto on both.
 * `suites` is a mask of SDP_SUITE_BIT()s the gateway's SRTP takes (0: all
 * known ones). Rules (FEATURE.md has the tables):
 *   - addresses and ports as sdp_derive()'s: `$`/no c= in Local is ours to
 *     pick; Remote needs a numeric address and a port other than 0 and $;
 *   - RTCP: Remote's a=rtcp port (and address), else its RTP port + 1
 *     (RFC 3605); mux when both sides have a=rtcp-mux, or the one side
 *     given has it, unless a payload type in 64..95 would collide with
 *     RTCP's packet types (RFC 5761 section 4);
 *   - SRTP (SAVP/SAVPF): Remote needs a=crypto; the first of Remote's
 *     lines that is usable, of a suite in `suites`, and allowed by Local
 *     (Local's own lines of that suite, or a=crypto:$, or none) is taken.
 *     Our answer line has its tag and suite; our key is Local's line's for
 *     that suite when it gave one, else ours to make (key_choose).
 *     Without Remote: key_choose; the offer's lines are Local's (or, for
 *     a=crypto:$ or none, the caller's choice of suites).
 * Returns 0, or -EINVAL (inconsistent or missing) / -ENOTSUP (a proto,
 * an address kind or no suite we take) with err saying why; *out is then
 * zeroed.
 */
int sdp_rtp_derive(const struct sdp *local, const struct sdp *remote, unsigned int suites,
		   struct sdp_rtp_term *out, struct sdp_error *err);

/*
 * sdp_rtp_derive() with flags: SDP_RTP_TAKE_DTLS takes the DTLS-SRTP
 * protos (UDP/TLS/RTP/SAVP, UDP/TLS/RTP/SAVPF, RFC 5764 section 8) too,
 * with the same rules for addresses, ports, RTCP and directions; out->dtls
 * says so, out->srtp stays false (no a=crypto is read: the handshake
 * makes the keys) and the caller judges a=setup, a=fingerprint and
 * a=tls-id (sdp_dtls_fp(); cp/agw's rule). An unknown flag: -EINVAL.
 */
#define SDP_RTP_TAKE_DTLS 0x1u
int sdp_rtp_derive_flags(const struct sdp *local, const struct sdp *remote, unsigned int suites,
			 unsigned int flags, struct sdp_rtp_term *out, struct sdp_error *err);

struct sdp_webrtc_ours;

/* What sdp_rtp_write() writes for the Local descriptor of a reply. */
struct sdp_rtp_answer {
	uint8_t family;           /* AF_INET, AF_INET6 */
	uint8_t media;            /* SDP_MEDIA_AUDIO, _VIDEO or _TEXT */
	uint8_t proto;            /* one of the four RTP protos, or a DTLS-SRTP one */
	uint8_t dir;              /* enum sdp_dir; NONE writes no line */
	bool rtcp_mux;            /* writes a=rtcp-mux (and no a=rtcp) */
	uint16_t port;            /* ours; 0: the stream refused (RFC 3264 section 6) */
	uint16_t rtcp_port;       /* ours when not muxed: a=rtcp:<port> if not 0 */
	uint8_t ip[16];           /* our address, network order */
	uint64_t sess_id;         /* o='s sess-id and sess-version */
	uint64_t sess_version;
	const char *fmt;          /* the payload types, separated by single spaces */
	/* Lines to repeat after m= (Local's, or Remote's, codec[]): "a=..."
	 * each ending with CRLF; NULL for none. Not one of the attributes
	 * written here (rtcp, rtcp-mux, crypto, the direction). */
	const char *attrs;
	/* Our a=crypto lines: 1 for an answer (the peer's tag and suite), up
	 * to SDP_CRYPTO_MAX for an offer; each with its tag and suite, key
	 * (key_len of the suite's), optional lifetime and MKI. 0 without SRTP. */
	const struct sdp_crypto *crypto;
	unsigned int ncrypto;
	/* Our WebRTC lines (sdp_webrtc_put()'s), after the a=crypto ones;
	 * NULL: none. A DTLS-SRTP proto (UDP/TLS/RTP/SAVP, _SAVPF) needs
	 * them with a fingerprint and a setup, and no a=crypto. */
	const struct sdp_webrtc_ours *webrtc;
	bool ice_lite;            /* a=ice-lite at session level (needs webrtc's ICE) */
	bool bundle;              /* a=group:BUNDLE <webrtc->mid> at session level */
};

/*
 * Write a's description into buf (CRLF line ends, NUL-terminated):
 *   v=0, o=- <id> <version> IN IP4|IP6 <addr>, s=-, c=IN IP4|IP6 <addr>,
 *   [a=ice-lite,] [a=group:BUNDLE <mid>,] m=<media> <port> <proto> <fmt>, the attrs lines, a=rtcp:<port> or
 *   a=rtcp-mux, a=<direction>, a=crypto:<tag> <suite> inline:<key>[|<lifetime>][|<mki>:<len>],
 *   the WebRTC lines of sdp_webrtc_put().
 * What it writes sdp_parse() takes back with the same values. Returns the
 * length (without the NUL), -EINVAL (a not valid: a field out of its
 * range, a SAVP proto without a crypto line or an AVP one with one, a key
 * of the wrong length, attrs that would not parse back, a DTLS-SRTP proto
 * without our fingerprint and setup or with a crypto line, WebRTC lines
 * sdp_webrtc_put() refuses, ice_lite without ICE, bundle without a mid;
 * no more than sdp_parse()'s SDP_SIZE_MAX and SDP_LINES_MAX) or -ENOSPC (buf
 * too small; buf then holds ""). buf holds our key: wipe it when done.
 */
int sdp_rtp_write(const struct sdp_rtp_answer *a, char *buf, size_t size);

/* The media clock of md's first payload type (jitter's units): its
 * a=rtpmap's rate, else RFC 3551's for the static ones that are not 8000;
 * 0 for 8000 (dp's default). */
uint32_t sdp_rtp_clock(const struct sdp_media *md);

/* ---- codecs (sdp_codec.c) ---------------------------------------------- */

/*
 * One payload type's encoding as its a=rtpmap names it (RFC 8866 section
 * 6.6: <payload type> <encoding name>/<clock rate>[/<channels>]).
 */
#define SDP_ENC_NAME_MAX 32u     /* an encoding name, NUL included (a longer one is read as none) */
struct sdp_rtpmap {
	uint8_t pt;                  /* 0..127 */
	uint8_t channels;            /* 1 when not given (RFC 8866 section 6.6) */
	uint32_t rate;               /* the clock rate in Hz; 0 without a=rtpmap */
	char name[SDP_ENC_NAME_MAX]; /* as given ("PCMU", "opus"); "" without a=rtpmap */
};

/* pt's a=rtpmap among md's codec lines (struct sdp_media's codec[]) into
 * out. Returns 0; -ENOENT when there is none (out then holds pt alone, a
 * static payload type's usual case), -EINVAL for a pt above 127 or a
 * clock rate or channel count of 0 (or channels above 255). */
int sdp_rtpmap_of(const struct sdp_media *md, unsigned int pt, struct sdp_rtpmap *out);
/* RFC 3264 section 6.1: a key that an offer's and an answer's payload
 * types share when they name one codec, whatever numbers each side gave
 * it: a hash of the encoding name (case-insensitive, RFC 8866 section
 * 6.6), clock rate and channels with the top bit set; for a static
 * payload type RFC 3551 assigns (tables 4 and 5) its encoding there,
 * whatever its a=rtpmap says (so 0 and a dynamic PCMU/8000 share one),
 * for a dynamic one (or a static one RFC 3551 leaves unassigned) its
 * a=rtpmap's, or without one its number (0..127). Two codecs that
 * differ have keys that differ, but for a 31-bit hash's collision (1 in
 * 2^31 a pair). */
uint32_t sdp_codec_key(const struct sdp_rtpmap *c);
/* c carries no medium of its own: RFC 4733's telephone-event, RFC 3389's
 * CN (static 13, or by name), RFC 2198's red (another codec's redundancy). */
bool sdp_codec_supplemental(const struct sdp_rtpmap *c);
/* "<pt>[ <name>/<rate>[/<channels>]]" appended to w (channels when not 1). */
struct sdp_wbuf;
void sdp_rtpmap_put(struct sdp_wbuf *w, const struct sdp_rtpmap *c);

/*
 * One a=crypto line as sdp_rtp_write() writes it, CRLF included,
 * NUL-terminated:
 *   a=crypto:<tag> <suite> inline:<key>[|<lifetime>][|<mki>:<len>][ WSH=<n>]
 * for a writer of a whole description of its own (cp/ng's). c is checked
 * before the size: -EINVAL (c cannot be written: sdp_rtp_write()'s
 * refusals of a crypto line) whatever size is; then the length (without
 * the NUL) or -ENOSPC (buf too small, wiped, "" when size > 0; buf may be
 * NULL with size 0). buf holds the key: wipe it when done.
 */
#define SDP_CRYPTO_LINE_MAX 192u  /* the longest line it writes, CRLF and NUL included */
int sdp_crypto_write(const struct sdp_crypto *c, char *buf, size_t size);

/* ---- the bounded writer ------------------------------------------------ */

/*
 * Text written into a caller's buffer of `size` octets, NUL-terminated as
 * it goes (sdp_write(), sdp_rtp_write() and sdp_crypto_write() write
 * through it, and so does cp/ng's rewrite of a whole description). What
 * does not fit with its NUL sets `over`, and nothing after it is written:
 * a writer puts everything, then looks at `over` once. The buffer is the
 * caller's: past `over` it holds a prefix of the text (and of its keys),
 * which the caller clears or wipes.
 */
struct sdp_wbuf {
	char *p;
	size_t size;    /* octets of p, the NUL's included */
	size_t n;       /* octets written, the NUL not counted */
	bool over;      /* something did not fit (from the start when size is 0) */
};

/* w over buf[0..size): "" written when size > 0 (buf may be NULL with size 0). */
void sdp_wbuf_init(struct sdp_wbuf *w, char *buf, size_t size);
/* printf's text, or n octets of s (no NUL needed), appended; nothing once over. */
void sdp_put(struct sdp_wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sdp_put_mem(struct sdp_wbuf *w, const void *s, size_t n);

/* ---- names ----------------------------------------------------------------- */

/* "AES_CM_128_HMAC_SHA1_80" etc.; NULL for OTHER and others. */
const char *sdp_suite_name(enum sdp_suite s);
/* The octets of a suite's master key || master salt (30, 38, 46, 28, 44); 0 for others. */
unsigned int sdp_suite_key_len(enum sdp_suite s);
/* "sendrecv", "sendonly", "recvonly", "inactive"; NULL for NONE and others. */
const char *sdp_dir_name(enum sdp_dir d);
/* RFC 3264 section 6.1: the direction answering `offer` (sendonly ->
 * recvonly, recvonly -> sendonly, inactive -> inactive, else sendrecv). */
enum sdp_dir sdp_dir_answer(enum sdp_dir offer);
/* The proto is one of the four RTP ones; one of the two SRTP ones. */
bool sdp_proto_rtp(enum sdp_proto p);
bool sdp_proto_srtp(enum sdp_proto p);

/* "active", "passive", "actpass", "holdconn", "$"; NULL for NONE and others. */
const char *sdp_setup_name(enum sdp_setup s);
/* "TCP/MSRP", "RTP/SAVP" etc.; NULL for SDP_PROTO_OTHER and others. */
const char *sdp_proto_name(enum sdp_proto p);
/* The proto is one of the TLS ones. */
bool sdp_proto_tls(enum sdp_proto p);

/* The proto is DTLS-SRTP's (UDP/TLS/RTP/SAVP, UDP/TLS/RTP/SAVPF: RFC 5764
 * section 8): keys from a DTLS handshake on the media's own port, the
 * peer's certificate checked against its a=fingerprint lines. */
bool sdp_proto_dtls(enum sdp_proto p);

/* ---- WebRTC: what callers compute (sdp_webrtc.c) ----------------------- */

/*
 * RFC 8445 section 5.1.2.1: a candidate's priority,
 *   2^24 * type preference + 2^8 * local_pref + (256 - component),
 * with section 5.1.2.2's recommended type preferences (host 126, prflx
 * 110, srflx 100, relay 0). local_pref: 65535 for an agent with one
 * address; with several, higher for the one preferred (RFC 8421: IPv6
 * above IPv4). component 1..256. 0 (no valid priority) for a type other
 * than the four or a component out of range.
 */
uint32_t sdp_ice_priority(enum sdp_cand_type type, uint16_t local_pref, unsigned int component);

/*
 * RFC 8445 section 5.1.1.3: a foundation the same for candidates of one
 * type, transport and base address (and different, but for a 32-bit
 * hash's collision, for others): decimal digits into out
 * (SDP_FOUNDATION_MAX). base: numeric (kind IP). 0, or -EINVAL.
 */
int sdp_ice_foundation(enum sdp_cand_type type, enum sdp_cand_transport transport,
		       const struct sdp_addr *base, char out[SDP_FOUNDATION_MAX]);

/*
 * Our host candidates on one of a termination's addresses (ip, network
 * order, of family): component 1 on rtp_port, and component 2 on
 * rtcp_port unless it is 0 (RTCP muxed, RFC 5761); UDP, with
 * sdp_ice_foundation()'s foundation and sdp_ice_priority()'s priority for
 * local_pref. Fills out[0..2) and returns how many (1 or 2), or -EINVAL.
 */
int sdp_host_candidates(uint8_t family, const uint8_t *ip, uint16_t rtp_port, uint16_t rtcp_port,
			uint16_t local_pref, struct sdp_candidate out[2]);

/*
 * The peer's fingerprints of a DTLS-SRTP section m, as RFC 8122 section 5
 * has a verifier take them: the set of its most preferred hash (here the
 * strongest the peer gave: sha-512, sha-384, sha-256, then sha-1).
 * Returns that hash (enum certfp_alg, > 0), or: -ENOTSUP SDP_E_PROTO (m
 * is not DTLS-SRTP), -EINVAL SDP_E_NO_FINGERPRINT (none: the handshake
 * could not be checked), -ENOTSUP SDP_E_FP_WEAK (sha-1 only and not
 * allow_sha1: SHA-1's collisions are no longer out of reach, and every
 * WebRTC stack gives sha-256; cp's agw.allow_sha1 decides, as for TLS).
 */
int sdp_dtls_fp(const struct sdp_media *m, bool allow_sha1, struct sdp_error *err);

/* The id a=extmap gives uri in m (SDP_EXT_MID for BUNDLE's MID), 0 if none. */
unsigned int sdp_extmap_id(const struct sdp_media *m, const char *uri);

/* ---- WebRTC: our lines (sdp_write_webrtc.c) ----------------------------- */

/*
 * Our side's WebRTC lines of one m= section, as sdp_webrtc_put() writes
 * them, in this order:
 *   a=ice-ufrag, a=ice-pwd, a=ice-options, a=fingerprint (each), a=setup,
 *   a=tls-id, a=mid, a=candidate (each), a=end-of-candidates.
 */
struct sdp_webrtc_ours {
	const char *ufrag;           /* 4..256 ice-chars; NULL: no ICE lines */
	const char *pwd;             /* 22..256 ice-chars; with ufrag */
	unsigned int ice_options;    /* SDP_ICE_OPT_TRICKLE, _ICE2, _RENOMINATION */
	const struct certfp *fp;     /* our certificate's fingerprints, nfp of them */
	unsigned int nfp;            /* 0..SDP_FP_MAX */
	uint8_t setup;               /* ACTIVE, PASSIVE or ACTPASS (RFC 8842: no holdconn); NONE: no line */
	const char *tls_id;          /* 20..255 of its characters; NULL: none */
	const char *mid;             /* 1..32 token characters; NULL: none */
	const struct sdp_candidate *cand;  /* numeric addresses, known type and transport */
	unsigned int ncand;          /* 0..SDP_CAND_MAX; needs ufrag */
	bool end_of_candidates;
};

/*
 * Append o's lines (CRLF each) to w. -EINVAL (nothing written) when a
 * value would not parse back as it is: a length or character out of its
 * grammar, candidates without ICE credentials, a fingerprint not valid.
 * What w then holds sdp_parse() reads back with the same values. w holds
 * our ICE password: wipe it when done.
 */
int sdp_webrtc_put(struct sdp_wbuf *w, const struct sdp_webrtc_ours *o);
/* One a=candidate line (CRLF included): -EINVAL as above. */
int sdp_candidate_put(struct sdp_wbuf *w, const struct sdp_candidate *c);
/*
 * The session level's: a=ice-lite when ice_lite (RFC 8839 section 5.3:
 * we are a lite agent), a=group:BUNDLE with g's mids when g is not NULL
 * (1..SDP_SECTIONS_MAX mids, each once). -EINVAL as above.
 */
int sdp_session_webrtc_put(struct sdp_wbuf *w, bool ice_lite, const struct sdp_group *g);

#endif /* TP_SDP_H */
