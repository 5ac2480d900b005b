/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/view_pools.c - the Storage Pools view: a host's pools, each with its
 * volumes nested under it. */
#include "actions.h"
#include "listview.h"
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/util.h"

enum { COL_NAME, COL_STATE, COL_TYPE, COL_AUTO, COL_CAP, COL_ALLOC, COL_AVAIL, COL_PATH, COL_USERS, COL__COUNT };

/* Volume rows share the columns: Type is the volume's format, Used by
 * the VMs whose disks use it; State, Autostart, Available stay empty. */
static const struct tui_list_col pool_cols[COL__COUNT] = {
	[COL_NAME] = { "Name", 0, 16, false, 0, true, false, true },
	[COL_STATE] = { "State", 8, 0, false, 1, true, false },
	[COL_TYPE] = { "Type", 7, 0, false, 2, true, false, true },
	[COL_AUTO] = { "Autostart", 9, 0, false, 7, true, false },
	[COL_CAP] = { "Capacity", 11, 0, true, 3, true, false },
	[COL_ALLOC] = { "Allocation", 11, 0, true, 5, true, false },
	[COL_AVAIL] = { "Available", 11, 0, true, 4, true, false },
	[COL_PATH] = { "Path", 28, 0, false, 8, true, false, true },
	[COL_USERS] = { "Used by", 14, 0, false, 6, false, false, true },
};

static const md_pool *pool_at(const void *src, size_t i)
{
	return &((const md_host *)src)->pools[i];
}

static size_t pools_count(const void *src)
{
	return ((const md_host *)src)->npools;
}

static size_t pools_children(const void *src, size_t i)
{
	return pool_at(src, i)->nvols;
}

static void fmt_bytes(unsigned long long b, char *buf, size_t len)
{
	core_fmt_bytes(b, buf, len);
}

static void vol_users(const md_vol *v, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < v->nusers && k + 1 < len; i++) {
		int n = snprintf(buf + k, len - k, "%s%s", i ? ", " : "", v->users[i] ? v->users[i] : "");
		if (n < 0)
			break;
		k += (size_t)n;
	}
}

static int vol_cell(const md_vol *v, int col, char *buf, size_t len)
{
	switch (col) {
	case COL_NAME: snprintf(buf, len, "  %s", v->name ? v->name : ""); break;
	case COL_TYPE: snprintf(buf, len, "%s", v->format ? v->format : ""); break;
	case COL_CAP: fmt_bytes(v->capacity, buf, len); break;
	case COL_ALLOC: fmt_bytes(v->allocation, buf, len); break;
	case COL_PATH: snprintf(buf, len, "%s", v->path ? v->path : ""); break;
	case COL_USERS: vol_users(v, buf, len); break;
	}
	return -1;
}

static int pools_cell(const void *src, struct tui_list_ref r, int col, char *buf, size_t len, const struct tui_app *a)
{
	const md_pool *p = pool_at(src, r.i);
	(void)a;
	if (r.child >= 0)
		return vol_cell(&p->vols[r.child], col, buf, len);
	switch (col) {
	case COL_NAME: snprintf(buf, len, "%s", p->name ? p->name : ""); break;
	case COL_STATE:
		snprintf(buf, len, "%s", p->active ? "active" : "inactive");
		return p->active ? CORE_ROLE_STATE_RUNNING : CORE_ROLE_STATE_SHUTOFF;
	case COL_TYPE: snprintf(buf, len, "%s", p->type ? p->type : ""); break;
	case COL_AUTO: snprintf(buf, len, "%s", p->autostart ? "yes" : "no"); break;
	case COL_CAP: fmt_bytes(p->capacity, buf, len); break;
	case COL_ALLOC: fmt_bytes(p->allocation, buf, len); break;
	case COL_AVAIL: fmt_bytes(p->available, buf, len); break;
	case COL_PATH: snprintf(buf, len, "%s", p->path ? p->path : ""); break;
	}
	return -1;
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

static int pools_cmp(const void *src, size_t i, size_t j, int col, const struct tui_app *a)
{
	const md_pool *x = pool_at(src, i), *y = pool_at(src, j);
	(void)a;
	switch (col) {
	case COL_STATE: return CMP(x->active, y->active);
	case COL_AUTO: return CMP(x->autostart, y->autostart);
	case COL_CAP: return CMP(x->capacity, y->capacity);
	case COL_ALLOC: return CMP(x->allocation, y->allocation);
	case COL_AVAIL: return CMP(x->available, y->available);
	case COL_TYPE: return strcmp(x->type ? x->type : "", y->type ? y->type : "");
	case COL_PATH: return strcmp(x->path ? x->path : "", y->path ? y->path : "");
	}
	return 0;
}

static void pools_id(const void *src, struct tui_list_ref r, char *buf, size_t len)
{
	const md_pool *p = pool_at(src, r.i);
	if (r.child >= 0)
		snprintf(buf, len, "%s/%s", p->name, p->vols[r.child].name);
	else
		snprintf(buf, len, "%s", p->name);
}

static const char *pools_name(const void *src, size_t i)
{
	return pool_at(src, i)->name;
}

static uint64_t pools_gen(const void *src)
{
	return ((const md_host *)src)->pools_gen;
}

static const struct tui_list_class pools_list = {
	.cols = pool_cols,
	.ncols = COL__COUNT,
	.count = pools_count,
	.nchildren = pools_children,
	.cell = pools_cell,
	.cmp = pools_cmp,
	.gen = pools_gen,
	.id = pools_id,
	.name = pools_name,
};

static void pools_title(struct tui_listview *v, struct tui_app *a, char *buf, size_t len)
{
	const md_host *h = v->src;
	(void)a;
	tui_listview_host_title(v, "Storage Pools", h ? h->npools : 0, buf, len);
}

static const void *pools_object(const struct tui_listview *v, const struct tui_list_ref *r)
{
	const md_host *h = v->src;
	return r->i < h->npools ? &h->pools[r->i] : NULL;
}

static const char *pools_empty(struct tui_listview *v, struct tui_app *a)
{
	const md_host *h = v->src;
	(void)a;
	return h && h->npools ? "No pool matches the filter." : "No storage pools on this host.";
}

static const struct tui_listview_class pools_view;

/* Pool actions act on the pool of the selected row, a pool's or one of its
 * volumes' (pools_object gives the pool for both); volume actions on the
 * volume row selected. */
const md_vol *tui_sel_vol(const struct tui_app *a)
{
	const struct tui_listview *v = (const struct tui_listview *)a->pane;
	const struct tui_list_ref *r;
	const md_host *h;
	if (!v || v->mode.ops != &tui_listview_ops || v->cls != &pools_view || !(h = v->src))
		return NULL;
	r = tui_list_selected(&v->list);
	if (!r || r->child < 0 || r->i >= h->npools || (size_t)r->child >= h->pools[r->i].nvols)
		return NULL;
	return &h->pools[r->i].vols[r->child];
}

static const struct tui_listview_class pools_view = {
	.list = &pools_list,
	.scope = TUI_SCOPE_POOL,
	.sort_col = COL_NAME,
	.source = tui_listview_host_source,
	.title = pools_title,
	.object = pools_object,
	.empty = pools_empty,
	.stale = tui_listview_host_stale,
};

struct tui_mode *tui_view_pools_new(struct tui_app *a)
{
	return tui_listview_new(a, &pools_view);
}

size_t tui_view_pools_count(const md_host *h)
{
	return h->npools;
}
