/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_conf.c - the config file: parse, errors, atomic save. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../core/conf.h"
#include "../../core/util.h"

#include "tmpdir.h"

static char *read_file(const char *path)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_true(getdelim(&s, &n, '\0', f) > 0);
	fclose(f);
	return s;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void assert_defaults(const struct core_conf *c)
{
	assert_int_equal(c->version, 1);
	assert_null(c->theme);
	assert_null(c->escape);
	assert_true(c->refresh == 2.0);
	assert_int_equal(c->nhosts, 0);
	assert_null(c->hosts);
	assert_int_equal(c->ngroups, 0);
	assert_null(c->groups);
	assert_int_equal(c->nwarnings, 0);
}

static void test_missing(void **state)
{
	struct core_conf c;
	char *err = NULL, *p = xasprintf("%s/nope/config", (char *)*state);
	assert_int_equal(core_conf_load(p, &c, &err), 0);
	assert_null(err);
	assert_defaults(&c);
	assert_false(c.broken);
	core_conf_free(&c);
	free(p);
}

static void test_good(void **state)
{
	static const char text[] =
		"# comment\n"
		"version = 1\n"
		"theme = dark   # trailing comment\n"
		"  refresh=0.5\r\n"
		"escape = \"^]\"\n"
		"foo = bar\n"
		"\n"
		"[host]\n"
		"uri = qemu:///system\n"
		"name = Local machine\n"
		"autoconnect = no\n"
		"[ host ]   # second\n"
		"uri = \"qemu+ssh://root@h/system?k=/a #b\"  # comment\n"
		"name = \"Say \\\"hi\\\" \\\\ there \"\n"
		"group = Lab\n"
		"colour = red\n"
		"name2 = \"\"\n"
		"[host]\n"
		"uri=test:///default\n"
		"group = \"\"\n";
	struct core_conf c;
	char *err = NULL, *p = write_file(*state, "config", text, sizeof(text) - 1), *w;

	assert_int_equal(core_conf_load(p, &c, &err), 0);
	assert_null(err);
	assert_false(c.broken);
	assert_int_equal(c.version, 1);
	assert_string_equal(c.theme, "dark");
	assert_true(c.refresh == 0.5);
	assert_string_equal(c.escape, "^]");
	assert_int_equal(c.nhosts, 3);
	assert_string_equal(c.hosts[0].uri, "qemu:///system");
	assert_string_equal(c.hosts[0].name, "Local machine");
	assert_null(c.hosts[0].group);
	assert_false(c.hosts[0].autoconnect);
	assert_string_equal(c.hosts[1].uri, "qemu+ssh://root@h/system?k=/a #b");
	assert_string_equal(c.hosts[1].name, "Say \"hi\" \\ there ");
	assert_string_equal(c.hosts[1].group, "Lab");
	assert_true(c.hosts[1].autoconnect);
	assert_string_equal(c.hosts[2].uri, "test:///default");
	assert_null(c.hosts[2].name);
	assert_string_equal(c.hosts[2].group, "");
	assert_int_equal(c.nwarnings, 3);
	w = xasprintf("%s:6: unknown key 'foo' ignored", p);
	assert_string_equal(c.warnings[0], w);
	free(w);
	w = xasprintf("%s:16: unknown key 'colour' in [host] ignored", p);
	assert_string_equal(c.warnings[1], w);
	free(w);
	w = xasprintf("%s:17: unknown key 'name2' in [host] ignored", p);
	assert_string_equal(c.warnings[2], w);
	free(w);
	core_conf_free(&c);
	assert_defaults(&c);
	assert_false(c.broken);
	free(p);
}

