/* tui/draw.c - drawing: theme roles to curses attributes, the panes, the
 * menu bar, the status bar and the help screen. Only visible rows are
 * formatted; each pass ends in one doupdate() (in app.c). */
#include "actions.h"
#include "app.h"
#include "console.h"
#include "dialog.h"

#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/util.h"

/* ---- theme ----------------------------------------------------------------- */

static short map_color(short c)
{
	if (c < 0)
		return -1;
	if (c < COLORS)
		return c;
	if (c < 16)
		return (short)(c % 8);
	return (short)(c % 8);
}

void tui_theme_apply(struct tui_app *a)
{
	static const struct {
		unsigned bit;
		attr_t attr;
	} attrs[] = {
		{ CORE_ATTR_BOLD, A_BOLD }, { CORE_ATTR_DIM, A_DIM }, { CORE_ATTR_UNDERLINE, A_UNDERLINE },
		{ CORE_ATTR_REVERSE, A_REVERSE }, { CORE_ATTR_ITALIC, A_ITALIC }, { CORE_ATTR_BLINK, A_BLINK },
		{ CORE_ATTR_STANDOUT, A_STANDOUT },
	};
	bool color = a->use_color && !a->theme.mono && has_colors();
	if (color) {
		start_color();
		use_default_colors();
	}
	for (int r = 0; r < CORE_ROLE__COUNT; r++) {
		const struct core_style *s = &a->theme.role[r];
		attr_t at = 0;
		for (size_t i = 0; i < CORE_ARRAY_LEN(attrs); i++)
			if (s->attrs & attrs[i].bit)
				at |= attrs[i].attr;
		if (color && r + 1 < COLOR_PAIRS) {
			short fg = map_color(s->fg), bg = map_color(s->bg);
			if (s->fg >= 8 && s->fg < 16 && COLORS < 16)
				at |= A_BOLD;
			init_pair((short)(r + 1), fg, bg);
			at |= COLOR_PAIR(r + 1);
		}
		a->role_attr[r] = at;
	}
}

attr_t tui_attr(const struct tui_app *a, int role)
{
	return a->role_attr[role];
}

/* ---- text ------------------------------------------------------------------- */

void tui_put_safe(WINDOW *w, int y, int x, int width, const char *safe, bool align_right)
{
	char *s;
	if (width <= 0)
		return;
	s = core_str_fit(safe ? safe : "", width, align_right);
	mvwaddstr(w, y, x, s);
	free(s);
}

void tui_put(WINDOW *w, int y, int x, int width, const char *raw, bool align_right)
{
	char *safe = core_sanitize(raw);
	tui_put_safe(w, y, x, width, safe, align_right);
	free(safe);
}

/* A pane's title bar: its first line. */
static void pane_title(struct tui_app *a, WINDOW *w, int width, const char *title, bool focus)
{
	wattrset(w, tui_attr(a, focus ? CORE_ROLE_TITLE_FOCUS : CORE_ROLE_TITLE));
	tui_put_safe(w, 0, 0, width, title, false);
}

void tui_box_title(struct tui_app *a, WINDOW *w, const char *title, bool focus)
{
	pane_title(a, w, getmaxx(w), title, focus);
}

/* The vertical line at a pane's right edge. */
static void pane_separator(struct tui_app *a, WINDOW *w)
{
	int h = getmaxy(w), x = getmaxx(w) - 1;
	wattrset(w, tui_attr(a, CORE_ROLE_BORDER));
	mvwvline(w, 0, x, ACS_VLINE, h);
}

/* ---- menu bar ---------------------------------------------------------------- */

int tui_menu_x(int menu)
{
	int x = 1;
	for (int i = 0; i < menu; i++)
		x += (int)strlen(tui_menu_names[i]) + 3;
	return x;
}

static void draw_menubar(struct tui_app *a)
{
	WINDOW *w = a->w_menu;
	wbkgdset(w, ' ' | tui_attr(a, CORE_ROLE_MENUBAR));
	werase(w);
	for (int i = 0; i < TUI_MENU__COUNT; i++) {
		wattrset(w, tui_attr(a, a->menu_open == i ? CORE_ROLE_MENU_SEL : CORE_ROLE_MENUBAR));
		mvwprintw(w, 0, tui_menu_x(i) - 1, " %s ", tui_menu_names[i]);
	}
	wattrset(w, tui_attr(a, CORE_ROLE_MENUBAR));
	if (a->cols > 60)
		tui_put_safe(w, 0, a->cols - 22, 21, "vmmc " VMMC_VERSION, true);
}

/* Items of a menu, in table order. */
size_t tui_menu_items(int menu, const struct tui_action **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < tui_nactions && n < max; i++)
		if (tui_actions[i].menu == menu)
			out[n++] = &tui_actions[i];
	return n;
}

