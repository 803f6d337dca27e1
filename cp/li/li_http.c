/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's door: X1 over HTTPS with mutual TLS (ETSI TS 103 221-1 §5,
 * docs/design/li.md §2.2), libmicrohttpd in "external" mode over epoll as
 * cp/metrics drives it (metrics_http.c): cp polls the daemon's descriptor
 * in its loop and calls MHD_run(), never waiting. libmicrohttpd's TLS is
 * GnuTLS. The door is the most sensitive port the carrier has (whoever
 * talks to it learns or sets targets), so a client is judged in the TLS
 * handshake itself, before it may send a byte of HTTP:
 *
 * - the priorities: TLS 1.2 and 1.3 only, AEAD suites only (AES-GCM,
 *   ChaCha20-Poly1305), ECDHE only (no RSA key exchange, no CBC);
 * - a certificate is required (GNUTLS_CERT_REQUIRE, set on each session
 *   as libmicrohttpd opens it: its own trust option only asks), and our
 *   verify function runs inside the handshake: the chain must verify
 *   against li.x1.client_ca, the leaf carry the clientAuth extended key
 *   usage, and its subjectAltName (its CN when it has none) be
 *   li.x1.admf_id. Anything else ends the handshake with an alert: no HTTP
 *   byte is ever read or written, so a stranger learns nothing, not even
 *   whether a task exists. The access handler checks the same again on its
 *   first call (headers read, no byte of the body).
 *
 * A verified client may POST an X1Request of at most X1_BODY_MAX bytes to
 * "/" (413 beyond, by Content-Length before the body or as it comes); its
 * answer is cp_li_answer()'s, which checks the admfIdentifier and
 * neIdentifier. The body and the answer are wiped once used (they hold
 * targets). At most LI_HTTP_CONNS connections, LI_HTTP_PER_IP from one
 * address; a connection that has not had a verified request answered
 * within LI_HTTP_DEADLINE_MS of its accept is cut (shutdown() under
 * libmicrohttpd, which then closes it), however it dribbles its handshake
 * or headers: libmicrohttpd's own timeout is of silence only. Once
 * answered, a connection may stay LI_HTTP_TIMEOUT_S silent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "li.h"
#include "li_http.h"
#include "tp_conf.h"
#include "x1.h"

#define LI_HTTP_CONNS       8u
#define LI_HTTP_PER_IP      2u      /* the ADMF needs one; two for a retry */
#define LI_HTTP_DEADLINE_MS 2000u   /* accept to a verified request answered */
#define LI_HTTP_TIMEOUT_S   10u     /* silence, once answered */
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

struct cp_li_http;

/* One connection, from libmicrohttpd's STARTED notice to its CLOSED one
 * (its socket_context). */
struct li_conn {
	struct cp_li_http *h;
	struct MHD_Connection *c;     /* NULL: the slot is free */
	gnutls_session_t s;
	int fd;
	uint64_t deadline_ms;         /* CLOCK_MONOTONIC */
	bool verified;                /* by the handshake's verify function */
	bool cctf;                    /* ... as the CC-TF (li.x1.cctf_id), not the ADMF */
	bool answered;                /* a verified request answered */
	bool cut;
};

struct cp_li_http {
	struct cp_li *li;
	struct MHD_Daemon *d;
	int fd;
	char admf_id[X1_ID_MAX];
	char cctf_id[X1_ID_MAX];      /* "": no CC-TF (docs/design/li.md §2.7) */
	char *key, *cert, *ca;        /* PEM, wiped at close */
	char *out;                    /* LI_HTTP_OUT_MAX */
	uint64_t refused;             /* connections closed unanswered */
	struct li_conn conns[LI_HTTP_CONNS];
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

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The leaf names the ADMF (R3): clientAuth in its extended key usage (a
 * certificate of the same CA made for a server, or for signing, is not
 * the ADMF's), and admf_id as one of its subjectAltNames (DNS, URI,
 * e-mail, exactly), or, with no subjectAltName at all, as its CN. */
static bool
leaf_is_admf(const gnutls_datum_t *der, const char *admf_id)
{
	gnutls_x509_crt_t crt;
	bool client = false, named = false, has_san = false;
	char buf[256];
	size_t len;
	unsigned int crit;
	int rc;

	if (gnutls_x509_crt_init(&crt) < 0)
		return false;
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0)
		goto out;
	for (unsigned int i = 0;; i++) {
		len = sizeof(buf);
		rc = gnutls_x509_crt_get_key_purpose_oid(crt, i, buf, &len, &crit);
		if (rc < 0)
			break;
		if (strcmp(buf, GNUTLS_KP_TLS_WWW_CLIENT) == 0)
			client = true;
	}
	for (unsigned int i = 0; !named; i++) {
		len = sizeof(buf) - 1;
		rc = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &len, &crit);
		if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		has_san = true;
		if (rc < 0)
			continue;   /* too long, or not text: not admf_id */
		buf[len] = '\0';
		if ((rc == GNUTLS_SAN_DNSNAME || rc == GNUTLS_SAN_URI ||
		     rc == GNUTLS_SAN_RFC822NAME) && len == strlen(buf) &&
		    strcmp(buf, admf_id) == 0)
			named = true;
	}
	if (!has_san) {
		len = sizeof(buf);
		if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf,
						  &len) == 0 &&
		    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 1, 0, NULL,
						  &(size_t){ 0 }) ==
		    GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			named = len == strlen(buf) && strcmp(buf, admf_id) == 0;
	}
