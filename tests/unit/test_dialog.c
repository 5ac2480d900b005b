/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_dialog.c - dialogs without a terminal (tui/dialog.h):
 * page order with next() and Back along the history, validation, each field
 * kind's keys, accelerators, layout and scrolling, the dialog as a mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../tui/app.h"
#include "../../tui/dialog.h"
#include "../../tui/lineedit.h"
#include "../../core/util.h"
#include "tmpdir.h"

#define CTRL(c) ((c) & 0x1f)

static int key(struct tui_dialog *d, int k)
{
	return tui_dialog_key(d, k, false);
}

static int chr(struct tui_dialog *d, int c)
{
	return tui_dialog_key(d, c, true);
}

static void type(struct tui_dialog *d, const char *s)
{
	for (; *s; s++)
		assert_int_equal(chr(d, (unsigned char)*s), TUI_DLG_RUNNING);
}

static const char *focused_id(struct tui_dialog *d)
{
	struct tui_field *f = tui_dialog_focused(d);
	return f ? f->id : "(button)";
}

/* ---- a wizard: pages A, B, C, D; A skips B when "skip" is ticked ---------------- */

struct wiz {
	int entered[4];
	int validated;
	bool refuse;
};

static int page_of(struct tui_dialog *d, struct tui_page *p)
{
	for (size_t i = 0; i < d->npages; i++)
		if (d->pages[i] == p)
			return (int)i;
	return -1;
}

static int a_next(struct tui_dialog *d, struct tui_page *p)
{
	return tui_dialog_field(d, "skip")->checked ? 2 : 1;
}

static int c_next(struct tui_dialog *d, struct tui_page *p)
{
	/* D only when asked for */
	return tui_dialog_field(d, "more")->checked ? 3 : -1;
}

static void on_enter(struct tui_dialog *d, struct tui_page *p)
{
	struct wiz *w = d->ctx;
	w->entered[page_of(d, p)]++;
}

static int b_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct wiz *w = d->ctx;
	w->validated++;
	if (w->refuse || !*tui_field_value(tui_dialog_field(d, "name"))) {
		*err = xstrdup("Give it a name");
		return -1;
	}
	return 0;
}

static struct tui_dialog *wizard(struct wiz *w)
{
	struct tui_dialog *d = tui_dialog_new("Wizard", TUI_BTN_WIZARD);
	struct tui_page *p;
	d->ctx = w;
	d->on_free = NULL;
	p = tui_dialog_add_page(d, "A", "first");
	p->next = a_next;
	p->on_enter = on_enter;
	tui_page_add(p, &tui_field_check, "skip", "&Skip B", NULL);
	p = tui_dialog_add_page(d, "B", "second");
	p->validate = b_validate;
	p->on_enter = on_enter;
	tui_page_add(p, &tui_field_text, "name", "&Name", NULL);
	p = tui_dialog_add_page(d, "C", "third");
	p->next = c_next;
	p->on_enter = on_enter;
	tui_page_add(p, &tui_field_check, "more", "&More", NULL);
	p = tui_dialog_add_page(d, "D", "fourth");
	p->on_enter = on_enter;
	tui_page_add(p, &tui_field_label, "note", NULL, "the end");
	tui_dialog_layout(d, 24, 80);
	return d;
}

/* Next is focus 1 + nbuttons... press it with Enter from a field */
static void test_wizard_next_and_back(void **state)
{
	struct wiz *w = xcalloc(1, sizeof(*w));
	struct tui_dialog *d = wizard(w);
	(void)state;
	assert_int_equal(d->cur, 0);
	/* in order: A -> B (refused while empty) -> C */
	assert_int_equal(chr(d, '\n'), TUI_DLG_RUNNING);
	assert_int_equal(d->cur, 1);
	assert_int_equal(w->entered[1], 1);
	assert_int_equal(chr(d, '\n'), TUI_DLG_RUNNING);
	assert_int_equal(d->cur, 1);
	assert_string_equal(d->error, "Give it a name");
	type(d, "vm1");
	assert_int_equal(chr(d, '\n'), TUI_DLG_RUNNING);
	assert_null(d->error);
	assert_int_equal(d->cur, 2);
	assert_int_equal(d->nhistory, 2);
	/* C is the last (next() says -1): Enter finishes */
	/* Back: B, then A */
	assert_int_equal(chr(d, '\t'), TUI_DLG_RUNNING); /* to [< Back] */
	assert_string_equal(focused_id(d), "(button)");
	assert_int_equal(chr(d, ' '), TUI_DLG_RUNNING);
	assert_int_equal(d->cur, 1);
	assert_string_equal(tui_field_value(tui_dialog_field(d, "name")), "vm1"); /* kept */
	assert_int_equal(w->entered[1], 2);
	d->focus = 1; /* [< Back] */
	assert_int_equal(chr(d, ' '), TUI_DLG_RUNNING);
	assert_int_equal(d->cur, 0);
	assert_int_equal(d->nhistory, 0);
	/* Back on the first page does nothing */
	d->focus = 1;
	assert_int_equal(chr(d, ' '), TUI_DLG_RUNNING);
	assert_int_equal(d->cur, 0);
	/* tick Skip: A -> C directly; Back from C returns to A, not B */
	d->focus = 0;
	assert_int_equal(chr(d, ' '), TUI_DLG_RUNNING);
	assert_true(tui_dialog_field(d, "skip")->checked);
	assert_int_equal(chr(d, '\n'), TUI_DLG_RUNNING);
	assert_int_equal(d->cur, 2);
	assert_int_equal(w->entered[2], 2);
	d->focus = 1;
	assert_int_equal(chr(d, ' '), TUI_DLG_RUNNING);
	assert_int_equal(d->cur, 0);
	/* A -> C -> D (More ticked) -> Finish */
	assert_int_equal(chr(d, '\n'), TUI_DLG_RUNNING);
	assert_int_equal(d->cur, 2);
	assert_int_equal(tui_dialog_key(d, TUI_KEY_ALT('m'), true), TUI_DLG_RUNNING);
	assert_string_equal(focused_id(d), "more");
	assert_int_equal(chr(d, ' '), TUI_DLG_RUNNING);
	assert_int_equal(chr(d, '\n'), TUI_DLG_RUNNING);
	assert_int_equal(d->cur, 3);
	assert_int_equal(w->entered[3], 1);
	assert_int_equal(d->nhistory, 2);
	assert_int_equal(d->history[0], 0);
	assert_int_equal(d->history[1], 2);
	/* D has no field to focus: Finish has the focus */
	assert_int_equal(d->focus, 1);
	assert_int_equal(chr(d, '\n'), TUI_DLG_OK);
	tui_dialog_free(&d);
	assert_null(d);
}

