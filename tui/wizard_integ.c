/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/wizard_integ.c - draws the Integration Tools wizard whose state
 * machine main registered (core_wizard_ops "integ", wizards/integ.c: tui/
 * does not include wizards/). Opening it reads the VM's configuration on the
 * host's worker (BE_OP_AGENT_XML); the pages are The VM, Changes (check
 * boxes, a sentence each), Review (the diff of the domain XML, before
 * anything is made) and Guest tools (the install command). Cancel on any
 * page sends nothing. Finish sends one BE_OP_AGENT_APPLY, then Integration
 * Services opens and waits for the agent (progress, timeout, result). */
#include "view_integ.h"

#include "app.h"
#include "console.h"
#include "dialog.h"
#include "media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backend/be_agent.h"
#include "../backend/be_storage.h"
#include "../core/sanitize.h"
#include "../core/util.h"
#include "../core/wizard.h"

static const core_wizard_ops *integ_ops;

void tui_register_integ_wizard(const core_wizard_ops *ops)
{
	integ_ops = ops;
}

struct wi_ctx {
	void *w;              /* the wizard's state */
	char uuid[37];
	char *name;           /* raw */
	bool loaded;          /* the configuration arrived */
	char *load_error;
};

static struct wi_ctx *wi(struct tui_dialog *d)
{
	return d->ctx;
}

static void wi_free(struct tui_dialog *d)
{
	struct wi_ctx *c = d->ctx;
	if (!c)
		return;
	if (integ_ops && c->w)
		integ_ops->destroy(c->w);
	free(c->name);
	free(c->load_error);
	free(c);
	d->ctx = NULL;
}

/* Text of several lines from outside, each line sanitized (core_sanitize
 * would show the line breaks as \n). */
static char *sanitize_lines(const char *raw)
{
	char *out = xstrdup("");
	const char *p = raw ? raw : "";
	while (*p) {
		const char *e = strchr(p, '\n');
		char *line = xstrndup(p, e ? (size_t)(e - p) : strlen(p)), *safe = core_sanitize(line);
		char *n = xasprintf("%s%s%s", out, safe, e ? "\n" : "");
		free(out);
		free(safe);
		free(line);
		out = n;
		p = e ? e + 1 : p + strlen(p);
	}
	return out;
}

static char *wget(struct wi_ctx *c, const char *id)
{
	char *s = integ_ops->get(c->w, id);
	return s ? s : xstrdup("");
}

static bool wchecked(struct wi_ctx *c, const char *id)
{
	char *v = wget(c, id);
	bool on = strcmp(v, "1") == 0;
	free(v);
	return on;
}

/* Issues of a page as one text; -1 when there is an error. */
static int wi_check(struct wi_ctx *c, int page, char **err)
{
	core_issues is = { .n = 0 };
	int errors = integ_ops->check(c->w, page, &is);
	*err = NULL;
	for (size_t i = 0; i < is.n; i++) {
		if (!is.v[i].warning || !errors) {
			char *n = xasprintf("%s%s%s", *err ? *err : "", *err ? "\n" : "", is.v[i].text);
			free(*err);
			*err = n;
		}
	}
	core_issues_clear(&is);
	return errors ? -1 : 0;
}

/* After a page rebuilt its fields in on_enter: the focus on its first
 * field, or on Next / Finish when it has none (the dialog chose before the
 * fields were there). */
static void focus_first(struct tui_dialog *d, struct tui_page *p)
{
	for (size_t i = 0; i < p->nfields; i++)
		if (p->fields[i]->ops->focusable) {
			d->focus = 0;
			return;
		}
	d->focus = 1;
}

/* ---- page 0: the VM ------------------------------------------------------------ */

static void look_enter(struct tui_dialog *d, struct tui_page *p)
{
	struct wi_ctx *c = wi(d);
	char *look, *known;
	tui_page_clear_fields(p);
	if (!c->loaded) {
		tui_page_add(p, &tui_field_label, "look", c->load_error ? c->load_error
								 : "Reading the VM's configuration...", NULL);
		focus_first(d, p);
		return;
	}
	look = wget(c, "look");
	tui_page_add(p, &tui_field_label, "look", NULL, NULL)->text = sanitize_lines(look);
	known = wget(c, "os_known");
	if (strcmp(known, "1") != 0) {
		size_t n = 0;
		char **opts = integ_ops->options(c->w, "os", &n);
		struct tui_field *f = tui_page_add(p, &tui_field_choice, "os", "Guest &OS", NULL);
		for (size_t i = 0; i < n; i++) {
			tui_field_add_choice(f, opts[i]);
			free(opts[i]);
		}
		free(opts);
	}
	free(known);
	free(look);
	focus_first(d, p);
}

