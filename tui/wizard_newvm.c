/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/wizard_newvm.c - the New Virtual Machine wizard on screen: a
 * tui_dialog with one TUI_BTN_WIZARD page per page of the state machine
 * that main registered (core_wizard_ops "newvm", wizards/newvm.c: tui/ does
 * not include wizards/). Fields carry the state machine's ids; a change is
 * handed to it at once and its answer shown beside the field; Next asks it
 * which page follows. Finish runs its steps on the host's worker, one job
 * at a time, in a progress dialog; a failed step undoes what the steps
 * before it made (in reverse) and says which step failed and why. */
#include "app.h"
#include "console.h"
#include "dialog.h"
#include "nav.h"
#include "settings.h"
#include "wizard_newvm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../backend/be_iso.h"
#include "../backend/be_detect.h"
#include "../backend/be_devices.h"
#include "../backend/be_osinfo.h"
#include "../backend/be_reuse.h"
#include "../backend/be_seed.h"
#include "../backend/be_storage.h"
#include "../core/sanitize.h"
#include "../core/storage.h"
#include "../core/log.h"
#include "../core/util.h"
#include "../core/wizard.h"

static const core_wizard_ops *newvm_ops;

void tui_register_wizard(const core_wizard_ops *ops)
{
	if (ops && strcmp(ops->name, "newvm") == 0)
		newvm_ops = ops;
}

struct wz_ctx {
	struct tui_app *a;
	const core_wizard_ops *ops;
	void *w;
	int host_id;
	char *probe_key;     /* the ISO the probe asked about (issue 18) */
	uint64_t probe_seq;
	/* waits done on threads, answered as messages (backend/be_detect.h) */
	struct tui_dialog *d;
	uint64_t db_seq;     /* the OS database's load, 0 none asked */
	uint64_t detect_seq; /* the install media's OS, 0 none running */
	char *detect_path;   /* the file of the last detection */
	uint64_t keys_seq;   /* the user's SSH keys (cloud-init), 0 none asked */
	uint64_t same_seq;   /* a local ISO compared with the pool's volumes, 0 none running */
	char *same_key;      /* "pool\nfile" of the last comparison */
	bool name_auto;      /* Quick Create: the name is the one proposed (not typed) */
};

static void qc_name(struct wz_ctx *c);

static void reuse_begin(struct wz_ctx *c);
static void reuse_label(struct wz_ctx *c, struct tui_page *p);
static bool reuse_reply(struct wz_ctx *c, const md_msg *m);

static void cloud_fields(struct wz_ctx *c, struct tui_page *p);
static bool host_field(struct wz_ctx *c, struct tui_page *p);
static void host_switch(struct wz_ctx *c, int choice);
static bool kernel_fields(struct wz_ctx *c, struct tui_page *p);

static bool os_db_pending(struct wz_ctx *c, struct tui_page *p);
static void detect_begin(struct wz_ctx *c);

/* the pages' words above their fields */
static const char *const page_text[] = {
	"A name for the new virtual machine, unique on its host.",
	"Where the guest's system comes from.",
	"The guest's operating system (libosinfo): it sets the defaults that follow. Type to search.",
	"Firmware and how the CPU is run. KVM is hardware virtualization; TCG emulates in software.",
	"Memory and virtual processors.",
	"How the VM is connected. A virtual network of the host is started if it is not running.",
	"The VM's disk.",
	"What Finish makes. The domain XML and the virt-install line are below.",
};

/* fields whose value is the index of their choice */
static bool by_index(const char *id)
{
	static const char *const ids[] = { "source", "firmware", "accel", "nic", "disk", "cloud_from", "install" };
	for (size_t i = 0; i < CORE_ARRAY_LEN(ids); i++)
		if (strcmp(ids[i], id) == 0)
			return true;
	return false;
}

static void push(struct wz_ctx *c, const struct tui_field *f)
{
	char buf[16];
	const char *v;
	if (f->ops == &tui_field_label || f->ops == &tui_field_textarea || strcmp(f->id, "customize") == 0)
		return;
	if (f->ops == &tui_field_check) {
		v = f->checked ? "1" : "0";
	} else if (by_index(f->id)) {
		snprintf(buf, sizeof(buf), "%d", f->choice);
		v = buf;
	} else if ((f->ops == &tui_field_list || f->ops == &tui_field_choice) && f->nchoices == 0) {
		return;
	} else {
		v = tui_field_value(f);
	}
	c->ops->set(c->w, f->id, v);
}

static char *get(struct wz_ctx *c, const char *id)
{
	char *v = c->ops->get(c->w, id);
	return v ? v : xstrdup("");
}

static struct tui_field *add_value(struct wz_ctx *c, struct tui_page *p, const struct tui_field_ops *kind,
				   const char *id, const char *label)
{
	char *v = get(c, id);
	struct tui_field *f = tui_page_add(p, kind, id, label, v);
	free(v);
	return f;
}

/* a check box that is on */
static bool offered_set(struct wz_ctx *c, const char *id)
{
	char *v = get(c, id);
	bool r = strcmp(v, "1") == 0;
	free(v);
	return r;
}

static struct tui_field *add_check(struct wz_ctx *c, struct tui_page *p, const char *id, const char *label)
{
	char *v = get(c, id);
	struct tui_field *f = tui_page_add(p, &tui_field_check, id, label, NULL);
	f->checked = strcmp(v, "1") == 0;
	free(v);
	return f;
}

/* a radio group or choice over fixed items, its value the index */
static struct tui_field *add_indexed(struct wz_ctx *c, struct tui_page *p, const struct tui_field_ops *kind,
				     const char *id, const char *label, const char *const *items, size_t n)
{
	struct tui_field *f = tui_page_add(p, kind, id, label, NULL);
	char *v = get(c, id);
	for (size_t i = 0; i < n; i++)
		tui_field_add_choice(f, items[i]);
	f->choice = atoi(v);
	free(v);
	return f;
}

/* a list or choice of what the state machine offers (names from the
 * host: sanitized for the screen by the field kinds), the current value
 * selected */
static struct tui_field *add_options(struct wz_ctx *c, struct tui_page *p, const struct tui_field_ops *kind,
				     const char *id, const char *label, int rows)
{
	struct tui_field *f = tui_page_add(p, kind, id, label, NULL);
	size_t n = 0;
	char **o = c->ops->options(c->w, id, &n), *v = get(c, id);
	for (size_t i = 0; i < n; i++) {
		tui_field_add_choice(f, o[i]);
		if (strcmp(o[i], v) == 0)
			f->choice = (int)i;
		free(o[i]);
	}
	free(o);
	free(v);
	f->rows = rows;
	if (n && (f->choice < 0 || (size_t)f->choice >= n))
		f->choice = 0;
	if (n && strcmp(id, "os") != 0)
		push(c, f); /* the shown item is the value (an OS is picked by the user only) */
	return f;
}

static void summary_text(struct wz_ctx *c, struct tui_page *p)
{
	char *err = NULL, *xml = c->ops->text(c->w, "xml", &err); /* its error says what is wrong */
	char *sum = xml ? c->ops->text(c->w, "summary", &err) : NULL;
	char *line = sum ? c->ops->text(c->w, "virt-install", &err) : NULL;
	char *all = line ? xasprintf("%s\n\nvirt-install:\n%s\n\nDomain XML:\n%s", sum, line, xml)
			 : xasprintf("Not ready: %s", err ? err : "?");
	struct tui_field *f = tui_page_add(p, &tui_field_textarea, "summary", "Summary", NULL);
	core_str_set(&f->text, all);
	f->rows = 12;
	free(all);
	free(sum);
	free(line);
	free(xml);
	free(err);
}

static void install_fields(struct wz_ctx *c, struct tui_page *p);
static void customize_field(struct wz_ctx *c, struct tui_page *p);
static void customize_open(struct wz_ctx *c, struct tui_dialog *d, struct tui_field *f);