static void test_wizard_cancel(void **state)
{
	struct wiz *w = xcalloc(1, sizeof(*w));
	struct tui_dialog *d = wizard(w);
	(void)state;
	assert_int_equal(chr(d, 27), TUI_DLG_CANCEL);
	tui_dialog_free(&d);
	w = xcalloc(1, sizeof(*w));
	d = wizard(w);
	d->focus = 3; /* [Cancel] */
	assert_int_equal(chr(d, '\n'), TUI_DLG_CANCEL);
	tui_dialog_free(&d);
}

/* ---- validation, buttons, the mode ----------------------------------------------- */

static int done_result = -99;
static int done_calls;

static void on_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	done_result = result;
	done_calls++;
}

static int refuse_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	*err = xstrdup("No.");
	return -1;
}

static void test_validation_and_buttons(void **state)
{
	struct tui_dialog *d = tui_dialog_new("Form", TUI_BTN_OK_CANCEL);
	struct tui_page *p = tui_dialog_add_page(d, NULL, "text");
	int r;
	(void)state;
	p->validate = refuse_validate;
	tui_page_add(p, &tui_field_text, "a", "&A", "x");
	tui_dialog_layout(d, 24, 80);
	assert_int_equal(chr(d, '\n'), TUI_DLG_RUNNING); /* Enter in a field: OK, refused */
	assert_string_equal(d->error, "No.");
	p->validate = NULL;
	assert_int_equal(chr(d, '\r'), TUI_DLG_OK);
	/* the mode: key() says CLOSE and keeps the result; done() calls on_done */
	d->on_done = on_done;
	d->focus = 2; /* Cancel */
	r = d->mode.ops->key(&d->mode, NULL, '\n', true);
	assert_int_equal(r, TUI_KEY_CLOSE);
	assert_int_equal(d->result, TUI_DLG_CANCEL);
	d->mode.ops->done(&d->mode, NULL);
	assert_int_equal(done_result, TUI_DLG_CANCEL);
	assert_int_equal(d->mode.host_id, -1);
	assert_int_equal(d->mode.ops->key(&d->mode, NULL, 'z', true), TUI_KEY_DONE);
	d->mode.ops->free(&d->mode);

	/* yes/no: No first; Enter in a field never says Yes; y/n on the buttons */
	d = tui_confirm("Q", "Sure?", "Do it", on_done);
	tui_dialog_layout(d, 24, 80);
	assert_string_equal(focused_id(d), "(button)");
	assert_int_equal(d->focus, 1);
	assert_int_equal(chr(d, '\n'), TUI_DLG_CANCEL);
	assert_int_equal(chr(d, 'y'), TUI_DLG_OK);
	assert_int_equal(chr(d, 'n'), TUI_DLG_CANCEL);
	assert_int_equal(key(d, KEY_LEFT), TUI_DLG_RUNNING);
	assert_int_equal(d->focus, 0);
	tui_dialog_free(&d);

	d = tui_msgbox("M", "hello", true);
	tui_dialog_layout(d, 24, 80);
	assert_true(d->error_style);
	assert_int_equal(chr(d, 27), TUI_DLG_OK); /* Escape closes a message box */
	tui_dialog_free(&d);

	d = tui_dialog_new("Custom", TUI_BTN_CUSTOM);
	tui_dialog_set_button(d, 0, "Once");
	tui_dialog_set_button(d, 1, "Always");
	tui_dialog_set_button(d, 2, "Reject");
	tui_dialog_add_page(d, NULL, "key?");
	tui_dialog_layout(d, 24, 80);
	assert_int_equal(d->nbtn, 3);
	d->focus = 1;
	assert_int_equal(chr(d, ' '), TUI_DLG_OK);
	assert_int_equal(d->pressed, 1);
	d->focus = 2;
	assert_int_equal(chr(d, '\n'), TUI_DLG_CANCEL);
	/* a click on a button presses it */
	assert_int_equal(tui_dialog_click(d, d->btn_y, d->btn_x[0] + 1), TUI_DLG_OK);
	assert_int_equal(d->pressed, 0);
	assert_int_equal(tui_dialog_click(d, d->btn_y, d->btn_x[2] + d->btn_w[2] - 1), TUI_DLG_CANCEL);
	tui_dialog_free(&d);

	/* a button's accelerator: Alt+letter presses it; a field with the
	 * same letter wins; the label is drawn without its '&' */
	d = tui_dialog_new("Custom", TUI_BTN_CUSTOM);
	tui_dialog_set_button(d, 0, "Appl&y");
	tui_dialog_set_button(d, 1, "&Edit");
	tui_dialog_set_button(d, 2, "Cancel");
	tui_page_add(tui_dialog_add_page(d, NULL, NULL), &tui_field_text, "name", "&Edit me", "x");
	tui_dialog_layout(d, 24, 80);
	assert_int_equal(d->btn_w[0], (int)strlen("[ Apply ]"));
	d->focus = 1;
	assert_int_equal(tui_dialog_key(d, TUI_KEY_ALT('Y'), true), TUI_DLG_OK);
	assert_int_equal(d->pressed, 0);
	d->pressed = -1;
	assert_int_equal(tui_dialog_key(d, TUI_KEY_ALT('e'), true), TUI_DLG_RUNNING); /* the field's */
	assert_int_equal(d->focus, 0);
	assert_int_equal(tui_dialog_key(d, TUI_KEY_ALT('q'), true), TUI_DLG_RUNNING); /* nobody's */
	assert_int_equal(d->pressed, -1);
	tui_dialog_free(&d);
}

