/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl's certificate tools, offline (lib/certfp):
 *
 *   fingerprint --cert FILE [--alg sha-256]
 *       the RFC 8122 a=fingerprint value of the certificate, what the
 *       access gateway's cp answers a controller with for our
 *       certificate and what a controller signals for a peer's;
 *   aka-token --ik HEX --cert FILE [--verify TOKEN]
 *       the AKA-asserted server-certificate token of a P-CSCF: the first
 *       96 bits of HMAC-SHA1 keyed with IK (128 bits) over the
 *       certificate's DER encoding; or whether TOKEN is that token
 *       (constant-time compare).
 *
 * Neither talks to turnpike-cp. Long options only: -c, -s and -j after
 * the command are turnpikectl's own (--config, --socket, --json).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "certfp.h"
#include "ctl.h"
#include "ctl_out.h"

/* ---- fingerprint ---------------------------------------------------------- */

static void
ctl_fingerprint_usage(FILE *f, const char *path)
{
	fprintf(f,
		"Usage: %s --cert FILE [--alg ALG]\n"
		"\n"
		"Print the certificate's fingerprint as SDP's a=fingerprint attribute\n"
		"carries it (RFC 8122 section 5): the hash function, a space, the\n"
		"digest of the certificate's DER encoding in upper-case hex bytes\n"
		"joined by ':' (put \"a=fingerprint:\" in front in SDP).\n"
		"\n"
		"Options:\n"
		"  --cert FILE  a PEM file; its first certificate (the end-entity one\n"
		"               of a chain file) is hashed\n"
		"  --alg ALG    sha-1, sha-256 (default), sha-384 or sha-512\n"
		"  -h, --help   show this help and exit\n"
		"\n"
		"Output: sha-256 AB:CD:...; with --json {\"fingerprint\", \"algorithm\",\n"
		"  \"certificate\"}.\n"
		"\n"
		"Exit status: 0 printed; 1 usage error; 2 the file holds no\n"
		"certificate.\n",
		path);
}

int
ctl_fingerprint_main(const struct ctl_opts *opts, const char *path, int argc,
		     char **argv)
{
	static const struct option longopts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "alg", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cert = NULL, *alg_name = "sha-256";
	char err[512], text[CERTFP_STR_MAX];
	struct certfp fp;
	int c, alg;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cert = optarg;
			break;
		case 'a':
			alg_name = optarg;
			break;
		case 'h':
			ctl_fingerprint_usage(stdout, path);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	if (cert == NULL)
		return ctl_usage_error(path, "missing --cert FILE");
	alg = certfp_alg_parse(alg_name, strlen(alg_name));
	if (alg < 0)
		return ctl_usage_error(path, "--alg '%s': not sha-1, sha-256, sha-384 or "
				       "sha-512%s", alg_name,
				       alg == -ENOTSUP ? " (RFC 8122 forbids md2 and md5)" : "");
	if (certfp_of_pem_file(cert, (enum certfp_alg)alg, &fp, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", path, err);
		return CTL_EXIT_FAIL;
	}
	certfp_format(&fp, text, sizeof(text));
	if (opts->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "fingerprint", json_object_new_string(text));
		json_object_object_add(o, "algorithm",
				       json_object_new_string(certfp_alg_name(fp.alg)));
		json_object_object_add(o, "certificate", json_object_new_string(cert));
		ctl_put_json(o);
		json_object_put(o);
	} else {
		puts(text);
	}
	return CTL_EXIT_OK;
}

/* ---- aka-token --------------------------------------------------------------- */

static void
ctl_aka_token_usage(FILE *f, const char *path)
{
	fprintf(f,
		"Usage: %s --ik HEX --cert FILE [--verify TOKEN]\n"
		"\n"
		"The AKA-asserted server-certificate token: HMAC-SHA1-96, the first\n"
		"96 bits of HMAC-SHA1 keyed with the integrity key IK, over the\n"
		"certificate's DER encoding (the first certificate of the PEM file,\n"
		"converted to DER; not the PEM text). Printed as 24 hex digits.\n"
		"\n"
		"Options:\n"
		"  --ik HEX        IK, 128 bits: 32 hex digits; '-' reads them from\n"
		"                  standard input (keeps IK out of ps and the\n"
		"                  shell's history)\n"
		"  --cert FILE     a PEM file (the server certificate first)\n"
		"  --verify TOKEN  check TOKEN (24 hex digits) instead of printing\n"
		"                  (constant-time compare)\n"
		"  -h, --help      show this help and exit\n"
		"\n"
		"Output: the token; with --json {\"token\", \"certificate\",\n"
		"  \"der_bytes\"} or, with --verify, {\"match\"}.\n"
		"\n"
		"Exit status: 0 printed, or TOKEN matches; 1 TOKEN does not match,\n"
		"or a usage error; 2 the file holds no certificate.\n",
		path);
}

