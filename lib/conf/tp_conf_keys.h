/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every setting of the file and what a reload does with it, in one table
 * (tp_conf_keys.c): applied by the reload (live), or read at start only,
 * so that a change needs turnpike-cp, turnpike-dp or both restarted; and
 * how two loaded files are compared on it. cp's reload says from it what
 * needs a restart, so a setting added to a group's reader without a row
 * here is caught by the unit test that walks both (test_conf_keys.c), not
 * forgotten by the reload.
 */
#ifndef TP_CONF_KEYS_H
#define TP_CONF_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "tp_conf_types.h"

enum tp_conf_reload {
	TP_CONF_LIVE = 0,             /* a reload applies it (applied names who) */
	TP_CONF_RESTART_CP,           /* turnpike-cp reads it at start only */
	TP_CONF_RESTART_DP,           /* turnpike-dp reads it at start only */
	TP_CONF_RESTART_BOTH,         /* both do */
};

/* How two loaded files are compared on a setting that needs a restart. */
enum tp_conf_cmp {
	TP_CONF_CMP_NONE = 0,         /* live: what applies it compares */
	TP_CONF_CMP_NUM,              /* an unsigned integer or bool of size bytes at off,
				       * said with both values */
	TP_CONF_CMP_STR,              /* a NUL-terminated string at off */
	TP_CONF_CMP_MEM,              /* size bytes at off */
	TP_CONF_CMP_FN,               /* same() */
	TP_CONF_CMP_AS,               /* read into the field of the key named as
				       * ("ipc.name"): compared there */
};

struct tp_conf_key {
	const char *group;            /* "dp", "turn", ...; "tenants": one tenant's */
	const char *name;             /* a setting the group accepts; "": the group
				       * itself, there or not */
	enum tp_conf_reload reload;
	/* how a reload names it; rows of one setting's fields may share one
	 * (said once) */
	const char *label;
	enum tp_conf_cmp cmp;
	size_t off, size;             /* NUM, STR, MEM: the field in struct tp_conf */
	bool (*same)(const struct tp_conf *a, const struct tp_conf *b);   /* FN */
	const char *as;               /* AS */
	/* live: the part of a reload that applies it ("cp: cp/auth",
	 * "dp's reload"); a restart: said after the processes to restart,
	 * or NULL */
	const char *note;
};

extern const struct tp_conf_key tp_conf_keys[];
extern const unsigned int tp_conf_nkeys;

/* The groups whose settings the table holds (NULL-terminated), and the
 * names group's reader accepts (its tp_conf_check_names() list; NULL for
 * no such group). */
extern const char *const tp_conf_groups[];
const char *const *tp_conf_group_names(const char *group);

/* Do a and b agree on k? (AS and live rows: true, compared elsewhere.) */
bool tp_conf_key_same(const struct tp_conf_key *k, const struct tp_conf *a,
		      const struct tp_conf *b);

/* The processes a class needs restarted: "turnpike-cp", "turnpike-dp",
 * "turnpike-cp and turnpike-dp"; NULL for live. */
const char *tp_conf_reload_who(enum tp_conf_reload r);

/*
 * For each setting that needs a restart and differs between a (running)
 * and b (the file now), once per label, a line into fn:
 * "turn.listen_port 3478 -> 3479 (restart turnpike-dp)", "turn.realm
 * (restart turnpike-cp and turnpike-dp)". A group there in one and not the
 * other is said once, without its settings.
 */
void tp_conf_restart_diff(const struct tp_conf *a, const struct tp_conf *b,
			  void (*fn)(void *arg, const char *line), void *arg);

/* Are the tenants the same ones (count, names, realms, TURN addresses,
 * relay lists: what dp and cp map addresses and nonces by)? Their users,
 * secrets, quotas and peers may differ: a reload applies those. */
bool tp_conf_tenants_same(const struct tp_conf *a, const struct tp_conf *b);

#endif /* TP_CONF_KEYS_H */
