/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_domxml.c - backend/be_domxml.c: a matrix of a new VM's
 * choices whose XML passes `virt-xml-validate FILE domain` and defines on
 * libvirt's test driver (test:///default, its own copy per connection);
 * hostile names round-trip; the virt-install line read back by a shell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../../backend/be_domxml.h"
#include "../../backend/be_xml.h"
#include "../../core/util.h"
#include "domxml_matrix.h"
#include "tmpdir.h"

static char *tmp;
static virConnectPtr conn;

static void quiet(void *opaque, virErrorPtr e)
{
	(void)opaque, (void)e;
}

static int group_setup(void **state)
{
	(void)state;
	if (setup_dir((void **)&tmp) < 0)
		return -1;
	virSetErrorFunc(NULL, quiet);
	conn = virConnectOpen("test:///default");
	return conn ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	virConnectClose(conn);
	teardown_dir((void **)&tmp);
	return 0;
}

/* virt-xml-validate FILE domain: 0 when valid (its output shown when not) */
static int validate(const char *xml, const char *tag)
{
	char *name = xasprintf("%s.xml", tag);
	char *path = write_file(tmp, name, xml, strlen(xml));
	char *cmd = xasprintf("virt-xml-validate %s domain >%s.out 2>&1", path, path);
	int rc = system(cmd);
	free(name);
	if (rc != 0) {
		char *show = xasprintf("cat %s.out; cat -n %s", path, path);
		if (system(show) != 0)
			print_error("(could not show %s)\n", path);
		free(show);
	}
	free(cmd);
	free(path);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Define on the test driver, check the name libvirt read, undefine. */
static void define_ok(const char *xml, const char *name)
{
	virDomainPtr d = virDomainDefineXML(conn, xml);
	if (!d) {
		virErrorPtr e = virGetLastError();
		fail_msg("define failed: %s\n%s", e && e->message ? e->message : "?", xml);
	}
	assert_string_equal(virDomainGetName(d), name);
	assert_int_equal(virDomainUndefine(d), 0);
	virDomainFree(d);
}

static char *get(const char *xml, const char *xpath)
{
	xmlDocPtr doc = be_xml_parse(xml);
	char *v;
	assert_non_null(doc);
	v = be_xml_get(doc, xpath);
	xmlFreeDoc(doc);
	return v;
}

static void expect(const char *xml, const char *xpath, const char *want)
{
	char *v = get(xml, xpath);
	if (!core_str_eq(v, want))
		fail_msg("%s: got \"%s\", want \"%s\"\n%s", xpath, v ? v : "(none)", want ? want : "(none)", xml);
	free(v);
}

/* One choice per axis from index i, every axis's values all met. */
static void test_matrix(void **state)
{
	int done = 0;
	(void)state;
	for (int i = 0; i < MATRIX_N; i++) {
		struct matrix_case c;
		char tag[32], *err = NULL, *xml, want[64];
		matrix_case(i, "vmmc-matrix", &c);
		be_domspec s = c.s;
		int src = c.src, fw = c.fw, nic = c.nic;
		bool disk = c.disk, virtio = c.virtio, tpm = c.tpm;
		size_t ncd = c.ncd;
		xml = be_domxml_build(&s, &err);
		if (!xml)
			fail_msg("combination %d: %s", i, err);
		snprintf(tag, sizeof(tag), "m%02d", i);
		if (validate(xml, tag) != 0)
			fail_msg("combination %d does not validate", i);
		define_ok(xml, "vmmc-matrix");

		/* what each axis put in */
		expect(xml, "string(/domain/@type)", s.virt_type);
		expect(xml, "string(/domain/os/@firmware)", fw ? "efi" : NULL);
		expect(xml, "string(/domain/os/firmware/feature[@name='secure-boot']/@enabled)",
		       fw == 0 ? NULL : fw == 2 ? "yes" : "no");
		expect(xml, "string(/domain/features/smm/@state)", fw == 2 ? "on" : NULL);
		expect(xml, "string(/domain/devices/tpm/backend/@type)", tpm ? "emulator" : NULL);
		expect(xml, "string(/domain/devices/tpm/backend/@version)", tpm ? "2.0" : NULL);
		expect(xml, "string(/domain/cpu/@mode)", i % 5 == 0 ? NULL : "host-passthrough");
		expect(xml, "string(/domain/devices/interface/@type)",
		       nic == BE_NIC_NONE ? NULL : nic == BE_NIC_NETWORK ? "network" : nic == BE_NIC_BRIDGE ? "bridge" : "user");
		expect(xml, "string(/domain/devices/interface/model/@type)", nic == BE_NIC_NONE ? NULL : s.nic_model);
		expect(xml, "string(/domain/devices/interface/source/@network)", nic == BE_NIC_NETWORK ? "default" : NULL);
		expect(xml, "string(/domain/devices/interface/source/@bridge)", nic == BE_NIC_BRIDGE ? "br0" : NULL);
		snprintf(want, sizeof(want), "%zu", ncd);
		expect(xml, "string(count(/domain/devices/disk[@device='cdrom']))", want);
		expect(xml, "string(count(/domain/devices/disk[@device='cdrom']/readonly))", want);
		expect(xml, "string(/domain/devices/disk[@device='cdrom']/target/@bus)", ncd ? "sata" : NULL);
		expect(xml, "string(/domain/devices/disk[@device='disk']/target/@bus)",
		       s.ndisks > ncd ? (virtio ? "virtio" : "sata") : NULL);
		expect(xml, "string(/domain/devices/disk[@device='disk']/target/@dev)",
		       s.ndisks > ncd ? (virtio ? "vda" : (ncd && src != SRC_CLOUD ? "sdb" : "sda")) : NULL);
		expect(xml, "string(/domain/os/boot[1]/@dev)",
		       src == SRC_ISO_FILE || src == SRC_ISO_POOL ? "cdrom"
		       : src == SRC_PXE                          ? "network"
		       : src == SRC_KERNEL && !disk              ? NULL
							      : "hd");
		expect(xml, "string(/domain/os/kernel)", src == SRC_KERNEL ? "/var/lib/vmmc/vmlinuz" : NULL);
		expect(xml, "string(/domain/os/cmdline)", src == SRC_KERNEL ? "console=ttyS0 quiet" : NULL);
		expect(xml, "string(/domain/devices/disk[@type='volume']/source/@volume)",
		       src == SRC_ISO_POOL ? "debian 11 & <netinst>.iso"
		       : s.ndisks > ncd && s.disks[src == SRC_ISO_FILE || src == SRC_ISO_POOL].pool ? "vmmc-matrix.qcow2"
											       : NULL);
		/* always: serial + console, the agent's channel, libosinfo's id */
		expect(xml, "string(/domain/devices/serial/@type)", "pty");
		expect(xml, "string(/domain/devices/console/target/@type)", "serial");
		expect(xml, "string(/domain/devices/channel/target/@name)", "org.qemu.guest_agent.0");
		expect(xml, "string(/domain/metadata/*[local-name()='libosinfo']/*[local-name()='os']/@id)", s.os_id);
		expect(xml, "string(namespace-uri(/domain/metadata/*[1]))", "http://libosinfo.org/xmlns/libvirt/domain/1.0");
		expect(xml, "string(/domain/memory)", "1048576");
		free(xml);
		done++;
	}
	assert_int_equal(done, MATRIX_N);
}

static const char *const hostile[] = {
	"a<b&c\"d'e>",
	"<script>alert(1)<\\script>",
	"]]><x>",
	"&amp; &lt;",
	"  sp ace  ",
	"Gr\xc3\xbc\xc3\x9f" "e \xe2\x98\x83",
	"$(rm -rf ~) `id` ;|",
	"it's",
};

static void test_hostile_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		be_domspec s = base_spec(hostile[i]);
		char *err = NULL, *xml, tag[16];
		s.disks[0].path = "/var/lib/libvirt/images/x&<y>.qcow2";
		s.ndisks = 1;
		s.nic = BE_NIC_NETWORK;
		s.nic_source = "net \"quoted\" & <tagged>";
		xml = be_domxml_build(&s, &err);
		if (!xml)
			fail_msg("\"%s\": %s", hostile[i], err);
		expect(xml, "string(/domain/name)", hostile[i]);
		expect(xml, "string(/domain/devices/interface/source/@network)", s.nic_source);
		expect(xml, "string(/domain/devices/disk/source/@file)", s.disks[0].path);
		snprintf(tag, sizeof(tag), "h%zu", i);
		assert_int_equal(validate(xml, tag), 0);
		define_ok(xml, hostile[i]);
		free(xml);
	}
}

