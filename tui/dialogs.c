/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/dialogs.c - the dialogs that actions open: Delete, Properties, Add Host
 * (a libvirt URI, or SSH fields that make an ssh:// URI). */
#include "app.h"
#include "dialog.h"
#include "nav.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/hosturi.h"
#include "../core/sanitize.h"
#include "../core/util.h"

/* ---- Delete ----------------------------------------------------------------- */

/* The volumes are check boxes whose value (text) is the raw path. */
static void delete_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct core_reg_host *th = tui_host_by_id(a, d->mode.host_id);
	struct tui_page *p = d->pages[0];
	const char **paths;
	size_t n = 0;
	if (result != TUI_DLG_OK || !th)
		return;
	paths = xcalloc(p->nfields + 1, sizeof(*paths));
	for (size_t i = 0; i < p->nfields; i++)
		if (p->fields[i]->ops == &tui_field_check && p->fields[i]->checked)
			paths[n++] = tui_field_value(p->fields[i]);
	be_host_submit(tui_host_be(th), BE_OP_DELETE, d->uuid, (char **)paths, n);
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

/* The answer of BE_OP_DISKS: a check box per volume, the focus kept on Cancel. */
static void delete_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	const md_host *h = md_host_get(a->model, m->host_id);
	const md_vm *v = h ? md_vm_find(h, d->uuid) : NULL;
	char *text, *why = NULL;
	if (m->type != MD_MSG_VM_DISKS || !v)
		return;
	if (m->text) { /* its XML unreadable: the definition alone can go */
		char *clean = core_sanitize(m->text);
		why = xasprintf("Its volumes are not offered: its configuration could not be read (%s). "
				"Delete removes the definition only.",
				clean);
		free(clean);
	}
	text = delete_text(v, why ? why : m->nstrs ? "Tick the volumes to delete with it (Space):"
						   : "It has no storage volumes.");
	tui_dialog_set_text(d, 0, text);
	free(text);
	free(why);
	for (size_t k = 0; k < m->nstrs; k++) {
		char *id = xasprintf("volume%zu", k);
		struct tui_field *f = tui_page_add(d->pages[0], &tui_field_check, id, NULL, m->strs[k]);
		free(f->label); /* a path from outside: no '&' marks in it */
		f->label = core_sanitize(m->strs[k]);
		free(id);
	}
	d->focus = (int)m->nstrs + 1; /* still Cancel */
}

