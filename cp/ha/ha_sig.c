/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration's signature for the pair's hello (docs/design/ha.md
 * §3.1): the settings that decide what a mirrored record means (which
 * worker owns a port, which address a relayed port is on, which tenant
 * an index names), one SHA-256 digest each (its first HA_SIG_DIGEST
 * bytes) over the setting's values in a fixed order, so that two boxes
 * that differ are refused by name ("differs in turn.relay_ports") rather
 * than mirroring records the other would install wrong; and the peer
 * policies (cp.peers, the tenants' peers), by which the standby judges a
 * mirrored binding as a request's would be. Per-box settings
 * (names, the link's ends, ipc, the EAL's lcores) are not in it. The DTLS
 * certificate (agw.dtls.certificate: its file's bytes; none, dp makes
 * one each start: the word "made") joins it with the RTP records (slice
 * 7): a WebRTC peer's a=fingerprint names it, and a handshake after a
 * takeover (an ICE restart's new association) is the new box's.
 * And the link's key from its file: hex (lib/certfp's decoder).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "certfp.h"
#include "ha_link.h"
#include "tp_conf_types.h"

static void
add(struct ha_sig *s, const char *name, const void *p, size_t n)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;

	if (s->n >= HA_SIG_MAX)
		return;
	EVP_Digest(p, n, d, &dl, EVP_sha256(), NULL);
	snprintf(s->item[s->n].name, sizeof(s->item[s->n].name), "%s", name);
	memcpy(s->item[s->n].digest, d, HA_SIG_DIGEST);
	s->n++;
}

static void
add_u32s(struct ha_sig *s, const char *name, const uint32_t *v, size_t n)
{
	uint8_t b[16 * 4];

	for (size_t i = 0; i < n && i < 16; i++) {
		b[4 * i] = (uint8_t)(v[i] >> 24);
		b[4 * i + 1] = (uint8_t)(v[i] >> 16);
		b[4 * i + 2] = (uint8_t)(v[i] >> 8);
		b[4 * i + 3] = (uint8_t)v[i];
	}
	add(s, name, b, 4 * (n < 16 ? n : 16));
}

/* A peer policy's bytes into md: its classes, relay to relay, then its
 * allow and deny lists (each prefix with its NUL), in the file's order. */
static void
peers_digest(EVP_MD_CTX *md, const struct tp_conf_peers *p, bool relay_to_relay)
{
	uint8_t b[7] = { p->allow_loopback, p->allow_private, p->allow_link_local,
			 p->allow_multicast, relay_to_relay, (uint8_t)p->nallow,
			 (uint8_t)p->ndeny };

	EVP_DigestUpdate(md, b, sizeof(b));
	for (unsigned int i = 0; i < p->nallow && i < TP_CONF_MAX_PREFIXES; i++)
		EVP_DigestUpdate(md, p->allow[i], strnlen(p->allow[i], sizeof(p->allow[i])) + 1);
	for (unsigned int i = 0; i < p->ndeny && i < TP_CONF_MAX_PREFIXES; i++)
		EVP_DigestUpdate(md, p->deny[i], strnlen(p->deny[i], sizeof(p->deny[i])) + 1);
}

/* The peer policies (cp.peers, each tenant's peers or none): the standby
 * judges each mirrored binding by its own (cp_alloc_mirror_put()), so two
 * boxes that differ would hold different bindings: not paired. */
static void
add_peers(struct ha_sig *s, const char *name, const struct tp_conf *c, bool tenants)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;

	if (md == NULL || s->n >= HA_SIG_MAX || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return;
	}
	if (!tenants) {
		peers_digest(md, &c->cp.peers, c->cp.allow_relay_to_relay);
	} else {
		for (unsigned int i = 0; i < c->tenants.n && i < TP_CONF_MAX_TENANTS; i++) {
			const struct tp_conf_tenant *t = &c->tenants.t[i];
			uint8_t has = t->has_peers;

			EVP_DigestUpdate(md, &has, 1);
			if (has)
				peers_digest(md, &t->peers, t->allow_relay_to_relay);
		}
	}
	EVP_DigestFinal_ex(md, d, &dl);
	EVP_MD_CTX_free(md);
	snprintf(s->item[s->n].name, sizeof(s->item[s->n].name), "%s", name);
	memcpy(s->item[s->n].digest, d, HA_SIG_DIGEST);
	s->n++;
}

/* The DTLS certificate dp serves on RTP terminations: its file's bytes
 * (read at set-up; unreadable: its name and the word, so that a box that
 * cannot read it is not paired by chance), or "made" (dp makes one). */