/* ---- text fields and the line editor ---------------------------------------------- */

static struct tui_dialog *one_page(const char *text)
{
	struct tui_dialog *d = tui_dialog_new("T", TUI_BTN_OK_CANCEL);
	tui_dialog_add_page(d, NULL, text);
	return d;
}

static void test_text_keys(void **state)
{
	struct tui_dialog *d = one_page("a URI");
	struct tui_field *f = tui_page_add(d->pages[0], &tui_field_text, "uri", "&URI", "qemu:///sytem");
	(void)state;
	tui_dialog_layout(d, 24, 80);
	assert_string_equal(f->label, "URI"); /* no '&', no colon: the dialog draws it */
	assert_int_equal(f->accel, 'u');
	assert_int_equal(f->line.cur, strlen("qemu:///sytem")); /* the cursor at the end */
	/* Ctrl-U deletes to the start: no "^U" inserted (issue 9) */
	assert_int_equal(chr(d, CTRL('U')), TUI_DLG_RUNNING);
	assert_string_equal(tui_field_value(f), "");
	type(d, "qemu:///sytem");
	/* Ctrl-A, Ctrl-E, Home, End, Left, Right */
	chr(d, CTRL('A'));
	assert_int_equal(f->line.cur, 0);
	chr(d, CTRL('E'));
	assert_int_equal(f->line.cur, 13);
	key(d, KEY_HOME);
	assert_int_equal(f->line.cur, 0);
	key(d, KEY_END);
	key(d, KEY_LEFT);
	key(d, KEY_LEFT);
	key(d, KEY_LEFT);
	chr(d, 's');
	assert_string_equal(tui_field_value(f), "qemu:///system");
	/* Ctrl-K deletes to the end, Ctrl-W the word before */
	chr(d, CTRL('K'));
	assert_string_equal(tui_field_value(f), "qemu:///sys");
	type(d, " tem");
	chr(d, CTRL('W'));
	assert_string_equal(tui_field_value(f), "qemu:///sys ");
	/* Backspace three ways and Delete */
	chr(d, 127);
	chr(d, 8);
	key(d, KEY_BACKSPACE);
	assert_string_equal(tui_field_value(f), "qemu:///s");
	key(d, KEY_HOME);
	key(d, KEY_DC);
	assert_string_equal(tui_field_value(f), "emu:///s");
	/* control characters are refused, never inserted */
	key(d, KEY_END);
	for (int c = 1; c < 32; c++)
		if (c != '\t' && c != '\n' && c != '\r' && c != 27 && c != 8 && c != CTRL('A') && c != CTRL('E') &&
		    c != CTRL('U') && c != CTRL('K') && c != CTRL('W'))
			chr(d, c);
	chr(d, 0x9b); /* a C1 CSI */
	assert_string_equal(tui_field_value(f), "emu:///s");
	assert_string_equal(focused_id(d), "uri");
	/* tui_line_key alone (the list filter, the console search use it) */
	{
		core_line l;
		core_line_init(&l, false);
		assert_int_equal(tui_line_key(&l, 'x', true), TUI_LINE_CHANGED);
		assert_int_equal(tui_line_key(&l, KEY_LEFT, false), TUI_LINE_CONSUMED);
		assert_int_equal(tui_line_key(&l, KEY_LEFT, false), TUI_LINE_CONSUMED);
		assert_int_equal(tui_line_key(&l, '\t', true), TUI_LINE_IGNORED);
		assert_int_equal(tui_line_key(&l, 27, true), TUI_LINE_IGNORED);
		assert_int_equal(tui_line_key(&l, CTRL('X'), true), TUI_LINE_IGNORED);
		assert_int_equal(tui_line_key(&l, TUI_KEY_ALT('x'), true), TUI_LINE_IGNORED);
		assert_int_equal(tui_line_key(&l, KEY_F(5), false), TUI_LINE_IGNORED);
		assert_int_equal(tui_line_key(&l, 0xe9, true), TUI_LINE_CHANGED);
		assert_string_equal(core_line_text(&l), "\xc3\xa9x");
		core_line_free(&l);
	}
	tui_dialog_free(&d);
}

static void test_password_is_secret(void **state)
{
	struct tui_dialog *d = one_page("pw");
	struct tui_field *f = tui_page_add(d->pages[0], &tui_field_password, "pw", "&Password", NULL);
	(void)state;
	tui_dialog_layout(d, 24, 80);
	assert_true(f->line.secret);
	type(d, "s3cret");
	assert_string_equal(tui_field_value(f), "s3cret");
	/* where the cursor goes: after the marks, one per character */
	assert_int_equal(f->ops->cursor(f, 20), 6);
	tui_dialog_free(&d);
}

/* ---- accelerators ---------------------------------------------------------------- */

static void test_accelerators(void **state)
{
	struct tui_dialog *d = one_page(NULL);
	struct tui_page *p = d->pages[0];
	(void)state;
	tui_page_add(p, &tui_field_text, "host", "&Host", NULL);
	tui_page_add(p, &tui_field_text, "user", "&User", NULL);
	tui_page_add(p, &tui_field_text, "driver", "D&river", "qemu");
	tui_page_add(p, &tui_field_label, "info", "&Info", NULL); /* not focusable */
	tui_page_add(p, &tui_field_text, "off", "&Off", NULL)->disabled = true;
	tui_page_add(p, &tui_field_check, "amp", "Save && &go", NULL);
	tui_dialog_layout(d, 24, 80);
	assert_string_equal(focused_id(d), "host");
	tui_dialog_key(d, TUI_KEY_ALT('r'), true);
	assert_string_equal(focused_id(d), "driver");
	tui_dialog_key(d, TUI_KEY_ALT('U'), true); /* either case */
	assert_string_equal(focused_id(d), "user");
	tui_dialog_key(d, TUI_KEY_ALT('i'), true); /* a label cannot take the focus */
	assert_string_equal(focused_id(d), "user");
	tui_dialog_key(d, TUI_KEY_ALT('o'), true); /* nor a disabled field */
	assert_string_equal(focused_id(d), "user");
	tui_dialog_key(d, TUI_KEY_ALT('z'), true);
	assert_string_equal(focused_id(d), "user");
	assert_string_equal(tui_dialog_field(d, "amp")->label, "Save & go");
	tui_dialog_key(d, TUI_KEY_ALT('g'), true);
	assert_string_equal(focused_id(d), "amp");
	/* an Alt key types nothing */
	tui_dialog_focus(d, "host");
	assert_string_equal(focused_id(d), "host");
	tui_dialog_key(d, TUI_KEY_ALT('h'), true);
	assert_string_equal(tui_field_value(tui_dialog_field(d, "host")), "");
	/* Tab and Shift-Tab walk the focusable fields, then the buttons */
	chr(d, '\t');
	assert_string_equal(focused_id(d), "user");
	chr(d, '\t');
	assert_string_equal(focused_id(d), "driver");
	key(d, KEY_DOWN);
	assert_string_equal(focused_id(d), "amp");
	chr(d, '\t');
	assert_string_equal(focused_id(d), "(button)");
	key(d, KEY_BTAB);
	key(d, KEY_UP);
	assert_string_equal(focused_id(d), "driver");
	tui_dialog_free(&d);
}

