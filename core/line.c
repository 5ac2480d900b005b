/* core/line.c - placeholder line editor (replaced by the dialogs branch). */
#include "line.h"

#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

void core_line_init(core_line *l, bool secret)
{
	memset(l, 0, sizeof(*l));
	l->secret = secret;
}

void core_line_free(core_line *l)
{
	if (l->buf && l->secret)
		memset(l->buf, 0, l->cap);
	free(l->buf);
	core_line_init(l, l->secret);
}

const char *core_line_text(const core_line *l)
{
	return l->buf ? l->buf : "";
}

static void grow(core_line *l, size_t need)
{
	char *nb;
	size_t cap = l->cap ? l->cap : 32;
	if (need + 1 <= l->cap)
		return;
	while (cap < need + 1)
		cap *= 2;
	nb = xcalloc(1, cap);
	if (l->buf) {
		memcpy(nb, l->buf, l->len + 1);
		if (l->secret)
			memset(l->buf, 0, l->cap);
		free(l->buf);
	}
	l->buf = nb;
	l->cap = cap;
}

bool core_line_insert(core_line *l, unsigned cp)
{
	char mb[4];
	size_t n;
	size_t max = l->max ? l->max : 4096;
	if (cp < 32 || cp == 127 || (cp >= 0x80 && cp < 0xa0) || cp > 0x10FFFF)
		return false;
	if (cp < 0x80) {
		mb[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		mb[0] = (char)(0xC0 | (cp >> 6));
		mb[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		mb[0] = (char)(0xE0 | (cp >> 12));
		mb[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		mb[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		mb[0] = (char)(0xF0 | (cp >> 18));
		mb[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		mb[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		mb[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (l->len + n > max)
		return false;
	grow(l, l->len + n);
	memmove(l->buf + l->cur + n, l->buf + l->cur, l->len - l->cur + 1);
	memcpy(l->buf + l->cur, mb, n);
	l->len += n;
	l->cur += n;
	return true;
}

bool core_line_insert_str(core_line *l, const char *s)
{
	bool any = false;
	for (; s && *s; s++)
		if ((unsigned char)*s >= 32 && *s != 127) {
			grow(l, l->len + 1);
			memmove(l->buf + l->cur + 1, l->buf + l->cur, l->len - l->cur + 1);
			l->buf[l->cur++] = *s;
			l->len++;
			any = true;
		}
	return any;
}

void core_line_set(core_line *l, const char *s)
{
	core_line_op(l, CORE_LINE_CLEAR);
	core_line_insert_str(l, s);
}

static size_t prev_char(const core_line *l, size_t i)
{
	while (i > 0 && ((unsigned char)l->buf[--i] & 0xC0) == 0x80)
		;
	return i;
}

static size_t next_char(const core_line *l, size_t i)
{
	if (i < l->len)
		i++;
	while (i < l->len && ((unsigned char)l->buf[i] & 0xC0) == 0x80)
		i++;
	return i;
}

static void cut(core_line *l, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(l->buf + from, l->buf + to, l->len - to + 1);
	l->len -= to - from;
	if (l->secret)
		memset(l->buf + l->len + 1, 0, to - from);
	l->cur = from;
}

bool core_line_op(core_line *l, int op)
{
	size_t c = l->cur, len = l->len;
	size_t i;
	if (!l->buf)
		grow(l, 0);
	switch (op) {
	case CORE_LINE_LEFT: l->cur = prev_char(l, l->cur); break;
	case CORE_LINE_RIGHT: l->cur = next_char(l, l->cur); break;
	case CORE_LINE_HOME: l->cur = 0; break;
	case CORE_LINE_END: l->cur = l->len; break;
	case CORE_LINE_WORD_LEFT:
		i = l->cur;
		while (i > 0 && l->buf[i - 1] == ' ')
			i--;
		while (i > 0 && l->buf[i - 1] != ' ')
			i--;
		l->cur = i;
		break;
	case CORE_LINE_WORD_RIGHT:
		i = l->cur;
		while (i < l->len && l->buf[i] == ' ')
			i++;
		while (i < l->len && l->buf[i] != ' ')
			i++;
		l->cur = i;
		break;
	case CORE_LINE_BACKSPACE: cut(l, prev_char(l, l->cur), l->cur); break;
	case CORE_LINE_DELETE: cut(l, l->cur, next_char(l, l->cur)); break;
	case CORE_LINE_KILL_START: cut(l, 0, l->cur); break;
	case CORE_LINE_KILL_END: cut(l, l->cur, l->len); l->cur = l->len; break;
	case CORE_LINE_KILL_WORD:
		i = l->cur;
		while (i > 0 && l->buf[i - 1] == ' ')
			i--;
		while (i > 0 && l->buf[i - 1] != ' ')
			i--;
		cut(l, i, l->cur);
		break;
	case CORE_LINE_CLEAR: cut(l, 0, l->len); break;
	}
	return c != l->cur || len != l->len;
}

int core_line_view(core_line *l, int width)
{
	int col = 0;
	if (width < 1)
		width = 1;
	if (l->scroll > l->cur)
		l->scroll = l->cur;
	for (;;) {
		char *part = xstrndup(l->buf ? l->buf + l->scroll : "", l->cur - l->scroll);
		col = core_str_width(part);
		free(part);
		if (col < width)
			break;
		l->scroll = next_char(l, l->scroll);
	}
	return col;
}
