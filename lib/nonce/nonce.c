/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stateless, unforgeable nonces (RFC 8489 §9.2, §9.2.4, §18.1; RFC 8656 §5).
 *
 *   nonce = "obMatJos2" F1F2F3F4 B1..B32            (45 characters)
 *
 * "obMatJos2" is the nonce cookie; F1..F4 is the standard base64 of the
 * 24-bit security feature set, big-endian, with the bits numbered as
 * verified erratum EID 6290 does (bit 0 = least significant): "AAAB" for
 * Password algorithms, "AAAC" for Username anonymity, "AAAD" for both.
 * B1..B32 is the standard base64 (24 bytes, so no '=') of
 *
 *   expiry (u32, big-endian, CLOCK_MONOTONIC seconds) || salt (4 bytes) ||
 *   HMAC-SHA256(K, features(3) || expiry || salt || transport(1) ||
 *               family(1) || port(2) || IP(4 or 16))[0..16)
 *
 * (port 0 over TCP: a client's connections share its nonce.)
 *
 * K is cp's (RAND_bytes, drawn when it starts); dp gets a copy through the
 * shared segment. Nothing is remembered: a nonce verifies only for the
 * address and transport it was made for, until its expiry, and only
 * under the key of the cp that made it (a restarted cp answers 438 once;
 * clients retry). So it proves return routability, as a TCP SYN cookie
 * does: a source that sends it back received it at that address.
 *
 * The salt makes every nonce new (RFC 8656 §5: a new nonce per
 * Allocate). It only has to differ between nonces: it is under the MAC,
 * so a counter seeded once from RAND_bytes does. (RAND_bytes per nonce
 * cost cp a getpid() system call each time, OpenSSL's fork check: 2.8 us
 * on the benchmark VM, more than the rest of a challenge.) The features
 * sit under the MAC so that a client cannot be bid down (RFC 8489 §9.2: a
 * changed cookie no longer verifies). Parsing is lenient: anything that
 * is not exactly this shape is just not ours, never a parse error.
 *
 * The HMAC context is keyed once (nonce_ctx_set()) and re-initialised
 * with the same key for each nonce (EVP_MAC_init() without a key keeps
 * the inner and outer pads): 265 ns a MAC on the benchmark VM against
 * 610 ns keying it every time.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include "nonce.h"
#include "stun.h"

#define BODY_LEN   24u    /* expiry 4 + salt 4 + MAC 16 */
#define MAC_LEN    16u
#define FEAT_CHARS 4u
#define BODY_CHARS 32u

int
nonce_ctx_init(struct nonce_ctx *nc)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	char digest[8];
	OSSL_PARAM params[2];

	memset(nc, 0, sizeof(*nc));
	if (mac == NULL)
		return -ENOMEM;
	nc->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);    /* the context keeps its own reference */
	if (nc->mac == NULL)
		return -ENOMEM;
	strcpy(digest, "SHA256");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(nc->mac, params)) {
		EVP_MAC_CTX_free(nc->mac);
		nc->mac = NULL;
		return -ENOMEM;
	}
	return 0;
}

void
nonce_ctx_fini(struct nonce_ctx *nc)
{
	EVP_MAC_CTX_free(nc->mac);
	OPENSSL_cleanse(nc, sizeof(*nc));
}

int
nonce_ctx_set(struct nonce_ctx *nc, const uint8_t key[NONCE_KEY_LEN],
	      uint32_t features, uint32_t lifetime_s, const char *realm,
	      size_t realm_len, const char *software, size_t software_len)
{
	nc->keyed = false;
	if (nc->mac == NULL || lifetime_s == 0 || lifetime_s > 3600 ||
	    features > 0xffffffu || realm == NULL || realm_len == 0 ||
	    realm_len > NONCE_REALM_MAX ||
	    (software != NULL && software_len > NONCE_SOFTWARE_MAX) ||
	    realm_len + (software != NULL ? software_len : 0) > NONCE_STRINGS_MAX)
		return -EINVAL;
	if (!EVP_MAC_init(nc->mac, key, NONCE_KEY_LEN, NULL))
		return -EIO;
	memcpy(nc->key, key, NONCE_KEY_LEN);
	nc->features = features;
	nc->lifetime_s = lifetime_s;
	memcpy(nc->realm, realm, realm_len);
	nc->realm[realm_len] = '\0';
	nc->realm_len = (uint16_t)realm_len;
	nc->has_software = software != NULL;
	nc->software_len = software != NULL ? (uint16_t)software_len : 0;
	if (software != NULL)
		memcpy(nc->software, software, software_len);
	nc->software[nc->software_len] = '\0';
	nc->keyed = true;
	return 0;
}

