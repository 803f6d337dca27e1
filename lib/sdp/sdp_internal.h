/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/sdp's own, shared by its files and by no caller (sdp.h is the
 * library's face):
 *   - the names of the enums' values (sdp_names.c), which the parser reads
 *     and the writer writes;
 *   - the parser's syntax checks (sdp_parse.c), which the writer holds what
 *     it writes to, so that what it writes parses back;
 *   - the rules both derivers apply to a termination's two sides
 *     (sdp_side.c): one Local and one Remote, CHOOSE `$` ours only, no name
 *     resolved, a peer's address numeric and specified.
 */
#ifndef TP_SDP_INTERNAL_H
#define TP_SDP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "sdp.h"

/* ---- names (sdp_names.c) ---- */

/* Indexed by the enums' values; NULL for the values without a name. */
extern const char *const sdp_setup_names[SDP_SETUP_CHOOSE + 1];
extern const char *const sdp_proto_names[SDP_PROTO_COUNT];
extern const char *const sdp_cand_type_names[SDP_CAND_RELAY + 1];
extern const char *const sdp_tcptype_names[SDP_TCPTYPE_SO + 1];
extern const char *const sdp_media_names[SDP_MEDIA_TEXT + 1];
extern const char *const sdp_dir_names[SDP_DIR_INACTIVE + 1];

/* The octets of master key || master salt of each suite, and its name:
 * RFC 4568 section 6.2 (16 + 14), RFC 6188 section 7 (24 or 32 + 14),
 * RFC 7714 section 12 (16 or 32 + 12: GCM's salt is 96 bits). */
struct sdp_suite_info {
	const char *name;
	uint8_t len;
};
extern const struct sdp_suite_info sdp_suite_tab[SDP_SUITE_COUNT];

/* RFC 3711 section 9.2: a master key protects at most 2^48 SRTP packets
 * (and 2^31 SRTCP ones); a longer lifetime is not one a key can have. */
#define SDP_LIFETIME_MAX (UINT64_C(1) << 48)

/* The media type a TCP proto belongs under (RFC 4975: MSRP is
 * m=message; RFC 8856: BFCP is m=application); OTHER for the rest. */
enum sdp_media_type sdp_proto_media(enum sdp_proto p);
/* The media types RTP is taken under (audio, video, text). */
bool sdp_media_rtp(unsigned int type);

/* ---- syntax (sdp_parse.c) ---- */

/* A value inside a line: p[0..n). */
struct span {
	const char *p;
	size_t n;
};

