/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_newvm_cloud.c - the New VM wizard's cloud image source
 * (wizards/newvm.c, no curses, no daemon): the image's format and virtual
 * size from its qcow2 header (an image made here by qemu-img), the checks
 * on the right fields (image, host name, user, size below the image's, a
 * volume name taken), Finish's steps for a local and a pooled image
 * (upload or copy, grow, seed, define), the seed's files with the chosen
 * keys and the password only as its hash, and the XML (disk + seed CD-ROM,
 * booting from the disk) passing virt-xml-validate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <crypt.h>

#include "tmpdir.h"

#include "../../core/util.h"
#include "../../core/wizard.h"
#include "../../wizards/newvm.h"

static char *tmp, *image;
static be_osinfo *db;
static md_vol vols[2];
static md_pool pools[1];
static md_host host;
static wz_caps caps;

#define KEY_A "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA a@x"
#define KEY_B "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB b@x"

static wz_newvm *new_wizard(void)
{
	memset(&host, 0, sizeof(host));
	host.id = 3;
	host.uri = "qemu:///system";
	host.label = "lab";
	host.conn = MD_CONN_CONNECTED;
	vols[0] = (md_vol){ .name = "jammy.qcow2", .format = "qcow2", .capacity = 2ULL << 30, .path = "jammy.qcow2" };
	vols[1] = (md_vol){ .name = "taken-seed.iso", .format = "raw", .capacity = 1 << 20, .path = "taken-seed.iso" };
	pools[0] = (md_pool){ .name = "default", .type = "dir", .active = true, .available = 100ULL << 30, .vols = vols,
			      .nvols = 2 };
	strcpy(pools[0].uuid, "11111111-1111-1111-1111-111111111111");
	host.pools = pools;
	host.npools = 1;
	caps = (wz_caps){ .known = true, .arch = "x86_64", .mem_bytes = 8ULL << 30, .cpus = 2, .max_vcpus = 255 };
	return wz_newvm_new(&host, &caps, db);
}

static const char *issue(wz_newvm *w, int page, const char *field, core_issues *is)
{
	const core_issue *i;
	wz_newvm_check(w, page, is);
	i = core_issues_for(is, field);
	return i ? i->text : NULL;
}

static void test_image_info(void **state)
{
	bool qcow2 = false;
	uint64_t vsize = 0;
	char *err = NULL, *raw = write_file(tmp, "raw.img", "abc", 3);
	(void)state;
	assert_int_equal(wz_cloud_image_info(image, &qcow2, &vsize, &err), 0);
	assert_true(qcow2);
	assert_int_equal(vsize, 64ULL << 20);
	assert_int_equal(wz_cloud_image_info(raw, &qcow2, &vsize, &err), 0);
	assert_false(qcow2);
	assert_int_equal(vsize, 3);
	assert_int_equal(wz_cloud_image_info("/nonexistent/x.qcow2", &qcow2, &vsize, &err), -1);
	assert_non_null(strstr(err, "No such file"));
	free(err);
	free(raw);
}

