/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's transport over loopback sockets: UDP from a controller's
 * configured sources only (its iq.mgc address, its iq.send_from ones),
 * answered where it came from; a stranger's datagram, or one from another
 * port of a controller's host, dropped unanswered; TCP's TPKT framing both
 * ways, a message split across reads, two in one read, and a bad header
 * ending the connection. H.248.1 §10.2's authentication header: its check
 * value against known answers computed apart (Python's hmac), the
 * anti-replay window, a controller's unsigned, forged and replayed
 * messages refused both over UDP and TCP, ours signed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "h248.h"
#include "iq/iq_net.h"

static int
udp_on(const char *ip, uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, ip, &a.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &l);
	*port = ntohs(a.sin_port);
	return fd;
}

/* The next message for the caller, a stranger's datagram read and
 * dropped on the way (-EAGAIN: one read, nothing for the caller). */
static int
recv_wait(struct iq_net *n, uint8_t *buf, unsigned int *peer)
{
	unsigned int src;

	for (int i = 0; i < 200; i++) {
		int r = iq_net_recv(n, buf, peer, &src);

		if (r == -EAGAIN)
			continue;
		if (r != 0)
			return r;
		usleep(5000);
	}
	return 0;
}

/* Like recv_wait(), with the source. */
static int
recv_src(struct iq_net *n, uint8_t *buf, unsigned int *peer, unsigned int *src)
{
	for (int i = 0; i < 200; i++) {
		int r = iq_net_recv(n, buf, peer, src);

		if (r == -EAGAIN)
			continue;
		if (r != 0)
			return r;
		usleep(5000);
	}
	return 0;
}

static void
test_iq_net_udp_answers_controllers_only(void **state)
{
	struct tp_conf_iq q = { .enabled = true };
	struct iq_net n;
	char err[160];
	uint16_t mport, sport, lport, fport;
	int other = udp_on("127.0.0.2", &mport), stranger = udp_on("127.0.0.3", &sport);
	int probe = udp_on("127.0.0.1", &lport), home, listed = udp_on("127.0.0.2", &fport);
	uint16_t hport;
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t buf[IQ_MSG_MAX];
	unsigned int peer = 9, src = 9;
	char got[64];
	ssize_t r;

	(void)state;
	close(probe);     /* a free port on 127.0.0.1 for listen */
	snprintf(q.listen, sizeof(q.listen), "127.0.0.1:%u", lport);
	snprintf(q.mgc[0], sizeof(q.mgc[0]), "127.0.0.9:2944");
	/* (its configured address: where our own requests go) */
	home = udp_on("127.0.0.2", &hport);
	snprintf(q.mgc[1], sizeof(q.mgc[1]), "127.0.0.2:%u", hport);
	q.nmgc = 2;
	/* a port it sends from too, listed */
	snprintf(q.send_from[0], sizeof(q.send_from[0]), "127.0.0.2:%u", fport);
	q.send_from_mgc[0] = 1;
	q.nsend_from = 1;
	assert_int_equal(iq_net_open(&n, &q, err, sizeof(err)), 0);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(lport);
	/* the stranger first: dropped, counted, nothing for the caller */
	sendto(stranger, "MEGACO/3 [127.0.0.3]:1 T=1{}", 28, 0, (struct sockaddr *)&to, sizeof(to));
	/* the controller's host, from a port neither configured nor listed:
	 * any process there may send from it; dropped, counted apart */
	sendto(other, "MEGACO/3 [127.0.0.2]:2944 T=2{}", 31, 0, (struct sockaddr *)&to, sizeof(to));
	r = recv_src(&n, buf, &peer, &src);
	assert_int_equal(r, -EADDRNOTAVAIL);
	assert_int_equal(peer, 1);
	assert_int_equal(ntohs(((struct sockaddr_in *)&n.drop_from)->sin_port), mport);
	assert_int_equal(n.st.rx_stranger, 1);
	assert_int_equal(n.st.rx_wrong_port, 1);
	/* from its send_from port: its, answered there */
	sendto(listed, "MEGACO/3 [127.0.0.2]:2944 T=3{}", 31, 0, (struct sockaddr *)&to, sizeof(to));
	r = recv_src(&n, buf, &peer, &src);
	assert_int_equal(r, 31);
	assert_int_equal(peer, 1);
	assert_int_equal(src, 2);
	assert_int_equal(iq_net_send(&n, src, (const uint8_t *)"Reply=3{}", 9), 0);
	r = recv(listed, got, sizeof(got), 0);
	assert_int_equal(r, 9);
	assert_memory_equal(got, "Reply=3{}", 9);
	/* nothing went to the stranger nor to the unlisted port */
	assert_int_equal(recv(stranger, got, sizeof(got), MSG_DONTWAIT), -1);
	assert_int_equal(recv(other, got, sizeof(got), MSG_DONTWAIT), -1);
	/* from its own address: answered there */
	sendto(home, "MEGACO/3 [127.0.0.2]:2944 T=4{}", 31, 0, (struct sockaddr *)&to, sizeof(to));
	assert_int_equal(recv_src(&n, buf, &peer, &src), 31);
	assert_int_equal(src, 1);
	/* a request of ours goes to the configured address (src = the
	 * controller's index), whatever came last */
	sendto(listed, "MEGACO/3 [127.0.0.2]:2944 T=5{}", 31, 0, (struct sockaddr *)&to, sizeof(to));
	assert_int_equal(recv_src(&n, buf, &peer, &src), 31);
	assert_int_equal(iq_net_send(&n, 1, (const uint8_t *)"T=7{}", 5), 0);
	usleep(20000);
	assert_int_equal(recv(home, got, sizeof(got), MSG_DONTWAIT), 5);
	assert_int_equal(recv(listed, got, sizeof(got), MSG_DONTWAIT), -1);
	assert_int_equal(iq_net_send(&n, 3, (const uint8_t *)"x", 1), -EINVAL);
	assert_int_equal(iq_net_send(&n, 1, (const uint8_t *)"x", 0), -EINVAL);
	iq_net_close(&n);
	close(other);
	close(home);
	close(listed);
	close(stranger);
}