/* IK from its argument (or standard input for "-"): 0, or a usage error
 * already reported (CTL_EXIT_USAGE). */
static int
ctl_aka_ik(const char *path, const char *arg, uint8_t ik[CERTFP_AKA_IK_LEN])
{
	char line[256];
	size_t len;

	if (strcmp(arg, "-") == 0) {
		if (fgets(line, sizeof(line), stdin) == NULL)
			return ctl_usage_error(path, "--ik -: nothing on standard input");
		line[strcspn(line, "\r\n")] = '\0';
		arg = line;
	}
	len = strlen(arg);
	if (certfp_hex_decode(arg, len, ik, CERTFP_AKA_IK_LEN) < 0) {
		explicit_bzero(line, sizeof(line));
		return ctl_usage_error(path, "--ik: want 32 hex digits (128 bits), got %zu "
				       "character(s)%s", len,
				       len == 2 * CERTFP_AKA_IK_LEN ? " that are not all hex" : "");
	}
	explicit_bzero(line, sizeof(line));
	return 0;
}

int
ctl_aka_token_main(const struct ctl_opts *opts, const char *path, int argc,
		   char **argv)
{
	static const struct option longopts[] = {
		{ "ik", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'c' },
		{ "verify", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ik_arg = NULL, *cert = NULL, *verify = NULL;
	uint8_t ik[CERTFP_AKA_IK_LEN], tok[CERTFP_AKA_TOKEN_LEN], want[CERTFP_AKA_TOKEN_LEN];
	char err[512], hex[2 * CERTFP_AKA_TOKEN_LEN + 1];
	uint8_t *der = NULL;
	size_t der_len;
	int c, rc, status;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			ik_arg = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'v':
			verify = optarg;
			break;
		case 'h':
			ctl_aka_token_usage(stdout, path);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	if (ik_arg == NULL)
		return ctl_usage_error(path, "missing --ik HEX");
	if (cert == NULL)
		return ctl_usage_error(path, "missing --cert FILE");
	if (verify != NULL &&
	    certfp_hex_decode(verify, strlen(verify), want, sizeof(want)) < 0)
		return ctl_usage_error(path, "--verify: want 24 hex digits (96 bits), got "
				       "'%s'", verify);
	if (ctl_aka_ik(path, ik_arg, ik) != 0)
		return CTL_EXIT_USAGE;
	if (certfp_der_of_pem_file(cert, &der, &der_len, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", path, err);
		status = CTL_EXIT_FAIL;
		goto out;
	}
	if (verify != NULL) {
		rc = certfp_aka_verify(ik, der, der_len, want);
		if (rc < 0) {
			fprintf(stderr, "%s: HMAC-SHA1 failed\n", path);
			status = CTL_EXIT_FAIL;
			goto out;
		}
		if (opts->json)
			printf("{\"match\":%s}\n", rc == 1 ? "true" : "false");
		else if (rc == 1)
			puts("match");
		else
			fprintf(stderr, "%s: the token does not match this IK and "
				"certificate\n", path);
		/* 0 or 1, as cmp(1) and diff(1) say same or not (1 is also a
		 * usage error's status: the message on stderr tells which) */
		status = rc == 1 ? CTL_EXIT_OK : 1;
		goto out;
	}
	if (certfp_aka_token(ik, der, der_len, tok) < 0) {
		fprintf(stderr, "%s: HMAC-SHA1 failed\n", path);
		status = CTL_EXIT_FAIL;
		goto out;
	}
	for (unsigned int i = 0; i < CERTFP_AKA_TOKEN_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", tok[i]);
	if (opts->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "token", json_object_new_string(hex));
		json_object_object_add(o, "certificate", json_object_new_string(cert));
		json_object_object_add(o, "der_bytes", json_object_new_int64((int64_t)der_len));
		ctl_put_json(o);
		json_object_put(o);
	} else {
		puts(hex);
	}
	status = CTL_EXIT_OK;
out:
	explicit_bzero(ik, sizeof(ik));
	free(der);
	return status;
}
