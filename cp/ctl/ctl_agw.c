/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * turnpikectl's access-gateway commands (cp/agw through the API):
 *   agw create [--a SPEC] [--b SPEC] [--setup-timeout S] [--label TEXT]
 *              [--fingerprint-alg sha-256] [--tenant NAME | tenant=NAME]
 *   agw add-leg ID --term SPEC [--leg a|b] [--setup-timeout S] [--fingerprint-alg ALG]
 *   agw modify-leg ID --leg a|b [--remote ADDR[:PORT]] [--fp "sha-256 AB:.."]...
 *                  [--dscp N] [--police-rate B/S --police-burst B | --no-police]
 *   agw subtract-leg ID --leg a|b
 *   agw list | agw show ID | agw release ID
 *   events [--follow] [--after SEQ] [--id ID] [--until TYPE] [--timeout S]
 * Each but create takes --tenant NAME: the controller role (cp.agw_group)
 * reaches the contexts of the tenant it names only (the default tenant's
 * without it); an operator reaches every one.
 * A SPEC is one termination as comma-separated key=value pairs:
 *   tcp=client|server  tls=none|server|client  local=ADDR[:PORT]
 *   remote=ADDR[:PORT] fp="sha-256 AB:CD:..." (again for more)  cert=NAME
 *   accept_any=true (a plain server leg without remote)
 *   dscp=0..63 (our packets' DiffServ code point)
 *   police_rate=BYTES/S,police_burst=BYTES (what the peer may send)
 * An RTP leg's (rtp=avp|avpf|savp|savpf, ...) DTLS-SRTP as the peer's SDP
 * has it: dtls=actpass|active|passive (its a=setup; offer: we offer),
 * dtls_fp="sha-256 AB:..." (again for more), dtls_tls_id=, dtls_passive=,
 * dtls_allow_sha1=. Its BUNDLE (RFC 9143): bundle_mid= (its a=mid),
 * bundle_mid_ext= (the MID extension's a=extmap id), bundle_pt= and
 * bundle_ssrc= (again for more), bundle_with=ID (a member of that
 * context's owner leg; absent: this leg is a group's owner),
 * bundle_with_leg=0|1.
 * e.g. --a 'tcp=server,tls=server,local=10.210.0.1,fp=sha-256 4F:...'
 *      --b 'tcp=client,remote=10.211.0.2:5000'
 * With --json each answer is printed as cp wrote it; events prints one
 * JSON object per line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "ctl.h"
#include "ctl_out.h"
#include "ctl_req.h"
#include "tp_common.h"

/* A string of the answer, terminal-safe, after prefix. */
static void
put_str(const char *prefix, const char *s)
{
	ctl_put_safe(stdout, prefix, s, "");
}

/* What --tenant says, in each command's help but create's. */
#define TENANT_HELP \
	"--tenant NAME: as a member of cp.agw_group (the controller role), the\n" \
	"contexts of tenant NAME (default: the default tenant's); a controller\n" \
	"reaches the contexts of the JSON door and of the tenant it names only.\n" \
	"An operator reaches every context, whatever the door or tenant.\n"

/* --tenant NAME into req ("tenant"), when given; 0, or a usage error. */
static int
tenant_put(const char *path, const char *tenant, struct json_object *req)
{
	if (tenant == NULL)
		return 0;
	if (tenant[0] == '\0')
		return ctl_usage_error(path, "--tenant: a tenant's name (see 'turnpikectl "
				       "tenants')");
	json_object_object_add(req, "tenant", json_object_new_string(tenant));
	return 0;
}

/* A request's --setup-timeout (S < 0: not given) and --fingerprint-alg. */
static void
add_leg_opts(struct json_object *req, int64_t timeout, const char *alg)
{
	if (timeout >= 0)
		json_object_object_add(req, "setup_timeout", json_object_new_int64(timeout));
	if (alg != NULL)
		json_object_object_add(req, "fingerprint_alg", json_object_new_string(alg));
}

/* A decimal number in [0, max] into *v; false when s is not one. */
static bool
parse_num(const char *s, int64_t max, int64_t *v)
{
	char *end;
	long long n;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return false;
	*v = n;
	return true;
}

/* --dscp / dscp=, --police-rate / police_rate=, --police-burst /
 * police_burst=: into o ("dscp", "police"); how names the option. */
static int
qos_put(const char *path, const char *how, const char *key, const char *val,
	struct json_object *o)
{
	struct json_object *p;
	int64_t v;

	if (strcmp(key, "dscp") == 0) {
		if (!parse_num(val, 63, &v))
			return ctl_usage_error(path, "%s: dscp '%s' is not a DiffServ code point, "
					       "0 to 63 (46: EF)", how, val);
		json_object_object_add(o, "dscp", json_object_new_int((int)v));
		return 0;
	}
	if (!parse_num(val, UINT32_MAX, &v) || (strcmp(key, "burst") == 0 && v == 0))
		return ctl_usage_error(path, "%s: police %s '%s' is not %s", how, key, val,
				       strcmp(key, "rate") == 0 ?
				       "bytes a second, 0 (none) to 4294967295" :
				       "bytes, 1 to 4294967295");
	if (!json_object_object_get_ex(o, "police", &p) ||
	    !json_object_is_type(p, json_type_object)) {
		p = json_object_new_object();
		json_object_object_add(o, "police", p);
	}
	json_object_object_add(p, key, json_object_new_int64(v));
	return 0;
}

/* "police" of o: a burst needs its rate (cp says when a rate needs its
 * burst). */
static int
qos_check(const char *path, const char *how, struct json_object *o)
{
	struct json_object *p, *v;

	if (json_object_object_get_ex(o, "police", &p) && json_object_is_type(p, json_type_object) &&
	    !json_object_object_get_ex(p, "rate", &v))
		return ctl_usage_error(path, "%s: a police burst without its rate", how);
	return 0;
}

/* "tcp=server,tls=server,local=...,fp=sha-256 AB:..." into a leg object. */
static int
parse_spec(const char *path, const char *which, const char *spec, struct json_object *leg)
{
	char *copy = strdup(spec), *save = NULL, *tok;
	struct json_object *fps = json_object_new_array();
	int rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *key, *val;

		if (eq == NULL) {
			rc = ctl_usage_error(path, "--%s: '%s' is not key=value", which, tok);
			goto out;
		}
		*eq = '\0';
		key = tok;
		val = eq + 1;
		if (strcmp(key, "fp") == 0 || strcmp(key, "fingerprint") == 0) {
			json_object_array_add(fps, json_object_new_string(val));
		} else if (strcmp(key, "tcp") == 0 || strcmp(key, "tls") == 0 ||
			   strcmp(key, "local") == 0 || strcmp(key, "remote") == 0 ||
			   strcmp(key, "cert") == 0) {
			json_object_object_add(leg, key, json_object_new_string(val));
		} else if (strcmp(key, "accept_any") == 0) {
			if (strcmp(val, "true") != 0 && strcmp(val, "1") != 0 &&
			    strcmp(val, "false") != 0 && strcmp(val, "0") != 0) {
				rc = ctl_usage_error(path, "--%s: accept_any is true or false",
						     which);
				goto out;
			}
			json_object_object_add(leg, key, json_object_new_boolean(
				strcmp(val, "true") == 0 || strcmp(val, "1") == 0));
		} else if (strcmp(key, "rtp") == 0 || strcmp(key, "side") == 0 ||
			   strcmp(key, "mode") == 0 || strcmp(key, "gm") == 0 ||
			   strcmp(key, "ice_ufrag") == 0 || strcmp(key, "ice_pwd") == 0 ||
			   strcmp(key, "ice_peer_ufrag") == 0) {
			json_object_object_add(leg, key, json_object_new_string(val));
		} else if (strcmp(key, "ice") == 0) {
			/* lite (true), off (false): dp as an ICE-lite agent */
			bool on = strcmp(val, "lite") == 0 || strcmp(val, "true") == 0 ||
				  strcmp(val, "1") == 0;

			if (!on && strcmp(val, "off") != 0 && strcmp(val, "false") != 0 &&
			    strcmp(val, "0") != 0) {
				rc = ctl_usage_error(path, "--%s: ice is lite or off", which);
				goto out;
			}
			json_object_object_add(leg, key, json_object_new_string(on ? "lite" : "off"));
		} else if (strcmp(key, "latch") == 0 &&
			   (strcmp(val, "off") == 0 || strcmp(val, "relatch") == 0 ||
			    strcmp(val, "strict") == 0 || strcmp(val, "handover") == 0)) {
			/* a policy by its name (true, false: the door's default, off) */
			json_object_object_add(leg, key, json_object_new_string(val));
		} else if (strcmp(key, "rtcp_mux") == 0 || strcmp(key, "latch") == 0 ||
			   strcmp(key, "latch_signalled") == 0 || strcmp(key, "rsize") == 0) {
			bool on = strcmp(val, "true") == 0 || strcmp(val, "1") == 0;

			if (!on && strcmp(val, "false") != 0 && strcmp(val, "0") != 0) {
				rc = ctl_usage_error(path, "--%s: %s is true or false", which, key);
				goto out;
			}
			json_object_object_add(leg, key, json_object_new_boolean(on));
		} else if (strcmp(key, "remote_rtcp") == 0 || strcmp(key, "inactivity_ms") == 0 ||
			   strcmp(key, "clock_hz") == 0) {
			int64_t v;

			if (!parse_num(val, UINT32_MAX, &v)) {
				rc = ctl_usage_error(path, "--%s: %s '%s' is not a number", which, key,
						     val);
				goto out;
			}
			json_object_object_add(leg, key, json_object_new_int64(v));
		} else if (strncmp(key, "dtls", 4) == 0 &&
			   (key[4] == '\0' || strcmp(key, "dtls_fp") == 0 ||
			    strcmp(key, "dtls_tls_id") == 0 || strcmp(key, "dtls_passive") == 0 ||
			    strcmp(key, "dtls_allow_sha1") == 0)) {
			/* DTLS-SRTP as the peer's SDP has it: dtls=SETUP (actpass,
			 * active, passive; offer: we offer), dtls_fp= (again for
			 * more), dtls_tls_id=, dtls_passive=, dtls_allow_sha1= */
			struct json_object *d, *a;

			if (!json_object_object_get_ex(leg, "dtls", &d)) {
				d = json_object_new_object();
				json_object_object_add(leg, "dtls", d);
			}
			if (key[4] == '\0') {
				json_object_object_add(d, "setup", json_object_new_string(val));
			} else if (strcmp(key, "dtls_fp") == 0) {
				if (!json_object_object_get_ex(d, "fingerprints", &a)) {
					a = json_object_new_array();
					json_object_object_add(d, "fingerprints", a);
				}
				json_object_array_add(a, json_object_new_string(val));
			} else if (strcmp(key, "dtls_tls_id") == 0) {
				json_object_object_add(d, "tls_id", json_object_new_string(val));
			} else {
				bool on = strcmp(val, "true") == 0 || strcmp(val, "1") == 0;

				if (!on && strcmp(val, "false") != 0 && strcmp(val, "0") != 0) {
					rc = ctl_usage_error(path, "--%s: %s is true or false", which,
							     key);
					goto out;
				}
				json_object_object_add(d, key + 5, json_object_new_boolean(on));
			}
		} else if (strncmp(key, "bundle_", 7) == 0 &&
			   (strcmp(key, "bundle_mid") == 0 || strcmp(key, "bundle_mid_ext") == 0 ||
			    strcmp(key, "bundle_pt") == 0 || strcmp(key, "bundle_ssrc") == 0 ||
			    strcmp(key, "bundle_with") == 0 || strcmp(key, "bundle_with_leg") == 0)) {
			/* BUNDLE (RFC 9143): the leg's "bundle" object, its
			 * members by the key's tail; pt and ssrc lists */
			struct json_object *b, *a;
			int64_t v = 0;

			if (!json_object_object_get_ex(leg, "bundle", &b)) {
				b = json_object_new_object();
				json_object_object_add(leg, "bundle", b);
			}
			if (strcmp(key, "bundle_mid") == 0) {
				json_object_object_add(b, "mid", json_object_new_string(val));
				continue;
			}
			if (!parse_num(val, INT64_MAX, &v)) {
				rc = ctl_usage_error(path, "--%s: %s '%s' is not a number", which, key,
						     val);
				goto out;
			}
			if (strcmp(key, "bundle_pt") == 0 || strcmp(key, "bundle_ssrc") == 0) {
				if (!json_object_object_get_ex(b, key + 7, &a)) {
					a = json_object_new_array();
					json_object_object_add(b, key + 7, a);
				}
				json_object_array_add(a, json_object_new_int64(v));
			} else {
				json_object_object_add(b, key + 7, json_object_new_int64(v));
			}
		} else if (strcmp(key, "crypto") == 0 || strcmp(key, "our_crypto") == 0) {
			/* SUITE[:base64 key||salt] (RFC 4568's a=crypto, the remote's;
			 * ours without a key: cp makes it) */
			struct json_object *k = json_object_new_object();
			char *colon = strchr(val, ':');

			if (colon != NULL)
				*colon = '\0';
			json_object_object_add(k, "suite", json_object_new_string(val));
			if (colon != NULL)
				json_object_object_add(k, "key", json_object_new_string(colon + 1));
			json_object_object_add(leg, key, k);
		} else if (strcmp(key, "dscp") == 0 || strcmp(key, "police_rate") == 0 ||
			   strcmp(key, "police_burst") == 0) {
			char how[32];

			snprintf(how, sizeof(how), "--%s", which);
			rc = qos_put(path, how, key[0] == 'd' ? "dscp" : key + 7, val, leg);
			if (rc != 0)
				goto out;
		} else {
			rc = ctl_usage_error(path, "--%s: unknown key '%s' (tcp, tls, local, "
					     "remote, fp, cert, accept_any, dscp, police_rate, "
					     "police_burst; RTP legs: rtp, side, mode, gm, rtcp_mux, "
					     "latch, latch_signalled, rsize, remote_rtcp, "
					     "inactivity_ms, clock_hz, "
					     "crypto, our_crypto, ice, ice_ufrag, ice_pwd, "
					     "ice_peer_ufrag, dtls, dtls_fp, dtls_tls_id, "
					     "dtls_passive, dtls_allow_sha1, bundle_mid, "
					     "bundle_mid_ext, bundle_pt, bundle_ssrc, bundle_with, "
					     "bundle_with_leg)", which, key);
			goto out;
		}
	}
	{
		char how[32];

		snprintf(how, sizeof(how), "--%s", which);
		rc = qos_check(path, how, leg);
		if (rc != 0)
			goto out;
	}
	if (json_object_array_length(fps) > 0) {
		json_object_object_add(leg, "fingerprints", fps);
		fps = NULL;
	}
out:
	json_object_put(fps);
	free(copy);
	return rc;
}

/* An RTP leg's ICE: our credentials, the peer's ufrag, the nominated
 * pair, its consent, the checks. */
static void
print_rtp_ice(struct json_object *ice)
{
	struct json_object *v;

	put_str("    ice ", ctl_get_str(ice, "mode", "?"));
	put_str(" ufrag ", ctl_get_str(ice, "ufrag", "-"));
	if (ctl_get_str(ice, "pwd", NULL) != NULL)
		put_str(" pwd ", ctl_get_str(ice, "pwd", ""));
	put_str(", peer ufrag ", ctl_get_str(ice, "peer_ufrag", "-"));
	put_str(", nominated ", ctl_get_str(ice, "nominated", "-"));
	put_str(", consent ", ctl_get_str(ice, "consent", "-"));
	if (json_object_object_get_ex(ice, "last_consent_ms_ago", &v) && v != NULL)
		printf(" (last %" PRId64 " ms ago)", json_object_get_int64(v));
	printf(", checks answered %" PRId64 " refused %" PRId64 "\n",
	       ctl_get_int(ice, "checks_answered"), ctl_get_int(ice, "checks_refused"));
}

/* An RTP leg's DTLS-SRTP: ours (a=setup, the fingerprint, our tls-id),
 * the association and dp's word on it (never a key). */
static void
print_rtp_dtls(struct json_object *d)
{
	struct json_object *v;
	const char *st = ctl_get_str(d, "state", "?"), *s;

	put_str("    dtls ", st);
	if (strcmp(st, "failed") == 0) {
		printf(" (%" PRId64 " attempts)", ctl_get_int(d, "attempts"));
		ctl_put_safe(stdout, " ", ctl_get_str(d, "detail", ctl_get_str(d, "why", "?")), "");
	}
	put_str(", role ", ctl_get_str(d, "role", "?"));
	if ((s = ctl_get_str(d, "version", NULL)) != NULL)
		put_str(", ", s);
	if ((s = ctl_get_str(d, "cipher", NULL)) != NULL)
		put_str(" ", s);
	if ((s = ctl_get_str(d, "srtp_profile", NULL)) != NULL)
		put_str(", ", s);
	if (json_object_object_get_ex(d, "verified", &v) && json_object_get_boolean(v)) {
		put_str(", fingerprint ", ctl_get_str(d, "alg", "?"));
		printf(" %" PRId64 " of %" PRId64 " verified", ctl_get_int(d, "matched"),
		       ctl_get_int(d, "of"));
	}
	put_str(", peer ", ctl_get_str(d, "peer", "-"));
	printf(", assoc %" PRId64 ", cert gen %" PRId64 "\n", ctl_get_int(d, "assoc"),
	       ctl_get_int(d, "cert_gen"));
	put_str("    dtls ours: setup ", ctl_get_str(d, "setup", "?"));
	put_str(", tls-id ", ctl_get_str(d, "tls_id", "-"));
	put_str(", fingerprint ", ctl_get_str(d, "fingerprint", "-"));
	put_str("; peer's tls-id ", ctl_get_str(d, "peer_tls_id", "-"));
	printf("\n");
}

/* An RTP leg's BUNDLE (RFC 9143): its role and mid; an owner's MID
 * extension and members, a member's owner and the transport it rides. */
static void
print_rtp_bundle(struct json_object *b)
{
	struct json_object *v;
	const char *role = ctl_get_str(b, "role", "?");

	put_str("    bundle ", role);
	ctl_put_safe(stdout, " mid ", ctl_get_str(b, "mid", "?"), "");
	printf(", mid_ext %" PRId64, ctl_get_int(b, "mid_ext"));
	if (strcmp(role, "owner") == 0) {
		size_t n = json_object_object_get_ex(b, "members", &v) &&
			   json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;

		printf(", %zu member%s", n, n == 1 ? "" : "s");
		for (size_t k = 0; k < n; k++)
			printf("%s%" PRId64, k == 0 ? ": " : " ",
			       json_object_get_int64(json_object_array_get_idx(v, k)));
	} else {
		printf(", of context %" PRId64 " leg %" PRId64, ctl_get_int(b, "with"),
		       ctl_get_int(b, "with_leg"));
		put_str(", transport ", ctl_get_str(b, "transport", "-"));
	}
	printf("\n");
}

/* An RTP leg: profile, addresses, latching, ICE, the stream's counters. */
static void
print_rtp_leg(const char *name, struct json_object *l)
{
	struct json_object *st = NULL, *k;
	const char *lat;

	printf("  leg %s:", name);
	put_str(" ", ctl_get_str(l, "rtp", "?"));
	put_str(" ", ctl_get_str(l, "mode", "?"));
	put_str(" local ", ctl_get_str(l, "local", "-"));
	if (!json_object_object_get_ex(l, "rtcp_mux", &k) || !json_object_get_boolean(k))
		printf(" rtcp %" PRId64, ctl_get_int(l, "rtcp_port"));
	else
		printf(" rtcp-mux");
	put_str(" remote ", ctl_get_str(l, "remote", "-"));
	if (json_object_object_get_ex(l, "our_crypto", &k) && json_object_is_type(k, json_type_object)) {
		put_str(", srtp ", ctl_get_str(k, "suite", "?"));
		if (ctl_get_str(k, "key", NULL) != NULL)
			put_str(" our key inline:", ctl_get_str(k, "key", ""));
	}
	printf("\n");
	if (json_object_object_get_ex(l, "ice", &k) && json_object_is_type(k, json_type_object))
		print_rtp_ice(k);
	if (json_object_object_get_ex(l, "dtls", &k) && json_object_is_type(k, json_type_object))
		print_rtp_dtls(k);
	if (json_object_object_get_ex(l, "bundle", &k) && json_object_is_type(k, json_type_object))
		print_rtp_bundle(k);
	if (!json_object_object_get_ex(l, "stats", &st) || !json_object_is_type(st, json_type_object))
		return;
	lat = ctl_get_str(st, "latched_rtp", NULL);
	put_str("    latched ", lat != NULL ? lat : "-");
	printf(", rtp in %" PRId64 " (%" PRId64 " B) out %" PRId64 " (%" PRId64 " B), rtcp in %"
	       PRId64 " out %" PRId64 ", lost %" PRId64 ", jitter %" PRId64 " us, dropped "
	       "stranger %" PRId64 " malformed %" PRId64 " policed %" PRId64 ", srtp failures %"
	       PRId64 "\n", ctl_get_int(st, "rtp_in"), ctl_get_int(st, "rtp_in_octets"),
	       ctl_get_int(st, "rtp_out"), ctl_get_int(st, "rtp_out_octets"),
	       ctl_get_int(st, "rtcp_in"), ctl_get_int(st, "rtcp_out"), ctl_get_int(st, "lost"),
	       ctl_get_int(st, "jitter_us"), ctl_get_int(st, "drop_stranger"),
	       ctl_get_int(st, "drop_malformed"), ctl_get_int(st, "drop_policed"),
	       ctl_get_int(st, "srtp_fail"));
}

static void
print_leg(const char *name, struct json_object *l)
{
	const char *tls = ctl_get_str(l, "tls", "none");
	const char *fp = ctl_get_str(l, "fingerprint", NULL);
	const char *cause = ctl_get_str(l, "cause", NULL);
	const char *remote = ctl_get_str(l, "remote", NULL);
	const char *version = ctl_get_str(l, "tls_version", NULL);

	if (l == NULL) {
		printf("  leg %s: empty\n", name);
		return;
	}
	if (ctl_get_str(l, "rtp", NULL) != NULL) {
		print_rtp_leg(name, l);
		return;
	}
	printf("  leg %s:", name);
	if (strcmp(ctl_get_str(l, "state", "?"), "empty") == 0) {
		printf(" empty\n");
		return;
	}
	put_str(" tcp ", ctl_get_str(l, "tcp", "?"));
	put_str(" local ", ctl_get_str(l, "local", "-"));
	if (remote != NULL)
		put_str(" remote ", remote);
	put_str(", tls ", tls);
	if (version != NULL)
		put_str(" ", version);
	put_str(", ", ctl_get_str(l, "state", "?"));
	if (cause != NULL)
		ctl_put_safe(stdout, " (", cause, ")");
	if (strcmp(tls, "none") != 0) {
		put_str(", cert ", ctl_get_str(l, "cert", "default"));
		if (fp != NULL)
			put_str(", our fingerprint ", fp);
		else
			ctl_put_safe(stdout, ", our fingerprint unknown (",
				     ctl_get_str(l, "fingerprint_error", "?"), ")");
	}
	printf(", dscp %" PRId64, ctl_get_int(l, "dscp"));
	{
		struct json_object *p;

		if (json_object_object_get_ex(l, "police", &p) &&
		    json_object_is_type(p, json_type_object))
			printf(", police %" PRId64 " B/s burst %" PRId64, ctl_get_int(p, "rate"),
			       ctl_get_int(p, "burst"));
	}
	printf(", bytes in %" PRId64 " out %" PRId64 "\n", ctl_get_int(l, "bytes_in"),
	       ctl_get_int(l, "bytes_out"));
}

static void
print_ctx(struct json_object *c)
{
	struct json_object *legs, *h248, *terms;
	const char *label = ctl_get_str(c, "label", NULL);

	printf("context %" PRId64 " worker %" PRId64, ctl_get_int(c, "id"),
	       ctl_get_int(c, "worker"));
	put_str(" ", ctl_get_str(c, "state", "?"));
	if (label != NULL)
		put_str(" label ", label);
	/* (a cp before tenants says none: its contexts are the default's) */
	put_str(" tenant ", ctl_get_str(c, "tenant", "default"));
	put_str(" door ", ctl_get_str(c, "door", "api"));
	/* over Iq: the names the IMS-ALG uses for it */
	if (json_object_object_get_ex(c, "h248", &h248) &&
	    json_object_is_type(h248, json_type_object)) {
		printf(" (H.248 context %" PRId64, ctl_get_int(h248, "context"));
		if (json_object_object_get_ex(h248, "terminations", &terms) &&
		    json_object_is_type(terms, json_type_array))
			for (size_t i = 0; i < json_object_array_length(terms) && i < 2; i++) {
				struct json_object *t = json_object_array_get_idx(terms, i);

				if (json_object_is_type(t, json_type_string))
					put_str(i == 0 ? ": " : ", ", json_object_get_string(t));
			}
		printf(")");
	}
	printf(" age %" PRId64 "s\n", ctl_get_int(c, "age_s"));
	if (json_object_object_get_ex(c, "legs", &legs) &&
	    json_object_is_type(legs, json_type_array))
		for (size_t i = 0; i < json_object_array_length(legs) && i < 2; i++)
			print_leg(i == 0 ? "a" : "b", json_object_array_get_idx(legs, i));
}

static int
help_or_error(const char *path, int c, char **argv, const char *usage)
{
	if (c == 'h') {
		printf("%s", usage);
		return CTL_EXIT_OK;
	}
	return ctl_option_error(path, c, argv);
}

static const char create_usage[] =
	"Usage: turnpikectl agw create [--a SPEC] [--b SPEC] [--setup-timeout S]\n"
	"                              [--label TEXT] [--fingerprint-alg ALG]\n"
	"                              [--tenant NAME | tenant=NAME]\n\n"
	"Create an access-gateway context: two terminations that dp splices.\n"
	"A leg not given is an empty slot: a termination joins it later (agw\n"
	"add-leg); until then the other leg's bytes are held (agw.hold).\n"
	"Each leg must be up within the setup timeout (default agw.setup_timeout)\n"
	"from when it was given, else the context is released.\n"
	"SPEC: comma-separated key=value:\n"
	"  tcp=client|server    connect to remote, or accept on local\n"
	"  tls=none|server|client\n"
	"  local=ADDR[:PORT]    a server's address (and port: else cp picks one of\n"
	"                       agw.ports); a client's source address (optional)\n"
	"  remote=ADDR[:PORT]   where a client connects; a server accepts only this\n"
	"                       peer (the address seen for it, a NAT's: its port\n"
	"                       when known); required for a server leg without TLS\n"
	"  accept_any=true      a server leg without TLS and without remote: the\n"
	"                       first connection from anywhere takes it\n"
	"  fp=\"sha-256 AB:..\"   the peer's certificate fingerprint from SDP\n"
	"                       (RFC 8122; up to 4); required with TLS\n"
	"  cert=NAME            our certificate: one of agw.certificates (default:\n"
	"                       the tls group's)\n"
	"  dscp=N               the DiffServ code point (0..63; 46 EF) of every\n"
	"                       packet dp sends on the leg (H.248.52 ds/dscp)\n"
	"  police_rate=B,police_burst=B\n"
	"                       what the leg's peer may send: B bytes a second, a\n"
	"                       burst of B bytes (H.248.53 tman sdr, mbs); over it\n"
	"                       the leg is not read and its TCP window closes\n"
	"An RTP leg (rtp=avp|avpf|savp|savpf, docs/agw.md has its keys) may do\n"
	"DTLS-SRTP (savpf with rtcp_mux=true): dtls=actpass|active|passive (the\n"
	"peer's a=setup; offer: we offer actpass), dtls_fp=\"sha-256 AB:..\" (its\n"
	"a=fingerprint, again for more), dtls_tls_id=ID, dtls_passive=true (answer\n"
	"its actpass passive), dtls_allow_sha1=true; the answer's leg has our setup,\n"
	"fingerprint and tls-id for the SDP.\n"
	"--tenant NAME (or tenant=NAME): whose context it is, one of 'turnpikectl\n"
	"tenants' (default: the default tenant); its usage record names it. An\n"
	"unknown name is refused and nothing is created.\n"
	"The answer gives the context's id, the local addresses and our\n"
	"certificate's fingerprint for each TLS leg.\n";

static int
agw_create(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "a", required_argument, NULL, 'a' },
		{ "b", required_argument, NULL, 'b' },
		{ "setup-timeout", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'l' },
		{ "fingerprint-alg", required_argument, NULL, 'f' },
		{ "tenant", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *req, *legs, *leg[2], *ans;
	const char *spec[2] = { NULL, NULL }, *label = NULL, *alg = NULL, *tenant = NULL;
	long timeout = -1;
	int c, rc;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			spec[0] = optarg;
			break;
		case 'b':
			spec[1] = optarg;
			break;
		case 't': {
			char *end;

			timeout = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || timeout < 0 || timeout > 86400)
				return ctl_usage_error(path, "--setup-timeout: '%s' is not 0..86400 "
						       "seconds", optarg);
			break;
		}
		case 'l':
			label = optarg;
			break;
		case 'f':
			alg = optarg;
			break;
		case 'T':
			tenant = optarg;
			break;
		default:
			return help_or_error(path, c, argv, create_usage);
		}
	}
	/* tenant=NAME, as a leg's key=value: the context's, not a leg's */
	if (optind < argc && strncmp(argv[optind], "tenant=", 7) == 0 && tenant == NULL)
		tenant = argv[optind++] + 7;
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	if (tenant != NULL && tenant[0] == '\0')
		return ctl_usage_error(path, "--tenant: a tenant's name (see 'turnpikectl "
				       "tenants')");
	req = ctl_request("agw.create");
	legs = json_object_new_array();
	for (unsigned int i = 0; i < 2; i++) {
		if (spec[i] == NULL) {
			json_object_array_add(legs, NULL);      /* (an empty slot) */
			continue;
		}
		leg[i] = json_object_new_object();
		json_object_array_add(legs, leg[i]);
		rc = parse_spec(path, i == 0 ? "a" : "b", spec[i], leg[i]);
		if (rc != 0) {
			json_object_put(legs);
			json_object_put(req);
			return rc < 0 ? CTL_EXIT_FAIL : rc;
		}
	}
	json_object_object_add(req, "legs", legs);
	add_leg_opts(req, timeout, alg);
	if (label != NULL)
		json_object_object_add(req, "label", json_object_new_string(label));
	if (tenant != NULL)
		json_object_object_add(req, "tenant", json_object_new_string(tenant));
	rc = ctl_exchange(opts, req, &ans);
	if (ans == NULL)
		return rc;
	print_ctx(ans);
	json_object_put(ans);
	return CTL_EXIT_OK;
}

