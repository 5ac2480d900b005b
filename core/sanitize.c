/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/sanitize.c - see sanitize.h */
#include "sanitize.h"
#include "util.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static bool san_utf8 = true;
static locale_t san_loc;
static pthread_once_t san_once = PTHREAD_ONCE_INIT;

void core_sanitize_set_utf8(bool utf8)
{
	san_utf8 = utf8;
}

int core_utf8_decode(const char *str, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;
	int n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xc2) /* continuation byte, or overlong 2-byte lead */
		return 0;
	if (s[0] < 0xe0)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] < 0xf0)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] < 0xf5)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (int i = 1; i < n; i++) { /* stops at the NUL: not a continuation */
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

bool core_utf8_valid(const char *s)
{
	uint32_t cp;
	int n;
	for (; *s; s += n)
		if ((n = core_utf8_decode(s, &cp)) == 0)
			return false;
	return true;
}

static void san_loc_init(void)
{
	san_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Used only when the C library has no C.UTF-8 locale. */
static int san_fallback_width(uint32_t c)
{
	if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe00 && c <= 0xfe0f) || c == 0xfeff)
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

/* wcwidth() in a UTF-8 LC_CTYPE, whatever the process locale is. */
static int san_cp_width(uint32_t cp)
{
	locale_t old;
	int w;
	pthread_once(&san_once, san_loc_init);
	if (!san_loc)
		return san_fallback_width(cp);
	old = uselocale(san_loc);
	w = wcwidth((wchar_t)cp);
	uselocale(old);
	return w;
}

/* Code points never drawn as they are, even in UTF-8. */
static bool san_bad_cp(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x61c || c == 0x200e ||
	       c == 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0xfeff;
}

static const char *san_simple_esc(uint32_t cp)
{
	switch (cp) {
	case '\a': return "\\a";
	case '\b': return "\\b";
	case '\t': return "\\t";
	case '\n': return "\\n";
	case '\v': return "\\v";
	case '\f': return "\\f";
	case '\r': return "\\r";
	case 0x1b: return "\\e";
	case '\\': return "\\\\";
	}
	return NULL;
}

char *core_sanitize(const char *s)
{
	char *out, *o;

	if (!s)
		return xstrdup("");
	/* Worst case: 4 output bytes per input byte ("\xff"). */
	out = o = xmalloc(strlen(s) * 4 + 1);
	while (*s) {
		uint32_t cp;
		int n = core_utf8_decode(s, &cp);
		const char *e;

		if (n == 0) {
			o += sprintf(o, "\\x%02x", (unsigned char)*s++);
			continue;
		}
		if ((e = san_simple_esc(cp)) != NULL)
			o = stpcpy(o, e);
		else if (cp < 0x20 || cp == 0x7f)
			o += sprintf(o, "\\x%02x", (unsigned)cp);
		else if (cp < 0x80 || (san_utf8 && !san_bad_cp(cp) && san_cp_width(cp) >= 0))
			o = mempcpy(o, s, (size_t)n);
		else if (cp > 0xffff)
			o += sprintf(o, "\\U%08x", (unsigned)cp);
		else
			o += sprintf(o, "\\u%04x", (unsigned)cp);
		s += n;
	}
	*o = '\0';
	return out;
}

/* The display unit at s: returns its length in bytes, sets its columns and
 * whether it may be drawn as is (else it counts as one '?'). */
static int san_unit(const char *s, int *cols, bool *ok)
{
	uint32_t cp;
	int n = core_utf8_decode(s, &cp);

	*cols = 1;
	*ok = false;
	if (n == 0)
		return 1;
	if (cp < 0x80)
		*ok = cp >= 0x20 && cp != 0x7f;
	else if (san_utf8 && !san_bad_cp(cp) && (*cols = san_cp_width(cp)) >= 0)
		*ok = true;
	else
		*cols = 1;
	return n;
}

int core_str_width(const char *s)
{
	int w = 0, c;
	bool ok;
	if (!s)
		return 0;
	while (*s) {
		s += san_unit(s, &c, &ok);
		w += c;
	}
	return w;
}

char *core_str_fit(const char *s, int cols, bool align_right)
{
	const char *ell = san_utf8 ? "\xe2\x80\xa6" : "~";
	int total, room, used = 0, n, w;
	char *body, *b, *out;
	bool ok;

	if (cols <= 0)
		return xstrdup("");
	if (!s)
		s = "";
	total = core_str_width(s);
	room = total <= cols ? cols : cols - 1; /* keep a column for the ellipsis */
	b = body = xmalloc(strlen(s) + strlen(ell) + 1);
	for (; *s; s += n) {
		n = san_unit(s, &w, &ok);
		if (used + w > room)
			break;
		if (ok)
			b = mempcpy(b, s, (size_t)n);
		else
			*b++ = '?';
		used += w;
	}
	if (total > cols) {
		b = stpcpy(b, ell);
		used++;
	}
	*b = '\0';
	/* used <= cols here: only a zero-width or an ellipsis can follow room */
	out = xmalloc((size_t)(b - body) + (size_t)(cols - used) + 1);
	if (align_right)
		sprintf(out, "%*s%s", cols - used, "", body);
	else
		sprintf(out, "%s%*s", body, cols - used, "");
	free(body);
	return out;
}