static void build_page(struct wz_ctx *c, struct tui_page *p, int page)
{
	static const char *const sources[] = { "ISO image in a storage pool", "Local ISO file (uploaded)",
					       "Import an existing disk", "Network boot (PXE)", "Direct kernel boot",
					       "Cloud image (cloud-init)" };
	static const char *const fws[] = { "BIOS", "UEFI" };
	static const char *const accels[] = { "KVM (hardware)", "TCG (software emulation)" };
	static const char *const nics[] = { "Virtual network", "Bridge", "User networking", "None" };
	static const char *const disks[] = { "New volume", "Existing volume", "None" };
	static const char *const formats[] = { "qcow2", "raw" };
	char *v;
	tui_page_clear_fields(p);
	switch (page) {
	case 0: {
		const md_host *h = md_host_get(c->a->model, c->host_id);
		char *host = core_sanitize(h ? h->label : "?");
		add_value(c, p, &tui_field_text, "name", "&Name");
		if (!host_field(c, p)) { /* the one connected host: said, not chosen */
			v = xasprintf("Host: %s", host);
			tui_page_add(p, &tui_field_label, "host", "Host", v);
			free(v);
		}
		free(host);
		break;
	}
	case 1:
		add_indexed(c, p, &tui_field_radio, "source", "&Source", sources, CORE_ARRAY_LEN(sources));
		v = get(c, "source");
		switch (atoi(v)) {
		case 0:
			add_options(c, p, &tui_field_list, "iso", "&ISO image", 6);
			break;
		case 1:
			add_value(c, p, &tui_field_path, "local_iso", "&File");
			add_options(c, p, &tui_field_choice, "upload_pool", "&Pool", 0);
			reuse_label(c, p);
			break;
		case 2:
			add_options(c, p, &tui_field_list, "import", "&Disk volume", 6);
			break;
		case 4:
			if (kernel_fields(c, p))
				break;
			add_value(c, p, &tui_field_text, "kernel", "&Kernel");
			add_value(c, p, &tui_field_text, "initrd", "I&nitrd");
			add_value(c, p, &tui_field_text, "cmdline", "&Command line");
			break;
		case 5:
			cloud_fields(c, p);
			break;
		}
		free(v);
		break;
	case 2:
		/* the database loads on a thread from the wizard's opening (about
		 * 1 s): a user faster than that sees it loading, never a wait */
		if (os_db_pending(c, p))
			break;
		if (c->detect_seq)
			tui_page_add(p, &tui_field_label, "os_detecting", "Detecting",
				     "Detecting the OS of the install media...");
		add_value(c, p, &tui_field_text, "os_query", "&Search");
		add_options(c, p, &tui_field_list, "os", "&OS", 8);
		break;
	case 3:
		/* what the host's domain capabilities offer ("": not known yet,
		 * nothing hidden); a choice it cannot have is not shown unless set */
		v = get(c, "offers");
		add_indexed(c, p, &tui_field_radio, "firmware", "&Firmware", fws, 2);
		if (!*v || strstr(v, "Secure Boot") || offered_set(c, "secure_boot"))
			add_check(c, p, "secure_boot", "Secure &Boot");
		if (!*v || strstr(v, "TPM") || offered_set(c, "tpm"))
			add_check(c, p, "tpm", "&TPM 2.0 (emulated)");
		add_indexed(c, p, &tui_field_radio, "accel", "&Accelerator", accels, 2);
		if (*v) {
			char *t = xasprintf("Host offers: %s", v);
			tui_page_add(p, &tui_field_label, "offers", "Host offers", t);
			free(t);
		}
		free(v);
		break;
	case 4:
		add_value(c, p, &tui_field_size, "memory", "&Memory");
		add_value(c, p, &tui_field_text, "vcpus", "&vCPUs")->width = 6;
		break;
	case 5:
		add_indexed(c, p, &tui_field_radio, "nic", "&Connection", nics, CORE_ARRAY_LEN(nics));
		v = get(c, "nic");
		if (atoi(v) == 0)
			add_options(c, p, &tui_field_choice, "nic_source", "N&etwork", 0);
		else if (atoi(v) == 1)
			add_value(c, p, &tui_field_text, "nic_source", "&Bridge");
		free(v);
		break;
	case 6:
		v = get(c, "source");
		if (atoi(v) == 5) { /* the cloud image is the disk: where, how big */
			free(v);
			add_options(c, p, &tui_field_choice, "disk_pool", "&Pool", 0);
			add_value(c, p, &tui_field_size, "disk_size", "Si&ze");
			break;
		}
		free(v);
		add_indexed(c, p, &tui_field_radio, "disk", "&Disk", disks, CORE_ARRAY_LEN(disks));
		v = get(c, "disk");
		if (atoi(v) == 0) {
			struct tui_field *f;
			char *fmt = get(c, "disk_format");
			add_options(c, p, &tui_field_choice, "disk_pool", "&Pool", 0);
			add_value(c, p, &tui_field_size, "disk_size", "Si&ze");
			f = tui_page_add(p, &tui_field_choice, "disk_format", "&Format", NULL);
			for (size_t i = 0; i < CORE_ARRAY_LEN(formats); i++)
				tui_field_add_choice(f, formats[i]);
			f->choice = strcmp(fmt, "raw") == 0 ? 1 : 0;
			free(fmt);
		} else if (atoi(v) == 1) {
			add_options(c, p, &tui_field_list, "disk_vol", "&Volume", 6);
		}
		free(v);
		break;
	case 7:
		summary_text(c, p);
		install_fields(c, p);
		add_check(c, p, "start", "&Start the VM after creating it");
		add_check(c, p, "console", "Open its serial &console");
		customize_field(c, p);
		break;
	}
}

static int page_index(struct tui_dialog *d, struct tui_page *p)
{
	for (size_t i = 0; i < d->npages; i++)
		if (d->pages[i] == p)
			return (int)i;
	return -1;
}

/* The state machine's issues beside the fields: errors on the fields
 * (all: true; else only on f and on those already showing one),
 * warnings in the page's text. Returns the number of errors. */
static int show_issues(struct wz_ctx *c, struct tui_dialog *d, struct tui_page *p, const struct tui_field *f,
		       bool all, char **first)
{
	int page = page_index(d, p), n;
	core_issues is = { 0 };
	char *warn = xstrdup("");
	n = c->ops->check(c->w, page, &is);
	for (size_t i = 0; i < p->nfields; i++) {
		struct tui_field *x = p->fields[i];
		const core_issue *e = core_issues_for(&is, x->id);
		if (all || x == f || x->error)
			tui_field_set_error(x, e && !e->warning ? e->text : NULL);
	}
	for (size_t i = 0; i < is.n; i++) {
		char *t;
		if (!is.v[i].warning) {
			if (first && !*first) {
				const struct tui_field *x = tui_dialog_field(d, is.v[i].field);
				*first = xasprintf("%s: %s", x ? x->label : is.v[i].field, is.v[i].text);
			}
			continue;
		}
		t = xasprintf("%s\nWarning: %s", warn, is.v[i].text);
		free(warn);
		warn = t;
	}
	free(p->text);
	p->text = xasprintf("%s%s", page_text[page], warn);
	free(warn);
	core_issues_clear(&is);
	return n;
}

/* what the model holds now (lists that came since): no round trip */
static void wz_refresh(struct wz_ctx *c)
{
	const md_host *h = md_host_get(c->a->model, c->host_id);
	if (h)
		c->ops->set_host(c->w, h);
}

static void wz_changed(struct tui_dialog *d, struct tui_page *p, struct tui_field *f)
{
	struct wz_ctx *c = d->ctx;
	int page = page_index(d, p);
	if (strcmp(f->id, "host_pick") == 0) { /* another host: the wizard anew for it, the name kept */
		host_switch(c, f->choice);
		build_page(c, p, page);
		tui_dialog_focus(d, "host_pick");
		show_issues(c, d, p, tui_dialog_field(d, "name"), false, NULL);
		return;
	}
	wz_refresh(c);
	if (strcmp(f->id, "customize") == 0) {
		customize_open(c, d, f);
		return;
	}
	push(c, f);
	if (strcmp(f->id, "local_iso") == 0 || strcmp(f->id, "upload_pool") == 0 || strcmp(f->id, "source") == 0)
		reuse_begin(c); /* the same ISO in the pool? found while the user goes on */
	if (strcmp(f->id, "source") == 0 || strcmp(f->id, "nic") == 0 || strcmp(f->id, "disk") == 0 ||
	    strcmp(f->id, "os_query") == 0 || strcmp(f->id, "cloud_from") == 0 || strcmp(f->id, "kernel_upload") == 0 ||
	    strcmp(f->id, "install") == 0) {
		char *id = xstrdup(f->id); /* f goes with the page's fields */
		build_page(c, p, page);
		f = tui_dialog_field(d, id);
		free(id);
	}
	show_issues(c, d, p, f, false, NULL);
}

static void install_probe(struct wz_ctx *c, struct tui_dialog *d);

static int wz_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct wz_ctx *c = d->ctx;
	wz_refresh(c);
	for (size_t i = 0; i < p->nfields; i++)
		push(c, p->fields[i]);
	if (show_issues(c, d, p, NULL, true, err) > 0)
		return -1;
	/* leaving the source: the install media's OS (a local ISO: 64 KiB read)
	 * found on a thread; its answer comes as a message (wz_reply) */
	if (page_index(d, p) == 1)
		detect_begin(c);
	if (page_index(d, p) == 1)
		install_probe(c, d);
	return 0;
}

static int wz_next(struct tui_dialog *d, struct tui_page *p)
{
	struct wz_ctx *c = d->ctx;
	return c->ops->next(c->w, page_index(d, p));
}

static void wz_enter(struct tui_dialog *d, struct tui_page *p)
{
	struct wz_ctx *c = d->ctx;
	wz_refresh(c);
	build_page(c, p, page_index(d, p));
	free(p->text);
	p->text = xstrdup(page_text[page_index(d, p)]);
	/* the dialog chose the focus before the fields were here: the first */
	for (size_t i = 0; i < p->nfields; i++)
		if (p->fields[i]->ops->focusable && !p->fields[i]->disabled) {
			tui_dialog_focus(d, p->fields[i]->id);
			break;
		}
}

