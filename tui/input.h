/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/input.h - the terminal's input relayed to curses through a pipe, a
 * mouse report only whole.
 *
 * ncurses decodes a mouse report (X10 "ESC [ M b x y", SGR "ESC [ < b;x;y
 * M") with blocking read()s of its remaining bytes: a report that reaches
 * the terminal in two pieces (tmux, ssh, a loaded machine) held the UI
 * thread for as long as the second piece took (188-566 ms seen). So curses
 * reads a pipe; a relay thread reads the terminal and writes to the pipe
 * at once whatever it reads, except the start of a mouse report, which it
 * holds until the report is whole (or drops after TUI_INPUT_HOLD_MS). Other
 * escape sequences pass as they come: ncurses waits ESCDELAY for their
 * rest with a timed wait, as before. Curses only in tui_input_newterm.
 *
 * In the background (Ctrl-Z, then bg) the relay's read stops the job with
 * SIGTTIN, as any job's; fg continues it. */
#ifndef TUI_INPUT_H
#define TUI_INPUT_H

#include <stdbool.h>
#include <stddef.h>

enum { TUI_INPUT_HOLD_MS = 2000 };

/* How many of buf's n bytes may go to curses now: all but an unfinished
 * mouse report at the end (X10: ESC [ M and fewer than 3 bytes; SGR:
 * ESC [ < digits and ';' without the final M or m). */
size_t tui_input_whole(const unsigned char *buf, size_t n);

/* Start the relay from tty_fd; *curses_fd: the pipe's end for curses to
 * read. 0, or -1 (then curses reads tty_fd itself, as before). */
int tui_input_start(int tty_fd, int *curses_fd);
/* The terminal is lent to a program in the foreground (an editor): the
 * relay reads nothing until resumed. Returns when it reads no more. */
void tui_input_pause(void);
void tui_input_resume(void);
/* Stop the relay (after endwin). */
void tui_input_stop(void);

/* Start curses (newterm) on stdout, reading the terminal through the relay
 * (the terminal itself when the relay cannot start). Returns the fd to poll
 * for keys, or -1 when newterm failed (the relay stopped again). */
int tui_input_newterm(void);
/* After endwin: the relay stopped, curses' end of its pipe closed. */
void tui_input_end(void);

#endif
