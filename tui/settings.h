/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/settings.h - VM Settings (tui/settings.c) and Edit XML
 * (tui/settings_xml.c). */
#ifndef TUI_SETTINGS_H
#define TUI_SETTINGS_H

#include <stdbool.h>

struct tui_app;
struct tui_dialog;
struct md_msg;

/* Settings of the selected VM: its hardware list, each item's form below
 * it; [Apply] [OK] [Edit XML...] [Cancel]. The details come from one
 * BE_OP_VM_DETAILS job (backend/be_devices.h); Apply sends one
 * BE_OP_VM_CHANGE with every change made. first_page_only: Properties
 * (opens on the Summary item). */
void tui_open_settings(struct tui_app *a);
void tui_open_settings_summary(struct tui_app *a);
/* MD_MSG_VM_DEVICES: an open Settings of that VM reads it again. */
void tui_settings_devices(struct tui_app *a, const struct md_msg *m);
/* Customize before install (the New VM wizard's Summary): Settings on a
 * VM not defined yet, its domain XML xml (parsed, no libvirt; host_id's
 * pools and networks offered). Apply shows the changes on the XML here
 * (backend/be_vmxml.h); OK calls done(done_ctx, ch) with every change
 * made (be_vmchange, the callee's to free; NULL: none); Cancel drops them
 * and done is not called (but for an XML that cannot be read: done(NULL)
 * at once). done_ctx must outlive the dialog (the wizard, below it). */
struct be_vmchange;
typedef void (*tui_settings_done_fn)(void *done_ctx, struct be_vmchange *ch);
void tui_open_settings_preview(struct tui_app *a, int host_id, const char *name, const char *xml,
			       tui_settings_done_fn done, void *done_ctx);
/* Edit XML of the selected VM (reads its inactive XML first). */
void tui_open_edit_xml(struct tui_app *a);

/* settings_xml.c: run the editor on xml for the VM (host_id, uuid); the
 * define goes through BE_OP_VM_CHANGE (BE_CHG_DEFINE). */
void tui_edit_xml_run(struct tui_app *a, int host_id, const char *uuid, const char *name, const char *xml);

/* A line diff of a and b ("-old" / "+new" lines, with 2 lines of context
 * and "@@ line N" headers); "" when equal. Caller frees. */
char *tui_line_diff(const char *a, const char *b);
/* libvirt's error about xml: the line it names ("line 12") or, failing
 * that, the first line of xml holding a quoted word of the error; with
 * its number. NULL when none. Caller frees. */
char *tui_xml_error_line(const char *xml, const char *error);

#endif
