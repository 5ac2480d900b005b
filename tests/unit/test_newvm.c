/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_newvm.c - wizards/newvm.c without curses or a daemon: a
 * host snapshot made here (VMs, pools with volumes, networks, domain
 * capabilities), each page's checks with the error on the right field,
 * next() skipping pages, OS defaults from libosinfo, the XML (validated by
 * virt-xml-validate) and Finish's steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../backend/be_xml.h"
#include "../../core/stats.h"
#include "../../core/util.h"
#include "../../wizards/newvm.h"
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
	return db ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	be_osinfo_free(&db);
	teardown_dir((void **)&tmp);
	return 0;
}

/* ---- a host ------------------------------------------------------------------ */

static md_vm vms[2];
static md_vol vols_default[3], vols_isos[1];
static md_pool pools[3];
static md_net nets[2];
static md_host host;
static wz_caps caps;

static void mkvol(md_vol *v, const char *name, const char *format, unsigned long long cap, const char *user)
{
	memset(v, 0, sizeof(*v));
	v->name = (char *)name;
	v->format = (char *)format;
	v->capacity = cap;
	v->path = (char *)name;
	if (user) {
		static char *users[1];
		users[0] = (char *)user;
		v->users = users;
		v->nusers = 1;
	}
}

static void make_host(void)
{
	memset(&host, 0, sizeof(host));
	host.id = 7;
	host.uri = "qemu:///system";
	host.label = "kvm-lab";
	host.conn = MD_CONN_CONNECTED;
	vms[0].name = "web1";
	vms[1].name = "db <1>";
	host.vms = vms;
	host.nvms = 2;
	mkvol(&vols_default[0], "old.qcow2", "qcow2", 10ULL << 30, NULL);
	mkvol(&vols_default[1], "taken.qcow2", "qcow2", 10ULL << 30, "web1");
	mkvol(&vols_default[2], "clash.qcow2", "qcow2", 1ULL << 30, NULL);
	mkvol(&vols_isos[0], "debian-11.5.0-amd64-netinst.iso", "raw", 400ULL << 20, NULL);
	pools[0] = (md_pool){ .name = "default", .type = "dir", .active = true, .available = 100ULL << 30,
			      .vols = vols_default, .nvols = 3 };
	strcpy(pools[0].uuid, "11111111-1111-1111-1111-111111111111");
	pools[1] = (md_pool){ .name = "isos", .type = "dir", .active = true, .available = 1ULL << 30, .vols = vols_isos,
			      .nvols = 1 };
	strcpy(pools[1].uuid, "22222222-2222-2222-2222-222222222222");
	pools[2] = (md_pool){ .name = "off", .type = "dir", .active = false };
	host.pools = pools;
	host.npools = 3;
	nets[0] = (md_net){ .name = "default", .active = true, .forward = "nat" };
	nets[1] = (md_net){ .name = "lab", .active = false, .forward = "isolated" };
	host.nets = nets;
	host.nnets = 2;
	caps = (wz_caps){ .known = true, .kvm = true, .kvm_default = true, .arch = "x86_64", .machine = NULL, .uefi = true,
			  .secure_boot = true, .tpm = true, .mem_bytes = 16ULL << 30, .cpus = 4, .max_vcpus = 255 };
}

static wz_newvm *new_wizard(void)
{
	make_host();
	return wz_newvm_new(&host, &caps, db);
}

static void set(char **dst, const char *v)
{
	core_str_set(dst, v);
}

/* page's check: n errors, and field's first issue holds word (NULL: none) */
static void expect_issue(wz_newvm *w, int page, const char *field, const char *word)
{
	core_issues is = { 0 };
	const core_issue *i;
	wz_newvm_check(w, page, &is);
	i = core_issues_for(&is, field);
	if (!word && i)
		fail_msg("%s: unexpected \"%s\"", field, i->text);
	if (word && (!i || !strstr(i->text, word)))
		fail_msg("%s: want \"%s\", got \"%s\"", field, word, i ? i->text : "(nothing)");
	core_issues_clear(&is);
}

static int nerrors(wz_newvm *w, int page)
{
	core_issues is = { 0 };
	int n = wz_newvm_check(w, page, &is);
	core_issues_clear(&is);
	return n;
}

