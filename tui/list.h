/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/list.h - the one list widget (tmux's mode-tree): columns with text
 * and compare functions, selection kept by identity when the data changes,
 * scrolling, sorting, filtering by name, header hit-testing, and nested
 * rows (a pool's volumes under it). Every list of the results pane (VMs,
 * networks, pools, a group's hosts) is one of these.
 *
 * The rows are references into the view's data (item i, or child c of item
 * i); the view re-points the list at its data with tui_list_sync whenever
 * the data changed. Sorting runs only when the data or the sort key
 * changed; drawing formats only the visible rows. Everything but
 * tui_list_draw is curses-free (tests/unit/test_list.c). */
#ifndef TUI_LIST_H
#define TUI_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/line.h"

struct tui_app;

#define TUI_LIST_MAXCOLS 16

struct tui_list_ref {
	uint32_t i;        /* the item */
	int32_t child;     /* -1: the item itself, else its child */
};

struct tui_list_col {
	const char *name;
	int width;         /* fixed width; 0: the flexible column (takes the rest) */
	int min;           /* the flexible column: at least this */
	bool right;        /* right-aligned */
	int priority;      /* when space is short, lower numbers show first */
	bool can_sort;
	bool live;         /* its values change with every refresh (resort then) */
	bool raw;          /* its text comes from outside (names): sanitized when drawn */
};

/* A row's sort key for one column: a number, then a string (either may be
 * unused: 0 / NULL). */
struct tui_list_key {
	double num;
	const char *str;
};

/* The view's side: what the rows are. src is the view's data (md_host *,
 * ...), passed back as given to tui_list_sync. */
struct tui_list_class {
	const struct tui_list_col *cols;
	int ncols;
	size_t (*count)(const void *src);
	size_t (*nchildren)(const void *src, size_t i);   /* NULL: flat */
	/* A cell's text into buf (raw: the list sanitizes it); returns a theme
	 * role (CORE_ROLE_*) for the cell, or -1 for the row's. */
	int (*cell)(const void *src, struct tui_list_ref r, int col, char *buf, size_t len,
		    const struct tui_app *a);
	/* Order of items x and y by column col (ties broken by the list by
	 * name then identity). NULL: by the cell text. */
	int (*cmp)(const void *src, size_t x, size_t y, int col, const struct tui_app *a);
	/* The sort key of item i for column col: sorting builds the keys once
	 * and compares them without a call per comparison (10,000 rows).
	 * NULL: cmp, else the cell text. */
	void (*key)(const void *src, size_t i, int col, struct tui_list_key *k, const struct tui_app *a);
	/* A number that changes whenever the rows' data does (not their live
	 * figures): a sync with the same number keeps the rows. NULL: always
	 * rebuild. */
	uint64_t (*gen)(const void *src);
	/* A row's identity (kept selected when rows move): written into buf. */
	void (*id)(const void *src, struct tui_list_ref r, char *buf, size_t len);
	/* The text the filter matches (item's name); NULL: not filterable. */
	const char *(*name)(const void *src, size_t i);
	/* Column col has nothing to show for any row (folded first when
	 * space is short). NULL: never. */
	bool (*col_empty)(const void *src, int col, const struct tui_app *a);
	/* The flexible column's least width for this data (the longest name,
	 * capped); NULL: the column's min. */
	int (*flex_min)(const void *src);
	/* A header other than cols[col].name (e.g. "Host%"); NULL: the name. */
	const char *(*col_name)(int col, const struct tui_app *a);
};

struct tui_list {
	const struct tui_list_class *cls;
	const void *src;
	struct tui_list_ref *rows;
	size_t nrows, cap_rows;
	size_t nitems;            /* items before the filter */
	size_t sel, top;
	char sel_id[160];
	int sort_col;             /* -1: data order */
	bool sort_desc;
	core_line filter;
	bool filtering;           /* the filter line is being edited */
	int page;                 /* rows shown at the last draw (PgUp/PgDn) */
	uint64_t gen;             /* the data's cls->gen at the last rebuild */
	int flex_min;             /* cls->flex_min at the last rebuild */
	bool force;               /* the next sync rebuilds (sort or filter changed) */
	/* the last draw's geometry, for clicks (relative to its window) */
	int header_y, body_y, width;
	int col_x[TUI_LIST_MAXCOLS], col_w[TUI_LIST_MAXCOLS];
	const struct tui_app *app;
};

void tui_list_init(struct tui_list *l, const struct tui_list_class *cls, int sort_col);
void tui_list_free(struct tui_list *l);
/* The data changed (resort = the order may have changed too): rebuild the
 * rows from src, filter, sort, keep the selection on the same identity. */
void tui_list_sync(struct tui_list *l, const void *src, const struct tui_app *a, bool resort);
const struct tui_list_ref *tui_list_selected(const struct tui_list *l);  /* NULL: empty */
void tui_list_select(struct tui_list *l, size_t row);
/* Sorting by column (toggles the direction when it is the current one). */
void tui_list_sort_by(struct tui_list *l, int col);
void tui_list_sort_step(struct tui_list *l, int dir);   /* next/previous shown sortable column */
void tui_list_sort_reverse(struct tui_list *l);
void tui_list_filter_begin(struct tui_list *l);
bool tui_list_filtered(const struct tui_list *l);       /* a filter is set or being edited */

/* Keys: Up/Down/PgUp/PgDn/Home/End and j/k/g/G move; while the filter is
 * edited every key goes to it (Enter keeps, Escape clears); Escape clears
 * a kept filter. Returns enum tui_key_res (tui/mode.h). */
int tui_list_key(struct tui_list *l, int key, bool is_char);
/* A click at (y, x) of the list's window: the header sorts, a row selects.
 * Returns 0 nothing, 1 a row selected, 2 a row double-clicked, 3 sorted. */
int tui_list_click(struct tui_list *l, int y, int x, bool dbl);

/* Columns shown at width (the flexible one gets the rest); fills l's
 * col_w (0: hidden). */
void tui_list_layout(struct tui_list *l, int width);
/* Draw rows from y (the filter line, when set, then the header, then the
 * rows) in height rows of width columns. */
void tui_list_draw(struct tui_list *l, struct tui_app *a, void *win, int y, int height, int width, bool focus,
		   bool stale, const char *empty_msg);

#endif