/* One call reads one datagram at most, a stranger's too: a flood of them
 * cannot keep cp's loop in one call (the caller bounds its calls). */
static void
test_iq_net_udp_one_datagram_a_call(void **state)
{
	struct tp_conf_iq q = { .enabled = true };
	struct iq_net n;
	char err[160];
	uint16_t mport, sport, lport;
	int mgc = udp_on("127.0.0.2", &mport), stranger = udp_on("127.0.0.3", &sport);
	int probe = udp_on("127.0.0.1", &lport);
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t buf[IQ_MSG_MAX];
	unsigned int peer = 9, src = 9;
	int r = 0;

	(void)state;
	close(probe);
	snprintf(q.listen, sizeof(q.listen), "127.0.0.1:%u", lport);
	snprintf(q.mgc[0], sizeof(q.mgc[0]), "127.0.0.2:%u", mport);
	q.nmgc = 1;
	assert_int_equal(iq_net_open(&n, &q, err, sizeof(err)), 0);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(lport);
	for (int i = 0; i < 100; i++)
		sendto(stranger, "junk", 4, 0, (struct sockaddr *)&to, sizeof(to));
	sendto(mgc, "MEGACO/3 [127.0.0.2]:2944 T=2{}", 31, 0, (struct sockaddr *)&to, sizeof(to));
	usleep(20000);
	/* one call: one stranger read (and dropped), not the hundred */
	r = iq_net_recv(&n, buf, &peer, &src);
	assert_int_equal(r, -EAGAIN);
	assert_int_equal(n.st.rx_stranger, 1);
	for (int i = 0; i < 99; i++)
		assert_int_equal(iq_net_recv(&n, buf, &peer, &src), -EAGAIN);
	assert_int_equal(n.st.rx_stranger, 100);
	assert_int_equal(iq_net_recv(&n, buf, &peer, &src), 31);
	assert_int_equal(peer, 0);
	assert_int_equal(iq_net_recv(&n, buf, &peer, &src), 0);
	iq_net_close(&n);
	close(mgc);
	close(stranger);
}

/* A controller's datagram past IQ_MSG_MAX: its first bytes for the
 * caller (who may answer the request they begin), counted. */
static void
test_iq_net_udp_oversize(void **state)
{
	struct tp_conf_iq q = { .enabled = true };
	struct iq_net n;
	char err[160];
	uint16_t mport, lport;
	int mgc = udp_on("127.0.0.2", &mport), probe = udp_on("127.0.0.1", &lport);
	struct sockaddr_in to = { .sin_family = AF_INET };
	static uint8_t big[20000], buf[IQ_MSG_MAX];
	unsigned int peer = 9;

	(void)state;
	close(probe);
	snprintf(q.listen, sizeof(q.listen), "127.0.0.1:%u", lport);
	snprintf(q.mgc[0], sizeof(q.mgc[0]), "127.0.0.2:%u", mport);
	q.nmgc = 1;
	assert_int_equal(iq_net_open(&n, &q, err, sizeof(err)), 0);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(lport);
	memset(big, 'y', sizeof(big));
	memcpy(big, "MEGACO/3 [127.0.0.2]:2944 T=5{", 30);
	sendto(mgc, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to));
	assert_int_equal(recv_wait(&n, buf, &peer), -EMSGSIZE);
	assert_int_equal(peer, 0);
	assert_memory_equal(buf, big, IQ_MSG_MAX);
	assert_int_equal(n.st.rx_oversize, 1);
	assert_int_equal(n.st.rx, 0);
	iq_net_close(&n);
	close(mgc);
}

