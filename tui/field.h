/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/field.h - what the field kinds (tui/field_*.c) and tui/dialog.c share.
 * Internal to tui/: dialog users include dialog.h only. */
#ifndef TUI_FIELD_H
#define TUI_FIELD_H

#include <stddef.h>

#include "dialog.h"

/* safe text wrapped to width columns (at spaces when it can; each \n
 * breaks): a vector of *n lines, freed with tui_wrap_free. */
char **tui_wrap(const char *text, int width, size_t *n);
void tui_wrap_free(char **lines, size_t n);

/* The value attribute of a field: focused or not; disabled dims. */
attr_t tui_field_attr(struct tui_app *a, const struct tui_field *f, bool focus);
/* The label at (y, x), at most width columns, its accelerator underlined;
 * suffix (":" for the label column, NULL none) drawn after it. */
void tui_field_draw_label(WINDOW *w, int y, int x, int width, const struct tui_field *f, const char *suffix);

/* Kinds whose value is f->line (text, password, size, path). */
bool tui_field_is_line(const struct tui_field *f);
/* The size kind: parse f->line into f->bytes, or set f->error. */
void tui_field_size_update(struct tui_field *f);
/* Move a list's or radio group's current item by delta (clamped), keeping
 * it among the rows shown; returns whether it moved. */
bool tui_field_move_choice(struct tui_field *f, int delta, int rows);

#endif
