/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's property table (iq_props.c): a LocalControl or TerminationState
 * descriptor read alone, as a Modify carries it: the properties of each
 * package into struct iq_media, a value refused (449, 517), a property
 * not taken (445), one given twice (456, H.248.8 "Property appears twice
 * in this Descriptor"), in any case and in either descriptor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "iq/iq_props.h"

static struct h248_node nodes[256];

/* The descriptor (LocalControl or TerminationState) of a Modify made of
 * body, read into m: 0 or -1 with f. */
static int
read_desc(const char *body, enum h248_tok which, struct iq_media *m, struct iq_fail *f)
{
	static char msg[2048];
	struct h248_tree t;
	struct h248_msg hm;
	struct h248_err err;
	const struct h248_node *md, *d;
	int n;

	n = snprintf(msg, sizeof(msg), "MEGACO/3 [192.0.2.20]:2944\nTransaction = 5 { "
		     "Context = 1 { Modify = tcp/0/1 { Media { %s { %s } } } } }",
		     which == H248_TOK_LOCALCONTROL ? "LocalControl" : "TerminationState", body);
	assert_true(n > 0 && (size_t)n < sizeof(msg));
	if (h248_parse(&t, msg, (size_t)n, nodes, 256, &hm, &err) != 0)
		fail_msg("%s at %u: %s", err.why, err.off, msg + err.off);
	md = h248_child(&t, h248_child(&t, h248_child(&t, hm.trans[0].node, H248_TOK_CONTEXT),
				       H248_TOK_MODIFY), H248_TOK_MEDIA);
	d = h248_child(&t, md, which);
	assert_non_null(d);
	memset(m, 0, sizeof(*m));
	memset(f, 0, sizeof(*f));
	return iq_props_read(&t, d, which == H248_TOK_LOCALCONTROL ? IQ_DESC_LOCALCONTROL :
			     IQ_DESC_TERMSTATE, m, f);
}

static void
test_iq_props_every_package_read(void **state)
{
	struct iq_media m;
	struct iq_fail f;

	(void)state;
	assert_int_equal(read_desc("Mode = SendReceive, ipnapt/latch = ON, gm/saf = ON, "
				   "gm/sam = 192.0.2.7, gm/spf = OFF, gm/spr = 5060, "
				   "ipdc/realm = core, ds/dscp = 0x2E, tman/pol = ON, "
				   "tman/sdr = 125000, tman/mbs = 20000, tman/pdr = 0, "
				   "tman/dvt = 10", H248_TOK_LOCALCONTROL, &m, &f), 0);
	assert_true(m.latch_set && m.latch);
	assert_true(m.saf_set && m.saf && m.spf_set && !m.spf);
	assert_int_equal(m.sam_fam, 4);
	assert_int_equal(m.spr, 5060);
	assert_string_equal(m.realm, "core");
	assert_true(m.dscp_set);
	assert_int_equal(m.dscp, 46);
	assert_true(m.pol_set && m.pol && m.sdr_set && m.mbs_set);
	assert_int_equal(m.sdr, 125000);
	assert_int_equal(m.mbs, 20000);
	/* names in any case (megaco lowers them, others may not) */
	assert_int_equal(read_desc("DS/DSCP = 10, GM/SAM = \"2001:db8::1\"", H248_TOK_LOCALCONTROL,
				   &m, &f), 0);
	assert_int_equal(m.dscp, 10);
	assert_int_equal(m.sam_fam, 6);
	assert_int_equal(read_desc("ServiceStates = InService, hangterm/timerx = 30",
				   H248_TOK_TERMINATIONSTATE, &m, &f), 0);
	assert_true(m.timerx_set);
	assert_int_equal(m.timerx, 30);
}

static void
test_iq_props_refused(void **state)
{
	struct iq_media m;
	struct iq_fail f;

	(void)state;
	/* the four modes of a relay are read (a TCP termination takes
	 * SendReceive only: iq_cmd.c's judgement); Loopback is not one */
	assert_int_equal(read_desc("Mode = SendOnly", H248_TOK_LOCALCONTROL, &m, &f), 0);
	assert_true(m.mode_set);
	assert_int_equal(m.mode, H248_TOK_SENDONLY);
	assert_int_equal(read_desc("Mode = Loopback", H248_TOK_LOCALCONTROL, &m, &f), -1);
	assert_int_equal(f.code, H248_E_MODE);
	assert_int_equal(read_desc("rtcph/rtcpa = OFF", H248_TOK_LOCALCONTROL, &m, &f), 0);
	assert_true(m.rtcpa_set && !m.rtcpa);
	assert_int_equal(read_desc("rtcph/rtcpa = maybe", H248_TOK_LOCALCONTROL, &m, &f), -1);
	assert_int_equal(f.code, H248_E_BAD_VALUE);
	assert_int_equal(read_desc("ds/dscp = 64", H248_TOK_LOCALCONTROL, &m, &f), -1);
	assert_int_equal(f.code, H248_E_BAD_VALUE);
	assert_int_equal(read_desc("tman/sdr = 0", H248_TOK_LOCALCONTROL, &m, &f), -1);
	assert_int_equal(f.code, H248_E_BAD_VALUE);
	assert_string_equal(f.text, "tman/sdr: a number, 1 to 4294967295");
	assert_int_equal(read_desc("gm/saf = maybe", H248_TOK_LOCALCONTROL, &m, &f), -1);
	assert_string_equal(f.text, "gm/saf: ON or OFF");
	assert_int_equal(read_desc("hangterm/timerx = 86401", H248_TOK_TERMINATIONSTATE, &m,
				   &f), -1);
	assert_int_equal(f.code, H248_E_BAD_VALUE);
	/* a property of the table in the other descriptor, or none */
	assert_int_equal(read_desc("hangterm/timerx = 5", H248_TOK_LOCALCONTROL, &m, &f), -1);
	assert_int_equal(f.code, H248_E_UNKNOWN_PROP);
	assert_string_equal(f.text, "LocalControl: hangterm/timerx is not supported");
	assert_int_equal(read_desc("ds/dscp = 5", H248_TOK_TERMINATIONSTATE, &m, &f), -1);
	assert_int_equal(f.code, H248_E_UNKNOWN_PROP);
	assert_int_equal(read_desc("nt/jit = 5", H248_TOK_LOCALCONTROL, &m, &f), -1);
	assert_int_equal(f.code, 445);
	/* TerminationState's other tokens mean nothing on a TCP leg: taken */
	assert_int_equal(read_desc("Buffer = OFF", H248_TOK_TERMINATIONSTATE, &m, &f), 0);
}

static void
test_iq_props_twice_is_456(void **state)
{
	struct iq_media m;
	struct iq_fail f;

	(void)state;
	assert_int_equal(read_desc("ds/dscp = 46, tman/pol = OFF, ds/dscp = 10",
				   H248_TOK_LOCALCONTROL, &m, &f), -1);
	assert_int_equal(f.code, H248_E_PROP_TWICE);
	assert_int_equal(f.code, 456);
	assert_string_equal(f.text, "LocalControl: ds/dscp appears twice");
	/* the same property in another case, and a token property */
	assert_int_equal(read_desc("gm/saf = ON, GM/SAF = ON", H248_TOK_LOCALCONTROL, &m, &f),
			 -1);
	assert_int_equal(f.code, 456);
	assert_int_equal(read_desc("Mode = SendReceive, Mode = SendReceive",
				   H248_TOK_LOCALCONTROL, &m, &f), -1);
	assert_int_equal(f.code, 456);
	assert_int_equal(read_desc("hangterm/timerx = 5, hangterm/timerx = 5",
				   H248_TOK_TERMINATIONSTATE, &m, &f), -1);
	assert_int_equal(f.code, 456);
	assert_string_equal(f.text, "TerminationState: hangterm/timerx appears twice");
	/* two properties of one package are not one twice */
	assert_int_equal(read_desc("tman/sdr = 1000, tman/mbs = 1000", H248_TOK_LOCALCONTROL,
				   &m, &f), 0);
	/* and the text sent is H.248.8's code with ours */
	assert_string_equal(h248_code_text(456), "Property appears twice in this Descriptor");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iq_props_every_package_read),
		cmocka_unit_test(test_iq_props_refused),
		cmocka_unit_test(test_iq_props_twice_is_456),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