/* Two controllers on one host, told apart by their ports; a third port
 * of that host is neither's. */
static void
test_iq_net_udp_two_controllers_on_one_host(void **state)
{
	struct tp_conf_iq q = { .enabled = true };
	struct iq_net n;
	char err[160];
	uint16_t pa, pb, pc, lport;
	int a = udp_on("127.0.0.2", &pa), b = udp_on("127.0.0.2", &pb);
	int c = udp_on("127.0.0.2", &pc), probe = udp_on("127.0.0.1", &lport);
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t buf[IQ_MSG_MAX];
	unsigned int peer = 9;

	(void)state;
	close(probe);
	snprintf(q.listen, sizeof(q.listen), "127.0.0.1:%u", lport);
	snprintf(q.mgc[0], sizeof(q.mgc[0]), "127.0.0.2:%u", pa);
	snprintf(q.mgc[1], sizeof(q.mgc[1]), "127.0.0.2:%u", pb);
	q.nmgc = 2;
	assert_int_equal(iq_net_open(&n, &q, err, sizeof(err)), 0);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(lport);
	sendto(b, "b", 1, 0, (struct sockaddr *)&to, sizeof(to));
	assert_int_equal(recv_wait(&n, buf, &peer), 1);
	assert_int_equal(peer, 1);
	sendto(a, "a", 1, 0, (struct sockaddr *)&to, sizeof(to));
	assert_int_equal(recv_wait(&n, buf, &peer), 1);
	assert_int_equal(peer, 0);
	sendto(c, "c", 1, 0, (struct sockaddr *)&to, sizeof(to));
	assert_int_equal(recv_wait(&n, buf, &peer), -EADDRNOTAVAIL);
	assert_int_equal(n.st.rx_wrong_port, 1);
	assert_int_equal(n.st.rx, 2);
	iq_net_close(&n);
	close(a);
	close(b);
	close(c);
}

static void
test_iq_net_tcp_tpkt_framing(void **state)
{
	struct tp_conf_iq q = { .enabled = true, .tcp = true };
	struct iq_net n;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof(a);
	char err[160];
	int ls = socket(AF_INET, SOCK_STREAM, 0), c;
	uint8_t buf[IQ_MSG_MAX], hdr[4];
	unsigned int peer, src;
	const uint8_t two[] = { 3, 0, 0, 7, 'a', 'b', 'c', 3, 0, 0, 6, 'd', 'e' };
	const uint8_t bad[] = { 4, 0, 0, 7, 'x', 'y', 'z' };

	(void)state;
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	listen(ls, 1);
	getsockname(ls, (struct sockaddr *)&a, &l);
	snprintf(q.listen, sizeof(q.listen), "127.0.0.1:2944");
	snprintf(q.mgc[0], sizeof(q.mgc[0]), "127.0.0.1:%u", ntohs(a.sin_port));
	q.nmgc = 1;
	assert_int_equal(iq_net_open(&n, &q, err, sizeof(err)), 0);
	assert_int_equal(iq_net_recv(&n, buf, &peer, &src), -ECONNRESET);
	assert_int_equal(iq_net_connect(&n, 0), 0);
	c = accept(ls, NULL, NULL);
	assert_true(c >= 0);
	for (int i = 0; i < 100 && !iq_net_up(&n); i++)
		usleep(2000);
	assert_true(iq_net_up(&n));
	assert_int_equal(iq_net_send(&n, 0, (const uint8_t *)"hello", 5), 0);
	assert_int_equal(recv(c, hdr, 4, MSG_WAITALL), 4);
	assert_int_equal(hdr[0], 3);
	assert_int_equal(hdr[3], 9);
	assert_int_equal(recv(c, buf, 5, MSG_WAITALL), 5);
	assert_memory_equal(buf, "hello", 5);
	/* two messages, the second in two pieces */
	send(c, two, 11, 0);
	assert_int_equal(recv_wait(&n, buf, &peer), 3);
	assert_memory_equal(buf, "abc", 3);
	assert_int_equal(peer, 0);
	assert_int_equal(iq_net_recv(&n, buf, &peer, &src), 0);
	send(c, two + 11, 2, 0);
	assert_int_equal(recv_wait(&n, buf, &peer), 2);
	assert_memory_equal(buf, "de", 2);
	/* not a TPKT: the connection is not to be trusted any further */
	send(c, bad, sizeof(bad), 0);
	assert_int_equal(recv_wait(&n, buf, &peer), -ECONNRESET);
	assert_int_equal(n.st.rx_oversize, 1);
	close(c);
	iq_net_close(&n);
	close(ls);
}

