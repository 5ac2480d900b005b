/* tui/actions.c - the action table and its handlers. */
#include "actions.h"
#include "app.h"
#include "console.h"
#include "dialog.h"
#include "nav.h"

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
	const md_host *h = tui_sel_host(a);
	return h != NULL;
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
	return v && (v->state == MD_VM_SHUTOFF || v->state == MD_VM_CRASHED || v->state == MD_VM_NOSTATE);
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

static bool en_vm_resettable(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && (v->state == MD_VM_RUNNING || v->state == MD_VM_BLOCKED || v->state == MD_VM_PAUSED);
}

static bool en_vm_paused(const struct tui_app *a)
{
	const md_vm *v = vm_if_connected(a);
	return v && v->state == MD_VM_PAUSED;
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

static bool en_list(const struct tui_app *a)
{
	return tui_list_is_vms(a);
}

/* ---- handlers ---------------------------------------------------------- */

static void run_quit(struct tui_app *a)
{
	a->quit = true;
}

static void run_start(struct tui_app *a)
{
	tui_submit_vm(a, BE_OP_START);
}

static void run_shutdown(struct tui_app *a)
{
	tui_submit_vm(a, BE_OP_SHUTDOWN);
}

static void run_reboot(struct tui_app *a)
{
	tui_submit_vm(a, BE_OP_REBOOT);
}

static void run_pause(struct tui_app *a)
{
	tui_submit_vm(a, BE_OP_SUSPEND);
}

static void run_resume(struct tui_app *a)
{
	tui_submit_vm(a, BE_OP_RESUME);
}

static void run_save(struct tui_app *a)
{
	tui_submit_vm(a, BE_OP_SAVE);
}

static void run_autostart(struct tui_app *a)
{
	const md_vm *v = tui_sel_vm(a);
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
	struct tui_host *th = tui_host_by_id(a, d->host_id);
	if (result != TUI_DLG_OK || !th)
		return;
	be_host_submit(th->be, c->op, d->uuid, NULL, 0);
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
	d->host_id = h->id;
	snprintf(d->uuid, sizeof(d->uuid), "%s", v->uuid);
	tui_push_dialog(a, d);
	free(name);
	free(text);
}

static void run_destroy(struct tui_app *a)
{
	confirm_vm(a, BE_OP_DESTROY, "Turn Off",
		   "This cuts the power at once: unsaved data in the guest is lost.", "Turn Off");
}

static void run_reset(struct tui_app *a)
{
	confirm_vm(a, BE_OP_RESET, "Reset",
		   "This resets the machine at once, like a reset button: unsaved data in the guest is lost.",
		   "Reset");
}

static void run_discard_save(struct tui_app *a)
{
	confirm_vm(a, BE_OP_SAVE_REMOVE, "Discard Saved State",
		   "The saved memory state is deleted; the next start is a cold boot.", "Discard");
}

static void run_delete(struct tui_app *a)
{
	tui_open_delete_dialog(a);
}

static void run_properties(struct tui_app *a)
{
	tui_open_properties(a);
}

static void run_add_host(struct tui_app *a)
{
	tui_open_add_host(a);
}

static void run_group_new(struct tui_app *a)
{
	tui_open_new_group(a);
}

static void run_group_rename(struct tui_app *a)
{
	tui_open_rename_group(a);
}

static void run_group_remove(struct tui_app *a)
{
	tui_open_remove_group(a);
}

static void run_host_move(struct tui_app *a)
{
	tui_open_move_to_group(a);
}

static void run_host_props(struct tui_app *a)
{
	tui_open_host_properties(a);
}

static void run_host_connect(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	struct tui_host *th = h ? tui_host_by_id(a, h->id) : NULL;
	if (th)
		be_host_submit(th->be, BE_OP_CONNECT, NULL, NULL, 0);
}

static void run_host_disconnect(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	struct tui_host *th = h ? tui_host_by_id(a, h->id) : NULL;
	if (th)
		be_host_submit(th->be, BE_OP_DISCONNECT, NULL, NULL, 0);
}

static void remove_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	if (result == TUI_DLG_OK)
		tui_remove_host(a, d->host_id);
}

static void run_host_remove(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	struct tui_dialog *d;
	char *label, *text;
	if (!h)
		return;
	label = core_sanitize(h->uri);
	text = xasprintf("Remove %s from the console tree?\n\nIts VMs are not touched.", label);
	d = tui_confirm("Remove Host", text, "Remove", remove_done);
	d->host_id = h->id;
	tui_push_dialog(a, d);
	free(label);
	free(text);
}

