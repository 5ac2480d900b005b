/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_line.c - core/line (the line editor) and core/units (sizes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/line.h"
#include "../../core/util.h"

static void test_insert_and_move(void **state)
{
	core_line l;
	(void)state;
	core_line_init(&l, false);
	assert_string_equal(core_line_text(&l), "");
	assert_true(core_line_insert(&l, 'a'));
	assert_true(core_line_insert(&l, 'c'));
	assert_true(core_line_op(&l, CORE_LINE_LEFT));
	assert_true(core_line_insert(&l, 'b'));
	assert_string_equal(core_line_text(&l), "abc");
	assert_int_equal(l.cur, 2);
	assert_true(core_line_op(&l, CORE_LINE_HOME));
	assert_int_equal(l.cur, 0);
	assert_false(core_line_op(&l, CORE_LINE_LEFT)); /* at the start: nothing changes */
	assert_false(core_line_op(&l, CORE_LINE_BACKSPACE));
	assert_true(core_line_op(&l, CORE_LINE_END));
	assert_int_equal(l.cur, 3);
	assert_false(core_line_op(&l, CORE_LINE_RIGHT));
	assert_false(core_line_op(&l, CORE_LINE_DELETE));
	assert_true(core_line_op(&l, CORE_LINE_BACKSPACE));
	assert_string_equal(core_line_text(&l), "ab");
	assert_true(core_line_op(&l, CORE_LINE_HOME));
	assert_true(core_line_op(&l, CORE_LINE_DELETE));
	assert_string_equal(core_line_text(&l), "b");
	assert_int_equal(l.cur, 0);
	core_line_free(&l);
	assert_null(l.buf);
}

static void test_controls_refused(void **state)
{
	core_line l;
	(void)state;
	core_line_init(&l, false);
	core_line_set(&l, "qemu:///sytem");
	/* Ctrl-U, ESC, DEL, a C1 control: never inserted */
	assert_false(core_line_insert(&l, 0x15));
	assert_false(core_line_insert(&l, 0x1b));
	assert_false(core_line_insert(&l, 0x7f));
	assert_false(core_line_insert(&l, 0x85));
	assert_false(core_line_insert(&l, '\n'));
	assert_false(core_line_insert(&l, 0xd800));   /* a surrogate */
	assert_false(core_line_insert(&l, 0x110000)); /* beyond Unicode */
	assert_string_equal(core_line_text(&l), "qemu:///sytem");
	/* set and paste drop them too, and invalid UTF-8 */
	core_line_set(&l, "a\tb\x15" "c\xff" "d\x1b[1m");
	assert_string_equal(core_line_text(&l), "abcd[1m");
	assert_int_equal(l.cur, l.len);
	l.cur = 1;
	assert_true(core_line_insert_str(&l, "X\nY"));
	assert_string_equal(core_line_text(&l), "aXYbcd[1m");
	assert_false(core_line_insert_str(&l, "\x01\x02"));
	core_line_free(&l);
}

static void test_utf8(void **state)
{
	core_line l;
	(void)state;
	core_line_init(&l, false);
	core_line_set(&l, "h\xc3\xa9llo"); /* héllo */
	assert_int_equal(l.len, 6);
	assert_true(core_line_op(&l, CORE_LINE_HOME));
	assert_true(core_line_op(&l, CORE_LINE_RIGHT));
	assert_true(core_line_op(&l, CORE_LINE_RIGHT));
	assert_int_equal(l.cur, 3); /* over the two bytes of é */
	assert_true(core_line_op(&l, CORE_LINE_BACKSPACE));
	assert_string_equal(core_line_text(&l), "hllo");
	assert_true(core_line_insert(&l, 0x20ac)); /* € */
	assert_string_equal(core_line_text(&l), "h\xe2\x82\xacllo");
	assert_true(core_line_op(&l, CORE_LINE_LEFT));
	assert_int_equal(l.cur, 1);
	assert_true(core_line_insert(&l, 0x1f600));
	assert_int_equal(l.len, 11);
	core_line_free(&l);
}

static void test_kills_and_words(void **state)
{
	core_line l;
	(void)state;
	core_line_init(&l, false);
	core_line_set(&l, "one two  three");
	assert_true(core_line_op(&l, CORE_LINE_KILL_WORD)); /* Ctrl-W */
	assert_string_equal(core_line_text(&l), "one two  ");
	assert_true(core_line_op(&l, CORE_LINE_KILL_WORD)); /* spaces, then the word */
	assert_string_equal(core_line_text(&l), "one ");
	core_line_set(&l, "alpha beta gamma");
	assert_true(core_line_op(&l, CORE_LINE_WORD_LEFT));
	assert_int_equal(l.cur, 11);
	assert_true(core_line_op(&l, CORE_LINE_WORD_LEFT));
	assert_int_equal(l.cur, 6);
	assert_true(core_line_op(&l, CORE_LINE_KILL_END)); /* Ctrl-K */
	assert_string_equal(core_line_text(&l), "alpha ");
	assert_false(core_line_op(&l, CORE_LINE_KILL_END));
	assert_true(core_line_op(&l, CORE_LINE_LEFT));
	assert_true(core_line_op(&l, CORE_LINE_KILL_START)); /* Ctrl-U */
	assert_string_equal(core_line_text(&l), " ");
	assert_int_equal(l.cur, 0);
	assert_true(core_line_op(&l, CORE_LINE_WORD_RIGHT));
	assert_int_equal(l.cur, 1);
	assert_true(core_line_op(&l, CORE_LINE_CLEAR));
	assert_string_equal(core_line_text(&l), "");
	assert_false(core_line_op(&l, CORE_LINE_CLEAR));
	assert_false(core_line_op(&l, 999));
	core_line_free(&l);
}

static void test_max(void **state)
{
	core_line l;
	(void)state;
	core_line_init(&l, false);
	l.max = 4;
	assert_true(core_line_insert_str(&l, "abcdef"));
	assert_string_equal(core_line_text(&l), "abcd");
	assert_false(core_line_insert(&l, 'x'));
	l.cur = 3;
	assert_false(core_line_insert(&l, 0xe9)); /* two bytes do not fit */
	core_line_free(&l);
	core_line_init(&l, false); /* 0: 4096 */
	for (int i = 0; i < 5000; i++)
		core_line_insert(&l, 'z');
	assert_int_equal(l.len, 4096);
	core_line_free(&l);
}

/* The view scrolls so that the cursor shows. */
static void test_view(void **state)
{
	core_line l;
	(void)state;
	core_line_init(&l, false);
	core_line_set(&l, "0123456789abcdef");
	assert_int_equal(core_line_view(&l, 10), 9);
	assert_int_equal(l.scroll, 7);
	assert_true(core_line_op(&l, CORE_LINE_HOME));
	assert_int_equal(core_line_view(&l, 10), 0);
	assert_int_equal(l.scroll, 0);
	l.cur = 5;
	assert_int_equal(core_line_view(&l, 10), 5);
	assert_int_equal(core_line_view(&l, 0), 0);
	/* wide characters count two columns */
	core_line_set(&l, "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
	assert_int_equal(core_line_view(&l, 10), 4);
	core_line_free(&l);
}

/* A secret line leaves no copy behind in memory it gave back: growth
 * copies then wipes; deletions wipe the bytes dropped. */
static void test_secret(void **state)
{
	core_line l;
	char *old;
	size_t oldcap;
	(void)state;
	core_line_init(&l, true);
	core_line_set(&l, "pw");
	old = l.buf;
	oldcap = l.cap;
	/* grow it past its block: the old block is wiped before it is freed
	 * (checked through the new block's content and the drop wipes) */
	for (int i = 0; i < 100; i++)
		assert_true(core_line_insert(&l, 'S'));
	assert_true(l.cap > oldcap);
	assert_ptr_not_equal(l.buf, old);
	assert_int_equal(l.len, 102);
	assert_memory_equal(l.buf, "pw", 2);
	/* deleting wipes the tail: no byte of the secret after the NUL */
	assert_true(core_line_op(&l, CORE_LINE_KILL_START));
	for (size_t i = 0; i < 103; i++) /* every byte it wrote */
		assert_int_equal(l.buf[i], 0);
	core_line_set(&l, "hunter2");
	assert_true(core_line_op(&l, CORE_LINE_HOME));
	assert_true(core_line_op(&l, CORE_LINE_KILL_END));
	for (size_t i = 0; i < 103; i++)
		assert_int_equal(l.buf[i], 0);
	core_line_set(&l, "abc");
	assert_true(core_line_op(&l, CORE_LINE_BACKSPACE));
	assert_int_equal(l.buf[2], 0);
	assert_int_equal(l.buf[3], 0);
	core_line_free(&l);
	assert_null(l.buf);
	assert_true(l.secret); /* stays secret for reuse */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_and_move), cmocka_unit_test(test_controls_refused),
		cmocka_unit_test(test_utf8),		cmocka_unit_test(test_kills_and_words),
		cmocka_unit_test(test_max),		cmocka_unit_test(test_view),
		cmocka_unit_test(test_secret),		
	};
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