static void test_fixture(void **state)
{
	struct core_conf c;
	char *err = NULL;
	(void)state;
	assert_int_equal(core_conf_load("tests/fixtures/conf/example.conf", &c, &err), 0);
	assert_null(err);
	assert_int_equal(c.nwarnings, 0);
	assert_string_equal(c.theme, "dark");
	assert_true(c.refresh == 2.5);
	assert_int_equal(c.nhosts, 2);
	assert_string_equal(c.hosts[1].uri, "qemu+ssh://admin@kvm1.example.net/system?keyfile=/home/a/#key");
	assert_string_equal(c.hosts[1].name, "KVM 1 ");
	assert_false(c.hosts[1].autoconnect);
	core_conf_free(&c);
}

struct bad_case {
	const char *text;
	size_t len;
	int line;
	const char *msg;
};

#define BAD(t, l, m) { t, sizeof(t) - 1, l, m }

static const struct bad_case bad_cases[] = {
	BAD("version = 1\nfoo\n", 2, "expected 'key = value'"),
	BAD("[hosts]\nuri = x\n", 1, "unknown section '[hosts]'"),
	BAD("\n[host\n", 2, "unterminated section header"),
	BAD("[host] x\nuri = a\n", 1, "text after the section header"),
	BAD("# c\n[host]\nname = x\n[host]\nuri = a\n", 2, "[host] section has no uri"),
	BAD("[host]\nuri = a\n\n[host]\nname = b\n", 4, "[host] section has no uri"),
	BAD("[host]\nuri = \"\"\n", 2, "empty uri"),
	BAD("[host]\nuri = a\n[host]\nuri = a\n", 4, "duplicate host uri 'a'"),
	BAD("[host]\nuri = a\nname = x\nname = y\n", 4, "duplicate key 'name'"),
	BAD("refresh = abc\n", 1, "bad refresh 'abc' (want seconds, > 0 and <= 3600)"),
	BAD("refresh = 0\n", 1, "bad refresh '0' (want seconds, > 0 and <= 3600)"),
	BAD("refresh = 3601\n", 1, "bad refresh '3601' (want seconds, > 0 and <= 3600)"),
	BAD("refresh = -1\n", 1, "bad refresh '-1' (want seconds, > 0 and <= 3600)"),
	BAD("refresh = inf\n", 1, "bad refresh 'inf' (want seconds, > 0 and <= 3600)"),
	BAD("refresh = nan\n", 1, "bad refresh 'nan' (want seconds, > 0 and <= 3600)"),
	BAD("refresh = 0x10\n", 1, "bad refresh '0x10' (want seconds, > 0 and <= 3600)"),
	BAD("refresh = 2s\n", 1, "bad refresh '2s' (want seconds, > 0 and <= 3600)"),
	BAD("refresh =\n", 1, "bad refresh '' (want seconds, > 0 and <= 3600)"),
	BAD("version = 2\n", 1, "unsupported version '2' (want 1)"),
	BAD("theme = a\nrefresh = 1\ntheme = b\n", 3, "duplicate key 'theme'"),
	BAD("[host]\nuri = a\nautoconnect = maybe\n", 3, "autoconnect must be yes or no, not 'maybe'"),
	BAD("[host]\nuri = \"abc\n", 2, "unterminated quote"),
	BAD("[host]\nuri = \"abc\\\"\n", 2, "unterminated quote"),
	BAD("[host]\nuri = \"a\\qb\"\n", 2, "bad escape in quoted value (only \\\" and \\\\)"),
	BAD("theme = \"a\" b\n", 1, "text after the closing quote"),
	BAD("= x\n", 1, "bad key ''"),
	BAD("my key = x\n", 1, "bad key 'my key'"),
	BAD("theme = a\0b\n", 1, "NUL byte"),
	BAD("# ok\ntheme = \xff\n", 2, "invalid UTF-8"),
	BAD("theme = \xc0\xaf\n", 1, "invalid UTF-8"),
	BAD("theme = a\033[2J\n", 1, "control character 0x1b"),
	BAD("theme = a\rb\n", 1, "control character 0x0d"),
	BAD("[group]\n[host]\nuri = a\n", 1, "[group] section has no name"),
	BAD("[host]\nuri = a\n\n[group]\n# none\n", 4, "[group] section has no name"),
	BAD("[group]\nfoo = 1\n[group]\nname = a\n", 1, "[group] section has no name"),
	BAD("[group]\nname = \"\"\n", 2, "empty group name"),
	BAD("[group]\nname = a\nname = b\n", 3, "duplicate key 'name'"),
	BAD("[group]\nname = Lab\n[host]\nuri = a\n[group]\nname = Lab\n", 6, "duplicate group 'Lab'"),
	BAD("[group]\nname = \"a\n", 2, "unterminated quote"),
	BAD("[ groups ]\nname = a\n", 1, "unknown section '[groups]'"),
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < CORE_ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct core_conf c;
		char *err = NULL, *err2 = NULL, *want, *before;
		char *p = write_file(*state, "config", b->text, b->len);

		assert_int_equal(core_conf_load(p, &c, &err), -1);
		want = xasprintf("%s:%d: %s", p, b->line, b->msg);
		assert_non_null(err);
		assert_string_equal(err, want);
		assert_true(c.broken);
		assert_defaults(&c);
		/* Never saved over: the file stays as it was. */
		assert_int_equal(core_conf_save(p, &c, &err2), -1);
		assert_non_null(err2);
		before = xasprintf("%s: cannot save: the file could not be read; not overwriting it", p);
		assert_string_equal(err2, before);
		free(before);
		before = xmalloc(b->len + 1);
		{
			FILE *f = fopen(p, "r");
			assert_non_null(f);
			assert_int_equal(fread(before, 1, b->len + 1, f), b->len);
			fclose(f);
		}
		assert_memory_equal(before, b->text, b->len);
		free(before);
		core_conf_free(&c);
		assert_false(c.broken);
		free(want);
		free(err);
		free(err2);
		free(p);
	}
}

