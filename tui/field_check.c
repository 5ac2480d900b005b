/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/field_check.c - a check box: "[x] Label"; Space or a click toggles it. */
#include "app.h"
#include "field.h"

static void check_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	wattrset(w, focus ? tui_field_attr(a, f, true) : tui_attr(a, CORE_ROLE_DIALOG) | (f->disabled ? A_DIM : 0));
	mvwaddstr(w, y, x, f->checked ? "[x] " : "[ ] ");
	tui_field_draw_label(w, y, x + 4, width - 4, f, NULL);
}

static int check_cursor(const struct tui_field *f, int width)
{
	return 1;
}

static int check_key(struct tui_field *f, int key, bool is_char)
{
	if (!is_char || key != ' ')
		return TUI_FIELD_IGNORED;
	f->checked = !f->checked;
	return TUI_FIELD_CHANGED;
}

static int check_click(struct tui_field *f, int row, int col)
{
	f->checked = !f->checked;
	return TUI_FIELD_CHANGED;
}

const struct tui_field_ops tui_field_check = {
	.name = "check", .focusable = true,
	.draw = check_draw, .cursor = check_cursor, .key = check_key, .click = check_click,
};