static void
add_dtls_cert(struct ha_sig *s, const struct tp_conf *c)
{
	const char *path = c->agw.dtls.cert.certificate;
	static uint8_t buf[64 * 1024];
	size_t n = 0;
	FILE *f;

	if (!c->agw.enabled || path[0] == 0) {
		add(s, "agw.dtls.certificate", "made", 4);
		return;
	}
	f = fopen(path, "rb");
	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
	}
	if (n == 0) {
		int k = snprintf((char *)buf, sizeof(buf), "%s unreadable", path);

		n = k < 0 ? 0 : (size_t)k < sizeof(buf) ? (size_t)k : sizeof(buf) - 1;
	}
	add(s, "agw.dtls.certificate", buf, n);
}

void
ha_sig_make(const struct tp_conf *c, struct ha_sig *s)
{
	uint8_t ports[TP_CONF_MAX_PORTS * (4 + 1 + 4 + 1 + 16 + 1 + 2 + 2 + 2 +
					    TP_CONF_MAX_RELAY * 20)];
	uint8_t ten[TP_CONF_MAX_TENANTS * (TP_CONF_TENANT_NAME_MAX + 1 + TP_CONF_STR_LEN + 16)];
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	add_u32s(s, "dp.workers", (const uint32_t[]){ c->dp.nworkers }, 1);
	add_u32s(s, "turn.relay_ports", (const uint32_t[]){ c->turn.enabled, c->turn.relay_min,
							   c->turn.relay_max }, 3);
	add_u32s(s, "turn.listen_port", (const uint32_t[]){ c->turn.listen_port }, 1);
	/* the channels a record may carry ("rfc5766": up to 0x7FFE) */
	add_u32s(s, "turn.channels", (const uint32_t[]){ c->turn.channel_max }, 1);
	add_u32s(s, "agw.media_ports", (const uint32_t[]){ c->agw.enabled, c->agw.media_min,
							  c->agw.media_max }, 3);
	add_u32s(s, "agw.media_contexts", (const uint32_t[]){ c->agw.media_contexts }, 1);
	/* each port: its roles, addresses, relayed addresses, VLAN */
	memset(ports, 0, sizeof(ports));
	for (unsigned int i = 0; i < c->dp.nports; i++) {
		const struct tp_conf_port *p = &c->dp.ports[i];

		memcpy(ports + n, &p->roles, 4);
		n += 4;
		ports[n++] = p->has_ip4;
		memcpy(ports + n, p->ip4, 4);
		n += 4;
		ports[n++] = p->plen4;
		memcpy(ports + n, p->ip6, 16);
		n += 16;
		ports[n++] = p->has_ip6 ? p->plen6 : 0xff;
		ports[n++] = p->nrelay4;
		ports[n++] = p->nrelay6;
		memcpy(ports + n, &p->vlan, 2);
		n += 2;
		for (unsigned int k = 0; k < p->nrelay4; k++, n += 4)
			memcpy(ports + n, p->relay4[k], 4);
		for (unsigned int k = 0; k < p->nrelay6; k++, n += 16)
			memcpy(ports + n, p->relay6[k], 16);
	}
	add(s, "ports", ports, n);
	/* tenants by index: name and realm (an index in a record names one) */
	n = 0;
	for (unsigned int i = 0; i < c->tenants.n; i++) {
		size_t a = strlen(c->tenants.t[i].name) + 1, b = strlen(c->tenants.t[i].realm) + 1;

		memcpy(ten + n, c->tenants.t[i].name, a);
		n += a;
		memcpy(ten + n, c->tenants.t[i].realm, b);
		n += b;
		memcpy(ten + n, &c->tenants.t[i].relay4_mask, 8);
		n += 8;
		memcpy(ten + n, &c->tenants.t[i].relay6_mask, 8);
		n += 8;
	}
	add(s, "tenants", ten, n);
	add_peers(s, "cp.peers", c, false);
	add_peers(s, "tenants.peers", c, true);
	add_dtls_cert(s, c);
}

int
ha_key_parse(const char *hex, size_t len, uint8_t *out, size_t size)
{
	if (len % 2 != 0 || len < 2 * HA_LINK_KEY_MIN || len > 2 * HA_LINK_KEY_MAX ||
	    len / 2 > size || certfp_hex_decode(hex, len, out, len / 2) < 0)
		return -EINVAL;
	return (int)(len / 2);
}
