/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl: requests to turnpike-cp, the exchange every command makes
 * alike, and reading the answer (ctl_req.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"

/* ---- building a request --------------------------------------------------- */

static struct json_object *
ctl_req_add(struct json_object *req, const char *key, struct json_object *v)
{
	if (req == NULL || v == NULL ||
	    json_object_object_add(req, key, v) != 0) {
		json_object_put(v);
		json_object_put(req);
		return NULL;
	}
	return req;
}

struct json_object *
ctl_req_str(struct json_object *req, const char *key, const char *val)
{
	return ctl_req_add(req, key,
			   req != NULL ? json_object_new_string(val) : NULL);
}

struct json_object *
ctl_req_tenant(struct json_object *req, const char *t)
{
	return t != NULL ? ctl_req_str(req, "tenant", t) : req;
}

struct json_object *
ctl_req_int(struct json_object *req, const char *key, int64_t val)
{
	return ctl_req_add(req, key,
			   req != NULL ? json_object_new_int64(val) : NULL);
}

struct json_object *
ctl_request(const char *cmd)
{
	return ctl_req_str(json_object_new_object(), "cmd", cmd);
}

/* ---- one exchange --------------------------------------------------------- */

int
ctl_ask(const struct ctl_opts *opts, const char *cmd, struct json_object **answer)
{
	struct json_object *req = ctl_request(cmd);
	int rc;

	*answer = NULL;
	if (req == NULL)
		return -ENOMEM;
	rc = ctl_api_call(opts, req, answer);
	json_object_put(req);
	return rc;
}

int
ctl_exchange(const struct ctl_opts *opts, struct json_object *req,
	     struct json_object **answer)
{
	struct json_object *ans = NULL, *ok, *err;
	int status = CTL_EXIT_OK;

	*answer = NULL;
	if (req == NULL)
		return ctl_out_of_memory();
	if (ctl_api_call(opts, req, &ans) != 0) {
		json_object_put(req);
		return CTL_EXIT_FAIL;
	}
	json_object_put(req);

	if (opts->json) {
		if (ctl_put_json(ans) != 0) {
			json_object_put(ans);
			return ctl_out_of_memory();
		}
		status = ctl_flush();
	}
	/* ctl_api_call() checked the types of "ok" and "error". */
	json_object_object_get_ex(ans, "ok", &ok);
	if (!json_object_get_boolean(ok)) {
		json_object_object_get_ex(ans, "error", &err);
		ctl_put_safe(stderr, CTL_PROG ": ", json_object_get_string(err), "\n");
		status = CTL_EXIT_FAIL;
	}
	if (opts->json || status != CTL_EXIT_OK) {
		json_object_put(ans);
		return status;
	}
	*answer = ans;
	return CTL_EXIT_OK;
}

int
ctl_simple(const struct ctl_opts *opts, struct json_object *req,
	   const char *done, const char *arg)
{
	struct json_object *answer;
	int status;

	status = ctl_exchange(opts, req, &answer);
	if (answer == NULL)
		return status;
	json_object_put(answer);
	ctl_put_safe(stdout, done, arg, "\n");
	return ctl_flush();
}

int
ctl_query(const struct ctl_opts *opts, struct json_object *req,
	  int (*render)(struct json_object *answer))
{
	struct json_object *answer;
	int status;

	status = ctl_exchange(opts, req, &answer);
	if (answer == NULL)
		return status;
	status = ctl_rendered(render(answer));
	json_object_put(answer);
	return status;
}

int
ctl_rendered(int rc)
{
	if (rc == -ENOMEM)
		return ctl_out_of_memory();
	if (rc != 0)
		return CTL_EXIT_FAIL;
	return ctl_flush();
}

/* ---- reading the answer --------------------------------------------------- */

int
ctl_malformed(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: malformed answer from turnpike-cp: ", CTL_PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EPROTO;
}

int
ctl_member(struct json_object *o, const char *key, enum json_type type,
	   const char *where, struct json_object **out)
{
	if (json_object_object_get_ex(o, key, out) &&
	    json_object_is_type(*out, type))
		return 0;
	return ctl_malformed("%s has no %s \"%s\"", where,
			     json_type_to_name(type), key);
}

int
ctl_int(struct json_object *o, const char *key, const char *where, int64_t *v)
{
	struct json_object *m;
	int rc = ctl_member(o, key, json_type_int, where, &m);

	if (rc == 0)
		*v = json_object_get_int64(m);
	return rc;
}

int
ctl_text(struct json_object *o, const char *key, const char *where,
	 const char **v)
{
	struct json_object *m;
	int rc = ctl_member(o, key, json_type_string, where, &m);

	if (rc == 0)
		*v = json_object_get_string(m);
	return rc;
}

const char *
ctl_get_str(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return dflt;
	return json_object_get_string(v);
}

int64_t
ctl_get_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}
