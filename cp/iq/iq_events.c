/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's events by package: the ones it knows (iq_events.def) with where
 * each is detected, and the packages of the profile it takes (pkgs[]), so
 * that an Events descriptor's name is answered with the code H.248.8
 * gives its case: an unknown package 440, an event its package does not
 * have 451, one the termination cannot detect 512 (iq_events_refused(),
 * judged by the termination's kind once it is known). Which events a
 * kind detects is FEATURE.md's package table.
 */
#include <string.h>
#include <strings.h>

#include "h248.h"
#include "iq_events.h"

static const struct {
	const char *name;
	unsigned int on;
} events[IQ_EV__COUNT] = {
#define IQ_EVENT(e, nm, where) [IQ_EV_##e] = { nm, where },
#include "iq_events.def"
#undef IQ_EVENT
};

/* The packages of TS 29.334's list the gateway takes (FEATURE.md's table:
 * properties, statistics or events), and the WebRTC events' own (ice,
 * dtls: names of ours); those with events have them all in
 * iq_events.def. */
static const char *const pkgs[] = {
	"g", "root", "ipnapt", "gm", "ipdc", "hangterm", "tman", "ds", "rtcph", "it", "adid",
	"nt", "rtp", "ice", "dtls",
};

enum iq_event
iq_event_of(const char *name, size_t len, unsigned int *code)
{
	const char *slash = memchr(name, '/', len);
	size_t pl;

	if (slash == NULL) {
		*code = H248_E_SYNTAX_CMD;
		return IQ_EV_NONE;
	}
	for (unsigned int e = 1; e < IQ_EV__COUNT; e++)
		if (strlen(events[e].name) == len && strncasecmp(events[e].name, name, len) == 0)
			return (enum iq_event)e;
	pl = (size_t)(slash - name);
	*code = H248_E_UNKNOWN_PKG;
	for (size_t i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++)
		if (strlen(pkgs[i]) == pl && strncasecmp(pkgs[i], name, pl) == 0)
			*code = H248_E_NO_SUCH_EVENT;
	return IQ_EV_NONE;
}

const char *
iq_event_name(enum iq_event e)
{
	return e > IQ_EV_NONE && e < IQ_EV__COUNT ? events[e].name : "none";
}

unsigned int
iq_event_on(enum iq_event e)
{
	return e > IQ_EV_NONE && e < IQ_EV__COUNT ? events[e].on : 0u;
}

enum iq_event
iq_events_refused(uint32_t asked, unsigned int where)
{
	for (unsigned int e = 1; e < IQ_EV__COUNT; e++)
		if ((asked & IQ_EV_BIT(e)) && !(events[e].on & where))
			return (enum iq_event)e;
	return IQ_EV_NONE;
}
