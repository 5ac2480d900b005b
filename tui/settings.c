/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/settings.c - VM Settings: the hardware list (pending items marked
 * '*'), the selected item's form under it (at >= 100 columns beside it, in
 * a right pane), [Apply] [OK] [Edit XML...]
 * [Cancel]. What the user changed is kept per item while moving through the
 * list; Apply turns it into one BE_OP_VM_CHANGE (backend/be_devices.h) and
 * the answer's fresh details rebuild the list. No libvirt here. */
#include "settings.h"

#include "actions.h"
#include "app.h"
#include "dialog.h"
#include "field.h"
#include "media.h"
#include "nav.h"
#include "storage_ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backend/be_devices.h"
#include "../backend/be_storage.h"
#include "../backend/be_vmxml.h"
#include "../core/sanitize.h"
#include "../core/storage.h"
#include "../core/util.h"

enum { IT_SUMMARY, IT_BOOT, IT_MEMORY, IT_CPU, IT_DEV, IT_MGMT, IT_ADD };
enum { BTN_APPLY, BTN_OK, BTN_XML, BTN_CANCEL };

struct set_item {
	int kind;
	int dev;       /* IT_DEV: index in conf->devs */
	char *key;     /* stable across refreshes: "mem", "d:2:vda" ... */
};

struct set_kv {
	char **keys, **vals;
	size_t n;
};

struct set_ctx {
	struct tui_app *a;
	int host_id;
	char uuid[37];
	char *name;
	be_vmconf *conf;           /* NULL while loading */
	struct set_item *items;
	size_t nitems;
	int sel;                   /* the item shown */
	char *sel_key;             /* ... kept by key over a refresh */
	struct set_kv edits;       /* the user's edits: "item/field" -> value */
	struct set_kv *base;       /* the VM's values the form was built with */
	uint64_t seq;              /* the job waited for, 0 none */
	bool gone;                 /* the VM was deleted meanwhile */
	bool applied;              /* the edits went through: the form starts afresh */
	bool xml_pending;          /* Edit XML once the fresh details are in */
	be_vmchange *held;         /* changes waiting for a question's answer */
	int64_t started;           /* the VM's start time when the details were read */
	bool stale;                /* its hardware moved while a read was under way: read again */
	bool changing;             /* .seq is an Apply: it ends with a read of its own */
	/* Customize before install: a VM not defined yet (its XML here), the
	 * changes made kept (acc) and handed to done on OK */
	bool preview;
	char *preview_xml;
	be_vmchange *acc;
	tui_settings_done_fn done;
	void *done_ctx;
	/* CD/DVD, a local ISO: the item whose upload runs (tui/media.h), and
	 * the volume it made until the insert went through (removed if not) */
	char *media_key;
	char *made_pool, *made_vol;
	char *media_note;          /* what became of it, put before the Apply's answer */
	bool apply_after_read;     /* the ISO is in: Apply once the details read ends */
};

static struct set_ctx *sctx(struct tui_dialog *d)
{
	return d->ctx;
}

static void set_error(struct tui_dialog *d, char *text)
{
	free(d->error);
	d->error = text;
}

/* ---- kept edits ------------------------------------------------------------------ */

static const char *kvl_get(const struct set_kv *l, const char *item, const char *field)
{
	char key[256];
	snprintf(key, sizeof(key), "%s/%s", item, field);
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->keys[i], key))
			return l->vals[i];
	return NULL;
}

/* v NULL: drop the entry */
static void kvl_set(struct set_kv *l, const char *item, const char *field, const char *v)
{
	char key[256];
	snprintf(key, sizeof(key), "%s/%s", item, field);
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->keys[i], key)) {
			if (v) {
				core_str_set(&l->vals[i], v);
				return;
			}
			free(l->keys[i]);
			free(l->vals[i]);
			l->keys[i] = l->keys[--l->n];
			l->vals[i] = l->vals[l->n];
			return;
		}
	if (!v)
		return;
	l->keys = xrealloc(l->keys, (l->n + 1) * sizeof(*l->keys));
	l->vals = xrealloc(l->vals, (l->n + 1) * sizeof(*l->vals));
	l->keys[l->n] = xstrdup(key);
	l->vals[l->n++] = xstrdup(v);
}

static void kvl_clear(struct set_kv *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->keys[i]);
		free(l->vals[i]);
	}
	xfree(&l->keys);
	xfree(&l->vals);
	l->n = 0;
}

static const char *kv_get(const struct set_ctx *c, const char *item, const char *field)
{
	return kvl_get(&c->edits, item, field);
}

static void kv_clear(struct set_ctx *c)
{
	kvl_clear(&c->edits);
}

/* The VM's value a field was built with (an edit equal to it is none):
 * a refresh shows the VM's new value in the fields the user left alone. */
static void base_set(const struct set_ctx *c, const struct set_item *it, const char *field, const char *v)
{
	kvl_set(c->base, it->key, field, v ? v : "");
}

static const char *field_val(const struct tui_field *f)
{
	if (f->ops == &tui_field_check)
		return f->checked ? "1" : "0";
	return tui_field_value(f);
}

/* Keep the form's values (every field but the list and labels). */
static void form_keep(struct tui_dialog *d)
{
	struct set_ctx *c = sctx(d);
	struct tui_page *p = tui_dialog_page(d);
	if (!p || c->sel < 0 || (size_t)c->sel >= c->nitems)
		return;
	for (size_t i = 0; i < p->nfields; i++) {
		struct tui_field *f = p->fields[i];
		const char *key = c->items[c->sel].key, *base;
		if (!strcmp(f->id, "hw") || f->ops == &tui_field_label || f->disabled)
			continue;
		/* Add hardware's fields are all kept: its defaults are no VM's value */
		base = c->items[c->sel].kind == IT_ADD ? NULL : kvl_get(c->base, key, f->id);
		kvl_set(&c->edits, key, f->id, base && !strcmp(base, field_val(f)) ? NULL : field_val(f));
	}
}

/* The value to show: the kept edit, else the VM's. */
static const char *val_or(const struct set_ctx *c, const struct set_item *it, const char *field, const char *dflt)
{
	const char *v = kv_get(c, it->key, field);
	return v ? v : dflt ? dflt : "";
}

/* ---- the list ----------------------------------------------------------------------- */

static void items_free(struct set_ctx *c)
{
	for (size_t i = 0; i < c->nitems; i++)
		free(c->items[i].key);
	xfree(&c->items);
	c->nitems = 0;
}

static void item_add(struct set_ctx *c, int kind, int dev, char *key)
{
	c->items = xrealloc(c->items, (c->nitems + 1) * sizeof(*c->items));
	c->items[c->nitems].kind = kind;
	c->items[c->nitems].dev = dev;
	c->items[c->nitems++].key = key;
}

static void items_build(struct set_ctx *c)
{
	const be_vmconf *v = c->conf;
	items_free(c);
	item_add(c, IT_SUMMARY, -1, xstrdup("sum"));
	if (!v)
		return;
	item_add(c, IT_BOOT, -1, xstrdup("boot"));
	item_add(c, IT_MEMORY, -1, xstrdup("mem"));
	item_add(c, IT_CPU, -1, xstrdup("cpu"));
	for (size_t i = 0; i < v->ndevs; i++) {
		const be_device *dv = &v->devs[i];
		if (dv->kind == BE_DEVK_OTHER)
			continue;
		item_add(c, IT_DEV, (int)i,
			 xasprintf("d:%d:%s:%zu", dv->kind, dv->target ? dv->target : dv->mac ? dv->mac : "", i));
	}
	item_add(c, IT_MGMT, -1, xstrdup("mgmt"));
	item_add(c, IT_ADD, -1, xstrdup("add"));
}

static char *dev_label(const be_device *dv)
{
	char *s = NULL;
	switch (dv->kind) {
	case BE_DEVK_DISK:
		s = xasprintf("Disk %s (%s)", dv->target ? dv->target : "?",
			      dv->vol ? dv->vol : dv->source ? strrchr(dv->source, '/') ? strrchr(dv->source, '/') + 1 : dv->source : "-");
		break;
	case BE_DEVK_CDROM:
		s = xasprintf("CD/DVD %s (%s)", dv->target ? dv->target : "?",
			      dv->source ? strrchr(dv->source, '/') ? strrchr(dv->source, '/') + 1 : dv->source
			      : dv->vol ? dv->vol : "empty");
		break;
	case BE_DEVK_NIC:
		s = xasprintf("Network adapter %s", dv->mac ? dv->mac : "");
		break;
	case BE_DEVK_SERIAL:
		s = xasprintf("Serial port %d", dv->port < 0 ? 0 : dv->port);
		break;
	case BE_DEVK_CHANNEL:
		s = core_str_eq(dv->tgt_name, BE_AGENT_CHANNEL) ? xstrdup("Guest agent channel")
								: xasprintf("Channel %s", dv->tgt_name ? dv->tgt_name : "");
		break;
	default:
		s = xasprintf("%s%s%s", be_devk_name(dv->kind), dv->model ? " " : "", dv->model ? dv->model : "");
		break;
	}
	return s;
}

