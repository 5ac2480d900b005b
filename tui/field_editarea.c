/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/field_editarea.c - an editable text of several lines (New Pool's XML
 * page): f->text is the value, f->rows the rows shown (0: 10). Lines are
 * not wrapped: the view follows the cursor sideways. Keys: characters
 * insert, Enter breaks the line, Backspace / Delete, the arrows, Home / End
 * (the line), PgUp / PgDn, a click places the cursor, Ctrl+K cuts the rest of the line (at its end,
 * the line break). Tab leaves the field. The error (f->error) is
 * drawn under the rows, wrapped. The cursor (a byte offset into f->text,
 * kept on a UTF-8 boundary) lives in f->data. No curses call in key(). */
#include "app.h"
#include "field.h"

#include <stdlib.h>
#include <string.h>

#include "../core/util.h"

struct ea_state {
	size_t cur;   /* byte offset of the cursor in f->text */
	int want;     /* the column Up / Down aim for, -1 none */
	int left;     /* the first column drawn last time (for clicks) */
};

static struct ea_state *ea(const struct tui_field *f)
{
	struct tui_field *m = (struct tui_field *)f;
	if (!m->data) {
		struct ea_state *s = xcalloc(1, sizeof(*s));
		s->want = -1;
		m->data = s;
	}
	return m->data;
}

static const char *txt(const struct tui_field *f)
{
	return f->text ? f->text : "";
}

static size_t cur(const struct tui_field *f)
{
	size_t n = strlen(txt(f)), c = ea(f)->cur;
	return c > n ? n : c;
}

static int rows_of(const struct tui_field *f)
{
	return f->rows > 0 ? f->rows : 10;
}

static size_t line_start(const char *t, size_t pos)
{
	while (pos > 0 && t[pos - 1] != '\n')
		pos--;
	return pos;
}

static size_t line_end(const char *t, size_t pos)
{
	while (t[pos] && t[pos] != '\n')
		pos++;
	return pos;
}

static int line_of(const char *t, size_t pos)
{
	int n = 0;
	for (size_t i = 0; i < pos; i++)
		n += t[i] == '\n';
	return n;
}

/* characters (not continuation bytes) in t[from, to) */
static int chars(const char *t, size_t from, size_t to)
{
	int n = 0;
	for (size_t i = from; i < to; i++)
		n += ((unsigned char)t[i] & 0xC0) != 0x80;
	return n;
}

/* the offset col characters into the line at start (its end at most) */
static size_t at_col(const char *t, size_t start, int col)
{
	size_t p = start, end = line_end(t, start);
	while (p < end && col > 0) {
		p++;
		while (p < end && ((unsigned char)t[p] & 0xC0) == 0x80)
			p++;
		col--;
	}
	return p;
}

/* the start of line n (the last line's when there are fewer) */
static size_t start_of_line(const char *t, int n)
{
	size_t p = 0;
	for (; n > 0 && t[p]; p++)
		if (t[p] == '\n')
			n--;
	return line_start(t, p);
}

static int error_lines(const struct tui_field *f, int width, char ***lines, size_t *n)
{
	*lines = NULL;
	*n = 0;
	if (!f->error || width < 2)
		return 0;
	*lines = tui_wrap(f->error, width, n);
	return (int)*n;
}

static int ea_height(const struct tui_field *f, int width)
{
	char **l;
	size_t n;
	int h = rows_of(f) + error_lines(f, width, &l, &n);
	tui_wrap_free(l, n);
	return h;
}

/* the first character column shown: the cursor stays inside the width */
static int ea_left(const struct tui_field *f, int width)
{
	const char *t = txt(f);
	size_t c = cur(f);
	int col = chars(t, line_start(t, c), c);
	return col >= width - 1 ? col - (width - 2) : 0;
}

static void ea_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	const char *t = txt(f);
	int rows = rows_of(f), left = ea_left(f, width), top = f->top, nlines = line_of(t, strlen(t)) + 1;
	size_t p = start_of_line(t, top);
	char **err;
	size_t nerr;

	ea(f)->left = left;
	for (int r = 0; r < rows; r++) {
		char *line = NULL;
		bool more = (r == 0 && top > 0) || (r == rows - 1 && top + rows < nlines);
		if (top + r < nlines) {
			size_t s = at_col(t, p, left), e = line_end(t, p);
			line = xstrndup(t + s, e - s);
			p = t[e] ? e + 1 : e;
		}
		wattrset(w, tui_field_attr(a, f, focus));
		tui_put(w, y + r, x, width - 1, line ? line : "", false);
		free(line);
		mvwaddstr(w, y + r, x + width - 1, more ? (r == 0 ? "^" : "v") : " ");
	}
	error_lines(f, width, &err, &nerr);
	wattrset(w, tui_attr(a, CORE_ROLE_ERROR));
	for (size_t i = 0; i < nerr; i++)
		tui_put_safe(w, y + rows + (int)i, x, width, err[i], false);
	tui_wrap_free(err, nerr);
}

static int ea_cursor(const struct tui_field *f, int width)
{
	const char *t = txt(f);
	size_t c = cur(f);
	return chars(t, line_start(t, c), c) - ea_left(f, width);
}

static int ea_cursor_row(const struct tui_field *f, int width)
{
	(void)width;
	return line_of(txt(f), cur(f)) - f->top;
}

/* keep the cursor's line among the rows shown */
static void follow(struct tui_field *f)
{
	int l = line_of(txt(f), cur(f)), rows = rows_of(f);
	if (l < f->top)
		f->top = l;
	if (l >= f->top + rows)
		f->top = l - rows + 1;
}

