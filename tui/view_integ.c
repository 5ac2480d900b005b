/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/view_integ.c - Integration Services: the selected VM's guest agent
 * and what it reports, one line per service (state + last report), in the
 * results pane (an overlay, like Performance). While it is open, one
 * BE_OP_AGENT_INFO job per period for that VM only (at most 3 agent calls;
 * none when the VM has no agent channel or no agent connected). Also Sync
 * Time Now, Copy File to Guest..., Freeze / Thaw. */
#include "view_integ.h"

#include "app.h"
#include "dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backend/be_agent.h"
#include "../backend/be_storage.h"
#include "../core/sanitize.h"
#include "../core/storage.h"
#include "../core/util.h"

struct integ_view {
	struct tui_mode mode;
	char uuid[37];
	char *name;               /* raw */
	be_agent_info *info;      /* the last answer, NULL none yet */
	uint64_t seq;             /* the info job in flight, 0 none */
	int64_t next_ms;          /* the next refresh */
	bool asked_version;
	int copy_pct;             /* a Copy File to Guest running: per cent, -1 none */
	unsigned refreshes;       /* info answers */
	unsigned calls;           /* agent calls of all of them */
	unsigned last_calls;      /* ... of the last one */
	size_t top;               /* scroll */
	int64_t wait_start_ms;    /* waiting for the agent since, 0 = not waiting */
	char *wait_result;        /* how the wait ended, NULL none */
	uint64_t undo_seq;        /* the wizard's apply: when it fails ... */
	char undo_pool[37];
	char *undo_vol;           /* ... this volume uploaded for it goes */
};

static struct integ_view integ_state;

bool tui_integ_shown(const struct tui_app *a)
{
	return integ_state.mode.ops && tui_pane_shows(a, &integ_state.mode);
}

static be_host *integ_be(struct tui_app *a, int host_id)
{
	return tui_host_be(tui_host_by_id(a, host_id));
}

static void integ_ask(struct integ_view *v, struct tui_app *a)
{
	be_host *be = integ_be(a, v->mode.host_id);
	be_agent_req *req;
	if (!be || v->seq)
		return;
	req = xcalloc(1, sizeof(*req));
	req->version = !v->asked_version;
	v->asked_version = true;
	v->seq = be_host_submit_arg(be, BE_OP_AGENT_INFO, v->uuid, req, free);
	tui_mode_expect(a, &v->mode, v->mode.host_id, v->seq);
	/* the refresh interval of the app (-d, [ ]), at least 1 s; a little
	 * early so that the tick that is due takes it */
	v->next_ms = core_now_ms() + (a->delay_ms > 1000 ? a->delay_ms : 1000) - 100;
}

/* Due for a refresh: the view is shown and the last answer is a period old. */
static void integ_tick(struct integ_view *v, struct tui_app *a)
{
	if (!tui_pane_shows(a, &v->mode) || v->seq)
		return;
	if (core_now_ms() >= v->next_ms)
		integ_ask(v, a);
}

/* Waiting for the agent: the model's Agent state (events), a deadline. */
static void integ_wait_step(struct integ_view *v, struct tui_app *a)
{
	const md_host *h = md_host_get(a->model, v->mode.host_id);
	const md_vm *vm = h ? md_vm_find(h, v->uuid) : NULL;
	int64_t s = (core_now_ms() - v->wait_start_ms) / 1000;
	if (!v->wait_start_ms)
		return;
	if (vm && vm->agent == MD_AGENT_UP) {
		v->wait_result = xasprintf("The guest agent connected after %lld s.", (long long)s);
		v->wait_start_ms = 0;
		v->next_ms = 0;
		tui_status(a, false, "%s", v->wait_result);
	} else if (s >= TUI_INTEG_WAIT_S) {
		v->wait_result = xasprintf("The guest agent did not connect within %d s: is qemu-guest-agent "
					   "installed and running in the guest (see the wizard's Guest tools page)?",
					   TUI_INTEG_WAIT_S);
		v->wait_start_ms = 0;
		tui_status(a, true, "%s", v->wait_result);
	}
}

void tui_integ_tick(struct tui_app *a)
{
	struct integ_view *v = &integ_state;
	if (!v->mode.ops || !tui_pane_shows(a, &v->mode))
		return;
	integ_wait_step(v, a);
	integ_tick(v, a);
	if (v->wait_start_ms)
		a->dirty |= TUI_DIRTY_LIST; /* the seconds waited */
}

