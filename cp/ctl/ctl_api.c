/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl's client of turnpike-cp's operator API (cp/api/api.h).
 *
 * One exchange per connection: connect to the unix stream socket, write
 * the request object, shut down our side (the server reads until a whole
 * object or EOF), then read the answer until EOF. The exchange as a whole
 * has CTL_API_TIMEOUT_S seconds, so a wedged turnpike-cp cannot hang a
 * script. The answer must be exactly one JSON object, white space around
 * it allowed, with a boolean "ok" and, when "ok" is false, a string
 * "error"; anything else is reported as malformed, never guessed at.
 *
 * Every failure is reported here, on stderr, once; callers only see
 * -errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"

/* Read in steps of at least this much. */
#define CTL_API_READ_STEP 16384u

struct ctl_api_conn {
	const char *path;
	int fd;
	int64_t deadline_ms;      /* CLOCK_MONOTONIC */
};

/* The answer's bytes as read, NUL-terminated once complete. */
struct ctl_api_buf {
	char *data;
	size_t len;
	size_t cap;
};

const char *
ctl_api_socket(const struct ctl_opts *opts)
{
	const char *env;

	if (opts->socket != NULL)
		return opts->socket;
	env = getenv("TURNPIKE_SOCKET");
	if (env != NULL && env[0] != '\0')
		return env;
	return CTL_DEFAULT_SOCKET;
}

/* Where failures are reported: stderr, or nowhere for a quiet call
 * (turnpikectl ready --wait asks again and reports only its last try). */
static FILE *api_err;

static int64_t
ctl_api_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Wait until the socket is ready for events (or has an error or hang-up,
 * which the next send or recv reports). Returns 0, -ETIMEDOUT once the
 * deadline has passed, or -errno.
 */
