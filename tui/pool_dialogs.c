/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/pool_dialogs.c - the Storage Pools view's actions: start, stop,
 * refresh, autostart, delete and create pools; create, delete, resize and
 * clone volumes. Every job goes through backend/be_storage.h; dialogs wait
 * for the answer and show a refusal in place (tui/storage_job.c). */
#include "actions.h"
#include "field.h"
#include "storage_ui.h"
#include "views.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../backend/be_storage.h"
#include "../core/sanitize.h"
#include "../core/storage.h"
#include "../core/util.h"

static const md_pool *cur_pool(struct tui_app *a)
{
	return tui_selected(a, TUI_SCOPE_POOL);
}

static void pool_op(struct tui_app *a, int op, const char *verb)
{
	const md_pool *p = cur_pool(a);
	char *what;
	if (!p)
		return;
	what = xasprintf("%s pool '%s'", verb, p->name ? p->name : "");
	st_simple_op(a, op, p->uuid, what);
	free(what);
}

void tui_pool_start(struct tui_app *a)
{
	pool_op(a, BE_OP_POOL_START, "Starting");
}

void tui_pool_stop(struct tui_app *a)
{
	pool_op(a, BE_OP_POOL_STOP, "Stopping");
}

void tui_pool_refresh(struct tui_app *a)
{
	pool_op(a, BE_OP_POOL_REFRESH, "Refreshing");
}

void tui_pool_autostart(struct tui_app *a)
{
	const md_pool *p = cur_pool(a);
	if (p)
		pool_op(a, p->autostart ? BE_OP_POOL_AUTOSTART_OFF : BE_OP_POOL_AUTOSTART_ON,
			p->autostart ? "Autostart off for" : "Autostart on for");
}

/* A dialog about the selected pool (and volume, when vol). */
static struct tui_dialog *pool_dialog(struct tui_app *a, const char *title, int buttons, bool vol)
{
	const md_host *h = tui_sel_host(a);
	const md_pool *p = cur_pool(a);
	const md_vol *v = vol ? tui_sel_vol(a) : NULL;
	struct tui_dialog *d;
	struct st_ctx *c;
	if (!h || !p || (vol && !v))
		return NULL;
	d = st_dialog_new(a, h->id, title, buttons);
	c = st_ctx(d);
	snprintf(c->uuid, sizeof(c->uuid), "%s", p->uuid);
	c->name = xstrdup(p->name ? p->name : "");
	if (v)
		c->vol = xstrdup(v->name ? v->name : "");
	return d;
}

/* "web1, web2" (raw names) or NULL. */
static char *users_text(const md_vol *v)
{
	char *s = NULL;
	for (size_t i = 0; i < v->nusers; i++) {
		char *t = xasprintf("%s%s%s", s ? s : "", s ? ", " : "", v->users[i] ? v->users[i] : "");
		free(s);
		s = t;
	}
	return s;
}

/* ---- Delete pool ------------------------------------------------------------- */

static int pool_delete_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct tui_field *f = tui_dialog_field(d, "contents");
	return st_submit(d, BE_OP_POOL_DELETE, st_ctx(d)->uuid, be_pool_del_new(f && f->checked),
			 "Deleting the pool...", err);
}

void tui_open_pool_delete(struct tui_app *a)
{
	const md_pool *p = cur_pool(a);
	struct tui_dialog *d = pool_dialog(a, "Delete Storage Pool", TUI_BTN_OK_CANCEL, false);
	struct tui_page *pg;
	char *name, *used = NULL, *text, *box;
	if (!d)
		return;
	name = core_sanitize(p->name);
	for (size_t i = 0; i < p->nvols && !used; i++)
		if (p->vols[i].nusers) {
			char *u = users_text(&p->vols[i]), *su = core_sanitize(u), *sv = core_sanitize(p->vols[i].name);
			used = xasprintf("\n\nIts volume '%s' is used by %s: the host will refuse until it no longer is.",
					 sv, su);
			free(u);
			free(su);
			free(sv);
		}
	text = xasprintf("Delete the storage pool '%s'?\n\nIts definition is removed (it is stopped first). Its "
			 "volumes and folder stay on the disk unless the box below is ticked.%s",
			 name, used ? used : "");
	pg = tui_dialog_add_page(d, NULL, text);
	box = xasprintf("Also &delete its contents (%zu volume%s and the folder)", p->nvols, p->nvols == 1 ? "" : "s");
	tui_page_add(pg, &tui_field_check, "contents", box, NULL);
	pg->validate = pool_delete_validate;
	d->ok_label = xstrdup("Delete");
	d->focus = 2; /* Cancel: a stray Enter deletes nothing */
	tui_push_dialog(a, d);
	free(box);
	free(text);
	free(used);
	free(name);
}