static void test_long_line(void **state)
{
	struct core_conf c;
	char *text = xmalloc(2 * 4200), *p, *err = NULL, *want;
	size_t n;

	/* Exactly 4096 bytes (plus "\r\n") is fine. */
	n = (size_t)sprintf(text, "theme = ");
	memset(text + n, 'x', 4096 - n);
	n = 4096;
	n += (size_t)sprintf(text + n, "\r\n");
	p = write_file(*state, "config", text, n);
	assert_int_equal(core_conf_load(p, &c, &err), 0);
	assert_int_equal(strlen(c.theme), 4096 - 8);
	core_conf_free(&c);
	free(p);

	/* One more on line 2 is not. */
	n = (size_t)sprintf(text, "# x\ntheme = ");
	memset(text + n, 'x', 4 + 4097 - n);
	n = 4 + 4097;
	text[n++] = '\n';
	p = write_file(*state, "config", text, n);
	assert_int_equal(core_conf_load(p, &c, &err), -1);
	want = xasprintf("%s:2: line longer than 4096 bytes", p);
	assert_string_equal(err, want);
	assert_true(c.broken);
	core_conf_free(&c);
	free(want);
	free(err);
	free(text);
	free(p);
}

static void test_read_error(void **state)
{
	struct core_conf c;
	char *err = NULL, *want = xasprintf("%s: Is a directory", (char *)*state);
	assert_int_equal(core_conf_load(*state, &c, &err), -1);
	assert_string_equal(err, want);
	assert_true(c.broken);
	assert_defaults(&c);
	core_conf_free(&c);
	free(want);
	free(err);
}

static void assert_conf_equal(const struct core_conf *a, const struct core_conf *b)
{
	assert_int_equal(a->version, b->version);
	assert_true(core_str_eq(a->theme, b->theme));
	assert_true(core_str_eq(a->escape, b->escape));
	assert_true(a->refresh == b->refresh);
	assert_int_equal(a->nhosts, b->nhosts);
	assert_int_equal(a->ngroups, b->ngroups);
	for (size_t i = 0; i < a->ngroups; i++)
		assert_string_equal(a->groups[i], b->groups[i]);
	for (size_t i = 0; i < a->nhosts; i++) {
		assert_string_equal(a->hosts[i].uri, b->hosts[i].uri);
		assert_true(core_str_eq(a->hosts[i].name, b->hosts[i].name));
		assert_true(core_str_eq(a->hosts[i].group, b->hosts[i].group));
		assert_int_equal(a->hosts[i].autoconnect, b->hosts[i].autoconnect);
	}
}

