/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/xfer_dialogs.c - Upload and Download of volumes (be_xfer_start), the
 * progress of one transfer (a dialog Escape sends to the background) and
 * the Transfers list (all hosts; Cancel, Clear Finished). A transfer that
 * ended (done, failed, cancelled) offers only Close. Progress comes
 * as MD_MSG_XFER into md_model.xfers (md_apply), which redraws the status
 * bar and the dialogs; the two field kinds here draw from the model. */
#include "actions.h"
#include "field.h"
#include "storage_ui.h"
#include "views.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../backend/be_storage.h"
#include "../core/sanitize.h"
#include "../core/storage.h"
#include "../core/util.h"

void tui_xfer_detail(const md_xfer *x, char *buf, size_t len)
{
	char done[32], total[32], rate[32], left[32];
	core_size_fmt(x->done, done, sizeof(done));
	core_size_fmt(x->total, total, sizeof(total));
	core_size_fmt((uint64_t)(x->rate > 0 ? x->rate : 0), rate, sizeof(rate));
	if (x->eta_s < 0 || md_xfer_state_final(x->state) || x->rate <= 0)
		left[0] = '\0';
	else if (x->eta_s >= 3600)
		snprintf(left, sizeof(left), ", %d h %02d min left", x->eta_s / 3600, x->eta_s / 60 % 60);
	else if (x->eta_s >= 60)
		snprintf(left, sizeof(left), ", %d min %02d s left", x->eta_s / 60, x->eta_s % 60);
	else
		snprintf(left, sizeof(left), ", %d s left", x->eta_s);
	if (x->rate > 0 && !md_xfer_state_final(x->state))
		snprintf(buf, len, "%s of %s, %s/s%s", done, total, rate, left);
	else
		snprintf(buf, len, "%s of %s", done, total);
}

static double xfer_fraction(const md_xfer *x)
{
	if (x->state == MD_XFER_DONE)
		return 1.0;
	return x->total ? (double)x->done / (double)x->total : -1.0;
}

/* "upload x.iso -> pool/vol" (raw) */
static char *xfer_title(const md_xfer *x)
{
	const char *base = x->local ? strrchr(x->local, '/') : NULL;
	base = base ? base + 1 : x->local ? x->local : "";
	return x->upload ? xasprintf("%s -> %s/%s", base, x->pool ? x->pool : "", x->vol ? x->vol : "")
			 : xasprintf("%s/%s -> %s", x->pool ? x->pool : "", x->vol ? x->vol : "", base);
}

/* The state line: "running", "reconnecting (resumed 1x)", the final text. */
static char *xfer_state(const md_xfer *x)
{
	if (md_xfer_state_final(x->state) && x->text)
		return xasprintf("%s: %s", md_xfer_state_name(x->state), x->text);
	if (x->resumes)
		return xasprintf("%s (resumed %dx)", md_xfer_state_name(x->state), x->resumes);
	return xstrdup(md_xfer_state_name(x->state));
}

/* A bar and its detail as the progress kind draws them. */
static void draw_bar(const md_xfer *x, struct tui_app *a, WINDOW *w, int y, int xx, int width, bool detail)
{
	struct tui_field bar = { .ops = &tui_field_progress };
	char d[128];
	tui_xfer_detail(x, d, sizeof(d));
	bar.fraction = xfer_fraction(x);
	bar.detail = detail ? d : NULL;
	tui_field_progress.draw(&bar, a, w, y, xx, width, false);
}

/* ---- one transfer: field kind "xfer" (f->data: its id) -------------------------- */

/* title, bar, detail, the state (three rows: a final text wraps; four
 * without a SHA-256: a refusal's reason comes after the file's path), SHA-256 */
static int one_height(const struct tui_field *f, int width)
{
	(void)f;
	(void)width;
	return 7;
}

