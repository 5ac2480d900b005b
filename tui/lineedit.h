/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/lineedit.h - curses keys for the one line editor (core/line.h): dialog
 * text fields, the list filter and the console's search. */
#ifndef TUI_LINEEDIT_H
#define TUI_LINEEDIT_H

#include <stdbool.h>

#include "../core/line.h"

enum tui_line_res {
	TUI_LINE_IGNORED = 0,  /* not a line-editing key: hand it on */
	TUI_LINE_CONSUMED,     /* a line-editing key; the text did not change */
	TUI_LINE_CHANGED,      /* the text changed */
};

/* Printable characters insert; Left/Right, Home/End, Ctrl-A/E (start/end),
 * Ctrl-U/K (delete to the start/end), Ctrl-W (the word before), Backspace
 * (KEY_BACKSPACE, 127, 8), Delete. Any other control character is refused
 * (never inserted) and IGNORED, as are Tab, Enter, Escape and Alt+keys.
 * Returns enum tui_line_res. */
int tui_line_key(core_line *l, int key, bool is_char);

#endif