static bool warned(wz_newvm *w, int page, const char *field)
{
	core_issues is = { 0 };
	const core_issue *i;
	bool r;
	wz_newvm_check(w, page, &is);
	i = core_issues_for(&is, field);
	r = i && i->warning;
	core_issues_clear(&is);
	return r;
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_defaults(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	(void)state;
	assert_int_equal(c->source, WZ_SRC_ISO_POOL);
	assert_string_equal(c->memory, "1 GiB");
	assert_string_equal(c->vcpus, "1");
	assert_int_equal(c->nic, BE_NIC_NETWORK);
	assert_string_equal(c->nic_source, "default");
	assert_string_equal(c->disk_pool, "default");
	assert_true(c->start && c->console);
	assert_false(c->tcg);
	assert_null(wz_newvm_os(w));
	/* the snapshot is a copy: the model may change under it */
	pools[0].name = "renamed";
	assert_string_equal(wz_newvm_host(w)->pools[0].name, "default");
	wz_newvm_free(&w);
	assert_null(w);
	/* no network runs: user networking (starting one is the user's choice) */
	make_host();
	nets[0].active = false;
	w = wz_newvm_new(&host, &caps, db);
	c = wz_newvm_choices(w);
	assert_int_equal(c->nic, BE_NIC_USER);
	assert_null(c->nic_source);
	wz_newvm_free(&w);
	/* lists that come after the wizard opened give their defaults */
	memset(&host, 0, sizeof(host));
	host.uri = "qemu:///system";
	w = wz_newvm_new(&host, &caps, db);
	c = wz_newvm_choices(w);
	assert_null(c->disk_pool);
	make_host();
	wz_newvm_set_host(w, &host, &caps);
	assert_string_equal(c->disk_pool, "default");
	assert_string_equal(c->upload_pool, "default");
	wz_newvm_free(&w);
}

static void test_name(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	(void)state;
	expect_issue(w, WZ_PAGE_NAME, "name", "enter a name");
	set(&c->name, "web1");
	expect_issue(w, WZ_PAGE_NAME, "name", "a VM of that name exists on kvm-lab");
	set(&c->name, "db <1>");
	expect_issue(w, WZ_PAGE_NAME, "name", "exists");
	set(&c->name, "a/b");
	expect_issue(w, WZ_PAGE_NAME, "name", "may not contain '/'");
	set(&c->name, "new \"one\" & <two>");
	assert_int_equal(nerrors(w, WZ_PAGE_NAME), 0);
	/* the host drops: the page says so */
	host.conn = MD_CONN_DISCONNECTED;
	wz_newvm_set_host(w, &host, &caps);
	expect_issue(w, WZ_PAGE_NAME, "host", "not connected");
	assert_string_equal(c->name, "new \"one\" & <two>"); /* kept */
	wz_newvm_free(&w);
}

static void test_source(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	char *iso, *dir, *big;
	size_t n;
	char **v;
	(void)state;
	set(&c->name, "vm");
	v = wz_newvm_isos(w, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "isos/debian-11.5.0-amd64-netinst.iso");
	free(v[0]);
	free(v);
	v = wz_newvm_disks(w, &n); /* not the ISO, not the one web1 uses */
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "default/old.qcow2"); /* the pool's order */
	assert_string_equal(v[1], "default/clash.qcow2");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);

	expect_issue(w, WZ_PAGE_SOURCE, "iso", "choose an ISO image");
	set(&c->iso_pool, "isos");
	set(&c->iso_vol, "nope.iso");
	expect_issue(w, WZ_PAGE_SOURCE, "iso", "no volume \"nope.iso\" in pool \"isos\"");
	set(&c->iso_pool, "off");
	expect_issue(w, WZ_PAGE_SOURCE, "iso", "pool \"off\" is not active");
	set(&c->iso_pool, "isos");
	set(&c->iso_vol, "debian-11.5.0-amd64-netinst.iso");
	assert_int_equal(nerrors(w, WZ_PAGE_SOURCE), 0);

	/* a local ISO: missing, a folder, empty, too big for the pool, fine */
	c->source = WZ_SRC_ISO_LOCAL;
	set(&c->upload_pool, "isos");
	expect_issue(w, WZ_PAGE_SOURCE, "local_iso", "enter the path");
	iso = xasprintf("%s/missing.iso", tmp);
	set(&c->local_iso, iso);
	expect_issue(w, WZ_PAGE_SOURCE, "local_iso", "No such file or directory");
	set(&c->local_iso, tmp);
	expect_issue(w, WZ_PAGE_SOURCE, "local_iso", "is a folder");
	free(iso);
	iso = write_file(tmp, "empty.iso", "", 0);
	set(&c->local_iso, iso);
	expect_issue(w, WZ_PAGE_SOURCE, "local_iso", "the file is empty");
	free(iso);
	big = xasprintf("%s/big.iso", tmp);
	{
		FILE *f = fopen(big, "w");
		assert_non_null(f);
		assert_int_equal(ftruncate(fileno(f), (2LL << 30)), 0); /* sparse 2 GiB */
		fclose(f);
	}
	set(&c->local_iso, big);
	expect_issue(w, WZ_PAGE_SOURCE, "upload_pool", "pool \"isos\" is full: 1 GiB free, the file needs 2 GiB");
	set(&c->upload_pool, "default");
	assert_int_equal(nerrors(w, WZ_PAGE_SOURCE), 0);
	set(&c->upload_pool, "off");
	expect_issue(w, WZ_PAGE_SOURCE, "upload_pool", "not active");
	free(big);
	/* the pool has a volume of that name: no upload over it */
	big = write_file(tmp, "debian-11.5.0-amd64-netinst.iso", "iso", 3);
	set(&c->local_iso, big);
	set(&c->upload_pool, "isos");
	expect_issue(w, WZ_PAGE_SOURCE, "local_iso", "has a volume \"debian-11.5.0-amd64-netinst.iso\" already");
	free(big);

	/* import: a volume a VM uses is refused */
	c->source = WZ_SRC_IMPORT;
	set(&c->import_pool, "default");
	set(&c->import_vol, "taken.qcow2");
	expect_issue(w, WZ_PAGE_SOURCE, "import", "used by VM 'web1'");
	set(&c->import_vol, "old.qcow2");
	assert_int_equal(nerrors(w, WZ_PAGE_SOURCE), 0);

	/* direct kernel boot, local host: files are checked here */
	c->source = WZ_SRC_KERNEL;
	expect_issue(w, WZ_PAGE_SOURCE, "kernel", "enter the path of the kernel");
	set(&c->kernel, "vmlinuz");
	expect_issue(w, WZ_PAGE_SOURCE, "kernel", "an absolute path");
	dir = xasprintf("%s/nope/vmlinuz", tmp);
	set(&c->kernel, dir);
	expect_issue(w, WZ_PAGE_SOURCE, "kernel", "No such file");
	free(dir);
	dir = write_file(tmp, "vmlinuz", "kernel", 6);
	set(&c->kernel, dir);
	assert_int_equal(nerrors(w, WZ_PAGE_SOURCE), 0);
	set(&c->initrd, "/nonexistent/initrd");
	expect_issue(w, WZ_PAGE_SOURCE, "initrd", "No such file");
	set(&c->initrd, NULL);
	/* a remote host: paths are the host's, not checked here */
	host.uri = "qemu+ssh://root@far/system";
	wz_newvm_set_host(w, &host, &caps);
	set(&c->kernel, "/boot/vmlinuz-far");
	assert_int_equal(nerrors(w, WZ_PAGE_SOURCE), 0);
	free(dir);
	wz_newvm_free(&w);
}

