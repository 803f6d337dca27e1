/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's transport (H.248.1 Annex D): UDP, one datagram a message, from
 * iq.listen to the controllers of iq.mgc and back (D.1); or TCP, the MG
 * connecting to its current controller, each message in a TPKT header
 * (RFC 1006: version 3, a reserved byte, the length with the header;
 * D.2). Never waits: sockets are non-blocking, read from cp's loop.
 *
 * A controller is known by its addresses, host and port: its iq.mgc
 * entry and the iq.send_from entries on its host (its sources). A
 * datagram from any other address is dropped and counted, never answered
 * (the answer to a forged source would go to a victim): a stranger's, or
 * from another port of a controller's host (counted apart: the operator
 * may have to list it in iq.send_from). A reply goes to the source its
 * request came from, always one of the configured ones; our requests go
 * to the controller's iq.mgc address.
 *
 * A controller with iq.auth (iq_auth.h) has each of its messages checked
 * before the caller sees it (refused ones dropped and counted by reason)
 * and each message to it signed as it goes, a repeat with a sequence
 * number of its own.
 */
#ifndef CP_IQ_NET_H
#define CP_IQ_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "iq_auth.h"
#include "tp_conf_types.h"

/* The largest message taken or sent: an H.248 message over UDP fits one
 * datagram (D.1.1 asks for no fragmentation, and a context's SDP is a
 * few hundred bytes); over TCP the same bound keeps one message's buffer
 * fixed. */
#define IQ_MSG_MAX 8192u
/* What we send: a message and the authentication header before it. */
#define IQ_WIRE_MAX (IQ_MSG_MAX + IQ_AUTH_HDR_MAX)

/* The configured sources: the controllers' (iq.mgc), then iq.send_from. */
#define IQ_SRC_MAX (TP_CONF_MAX_IQ_MGCS + TP_CONF_MAX_IQ_SEND_FROM)

struct iq_net_stats {
	uint64_t rx, tx, rx_bytes, tx_bytes;
	uint64_t rx_stranger;         /* from a host of no controller */
	uint64_t rx_wrong_port;       /* from a controller's host, not one of its sources */
	uint64_t rx_unauth[IQ_AUTH__COUNT];   /* refused by iq.auth, by reason */
	uint64_t rx_oversize;         /* past IQ_MSG_MAX (a datagram, a TPKT) */
	uint64_t tx_errors;
	uint64_t tcp_connects, tcp_drops;
};

struct iq_net {
	bool tcp;
	int fd;                       /* UDP: the bound socket; TCP: -1 until connecting */
	int family;                   /* AF_INET or AF_INET6 */
	struct sockaddr_storage local;
	unsigned int nmgc;
	/* the sources: src[0..nmgc) the controllers' iq.mgc addresses (where
	 * our requests go), then iq.send_from's; src_mgc[i]: whose */
	unsigned int nsrc;
	struct sockaddr_storage src[IQ_SRC_MAX];
	uint8_t src_mgc[IQ_SRC_MAX];
	/* iq.auth, by controller (on false: none) */
	struct iq_sa sa[TP_CONF_MAX_IQ_MGCS];
	/* the last datagram dropped as from a wrong port, or refused by
	 * iq.auth: its source and why (for the caller's log line) */
	struct sockaddr_storage drop_from;
	uint8_t drop_why;             /* enum iq_auth_why */
	/* TCP: the controller connected to (or connecting), our end of the
	 * connection, its state and the bytes of a message in arrival */
	unsigned int cur;
	struct sockaddr_storage tcp_local;
	bool connecting, connected;
	uint8_t *rbuf;
	size_t rlen;
	uint8_t *wbuf;                /* what the socket did not take yet */
	size_t wlen;
	struct iq_net_stats st;
};

/* From iq (conf->iq): UDP bound to listen, or TCP not yet connected;
 * no controller authenticated (iq_net_auth()). 0 or -errno with err
 * saying why. */
int iq_net_open(struct iq_net *n, const struct tp_conf_iq *iq, char *err, size_t errlen);
void iq_net_close(struct iq_net *n);
/* Controller a->mgc's messages authenticated from now on, with key. 0 or
 * -errno (iq_sa_init()'s). */
int iq_net_auth(struct iq_net *n, const struct tp_conf_iq_auth *a, const uint8_t *key,
		size_t keylen);

/* TCP: connect (non-blocking) to controller i, dropping any other
 * connection. 0, or -errno. UDP: nothing to do, 0. */
int iq_net_connect(struct iq_net *n, unsigned int i);
/* TCP: true once connected to the current controller (UDP: always). */
bool iq_net_up(struct iq_net *n);

/*
 * One message, if one is there: its bytes into buf (IQ_MSG_MAX), *peer
 * the controller it came from, *src the source (an index of n->src; over
 * TCP the controller's own). Returns its length, 0 when nothing is
 * waiting, or (each a read the caller counts, nothing for it to answer):
 *  - -EAGAIN: a datagram read and dropped (a stranger's, an empty one; a
 *    controller's past IQ_MSG_MAX when it has iq.auth: it cannot be
 *    checked);
 *  - -EADDRNOTAVAIL: from another port of controller *peer's host
 *    (rx_wrong_port; its source in n->drop_from);
 *  - -EACCES: controller *peer's message refused by its iq.auth
 *    (rx_unauth[n->drop_why]; its source in n->drop_from);
 *  - -EMSGSIZE: a datagram from controller *peer past IQ_MSG_MAX (its
 *    first IQ_MSG_MAX bytes in buf; counted in rx_oversize);
 * or -ECONNRESET when the TCP connection went (iq_net_connect() again; a
 * TPKT past IQ_MSG_MAX ends it, counted in rx_oversize too), another
 * -errno. UDP reads one datagram a call.
 */
int iq_net_recv(struct iq_net *n, uint8_t *buf, unsigned int *peer, unsigned int *src);
/* A message (at most IQ_MSG_MAX) to source src of n->src: a reply to the
 * source its request came from, a request of ours (and what belongs to
 * one) to the controller's own, src = its index in iq.mgc. Signed when
 * the controller has iq.auth. TCP: the connection, src must be the
 * current controller. 0 or -errno. */
int iq_net_send(struct iq_net *n, unsigned int src, const uint8_t *msg, size_t len);
/* For poll(): the fd and the events it waits for (POLLIN, and POLLOUT
 * while a TCP connect or write is pending). */
int iq_net_fd(const struct iq_net *n, short *events);

/* The same address and port. */
bool iq_net_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

#endif /* CP_IQ_NET_H */
