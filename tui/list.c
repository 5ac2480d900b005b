/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/list.c - the one list widget (see list.h). */
#include "list.h"
#include "app.h"
#include "lineedit.h"
#include "mode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/util.h"

void tui_list_init(struct tui_list *l, const struct tui_list_class *cls, int sort_col)
{
	memset(l, 0, sizeof(*l));
	l->cls = cls;
	l->sort_col = sort_col;
	core_line_init(&l->filter, false);
}

void tui_list_free(struct tui_list *l)
{
	free(l->rows);
	core_line_free(&l->filter);
	l->rows = NULL;
	l->nrows = l->cap_rows = 0;
}

static void row_id(const struct tui_list *l, struct tui_list_ref r, char *buf, size_t len)
{
	buf[0] = '\0';
	if (l->cls->id)
		l->cls->id(l->src, r, buf, len);
}

const struct tui_list_ref *tui_list_selected(const struct tui_list *l)
{
	return l->sel < l->nrows ? &l->rows[l->sel] : NULL;
}

/* Keep the selection in view (page rows). */
static void scroll_to_sel(struct tui_list *l)
{
	size_t page = l->page > 0 ? (size_t)l->page : 1;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + page)
		l->top = l->sel - page + 1;
	if (l->top + page > l->nrows)
		l->top = l->nrows > page ? l->nrows - page : 0;
}

void tui_list_select(struct tui_list *l, size_t row)
{
	if (l->nrows == 0) {
		l->sel = 0;
		l->sel_id[0] = '\0';
		return;
	}
	l->sel = row < l->nrows ? row : l->nrows - 1;
	row_id(l, l->rows[l->sel], l->sel_id, sizeof(l->sel_id));
	scroll_to_sel(l);
}

struct sort_ctx {
	const struct tui_list *l;
};

static int cell_cmp(const struct tui_list *l, size_t x, size_t y, int col)
{
	char bx[128], by[128];
	struct tui_list_ref rx = { (uint32_t)x, -1 }, ry = { (uint32_t)y, -1 };
	l->cls->cell(l->src, rx, col, bx, sizeof(bx), l->app);
	l->cls->cell(l->src, ry, col, by, sizeof(by), l->app);
	return strcmp(bx, by);
}

static int item_cmp(const void *pa, const void *pb, void *pc)
{
	const struct tui_list *l = ((const struct sort_ctx *)pc)->l;
	size_t x = ((const struct tui_list_ref *)pa)->i, y = ((const struct tui_list_ref *)pb)->i;
	int r = 0;
	if (l->sort_col >= 0 && l->sort_col < l->cls->ncols)
		r = l->cls->cmp ? l->cls->cmp(l->src, x, y, l->sort_col, l->app) : cell_cmp(l, x, y, l->sort_col);
	if (r == 0 && l->cls->name) {
		const char *nx = l->cls->name(l->src, x), *ny = l->cls->name(l->src, y);
		r = strcmp(nx ? nx : "", ny ? ny : "");
	}
	if (r == 0) {
		char ix[160], iy[160];
		row_id(l, *(const struct tui_list_ref *)pa, ix, sizeof(ix));
		row_id(l, *(const struct tui_list_ref *)pb, iy, sizeof(iy));
		r = strcmp(ix, iy);
	}
	if (l->sort_desc)
		r = -r;
	return r;
}

struct keyed {
	struct tui_list_key k;
	const char *name;
	struct tui_list_ref ref;
};

static int keyed_cmp(const void *pa, const void *pb, void *pc)
{
	const struct keyed *x = pa, *y = pb;
	const struct tui_list *l = pc;
	int r = (x->k.num > y->k.num) - (x->k.num < y->k.num);
	if (r == 0 && (x->k.str || y->k.str))
		r = strcmp(x->k.str ? x->k.str : "", y->k.str ? y->k.str : "");
	if (r == 0)
		r = strcmp(x->name, y->name);
	if (r == 0)
		r = (x->ref.i > y->ref.i) - (x->ref.i < y->ref.i);
	return l->sort_desc ? -r : r;
}