static void one_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	const md_xfer *xf = md_xfer_find(a->model, *(const uint64_t *)f->data);
	char *t, *s, *safe, **rows;
	size_t n = 0;
	(void)focus;
	wattrset(w, tui_attr(a, CORE_ROLE_DIALOG));
	if (!xf) {
		tui_put_safe(w, y, x, width, "Starting...", false);
		return;
	}
	t = xfer_title(xf);
	tui_put(w, y, x, width, t, false);
	draw_bar(xf, a, w, y + 1, x, width, true);
	s = xfer_state(xf);
	safe = core_sanitize(s);
	rows = tui_wrap(safe, width, &n);
	wattrset(w, tui_attr(a, xf->state == MD_XFER_FAILED ? CORE_ROLE_ERROR : CORE_ROLE_DIALOG));
	for (size_t i = 0; i < n && i < (xf->sha256 ? 3u : 4u); i++)
		tui_put_safe(w, y + 3 + (int)i, x, width, rows[i], false);
	tui_wrap_free(rows, n);
	if (xf->sha256) {
		char *h = xasprintf("SHA-256 %s%s", xf->sha256, xf->verified ? " (verified)" : "");
		wattrset(w, tui_attr(a, CORE_ROLE_DIALOG));
		tui_put(w, y + 6, x, width, h, false);
		free(h);
	}
	free(safe);
	free(s);
	free(t);
}

static void data_free(struct tui_field *f)
{
	xfree(&f->data);
}

static const struct tui_field_ops field_xfer = {
	.name = "xfer", .height = one_height, .draw = one_draw, .free = data_free,
};

static void progress_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	const md_xfer *x = md_xfer_find(a->model, st_ctx(d)->xfer);
	if (result == TUI_DLG_OK && d->pressed == 0) {
		be_xfer_cancel(st_ctx(d)->xfer);
		if (x && !md_xfer_state_final(x->state))
			tui_status(a, false, "Cancelling the transfer...");
	} else if (x && !md_xfer_state_final(x->state)) {
		tui_status(a, false, "The transfer goes on in the background (t: Transfers)");
	}
}

/* The transfer ended (done, failed, cancelled): nothing is left to cancel
 * or to send to the background: one button, Close. */
static void progress_sync(struct tui_app *a, struct tui_dialog *d)
{
	const md_xfer *x = md_xfer_find(a->model, st_ctx(d)->xfer);
	if (!x || !md_xfer_state_final(x->state) || !d->btn_labels[1])
		return;
	tui_dialog_set_button(d, 0, "Close");
	tui_dialog_set_button(d, 1, NULL);
	d->focus = 0;
}

void tui_open_xfer_progress(struct tui_app *a, uint64_t id)
{
	const md_xfer *x = md_xfer_find(a->model, id);
	struct tui_dialog *d = st_dialog_new(a, x ? x->host_id : -1, x && !x->upload ? "Download" : "Transfer",
					     TUI_BTN_CUSTOM);
	struct tui_page *p = tui_dialog_add_page(d, NULL, NULL);
	struct tui_field *f = tui_page_add(p, &field_xfer, "xfer", NULL, NULL);
	f->data = xmalloc(sizeof(uint64_t));
	*(uint64_t *)f->data = id;
	st_ctx(d)->xfer = id;
	tui_dialog_set_button(d, 0, "Cancel Transfer");
	tui_dialog_set_button(d, 1, "Background");
	d->on_done = progress_done;
	d->on_sync = progress_sync;
	d->focus = 1; /* Background: Enter or Escape leaves it running */
	progress_sync(a, d); /* ended already: Close */
	tui_push_dialog(a, d);
}

/* ---- the list: field kind "xfers" (f->data: struct xl) -------------------------------- */

struct xl {
	md_model *m;
	uint64_t sel;   /* the selected transfer's id */
};

static size_t xl_index(const struct xl *l)
{
	for (size_t i = 0; i < l->m->nxfers; i++)
		if (l->m->xfers[i].id == l->sel)
			return i;
	return 0;
}

