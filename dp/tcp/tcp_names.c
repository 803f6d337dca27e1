/* SPDX-License-Identifier: BSD-3-Clause */
/* dp/tcp names of states, counters and close reasons, from the .def tables. */
#include "tcp.h"

static const char *const state_names[] = {
#define TCP_STATE(e, n) n,
#include "tcp_states.def"
#undef TCP_STATE
};

static const char *const ctr_names[] = {
#define TCP_CTR(e, n, h) n,
#include "tcp_counters.def"
#undef TCP_CTR
};

static const char *const reason_names[] = {
#define TCP_REASON(e, n, h) n,
#include "tcp_reasons.def"
#undef TCP_REASON
};

const char *
tcp_state_name(unsigned int st)
{
	return st < TCP_ST__COUNT ? state_names[st] : "?";
}

const char *
tcp_ctr_name(unsigned int c)
{
	return c < TCP_CTR__COUNT ? ctr_names[c] : "?";
}

const char *
tcp_reason_name(unsigned int r)
{
	return r < TCP_REASON__COUNT ? reason_names[r] : "?";
}
