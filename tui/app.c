/* tui/app.c - the console: hosts, the tree, the results rows, layout, the
 * UI thread's loop. The loop polls stdin, the backend's message queue and
 * the next timer; drains messages into the model; marks panes dirty; and
 * redraws once per pass (wnoutrefresh ... one doupdate). */
#include "app.h"
#include "actions.h"
#include "console.h"
#include "dialog.h"
#include "nav.h"

#include <errno.h>
#include <locale.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "../core/conf.h"
#include "../core/sanitize.h"
#include "../core/util.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_LINES 24

static volatile sig_atomic_t tui_sig_quit;
static struct termios tui_saved_tio;
static bool tui_saved_tio_ok;
static bool tui_curses_on;

/* ---- lookups ------------------------------------------------------------------ */

struct tui_host *tui_host_by_id(struct tui_app *a, int id)
{
	for (size_t i = 0; i < a->nhosts; i++)
		if (a->hosts[i].id == id)
			return &a->hosts[i];
	return NULL;
}

const struct tui_node *tui_sel_node(const struct tui_app *a)
{
	return a->tree_sel < a->nnodes ? &a->nodes[a->tree_sel] : NULL;
}

const md_host *tui_sel_host(const struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	return n ? md_host_get(a->model, n->host_id) : NULL;
}

bool tui_list_is_vms(const struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	return n && (n->kind == TUI_NODE_HOST || n->kind == TUI_NODE_VMS);
}

const md_vm *tui_sel_vm(const struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	if (!h || !tui_list_is_vms(a) || a->list_sel >= a->nrows || a->rows[a->list_sel] >= h->nvms)
		return NULL;
	return &h->vms[a->rows[a->list_sel]];
}

void tui_status(struct tui_app *a, bool error, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	md_set_status(a->model, error, "%s", s);
	free(s);
	a->dirty |= TUI_DIRTY_STATUS;
}

/* ---- hosts --------------------------------------------------------------------- */

int tui_add_host(struct tui_app *a, const char *uri, const char *name, const char *group, bool saved, bool demo)
{
	struct tui_host *th;
	md_host *h;
	for (size_t i = 0; i < a->nhosts; i++) {
		const md_host *o = md_host_get(a->model, a->hosts[i].id);
		if (o && strcmp(o->uri, uri) == 0)
			return a->hosts[i].id;
	}
	xgrow(&a->hosts, &a->cap_hosts, a->nhosts + 1, sizeof(*a->hosts));
	th = &a->hosts[a->nhosts++];
	memset(th, 0, sizeof(*th));
	th->id = a->next_host_id++;
	th->expanded = true;
	th->saved = saved;
	th->demo = demo;
	if (group && *group) {
		size_t gi = tui_group_add(a, group);
		th->group = xstrdup(a->groups[gi].name);
	}
	h = md_host_add(a->model, th->id, uri);
	h->demo = demo;
	h->conn = MD_CONN_CONNECTING;
	tui_host_set_name(a, th->id, name);
	th->be = be_host_new(th->id, uri);
	a->dirty |= TUI_DIRTY_ALL;
	tui_rebuild_tree(a);
	return th->id;
}