static int look_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct wi_ctx *c = wi(d);
	struct tui_field *f = tui_dialog_field(d, "os");
	(void)p;
	if (!c->loaded) {
		*err = xstrdup(c->load_error ? c->load_error : "Still reading the VM's configuration");
		return -1;
	}
	if (f) {
		char v[16];
		snprintf(v, sizeof(v), "%d", f->choice);
		integ_ops->set(c->w, "os", v);
	}
	return wi_check(c, 0, err);
}

/* ---- page 1: changes -------------------------------------------------------------- */

static const struct {
	const char *id, *label;
} checks[] = {
	{ "ch.agent", "&Guest agent channel" }, { "ch.disk", "&Disks to virtio" },
	{ "ch.nic", "&Network interfaces to virtio" }, { "ch.balloon", "Memory &balloon" },
	{ "ch.rng", "&Random number generator" },
};

/* Windows: the virtio-win ISO as a file on this machine, and the pool it
 * is uploaded into at Finish. */
static void local_fields(struct wi_ctx *c, struct tui_page *p)
{
	char *local = wget(c, "local_iso"), *pool = wget(c, "upload_pool");
	size_t n = 0;
	char **pools = integ_ops->options(c->w, "upload_pool", &n);
	struct tui_field *f;
	tui_page_add(p, &tui_field_path, "local_iso", "... or a &local file", local);
	f = tui_page_add(p, &tui_field_choice, "upload_pool", "&Upload to pool", NULL);
	for (size_t i = 0; i < n; i++) {
		tui_field_add_choice(f, pools[i]);
		if (strcmp(pools[i], pool) == 0)
			f->choice = (int)i;
		free(pools[i]);
	}
	free(pools);
	tui_page_add(p, &tui_field_label, "t.local", "    A local file is uploaded at Finish (progress, Cancel; a "
						     "pooled copy with the same SHA-256 is used instead).", NULL);
	free(pool);
	free(local);
}

static void offer_enter(struct tui_dialog *d, struct tui_page *p)
{
	struct wi_ctx *c = wi(d);
	char *fam = wget(c, "family"), *run = wget(c, "running");
	size_t shown = 0;
	tui_page_clear_fields(p);
	for (size_t i = 0; i < CORE_ARRAY_LEN(checks); i++) {
		char *oid = xasprintf("offer.%s", checks[i].id), *text = wget(c, oid), *val = wget(c, checks[i].id);
		if (*text) {
			struct tui_field *f = tui_page_add(p, &tui_field_check, checks[i].id, checks[i].label, NULL);
			f->checked = strcmp(val, "1") == 0;
			char *lid = xasprintf("t.%s", checks[i].id);
			tui_page_add(p, &tui_field_label, lid, NULL, NULL)->text = xasprintf("    %s", text);
			free(lid);
			shown++;
		}
		free(oid);
		free(text);
		free(val);
	}
	if (!shown)
		tui_page_add(p, &tui_field_label, "none", "Nothing to offer: the VM has the agent channel and virtio "
							  "devices.", NULL);
	if (strcmp(fam, "windows") == 0) {
		char *iso = wget(c, "iso");
		tui_page_add(p, &tui_field_check, "drivers", "The virtio drivers are &installed in the guest", NULL)
			->checked = wchecked(c, "drivers");
		tui_page_add(p, &tui_field_text, "iso", "virtio-win IS&O on the host", iso);
		tui_page_add(p, &tui_field_label, "t.iso", "    Optional: inserted into a CD-ROM (one is added when "
							   "there is none); a volume of a pool, or a file.", NULL);
		free(iso);
		local_fields(c, p);
	}
	if (strcmp(run, "1") == 0)
		tui_page_add(p, &tui_field_check, "restart", "Res&tart the VM after the changes (turn off, start)",
			     NULL)->checked = wchecked(c, "restart");
	free(fam);
	free(run);
	focus_first(d, p);
}

