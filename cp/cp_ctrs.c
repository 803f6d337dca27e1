/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp's counters' registry (cp_ctrs.h): the families in registration
 * order, checked once, and the one way status and the metrics show them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cp.h"
#include "cp_ctrs.h"
#include "tp_common.h"

static const struct cp_ctrs_desc cp_desc[] = {
#define CP_STAT(e, n) { n, CP_CTRS_COUNTER, 0, NULL },
#include "cp_stats.def"
#undef CP_STAT
};

_Static_assert(sizeof(cp_desc) / sizeof(cp_desc[0]) == CP_STAT__COUNT, "cp's counters");
_Static_assert(CP_STAT__COUNT <= CP_CTRS_FAMILY_MAX, "cp's counters: too many for a family");

static void
cp_values(const struct cp_ctx *cp, uint64_t *out)
{
	memcpy(out, cp->stats, sizeof(cp->stats));
}

const struct cp_ctrs_family cp_ctrs_cp = {
	.name = "cp",
	.prefix = "",
	.metric = "turnpike_cp_",
	.rank = CP_METRICS_RELAYED + 1,
	.desc = cp_desc,
	.n = CP_STAT__COUNT,
	.values = cp_values,
};

static const char *const err_code_names[CP_ERR__COUNT] = {
#define CP_ERR_CODE(c) #c,
#include "cp_err_codes.def"
#undef CP_ERR_CODE
	"other",
};

const char *
cp_err_code_name(unsigned int i)
{
	return i < CP_ERR__COUNT ? err_code_names[i] : "?";
}

static bool
name_ok(const char *s, bool empty_ok)
{
	return s != NULL && (*s != '\0' || empty_ok) && tp_ctr_name_chars(s);
}

static bool
help_ok(const char *s)
{
	return *s != '\0' && tp_printable(s, strlen(s));
}

/* Counter i of f's metric name into buf (0), or -1 when it would not fit. */
static int
metric_name(const struct cp_ctrs_family *f, unsigned int i, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s%s%s", f->metric, f->prefix, f->desc[i].name,
			 f->desc[i].kind == CP_CTRS_COUNTER ? "_total" : "");

	return n >= 0 && (size_t)n < len ? 0 : -1;
}

/* Is counter i of f's metric name, or its status key, taken: by a
 * family registered, or by a counter of f before it? Status keys are
 * shared by the families with a rank only (status's "stats"). */
static bool
taken(const struct cp_ctx *cp, const struct cp_ctrs_family *f, unsigned int i)
{
	char m1[CP_CTRS_NAME_LEN], m2[CP_CTRS_NAME_LEN];
	char k1[CP_CTRS_NAME_LEN], k2[CP_CTRS_NAME_LEN];

	(void)metric_name(f, i, m1, sizeof(m1));
	snprintf(k1, sizeof(k1), "%s%s", f->prefix, f->desc[i].name);
	for (unsigned int k = 0; k <= cp->ctrs.n; k++) {
		const struct cp_ctrs_family *g = k < cp->ctrs.n ? cp->ctrs.fam[k] : f;
		unsigned int n = k < cp->ctrs.n ? g->n : i;

		for (unsigned int j = 0; j < n; j++) {
			(void)metric_name(g, j, m2, sizeof(m2));
			snprintf(k2, sizeof(k2), "%s%s", g->prefix, g->desc[j].name);
			if (strcmp(m1, m2) == 0 ||
			    ((g == f || (f->rank != 0 && g->rank != 0)) && strcmp(k1, k2) == 0))
				return true;
		}
	}
	return false;
}

