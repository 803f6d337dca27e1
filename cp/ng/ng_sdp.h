/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/ng's SDP: a whole session description as a P-CSCF hands it over ng
 * (every m= section, everything we do not touch kept as it came), read
 * and then rewritten the way rtpengine rewrites it: our address and ports
 * in c= and m=, a=rtcp, the sender's ICE and DTLS-SRTP lines removed and
 * ours (ICE-lite; our fingerprint, setup and tls-id) written, a=crypto
 * added or removed with the transport protocol. Pure
 * (lib/sdp reads each section; no cp, no allocation): test_ng_sdp.
 *
 * Reading: the text is split into its session part and its m= sections;
 * each section is read by lib/sdp's sdp_parse() as a description of its
 * own (v=0, the session's c= unless the section has one, the session's
 * ICE credentials and options, the m= line and the section's lines but
 * its candidates: a lite agent needs none of the peer's, which it learns
 * from the peer's checks, and a WebRTC offer has many). A section lib/sdp cannot take, or one
 * that is not RTP (m=application over DTLS, m=message...), is kept with
 * relay false and why set: the caller decides, ng_sdp_may_pass() saying
 * whether it may go on unanchored (an RTP one never: it is refused). The
 * session's a=fingerprint and a=setup are given to every section's
 * reading, as its ICE credentials are: lib/sdp lets a section's own
 * override them.
 *
 * BUNDLE (RFC 9143): the session's a=group lines are read by lib/sdp too
 * (BUNDLE's kept in struct ng_sdp's group[]), each section's a=mid (even
 * one lib/sdp does not take), and lib/sdp's rule across sections applied
 * (sdp_bundle_check()), then turnpike's own for a group it may bundle: a
 * mid of at most NG_SDP_BUNDLE_MID_MAX octets, one MID header extension id
 * across the group's relayed sections, no payload type in two of them.
 * The protocol's errors are refused by ng_sdp_read(); turnpike's own
 * rules are ng_sdp_bundle_check(), for cp/ng to ask when it bundles
 * (bundle=accept): without it the rewrite drops the session's
 * a=group:BUNDLE lines when it relays a section (each section gets its
 * own ports, as rtpengine 10.5 answers a bundled offer), and writes the
 * rewrite's own group when it has one (our answer to a bundled offer).
 */
#ifndef NG_SDP_H
#define NG_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdp.h"

#define NG_SDP_SIZE_MAX  16384u   /* octets of a description over ng */
#define NG_SDP_LINES_MAX 512u     /* lines of it */
#define NG_SDP_MEDIA_MAX 8u       /* m= sections */

#define NG_SDP_NAME_MAX  32u      /* a medium's or a proto's name, NUL included */
/* A bundled section's mid: what the MID header extension's one-byte form
 * carries (RFC 8285 section 4.2: 1..16 octets), and lib/ipc's bundle. */
#define NG_SDP_BUNDLE_MID_MAX 16u

/* One m= section as read. */
struct ng_sdp_media {
	bool relay;               /* an RTP section (audio/video/text over RTP/AVP,
				   * AVPF, SAVP, SAVPF, UDP/TLS/RTP/SAVP, SAVPF) lib/sdp
				   * took: m is valid */
	bool rtp;                 /* its proto is of RTP's family ("RTP" one of its
				   * '/'-separated parts: RTP/AVP, UDP/TLS/RTP/SAVPF,
				   * TCP/RTP/AVP...), read from the m= line whatever
				   * lib/sdp made of the section */
	bool off;                 /* its m= port is 0: refused or ended, no media */
	char media_name[NG_SDP_NAME_MAX];  /* m='s medium and proto as written ("" */
	char proto[NG_SDP_NAME_MAX];       /* when longer or missing) */
	bool ice;                 /* it (or the session) had ICE attributes */
	bool ice_lite;            /* a=ice-lite (the session's, or the section's
				   * where a sender misplaced it): its sender is
				   * a lite agent (RFC 8839 section 5.3); m.ice
				   * holds the sender's credentials (relay true) */
	bool has_c;               /* the section has its own c= line */
	uint16_t first_line;      /* its m= line's index (0-based, in the text) */
	uint16_t nlines;          /* its lines, m= included */
	const char *why;          /* relay false: a static sentence saying why */
	char mid[SDP_MID_MAX];    /* its a=mid, relayed or not ("" none, or one lib/sdp
				   * did not take in a section it did not read) */
	uint16_t mid_line;        /* that line (1-based in the text), 0 none */
	uint8_t bundle;           /* 1 + the index in group[] of the group naming it, 0 none */
	struct sdp_media m;       /* lib/sdp's reading (relay true): port 0 = disabled */
};

