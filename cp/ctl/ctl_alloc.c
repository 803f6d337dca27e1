/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl allocations [--user USER] [--tenant NAME] [--cluster]: the
 * live allocations, one row each (--cluster: every box's, ctl_cluster.c);
 * and kill ID, which removes one now.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"

enum {
	ALLOC_ID, ALLOC_USER, ALLOC_TENANT, ALLOC_CLIENT, ALLOC_XPORT, ALLOC_RELAYED,
	ALLOC_PEERS, ALLOC_CHANNELS, ALLOC_LEFT, ALLOC_C2P, ALLOC_P2C, ALLOC_MAXBPS,
	ALLOC_NCOLS,
};

/* Numbers right-aligned: ID, LEFT(s), the counters and the limit. */
#define ALLOC_RIGHT ((1u << ALLOC_ID) | (1u << ALLOC_LEFT) | \
		      (1u << ALLOC_C2P) | (1u << ALLOC_P2C) | (1u << ALLOC_MAXBPS))

/* Columns left out of this table (ALLOC_* bits): TENANT on a box without
 * tenants, MAX(B/s) when no allocation listed has a bandwidth limit. */
static unsigned int alloc_hidden;

/* The TENANT column only on a box with tenants (the answer's "tenants"
 * above 0), MAX(B/s) only when an allocation has a limit: without, the
 * table is as it always was. A row of ALLOC_NCOLS cells into the table,
 * the columns not shown left out. */
static int
alloc_table_row(struct ctl_table *t, const char *const *row)
{
	const char *cells[ALLOC_NCOLS];
	size_t k = 0;

	for (size_t i = 0; i < ALLOC_NCOLS; i++)
		if (!(alloc_hidden & (1u << i)))
			cells[k++] = row[i];
	return ctl_table_row(t, cells);
}

/* The strings of list, or member key of each of its objects, joined by
 * commas into b ("-" when empty). Channels show as "0x4000=peer". */
static int
alloc_join(struct json_object *list, const char *key, const char *key2,
	 const char *where, struct ctl_str *b)
{
	struct json_object *e;
	const char *s, *s2;
	char ewhere[96];
	size_t i, n = json_object_array_length(list);
	int rc;

	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(list, i);
		snprintf(ewhere, sizeof(ewhere), "%s[%zu]", where, i);
		if (key == NULL) {
			if (!json_object_is_type(e, json_type_string))
				return ctl_malformed("%s is not a string",
						     ewhere);
			ctl_str_add(b, "%s%s", i ? "," : "",
				    json_object_get_string(e));
			continue;
		}
		if (!json_object_is_type(e, json_type_object))
			return ctl_malformed("%s is not an object", ewhere);
		rc = ctl_text(e, key, ewhere, &s);
		if (rc != 0)
			return rc;
		if (key2 == NULL) {
			ctl_str_add(b, "%s%s", i ? "," : "", s);
			continue;
		}
		rc = ctl_text(e, key2, ewhere, &s2);
		if (rc != 0)
			return rc;
		ctl_str_add(b, "%s%s=%s", i ? "," : "", s, s2);
	}
	if (n == 0)
		ctl_str_add(b, "-");
	return b->failed ? -ENOMEM : 0;
}