int
cp_ctrs_register(struct cp_ctx *cp, const struct cp_ctrs_family *f, char *err, size_t errlen)
{
	char buf[CP_CTRS_NAME_LEN];

	for (unsigned int i = 0; i < cp->ctrs.n; i++)
		if (cp->ctrs.fam[i] == f)
			return 0;
	if (!name_ok(f->name, false) || !name_ok(f->prefix, true) ||
	    !name_ok(f->metric, false) || f->values == NULL || f->n == 0 || f->desc == NULL) {
		snprintf(err, errlen, "cp's counter family '%s' is not well formed",
			 f->name != NULL ? f->name : "(null)");
		return -EINVAL;
	}
	if (cp->ctrs.n == CP_CTRS_FAMILIES_MAX || f->n > CP_CTRS_FAMILY_MAX) {
		snprintf(err, errlen, "cp's counter family '%s' does not fit (%u families of "
			 "%u counters at most)", f->name, CP_CTRS_FAMILIES_MAX, CP_CTRS_FAMILY_MAX);
		return -E2BIG;
	}
	for (unsigned int i = 0; i < f->n; i++) {
		const struct cp_ctrs_desc *d = &f->desc[i];

		if (!name_ok(d->name, false) || (d->help != NULL && !help_ok(d->help)) ||
		    metric_name(f, i, buf, sizeof(buf)) < 0) {
			snprintf(err, errlen, "cp's counter '%s' of family '%s' is not well formed",
				 d->name != NULL ? d->name : "(null)", f->name);
			return -EINVAL;
		}
		if (taken(cp, f, i)) {
			snprintf(err, errlen, "cp's counter '%s%s' of family '%s' is named twice",
				 f->prefix, d->name, f->name);
			return -EEXIST;
		}
	}
	cp->ctrs.fam[cp->ctrs.n++] = f;
	return 0;
}

void
cp_ctrs_reset(struct cp_ctx *cp)
{
	cp->ctrs.n = 0;
}

void
cp_ctrs_values(const struct cp_ctx *cp, const struct cp_ctrs_family *f, uint64_t *out)
{
	memset(out, 0, sizeof(*out) * f->n);
	f->values(cp, out);
}

void
cp_ctrs_json(const struct cp_ctx *cp, const struct cp_ctrs_family *f, struct json_object *o)
{
	uint64_t v[CP_CTRS_FAMILY_MAX];
	char key[CP_CTRS_NAME_LEN];

	cp_ctrs_values(cp, f, v);
	for (unsigned int i = 0; i < f->n; i++) {
		snprintf(key, sizeof(key), "%s%s", f->prefix, f->desc[i].name);
		json_object_object_add(o, key, json_object_new_int64((int64_t)v[i]));
	}
}

void
cp_ctrs_head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
cp_ctrs_one(FILE *out, const char *name, const char *type, const char *help, uint64_t v)
{
	cp_ctrs_head(out, name, type, help);
	fprintf(out, "%s %llu\n", name, (unsigned long long)v);
}

void
cp_ctrs_metrics(const struct cp_ctx *cp, const struct cp_ctrs_family *f, FILE *out)
{
	uint64_t v[CP_CTRS_FAMILY_MAX];
	char name[CP_CTRS_NAME_LEN], help[CP_CTRS_NAME_LEN + 40];

	cp_ctrs_values(cp, f, v);
	for (unsigned int i = 0; i < f->n; i++) {
		const struct cp_ctrs_desc *d = &f->desc[i];

		if (d->flags & CP_CTRS_NO_METRIC)
			continue;
		(void)metric_name(f, i, name, sizeof(name));
		if (d->help == NULL)
			snprintf(help, sizeof(help), "cp counter %s%s (turnpikectl status)",
				 f->prefix, d->name);
		cp_ctrs_one(out, name, d->kind == CP_CTRS_COUNTER ? "counter" : "gauge",
			    d->help != NULL ? d->help : help, v[i]);
	}
}

void
cp_ctrs_json_ranked(const struct cp_ctx *cp, struct json_object *o)
{
	for (unsigned int i = 0; i < cp->ctrs.n; i++)
		if (cp->ctrs.fam[i]->rank != 0)
			cp_ctrs_json(cp, cp->ctrs.fam[i], o);
}

void
cp_ctrs_metrics_ranked(const struct cp_ctx *cp, FILE *out, unsigned int lo, unsigned int hi)
{
	unsigned int r = lo;

	if (lo == 0)
		r = 1;
	while (r < hi) {
		unsigned int next = hi;

		for (unsigned int i = 0; i < cp->ctrs.n; i++) {
			unsigned int fr = cp->ctrs.fam[i]->rank;

			if (fr == r)
				cp_ctrs_metrics(cp, cp->ctrs.fam[i], out);
			else if (fr > r && fr < next)
				next = fr;
		}
		r = next;
	}
}