static void draw_dropdown(struct tui_app *a)
{
	const struct tui_action *items[32];
	size_t n = tui_menu_items(a->menu_open, items, 32);
	int w = 0, h = (int)n + 2, x = tui_menu_x(a->menu_open) - 1;
	for (size_t i = 0; i < n; i++) {
		char k[32];
		int l;
		tui_action_keys(items[i], k, sizeof(k));
		l = core_str_width(items[i]->label) + (int)strlen(k) + 6;
		if (l > w)
			w = l;
	}
	if (h > a->lines - 2)
		h = a->lines - 2;
	if (x + w > a->cols)
		x = a->cols - w;
	if (x < 0)
		x = 0;
	if (a->p_drop) {
		del_panel(a->p_drop);
		delwin(a->w_drop);
	}
	a->w_drop = newwin(h, w, 1, x);
	a->p_drop = new_panel(a->w_drop);
	wbkgdset(a->w_drop, ' ' | tui_attr(a, CORE_ROLE_MENU));
	werase(a->w_drop);
	wattrset(a->w_drop, tui_attr(a, CORE_ROLE_MENU));
	box(a->w_drop, 0, 0);
	for (size_t i = 0; i < n && (int)i < h - 2; i++) {
		char k[32];
		bool en = tui_action_enabled(a, items[i]);
		int role = (int)i == a->menu_item ? CORE_ROLE_MENU_SEL : en ? CORE_ROLE_MENU : CORE_ROLE_MENU_DISABLED;
		tui_action_keys(items[i], k, sizeof(k));
		wattrset(a->w_drop, tui_attr(a, role));
		tui_put_safe(a->w_drop, (int)i + 1, 1, w - 2, "", false);
		tui_put_safe(a->w_drop, (int)i + 1, 2, w - 4 - (int)strlen(k), items[i]->label, false);
		if ((int)i != a->menu_item && en)
			wattrset(a->w_drop, tui_attr(a, CORE_ROLE_MENU_KEY));
		tui_put_safe(a->w_drop, (int)i + 1, w - 2 - (int)strlen(k), (int)strlen(k), k, true);
	}
}

/* ---- tree ----------------------------------------------------------------------- */

static const char *node_label(const struct tui_app *a, const struct tui_node *n, char *buf, size_t len)
{
	const md_host *h = md_host_get(a->model, n->host_id);
	if (!h)
		return "";
	switch (n->kind) {
	case TUI_NODE_VMS:
		snprintf(buf, len, "Virtual Machines");
		return buf;
	case TUI_NODE_NETS:
		snprintf(buf, len, "Virtual Networks");
		return buf;
	case TUI_NODE_POOLS:
		snprintf(buf, len, "Storage Pools");
		return buf;
	}
	return "";
}

bool tui_host_shows_busy(const md_host *h)
{
	return h->busy > 0 && core_now_ms() - h->busy_since_ms >= 500;
}

/* A group's row: arrow, name, and how many hosts it holds. */
static void draw_group_node(struct tui_app *a, WINDOW *w, int y, int width, const struct tui_node *n, bool sel)
{
	const struct tui_group *g = (size_t)n->group < a->ngroups ? &a->groups[n->group] : NULL;
	char num[24], *name, *line;
	if (!g)
		return;
	snprintf(num, sizeof(num), " %zu ", tui_group_nhosts(a, (size_t)n->group));
	name = core_sanitize(g->name);
	line = xasprintf("%s %s", a->utf8 ? (g->expanded ? "▾" : "▸") : (g->expanded ? "-" : "+"), name);
	tui_put_safe(w, y, 0, width, "", false);
	tui_put_safe(w, y, 0, width - (int)strlen(num), line, false);
	if (!sel)
		wattrset(w, tui_attr(a, CORE_ROLE_TREE) | A_DIM);
	tui_put_safe(w, y, width - (int)strlen(num), (int)strlen(num), num, true);
	free(name);
	free(line);
}

