/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/theme.c - see theme.h */
#include "theme.h"
#include "conf.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const role_names[CORE_ROLE__COUNT] = {
	"normal", "menubar", "menu", "menu.selected", "menu.disabled", "menu.key",
	"tree", "tree.selected", "title", "title.focus", "border", "header", "row",
	"row.selected", "row.selected.unfocused", "state.running", "state.paused",
	"state.shutoff", "state.crashed", "state.other", "action", "action.key",
	"action.disabled", "action.selected", "status", "status.error", "status.ok",
	"dialog", "dialog.title", "dialog.field", "dialog.field.focus", "button",
	"button.focus", "error", "busy", "disconnected", "graph",
};

enum { THEME_KEY_NAME, THEME_KEY_MONO };
static const char *const theme_keys[] = { [THEME_KEY_NAME] = "name", [THEME_KEY_MONO] = "mono", NULL };

const char *const *core_theme_keys(void)
{
	return theme_keys;
}

static const char *const colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const char *const attr_names[] = { /* bit i = 1 << i */
	"bold", "dim", "underline", "reverse", "italic", "blink", "standout",
};

enum { DEF = -1, BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE };
#define B CORE_ATTR_BOLD
#define D CORE_ATTR_DIM
#define U CORE_ATTR_UNDERLINE
#define R CORE_ATTR_REVERSE

/* Keep in step with themes/default.theme (a unit test compares them). */
static const struct core_style theme_default[CORE_ROLE__COUNT] = {
	[CORE_ROLE_NORMAL] = { DEF, DEF, 0 },
	[CORE_ROLE_MENUBAR] = { WHITE, BLUE, 0 },
	[CORE_ROLE_MENU] = { BLACK, WHITE, 0 },
	[CORE_ROLE_MENU_SEL] = { BLACK, CYAN, 0 },
	[CORE_ROLE_MENU_DISABLED] = { BLACK, WHITE, D },
	[CORE_ROLE_MENU_KEY] = { RED, WHITE, B },
	[CORE_ROLE_TREE] = { DEF, DEF, 0 },
	[CORE_ROLE_TREE_SEL] = { BLACK, CYAN, 0 },
	[CORE_ROLE_TITLE] = { BLACK, WHITE, 0 },
	[CORE_ROLE_TITLE_FOCUS] = { WHITE, BLUE, B },
	[CORE_ROLE_BORDER] = { BLUE, DEF, 0 },
	[CORE_ROLE_HEADER] = { BLUE, DEF, B },
	[CORE_ROLE_ROW] = { DEF, DEF, 0 },
	[CORE_ROLE_ROW_SEL] = { BLACK, CYAN, 0 },
	[CORE_ROLE_ROW_SEL_UNFOCUSED] = { BLACK, WHITE, 0 },
	[CORE_ROLE_STATE_RUNNING] = { GREEN, DEF, B },
	[CORE_ROLE_STATE_PAUSED] = { YELLOW, DEF, B },
	[CORE_ROLE_STATE_SHUTOFF] = { DEF, DEF, D },
	[CORE_ROLE_STATE_CRASHED] = { RED, DEF, B },
	[CORE_ROLE_STATE_OTHER] = { MAGENTA, DEF, 0 },
	[CORE_ROLE_ACTION] = { DEF, DEF, 0 },
	[CORE_ROLE_ACTION_KEY] = { CYAN, DEF, B },
	[CORE_ROLE_ACTION_DISABLED] = { DEF, DEF, D },
	[CORE_ROLE_ACTION_SEL] = { BLACK, CYAN, 0 },
	[CORE_ROLE_STATUS] = { WHITE, BLUE, 0 },
	[CORE_ROLE_STATUS_ERROR] = { WHITE, RED, B },
	[CORE_ROLE_STATUS_OK] = { BLACK, GREEN, 0 },
	[CORE_ROLE_DIALOG] = { BLACK, WHITE, 0 },
	[CORE_ROLE_DIALOG_TITLE] = { WHITE, BLUE, B },
	[CORE_ROLE_DIALOG_FIELD] = { WHITE, BLACK, 0 },
	[CORE_ROLE_DIALOG_FIELD_FOCUS] = { BLACK, CYAN, 0 },
	[CORE_ROLE_BUTTON] = { WHITE, BLUE, 0 },
	[CORE_ROLE_BUTTON_FOCUS] = { BLACK, CYAN, B },
	[CORE_ROLE_ERROR] = { RED, DEF, B },
	[CORE_ROLE_BUSY] = { YELLOW, DEF, 0 },
	[CORE_ROLE_DISCONNECTED] = { DEF, DEF, D },
	[CORE_ROLE_GRAPH] = { GREEN, DEF, 0 },
};

