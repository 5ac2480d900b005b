/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_sanitize.c - the display sanitizer and column helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/sanitize.h"
#include "../../core/util.h"

struct san_case {
	const char *in, *utf8, *ascii; /* ascii NULL: same as utf8 */
};

static const struct san_case san_cases[] = {
	{ "plain text 123 ~!@#$%^&*()", "plain text 123 ~!@#$%^&*()", NULL },
	{ "", "", NULL },
	{ "\033]0;pwned\a", "\\e]0;pwned\\a", NULL },
	{ "\033[2J", "\\e[2J", NULL },
	{ "\033]52;c;SGVsbG8=\a", "\\e]52;c;SGVsbG8=\\a", NULL },
	{ "\x9b" "31m", "\\x9b31m", NULL },                   /* raw C1 byte */
	{ "\xc2\x9b" "31m", "\\u009b31m", NULL },             /* C1 as UTF-8 */
	{ "\xc2\x85", "\\u0085", NULL },                      /* NEL */
	{ "a\xe2\x80\xae" "b", "a\\u202eb", NULL },           /* RLO */
	{ "\xe2\x80\xaa\xe2\x80\xac", "\\u202a\\u202c", NULL },
	{ "\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069", NULL },
	{ "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200e\\u200f\\u061c", NULL },
	{ "\xef\xbb\xbfhi", "\\ufeffhi", NULL },              /* BOM */
	{ "l1\xe2\x80\xa8l2\xe2\x80\xa9", "l1\\u2028l2\\u2029", NULL },
	{ "\xc0\xaf", "\\xc0\\xaf", NULL },                   /* overlong '/' */
	{ "\xe0\x80\xaf", "\\xe0\\x80\\xaf", NULL },          /* overlong, 3 bytes */
	{ "\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf", NULL }, /* overlong, 4 bytes */
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80", NULL },          /* surrogate */
	{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80", NULL }, /* > U+10FFFF */
	{ "\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80", NULL },
	{ "\xe6\x97", "\\xe6\\x97", NULL },                   /* truncated */
	{ "\xe6\x97" "A", "\\xe6\\x97A", NULL },
	{ "\xff\xfe", "\\xff\\xfe", NULL },
	{ "a\tb\nc\rd\be\ff\vg", "a\\tb\\nc\\rd\\be\\ff\\vg", NULL },
	{ "\x01\x02\x1f\x7f", "\\x01\\x02\\x1f\\x7f", NULL },
	{ "C:\\dir\\", "C:\\\\dir\\\\", NULL },
	{ "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9", "\\u00e9t\\u00e9" },
	{ "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac", "\\u65e5\\u672c" },
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "\\U0001f600" },
	{ "e\xcc\x81", "e\xcc\x81", "e\\u0301" },
	{ "\xcd\xb8", "\\u0378", NULL },                      /* unassigned */
	{ "\xef\xbf\xbf", "\\uffff", NULL },                  /* noncharacter */
};

/* No byte < 0x20 or DEL; in ASCII mode nothing above 0x7e either. */
static void assert_safe(const char *s, bool ascii)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		assert_true(*p >= 0x20 && *p != 0x7f);
		if (ascii)
			assert_true(*p < 0x7f);
	}
	assert_true(core_utf8_valid(s));
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(san_cases); i++) {
		const struct san_case *c = &san_cases[i];
		char *o;

		core_sanitize_set_utf8(true);
		o = core_sanitize(c->in);
		assert_string_equal(o, c->utf8);
		assert_safe(o, false);
		free(o);

		core_sanitize_set_utf8(false);
		o = core_sanitize(c->in);
		assert_string_equal(o, c->ascii ? c->ascii : c->utf8);
		assert_safe(o, true);
		free(o);
	}
	core_sanitize_set_utf8(true);
}

static void test_null(void **state)
{
	char *o = core_sanitize(NULL);
	(void)state;
	assert_string_equal(o, "");
	free(o);
}

/* Random bytes (biased towards the interesting ones) always come out safe,
 * with no bidi controls left. */
static void test_fuzz(void **state)
{
	static const unsigned char pick[] = { 0x1b, 0x07, 0x9b, 0xc2, 0xe2, 0x80, 0xae,
					      0xed, 0xa0, 0xf0, 0xf4, 0x9f, 0x5c, 'a' };
	unsigned seed = 12345;
	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		char in[24], *o;
		size_t n = (size_t)(rand_r(&seed) % 23);
		for (size_t i = 0; i < n; i++) {
			int r = rand_r(&seed);
			in[i] = (char)(r & 1 ? pick[(r >> 1) % sizeof(pick)] : (r >> 1) % 255 + 1);
		}
		in[n] = '\0';
		core_sanitize_set_utf8(iter & 1);
		o = core_sanitize(in);
		assert_safe(o, !(iter & 1));
		assert_null(strstr(o, "\xe2\x80\xae"));
		assert_null(strstr(o, "\xc2\x9b"));
		free(o);
	}
	core_sanitize_set_utf8(true);
}