/* ---- New pool ------------------------------------------------------------------- */

enum { NEWPOOL_DIR, NEWPOOL_NETFS, NEWPOOL_LOGICAL, NEWPOOL_XML };

static const char *const newpool_text[] = {
	[NEWPOOL_DIR] = "A directory on the host holds the volumes as files. The folder is made when missing; "
			"the pool is started.",
	[NEWPOOL_NETFS] = "An NFS export mounted on the host (at the mount point, made when missing).",
	[NEWPOOL_LOGICAL] = "An existing LVM volume group on the host: its logical volumes are the pool's volumes.",
	[NEWPOOL_XML] = "Any libvirt pool type as a <pool> document: pick the type for a starting point, fill in "
			"the upper-case parts. Checked here, then by the host.",
};

/* the rows of the XML text: what the screen leaves for it */
static int newpool_xml_rows(void)
{
	int rows = LINES - 17;
	return rows < 4 ? 4 : rows > 16 ? 16 : rows;
}

static void newpool_fields(struct tui_dialog *d, struct tui_page *p, int kind)
{
	struct tui_field *f;
	tui_page_clear_fields(p);
	core_str_set(&p->text, newpool_text[kind]);
	f = tui_page_add(p, &tui_field_choice, "kind", "&Type", NULL);
	tui_field_add_choice(f, "directory (dir)");
	tui_field_add_choice(f, "NFS export (netfs)");
	tui_field_add_choice(f, "LVM volume group (logical)");
	tui_field_add_choice(f, "Other (XML)");
	f->choice = kind;
	st_ctx(d)->error_field = NULL;
	if (kind != NEWPOOL_XML)
		tui_page_add(p, &tui_field_text, "name", "&Name", NULL);
	switch (kind) {
	case NEWPOOL_DIR:
		tui_page_add(p, &tui_field_path, "path", "&Path", NULL);
		break;
	case NEWPOOL_NETFS:
		tui_page_add(p, &tui_field_text, "host", "NFS &host", NULL);
		tui_page_add(p, &tui_field_text, "export", "&Export", NULL);
		tui_page_add(p, &tui_field_text, "path", "&Mount point", NULL);
		break;
	case NEWPOOL_LOGICAL:
		tui_page_add(p, &tui_field_text, "vg", "&Volume group", NULL);
		break;
	case NEWPOOL_XML: {
		char *skel = be_pool_xml_skeleton(be_pool_xml_types[0], NULL);
		f = tui_page_add(p, &tui_field_choice, "ptype", "Libvirt t&ype", NULL);
		for (size_t i = 0; be_pool_xml_types[i]; i++)
			tui_field_add_choice(f, be_pool_xml_types[i]);
		f = tui_page_add(p, &tui_field_editarea, "xml", "&XML", skel);
		f->rows = newpool_xml_rows();
		free(skel);
		st_ctx(d)->error_field = "xml";
		break;
	}
	}
	tui_page_add(p, &tui_field_check, "autostart", "&Autostart with the host", NULL)->checked = true;
	st_restore(d, p);
	/* the type kept with the text: the choice follows the text's type */
	if (kind == NEWPOOL_XML) {
		char *t = be_pool_xml_type_of(tui_field_value(tui_dialog_field(d, "xml")));
		tui_field_set_value(tui_dialog_field(d, "ptype"), t);
		free(t);
	}
}

/* The libvirt type changed on the XML page: a new starting point, unless
 * the text was edited (it is the user's: kept, and the note says so). */
static void newpool_ptype_changed(struct tui_dialog *d, struct tui_field *f)
{
	struct tui_field *x = tui_dialog_field(d, "xml");
	const char *cur = x ? tui_field_value(x) : "";
	bool pristine = !*cur;
	char *skel;
	for (size_t i = 0; !pristine && be_pool_xml_types[i]; i++) {
		char *s = be_pool_xml_skeleton(be_pool_xml_types[i], NULL);
		pristine = strcmp(s, cur) == 0;
		free(s);
	}
	if (!x)
		return;
	if (!pristine) {
		tui_field_set_error(x, "The text was edited: it stays. Empty it (or undo the edits) for the new "
				       "type's starting point.");
		return;
	}
	skel = be_pool_xml_skeleton(tui_field_value(f), NULL);
	tui_field_set_value(x, skel);
	tui_field_set_error(x, NULL);
	free(skel);
}

