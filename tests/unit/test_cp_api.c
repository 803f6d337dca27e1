/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/api: the operator API socket inside cp's single loop. A real unix
 * socket in a mkdtemp folder under /tmp; this process is both cp (it
 * calls cp_api_serve() the way cp's loop does: only when poll() says
 * a->fd is readable, with a 2 ms timeout) and the clients (non-blocking
 * sockets, or a forked child for other credentials).
 *
 * What must hold: no client can make one cp_api_serve() call last more
 * than a few ms (half a request, a slow drip, an answer nobody reads,
 * more connections than the limit, a list of 200,000 items); a request
 * not complete by its deadline is answered with an error and closed; a
 * list answer is built only as fast as its client reads; a held answer
 * goes at its release (at once when its handler takes the hold back);
 * peers other
 * than root, cp's euid and the operator group are refused; the socket
 * never exists with a wider mode than configured (bind() is observed
 * through the linker's --wrap); cp.api_group resolves or names file,
 * line and why.
 *
 * The tests run as root (setuid in a forked child); they are skipped
 * when not root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "tp_conf.h"

/* Most CPU a single cp_api_serve() call may use in these tests. The work
 * is a few system calls (0.3-2 ms measured under ASan; 5-9 ms for a
 * refusal, which reads /etc/passwd and /etc/group). CPU time, not wall
 * time: a call that a busy machine preempts has not blocked. Whether a
 * call blocked is asked separately, by wall time: a serve that blocks waits
 * 1000 ms per stalled client, and no preemption on a busy machine comes
 * near SERVE_BLOCKED_US (a voluntary context switch is no sign: the
 * allocator's mmap() may sleep on a lock now and then). */
#define SERVE_MAX_US 50000
#define SERVE_BLOCKED_US 500000
#define BIG_ANSWER (4u << 20)

static char dir[64];
static char path[100];
static struct cp_api api;
static uint64_t max_serve_us;
static unsigned long served_calls;
static unsigned long serve_sleeps;    /* calls that blocked (wall time) */

/* ---- bind(), observed -------------------------------------------------- */

/* The mode and group of the file bind() created, read at once after it
 * (before the code under test can change them). */
static mode_t bound_mode;
static gid_t bound_gid;
static int bound_seen;

int __real_bind(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_bind(int fd, const struct sockaddr *sa, socklen_t len);

int
__wrap_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	int rc = __real_bind(fd, sa, len);
	struct stat st;

	if (rc == 0 && sa->sa_family == AF_UNIX &&
	    stat(((const struct sockaddr_un *)(const void *)sa)->sun_path, &st) == 0) {
		bound_mode = st.st_mode & 07777;
		bound_gid = st.st_gid;
		bound_seen = 1;
	}
	return rc;
}

/* ---- time and cp's loop ------------------------------------------------ */

static uint64_t
clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t
now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

/* One turn of cp's loop: poll a->fd for up to 2 ms, serve if readable;
 * the serve call's CPU time and whether it slept are kept. */
static void
loop_once(void)
{
	struct pollfd p = { .fd = api.fd, .events = POLLIN };

	if (poll(&p, 1, 2) > 0) {
		uint64_t t0 = clock_us(CLOCK_THREAD_CPUTIME_ID), dt;
		uint64_t w0 = now_us();

		cp_api_serve(&api);
		dt = clock_us(CLOCK_THREAD_CPUTIME_ID) - t0;
		if (now_us() - w0 >= SERVE_BLOCKED_US)
			serve_sleeps++;
		if (dt > max_serve_us)
			max_serve_us = dt;
		served_calls++;
	}
}

static void
loop_for_ms(unsigned int ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000u;

	while (now_us() < end)
		loop_once();
}

/* ---- handlers ---------------------------------------------------------- */

static int
cmd_echo(void *ctx, struct json_object *req, struct json_object *resp,
	 const char **error)
{
	struct json_object *x;

	(void)ctx;
	(void)error;
	if (json_object_object_get_ex(req, "x", &x))
		json_object_object_add(resp, "x", json_object_get(x));
	return 0;
}

/* Holds its answer (cp_api_hold()); "now": what it waits for is there at
 * once, and it takes the hold back from inside (cp/agw's JSON door, whose
 * change dp may hold already). */
static uint64_t held_token;

static int
cmd_hold(void *ctx, struct json_object *req, struct json_object *resp,
	 const char **error)
{
	struct json_object *x;

	(void)ctx;
	(void)resp;
	(void)error;
	held_token = cp_api_hold(&api);
	assert_int_not_equal(held_token, 0);
	if (json_object_object_get_ex(req, "now", &x) && json_object_get_boolean(x))
		cp_api_release(&api, held_token, NULL);
	return 0;
}

static int
cmd_big(void *ctx, struct json_object *req, struct json_object *resp,
	const char **error)
{
	char *s = malloc(BIG_ANSWER + 1);

	(void)ctx;
	(void)req;
	if (s == NULL) {
		*error = "out of memory";
		return -ENOMEM;
	}
	memset(s, 'b', BIG_ANSWER);
	s[BIG_ANSWER] = '\0';
	json_object_object_add(resp, "data", json_object_new_string_len(s, (int)BIG_ANSWER));
	free(s);
	return 0;
}

/* The role of whose request runs (cp_api_role()), in a handler and in a
 * list's piece. */
static int
cmd_role(void *ctx, struct json_object *req, struct json_object *resp, const char **error)
{
	(void)ctx;
	(void)req;
	(void)error;
	json_object_object_add(resp, "role", json_object_new_int(cp_api_role(&api)));
	return 0;
}

static int
list_role(void *ctx, struct json_object *req, uint64_t *cursor, struct json_object *items)
{
	(void)ctx;
	(void)req;
	json_object_array_add(items, json_object_new_int(cp_api_role(&api)));
	(*cursor)++;
	return 0;
}

/* ---- clients ----------------------------------------------------------- */

static int
cli_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		fail_msg("connect %s: %s", path, strerror(errno));
	return fd;
}

