/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/line.h - the one line editor: dialog text fields, the list filter and
 * the console's search all use it. UTF-8 text with a cursor (a byte offset
 * on a character boundary) and a horizontal scroll for drawing. Pure logic
 * (libc only): tui maps keys to these calls (tui_line_key, tui/lineedit.c).
 * A secret line (passwords) wipes every buffer it drops. */
#ifndef CORE_LINE_H
#define CORE_LINE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct core_line {
	char *buf;        /* NUL-terminated UTF-8, owned */
	size_t len, cap;
	size_t cur;       /* byte offset of the cursor */
	size_t max;       /* bytes at most, 0 = 4096 */
	size_t scroll;    /* byte offset of the first character drawn */
	bool secret;      /* wipe what is dropped */
} core_line;

void core_line_init(core_line *l, bool secret);
void core_line_free(core_line *l);                 /* wipes a secret */
void core_line_set(core_line *l, const char *s);   /* cursor at the end; control characters dropped */
const char *core_line_text(const core_line *l);    /* never NULL */
/* Insert one code point at the cursor; false (nothing changed) for a
 * control character or when full. */
bool core_line_insert(core_line *l, unsigned cp);
bool core_line_insert_str(core_line *l, const char *utf8); /* a paste; controls dropped */
enum core_line_op {
	CORE_LINE_LEFT, CORE_LINE_RIGHT, CORE_LINE_HOME, CORE_LINE_END,
	CORE_LINE_WORD_LEFT, CORE_LINE_WORD_RIGHT,
	CORE_LINE_BACKSPACE, CORE_LINE_DELETE,
	CORE_LINE_KILL_START,  /* Ctrl-U: delete to the start */
	CORE_LINE_KILL_END,    /* Ctrl-K: delete to the end */
	CORE_LINE_KILL_WORD,   /* Ctrl-W: delete the word before the cursor */
	CORE_LINE_CLEAR,
};
/* true when the text or the cursor changed. */
bool core_line_op(core_line *l, int op);
/* For drawing in width columns: adjusts l->scroll so the cursor shows;
 * returns the cursor's column from the start of what is drawn. */
int core_line_view(core_line *l, int width);

#endif
