/* SPDX-License-Identifier: GPL-2.0-or-later */
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

void tui_cursor(struct tui_app *a, WINDOW *w, int y, int x)
{
	a->cursor_win = w;
	a->cursor_y = y;
	a->cursor_x = x;
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

bool tui_host_shows_busy(const md_host *h)
{
	return h->busy > 0 && core_now_ms() - h->busy_since_ms >= 500;
}

/* A group's row: arrow, name, and how many hosts it holds. */
static void draw_group_node(struct tui_app *a, WINDOW *w, int y, int width, const struct tui_node *n, bool sel)
{
	const struct core_reg_group *g = (size_t)n->group < a->reg.ngroups ? &a->reg.groups[n->group] : NULL;
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
		wattrset(w, tui_attr(a, role));
		if (n->kind == TUI_NODE_GROUP) {
			draw_group_node(a, w, r + 1, width, n, sel);
			continue;
		}
		if (!h)
			continue;
		if (n->kind == TUI_NODE_HOST) {
			struct core_reg_host *th = tui_host_by_id(a, h->id);
			const char *state = tui_host_shows_busy(h) ? "busy" : md_host_state_name(h);
			char *label = core_sanitize(h->label);
			/* a connected host of another driver than QEMU (or the demo's
			 * test driver) shows which: "lxc", "esx" */
			if (h->conn == MD_CONN_CONNECTED && !tui_host_shows_busy(h) && h->driver &&
			    strcmp(h->driver, "qemu") != 0 && strcmp(h->driver, "test") != 0 &&
			    strlen(h->driver) < 12)
				state = h->driver;
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
			size_t count = n->view && n->view->count ? n->view->count(h) : 0;
			char num[24];
			snprintf(num, sizeof(num), " %zu ", count);
			tui_put_safe(w, r + 1, 0, width, "", false);
			tui_put_safe(w, r + 1, ind, width - ind - (int)strlen(num), n->view ? n->view->label : "", false);
			if (!sel)
				wattrset(w, tui_attr(a, CORE_ROLE_TREE) | A_DIM);
			tui_put_safe(w, r + 1, width - (int)strlen(num), (int)strlen(num), num, true);
		}
	}
	pane_separator(a, w);
}

/* ---- the results pane's frame ------------------------------------------ */

int tui_pane_width(const struct tui_app *a, WINDOW *w)
{
	return getmaxx(w) - (a->actions_visible && !a->fullscreen && w == a->w_list ? 1 : 0);
}

void tui_pane_title(struct tui_app *a, WINDOW *w, const char *title)
{
	pane_title(a, w, tui_pane_width(a, w), title, a->focus == TUI_PANE_LIST);
}

/* Safe text wrapped at spaces into width columns from (*y, x), below maxy. */
void tui_wrap_put(struct tui_app *a, WINDOW *w, int *y, int x, int width, int maxy, const char *safe)
{
	size_t k = 0, len = strlen(safe);
	(void)a;
	if (width < 4)
		width = 4;
	while (k < len && *y < maxy) {
		const char *nl = strchr(safe + k, '\n');
		size_t line_end = nl ? (size_t)(nl - safe) : len;
		size_t take = line_end - k;
		if (core_str_width(safe + k) > width || take > (size_t)width) {
			/* the longest part that fits, cut at a space */
			size_t fit = 0, sp = 0;
			for (size_t i = k; i < line_end; i++) {
				char *part = xstrndup(safe + k, i - k + 1);
				bool ok = core_str_width(part) <= width;
				free(part);
				if (!ok)
					break;
				fit = i - k + 1;
				if (safe[i] == ' ')
					sp = fit;
			}
			if (fit < take)
				take = sp ? sp : (fit ? fit : 1);
		}
		{
			char *part = xstrndup(safe + k, take);
			tui_put_safe(w, (*y)++, x, width, part, false);
			free(part);
		}
		k += take;
		while (k < len && safe[k] == ' ')
			k++;
		if (k < len && safe[k] == '\n')
			k++;
	}
}

int tui_tree_visible_rows(const struct tui_app *a)
{
	return a->w_tree ? getmaxy(a->w_tree) - 1 : 0;
}

int tui_state_role(const md_vm *v)
{
	switch (v->state) {
	case MD_VM_RUNNING:
	case MD_VM_BLOCKED:
		return CORE_ROLE_STATE_RUNNING;
	case MD_VM_PAUSED:
	case MD_VM_PMSUSPENDED:
		return CORE_ROLE_STATE_PAUSED;
	case MD_VM_SHUTOFF:
		return v->managed_save ? CORE_ROLE_STATE_PAUSED : CORE_ROLE_STATE_SHUTOFF;
	case MD_VM_CRASHED:
		return CORE_ROLE_STATE_CRASHED;
	}
	return CORE_ROLE_STATE_OTHER;
}

/* A shut-off VM with a saved state says so: Start resumes it. */
const char *tui_vm_state_text(const md_vm *v)
{
	if (v->state == MD_VM_SHUTOFF && v->managed_save)
		return "saved";
	return md_vm_state_name(v->state);
}

/* ---- actions pane ---------------------------------------------------------- */

size_t tui_pane_actions(const struct tui_app *a, const struct tui_action **out, size_t max)
{
	const struct tui_node *n = tui_sel_node(a);
	const struct tui_mode *m = a->pane; /* the node's view, also under an overlay */
	size_t k = 0;
	int scopes[4], ns = 0;
	if (m && m->ops->scope && m->ops->selected && m->ops->selected(m)) {
		int s = m->ops->scope(m);
		if (s != TUI_SCOPE_GROUP)
			scopes[ns++] = s;
	}
	if (n)
		scopes[ns++] = n->kind == TUI_NODE_GROUP ? TUI_SCOPE_GROUP : TUI_SCOPE_HOST;
	scopes[ns++] = TUI_SCOPE_GLOBAL;
	for (int s = 0; s < ns; s++)
		for (size_t i = 0; i < tui_nactions && k < max; i++)
			if ((int)tui_actions[i].scope == scopes[s] && tui_actions[i].in_pane)
				out[k++] = &tui_actions[i];
	return k;
}

