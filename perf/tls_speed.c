/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_speed: what `openssl speed` (3.0) does not time, for perf/run's
 * bound on TLS 1.3 handshakes: the server's ECDHE key generation. A TLS
 * 1.3 server makes one key pair for the client's key share (X25519 by
 * default) and derives one shared secret from it, in every full and every
 * psk_dhe_ke handshake; `openssl speed ecdhx25519` times the derive only.
 * This times EVP_PKEY_keygen() for the group, through the same EVP
 * calls OpenSSL's TLS code makes, and the derive again beside it (a check
 * against `openssl speed`).
 *
 *   tls_speed [GROUP [SECONDS]]      GROUP X25519 (default) or P-256
 *
 * Prints one JSON object: {"group":..., "keygen_per_s":..., "derive_per_s":...}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/obj_mac.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static EVP_PKEY *
keygen(EVP_PKEY_CTX *kctx)
{
	EVP_PKEY *k = NULL;

	if (EVP_PKEY_keygen(kctx, &k) != 1)
		return NULL;
	return k;
}

int
main(int argc, char **argv)
{
	const char *group = argc > 1 ? argv[1] : "X25519";
	double secs = argc > 2 ? atof(argv[2]) : 1.0;
	EVP_PKEY_CTX *kctx;
	EVP_PKEY *peer, *mine;
	unsigned char secret[64];
	double t0, t1, kg, dv;
	unsigned long n;

	if (strcmp(group, "X25519") == 0) {
		kctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
		if (kctx == NULL || EVP_PKEY_keygen_init(kctx) != 1)
			goto fail;
	} else if (strcmp(group, "P-256") == 0) {
		kctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		if (kctx == NULL || EVP_PKEY_keygen_init(kctx) != 1 ||
		    EVP_PKEY_CTX_set_group_name(kctx, "P-256") != 1)
			goto fail;
	} else {
		fprintf(stderr, "tls_speed: group X25519 or P-256\n");
		return 2;
	}
	if (secs <= 0)
		secs = 1.0;
	peer = keygen(kctx);
	mine = keygen(kctx);
	if (peer == NULL || mine == NULL)
		goto fail;

	/* key generation, as the server's key share */
	n = 0;
	t0 = now_s();
	do {
		for (int i = 0; i < 64; i++) {
			EVP_PKEY *k = keygen(kctx);

			if (k == NULL)
				goto fail;
			EVP_PKEY_free(k);
		}
		n += 64;
		t1 = now_s();
	} while (t1 - t0 < secs);
	kg = (double)n / (t1 - t0);

	/* the derive (openssl speed's "op") */
	n = 0;
	t0 = now_s();
	do {
		for (int i = 0; i < 64; i++) {
			EVP_PKEY_CTX *d = EVP_PKEY_CTX_new(mine, NULL);
			size_t len = sizeof(secret);

			if (d == NULL || EVP_PKEY_derive_init(d) != 1 ||
			    EVP_PKEY_derive_set_peer(d, peer) != 1 ||
			    EVP_PKEY_derive(d, secret, &len) != 1)
				goto fail;
			EVP_PKEY_CTX_free(d);
		}
		n += 64;
		t1 = now_s();
	} while (t1 - t0 < secs);
	dv = (double)n / (t1 - t0);
	printf("{\"group\":\"%s\",\"keygen_per_s\":%.1f,\"derive_per_s\":%.1f,"
	       "\"secs\":%.2f}\n", group, kg, dv, secs);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(mine);
	EVP_PKEY_CTX_free(kctx);
	return 0;
fail:
	fprintf(stderr, "tls_speed: OpenSSL refused %s\n", group);
	return 1;
}
