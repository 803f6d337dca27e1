/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's transport over loopback sockets: UDP from a controller's
 * configured sources only (its iq.mgc address, its iq.send_from ones),
 * answered where it came from; a stranger's datagram, or one from another
 * port of a controller's host, dropped unanswered; TCP's TPKT framing both
 * ways, a message split across reads, two in one read, and a bad header
 * ending the connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iq_net_udp_answers_controllers_only),
		cmocka_unit_test(test_iq_net_udp_one_datagram_a_call),
		cmocka_unit_test(test_iq_net_udp_oversize),
		cmocka_unit_test(test_iq_net_udp_two_controllers_on_one_host),
		cmocka_unit_test(test_iq_net_tcp_tpkt_framing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
