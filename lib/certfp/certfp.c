/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Certificate fingerprints in SDP's form (RFC 8122 §5) and the
 * AKA-asserted server-certificate token. See certfp.h.
 *
 * RFC 8122 §5:
 *   attribute   = "fingerprint" ":" hash-func SP fingerprint
 *   hash-func   = "sha-1" / "sha-224" / "sha-256" / "sha-384" /
 *                 "sha-512" / "md5" / "md2" / token
 *   fingerprint = 2UHEX *(":" 2UHEX)
 * "A certificate fingerprint MUST be computed using the same one-way hash
 * function as is used in the certificate's signature algorithm" was
 * RFC 4572's rule; RFC 8122 drops it: any hash the endpoints support, and
 * never md2 or md5. The hash is over the certificate's DER.
 *
 * Several fingerprints (RFC 8122 §5): "An endpoint MUST select the set of
 * fingerprints that use its most preferred hash function (out of those
 * offered by the peer) and verify that each certificate used matches one
 * fingerprint out of that set." Ours is the strongest offered, so a
 * weaker hash signalled beside it is never compared: were a match on any
 * hash taken, the check would be only as strong as the weakest hash in
 * the list (sha-1, whose collisions are practical), and a certificate
 * named by its sha-1 alone would pass beside the sha-256 of the one
 * meant (certfp_match()). sha-1 as the strongest is the caller's choice
 * (CERTFP_MATCH_ALLOW_SHA1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certfp.h"

static const struct {
	const char *name;
	unsigned int len;
} algs[] = {
	[CERTFP_SHA1] = { "sha-1", 20 },
	[CERTFP_SHA256] = { "sha-256", 32 },
	[CERTFP_SHA384] = { "sha-384", 48 },
	[CERTFP_SHA512] = { "sha-512", 64 },
};

#define NALGS (sizeof(algs) / sizeof(algs[0]))

static bool
alg_ok(unsigned int alg)
{
	return alg >= CERTFP_SHA1 && alg < NALGS;
}

const char *
certfp_alg_name(enum certfp_alg alg)
{
	return alg_ok(alg) ? algs[alg].name : NULL;
}

unsigned int
certfp_alg_len(enum certfp_alg alg)
{
	return alg_ok(alg) ? algs[alg].len : 0;
}

static const EVP_MD *
alg_md(enum certfp_alg alg)
{
	switch (alg) {
	case CERTFP_SHA1:
		return EVP_sha1();
	case CERTFP_SHA256:
		return EVP_sha256();
	case CERTFP_SHA384:
		return EVP_sha384();
	case CERTFP_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

/* RFC 4566 §9 token-char: %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 /
 * %x41-5A / %x5E-7E */
static bool
token_char(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b ||
	       c == 0x2d || c == 0x2e || (c >= 0x30 && c <= 0x39) ||
	       (c >= 0x41 && c <= 0x5a) || (c >= 0x5e && c <= 0x7e);
}

static bool
name_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(s, name, len) == 0;
}

int
certfp_alg_parse(const char *name, size_t len)
{
	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!token_char((unsigned char)name[i]))
			return -EINVAL;
	for (unsigned int a = CERTFP_SHA1; a < NALGS; a++)
		if (name_is(name, len, algs[a].name))
			return (int)a;
	return -ENOTSUP;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

#define WHY(s) do { if (why != NULL) *why = (s); } while (0)

int
certfp_parse(const char *s, size_t len, struct certfp *out, const char **why)
{
	const char *sp, *p, *end;
	unsigned int n;
	int alg;

	memset(out, 0, sizeof(*out));
	WHY("");
	if (s == NULL || len == 0) {
		WHY("empty");
		return -EINVAL;
	}
	if (len > CERTFP_STR_MAX - 1) {
		WHY("longer than any fingerprint (sha-512's is 199 characters)");
		return -EINVAL;
	}
	sp = memchr(s, ' ', len);
	if (sp == NULL) {
		WHY("no space between the hash function and the fingerprint");
		return -EINVAL;
	}
	alg = certfp_alg_parse(s, (size_t)(sp - s));
	if (alg == -ENOTSUP) {
		if (name_is(s, (size_t)(sp - s), "md5") || name_is(s, (size_t)(sp - s), "md2"))
			WHY("md2 and md5 must not be used (RFC 8122 section 5)");
		else
			WHY("hash function not supported (sha-1, sha-256, sha-384, sha-512)");
		return -ENOTSUP;
	}
	if (alg < 0) {
		WHY("the hash function is not a token");
		return -EINVAL;
	}
	n = algs[alg].len;
	p = sp + 1;
	end = s + len;
	/* exactly n pairs, n - 1 colons: 3n - 1 characters */
	if ((size_t)(end - p) != 3u * n - 1u) {
		WHY("not as many hex pairs as the hash gives, or not one space");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n; i++, p += 3) {
		int hi = hexval((unsigned char)p[0]), lo = hexval((unsigned char)p[1]);

		if (hi < 0 || lo < 0) {
			WHY("a byte that is not two hex digits");
			return -EINVAL;
		}
		if (i + 1 < n && p[2] != ':') {
			WHY("bytes not separated by one ':'");
			return -EINVAL;
		}
		out->md[i] = (uint8_t)(hi << 4 | lo);
	}
	out->alg = (uint8_t)alg;
	out->len = (uint8_t)n;
	return 0;
}

int
certfp_format(const struct certfp *fp, char *buf, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t nl, need;
	char *p;

	if (!alg_ok(fp->alg) || fp->len != algs[fp->alg].len)
		return -EINVAL;
	nl = strlen(algs[fp->alg].name);
	need = nl + 1 + 3u * fp->len;   /* the last ':' becomes the NUL */
	if (size < need)
		return -ENOSPC;
	memcpy(buf, algs[fp->alg].name, nl);
	p = buf + nl;
	*p++ = ' ';
	for (unsigned int i = 0; i < fp->len; i++) {
		*p++ = hex[fp->md[i] >> 4];
		*p++ = hex[fp->md[i] & 15];
		*p++ = ':';
	}
	p[-1] = '\0';
	return (int)(need - 1);
}

int
certfp_of_der(const uint8_t *der, size_t len, enum certfp_alg alg, struct certfp *out)
{
	const EVP_MD *md = alg_md(alg);
	unsigned int n = 0;

	memset(out, 0, sizeof(*out));
	if (md == NULL || der == NULL || len == 0)
		return -EINVAL;
	if (!EVP_Digest(der, len, out->md, &n, md, NULL) || n != algs[alg].len) {
		ERR_clear_error();
		return -EIO;
	}
	out->alg = (uint8_t)alg;
	out->len = (uint8_t)n;
	return 0;
}

int
certfp_of_x509(const X509 *x, enum certfp_alg alg, struct certfp *out)
{
	unsigned char *der = NULL;
	int len, rc;

	memset(out, 0, sizeof(*out));
	if (x == NULL || alg_md(alg) == NULL)
		return -EINVAL;
	len = i2d_X509(x, &der);
	if (len <= 0) {
		ERR_clear_error();
		return -EIO;
	}
	rc = certfp_of_der(der, (size_t)len, alg, out);
	OPENSSL_free(der);
	return rc;
}

/* The first certificate of a PEM file, or NULL with err. */
static X509 *
pem_first(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL) {
		snprintf(err, errlen, "%s: no PEM certificate in it", path);
		ERR_clear_error();
	}
	return x;
}

int
certfp_of_pem_file(const char *path, enum certfp_alg alg, struct certfp *out,
		   char *err, size_t errlen)
{
	X509 *x;
	int rc;

	memset(out, 0, sizeof(*out));
	if (alg_md(alg) == NULL) {
		snprintf(err, errlen, "not a hash function we take");
		return -EINVAL;
	}
	x = pem_first(path, err, errlen);
	if (x == NULL)
		return -EINVAL;
	rc = certfp_of_x509(x, alg, out);
	if (rc < 0)
		snprintf(err, errlen, "%s: cannot hash its certificate", path);
	X509_free(x);
	return rc;
}

bool
certfp_equal(const struct certfp *a, const struct certfp *b)
{
	return alg_ok(a->alg) && a->alg == b->alg && a->len == b->len &&
	       a->len == algs[a->alg].len && CRYPTO_memcmp(a->md, b->md, a->len) == 0;
}

int
certfp_strongest(const struct certfp *want, unsigned int n)
{
	unsigned int best = 0;

	if (want == NULL || n == 0)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int a = want[i].alg;

		if (!alg_ok(a) || want[i].len != algs[a].len)
			return -EINVAL;
		if (a > best)
			best = a;
	}
	return (int)best;
}

