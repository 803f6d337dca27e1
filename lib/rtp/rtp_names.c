/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/rtp's names: refusals (rtp_errors.def), demultiplexer classes and
 * sequence verdicts, for counters and logs.
 */
#include "rtp.h"

static const struct {
	const char *name;
	const char *help;
} errs[] = {
	[RTP_OK] = { "ok", "no error" },
#define RTP_ERR(e, n, what) [RTP_E_##e] = { n, what },
#include "rtp_errors.def"
#undef RTP_ERR
};

static const char *const demux_names[RTP_DEMUX_COUNT] = {
	[RTP_DEMUX_UNKNOWN] = "unknown",
	[RTP_DEMUX_STUN] = "stun",
	[RTP_DEMUX_ZRTP] = "zrtp",
	[RTP_DEMUX_DTLS] = "dtls",
	[RTP_DEMUX_TURN] = "turn",
	[RTP_DEMUX_RTP] = "rtp",
};

static const char *const seq_names[RTP_SEQ_COUNT] = {
	[RTP_SEQ_OK] = "ok",
	[RTP_SEQ_LATE] = "late",
	[RTP_SEQ_RESYNC] = "resync",
	[RTP_SEQ_SSRC] = "ssrc",
	[RTP_SEQ_PROBATION] = "probation",
	[RTP_SEQ_JUMP] = "jump",
	[RTP_SEQ_OTHER] = "other",
};

const char *
rtp_err_name(enum rtp_err e)
{
	return (unsigned int)e < RTP_E_COUNT ? errs[e].name : NULL;
}

const char *
rtp_err_help(enum rtp_err e)
{
	return (unsigned int)e < RTP_E_COUNT ? errs[e].help : NULL;
}

const char *
rtp_demux_name(enum rtp_demux d)
{
	return (unsigned int)d < RTP_DEMUX_COUNT ? demux_names[d] : NULL;
}

const char *
rtp_seq_name(enum rtp_seq v)
{
	return (unsigned int)v < RTP_SEQ_COUNT ? seq_names[v] : NULL;
}
