/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: turnpike-cp's operator API as a client reaches it. The
 * real cp/api (the non-blocking server, json-c's parser) and the real
 * commands, registered by their modules as cp does (status, allocations,
 * kill, drain, users.*, secrets.*, psk.*, reload, agw.*), over a real cp
 * context with allocations, auth and a segment)
 * serve each input, written whole to a fresh connection on the API's
 * unix socket, as turnpikectl or anyone allowed to connect could send it.
 *
 * Invariants (abort on breach): an answer, when there is one, is one JSON
 * object with a boolean "ok" (and a string "error" when it is false); no
 * connection outlives its input (the API is back to none open); nothing
 * the input asks for leaves users or secrets the API says are not there.
 * ASan/UBSan watch the rest.
 *
 * Seeds: corpus/cp_api (each command well formed, and a few bad ones).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cp.h"
#include "cp_module.h"
#include "stun.h"
#include "tp_conf.h"
#include "fuzz_check.h"

static struct tp_conf conf;
static struct cp_ctx cp;
static struct cp_tls fz_tls;
static struct cp_api fz_api;
static char dir[64], sock_path[128];

static const char conf_text[] =
	"dp = { workers = [0, 1]; ports = (\n"
	"  { name = \"a\"; dev = \"x0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; },\n"
	"  { name = \"c\"; dev = \"x1\"; roles = [\"core\"]; ipv4 = \"10.1.0.1/24\"; }); };\n"
	"turn = { realm = \"r.test\"; relay_ports = [50000, 50999]; ipc = \"%s\"; };\n"
	"cp = { api_socket = \"%s\"; quota_total = 64;\n"
	"       users = ( { name = \"alice\"; password = \"pw\"; } );\n"
	"       secrets = [ \"s3cret\" ]; };\n";

/* One allocation through the real request path, so that "allocations"
 * and "kill" have something to list and to remove. */
