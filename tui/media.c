/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/media.c - see media.h. The dialog's phases: COMPARE (the file's
 * SHA-256 against the pool's volumes of its size, on a thread of its own),
 * UPLOAD (followed in md_model.xfers), REFRESH (a pool refresh whose answer
 * closes the dialog: the volume is in the pool list by then); the callback
 * is called when the dialog leaves the stack (on_done), whatever closed it. */
#include "media.h"

#include "dialog.h"
#include "storage_ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../backend/be_reuse.h"
#include "../backend/be_storage.h"
#include "../core/sanitize.h"
#include "../core/util.h"

enum { PH_COMPARE = 1, PH_UPLOAD, PH_REFRESH };

struct media_ctx {
	int host_id;
	char pool_uuid[37];
	char *pool, *local, *vol;
	int phase;
	uint64_t seq;         /* the comparison or the refresh waited for */
	uint64_t xfer;        /* the upload, 0 none */
	bool ended;           /* result known: the dialog closes */
	bool delivered;
	char *path, *text;    /* the result: path NULL = failed / cancelled */
	struct stat st0;      /* the file when it was picked (be_vol_same_remember) */
	struct tui_mode *owner;
	tui_media_fn done;
	void *ctx;
};

char **tui_media_same_size(const md_pool *p, unsigned long long size, size_t *n)
{
	char **v = xcalloc(p->nvols + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < p->nvols; i++)
		if (p->vols[i].capacity == size && p->vols[i].name)
			v[(*n)++] = xstrdup(p->vols[i].name);
	return v;
}

static bool pool_has(const md_pool *p, const char *name)
{
	for (size_t i = 0; i < p->nvols; i++)
		if (core_str_eq(p->vols[i].name, name))
			return true;
	return false;
}

char *tui_media_vol_name(const md_pool *p, const char *local)
{
	const char *slash = strrchr(local, '/'), *base = slash ? slash + 1 : local, *dot;
	char *name = xstrdup(*base ? base : "media.iso");
	size_t stem;
	dot = strrchr(name, '.');
	stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	for (int i = 1; pool_has(p, name); i++) {
		char *n = xasprintf("%.*s-%d%s", (int)stem, base, i, *base ? base + stem : "");
		free(name);
		name = n;
	}
	return name;
}

/* The volume's path on the host: from the pool list, else the pool's
 * target path and the name (a dir pool's rule). */
static char *vol_path(struct tui_app *a, const struct media_ctx *c, const char *vol)
{
	const md_host *h = md_host_get(a->model, c->host_id);
	const md_pool *p = h ? md_pool_find(h, c->pool_uuid) : NULL;
	for (size_t i = 0; p && i < p->nvols; i++)
		if (core_str_eq(p->vols[i].name, vol) && p->vols[i].path)
			return xstrdup(p->vols[i].path);
	return p && p->path ? xasprintf("%s/%s", p->path, vol) : NULL;
}

static void show(struct tui_dialog *d, const char *text)
{
	struct tui_field *f = tui_dialog_field(d, "state");
	char *safe = core_sanitize(text);
	if (f)
		core_str_set(&f->text, safe);
	free(safe);
}

static void end(struct media_ctx *c, char *path, const char *text)
{
	c->ended = true;
	free(c->path);
	c->path = path;
	core_str_set(&c->text, text);
}

static void start_upload(struct tui_app *a, struct tui_dialog *d)
{
	struct media_ctx *c = d->ctx;
	be_host *be = st_host_be(a, c->host_id);
	const md_host *h = md_host_get(a->model, c->host_id);
	const md_pool *p = h ? md_pool_find(h, c->pool_uuid) : NULL;
	be_xfer_spec s = { .dir = BE_XFER_UPLOAD, .local = c->local, .pool = c->pool_uuid, .sparse = true };
	char *t;
	if (!be || !p) {
		end(c, NULL, !be ? "The host is not connected" : "The pool is gone");
		return;
	}
	c->vol = tui_media_vol_name(p, c->local);
	s.vol = c->vol;
	c->phase = PH_UPLOAD;
	c->xfer = be_xfer_start(be, &s);
	t = xasprintf("Uploading into %s/%s (also in Transfers)", c->pool, c->vol);
	show(d, t);
	free(t);
}

