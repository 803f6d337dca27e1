/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator API socket: accept, read one JSON object (bounded), find
 * the handler, write the answer, close. json-c does the JSON. A bad
 * request gets {"ok": false, "error": ...}; nothing a client sends can
 * make cp block for more than the 1 s receive timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"

int
cp_api_open(struct cp_api *a, const char *path, unsigned int mode)
{
	struct sockaddr_un sun;
	int fd, rc;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	snprintf(a->path, sizeof(a->path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, (mode_t)mode) < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		unlink(path);
		return rc;
	}
	a->fd = fd;
	return 0;
}

void
cp_api_close(struct cp_api *a)
{
	if (a->fd >= 0) {
		close(a->fd);
		unlink(a->path);
	}
	a->fd = -1;
}

int
cp_api_register(struct cp_api *a, const char *name, cp_api_fn fn, void *ctx)
{
	if (a->ncmds == CP_API_MAX_CMDS)
		return -ENOSPC;
	a->cmds[a->ncmds].name = name;
	a->cmds[a->ncmds].fn = fn;
	a->cmds[a->ncmds].ctx = ctx;
	a->ncmds++;
	return 0;
}

/* Read until a complete JSON object parses, EOF, or the bound. */
static struct json_object *
read_request(int fd, const char **error)
{
	static char buf[CP_API_MAX_REQ];
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj = NULL;
	size_t have = 0;

	if (tok == NULL) {
		*error = "out of memory";
		return NULL;
	}
	while (have < sizeof(buf)) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);

		if (n <= 0) {
			*error = n == 0 ? "request ended before a complete JSON object" :
					  "request not received within 1 s";
			break;
		}
		obj = json_tokener_parse_ex(tok, buf + have, (int)n);
		have += (size_t)n;
		if (obj != NULL)
			break;
		if (json_tokener_get_error(tok) != json_tokener_continue) {
			*error = "request is not valid JSON";
			break;
		}
	}
	if (obj == NULL && have >= sizeof(buf))
		*error = "request larger than 64 KiB";
	json_tokener_free(tok);
	return obj;
}

static void
serve_one(struct cp_api *a, int fd)
{
	struct timeval tv = { .tv_sec = 1, .tv_usec = 0 };
	const char *error = NULL, *cmd;
	struct json_object *req, *resp = json_object_new_object(), *c;
	const char *text;
	size_t len, off = 0;
	int rc = -EINVAL;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	req = read_request(fd, &error);
	if (req != NULL) {
		if (!json_object_is_type(req, json_type_object) ||
		    !json_object_object_get_ex(req, "cmd", &c) ||
		    !json_object_is_type(c, json_type_string)) {
			error = "request needs a string member \"cmd\"";
		} else {
			cmd = json_object_get_string(c);
			error = "unknown command";
			for (unsigned int i = 0; i < a->ncmds; i++) {
				if (strcmp(a->cmds[i].name, cmd) == 0) {
					error = NULL;
					rc = a->cmds[i].fn(a->cmds[i].ctx, req, resp, &error);
					if (rc < 0 && error == NULL)
						error = strerror(-rc);
					break;
				}
			}
		}
	}
	a->requests++;
	if (error != NULL) {
		a->errors++;
		json_object_put(resp);
		resp = json_object_new_object();
		json_object_object_add(resp, "ok", json_object_new_boolean(0));
		json_object_object_add(resp, "error", json_object_new_string(error));
	} else {
		json_object_object_add(resp, "ok", json_object_new_boolean(1));
	}
	text = json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	json_object_put(resp);
	json_object_put(req);
}

int
cp_api_serve(struct cp_api *a)
{
	int served = 0;

	for (;;) {
		int fd = accept4(a->fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			break;
		serve_one(a, fd);
		close(fd);
		served++;
	}
	return served;
}