static void draw_tree(struct tui_app *a)
{
	WINDOW *w = a->w_tree;
	int width = getmaxx(w) - 1, rows = tui_tree_visible_rows(a);
	werase(w);
	pane_title(a, w, width, " Console Tree", a->focus == TUI_PANE_TREE);
	for (int r = 0; r < rows && a->tree_top + (size_t)r < a->nnodes; r++) {
		size_t i = a->tree_top + (size_t)r;
		const struct tui_node *n = &a->nodes[i];
		const md_host *h = md_host_get(a->model, n->host_id);
		bool sel = i == a->tree_sel;
		int role = sel ? (a->focus == TUI_PANE_TREE ? CORE_ROLE_TREE_SEL : CORE_ROLE_ROW_SEL_UNFOCUSED)
			       : CORE_ROLE_TREE;
		int ind = 2 * n->depth;
		char buf[96];
		wattrset(w, tui_attr(a, role));
		if (n->kind == TUI_NODE_GROUP) {
			draw_group_node(a, w, r + 1, width, n, sel);
			continue;
		}
		if (!h)
			continue;
		if (n->kind == TUI_NODE_HOST) {
			struct tui_host *th = tui_host_by_id(a, h->id);
			const char *state = tui_host_shows_busy(h) ? "busy" : md_conn_name(h->conn);
			char *label = core_sanitize(h->label);
			bool ex = th && th->expanded;
			char *line = xasprintf("%*s%s %s", ind, "", a->utf8 ? (ex ? "▾" : "▸") : (ex ? "-" : "+"), label);
			int sw = (int)strlen(state) + 2;
			tui_put_safe(w, r + 1, 0, width, line, false);
			if (width > sw + 8) {
				int srole = h->conn == MD_CONN_CONNECTED ? CORE_ROLE_STATE_RUNNING
					    : h->conn == MD_CONN_CONNECTING ? CORE_ROLE_BUSY
					    : CORE_ROLE_DISCONNECTED;
				if (tui_host_shows_busy(h))
					srole = CORE_ROLE_BUSY;
				if (!sel)
					wattrset(w, tui_attr(a, srole));
				/* the state on the line below the label when there is no room */
				mvwprintw(w, r + 1, width - sw, " %s ", state);
			}
			free(label);
			free(line);
		} else {
			size_t count = n->kind == TUI_NODE_VMS ? h->nvms : n->kind == TUI_NODE_NETS ? h->nnets : h->npools;
			char num[24];
			snprintf(num, sizeof(num), " %zu ", count);
			tui_put_safe(w, r + 1, 0, width, "", false);
			tui_put_safe(w, r + 1, ind, width - ind - (int)strlen(num), node_label(a, n, buf, sizeof(buf)), false);
			if (!sel)
				wattrset(w, tui_attr(a, CORE_ROLE_TREE) | A_DIM);
			tui_put_safe(w, r + 1, width - (int)strlen(num), (int)strlen(num), num, true);
		}
	}
	pane_separator(a, w);
}

/* ---- results pane ------------------------------------------------------------ */

static const char *const col_names[TUI_COL__COUNT] = {
	"Name", "State", "vCPU", "CPU%", "Memory", "Used", "DiskR", "DiskW", "IOPS", "NetRx", "NetTx", "Auto", "Uptime",
};
static const int col_fixed[TUI_COL__COUNT] = { 0, 9, 4, 6, 8, 8, 6, 6, 5, 6, 6, 4, 8 };
/* Which columns show: the most useful first, while they fit beside a name
 * of TUI_NAME_MIN columns (the name gets what is left). */
static const int col_priority[] = {
	TUI_COL_STATE, TUI_COL_CPU, TUI_COL_MEMUSED, TUI_COL_MEM, TUI_COL_VCPUS, TUI_COL_UPTIME,
	TUI_COL_DISKRD, TUI_COL_DISKWR, TUI_COL_NETRX, TUI_COL_NETTX, TUI_COL_IOPS, TUI_COL_AUTO,
};
#define TUI_NAME_MIN 12

bool tui_col_is_live(int col)
{
	return col == TUI_COL_CPU || col == TUI_COL_MEMUSED || (col >= TUI_COL_DISKRD && col <= TUI_COL_NETTX);
}

static unsigned cols_shown(int total, int *name_w)
{
	unsigned mask = 1u << TUI_COL_NAME;
	int room = total - 1 - TUI_NAME_MIN;
	for (size_t i = 0; i < CORE_ARRAY_LEN(col_priority); i++) {
		int c = col_priority[i];
		if (col_fixed[c] + 1 > room)
			break;
		mask |= 1u << c;
		room -= col_fixed[c] + 1;
	}
	*name_w = TUI_NAME_MIN + (room > 0 ? room : 0);
	return mask;
}

/* 0 for a column that does not show at this width. */
int tui_col_width(const struct tui_app *a, int col, int total)
{
	int name_w;
	unsigned mask = cols_shown(total, &name_w);
	(void)a;
	if (!(mask & (1u << col)))
		return 0;
	return col == TUI_COL_NAME ? name_w : col_fixed[col];
}

int tui_list_visible_rows(const struct tui_app *a)
{
	return a->w_list ? getmaxy(a->w_list) - 2 - (a->filter_editing || a->filter[0] ? 1 : 0) -
				   tui_perf_summary_lines(a)
			 : 0;
}

static bool col_right(int c)
{
	return c != TUI_COL_NAME && c != TUI_COL_STATE && c != TUI_COL_AUTO;
}

