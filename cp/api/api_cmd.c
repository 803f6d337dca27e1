/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the modules' operator API commands share (api_cmd.h), in one
 * place: each module's handlers (alloc's, auth's, tls's, agw's, the
 * status and reload commands) use these rather than copies of their own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cp.h"
#include "api_cmd.h"

int
cp_api_cmds(struct cp_ctx *cp, const struct cp_api_cmd_def *defs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = cp_api_register(cp->api, defs[i].name, defs[i].fn, cp);

		if (rc < 0) {
			tp_log(TP_LOG_ERR, "cannot register the API command '%s': %s\n",
			       defs[i].name, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

const char *
cp_api_str(struct json_object *req, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

const char *
cp_api_err(struct cp_ctx *cp, const char *fmt, ...)
{
	/* (a handler run without the API's socket, as a test may: the
	 * sentence still has somewhere to go) */
	static char spare[sizeof(((struct cp_api *)0)->err)];
	char *buf = cp->api != NULL ? cp->api->err : spare;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(spare), fmt, ap);
	va_end(ap);
	return buf;
}

int
cp_api_store_failed(struct cp_ctx *cp, int rc, const char **error)
{
	cp->stats[CP_STAT_STORE_ERRORS]++;
	*error = cp_api_err(cp, "%s", cp->store->err);
	tp_log(TP_LOG_ERR, "%s\n", cp->store->err);
	return rc;
}

int
cp_parse_hostport(const char *str, struct stun_addr *a)
{
	char host[64];
	const char *colon;
	unsigned long port;
	char *end;
	size_t hl;

	memset(a, 0, sizeof(*a));
	if (str == NULL)
		return -EINVAL;
	if (str[0] == '[') {
		const char *rb = strchr(str, ']');

		if (rb == NULL || rb[1] != ':' || (size_t)(rb - str - 1) >= sizeof(host))
			return -EINVAL;
		hl = (size_t)(rb - str - 1);
		memcpy(host, str + 1, hl);
		colon = rb + 1;
		a->family = STUN_AF_IPV6;
	} else {
		colon = strrchr(str, ':');
		if (colon == NULL || (size_t)(colon - str) >= sizeof(host))
			return -EINVAL;
		hl = (size_t)(colon - str);
		memcpy(host, str, hl);
		a->family = STUN_AF_IPV4;
	}
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port == 0 || port > 65535)
		return -EINVAL;
	a->port = (uint16_t)port;
	return inet_pton(a->family == STUN_AF_IPV4 ? AF_INET : AF_INET6, host, a->ip) == 1 ?
	       0 : -EINVAL;
}

void
cp_hostport_str(const struct stun_addr *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == STUN_AF_IPV4 ? AF_INET : AF_INET6, a->ip, ip, sizeof(ip));
	snprintf(buf, size, a->family == STUN_AF_IPV4 ? "%s:%u" : "[%s]:%u", ip, a->port);
}

void
cp_api_addr_str(const struct ipc_addr *a, bool with_port, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip));
	if (!with_port)
		snprintf(buf, size, "%s", ip);
	else
		snprintf(buf, size, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, a->port);
}