static void bad_spec(be_domspec s, const char *word)
{
	char *err = NULL, *xml = be_domxml_build(&s, &err);
	if (xml)
		fail_msg("built for \"%s\": %s", word, xml);
	assert_non_null(err);
	if (!strstr(err, word))
		fail_msg("\"%s\" lacks \"%s\"", err, word);
	free(err);
}

static void test_refusals(void **state)
{
	be_domspec s;
	(void)state;
	bad_spec(base_spec(""), "Name: enter a name");
	bad_spec(base_spec(NULL), "Name: enter a name");
	bad_spec(base_spec("a/b"), "Name: may not contain '/'");
	bad_spec(base_spec("a\nb"), "control characters");
	bad_spec(base_spec("  "), "only spaces");
	s = base_spec("ok");
	s.memory = 0;
	bad_spec(s, "Memory: at least 1 MiB");
	s = base_spec("ok");
	s.vcpus = 0;
	bad_spec(s, "vCPUs: at least 1");
	s = base_spec("ok");
	s.nic = BE_NIC_NETWORK;
	bad_spec(s, "Network: choose a virtual network");
	s = base_spec("ok");
	s.nic = BE_NIC_BRIDGE;
	s.nic_source = "";
	bad_spec(s, "Network: enter a bridge");
	s = base_spec("ok");
	s.ndisks = 1;
	bad_spec(s, "Storage: a disk needs a path");
	s = base_spec("ok");
	s.initrd = "/x";
	bad_spec(s, "needs a kernel");
	s = base_spec("ok");
	s.secure_boot = true;
	bad_spec(s, "Secure Boot needs UEFI");
}