/* "ID" as a positive decimal integer. */
static int
parse_id(const char *path, const char *s, int64_t *id)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v == 0 || v > INT64_MAX || *s == '-')
		return ctl_usage_error(path, "'%s' is not a context id (see 'turnpikectl agw "
				       "list')", s);
	*id = (int64_t)v;
	return 0;
}

static int
agw_one(const struct ctl_opts *opts, const char *path, int argc, char **argv,
	const char *cmd, const char *usage)
{
	static const struct option longopts[] = {
		{ "tenant", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *ans, *req;
	const char *tenant = NULL;
	int64_t id = 0;
	int c, rc;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c != 'n')
			return help_or_error(path, c, argv, usage);
		tenant = optarg;
	}
	if (argc - optind != 1)
		return ctl_usage_error(path, argc - optind < 1 ? "missing ID" :
				       "unexpected argument");
	rc = parse_id(path, argv[optind], &id);
	if (rc != 0)
		return rc;
	req = ctl_req_int(ctl_request(cmd), "id", id);
	if ((rc = tenant_put(path, tenant, req)) != 0) {
		json_object_put(req);
		return rc;
	}
	if (strcmp(cmd, "agw.show") == 0) {
		/* an RTP context's figures are dp's: this show asks dp for them,
		 * the next one (a moment later) has them */
		struct ctl_opts quiet = *opts;
		struct json_object *first = NULL;

		quiet.json = false;
		quiet.quiet = true;
		if (ctl_exchange(&quiet, json_object_get(req), &first) == CTL_EXIT_OK &&
		    first != NULL && strcmp(ctl_get_str(first, "kind", ""), "rtp") == 0)
			nanosleep(&(struct timespec){ .tv_nsec = 200 * 1000 * 1000 }, NULL);
		json_object_put(first);
	}
	rc = ctl_exchange(opts, req, &ans);
	if (ans == NULL)
		return rc;
	if (strcmp(cmd, "agw.release") == 0)
		{
		printf("context %" PRId64 ": ", id);
		ctl_put_safe(stdout, "", ctl_get_str(ans, "state", "?"), "\n");
	} else {
		print_ctx(ans);
	}
	json_object_put(ans);
	return CTL_EXIT_OK;
}

