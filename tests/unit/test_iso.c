/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_iso.c - backend/be_iso.c: files read out of ISO 9660
 * images made here by xorriso and genisoimage (only the descriptors, the
 * directories and the wanted files are read: counted), the install media
 * probe (libosinfo's detection + the kernel and initrd of its media entry:
 * a Debian 11 netinst volume id with and without the initrd, an unknown
 * one, a Windows one, not an ISO), the XML helpers (names with < & "), and
 * the same reads from a volume of the real qemu:///system daemon by ranged
 * downloads (a directory pool "vmmc-iso-<pid>" in a temporary folder,
 * removed at the end). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../../backend/be_internal.h"
#include "../../backend/be_iso.h"
#include "../../backend/be_osinfo.h"
#include "../../core/util.h"
#include "tmpdir.h"

static char *tmp;
static be_osinfo *db;
static unsigned char *kernel, *initrd;
enum { KSIZE = 300 * 1024 + 17, ISIZE = 1536 * 1024 + 5, FILLER = 8 << 20 };

static unsigned char *pattern(size_t n, unsigned seed)
{
	unsigned char *b = xmalloc(n);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (unsigned char)(seed >> 16);
	}
	return b;
}

/* an image with volume id volid: install.amd/{vmlinuz,initrd.gz} (the
 * initrd only when with_initrd), a big file before them and a few others */
