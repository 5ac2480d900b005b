/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/tree.c - the console tree: groups, their hosts, and each host's views
 * (from views.c); building it from the registry, keeping the selection on
 * its node, folding and unfolding, clicks on it. */
#include "app.h"
#include "tree.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "../core/util.h"

/* ---- each group's hosts, looked up once per rebuild ----------------------------- */

/* The group view and the group rows ask for "the i-th host of group g" and
 * "how many in g" for every cell they draw: a scan of every host with a
 * group-name lookup each (1000 hosts: ~10^6 strcmp per frame, most of the
 * UI thread's idle CPU). The rebuild files the hosts by group once; the
 * lookups are O(1) and re-file when the registry moved under them. */
static struct {
	const struct tui_app *a;
	const struct core_reg_host *hosts;
	size_t nhosts, ngroups;
	size_t *start; /* ngroups + 2 offsets into idx; the last group: no group */
	size_t *idx;   /* host indices, filed by group, in registry order */
} tree_groups;

static void tree_groups_file(const struct tui_app *a, const int *gidx)
{
	size_t ng = a->reg.ngroups, *fill;
	free(tree_groups.start);
	free(tree_groups.idx);
	tree_groups.start = xcalloc(ng + 2, sizeof(*tree_groups.start));
	tree_groups.idx = xcalloc(a->reg.nhosts + 1, sizeof(*tree_groups.idx));
	for (size_t i = 0; i < a->reg.nhosts; i++)
		tree_groups.start[(gidx[i] >= 0 && (size_t)gidx[i] < ng ? (size_t)gidx[i] : ng) + 1]++;
	for (size_t g = 0; g <= ng; g++)
		tree_groups.start[g + 1] += tree_groups.start[g];
	fill = xcalloc(ng + 1, sizeof(*fill));
	for (size_t i = 0; i < a->reg.nhosts; i++) {
		size_t g = gidx[i] >= 0 && (size_t)gidx[i] < ng ? (size_t)gidx[i] : ng;
		tree_groups.idx[tree_groups.start[g] + fill[g]++] = i;
	}
	free(fill);
	tree_groups.a = a;
	tree_groups.hosts = a->reg.hosts;
	tree_groups.nhosts = a->reg.nhosts;
	tree_groups.ngroups = ng;
}

static int *tree_group_indices(const struct tui_app *a)
{
	int *gidx = xcalloc(a->reg.nhosts + 1, sizeof(*gidx));
	/* each host's group looked up once: O(hosts x groups), not squared */
	for (size_t i = 0; i < a->reg.nhosts; i++)
		gidx[i] = tui_host_group_index(a, &a->reg.hosts[i]);
	return gidx;
}

static void tree_groups_refile(const struct tui_app *a)
{
	int *gidx = tree_group_indices(a);
	tree_groups_file(a, gidx);
	free(gidx);
}

static void tree_groups_check(const struct tui_app *a)
{
	if (tree_groups.a != a || tree_groups.hosts != a->reg.hosts || tree_groups.nhosts != a->reg.nhosts ||
	    tree_groups.ngroups != a->reg.ngroups || !tree_groups.start)
		tree_groups_refile(a);
}

size_t tui_tree_group_nhosts(const struct tui_app *a, size_t g)
{
	tree_groups_check(a);
	return g < tree_groups.ngroups ? tree_groups.start[g + 1] - tree_groups.start[g] : 0;
}

const struct core_reg_host *tui_tree_group_host(const struct tui_app *a, size_t g, size_t i)
{
	const struct core_reg_host *th;
	for (int pass = 0; pass < 2; pass++) {
		tree_groups_check(a);
		if (g >= tree_groups.ngroups || i >= tree_groups.start[g + 1] - tree_groups.start[g])
			return NULL;
		th = &a->reg.hosts[tree_groups.idx[tree_groups.start[g] + i]];
		if (tui_host_group_index(a, th) == (int)g)
			return th;
		tree_groups_refile(a); /* moved without a rebuild: file again */
	}
	return NULL;
}

/* ---- tree ------------------------------------------------------------------------ */

static void tree_push_host(struct tui_app *a, const struct core_reg_host *th, int depth)
{
	xgrow(&a->nodes, &a->cap_nodes, a->nnodes + 1 + tui_nviews, sizeof(*a->nodes));
	a->nodes[a->nnodes++] = (struct tui_node){ TUI_NODE_HOST, th->id, -1, depth, NULL };
	if (!th->expanded)
		return;
	for (size_t k = 0; k < tui_nviews; k++)
		if (tui_views[k].host_child)
			a->nodes[a->nnodes++] = (struct tui_node){ TUI_NODE_VIEW, th->id, -1, depth + 1, &tui_views[k] };
}