static void newpool_changed(struct tui_dialog *d, struct tui_page *p, struct tui_field *f)
{
	if (strcmp(f->id, "ptype") == 0) {
		newpool_ptype_changed(d, f);
		return;
	}
	if (strcmp(f->id, "xml") == 0 && f->error) {
		tui_field_set_error(f, NULL); /* an edit answers the last complaint */
		return;
	}
	if (strcmp(f->id, "kind") != 0 || f->choice == st_ctx(d)->kind)
		return;
	st_keep(d, p);
	st_ctx(d)->kind = f->choice;
	newpool_fields(d, p, f->choice);
}

static const char *val(struct tui_dialog *d, const char *id)
{
	struct tui_field *f = tui_dialog_field(d, id);
	return f ? tui_field_value(f) : "";
}

static int need(struct tui_dialog *d, const char *id, bool absolute, char **err)
{
	struct tui_field *f = tui_dialog_field(d, id);
	const char *v = f ? tui_field_value(f) : "";
	if (!*v) {
		*err = xasprintf("%s: enter a value", f ? f->label : id);
		tui_dialog_focus(d, id);
		return -1;
	}
	if (absolute && v[0] != '/') {
		*err = xasprintf("%s: give a full path (starting with /)", f->label);
		tui_dialog_focus(d, id);
		return -1;
	}
	return 0;
}

static int newpool_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	int kind = st_ctx(d)->kind;
	be_pool_spec *s;
	char *xml = NULL;
	if (kind != NEWPOOL_XML && st_check_name(tui_dialog_field(d, "name"), err) != 0) {
		tui_dialog_focus(d, "name");
		return -1;
	}
	switch (kind) {
	case NEWPOOL_DIR:
		if (need(d, "path", true, err))
			return -1;
		break;
	case NEWPOOL_NETFS:
		if (need(d, "host", false, err) || need(d, "export", true, err) || need(d, "path", true, err))
			return -1;
		break;
	case NEWPOOL_LOGICAL:
		if (need(d, "vg", false, err))
			return -1;
		break;
	case NEWPOOL_XML: {
		struct tui_field *x = tui_dialog_field(d, "xml");
		char *why = NULL;
		if (be_pool_xml_check(tui_field_value(x), &why) < 0) {
			tui_field_set_error(x, why);
			*err = xasprintf("Not sent: the reason is under the XML.");
			free(why);
			tui_dialog_focus(d, "xml");
			return -1;
		}
		tui_field_set_error(x, NULL);
		xml = xstrdup(tui_field_value(x));
		break;
	}
	}
	s = be_pool_spec_new();
	s->kind = kind == NEWPOOL_DIR ? BE_POOL_DIR : kind == NEWPOOL_NETFS ? BE_POOL_NETFS
					      : kind == NEWPOOL_LOGICAL ? BE_POOL_LOGICAL : BE_POOL_XML;
	if (kind != NEWPOOL_XML)
		s->name = xstrdup(val(d, "name"));
	if (kind == NEWPOOL_DIR || kind == NEWPOOL_NETFS)
		s->path = xstrdup(val(d, "path"));
	if (kind == NEWPOOL_NETFS) {
		s->host = xstrdup(val(d, "host"));
		s->source = xstrdup(val(d, "export"));
	}
	if (kind == NEWPOOL_LOGICAL)
		s->source = xstrdup(val(d, "vg"));
	s->xml = xml;
	s->autostart = tui_dialog_field(d, "autostart")->checked;
	(void)p;
	return st_submit(d, BE_OP_POOL_CREATE, NULL, s, "Creating the pool...", err);
}

void tui_open_pool_new(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	struct tui_dialog *d;
	struct tui_page *p;
	if (!h)
		return;
	d = st_dialog_new(a, h->id, "New Storage Pool", TUI_BTN_OK_CANCEL);
	d->max_w = 100; /* grows with the screen (its XML page, its paths) */
	p = tui_dialog_add_page(d, NULL, NULL);
	newpool_fields(d, p, NEWPOOL_DIR);
	p->validate = newpool_validate;
	p->on_change = newpool_changed;
	d->ok_label = xstrdup("Create");
	tui_dialog_focus(d, "name");
	tui_push_dialog(a, d);
}

/* ---- New volume ------------------------------------------------------------------ */