/* A live figure of a VM as text ("-" when there is none). */
static void live_text(const struct tui_app *a, const md_vm *v, int c, char *buf, size_t len)
{
	const core_stats_rate *r = &v->rate;
	bool disk = r->have & CORE_RATE_DISK, net = r->have & CORE_RATE_NET;
	snprintf(buf, len, "-");
	switch (c) {
	case TUI_COL_CPU:
		if (tui_perf_cpu_of_host(a) ? (r->have & CORE_RATE_CPU_HOST) : (r->have & CORE_RATE_CPU))
			snprintf(buf, len, "%.1f", tui_perf_cpu_of_host(a) ? r->cpu_host_pct : r->cpu_pct);
		break;
	case TUI_COL_MEMUSED:
		if (r->have & CORE_RATE_MEM)
			core_fmt_kib(r->mem_used_kib, buf, len);
		break;
	case TUI_COL_DISKRD:
		if (disk)
			core_fmt_rate(r->rd_bps, buf, len);
		break;
	case TUI_COL_DISKWR:
		if (disk)
			core_fmt_rate(r->wr_bps, buf, len);
		break;
	case TUI_COL_IOPS:
		if (disk)
			snprintf(buf, len, "%.0f", (double)(r->rd_iops + r->wr_iops));
		break;
	case TUI_COL_NETRX:
		if (net)
			core_fmt_rate(r->rx_bps, buf, len);
		break;
	case TUI_COL_NETTX:
		if (net)
			core_fmt_rate(r->tx_bps, buf, len);
		break;
	}
}

int tui_tree_visible_rows(const struct tui_app *a)
{
	return a->w_tree ? getmaxy(a->w_tree) - 1 : 0;
}

static int state_role(int state)
{
	switch (state) {
	case MD_VM_RUNNING:
	case MD_VM_BLOCKED:
		return CORE_ROLE_STATE_RUNNING;
	case MD_VM_PAUSED:
	case MD_VM_PMSUSPENDED:
		return CORE_ROLE_STATE_PAUSED;
	case MD_VM_SHUTOFF:
		return CORE_ROLE_STATE_SHUTOFF;
	case MD_VM_CRASHED:
		return CORE_ROLE_STATE_CRASHED;
	}
	return CORE_ROLE_STATE_OTHER;
}

static void draw_vm_row(struct tui_app *a, WINDOW *w, int y, int width, const md_vm *v, bool sel, bool stale)
{
	char buf[32];
	int x = 0, role = sel ? (a->focus == TUI_PANE_LIST ? CORE_ROLE_ROW_SEL : CORE_ROLE_ROW_SEL_UNFOCUSED)
			      : CORE_ROLE_ROW;
	attr_t base = tui_attr(a, role) | (stale ? A_DIM : 0);
	int last = TUI_COL_NAME;
	for (int c = 0; c < TUI_COL__COUNT; c++)
		if (tui_col_width(a, c, width) > 0)
			last = c;
	for (int c = 0; c < TUI_COL__COUNT; c++) {
		int cw = tui_col_width(a, c, width);
		bool right = col_right(c);
		if (cw <= 0)
			continue;
		wattrset(w, base);
		switch (c) {
		case TUI_COL_NAME:
			if (cw > 4 && tui_console_has_vm(a, v->uuid)) {
				/* a console of this VM is open */
				tui_put_safe(w, y, x, 2, a->utf8 ? "» " : "> ", false);
				tui_put(w, y, x + 2, cw - 2, v->name, false);
			} else {
				tui_put(w, y, x, cw, v->name, false);
			}
			break;
		case TUI_COL_STATE:
			if (!sel)
				wattrset(w, tui_attr(a, state_role(v->state)) | (stale ? A_DIM : 0));
			tui_put_safe(w, y, x, cw, md_vm_state_name(v->state), false);
			break;
		case TUI_COL_VCPUS:
			snprintf(buf, sizeof(buf), "%u", v->vcpus);
			tui_put_safe(w, y, x, cw, buf, right);
			break;
		case TUI_COL_MEM:
			core_fmt_kib(v->mem_kib ? v->mem_kib : v->maxmem_kib, buf, sizeof(buf));
			tui_put_safe(w, y, x, cw, buf, right);
			break;
		case TUI_COL_AUTO:
			tui_put_safe(w, y, x, cw, v->autostart ? "yes" : "no", false);
			break;
		case TUI_COL_UPTIME:
			core_fmt_uptime(v->started_wall && md_vm_state_active(v->state) ? core_wall_s() - v->started_wall : -1,
					buf, sizeof(buf));
			tui_put_safe(w, y, x, cw, buf, right);
			break;
		default:
			live_text(a, v, c, buf, sizeof(buf));
			tui_put_safe(w, y, x, cw, buf, right);
			break;
		}
		x += cw;
		if (c < last) {
			wattrset(w, base);
			mvwaddch(w, y, x, ' ');
			x++;
		}
	}
}