/* ---- check, choice, radio, list, text area, progress, label ------------------------- */

static int changes;
static char last_change[32];

static void count_change(struct tui_dialog *d, struct tui_page *p, struct tui_field *f)
{
	changes++;
	snprintf(last_change, sizeof(last_change), "%s", f->id);
}

static void test_kinds(void **state)
{
	struct tui_dialog *d = one_page("kinds");
	struct tui_page *p = d->pages[0];
	struct tui_field *ck, *ch, *ra, *li, *ta, *pr, *lb;
	char text[800] = "";
	(void)state;
	p->on_change = count_change;
	ck = tui_page_add(p, &tui_field_check, "ck", "&Check", NULL);
	ch = tui_page_add(p, &tui_field_choice, "ch", "C&hoice", NULL);
	tui_field_add_choice(ch, "one");
	tui_field_add_choice(ch, "two");
	tui_field_add_choice(ch, "three");
	ra = tui_page_add(p, &tui_field_radio, "ra", "&Radio", NULL);
	tui_field_add_choice(ra, "r1");
	tui_field_add_choice(ra, "r2");
	li = tui_page_add(p, &tui_field_list, "li", "&List", NULL);
	li->multi = true;
	li->rows = 3;
	for (int i = 0; i < 10; i++) {
		char item[16];
		snprintf(item, sizeof(item), "item%d", i);
		tui_field_add_choice(li, item);
	}
	for (int i = 0; i < 30; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "line %d\n", i);
	ta = tui_page_add(p, &tui_field_textarea, "ta", "&Text", text);
	ta->rows = 5;
	pr = tui_page_add(p, &tui_field_progress, "pr", "Progress", NULL);
	pr->fraction = 0.5;
	lb = tui_page_add(p, &tui_field_label, "lb", NULL, "just text");
	tui_dialog_layout(d, 40, 100);

	/* check: Space toggles */
	assert_string_equal(focused_id(d), "ck");
	chr(d, ' ');
	assert_true(ck->checked);
	assert_int_equal(changes, 1);
	assert_string_equal(last_change, "ck");
	chr(d, 'x'); /* other keys do nothing */
	assert_true(ck->checked);
	/* choice: Right, Space, Left wrap around */
	tui_dialog_key(d, TUI_KEY_ALT('h'), true);
	key(d, KEY_RIGHT);
	assert_string_equal(tui_field_value(ch), "two");
	chr(d, ' ');
	assert_string_equal(tui_field_value(ch), "three");
	key(d, KEY_RIGHT);
	assert_string_equal(tui_field_value(ch), "one");
	key(d, KEY_LEFT);
	assert_string_equal(tui_field_value(ch), "three");
	tui_field_set_value(ch, "two");
	assert_int_equal(ch->choice, 1);
	assert_string_equal(last_change, "ch");
	/* radio: Down moves the choice; past the end the focus moves on */
	tui_dialog_key(d, TUI_KEY_ALT('r'), true);
	key(d, KEY_DOWN);
	assert_string_equal(tui_field_value(ra), "r2");
	assert_string_equal(focused_id(d), "ra");
	key(d, KEY_DOWN);
	assert_string_equal(focused_id(d), "li");
	/* list: moves and scrolls, Space ticks (multi) */
	key(d, KEY_DOWN);
	key(d, KEY_DOWN);
	key(d, KEY_DOWN);
	assert_int_equal(li->choice, 3);
	assert_int_equal(li->top, 1);
	chr(d, ' ');
	assert_true(li->marked[3]);
	assert_false(li->marked[2]);
	key(d, KEY_END);
	assert_int_equal(li->choice, 9);
	assert_int_equal(li->top, 7);
	key(d, KEY_DOWN); /* stays in the list at its end */
	assert_string_equal(focused_id(d), "li");
	key(d, KEY_PPAGE);
	assert_int_equal(li->choice, 7);
	key(d, KEY_HOME);
	assert_int_equal(li->choice, 0);
	assert_int_equal(li->top, 0);
	chr(d, ' ');
	assert_true(li->marked[0]);
	/* a click on the list's third row picks and ticks item 2 */
	{
		int row = d->field_row[3];
		int x = 2 + 10; /* the label column: "Progress" + ": " */
		assert_int_equal(tui_dialog_click(d, row + 2, x + 1), TUI_DLG_RUNNING);
		assert_int_equal(li->choice, 2);
		assert_true(li->marked[2]);
	}
	/* text area: scrolls, clamped at both ends */
	chr(d, '\t');
	assert_string_equal(focused_id(d), "ta");
	key(d, KEY_DOWN);
	key(d, KEY_DOWN);
	assert_int_equal(ta->top, 2);
	key(d, KEY_NPAGE);
	assert_int_equal(ta->top, 6);
	key(d, KEY_END);
	assert_int_equal(ta->top, 31 - 5); /* 30 lines and the empty one after the last \n */
	key(d, KEY_DOWN);
	assert_int_equal(ta->top, 26);
	key(d, KEY_HOME);
	key(d, KEY_UP);
	assert_int_equal(ta->top, 0);
	/* progress and label never take the focus: Tab goes to the buttons */
	chr(d, '\t');
	assert_string_equal(focused_id(d), "(button)");
	assert_false(tui_field_progress.focusable);
	assert_false(tui_field_label.focusable);
	assert_int_equal(tui_field_progress.height(pr, 40), 1);
	pr->detail = xstrdup("12.0 MiB of 64.0 MiB, 8.1 MiB/s, 6 s left");
	assert_int_equal(tui_field_progress.height(pr, 40), 2);
	assert_string_equal(tui_field_value(lb), "just text");
	assert_int_equal(tui_field_label.height(lb, 5), 2);
	tui_dialog_free(&d);
}

