/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/metrics: who may scrape. The endpoint's address (cp.metrics) and
 * the source prefixes allowed to connect (cp.metrics_allow), apart from
 * the HTTP side so that each rule is tested without a socket.
 *
 * The numbers are no secret a client could use against the relay, but
 * they say how busy the box is, which users are refused and why, and the
 * endpoint costs cp's loop something per connection: a box reachable
 * from the Internet should not serve them to anyone. Prefixes are cp/
 * policy's (one parser, the same rules as cp.peers: a length required,
 * host bits refused), matched against the connecting address in its
 * canonical form, so that an IPv4 client of an IPv6 wildcard socket
 * (::ffff:a.b.c.d) meets the IPv4 prefixes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"
#include "metrics.h"
#include "tp_conf.h"

/* A socket address as cp/policy takes it; false for another family or
 * a length that does not hold one. */
static bool
to_cp_addr(const struct sockaddr *sa, socklen_t len, struct cp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

		a->family = 4;
		memcpy(a->ip, &s4->sin_addr, 4);
		a->port = ntohs(s4->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;

		a->family = 6;
		memcpy(a->ip, &s6->sin6_addr, 16);
		a->port = ntohs(s6->sin6_port);
		return true;
	}
	return false;
}

int
cp_metrics_allow_parse(const char (*list)[64], unsigned int n,
		       struct cp_metrics_allow *out, char *err, size_t errlen)
{
	char why[200];

	memset(out, 0, sizeof(*out));
	if (n > CP_METRICS_ALLOW_MAX) {
		snprintf(err, errlen, "cp.metrics_allow: %u prefixes, at most %d", n,
			 CP_METRICS_ALLOW_MAX);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n; i++) {
		/* (a string from the file, NUL within its 64 bytes: lib/conf
		 * wrote it with snprintf; checked all the same) */
		if (memchr(list[i], '\0', sizeof(list[i])) == NULL ||
		    cp_prefix_parse(list[i], &out->p[i], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "cp.metrics_allow: %s",
				 memchr(list[i], '\0', sizeof(list[i])) == NULL ?
				 "a prefix longer than 63 bytes" : why);
			memset(out, 0, sizeof(*out));
			return -EINVAL;
		}
	}
	out->n = n;
	return 0;
}

bool
cp_metrics_allowed(const struct cp_metrics_allow *allow, const struct sockaddr *sa,
		   socklen_t len)
{
	struct cp_addr a;

	if (allow == NULL || allow->n == 0)
		return true;
	if (!to_cp_addr(sa, len, &a))
		return false;
	return cp_prefix_list_has(allow->p, allow->n, &a);
}

/* A loopback address: 127/8 (RFC 1122 §3.2.1.3), ::1 (RFC 4291 §2.5.3),
 * or the IPv4 one mapped (::ffff:127.0.0.0/104). The wildcards 0.0.0.0
 * and :: are every address of the box: not loopback. */
static bool
loopback(const struct sockaddr_storage *ss)
{
	static const uint8_t one6[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)ss;

		return ((const uint8_t *)&s4->sin_addr)[0] == 127;
	}
	if (ss->ss_family == AF_INET6) {
		const uint8_t *ip = ((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr.s6_addr;

		return memcmp(ip, one6, 16) == 0 ||
		       (memcmp(ip, mapped, 12) == 0 && ip[12] == 127);
	}
	return false;
}

bool
cp_metrics_exposed_warning(const char *addr, unsigned int nallow, char *buf,
			   size_t len)
{
	struct sockaddr_storage ss;

	if (addr == NULL || addr[0] == '\0' || nallow > 0 ||
	    tp_conf_hostport_parse(addr, &ss, NULL) == 0 || loopback(&ss))
		return false;
	snprintf(buf, len, "cp.metrics \"%s\" is not a loopback address and "
		 "cp.metrics_allow is not set: anyone who reaches it can scrape it "
		 "(set cp.metrics_allow = [\"10.0.0.0/8\"], the prefixes your "
		 "Prometheus scrapes from, or listen on 127.0.0.1)", addr);
	return true;
}