void tui_open_delete_dialog(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	const md_vm *v = tui_sel_vm(a);
	struct core_reg_host *th = h ? tui_host_by_id(a, h->id) : NULL;
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
	d->on_reply = delete_reply;
	d->mode.host_id = h->id;
	snprintf(d->uuid, sizeof(d->uuid), "%s", v->uuid);
	d->focus = 1; /* Cancel */
	tui_push_dialog(a, d);
	tui_mode_expect(a, &d->mode, h->id, be_host_submit(tui_host_be(th), BE_OP_DISKS, v->uuid, NULL, 0));
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

/* The dialog has one page whose first field picks the kind; the fields
 * after it are rebuilt when the kind changes (on_change), their values
 * kept here. */
enum { ADD_KIND_URI, ADD_KIND_SSH, ADD_KIND_ESX };

struct add_host_ctx {
	struct tui_app *a;
	int kind;
	char *uri, *host, *user, *port, *driver, *name;
	int daemon;        /* 0 system, 1 session */
	char *path;        /* ESX kind: the vCenter path */
	int vmware;        /* ESX kind: 0 ESX host, 1 vCenter */
	bool no_verify;    /* ESX kind: skip the certificate check */
	int group;         /* the Group choice: 0 none, else a->reg.groups[group - 1] */
	bool save;
	char *built;       /* the URI add_host_validate made */
};

static const char add_uri_text[] = "A libvirt URI: qemu:///system, qemu:///session,\n"
				   "qemu+ssh://user@host/system, test:///default ...";
static const char add_ssh_text[] = "vmmc logs in with SSH (your keys, agent and ~/.ssh/config) and talks to "
				   "libvirt there: ssh://[user@]host[:port]/system|session. User and Port may "
				   "stay empty (~/.ssh/config's, else the defaults).";
static const char add_esx_text[] = "VMware ESX or vCenter through libvirt's esx driver (esx://, vpx://). "
				   "The password is asked when connecting and never stored. vCenter needs "
				   "the path of the datacenter and compute resource (dc1/cluster1).";

static void add_host_ctx_free(struct tui_dialog *d)
{
	struct add_host_ctx *c = d->ctx;
	if (!c)
		return;
	free(c->uri);
	free(c->host);
	free(c->user);
	free(c->port);
	free(c->driver);
	free(c->name);
	free(c->path);
	free(c->built);
	free(c);
	d->ctx = NULL;
}

/* The fields' values into c (by id: the two kinds share some). */
static void add_host_keep(struct add_host_ctx *c, struct tui_dialog *d)
{
	static const struct {
		const char *id;
		size_t off;
	} text[] = {
		{ "uri", offsetof(struct add_host_ctx, uri) },
		{ "host", offsetof(struct add_host_ctx, host) },
		{ "user", offsetof(struct add_host_ctx, user) },
		{ "port", offsetof(struct add_host_ctx, port) },
		{ "driver", offsetof(struct add_host_ctx, driver) },
		{ "name", offsetof(struct add_host_ctx, name) },
		{ "path", offsetof(struct add_host_ctx, path) },
	};
	struct tui_field *f;
	for (size_t i = 0; i < CORE_ARRAY_LEN(text); i++)
		if ((f = tui_dialog_field(d, text[i].id)) != NULL)
			core_str_set((char **)((char *)c + text[i].off), tui_field_value(f));
	if ((f = tui_dialog_field(d, "daemon")) != NULL)
		c->daemon = f->choice;
	if ((f = tui_dialog_field(d, "group")) != NULL)
		c->group = f->choice;
	if ((f = tui_dialog_field(d, "save")) != NULL)
		c->save = f->checked;
	if ((f = tui_dialog_field(d, "vmware")) != NULL)
		c->vmware = f->choice;
	if ((f = tui_dialog_field(d, "noverify")) != NULL)
		c->no_verify = f->checked;
}

static void add_host_fields(struct add_host_ctx *c, struct tui_page *p)
{
	struct tui_field *f;
	tui_page_clear_fields(p);
	f = tui_page_add(p, &tui_field_choice, "kind", "&Kind", NULL);
	tui_field_add_choice(f, "libvirt URI");
	tui_field_add_choice(f, "SSH");
	tui_field_add_choice(f, "ESX / vCenter");
	f->choice = c->kind;
	if (c->kind == ADD_KIND_URI) {
		core_str_set(&p->text, add_uri_text);
		tui_page_add(p, &tui_field_text, "uri", "&URI", c->uri);
	} else if (c->kind == ADD_KIND_ESX) {
		core_str_set(&p->text, add_esx_text);
		f = tui_page_add(p, &tui_field_choice, "vmware", "&Type", NULL);
		tui_field_add_choice(f, "ESX host");
		tui_field_add_choice(f, "vCenter");
		f->choice = c->vmware;
		tui_page_add(p, &tui_field_text, "host", "&Host", c->host);
		tui_page_add(p, &tui_field_text, "user", "&User", c->user);
		tui_page_add(p, &tui_field_text, "port", "&Port", c->port)->width = 6;
		tui_page_add(p, &tui_field_text, "path", "P&ath (vCenter)", c->path);
		tui_page_add(p, &tui_field_check, "noverify",
			     "Skip the certificate &check (insecure)",
			     NULL)->checked = c->no_verify;
	} else {
		core_str_set(&p->text, add_ssh_text);
		tui_page_add(p, &tui_field_text, "host", "&Host", c->host);
		tui_page_add(p, &tui_field_text, "user", "&User", c->user);
		tui_page_add(p, &tui_field_text, "port", "&Port", c->port)->width = 6;
		f = tui_page_add(p, &tui_field_choice, "daemon", "&Daemon", NULL);
		tui_field_add_choice(f, "system");
		tui_field_add_choice(f, "session");
		f->choice = c->daemon;
		tui_page_add(p, &tui_field_text, "driver", "D&river", c->driver ? c->driver : "qemu")->width = 12;
	}
	tui_page_add(p, &tui_field_text, "name", "&Name", c->name);
	tui_add_group_choice(c->a, p, "&Group", c->group - 1);
	tui_page_add(p, &tui_field_check, "save", "&Save in the config", NULL)->checked = c->save;
}

static void add_host_changed(struct tui_dialog *d, struct tui_page *p, struct tui_field *f)
{
	struct add_host_ctx *c = d->ctx;
	if (strcmp(f->id, "kind") != 0 || f->choice == c->kind)
		return;
	add_host_keep(c, d);
	c->kind = f->choice;
	add_host_fields(c, p);
}

static int add_host_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct add_host_ctx *c = d->ctx;
	add_host_keep(c, d);
	xfree(&c->built);
	if (c->kind == ADD_KIND_URI) {
		const char *uri = c->uri;
		if (!uri || !*uri) {
			*err = xstrdup("Enter a libvirt URI, e.g. qemu:///system");
			return -1;
		}
		if (!strstr(uri, ":/")) {
			*err = xstrdup("That is not a URI: it needs a scheme, e.g. qemu:///system");
			return -1;
		}
		c->built = xstrdup(uri);
	} else if (c->kind == ADD_KIND_ESX) {
		c->built = core_esx_uri_build(c->vmware == 1, c->user, c->host, c->port, c->path, c->no_verify,
					      err);
		if (!c->built)
			return -1;
	} else {
		c->built = core_ssh_uri_build(c->user, c->host, c->port, c->daemon == 1, c->driver, err);
		if (!c->built)
			return -1;
	}
	for (size_t i = 0; i < c->a->reg.nhosts; i++) {
		const md_host *h = md_host_get(c->a->model, c->a->reg.hosts[i].id);
		if (h && strcmp(h->uri, c->built) == 0) {
			*err = xstrdup("This host is in the tree already");
			return -1;
		}
	}
	return 0;
}

