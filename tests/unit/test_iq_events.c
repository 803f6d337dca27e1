/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's events by package (iq_events.c): every event of the profile's
 * packages that FEATURE.md's table names, where it is detected (ROOT, a
 * TCP termination, an RTP one), and the H.248.8 code of each refusal: an
 * unknown package 440, an event its package does not have 451, one the
 * termination cannot detect 512, a name that is not pkg/event 442.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "h248.h"
#include "iq/iq_events.h"

static enum iq_event
of(const char *name, unsigned int *code)
{
	*code = 0;
	return iq_event_of(name, strlen(name), code);
}

/* The events of FEATURE.md's package table, where each is detected. */
static void
test_events_where(void **state)
{
	static const struct {
		const char *name;
		unsigned int on;
	} want[] = {
		/* g is every termination's (TS 29.334: the generic package) */
		{ "g/cause", IQ_ON_TCP | IQ_ON_RTP },
		{ "g/sc", IQ_ON_TCP | IQ_ON_RTP },
		/* H.248.36 on every termination, RTP's as TCP's */
		{ "hangterm/thb", IQ_ON_TCP | IQ_ON_RTP },
		{ "adid/ipstop", IQ_ON_RTP },
		{ "it/ito", IQ_ON_ROOT | IQ_ON_RTP },
		{ "nt/netfail", 0 },
		{ "nt/qualert", 0 },
		{ "rtp/pltrans", 0 },
		/* WebRTC's (names ours: FEATURE.md "WebRTC"), an RTP
		 * termination's */
		{ "ice/ccr", IQ_ON_RTP },
		{ "ice/cfl", IQ_ON_RTP },
		{ "dtls/est", IQ_ON_RTP },
		{ "dtls/fail", IQ_ON_RTP },
	};
	unsigned int code;

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		enum iq_event e = of(want[i].name, &code);

		assert_int_not_equal(e, IQ_EV_NONE);
		assert_string_equal(iq_event_name(e), want[i].name);
		assert_int_equal(iq_event_on(e), want[i].on);
	}
	/* any case: megaco lowers what it sends, others may not */
	assert_int_equal(of("G/Cause", &code), of("g/cause", &code));
	assert_int_equal(of("HANGTERM/THB", &code), of("hangterm/thb", &code));
}

static void
test_events_codes(void **state)
{
	unsigned int code;

	(void)state;
	/* a package the gateway does not take (the profile's optional ocp,
	 * chp, ipra among them) */
	assert_int_equal(of("xyz/abc", &code), IQ_EV_NONE);
	assert_int_equal(code, H248_E_UNKNOWN_PKG);
	assert_int_equal(of("ocp/mg_overload", &code), IQ_EV_NONE);
	assert_int_equal(code, 440);
	assert_int_equal(of("chp/mgcon", &code), IQ_EV_NONE);
	assert_int_equal(code, 440);
	/* a package it takes, an event the package does not have */
	assert_int_equal(of("g/foo", &code), IQ_EV_NONE);
	assert_int_equal(code, H248_E_NO_SUCH_EVENT);
	assert_int_equal(code, 451);
	assert_int_equal(of("hangterm/timerx", &code), IQ_EV_NONE);   /* a property */
	assert_int_equal(code, 451);
	assert_int_equal(of("dtls/foo", &code), IQ_EV_NONE);
	assert_int_equal(code, 451);
	assert_int_equal(of("ice/nom", &code), IQ_EV_NONE);
	assert_int_equal(code, 451);
	/* WebRTC's on ROOT or a TCP termination: 512 */
	assert_int_equal(iq_events_refused(1u << of("dtls/fail", &code), IQ_ON_TCP),
			 of("dtls/fail", &code));
	assert_int_equal(iq_events_refused(1u << of("ice/ccr", &code), IQ_ON_ROOT),
			 of("ice/ccr", &code));
	assert_int_equal(iq_events_refused(1u << of("ice/ccr", &code), IQ_ON_RTP), IQ_EV_NONE);
	assert_int_equal(of("gm/saf", &code), IQ_EV_NONE);
	assert_int_equal(code, 451);
	/* a package's prefix is not the package */
	assert_int_equal(of("gx/cause", &code), IQ_EV_NONE);
	assert_int_equal(code, 440);
	assert_int_equal(of("g/causes", &code), IQ_EV_NONE);
	assert_int_equal(code, 451);
	/* not pkg/event */
	assert_int_equal(of("cause", &code), IQ_EV_NONE);
	assert_int_equal(code, H248_E_SYNTAX_CMD);
	/* H.248.8: 512 "Media Gateway unequipped to detect requested Event" */
	assert_int_equal(H248_E_UNEQUIPPED_EVENT, 512);
	assert_string_equal(h248_code_text(512), "Media Gateway unequipped to detect requested Event");
}

static void
test_events_refused(void **state)
{
	unsigned int code;
	uint32_t cause = IQ_EV_BIT(of("g/cause", &code));
	uint32_t thb = IQ_EV_BIT(of("hangterm/thb", &code));
	uint32_t ipstop = IQ_EV_BIT(of("adid/ipstop", &code));
	uint32_t ito = IQ_EV_BIT(of("it/ito", &code));
	uint32_t netfail = IQ_EV_BIT(of("nt/netfail", &code));

	(void)state;
	/* what an IMS-ALG puts in every Add: taken on both kinds */
	assert_int_equal(iq_events_refused(cause | thb, IQ_ON_RTP), IQ_EV_NONE);
	assert_int_equal(iq_events_refused(cause | thb, IQ_ON_TCP), IQ_EV_NONE);
	assert_int_equal(iq_events_refused(cause | thb | ipstop | ito, IQ_ON_RTP), IQ_EV_NONE);
	/* media silence is an RTP termination's; ROOT ends never */
	assert_int_equal(iq_events_refused(cause | ipstop, IQ_ON_TCP), of("adid/ipstop", &code));
	assert_int_equal(iq_events_refused(ito, IQ_ON_TCP), of("it/ito", &code));
	assert_int_equal(iq_events_refused(ito, IQ_ON_ROOT), IQ_EV_NONE);
	assert_int_equal(iq_events_refused(ito | cause, IQ_ON_ROOT), of("g/cause", &code));
	assert_int_equal(iq_events_refused(thb, IQ_ON_ROOT), of("hangterm/thb", &code));
	/* nowhere */
	assert_int_equal(iq_events_refused(netfail, IQ_ON_RTP), of("nt/netfail", &code));
	assert_int_equal(iq_events_refused(netfail, IQ_ON_TCP), of("nt/netfail", &code));
	assert_int_equal(iq_events_refused(0, IQ_ON_ROOT), IQ_EV_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_where),
		cmocka_unit_test(test_events_codes),
		cmocka_unit_test(test_events_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