static void media_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct media_ctx *c = d->ctx;
	if (m->type != MD_MSG_OP_RESULT || m->seq != c->seq || c->ended)
		return;
	c->seq = 0;
	if (c->phase == PH_COMPARE) {
		if (m->ok && m->nstrs >= 3 && core_str_eq(m->strs[2], c->local)) {
			core_str_set(&c->vol, m->strs[0]);
			end(c, vol_path(a, c, m->strs[0]), m->text);
			if (!c->path)
				end(c, NULL, "The pool is gone");
		} else if (m->ok) {
			start_upload(a, d);
		} else {
			end(c, NULL, m->text ? m->text : "The file could not be compared with the pool's volumes");
		}
	} else if (c->phase == PH_REFRESH) {
		c->ended = true; /* the result was kept when the upload ended */
		if (c->path) { /* listed now: its path as the host has it */
			free(c->path);
			c->path = vol_path(a, c, c->vol);
		}
	}
}

/* The upload moved: its bar, its state; at its end a pool refresh, whose
 * answer closes the dialog (the volume is listed by then). */
static void media_sync(struct tui_app *a, struct tui_dialog *d)
{
	struct media_ctx *c = d->ctx;
	const md_xfer *x = c->phase == PH_UPLOAD ? md_xfer_find(a->model, c->xfer) : NULL;
	struct tui_field *bar = tui_dialog_field(d, "bar");
	be_host *be;
	char detail[128];
	if (!x || !bar)
		return;
	tui_xfer_detail(x, detail, sizeof(detail));
	core_str_set(&bar->detail, detail);
	bar->fraction = x->state == MD_XFER_DONE ? 1.0 : x->total ? (double)x->done / (double)x->total : -1.0;
	if (!md_xfer_state_final(x->state)) {
		char *t = xasprintf("%s %s/%s (also in Transfers)", md_xfer_state_name(x->state), c->pool, c->vol);
		show(d, t);
		free(t);
		return;
	}
	free(c->path);
	c->path = x->state == MD_XFER_DONE ? vol_path(a, c, c->vol) : NULL;
	if (x->state == MD_XFER_DONE) /* the next compare with this file: one read */
		be_vol_same_remember(st_host_be(a, c->host_id), c->pool_uuid, c->vol, c->local, &c->st0);
	core_str_set(&c->text, x->text ? x->text : md_xfer_state_name(x->state));
	show(d, c->text);
	c->phase = PH_REFRESH;
	if ((be = st_host_be(a, c->host_id)) != NULL) {
		c->seq = be_host_submit(be, BE_OP_POOL_REFRESH, c->pool_uuid, NULL, 0);
		tui_mode_expect(a, &d->mode, c->host_id, c->seq);
	} else {
		c->ended = true; /* Cancel closes it and hands the result on */
	}
}

static bool on_stack(const struct tui_app *a, const struct tui_mode *m)
{
	for (size_t i = 0; i < a->nstack; i++)
		if (a->stack[i] == m)
			return true;
	return false;
}

/* Closed: by its end (the result), or by Cancel / Escape (the upload is
 * stopped; be_xfer removes the volume it made). */
static void media_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct media_ctx *c = d->ctx;
	(void)result;
	if (c->delivered)
		return;
	c->delivered = true;
	if (!c->ended && c->phase != PH_REFRESH) { /* else: the upload's end is known */
		if (c->xfer)
			be_xfer_cancel(c->xfer);
		end(c, NULL, c->xfer ? "Cancelled: the upload stops and its new volume is removed" : "Cancelled");
	}
	if (!c->owner || on_stack(a, c->owner)) {
		tui_media_result r = { .path = c->path, .text = c->text, .pool_uuid = c->pool_uuid, .vol = c->vol,
				       .made = c->path && c->xfer };
		c->done(a, c->ctx, &r);
	}
}

static void media_free(struct tui_dialog *d)
{
	struct media_ctx *c = d->ctx;
	free(c->pool);
	free(c->local);
	free(c->vol);
	free(c->path);
	free(c->text);
	free(c);
	d->ctx = NULL;
}