static void wz_free(struct tui_dialog *d)
{
	struct wz_ctx *c = d->ctx;
	if (!c)
		return;
	if (c->w)
		c->ops->destroy(c->w);
	free(c->probe_key);
	free(c->detect_path);
	free(c->same_key);
	free(c);
	d->ctx = NULL;
}

/* ---- Finish: the steps ------------------------------------------------------------- */

enum { RUN_STEPS, RUN_UNDO, RUN_DONE, RUN_FAILED };

struct run_ctx {
	int host_id;
	core_step *steps;
	size_t n, cur;
	bool *made;
	char uuid[37];
	int phase;
	int undo_left;
	char *why;         /* the failed step's reason */
	char *undo_notes;  /* what could not be undone */
	int64_t t0;
	int64_t step_t0;   /* when the current step started (the log's per-step times) */
	uint64_t xfer;     /* the upload running, 0 none */
	char progress[96]; /* its progress */
	uint64_t seed_seq; /* the seed ISO being made (CORE_STEP_SEED), 0 none */
	char *seed_iso;    /* the made one, here, until uploaded */
	/* the host dropped: Finish waits for it (be_host_wait_start) */
	uint64_t wait_seq;
	int rewaits;       /* the link was back before the model had the host's lists again */
	/* closed while the steps ran (run_can_close): the step in flight ends,
	 * then what the steps made is removed; asked again while the undo
	 * waits for a host that is away: it closes, told what is left */
	bool cancel;
	const char *cancel_why; /* (static text) */
	int close_asks;
	struct tui_app *a;
	const core_wizard_ops *ops; /* the wizard's state, kept when Finish came */
	void *w;                    /* while the host was away (steps planned on its return) */
	/* a step that failed because the link dropped (md_host.drops moved
	 * since it was sent) may have been done by the host, its answer lost:
	 * the undo waits for the host and removes that step's object too when
	 * the host has it (run_undo) */
	unsigned drops0;   /* md_host.drops when the current step was sent */
	char *vm_name;     /* the VM's name, to find a definition whose answer was lost */
	char *found;       /* what the host had made though its answer was lost */
	struct tui_dialog *d;  /* its dialog, */
	struct run_ctx *next;  /* in the list of runs (tui_newvm_cancel_runs) */
};

static struct run_ctx *runs; /* every steps' dialog there is */

enum { RUN_WAIT_MS = 300 * 1000 };
static bool run_wait(struct tui_app *a, struct tui_dialog *d);
static bool run_host_away(struct tui_app *a, int host_id);
static bool run_wait_start(struct tui_app *a, struct tui_dialog *d);
static bool run_waited(struct tui_app *a, struct tui_dialog *d, const md_msg *m);

static void run_seed_made(struct tui_app *a, struct tui_dialog *d, const md_msg *m);

static void run_text(struct tui_dialog *d)
{
	struct run_ctx *r = d->ctx;
	char *t = xstrdup(""), *n;
	for (size_t i = 0; i < r->n; i++) {
		const char *mark = r->made[i]				? (r->phase == RUN_FAILED || r->phase == RUN_UNDO ? "[undone]" : "[done]")
				   : i == r->cur && r->phase == RUN_STEPS ? "[....]"
				   : i == r->cur && r->why		   ? "[FAILED]"
									   : "[    ]";
		char *label = core_sanitize(r->steps[i].label);
		bool moving = i == r->cur && r->phase == RUN_STEPS && r->xfer && r->progress[0];
		n = xasprintf("%s%-8s %s%s%s\n", t, mark, label, moving ? "\n         " : "", moving ? r->progress : "");
		free(label);
		free(t);
		t = n;
	}
	if (r->phase == RUN_DONE)
		n = xasprintf("%s\nDone in %.1f s.", t, (double)(core_now_ms() - r->t0) / 1000.0);
	else if (r->phase == RUN_STEPS && r->cancel)
		n = xasprintf("%s\nCancelling: the step running ends, then what the steps made is removed...", t);
	else if (r->phase == RUN_FAILED && r->cancel)
		n = xasprintf("%s\nCancelled at step %zu: %s\n%s", t, r->cur + 1, r->why,
			      r->undo_notes ? r->undo_notes : "What the steps before it made was removed.");
	else if (r->phase == RUN_UNDO)
		n = xasprintf("%s\n%s\nRemoving what the steps before it made...", t, r->why);
	else if (r->phase == RUN_FAILED)
		n = xasprintf("%s\nStep %zu failed: %s\n%s", t, r->cur + 1, r->why,
			      r->undo_notes ? r->undo_notes : "What the steps before it made was removed.");
	else
		n = xstrdup(t);
	free(t);
	if (r->phase == RUN_FAILED && r->found) {
		t = xasprintf("%s\nThe host had made %s though its answer was lost: removed too.", n, r->found);
		free(n);
		n = t;
	}
	if (r->wait_seq) {
		const md_host *h = md_host_get(r->a->model, r->host_id);
		t = xasprintf(r->phase == RUN_UNDO ? "%s\nWaiting for %s to come back to remove what the steps made..."
						   : "%s\nWaiting for %s to come back (the wizard's choices are kept)...",
			      n, h && h->label ? h->label : "the host");
		free(n);
		n = t;
	}
	tui_dialog_set_text(d, 0, n);
	free(n);
	/* the button says what it does: while a step runs it cancels (run_can_close) */
	xfree(&d->ok_label);
	if (r->phase == RUN_STEPS && !r->cancel && r->steps)
		d->ok_label = xstrdup("Cancel");
}

static void run_fail(struct tui_app *a, struct tui_dialog *d, const char *why);
static uint64_t install_step(be_host *be, const core_step *s, const char *uuid);

/* "newvm: step 2/5 (Extract ...): done in 812 ms, +1404 ms from Finish":
 * the --log's per-step times (tests/bench/install.sh prints them) */
static void run_step_log(struct run_ctx *r, const char *what)
{
	int64_t now = core_now_ms();
	bool start = strcmp(what, "start") == 0;
	if (start)
		r->step_t0 = now;
	core_log("newvm", "step %zu/%zu (%s): %s%s%lld ms, +%lld ms from Finish", r->cur + 1, r->n,
		 r->steps[r->cur].label ? r->steps[r->cur].label : "?", what, start ? " at " : " in ",
		 (long long)(start ? now - r->t0 : now - r->step_t0), (long long)(now - r->t0));
}

static void run_step(struct tui_app *a, struct tui_dialog *d)
{
	struct run_ctx *r = d->ctx;
	be_host *be = tui_host_be(tui_host_by_id(a, r->host_id));
	const core_step *s;
	uint64_t seq = 0;
	for (;;) {
		if (r->cur >= r->n) {
			r->phase = RUN_DONE;
			tui_status(a, false, "Created the VM in %.1f s", (double)(core_now_ms() - r->t0) / 1000.0);
			run_text(d);
			return;
		}
		s = &r->steps[r->cur];
		if (!be) {
			run_fail(a, d, "the host is gone");
			return;
		}
		if (r->cancel) { /* the dialog was closed: no next step, the undo */
			run_fail(a, d, r->cancel_why);
			return;
		}
		if (run_wait(a, d))
			return; /* the host dropped: on with this step when it is back */
		run_step_log(r, "start");
		if (s->kind != CORE_STEP_CONSOLE)
			break;
		tui_console_open_vm(a, r->host_id, r->uuid); /* opens as the VM runs */
		run_step_log(r, "done");
		r->made[r->cur++] = true;
	}
	{
		const md_host *h = md_host_get(a->model, r->host_id);
		r->drops0 = h ? h->drops : 0;
	}
	switch (s->kind) {
	case CORE_STEP_VOL_CREATE: {
		be_vol_spec *spec = be_vol_spec_new();
		spec->name = xstrdup(s->vol);
		spec->format = xstrdup(s->format);
		spec->capacity = s->size;
		seq = be_host_submit_arg(be, BE_OP_VOL_CREATE, s->pool_uuid, spec, be_storage_arg_free);
		break;
	}
	case CORE_STEP_DEFINE:
		seq = be_host_submit_arg(be, BE_OP_DEFINE, NULL, xstrdup(s->xml), free);
		break;
	case CORE_STEP_START:
		seq = be_host_submit(be, BE_OP_START, r->uuid, NULL, 0);
		break;
	case CORE_STEP_NET_START:
		seq = be_host_submit(be, BE_OP_NET_START, s->pool_uuid, NULL, 0);
		break;
	case CORE_STEP_INSTALL_PREP:
	case CORE_STEP_INSTALL_START:
		seq = install_step(be, s, r->uuid);
		break;
	case CORE_STEP_VOL_CLONE: {
		be_vol_op *op = be_vol_op_new(s->vol);
		op->new_name = xstrdup(s->new_vol);
		op->dst_pool = xstrdup(s->dst_pool_uuid);
		seq = be_host_submit_arg(be, BE_OP_VOL_CLONE, s->pool_uuid, op, be_storage_arg_free);
		break;
	}
	case CORE_STEP_VOL_RESIZE: {
		be_vol_op *op = be_vol_op_new(s->vol);
		op->capacity = s->size;
		seq = be_host_submit_arg(be, BE_OP_VOL_RESIZE, s->pool_uuid, op, be_storage_arg_free);
		break;
	}
	case CORE_STEP_SEED:
		/* made here on a thread (run_seed_made), then uploaded */
		seq = r->seed_seq = be_seed_build_start(r->host_id, s->seed_meta, s->seed_user);
		break;
	case CORE_STEP_UPLOAD: {
		be_xfer_spec spec = { .dir = BE_XFER_UPLOAD, .local = s->local, .pool = s->pool_uuid, .vol = s->vol,
				      .sparse = true };
		r->progress[0] = '\0';
		r->xfer = be_xfer_start(be, &spec); /* followed in run_sync */
		run_text(d);
		return;
	}
	default:
		run_fail(a, d, "a step the wizard does not know");
		return;
	}
	tui_mode_expect(a, &d->mode, r->host_id, seq);
	run_text(d);
}