/* ---- H.248.1 §10.2's authentication header ---------------------------------- */

static const char BODY[] = "Transaction = 1 { Context = - { AuditValue = ROOT { Audit { } } } }";

static void
sa_on(struct iq_sa *sa, uint8_t alg, uint32_t spi, const uint8_t *key, size_t keylen,
      bool anti_replay)
{
	struct tp_conf_iq_auth a = { .spi = spi, .alg = alg, .anti_replay = anti_replay };

	assert_int_equal(iq_sa_init(sa, &a, key, keylen), 0);
}

static void
hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
}

/*
 * The check value against answers computed apart, with Python's hmac:
 *   key = bytes(range(20)); d = b"C0000214C000020A0B80" + BODY
 *   hmac.new(key, d, hashlib.sha1).hexdigest()[:24].upper()
 *     == "73BE9B39DACE512B4AB9A118"
 *   hmac.new(bytes(range(32)), d, hashlib.sha256).hexdigest()[:32].upper()
 *     == "E9046EB98A4E636AF303BB1E2F9174A8"
 * (192.0.2.20 to 192.0.2.10 port 2944). The header we write goes before
 * the message, lib/h248 reads it, and the body begins past the mId's
 * separator whatever it holds (a comment).
 */
static void
test_iq_auth_icv_known_answers(void **state)
{
	uint8_t key[32], icv[IQ_AUTH_ICV_MAX];
	char h[80], msg[256], all[400];
	struct iq_sa sa, rx;
	struct h248_node nodes[64];
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;
	int n;

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	sa_on(&sa, TP_IQ_HMAC_SHA1_96, 0xabcd, key, 20, true);
	assert_int_equal(sa.icv_len, 12);
	assert_int_equal(iq_auth_icv(&sa, 0xC0000214, 0xC000020A, 2944, (const uint8_t *)BODY,
				     strlen(BODY), icv), 0);
	hex(icv, 12, h);
	assert_string_equal(h, "73BE9B39DACE512B4AB9A118");
	snprintf(msg, sizeof(msg), "MEGACO/3 [192.0.2.20]:2944\n%s", BODY);
	n = iq_auth_sign(&sa, 0xC0000214, 0xC000020A, 2944, (const uint8_t *)msg, strlen(msg), h,
			 sizeof(h));
	assert_true(n > 0);
	assert_string_equal(h, "Authentication = 0x0000ABCD:0x00000001:0x73BE9B39DACE512B4AB9A118\n");
	/* a comment after the mId is the separator's: the same value */
	snprintf(msg, sizeof(msg), "MEGACO/3 [192.0.2.20]:2944 ; a note\n\t %s", BODY);
	n = iq_auth_sign(&sa, 0xC0000214, 0xC000020A, 2944, (const uint8_t *)msg, strlen(msg), h,
			 sizeof(h));
	assert_string_equal(h, "Authentication = 0x0000ABCD:0x00000002:0x73BE9B39DACE512B4AB9A118\n");
	/* lib/h248 reads what we write; the receiver's check holds */
	snprintf(all, sizeof(all), "%s%s", h, msg);
	assert_int_equal(h248_parse(&t, all, strlen(all), nodes, 64, &m, &err), 0);
	assert_true(m.auth);
	sa_on(&rx, TP_IQ_HMAC_SHA1_96, 0xabcd, key, 20, true);
	assert_int_equal(iq_auth_check(&rx, 0xC0000214, 0xC000020A, 2944, (const uint8_t *)all,
				       strlen(all)), IQ_AUTH_OK);
	/* the same from another address, or to another port: not its value */
	assert_int_equal(iq_auth_check(&rx, 0xC0000215, 0xC000020A, 2944, (const uint8_t *)all,
				       strlen(all)), IQ_AUTH_REPLAY);
	rx.anti_replay = false;
	assert_int_equal(iq_auth_check(&rx, 0xC0000215, 0xC000020A, 2944, (const uint8_t *)all,
				       strlen(all)), IQ_AUTH_ICV);
	assert_int_equal(iq_auth_check(&rx, 0xC0000214, 0xC000020A, 2945, (const uint8_t *)all,
				       strlen(all)), IQ_AUTH_ICV);
	assert_int_equal(iq_auth_check(&rx, 0xC0000214, 0xC000020A, 2944, (const uint8_t *)msg,
				       strlen(msg)), IQ_AUTH_NO_HEADER);
	iq_sa_fini(&rx);
	iq_sa_fini(&sa);
	sa_on(&sa, TP_IQ_HMAC_SHA256_128, 0xabcd, key, 32, true);
	assert_int_equal(sa.icv_len, 16);
	assert_int_equal(iq_auth_icv(&sa, 0xC0000214, 0xC000020A, 2944, (const uint8_t *)BODY,
				     strlen(BODY), icv), 0);
	hex(icv, 16, h);
	assert_string_equal(h, "E9046EB98A4E636AF303BB1E2F9174A8");
	iq_sa_fini(&sa);
}