int
nonce_ctx_set_server_name(struct nonce_ctx *nc, const char *name, size_t len)
{
	if (len > NONCE_SERVER_NAME_MAX || (len > 0 && name == NULL))
		return -EINVAL;
	if (len > 0)
		memcpy(nc->server_name, name, len);
	nc->server_name[len] = '\0';
	nc->server_name_len = (uint16_t)len;
	return 0;
}

int
nonce_tenant_key(const uint8_t key[NONCE_KEY_LEN], unsigned int tenant,
		 uint8_t out[NONCE_KEY_LEN])
{
	static const char label[] = "turnpike nonce tenant";
	uint8_t in[sizeof(label) + 4];
	unsigned int outlen = 0;

	if (tenant == 0) {
		memcpy(out, key, NONCE_KEY_LEN);
		return 0;
	}
	memcpy(in, label, sizeof(label));
	in[sizeof(label)] = (uint8_t)(tenant >> 24);
	in[sizeof(label) + 1] = (uint8_t)(tenant >> 16);
	in[sizeof(label) + 2] = (uint8_t)(tenant >> 8);
	in[sizeof(label) + 3] = (uint8_t)tenant;
	if (HMAC(EVP_sha256(), key, NONCE_KEY_LEN, in, sizeof(in), out, &outlen) == NULL ||
	    outlen != NONCE_KEY_LEN)
		return -EIO;
	return 0;
}

