/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registry of the counters dp publishes to cp (cp's metrics'
 * turnpike_dp_tcp_events_total{event}, `turnpikectl status`'s
 * workers[].dp.tcp and .tls). Each module describes its counters once, as
 * a family: a name, the prefix its counters are published under, one
 * descriptor a counter (name, kind, help; from the module's .def) and the
 * function that reads a worker's values in the same order. The root
 * registers the families at start, in one fixed order (the order of the
 * names cp shows), and publishes the names and the families to cp's
 * segment; each worker copies the values on its tick.
 *
 * Naming and publishing only: a module counts as it did, with plain
 * increments of its own per-worker words, and nothing here runs per
 * packet. Registration happens before the workers start and the
 * registry is read-only after it.
 */
#ifndef DP_CTRS_H
#define DP_CTRS_H

#include <stddef.h>
#include <stdint.h>

#include "ipc_types.h"

struct dp_worker;

/* How a counter moves: only up (events), or up and down (a level). */
enum dp_ctrs_kind {
	DP_CTRS_COUNTER = 0,
	DP_CTRS_GAUGE = 1,
};

struct dp_ctrs_desc {
	const char *name;          /* after the family's prefix */
	enum dp_ctrs_kind kind;
	const char *help;          /* what it counts, one line (from the
				    * module's .def); NULL: the family's
				    * says it */
};

struct dp_ctrs_family {
	const char *name;          /* what cp calls the family: "tcp", "tls" */
	const char *prefix;        /* before each counter's name: "tls_" */
	const char *help;          /* what the family counts, one line */
	const struct dp_ctrs_desc *desc;
	unsigned int n;
	/* w's n values, in desc's order: zeros when w has none of the
	 * module (its group not configured: the names are the same on every
	 * box, so that dashboards do not depend on the configuration) */
	void (*values)(const struct dp_worker *w, uint64_t *out);
};

/* Everything cp's segment holds: IPC_DP_TCP_MAX counters, names shorter
 * than IPC_DP_NAME_LEN, IPC_DP_FAMILIES_MAX families, help shorter than
 * IPC_DP_HELP_LEN. */
#define DP_CTRS_MAX          IPC_DP_TCP_MAX
#define DP_CTRS_NAME_LEN     IPC_DP_NAME_LEN
#define DP_CTRS_FAMILIES_MAX IPC_DP_FAMILIES_MAX
#define DP_CTRS_HELP_LEN     IPC_DP_HELP_LEN

/* Add f (kept by reference: static storage) after the families so far.
 * Refused, with one line in err naming the counter, when a published
 * name (prefix + name) is empty, longer than DP_CTRS_NAME_LEN - 1 or not
 * [a-z0-9_], or is taken already; when the family has no help or a bad
 * name; when a help (the family's, or a counter's that is not NULL) is
 * empty, longer than DP_CTRS_HELP_LEN - 1 or not printable ASCII (one
 * line, as cp shows it); when the counters or the families would not
 * fit: past them a counter would be cut from cp's metrics or named
 * wrongly, without a word. The registry is unchanged by a refusal.
 * Registering f again is a no-op. 0 or -E2BIG / -EINVAL / -EEXIST. */
int dp_ctrs_register(const struct dp_ctrs_family *f, char *err, size_t errlen);

/* The counters and the families registered. */
unsigned int dp_ctrs_count(void);
unsigned int dp_ctrs_nfamilies(void);
/* Family i (NULL past the last) and, in *first, the index of its first
 * counter. */
const struct dp_ctrs_family *dp_ctrs_family(unsigned int i, unsigned int *first);
/* Counter i's descriptor (NULL past the last) and its published name
 * (prefix + name) in buf; *fam its family. */
const struct dp_ctrs_desc *dp_ctrs_get(unsigned int i, char *buf, size_t len,
				       const struct dp_ctrs_family **fam);

/* w's values of every counter, in the registry's order, at most max;
 * returns how many. */
unsigned int dp_ctrs_values(const struct dp_worker *w, uint64_t *out, unsigned int max);

/* The names, their help and the families into cp's segment
 * (shm->dp_tcp_names, dp_tcp_help, dp_ntcp, dp_families, dp_nfamilies). */
void dp_ctrs_publish(struct ipc_shm *shm);

/* Forget every family (unit tests). */
void dp_ctrs_reset(void);

#endif /* DP_CTRS_H */
