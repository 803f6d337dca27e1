/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/certfp: RFC 8122 fingerprints parsed strictly (hostile inputs
 * refused with the right error), written back in the same form, computed
 * for certificates and compared with what the openssl command says
 * (x509 -fingerprint), matched against lists; the AKA-asserted
 * server-certificate token against `openssl dgst -sha1 -mac HMAC` over
 * the certificate's DER.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certfp.h"

static char dir[64];
static char cert[128], key[128], cert2[128], key2[128];

static void
run(const char *cmd)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
	assert_int_equal(system(full), 0);
}

/* The first line a command prints (trailing line end cut). */
static void
run_out(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	assert_non_null(fgets(out, (int)size, p));
	assert_int_equal(pclose(p), 0);
	out[strcspn(out, "\r\n")] = '\0';
}

static int
setup(void **state)
{
	char cmd[768];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tp-certfp-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert2, sizeof(cert2), "%s/cert2.pem", dir);
	snprintf(key2, sizeof(key2), "%s/key2.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=a.test "
		 "-keyout %s -out %s", key, cert);
	run(cmd);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
		 "-subj /CN=b.test -keyout %s -out %s", key2, cert2);
	run(cmd);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
	return 0;
}

static int
parse(const char *s, struct certfp *fp)
{
	const char *why = NULL;
	int rc = certfp_parse(s, strlen(s), fp, &why);

	assert_non_null(why);
	if (rc < 0)
		assert_true(why[0] != '\0');
	return rc;
}

/* "XX:XX:..." of n bytes b, b+1, ... */
static void
hexlist(char *out, unsigned int n, uint8_t b, bool lower)
{
	for (unsigned int i = 0; i < n; i++)
		out += sprintf(out, lower ? "%02x%s" : "%02X%s", (uint8_t)(b + i),
			       i + 1 < n ? ":" : "");
}

static void
test_certfp_parse_each_hash_round_trip(void **state)
{
	static const struct { const char *name; enum certfp_alg alg; unsigned int n; } h[] = {
		{ "sha-1", CERTFP_SHA1, 20 }, { "sha-256", CERTFP_SHA256, 32 },
		{ "sha-384", CERTFP_SHA384, 48 }, { "sha-512", CERTFP_SHA512, 64 },
	};
	char s[CERTFP_STR_MAX + 8], back[CERTFP_STR_MAX];
	struct certfp fp;

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		int n = sprintf(s, "%s ", h[i].name);

		hexlist(s + n, h[i].n, 0xa0, false);
		assert_int_equal(parse(s, &fp), 0);
		assert_int_equal(fp.alg, h[i].alg);
		assert_int_equal(fp.len, h[i].n);
		for (unsigned int k = 0; k < h[i].n; k++)
			assert_int_equal(fp.md[k], (uint8_t)(0xa0 + k));
		assert_int_equal(certfp_format(&fp, back, sizeof(back)), (int)strlen(s));
		assert_string_equal(back, s);
		/* the exact size fits; one less does not */
		assert_int_equal(certfp_format(&fp, back, strlen(s) + 1), (int)strlen(s));
		assert_int_equal(certfp_format(&fp, back, strlen(s)), -ENOSPC);
		assert_int_equal(certfp_alg_len(h[i].alg), h[i].n);
		assert_string_equal(certfp_alg_name(h[i].alg), h[i].name);
	}
	/* sha-512's text is the longest: CERTFP_STR_MAX with its NUL */
	assert_int_equal(strlen(s) + 1, CERTFP_STR_MAX);

	/* the hash name in any case; lower-case hex is read, upper written */
	sprintf(s, "SHA-256 ");
	hexlist(s + 8, 32, 0x0f, true);
	assert_int_equal(parse(s, &fp), 0);
	assert_int_equal(fp.alg, CERTFP_SHA256);
	assert_int_equal(fp.md[0], 0x0f);
	certfp_format(&fp, back, sizeof(back));
	assert_memory_equal(back, "sha-256 0F:10:11", 16);
	sprintf(s, "Sha-1 ");
	hexlist(s + 6, 20, 0, false);
	assert_int_equal(parse(s, &fp), 0);
	assert_int_equal(fp.alg, CERTFP_SHA1);

	/* a length that is not a C string's: the text stops at len */
	sprintf(s, "sha-1 ");
	hexlist(s + 6, 20, 0, false);
	strcat(s, "JUNK");
	assert_int_equal(certfp_parse(s, strlen(s) - 4, &fp, NULL), 0);
	assert_int_equal(certfp_parse(s, strlen(s), &fp, NULL), -EINVAL);
}

