/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_theme.c - roles, the built-in themes, theme files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../core/theme.h"
#include "../../core/util.h"

#include "tmpdir.h"

static void assert_theme_equal(const struct core_theme *a, const struct core_theme *b)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->mono, b->mono);
	for (int i = 0; i < CORE_ROLE__COUNT; i++) {
		if (a->role[i].fg != b->role[i].fg || a->role[i].bg != b->role[i].bg ||
		    a->role[i].attrs != b->role[i].attrs)
			fail_msg("role %s differs: %d/%d/%u vs %d/%d/%u", core_role_name(i),
				 a->role[i].fg, a->role[i].bg, a->role[i].attrs,
				 b->role[i].fg, b->role[i].bg, b->role[i].attrs);
	}
}

static void test_roles(void **state)
{
	(void)state;
	assert_string_equal(core_role_name(CORE_ROLE_NORMAL), "normal");
	assert_string_equal(core_role_name(CORE_ROLE_MENU_SEL), "menu.selected");
	assert_string_equal(core_role_name(CORE_ROLE_ROW_SEL_UNFOCUSED), "row.selected.unfocused");
	assert_string_equal(core_role_name(CORE_ROLE_DIALOG_FIELD_FOCUS), "dialog.field.focus");
	assert_string_equal(core_role_name(CORE_ROLE_GRAPH), "graph");
	assert_null(core_role_name(-1));
	assert_null(core_role_name(CORE_ROLE__COUNT));
	for (int i = 0; i < CORE_ROLE__COUNT; i++) {
		assert_non_null(core_role_name(i));
		assert_int_equal(core_role_from_name(core_role_name(i)), i);
	}
	assert_int_equal(core_role_from_name("nope"), -1);
	assert_int_equal(core_role_from_name("Normal"), -1);
	assert_int_equal(core_role_from_name(""), -1);
	assert_int_equal(core_role_from_name(NULL), -1);
}

static void test_builtin_is_default_file(void **state)
{
	struct core_theme a, b;
	char *err = NULL;
	(void)state;
	core_theme_builtin(&a);
	assert_int_equal(core_theme_load("themes/default.theme", &b, &err), 0);
	assert_null(err);
	assert_theme_equal(&a, &b);
	assert_false(a.mono);
	/* Sanity of the defaults: coloured, with a distinct selection. */
	assert_int_equal(a.role[CORE_ROLE_STATE_RUNNING].fg, 2);
	assert_int_equal(a.role[CORE_ROLE_STATE_CRASHED].fg, 1);
	assert_int_equal(a.role[CORE_ROLE_ROW_SEL].bg, 6);
	core_theme_free(&a);
	core_theme_free(&b);
	assert_null(a.name);
}

static void test_mono_is_mono_file(void **state)
{
	struct core_theme a, b;
	char *err = NULL;
	(void)state;
	core_theme_mono(&a);
	assert_int_equal(core_theme_load("themes/mono.theme", &b, &err), 0);
	assert_null(err);
	assert_theme_equal(&a, &b);
	assert_true(a.mono);
	for (int i = 0; i < CORE_ROLE__COUNT; i++) {
		assert_int_equal(a.role[i].fg, -1);
		assert_int_equal(a.role[i].bg, -1);
	}
	assert_true(a.role[CORE_ROLE_ROW_SEL].attrs & CORE_ATTR_REVERSE);
	assert_int_not_equal(a.role[CORE_ROLE_ROW_SEL].attrs, a.role[CORE_ROLE_ROW].attrs);
	core_theme_free(&a);
	core_theme_free(&b);
}

/* Every shipped theme loads and names every role exactly once. */
static void test_shipped(void **state)
{
	static const char *const names[] = { "default", "dark", "mono" };
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		struct core_theme t;
		int seen[CORE_ROLE__COUNT] = { 0 };
		char *err = NULL, *path = xasprintf("themes/%s.theme", names[i]), *line = NULL;
		size_t cap = 0;
		FILE *f;

		assert_int_equal(core_theme_load(path, &t, &err), 0);
		assert_null(err);
		assert_string_equal(t.name, names[i]);
		core_theme_free(&t);
		f = fopen(path, "r");
		assert_non_null(f);
		while (getline(&line, &cap, f) > 0) {
			char *eq = strchr(line, '=');
			int r;
			if (line[0] == '#' || !eq)
				continue;
			*eq = '\0';
			r = core_role_from_name(core_str_trim(line));
			if (r >= 0)
				seen[r]++;
		}
		fclose(f);
		free(line);
		for (int r = 0; r < CORE_ROLE__COUNT; r++)
			if (seen[r] != 1)
				fail_msg("%s: role %s listed %d times", path, core_role_name(r), seen[r]);
		free(path);
	}
}

static void test_dark(void **state)
{
	struct core_theme t;
	char *err = NULL;
	(void)state;
	assert_int_equal(core_theme_load("themes/dark.theme", &t, &err), 0);
	assert_false(t.mono);
	assert_int_equal(t.role[CORE_ROLE_MENUBAR].bg, 24);
	assert_int_equal(t.role[CORE_ROLE_STATE_RUNNING].fg, 114);
	core_theme_free(&t);
}