/* RFC 2402 §3.4.3: 0 never; above the highest; within 64 below it once. */
static void
test_iq_auth_replay_window(void **state)
{
	uint8_t key[20] = { 1 };
	struct iq_sa sa;

	(void)state;
	sa_on(&sa, TP_IQ_HMAC_SHA1_96, 0x1000, key, sizeof(key), true);
	assert_false(iq_replay_ok(&sa, 0));
	assert_true(iq_replay_ok(&sa, 1));
	iq_replay_mark(&sa, 1);
	assert_false(iq_replay_ok(&sa, 1));
	assert_true(iq_replay_ok(&sa, 100));
	iq_replay_mark(&sa, 100);
	assert_true(iq_replay_ok(&sa, 37));      /* 63 below: in the window */
	assert_false(iq_replay_ok(&sa, 36));     /* 64 below: out of it */
	iq_replay_mark(&sa, 37);
	assert_false(iq_replay_ok(&sa, 37));
	assert_true(iq_replay_ok(&sa, 99));
	iq_replay_mark(&sa, 101);
	assert_false(iq_replay_ok(&sa, 100));
	assert_false(iq_replay_ok(&sa, 37));     /* now 64 below */
	assert_true(iq_replay_ok(&sa, 99));
	iq_replay_mark(&sa, 1000);               /* a jump past the window */
	assert_true(iq_replay_ok(&sa, 999));
	assert_false(iq_replay_ok(&sa, 1000));
	assert_false(iq_replay_ok(&sa, 936));
	iq_sa_fini(&sa);
}

/* msg signed as controller ctl sends it from src to dst:dport, into out. */
static size_t
signed_msg(struct iq_sa *ctl, uint32_t src, uint32_t dst, uint16_t dport, const char *msg,
	   char *out, size_t size)
{
	char h[IQ_AUTH_HDR_MAX];
	int n = iq_auth_sign(ctl, src, dst, dport, (const uint8_t *)msg, strlen(msg), h, sizeof(h));

	assert_true(n > 0);
	snprintf(out, size, "%s%s", h, msg);
	return strlen(out);
}

/* A controller with iq.auth, over UDP: unsigned, another SPI, a wrong
 * value, a replay refused (counted by reason, nothing for the caller);
 * signed ones taken, in any order within the window; what we send to it
 * signed with sequence numbers of our own, its check holding at its end. */
