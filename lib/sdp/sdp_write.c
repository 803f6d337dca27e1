/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our side's description, written: the bounded writer (struct sdp_wbuf,
 * sdp_put(), sdp_put_mem(): lib/sdp's and cp/ng's, whose rewrite of a
 * P-CSCF's SDP writes through it too), a TCP leg's answer (sdp_write()),
 * an RTP termination's (sdp_rtp_write()) and one a=crypto line of ours
 * (sdp_crypto_write()), with our WebRTC lines (sdp_write_webrtc.c) when
 * asked. What is written sdp_parse() reads back with the same values: the writer holds its fields to the parser's syntax
 * (sdp_fmt_ok(), sdp_path_ok(), sdp_parse_pts()), and sdp_rtp_write(),
 * which repeats the peers' lines, reads its text back before returning
 * it. See sdp.h and FEATURE.md ("Our answer", "Our RTP answer").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sdp_internal.h"

void
sdp_wbuf_init(struct sdp_wbuf *w, char *buf, size_t size)
{
	w->p = buf;
	w->size = size;
	w->n = 0;
	w->over = size == 0;
	if (size > 0)
		buf[0] = '\0';
}

void
sdp_put(struct sdp_wbuf *w, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (w->over)
		return;
	va_start(ap, fmt);
	k = vsnprintf(w->p + w->n, w->size - w->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= w->size - w->n)
		w->over = true;
	else
		w->n += (size_t)k;
}

void
sdp_put_mem(struct sdp_wbuf *w, const void *s, size_t n)
{
	if (w->over)
		return;
	if (n >= w->size - w->n) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->n, s, n);
	w->n += n;
	w->p[w->n] = '\0';
}