/* The dialog's mode, its reply() wrapped: an answer that ends it pops it
 * (app.c allows that there, not inside on_reply or on_sync). */
static const struct tui_mode_ops *dialog_ops;
static struct tui_mode_ops media_ops;

static void media_mode_reply(struct tui_mode *m, struct tui_app *a, const md_msg *msg)
{
	struct tui_dialog *d = (struct tui_dialog *)m;
	dialog_ops->reply(m, a, msg);
	if (d->ctx && ((struct media_ctx *)d->ctx)->ended && on_stack(a, m))
		tui_mode_pop(a, m);
}

int tui_media_check_file(const char *local, unsigned long long *size, char **err)
{
	struct stat st;
	if (!local || *local != '/') {
		*err = xasprintf("Local file: give the absolute path of a file on this machine");
		return -1;
	}
	if (stat(local, &st) < 0) {
		*err = xasprintf("Local file: %s: %s", local, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = xasprintf("Local file: %s is not a regular file", local);
		return -1;
	}
	if (st.st_size == 0) {
		*err = xasprintf("Local file: %s is empty", local);
		return -1;
	}
	*size = (unsigned long long)st.st_size;
	return 0;
}

int tui_media_upload(struct tui_app *a, int host_id, const char *pool, const char *local, struct tui_mode *owner,
		     tui_media_fn done, void *ctx, char **err)
{
	const md_host *h = md_host_get(a->model, host_id);
	const md_pool *p = NULL;
	be_host *be = st_host_be(a, host_id);
	unsigned long long size = 0;
	struct tui_dialog *d;
	struct media_ctx *c;
	struct tui_page *pg;
	char **same, *t;
	size_t n = 0;
	for (size_t i = 0; h && i < h->npools; i++)
		if (core_str_eq(h->pools[i].name, pool))
			p = &h->pools[i];
	if (tui_media_check_file(local, &size, err) < 0)
		return -1;
	if (!be) {
		*err = xstrdup("The host is not connected");
		return -1;
	}
	if (!p || !p->active) {
		*err = xasprintf("Pool: %s is not an active pool of the host", pool && *pool ? pool : "(none)");
		return -1;
	}
	c = xcalloc(1, sizeof(*c));
	c->host_id = host_id;
	snprintf(c->pool_uuid, sizeof(c->pool_uuid), "%s", p->uuid);
	c->pool = xstrdup(p->name);
	c->local = xstrdup(local);
	if (stat(local, &c->st0) < 0)
		memset(&c->st0, 0, sizeof(c->st0));
	c->owner = owner;
	c->done = done;
	c->ctx = ctx;
	d = tui_dialog_new("Local ISO", TUI_BTN_CUSTOM);
	if (!dialog_ops) {
		dialog_ops = d->mode.ops;
		media_ops = *dialog_ops;
		media_ops.name = "media";
		media_ops.reply = media_mode_reply;
	}
	d->mode.ops = &media_ops;
	d->mode.host_id = host_id;
	d->ctx = c;
	d->on_reply = media_reply;
	d->on_sync = media_sync;
	d->on_done = media_done;
	d->on_free = media_free;
	tui_dialog_set_button(d, 0, "Cancel");
	t = xasprintf("%s -> pool %s", local, p->name);
	pg = tui_dialog_add_page(d, NULL, NULL);
	tui_page_add(pg, &tui_field_label, "file", NULL, NULL)->text = core_sanitize(t);
	free(t);
	tui_page_add(pg, &tui_field_label, "state", NULL, NULL);
	tui_page_add(pg, &tui_field_progress, "bar", NULL, NULL)->fraction = 0;
	same = tui_media_same_size(p, size, &n);
	if (n) {
		c->phase = PH_COMPARE;
		c->seq = be_vol_same_start(be, host_id, p->uuid, local, same, n);
		tui_mode_expect(a, &d->mode, host_id, c->seq);
		show(d, "Comparing with the pool's volumes of the same size (SHA-256)...");
	} else {
		start_upload(a, d);
	}
	for (size_t i = 0; i < n; i++)
		free(same[i]);
	free(same);
	tui_push_dialog(a, d);
	return 0;
}
