/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator API of turnpike-cp: a local stream socket (root-only by
 * default) speaking one JSON object per connection each way:
 *   request  {"cmd": "status", ...arguments}
 *   response {"ok": true, ...} or {"ok": false, "error": "why"}
 * turnpikectl is its client. Handlers are registered by name.
 */
#ifndef CP_API_H
#define CP_API_H

#include <json-c/json.h>

#define CP_API_MAX_CMDS 32
#define CP_API_MAX_REQ  65536

/* A handler fills resp (an object the API created, "ok" is added for
 * it) and returns 0, or returns -errno after setting *error to a static
 * or resp-owned string. */
typedef int (*cp_api_fn)(void *ctx, struct json_object *req,
			 struct json_object *resp, const char **error);

struct cp_api_cmd {
	const char *name;
	cp_api_fn fn;
	void *ctx;
};

struct cp_api {
	int fd;
	char path[108];
	unsigned int ncmds;
	struct cp_api_cmd cmds[CP_API_MAX_CMDS];
	unsigned long requests;
	unsigned long errors;
};

/* Listen on path (replacing a stale socket), mode e.g. 0600. */
int cp_api_open(struct cp_api *a, const char *path, unsigned int mode);
void cp_api_close(struct cp_api *a);
int cp_api_register(struct cp_api *a, const char *name, cp_api_fn fn,
		    void *ctx);
/* Serve every connection waiting now (never blocks on accept; a client
 * gets 1 s to send its request). Returns connections served. */
int cp_api_serve(struct cp_api *a);

#endif /* CP_API_H */
