/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/line.c - the one line editor (see line.h). */
#include "line.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "sanitize.h"
#include "util.h"

static size_t line_max(const core_line *l)
{
	return l->max ? l->max : 4096;
}

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
}

/* Room for need bytes plus the NUL. A secret never goes through realloc
 * (it would leave the old block behind unwiped): new block, copy, wipe the
 * old one, free it. */
static void reserve(core_line *l, size_t need)
{
	size_t cap;
	char *nb;
	if (l->buf && need + 1 <= l->cap)
		return;
	cap = l->cap ? l->cap : 32;
	while (cap < need + 1)
		cap *= 2;
	if (!l->secret) {
		l->buf = xrealloc(l->buf, cap);
		if (!l->cap)
			l->buf[0] = '\0';
	} else {
		nb = xmalloc(cap);
		if (l->buf) {
			memcpy(nb, l->buf, l->len + 1);
			wipe(l->buf, l->cap);
			free(l->buf);
		} else {
			nb[0] = '\0';
		}
		l->buf = nb;
	}
	l->cap = cap;
}

void core_line_init(core_line *l, bool secret)
{
	memset(l, 0, sizeof(*l));
	l->secret = secret;
}

void core_line_free(core_line *l)
{
	bool secret = l->secret;
	size_t max = l->max;
	if (l->buf && l->secret)
		wipe(l->buf, l->cap);
	free(l->buf);
	memset(l, 0, sizeof(*l));
	l->secret = secret;
	l->max = max;
}

const char *core_line_text(const core_line *l)
{
	return l->buf ? l->buf : "";
}

/* Remove bytes [from, to); the cursor moves with the text. */
static void drop(core_line *l, size_t from, size_t to)
{
	size_t n = to - from;
	if (!n)
		return;
	memmove(l->buf + from, l->buf + to, l->len - to + 1);
	l->len -= n;
	if (l->secret)
		wipe(l->buf + l->len + 1, n); /* the tail moved down: its old bytes */
	if (l->cur >= to)
		l->cur -= n;
	else if (l->cur > from)
		l->cur = from;
	if (l->scroll > l->cur)
		l->scroll = l->cur;
}

static bool is_control(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

static int encode(unsigned cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			return 0; /* a surrogate is no character */
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp <= 0x10ffff) {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		return 4;
	}
	return 0;
}

bool core_line_insert(core_line *l, unsigned cp)
{
	char u[4];
	int n;
	if (is_control(cp))
		return false;
	n = encode(cp, u);
	if (!n || l->len + (size_t)n > line_max(l))
		return false;
	reserve(l, l->len + (size_t)n);
	memmove(l->buf + l->cur + n, l->buf + l->cur, l->len - l->cur + 1);
	memcpy(l->buf + l->cur, u, (size_t)n);
	if (l->secret)
		wipe(u, sizeof(u));
	l->len += (size_t)n;
	l->cur += (size_t)n;
	return true;
}

bool core_line_insert_str(core_line *l, const char *s)
{
	bool any = false;
	while (s && *s) {
		uint32_t cp;
		int n = core_utf8_decode(s, &cp);
		if (n <= 0) { /* an invalid byte: dropped */
			s++;
			continue;
		}
		any |= core_line_insert(l, cp);
		s += n;
	}
	return any;
}

void core_line_set(core_line *l, const char *s)
{
	reserve(l, 0);
	if (l->secret)
		wipe(l->buf, l->len);
	l->len = l->cur = l->scroll = 0;
	l->buf[0] = '\0';
	core_line_insert_str(l, s);
}

/* ---- moving --------------------------------------------------------------- */

static size_t prev_char(const core_line *l, size_t at)
{
	if (!at)
		return 0;
	at--;
	while (at && ((unsigned char)l->buf[at] & 0xc0) == 0x80)
		at--;
	return at;
}

static size_t next_char(const core_line *l, size_t at)
{
	if (at >= l->len)
		return l->len;
	at++;
	while (at < l->len && ((unsigned char)l->buf[at] & 0xc0) == 0x80)
		at++;
	return at;
}

static bool is_space(const core_line *l, size_t at)
{
	return l->buf[at] == ' ';
}

/* The start of the word before at (spaces before it skipped). */
static size_t word_start(const core_line *l, size_t at)
{
	while (at && is_space(l, prev_char(l, at)))
		at = prev_char(l, at);
	while (at && !is_space(l, prev_char(l, at)))
		at = prev_char(l, at);
	return at;
}

static size_t word_end(const core_line *l, size_t at)
{
	while (at < l->len && is_space(l, at))
		at = next_char(l, at);
	while (at < l->len && !is_space(l, at))
		at = next_char(l, at);
	return at;
}

bool core_line_op(core_line *l, int op)
{
	size_t cur = l->cur, len = l->len;
	if (!l->buf)
		reserve(l, 0);
	switch (op) {
	case CORE_LINE_LEFT: l->cur = prev_char(l, l->cur); break;
	case CORE_LINE_RIGHT: l->cur = next_char(l, l->cur); break;
	case CORE_LINE_HOME: l->cur = 0; break;
	case CORE_LINE_END: l->cur = l->len; break;
	case CORE_LINE_WORD_LEFT: l->cur = word_start(l, l->cur); break;
	case CORE_LINE_WORD_RIGHT: l->cur = word_end(l, l->cur); break;
	case CORE_LINE_BACKSPACE: drop(l, prev_char(l, l->cur), l->cur); break;
	case CORE_LINE_DELETE: drop(l, l->cur, next_char(l, l->cur)); break;
	case CORE_LINE_KILL_START: drop(l, 0, l->cur); break;
	case CORE_LINE_KILL_END: drop(l, l->cur, l->len); break;
	case CORE_LINE_KILL_WORD: drop(l, word_start(l, l->cur), l->cur); break;
	case CORE_LINE_CLEAR: drop(l, 0, l->len); break;
	default: return false;
	}
	return l->cur != cur || l->len != len;
}

/* ---- drawing --------------------------------------------------------------- */

/* Columns of the character at byte at (an unprintable one counts 1); its
 * byte length in *n. */
static int char_cols(const core_line *l, size_t at, size_t *n)
{
	uint32_t cp;
	int len = core_utf8_decode(l->buf + at, &cp), w;
	*n = len > 0 ? (size_t)len : 1;
	if (len <= 0)
		return 1;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

static int cols_between(const core_line *l, size_t from, size_t to)
{
	int cols = 0;
	size_t n;
	while (from < to) {
		cols += char_cols(l, from, &n);
		from += n;
	}
	return cols;
}

int core_line_view(core_line *l, int width)
{
	if (!l->buf || width < 1) {
		l->scroll = 0;
		return 0;
	}
	if (l->scroll > l->cur)
		l->scroll = l->cur;
	if (cols_between(l, 0, l->cur) < width)
		l->scroll = 0;
	while (l->scroll < l->cur && cols_between(l, l->scroll, l->cur) >= width)
		l->scroll = next_char(l, l->scroll);
	return cols_between(l, l->scroll, l->cur);
}
