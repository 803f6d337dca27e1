/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the configuration loader (lib/conf, tp_conf_load()).
 * lib/conf reads a file by path (there is no loader from a buffer), so the
 * input is written to a file in a private folder and loaded from there;
 * the folder also holds inc.conf, a valid fragment, so that @include is
 * exercised. An @include of anything but a plain name in that folder
 * (an absolute path, "..", an escape) is not tried: /dev/stdin or
 * /dev/zero would hang the run without telling us anything about lib/conf.
 *
 * What must hold for any input:
 *   - tp_conf_load() returns 0 or a negative errno, never crashes, leaks
 *     or reads uninitialised memory (ASan, UBSan, LeakSanitizer);
 *   - on failure: an error string, NUL-terminated inside the buffer,
 *     naming the file it is about (ours or the included one); with a
 *     line number ("file:N: ...") whenever libconfig itself refused the
 *     syntax, and nothing left to free;
 *   - on success: a configuration within the limits the loader promises
 *     (ports, workers, relayed addresses, relay port range, EAL argv), on
 *     which what dp and cp derive from it works (tp_conf_relay_addrs(),
 *     tp_conf_worker_allocs()); then tp_conf_free() releases everything.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tp_conf.h"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];

/* TP_FUZZ_CONF_NO_DIR_INCLUDE=1: also skip '@include ""' and
 * '@include "."', which name the folder itself: libconfig 1.5's scanner
 * then exit()s the process ("input in flex scanner failed"), a known
 * finding of this target, to look past until lib/conf refuses them. */
static bool no_dir_include;

/*
 * libconfig itself (Debian's 1.5) loses the 64-byte string buffer of its
 * scanner when an @include line carries more than the file name
 * ('@include "inc.conf"a ...'): a leak inside the library, on a file it
 * refuses, that turnpike cannot free. Leaks allocated under libconfig's
 * frames are not ours to report; one from lib/conf's own code still is.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static const char inc_text[] =
	"# included by fuzz inputs\n"
	"turn = { realm = \"inc.test\"; relay_ports = [40000, 40099]; };\n";

static void
remove_dir(void)
{
	char p[128];

	unlink(path);
	snprintf(p, sizeof(p), "%s/inc.conf", dir);
	unlink(p);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[128];
	FILE *f;

	(void)argc;
	(void)argv;
	no_dir_include = getenv("TP_FUZZ_CONF_NO_DIR_INCLUDE") != NULL &&
			 strcmp(getenv("TP_FUZZ_CONF_NO_DIR_INCLUDE"), "1") == 0;
	snprintf(dir, sizeof(dir), "%s/tp-fuzz-conf.XXXXXX",
		 getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 32 ?
		 getenv("TMPDIR") : "/tmp");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/in.conf", dir);
	snprintf(p, sizeof(p), "%s/inc.conf", dir);
	f = fopen(p, "w");
	CHECK(f != NULL);
	fputs(inc_text, f);
	fclose(f);
	atexit(remove_dir);
	return 0;
}

/* Every @include names a plain file of our folder. */
static bool
includes_ok(const uint8_t *data, size_t size)
{
	static const char kw[] = "@include";
	const size_t kl = sizeof(kw) - 1;

	for (size_t i = 0; i + kl <= size; i++) {
		size_t j;

		if (memcmp(data + i, kw, kl) != 0)
			continue;
		j = i + kl;
		while (j < size && (data[j] == ' ' || data[j] == '\t'))
			j++;
		if (j >= size || data[j] != '"')
			continue;   /* not a directive libconfig takes */
		if (no_dir_include && j + 1 < size &&
		    (data[j + 1] == '"' ||
		     (data[j + 1] == '.' && j + 2 < size && data[j + 2] == '"')))
			return false;
		for (j++; j < size && data[j] != '"'; j++) {
			uint8_t ch = data[j];

			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
			      ch == '.'))
				return false;
			if (ch == '.' && j + 1 < size && data[j + 1] == '.')
				return false;
		}
	}
	return true;
}