static void
cli_send(int fd, const char *text, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			loop_once();
			continue;
		}
		fail_msg("send: %s", strerror(errno));
	}
}

static void
cli_send_str(int fd, const char *text)
{
	cli_send(fd, text, strlen(text));
}

/* Run cp's loop while reading fd until EOF or timeout_ms. Returns the
 * bytes read (buf NUL-terminated, at most cap - 1 kept), -1 on timeout;
 * *ms gets the time until EOF. */
static long
cli_read_all(int fd, char *buf, size_t cap, unsigned int timeout_ms,
	     uint64_t *ms)
{
	uint64_t t0 = now_us(), end = t0 + (uint64_t)timeout_ms * 1000u;
	size_t have = 0;
	long total = 0;
	char tmp[65536];

	buf[0] = '\0';
	while (now_us() < end) {
		ssize_t n = recv(fd, tmp, sizeof(tmp), 0);

		if (n > 0) {
			size_t k = (size_t)n < cap - 1 - have ? (size_t)n : cap - 1 - have;

			memcpy(buf + have, tmp, k);
			have += k;
			buf[have] = '\0';
			total += n;
			continue;
		}
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			if (ms != NULL)
				*ms = (now_us() - t0) / 1000u;
			return total;
		}
		loop_once();
	}
	return -1;
}

/* Nothing to read yet and no EOF. */
static bool
cli_still_open(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK);

	return n < 0 && errno == EAGAIN;
}

/* ---- fixture ----------------------------------------------------------- */

static int
setup(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		print_message("not root: skipped (the tests set credentials)\n");
		return 0;
	}
	snprintf(dir, sizeof(dir), "/tmp/tp-cp-api-XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/cp.sock", dir);
	max_serve_us = 0;
	serve_sleeps = 0;
	served_calls = 0;
	return 0;
}

/* The controller group api_up() publishes with (a test sets it first),
 * and the command child_request() sends. */
static gid_t ctl = CP_API_NO_GROUP;
static const char *child_cmd = "echo";

static int
teardown(void **state)
{
	(void)state;
	if (api.path[0] != '\0')
		cp_api_close(&api);
	memset(&api, 0, sizeof(api));
	ctl = CP_API_NO_GROUP;
	child_cmd = "echo";
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* Open with mode, publish with gid (and ctl), register the test's commands. */
static void
api_up(unsigned int mode, gid_t gid)
{
	if (geteuid() != 0)
		skip();
	assert_int_equal(cp_api_open(&api, path, mode), 0);
	assert_int_equal(cp_api_publish(&api, gid, ctl), 0);
	assert_int_equal(cp_api_register(&api, "echo", cmd_echo, NULL), 0);
	assert_int_equal(cp_api_register(&api, "big", cmd_big, NULL), 0);
	assert_int_equal(cp_api_register(&api, "hold", cmd_hold, NULL), 0);
}

#define assert_contains(hay, needle) do { \
	if (strstr((hay), (needle)) == NULL) \
		fail_msg("\"%s\" lacks \"%s\"", (hay), (needle)); \
} while (0)

#define assert_serve_quick() do { \
	print_message("    longest cp_api_serve(): %llu us of CPU over %lu calls, " \
		      "%lu blocked\n", (unsigned long long)max_serve_us, served_calls, \
		      serve_sleeps); \
	if (serve_sleeps > 0) \
		fail_msg("%lu cp_api_serve() call(s) blocked", serve_sleeps); \
	if (max_serve_us > SERVE_MAX_US) \
		fail_msg("a cp_api_serve() call used %llu us of CPU", \
			 (unsigned long long)max_serve_us); \
} while (0)