static int list_height(const struct tui_field *f, int width)
{
	const struct xl *l = f->data;
	size_t n = l->m->nxfers;
	(void)width;
	return n == 0 ? 1 : n > 5 ? 10 : (int)n * 2;
}

static void list_draw(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus)
{
	const struct xl *l = f->data;
	size_t n = l->m->nxfers, sel = xl_index(l), first = sel >= 5 ? sel - 4 : 0;
	wattrset(w, tui_attr(a, CORE_ROLE_DIALOG));
	if (!n) {
		tui_put_safe(w, y, x, width, "No transfers.", false);
		return;
	}
	for (size_t i = first; i < n && i < first + 5; i++, y += 2) {
		const md_xfer *xf = &l->m->xfers[i];
		char *t = xfer_title(xf), *s = xfer_state(xf), *line;
		int bar = width / 3;
		const md_host *h = md_host_get(l->m, xf->host_id);
		line = xasprintf("%s %s: %s", xf->upload ? "Upload" : "Download", h ? h->label : "?", t);
		wattrset(w, tui_attr(a, i == sel ? (focus ? CORE_ROLE_DIALOG_FIELD_FOCUS : CORE_ROLE_DIALOG_FIELD)
					       : CORE_ROLE_DIALOG));
		tui_put(w, y, x, width, line, false);
		draw_bar(xf, a, w, y + 1, x, bar, false);
		wattrset(w, tui_attr(a, xf->state == MD_XFER_FAILED ? CORE_ROLE_ERROR : CORE_ROLE_DIALOG));
		{
			char d[128], *rest;
			tui_xfer_detail(xf, d, sizeof(d));
			rest = xasprintf("%s, %s", d, s);
			tui_put(w, y + 1, x + bar + 1, width - bar - 1, rest, false);
			free(rest);
		}
		free(line);
		free(s);
		free(t);
	}
}

static int list_key(struct tui_field *f, int key, bool is_char)
{
	struct xl *l = f->data;
	size_t i = xl_index(l), n = l->m->nxfers;
	if (is_char || !n)
		return TUI_FIELD_IGNORED;
	if (key == KEY_UP && i > 0)
		i--;
	else if (key == KEY_DOWN && i + 1 < n)
		i++;
	else if (key != KEY_UP && key != KEY_DOWN)
		return TUI_FIELD_IGNORED;
	l->sel = l->m->xfers[i].id;
	return TUI_FIELD_CONSUMED;
}

static const struct tui_field_ops field_xfers = {
	.name = "xfers", .focusable = true, .wants_arrows = true,
	.height = list_height, .draw = list_draw, .key = list_key, .free = data_free,
};

static void transfers_open(struct tui_app *a, uint64_t sel);

static void transfers_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct tui_field *f = tui_dialog_field(d, "xfers");
	uint64_t sel = f ? ((struct xl *)f->data)->sel : 0;
	if (result != TUI_DLG_OK)
		return;
	if (d->pressed == 0) {
		be_xfer_cancel(sel);
	} else {
		for (size_t i = a->model->nxfers; i-- > 0;)
			if (md_xfer_state_final(a->model->xfers[i].state))
				md_xfer_forget(a->model, a->model->xfers[i].id);
	}
	transfers_open(a, sel);
}

static void transfers_open(struct tui_app *a, uint64_t sel)
{
	struct tui_dialog *d = st_dialog_new(a, -1, "Transfers", TUI_BTN_CUSTOM);
	struct tui_page *p = tui_dialog_add_page(d, NULL, "Uploads and downloads of this session, on every host.");
	struct tui_field *f = tui_page_add(p, &field_xfers, "xfers", NULL, NULL);
	struct xl *l = xcalloc(1, sizeof(*l));
	l->m = a->model;
	l->sel = md_xfer_find(a->model, sel) ? sel : a->model->nxfers ? a->model->xfers[0].id : 0;
	f->data = l;
	tui_dialog_set_button(d, 0, "Cancel Transfer");
	tui_dialog_set_button(d, 1, "Clear Finished");
	tui_dialog_set_button(d, 2, "Close");
	d->on_done = transfers_done;
	tui_push_dialog(a, d);
}