static void run_refresh(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	struct tui_host *th = h ? tui_host_by_id(a, h->id) : NULL;
	if (th && h->conn == MD_CONN_CONNECTED)
		be_host_submit(th->be, BE_OP_REFRESH, NULL, NULL, 0);
	else if (th)
		be_host_submit(th->be, BE_OP_CONNECT, NULL, NULL, 0);
}

static void run_filter(struct tui_app *a)
{
	a->filter_editing = true;
	a->focus = TUI_PANE_LIST;
	a->dirty |= TUI_DIRTY_ALL;
}

/* The next column shown at this width (hidden ones are skipped). */
static void sort_step(struct tui_app *a, int dir)
{
	int width = a->w_list ? getmaxx(a->w_list) - (a->actions_visible ? 1 : 0) : 0;
	int c = a->sort_col;
	for (int i = 0; i < TUI_COL__COUNT; i++) {
		c = (c + dir + TUI_COL__COUNT) % TUI_COL__COUNT;
		if (!a->w_list || tui_col_width(a, c, width) > 0)
			break;
	}
	a->sort_col = c;
	a->dirty |= TUI_DIRTY_ROWS | TUI_DIRTY_LIST;
}

static void run_sort_next(struct tui_app *a)
{
	sort_step(a, +1);
}

static void run_sort_prev(struct tui_app *a)
{
	sort_step(a, -1);
}

static bool en_perf_vm(const struct tui_app *a)
{
	return tui_sel_vm(a) != NULL;
}

static void run_perf_vm(struct tui_app *a)
{
	tui_perf_open(a, false);
}

static void run_perf_host(struct tui_app *a)
{
	tui_perf_open(a, true);
}

static void run_freeze(struct tui_app *a)
{
	tui_perf_toggle_freeze(a);
}

static void run_faster(struct tui_app *a)
{
	tui_perf_change_delay(a, -1);
}

static void run_slower(struct tui_app *a)
{
	tui_perf_change_delay(a, +1);
}

static void run_cpu_host(struct tui_app *a)
{
	tui_perf_toggle_cpu_host(a);
}

static void run_sort_reverse(struct tui_app *a)
{
	a->sort_desc = !a->sort_desc;
	a->dirty |= TUI_DIRTY_ROWS | TUI_DIRTY_LIST;
}

static void run_toggle_actions(struct tui_app *a)
{
	a->show_actions = !a->show_actions;
	tui_layout(a);
}

static void run_redraw(struct tui_app *a)
{
	clearok(curscr, TRUE);
	a->dirty |= TUI_DIRTY_ALL;
}

static void run_help(struct tui_app *a)
{
	a->help_open = true;
	a->help_top = 0;
	a->dirty |= TUI_DIRTY_ALL;
}

static void run_about(struct tui_app *a)
{
	tui_push_dialog(a, tui_msgbox("About vmmc",
				      "vmmc " VMMC_VERSION "\n\nA terminal management console for virtual machines,\n"
				      "on libvirt. Keyboard first; mouse too.\n\nF1 lists every key.",
				      false));
}

static void run_menu(struct tui_app *a)
{
	a->menu_open = 0;
	a->menu_item = 0;
	a->dirty |= TUI_DIRTY_ALL;
}

static void run_next_pane(struct tui_app *a)
{
	tui_nav(a, TUI_NAV_NEXT_PANE);
}

static void run_prev_pane(struct tui_app *a)
{
	tui_nav(a, TUI_NAV_PREV_PANE);
}

/* serial consoles (tui/console.c) */
static bool en_console_any(const struct tui_app *a)
{
	return tui_console_any(a);
}

static void run_console(struct tui_app *a)
{
	tui_console_connect(a, 0);
}

static void run_console_safe(struct tui_app *a)
{
	tui_console_connect(a, BE_CONSOLE_SAFE);
}

static void run_console_force(struct tui_app *a)
{
	tui_console_connect(a, BE_CONSOLE_FORCE);
}

static void run_console_next(struct tui_app *a)
{
	tui_console_next(a);
}

static void run_console_full(struct tui_app *a)
{
	tui_console_fullscreen(a);
}

static void run_console_log(struct tui_app *a)
{
	tui_console_log(a);
}

static void run_console_close(struct tui_app *a)
{
	tui_console_close_active(a);
}

static void run_console_scroll(struct tui_app *a)
{
	tui_console_scrollback(a);
}

