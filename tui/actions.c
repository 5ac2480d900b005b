/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/actions.c - the action table and its handlers. */
#include "actions.h"
#include "app.h"
#include "console.h"
#include "dialog.h"
#include "graphics.h"
#include "list.h"
#include "listview.h"
#include "nav.h"
#include "storage_ui.h"
#include "view_integ.h"
#include "settings.h"
#include "wizard_newvm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backend/be_console.h"
#include "../core/sanitize.h"
#include "../core/util.h"

const char *const tui_menu_names[TUI_MENU__COUNT] = { "File", "Action", "View", "Help" };

#define CTRL(c) ((c) & 0x1f)

/* ---- enabled-when ------------------------------------------------------ */

static bool en_always(const struct tui_app *a)
{
	(void)a;
	return true;
}

static bool en_host(const struct tui_app *a)
{
	return tui_sel_host(a) != NULL;
}

static bool en_group(const struct tui_app *a)
{
	return tui_sel_group(a) != NULL;
}

static bool en_host_can_connect(const struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	return h && h->conn != MD_CONN_CONNECTED && h->conn != MD_CONN_CONNECTING;
}

static bool en_host_can_disconnect(const struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	return h && h->conn != MD_CONN_IDLE;
}

static bool en_connected(const struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	return h && h->conn == MD_CONN_CONNECTED;
}

static const md_vm *vm_if_connected(const struct tui_app *a)
{
	return en_connected(a) ? tui_sel_vm(a) : NULL;
}

static bool en_vm(const struct tui_app *a)
{
	return vm_if_connected(a) != NULL;
}

static bool en_vm_startable(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && md_vm_can_start(v->state);
}

static bool en_vm_running(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && (v->state == MD_VM_RUNNING || v->state == MD_VM_BLOCKED);
}

static bool en_vm_active(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && md_vm_state_active(v->state);
}

/* Turn Off: anything with a QEMU process, and a crashed VM (whose process
 * may linger: `virsh destroy` then start recovers it, as here). */
static bool en_vm_destroyable(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && md_vm_can_destroy(v->state);
}

static bool en_vm_resettable(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && (v->state == MD_VM_RUNNING || v->state == MD_VM_BLOCKED || v->state == MD_VM_PAUSED);
}

static bool en_vm_paused(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && (v->state == MD_VM_PAUSED || v->state == MD_VM_PMSUSPENDED);
}

static bool en_vm_saveable(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && v->persistent && (v->state == MD_VM_RUNNING || v->state == MD_VM_BLOCKED ||
				       v->state == MD_VM_PAUSED);
}

static bool en_vm_has_save(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && v->managed_save && !md_vm_state_active(v->state);
}

static bool en_vm_persistent(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && v->persistent;
}

static bool en_vm_any(const struct tui_app *a)
{
	return tui_sel_vm(a) != NULL;
}

/* The pane shows a list (sorting and the filter apply). */
static bool en_list(const struct tui_app *a)
{
	const struct tui_mode *m = tui_pane_mode(a);
	return m && m->ops == &tui_listview_ops;
}

static bool en_console_any(const struct tui_app *a)
{
	return tui_console_any(a);
}

/* ---- handlers ---------------------------------------------------------- */

static void run_quit(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	a->quit = true;
}

static void run_autostart(struct tui_app *a, const struct tui_action *act)
{
	const md_vm *v = tui_sel_vm(a);
	(void)act;
	if (v)
		tui_submit_vm(a, v->autostart ? BE_OP_AUTOSTART_OFF : BE_OP_AUTOSTART_ON);
}

/* A confirmation about the selected VM: answered by an op on that VM. */
struct confirm_ctx {
	int op;
};

static void confirm_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct confirm_ctx *c = d->ctx;
	be_host *be = tui_host_be(tui_host_by_id(a, d->mode.host_id));
	if (result != TUI_DLG_OK || !be)
		return;
	be_host_submit(be, c->op, d->uuid, NULL, 0);
}

static void confirm_vm(struct tui_app *a, int op, const char *title, const char *what, const char *yes)
{
	const md_vm *v = tui_sel_vm(a);
	const md_host *h = tui_sel_host(a);
	struct tui_dialog *d;
	char *name, *text;
	if (!v || !h)
		return;
	name = core_sanitize(v->name);
	text = xasprintf("%s '%s'?\n\n%s", title, name, what);
	d = tui_confirm(title, text, yes, confirm_done);
	d->ctx = xcalloc(1, sizeof(struct confirm_ctx));
	((struct confirm_ctx *)d->ctx)->op = op;
	d->mode.host_id = h->id;
	snprintf(d->uuid, sizeof(d->uuid), "%s", v->uuid);
	tui_push_dialog(a, d);
	free(name);
	free(text);
}

static void run_destroy(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	confirm_vm(a, BE_OP_DESTROY, "Turn Off",
		   "This cuts the power at once: unsaved data in the guest is lost.", "Turn Off");
}

static void run_reset(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	confirm_vm(a, BE_OP_RESET, "Reset",
		   "This resets the machine at once, like a reset button: unsaved data in the guest is lost.",
		   "Reset");
}