static void test_roundtrip(void **state)
{
	static const double refresh[] = { 0.1, 2.0, 1e-5, 3600, 1.0 / 3 };
	struct core_conf a, b;
	struct stat st;
	char *dir = xasprintf("%s/x/y", (char *)*state), *p = xasprintf("%s/config", dir);
	char *err = NULL, *text;

	core_conf_init(&a);
	a.theme = xstrdup("my theme #2");
	a.escape = xstrdup("^]");
	assert_int_equal(core_conf_add_host(&a, "qemu:///system", NULL, NULL), 0);
	assert_int_equal(core_conf_add_host(&a, "qemu+ssh://u@h/system?x=a b#c", "Say \"hi\" \\", "  Lab\t"), 0);
	assert_int_equal(core_conf_add_host(&a, "test:///default", "", "\xe6\x97\xa5\xe6\x9c\xac"), 0);
	assert_int_equal(core_conf_add_host(&a, "\"q\"", "#", "a = b"), 0);
	a.hosts[1].autoconnect = false;
	assert_int_equal(core_conf_add_group(&a, "Lab"), 0);
	assert_int_equal(core_conf_add_group(&a, " # \"Prod\" \\ "), 0);
	assert_int_equal(core_conf_add_group(&a, "\xe6\x97\xa5\xe6\x9c\xac"), 0);
	for (size_t i = 0; i < CORE_ARRAY_LEN(refresh); i++) {
		a.refresh = refresh[i];
		assert_int_equal(core_conf_save(p, &a, &err), 0);
		assert_null(err);
		assert_int_equal(core_conf_load(p, &b, &err), 0);
		assert_null(err);
		assert_int_equal(b.nwarnings, 0);
		assert_conf_equal(&a, &b);
		core_conf_free(&b);
	}
	/* Atomic: only the file itself is left; private modes. */
	assert_int_equal(count_entries(dir), 1);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	text = read_file(p);
	assert_true(core_str_has_prefix(text, "# "));
	assert_non_null(strstr(text, "\nversion = 1\n"));
	assert_non_null(strstr(text, "\nuri = \"\\\"q\\\"\"\n"));
	/* groups first, in order, then the hosts */
	assert_non_null(strstr(text, "\n[group]\nname = Lab\n\n[group]\nname = \" # \\\"Prod\\\" \\\\ \"\n"));
	assert_true(strstr(text, "[group]") < strstr(text, "[host]"));
	free(text);

	/* Saving fewer hosts replaces the file. */
	assert_int_equal(core_conf_remove_host(&a, "qemu:///system"), 0);
	assert_int_equal(core_conf_save(p, &a, &err), 0);
	assert_int_equal(core_conf_load(p, &b, &err), 0);
	assert_conf_equal(&a, &b);
	assert_int_equal(b.nhosts, 3);
	core_conf_free(&b);
	assert_int_equal(count_entries(dir), 1);

	/* An empty config round-trips too. */
	core_conf_free(&a);
	assert_int_equal(core_conf_save(p, &a, &err), 0);
	assert_int_equal(core_conf_load(p, &b, &err), 0);
	assert_conf_equal(&a, &b);
	assert_defaults(&b);
	core_conf_free(&b);
	free(p);
	free(dir);
}

