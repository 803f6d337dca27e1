/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's transport (iq_net.h): UDP datagrams, or TCP with TPKT framing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "iq_net.h"
#include "tp_conf.h"

#define TPKT_HDR 4u

static socklen_t
addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					    sizeof(struct sockaddr_in);
}

static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

bool
iq_net_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (!same_host(a, b))
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_port ==
		       ((const struct sockaddr_in *)b)->sin_port;
	return ((const struct sockaddr_in6 *)a)->sin6_port ==
	       ((const struct sockaddr_in6 *)b)->sin6_port;
}

int
iq_net_open(struct iq_net *n, const struct tp_conf_iq *iq, char *err, size_t errlen)
{
	int rc;

	memset(n, 0, sizeof(*n));
	n->fd = -1;
	n->tcp = iq->tcp;
	if (tp_conf_hostport_parse(iq->listen, &n->local, NULL) == 0) {
		snprintf(err, errlen, "iq.listen '%s' is not IP:PORT", iq->listen);
		return -EINVAL;
	}
	n->family = n->local.ss_family;
	for (unsigned int i = 0; i < iq->nmgc; i++) {
		if (tp_conf_hostport_parse(iq->mgc[i], &n->src[i], NULL) == 0) {
			snprintf(err, errlen, "iq.mgc '%s' is not IP:PORT", iq->mgc[i]);
			return -EINVAL;
		}
		n->src_mgc[i] = (uint8_t)i;
	}
	n->nmgc = n->nsrc = iq->nmgc;
	for (unsigned int i = 0; i < iq->nsend_from && n->nsrc < IQ_SRC_MAX; i++) {
		if (tp_conf_hostport_parse(iq->send_from[i], &n->src[n->nsrc], NULL) == 0 ||
		    iq->send_from_mgc[i] >= iq->nmgc) {
			snprintf(err, errlen, "iq.send_from '%s' is not IP:PORT of a controller's "
				 "host", iq->send_from[i]);
			return -EINVAL;
		}
		n->src_mgc[n->nsrc++] = iq->send_from_mgc[i];
	}
	if (n->tcp) {
		n->rbuf = malloc(IQ_MSG_MAX + TPKT_HDR);
		n->wbuf = malloc(2 * (IQ_WIRE_MAX + TPKT_HDR));
		if (n->rbuf == NULL || n->wbuf == NULL) {
			iq_net_close(n);
			snprintf(err, errlen, "iq: out of memory");
			return -ENOMEM;
		}
		return 0;
	}
	n->fd = socket(n->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->fd < 0 || bind(n->fd, (struct sockaddr *)&n->local, addr_len(&n->local)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "iq.listen %s (udp): %s", iq->listen, strerror(-rc));
		iq_net_close(n);
		return rc;
	}
	return 0;
}

void
iq_net_close(struct iq_net *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
	free(n->rbuf);
	free(n->wbuf);
	n->rbuf = n->wbuf = NULL;
	n->connected = n->connecting = false;
	for (unsigned int i = 0; i < TP_CONF_MAX_IQ_MGCS; i++)
		if (n->sa[i].on)
			iq_sa_fini(&n->sa[i]);
}

int
iq_net_auth(struct iq_net *n, const struct tp_conf_iq_auth *a, const uint8_t *key,
	    size_t keylen)
{
	if (a->mgc >= n->nmgc || n->src[a->mgc].ss_family != AF_INET)
		return -EINVAL;
	if (n->sa[a->mgc].on)
		iq_sa_fini(&n->sa[a->mgc]);
	return iq_sa_init(&n->sa[a->mgc], a, key, keylen);
}

/* An IPv4 address in host order, and a port. */
static uint32_t
ip4_of(const struct sockaddr_storage *ss)
{
	return ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);
}

static uint16_t
port_of(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? ntohs(((const struct sockaddr_in *)ss)->sin_port) :
	       ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* Our end of what goes to the controllers: the bound address over UDP,
 * the connection's over TCP (iq.listen's address, an ephemeral port). */
static const struct sockaddr_storage *
our_end(const struct iq_net *n)
{
	return n->tcp ? &n->tcp_local : &n->local;
}

int
iq_net_connect(struct iq_net *n, unsigned int i)
{
	struct sockaddr_storage src;
	int fd, rc;

	if (!n->tcp)
		return 0;
	if (n->fd >= 0) {
		close(n->fd);
		n->fd = -1;
		n->st.tcp_drops++;
	}
	n->connected = n->connecting = false;
	n->rlen = n->wlen = 0;
	n->cur = i;
	fd = socket(n->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* from iq.listen's address (the control network's), any port */
	src = n->local;
	if (src.ss_family == AF_INET)
		((struct sockaddr_in *)&src)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&src)->sin6_port = 0;
	if (bind(fd, (struct sockaddr *)&src, addr_len(&src)) < 0 ||
	    (connect(fd, (struct sockaddr *)&n->src[i], addr_len(&n->src[i])) < 0 &&
	     errno != EINPROGRESS)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	n->fd = fd;
	n->connecting = true;
	n->st.tcp_connects++;
	return 0;
}