static void run_undo(struct tui_app *a, struct tui_dialog *d);

/* A step failed: the undo runs once the host answers (at once when it is
 * connected; after a dropped link, when it is back with its lists read
 * again: run_waited), the dialog says it waits. */
static void run_fail(struct tui_app *a, struct tui_dialog *d, const char *why)
{
	struct run_ctx *r = d->ctx;
	core_str_set(&r->why, why);
	r->phase = RUN_UNDO;
	r->seed_seq = 0;
	be_seed_discard(r->seed_iso); /* the seed made here: never left behind */
	xfree(&r->seed_iso);
	r->rewaits = 0;
	if (!r->steps || !run_wait_start(a, d))
		run_undo(a, d);
	tui_status(a, true, "New VM: %s", why);
	run_text(d);
}

/* The failed step's object on the host now (its lists, read again after
 * the link came back): a volume of the step in its pool, or a VM of the
 * wizard's name (then r->uuid is its uuid). */
static const char *run_unsure_found(struct tui_app *a, struct run_ctx *r, const core_step *s)
{
	const md_host *h = md_host_get(a->model, r->host_id);
	const char *pool = s->kind == CORE_STEP_VOL_CLONE ? s->dst_pool_uuid : s->pool_uuid;
	const char *vol = s->kind == CORE_STEP_VOL_CLONE ? s->new_vol : s->vol;
	if (!h)
		return NULL;
	if (s->kind == CORE_STEP_DEFINE && r->vm_name) {
		for (size_t i = 0; i < h->nvms; i++)
			if (h->vms[i].name && strcmp(h->vms[i].name, r->vm_name) == 0) {
				snprintf(r->uuid, sizeof(r->uuid), "%s", h->vms[i].uuid);
				return r->vm_name;
			}
		return NULL;
	}
	if (s->kind != CORE_STEP_VOL_CREATE && s->kind != CORE_STEP_UPLOAD && s->kind != CORE_STEP_SEED &&
	    s->kind != CORE_STEP_VOL_CLONE)
		return NULL;
	{
		const md_pool *p = pool ? md_pool_find(h, pool) : NULL;
		for (size_t i = 0; p && vol && i < p->nvols; i++)
			if (p->vols[i].name && strcmp(p->vols[i].name, vol) == 0)
				return vol;
	}
	return NULL;
}

/* Undo, newest first: the definition before the volume it uses; the failed
 * step itself too when the link dropped under it and the host has its
 * object (never for a refusal such as "already exists": that object is
 * someone else's). */
static void run_undo(struct tui_app *a, struct tui_dialog *d)
{
	struct run_ctx *r = d->ctx;
	be_host *be = tui_host_be(tui_host_by_id(a, r->host_id));
	const md_host *h = md_host_get(a->model, r->host_id);
	bool lost = r->steps && r->cur < r->n && h && h->drops != r->drops0 && r->why &&
		    !strstr(r->why, "already exists");
	for (size_t i = r->cur + (lost ? 1 : 0); i-- > 0 && be;) {
		const core_step *s = &r->steps[i];
		uint64_t seq = 0;
		if (!r->made[i]) {
			const char *f = i == r->cur ? run_unsure_found(a, r, s) : NULL;
			if (!f)
				continue;
			core_str_set(&r->found, f);
		}
		if (s->kind == CORE_STEP_DEFINE)
			seq = be_host_submit(be, BE_OP_DELETE, r->uuid, NULL, 0);
		else if (s->kind == CORE_STEP_NET_START)
			seq = be_host_submit(be, BE_OP_NET_STOP, s->pool_uuid, NULL, 0);
		else if (s->kind == CORE_STEP_VOL_CREATE || s->kind == CORE_STEP_UPLOAD || s->kind == CORE_STEP_SEED)
			seq = be_host_submit_arg(be, BE_OP_VOL_DELETE, s->pool_uuid, be_vol_op_new(s->vol),
						 be_storage_arg_free);
		else if (s->kind == CORE_STEP_INSTALL_PREP) { /* the two extracted volumes */
			tui_mode_expect(a, &d->mode, r->host_id,
					be_host_submit_arg(be, BE_OP_VOL_DELETE, s->pool_uuid, be_vol_op_new(s->kernel_vol),
							   be_storage_arg_free));
			r->undo_left++;
			seq = be_host_submit_arg(be, BE_OP_VOL_DELETE, s->pool_uuid, be_vol_op_new(s->initrd_vol),
						 be_storage_arg_free);
		}
		else if (s->kind == CORE_STEP_VOL_CLONE)
			seq = be_host_submit_arg(be, BE_OP_VOL_DELETE, s->dst_pool_uuid, be_vol_op_new(s->new_vol),
						 be_storage_arg_free);
		if (seq) {
			tui_mode_expect(a, &d->mode, r->host_id, seq);
			r->undo_left++;
		}
	}
	if (!r->undo_left)
		r->phase = RUN_FAILED;
	run_text(d);
}

static void run_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct run_ctx *r = d->ctx;
	if (m->type != MD_MSG_OP_RESULT)
		return;
	if (run_waited(a, d, m))
		return;
	if (r->phase == RUN_UNDO) {
		if (!m->ok) {
			char *t = xasprintf("%s%s\n", r->undo_notes ? r->undo_notes : "Could not undo everything:\n",
					    m->text ? m->text : "?");
			free(r->undo_notes);
			r->undo_notes = t;
		}
		if (--r->undo_left <= 0)
			r->phase = RUN_FAILED;
		run_text(d);
		return;
	}
	if (r->phase != RUN_STEPS)
		return;
	if (!m->ok) {
		run_fail(a, d, m->text ? m->text : "failed");
		return;
	}
	if (r->seed_seq && m->seq == r->seed_seq) {
		run_seed_made(a, d, m);
		return;
	}
	if (r->steps[r->cur].kind == CORE_STEP_DEFINE)
		snprintf(r->uuid, sizeof(r->uuid), "%s", m->uuid);
	run_step_log(r, "done");
	r->made[r->cur++] = true;
	run_step(a, d);
}

/* The upload's progress (md_model.xfers): on to the next step when done. */
static void run_sync(struct tui_app *a, struct tui_dialog *d)
{
	struct run_ctx *r = d->ctx;
	const md_xfer *x = r->xfer ? md_xfer_find(a->model, r->xfer) : NULL;
	char done[32], total[32];
	if (!x || r->phase != RUN_STEPS)
		return;
	if (r->cancel && !md_xfer_state_final(x->state))
		be_xfer_cancel(r->xfer); /* ends as cancelled: run_fail below */
	core_size_fmt(x->done, done, sizeof(done));
	core_size_fmt(x->total, total, sizeof(total));
	snprintf(r->progress, sizeof(r->progress), "%s of %s (%s)", done, total, md_xfer_state_name(x->state));
	if (x->state == MD_XFER_DONE) {
		r->xfer = 0;
		be_seed_discard(r->seed_iso); /* uploaded: the local copy goes */
		xfree(&r->seed_iso);
		run_step_log(r, "done");
		r->made[r->cur++] = true;
		run_step(a, d);
	} else if (x->state == MD_XFER_FAILED || x->state == MD_XFER_CANCELLED) {
		r->xfer = 0;
		run_fail(a, d, x->text ? x->text : md_xfer_state_name(x->state));
	} else {
		run_text(d);
	}
}

