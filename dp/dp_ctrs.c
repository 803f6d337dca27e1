/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The counters' registry (dp_ctrs.h): families in registration order,
 * each counter's index the sum of the families' sizes before it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dp_ctrs.h"
#include "tp_common.h"

static struct {
	const struct dp_ctrs_family *fam[DP_CTRS_FAMILIES_MAX];
	unsigned int first[DP_CTRS_FAMILIES_MAX];
	unsigned int nfam;
	unsigned int n;
} reg;

static bool
name_ok(const char *s)
{
	return *s != '\0' && tp_ctr_name_chars(s);
}

/* A help cp can show as it is: 1 to DP_CTRS_HELP_LEN - 1 characters of
 * printable ASCII (no newline: the metrics' text is line by line). */
static bool
help_ok(const char *s)
{
	size_t len = strnlen(s, DP_CTRS_HELP_LEN);

	return len != 0 && len != DP_CTRS_HELP_LEN && tp_printable(s, len);
}

/* Is the published name s taken by a counter registered before? */
static bool
taken(const char *s)
{
	char other[DP_CTRS_NAME_LEN];

	for (unsigned int i = 0; i < reg.n; i++) {
		(void)dp_ctrs_get(i, other, sizeof(other), NULL);
		if (strcmp(other, s) == 0)
			return true;
	}
	return false;
}

int
dp_ctrs_register(const struct dp_ctrs_family *f, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < reg.nfam; i++)
		if (reg.fam[i] == f)
			return 0;
	if (reg.nfam == DP_CTRS_FAMILIES_MAX) {
		snprintf(err, errlen, "dp's counter family '%s' is one more than the %u cp's "
			 "shared memory holds (IPC_DP_FAMILIES_MAX)", f->name, DP_CTRS_FAMILIES_MAX);
		return -E2BIG;
	}
	if (f->name == NULL || !name_ok(f->name) || strlen(f->name) >= DP_CTRS_NAME_LEN ||
	    f->help == NULL || !help_ok(f->help) || f->values == NULL ||
	    (f->n > 0 && f->desc == NULL)) {
		snprintf(err, errlen, "dp's counter family '%s' is not well formed",
			 f->name != NULL ? f->name : "(null)");
		return -EINVAL;
	}
	if (reg.n + f->n > DP_CTRS_MAX) {
		snprintf(err, errlen, "dp has %u counters with family '%s', more than the %u "
			 "cp's shared memory holds (IPC_DP_TCP_MAX)", reg.n + f->n, f->name,
			 DP_CTRS_MAX);
		return -E2BIG;
	}
	for (unsigned int k = 0; k < f->n; k++) {
		const struct dp_ctrs_desc *d = &f->desc[k];
		char nm[2 * DP_CTRS_NAME_LEN];
		int len = snprintf(nm, sizeof(nm), "%s%s", f->prefix != NULL ? f->prefix : "",
				   d->name != NULL ? d->name : "");

		if (len <= 0 || (unsigned int)len >= DP_CTRS_NAME_LEN || !name_ok(nm)) {
			snprintf(err, errlen, "dp's counter %u of family '%s', '%s', is not 1-%u "
				 "characters of [a-z0-9_] (IPC_DP_NAME_LEN)", k, f->name, nm,
				 DP_CTRS_NAME_LEN - 1);
			return len > 0 && (unsigned int)len >= DP_CTRS_NAME_LEN ? -E2BIG : -EINVAL;
		}
		if ((d->help != NULL && !help_ok(d->help)) ||
		    (d->kind != DP_CTRS_COUNTER && d->kind != DP_CTRS_GAUGE)) {
			snprintf(err, errlen, "dp's counter '%s' has no kind, or a help that is "
				 "empty, not one line of printable ASCII or not shorter than %u "
				 "(IPC_DP_HELP_LEN)", nm, DP_CTRS_HELP_LEN);
			return -EINVAL;
		}
		/* (within the family too: the ones before k are not
		 * registered yet) */
		for (unsigned int j = 0; j < k; j++)
			if (strcmp(d->name, f->desc[j].name) == 0)
				goto dup;
		if (taken(nm)) {
dup:
			snprintf(err, errlen, "dp's counter '%s' (family '%s') is there twice",
				 nm, f->name);
			return -EEXIST;
		}
	}
	reg.fam[reg.nfam] = f;
	reg.first[reg.nfam] = reg.n;
	reg.nfam++;
	reg.n += f->n;
	return 0;
}

unsigned int
dp_ctrs_count(void)
{
	return reg.n;
}

unsigned int
dp_ctrs_nfamilies(void)
{
	return reg.nfam;
}

const struct dp_ctrs_family *
dp_ctrs_family(unsigned int i, unsigned int *first)
{
	if (i >= reg.nfam)
		return NULL;
	if (first != NULL)
		*first = reg.first[i];
	return reg.fam[i];
}

const struct dp_ctrs_desc *
dp_ctrs_get(unsigned int i, char *buf, size_t len, const struct dp_ctrs_family **fam)
{
	for (unsigned int k = 0; k < reg.nfam; k++) {
		const struct dp_ctrs_family *f = reg.fam[k];

		if (i < reg.first[k] || i >= reg.first[k] + f->n)
			continue;
		if (buf != NULL && len > 0)
			snprintf(buf, len, "%s%s", f->prefix != NULL ? f->prefix : "",
				 f->desc[i - reg.first[k]].name);
		if (fam != NULL)
			*fam = f;
		return &f->desc[i - reg.first[k]];
	}
	return NULL;
}

unsigned int
dp_ctrs_values(const struct dp_worker *w, uint64_t *out, unsigned int max)
{
	uint64_t v[DP_CTRS_MAX];
	uint64_t *to = reg.n <= max ? out : v;

	/* each family writes its n whole: straight into out when all fit */
	for (unsigned int k = 0; k < reg.nfam; k++)
		reg.fam[k]->values(w, to + reg.first[k]);
	if (to == out)
		return reg.n;
	memcpy(out, v, max * sizeof(v[0]));
	return max;
}

void
dp_ctrs_publish(struct ipc_shm *shm)
{
	unsigned int n = reg.n < IPC_DP_TCP_MAX ? reg.n : IPC_DP_TCP_MAX;

	for (unsigned int i = 0; i < n; i++) {
		const struct dp_ctrs_desc *d = dp_ctrs_get(i, shm->dp_tcp_names[i],
							   IPC_DP_NAME_LEN, NULL);

		snprintf(shm->dp_tcp_help[i], IPC_DP_HELP_LEN, "%s",
			 d->help != NULL ? d->help : "");
	}
	shm->dp_ntcp = n;
	for (unsigned int k = 0; k < reg.nfam; k++) {
		struct ipc_dp_family *d = &shm->dp_families[k];
		const struct dp_ctrs_family *f = reg.fam[k];

		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", f->name);
		d->first = (uint16_t)reg.first[k];
		d->count = (uint16_t)f->n;
		d->prefix_len = (uint16_t)(f->prefix != NULL ? strlen(f->prefix) : 0);
		snprintf(d->help, sizeof(d->help), "%s", f->help);
	}
	shm->dp_nfamilies = reg.nfam;
}

void
dp_ctrs_reset(void)
{
	memset(&reg, 0, sizeof(reg));
}