static int
agw_show(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	return agw_one(opts, path, argc, argv, "agw.show",
		       "Usage: turnpikectl agw show ID [--tenant NAME]\n\nOne context: its "
		       "door and tenant, its legs, their state and addresses, our "
		       "fingerprints.\n" TENANT_HELP);
}

static int
agw_release(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	return agw_one(opts, path, argc, argv, "agw.release",
		       "Usage: turnpikectl agw release ID [--tenant NAME]\n\nEnd a context "
		       "(TLS close_notify, FIN on each leg); 'turnpikectl events' shows its "
		       "end.\n" TENANT_HELP);
}

static int
agw_list(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tenant", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *ans, *list, *req;
	const char *tenant = NULL;
	int c, rc;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c != 'n')
			return help_or_error(path, c, argv, "Usage: turnpikectl agw list "
					     "[--tenant NAME]\n\nEvery context you may reach, "
					     "with its door, tenant and legs.\n" TENANT_HELP);
		tenant = optarg;
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	req = ctl_request("agw.list");
	if ((rc = tenant_put(path, tenant, req)) != 0) {
		json_object_put(req);
		return rc;
	}
	rc = ctl_exchange(opts, req, &ans);
	if (ans == NULL)
		return rc;
	if (json_object_object_get_ex(ans, "contexts", &list) &&
	    json_object_is_type(list, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(list); i++)
			print_ctx(json_object_array_get_idx(list, i));
		printf("%zu context(s)\n", json_object_array_length(list));
	}
	json_object_put(ans);
	return CTL_EXIT_OK;
}