static int
nonce_mac(struct nonce_ctx *nc, const uint8_t feat[3], const uint8_t body[8],
	  const struct stun_addr *from, uint8_t transport, uint8_t out[32])
{
	uint8_t in[3 + 8 + 1 + 1 + 2 + 16];
	size_t n = 0, outlen = 0, alen = from->family == STUN_AF_IPV4 ? 4 : 16;

	memcpy(in + n, feat, 3);
	n += 3;
	memcpy(in + n, body, 8);
	n += 8;
	in[n++] = transport;
	in[n++] = from->family;
	/* Over TCP (and TLS) the port is not bound: the handshake already
	 * proved the address routable, and a client's connections share a
	 * nonce (RFC 6062 §5.4: a ConnectionBind comes on a new connection,
	 * from a new port, with the nonce the control connection got) */
	in[n++] = transport == STUN_TRANSPORT_TCP ? 0 : (uint8_t)(from->port >> 8);
	in[n++] = transport == STUN_TRANSPORT_TCP ? 0 : (uint8_t)from->port;
	memcpy(in + n, from->ip, alen);
	n += alen;
	/* No key: the one nonce_ctx_set() gave, pads kept. */
	if (!nc->keyed || !EVP_MAC_init(nc->mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(nc->mac, in, n) ||
	    !EVP_MAC_final(nc->mac, out, &outlen, 32) || outlen != 32)
		return -EIO;
	return 0;
}

int
nonce_make(struct nonce_ctx *nc, const struct stun_addr *from,
	   uint8_t transport, uint64_t now_s, char *out)
{
	uint8_t feat[3], body[BODY_LEN], mac[32];
	uint64_t exp64 = now_s + nc->lifetime_s;
	uint32_t expiry = exp64 > UINT32_MAX ? UINT32_MAX : (uint32_t)exp64;
	uint32_t salt = nc->salt++;

	feat[0] = (uint8_t)(nc->features >> 16);
	feat[1] = (uint8_t)(nc->features >> 8);
	feat[2] = (uint8_t)nc->features;
	body[0] = (uint8_t)(expiry >> 24);
	body[1] = (uint8_t)(expiry >> 16);
	body[2] = (uint8_t)(expiry >> 8);
	body[3] = (uint8_t)expiry;
	memcpy(body + 4, &salt, 4);    /* any order: it only has to differ */
	if (nonce_mac(nc, feat, body, from, transport, mac) < 0)
		return -EIO;
	memcpy(body + 8, mac, MAC_LEN);

	memcpy(out, NONCE_COOKIE, NONCE_COOKIE_LEN);
	if (EVP_EncodeBlock((unsigned char *)out + NONCE_COOKIE_LEN, feat, 3) !=
	    (int)FEAT_CHARS)
		return -EIO;
	if (EVP_EncodeBlock((unsigned char *)out + NONCE_COOKIE_LEN + FEAT_CHARS,
			    body, BODY_LEN) != (int)BODY_CHARS)
		return -EIO;
	out[NONCE_LEN] = '\0';
	return (int)NONCE_LEN;
}

/* Decode exactly nchars of standard base64 without padding or whitespace
 * into nchars / 4 * 3 bytes; false for anything else. EVP_DecodeBlock
 * tolerates surrounding whitespace, so the alphabet is checked first. */
static bool
decode_exact(const uint8_t *in, size_t nchars, uint8_t *out)
{
	uint8_t tmp[BODY_LEN + 3];

	for (size_t i = 0; i < nchars; i++) {
		uint8_t c = in[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	if (EVP_DecodeBlock(tmp, in, (int)nchars) != (int)(nchars / 4 * 3))
		return false;
	memcpy(out, tmp, nchars / 4 * 3);
	return true;
}

enum nonce_state
nonce_check(struct nonce_ctx *nc, const uint8_t *nonce, size_t len,
	    const struct stun_addr *from, uint8_t transport, uint64_t now_s,
	    uint32_t *features, uint32_t *expiry)
{
	uint8_t feat[3], body[BODY_LEN], mac[32];
	uint32_t exp;

	if (features != NULL)
		*features = 0;
	if (expiry != NULL)
		*expiry = 0;
	if (len != NONCE_LEN || memcmp(nonce, NONCE_COOKIE, NONCE_COOKIE_LEN) != 0)
		return NONCE_FOREIGN;
	if (!decode_exact(nonce + NONCE_COOKIE_LEN, FEAT_CHARS, feat) ||
	    !decode_exact(nonce + NONCE_COOKIE_LEN + FEAT_CHARS, BODY_CHARS, body))
		return NONCE_FOREIGN;
	if (nonce_mac(nc, feat, body, from, transport, mac) < 0 ||
	    CRYPTO_memcmp(mac, body + 8, MAC_LEN) != 0)
		return NONCE_FOREIGN;
	exp = ((uint32_t)body[0] << 24) | ((uint32_t)body[1] << 16) |
	      ((uint32_t)body[2] << 8) | body[3];
	if (features != NULL)
		*features = ((uint32_t)feat[0] << 16) | ((uint32_t)feat[1] << 8) |
			    feat[2];
	if (expiry != NULL)
		*expiry = exp;
	if (now_s > exp)
		return NONCE_EXPIRED;
	/* A clock stepped backwards would stretch a nonce's life: one that
	 * claims to live longer than we ever grant is stale too. A second
	 * of slack: dp's seconds (TSC between re-anchorings) may run a
	 * little ahead of cp's, and a nonce dp made must not meet a 438. */
	if ((uint64_t)exp - now_s > (uint64_t)nc->lifetime_s + 1u)
		return NONCE_EXPIRED;
	return NONCE_VALID;
}

int
nonce_challenge_build(struct nonce_ctx *nc, uint16_t code, uint16_t method,
		      const uint8_t *tid, const struct stun_addr *from,
		      uint8_t transport, uint64_t now_s, uint8_t *buf, size_t cap)
{
	static const uint16_t pwalgs[] = NONCE_PWALGS;
	char nonce[NONCE_LEN + 1];
	struct stun_builder b;

	if (code != STUN_ERR_UNAUTHENTICATED && code != STUN_ERR_STALE_NONCE)
		return -EINVAL;
	if (nonce_make(nc, from, transport, now_s, nonce) < 0)
		return -EIO;
	stun_build_init(&b, buf, cap, stun_msg_type(method, STUN_CLASS_ERROR), tid);
	stun_build_error(&b, code, NULL);
	stun_build_attr(&b, STUN_ATTR_REALM, nc->realm, nc->realm_len);
	stun_build_attr(&b, STUN_ATTR_NONCE, nonce, NONCE_LEN);
	/* §9.2.5: a client that sees the bit without the attribute must not
	 * retry, so the attribute goes wherever the bit does. */
	if (nc->features & NONCE_FEAT_PASSWORD_ALGORITHMS)
		stun_build_pwalgs(&b, STUN_ATTR_PASSWORD_ALGORITHMS, pwalgs,
				  sizeof(pwalgs) / sizeof(pwalgs[0]));
	if (nc->has_software)
		stun_build_attr(&b, STUN_ATTR_SOFTWARE, nc->software,
				nc->software_len);
	/* RFC 7635 §6.1: a 401 says where tokens come from (the 438 is a
	 * retry with the same credentials) */
	if (code == STUN_ERR_UNAUTHENTICATED && nc->server_name_len > 0)
		stun_build_attr(&b, STUN_ATTR_THIRD_PARTY_AUTHORIZATION, nc->server_name,
				nc->server_name_len);
	if (nc->crc32 != NULL)
		stun_build_fingerprint_crc(&b, nc->crc32);
	else
		stun_build_fingerprint(&b);
	return stun_build_finish(&b);
}
