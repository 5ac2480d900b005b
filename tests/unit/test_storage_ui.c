/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_storage_ui.c - the storage dialogs' logic without a
 * terminal (tui/storage_ui.h): a transfer's progress text, values kept
 * across a rebuild of a page's fields, and a job dialog's answers (closing
 * on success; a refusal shown under the page's text, the field it names
 * focused, nothing typed lost). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../backend/be.h"
#include "../../tui/app.h"
#include "../../tui/dialog.h"
#include "../../tui/storage_ui.h"
#include "../../core/util.h"

static void test_xfer_detail(void **state)
{
	md_xfer x = { 0 };
	char buf[128];
	(void)state;
	x.state = MD_XFER_RUNNING;
	x.total = 64ULL << 20;
	x.done = 12ULL << 20;
	x.rate = 8.0 * (1 << 20);
	x.eta_s = 6;
	tui_xfer_detail(&x, buf, sizeof(buf));
	assert_string_equal(buf, "12 MiB of 64 MiB, 8 MiB/s, 6 s left");
	x.eta_s = 125;
	tui_xfer_detail(&x, buf, sizeof(buf));
	assert_string_equal(buf, "12 MiB of 64 MiB, 8 MiB/s, 2 min 05 s left");
	x.eta_s = 7320;
	tui_xfer_detail(&x, buf, sizeof(buf));
	assert_string_equal(buf, "12 MiB of 64 MiB, 8 MiB/s, 2 h 02 min left");
	/* not known yet: no time; no rate yet: bytes only */
	x.eta_s = -1;
	tui_xfer_detail(&x, buf, sizeof(buf));
	assert_string_equal(buf, "12 MiB of 64 MiB, 8 MiB/s");
	x.rate = 0;
	x.eta_s = 3;
	tui_xfer_detail(&x, buf, sizeof(buf));
	assert_string_equal(buf, "12 MiB of 64 MiB");
	/* a finished one: no rate or time left */
	x.state = MD_XFER_DONE;
	x.done = x.total;
	x.rate = 100.0;
	tui_xfer_detail(&x, buf, sizeof(buf));
	assert_string_equal(buf, "64 MiB of 64 MiB");
}

static void test_keep_restore(void **state)
{
	struct tui_app a = { 0 };
	struct tui_dialog *d;
	struct tui_page *p;
	(void)state;
	a.model = md_model_new();
	d = st_dialog_new(&a, 1, "New Pool", TUI_BTN_OK_CANCEL);
	p = tui_dialog_add_page(d, NULL, NULL);
	tui_page_add(p, &tui_field_text, "name", "&Name", "pool <&> \"q\"");
	tui_page_add(p, &tui_field_path, "path", "&Path", "/srv/p");
	tui_page_add(p, &tui_field_check, "autostart", "&Autostart", NULL)->checked = false;
	st_keep(d, p);
	/* the page is rebuilt (another type): the values come back by id */
	tui_page_clear_fields(p);
	tui_page_add(p, &tui_field_text, "name", "&Name", NULL);
	tui_page_add(p, &tui_field_text, "host", "NFS &host", NULL);
	tui_page_add(p, &tui_field_text, "path", "&Mount point", NULL);
	tui_page_add(p, &tui_field_check, "autostart", "&Autostart", NULL)->checked = true;
	st_restore(d, p);
	assert_string_equal(tui_field_value(tui_dialog_field(d, "name")), "pool <&> \"q\"");
	assert_string_equal(tui_field_value(tui_dialog_field(d, "path")), "/srv/p");
	assert_string_equal(tui_field_value(tui_dialog_field(d, "host")), "");
	assert_false(tui_dialog_field(d, "autostart")->checked);
	tui_dialog_free(&d);
	md_model_free(&a.model);
}

static void test_name_check(void **state)
{
	struct tui_app a = { 0 };
	struct tui_dialog *d;
	struct tui_page *p;
	struct tui_field *f;
	char *err = NULL;
	(void)state;
	d = st_dialog_new(&a, 1, "New Volume", TUI_BTN_OK_CANCEL);
	p = tui_dialog_add_page(d, NULL, NULL);
	f = tui_page_add(p, &tui_field_text, "name", "&Name", "a/b");
	assert_int_equal(st_check_name(f, &err), -1);
	assert_string_equal(err, "Name: may not contain '/'");
	free(err);
	err = NULL;
	tui_field_set_value(f, "disk <1>.qcow2");
	assert_int_equal(st_check_name(f, &err), 0);
	assert_null(err);
	tui_dialog_free(&d);
}

/* The answer (OP_RESULT) to job seq given to the dialog's reply(). */
static void answer(struct tui_app *a, struct tui_dialog *d, uint64_t seq, bool ok, const char *text)
{
	md_msg *m = md_msg_new(MD_MSG_OP_RESULT, 1);
	m->seq = seq;
	m->ok = ok;
	m->text = text ? xstrdup(text) : NULL;
	d->mode.ops->reply(&d->mode, a, m);
	md_msg_free(&m);
}