static void run_console_detach(struct tui_app *a)
{
	tui_console_detach(a);
}

#define NAV(fn, how) \
	static void fn(struct tui_app *a) { tui_nav(a, how); }
NAV(run_up, TUI_NAV_UP)
NAV(run_down, TUI_NAV_DOWN)
NAV(run_pgup, TUI_NAV_PGUP)
NAV(run_pgdn, TUI_NAV_PGDN)
NAV(run_home, TUI_NAV_HOME)
NAV(run_end, TUI_NAV_END)
NAV(run_left, TUI_NAV_LEFT)
NAV(run_right, TUI_NAV_RIGHT)
NAV(run_open, TUI_NAV_OPEN)
#undef NAV

/* ---- the table ----------------------------------------------------------- */

const struct tui_action tui_actions[] = {
	/* File */
	{ "host.add", "Add Host...", TUI_MENU_FILE, TUI_SCOPE_GLOBAL, '+', KEY_IC, "Add a host by its libvirt URI or over SSH (host, user, port), in a group or not (saved in the config)", true, en_always, run_add_host },
	{ "group.new", "New Group...", TUI_MENU_FILE, TUI_SCOPE_GLOBAL, 'N', 0, "Make a group: a folder of the console tree for hosts (saved in the config)", true, en_always, run_group_new },
	{ "host.connect", "Connect Host", TUI_MENU_FILE, TUI_SCOPE_HOST, 'C', 0, "Connect the selected host now (skips the retry wait)", true, en_host_can_connect, run_host_connect },
	{ "host.disconnect", "Disconnect Host", TUI_MENU_FILE, TUI_SCOPE_HOST, 'X', 0, "Disconnect the selected host and stop retrying", true, en_host_can_disconnect, run_host_disconnect },
	{ "host.remove", "Remove Host", TUI_MENU_FILE, TUI_SCOPE_HOST, '-', 0, "Remove the selected host from the tree and the config", true, en_host, run_host_remove },
	{ "host.move", "Move to Group...", TUI_MENU_FILE, TUI_SCOPE_HOST, 'm', 0, "Put the selected host in a group, a new group, or the top level of the tree", true, en_host, run_host_move },
	{ "host.properties", "Host Properties", TUI_MENU_FILE, TUI_SCOPE_HOST, 'e', 0, "The selected host's URI, state and last error; change its name, group and whether the config keeps it", true, en_host, run_host_props },
	{ "group.rename", "Rename Group...", TUI_MENU_FILE, TUI_SCOPE_GROUP, KEY_F(2), 0, "Rename the selected group (its hosts stay in it)", true, en_group, run_group_rename },
	{ "group.remove", "Remove Group...", TUI_MENU_FILE, TUI_SCOPE_GROUP, '-', 0, "Remove the selected group (asks first); its hosts move to the top level of the tree", true, en_group, run_group_remove },
	{ "host.perf", "Host Performance", TUI_MENU_VIEW, TUI_SCOPE_HOST, 'H', 0, "Graphs of the host's CPU and memory and of its VMs' disk and network (Escape goes back)", true, en_host, run_perf_host },
	{ "app.quit", "Quit", TUI_MENU_FILE, TUI_SCOPE_GLOBAL, 'q', KEY_F(12), "Quit vmmc", true, en_always, run_quit },
	/* Action */
	{ "vm.start", "Start", TUI_MENU_ACTION, TUI_SCOPE_VM, 's', 0, "Start the VM (from its saved state when it has one)", true, en_vm_startable, run_start },
	{ "vm.shutdown", "Shut Down", TUI_MENU_ACTION, TUI_SCOPE_VM, 'd', 0, "Ask the guest to shut down (ACPI power button)", true, en_vm_running, run_shutdown },
	{ "vm.destroy", "Turn Off...", TUI_MENU_ACTION, TUI_SCOPE_VM, 'o', 0, "Turn the VM off at once (asks first)", true, en_vm_active, run_destroy },
	{ "vm.reboot", "Reboot", TUI_MENU_ACTION, TUI_SCOPE_VM, 'r', 0, "Ask the guest to reboot", true, en_vm_running, run_reboot },
	{ "vm.reset", "Reset...", TUI_MENU_ACTION, TUI_SCOPE_VM, 'R', 0, "Reset the VM at once (asks first)", true, en_vm_resettable, run_reset },
	{ "vm.pause", "Pause", TUI_MENU_ACTION, TUI_SCOPE_VM, 'p', 0, "Pause the VM's CPUs", true, en_vm_running, run_pause },
	{ "vm.resume", "Resume", TUI_MENU_ACTION, TUI_SCOPE_VM, 'u', 0, "Resume a paused VM", true, en_vm_paused, run_resume },
	{ "vm.save", "Save", TUI_MENU_ACTION, TUI_SCOPE_VM, 'S', 0, "Save the VM's memory to disk and stop it (managed save); Start restores it", true, en_vm_saveable, run_save },
	{ "vm.discard", "Discard Save...", TUI_MENU_ACTION, TUI_SCOPE_VM, 'x', 0, "Delete the VM's saved state (asks first)", true, en_vm_has_save, run_discard_save },
	{ "vm.autostart", "Autostart On/Off", TUI_MENU_ACTION, TUI_SCOPE_VM, 'a', 0, "Start the VM when the host boots, or not", true, en_vm_persistent, run_autostart },
	{ "vm.delete", "Delete...", TUI_MENU_ACTION, TUI_SCOPE_VM, KEY_DC, 'D', "Delete the VM, optionally with its storage volumes (asks first)", true, en_vm, run_delete },
	{ "vm.properties", "Properties", TUI_MENU_ACTION, TUI_SCOPE_VM, 'i', 0, "Show the VM's details", true, en_vm_any, run_properties },
	{ "vm.perf", "Performance", TUI_MENU_ACTION, TUI_SCOPE_VM, 'P', 0, "Graphs of the VM's CPU, memory, disk and network over the last minutes (Escape goes back)", true, en_perf_vm, run_perf_vm },
	{ "vm.console", "Connect Console", TUI_MENU_ACTION, TUI_SCOPE_VM, 'c', 0, "Open the VM's serial console in the results pane (Enter on a running VM does too; a shut-off VM is offered a start)", true, en_vm, run_console },
	{ "vm.console_force", "Take Over Console", TUI_MENU_ACTION, TUI_SCOPE_VM, 'T', 0, "Connect to the VM's serial console, disconnecting another client that holds it", false, en_vm_active, run_console_force },
	{ "vm.console_safe", "Connect Console (Safe)", TUI_MENU_ACTION, TUI_SCOPE_VM, 0, 0, "Connect only if the host's driver guarantees exclusive access to the console", false, en_vm_active, run_console_safe },
	{ "console.log", "Log Console to File...", TUI_MENU_ACTION, TUI_SCOPE_GLOBAL, 'L', 0, "Start appending the shown console's output to a file (asks which), or stop", false, en_console_any, run_console_log },
	{ "console.close", "Close Console", TUI_MENU_ACTION, TUI_SCOPE_GLOBAL, 'w', 0, "Close the shown console (its tab and scrollback)", false, en_console_any, run_console_close },
	/* View */
	{ "console.next", "Next Console", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, 'n', 0, "Show the open consoles, then cycle through their tabs (Enter or Tab attaches)", false, en_console_any, run_console_next },
	{ "console.fullscreen", "Full Screen Console", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, 'f', KEY_F(11), "Give the console the whole terminal; the escape key (Ctrl-]) returns", false, en_console_any, run_console_full },
	{ "console.scroll", "Scroll Back Console", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, KEY_SPREVIOUS, 0, "Scroll the console back (also while typing in it): PgUp/PgDn, Home/End, / searches, n next, Escape returns", false, en_console_any, run_console_scroll },
	{ "view.refresh", "Refresh", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, KEY_F(5), CTRL('r'), "Re-read the selected host (or connect it now)", true, en_host, run_refresh },
	{ "view.filter", "Filter by Name...", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, '/', 0, "Type to filter the VM list by name; Enter keeps, Escape clears", false, en_list, run_filter },
	{ "view.sort_next", "Sort by Next Column", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, '>', '.', "Sort the list by the next column (or click a header)", false, en_list, run_sort_next },
	{ "view.sort_prev", "Sort by Previous Column", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, '<', ',', "Sort the list by the previous column", false, en_list, run_sort_prev },
	{ "view.sort_reverse", "Reverse Sort Order", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, 'I', 0, "Reverse the sort order", false, en_list, run_sort_reverse },
	{ "view.freeze", "Freeze Figures", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, 'Z', 0, "Freeze the live figures and graphs, or let them run again", false, en_always, run_freeze },
	{ "view.faster", "Shorter Refresh Interval", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, '[', 0, "Refresh more often (0.5, 1, 2, 3, 5, 10, 30, 60 s)", false, en_always, run_faster },
	{ "view.slower", "Longer Refresh Interval", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, ']', 0, "Refresh less often", false, en_always, run_slower },
	{ "view.cpu_host", "CPU % of Host / of vCPUs", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, '%', 0, "Show CPU use as a share of the host's CPUs, or of the VM's own vCPUs (100 = all busy)", false, en_always, run_cpu_host },
	{ "view.actions", "Show/Hide Actions Pane", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, KEY_F(9), 0, "Show or hide the actions pane (hidden when the terminal is narrow)", false, en_always, run_toggle_actions },
	{ "view.redraw", "Redraw Screen", TUI_MENU_VIEW, TUI_SCOPE_GLOBAL, CTRL('l'), 0, "Redraw the whole screen", false, en_always, run_redraw },
	/* Help */
	{ "help.keys", "Keys", TUI_MENU_HELP, TUI_SCOPE_GLOBAL, KEY_F(1), '?', "Show every key", false, en_always, run_help },
	{ "help.about", "About vmmc", TUI_MENU_HELP, TUI_SCOPE_GLOBAL, 0, 0, "Version and credits", false, en_always, run_about },
	/* Navigation (no menu) */
	{ "nav.menu", "Menu", TUI_MENU_NONE, TUI_SCOPE_NAV, KEY_F(10), 0, "Open the menu bar (arrows move, Enter picks, Escape closes)", false, en_always, run_menu },
	{ "nav.next_pane", "Next pane", TUI_MENU_NONE, TUI_SCOPE_NAV, '\t', 0, "Move to the next pane", false, en_always, run_next_pane },
	{ "nav.prev_pane", "Previous pane", TUI_MENU_NONE, TUI_SCOPE_NAV, KEY_BTAB, 0, "Move to the previous pane", false, en_always, run_prev_pane },
	{ "nav.up", "Up", TUI_MENU_NONE, TUI_SCOPE_NAV, KEY_UP, 'k', "Move up", false, en_always, run_up },
	{ "nav.down", "Down", TUI_MENU_NONE, TUI_SCOPE_NAV, KEY_DOWN, 'j', "Move down", false, en_always, run_down },
	{ "nav.pgup", "Page up", TUI_MENU_NONE, TUI_SCOPE_NAV, KEY_PPAGE, 0, "Move a page up", false, en_always, run_pgup },
	{ "nav.pgdn", "Page down", TUI_MENU_NONE, TUI_SCOPE_NAV, KEY_NPAGE, 0, "Move a page down", false, en_always, run_pgdn },
	{ "nav.home", "First", TUI_MENU_NONE, TUI_SCOPE_NAV, KEY_HOME, 'g', "Move to the first item", false, en_always, run_home },
	{ "nav.end", "Last", TUI_MENU_NONE, TUI_SCOPE_NAV, KEY_END, 'G', "Move to the last item", false, en_always, run_end },
	{ "nav.left", "Collapse / back", TUI_MENU_NONE, TUI_SCOPE_NAV, KEY_LEFT, 'h', "Collapse a group or host in the tree (again: up to its parent); from the list, back to the tree", false, en_always, run_left },
	{ "nav.right", "Expand / into", TUI_MENU_NONE, TUI_SCOPE_NAV, KEY_RIGHT, 'l', "Expand a group or host in the tree; from the tree, into the list", false, en_always, run_right },
	{ "nav.open", "Open", TUI_MENU_NONE, TUI_SCOPE_NAV, '\n', KEY_ENTER, "Open the selection: a tree node shows its list, a running VM its serial console, another VM its properties, an action runs", false, en_always, run_open },
	{ "nav.console_leave", "Leave Console", TUI_MENU_NONE, TUI_SCOPE_NAV, CTRL(']'), 0, "In a console: back to the tree, the console stays open (the escape key; `escape = ^X` in the config)", false, en_console_any, run_console_detach },
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
	const struct tui_action *first = NULL;
	if (key == '\r')
		key = '\n';
	for (size_t i = 0; key && i < tui_nactions; i++) {
		const struct tui_action *act = &tui_actions[i];
		if (act->key != key && act->key2 != key)
			continue;
		if (tui_action_enabled(a, act))
			return act;
		if (!first)
			first = act;
	}
	return first;
}

