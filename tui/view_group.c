/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/view_group.c - a group selected in the tree: its hosts, with their
 * state and URI; and the pane of an empty tree. */
#include "actions.h"
#include "listview.h"
#include "tree.h"
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/util.h"

enum { COL_NAME, COL_STATE, COL_URI, COL__COUNT };

static const struct tui_list_col group_cols[COL__COUNT] = {
	[COL_NAME] = { "Name", 24, 0, false, 0, true, false, true },
	[COL_STATE] = { "State", 12, 0, false, 1, true, false },
	[COL_URI] = { "URI", 0, 10, false, 2, true, false, true },
};

/* src is the app; the rows are the selected group's hosts, in tree order */
static int sel_group(const struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	return n && n->kind == TUI_NODE_GROUP ? n->group : -1;
}

static const struct core_reg_host *host_at(const struct tui_app *a, size_t i)
{
	int g = sel_group(a);
	return g >= 0 ? tui_tree_group_host(a, (size_t)g, i) : NULL; /* O(1): filed by the tree */
}

/* th's model entry: the model keeps the registry's order, so its index
 * is tried first (a sort of a 100-host group compares ~1400 times: a
 * search of 1000 hosts each was most of a frame's time) */
static const md_host *host_md(const struct tui_app *a, const struct core_reg_host *th)
{
	size_t i = (size_t)(th - a->reg.hosts);
	if (i < a->model->nhosts && a->model->hosts[i]->id == th->id)
		return a->model->hosts[i];
	return md_host_get(a->model, th->id);
}

static size_t group_count(const void *src)
{
	const struct tui_app *a = src;
	int g = sel_group(a);
	return g >= 0 ? tui_group_nhosts(a, (size_t)g) : 0;
}

static int group_cell(const void *src, struct tui_list_ref r, int col, char *buf, size_t len, const struct tui_app *a)
{
	const struct core_reg_host *th = host_at(src, r.i);
	const md_host *h = th ? host_md(a, th) : NULL;
	if (!h)
		return -1;
	switch (col) {
	case COL_NAME: snprintf(buf, len, "%s", h->label); break;
	case COL_STATE:
		snprintf(buf, len, "%s", tui_host_shows_busy(h) ? "busy" : md_host_state_name(h));
		return h->conn == MD_CONN_CONNECTED ? CORE_ROLE_STATE_RUNNING
		       : h->conn == MD_CONN_CONNECTING ? CORE_ROLE_BUSY : CORE_ROLE_DISCONNECTED;
	case COL_URI: snprintf(buf, len, "%s", h->uri); break;
	}
	return -1;
}

static void group_id(const void *src, struct tui_list_ref r, char *buf, size_t len)
{
	const struct core_reg_host *th = host_at(src, r.i);
	snprintf(buf, len, "%d", th ? th->id : -1);
}

static const char *group_name(const void *src, size_t i)
{
	const struct core_reg_host *th = host_at(src, i);
	const md_host *h = th ? host_md(src, th) : NULL;
	return h ? h->label : "";
}

static const struct tui_list_class group_list = {
	.cols = group_cols,
	.ncols = COL__COUNT,
	.count = group_count,
	.cell = group_cell,
	.id = group_id,
	.name = group_name,
};

static const void *group_source(struct tui_listview *v, struct tui_app *a)
{
	(void)v;
	return sel_group(a) >= 0 ? a : NULL;
}

static void group_title(struct tui_listview *v, struct tui_app *a, char *buf, size_t len)
{
	int g = sel_group(a);
	size_t nh;
	char *name;
	(void)v;
	if (g < 0)
		return;
	nh = tui_group_nhosts(a, (size_t)g);
	name = core_sanitize(a->reg.groups[g].name);
	snprintf(buf, len, " Group %s (%zu host%s)", name, nh, nh == 1 ? "" : "s");
	free(name);
}

static const void *group_object(const struct tui_listview *v, const struct tui_list_ref *r)
{
	return host_at(v->src, r->i);
}

static const char *group_empty(struct tui_listview *v, struct tui_app *a)
{
	static char msg[256];
	const struct tui_action *mv = tui_action_by_id("host.move"), *rm = tui_action_by_id("group.remove");
	char km[32] = "", kr[32] = "";
	(void)v;
	(void)a;
	if (mv)
		tui_action_keys(mv, km, sizeof(km));
	if (rm)
		tui_action_keys(rm, kr, sizeof(kr));
	snprintf(msg, sizeof(msg), "No host in this group. Select a host and press %s (Move to Group...) to put it "
				   "here; %s removes the group.", km, kr);
	return msg;
}

/* Enter on a host of the group: select it in the tree. */
static void group_open(struct tui_listview *v, struct tui_app *a)
{
	const struct tui_list_ref *r = tui_list_selected(&v->list);
	const struct core_reg_host *th = r ? host_at(a, r->i) : NULL;
	if (th)
		tui_select_host(a, th->id);
}

static const struct tui_listview_class group_view = {
	.list = &group_list,
	.scope = TUI_SCOPE_GROUP,
	.sort_col = -1,
	.source = group_source,
	.title = group_title,
	.object = group_object,
	.empty = group_empty,
	.open = group_open,
};

struct tui_mode *tui_view_group_new(struct tui_app *a)
{
	return tui_listview_new(a, &group_view);
}

/* ---- an empty tree ---------------------------------------------------------- */

static void none_draw(struct tui_mode *m, struct tui_app *a, WINDOW *w)
{
	const struct tui_action *add = tui_action_by_id("host.add");
	char k[32] = "+";
	char *msg;
	int y = 2;
	(void)m;
	if (add)
		tui_action_keys(add, k, sizeof(k));
	tui_pane_title(a, w, " No host");
	msg = xasprintf("Add a host with %s (File > Add Host...).", k);
	wattrset(w, tui_attr(a, CORE_ROLE_ROW));
	tui_wrap_put(a, w, &y, 2, tui_pane_width(a, w) - 4, getmaxy(w), msg);
	free(msg);
}

static void none_free(struct tui_mode *m)
{
	free(m);
}

static const struct tui_mode_ops none_ops = {
	.name = "none",
	.draw = none_draw,
	.free = none_free,
};

struct tui_mode *tui_view_none_new(struct tui_app *a)
{
	struct tui_mode *m = xcalloc(1, sizeof(*m));
	(void)a;
	m->ops = &none_ops;
	m->host_id = -1;
	return m;
}