static void
one_allocation(uint16_t cport)
{
	static struct ipc_msg m, out;
	struct stun_builder b;
	uint8_t tid[12] = { 9, 9, (uint8_t)cport }, key[32];
	const struct stun_attr *na;
	struct stun_msg r;
	char nonce[128] = "";
	int klen;

	for (int pass = 0; pass < 2; pass++) {
		memset(&m.h, 0, sizeof(m.h));
		m.h.kind = IPC_REQUEST;
		m.h.tuple.transport = 17;
		m.h.tuple.client.family = 4;
		m.h.tuple.client.ip[0] = 10;
		m.h.tuple.client.port = cport;
		m.h.tuple.server.family = 4;
		m.h.tuple.server.port = 3478;
		tid[3] = (uint8_t)pass;
		stun_build_init(&b, m.body, sizeof(m.body),
				stun_msg_type(STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST), tid);
		stun_build_transport(&b, STUN_TRANSPORT_UDP);
		if (pass == 1) {
			stun_build_str(&b, STUN_ATTR_USERNAME, "alice");
			stun_build_str(&b, STUN_ATTR_REALM, "r.test");
			stun_build_str(&b, STUN_ATTR_NONCE, nonce);
			klen = stun_key_long_term(STUN_PWALG_MD5, "alice", "r.test", "pw", key);
			CHECK(klen > 0);
			stun_build_integrity(&b, key, (size_t)klen);
		}
		stun_build_fingerprint(&b);
		m.h.body_len = (uint16_t)stun_build_finish(&b);
		cp_handle(&cp, 0, &m);
		while (ipc_ring_dequeue(&ipc_worker(&cp.seg, 0)->to_dp, &out) == 1) {
			if (out.h.kind != IPC_RESPONSE ||
			    stun_msg_parse(&r, out.body, out.h.body_len, NULL) < 0)
				continue;
			na = stun_msg_find(&r, STUN_ATTR_NONCE);
			if (na != NULL && na->len < sizeof(nonce)) {
				memcpy(nonce, na->value, na->len);
				nonce[na->len] = '\0';
			}
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[128], seg_name[64], err[512];
	/* no challenge limit: the fixed clock would never refill it */
	struct cp_auth_conf ac = { .realm = "r.test", .max_users = 16,
				   .rl_rate = 1000000, .rl_burst = 1000000 };
	bool created;
	FILE *f;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/tp-fuzz-api.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(sock_path, sizeof(sock_path), "%s/cp.sock", dir);
	snprintf(seg_name, sizeof(seg_name), "/tp-fuzz-api-%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/cp.conf", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fprintf(f, conf_text, seg_name, sock_path);
	fclose(f);
	if (tp_conf_load(path, &conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_cp_api: %s\n", err);
		abort();
	}
	unlink(path);
	cp.conf = &conf;
	cp.auth = cp_auth_init(&ac);
	CHECK(cp.auth != NULL);
	CHECK(cp_auth_user_add(cp.auth, "alice", "pw") == 0);
	CHECK(cp_auth_secret_add(cp.auth, "s3cret") == 0);
	cp.policy = cp_policy_create();
	CHECK(cp.policy != NULL);
	ipc_seg_unlink(seg_name);
	CHECK(ipc_seg_open(&cp.seg, seg_name, 2, geteuid(), &created) == 0);
	ipc_seg_unlink(seg_name);       /* nothing left in /dev/shm */
	cp.nworkers = 2;
	cp.start_ms = cp.now_ms = 1000000;
	cp.wall_ms = 1700000000000ull;
	tw_init(&cp.wheel, 0);
	CHECK(cp_alloc_init(&cp) == 0);
	cp.tls = &fz_tls;
	CHECK(cp_tls_init(cp.tls, 3600, cp_dp_send, &cp, 2, CP_RING_HEADROOM, cp.now_ms) == 0);
	cp.ready = true;
	cp.api = &fz_api;
	CHECK(cp_api_open(cp.api, sock_path, 0600) == 0);
	{
		/* Every command cp serves, each registered by its module as
		 * cp does (agw.* with no gateway set up: they answer as on a
		 * box without one). Only their commands hooks run here: the
		 * state above stands in for their setups. */
		static const struct cp_module *const mods[] = {
			&cp_auth_module, &cp_alloc_module, &cp_tls_module, &cp_agw_module,
			&cp_api_module, &cp_metrics_module,
		};
		char why[256];

		CHECK(cp_modules_use(&cp, mods, sizeof(mods) / sizeof(mods[0])) == 0);
		CHECK(cp_api_commands_register(&cp, why, sizeof(why)) == 0);
	}
	for (uint16_t p = 40000; p < 40004; p++)
		one_allocation(p);
	CHECK(cp_alloc_count(&cp) == 4);
	return 0;
}

/* The answer is one JSON object with a boolean "ok", and a string "error"
 * when it is false. */
static void
check_answer(const char *buf, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o, *ok, *e;

	if (len == 0)
		return;           /* closed without an answer (a refused peer) */
	tok = json_tokener_new();
	CHECK(tok != NULL);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	CHECK(o != NULL);
	CHECK(json_tokener_get_parse_end(tok) == len);
	CHECK(json_object_is_type(o, json_type_object));
	CHECK(json_object_object_get_ex(o, "ok", &ok));
	CHECK(json_object_is_type(ok, json_type_boolean));
	if (!json_object_get_boolean(ok)) {
		CHECK(json_object_object_get_ex(o, "error", &e));
		CHECK(json_object_is_type(e, json_type_string));
	}
	json_object_put(o);
	json_tokener_free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char answer[8u << 20];
	struct sockaddr_un sun;
	size_t off = 0, have = 0;
	bool wrote_all = false, eof = false;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, sock_path, strlen(sock_path));
	CHECK(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	/* Write, serve, read, until the API has answered and closed (each
	 * connection carries one request; a request that never completes is
	 * closed at its deadline, which the input cannot reach in time: the
	 * writer's end is shut once the input is out, so EOF ends it). */
	for (int turn = 0; turn < 200000 && !eof; turn++) {
		struct pollfd p = { .fd = cp.api->fd, .events = POLLIN };
		ssize_t n;

		if (!wrote_all) {
			n = write(fd, data + off, size - off);
			if (n > 0)
				off += (size_t)n;
			if (off == size || (n < 0 && errno != EAGAIN)) {
				shutdown(fd, SHUT_WR);
				wrote_all = true;
			}
		}
		if (poll(&p, 1, wrote_all ? 1 : 0) > 0)
			cp_api_serve(cp.api);
		for (;;) {
			n = read(fd, answer + have, sizeof(answer) - have);
			if (n > 0) {
				have += (size_t)n;
				CHECK(have < sizeof(answer));
				continue;
			}
			if (n == 0)
				eof = true;
			break;
		}
	}
	CHECK(eof);
	close(fd);
	check_answer(answer, have);
	/* No connection outlives its request. */
	for (int turn = 0; turn < 100 && cp.api->nconns > 0; turn++)
		cp_api_serve(cp.api);
	CHECK(cp.api->nconns == 0);
	/* An allocation the input killed is back for the next input. */
	for (uint16_t p = 40000; p < 40004 && cp_alloc_count(&cp) < 4; p++)
		one_allocation(p);
	return 0;
}