static void test_save_refused(void **state)
{
	struct core_conf c;
	char *p = xasprintf("%s/config", (char *)*state), *err = NULL, *want;

	core_conf_init(&c);
	c.broken = true;
	assert_int_equal(core_conf_save(p, &c, &err), -1);
	want = xasprintf("%s: cannot save: the file could not be read; not overwriting it", p);
	assert_string_equal(err, want);
	xfree(&want);
	xfree(&err);
	c.broken = false;

	/* Values that could not be read back. */
	core_conf_add_host(&c, "qemu:///system", "a\nb", NULL);
	assert_int_equal(core_conf_save(p, &c, &err), -1);
	want = xasprintf("%s: cannot save: a value has a control character or invalid UTF-8", p);
	assert_string_equal(err, want);
	xfree(&err);
	core_str_set(&c.hosts[0].name, "ok");
	core_str_set(&c.hosts[0].group, "\xff");
	assert_int_equal(core_conf_save(p, &c, &err), -1);
	assert_string_equal(err, want);
	xfree(&err);
	core_str_set(&c.hosts[0].group, NULL);
	core_conf_add_group(&c, "a\nb");
	assert_int_equal(core_conf_save(p, &c, &err), -1);
	assert_string_equal(err, want);
	xfree(&err);
	xfree(&want);
	core_str_set(&c.groups[0], "");
	assert_int_equal(core_conf_save(p, &c, &err), -1);
	want = xasprintf("%s: cannot save: a group has no name", p);
	assert_string_equal(err, want);
	xfree(&err);
	xfree(&want);
	core_str_set(&c.groups[0], "g");
	c.groups = xrealloc(c.groups, 2 * sizeof(*c.groups));
	c.groups[c.ngroups++] = xstrdup("g");
	assert_int_equal(core_conf_save(p, &c, &err), -1);
	want = xasprintf("%s: cannot save: two groups have the same name", p);
	assert_string_equal(err, want);
	xfree(&err);
	xfree(&want);
	assert_int_equal(core_conf_remove_group(&c, "g"), 0);
	assert_int_equal(c.ngroups, 1);
	want = xasprintf("%s: cannot save: refresh out of range", p);
	c.refresh = 0;
	assert_int_equal(core_conf_save(p, &c, &err), -1);
	assert_string_equal(err, want);
	xfree(&err);
	xfree(&want);
	assert_int_equal(count_entries(*state), 0);

	/* A directory that cannot be made. */
	c.refresh = 1;
	free(p);
	p = write_file(*state, "file", "x", 1);
	want = xasprintf("%s/sub/config", p);
	assert_int_equal(core_conf_save(want, &c, &err), -1);
	assert_non_null(err);
	xfree(&err);
	xfree(&want);
	core_conf_free(&c);
	free(p);
}