/* Keep in step with themes/mono.theme. Colours all DEF. */
static const unsigned theme_mono_attrs[CORE_ROLE__COUNT] = {
	[CORE_ROLE_MENUBAR] = R,
	[CORE_ROLE_MENU] = R,
	[CORE_ROLE_MENU_SEL] = B,
	[CORE_ROLE_MENU_DISABLED] = R | D,
	[CORE_ROLE_MENU_KEY] = R | B | U,
	[CORE_ROLE_TREE_SEL] = R,
	[CORE_ROLE_TITLE] = B,
	[CORE_ROLE_TITLE_FOCUS] = R | B,
	[CORE_ROLE_HEADER] = B | U,
	[CORE_ROLE_ROW_SEL] = R,
	[CORE_ROLE_ROW_SEL_UNFOCUSED] = U,
	[CORE_ROLE_STATE_RUNNING] = B,
	[CORE_ROLE_STATE_PAUSED] = U,
	[CORE_ROLE_STATE_SHUTOFF] = D,
	[CORE_ROLE_STATE_CRASHED] = B | U,
	[CORE_ROLE_ACTION_KEY] = B | U,
	[CORE_ROLE_ACTION_DISABLED] = D,
	[CORE_ROLE_ACTION_SEL] = R,
	[CORE_ROLE_STATUS] = R,
	[CORE_ROLE_STATUS_ERROR] = R | B,
	[CORE_ROLE_STATUS_OK] = R,
	[CORE_ROLE_DIALOG_TITLE] = B,
	[CORE_ROLE_DIALOG_FIELD] = U,
	[CORE_ROLE_DIALOG_FIELD_FOCUS] = R,
	[CORE_ROLE_BUTTON_FOCUS] = R | B,
	[CORE_ROLE_ERROR] = B,
	[CORE_ROLE_BUSY] = B,
	[CORE_ROLE_DISCONNECTED] = D,
	[CORE_ROLE_GRAPH] = B,
};

const char *core_role_name(int role)
{
	if (role < 0 || role >= CORE_ROLE__COUNT)
		return NULL;
	return role_names[role];
}

int core_role_from_name(const char *name)
{
	for (int i = 0; name && i < CORE_ROLE__COUNT; i++)
		if (strcmp(role_names[i], name) == 0)
			return i;
	return -1;
}

void core_theme_builtin(struct core_theme *t)
{
	t->name = xstrdup("default");
	memcpy(t->role, theme_default, sizeof(t->role));
	t->mono = false;
}

void core_theme_mono(struct core_theme *t)
{
	t->name = xstrdup("mono");
	for (int i = 0; i < CORE_ROLE__COUNT; i++)
		t->role[i] = (struct core_style){ DEF, DEF, theme_mono_attrs[i] };
	t->mono = true;
}

void core_theme_free(struct core_theme *t)
{
	xfree(&t->name);
}

/* 0 and *c, -1 unknown, -2 number out of range. */
static int theme_colour(const char *s, short *c)
{
	bool bright = strncmp(s, "bright-", 7) == 0;
	if (strcmp(s, "-") == 0 || strcmp(s, "default") == 0) {
		*c = -1;
		return 0;
	}
	if (*s >= '0' && *s <= '9' && strspn(s, "0123456789") == strlen(s)) {
		if (strlen(s) > 3 || atoi(s) > 255)
			return -2;
		*c = (short)atoi(s);
		return 0;
	}
	for (size_t i = 0; i < CORE_ARRAY_LEN(colour_names); i++)
		if (strcmp(s + (bright ? 7 : 0), colour_names[i]) == 0) {
			*c = (short)(i + (bright ? 8 : 0));
			return 0;
		}
	return -1;
}