/* ---- tests ------------------------------------------------------------- */

static void
test_cp_api_answers_a_request(void **state)
{
	char buf[4096];
	uint64_t ms;
	int fd;

	(void)state;
	api_up(0600, CP_API_NO_GROUP);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"echo\", \"x\": 42}");
	shutdown(fd, SHUT_WR);
	assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
	assert_contains(buf, "\"ok\":true");
	assert_contains(buf, "\"x\":42");
	close(fd);
	/* unknown command, not JSON, no "cmd" */
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"nope\"}");
	assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
	assert_contains(buf, "\"error\":\"unknown command\"");
	close(fd);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\" 1}");
	assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
	assert_contains(buf, "\"error\":\"request is not valid JSON\"");
	close(fd);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\"");
	shutdown(fd, SHUT_WR);
	assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
	assert_contains(buf, "\"error\":\"request ended before a complete JSON object\"");
	close(fd);
	assert_int_equal(api.requests, 4);
	assert_int_equal(api.errors, 3);
	assert_int_equal(api.stats.accepted, 4);
	assert_int_equal(api.nconns, 0);
}

/* A held answer goes at its release, and only then; one released from
 * inside its handler goes at once (it waited the hold's 3 s and was
 * answered as failed). */
static void
test_cp_api_held_answer(void **state)
{
	char buf[4096];
	uint64_t ms = 0;
	int fd;

	(void)state;
	api_up(0600, CP_API_NO_GROUP);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"hold\", \"now\": true}");
	assert_true(cli_read_all(fd, buf, sizeof(buf), 2000, &ms) > 0);
	assert_contains(buf, "\"ok\":true");
	assert_true(ms < 1000);
	close(fd);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"hold\"}");
	assert_int_equal(cli_read_all(fd, buf, sizeof(buf), 300, NULL), -1);
	assert_true(cli_still_open(fd));
	cp_api_release(&api, held_token, NULL);
	assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
	assert_contains(buf, "\"ok\":true");
	close(fd);
	assert_int_equal(api.errors, 0);
}

/* Four clients send half a request and wait: cp keeps serving, and a
 * fifth client is answered at once. */
static void
test_cp_api_half_request_does_not_block_serve(void **state)
{
	int stalled[4], fd;
	char buf[4096];
	uint64_t ms = 0;

	(void)state;
	api_up(0600, CP_API_NO_GROUP);
	for (int i = 0; i < 4; i++) {
		stalled[i] = cli_connect();
		cli_send_str(stalled[i], "{\"cmd\": \"ec");
	}
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"echo\"}");
	assert_true(cli_read_all(fd, buf, sizeof(buf), 5000, &ms) > 0);
	print_message("    answered in %llu ms beside 4 stalled clients\n",
		      (unsigned long long)ms);
	assert_true(ms < 100);
	assert_contains(buf, "\"ok\":true");
	assert_serve_quick();
	loop_for_ms(200);
	for (int i = 0; i < 4; i++) {
		assert_true(cli_still_open(stalled[i]));
		close(stalled[i]);
	}
	close(fd);
	assert_serve_quick();
}

/* A stalled connection is answered with an error and closed when its
 * deadline passes, though cp only serves when a->fd is readable. */
static void
test_cp_api_stalled_connection_closed_after_deadline(void **state)
{
	char buf[4096];
	uint64_t ms = 0;
	int fd;

	(void)state;
	api_up(0600, CP_API_NO_GROUP);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"ec");
	assert_true(cli_read_all(fd, buf, sizeof(buf), CP_API_REQ_TIMEOUT_MS + 2000, &ms) >= 0);
	print_message("    closed after %llu ms\n", (unsigned long long)ms);
	assert_true(ms >= CP_API_REQ_TIMEOUT_MS - 50);
	assert_true(ms < CP_API_REQ_TIMEOUT_MS + 500);
	assert_contains(buf, "\"ok\":false");
	assert_contains(buf, "not complete within");
	close(fd);
	assert_int_equal(api.stats.timed_out, 1);
	assert_int_equal(api.nconns, 0);
	assert_serve_quick();
}

/* One byte every 40 ms: slow, but complete before the deadline. */
static void
test_cp_api_slow_drip_request_is_answered(void **state)
{
	static const char req[] = "{\"cmd\":\"echo\",\"x\":7}";
	char buf[4096];
	uint64_t ms = 0;
	int fd;

	(void)state;
	api_up(0600, CP_API_NO_GROUP);
	fd = cli_connect();
	for (size_t i = 0; i < sizeof(req) - 1; i++) {
		cli_send(fd, req + i, 1);
		loop_for_ms(40);
		if (max_serve_us > SERVE_MAX_US || serve_sleeps > 0)
			fail_msg("a cp_api_serve() call used %llu us of CPU (%lu blocked)",
				 (unsigned long long)max_serve_us, serve_sleeps);
		if (i + 2 < sizeof(req))
			assert_true(cli_still_open(fd));
	}
	assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
	assert_contains(buf, "\"ok\":true");
	assert_contains(buf, "\"x\":7");
	close(fd);
	assert_int_equal(api.stats.timed_out, 0);
	assert_serve_quick();
}

