/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's association, what it answers a controller's replies with: a
 * ResponseAck (H.248.1 ImmAckRequired) only for a reply to one of our
 * requests in flight to that controller, never for a forged Reply = N
 * from its host, over loopback sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "iq/iq_internal.h"

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

/* The controller's reply text, parsed, given to the association. */
static void
reply_in(struct cp_iq *q, const char *text, uint64_t now_ms)
{
	static struct h248_node nodes[256];
	struct h248_tree t;
	struct h248_msg m;
	struct h248_err err;

	assert_int_equal(h248_parse(&t, text, strlen(text), nodes, 256, &m, &err), 0);
	assert_int_equal(m.ntrans, 1);
	assert_int_equal(m.trans[0].kind, H248_TRANS_REPLY);
	iq_assoc_reply(q, &t, &m.trans[0], 0, now_ms);
}

static void
test_iq_assoc_imm_ack_only_for_ours(void **state)
{
	struct tp_conf_iq c = { .enabled = true, .max_rate = 100, .request_timeout = 30 };
	struct cp_iq *q = calloc(1, sizeof(*q));
	uint16_t mport, lport;
	int mgc = udp_on("127.0.0.2", &mport), probe = udp_on("127.0.0.1", &lport);
	char err[160], got[512];
	ssize_t r;

	(void)state;
	assert_non_null(q);
	close(probe);
	snprintf(c.listen, sizeof(c.listen), "127.0.0.1:%u", lport);
	snprintf(c.mid, sizeof(c.mid), "[127.0.0.1]:%u", lport);
	snprintf(c.mgc[0], sizeof(c.mgc[0]), "127.0.0.2:%u", mport);
	snprintf(c.profile, sizeof(c.profile), "threegiq/1");
	c.nmgc = 1;
	q->conf = &c;
	assert_int_equal(iq_net_open(&q->net, &c, err, sizeof(err)), 0);
	assert_int_equal(iq_trans_init(&q->trans, 64, 16), 0);
	iq_assoc_init(q);
	/* one Notify of ours in flight, transaction 77 */
	assert_int_equal(iq_out_add(&q->trans, 0, 77, (const uint8_t *)"x", 1, IQ_COOKIE_NOTIFY,
				    1000), 0);

	/* a Reply to a transaction we never sent, asking for an ack: none */
	reply_in(q, "MEGACO/3 [127.0.0.2]:2944\nReply = 5 { ImmAckRequired, "
		 "Context = - { Notify = ROOT } }", 1000);
	usleep(20000);
	assert_int_equal(recv(mgc, got, sizeof(got), MSG_DONTWAIT), -1);
	assert_int_equal(q->ctr.stats[IQ_STAT_ACKS_SENT], 0);
	assert_int_equal(q->ctr.stats[IQ_STAT_REPLIES_UNKNOWN], 1);

	/* the reply to ours: acked, to the controller's address */
	reply_in(q, "MEGACO/3 [127.0.0.2]:2944\nReply = 77 { ImmAckRequired, "
		 "Context = - { Notify = ROOT } }", 1001);
	usleep(20000);
	r = recv(mgc, got, sizeof(got) - 1, MSG_DONTWAIT);
	assert_true(r > 0);
	got[r] = '\0';
	assert_non_null(strstr(got, "77"));
	assert_int_equal(q->ctr.stats[IQ_STAT_ACKS_SENT], 1);
	assert_int_equal(q->ctr.stats[IQ_STAT_REPLIES_RECEIVED], 1);

	/* its repeat: ours no longer in flight, not acked again */
	reply_in(q, "MEGACO/3 [127.0.0.2]:2944\nReply = 77 { ImmAckRequired, "
		 "Context = - { Notify = ROOT } }", 1002);
	usleep(20000);
	assert_int_equal(recv(mgc, got, sizeof(got), MSG_DONTWAIT), -1);
	assert_int_equal(q->ctr.stats[IQ_STAT_ACKS_SENT], 1);

	iq_trans_fini(&q->trans);
	iq_net_close(&q->net);
	free(q);
	close(mgc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iq_assoc_imm_ack_only_for_ours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