void tui_host_set_name(struct tui_app *a, int id, const char *name)
{
	struct tui_host *th = tui_host_by_id(a, id);
	md_host *h = md_host_get(a->model, id);
	if (!th || !h)
		return;
	core_str_set(&th->name, name && *name ? name : NULL);
	if (th->name || th->demo) {
		core_str_set(&h->label, th->name ? th->name : "Demo host");
	} else {
		free(h->label);
		h->label = md_host_default_label(h->uri);
	}
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_host_set_group(struct tui_app *a, int id, const char *group)
{
	struct tui_host *th = tui_host_by_id(a, id);
	if (!th)
		return;
	if (group && *group) {
		size_t gi = tui_group_add(a, group);
		core_str_set(&th->group, a->groups[gi].name);
		a->groups[gi].expanded = true; /* show where it went */
	} else {
		xfree(&th->group);
	}
	tui_rebuild_tree(a);
	a->dirty |= TUI_DIRTY_ALL;
}

static void str_list_add(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static void str_list_free(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	xfree(v);
	*n = 0;
}

void tui_remove_host(struct tui_app *a, int id)
{
	const md_host *h = md_host_get(a->model, id);
	for (size_t i = 0; i < a->nhosts; i++) {
		if (a->hosts[i].id != id)
			continue;
		if (a->hosts[i].saved && h)
			str_list_add(&a->removed_uris, &a->nremoved_uris, h->uri);
		tui_prompt_cancel_host(a, id); /* a worker waiting for an answer */
		be_host_free(&a->hosts[i].be, 200);
		free(a->hosts[i].name);
		free(a->hosts[i].group);
		memmove(&a->hosts[i], &a->hosts[i + 1], (a->nhosts - i - 1) * sizeof(*a->hosts));
		a->nhosts--;
		md_host_remove(a->model, id);
		tui_rebuild_tree(a);
		tui_save_config(a);
		a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
		return;
	}
}

void tui_save_config(struct tui_app *a)
{
	struct core_conf c;
	char *err = NULL;
	if (!a->opts->config_path)
		return;
	core_conf_init(&c);
	if (core_conf_load(a->opts->config_path, &c, &err) != 0) {
		tui_status(a, true, "Config not saved: %s (fix the file, nothing was overwritten)", err);
		free(err);
		core_conf_free(&c);
		return;
	}
	/* The file is the truth for all but what the user changed here: the
	 * saved hosts removed, the groups renamed or removed (also for the
	 * file's hosts the tree does not show: autoconnect = no, or not opened
	 * because URIs were given on the command line), the tree's groups and
	 * the saved hosts with their names and groups. */
	for (size_t i = 0; i < a->nremoved_uris; i++)
		core_conf_remove_host(&c, a->removed_uris[i]);
	for (size_t r = 0; r + 1 < a->ngroup_renames; r += 2)
		for (size_t i = 0; i < c.nhosts; i++)
			if (core_str_eq(c.hosts[i].group, a->group_renames[r]))
				core_str_set(&c.hosts[i].group, a->group_renames[r + 1]);
	for (size_t r = 0; r < a->nremoved_groups; r++)
		for (size_t i = 0; i < c.nhosts; i++)
			if (core_str_eq(c.hosts[i].group, a->removed_groups[r]) &&
			    tui_group_find(a, a->removed_groups[r]) < 0)
				xfree(&c.hosts[i].group);
	{
		/* the tree's groups in its order; then any the file got elsewhere */
		char **old = c.groups;
		size_t nold = c.ngroups;
		c.groups = NULL;
		c.ngroups = 0;
		for (size_t i = 0; i < a->ngroups; i++)
			core_conf_add_group(&c, a->groups[i].name);
		for (size_t i = 0; i < nold; i++) {
			bool gone = false;
			for (size_t r = 0; r < a->nremoved_groups; r++)
				gone |= strcmp(old[i], a->removed_groups[r]) == 0;
			for (size_t r = 0; r + 1 < a->ngroup_renames; r += 2)
				gone |= strcmp(old[i], a->group_renames[r]) == 0;
			if (!gone)
				core_conf_add_group(&c, old[i]);
		}
		str_list_free(&old, &nold);
	}
	for (size_t i = 0; i < a->nhosts; i++) {
		const struct tui_host *th = &a->hosts[i];
		const md_host *h = md_host_get(a->model, th->id);
		struct core_conf_host *e;
		if (!h || !th->saved)
			continue;
		if ((e = core_conf_find_host(&c, h->uri)) != NULL) {
			core_str_set(&e->name, th->name);
			core_str_set(&e->group, th->group);
			e->autoconnect = true;
		} else {
			core_conf_add_host(&c, h->uri, th->name, th->group);
		}
	}
	if (core_conf_save(a->opts->config_path, &c, &err) != 0) {
		tui_status(a, true, "Config not saved: %s", err);
		free(err);
	} else {
		/* in the file now */
		str_list_free(&a->removed_uris, &a->nremoved_uris);
		str_list_free(&a->group_renames, &a->ngroup_renames);
		str_list_free(&a->removed_groups, &a->nremoved_groups);
	}
	core_conf_free(&c);
}

/* For hosts.c: what the next save applies to the file's other hosts. */
void tui_note_group_renamed(struct tui_app *a, const char *from, const char *to)
{
	str_list_add(&a->group_renames, &a->ngroup_renames, from);
	str_list_add(&a->group_renames, &a->ngroup_renames, to);
}

void tui_note_group_removed(struct tui_app *a, const char *name)
{
	str_list_add(&a->removed_groups, &a->nremoved_groups, name);
}

void tui_note_host_unsaved(struct tui_app *a, const char *uri)
{
	str_list_add(&a->removed_uris, &a->nremoved_uris, uri);
}

void tui_config_notes_free(struct tui_app *a)
{
	str_list_free(&a->removed_uris, &a->nremoved_uris);
	str_list_free(&a->group_renames, &a->ngroup_renames);
	str_list_free(&a->removed_groups, &a->nremoved_groups);
}

/* ---- tree and rows ------------------------------------------------------------ */

static void tree_push_host(struct tui_app *a, const struct tui_host *th, int depth)
{
	static const int kinds[] = { TUI_NODE_VMS, TUI_NODE_NETS, TUI_NODE_POOLS };
	xgrow(&a->nodes, &a->cap_nodes, a->nnodes + 4, sizeof(*a->nodes));
	a->nodes[a->nnodes++] = (struct tui_node){ TUI_NODE_HOST, th->id, -1, depth };
	if (!th->expanded)
		return;
	for (size_t k = 0; k < CORE_ARRAY_LEN(kinds); k++)
		a->nodes[a->nnodes++] = (struct tui_node){ kinds[k], th->id, -1, depth + 1 };
}

void tui_rebuild_tree(struct tui_app *a)
{
	struct tui_node keep = { -1, -1, -1, 0 };
	size_t i, old_sel = a->tree_sel;
	ssize_t hit = -1, host_row = -1;
	int vis = tui_tree_visible_rows(a);
	if (a->tree_sel < a->nnodes)
		keep = a->nodes[a->tree_sel];
	a->nnodes = 0;
	for (size_t g = 0; g < a->ngroups; g++) {
		xgrow(&a->nodes, &a->cap_nodes, a->nnodes + 1, sizeof(*a->nodes));
		a->nodes[a->nnodes++] = (struct tui_node){ TUI_NODE_GROUP, -1, (int)g, 0 };
		if (!a->groups[g].expanded)
			continue;
		for (i = 0; i < a->nhosts; i++)
			if (tui_host_group_index(a, &a->hosts[i]) == (int)g)
				tree_push_host(a, &a->hosts[i], 1);
	}
	for (i = 0; i < a->nhosts; i++)
		if (tui_host_group_index(a, &a->hosts[i]) < 0)
			tree_push_host(a, &a->hosts[i], 0);
	/* the selection stays on its node; a hidden one goes to its parent */
	for (i = 0; i < a->nnodes && hit < 0; i++) {
		const struct tui_node *n = &a->nodes[i];
		if (keep.kind == TUI_NODE_GROUP) {
			if (n->kind == TUI_NODE_GROUP && n->group == keep.group)
				hit = (ssize_t)i;
		} else if (keep.host_id >= 0 && n->host_id == keep.host_id) {
			if (n->kind == keep.kind)
				hit = (ssize_t)i;
			else if (n->kind == TUI_NODE_HOST)
				host_row = (ssize_t)i;
		}
	}
	if (hit < 0)
		hit = host_row;
	if (hit < 0 && keep.kind != TUI_NODE_GROUP && keep.host_id >= 0) {
		/* a host in a collapsed group: the group */
		const struct tui_host *th = tui_host_by_id(a, keep.host_id);
		int g = th ? tui_host_group_index(a, th) : -1;
		for (i = 0; i < a->nnodes && g >= 0 && hit < 0; i++)
			if (a->nodes[i].kind == TUI_NODE_GROUP && a->nodes[i].group == g)
				hit = (ssize_t)i;
	}
	if (hit < 0 && keep.kind == TUI_NODE_GROUP && a->nnodes) /* a group gone: stay put */
		hit = (ssize_t)(old_sel < a->nnodes ? old_sel : a->nnodes - 1);
	a->tree_sel = hit >= 0 ? (size_t)hit : 0;
	/* and in view */
	if (vis > 0) {
		if (a->tree_top + (size_t)vis > a->nnodes)
			a->tree_top = a->nnodes > (size_t)vis ? a->nnodes - (size_t)vis : 0;
		if (a->tree_sel < a->tree_top)
			a->tree_top = a->tree_sel;
		if (a->tree_sel >= a->tree_top + (size_t)vis)
			a->tree_top = a->tree_sel - (size_t)vis + 1;
	}
	a->dirty |= TUI_DIRTY_TREE | TUI_DIRTY_LIST | TUI_DIRTY_ACTIONS | TUI_DIRTY_ROWS;
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

/* A live figure for sorting: -1 when absent (below every real figure). */
static double live_key(const md_vm *v, int col, bool cpu_host)
{
	const core_stats_rate *r = &v->rate;
	switch (col) {
	case TUI_COL_CPU:
		if (cpu_host)
			return r->have & CORE_RATE_CPU_HOST ? r->cpu_host_pct : -1;
		return r->have & CORE_RATE_CPU ? r->cpu_pct : -1;
	case TUI_COL_MEMUSED: return r->have & CORE_RATE_MEM ? (double)r->mem_used_kib : -1;
	case TUI_COL_DISKRD: return r->have & CORE_RATE_DISK ? r->rd_bps : -1;
	case TUI_COL_DISKWR: return r->have & CORE_RATE_DISK ? r->wr_bps : -1;
	case TUI_COL_IOPS: return r->have & CORE_RATE_DISK ? r->rd_iops + r->wr_iops : -1;
	case TUI_COL_NETRX: return r->have & CORE_RATE_NET ? r->rx_bps : -1;
	case TUI_COL_NETTX: return r->have & CORE_RATE_NET ? r->tx_bps : -1;
	}
	return -1;
}

static int vm_cmp(const md_vm *x, const md_vm *y, int col, bool cpu_host)
{
	int r = 0;
	if (tui_col_is_live(col)) {
		double kx = live_key(x, col, cpu_host), ky = live_key(y, col, cpu_host);
		r = (kx > ky) - (kx < ky);
	}
	switch (col) {
	case TUI_COL_STATE: r = x->state - y->state; break;
	case TUI_COL_VCPUS: r = (x->vcpus > y->vcpus) - (x->vcpus < y->vcpus); break;
	case TUI_COL_MEM: r = (x->mem_kib > y->mem_kib) - (x->mem_kib < y->mem_kib); break;
	case TUI_COL_AUTO: r = (int)x->autostart - (int)y->autostart; break;
	case TUI_COL_UPTIME: {
		int64_t ux = md_vm_state_active(x->state) && x->started_wall ? x->started_wall : INT64_MAX;
		int64_t uy = md_vm_state_active(y->state) && y->started_wall ? y->started_wall : INT64_MAX;
		r = (ux < uy) - (ux > uy);
		break;
	}
	default: break;
	}
	if (r == 0)
		r = strcmp(x->name ? x->name : "", y->name ? y->name : "");
	if (r == 0)
		r = strcmp(x->uuid, y->uuid);
	return r;
}

struct sort_ctx {
	const md_vm *vms;
	int col;
	bool desc;
	bool cpu_host;
};

static int row_cmp(const void *pa, const void *pb, void *pc)
{
	const struct sort_ctx *c = pc;
	int r = vm_cmp(&c->vms[*(const size_t *)pa], &c->vms[*(const size_t *)pb], c->col, c->cpu_host);
	return c->desc ? -r : r;
}

void tui_rebuild_rows(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	const struct tui_node *n = tui_sel_node(a);
	size_t count = 0;
	a->nrows = 0;
	a->dirty &= ~(unsigned)TUI_DIRTY_ROWS;
	if (!h || !n)
		return;
	if (n->kind == TUI_NODE_NETS)
		count = h->nnets;
	else if (n->kind == TUI_NODE_POOLS)
		count = h->npools;
	else
		count = h->nvms;
	xgrow(&a->rows, &a->cap_rows, count + 1, sizeof(*a->rows));
	for (size_t i = 0; i < count; i++) {
		if (tui_list_is_vms(a) && a->filter[0] && !strcasestr(h->vms[i].name ? h->vms[i].name : "", a->filter))
			continue;
		a->rows[a->nrows++] = i;
	}
	if (tui_list_is_vms(a)) {
		struct sort_ctx c = { h->vms, a->sort_col, a->sort_desc, tui_perf_cpu_of_host(a) };
		qsort_r(a->rows, a->nrows, sizeof(*a->rows), row_cmp, &c);
		/* the selection stays on the same VM when rows move */
		if (a->sel_uuid[0]) {
			for (size_t i = 0; i < a->nrows; i++) {
				if (strcmp(h->vms[a->rows[i]].uuid, a->sel_uuid) == 0) {
					a->list_sel = i;
					break;
				}
			}
		}
	}
	if (a->list_sel >= a->nrows)
		a->list_sel = a->nrows ? a->nrows - 1 : 0;
	{
		const md_vm *v = tui_sel_vm(a);
		if (v)
			memcpy(a->sel_uuid, v->uuid, sizeof(a->sel_uuid));
	}
	/* keep the selection visible */
	{
		int vis = tui_list_visible_rows(a);
		if (vis < 1)
			vis = 1;
		if (a->list_sel < a->list_top)
			a->list_top = a->list_sel;
		if (a->list_sel >= a->list_top + (size_t)vis)
			a->list_top = a->list_sel - (size_t)vis + 1;
		if (a->list_top + (size_t)vis > a->nrows)
			a->list_top = a->nrows > (size_t)vis ? a->nrows - (size_t)vis : 0;
	}
}

/* ---- layout ---------------------------------------------------------------------- */

static void drop_win(WINDOW **w, PANEL **p)
{
	if (*p)
		del_panel(*p);
	if (*w)
		delwin(*w);
	*p = NULL;
	*w = NULL;
}

static void mode_drop_window(struct tui_mode *m);
static void mode_window(struct tui_app *a, struct tui_mode *m);

void tui_layout(struct tui_app *a)
{
	int body;
	getmaxyx(stdscr, a->lines, a->cols);
	drop_win(&a->w_menu, &a->p_menu);
	drop_win(&a->w_tree, &a->p_tree);
	drop_win(&a->w_list, &a->p_list);
	drop_win(&a->w_actions, &a->p_actions);
	drop_win(&a->w_status, &a->p_status);
	a->too_small = a->cols < TUI_MIN_COLS || a->lines < TUI_MIN_LINES;
	if (a->too_small) {
		/* keep the values, drop the windows until there is room again */
		for (size_t i = 0; i < a->ndialogs; i++)
			mode_drop_window(&a->dialogs[i]->mode);
		a->dirty |= TUI_DIRTY_ALL;
		clearok(curscr, TRUE);
		return;
	}
	body = a->lines - 2;
	a->tree_w = a->cols >= 130 ? 30 : 24;
	a->actions_visible = a->show_actions && a->cols >= 100;
	a->actions_w = a->actions_visible ? (a->cols >= 130 ? 28 : 24) : 0;
	a->w_menu = newwin(1, a->cols, 0, 0);
	a->w_tree = newwin(body, a->tree_w, 1, 0);
	if (a->fullscreen && a->view == TUI_VIEW_CONSOLE)
		a->w_list = newwin(a->lines, a->cols, 0, 0); /* the console gets the whole terminal */
	else
		a->w_list = newwin(body, a->cols - a->tree_w - a->actions_w, 1, a->tree_w);
	if (a->actions_visible)
		a->w_actions = newwin(body, a->actions_w, 1, a->cols - a->actions_w);
	a->w_status = newwin(1, a->cols, a->lines - 1, 0);
	a->p_menu = new_panel(a->w_menu);
	a->p_tree = new_panel(a->w_tree);
	a->p_list = new_panel(a->w_list);
	if (a->w_actions)
		a->p_actions = new_panel(a->w_actions);
	a->p_status = new_panel(a->w_status);
	if (a->fullscreen && a->view == TUI_VIEW_CONSOLE)
		top_panel(a->p_list);
	if (!a->actions_visible && a->focus == TUI_PANE_ACTIONS)
		a->focus = TUI_PANE_LIST;
	/* dialogs stay on top, re-centred, their values kept */
	for (size_t i = 0; i < a->ndialogs; i++) {
		struct tui_mode *m = &a->dialogs[i]->mode;
		if (m->ops->resize)
			m->ops->resize(m, a, a->lines, a->cols);
		mode_drop_window(m);
		mode_window(a, m);
	}
	if (a->menu_open >= 0 && a->p_drop) {
		del_panel(a->p_drop);
		delwin(a->w_drop);
		a->p_drop = NULL;
		a->w_drop = NULL;
	}
	clearok(curscr, TRUE);
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
}

/* ---- the mode stack ------------------------------------------------------------------ */
/* TEMPORARY (dialogs branch): the smallest stack that runs the dialogs as
 * modes until the modes branch lands with the real one. Every stack mode
 * is a dialog here (a->dialogs); replies are routed by (host, seq). */

struct mode_expect {
	struct tui_mode *m;
	int host_id;
	uint64_t seq;
};
static struct mode_expect *expects;
static size_t nexpects, cap_expects;

static void mode_drop_window(struct tui_mode *m)
{
	if (m->panel) {
		del_panel(m->panel);
		m->panel = NULL;
	}
	if (m->win) {
		delwin(m->win);
		m->win = NULL;
	}
}

/* The window follows the mode's size and place (they change with its page). */
static void mode_window(struct tui_app *a, struct tui_mode *m)
{
	if (m->win && (getmaxy(m->win) != m->h || getmaxx(m->win) != m->w || getbegy(m->win) != m->y ||
		       getbegx(m->win) != m->x))
		mode_drop_window(m);
	if (m->win || a->too_small || m->h <= 0 || m->w <= 0)
		return;
	m->win = newwin(m->h, m->w, m->y, m->x);
	if (!m->win)
		return;
	keypad(m->win, TRUE);
	m->panel = new_panel(m->win);
}

void tui_mode_push(struct tui_app *a, struct tui_mode *m)
{
	xgrow(&a->dialogs, &a->cap_dialogs, a->ndialogs + 1, sizeof(*a->dialogs));
	a->dialogs[a->ndialogs++] = (struct tui_dialog *)m;
	a->menu_open = -1;
	if (m->ops->resize)
		m->ops->resize(m, a, a->lines, a->cols);
	mode_window(a, m);
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_push_dialog(struct tui_app *a, struct tui_dialog *d)
{
	tui_mode_push(a, &d->mode);
}

struct tui_mode *tui_mode_top(const struct tui_app *a)
{
	return a->ndialogs ? &a->dialogs[a->ndialogs - 1]->mode : NULL;
}

void tui_mode_expect(struct tui_app *a, struct tui_mode *m, int host_id, uint64_t seq)
{
	xgrow(&expects, &cap_expects, nexpects + 1, sizeof(*expects));
	expects[nexpects++] = (struct mode_expect){ m, host_id, seq };
}

static void forget_expects(struct tui_mode *m)
{
	for (size_t i = 0; i < nexpects;)
		if (expects[i].m == m)
			expects[i] = expects[--nexpects];
		else
			i++;
}

void tui_mode_pop(struct tui_app *a, struct tui_mode *m)
{
	for (size_t i = 0; i < a->ndialogs; i++) {
		if (&a->dialogs[i]->mode != m)
			continue;
		memmove(a->dialogs + i, a->dialogs + i + 1, (a->ndialogs - i - 1) * sizeof(*a->dialogs));
		a->ndialogs--;
		forget_expects(m);
		mode_drop_window(m);
		if (m->ops->done)
			m->ops->done(m, a);
		m->ops->free(m);
		break;
	}
	a->dirty |= TUI_DIRTY_ALL;
}

/* An answer to a job a mode sent goes to its reply(); true when one took it. */
static bool route_reply(struct tui_app *a, const md_msg *msg)
{
	for (size_t i = 0; i < nexpects; i++) {
		struct tui_mode *m = expects[i].m;
		if (expects[i].host_id != msg->host_id || expects[i].seq != msg->seq)
			continue;
		expects[i] = expects[--nexpects];
		if (m->ops->reply)
			m->ops->reply(m, a, msg);
		mode_window(a, m);
		a->dirty |= TUI_DIRTY_ALL;
		return true;
	}
	return false;
}

static void free_modes(struct tui_app *a)
{
	while (a->ndialogs) {
		struct tui_mode *m = &a->dialogs[--a->ndialogs]->mode;
		mode_drop_window(m);
		m->ops->free(m);
	}
	free(a->dialogs);
	xfree(&expects);
	nexpects = cap_expects = 0;
}

void tui_submit_vm(struct tui_app *a, int op)
{
	const md_host *h = tui_sel_host(a);
	const md_vm *v = tui_sel_vm(a);
	struct tui_host *th = h ? tui_host_by_id(a, h->id) : NULL;
	if (!th || !v)
		return;
	be_host_submit(th->be, op, v->uuid, NULL, 0);
	tui_status(a, false, "%s '%s'...", be_op_name(op), v->name);
}

/* ---- messages -------------------------------------------------------------------- */

static void on_host_state(struct tui_app *a, const md_msg *m)
{
	struct tui_host *th = tui_host_by_id(a, m->host_id);
	const md_host *h = md_host_get(a->model, m->host_id);
	if (!th || !h)
		return;
	if (m->conn == MD_CONN_FAILED && th->fallback_local && !a->demo_opened && a->opts->demo_uri) {
		const char *err = m->text ? m->text : "no answer";
		int id;
		a->demo_opened = true;
		id = tui_add_host(a, a->opts->demo_uri, NULL, NULL, false, true);
		tui_select_host(a, id);
		tui_status(a, true, "No local hypervisor answered at %s (%s): showing the demo host", h->uri, err);
	} else if ((m->conn == MD_CONN_FAILED && !th->fallback_local) || m->conn == MD_CONN_DISCONNECTED) {
		tui_status(a, true, "%s %s: %s%s", h->label, m->conn == MD_CONN_FAILED ? "failed" : "disconnected",
			   m->text ? m->text : "", m->retry_s > 0 ? " (retrying)" : "");
	}
}

static void drain_messages(struct tui_app *a)
{
	void *item;
	while ((item = core_msgq_pop(a->queue)) != NULL) {
		md_msg *m = item;
		int dirty;
		bool for_sel_host = tui_sel_host(a) && tui_sel_host(a)->id == m->host_id;
		if (m->type == MD_MSG_VM_DISKS) {
			route_reply(a, m);
			md_msg_free(&m);
			continue;
		}
		if (m->type == MD_MSG_CONSOLE) {
			tui_console_msg(a, m);
			md_msg_free(&m);
			continue;
		}
		if (m->type == MD_MSG_PROMPT) {
			tui_prompt_msg(a, m);
			md_msg_free(&m);
			continue;
		}
		if (m->type == MD_MSG_VM_REMOVED && for_sel_host && strcmp(m->uuid, a->sel_uuid) == 0 &&
		    !(a->model->status && strstr(a->model->status, "Deleted"))) {
			const md_vm *v = md_vm_find(md_host_get(a->model, m->host_id), m->uuid);
			tui_status(a, false, "'%s' no longer exists on this host", v ? v->name : m->uuid);
		}
		dirty = md_apply(a->model, m);
		if (m->type == MD_MSG_HOST_STATE)
			on_host_state(a, m);
		if (m->type == MD_MSG_STATS)
			tui_perf_msg(a, m);
		if ((dirty & MD_DIRTY_LIVE) && for_sel_host)
			a->dirty |= TUI_DIRTY_LIST | (tui_col_is_live(a->sort_col) ? TUI_DIRTY_ROWS : 0);
		if (dirty & MD_DIRTY_TREE)
			a->dirty |= TUI_DIRTY_TREE | TUI_DIRTY_ACTIONS | TUI_DIRTY_STATUS;
		if ((dirty & MD_DIRTY_LIST) && for_sel_host)
			a->dirty |= TUI_DIRTY_LIST | TUI_DIRTY_ROWS | TUI_DIRTY_ACTIONS;
		if (dirty & MD_DIRTY_STATUS)
			a->dirty |= TUI_DIRTY_STATUS;
		md_msg_free(&m);
	}
}


/* ---- navigation ---------------------------------------------------------------- */

void tui_tree_select(struct tui_app *a, size_t i)
{
	if (i >= a->nnodes)
		return;
	if (i != a->tree_sel) {
		a->tree_sel = i;
		a->list_sel = 0;
		a->list_top = 0;
		a->sel_uuid[0] = '\0';
		a->action_sel = 0;
	}
	{
		int vis = tui_tree_visible_rows(a);
		if (a->tree_sel < a->tree_top)
			a->tree_top = a->tree_sel;
		if (vis > 0 && a->tree_sel >= a->tree_top + (size_t)vis)
			a->tree_top = a->tree_sel - (size_t)vis + 1;
	}
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
}

static void list_select(struct tui_app *a, size_t i)
{
	const md_vm *v;
	if (a->nrows == 0)
		return;
	if (i >= a->nrows)
		i = a->nrows - 1;
	a->list_sel = i;
	v = tui_sel_vm(a);
	if (v)
		memcpy(a->sel_uuid, v->uuid, sizeof(a->sel_uuid));
	a->dirty |= TUI_DIRTY_LIST | TUI_DIRTY_ACTIONS | TUI_DIRTY_ROWS;
}

static size_t step(size_t cur, size_t n, int how, int page)
{
	if (n == 0)
		return 0;
	switch (how) {
	case TUI_NAV_UP: return cur > 0 ? cur - 1 : 0;
	case TUI_NAV_DOWN: return cur + 1 < n ? cur + 1 : n - 1;
	case TUI_NAV_PGUP: return cur > (size_t)page ? cur - (size_t)page : 0;
	case TUI_NAV_PGDN: return cur + (size_t)page < n ? cur + (size_t)page : n - 1;
	case TUI_NAV_HOME: return 0;
	case TUI_NAV_END: return n - 1;
	}
	return cur;
}

/* The selected node's parent (a host's list: the host; a host in a group:
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

/* Left / Right on the tree: collapse (or go to the parent) / expand. */
static void tree_expand(struct tui_app *a, bool expand)
{
	const struct tui_node *n = tui_sel_node(a);
	struct tui_host *th;
	bool *open = NULL;
	if (!n)
		return;
	if (n->kind == TUI_NODE_GROUP && (size_t)n->group < a->ngroups)
		open = &a->groups[n->group].expanded;
	else if (n->kind == TUI_NODE_HOST && (th = tui_host_by_id(a, n->host_id)) != NULL)
		open = &th->expanded;
	if (!open) { /* a host's list */
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
static void tree_toggle(struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	struct tui_host *th;
	if (!n)
		return;
	if (n->kind == TUI_NODE_GROUP && (size_t)n->group < a->ngroups)
		tree_expand(a, !a->groups[n->group].expanded);
	else if (n->kind == TUI_NODE_HOST && (th = tui_host_by_id(a, n->host_id)) != NULL)
		tree_expand(a, !th->expanded);
}

void tui_nav(struct tui_app *a, int how)
{
	const struct tui_action *acts[64];
	size_t nacts;
	int panes = a->actions_visible ? 3 : 2;
	switch (how) {
	case TUI_NAV_NEXT_PANE:
		a->focus = (a->focus + 1) % panes;
		a->dirty |= TUI_DIRTY_ALL;
		return;
	case TUI_NAV_PREV_PANE:
		a->focus = (a->focus + panes - 1) % panes;
		a->dirty |= TUI_DIRTY_ALL;
		return;
	}
	switch (a->focus) {
	case TUI_PANE_TREE:
		if (how == TUI_NAV_LEFT)
			tree_expand(a, false);
		else if (how == TUI_NAV_RIGHT) {
			const struct tui_node *n = tui_sel_node(a);
			struct tui_host *th = n ? tui_host_by_id(a, n->host_id) : NULL;
			if (n && n->kind == TUI_NODE_HOST && th && !th->expanded)
				tree_expand(a, true);
			else if (n && n->kind == TUI_NODE_GROUP && (size_t)n->group < a->ngroups &&
				 !a->groups[n->group].expanded)
				tree_expand(a, true);
			else
				a->focus = TUI_PANE_LIST;
		} else if (how == TUI_NAV_OPEN)
			a->focus = TUI_PANE_LIST;
		else
			tui_tree_select(a, step(a->tree_sel, a->nnodes, how, tui_tree_visible_rows(a) - 1));
		a->dirty |= TUI_DIRTY_ALL;
		break;
	case TUI_PANE_LIST:
		if (how == TUI_NAV_LEFT)
			a->focus = TUI_PANE_TREE;
		else if (how == TUI_NAV_RIGHT && a->actions_visible)
			a->focus = TUI_PANE_ACTIONS;
		else if (how == TUI_NAV_OPEN) {
			const md_vm *v = tui_sel_vm(a);
			/* a running VM: its serial console; else its properties */
			if (v && (v->state == MD_VM_RUNNING || v->state == MD_VM_BLOCKED || v->state == MD_VM_PAUSED))
				tui_action_run(a, tui_action_by_id("vm.console"));
			else if (v)
				tui_action_run(a, tui_action_by_id("vm.properties"));
		} else if (how != TUI_NAV_RIGHT)
			list_select(a, step(a->list_sel, a->nrows, how, tui_list_visible_rows(a) - 1));
		a->dirty |= TUI_DIRTY_ALL;
		break;
	case TUI_PANE_ACTIONS:
		nacts = tui_pane_actions(a, acts, 64);
		if (how == TUI_NAV_LEFT)
			a->focus = TUI_PANE_LIST;
		else if (how == TUI_NAV_OPEN) {
			if (a->action_sel < nacts)
				tui_action_run(a, acts[a->action_sel]);
		} else if (how != TUI_NAV_RIGHT)
			a->action_sel = step(a->action_sel, nacts, how, 5);
		a->dirty |= TUI_DIRTY_ALL;
		break;
	}
}

/* ---- input ---------------------------------------------------------------------- */

static void menu_key(struct tui_app *a, int key, bool is_char)
{
	const struct tui_action *items[32];
	size_t n = tui_menu_items(a->menu_open, items, 32);
	a->dirty |= TUI_DIRTY_ALL;
	if ((is_char && key == 27) || (!is_char && key == KEY_F(10))) {
		a->menu_open = -1;
		return;
	}
	if (!is_char && key == KEY_LEFT) {
		a->menu_open = (a->menu_open + TUI_MENU__COUNT - 1) % TUI_MENU__COUNT;
		a->menu_item = 0;
	} else if (!is_char && key == KEY_RIGHT) {
		a->menu_open = (a->menu_open + 1) % TUI_MENU__COUNT;
		a->menu_item = 0;
	} else if (!is_char && key == KEY_UP) {
		a->menu_item = a->menu_item > 0 ? a->menu_item - 1 : (int)n - 1;
	} else if (!is_char && key == KEY_DOWN) {
		a->menu_item = a->menu_item + 1 < (int)n ? a->menu_item + 1 : 0;
	} else if ((is_char && (key == '\n' || key == '\r' || key == ' ')) || (!is_char && key == KEY_ENTER)) {
		if (a->menu_item >= 0 && (size_t)a->menu_item < n) {
			a->menu_open = -1;
			tui_action_run(a, items[a->menu_item]);
		}
	} else {
		/* an item's own key picks it */
		for (size_t i = 0; i < n; i++) {
			if ((is_char && key < 128 && (items[i]->key == key || items[i]->key2 == key)) ||
			    (!is_char && (items[i]->key == key || items[i]->key2 == key))) {
				a->menu_open = -1;
				tui_action_run(a, items[i]);
				return;
			}
		}
	}
}

static void filter_key(struct tui_app *a, int key, bool is_char)
{
	size_t len = strlen(a->filter);
	a->dirty |= TUI_DIRTY_LIST | TUI_DIRTY_ROWS | TUI_DIRTY_ACTIONS;
	if (is_char && key == 27) {
		a->filter[0] = '\0';
		a->filter_editing = false;
	} else if ((is_char && (key == '\n' || key == '\r')) || (!is_char && key == KEY_ENTER)) {
		a->filter_editing = false;
	} else if ((is_char && (key == 127 || key == 8)) || (!is_char && key == KEY_BACKSPACE)) {
		/* drop the last UTF-8 character */
		while (len > 0 && ((unsigned char)a->filter[len - 1] & 0xC0) == 0x80)
			len--;
		if (len > 0)
			len--;
		a->filter[len] = '\0';
	} else if (is_char && key >= 32 && key != 127) {
		char mb[8];
		int k = wctomb(mb, (wchar_t)key);
		if (k > 0 && len + (size_t)k < sizeof(a->filter)) {
			memcpy(a->filter + len, mb, (size_t)k);
			a->filter[len + (size_t)k] = '\0';
		}
	} else if (!is_char) {
		/* arrows move in the list while filtering */
		const struct tui_action *act = tui_action_for_key(key);
		if (act && act->scope == TUI_SCOPE_NAV)
			tui_action_run(a, act);
	}
	a->list_sel = 0;
	a->list_top = 0;
}

void tui_handle_key(struct tui_app *a, int key, bool is_char)
{
	const struct tui_action *act;
	if (!is_char && key == KEY_RESIZE) {
		tui_layout(a);
		return;
	}
	if (a->too_small) {
		if (is_char && key == 'q')
			a->quit = true;
		return;
	}
	if (a->ndialogs) {
		struct tui_mode *m = tui_mode_top(a);
		if (m->ops->key(m, a, key, is_char) == TUI_KEY_CLOSE)
			tui_mode_pop(a, m);
		else
			mode_window(a, m);
		a->dirty |= TUI_DIRTY_ALL;
		return;
	}
	if (a->help_open) {
		if ((is_char && (key == 27 || key == 'q' || key == '?')) || (!is_char && key == KEY_F(1)))
			a->help_open = false;
		else if (!is_char && (key == KEY_DOWN || key == KEY_NPAGE))
			a->help_top += key == KEY_DOWN ? 1 : 10;
		else if (!is_char && (key == KEY_UP || key == KEY_PPAGE))
			a->help_top = a->help_top > (size_t)(key == KEY_UP ? 1 : 10) ? a->help_top - (key == KEY_UP ? 1 : 10) : 0;
		else if (is_char && key == 'j')
			a->help_top++;
		else if (is_char && key == 'k' && a->help_top)
			a->help_top--;
		a->dirty |= TUI_DIRTY_ALL;
		return;
	}
	if (a->menu_open >= 0) {
		menu_key(a, key, is_char);
		return;
	}
	if (a->view == TUI_VIEW_CONSOLE && tui_console_key(a, key, is_char)) {
		a->dirty |= TUI_DIRTY_ALL;
		return;
	}
	if (a->view == TUI_VIEW_PERF && tui_perf_key(a, key, is_char)) {
		a->dirty |= TUI_DIRTY_ALL;
		return;
	}
	if (a->filter_editing) {
		filter_key(a, key, is_char);
		return;
	}
	if (is_char && key == 27) {
		if (a->filter[0]) {
			a->filter[0] = '\0';
			a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
		}
		return;
	}
	if (is_char && key > 127)
		return;
	act = tui_action_for_key_sel(a, key);
	if (act)
		tui_action_run(a, act);
	a->dirty |= TUI_DIRTY_ALL;
}

/* ---- mouse --------------------------------------------------------------------------- */

static int64_t last_click_ms;
static int last_click_y = -1;

static void mouse_menubar(struct tui_app *a, int x)
{
	for (int i = TUI_MENU__COUNT - 1; i >= 0; i--) {
		if (x >= tui_menu_x(i) - 1) {
			if (x > tui_menu_x(i) + (int)strlen(tui_menu_names[i]))
				break;
			a->menu_open = a->menu_open == i ? -1 : i;
			a->menu_item = 0;
			a->dirty |= TUI_DIRTY_ALL;
			return;
		}
	}
	a->menu_open = -1;
	a->dirty |= TUI_DIRTY_ALL;
}

static void mouse_list(struct tui_app *a, int y, int x, bool dbl)
{
	int header = 1 + (a->filter_editing || a->filter[0] ? 1 : 0) + tui_perf_summary_lines(a);
	int wy = y - 1;
	if (!tui_list_is_vms(a)) {
		if (wy >= 2)
			list_select(a, (size_t)(wy - 2));
		return;
	}
	if (wy == header) {
		int cx = x - a->tree_w, pos = 0, width = getmaxx(a->w_list) - (a->actions_visible ? 1 : 0);
		for (int c = 0; c < TUI_COL__COUNT; c++) {
			int cw = tui_col_width(a, c, width);
			if (cw <= 0)
				continue; /* not shown at this width */
			if (cx >= pos && cx < pos + cw + 1) {
				if (a->sort_col == c)
					a->sort_desc = !a->sort_desc;
				else {
					a->sort_col = c;
					a->sort_desc = false;
				}
				a->dirty |= TUI_DIRTY_ROWS | TUI_DIRTY_LIST;
				return;
			}
			pos += cw + 1;
		}
		return;
	}
	if (wy > header) {
		size_t i = a->list_top + (size_t)(wy - header - 1);
		if (i < a->nrows) {
			list_select(a, i);
			if (dbl)
				tui_nav(a, TUI_NAV_OPEN);
		}
	}
}

void tui_handle_mouse(struct tui_app *a)
{
	MEVENT ev;
	bool press, dbl = false;
	int64_t now = core_now_ms();
	if (getmouse(&ev) != OK || a->too_small)
		return;
	press = ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED);
	if (press) {
		dbl = ev.y == last_click_y && now - last_click_ms < 400;
		last_click_ms = now;
		last_click_y = ev.y;
	}
	a->dirty |= TUI_DIRTY_ALL;
	if (a->ndialogs) {
		struct tui_mode *m = tui_mode_top(a);
		if (press && m->ops->click) {
			if (m->ops->click(m, a, ev.y - m->y, ev.x - m->x, dbl) == TUI_KEY_CLOSE)
				tui_mode_pop(a, m);
			else
				mode_window(a, m);
		}
		return;
	}
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		int how = ev.bstate & BUTTON4_PRESSED ? TUI_NAV_UP : TUI_NAV_DOWN;
		int old = a->focus;
		a->focus = ev.x < a->tree_w ? TUI_PANE_TREE : TUI_PANE_LIST;
		for (int i = 0; i < 3; i++)
			tui_nav(a, how);
		a->focus = old;
		return;
	}
	if (!press)
		return;
	if (a->menu_open >= 0 && a->w_drop) {
		int wy, wx, h, w;
		getbegyx(a->w_drop, wy, wx);
		getmaxyx(a->w_drop, h, w);
		if (ev.y > wy && ev.y < wy + h - 1 && ev.x >= wx && ev.x < wx + w) {
			const struct tui_action *items[32];
			size_t n = tui_menu_items(a->menu_open, items, 32);
			size_t i = (size_t)(ev.y - wy - 1);
			a->menu_open = -1;
			if (i < n)
				tui_action_run(a, items[i]);
			return;
		}
		if (ev.y != 0) {
			a->menu_open = -1;
			return;
		}
	}
	if (ev.y == 0) {
		mouse_menubar(a, ev.x);
		return;
	}
	if (ev.y == a->lines - 1)
		return;
	if (a->help_open) {
		a->help_open = false;
		return;
	}
	if (ev.x < a->tree_w) {
		size_t i = a->tree_top + (size_t)(ev.y - 2);
		a->focus = TUI_PANE_TREE;
		if (ev.y >= 2 && i < a->nnodes) {
			const struct tui_node *n = &a->nodes[i];
			bool folds = n->kind == TUI_NODE_HOST || n->kind == TUI_NODE_GROUP;
			int arrow_x = 2 * n->depth;
			bool on_arrow = folds && ev.x >= arrow_x && ev.x <= arrow_x + 1;
			tui_tree_select(a, i);
			if (on_arrow || (dbl && folds))
				tree_toggle(a);
		}
	} else if (a->actions_visible && ev.x >= a->cols - a->actions_w) {
		const struct tui_action *acts[64];
		size_t n = tui_pane_actions(a, acts, 64);
		int y = 1, last_scope = -1;
		a->focus = TUI_PANE_ACTIONS;
		/* walk the same layout draw_actions uses */
		for (size_t i = 0; i < n; i++) {
			if (acts[i]->scope != last_scope) {
				if (last_scope != -1)
					y++;
				y++;
				last_scope = acts[i]->scope;
			}
			if (ev.y - 1 == y) {
				a->action_sel = i;
				tui_action_run(a, acts[i]);
				return;
			}
			y++;
		}
	} else {
		a->focus = TUI_PANE_LIST;
		mouse_list(a, ev.y, ev.x, dbl);
	}
}

/* ---- terminal set-up and restore ------------------------------------------------- */

static void on_quit_signal(int sig)
{
	tui_sig_quit = sig;
}

static void tui_restore_terminal(void)
{
	if (tui_curses_on) {
		tui_curses_on = false;
		endwin();
	}
}

#ifndef __SANITIZE_ADDRESS__
/* A fatal signal: put the terminal back with async-signal-safe calls, then
 * die as the signal would have us die. */
static void on_fatal_signal(int sig)
{
	static const char reset[] = "\033[?1000l\033[?1002l\033[?1006l\033[?1049l\033[?25h\033[0m\r\n";
	ssize_t r = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
	(void)r;
	if (tui_saved_tio_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &tui_saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}
#endif

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_quit_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
#ifndef __SANITIZE_ADDRESS__
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
#endif
}

/* Problems found at start-up (config, theme) are shown in one dialog. */
static char *startup_problems;

static void add_problem(struct tui_app *a, char *text)
{
	char *all, *nl;
	tui_status(a, true, "%s", text);
	/* "FILE:LINE: what" reads better as "FILE:LINE:" over "what" */
	for (char *p = text; (p = strchr(p, ':')) != NULL; p++) {
		char *q = p + 1;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q > p + 1 && q[0] == ':' && q[1] == ' ') {
			q[1] = '\n';
			break;
		}
	}
	nl = startup_problems ? xasprintf("%s\n\n%s", startup_problems, text) : xstrdup(text);
	all = nl;
	free(startup_problems);
	free(text);
	startup_problems = all;
}

static void load_theme(struct tui_app *a)
{
	const char *name = a->opts->theme;
	const char *no_color = getenv("NO_COLOR");
	char *path = NULL, *err = NULL;
	core_theme_builtin(&a->theme);
	a->use_color = true;
	if (no_color && *no_color && !a->opts->theme_explicit) {
		core_theme_free(&a->theme);
		core_theme_mono(&a->theme);
		a->use_color = false;
		return;
	}
	if (!name || strcmp(name, "default") == 0)
		name = "default";
	if (core_theme_find(name, (const char *const *)a->opts->theme_dirs, a->opts->ntheme_dirs, &path) != 0) {
		if (strcmp(name, "default") != 0)
			add_problem(a, xasprintf("Theme '%s' not found; using the default theme.", name));
		return;
	}
	core_theme_free(&a->theme);
	if (core_theme_load(path, &a->theme, &err) != 0) {
		add_problem(a, xasprintf("Theme error in %s\nUsing the default theme.", err ? err : path));
		free(err);
	}
	free(path);
}

static void write_bench_stats(struct tui_app *a)
{
	FILE *f;
	if (!a->opts->bench_stats)
		return;
	f = fopen(a->opts->bench_stats, "w");
	if (!f)
		return;
	fprintf(f, "first_frame_ms=%lld\nframes=%ld\nui_us_avg=%lld\nui_us_max=%lld\npasses=%ld\n",
		(long long)a->first_frame_ms, a->iterations,
		(long long)(a->ui_passes ? a->ui_us_total / a->ui_passes : 0), (long long)a->ui_us_max, a->ui_passes);
	fclose(f);
}

/* ncurses turns SIGWINCH into KEY_RESIZE, but a second resize that lands
 * while it handles the first can be lost (the size it read is the old
 * one). Ask the terminal each pass: one ioctl, and a miss costs nothing. */
static void check_size(struct tui_app *a)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return;
	if (ws.ws_row == LINES && ws.ws_col == COLS)
		return;
	resizeterm(ws.ws_row, ws.ws_col);
	tui_layout(a);
}

static void read_input(struct tui_app *a)
{
	wint_t wch;
	int r, n = 0;
	while (n++ < 256 && (r = wget_wch(stdscr, &wch)) != ERR) {
		if (r == KEY_CODE_YES && wch == KEY_MOUSE) {
			tui_handle_mouse(a);
		} else if (r == OK && wch == 27 && a->ndialogs) {
			/* ESC then a character in one burst: Alt+key (dialog accelerators) */
			wint_t next;
			int r2 = wget_wch(stdscr, &next);
			if (r2 == OK && next >= 32 && next != 127) {
				tui_handle_key(a, TUI_KEY_ALT((int)next), true);
			} else {
				tui_handle_key(a, 27, true);
				if (r2 == KEY_CODE_YES && next == KEY_MOUSE)
					tui_handle_mouse(a);
				else if (r2 != ERR && !a->quit)
					tui_handle_key(a, (int)next, r2 != KEY_CODE_YES);
			}
		} else {
			tui_handle_key(a, (int)wch, r != KEY_CODE_YES);
		}
		if (a->quit)
			break;
	}
}

static int next_timeout(struct tui_app *a, int64_t now)
{
	int64_t t = a->next_tick_ms - now;
	for (size_t i = 0; i < a->model->nhosts; i++)
		if (a->model->hosts[i]->busy && !tui_host_shows_busy(a->model->hosts[i]))
			t = t < 100 ? t : 100;
	if (t < 0)
		t = 0;
	return (int)t;
}

static void free_app(struct tui_app *a)
{
	tui_console_free(a);
	tui_perf_free(a);
	free_modes(a);
	tui_prompt_free(a); /* cancels what is still queued: no worker stays waiting */
	for (size_t i = 0; i < a->nhosts; i++) {
		be_host_free(&a->hosts[i].be, 500);
		free(a->hosts[i].name);
		free(a->hosts[i].group);
	}
	free(a->hosts);
	tui_groups_free(a);
	tui_config_notes_free(a);
	free(a->nodes);
	free(a->rows);
	core_theme_free(&a->theme);
}

int tui_run(struct tui_opts *opts)
{
	struct tui_app app, *a = &app;
	char *err = NULL;
	struct pollfd pfd[2];
	int64_t delay_ms = (int64_t)(opts->delay * 1000.0);

	memset(a, 0, sizeof(*a));
	a->opts = opts;
	a->menu_open = -1;
	a->show_actions = true;
	a->focus = TUI_PANE_LIST;
	a->start_ms = core_now_ms();
	if (delay_ms < 50)
		delay_ms = 50;
	a->delay_ms = delay_ms;

	setlocale(LC_ALL, "");
	a->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	core_sanitize_set_utf8(a->utf8);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "vmmc: the console needs a terminal on stdin and stdout\n");
		return 1;
	}
	a->model = md_model_new();
	a->queue = core_msgq_new(md_msg_free_void);
	if (be_init(a->queue, &err) != 0) {
		fprintf(stderr, "vmmc: %s\n", err ? err : "cannot start the libvirt event loop");
		free(err);
		core_msgq_free(&a->queue);
		md_model_free(&a->model);
		return 1;
	}
	if (tcgetattr(STDIN_FILENO, &tui_saved_tio) == 0)
		tui_saved_tio_ok = true;
	install_signals();
	atexit(tui_restore_terminal);
	set_escdelay(25);
	if (!initscr()) {
		fprintf(stderr, "vmmc: cannot initialise the terminal (TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	tui_curses_on = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	load_theme(a);
	tui_theme_apply(a);
	bkgdset(' ' | tui_attr(a, CORE_ROLE_NORMAL));

	for (size_t i = 0; i < opts->ngroups; i++)
		tui_group_add(a, opts->groups[i]);
	for (size_t i = 0; i < opts->nhosts; i++) {
		int id = tui_add_host(a, opts->hosts[i].uri, opts->hosts[i].name, opts->hosts[i].group,
				      opts->hosts[i].saved, opts->hosts[i].demo);
		struct tui_host *th = tui_host_by_id(a, id);
		if (th)
			th->fallback_local = opts->hosts[i].fallback_local;
		if (opts->hosts[i].demo)
			a->demo_opened = true;
	}
	for (size_t i = 0; i < opts->nnotes; i++)
		add_problem(a, xstrdup(opts->notes[i]));
	tui_layout(a);
	if (startup_problems) {
		struct tui_dialog *d = tui_msgbox("Problems at start-up", startup_problems, true);
		xfree(&startup_problems);
		tui_push_dialog(a, d);
	}
	a->next_tick_ms = core_now_ms() + a->delay_ms;

	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	pfd[1].fd = core_msgq_fd(a->queue);
	pfd[1].events = POLLIN;
	while (!a->quit) {
		int64_t now = core_now_ms(), t0;
		bool tick = false;
		int r = poll(pfd, 2, next_timeout(a, now));
		if (r < 0 && errno != EINTR)
			break;
		if (tui_sig_quit)
			break;
		t0 = core_now_us();
		drain_messages(a);
		read_input(a);
		check_size(a);
		tui_console_poll(a);
		now = core_now_ms();
		if (now >= a->next_tick_ms) {
			tick = true;
			a->next_tick_ms = now + a->delay_ms;
			a->dirty |= TUI_DIRTY_LIST | TUI_DIRTY_TREE; /* uptimes, busy marks */
		}
		for (size_t i = 0; i < a->model->nhosts; i++)
			if (a->model->hosts[i]->busy)
				a->dirty |= TUI_DIRTY_TREE;
		tui_perf_tick(a);
		if (a->dirty & TUI_DIRTY_ROWS)
			tui_rebuild_rows(a);
		if (a->dirty) {
			tui_draw(a);
			doupdate();
			a->dirty = 0;
		}
		{
			int64_t us = core_now_us() - t0;
			a->ui_us_total += us;
			a->ui_passes++;
			if (us > a->ui_us_max)
				a->ui_us_max = us;
		}
		if (md_model_settled(a->model)) {
			if (!a->settled_once) {
				a->settled_once = true;
				a->first_frame_ms = core_now_ms() - a->start_ms;
				a->iterations++;
			} else if (tick) {
				a->iterations++;
			}
			if (opts->max_iterations > 0 && a->iterations >= opts->max_iterations)
				a->quit = true;
		}
	}
	tui_restore_terminal();
	write_bench_stats(a);
	free_app(a);
	be_fini();
	core_msgq_free(&a->queue);
	md_model_free(&a->model);
	return a->exit_status;
}