static void
test_iq_net_udp_auth(void **state)
{
	struct tp_conf_iq q = { .enabled = true };
	struct tp_conf_iq_auth a = { .mgc = 0, .spi = 0x1234, .alg = TP_IQ_HMAC_SHA1_96,
				     .anti_replay = true };
	const char *req = "MEGACO/3 [127.0.0.2]:2944\nTransaction = 9 { Context = - { "
			  "AuditValue = ROOT { Audit { } } } }";
	uint8_t key[20], bad[20], buf[IQ_MSG_MAX];
	uint16_t mport, lport;
	int m = udp_on("127.0.0.2", &mport), probe = udp_on("127.0.0.1", &lport);
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct iq_sa ctl, wrong, other_spi, at_ctl;
	unsigned int peer, src;
	char out[1024], got[1024], s1[1024], s2[1024], s3[1024];
	size_t l1, l2, l3, l;
	struct iq_net n;
	char err[160];
	ssize_t r;

	(void)state;
	for (int i = 0; i < 20; i++) {
		key[i] = (uint8_t)(0xa0 + i);
		bad[i] = (uint8_t)(0xb0 + i);
	}
	close(probe);
	snprintf(q.listen, sizeof(q.listen), "127.0.0.1:%u", lport);
	snprintf(q.mgc[0], sizeof(q.mgc[0]), "127.0.0.2:%u", mport);
	q.nmgc = 1;
	assert_int_equal(iq_net_open(&n, &q, err, sizeof(err)), 0);
	assert_int_equal(iq_net_auth(&n, &a, key, sizeof(key)), 0);
	sa_on(&ctl, TP_IQ_HMAC_SHA1_96, 0x1234, key, sizeof(key), true);
	sa_on(&wrong, TP_IQ_HMAC_SHA1_96, 0x1234, bad, sizeof(bad), true);
	sa_on(&other_spi, TP_IQ_HMAC_SHA1_96, 0x1235, key, sizeof(key), true);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(lport);
#define SEND(p, len) sendto(m, (p), (len), 0, (struct sockaddr *)&to, sizeof(to))
	/* unsigned */
	SEND(req, strlen(req));
	assert_int_equal(recv_src(&n, buf, &peer, &src), -EACCES);
	assert_int_equal(n.drop_why, IQ_AUTH_NO_HEADER);
	/* another SPI; a wrong key */
	l = signed_msg(&other_spi, 0x7f000002, 0x7f000001, lport, req, out, sizeof(out));
	SEND(out, l);
	assert_int_equal(recv_src(&n, buf, &peer, &src), -EACCES);
	assert_int_equal(n.drop_why, IQ_AUTH_SPI);
	l = signed_msg(&wrong, 0x7f000002, 0x7f000001, lport, req, out, sizeof(out));
	SEND(out, l);
	assert_int_equal(recv_src(&n, buf, &peer, &src), -EACCES);
	assert_int_equal(n.drop_why, IQ_AUTH_ICV);
	/* signed for another destination port: its value does not hold here */
	l = signed_msg(&ctl, 0x7f000002, 0x7f000001, (uint16_t)(lport + 1), req, out, sizeof(out));
	SEND(out, l);
	assert_int_equal(recv_src(&n, buf, &peer, &src), -EACCES);
	assert_int_equal(n.drop_why, IQ_AUTH_ICV);
	/* three signed (sequence numbers 2, 3, 4), taken 4, 2, 3 */
	l1 = signed_msg(&ctl, 0x7f000002, 0x7f000001, lport, req, s1, sizeof(s1));
	l2 = signed_msg(&ctl, 0x7f000002, 0x7f000001, lport, req, s2, sizeof(s2));
	l3 = signed_msg(&ctl, 0x7f000002, 0x7f000001, lport, req, s3, sizeof(s3));
	SEND(s3, l3);
	assert_int_equal(recv_src(&n, buf, &peer, &src), (int)l3);
	assert_int_equal(peer, 0);
	SEND(s1, l1);
	assert_int_equal(recv_src(&n, buf, &peer, &src), (int)l1);
	/* a replay of one taken */
	SEND(s3, l3);
	assert_int_equal(recv_src(&n, buf, &peer, &src), -EACCES);
	assert_int_equal(n.drop_why, IQ_AUTH_REPLAY);
	SEND(s2, l2);
	assert_int_equal(recv_src(&n, buf, &peer, &src), (int)l2);
	assert_int_equal(n.st.rx_unauth[IQ_AUTH_NO_HEADER], 1);
	assert_int_equal(n.st.rx_unauth[IQ_AUTH_SPI], 1);
	assert_int_equal(n.st.rx_unauth[IQ_AUTH_ICV], 2);
	assert_int_equal(n.st.rx_unauth[IQ_AUTH_REPLAY], 1);
	assert_int_equal(n.st.rx, 3);
	/* ours, signed from 127.0.0.1 to 127.0.0.2:mport; a repeat of the
	 * same bytes goes with the next sequence number */
	sa_on(&at_ctl, TP_IQ_HMAC_SHA1_96, 0x1234, key, sizeof(key), true);
	for (int i = 1; i <= 2; i++) {
		const char *rep = "MEGACO/3 [127.0.0.1]:2944\nReply = 9 { Context = - { "
				  "AuditValue = ROOT } }";
		char want[64];

		assert_int_equal(iq_net_send(&n, src, (const uint8_t *)rep, strlen(rep)), 0);
		r = recv(m, got, sizeof(got) - 1, 0);
		assert_true(r > 0);
		got[r] = '\0';
		snprintf(want, sizeof(want), "Authentication = 0x00001234:0x%08X:0x", i);
		assert_memory_equal(got, want, strlen(want));
		assert_string_equal(strchr(got, '\n') + 1, rep);
		assert_int_equal(iq_auth_check(&at_ctl, 0x7f000001, 0x7f000002, mport,
					       (const uint8_t *)got, (size_t)r), IQ_AUTH_OK);
	}
#undef SEND
	iq_sa_fini(&at_ctl);
	iq_sa_fini(&ctl);
	iq_sa_fini(&wrong);
	iq_sa_fini(&other_spi);
	iq_net_close(&n);
	close(m);
}

