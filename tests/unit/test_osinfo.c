/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_osinfo.c - backend/be_osinfo.c against the system's
 * osinfo-db: load time, look-ups, search, recommended resources and their
 * fallback, virtio and UEFI needs, and install media detected from ISO
 * images made here (genisoimage / xorriso) whose volume ids match osinfo-db
 * entries, or nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../backend/be_osinfo.h"
#include "../../core/util.h"
#include "tmpdir.h"

static char *tmp;
static be_osinfo *db;

static int group_setup(void **state)
{
	char *err = NULL;
	(void)state;
	if (setup_dir((void **)&tmp) < 0)
		return -1;
	db = be_osinfo_load(NULL, &err);
	if (!db) {
		print_error("%s\n", err);
		return -1;
	}
	printf("osinfo: %zu OSes loaded in %lld ms\n", be_osinfo_count(db), (long long)be_osinfo_load_ms(db));
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	be_osinfo_free(&db);
	teardown_dir((void **)&tmp);
	return 0;
}

static void test_find(void **state)
{
	const be_os *d11 = be_osinfo_find(db, "debian11");
	const be_os *w11 = be_osinfo_find(db, "http://microsoft.com/win/11");
	(void)state;
	assert_true(be_osinfo_count(db) > 300);
	assert_non_null(d11);
	assert_string_equal(d11->id, "http://debian.org/debian/11");
	assert_string_equal(d11->name, "Debian 11");
	assert_string_equal(d11->family, "linux");
	assert_true(d11->virtio_disk);
	assert_true(d11->virtio_net);
	assert_false(d11->needs_uefi);
	assert_true(d11->rec_ram >= (1ULL << 30));
	assert_non_null(be_osinfo_find(db, "http://debian.org/debian/11"));
	assert_ptr_equal(be_osinfo_find(db, "http://debian.org/debian/11"), d11);

	assert_non_null(w11);
	assert_string_equal(w11->short_id, "win11");
	assert_true(w11->needs_uefi);
	assert_false(w11->virtio_disk); /* no in-box virtio driver */
	assert_int_equal(w11->rec_ram, 0); /* osinfo-db gives only its minimum */
	assert_int_equal(w11->min_ram, 4ULL << 30);
	assert_int_equal(w11->min_cpus, 2);
	assert_int_equal(w11->min_storage, 64ULL << 30);

	assert_null(be_osinfo_find(db, "no-such-os"));
	assert_null(be_osinfo_find(db, ""));
	assert_null(be_osinfo_find(db, NULL));
}

static void test_search(void **state)
{
	size_t n, all;
	const be_os **r;
	(void)state;
	r = be_osinfo_search(db, "win11", 0, &n);
	assert_true(n >= 1);
	assert_string_equal(r[0]->short_id, "win11"); /* the exact short id first */
	free(r);

	r = be_osinfo_search(db, "Debian 11", 5, &n);
	assert_true(n >= 1 && n <= 5);
	for (size_t i = 0; i < n; i++)
		assert_non_null(strcasestr(r[i]->name, "debian"));
	assert_string_equal(r[0]->short_id, "debian11");
	free(r);

	r = be_osinfo_search(db, "  FEDORA  ", 0, &n); /* case, blanks */
	assert_true(n > 10);
	for (size_t i = 0; i + 1 < n; i++) /* newest first */
		if (r[i]->release && r[i + 1]->release)
			assert_true(strcmp(r[i]->release, r[i + 1]->release) >= 0);
	free(r);

	r = be_osinfo_search(db, "zz-no-such-thing", 0, &n);
	assert_int_equal(n, 0);
	free(r);

	r = be_osinfo_search(db, "", 0, &all);
	assert_int_equal(all, be_osinfo_count(db));
	free(r);
}

static void test_defaults(void **state)
{
	uint64_t ram, storage;
	unsigned cpus;
	(void)state;
	be_os_defaults(NULL, &ram, &cpus, &storage);
	assert_int_equal(ram, 1ULL << 30);
	assert_int_equal(cpus, 1);
	assert_int_equal(storage, 20ULL << 30);
	be_os_defaults(be_osinfo_find(db, "win11"), &ram, &cpus, &storage);
	assert_int_equal(ram, 4ULL << 30);
	assert_int_equal(cpus, 2);
	assert_int_equal(storage, 64ULL << 30);
}