/* TCP: finish a connect, push what waits to be written. */
static int
tcp_progress(struct iq_net *n)
{
	if (n->fd < 0)
		return -ENOTCONN;
	if (n->connecting) {
		struct pollfd p = { .fd = n->fd, .events = POLLOUT };
		int soerr = 0;
		socklen_t sl = sizeof(soerr), ll = sizeof(n->tcp_local);

		if (poll(&p, 1, 0) <= 0)
			return 0;
		if (getsockopt(n->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0)
			return -ECONNRESET;
		/* (the check values of the messages both ways cover our end:
		 * its address, its port for what comes to us) */
		if (getsockname(n->fd, (struct sockaddr *)&n->tcp_local, &ll) < 0)
			return -ECONNRESET;
		n->connecting = false;
		n->connected = true;
	}
	while (n->wlen > 0) {
		ssize_t w = send(n->fd, n->wbuf, n->wlen, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -ECONNRESET;
		memmove(n->wbuf, n->wbuf + w, n->wlen - (size_t)w);
		n->wlen -= (size_t)w;
	}
	return 0;
}

bool
iq_net_up(struct iq_net *n)
{
	if (!n->tcp)
		return true;
	if (n->connecting && tcp_progress(n) < 0)
		return false;
	return n->connected;
}

int
iq_net_fd(const struct iq_net *n, short *events)
{
	*events = POLLIN;
	if (n->tcp && (n->connecting || n->wlen > 0))
		*events |= POLLOUT;
	return n->fd;
}

/* Controller peer's message buf[0..len) from src (its source address),
 * to our end dst: 0 when it has no iq.auth or its check holds, else
 * -EACCES (counted, why in n->drop_why). */
static int
authentic(struct iq_net *n, unsigned int peer, const struct sockaddr_storage *src,
	  const struct sockaddr_storage *dst, const uint8_t *buf, size_t len)
{
	enum iq_auth_why why;

	if (!n->sa[peer].on)
		return 0;
	why = iq_auth_check(&n->sa[peer], ip4_of(src), ip4_of(dst), port_of(dst), buf, len);
	if (why == IQ_AUTH_OK)
		return 0;
	n->st.rx_unauth[why]++;
	n->drop_from = *src;
	n->drop_why = (uint8_t)why;
	return -EACCES;
}

/* One datagram read, at most: a flood of strangers' cannot keep the
 * caller, who bounds its calls a serve. */
static int
udp_recv(struct iq_net *n, uint8_t *buf, unsigned int *peer, unsigned int *src)
{
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t r = recvfrom(n->fd, buf, IQ_MSG_MAX, MSG_TRUNC | MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
	unsigned int i, p;

	if (r < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	/* a configured source, host and port: a controller's own address
	 * or one of its iq.send_from (two controllers may share a host,
	 * told apart by their ports) */
	for (i = 0; i < n->nsrc; i++)
		if (iq_net_same_addr(&from, &n->src[i]))
			break;
	if (i == n->nsrc) {
		for (unsigned int h = 0; h < n->nmgc; h++)
			if (same_host(&from, &n->src[h])) {
				/* another port of a controller's host: any process
				 * there (or behind its NAT) may send from it */
				n->st.rx_wrong_port++;
				n->drop_from = from;
				*peer = h;
				return -EADDRNOTAVAIL;
			}
		n->st.rx_stranger++;
		return -EAGAIN;
	}
	if (r == 0)
		return -EAGAIN;
	p = n->src_mgc[i];
	*peer = p;
	*src = i;
	if ((size_t)r > IQ_MSG_MAX) {
		n->st.rx_oversize++;
		/* its first bytes are the caller's (the request they begin
		 * may be answered), unless they are to be authenticated:
		 * a message cut short cannot be */
		return n->sa[p].on ? -EAGAIN : -EMSGSIZE;
	}
	if (authentic(n, p, &from, &n->local, buf, (size_t)r) < 0)
		return -EACCES;
	n->st.rx++;
	n->st.rx_bytes += (uint64_t)r;
	return (int)r;
}

static int
tcp_recv(struct iq_net *n, uint8_t *buf, unsigned int *peer, unsigned int *src)
{
	int rc = tcp_progress(n);

	if (rc < 0)
		return rc;
	if (!n->connected)
		return 0;
	for (;;) {
		size_t mlen;

		if (n->rlen >= TPKT_HDR) {
			/* RFC 1006: version 3, reserved, length (with the header) */
			mlen = (size_t)n->rbuf[2] << 8 | n->rbuf[3];
			if (n->rbuf[0] != 3 || mlen <= TPKT_HDR || mlen > IQ_MSG_MAX + TPKT_HDR) {
				n->st.rx_oversize++;
				return -ECONNRESET;
			}
			if (n->rlen >= mlen) {
				memcpy(buf, n->rbuf + TPKT_HDR, mlen - TPKT_HDR);
				memmove(n->rbuf, n->rbuf + mlen, n->rlen - mlen);
				n->rlen -= mlen;
				*peer = *src = n->cur;
				if (authentic(n, n->cur, &n->src[n->cur], &n->tcp_local, buf,
					      mlen - TPKT_HDR) < 0)
					return -EACCES;
				n->st.rx++;
				n->st.rx_bytes += mlen - TPKT_HDR;
				return (int)(mlen - TPKT_HDR);
			}
		}
		ssize_t r = recv(n->fd, n->rbuf + n->rlen, IQ_MSG_MAX + TPKT_HDR - n->rlen,
				 MSG_DONTWAIT);

		if (r == 0)
			return -ECONNRESET;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -ECONNRESET;
		n->rlen += (size_t)r;
	}
}

int
iq_net_recv(struct iq_net *n, uint8_t *buf, unsigned int *peer, unsigned int *src)
{
	if (n->fd < 0)
		return n->tcp ? -ECONNRESET : -EBADF;
	return n->tcp ? tcp_recv(n, buf, peer, src) : udp_recv(n, buf, peer, src);
}

int
iq_net_send(struct iq_net *n, unsigned int src, const uint8_t *msg, size_t len)
{
	char hdr[IQ_AUTH_HDR_MAX];
	const struct sockaddr_storage *to;
	unsigned int peer;
	int hlen = 0;

	if (len == 0 || len > IQ_MSG_MAX || src >= n->nsrc)
		return -EINVAL;
	peer = n->src_mgc[src];
	to = &n->src[src];
	/* (over TCP a signed message needs our end of the connection: it
	 * waits for the connect; an unsigned one is queued meanwhile) */
	if (n->tcp && n->sa[peer].on && n->connecting)
		(void)tcp_progress(n);
	if (n->tcp && (peer != n->cur || src != peer || n->fd < 0 ||
		       (n->sa[peer].on && !n->connected) ||
		       n->wlen + len + (n->sa[peer].on ? IQ_AUTH_HDR_MAX : 0) + TPKT_HDR >
		       2 * (IQ_WIRE_MAX + TPKT_HDR))) {
		n->st.tx_errors++;
		return -ENOTCONN;
	}
	if (n->sa[peer].on) {
		/* each message its own sequence number, a repeat too (RFC
		 * 2402 §3.3.2): signed as it goes, never stored signed */
		hlen = iq_auth_sign(&n->sa[peer], ip4_of(our_end(n)), ip4_of(to), port_of(to), msg,
				    len, hdr, sizeof(hdr));
		if (hlen < 0) {
			n->st.tx_errors++;
			return hlen;
		}
	}
	if (!n->tcp) {
		struct iovec iov[2] = {
			{ .iov_base = hdr, .iov_len = (size_t)hlen },
			{ .iov_base = (void *)(uintptr_t)msg, .iov_len = len },
		};
		struct msghdr mh = {
			.msg_name = (void *)(uintptr_t)to, .msg_namelen = addr_len(to),
			.msg_iov = hlen > 0 ? iov : iov + 1, .msg_iovlen = hlen > 0 ? 2 : 1,
		};

		if (sendmsg(n->fd, &mh, MSG_DONTWAIT) < 0) {
			n->st.tx_errors++;
			return -errno;
		}
	} else {
		size_t all = (size_t)hlen + len;
		int rc;

		n->wbuf[n->wlen] = 3;
		n->wbuf[n->wlen + 1] = 0;
		n->wbuf[n->wlen + 2] = (uint8_t)((all + TPKT_HDR) >> 8);
		n->wbuf[n->wlen + 3] = (uint8_t)(all + TPKT_HDR);
		memcpy(n->wbuf + n->wlen + TPKT_HDR, hdr, (size_t)hlen);
		memcpy(n->wbuf + n->wlen + TPKT_HDR + hlen, msg, len);
		n->wlen += all + TPKT_HDR;
		rc = tcp_progress(n);
		if (rc < 0) {
			n->st.tx_errors++;
			return rc;
		}
	}
	n->st.tx++;
	n->st.tx_bytes += (uint64_t)hlen + len;
	return 0;
}