/* "a", "b", "0" or "1" into *leg. */
static int
parse_leg(const char *path, const char *s, int64_t *leg)
{
	if (strcmp(s, "a") == 0 || strcmp(s, "0") == 0)
		*leg = 0;
	else if (strcmp(s, "b") == 0 || strcmp(s, "1") == 0)
		*leg = 1;
	else
		return ctl_usage_error(path, "--leg: '%s' is not a or b (0 or 1)", s);
	return 0;
}

static const char add_leg_usage[] =
	"Usage: turnpikectl agw add-leg ID --term SPEC [--leg a|b] [--setup-timeout S]\n"
	"                               [--fingerprint-alg ALG] [--tenant NAME]\n\n"
	"A termination joins context ID in an empty slot (--leg; default the first\n"
	"empty one): the other leg's held bytes go to it once it is up. SPEC as\n"
	"'agw create' takes it (see 'turnpikectl agw create --help'); a server\n"
	"leg's port, when not given, is picked from the context's worker's share of\n"
	"agw.ports. It must be up within the setup timeout (default\n"
	"agw.setup_timeout) from now, else the context is released.\n" TENANT_HELP;

static const char modify_leg_usage[] =
	"Usage: turnpikectl agw modify-leg ID --leg a|b [--remote ADDR[:PORT]]\n"
	"                                  [--fp \"sha-256 AB:..\"]... [--dscp N]\n"
	"                                  [--police-rate B --police-burst B | --no-police]\n"
	"                                  [--tenant NAME]\n\n"
	"A termination's remote and/or its peer's certificate fingerprints change\n"
	"(--fp again for more; they replace the signalled ones). A leg not up yet\n"
	"takes them: a server leg accepts only the new remote and its handshakes\n"
	"under way are reset, a client leg connects anew to the new remote. A leg\n"
	"that is up keeps its connection: they are recorded only (as H.248's\n"
	"Modify of a live stream does not move it).\n"
	"Its DSCP (0..63) and policing (bytes a second and burst bytes of what its\n"
	"peer may send; --no-police: none) change at once, up or not.\n" TENANT_HELP;