/* ---- on_change rebuilding the page: the focus stays on the same id ------------------ */

static void rebuild(struct tui_dialog *d, struct tui_page *p, struct tui_field *f)
{
	bool two = tui_dialog_field(d, "kind")->choice == 1;
	int kind = tui_dialog_field(d, "kind")->choice;
	struct tui_field *k;
	if (strcmp(f->id, "kind") != 0)
		return;
	tui_page_clear_fields(p);
	if (two)
		tui_page_add(p, &tui_field_text, "extra", "&Extra", NULL);
	k = tui_page_add(p, &tui_field_choice, "kind", "&Kind", NULL);
	tui_field_add_choice(k, "one");
	tui_field_add_choice(k, "two");
	k->choice = kind;
	tui_page_add(p, &tui_field_text, "name", "&Name", NULL);
}

static void test_on_change_keeps_focus(void **state)
{
	struct tui_dialog *d = one_page(NULL);
	struct tui_page *p = d->pages[0];
	struct tui_field *k = tui_page_add(p, &tui_field_choice, "kind", "&Kind", NULL);
	(void)state;
	tui_field_add_choice(k, "one");
	tui_field_add_choice(k, "two");
	tui_page_add(p, &tui_field_text, "name", "&Name", NULL);
	p->on_change = rebuild;
	tui_dialog_layout(d, 24, 80);
	key(d, KEY_RIGHT);
	assert_int_equal(p->nfields, 3);
	assert_string_equal(focused_id(d), "kind"); /* now the second focusable */
	assert_int_equal(d->focus, 1);
	tui_dialog_free(&d);
}

/* ---- sizes --------------------------------------------------------------------- */

static void test_size_field(void **state)
{
	struct tui_dialog *d = one_page("How big?");
	struct tui_field *f = tui_page_add(d->pages[0], &tui_field_size, "size", "&Size", "20G");
	(void)state;
	tui_dialog_layout(d, 24, 80);
	assert_null(f->error);
	assert_true(f->bytes == 20ULL << 30);
	chr(d, 'G'); /* "20GG": an error beside it, as typed */
	assert_non_null(f->error);
	assert_true(f->bytes == 0);
	/* OK refuses while a field shows an error, and focuses it */
	d->focus = 1;
	assert_int_equal(chr(d, '\n'), TUI_DLG_RUNNING);
	assert_non_null(d->error);
	assert_string_equal(focused_id(d), "size");
	chr(d, 127);
	assert_null(f->error);
	chr(d, CTRL('U'));
	type(d, "512 MiB");
	assert_null(f->error);
	assert_true(f->bytes == 512ULL << 20);
	chr(d, CTRL('U'));
	type(d, "1.5G");
	assert_true(f->bytes == 3ULL << 29);
	chr(d, CTRL('U'));
	chr(d, '0');
	assert_non_null(f->error);
	assert_int_equal(chr(d, '\n'), TUI_DLG_RUNNING);
	chr(d, CTRL('U'));
	assert_non_null(f->error); /* empty */
	type(d, "1T");
	assert_int_equal(chr(d, '\n'), TUI_DLG_OK);
	tui_dialog_free(&d);
}

/* ---- paths: Tab completes on the local disk ------------------------------------------ */