/* CP_API_MAX_CONNS stalled connections: the next one is told "too many
 * connections" at once; once they go, requests are served again. */
static void
test_cp_api_connection_limit(void **state)
{
	int stalled[CP_API_MAX_CONNS], fd;
	char buf[4096];
	uint64_t ms = 0;

	(void)state;
	api_up(0600, CP_API_NO_GROUP);
	for (int i = 0; i < CP_API_MAX_CONNS; i++) {
		stalled[i] = cli_connect();
		cli_send_str(stalled[i], "{");
	}
	loop_for_ms(50);
	assert_int_equal(api.nconns, CP_API_MAX_CONNS);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"echo\"}");
	assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
	assert_contains(buf, "\"error\":\"too many connections\"");
	assert_true(ms < 100);
	close(fd);
	assert_int_equal(api.stats.too_many, 1);
	for (int i = 0; i < CP_API_MAX_CONNS; i++)
		close(stalled[i]);
	loop_for_ms(50);
	assert_int_equal(api.nconns, 0);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"echo\"}");
	assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
	assert_contains(buf, "\"ok\":true");
	close(fd);
	assert_int_equal(api.stats.accepted, CP_API_MAX_CONNS + 2);
	assert_serve_quick();
}

/* More than CP_API_MAX_REQ bytes without a complete object. */
static void
test_cp_api_oversize_request_answered_with_error(void **state)
{
	size_t len = CP_API_MAX_REQ + 4096;
	char *req = malloc(len), buf[4096];
	uint64_t ms = 0;
	int fd;

	(void)state;
	assert_non_null(req);
	api_up(0600, CP_API_NO_GROUP);
	memcpy(req, "{\"cmd\":\"echo\",\"x\":\"", 19);
	memset(req + 19, 'a', len - 19);
	fd = cli_connect();
	cli_send(fd, req, len);
	assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
	assert_contains(buf, "\"error\":\"request larger than 64 KiB\"");
	close(fd);
	free(req);
	assert_int_equal(api.errors, 1);
	assert_serve_quick();
}

/* A client asks for a 4 MiB answer and never reads it: cp keeps serving
 * others, and drops it once the answer has made no progress for
 * CP_API_WRITE_IDLE_MS. */
static void
test_cp_api_unread_answer_does_not_block_serve(void **state)
{
	char buf[4096];
	uint64_t ms = 0, t0;
	int lazy, fd;

	(void)state;
	api_up(0600, CP_API_NO_GROUP);
	lazy = cli_connect();
	cli_send_str(lazy, "{\"cmd\": \"big\"}");
	shutdown(lazy, SHUT_WR);
	loop_for_ms(100);
	max_serve_us = 0;   /* the call that built 4 MiB of JSON is not I/O */
	t0 = now_us();
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"echo\"}");
	assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
	assert_contains(buf, "\"ok\":true");
	assert_true(ms < 100);
	close(fd);
	assert_serve_quick();
	while (api.stats.timed_out == 0 && now_us() - t0 < 5000000u)
		loop_once();
	print_message("    unread answer dropped after %llu ms\n",
		      (unsigned long long)(now_us() - t0) / 1000u);
	assert_int_equal(api.stats.timed_out, 1);
	assert_true(now_us() - t0 >= (CP_API_WRITE_IDLE_MS - 200) * 1000u);
	assert_int_equal(api.nconns, 0);
	close(lazy);
	assert_serve_quick();
}

/* A client that reads gets the whole large answer, written a socket
 * buffer at a time. */
static void
test_cp_api_large_answer_arrives_whole(void **state)
{
	size_t cap = BIG_ANSWER + 4096;
	char *buf = malloc(cap);
	uint64_t ms = 0;
	long n;
	int fd;

	(void)state;
	assert_non_null(buf);
	api_up(0600, CP_API_NO_GROUP);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"big\"}");
	n = cli_read_all(fd, buf, cap, 5000, &ms);
	assert_int_equal(n, (long)strlen("{\"data\":\"\",\"ok\":true}") + (long)BIG_ANSWER);
	assert_contains(buf + BIG_ANSWER, "\",\"ok\":true}");
	close(fd);
	free(buf);
	assert_int_equal(api.errors, 0);
}

/* ---- list answers, a piece at a time ----------------------------------- */

#define LIST_ITEMS 200000u
#define LIST_PIECE 64u
static uint64_t list_made;           /* items the list function built */
static uint64_t list_fail_at;        /* fail once the cursor gets here */

