/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our own BIO under OpenSSL (VPP's tls_bio.c does the same over its
 * session FIFOs): no socket, no buffer of its own. A read copies
 * ciphertext out of the received TCP segments the connection holds
 * (struct tls_conn rx, by reference, as dp/tcp gave them) into OpenSSL's
 * record buffer, freeing each segment once read; a write copies what
 * OpenSSL produced into mbufs of the worker's pool, chained on tx, which
 * tls_xprt.c hands to tcp_send() when the SSL call returns (so nothing in
 * dp/tcp runs inside an OpenSSL async job's stack). Nothing to read:
 * "retry" (WANT_READ), or end of file once TCP gave its FIN.
 *
 * A BIO whose connection was closed while its job was parked (an
 * orphan) fails every read and write: the job ends and its SSL is freed.
 */
#include <string.h>

#include <openssl/bio.h>

#include <rte_mbuf.h>

#include "dp.h"
#include "tls.h"
#include "tls_rec.h"

static BIO_METHOD *tls_bio_method;

static int
bio_write(BIO *b, const char *in, size_t len, size_t *written)
{
	struct tls_conn *c = BIO_get_data(b);
	size_t done = 0;

	BIO_clear_retry_flags(b);
	if (c == NULL || c->kind != TLS_K_CONN)
		return 0;
	if (tls_rec_tx_on(c)) {
		/* OpenSSL hands plaintext once the sending key is dp's */
		if (!tls_rec_bio_write(c, in, len))
			return 0;
		*written = len;
		return 1;
	}
	done = tls_tx_put(c, NULL, (const uint8_t *)in, (uint32_t)len);
	*written = done;
	return done > 0 ? 1 : 0;
}

static int
bio_read(BIO *b, char *out, size_t len, size_t *readbytes)
{
	struct tls_conn *c = BIO_get_data(b);
	size_t done = 0;

	BIO_clear_retry_flags(b);
	if (c == NULL || c->kind != TLS_K_CONN)
		return 0;
	if (c->rec != NULL && c->rec->rx.on) {
		/* the records are dp's now (tls_rec.c): OpenSSL's receiving
		 * state is stale (a second SSL_shutdown() would read) */
		BIO_set_retry_read(b);
		return 0;
	}
	while (done < len && c->rx != NULL) {
		struct rte_mbuf *m = c->rx;
		size_t take = len - done < m->data_len ? len - done : m->data_len;

		memcpy(out + done, rte_pktmbuf_mtod(m, const char *), take);
		done += take;
		c->rx_len -= (uint32_t)take;
		if (take == m->data_len) {
			c->rx = m->next;
			m->next = NULL;
			m->nb_segs = 1;
			rte_pktmbuf_free_seg(m);
		} else {
			m->data_off = (uint16_t)(m->data_off + take);
			m->data_len = (uint16_t)(m->data_len - take);
		}
	}
	*readbytes = done;
	if (done > 0)
		return 1;
	if (!(c->flags & TLS_F_EOF))
		BIO_set_retry_read(b);
	return 0;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls_conn *c = BIO_get_data(b);

	if (c != NULL && c->kind == TLS_K_CONN) {
		bool handled;
		long rc = tls_rec_bio_ctrl(c, cmd, num, ptr, &handled);

		if (handled)
			return rc;
	}
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;                    /* tx goes out when the call returns */
	case BIO_CTRL_EOF:
		return c != NULL && c->kind == TLS_K_CONN && c->rx == NULL &&
		       (c->flags & TLS_F_EOF);
	case BIO_CTRL_PENDING:
		return c != NULL && c->kind == TLS_K_CONN ? (long)c->rx_len : 0;
	case BIO_CTRL_WPENDING:
		return 0;
	default:
		return 0;
	}
}

static int
bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int
bio_destroy(BIO *b)
{
	BIO_set_data(b, NULL);
	return 1;
}

BIO *
tls_bio_new(struct tls_conn *conn)
{
	BIO *b;

	if (tls_bio_method == NULL) {
		/* made on the main thread, at start (tls_worker_init) */
		tls_bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
					      "turnpike dp/tcp");
		if (tls_bio_method == NULL ||
		    !BIO_meth_set_write_ex(tls_bio_method, bio_write) ||
		    !BIO_meth_set_read_ex(tls_bio_method, bio_read) ||
		    !BIO_meth_set_ctrl(tls_bio_method, bio_ctrl) ||
		    !BIO_meth_set_create(tls_bio_method, bio_create) ||
		    !BIO_meth_set_destroy(tls_bio_method, bio_destroy))
			return NULL;
	}
	if (conn == NULL)
		return NULL;
	b = BIO_new(tls_bio_method);
	if (b != NULL)
		BIO_set_data(b, conn);
	return b;
}

void
tls_bio_method_free(void)
{
	BIO_meth_free(tls_bio_method);
	tls_bio_method = NULL;
}