static void test_path_completion(void **state)
{
	const char *dir = *state;
	struct tui_dialog *d = one_page("Where?");
	struct tui_field *f;
	char *p, *want;
	(void)state;
	free(write_file(dir, "alpha.img", "a", 1));
	free(write_file(dir, "beta.log", "b", 1));
	free(write_file(dir, ".hidden", "h", 1));
	p = xasprintf("%s/alps", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/b", dir);
	f = tui_page_add(d->pages[0], &tui_field_path, "file", "&File", p);
	tui_page_add(d->pages[0], &tui_field_text, "other", "&Other", NULL);
	tui_dialog_layout(d, 24, 80);
	/* one match: completed */
	chr(d, '\t');
	want = xasprintf("%s/beta.log", dir);
	assert_string_equal(tui_field_value(f), want);
	free(want);
	assert_string_equal(focused_id(d), "file");
	/* a complete name: Tab moves on */
	chr(d, '\t');
	assert_string_equal(focused_id(d), "other");
	/* the common start of two ("alp"), then the names, then Tab moves on */
	tui_dialog_key(d, TUI_KEY_ALT('f'), true);
	tui_field_set_value(f, p);
	chr(d, 127);
	chr(d, 'a');
	chr(d, '\t');
	want = xasprintf("%s/alp", dir);
	assert_string_equal(tui_field_value(f), want);
	free(want);
	assert_null(f->detail);
	chr(d, '\t');
	assert_string_equal(focused_id(d), "file");
	assert_non_null(f->detail);
	assert_non_null(strstr(f->detail, "alpha.img"));
	assert_non_null(strstr(f->detail, "alps"));
	assert_null(f->error); /* a hint, not an error: OK still works */
	chr(d, '\t');
	assert_string_equal(focused_id(d), "other");
	/* a folder gets its '/' */
	tui_dialog_focus(d, "file");
	chr(d, 's');
	assert_null(f->detail); /* typing drops the hint */
	chr(d, '\t');
	want = xasprintf("%s/alps/", dir);
	assert_string_equal(tui_field_value(f), want);
	free(want);
	/* hidden files only for a name starting with '.'; nothing: Tab moves on */
	tui_field_set_value(f, dir);
	chr(d, '/');
	chr(d, '.');
	chr(d, '\t');
	want = xasprintf("%s/.hidden", dir);
	assert_string_equal(tui_field_value(f), want);
	free(want);
	tui_field_set_value(f, "/nonexistent-vmmc-dir/x");
	chr(d, '\t');
	assert_string_equal(focused_id(d), "other");
	/* not at the end of the line: Tab moves on */
	tui_dialog_focus(d, "file");
	key(d, KEY_HOME);
	chr(d, '\t');
	assert_string_equal(focused_id(d), "other");
	free(p);
	tui_dialog_free(&d);
}

/* ---- layout: width, 80x24, scrolling ------------------------------------------------- */

static void test_layout(void **state)
{
	struct tui_dialog *d = one_page("Short text.");
	struct tui_page *pg = d->pages[0];
	char id[16];
	(void)state;
	tui_dialog_layout(d, 24, 80);
	assert_int_equal(d->mode.w, 60);
	assert_int_equal(d->mode.x, 10);
	tui_dialog_free(&d);

	/* the longest word sets the width, at most the screen's */
	d = one_page("File: /var/lib/libvirt/images/a-very-long-volume-name-for-a-test-of-the-width.qcow2");
	tui_dialog_layout(d, 24, 80);
	assert_int_equal(d->mode.w, 78);
	tui_dialog_layout(d, 24, 200);
	assert_int_equal(d->mode.w, (int)strlen("/var/lib/libvirt/images/a-very-long-volume-name-for-a-test-of-the-width.qcow2") + 6);
	tui_dialog_free(&d);

	/* taller than the screen: it fits, and scrolls its fields so the focused one shows */
	d = one_page("Many fields.");
	pg = d->pages[0];
	for (int i = 0; i < 30; i++) {
		snprintf(id, sizeof(id), "f%d", i);
		tui_page_add(pg, &tui_field_text, id, id, NULL);
	}
	tui_dialog_layout(d, 24, 80);
	assert_true(d->mode.h <= 22);
	assert_true(d->mode.y >= 0 && d->mode.y + d->mode.h <= 24);
	assert_int_equal(d->scroll, 0);
	assert_int_equal(d->field_row[0], 3);
	for (int i = 0; i < 29; i++)
		chr(d, '\t');
	assert_string_equal(focused_id(d), "f29");
	assert_true(d->scroll > 0);
	assert_true(d->field_row[29] >= 1 && d->field_row[29] <= d->mode.h - 4);
	assert_true(d->field_row[0] < 1);
	/* back to the first: scrolled back */
	tui_dialog_focus(d, "f0");
	assert_int_equal(d->field_row[0], 3);
	assert_int_equal(d->scroll, 0);
	/* a resize lays it out again */
	d->mode.ops->resize(&d->mode, NULL, 30, 100);
	assert_true(d->mode.h <= 28);
	assert_int_equal(d->scr_cols, 100);
	tui_dialog_focus(d, "f29");
	assert_true(d->field_row[29] + 1 <= d->mode.h - 4 + 1);
	tui_dialog_free(&d);

	/* a screen too small: no size (the app shows nothing) */
	d = one_page("x");
	tui_dialog_layout(d, 5, 15);
	assert_int_equal(d->mode.w, 0);
	assert_int_equal(chr(d, '\t'), TUI_DLG_RUNNING);
	tui_dialog_free(&d);
}

/* ---- two panes: a left column on a wide screen, one column on a narrow one ----------- */

static void test_split(void **state)
{
	struct tui_dialog *d = one_page(NULL);
	struct tui_page *pg = d->pages[0];
	struct tui_field *list, *mem;
	char id[32];
	int row0;
	(void)state;
	list = tui_page_add(pg, &tui_field_list, "hw", "&Hardware", NULL);
	for (int i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "item %d", i);
		tui_field_add_choice(list, id);
	}
	mem = tui_page_add(pg, &tui_field_text, "mem", "&Memory", "2 GiB");
	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "f%d", i);
		tui_page_add(pg, &tui_field_text, id, id, NULL);
	}
	pg->nleft = 1;
	d->split_cols = 100;
	list->rows = 3;      /* one column: 3 rows */
	list->pane_rows = 6; /* in the left pane: all 6 */
	list->choice = 5;
	/* narrow: one column, the list above the form, its current item in view */
	tui_dialog_layout(d, 24, 80);
	assert_int_equal(d->field_x[0], 2);
	assert_int_equal(d->field_x[1], 2);
	assert_int_equal(d->field_row[1], d->field_row[0] + 3);
	assert_int_equal(list->top, 3);
	/* wide: the list on the left, the form beside it from the same row */
	d->mode.ops->resize(&d->mode, NULL, 40, 120);
	assert_true(d->mode.w > 100);
	assert_int_equal(d->field_x[0], 2);
	assert_true(d->field_x[1] > 2 + 30);
	assert_int_equal(d->field_row[1], d->field_row[0]);
	assert_int_equal(list->pane_shown, 6);
	assert_int_equal(list->top, 0);
	row0 = d->field_row[0];
	/* an edit, then the focus deep in the right pane: it scrolls, the list stays */
	tui_dialog_focus(d, "mem");
	chr(d, 'X');
	for (int i = 0; i < 40; i++)
		chr(d, '\t');
	assert_string_equal(focused_id(d), "f39");
	assert_true(d->scroll > 0);
	assert_int_equal(d->field_row[0], row0);
	assert_true(d->field_row[41] <= d->mode.h - 4);
	/* a click in the right pane focuses the field there */
	assert_int_equal(tui_dialog_click(d, d->field_row[41], d->field_x[41] + 8), TUI_DLG_RUNNING);
	assert_string_equal(focused_id(d), "f39");
	/* narrow again: one column; the focus and the edit kept */
	d->mode.ops->resize(&d->mode, NULL, 24, 80);
	assert_int_equal(d->field_x[41], 2);
	assert_int_equal(list->pane_shown, 0);
	assert_int_equal(list->top, 3); /* 3 rows again: the current item in view */
	assert_string_equal(focused_id(d), "f39");
	assert_string_equal(tui_field_value(mem), "2 GiBX");
	assert_true(d->field_row[41] <= d->mode.h - 4);
	/* a dialog without split_cols never splits */
	d->split_cols = 0;
	d->mode.ops->resize(&d->mode, NULL, 40, 120);
	assert_int_equal(d->field_x[1], 2);
	tui_dialog_free(&d);
}