out:
	gnutls_x509_crt_deinit(crt);
	return client && named;
}

/* The client is the ADMF: a certificate chain that verifies against
 * client_ca (GnuTLS: the trust list libmicrohttpd was given, validity
 * times, signatures), whose leaf is the ADMF's. */
static bool
session_is_admf(gnutls_session_t s, const char *admf_id)
{
	const gnutls_datum_t *peers;
	unsigned int status = 0, n = 0;

	if (s == NULL || (peers = gnutls_certificate_get_peers(s, &n)) == NULL || n == 0)
		return false;
	if (gnutls_certificate_verify_peers2(s, &status) != GNUTLS_E_SUCCESS || status != 0)
		return false;
	return leaf_is_admf(&peers[0], admf_id);
}

/* Who the verified client is: 0 the ADMF, 1 the CC-TF (its certificate,
 * of the same client_ca, names li.x1.cctf_id: docs/design/li.md §2.7), -1
 * neither. */
static int
session_role(gnutls_session_t s, const struct cp_li_http *h)
{
	if (session_is_admf(s, h->admf_id))
		return 0;
	if (h->cctf_id[0] != '\0' && session_is_admf(s, h->cctf_id))
		return 1;
	return -1;
}

/* GnuTLS' verify function, called inside the handshake once the client's
 * Certificate (and CertificateVerify) came: 0 goes on, anything else ends
 * the handshake with an alert. libmicrohttpd set the session's pointer to
 * its connection, whose socket_context is our slot. */
static int
verify_in_handshake(gnutls_session_t s)
{
	struct MHD_Connection *c = gnutls_session_get_ptr(s);
	const union MHD_ConnectionInfo *ci =
		c != NULL ? MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
	struct li_conn *k = ci != NULL ? ci->socket_context : NULL;

	int role = k != NULL && k->s == s ? session_role(s, k->h) : -1;

	if (role < 0)
		return GNUTLS_E_CERTIFICATE_ERROR;
	k->verified = true;
	k->cctf = role == 1;
	return 0;
}

/* The connection's slot, or NULL. */
static struct li_conn *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* The connection cut from under libmicrohttpd: its next read ends. */
static void
conn_cut(struct cp_li_http *h, struct li_conn *k)
{
	if (k->cut)
		return;
	k->cut = true;
	h->refused++;
	shutdown(k->fd, SHUT_RDWR);
}

/* libmicrohttpd's notice: a connection accepted (its TLS session made,
 * no byte of the handshake read yet), or closed. */
static void
conn_notice(void *cls, struct MHD_Connection *c, void **socket_context,
	    enum MHD_ConnectionNotificationCode code)
{
	struct cp_li_http *h = cls;
	const union MHD_ConnectionInfo *ci;
	struct li_conn *k = NULL;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		k = *socket_context;
		if (k != NULL)
			memset(k, 0, sizeof(*k));
		*socket_context = NULL;
		return;
	}
	for (unsigned int i = 0; i < LI_HTTP_CONNS && k == NULL; i++)
		if (h->conns[i].c == NULL)
			k = &h->conns[i];
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (k == NULL) {
		/* more than libmicrohttpd's limit: cannot be, but never unjudged */
		if (ci != NULL)
			shutdown(ci->connect_fd, SHUT_RDWR);
		h->refused++;
		return;
	}
	k->h = h;
	k->c = c;
	k->fd = ci != NULL ? ci->connect_fd : -1;
	k->deadline_ms = mono_ms() + LI_HTTP_DEADLINE_MS;
	*socket_context = k;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL || k->fd < 0) {
		conn_cut(h, k);
		return;
	}
	k->s = (gnutls_session_t)ci->tls_session;
	/* libmicrohttpd asked (GNUTLS_CERT_REQUEST): require, and judge the
	 * certificate in the handshake */
	gnutls_certificate_server_set_request(k->s, GNUTLS_CERT_REQUIRE);
	gnutls_session_set_verify_function(k->s, verify_in_handshake);
}

