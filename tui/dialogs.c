/* tui/dialogs.c - the dialogs that actions open: Delete, Properties, Add Host. */
#include "app.h"
#include "dialog.h"
#include "nav.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/util.h"

/* ---- Delete ----------------------------------------------------------------- */

static void delete_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct tui_host *th = tui_host_by_id(a, d->host_id);
	struct tui_page *p = &d->pages[0];
	char **paths;
	size_t n = 0;
	if (result != TUI_DLG_OK || !th)
		return;
	paths = xcalloc(p->nfields + 1, sizeof(*paths));
	for (size_t i = 0; i < p->nfields; i++)
		if (p->fields[i].kind == TUI_F_CHECK && p->fields[i].checked)
			paths[n++] = p->fields[i].value;
	be_host_submit(th->be, BE_OP_DELETE, d->uuid, paths, n);
	free(paths);
	tui_status(a, false, "Deleting...");
}

static char *delete_text(const md_vm *v, const char *volumes)
{
	char *name = core_sanitize(v->name);
	char *t = xasprintf("Delete '%s'?\n\n%sThe VM's definition %s removed. %s", name,
			    md_vm_state_active(v->state) ? "It is running: it will be turned off first.\n" : "",
			    v->managed_save ? "and its saved state are" : "is", volumes);
	free(name);
	return t;
}

void tui_open_delete_dialog(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	const md_vm *v = tui_sel_vm(a);
	struct tui_host *th = h ? tui_host_by_id(a, h->id) : NULL;
	struct tui_dialog *d;
	char *text;
	if (!v || !th)
		return;
	text = delete_text(v, "Looking for its storage volumes...");
	d = tui_dialog_new("Delete Virtual Machine", TUI_BTN_OK_CANCEL);
	tui_dialog_add_page(d, NULL, text);
	free(text);
	d->ok_label = xstrdup("Delete");
	d->on_done = delete_done;
	d->host_id = h->id;
	snprintf(d->uuid, sizeof(d->uuid), "%s", v->uuid);
	d->focus = 1; /* Cancel */
	d->wait_seq = be_host_submit(th->be, BE_OP_DISKS, v->uuid, NULL, 0);
	tui_push_dialog(a, d);
}

void tui_dialogs_disks(struct tui_app *a, const md_msg *m)
{
	for (size_t i = 0; i < a->ndialogs; i++) {
		struct tui_dialog *d = a->dialogs[i];
		const md_host *h = md_host_get(a->model, m->host_id);
		const md_vm *v = h ? md_vm_find(h, d->uuid) : NULL;
		char *text;
		if (d->wait_seq != m->seq || d->host_id != m->host_id || !v)
			continue;
		d->wait_seq = 0;
		text = delete_text(v, m->nstrs ? "Tick the volumes to delete with it (Space):"
					       : m->ok || !m->text ? "It has no storage volumes."
							       : "Its volumes could not be listed.");
		tui_dialog_set_text(d, 0, text);
		free(text);
		for (size_t k = 0; k < m->nstrs; k++) {
			char *safe = core_sanitize(m->strs[k]);
			struct tui_field *f = tui_page_add_field(&d->pages[0], TUI_F_CHECK, safe, m->strs[k]);
			(void)f;
			free(safe);
		}
		d->focus = (int)m->nstrs + 1; /* still Cancel */
		tui_dialog_layout(a, d);
		a->dirty |= TUI_DIRTY_ALL;
	}
}

/* ---- Properties ------------------------------------------------------------- */

void tui_open_properties(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	const md_vm *v = tui_sel_vm(a);
	char mem[32], maxmem[32], up[32];
	char *name, *host, *text;
	if (!v || !h)
		return;
	name = core_sanitize(v->name);
	host = core_sanitize(h->label);
	core_fmt_kib(v->mem_kib, mem, sizeof(mem));
	core_fmt_kib(v->maxmem_kib, maxmem, sizeof(maxmem));
	core_fmt_uptime(v->started_wall && md_vm_state_active(v->state) ? core_wall_s() - v->started_wall : -1, up,
			sizeof(up));
	text = xasprintf("Name:        %s\nUUID:        %s\nHost:        %s\nState:       %s\n"
			 "vCPUs:       %u\nMemory:      %s (max %s)\nAutostart:   %s\nPersistent:  %s\n"
			 "Saved state: %s\nUptime:      %s",
			 name, v->uuid, host, md_vm_state_name(v->state), v->vcpus, mem, maxmem,
			 v->autostart ? "yes" : "no", v->persistent ? "yes" : "no (transient)",
			 v->managed_save ? "yes" : "no", up);
	tui_push_dialog(a, tui_msgbox("Properties", text, false));
	free(name);
	free(host);
	free(text);
}

/* ---- Add Host ---------------------------------------------------------------- */

static int add_host_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	const char *uri = p->fields[0].value;
	(void)d;
	if (!uri || !*uri) {
		*err = xstrdup("Enter a libvirt URI, e.g. qemu:///system or qemu+ssh://root@host/system");
		return -1;
	}
	for (const char *s = uri; *s; s++) {
		if ((unsigned char)*s < 32 || *s == 127) {
			*err = xstrdup("The URI holds a control character");
			return -1;
		}
	}
	if (!strstr(uri, ":/")) {
		*err = xstrdup("That is not a URI: it needs a scheme, e.g. qemu:///system");
		return -1;
	}
	return 0;
}

static void add_host_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct tui_page *p = &d->pages[0];
	int id;
	bool save = p->fields[2].checked;
	if (result != TUI_DLG_OK)
		return;
	id = tui_add_host(a, p->fields[0].value, p->fields[1].value, save, false);
	for (size_t i = 0; i < a->nnodes; i++)
		if (a->nodes[i].host_id == id && a->nodes[i].kind == TUI_NODE_HOST)
			a->tree_sel = i;
	tui_status(a, false, "Added host %s", p->fields[0].value);
	if (save)
		tui_save_config(a);
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
}

void tui_open_add_host(struct tui_app *a)
{
	struct tui_dialog *d = tui_dialog_new("Add Host", TUI_BTN_OK_CANCEL);
	struct tui_page *p = tui_dialog_add_page(d, NULL,
						 "A libvirt URI: qemu:///system, qemu:///session,\n"
						 "qemu+ssh://user@host/system, test:///default ...");
	p->validate = add_host_validate;
	tui_page_add_field(p, TUI_F_TEXT, "URI", "");
	tui_page_add_field(p, TUI_F_TEXT, "Name", "");
	tui_page_add_field(p, TUI_F_CHECK, "Save in the config", "")->checked = true;
	d->ok_label = xstrdup("Add");
	d->on_done = add_host_done;
	tui_push_dialog(a, d);
}
