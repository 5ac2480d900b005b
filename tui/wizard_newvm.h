/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/wizard_newvm.h - the New Virtual Machine wizard on screen. Its state
 * machine lives in wizards/ (which tui/ does not include): main hands its
 * table to tui_register_wizard before tui_run. */
#ifndef TUI_WIZARD_NEWVM_H
#define TUI_WIZARD_NEWVM_H

#include "../core/wizard.h"

struct tui_app;

/* Keep ops (static) for the wizard it names: "newvm". */
void tui_register_wizard(const core_wizard_ops *ops);
/* The wizard for the selected host (a status message when none is
 * registered). */
void tui_open_newvm(struct tui_app *a);
/* Quick Create: one page (a name, an install ISO, the OS detected from
 * it), the rest from the OS's defaults; Create runs what Finish runs. */
void tui_open_quick_create(struct tui_app *a);
/* Quitting (host_id -1) or removing host_id: every New VM Finish that still
 * runs there is cancelled as its dialog's Close does (the step in flight
 * ends, no next one starts, what the steps made is removed). Returns how
 * many still run or undo (0: none is left to wait for). */
int tui_newvm_cancel_runs(struct tui_app *a, int host_id);
/* Quitting: the Finishes cancelled (tui_newvm_cancel_runs) and true once
 * none runs, or TUI_NEWVM_QUIT_WAIT_MS after the first call (then what
 * they made may be left: logged). */
enum { TUI_NEWVM_QUIT_WAIT_MS = 20000 };
bool tui_newvm_quit_ready(struct tui_app *a);

#endif
