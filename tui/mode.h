/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/mode.h - one shape for every view and dialog (tmux's window_mode,
 * tig's view_ops, htop's Panel).
 *
 * A mode is what the results pane shows (VMs, networks, pools, a group's
 * hosts, help, performance, console) or what sits on the dialog stack
 * (every dialog and wizard). A key goes to the top of the stack, then to the
 * pane's mode, then to the global action table; a mode answers
 * TUI_KEY_PASS to hand it on. A backend job a mode sent remembers the mode
 * (tui_mode_expect); its answer goes to that mode's reply().
 *
 * Modes hold no curses state in their data but for draw()'s window, which
 * the app gives them (dialogs: their own window, made from their size). */
#ifndef TUI_MODE_H
#define TUI_MODE_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "../core/model.h"

struct tui_app;
struct tui_mode;

enum tui_key_res {
	TUI_KEY_PASS = 0,  /* not mine: hand it on */
	TUI_KEY_DONE,      /* consumed */
	TUI_KEY_CLOSE,     /* consumed; pop this mode off the stack (dialogs) */
};

/* Keys beyond curses' own: Alt+letter (ESC then a key in one burst). */
#define TUI_KEY_ALT(c) (0x20000000 | (c))
#define TUI_KEY_IS_ALT(k) (((k) & 0x20000000) != 0)
#define TUI_KEY_ALT_CHAR(k) ((k) & 0xFFFFF)

struct tui_mode_ops {
	const char *name;
	/* The action scope the actions pane offers for this mode's selection
	 * (enum tui_scope); NULL: none. */
	int (*scope)(const struct tui_mode *m);
	/* The selected object (md_vm *, md_pool *, ...), NULL when none. */
	const void *(*selected)(const struct tui_mode *m);
	/* The model changed (or the selected tree node): rebuild rows. */
	void (*sync)(struct tui_mode *m, struct tui_app *a);
	/* The only curses entry: draw into w (erased by the caller for panes). */
	void (*draw)(struct tui_mode *m, struct tui_app *a, WINDOW *w);
	int (*key)(struct tui_mode *m, struct tui_app *a, int key, bool is_char);
	/* y, x relative to the mode's window. */
	int (*click)(struct tui_mode *m, struct tui_app *a, int y, int x, bool dbl);
	/* An answer to a job this mode sent (tui_mode_expect). */
	void (*reply)(struct tui_mode *m, struct tui_app *a, const md_msg *msg);
	/* Stack modes: the screen size changed (lay out again). */
	void (*resize)(struct tui_mode *m, struct tui_app *a, int lines, int cols);
	/* The mode is popped (result as its key() said) */
	void (*done)(struct tui_mode *m, struct tui_app *a);
	void (*free)(struct tui_mode *m);
};

struct tui_mode {
	const struct tui_mode_ops *ops;
	int host_id;             /* what it is about, -1 none */
	/* stack modes: the window the app made for it (size from the mode) */
	int h, w, y, x;
	WINDOW *win;
	void *panel;             /* PANEL *, the app's */
};

/* The stack (app.c). The app owns a pushed mode: it calls done() when it
 * closes, then free(). */
void tui_mode_push(struct tui_app *a, struct tui_mode *m);
void tui_mode_pop(struct tui_app *a, struct tui_mode *m);  /* done(), free() */
struct tui_mode *tui_mode_top(const struct tui_app *a);    /* NULL: none */
/* Route the answers of job seq on host host_id (its OP_RESULT and any
 * message with its seq) to m's reply(), until m is freed. */
void tui_mode_expect(struct tui_app *a, struct tui_mode *m, int host_id, uint64_t seq);

#endif