static void
test_certfp_parse_refuses_hostile_input(void **state)
{
	char good[256], s[16384];
	struct certfp fp;
	const char *why;
	size_t gl;

	(void)state;
	strcpy(good, "sha-256 ");
	hexlist(good + 8, 32, 0x10, false);
	gl = strlen(good);
	assert_int_equal(parse(good, &fp), 0);

	const char *bad[] = {
		"", " ", "sha-256", "sha-256 ", "sha-256:AB", "sha-256\tAB",
		"a=fingerprint:sha-256 AB",
	};
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &fp) != -EINVAL)
			fail_msg("'%s' was not refused as malformed", bad[i]);
		assert_int_equal(fp.alg, 0);
	}
	assert_int_equal(certfp_parse(NULL, 0, &fp, NULL), -EINVAL);

	/* one character changed, added or removed anywhere */
	struct { const char *what; size_t at; const char *put; int del; } edits[] = {
		{ "leading space", 0, " ", 0 },
		{ "two spaces", 7, " ", 0 },
		{ "trailing space", 0, " ", -1 },
		{ "trailing CRLF", 0, "\r\n", -1 },
		{ "trailing colon", 0, ":", -1 },
		{ "one byte more", 0, ":AB", -1 },
		{ "a doubled colon", 10, ":", 0 },
		{ "a dash for a colon", 10, "-", 1 },
		{ "a space for a colon", 10, " ", 1 },
		{ "a non-hex digit", 8, "G", 1 },
		{ "a non-hex digit, second", 9, "z", 1 },
		{ "a NUL inside", 12, "\0", 1 },
		{ "a high byte", 8, "\xc3", 1 },
		{ "a single digit byte", 8, "", 1 },
		{ "a byte missing", 0, "", 3 },
		{ "a colon moved", 10, "", 2 },
	};
	for (unsigned int i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		size_t at = edits[i].at, n = gl, plen = strlen(edits[i].put);

		if (edits[i].put[0] == '\0' && edits[i].del == 1 && strcmp(edits[i].what, "a NUL inside") == 0)
			plen = 1;
		if (edits[i].del < 0) {          /* append */
			memcpy(s, good, gl);
			memcpy(s + gl, edits[i].put, plen);
			n = gl + plen;
		} else if (strcmp(edits[i].what, "a byte missing") == 0) {
			memcpy(s, good, gl - 3);     /* ":XX" cut from the end */
			n = gl - 3;
		} else if (strcmp(edits[i].what, "a colon moved") == 0) {
			/* "10:11:" -> "101:1:" : same length, colon misplaced */
			memcpy(s, good, gl);
			s[10] = s[11];
			s[11] = ':';
		} else {
			memcpy(s, good, at);
			memcpy(s + at, edits[i].put, plen);
			memcpy(s + at + plen, good + at + (size_t)edits[i].del,
			       gl - at - (size_t)edits[i].del);
			n = gl + plen - (size_t)edits[i].del;
		}
		why = NULL;
		if (certfp_parse(s, n, &fp, &why) != -EINVAL)
			fail_msg("%s: '%.*s' was not refused", edits[i].what, (int)n, s);
		assert_non_null(why);
		assert_true(why[0] != '\0');
	}

	/* hashes we do not take: md2/md5 (RFC 8122: must not), sha-224, a
	 * token we do not know; not a token at all is malformed */
	strcpy(s, "md5 ");
	hexlist(s + 4, 16, 1, false);
	assert_int_equal(certfp_parse(s, strlen(s), &fp, &why), -ENOTSUP);
	assert_non_null(strstr(why, "8122"));
	strcpy(s, "MD2 ");
	hexlist(s + 4, 16, 1, false);
	assert_int_equal(parse(s, &fp), -ENOTSUP);
	strcpy(s, "sha-224 ");
	hexlist(s + 8, 28, 1, false);
	assert_int_equal(parse(s, &fp), -ENOTSUP);
	strcpy(s, "sha256 ");
	hexlist(s + 7, 32, 1, false);
	assert_int_equal(parse(s, &fp), -ENOTSUP);
	strcpy(s, "sha-2\"56 ");
	hexlist(s + 9, 32, 1, false);
	assert_int_equal(parse(s, &fp), -EINVAL);
	assert_int_equal(certfp_alg_parse("", 0), -EINVAL);
	assert_int_equal(certfp_alg_parse("sha-512", 7), CERTFP_SHA512);
	assert_int_equal(certfp_alg_parse("sha-5120", 8), -ENOTSUP);
	assert_int_equal(certfp_alg_parse("sha-51", 6), -ENOTSUP);

	/* the right hash with another's length */
	strcpy(s, "sha-1 ");
	hexlist(s + 6, 32, 1, false);
	assert_int_equal(parse(s, &fp), -EINVAL);
	strcpy(s, "sha-512 ");
	hexlist(s + 8, 48, 1, false);
	assert_int_equal(parse(s, &fp), -EINVAL);

	/* long garbage: refused on its length, quickly */
	memset(s, 'A', sizeof(s));
	memcpy(s, "sha-256 ", 8);
	assert_int_equal(certfp_parse(s, sizeof(s), &fp, &why), -EINVAL);
	assert_non_null(strstr(why, "longer"));
	memset(s, ':', sizeof(s));
	assert_int_equal(certfp_parse(s, CERTFP_STR_MAX - 1, &fp, NULL), -EINVAL);

	/* what an invalid fingerprint writes: nothing */
	memset(&fp, 0, sizeof(fp));
	assert_int_equal(certfp_format(&fp, s, sizeof(s)), -EINVAL);
	fp.alg = CERTFP_SHA256;
	fp.len = 20;
	assert_int_equal(certfp_format(&fp, s, sizeof(s)), -EINVAL);
	fp.alg = 9;
	assert_int_equal(certfp_format(&fp, s, sizeof(s)), -EINVAL);
	assert_null(certfp_alg_name(0));
	assert_null(certfp_alg_name(5));
}