static void draw_header(struct tui_app *a, WINDOW *w, int y, int width)
{
	int x = 0;
	wattrset(w, tui_attr(a, CORE_ROLE_HEADER));
	tui_put_safe(w, y, 0, width, "", false);
	for (int c = 0; c < TUI_COL__COUNT; c++) {
		int cw = tui_col_width(a, c, width);
		const char *name = c == TUI_COL_CPU && tui_perf_cpu_of_host(a) ? "Host%" : col_names[c];
		char *h;
		bool right = col_right(c);
		if (cw <= 0)
			continue;
		h = xasprintf("%s%s", name,
			      c == a->sort_col ? (a->sort_desc ? (a->utf8 ? "▼" : "v") : (a->utf8 ? "▲" : "^")) : "");
		tui_put_safe(w, y, x, cw, h, right);
		free(h);
		x += cw + 1;
	}
}

static void draw_vm_list(struct tui_app *a, const md_host *h)
{
	WINDOW *w = a->w_list;
	int width = getmaxx(w) - (a->actions_visible ? 1 : 0), rows = tui_list_visible_rows(a), y = 1;
	bool stale = h->conn != MD_CONN_CONNECTED;
	char *label = core_sanitize(h->label);
	char *title = a->filter[0] || a->filter_editing
			      ? xasprintf(" Virtual Machines (%zu of %zu) on %s", a->nrows, h->nvms, label)
			      : xasprintf(" Virtual Machines (%zu) on %s", h->nvms, label);
	pane_title(a, w, width, title, a->focus == TUI_PANE_LIST);
	free(title);
	free(label);
	if (tui_perf_summary_lines(a) > 0) {
		tui_perf_draw_summary(a, w, y, width, h);
		y += tui_perf_summary_lines(a);
	}
	if (a->filter_editing || a->filter[0]) {
		char *f = xasprintf("Filter: %s%s", a->filter, a->filter_editing ? "_" : "  (/ to edit, Esc clears)");
		char *safe = core_sanitize(f);
		wattrset(w, tui_attr(a, CORE_ROLE_STATUS));
		tui_put_safe(w, y++, 0, width, safe, false);
		free(safe);
		free(f);
	}
	draw_header(a, w, y++, width);
	if (h->nvms == 0 || a->nrows == 0) {
		const char *msg = h->conn == MD_CONN_CONNECTING ? "Connecting..."
				  : !h->listed && h->conn == MD_CONN_CONNECTED ? "Loading..."
				  : h->conn != MD_CONN_CONNECTED && h->nvms == 0 ? "Not connected."
				  : a->filter[0] ? "No virtual machine matches the filter."
				  : "No virtual machines on this host.";
		wattrset(w, tui_attr(a, CORE_ROLE_ROW) | A_DIM);
		tui_put_safe(w, y + 1, 2, width - 2, msg, false);
		return;
	}
	for (int r = 0; r < rows && a->list_top + (size_t)r < a->nrows; r++) {
		size_t i = a->list_top + (size_t)r;
		draw_vm_row(a, w, y + r, width, &h->vms[a->rows[i]], i == a->list_sel, stale);
	}
}

static void draw_nets(struct tui_app *a, const md_host *h)
{
	WINDOW *w = a->w_list;
	int width = getmaxx(w) - (a->actions_visible ? 1 : 0);
	char *t = xasprintf(" Virtual Networks (%zu)", h->nnets);
	pane_title(a, w, width, t, a->focus == TUI_PANE_LIST);
	free(t);
	wattrset(w, tui_attr(a, CORE_ROLE_HEADER));
	tui_put_safe(w, 1, 0, width, "Name                 State     Autostart  Bridge", false);
	for (size_t i = 0; i < h->nnets && (int)i < getmaxy(w) - 2; i++) {
		const md_net *n = &h->nets[i];
		char *name = core_sanitize(n->name), *br = core_sanitize(n->bridge ? n->bridge : "-");
		char *fn = core_str_fit(name, 20, false);
		char *line = xasprintf("%s %-9s %-10s %s", fn, n->active ? "active" : "inactive",
				       n->autostart ? "yes" : "no", br);
		bool sel = i == a->list_sel;
		wattrset(w, tui_attr(a, sel ? (a->focus == TUI_PANE_LIST ? CORE_ROLE_ROW_SEL : CORE_ROLE_ROW_SEL_UNFOCUSED)
					    : CORE_ROLE_ROW));
		tui_put_safe(w, (int)i + 2, 0, width, line, false);
		free(name);
		free(br);
		free(fn);
		free(line);
	}
}