static void newvol_changed(struct tui_dialog *d, struct tui_page *p, struct tui_field *f)
{
	struct tui_field *size = tui_dialog_field(d, "size"), *back = tui_dialog_field(d, "backing");
	(void)p;
	(void)f;
	/* with a backing volume an empty size means the backing one's */
	if (back->choice > 0 && !*tui_field_value(size))
		tui_field_set_error(size, NULL);
	else if (!size->error)
		tui_field_size_update(size);
}

static int newvol_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct st_ctx *c = st_ctx(d);
	struct tui_field *fmt = tui_dialog_field(d, "format"), *size = tui_dialog_field(d, "size"),
			 *back = tui_dialog_field(d, "backing");
	be_vol_spec *s;
	(void)p;
	if (st_check_name(tui_dialog_field(d, "name"), err) != 0) {
		tui_dialog_focus(d, "name");
		return -1;
	}
	if (back->choice > 0 && fmt->choice != 0) {
		*err = xstrdup("Backing volume: an overlay needs the qcow2 format");
		tui_dialog_focus(d, "format");
		return -1;
	}
	s = be_vol_spec_new();
	s->name = xstrdup(val(d, "name"));
	s->format = xstrdup(fmt->choice == 0 ? "qcow2" : "raw");
	s->capacity = *tui_field_value(size) ? size->bytes : 0;
	if (back->choice > 0 && (size_t)back->choice <= c->nvols)
		s->backing = xstrdup(c->vols[back->choice - 1]);
	return st_submit(d, BE_OP_VOL_CREATE, c->uuid, s, "Creating the volume...", err);
}

void tui_open_vol_new(struct tui_app *a)
{
	const md_pool *pool = cur_pool(a);
	struct tui_dialog *d = pool_dialog(a, "New Volume", TUI_BTN_OK_CANCEL, false);
	struct st_ctx *c;
	struct tui_page *p;
	struct tui_field *f;
	char *name, *text;
	if (!d)
		return;
	c = st_ctx(d);
	name = core_sanitize(pool->name);
	text = xasprintf("A new volume in the pool '%s'. Sizes: 20G, 512 MiB, 1.5T (K M G T = 1024, "
			 "kB MB GB = 1000). A backing volume makes a qcow2 overlay of it.",
			 name);
	p = tui_dialog_add_page(d, NULL, text);
	tui_page_add(p, &tui_field_text, "name", "&Name", NULL);
	f = tui_page_add(p, &tui_field_choice, "format", "&Format", NULL);
	tui_field_add_choice(f, "qcow2");
	tui_field_add_choice(f, "raw");
	tui_page_add(p, &tui_field_size, "size", "&Size", "10G")->width = 16;
	f = tui_page_add(p, &tui_field_choice, "backing", "&Backing volume", NULL);
	tui_field_add_choice(f, "(none)");
	c->vols = xcalloc(pool->nvols + 1, sizeof(char *));
	for (size_t i = 0; i < pool->nvols; i++) {
		char *s = core_sanitize(pool->vols[i].name);
		tui_field_add_choice(f, s);
		free(s);
		c->vols[c->nvols++] = xstrdup(pool->vols[i].name ? pool->vols[i].name : "");
	}
	p->validate = newvol_validate;
	p->on_change = newvol_changed;
	d->ok_label = xstrdup("Create");
	tui_push_dialog(a, d);
	free(text);
	free(name);
}

/* ---- Delete volume ---------------------------------------------------------------- */

static int voldel_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	(void)p;
	return st_submit(d, BE_OP_VOL_DELETE, st_ctx(d)->uuid, be_vol_op_new(st_ctx(d)->vol), "Deleting the volume...",
			 err);
}

void tui_open_vol_delete(struct tui_app *a)
{
	const md_vol *v = tui_sel_vol(a);
	struct tui_dialog *d = pool_dialog(a, "Delete Volume", TUI_BTN_OK_CANCEL, true);
	char *name, *pool, *users, *su = NULL, *text;
	if (!d)
		return;
	name = core_sanitize(v->name);
	pool = core_sanitize(st_ctx(d)->name);
	users = users_text(v);
	if (users)
		su = core_sanitize(users);
	text = xasprintf("Delete the volume '%s' of the pool '%s'?\n\nIts data is lost.%s%s%s", name, pool,
			 su ? "\n\nIt is used by " : "", su ? su : "", su ? ": the host will refuse." : "");
	tui_dialog_add_page(d, NULL, text)->validate = voldel_validate;
	d->ok_label = xstrdup("Delete");
	d->focus = 1; /* Cancel */
	tui_push_dialog(a, d);
	free(text);
	free(su);
	free(users);
	free(pool);
	free(name);
}