/* What `openssl x509 -fingerprint -<md>` says, in our form. */
static void
openssl_fp(const char *path, const char *md, const char *name, char *out)
{
	char cmd[256], line[512];
	const char *eq;

	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -noout -fingerprint -%s", path, md);
	run_out(cmd, line, sizeof(line));
	eq = strchr(line, '=');
	assert_non_null(eq);
	sprintf(out, "%s %s", name, eq + 1);
}

static void
test_certfp_of_certificate_as_openssl_says(void **state)
{
	static const struct { const char *md, *name; enum certfp_alg alg; } h[] = {
		{ "sha1", "sha-1", CERTFP_SHA1 }, { "sha256", "sha-256", CERTFP_SHA256 },
		{ "sha384", "sha-384", CERTFP_SHA384 }, { "sha512", "sha-512", CERTFP_SHA512 },
	};
	char want[CERTFP_STR_MAX + 16], got[CERTFP_STR_MAX], err[256];
	const char *paths[] = { cert, cert2 };
	struct certfp fp, parsed, seen;

	(void)state;
	for (unsigned int p = 0; p < 2; p++)
		for (unsigned int i = 0; i < 4; i++) {
			openssl_fp(paths[p], h[i].md, h[i].name, want);
			assert_int_equal(certfp_of_pem_file(paths[p], h[i].alg, &fp, err,
							    sizeof(err)), 0);
			assert_int_equal(certfp_format(&fp, got, sizeof(got)),
					 (int)strlen(want));
			assert_string_equal(got, want);
			assert_int_equal(parse(want, &parsed), 0);
			assert_true(certfp_equal(&fp, &parsed));
		}

	/* matching a list: the index of the first that matches */
	{
		FILE *f = fopen(cert, "r");
		X509 *x;
		struct certfp list[3];

		assert_non_null(f);
		x = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
		assert_non_null(x);
		assert_int_equal(certfp_of_pem_file(cert2, CERTFP_SHA256, &list[0], err,
						    sizeof(err)), 0);
		assert_int_equal(certfp_of_pem_file(cert, CERTFP_SHA384, &list[1], err,
						    sizeof(err)), 0);
		assert_int_equal(certfp_of_pem_file(cert, CERTFP_SHA1, &list[2], err,
						    sizeof(err)), 0);
		assert_int_equal(certfp_match(list, 3, x, 0, &seen), 1);
		/* seen: x with the strongest hash, the one to show in a message */
		assert_int_equal(seen.alg, CERTFP_SHA384);
		assert_true(certfp_equal(&seen, &list[1]));
		assert_int_equal(certfp_match(list, 1, x, 0, NULL), -ENOENT);
		/* one bit off: no match */
		list[1].md[47] ^= 1;
		list[2].md[0] ^= 0x80;
		assert_int_equal(certfp_match(list, 3, x, 0, NULL), -ENOENT);
		assert_int_equal(certfp_match(list, 0, x, 0, NULL), -EINVAL);
		list[0].len = 3;
		assert_int_equal(certfp_match(list, 3, x, 0, NULL), -EINVAL);
		X509_free(x);
	}

	/* files that are not certificates */
	assert_int_equal(certfp_of_pem_file("/nonexistent/c.pem", CERTFP_SHA256, &fp, err,
					    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(certfp_of_pem_file(key, CERTFP_SHA256, &fp, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "no PEM certificate"));
}

/* ---- matching: RFC 8122 section 5, the strongest hash signalled ---------- */

static X509 *
x509_of(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	return x;
}

static struct certfp
fp_of(const char *path, enum certfp_alg alg)
{
	struct certfp fp;
	char err[256];

	assert_int_equal(certfp_of_pem_file(path, alg, &fp, err, sizeof(err)), 0);
	return fp;
}

/* certfp_match() of x against list[0..n); seen, when the list is judged,
 * is x's fingerprint with the strongest hash of the list. */
static int
match(const struct certfp *list, unsigned int n, const X509 *x, unsigned int flags)
{
	struct certfp seen, want;
	int rc = certfp_match(list, n, x, flags, &seen);

	if (rc == -EINVAL) {
		assert_int_equal(seen.alg, 0);
	} else {
		assert_int_equal(seen.alg, certfp_strongest(list, n));
		assert_int_equal(certfp_of_x509(x, (enum certfp_alg)seen.alg, &want), 0);
		assert_true(certfp_equal(&seen, &want));
	}
	if (rc >= 0)
		assert_true(certfp_equal(&list[rc], &seen));
	/* without seen: the same verdict */
	assert_int_equal(certfp_match(list, n, x, flags, NULL), rc);
	return rc;
}

/* A (cert) and B (cert2): the UE's sha-256 and another certificate's
 * sha-1 signalled together; B is refused (its sha-1 is not looked at),
 * in either order. The defect this guards: any hash's match was taken,
 * so the check was only as strong as sha-1. */
static void
test_certfp_match_weaker_hash_not_looked_at(void **state)
{
	struct certfp list[2] = { fp_of(cert, CERTFP_SHA256), fp_of(cert2, CERTFP_SHA1) };
	struct certfp rev[2] = { list[1], list[0] };
	X509 *xa = x509_of(cert), *xb = x509_of(cert2);

	(void)state;
	assert_int_equal(match(list, 2, xb, 0), -ENOENT);
	assert_int_equal(match(list, 2, xa, 0), 0);
	assert_int_equal(match(rev, 2, xb, 0), -ENOENT);
	assert_int_equal(match(rev, 2, xa, 0), 1);
	/* allowing sha-1 does not make it count beside a stronger hash */
	assert_int_equal(match(list, 2, xb, CERTFP_MATCH_ALLOW_SHA1), -ENOENT);
	assert_int_equal(match(rev, 2, xb, CERTFP_MATCH_ALLOW_SHA1), -ENOENT);
	X509_free(xa);
	X509_free(xb);
}

/* sha-512 of A and sha-256 of B: only sha-512 is compared. */
static void
test_certfp_match_sha512_over_sha256(void **state)
{
	struct certfp list[2] = { fp_of(cert, CERTFP_SHA512), fp_of(cert2, CERTFP_SHA256) };
	struct certfp rev[2] = { list[1], list[0] };
	X509 *xa = x509_of(cert), *xb = x509_of(cert2);

	(void)state;
	assert_int_equal(match(list, 2, xb, 0), -ENOENT);
	assert_int_equal(match(rev, 2, xb, 0), -ENOENT);
	assert_int_equal(match(list, 2, xa, 0), 0);
	assert_int_equal(match(rev, 2, xa, 0), 1);
	X509_free(xa);
	X509_free(xb);
}

/* Several of the strongest hash: several certificates the peer may use
 * (RFC 8122 section 5); each is taken. */
static void
test_certfp_match_any_of_the_strongest(void **state)
{
	struct certfp list[3] = { fp_of(cert, CERTFP_SHA256), fp_of(cert2, CERTFP_SHA256),
				  fp_of(cert2, CERTFP_SHA1) };
	X509 *xa = x509_of(cert), *xb = x509_of(cert2);

	(void)state;
	assert_int_equal(match(list, 2, xa, 0), 0);
	assert_int_equal(match(list, 2, xb, 0), 1);
	assert_int_equal(match(list, 3, xb, 0), 1);
	list[1].md[0] ^= 1;
	assert_int_equal(match(list, 2, xb, 0), -ENOENT);
	assert_int_equal(match(list, 3, xb, 0), -ENOENT);   /* not by its sha-1 */
	X509_free(xa);
	X509_free(xb);
}

/* sha-1 alone: refused unless the caller allows it; allowed, it is
 * compared as any hash is. */
static void
test_certfp_match_sha1_only_refused_unless_allowed(void **state)
{
	struct certfp list[2] = { fp_of(cert, CERTFP_SHA1), fp_of(cert2, CERTFP_SHA1) };
	X509 *xa = x509_of(cert), *xb = x509_of(cert2);

	(void)state;
	assert_int_equal(match(list, 1, xa, 0), -EPERM);
	assert_int_equal(match(list, 2, xb, 0), -EPERM);
	assert_int_equal(match(list, 1, xa, CERTFP_MATCH_ALLOW_SHA1), 0);
	assert_int_equal(match(list, 2, xb, CERTFP_MATCH_ALLOW_SHA1), 1);
	assert_int_equal(match(list, 1, xb, CERTFP_MATCH_ALLOW_SHA1), -ENOENT);
	X509_free(xa);
	X509_free(xb);
}

/* Whatever the order of the lines: the strongest hash decides, and the
 * index returned is the matching line's. Every order of four. */
static void
test_certfp_match_any_order(void **state)
{
	const struct certfp base[4] = {
		fp_of(cert2, CERTFP_SHA1), fp_of(cert2, CERTFP_SHA256),
		fp_of(cert, CERTFP_SHA384), fp_of(cert2, CERTFP_SHA384),
	};
	X509 *xa = x509_of(cert), *xb = x509_of(cert2);
	unsigned int seen = 0;

	(void)state;
	for (unsigned int p = 0; p < 256; p++) {
		unsigned int ix[4] = { p & 3, (p >> 2) & 3, (p >> 4) & 3, (p >> 6) & 3 };
		struct certfp list[4];
		int a = -1, b = -1;

		if (ix[0] == ix[1] || ix[0] == ix[2] || ix[0] == ix[3] || ix[1] == ix[2] ||
		    ix[1] == ix[3] || ix[2] == ix[3])
			continue;
		for (unsigned int k = 0; k < 4; k++) {
			list[k] = base[ix[k]];
			if (ix[k] == 2)
				a = (int)k;
			if (ix[k] == 3)
				b = (int)k;
		}
		assert_int_equal(match(list, 4, xa, 0), a);
		assert_int_equal(match(list, 4, xb, 0), b);
		/* B's sha-384 gone: its sha-256 and sha-1 do not count */
		list[b].md[5] ^= 0x40;
		assert_int_equal(match(list, 4, xb, 0), -ENOENT);
		assert_int_equal(match(list, 4, xa, 0), a);
		seen++;
	}
	assert_int_equal(seen, 24);
	X509_free(xa);
	X509_free(xb);
}

/* A list with an entry that is not a fingerprint we take is refused
 * whole (not judged without it); so are flags we do not know. */
static void
test_certfp_match_refuses_invalid_lists(void **state)
{
	struct certfp list[2] = { fp_of(cert, CERTFP_SHA256), fp_of(cert, CERTFP_SHA512) };
	X509 *xa = x509_of(cert);

	(void)state;
	assert_int_equal(certfp_strongest(list, 2), CERTFP_SHA512);
	assert_int_equal(certfp_strongest(list, 1), CERTFP_SHA256);
	assert_int_equal(certfp_strongest(list, 0), -EINVAL);
	assert_int_equal(match(list, 2, xa, 0), 1);
	list[0].alg = 9;
	assert_int_equal(certfp_strongest(list, 2), -EINVAL);
	assert_int_equal(match(list, 2, xa, 0), -EINVAL);
	list[0].alg = 0;
	assert_int_equal(match(list, 2, xa, 0), -EINVAL);
	list[0] = fp_of(cert, CERTFP_SHA256);
	list[0].len = 20;
	assert_int_equal(match(list, 2, xa, 0), -EINVAL);
	list[0] = fp_of(cert, CERTFP_SHA256);
	assert_int_equal(match(list, 2, NULL, 0), -EINVAL);
	assert_int_equal(match(list, 0, xa, 0), -EINVAL);
	assert_int_equal(match(list, 2, xa, 0x80), -EINVAL);
	X509_free(xa);
}

static void
test_certfp_aka_token_as_openssl_dgst(void **state)
{
	static const char *iks[] = {
		"000102030405060708090a0b0c0d0e0f", "F0E1D2C3B4A5968778695A4B3C2D1E0F",
	};
	char cmd[512], line[256], hex[32], err[256];
	uint8_t ik[16], tok[12], *der;
	const char *paths[] = { cert, cert2 };
	size_t len;

	(void)state;
	for (unsigned int p = 0; p < 2; p++)
		for (unsigned int i = 0; i < 2; i++) {
			snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -outform DER | "
				 "openssl dgst -sha1 -mac HMAC -macopt hexkey:%s",
				 paths[p], iks[i]);
			run_out(cmd, line, sizeof(line));
			assert_non_null(strstr(line, "= "));
			assert_int_equal(certfp_hex_decode(iks[i], 32, ik, 16), 0);
			assert_int_equal(certfp_der_of_pem_file(paths[p], &der, &len, err,
								sizeof(err)), 0);
			assert_int_equal(certfp_aka_token(ik, der, len, tok), 0);
			for (unsigned int k = 0; k < 12; k++)
				sprintf(hex + 2 * k, "%02x", tok[k]);
			/* HMAC-SHA1-96: the first 96 bits (24 hex digits) */
			assert_memory_equal(hex, strstr(line, "= ") + 2, 24);
			assert_int_equal(certfp_aka_verify(ik, der, len, tok), 1);
			tok[11] ^= 1;
			assert_int_equal(certfp_aka_verify(ik, der, len, tok), 0);
			tok[11] ^= 1;
			ik[0] ^= 1;
			assert_int_equal(certfp_aka_verify(ik, der, len, tok), 0);
			free(der);
		}
	assert_int_equal(certfp_hex_decode("0g", 2, ik, 1), -EINVAL);
	assert_int_equal(certfp_hex_decode("00", 2, ik, 2), -EINVAL);
	assert_int_equal(certfp_hex_decode("000", 3, ik, 1), -EINVAL);
	assert_int_equal(certfp_der_of_pem_file(key, &der, &len, err, sizeof(err)), -EINVAL);
	assert_null(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_certfp_parse_each_hash_round_trip),
		cmocka_unit_test(test_certfp_parse_refuses_hostile_input),
		cmocka_unit_test(test_certfp_of_certificate_as_openssl_says),
		cmocka_unit_test(test_certfp_match_weaker_hash_not_looked_at),
		cmocka_unit_test(test_certfp_match_sha512_over_sha256),
		cmocka_unit_test(test_certfp_match_any_of_the_strongest),
		cmocka_unit_test(test_certfp_match_sha1_only_refused_unless_allowed),
		cmocka_unit_test(test_certfp_match_any_order),
		cmocka_unit_test(test_certfp_match_refuses_invalid_lists),
		cmocka_unit_test(test_certfp_aka_token_as_openssl_dgst),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
