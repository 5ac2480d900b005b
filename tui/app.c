/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/app.c - the console's loop and routing. The loop polls stdin, the
 * backend's message queue and the next timer; drains messages into the
 * model (a job's answer to the mode that sent it); routes keys and clicks
 * (the mode stack's top, then the results pane's mode, then the action
 * table); and redraws once per pass (wnoutrefresh ... one doupdate). What
 * the views and dialogs do is in their own files. */
#include "app.h"
#include "actions.h"
#include "console.h"
#include "dialog.h"
#include "input.h"
#include "listview.h"
#include "nav.h"
#include "tree.h"
#include "settings.h"
#include "view_integ.h"
#include "wizard_newvm.h"

#include <ctype.h>
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
#ifndef CTRL
#define CTRL(c) ((c) & 0x1f)
#endif

static volatile sig_atomic_t tui_sig_quit;
static volatile sig_atomic_t tui_sig_cont;
static volatile sig_atomic_t tui_sig_bench; /* SIGUSR1: the bench's window ends */
static struct termios tui_saved_tio;
static bool tui_saved_tio_ok;
static bool tui_curses_on;

/* ---- lookups ------------------------------------------------------------------ */

struct core_reg_host *tui_host_by_id(struct tui_app *a, int id)
{
	return core_hostreg_get(&a->reg, id);
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

struct tui_mode *tui_pane_mode(const struct tui_app *a)
{
	return a->overlay ? a->overlay : a->pane;
}

const void *tui_selected(const struct tui_app *a, int scope)
{
	const struct tui_mode *m = a->pane; /* the node's view, under any overlay */
	if (!m || !m->ops->scope || !m->ops->selected || m->ops->scope(m) != scope)
		return NULL;
	return m->ops->selected(m);
}

const md_vm *tui_sel_vm(const struct tui_app *a)
{
	return tui_selected(a, TUI_SCOPE_VM);
}

void tui_status_sticky(struct tui_app *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(a->sticky_status);
	a->sticky_status = xvasprintf(fmt, ap);
	va_end(ap);
	a->sticky_until_ms = core_now_ms() + 15000;
	md_set_status(a->model, true, "%s", a->sticky_status);
	a->dirty |= TUI_DIRTY_STATUS;
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

/* Jobs a mode waits for: forget those of a mode that goes, or of a host. */
void tui_expects_drop(struct tui_app *a, const struct tui_mode *m, int host_id)
{
	size_t k = 0;
	for (size_t i = 0; i < a->nexpects; i++)
		if (a->expects[i].mode != m && (host_id < 0 || a->expects[i].host_id != host_id))
			a->expects[k++] = a->expects[i];
	a->nexpects = k;
}

/* ---- the results pane --------------------------------------------------------- */

/* The view the selected node shows: a host's own node its VMs. */
static const struct tui_view *node_view(const struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	if (!n)
		return tui_view_by_id("none");
	if (n->kind == TUI_NODE_GROUP)
		return tui_view_by_id("group");
	if (n->kind == TUI_NODE_VIEW)
		return n->view;
	return tui_view_by_id("vms");
}

/* Point the pane at the node's view (one instance per view, made once). */
static void pane_follow_node(struct tui_app *a)
{
	const struct tui_view *v = node_view(a);
	size_t k = (size_t)(v - tui_views);
	if (!a->view_modes)
		a->view_modes = xcalloc(tui_nviews, sizeof(*a->view_modes));
	if (!a->view_modes[k])
		a->view_modes[k] = v->make(a);
	if (a->pane != a->view_modes[k]) {
		a->pane = a->view_modes[k];
		a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS | TUI_DIRTY_RESORT;
	}
}

void tui_pane_overlay(struct tui_app *a, struct tui_mode *m)
{
	if (a->overlay == m)
		return;
	a->overlay = m;
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
}

bool tui_pane_shows(const struct tui_app *a, const struct tui_mode *m)
{
	return m && a->overlay == m;
}

/* A list view that moves to another node starts at its top. */
static void pane_reset_selection(struct tui_app *a)
{
	if (a->pane && a->pane->ops == &tui_listview_ops) {
		struct tui_list *l = &((struct tui_listview *)a->pane)->list;
		l->sel = l->top = 0;
		l->sel_id[0] = '\0';
	}
}

void tui_tree_select(struct tui_app *a, size_t i)
{
	if (i >= a->nnodes)
		return;
	if (i != a->tree_sel) {
		a->tree_sel = i;
		a->action_sel = 0;
		pane_follow_node(a);
		pane_reset_selection(a);
	}
	{
		int vis = tui_tree_visible_rows(a);
		if (a->tree_sel < a->tree_top)
			a->tree_top = a->tree_sel;
		if (vis > 0 && a->tree_sel >= a->tree_top + (size_t)vis)
			a->tree_top = a->tree_sel - (size_t)vis + 1;
	}
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS | TUI_DIRTY_RESORT;
}

void tui_submit_vm(struct tui_app *a, int op)
{
	const md_host *h = tui_sel_host(a);
	const md_vm *v = tui_sel_vm(a);
	be_host *be = h ? tui_host_be(tui_host_by_id(a, h->id)) : NULL;
	if (!be || !v)
		return;
	be_host_submit(be, op, v->uuid, NULL, 0);
	tui_status(a, false, "%s '%s'...", be_op_name(op), v->name);
}

/* ---- the mode stack ---------------------------------------------------------------- */

static void stack_window(struct tui_app *a, struct tui_mode *m)
{
	if (m->panel)
		del_panel(m->panel);
	if (m->win)
		delwin(m->win);
	m->panel = NULL;
	m->win = NULL;
	if (a->cursor_win && !m->win)
		a->cursor_win = NULL;
	if (a->too_small)
		return;
	if (m->ops->resize)
		m->ops->resize(m, a, a->lines, a->cols);
	if (m->h < 3 || m->w < 10)
		return;
	m->win = newwin(m->h, m->w, m->y, m->x);
	if (m->win) {
		keypad(m->win, TRUE);
		m->panel = new_panel(m->win);
	}
}

void tui_mode_push(struct tui_app *a, struct tui_mode *m)
{
	xgrow(&a->stack, &a->cap_stack, a->nstack + 1, sizeof(*a->stack));
	a->stack[a->nstack++] = m;
	a->menu_open = -1;
	stack_window(a, m);
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_push_dialog(struct tui_app *a, struct tui_dialog *d)
{
	tui_mode_push(a, &d->mode);
}

struct tui_mode *tui_mode_top(const struct tui_app *a)
{
	return a->nstack ? a->stack[a->nstack - 1] : NULL;
}

#define TUI_EXPECTS_PER_MODE 32

void tui_mode_expect(struct tui_app *a, struct tui_mode *m, int host_id, uint64_t seq)
{
	size_t mine = 0, oldest = 0;
	for (size_t i = 0; i < a->nexpects; i++)
		if (a->expects[i].mode == m && mine++ == 0)
			oldest = i;
	if (mine >= TUI_EXPECTS_PER_MODE) /* a long-lived view: forget its oldest job */
		memmove(&a->expects[oldest], &a->expects[oldest + 1], (--a->nexpects - oldest) * sizeof(*a->expects));
	xgrow(&a->expects, &a->cap_expects, a->nexpects + 1, sizeof(*a->expects));
	a->expects[a->nexpects++] = (struct tui_expect){ m, host_id, seq };
}

static void mode_destroy(struct tui_app *a, struct tui_mode *m)
{
	tui_expects_drop(a, m, -1);
	if (m->panel)
		del_panel(m->panel);
	if (m->win)
		delwin(m->win);
	m->panel = NULL;
	m->win = NULL;
	a->cursor_win = NULL;
	if (m->ops->free)
		m->ops->free(m);
}

void tui_mode_pop(struct tui_app *a, struct tui_mode *m)
{
	size_t i;
	for (i = 0; i < a->nstack && a->stack[i] != m; i++)
		;
	if (i == a->nstack)
		return;
	memmove(&a->stack[i], &a->stack[i + 1], (a->nstack - i - 1) * sizeof(*a->stack));
	a->nstack--;
	if (m->ops->done)
		m->ops->done(m, a);
	mode_destroy(a, m);
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
}

/* After a key, click or answer: the mode may have grown or shrunk. */
static void stack_relayout(struct tui_app *a, struct tui_mode *m)
{
	if (!m->ops->resize || a->too_small)
		return;
	m->ops->resize(m, a, a->lines, a->cols);
	/* the window as it is against the size the mode wants now (its key
	 * or reply may have laid it out already) */
	if (!m->win || getmaxy(m->win) != m->h || getmaxx(m->win) != m->w || getbegy(m->win) != m->y ||
	    getbegx(m->win) != m->x)
		stack_window(a, m);
}

/* Give a stack mode a key/click result. */
static void stack_result(struct tui_app *a, struct tui_mode *m, int r)
{
	bool still = false;
	for (size_t i = 0; i < a->nstack; i++)
		still |= a->stack[i] == m;
	if (!still)
		return;
	if (r == TUI_KEY_CLOSE)
		tui_mode_pop(a, m);
	else
		stack_relayout(a, m);
	a->dirty |= TUI_DIRTY_ALL;
}

/* ---- messages -------------------------------------------------------------------- */

static void on_host_state(struct tui_app *a, const md_msg *m)
{
	struct core_reg_host *th = tui_host_by_id(a, m->host_id);
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
	} else if (m->conn == MD_CONN_CONNECTED && a->model->status_error && a->model->status &&
		   strncmp(a->model->status, h->label, strlen(h->label)) == 0) {
		/* its old error leaves the status bar once it is back */
		tui_status(a, false, "%s connected", h->label);
	} else if ((m->conn == MD_CONN_FAILED && !th->fallback_local) || m->conn == MD_CONN_DISCONNECTED) {
		tui_status(a, true, "%s %s: %s%s", h->label, h->stalled ? "not answering" : md_host_state_name(h),
			   m->text ? m->text : "", m->retry_s > 0 ? " (retrying)" : m->stalled ? " (still waiting)" : "");
	}
}

/* An answer to a job a mode sent: to its reply(). true: delivered. */
bool tui_route_reply(struct tui_app *a, const md_msg *m)
{
	if (!m->seq)
		return false;
	for (size_t i = 0; i < a->nexpects; i++) {
		struct tui_expect e = a->expects[i];
		if (e.seq != m->seq || e.host_id != m->host_id)
			continue;
		/* a job may answer in several messages, its OP_RESULT not
		 * always last (BE_OP_DISKS): the expectation stays until the
		 * mode goes (tui_mode_expect keeps the newest few) */
		if (e.mode->ops->reply) {
			e.mode->ops->reply(e.mode, a, m);
			for (size_t k = 0; k < a->nstack; k++)
				if (a->stack[k] == e.mode)
					stack_relayout(a, e.mode);
		}
		a->dirty |= TUI_DIRTY_ALL;
		return m->type != MD_MSG_OP_RESULT; /* results also reach the model */
	}
	return false;
}

static void drain_messages(struct tui_app *a)
{
	void *item;
	while ((item = core_msgq_pop(a->queue)) != NULL) {
		md_msg *m = item;
		int dirty;
		const md_host *sel = tui_sel_host(a);
		bool for_sel_host = sel && sel->id == m->host_id;
		if (tui_route_reply(a, m)) {
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
		if (m->type == MD_MSG_VM_DEVICES) {
			tui_settings_devices(a, m);
			a->dirty |= TUI_DIRTY_ALL;
			md_msg_free(&m);
			continue;
		}
		if (m->type == MD_MSG_VM_REMOVED && for_sel_host) {
			const md_vm *v = md_vm_find(sel, m->uuid);
			const md_vm *cur = tui_sel_vm(a);
			if (v && cur == v && !(a->model->status && strstr(a->model->status, "Deleted")))
				tui_status(a, false, "'%s' no longer exists on this host",
					   m->text ? m->text : v->name ? v->name : m->uuid);
		}
		dirty = md_apply(a->model, m);
		if (m->type == MD_MSG_HOST_STATE)
			on_host_state(a, m);
		if (m->type == MD_MSG_STATS)
			tui_perf_msg(a, m);
		if (m->type == MD_MSG_XFER || m->type == MD_MSG_VM_UPDATE || m->type == MD_MSG_VM_REMOVED)
			/* dialogs that follow a transfer or a VM (Settings) */
			for (size_t k = 0; k < a->nstack; k++)
				if (a->stack[k]->ops->sync) {
					a->stack[k]->ops->sync(a->stack[k], a);
					stack_relayout(a, a->stack[k]);
					a->dirty |= TUI_DIRTY_ALL;
				}
		if ((dirty & MD_DIRTY_LIVE) && for_sel_host)
			a->dirty |= TUI_DIRTY_LIST | TUI_DIRTY_ROWS;
		if (dirty & MD_DIRTY_TREE)
			a->dirty |= TUI_DIRTY_TREE | TUI_DIRTY_ACTIONS | TUI_DIRTY_STATUS;
		if ((dirty & MD_DIRTY_LIST) && (for_sel_host || (tui_sel_node(a) && tui_sel_node(a)->kind == TUI_NODE_GROUP)))
			a->dirty |= TUI_DIRTY_LIST | TUI_DIRTY_ROWS | TUI_DIRTY_RESORT | TUI_DIRTY_ACTIONS;
		if (dirty & MD_DIRTY_STATUS)
			a->dirty |= TUI_DIRTY_STATUS;
		md_msg_free(&m);
	}
}

/* ---- navigation ---------------------------------------------------------------- */

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

void tui_nav(struct tui_app *a, int how)
{
	const struct tui_action *acts[64];
	size_t nacts;
	int panes = a->actions_visible ? 3 : 2;
	a->dirty |= TUI_DIRTY_ALL;
	switch (how) {
	case TUI_NAV_NEXT_PANE:
		a->focus = (a->focus + 1) % panes;
		return;
	case TUI_NAV_PREV_PANE:
		a->focus = (a->focus + panes - 1) % panes;
		return;
	}
	switch (a->focus) {
	case TUI_PANE_TREE:
		if (how == TUI_NAV_LEFT) {
			tui_tree_expand(a, false);
		} else if (how == TUI_NAV_RIGHT) {
			const struct tui_node *n = tui_sel_node(a);
			bool *open = n ? tui_tree_node_open(a, n) : NULL;
			if (open && !*open)
				tui_tree_expand(a, true);
			else
				a->focus = TUI_PANE_LIST;
		} else if (how == TUI_NAV_OPEN) {
			a->focus = TUI_PANE_LIST;
		} else {
			tui_tree_select(a, step(a->tree_sel, a->nnodes, how, tui_tree_visible_rows(a) - 1));
		}
		break;
	case TUI_PANE_LIST:
		if (how == TUI_NAV_LEFT)
			a->focus = TUI_PANE_TREE;
		else if (how == TUI_NAV_RIGHT && a->actions_visible)
			a->focus = TUI_PANE_ACTIONS;
		else if (how == TUI_NAV_OPEN)
			tui_listview_open(a, tui_pane_mode(a));
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

/* Ctrl-Z outside a console: give the terminal back, stop, and take it
 * again when continued (raw mode turns it into a key, not a signal). */
static void suspend_self(struct tui_app *a)
{
	endwin();
	raise(SIGTSTP);
	/* continued */
	refresh();
	clearok(curscr, TRUE);
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_handle_key(struct tui_app *a, int key, bool is_char)
{
	const struct tui_action *act;
	struct tui_mode *m;
	if (!is_char && key == KEY_RESIZE) {
		tui_layout(a);
		return;
	}
	if (a->too_small) {
		if (is_char && (key == 'q' || key == CTRL('c')))
			a->quit = true;
		return;
	}
	/* 1. the top of the mode stack (a dialog takes every key) */
	if ((m = tui_mode_top(a)) != NULL) {
		int r = m->ops->key ? m->ops->key(m, a, key, is_char) : TUI_KEY_PASS;
		stack_result(a, m, r == TUI_KEY_PASS && is_char && key == 27 ? TUI_KEY_CLOSE : r);
		return;
	}
	if (a->menu_open >= 0) {
		menu_key(a, key, is_char);
		return;
	}
	/* 2. the results pane's mode: an overlay (help, performance, a
	 * console, which takes every key but its escape key while attached)
	 * always, the node's view when the pane has the focus (and Escape,
	 * which clears a list's filter from anywhere) */
	m = tui_pane_mode(a);
	if (m && m->ops->key && (m == a->overlay || a->focus == TUI_PANE_LIST || (is_char && key == 27))) {
		int r = m->ops->key(m, a, key, is_char);
		if (r != TUI_KEY_PASS) {
			a->dirty |= TUI_DIRTY_ALL;
			return;
		}
	}
	/* 3. the action table */
	if (is_char && key == CTRL('c')) {
		a->quit = true; /* outside a console, Ctrl-C quits cleanly */
		return;
	}
	if (is_char && key == CTRL('z')) {
		suspend_self(a);
		return;
	}
	if ((is_char && key > 127) || TUI_KEY_IS_ALT(key))
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
			return;
		}
	}
	a->menu_open = -1;
}

static void mouse_actions(struct tui_app *a, int y)
{
	const struct tui_action *acts[64];
	size_t n = tui_pane_actions(a, acts, 64);
	int row = 1, last_scope = -1;
	a->focus = TUI_PANE_ACTIONS;
	/* walk the same layout draw_actions uses */
	for (size_t i = 0; i < n; i++) {
		if ((int)acts[i]->scope != last_scope) {
			if (last_scope != -1)
				row++;
			row++;
			last_scope = acts[i]->scope;
		}
		if (y - 1 == row) {
			a->action_sel = i;
			tui_action_run(a, acts[i]);
			return;
		}
		row++;
	}
}

static bool mouse_dropdown(struct tui_app *a, int y, int x)
{
	int wy, wx, h, w;
	if (a->menu_open < 0 || !a->w_drop)
		return false;
	getbegyx(a->w_drop, wy, wx);
	getmaxyx(a->w_drop, h, w);
	if (y > wy && y < wy + h - 1 && x >= wx && x < wx + w) {
		const struct tui_action *items[32];
		size_t n = tui_menu_items(a->menu_open, items, 32);
		size_t i = (size_t)(y - wy - 1);
		a->menu_open = -1;
		if (i < n)
			tui_action_run(a, items[i]);
		return true;
	}
	if (y != 0) {
		a->menu_open = -1;
		return true;
	}
	return false;
}

void tui_handle_mouse(struct tui_app *a)
{
	MEVENT ev;
	bool press, dbl = false;
	int64_t now = core_now_ms();
	struct tui_mode *m;
	if (getmouse(&ev) != OK || a->too_small)
		return;
	press = ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED);
	if (!press && !(ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)))
		return; /* a release, another button: nothing to do, nothing to draw */
	if (press) {
		dbl = ev.y == last_click_y && now - last_click_ms < 400;
		last_click_ms = now;
		last_click_y = ev.y;
	}
	a->dirty |= TUI_DIRTY_ALL;
	if ((m = tui_mode_top(a)) != NULL) {
		if (press && m->ops->click && m->win)
			stack_result(a, m, m->ops->click(m, a, ev.y - m->y, ev.x - m->x, dbl));
		return;
	}
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		int key = ev.bstate & BUTTON4_PRESSED ? KEY_UP : KEY_DOWN;
		int old = a->focus;
		a->focus = ev.x < a->tree_w ? TUI_PANE_TREE : TUI_PANE_LIST;
		for (int i = 0; i < 3; i++)
			tui_handle_key(a, key, false);
		a->focus = old;
		return;
	}
	if (!press || mouse_dropdown(a, ev.y, ev.x))
		return;
	if (ev.y == 0) {
		mouse_menubar(a, ev.x);
		return;
	}
	if (ev.y == a->lines - 1)
		return;
	if (ev.x < a->tree_w && !a->fullscreen) {
		tui_tree_click(a, ev.y, ev.x, dbl);
	} else if (a->actions_visible && ev.x >= a->cols - a->actions_w && !a->fullscreen) {
		mouse_actions(a, ev.y);
	} else if ((m = tui_pane_mode(a)) != NULL && a->w_list) {
		int by, bx;
		getbegyx(a->w_list, by, bx);
		a->focus = TUI_PANE_LIST;
		if (m->ops->click)
			m->ops->click(m, a, ev.y - by, ev.x - bx, dbl);
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
	a->cursor_win = NULL;
	if (a->too_small) {
		/* keep the modes' values, drop their windows until there is room */
		for (size_t i = 0; i < a->nstack; i++)
			stack_window(a, a->stack[i]);
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
	if (a->fullscreen && a->overlay)
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
	if (a->fullscreen && a->overlay)
		top_panel(a->p_list);
	if (!a->actions_visible && a->focus == TUI_PANE_ACTIONS)
		a->focus = TUI_PANE_LIST;
	/* dialogs stay on top, re-centred, their values kept */
	for (size_t i = 0; i < a->nstack; i++)
		stack_window(a, a->stack[i]);
	if (a->menu_open >= 0 && a->p_drop) {
		del_panel(a->p_drop);
		delwin(a->w_drop);
		a->p_drop = NULL;
		a->w_drop = NULL;
	}
	clearok(curscr, TRUE);
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
}


/* ---- terminal set-up and restore ------------------------------------------------- */

static void on_quit_signal(int sig)
{
	tui_sig_quit = sig;
}

static void on_cont_signal(int sig)
{
	(void)sig;
	tui_sig_cont = 1;
}

static void on_bench_signal(int sig)
{
	(void)sig;
	tui_sig_bench = 1;
}

static void tui_restore_terminal(void)
{
	if (tui_curses_on) {
		tui_curses_on = false;
		endwin();
		tui_input_end();
	}
}

/* A fatal signal: put the terminal back with async-signal-safe calls, then
 * die as the signal would have us die. */
static void on_fatal_signal(int sig)
{
	/* mouse reporting off, the main screen, cursor on, attributes off,
	 * cursor keys and keypad back to normal mode */
	static const char reset[] = "\033[?1000l\033[?1002l\033[?1006l\033[?1049l\033[?25h\033[0m\033[?1l\033>\r\n";
	ssize_t r = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
	(void)r;
	if (tui_saved_tio_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &tui_saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_quit_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_cont_signal;
	sigaction(SIGCONT, &sa, NULL);
	if (getenv("VMMC_BENCH_STATS")) {
		sa.sa_handler = on_bench_signal;
		sigaction(SIGUSR1, &sa, NULL);
	}
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	/* SIGQUIT (kill -QUIT; Ctrl-\\ is a key in raw mode) and SIGTRAP (how
	 * GLib's fatal errors end) leave the terminal sane too */
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
#ifndef __SANITIZE_ADDRESS__
	/* (the sanitizers report these themselves) */
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
	if (a->opts->bench_stats)
		tui_bench_write(&a->bench, a->opts->bench_stats, core_now_ms(), a->first_draw_ms, a->first_frame_ms,
				a->iterations);
}

/* SIGUSR1 (bench): the window so far written, a new one begun. */
static void bench_window(struct tui_app *a)
{
	write_bench_stats(a);
	tui_bench_reset(&a->bench, core_now_ms());
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

/* Escape followed at once by a character is Alt+character (how terminals
 * send it): TUI_KEY_ALT(c), not a key of its own. A console takes the two
 * bytes as they came. */
static void read_input(struct tui_app *a)
{
	wint_t wch;
	int r, n = 0;
	while (n++ < 256 && (r = wget_wch(stdscr, &wch)) != ERR) {
		if (r == KEY_CODE_YES && wch == KEY_MOUSE) {
			tui_handle_mouse(a);
		} else if (r != KEY_CODE_YES && wch == 27 && tui_mode_top(a)) {
			wint_t next;
			int r2 = wget_wch(stdscr, &next);
			/* letters and digits only: accelerators are those, and
			 * Escape then '+' typed fast stays two keys */
			if (r2 == OK && next < 127 && isalnum((int)next)) {
				tui_handle_key(a, TUI_KEY_ALT((int)next), false);
			} else {
				tui_handle_key(a, 27, true);
				if (r2 != ERR)
					tui_handle_key(a, (int)next, r2 != KEY_CODE_YES);
			}
		} else {
			tui_handle_key(a, (int)wch, r != KEY_CODE_YES);
		}
		if (a->quit)
			break;
	}
}

/* The pane's modes rebuild their rows from the model. */
void tui_pane_sync(struct tui_app *a)
{
	if (!a->pane)
		pane_follow_node(a);
	if (a->pane && a->pane->ops->sync)
		a->pane->ops->sync(a->pane, a);
	if (a->overlay && a->overlay->ops->sync)
		a->overlay->ops->sync(a->overlay, a);
	a->dirty &= ~(unsigned)(TUI_DIRTY_ROWS | TUI_DIRTY_RESORT);
}

static int next_timeout(struct tui_app *a, int64_t now)
{
	int64_t t = a->next_tick_ms - now, w = tui_perf_wake_ms(a);
	int64_t f = a->dirty ? tui_frame_wait_ms() + 1 : INT64_MAX; /* a frame put off */
	if (w > now && w - now < t)
		t = w - now;
	if (f < t)
		t = f;
	for (size_t i = 0; i < a->model->nhosts; i++)
		if (a->model->hosts[i]->busy && !tui_host_shows_busy(a->model->hosts[i]))
			t = t < 100 ? t : 100;
	if (t < 0)
		t = 0;
	return (int)t;
}

static void free_app(struct tui_app *a)
{
	while (a->nstack) {
		struct tui_mode *m = a->stack[--a->nstack];
		mode_destroy(a, m);
	}
	free(a->stack);
	free(a->expects);
	a->expects = NULL; /* the views' mode_destroy below drops theirs */
	a->nexpects = a->cap_expects = 0;
	tui_console_free(a);
	tui_perf_free(a);
	tui_integ_free();
	tui_prompt_free(a); /* cancels what is still queued: no worker stays waiting */
	for (size_t i = 0; a->view_modes && i < tui_nviews; i++)
		if (a->view_modes[i])
			mode_destroy(a, a->view_modes[i]);
	free(a->view_modes);
	be_ssh_quit_all(); /* far hosts: drop the links, no wait for CONNECT_CLOSE's answer */
	for (size_t i = 0; i < a->reg.nhosts; i++) /* all end at once, then each is freed */
		be_host_stop(a->reg.hosts[i].user);
	for (size_t i = 0; i < a->reg.nhosts; i++) {
		be_host *be = a->reg.hosts[i].user;
		be_host_free(&be, 500);
	}
	core_hostreg_free(&a->reg);
	free(a->nodes);
	free(a->sticky_status);
	core_theme_free(&a->theme);
}

int tui_run(struct tui_opts *opts)
{
	struct tui_app app, *a = &app;
	char *err = NULL;
	struct pollfd pfd[2];
	int64_t delay_ms = (int64_t)(opts->delay * 1000.0);
	int in_fd;

	memset(a, 0, sizeof(*a));
	a->opts = opts;
	a->menu_open = -1;
	a->show_actions = true;
	a->focus = TUI_PANE_LIST;
	a->start_ms = core_now_ms();
	a->bench.win_ms = a->start_ms;
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
	if ((in_fd = tui_input_newterm()) < 0) {
		fprintf(stderr, "vmmc: cannot initialise the terminal (TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	tui_curses_on = true;
	raw(); /* Ctrl-C, Ctrl-\\ and Ctrl-Z are keys: a console sends them to the guest */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	/* every event, releases too (tui_handle_mouse acts on presses and
	 * the wheel): an event outside the mask makes ncurses read on for
	 * the next key in a blocking read, nodelay or not: after each click
	 * the UI thread slept until the next key came (130-937 ms seen) */
	mousemask(ALL_MOUSE_EVENTS, NULL);
	mouseinterval(0);
	load_theme(a);
	tui_theme_apply(a);
	bkgdset(' ' | tui_attr(a, CORE_ROLE_NORMAL));

	core_hostreg_init(&a->reg);
	for (size_t i = 0; i < opts->ngroups; i++)
		tui_group_add(a, opts->groups[i]);
	a->adding_many = true; /* a thousand hosts: one tree rebuild, not one each */
	for (size_t i = 0; i < opts->nhosts; i++) {
		int id = tui_add_host(a, opts->hosts[i].uri, opts->hosts[i].name, opts->hosts[i].group,
				      opts->hosts[i].saved, opts->hosts[i].demo);
		struct core_reg_host *th = tui_host_by_id(a, id);
		if (th)
			th->fallback_local = opts->hosts[i].fallback_local;
		if (opts->hosts[i].demo)
			a->demo_opened = true;
	}
	a->adding_many = false;
	tui_rebuild_tree(a);
	for (size_t i = 0; i < opts->nnotes; i++)
		add_problem(a, xstrdup(opts->notes[i]));
	tui_layout(a);
	if (startup_problems) {
		struct tui_dialog *d = tui_msgbox("Problems at start-up", startup_problems, true);
		xfree(&startup_problems);
		tui_push_dialog(a, d);
	}
	pane_follow_node(a);
	a->next_tick_ms = core_now_ms() + a->delay_ms;

	pfd[0].fd = in_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = core_msgq_fd(a->queue);
	pfd[1].events = POLLIN;
	while (!a->quit || !tui_newvm_quit_ready(a)) { /* (a second signal ends it at once) */
		int64_t now = core_now_ms(), t0, t0_cpu, t0_queued, t_drain, t_draw = 0, t_update = 0;
		bool tick = false, drew;
		int r = poll(pfd, 2, next_timeout(a, now));
		if ((r < 0 && errno != EINTR) || (r > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLIN)) == POLLHUP))
			break; /* (the relay ended: no key comes any more) */
		if (tui_sig_quit) {
			if (a->quit && a->exit_status)
				break; /* asked again while it waits */
			a->exit_status = 128 + tui_sig_quit;
			tui_sig_quit = 0;
			a->quit = true;
		}
		if (tui_sig_bench) {
			tui_sig_bench = 0;
			bench_window(a);
		}
		if (tui_sig_cont) {
			tui_sig_cont = 0;
			clearok(curscr, TRUE);
			a->dirty |= TUI_DIRTY_ALL;
		}
		t0 = core_now_us();
		t0_cpu = core_thread_cpu_us();
		t0_queued = opts->bench_stats ? core_thread_queued_us() : -1;
		drain_messages(a);
		t_drain = core_now_us();
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
		tui_integ_tick(a);
		if (a->dirty & TUI_DIRTY_ROWS)
			tui_pane_sync(a);
		drew = a->dirty != 0 && ((pfd[0].revents & POLLIN) || tui_console_shown(a) || tui_frame_wait_ms() <= 0);
		if (drew) {
			tui_frame_drawn();
			t_draw = core_now_us();
			tui_draw(a);
			t_update = core_now_us();
			doupdate();
			a->dirty = 0;
			if (!a->first_draw_ms)
				a->first_draw_ms = core_now_ms() - a->start_ms;
		}
		{
			int64_t end = core_now_us();
			struct tui_bench_pass bp = {
				.us = end - t0, .cpu_us = core_thread_cpu_us() - t0_cpu,
				.drain_us = t_drain - t0, .draw_us = t_update - t_draw, .update_us = end - t_update,
				.drew = drew, .key = (pfd[0].revents & POLLIN) != 0,
			};
			int64_t q = t0_queued >= 0 ? core_thread_queued_us() : -1;
			bp.queued_us = q >= 0 ? q - t0_queued : -1;
			tui_bench_add(&a->bench, &bp);
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