static void test_os_defaults(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	(void)state;
	assert_int_equal(wz_newvm_set_os(w, "win11", true), 0);
	assert_string_equal(c->memory, "4 GiB");
	assert_string_equal(c->vcpus, "2");
	assert_string_equal(c->disk_size, "64 GiB");
	assert_int_equal(c->firmware, BE_FW_UEFI);
	assert_true(c->secure_boot);
	assert_true(c->tpm);
	/* detection does not override a user's pick */
	wz_newvm_detected(w, be_osinfo_find(db, "debian11"));
	assert_string_equal(c->os, "win11");

	/* the user typed memory: a new OS leaves it */
	set(&c->memory, "3G");
	c->memory_by_user = true;
	assert_int_equal(wz_newvm_set_os(w, "debian11", false), 0);
	assert_string_equal(c->memory, "3G");
	assert_string_equal(c->vcpus, "1");
	assert_int_equal(c->firmware, BE_FW_BIOS);
	assert_false(c->tpm);
	wz_newvm_detected(w, NULL); /* not recognised: generic */
	assert_null(wz_newvm_os(w));
	assert_int_equal(wz_newvm_set_os(w, "no-such-os", true), -1);

	/* a host without UEFI: Windows 11 gets BIOS, and the firmware page warns */
	wz_newvm_free(&w);
	make_host();
	caps.uefi = caps.secure_boot = false;
	w = wz_newvm_new(&host, &caps, db);
	c = wz_newvm_choices(w);
	wz_newvm_set_os(w, "win11", true);
	assert_int_equal(c->firmware, BE_FW_BIOS);
	assert_true(warned(w, WZ_PAGE_FIRMWARE, "firmware"));
	c->firmware = BE_FW_UEFI;
	expect_issue(w, WZ_PAGE_FIRMWARE, "firmware", "no UEFI firmware");
	wz_newvm_free(&w);
}

static void test_firmware(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	(void)state;
	c->secure_boot = true;
	expect_issue(w, WZ_PAGE_FIRMWARE, "secure_boot", "Secure Boot needs UEFI");
	c->firmware = BE_FW_UEFI;
	assert_int_equal(nerrors(w, WZ_PAGE_FIRMWARE), 0);
	wz_newvm_free(&w);
	make_host();
	caps.tpm = caps.kvm = false;
	w = wz_newvm_new(&host, &caps, db);
	c = wz_newvm_choices(w);
	assert_true(c->tcg); /* no KVM: TCG by default */
	c->tpm = true;
	expect_issue(w, WZ_PAGE_FIRMWARE, "tpm", "no TPM emulator");
	c->tpm = false;
	c->tcg = false;
	expect_issue(w, WZ_PAGE_FIRMWARE, "accel", "no KVM");
	wz_newvm_free(&w);
}

