/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/store: open a user store and call its operations (store_types.h).
 * Single-threaded: cp's loop owns a store. Constructors return NULL and
 * set errno; operations return 0 or -errno with a sentence in s->err.
 */
#ifndef CP_STORE_H
#define CP_STORE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "store_types.h"

/*
 * Open (and on first use create) the SQLite store at conf->path: schema
 * version checked (a newer one, or a file that is not a turnpike store,
 * is refused, never rewritten), an integrity check, the busy timeout set.
 * NULL with errno (EINVAL, EIO corrupt or not a database, EBUSY locked,
 * ENOMEM, EACCES, ENOENT no such folder) and the reason in err.
 */
struct cp_store *cp_store_sqlite_open(const struct cp_store_conf *conf,
				      char *err, size_t errlen);

/*
 * May the store live at path (store_path.c)? Absolute; every folder from
 * / down owned by root or owner and writable by no one else (sticky ones
 * above the store's folder excepted); the file and SQLite's journals,
 * when there, regular files of owner's that no one else may write. A
 * missing store folder is made (0700, owner:group) when create is true
 * and its parent passes. 0, or -errno with the reason in err and nothing
 * changed.
 */
int cp_store_path_check(const char *path, uid_t owner, gid_t group, bool create,
			char *err, size_t errlen);

/*
 * The rows the next operations see: a tenant's, by its realm (the SQLite
 * store keys every row by realm, as coturn's does: a tenant's users are
 * rows of its realm, the default tenant's those of turn.realm, so a
 * store made before tenants keeps its users as the default tenant's).
 * NULL: back to the realm the store was opened with. Set it, do the
 * operations, set it back (NULL) before returning to the loop.
 */
void cp_store_scope(struct cp_store *s, const char *realm);

/* Close; NULL is a no-op. */
void cp_store_close(struct cp_store *s);

/* The operations, through the ops table. */
int cp_store_user_get(struct cp_store *s, const char *name,
		      struct cp_store_user *out);
int cp_store_user_list(struct cp_store *s, cp_store_user_fn fn, void *arg);
int cp_store_user_put(struct cp_store *s, const struct cp_store_user *u,
		      unsigned int n);
int cp_store_user_del(struct cp_store *s, const char *name);
int cp_store_secret_list(struct cp_store *s, cp_store_secret_fn fn, void *arg);
int cp_store_secret_add(struct cp_store *s, const char *secret, unsigned int alg);
int cp_store_secret_del(struct cp_store *s, const char *secret);
int cp_store_psk_list(struct cp_store *s, cp_store_psk_fn fn, void *arg);
int cp_store_psk_put(struct cp_store *s, const struct cp_store_psk *p);
int cp_store_psk_del(struct cp_store *s, const char *id);

/* Lower-case hex of n bytes into out (2n + 1 bytes); and back: 0 or
 * -EINVAL (wrong length, not hex). coturn writes hmackey this way. */
void cp_store_hex(const uint8_t *in, size_t n, char *out);
int cp_store_unhex(const char *in, uint8_t *out, size_t n);

/* A backend in cp.store's place (h: cp's store_hooks; one at most). 0, or
 * -EBUSY while another is set; fn NULL: none again. */
static inline int
cp_store_set_backend(struct cp_store_hooks *h, cp_store_open_fn fn, void *arg)
{
	if (fn != NULL && h->backend != NULL && h->backend != fn)
		return -EBUSY;
	h->backend = fn;
	h->backend_arg = arg;
	return 0;
}

/* fn reads every store opened from now on, after those before it. 0, or
 * -ENOSPC (CP_STORE_READERS). */
static inline int
cp_store_on_open(struct cp_store_hooks *h, cp_store_reader_fn fn)
{
	for (unsigned int i = 0; i < h->nreaders; i++)
		if (h->reader[i] == fn)
			return 0;
	if (h->nreaders >= CP_STORE_READERS)
		return -ENOSPC;
	h->reader[h->nreaders++] = fn;
	return 0;
}

#endif /* CP_STORE_H */