static void set_check(struct tui_dialog *d, struct wi_ctx *c, const char *id)
{
	struct tui_field *f = tui_dialog_field(d, id);
	integ_ops->set(c->w, id, f && f->checked ? "1" : "0");
}

static int offer_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct wi_ctx *c = wi(d);
	(void)p;
	for (size_t i = 0; i < CORE_ARRAY_LEN(checks); i++)
		if (tui_dialog_field(d, checks[i].id))
			set_check(d, c, checks[i].id);
	set_check(d, c, "drivers");
	set_check(d, c, "restart");
	if (tui_dialog_field(d, "iso"))
		integ_ops->set(c->w, "iso", tui_field_value(tui_dialog_field(d, "iso")));
	if (tui_dialog_field(d, "local_iso"))
		integ_ops->set(c->w, "local_iso", tui_field_value(tui_dialog_field(d, "local_iso")));
	if (tui_dialog_field(d, "upload_pool") && tui_dialog_field(d, "upload_pool")->nchoices)
		integ_ops->set(c->w, "upload_pool", tui_field_value(tui_dialog_field(d, "upload_pool")));
	return wi_check(c, 1, err);
}

/* ---- page 2: review, page 3: tools ------------------------------------------------------ */

static void review_enter(struct tui_dialog *d, struct tui_page *p)
{
	struct wi_ctx *c = wi(d);
	char *err = NULL, *sum = integ_ops->text(c->w, "summary", &err), *diff;
	free(err);
	err = NULL;
	diff = integ_ops->text(c->w, "diff", &err);
	tui_page_clear_fields(p);
	tui_page_add(p, &tui_field_label, "summary", NULL, NULL)->text = sanitize_lines(sum);
	struct tui_field *f = tui_page_add(p, &tui_field_textarea, "diff", "Domain XML", NULL);
	f->text = sanitize_lines(diff ? diff : err);
	f->rows = 12;
	focus_first(d, p);
	free(sum);
	free(diff);
	free(err);
}

static void tools_enter(struct tui_dialog *d, struct tui_page *p)
{
	struct wi_ctx *c = wi(d);
	char *err = NULL, *cmd = integ_ops->text(c->w, "command", &err), *typed;
	struct tui_field *f = tui_dialog_field(d, "type");
	bool was = f && f->checked;
	tui_page_clear_fields(p);
	tui_page_add(p, &tui_field_label, "command", NULL, NULL)->text = sanitize_lines(cmd);
	free(err);
	err = NULL;
	if ((typed = integ_ops->text(c->w, "typed", &err)) != NULL)
		tui_page_add(p, &tui_field_check, "type", "T&ype it into the VM's open serial console at Finish "
							  "(asks first)", NULL)->checked = was;
	tui_page_add(p, &tui_field_label, "after", "Finish makes the changes shown on the Review page, then "
						  "Integration Services opens and waits for the agent.", NULL);
	focus_first(d, p);
	free(typed);
	free(cmd);
	free(err);
}

static int tools_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct tui_field *f = tui_dialog_field(d, "type");
	(void)p;
	if (f && f->checked && wchecked(wi(d), "restart")) {
		*err = xstrdup("Type it into the console: not with a restart of the VM (its console closes); "
			       "type it once the VM runs again");
		return -1;
	}
	return 0;
}

/* ---- typing the install command into the serial console --------------------------------- */

struct type_ctx {
	char uuid[37];
	char *text;           /* the command and a carriage return */
};

static void type_free(struct tui_dialog *d)
{
	struct type_ctx *t = d->ctx;
	if (t)
		free(t->text);
	free(t);
	d->ctx = NULL;
}

static void type_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct type_ctx *t = d->ctx;
	if (result != TUI_DLG_OK)
		return;
	if (tui_console_type(a, d->mode.host_id, t->uuid, t->text) < 0)
		tui_status(a, true, "No serial console of the VM is open: connect it (c) and type the command there");
	else
		tui_status(a, false, "Typed the install command into the VM's serial console");
}