static void test_memory(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	core_issues is = { 0 };
	(void)state;
	assert_int_equal(nerrors(w, WZ_PAGE_MEMORY), 0);
	set(&c->memory, "0");
	expect_issue(w, WZ_PAGE_MEMORY, "memory", "more than 0");
	set(&c->memory, "20GG");
	expect_issue(w, WZ_PAGE_MEMORY, "memory", "unknown unit \"GG\"");
	set(&c->memory, "17G");
	expect_issue(w, WZ_PAGE_MEMORY, "memory", "more than the host has (16 GiB)");
	set(&c->memory, "14G");
	assert_true(warned(w, WZ_PAGE_MEMORY, "memory"));
	assert_int_equal(nerrors(w, WZ_PAGE_MEMORY), 0); /* a warning lets it go on */
	set(&c->memory, "512M");
	set(&c->vcpus, "");
	expect_issue(w, WZ_PAGE_MEMORY, "vcpus", "a whole number");
	set(&c->vcpus, "2x");
	expect_issue(w, WZ_PAGE_MEMORY, "vcpus", "a whole number");
	set(&c->vcpus, "-1");
	expect_issue(w, WZ_PAGE_MEMORY, "vcpus", "a whole number");
	set(&c->vcpus, "0");
	expect_issue(w, WZ_PAGE_MEMORY, "vcpus", "at least 1");
	set(&c->vcpus, "256");
	expect_issue(w, WZ_PAGE_MEMORY, "vcpus", "at most 255");
	set(&c->vcpus, "6");
	assert_true(warned(w, WZ_PAGE_MEMORY, "vcpus"));
	/* one field, as typed */
	set(&c->memory, "x");
	assert_int_equal(wz_newvm_check_field(w, "memory", &is), 1);
	assert_int_equal(is.n, 1);
	assert_string_equal(is.v[0].field, "memory");
	core_issues_clear(&is);
	wz_newvm_free(&w);

	/* no capabilities given: the host's live figures say its memory and CPUs */
	make_host();
	host.live = core_stats_store_new();
	host.live->host_rate.have = CORE_HRATE_MEM_TOTAL;
	host.live->host_rate.mem_total_kib = 2ULL << 20;
	host.live->host_rate.ncpus = 2;
	w = wz_newvm_new(&host, NULL, db);
	c = wz_newvm_choices(w);
	set(&c->memory, "3G");
	expect_issue(w, WZ_PAGE_MEMORY, "memory", "more than the host has (2 GiB)");
	set(&c->memory, "1G");
	set(&c->vcpus, "3");
	assert_true(warned(w, WZ_PAGE_MEMORY, "vcpus"));
	core_stats_store_free(&host.live);
	wz_newvm_free(&w);
}

static void test_network(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	(void)state;
	assert_int_equal(nerrors(w, WZ_PAGE_NETWORK), 0);
	set(&c->nic_source, "lab");
	assert_true(warned(w, WZ_PAGE_NETWORK, "nic_source")); /* inactive: started on Finish */
	{
		core_step *st;
		size_t n;
		char *err = NULL;
		set(&c->name, "net-user");
		c->source = WZ_SRC_PXE;
		st = wz_newvm_plan(w, &n, &err);
		assert_non_null(st);
		assert_int_equal(st[1].kind, CORE_STEP_NET_START);
		assert_string_equal(st[1].label, "Start network lab");
		assert_int_equal(st[2].kind, CORE_STEP_DEFINE);
		core_steps_free(&st, n);
	}
	set(&c->nic_source, "gone");
	expect_issue(w, WZ_PAGE_NETWORK, "nic_source", "no network \"gone\"");
	c->nic = BE_NIC_BRIDGE;
	set(&c->nic_source, "");
	expect_issue(w, WZ_PAGE_NETWORK, "nic_source", "bridge's name");
	set(&c->nic_source, "br/0");
	expect_issue(w, WZ_PAGE_NETWORK, "nic_source", "not an interface name");
	set(&c->nic_source, "br0");
	assert_int_equal(nerrors(w, WZ_PAGE_NETWORK), 0);
	c->nic = BE_NIC_NONE;
	c->source = WZ_SRC_PXE;
	expect_issue(w, WZ_PAGE_NETWORK, "nic", "PXE) needs a network");
	wz_newvm_free(&w);
}

static void test_storage(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	(void)state;
	set(&c->name, "clash");
	expect_issue(w, WZ_PAGE_STORAGE, "disk_pool", "has a volume \"clash.qcow2\" already");
	set(&c->name, "fresh");
	assert_int_equal(nerrors(w, WZ_PAGE_STORAGE), 0);
	set(&c->disk_size, "20GG");
	expect_issue(w, WZ_PAGE_STORAGE, "disk_size", "unknown unit");
	set(&c->disk_size, "200G"); /* qcow2 over the free room: a warning */
	assert_true(warned(w, WZ_PAGE_STORAGE, "disk_size"));
	set(&c->disk_format, "raw");
	expect_issue(w, WZ_PAGE_STORAGE, "disk_size", "pool \"default\" has 100 GiB free");
	set(&c->disk_format, "vmdk");
	set(&c->disk_size, "1G");
	expect_issue(w, WZ_PAGE_STORAGE, "disk_format", "qcow2 or raw");
	set(&c->disk_format, NULL);
	set(&c->disk_pool, "off");
	expect_issue(w, WZ_PAGE_STORAGE, "disk_pool", "not active");
	c->disk = WZ_DISK_EXISTING;
	set(&c->disk_vol_pool, "default");
	set(&c->disk_vol, "taken.qcow2");
	expect_issue(w, WZ_PAGE_STORAGE, "disk_vol", "used by VM 'web1'");
	c->disk = WZ_DISK_NONE;
	assert_true(warned(w, WZ_PAGE_STORAGE, "disk")); /* an installer with no disk */
	wz_newvm_free(&w);
}