/* A description as read. Points into the caller's text (keep it while
 * this is used). */
struct ng_sdp {
	const char *text;
	size_t len;
	uint16_t nlines;
	uint16_t nsess;           /* lines before the first m= */
	uint16_t line_off[NG_SDP_LINES_MAX];   /* each line's start in text */
	uint16_t line_len[NG_SDP_LINES_MAX];   /* its length, its line end not counted */
	bool has_sess_c;          /* a session-level c= line */
	bool ice;                 /* session-level ICE attributes */
	struct sdp_addr sess_addr;/* the session's c= (kind NONE: none) */
	struct sdp_addr origin_addr; /* o='s address (kind NONE: none or unreadable) */
	uint8_t ngroup;           /* the session's a=group:BUNDLE lines (lib/sdp's reading;
				   * line: 1-based in the text) */
	struct sdp_group group[SDP_GROUP_MAX];
	unsigned int nmedia;
	struct ng_sdp_media media[NG_SDP_MEDIA_MAX];
};

/*
 * Read s[0..len) (lines end in CRLF or LF; the last may have none; v=0
 * first). Returns 0, or -E2BIG (a limit above), -EINVAL (malformed: no
 * v=0 first, a line that is not "x=...", a section lib/sdp finds
 * malformed) with err saying which line and why. A section lib/sdp takes
 * as well-formed but will not relay (-ENOTSUP from it, a non-RTP proto) is
 * not an error: relay false, why set. BUNDLE's refusals (the opening
 * comment): lib/sdp's (SDP_E_GROUP, SDP_E_MID, SDP_E_BUNDLE: an a=group line
 * malformed or of more than 8 mids, a mid no section has, a mid twice, a
 * section in two groups).
 */
int ng_sdp_read(const char *s, size_t len, struct ng_sdp *out, struct sdp_error *err);

/*
 * turnpike's rules for a group of d it bundles (d as ng_sdp_read() left
 * it): of each group's relayed sections, every mid the group names at
 * most NG_SDP_BUNDLE_MID_MAX octets (-E2BIG), one MID header extension id
 * (a section without one counts as id 0) and no payload type in two of
 * them (-EINVAL): dp tells a group's media apart by the MID extension or
 * by the payload type. 0, or the error with err naming the group's line
 * (SDP_E_BUNDLE). Harmless where nothing is bundled: cp/ng asks it under
 * bundle=accept only.
 */
int ng_sdp_bundle_check(const struct ng_sdp *d, struct sdp_error *err);

/*
 * May section i of in (not relayed: relay false, or a port of 0) go on
 * as it came, unanchored, its media not crossing the gateway? When its
 * port is 0 (no media), or when its proto is not of RTP's family and is
 * one of pass[0..npass) (ng.pass_through: the operator's choice, compared
 * without minding case). An RTP section never is: one turnpike cannot
 * relay (RTP over TCP, one past lib/sdp's limits, one an answer has where
 * its offer's was not relayed) passed on would hand the other side the first's address, its media bypassing
 * the gateway. Returns 0, or -EPROTONOSUPPORT with err saying why in a
 * sentence fit for the reply's error-reason.
 */
int ng_sdp_may_pass(const struct ng_sdp *in, unsigned int i, const char (*pass)[NG_SDP_NAME_MAX],
		    unsigned int npass, char *err, size_t errlen);