/* Finish with "Type it" checked: the command, shown, typed after Yes. */
static void type_ask(struct tui_app *a, struct tui_dialog *d)
{
	struct wi_ctx *c = wi(d);
	struct tui_field *f = tui_dialog_field(d, "type");
	char *err = NULL, *cmd, *text, *s;
	struct tui_dialog *q;
	struct type_ctx *t;
	if (!f || !f->checked || !(cmd = integ_ops->text(c->w, "typed", &err))) {
		free(err);
		return;
	}
	if (!tui_console_has_vm(a, c->uuid)) {
		tui_status(a, true, "No serial console of '%s' is open: connect it (c) and type: %s", c->name, cmd);
		free(cmd);
		return;
	}
	s = core_sanitize(c->name);
	text = xasprintf("Type this into the serial console of '%s', then Enter? It runs as whoever is logged in "
			 "there (root is needed).\n\n  %s", s, cmd);
	q = tui_confirm("Type Install Command", text, "Type", type_done);
	q->mode.host_id = d->mode.host_id;
	t = xcalloc(1, sizeof(*t));
	snprintf(t->uuid, sizeof(t->uuid), "%s", c->uuid);
	t->text = xasprintf("%s\r", cmd);
	q->ctx = t;
	q->on_free = type_free;
	tui_push_dialog(a, q);
	free(text);
	free(s);
	free(cmd);
}

/* ---- answers, finish --------------------------------------------------------------------- */

static void wi_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct wi_ctx *c = wi(d);
	(void)a;
	if (m->type == MD_MSG_AGENT_INFO && m->ext && m->ext_free == be_agent_info_free_void) {
		const be_agent_info *i = m->ext;
		char n[16];
		if (integ_ops->set(c->w, "xml", i->inactive_xml ? i->inactive_xml : "") < 0) {
			core_str_set(&c->load_error, "The VM's configuration could not be read as XML");
		} else {
			integ_ops->set(c->w, "live", i->live_xml ? i->live_xml : "");
			snprintf(n, sizeof(n), "%d", i->agent);
			integ_ops->set(c->w, "agent", n);
			if (i->os_id)
				integ_ops->set(c->w, "guest_os", i->os_id);
			c->loaded = true;
		}
	} else if (m->type == MD_MSG_OP_RESULT && !m->ok && !c->loaded) {
		core_str_set(&c->load_error, m->text ? m->text : "Could not read the VM's configuration");
	}
	if (d->cur == 0)
		look_enter(d, d->pages[0]);
}

/* The changes as the wizard has them: one BE_OP_AGENT_APPLY, then
 * Integration Services waits for the agent. Takes w (destroyed here).
 * made: the volume an upload made for it, removed if the host refuses the
 * changes (NULL none). */
static void integ_apply(struct tui_app *a, int host_id, const char *uuid, const char *name, void *w,
			const tui_media_result *made)
{
	uint64_t seq;
	be_host *be = tui_host_be(tui_host_by_id(a, host_id));
	be_agent_apply *ap;
	char *err = NULL, *restart, *iso;
	if (!be) {
		tui_status(a, true, "Install Integration Tools: the host is not connected");
		integ_ops->destroy(w);
		return;
	}
	ap = xcalloc(1, sizeof(*ap));
	ap->new_xml = integ_ops->text(w, "xml", &err);
	free(err);
	err = NULL;
	ap->device_xml = integ_ops->text(w, "device", &err);
	free(err);
	iso = integ_ops->get(w, "iso");
	ap->iso = iso && *iso ? iso : NULL;
	if (!ap->iso)
		free(iso);
	restart = integ_ops->get(w, "restart");
	ap->restart = restart && strcmp(restart, "1") == 0;
	free(restart);
	ap->old_xml = integ_ops->get(w, "xml_read"); /* the unchanged check: the XML as the wizard read it */
	integ_ops->destroy(w);
	seq = be_host_submit_arg(be, BE_OP_AGENT_APPLY, uuid, ap, be_agent_apply_free_void);
	tui_integ_open_wait(a, host_id, uuid, name);
	if (made && made->made)
		tui_integ_undo_volume(a, seq, made->pool_uuid, made->vol);
}

/* Finish with a local virtio-win ISO: the wizard's state waits here for
 * the upload (tui/media.h), then the changes go with the ISO's path. */
