/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/theme.h - colour themes by role. Drawing code asks for a role, never
 * for a colour; a theme maps every role to a style. libc only.
 *
 * Theme file format (themes/NAME.theme), UTF-8 text:
 *   # a comment ('#' to the end of the line)
 *   name = Dark (256 colours)    optional, else the file name without .theme
 *   mono = yes                   optional: use no colours (attributes only)
 *   ROLE = FG [BG] [ATTR...]     e.g.  row.selected = black cyan bold
 * ROLE is a name from core_role_name(). FG and BG: default or '-' (the
 * terminal's own), black red green yellow blue magenta cyan white (0-7),
 * bright-black ... bright-white (8-15), or a number 0-255. ATTRs: bold dim
 * underline reverse italic blink standout. A ROLE line sets the whole style
 * (BG omitted = default); roles not listed keep the built-in style.
 * Errors (file:line): unknown role, duplicate role, unknown colour, number
 * out of range, unknown attribute, missing '=', bad mono value, NUL,
 * control character, invalid UTF-8, a line longer than 1024 bytes.
 * Colours the terminal lacks (>= COLORS) are for the UI to map down. */
#ifndef CORE_THEME_H
#define CORE_THEME_H

#include <stdbool.h>
#include <stddef.h>

enum core_role {
	CORE_ROLE_NORMAL, CORE_ROLE_MENUBAR, CORE_ROLE_MENU, CORE_ROLE_MENU_SEL,
	CORE_ROLE_MENU_DISABLED, CORE_ROLE_MENU_KEY, CORE_ROLE_TREE, CORE_ROLE_TREE_SEL,
	CORE_ROLE_TITLE, CORE_ROLE_TITLE_FOCUS, CORE_ROLE_BORDER, CORE_ROLE_HEADER,
	CORE_ROLE_ROW, CORE_ROLE_ROW_SEL, CORE_ROLE_ROW_SEL_UNFOCUSED,
	CORE_ROLE_STATE_RUNNING, CORE_ROLE_STATE_PAUSED, CORE_ROLE_STATE_SHUTOFF,
	CORE_ROLE_STATE_CRASHED, CORE_ROLE_STATE_OTHER, CORE_ROLE_ACTION,
	CORE_ROLE_ACTION_KEY, CORE_ROLE_ACTION_DISABLED, CORE_ROLE_ACTION_SEL,
	CORE_ROLE_STATUS, CORE_ROLE_STATUS_ERROR, CORE_ROLE_STATUS_OK, CORE_ROLE_DIALOG,
	CORE_ROLE_DIALOG_TITLE, CORE_ROLE_DIALOG_FIELD, CORE_ROLE_DIALOG_FIELD_FOCUS,
	CORE_ROLE_BUTTON, CORE_ROLE_BUTTON_FOCUS, CORE_ROLE_ERROR, CORE_ROLE_BUSY,
	CORE_ROLE_DISCONNECTED, CORE_ROLE_GRAPH,
	CORE_ROLE__COUNT
};

#define CORE_ATTR_BOLD 1
#define CORE_ATTR_DIM 2
#define CORE_ATTR_UNDERLINE 4
#define CORE_ATTR_REVERSE 8
#define CORE_ATTR_ITALIC 16
#define CORE_ATTR_BLINK 32
#define CORE_ATTR_STANDOUT 64

#define CORE_THEME_MAX_LINE 1024

struct core_style {
	short fg, bg;    /* -1 = terminal default, 0..255 */
	unsigned attrs;  /* CORE_ATTR_* */
};

struct core_theme {
	char *name;
	struct core_style role[CORE_ROLE__COUNT];
	bool mono;       /* use no colours at all */
};

/* The keys of a theme file besides the roles: "name", "mono"; NULL-terminated
 * (vmmc.conf(5) is checked against it). */
const char *const *core_theme_keys(void);
const char *core_role_name(int role);      /* "menu.selected"...; NULL if out of range */
int core_role_from_name(const char *name); /* -1 if unknown */

/* These overwrite t (its old name is not freed: core_theme_free() first). */
void core_theme_builtin(struct core_theme *t); /* same as themes/default.theme */
void core_theme_mono(struct core_theme *t);    /* attributes only; same as themes/mono.theme */
/* The built-in theme with path applied. On any error: t is the built-in,
 * *err = "PATH:LINE: what" (or "PATH: strerror"), -1. */
int core_theme_load(const char *path, struct core_theme *t, char **err);
/* *path = the first dirs[i]/NAME.theme that is a regular file, 0. -1 (and
 * *path NULL) when none is or name is not [A-Za-z0-9_.-]+ or starts with '.'. */
int core_theme_find(const char *name, const char *const *dirs, size_t ndirs, char **path);
void core_theme_free(struct core_theme *t); /* frees the name */

#endif
