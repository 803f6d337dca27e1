/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/conf internals shared between its files (not for users of the lib).
 */
#ifndef TP_CONF_INTERNAL_H
#define TP_CONF_INTERNAL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "tp_conf_types.h"

/* The line of setting s in its file (libconfig's count). */
static inline int
where(const config_setting_t *s)
{
	return config_setting_source_line(s);
}

/* The group readers' one error: "FILE:LINE: what is wrong" into err (a
 * function's err and errlen, c its struct tp_conf), then -EINVAL. */
#define FAIL(s, ...) do { \
	int _n = snprintf(err, errlen, "%s:%d: ", c->path, where(s)); \
	if (_n >= 0 && (size_t)_n < errlen) \
		snprintf(err + _n, errlen - (size_t)_n, __VA_ARGS__); \
	return -EINVAL; \
} while (0)

/* Do a and b agree on their first plen bits? Are the host bits of a
 * (beyond plen, in alen bytes) all equal to bit? (tp_conf.c) */
bool tp_conf_same_prefix(const uint8_t *a, const uint8_t *b, unsigned int plen);
bool tp_conf_host_bits_all(const uint8_t *a, unsigned int plen, unsigned int alen, bool bit);

/* Refuse a setting of group g not in names (NULL-terminated); "what" names
 * the group in the message. 0 or -EINVAL with err set. */
int tp_conf_check_names(const config_setting_t *g, const char *what,
			const char *const *names, struct tp_conf *c, char *err,
			size_t errlen);
/* The settings each group accepts (NULL-terminated; tenants: those of one
 * tenant), given to tp_conf_check_names() by the group's reader and walked
 * by tp_conf_keys.c's tp_conf_group_names(). */
extern const char *const tp_conf_names_dp[];
extern const char *const tp_conf_names_ipc[];
extern const char *const tp_conf_names_turn[];
extern const char *const tp_conf_names_cp[];
extern const char *const tp_conf_names_tls[];
extern const char *const tp_conf_names_agw[];
extern const char *const tp_conf_names_iq[];
extern const char *const tp_conf_names_ng[];
extern const char *const tp_conf_names_cluster[];
extern const char *const tp_conf_names_ha[];
extern const char *const tp_conf_names_li[];
extern const char *const tp_conf_names_accounting[];
extern const char *const tp_conf_names_tenants[];
extern const char *const tp_conf_names_oauth[];

/* An optional integer setting within lo..hi into *out (untouched when
 * absent). 0 or -EINVAL with err set. */
int tp_conf_get_u32(const config_setting_t *g, const char *name, uint32_t lo,
		    uint32_t hi, uint32_t *out, struct tp_conf *c, char *err,
		    size_t errlen);

/* An optional keepalive group { idle; interval; count; } of g into *k
 * (what names it in messages). 0 or -EINVAL with err set. */
int tp_conf_get_keepalive(const config_setting_t *g, const char *name, const char *what,
			  struct tp_conf_keepalive *k, struct tp_conf *c, char *err,
			  size_t errlen);

/* Defaults of the turn and cp groups. */
void tp_conf_turn_defaults(struct tp_conf *c);
/* Read the turn and cp groups of a parsed file (both optional). */
int tp_conf_load_turn_cp(const config_t *cfg, struct tp_conf *c, char *err,
			 size_t errlen);

/* Defaults of the ipc group, and reading it (after the turn group:
 * turn.ipc and turn.cp_grace are still read, and must agree with it). */
void tp_conf_ipc_defaults(struct tp_conf *c);
int tp_conf_load_ipc(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen);

/* A peer-address policy group s (cp.peers, agw.peers; what names it in
 * messages) into p; relay_to_relay: where allow_relay_to_relay goes (NULL:
 * the setting is refused, it is TURN's). 0 or -EINVAL with err set. */
int tp_conf_load_peers(const config_setting_t *s, const char *what, struct tp_conf_peers *p,
		       bool *relay_to_relay, struct tp_conf *c, char *err, size_t errlen);

/* A users list { name; password; } (at most max) into users[*n...], and a
 * secrets list into secrets[*n...], each one's HMAC into algs[*n...] (cp's,
 * a tenant's). 0 or -EINVAL with err set; absent (s NULL): 0, nothing
 * read. */
int tp_conf_load_users(const config_setting_t *s, struct tp_conf_user *users, unsigned int *n,
		       unsigned int max, struct tp_conf *c, char *err, size_t errlen);
int tp_conf_load_secrets(const config_setting_t *s, char (*secrets)[TP_CONF_STR_LEN],
			 uint8_t *algs, unsigned int *n, struct tp_conf *c, char *err,
			 size_t errlen);

/* A file libconfig names (NULL: the one opened), as a path to it (buf
 * holds it when it is neither). */
const char *tp_conf_file_name(const char *f, const struct tp_conf *c, char *buf, size_t len);

/* s (a user's password, a secret) is a secret: its file goes in
 * c->secret_files, which tp_conf_secrets_exposed() looks at. */
void tp_conf_note_secret(const config_setting_t *s, struct tp_conf *c);
/* The same for a file a setting names (an oauth key_file). */
void tp_conf_note_secret_path(const char *path, struct tp_conf *c);

/* The tenants list (after dp, turn, cp: their addresses, relayed
 * addresses, realm and quotas). */
int tp_conf_load_tenants(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen);

/* Defaults of the tls group, and reading it (after the turn group: the
 * check that turn.listen_tls has a certificate needs both). */
void tp_conf_tls_defaults(struct tp_conf *c);
int tp_conf_load_tls(const config_t *cfg, struct tp_conf *c, char *err,
		     size_t errlen);

/* A certificate and key pair of group g (certificate, private_key: PEM
 * file names, required), with their lines; what names the group. */
int tp_conf_load_cert(const config_setting_t *g, const char *what,
		      struct tp_conf_tls_cert *t, struct tp_conf *c, char *err,
		      size_t errlen);

/* Defaults of the iq group, and reading it (after the agw group, which
 * it needs). */
void tp_conf_iq_defaults(struct tp_conf *c);
int tp_conf_load_iq(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen);

/* Defaults of the ng group, and reading it (after the agw group, whose
 * media_ports it needs). */
void tp_conf_ng_defaults(struct tp_conf *c);
int tp_conf_load_ng(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen);

/* Defaults of the agw group, and reading it (after the dp, turn and tls
 * groups: its ports must avoid theirs, its TLS needs the tls group). */
void tp_conf_agw_defaults(struct tp_conf *c);
int tp_conf_load_agw(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen);

/* The cluster group (after turn and cp: its namespace defaults to the
 * realm). */
void tp_conf_cluster_defaults(struct tp_conf *c);
int tp_conf_load_cluster(const config_t *cfg, struct tp_conf *c, char *err,
			 size_t errlen);

/* The ha group (after the cluster group, which it needs). */
void tp_conf_ha_defaults(struct tp_conf *c);
int tp_conf_load_ha(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen);

/* The li group (after the cp group: its store's default is cp.store's folder). */
void tp_conf_li_defaults(struct tp_conf *c);
int tp_conf_load_li(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen);

/* The accounting group (cp/acct's usage records). */
void tp_conf_acct_defaults(struct tp_conf *c);
int tp_conf_load_acct(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen);

/* The oauth group (after turn: its server name defaults to the realm). */
void tp_conf_oauth_defaults(struct tp_conf *c);
int tp_conf_load_oauth(const config_t *cfg, struct tp_conf *c, char *err, size_t errlen);

#endif /* TP_CONF_INTERNAL_H */
