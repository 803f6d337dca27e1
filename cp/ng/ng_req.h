/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One ng request (rtpengine's control protocol, docs/ng.md) read from its
 * bencode dictionary into what cp/ng acts on. Pure (lib/bencode, lib/conf's
 * names): test_ng_req, fuzz_ng_req.
 *
 * What is read is bounded: the call-id and tags by their buffers (a longer
 * one is refused, never cut: two calls must never become one), the SDP by
 * NG_SDP_SIZE_MAX, lists by the node bound of the reader. A flag, a
 * "replace" or "rtcp-mux" item this gateway does not know is refused with
 * its name: a P-CSCF's configuration asking for something turnpike does not
 * do hears so at its first call rather than getting something else. What
 * rtpengine does that is out of turnpike's scope (transcoding, recording,
 * DTMF and media injection) is refused as such (-ENOTSUP). Dictionary keys
 * not known are passed over, as rtpengine does.
 */
#ifndef NG_REQ_H
#define NG_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bencode.h"

#define NG_CALLID_MAX 256u        /* call-id, NUL included */
#define NG_TAG_MAX    128u        /* from-tag, to-tag, via-branch, NUL included */
#define NG_LABEL_MAX  64u
#define NG_NODES_MAX  512u        /* bencode nodes of one request */
#define NG_DEPTH_MAX  4u          /* the request dict, a list or dict in it, ... */

/* The commands (ng_cmds.def: name and handler of each). */
enum ng_cmd {
	NG_CMD_NONE = 0,
#define NG_CMD(e, name, handler) NG_CMD_##e,
#include "ng_cmds.def"
#undef NG_CMD
	NG_CMD__COUNT
};

/* flags[] and the other lists, as bits */
#define NG_F_TRUST_ADDRESS   0x0001u
#define NG_F_SIP_SOURCE      0x0002u   /* SIP-source-address: received-from's address */
#define NG_F_SYMMETRIC       0x0004u
#define NG_F_ASYMMETRIC      0x0008u
#define NG_F_STRICT_SOURCE   0x0010u
#define NG_F_PORT_LATCHING   0x0020u
#define NG_F_REPLACE_ORIGIN  0x0040u
#define NG_F_REPLACE_SESS_C  0x0080u
#define NG_F_ICE_REMOVE      0x0100u
#define NG_F_MUX_DEMUX       0x0200u
#define NG_F_MUX_OFFER       0x0400u
#define NG_F_MUX_ACCEPT      0x0800u
#define NG_F_MUX_REJECT      0x1000u
#define NG_F_ORIG_SENDRECV   0x2000u   /* original-sendrecv: we never change a=sendrecv */
#define NG_F_MEDIA_HANDOVER  0x4000u   /* a new source latches at once */
#define NG_F_FATAL           0x8000u   /* fatal: a delete that finds nothing is an error */
/* ICE (the key ICE and ICE-lite, the flags reject-ICE and trickle-ICE):
 * our side is always ICE-lite (RFC 8445 section 2.5). NG_F_ICE_REMOVE
 * (ICE=remove or the flag ICE-remove) writes none of ours to the
 * message's receiver; NG_F_ICE_FORCE (ICE=force, and ICE=optional, which
 * here is force: the sender's candidates are never passed on) writes ours
 * to the receiver whatever the sender said; neither (ICE=default, or no
 * ICE key): ours when the sender's section had ICE (a re-offer: when the
 * receiver does ICE with us already). */
#define NG_F_ICE_FORCE       0x10000u
#define NG_F_ICE_REJECT      0x20000u  /* reject-ICE: our answer to this offer's sender has no ICE */
#define NG_F_TRICKLE_ICE     0x40000u  /* trickle-ICE: a=ice-options:trickle with ours (RFC 8840) */
/* no-tls-id (rtpengine's flag, "no tls id" too): our a=tls-id left out of
 * the SDP this message makes, and an ICE restart of a sender that gives no
 * a=tls-id keeps its DTLS association (without a=tls-id, RFC 8842 takes
 * a new ICE ufrag for a new association: FEATURE.md "DTLS-SRTP") */
#define NG_F_NO_TLS_ID       0x80000u
/* rtcp-mux-require (the flag, or the rtcp-mux list's require; rtpengine's
 * docs/ng_control_protocol.md): rtcp-mux offered to the message's
 * receiver with no RTCP port of ours to fall back to (the termination is
 * made muxed, one port: a=rtcp names the RTP port, RFC 8858 section 4.2),
 * and its answer without a=rtcp-mux refused (RFC 5761 section 5.1.1: an
 * answer without it would have RTCP on a port we do not have). Set with
 * NG_F_MUX_OFFER, as rtpengine's require implies its offer. */
#define NG_F_MUX_REQUIRE     0x100000u
/* generate-mid (rtpengine's): a section its sender gave no a=mid gets one
 * towards the receiver, its index from 1 in decimal (rtpengine's
 * call.c, __update_media_id()); the WebRTC alias has it */