static void test_checks(void **state)
{
	wz_newvm *w = new_wizard();
	core_issues is = { 0 };
	const char *t;
	(void)state;
	assert_int_equal(wz_newvm_set_value(w, "name", "web 1"), 0);
	assert_int_equal(wz_newvm_set_value(w, "source", "5"), 0);
	assert_int_equal(wz_newvm_set_value(w, "cloud_from", "0"), 0);
	t = issue(w, WZ_PAGE_SOURCE, "cloud_local", &is);
	assert_non_null(t);
	assert_non_null(strstr(t, "enter the path"));
	/* the VM's name is no host name: the field says so */
	t = issue(w, WZ_PAGE_SOURCE, "ci_hostname", &is);
	assert_non_null(t);
	assert_non_null(strstr(t, "Host name \"web 1\""));
	assert_int_equal(wz_newvm_set_value(w, "ci_hostname", "web-1"), 0);
	assert_int_equal(wz_newvm_set_value(w, "cloud_local", image), 0);
	assert_int_equal(wz_newvm_set_value(w, "ci_user", "Bad User"), 0);
	t = issue(w, WZ_PAGE_SOURCE, "ci_user", &is);
	assert_non_null(t);
	assert_non_null(strstr(t, "User name"));
	assert_int_equal(wz_newvm_set_value(w, "ci_user", "ann"), 0);
	assert_int_equal(wz_newvm_set_value(w, "ci_password", "pw"), 0);
	assert_int_equal(wz_newvm_check(w, WZ_PAGE_SOURCE, &is), 0);
	/* storage: the disk at least the image's 64 MiB */
	assert_int_equal(wz_newvm_set_value(w, "disk_size", "32M"), 0);
	t = issue(w, WZ_PAGE_STORAGE, "disk_size", &is);
	assert_non_null(t);
	assert_non_null(strstr(t, "the image is 64 MiB"));
	assert_int_equal(wz_newvm_set_value(w, "disk_size", "1G"), 0);
	assert_int_equal(wz_newvm_check(w, WZ_PAGE_STORAGE, &is), 0);
	/* a seed volume of that name is there already */
	assert_int_equal(wz_newvm_set_value(w, "name", "taken"), 0);
	assert_int_equal(wz_newvm_set_value(w, "ci_hostname", ""), 0);
	t = issue(w, WZ_PAGE_STORAGE, "disk_pool", &is);
	assert_non_null(t);
	assert_non_null(strstr(t, "taken-seed.iso"));
	/* the pooled image: an ISO is no disk image */
	assert_int_equal(wz_newvm_set_value(w, "cloud_from", "1"), 0);
	assert_int_equal(wz_newvm_set_value(w, "cloud_vol", "default/taken-seed.iso"), 0);
	assert_int_equal(wz_newvm_set_value(w, "name", "web1"), 0);
	t = issue(w, WZ_PAGE_SOURCE, "cloud_vol", &is);
	assert_non_null(t);
	assert_non_null(strstr(t, "is an ISO"));
	core_issues_clear(&is);
	wz_newvm_free(&w);
}

static const core_step *step_of(const core_step *v, size_t n, int kind)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == kind)
			return &v[i];
	return NULL;
}