static void run_free(struct tui_dialog *d)
{
	struct run_ctx *r = d->ctx, **pp;
	if (!r)
		return;
	for (pp = &runs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	core_steps_free(&r->steps, r->n);
	be_seed_discard(r->seed_iso);
	free(r->seed_iso);
	if (r->w)
		r->ops->destroy(r->w);
	free(r->made);
	free(r->why);
	free(r->undo_notes);
	free(r->vm_name);
	free(r->found);
	free(r);
	d->ctx = NULL;
}

static void run_cancel(struct run_ctx *r, const char *why)
{
	if (r->phase == RUN_STEPS && !r->cancel) {
		r->cancel = true;
		r->cancel_why = why;
		if (r->xfer)
			be_xfer_cancel(r->xfer);
		core_log("newvm", "cancelled at step %zu/%zu: %s", r->cur + 1, r->n, why);
	}
}

int tui_newvm_cancel_runs(struct tui_app *a, int host_id)
{
	int n = 0;
	for (struct run_ctx *r = runs; r; r = r->next) {
		if (r->phase == RUN_DONE || r->phase == RUN_FAILED || !r->steps ||
		    (host_id >= 0 && r->host_id != host_id))
			continue;
		if (!r->cancel && r->phase == RUN_STEPS) {
			run_cancel(r, host_id >= 0 ? "its host is being removed" : "vmmc is quitting");
			run_text(r->d);
			a->dirty |= TUI_DIRTY_ALL;
		}
		n++;
	}
	return n;
}

bool tui_newvm_quit_ready(struct tui_app *a)
{
	static int64_t since;
	int n = tui_newvm_cancel_runs(a, -1);
	if (n && !since) {
		since = core_now_ms();
		tui_status(a, false, "Quitting: the New VM Finish is cancelled first, what it made removed...");
	}
	if (n && core_now_ms() - since >= TUI_NEWVM_QUIT_WAIT_MS)
		core_log("newvm", "quit: %d Finish(es) not undone after %d ms: left", n, TUI_NEWVM_QUIT_WAIT_MS);
	return !n || core_now_ms() - since >= TUI_NEWVM_QUIT_WAIT_MS;
}

/* Close (Escape, the button) while the steps run. Like virt-manager's
 * create job, the dialog does not close under a running step: nothing may
 * be left half-made. Instead the close cancels: the step in flight ends
 * (an upload is cancelled), no further step starts, what the steps made
 * is removed (run_fail, run_undo), and the dialog says so; a Close after
 * that closes it. An undo that waits for a host that is away (up to
 * RUN_WAIT_MS) lets a second close go, telling what may be left. */
static bool run_can_close(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct run_ctx *r = d->ctx;
	const md_host *h = md_host_get(a->model, r->host_id);
	(void)result;
	if (r->phase == RUN_DONE || r->phase == RUN_FAILED)
		return true;
	if (!r->steps) /* Finish while the host was away: nothing planned, nothing made */
		return true;
	r->close_asks++;
	if (r->wait_seq && r->close_asks > 1) {
		bool left = false;
		for (size_t i = 0; i < r->n; i++)
			left = left || r->made[i];
		if (left)
			tui_status(a, true, "New VM: closed while %s was away: what the steps made (%s) is left there",
				   h && h->label ? h->label : "the host", r->vm_name ? r->vm_name : "the VM");
		return true;
	}
	run_cancel(r, "the steps' dialog was closed");
	if (r->wait_seq)
		tui_status(a, false, "New VM: cancelling; waiting for %s (close again to leave it)",
			   h && h->label ? h->label : "the host");
	else
		tui_status(a, false, "New VM: cancelling; what the steps made is removed, then Close closes");
	run_text(d);
	return false;
}

/* the steps' dialog for r (not pushed yet) */
static struct tui_dialog *run_dialog(struct run_ctx *r)
{
	struct tui_dialog *run = tui_dialog_new("New Virtual Machine", TUI_BTN_CLOSE);
	tui_dialog_add_page(run, NULL, "");
	run->ctx = r;
	run->on_free = run_free;
	run->on_reply = run_reply;
	run->on_sync = run_sync;
	run->can_close = run_can_close;
	run->mode.host_id = r->host_id;
	r->d = run;
	r->next = runs;
	runs = r;
	return run;
}

static void wz_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct wz_ctx *c = d->ctx;
	struct run_ctx *r;
	struct tui_dialog *run;
	char *err = NULL;
	if (result != TUI_DLG_OK)
		return;
	r = xcalloc(1, sizeof(*r));
	r->a = a;
	r->host_id = c->host_id;
	r->t0 = core_now_ms();
	if (run_host_away(a, r->host_id)) { /* planned when it is back: the state goes with the steps' dialog */
		r->ops = c->ops;
		r->w = c->w;
		c->w = NULL;
		r->made = xcalloc(1, sizeof(*r->made));
		run = run_dialog(r);
		run_wait(a, run); /* its text first: the dialog is sized as it is pushed */
		tui_push_dialog(a, run);
		return;
	}
	r->steps = c->ops->plan(c->w, &r->n, &err);
	if (!r->steps) {
		tui_push_dialog(a, tui_msgbox("New Virtual Machine", err ? err : "?", true));
		free(err);
		free(r);
		return;
	}
	r->made = xcalloc(r->n + 1, sizeof(*r->made));
	r->vm_name = get(c, "name");
	run = run_dialog(r);
	run_text(run); /* the steps shown from the start, the dialog sized for them
			  (a host that does not answer sends nothing to relayout it) */
	tui_push_dialog(a, run);
	run_step(a, run);
}

/* The state machine for the selected host; NULL (said on the status line)
 * when there is none. */
static struct wz_ctx *wz_ctx_new(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	struct wz_ctx *c;
	if (!h)
		return NULL;
	if (!newvm_ops) {
		tui_status(a, true, "The New Virtual Machine wizard is not in this build");
		return NULL;
	}
	be_osinfo_preload(); /* libosinfo's database, once, on a thread of its own */
	c = xcalloc(1, sizeof(*c));
	c->a = a;
	c->ops = newvm_ops;
	c->host_id = h->id;
	c->w = c->ops->create(h);
	be_host_want_probes(tui_host_be(tui_host_by_id(a, h->id))); /* its capabilities */
	return c;
}

static void install_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m);
static void wz_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m);

static void wz_push(struct tui_app *a, struct tui_dialog *d, struct wz_ctx *c)
{
	c->d = d;
	d->ctx = c;
	d->on_reply = wz_reply;
	d->on_free = wz_free;
	d->on_done = wz_done;
	d->mode.host_id = c->host_id;
	tui_push_dialog(a, d);
}

void tui_open_newvm(struct tui_app *a)
{
	struct wz_ctx *c = wz_ctx_new(a);
	struct tui_dialog *d;
	if (!c)
		return;
	d = tui_dialog_new("New Virtual Machine", TUI_BTN_WIZARD);
	for (int i = 0; i < c->ops->npages; i++) {
		struct tui_page *p = tui_dialog_add_page(d, c->ops->page_title(i), page_text[i]);
		p->validate = wz_validate;
		p->next = wz_next;
		p->on_enter = wz_enter;
		p->on_change = wz_changed;
	}
	build_page(c, d->pages[0], 0);
	wz_push(a, d, c);
}

/* ---- Quick Create --------------------------------------------------------------------- */

/* One page: a name, an install source, the OS detected from it; the rest
 * from the OS's defaults. Its fields are the wizard's (same ids). */
static void qc_fields(struct wz_ctx *c, struct tui_page *p)
{
	static const char *const sources[] = { "ISO image in a storage pool", "Local ISO file (uploaded)" };
	char *v = get(c, "source"), *os = get(c, "os"), *t;
	tui_page_clear_fields(p);
	add_value(c, p, &tui_field_text, "name", "&Name");
	add_indexed(c, p, &tui_field_radio, "source", "&Source", sources, CORE_ARRAY_LEN(sources));
	if (atoi(v) == 0) {
		add_options(c, p, &tui_field_list, "iso", "&ISO image", 5);
	} else {
		add_value(c, p, &tui_field_path, "local_iso", "&File");
		add_options(c, p, &tui_field_choice, "upload_pool", "&Pool", 0);
		reuse_label(c, p);
	}
	t = xasprintf("OS: %s", os);
	tui_page_add(p, &tui_field_label, "os_shown", "OS", t);
	free(t);
	free(os);
	free(v);
	install_fields(c, p); /* the text installer, as the wizard offers it (issue 18) */
}

static void qc_changed(struct tui_dialog *d, struct tui_page *p, struct tui_field *f)
{
	struct wz_ctx *c = d->ctx;
	char *id = xstrdup(f->id);
	wz_refresh(c);
	push(c, f);
	if (strcmp(id, "source") == 0)
		qc_fields(c, p);
	if (strcmp(id, "source") == 0 || strcmp(id, "local_iso") == 0 || strcmp(id, "upload_pool") == 0) {
		detect_begin(c); /* as typed: done before Create is pressed */
		reuse_begin(c);
	}
	if (strcmp(id, "source") == 0 || strcmp(id, "iso") == 0)
		install_probe(c, d); /* what the ISO is: the text installer offered or not (a
				      * local file's when Create is pressed: not as typed) */
	if (strcmp(id, "name") == 0) {
		char *v = get(c, "name");
		c->name_auto = !*v; /* typed: kept; emptied: proposed again on the next source */
		free(v);
	} else {
		qc_name(c);
	}
	f = tui_dialog_field(d, id);
	if (f)
		tui_field_set_error(f, NULL);
	free(id);
}