/* Base64 with padding into out (4 * ceil(n / 3) + 1 octets). */
static void
b64_encode(const uint8_t *in, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/* The lines both answers open with: v=, o= and c= with our address, s=
 * (checked by the caller, but the address's family: -EINVAL, nothing
 * written). The session's attributes follow, then put_mline()'s m=. */
static int
put_head(struct sdp_wbuf *w, uint8_t family, const uint8_t *ip, uint64_t sess_id,
	 uint64_t sess_version)
{
	char addr[INET6_ADDRSTRLEN];
	const char *at = family == AF_INET ? "IP4" : "IP6";

	if (inet_ntop(family, ip, addr, sizeof(addr)) == NULL)
		return -EINVAL;
	sdp_put(w, "v=0\r\n");
	sdp_put(w, "o=- %" PRIu64 " %" PRIu64 " IN %s %s\r\n", sess_id, sess_version, at, addr);
	sdp_put(w, "s=-\r\n");
	sdp_put(w, "c=IN %s %s\r\n", at, addr);
	return 0;
}

static void
put_mline(struct sdp_wbuf *w, uint8_t media, uint16_t port, uint8_t proto, const char *fmt)
{
	sdp_put(w, "m=%s %u %s %s\r\n", sdp_media_names[media], port, sdp_proto_names[proto], fmt);
}

int
sdp_write(const struct sdp_answer *a, char *buf, size_t size)
{
	struct sdp_wbuf w;
	const char *fmt;
	uint16_t port;

	if (a == NULL || buf == NULL)
		return -EINVAL;
	if (size > 0)
		buf[0] = '\0';
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    sdp_proto_name((enum sdp_proto)a->proto) == NULL ||
	    sdp_proto_media((enum sdp_proto)a->proto) == SDP_MEDIA_OTHER ||
	    sdp_proto_media((enum sdp_proto)a->proto) != a->media ||
	    (a->setup != SDP_SETUP_ACTIVE && a->setup != SDP_SETUP_PASSIVE &&
	     a->setup != SDP_SETUP_HOLDCONN) ||
	    a->connection > SDP_CONNECTION_EXISTING || a->nfp > SDP_FP_MAX ||
	    (a->nfp > 0 && a->fp == NULL) ||
	    sdp_proto_tls((enum sdp_proto)a->proto) != (a->nfp > 0) ||
	    (a->port == 0 && a->setup == SDP_SETUP_PASSIVE))
		return -EINVAL;
	fmt = a->fmt != NULL ? a->fmt : "*";
	if (strlen(fmt) >= SDP_FMT_MAX || !sdp_fmt_ok((struct span){ fmt, strlen(fmt) }))
		return -EINVAL;
	if (a->path != NULL && (a->media != SDP_MEDIA_MESSAGE || strlen(a->path) >= SDP_PATH_MAX ||
				!sdp_path_ok((struct span){ a->path, strlen(a->path) })))
		return -EINVAL;
	/* RFC 4145: an active end's port is not listened on; 9
	 * (discard) says so */
	port = a->port == 0 ? 9 : a->port;

	sdp_wbuf_init(&w, buf, size);
	if (put_head(&w, a->family, a->ip, a->sess_id, a->sess_version) < 0)
		return -EINVAL;
	put_mline(&w, a->media, port, a->proto, fmt);
	sdp_put(&w, "a=setup:%s\r\n", sdp_setup_names[a->setup]);
	sdp_put(&w, "a=connection:%s\r\n",
		a->connection == SDP_CONNECTION_EXISTING ? "existing" : "new");
	for (unsigned int i = 0; i < a->nfp; i++) {
		char fp[CERTFP_STR_MAX];

		if (certfp_format(&a->fp[i], fp, sizeof(fp)) < 0) {
			if (size > 0)
				buf[0] = '\0';
			return -EINVAL;
		}
		sdp_put(&w, "a=fingerprint:%s\r\n", fp);
	}
	if (a->path != NULL)
		sdp_put(&w, "a=path:%s\r\n", a->path);
	if (w.over) {
		if (size > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)w.n;
}

/* The attributes sdp_rtp_write() writes itself: not in attrs. */
static bool
own_attr(struct span name)
{
	static const char *const own[] = { "rtcp", "rtcp-mux", "crypto", "sendrecv", "sendonly",
					   "recvonly", "inactive" };

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (span_is(name, own[i]))
			return true;
	return false;
}

/* attrs: lines "a=<name>[:<value>]" CRLF, no control character (the
 * octets sdp_parse() takes: UTF-8 too), none of our own attributes. */
static bool
attrs_ok(const char *s)
{
	size_t n = strlen(s), i = 0;

	if (n >= SDP_CODEC_MAX)
		return false;
	while (i < n) {
		const char *crlf = strstr(s + i, "\r\n");
		size_t len, nl;

		if (crlf == NULL)
			return false;
		len = (size_t)(crlf - (s + i));
		if (len < 3 || s[i] != 'a' || s[i + 1] != '=')
			return false;
		/* what sdp_parse() takes in a line: no control character but tab */
		for (size_t j = i + 2; j < i + len; j++)
			if (((unsigned char)s[j] < 0x20 && s[j] != '\t') || s[j] == 0x7f)
				return false;
		for (nl = 0; nl < len - 2 && s[i + 2 + nl] != ':'; nl++)
			;
		if (nl == 0 || own_attr((struct span){ s + i + 2, nl }))
			return false;
		i += len + 2;
	}
	return true;
}

static bool
crypto_writable(const struct sdp_crypto *c)
{
	return c->suite > SDP_SUITE_OTHER && c->suite < SDP_SUITE_COUNT && c->unusable == NULL &&
	       !c->tag_choose && !c->key_choose && c->tag <= 999999999u &&
	       c->key_len == sdp_suite_tab[c->suite].len && c->lifetime <= SDP_LIFETIME_MAX &&
	       c->mki_len <= 4 &&
	       (c->mki_len == 4 || c->mki_len == 0 || c->mki >> (8 * c->mki_len) == 0) &&
	       (c->mki_len > 0 || c->mki == 0) && (c->wsh == 0 || c->wsh >= 64);
}

/* One a=crypto line, CRLF included (c checked by crypto_writable()). */
static void
put_crypto(struct sdp_wbuf *w, const struct sdp_crypto *c)
{
	char key[(SDP_KEY_MAX + 2) / 3 * 4 + 1];

	b64_encode(c->key, c->key_len, key);
	sdp_put(w, "a=crypto:%u %s inline:%s", c->tag, sdp_suite_tab[c->suite].name, key);
	explicit_bzero(key, sizeof(key));
	if (c->lifetime != 0 && (c->lifetime & (c->lifetime - 1)) == 0)
		sdp_put(w, "|2^%d", __builtin_ctzll(c->lifetime));
	else if (c->lifetime != 0)
		sdp_put(w, "|%" PRIu64, c->lifetime);
	if (c->mki_len > 0)
		sdp_put(w, "|%" PRIu32 ":%u", c->mki, c->mki_len);
	if (c->wsh != 0)
		sdp_put(w, " WSH=%u", c->wsh);
	sdp_put(w, "\r\n");
}

int
sdp_crypto_write(const struct sdp_crypto *c, char *buf, size_t size)
{
	struct sdp_wbuf w;

	if (c == NULL || (buf == NULL && size > 0) || !crypto_writable(c))
		return -EINVAL;
	if (size == 0)
		return -ENOSPC;
	sdp_wbuf_init(&w, buf, size);
	put_crypto(&w, c);
	if (w.over) {
		explicit_bzero(buf, size);
		buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)w.n;
}

int
sdp_rtp_write(const struct sdp_rtp_answer *a, char *buf, size_t size)
{
	struct sdp_wbuf w;
	uint8_t pts[SDP_PT_MAX];
	struct sdp_group g;
	struct sdp back;
	int rc = -EINVAL;

	if (a == NULL || buf == NULL)
		return -EINVAL;
	if (size > 0)
		buf[0] = '\0';
	if ((a->family != AF_INET && a->family != AF_INET6) || !sdp_media_rtp(a->media) ||
	    (!sdp_proto_rtp((enum sdp_proto)a->proto) &&
	     !sdp_proto_dtls((enum sdp_proto)a->proto)) || a->dir > SDP_DIR_INACTIVE ||
	    a->ncrypto > SDP_CRYPTO_MAX || (a->ncrypto > 0 && a->crypto == NULL) ||
	    sdp_proto_srtp((enum sdp_proto)a->proto) != (a->ncrypto > 0) || a->fmt == NULL ||
	    strlen(a->fmt) >= SDP_FMT_MAX || !sdp_fmt_ok((struct span){ a->fmt, strlen(a->fmt) }) ||
	    sdp_parse_pts((struct span){ a->fmt, strlen(a->fmt) }, pts) < 1 ||
	    (a->attrs != NULL && !attrs_ok(a->attrs)))
		return -EINVAL;
	/* DTLS-SRTP: our certificate and role are what the handshake needs
	 * (RFC 5763 section 5, RFC 8842 section 5) */
	if ((sdp_proto_dtls((enum sdp_proto)a->proto) &&
	     (a->webrtc == NULL || a->webrtc->nfp == 0 || a->webrtc->setup == SDP_SETUP_NONE)) ||
	    (a->ice_lite && (a->webrtc == NULL || a->webrtc->ufrag == NULL)) ||
	    (a->bundle && (a->webrtc == NULL || a->webrtc->mid == NULL)))
		return -EINVAL;
	for (unsigned int i = 0; i < a->ncrypto; i++) {
		if (!crypto_writable(&a->crypto[i]))
			return -EINVAL;
		for (unsigned int j = 0; j < i; j++)
			if (a->crypto[j].tag == a->crypto[i].tag)
				return -EINVAL;
	}
	sdp_wbuf_init(&w, buf, size);
	if (put_head(&w, a->family, a->ip, a->sess_id, a->sess_version) < 0)
		return -EINVAL;
	if (a->bundle) {
		memset(&g, 0, sizeof(g));
		g.ntag = 1;
		snprintf(g.tag[0], sizeof(g.tag[0]), "%s", a->webrtc->mid);
	}
	if (sdp_session_webrtc_put(&w, a->ice_lite, a->bundle ? &g : NULL) < 0)
		goto out_wipe;
	put_mline(&w, a->media, a->port, a->proto, a->fmt);
	if (a->attrs != NULL)
		sdp_put(&w, "%s", a->attrs);
	if (a->rtcp_mux)
		sdp_put(&w, "a=rtcp-mux\r\n");
	else if (a->rtcp_port != 0)
		sdp_put(&w, "a=rtcp:%u\r\n", a->rtcp_port);
	if (a->dir != SDP_DIR_NONE)
		sdp_put(&w, "a=%s\r\n", sdp_dir_names[a->dir]);
	for (unsigned int i = 0; i < a->ncrypto; i++)
		put_crypto(&w, &a->crypto[i]);
	if (a->webrtc != NULL && sdp_webrtc_put(&w, a->webrtc) < 0)
		goto out_wipe;
	if (w.over) {
		rc = -ENOSPC;
		goto out_wipe;
	}
	/* What is written reads back: attrs (the peers' lines) included. */
	rc = sdp_parse(buf, w.n, &back, NULL) == 0 && back.media.ncrypto == a->ncrypto &&
	     back.ice_lite == a->ice_lite && (back.media.bundle != 0) == a->bundle &&
	     back.media.ice.ncand == (a->webrtc != NULL ? a->webrtc->ncand : 0) ? 0 : -EINVAL;
	explicit_bzero(&back, sizeof(back));
	if (rc == 0)
		return (int)w.n;

out_wipe:
	explicit_bzero(buf, size);
	if (size > 0)
		buf[0] = '\0';
	return rc;
}