static void integ_sync(struct tui_mode *m, struct tui_app *a)
{
	integ_wait_step((struct integ_view *)m, a);
	integ_tick((struct integ_view *)m, a);
}

static void integ_reply(struct tui_mode *m, struct tui_app *a, const md_msg *msg)
{
	struct integ_view *v = (struct integ_view *)m;
	if (msg->type == MD_MSG_AGENT_INFO && msg->ext && msg->ext_free == be_agent_info_free_void) {
		md_msg *mm = (md_msg *)msg; /* the view takes the payload over */
		be_agent_info *ni = mm->ext;
		if (!ni->npv && v->info && v->info->npv) {
			/* read once per view: kept */
			ni->pv = v->info->pv;
			ni->npv = v->info->npv;
			v->info->pv = NULL;
			v->info->npv = 0;
			ni->st[BE_SVC_PV] = v->info->st[BE_SVC_PV];
			free(ni->why[BE_SVC_PV]);
			ni->why[BE_SVC_PV] = v->info->why[BE_SVC_PV];
			v->info->why[BE_SVC_PV] = NULL;
		}
		if (!ni->version && v->info && v->info->version && ni->st[BE_SVC_HEARTBEAT] == BE_SVC_ON) {
			/* asked once per view: kept while the agent answers */
			ni->version = xstrdup(v->info->version);
			free(ni->why[BE_SVC_HEARTBEAT]);
			ni->why[BE_SVC_HEARTBEAT] = xasprintf("connected, version %s", ni->version);
		}
		if (ni->autosync < 0 && v->info)
			ni->autosync = v->info->autosync; /* read with the version */
		if (!ni->checkpoints_read && v->info && v->info->checkpoints_read) { /* the same */
			ni->checkpoints = v->info->checkpoints;
			ni->ncheckpoints = v->info->ncheckpoints;
			ni->checkpoints_read = true;
			v->info->checkpoints = NULL;
			v->info->ncheckpoints = 0;
		}
		be_agent_info_free(&v->info);
		v->info = mm->ext;
		mm->ext = NULL;
		v->refreshes++;
		v->last_calls = v->info->agent_calls;
		v->calls += v->info->agent_calls;
	} else if (msg->type == MD_MSG_AGENT_PROGRESS) {
		v->copy_pct = msg->count;
	} else if (msg->type == MD_MSG_OP_RESULT && v->undo_seq && msg->seq == v->undo_seq) {
		be_host *be = integ_be(a, v->mode.host_id);
		if (!msg->ok && be && v->undo_vol) { /* nothing changed: nor is the ISO left */
			be_host_submit_arg(be, BE_OP_VOL_DELETE, v->undo_pool, be_vol_op_new(v->undo_vol),
					   be_storage_arg_free);
			v->wait_start_ms = 0; /* nothing to wait for: say why */
			free(v->wait_result);
			v->wait_result = xasprintf("%s; the virtio-win ISO uploaded for it is removed",
						   msg->text ? msg->text : "The changes were refused");
		}
		v->undo_seq = 0;
		xfree(&v->undo_vol);
	} else if (msg->type == MD_MSG_OP_RESULT) {
		if (msg->seq == v->seq)
			v->seq = 0;
		else if (msg->op == BE_OP_AGENT_COPY)
			v->copy_pct = -1;
		if (msg->op != BE_OP_AGENT_INFO)
			v->next_ms = 0; /* a change: read again now */
	}
	a->dirty |= TUI_DIRTY_LIST;
}

/* ---- drawing --------------------------------------------------------------------- */

struct lines {
	char **v;
	size_t n, cap;
};