/* Keys made once, then sorted with no call per comparison; a list already
 * in order (most syncs) costs one pass. */
static void sort_by_keys(struct tui_list *l, struct tui_list_ref *items, size_t n)
{
	struct keyed *v = xcalloc(n, sizeof(*v));
	bool sorted = true;
	for (size_t j = 0; j < n; j++) {
		const char *name = l->cls->name ? l->cls->name(l->src, items[j].i) : NULL;
		v[j].ref = items[j];
		v[j].name = name ? name : "";
		if (l->sort_col >= 0 && l->sort_col < l->cls->ncols)
			l->cls->key(l->src, items[j].i, l->sort_col, &v[j].k, l->app);
		if (j > 0 && sorted)
			sorted = keyed_cmp(&v[j - 1], &v[j], l) <= 0;
	}
	if (!sorted)
		qsort_r(v, n, sizeof(*v), keyed_cmp, l);
	for (size_t j = 0; j < n; j++)
		items[j] = v[j].ref;
	free(v);
}

/* The flexible (name) column's least width for this data: the class's, or
 * the longest name of the first 2,000 items and 2, at most 32. */
static int flex_min(const struct tui_list *l, const void *src, size_t n)
{
	int w = 0;
	if (l->cls->flex_min)
		return l->cls->flex_min(src);
	for (size_t i = 0; l->cls->name && i < n && i < 2000; i++) {
		const char *name = l->cls->name(src, i);
		int k = name ? core_str_width(name) + 2 : 0;
		if (k > w)
			w = k;
	}
	return w > 32 ? 32 : w;
}

static bool matches(const struct tui_list *l, size_t i)
{
	const char *f = core_line_text(&l->filter), *name;
	if (!*f || !l->cls->name)
		return true;
	name = l->cls->name(l->src, i);
	return strcasestr(name ? name : "", f) != NULL;
}

void tui_list_sync(struct tui_list *l, const void *src, const struct tui_app *a, bool resort)
{
	size_t n = src ? l->cls->count(src) : 0, k = 0, nitems;
	struct tui_list_ref *items;
	bool kids = l->cls->nchildren != NULL;
	bool live_sort = l->sort_col >= 0 && l->sort_col < l->cls->ncols && l->cls->cols[l->sort_col].live;
	uint64_t gen = src && l->cls->gen ? l->cls->gen(src) : 0;
	if (!l->force && !live_sort && src == l->src && n == l->nitems && l->nrows &&
	    (!resort || (l->cls->gen && gen == l->gen))) {
		/* only figures changed, not the rows or their order */
		l->app = a;
		return;
	}
	l->force = false;
	l->src = src;
	l->app = a;
	l->gen = gen;
	l->flex_min = src ? flex_min(l, src, n) : 0;
	l->nitems = n;
	/* the items that pass the filter, sorted; then each one's children.
	 * Tried first in the order the rows had (a fresh list of the same
	 * data): when that is still sorted, there is nothing to sort */
	items = xcalloc(n ? n : 1, sizeof(*items));
	if (l->nrows && n == l->nitems && !*core_line_text(&l->filter)) {
		for (size_t r = 0; r < l->nrows && k < n; r++)
			if (l->rows[r].child < 0 && l->rows[r].i < n)
				items[k++] = (struct tui_list_ref){ l->rows[r].i, -1 };
		if (k != n)
			k = 0; /* not a permutation of them all: the usual way */
	}
	if (k == 0)
		for (size_t i = 0; i < n; i++)
			if (matches(l, i))
				items[k++] = (struct tui_list_ref){ (uint32_t)i, -1 };
	nitems = k;
	if (l->cls->key && nitems > 1)
		sort_by_keys(l, items, nitems);
	else {
		struct sort_ctx c = { l };
		bool sorted = true;
		/* the data often comes in the order shown (a fresh list of the
		 * same VMs): one pass says so, and the sort is skipped */
		for (size_t j = 1; sorted && j < nitems; j++)
			sorted = item_cmp(&items[j - 1], &items[j], &c) <= 0;
		if (!sorted && (l->sort_col >= 0 || l->cls->name))
			qsort_r(items, nitems, sizeof(*items), item_cmp, &c);
	}
	l->nrows = 0;
	for (size_t j = 0; j < nitems; j++) {
		size_t nc = kids ? l->cls->nchildren(src, items[j].i) : 0;
		xgrow(&l->rows, &l->cap_rows, l->nrows + 1 + nc, sizeof(*l->rows));
		l->rows[l->nrows++] = items[j];
		for (size_t c = 0; c < nc; c++)
			l->rows[l->nrows++] = (struct tui_list_ref){ items[j].i, (int32_t)c };
	}
	free(items);
	/* the selection stays on the same row identity when rows move (where
	 * it was first: most syncs move nothing) */
	if (l->sel_id[0]) {
		char id[160];
		if (l->sel < l->nrows) {
			row_id(l, l->rows[l->sel], id, sizeof(id));
			if (strcmp(id, l->sel_id) == 0)
				goto found;
		}
		for (size_t r = 0; r < l->nrows; r++) {
			row_id(l, l->rows[r], id, sizeof(id));
			if (strcmp(id, l->sel_id) == 0) {
				l->sel = r;
				break;
			}
		}
	}
found:
	if (l->sel >= l->nrows)
		l->sel = l->nrows ? l->nrows - 1 : 0;
	if (l->nrows)
		row_id(l, l->rows[l->sel], l->sel_id, sizeof(l->sel_id));
	scroll_to_sel(l);
}

