/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_names.c - the name of every VM the worker has told the UI
 * about, by uuid (worker only). A VM that is gone is reported once, with
 * its name: the operation that removed it and the lifecycle event that
 * follows both find it gone, and by the second report the UI has dropped
 * the VM and could only show the uuid. Kept sorted by uuid: a list costs
 * one sort, a lookup a binary search. The last removals are remembered
 * too, so that a job sent just before one still names its VM. */
#include "be_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"

struct be_name {
	char uuid[VIR_UUID_STRING_BUFLEN];
	char *name;
};

#define BE_NAMES_GONE 64 /* recent removals remembered, for late jobs on them */

struct be_names {
	struct be_name *v;
	size_t n, cap;
	struct be_name gone[BE_NAMES_GONE]; /* a ring: the last removals */
	size_t gone_next;
};

static int be_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct be_name *)a)->uuid, ((const struct be_name *)b)->uuid);
}

static struct be_names *names_of(be_host *h)
{
	if (!h->names)
		h->names = xcalloc(1, sizeof(*h->names));
	return h->names;
}

static void names_clear(struct be_names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	s->n = 0;
}

/* The entry of uuid, or where it would go (*found false). */
static size_t names_find(const struct be_names *s, const char *uuid, bool *found)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid].uuid, uuid);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

void be_names_set_list(be_host *h, const md_vm *vms, size_t n)
{
	struct be_names *s = names_of(h);
	names_clear(s);
	xgrow(&s->v, &s->cap, n, sizeof(*s->v));
	for (size_t i = 0; i < n; i++) {
		memcpy(s->v[i].uuid, vms[i].uuid, sizeof(s->v[i].uuid));
		s->v[i].name = xstrdup(vms[i].name);
	}
	s->n = n;
	if (n > 1)
		qsort(s->v, n, sizeof(*s->v), be_name_cmp);
}

void be_names_put(be_host *h, const char *uuid, const char *name)
{
	struct be_names *s = names_of(h);
	bool found;
	size_t i = names_find(s, uuid, &found);
	if (found) {
		core_str_set(&s->v[i].name, name);
		return;
	}
	xgrow(&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
	snprintf(s->v[i].uuid, sizeof(s->v[i].uuid), "%s", uuid);
	s->v[i].name = xstrdup(name);
	s->n++;
}

const char *be_names_get(const be_host *h, const char *uuid)
{
	const struct be_names *s = h->names;
	bool found;
	size_t i = s ? names_find(s, uuid, &found) : 0;
	if (!s)
		return NULL;
	if (found)
		return s->v[i].name;
	for (i = 0; i < BE_NAMES_GONE; i++) /* a job that came after the removal */
		if (s->gone[i].name && strcmp(s->gone[i].uuid, uuid) == 0)
			return s->gone[i].name;
	return NULL;
}

char *be_names_take(be_host *h, const char *uuid)
{
	struct be_names *s = h->names;
	struct be_name *g;
	bool found;
	size_t i = s ? names_find(s, uuid, &found) : 0;
	if (!s || !found)
		return NULL;
	g = &s->gone[s->gone_next];
	s->gone_next = (s->gone_next + 1) % BE_NAMES_GONE;
	free(g->name);
	*g = s->v[i];
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
	return xstrdup(g->name);
}

void be_names_free(be_host *h)
{
	if (!h->names)
		return;
	names_clear(h->names);
	for (size_t i = 0; i < BE_NAMES_GONE; i++)
		free(h->names->gone[i].name);
	free(h->names->v);
	free(h->names);
	h->names = NULL;
}
