/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's door: X1 over HTTPS with mutual TLS (ETSI TS 103 221-1 §5,
 * notes/li-design.md §2.2), libmicrohttpd in "external" mode over epoll as
 * cp/metrics drives it (metrics_http.c): cp polls the daemon's descriptor
 * in its loop and calls MHD_run(), never waiting. libmicrohttpd's TLS is
 * GnuTLS; with a trust list (li.x1.client_ca) it asks every client for a
 * certificate. Ours is the check: on the access handler's first call
 * (headers read, no byte of the body) the client's chain must verify
 * against client_ca, or the connection is closed with no HTTP byte
 * written, so a client without the ADMF's certificate learns nothing, not
 * even whether a task exists. A verified client may POST an X1Request of at
 * most X1_BODY_MAX bytes to "/" (413 beyond, by Content-Length before the
 * body or as it comes); its answer is cp_li_answer()'s, which checks the
 * admfIdentifier and neIdentifier. TLS 1.2 and 1.3 with AEAD suites and
 * ECDHE only (LI_HTTP_PRIORITIES). At most LI_HTTP_CONNS connections, a
 * silent one dropped after LI_HTTP_TIMEOUT_S.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "li.h"
#include "li_http.h"
#include "x1.h"

#define LI_HTTP_CONNS     8u
#define LI_HTTP_TIMEOUT_S 10u
/* GnuTLS priorities (R14): TLS 1.2 and 1.3, AEAD suites, ECDHE with
 * forward secrecy (TLS 1.3's groups are ECDHE too); no CBC, no RSA or
 * static key exchange, no compression */
#define LI_HTTP_PRIORITIES \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:" \
	"+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:" \
	"-COMP-ALL:+COMP-NULL:%SAFE_RENEGOTIATION"
#define LI_HTTP_PEM_MAX   (1024 * 1024)
/* the largest answer: GetAllDetails of every task with every target */
#define LI_HTTP_OUT_MAX   (8u * 1024u * 1024u)

struct cp_li_http {
	struct cp_li *li;
	struct MHD_Daemon *d;
	int fd;
	char *key, *cert, *ca;        /* PEM, wiped at close */
	char *out;                    /* LI_HTTP_OUT_MAX */
	uint64_t refused;             /* connections closed unanswered */
};

/* One request's body as it comes. */
struct req {
	size_t len;
	bool too_big;
	char body[];                  /* X1_BODY_MAX */
};

static char *
read_pem(const char *path, const char *what, char *err, size_t errlen)
{
	struct stat st;
	char *b = NULL;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > LI_HTTP_PEM_MAX || (b = malloc((size_t)st.st_size + 1)) == NULL ||
	    (n = read(fd, b, (size_t)st.st_size)) != st.st_size) {
		snprintf(err, errlen, "li.x1.%s %s: %s", what, path,
			 fd < 0 ? strerror(errno) : "not a readable PEM file of at most 1 MiB");
		if (fd >= 0)
			close(fd);
		free(b);
		return NULL;
	}
	close(fd);
	b[n] = '\0';
	return b;
}

static void
wipe_free(char *p)
{
	if (p != NULL) {
		explicit_bzero(p, strlen(p));
		free(p);
	}
}

/* The client's chain verified against client_ca (GnuTLS: the trust list
 * libmicrohttpd was given, validity times, signatures). */
static bool
client_verified(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t s;
	unsigned int status = 0, n = 0;

	if (ci == NULL || ci->tls_session == NULL)
		return false;
	s = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_get_peers(s, &n) == NULL || n == 0)
		return false;
	return gnutls_certificate_verify_peers2(s, &status) == GNUTLS_E_SUCCESS && status == 0;
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned int code, const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
								  MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	if (len > 0)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/xml");
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	const char *version, const char *upload, size_t *upload_size, void **ctx)
{
	struct cp_li_http *h = cls;
	struct req *q = *ctx;
	const char *cl;
	int n;

	(void)version;
	if (q == NULL) {
		/* headers read, no byte of the body: who is it? */
		if (!client_verified(c)) {
			h->refused++;
			return MHD_NO;
		}
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "", 0);
		if (strcmp(url, "/") != 0)
			return reply(c, MHD_HTTP_NOT_FOUND, "", 0);
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > X1_BODY_MAX)
			return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "", 0);
		q = malloc(sizeof(*q) + X1_BODY_MAX);
		if (q == NULL)
			return MHD_NO;
		q->len = 0;
		q->too_big = false;
		*ctx = q;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (q->len + *upload_size > X1_BODY_MAX)
			q->too_big = true;
		else
			memcpy(q->body + q->len, upload, *upload_size);
		q->len += q->too_big ? 0 : *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->too_big)
		return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "", 0);
	n = cp_li_answer(h->li, q->body, q->len, now_us(), h->out, LI_HTTP_OUT_MAX);
	explicit_bzero(q->body, q->len);
	if (n < 0)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "", 0);
	return reply(c, MHD_HTTP_OK, h->out, (size_t)n);
}