/* s is lit, octet for octet; _nocase: ASCII letters in any case. */
static inline bool
span_is(struct span s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static inline bool
span_is_nocase(struct span s, const char *lit)
{
	return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

/* s into dst (s.n + 1 octets): the caller has checked the length. */
static inline void
span_copy(char *dst, struct span s)
{
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
}

/* s is a decimal number of 1..digits digits, into *out. */
bool sdp_span_num(struct span s, unsigned int digits, uint64_t *out);
/* Split s at single spaces into at most max fields; the last takes the
 * rest when rest is true. Returns the number of fields, or -1 when a
 * field is empty (two spaces, a space at an end). */
int sdp_split(struct span s, struct span *f, int max, bool rest);
/* A format list: tokens of visible ASCII separated by single spaces. */
bool sdp_fmt_ok(struct span v);
/* a=path's value: msrp:// and msrps:// URIs separated by single spaces. */
bool sdp_path_ok(struct span v);
/* An RTP format list: payload types 0..127 (RFC 3551 section 3) into pt,
 * at most SDP_PT_MAX. Returns their count, or -1. */
int sdp_parse_pts(struct span v, uint8_t *pt);

/* ---- a termination's two sides (sdp_side.c) ---- */

/* 0 Local, 1 Remote: the word a sentence names a side by. */
extern const char *const sdp_side_name[2];

/* One side's address and port, as both derivers read them. */
struct sdp_side {
	bool addr_choose, port_choose;
	uint8_t family;
	uint16_t port;
	uint8_t ip[16];
};

/* The start of either deriver: err cleared; Local or Remote (or both)
 * given, else SDP_E_NO_MEDIA. 0 or -EINVAL. */
int sdp_pair_given(const struct sdp *local, const struct sdp *remote, struct sdp_error *err);
/* d (side who) has its m= line: 0, else SDP_E_NO_MEDIA (-EINVAL). */
int sdp_has_media(const struct sdp *d, unsigned int who, struct sdp_error *err);
/* ip (network order, of family) is the unspecified address. */
bool sdp_ip_zero(const uint8_t *ip, int family);
/* CHOOSE `$` is H.248's word for what the gateway picks on its own side;
 * one in Remote ("Remote's <what>") is refused with code (-EINVAL). */
int sdp_remote_choose(struct sdp_error *err, enum sdp_err code, unsigned int line,
		      const char *what);
/* A Remote's address (its c=, its a=rtcp's; what: "c=", "a=rtcp"):
 * numeric and specified. 0, or SDP_E_ADDRESS (-EINVAL; -ENOTSUP for a
 * name: the gateway resolves none). A missing one is the caller's. */
int sdp_remote_ip(const struct sdp_addr *a, const char *what, struct sdp_error *err);
/* Local: `$` or no c= means our address is ours to pick (with the family
 * `$` gave), `$` as port our port; a number is the controller's; port 0,
 * an unspecified address and a name are refused. No Local: all ours. */
int sdp_local_side(const struct sdp_media *lm, struct sdp_side *o, struct sdp_error *err);
/* Remote: a numeric address (not unspecified, not of the other family
 * than Local's, local_family 0: any) and a port other than 0 and `$`. */
int sdp_remote_side(const struct sdp_media *rm, uint8_t local_family, struct sdp_side *o,
		    struct sdp_error *err);

/* ---- WebRTC's lines (sdp_parse_webrtc.c) ---- */

/* An a=extmap line as a level gave it: the session's apply to every
 * section that does not give the id itself (RFC 8285 section 8). */
struct sdp_extmap_at {
	uint16_t id, line;
	uint8_t dir;
	struct span uri;
};

/* What one level (session or media) said of the WebRTC attributes both
 * levels may carry; a section's values are resolved at its end. */
struct sdp_wlevel {
	struct span ufrag, pwd;
	uint16_t ufrag_line, pwd_line, options_line, eoc_line, mixed_line;
	uint8_t options;          /* SDP_ICE_OPT_* */
	uint8_t nextmap;
	struct sdp_extmap_at extmap[SDP_EXTMAP_MAX];
};

/*
 * The attribute name[:val] (has_val: a colon was there) of line no, at
 * the session level (m NULL) or in section m; lv is that level's. Returns
 * 1 when name is none of WebRTC's (the caller goes on with it), else 0 or
 * an error (sdp_fail()'s rc). out: the description (its ice_lite, group[]).
 */
int sdp_webrtc_attr(struct sdp *out, struct sdp_media *m, struct sdp_wlevel *lv,
		    struct sdp_error *err, unsigned int no, struct span name, struct span val,
		    bool has_val);
/* A section's end: its values from its level (med) and the session's
 * (sess), checked (ICE's ufrag with its pwd, no holdconn for DTLS), its
 * BUNDLE group (a group of out naming its mid). 0 or an error. */
int sdp_webrtc_resolve(const struct sdp *out, const struct sdp_wlevel *sess,
		       const struct sdp_wlevel *med, struct sdp_media *m, struct sdp_error *err);
/* A whole description's sections (sdp_parse_desc()): sdp_bundle_check()
 * on its groups and its sections' mids. 0 or an error (SDP_E_MID,
 * SDP_E_BUNDLE). */
int sdp_webrtc_desc_check(const struct sdp_desc *d, struct sdp_error *err);

/* The grammars the writer holds our values to: ice-chars (ALPHA DIGIT
 * + /, RFC 8839 section 5.4), RFC 8866's token, RFC 8842's tls-id. */
bool sdp_ice_chars(const char *p, size_t n);
bool sdp_token(const char *p, size_t n);
bool sdp_tls_id_ok(const char *p, size_t n);

#endif /* TP_SDP_INTERNAL_H */