const struct tui_action *tui_action_by_id(const char *id)
{
	for (size_t i = 0; i < tui_nactions; i++)
		if (strcmp(tui_actions[i].id, id) == 0)
			return &tui_actions[i];
	return NULL;
}

bool tui_action_enabled(const struct tui_app *a, const struct tui_action *act)
{
	return act->enabled == NULL || act->enabled(a);
}

void tui_action_run(struct tui_app *a, const struct tui_action *act)
{
	if (!tui_action_enabled(a, act)) {
		const md_host *h = tui_sel_host(a);
		if (act->scope == TUI_SCOPE_VM && h && h->conn != MD_CONN_CONNECTED)
			tui_status(a, true, "%s: the host is %s", act->label, md_conn_name(h->conn));
		else if (act->scope == TUI_SCOPE_VM && !tui_sel_vm(a))
			tui_status(a, true, "%s: select a VM first", act->label);
		else
			tui_status(a, true, "%s is not possible for this selection", act->label);
		return;
	}
	act->run(a);
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

static const char *const scope_titles[] = {
	[TUI_SCOPE_GLOBAL] = "Everywhere",
	[TUI_SCOPE_HOST] = "Hosts",
	[TUI_SCOPE_VM] = "Virtual machines",
	[TUI_SCOPE_GROUP] = "Groups",
	[TUI_SCOPE_NAV] = "Moving around",
};

/* Put s for mdoc: backslashes and quotes escaped. key = true: a key name
 * inside a quoted macro argument, where mdoc's delimiters (". , ; : ? ! ( )
 * [ ] |") get a "\&" so that they stay text; key = false: a text line, cut at
 * blanks into lines of at most 80 bytes (a line that would start with '.'
 * or '\'' gets "\&"). */
static void mdoc_put(const char *s, bool key)
{
	size_t col = 0;
	while (*s) {
		const char *w = s;
		size_t n = 0, wlen;
		char buf[1024];
		while (*w == ' ')
			w++;
		if (!*w)
			break;
		/* the next word (for a key: the rest), escaped into buf */
		for (s = w; *s && (key || *s != ' ') && n + 8 < sizeof(buf); s++) {
			if (*s == '\\')
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\e");
			else if (*s == '"')
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\(dq");
			else if (key && strchr(".,;:?!()[]|", *s))
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\&%c", *s);
			else
				buf[n++] = *s;
		}
		buf[n] = '\0';
		wlen = n + (buf[0] == '.' || buf[0] == '\'' ? 2 : 0);
		if (col && col + 1 + wlen > 80) {
			putchar('\n');
			col = 0;
		} else if (col) {
			putchar(' ');
			col++;
		}
		if (!col && (buf[0] == '.' || buf[0] == '\''))
			fputs("\\&", stdout);
		fputs(buf, stdout);
		col += wlen;
	}
}

int tui_dump_keys(const char *format)
{
	bool mdoc;
	if (strcmp(format, "mdoc") == 0)
		mdoc = true;
	else if (strcmp(format, "text") == 0)
		mdoc = false;
	else {
		fprintf(stderr, "vmmc: --dump-keys takes mdoc or text, not '%s'\n", format);
		return 2;
	}
	for (int scope = TUI_SCOPE_GLOBAL; scope <= TUI_SCOPE_NAV; scope++) {
		if (mdoc)
			printf(".Ss %s\n.Bl -tag -width Ds -compact\n", scope_titles[scope]);
		else
			printf("%s:\n", scope_titles[scope]);
		for (size_t i = 0; i < tui_nactions; i++) {
			const struct tui_action *act = &tui_actions[i];
			char keys[64];
			if (act->scope != scope)
				continue;
			tui_action_keys(act, keys, sizeof(keys));
			if (!mdoc) {
				printf("  %-16s %s\n", keys, act->help);
				continue;
			}
			if (act->key || act->menu < 0 || act->menu >= TUI_MENU__COUNT) {
				/* quoted, so that "," and "." stay keys, not punctuation */
				fputs(".It Sy \"", stdout);
				mdoc_put(act->key ? keys : "(none)", true);
				fputs("\"\n", stdout);
			} else { /* only in a menu: its path, "Help -> About" */
				fputs(".It Sy \"", stdout);
				mdoc_put(tui_menu_names[act->menu], true);
				fputs("\" No \\(-> Sy \"", stdout);
				mdoc_put(act->label, true);
				fputs("\"\n", stdout);
			}
			mdoc_put(act->help, false);
			putchar('\n');
		}
		if (mdoc)
			printf(".El\n");
	}
	return 0;
}
