/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/actions.h - the one table of actions. The key map, the menus, the
 * actions pane, the help screen, the man page's key table and
 * `vmmc --dump-keys` all come from tui_actions[]. */
#ifndef TUI_ACTIONS_H
#define TUI_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

struct tui_app;

enum tui_menu { TUI_MENU_FILE, TUI_MENU_ACTION, TUI_MENU_VIEW, TUI_MENU_HELP, TUI_MENU__COUNT, TUI_MENU_NONE = -1 };

/* Where an action applies; the actions pane shows the ones for the
 * selection: the pane's rows (VM, network, pool), then the tree node's
 * (host or group), then the global ones. */
enum tui_scope {
	TUI_SCOPE_GLOBAL, TUI_SCOPE_HOST, TUI_SCOPE_VM, TUI_SCOPE_NET, TUI_SCOPE_POOL, TUI_SCOPE_GROUP,
	TUI_SCOPE_CONSOLE, TUI_SCOPE_NAV, TUI_SCOPE__COUNT
};

/* "Everywhere", "Hosts", ... written once: help, man page, --dump-keys. */
extern const char *const tui_scope_titles[TUI_SCOPE__COUNT];

struct tui_action {
	const char *id;        /* stable name, e.g. "vm.start" */
	const char *label;     /* menu / pane text */
	enum tui_menu menu;
	enum tui_scope scope;
	int key, key2;         /* curses key codes; 0 = none */
	const char *help;      /* one line, for help and man page */
	bool in_pane;          /* listed in the actions pane */
	bool (*enabled)(const struct tui_app *a);
	/* NULL with .op set: queue .op on the selected VM */
	void (*run)(struct tui_app *a, const struct tui_action *act);
	int op;                /* enum be_op, for run == NULL */
};

extern const struct tui_action tui_actions[];
extern const size_t tui_nactions;
extern const char *const tui_menu_names[TUI_MENU__COUNT];

const struct tui_action *tui_action_for_key(int key);
/* The action a key runs for the selection: of the actions bound to key,
 * the first enabled one (two may share a key when they apply to different
 * kinds of tree node, e.g. '-' removes a host or a group); else the first. */
const struct tui_action *tui_action_for_key_sel(const struct tui_app *a, int key);
const struct tui_action *tui_action_by_id(const char *id);
bool tui_action_enabled(const struct tui_app *a, const struct tui_action *act);
/* Runs act if enabled; else says why in the status bar. */
void tui_action_run(struct tui_app *a, const struct tui_action *act);
/* "F10", "Tab", "Ctrl-L", "s" */
void tui_key_name(int key, char *buf, size_t len);
/* "s" or "Delete, D" */
void tui_action_keys(const struct tui_action *act, char *buf, size_t len);

#endif