/* The name and the source checked like the wizard's pages; the media's OS
 * detected; then every page must check out with the defaults. */
static int qc_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct wz_ctx *c = d->ctx;
	static const int pages[] = { 0, 1 };
	core_issues is = { 0 };
	char *msg;
	wz_refresh(c);
	for (size_t i = 0; i < p->nfields; i++)
		push(c, p->fields[i]);
	for (size_t k = 0; k < CORE_ARRAY_LEN(pages); k++) {
		c->ops->check(c->w, pages[k], &is);
		for (size_t i = 0; i < p->nfields; i++) {
			const core_issue *x = core_issues_for(&is, p->fields[i]->id);
			if (x && !x->warning) {
				tui_field_set_error(p->fields[i], x->text);
				if (!*err)
					*err = xasprintf("%s: %s", p->fields[i]->label, x->text);
			}
		}
		core_issues_clear(&is);
	}
	if (*err)
		return -1;
	detect_begin(c); /* nothing new when the path was detected as typed */
	if (c->detect_seq) {
		*err = xstrdup("Detecting the OS of the ISO: press Create again in a moment");
		return -1;
	}
	msg = get(c, "iso_key");
	if (*msg && !core_str_eq(msg, c->probe_key)) { /* a local file not asked about yet */
		install_probe(c, d);
		*err = xstrdup("Reading the ISO (text installer?): press Create again in a moment");
	}
	free(msg);
	if (*err)
		return -1;
	if ((msg = c->ops->text(c->w, "xml", err)) == NULL)
		return -1; /* a page the defaults do not satisfy: its words */
	free(msg);
	return 0;
}

void tui_open_quick_create(struct tui_app *a)
{
	struct wz_ctx *c = wz_ctx_new(a);
	struct tui_dialog *d;
	struct tui_page *p;
	if (!c)
		return;
	d = tui_dialog_new("Quick Create", TUI_BTN_OK_CANCEL);
	p = tui_dialog_add_page(d, NULL, "A VM from an install ISO: the OS is detected from it and sets memory, "
					 "vCPUs and the disk (a new volume in the default pool). Create starts it and "
					 "opens its console.");
	p->validate = qc_validate;
	p->on_change = qc_changed;
	d->ok_label = xstrdup("Create");
	qc_fields(c, p);
	wz_push(a, d, c);
	c->name_auto = true;
	qc_name(c);
	install_probe(c, d); /* the ISO shown first: the text installer offered or not */
}

/* ---- waits on threads: the OS database, the install media's OS -------------------- */

/* The OS database is not loaded yet: page p says so (no wait here) and its
 * load answers wz_reply. true: pending. A failed load: false (the list
 * offers Generic). */
static bool os_db_pending(struct wz_ctx *c, struct tui_page *p)
{
	if (be_osinfo_shared() || be_osinfo_shared_error())
		return false;
	tui_page_add(p, &tui_field_label, "os_loading", "Loading", "Loading the OS database (libosinfo)...");
	if (!c->db_seq && c->d) {
		c->db_seq = be_osinfo_ready_start(c->host_id);
		tui_mode_expect(c->a, &c->d->mode, c->host_id, c->db_seq);
	}
	return true;
}

/* The OS of the local ISO chosen, found on a thread (be_iso_detect_start);
 * a file already detected, or none chosen: nothing. */
static void detect_begin(struct wz_ctx *c)
{
	char *src = get(c, "source"), *path = get(c, "local_iso");
	struct stat st;
	if (atoi(src) == 1 && *path && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    !core_str_eq(path, c->detect_path) && c->d) {
		core_str_set(&c->detect_path, path);
		c->detect_seq = be_iso_detect_start(c->host_id, path);
		tui_mode_expect(c->a, &c->d->mode, c->host_id, c->detect_seq);
	}
	free(path);
	free(src);
}

/* A wait's answer: the OS page (or Quick Create's OS line) shown again. */
static void wz_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct wz_ctx *c = d->ctx;
	struct tui_field *f;
	if (!c || m->type != MD_MSG_OP_RESULT)
		return;
	if (m->op == BE_OP_ISO_PROBE) { /* the text installer's probe (issue 18) */
		install_reply(a, d, m);
		return;
	}
	if (reuse_reply(c, m)) {
		struct tui_page *p = d->pages[d->cur];
		if (d->npages > 1 && d->cur == 1) { /* the line that says so; the name clash it clears */
			struct tui_field *at = tui_dialog_focused(d);
			char *id = at ? xstrdup(at->id) : NULL;
			build_page(c, p, 1);
			if (id)
				tui_dialog_focus(d, id);
			free(id);
			show_issues(c, d, p, NULL, false, NULL);
		} else if (d->npages == 1 && !tui_dialog_field(d, "iso_reuse")) {
			reuse_label(c, p);
		}
		return;
	}
	if (m->seq == c->db_seq && c->db_seq) {
		c->db_seq = 0;
	} else if (m->seq == c->detect_seq && c->detect_seq) {
		c->detect_seq = 0;
		if (m->ok && m->nstrs > 1 && core_str_eq(m->strs[1], c->detect_path))
			c->ops->set(c->w, "detected", m->strs[0]);
		else if (!m->ok)
			xfree(&c->detect_path); /* detected again when asked */
	} else if (m->seq == c->keys_seq && c->keys_seq) {
		char *all = xstrdup(""), *t;
		for (size_t i = 0; i < m->nstrs; i++) {
			t = xasprintf("%s%s\n", all, m->strs[i]);
			free(all);
			all = t;
		}
		c->ops->set(c->w, "ci_keys", all);
		free(all);
		if (d->npages > 1 && d->cur == 1) {
			struct tui_field *at = tui_dialog_focused(d);
			char *id = at ? xstrdup(at->id) : NULL;
			build_page(c, d->pages[1], 1);
			if (id)
				tui_dialog_focus(d, id);
			free(id);
		}
		return;
	} else {
		return;
	}
	wz_refresh(c); /* the database, when it came */
	if (d->npages > 1 && d->cur == 2) {
		wz_enter(d, d->pages[d->cur]);
	} else if ((f = tui_dialog_field(d, "os_shown")) != NULL) {
		char *os = get(c, "os"), *t = xasprintf("OS: %s", os);
		tui_field_set_value(f, t);
		free(t);
		free(os);
	}
}

/* ---- cloud images: the source page's fields, the seed's upload --------------------- */

/* The cloud image (a local file or a pool's volume), the seed's host name,
 * user, password and the user's SSH keys as check boxes (read on a thread:
 * "Reading your SSH keys..." until they come). */
static void cloud_fields(struct wz_ctx *c, struct tui_page *p)
{
	static const char *const from[] = { "Local image file (uploaded)", "Volume in a pool (copied)" };
	char *v = get(c, "cloud_from"), *keys;
	add_indexed(c, p, &tui_field_radio, "cloud_from", "&Image", from, CORE_ARRAY_LEN(from));
	if (atoi(v) == 0)
		add_value(c, p, &tui_field_path, "cloud_local", "&File");
	else
		add_options(c, p, &tui_field_list, "cloud_vol", "&Volume", 4);
	free(v);
	add_value(c, p, &tui_field_text, "ci_hostname", "&Host name");
	add_value(c, p, &tui_field_text, "ci_user", "&User");
	v = get(c, "ci_password"); /* the clear text: wiped, not only freed */
	tui_page_add(p, &tui_field_password, "ci_password", "Pass&word", v);
	xfree_secret(&v);
	keys = get(c, "ci_keys");
	if (!*keys) {
		tui_page_add(p, &tui_field_label, "ci_keys_wait", "SSH keys", "Reading your SSH keys...");
		if (!c->keys_seq && c->d) {
			c->keys_seq = be_ssh_keys_start(c->host_id);
			tui_mode_expect(c->a, &c->d->mode, c->host_id, c->keys_seq);
		}
	} else if (atoi(keys) == 0) {
		tui_page_add(p, &tui_field_label, "ci_keys_none", "SSH keys",
			     "No SSH public key in ~/.ssh or the agent: the password logs in");
	}
	for (int i = 0; i < atoi(keys); i++) {
		char *id = xasprintf("ci_key:%d", i), *lid = xasprintf("ci_key_label:%d", i), *label = get(c, lid);
		char *safe = core_sanitize(label), *lit = xstrdup("");
		for (const char *q = safe; *q; q++) { /* a key's comment is text: its '&' is no accelerator */
			char *t = xasprintf("%s%s", lit, *q == '&' ? "&&" : (char[]){ *q, 0 });
			free(lit);
			lit = t;
		}
		add_check(c, p, id, lit);
		free(lit);
		free(safe);
		free(label);
		free(lid);
		free(id);
	}
	free(keys);
}