static void test_next(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	int order[WZ_PAGE__N], n = 0;
	(void)state;
	for (int p = WZ_PAGE_NAME; p >= 0; p = wz_newvm_next(w, p))
		order[n++] = p;
	assert_int_equal(n, WZ_PAGE__N);
	for (int i = 0; i < n; i++)
		assert_int_equal(order[i], i); /* every page, in order */
	/* import brings the disk: no Storage page */
	c->source = WZ_SRC_IMPORT;
	assert_int_equal(wz_newvm_next(w, WZ_PAGE_NETWORK), WZ_PAGE_SUMMARY);
	assert_false(wz_newvm_page_applies(w, WZ_PAGE_STORAGE));
	assert_int_equal(wz_newvm_next(w, WZ_PAGE_SUMMARY), -1);
	wz_newvm_free(&w);
	/* nothing to choose on Firmware: no UEFI, no KVM */
	make_host();
	caps.uefi = caps.kvm = false;
	w = wz_newvm_new(&host, &caps, db);
	assert_int_equal(wz_newvm_next(w, WZ_PAGE_OS), WZ_PAGE_MEMORY);
	wz_newvm_free(&w);
}

static char *validate_file(const char *xml)
{
	char *path = write_file(tmp, "wz.xml", xml, strlen(xml));
	char *cmd = xasprintf("virt-xml-validate %s domain >/dev/null 2>&1", path);
	int rc = system(cmd);
	free(cmd);
	free(path);
	return rc == 0 ? NULL : xstrdup("invalid");
}

static void expect_x(const char *xml, const char *xpath, const char *want)
{
	xmlDocPtr d = be_xml_parse(xml);
	char *v = be_xml_get(d, xpath);
	xmlFreeDoc(d);
	if (!core_str_eq(v, want))
		fail_msg("%s: \"%s\", want \"%s\"", xpath, v ? v : "(none)", want);
	free(v);
}

static void test_xml_and_plan(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	char *err = NULL, *xml, *line, *sum, *kernel;
	core_step *steps;
	size_t n;
	(void)state;
	/* not ready: the XML says which page */
	assert_false(wz_newvm_ready(w));
	assert_null(wz_newvm_xml(w, &err));
	assert_non_null(strstr(err, "Name and host: enter a name"));
	xfree(&err);

	/* the tiny guest of the e2e test: direct kernel boot, a new 64 MiB qcow2 */
	kernel = write_file(tmp, "bzImage", "k", 1);
	set(&c->name, "tiny <&> 'guest'");
	c->source = WZ_SRC_KERNEL;
	set(&c->kernel, kernel);
	set(&c->cmdline, "console=ttyS0 rdinit=/init");
	c->tcg = true;
	set(&c->memory, "128M");
	set(&c->disk_size, "64M");
	c->size_by_user = true;
	c->nic = BE_NIC_NONE;
	assert_true(wz_newvm_ready(w));
	xml = wz_newvm_xml(w, &err);
	assert_non_null(xml);
	assert_null(validate_file(xml));
	expect_x(xml, "string(/domain/name)", "tiny <&> 'guest'");
	expect_x(xml, "string(/domain/@type)", "qemu");
	expect_x(xml, "string(/domain/devices/disk/source/@volume)", "tiny <&> 'guest'.qcow2");
	expect_x(xml, "string(/domain/os/cmdline)", "console=ttyS0 rdinit=/init");
	expect_x(xml, "string(/domain/devices/channel/target/@name)", "org.qemu.guest_agent.0");
	free(xml);

	line = wz_newvm_virt_install(w);
	assert_non_null(strstr(line, "--name 'tiny <&> '\\''guest'\\'''"));
	assert_non_null(strstr(line, "--disk pool=default,size=0.0625,format=qcow2,bus=virtio"));
	assert_non_null(strstr(line, "--import"));
	free(line);

	sum = wz_newvm_summary(w);
	assert_non_null(strstr(sum, "Accelerator:  TCG (software emulation)\n"));
	assert_non_null(strstr(sum, "Memory:       128 MiB"));
	assert_non_null(strstr(sum, "Disk:         new default/tiny <&> 'guest'.qcow2 (qcow2, virtio), 64 MiB"));
	free(sum);

	steps = wz_newvm_plan(w, &n, &err);
	assert_int_equal(n, 4);
	assert_int_equal(steps[0].kind, CORE_STEP_VOL_CREATE);
	assert_string_equal(steps[0].pool_uuid, "11111111-1111-1111-1111-111111111111");
	assert_int_equal(steps[0].size, 64ULL << 20);
	assert_string_equal(steps[0].label, "Create volume tiny <&> 'guest'.qcow2 (64 MiB, qcow2) in pool default");
	assert_int_equal(steps[1].kind, CORE_STEP_DEFINE);
	assert_int_equal(steps[2].kind, CORE_STEP_START);
	assert_int_equal(steps[3].kind, CORE_STEP_CONSOLE);
	core_steps_free(&steps, n);

	/* a local ISO to upload, Windows 11 (SATA, e1000, UEFI), no start */
	c->source = WZ_SRC_ISO_LOCAL;
	set(&c->local_iso, kernel);
	set(&c->upload_pool, "isos");
	c->tcg = false;
	c->start = false;
	c->nic = BE_NIC_NETWORK;
	wz_newvm_set_os(w, "win11", true);
	set(&c->memory, "4G");
	xml = wz_newvm_xml(w, &err);
	assert_non_null(xml);
	assert_null(validate_file(xml));
	expect_x(xml, "string(/domain/devices/disk[@device='disk']/target/@bus)", "sata");
	expect_x(xml, "string(/domain/devices/interface/model/@type)", "e1000");
	expect_x(xml, "string(/domain/devices/disk[@device='cdrom']/source/@volume)", "bzImage");
	expect_x(xml, "string(/domain/os/@firmware)", "efi");
	free(xml);
	steps = wz_newvm_plan(w, &n, &err);
	assert_int_equal(n, 3);
	assert_int_equal(steps[0].kind, CORE_STEP_UPLOAD);
	assert_string_equal(steps[0].local, kernel);
	assert_string_equal(steps[0].pool_uuid, "22222222-2222-2222-2222-222222222222");
	assert_int_equal(steps[1].kind, CORE_STEP_VOL_CREATE);
	assert_int_equal(steps[2].kind, CORE_STEP_DEFINE);
	core_steps_free(&steps, n);
	free(kernel);
	wz_newvm_free(&w);
}