static void add_line(struct lines *l, char *s)
{
	xgrow(&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = s;
}

/* A detail line under a service (raw text: sanitized here). */
static void add_detail(struct lines *l, const char *label, const char *raw)
{
	char *s;
	if (!raw || !*raw)
		return;
	s = core_sanitize(raw);
	add_line(l, xasprintf("      %s: %s", label, s));
	free(s);
}

static char *svc_line(const be_agent_info *i, int svc)
{
	char *why = core_sanitize(i->why[svc] ? i->why[svc] : "");
	char *s = xasprintf("  %-27s %-14s %s", be_svc_names[svc], be_svc_state_name(i->st[svc]), why);
	free(why);
	return s;
}

static void kvp_details(struct lines *l, const be_agent_info *i)
{
	char used[32], total[32], *s;
	if (i->os_name) {
		s = i->kernel ? xasprintf("%s (kernel %s)", i->os_name, i->kernel) : xstrdup(i->os_name);
		add_detail(l, "OS", s);
		free(s);
	}
	add_detail(l, "Host name", i->hostname);
	add_detail(l, "Time zone", i->timezone);
	if (i->nusers) {
		s = xstrdup("");
		for (size_t k = 0; k < i->nusers; k++) {
			char *n = xasprintf("%s%s%s", s, k ? ", " : "", i->users[k]);
			free(s);
			s = n;
		}
		add_detail(l, "Users", s);
		free(s);
	}
	for (size_t k = 0; k < i->nfs; k++) {
		const be_agent_fs *f = &i->fs[k];
		core_size_fmt(f->used, used, sizeof(used));
		core_size_fmt(f->total, total, sizeof(total));
		s = f->total ? xasprintf("%s (%s), %s of %s used", f->mountpoint ? f->mountpoint : "?",
					 f->type ? f->type : "?", used, total)
			     : xasprintf("%s (%s)", f->mountpoint ? f->mountpoint : "?", f->type ? f->type : "?");
		add_detail(l, "File system", s);
		free(s);
	}
	for (size_t k = 0; k < i->ndisks; k++)
		add_detail(l, "Disk", i->disks[k]);
	for (size_t k = 0; k < i->nifs; k++) {
		const be_agent_if *f = &i->ifs[k];
		s = xasprintf("%s%s%s:", f->name ? f->name : "?", f->hwaddr ? " " : "", f->hwaddr ? f->hwaddr : "");
		for (size_t a = 0; a < f->naddrs; a++) {
			char *n = xasprintf("%s %s", s, f->addrs[a]);
			free(s);
			s = n;
		}
		add_detail(l, "Interface", s);
		free(s);
	}
}

static void build_lines(const struct integ_view *v, struct lines *l)
{
	const be_agent_info *i = v->info;
	char t[32];
	add_line(l, xasprintf("  %-27s %-14s %s", "Service", "State", "Last report"));
	if (v->wait_start_ms)
		add_line(l, xasprintf("  Waiting for the guest agent to connect: %lld s of %d s...",
				      (long long)((core_now_ms() - v->wait_start_ms) / 1000), TUI_INTEG_WAIT_S));
	else if (v->wait_result)
		add_line(l, xasprintf("  %s", v->wait_result));
	if (!i) {
		add_line(l, xstrdup("  (asking the host...)"));
		return;
	}
	for (int svc = 0; svc < BE_SVC__COUNT; svc++) {
		char *s = svc_line(i, svc);
		if (svc == BE_SVC_HEARTBEAT && i->heartbeat_s) {
			time_t hb = (time_t)i->heartbeat_s;
			struct tm tm;
			localtime_r(&hb, &tm);
			strftime(t, sizeof(t), "%H:%M:%S", &tm);
			char *n = xasprintf("%s; last heartbeat %s", s, t);
			free(s);
			s = n;
		}
		if (svc == BE_SVC_FILES && v->copy_pct >= 0) {
			char *n = xasprintf("%s; copying: %d%%", s, v->copy_pct);
			free(s);
			s = n;
		}
		add_line(l, s);
		if (svc == BE_SVC_TIME && i->autosync >= 0)
			add_detail(l, "Automatic sync after Resume, restore and revert",
				   i->autosync ? "on (B turns it off)" : "off (B turns it on)");
		if (svc == BE_SVC_KVP && i->st[BE_SVC_KVP] == BE_SVC_ON)
			kvp_details(l, i);
		if (svc == BE_SVC_PV)
			for (size_t k = 0; k < i->npv; k++)
				add_detail(l, "Device", i->pv[k]);
		if (svc == BE_SVC_BACKUP && i->checkpoints_read && !i->ncheckpoints)
			add_detail(l, "Checkpoints", "none (Ctrl-N takes a Quiesced Checkpoint)");
		if (svc == BE_SVC_BACKUP)
			for (size_t k = 0; k < i->ncheckpoints; k++)
				add_detail(l, "Checkpoint", i->checkpoints[k]);
	}
	add_line(l, xstrdup(""));
	add_line(l, xasprintf("  Keys: K Sync Time Now, B automatic sync on/off, F Copy File to Guest, Ctrl-N Quiesced Checkpoint, "
			      "d Shut Down and r Reboot (%s), "
			      "Escape closes",
			      i->st[BE_SVC_SHUTDOWN] == BE_SVC_ON ? "through the agent" : "ACPI"));
	add_line(l, xasprintf("  Agent calls: %u in %u refresh(es), %u in the last; %u skipped", v->calls,
			      v->refreshes, v->last_calls, i->skipped));
}

static void integ_draw(struct tui_mode *m, struct tui_app *a, WINDOW *w)
{
	struct integ_view *v = (struct integ_view *)m;
	int width = tui_pane_width(a, w), rows = getmaxy(w) - 1;
	struct lines l = { 0 };
	char *name = core_sanitize(v->name ? v->name : ""), *title;
	integ_wait_step(v, a);
	integ_tick(v, a);
	build_lines(v, &l);
	title = xasprintf(" Integration Services: %s (agent %s)", name,
			  v->info ? md_agent_name(v->info->agent) : "...");
	tui_pane_title(a, w, title);
	if (v->top + (size_t)rows > l.n)
		v->top = l.n > (size_t)rows ? l.n - (size_t)rows : 0;
	for (int r = 0; r < rows && v->top + (size_t)r < l.n; r++) {
		wattrset(w, tui_attr(a, v->top + (size_t)r == 0 ? CORE_ROLE_HEADER : CORE_ROLE_ROW));
		tui_put_safe(w, r + 1, 0, width, l.v[v->top + (size_t)r], false);
	}
	for (size_t k = 0; k < l.n; k++)
		free(l.v[k]);
	free(l.v);
	free(title);
	free(name);
}

static int integ_key(struct tui_mode *m, struct tui_app *a, int key, bool is_char)
{
	struct integ_view *v = (struct integ_view *)m;
	if (is_char && (key == 27 || key == 'q')) {
		tui_pane_overlay(a, NULL);
		return TUI_KEY_DONE;
	}
	if ((!is_char && key == KEY_DOWN) || (is_char && key == 'j'))
		v->top++;
	else if ((!is_char && key == KEY_UP) || (is_char && key == 'k'))
		v->top = v->top ? v->top - 1 : 0;
	else
		return TUI_KEY_PASS;
	a->dirty |= TUI_DIRTY_LIST;
	return TUI_KEY_DONE;
}

static const void *integ_selected(const struct tui_mode *m)
{
	(void)m;
	return NULL;
}

static const struct tui_mode_ops integ_ops = {
	.name = "integration",
	.selected = integ_selected,
	.sync = integ_sync,
	.draw = integ_draw,
	.key = integ_key,
	.reply = integ_reply,
};

static void integ_start(struct tui_app *a, int host_id, const char *uuid, const char *name)
{
	struct integ_view *v = &integ_state;
	if (v->mode.ops && tui_pane_shows(a, &v->mode))
		tui_pane_overlay(a, NULL);
	be_agent_info_free(&v->info);
	free(v->name);
	free(v->wait_result);
	free(v->undo_vol);
	memset(v, 0, sizeof(*v));
	v->mode.ops = &integ_ops;
	v->mode.host_id = host_id;
	v->copy_pct = -1;
	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
	v->name = xstrdup(name);
	tui_pane_overlay(a, &v->mode);
	integ_ask(v, a);
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_integ_open(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	const md_vm *vm = tui_sel_vm(a);
	if (h && vm)
		integ_start(a, h->id, vm->uuid, vm->name);
}

void tui_integ_open_wait(struct tui_app *a, int host_id, const char *uuid, const char *name)
{
	integ_start(a, host_id, uuid, name);
	integ_state.wait_start_ms = core_now_ms();
}

void tui_integ_undo_volume(struct tui_app *a, uint64_t seq, const char *pool_uuid, const char *vol)
{
	struct integ_view *v = &integ_state;
	v->undo_seq = seq;
	snprintf(v->undo_pool, sizeof(v->undo_pool), "%s", pool_uuid ? pool_uuid : "");
	core_str_set(&v->undo_vol, vol);
	tui_mode_expect(a, &v->mode, v->mode.host_id, seq);
}

void tui_integ_free(void)
{
	xfree(&integ_state.undo_vol);
	be_agent_info_free(&integ_state.info);
	xfree(&integ_state.name);
	xfree(&integ_state.wait_result);
}

/* ---- actions on the VM (from the view or the VM list) ------------------------------ */

/* The VM the actions are about: the view's when it is shown, else the
 * selected one. */
static bool target(struct tui_app *a, int *host_id, char uuid[37], const char **name)
{
	if (tui_integ_shown(a)) {
		*host_id = integ_state.mode.host_id;
		snprintf(uuid, 37, "%s", integ_state.uuid);
		*name = integ_state.name;
		return true;
	}
	const md_host *h = tui_sel_host(a);
	const md_vm *vm = tui_sel_vm(a);
	if (!h || !vm)
		return false;
	*host_id = h->id;
	snprintf(uuid, 37, "%s", vm->uuid);
	*name = vm->name;
	return true;
}

static void submit_on_target(struct tui_app *a, int op)
{
	int host_id;
	char uuid[37];
	const char *name;
	be_host *be;
	uint64_t seq;
	if (!target(a, &host_id, uuid, &name) || !(be = integ_be(a, host_id)))
		return;
	seq = be_host_submit(be, op, uuid, NULL, 0);
	if (tui_integ_shown(a))
		tui_mode_expect(a, &integ_state.mode, host_id, seq);
	char *s = core_sanitize(name ? name : "");
	tui_status(a, false, "%s '%s'...", be_op_name(op), s);
	free(s);
}

void tui_integ_sync_time(struct tui_app *a)
{
	submit_on_target(a, BE_OP_AGENT_SYNC_TIME);
}

void tui_integ_autosync(struct tui_app *a)
{
	submit_on_target(a, BE_OP_AGENT_AUTOSYNC);
	integ_state.asked_version = false; /* the next refresh reads the setting */
}

void tui_integ_freeze(struct tui_app *a)
{
	submit_on_target(a, BE_OP_AGENT_FREEZE);
}

void tui_integ_thaw(struct tui_app *a)
{
	submit_on_target(a, BE_OP_AGENT_THAW);
}

void tui_integ_checkpoint(struct tui_app *a)
{
	submit_on_target(a, BE_OP_AGENT_CHECKPOINT);
}

struct copy_ctx {
	char uuid[37];
};

static int copy_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	const char *local = tui_field_value(tui_dialog_field(d, "file"));
	const char *guest = tui_field_value(tui_dialog_field(d, "guest"));
	FILE *f;
	(void)p;
	if (!local || !*local) {
		*err = xstrdup("File: the local file to copy");
		return -1;
	}
	if (!(f = fopen(local, "rb"))) {
		*err = xasprintf("File: cannot read '%s'", local);
		return -1;
	}
	fclose(f);
	if (!guest || guest[0] != '/') {
		*err = xstrdup("Guest path: an absolute path in the guest, e.g. /tmp/file");
		return -1;
	}
	return 0;
}

static void copy_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct copy_ctx *c = d->ctx;
	be_host *be = integ_be(a, d->mode.host_id);
	be_agent_copy *cp;
	uint64_t seq;
	if (result != TUI_DLG_OK || !be)
		return;
	cp = xcalloc(1, sizeof(*cp));
	cp->local = xstrdup(tui_field_value(tui_dialog_field(d, "file")));
	cp->guest = xstrdup(tui_field_value(tui_dialog_field(d, "guest")));
	seq = be_host_submit_arg(be, BE_OP_AGENT_COPY, c->uuid, cp, be_agent_copy_free_void);
	if (tui_integ_shown(a) && strcmp(integ_state.uuid, c->uuid) == 0) {
		integ_state.copy_pct = 0;
		tui_mode_expect(a, &integ_state.mode, d->mode.host_id, seq);
	}
	tui_status(a, false, "Copying to the guest...");
}

void tui_integ_copy_file(struct tui_app *a)
{
	int host_id;
	char uuid[37];
	const char *name;
	struct tui_dialog *d;
	struct tui_page *p;
	struct copy_ctx *c;
	char *s, *text;
	if (!target(a, &host_id, uuid, &name))
		return;
	d = tui_dialog_new("Copy File to Guest", TUI_BTN_OK_CANCEL);
	d->mode.host_id = host_id;
	c = xcalloc(1, sizeof(*c));
	snprintf(c->uuid, sizeof(c->uuid), "%s", uuid);
	d->ctx = c;
	s = core_sanitize(name ? name : "");
	text = xasprintf("A local file into '%s' through its guest agent (no network needed; up to %llu MiB). "
			 "Tab completes the local path.",
			 s, BE_AGENT_COPY_MAX >> 20);
	p = tui_dialog_add_page(d, NULL, text);
	tui_page_add(p, &tui_field_path, "file", "&File", NULL);
	tui_page_add(p, &tui_field_text, "guest", "&Guest path", NULL);
	p->validate = copy_validate;
	d->on_done = copy_done;
	d->ok_label = xstrdup("Copy");
	tui_push_dialog(a, d);
	free(text);
	free(s);
}
