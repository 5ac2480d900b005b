/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/fuzz/fuzz_file.h - the readers under test take a path: the input
 * is written to one file in a directory of this process (under $TMPDIR;
 * tests/fuzz/run.sh gives each run its own and removes it). */
#ifndef TESTS_FUZZ_FILE_H
#define TESTS_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fz_dir[512];
static char fz_path[600];

static void fz_cleanup(void)
{
	if (fz_path[0])
		unlink(fz_path);
	if (fz_dir[0])
		rmdir(fz_dir);
}

/* name: the file's name in the directory ("config", "x.theme") */
static const char *fz_write(const uint8_t *data, size_t size, const char *name)
{
	FILE *f;
	if (!fz_dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(fz_dir, sizeof(fz_dir), "%s/vmmc-fuzz.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(fz_dir))
			abort();
		snprintf(fz_path, sizeof(fz_path), "%s/%s", fz_dir, name);
		atexit(fz_cleanup);
	}
	f = fopen(fz_path, "we");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	return fz_path;
}

#endif