struct wi_upload {
	void *w;
	int host_id;
	char uuid[37];
	char *name;
};

static void wi_uploaded(struct tui_app *a, void *ctx, const tui_media_result *r)
{
	struct wi_upload *u = ctx;
	if (r->path) {
		tui_status(a, false, "%s", r->text ? r->text : "The virtio-win ISO is in the pool");
		integ_ops->set(u->w, "local_iso", "");
		integ_ops->set(u->w, "iso", r->path);
		integ_apply(a, u->host_id, u->uuid, u->name, u->w, r);
	} else {
		tui_status(a, true, "Install Integration Tools: %s; the VM was not changed",
			   r->text ? r->text : "the virtio-win ISO was not uploaded");
		integ_ops->destroy(u->w);
	}
	free(u->name);
	free(u);
}

static void wi_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct wi_ctx *c = wi(d);
	char *local, *pool, *err = NULL;
	struct wi_upload *u;
	void *w = c->w;
	if (result != TUI_DLG_OK || !c->loaded)
		return; /* cancelled: nothing was sent */
	local = wget(c, "local_iso");
	if (!*local) {
		free(local);
		type_ask(a, d); /* reads the wizard: before integ_apply takes it */
		c->w = NULL;
		integ_apply(a, d->mode.host_id, c->uuid, c->name, w, NULL);
		return;
	}
	pool = wget(c, "upload_pool");
	u = xcalloc(1, sizeof(*u));
	u->w = w;
	u->host_id = d->mode.host_id;
	snprintf(u->uuid, sizeof(u->uuid), "%s", c->uuid);
	u->name = xstrdup(c->name);
	if (tui_media_upload(a, d->mode.host_id, pool, local, NULL, wi_uploaded, u, &err) < 0) {
		tui_status(a, true, "Install Integration Tools: %s; the VM was not changed", err);
		free(err);
		free(u->name);
		free(u);
	} else {
		c->w = NULL; /* the upload's callback has it now */
	}
	free(pool);
	free(local);
}

void tui_open_integ_wizard(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	const md_vm *vm = tui_sel_vm(a);
	be_host *be = h ? tui_host_be(tui_host_by_id(a, h->id)) : NULL;
	struct tui_dialog *d;
	struct wi_ctx *c;
	struct tui_page *p;
	uint64_t seq;
	char *name, *text;
	if (!be || !vm)
		return;
	if (!integ_ops) {
		tui_status(a, true, "Install Integration Tools: not available in this build");
		return;
	}
	d = tui_dialog_new("Install Integration Tools", TUI_BTN_WIZARD);
	d->mode.host_id = h->id;
	c = xcalloc(1, sizeof(*c));
	c->w = integ_ops->create(h);
	c->name = xstrdup(vm->name);
	snprintf(c->uuid, sizeof(c->uuid), "%s", vm->uuid);
	snprintf(d->uuid, sizeof(d->uuid), "%s", vm->uuid);
	d->ctx = c;
	d->on_free = wi_free;
	d->on_reply = wi_reply;
	d->on_done = wi_done;
	name = core_sanitize(vm->name);
	text = xasprintf("What '%s' has for integration with the host.", name);
	p = tui_dialog_add_page(d, "The VM", text);
	p->on_enter = look_enter;
	p->validate = look_validate;
	p = tui_dialog_add_page(d, "Changes", "What the wizard can change; each one is shown as a diff of the "
					      "domain XML on the next page before anything is made.");
	p->on_enter = offer_enter;
	p->validate = offer_validate;
	p = tui_dialog_add_page(d, "Review", "The changes. Nothing is changed until Finish; Cancel leaves the VM "
					     "as it is.");
	p->on_enter = review_enter;
	p = tui_dialog_add_page(d, "Guest tools", "The agent inside the guest.");
	p->on_enter = tools_enter;
	p->validate = tools_validate;
	d->ok_label = xstrdup("Finish");
	look_enter(d, d->pages[0]);
	tui_push_dialog(a, d);
	seq = be_host_submit(be, BE_OP_AGENT_XML, vm->uuid, NULL, 0);
	tui_mode_expect(a, &d->mode, h->id, seq);
	free(text);
	free(name);
}
