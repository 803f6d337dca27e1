/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the modules' operator API commands share (api_cmd.c): reading a
 * request's arguments, an error sentence for the answer, a store write
 * that failed, a module's table of commands registered in one go, and
 * addresses as "192.0.2.1:3478" / "[2001:db8::1]:3478" (cp.h). Each module
 * registers its own commands through its descriptor's commands hook
 * (cp_module_types.h); the API module publishes the socket once all are
 * there.
 */
#ifndef CP_API_CMD_H
#define CP_API_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "api.h"

struct cp_ctx;

/* A command of a module's table: its handler gets the cp context. */
struct cp_api_cmd_def {
	const char *name;
	cp_api_fn fn;
};

/* Register n commands of defs with cp's API, cp as their context: 0, or
 * the first -errno (logged, naming the command). */
int cp_api_cmds(struct cp_ctx *cp, const struct cp_api_cmd_def *defs, size_t n);

/* The string member key of a request, or NULL (missing, or not a
 * string). */
const char *cp_api_str(struct json_object *req, const char *key);

/* An error sentence for a handler's *error, in the API's buffer (the
 * API copies it into the answer at once). */
const char *cp_api_err(struct cp_ctx *cp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A write to the user store failed with rc: counted (store_errors),
 * logged, and the store's sentence is the answer's error; returns rc. */
int cp_api_store_failed(struct cp_ctx *cp, int rc, const char **error);

/* An address of lib/ipc's as the operator reads it: "192.0.2.1" or
 * "2001:db8::1", with its port "192.0.2.1:3478" or "[2001:db8::1]:3478".
 * (From text and back, cp_parse_hostport() and cp_hostport_str(), are
 * cp.h's: the configuration's alternates use them too.) */
struct ipc_addr;
void cp_api_addr_str(const struct ipc_addr *a, bool with_port, char *buf, size_t size);

#endif /* CP_API_CMD_H */