static void draw_pools(struct tui_app *a, const md_host *h)
{
	WINDOW *w = a->w_list;
	int width = getmaxx(w) - (a->actions_visible ? 1 : 0), y = 2;
	char *t = xasprintf(" Storage Pools (%zu)", h->npools);
	pane_title(a, w, width, t, a->focus == TUI_PANE_LIST);
	free(t);
	wattrset(w, tui_attr(a, CORE_ROLE_HEADER));
	tui_put_safe(w, 1, 0, width, "Name                 State     Capacity   Used       Volumes", false);
	for (size_t i = 0; i < h->npools && y < getmaxy(w); i++) {
		const md_pool *p = &h->pools[i];
		char cap[24], used[24];
		char *name = core_sanitize(p->name);
		char *fn = core_str_fit(name, 20, false);
		char *line;
		bool sel = i == a->list_sel;
		core_fmt_kib(p->capacity / 1024, cap, sizeof(cap));
		core_fmt_kib(p->allocation / 1024, used, sizeof(used));
		line = xasprintf("%s %-9s %-10s %-10s %zu", fn, p->active ? "active" : "inactive", cap, used, p->nvols);
		wattrset(w, tui_attr(a, sel ? (a->focus == TUI_PANE_LIST ? CORE_ROLE_ROW_SEL : CORE_ROLE_ROW_SEL_UNFOCUSED)
					    : CORE_ROLE_ROW));
		tui_put_safe(w, y++, 0, width, line, false);
		free(name);
		free(fn);
		free(line);
		/* the pool's volumes, indented */
		wattrset(w, tui_attr(a, CORE_ROLE_ROW) | A_DIM);
		for (size_t j = 0; j < p->nvols && y < getmaxy(w); j++) {
			char vc[24];
			char *vn = core_sanitize(p->vols[j].name);
			char *vl;
			core_fmt_kib(p->vols[j].capacity / 1024, vc, sizeof(vc));
			vl = xasprintf("    %s  (%s)", vn, vc);
			tui_put_safe(w, y++, 0, width, vl, false);
			free(vn);
			free(vl);
		}
	}
}

/* A group selected: its hosts, with their state and URI. */
static void draw_group_list(struct tui_app *a, size_t gi)
{
	WINDOW *w = a->w_list;
	int width = getmaxx(w) - (a->actions_visible ? 1 : 0), y = 2, nw = 24, sw = 12;
	size_t nh = tui_group_nhosts(a, gi);
	char *name = core_sanitize(a->groups[gi].name);
	char *t = xasprintf(" Group %s (%zu host%s)", name, nh, nh == 1 ? "" : "s");
	pane_title(a, w, width, t, a->focus == TUI_PANE_LIST);
	free(t);
	free(name);
	if (nh == 0) {
		const struct tui_action *mv = tui_action_by_id("host.move"), *rm = tui_action_by_id("group.remove");
		char km[32] = "", kr[32] = "";
		char *msg;
		if (mv)
			tui_action_keys(mv, km, sizeof(km));
		if (rm)
			tui_action_keys(rm, kr, sizeof(kr));
		msg = xasprintf("No host in this group. Select a host and press %s (Move to Group...) to put it "
				"here; %s removes the group.", km, kr);
		wattrset(w, tui_attr(a, CORE_ROLE_ROW) | A_DIM);
		for (size_t k = 0, len = strlen(msg), cols = (size_t)(width > 8 ? width - 4 : 4); k < len && y < getmaxy(w);) {
			/* wrap at a space */
			size_t take = len - k <= cols ? len - k : cols;
			if (k + take < len)
				while (take > 1 && msg[k + take] != ' ')
					take--;
			{
				char *part = xstrndup(msg + k, take);
				tui_put_safe(w, y++, 2, width - 2, part, false);
				free(part);
			}
			k += take;
			while (msg[k] == ' ')
				k++;
		}
		free(msg);
		return;
	}
	if (width < 60)
		nw = 18;
	wattrset(w, tui_attr(a, CORE_ROLE_HEADER));
	tui_put_safe(w, 1, 0, width, "", false);
	tui_put_safe(w, 1, 0, nw, "Name", false);
	tui_put_safe(w, 1, nw + 1, sw, "State", false);
	tui_put_safe(w, 1, nw + sw + 2, width - nw - sw - 2, "URI", false);
	for (size_t i = 0; i < a->nhosts && y < getmaxy(w); i++) {
		const struct tui_host *th = &a->hosts[i];
		const md_host *h = md_host_get(a->model, th->id);
		if (!h || tui_host_group_index(a, th) != (int)gi)
			continue;
		wattrset(w, tui_attr(a, CORE_ROLE_ROW));
		tui_put_safe(w, y, 0, width, "", false);
		tui_put(w, y, 0, nw, h->label, false);
		wattrset(w, tui_attr(a, h->conn == MD_CONN_CONNECTED ? CORE_ROLE_STATE_RUNNING
					: h->conn == MD_CONN_CONNECTING ? CORE_ROLE_BUSY
					: CORE_ROLE_DISCONNECTED));
		tui_put_safe(w, y, nw + 1, sw, tui_host_shows_busy(h) ? "busy" : md_conn_name(h->conn), false);
		wattrset(w, tui_attr(a, CORE_ROLE_ROW));
		tui_put(w, y, nw + sw + 2, width - nw - sw - 2, h->uri, false);
		y++;
	}
}