static char *item_label(const struct set_ctx *c, const struct set_item *it)
{
	const be_vmconf *v = c->conf;
	char a[32], *s, *t;
	bool pending = false;
	switch (it->kind) {
	case IT_SUMMARY:
		s = xstrdup("Summary");
		break;
	case IT_BOOT:
		s = xasprintf("Firmware and boot (%s)", v->firmware ? v->firmware : "bios");
		pending = v->pending_boot || v->pending_fw;
		break;
	case IT_MEMORY:
		core_size_fmt(v->active ? v->live_mem : v->mem, a, sizeof(a));
		s = xasprintf("Memory (%s)", a);
		pending = v->pending_mem;
		break;
	case IT_CPU:
		s = xasprintf("Processors (%u)", v->active ? v->live_vcpus : v->vcpus);
		pending = v->pending_vcpus;
		break;
	case IT_DEV:
		s = dev_label(&v->devs[it->dev]);
		pending = v->devs[it->dev].pending;
		break;
	case IT_MGMT:
		s = xstrdup("Management");
		break;
	default:
		s = xstrdup("+ Add hardware");
		break;
	}
	t = core_sanitize(s);
	free(s);
	s = xasprintf("%c %s", pending ? '*' : ' ', t);
	free(t);
	return s;
}

/* ---- forms ------------------------------------------------------------------------- */

static void add_label(struct tui_page *p, const char *id, const char *raw)
{
	char *safe = core_sanitize(raw ? raw : "");
	struct tui_field *f = tui_page_add(p, &tui_field_label, id, "", NULL);
	f->text = safe;
}