/* The heading of a scope's actions: what they act on. */
static char *scope_head(const struct tui_app *a, int scope)
{
	const md_host *h = tui_sel_host(a);
	const struct core_reg_group *g = tui_sel_group(a);
	const void *o = tui_selected(a, scope);
	switch (scope) {
	case TUI_SCOPE_VM: return xstrdup(o ? ((const md_vm *)o)->name : "");
	case TUI_SCOPE_NET: return xstrdup(o ? ((const md_net *)o)->name : "");
	case TUI_SCOPE_POOL: return xstrdup(o ? ((const md_pool *)o)->name : "");
	case TUI_SCOPE_HOST: return xstrdup(h ? h->label : "");
	case TUI_SCOPE_GROUP: return xstrdup(g ? g->name : "");
	}
	return xstrdup("Console");
}

static void draw_actions(struct tui_app *a)
{
	WINDOW *w = a->w_actions;
	const struct tui_action *acts[64];
	size_t n = tui_pane_actions(a, acts, 64);
	int width = getmaxx(w), y = 1, last_scope = -1;
	werase(w);
	pane_title(a, w, width, " Actions", a->focus == TUI_PANE_ACTIONS);
	for (size_t i = 0; i < n && y < getmaxy(w); i++) {
		char k[32];
		bool en = tui_action_enabled(a, acts[i]);
		bool sel = a->focus == TUI_PANE_ACTIONS && i == a->action_sel;
		if ((int)acts[i]->scope != last_scope) {
			char *head = scope_head(a, acts[i]->scope);
			if (last_scope != -1)
				y++;
			if (y >= getmaxy(w)) {
				free(head);
				break;
			}
			wattrset(w, tui_attr(a, CORE_ROLE_HEADER));
			tui_put(w, y++, 0, width, head, false);
			free(head);
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
	int sw;
	snprintf(summary, sizeof(summary), "%zu/%zu connected", connected, a->model->nhosts);
	sw = (int)strlen(summary) > 18 ? (int)strlen(summary) : 18; /* "1000/1000 connected" whole */
	wbkgdset(w, ' ' | tui_attr(a, CORE_ROLE_STATUS));
	werase(w);
	wattrset(w, tui_attr(a, down ? CORE_ROLE_STATUS_ERROR : CORE_ROLE_STATUS));
	tui_put_safe(w, 0, 0, sw, summary, false);
	if (a->sticky_status && core_now_ms() < a->sticky_until_ms) {
		/* a problem that must not scroll away under the next host error */
		wattrset(w, tui_attr(a, CORE_ROLE_STATUS_ERROR));
		tui_put(w, 0, sw + 1, left - sw - 2, a->sticky_status, false);
	} else if (a->model->status) {
		wattrset(w, tui_attr(a, a->model->status_error ? CORE_ROLE_STATUS_ERROR : CORE_ROLE_STATUS_OK));
		tui_put(w, 0, sw + 1, left - sw - 2, a->model->status, false);
	}
	wattrset(w, tui_attr(a, CORE_ROLE_STATUS));
	tui_put_safe(w, 0, a->cols - hw - 1, hw + 1, hint, true);
}

/* ---- the whole screen --------------------------------------------------------- */

/* Frames no key asked for (messages: a connect storm posts hundreds a
 * second) are drawn at most once per $VMMC_FRAME_MS (default 30, 0: every
 * pass): at a 1000-host start the UI drew 200 frames a second, each one
 * work for the terminal (tmux) that then read the next key late. A pass
 * that read a key, and the console view, draw at once (tui_run). */
static int64_t frame_gap_us = -1, frame_last_us;

int64_t tui_frame_wait_ms(void)
{
	if (frame_gap_us < 0) {
		const char *e = getenv("VMMC_FRAME_MS");
		long v = e && *e ? strtol(e, NULL, 10) : 30;
		frame_gap_us = v >= 0 && v <= 1000 ? v * 1000 : 30000;
	}
	return (frame_last_us + frame_gap_us - core_now_us()) / 1000;
}

void tui_frame_drawn(void)
{
	frame_last_us = core_now_us();
}

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
	if ((a->dirty & TUI_DIRTY_LIST) || a->nstack)
		a->cursor_win = NULL;
	if (a->dirty & TUI_DIRTY_MENU)
		draw_menubar(a);
	if (a->dirty & TUI_DIRTY_TREE)
		draw_tree(a);
	if (a->dirty & TUI_DIRTY_LIST) {
		struct tui_mode *m = tui_pane_mode(a);
		werase(a->w_list);
		if (m && m->ops->draw)
			m->ops->draw(m, a, a->w_list);
		if (a->actions_visible && !a->fullscreen)
			pane_separator(a, a->w_list);
	}
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
	for (size_t i = 0; i < a->nstack; i++) {
		struct tui_mode *m = a->stack[i];
		if (m->win && m->ops->draw) {
			a->cursor_win = NULL; /* only the top one's cursor shows */
			m->ops->draw(m, a, m->win);
		}
	}
	update_panels();
	if (a->cursor_win) {
		wmove(a->cursor_win, a->cursor_y, a->cursor_x);
		wnoutrefresh(a->cursor_win);
		curs_set(1);
	} else {
		curs_set(0);
	}
}
