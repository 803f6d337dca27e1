/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The modules of turnpike-dp, once (dp_module.h): the only place the
 * process names them. Their order is that of creation and set-up, of the
 * counters cp shows and of the statistics' lines; the stop runs it
 * backwards. TURN's tables come before TURN over TCP and TLS, which
 * uses them; the gateway's contexts before RFC 6062's relay, which
 * splices with the gateway's splice counters when there is one; TLS's
 * keys with each worker, before any module serves TLS; the diagnostics'
 * echo with the stack it listens on; the RTP terminations last (they
 * need none of the others, and their counters follow what cp showed
 * before them), then DTLS-SRTP on them (its ops registered as each
 * worker is made, for dp/rtp's set-up to take); lawful interception's
 * rings and thread (dp/li) after all of them, its counters last.
 */
#include "dp.h"
#include "dp_module.h"
#include "dp_root.h"
#include "dp_tcp.h"
#include "agw/agw.h"
#include "diag/diag.h"
#include "li/li_dp.h"
#include "dtls_srtp/dtls_srtp_module.h"
#include "rtp/rtp_dp.h"
#include "session.h"
#include "splice.h"
#include "tcprelay/tcprelay.h"
#include "tls.h"
#include "turn/turn.h"
#include "turn/turn_tcp.h"

static const struct dp_module *const modules[] = {
	&dp_tcp_module,
	&diag_module,
	&turn_module,
	&turn_tcp_module,
	&turn_dtls_module,
	&tls_module,
	&session_module,
	&splice_module,
	&agw_module,
	&tcprelay_module,
	&rtp_dp_module,
	&dtls_srtp_dp_module,
	&li_dp_module,
};

int
dp_modules_use_all(struct dp_ctx *ctx)
{
	return dp_modules_use(ctx, modules, sizeof(modules) / sizeof(modules[0]));
}