static void draw_list(struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	const md_host *h = n ? md_host_get(a->model, n->host_id) : NULL;
	werase(a->w_list);
	if (n && n->kind == TUI_NODE_GROUP && (size_t)n->group < a->ngroups) {
		draw_group_list(a, (size_t)n->group);
	} else if (!h) {
		pane_title(a, a->w_list, getmaxx(a->w_list), " No host", a->focus == TUI_PANE_LIST);
		wattrset(a->w_list, tui_attr(a, CORE_ROLE_ROW));
		tui_put_safe(a->w_list, 2, 2, getmaxx(a->w_list) - 4, "Add a host with + (File > Add Host...).", false);
	} else if (n->kind == TUI_NODE_NETS) {
		draw_nets(a, h);
	} else if (n->kind == TUI_NODE_POOLS) {
		draw_pools(a, h);
	} else {
		draw_vm_list(a, h);
	}
	if (a->actions_visible)
		pane_separator(a, a->w_list);
}

/* ---- actions pane ---------------------------------------------------------- */

size_t tui_pane_actions(const struct tui_app *a, const struct tui_action **out, size_t max)
{
	const struct tui_node *n = tui_sel_node(a);
	size_t k = 0;
	int scopes[3], ns = 0;
	if (tui_sel_vm(a))
		scopes[ns++] = TUI_SCOPE_VM;
	if (n)
		scopes[ns++] = n->kind == TUI_NODE_GROUP ? TUI_SCOPE_GROUP : TUI_SCOPE_HOST;
	scopes[ns++] = TUI_SCOPE_GLOBAL;
	for (int s = 0; s < ns; s++)
		for (size_t i = 0; i < tui_nactions && k < max; i++)
			if (tui_actions[i].scope == scopes[s] && tui_actions[i].in_pane)
				out[k++] = &tui_actions[i];
	return k;
}

static void draw_actions(struct tui_app *a)
{
	WINDOW *w = a->w_actions;
	const struct tui_action *acts[64];
	size_t n = tui_pane_actions(a, acts, 64);
	int width = getmaxx(w), y = 1, last_scope = -1;
	const md_vm *v = tui_sel_vm(a);
	const md_host *h = tui_sel_host(a);
	const struct tui_group *g = tui_sel_group(a);
	werase(w);
	pane_title(a, w, width, " Actions", a->focus == TUI_PANE_ACTIONS);
	for (size_t i = 0; i < n && y < getmaxy(w); i++) {
		char k[32];
		bool en = tui_action_enabled(a, acts[i]);
		bool sel = a->focus == TUI_PANE_ACTIONS && i == a->action_sel;
		if (acts[i]->scope != last_scope) {
			const char *head = acts[i]->scope == TUI_SCOPE_VM ? (v ? v->name : "")
					   : acts[i]->scope == TUI_SCOPE_HOST ? (h ? h->label : "")
					   : acts[i]->scope == TUI_SCOPE_GROUP ? (g ? g->name : "")
					   : "Console";
			if (last_scope != -1)
				y++;
			if (y >= getmaxy(w))
				break;
			wattrset(w, tui_attr(a, CORE_ROLE_HEADER));
			tui_put(w, y++, 0, width, head, false);
			last_scope = acts[i]->scope;
			if (y >= getmaxy(w))
				break;
		}
		tui_action_keys(acts[i], k, sizeof(k));
		if (strchr(k, ','))
			*strchr(k, ',') = '\0';
		wattrset(w, tui_attr(a, sel ? CORE_ROLE_ACTION_SEL : en ? CORE_ROLE_ACTION : CORE_ROLE_ACTION_DISABLED));
		tui_put_safe(w, y, 0, width, "", false);
		tui_put_safe(w, y, 1, width - 8, acts[i]->label, false);
		if (en && !sel)
			wattrset(w, tui_attr(a, CORE_ROLE_ACTION_KEY));
		tui_put_safe(w, y, width - 7, 6, k, true);
		y++;
	}
}

/* ---- status bar ------------------------------------------------------------ */