static const char subtract_leg_usage[] =
	"Usage: turnpikectl agw subtract-leg ID --leg a|b [--tenant NAME]\n\n"
	"A termination leaves context ID (close_notify and FIN when up, else reset;\n"
	"event 'subtracted', cause controller). The other leg is held: its bytes\n"
	"within agw.hold, then it is not read, until a termination joins (agw\n"
	"add-leg) or the context is released. Subtracting the last termination\n"
	"releases the context.\n" TENANT_HELP;

/* agw add-leg, modify-leg, subtract-leg: which says which. */
static int
agw_leg_cmd(const struct ctl_opts *opts, const char *path, int argc, char **argv,
	    const char *which)
{
	static const struct option longopts[] = {
		{ "leg", required_argument, NULL, 'L' },
		{ "term", required_argument, NULL, 'T' },
		{ "remote", required_argument, NULL, 'r' },
		{ "fp", required_argument, NULL, 'p' },
		{ "setup-timeout", required_argument, NULL, 't' },
		{ "fingerprint-alg", required_argument, NULL, 'f' },
		{ "dscp", required_argument, NULL, 'D' },
		{ "police-rate", required_argument, NULL, 'R' },
		{ "police-burst", required_argument, NULL, 'B' },
		{ "no-police", no_argument, NULL, 'N' },
		{ "tenant", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool add = strcmp(which, "add") == 0, mod = strcmp(which, "modify") == 0;
	struct json_object *qos = json_object_new_object();
	bool no_police = false;
	const char *usage = add ? add_leg_usage : mod ? modify_leg_usage : subtract_leg_usage;
	struct json_object *req = NULL, *term = NULL, *fps = NULL, *ans;
	const char *spec = NULL, *remote = NULL, *alg = NULL, *tenant = NULL;
	int64_t id = 0, leg = -1;
	long timeout = -1;
	char cmd[32];
	int c, rc;

	ctl_getopt_reset();
	fps = json_object_new_array();
	rc = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		rc = 0;
		switch (c) {
		case 'L':
			rc = parse_leg(path, optarg, &leg);
			break;
		case 'T':
			if (!add)
				rc = ctl_usage_error(path, "--term is for add-leg");
			spec = optarg;
			break;
		case 'r':
			if (!mod)
				rc = ctl_usage_error(path, "--remote is for modify-leg");
			remote = optarg;
			break;
		case 'p':
			if (!mod)
				rc = ctl_usage_error(path, "--fp is for modify-leg (add-leg: fp= "
						     "in --term)");
			json_object_array_add(fps, json_object_new_string(optarg));
			break;
		case 't': {
			char *end;

			timeout = strtol(optarg, &end, 10);
			if (!add)
				rc = ctl_usage_error(path, "--setup-timeout is for add-leg");
			else if (*optarg == '\0' || *end != '\0' || timeout < 0 || timeout > 86400)
				rc = ctl_usage_error(path, "--setup-timeout: '%s' is not 0..86400 "
						     "seconds", optarg);
			break;
		}
		case 'f':
			if (!add)
				rc = ctl_usage_error(path, "--fingerprint-alg is for add-leg");
			alg = optarg;
			break;
		case 'D':
		case 'R':
		case 'B':
			if (!mod)
				rc = ctl_usage_error(path, "--dscp, --police-rate and --police-burst "
						     "are for modify-leg (add-leg: dscp=, "
						     "police_rate=, police_burst= in --term)");
			else
				rc = qos_put(path, c == 'D' ? "--dscp" : c == 'R' ? "--police-rate" :
					     "--police-burst", c == 'D' ? "dscp" : c == 'R' ?
					     "rate" : "burst", optarg, qos);
			break;
		case 'N':
			if (!mod)
				rc = ctl_usage_error(path, "--no-police is for modify-leg");
			no_police = true;
			break;
		case 'n':
			tenant = optarg;
			break;
		default:
			rc = help_or_error(path, c, argv, usage);
			break;
		}
		if (rc != 0 || c == 'h' || c == '?' || c == ':') {
			json_object_put(fps);
			json_object_put(qos);
			return rc;
		}
	}
	if (rc == 0 && no_police) {
		struct json_object *p;

		if (json_object_object_get_ex(qos, "police", &p))
			rc = ctl_usage_error(path, "--no-police with --police-rate or --police-burst");
		else
			json_object_object_add(qos, "police", json_object_new_boolean(false));
	}
	if (rc == 0)
		rc = qos_check(path, "modify-leg", qos);
	if (rc != 0) {
		json_object_put(fps);
		json_object_put(qos);
		return rc;
	}
	if (argc - optind != 1) {
		json_object_put(fps);
		json_object_put(qos);
		return ctl_usage_error(path, argc - optind < 1 ? "missing ID" : "unexpected argument");
	}
	if ((rc = parse_id(path, argv[optind], &id)) != 0) {
		json_object_put(fps);
		json_object_put(qos);
		return rc;
	}
	if (!add && leg < 0)
		rc = ctl_usage_error(path, "--leg a|b is needed");
	else if (add && spec == NULL)
		rc = ctl_usage_error(path, "--term SPEC is needed");
	else if (mod && remote == NULL && json_object_array_length(fps) == 0 &&
		 json_object_object_length(qos) == 0)
		rc = ctl_usage_error(path, "nothing to modify: --remote, --fp, --dscp, "
				     "--police-rate/--police-burst or --no-police");
	if (rc != 0) {
		json_object_put(fps);
		json_object_put(qos);
		return rc;
	}
	snprintf(cmd, sizeof(cmd), "agw.%s_leg", which);
	req = ctl_req_int(ctl_request(cmd), "id", id);
	if (leg >= 0)
		req = ctl_req_int(req, "leg", leg);
	if ((rc = tenant_put(path, tenant, req)) != 0) {
		json_object_put(fps);
		json_object_put(qos);
		json_object_put(req);
		return rc;
	}
	if (add) {
		term = json_object_new_object();
		rc = parse_spec(path, "term", spec, term);
		if (rc != 0) {
			json_object_put(term);
			json_object_put(fps);
			json_object_put(qos);
			json_object_put(req);
			return rc < 0 ? CTL_EXIT_FAIL : rc;
		}
		json_object_object_add(req, "term", term);
		add_leg_opts(req, timeout, alg);
	}
	if (remote != NULL)
		json_object_object_add(req, "remote", json_object_new_string(remote));
	if (json_object_array_length(fps) > 0) {
		json_object_object_add(req, "fingerprints", fps);
		fps = NULL;
	}
	json_object_put(fps);
	json_object_object_foreach(qos, qk, qv)
		json_object_object_add(req, qk, json_object_get(qv));
	json_object_put(qos);
	rc = ctl_exchange(opts, req, &ans);
	if (ans == NULL)
		return rc;
	print_ctx(ans);
	json_object_put(ans);
	return CTL_EXIT_OK;
}

static int
agw_add_leg(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	return agw_leg_cmd(opts, path, argc, argv, "add");
}

static int
agw_modify_leg(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	return agw_leg_cmd(opts, path, argc, argv, "modify");
}

static int
agw_subtract_leg(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	return agw_leg_cmd(opts, path, argc, argv, "subtract");
}

static const struct ctl_cmd agw_cmds[] = {
	{ "create", "create a context (0, 1 or 2 terminations)", agw_create },
	{ "add-leg", "a termination joins a context's empty slot", agw_add_leg },
	{ "modify-leg", "a termination's remote or fingerprints change", agw_modify_leg },
	{ "subtract-leg", "a termination leaves; the other leg is held", agw_subtract_leg },
	{ "list", "every context", agw_list },
	{ "show", "one context", agw_show },
	{ "release", "end a context", agw_release },
};

int
ctl_agw_main(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: %s COMMAND [ARGS...]\n\nThe IMS access gateway's contexts "
		       "(agw group).\n\nCommands:\n", path);
		ctl_usage_commands(stdout, agw_cmds, TP_ARRAY_SIZE(agw_cmds));
		return CTL_EXIT_OK;
	}
	return ctl_dispatch(agw_cmds, TP_ARRAY_SIZE(agw_cmds), opts, path, argc - 1, argv + 1);
}