static int
cmd_many_head(void *ctx, struct json_object *req, struct json_object *resp,
	      const char **error)
{
	struct json_object *s;

	(void)ctx;
	(void)error;
	json_object_object_add(resp, "total", json_object_new_int64(LIST_ITEMS));
	if (json_object_object_get_ex(req, "s", &s))
		json_object_object_add(resp, "s_head", json_object_get(s));
	return 0;
}

static int
list_many(void *ctx, struct json_object *req, uint64_t *cursor,
	  struct json_object *items)
{
	struct json_object *n, *sv;
	uint64_t total = LIST_ITEMS;

	(void)ctx;
	if (json_object_object_get_ex(req, "n", &n))
		total = (uint64_t)json_object_get_int64(n);
	if (list_fail_at != 0 && *cursor >= list_fail_at)
		return -EIO;
	for (unsigned int k = 0; k < LIST_PIECE && *cursor < total; k++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "i", json_object_new_int64((int64_t)*cursor));
		json_object_object_add(o, "s", json_object_new_string(
			json_object_object_get_ex(req, "s", &sv) ? json_object_get_string(sv) :
			"0123456789abcdef"));
		json_object_array_add(items, o);
		(*cursor)++;
		list_made++;
	}
	return *cursor < total ? 1 : 0;
}

static void
list_up(void)
{
	api_up(0600, CP_API_NO_GROUP);
	assert_int_equal(cp_api_register_list(&api, "many", cmd_many_head, list_many,
					      "many", NULL), 0);
	assert_int_equal(cp_api_register_list(&api, "bare", NULL, list_many, "bare", NULL), 0);
	list_made = 0;
	list_fail_at = 0;
}

/* A string whose bytes are not UTF-8 (a REST username, a call-id, a
 * label) reaches the answer as \u00XX, in a plain answer and in a list's
 * items and tail: the answer is UTF-8 JSON that reads back; a newline,
 * ESC and well-formed UTF-8 as json-c writes them. */
static void
test_cp_api_answer_is_utf8(void **state)
{
	static const char *const reqs[] = {
		"{\"cmd\": \"echo\", \"x\": \"a\xff\\nb\\u001b[31m\xc3\xa9\xc3\"}",
		"{\"cmd\": \"many\", \"n\": 3, \"s\": \"a\xff\\nb\\u001b[31m\xc3\xa9\xc3\"}",
	};
	char buf[4096];
	uint64_t ms;
	int fd;

	(void)state;
	list_up();     /* (echo too) */
	for (unsigned int i = 0; i < 2; i++) {
		struct json_object *ans;

		fd = cli_connect();
		cli_send_str(fd, reqs[i]);
		shutdown(fd, SHUT_WR);
		assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, &ms) > 0);
		close(fd);
		print_message("    %s\n", buf);
		assert_contains(buf, "\"ok\":true");
		assert_contains(buf, "\"a\\u00ff\\nb\\u001b[31m\xc3\xa9\\u00c3\"");
		for (const unsigned char *p = (const unsigned char *)buf; *p != '\0'; p++)
			assert_true(*p >= 0x20 && *p != 0x7f && *p != 0xff);
		ans = json_tokener_parse(buf);
		assert_non_null(ans);
		json_object_put(ans);
		if (i == 1)
			assert_contains(buf, "\"s_head\":\"a\\u00ff\\nb");
	}
}

/* 200,000 items: the whole list arrives, in order, as one object, and
 * no cp_api_serve() call builds more than CP_API_PIECES pieces. */
static void
test_cp_api_list_answer_built_in_pieces(void **state)
{
	size_t cap = 64u << 20;
	char *buf = malloc(cap);
	struct json_object *ans, *list, *v;
	uint64_t ms = 0;
	long n;
	int fd;

	(void)state;
	assert_non_null(buf);
	list_up();
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"many\"}");
	n = cli_read_all(fd, buf, cap, 60000, &ms);
	close(fd);
	assert_true(n > 0 && (size_t)n < cap);
	print_message("    %ld bytes in %llu ms, %lu serve calls\n", n,
		      (unsigned long long)ms, served_calls);
	ans = json_tokener_parse(buf);
	assert_non_null(ans);
	assert_true(json_object_object_get_ex(ans, "many", &list));
	assert_int_equal(json_object_array_length(list), LIST_ITEMS);
	for (size_t i = 0; i < LIST_ITEMS; i += 9973) {
		assert_true(json_object_object_get_ex(json_object_array_get_idx(list, i), "i", &v));
		assert_int_equal(json_object_get_int64(v), (int64_t)i);
	}
	assert_true(json_object_object_get_ex(ans, "total", &v));
	assert_int_equal(json_object_get_int64(v), LIST_ITEMS);
	assert_true(json_object_object_get_ex(ans, "ok", &v));
	assert_true(json_object_get_boolean(v));
	json_object_put(ans);
	free(buf);
	assert_serve_quick();
	/* empty, and without a head handler */
	buf = malloc(4096);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"bare\", \"n\": 0}");
	assert_true(cli_read_all(fd, buf, 4096, 1000, NULL) > 0);
	assert_string_equal(buf, "{\"bare\":[],\"ok\":true}");
	close(fd);
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"bare\", \"n\": 1}");
	assert_true(cli_read_all(fd, buf, 4096, 1000, NULL) > 0);
	assert_string_equal(buf, "{\"bare\":[{\"i\":0,\"s\":\"0123456789abcdef\"}],\"ok\":true}");
	close(fd);
	free(buf);
	assert_int_equal(api.errors, 0);
}