static void test_local_plan(void **state)
{
	wz_newvm *w = new_wizard();
	char *err = NULL, *xml, *v, *path, *cmd;
	core_step *steps;
	const core_step *s;
	size_t n = 0;
	struct crypt_data cd;
	const char *hash;
	(void)state;
	wz_newvm_set_value(w, "name", "cloud1");
	wz_newvm_set_value(w, "source", "5");
	wz_newvm_set_value(w, "cloud_local", image);
	wz_newvm_set_value(w, "ci_user", "ann");
	wz_newvm_set_value(w, "ci_password", "Pa55 word");
	wz_newvm_set_value(w, "disk_size", "1G");
	wz_newvm_set_value(w, "nic", "3");
	v = wz_newvm_get_value(w, "ci_keys");
	assert_string_equal(v, ""); /* not known yet */
	free(v);
	assert_int_equal(wz_newvm_set_value(w, "ci_keys", KEY_A "\n" KEY_B "\n"), 0);
	v = wz_newvm_get_value(w, "ci_keys");
	assert_string_equal(v, "2");
	free(v);
	assert_int_equal(wz_newvm_set_value(w, "ci_key:1", "0"), 0); /* B unchecked */
	assert_int_equal(wz_newvm_set_value(w, "ci_key:2", "1"), -1);
	v = wz_newvm_get_value(w, "ci_key_label:0");
	assert_string_equal(v, "ssh-ed25519 AAAAC3Nz...AAAA a@x");
	free(v);
	v = wz_newvm_get_value(w, "ci_password");
	assert_string_equal(v, "Pa55 word");
	free(v);

	steps = wz_newvm_plan(w, &n, &err);
	if (!steps)
		fail_msg("plan: %s", err);
	assert_int_equal(steps[0].kind, CORE_STEP_UPLOAD);
	assert_string_equal(steps[0].local, image);
	assert_string_equal(steps[0].vol, "cloud1.qcow2");
	assert_string_equal(steps[0].pool_uuid, pools[0].uuid);
	assert_int_equal(steps[1].kind, CORE_STEP_VOL_RESIZE);
	assert_string_equal(steps[1].vol, "cloud1.qcow2");
	assert_int_equal(steps[1].size, 1ULL << 30);
	assert_int_equal(steps[2].kind, CORE_STEP_SEED);
	assert_string_equal(steps[2].vol, "cloud1-seed.iso");
	assert_null(step_of(steps, n, CORE_STEP_VOL_CREATE)); /* the image is the disk */
	assert_non_null(step_of(steps, n, CORE_STEP_DEFINE));
	s = &steps[2];
	assert_non_null(strstr(s->seed_meta, "local-hostname: \"cloud1\""));
	assert_non_null(strstr(s->seed_user, KEY_A));
	assert_null(strstr(s->seed_user, KEY_B));
	assert_null(strstr(s->seed_user, "Pa55"));
	/* the hash in it verifies the password */
	hash = strstr(s->seed_user, "passwd: \"$6$");
	assert_non_null(hash);
	{
		char *h = xstrndup(hash + 9, strcspn(hash + 9, "\""));
		memset(&cd, 0, sizeof(cd));
		assert_string_equal(crypt_r("Pa55 word", h, &cd), h);
		free(h);
	}
	/* the XML: the disk boots, the seed is a CD-ROM; valid */
	s = step_of(steps, n, CORE_STEP_DEFINE);
	xml = xstrdup(s->xml);
	assert_non_null(strstr(xml, "volume=\"cloud1.qcow2\""));
	assert_non_null(strstr(xml, "volume=\"cloud1-seed.iso\""));
	assert_non_null(strstr(xml, "device=\"cdrom\""));
	assert_non_null(strstr(xml, "<boot dev=\"hd\"/>"));
	path = write_file(tmp, "cloud1.xml", xml, strlen(xml));
	cmd = xasprintf("virt-xml-validate %s domain >/dev/null 2>&1", path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
	free(xml);
	core_steps_free(&steps, n);
	wz_newvm_free(&w);
}

static void test_pooled_plan(void **state)
{
	wz_newvm *w = new_wizard();
	char *err = NULL;
	core_step *steps;
	size_t n = 0;
	(void)state;
	wz_newvm_set_value(w, "name", "cloud2");
	wz_newvm_set_value(w, "source", "5");
	wz_newvm_set_value(w, "cloud_from", "1");
	wz_newvm_set_value(w, "cloud_vol", "default/jammy.qcow2");
	wz_newvm_set_value(w, "disk_size", "2G"); /* the image's size: no resize */
	wz_newvm_set_value(w, "nic", "3");
	steps = wz_newvm_plan(w, &n, &err);
	if (!steps)
		fail_msg("plan: %s", err);
	assert_int_equal(steps[0].kind, CORE_STEP_VOL_CLONE);
	assert_string_equal(steps[0].vol, "jammy.qcow2");
	assert_string_equal(steps[0].new_vol, "cloud2.qcow2");
	assert_string_equal(steps[0].dst_pool_uuid, pools[0].uuid);
	assert_null(step_of(steps, n, CORE_STEP_VOL_RESIZE));
	assert_int_equal(steps[1].kind, CORE_STEP_SEED);
	assert_null(strstr(steps[1].seed_user, "users:")); /* no user: the image's default */
	assert_null(strstr(steps[1].seed_user, "passwd"));
	core_steps_free(&steps, n);
	wz_newvm_free(&w);
}

/* a local ISO whose twin (size + SHA-256, be_reuse.h) is in the pool:
 * no upload, the CD-ROM is the twin; another file: uploaded again */
static void test_reuse_plan(void **state)
{
	wz_newvm *w = new_wizard();
	char *err = NULL, *iso = write_file(tmp, "mine.iso", "0123456789", 10), **same, *v;
	core_step *steps;
	size_t n = 0, ns = 0;
	(void)state;
	vols[1] = (md_vol){ .name = "sent.iso", .format = "raw", .capacity = 10, .path = "sent.iso" };
	wz_newvm_set_host(w, &host, &caps);
	wz_newvm_set_value(w, "name", "r1");
	wz_newvm_set_value(w, "source", "1");
	wz_newvm_set_value(w, "local_iso", iso);
	wz_newvm_set_value(w, "nic", "3");
	wz_newvm_set_value(w, "disk", "2");
	same = wz_newvm_options(w, "iso_same", &ns);
	assert_int_equal(ns, 1); /* jammy.qcow2 is not 10 bytes */
	assert_string_equal(same[0], "sent.iso");
	free(same[0]);
	free(same);
	assert_false(wz_newvm_reusing(w));
	assert_int_equal(wz_newvm_ops.set(w, "iso_reuse_for", iso), 0);
	assert_int_equal(wz_newvm_ops.set(w, "iso_reuse", "default/sent.iso"), 0);
	assert_true(wz_newvm_reusing(w));
	v = wz_newvm_get_value(w, "iso_reuse");
	assert_string_equal(v, "default/sent.iso");
	free(v);
	steps = wz_newvm_plan(w, &n, &err);
	if (!steps)
		fail_msg("plan: %s", err);
	assert_null(step_of(steps, n, CORE_STEP_UPLOAD));
	assert_non_null(strstr(step_of(steps, n, CORE_STEP_DEFINE)->xml, "volume=\"sent.iso\""));
	core_steps_free(&steps, n);
	/* another file: the twin is not its own */
	free(iso);
	iso = write_file(tmp, "other.iso", "9876543210", 10);
	wz_newvm_set_value(w, "local_iso", iso);
	assert_false(wz_newvm_reusing(w));
	steps = wz_newvm_plan(w, &n, &err);
	assert_non_null(steps);
	assert_non_null(step_of(steps, n, CORE_STEP_UPLOAD));
	core_steps_free(&steps, n);
	free(iso);
	wz_newvm_free(&w);
}

/* a remote host: kernel and initrd are files here, uploaded into the pool,
 * the domain boots them from the pool's folder */
static void test_kernel_upload(void **state)
{
	wz_newvm *w;
	char *err = NULL, *k = write_file(tmp, "vmlinuz", "kernel", 6), *i = write_file(tmp, "initrd.gz", "initrd", 6);
	core_step *steps;
	const core_step *s;
	size_t n = 0;
	core_issues is = { 0 };
	(void)state;
	w = new_wizard();
	assert_false(wz_newvm_choices(w)->kernel_upload); /* this machine: paths on the host */
	wz_newvm_free(&w);
	host.uri = "ssh://root@far.example/system";
	pools[0].path = "/srv/pool";
	w = wz_newvm_new(&host, &caps, db);
	assert_true(wz_newvm_choices(w)->kernel_upload);
	wz_newvm_set_value(w, "name", "k1");
	wz_newvm_set_value(w, "source", "4");
	wz_newvm_set_value(w, "kernel", "/nonexistent/vmlinuz");
	assert_non_null(issue(w, WZ_PAGE_SOURCE, "kernel", &is)); /* checked here */
	wz_newvm_set_value(w, "kernel", k);
	wz_newvm_set_value(w, "initrd", i);
	wz_newvm_set_value(w, "nic", "3");
	wz_newvm_set_value(w, "disk", "2");
	assert_int_equal(wz_newvm_check(w, WZ_PAGE_SOURCE, &is), 0);
	steps = wz_newvm_plan(w, &n, &err);
	if (!steps)
		fail_msg("plan: %s", err);
	assert_int_equal(steps[0].kind, CORE_STEP_UPLOAD);
	assert_string_equal(steps[0].local, k);
	assert_string_equal(steps[0].vol, "k1-kernel");
	assert_int_equal(steps[1].kind, CORE_STEP_UPLOAD);
	assert_string_equal(steps[1].vol, "k1-initrd");
	s = step_of(steps, n, CORE_STEP_DEFINE);
	assert_non_null(strstr(s->xml, "<kernel>/srv/pool/k1-kernel</kernel>"));
	assert_non_null(strstr(s->xml, "<initrd>/srv/pool/k1-initrd</initrd>"));
	core_steps_free(&steps, n);
	/* files on the host instead: no upload */
	wz_newvm_set_value(w, "kernel_upload", "0");
	wz_newvm_set_value(w, "kernel", "/boot/vmlinuz");
	steps = wz_newvm_plan(w, &n, &err);
	assert_non_null(steps);
	assert_null(step_of(steps, n, CORE_STEP_UPLOAD));
	core_steps_free(&steps, n);
	core_issues_clear(&is);
	wz_newvm_free(&w);
	free(k);
	free(i);
}

static int group_setup(void **state)
{
	char *err = NULL, *cmd;
	(void)state;
	if (setup_dir((void **)&tmp) < 0)
		return -1;
	image = xasprintf("%s/cloud.qcow2", tmp);
	cmd = xasprintf("qemu-img create -q -f qcow2 '%s' 64M", image);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	db = be_osinfo_load(NULL, &err);
	return db ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	be_osinfo_free(&db);
	free(image);
	return teardown_dir((void **)&tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_info),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_local_plan),
		cmocka_unit_test(test_pooled_plan),
		cmocka_unit_test(test_reuse_plan),
		cmocka_unit_test(test_kernel_upload),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
