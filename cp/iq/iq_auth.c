/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq's authentication header (iq_auth.h): H.248.1 §10.2 with RFC
 * 2402's fields, HMAC through OpenSSL 3's EVP_MAC.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "h248.h"
#include "iq_auth.h"
#include "tp_conf.h"

const char *
iq_auth_why_name(unsigned int why)
{
	static const char *const names[IQ_AUTH__COUNT] = {
		[IQ_AUTH_OK] = "ok",
		[IQ_AUTH_NO_HEADER] = "no_header",
		[IQ_AUTH_SPI] = "spi",
		[IQ_AUTH_REPLAY] = "replay",
		[IQ_AUTH_ICV] = "icv",
	};

	return why < IQ_AUTH__COUNT ? names[why] : "?";
}

int
iq_sa_init(struct iq_sa *sa, const struct tp_conf_iq_auth *a, const uint8_t *key, size_t keylen)
{
	char digest[16];
	OSSL_PARAM params[2];
	EVP_MAC *mac;

	*sa = (struct iq_sa){ 0 };
	snprintf(digest, sizeof(digest), "%s", a->alg == TP_IQ_HMAC_SHA256_128 ? "SHA256" : "SHA1");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL)
		return -ENOMEM;
	sa->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (sa->mac == NULL)
		return -ENOMEM;
	if (keylen == 0 || EVP_MAC_init(sa->mac, key, keylen, params) != 1) {
		iq_sa_fini(sa);
		return -EINVAL;
	}
	sa->on = true;
	sa->anti_replay = a->anti_replay;
	sa->alg = a->alg;
	/* RFC 2404 §2: 96 bits of SHA-1's 160; RFC 4868 §2.1.1: 128 of
	 * SHA-256's 256 */
	sa->icv_len = a->alg == TP_IQ_HMAC_SHA256_128 ? 16 : 12;
	sa->spi = a->spi;
	return 0;
}

void
iq_sa_fini(struct iq_sa *sa)
{
	EVP_MAC_CTX_free(sa->mac);      /* (OpenSSL cleanses the key it held) */
	*sa = (struct iq_sa){ 0 };
}

int
iq_auth_icv(const struct iq_sa *sa, uint32_t src, uint32_t dst, uint16_t dport,
	    const uint8_t *body, size_t len, uint8_t *icv)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char ip[24];
	size_t mdlen = 0;
	EVP_MAC_CTX *c;
	int ok;

	/* the synthesized IP header (§10.2): 32-bit source, 32-bit
	 * destination, 16-bit destination port, as 20 hex digits */
	snprintf(ip, sizeof(ip), "%08X%08X%04X", (unsigned int)src, (unsigned int)dst,
		 (unsigned int)dport);
	c = EVP_MAC_CTX_dup(sa->mac);
	if (c == NULL)
		return -EIO;
	ok = EVP_MAC_init(c, NULL, 0, NULL) == 1 &&
	     EVP_MAC_update(c, (const unsigned char *)ip, 20) == 1 &&
	     EVP_MAC_update(c, body, len) == 1 &&
	     EVP_MAC_final(c, md, &mdlen, sizeof(md)) == 1 && mdlen >= sa->icv_len;
	EVP_MAC_CTX_free(c);
	if (!ok)
		return -EIO;
	memcpy(icv, md, sa->icv_len);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/* Where msg's body begins (past the mId's separator), or -1. */
static long
body_of(const uint8_t *msg, size_t len, struct h248_tree *t)
{
	struct h248_err err;

	int rc = h248_parse_head(t, (const char *)msg, len, &err);

	/* (a version above 3 has its header read: it is answered 406, so it
	 * is authenticated as any other) */
	if (rc < 0 && rc != -EPROTONOSUPPORT)
		return -1;
	return t->body_off > 0 && t->body_off <= len ? (long)t->body_off : -1;
}

int
iq_auth_sign(struct iq_sa *sa, uint32_t src, uint32_t dst, uint16_t dport, const uint8_t *msg,
	     size_t len, char *hdr, size_t size)
{
	uint8_t icv[IQ_AUTH_ICV_MAX];
	struct h248_tree t;
	long body = body_of(msg, len, &t);
	int n;

	if (body < 0 || t.auth.len != 0)
		return -EINVAL;
	if (sa->tx_seq == UINT32_MAX)
		return -EOVERFLOW;
	if (iq_auth_icv(sa, src, dst, dport, msg + body, len - (size_t)body, icv) < 0)
		return -EIO;
	sa->tx_seq++;
	n = snprintf(hdr, size, "Authentication = 0x%08X:0x%08X:0x", (unsigned int)sa->spi,
		     (unsigned int)sa->tx_seq);
	for (unsigned int i = 0; n > 0 && i < sa->icv_len; i++)
		n += snprintf(hdr + n, size > (size_t)n ? size - (size_t)n : 0, "%02X", icv[i]);
	if (n < 0 || (size_t)n + 1 >= size)
		return -EINVAL;
	hdr[n++] = '\n';
	hdr[n] = '\0';
	return n;
}