/* The seed ISO was made here: upload it into the pool as the step's volume
 * (followed by run_sync; the local copy removed when it is done or fails). */
static void run_seed_made(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct run_ctx *r = d->ctx;
	const core_step *s = &r->steps[r->cur];
	be_host *be = tui_host_be(tui_host_by_id(a, r->host_id));
	be_xfer_spec spec = { .dir = BE_XFER_UPLOAD, .pool = s->pool_uuid, .vol = s->vol };
	r->seed_seq = 0;
	if (m->nstrs < 1 || !m->strs[0] || !be) {
		run_fail(a, d, !be ? "the host is gone" : "no seed ISO was made");
		return;
	}
	core_str_set(&r->seed_iso, m->strs[0]);
	spec.local = r->seed_iso;
	r->progress[0] = '\0';
	r->xfer = be_xfer_start(be, &spec);
	run_text(d);
}

/* ---- a local ISO already in the pool: not uploaded again ------------------------- */

/* Compare the local ISO with the volumes of its pool of the same size
 * (size + SHA-256, on a thread: backend/be_reuse.h) when the file or the
 * pool changed. None of that size: nothing to ask. */
static void reuse_begin(struct wz_ctx *c)
{
	char *src = get(c, "source"), *path = get(c, "local_iso"), *pool = get(c, "upload_pool"), *key;
	const md_host *h = md_host_get(c->a->model, c->host_id);
	const md_pool *p = NULL;
	be_host *be = tui_host_be(tui_host_by_id(c->a, c->host_id));
	size_t n = 0;
	char **same = NULL;
	for (size_t i = 0; h && i < h->npools; i++)
		if (strcmp(h->pools[i].name, pool) == 0)
			p = &h->pools[i];
	key = xasprintf("%s\n%s", pool, path);
	if (atoi(src) == 1 && *path && p && be && c->d && !core_str_eq(key, c->same_key)) {
		core_str_set(&c->same_key, key);
		c->ops->set(c->w, "iso_reuse", "");
		same = c->ops->options(c->w, "iso_same", &n);
		c->same_seq = 0;
		if (n) {
			c->same_seq = be_vol_same_start(be, c->host_id, p->uuid, path, same, n);
			tui_mode_expect(c->a, &c->d->mode, c->host_id, c->same_seq);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(same[i]);
	free(same);
	free(key);
	free(pool);
	free(path);
	free(src);
}

/* The comparison's answer: the volume taken when it is for the file and
 * pool chosen now. false: not its message. */
static bool reuse_reply(struct wz_ctx *c, const md_msg *m)
{
	char *pool, *path, *key, *v;
	if (!c->same_seq || m->seq != c->same_seq)
		return false;
	c->same_seq = 0;
	pool = get(c, "upload_pool");
	path = get(c, "local_iso");
	key = xasprintf("%s\n%s", pool, path);
	if (m->ok && m->nstrs >= 3 && core_str_eq(key, c->same_key) && core_str_eq(m->strs[2], path)) {
		v = xasprintf("%s/%s", pool, m->strs[0]);
		c->ops->set(c->w, "iso_reuse_for", path);
		c->ops->set(c->w, "iso_reuse", v);
		free(v);
	}
	free(key);
	free(path);
	free(pool);
	return true;
}

/* "In the pool already as V (same size and SHA-256): not uploaded again" */
static void reuse_label(struct wz_ctx *c, struct tui_page *p)
{
	char *v = get(c, "iso_reuse"), *t;
	if (*v) {
		const char *vol = strchr(v, '/');
		t = xasprintf("In the pool already as %s (same size and SHA-256): not uploaded again", vol ? vol + 1 : v);
		tui_page_add(p, &tui_field_label, "iso_reuse", "Reuse", t);
		free(t);
	}
	free(v);
}

/* Quick Create's name, while the user has not typed one: proposed from the
 * install source (the ISO's name), so that a pooled ISO needs no typing. */
static void qc_name(struct wz_ctx *c)
{
	struct tui_field *f = c->d ? tui_dialog_field(c->d, "name") : NULL;
	char *v;
	if (!c->name_auto || !f)
		return;
	v = get(c, "name_suggested");
	if (*v && !core_str_eq(v, tui_field_value(f))) {
		c->ops->set(c->w, "name", v);
		tui_field_set_value(f, v);
	}
	free(v);
}

/* Direct kernel boot from files on this machine, uploaded into a pool (a
 * remote host's default): the check box, local paths with completion, the
 * pool. false: the files are on the host (the plain fields). */
static bool kernel_fields(struct wz_ctx *c, struct tui_page *p)
{
	char *up = get(c, "kernel_upload");
	bool on = strcmp(up, "1") == 0;
	free(up);
	add_check(c, p, "kernel_upload", "&Upload files from this machine");
	if (!on)
		return false;
	add_value(c, p, &tui_field_path, "kernel", "&Kernel");
	add_value(c, p, &tui_field_path, "initrd", "I&nitrd");
	add_value(c, p, &tui_field_text, "cmdline", "&Command line");
	add_options(c, p, &tui_field_choice, "upload_pool", "&Pool", 0);
	return true;
}

/* ---- page 1: the host, among the connected ones ----------------------------------- */

/* the connected hosts (ids, the wizard's own among them); caller frees */
static size_t host_ids(struct wz_ctx *c, int **ids)
{
	const md_model *m = c->a->model;
	size_t n = 0;
	*ids = xcalloc(m->nhosts + 1, sizeof(**ids));
	for (size_t i = 0; i < m->nhosts; i++)
		if (m->hosts[i]->conn == MD_CONN_CONNECTED || m->hosts[i]->id == c->host_id)
			(*ids)[n++] = m->hosts[i]->id;
	return n;
}

/* a choice of the connected hosts when there is more than one; false: none added */
static bool host_field(struct wz_ctx *c, struct tui_page *p)
{
	int *ids;
	size_t n = host_ids(c, &ids);
	struct tui_field *f;
	if (n < 2) {
		free(ids);
		return false;
	}
	f = tui_page_add(p, &tui_field_choice, "host_pick", "&Host", NULL);
	for (size_t i = 0; i < n; i++) {
		const md_host *h = md_host_get(c->a->model, ids[i]);
		char *label = core_sanitize(h && h->label ? h->label : "?");
		tui_field_add_choice(f, label);
		if (ids[i] == c->host_id)
			f->choice = (int)i;
		free(label);
	}
	free(ids);
	return true;
}

/* The wizard for the host at choice: its snapshot and defaults (pools,
 * networks, capabilities are that host's), the name typed kept. */
static void host_switch(struct wz_ctx *c, int choice)
{
	int *ids;
	size_t n = host_ids(c, &ids);
	const md_host *h = choice >= 0 && (size_t)choice < n ? md_host_get(c->a->model, ids[choice]) : NULL;
	char *name;
	if (!h || h->id == c->host_id) {
		free(ids);
		return;
	}
	name = get(c, "name");
	c->ops->destroy(c->w);
	c->w = c->ops->create(h);
	c->ops->set(c->w, "name", name);
	c->host_id = h->id;
	be_host_want_probes(tui_host_be(tui_host_by_id(c->a, h->id))); /* not selected: its capabilities now */
	if (c->d)
		c->d->mode.host_id = h->id;
	xfree(&c->detect_path); /* asked again for this wizard */
	xfree(&c->same_key);
	c->detect_seq = c->same_seq = c->keys_seq = 0;
	free(name);
	free(ids);
}

/* ---- Finish while the host is away ---------------------------------------------------- */

static bool run_host_away(struct tui_app *a, int host_id)
{
	const md_host *h = md_host_get(a->model, host_id);
	return h && h->conn != MD_CONN_CONNECTED;
}

/* The host is not connected: wait for it (on a thread), the dialog says
 * so. true: waiting (the step goes on in run_waited). */
static bool run_wait(struct tui_app *a, struct tui_dialog *d)
{
	struct run_ctx *r = d->ctx;
	if (r->wait_seq)
		return true;
	return run_host_away(a, r->host_id) && run_wait_start(a, d);
}

static bool run_wait_start(struct tui_app *a, struct tui_dialog *d)
{
	struct run_ctx *r = d->ctx;
	be_host *be = tui_host_be(tui_host_by_id(a, r->host_id));
	if (!be)
		return false;
	r->wait_seq = be_host_wait_start(be, r->host_id, RUN_WAIT_MS, r->rewaits ? 200 : 0);
	tui_mode_expect(a, &d->mode, r->host_id, r->wait_seq);
	run_text(d);
	return true;
}

/* The wait's answer: the steps planned now when Finish came while the host
 * was away (the wizard's checks against what the host has now), then on.
 * false: not its message. */
static bool run_waited(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct run_ctx *r = d->ctx;
	char *err = NULL;
	if (!r->wait_seq || m->seq != r->wait_seq)
		return false;
	r->wait_seq = 0;
	if (!m->ok && r->phase == RUN_UNDO) { /* nothing could be removed */
		char *t = xasprintf("Could not undo everything:\n%s\n", m->text ? m->text : "the host did not come back");
		free(r->undo_notes);
		r->undo_notes = t;
		r->phase = RUN_FAILED;
		run_text(d);
		return true;
	}
	if (!m->ok) {
		if (r->steps)
			run_fail(a, d, m->text ? m->text : "the host did not come back");
		else {
			core_str_set(&r->why, m->text ? m->text : "the host did not come back");
			r->phase = RUN_FAILED;
			run_text(d);
		}
		return true;
	}
	{ /* the model: connected and its lists read again (they come after the link) */
		const md_host *h = md_host_get(a->model, r->host_id);
		if (h && (h->conn != MD_CONN_CONNECTED || h->busy > 0) && r->rewaits < 100) {
			r->rewaits++;
			if (run_wait_start(a, d))
				return true;
		}
	}
	if (r->phase == RUN_UNDO) {
		run_undo(a, d);
		return true;
	}
	if (!r->steps && r->w) {
		const md_host *h = md_host_get(a->model, r->host_id);
		if (h)
			r->ops->set_host(r->w, h);
		r->steps = r->ops->plan(r->w, &r->n, &err);
		if (!r->vm_name)
			r->vm_name = r->ops->get(r->w, "name");
		if (!r->steps) {
			core_str_set(&r->why, err ? err : "?");
			r->phase = RUN_FAILED;
			free(err);
			run_text(d);
			return true;
		}
		free(r->made);
		r->made = xcalloc(r->n + 1, sizeof(*r->made));
	}
	run_step(a, d);
	return true;
}

/* ---- the text installer on the serial console (issue 18) ------------------------------- */

/* The Summary page's install mode: the choice when the probe offers the
 * text installer, and what happens (or why it is not offered). */
static void install_fields(struct wz_ctx *c, struct tui_page *p)
{
	static const char *const modes[] = { "Text installer on the serial console", "Boot the ISO as is" };
	char *src = get(c, "source"), *off, *note, *clean;
	int source = atoi(src);
	free(src);
	if (source != 0 && source != 1)
		return; /* not an install ISO: nothing to say */
	off = get(c, "install_offered");
	note = get(c, "install_note");
	if (strcmp(off, "1") == 0)
		add_indexed(c, p, &tui_field_radio, "install", "&Install", modes, 2);
	clean = core_sanitize(note);
	tui_page_add(p, &tui_field_label, "install_note", "Install", clean);
	free(clean);
	free(note);
	free(off);
}

/* Ask the host's worker what the chosen ISO is (a local file read here, a
 * pooled one by ranged downloads of its first 64 KiB and directories). */
static void install_probe(struct wz_ctx *c, struct tui_dialog *d)
{
	be_host *be = tui_host_be(tui_host_by_id(c->a, c->host_id));
	const md_host *h = md_host_get(c->a->model, c->host_id);
	char *key = get(c, "iso_key");
	be_install_arg *arg;
	uint64_t seq;
	if (!key || !*key || !be || !h) {
		free(key);
		return;
	}
	arg = be_install_arg_new();
	if (strncmp(key, "local:", 6) == 0) {
		arg->iso_local = xstrdup(key + 6);
	} else {
		const char *pv = key + 5, *slash = strchr(pv, '/');
		for (size_t i = 0; slash && i < h->npools; i++)
			if (strlen(h->pools[i].name) == (size_t)(slash - pv) &&
			    strncmp(h->pools[i].name, pv, (size_t)(slash - pv)) == 0)
				arg->iso_pool_uuid = xstrdup(h->pools[i].uuid);
		arg->iso_vol = xstrdup(slash ? slash + 1 : "");
	}
	seq = be_host_submit_arg(be, BE_OP_ISO_PROBE, NULL, arg, be_install_arg_free);
	tui_mode_expect(c->a, &d->mode, c->host_id, seq);
	free(c->probe_key);
	c->probe_key = key; /* the answer is for this ISO */
	c->probe_seq = seq;
}

static void install_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct wz_ctx *c = d->ctx;
	char *text;
	if (!c || m->type != MD_MSG_OP_RESULT || m->op != BE_OP_ISO_PROBE || m->seq != c->probe_seq)
		return;
	if (!m->ok || !m->ext) {
		c->probe_seq = 0;
		tui_status(a, true, "%s", m->text ? m->text : "Could not read the ISO");
		return;
	}
	c->probe_seq = 0; /* answered (Quick Create waits for it) */
	text = be_iso_probe_text(m->ext, c->probe_key);
	c->ops->set(c->w, "iso_probe", text);
	free(text);
	/* a local ISO's OS is on the status line already (the wizard's own
	 * detection); a pooled one's comes from here only */
	if (strncmp(c->probe_key, "pool:", 5) == 0) {
		const be_iso_probe *p = m->ext;
		if (p->text_install)
			tui_status(a, false, "%s: the text installer on the serial console is offered",
				   p->os_name ? p->os_name : "?");
		else
			tui_status(a, false, "Text installer not offered: %s", p->why_not ? p->why_not : "?");
	}
	/* the OS page and the summary show what the answer changed; Quick
	 * Create's one page its install choice */
	if (d->npages == 1) {
		struct tui_field *at = tui_dialog_focused(d);
		char *id = at ? xstrdup(at->id) : NULL;
		qc_fields(c, d->pages[0]);
		if (id)
			tui_dialog_focus(d, id);
		free(id);
	} else if (d->cur == 2 || d->cur == 7) {
		wz_enter(d, d->pages[d->cur]);
	}
}

/* INSTALL_PREP / INSTALL_START on the host's worker (be_iso.h). */
static uint64_t install_step(be_host *be, const core_step *s, const char *uuid)
{
	be_install_arg *arg = be_install_arg_new();
	arg->pool_uuid = xstrdup(s->pool_uuid);
	arg->kernel_vol = xstrdup(s->kernel_vol);
	arg->initrd_vol = xstrdup(s->initrd_vol);
	if (s->kind == CORE_STEP_INSTALL_START) {
		arg->xml = xstrdup(s->xml);
		return be_host_submit_arg(be, BE_OP_INSTALL_START, uuid, arg, be_install_arg_free);
	}
	arg->iso_local = xstrdup(s->local);
	arg->iso_pool_uuid = xstrdup(s->src_pool_uuid);
	arg->iso_vol = xstrdup(s->src_vol);
	arg->kernel = xstrdup(s->kernel);
	arg->initrd = xstrdup(s->initrd);
	return be_host_submit_arg(be, BE_OP_INSTALL_PREP, NULL, arg, be_install_arg_free);
}

/* ---- Customize before install (issue 12) ------------------------------------------- */

/* The Summary's check box: on while Settings' changes are kept (how many
 * in its label). */
static void customize_field(struct wz_ctx *c, struct tui_page *p)
{
	char *n = get(c, "customized"), *t;
	int k = atoi(n);
	t = k > 0 ? xasprintf("C&ustomize before install: %d change%s in Settings (uncheck: drop)", k, k == 1 ? "" : "s")
		  : xstrdup("C&ustomize before install (VM Settings)");
	tui_page_add(p, &tui_field_check, "customize", t, NULL)->checked = k > 0;
	free(t);
	free(n);
}

/* Settings' OK: the changes to the wizard (tried on its XML; an error
 * keeps nothing), the Summary shown anew */
static void customize_done(void *ctx, struct be_vmchange *ch)
{
	struct wz_ctx *c = ctx;
	struct tui_dialog *d = c->d;
	char *err = NULL;
	if (ch && c->ops->take(c->w, "customize", ch, &err) < 0) {
		be_vmchange_free_void(ch);
		free(d->error);
		d->error = xasprintf("Customize: %s", err ? err : "?");
		d->error_style = true;
	}
	free(err);
	if (d->npages > 1 && d->cur == 7 /* the Summary */) {
		build_page(c, d->pages[d->cur], d->cur);
		tui_dialog_focus(d, "customize");
	}
}

/* Checked: Settings on the XML Finish would define (the wizard stays
 * below, its Summary unchanged until OK); unchecked: the changes dropped. */
static void customize_open(struct wz_ctx *c, struct tui_dialog *d, struct tui_field *f)
{
	char *err = NULL, *xml, *name;
	if (!f->checked) {
		c->ops->set(c->w, "customize_clear", "1");
		build_page(c, d->pages[d->cur], d->cur);
		tui_dialog_focus(d, "customize");
		return;
	}
	f->checked = false; /* on once Settings' OK brings a change */
	if ((xml = c->ops->text(c->w, "xml", &err)) == NULL) {
		free(d->error);
		d->error = xasprintf("Customize: %s", err ? err : "not ready");
		d->error_style = true;
		free(err);
		return;
	}
	name = get(c, "name");
	tui_open_settings_preview(c->a, c->host_id, name, xml, customize_done, c);
	free(name);
	free(xml);
}