static void run_discard_save(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	confirm_vm(a, BE_OP_SAVE_REMOVE, "Discard Saved State",
		   "The saved memory state is deleted; the next start is a cold boot.", "Discard");
}

/* Handlers that only call an opener. */
#define OPENER(fn, call) \
	static void fn(struct tui_app *a, const struct tui_action *act) \
	{ \
		(void)act; \
		call(a); \
	}
OPENER(run_delete, tui_open_delete_dialog)
OPENER(run_properties, tui_open_settings_summary)
OPENER(run_settings, tui_open_settings)
OPENER(run_edit_xml, tui_open_edit_xml)
OPENER(run_add_host, tui_open_add_host)
OPENER(run_newvm, tui_open_newvm)
OPENER(run_quick_create, tui_open_quick_create)
OPENER(run_group_new, tui_open_new_group)
OPENER(run_group_rename, tui_open_rename_group)
OPENER(run_group_remove, tui_open_remove_group)
OPENER(run_host_move, tui_open_move_to_group)
OPENER(run_host_props, tui_open_host_properties)
OPENER(run_freeze, tui_perf_toggle_freeze)
OPENER(run_cpu_host, tui_perf_toggle_cpu_host)
OPENER(run_help, tui_help_open)
OPENER(run_console_next, tui_console_next)
OPENER(run_console_full, tui_console_fullscreen)
OPENER(run_console_log, tui_console_log)
OPENER(run_console_close, tui_console_close_active)
OPENER(run_console_scroll, tui_console_scrollback)
OPENER(run_console_detach, tui_console_detach)
OPENER(run_pool_start, tui_pool_start)
OPENER(run_pool_stop, tui_pool_stop)
OPENER(run_pool_refresh, tui_pool_refresh)
OPENER(run_pool_autostart, tui_pool_autostart)
OPENER(run_pool_delete, tui_open_pool_delete)
OPENER(run_pool_new, tui_open_pool_new)
OPENER(run_vol_new, tui_open_vol_new)
OPENER(run_vol_delete, tui_open_vol_delete)
OPENER(run_vol_resize, tui_open_vol_resize)
OPENER(run_vol_clone, tui_open_vol_clone)
OPENER(run_vol_upload, tui_open_upload)
OPENER(run_vol_download, tui_open_download)
OPENER(run_transfers, tui_open_transfers)
OPENER(run_net_start, tui_net_start)
OPENER(run_net_stop, tui_net_stop)
OPENER(run_net_autostart, tui_net_autostart)
OPENER(run_net_delete, tui_open_net_delete)
OPENER(run_net_new, tui_open_net_new)
OPENER(run_net_leases, tui_open_net_leases)
OPENER(run_integ, tui_integ_open)
OPENER(run_integ_wizard, tui_open_integ_wizard)
OPENER(run_integ_sync_time, tui_integ_sync_time)
OPENER(run_integ_autosync, tui_integ_autosync)
OPENER(run_integ_copy, tui_integ_copy_file)
OPENER(run_integ_freeze, tui_integ_freeze)
OPENER(run_integ_thaw, tui_integ_thaw)
OPENER(run_integ_checkpoint, tui_integ_checkpoint)
OPENER(run_graphics, tui_open_graphics)
#undef OPENER

static void host_op(struct tui_app *a, int op)
{
	const md_host *h = tui_sel_host(a);
	be_host *be = h ? tui_host_be(tui_host_by_id(a, h->id)) : NULL;
	if (be)
		be_host_submit(be, op, NULL, NULL, 0);
}

static void run_host_connect(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	tui_host_connect(a); /* tui/hosts.c: a stalled connect is told, not queued behind */
}

static void run_host_disconnect(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	tui_host_disconnect(a); /* tui/hosts.c: a stalled connect is abandoned, not queued behind */
}

static void run_refresh(struct tui_app *a, const struct tui_action *act)
{
	const md_host *h = tui_sel_host(a);
	(void)act;
	host_op(a, h && h->conn == MD_CONN_CONNECTED ? BE_OP_REFRESH : BE_OP_CONNECT);
}

static void remove_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	if (result == TUI_DLG_OK)
		tui_remove_host(a, d->mode.host_id);
}

static void run_host_remove(struct tui_app *a, const struct tui_action *act)
{
	const md_host *h = tui_sel_host(a);
	struct tui_dialog *d;
	char *label, *text;
	(void)act;
	if (!h)
		return;
	label = core_sanitize(h->uri);
	text = xasprintf("Remove %s from the console tree?\n\nIts VMs are not touched.", label);
	d = tui_confirm("Remove Host", text, "Remove", remove_done);
	d->mode.host_id = h->id;
	tui_push_dialog(a, d);
	free(label);
	free(text);
}

static struct tui_list *pane_list(struct tui_app *a)
{
	struct tui_mode *m = tui_pane_mode(a);
	return m && m->ops == &tui_listview_ops ? &((struct tui_listview *)m)->list : NULL;
}

static void run_filter(struct tui_app *a, const struct tui_action *act)
{
	struct tui_list *l = pane_list(a);
	(void)act;
	if (!l)
		return;
	tui_list_filter_begin(l);
	a->focus = TUI_PANE_LIST;
	a->dirty |= TUI_DIRTY_ALL;
}