void tui_rebuild_tree(struct tui_app *a)
{
	struct tui_node keep = { -1, -1, -1, 0, NULL };
	size_t i, old_sel = a->tree_sel;
	ssize_t hit = -1, host_row = -1;
	int vis = tui_tree_visible_rows(a);
	if (a->tree_sel < a->nnodes)
		keep = a->nodes[a->tree_sel];
	int *gidx = tree_group_indices(a);
	a->nnodes = 0;
	tree_groups_file(a, gidx);
	for (size_t g = 0; g < a->reg.ngroups; g++) {
		xgrow(&a->nodes, &a->cap_nodes, a->nnodes + 1, sizeof(*a->nodes));
		a->nodes[a->nnodes++] = (struct tui_node){ TUI_NODE_GROUP, -1, (int)g, 0, NULL };
		if (!a->reg.groups[g].expanded)
			continue;
		for (i = 0; i < a->reg.nhosts; i++)
			if (gidx[i] == (int)g)
				tree_push_host(a, &a->reg.hosts[i], 1);
	}
	for (i = 0; i < a->reg.nhosts; i++)
		if (gidx[i] < 0)
			tree_push_host(a, &a->reg.hosts[i], 0);
	free(gidx);
	/* the selection stays on its node; a hidden one goes to its parent */
	for (i = 0; i < a->nnodes && hit < 0; i++) {
		const struct tui_node *n = &a->nodes[i];
		if (keep.kind == TUI_NODE_GROUP) {
			if (n->kind == TUI_NODE_GROUP && n->group == keep.group)
				hit = (ssize_t)i;
		} else if (keep.host_id >= 0 && n->host_id == keep.host_id) {
			if (n->kind == keep.kind && n->view == keep.view)
				hit = (ssize_t)i;
			else if (n->kind == TUI_NODE_HOST)
				host_row = (ssize_t)i;
		}
	}
	if (hit < 0)
		hit = host_row;
	if (hit < 0 && keep.kind != TUI_NODE_GROUP && keep.host_id >= 0) {
		/* a host in a collapsed group: the group */
		const struct core_reg_host *th = tui_host_by_id(a, keep.host_id);
		int g = th ? tui_host_group_index(a, th) : -1;
		for (i = 0; i < a->nnodes && g >= 0 && hit < 0; i++)
			if (a->nodes[i].kind == TUI_NODE_GROUP && a->nodes[i].group == g)
				hit = (ssize_t)i;
	}
	if (hit < 0 && keep.kind == TUI_NODE_GROUP && a->nnodes) /* a group gone: stay put */
		hit = (ssize_t)(old_sel < a->nnodes ? old_sel : a->nnodes - 1);
	a->tree_sel = hit >= 0 ? (size_t)hit : 0;
	if (vis > 0) {
		if (a->tree_top + (size_t)vis > a->nnodes)
			a->tree_top = a->nnodes > (size_t)vis ? a->nnodes - (size_t)vis : 0;
		if (a->tree_sel < a->tree_top)
			a->tree_top = a->tree_sel;
		if (a->tree_sel >= a->tree_top + (size_t)vis)
			a->tree_top = a->tree_sel - (size_t)vis + 1;
	}
	a->dirty |= TUI_DIRTY_TREE | TUI_DIRTY_LIST | TUI_DIRTY_ACTIONS | TUI_DIRTY_ROWS | TUI_DIRTY_RESORT;
}

void tui_select_host(struct tui_app *a, int id)
{
	for (size_t i = 0; i < a->nnodes; i++)
		if (a->nodes[i].host_id == id && a->nodes[i].kind == TUI_NODE_HOST)
			tui_tree_select(a, i);
}

void tui_select_group(struct tui_app *a, size_t gi)
{
	for (size_t i = 0; i < a->nnodes; i++)
		if (a->nodes[i].kind == TUI_NODE_GROUP && a->nodes[i].group == (int)gi)
			tui_tree_select(a, i);
}

/* The selected node's parent (a host's view: the host; a host in a group:
 * the group); false when it is at the top. */
static bool tree_to_parent(struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	if (!n || n->depth == 0)
		return false;
	for (size_t i = a->tree_sel; i-- > 0;)
		if (a->nodes[i].depth < n->depth) {
			tui_tree_select(a, i);
			return true;
		}
	return false;
}

bool *tui_tree_node_open(struct tui_app *a, const struct tui_node *n)
{
	struct core_reg_host *th;
	if (n->kind == TUI_NODE_GROUP && (size_t)n->group < a->reg.ngroups)
		return &a->reg.groups[n->group].expanded;
	if (n->kind == TUI_NODE_HOST && (th = tui_host_by_id(a, n->host_id)) != NULL)
		return &th->expanded;
	return NULL;
}

/* Left / Right on the tree: collapse (or go to the parent) / expand. */
void tui_tree_expand(struct tui_app *a, bool expand)
{
	const struct tui_node *n = tui_sel_node(a);
	bool *open = n ? tui_tree_node_open(a, n) : NULL;
	if (!n)
		return;
	if (!open) { /* a host's view */
		if (!expand)
			tree_to_parent(a);
		return;
	}
	if (*open != expand) {
		*open = expand;
		tui_rebuild_tree(a);
	} else if (!expand) {
		tree_to_parent(a);
	}
}

/* A click on a group's or host's arrow, or a double click on its row. */
void tui_tree_toggle(struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	bool *open = n ? tui_tree_node_open(a, n) : NULL;
	if (open)
		tui_tree_expand(a, !*open);
}

void tui_tree_click(struct tui_app *a, int y, int x, bool dbl)
{
	size_t i = a->tree_top + (size_t)(y - 2);
	a->focus = TUI_PANE_TREE;
	if (y >= 2 && i < a->nnodes) {
		const struct tui_node *n = &a->nodes[i];
		bool folds = n->kind == TUI_NODE_HOST || n->kind == TUI_NODE_GROUP;
		int arrow_x = 2 * n->depth;
		bool on_arrow = folds && x >= arrow_x && x <= arrow_x + 1;
		tui_tree_select(a, i);
		if (on_arrow || (dbl && folds))
			tui_tree_toggle(a);
	}
}

