/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/lineedit.c - curses keys for the line editor (see lineedit.h). */
#include "lineedit.h"

#include <curses.h>

#include "mode.h"

#define CTRL(c) ((c) & 0x1f)

static int line_op(core_line *l, int op)
{
	size_t len = l->len;
	core_line_op(l, op);
	return l->len != len ? TUI_LINE_CHANGED : TUI_LINE_CONSUMED;
}

int tui_line_key(core_line *l, int key, bool is_char)
{
	if (TUI_KEY_IS_ALT(key))
		return TUI_LINE_IGNORED;
	if (is_char) {
		switch (key) {
		case CTRL('A'): return line_op(l, CORE_LINE_HOME);
		case CTRL('E'): return line_op(l, CORE_LINE_END);
		case CTRL('U'): return line_op(l, CORE_LINE_KILL_START);
		case CTRL('K'): return line_op(l, CORE_LINE_KILL_END);
		case CTRL('W'): return line_op(l, CORE_LINE_KILL_WORD);
		case CTRL('H'):
		case 127: return line_op(l, CORE_LINE_BACKSPACE);
		default: break;
		}
		if (key < 0x20 || (key >= 0x7f && key < 0xa0))
			return TUI_LINE_IGNORED; /* never inserted */
		return core_line_insert(l, (unsigned)key) ? TUI_LINE_CHANGED : TUI_LINE_CONSUMED;
	}
	switch (key) {
	case KEY_LEFT: return line_op(l, CORE_LINE_LEFT);
	case KEY_RIGHT: return line_op(l, CORE_LINE_RIGHT);
	case KEY_HOME: return line_op(l, CORE_LINE_HOME);
	case KEY_END: return line_op(l, CORE_LINE_END);
	case KEY_SLEFT: return line_op(l, CORE_LINE_WORD_LEFT);
	case KEY_SRIGHT: return line_op(l, CORE_LINE_WORD_RIGHT);
	case KEY_BACKSPACE: return line_op(l, CORE_LINE_BACKSPACE);
	case KEY_DC: return line_op(l, CORE_LINE_DELETE);
	default: return TUI_LINE_IGNORED;
	}
}