bool
iq_replay_ok(const struct iq_sa *sa, uint32_t seq)
{
	uint32_t back;

	if (seq == 0)
		return false;         /* RFC 2402 §3.3.2: the first is 1 */
	if (seq > sa->rx_top)
		return true;
	back = sa->rx_top - seq;
	return back < IQ_REPLAY_WINDOW && !((sa->rx_seen >> back) & 1u);
}

void
iq_replay_mark(struct iq_sa *sa, uint32_t seq)
{
	if (seq > sa->rx_top) {
		uint32_t ahead = seq - sa->rx_top;

		sa->rx_seen = ahead >= IQ_REPLAY_WINDOW ? 0 : sa->rx_seen << ahead;
		sa->rx_seen |= 1u;
		sa->rx_top = seq;
	} else {
		sa->rx_seen |= (uint64_t)1 << (sa->rx_top - seq);
	}
}

enum iq_auth_why
iq_auth_check(struct iq_sa *sa, uint32_t src, uint32_t dst, uint16_t dport, const uint8_t *msg,
	      size_t len)
{
	uint8_t got[32], want[IQ_AUTH_ICV_MAX];
	uint32_t spi, seq;
	struct h248_tree t;
	size_t glen;
	long body = body_of(msg, len, &t);

	if (body < 0 || h248_auth_fields(&t, &spi, &seq, got, sizeof(got), &glen) == -ENOENT)
		return IQ_AUTH_NO_HEADER;
	if (spi != sa->spi)
		return IQ_AUTH_SPI;
	/* (RFC 2402 §3.4.3: the window is checked before the check value,
	 * which is the costly part, and moved only after it held) */
	if (sa->anti_replay && !iq_replay_ok(sa, seq))
		return IQ_AUTH_REPLAY;
	if (glen != sa->icv_len ||
	    iq_auth_icv(sa, src, dst, dport, msg + body, len - (size_t)body, want) < 0 ||
	    CRYPTO_memcmp(got, want, sa->icv_len) != 0)
		return IQ_AUTH_ICV;
	if (sa->anti_replay)
		iq_replay_mark(sa, seq);
	return IQ_AUTH_OK;
}

int
iq_auth_read_key(const char *path, uid_t owner, uint8_t alg, uint8_t *key, uint8_t *keylen,
		 char *warn, size_t warnlen, char *err, size_t errlen)
{
	char buf[2 * TP_CONF_IQ_KEY_MAX + 4];
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd, e;

	if (warnlen > 0)
		warn[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s%s", path, strerror(e),
			 e == ELOOP ? " (a symbolic link: give the file itself)" : "");
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s is not a regular file", path);
		return -EINVAL;
	}
	if (owner != (uid_t)-1 && st.st_uid != 0 && st.st_uid != owner) {
		close(fd);
		snprintf(err, errlen, "%s belongs to uid %u, not to root or uid %u "
			 "(turnpike-cp's): refused (chown it)", path, (unsigned int)st.st_uid,
			 (unsigned int)owner);
		return -EPERM;
	}
	/* one who may write the key may sign as the controller */
	if ((st.st_mode & 022) != 0) {
		close(fd);
		snprintf(err, errlen, "%s may be written by %s (mode %04o): refused (chmod 600 "
			 "%s)", path, (st.st_mode & 002) ? "everyone" : "its group",
			 (unsigned int)(st.st_mode & 07777), path);
		return -EPERM;
	}
	if ((st.st_mode & 044) != 0)
		snprintf(warn, warnlen, "%s holds an iq.auth key and %s may read it (mode "
			 "%04o): chmod 600 %s", path, (st.st_mode & 004) ? "everyone on this host" :
			 "its group", (unsigned int)(st.st_mode & 07777), path);
	while (got < sizeof(buf)) {
		r = read(fd, buf + got, sizeof(buf) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got > 0 && buf[got - 1] == '\n')
		got--;
	if (got > 0 && buf[got - 1] == '\r')
		got--;
	e = got < sizeof(buf) - 2 ? tp_conf_iq_key_hex(buf, got, alg, key, keylen) : -EINVAL;
	OPENSSL_cleanse(buf, sizeof(buf));
	if (e < 0) {
		snprintf(err, errlen, "%s must hold the key as one line of hex, %d to %u bytes "
			 "(%d to %u digits)", path, alg == TP_IQ_HMAC_SHA256_128 ? 32 : 20,
			 TP_CONF_IQ_KEY_MAX, alg == TP_IQ_HMAC_SHA256_128 ? 64 : 40,
			 2 * TP_CONF_IQ_KEY_MAX);
		return -EINVAL;
	}
	return 0;
}