/* ---- events ---------------------------------------------------------------------- */

static void
print_event(struct json_object *e)
{
	struct json_object *bi, *bo, *leg;
	const char *v;

	printf("%" PRId64, ctl_get_int(e, "seq"));
	put_str(" ", ctl_get_str(e, "time", "?"));
	printf(" ctx=%" PRId64, ctl_get_int(e, "id"));
	if (json_object_object_get_ex(e, "leg", &leg) && json_object_is_type(leg, json_type_int))
		printf(" leg=%" PRId64, json_object_get_int64(leg));
	put_str(" ", ctl_get_str(e, "type", "?"));
	if ((v = ctl_get_str(e, "cause", NULL)) != NULL)
		put_str(" cause=", v);
	if ((v = ctl_get_str(e, "tls_version", NULL)) != NULL)
		put_str(" tls=", v);
	if ((v = ctl_get_str(e, "local", NULL)) != NULL)
		put_str(" local=", v);
	if ((v = ctl_get_str(e, "remote", NULL)) != NULL)
		put_str(" remote=", v);
	if (json_object_object_get_ex(e, "bytes_in", &bi) &&
	    json_object_object_get_ex(e, "bytes_out", &bo) &&
	    json_object_is_type(bi, json_type_array) && json_object_array_length(bi) == 2 &&
	    json_object_is_type(bo, json_type_array) && json_object_array_length(bo) == 2)
		printf(" bytes=%" PRId64 "/%" PRId64 ",%" PRId64 "/%" PRId64,
		       json_object_get_int64(json_object_array_get_idx(bi, 0)),
		       json_object_get_int64(json_object_array_get_idx(bo, 0)),
		       json_object_get_int64(json_object_array_get_idx(bi, 1)),
		       json_object_get_int64(json_object_array_get_idx(bo, 1)));
	if ((v = ctl_get_str(e, "detail", NULL)) != NULL)
		ctl_put_safe(stdout, " detail=\"", v, "\"");
	fputc('\n', stdout);
}