/* an ISO image with that volume id, made by tool (genisoimage or xorriso) */
static char *make_iso(const char *file, const char *volid, const char *tool)
{
	char *dir = xasprintf("%s/iso-src", tmp);
	char *path = xasprintf("%s/%s", tmp, file);
	char *cmd;
	core_mkdir_p(dir, 0755);
	free(write_file(dir, "README.txt", "vmmc test\n", 10));
	free(write_file(dir, "boot.img", "\xeb\xfe", 2)); /* an El Torito image: jmp $ */
	if (strcmp(tool, "xorriso") == 0)
		cmd = xasprintf("xorriso -as mkisofs -quiet -V '%s' -o '%s' '%s' >/dev/null 2>&1", volid, path, dir);
	else /* bootable, like a real installer's */
		cmd = xasprintf("genisoimage -quiet -V '%s' -b boot.img -no-emul-boot -boot-load-size 4 -o '%s' '%s' "
				">/dev/null 2>&1", volid, path, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
	return path;
}

static void test_detect(void **state)
{
	const be_os *os = NULL;
	char *err = NULL, *vid;
	char *deb = make_iso("debian-11.iso", "Debian 11.5.0 amd64 n", "genisoimage");
	char *deb10 = make_iso("debian-10.iso", "Debian 10.13.0 amd64 n", "xorriso");
	char *unknown = make_iso("unknown.iso", "VMMC_RANDOM_7f3a91", "xorriso");
	char *plain = write_file(tmp, "plain.iso", "not an iso", 10);
	char *missing = xasprintf("%s/missing.iso", tmp);
	int64_t t0;
	(void)state;

	vid = be_iso_volume_id(deb, &err);
	assert_string_equal(vid, "Debian 11.5.0 amd64 n");
	free(vid);

	t0 = core_now_ms();
	if (be_osinfo_detect(db, deb, &os, &err) != 1)
		fail_msg("debian-11.iso: %s", err ? err : "not detected");
	printf("osinfo: detected %s in %lld ms\n", os->short_id, (long long)(core_now_ms() - t0));
	assert_string_equal(os->short_id, "debian11");
	assert_int_equal(be_osinfo_detect(db, deb10, &os, &err), 1);
	assert_string_equal(os->short_id, "debian10");
	assert_int_equal(be_osinfo_detect(db, unknown, &os, &err), 0);
	assert_null(os);

	assert_int_equal(be_osinfo_detect(db, missing, &os, &err), -1);
	assert_non_null(strstr(err, "No such file or directory"));
	xfree(&err);
	assert_int_equal(be_osinfo_detect(db, tmp, &os, &err), -1);
	assert_non_null(strstr(err, "is a folder"));
	xfree(&err);
	assert_int_equal(be_osinfo_detect(db, plain, &os, &err), -1);
	assert_non_null(strstr(err, "not an ISO 9660 image"));
	xfree(&err);

	free(deb);
	free(deb10);
	free(unknown);
	free(plain);
	free(missing);
}

static void test_shared(void **state)
{
	const be_osinfo *s;
	int64_t t0 = core_now_ms();
	(void)state;
	be_osinfo_preload();
	be_osinfo_preload(); /* once */
	s = be_osinfo_shared_wait(60000);
	assert_non_null(s);
	printf("osinfo: shared load ready after %lld ms (its load: %lld ms)\n", (long long)(core_now_ms() - t0),
	       (long long)be_osinfo_load_ms(s));
	assert_ptr_equal(be_osinfo_shared(), s);
	assert_null(be_osinfo_shared_error());
	assert_non_null(be_osinfo_find(s, "debian11"));
}

static void test_copy(void **state)
{
	be_os c;
	(void)state;
	be_os_copy(&c, be_osinfo_find(db, "debian11"));
	assert_string_equal(c.short_id, "debian11");
	assert_true(c.virtio_disk);
	be_os_clear(&c);
	assert_null(c.id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_copy),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
