/* tui/lineedit.c - curses keys to the line editor (see lineedit.h). */
#include "lineedit.h"

#include <curses.h>

#define CTRL(c) ((c) & 0x1f)

int tui_line_key(core_line *l, int key, bool is_char)
{
	const char *before = core_line_text(l);
	size_t len = l->len;
	int op = -1;
	(void)before;
	if (is_char) {
		switch (key) {
		case CTRL('a'): op = CORE_LINE_HOME; break;
		case CTRL('e'): op = CORE_LINE_END; break;
		case CTRL('b'): op = CORE_LINE_LEFT; break;
		case CTRL('f'): op = CORE_LINE_RIGHT; break;
		case CTRL('u'): op = CORE_LINE_KILL_START; break;
		case CTRL('k'): op = CORE_LINE_KILL_END; break;
		case CTRL('w'): op = CORE_LINE_KILL_WORD; break;
		case CTRL('h'):
		case 127: op = CORE_LINE_BACKSPACE; break;
		default:
			if (key < 32 || key == 127)
				return TUI_LINE_IGNORED;
			return core_line_insert(l, (unsigned)key) ? TUI_LINE_CHANGED : TUI_LINE_CONSUMED;
		}
	} else {
		switch (key) {
		case KEY_LEFT: op = CORE_LINE_LEFT; break;
		case KEY_RIGHT: op = CORE_LINE_RIGHT; break;
		case KEY_HOME: op = CORE_LINE_HOME; break;
		case KEY_END: op = CORE_LINE_END; break;
		case KEY_BACKSPACE: op = CORE_LINE_BACKSPACE; break;
		case KEY_DC: op = CORE_LINE_DELETE; break;
		case 0x222: op = CORE_LINE_WORD_LEFT; break;  /* kLFT5, Ctrl-Left in xterm */
		case 0x231: op = CORE_LINE_WORD_RIGHT; break; /* kRIT5 */
		default: return TUI_LINE_IGNORED;
		}
	}
	core_line_op(l, op);
	return l->len != len ? TUI_LINE_CHANGED : TUI_LINE_CONSUMED;
}
