/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/field_choice.c - one of several: a choice ("< item >", Left/Right or
 * Space step through) and a radio group ("(*) item" a row each, Up/Down). */
#include "app.h"
#include "field.h"

#include <stdlib.h>

#include "../core/util.h"

static int step(struct tui_field *f, int delta)
{
	if (!f->nchoices)
		return TUI_FIELD_IGNORED;
	f->choice = (f->choice + (int)f->nchoices + delta) % (int)f->nchoices;
	return TUI_FIELD_CHANGED;
}

static void choice_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	char *v = xasprintf("< %s >", f->nchoices ? f->choices[f->choice] : "");
	wattrset(w, tui_field_attr(a, f, focus));
	tui_put_safe(w, y, x, width, v, false);
	free(v);
}

static int choice_cursor(const struct tui_field *f, int width)
{
	return 0;
}

static int choice_key(struct tui_field *f, int key, bool is_char)
{
	if ((!is_char && key == KEY_RIGHT) || (is_char && key == ' '))
		return step(f, 1);
	if (!is_char && key == KEY_LEFT)
		return step(f, -1);
	return TUI_FIELD_IGNORED;
}

/* a click on the left third steps back, elsewhere forward */
static int choice_click(struct tui_field *f, int row, int col)
{
	return step(f, col < 2 ? -1 : 1);
}

const struct tui_field_ops tui_field_choice = {
	.name = "choice", .focusable = true, .has_label_column = true,
	.draw = choice_draw, .cursor = choice_cursor, .key = choice_key, .click = choice_click,
};

/* ---- radio group ---------------------------------------------------------------- */

bool tui_field_move_choice(struct tui_field *f, int delta, int rows)
{
	int old = f->choice, n = (int)f->nchoices;
	if (!n)
		return false;
	f->choice += delta;
	if (f->choice >= n)
		f->choice = n - 1;
	if (f->choice < 0)
		f->choice = 0;
	if (rows < 1)
		rows = 1;
	if (f->choice < f->top)
		f->top = f->choice;
	if (f->choice >= f->top + rows)
		f->top = f->choice - rows + 1;
	return f->choice != old;
}

static int radio_height(const struct tui_field *f, int width)
{
	return f->nchoices ? (int)f->nchoices : 1;
}

static void radio_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	for (size_t i = 0; i < f->nchoices; i++) {
		char *v = xasprintf("(%c) %s", (int)i == f->choice ? '*' : ' ', f->choices[i]);
		wattrset(w, (int)i == f->choice ? tui_field_attr(a, f, focus) : tui_attr(a, CORE_ROLE_DIALOG));
		tui_put_safe(w, y + (int)i, x, width, v, false);
		free(v);
	}
}

/* Up and Down past the ends move the focus on (IGNORED) */
static int radio_key(struct tui_field *f, int key, bool is_char)
{
	if (!is_char && (key == KEY_UP || key == KEY_DOWN))
		return tui_field_move_choice(f, key == KEY_UP ? -1 : 1, (int)f->nchoices) ? TUI_FIELD_CHANGED
											 : TUI_FIELD_IGNORED;
	if (!is_char && (key == KEY_HOME || key == KEY_END))
		return tui_field_move_choice(f, key == KEY_HOME ? -f->choice : (int)f->nchoices, (int)f->nchoices)
			       ? TUI_FIELD_CHANGED
			       : TUI_FIELD_CONSUMED;
	return is_char && key == ' ' ? TUI_FIELD_CONSUMED : TUI_FIELD_IGNORED;
}

static int radio_click(struct tui_field *f, int row, int col)
{
	return tui_field_move_choice(f, row - f->choice, (int)f->nchoices) ? TUI_FIELD_CHANGED : TUI_FIELD_CONSUMED;
}

const struct tui_field_ops tui_field_radio = {
	.name = "radio", .focusable = true, .wants_arrows = true, .has_label_column = true,
	.height = radio_height, .draw = radio_draw, .key = radio_key, .click = radio_click,
};
