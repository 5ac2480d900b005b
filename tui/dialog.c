/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/dialog.c - dialogs and wizards as modes: pages, focus, buttons,
 * layout and drawing (see dialog.h). The field kinds are tui/field_*.c. */
#include "dialog.h"
#include "app.h"
#include "field.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/util.h"

static const struct tui_mode_ops dialog_mode_ops;

/* ---- building ------------------------------------------------------------------ */

struct tui_dialog *tui_dialog_new(const char *title, int buttons)
{
	struct tui_dialog *d = xcalloc(1, sizeof(*d));
	d->mode.ops = &dialog_mode_ops;
	d->mode.host_id = -1;
	d->title = xstrdup(title ? title : "");
	d->buttons = buttons;
	return d;
}

static char *strip_accel(const char *label, int *accel);

/* label may mark an accelerator ("&Apply": Alt+A presses it when no field
 * of the page has that letter) */
void tui_dialog_set_button(struct tui_dialog *d, int i, const char *label)
{
	if (i < 0 || i >= 4)
		return;
	free(d->btn_labels[i]);
	d->btn_labels[i] = label ? strip_accel(label, &d->btn_accel[i]) : NULL;
	if (!label)
		d->btn_accel[i] = 0;
}

struct tui_page *tui_dialog_add_page(struct tui_dialog *d, const char *title, const char *text)
{
	struct tui_page *p = xcalloc(1, sizeof(*p));
	p->title = xstrdup(title);
	p->text = xstrdup(text);
	d->pages = xrealloc(d->pages, (d->npages + 1) * sizeof(*d->pages));
	d->pages[d->npages++] = p;
	return p;
}

/* label without the '&' marks ("&&" is a '&'); the letter after the first
 * mark, lower-cased, into *accel */
