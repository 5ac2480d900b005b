/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/tmpdir.h - a temporary directory per test group, and files in
 * it (header-only: each test binary is built from one .c file). Include it
 * after <cmocka.h>. */
#ifndef TESTS_UNIT_TMPDIR_H
#define TESTS_UNIT_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../../core/util.h"

static int tmpdir_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

/* cmocka group/test setup: *state = a new directory under /tmp */
static int setup_dir(void **state)
{
	char *d = xstrdup("/tmp/vmmc-test-unit.XXXXXX");
	if (!mkdtemp(d)) {
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

static int teardown_dir(void **state)
{
	nftw(*state, tmpdir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

/* Writes dir/name; returns its path (caller frees). */
static char *write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return p;
}

#endif