static int
ctl_api_wait(const struct ctl_api_conn *c, short events)
{
	struct pollfd pfd = { .fd = c->fd, .events = events, .revents = 0 };
	int64_t left;
	int n;

	for (;;) {
		left = c->deadline_ms - ctl_api_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static void
ctl_api_unreachable(const char *path, int err)
{
	fprintf(api_err,
		"%s: cannot reach turnpike-cp at %s: %s (is turnpike-cp running? --socket or TURNPIKE_SOCKET)\n",
		CTL_PROG, path, strerror(err));
}

/*
 * Connect, then switch to non-blocking I/O for the rest. connect() itself
 * blocks: on a unix stream socket it returns at once unless the
 * listener's backlog is full, and then waits at most SO_SNDTIMEO.
 */
static int
ctl_api_connect(struct ctl_api_conn *c)
{
	struct timeval tv = { .tv_sec = CTL_API_TIMEOUT_S, .tv_usec = 0 };
	struct sockaddr_un sun;
	size_t len = strlen(c->path);
	int fd, flags, err;

	if (len == 0) {
		fprintf(api_err, "%s: the API socket path is empty\n",
			CTL_PROG);
		return -EINVAL;
	}
	if (len >= sizeof(sun.sun_path)) {
		fprintf(api_err,
			"%s: API socket path too long (%zu bytes, at most %zu): %s\n",
			CTL_PROG, len, sizeof(sun.sun_path) - 1, c->path);
		return -ENAMETOOLONG;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, c->path, len + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
		fprintf(api_err, "%s: cannot create a unix socket: %s\n",
			CTL_PROG, strerror(err));
		return -err;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		err = errno;
		close(fd);
		/* A full backlog that did not drain in time. */
		if (err == EAGAIN || err == EWOULDBLOCK)
			err = ETIMEDOUT;
		ctl_api_unreachable(c->path, err);
		return -err;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
		err = errno;
		close(fd);
		fprintf(api_err, "%s: cannot set up the socket: %s\n",
			CTL_PROG, strerror(err));
		return -err;
	}
	c->fd = fd;
	return 0;
}

/* Write all of text, then end our direction. Returns 0 or -errno. */
static int
ctl_api_send(struct ctl_api_conn *c, const char *text, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int rc;

	while (off < len) {
		/* MSG_NOSIGNAL: a server that hung up is an error, not a
		 * SIGPIPE. */
		n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == 0)
			return -EIO;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		rc = ctl_api_wait(c, POLLOUT);
		if (rc != 0)
			return rc;
	}
	return shutdown(c->fd, SHUT_WR) == 0 ? 0 : -errno;
}

/* Make room to read CTL_API_READ_STEP more bytes plus the NUL. */
static int
ctl_api_buf_reserve(struct ctl_api_buf *b)
{
	size_t cap, need = b->len + CTL_API_READ_STEP + 1;
	char *p;

	if (need <= b->cap)
		return 0;
	cap = b->cap != 0 ? b->cap : 4 * CTL_API_READ_STEP;
	while (cap < need)
		cap *= 2;
	/* Enough to see that an answer is one byte too long, no more. */
	if (cap > (size_t)CTL_API_MAX_ANSWER + CTL_API_READ_STEP + 1)
		cap = (size_t)CTL_API_MAX_ANSWER + CTL_API_READ_STEP + 1;
	p = realloc(b->data, cap);
	if (p == NULL)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

/* Read until EOF. Returns 0 (b->data NUL-terminated), -ETIMEDOUT,
 * -EFBIG past CTL_API_MAX_ANSWER, or -errno. */
static int
ctl_api_recv(struct ctl_api_conn *c, struct ctl_api_buf *b)
{
	ssize_t n;
	int rc;

	for (;;) {
		rc = ctl_api_buf_reserve(b);
		if (rc != 0)
			return rc;
		n = recv(c->fd, b->data + b->len, b->cap - b->len - 1, 0);
		if (n > 0) {
			b->len += (size_t)n;
			if (b->len > CTL_API_MAX_ANSWER)
				return -EFBIG;
			continue;
		}
		if (n == 0) {
			b->data[b->len] = '\0';
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		rc = ctl_api_wait(c, POLLIN);
		if (rc != 0)
			return rc;
	}
}

static int
ctl_api_malformed(const char *path, const char *why)
{
	fprintf(api_err, "%s: malformed answer from turnpike-cp at %s: %s\n",
		CTL_PROG, path, why);
	return -EPROTO;
}

static bool
ctl_api_is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Exactly one JSON object with a boolean "ok" (and a string "error"
 * when it is false). */
static int
ctl_api_parse(const char *path, const struct ctl_api_buf *b,
	      struct json_object **out)
{
	struct json_object *obj, *ok, *err;
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	int flags = JSON_TOKENER_STRICT;
	size_t i, end;

	for (i = 0; i < b->len && ctl_api_is_space(b->data[i]); i++)
		;
	if (i == b->len)
		return ctl_api_malformed(path,
			"it closed the connection without answering");
	tok = json_tokener_new();
	if (tok == NULL) {
		fprintf(api_err, "%s: out of memory\n", CTL_PROG);
		return -ENOMEM;
	}
#ifdef JSON_TOKENER_VALIDATE_UTF8
	flags |= JSON_TOKENER_VALIDATE_UTF8;
#endif
	json_tokener_set_flags(tok, flags);
	obj = json_tokener_parse_ex(tok, b->data, (int)b->len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	if (obj == NULL) {
		if (jerr == json_tokener_continue || jerr == json_tokener_success)
			return ctl_api_malformed(path, "truncated JSON");
		/* Strict mode also ends here on data after the object. */
		fprintf(api_err,
			"%s: malformed answer from turnpike-cp at %s: not JSON at byte %zu of %zu (%s)\n",
			CTL_PROG, path, end, b->len,
			json_tokener_error_desc(jerr));
		return -EPROTO;
	}
	for (i = end; i < b->len && ctl_api_is_space(b->data[i]); i++)
		;
	if (i != b->len) {
		json_object_put(obj);
		return ctl_api_malformed(path,
			"more than one JSON value, or data after it");
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return ctl_api_malformed(path, "not a JSON object");
	}
	if (!json_object_object_get_ex(obj, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		json_object_put(obj);
		return ctl_api_malformed(path, "no boolean \"ok\"");
	}
	if (!json_object_get_boolean(ok) &&
	    (!json_object_object_get_ex(obj, "error", &err) ||
	     !json_object_is_type(err, json_type_string))) {
		json_object_put(obj);
		return ctl_api_malformed(path,
			"\"ok\" is false but there is no string \"error\"");
	}
	*out = obj;
	return 0;
}

int
ctl_api_call(const struct ctl_opts *opts, struct json_object *req,
	     struct json_object **answer)
{
	struct ctl_api_conn c = { .path = ctl_api_socket(opts), .fd = -1 };
	struct ctl_api_buf b = { NULL, 0, 0 };
	const char *text;
	int rc, send_rc;

	static FILE *devnull;

	*answer = NULL;
	api_err = stderr;
	if (opts->quiet) {
		if (devnull == NULL)
			devnull = fopen("/dev/null", "w");
		if (devnull != NULL)
			api_err = devnull;
	}
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL) {
		fprintf(api_err, "%s: out of memory\n", CTL_PROG);
		return -ENOMEM;
	}
	c.deadline_ms = ctl_api_now_ms() + CTL_API_TIMEOUT_S * 1000;
	rc = ctl_api_connect(&c);
	if (rc != 0)
		return rc;

	/* Even when sending fails, read: a server that refused the request
	 * early (too large, say) may have said why before hanging up. */
	send_rc = ctl_api_send(&c, text, strlen(text));
	rc = send_rc == -ETIMEDOUT ? send_rc : ctl_api_recv(&c, &b);
	close(c.fd);

	if (rc == 0 && b.len == 0 && send_rc != 0)
		rc = send_rc;
	switch (rc) {
	case 0:
		rc = ctl_api_parse(c.path, &b, answer);
		break;
	case -ETIMEDOUT:
		fprintf(api_err,
			"%s: turnpike-cp at %s did not answer within %d s\n",
			CTL_PROG, c.path, CTL_API_TIMEOUT_S);
		break;
	case -EFBIG:
		fprintf(api_err,
			"%s: the answer from turnpike-cp at %s is larger than %u MiB\n",
			CTL_PROG, c.path, CTL_API_MAX_ANSWER >> 20);
		break;
	case -ENOMEM:
		fprintf(api_err, "%s: out of memory\n", CTL_PROG);
		break;
	default:
		fprintf(api_err, "%s: talking to turnpike-cp at %s: %s\n",
			CTL_PROG, c.path,
			strerror(-(send_rc != 0 ? send_rc : rc)));
		break;
	}
	free(b.data);
	return rc;
}