static void run_sort_next(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	if (pane_list(a))
		tui_list_sort_step(pane_list(a), +1);
}

static void run_sort_prev(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	if (pane_list(a))
		tui_list_sort_step(pane_list(a), -1);
}

static void run_sort_reverse(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	if (pane_list(a))
		tui_list_sort_reverse(pane_list(a));
}

static bool en_perf_vm(const struct tui_app *a)
{
	return tui_sel_vm(a) != NULL;
}

static void run_perf_vm(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	tui_perf_open(a, false);
}

static void run_perf_host(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	tui_perf_open(a, true);
}

static void run_faster(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	tui_perf_change_delay(a, -1);
}

static void run_slower(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	tui_perf_change_delay(a, +1);
}

static void run_toggle_actions(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	a->show_actions = !a->show_actions;
	tui_layout(a);
}

static void run_redraw(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	clearok(curscr, TRUE);
	a->dirty |= TUI_DIRTY_ALL;
}

static void run_about(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	tui_push_dialog(a, tui_msgbox("About vmmc",
				      "vmmc " VMMC_VERSION "\n\nA terminal management console for virtual machines,\n"
				      "on libvirt. Keyboard first; mouse too.\n\nF1 lists every key.",
				      false));
}

static void run_menu(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	a->menu_open = 0;
	a->menu_item = 0;
	a->dirty |= TUI_DIRTY_ALL;
}

static void run_console(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	tui_console_connect(a, 0);
}

static void run_console_safe(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	tui_console_connect(a, BE_CONSOLE_SAFE);
}

static void run_console_force(struct tui_app *a, const struct tui_action *act)
{
	(void)act;
	tui_console_connect(a, BE_CONSOLE_FORCE);
}

/* Moving around: each nav.* action names its move in .op. */
static void run_nav(struct tui_app *a, const struct tui_action *act)
{
	tui_nav(a, act->op);
}

/* ---- the table ----------------------------------------------------------- */

