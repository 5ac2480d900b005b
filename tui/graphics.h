/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/graphics.h - "Open Graphical Console": a VM's VNC or SPICE display,
 * forwarded over the host's SSH session for ssh:// hosts (backend/
 * be_graphics.h), handed to remote-viewer / vncviewer when there is a
 * graphical session, else shown as an address and ready command lines. */
#ifndef TUI_GRAPHICS_H
#define TUI_GRAPHICS_H

#include <stddef.h>

struct tui_app;
struct be_graphics;

/* Open the dialog for the selected (running) VM; its forward lives until
 * the dialog closes. */
void tui_open_graphics(struct tui_app *a);

/* The command lines that connect a viewer to g, one per line ("" when
 * none); shell-quoted. Caller frees. */
char *tui_graphics_commands(const struct be_graphics *g);

/* The viewer to start for g: the absolute path of remote-viewer (or of
 * vncviewer for VNC) found in $PATH, when $DISPLAY or $WAYLAND_DISPLAY is
 * set; NULL (with *why, borrowed) when none. */
char *tui_graphics_viewer(const struct be_graphics *g, const char **why);

#endif
