/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/store: types only.
 *
 * The user store of turnpike-cp: where the users and TURN REST API shared
 * secrets that the operator adds at run time (turnpikectl users|secrets
 * add|del, users import-coturn) live, so that they are there after a
 * restart. One interface (struct cp_store_ops), one implementation per
 * kind of store: SQLite on the box (store_sqlite.c) now, a cluster store
 * later. Users of the configuration file are not here: they stay a
 * read-only layer that cp keeps in memory (cp/auth/auth_commands.c).
 *
 * A user is kept as coturn keeps it (turnadmin's table turnusers_lt): its
 * name, the realm and the long-term key MD5(name ":" realm ":" password)
 * (RFC 8489 §9.2.2, "hmackey"), never the password (RFC 8656 §6: the
 * server SHOULD store only the key). turnpike adds the SHA-256 key of the
 * same string (RFC 8489 §18.5.1.2) when it made the key itself; a user
 * imported from coturn has only the MD5 one.
 */
#ifndef CP_STORE_TYPES_H
#define CP_STORE_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "tp_common.h"

#define CP_STORE_NAME_MAX    TP_USERNAME_MAX   /* RFC 8489 §14.3 */
#define CP_STORE_REALM_MAX   763u              /* RFC 8489 §14.9 */
#define CP_STORE_SECRET_MAX  256u              /* CP_AUTH_SECRET_MAX */
#define CP_STORE_ERR_MAX     512u

/* The SQLite store's defaults. */
#define CP_STORE_DEF_BUSY_MS 200u

struct cp_store_user {
	char name[CP_STORE_NAME_MAX + 1];
	uint8_t md5[16];              /* coturn's hmackey */
	uint8_t sha256[32];           /* valid when has_sha256 */
	bool has_sha256;
};

/* A TLS 1.3 external PSK: identity (printable ASCII, as
 * turnpikectl and the API take it), key and the suite it is bound to. */
#define CP_STORE_PSK_ID_MAX  128u              /* IPC_TLS_PSK_ID_MAX */
#define CP_STORE_PSK_KEY_MAX 64u               /* IPC_TLS_PSK_KEY_MAX */

struct cp_store_psk {
	char id[CP_STORE_PSK_ID_MAX + 1];
	uint8_t key[CP_STORE_PSK_KEY_MAX];
	uint16_t key_len;
	uint16_t cipher;              /* 0x1301..0x1303 */
};

struct cp_store;

/* Called once per user or secret by the list operations; a non-zero
 * return stops the walk and is what the list returns. */
typedef int (*cp_store_user_fn)(void *arg, const struct cp_store_user *u);
/* alg: the secret's enum tp_rest_alg (a row stored before there was a
 * choice is TP_REST_SHA1). */
typedef int (*cp_store_secret_fn)(void *arg, const char *secret, unsigned int alg);
typedef int (*cp_store_psk_fn)(void *arg, const struct cp_store_psk *p);

/*
 * What a store does. Every operation returns 0 or -errno and, when it
 * fails, leaves a sentence for the operator in s->err:
 *   -ENOENT  no such user, secret or PSK
 *   -EEXIST  the secret is there already
 *   -EBUSY   another process holds the store locked past the busy timeout
 *   -ESTALE  the store's file was removed or replaced since it was opened
 *   -EIO     the store is damaged or the disk failed
 * A write either happens whole or not at all (one transaction): the
 * caller changes its own tables only after a 0.
 */
struct cp_store_ops {
	const char *kind;             /* "sqlite" */
	int (*user_get)(struct cp_store *s, const char *name,
			struct cp_store_user *out);
	int (*user_list)(struct cp_store *s, cp_store_user_fn fn, void *arg);
	/* Add or replace n users at once (an import is one transaction). */
	int (*user_put)(struct cp_store *s, const struct cp_store_user *u,
			unsigned int n);
	int (*user_del)(struct cp_store *s, const char *name);
	int (*secret_list)(struct cp_store *s, cp_store_secret_fn fn, void *arg);
	int (*secret_add)(struct cp_store *s, const char *secret, unsigned int alg);
	int (*secret_del)(struct cp_store *s, const char *secret);
	/* TLS external PSKs: list, add or replace one, delete one. */
	int (*psk_list)(struct cp_store *s, cp_store_psk_fn fn, void *arg);
	int (*psk_put)(struct cp_store *s, const struct cp_store_psk *p);
	int (*psk_del)(struct cp_store *s, const char *id);
	void (*close)(struct cp_store *s);
};

/* The part every store shares; an implementation embeds it first. */
struct cp_store {
	const struct cp_store_ops *ops;
	char realm[CP_STORE_REALM_MAX + 1];   /* the rows this cp sees */
	/* The realm it was opened with while cp_store_scope() points it at a
	 * tenant's (scoped). */
	bool scoped;
	char home_realm[CP_STORE_REALM_MAX + 1];
	char where[256];                      /* the path, for messages */
	char err[CP_STORE_ERR_MAX];
	uint64_t bad_rows;                    /* rows a list skipped, malformed */
};

/*
 * What other modules give the store's module before it opens the store
 * (in their own set-up, which comes first), so that it names none of
 * them: a backend that takes cp.store's place (the cluster's Redis, when
 * the boxes share their users), and the readers of what a store just
 * opened holds (cp/auth: its users and secrets, under the file's). The
 * store's module calls them; nothing here calls back.
 */
struct cp_ctx;
typedef struct cp_store *(*cp_store_open_fn)(void *arg);
/* 0, or -errno with s->err or the reader's own log line saying why (the
 * start stops: running without what the store holds would refuse it). */
typedef int (*cp_store_reader_fn)(struct cp_ctx *cp, struct cp_store *s);
#define CP_STORE_READERS 4

struct cp_store_hooks {
	cp_store_open_fn backend;     /* NULL: cp.store (SQLite) */
	void *backend_arg;
	cp_store_reader_fn reader[CP_STORE_READERS];
	unsigned int nreaders;
};

/* How to open one. */
struct cp_store_conf {
	const char *path;             /* SQLite database file */
	const char *realm;            /* required */
	uint32_t busy_ms;             /* wait for a lock at most; 0: default */
	/* Give a file the store creates to this owner (cp.user, when cp
	 * starts as root and drops to it); -1: leave it. */
	int64_t owner_uid;
	int64_t owner_gid;
};

#endif /* CP_STORE_TYPES_H */