static char *make_iso(const char *file, const char *volid, bool with_initrd, const char *tool)
{
	char *dir = xasprintf("%s/src-%s", tmp, file);
	char *sub = xasprintf("%s/install.amd", dir);
	char *path = xasprintf("%s/%s", tmp, file), *cmd;
	unsigned char *fill = pattern(FILLER, 7);
	core_mkdir_p(sub, 0755);
	free(write_file(dir, "README.txt", "vmmc test\n", 10));
	free(write_file(dir, "aaa-filler.bin", (const char *)fill, FILLER));
	free(write_file(sub, "vmlinuz", (const char *)kernel, KSIZE));
	if (with_initrd)
		free(write_file(sub, "initrd.gz", (const char *)initrd, ISIZE));
	free(write_file(dir, "zzz-after.txt", "after\n", 6));
	if (strcmp(tool, "xorriso") == 0)
		cmd = xasprintf("xorriso -as mkisofs -quiet -R -J -V '%s' -o '%s' '%s' >/dev/null 2>&1", volid, path, dir);
	else /* with the publisher id Windows media carry */
		cmd = xasprintf("genisoimage -quiet -r -V '%s' -publisher 'MICROSOFT CORPORATION' -o '%s' '%s' "
				">/dev/null 2>&1", volid, path, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(fill);
	free(sub);
	free(dir);
	return path;
}

static int group_setup(void **state)
{
	char *err = NULL;
	(void)state;
	if (setup_dir((void **)&tmp) < 0)
		return -1;
	chmod(tmp, 0755);
	db = be_osinfo_load(NULL, &err);
	if (!db) {
		print_error("%s\n", err);
		return -1;
	}
	kernel = pattern(KSIZE, 1);
	initrd = pattern(ISIZE, 2);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	be_osinfo_free(&db);
	free(kernel);
	free(initrd);
	teardown_dir((void **)&tmp);
	return 0;
}

static void check_files(be_iso_reader *r, const char *label)
{
	be_iso_file f[3] = { { .want = "install.amd/vmlinuz" },
			     { .want = "/INSTALL.AMD/initrd.gz" },
			     { .want = "install.amd/missing" } };
	char *err = NULL;
	assert_int_equal(be_iso_files(r, f, 3, true, &err), 0);
	assert_true(f[0].found);
	assert_true(f[1].found);
	assert_false(f[2].found);
	assert_int_equal(f[0].size, KSIZE);
	assert_int_equal(f[1].size, ISIZE);
	assert_memory_equal(f[0].data, kernel, KSIZE);
	assert_memory_equal(f[1].data, initrd, ISIZE);
	assert_null(f[2].data);
	printf("iso: %s: %llu of %llu bytes read in %u reads for %d + %d bytes of files\n", label,
	       (unsigned long long)r->bytes_read, (unsigned long long)r->size, r->reads, KSIZE, ISIZE);
	/* the 8 MiB filler was skipped: well under the image's size */
	assert_true(r->bytes_read < (uint64_t)(KSIZE + ISIZE) * 2 + (512 << 10));
	assert_true(r->bytes_read + FILLER / 2 < r->size);
	free(f[0].data);
	free(f[1].data);
}

static void test_files_local(void **state)
{
	const char *tools[] = { "xorriso", "genisoimage" };
	(void)state;
	for (size_t t = 0; t < 2; t++) {
		char *file = xasprintf("files-%s.iso", tools[t]);
		char *iso = make_iso(file, "VMMC_FILES", true, tools[t]), *err = NULL;
		be_iso_reader r;
		assert_int_equal(be_iso_reader_file(&r, iso, &err), 0);
		check_files(&r, tools[t]);
		be_iso_reader_close(&r);
		free(iso);
		free(file);
	}
}

static void test_not_iso(void **state)
{
	char *plain = write_file(tmp, "plain.iso", "not an iso at all", 17), *err = NULL;
	char *missing = xasprintf("%s/missing.iso", tmp);
	be_iso_reader r;
	be_iso_file f = { .want = "x" };
	be_iso_probe p;
	(void)state;
	assert_int_equal(be_iso_reader_file(&r, plain, &err), 0);
	assert_int_equal(be_iso_files(&r, &f, 1, true, &err), -1);
	assert_non_null(err);
	xfree(&err);
	be_iso_reader_close(&r);
	assert_int_equal(be_iso_probe_file(db, plain, &p, &err), -1);
	assert_non_null(strstr(err, "not an ISO 9660 image"));
	xfree(&err);
	assert_int_equal(be_iso_probe_file(db, missing, &p, &err), -1);
	assert_non_null(strstr(err, "No such file"));
	xfree(&err);
	assert_int_equal(be_iso_probe_file(db, tmp, &p, &err), -1);
	assert_non_null(err);
	xfree(&err);
	free(plain);
	free(missing);
}

static void test_probe(void **state)
{
	char *deb = make_iso("deb.iso", "Debian 11.5.0 amd64 n", true, "xorriso");
	char *noinit = make_iso("noinit.iso", "Debian 11.5.0 amd64 n", false, "xorriso");
	char *unknown = make_iso("unknown.iso", "VMMC_RANDOM_7f3a91", true, "xorriso");
	char *win = make_iso("win.iso", "CEDNA_X86FRE_EN-US_DV9", true, "genisoimage");
	char *err = NULL;
	be_iso_probe p;
	(void)state;

	assert_int_equal(be_iso_probe_file(db, deb, &p, &err), 0);
	assert_string_equal(p.volume_id, "Debian 11.5.0 amd64 n");
	assert_string_equal(p.os_id, "http://debian.org/debian/11");
	assert_string_equal(p.family, "linux");
	assert_string_equal(p.kernel, "install.amd/vmlinuz");
	assert_string_equal(p.initrd, "install.amd/initrd.gz");
	assert_true(p.kernel_found);
	assert_true(p.text_install);
	assert_null(p.why_not);
	printf("iso: probe read %llu bytes\n", (unsigned long long)p.bytes_read);
	assert_true(p.bytes_read < (1 << 20)); /* descriptors and directories, no file */
	be_iso_probe_clear(&p);

	assert_int_equal(be_iso_probe_file(db, noinit, &p, &err), 0);
	assert_false(p.text_install);
	assert_false(p.kernel_found);
	assert_non_null(strstr(p.why_not, "initrd"));
	assert_non_null(strstr(p.why_not, "not in the ISO"));
	be_iso_probe_clear(&p);

	assert_int_equal(be_iso_probe_file(db, unknown, &p, &err), 0);
	assert_null(p.os_id);
	assert_false(p.text_install);
	assert_non_null(strstr(p.why_not, "libosinfo does not know"));
	assert_non_null(strstr(p.why_not, "VMMC_RANDOM_7f3a91"));
	be_iso_probe_clear(&p);

	assert_int_equal(be_iso_probe_file(db, win, &p, &err), 0);
	assert_non_null(p.os_id);
	assert_non_null(strstr(p.os_id, "microsoft.com"));
	assert_false(p.text_install);
	assert_non_null(strstr(p.why_not, "graphical console"));
	be_iso_probe_clear(&p);

	/* no database: unknown */
	assert_int_equal(be_iso_probe_file(NULL, deb, &p, &err), 0);
	assert_false(p.text_install);
	be_iso_probe_clear(&p);
	free(deb);
	free(noinit);
	free(unknown);
	free(win);
}

static void test_xml(void **state)
{
	const char *dom = "<domain type='qemu'><name>a&lt;b</name><os><type>hvm</type><boot dev='cdrom'/></os></domain>";
	char *x, *pu, *k, *i;
	(void)state;
	x = be_install_xml_set(dom, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0", "/p/k<&\"1", "/p/i");
	assert_non_null(x);
	assert_non_null(strstr(x, "<uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>"));
	assert_non_null(strstr(x, "<kernel>/p/k&lt;&amp;\"1</kernel>"));
	assert_non_null(strstr(x, "<initrd>/p/i</initrd>"));
	assert_non_null(strstr(x, "<name>a&lt;b</name>"));
	free(x);
	assert_null(be_install_xml_set("<pool/>", NULL, "k", "i"));
	assert_null(be_install_xml_set("not xml", NULL, "k", "i"));

	x = be_install_meta_xml("uu-id", "a<b\".kernel", "a&b.initrd");
	assert_non_null(x);
	assert_int_equal(be_install_meta_parse(x, &pu, &k, &i), 0);
	assert_string_equal(pu, "uu-id");
	assert_string_equal(k, "a<b\".kernel");
	assert_string_equal(i, "a&b.initrd");
	free(pu);
	free(k);
	free(i);
	free(x);
	assert_int_equal(be_install_meta_parse("<install pool='x'/>", &pu, &k, &i), -1);
	assert_null(pu);

	x = be_install_cmdline("http://debian.org/debian/11");
	assert_string_equal(x, "console=ttyS0,115200n8");
	free(x);
	x = be_install_cmdline("http://fedoraproject.org/fedora/37");
	assert_string_equal(x, "console=ttyS0,115200n8 inst.text");
	free(x);
}

static void quiet(void *u, virErrorPtr e)
{
	(void)u, (void)e;
}

/* a volume's bytes */
static unsigned char *vol_bytes(virConnectPtr conn, virStoragePoolPtr pool, const char *name, size_t *len)
{
	virStorageVolPtr v = virStorageVolLookupByName(pool, name);
	virStorageVolInfo info;
	virStreamPtr st = virStreamNew(conn, 0);
	unsigned char *b;
	size_t got = 0;
	int n = 0;
	assert_non_null(v);
	assert_int_equal(virStorageVolGetInfo(v, &info), 0);
	b = xmalloc(info.capacity + 1);
	assert_int_equal(virStorageVolDownload(v, st, 0, 0, 0), 0);
	while ((n = virStreamRecv(st, (char *)b + got, info.capacity + 1 - got)) > 0)
		got += (size_t)n;
	assert_int_equal(n, 0);
	assert_int_equal(virStreamFinish(st), 0);
	virStreamFree(st);
	virStorageVolFree(v);
	*len = got;
	return b;
}

static bool vol_exists(virStoragePoolPtr pool, const char *name)
{
	virStorageVolPtr v = virStorageVolLookupByName(pool, name);
	if (v)
		virStorageVolFree(v);
	return v != NULL;
}

/* The installer's kernel and initrd streamed from the image volume into
 * two new volumes of the pool (one download each, straight into the
 * upload); a missing file: nothing made; a name that exists (the second
 * file's volume cannot be made): the first one, made, is removed again. */
static void extract_into(virConnectPtr conn, virStoragePoolPtr pool, virStorageVolPtr iso, const char *prefix)
{
	char *kn = xasprintf("%s-kernel", prefix), *in = xasprintf("%s-initrd", prefix), *err = NULL;
	const char *const names[2] = { kn, in };
	be_iso_file f[2] = { { .want = "install.amd/vmlinuz" }, { .want = "install.amd/initrd.gz" } };
	be_iso_extract_stats x;
	be_iso_reader r;
	unsigned char *b;
	size_t len;
	virStorageVolPtr v;

	assert_int_equal(be_iso_reader_vol(&r, conn, iso, &err), 0);
	assert_int_equal(be_iso_extract(conn, &r, pool, f, names, &x, &err), 0);
	printf("iso: extracted %llu bytes: %llu read (%llu again from kept reads) in %u reads, %u downloads; "
	       "directories %lld ms, kernel %lld ms, initrd %lld ms\n",
	       (unsigned long long)x.bytes, (unsigned long long)(r.bytes_read - r.cached),
	       (unsigned long long)r.cached, r.reads, r.streams, (long long)x.dirs_ms, (long long)x.file_ms[0],
	       (long long)x.file_ms[1]);
	assert_int_equal(x.bytes, KSIZE + ISIZE);
	assert_true(r.cached > 0);            /* the directories' second pass cost no download */
	assert_true(r.bytes_read - r.cached < (uint64_t)(KSIZE + ISIZE) + (1 << 20));
	be_iso_reader_vol_close(&r);
	b = vol_bytes(conn, pool, kn, &len);
	assert_int_equal(len, KSIZE);
	assert_memory_equal(b, kernel, KSIZE);
	free(b);
	b = vol_bytes(conn, pool, in, &len);
	assert_int_equal(len, ISIZE);
	assert_memory_equal(b, initrd, ISIZE);
	free(b);

	/* the initrd's volume exists now: the kernel's (made first) goes again,
	 * the one that was there stays */
	assert_true((v = virStorageVolLookupByName(pool, kn)) != NULL);
	assert_int_equal(virStorageVolDelete(v, 0), 0);
	virStorageVolFree(v);
	assert_int_equal(be_iso_reader_vol(&r, conn, iso, &err), 0);
	assert_int_equal(be_iso_extract(conn, &r, pool, f, names, &x, &err), -1);
	printf("iso: extract over an existing volume: %s\n", err);
	assert_non_null(err);
	xfree(&err);
	be_iso_reader_vol_close(&r);
	assert_false(vol_exists(pool, kn));
	assert_true(vol_exists(pool, in));
	assert_false(x.left[0]);

	/* a file the image lacks: an error, nothing made */
	assert_true((v = virStorageVolLookupByName(pool, in)) != NULL);
	assert_int_equal(virStorageVolDelete(v, 0), 0);
	virStorageVolFree(v);
	f[1].want = "install.amd/missing";
	assert_int_equal(be_iso_reader_vol(&r, conn, iso, &err), 0);
	assert_int_equal(be_iso_extract(conn, &r, pool, f, names, &x, &err), -1);
	assert_non_null(strstr(err, "install.amd/missing is not in the ISO"));
	xfree(&err);
	be_iso_reader_vol_close(&r);
	assert_false(vol_exists(pool, kn));
	assert_false(vol_exists(pool, in));
	free(kn);
	free(in);
}

/* A reader that breaks after `left` bytes (the link cut mid-extract). */
struct cut_reader {
	be_iso_reader inner;
	uint64_t left;
};

static ssize_t cut_pread(void *ctx, void *buf, size_t len, uint64_t off, char **err)
{
	struct cut_reader *c = ctx;
	ssize_t n;
	if (len > c->left) {
		*err = xstrdup("the link was cut");
		return -1;
	}
	n = c->inner.pread(c->inner.ctx, buf, len, off, err);
	if (n > 0)
		c->left -= (uint64_t)n;
	return n;
}

/* The image's bytes stop coming in the middle of the files (the initrd
 * comes first in these images, then the kernel): the error says why, and
 * neither volume is left (one done is removed too; the one being written
 * has its upload aborted and is removed). */
static void extract_cut(virConnectPtr conn, virStoragePoolPtr pool, const char *iso, const char *prefix)
{
	char *kn = xasprintf("%s-ckernel", prefix), *in = xasprintf("%s-cinitrd", prefix), *err = NULL;
	const char *const names[2] = { kn, in };
	be_iso_file f[2] = { { .want = "install.amd/vmlinuz" }, { .want = "install.amd/initrd.gz" } };
	be_iso_extract_stats x;
	struct cut_reader c = { .left = UINT64_MAX };
	be_iso_reader r = { 0 };
	uint64_t all;
	virStorageVolPtr v;

	assert_int_equal(be_iso_reader_file(&c.inner, iso, &err), 0);
	r.pread = cut_pread;
	r.ctx = &c;
	r.size = c.inner.size;
	/* uncut: what it reads in all; then the same cut 100 KiB before that
	 * (in the last file: the first one's volume is done by then) */
	assert_int_equal(be_iso_extract(conn, &r, pool, f, names, &x, &err), 0);
	all = UINT64_MAX - c.left;
	for (size_t i = 0; i < 2; i++) {
		assert_non_null(v = virStorageVolLookupByName(pool, names[i]));
		assert_int_equal(virStorageVolDelete(v, 0), 0);
		virStorageVolFree(v);
	}
	c.left = all - (100 << 10);
	assert_int_equal(be_iso_extract(conn, &r, pool, f, names, &x, &err), -1);
	printf("iso: extract cut %llu bytes in of %llu: %s; first file done in %lld + %lld ms\n",
	       (unsigned long long)(all - (100 << 10)), (unsigned long long)all, err, (long long)x.file_ms[0],
	       (long long)x.file_ms[1]);
	assert_non_null(strstr(err, "the link was cut"));
	assert_false(x.left[0]);
	assert_false(x.left[1]);
	assert_false(vol_exists(pool, kn));
	assert_false(vol_exists(pool, in));
	free(err);
	be_iso_reader_close(&c.inner);
	free(kn);
	free(in);
}

/* the same image as a volume of the real daemon: ranged downloads */
static void test_files_volume(void **state)
{
	char *iso = make_iso("vol.iso", "Debian 11.5.0 amd64 n", true, "xorriso"), *err = NULL;
	char *pooldir = xasprintf("%s/pool", tmp), *name = xasprintf("vmmc-iso-%d", (int)getpid()), *xml, *cmd;
	virConnectPtr conn;
	virStoragePoolPtr pool;
	virStorageVolPtr vol;
	be_iso_reader r;
	be_iso_probe p;
	(void)state;
	virSetErrorFunc(NULL, quiet);
	conn = virConnectOpen("qemu:///system");
	assert_non_null(conn);
	core_mkdir_p(pooldir, 0755);
	cmd = xasprintf("cp '%s' '%s/install.iso'", iso, pooldir);
	assert_int_equal(system(cmd), 0);
	xml = xasprintf("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>", name, pooldir);
	pool = virStoragePoolCreateXML(conn, xml, 0); /* transient: gone when destroyed */
	assert_non_null(pool);
	vol = virStorageVolLookupByName(pool, "install.iso");
	assert_non_null(vol);

	assert_int_equal(be_iso_reader_vol(&r, conn, vol, &err), 0);
	check_files(&r, "volume");
	/* a file read in one download: the descriptors and directories (a few
	 * small ones) and one long one per file at most */
	printf("iso: volume: %u downloads\n", r.streams);
	assert_true(r.streams <= 8);
	be_iso_reader_vol_close(&r);

	extract_into(conn, pool, vol, name);
	extract_cut(conn, pool, iso, name);

	assert_int_equal(be_iso_reader_vol(&r, conn, vol, &err), 0);
	assert_int_equal(be_iso_probe_reader(db, &r, &p, &err), 0);
	assert_true(p.text_install);
	assert_string_equal(p.os_id, "http://debian.org/debian/11");
	printf("iso: volume probe: %llu bytes in %u ranged reads\n", (unsigned long long)r.bytes_read, r.reads);
	assert_true(r.bytes_read < (1 << 20));
	be_iso_probe_clear(&p);
	be_iso_reader_vol_close(&r);

	virStorageVolFree(vol);
	assert_int_equal(virStoragePoolDestroy(pool), 0);
	virStoragePoolFree(pool);
	virConnectClose(conn);
	free(cmd);
	free(xml);
	free(name);
	free(pooldir);
	free(iso);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_local),
		cmocka_unit_test(test_not_iso),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_xml),
		cmocka_unit_test(test_files_volume),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
