/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/certfp: certificate fingerprints as SDP signals them (RFC 8122 §5,
 * the a=fingerprint attribute, which RFC 4572 defined first), and the
 * AKA-asserted server-certificate token (HMAC-SHA1-96 keyed with IK over
 * the certificate's DER). No EAL: cp answers a controller with our
 * fingerprint, turnpikectl prints and checks both, dp's TLS legs compare
 * the peer's certificate with what was signalled (dp/tls/tls_leg.c).
 *
 * The text form is "<hash-func> <fingerprint>": one of sha-1, sha-256,
 * sha-384, sha-512 (case-insensitive, as ABNF literals are), one space,
 * then the digest as two hex digits per byte joined by ':' (upper-case
 * when we write it, RFC 8122's UHEX; lower-case accepted when read),
 * exactly as many bytes as the hash gives. md2 and md5 are refused
 * (RFC 8122 §5: "MUST NOT"), sha-224 and any other token are not
 * supported; nothing else is tolerated (no spaces around, no "a="
 * prefix, no trailing colon or line end).
 */
#ifndef TP_CERTFP_H
#define TP_CERTFP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

/* In order of strength: certfp_strongest() ranks by these values. */
enum certfp_alg {
	CERTFP_SHA1 = 1,
	CERTFP_SHA256,
	CERTFP_SHA384,
	CERTFP_SHA512,
};

#define CERTFP_MD_MAX 64u
/* The longest text form with its NUL: "sha-512 " and 64 "XX:" less one. */
#define CERTFP_STR_MAX (8u + 64u * 3u - 1u + 1u)

/* A fingerprint: the hash and its digest. */
struct certfp {
	uint8_t alg;                  /* enum certfp_alg; 0: none */
	uint8_t len;                  /* the digest's bytes for alg */
	uint8_t md[CERTFP_MD_MAX];
};

/* "sha-256" etc., or NULL for a value that is not an enum certfp_alg. */
const char *certfp_alg_name(enum certfp_alg alg);
/* The digest length of alg (20, 32, 48, 64), 0 for none. */
unsigned int certfp_alg_len(enum certfp_alg alg);
/* The hash named by name[0..len) (case-insensitive): its enum value, or
 * -ENOTSUP (md2, md5, sha-224, another token) or -EINVAL (empty, or not
 * a token). */
int certfp_alg_parse(const char *name, size_t len);

/*
 * Parse s[0..len) ("sha-256 AB:CD:..."; no NUL needed) into *out.
 * Returns 0, or -EINVAL (malformed) / -ENOTSUP (a hash we do not take),
 * with *why (if why is not NULL) a static sentence saying what is wrong.
 */
int certfp_parse(const char *s, size_t len, struct certfp *out, const char **why);

/* Write fp's text form (upper-case hex) into buf with its NUL. Returns
 * its length, or -EINVAL (fp not valid) / -ENOSPC (buf too small:
 * CERTFP_STR_MAX always fits). */
int certfp_format(const struct certfp *fp, char *buf, size_t size);

/* The fingerprint with alg of a certificate: of its DER bytes, of an
 * X509, or of the first certificate in a PEM file (its end-entity one,
 * as a chain file lists it). 0 or -errno; the file form says why in
 * err ("<path>: <why>"). */
int certfp_of_der(const uint8_t *der, size_t len, enum certfp_alg alg,
		  struct certfp *out);
int certfp_of_x509(const X509 *x, enum certfp_alg alg, struct certfp *out);
int certfp_of_pem_file(const char *path, enum certfp_alg alg, struct certfp *out,
		       char *err, size_t errlen);

/* a and b are the same hash and digest (constant time in the digest). */
bool certfp_equal(const struct certfp *a, const struct certfp *b);

/* The strongest hash in want[0..n) (sha-512 > sha-384 > sha-256 >
 * sha-1): its enum value, or -EINVAL when the list is empty or holds an
 * entry that is not a valid fingerprint (hash and length). */
int certfp_strongest(const struct certfp *want, unsigned int n);

/* certfp_match() flags. */
#define CERTFP_MATCH_ALLOW_SHA1 0x1u  /* sha-1 as the strongest signalled is judged */

/*
 * x is one of the certificates want[0..n) names (RFC 8122 §5): only the
 * fingerprints of the strongest hash in the list are compared (a weaker
 * hash beside it is not looked at: the check is as strong as that hash),
 * and any of them may match (several of one hash: several certificates
 * the peer may use). The order of the list does not matter.
 *
 * When sha-1 is the strongest hash signalled the list is refused, -EPERM,
 * unless flags hold CERTFP_MATCH_ALLOW_SHA1 (sha-1's collision
 * resistance is broken; a caller allows it only by an operator's choice).
 *
 * Returns the index in want of the fingerprint that matches (the first,
 * should two be equal), -ENOENT when none of the strongest hash does,
 * -EPERM as above, -EINVAL when the list is empty or holds an invalid
 * entry, x is NULL or flags hold an unknown bit, -EIO when x cannot be
 * hashed. *seen (if not NULL) gets x's fingerprint with the strongest
 * hash (for a message; zeroed on -EINVAL and -EIO).
 */
int certfp_match(const struct certfp *want, unsigned int n, const X509 *x,
		 unsigned int flags, struct certfp *seen);

/* The DER encoding of the first certificate in a PEM file: *der (free()
 * it) and *len. 0 or -errno with err as above. */
int certfp_der_of_pem_file(const char *path, uint8_t **der, size_t *len, char *err,
			   size_t errlen);

/* ---- the AKA-asserted server-certificate token ---------------------------- */

#define CERTFP_AKA_IK_LEN    16u  /* IK: 128 bits */
#define CERTFP_AKA_TOKEN_LEN 12u  /* HMAC-SHA1-96: the first 96 bits */

/* HMAC-SHA1 keyed with ik over der[0..len), its first 96 bits. 0 or -EIO. */
int certfp_aka_token(const uint8_t ik[CERTFP_AKA_IK_LEN], const uint8_t *der,
		     size_t len, uint8_t out[CERTFP_AKA_TOKEN_LEN]);
/* The token of der equals tok[0..CERTFP_AKA_TOKEN_LEN) (constant-time
 * compare): 1, 0, or -EIO. */
int certfp_aka_verify(const uint8_t ik[CERTFP_AKA_IK_LEN], const uint8_t *der,
		      size_t len, const uint8_t tok[CERTFP_AKA_TOKEN_LEN]);

/* Exactly 2 * n hex digits (either case) in s[0..len) into out[0..n).
 * 0 or -EINVAL. */
int certfp_hex_decode(const char *s, size_t len, uint8_t *out, size_t n);

#endif /* TP_CERTFP_H */
