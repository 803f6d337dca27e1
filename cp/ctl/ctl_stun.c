/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl stun: STUN/TURN message tools for the operator.
 *
 * "stun decode" turns one STUN message, given as hex (a packet capture, a
 * log line), into JSON: class, method, transaction id, every attribute
 * with its value (addresses un-XORed, text as strings, the rest as hex,
 * plus a "decoded" member where the value has structure), and the state
 * of FINGERPRINT, MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256, checked
 * with the operator's credentials when given. It uses the relay's own
 * codec (lib/stun), so what it shows is what turnpike sees; the decoder
 * adds nothing to the codec's rules, it only presents them.
 *
 * Output contract (scripts rely on it): one JSON object on stdout; exit 0
 * for a decoded message, 2 with {"error": ...} for input that is not hex
 * or not a STUN message, 1 with a message on stderr for a bad command
 * line. Attribute "value" is always present: a string for addresses and
 * text, lowercase hex otherwise; "decoded" is extra.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "stun.h"
#include "tp_common.h"

/* Hex text we accept: a maximum-size message is 131,110 digits; leave
 * room for whitespace and line breaks of a pasted dump. */
#define CTL_STUN_MAX_INPUT   (1u << 20)
/* Short-term key: SASLprep(password) may grow it (NFKC), so be generous. */
#define CTL_STUN_KEY_CAP     1024u
#define CTL_STUN_LT_KEY_LEN  32u

/* ---- credentials --------------------------------------------------------- */

struct ctl_stun_creds {
	const char *username;
	const char *realm;
	const char *password;
};

/* Keys derived once from the command line, before any input is read. */
struct ctl_stun_keys {
	bool have;                 /* --password given */
	bool long_term;            /* with --username and --realm */
	size_t short_len;
	size_t md5_len;
	size_t sha256_len;
	uint8_t short_key[CTL_STUN_KEY_CAP];
	uint8_t md5[CTL_STUN_LT_KEY_LEN];
	uint8_t sha256[CTL_STUN_LT_KEY_LEN];
};

/* A key chosen for one check; len 0 means "cannot check". */
struct ctl_stun_key {
	const uint8_t *key;
	size_t len;
};

/* ---- json helpers: all return 0 or -ENOMEM ------------------------------ */