int
certfp_match(const struct certfp *want, unsigned int n, const X509 *x,
	     unsigned int flags, struct certfp *seen)
{
	struct certfp have;
	int alg, found = -ENOENT;

	if (seen != NULL)
		memset(seen, 0, sizeof(*seen));
	alg = certfp_strongest(want, n);
	if (alg < 0 || x == NULL || (flags & ~CERTFP_MATCH_ALLOW_SHA1) != 0)
		return -EINVAL;
	if (certfp_of_x509(x, (enum certfp_alg)alg, &have) < 0)
		return -EIO;
	if (seen != NULL)
		*seen = have;
	if (alg == CERTFP_SHA1 && !(flags & CERTFP_MATCH_ALLOW_SHA1))
		return -EPERM;
	/* every one of that hash compared (constant time each), the first
	 * match kept */
	for (unsigned int i = 0; i < n; i++)
		if (want[i].alg == alg && certfp_equal(&want[i], &have) && found < 0)
			found = (int)i;
	return found;
}

int
certfp_der_of_pem_file(const char *path, uint8_t **der, size_t *len, char *err,
		       size_t errlen)
{
	unsigned char *buf = NULL;
	X509 *x;
	int n;

	*der = NULL;
	*len = 0;
	x = pem_first(path, err, errlen);
	if (x == NULL)
		return -EINVAL;
	n = i2d_X509(x, &buf);
	X509_free(x);
	if (n <= 0) {
		ERR_clear_error();
		snprintf(err, errlen, "%s: cannot encode its certificate", path);
		return -EIO;
	}
	*der = malloc((size_t)n);
	if (*der == NULL) {
		OPENSSL_free(buf);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(*der, buf, (size_t)n);
	OPENSSL_free(buf);
	*len = (size_t)n;
	return 0;
}

int
certfp_aka_token(const uint8_t ik[CERTFP_AKA_IK_LEN], const uint8_t *der, size_t len,
		 uint8_t out[CERTFP_AKA_TOKEN_LEN])
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (HMAC(EVP_sha1(), ik, CERTFP_AKA_IK_LEN, der, len, mac, &n) == NULL || n != 20) {
		ERR_clear_error();
		return -EIO;
	}
	memcpy(out, mac, CERTFP_AKA_TOKEN_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

int
certfp_aka_verify(const uint8_t ik[CERTFP_AKA_IK_LEN], const uint8_t *der, size_t len,
		  const uint8_t tok[CERTFP_AKA_TOKEN_LEN])
{
	uint8_t want[CERTFP_AKA_TOKEN_LEN];
	int rc = certfp_aka_token(ik, der, len, want);

	if (rc < 0)
		return rc;
	rc = CRYPTO_memcmp(want, tok, CERTFP_AKA_TOKEN_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

int
certfp_hex_decode(const char *s, size_t len, uint8_t *out, size_t n)
{
	if (len != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