/* The sort key or the filter changed: rebuild whatever the data says. */
static void resync(struct tui_list *l)
{
	l->force = true;
	if (l->src)
		tui_list_sync(l, l->src, l->app, true);
}

void tui_list_sort_by(struct tui_list *l, int col)
{
	if (col < 0 || col >= l->cls->ncols || !l->cls->cols[col].can_sort)
		return;
	if (l->sort_col == col)
		l->sort_desc = !l->sort_desc;
	else {
		l->sort_col = col;
		l->sort_desc = false;
	}
	resync(l);
}

void tui_list_sort_step(struct tui_list *l, int dir)
{
	int c = l->sort_col < 0 ? 0 : l->sort_col, n = l->cls->ncols;
	for (int i = 0; i < n; i++) {
		c = (c + dir + n) % n;
		/* the columns shown at the last draw (all, before any draw) */
		if (l->cls->cols[c].can_sort && (l->width == 0 || l->col_w[c] > 0))
			break;
	}
	l->sort_col = c;
	l->sort_desc = false;
	resync(l);
}

void tui_list_sort_reverse(struct tui_list *l)
{
	l->sort_desc = !l->sort_desc;
	resync(l);
}

void tui_list_filter_begin(struct tui_list *l)
{
	l->filtering = true;
}

bool tui_list_filtered(const struct tui_list *l)
{
	return l->filtering || *core_line_text(&l->filter);
}

static size_t step(size_t cur, size_t n, int how, size_t page)
{
	if (n == 0)
		return 0;
	switch (how) {
	case 0: return cur > 0 ? cur - 1 : 0;
	case 1: return cur + 1 < n ? cur + 1 : n - 1;
	case 2: return cur > page ? cur - page : 0;
	case 3: return cur + page < n ? cur + page : n - 1;
	case 4: return 0;
	case 5: return n - 1;
	}
	return cur;
}

/* 0..5 (up, down, pgup, pgdn, home, end) or -1 */
static int move_key(int key, bool is_char)
{
	if (!is_char) {
		switch (key) {
		case KEY_UP: return 0;
		case KEY_DOWN: return 1;
		case KEY_PPAGE: return 2;
		case KEY_NPAGE: return 3;
		case KEY_HOME: return 4;
		case KEY_END: return 5;
		}
		return -1;
	}
	switch (key) {
	case 'k': return 0;
	case 'j': return 1;
	case 'g': return 4;
	case 'G': return 5;
	}
	return -1;
}

