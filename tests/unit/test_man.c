/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_man.c - man/vmmc.conf.5 against the tables the code uses:
 * every key of the config's sections (core_conf_keys) and of theme files
 * (core_theme_keys) is documented between its BEGIN/END markers, nothing
 * else is, each says its default, the defaults of version and refresh are
 * core_conf_init()'s, and the ROLES block lists every role of
 * core_role_name() in order with its built-in style (core_theme_builtin).
 * The page is $VMMC_SRCDIR/man/vmmc.conf.5 (default: ./man/vmmc.conf.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/conf.h"
#include "../../core/theme.h"
#include "../../core/util.h"

static char *page;

static int read_page(void **state)
{
	const char *src = getenv("VMMC_SRCDIR");
	char *path = xasprintf("%s/man/vmmc.conf.5", src && *src ? src : ".");
	FILE *f = fopen(path, "r");
	size_t n = 0;
	(void)state;
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		free(path);
		return -1;
	}
	free(path);
	if (getdelim(&page, &n, '\0', f) <= 0) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int free_page(void **state)
{
	(void)state;
	xfree(&page);
	return 0;
}

/* The text between the lines `.\" BEGIN what` and `.\" END what`. */
static char *block(const char *what)
{
	char *b = xasprintf(".\\\" BEGIN %s\n", what), *e = xasprintf(".\\\" END %s\n", what);
	const char *s = strstr(page, b), *t;
	char *r;
	assert_non_null(s);
	s += strlen(b);
	t = strstr(s, e);
	assert_non_null(t);
	assert_null(strstr(t + 1, e)); /* once */
	r = xstrndup(s, (size_t)(t - s));
	free(b);
	free(e);
	return r;
}

/* The body of item `.It Cm key` in blk (to the next .It or the end); NULL if none. */
static char *item(const char *blk, const char *key)
{
	char *head = xasprintf(".It Cm %s\n", key);
	const char *s = blk, *t;
	char *r = NULL;
	while ((s = strstr(s, head)) && s != blk && s[-1] != '\n')
		s++;
	if (s) {
		s += strlen(head);
		t = strstr(s, "\n.It ");
		r = t ? xstrndup(s, (size_t)(t - s + 1)) : xstrdup(s);
	}
	free(head);
	return r;
}

static size_t count_items(const char *blk)
{
	size_t n = blk[0] == '.' && strncmp(blk, ".It Cm ", 7) == 0;
	for (const char *s = blk; (s = strstr(s, "\n.It Cm ")); s++)
		n++;
	return n;
}

/* keys documented in the block what: exactly keys, each with its default */
static void check_keys(const char *what, const char *const *keys)
{
	char *blk = block(what);
	size_t n = 0;
	assert_non_null(keys);
	for (; keys[n]; n++) {
		char *body = item(blk, keys[n]);
		if (!body)
			fail_msg("vmmc.conf.5: key '%s' is not documented in %s", keys[n], what);
		if (!strstr(body, "Default") && !strstr(body, "No default"))
			fail_msg("vmmc.conf.5: key '%s' (%s) does not say its default", keys[n], what);
		free(body);
	}
	if (count_items(blk) != n)
		fail_msg("vmmc.conf.5: %s documents %zu keys, the code has %zu", what, count_items(blk), n);
	free(blk);
}

static void test_config_keys(void **state)
{
	(void)state;
	check_keys("GLOBAL KEYS", core_conf_keys(NULL));
	check_keys("HOST KEYS", core_conf_keys("host"));
	check_keys("GROUP KEYS", core_conf_keys("group"));
	check_keys("THEME KEYS", core_theme_keys());
	assert_null(core_conf_keys("nosuch"));
}

static void test_config_defaults(void **state)
{
	struct core_conf c;
	char *blk = block("GLOBAL KEYS"), *body, *want;
	(void)state;
	core_conf_init(&c);
	body = item(blk, "version");
	want = xasprintf("Default:\n.Ql %d ", c.version);
	assert_non_null(strstr(body, want));
	free(body);
	free(want);
	body = item(blk, "refresh");
	want = xasprintf("Default:\n.Ql %g ", c.refresh);
	assert_non_null(strstr(body, want));
	free(body);
	free(want);
	core_conf_free(&c);
	free(blk);
}

static void colour_name(short c, char *buf, size_t len)
{
	static const char *const names[] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };
	if (c < 0)
		snprintf(buf, len, "default");
	else if (c < 8)
		snprintf(buf, len, "%s", names[c]);
	else if (c < 16)
		snprintf(buf, len, "bright-%s", names[c - 8]);
	else
		snprintf(buf, len, "%d", c);
}

static void test_roles(void **state)
{
	static const char *const attrs[] = { "bold", "dim", "underline", "reverse", "italic", "blink", "standout" };
	struct core_theme t;
	char *blk = block("ROLES");
	(void)state;
	core_theme_builtin(&t);
	assert_int_equal(count_items(blk), CORE_ROLE__COUNT);
	for (int i = 0; i < CORE_ROLE__COUNT; i++) {
		char fg[16], bg[16], want[128], *body = item(blk, core_role_name(i));
		size_t n;
		if (!body)
			fail_msg("vmmc.conf.5: role '%s' is not in ROLES", core_role_name(i));
		colour_name(t.role[i].fg, fg, sizeof(fg));
		colour_name(t.role[i].bg, bg, sizeof(bg));
		n = (size_t)snprintf(want, sizeof(want), ".Ql %s %s", fg, bg);
		for (size_t a = 0; a < CORE_ARRAY_LEN(attrs); a++)
			if (t.role[i].attrs & (1u << a))
				n += (size_t)snprintf(want + n, sizeof(want) - n, " %s", attrs[a]);
		snprintf(want + n, sizeof(want) - n, "\n");
		if (strcmp(body, want) != 0)
			fail_msg("vmmc.conf.5: role '%s': page says '%.*s', the built-in theme '%.*s'",
				 core_role_name(i), (int)strcspn(body, "\n"), body, (int)strcspn(want, "\n"), want);
		free(body);
	}
	/* in the order of the code's table */
	{
		const char *prev = blk;
		for (int i = 0; i < CORE_ROLE__COUNT; i++) {
			char *head = xasprintf(".It Cm %s\n", core_role_name(i));
			const char *at = strstr(prev, head);
			assert_non_null(at);
			prev = at + strlen(head);
			free(head);
		}
	}
	core_theme_free(&t);
	free(blk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_keys),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_roles),
	};
	return cmocka_run_group_tests(tests, read_page, free_page);
}