static void test_shell_quote(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "plain-name_1.2", "plain-name_1.2" },
		{ "qemu:///system", "qemu:///system" },
		{ "", "''" },
		{ "a b", "'a b'" },
		{ "it's", "'it'\\''s'" },
		{ "$(x)", "'$(x)'" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *q = be_shell_quote(t[i].in);
		assert_string_equal(q, t[i].out);
		free(q);
	}
}

/* The line's words as a POSIX shell splits them (printf '%s\n' "$@"). */
static char **shell_words(const char *line, size_t *n)
{
	char *script = xasprintf("%s/words.sh", tmp);
	char *cmd = xasprintf("sh %s", script);
	FILE *f = fopen(script, "w");
	char buf[4096], **v = NULL;
	size_t cap = 0;
	assert_non_null(f);
	assert_true(strncmp(line, "virt-install ", 13) == 0);
	fprintf(f, "set -- %s\nprintf '%%s\\036' \"$@\"\n", line + 13);
	fclose(f);
	f = popen(cmd, "r");
	assert_non_null(f);
	*n = 0;
	size_t got = fread(buf, 1, sizeof(buf) - 1, f);
	buf[got] = '\0';
	pclose(f);
	for (char *p = buf, *e; (e = strchr(p, '\036')) != NULL; p = e + 1) {
		xgrow(&v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = xstrndup(p, (size_t)(e - p));
	}
	free(script);
	free(cmd);
	return v;
}

static const char *word_after(char **v, size_t n, const char *opt, int which)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (strcmp(v[i], opt) == 0 && which-- == 0)
			return v[i + 1];
	return NULL;
}