int tui_list_key(struct tui_list *l, int key, bool is_char)
{
	int mv;
	size_t page = l->page > 1 ? (size_t)l->page - 1 : 1;
	if (l->filtering) {
		if (is_char && key == 27) {
			l->filtering = false;
			core_line_op(&l->filter, CORE_LINE_CLEAR);
		} else if ((is_char && (key == '\n' || key == '\r')) || (!is_char && key == KEY_ENTER)) {
			l->filtering = false;
		} else if (!is_char && (mv = move_key(key, false)) >= 0 && mv != 4 && mv != 5) {
			tui_list_select(l, step(l->sel, l->nrows, mv, page)); /* arrows move while filtering */
			return TUI_KEY_DONE;
		} else if (tui_line_key(&l->filter, key, is_char) == TUI_LINE_IGNORED) {
			return TUI_KEY_DONE; /* nothing else while typing */
		}
		l->sel = 0;
		l->top = 0;
		l->sel_id[0] = '\0';
		resync(l);
		return TUI_KEY_DONE;
	}
	if (is_char && key == 27 && *core_line_text(&l->filter)) {
		core_line_op(&l->filter, CORE_LINE_CLEAR);
		resync(l);
		return TUI_KEY_DONE;
	}
	mv = move_key(key, is_char);
	if (mv < 0)
		return TUI_KEY_PASS;
	tui_list_select(l, step(l->sel, l->nrows, mv, page));
	return TUI_KEY_DONE;
}

int tui_list_click(struct tui_list *l, int y, int x, bool dbl)
{
	if (y == l->header_y) {
		for (int c = 0; c < l->cls->ncols; c++)
			if (l->col_w[c] > 0 && x >= l->col_x[c] && x <= l->col_x[c] + l->col_w[c]) {
				tui_list_sort_by(l, c);
				return 3;
			}
		return 0;
	}
	if (y >= l->body_y) {
		size_t r = l->top + (size_t)(y - l->body_y);
		if (r < l->nrows && (l->page <= 0 || y - l->body_y < l->page)) {
			tui_list_select(l, r);
			return dbl ? 2 : 1;
		}
	}
	return 0;
}

/* A fixed column is as wide as its values or its name with a sort arrow. */
static int fixed_width(const struct tui_list_col *c)
{
	int w = (int)strlen(c->name) + 1;
	return c->width > w ? c->width : w;
}

void tui_list_layout(struct tui_list *l, int width)
{
	const struct tui_list_class *cls = l->cls;
	int flex = -1, room, fmin, order[TUI_LIST_MAXCOLS], n = 0, x = 0;
	bool empty[TUI_LIST_MAXCOLS] = { false };
	l->width = width;
	for (int c = 0; c < cls->ncols; c++) {
		l->col_w[c] = 0;
		if (cls->cols[c].width == 0 && flex < 0)
			flex = c;
		else
			order[n++] = c;
		empty[c] = cls->col_empty && l->src && cls->col_empty(l->src, c, l->app);
	}
	/* by priority, the empty ones last */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0; j--) {
			int p = order[j - 1], q = order[j];
			int kp = (empty[p] ? 1000 : 0) + cls->cols[p].priority;
			int kq = (empty[q] ? 1000 : 0) + cls->cols[q].priority;
			if (kq >= kp)
				break;
			order[j - 1] = q;
			order[j] = p;
		}
	fmin = flex < 0 ? 0 : l->flex_min;
	if (flex >= 0 && fmin < cls->cols[flex].min)
		fmin = cls->cols[flex].min;
	if (fmin > width / 2)
		fmin = width / 2;
	room = width - fmin;
	for (int i = 0; i < n; i++) {
		int c = order[i], w = fixed_width(&cls->cols[c]);
		if (w + 1 > room)
			break;
		l->col_w[c] = w;
		room -= w + 1;
	}
	if (flex >= 0)
		l->col_w[flex] = fmin + (room > 0 ? room : 0);
	for (int c = 0; c < cls->ncols; c++) {
		l->col_x[c] = x;
		if (l->col_w[c] > 0)
			x += l->col_w[c] + 1;
	}
}

