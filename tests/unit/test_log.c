/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_log.c - core/log: masking, refusals (symlink, directory,
 * unwritable), line format, and whole lines from many threads at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../core/log.h"
#include "../../core/util.h"

#include "tmpdir.h"

static void mask_is(const char *in, const char *want)
{
	char buf[256];
	core_log_mask(in, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_mask(void **state)
{
	(void)state;
	mask_is("qemu+ssh://root:hunter2@kvm1/system", "qemu+ssh://root:***@kvm1/system");
	mask_is("ssh://root@kvm1:2222/system", "ssh://root@kvm1:2222/system"); /* a port is no password */
	mask_is("ssh://kvm1:22/system", "ssh://kvm1:22/system");
	mask_is("x?password=abc&user=u", "x?password=***&user=u");
	mask_is("Passphrase=s3cr3t more", "Passphrase=*** more");
	mask_is("passwd=a,b secret=z", "passwd=***,b secret=***");
	mask_is("newpassword=keepme", "newpassword=keepme"); /* only a whole key */
	mask_is("evil\n2026-01-01 forged\x1b]0;t\a", "evil\\x0a2026-01-01 forged\\x1b]0;t\\x07");
	{
		char small[8];
		core_log_mask("0123456789", small, sizeof(small));
		assert_string_equal(small, "0123456");
	}
}

static char *slurp(const char *path)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	if (getdelim(&s, &n, '\0', f) < 0) {
		free(s);
		s = xstrdup("");
	}
	fclose(f);
	return s;
}

static void test_refusals(void **state)
{
	const char *dir = *state;
	char *target = xasprintf("%s/real.log", dir), *link = xasprintf("%s/link.log", dir), *err = NULL;
	char *missing = xasprintf("%s/no/such/dir.log", dir);
	struct stat st;

	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(core_log_open(link, &err), -1);
	assert_non_null(strstr(err, "symbolic link"));
	xfree(&err);
	assert_int_equal(lstat(target, &st), -1); /* nothing made through the link */
	assert_int_equal(core_log_open(dir, &err), -1); /* a directory */
	assert_non_null(err);
	xfree(&err);
	assert_int_equal(core_log_open(missing, &err), -1);
	assert_non_null(strstr(err, missing));
	xfree(&err);
	assert_int_equal(core_log_open("", &err), -1);
	xfree(&err);
	assert_false(core_log_on());
	core_log("test", "dropped: no log open"); /* no crash, nothing written */

	assert_int_equal(core_log_open(target, &err), 0);
	assert_null(err);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	core_log("host", "ssh://u:pw@h connected in %d ms", 12);
	core_log_close();
	{
		char *s = slurp(target);
		/* 2026-12-01T11:30:00.123Z [tid] host: ... */
		assert_int_equal(strlen(s) > 30, 1);
		assert_true(s[4] == '-' && s[10] == 'T' && s[19] == '.' && s[23] == 'Z');
		assert_non_null(strstr(s, "] host: ssh://u:***@h connected in 12 ms\n"));
		assert_null(strstr(s, "pw@"));
		free(s);
	}
	/* an existing log is appended to, not truncated */
	{
		char *old = write_file(dir, "old.log", "earlier line\n", 13), *s;
		assert_int_equal(core_log_open(old, &err), 0);
		core_log("vmmc", "second run");
		core_log_close();
		s = slurp(old);
		assert_int_equal(strncmp(s, "earlier line\n", 13), 0);
		assert_non_null(strstr(s + 13, "vmmc: second run\n"));
		free(s);
		free(old);
	}
	free(target);
	free(link);
	free(missing);
}

#define NTHREADS 8
#define NLINES 500

static void *writer(void *arg)
{
	long id = (long)(intptr_t)arg;
	for (int i = 0; i < NLINES; i++)
		core_log("t", "writer %ld line %d %s", id, i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	return NULL;
}

static void test_threads(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/threads.log", dir), *err = NULL, *s, *line, *save = NULL;
	pthread_t th[NTHREADS];
	int count = 0;

	assert_int_equal(core_log_open(path, &err), 0);
	for (long i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, writer, (void *)(intptr_t)i), 0);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	core_log_close();
	s = slurp(path);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long id;
		int n;
		const char *m = strstr(line, "] t: writer ");
		assert_non_null(m);
		assert_int_equal(sscanf(m, "] t: writer %ld line %d", &id, &n), 2);
		assert_non_null(strstr(line, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
		count++;
	}
	assert_int_equal(count, NTHREADS * NLINES);
	free(s);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask),
		cmocka_unit_test_setup_teardown(test_refusals, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_threads, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