static void test_decode(void **state)
{
	uint32_t cp = 0;
	(void)state;
	assert_int_equal(core_utf8_decode("A", &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(core_utf8_decode("\xc3\xa9", &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(core_utf8_decode("\xe6\x97\xa5", &cp), 3);
	assert_int_equal(cp, 0x65e5);
	assert_int_equal(core_utf8_decode("\xf4\x8f\xbf\xbf", &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(core_utf8_decode("\xc1\xbf", &cp), 0);
	assert_int_equal(core_utf8_decode("\xe6\x97", &cp), 0);
	assert_int_equal(core_utf8_decode("\x80", &cp), 0);
	assert_true(core_utf8_valid("h\xc3\xa9llo \xf0\x9f\x98\x80"));
	assert_false(core_utf8_valid("abc\xed\xbf\xbf"));
}

static void test_width(void **state)
{
	(void)state;
	assert_int_equal(core_str_width(NULL), 0);
	assert_int_equal(core_str_width(""), 0);
	assert_int_equal(core_str_width("abc"), 3);
	assert_int_equal(core_str_width("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 6); /* CJK */
	assert_int_equal(core_str_width("e\xcc\x81"), 1);            /* combining: 0 */
	assert_int_equal(core_str_width("\xcc\x81"), 0);
	assert_int_equal(core_str_width("\xf0\x9f\x98\x80"), 2);     /* emoji */
	assert_int_equal(core_str_width("\xe2\x80\xa6"), 1);         /* ellipsis */
	assert_int_equal(core_str_width("\xff" "a\033"), 3);         /* unsafe: 1 each */
}

struct fit_case {
	const char *in;
	int cols;
	bool right;
	const char *out;
};

#define NIHONGO "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" /* 日本語 */
#define NI "\xe6\x97\xa5"
#define HON "\xe6\x9c\xac"
#define ELL "\xe2\x80\xa6"
#define EACUTE "e\xcc\x81"

static const struct fit_case fit_cases[] = {
	{ NIHONGO, 5, false, NI HON ELL },
	{ NIHONGO, 4, false, NI ELL " " },       /* no half a wide char */
	{ NIHONGO, 4, true, " " NI ELL },
	{ NIHONGO, 6, false, NIHONGO },
	{ NIHONGO, 7, true, " " NIHONGO },
	{ NIHONGO, 1, false, ELL },
	{ NIHONGO, 2, false, ELL " " },
	{ "abc", 5, false, "abc  " },
	{ "abc", 5, true, "  abc" },
	{ "abc", 3, false, "abc" },
	{ "abcdef", 3, false, "ab" ELL },
	{ "abcdef", 3, true, "ab" ELL },
	{ "abc", 1, false, ELL },
	{ "abc", 0, false, "" },
	{ "abc", -5, true, "" },
	{ NULL, 2, false, "  " },
	{ "", 3, true, "   " },
	{ EACUTE EACUTE EACUTE, 3, false, EACUTE EACUTE EACUTE },
	{ EACUTE EACUTE EACUTE, 2, false, EACUTE ELL },  /* the mark stays */
	{ EACUTE EACUTE EACUTE, 4, true, " " EACUTE EACUTE EACUTE },
	{ "a\033b", 3, false, "a?b" },                    /* unsanitized input */
	{ "a\xff" "b", 4, false, "a?b " },
	{ "\xf0\x9f\x98\x80x", 3, false, "\xf0\x9f\x98\x80x" },
	{ "\xf0\x9f\x98\x80xy", 3, false, "\xf0\x9f\x98\x80" ELL },
};

static void test_fit(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(fit_cases); i++) {
		const struct fit_case *c = &fit_cases[i];
		char *o = core_str_fit(c->in, c->cols, c->right);
		assert_string_equal(o, c->out);
		free(o);
	}
}

static void test_fit_ascii(void **state)
{
	char *o;
	(void)state;
	core_sanitize_set_utf8(false);
	o = core_str_fit("abcdef", 4, false);
	assert_string_equal(o, "abc~");
	free(o);
	o = core_str_fit("\xc3\xa9t\xc3\xa9", 4, true); /* not drawable: '?' */
	assert_string_equal(o, " ?t?");
	free(o);
	core_sanitize_set_utf8(true);
}

/* Whatever the input and width, the result is exactly cols columns. */
static void test_fit_exact(void **state)
{
	static const char *const in[] = { NIHONGO, "abc", EACUTE EACUTE "x" NI, "",
					  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80" "a", "a" NI "b" HON "c" };
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(in); i++)
		for (int cols = -1; cols < 14; cols++)
			for (int right = 0; right < 2; right++) {
				char *o = core_str_fit(in[i], cols, right);
				assert_int_equal(core_str_width(o), cols < 0 ? 0 : cols);
				assert_true(core_utf8_valid(o));
				free(o);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_fit_ascii),
		cmocka_unit_test(test_fit_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
