/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/hostreg.c - the console's hosts and groups (see hostreg.h). */
#include "hostreg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static void strv_add(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static void strv_free(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	xfree(v);
	*n = 0;
}

static bool strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

void core_hostreg_init(core_hostreg *r)
{
	memset(r, 0, sizeof(*r));
}

static void host_clear(struct core_reg_host *h)
{
	free(h->uri);
	free(h->name);
	free(h->group);
}

void core_hostreg_merged(core_hostreg *r)
{
	strv_free(&r->removed_uris, &r->nremoved_uris);
	strv_free(&r->group_renames, &r->ngroup_renames);
	strv_free(&r->removed_groups, &r->nremoved_groups);
}

void core_hostreg_free(core_hostreg *r)
{
	for (size_t i = 0; i < r->nhosts; i++)
		host_clear(&r->hosts[i]);
	free(r->hosts);
	for (size_t i = 0; i < r->ngroups; i++)
		free(r->groups[i].name);
	free(r->groups);
	core_hostreg_merged(r);
	core_hostreg_init(r);
}

struct core_reg_host *core_hostreg_get(const core_hostreg *r, int id)
{
	for (size_t i = 0; i < r->nhosts; i++)
		if (r->hosts[i].id == id)
			return &r->hosts[i];
	return NULL;
}

struct core_reg_host *core_hostreg_find_uri(const core_hostreg *r, const char *uri)
{
	for (size_t i = 0; uri && i < r->nhosts; i++)
		if (strcmp(r->hosts[i].uri, uri) == 0)
			return &r->hosts[i];
	return NULL;
}

int core_hostreg_add(core_hostreg *r, const char *uri, const char *name, const char *group, bool saved,
		     bool demo, bool *is_new)
{
	struct core_reg_host *h = core_hostreg_find_uri(r, uri);
	if (is_new)
		*is_new = h == NULL;
	if (h)
		return h->id;
	xgrow(&r->hosts, &r->cap_hosts, r->nhosts + 1, sizeof(*r->hosts));
	h = &r->hosts[r->nhosts++];
	memset(h, 0, sizeof(*h));
	h->id = r->next_id++;
	h->uri = xstrdup(uri);
	h->name = name && *name ? xstrdup(name) : NULL;
	h->expanded = true;
	h->saved = saved;
	h->demo = demo;
	if (group && *group) {
		int id = h->id;
		size_t gi = core_hostreg_group_add(r, group); /* may move r->groups */
		core_hostreg_get(r, id)->group = xstrdup(r->groups[gi].name);
	}
	return h->id;
}

void core_hostreg_remove(core_hostreg *r, int id)
{
	struct core_reg_host *h = core_hostreg_get(r, id);
	size_t i;
	if (!h)
		return;
	i = (size_t)(h - r->hosts);
	if (h->saved)
		strv_add(&r->removed_uris, &r->nremoved_uris, h->uri);
	host_clear(h);
	memmove(&r->hosts[i], &r->hosts[i + 1], (r->nhosts - i - 1) * sizeof(*r->hosts));
	r->nhosts--;
}

void core_hostreg_unsave(core_hostreg *r, int id)
{
	struct core_reg_host *h = core_hostreg_get(r, id);
	if (!h || !h->saved)
		return;
	h->saved = false;
	strv_add(&r->removed_uris, &r->nremoved_uris, h->uri);
}

void core_hostreg_set_name(core_hostreg *r, int id, const char *name)
{
	struct core_reg_host *h = core_hostreg_get(r, id);
	if (h)
		core_str_set(&h->name, name && *name ? name : NULL);
}

void core_hostreg_set_group(core_hostreg *r, int id, const char *group)
{
	struct core_reg_host *h = core_hostreg_get(r, id);
	if (!h)
		return;
	if (group && *group) {
		size_t gi = core_hostreg_group_add(r, group);
		core_str_set(&h->group, r->groups[gi].name);
		r->groups[gi].expanded = true; /* show where it went */
	} else {
		xfree(&h->group);
	}
}

int core_hostreg_group_find(const core_hostreg *r, const char *name)
{
	for (size_t i = 0; name && i < r->ngroups; i++)
		if (strcmp(r->groups[i].name, name) == 0)
			return (int)i;
	return -1;
}

int core_hostreg_group_find_nocase(const core_hostreg *r, const char *name)
{
	for (size_t i = 0; name && i < r->ngroups; i++)
		if (strcasecmp(r->groups[i].name, name) == 0)
			return (int)i;
	return -1;
}

