/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/field_label.c - text among the fields (its value, else its label),
 * wrapped; a disabled one is dimmed. */
#include "app.h"
#include "field.h"

static const char *label_text(const struct tui_field *f)
{
	return f->text && *f->text ? f->text : f->label;
}

static int label_height(const struct tui_field *f, int width)
{
	size_t n = 0;
	char **l = tui_wrap(label_text(f), width, &n);
	tui_wrap_free(l, n);
	return (int)n;
}

static void label_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	size_t n = 0;
	char **l = tui_wrap(label_text(f), width, &n);
	wattrset(w, tui_attr(a, CORE_ROLE_DIALOG) | (f->disabled ? A_DIM : 0));
	for (size_t i = 0; i < n; i++)
		tui_put_safe(w, y + (int)i, x, width, l[i], false);
	tui_wrap_free(l, n);
}

const struct tui_field_ops tui_field_label = {
	.name = "label",
	.height = label_height, .draw = label_draw,
};