/* Over TCP: the check values cover our end of the connection (its
 * address; its port for what comes to us); an unsigned message on the
 * connection is refused, a signed one taken, ours signed. */
static void
test_iq_net_tcp_auth(void **state)
{
	struct tp_conf_iq q = { .enabled = true, .tcp = true };
	struct tp_conf_iq_auth a = { .mgc = 0, .spi = 0x5678, .alg = TP_IQ_HMAC_SHA256_128,
				     .anti_replay = true };
	const char *req = "MEGACO/3 [127.0.0.1]:2944\nTransaction = 5 { Context = - { "
			  "AuditValue = ROOT { Audit { } } } }";
	struct sockaddr_in la = { .sin_family = AF_INET }, ours;
	socklen_t l = sizeof(la), ol = sizeof(ours);
	uint8_t key[32], buf[IQ_MSG_MAX], hdr[4];
	int ls = socket(AF_INET, SOCK_STREAM, 0), c;
	struct iq_sa ctl;
	unsigned int peer, src;
	char out[1024], got[1024];
	struct iq_net n;
	char err[160];
	size_t len;

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x40 + i);
	inet_pton(AF_INET, "127.0.0.1", &la.sin_addr);
	assert_int_equal(bind(ls, (struct sockaddr *)&la, sizeof(la)), 0);
	listen(ls, 1);
	getsockname(ls, (struct sockaddr *)&la, &l);
	snprintf(q.listen, sizeof(q.listen), "127.0.0.1:2944");
	snprintf(q.mgc[0], sizeof(q.mgc[0]), "127.0.0.1:%u", ntohs(la.sin_port));
	q.nmgc = 1;
	assert_int_equal(iq_net_open(&n, &q, err, sizeof(err)), 0);
	assert_int_equal(iq_net_auth(&n, &a, key, sizeof(key)), 0);
	sa_on(&ctl, TP_IQ_HMAC_SHA256_128, 0x5678, key, sizeof(key), true);
	assert_int_equal(iq_net_connect(&n, 0), 0);
	c = accept(ls, NULL, NULL);
	assert_true(c >= 0);
	for (int i = 0; i < 100 && !iq_net_up(&n); i++)
		usleep(2000);
	assert_true(iq_net_up(&n));
	getpeername(c, (struct sockaddr *)&ours, &ol);
	/* ours: to the controller's port */
	assert_int_equal(iq_net_send(&n, 0, (const uint8_t *)req, strlen(req)), 0);
	assert_int_equal(recv(c, hdr, 4, MSG_WAITALL), 4);
	len = (size_t)(hdr[2] << 8 | hdr[3]) - 4;
	assert_int_equal(recv(c, got, len, MSG_WAITALL), (ssize_t)len);
	assert_int_equal(iq_auth_check(&ctl, 0x7f000001, 0x7f000001, ntohs(la.sin_port),
				       (const uint8_t *)got, len), IQ_AUTH_OK);
	/* the controller's: to our end's port */
	len = signed_msg(&ctl, 0x7f000001, 0x7f000001, ntohs(ours.sin_port), req, out + 4,
			 sizeof(out) - 4);
	out[0] = 3;
	out[1] = 0;
	out[2] = (char)((len + 4) >> 8);
	out[3] = (char)(len + 4);
	send(c, out, len + 4, 0);
	assert_int_equal(recv_src(&n, buf, &peer, &src), (int)len);
	/* the same again: a replay; then unsigned */
	send(c, out, len + 4, 0);
	assert_int_equal(recv_src(&n, buf, &peer, &src), -EACCES);
	assert_int_equal(n.drop_why, IQ_AUTH_REPLAY);
	len = strlen(req);
	out[2] = (char)((len + 4) >> 8);
	out[3] = (char)(len + 4);
	memcpy(out + 4, req, len);
	send(c, out, len + 4, 0);
	assert_int_equal(recv_src(&n, buf, &peer, &src), -EACCES);
	assert_int_equal(n.drop_why, IQ_AUTH_NO_HEADER);
	iq_sa_fini(&ctl);
	close(c);
	iq_net_close(&n);
	close(ls);
}

/* With iq.auth, a datagram past IQ_MSG_MAX cannot be checked: counted,
 * nothing for the caller (no answer read from its first bytes). */
