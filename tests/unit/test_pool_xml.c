/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_pool_xml.c - New Pool's XML page: the skeletons built
 * with libxml2 for every type offered (each passes its own check, names
 * with < & " escaped), the checks before a define (not well-formed with its
 * line, another root, no type, no name, a bad name), and the editable text
 * area's keys (insert, Enter, Backspace / Delete, moves, UTF-8, Ctrl+K)
 * and clicks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../backend/be_storage.h"
#include "../../tui/app.h"
#include "../../tui/dialog.h"
#include "../../core/util.h"

static void test_skeletons(void **state)
{
	size_t n = 0;
	(void)state;
	for (size_t i = 0; be_pool_xml_types[i]; i++, n++) {
		char *x = be_pool_xml_skeleton(be_pool_xml_types[i], NULL), *err = NULL, *t;
		assert_non_null(x);
		assert_int_equal(be_pool_xml_check(x, &err), 0);
		assert_null(err);
		t = be_pool_xml_type_of(x);
		assert_string_equal(t, be_pool_xml_types[i]);
		assert_non_null(strstr(x, "<name>newpool</name>"));
		assert_null(strstr(x, "<?xml"));
		free(t);
		free(x);
	}
	assert_true(n >= 10);
	assert_null(be_pool_xml_skeleton("nosuchtype", NULL));
	{
		char *x = be_pool_xml_skeleton("dir", "a<&>\"b"), *err = NULL;
		assert_non_null(strstr(x, "<name>a&lt;&amp;&gt;\"b</name>"));
		assert_int_equal(be_pool_xml_check(x, &err), 0);
		free(x);
	}
}

static void expect_refused(const char *xml, const char *part)
{
	char *err = NULL;
	assert_int_equal(be_pool_xml_check(xml, &err), -1);
	assert_non_null(err);
	if (!strstr(err, part))
		fail_msg("'%s' lacks '%s'", err, part);
	free(err);
}

static void test_checks(void **state)
{
	(void)state;
	expect_refused("", "empty");
	expect_refused("  \n", "empty");
	expect_refused("<pool type='dir'>\n<name>x</name>\n<target><path>/t</path></pool>", "line 3");
	expect_refused("<network><name>x</name></network>", "<network>, not <pool>");
	expect_refused("<pool><name>x</name></pool>", "type");
	expect_refused("<pool type='dir'><target/></pool>", "<name>");
	expect_refused("<pool type='dir'><name>a/b</name></pool>", "<name>");
	expect_refused("<pool type='dir'><name>ok</name></pool><x/>", "line 1");
}

static int key(struct tui_field *f, int k, bool is_char)
{
	return tui_field_editarea.key(f, k, is_char);
}

static void type(struct tui_field *f, const char *s)
{
	for (; *s; s++)
		assert_int_equal(key(f, (unsigned char)*s, true), TUI_FIELD_CHANGED);
}

static void test_editarea(void **state)
{
	struct tui_page p = { 0 };
	struct tui_field *f;
	(void)state;
	f = tui_page_add(&p, &tui_field_editarea, "xml", "&XML", "ab\ncd");
	f->rows = 2;
	assert_int_equal(key(f, KEY_END, false), TUI_FIELD_CONSUMED); /* end of line 1 */
	type(f, "X");
	assert_string_equal(f->text, "abX\ncd");
	assert_int_equal(key(f, '\n', true), TUI_FIELD_CHANGED);
	type(f, "Y");
	assert_string_equal(f->text, "abX\nY\ncd");
	assert_int_equal(tui_field_editarea.cursor_row(f, 20), 1);
	key(f, KEY_DOWN, false);
	key(f, KEY_DOWN, false); /* line 3 of 3: the view scrolls */
	assert_int_equal(f->top, 1);
	key(f, KEY_HOME, false);
	assert_int_equal(key(f, KEY_BACKSPACE, false), TUI_FIELD_CHANGED);
	assert_string_equal(f->text, "abX\nYcd");
	key(f, KEY_HOME, false);
	assert_int_equal(key(f, KEY_DC, false), TUI_FIELD_CHANGED);
	assert_string_equal(f->text, "abX\ncd");
	key(f, KEY_UP, false);
	key(f, KEY_HOME, false);
	assert_int_equal(key(f, 0xE9, true), TUI_FIELD_CHANGED); /* é: two bytes */
	assert_string_equal(f->text, "\xc3\xa9" "abX\ncd");
	assert_int_equal(tui_field_editarea.cursor(f, 20), 1);
	key(f, KEY_LEFT, false);
	assert_int_equal(key(f, KEY_DC, false), TUI_FIELD_CHANGED);
	assert_string_equal(f->text, "abX\ncd");
	key(f, KEY_HOME, false);
	key(f, KEY_RIGHT, false);
	assert_int_equal(key(f, 11, true), TUI_FIELD_CHANGED); /* Ctrl+K: the rest of the line */
	assert_string_equal(f->text, "a\ncd");
	assert_int_equal(key(f, 11, true), TUI_FIELD_CHANGED); /* ... then the line break */
	assert_string_equal(f->text, "acd");
	/* a click: row 0 of the view, column 2 -> "acd" offset 2 */
	assert_int_equal(tui_field_editarea.click(f, 0, 2), TUI_FIELD_CONSUMED);
	type(f, "Z");
	assert_string_equal(f->text, "acZd");
	assert_int_equal(tui_field_editarea.click(f, 1, 40), TUI_FIELD_CONSUMED); /* below the text: its end */
	type(f, "!");
	assert_string_equal(f->text, "acZd!");
	assert_int_equal(key(f, '\t', true), TUI_FIELD_IGNORED); /* Tab leaves the field */
	assert_int_equal(key(f, 27, true), TUI_FIELD_IGNORED);
	assert_true(tui_field_editarea.wants_enter);
	tui_page_clear_fields(&p);
	free(p.fields);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skeletons),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_editarea),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