static void test_parse(void **state)
{
	static const char text[] =
		"\xef\xbb\xbf# a theme\n"
		"name = My Theme \xe2\x9c\x93   # a name\n"
		"\n"
		"  normal = bright-red 17 bold underline\r\n"
		"row=- default\n"
		"tree = red reverse   # fg only\n"
		"header = 255 bright-white italic blink standout dim\n"
		"border = default\n"
		"busy = 0 255\n";
	struct core_theme t, def;
	char *err = NULL, *p = write_file(*state, "x.theme", text, sizeof(text) - 1);

	assert_int_equal(core_theme_load(p, &t, &err), 0);
	assert_null(err);
	core_theme_builtin(&def);
	assert_string_equal(t.name, "My Theme \xe2\x9c\x93");
	assert_false(t.mono);
	assert_int_equal(t.role[CORE_ROLE_NORMAL].fg, 9);
	assert_int_equal(t.role[CORE_ROLE_NORMAL].bg, 17);
	assert_int_equal(t.role[CORE_ROLE_NORMAL].attrs, CORE_ATTR_BOLD | CORE_ATTR_UNDERLINE);
	assert_int_equal(t.role[CORE_ROLE_ROW].fg, -1);
	assert_int_equal(t.role[CORE_ROLE_ROW].bg, -1);
	assert_int_equal(t.role[CORE_ROLE_ROW].attrs, 0);
	assert_int_equal(t.role[CORE_ROLE_TREE].fg, 1);
	assert_int_equal(t.role[CORE_ROLE_TREE].bg, -1);
	assert_int_equal(t.role[CORE_ROLE_TREE].attrs, CORE_ATTR_REVERSE);
	assert_int_equal(t.role[CORE_ROLE_HEADER].fg, 255);
	assert_int_equal(t.role[CORE_ROLE_HEADER].bg, 15);
	assert_int_equal(t.role[CORE_ROLE_HEADER].attrs,
			 CORE_ATTR_ITALIC | CORE_ATTR_BLINK | CORE_ATTR_STANDOUT | CORE_ATTR_DIM);
	assert_int_equal(t.role[CORE_ROLE_BORDER].fg, -1);
	assert_int_equal(t.role[CORE_ROLE_BORDER].bg, -1);
	assert_int_equal(t.role[CORE_ROLE_BUSY].fg, 0);
	assert_int_equal(t.role[CORE_ROLE_BUSY].bg, 255);
	/* Roles not in the file keep the built-in style. */
	assert_memory_equal(&t.role[CORE_ROLE_MENUBAR], &def.role[CORE_ROLE_MENUBAR], sizeof(struct core_style));
	assert_memory_equal(&t.role[CORE_ROLE_GRAPH], &def.role[CORE_ROLE_GRAPH], sizeof(struct core_style));
	core_theme_free(&t);
	core_theme_free(&def);
	free(p);

	/* Without a name line, the file's name; mono = yes. */
	p = write_file(*state, "plain.theme", "mono = yes\n", 11);
	assert_int_equal(core_theme_load(p, &t, &err), 0);
	assert_string_equal(t.name, "plain");
	assert_true(t.mono);
	core_theme_free(&t);
	free(p);
}

struct bad_case {
	const char *text;
	size_t len;
	int line;
	const char *msg;
};

#define BAD(t, l, m) { t, sizeof(t) - 1, l, m }

static const struct bad_case bad_cases[] = {
	BAD("normal = red\nrow.slected = red\n", 2, "unknown role 'row.slected'"),
	BAD("normal = red\nnormal = blue\n", 2, "duplicate role 'normal'"),
	BAD("# x\n\nrow = rd\n", 3, "unknown colour 'rd'"),
	BAD("row = red bleu\n", 1, "unknown colour or attribute 'bleu'"),
	BAD("row = bright-bold\n", 1, "unknown colour 'bright-bold'"),
	BAD("row = 256\n", 1, "colour number out of range '256' (0-255)"),
	BAD("row = 1 1000\n", 1, "colour number out of range '1000' (0-255)"),
	BAD("row = -1\n", 1, "unknown colour '-1'"),
	BAD("row = red blue bold shiny\n", 1, "unknown attribute 'shiny'"),
	BAD("row = red bold blue\n", 1, "unknown attribute 'blue'"),
	BAD("row = red blue green\n", 1, "unknown attribute 'green'"),
	BAD("row red\n", 1, "missing '=' (want 'ROLE = FG [BG] [ATTR...]')"),
	BAD("row =\n", 1, "no colour for 'row'"),
	BAD("row = # nothing\n", 1, "no colour for 'row'"),
	BAD("= red\n", 1, "unknown role ''"),
	BAD("mono = maybe\n", 1, "mono must be yes or no, not 'maybe'"),
	BAD("name =\n", 1, "empty name"),
	BAD("row = red\0\n", 1, "NUL byte"),
	BAD("row = red\nname = \xe9t\xe9\n", 2, "invalid UTF-8"),
	BAD("row = \033[31m\n", 1, "control character 0x1b"),
};