static const char events_usage[] =
	"Usage: turnpikectl events [--follow] [--after SEQ] [--id ID] [--until TYPE]\n"
	"                          [--timeout S] [--tenant NAME]\n\n"
	"The access gateway's events, oldest first: leg_up, leg_down (with its\n"
	"cause), subtracted (a termination left; the context lives on), released\n"
	"(the context's end, with its cause). --after SEQ: only\n"
	"those after SEQ; --id: one context's; --follow: wait for more; --until\n"
	"TYPE: stop after an event of TYPE (with --follow); --timeout S: stop\n"
	"following after S seconds (exit 2 when --until was not met).\n"
	"Causes: fin, close_notify, rst, timeout, tls_alert, tls_handshake,\n"
	"tls_error, connect_failed, other_leg, controller, setup_timeout,\n"
	"setup_failed, no_memory, dp_restart.\n" TENANT_HELP;

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
ctl_events_main(const struct ctl_opts *opts, const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "after", required_argument, NULL, 'a' },
		{ "id", required_argument, NULL, 'i' },
		{ "until", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "tenant", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts quiet = *opts;
	bool follow = false, met = false;
	const char *until = NULL, *tenant = NULL;
	int64_t after = 0, id = 0;
	double timeout = 0;
	uint64_t end_ms = 0;
	int c, rc;

	ctl_getopt_reset();
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow = true;
			break;
		case 'a': {
			char *e;

			after = strtoll(optarg, &e, 10);
			if (*optarg == '\0' || *e != '\0' || after < 0)
				return ctl_usage_error(path, "--after: '%s' is not a sequence number",
						       optarg);
			break;
		}
		case 'i':
			rc = parse_id(path, optarg, &id);
			if (rc != 0)
				return rc;
			break;
		case 'u':
			until = optarg;
			if (strcmp(until, "leg_up") != 0 && strcmp(until, "leg_down") != 0 &&
			    strcmp(until, "released") != 0 && strcmp(until, "subtracted") != 0)
				return ctl_usage_error(path, "--until: leg_up, leg_down, subtracted or "
						       "released");
			break;
		case 't': {
			char *e;

			timeout = strtod(optarg, &e);
			if (*optarg == '\0' || *e != '\0' || timeout <= 0)
				return ctl_usage_error(path, "--timeout: '%s' is not seconds", optarg);
			break;
		}
		case 'n':
			if (optarg[0] == '\0')
				return ctl_usage_error(path, "--tenant: a tenant's name (see "
						       "'turnpikectl tenants')");
			tenant = optarg;
			break;
		default:
			return help_or_error(path, c, argv, events_usage);
		}
	}
	if (optind < argc)
		return ctl_usage_error(path, "unexpected argument '%s'", argv[optind]);
	quiet.json = false;
	if (timeout > 0)
		end_ms = mono_ms() + (uint64_t)(timeout * 1000.0);
	for (;;) {
		struct json_object *req, *ans, *list;
		size_t n = 0;

		req = ctl_req_int(ctl_request("agw.events"), "after", after);
		if (id != 0)
			req = ctl_req_int(req, "id", id);
		if (tenant != NULL)
			json_object_object_add(req, "tenant", json_object_new_string(tenant));
		/* With --json each event is printed on its own line, below. */
		rc = ctl_exchange(&quiet, req, &ans);
		if (ans == NULL)
			return rc;
		if (ctl_get_int(ans, "lost") > 0)
			fprintf(stderr, "%s: %" PRId64 " event(s) no longer kept by turnpike-cp\n",
				CTL_PROG, ctl_get_int(ans, "lost"));
		if (json_object_object_get_ex(ans, "events", &list) &&
		    json_object_is_type(list, json_type_array)) {
			n = json_object_array_length(list);
			for (size_t i = 0; i < n && !met; i++) {
				struct json_object *e = json_object_array_get_idx(list, i);

				if (opts->json)
					ctl_put_json(e);
				else
					print_event(e);
				if (until != NULL && strcmp(ctl_get_str(e, "type", ""), until) == 0)
					met = true;
			}
		}
		after = ctl_get_int(ans, "next");
		json_object_put(ans);
		if (fflush(stdout) == EOF)
			return CTL_EXIT_FAIL;
		if (met || (!follow && n < 5000))
			break;
		if (follow && n == 0) {
			struct timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000000L };

			if (end_ms != 0 && mono_ms() >= end_ms)
				return until != NULL ? CTL_EXIT_FAIL : CTL_EXIT_OK;
			nanosleep(&ts, NULL);
		}
	}
	return until != NULL && !met ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}
