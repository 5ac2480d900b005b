/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_core.c - core/util and core/msgq. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdbool.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../core/msgq.h"
#include "../../core/util.h"

static void test_xasprintf(void **state)
{
	char *s = xasprintf("%s-%d-%05.1f", "a", 42, 3.14159), *big;
	(void)state;
	assert_string_equal(s, "a-42-003.1");
	free(s);
	big = xmalloc(10001);
	memset(big, 'z', 10000);
	big[10000] = '\0';
	s = xasprintf("<%s>", big);
	assert_int_equal(strlen(s), 10002);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[10001], '>');
	free(s);
	free(big);
	s = xasprintf("%s", "");
	assert_string_equal(s, "");
	xfree(&s);
	assert_null(s);
	xfree(&s); /* twice is fine */
}

static void test_strings(void **state)
{
	char *s;
	(void)state;
	assert_null(xstrdup(NULL));
	s = xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	core_str_set(&s, "other");
	assert_string_equal(s, "other");
	core_str_set(&s, NULL);
	assert_null(s);
	s = xstrdup("secret");
	xfree_secret(&s);
	assert_null(s);
	assert_true(core_str_eq(NULL, NULL));
	assert_false(core_str_eq("a", NULL));
	assert_false(core_str_eq(NULL, "a"));
	assert_true(core_str_eq("a", "a"));
	assert_false(core_str_eq("a", "b"));
	assert_true(core_str_has_prefix("qemu+ssh://h", "qemu+ssh:"));
	assert_false(core_str_has_prefix("qemu", "qemu+ssh:"));
	assert_false(core_str_has_prefix(NULL, "x"));
}

static void test_xgrow(void **state)
{
	int *a = NULL, *before;
	size_t cap = 0;
	(void)state;
	xgrow(&a, &cap, 1, sizeof(*a));
	assert_non_null(a);
	assert_true(cap >= 1);
	for (int i = 0; i < (int)cap; i++)
		a[i] = i;
	xgrow(&a, &cap, 1000, sizeof(*a));
	assert_true(cap >= 1000);
	for (int i = 0; i < 8; i++)
		assert_int_equal(a[i], i); /* kept */
	for (int i = 0; i < 1000; i++)
		a[i] = i * 3;               /* all writable (ASan checks) */
	before = a;
	xgrow(&a, &cap, 10, sizeof(*a)); /* already big enough */
	assert_ptr_equal(a, before);
	assert_int_equal(a[999], 2997);
	free(a);
}

