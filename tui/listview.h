/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/listview.h - a results-pane view that is one list (tui/list.h) of a
 * host's objects (VMs, networks, pools) or a group's hosts: the mode ops
 * are shared; each view gives its list class and a few hooks. */
#ifndef TUI_LISTVIEW_H
#define TUI_LISTVIEW_H

#include "app.h"
#include "list.h"

struct tui_listview;

struct tui_listview_class {
	const struct tui_list_class *list;
	int scope;               /* enum tui_scope of its rows */
	int sort_col;            /* at start; -1: data order */
	/* The list's data for the selected node: NULL when there is none. */
	const void *(*source)(struct tui_listview *v, struct tui_app *a);
	/* The pane's title into buf. */
	void (*title)(struct tui_listview *v, struct tui_app *a, char *buf, size_t len);
	/* The object of row r (md_vm *, md_net *, md_pool *, ...). */
	const void *(*object)(const struct tui_listview *v, const struct tui_list_ref *r);
	/* What an empty list says. */
	const char *(*empty)(struct tui_listview *v, struct tui_app *a);
	/* Lines above the list (a summary), and drawing them; NULL: none. */
	int (*head_lines)(struct tui_listview *v, struct tui_app *a);
	void (*draw_head)(struct tui_listview *v, struct tui_app *a, WINDOW *w, int y, int width);
	/* Enter or a double click on a row; NULL: nothing. */
	void (*open)(struct tui_listview *v, struct tui_app *a);
	/* The rows are old news (host not connected): drawn dim. */
	bool (*stale)(struct tui_listview *v, struct tui_app *a);
};

struct tui_listview {
	struct tui_mode mode;
	const struct tui_listview_class *cls;
	struct tui_list list;
	struct tui_app *app;
	const void *src;
};

extern const struct tui_mode_ops tui_listview_ops;
struct tui_mode *tui_listview_new(struct tui_app *a, const struct tui_listview_class *cls);
/* The view's host (the selected tree node's), or NULL. */
const md_host *tui_listview_host(const struct tui_listview *v);
/* For the views of the selected host's objects: their source (the host),
 * stale (the host is not connected) and title (" WHAT (N) on HOST"). */
const void *tui_listview_host_source(struct tui_listview *v, struct tui_app *a);
bool tui_listview_host_stale(struct tui_listview *v, struct tui_app *a);
void tui_listview_host_title(struct tui_listview *v, const char *what, size_t n, char *buf, size_t len);
/* Enter on m's selected row (nav.open), when m is a list view. */
void tui_listview_open(struct tui_app *a, struct tui_mode *m);

#endif