static void test_symlink(void **state)
{
	struct core_conf c;
	struct stat st;
	char *real = xasprintf("%s/real", (char *)*state), *link = xasprintf("%s/link", (char *)*state);
	char *err = NULL;

	assert_int_equal(symlink("real", link), 0);
	core_conf_init(&c);
	core_conf_add_host(&c, "test:///default", NULL, NULL);
	assert_int_equal(core_conf_save(link, &c, &err), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(real, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	core_conf_free(&c);
	assert_int_equal(core_conf_load(link, &c, &err), 0);
	assert_int_equal(c.nhosts, 1);
	core_conf_free(&c);
	assert_int_equal(count_entries(*state), 2);
	free(real);
	free(link);
}

/* A config path that links to something that is not a regular file (a
 * FIFO, a device) is refused, never replaced by a regular file. */
static void test_symlink_not_regular(void **state)
{
	struct core_conf c;
	struct stat st;
	char *fifo = xasprintf("%s/fifo", (char *)*state), *link = xasprintf("%s/link", (char *)*state);
	char *dev = xasprintf("%s/dev", (char *)*state);
	char *err = NULL;

	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(symlink("fifo", link), 0);
	assert_int_equal(symlink("/dev/null", dev), 0);
	core_conf_init(&c);
	core_conf_add_host(&c, "test:///default", NULL, NULL);
	assert_int_equal(core_conf_save(link, &c, &err), -1);
	assert_non_null(strstr(err, "not a regular file"));
	free(err);
	err = NULL;
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(core_conf_save(dev, &c, &err), -1);
	free(err);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	core_conf_free(&c);
	free(fifo);
	free(link);
	free(dev);
}

/* Two processes adding hosts at the same moment, each read-merge-write
 * under core_conf_lock: no update is lost. */
static void test_lock_two_writers(void **state)
{
	enum { PER = 40 };
	char *path = xasprintf("%s/config", (char *)*state);
	struct core_conf c;
	char *err = NULL;
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			for (int i = 0; i < PER; i++) {
				struct core_conf w;
				char uri[64];
				int fd = core_conf_lock(path, &err);
				if (fd < 0)
					_exit(2);
				core_conf_init(&w);
				if (core_conf_load(path, &w, &err) != 0)
					_exit(3);
				snprintf(uri, sizeof(uri), "test:///p%d-%d", k, i);
				core_conf_add_host(&w, uri, NULL, NULL);
				if (core_conf_save(path, &w, &err) != 0)
					_exit(4);
				core_conf_free(&w);
				core_conf_unlock(fd);
			}
			_exit(0);
		}
	}
	for (int k = 0; k < 2; k++) {
		int st = -1;
		assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	core_conf_init(&c);
	assert_int_equal(core_conf_load(path, &c, &err), 0);
	assert_int_equal(c.nhosts, 2 * PER);
	core_conf_free(&c);
	free(path);
}

static void test_hosts(void **state)
{
	struct core_conf c;
	(void)state;
	core_conf_init(&c);
	assert_int_equal(core_conf_add_host(&c, "a", "A", "g"), 0);
	assert_int_equal(core_conf_add_host(&c, "b", NULL, NULL), 0);
	assert_int_equal(core_conf_add_host(&c, "c", NULL, NULL), 0);
	assert_int_equal(core_conf_add_host(&c, "a", "other", NULL), 1);
	assert_int_equal(core_conf_add_host(&c, "", NULL, NULL), -1);
	assert_int_equal(core_conf_add_host(&c, NULL, NULL, NULL), -1);
	assert_int_equal(c.nhosts, 3);
	assert_string_equal(c.hosts[0].name, "A");
	assert_string_equal(c.hosts[0].group, "g");
	assert_true(c.hosts[1].autoconnect);
	assert_null(c.hosts[1].name);
	assert_int_equal(core_conf_remove_host(&c, "b"), 0);
	assert_int_equal(core_conf_remove_host(&c, "b"), -1);
	assert_int_equal(core_conf_remove_host(&c, NULL), -1);
	assert_int_equal(c.nhosts, 2);
	assert_string_equal(c.hosts[0].uri, "a");
	assert_string_equal(c.hosts[1].uri, "c");
	assert_int_equal(core_conf_remove_host(&c, "c"), 0);
	assert_int_equal(core_conf_remove_host(&c, "a"), 0);
	assert_int_equal(c.nhosts, 0);
	assert_int_equal(core_conf_add_host(&c, "a", NULL, NULL), 0);
	core_conf_free(&c);
	assert_defaults(&c);
}

static void test_groups(void **state)
{
	static const char text[] =
		"version = 1\n"
		"[group]\n"
		"name = Prod   # the first folder\n"
		"[host]\n"
		"uri = qemu+ssh://a/system\n"
		"group = Lab\n"
		"[ group ]\n"
		"name = \" Lab #2 \"\n"
		"colour = red\n"
		"[group]\n"
		"name = Empty\n";
	struct core_conf c;
	char *err = NULL, *p = write_file(*state, "config", text, sizeof(text) - 1), *w;

	assert_int_equal(core_conf_load(p, &c, &err), 0);
	assert_null(err);
	assert_int_equal(c.ngroups, 3);
	assert_string_equal(c.groups[0], "Prod");
	assert_string_equal(c.groups[1], " Lab #2 ");
	assert_string_equal(c.groups[2], "Empty");
	assert_int_equal(c.nhosts, 1);
	assert_string_equal(c.hosts[0].group, "Lab"); /* need not have a [group] */
	assert_int_equal(c.nwarnings, 1);
	w = xasprintf("%s:9: unknown key 'colour' in [group] ignored", p);
	assert_string_equal(c.warnings[0], w);
	free(w);
	assert_ptr_equal(core_conf_find_host(&c, "qemu+ssh://a/system"), &c.hosts[0]);
	assert_null(core_conf_find_host(&c, "qemu+ssh://b/system"));
	assert_null(core_conf_find_host(&c, NULL));

	/* the list API */
	assert_int_equal(core_conf_add_group(&c, "Prod"), 1);
	assert_int_equal(core_conf_add_group(&c, ""), -1);
	assert_int_equal(core_conf_add_group(&c, NULL), -1);
	assert_int_equal(core_conf_add_group(&c, "New"), 0);
	assert_int_equal(c.ngroups, 4);
	assert_string_equal(c.groups[3], "New");
	assert_int_equal(core_conf_remove_group(&c, " Lab #2 "), 0);
	assert_int_equal(core_conf_remove_group(&c, " Lab #2 "), -1);
	assert_int_equal(core_conf_remove_group(&c, NULL), -1);
	assert_int_equal(c.ngroups, 3);
	assert_string_equal(c.groups[0], "Prod");
	assert_string_equal(c.groups[1], "Empty");
	assert_string_equal(c.groups[2], "New");

	/* saved and read back: empty groups are kept */
	assert_int_equal(core_conf_save(p, &c, &err), 0);
	core_conf_free(&c);
	assert_int_equal(core_conf_load(p, &c, &err), 0);
	assert_int_equal(c.nwarnings, 0);
	assert_int_equal(c.ngroups, 3);
	assert_string_equal(c.groups[1], "Empty");
	assert_string_equal(c.hosts[0].group, "Lab");
	core_conf_free(&c);
	assert_defaults(&c);
	free(p);
}

static void test_group_name_check(void **state)
{
	static const struct {
		const char *name, *err;
	} cases[] = {
		{ "Lab", NULL },
		{ "Prod #1 \"eu\"", NULL },
		{ "\xe6\x97\xa5\xe6\x9c\xac", NULL },
		{ "", "Enter a group name" },
		{ NULL, "Enter a group name" },
		{ " Lab", "A group name cannot begin or end with a space" },
		{ "Lab ", "A group name cannot begin or end with a space" },
		{ "a\tb", "A group name cannot hold a control character" },
		{ "a\033[2Jb", "A group name cannot hold a control character" },
		{ "a\x7f", "A group name cannot hold a control character" },
		{ "a\xff", "A group name must be valid UTF-8" },
		{ "0123456789012345678901234567890123456789012345678901234567890123", NULL },
		{ "01234567890123456789012345678901234567890123456789012345678901234", "A group name is at most 64 bytes long" },
	};
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(cases); i++) {
		char *err = NULL;
		int r = core_conf_group_name_check(cases[i].name, &err);
		if (!cases[i].err) {
			assert_int_equal(r, 0);
			assert_null(err);
		} else {
			assert_int_equal(r, -1);
			assert_non_null(err);
			assert_string_equal(err, cases[i].err);
			free(err);
		}
	}
}

static void test_default_path(void **state)
{
	char *old = xstrdup(getenv("XDG_CONFIG_HOME")), *p;
	(void)state;
	setenv("XDG_CONFIG_HOME", "/x/y", 1);
	p = core_conf_default_path();
	assert_string_equal(p, "/x/y/vmmc/config");
	free(p);
	if (old)
		setenv("XDG_CONFIG_HOME", old, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_good, setup_dir, teardown_dir),
		cmocka_unit_test(test_fixture),
		cmocka_unit_test_setup_teardown(test_errors, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_long_line, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_read_error, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_save_refused, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_symlink, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_symlink_not_regular, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_lock_two_writers, setup_dir, teardown_dir),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test_setup_teardown(test_groups, setup_dir, teardown_dir),
		cmocka_unit_test(test_group_name_check),
		cmocka_unit_test(test_default_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
