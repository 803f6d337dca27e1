/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The registry of cp's counters, as dp has its own (dp/dp_ctrs.h): each
 * module describes its counters once, as a family (a name, the prefixes
 * its counters are published under, one descriptor a counter: name,
 * kind, help; and the function that reads their values in the same
 * order), and `turnpikectl status` and the metrics show every family the
 * same way, by the names published. cp's own counters (cp->stats, which
 * several modules count) are the first family; a module's are given in
 * its descriptor (cp_module_types.h) and registered with the list
 * (cp_modules_use()).
 *
 * A family with a rank is the hubs' to show: in status's "stats" object,
 * in registration order, and in the metrics' text at its rank
 * (cp_module_types.h, enum cp_metrics_rank). One without is shown by its
 * module's own status and metrics hooks, inside their parts
 * (cp_ctrs_json(), cp_ctrs_metrics()).
 *
 * Naming and showing only: a module counts as it did, in its own words,
 * and nothing here runs but when status or a scrape asks.
 */
#ifndef CP_CTRS_H
#define CP_CTRS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cp_ctx;
struct json_object;

/* Families cp may have, and counters one family may have. */
#define CP_CTRS_FAMILIES_MAX 16u
#define CP_CTRS_FAMILY_MAX   64u
/* The longest metric name: metric + prefix + name + "_total". */
#define CP_CTRS_NAME_LEN     128u

/* How a counter moves: only up (events), or up and down (a level). */
enum cp_ctrs_kind {
	CP_CTRS_COUNTER = 0,
	CP_CTRS_GAUGE = 1,
};

/* flags of a counter: in status only, never a metric (its metric was
 * never published, and a new name is an operator-visible change). */
#define CP_CTRS_NO_METRIC 0x1u

struct cp_ctrs_desc {
	const char *name;          /* after the family's prefix */
	enum cp_ctrs_kind kind;
	unsigned int flags;        /* CP_CTRS_* */
	/* the metric's help, one line; NULL: "cp counter PREFIXNAME
	 * (turnpikectl status)" */
	const char *help;
};

struct cp_ctrs_family {
	const char *name;          /* what cp calls the family: "cp", "acct" */
	/* before each counter's name in status (and after metric in the
	 * metric's): "acct_"; "" for none */
	const char *prefix;
	/* before prefix and name in the metric's ("turnpike_cp_"), which a
	 * counter ends with "_total" */
	const char *metric;
	/* where the hubs show it (status's "stats", the metrics' text at
	 * this rank); 0: its module's own hooks do */
	unsigned int rank;
	const struct cp_ctrs_desc *desc;
	unsigned int n;
	/* the n values in desc's order: zeros when the module has nothing
	 * (its group not configured: the names are the same on every box,
	 * so that dashboards do not depend on the configuration) */
	void (*values)(const struct cp_ctx *cp, uint64_t *out);
};

/* In struct cp_ctx: the families registered, in order. */
struct cp_ctrs {
	const struct cp_ctrs_family *fam[CP_CTRS_FAMILIES_MAX];
	unsigned int n;
};

/* cp's own counters (cp->stats, enum cp_stat): the first family. */
extern const struct cp_ctrs_family cp_ctrs_cp;
/* The name status and the metrics give error code i of cp's error
 * responses (cp->err_by_code, enum cp_err: "400" ... "other"); "?" past
 * them. */
const char *cp_err_code_name(unsigned int i);

/*
 * Add f (kept by reference: static storage) after the families so far.
 * Refused, with one line in err naming the counter, when a name (the
 * family's, a counter's) is empty or not [a-z0-9_], when a published
 * name is taken already (the metric's by any family; the status key by
 * another family with a rank, which share status's "stats") or would be
 * longer than CP_CTRS_NAME_LEN - 1, when a help is empty or not printable
 * ASCII, and when the families or the family's counters would not fit.
 * The registry is unchanged by a refusal; registering f again is a
 * no-op. 0 or -E2BIG / -EINVAL / -EEXIST.
 */
int cp_ctrs_register(struct cp_ctx *cp, const struct cp_ctrs_family *f, char *err,
		     size_t errlen);
/* Forget every family. */
void cp_ctrs_reset(struct cp_ctx *cp);

/* The one reader: f's values (n of them, at most CP_CTRS_FAMILY_MAX)
 * into out. */
void cp_ctrs_values(const struct cp_ctx *cp, const struct cp_ctrs_family *f, uint64_t *out);

/* f's counters into JSON object o, each as prefix + name. */
void cp_ctrs_json(const struct cp_ctx *cp, const struct cp_ctrs_family *f, struct json_object *o);
/* f's counters as Prometheus text, each with its HELP and TYPE (a
 * CP_CTRS_NO_METRIC one left out). */
void cp_ctrs_metrics(const struct cp_ctx *cp, const struct cp_ctrs_family *f, FILE *out);

/* The Prometheus text's lines for what is not a family's counter: the
 * "# HELP" and "# TYPE" of a metric; those and its one sample. */
void cp_ctrs_head(FILE *out, const char *name, const char *type, const char *help);
void cp_ctrs_one(FILE *out, const char *name, const char *type, const char *help, uint64_t v);

/* The hubs': every family with a rank into o (status's "stats"), in
 * registration order; and as metrics those whose rank is in [lo, hi),
 * by rank, then in registration order. */
void cp_ctrs_json_ranked(const struct cp_ctx *cp, struct json_object *o);
void cp_ctrs_metrics_ranked(const struct cp_ctx *cp, FILE *out, unsigned int lo,
			    unsigned int hi);

#endif /* CP_CTRS_H */