/* ---- Resize ---------------------------------------------------------------------- */

static int resize_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct st_ctx *c = st_ctx(d);
	struct tui_field *size = tui_dialog_field(d, "size"), *shrink = tui_dialog_field(d, "shrink");
	const md_host *h = md_host_get(c->a->model, d->mode.host_id);
	const md_pool *pool = h ? md_pool_find(h, c->uuid) : NULL;
	be_vol_op *op;
	(void)p;
	for (size_t i = 0; pool && i < pool->nvols; i++) {
		char now[32];
		if (!pool->vols[i].name || strcmp(pool->vols[i].name, c->vol) != 0)
			continue;
		core_size_fmt(pool->vols[i].capacity, now, sizeof(now));
		if (size->bytes < pool->vols[i].capacity && !shrink->checked) {
			*err = xasprintf("New capacity: smaller than now (%s); tick \"Allow shrinking\" to shrink it", now);
			tui_dialog_focus(d, "size");
			return -1;
		}
	}
	op = be_vol_op_new(c->vol);
	op->capacity = size->bytes;
	op->shrink = shrink->checked;
	return st_submit(d, BE_OP_VOL_RESIZE, c->uuid, op, "Resizing...", err);
}

void tui_open_vol_resize(struct tui_app *a)
{
	const md_vol *v = tui_sel_vol(a);
	struct tui_dialog *d = pool_dialog(a, "Resize Volume", TUI_BTN_OK_CANCEL, true);
	struct tui_page *p;
	char now[32], *name, *text;
	if (!d)
		return;
	core_size_fmt(v->capacity, now, sizeof(now));
	name = core_sanitize(v->name);
	text = xasprintf("The volume '%s' has %s. A guest sees the new size after a restart or a "
			 "rescan; its partitions and file systems are not grown.",
			 name, now);
	p = tui_dialog_add_page(d, NULL, text);
	tui_page_add(p, &tui_field_size, "size", "New &capacity", now)->width = 16;
	tui_page_add(p, &tui_field_check, "shrink", "Allow &shrinking (data past the new end is lost)", NULL);
	p->validate = resize_validate;
	d->ok_label = xstrdup("Resize");
	tui_push_dialog(a, d);
	free(text);
	free(name);
}

/* ---- Clone ----------------------------------------------------------------------- */

static int clone_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct st_ctx *c = st_ctx(d);
	struct tui_field *pf = tui_dialog_field(d, "pool");
	be_vol_op *op;
	(void)p;
	if (st_check_name(tui_dialog_field(d, "name"), err) != 0) {
		tui_dialog_focus(d, "name");
		return -1;
	}
	op = be_vol_op_new(c->vol);
	op->new_name = xstrdup(val(d, "name"));
	if (pf->choice >= 0 && (size_t)pf->choice < c->npools && strcmp(c->pools[pf->choice], c->uuid) != 0)
		op->dst_pool = xstrdup(c->pools[pf->choice]);
	return st_submit(d, BE_OP_VOL_CLONE, c->uuid, op, "Cloning (a copy of the whole volume)...", err);
}

void tui_open_vol_clone(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	const md_vol *v = tui_sel_vol(a);
	struct tui_dialog *d = pool_dialog(a, "Clone Volume", TUI_BTN_OK_CANCEL, true);
	struct st_ctx *c;
	struct tui_page *p;
	struct tui_field *f;
	char *name, *text, *copy;
	if (!d)
		return;
	c = st_ctx(d);
	name = core_sanitize(v->name);
	text = xasprintf("A copy of the volume '%s', in this pool or another active pool of the host.", name);
	p = tui_dialog_add_page(d, NULL, text);
	copy = xasprintf("%s-clone", v->name ? v->name : "");
	tui_page_add(p, &tui_field_text, "name", "&Name", copy);
	f = tui_page_add(p, &tui_field_choice, "pool", "Target &pool", NULL);
	c->pools = xcalloc(h->npools + 1, sizeof(char *));
	for (size_t i = 0; i < h->npools; i++) {
		char *s;
		if (!h->pools[i].active)
			continue;
		if (strcmp(h->pools[i].uuid, c->uuid) == 0)
			f->choice = (int)c->npools;
		s = core_sanitize(h->pools[i].name);
		tui_field_add_choice(f, s);
		free(s);
		c->pools[c->npools++] = xstrdup(h->pools[i].uuid);
	}
	p->validate = clone_validate;
	d->ok_label = xstrdup("Clone");
	tui_push_dialog(a, d);
	free(copy);
	free(text);
	free(name);
}
