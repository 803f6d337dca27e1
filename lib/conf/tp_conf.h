/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading the configuration file (libconfig). Every error names the file,
 * the line and what is wrong: "conf/demo.conf:12: port 'access': ipv4
 * '10.200.0.1/33': prefix length must be 0..32".
 */
#ifndef TP_CONF_H
#define TP_CONF_H

#include <stddef.h>
#include <sys/socket.h>

#include "tp_conf_types.h"

/*
 * Load path into c (which the caller owns; zeroed and filled with the
 * defaults first). Returns 0, or -EINVAL / -ENOENT with the message in
 * err (NUL-terminated, at most errlen bytes). On failure nothing needs
 * freeing.
 */
int tp_conf_load(const char *path, struct tp_conf *c, char *err, size_t errlen);

/*
 * Look cp.user up in the system's user database (getpwnam): fill
 * c->cp.user_uid and user_gid. 0 when there is no cp.user or it exists;
 * -ENOENT (or the lookup's error) with "<file>:<line>: cp.user 'x': no such
 * user on this system (create it: useradd ...)" in err. Apart from
 * tp_conf_load() so that a file names a user another machine may not have
 * (conf/demo.conf's, which tools/demo creates) and still loads there;
 * dp and cp call it right after tp_conf_load().
 */
int tp_conf_resolve_user(struct tp_conf *c, char *err, size_t errlen);

/*
 * Who may read the users' passwords and REST secrets of c's files (cp's
 * and the tenants'): besides their owner, root only, and group when it
 * is given (the group turnpike-cp runs as, which must read the file at a
 * reload; root's group 0 always). Returns how many of c->secret_files
 * others may read (the file's own mode, as OpenSSH judges a key's), with
 * a line for the operator on the first in out (what, who, what to do);
 * 0 and "" when none (a file gone since the load is not counted: the
 * next load says so).
 */
int tp_conf_secrets_exposed(const struct tp_conf *c, unsigned int group, char *out,
			    size_t outlen);

/*
 * Iq over UDP on an address others may reach (not loopback, or the
 * wildcard) with a controller that has no iq.auth: anyone who can send
 * from that controller's address is it. 1 with a line for the operator in
 * out (naming SECURITY.md), 0 and "" when not so (cp logs it at start and
 * under --check).
 */
int tp_conf_iq_unauthenticated(const struct tp_conf *c, char *out, size_t outlen);

/* An iq.auth key of n hex digits (inline, or read from its key_file) for
 * alg (enum tp_conf_iq_alg): at least the hash's output long (20 or 32
 * bytes), at most TP_CONF_IQ_KEY_MAX. Its bytes into key, *keylen; 0 or
 * -EINVAL. */
int tp_conf_iq_key_hex(const char *hex, size_t n, uint8_t alg, uint8_t *key,
		       uint8_t *keylen);

/* Release what tp_conf_load() allocated (the EAL argument strings). */
void tp_conf_free(struct tp_conf *c);

/* Parse "a.b.c.d/len" or "x::y/len" (len optional when plen is NULL).
 * Returns 4 or 6 for the family, or -EINVAL. */
int tp_conf_parse_prefix(const char *s, uint8_t addr[16], uint8_t *plen);

/*
 * The relayed addresses of family (4 or 6), the same for dp and cp: those
 * of the first port with the core role and an address of that family,
 * its relay_ipv4 / relay_ipv6 list, or its own address when it has none.
 * Fills addrs[] in list order (IPv4 in the first 4 bytes of each entry,
 * the rest zero) and *port with that port's index in c->dp.ports (when
 * port is not NULL). Returns how many (1..TP_CONF_MAX_RELAY), 0 when no
 * core port has an address of the family. An address's index here is
 * its index everywhere (cp's port bitmaps, dp's relay tables).
 */
unsigned int tp_conf_relay_addrs(const struct tp_conf *c, int family,
				 uint8_t addrs[TP_CONF_MAX_RELAY][16],
				 unsigned int *port);

/*
 * Allocations one dp worker's table holds (dp sizes its table with it, cp
 * answers 508 rather than give a worker more): cp.quota_total shared by
 * dp.workers with a quarter more and 1024 on top for uneven flow hashing,
 * never more than quota_total itself, at least 64.
 */
uint32_t tp_conf_worker_allocs(const struct tp_conf *c);

/* The bandwidth limit of an allocation of user (len bytes) in tenant:
 * the user's max_bps, else its tenant's, else turn.max_bps (bytes a second
 * each way, 0: none); *burst its burst in bytes (0 with no limit). */
uint32_t tp_conf_max_bps(const struct tp_conf *c, unsigned int tenant, const char *user,
			 size_t len, uint32_t *burst);

/* "192.0.2.1:6379" or "[2001:db8::1]:6379" (IP literals only): 4 or 6;
 * 0 when it is not that (tp_conf_cluster.c). */
int tp_conf_hostport_family(const char *s);
/* The same, the address into *ss (port in network order) and its length
 * into *len unless NULL: 4 or 6, or 0 with *ss zeroed. The one parser of
 * every "IP:PORT" setting (tp_conf_cluster.c). */
int tp_conf_hostport_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len);
/* A cluster box or Sentinel master name: 1..63 letters, digits, '-', '_',
 * '.' (they go into Redis keys and log lines). */
bool tp_conf_cluster_name_ok(const char *v);

/*
 * Tenants (tp_conf_tenants.c). A tenant's index: 0 the default tenant,
 * i + 1 for c->tenants.t[i]; the same in dp, cp and the segment.
 * tp_conf_tenant_of: the tenant whose TURN address ip (family 4 or 6,
 * IPv4 in the first 4 bytes) is; 0 for any other address (the ports' own).
 * tp_conf_tenant_relay_mask: the relayed addresses of family the tenant's
 * allocations take, as bits of tp_conf_relay_addrs()'s indices: its own
 * list, or (none listed, and the default tenant) those no tenant lists.
 * tp_conf_tenant_name: "default" for 0 and any index out of range.
 * tp_conf_tenants_sig: a hash of every tenant's name and addresses, which
 * dp and cp compare (both must map addresses to the same indices).
 */
unsigned int tp_conf_tenant_of(const struct tp_conf *c, int family, const uint8_t *ip);
uint64_t tp_conf_tenant_relay_mask(const struct tp_conf *c, unsigned int tenant, int family);
const char *tp_conf_tenant_name(const struct tp_conf *c, unsigned int tenant);
uint32_t tp_conf_tenants_sig(const struct tp_conf *c);

#endif /* TP_CONF_H */