size_t core_hostreg_group_add(core_hostreg *r, const char *name)
{
	int gi = core_hostreg_group_find(r, name);
	if (gi >= 0)
		return (size_t)gi;
	xgrow(&r->groups, &r->cap_groups, r->ngroups + 1, sizeof(*r->groups));
	r->groups[r->ngroups].name = xstrdup(name);
	r->groups[r->ngroups].expanded = true;
	return r->ngroups++;
}

int core_hostreg_host_group(const core_hostreg *r, const struct core_reg_host *h)
{
	return h->group ? core_hostreg_group_find(r, h->group) : -1;
}

size_t core_hostreg_group_nhosts(const core_hostreg *r, size_t gi)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nhosts; i++)
		n += core_hostreg_host_group(r, &r->hosts[i]) == (int)gi;
	return n;
}

void core_hostreg_group_rename(core_hostreg *r, size_t gi, const char *name)
{
	char *old;
	if (gi >= r->ngroups || strcmp(r->groups[gi].name, name) == 0)
		return;
	old = r->groups[gi].name;
	for (size_t i = 0; i < r->nhosts; i++)
		if (core_str_eq(r->hosts[i].group, old))
			core_str_set(&r->hosts[i].group, name);
	strv_add(&r->group_renames, &r->ngroup_renames, old);
	strv_add(&r->group_renames, &r->ngroup_renames, name);
	r->groups[gi].name = xstrdup(name);
	free(old);
}

void core_hostreg_group_remove(core_hostreg *r, size_t gi)
{
	if (gi >= r->ngroups)
		return;
	for (size_t i = 0; i < r->nhosts; i++)
		if (core_str_eq(r->hosts[i].group, r->groups[gi].name))
			xfree(&r->hosts[i].group);
	strv_add(&r->removed_groups, &r->nremoved_groups, r->groups[gi].name);
	free(r->groups[gi].name);
	memmove(&r->groups[gi], &r->groups[gi + 1], (r->ngroups - gi - 1) * sizeof(*r->groups));
	r->ngroups--;
}

void core_hostreg_merge(const core_hostreg *r, struct core_conf *c)
{
	char **old;
	size_t nold;
	for (size_t i = 0; i < r->nremoved_uris; i++)
		if (!core_hostreg_find_uri(r, r->removed_uris[i]) || !core_hostreg_find_uri(r, r->removed_uris[i])->saved)
			core_conf_remove_host(c, r->removed_uris[i]);
	for (size_t k = 0; k + 1 < r->ngroup_renames; k += 2)
		for (size_t i = 0; i < c->nhosts; i++)
			if (core_str_eq(c->hosts[i].group, r->group_renames[k]))
				core_str_set(&c->hosts[i].group, r->group_renames[k + 1]);
	for (size_t k = 0; k < r->nremoved_groups; k++)
		for (size_t i = 0; i < c->nhosts; i++)
			if (core_str_eq(c->hosts[i].group, r->removed_groups[k]) &&
			    core_hostreg_group_find(r, r->removed_groups[k]) < 0)
				xfree(&c->hosts[i].group);
	/* the registry's groups in its order; then any the file got elsewhere */
	old = c->groups;
	nold = c->ngroups;
	c->groups = NULL;
	c->ngroups = 0;
	for (size_t i = 0; i < r->ngroups; i++)
		core_conf_add_group(c, r->groups[i].name);
	for (size_t i = 0; i < nold; i++) {
		bool gone = strv_has(r->removed_groups, r->nremoved_groups, old[i]);
		for (size_t k = 0; k + 1 < r->ngroup_renames; k += 2)
			gone |= strcmp(old[i], r->group_renames[k]) == 0;
		if (!gone)
			core_conf_add_group(c, old[i]);
	}
	strv_free(&old, &nold);
	for (size_t i = 0; i < r->nhosts; i++) {
		const struct core_reg_host *h = &r->hosts[i];
		struct core_conf_host *e;
		if (!h->saved)
			continue;
		if ((e = core_conf_find_host(c, h->uri)) != NULL) {
			core_str_set(&e->name, h->name);
			core_str_set(&e->group, h->group);
			e->autoconnect = true;
		} else {
			core_conf_add_host(c, h->uri, h->name, h->group);
		}
	}
}