/* What to write for one m= section. */
struct ng_sdp_out_media {
	bool keep;                /* leave the section as it came (one we do not relay:
				   * its lines untouched; it gets a media-level c= of
				   * its old address if the session's c= changes) */
	uint8_t family;           /* AF_INET, AF_INET6: our address for c= */
	uint8_t ip[16];           /* network order */
	uint16_t port;            /* m='s port: ours (0: the stream refused or ended) */
	uint16_t rtcp_port;       /* a=rtcp:<port> written when not 0 and !rtcp_mux_only */
	bool rtcp_mux;            /* a=rtcp-mux written (kept or added) */
	bool rtcp_mux_only;       /* with rtcp_mux: no a=rtcp line (an answer that
				   * accepts mux); without: rtcp_port is written too
				   * (an offer that offers mux) */
	const char *proto;        /* m='s proto to write ("RTP/SAVP"); NULL: as it came */
	/* Our a=crypto lines, replacing all the section had (ncrypto 0: every
	 * a=crypto line is removed). Written as lib/sdp's sdp_rtp_write()
	 * writes them (tag, suite, inline key, lifetime, MKI). */
	const struct sdp_crypto *crypto;
	unsigned int ncrypto;
	/* Our WebRTC lines (NULL: none), after the a=crypto ones, as lib/sdp's
	 * sdp_webrtc_put() writes them: ICE's (ufrag, pwd, options,
	 * candidates, end-of-candidates) and DTLS-SRTP's (fingerprints,
	 * setup, tls-id). With ICE credentials the section's own ICE lines
	 * are removed and a=ice-lite is written at session level (RFC 8839
	 * section 5.3: we are a lite agent, RFC 8445 section 2.5). */
	const struct sdp_webrtc_ours *webrtc;
	/* BUNDLE (RFC 9143): bundled, a section towards the bundled peer:
	 * any MID a=extmap the SDP had removed and none of ours written
	 * (dp inserts no MID towards the browser, and a browser that has the
	 * extension negotiated demultiplexes by MID and signalled SSRC only:
	 * Chromium drops MID-less packets of an unsignalled SSRC then, its
	 * payload-type fallback being for peers without MID); unbundle, a
	 * section of a peer's group relayed to a peer that is not bundled:
	 * its MID a=extmap, a=bundle-only and a=rtcp-mux-only removed */
	bool bundled;
	bool unbundle;
	/* with keep: the section refused, its m= port written 0 (RFC 3264
	 * section 6), nothing else changed: a BUNDLE group's section that is
	 * not RTP, which turnpike does not bundle */
	bool refuse;
};

#define NG_SDP_ICE_REMOVE     0x1u  /* a=candidate, ice-ufrag, ice-pwd, ice-options,
				     * ice-lite, ice-mismatch, end-of-candidates,
				     * remote-candidates: removed at both levels */
#define NG_SDP_REPLACE_ORIGIN 0x2u  /* o='s address becomes the first relayed
				     * section's (family and address) */
#define NG_SDP_REPLACE_SESS_C 0x4u  /* a session-level c= is written (ours) even
				     * when no section relied on one */

struct ng_sdp_rewrite {
	unsigned int flags;       /* NG_SDP_* */
	unsigned int nmedia;      /* must be in->nmedia */
	struct ng_sdp_out_media media[NG_SDP_MEDIA_MAX];
	/* our a=group:BUNDLE, written at session level after a=ice-lite (the
	 * description's own groups are dropped when a section is relayed);
	 * NULL: none */
	const struct sdp_group *group;
};

/*
 * Write in rewritten as rw says into buf (CRLF line ends, NUL-terminated):
 *   - every line not named below, as it came, in its place (a kept
 *     section's m= port 0 when refuse);
 *   - a=group:BUNDLE at session level: removed when a section is relayed
 *     (its sections get ports of their own), rw->group written instead
 *     when given;
 *   - o=: its address replaced with NG_SDP_REPLACE_ORIGIN;
 *   - c=: the session's becomes the first relayed section's address; a
 *     relayed section whose address differs from it gets its own c= (its
 *     c= line rewritten, or one added after m= and any i=); a kept section
 *     that relied on the session's c= gets a c= of the old address, unless
 *     its port is 0;
 *   - m=: port and proto of a relayed section;
 *   - a=rtcp, a=rtcp-mux, a=crypto, a=fingerprint, a=setup, a=tls-id of
 *     a relayed section: removed (the session's a=fingerprint and
 *     a=setup too when a section is relayed; a kept section that relied
 *     on them gets them),
 *     then ours written after the section's last line in this order:
 *     a=rtcp (unless mux only), a=rtcp-mux, a=crypto..., our WebRTC lines;
 *   - ICE lines: those of a relayed section with NG_SDP_ICE_REMOVE or
 *     when it carries our ICE; the session's with NG_SDP_ICE_REMOVE or
 *     when a section carries our ICE, a=ice-lite then written after the
 *     session's last line.
 * Returns the length (without the NUL), -EINVAL (rw does not fit in:
 * nmedia differs, a relayed section without a family, a crypto line of
 * the wrong key length, WebRTC lines sdp_webrtc_put() refuses) or -ENOSPC
 * (buf too small: buf is then ""). buf may hold our SRTP keys and ICE
 * password: wipe it when done.
 */
int ng_sdp_rewrite(const struct ng_sdp *in, const struct ng_sdp_rewrite *rw, char *buf,
		   size_t size);

#endif /* NG_SDP_H */