static void test_trim(void **state)
{
	static const char *const cases[][2] = {
		{ "  a b \t\r\n", "a b" }, { "", "" }, { " \t\n ", "" }, { "x", "x" },
		{ "\tx", "x" }, { "x\n", "x" }, { "a  b", "a  b" },
	};
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(cases); i++) {
		char *s = xstrdup(cases[i][0]);
		assert_ptr_equal(core_str_trim(s), s);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

static void test_fmt(void **state)
{
	static const struct { int64_t secs; const char *out; } up[] = {
		{ -1, "-" }, { 0, "00:00:00" }, { 59, "00:00:59" }, { 3661, "01:01:01" },
		{ 86399, "23:59:59" }, { 86400, "1d 00:00" },
		{ 3 * 86400 + 4 * 3600 + 5 * 60 + 6, "3d 04:05" }, { 400LL * 86400, "400d 00:00" },
	};
	static const struct { unsigned long long kib; const char *out; } kib[] = {
		{ 0, "0 KiB" }, { 512, "512 KiB" }, { 1023, "1023 KiB" }, { 1024, "1 MiB" },
		{ 1025, "1.00 MiB" }, /* not exact: decimals say so */
		{ 1536, "1.50 MiB" }, { 1997, "1.95 MiB" }, { 200 * 1024 + 300, "200 MiB" },
		{ 19 * 1024 + 512, "19.5 MiB" }, { 10235, "10.0 MiB" }, /* 9.9951 rounds up: one decimal */
		{ 1048575, "1.00 GiB" }, /* 1023.999 MiB: never "1024 MiB" */
		{ 1000 * 1024 + 1, "0.98 GiB" }, { 999 * 1024 + 1, "999 MiB" }, { 1048576, "1 GiB" },
		{ 1572864, "1.50 GiB" }, { 4ULL << 30, "4 TiB" }, { 1ULL << 40, "1 PiB" },
		{ 1ULL << 50, "1 EiB" }, { ~0ULL, "16.0 ZiB" },
	};
	/* what virsh vol-list --details printed for these sizes (libvirt 9.0) */
	static const struct { unsigned long long bytes; const char *out; } bytes[] = {
		{ 0, "0.00 B" }, { 5, "5.00 B" }, { 1000, "1000.00 B" }, { 1023, "1023.00 B" },
		{ 1024, "1.00 KiB" }, { 1997, "1.95 KiB" }, { 1048575, "1024.00 KiB" },
		{ 1073741823, "1024.00 MiB" }, { 100ULL << 30, "100.00 GiB" }, { 3ULL << 40, "3.00 TiB" },
		{ 1ULL << 50, "1.00 PiB" }, { 1ULL << 60, "1.00 EiB" }, { 9223372036854775807ULL, "8.00 EiB" },
	};
	char buf[32];
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(up); i++) {
		core_fmt_uptime(up[i].secs, buf, sizeof(buf));
		assert_string_equal(buf, up[i].out);
	}
	for (size_t i = 0; i < CORE_ARRAY_LEN(kib); i++) {
		core_fmt_kib(kib[i].kib, buf, sizeof(buf));
		assert_string_equal(buf, kib[i].out);
		assert_true(strlen(buf) <= 8); /* the Memory column */
	}
	for (size_t i = 0; i < CORE_ARRAY_LEN(bytes); i++) {
		core_fmt_bytes(bytes[i].bytes, buf, sizeof(buf));
		assert_string_equal(buf, bytes[i].out);
	}
	core_fmt_uptime(3661, buf, 4); /* truncated, terminated */
	assert_string_equal(buf, "01:");
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static void test_mkdir_p(void **state)
{
	char tmpl[] = "/tmp/vmmc-test-core.XXXXXX", *p, *f;
	struct stat st;
	FILE *fp;
	mode_t old = umask(022);
	(void)state;
	assert_non_null(mkdtemp(tmpl));
	p = xasprintf("%s/a/b/c", tmpl);
	assert_int_equal(core_mkdir_p(p, 0750), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(core_mkdir_p(p, 0750), 0); /* exists: fine */
	free(p);
	p = xasprintf("%s/a/b/c/", tmpl);          /* trailing slash */
	assert_int_equal(core_mkdir_p(p, 0700), 0);
	free(p);
	/* A file in the way, in the middle or at the end. */
	f = xasprintf("%s/file", tmpl);
	fp = fopen(f, "w");
	assert_non_null(fp);
	fclose(fp);
	p = xasprintf("%s/sub", f);
	errno = 0;
	assert_int_equal(core_mkdir_p(p, 0700), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(core_mkdir_p(f, 0700), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(core_mkdir_p("", 0700), -1);
	free(p);
	free(f);
	nftw(tmpl, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	umask(old);
}

static void test_config_dir(void **state)
{
	char *oldx = xstrdup(getenv("XDG_CONFIG_HOME")), *oldh = xstrdup(getenv("HOME")), *d;
	(void)state;
	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	d = core_config_dir();
	assert_string_equal(d, "/cfg/vmmc");
	free(d);
	setenv("XDG_CONFIG_HOME", "relative", 1); /* ignored, as the spec says */
	setenv("HOME", "/home/u", 1);
	d = core_config_dir();
	assert_string_equal(d, "/home/u/.config/vmmc");
	free(d);
	if (oldx)
		setenv("XDG_CONFIG_HOME", oldx, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	if (oldh)
		setenv("HOME", oldh, 1);
	free(oldx);
	free(oldh);
}

/* ---- msgq ----------------------------------------------------------------- */

static bool fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static int freed_count;

static void count_free(void *it)
{
	freed_count++;
	free(it);
}

static void test_msgq_fifo(void **state)
{
	core_msgq *q = core_msgq_new(count_free);
	int *it;
	(void)state;
	assert_false(fd_readable(core_msgq_fd(q)));
	assert_null(core_msgq_pop(q));
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 100; i++) {
			int *v = xmalloc(sizeof(*v));
			*v = i;
			core_msgq_post(q, v);
			assert_true(fd_readable(core_msgq_fd(q)));
		}
		assert_int_equal(core_msgq_len(q), 100);
		for (int i = 0; i < 100; i++) {
			assert_true(fd_readable(core_msgq_fd(q)));
			it = core_msgq_pop(q);
			assert_non_null(it);
			assert_int_equal(*it, i);
			free(it);
		}
		assert_int_equal(core_msgq_len(q), 0);
		assert_false(fd_readable(core_msgq_fd(q)));
		assert_null(core_msgq_pop(q));
	}
	/* Items left at the end go to free_fn. */
	freed_count = 0;
	for (int i = 0; i < 3; i++)
		core_msgq_post(q, xmalloc(4));
	core_msgq_free(&q);
	assert_null(q);
	assert_int_equal(freed_count, 3);
	core_msgq_free(&q); /* NULL: no-op */
}

#define NTHREADS 4
#define NITEMS 10000

struct producer {
	core_msgq *q;
	int id;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	for (int i = 0; i < NITEMS; i++) /* items are tags, not memory: +1 keeps them non-NULL */
		core_msgq_post(p->q, (void *)(uintptr_t)(p->id * NITEMS + i + 1));
	return NULL;
}

static void test_msgq_threads(void **state)
{
	core_msgq *q = core_msgq_new(NULL);
	struct producer prod[NTHREADS];
	pthread_t th[NTHREADS];
	unsigned char *seen = xcalloc(NTHREADS * NITEMS, 1);
	int last[NTHREADS], got = 0;
	(void)state;

	for (int t = 0; t < NTHREADS; t++) {
		last[t] = -1;
		prod[t] = (struct producer){ q, t };
		assert_int_equal(pthread_create(&th[t], NULL, produce, &prod[t]), 0);
	}
	/* Consume like the UI does: pop until empty, then wait on the fd. A
	 * lost wake-up would time out here. */
	while (got < NTHREADS * NITEMS) {
		void *it = core_msgq_pop(q);
		int v, t;
		if (!it) {
			struct pollfd p = { .fd = core_msgq_fd(q), .events = POLLIN };
			if (poll(&p, 1, 5000) != 1)
				fail_msg("no wake-up with %d of %d items received", got, NTHREADS * NITEMS);
			continue;
		}
		v = (int)(uintptr_t)it - 1;
		assert_in_range(v, 0, NTHREADS * NITEMS - 1);
		assert_int_equal(seen[v], 0);
		seen[v] = 1;
		t = v / NITEMS;
		assert_true(v % NITEMS > last[t]); /* each producer's order is kept */
		last[t] = v % NITEMS;
		got++;
	}
	for (int t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	assert_null(core_msgq_pop(q));
	assert_false(fd_readable(core_msgq_fd(q)));
	for (int i = 0; i < NTHREADS * NITEMS; i++)
		assert_int_equal(seen[i], 1);
	free(seen);
	core_msgq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xasprintf),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_xgrow),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_mkdir_p),
		cmocka_unit_test(test_config_dir),
		cmocka_unit_test(test_msgq_fifo),
		cmocka_unit_test(test_msgq_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