/* ---- replies: on_reply adds fields, the dialog lays itself out again ---------------- */

static void add_on_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	tui_dialog_set_text(d, 0, "Two volumes:");
	for (size_t i = 0; i < m->nstrs; i++) {
		char fid[32];
		snprintf(fid, sizeof(fid), "v%zu", i);
		tui_page_add(d->pages[0], &tui_field_check, fid, NULL, m->strs[i]);
	}
}

static void test_reply(void **state)
{
	struct tui_dialog *d = one_page("Looking...");
	md_msg m;
	char *strs[] = { "/a", "/b" };
	int h;
	(void)state;
	tui_dialog_layout(d, 24, 80);
	h = d->mode.h;
	d->on_reply = add_on_reply;
	memset(&m, 0, sizeof(m));
	m.strs = strs;
	m.nstrs = 2;
	d->mode.ops->reply(&d->mode, NULL, &m);
	assert_int_equal(d->mode.h, h + 3); /* two rows and the gap */
	assert_string_equal(tui_field_value(tui_dialog_field(d, "v1")), "/b");
	assert_int_equal(tui_dialog_click(d, d->field_row[1], 3), TUI_DLG_RUNNING);
	assert_true(tui_dialog_field(d, "v1")->checked);
	assert_false(tui_dialog_field(d, "v0")->checked);
	tui_dialog_free(&d);
}

/* ---- drawing: curses on /dev/null, read back (no terminal) ------------------------- */

struct screen {
	SCREEN *scr;
	FILE *out, *in;
	struct tui_app *a;
	WINDOW *w;
};

static void screen_open(struct screen *s, struct tui_dialog *d, int lines, int cols)
{
	char size[16];
	snprintf(size, sizeof(size), "%d", lines);
	setenv("LINES", size, 1);
	snprintf(size, sizeof(size), "%d", cols);
	setenv("COLUMNS", size, 1);
	s->out = fopen("/dev/null", "w");
	s->in = fopen("/dev/null", "r");
	assert_non_null(s->out);
	s->scr = newterm("xterm", s->out, s->in);
	assert_non_null(s->scr);
	s->a = xcalloc(1, sizeof(*s->a)); /* every role plain */
	tui_dialog_layout(d, lines, cols);
	s->w = newwin(d->mode.h, d->mode.w, d->mode.y, d->mode.x);
	assert_non_null(s->w);
}

static void screen_draw(struct screen *s, struct tui_dialog *d)
{
	if (getmaxy(s->w) != d->mode.h || getmaxx(s->w) != d->mode.w) {
		delwin(s->w);
		s->w = newwin(d->mode.h, d->mode.w, d->mode.y, d->mode.x);
	}
	d->mode.ops->draw(&d->mode, s->a, s->w);
}

/* The dialog's rows as text, one string ("\n" between rows); caller frees. */
static char *screen_text(struct screen *s)
{
	int h = getmaxy(s->w), w = getmaxx(s->w);
	char *all = xcalloc(1, (size_t)h * ((size_t)w * 4 + 2) + 1);
	for (int y = 0; y < h; y++) {
		char row[1024];
		mvwinnstr(s->w, y, 0, row, (int)sizeof(row) - 1);
		strcat(all, row);
		strcat(all, "\n");
	}
	return all;
}

static void screen_close(struct screen *s)
{
	delwin(s->w);
	endwin();
	delscreen(s->scr);
	fclose(s->out);
	fclose(s->in);
	free(s->a);
}

/* The column of text on row y of the dialog, -1 when absent. */
static int col_of(struct screen *s, int y, const char *text)
{
	char row[1024], *at;
	mvwinnstr(s->w, y, 0, row, (int)sizeof(row) - 1);
	at = strstr(row, text);
	return at ? (int)(at - row) : -1;
}

static void test_draw(void **state)
{
	struct tui_dialog *d = one_page("The console's output is appended to:");
	struct tui_page *p = d->pages[0];
	struct tui_field *size;
	struct screen s;
	char *t;
	int row, cy, cx;
	(void)state;
	tui_page_add(p, &tui_field_path, "file", "&File", "/tmp/vmmc-x.log");
	tui_page_add(p, &tui_field_password, "pw", "&Password", "hunter2");
	size = tui_page_add(p, &tui_field_size, "size", "&Size", "20GG");
	tui_page_add(p, &tui_field_check, "save", "Save &it", NULL)->checked = true;
	screen_open(&s, d, 24, 80);
	screen_draw(&s, d);
	/* where the terminal cursor goes after the frame (tui_cursor) */
	assert_ptr_equal(s.a->cursor_win, s.w);
	cy = s.a->cursor_y;
	cx = s.a->cursor_x;
	t = screen_text(&s);
	/* one colon after each label: the dialog draws it (issue 9) */
	assert_non_null(strstr(t, "File:     /tmp/vmmc-x.log"));
	assert_null(strstr(t, "::"));
	/* a password never shows: a mark per character */
	assert_null(strstr(t, "hunter2"));
	assert_non_null(strstr(t, "Password: *******"));
	/* the size's error beside it, as typed */
	{
		/* (as much of it as fits beside the value) */
		char head[21];
		snprintf(head, sizeof(head), "%s", size->error);
		assert_non_null(strstr(t, head));
	}
	assert_non_null(strstr(t, "unknown unit \"GG\""));
	assert_non_null(strstr(t, "[x] Save it"));
	assert_non_null(strstr(t, "[ OK ] [ Cancel ]"));
	free(t);
	/* the cursor sits in the focused field, at the end of its text */
	assert_int_equal(cy, d->field_row[0]);
	assert_int_equal(cx, 12 + (int)strlen("/tmp/vmmc-x.log"));
	/* the accelerators are underlined: F of File, i of "Save it" */
	row = d->field_row[0];
	assert_true(mvwinch(s.w, row, 2) & A_UNDERLINE);
	assert_false(mvwinch(s.w, row, 3) & A_UNDERLINE);
	row = d->field_row[3];
	assert_true(mvwinch(s.w, row, col_of(&s, row, "it")) & A_UNDERLINE);
	screen_close(&s);
	tui_dialog_free(&d);
}