/* A client that does not read: the list is not built ahead of it (the
 * memory a connection holds stays a piece), and it is dropped after
 * CP_API_WRITE_IDLE_MS. A list that fails half way closes the
 * connection (the answer so far cannot be taken back). */
static void
test_cp_api_list_waits_for_its_reader(void **state)
{
	char buf[4096];
	uint64_t t0 = now_us();
	int fd;

	(void)state;
	list_up();
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"many\"}");
	loop_for_ms(300);
	print_message("    %llu of %u items built for a client that reads nothing\n",
		      (unsigned long long)list_made, LIST_ITEMS);
	/* what the socket buffers hold (a few hundred KiB), no more */
	assert_true(list_made < LIST_ITEMS / 4);
	while (api.stats.timed_out == 0 && now_us() - t0 < 5000000u)
		loop_once();
	assert_int_equal(api.stats.timed_out, 1);
	assert_int_equal(api.nconns, 0);
	close(fd);
	assert_serve_quick();

	list_fail_at = 1000;
	fd = cli_connect();
	cli_send_str(fd, "{\"cmd\": \"bare\"}");
	assert_true(cli_read_all(fd, buf, sizeof(buf), 2000, NULL) > 0);
	assert_true(strncmp(buf, "{\"bare\":[{\"i\":0,", 15) == 0);
	assert_null(strstr(buf, "\"ok\""));
	close(fd);
	assert_int_equal(api.errors, 1);
	assert_int_equal(api.nconns, 0);
}

/* ---- peer credentials -------------------------------------------------- */

/* In a child: take uid 65534 with gid and supplementary groups as given,
 * send a request for child_cmd, exit 0 if the answer contains want (11:
 * the kernel refused the connection). */
static pid_t
child_request(gid_t gid, const gid_t *groups, size_t ngroups, const char *want)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		char req[128];
		char buf[4096];
		size_t have = 0;
		ssize_t n;
		int fd;

		snprintf(req, sizeof(req), "{\"cmd\": \"%s\"}", child_cmd);
		if (setgroups(ngroups, groups) != 0 || setgid(gid) != 0 ||
		    setuid(65534) != 0)
			_exit(10);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
			_exit(11);
		/* A refused peer may be answered and closed before it sends:
		 * read anyway (as turnpikectl does). */
		if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0 && errno != EPIPE)
			_exit(12);
		shutdown(fd, SHUT_WR);
		while (have < sizeof(buf) - 1 &&
		       (n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0)) > 0)
			have += (size_t)n;
		buf[have] = '\0';
		_exit(strstr(buf, want) != NULL ? 0 : 13);
	}
	return pid;
}

/* Run cp's loop until the child exits; its exit status. */
static int
child_wait(pid_t pid)
{
	uint64_t end = now_us() + 5000000u;
	int st;

	while (now_us() < end) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
		loop_once();
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return 101;
}

static void
test_cp_api_refuses_peer_not_root_not_cp_not_in_group(void **state)
{
	gid_t other = 4242;

	(void)state;
	/* 0666 so that the kernel lets uid 65534 connect: the peer check
	 * must refuse it on its own. */
	api_up(0666, CP_API_NO_GROUP);
	assert_int_equal(child_wait(child_request(other, NULL, 0,
						  "{\"ok\":false,\"error\":\"permission denied\"}")), 0);
	assert_int_equal(api.stats.refused, 1);
	assert_int_equal(api.requests, 0);
	/* root is allowed */
	{
		char buf[4096];
		int fd = cli_connect();

		cli_send_str(fd, "{\"cmd\": \"echo\"}");
		assert_true(cli_read_all(fd, buf, sizeof(buf), 1000, NULL) > 0);
		assert_contains(buf, "\"ok\":true");
		close(fd);
	}
	assert_serve_quick();
}

