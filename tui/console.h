/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/console.h - serial consoles in the results pane (tui/console.c).
 *
 * Each open console is a tab with its own terminal emulator (libvterm) and
 * scrollback ring (TUI_CON_SCROLLBACK lines). Guest bytes go only into
 * libvterm; what is drawn are its screen cells, each code point checked,
 * so nothing a guest prints reaches the real terminal as a control
 * sequence (titles, palette, OSC 52 clipboard writes are dropped).
 *
 * Keys while the console pane has the focus ("attached") go to the guest,
 * except the escape key (default Ctrl-], config `escape = ^]`), which
 * returns the focus to the tree (and leaves full screen), and Shift-PgUp,
 * which enters scroll mode: Up/Down/PgUp/PgDn/Home/End (k j b Space g G),
 * / searches back, n/N next older/newer match, Escape or q back to live. */
#ifndef TUI_CONSOLE_H
#define TUI_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

struct tui_app;

#define TUI_CON_SCROLLBACK 10000

/* Actions (tui/actions.c). */
void tui_console_connect(struct tui_app *a, unsigned flags); /* the selected VM; flags BE_CONSOLE_* */
/* The console of VM uuid on host host_id, shown: opened now when it runs,
 * else when it does (a start someone else asked for). */
void tui_console_open_vm(struct tui_app *a, int host_id, const char *uuid);
void tui_console_next(struct tui_app *a);        /* show the consoles / the next tab */
void tui_console_fullscreen(struct tui_app *a);  /* toggle */
void tui_console_log(struct tui_app *a);         /* start (asks the file) / stop */
void tui_console_close_active(struct tui_app *a);
void tui_console_scrollback(struct tui_app *a);  /* enter scroll mode, a page up */
void tui_console_detach(struct tui_app *a);      /* focus back to the tree */
bool tui_console_any(const struct tui_app *a);   /* a console tab exists */
bool tui_console_shown(const struct tui_app *a); /* ... and the pane shows it */
/* A console of VM uuid is open (the VM list marks it). */
bool tui_console_has_vm(const struct tui_app *a, const char *uuid);
/* Type text (raw bytes, as if keyed) into the open serial console tab of
 * VM uuid on host_id, through the console's write path: 0, or -1 when no
 * console of that VM is open. */
int tui_console_type(struct tui_app *a, int host_id, const char *uuid, const char *text);
/* Once per pass of the UI loop: reconnects, waits for a start, view rules. */
void tui_console_poll(struct tui_app *a);

/* "^]" -> 0x1d, "^?" -> 0x7f; -1 when s is not caret notation of a
 * control character. */
int tui_console_parse_escape(const char *s);

/* The emulator of one console, alone (unit tests). */
struct tui_con;
struct tui_con *tui_con_new(int rows, int cols);
void tui_con_free(struct tui_con **c);
void tui_con_feed(struct tui_con *c, const char *bytes, size_t len);
size_t tui_con_sb_lines(const struct tui_con *c);
/* Lines: scrollback (0 = oldest) then the screen rows; UTF-8, trailing
 * blanks cut; caller frees; NULL past the end. */
char *tui_con_line_text(const struct tui_con *c, size_t idx);
size_t tui_con_total_lines(const struct tui_con *c);
/* The first line before (backward) or after `from` holding needle; -1 if none. */
long tui_con_search(const struct tui_con *c, const char *needle, long from, bool backward);
/* The bytes a curses key sends to the guest (as the guest's terminal
 * modes want them); returns their count (0: not a key for the guest). */
size_t tui_con_key_bytes(struct tui_con *c, int key, bool is_char, char *out, size_t cap);
/* Set a title/icon name, asked for the clipboard...: was any of it kept?
 * (Always false: for tests.) */
bool tui_con_title_set(const struct tui_con *c);

#endif