static char *strip_accel(const char *label, int *accel)
{
	char *out = xmalloc(strlen(label) + 1), *o = out;
	*accel = 0;
	for (const char *s = label; *s; s++) {
		if (*s == '&' && s[1] == '&') {
			*o++ = *s++;
		} else if (*s == '&' && s[1]) {
			if (!*accel && isalnum((unsigned char)s[1]))
				*accel = tolower((unsigned char)s[1]);
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

struct tui_field *tui_page_add(struct tui_page *p, const struct tui_field_ops *ops, const char *id,
			       const char *label, const char *value)
{
	struct tui_field *f = xcalloc(1, sizeof(*f));
	f->ops = ops;
	f->id = xstrdup(id ? id : "");
	f->label = strip_accel(label ? label : "", &f->accel);
	core_line_init(&f->line, ops == &tui_field_password);
	if (value || tui_field_is_line(f))
		tui_field_set_value(f, value ? value : "");
	p->fields = xrealloc(p->fields, (p->nfields + 1) * sizeof(*p->fields));
	p->fields[p->nfields++] = f;
	return f;
}

static void field_free(struct tui_field *f)
{
	if (f->ops->free)
		f->ops->free(f);
	free(f->id);
	free(f->label);
	core_line_free(&f->line);
	for (size_t k = 0; k < f->nchoices; k++)
		free(f->choices[k]);
	free(f->choices);
	free(f->marked);
	free(f->text);
	free(f->detail);
	free(f->error);
	free(f);
}

void tui_page_clear_fields(struct tui_page *p)
{
	for (size_t j = 0; j < p->nfields; j++)
		field_free(p->fields[j]);
	xfree(&p->fields);
	p->nfields = 0;
}

bool tui_field_is_line(const struct tui_field *f)
{
	return f->ops == &tui_field_text || f->ops == &tui_field_password || f->ops == &tui_field_size ||
	       f->ops == &tui_field_path;
}

const char *tui_field_value(const struct tui_field *f)
{
	if (tui_field_is_line(f))
		return core_line_text(&f->line);
	if (f->ops == &tui_field_choice || f->ops == &tui_field_radio || f->ops == &tui_field_list)
		return f->choice >= 0 && (size_t)f->choice < f->nchoices ? f->choices[f->choice] : "";
	return f->text ? f->text : "";
}

void tui_field_set_value(struct tui_field *f, const char *v)
{
	if (tui_field_is_line(f)) {
		core_line_set(&f->line, v);
		if (f->ops == &tui_field_size)
			tui_field_size_update(f);
	} else if (f->ops == &tui_field_choice || f->ops == &tui_field_radio || f->ops == &tui_field_list) {
		for (size_t i = 0; v && i < f->nchoices; i++)
			if (strcmp(f->choices[i], v) == 0)
				f->choice = (int)i;
	} else {
		core_str_set(&f->text, v);
		f->top = 0;
	}
}

void tui_field_add_choice(struct tui_field *f, const char *choice)
{
	f->choices = xrealloc(f->choices, (f->nchoices + 1) * sizeof(*f->choices));
	f->marked = xrealloc(f->marked, (f->nchoices + 1) * sizeof(*f->marked));
	f->marked[f->nchoices] = false;
	f->choices[f->nchoices++] = xstrdup(choice ? choice : "");
}

void tui_field_set_error(struct tui_field *f, const char *err)
{
	core_str_set(&f->error, err);
}

struct tui_field *tui_dialog_field(struct tui_dialog *d, const char *id)
{
	for (size_t i = 0; i < d->npages; i++)
		for (size_t j = 0; j < d->pages[i]->nfields; j++)
			if (strcmp(d->pages[i]->fields[j]->id, id) == 0)
				return d->pages[i]->fields[j];
	return NULL;
}

void tui_dialog_set_text(struct tui_dialog *d, size_t page, const char *text)
{
	if (page < d->npages)
		core_str_set(&d->pages[page]->text, text);
}

struct tui_page *tui_dialog_page(struct tui_dialog *d)
{
	return d->npages ? d->pages[d->cur] : NULL;
}

void tui_dialog_free(struct tui_dialog **dp)
{
	struct tui_dialog *d = *dp;
	if (!d)
		return;
	if (d->on_free)
		d->on_free(d);
	else
		free(d->ctx);
	for (size_t i = 0; i < d->npages; i++) {
		tui_page_clear_fields(d->pages[i]);
		free(d->pages[i]->id);
		free(d->pages[i]->title);
		free(d->pages[i]->text);
		free(d->pages[i]);
	}
	free(d->pages);
	free(d->history);
	free(d->title);
	free(d->ok_label);
	for (int i = 0; i < 4; i++)
		free(d->btn_labels[i]);
	free(d->error);
	free(d->field_row);
	free(d->field_x);
	free(d);
	*dp = NULL;
}

/* ---- text wrapping --------------------------------------------------------------- */

char **tui_wrap(const char *text, int width, size_t *n)
{
	char **lines = NULL;
	size_t cnt = 0, cap = 0;
	const char *s = text ? text : "";
	if (width < 4)
		width = 4;
	while (1) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *para = xstrndup(s, len);
		char *cur = para;
		do {
			/* take words while they fit */
			size_t cut = strlen(cur), last_space = 0;
			if (core_str_width(cur) > width) {
				size_t clen = strlen(cur);
				for (size_t i = 1; i <= clen; i++) {
					char save = cur[i];
					int w;
					if ((cur[i] & 0xc0) == 0x80)
						continue; /* inside a character */
					cur[i] = '\0';
					w = core_str_width(cur);
					cur[i] = save;
					if (w > width)
						break;
					cut = i;
					if (cur[i] == ' ')
						last_space = i;
				}
				if (last_space)
					cut = last_space;
			}
			xgrow(&lines, &cap, cnt + 1, sizeof(*lines));
			lines[cnt++] = xstrndup(cur, cut);
			cur += cut;
			while (*cur == ' ')
				cur++;
		} while (*cur);
		free(para);
		if (!nl)
			break;
		s = nl + 1;
	}
	*n = cnt;
	return lines;
}

void tui_wrap_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static int text_rows(const char *text, int width)
{
	size_t n = 0;
	char **l;
	if (!text || !*text)
		return 0;
	l = tui_wrap(text, width, &n);
	tui_wrap_free(l, n);
	return (int)n;
}

/* ---- focus --------------------------------------------------------------------- */

static bool focusable(const struct tui_field *f)
{
	return f->ops->focusable && !f->disabled;
}

static int nbuttons(const struct tui_dialog *d)
{
	if (d->buttons == TUI_BTN_CUSTOM) {
		int n = 0;
		while (n < 4 && d->btn_labels[n])
			n++;
		return n ? n : 1;
	}
	return d->buttons == TUI_BTN_CLOSE ? 1 : d->buttons == TUI_BTN_WIZARD ? 3 : 2;
}

static int nfocus(struct tui_dialog *d)
{
	struct tui_page *p = tui_dialog_page(d);
	int n = nbuttons(d);
	for (size_t i = 0; p && i < p->nfields; i++)
		n += focusable(p->fields[i]);
	return n;
}

/* Focus index -> field index (or -1 with *btn set). */
static int focus_target(struct tui_dialog *d, int focus, int *btn)
{
	struct tui_page *p = tui_dialog_page(d);
	int k = 0;
	*btn = -1;
	for (size_t i = 0; p && i < p->nfields; i++) {
		if (!focusable(p->fields[i]))
			continue;
		if (k++ == focus)
			return (int)i;
	}
	*btn = focus - k;
	return -1;
}

/* Field index -> focus index, -1 when it cannot take the focus. */
static int focus_of(struct tui_dialog *d, size_t fi)
{
	struct tui_page *p = tui_dialog_page(d);
	int k = 0;
	if (!p || fi >= p->nfields || !focusable(p->fields[fi]))
		return -1;
	for (size_t i = 0; i < fi; i++)
		k += focusable(p->fields[i]);
	return k;
}

static int field_index(struct tui_page *p, const char *id)
{
	for (size_t i = 0; p && id && i < p->nfields; i++)
		if (strcmp(p->fields[i]->id, id) == 0)
			return (int)i;
	return -1;
}

static void place(struct tui_dialog *d);

void tui_dialog_focus(struct tui_dialog *d, const char *id)
{
	int k = focus_of(d, (size_t)field_index(tui_dialog_page(d), id));
	if (k >= 0) {
		d->focus = k;
		place(d);
	}
}

struct tui_field *tui_dialog_focused(struct tui_dialog *d)
{
	int btn, fi = focus_target(d, d->focus, &btn);
	return fi >= 0 ? tui_dialog_page(d)->fields[fi] : NULL;
}

/* ---- layout (no curses) ---------------------------------------------------------- */

static int field_height(const struct tui_field *f, int width)
{
	int h = f->ops->height ? f->ops->height(f, width) : 1;
	return h < 1 ? 1 : h;
}

/* Two panes: a wide screen and a page with a left pane. */
static bool is_split(const struct tui_dialog *d, const struct tui_page *p)
{
	return d->split_cols > 0 && d->scr_cols >= d->split_cols && p->nleft > 0 && p->nleft < p->nfields;
}

/* A column of fields: fields [from, to) at column x, w wide. */
struct col {
	size_t from, to;
	int x, w;
};

static int label_width(const struct tui_page *p, const struct col *c);

/* The left pane's columns: split_left, or what its fields' labels and
 * choices need, at most half and leaving the right pane 52 columns (at
 * least a quarter); the right pane keeps 30 columns in any case. */
static int left_width(const struct tui_dialog *d, const struct tui_page *p, int inner)
{
	int lw = d->split_left;
	if (lw <= 0) {
		struct col c = { 0, p->nleft, 2, 0 };
		int lab = label_width(p, &c);
		for (size_t i = 0; i < p->nleft; i++) {
			const struct tui_field *f = p->fields[i];
			for (size_t k = 0; k < f->nchoices; k++) {
				int w = core_str_width(f->choices[k]) + 2 + (f->ops->has_label_column ? lab : 0);
				if (w > lw)
					lw = w;
			}
		}
		/* the right pane keeps 52 columns (a path, a note) if it can */
		int most = inner - 3 - 52 > inner / 2 ? inner / 2 : inner - 3 - 52;
		if (lw > most)
			lw = most;
		if (lw < inner / 4)
			lw = inner / 4;
	}
	return lw > inner - 33 ? inner - 33 : lw;
}

/* The column field i is in (the whole width in one column). */
static void col_of(const struct tui_dialog *d, const struct tui_page *p, size_t i, struct col *c)
{
	int inner = d->mode.w - 4, lw;
	c->from = 0;
	c->to = p->nfields;
	c->x = 2;
	c->w = inner;
	if (!is_split(d, p))
		return;
	lw = left_width(d, p, inner);
	if (i < p->nleft) {
		c->to = p->nleft;
		c->w = lw;
	} else {
		c->from = p->nleft;
		c->x = 2 + lw + 3; /* a line between the panes */
		c->w = inner - lw - 3;
	}
}

/* The label column's width ("Label: ") in a column, 0 when no field there has one. */
static int label_width(const struct tui_page *p, const struct col *c)
{
	int lw = 0;
	for (size_t i = c->from; i < c->to; i++) {
		if (p->fields[i]->ops->has_label_column) {
			int w = core_str_width(p->fields[i]->label);
			if (w > lw)
				lw = w;
		}
	}
	return lw ? lw + 2 : 0;
}

/* Field i's value: its column (x) and width. */
static int value_width(const struct tui_dialog *d, const struct tui_page *p, size_t i, int *vx)
{
	struct col c;
	int lw;
	col_of(d, p, i, &c);
	lw = p->fields[i]->ops->has_label_column ? label_width(p, &c) : 0;
	if (vx)
		*vx = c.x + lw;
	return c.w - lw;
}

/* Rows above the fields: the page's title and text. */
static int head_rows(const struct tui_page *p, int inner)
{
	int n = text_rows(p->text, inner);
	return (p->title && *p->title ? 2 : 0) + n + (n ? 1 : 0);
}

static const char *btn_label(const struct tui_dialog *d, int i);

static int fheight(const struct tui_dialog *d, const struct tui_page *p, size_t i)
{
	return field_height(p->fields[i], value_width(d, p, i, NULL));
}

/* Rows of a column's fields [from, to). */
static int fields_rows(const struct tui_dialog *d, const struct tui_page *p, size_t from, size_t to)
{
	int rows = 0;
	for (size_t i = from; i < to; i++)
		rows += fheight(d, p, i);
	return rows;
}

/* Rows of what scrolls: in one column the page's title and text, then its
 * fields; in two panes the right pane's fields (the text and the left pane
 * stay). */
static int scroll_rows(const struct tui_dialog *d, const struct tui_page *p)
{
	if (is_split(d, p))
		return fields_rows(d, p, p->nleft, p->nfields);
	return head_rows(p, d->mode.w - 4) + fields_rows(d, p, 0, p->nfields);
}

/* Rows of the whole page. */
static int content_rows(const struct tui_dialog *d, const struct tui_page *p)
{
	int right;
	if (!is_split(d, p))
		return scroll_rows(d, p);
	right = scroll_rows(d, p);
	return head_rows(p, d->mode.w - 4) + (right > fields_rows(d, p, 0, p->nleft) ? right
										: fields_rows(d, p, 0, p->nleft));
}

/* Rows of the error / answer line (the last layout's wrap of it). */
static int err_rows(const struct tui_dialog *d)
{
	return d->err_rows > 1 ? d->err_rows : 1;
}

/* Rows of the page's fields and the scroll that shows the focused one,
 * from the dialog's size. */
static void place(struct tui_dialog *d)
{
	struct tui_page *p = tui_dialog_page(d);
	int body, lr, vr, x, btn, fi, total;
	bool split;
	int *vrow;
	if (!p || d->mode.w <= 0)
		return;
	split = is_split(d, p);
	d->top_row = 1 + (split ? head_rows(p, d->mode.w - 4) : 0);
	body = d->mode.h - 2 - err_rows(d) - d->top_row; /* the rows that scroll */
	free(d->field_row);
	free(d->field_x);
	d->field_row = xcalloc(p->nfields + 1, sizeof(*d->field_row));
	d->field_x = xcalloc(p->nfields + 1, sizeof(*d->field_x));
	vrow = xcalloc(p->nfields + 1, sizeof(*vrow));
	vr = split ? 0 : head_rows(p, d->mode.w - 4);
	lr = 0;
	for (size_t i = 0; i < p->nfields; i++) {
		int *r = split && i < p->nleft ? &lr : &vr;
		vrow[i] = *r;
		*r += fheight(d, p, i);
	}
	total = vr;
	fi = focus_target(d, d->focus, &btn);
	if (fi >= 0 && !(split && (size_t)fi < p->nleft)) {
		int hgt = fheight(d, p, (size_t)fi);
		if (vrow[fi] + hgt <= body)
			d->scroll = 0; /* it shows with the page's text: no scroll */
		else if (vrow[fi] < d->scroll)
			d->scroll = vrow[fi];
		if (vrow[fi] + hgt > d->scroll + body)
			d->scroll = vrow[fi] + hgt - body;
	}
	if (d->scroll > total - body)
		d->scroll = total - body;
	if (d->scroll < 0)
		d->scroll = 0;
	for (size_t i = 0; i < p->nfields; i++) {
		struct col c;
		col_of(d, p, i, &c);
		d->field_x[i] = c.x;
		d->field_row[i] = d->top_row + vrow[i] - (split && i < p->nleft ? 0 : d->scroll);
	}
	free(vrow);

	/* buttons, right-aligned on the row above the bottom border */
	d->nbtn = nbuttons(d);
	d->btn_y = d->mode.h - 2;
	x = d->mode.w - 2;
	for (int i = d->nbtn - 1; i >= 0; i--) {
		int bw = core_str_width(btn_label(d, i)) + 4;
		x -= bw + 1;
		if (x < 1)
			x = 1;
		d->btn_x[i] = x;
		d->btn_w[i] = bw;
	}
}

/* Field i shows whole (its rows inside the body, below what stays on top). */
static bool shown(const struct tui_dialog *d, const struct tui_page *p, size_t i)
{
	int row = d->field_row[i], top = is_split(d, p) && i < p->nleft ? 1 : d->top_row;
	return row >= top && row + fheight(d, p, i) - 1 <= d->mode.h - 3 - err_rows(d);
}

/* Two panes: a left pane's list shows the rows it wants (pane_rows), as
 * many as a screen of maxh rows has beside the other left fields; one
 * column: its own rows. The current item stays in view. */
static void pane_rows(const struct tui_dialog *d, struct tui_page *p, int maxh)
{
	bool split = is_split(d, p);
	int other = 0;
	for (size_t i = 0; i < p->nfields; i++)
		p->fields[i]->pane_shown = 0;
	if (!split)
		goto keep;
	for (size_t i = 0; i < p->nleft; i++)
		if (!p->fields[i]->pane_rows)
			other += fheight(d, p, i);
	for (size_t i = 0; i < p->nleft; i++) {
		struct tui_field *f = p->fields[i];
		int room = maxh - 4 - err_rows(d) - head_rows(p, d->mode.w > 4 ? d->mode.w - 4 : 1) - other;
		if (f->pane_rows > 0)
			f->pane_shown = f->pane_rows < room ? f->pane_rows : room > 1 ? room : 1;
	}
keep:
	for (size_t i = 0; i < p->nleft && i < p->nfields; i++) {
		struct tui_field *f = p->fields[i];
		if (f->ops == &tui_field_list) {
			int rows = field_height(f, 1);
			if (f->top > (int)f->nchoices - rows)
				f->top = (int)f->nchoices - rows > 0 ? (int)f->nchoices - rows : 0;
			tui_field_move_choice(f, 0, rows);
		}
	}
}

void tui_dialog_layout(struct tui_dialog *d, int lines, int cols)
{
	struct tui_page *p = tui_dialog_page(d);
	int maxw = cols - 2, maxh = lines - 2, want_w = 60, rows;
	d->scr_lines = lines;
	d->scr_cols = cols;
	if (!p || maxw < 20 || maxh < 6) {
		d->mode.h = d->mode.w = 0;
		return;
	}
	if (core_str_width(d->title) + 8 > want_w)
		want_w = core_str_width(d->title) + 8;
	/* wide enough for the longest word (a path, a URI), if the screen allows */
	if (p->text) {
		char *copy = xstrdup(p->text), *save = NULL;
		for (char *w = strtok_r(copy, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
			if (core_str_width(w) + 6 > want_w)
				want_w = core_str_width(w) + 6;
		free(copy);
	}
	if (d->max_w > want_w)
		want_w = d->max_w; /* as wide as the screen allows, up to max_w */
	if (is_split(d, p))
		want_w = maxw < 140 ? maxw : 140; /* two panes: the screen's width */
	d->mode.w = want_w < maxw ? want_w : maxw;
	d->err_rows = 1;
	if (d->error) { /* a long answer wraps (up to 3 rows) rather than being cut */
		size_t n = 0;
		char **l = tui_wrap(d->error, d->mode.w - 4, &n);
		tui_wrap_free(l, n);
		d->err_rows = n > 3 ? 3 : n > 1 ? (int)n : 1;
	}
	pane_rows(d, p, maxh);
	rows = content_rows(d, p);
	d->mode.h = 2 + rows + (p->nfields ? 1 : 0) + d->err_rows /* error */ + 1 /* buttons */;
	if (d->mode.h > maxh)
		d->mode.h = maxh;
	d->mode.y = (lines - d->mode.h) / 2;
	d->mode.x = (cols - d->mode.w) / 2;
	if (d->focus >= nfocus(d))
		d->focus = 0;
	place(d);
}

/* Lay out again for the same screen (the page or its fields changed). */
static void relayout(struct tui_dialog *d)
{
	if (d->scr_lines > 0)
		tui_dialog_layout(d, d->scr_lines, d->scr_cols);
}

/* ---- pages and buttons ------------------------------------------------------------ */

/* The page after the current one, -1 when it is the last. Pure: the
 * buttons' labels ask it. */
static int next_page(struct tui_dialog *d)
{
	struct tui_page *p = tui_dialog_page(d);
	if (p && p->next)
		return p->next(d, p);
	return d->cur + 1 < d->npages ? (int)d->cur + 1 : -1;
}

static const char *btn_label(const struct tui_dialog *d, int i)
{
	switch (d->buttons) {
	case TUI_BTN_OK_CANCEL:
		return i == 0 ? (d->ok_label ? d->ok_label : "OK") : "Cancel";
	case TUI_BTN_YES_NO:
		return i == 0 ? (d->ok_label ? d->ok_label : "Yes") : "No";
	case TUI_BTN_CLOSE:
		return d->ok_label ? d->ok_label : "Close";
	case TUI_BTN_CUSTOM:
		return d->btn_labels[i] ? d->btn_labels[i] : "?";
	default:
		if (i == 0)
			return "< Back";
		if (i == 1)
			return next_page((struct tui_dialog *)d) >= 0 ? "Next >" : (d->ok_label ? d->ok_label : "Finish");
		return "Cancel";
	}
}

static void enter_page(struct tui_dialog *d, size_t idx)
{
	struct tui_page *p;
	d->cur = idx;
	/* the first field; on a page without one, Next */
	d->focus = nfocus(d) == nbuttons(d) && d->buttons == TUI_BTN_WIZARD ? 1 : 0;
	d->scroll = 0;
	xfree(&d->error);
	p = tui_dialog_page(d);
	if (p->on_enter)
		p->on_enter(d, p);
	relayout(d);
}

/* The first field of the page showing an error (it blocks leaving forward). */
static struct tui_field *field_in_error(struct tui_page *p)
{
	for (size_t i = 0; i < p->nfields; i++)
		if (p->fields[i]->error && !p->fields[i]->disabled)
			return p->fields[i];
	return NULL;
}

static int dialog_finish(struct tui_dialog *d, bool forward)
{
	struct tui_page *p = tui_dialog_page(d);
	struct tui_field *bad;
	char *err = NULL;
	int next;
	xfree(&d->error);
	if (!forward) {
		if (d->buttons == TUI_BTN_WIZARD) {
			if (d->nhistory)
				enter_page(d, d->history[--d->nhistory]);
			return TUI_DLG_RUNNING;
		}
		return TUI_DLG_CANCEL;
	}
	if (!p)
		return TUI_DLG_OK;
	if ((bad = field_in_error(p)) != NULL) {
		d->error = xasprintf("%s: %s", bad->label, bad->error);
		tui_dialog_focus(d, bad->id);
		return TUI_DLG_RUNNING;
	}
	if (p->validate && p->validate(d, p, &err) != 0) {
		d->error = err ? err : xstrdup("Please check the values.");
		return TUI_DLG_RUNNING;
	}
	free(err);
	if (d->buttons == TUI_BTN_WIZARD && (next = next_page(d)) >= 0 && (size_t)next < d->npages) {
		d->history = xrealloc(d->history, (d->nhistory + 1) * sizeof(*d->history));
		d->history[d->nhistory++] = d->cur;
		enter_page(d, (size_t)next);
		return TUI_DLG_RUNNING;
	}
	return TUI_DLG_OK;
}

static int press_button(struct tui_dialog *d, int btn)
{
	switch (d->buttons) {
	case TUI_BTN_CLOSE:
		return TUI_DLG_OK;
	case TUI_BTN_WIZARD:
		if (btn == 2)
			return TUI_DLG_CANCEL;
		return dialog_finish(d, btn == 1);
	case TUI_BTN_CUSTOM:
		if (btn >= nbuttons(d) - 1)
			return TUI_DLG_CANCEL;
		d->pressed = btn;
		return dialog_finish(d, true);
	default:
		return btn == 0 ? dialog_finish(d, true) : TUI_DLG_CANCEL;
	}
}

/* A field's value changed: the page may rebuild its fields; the focus
 * stays on the field with the same id. */
static void field_changed(struct tui_dialog *d, struct tui_field *f)
{
	struct tui_page *p = tui_dialog_page(d);
	char *id;
	int k;
	if (!p->on_change)
		return;
	id = xstrdup(f->id);
	p->on_change(d, p, f);
	k = focus_of(d, (size_t)field_index(p, id));
	if (k >= 0)
		d->focus = k;
	free(id);
	relayout(d);
}

/* ---- keys ---------------------------------------------------------------------- */

static bool jump_to_accel(struct tui_dialog *d, int c)
{
	struct tui_page *p = tui_dialog_page(d);
	c = tolower(c);
	for (size_t i = 0; p && i < p->nfields; i++) {
		int k = focus_of(d, i);
		if (p->fields[i]->accel == c && k >= 0) {
			d->focus = k;
			return true;
		}
	}
	return false;
}

static void move_focus(struct tui_dialog *d, int delta)
{
	int n = nfocus(d);
	d->focus = (d->focus + n + delta) % n;
}

int tui_dialog_key(struct tui_dialog *d, int key, bool is_char)
{
	int n = nfocus(d), btn, fi;
	struct tui_page *p = tui_dialog_page(d);
	bool up_down;
	if (!p)
		return TUI_DLG_CANCEL;
	if (is_char && (key == 127 || key == 8)) {
		is_char = false;
		key = KEY_BACKSPACE;
	}
	if (is_char && key == '\r')
		key = '\n';
	if (is_char && key == 27)
		return d->buttons == TUI_BTN_CLOSE ? TUI_DLG_OK : TUI_DLG_CANCEL;
	if (TUI_KEY_IS_ALT(key)) {
		int c = tolower((int)TUI_KEY_ALT_CHAR(key));
		if (jump_to_accel(d, c)) {
			place(d);
			return TUI_DLG_RUNNING;
		}
		for (int i = 0; d->buttons == TUI_BTN_CUSTOM && c && i < nbuttons(d); i++)
			if (d->btn_accel[i] == c)
				return press_button(d, i);
		return TUI_DLG_RUNNING;
	}
	if (d->focus >= n)
		d->focus = 0;
	fi = focus_target(d, d->focus, &btn);
	if (((is_char && key == '\n') || (!is_char && key == KEY_ENTER)) &&
	    !(fi >= 0 && p->fields[fi]->ops->wants_enter)) {
		if (btn >= 0)
			return press_button(d, btn);
		/* Enter in a field: the default button (OK / Next; No in a question) */
		if (d->buttons == TUI_BTN_YES_NO || d->enter_no_default)
			return TUI_DLG_RUNNING;
		return press_button(d, d->buttons == TUI_BTN_WIZARD ? 1 : 0);
	}
	up_down = !is_char && (key == KEY_UP || key == KEY_DOWN);
	if (fi >= 0 && (!up_down || p->fields[fi]->ops->wants_arrows)) {
		struct tui_field *f = p->fields[fi];
		int r = f->ops->key ? f->ops->key(f, key, is_char) : TUI_FIELD_IGNORED;
		if (r == TUI_FIELD_CHANGED)
			field_changed(d, f);
		if (r != TUI_FIELD_IGNORED) {
			place(d);
			return TUI_DLG_RUNNING;
		}
	}
	if (!is_char && (key == KEY_NPAGE || key == KEY_PPAGE || (up_down && n == nbuttons(d))) &&
	    scroll_rows(d, p) > d->mode.h - 2 - err_rows(d) - d->top_row) {
		/* the page scrolls (a long text; Up and Down too when it has no field) */
		int step = up_down ? 1 : d->mode.h > 6 ? d->mode.h - 5 : 1;
		d->scroll += key == KEY_NPAGE || key == KEY_DOWN ? step : -step;
	} else if ((is_char && key == '\t') || (!is_char && key == KEY_DOWN)) {
		move_focus(d, 1);
	} else if (!is_char && (key == KEY_BTAB || key == KEY_UP)) {
		move_focus(d, -1);
	} else if (btn >= 0) {
		if (!is_char && (key == KEY_LEFT || key == KEY_RIGHT)) {
			int nb = nbuttons(d);
			d->focus = n - nb + (btn + (key == KEY_LEFT ? nb - 1 : 1)) % nb;
		} else if (is_char && key == ' ') {
			return press_button(d, btn);
		} else if (d->buttons == TUI_BTN_YES_NO && is_char && (key == 'y' || key == 'Y')) {
			return press_button(d, 0);
		} else if (d->buttons == TUI_BTN_YES_NO && is_char && (key == 'n' || key == 'N')) {
			return TUI_DLG_CANCEL;
		}
	}
	place(d);
	return TUI_DLG_RUNNING;
}

int tui_dialog_click(struct tui_dialog *d, int y, int x)
{
	struct tui_page *p = tui_dialog_page(d);
	if (!p || d->mode.w <= 0)
		return TUI_DLG_RUNNING;
	if (y == d->btn_y) {
		for (int i = 0; i < d->nbtn; i++)
			if (x >= d->btn_x[i] && x < d->btn_x[i] + d->btn_w[i])
				return press_button(d, i);
		return TUI_DLG_RUNNING;
	}
	/* a click on a field focuses it and goes to its kind (a check box toggles) */
	for (size_t i = 0; d->field_row && i < p->nfields; i++) {
		struct tui_field *f = p->fields[i];
		int vx, vw = value_width(d, p, i, &vx), row = d->field_row[i], h = field_height(f, vw);
		int k = focus_of(d, i);
		if (!shown(d, p, i) || y < row || y >= row + h || x < d->field_x[i] || x >= vx + vw || k < 0)
			continue;
		d->focus = k;
		if (f->ops->click && x >= vx && f->ops->click(f, y - row, x - vx) == TUI_FIELD_CHANGED)
			field_changed(d, f);
		break;
	}
	place(d);
	return TUI_DLG_RUNNING;
}

/* ---- drawing ------------------------------------------------------------------- */

attr_t tui_field_attr(struct tui_app *a, const struct tui_field *f, bool focus)
{
	return tui_attr(a, focus ? CORE_ROLE_DIALOG_FIELD_FOCUS : CORE_ROLE_DIALOG_FIELD) | (f->disabled ? A_DIM : 0);
}

void tui_field_draw_label(WINDOW *w, int y, int x, int width, const struct tui_field *f, const char *suffix)
{
	char *t = xasprintf("%s%s", f->label, suffix ? suffix : "");
	const char *at = NULL;
	attr_t attr;
	short pair;
	tui_put_safe(w, y, x, width, t, false);
	/* underline the accelerator: its first occurrence in the label */
	for (const char *s = f->label; f->accel && *s && !at; s++)
		if (tolower((unsigned char)*s) == f->accel)
			at = s;
	if (at) {
		char *before = xstrndup(f->label, (size_t)(at - f->label));
		int col = core_str_width(before);
		free(before);
		if (col < width) {
			wattr_get(w, &attr, &pair, NULL);
			mvwchgat(w, y, x + col, 1, attr | A_UNDERLINE, pair, NULL);
		}
	}
	free(t);
}

static void draw_field(struct tui_dialog *d, struct tui_app *a, WINDOW *w, struct tui_page *p, size_t i,
		       bool focus, attr_t base, int *cur_y, int *cur_x)
{
	struct tui_field *f = p->fields[i];
	int row = d->field_row[i], x, vw = value_width(d, p, i, &x), dw;
	const char *beside = f->error ? f->error : f->detail;
	if (f->ops->has_label_column) {
		wattrset(w, base);
		tui_field_draw_label(w, row, d->field_x[i], x - d->field_x[i], f, ":");
	}
	/* a fixed-width value leaves room beside it for its error or note */
	dw = f->width > 0 && f->width < vw ? f->width : vw;
	if (beside && tui_field_is_line(f) && f->width <= 0 && vw > 24) {
		int room = core_str_width(beside) + 1;
		dw = vw - (room < vw - 16 ? room : vw - 16); /* the value keeps 16 columns */
	}
	if (f->ops->draw)
		f->ops->draw(f, a, w, row, x, dw, focus);
	if (beside && dw + 1 < vw && tui_field_is_line(f)) {
		wattrset(w, f->error ? tui_attr(a, CORE_ROLE_ERROR) : (base | A_DIM));
		tui_put_safe(w, row, x + dw + 1, vw - dw - 1, beside, false);
	}
	if (focus && f->ops->cursor) {
		int c = f->ops->cursor(f, dw);
		if (c >= 0) {
			*cur_y = row + (f->ops->cursor_row ? f->ops->cursor_row(f, dw) : 0);
			*cur_x = x + c;
		}
	}
}

static void dialog_draw(struct tui_dialog *d, struct tui_app *a, WINDOW *w)
{
	struct tui_page *p = tui_dialog_page(d);
	int h = d->mode.h, wd = d->mode.w, inner = wd - 4, body_end = h - 3 - err_rows(d), row, btn, ffield;
	int cur_y = -1, cur_x = -1;
	size_t ntext = 0;
	char **text, *t;
	attr_t base = tui_attr(a, d->error_style ? CORE_ROLE_ERROR : CORE_ROLE_DIALOG);

	if (!w || !p || wd <= 0)
		return;
	if (!d->field_row)
		place(d);
	wbkgdset(w, ' ' | base);
	wattrset(w, base);
	werase(w);
	box(w, 0, 0);
	wattrset(w, tui_attr(a, CORE_ROLE_DIALOG_TITLE));
	t = xasprintf(" %s ", d->title);
	{
		int tw = core_str_width(t), fit = tw < wd - 2 ? tw : wd - 2;
		tui_put_safe(w, 0, (wd - fit) / 2, fit, t, false);
	}
	free(t);

	/* the page's title and text, scrolled with the fields (in one column) */
	row = is_split(d, p) ? 1 : 1 - d->scroll;
	if (p->title && *p->title) {
		if (row >= 1 && row <= body_end) {
			wattrset(w, base | A_BOLD);
			tui_put_safe(w, row, 2, inner, p->title, false);
		}
		row += 2;
	}
	wattrset(w, base);
	text = tui_wrap(p->text, inner, &ntext);
	for (size_t i = 0; i < ntext; i++, row++)
		if (row >= 1 && row <= body_end)
			tui_put_safe(w, row, 2, inner, text[i], false);
	tui_wrap_free(text, ntext);

	ffield = focus_target(d, d->focus, &btn);
	for (size_t i = 0; i < p->nfields; i++)
		if (shown(d, p, i))
			draw_field(d, a, w, p, i, (int)i == ffield, base, &cur_y, &cur_x);
	/* two panes: a line between them */
	wattrset(w, base);
	if (is_split(d, p) && d->top_row <= body_end)
		mvwvline(w, d->top_row, d->field_x[p->nleft] - 2, ACS_VLINE, body_end - d->top_row + 1);
	/* more above, more below */
	if (d->scroll > 0)
		mvwaddstr(w, d->top_row, wd - 2, "^");
	if (scroll_rows(d, p) - d->scroll > body_end - d->top_row + 1)
		mvwaddstr(w, body_end, wd - 2, "v");

	if (d->error) {
		size_t n = 0;
		char **rows = tui_wrap(d->error, inner, &n);
		wattrset(w, tui_attr(a, CORE_ROLE_ERROR));
		for (int i = 0; i < err_rows(d) && (size_t)i < n; i++)
			tui_put_safe(w, h - 2 - err_rows(d) + i, 2, inner, rows[i], false);
		tui_wrap_free(rows, n);
	}
	for (int i = 0; i < d->nbtn; i++) {
		bool disabled = d->buttons == TUI_BTN_WIZARD && i == 0 && !d->nhistory;
		t = xasprintf("[ %s ]", btn_label(d, i));
		wattrset(w, tui_attr(a, i == btn ? CORE_ROLE_BUTTON_FOCUS : CORE_ROLE_BUTTON) | (disabled ? A_DIM : 0));
		tui_put_safe(w, d->btn_y, d->btn_x[i], d->btn_w[i], t, false);
		free(t);
		if (d->buttons == TUI_BTN_CUSTOM && d->btn_accel[i]) {
			/* underline the accelerator, as a field's label does */
			const char *l = btn_label(d, i), *at = NULL;
			for (const char *c = l; *c && !at; c++)
				if (tolower((unsigned char)*c) == d->btn_accel[i])
					at = c;
			if (at && (int)(at - l) + 2 < d->btn_w[i]) {
				attr_t attr;
				short pair;
				wattr_get(w, &attr, &pair, NULL);
				mvwchgat(w, d->btn_y, d->btn_x[i] + 2 + (int)(at - l), 1, attr | A_UNDERLINE, pair, NULL);
			}
		}
	}
	wattrset(w, base);
	if (cur_y >= 0)
		tui_cursor(a, w, cur_y, cur_x);
}

/* ---- the mode -------------------------------------------------------------------- */

static void mode_draw(struct tui_mode *m, struct tui_app *a, WINDOW *w)
{
	dialog_draw((struct tui_dialog *)m, a, w);
}

static int key_result(struct tui_app *a, struct tui_dialog *d, int r)
{
	if (r == TUI_DLG_RUNNING)
		return TUI_KEY_DONE;
	if (d->can_close && !d->can_close(a, d, r)) {
		relayout(d);
		return TUI_KEY_DONE;
	}
	d->result = r;
	return TUI_KEY_CLOSE;
}

static int mode_key(struct tui_mode *m, struct tui_app *a, int key, bool is_char)
{
	struct tui_dialog *d = (struct tui_dialog *)m;
	return key_result(a, d, tui_dialog_key(d, key, is_char));
}

static int mode_click(struct tui_mode *m, struct tui_app *a, int y, int x, bool dbl)
{
	struct tui_dialog *d = (struct tui_dialog *)m;
	return key_result(a, d, tui_dialog_click(d, y, x));
}

static void mode_reply(struct tui_mode *m, struct tui_app *a, const md_msg *msg)
{
	struct tui_dialog *d = (struct tui_dialog *)m;
	if (d->on_reply)
		d->on_reply(a, d, msg);
	relayout(d);
}

static void mode_sync(struct tui_mode *m, struct tui_app *a)
{
	struct tui_dialog *d = (struct tui_dialog *)m;
	if (d->on_sync) {
		d->on_sync(a, d);
		relayout(d);
	}
}

static void mode_resize(struct tui_mode *m, struct tui_app *a, int lines, int cols)
{
	tui_dialog_layout((struct tui_dialog *)m, lines, cols);
}

static void mode_done(struct tui_mode *m, struct tui_app *a)
{
	struct tui_dialog *d = (struct tui_dialog *)m;
	if (d->on_done)
		d->on_done(a, d, d->result);
}

static void mode_free(struct tui_mode *m)
{
	struct tui_dialog *d = (struct tui_dialog *)m;
	tui_dialog_free(&d);
}

static const struct tui_mode_ops dialog_mode_ops = {
	.name = "dialog",
	.draw = mode_draw,
	.key = mode_key,
	.click = mode_click,
	.reply = mode_reply,
	.sync = mode_sync,
	.resize = mode_resize,
	.done = mode_done,
	.free = mode_free,
};

/* ---- convenience ------------------------------------------------------------------ */

struct tui_dialog *tui_msgbox(const char *title, const char *text, bool error)
{
	struct tui_dialog *d = tui_dialog_new(title, TUI_BTN_CLOSE);
	tui_dialog_add_page(d, NULL, text);
	d->error_style = error;
	return d;
}

struct tui_dialog *tui_confirm(const char *title, const char *text, const char *yes_label,
			       void (*on_done)(struct tui_app *, struct tui_dialog *, int))
{
	struct tui_dialog *d = tui_dialog_new(title, TUI_BTN_YES_NO);
	tui_dialog_add_page(d, NULL, text);
	d->ok_label = xstrdup(yes_label);
	d->on_done = on_done;
	d->focus = 1; /* "No" first: a stray Enter never destroys anything */
	return d;
}