/* At 80x24 a tall dialog fits, and what is scrolled off is marked. */
static void test_draw_scrolled(void **state)
{
	struct tui_dialog *d = one_page("Many fields.");
	struct screen s;
	char id[16], *t;
	(void)state;
	for (int i = 0; i < 30; i++) {
		snprintf(id, sizeof(id), "f%02d", i);
		tui_page_add(d->pages[0], &tui_field_text, id, id, id);
	}
	screen_open(&s, d, 24, 80);
	for (int i = 0; i < 29; i++)
		chr(d, '\t');
	screen_draw(&s, d);
	t = screen_text(&s);
	assert_non_null(strstr(t, "f29: f29"));
	assert_null(strstr(t, "f00: f00"));
	assert_null(strstr(t, "Many fields."));
	assert_int_equal(mvwinch(s.w, 1, d->mode.w - 2) & A_CHARTEXT, '^');
	assert_non_null(strstr(t, "[ OK ] [ Cancel ]"));
	free(t);
	screen_close(&s);
	tui_dialog_free(&d);

	/* a message longer than the screen: Down and PgDn scroll it */
	{
		char text[2000] = "";
		for (int i = 0; i < 40; i++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "line %02d\n", i);
		d = tui_msgbox("Long", text, false);
		screen_open(&s, d, 24, 80);
		screen_draw(&s, d);
		t = screen_text(&s);
		assert_non_null(strstr(t, "line 00"));
		assert_null(strstr(t, "line 39"));
		free(t);
		key(d, KEY_DOWN);
		key(d, KEY_NPAGE);
		key(d, KEY_NPAGE);
		key(d, KEY_NPAGE);
		screen_draw(&s, d);
		t = screen_text(&s);
		assert_null(strstr(t, "line 00"));
		assert_non_null(strstr(t, "line 39"));
		free(t);
		assert_int_equal(chr(d, '\n'), TUI_DLG_OK);
		screen_close(&s);
		tui_dialog_free(&d);
	}
}

/* A progress bar shows its done part as text too (every role plain
 * here): full at 100 %, half at 50 %, none before anything is known. */
static void test_draw_progress(void **state)
{
	static const struct { double fraction; int hashes; const char *pct; } cases[] = {
		{ 1.0, 20, "100%" }, { 0.5, 10, " 50%" }, { 0.0, 0, "  0%" }, { -1.0, 0, "..." },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tui_dialog *d = one_page(NULL);
		struct tui_field *pr = tui_page_add(d->pages[0], &tui_field_progress, "pr", NULL, NULL);
		struct screen s;
		char row[256], *open, *close;
		pr->fraction = cases[i].fraction;
		screen_open(&s, d, 24, 80);
		screen_draw(&s, d);
		werase(s.w);
		tui_field_progress.draw(pr, s.a, s.w, 0, 0, 27, false); /* a bar of 20 */
		mvwinnstr(s.w, 0, 0, row, (int)sizeof(row) - 1);
		open = strchr(row, '[');
		close = strchr(row, ']');
		assert_non_null(open);
		assert_non_null(close);
		assert_int_equal(close - open - 1, 20);
		for (int k = 0; k < 20; k++)
			assert_int_equal(open[1 + k], k < cases[i].hashes ? '#' : ' ');
		assert_non_null(strstr(close, cases[i].pct));
		screen_close(&s);
		tui_dialog_free(&d);
	}
}

/* A long answer wraps under the fields (up to 3 rows; the dialog grows)
 * instead of being cut; max_w: as wide as the screen allows. */
static void test_draw_long_error(void **state)
{
	struct tui_dialog *d = one_page(NULL);
	struct screen s;
	char *t;
	int h0;
	(void)state;
	tui_page_add(d->pages[0], &tui_field_text, "name", "&Name", "x");
	screen_open(&s, d, 24, 80);
	assert_int_equal(d->mode.w, 60);
	h0 = d->mode.h;
	d->error = xstrdup("Uploaded as a-rather-long-volume-name.iso; CD/DVD drive sdb: added now and at next "
			   "boot; the end of the answer");
	tui_dialog_layout(d, 24, 80);
	assert_int_equal(d->mode.h, h0 + 1); /* two rows of 56 */
	screen_draw(&s, d);
	t = screen_text(&s);
	assert_non_null(strstr(t, "Uploaded as a-rather-long-volume-name.iso;"));
	assert_non_null(strstr(t, "the end of the answer"));
	assert_non_null(strstr(t, "[ OK ] [ Cancel ]"));
	free(t);
	free(d->error);
	d->error = xstrdup("short");
	d->max_w = 100;
	tui_dialog_layout(d, 24, 80);
	assert_int_equal(d->mode.h, h0);
	assert_int_equal(d->mode.w, 78); /* the screen's width */
	tui_dialog_layout(d, 40, 120);
	assert_int_equal(d->mode.w, 100);
	screen_close(&s);
	tui_dialog_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wizard_next_and_back),
		cmocka_unit_test(test_wizard_cancel),
		cmocka_unit_test(test_validation_and_buttons),
		cmocka_unit_test(test_text_keys),
		cmocka_unit_test(test_password_is_secret),
		cmocka_unit_test(test_accelerators),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_on_change_keeps_focus),
		cmocka_unit_test(test_size_field),
		cmocka_unit_test_setup_teardown(test_path_completion, setup_dir, teardown_dir),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_draw),
		cmocka_unit_test(test_draw_scrolled),
		cmocka_unit_test(test_draw_progress),
		cmocka_unit_test(test_draw_long_error),
	};
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
