/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/listview.c - the mode ops shared by the list views (see listview.h). */
#include "listview.h"
#include "actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/util.h"

#define LV(m) ((struct tui_listview *)(m))

const md_host *tui_listview_host(const struct tui_listview *v)
{
	return tui_sel_host(v->app);
}

static int lv_scope(const struct tui_mode *m)
{
	return LV(m)->cls->scope;
}

static const void *lv_selected(const struct tui_mode *m)
{
	const struct tui_listview *v = (const struct tui_listview *)m;
	const struct tui_list_ref *r = tui_list_selected(&v->list);
	return r && v->src ? v->cls->object(v, r) : NULL;
}

static void lv_sync(struct tui_mode *m, struct tui_app *a)
{
	struct tui_listview *v = LV(m);
	v->app = a;
	v->src = v->cls->source(v, a);
	tui_list_sync(&v->list, v->src, a, (a->dirty & TUI_DIRTY_RESORT) != 0);
}

static void lv_draw(struct tui_mode *m, struct tui_app *a, WINDOW *w)
{
	struct tui_listview *v = LV(m);
	int width = tui_pane_width(a, w), y = 1, h = getmaxy(w);
	char title[256];
	bool focus = a->focus == TUI_PANE_LIST;
	title[0] = '\0';
	v->cls->title(v, a, title, sizeof(title));
	tui_pane_title(a, w, title);
	if (v->cls->head_lines && v->src) {
		int n = v->cls->head_lines(v, a);
		if (n > 0) {
			v->cls->draw_head(v, a, w, y, width);
			y += n;
		}
	}
	tui_list_draw(&v->list, a, w, y, h - y, width, focus, v->cls->stale && v->cls->stale(v, a),
		      v->cls->empty(v, a));
}

static int lv_key(struct tui_mode *m, struct tui_app *a, int key, bool is_char)
{
	struct tui_listview *v = LV(m);
	int r;
	if (!v->list.filtering && ((is_char && (key == '\n' || key == '\r')) || (!is_char && key == KEY_ENTER)))
		return TUI_KEY_PASS; /* nav.open: the action table decides */
	r = tui_list_key(&v->list, key, is_char);
	if (r != TUI_KEY_PASS)
		a->dirty |= TUI_DIRTY_LIST | TUI_DIRTY_ACTIONS;
	return r;
}

static int lv_click(struct tui_mode *m, struct tui_app *a, int y, int x, bool dbl)
{
	struct tui_listview *v = LV(m);
	int r = tui_list_click(&v->list, y, x, dbl);
	if (r)
		a->dirty |= TUI_DIRTY_LIST | TUI_DIRTY_ACTIONS;
	if (r == 2 && v->cls->open)
		v->cls->open(v, a);
	return r ? TUI_KEY_DONE : TUI_KEY_PASS;
}

static void lv_free(struct tui_mode *m)
{
	tui_list_free(&LV(m)->list);
	free(m);
}

const struct tui_mode_ops tui_listview_ops = {
	.name = "list",
	.scope = lv_scope,
	.selected = lv_selected,
	.sync = lv_sync,
	.draw = lv_draw,
	.key = lv_key,
	.click = lv_click,
	.free = lv_free,
};

struct tui_mode *tui_listview_new(struct tui_app *a, const struct tui_listview_class *cls)
{
	struct tui_listview *v = xcalloc(1, sizeof(*v));
	v->mode.ops = &tui_listview_ops;
	v->mode.host_id = -1;
	v->cls = cls;
	v->app = a;
	tui_list_init(&v->list, cls->list, cls->sort_col);
	return &v->mode;
}

void tui_listview_open(struct tui_app *a, struct tui_mode *m)
{
	struct tui_listview *v = LV(m);
	if (m->ops == &tui_listview_ops && v->cls->open && tui_list_selected(&v->list))
		v->cls->open(v, a);
}

/* ---- for the views of a host's objects ------------------------------------ */

const void *tui_listview_host_source(struct tui_listview *v, struct tui_app *a)
{
	(void)v;
	return tui_sel_host(a);
}

bool tui_listview_host_stale(struct tui_listview *v, struct tui_app *a)
{
	const md_host *h = v->src;
	(void)a;
	return h && h->conn != MD_CONN_CONNECTED;
}

void tui_listview_host_title(struct tui_listview *v, const char *what, size_t n, char *buf, size_t len)
{
	const md_host *h = v->src;
	char *label;
	if (!h)
		return;
	label = core_sanitize(h->label);
	snprintf(buf, len, " %s (%zu) on %s", what, n, label);
	free(label);
}