static void
test_cp_api_allows_operator_group_members(void **state)
{
	gid_t ops = 4343, other = 4242, sup[2] = { 4444, 4343 };
	struct passwd *pw = getpwuid(65534);

	(void)state;
	api_up(0666, ops);
	/* the operator group as the peer's gid */
	assert_int_equal(child_wait(child_request(ops, NULL, 0, "\"ok\":true")), 0);
	/* ... as one of its supplementary groups */
	assert_int_equal(child_wait(child_request(other, sup, 2, "\"ok\":true")), 0);
	/* neither */
	assert_int_equal(child_wait(child_request(other, sup, 1,
						  "\"error\":\"permission denied\"")), 0);
	assert_int_equal(api.stats.refused, 1);
	cp_api_close(&api);
	/* The user's groups in the group database: uid 65534's passwd gid
	 * (getgrouplist() includes it) though the process dropped it. */
	if (pw == NULL)
		skip();
	assert_int_equal(cp_api_open(&api, path, 0666), 0);
	assert_int_equal(cp_api_publish(&api, pw->pw_gid, CP_API_NO_GROUP), 0);
	assert_int_equal(cp_api_register(&api, "echo", cmd_echo, NULL), 0);
	assert_int_equal(child_wait(child_request(other, NULL, 0, "\"ok\":true")), 0);
	assert_int_equal(api.stats.refused, 0);
}

/* The AGW's controllers (cp.agw_group): the socket lets them in by an ACL
 * entry (mode 0660, the file's group the operators'), and they may run
 * the commands allowed to controllers only. */
static void
test_cp_api_controller_group_runs_its_commands_only(void **state)
{
	gid_t ops = 4343, ctls = 4545, other = 4242;

	(void)state;
	ctl = ctls;
	api_up(0660, ops);
	assert_int_equal(cp_api_register(&api, "agw.echo", cmd_echo, NULL), 0);
	assert_int_equal(cp_api_allow_controller(&api, "agw.echo"), 0);
	assert_int_equal(cp_api_allow_controller(&api, "nope"), -ENOENT);
	/* a controller: connects (the ACL), runs agw.echo, not echo */
	child_cmd = "agw.echo";
	assert_int_equal(child_wait(child_request(ctls, NULL, 0, "\"ok\":true")), 0);
	child_cmd = "echo";
	assert_int_equal(child_wait(child_request(ctls, NULL, 0, "permission denied: the "
						  "controller group")), 0);
	assert_int_equal(api.stats.role_refused, 1);
	/* ... also as a supplementary group */
	{
		gid_t sup[1] = { ctls };

		child_cmd = "agw.echo";
		assert_int_equal(child_wait(child_request(other, sup, 1, "\"ok\":true")), 0);
	}
	/* an operator runs both */
	child_cmd = "echo";
	assert_int_equal(child_wait(child_request(ops, NULL, 0, "\"ok\":true")), 0);
	child_cmd = "agw.echo";
	assert_int_equal(child_wait(child_request(ops, NULL, 0, "\"ok\":true")), 0);
	/* a command both may run knows whose request it runs, in its handler
	 * and in its list's pieces (cp/agw shows each its own contexts) */
	assert_int_equal(cp_api_register(&api, "agw.role", cmd_role, NULL), 0);
	assert_int_equal(cp_api_register_list(&api, "agw.roles", NULL, list_role, "roles", NULL),
			 0);
	assert_int_equal(cp_api_allow_controller(&api, "agw.role"), 0);
	assert_int_equal(cp_api_allow_controller(&api, "agw.roles"), 0);
	child_cmd = "agw.role";
	assert_int_equal(child_wait(child_request(ctls, NULL, 0, "\"role\":2")), 0);
	assert_int_equal(child_wait(child_request(ops, NULL, 0, "\"role\":1")), 0);
	child_cmd = "agw.roles";
	assert_int_equal(child_wait(child_request(ctls, NULL, 0, "\"roles\":[2]")), 0);
	assert_int_equal(child_wait(child_request(ops, NULL, 0, "\"roles\":[1]")), 0);
	assert_int_equal(cp_api_role(&api), 0);     /* (outside a request: none) */
	assert_int_equal(cp_api_role(NULL), 0);
	/* anyone else: the kernel refuses the connection (mode 0660, no
	 * entry for it) */
	child_cmd = "agw.echo";
	assert_int_equal(child_wait(child_request(other, NULL, 0, "\"ok\":true")), 11);
	assert_int_equal(api.stats.role_refused, 1);
	cp_api_close(&api);
	/* the controllers never are the operators */
	assert_int_equal(cp_api_open(&api, path, 0660), 0);
	assert_int_equal(cp_api_publish(&api, ops, ops), -EINVAL);
}

/* ---- the socket file --------------------------------------------------- */