static void test_errors(void **state)
{
	struct core_theme def;
	core_theme_builtin(&def);
	for (size_t i = 0; i < CORE_ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct core_theme t;
		char *err = NULL, *want, *p = write_file(*state, "bad.theme", b->text, b->len);

		assert_int_equal(core_theme_load(p, &t, &err), -1);
		want = xasprintf("%s:%d: %s", p, b->line, b->msg);
		assert_non_null(err);
		assert_string_equal(err, want);
		assert_theme_equal(&t, &def); /* back to the built-in */
		core_theme_free(&t);
		free(want);
		free(err);
		free(p);
	}
	core_theme_free(&def);
}

static void test_long_line(void **state)
{
	char text[1100], *p, *err = NULL, *want;
	struct core_theme t;
	size_t n;

	n = (size_t)sprintf(text, "row = red");
	memset(text + n, ' ', 1024 - n);
	text[1024] = '\n';
	p = write_file(*state, "ok.theme", text, 1025);
	assert_int_equal(core_theme_load(p, &t, &err), 0);
	core_theme_free(&t);
	free(p);

	memset(text + n, ' ', 1025 - n);
	text[1025] = '\n';
	p = write_file(*state, "long.theme", text, 1026);
	assert_int_equal(core_theme_load(p, &t, &err), -1);
	want = xasprintf("%s:1: line longer than 1024 bytes", p);
	assert_string_equal(err, want);
	core_theme_free(&t);
	free(want);
	free(err);
	free(p);
}

static void test_missing(void **state)
{
	struct core_theme t;
	char *err = NULL, *p = xasprintf("%s/none.theme", (char *)*state), *want;
	assert_int_equal(core_theme_load(p, &t, &err), -1);
	want = xasprintf("%s: No such file or directory", p);
	assert_string_equal(err, want);
	assert_string_equal(t.name, "default");
	core_theme_free(&t);
	free(want);
	free(err);
	free(p);
}

static void test_find(void **state)
{
	char *d1 = xasprintf("%s/d1", (char *)*state), *d2 = xasprintf("%s/d2", (char *)*state);
	const char *dirs[] = { d1, d2 };
	char *path = (char *)"junk", *want, *f;

	assert_int_equal(mkdir(d1, 0700), 0);
	assert_int_equal(mkdir(d2, 0700), 0);
	free(write_file(d2, "a.theme", "", 0));
	free(write_file(d1, "b-1_x.theme", "", 0));
	free(write_file(d2, "b-1_x.theme", "", 0));
	free(write_file(*state, "x.theme", "", 0));
	f = xasprintf("%s/c.theme", d1);
	assert_int_equal(mkdir(f, 0700), 0); /* a directory is not a theme */
	free(f);
	free(write_file(d2, "c.theme", "", 0));

	assert_int_equal(core_theme_find("a", dirs, 2, &path), 0);
	want = xasprintf("%s/a.theme", d2);
	assert_string_equal(path, want);
	xfree(&path);
	free(want);
	assert_int_equal(core_theme_find("b-1_x", dirs, 2, &path), 0);
	want = xasprintf("%s/b-1_x.theme", d1);
	assert_string_equal(path, want);
	xfree(&path);
	free(want);
	assert_int_equal(core_theme_find("c", dirs, 2, &path), 0);
	want = xasprintf("%s/c.theme", d2);
	assert_string_equal(path, want);
	xfree(&path);
	free(want);

	path = (char *)"junk";
	assert_int_equal(core_theme_find("zzz", dirs, 2, &path), -1);
	assert_null(path);
	assert_int_equal(core_theme_find("a", dirs, 0, &path), -1);
	assert_null(path);
	assert_int_equal(core_theme_find("a", dirs, 1, &path), -1);
	/* Names that could leave the directory, or hide. */
	assert_int_equal(core_theme_find("../x", dirs, 2, &path), -1);
	assert_null(path);
	assert_int_equal(core_theme_find("..", dirs, 2, &path), -1);
	assert_int_equal(core_theme_find("x/y", dirs, 2, &path), -1);
	assert_int_equal(core_theme_find("/x", dirs, 2, &path), -1);
	assert_int_equal(core_theme_find(".a", dirs, 2, &path), -1);
	assert_int_equal(core_theme_find("", dirs, 2, &path), -1);
	assert_int_equal(core_theme_find(NULL, dirs, 2, &path), -1);
	assert_int_equal(core_theme_find("a b", dirs, 2, &path), -1);
	assert_int_equal(core_theme_find("a\n", dirs, 2, &path), -1);
	assert_null(path);
	/* The real ones, from the repository root. */
	{
		const char *repo[] = { "themes" };
		assert_int_equal(core_theme_find("dark", repo, 1, &path), 0);
		assert_string_equal(path, "themes/dark.theme");
		xfree(&path);
	}
	free(d1);
	free(d2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_builtin_is_default_file),
		cmocka_unit_test(test_mono_is_mono_file),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_dark),
		cmocka_unit_test_setup_teardown(test_parse, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_errors, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_long_line, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_missing, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_find, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