static int
alloc_row(struct json_object *a, size_t idx, struct ctl_table *t)
{
	static const char *const counters[4] = {
		"pkts_to_peer", "bytes_to_peer", "pkts_to_client",
		"bytes_to_client",
	};
	struct ctl_str rel = { 0 }, peers = { 0 }, chans = { 0 };
	struct json_object *relayed, *plist, *clist;
	char id[24], left[24], c2p[48], p2c[48], where[64], lwhere[96], maxbps[24] = "-";
	const char *row[ALLOC_NCOLS], *user, *client, *transport = "UDP", *conn = NULL;
	const char *tenant = "default";
	struct json_object *tmp;
	char xport[64];
	int64_t vid, vleft, cnt[4];
	unsigned int k;
	int rc;

	snprintf(where, sizeof(where), "\"allocations\"[%zu]", idx);
	if (!json_object_is_type(a, json_type_object))
		return ctl_malformed("%s is not an object", where);
	rc = ctl_int(a, "id", where, &vid);
	if (rc == 0) {
		/* From here on, name the allocation by its id. */
		snprintf(where, sizeof(where), "allocation %" PRId64, vid);
		rc = ctl_text(a, "user", where, &user);
	}
	if (rc == 0)
		rc = ctl_text(a, "client", where, &client);
	/* "transport" and "connection" came with TURN over TCP: a cp
	 * before them has neither (UDP). */
	if (rc == 0 && json_object_object_get_ex(a, "transport", &tmp) &&
	    json_object_is_type(tmp, json_type_string))
		transport = json_object_get_string(tmp);
	/* (a cp before tenants names none: all the default's) */
	if (rc == 0 && json_object_object_get_ex(a, "tenant", &tmp) &&
	    json_object_is_type(tmp, json_type_string))
		tenant = json_object_get_string(tmp);
	/* (a cp before bandwidth limits names none) */
	if (rc == 0 && json_object_object_get_ex(a, "max_bps", &tmp) &&
	    json_object_is_type(tmp, json_type_int) && json_object_get_int64(tmp) > 0)
		snprintf(maxbps, sizeof(maxbps), "%" PRId64, json_object_get_int64(tmp));
	if (rc == 0 && json_object_object_get_ex(a, "connection", &tmp) &&
	    json_object_is_type(tmp, json_type_string))
		conn = json_object_get_string(tmp);
	if (rc == 0)
		rc = ctl_member(a, "relayed", json_type_array, where,
				&relayed);
	if (rc == 0)
		rc = ctl_member(a, "peers", json_type_array, where, &plist);
	if (rc == 0)
		rc = ctl_member(a, "channels", json_type_array, where, &clist);
	if (rc == 0)
		rc = ctl_int(a, "lifetime_left_s", where, &vleft);
	for (k = 0; rc == 0 && k < 4; k++)
		rc = ctl_int(a, counters[k], where, &cnt[k]);
	if (rc == 0) {
		snprintf(lwhere, sizeof(lwhere), "%s \"relayed\"", where);
		rc = alloc_join(relayed, NULL, NULL, lwhere, &rel);
	}
	if (rc == 0) {
		snprintf(lwhere, sizeof(lwhere), "%s \"peers\"", where);
		rc = alloc_join(plist, "peer", NULL, lwhere, &peers);
	}
	if (rc == 0) {
		snprintf(lwhere, sizeof(lwhere), "%s \"channels\"", where);
		rc = alloc_join(clist, "channel", "peer", lwhere, &chans);
	}
	if (rc == 0) {
		snprintf(id, sizeof(id), "%" PRId64, vid);
		snprintf(left, sizeof(left), "%" PRId64, vleft);
		snprintf(c2p, sizeof(c2p), "%" PRId64 "/%" PRId64, cnt[0],
			 cnt[1]);
		snprintf(p2c, sizeof(p2c), "%" PRId64 "/%" PRId64, cnt[2],
			 cnt[3]);
		row[ALLOC_ID] = id;
		row[ALLOC_USER] = user;
		row[ALLOC_TENANT] = tenant;
		row[ALLOC_CLIENT] = client;
		if (conn != NULL)
			snprintf(xport, sizeof(xport), "%s/%s", transport, conn);
		else
			snprintf(xport, sizeof(xport), "%s", transport);
		row[ALLOC_XPORT] = xport;
		row[ALLOC_RELAYED] = rel.s;
		row[ALLOC_PEERS] = peers.s;
		row[ALLOC_CHANNELS] = chans.s;
		row[ALLOC_LEFT] = left;
		row[ALLOC_C2P] = c2p;
		row[ALLOC_P2C] = p2c;
		row[ALLOC_MAXBPS] = maxbps;
		rc = alloc_table_row(t, row);
	}
	free(rel.s);
	free(peers.s);
	free(chans.s);
	return rc;
}

