/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl ha switchover: hand the active role of a pair to the standby,
 * planned, losing nothing (docs/design/ha.md §3.5, cp/ha/ha_switch.c); and
 * the pair's lines of `status` (ctl_ha_lines()).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"
#include "tp_common.h"

void
ctl_ha_lines(struct json_object *a)
{
	struct json_object *ha, *peer, *m, *sw, *v;
	const char *state;

	if (!json_object_object_get_ex(a, "ha", &ha) || !json_object_is_type(ha, json_type_object))
		return;
	state = ctl_get_str(ha, "state", NULL);
	ctl_put_safe(stdout, "ha           ", ctl_get_str(ha, "role", "?"), "");
	if (state != NULL && strcmp(state, ctl_get_str(ha, "role", "")) != 0)
		ctl_put_safe(stdout, " (", state, ")");
	if (json_object_object_get_ex(ha, "yielding", &v) && json_object_get_boolean(v))
		printf(", yielding (a switchover: dp passive)");
	ctl_put_safe(stdout, ", box ", ctl_get_str(ha, "box", "?"), "");
	ctl_put_safe(stdout, " of pair ", ctl_get_str(ha, "pair", "?"), "");
	printf(", token %" PRId64 "\n", ctl_get_int(ha, "token"));
	if (json_object_object_get_ex(ha, "peer", &peer) &&
	    json_object_is_type(peer, json_type_object)) {
		bool up = json_object_object_get_ex(peer, "connected", &v) &&
			  json_object_get_boolean(v);

		ctl_put_safe(stdout, "ha peer      ", ctl_get_str(peer, "address", "?"), "");
		if (up) {
			ctl_put_safe(stdout, ": box ", ctl_get_str(peer, "box", "?"), "");
			ctl_put_safe(stdout, ", ", ctl_get_str(peer, "role", "?"), "");
			printf(", heard %" PRId64 " ms ago, rtt %" PRId64 " ms\n",
			       ctl_get_int(peer, "heard_ms_ago"), ctl_get_int(peer, "rtt_ms"));
		} else {
			printf(": NOT CONNECTED\n");
			if (json_object_object_get_ex(peer, "last_refusal", &v))
				ctl_put_safe(stdout, "ha refusal   ", json_object_get_string(v), "\n");
		}
	}
	printf("ha mirror    lag %" PRId64 " ms", ctl_get_int(ha, "lag_ms"));
	if (json_object_object_get_ex(ha, "mirrored", &m) &&
	    json_object_is_type(m, json_type_object))
		printf(", %" PRId64 " allocation(s), %" PRId64 " context(s) mirrored",
		       ctl_get_int(m, "allocations"), ctl_get_int(m, "contexts"));
	printf(", records refused %" PRId64 ", bindings refused %" PRId64
	       ", batches refused %" PRId64 "\n", ctl_get_int(ha, "records_refused"),
	       ctl_get_int(ha, "binds_refused"), ctl_get_int(ha, "batch_refused"));
	if (json_object_object_get_ex(ha, "switchover", &sw) &&
	    json_object_is_type(sw, json_type_object)) {
		if (json_object_object_get_ex(sw, "under_way", &v) && json_object_get_boolean(v))
			printf("ha switch    under way\n");
		else if (json_object_object_get_ex(sw, "last", &v))
			ctl_put_safe(stdout, "ha switch    last: ", json_object_get_string(v), "\n");
	}
}

static const struct ctl_help switchover_usage = {
	"",
	"On the active box of a pair: hand the active role to the standby,\n"
	"losing nothing. The mirror is drained (every change acknowledged by\n"
	"the standby, lag 0), dp made passive, the last changes mirrored, the\n"
	"lease let go in Redis and the standby told to take it at once; done\n"
	"when the standby is heard active (a gap of tens of ms at the\n"
	"receivers). Refused, the box staying active, when it is not active,\n"
	"has no link to the peer or no standby peer, the standby cannot take\n"
	"over (its ha.role is \"standby\"), or the lag does not reach 0 within\n"
	"1 s. TCP and TLS connections (TURN over TCP/TLS, RFC 6062, the\n"
	"gateway's TCP legs) end with the switchover: docs/ha.md.\n"
	"\n"
	"With the global --json: {\"from\", \"to\", \"token\", \"ok\"}.\n",
};

static int
ha_switchover_main(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	struct json_object *answer, *st = NULL, *ha, *sw, *v;
	int status;

	status = ctl_args(path, argc, argv, &switchover_usage, NULL, 0);
	if (status >= 0)
		return status;
	status = ctl_exchange(opts, ctl_request("ha.switchover"), &answer);
	if (answer == NULL)
		return status;
	ctl_put_safe(stdout, "switched over: ", ctl_get_str(answer, "from", "?"), "");
	ctl_put_safe(stdout, " -> ", ctl_get_str(answer, "to", "?"), "");
	/* what it took, as the old active box's status says */
	if (ctl_ask(opts, "status", &st) == 0 && st != NULL &&
	    json_object_object_get_ex(st, "ha", &ha) &&
	    json_object_object_get_ex(ha, "switchover", &sw) &&
	    json_object_object_get_ex(sw, "last", &v) && json_object_is_type(v, json_type_string))
		ctl_put_safe(stdout, ": ", json_object_get_string(v), "");
	putchar('\n');
	json_object_put(st);
	json_object_put(answer);
	return ctl_flush();
}

int
ctl_ha_main(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const struct ctl_cmd cmds[] = {
		{ "switchover", "hand the active role to the standby, losing nothing",
		  ha_switchover_main },
	};

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		FILE *f = argc < 2 ? stderr : stdout;

		fprintf(f, "Usage: %s COMMAND\n\nThe active/standby pair (an ha group: "
			"docs/ha.md).\n\nCommands:\n", path);
		ctl_usage_commands(f, cmds, TP_ARRAY_SIZE(cmds));
		fprintf(f, "\n'%s status' (and --json status's \"ha\") shows the pair.\n",
			CTL_PROG);
		return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
	}
	return ctl_dispatch(cmds, TP_ARRAY_SIZE(cmds), opts, path, argc - 1, argv + 1);
}