/* A job dialog's answers: its OP_RESULT by seq; others to on_msg. */
static int msgs_seen;
static void count_msg(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	(void)a;
	(void)d;
	(void)m;
	msgs_seen++;
}

static void test_job_answers(void **state)
{
	struct tui_app a = { 0 };
	struct tui_dialog *d;
	struct tui_page *p;
	struct st_ctx *c;
	(void)state;
	a.model = md_model_new();
	d = st_dialog_new(&a, 1, "New Network", TUI_BTN_OK_CANCEL);
	p = tui_dialog_add_page(d, NULL, "Make a network.");
	tui_page_add(p, &tui_field_text, "name", "&Name", "lab");
	tui_page_add(p, &tui_field_text, "subnet", "&Subnet", "10.77.3.0/24");
	tui_dialog_layout(d, 24, 80);
	c = st_ctx(d);
	c->on_msg = count_msg;
	c->seq = 7;
	c->pending = true;
	/* another job's answer (a suggestion) is not the job's */
	answer(&a, d, 6, true, NULL);
	assert_int_equal(msgs_seen, 1);
	assert_true(c->pending);
	/* a refusal: the reason under the text, the field it names focused */
	answer(&a, d, 7, false, "Subnet: 10.77.3.0/24 overlaps network \"net-03\"");
	assert_false(c->pending);
	assert_false(c->close);
	assert_string_equal(p->text, "Make a network.\n\nThe host refused: Subnet: 10.77.3.0/24 overlaps network \"net-03\"");
	assert_non_null(d->error);
	assert_ptr_equal(tui_dialog_focused(d), tui_dialog_field(d, "subnet"));
	assert_string_equal(tui_field_value(tui_dialog_field(d, "name")), "lab");
	/* again: the reason replaces the last one, the text stays */
	c->pending = true;
	answer(&a, d, 7, false, "Name: taken");
	assert_string_equal(p->text, "Make a network.\n\nThe host refused: Name: taken");
	assert_ptr_equal(tui_dialog_focused(d), tui_dialog_field(d, "name"));
	/* success: the dialog is to close (it is not on a stack here) */
	c->pending = true;
	answer(&a, d, 7, true, NULL);
	assert_true(c->close);
	assert_null(d->error);
	tui_dialog_free(&d);
	md_model_free(&a.model);
}

/* A dialog with an error_field (New Pool's XML page): a refusal goes to
 * that field's error line, one line (libvirt's line breaks are spaces),
 * sanitized, the field focused, the page's text untouched; the XML text is
 * kept across a rebuild of the page like a line field. */
static void test_refusal_to_field(void **state)
{
	struct tui_app a = { 0 };
	struct tui_dialog *d;
	struct tui_page *p;
	struct st_ctx *c;
	(void)state;
	a.model = md_model_new();
	d = st_dialog_new(&a, 1, "New Pool", TUI_BTN_OK_CANCEL);
	p = tui_dialog_add_page(d, NULL, "Any type as XML.");
	tui_page_add(p, &tui_field_check, "autostart", "&Autostart", NULL);
	tui_page_add(p, &tui_field_editarea, "xml", "&XML", "<pool type='x'>\n<name>p</name>\n</pool>");
	tui_dialog_layout(d, 24, 80);
	c = st_ctx(d);
	c->error_field = "xml";
	c->seq = 3;
	c->pending = true;
	answer(&a, d, 3, false, "Could not create pool \"p\": unknown pool type\nline two\x1b[31m\n");
	assert_false(c->pending);
	assert_string_equal(p->text, "Any type as XML.");
	assert_non_null(tui_dialog_field(d, "xml")->error);
	assert_null(strchr(tui_dialog_field(d, "xml")->error, '\n'));
	assert_null(strchr(tui_dialog_field(d, "xml")->error, '\x1b'));
	assert_non_null(strstr(tui_dialog_field(d, "xml")->error, "unknown pool type line two"));
	assert_ptr_equal(tui_dialog_focused(d), tui_dialog_field(d, "xml"));
	assert_string_equal(d->error, "Refused: the reason is under the XML.");
	st_keep(d, p);
	tui_page_clear_fields(p);
	tui_page_add(p, &tui_field_editarea, "xml", "&XML", "skeleton");
	st_restore(d, p);
	assert_string_equal(tui_field_value(tui_dialog_field(d, "xml")), "<pool type='x'>\n<name>p</name>\n</pool>");
	tui_dialog_free(&d);
	md_model_free(&a.model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xfer_detail),
		cmocka_unit_test(test_keep_restore),
		cmocka_unit_test(test_name_check),
		cmocka_unit_test(test_job_answers),
		cmocka_unit_test(test_refusal_to_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
