/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/field_list.c - a scrollable list of items: one current item (single
 * choice), or ticked ones (multi: Space or a click ticks). Up/Down,
 * PgUp/PgDn, Home/End move; Tab leaves. */
#include "app.h"
#include "field.h"

#include <stdlib.h>

#include "../core/util.h"

static int shown(const struct tui_field *f)
{
	int n = f->pane_shown > 0 ? f->pane_shown : f->rows > 0 ? f->rows : (int)f->nchoices < 8 ? (int)f->nchoices : 8;
	return n < 1 ? 1 : n;
}

static int list_height(const struct tui_field *f, int width)
{
	return shown(f);
}

static void list_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	int rows = shown(f);
	for (int r = 0; r < rows; r++) {
		int i = f->top + r;
		bool more = (r == 0 && f->top > 0) || (r == rows - 1 && f->top + rows < (int)f->nchoices);
		char *v;
		if (i >= (int)f->nchoices) {
			wattrset(w, tui_attr(a, CORE_ROLE_DIALOG_FIELD));
			tui_put_safe(w, y + r, x, width, "", false);
			continue;
		}
		v = f->multi ? xasprintf("[%c] %s", f->marked[i] ? 'x' : ' ', f->choices[i]) : xstrdup(f->choices[i]);
		wattrset(w, i == f->choice ? tui_field_attr(a, f, focus) | (focus ? 0 : A_REVERSE)
					   : tui_attr(a, CORE_ROLE_DIALOG_FIELD));
		tui_put_safe(w, y + r, x, width - 1, v, false);
		wattrset(w, tui_attr(a, CORE_ROLE_DIALOG_FIELD));
		mvwaddstr(w, y + r, x + width - 1, more ? (r == 0 ? "^" : "v") : " ");
		free(v);
	}
}

static int list_key(struct tui_field *f, int key, bool is_char)
{
	int rows = shown(f), delta = 0;
	if (is_char && key == ' ' && f->multi && f->nchoices) {
		f->marked[f->choice] = !f->marked[f->choice];
		return TUI_FIELD_CHANGED;
	}
	if (is_char)
		return TUI_FIELD_IGNORED;
	switch (key) {
	case KEY_UP: delta = -1; break;
	case KEY_DOWN: delta = 1; break;
	case KEY_PPAGE: delta = -(rows > 1 ? rows - 1 : 1); break;
	case KEY_NPAGE: delta = rows > 1 ? rows - 1 : 1; break;
	case KEY_HOME: delta = -f->choice; break;
	case KEY_END: delta = (int)f->nchoices; break;
	default: return TUI_FIELD_IGNORED;
	}
	if (!tui_field_move_choice(f, delta, rows))
		return TUI_FIELD_CONSUMED;
	return f->multi ? TUI_FIELD_CONSUMED : TUI_FIELD_CHANGED;
}

static int list_click(struct tui_field *f, int row, int col)
{
	int i = f->top + row;
	if (i < 0 || i >= (int)f->nchoices)
		return TUI_FIELD_CONSUMED;
	f->choice = i;
	if (f->multi)
		f->marked[i] = !f->marked[i];
	return TUI_FIELD_CHANGED;
}

const struct tui_field_ops tui_field_list = {
	.name = "list", .focusable = true, .wants_arrows = true, .has_label_column = true,
	.height = list_height, .draw = list_draw, .key = list_key, .click = list_click,
};
