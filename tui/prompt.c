/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/prompt.c - questions from the backend's workers (core/prompt.h) as
 * dialogs: an unknown host key (Accept once / Accept and save / Reject),
 * a passphrase or password (not echoed), a keyboard-interactive or libvirt
 * credential question. One is shown at a time, the others wait in order;
 * several hosts may ask at once and none blocks the others or the keys. */
#include "app.h"
#include "dialog.h"

#include <stdlib.h>
#include <string.h>

#include "../core/prompt.h"
#include "../core/util.h"

struct tui_prompts {
	core_prompt **queue;     /* waiting to be shown, oldest first */
	size_t n, cap;
	struct tui_dialog *shown; /* the dialog of the prompt on screen, or NULL */
};

static struct tui_prompts *prompts(struct tui_app *a)
{
	if (!a->prompts)
		a->prompts = xcalloc(1, sizeof(struct tui_prompts));
	return a->prompts;
}

static void show_next(struct tui_app *a);

static void prompt_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	core_prompt *p = d->ctx;
	struct tui_field *f = tui_dialog_field(d, "answer");

	if (result != TUI_DLG_OK) {
		core_prompt_cancel(p);
	} else if (p->kind == CORE_PROMPT_HOSTKEY) {
		core_prompt_answer(p, d->pressed == 0 ? CORE_HOSTKEY_ONCE : CORE_HOSTKEY_SAVE, NULL);
	} else {
		core_prompt_answer(p, 0, f ? tui_field_value(f) : "");
	}
	if (f) /* every answer's line is secret: wiped now, and on any later growth */
		core_line_op(&f->line, CORE_LINE_CLEAR);
	prompts(a)->shown = NULL;
	show_next(a);
}

static void prompt_free(struct tui_dialog *d)
{
	core_prompt_drop(d->ctx); /* cancels it if nobody answered */
	d->ctx = NULL;
}

/* The answer field's label: the prompt's ("Password:" from a server) with
 * its colon dropped (the dialog draws one) and '&' doubled (no accelerator
 * from outside text). */
static char *answer_label(const char *raw)
{
	const char *l = raw ? raw : "Answer";
	size_t n = strlen(l);
	char *out = xmalloc(2 * n + 1), *o = out;
	while (n && (l[n - 1] == ':' || l[n - 1] == ' '))
		n--;
	for (size_t i = 0; i < n; i++) {
		if (l[i] == '&')
			*o++ = '&';
		*o++ = l[i];
	}
	*o = '\0';
	return out;
}

static struct tui_dialog *prompt_dialog(struct tui_app *a, core_prompt *p)
{
	struct tui_dialog *d;
	struct tui_page *pg;
	char *text;

	if (p->kind == CORE_PROMPT_HOSTKEY) {
		d = tui_dialog_new(p->title ? p->title : "Unknown Host Key", TUI_BTN_CUSTOM);
		tui_dialog_set_button(d, 0, "Accept once");
		tui_dialog_set_button(d, 1, "Accept and save");
		tui_dialog_set_button(d, 2, "Reject");
		text = xasprintf("%s\n\nKey type:    %s\nFingerprint:\n  %s\n\n\"Accept and save\" adds it to %s.",
				 p->text ? p->text : "", p->keytype ? p->keytype : "?",
				 p->fingerprint ? p->fingerprint : "?",
				 p->where ? p->where : "~/.ssh/known_hosts");
		pg = tui_dialog_add_page(d, NULL, text);
		free(text);
		d->focus = 2; /* Reject: Enter alone never trusts a key */
	} else {
		d = tui_dialog_new(p->title ? p->title : "Question", TUI_BTN_OK_CANCEL);
		pg = tui_dialog_add_page(d, NULL, p->text);
		struct tui_field *f;
		char *label = answer_label(p->label);
		f = tui_page_add(pg, p->kind == CORE_PROMPT_SECRET ? &tui_field_password : &tui_field_text, "answer",
				 label, p->initial);
		f->line.secret = true; /* a keyboard-interactive answer may be a one-time code */
		free(label);
	}
	d->mode.host_id = p->host_id;
	d->ctx = p;
	d->on_done = prompt_done;
	d->on_free = prompt_free;
	(void)a;
	return d;
}

static void show_next(struct tui_app *a)
{
	struct tui_prompts *ps = prompts(a);
	while (!ps->shown && ps->n) {
		core_prompt *p = ps->queue[0];
		memmove(ps->queue, ps->queue + 1, (ps->n - 1) * sizeof(*ps->queue));
		ps->n--;
		if (!core_prompt_pending(p)) { /* cancelled while it waited */
			core_prompt_drop(p);
			continue;
		}
		ps->shown = prompt_dialog(a, p);
		tui_push_dialog(a, ps->shown);
	}
}

void tui_prompt_msg(struct tui_app *a, md_msg *m)
{
	struct tui_prompts *ps = prompts(a);
	core_prompt *p = m->ext;
	if (!p)
		return;
	m->ext = NULL; /* ours now */
	xgrow(&ps->queue, &ps->cap, ps->n + 1, sizeof(*ps->queue));
	ps->queue[ps->n++] = p;
	show_next(a);
}

void tui_prompt_cancel_host(struct tui_app *a, int host_id)
{
	struct tui_prompts *ps = a->prompts;
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n;) {
		if (ps->queue[i]->host_id == host_id) {
			core_prompt_drop(ps->queue[i]);
			memmove(ps->queue + i, ps->queue + i + 1, (ps->n - i - 1) * sizeof(*ps->queue));
			ps->n--;
		} else {
			i++;
		}
	}
	if (ps->shown && ps->shown->mode.host_id == host_id) {
		/* closed as cancelled: prompt_done cancels it and shows the next */
		ps->shown->result = TUI_DLG_CANCEL;
		tui_mode_pop(a, &ps->shown->mode);
		a->dirty |= TUI_DIRTY_ALL;
	}
}

void tui_prompt_free(struct tui_app *a)
{
	struct tui_prompts *ps = a->prompts;
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++)
		core_prompt_drop(ps->queue[i]);
	free(ps->queue);
	free(ps);
	a->prompts = NULL;
}