void tui_open_transfers(struct tui_app *a)
{
	transfers_open(a, 0);
}

/* ---- Upload ------------------------------------------------------------------------- */

static const md_pool *cur_pool(struct tui_app *a)
{
	return tui_selected(a, TUI_SCOPE_POOL);
}

/* A local file to read: 0, or -1 with *err naming the field. */
static int check_readable(const char *path, char **err)
{
	struct stat st;
	if (!*path) {
		*err = xstrdup("File: enter the path of a local file");
		return -1;
	}
	if (stat(path, &st) != 0) {
		*err = xasprintf("File: %s", strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		*err = xasprintf("File: that is %s", S_ISDIR(st.st_mode) ? "a folder" : "not a regular file");
		return -1;
	}
	if (access(path, R_OK) != 0) {
		*err = xasprintf("File: cannot be read (%s)", strerror(errno));
		return -1;
	}
	return 0;
}

static int upload_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct tui_field *into = tui_dialog_field(d, "into"), *name = tui_dialog_field(d, "name");
	(void)p;
	if (check_readable(tui_field_value(tui_dialog_field(d, "file")), err) != 0) {
		tui_dialog_focus(d, "file");
		return -1;
	}
	if (into->choice == 0 && *tui_field_value(name) && st_check_name(name, err) != 0) {
		tui_dialog_focus(d, "name");
		return -1;
	}
	return 0;
}

static void upload_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct st_ctx *c = st_ctx(d);
	struct tui_field *into = tui_dialog_field(d, "into");
	const char *file = tui_field_value(tui_dialog_field(d, "file")), *base = strrchr(file, '/');
	const char *name = tui_field_value(tui_dialog_field(d, "name"));
	be_host *be = st_host_be(a, d->mode.host_id);
	be_xfer_spec s = { 0 };
	if (result != TUI_DLG_OK)
		return;
	if (!be) {
		tui_status(a, true, "Upload: the host is not connected");
		return;
	}
	s.dir = BE_XFER_UPLOAD;
	s.local = file;
	s.pool = c->uuid;
	if (into->choice > 0 && (size_t)into->choice <= c->nvols)
		s.vol = c->vols[into->choice - 1];
	else
		s.vol = *name ? name : base ? base + 1 : file;
	s.sparse = tui_dialog_field(d, "sparse")->checked;
	s.verify = tui_dialog_field(d, "verify")->checked;
	s.hash = s.verify || tui_dialog_field(d, "hash")->checked;
	tui_open_xfer_progress(a, be_xfer_start(be, &s));
}

void tui_open_upload(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	const md_pool *pool = cur_pool(a);
	const md_vol *sel = tui_sel_vol(a);
	struct tui_dialog *d;
	struct st_ctx *c;
	struct tui_page *p;
	struct tui_field *f;
	char *pname, *text;
	if (!h || !pool)
		return;
	d = st_dialog_new(a, h->id, "Upload to Volume", TUI_BTN_OK_CANCEL);
	c = st_ctx(d);
	snprintf(c->uuid, sizeof(c->uuid), "%s", pool->uuid);
	pname = core_sanitize(pool->name);
	text = xasprintf("A local file into a volume of the pool '%s' (Tab completes the path). Sparse: the "
			 "file's holes are not sent, so an 8 GiB image with 200 MiB of data moves 200 MiB "
			 "(not into an existing volume: it is written whole).",
			 pname);
	p = tui_dialog_add_page(d, NULL, text);
	tui_page_add(p, &tui_field_path, "file", "&File", NULL);
	f = tui_page_add(p, &tui_field_choice, "into", "&Into", NULL);
	tui_field_add_choice(f, "a new volume");
	c->vols = xcalloc(pool->nvols + 1, sizeof(char *));
	for (size_t i = 0; i < pool->nvols; i++) {
		char *s = core_sanitize(pool->vols[i].name), *item = xasprintf("existing: %s", s);
		tui_field_add_choice(f, item);
		if (sel == &pool->vols[i])
			f->choice = (int)i + 1;
		free(item);
		free(s);
		c->vols[c->nvols++] = xstrdup(pool->vols[i].name ? pool->vols[i].name : "");
	}
	tui_page_add(p, &tui_field_text, "name", "New volume &name", NULL);
	tui_page_add(p, &tui_field_check, "sparse", "&Sparse: holes are not sent", NULL)->checked = true;
	tui_page_add(p, &tui_field_check, "hash", "S&HA-256 of the file", NULL);
	tui_page_add(p, &tui_field_check, "verify", "&Verify: read the volume back and compare", NULL);
	p->validate = upload_validate;
	d->on_done = upload_done;
	d->ok_label = xstrdup("Upload");
	tui_push_dialog(a, d);
	free(text);
	free(pname);
}