#define NG_F_GENERATE_MID    0x200000u
/* bundle=accept (rtpengine's bundle list, mr14 on; 10.5 has no BUNDLE): a
 * BUNDLE group of the offer's sender is taken onto one transport of ours
 * (FEATURE.md "BUNDLE"); without it a group is dropped, each section its
 * own ports, as rtpengine 10.5 answers. The list's offer, require, strict
 * and reject are refused as not supported. */
#define NG_F_BUNDLE_ACCEPT   0x400000u

/* DTLS (the key; rtpengine's values, FEATURE.md "DTLS-SRTP"): off (or no,
 * disable) refuses a DTLS-SRTP section from the message's sender and
 * UDP/TLS/RTP/SAVP(F) towards its receiver; passive answers a peer's
 * actpass with a=setup:passive (we wait for its ClientHello) where
 * active is our default (RFC 5763 section 5); active says the default. */
enum ng_dtls {
	NG_DTLS_DEFAULT = 0,
	NG_DTLS_OFF = 1,
	NG_DTLS_PASSIVE = 2,
	NG_DTLS_ACTIVE = 3,
};

/* endpoint-learning (the key, or a flag endpoint-learning-<mode>):
 * rtpengine's learning modes */
enum ng_learning {
	NG_LEARN_DEFAULT = 0,     /* not said: as immediate */
	NG_LEARN_OFF = 1,         /* nothing learnt (as asymmetric) */
	NG_LEARN_IMMEDIATE = 2,   /* the first source latches */
	NG_LEARN_DELAYED = 3,     /* rtpengine waits 3 s; here as immediate */
	NG_LEARN_HEURISTIC = 4,   /* the signalled address preferred: here the
				   * latch bound to it (IPC_RTP_LATCH_SIGNALLED) */
};

/* SDES-order:'s suites kept (lib/sdp's known suites, each once) */
#define NG_SDES_ORDER_MAX 8

enum ng_side_name {
	NG_SIDE_DEFAULT = 0,      /* not named: the route's */
	NG_SIDE_ACCESS = 1,
	NG_SIDE_CORE = 2,
};

struct ng_req {
	uint8_t cmd;              /* enum ng_cmd */
	uint8_t transport;        /* lib/sdp's enum sdp_proto of transport-protocol, 0: none */
	uint8_t dir[2];           /* enum ng_side_name of direction=[from, to] */
	uint8_t family;           /* address-family: AF_INET, AF_INET6, 0: not given */
	uint8_t learning;         /* enum ng_learning */
	uint8_t dtls;             /* enum ng_dtls (the key DTLS) */
	uint8_t dtls_fp;          /* DTLS-fingerprint: lib/certfp's enum certfp_alg
				   * of ours in the SDP; 0: not given */
	bool sdes_off;            /* SDES-off (flag, or the SDES list's off): no
				   * a=crypto offered */
	uint32_t sdes_no;         /* SDES-no-<suite>: SDP_SUITE_BIT()s never offered */
	uint32_t sdes_only;       /* SDES-only-<suite>: the SDP_SUITE_BIT()s that may be
				   * offered (0: not said); sdes_no is then passed over */
	uint8_t sdes_order[NG_SDES_ORDER_MAX]; /* SDES-order:: lib/sdp's enum sdp_suite,
				   * our preference (sdes_norder of them) */
	uint8_t sdes_norder;
	bool has_media_addr;
	bool has_received_from;
	bool has_delete_delay;
	uint32_t flags;           /* NG_F_* */
	uint32_t limit;           /* list's "limit", default 32 */
	int64_t delete_delay;     /* s */
	char call_id[NG_CALLID_MAX];
	char from_tag[NG_TAG_MAX];
	char to_tag[NG_TAG_MAX];
	char via_branch[NG_TAG_MAX];
	char label[NG_LABEL_MAX];
	uint8_t media_addr_family;    /* media-address: AF_INET, AF_INET6 */
	uint8_t media_addr[16];
	uint8_t received_family;      /* received-from's */
	uint8_t received_addr[16];
	const char *sdp;          /* into the request's buffer, not NUL-terminated */
	size_t sdp_len;
};

/* The direction= names of the configuration (ng.access, ng.core): a name
 * of either list, else the request is refused. */
struct ng_names {
	unsigned int naccess, ncore;
	const char (*access)[32];
	const char (*core)[32];
};

/*
 * The request dict root (nodes as bc_parse() gave them) into out. Returns
 * 0; -EINVAL (malformed or not taken: a missing or ill-typed key, an
 * unknown command, flag or name, a string too long) or -ENOTSUP (out of
 * turnpike's scope) with err saying why in a sentence fit for the reply's
 * error-reason.
 */
int ng_req_read(const struct bc_node *nodes, const struct bc_node *root,
		const struct ng_names *names, struct ng_req *out, char *err, size_t errlen);

/* "offer" etc. (ng_cmds.def's name); "?" for a value not a command. */
const char *ng_cmd_name(unsigned int cmd);

/* The refusal of a command out of turnpike's scope (ng_cmds.def's rows
 * whose handler is `refused`), named as given (its text, at most 40
 * octets of it shown): the sentence into err; -ENOTSUP. */
int ng_cmd_refuse(const char *given, char *err, size_t errlen);

#endif /* NG_REQ_H */