static void
test_iq_net_udp_auth_oversize(void **state)
{
	struct tp_conf_iq q = { .enabled = true };
	struct tp_conf_iq_auth a = { .mgc = 0, .spi = 0x1234, .alg = TP_IQ_HMAC_SHA1_96 };
	uint8_t key[20] = { 7 };
	uint16_t mport, lport;
	int mgc = udp_on("127.0.0.2", &mport), probe = udp_on("127.0.0.1", &lport);
	struct sockaddr_in to = { .sin_family = AF_INET };
	static uint8_t big[20000], buf[IQ_MSG_MAX];
	unsigned int peer = 9;
	struct iq_net n;
	char err[160];

	(void)state;
	close(probe);
	snprintf(q.listen, sizeof(q.listen), "127.0.0.1:%u", lport);
	snprintf(q.mgc[0], sizeof(q.mgc[0]), "127.0.0.2:%u", mport);
	q.nmgc = 1;
	assert_int_equal(iq_net_open(&n, &q, err, sizeof(err)), 0);
	assert_int_equal(iq_net_auth(&n, &a, key, sizeof(key)), 0);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(lport);
	memset(big, 'y', sizeof(big));
	sendto(mgc, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to));
	usleep(20000);
	assert_int_equal(recv_wait(&n, buf, &peer), 0);
	assert_int_equal(n.st.rx_oversize, 1);
	iq_net_close(&n);
	close(mgc);
}

/* A key_file: one line of hex; not a link, not writable by group or
 * others (refused), readable by them (a warning), root's or the owner's. */
static void
test_iq_auth_key_file(void **state)
{
	char dir[] = "/tmp/tp-iqkey-XXXXXX", path[96], link_[96], warn[400], err[400];
	uint8_t key[TP_CONF_IQ_KEY_MAX], keylen = 0;
	uid_t me = geteuid();
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	snprintf(link_, sizeof(link_), "%s/l", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("000102030405060708090a0b0c0d0e0f10111213\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(iq_auth_read_key(path, me, TP_IQ_HMAC_SHA1_96, key, &keylen, warn,
					  sizeof(warn), err, sizeof(err)), 0);
	assert_int_equal(keylen, 20);
	assert_int_equal(key[19], 0x13);
	assert_string_equal(warn, "");
	/* too short for sha256-128 */
	assert_int_equal(iq_auth_read_key(path, me, TP_IQ_HMAC_SHA256_128, key, &keylen, warn,
					  sizeof(warn), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "32 to 64 bytes"));
	/* readable by the group, by everyone: taken, with a warning */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(iq_auth_read_key(path, me, TP_IQ_HMAC_SHA1_96, key, &keylen, warn,
					  sizeof(warn), err, sizeof(err)), 0);
	assert_non_null(strstr(warn, "its group may read it"));
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(iq_auth_read_key(path, me, TP_IQ_HMAC_SHA1_96, key, &keylen, warn,
					  sizeof(warn), err, sizeof(err)), 0);
	assert_non_null(strstr(warn, "everyone on this host may read it"));
	/* writable by the group: refused */
	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(iq_auth_read_key(path, me, TP_IQ_HMAC_SHA1_96, key, &keylen, warn,
					  sizeof(warn), err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "chmod 600"));
	assert_int_equal(chmod(path, 0600), 0);
	/* through a link: refused */
	assert_int_equal(symlink(path, link_), 0);
	assert_int_equal(iq_auth_read_key(link_, me, TP_IQ_HMAC_SHA1_96, key, &keylen, warn,
					  sizeof(warn), err, sizeof(err)), -ELOOP);
	/* another's (neither root nor the owner given) */
	if (me == 0 && chown(path, 65534, 65534) == 0)
		assert_int_equal(iq_auth_read_key(path, 1234, TP_IQ_HMAC_SHA1_96, key, &keylen,
						  warn, sizeof(warn), err, sizeof(err)), -EPERM);
	else if (me != 0)
		assert_int_equal(iq_auth_read_key(path, me + 1, TP_IQ_HMAC_SHA1_96, key, &keylen,
						  warn, sizeof(warn), err, sizeof(err)), -EPERM);
	unlink(link_);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iq_net_udp_answers_controllers_only),
		cmocka_unit_test(test_iq_net_udp_one_datagram_a_call),
		cmocka_unit_test(test_iq_net_udp_oversize),
		cmocka_unit_test(test_iq_net_udp_two_controllers_on_one_host),
		cmocka_unit_test(test_iq_net_tcp_tpkt_framing),
		cmocka_unit_test(test_iq_auth_icv_known_answers),
		cmocka_unit_test(test_iq_auth_replay_window),
		cmocka_unit_test(test_iq_net_udp_auth),
		cmocka_unit_test(test_iq_net_tcp_auth),
		cmocka_unit_test(test_iq_net_udp_auth_oversize),
		cmocka_unit_test(test_iq_auth_key_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