static int
alloc_show(struct json_object *a)
{
	static const char *const head[ALLOC_NCOLS] = {
		"ID", "USER", "TENANT", "CLIENT", "TRANSPORT", "RELAYED", "PEERS", "CHANNELS",
		"LEFT(s)", "C->P(pkts/bytes)", "P->C(pkts/bytes)", "MAX(B/s)",
	};
	struct json_object *list, *nt;
	struct ctl_table t;
	bool tenants;
	size_t i, n;
	int rc;

	rc = ctl_member(a, "allocations", json_type_array, "the answer",
			&list);
	if (rc != 0)
		return rc;
	n = json_object_array_length(list);
	if (n == 0) {
		puts("no allocations");
		return 0;
	}
	tenants = json_object_object_get_ex(a, "tenants", &nt) &&
		  json_object_is_type(nt, json_type_int) && json_object_get_int64(nt) > 0;
	alloc_hidden = tenants ? 0u : 1u << ALLOC_TENANT;
	alloc_hidden |= 1u << ALLOC_MAXBPS;
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(list, i), *mb;

		if (json_object_is_type(e, json_type_object) &&
		    json_object_object_get_ex(e, "max_bps", &mb) &&
		    json_object_is_type(mb, json_type_int) && json_object_get_int64(mb) > 0)
			alloc_hidden &= ~(1u << ALLOC_MAXBPS);
	}
	{
		/* (the columns after a hidden one move left) */
		unsigned int right = 0, k = 0, nc = 0;

		for (unsigned int c = 0; c < ALLOC_NCOLS; c++)
			if (!(alloc_hidden & (1u << c))) {
				if (ALLOC_RIGHT & (1u << c))
					right |= 1u << k;
				k++;
				nc++;
			}
		ctl_table_init(&t, nc, right);
	}
	rc = alloc_table_row(&t, head);
	for (i = 0; rc == 0 && i < n; i++)
		rc = alloc_row(json_object_array_get_idx(list, i), i,
					&t);
	if (rc == 0)
		ctl_table_print(&t, stdout);
	ctl_table_free(&t);
	return rc;
}

static void
alloc_usage(FILE *f, const char *path)
{
	fprintf(f,
		"Usage: %s [--user USER] [--tenant NAME] [--cluster]\n"
		"\n"
		"List the live allocations, one row each:\n"
		"  ID        the allocation's id (for 'kill')\n"
		"  USER      the username it authenticated with\n"
		"  TENANT    its tenant: the one whose TURN address the client reached\n"
		"            (shown on a box with a tenants list)\n"
		"  CLIENT    the client's address and port\n"
		"  TRANSPORT UDP, or TCP/ and its connection in dp (worker:slot:gen);\n"
		"            an allocation made over TCP goes when that closes\n"
		"  RELAYED   its relayed transport address(es)\n"
		"  PEERS     the peer addresses it has permissions for\n"
		"  CHANNELS  its channels, as CHANNEL=PEER:PORT\n"
		"  LEFT(s)   seconds until it expires unless refreshed\n"
		"  C->P      packets/bytes relayed from the client to peers\n"
		"  P->C      packets/bytes relayed from peers to the client\n"
		"  MAX(B/s)  its bandwidth limit, bytes a second each way ('-': none;\n"
		"            the column only when one has a limit)\n"
		"\n"
		"Options:\n"
		"  -u, --user USER  only USER's allocations\n"
		"  -t, --tenant NAME  only tenant NAME's (see 'turnpikectl tenants';\n"
		"                   \"default\": the box's own)\n"
		"  -c, --cluster    every box's, from the cluster's registry in Redis\n"
		"                   (BOX ID USER CLIENT TRANSPORT RELAYED LEFT(s), and\n"
		"                   TENANT after USER when one is a tenant's or with\n"
		"                   --tenant); with --json {\"allocations\": [{\"box\",\n"
		"                   \"id\", \"user\", \"tenant\", \"client\", \"transport\",\n"
		"                   \"relayed\", \"lifetime_left_s\"}], \"boxes\", \"malformed\",\n"
		"                   \"ok\"}\n"
		"  -h, --help       show this help and exit\n"
		"\n"
		"With the global --json: the answer object, one line, with\n"
		"every expiry and all eight counters (pkts_/bytes_ from_client,\n"
		"to_peer, from_peer, to_client):\n"
		"  {\"allocations\": [{\"id\", \"user\", \"tenant\", \"worker\", \"client\",\n"
		"   \"transport\", \"connection\" (TCP only),\n"
		"   \"relayed\", \"lifetime_left_s\", \"peers\": [{\"peer\",\n"
		"   \"expires_in_s\"}], \"channels\": [{\"channel\", \"peer\",\n"
		"   \"expires_in_s\"}], counters...}], \"tenants\" (how many the box\n"
		"   has besides the default), \"ok\"}\n",
		path);
}

