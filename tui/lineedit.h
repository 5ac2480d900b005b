/* tui/lineedit.h - curses keys to the line editor (core/line.h). */
#ifndef TUI_LINEEDIT_H
#define TUI_LINEEDIT_H

#include <stdbool.h>

#include "../core/line.h"

enum { TUI_LINE_IGNORED = 0, TUI_LINE_CONSUMED, TUI_LINE_CHANGED };

/* Printable characters insert; Left/Right/Home/End, Ctrl-A/E/B/F move;
 * Backspace, Delete, Ctrl-U/K/W delete. Control characters are never
 * inserted. Returns TUI_LINE_*. */
int tui_line_key(core_line *l, int key, bool is_char);

#endif
