/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/nav.h - moving around the panes, and the dialogs the actions open. */
#ifndef TUI_NAV_H
#define TUI_NAV_H

struct tui_app;

enum tui_nav {
	TUI_NAV_UP, TUI_NAV_DOWN, TUI_NAV_PGUP, TUI_NAV_PGDN, TUI_NAV_HOME, TUI_NAV_END,
	TUI_NAV_LEFT, TUI_NAV_RIGHT, TUI_NAV_OPEN, TUI_NAV_NEXT_PANE, TUI_NAV_PREV_PANE,
};

void tui_nav(struct tui_app *a, int how);

/* dialogs.c */
void tui_open_delete_dialog(struct tui_app *a);
void tui_open_properties(struct tui_app *a);
void tui_open_add_host(struct tui_app *a);

/* hosts.c */
void tui_open_new_group(struct tui_app *a);
void tui_open_rename_group(struct tui_app *a);
void tui_open_remove_group(struct tui_app *a);
void tui_open_move_to_group(struct tui_app *a);
void tui_open_host_properties(struct tui_app *a);

#endif