static void get_is(wz_newvm *w, const char *id, const char *want)
{
	char *v = wz_newvm_get_value(w, id);
	if (!core_str_eq(v, want))
		fail_msg("%s: \"%s\", want \"%s\"", id, v ? v : "(null)", want ? want : "(null)");
	free(v);
}

/* the fields by id, as the UI drives them (wz_newvm_ops) */
static void test_by_id(void **state)
{
	const core_wizard_ops *ops = &wz_newvm_ops;
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	char **v;
	size_t n;
	(void)state;
	assert_int_equal(ops->npages, WZ_PAGE__N);
	assert_string_equal(ops->page_title(WZ_PAGE_MEMORY), "Memory and processors");
	assert_int_equal(ops->set(w, "name", "by id"), 0);
	assert_string_equal(c->name, "by id");
	assert_int_equal(ops->set(w, "source", "4"), 0);
	assert_int_equal(c->source, WZ_SRC_KERNEL);
	assert_int_equal(ops->set(w, "source", "9"), -1);
	assert_int_equal(ops->set(w, "source", "x"), -1);
	assert_int_equal(ops->set(w, "nic", "1"), 0); /* bridge: the network's name goes */
	assert_null(c->nic_source);
	assert_int_equal(ops->set(w, "nic", "0"), 0); /* network: the default one */
	assert_string_equal(c->nic_source, "default");
	assert_int_equal(ops->set(w, "nic", "3"), 0);
	assert_int_equal(c->nic, BE_NIC_NONE);
	get_is(w, "nic", "3");
	assert_int_equal(ops->set(w, "iso", "isos/debian-11.5.0-amd64-netinst.iso"), 0);
	assert_string_equal(c->iso_pool, "isos");
	get_is(w, "iso", "isos/debian-11.5.0-amd64-netinst.iso");
	assert_int_equal(ops->set(w, "iso", "no-slash"), -1);
	assert_int_equal(ops->set(w, "tpm", "1"), 0);
	assert_true(c->tpm && c->firmware_by_user);
	assert_int_equal(ops->set(w, "memory", "2G"), 0);
	assert_true(c->memory_by_user);
	assert_int_equal(ops->set(w, "no-such-field", "1"), -1);
	assert_null(ops->get(w, "no-such-field"));

	/* the OS: searched, picked by its option text, its defaults applied */
	assert_int_equal(ops->set(w, "os_query", "debian 11"), 0);
	v = ops->options(w, "os", &n);
	assert_true(n >= 2);
	assert_string_equal(v[0], "Generic");
	assert_string_equal(v[1], "Debian 11 (debian11)");
	assert_int_equal(ops->set(w, "os", v[1]), 0);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	get_is(w, "os", "Debian 11 (debian11)");
	assert_true(c->os_by_user);
	get_is(w, "memory", "2G"); /* typed over: kept */
	assert_int_equal(ops->set(w, "os", "Generic"), 0);
	assert_null(wz_newvm_os(w));

	v = ops->options(w, "disk_pool", &n); /* active pools only */
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "isos");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	v = ops->options(w, "nic_source", &n);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	ops->destroy(w);
}

