/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_install.c - the New VM wizard's install mode (issue 18,
 * wizards/newvm.c) without curses or a daemon: the ISO probe's answer
 * handed over as text, the mode offered only for the ISO it is about, the
 * reason shown when not offered, Finish's steps for the text installer
 * (extract, the final definition without <kernel> and with an empty CD-ROM,
 * the install run's XML), and "Boot the ISO as is" unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../backend/be_iso.h"
#include "../../backend/be_xml.h"
#include "../../core/util.h"
#include "../../wizards/newvm.h"

static be_osinfo *db;
static md_vol vols_isos[1];
static md_pool pools[2];
static md_host host;
static wz_caps caps;

static int group_setup(void **state)
{
	char *err = NULL;
	(void)state;
	db = be_osinfo_load(NULL, &err);
	return db ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	be_osinfo_free(&db);
	return 0;
}

static wz_newvm *new_wizard(void)
{
	wz_newvm *w;
	wz_choices *c;
	memset(&host, 0, sizeof(host));
	host.id = 3;
	host.uri = "qemu:///system";
	host.label = "lab";
	host.conn = MD_CONN_CONNECTED;
	memset(vols_isos, 0, sizeof(vols_isos));
	vols_isos[0].name = "deb.iso";
	vols_isos[0].format = "raw";
	vols_isos[0].capacity = 60ULL << 20;
	pools[0] = (md_pool){ .name = "default", .type = "dir", .active = true, .available = 100ULL << 30 };
	strcpy(pools[0].uuid, "11111111-1111-1111-1111-111111111111");
	pools[1] = (md_pool){ .name = "isos", .type = "dir", .active = true, .available = 1ULL << 30, .vols = vols_isos,
			      .nvols = 1 };
	strcpy(pools[1].uuid, "22222222-2222-2222-2222-222222222222");
	host.pools = pools;
	host.npools = 2;
	caps = (wz_caps){ .known = true, .arch = "x86_64", .mem_bytes = 16ULL << 30, .cpus = 4, .max_vcpus = 255 };
	w = wz_newvm_new(&host, &caps, db);
	c = wz_newvm_choices(w);
	core_str_set(&c->name, "deb <&> \"x\"");
	c->source = WZ_SRC_ISO_POOL;
	core_str_set(&c->iso_pool, "isos");
	core_str_set(&c->iso_vol, "deb.iso");
	c->tcg = true;
	core_str_set(&c->memory, "512M");
	core_str_set(&c->disk_size, "64M");
	c->size_by_user = true;
	c->nic = BE_NIC_NONE;
	return w;
}

static char *probe_text(const char *key, bool ok, const char *why)
{
	be_iso_probe p = { .volume_id = "Debian 11.7.0 amd64 n",
			   .os_id = "http://debian.org/debian/11",
			   .os_name = "Debian 11",
			   .family = "linux",
			   .kernel = "install.amd/vmlinuz",
			   .initrd = "install.amd/initrd.gz",
			   .kernel_found = ok,
			   .text_install = ok,
			   .why_not = (char *)why };
	return be_iso_probe_text(&p, key);
}

static void expect_x(const char *xml, const char *xpath, const char *want)
{
	xmlDocPtr doc = be_xml_parse(xml);
	char *got;
	assert_non_null(doc);
	got = be_xml_get(doc, xpath);
	if (!want && got)
		fail_msg("%s: want nothing, got \"%s\"", xpath, got);
	if (want && (!got || strcmp(got, want) != 0))
		fail_msg("%s: want \"%s\", got \"%s\"", xpath, want, got ? got : "(nothing)");
	free(got);
	xmlFreeDoc(doc);
}

static void test_probe_text(void **state)
{
	char *t = probe_text("pool:isos/deb.iso", true, "line\nbreak"), *key;
	be_iso_probe p;
	(void)state;
	assert_int_equal(be_iso_probe_parse(t, &p, &key), 0);
	assert_string_equal(key, "pool:isos/deb.iso");
	assert_string_equal(p.os_id, "http://debian.org/debian/11");
	assert_string_equal(p.kernel, "install.amd/vmlinuz");
	assert_string_equal(p.why_not, "line break"); /* one line */
	assert_true(p.text_install);
	assert_true(p.kernel_found);
	be_iso_probe_clear(&p);
	free(key);
	free(t);
	assert_int_equal(be_iso_probe_parse("os_id=x\n", &p, &key), -1);
	assert_int_equal(be_iso_probe_parse(NULL, &p, &key), -1);
}

static void test_offered(void **state)
{
	wz_newvm *w = new_wizard();
	char *t, *v;
	(void)state;
	v = wz_newvm_get_value(w, "iso_key");
	assert_string_equal(v, "pool:isos/deb.iso");
	free(v);
	/* not probed yet */
	assert_false(wz_newvm_install_offered(w));
	v = wz_newvm_get_value(w, "install_note");
	assert_string_equal(v, "Reading the ISO...");
	free(v);

	/* an answer about another ISO is not this one's */
	t = probe_text("pool:isos/other.iso", true, NULL);
	assert_int_equal(wz_newvm_set_value(w, "iso_probe", t), 0);
	free(t);
	assert_false(wz_newvm_install_offered(w));

	t = probe_text("pool:isos/deb.iso", true, NULL);
	assert_int_equal(wz_newvm_set_value(w, "iso_probe", t), 0);
	free(t);
	assert_true(wz_newvm_install_offered(w));
	assert_true(wz_newvm_text_install(w)); /* the default */
	assert_string_equal(wz_newvm_os(w)->short_id, "debian11"); /* detection's answer */
	v = wz_newvm_get_value(w, "install");
	assert_string_equal(v, "0");
	free(v);
	v = wz_newvm_get_value(w, "install_note");
	assert_non_null(strstr(v, "install.amd/vmlinuz"));
	assert_non_null(strstr(v, "console=ttyS0,115200n8"));
	free(v);
	v = wz_newvm_summary(w);
	assert_non_null(strstr(v, "Install:      text installer on the serial console (install.amd/vmlinuz, "
				  "install.amd/initrd.gz -> pool default;"));
	free(v);

	v = wz_newvm_virt_install(w);
	assert_non_null(strstr(v, " --location deb.iso --extra-args console=ttyS0,115200n8"));
	assert_null(strstr(v, "kernel="));
	assert_null(strstr(v, "device=cdrom"));
	free(v);

	/* the user's choice: as is */
	assert_int_equal(wz_newvm_set_value(w, "install", "1"), 0);
	assert_false(wz_newvm_text_install(w));
	assert_int_equal(wz_newvm_set_value(w, "install", "7"), -1);
	v = wz_newvm_summary(w);
	assert_non_null(strstr(v, "Install:      boot the ISO as is"));
	free(v);

	/* another ISO chosen: the answer no longer applies */
	core_str_set(&wz_newvm_choices(w)->iso_vol, "other.iso");
	assert_false(wz_newvm_install_offered(w));
	wz_newvm_free(&w);

	/* not offered: the reason is shown */
	w = new_wizard();
	t = probe_text("pool:isos/deb.iso", false, "the installer's kernel (install.amd/vmlinuz) is not in the ISO");
	wz_newvm_set_value(w, "iso_probe", t);
	free(t);
	assert_false(wz_newvm_install_offered(w));
	v = wz_newvm_get_value(w, "install_note");
	assert_string_equal(v, "Text installer not offered: the installer's kernel (install.amd/vmlinuz) is not in "
			       "the ISO.");
	free(v);
	v = wz_newvm_get_value(w, "install");
	assert_string_equal(v, "1");
	free(v);
	wz_newvm_free(&w);
}

static void test_plan(void **state)
{
	wz_newvm *w = new_wizard();
	char *t, *err = NULL;
	core_step *s;
	size_t n;
	(void)state;
	t = probe_text("pool:isos/deb.iso", true, NULL);
	wz_newvm_set_value(w, "iso_probe", t);
	free(t);
	assert_true(wz_newvm_ready(w));
	s = wz_newvm_plan(w, &n, &err);
	assert_non_null(s);
	assert_int_equal(n, 5);
	assert_int_equal(s[0].kind, CORE_STEP_VOL_CREATE);
	assert_int_equal(s[1].kind, CORE_STEP_INSTALL_PREP);
	assert_string_equal(s[1].src_pool_uuid, "22222222-2222-2222-2222-222222222222");
	assert_string_equal(s[1].src_vol, "deb.iso");
	assert_null(s[1].local);
	assert_string_equal(s[1].pool_uuid, "11111111-1111-1111-1111-111111111111");
	assert_string_equal(s[1].kernel, "install.amd/vmlinuz");
	assert_string_equal(s[1].initrd, "install.amd/initrd.gz");
	assert_string_equal(s[1].kernel_vol, "deb <&> \"x\".install-kernel");
	assert_string_equal(s[1].initrd_vol, "deb <&> \"x\".install-initrd");
	/* the final definition: boots from the disk, no kernel, an empty CD-ROM */
	assert_int_equal(s[2].kind, CORE_STEP_DEFINE);
	expect_x(s[2].xml, "string(/domain/name)", "deb <&> \"x\"");
	expect_x(s[2].xml, "string(/domain/os/kernel)", NULL);
	expect_x(s[2].xml, "string(/domain/os/cmdline)", NULL);
	expect_x(s[2].xml, "string(/domain/os/boot/@dev)", "hd");
	expect_x(s[2].xml, "string(/domain/os/boot[2]/@dev)", NULL);
	expect_x(s[2].xml, "string(/domain/devices/disk[@device='cdrom']/@type)", "file");
	expect_x(s[2].xml, "string(/domain/devices/disk[@device='cdrom']/source/@volume)", NULL);
	expect_x(s[2].xml, "string(/domain/devices/disk[@device='cdrom']/source/@pool)", NULL);
	expect_x(s[2].xml, "string(/domain/devices/disk[@device='cdrom']/target/@bus)", "sata");
	/* the install run: the volumes' names (paths set by the worker), the ISO in the CD-ROM */
	assert_int_equal(s[3].kind, CORE_STEP_INSTALL_START);
	expect_x(s[3].xml, "string(/domain/os/kernel)", "deb <&> \"x\".install-kernel");
	expect_x(s[3].xml, "string(/domain/os/initrd)", "deb <&> \"x\".install-initrd");
	expect_x(s[3].xml, "string(/domain/os/cmdline)", "console=ttyS0,115200n8");
	expect_x(s[3].xml, "string(/domain/devices/disk[@device='cdrom']/source/@volume)", "deb.iso");
	assert_string_equal(s[3].kernel_vol, "deb <&> \"x\".install-kernel");
	assert_int_equal(s[4].kind, CORE_STEP_CONSOLE);
	core_steps_free(&s, n);

	/* the worker's part: real paths and the VM's uuid in the install XML */
	{
		char *in = wz_newvm_xml(w, &err);
		char *x = be_install_xml_set(in, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0", "/p/k", "/p/i");
		expect_x(x, "string(/domain/uuid)", "4dea22b3-1d52-d8f3-2516-782e98ab3fa0");
		expect_x(x, "string(/domain/os/kernel)", "/p/k");
		expect_x(x, "string(/domain/os/initrd)", "/p/i");
		free(x);
		free(in);
	}

	/* as is: the plan of before */
	wz_newvm_set_value(w, "install", "1");
	s = wz_newvm_plan(w, &n, &err);
	assert_int_equal(n, 4);
	assert_int_equal(s[1].kind, CORE_STEP_DEFINE);
	expect_x(s[1].xml, "string(/domain/os/kernel)", NULL);
	expect_x(s[1].xml, "string(/domain/devices/disk[@device='cdrom']/source/@volume)", "deb.iso");
	assert_int_equal(s[2].kind, CORE_STEP_START);
	core_steps_free(&s, n);
	wz_newvm_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_text),
		cmocka_unit_test(test_offered),
		cmocka_unit_test(test_plan),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