static void test_virt_install(void **state)
{
	be_domspec s = base_spec("web 1 <it's>");
	char *line, **w;
	size_t n;
	(void)state;
	s.memory = 2ULL << 30;
	s.vcpus = 2;
	s.firmware = BE_FW_UEFI;
	s.secure_boot = true;
	s.tpm = true;
	s.os_short = "win11";
	s.disks[0] = (be_domdisk){ .device = BE_DEV_CDROM, .path = "/isos/Win 11.iso" };
	s.disks[1] = (be_domdisk){ .pool = "default", .vol = "web.qcow2", .new_size = 64ULL << 20, .bus = BE_BUS_SATA };
	s.ndisks = 2;
	s.boot[0] = BE_BOOT_CDROM;
	s.boot[1] = BE_BOOT_HD;
	s.nboot = 2;
	s.nic = BE_NIC_NETWORK;
	s.nic_source = "lab,net";
	s.nic_model = "e1000";
	line = be_domxml_virt_install(&s, "qemu:///system");
	assert_string_equal(line,
			    "virt-install --connect qemu:///system --name 'web 1 <it'\\''s>' --memory 2048 --vcpus 2"
			    " --osinfo win11 --virt-type kvm --arch x86_64 --machine q35"
			    " --boot uefi,firmware.feature0.name=secure-boot,firmware.feature0.enabled=yes,cdrom,hd"
			    " --cdrom '/isos/Win 11.iso' --disk pool=default,size=0.0625,format=qcow2,bus=sata"
			    " --network network=lab,,net,model=e1000 --tpm emulator,model=tpm-crb,version=2.0"
			    " --serial pty --console pty,target_type=serial"
			    " --channel unix,target_type=virtio,name=org.qemu.guest_agent.0 --graphics none --noautoconsole");
	w = shell_words(line, &n);
	assert_string_equal(word_after(w, n, "--name", 0), "web 1 <it's>");
	assert_string_equal(word_after(w, n, "--cdrom", 0), "/isos/Win 11.iso");
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
	free(line);

	/* direct kernel boot, an existing volume, user networking, no OS */
	s = base_spec("tiny");
	s.virt_type = "qemu";
	s.machine = NULL;
	s.memory = 128ULL << 20;
	s.kernel = "/k/vmlinuz";
	s.initrd = "/k/initrd.gz";
	s.cmdline = "console=ttyS0 rdinit=/init";
	s.disks[0] = (be_domdisk){ .pool = "p", .vol = "tiny.qcow2" };
	s.ndisks = 1;
	s.nic = BE_NIC_USER;
	line = be_domxml_virt_install(&s, NULL);
	assert_string_equal(line,
			    "virt-install --name tiny --memory 128 --vcpus 1 --osinfo detect=on,require=off --virt-type qemu"
			    " --arch x86_64 --boot 'kernel=/k/vmlinuz,initrd=/k/initrd.gz,kernel_args=console=ttyS0 rdinit=/init'"
			    " --disk vol=p/tiny.qcow2,format=qcow2,bus=virtio --network user,model=virtio --import"
			    " --serial pty --console pty,target_type=serial"
			    " --channel unix,target_type=virtio,name=org.qemu.guest_agent.0 --graphics none --noautoconsole");
	free(line);

	/* PXE, no disk, no network is impossible for PXE but the line says what it was given */
	s = base_spec("pxe");
	s.boot[0] = BE_BOOT_NETWORK;
	s.nboot = 1;
	s.nic = BE_NIC_BRIDGE;
	s.nic_source = "br0";
	line = be_domxml_virt_install(&s, NULL);
	assert_non_null(strstr(line, " --boot network --disk none --network bridge=br0,model=virtio --pxe --serial"));
	assert_null(strstr(line, "--import"));
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_virt_install),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
