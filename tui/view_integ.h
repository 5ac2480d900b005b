/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/view_integ.h - the Integration Services view of the selected VM (a
 * pane overlay) and its actions; the Integration Tools wizard
 * (wizard_integ.c). */
#ifndef TUI_VIEW_INTEG_H
#define TUI_VIEW_INTEG_H

#include <stdbool.h>
#include <stdint.h>

struct tui_app;

/* Open the view for the selected VM: one line per service, refreshed at the
 * app's refresh interval, at least 1 s (one job, at most 3 agent calls, for
 * that VM only). */
void tui_integ_open(struct tui_app *a);
bool tui_integ_shown(const struct tui_app *a);
void tui_integ_tick(struct tui_app *a); /* every pass of the loop: a refresh due */
void tui_integ_free(void); /* at the end (what the view keeps) */
/* Sync Time Now, Copy File to Guest..., Freeze / Thaw on the selected VM. */
void tui_integ_sync_time(struct tui_app *a);
/* Automatic time sync (after Resume, restore, revert) of the selected VM on / off. */
void tui_integ_autosync(struct tui_app *a);
void tui_integ_copy_file(struct tui_app *a);
void tui_integ_freeze(struct tui_app *a);
void tui_integ_thaw(struct tui_app *a);
void tui_integ_checkpoint(struct tui_app *a); /* a Quiesced Checkpoint (BE_OP_AGENT_CHECKPOINT) */
/* After tui_integ_open_wait: when the job seq (the wizard's
 * BE_OP_AGENT_APPLY) fails, the volume vol of pool (uuid) that was
 * uploaded for it is deleted. */
void tui_integ_undo_volume(struct tui_app *a, uint64_t seq, const char *pool_uuid, const char *vol);
/* The view of a VM that waits for its agent to connect (after the wizard's
 * changes): progress, TUI_INTEG_WAIT_S timeout, the result. */
#define TUI_INTEG_WAIT_S 120
void tui_integ_open_wait(struct tui_app *a, int host_id, const char *uuid, const char *name);

/* Action > Install Integration Tools... (wizard_integ.c); main registers
 * the wizard's state machine (wizards/integ.c). */
struct core_wizard_ops;
void tui_register_integ_wizard(const struct core_wizard_ops *ops);
void tui_open_integ_wizard(struct tui_app *a);

#endif
