/* tui/dialog.c - modal dialogs, pages and fields (see dialog.h). */
#include "dialog.h"
#include "app.h"

#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/util.h"

struct tui_dialog *tui_dialog_new(const char *title, int buttons)
{
	struct tui_dialog *d = xcalloc(1, sizeof(*d));
	d->title = xstrdup(title);
	d->buttons = buttons;
	d->host_id = -1;
	return d;
}

void tui_dialog_set_button(struct tui_dialog *d, int i, const char *label)
{
	if (i >= 0 && i < 4)
		core_str_set(&d->btn_labels[i], label);
}

struct tui_page *tui_dialog_add_page(struct tui_dialog *d, const char *title, const char *text)
{
	struct tui_page *p;
	d->pages = xrealloc(d->pages, (d->npages + 1) * sizeof(*d->pages));
	p = &d->pages[d->npages++];
	memset(p, 0, sizeof(*p));
	p->title = xstrdup(title);
	p->text = xstrdup(text);
	return p;
}

struct tui_field *tui_page_add_field(struct tui_page *p, int kind, const char *label, const char *value)
{
	struct tui_field *f;
	p->fields = xrealloc(p->fields, (p->nfields + 1) * sizeof(*p->fields));
	f = &p->fields[p->nfields++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->label = xstrdup(label);
	f->value = xstrdup(value ? value : "");
	return f;
}

void tui_field_add_choice(struct tui_field *f, const char *choice)
{
	f->choices = xrealloc(f->choices, (f->nchoices + 1) * sizeof(*f->choices));
	f->choices[f->nchoices++] = xstrdup(choice);
}

static void field_free(struct tui_field *f)
{
	free(f->label);
	if (f->kind == TUI_F_PASSWORD)
		xfree_secret(&f->value);
	else
		free(f->value);
	for (size_t k = 0; k < f->nchoices; k++)
		free(f->choices[k]);
	free(f->choices);
}

void tui_page_clear_fields(struct tui_page *p)
{
	for (size_t j = 0; j < p->nfields; j++)
		field_free(&p->fields[j]);
	xfree(&p->fields);
	p->nfields = 0;
}

struct tui_field *tui_dialog_field(struct tui_dialog *d, size_t page, const char *label)
{
	if (page >= d->npages)
		return NULL;
	for (size_t i = 0; i < d->pages[page].nfields; i++)
		if (strcmp(d->pages[page].fields[i].label, label) == 0)
			return &d->pages[page].fields[i];
	return NULL;
}

void tui_dialog_set_text(struct tui_dialog *d, size_t page, const char *text)
{
	if (page < d->npages)
		core_str_set(&d->pages[page].text, text);
}

/* ---- form fields ------------------------------------------------------- */

static struct tui_page *cur_page(struct tui_dialog *d)
{
	return d->npages ? &d->pages[d->cur] : NULL;
}

/* Copy the form's buffers back into the fields' values. */
static void dialog_sync(struct tui_dialog *d)
{
	struct tui_page *p = cur_page(d);
	if (!d->form || !p)
		return;
	form_driver(d->form, REQ_VALIDATION);
	for (int i = 0; d->ff && d->ff[i]; i++) {
		struct tui_field *f = &p->fields[d->ff_of[i]];
		char *v = xstrdup(field_buffer(d->ff[i], 0));
		core_str_trim(v);
		if (f->kind == TUI_F_PASSWORD)
			xfree_secret(&f->value);
		else
			free(f->value);
		f->value = v;
	}
}

static void dialog_drop_form(struct tui_dialog *d)
{
	if (d->form) {
		WINDOW *sub = form_sub(d->form);
		unpost_form(d->form);
		free_form(d->form);
		d->form = NULL;
		if (sub && sub != d->win)
			delwin(sub);
	}
	for (int i = 0; d->ff && d->ff[i]; i++) {
		/* values were synced; wipe the form's own copies (a password
		 * lives in the field's buffer and in its expanded text) */
		set_field_buffer(d->ff[i], 0, "");
		(void)field_buffer(d->ff[i], 0);
		free_field(d->ff[i]);
	}
	xfree(&d->ff);
	xfree(&d->ff_of);
}

static void dialog_drop_windows(struct tui_dialog *d)
{
	dialog_drop_form(d);
	if (d->panel) {
		del_panel(d->panel);
		d->panel = NULL;
	}
	if (d->win) {
		delwin(d->win);
		d->win = NULL;
	}
}

void tui_dialog_free(struct tui_dialog **dp)
{
	struct tui_dialog *d = *dp;
	if (!d)
		return;
	dialog_drop_windows(d);
	if (d->on_free)
		d->on_free(d);
	else
		free(d->ctx);
	for (size_t i = 0; i < d->npages; i++) {
		struct tui_page *p = &d->pages[i];
		tui_page_clear_fields(p);
		free(p->title);
		free(p->text);
	}
	free(d->pages);
	free(d->title);
	free(d->ok_label);
	for (int i = 0; i < 4; i++)
		free(d->btn_labels[i]);
	free(d->error);
	free(d);
	*dp = NULL;
}

/* ---- text wrapping --------------------------------------------------------- */

/* Wrap safe text (already sanitized where it came from outside) to width
 * columns. Returns a vector of lines; *n gets the count. */
static char **wrap_text(const char *text, int width, size_t *n)
{
	char **lines = NULL;
	size_t cnt = 0, cap = 0;
	const char *s = text ? text : "";
	if (width < 4)
		width = 4;
	while (1) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *para = xstrndup(s, len);
		char *cur = para;
		do {
			/* take words while they fit */
			size_t cut = strlen(cur), last_space = 0;
			char save;
			bool fits = core_str_width(cur) <= width;
			if (!fits) {
				for (size_t i = 1; i <= strlen(cur); i++) {
					save = cur[i];
					cur[i] = '\0';
					if (core_str_width(cur) > width) {
						cur[i] = save;
						break;
					}
					cur[i] = save;
					cut = i;
					if (cur[i] == ' ')
						last_space = i;
				}
				if (last_space)
					cut = last_space;
			}
			xgrow(&lines, &cap, cnt + 1, sizeof(*lines));
			lines[cnt++] = xstrndup(cur, cut);
			cur += cut;
			while (*cur == ' ')
				cur++;
		} while (*cur);
		free(para);
		if (!nl)
			break;
		s = nl + 1;
	}
	*n = cnt;
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* ---- layout ------------------------------------------------------------------ */

static const char *btn_label(const struct tui_dialog *d, int i)
{
	switch (d->buttons) {
	case TUI_BTN_OK_CANCEL:
		return i == 0 ? (d->ok_label ? d->ok_label : "OK") : "Cancel";
	case TUI_BTN_YES_NO:
		return i == 0 ? (d->ok_label ? d->ok_label : "Yes") : "No";
	case TUI_BTN_CLOSE:
		return "Close";
	case TUI_BTN_CUSTOM:
		return d->btn_labels[i] ? d->btn_labels[i] : "?";
	default:
		if (i == 0)
			return "< Back";
		if (i == 1)
			return d->cur + 1 < d->npages ? "Next >" : (d->ok_label ? d->ok_label : "Finish");
		return "Cancel";
	}
}

static int nbuttons(const struct tui_dialog *d)
{
	if (d->buttons == TUI_BTN_CUSTOM) {
		int n = 0;
		while (n < 4 && d->btn_labels[n])
			n++;
		return n ? n : 1;
	}
	return d->buttons == TUI_BTN_CLOSE ? 1 : d->buttons == TUI_BTN_WIZARD ? 3 : 2;
}

static bool field_focusable(const struct tui_field *f)
{
	return f->kind != TUI_F_LABEL && !f->disabled;
}

static int nfocus(struct tui_dialog *d)
{
	struct tui_page *p = cur_page(d);
	int n = nbuttons(d);
	for (size_t i = 0; p && i < p->nfields; i++)
		n += field_focusable(&p->fields[i]);
	return n;
}

/* Focus index -> field index (or -1 with *btn set). */
static int focus_target(struct tui_dialog *d, int focus, int *btn)
{
	struct tui_page *p = cur_page(d);
	int k = 0;
	*btn = -1;
	for (size_t i = 0; p && i < p->nfields; i++) {
		if (!field_focusable(&p->fields[i]))
			continue;
		if (k++ == focus)
			return (int)i;
	}
	*btn = focus - k;
	return -1;
}

static int label_width(struct tui_page *p)
{
	int lw = 0;
	for (size_t i = 0; i < p->nfields; i++) {
		int k = p->fields[i].kind;
		if (k == TUI_F_TEXT || k == TUI_F_PASSWORD || k == TUI_F_CHOICE) {
			int w = core_str_width(p->fields[i].label);
			if (w > lw)
				lw = w;
		}
	}
	return lw ? lw + 2 : 0;
}

void tui_dialog_layout(struct tui_app *a, struct tui_dialog *d)
{
	struct tui_page *p = cur_page(d);
	int maxw = a->cols - 2, maxh = a->lines - 2;
	int want_w = 60, inner, lw, row, nff = 0;
	size_t ntext = 0;
	char **text;

	if (d->form)
		dialog_sync(d);
	dialog_drop_windows(d);
	if (!p || maxw < 20 || maxh < 6)
		return;
	if (core_str_width(d->title) + 8 > want_w)
		want_w = core_str_width(d->title) + 8;
	/* wide enough for the longest word (a path, a URI), if the screen allows */
	if (p->text) {
		char *copy = xstrdup(p->text), *save = NULL;
		for (char *w = strtok_r(copy, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
			if (core_str_width(w) + 6 > want_w)
				want_w = core_str_width(w) + 6;
		free(copy);
	}
	d->w = want_w < maxw ? want_w : maxw;
	inner = d->w - 4;
	lw = label_width(p);
	text = wrap_text(p->text, inner, &ntext);
	d->h = 2 + (p->title && *p->title ? 2 : 0) + (int)ntext + (ntext ? 1 : 0) + (int)p->nfields +
	       (p->nfields ? 1 : 0) + 1 /* error */ + 1 /* buttons */;
	if (d->h > maxh)
		d->h = maxh;
	d->y = (a->lines - d->h) / 2;
	d->x = (a->cols - d->w) / 2;
	d->win = newwin(d->h, d->w, d->y, d->x);
	keypad(d->win, TRUE);
	d->panel = new_panel(d->win);
	free_lines(text, ntext);

	/* form fields for text inputs, placed on their rows */
	row = 1 + (p->title && *p->title ? 2 : 0) + (int)ntext + (ntext ? 1 : 0);
	d->ff = xcalloc(p->nfields + 1, sizeof(*d->ff));
	d->ff_of = xcalloc(p->nfields + 1, sizeof(*d->ff_of));
	for (size_t i = 0; i < p->nfields; i++) {
		struct tui_field *f = &p->fields[i];
		int fw = inner - lw, y = row + (int)i;
		FIELD *ff;
		if (f->kind != TUI_F_TEXT && f->kind != TUI_F_PASSWORD)
			continue;
		if (f->width > 0 && f->width < fw)
			fw = f->width;
		if (y >= d->h - 3 || fw < 2)
			continue;
		ff = new_field(1, fw, y - 1, 1 + lw, 0, 0);
		if (!ff)
			continue;
		field_opts_off(ff, O_AUTOSKIP | O_STATIC | O_BLANK);
		set_max_field(ff, 4096);
		if (f->kind == TUI_F_PASSWORD)
			field_opts_off(ff, O_PUBLIC);
		if (f->disabled)
			field_opts_off(ff, O_ACTIVE | O_EDIT);
		set_field_back(ff, tui_attr(a, CORE_ROLE_DIALOG_FIELD));
		set_field_buffer(ff, 0, f->value ? f->value : "");
		d->ff_of[nff] = (int)i;
		d->ff[nff++] = ff;
	}
	if (nff) {
		d->form = new_form(d->ff);
		if (d->form) {
			set_form_win(d->form, d->win);
			set_form_sub(d->form, derwin(d->win, d->h - 2, d->w - 2, 1, 1));
			post_form(d->form);
		}
	}
	if (d->focus >= nfocus(d))
		d->focus = 0;
}

/* ---- drawing ------------------------------------------------------------------ */

void tui_dialog_draw(struct tui_app *a, struct tui_dialog *d)
{
	struct tui_page *p = cur_page(d);
	int inner, lw, row, btn, ffield, x;
	size_t ntext = 0;
	char **text;
	attr_t base = tui_attr(a, d->error_style ? CORE_ROLE_ERROR : CORE_ROLE_DIALOG);

	if (!d->win || !p)
		return;
	inner = d->w - 4;
	lw = label_width(p);
	wbkgdset(d->win, ' ' | base);
	/* Clear every row but the form fields': re-posting the form would lose
	 * the cursor position in a field being edited. */
	wattrset(d->win, base);
	for (int r = 1; r < d->h - 1; r++) {
		bool field_row = false;
		for (int i = 0; d->ff && d->ff[i]; i++) {
			int fr, fc, rows, cols, offs, nb;
			if (field_info(d->ff[i], &rows, &cols, &fr, &fc, &offs, &nb) == E_OK && fr + 1 == r)
				field_row = true;
		}
		if (field_row)
			mvwhline(d->win, r, 1, ' ', lw + 1);
		else
			mvwhline(d->win, r, 1, ' ', d->w - 2);
	}
	wattrset(d->win, base);
	box(d->win, 0, 0);
	wattrset(d->win, tui_attr(a, CORE_ROLE_DIALOG_TITLE));
	{
		char *t = xasprintf(" %s ", d->title);
		int tw = core_str_width(t);
		tui_put_safe(d->win, 0, (d->w - (tw < d->w - 2 ? tw : d->w - 2)) / 2,
			     tw < d->w - 2 ? tw : d->w - 2, t, false);
		free(t);
	}
	wattrset(d->win, base);
	row = 1;
	if (p->title && *p->title) {
		wattrset(d->win, base | A_BOLD);
		tui_put_safe(d->win, row, 2, inner, p->title, false);
		wattrset(d->win, base);
		row += 2;
	}
	text = wrap_text(p->text, inner, &ntext);
	for (size_t i = 0; i < ntext && row < d->h - 3; i++)
		tui_put_safe(d->win, row++, 2, inner, text[i], false);
	free_lines(text, ntext);
	if (ntext)
		row++;

	ffield = focus_target(d, d->focus, &btn);
	for (size_t i = 0; i < p->nfields && row < d->h - 3; i++, row++) {
		struct tui_field *f = &p->fields[i];
		bool foc = (int)i == ffield;
		attr_t fa = tui_attr(a, foc ? CORE_ROLE_DIALOG_FIELD_FOCUS : CORE_ROLE_DIALOG_FIELD);
		switch (f->kind) {
		case TUI_F_TEXT:
		case TUI_F_PASSWORD: {
			char *l = xasprintf("%s:", f->label);
			wattrset(d->win, base);
			tui_put_safe(d->win, row, 2, lw, l, false);
			free(l);
			break;
		}
		case TUI_F_CHECK: {
			char *l = xasprintf("[%s] %s", f->checked ? "x" : " ", f->label);
			wattrset(d->win, foc ? fa : base);
			tui_put_safe(d->win, row, 2, inner, l, false);
			free(l);
			break;
		}
		case TUI_F_CHOICE: {
			char *l = xasprintf("%s:", f->label);
			char *v = xasprintf("< %s >", f->nchoices ? f->choices[f->choice] : "");
			wattrset(d->win, base);
			tui_put_safe(d->win, row, 2, lw, l, false);
			wattrset(d->win, fa);
			tui_put_safe(d->win, row, 2 + lw, inner - lw, v, false);
			free(l);
			free(v);
			break;
		}
		default:
			wattrset(d->win, f->disabled ? (base | A_DIM) : base);
			tui_put_safe(d->win, row, 2, inner, f->value, false);
			break;
		}
	}

	if (d->error) {
		wattrset(d->win, tui_attr(a, CORE_ROLE_ERROR));
		tui_put_safe(d->win, d->h - 3, 2, inner, d->error, false);
	}

	/* buttons, right-aligned */
	d->nbtn = nbuttons(d);
	d->btn_y = d->h - 2;
	x = d->w - 2;
	for (int i = d->nbtn - 1; i >= 0; i--) {
		const char *l = btn_label(d, i);
		int bw = core_str_width(l) + 4;
		bool disabled = d->buttons == TUI_BTN_WIZARD && i == 0 && d->cur == 0;
		char *t = xasprintf("[ %s ]", l);
		x -= bw + 1;
		if (x < 1)
			x = 1;
		d->btn_x[i] = d->x + x;
		d->btn_w[i] = bw;
		wattrset(d->win, tui_attr(a, i == btn ? CORE_ROLE_BUTTON_FOCUS : CORE_ROLE_BUTTON) |
					  (disabled ? A_DIM : 0));
		tui_put_safe(d->win, d->btn_y, x, bw, t, false);
		free(t);
	}
	wattrset(d->win, base);
	if (d->form && ffield >= 0 && (p->fields[ffield].kind == TUI_F_TEXT ||
				       p->fields[ffield].kind == TUI_F_PASSWORD)) {
		for (int i = 0; d->ff[i]; i++)
			if (d->ff_of[i] == ffield)
				set_current_field(d->form, d->ff[i]);
		pos_form_cursor(d->form);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

/* ---- input ----------------------------------------------------------------- */

static int dialog_finish(struct tui_app *a, struct tui_dialog *d, bool forward)
{
	struct tui_page *p = cur_page(d);
	char *err = NULL;
	dialog_sync(d);
	xfree(&d->error);
	if (!forward) {
		if (d->buttons == TUI_BTN_WIZARD) {
			if (d->cur > 0) {
				d->cur--;
				d->focus = 0;
				tui_dialog_layout(a, d);
			}
			return TUI_DLG_RUNNING;
		}
		return TUI_DLG_CANCEL;
	}
	if (p && p->validate && p->validate(d, p, &err) != 0) {
		d->error = err ? err : xstrdup("Please check the values.");
		return TUI_DLG_RUNNING;
	}
	if (d->buttons == TUI_BTN_WIZARD && d->cur + 1 < d->npages) {
		d->cur++;
		d->focus = 0;
		tui_dialog_layout(a, d);
		return TUI_DLG_RUNNING;
	}
	return TUI_DLG_OK;
}

static int press_button(struct tui_app *a, struct tui_dialog *d, int btn)
{
	switch (d->buttons) {
	case TUI_BTN_CLOSE:
		return TUI_DLG_OK;
	case TUI_BTN_WIZARD:
		if (btn == 2)
			return TUI_DLG_CANCEL;
		return dialog_finish(a, d, btn == 1);
	case TUI_BTN_CUSTOM:
		if (btn >= nbuttons(d) - 1)
			return TUI_DLG_CANCEL;
		d->pressed = btn;
		return dialog_finish(a, d, true);
	default:
		return btn == 0 ? dialog_finish(a, d, true) : TUI_DLG_CANCEL;
	}
}

/* A check box or choice changed: the page's on_change may rebuild it. */
static void field_changed(struct tui_app *a, struct tui_dialog *d, int fi)
{
	struct tui_page *p = cur_page(d);
	if (!p || !p->on_change)
		return;
	dialog_sync(d);
	dialog_drop_windows(d); /* the form's fields point into the old ones */
	p->on_change(d, p, fi);
	tui_dialog_layout(a, d);
}

static void field_key(struct tui_dialog *d, int fi, struct tui_field *f, int key, bool is_char)
{
	if (f->kind == TUI_F_CHECK && is_char && key == ' ')
		f->checked = !f->checked;
	if (f->kind == TUI_F_CHOICE && f->nchoices) {
		if ((!is_char && key == KEY_RIGHT) || (is_char && key == ' '))
			f->choice = (f->choice + 1) % (int)f->nchoices;
		else if (!is_char && key == KEY_LEFT)
			f->choice = (f->choice + (int)f->nchoices - 1) % (int)f->nchoices;
	}
	if ((f->kind == TUI_F_TEXT || f->kind == TUI_F_PASSWORD) && d->form) {
		/* the form's current field follows the focus only when drawn:
		 * keys that come in one burst (a paste, Tab then text) must not
		 * go to the field focused before */
		for (int i = 0; d->ff[i]; i++)
			if (d->ff_of[i] == fi && current_field(d->form) != d->ff[i])
				set_current_field(d->form, d->ff[i]);
		if (is_char)
			form_driver_w(d->form, OK, (wchar_t)key);
		else {
			int req = 0;
			switch (key) {
			case KEY_LEFT: req = REQ_PREV_CHAR; break;
			case KEY_RIGHT: req = REQ_NEXT_CHAR; break;
			case KEY_HOME: req = REQ_BEG_FIELD; break;
			case KEY_END: req = REQ_END_FIELD; break;
			case KEY_BACKSPACE: req = REQ_DEL_PREV; break;
			case KEY_DC: req = REQ_DEL_CHAR; break;
			}
			if (req)
				form_driver(d->form, req);
		}
	}
}

int tui_dialog_key(struct tui_app *a, struct tui_dialog *d, int key, bool is_char)
{
	int n = nfocus(d), btn, fi;
	struct tui_page *p = cur_page(d);
	if (!p)
		return TUI_DLG_CANCEL;
	if (is_char && (key == 127 || key == 8)) {
		is_char = false;
		key = KEY_BACKSPACE;
	}
	if (is_char && key == '\r')
		key = '\n';
	if (is_char && key == 27)
		return d->buttons == TUI_BTN_CLOSE ? TUI_DLG_OK : TUI_DLG_CANCEL;
	if ((is_char && key == '\t') || (!is_char && key == KEY_DOWN)) {
		d->focus = (d->focus + 1) % n;
		return TUI_DLG_RUNNING;
	}
	if (!is_char && (key == KEY_BTAB || key == KEY_UP)) {
		d->focus = (d->focus + n - 1) % n;
		return TUI_DLG_RUNNING;
	}
	fi = focus_target(d, d->focus, &btn);
	if ((is_char && key == '\n') || (!is_char && key == KEY_ENTER)) {
		if (btn >= 0)
			return press_button(a, d, btn);
		/* Enter in a field: the default button (OK / Next; No in a question) */
		if (d->buttons == TUI_BTN_YES_NO || d->enter_no_default)
			return TUI_DLG_RUNNING;
		return d->buttons == TUI_BTN_WIZARD ? press_button(a, d, 1) : press_button(a, d, 0);
	}
	if (btn >= 0) {
		if (!is_char && (key == KEY_LEFT || key == KEY_RIGHT)) {
			int nb = nbuttons(d), first = n - nb;
			int b = (btn + (key == KEY_LEFT ? nb - 1 : 1)) % nb;
			d->focus = first + b;
		} else if (is_char && key == ' ') {
			return press_button(a, d, btn);
		} else if (d->buttons == TUI_BTN_YES_NO && is_char && (key == 'y' || key == 'Y')) {
			return press_button(a, d, 0);
		} else if (d->buttons == TUI_BTN_YES_NO && is_char && (key == 'n' || key == 'N')) {
			return TUI_DLG_CANCEL;
		}
		return TUI_DLG_RUNNING;
	}
	if (fi >= 0) {
		struct tui_field *f = &p->fields[fi];
		bool checked = f->checked;
		int choice = f->choice;
		field_key(d, fi, f, key, is_char);
		if (f->checked != checked || f->choice != choice)
			field_changed(a, d, fi);
	}
	return TUI_DLG_RUNNING;
}

int tui_dialog_click(struct tui_app *a, struct tui_dialog *d, int y, int x)
{
	struct tui_page *p = cur_page(d);
	if (!d->win || !p)
		return TUI_DLG_RUNNING;
	if (y == d->btn_y + d->y) {
		for (int i = 0; i < d->nbtn; i++)
			if (x >= d->btn_x[i] && x < d->btn_x[i] + d->btn_w[i])
				return press_button(a, d, i);
	}
	/* a click on a field's row focuses it (and toggles a check box) */
	for (int k = 0, n = nfocus(d) - nbuttons(d); k < n; k++) {
		int btn, fi = focus_target(d, k, &btn);
		int row = d->y + 1 + (p->title && *p->title ? 2 : 0);
		size_t ntext = 0;
		char **text = wrap_text(p->text, d->w - 4, &ntext);
		free_lines(text, ntext);
		row += (int)ntext + (ntext ? 1 : 0) + fi;
		if (fi >= 0 && y == row) {
			d->focus = k;
			if (p->fields[fi].kind == TUI_F_CHECK) {
				p->fields[fi].checked = !p->fields[fi].checked;
				field_changed(a, d, fi);
			}
			break;
		}
	}
	return TUI_DLG_RUNNING;
}

struct tui_dialog *tui_msgbox(const char *title, const char *text, bool error)
{
	struct tui_dialog *d = tui_dialog_new(title, TUI_BTN_CLOSE);
	tui_dialog_add_page(d, NULL, text);
	d->error_style = error;
	return d;
}

struct tui_dialog *tui_confirm(const char *title, const char *text, const char *yes_label,
			       void (*on_done)(struct tui_app *, struct tui_dialog *, int))
{
	struct tui_dialog *d = tui_dialog_new(title, TUI_BTN_YES_NO);
	tui_dialog_add_page(d, NULL, text);
	d->ok_label = xstrdup(yes_label);
	d->on_done = on_done;
	d->focus = 1; /* "No" first: a stray Enter never destroys anything */
	return d;
}