static void
request_done(void *cls, struct MHD_Connection *c, void **ctx,
	     enum MHD_RequestTerminationCode why)
{
	struct req *q = *ctx;

	(void)cls;
	(void)c;
	(void)why;
	if (q != NULL) {
		explicit_bzero(q->body, q->len);
		free(q);
		*ctx = NULL;
	}
}

/* "IP:PORT" / "[v6]:PORT" into ss. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	char host[64];
	const char *colon = strrchr(s, ':');
	unsigned long port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL || (n = (size_t)(colon - s)) == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	port = strtoul(colon + 1, NULL, 10);
	if (port == 0 || port > 65535)
		return -EINVAL;
	if (host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -EINVAL;
}

void
cp_li_http_close(struct cp_li_http *h)
{
	if (h == NULL)
		return;
	if (h->d != NULL)
		MHD_stop_daemon(h->d);
	wipe_free(h->key);
	wipe_free(h->cert);
	wipe_free(h->ca);
	free(h->out);
	free(h);
}

struct cp_li_http *
cp_li_http_open(struct cp_li *li, const struct cp_li_http_conf *conf, char *err, size_t errlen)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	struct cp_li_http *h;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_TLS;

	if (parse_listen(conf->listen, &ss) < 0) {
		snprintf(err, errlen, "li.x1.listen '%s' is not \"IP:PORT\"", conf->listen);
		errno = EINVAL;
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = calloc(1, sizeof(*h));
	if (h == NULL || (h->out = malloc(LI_HTTP_OUT_MAX)) == NULL) {
		snprintf(err, errlen, "li: out of memory");
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	h->li = li;
	if ((h->key = read_pem(conf->key, "key", err, errlen)) == NULL ||
	    (h->cert = read_pem(conf->cert, "cert", err, errlen)) == NULL ||
	    (h->ca = read_pem(conf->client_ca, "client_ca", err, errlen)) == NULL) {
		cp_li_http_close(h);
		errno = EACCES;
		return NULL;
	}
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_HTTPS_MEM_KEY, h->key,
				MHD_OPTION_HTTPS_MEM_CERT, h->cert,
				MHD_OPTION_HTTPS_MEM_TRUST, h->ca,
				MHD_OPTION_HTTPS_PRIORITIES, LI_HTTP_PRIORITIES,
				MHD_OPTION_CONNECTION_LIMIT, LI_HTTP_CONNS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, LI_HTTP_CONNS,
				MHD_OPTION_CONNECTION_TIMEOUT, LI_HTTP_TIMEOUT_S,
				MHD_OPTION_NOTIFY_COMPLETED, request_done, h,
				MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
				MHD_OPTION_END);
	if (h->d == NULL) {
		snprintf(err, errlen, "li: cannot serve X1 on %s (in use? not an address of "
			 "this host? li.x1.cert, key and client_ca PEM that GnuTLS takes?)",
			 conf->listen);
		cp_li_http_close(h);
		errno = EADDRNOTAVAIL;
		return NULL;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		snprintf(err, errlen, "li: libmicrohttpd has no epoll descriptor");
		cp_li_http_close(h);
		errno = ENOTSUP;
		return NULL;
	}
	h->fd = info->epoll_fd;
	return h;
}

int
cp_li_http_fd(const struct cp_li_http *h)
{
	return h->fd;
}

uint64_t
cp_li_http_serve(struct cp_li_http *h)
{
	MHD_UNSIGNED_LONG_LONG t;

	MHD_run(h->d);
	if (MHD_get_timeout(h->d, &t) != MHD_YES || t > 1000)
		t = 1000;
	return (uint64_t)t;
}
