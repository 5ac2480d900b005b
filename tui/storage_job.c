/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/storage_job.c - what the storage and network dialogs share: a dialog
 * that sends a job on OK and waits for its answer (closing on success,
 * showing the host's reason on a refusal), values kept across a rebuild of
 * a page's fields, and the actions' enabled-when tests. */
#include "actions.h"
#include "field.h"
#include "storage_ui.h"
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../backend/be_storage.h"
#include "../core/sanitize.h"
#include "../core/storage.h"
#include "../core/util.h"

/* ---- enabled-when -------------------------------------------------------- */

static bool connected(const struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	return h && h->conn == MD_CONN_CONNECTED;
}

static const md_pool *sel_pool(const struct tui_app *a)
{
	return connected(a) ? tui_selected(a, TUI_SCOPE_POOL) : NULL;
}

static const md_net *sel_net(const struct tui_app *a)
{
	return connected(a) ? tui_selected(a, TUI_SCOPE_NET) : NULL;
}

bool tui_en_pool_any(const struct tui_app *a)
{
	return sel_pool(a) != NULL;
}

bool tui_en_pool_row(const struct tui_app *a)
{
	return sel_pool(a) && !tui_sel_vol(a);
}

bool tui_en_pool_active(const struct tui_app *a)
{
	const md_pool *p = sel_pool(a);
	return p && p->active;
}

bool tui_en_pool_inactive(const struct tui_app *a)
{
	const md_pool *p = sel_pool(a);
	return p && !p->active;
}

bool tui_en_pool_view(const struct tui_app *a)
{
	const struct tui_mode *m = a->pane;
	return connected(a) && m && m->ops->scope && m->ops->scope(m) == TUI_SCOPE_POOL;
}

bool tui_en_vol(const struct tui_app *a)
{
	return connected(a) && tui_sel_vol(a) != NULL;
}

bool tui_en_net(const struct tui_app *a)
{
	return sel_net(a) != NULL;
}

bool tui_en_net_active(const struct tui_app *a)
{
	const md_net *n = sel_net(a);
	return n && n->active;
}

bool tui_en_net_inactive(const struct tui_app *a)
{
	const md_net *n = sel_net(a);
	return n && !n->active;
}

bool tui_en_net_view(const struct tui_app *a)
{
	const struct tui_mode *m = a->pane;
	return connected(a) && m && m->ops->scope && m->ops->scope(m) == TUI_SCOPE_NET;
}

bool tui_en_xfers(const struct tui_app *a)
{
	return a->model->nxfers > 0;
}

/* ---- the job dialog ------------------------------------------------------------ */

be_host *st_host_be(struct tui_app *a, int host_id)
{
	const md_host *h = md_host_get(a->model, host_id);
	if (!h || h->conn != MD_CONN_CONNECTED)
		return NULL;
	return tui_host_be(tui_host_by_id(a, host_id));
}

void st_simple_op(struct tui_app *a, int op, const char *uuid, const char *what)
{
	const md_host *h = tui_sel_host(a);
	be_host *be = h ? st_host_be(a, h->id) : NULL;
	if (!be)
		return;
	be_host_submit_arg(be, op, uuid, NULL, NULL);
	tui_status(a, false, "%s...", what);
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void st_free(struct tui_dialog *d)
{
	struct st_ctx *c = d->ctx;
	if (!c)
		return;
	free(c->name);
	free(c->vol);
	free(c->base_text);
	strv_free(c->vols, c->nvols);
	strv_free(c->pools, c->npools);
	strv_free(c->keep_id, c->nkeep);
	strv_free(c->keep_val, c->nkeep);
	free(c);
	d->ctx = NULL;
}

/* The field a refusal names first ("Name: may not contain '/'"). */
static struct tui_field *named_field(struct tui_dialog *d, const char *text)
{
	struct tui_page *p = tui_dialog_page(d);
	for (size_t i = 0; p && i < p->nfields; i++) {
		size_t n = strlen(p->fields[i]->label);
		if (n && strncmp(text, p->fields[i]->label, n) == 0 && text[n] == ':')
			return p->fields[i];
	}
	return NULL;
}

/* A host's reason, sanitized, its line breaks (libvirt's messages carry
 * some, a mount's output more) turned into spaces; caller frees. */
static char *st_reason(const char *text)
{
	char *t = xstrdup(text ? text : "no reason given"), *out;
	size_t n;
	for (char *p = t; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	n = strlen(t);
	while (n && t[n - 1] == ' ')
		t[--n] = '\0';
	out = core_sanitize(t);
	free(t);
	return out;
}

static void st_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct st_ctx *c = d->ctx;
	struct tui_field *f;
	struct tui_page *p;
	if (m->type != MD_MSG_OP_RESULT) {
		if (c->on_msg)
			c->on_msg(a, d, m);
		return;
	}
	if (m->seq != c->seq || !c->pending) {
		if (c->on_msg)
			c->on_msg(a, d, m);
		return;
	}
	c->pending = false;
	xfree(&d->error);
	if (m->ok) {
		c->close = true;
		return;
	}
	/* a field that takes the reason (libvirt's, about a whole document) */
	if (c->error_field && (f = tui_dialog_field(d, c->error_field)) != NULL) {
		char *why = st_reason(m->text);
		tui_field_set_error(f, why);
		free(why);
		d->error = xasprintf("Refused: the reason is under the %s.", f->label);
		tui_dialog_focus(d, f->id);
		return;
	}
	/* the reason may be long (it names the VMs in the way): it goes
	 * under the page's text, wrapped; the error line points at it */
	p = tui_dialog_page(d);
	if (p) {
		char *why = st_reason(m->text), *text;
		if (!c->base_text)
			c->base_text = xstrdup(p->text ? p->text : "");
		text = xasprintf("%s%sThe host refused: %s", c->base_text, *c->base_text ? "\n\n" : "", why);
		core_str_set(&p->text, text);
		free(text);
		free(why);
	}
	d->error = xstrdup("Refused: the reason is above.");
	if (m->text && (f = named_field(d, m->text)) != NULL)
		tui_dialog_focus(d, f->id);
}

/* The dialog's mode with reply() wrapped: after an answer that closes it,
 * it is popped here, where the app allows it (not inside on_reply, which
 * the dialog's own reply() follows with a layout). */
static const struct tui_mode_ops *dialog_ops;
static struct tui_mode_ops job_ops;

static void job_reply(struct tui_mode *m, struct tui_app *a, const md_msg *msg)
{
	struct tui_dialog *d = (struct tui_dialog *)m;
	dialog_ops->reply(m, a, msg);
	if (d->ctx && st_ctx(d)->close)
		tui_mode_pop(a, m);
}

struct tui_dialog *st_dialog_new(struct tui_app *a, int host_id, const char *title, int buttons)
{
	struct tui_dialog *d = tui_dialog_new(title, buttons);
	struct st_ctx *c = xcalloc(1, sizeof(*c));
	if (!dialog_ops) {
		dialog_ops = d->mode.ops;
		job_ops = *dialog_ops;
		job_ops.reply = job_reply;
	}
	d->mode.ops = &job_ops;
	d->mode.host_id = host_id;
	c->a = a;
	d->ctx = c;
	d->on_free = st_free;
	d->on_reply = st_reply;
	return d;
}

int st_submit(struct tui_dialog *d, int op, const char *uuid, void *arg, const char *working, char **err)
{
	struct st_ctx *c = d->ctx;
	be_host *be;
	if (c->pending) {
		be_storage_arg_free(arg);
		*err = xstrdup("Still waiting for the host's answer...");
		return -1;
	}
	if (!(be = st_host_be(c->a, d->mode.host_id))) {
		be_storage_arg_free(arg);
		*err = xstrdup("The host is not connected.");
		return -1;
	}
	c->seq = be_host_submit_arg(be, op, uuid, arg, arg ? be_storage_arg_free : NULL);
	c->pending = true;
	tui_mode_expect(c->a, &d->mode, d->mode.host_id, c->seq);
	*err = xstrdup(working);
	return -1;
}

void st_keep(struct tui_dialog *d, struct tui_page *p)
{
	struct st_ctx *c = d->ctx;
	for (size_t i = 0; i < p->nfields; i++) {
		struct tui_field *f = p->fields[i];
		const char *v;
		size_t k;
		if (!tui_field_is_line(f) && f->ops != &tui_field_check && f->ops != &tui_field_editarea)
			continue;
		v = f->ops == &tui_field_check ? (f->checked ? "1" : "") : tui_field_value(f);
		for (k = 0; k < c->nkeep && strcmp(c->keep_id[k], f->id) != 0; k++)
			;
		if (k == c->nkeep) {
			c->keep_id = xrealloc(c->keep_id, (c->nkeep + 1) * sizeof(char *));
			c->keep_val = xrealloc(c->keep_val, (c->nkeep + 1) * sizeof(char *));
			c->keep_id[k] = xstrdup(f->id);
			c->keep_val[k] = NULL;
			c->nkeep++;
		}
		core_str_set(&c->keep_val[k], v);
	}
}

void st_restore(struct tui_dialog *d, struct tui_page *p)
{
	struct st_ctx *c = d->ctx;
	for (size_t i = 0; i < p->nfields; i++) {
		struct tui_field *f = p->fields[i];
		for (size_t k = 0; k < c->nkeep; k++) {
			if (strcmp(c->keep_id[k], f->id) != 0)
				continue;
			if (f->ops == &tui_field_check)
				f->checked = *c->keep_val[k] != '\0';
			else if (tui_field_is_line(f) || f->ops == &tui_field_editarea)
				tui_field_set_value(f, c->keep_val[k]);
		}
	}
}

int st_check_name(struct tui_field *f, char **err)
{
	char *why = NULL;
	if (core_name_check(tui_field_value(f), &why) == 0)
		return 0;
	*err = xasprintf("%s: %s", f->label, why);
	free(why);
	return -1;
}