static void insert(struct tui_field *f, const char *s, size_t n)
{
	const char *t = txt(f);
	size_t c = cur(f), len = strlen(t);
	char *nt = xmalloc(len + n + 1);
	memcpy(nt, t, c);
	memcpy(nt + c, s, n);
	memcpy(nt + c + n, t + c, len - c + 1);
	free(f->text);
	f->text = nt;
	ea(f)->cur = c + n;
}

static void cut(struct tui_field *f, size_t from, size_t to)
{
	memmove(f->text + from, f->text + to, strlen(f->text + to) + 1);
	ea(f)->cur = from;
}

static size_t prev_char(const char *t, size_t c)
{
	if (c == 0)
		return 0;
	c--;
	while (c > 0 && ((unsigned char)t[c] & 0xC0) == 0x80)
		c--;
	return c;
}

static size_t next_char(const char *t, size_t c)
{
	if (!t[c])
		return c;
	c++;
	while (t[c] && ((unsigned char)t[c] & 0xC0) == 0x80)
		c++;
	return c;
}

/* Up / Down by delta lines, aiming at the column of the last sideways move */
static void vertical(struct tui_field *f, int delta)
{
	const char *t = txt(f);
	struct ea_state *s = ea(f);
	size_t c = cur(f);
	int l = line_of(t, c) + delta, last = line_of(t, strlen(t));
	if (s->want < 0)
		s->want = chars(t, line_start(t, c), c);
	if (l < 0)
		l = 0;
	if (l > last)
		l = last;
	s->cur = at_col(t, start_of_line(t, l), s->want);
}

static int ea_key(struct tui_field *f, int key, bool is_char)
{
	struct ea_state *s = ea(f);
	const char *t = txt(f);
	size_t c = cur(f);
	int rows = rows_of(f);

	if (is_char) {
		char u[5];
		size_t n = 0;
		unsigned k = (unsigned)key;
		if (key == 11) { /* Ctrl+K: the rest of the line (at its end: the line break) */
			size_t e = line_end(t, c);
			if (!t[c])
				return TUI_FIELD_CONSUMED;
			cut(f, c, e > c ? e : c + 1);
			goto changed;
		}
		if (key == '\n')
			u[n++] = '\n';
		else if (k < 32 || k == 127 || k > 0x10FFFF)
			return TUI_FIELD_IGNORED; /* Tab, Escape, controls: the dialog's */
		else if (k < 0x80)
			u[n++] = (char)k;
		else if (k < 0x800) {
			u[n++] = (char)(0xC0 | (k >> 6));
			u[n++] = (char)(0x80 | (k & 0x3F));
		} else if (k < 0x10000) {
			u[n++] = (char)(0xE0 | (k >> 12));
			u[n++] = (char)(0x80 | ((k >> 6) & 0x3F));
			u[n++] = (char)(0x80 | (k & 0x3F));
		} else {
			u[n++] = (char)(0xF0 | (k >> 18));
			u[n++] = (char)(0x80 | ((k >> 12) & 0x3F));
			u[n++] = (char)(0x80 | ((k >> 6) & 0x3F));
			u[n++] = (char)(0x80 | (k & 0x3F));
		}
		s->cur = c;
		insert(f, u, n);
		goto changed;
	}
	switch (key) {
	case KEY_ENTER:
		s->cur = c;
		insert(f, "\n", 1);
		goto changed;
	case KEY_BACKSPACE:
		if (c == 0)
			return TUI_FIELD_CONSUMED;
		cut(f, prev_char(t, c), c);
		goto changed;
	case KEY_DC:
		if (!t[c])
			return TUI_FIELD_CONSUMED;
		cut(f, c, next_char(t, c));
		goto changed;
	case KEY_LEFT: s->cur = prev_char(t, c); s->want = -1; break;
	case KEY_RIGHT: s->cur = next_char(t, c); s->want = -1; break;
	case KEY_HOME: s->cur = line_start(t, c); s->want = -1; break;
	case KEY_END: s->cur = line_end(t, c); s->want = -1; break;
	case KEY_UP: vertical(f, -1); break;
	case KEY_DOWN: vertical(f, 1); break;
	case KEY_PPAGE: vertical(f, -(rows > 1 ? rows - 1 : 1)); break;
	case KEY_NPAGE: vertical(f, rows > 1 ? rows - 1 : 1); break;
	default: return TUI_FIELD_IGNORED;
	}
	follow(f);
	return TUI_FIELD_CONSUMED;
changed:
	s->want = -1;
	follow(f);
	return TUI_FIELD_CHANGED;
}

/* A click puts the cursor there (the end of a shorter line, the last line
 * below the text). */
static int ea_click(struct tui_field *f, int row, int col)
{
	const char *t = txt(f);
	struct ea_state *s = ea(f);
	int l = f->top + row, last = line_of(t, strlen(t));
	if (row >= rows_of(f))
		return TUI_FIELD_IGNORED; /* the error lines */
	s->cur = at_col(t, start_of_line(t, l > last ? last : l), s->left + (col > 0 ? col : 0));
	s->want = -1;
	return TUI_FIELD_CONSUMED;
}

static void ea_free(struct tui_field *f)
{
	xfree(&f->data);
}

const struct tui_field_ops tui_field_editarea = {
	.name = "editarea", .focusable = true, .wants_arrows = true, .wants_enter = true,
	.height = ea_height, .draw = ea_draw, .cursor = ea_cursor, .cursor_row = ea_cursor_row,
	.key = ea_key, .click = ea_click, .free = ea_free,
};