static void add_host_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct add_host_ctx *c = d->ctx;
	const char *group = NULL;
	int id;
	if (result != TUI_DLG_OK || !c->built)
		return;
	if (c->group > 0 && (size_t)(c->group - 1) < a->reg.ngroups)
		group = a->reg.groups[c->group - 1].name;
	id = tui_add_host(a, c->built, c->name, group, c->save, false);
	if (group)
		a->reg.groups[c->group - 1].expanded = true;
	tui_rebuild_tree(a);
	tui_select_host(a, id);
	tui_status(a, false, "Added host %s", c->built);
	if (c->save)
		tui_save_config(a);
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
}

void tui_open_add_host(struct tui_app *a)
{
	struct tui_dialog *d = tui_dialog_new("Add Host", TUI_BTN_OK_CANCEL);
	struct tui_page *p = tui_dialog_add_page(d, NULL, add_uri_text);
	struct add_host_ctx *c = xcalloc(1, sizeof(*c));
	c->a = a;
	c->kind = ADD_KIND_URI;
	c->save = true;
	c->group = tui_sel_group_index(a) + 1;
	p->validate = add_host_validate;
	p->on_change = add_host_changed;
	add_host_fields(c, p);
	d->ok_label = xstrdup("Add");
	d->ctx = c;
	d->on_free = add_host_ctx_free;
	d->on_done = add_host_done;
	tui_dialog_focus(d, "uri"); /* type at once */
	tui_push_dialog(a, d);
}