/* Only text from outside is sanitized (it costs an allocation a cell). */
static void put_cell(WINDOW *w, int y, int x, int width, const char *text, bool raw, bool right)
{
	if (raw)
		tui_put(w, y, x, width, text, right);
	else
		tui_put_safe(w, y, x, width, text, right);
}

void tui_list_draw(struct tui_list *l, struct tui_app *a, void *win, int y, int height, int width, bool focus,
		   bool stale, const char *empty_msg)
{
	WINDOW *w = win;
	const struct tui_list_class *cls = l->cls;
	int last = -1, rows;
	l->app = a;
	if (tui_list_filtered(l)) {
		char *f = xasprintf("Filter: %s%s", core_line_text(&l->filter),
				    l->filtering ? "" : "  (/ to edit, Esc clears)");
		wattrset(w, tui_attr(a, CORE_ROLE_STATUS));
		/* the user's own text: control characters cannot be typed, so
		 * it is drawn as typed (a '\' stays one '\') */
		tui_put_safe(w, y, 0, width, f, false);
		if (l->filtering) {
			int cx = 8 + core_line_view(&l->filter, width - 9);
			tui_cursor(a, w, y, cx < width ? cx : width - 1);
		}
		free(f);
		y++;
		height--;
	}
	tui_list_layout(l, width);
	l->header_y = y;
	wattrset(w, tui_attr(a, CORE_ROLE_HEADER));
	tui_put_safe(w, y, 0, width, "", false);
	for (int c = 0; c < cls->ncols; c++) {
		char *h;
		if (l->col_w[c] <= 0)
			continue;
		last = c;
		h = xasprintf("%s%s", cls->col_name && cls->col_name(c, a) ? cls->col_name(c, a) : cls->cols[c].name,
			      c == l->sort_col ? (l->sort_desc ? (a && a->utf8 ? "▼" : "v") : (a && a->utf8 ? "▲" : "^")) : "");
		tui_put_safe(w, y, l->col_x[c], l->col_w[c], h, cls->cols[c].right);
		free(h);
	}
	y++;
	height--;
	l->body_y = y;
	rows = height > 0 ? height : 0;
	l->page = rows;
	scroll_to_sel(l);
	if (l->nrows == 0) {
		int my = y + 1;
		wattrset(w, tui_attr(a, CORE_ROLE_ROW) | A_DIM);
		if (rows > 1 && empty_msg)
			tui_wrap_put(a, w, &my, 2, width - 4, y + rows, empty_msg);
		return;
	}
	for (int r = 0; r < rows && l->top + (size_t)r < l->nrows; r++) {
		size_t i = l->top + (size_t)r;
		struct tui_list_ref ref = l->rows[i];
		bool sel = i == l->sel;
		int role = sel ? (focus ? CORE_ROLE_ROW_SEL : CORE_ROLE_ROW_SEL_UNFOCUSED) : CORE_ROLE_ROW;
		attr_t base = tui_attr(a, role) | (stale || ref.child >= 0 ? A_DIM : 0);
		wattrset(w, base);
		/* (the pane was erased: only a highlighted row needs its
		 * background across the whole width) */
		if (sel || stale || ref.child >= 0)
			mvwhline(w, y + r, 0, ' ', width);
		for (int c = 0; c < cls->ncols; c++) {
			char buf[256];
			int cr, x = l->col_x[c], cw = l->col_w[c];
			if (cw <= 0)
				continue;
			buf[0] = '\0';
			cr = cls->cell(l->src, ref, c, buf, sizeof(buf), a);
			wattrset(w, cr >= 0 && !sel ? (tui_attr(a, cr) | (stale ? A_DIM : 0)) : base);
			put_cell(w, y + r, x, cw, buf, cls->cols[c].raw, cls->cols[c].right);
			if (c != last) {
				wattrset(w, base);
				mvwaddch(w, y + r, x + cw, ' ');
			}
		}
	}
}