static void
test_cp_api_socket_never_wider_than_mode(void **state)
{
	mode_t old = umask(0);
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();
	bound_seen = 0;
	assert_int_equal(cp_api_open(&api, path, 0600), 0);
	umask(old);
	assert_true(bound_seen);
	print_message("    bound with mode %04o\n", (unsigned)bound_mode);
	assert_int_equal(bound_mode & ~0600u, 0);
	/* not reachable before it is published */
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(cp_api_publish(&api, CP_API_NO_GROUP, CP_API_NO_GROUP), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	cp_api_close(&api);
	assert_int_equal(lstat(path, &st), -1);

	/* with a group: owner bits at bind, then group, then 0660 */
	old = umask(0);
	bound_seen = 0;
	assert_int_equal(cp_api_open(&api, path, 0660), 0);
	umask(old);
	assert_true(bound_seen);
	assert_int_equal(bound_mode & ~0600u, 0);
	/* a stale socket at path is replaced */
	{
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int s = socket(AF_UNIX, SOCK_STREAM, 0);

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
		close(s);
	}
	assert_int_equal(cp_api_publish(&api, 4343, CP_API_NO_GROUP), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, 4343);
	/* only the published socket is left in the folder */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
}

/* ---- cp.api_group ------------------------------------------------------ */

#define CONF_HEAD \
	"dp = { ports = ({ name = \"a\"; dev = \"net_null0\"; roles = [\"access\"]; ipv4 = \"10.0.0.1/24\"; }); };\n" \
	"turn = { realm = \"r\"; };\n"

static int
load_conf(const char *text, struct tp_conf *c, char *err, size_t errlen,
	  char *file, size_t flen)
{
	FILE *f;

	snprintf(file, flen, "%s/t.conf", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return tp_conf_load(file, c, err, errlen);
}

static void
test_cp_api_conf_api_group(void **state)
{
	static struct tp_conf c;
	char err[512], file[128], want[256];
	struct group *g = getgrnam("nogroup") ? getgrnam("nogroup") : getgrnam("root");
	char text[1024];

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(g);
	/* default: no group, 0600 */
	assert_int_equal(load_conf(CONF_HEAD "cp = { quota_total = 10; };\n", &c, err,
				   sizeof(err), file, sizeof(file)), 0);
	assert_false(c.cp.has_api_group);
	assert_int_equal(c.cp.api_mode, 0600);
	tp_conf_free(&c);
	/* a known group: its gid, mode 0660 unless given */
	snprintf(text, sizeof(text), CONF_HEAD "cp = {\n  api_group = \"%s\";\n};\n",
		 g->gr_name);
	assert_int_equal(load_conf(text, &c, err, sizeof(err), file, sizeof(file)), 0);
	assert_true(c.cp.has_api_group);
	assert_int_equal(c.cp.api_gid, g->gr_gid);
	assert_string_equal(c.cp.api_group, g->gr_name);
	assert_int_equal(c.cp.api_mode, 0660);
	tp_conf_free(&c);
	/* 0640: libconfig 1.5 reads 0640 as decimal 640 (no octal) */
	snprintf(text, sizeof(text), CONF_HEAD "cp = {\n  api_group = \"%s\";\n"
		 "  api_mode = 0x1A0;\n};\n", g->gr_name);
	assert_int_equal(load_conf(text, &c, err, sizeof(err), file, sizeof(file)), 0);
	assert_int_equal(c.cp.api_mode, 0640);
	tp_conf_free(&c);
	/* an unknown group: file, line, why */
	assert_int_equal(load_conf(CONF_HEAD "cp = {\n  quota_total = 10;\n"
				   "  api_group = \"no-such-group-tp\";\n};\n", &c, err,
				   sizeof(err), file, sizeof(file)), -EINVAL);
	snprintf(want, sizeof(want), "%s:5: cp.api_group 'no-such-group-tp': no such group",
		 file);
	assert_string_equal(err, want);
	assert_int_equal(load_conf(CONF_HEAD "cp = {\n  api_group = 12;\n};\n", &c, err,
				   sizeof(err), file, sizeof(file)), -EINVAL);
	assert_contains(err, ":4: api_group must be a string");
	assert_int_equal(load_conf(CONF_HEAD "cp = {\n  api_group = \"\";\n};\n", &c, err,
				   sizeof(err), file, sizeof(file)), -EINVAL);
	assert_contains(err, ":4: api_group must not be empty");
	unlink(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cp_api_answers_a_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_held_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_answer_is_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_half_request_does_not_block_serve,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_stalled_connection_closed_after_deadline,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_slow_drip_request_is_answered,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_connection_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_oversize_request_answered_with_error,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_unread_answer_does_not_block_serve,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_large_answer_arrives_whole,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_list_answer_built_in_pieces,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_list_waits_for_its_reader,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_refuses_peer_not_root_not_cp_not_in_group,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_allows_operator_group_members,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_controller_group_runs_its_commands_only,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_socket_never_wider_than_mode,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cp_api_conf_api_group, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