/* a local ISO's OS, detected when the source page is left */
static void test_detect(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	char *dir = xasprintf("%s/isodir", tmp), *iso = xasprintf("%s/d11.iso", tmp), *cmd, *msg = NULL;
	(void)state;
	core_mkdir_p(dir, 0755);
	free(write_file(dir, "a.txt", "x", 1));
	cmd = xasprintf("genisoimage -quiet -V 'Debian 11.5.0 amd64 n' -o '%s' '%s' >/dev/null 2>&1", iso, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(wz_newvm_detect(w, &msg), 0); /* source: ISO in a pool: nothing to do */
	assert_null(msg);
	c->source = WZ_SRC_ISO_LOCAL;
	set(&c->local_iso, iso);
	assert_int_equal(wz_newvm_detect(w, &msg), 1);
	assert_string_equal(msg, "Detected Debian 11 on the install media");
	free(msg);
	assert_string_equal(c->os, "debian11");
	assert_false(c->os_by_user);
	/* a pick of the user's stays */
	wz_newvm_set_os(w, "win11", true);
	assert_int_equal(wz_newvm_detect(w, &msg), 1);
	assert_string_equal(msg, "Detected Debian 11; your choice of OS stays");
	free(msg);
	assert_string_equal(c->os, "win11");
	/* not an ISO */
	set(&c->local_iso, dir);
	assert_int_equal(wz_newvm_detect(w, &msg), -1);
	assert_non_null(strstr(msg, "is a folder"));
	free(msg);
	free(cmd);
	free(iso);
	free(dir);
	wz_newvm_free(&w);
}

/* Next on the OS page before detection answers: the list's "Generic"
 * pushed back is the shown default, not the user's pick (issue 11) */
static void test_os_shown_not_picked(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	const core_wizard_ops *ops = &wz_newvm_ops;
	char *v;
	(void)state;
	assert_int_equal(ops->set(w, "os", "Generic"), 0); /* shown while detecting */
	assert_false(c->os_by_user);
	get_is(w, "os_by_user", "0");
	assert_int_equal(ops->set(w, "detected", "debian11"), 0);
	assert_string_equal(c->os, "debian11"); /* detection decided */
	/* the detected OS pushed back by Next stays detection's */
	assert_int_equal(ops->set(w, "os", "Debian 11 (debian11)"), 0);
	assert_false(c->os_by_user);
	assert_int_equal(ops->set(w, "detected", ""), 0); /* another ISO, not recognised */
	assert_null(wz_newvm_os(w));
	/* a real pick of Generic (after another item) counts */
	assert_int_equal(ops->set(w, "os", "Debian 11 (debian11)"), 0);
	assert_true(c->os_by_user);
	assert_int_equal(ops->set(w, "os", "Generic"), 0);
	assert_true(c->os_by_user);
	get_is(w, "os_by_user", "1");
	assert_int_equal(ops->set(w, "detected", "debian11"), 0);
	v = ops->get(w, "os");
	assert_string_equal(v, "Generic"); /* the user's Generic stays */
	free(v);
	/* the user's pick pushed again stays the user's */
	assert_int_equal(ops->set(w, "os", "Generic"), 0);
	assert_true(c->os_by_user);
	ops->destroy(w);
}

/* Customize before install (issue 12): Settings' changes on the XML not
 * yet defined: more memory, a second disk on a new volume; Finish creates
 * both volumes; a change that cannot apply is refused and nothing kept */
static void test_customize(void **state)
{
	wz_newvm *w = new_wizard();
	wz_choices *c = wz_newvm_choices(w);
	char *err = NULL, *xml, *kernel = write_file(tmp, "bzImage", "k", 1);
	be_vmchange *ch = be_vmchange_new();
	be_vmchg *g;
	be_vmconf *conf;
	core_step *steps;
	size_t n, nvol = 0;
	(void)state;
	set(&c->name, "cust <&> \"vm\"");
	c->source = WZ_SRC_KERNEL;
	set(&c->kernel, kernel);
	set(&c->memory, "128M");
	set(&c->disk_size, "64M");
	c->size_by_user = true;
	c->nic = BE_NIC_NONE;
	assert_true(wz_newvm_ready(w));
	/* what Settings' collect() makes for a shut-off VM */
	g = be_vmchange_add(ch, BE_CHG_MEMORY, BE_WHEN_AUTO, NULL);
	g->value = 256ULL << 20;
	g = be_vmchange_add(ch, BE_CHG_ATTACH, BE_WHEN_AUTO, NULL);
	g->dev.kind = BE_DEVK_DISK;
	g->dev.pool = xstrdup("default");
	g->dev.vol = xstrdup("cust <&> extra.qcow2");
	g->dev.format = xstrdup("qcow2");
	g->dev.bus = xstrdup("virtio");
	g->dev.new_size = 32ULL << 20;
	assert_int_equal(wz_newvm_customize(w, &ch, &err), 0);
	assert_null(ch);
	assert_null(err);
	assert_int_equal(wz_newvm_customized(w), 2);

	xml = wz_newvm_xml(w, &err);
	assert_non_null(xml);
	assert_null(validate_file(xml));
	expect_x(xml, "string(/domain/name)", "cust <&> \"vm\"");
	expect_x(xml, "string(/domain/currentMemory)", "262144");
	expect_x(xml, "string(/domain/memory)", "262144");
	expect_x(xml, "string(count(/domain/devices/disk[@device='disk']))", "2");
	expect_x(xml, "string(/domain/devices/disk[2]/source/@volume)", "cust <&> extra.qcow2");
	expect_x(xml, "string(/domain/devices/disk[2]/target/@dev)", "vdb");
	conf = be_vmconf_parse(NULL, xml, &err);
	assert_non_null(conf);
	assert_int_equal(conf->mem, 256ULL << 20);
	assert_true(be_vmconf_find(conf, BE_DEVK_DISK, 1) >= 0);
	be_vmconf_free(&conf);
	free(xml);

	/* Finish: both volumes made before the definition, which has both disks */
	steps = wz_newvm_plan(w, &n, &err);
	assert_non_null(steps);
	for (size_t i = 0; i < n; i++) {
		if (steps[i].kind == CORE_STEP_VOL_CREATE) {
			nvol++;
			if (nvol == 2) {
				assert_string_equal(steps[i].vol, "cust <&> extra.qcow2");
				assert_int_equal(steps[i].size, 32ULL << 20);
			}
		}
		if (steps[i].kind == CORE_STEP_DEFINE)
			expect_x(steps[i].xml, "string(count(/domain/devices/disk[@device='disk']))", "2");
	}
	assert_int_equal(nvol, 2);
	core_steps_free(&steps, n);

	/* refused: growing (needs a volume), a device not in the VM; nothing kept */
	ch = be_vmchange_new();
	g = be_vmchange_add(ch, BE_CHG_GROW, BE_WHEN_AUTO, NULL);
	g->dev.kind = BE_DEVK_DISK;
	g->dev.target = xstrdup("vda");
	g->value = 1ULL << 30;
	assert_int_equal(wz_newvm_customize(w, &ch, &err), -1);
	assert_non_null(strstr(err, "Size:"));
	xfree(&err);
	assert_non_null(ch); /* still the caller's */
	be_vmchange_free_void(ch);
	ch = be_vmchange_new();
	g = be_vmchange_add(ch, BE_CHG_DETACH, BE_WHEN_AUTO, NULL);
	g->dev.kind = BE_DEVK_DISK;
	g->dev.target = xstrdup("vdz");
	assert_int_equal(wz_newvm_customize(w, &ch, &err), -1);
	assert_non_null(strstr(err, "not in the VM"));
	xfree(&err);
	be_vmchange_free_void(ch);
	assert_int_equal(wz_newvm_customized(w), 2);

	/* the wizard's own disk removed in Settings: its volume is not made */
	ch = be_vmchange_new();
	g = be_vmchange_add(ch, BE_CHG_DETACH, BE_WHEN_AUTO, NULL);
	g->dev.kind = BE_DEVK_DISK;
	g->dev.target = xstrdup("vda");
	assert_int_equal(wz_newvm_customize(w, &ch, &err), 0);
	steps = wz_newvm_plan(w, &n, &err);
	assert_non_null(steps);
	nvol = 0;
	for (size_t i = 0; i < n; i++)
		if (steps[i].kind == CORE_STEP_VOL_CREATE) {
			nvol++;
			assert_string_equal(steps[i].vol, "cust <&> extra.qcow2");
		}
	assert_int_equal(nvol, 1);
	core_steps_free(&steps, n);

	/* cleared: the wizard's XML again */
	assert_int_equal(wz_newvm_ops.set(w, "customize_clear", "1"), 0);
	xml = wz_newvm_xml(w, &err);
	expect_x(xml, "string(count(/domain/devices/disk[@device='disk']))", "1");
	expect_x(xml, "string(/domain/memory)", "131072");
	free(xml);
	free(kernel);
	wz_newvm_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),   cmocka_unit_test(test_name),    cmocka_unit_test(test_source),
		cmocka_unit_test(test_os_defaults), cmocka_unit_test(test_firmware), cmocka_unit_test(test_memory),
		cmocka_unit_test(test_network),	   cmocka_unit_test(test_storage), cmocka_unit_test(test_next),
		cmocka_unit_test(test_xml_and_plan), cmocka_unit_test(test_by_id), cmocka_unit_test(test_detect),
		cmocka_unit_test(test_os_shown_not_picked), cmocka_unit_test(test_customize),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