/* An answer's copy, wiped when libmicrohttpd is done with it (R4). */
struct wiped {
	size_t len;
	char b[];
};

static void
wiped_free(void *cls)
{
	struct wiped *w = cls;

	explicit_bzero(w->b, w->len);
	free(w);
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned int code, const char *body, size_t len)
{
	struct wiped *w = malloc(sizeof(*w) + len + 1);
	struct MHD_Response *r;
	struct li_conn *k;
	enum MHD_Result rc;

	if (w == NULL)
		return MHD_NO;
	w->len = len;
	memcpy(w->b, body, len);
	r = MHD_create_response_from_buffer_with_free_callback_cls(len, w->b, wiped_free, w);
	if (r == NULL) {
		wiped_free(w);
		return MHD_NO;
	}
	if (len > 0)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/xml");
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	if (rc == MHD_YES && (k = conn_of(c)) != NULL)
		k->answered = true;
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
	enum MHD_Result rc;
	const char *cl;
	int n;

	(void)version;
	if (q == NULL) {
		/* headers read, no byte of the body: who is it? (the handshake
		 * said; asked again, never trusting one check alone) */
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
		struct li_conn *k = conn_of(c);

		if (k == NULL || !k->verified || k->cut || ci == NULL ||
		    session_role((gnutls_session_t)ci->tls_session, h) != (k->cctf ? 1 : 0)) {
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
	{
		struct li_conn *k = conn_of(c);

		n = cp_li_answer_from(h->li, k != NULL && k->cctf, q->body, q->len, now_us(),
				      h->out, LI_HTTP_OUT_MAX);
	}
	explicit_bzero(q->body, q->len);
	if (n < 0)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "", 0);
	rc = reply(c, MHD_HTTP_OK, h->out, (size_t)n);
	explicit_bzero(h->out, (size_t)n);
	return rc;
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
		explicit_bzero(q->body, q->len);   /* only len bytes were ever written */
		free(q);
		*ctx = NULL;
	}
}

void
cp_li_http_close(struct cp_li_http *h)
{
	if (h == NULL)
		return;
	if (h->d != NULL)
		MHD_stop_daemon(h->d);
	if (h->out != NULL)
		explicit_bzero(h->out, LI_HTTP_OUT_MAX);
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

	if (tp_conf_hostport_parse(conf->listen, &ss, NULL) == 0) {
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
	snprintf(h->admf_id, sizeof(h->admf_id), "%s", conf->admf_id);
	if (conf->cctf_id != NULL)
		snprintf(h->cctf_id, sizeof(h->cctf_id), "%s", conf->cctf_id);
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
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, LI_HTTP_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, LI_HTTP_TIMEOUT_S,
				MHD_OPTION_NOTIFY_CONNECTION, conn_notice, h,
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
	uint64_t now, next = UINT64_MAX;
	bool cut = false;

	MHD_run(h->d);
	/* R2: a connection not answered a verified request by its deadline
	 * is cut, whatever it dribbles; libmicrohttpd closes it on the run
	 * that follows */
	now = mono_ms();
	for (unsigned int i = 0; i < LI_HTTP_CONNS; i++) {
		struct li_conn *k = &h->conns[i];

		if (k->c == NULL || k->answered || k->cut)
			continue;
		if (now >= k->deadline_ms) {
			conn_cut(h, k);
			cut = true;
		} else if (k->deadline_ms < next) {
			next = k->deadline_ms;
		}
	}
	if (cut)
		MHD_run(h->d);
	if (MHD_get_timeout(h->d, &t) != MHD_YES || t > 1000)
		t = 1000;
	if (next != UINT64_MAX && next - now < (uint64_t)t)
		t = (MHD_UNSIGNED_LONG_LONG)(next - now);
	return (uint64_t)t;
}
