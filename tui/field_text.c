/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/field_text.c - the one-line kinds, all on the line editor
 * (core/line.h, tui/lineedit.h): text, password (never shown, wiped), size
 * (a number and a unit, parsed as typed) and path (Tab completes on the
 * local disk). */
#include "app.h"
#include "field.h"
#include "lineedit.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

#include "../core/sanitize.h"
#include "../core/storage.h"
#include "../core/util.h"

/* What shows of the line in width columns from its scroll: the text, or
 * (mask: a password) a '*' for each column. */
static char *visible(core_line *l, int width, bool mask)
{
	const char *s = core_line_text(l) + l->scroll;
	char *out = xmalloc(2 * strlen(s) + (size_t)width + 1), *o = out;
	int cols = 0;
	while (*s && cols < width) {
		uint32_t cp;
		int n = core_utf8_decode(s, &cp), w;
		if (n <= 0)
			n = 1;
		w = wcwidth((wchar_t)cp);
		if (w < 0)
			w = 1;
		if (cols + w > width)
			break;
		if (mask) {
			memset(o, '*', (size_t)w);
			o += w;
		} else {
			memcpy(o, s, (size_t)n);
			o += n;
		}
		cols += w;
		s += n;
	}
	*o = '\0';
	return out;
}

static void line_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	core_line *l = (core_line *)&f->line; /* the view's scroll follows the cursor */
	char *vis;
	core_line_view(l, width);
	vis = visible(l, width, f->ops == &tui_field_password);
	wattrset(w, tui_field_attr(a, f, focus));
	tui_put_safe(w, y, x, width, vis, false);
	if (l->secret)
		explicit_bzero(vis, strlen(vis));
	free(vis);
}

static int line_cursor(const struct tui_field *f, int width)
{
	return core_line_view((core_line *)&f->line, width);
}

static int line_key(struct tui_field *f, int key, bool is_char)
{
	switch (tui_line_key(&f->line, key, is_char)) {
	case TUI_LINE_CHANGED: return TUI_FIELD_CHANGED;
	case TUI_LINE_CONSUMED: return TUI_FIELD_CONSUMED;
	default: return TUI_FIELD_IGNORED;
	}
}

const struct tui_field_ops tui_field_text = {
	.name = "text", .focusable = true, .has_label_column = true,
	.draw = line_draw, .cursor = line_cursor, .key = line_key,
};

const struct tui_field_ops tui_field_password = {
	.name = "password", .focusable = true, .has_label_column = true,
	.draw = line_draw, .cursor = line_cursor, .key = line_key,
};

/* ---- size ---------------------------------------------------------------------- */

void tui_field_size_update(struct tui_field *f)
{
	char *err = NULL, *prefix;
	uint64_t b = 0;
	const char *v = core_line_text(&f->line);
	if (core_size_parse(v, &b, &err) == 0) {
		f->bytes = b;
		xfree(&f->error);
		return;
	}
	/* the value shows beside its error: not again in it */
	prefix = xasprintf("\"%s\": ", v);
	if (strncmp(err, prefix, strlen(prefix)) == 0)
		memmove(err, err + strlen(prefix), strlen(err + strlen(prefix)) + 1);
	free(prefix);
	f->bytes = 0;
	free(f->error);
	f->error = err;
}

static int size_key(struct tui_field *f, int key, bool is_char)
{
	int r = line_key(f, key, is_char);
	if (r == TUI_FIELD_CHANGED)
		tui_field_size_update(f);
	return r;
}

const struct tui_field_ops tui_field_size = {
	.name = "size", .focusable = true, .has_label_column = true,
	.draw = line_draw, .cursor = line_cursor, .key = size_key,
};

/* ---- path ---------------------------------------------------------------------- */

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The folder to read for a typed folder part ("" is ".", "~/" is $HOME/). */
static char *path_dir(const char *typed)
{
	const char *home = getenv("HOME");
	if (!*typed)
		return xstrdup(".");
	if (typed[0] == '~' && typed[1] == '/' && home)
		return xasprintf("%s%s", home, typed + 1);
	return xstrdup(typed);
}

/* "name1  name2 ..." of what matched (sanitized, at most 12 names). */
static char *path_hint(char **names, size_t n)
{
	size_t len = 0;
	char *hint;
	for (size_t i = 0; i < n && i < 12; i++)
		len += strlen(names[i]) * 4 + 2;
	hint = xcalloc(1, len + 8);
	for (size_t i = 0; i < n && i < 12; i++) {
		char *safe = core_sanitize(names[i]);
		if (i)
			strcat(hint, "  ");
		strcat(hint, safe);
		free(safe);
	}
	if (n > 12)
		strcat(hint, " ...");
	return hint;
}

/* Tab at the end of the path: the longest common start of the names that
 * match the last part (a folder gets '/'). When nothing more is common,
 * the first Tab shows the names beside the field and a second one moves
 * on (IGNORED). */
static int path_complete(struct tui_field *f)
{
	const char *text = core_line_text(&f->line), *slash, *base;
	char *typed, *dir, **names = NULL, *done, *hint;
	size_t n = 0, cap = 0, common, blen;
	struct dirent *de;
	DIR *dp;
	int r = TUI_FIELD_IGNORED;

	if (f->line.cur != f->line.len)
		return TUI_FIELD_IGNORED;
	slash = strrchr(text, '/');
	typed = slash ? xstrndup(text, (size_t)(slash - text) + 1) : xstrdup("");
	base = slash ? slash + 1 : text;
	blen = strlen(base);
	dir = path_dir(typed);
	dp = opendir(dir);
	while (dp && (de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(de->d_name, base, blen) != 0)
			continue;
		xgrow(&names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (dp)
		closedir(dp);
	if (!n)
		goto out;
	qsort(names, n, sizeof(*names), cmp_str);
	common = strlen(names[0]);
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;
		while (k < common && names[i][k] == names[0][k])
			k++;
		common = k;
	}
	while (common > blen && ((unsigned char)names[0][common] & 0xc0) == 0x80)
		common--; /* never half a character */
	if (n == 1) {
		char *full = xasprintf("%s/%s", dir, names[0]);
		struct stat st;
		bool is_dir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
		free(full);
		done = xasprintf("%s%s%s", typed, names[0], is_dir ? "/" : "");
	} else {
		done = xasprintf("%s%.*s", typed, (int)common, names[0]);
	}
	if (strlen(done) > strlen(text)) {
		core_line_set(&f->line, done);
		xfree(&f->detail);
		r = TUI_FIELD_CHANGED;
	} else if (n > 1) {
		hint = path_hint(names, n);
		if (!core_str_eq(hint, f->detail)) {
			free(f->detail);
			f->detail = hint;
			hint = NULL;
			r = TUI_FIELD_CONSUMED;
		}
		free(hint);
	}
	free(done);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	free(typed);
	return r;
}

static int path_key(struct tui_field *f, int key, bool is_char)
{
	int r;
	if (is_char && key == '\t')
		return path_complete(f);
	r = line_key(f, key, is_char);
	if (r == TUI_FIELD_CHANGED)
		xfree(&f->detail);
	return r;
}

const struct tui_field_ops tui_field_path = {
	.name = "path", .focusable = true, .has_label_column = true,
	.draw = line_draw, .cursor = line_cursor, .key = path_key,
};