static void draw_status(struct tui_app *a)
{
	WINDOW *w = a->w_status;
	const char *hint = "F1 Help  F10 Menu  q Quit";
	int hw = (int)strlen(hint), left = a->cols - hw - 1;
	size_t connected = 0, down = 0;
	char summary[64];
	for (size_t i = 0; i < a->model->nhosts; i++) {
		if (a->model->hosts[i]->conn == MD_CONN_CONNECTED)
			connected++;
		else if (a->model->hosts[i]->conn != MD_CONN_CONNECTING)
			down++;
	}
	snprintf(summary, sizeof(summary), "%zu/%zu connected", connected, a->model->nhosts);
	wbkgdset(w, ' ' | tui_attr(a, CORE_ROLE_STATUS));
	werase(w);
	wattrset(w, tui_attr(a, down ? CORE_ROLE_STATUS_ERROR : CORE_ROLE_STATUS));
	tui_put_safe(w, 0, 0, 18, summary, false);
	if (a->model->status) {
		wattrset(w, tui_attr(a, a->model->status_error ? CORE_ROLE_STATUS_ERROR : CORE_ROLE_STATUS_OK));
		tui_put(w, 0, 19, left - 20, a->model->status, false);
	}
	wattrset(w, tui_attr(a, CORE_ROLE_STATUS));
	tui_put_safe(w, 0, a->cols - hw - 1, hw + 1, hint, true);
}

/* ---- help ---------------------------------------------------------------------- */

static void draw_help(struct tui_app *a)
{
	WINDOW *w = a->w_list;
	int width = getmaxx(w), rows = getmaxy(w) - 2, line = 0, y = 1;
	werase(w);
	pane_title(a, w, width, " Help: keys (Escape or q closes, arrows scroll)", true);
	for (int scope = TUI_SCOPE_GLOBAL; scope <= TUI_SCOPE_NAV; scope++) {
		static const char *const heads[] = {
			[TUI_SCOPE_GLOBAL] = "Everywhere", [TUI_SCOPE_HOST] = "Hosts",
			[TUI_SCOPE_VM] = "Virtual machines", [TUI_SCOPE_GROUP] = "Groups",
			[TUI_SCOPE_NAV] = "Moving around",
		};
		if (line++ >= (int)a->help_top && y <= rows) {
			wattrset(w, tui_attr(a, CORE_ROLE_HEADER));
			tui_put_safe(w, y++, 0, width, heads[scope], false);
		}
		for (size_t i = 0; i < tui_nactions; i++) {
			char k[40], *l;
			if (tui_actions[i].scope != scope)
				continue;
			if (line++ < (int)a->help_top || y > rows)
				continue;
			tui_action_keys(&tui_actions[i], k, sizeof(k));
			l = xasprintf("  %-14s %s", k, tui_actions[i].help);
			wattrset(w, tui_attr(a, CORE_ROLE_ROW));
			tui_put_safe(w, y++, 0, width, l, false);
			free(l);
		}
	}
}

/* ---- the whole screen --------------------------------------------------------- */

void tui_draw(struct tui_app *a)
{
	if (a->too_small) {
		const char *m = "terminal too small";
		char size[64];
		snprintf(size, sizeof(size), "%dx%d, need 80x24", a->cols, a->lines);
		erase();
		attrset(tui_attr(a, CORE_ROLE_ERROR));
		mvaddstr(a->lines / 2, (a->cols - (int)strlen(m)) / 2 > 0 ? (a->cols - (int)strlen(m)) / 2 : 0, m);
		if (a->lines > 2)
			mvaddstr(a->lines / 2 + 1, (a->cols - (int)strlen(size)) / 2 > 0 ? (a->cols - (int)strlen(size)) / 2 : 0, size);
		wnoutrefresh(stdscr);
		return;
	}
	if (a->dirty & TUI_DIRTY_MENU)
		draw_menubar(a);
	if (a->dirty & TUI_DIRTY_TREE)
		draw_tree(a);
	if (a->help_open)
		draw_help(a);
	else if (a->view == TUI_VIEW_PERF)
		tui_perf_draw(a, a->w_list);
	else if (a->view == TUI_VIEW_CONSOLE)
		tui_console_draw(a, a->w_list);
	else if (a->dirty & TUI_DIRTY_LIST)
		draw_list(a);
	if (a->actions_visible && (a->dirty & TUI_DIRTY_ACTIONS))
		draw_actions(a);
	if (a->dirty & TUI_DIRTY_STATUS)
		draw_status(a);
	if (a->menu_open >= 0) {
		draw_dropdown(a);
	} else if (a->p_drop) {
		del_panel(a->p_drop);
		delwin(a->w_drop);
		a->p_drop = NULL;
		a->w_drop = NULL;
	}
	curs_set(0);
	for (size_t i = 0; i < a->ndialogs; i++) { /* the stack's modes, bottom first */
		struct tui_mode *m = &a->dialogs[i]->mode;
		if (m->win)
			m->ops->draw(m, a, m->win);
	}
	update_panels();
}
