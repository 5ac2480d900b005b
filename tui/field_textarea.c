/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/field_textarea.c - read-only text that scrolls (XML previews, diffs):
 * wrapped to the field's width, f->rows rows shown (0: up to 10); Up/Down,
 * PgUp/PgDn, Home/End scroll it. The wrapped line count of the last width
 * drawn is kept in f->data (an integer, nothing to free) so keys can clamp. */
#include "app.h"
#include "field.h"

#include <stdint.h>

static int wrapped_lines(const struct tui_field *f, int width)
{
	size_t n = 0;
	char **l = tui_wrap(f->text, width, &n);
	tui_wrap_free(l, n);
	((struct tui_field *)f)->data = (void *)(intptr_t)n;
	return (int)n;
}

static int area_rows(const struct tui_field *f, int nlines)
{
	if (f->rows > 0)
		return f->rows;
	return nlines < 1 ? 1 : nlines > 10 ? 10 : nlines;
}

static int area_height(const struct tui_field *f, int width)
{
	return area_rows(f, wrapped_lines(f, width - 1));
}

static void area_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	size_t n = 0;
	char **l = tui_wrap(f->text, width - 1, &n);
	int rows = area_rows(f, (int)n), top = f->top;
	if (top > (int)n - rows)
		top = (int)n - rows;
	if (top < 0)
		top = 0;
	for (int r = 0; r < rows; r++) {
		bool more = (r == 0 && top > 0) || (r == rows - 1 && top + rows < (int)n);
		wattrset(w, tui_field_attr(a, f, false));
		tui_put_safe(w, y + r, x, width - 1, top + r < (int)n ? l[top + r] : "", false);
		wattrset(w, tui_field_attr(a, f, focus));
		mvwaddstr(w, y + r, x + width - 1, more ? (r == 0 ? "^" : "v") : " ");
	}
	tui_wrap_free(l, n);
}

static int area_key(struct tui_field *f, int key, bool is_char)
{
	int n = (int)(intptr_t)f->data, rows = area_rows(f, n), last = n - rows, top = f->top;
	if (is_char)
		return TUI_FIELD_IGNORED;
	switch (key) {
	case KEY_UP: top--; break;
	case KEY_DOWN: top++; break;
	case KEY_PPAGE: top -= rows > 1 ? rows - 1 : 1; break;
	case KEY_NPAGE: top += rows > 1 ? rows - 1 : 1; break;
	case KEY_HOME: top = 0; break;
	case KEY_END: top = last; break;
	default: return TUI_FIELD_IGNORED;
	}
	if (top > last)
		top = last;
	if (top < 0)
		top = 0;
	f->top = top;
	return TUI_FIELD_CONSUMED;
}

const struct tui_field_ops tui_field_textarea = {
	.name = "textarea", .focusable = true, .wants_arrows = true,
	.height = area_height, .draw = area_draw, .key = area_key,
};