static int theme_attr(const char *s)
{
	for (size_t i = 0; i < CORE_ARRAY_LEN(attr_names); i++)
		if (strcmp(s, attr_names[i]) == 0)
			return 1 << i;
	return 0;
}

/* "FG [BG] [ATTR...]" into *st. */
static int theme_style(const struct core_lines *lr, const char *role, char *v,
		       struct core_style *st, char **err)
{
	char *save = NULL, *tok = strtok_r(v, " \t", &save);
	int r, a;

	if (!tok)
		return core_lines_err(lr, err, "no colour for '%s'", role);
	*st = (struct core_style){ DEF, DEF, 0 };
	if ((r = theme_colour(tok, &st->fg)) < 0)
		goto bad_colour;
	for (int n = 1; (tok = strtok_r(NULL, " \t", &save)) != NULL; n++) {
		if ((a = theme_attr(tok)) != 0) {
			st->attrs |= (unsigned)a;
			continue;
		}
		if (n > 1 || st->attrs)
			return core_lines_err(lr, err, "unknown attribute '%s'", tok);
		if ((r = theme_colour(tok, &st->bg)) == -1)
			return core_lines_err(lr, err, "unknown colour or attribute '%s'", tok);
		if (r < 0)
			goto bad_colour;
	}
	return 0;
bad_colour:
	if (r == -2)
		return core_lines_err(lr, err, "colour number out of range '%s' (0-255)", tok);
	return core_lines_err(lr, err, "unknown colour '%s'", tok);
}

static int theme_parse(struct core_lines *lr, struct core_theme *t, char **err)
{
	bool seen[CORE_ROLE__COUNT] = { false };
	char *line;
	int r;

	while ((r = core_lines_next(lr, &line, err)) > 0) {
		char *eq, *key, *val, *hash = strchr(line, '#');
		int role;

		if (hash)
			*hash = '\0';
		if (!*core_str_trim(line))
			continue;
		if (!(eq = strchr(line, '=')))
			return core_lines_err(lr, err, "missing '=' (want 'ROLE = FG [BG] [ATTR...]')");
		*eq = '\0';
		key = core_str_trim(line);
		val = core_str_trim(eq + 1);
		if (strcmp(key, theme_keys[THEME_KEY_NAME]) == 0) {
			if (!*val)
				return core_lines_err(lr, err, "empty name");
			core_str_set(&t->name, val);
		} else if (strcmp(key, theme_keys[THEME_KEY_MONO]) == 0) {
			if (strcmp(val, "yes") && strcmp(val, "no"))
				return core_lines_err(lr, err, "mono must be yes or no, not '%s'", val);
			t->mono = val[0] == 'y';
		} else if ((role = core_role_from_name(key)) < 0) {
			return core_lines_err(lr, err, "unknown role '%s'", key);
		} else if (seen[role]) {
			return core_lines_err(lr, err, "duplicate role '%s'", key);
		} else {
			seen[role] = true;
			if (theme_style(lr, key, val, &t->role[role], err) < 0)
				return -1;
		}
	}
	return r;
}

int core_theme_load(const char *path, struct core_theme *t, char **err)
{
	struct core_lines lr;
	const char *base = strrchr(path, '/');
	size_t n;
	int r;

	core_theme_builtin(t);
	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 6 && strcmp(base + n - 6, ".theme") == 0)
		n -= 6;
	free(t->name);
	t->name = xstrndup(base, n);
	r = core_lines_open(&lr, path, CORE_THEME_MAX_LINE, err);
	if (r > 0) {
		r = theme_parse(&lr, t, err);
		core_lines_close(&lr);
	} else if (r == 0) {
		*err = xasprintf("%s: %s", path, strerror(ENOENT));
		r = -1;
	}
	if (r < 0) {
		core_theme_free(t);
		core_theme_builtin(t);
	}
	return r;
}

int core_theme_find(const char *name, const char *const *dirs, size_t ndirs, char **path)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	*path = NULL;
	if (!name || !*name || name[0] == '.' || strspn(name, ok) != strlen(name))
		return -1;
	for (size_t i = 0; i < ndirs; i++) {
		struct stat st;
		char *p = xasprintf("%s/%s.theme", dirs[i], name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			*path = p;
			return 0;
		}
		free(p);
	}
	return -1;
}
