/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl psk add|del|list: the TLS 1.3 external PSKs of dp's TLS
 * listeners. A key is never printed back, only identities.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"
#include "tp_common.h"

static const struct ctl_help psk_add_usage = {
	"[--key-hex HEX] [--cipher SUITE] [--] IDENTITY",
	"Install a TLS 1.3 external PSK (RFC 8446 §4.2.11) for IDENTITY, or\n"
	"give an existing one a new key; every dp worker takes it. Clients\n"
	"use it with (EC)DHE and see no certificate, e.g.\n"
	"  openssl s_client -tls1_3 -psk_identity IDENTITY -psk HEX ...\n"
	"\n"
	"The key (16 to 64 bytes in hex) is read from the first line of\n"
	"standard input, so that it shows in no process list:\n"
	"  turnpikectl psk add ue-0001 < ue-0001.key\n"
	"--key-hex HEX gives it on the command line instead, where other\n"
	"local users can see it (ps, shell history).\n"
	"--cipher: the TLS 1.3 suite whose hash the key is bound to:\n"
	"TLS_AES_128_GCM_SHA256 (the default, what s_client -psk uses),\n"
	"TLS_AES_256_GCM_SHA384 or TLS_CHACHA20_POLY1305_SHA256.\n"
	"The key is never printed back; 'list' shows identities only.\n",
};

/* The key's hex from the first line of stdin, blanks trimmed. */
static int
psk_read_key(char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, stdin) == NULL)
		return -EIO;
	n = strlen(buf);
	if (n == len - 1 && buf[n - 1] != '\n')
		return -E2BIG;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
			 buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return n > 0 ? 0 : -ENODATA;
}

static int
psk_add(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key-hex", required_argument, NULL, 'k' },
		{ "cipher", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cipher = NULL;
	char key[2 * 64 + 8];
	struct json_object *req;
	bool have_key = false;
	int c, status;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (strlen(optarg) >= sizeof(key))
				return ctl_usage_error(path, "--key-hex: at most 64 bytes "
						       "(128 hex digits)");
			snprintf(key, sizeof(key), "%s", optarg);
			have_key = true;
			break;
		case 'c':
			cipher = optarg;
			break;
		case 'h':
			ctl_print_help(stdout, path, &psk_add_usage);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if (argc - optind < 1)
		return ctl_usage_error(path, "missing IDENTITY");
	if (argc - optind > 1)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind + 1]);
	if (!have_key) {
		int rc = psk_read_key(key, sizeof(key));

		if (rc < 0) {
			OPENSSL_cleanse(key, sizeof(key));
			return ctl_usage_error(path, "no key: give it in hex on the first "
					       "line of standard input, or with --key-hex%s",
					       rc == -E2BIG ? " (that line is too long)" : "");
		}
	}
	req = ctl_req_str(ctl_req_str(ctl_request("psk.add"), "identity", argv[optind]),
			  "key", key);
	OPENSSL_cleanse(key, sizeof(key));
	if (cipher != NULL)
		req = ctl_req_str(req, "cipher", cipher);
	status = ctl_simple(opts, req, "added PSK ", argv[optind]);
	return status;
}

static const struct ctl_help psk_del_usage = {
	"[--] IDENTITY",
	"Remove the TLS external PSK of IDENTITY from cp and every dp worker.\n"
	"Connections made with it run on; new handshakes with it fail.\n",
};

static int
psk_del(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const char *const names[] = { "IDENTITY" };
	int status;

	status = ctl_args(path, argc, argv, &psk_del_usage, names, 1);
	if (status >= 0)
		return status;
	return ctl_simple(opts,
			  ctl_req_str(ctl_request("psk.del"), "identity", argv[optind]),
			  "deleted PSK ", argv[optind]);
}

/* IDENTITY SUITE, one line each, or "no PSKs". */
static int
psk_show(struct json_object *a)
{
	struct json_object *list, *e;
	struct ctl_table t;
	const char *row[2];
	char where[48];
	size_t i, n;
	int rc;

	rc = ctl_member(a, "psks", json_type_array, "the answer", &list);
	if (rc != 0)
		return rc;
	n = json_object_array_length(list);
	if (n == 0) {
		puts("no PSKs");
		return 0;
	}
	ctl_table_init(&t, 2, 0);
	for (i = 0; rc == 0 && i < n; i++) {
		e = json_object_array_get_idx(list, i);
		snprintf(where, sizeof(where), "\"psks\"[%zu]", i);
		if (!json_object_is_type(e, json_type_object)) {
			rc = ctl_malformed("%s is not an object", where);
			break;
		}
		rc = ctl_text(e, "identity", where, &row[0]);
		if (rc == 0)
			rc = ctl_text(e, "cipher", where, &row[1]);
		if (rc == 0)
			rc = ctl_table_row(&t, row);
	}
	if (rc == 0)
		ctl_table_print(&t, stdout);
	ctl_table_free(&t);
	return rc;
}

static const struct ctl_help psk_list_usage = {
	"",
	"List the TLS external PSKs: identity and suite, one line each (\"no\n"
	"PSKs\" when there are none); never a key. With the global --json:\n"
	"{\"psks\": [{\"identity\", \"cipher\"}...], \"ok\": true}.\n",
};

static int
psk_list(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	int status;

	status = ctl_args(path, argc, argv, &psk_list_usage, NULL, 0);
	if (status >= 0)
		return status;
	return ctl_query(opts, ctl_request("psk.list"), psk_show);
}

static const struct ctl_cmd psk_cmds[] = {
	{ "add", "install a PSK (key from stdin or --key-hex)", psk_add },
	{ "del", "remove a PSK", psk_del },
	{ "list", "list the PSKs' identities", psk_list },
};

int
ctl_psk_main(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	return ctl_group(opts, path, argc, argv, psk_cmds, TP_ARRAY_SIZE(psk_cmds),
			 "Manage the TLS 1.3 external PSKs of dp's TLS listeners.");
}