/* ---- Download ------------------------------------------------------------------------- */

static int download_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	const char *path = tui_field_value(tui_dialog_field(d, "file"));
	struct stat st;
	(void)p;
	if (!*path) {
		*err = xstrdup("Save as: enter a local path");
		return -1;
	}
	if (stat(path, &st) == 0 && (S_ISDIR(st.st_mode) || !tui_dialog_field(d, "overwrite")->checked)) {
		*err = xstrdup(S_ISDIR(st.st_mode) ? "Save as: that is a folder"
						  : "Save as: the file exists; tick Overwrite to replace it");
		tui_dialog_focus(d, "file");
		return -1;
	}
	return 0;
}

static void download_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct st_ctx *c = st_ctx(d);
	be_host *be = st_host_be(a, d->mode.host_id);
	be_xfer_spec s = { 0 };
	if (result != TUI_DLG_OK)
		return;
	if (!be) {
		tui_status(a, true, "Download: the host is not connected");
		return;
	}
	s.dir = BE_XFER_DOWNLOAD;
	s.local = tui_field_value(tui_dialog_field(d, "file"));
	s.pool = c->uuid;
	s.vol = c->vol;
	s.sparse = tui_dialog_field(d, "sparse")->checked;
	s.hash = tui_dialog_field(d, "hash")->checked;
	s.overwrite = tui_dialog_field(d, "overwrite")->checked;
	tui_open_xfer_progress(a, be_xfer_start(be, &s));
}

void tui_open_download(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	const md_pool *pool = cur_pool(a);
	const md_vol *v = tui_sel_vol(a);
	struct tui_dialog *d;
	struct st_ctx *c;
	struct tui_page *p;
	char cwd[4096], *vname, *text, *dest;
	if (!h || !pool || !v)
		return;
	d = st_dialog_new(a, h->id, "Download Volume", TUI_BTN_OK_CANCEL);
	c = st_ctx(d);
	snprintf(c->uuid, sizeof(c->uuid), "%s", pool->uuid);
	c->vol = xstrdup(v->name ? v->name : "");
	vname = core_sanitize(v->name);
	text = xasprintf("The volume '%s' into a new local file (Tab completes the path). Sparse: its holes "
			 "are written as holes.",
			 vname);
	p = tui_dialog_add_page(d, NULL, text);
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	dest = xasprintf("%s/%s", cwd, v->name && !strchr(v->name, '/') ? v->name : "volume");
	tui_page_add(p, &tui_field_path, "file", "&Save as", dest);
	tui_page_add(p, &tui_field_check, "overwrite", "&Overwrite an existing file", NULL);
	tui_page_add(p, &tui_field_check, "sparse", "S&parse: holes written as holes", NULL)->checked = true;
	tui_page_add(p, &tui_field_check, "hash", "S&HA-256 of the file", NULL);
	p->validate = download_validate;
	d->on_done = download_done;
	d->ok_label = xstrdup("Download");
	tui_push_dialog(a, d);
	free(dest);
	free(text);
	free(vname);
}