int
ctl_allocations_main(const struct ctl_opts *opts, const char *path, int argc,
		     char **argv)
{
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "tenant", required_argument, NULL, 't' },
		{ "cluster", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *req;
	const char *user = NULL, *tenant = NULL;
	bool cluster = false;
	int c;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":u:t:ch", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 't':
			if (optarg[0] == '\0')
				return ctl_usage_error(path, "--tenant: a tenant's name (see '%s "
						       "tenants')", CTL_PROG);
			tenant = optarg;
			break;
		case 'c':
			cluster = true;
			break;
		case 'h':
			alloc_usage(stdout, path);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'",
				       argv[optind]);
	if (cluster)
		return ctl_allocations_cluster(opts, user, tenant);
	req = ctl_request("allocations");
	if (user != NULL)
		req = ctl_req_str(req, "user", user);
	if (tenant != NULL)
		req = ctl_req_str(req, "tenant", tenant);
	return ctl_query(opts, req, alloc_show);
}

/* ---- kill ---------------------------------------------------------------- */

/* A positive decimal integer that fits an int64: digits only, no sign,
 * no blanks. Returns 0 or -EINVAL. */
static int
alloc_parse_id(const char *s, int64_t *id)
{
	uint64_t v = 0;
	const char *p;

	if (*s == '\0')
		return -EINVAL;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > ((uint64_t)INT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v == 0)
		return -EINVAL;
	*id = (int64_t)v;
	return 0;
}

static const struct ctl_help alloc_kill_usage = {
	"ALLOCATION-ID",
	"Remove an allocation now: turnpike-dp stops relaying for it and its\n"
	"relayed address is free again. ALLOCATION-ID is the ID column of\n"
	"'turnpikectl allocations' (a positive decimal integer).\n",
};

int
ctl_kill_main(const struct ctl_opts *opts, const char *path, int argc,
	      char **argv)
{
	static const char *const names[] = { "ALLOCATION-ID" };
	struct json_object *answer;
	int64_t id;
	int status;

	status = ctl_args(path, argc, argv, &alloc_kill_usage, names, 1);
	if (status >= 0)
		return status;
	if (alloc_parse_id(argv[optind], &id) != 0)
		return ctl_usage_error(path,
			"'%s' is not an allocation id (a positive decimal integer, see '%s allocations')",
			argv[optind], CTL_PROG);
	status = ctl_exchange(opts, ctl_req_int(ctl_request("kill"), "id", id),
			      &answer);
	if (answer == NULL)
		return status;
	printf("killed allocation %" PRId64 "\n", id);
	json_object_put(answer);
	return ctl_flush();
}