/* Add val under key; takes ownership of val in every case. */
static int
ctl_json_set(struct json_object *obj, const char *key, struct json_object *val)
{
	if (val == NULL)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

/* Append val to arr; takes ownership of val in every case. */
static int
ctl_json_push(struct json_object *arr, struct json_object *val)
{
	if (val == NULL)
		return -ENOMEM;
	if (json_object_array_add(arr, val) != 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

static int
ctl_json_set_int(struct json_object *obj, const char *key, int64_t v)
{
	return ctl_json_set(obj, key, json_object_new_int64(v));
}

static int
ctl_json_set_str(struct json_object *obj, const char *key, const char *s)
{
	return ctl_json_set(obj, key, json_object_new_string(s));
}

static int
ctl_json_set_bool(struct json_object *obj, const char *key, bool b)
{
	return ctl_json_set(obj, key, json_object_new_boolean(b));
}

/* Lowercase hex of buf as a JSON string, or NULL on allocation failure. */
static struct json_object *
ctl_json_hex(const uint8_t *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	struct json_object *o;
	char *s;
	size_t i;

	s = malloc(2 * len + 1);
	if (s == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[buf[i] >> 4];
		s[2 * i + 1] = digits[buf[i] & 0x0f];
	}
	s[2 * len] = '\0';
	o = json_object_new_string_len(s, (int)(2 * len));
	free(s);
	return o;
}

/*
 * Length of the well-formed UTF-8 sequence at s[0..n), or 0 when it is
 * not one (RFC 3629 §4: no overlongs, no surrogates, nothing above
 * U+10FFFF).
 */
static size_t
ctl_utf8_seq_len(const uint8_t *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Text from the wire as a JSON string. JSON must be valid UTF-8, and the
 * wire need not be: each byte that does not start a well-formed sequence
 * becomes U+FFFD and *lossy is set (the hex is then the faithful form).
 */
static struct json_object *
ctl_json_text(const uint8_t *s, size_t n, bool *lossy)
{
	struct json_object *o;
	size_t i, k, out;
	char *buf;

	*lossy = false;
	for (i = 0; i < n; i += k) {
		k = ctl_utf8_seq_len(s + i, n - i);
		if (k == 0)
			break;
	}
	if (i == n)
		return json_object_new_string_len((const char *)s, (int)n);

	*lossy = true;
	buf = malloc(3 * n);
	if (buf == NULL)
		return NULL;
	for (i = 0, out = 0; i < n; i += k) {
		k = ctl_utf8_seq_len(s + i, n - i);
		if (k == 0) {
			memcpy(buf + out, "\xef\xbf\xbd", 3);
			out += 3;
			k = 1;
		} else {
			memcpy(buf + out, s + i, k);
			out += k;
		}
	}
	o = json_object_new_string_len(buf, (int)out);
	free(buf);
	return o;
}

static int
ctl_json_print(struct json_object *obj)
{
	const char *s;

	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		return -ENOMEM;
	if (puts(s) == EOF || fflush(stdout) == EOF)
		return -EIO;
	return 0;
}

/* {"error": "..."} on stdout; returns CTL_EXIT_FAIL. */
static int
ctl_stun_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
ctl_stun_fail(const char *fmt, ...)
{
	struct json_object *o;
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);

	o = json_object_new_object();
	if (o == NULL || ctl_json_set_str(o, "error", why) != 0 ||
	    ctl_json_print(o) != 0)
		fprintf(stderr, "%s stun decode: %s\n", CTL_PROG, why);
	json_object_put(o);
	return CTL_EXIT_FAIL;
}

/* ---- names for decoded values -------------------------------------------- */

static const char *
ctl_stun_family_name(uint8_t family, char *buf, size_t size)
{
	if (family == STUN_AF_IPV4)
		return "ipv4";
	if (family == STUN_AF_IPV6)
		return "ipv6";
	snprintf(buf, size, "0x%02x", family);
	return buf;
}

/* RFC 8489 §18.5 */
static const char *
ctl_stun_pwalg_name(uint16_t alg)
{
	switch (alg) {
	case STUN_PWALG_MD5:
		return "MD5";
	case STUN_PWALG_SHA256:
		return "SHA-256";
	default:
		return NULL;
	}
}

static const char *
ctl_stun_transport_name(uint8_t proto)
{
	switch (proto) {
	case STUN_TRANSPORT_UDP:
		return "udp";
	case STUN_TRANSPORT_TCP:
		return "tcp";
	default:
		return NULL;
	}
}

static const char *
ctl_stun_check_name(enum stun_check c)
{
	switch (c) {
	case STUN_CHECK_VALID:
		return "valid";
	case STUN_CHECK_INVALID:
		return "invalid";
	case STUN_CHECK_ABSENT:
	default:
		return "absent";
	}
}

/* ---- "decoded": the structured meaning of an attribute value ------------- */

/* {"code": 401, "reason": "..."} plus "family" for ADDRESS-ERROR-CODE. */
static int
ctl_stun_dec_error(const struct stun_attr *a, struct json_object **out)
{
	struct json_object *o;
	const char *reason;
	uint16_t code, reason_len;
	uint8_t family = 0;
	char fbuf[8];
	bool lossy;
	int rc;

	if (a->type == STUN_ATTR_ADDRESS_ERROR_CODE)
		rc = stun_attr_get_addr_error(a, &family, &code, &reason,
					      &reason_len);
	else
		rc = stun_attr_get_error(a, &code, &reason, &reason_len);
	if (rc != 0)
		return 0;

	o = json_object_new_object();
	if (o == NULL)
		return -ENOMEM;
	rc = 0;
	if (a->type == STUN_ATTR_ADDRESS_ERROR_CODE)
		rc = ctl_json_set_str(o, "family",
				      ctl_stun_family_name(family, fbuf,
							   sizeof(fbuf)));
	if (rc == 0)
		rc = ctl_json_set_int(o, "code", code);
	if (rc == 0)
		rc = ctl_json_set(o, "reason",
				  ctl_json_text((const uint8_t *)reason,
						reason_len, &lossy));
	if (rc != 0) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* FINGERPRINT: what the message carries and what its bytes give. */
static int
ctl_stun_dec_fingerprint(const struct stun_msg *m, const struct stun_attr *a,
			 struct json_object **out)
{
	struct json_object *o;
	uint32_t got;
	char buf[16];
	int rc;

	if (stun_attr_get_u32(a, &got) != 0)
		return 0;
	o = json_object_new_object();
	if (o == NULL)
		return -ENOMEM;
	snprintf(buf, sizeof(buf), "0x%08" PRIx32, got);
	rc = ctl_json_set_str(o, "received", buf);
	if (rc == 0) {
		/* RFC 8489 §14.7: CRC-32 of the message up to the attribute. */
		snprintf(buf, sizeof(buf), "0x%08" PRIx32,
			 stun_fingerprint(m->buf, a->offset));
		rc = ctl_json_set_str(o, "computed", buf);
	}
	if (rc != 0) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* One algorithm as {"algorithm": 2, "name": "SHA-256"}. */
static struct json_object *
ctl_stun_pwalg_json(uint16_t alg)
{
	struct json_object *o;
	const char *name = ctl_stun_pwalg_name(alg);

	o = json_object_new_object();
	if (o == NULL)
		return NULL;
	if (ctl_json_set_int(o, "algorithm", alg) != 0 ||
	    (name != NULL && ctl_json_set_str(o, "name", name) != 0)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* UNKNOWN-ATTRIBUTES as [{"type": n, "name": "..."}], PASSWORD-ALGORITHMS
 * as [{"algorithm": n, "name": "..."}]. */
static int
ctl_stun_dec_list(const struct stun_attr *a, struct json_object **out)
{
	struct json_object *arr, *e;
	/* Each entry takes at least 2 (types) or 4 (algorithms) bytes. */
	size_t max = (size_t)a->len / 2 + 1, n = 0, i;
	bool algs = stun_attr_kind(a->type) == STUN_KIND_PWALGS;
	const char *name;
	uint16_t *v;
	char buf[8];
	int rc;

	v = calloc(max, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	if (algs)
		rc = stun_attr_get_pwalgs(a, v, max, &n);
	else
		rc = stun_attr_get_u16list(a, v, max, &n);
	if (rc != 0) {
		free(v);
		return 0;
	}
	if (n > max)
		n = max;

	arr = json_object_new_array();
	rc = arr == NULL ? -ENOMEM : 0;
	for (i = 0; rc == 0 && i < n; i++) {
		if (algs) {
			rc = ctl_json_push(arr, ctl_stun_pwalg_json(v[i]));
			continue;
		}
		e = json_object_new_object();
		name = stun_attr_name(v[i]);
		if (name == NULL) {
			snprintf(buf, sizeof(buf), "0x%04x", v[i]);
			name = buf;
		}
		if (e == NULL || ctl_json_set_int(e, "type", v[i]) != 0 ||
		    ctl_json_set_str(e, "name", name) != 0) {
			json_object_put(e);
			rc = -ENOMEM;
			break;
		}
		rc = ctl_json_push(arr, e);
	}
	free(v);
	if (rc != 0) {
		json_object_put(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

/*
 * The structured meaning of a's value in *out, or *out left NULL when a
 * has none (opaque bytes, text, addresses) or its value does not read.
 * Returns 0 or -ENOMEM.
 */
static int
ctl_stun_decoded(const struct stun_msg *m, const struct stun_attr *a,
		 struct json_object **out)
{
	struct json_object *o = NULL;
	uint32_t u32, err_data;
	uint16_t u16;
	uint8_t u8, icmp_type, icmp_code;
	const char *name;
	char buf[16];
	bool b;
	int rc = 0;

	*out = NULL;
	switch (stun_attr_kind(a->type)) {
	case STUN_KIND_U32:
		if (a->type == STUN_ATTR_FINGERPRINT)
			return ctl_stun_dec_fingerprint(m, a, out);
		/* LIFETIME (seconds), PRIORITY, CONNECTION-ID */
		if (stun_attr_get_u32(a, &u32) != 0)
			return 0;
		o = json_object_new_int64(u32);
		break;
	case STUN_KIND_ERRCODE:
	case STUN_KIND_ADDRERR:
		return ctl_stun_dec_error(a, out);
	case STUN_KIND_U16LIST:
	case STUN_KIND_PWALGS:
		return ctl_stun_dec_list(a, out);
	case STUN_KIND_CHANNEL:
		if (stun_attr_get_channel(a, &u16) != 0)
			return 0;
		snprintf(buf, sizeof(buf), "0x%04x", u16);
		o = json_object_new_string(buf);
		break;
	case STUN_KIND_FAMILY:
		if (stun_attr_get_family(a, &u8) != 0)
			return 0;
		o = json_object_new_string(ctl_stun_family_name(u8, buf,
								sizeof(buf)));
		break;
	case STUN_KIND_TRANSPORT:
		if (stun_attr_get_transport(a, &u8) != 0)
			return 0;
		o = json_object_new_object();
		if (o == NULL)
			break;
		name = ctl_stun_transport_name(u8);
		rc = ctl_json_set_int(o, "protocol", u8);
		if (rc == 0 && name != NULL)
			rc = ctl_json_set_str(o, "name", name);
		break;
	case STUN_KIND_EVENPORT:
		if (stun_attr_get_even_port(a, &b) != 0)
			return 0;
		o = json_object_new_object();
		if (o != NULL)
			rc = ctl_json_set_bool(o, "reserve", b);
		break;
	case STUN_KIND_ICMP:
		if (stun_attr_get_icmp(a, &icmp_type, &icmp_code,
				       &err_data) != 0)
			return 0;
		o = json_object_new_object();
		if (o == NULL)
			break;
		rc = ctl_json_set_int(o, "type", icmp_type);
		if (rc == 0)
			rc = ctl_json_set_int(o, "code", icmp_code);
		if (rc == 0)
			rc = ctl_json_set_int(o, "error_data", err_data);
		break;
	case STUN_KIND_PWALG:
		if (stun_attr_get_pwalg(a, &u16) != 0)
			return 0;
		o = ctl_stun_pwalg_json(u16);
		break;
	default:
		return 0;
	}
	if (o == NULL)
		return -ENOMEM;
	if (rc != 0) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* ---- one attribute ------------------------------------------------------- */

static int
ctl_stun_attr_value(const struct stun_msg *m, const struct stun_attr *a,
		    struct json_object *o)
{
	struct stun_addr addr;
	char buf[64];
	bool lossy;
	int rc;

	switch (stun_attr_kind(a->type)) {
	case STUN_KIND_ADDR:
	case STUN_KIND_XADDR:
		if (stun_attr_get_addr(m, a, &addr) != 0)
			break;
		return ctl_json_set_str(o, "value",
					stun_addr_format(&addr, buf,
							 sizeof(buf)));
	case STUN_KIND_TEXT:
		rc = ctl_json_set(o, "value",
				  ctl_json_text(a->value, a->len, &lossy));
		if (rc == 0 && lossy) {
			rc = ctl_json_set_bool(o, "invalid_utf8", true);
			if (rc == 0)
				rc = ctl_json_set(o, "value_hex",
						  ctl_json_hex(a->value,
							       a->len));
		}
		return rc;
	default:
		break;
	}
	return ctl_json_set(o, "value", ctl_json_hex(a->value, a->len));
}

static int
ctl_stun_attr_json(const struct stun_msg *m, const struct stun_attr *a,
		   struct json_object *arr)
{
	struct json_object *o, *dec = NULL;
	const char *name = stun_attr_name(a->type);
	char buf[8];
	int rc;

	if (name == NULL) {
		snprintf(buf, sizeof(buf), "0x%04x", a->type);
		name = buf;
	}
	o = json_object_new_object();
	if (o == NULL)
		return -ENOMEM;
	rc = ctl_json_set_str(o, "name", name);
	if (rc == 0)
		rc = ctl_json_set_int(o, "type", a->type);
	if (rc == 0)
		rc = ctl_stun_attr_value(m, a, o);
	if (rc == 0)
		rc = ctl_stun_decoded(m, a, &dec);
	if (rc == 0 && dec != NULL)
		rc = ctl_json_set(o, "decoded", dec);
	/* RFC 8489 §14.5: after MESSAGE-INTEGRITY, not to be processed. */
	if (rc == 0 && a->ignored)
		rc = ctl_json_set_bool(o, "ignored", true);
	if (rc != 0) {
		json_object_put(o);
		return rc;
	}
	return ctl_json_push(arr, o);
}

/* ---- integrity ----------------------------------------------------------- */

/*
 * Pick the keys for MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256.
 * Short-term: SASLprep(password) for both. Long-term (RFC 8489 §9.2.2,
 * §14.6): the key of the algorithm PASSWORD-ALGORITHM names, for both
 * checks; without PASSWORD-ALGORITHM, MD5 for MESSAGE-INTEGRITY (the RFC
 * 5389 key) and SHA-256 for MESSAGE-INTEGRITY-SHA256. An algorithm we do
 * not know leaves both unchecked.
 */
static void
ctl_stun_pick_keys(const struct stun_msg *m, const struct ctl_stun_keys *k,
		   struct ctl_stun_key *mi, struct ctl_stun_key *mi256)
{
	const struct stun_attr *pa;
	uint16_t alg;

	mi->key = mi256->key = NULL;
	mi->len = mi256->len = 0;
	if (!k->have)
		return;
	if (!k->long_term) {
		mi->key = mi256->key = k->short_key;
		mi->len = mi256->len = k->short_len;
		return;
	}
	pa = stun_msg_find(m, STUN_ATTR_PASSWORD_ALGORITHM);
	if (pa == NULL || stun_attr_get_pwalg(pa, &alg) != 0) {
		mi->key = k->md5;
		mi->len = k->md5_len;
		mi256->key = k->sha256;
		mi256->len = k->sha256_len;
		return;
	}
	if (alg == STUN_PWALG_MD5) {
		mi->key = mi256->key = k->md5;
		mi->len = mi256->len = k->md5_len;
	} else if (alg == STUN_PWALG_SHA256) {
		mi->key = mi256->key = k->sha256;
		mi->len = mi256->len = k->sha256_len;
	}
}

static const char *
ctl_stun_integrity_state(const struct stun_msg *m, uint16_t type,
			 const struct ctl_stun_key *key)
{
	enum stun_check c;

	if (stun_msg_find(m, type) == NULL)
		return "absent";
	if (key->len == 0)
		return "unchecked";
	if (type == STUN_ATTR_MESSAGE_INTEGRITY)
		c = stun_check_integrity(m, key->key, key->len);
	else
		c = stun_check_integrity_sha256(m, key->key, key->len);
	return ctl_stun_check_name(c);
}

/* ---- the whole message --------------------------------------------------- */

static int
ctl_stun_msg_json(const struct stun_msg *m, const struct ctl_stun_keys *keys,
		  struct json_object **out)
{
	struct json_object *o, *arr = NULL;
	struct ctl_stun_key mi, mi256;
	const char *method = stun_method_name(m->method);
	char buf[2 * STUN_TID_LEN + 1];
	unsigned int i;
	int rc;

	o = json_object_new_object();
	if (o == NULL)
		return -ENOMEM;
	rc = ctl_json_set_str(o, "class", stun_class_name(m->cls));
	if (method == NULL) {
		snprintf(buf, sizeof(buf), "0x%03x", m->method);
		method = buf;
	}
	if (rc == 0)
		rc = ctl_json_set_str(o, "method", method);
	if (rc == 0)
		rc = ctl_json_set(o, "transaction_id",
				  ctl_json_hex(m->tid, STUN_TID_LEN));

	if (rc == 0) {
		arr = json_object_new_array();
		rc = ctl_json_set(o, "attributes", arr);
	}
	for (i = 0; rc == 0 && i < m->nattrs; i++)
		rc = ctl_stun_attr_json(m, &m->attrs[i], arr);

	/* RFC 8489 §7.3.1: the types a server would list in a 420. */
	if (rc == 0 && m->nunknown > 0) {
		arr = json_object_new_array();
		rc = ctl_json_set(o, "unknown_comprehension_required", arr);
		for (i = 0; rc == 0 && i < m->nunknown &&
			    i < STUN_MAX_UNKNOWN; i++)
			rc = ctl_json_push(arr,
					   json_object_new_int(m->unknown[i]));
	}

	ctl_stun_pick_keys(m, keys, &mi, &mi256);
	if (rc == 0)
		rc = ctl_json_set_str(o, "fingerprint",
				      ctl_stun_check_name(
					      stun_check_fingerprint(m)));
	if (rc == 0)
		rc = ctl_json_set_str(o, "message_integrity",
				      ctl_stun_integrity_state(
					      m, STUN_ATTR_MESSAGE_INTEGRITY,
					      &mi));
	if (rc == 0)
		rc = ctl_json_set_str(o, "message_integrity_sha256",
				      ctl_stun_integrity_state(
					      m,
					      STUN_ATTR_MESSAGE_INTEGRITY_SHA256,
					      &mi256));
	if (rc != 0) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* ---- input --------------------------------------------------------------- */

/* Growable text buffer for the hex input. */
struct ctl_text {
	char *buf;
	size_t len;
	size_t cap;
};

static int
ctl_text_append(struct ctl_text *t, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (n == 0)
		return 0;
	if (n > CTL_STUN_MAX_INPUT - t->len)
		return -EFBIG;
	if (t->len + n > t->cap) {
		cap = t->cap ? t->cap : 4096;
		while (cap < t->len + n)
			cap *= 2;
		p = realloc(t->buf, cap);
		if (p == NULL)
			return -ENOMEM;
		t->buf = p;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return 0;
}

/* The hex text: the positional arguments joined by spaces (so an unquoted
 * "0001 0058 ..." works), or all of stdin when there are none. */
static int
ctl_stun_read_input(int argc, char **argv, struct ctl_text *t)
{
	char chunk[4096];
	size_t n;
	int i, rc;

	if (argc > 0) {
		for (i = 0; i < argc; i++) {
			rc = ctl_text_append(t, " ", i > 0);
			if (rc == 0)
				rc = ctl_text_append(t, argv[i],
						     strlen(argv[i]));
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		rc = ctl_text_append(t, chunk, n);
		if (rc != 0)
			return rc;
	}
	return ferror(stdin) ? -EIO : 0;
}

static int
ctl_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Hex digits and whitespace only, an even number of digits. On success
 * *out (malloc'd, caller frees) holds *out_len bytes. On -EINVAL, why
 * says what is wrong and where (offset into the text, from 0).
 */
static int
ctl_hex_decode(const char *text, size_t len, uint8_t **out, size_t *out_len,
	       char *why, size_t why_size)
{
	size_t i, digits = 0;
	uint8_t *buf;
	int v;

	*out = NULL;
	*out_len = 0;
	for (i = 0; i < len; i++) {
		if (isspace((unsigned char)text[i]))
			continue;
		if (ctl_hex_value(text[i]) < 0) {
			if (isprint((unsigned char)text[i]))
				snprintf(why, why_size,
					 "invalid hex character '%c' at input offset %zu",
					 text[i], i);
			else
				snprintf(why, why_size,
					 "invalid hex character 0x%02x at input offset %zu",
					 (unsigned char)text[i], i);
			return -EINVAL;
		}
		digits++;
	}
	if (digits == 0) {
		snprintf(why, why_size, "no hex input");
		return -EINVAL;
	}
	if (digits % 2 != 0) {
		snprintf(why, why_size, "odd number of hex digits (%zu)",
			 digits);
		return -EINVAL;
	}

	buf = malloc(digits / 2);
	if (buf == NULL)
		return -ENOMEM;
	for (i = 0, digits = 0; i < len; i++) {
		v = ctl_hex_value(text[i]);
		if (v < 0)
			continue;
		if (digits % 2 == 0)
			buf[digits / 2] = (uint8_t)(v << 4);
		else
			buf[digits / 2] |= (uint8_t)v;
		digits++;
	}
	*out = buf;
	*out_len = digits / 2;
	return 0;
}

/* ---- stun decode --------------------------------------------------------- */

static void
ctl_stun_decode_usage(FILE *f, const char *path)
{
	fprintf(f,
		"Usage: %s [OPTIONS] [HEX...]\n"
		"\n"
		"Decode one STUN/TURN message and print it as JSON.\n"
		"\n"
		"HEX is the whole message (20-byte header included) in hex;\n"
		"whitespace and line breaks are ignored, several arguments are\n"
		"joined. Without HEX, the hex is read from standard input.\n"
		"\n"
		"Options:\n"
		"  -p, --password P  check MESSAGE-INTEGRITY(-SHA256): alone,\n"
		"                    with the short-term key SASLprep(P)\n"
		"  -u, --username U  with --realm and --password: long-term key\n"
		"  -r, --realm R     (RFC 8489 §9.2.2), MD5 for MESSAGE-INTEGRITY\n"
		"                    and SHA-256 for MESSAGE-INTEGRITY-SHA256,\n"
		"                    or the one PASSWORD-ALGORITHM names\n"
		"  -h, --help        show this help and exit\n"
		"\n"
		"A password on the command line is visible to other local\n"
		"users (ps, shell history); prefer a throwaway credential.\n"
		"\n"
		"Output: {\"class\", \"method\", \"transaction_id\", \"attributes\": [\n"
		"  {\"name\", \"type\", \"value\", [\"decoded\"], [\"ignored\"]}, ...],\n"
		"  [\"unknown_comprehension_required\"], \"fingerprint\",\n"
		"  \"message_integrity\", \"message_integrity_sha256\"}\n"
		"Check states: valid, invalid, absent, unchecked (no password).\n"
		"\n"
		"Exit status: 0 decoded; 1 usage error; 2 not hex or not a\n"
		"STUN message ({\"error\": \"... at offset N\"} on stdout).\n",
		path);
}

static int
ctl_stun_derive_keys(const struct ctl_stun_creds *c, struct ctl_stun_keys *k,
		     const char *path)
{
	int rc;

	memset(k, 0, sizeof(*k));
	if (c->password == NULL)
		return 0;
	k->have = true;
	if (c->username == NULL) {
		rc = stun_key_short_term(c->password, k->short_key,
					 sizeof(k->short_key));
		if (rc < 0)
			goto fail;
		k->short_len = (size_t)rc;
		return 0;
	}
	k->long_term = true;
	rc = stun_key_long_term(STUN_PWALG_MD5, c->username, c->realm,
				c->password, k->md5);
	if (rc < 0)
		goto fail;
	k->md5_len = (size_t)rc;
	rc = stun_key_long_term(STUN_PWALG_SHA256, c->username, c->realm,
				c->password, k->sha256);
	if (rc < 0)
		goto fail;
	k->sha256_len = (size_t)rc;
	return 0;
fail:
	ctl_usage_error(path, "cannot derive a key from these credentials: %s",
			rc == -EINVAL ? "SASLprep (RFC 4013) rejects them" :
					strerror(-rc));
	return rc;
}

static int
ctl_stun_decode(const struct ctl_opts *opts, const char *path, int argc,
		char **argv)
{
	static const struct option longopts[] = {
		{ "username", required_argument, NULL, 'u' },
		{ "realm", required_argument, NULL, 'r' },
		{ "password", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_stun_creds creds = { NULL, NULL, NULL };
	struct ctl_text text = { NULL, 0, 0 };
	struct json_object *out = NULL;
	struct ctl_stun_keys *keys;
	struct stun_parse_error perr;
	struct stun_msg msg;
	uint8_t *bytes = NULL;
	size_t nbytes;
	char why[128];
	int c, rc, status;

	(void)opts;	/* output is JSON with or without --json */
	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":u:r:p:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'u':
			creds.username = optarg;
			break;
		case 'r':
			creds.realm = optarg;
			break;
		case 'p':
			creds.password = optarg;
			break;
		case 'h':
			ctl_stun_decode_usage(stdout, path);
			return CTL_EXIT_OK;
		default:
			return ctl_option_error(path, c, argv);
		}
	}
	if ((creds.username == NULL) != (creds.realm == NULL))
		return ctl_usage_error(path,
			"--username and --realm go together (long-term credentials)");
	if (creds.username != NULL && creds.password == NULL)
		return ctl_usage_error(path,
			"--username and --realm need --password");

	/* Keys are large (the short-term one is SASLprep's output) and hold
	 * secrets: keep them off the stack and wipe them afterwards. */
	keys = malloc(sizeof(*keys));
	if (keys == NULL)
		return ctl_stun_fail("out of memory");
	if (ctl_stun_derive_keys(&creds, keys, path) != 0) {
		status = CTL_EXIT_USAGE;
		goto out_free_keys;
	}

	rc = ctl_stun_read_input(argc - optind, argv + optind, &text);
	if (rc != 0) {
		status = ctl_stun_fail("%s",
			rc == -EFBIG ? "input larger than 1 MiB" :
			rc == -EIO ? "cannot read standard input" :
				     "out of memory");
		goto out_free_text;
	}
	rc = ctl_hex_decode(text.buf, text.len, &bytes, &nbytes, why,
			    sizeof(why));
	if (rc != 0) {
		status = ctl_stun_fail("%s",
				       rc == -EINVAL ? why : "out of memory");
		goto out_free_text;
	}

	perr.offset = 0;
	perr.why = NULL;
	if (stun_msg_parse(&msg, bytes, nbytes, &perr) != 0) {
		status = ctl_stun_fail("%s at offset %" PRIu32,
				       perr.why ? perr.why :
						  "not a valid STUN message",
				       perr.offset);
		goto out_free_bytes;
	}
	rc = ctl_stun_msg_json(&msg, keys, &out);
	if (rc == 0)
		rc = ctl_json_print(out);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-rc));
		status = CTL_EXIT_FAIL;
	} else {
		status = CTL_EXIT_OK;
	}
	json_object_put(out);
out_free_bytes:
	free(bytes);
out_free_text:
	free(text.buf);
out_free_keys:
	/* Not memset: the compiler may drop a store to memory about to die. */
	explicit_bzero(keys, sizeof(*keys));
	free(keys);
	return status;
}

/* ---- stun ---------------------------------------------------------------- */

static const struct ctl_cmd ctl_stun_cmds[] = {
	{ "decode", "decode one STUN message from hex, print JSON",
	  ctl_stun_decode },
};

#define CTL_STUN_NCMDS TP_ARRAY_SIZE(ctl_stun_cmds)

static void
ctl_stun_usage(FILE *f, const char *path)
{
	fprintf(f,
		"Usage: %s COMMAND [ARGS...]\n"
		"\n"
		"STUN/TURN message tools (RFC 8489, RFC 8656).\n"
		"\n"
		"Commands:\n",
		path);
	ctl_usage_commands(f, ctl_stun_cmds, CTL_STUN_NCMDS);
	fprintf(f, "\nRun '%s COMMAND --help' for a command's options.\n",
		path);
}

int
ctl_stun_main(const struct ctl_opts *opts, const char *path, int argc,
	      char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		if (c != 'h')
			return ctl_option_error(path, c, argv);
		ctl_stun_usage(stdout, path);
		return CTL_EXIT_OK;
	}
	if (optind >= argc)
		return ctl_usage_error(path, "missing command (try 'decode')");
	return ctl_dispatch(ctl_stun_cmds, CTL_STUN_NCMDS, opts, path,
			    argc - optind, argv + optind);
}
