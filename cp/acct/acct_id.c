/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stop record's id, the same whichever cp writes it: a name-based UUID
 * (RFC 9562 §5.5, version 5) of the box, cp's allocation id and the
 * allocation's start. Two cps that both write one allocation's end (the
 * one killed just after it wrote it, the next one from its journal or
 * from dp's report) give it one id, and a consumer that drops what it has
 * seen keeps one. The box is the host (machine-id), the segment dp and cp
 * share on it (two boxes on one host have two), cluster.box and the boot
 * (the kernel's boot_id): an allocation's start is CLOCK_MONOTONIC ms (dp
 * keeps it across cp) and cp's allocation ids start again too, so without
 * the boot the same pair comes back after a reboot and a consumer would
 * drop a new record as one it has seen. Within a boot no two allocations
 * share all of it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "acct.h"

/* turnpike's namespace: a v4 UUID drawn once, 7c1d6f3e-9a44-4b0e-8a51-2f6b0d9e3c18 */
static const uint8_t ns_turnpike[16] = {
	0x7c, 0x1d, 0x6f, 0x3e, 0x9a, 0x44, 0x4b, 0x0e,
	0x8a, 0x51, 0x2f, 0x6b, 0x0d, 0x9e, 0x3c, 0x18,
};

void
cp_acct_stop_id(const char *ident, uint64_t session, uint64_t created_ms, char out[37])
{
	uint8_t md[EVP_MAX_MD_SIZE], buf[sizeof(ns_turnpike) + 320];
	unsigned int mdlen = 0;
	int n;

	/* SHA-1(namespace || name), as §5.5 says */
	memcpy(buf, ns_turnpike, sizeof(ns_turnpike));
	n = snprintf((char *)buf + sizeof(ns_turnpike), sizeof(buf) - sizeof(ns_turnpike),
		     "turn/%s/%llu/%llu", ident, (unsigned long long)session,
		     (unsigned long long)created_ms);
	if (n < 0 || (size_t)n >= sizeof(buf) - sizeof(ns_turnpike))
		n = (int)(sizeof(buf) - sizeof(ns_turnpike)) - 1;
	if (EVP_Digest(buf, sizeof(ns_turnpike) + (size_t)n, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen < 16)
		memset(md, 0, sizeof(md));   /* (no SHA-1: an id still, the nil one's kin) */
	md[6] = (uint8_t)((md[6] & 0x0f) | 0x50);   /* RFC 9562 §5.5: version 5 */
	md[8] = (uint8_t)((md[8] & 0x3f) | 0x80);   /* variant 10 */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", md[0], md[1], md[2], md[3], md[4], md[5],
		 md[6], md[7], md[8], md[9], md[10], md[11], md[12], md[13], md[14], md[15]);
}

int
cp_acct_boot_id(char out[37])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	char buf[64];
	int rc = 0;

	out[0] = '\0';
	if (f == NULL)
		return -errno;
	if (fgets(buf, sizeof(buf), f) == NULL)
		rc = -EIO;
	fclose(f);
	if (rc < 0)
		return rc;
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strlen(buf) != 36)
		return -EINVAL;
	memcpy(out, buf, 37);
	return 0;
}

void
cp_acct_ident(char *out, size_t len, const char *boot, const char *ipc_name, const char *box)
{
	char host[128] = "";
	FILE *f = fopen("/etc/machine-id", "r");

	if (f != NULL) {
		if (fgets(host, sizeof(host), f) == NULL)
			host[0] = '\0';
		fclose(f);
		host[strcspn(host, "\r\n")] = '\0';
	}
	if (host[0] == '\0' && gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	snprintf(out, len, "%s/%s/%s/%s", host, ipc_name, box, boot);
}