const struct tui_action tui_actions[] = {
	/* File */
	{ .id = "host.add", .label = "Add Host...", .menu = TUI_MENU_FILE, .scope = TUI_SCOPE_GLOBAL, .key = '+', .key2 = KEY_IC, .in_pane = true, .enabled = en_always, .run = run_add_host, .help = "Add a host by its libvirt URI or over SSH (host, user, port), in a group or not (saved in the config)" },
	{ .id = "group.new", .label = "New Group...", .menu = TUI_MENU_FILE, .scope = TUI_SCOPE_GLOBAL, .key = 'N', .in_pane = true, .enabled = en_always, .run = run_group_new, .help = "Make a group: a folder of the console tree for hosts (saved in the config)" },
	{ .id = "host.connect", .label = "Connect Host", .menu = TUI_MENU_FILE, .scope = TUI_SCOPE_HOST, .key = 'C', .in_pane = true, .enabled = en_host_can_connect, .run = run_host_connect, .help = "Connect the selected host now (skips the retry wait)" },
	{ .id = "host.disconnect", .label = "Disconnect Host", .menu = TUI_MENU_FILE, .scope = TUI_SCOPE_HOST, .key = 'X', .in_pane = true, .enabled = en_host_can_disconnect, .run = run_host_disconnect, .help = "Disconnect the selected host and stop retrying" },
	{ .id = "host.remove", .label = "Remove Host", .menu = TUI_MENU_FILE, .scope = TUI_SCOPE_HOST, .key = '-', .in_pane = true, .enabled = en_host, .run = run_host_remove, .help = "Remove the selected host from the tree and the config" },
	{ .id = "host.move", .label = "Move to Group...", .menu = TUI_MENU_FILE, .scope = TUI_SCOPE_HOST, .key = 'm', .in_pane = true, .enabled = en_host, .run = run_host_move, .help = "Put the selected host in a group, a new group, or the top level of the tree" },
	{ .id = "host.properties", .label = "Host Properties", .menu = TUI_MENU_FILE, .scope = TUI_SCOPE_HOST, .key = 'e', .in_pane = true, .enabled = en_host, .run = run_host_props, .help = "The selected host's URI, state and last error; change its name, group and whether the config keeps it" },
	{ .id = "group.rename", .label = "Rename Group...", .menu = TUI_MENU_FILE, .scope = TUI_SCOPE_GROUP, .key = KEY_F(2), .in_pane = true, .enabled = en_group, .run = run_group_rename, .help = "Rename the selected group (its hosts stay in it)" },
	{ .id = "group.remove", .label = "Remove Group...", .menu = TUI_MENU_FILE, .scope = TUI_SCOPE_GROUP, .key = '-', .in_pane = true, .enabled = en_group, .run = run_group_remove, .help = "Remove the selected group (asks first); its hosts move to the top level of the tree" },
	{ .id = "host.perf", .label = "Host Performance", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_HOST, .key = 'H', .in_pane = true, .enabled = en_host, .run = run_perf_host, .help = "Graphs of the host's CPU and memory and of its VMs' disk and network (Escape goes back)" },
	{ .id = "app.quit", .label = "Quit", .menu = TUI_MENU_FILE, .scope = TUI_SCOPE_GLOBAL, .key = 'q', .key2 = KEY_F(12), .in_pane = true, .enabled = en_always, .run = run_quit, .help = "Quit vmmc" },
	/* Action */
	{ .id = "vm.new", .label = "New Virtual Machine...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_HOST, .key = 'v', .in_pane = true, .enabled = en_connected, .run = run_newvm, .help = "Make a VM on the selected host, page by page: name, install source, OS (libosinfo), firmware, memory, network, disk; Finish defines it, starts it and opens its console" },
	{ .id = "vm.quick_create", .label = "Quick Create...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_HOST, .key = 'Q', .in_pane = false, .enabled = en_connected, .run = run_quick_create, .help = "Make a VM from an install ISO in one page: a name, the ISO, the OS detected from it; the rest from the OS's defaults; it starts with its console open" },
	{ .id = "vm.start", .label = "Start", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 's', .in_pane = true, .enabled = en_vm_startable, .op = BE_OP_START, .help = "Start the VM (from its saved state when it has one)" },
	{ .id = "vm.shutdown", .label = "Shut Down", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'd', .in_pane = true, .enabled = en_vm_running, .op = BE_OP_AGENT_SHUTDOWN, .help = "Ask the guest to shut down: through the guest agent when it is connected, else the ACPI power button (the status line says which)" },
	{ .id = "vm.destroy", .label = "Turn Off...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'o', .in_pane = true, .enabled = en_vm_destroyable, .run = run_destroy, .help = "Turn the VM off at once (asks first)" },
	{ .id = "vm.reboot", .label = "Reboot", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'r', .in_pane = true, .enabled = en_vm_running, .op = BE_OP_AGENT_REBOOT, .help = "Ask the guest to reboot: through the guest agent when it is connected, else ACPI" },
	{ .id = "vm.reset", .label = "Reset...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'R', .in_pane = true, .enabled = en_vm_resettable, .run = run_reset, .help = "Reset the VM at once (asks first)" },
	{ .id = "vm.pause", .label = "Pause", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'p', .in_pane = true, .enabled = en_vm_running, .op = BE_OP_SUSPEND, .help = "Pause the VM's CPUs" },
	{ .id = "vm.resume", .label = "Resume", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'u', .in_pane = true, .enabled = en_vm_paused, .op = BE_OP_RESUME, .help = "Resume a paused VM" },
	{ .id = "vm.save", .label = "Save", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'S', .in_pane = true, .enabled = en_vm_saveable, .op = BE_OP_SAVE, .help = "Save the VM's memory to disk and stop it (managed save); Start restores it" },
	{ .id = "vm.discard", .label = "Discard Save...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'x', .in_pane = true, .enabled = en_vm_has_save, .run = run_discard_save, .help = "Delete the VM's saved state (asks first)" },
	{ .id = "vm.autostart", .label = "Autostart On/Off", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'a', .in_pane = true, .enabled = en_vm_persistent, .run = run_autostart, .help = "Start the VM when the host boots, or not" },
	{ .id = "vm.delete", .label = "Delete...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = KEY_DC, .key2 = 'D', .in_pane = true, .enabled = en_vm, .run = run_delete, .help = "Delete the VM, optionally with its storage volumes (asks first)" },
	{ .id = "vm.properties", .label = "Properties", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'i', .in_pane = true, .enabled = en_vm_any, .run = run_properties, .help = "The VM's details: the Summary page of its Settings (state, firmware, memory, processors, disks with pools, NICs with MACs and links, agent channel)" },
	{ .id = "vm.settings", .label = "Settings...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'O', .in_pane = true, .enabled = en_vm, .run = run_settings, .help = "The VM's hardware (firmware and boot order, memory, processors, disks, CD/DVD, network adapters, serial ports, agent channel) and management settings: change them now, at the next boot, or both" },
	{ .id = "vm.edit_xml", .label = "Edit XML...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .in_pane = false, .enabled = en_vm, .run = run_edit_xml, .help = "Edit the VM's inactive XML in $VISUAL or $EDITOR (a private temporary file), see the diff, define it" },
	{ .id = "vm.perf", .label = "Performance", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'P', .in_pane = true, .enabled = en_perf_vm, .run = run_perf_vm, .help = "Graphs of the VM's CPU, memory, disk and network over the last minutes (Escape goes back)" },
	{ .id = "vm.console", .label = "Connect Console", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'c', .in_pane = true, .enabled = en_vm, .run = run_console, .help = "Open the VM's serial console in the results pane (Enter on a running VM does too; a shut-off VM is offered a start)" },
	{ .id = "vm.console_force", .label = "Take Over Console", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'T', .in_pane = false, .enabled = en_vm_active, .run = run_console_force, .help = "Connect to the VM's serial console, disconnecting another client that holds it" },
	{ .id = "vm.console_safe", .label = "Connect Console (Safe)", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .in_pane = false, .enabled = en_vm_active, .run = run_console_safe, .help = "Connect only if the host's driver guarantees exclusive access to the console" },
	{ .id = "vm.graphics", .label = "Open Graphical Console", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'V', .in_pane = true, .enabled = en_vm_active, .run = run_graphics, .help = "The VM's VNC or SPICE display: on an SSH host forwarded over its SSH login to a private port on 127.0.0.1; starts remote-viewer or vncviewer when there is a graphical session, else shows the address and the command (closing the dialog closes the forward)" },
	{ .id = "console.log", .label = "Log Console to File...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_CONSOLE, .key = 'L', .in_pane = false, .enabled = en_console_any, .run = run_console_log, .help = "Start appending the shown console's output to a file (asks which), or stop" },
	{ .id = "console.close", .label = "Close Console", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_CONSOLE, .key = 'w', .in_pane = false, .enabled = en_console_any, .run = run_console_close, .help = "Close the shown console (its tab and scrollback)" },
	{ .id = "pool.new", .label = "New Pool...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = 'A', .in_pane = true, .enabled = tui_en_pool_view, .run = run_pool_new, .help = "Make a storage pool: a directory, an NFS export, an LVM volume group, or any libvirt type as XML (an editor page, checked)" },
	{ .id = "pool.start", .label = "Start Pool", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = 's', .in_pane = true, .enabled = tui_en_pool_inactive, .run = run_pool_start, .help = "Start the selected pool (or the pool of the selected volume)" },
	{ .id = "pool.stop", .label = "Stop Pool", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = 'o', .in_pane = true, .enabled = tui_en_pool_active, .run = run_pool_stop, .help = "Stop the pool (its volumes stay on the disk)" },
	{ .id = "pool.refresh", .label = "Refresh Pool", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = 'r', .in_pane = true, .enabled = tui_en_pool_active, .run = run_pool_refresh, .help = "Re-read the pool's volumes from the disk (files copied in by hand)" },
	{ .id = "pool.autostart", .label = "Pool Autostart On/Off", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = 'a', .in_pane = true, .enabled = tui_en_pool_any, .run = run_pool_autostart, .help = "Start the pool when the host boots, or not" },
	{ .id = "pool.delete", .label = "Delete Pool...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = KEY_DC, .key2 = 'D', .in_pane = true, .enabled = tui_en_pool_row, .run = run_pool_delete, .help = "Delete the selected pool, with its contents if asked (asks first; refused while a VM uses a volume of it)" },
	{ .id = "vol.new", .label = "New Volume...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = 'v', .in_pane = true, .enabled = tui_en_pool_active, .run = run_vol_new, .help = "Make a volume in the pool: name, qcow2 or raw, size with units, optionally a qcow2 overlay of another volume" },
	{ .id = "vol.delete", .label = "Delete Volume...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = KEY_DC, .key2 = 'D', .in_pane = true, .enabled = tui_en_vol, .run = run_vol_delete, .help = "Delete the selected volume (asks first; refused while a VM uses it)" },
	{ .id = "vol.resize", .label = "Resize Volume...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = 'z', .in_pane = true, .enabled = tui_en_vol, .run = run_vol_resize, .help = "Grow the selected volume (shrinking only when ticked)" },
	{ .id = "vol.clone", .label = "Clone Volume...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = 'y', .in_pane = true, .enabled = tui_en_vol, .run = run_vol_clone, .help = "Copy the selected volume into this pool or another pool of the host" },
	{ .id = "vol.upload", .label = "Upload...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = 'U', .in_pane = true, .enabled = tui_en_pool_active, .run = run_vol_upload, .help = "Send a local file into a new or existing volume of the pool (sparse, resumable, SHA-256 checked if asked)" },
	{ .id = "vol.download", .label = "Download...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_POOL, .key = 'W', .in_pane = true, .enabled = tui_en_vol, .run = run_vol_download, .help = "Save the selected volume into a local file" },
	{ .id = "net.new", .label = "New Network...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_NET, .key = 'A', .in_pane = true, .enabled = tui_en_net_view, .run = run_net_new, .help = "Make a virtual network: NAT, routed or isolated, on a free subnet the host suggests, with DHCP" },
	{ .id = "net.start", .label = "Start Network", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_NET, .key = 's', .in_pane = true, .enabled = tui_en_net_inactive, .run = run_net_start, .help = "Start the selected network" },
	{ .id = "net.stop", .label = "Stop Network", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_NET, .key = 'o', .in_pane = true, .enabled = tui_en_net_active, .run = run_net_stop, .help = "Stop the selected network (its guests lose the link)" },
	{ .id = "net.autostart", .label = "Network Autostart On/Off", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_NET, .key = 'a', .in_pane = true, .enabled = tui_en_net, .run = run_net_autostart, .help = "Start the network when the host boots, or not" },
	{ .id = "net.delete", .label = "Delete Network...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_NET, .key = KEY_DC, .key2 = 'D', .in_pane = true, .enabled = tui_en_net, .run = run_net_delete, .help = "Delete the selected network (asks first; refused while a running VM uses it)" },
	{ .id = "net.leases", .label = "DHCP Leases", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_NET, .key = 'E', .in_pane = true, .enabled = tui_en_net_active, .run = run_net_leases, .help = "The network's DHCP leases: MAC, IP, hostname, expiry and the VM owning the MAC" },
	{ .id = "vm.integ_tools", .label = "Install Integration Tools...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'Y', .in_pane = false, .enabled = en_vm, .run = run_integ_wizard, .help = "Set the VM up for integration: looks at it, offers the guest agent channel and virtio devices (each change shown as a diff of the domain XML first), gives the guest's install command for qemu-guest-agent, waits for the agent" },
	{ .id = "vm.sync_time", .label = "Sync Time Now", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'K', .in_pane = false, .enabled = en_vm_running, .run = run_integ_sync_time, .help = "Set the guest's clock from its hardware clock through the guest agent (virDomainSetTime)" },
	{ .id = "vm.auto_time_sync", .label = "Automatic Time Sync On/Off", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'B', .in_pane = false, .enabled = en_vm, .run = run_integ_autosync, .help = "Turn on or off the VM's automatic time sync: vmmc syncs the guest's clock through the agent by itself after Resume, restore from saved state and revert (kept in the VM's metadata)" },
	{ .id = "vm.copy_file", .label = "Copy File to Guest...", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = 'F', .in_pane = false, .enabled = en_vm_running, .run = run_integ_copy, .help = "Copy a local file to a path in the guest through the guest agent, with progress (no network needed)" },
	{ .id = "vm.fs_freeze", .label = "Freeze File Systems", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .in_pane = false, .enabled = en_vm_running, .run = run_integ_freeze, .help = "Freeze the guest's file systems through the agent (for a consistent disk snapshot)" },
	{ .id = "vm.fs_thaw", .label = "Thaw File Systems", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .in_pane = false, .enabled = en_vm_running, .run = run_integ_thaw, .help = "Thaw the guest's file systems after a freeze" },
	{ .id = "vm.checkpoint", .label = "Quiesced Checkpoint", .menu = TUI_MENU_ACTION, .scope = TUI_SCOPE_VM, .key = CTRL('n'), .in_pane = false, .enabled = en_vm_running, .run = run_integ_checkpoint, .help = "Take a disk-only checkpoint (external snapshot, named vmmc-YYYYmmdd-HHMMSS) with the guest's file systems frozen by its agent; refused with the reason when the agent is down or a disk cannot be snapshotted (raw)" },
	/* View */
	{ .id = "vm.integ", .label = "Integration Services", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_VM, .key = 'J', .in_pane = false, .enabled = en_vm, .run = run_integ, .help = "The selected VM's guest agent and what it reports: heartbeat, OS and addresses, clock drift, shutdown path, freeze, file copy (Escape goes back)" },
	{ .id = "console.next", .label = "Next Console", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_CONSOLE, .key = 'n', .in_pane = false, .enabled = en_console_any, .run = run_console_next, .help = "Show the open consoles, then cycle through their tabs (Enter or Tab attaches)" },
	{ .id = "console.fullscreen", .label = "Full Screen Console", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_CONSOLE, .key = 'f', .key2 = KEY_F(11), .in_pane = false, .enabled = en_console_any, .run = run_console_full, .help = "Give the console the whole terminal; the escape key (Ctrl-]) returns" },
	{ .id = "console.scroll", .label = "Scroll Back Console", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_CONSOLE, .key = KEY_SPREVIOUS, .in_pane = false, .enabled = en_console_any, .run = run_console_scroll, .help = "Scroll the console back (also while typing in it): PgUp/PgDn, Home/End, / searches, n next, Escape returns" },
	{ .id = "view.transfers", .label = "Transfers", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = 't', .in_pane = false, .enabled = tui_en_xfers, .run = run_transfers, .help = "The uploads and downloads of this session on every host: progress, rate, time left; cancel one, clear finished ones" },
	{ .id = "view.refresh", .label = "Refresh", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = KEY_F(5), .key2 = CTRL('r'), .in_pane = true, .enabled = en_host, .run = run_refresh, .help = "Re-read the selected host (or connect it now)" },
	{ .id = "view.filter", .label = "Filter by Name...", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = '/', .in_pane = false, .enabled = en_list, .run = run_filter, .help = "Type to filter the VM list by name; Enter keeps, Escape clears" },
	{ .id = "view.sort_next", .label = "Sort by Next Column", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = '>', .key2 = '.', .in_pane = false, .enabled = en_list, .run = run_sort_next, .help = "Sort the list by the next column (or click a header)" },
	{ .id = "view.sort_prev", .label = "Sort by Previous Column", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = '<', .key2 = ',', .in_pane = false, .enabled = en_list, .run = run_sort_prev, .help = "Sort the list by the previous column" },
	{ .id = "view.sort_reverse", .label = "Reverse Sort Order", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = 'I', .in_pane = false, .enabled = en_list, .run = run_sort_reverse, .help = "Reverse the sort order" },
	{ .id = "view.freeze", .label = "Freeze Figures", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = 'Z', .in_pane = false, .enabled = en_always, .run = run_freeze, .help = "Freeze the live figures and graphs, or let them run again" },
	{ .id = "view.faster", .label = "Shorter Refresh Interval", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = '[', .in_pane = false, .enabled = en_always, .run = run_faster, .help = "Refresh more often (0.5, 1, 2, 3, 5, 10, 30, 60 s)" },
	{ .id = "view.slower", .label = "Longer Refresh Interval", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = ']', .in_pane = false, .enabled = en_always, .run = run_slower, .help = "Refresh less often" },
	{ .id = "view.cpu_host", .label = "CPU % of Host / of vCPUs", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = '%', .in_pane = false, .enabled = en_always, .run = run_cpu_host, .help = "Show CPU use as a share of the host's CPUs, or of the VM's own vCPUs (100 = all busy)" },
	{ .id = "view.actions", .label = "Show/Hide Actions Pane", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = KEY_F(9), .in_pane = false, .enabled = en_always, .run = run_toggle_actions, .help = "Show or hide the actions pane (hidden when the terminal is narrow)" },
	{ .id = "view.redraw", .label = "Redraw Screen", .menu = TUI_MENU_VIEW, .scope = TUI_SCOPE_GLOBAL, .key = CTRL('l'), .in_pane = false, .enabled = en_always, .run = run_redraw, .help = "Redraw the whole screen" },
	/* Help */
	{ .id = "help.keys", .label = "Keys", .menu = TUI_MENU_HELP, .scope = TUI_SCOPE_GLOBAL, .key = KEY_F(1), .key2 = '?', .in_pane = false, .enabled = en_always, .run = run_help, .help = "Show every key" },
	{ .id = "help.about", .label = "About vmmc", .menu = TUI_MENU_HELP, .scope = TUI_SCOPE_GLOBAL, .in_pane = false, .enabled = en_always, .run = run_about, .help = "Version and credits" },
	/* Navigation (no menu) */
	{ .id = "nav.menu", .label = "Menu", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = KEY_F(10), .in_pane = false, .enabled = en_always, .run = run_menu, .help = "Open the menu bar (arrows move, Enter picks, Escape closes)" },
	{ .id = "nav.next_pane", .label = "Next pane", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = '\t', .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_NEXT_PANE, .help = "Move to the next pane" },
	{ .id = "nav.prev_pane", .label = "Previous pane", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = KEY_BTAB, .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_PREV_PANE, .help = "Move to the previous pane" },
	{ .id = "nav.up", .label = "Up", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = KEY_UP, .key2 = 'k', .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_UP, .help = "Move up" },
	{ .id = "nav.down", .label = "Down", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = KEY_DOWN, .key2 = 'j', .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_DOWN, .help = "Move down" },
	{ .id = "nav.pgup", .label = "Page up", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = KEY_PPAGE, .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_PGUP, .help = "Move a page up" },
	{ .id = "nav.pgdn", .label = "Page down", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = KEY_NPAGE, .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_PGDN, .help = "Move a page down" },
	{ .id = "nav.home", .label = "First", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = KEY_HOME, .key2 = 'g', .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_HOME, .help = "Move to the first item" },
	{ .id = "nav.end", .label = "Last", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = KEY_END, .key2 = 'G', .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_END, .help = "Move to the last item" },
	{ .id = "nav.left", .label = "Collapse / back", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = KEY_LEFT, .key2 = 'h', .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_LEFT, .help = "Collapse a group or host in the tree (again: up to its parent); from the list, back to the tree" },
	{ .id = "nav.right", .label = "Expand / into", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = KEY_RIGHT, .key2 = 'l', .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_RIGHT, .help = "Expand a group or host in the tree; from the tree, into the list" },
	{ .id = "nav.open", .label = "Open", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_NAV, .key = '\n', .key2 = KEY_ENTER, .in_pane = false, .enabled = en_always, .run = run_nav, .op = TUI_NAV_OPEN, .help = "Open the selection: a tree node shows its list, a running VM its serial console, another VM its properties, an action runs" },
	{ .id = "nav.console_leave", .label = "Leave Console", .menu = TUI_MENU_NONE, .scope = TUI_SCOPE_CONSOLE, .key = CTRL(']'), .in_pane = false, .enabled = en_console_any, .run = run_console_detach, .help = "In a console: back to the tree, the console stays open (the escape key; `escape = ^X` in the config)" },
};

const size_t tui_nactions = sizeof(tui_actions) / sizeof(tui_actions[0]);

const struct tui_action *tui_action_for_key(int key)
{
	if (key == '\r')
		key = '\n';
	for (size_t i = 0; i < tui_nactions; i++)
		if (key && (tui_actions[i].key == key || tui_actions[i].key2 == key))
			return &tui_actions[i];
	return NULL;
}

const struct tui_action *tui_action_for_key_sel(const struct tui_app *a, int key)
{
	const struct tui_action *first = NULL, *mine = NULL;
	const struct tui_mode *m = a->pane;
	int scope = m && m->ops->scope ? m->ops->scope(m) : -1;
	if (key == '\r')
		key = '\n';
	const struct tui_action *other = NULL;
	/* of the enabled ones, the pane's kind first (in the Storage Pools
	 * view 'v' is New Volume, elsewhere New Virtual Machine), as the
	 * actions pane lists them */
	for (size_t i = 0; key && i < tui_nactions; i++) {
		const struct tui_action *act = &tui_actions[i];
		if (act->key != key && act->key2 != key)
			continue;
		if (tui_action_enabled(a, act)) {
			if ((int)act->scope == scope)
				return act;
			if (!other)
				other = act;
		}
		if (!first)
			first = act;
		if (!mine && (int)act->scope == scope)
			mine = act;
	}
	if (other)
		return other;
	/* none enabled: the one of the pane's kind says why ("Start Pool is
	 * not possible", not "select a VM") */
	return mine ? mine : first;
}

const struct tui_action *tui_action_by_id(const char *id)
{
	for (size_t i = 0; i < tui_nactions; i++)
		if (strcmp(tui_actions[i].id, id) == 0)
			return &tui_actions[i];
	return NULL;
}

/* The driver ability (MD_CAP_*) a VM action needs; 0 when none. */
static unsigned action_cap(const struct tui_action *act)
{
	static const struct {
		const char *id;
		unsigned cap;
	} caps[] = {
		{ "vm.shutdown", MD_CAP_SHUTDOWN }, { "vm.reboot", MD_CAP_REBOOT },
		{ "vm.reset", MD_CAP_RESET },       { "vm.pause", MD_CAP_PAUSE },
		{ "vm.resume", MD_CAP_PAUSE },      { "vm.save", MD_CAP_SAVE },
		{ "vm.discard", MD_CAP_SAVE },      { "vm.autostart", MD_CAP_AUTOSTART },
		{ "vm.console", MD_CAP_CONSOLE },   { "vm.console_force", MD_CAP_CONSOLE },
		{ "vm.console_safe", MD_CAP_CONSOLE },
	};
	for (size_t i = 0; i < CORE_ARRAY_LEN(caps); i++)
		if (strcmp(act->id, caps[i].id) == 0)
			return caps[i].cap;
	return 0;
}

/* The selected host's driver said it cannot do what act needs. */
static bool action_nosup(const struct tui_app *a, const struct tui_action *act)
{
	const md_host *h = act->scope == TUI_SCOPE_VM ? tui_sel_host(a) : NULL;
	return h && (h->nosup & action_cap(act));
}

bool tui_action_enabled(const struct tui_app *a, const struct tui_action *act)
{
	return (act->enabled == NULL || act->enabled(a)) && !action_nosup(a, act);
}

void tui_action_run(struct tui_app *a, const struct tui_action *act)
{
	if (!tui_action_enabled(a, act)) {
		const md_host *h = tui_sel_host(a);
		if (action_nosup(a, act))
			tui_status(a, true, "%s: not supported by the %s driver", act->label,
				   h->driver ? h->driver : "host's");
		else if (act->scope == TUI_SCOPE_VM && h && h->conn != MD_CONN_CONNECTED)
			tui_status(a, true, "%s: the host is %s", act->label, md_conn_name(h->conn));
		else if (act->scope == TUI_SCOPE_VM && !tui_sel_vm(a))
			tui_status(a, true, "%s: select a VM first", act->label);
		else
			tui_status(a, true, "%s is not possible for this selection", act->label);
		return;
	}
	if (act->run)
		act->run(a, act);
	else
		tui_submit_vm(a, act->op);
	a->dirty |= TUI_DIRTY_ACTIONS | TUI_DIRTY_STATUS;
}

void tui_key_name(int key, char *buf, size_t len)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
		{ '\t', "Tab" }, { KEY_BTAB, "Shift-Tab" }, { '\n', "Enter" }, { KEY_ENTER, "KP-Enter" },
		{ KEY_UP, "Up" }, { KEY_DOWN, "Down" }, { KEY_LEFT, "Left" }, { KEY_RIGHT, "Right" },
		{ KEY_PPAGE, "PgUp" }, { KEY_NPAGE, "PgDn" }, { KEY_HOME, "Home" }, { KEY_END, "End" },
		{ KEY_DC, "Delete" }, { KEY_IC, "Insert" }, { 27, "Escape" }, { ' ', "Space" },
		{ KEY_SPREVIOUS, "Shift-PgUp" }, { KEY_SNEXT, "Shift-PgDn" },
	};
	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		if (names[i].key == key) {
			snprintf(buf, len, "%s", names[i].name);
			return;
		}
	}
	if (key >= KEY_F(1) && key <= KEY_F(24))
		snprintf(buf, len, "F%d", key - KEY_F(0));
	else if (key > 0 && key < 32)
		snprintf(buf, len, "Ctrl-%c", key + '@');
	else if (key > 32 && key < 127)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "key %d", key);
}

void tui_action_keys(const struct tui_action *act, char *buf, size_t len)
{
	char k1[32], k2[32];
	if (!act->key) {
		snprintf(buf, len, "(menu)");
		return;
	}
	tui_key_name(act->key, k1, sizeof(k1));
	if (act->key2) {
		tui_key_name(act->key2, k2, sizeof(k2));
		snprintf(buf, len, "%s, %s", k1, k2);
	} else {
		snprintf(buf, len, "%s", k1);
	}
}

const char *const tui_scope_titles[TUI_SCOPE__COUNT] = {
	[TUI_SCOPE_GLOBAL] = "Everywhere",
	[TUI_SCOPE_HOST] = "Hosts",
	[TUI_SCOPE_VM] = "Virtual machines",
	[TUI_SCOPE_NET] = "Virtual networks",
	[TUI_SCOPE_POOL] = "Storage pools and volumes",
	[TUI_SCOPE_GROUP] = "Groups",
	[TUI_SCOPE_CONSOLE] = "Serial consoles",
	[TUI_SCOPE_NAV] = "Moving around",
};
