/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/field_progress.c - a progress bar ("[#####     ]  45%") and, under
 * it, its detail ("12.0 MiB of 64.0 MiB, 8.1 MiB/s, 6 s left").
 * f->fraction < 0: the amount is not known yet. The done part is drawn
 * with '#' as well as in its colour: a plain terminal (NO_COLOR, a
 * monochrome theme, a screen read back as text) shows it too. */
#include "app.h"
#include "field.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"

static int progress_height(const struct tui_field *f, int width)
{
	return f->detail && *f->detail ? 2 : 1;
}

static void progress_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	int bar = width - 7, fill;
	char pct[16];
	if (bar < 1)
		bar = 1;
	fill = f->fraction < 0 ? 0 : (int)(f->fraction * bar + 0.5);
	if (fill > bar)
		fill = bar;
	wattrset(w, tui_attr(a, CORE_ROLE_DIALOG));
	mvwaddch(w, y, x, '[');
	wattrset(w, tui_attr(a, CORE_ROLE_DIALOG_FIELD));
	mvwhline(w, y, x + 1, ' ', bar);
	wattrset(w, tui_attr(a, CORE_ROLE_DIALOG_FIELD_FOCUS));
	if (fill)
		mvwhline(w, y, x + 1, '#', fill);
	wattrset(w, tui_attr(a, CORE_ROLE_DIALOG));
	mvwaddch(w, y, x + 1 + bar, ']');
	if (f->fraction < 0) {
		snprintf(pct, sizeof(pct), "%s", "  ...");
	} else {
		int p = (int)(f->fraction * 100 + 0.5);
		snprintf(pct, sizeof(pct), "%3d%%", p > 100 ? 100 : p);
	}
	tui_put_safe(w, y, x + bar + 2, width - bar - 2, pct, true);
	if (f->detail && *f->detail)
		tui_put_safe(w, y + 1, x, width, f->detail, false);
}

const struct tui_field_ops tui_field_progress = {
	.name = "progress", .has_label_column = true,
	.height = progress_height, .draw = progress_draw,
};