static void add_labelf(struct tui_page *p, const char *id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_labelf(struct tui_page *p, const char *id, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	add_label(p, id, s);
	free(s);
}

static struct tui_field *add_text(struct tui_page *p, const struct set_ctx *c, const struct set_item *it,
				  const char *id, const char *label, const char *dflt)
{
	base_set(c, it, id, dflt);
	return tui_page_add(p, &tui_field_text, id, label, val_or(c, it, id, dflt));
}

static struct tui_field *add_check(struct tui_page *p, const struct set_ctx *c, const struct set_item *it,
				   const char *id, const char *label, bool dflt)
{
	struct tui_field *f = tui_page_add(p, &tui_field_check, id, label, NULL);
	const char *v = kv_get(c, it->key, id);
	base_set(c, it, id, dflt ? "1" : "0");
	f->checked = v ? !strcmp(v, "1") : dflt;
	return f;
}

static struct tui_field *add_choice(struct tui_page *p, const struct set_ctx *c, const struct set_item *it,
				    const char *id, const char *label, const char *const *choices, size_t n,
				    const char *dflt)
{
	struct tui_field *f = tui_page_add(p, &tui_field_choice, id, label, NULL);
	const char *v = val_or(c, it, id, dflt);
	base_set(c, it, id, dflt);
	for (size_t i = 0; i < n; i++) {
		tui_field_add_choice(f, choices[i]);
		if (!strcmp(choices[i], v))
			f->choice = (int)i;
	}
	return f;
}

static const char *when_of(const be_vmconf *v, bool can_live)
{
	return be_when_text(v->active && can_live ? BE_WHEN_NOW | BE_WHEN_BOOT : BE_WHEN_BOOT);
}

static void form_summary(struct tui_page *p, const struct set_ctx *c)
{
	const be_vmconf *v = c->conf;
	char m[32], mm[32];
	size_t nd = 0, nn = 0;
	if (!v) {
		add_label(p, "s0", c->gone ? "The VM no longer exists." : "Reading the VM's settings...");
		return;
	}
	core_size_fmt(v->active ? v->live_mem : v->mem, m, sizeof(m));
	core_size_fmt(v->maxmem, mm, sizeof(mm));
	add_labelf(p, "s0", "Name: %s", v->name ? v->name : "");
	add_labelf(p, "s1", "UUID: %s", v->uuid ? v->uuid : "");
	add_labelf(p, "s2", "State: %s%s, firmware %s%s, %s %s", v->active ? "running" : "shut off",
		   v->persistent ? "" : " (transient)", v->firmware ? v->firmware : "bios",
		   v->secure_boot ? " (Secure Boot)" : "", v->arch ? v->arch : "", v->machine ? v->machine : "");
	add_labelf(p, "s3", "Memory: %s (max %s), processors: %u (max %u)", m, mm,
		   v->active ? v->live_vcpus : v->vcpus, v->maxvcpus);
	for (size_t i = 0; i < v->ndevs; i++) {
		const be_device *dv = &v->devs[i];
		char id[16];
		if (dv->kind == BE_DEVK_DISK || dv->kind == BE_DEVK_CDROM) {
			snprintf(id, sizeof(id), "sd%zu", nd++);
			add_labelf(p, id, "%s %s: %s%s%s", dv->kind == BE_DEVK_CDROM ? "CD/DVD" : "Disk",
				   dv->target ? dv->target : "?", dv->pool ? dv->pool : "", dv->pool ? "/" : "",
				   dv->vol ? dv->vol : dv->source ? dv->source : "(empty)");
		} else if (dv->kind == BE_DEVK_NIC) {
			snprintf(id, sizeof(id), "sn%zu", nn++);
			add_labelf(p, id, "NIC %s: %s %s, %s, link %s", dv->mac ? dv->mac : "", dv->net_type ? dv->net_type : "",
				   dv->net_source ? dv->net_source : "", dv->model ? dv->model : "",
				   dv->link_down ? "down" : "up");
		}
	}
	add_labelf(p, "s4", "Guest agent channel: %s", be_vmconf_agent(v) ? "yes" : "none (Add hardware adds one)");
	{
		const md_host *h = md_host_get(c->a->model, c->host_id);
		const md_vm *vm = h ? md_vm_find(h, c->uuid) : NULL;
		char up[32];
		core_fmt_uptime(vm && vm->started_wall && md_vm_state_active(vm->state) ? core_wall_s() - vm->started_wall : -1,
				up, sizeof(up));
		add_labelf(p, "s6", "Uptime: %s, autostart: %s, saved state: %s", up, vm && vm->autostart ? "yes" : "no",
			   vm && vm->managed_save ? "yes" : "no");
	}
	if (be_vmconf_pending(v))
		add_label(p, "s5", "* = changed for the next boot: restart the VM to apply");
	if (c->preview)
		add_label(p, "s7", "Not defined yet: OK puts these settings into the VM the wizard's Finish defines");
}

static const char *const boot_choices[] = { "hd", "cdrom", "network", "(none)" };
static const char *const fw_choices[] = { "bios", "efi" };

/* The VM's i-th boot device as the form shows it. */
static const char *boot_cur(const be_vmconf *v, size_t i)
{
	return i < v->nboot ? v->boot[i] : i == 0 && !v->nboot && !v->kernel ? "hd" : "(none)";
}

static void form_boot(struct tui_page *p, const struct set_ctx *c, const struct set_item *it)
{
	const be_vmconf *v = c->conf;
	static const char *const ids[] = { "boot1", "boot2", "boot3" };
	struct tui_field *f;
	for (size_t i = 0; i < 3; i++) {
		const char *cur = boot_cur(v, i);
		char label[16];
		snprintf(label, sizeof(label), "Boot %zu", i + 1);
		add_choice(p, c, it, ids[i], label, boot_choices, CORE_ARRAY_LEN(boot_choices), cur);
	}
	f = add_choice(p, c, it, "fw", "&Firmware", fw_choices, 2, v->firmware ? v->firmware : "bios");
	f->disabled = v->active;
	add_labelf(p, "when", "Boot order applies at next boot; firmware %s",
		   v->active ? "only while the VM is shut off" : "at next boot");
}

static void form_memory(struct tui_page *p, const struct set_ctx *c, const struct set_item *it)
{
	const be_vmconf *v = c->conf;
	char m[32], mm[32];
	core_size_fmt(v->active ? v->live_mem : v->mem, m, sizeof(m));
	core_size_fmt(v->maxmem, mm, sizeof(mm));
	add_text(p, c, it, "mem", "&Memory", m);
	add_text(p, c, it, "maxmem", "Ma&ximum", mm);
	if (v->active && v->live_mem != v->mem) {
		core_size_fmt(v->mem, m, sizeof(m));
		add_labelf(p, "next", "At next boot: %s", m);
	}
	add_labelf(p, "when", "Memory: %s (balloon); maximum: at next boot", when_of(v, true));
}

static void form_cpu(struct tui_page *p, const struct set_ctx *c, const struct set_item *it)
{
	const be_vmconf *v = c->conf;
	char n[16], mx[16];
	snprintf(n, sizeof(n), "%u", v->active ? v->live_vcpus : v->vcpus);
	snprintf(mx, sizeof(mx), "%u", v->maxvcpus);
	add_text(p, c, it, "vcpus", "&Processors", n);
	add_text(p, c, it, "maxvcpus", "Ma&ximum", mx);
	if (v->active && v->live_vcpus != v->vcpus)
		add_labelf(p, "next", "At next boot: %u", v->vcpus);
	add_labelf(p, "when", "Processors: %s (hot-plug up to the maximum); maximum: at next boot", when_of(v, true));
}

/* ISO volumes of the host's pools, for the CD/DVD form. */
static void iso_choices(struct tui_field *f, const md_host *h, const char *cur)
{
	tui_field_add_choice(f, "(as typed above)");
	for (size_t i = 0; h && i < h->npools; i++)
		for (size_t k = 0; k < h->pools[i].nvols; k++) {
			const md_vol *vol = &h->pools[i].vols[k];
			size_t n = vol->name ? strlen(vol->name) : 0;
			if (!vol->path || !((vol->format && !strcmp(vol->format, "iso")) ||
					    (n > 4 && !strcasecmp(vol->name + n - 4, ".iso"))))
				continue;
			tui_field_add_choice(f, vol->path);
			if (core_str_eq(vol->path, cur))
				f->choice = (int)f->nchoices - 1;
		}
}

/* The disk's volume in the host's pools (by path or pool/volume), NULL
 * when it is in none. */
static const md_vol *disk_vol(const struct set_ctx *c, const be_device *dv)
{
	const md_host *h = md_host_get(c->a->model, c->host_id);
	for (size_t i = 0; h && i < h->npools; i++)
		for (size_t k = 0; k < h->pools[i].nvols; k++) {
			const md_vol *vol = &h->pools[i].vols[k];
			if ((dv->source && core_str_eq(vol->path, dv->source)) ||
			    (dv->vol && core_str_eq(vol->name, dv->vol) && core_str_eq(h->pools[i].name, dv->pool)))
				return vol;
		}
	return NULL;
}

static void disk_size_field(struct tui_page *p, struct set_ctx *c, const struct set_item *it, const be_device *dv)
{
	const md_vol *vol = disk_vol(c, dv);
	char size[32] = "";
	if (vol)
		core_size_fmt(vol->capacity, size, sizeof(size));
	add_text(p, c, it, "size", "&Size", size);
	add_label(p, "i3", vol ? "Grow it: now when the VM runs (the guest sees it), else in its pool"
			       : "Size unknown (not a volume of the host's pools): type a size to grow it");
}

static const char *const bus_choices[] = { "virtio", "sata", "scsi" };
static const char *const nic_models[] = { "virtio", "e1000", "rtl8139" };

static const char *const nic_types[] = { "network", "bridge" };

/* The NIC's connection: network or bridge (shown: the edit, else the VM's). */
static const char *nic_type(const struct set_ctx *c, const struct set_item *it, const be_device *dv)
{
	return val_or(c, it, "ctype", dv->net_type);
}

/* The connection (network or bridge) with the host's networks or a
 * bridge's name, the model and the MAC. */
static void nic_fields(struct tui_page *p, struct set_ctx *c, const struct set_item *it, const be_device *dv)
{
	const md_host *h = md_host_get(c->a->model, c->host_id);
	const char *type = nic_type(c, it, dv);
	/* switched to the other type: no source of the VM's to start from */
	const char *src = core_str_eq(type, dv->net_type) ? dv->net_source : "";
	bool switchable = core_str_eq(dv->net_type, "network") || core_str_eq(dv->net_type, "bridge");
	struct tui_field *f;
	const char *cur;
	if (switchable)
		add_choice(p, c, it, "ctype", "Connec&tion", nic_types, CORE_ARRAY_LEN(nic_types), dv->net_type);
	if (core_str_eq(type, "network")) {
		f = tui_page_add(p, &tui_field_choice, "net", "&Network", NULL);
		cur = val_or(c, it, "net", *src ? src : h && h->nnets ? h->nets[0].name : "default");
		base_set(c, it, "net", src);
		for (size_t i = 0; h && i < h->nnets; i++)
			tui_field_add_choice(f, h->nets[i].name);
		for (size_t i = 0; i <= f->nchoices; i++) {
			if (i == f->nchoices) {
				tui_field_add_choice(f, cur); /* not (or no longer) a network of the host */
				f->choice = (int)i;
				break;
			}
			if (!strcmp(f->choices[i], cur)) {
				f->choice = (int)i;
				break;
			}
		}
	} else if (core_str_eq(type, "bridge")) {
		add_text(p, c, it, "bridge", "&Bridge", src);
	}
	f = add_choice(p, c, it, "model", "Mo&del", nic_models, CORE_ARRAY_LEN(nic_models), dv->model);
	if (dv->model && f->choice == 0 && strcmp(dv->model, nic_models[0])) {
		tui_field_add_choice(f, dv->model);
		f->choice = (int)f->nchoices - 1;
	}
	add_text(p, c, it, "mac", "MA&C", dv->mac);
	if (c->conf->active)
		add_label(p, "i3", "Connection, network and link: now and at next boot; model: at next boot; "
				   "MAC: only while the VM is shut off (libvirt changes no MAC live)");
	else
		add_label(p, "i3", "Connection, network, link, model and MAC: at next boot");
}

/* CD/DVD: a local ISO (a file on this machine) and the pool it goes to
 * (the current ISO's pool, else "default", else the first active one); dv
 * NULL: a new drive. */
static void cd_local_fields(struct tui_page *p, struct set_ctx *c, const struct set_item *it, const be_device *dv)
{
	const md_host *h = md_host_get(c->a->model, c->host_id);
	const char *dflt = NULL;
	struct tui_field *f;
	if (c->preview && dv)
		return; /* the wizard's own drive: its install source is the wizard's */
	for (size_t i = 0; h && i < h->npools; i++) {
		const md_pool *pl = &h->pools[i];
		if (!pl->active)
			continue;
		if (!dflt || !strcmp(pl->name, "default"))
			dflt = pl->name;
		for (size_t k = 0; dv && dv->source && k < pl->nvols; k++)
			if (core_str_eq(pl->vols[k].path, dv->source))
				dflt = pl->name;
	}
	base_set(c, it, "local", "");
	f = tui_page_add(p, &tui_field_path, "local", "&Local ISO file", NULL);
	tui_field_set_value(f, val_or(c, it, "local", ""));
	f = tui_page_add(p, &tui_field_choice, "upool", "Uploa&d to pool", NULL);
	base_set(c, it, "upool", dflt);
	for (size_t i = 0; h && i < h->npools; i++)
		if (h->pools[i].active) {
			tui_field_add_choice(f, h->pools[i].name);
			if (!strcmp(h->pools[i].name, val_or(c, it, "upool", dflt)))
				f->choice = (int)f->nchoices - 1;
		}
	add_label(p, "i4", c->preview ? "A local ISO is uploaded at Finish, as one of the wizard's steps (removed "
					"again if a later step fails)"
				      : "A local ISO is uploaded at Apply (progress, Cancel; a pooled copy with the same "
					"content is used instead), then inserted");
}

static void form_dev(struct tui_page *p, struct set_ctx *c, const struct set_item *it)
{
	const be_vmconf *v = c->conf;
	const be_device *dv = &v->devs[it->dev];
	struct tui_field *f;
	const char *when = dv->in_live && !dv->in_config ? "now only (gone at next boot)"
			   : !dv->in_live && v->active ? "at next boot (not in the running VM)" : when_of(v, true);
	switch (dv->kind) {
	case BE_DEVK_DISK:
		add_labelf(p, "i1", "Source: %s%s%s", dv->pool ? dv->pool : "", dv->pool ? "/" : "",
			   dv->vol ? dv->vol : dv->source ? dv->source : "");
		add_labelf(p, "i2", "Bus %s, format %s%s", dv->bus ? dv->bus : "?", dv->format ? dv->format : "?",
			   dv->readonly ? ", read-only" : "");
		disk_size_field(p, c, it, dv);
		add_choice(p, c, it, "bus", "&Bus", bus_choices, 3, dv->bus ? dv->bus : "virtio");
		add_check(p, c, it, "remove", "&Remove this disk", false);
		add_check(p, c, it, "delvol", "Also &delete its volume (refused if another VM uses it)", false);
		break;
	case BE_DEVK_CDROM:
		add_text(p, c, it, "iso", "&ISO", dv->source ? dv->source : "");
		f = tui_page_add(p, &tui_field_choice, "pick", "&Pooled ISO", NULL);
		iso_choices(f, md_host_get(c->a->model, c->host_id), NULL);
		add_label(p, "i1", "Empty the ISO field to eject; pick a pooled ISO to insert it");
		cd_local_fields(p, c, it, dv);
		add_check(p, c, it, "remove", "&Remove this drive", false);
		break;
	case BE_DEVK_NIC:
		add_labelf(p, "i1", "MAC %s, %s %s, model %s%s%s", dv->mac ? dv->mac : "", dv->net_type ? dv->net_type : "",
			   dv->net_source ? dv->net_source : "", dv->model ? dv->model : "",
			   dv->ifname ? ", host side " : "", dv->ifname ? dv->ifname : "");
		nic_fields(p, c, it, dv);
		add_check(p, c, it, "link", "&Link up", !dv->link_down);
		add_check(p, c, it, "remove", "&Remove this adapter", false);
		break;
	case BE_DEVK_SERIAL:
	case BE_DEVK_CONSOLE:
	case BE_DEVK_CHANNEL:
		add_labelf(p, "i1", "%s %s, target %s%s%s%s%s", be_devk_name(dv->kind), dv->chr_type ? dv->chr_type : "",
			   dv->tgt_type ? dv->tgt_type : "", dv->tgt_name ? " " : "", dv->tgt_name ? dv->tgt_name : "",
			   dv->pty ? ", " : "", dv->pty ? dv->pty : "");
		if (dv->state)
			add_labelf(p, "i2", "Guest side: %s", dv->state);
		add_check(p, c, it, "remove", "&Remove", false);
		break;
	default:
		add_labelf(p, "i1", "%s: %s %s", be_devk_name(dv->kind), dv->model ? dv->model : "",
			   dv->detail ? dv->detail : "");
		add_label(p, "i2", "Change it with Edit XML...");
		break;
	}
	add_labelf(p, "when", "Changes here apply %s%s", when, dv->pending ? "; * = differs until the VM restarts" : "");
}

static void form_mgmt(struct tui_page *p, const struct set_ctx *c, const struct set_item *it)
{
	const be_vmconf *v = c->conf;
	add_text(p, c, it, "title", "&Title", v->title);
	add_text(p, c, it, "desc", "&Description", v->description);
	add_check(p, c, it, "autostart", "&Autostart with the host", v->autostart);
	add_label(p, "i1", "On host shutdown: libvirt-guests decides (vmmc cannot reach it)");
}

static const char *const add_whats[] = { "(nothing)", "Disk: new volume", "Disk: existing file or volume path",
					 "CD/DVD drive", "Network adapter", "Serial console", "Guest agent channel",
					 "TPM 2.0 (emulated)" };
enum { ADD_NONE, ADD_DISK_NEW, ADD_DISK_PATH, ADD_CDROM, ADD_NIC, ADD_SERIAL, ADD_AGENT, ADD_TPM };
static const char *const fmt_choices[] = { "qcow2", "raw" };
static const char *const model_choices[] = { "virtio", "e1000", "rtl8139" };

/* A running VM's new CD/DVD drive goes in now: only on a SCSI controller
 * (be_vmconf_has_controller), and only with an ISO in it. */
static bool cd_add_live(const struct set_ctx *c)
{
	return c->conf && c->conf->active && be_vmconf_has_controller(c->conf, "scsi", true);
}

static int add_what(const struct tui_page *p, const struct set_ctx *c, const struct set_item *it)
{
	const char *v = val_or(c, it, "what", add_whats[0]);
	for (size_t i = 0; i < CORE_ARRAY_LEN(add_whats); i++)
		if (!strcmp(v, add_whats[i]))
			return (int)i;
	return ADD_NONE;
}

static void form_add(struct tui_page *p, struct set_ctx *c, const struct set_item *it)
{
	const md_host *h = md_host_get(c->a->model, c->host_id);
	int what = add_what(p, c, it);
	struct tui_field *f;
	char *name;

	add_choice(p, c, it, "what", "&Add", add_whats, CORE_ARRAY_LEN(add_whats), add_whats[0]);
	switch (what) {
	case ADD_DISK_NEW:
		f = tui_page_add(p, &tui_field_choice, "pool", "P&ool", NULL);
		for (size_t i = 0; h && i < h->npools; i++)
			if (h->pools[i].active) {
				tui_field_add_choice(f, h->pools[i].name);
				if (core_str_eq(h->pools[i].name, val_or(c, it, "pool", "default")))
					f->choice = (int)f->nchoices - 1;
			}
		name = xasprintf("%s-%zu.qcow2", c->name ? c->name : "disk", c->conf ? c->conf->ndevs : 0);
		add_text(p, c, it, "vname", "&Volume", name);
		free(name);
		add_text(p, c, it, "size", "&Size", "1 GiB");
		add_choice(p, c, it, "fmt", "&Format", fmt_choices, 2, "qcow2");
		add_choice(p, c, it, "bus", "&Bus", bus_choices, 3, "virtio");
		break;
	case ADD_DISK_PATH:
		add_text(p, c, it, "path", "&Path", "");
		add_choice(p, c, it, "bus", "&Bus", bus_choices, 3, "virtio");
		break;
	case ADD_CDROM:
		add_text(p, c, it, "iso", "&ISO", "");
		f = tui_page_add(p, &tui_field_choice, "pick", "&Pooled ISO", NULL);
		iso_choices(f, h, NULL);
		add_label(p, "i1", "Empty: an empty drive (insert an ISO later)");
		cd_local_fields(p, c, it, NULL);
		if (c->conf && c->conf->active)
			add_label(p, "i2", cd_add_live(c) ? "Running VM: added now on its SCSI controller (an empty drive: "
							    "at next boot only, libvirt hot-plugs no empty CD/DVD)"
							  : "Running VM: a SATA/IDE CD/DVD drive cannot be hot-plugged, so "
							    "it is added for the next boot (live needs a SCSI controller)");
		break;
	case ADD_NIC:
		f = tui_page_add(p, &tui_field_choice, "net", "&Network", NULL);
		for (size_t i = 0; h && i < h->nnets; i++) {
			tui_field_add_choice(f, h->nets[i].name);
			if (core_str_eq(h->nets[i].name, val_or(c, it, "net", "default")))
				f->choice = (int)f->nchoices - 1;
		}
		if (!f->nchoices)
			tui_field_add_choice(f, "default");
		add_choice(p, c, it, "model", "Mo&del", model_choices, 3, "virtio");
		add_text(p, c, it, "mac", "&MAC", "");
		add_label(p, "i1", "MAC empty: libvirt picks one");
		break;
	case ADD_SERIAL:
		add_label(p, "i1", "A pty serial port: the guest needs console=ttyS0 on its kernel command line");
		break;
	case ADD_AGENT:
		add_label(p, "i1", "The virtio channel org.qemu.guest_agent.0 for qemu-ga in the guest");
		break;
	case ADD_TPM:
		add_label(p, "i1", "A TPM 2.0 emulated by swtpm on the host (tpm-crb), for the next boot");
		break;
	default:
		break;
	}
	if (what != ADD_NONE && c->conf)
		add_labelf(p, "when", "Added %s",
			   when_of(c->conf, what != ADD_SERIAL && what != ADD_TPM && (what != ADD_CDROM || cd_add_live(c))));
}

static void form_build(struct tui_dialog *d)
{
	struct set_ctx *c = sctx(d);
	struct tui_page *p = d->pages[0];
	struct tui_field *hw;
	const struct set_item *it;

	tui_page_clear_fields(p);
	kvl_clear(c->base);
	hw = tui_page_add(p, &tui_field_list, "hw", "&Hardware", NULL);
	for (size_t i = 0; i < c->nitems; i++) {
		char *l = item_label(c, &c->items[i]);
		tui_field_add_choice(hw, l);
		free(l);
	}
	if (c->sel < 0 || (size_t)c->sel >= c->nitems)
		c->sel = 0;
	hw->choice = c->sel;
	hw->rows = c->nitems < 8 ? (int)c->nitems : 8;
	hw->pane_rows = (int)c->nitems; /* two panes: the whole list if the screen has room */
	if (hw->choice >= hw->rows)
		hw->top = hw->choice - hw->rows + 1;
	it = &c->items[c->sel];
	if (c->conf && !c->gone) {
		char *l = item_label(c, it); /* safe already: a label's text as is */
		struct tui_field *hd = tui_page_add(p, &tui_field_label, "head", "", NULL);
		hd->text = xasprintf("== %s ==", l + 2);
		free(l);
	}
	if (!c->conf || c->gone || it->kind == IT_SUMMARY) {
		form_summary(p, c);
		return;
	}
	switch (it->kind) {
	case IT_BOOT: form_boot(p, c, it); break;
	case IT_MEMORY: form_memory(p, c, it); break;
	case IT_CPU: form_cpu(p, c, it); break;
	case IT_DEV: form_dev(p, c, it); break;
	case IT_MGMT: form_mgmt(p, c, it); break;
	default: form_add(p, c, it); break;
	}
}

static void on_change(struct tui_dialog *d, struct tui_page *p, struct tui_field *f)
{
	struct set_ctx *c = sctx(d);
	if (!c->gone && !c->seq)
		set_error(d, NULL); /* the last answer is about what was there before */
	if (!strcmp(f->id, "hw")) {
		form_keep(d);
		c->sel = f->choice;
		free(c->sel_key);
		c->sel_key = c->nitems ? xstrdup(c->items[c->sel].key) : NULL;
		form_build(d);
	} else if (!strcmp(f->id, "pick") && f->choice > 0) {
		struct tui_field *iso = tui_dialog_field(d, "iso");
		if (iso)
			tui_field_set_value(iso, f->choices[f->choice]);
	} else if (!strcmp(f->id, "what") || !strcmp(f->id, "ctype")) {
		form_keep(d);
		form_build(d);
	}
}

/* ---- Apply: the edits as one change list ------------------------------------------ */

static int parse_size(const char *field, const char *v, uint64_t *out, char **err)
{
	char *e = NULL;
	if (core_size_parse(v, out, &e) < 0) {
		*err = xasprintf("%s: %s", field, e);
		free(e);
		return -1;
	}
	return 0;
}

static int parse_count(const char *field, const char *v, uint64_t *out, char **err)
{
	char *end = NULL;
	unsigned long long n = strtoull(v, &end, 10);
	if (!*v || *end || n < 1 || n > 4096) {
		*err = xasprintf("%s: \"%s\" is not a number of processors (1-4096)", field, v);
		return -1;
	}
	*out = n;
	return 0;
}

/* Memory or processors: the maximum first when it grows, last when it
 * shrinks (libvirt checks current <= maximum at each step). */
static int collect_pair(struct set_ctx *c, be_vmchange *ch, const struct set_item *it, bool mem, char **err)
{
	const be_vmconf *v = c->conf;
	const char *cur_s = kv_get(c, it->key, mem ? "mem" : "vcpus");
	const char *max_s = kv_get(c, it->key, mem ? "maxmem" : "maxvcpus");
	uint64_t cur0 = mem ? (v->active ? v->live_mem : v->mem) : (v->active ? v->live_vcpus : v->vcpus);
	uint64_t max0 = mem ? v->maxmem : v->maxvcpus, cur = cur0, max = max0;
	const char *fc = mem ? "Memory" : "Processors", *fm = mem ? "Maximum memory" : "Maximum processors";
	int kc = mem ? BE_CHG_MEMORY : BE_CHG_VCPUS, km = mem ? BE_CHG_MAXMEM : BE_CHG_MAXVCPUS;
	char shown[32];

	if (mem) {
		/* an unchanged text keeps the exact value (the form rounds) */
		core_size_fmt(cur0, shown, sizeof(shown));
		if (cur_s && strcmp(cur_s, shown) && parse_size(fc, cur_s, &cur, err) < 0)
			return -1;
		core_size_fmt(max0, shown, sizeof(shown));
		if (max_s && strcmp(max_s, shown) && parse_size(fm, max_s, &max, err) < 0)
			return -1;
	} else {
		if (cur_s && parse_count(fc, cur_s, &cur, err) < 0)
			return -1;
		if (max_s && parse_count(fm, max_s, &max, err) < 0)
			return -1;
	}
	if (cur > max && c->preview && max == max0)
		max = cur; /* not defined yet: the maximum follows (nothing runs to hot-plug into) */
	if (cur > max) {
		*err = mem ? xasprintf("%s: above the maximum", fc) : xasprintf("%s: %llu is above the maximum (%llu)", fc,
										 (unsigned long long)cur, (unsigned long long)max);
		return -1;
	}
	if (max != max0 && max > max0)
		be_vmchange_add(ch, km, BE_WHEN_BOOT, v)->value = max;
	if (cur != cur0)
		be_vmchange_add(ch, kc, BE_WHEN_AUTO, v)->value = cur;
	if (max != max0 && max < max0)
		be_vmchange_add(ch, km, BE_WHEN_BOOT, v)->value = max;
	return 0;
}

static void collect_boot(struct set_ctx *c, be_vmchange *ch, const struct set_item *it)
{
	const be_vmconf *v = c->conf;
	static const char *const ids[] = { "boot1", "boot2", "boot3" };
	char *order[3];
	size_t n = 0;
	bool same;
	const char *fw = kv_get(c, it->key, "fw");
	bool edited = false;

	for (size_t i = 0; i < 3; i++)
		edited |= kv_get(c, it->key, ids[i]) != NULL;
	for (size_t i = 0; edited && i < 3; i++) {
		const char *b = kv_get(c, it->key, ids[i]);
		if (!b)
			b = boot_cur(v, i); /* left as the VM has it */
		if (strcmp(b, "(none)")) {
			bool dup = false;
			for (size_t k = 0; k < n; k++)
				dup |= !strcmp(order[k], b);
			if (!dup)
				order[n++] = (char *)b;
		}
	}
	same = n == v->nboot || (n == 1 && !v->nboot && !strcmp(order[0], "hd"));
	for (size_t i = 0; same && i < n && i < v->nboot; i++)
		same = !strcmp(order[i], v->boot[i]);
	if (!same && n) {
		be_vmchg *g = be_vmchange_add(ch, BE_CHG_BOOT, BE_WHEN_BOOT, v);
		g->boot = xcalloc(n, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			g->boot[i] = xstrdup(order[i]);
		g->nboot = n;
	}
	if (fw && !core_str_eq(fw, v->firmware ? v->firmware : "bios"))
		be_vmchange_add(ch, BE_CHG_FIRMWARE, BE_WHEN_BOOT, v)->text = xstrdup(fw);
}

static unsigned dev_when(const be_vmconf *v, const be_device *dv)
{
	if (dv->in_live && !dv->in_config)
		return BE_WHEN_NOW;
	if (!dv->in_live)
		return BE_WHEN_BOOT;
	return BE_WHEN_AUTO;
}

/* NIC: connection type, network / bridge and link can change live; the
 * model only for the next boot (then a live update carries the rest with
 * the old model); the MAC only while shut off, last (an update finds the
 * NIC by its MAC). */
static int collect_nic(struct set_ctx *c, be_vmchange *ch, const struct set_item *it, const be_device *dv,
		       char **err)
{
	const be_vmconf *v = c->conf;
	const char *link = kv_get(c, it->key, "link"), *model = kv_get(c, it->key, "model"),
		   *mac = kv_get(c, it->key, "mac"), *type = nic_type(c, it, dv);
	bool type_ch = !core_str_eq(type, dv->net_type);
	const char *src = kv_get(c, it->key, core_str_eq(type, "bridge") ? "bridge" : "net");
	bool link_down = link ? strcmp(link, "1") != 0 : dv->link_down;
	bool live, model_ch = model && !core_str_eq(model, dv->model);
	bool mac_ch = mac && (!dv->mac || strcasecmp(mac, dv->mac) != 0);
	unsigned when = dev_when(v, dv);
	char m[18];
	be_vmchg *g;

	if (src && !*src)
		src = NULL;
	if (type_ch && !src) {
		*err = xasprintf("%s: which one (the adapter is switched to a %s)",
				 core_str_eq(type, "bridge") ? "Bridge" : "Network", type);
		return -1;
	}
	if (mac_ch && be_mac_check(mac, m, err) < 0)
		return -1;
	if (mac_ch && v->active) {
		*err = xstrdup("MAC: can only be changed while the VM is shut off (libvirt refuses a live MAC change)");
		return -1;
	}
	live = type_ch || (src && !core_str_eq(src, dv->net_source)) || link_down != dv->link_down;
	if (live || model_ch) {
		if (model_ch && v->active && live && dv->in_live) {
			g = be_vmchange_add(ch, BE_CHG_UPDATE, BE_WHEN_NOW, v);
			be_device_copy(&g->dev, dv);
			core_str_set(&g->dev.net_type, type);
			if (src)
				core_str_set(&g->dev.net_source, src);
			g->dev.link_down = link_down;
		}
		g = be_vmchange_add(ch, BE_CHG_UPDATE, model_ch ? BE_WHEN_BOOT : when, v);
		be_device_copy(&g->dev, dv);
		core_str_set(&g->dev.net_type, type);
		if (src)
			core_str_set(&g->dev.net_source, src);
		if (model_ch)
			core_str_set(&g->dev.model, model);
		g->dev.link_down = link_down;
	}
	if (mac_ch) {
		g = be_vmchange_add(ch, BE_CHG_MAC, BE_WHEN_BOOT, v);
		be_device_copy(&g->dev, dv);
		g->text = xstrdup(m);
	}
	return 0;
}

static int collect_grow(struct set_ctx *c, be_vmchange *ch, const struct set_item *it, const be_device *dv,
			char **err)
{
	const char *sz = kv_get(c, it->key, "size");
	const md_vol *vol = disk_vol(c, dv);
	char shown[32] = "";
	uint64_t want;
	be_vmchg *g;
	if (vol)
		core_size_fmt(vol->capacity, shown, sizeof(shown));
	if (!sz || !*sz || !strcmp(sz, shown))
		return 0; /* untouched (or shown before the pool list came) */
	if (parse_size("Size", sz, &want, err) < 0)
		return -1;
	g = be_vmchange_add(ch, BE_CHG_GROW, BE_WHEN_AUTO, c->conf);
	be_device_copy(&g->dev, dv);
	g->value = want;
	return 0;
}

static void collect_bus(struct set_ctx *c, be_vmchange *ch, const struct set_item *it, const be_device *dv)
{
	const char *bus = kv_get(c, it->key, "bus");
	be_vmchg *g;
	if (!bus || core_str_eq(bus, dv->bus ? dv->bus : "virtio"))
		return;
	g = be_vmchange_add(ch, BE_CHG_BUS, BE_WHEN_BOOT, c->conf);
	be_device_copy(&g->dev, dv);
	g->text = xstrdup(bus);
}

static int collect_dev(struct set_ctx *c, be_vmchange *ch, const struct set_item *it, char **err)
{
	const be_vmconf *v = c->conf;
	const be_device *dv = &v->devs[it->dev];
	const char *rm = kv_get(c, it->key, "remove"), *iso = kv_get(c, it->key, "iso");
	be_vmchg *g;

	if (rm && !strcmp(rm, "1")) {
		const char *dvol = kv_get(c, it->key, "delvol");
		g = be_vmchange_add(ch, BE_CHG_DETACH, dev_when(v, dv), v);
		be_device_copy(&g->dev, dv);
		g->dev.delete_volume = dvol && !strcmp(dvol, "1");
		return 0;
	}
	if (dv->kind == BE_DEVK_CDROM && iso && !core_str_eq(*iso ? iso : NULL, dv->source ? dv->source : NULL) &&
	    !(!*iso && !dv->source && !dv->vol)) {
		g = be_vmchange_add(ch, BE_CHG_UPDATE, dev_when(v, dv), v);
		be_device_copy(&g->dev, dv);
		xfree(&g->dev.pool);
		xfree(&g->dev.vol);
		core_str_set(&g->dev.source, *iso ? iso : NULL);
	}
	if (dv->kind == BE_DEVK_NIC && collect_nic(c, ch, it, dv, err) < 0)
		return -1;
	if (dv->kind == BE_DEVK_DISK) {
		collect_bus(c, ch, it, dv);
		return collect_grow(c, ch, it, dv, err);
	}
	return 0;
}

static void collect_mgmt(struct set_ctx *c, be_vmchange *ch, const struct set_item *it)
{
	const be_vmconf *v = c->conf;
	const char *t = kv_get(c, it->key, "title"), *dsc = kv_get(c, it->key, "desc"),
		   *au = kv_get(c, it->key, "autostart");
	if (t && strcmp(t, v->title ? v->title : ""))
		be_vmchange_add(ch, BE_CHG_TITLE, BE_WHEN_AUTO, v)->text = xstrdup(t);
	if (dsc && strcmp(dsc, v->description ? v->description : ""))
		be_vmchange_add(ch, BE_CHG_DESCRIPTION, BE_WHEN_AUTO, v)->text = xstrdup(dsc);
	if (au && (!strcmp(au, "1")) != v->autostart)
		be_vmchange_add(ch, BE_CHG_AUTOSTART, BE_WHEN_BOOT, v)->value = !strcmp(au, "1");
}

/* Customize before install: a new drive's local ISO is uploaded at
 * Finish (the wizard's steps, undone if a later one fails; nothing made if
 * the wizard is cancelled): the drive gets the volume pool/vol it will be,
 * the file in dv->upload_from. 0 (no local file: nothing to do), -1 with
 * *err. */
static int cd_preview_local(const struct set_ctx *c, const struct set_item *it, be_device *dv, char **err)
{
	const char *local = kv_get(c, it->key, "local"), *pool = kv_get(c, it->key, "upool");
	const md_host *h = md_host_get(c->a->model, c->host_id);
	const md_pool *p = NULL;
	unsigned long long size;
	if (!local || !*local)
		return 0;
	if (!pool)
		pool = kvl_get(c->base, it->key, "upool");
	for (size_t i = 0; h && pool && i < h->npools; i++)
		if (core_str_eq(h->pools[i].name, pool) && h->pools[i].active)
			p = &h->pools[i];
	if (tui_media_check_file(local, &size, err) < 0)
		return -1;
	if (!p) {
		*err = xasprintf("Upload to pool: %s is not an active pool of the host", pool && *pool ? pool : "(none)");
		return -1;
	}
	free(dv->source);
	dv->source = NULL;
	dv->pool = xstrdup(p->name);
	dv->vol = tui_media_vol_name(p, local);
	dv->format = xstrdup("raw");
	dv->upload_from = xstrdup(local);
	return 0;
}

static int collect_add(struct set_ctx *c, be_vmchange *ch, const struct set_item *it, char **err)
{
	const be_vmconf *v = c->conf;
	int what = add_what(NULL, c, it);
	const char *iso = kv_get(c, it->key, "iso");
	bool boot = what == ADD_SERIAL || what == ADD_TPM || (what == ADD_CDROM && (!cd_add_live(c) || !iso || !*iso));
	be_vmchg *g;
	const char *s;

	if (what == ADD_NONE)
		return 0;
	g = be_vmchange_add(ch, BE_CHG_ATTACH, boot ? BE_WHEN_BOOT : BE_WHEN_AUTO, v);
	switch (what) {
	case ADD_DISK_NEW:
		g->dev.kind = BE_DEVK_DISK;
		g->dev.pool = xstrdup(kv_get(c, it->key, "pool"));
		g->dev.vol = xstrdup(kv_get(c, it->key, "vname"));
		g->dev.format = xstrdup(kv_get(c, it->key, "fmt"));
		g->dev.bus = xstrdup(kv_get(c, it->key, "bus"));
		if (!g->dev.pool || !*g->dev.pool) {
			*err = xstrdup("Pool: the host has no active pool");
			return -1;
		}
		if (!g->dev.vol || !*g->dev.vol || strchr(g->dev.vol, '/')) {
			*err = xstrdup("Volume: give a name without '/'");
			return -1;
		}
		if (parse_size("Size", (s = kv_get(c, it->key, "size")) ? s : "", &g->dev.new_size, err) < 0)
			return -1;
		break;
	case ADD_DISK_PATH:
		g->dev.kind = BE_DEVK_DISK;
		s = kv_get(c, it->key, "path");
		if (!s || *s != '/') {
			*err = xstrdup("Path: give the disk's absolute path on the host");
			return -1;
		}
		g->dev.source = xstrdup(s);
		g->dev.bus = xstrdup(kv_get(c, it->key, "bus"));
		g->dev.format = xstrdup(strlen(s) > 6 && !strcmp(s + strlen(s) - 6, ".qcow2") ? "qcow2" : "raw");
		break;
	case ADD_CDROM:
		g->dev.kind = BE_DEVK_CDROM;
		g->dev.source = iso && *iso ? xstrdup(iso) : NULL;
		if (c->preview && cd_preview_local(c, it, &g->dev, err) < 0)
			return -1;
		if (g->when & BE_WHEN_NOW)
			g->dev.bus = xstrdup("scsi"); /* the one bus libvirt hot-plugs a CD/DVD drive on */
		break;
	case ADD_NIC:
		g->dev.kind = BE_DEVK_NIC;
		g->dev.net_type = xstrdup("network");
		g->dev.net_source = xstrdup(kv_get(c, it->key, "net"));
		g->dev.model = xstrdup(kv_get(c, it->key, "model"));
		s = kv_get(c, it->key, "mac");
		if (s && *s) {
			char mac[18];
			if (be_mac_check(s, mac, err) < 0)
				return -1;
			g->dev.mac = xstrdup(mac);
		}
		break;
	case ADD_SERIAL:
		g->dev.kind = BE_DEVK_SERIAL;
		g->dev.port = be_vmconf_find(v, BE_DEVK_SERIAL, 0) >= 0 ? 1 : 0;
		break;
	case ADD_TPM:
		g->dev.kind = BE_DEVK_TPM;
		if (be_vmconf_find(v, BE_DEVK_TPM, 0) >= 0) {
			*err = xstrdup("TPM: the VM has one already");
			return -1;
		}
		break;
	default:
		g->dev.kind = BE_DEVK_CHANNEL;
		g->dev.tgt_name = xstrdup(BE_AGENT_CHANNEL);
		if (be_vmconf_agent(v)) {
			*err = xstrdup("Guest agent channel: the VM has one already");
			return -1;
		}
		break;
	}
	return 0;
}

/* The change list of every kept edit; NULL with *err (a field's problem),
 * or with *err NULL when nothing changed. */
static be_vmchange *collect(struct set_ctx *c, char **err)
{
	be_vmchange *ch = be_vmchange_new();
	int rc = 0;
	*err = NULL;
	for (size_t i = 0; i < c->nitems && rc == 0; i++) {
		const struct set_item *it = &c->items[i];
		switch (it->kind) {
		case IT_BOOT: collect_boot(c, ch, it); break;
		case IT_MEMORY: rc = collect_pair(c, ch, it, true, err); break;
		case IT_CPU: rc = collect_pair(c, ch, it, false, err); break;
		case IT_DEV: rc = collect_dev(c, ch, it, err); break;
		case IT_MGMT: collect_mgmt(c, ch, it); break;
		case IT_ADD: rc = collect_add(c, ch, it, err); break;
		default: break;
		}
	}
	if (rc < 0 || !ch->n) {
		be_vmchange_free_void(ch);
		return NULL;
	}
	return ch;
}


static void request_details(struct tui_dialog *d)
{
	struct set_ctx *c = sctx(d);
	be_host *be = st_host_be(c->a, c->host_id);
	if (!be) {
		set_error(d, xstrdup("The host is not connected."));
		return;
	}
	c->seq = be_host_submit(be, BE_OP_VM_DETAILS, c->uuid, NULL, 0);
	tui_mode_expect(c->a, &d->mode, c->host_id, c->seq);
}

static bool send_changes(struct tui_dialog *d, be_vmchange *ch, bool closing)
{
	struct set_ctx *c = sctx(d);
	be_host *be = st_host_be(c->a, c->host_id);
	if (!be) {
		be_vmchange_free_void(ch);
		set_error(d, xstrdup("The host is not connected."));
		return false;
	}
	be_vmchange_know(ch, c->conf); /* the job reads no state or limits of its own */
	{
		const md_host *h = md_host_get(c->a->model, c->host_id);
		if (h && h->live && (h->live->host_rate.have & CORE_HRATE_MEM_TOTAL))
			ch->host_mem_kib = h->live->host_rate.mem_total_kib; /* the stats have it: no call */
	}
	c->seq = be_host_submit_arg(be, BE_OP_VM_CHANGE, c->uuid, ch, be_vmchange_free_void);
	c->changing = true;
	if (!closing)
		tui_mode_expect(c->a, &d->mode, c->host_id, c->seq);
	set_error(d, xstrdup("Applying..."));
	return true;
}

/* The change list removes the VM's only disk (and it boots from no kernel). */
static bool removes_boot_disk(const be_vmconf *v, const be_vmchange *ch)
{
	if (v->kernel || be_vmconf_find(v, BE_DEVK_DISK, 1) >= 0)
		return false;
	for (size_t i = 0; i < ch->n; i++)
		if (ch->v[i].kind == BE_CHG_DETACH && ch->v[i].dev.kind == BE_DEVK_DISK)
			return true;
	return false;
}

/* The volume a local ISO's upload made for an Apply that did not go
 * through: deleted (the answer goes to the status bar). */
static void cd_local_undo(struct tui_dialog *d)
{
	struct set_ctx *c = sctx(d);
	be_host *be = st_host_be(c->a, c->host_id);
	if (c->made_pool && c->made_vol && be)
		be_host_submit_arg(be, BE_OP_VOL_DELETE, c->made_pool, be_vol_op_new(c->made_vol), be_storage_arg_free);
	xfree(&c->made_pool);
	xfree(&c->made_vol);
}

static void boot_disk_done(struct tui_app *a, struct tui_dialog *q, int result)
{
	struct tui_dialog *d = q->ctx; /* Settings: below this question on the stack */
	struct set_ctx *c = sctx(d);
	be_vmchange *ch = c->held;
	c->held = NULL;
	if (result == TUI_DLG_OK && ch)
		send_changes(d, ch, false);
	else
		be_vmchange_free_void(ch);
}

static void no_free(struct tui_dialog *q)
{
	q->ctx = NULL;
}

/* Customize before install: the changes applied to the XML here (no
 * libvirt: be_vmxml.h) and kept for OK; the list shows the new XML. */
static bool preview_apply(struct tui_dialog *d, be_vmchange *ch)
{
	struct set_ctx *c = sctx(d);
	char *err = NULL, *xml = be_vmchange_apply_xml(c->preview_xml, ch, &err);
	be_vmconf *conf = xml ? be_vmconf_parse(NULL, xml, &err) : NULL;
	if (!conf) {
		be_vmchange_free_void(ch);
		free(xml);
		set_error(d, err ? core_sanitize(err) : xstrdup("The changes could not be made"));
		d->error_style = true;
		free(err);
		return false;
	}
	free(c->preview_xml);
	c->preview_xml = xml;
	if (!c->acc)
		c->acc = be_vmchange_new();
	be_vmchange_move(c->acc, &ch);
	be_vmconf_free(&c->conf);
	c->conf = conf;
	kv_clear(c);
	items_build(c);
	if (c->sel < 0 || (size_t)c->sel >= c->nitems)
		c->sel = 0;
	form_build(d);
	set_error(d, xstrdup("Changed here; OK puts them into the new VM"));
	d->error_style = false;
	return true;
}

static bool apply(struct tui_dialog *d, bool closing);

/* The local ISO is in the pool (or could not be put there): its path
 * goes into the drive's ISO field and Apply goes on; else nothing. */
static void cd_local_done(struct tui_app *a, void *ctx, const tui_media_result *r)
{
	struct tui_dialog *d = ctx;
	struct set_ctx *c = sctx(d);
	char *key = c->media_key;
	c->media_key = NULL;
	if (!r->path || !key) {
		set_error(d, xasprintf("Local ISO: %s; the VM was not changed", r->text ? r->text : "failed"));
		d->error_style = true;
		free(key);
		return;
	}
	tui_status(a, false, "%s", r->text ? r->text : "The ISO is in the pool");
	free(c->media_note);
	c->media_note = r->made ? xasprintf("Uploaded as %s", r->vol)
				: xasprintf("Pooled copy %s used (same content, not uploaded again)", r->vol);
	kvl_set(&c->edits, key, "iso", r->path);
	kvl_set(&c->edits, key, "local", NULL);
	free(key);
	xfree(&c->made_pool);
	xfree(&c->made_vol);
	if (r->made) {
		c->made_pool = xstrdup(r->pool_uuid);
		c->made_vol = xstrdup(r->vol);
	}
	form_build(d);
	if (c->seq && !c->changing) {
		c->apply_after_read = true; /* a read of the details is under way: Apply after it */
		return;
	}
	if (!apply(d, false) && !c->held)
		cd_local_undo(d); /* nothing was sent: the new volume goes */
}

/* Apply with a local ISO in a CD/DVD form: its upload starts (one at a
 * time); true: Apply waits for it (or a clear error is shown). */
static bool cd_local_start(struct tui_dialog *d)
{
	struct set_ctx *c = sctx(d);
	if (c->preview)
		return false; /* uploaded at Finish (cd_preview_local) */
	for (size_t i = 0; i < c->nitems; i++) {
		const struct set_item *it = &c->items[i];
		const char *local = kv_get(c, it->key, "local"), *pool = kv_get(c, it->key, "upool");
		char *err = NULL;
		bool cd = it->kind == IT_DEV ? c->conf->devs[it->dev].kind == BE_DEVK_CDROM
					     : it->kind == IT_ADD && add_what(NULL, c, it) == ADD_CDROM;
		if (!cd || !local || !*local)
			continue;
		if (!pool)
			pool = kvl_get(c->base, it->key, "upool");
		if (tui_media_upload(c->a, c->host_id, pool, local, &d->mode, cd_local_done, d, &err) < 0) {
			set_error(d, err);
			d->error_style = true;
			return true;
		}
		core_str_set(&c->media_key, it->key);
		set_error(d, xstrdup("Putting the local ISO into the pool..."));
		d->error_style = false;
		return true;
	}
	return false;
}

/* Apply: false when nothing was sent (an error is shown, or no change, or
 * a question is asked first). */
static bool apply(struct tui_dialog *d, bool closing)
{
	struct set_ctx *c = sctx(d);
	be_vmchange *ch;
	char *err = NULL;

	if (!c->conf || c->gone)
		return false;
	if (c->seq || c->held) {
		set_error(d, xstrdup("Still waiting for the host's answer..."));
		return false;
	}
	form_keep(d);
	if (cd_local_start(d))
		return false; /* Apply goes on when the ISO is in a pool */
	if (!(ch = collect(c, &err))) {
		set_error(d, err ? err : closing ? NULL : xstrdup("Nothing changed."));
		return false;
	}
	if (c->preview)
		return preview_apply(d, ch);
	if (removes_boot_disk(c->conf, ch)) {
		struct tui_dialog *q = tui_confirm("Remove the only disk",
						   "This is the VM's only disk: without it, it boots from nothing "
						   "but a CD/DVD or the network. Remove it?",
						   "Remove", boot_disk_done);
		c->held = ch;
		q->ctx = d;
		q->on_free = no_free;
		tui_push_dialog(c->a, q);
		set_error(d, NULL);
		return false;
	}
	return send_changes(d, ch, closing);
}

static void follow_vm(struct tui_app *a, struct tui_dialog *d);

/* The VM's details (taken) shown: the list and the form rebuilt, the
 * selected item and (but after an Apply) the user's edits kept. */
static void conf_take(struct tui_app *a, struct tui_dialog *d, be_vmconf *conf)
{
	struct set_ctx *c = sctx(d);
	const md_host *h = md_host_get(a->model, c->host_id);
	const md_vm *v = h ? md_vm_find(h, c->uuid) : NULL;
	if (!c->applied)
		form_keep(d); /* a refresh keeps what the user is typing */
	c->applied = false;
	be_vmconf_free(&c->conf);
	c->conf = conf;
	c->conf->autostart = v && v->autostart; /* the list has it: no round trip */
	c->started = v ? v->started_wall : 0;
	items_build(c);
	c->sel = 0;
	for (size_t i = 0; c->sel_key && i < c->nitems; i++)
		if (!strcmp(c->items[i].key, c->sel_key))
			c->sel = (int)i;
	form_build(d);
}

static void on_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct set_ctx *c = sctx(d);
	if (m->seq != c->seq)
		return;
	if (m->type == MD_MSG_OP_RESULT && m->op == BE_OP_VM_CHANGE) {
		char *t = m->text && c->media_note ? xasprintf("%s; %s", c->media_note, m->text) : NULL;
		set_error(d, t || m->text ? core_sanitize(t ? t : m->text) : NULL);
		free(t);
		xfree(&c->media_note);
		d->error_style = !m->ok;
		if (!m->ok)
			cd_local_undo(d); /* the ISO it uploaded for this Apply goes */
		xfree(&c->made_pool);
		xfree(&c->made_vol);
		if (m->ok) {
			kv_clear(c); /* applied: the fresh details show them */
			c->applied = true;
		}
		return;
	}
	if (m->type != MD_MSG_VM_DETAILS)
		return;
	c->seq = 0;
	c->changing = false;
	if (!m->ok) {
		c->xml_pending = false;
		c->stale = false;
		if (c->apply_after_read) { /* the VM cannot be read: the ISO is not left either */
			c->apply_after_read = false;
			cd_local_undo(d);
		}
		c->gone = m->count == 1;
		set_error(d, m->text ? core_sanitize(m->text) : xstrdup("Could not read the VM's settings"));
		d->error_style = true;
		if (c->gone) {
			be_vmconf_free(&c->conf);
			items_build(c);
			c->sel = 0;
			form_build(d);
		}
		return;
	}
	conf_take(a, d, m->ext); /* taken: the message is freed after this */
	((md_msg *)m)->ext = NULL;
	if (c->xml_pending) {
		c->xml_pending = false;
		tui_edit_xml_run(a, c->host_id, c->uuid, c->name, c->conf->config_xml);
	}
	follow_vm(a, d);
	if (c->apply_after_read && !c->seq) {
		c->apply_after_read = false;
		if (c->gone || (!apply(d, false) && !c->held))
			cd_local_undo(d);
	}
	if (c->stale && !c->seq && !c->gone) {
		c->stale = false;
		request_details(d);
	}
}

/* The model moved: the VM deleted by someone else, or started / stopped
 * (pending items change): read the details again. Also after an answer
 * (the VM may have moved while it was read). */
static void follow_vm(struct tui_app *a, struct tui_dialog *d)
{
	struct set_ctx *c = sctx(d);
	const md_host *h = md_host_get(a->model, c->host_id);
	const md_vm *v = h ? md_vm_find(h, c->uuid) : NULL;
	if (c->gone || !h || !h->listed || c->preview)
		return;
	if (!v) {
		c->gone = true;
		be_vmconf_free(&c->conf);
		items_build(c);
		c->sel = 0;
		form_build(d);
		set_error(d, xasprintf("The VM was deleted (by someone else?): Cancel closes Settings"));
		d->error_style = true;
		return;
	}
	/* a restart between two updates: the same state, another start time */
	if (c->conf && !c->seq &&
	    (md_vm_state_active(v->state) != c->conf->active || (v->started_wall && v->started_wall != c->started)))
		request_details(d);
}

static void on_sync(struct tui_app *a, struct tui_dialog *d)
{
	follow_vm(a, d);
}

static void on_free(struct tui_dialog *d)
{
	struct set_ctx *c = sctx(d);
	be_vmconf_free(&c->conf);
	items_free(c);
	kv_clear(c);
	kvl_clear(c->base);
	free(c->base);
	be_vmchange_free_void(c->held);
	be_vmchange_free_void(c->acc); /* Cancel: the wizard's XML stays as it was */
	free(c->preview_xml);
	free(c->name);
	free(c->sel_key);
	free(c->media_key);
	free(c->media_note);
	free(c->made_pool);
	free(c->made_vol);
	free(c);
}

/* ---- the mode: Apply and Edit XML keep the dialog open ------------------------------- */

static struct tui_mode_ops settings_ops;
static const struct tui_mode_ops *dialog_ops;

static int after(struct tui_mode *m, struct tui_app *a, int r)
{
	struct tui_dialog *d = (struct tui_dialog *)m;
	struct set_ctx *c = sctx(d);
	if (r != TUI_KEY_CLOSE || d->result != TUI_DLG_OK)
		return r;
	if (d->pressed == BTN_OK && c->preview) {
		bool ok = true;
		char *err = NULL;
		be_vmchange *ch;
		form_keep(d);
		if ((ch = collect(c, &err)) != NULL)
			ok = preview_apply(d, ch);
		else if (err)
			ok = false, set_error(d, err), d->error_style = true;
		if (ok) {
			ch = c->acc;
			c->acc = NULL;
			c->done(c->done_ctx, ch); /* taken, NULL: nothing changed */
			return TUI_KEY_CLOSE;
		}
	} else if (d->pressed == BTN_OK) {
		if (c->gone || !c->conf)
			return TUI_KEY_CLOSE;
		if (apply(d, true) || (!d->error && !c->held))
			return TUI_KEY_CLOSE; /* the answer goes to the status bar */
	} else if (d->pressed == BTN_APPLY) {
		apply(d, false);
	} else if (d->pressed == BTN_XML && c->conf && !c->gone && !c->seq) {
		/* the editor gets the definition of now, not of when Settings opened */
		c->xml_pending = true;
		request_details(d);
	}
	d->result = TUI_DLG_RUNNING;
	return TUI_KEY_DONE;
}

static int settings_key(struct tui_mode *m, struct tui_app *a, int key, bool is_char)
{
	return after(m, a, dialog_ops->key(m, a, key, is_char));
}

static int settings_click(struct tui_mode *m, struct tui_app *a, int y, int x, bool dbl)
{
	return after(m, a, dialog_ops->click(m, a, y, x, dbl));
}

static void settings_mode(struct tui_dialog *d)
{
	if (!dialog_ops) {
		dialog_ops = d->mode.ops;
		settings_ops = *dialog_ops;
		settings_ops.name = "settings";
		settings_ops.key = settings_key;
		settings_ops.click = settings_click;
	}
	d->mode.ops = &settings_ops;
}

/* A Settings dialog (its title: prefix and the VM's name) and its
 * context, for host_id; preview: Customize before install (no Edit XML). */
static struct tui_dialog *settings_new(struct tui_app *a, const char *prefix, int host_id, const char *vm_name,
				       bool preview)
{
	char *name = core_sanitize(vm_name ? vm_name : ""), *title = xasprintf("%s - %s", prefix, name);
	struct tui_dialog *d = tui_dialog_new(title, TUI_BTN_CUSTOM);
	struct set_ctx *c = xcalloc(1, sizeof(*c));
	struct tui_page *p;
	free(title);
	free(name);
	tui_dialog_set_button(d, BTN_APPLY, "Appl&y");
	tui_dialog_set_button(d, BTN_OK, "O&K");
	if (!preview)
		tui_dialog_set_button(d, BTN_XML, "&Edit XML...");
	tui_dialog_set_button(d, preview ? 2 : BTN_CANCEL, "Cancel"); /* the last one cancels */
	d->enter_no_default = true;
	d->split_cols = 100; /* the hardware list left of the form, as Hyper-V */
	d->max_w = 140;      /* one column too: the screen's width, so forms and answers wrap less */
	c->a = a;
	c->host_id = host_id;
	c->name = xstrdup(vm_name ? vm_name : "");
	c->preview = preview;
	c->base = xcalloc(1, sizeof(*c->base));
	d->ctx = c;
	d->mode.host_id = host_id;
	d->on_reply = on_reply;
	d->on_free = on_free;
	p = tui_dialog_add_page(d, NULL, NULL);
	p->on_change = on_change;
	p->nleft = 1; /* the hardware list */
	return d;
}

void tui_open_settings_preview(struct tui_app *a, int host_id, const char *name, const char *xml,
			       tui_settings_done_fn done, void *done_ctx)
{
	struct tui_dialog *d;
	struct set_ctx *c;
	char *err = NULL;
	be_vmconf *conf = be_vmconf_parse(NULL, xml, &err);
	if (!conf) {
		tui_status(a, true, "Customize: %s", err ? err : "the VM's XML cannot be read");
		free(err);
		done(done_ctx, NULL);
		return;
	}
	d = settings_new(a, "Customize before install", host_id, name, true);
	c = sctx(d);
	c->preview_xml = xstrdup(xml);
	c->conf = conf;
	c->done = done;
	c->done_ctx = done_ctx;
	items_build(c);
	form_build(d);
	settings_mode(d);
	tui_push_dialog(a, d);
}

static void open_settings(struct tui_app *a, bool summary)
{
	const md_host *h = tui_sel_host(a);
	const md_vm *v = tui_sel_vm(a);
	struct tui_dialog *d;
	struct set_ctx *c;
	if (!v || !h)
		return;
	d = settings_new(a, "Settings", h->id, v->name, false);
	c = sctx(d);
	snprintf(c->uuid, sizeof(c->uuid), "%s", v->uuid);
	snprintf(d->uuid, sizeof(d->uuid), "%s", v->uuid);
	d->on_sync = on_sync;
	items_build(c);
	form_build(d);
	settings_mode(d);
	(void)summary; /* both open on Summary: the read-only first page */
	tui_push_dialog(a, d);
	request_details(d);
}

/* A device event (MD_MSG_VM_DEVICES): an open Settings of that VM reads
 * its details again, one read at a time (events during a read: one more
 * after it), the user's unapplied edits kept. A balloon event carries the
 * new value: put in, no read. */
void tui_settings_devices(struct tui_app *a, const md_msg *m)
{
	for (size_t k = 0; k < a->nstack; k++) {
		struct tui_dialog *d = (struct tui_dialog *)a->stack[k];
		struct set_ctx *c;
		if (a->stack[k]->ops != &settings_ops)
			continue;
		c = sctx(d);
		if (c->host_id != m->host_id || strcmp(c->uuid, m->uuid) || c->gone)
			continue;
		if (c->changing)
			continue; /* most likely its own events: the Apply's answer holds what they say */
		if (m->value && c->conf && !c->seq && !c->held) {
			be_vmconf *nc = be_vmconf_balloon(c->conf, m->value);
			if (nc)
				conf_take(a, d, nc);
			continue;
		}
		if (c->seq || c->held || !c->conf)
			c->stale = true;
		else
			request_details(d);
	}
}

void tui_open_settings(struct tui_app *a)
{
	open_settings(a, false);
}

/* Properties: the Summary page of Settings; the eight lines of the VM
 * list's figures when the host is not connected. */
void tui_open_settings_summary(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	if (!h || !st_host_be(a, h->id))
		tui_open_properties(a);
	else
		open_settings(a, true);
}