static void
check_loaded(const struct tp_conf *c)
{
	uint8_t addrs[TP_CONF_MAX_RELAY][16];

	CHECK(c->dp.nports >= 1 && c->dp.nports <= TP_CONF_MAX_PORTS);
	CHECK(c->dp.nworkers <= TP_CONF_MAX_WORKERS);
	CHECK(c->dp.eal_argc >= 1 && c->dp.eal_argc <= TP_CONF_MAX_EAL_ARGS + 1);
	for (int i = 0; i < c->dp.eal_argc; i++)
		CHECK(c->dp.eal_argv[i] != NULL);
	for (unsigned int i = 0; i < c->dp.nports; i++) {
		const struct tp_conf_port *p = &c->dp.ports[i];

		CHECK(memchr(p->name, '\0', sizeof(p->name)) != NULL);
		CHECK(memchr(p->dev, '\0', sizeof(p->dev)) != NULL);
		CHECK(p->nrelay4 <= TP_CONF_MAX_RELAY && p->nrelay6 <= TP_CONF_MAX_RELAY);
		CHECK(p->plen4 <= 32 && p->plen6 <= 128);
	}
	if (c->turn.enabled) {
		CHECK(c->turn.relay_min >= 1 && c->turn.relay_min <= c->turn.relay_max);
		CHECK(memchr(c->turn.realm, '\0', sizeof(c->turn.realm)) != NULL);
		CHECK(memchr(c->ipc.name, '\0', sizeof(c->ipc.name)) != NULL);
		CHECK(c->cp.nusers <= TP_CONF_MAX_USERS);
		CHECK(c->cp.nsecrets <= TP_CONF_MAX_SECRETS);
	}
	CHECK(tp_conf_relay_addrs(c, 4, addrs, NULL) <= TP_CONF_MAX_RELAY);
	CHECK(tp_conf_relay_addrs(c, 6, addrs, NULL) <= TP_CONF_MAX_RELAY);
	CHECK(tp_conf_worker_allocs(c) >= 1);
	if (c->iq.enabled) {
		char w[512];

		CHECK(c->iq.nsend_from <= TP_CONF_MAX_IQ_SEND_FROM &&
		      c->iq.nauth <= c->iq.nmgc);
		for (unsigned int i = 0; i < c->iq.nsend_from; i++)
			CHECK(c->iq.send_from_mgc[i] < c->iq.nmgc);
		for (unsigned int i = 0; i < c->iq.nauth; i++)
			CHECK(c->iq.auth[i].mgc < c->iq.nmgc && c->iq.auth[i].spi >= 256 &&
			      c->iq.auth[i].keylen <= TP_CONF_IQ_KEY_MAX &&
			      (c->iq.auth[i].keylen > 0) != (c->iq.auth[i].key_file[0] != '\0'));
		CHECK(tp_conf_iq_unauthenticated(c, w, sizeof(w)) >= 0 &&
		      memchr(w, '\0', sizeof(w)) != NULL);
	}
	if (c->ng.enabled) {
		CHECK(c->agw.enabled && c->agw.media_min != 0);
		CHECK(c->ng.nallow >= 1 && c->ng.nallow <= TP_CONF_MAX_NG_ALLOW);
		for (unsigned int i = 0; i < c->ng.nallow; i++)
			CHECK((c->ng.allow[i].family == AF_INET && c->ng.allow[i].plen <= 32) ||
			      (c->ng.allow[i].family == AF_INET6 && c->ng.allow[i].plen <= 128));
		CHECK(c->ng.naccess >= 1 && c->ng.naccess <= TP_CONF_MAX_NG_IFNAMES &&
		      c->ng.ncore >= 1 && c->ng.ncore <= TP_CONF_MAX_NG_IFNAMES);
		for (unsigned int i = 0; i < c->ng.naccess; i++)
			for (unsigned int j = 0; j < c->ng.ncore; j++)
				CHECK(strcmp(c->ng.access[i], c->ng.core[j]) != 0);
		CHECK(c->ng.tenant_idx <= c->tenants.n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tp_conf conf;
	char err[512];
	FILE *f;
	int rc;

	if (!includes_ok(data, size))
		return -1;   /* not worth keeping */
	f = fopen(path, "w");
	CHECK(f != NULL);
	CHECK(fwrite(data, 1, size, f) == size);
	CHECK(fclose(f) == 0);

	memset(err, 0x5a, sizeof(err));
	rc = tp_conf_load(path, &conf, err, sizeof(err));
	if (getenv("TP_FUZZ_CONF_TRACE") != NULL)
		fprintf(stderr, "rc %d: %s\n", rc, rc == 0 ? "loaded" : err);
	if (rc == 0) {
		check_loaded(&conf);
		tp_conf_free(&conf);
		CHECK(conf.dp.eal_argc == 0);
		return 0;
	}
	CHECK(rc < 0);
	CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	CHECK(err[0] != '\0');
	/* about our file or the one it included, by name */
	CHECK(strncmp(err, path, strlen(path)) == 0 ||
	      strncmp(err, dir, strlen(dir)) == 0 ||
	      strncmp(err, "in.conf", 7) == 0 || strncmp(err, "inc.conf", 8) == 0);
	/* the memory the loader allocated was freed on failure: the
	 * EAL arguments are all NULL again */
	for (int i = 0; i < TP_CONF_MAX_EAL_ARGS + 1; i++)
		CHECK(conf.dp.eal_argv[i] == NULL);
	return 0;
}
