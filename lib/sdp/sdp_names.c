/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/sdp's names: its error codes (sdp_errors.def) and the sentence an
 * error carries (sdp_fail()), and the text of each enum value the parser
 * reads and the writer writes (a=setup's roles, m='s protos and media,
 * the directions, the SRTP suites with their key lengths, the ICE
 * candidate types).
 */
#include <stdarg.h>
#include <stdio.h>

#include "sdp_internal.h"

static const struct {
	const char *name;
	const char *help;
} errs[] = {
	[SDP_OK] = { "ok", "no error" },
#define SDP_ERR(e, n, what) [SDP_E_##e] = { n, what },
#include "sdp_errors.def"
#undef SDP_ERR
};

const char *
sdp_err_name(enum sdp_err e)
{
	return (unsigned int)e < SDP_E_COUNT ? errs[e].name : NULL;
}

const char *
sdp_err_help(enum sdp_err e)
{
	return (unsigned int)e < SDP_E_COUNT ? errs[e].help : NULL;
}

int
sdp_fail(struct sdp_error *err, enum sdp_err code, unsigned int line, int rc, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (err == NULL)
		return rc;
	err->code = code;
	err->line = line;
	if (line > 0)
		n = snprintf(err->msg, sizeof(err->msg), "line %u: ", line);
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

const char *const sdp_setup_names[SDP_SETUP_CHOOSE + 1] = {
	[SDP_SETUP_ACTIVE] = "active",
	[SDP_SETUP_PASSIVE] = "passive",
	[SDP_SETUP_ACTPASS] = "actpass",
	[SDP_SETUP_HOLDCONN] = "holdconn",
	[SDP_SETUP_CHOOSE] = "$",
};

const char *
sdp_setup_name(enum sdp_setup s)
{
	return s > SDP_SETUP_NONE && s <= SDP_SETUP_CHOOSE ? sdp_setup_names[s] : NULL;
}

const char *const sdp_proto_names[SDP_PROTO_COUNT] = {
	[SDP_PROTO_TCP_MSRP] = "TCP/MSRP",
	[SDP_PROTO_TCP_TLS_MSRP] = "TCP/TLS/MSRP",
	[SDP_PROTO_TCP_BFCP] = "TCP/BFCP",
	[SDP_PROTO_TCP_TLS_BFCP] = "TCP/TLS/BFCP",
	[SDP_PROTO_RTP_AVP] = "RTP/AVP",
	[SDP_PROTO_RTP_AVPF] = "RTP/AVPF",
	[SDP_PROTO_RTP_SAVP] = "RTP/SAVP",
	[SDP_PROTO_RTP_SAVPF] = "RTP/SAVPF",
	[SDP_PROTO_UDP_TLS_RTP_SAVP] = "UDP/TLS/RTP/SAVP",
	[SDP_PROTO_UDP_TLS_RTP_SAVPF] = "UDP/TLS/RTP/SAVPF",
};

const char *
sdp_proto_name(enum sdp_proto p)
{
	return p > SDP_PROTO_OTHER && p < SDP_PROTO_COUNT ? sdp_proto_names[p] : NULL;
}

bool
sdp_proto_rtp(enum sdp_proto p)
{
	return p >= SDP_PROTO_RTP_AVP && p <= SDP_PROTO_RTP_SAVPF;
}

bool
sdp_proto_srtp(enum sdp_proto p)
{
	return p == SDP_PROTO_RTP_SAVP || p == SDP_PROTO_RTP_SAVPF;
}

bool
sdp_proto_dtls(enum sdp_proto p)
{
	return p == SDP_PROTO_UDP_TLS_RTP_SAVP || p == SDP_PROTO_UDP_TLS_RTP_SAVPF;
}

bool
sdp_proto_tls(enum sdp_proto p)
{
	return p == SDP_PROTO_TCP_TLS_MSRP || p == SDP_PROTO_TCP_TLS_BFCP;
}

enum sdp_media_type
sdp_proto_media(enum sdp_proto p)
{
	switch (p) {
	case SDP_PROTO_TCP_MSRP:
	case SDP_PROTO_TCP_TLS_MSRP:
		return SDP_MEDIA_MESSAGE;
	case SDP_PROTO_TCP_BFCP:
	case SDP_PROTO_TCP_TLS_BFCP:
		return SDP_MEDIA_APPLICATION;
	default:
		return SDP_MEDIA_OTHER;
	}
}

const char *const sdp_media_names[SDP_MEDIA_TEXT + 1] = {
	[SDP_MEDIA_MESSAGE] = "message",
	[SDP_MEDIA_APPLICATION] = "application",
	[SDP_MEDIA_AUDIO] = "audio",
	[SDP_MEDIA_VIDEO] = "video",
	[SDP_MEDIA_TEXT] = "text",
};

bool
sdp_media_rtp(unsigned int t)
{
	return t == SDP_MEDIA_AUDIO || t == SDP_MEDIA_VIDEO || t == SDP_MEDIA_TEXT;
}

const char *const sdp_dir_names[SDP_DIR_INACTIVE + 1] = {
	[SDP_DIR_SENDRECV] = "sendrecv",
	[SDP_DIR_SENDONLY] = "sendonly",
	[SDP_DIR_RECVONLY] = "recvonly",
	[SDP_DIR_INACTIVE] = "inactive",
};

const char *
sdp_dir_name(enum sdp_dir d)
{
	return d > SDP_DIR_NONE && d <= SDP_DIR_INACTIVE ? sdp_dir_names[d] : NULL;
}

enum sdp_dir
sdp_dir_answer(enum sdp_dir offer)
{
	switch (offer) {
	case SDP_DIR_SENDONLY:
		return SDP_DIR_RECVONLY;
	case SDP_DIR_RECVONLY:
		return SDP_DIR_SENDONLY;
	case SDP_DIR_INACTIVE:
		return SDP_DIR_INACTIVE;
	default:
		return SDP_DIR_SENDRECV;
	}
}

const struct sdp_suite_info sdp_suite_tab[SDP_SUITE_COUNT] = {
	[SDP_SUITE_AES_CM_128_HMAC_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 30 },
	[SDP_SUITE_AES_CM_128_HMAC_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 30 },
	[SDP_SUITE_AES_192_CM_HMAC_SHA1_80] = { "AES_192_CM_HMAC_SHA1_80", 38 },
	[SDP_SUITE_AES_192_CM_HMAC_SHA1_32] = { "AES_192_CM_HMAC_SHA1_32", 38 },
	[SDP_SUITE_AES_256_CM_HMAC_SHA1_80] = { "AES_256_CM_HMAC_SHA1_80", 46 },
	[SDP_SUITE_AES_256_CM_HMAC_SHA1_32] = { "AES_256_CM_HMAC_SHA1_32", 46 },
	[SDP_SUITE_AEAD_AES_128_GCM] = { "AEAD_AES_128_GCM", 28 },
	[SDP_SUITE_AEAD_AES_256_GCM] = { "AEAD_AES_256_GCM", 44 },
};

const char *
sdp_suite_name(enum sdp_suite s)
{
	return s > SDP_SUITE_OTHER && s < SDP_SUITE_COUNT ? sdp_suite_tab[s].name : NULL;
}

unsigned int
sdp_suite_key_len(enum sdp_suite s)
{
	return s > SDP_SUITE_OTHER && s < SDP_SUITE_COUNT ? sdp_suite_tab[s].len : 0;
}

const char *const sdp_cand_type_names[SDP_CAND_RELAY + 1] = {
	[SDP_CAND_HOST] = "host",
	[SDP_CAND_SRFLX] = "srflx",
	[SDP_CAND_PRFLX] = "prflx",
	[SDP_CAND_RELAY] = "relay",
};

const char *const sdp_tcptype_names[SDP_TCPTYPE_SO + 1] = {
	[SDP_TCPTYPE_ACTIVE] = "active",
	[SDP_TCPTYPE_PASSIVE] = "passive",
	[SDP_TCPTYPE_SO] = "so",
};
