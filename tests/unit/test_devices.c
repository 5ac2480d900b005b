/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_devices.c - backend/be_devices.c: the live and inactive
 * XML of a VM (tests/fixtures/devices) parsed into its hardware and what is
 * pending; device and domain XML built with libxml2 (hostile names
 * round-trip, MACs checked); the Settings jobs on libvirt's test driver
 * (test:///default, its own copy per connection): details, memory, vCPUs,
 * title, boot order (the define) and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pump.h"

#include <libxml/parser.h>

#include "../../backend/be.h"
#include "../../backend/be_devices.h"
#include "../../backend/be_storage.h" /* be_host_submit_arg */
#include "../../backend/be_vmxml.h"
#include "../../backend/be_xml.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"

#define MIB (1024ULL * 1024)

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	buf[fread(buf, 1, (size_t)n, f)] = 0;
	fclose(f);
	return buf;
}

static be_vmconf *fixture(void)
{
	char *live = slurp("tests/fixtures/devices/live.xml"), *cfg = slurp("tests/fixtures/devices/inactive.xml");
	char *err = NULL;
	be_vmconf *c;
	assert_non_null(live);
	assert_non_null(cfg);
	c = be_vmconf_parse(live, cfg, &err);
	assert_null(err);
	assert_non_null(c);
	free(live);
	free(cfg);
	return c;
}

static const be_device *dev_by(const be_vmconf *c, int kind, const char *key)
{
	for (size_t i = 0; i < c->ndevs; i++) {
		const be_device *d = &c->devs[i];
		if (d->kind == kind && (!key || core_str_eq(d->target, key) || core_str_eq(d->mac, key) ||
					core_str_eq(d->tgt_name, key)))
			return d;
	}
	return NULL;
}

/* ---- parse ------------------------------------------------------------------ */

static void test_parse_identity(void **state)
{
	be_vmconf *c = fixture();
	assert_string_equal(c->name, "web<1> & \"co\"");
	assert_string_equal(c->uuid, "6f1b9a52-3c1d-4e8b-9a7e-1d2c3b4a5f60");
	assert_string_equal(c->title, "Front end");
	assert_string_equal(c->description, "serves <html>");
	assert_true(c->active);
	assert_true(c->persistent);
	assert_string_equal(c->firmware, "efi");
	assert_true(c->secure_boot);
	assert_string_equal(c->machine, "pc-q35-7.2");
	assert_int_equal(c->nboot, 2);
	assert_string_equal(c->boot[0], "hd");
	assert_string_equal(c->boot[1], "cdrom");
	assert_true(c->pending_boot); /* live: hd only */
	be_vmconf_free(&c);
	assert_null(c);
}

static void test_parse_memory_vcpus(void **state)
{
	be_vmconf *c = fixture();
	assert_int_equal(c->maxmem, 1024 * MIB);
	assert_int_equal(c->mem, 512 * MIB);
	assert_int_equal(c->live_mem, 256 * MIB);
	assert_int_equal(c->live_maxmem, 1024 * MIB);
	assert_true(c->pending_mem);
	assert_int_equal(c->vcpus, 2);
	assert_int_equal(c->maxvcpus, 4);
	assert_int_equal(c->live_vcpus, 2);
	assert_false(c->pending_vcpus);
	assert_false(c->pending_fw);
	be_vmconf_free(&c);
}

static void test_parse_devices(void **state)
{
	be_vmconf *c = fixture();
	const be_device *d;

	d = dev_by(c, BE_DEVK_DISK, "vda");
	assert_non_null(d);
	assert_string_equal(d->source, "/var/lib/libvirt/images/web.qcow2");
	assert_string_equal(d->format, "qcow2");
	assert_string_equal(d->bus, "virtio");
	assert_string_equal(d->alias, "virtio-disk0");
	assert_true(d->in_live && d->in_config);
	assert_false(d->pending);

	d = dev_by(c, BE_DEVK_DISK, "vdb");
	assert_string_equal(d->pool, "default");
	assert_string_equal(d->vol, "data.raw");
	assert_null(d->source);
	assert_false(d->pending);

	d = dev_by(c, BE_DEVK_CDROM, "sda");
	assert_string_equal(d->source, "/isos/debian.iso"); /* next boot's */
	assert_true(d->readonly);
	assert_true(d->pending); /* ejected live only */

	d = dev_by(c, BE_DEVK_NIC, "52:54:00:00:00:01");
	assert_string_equal(d->net_type, "network");
	assert_string_equal(d->net_source, "default");
	assert_string_equal(d->model, "virtio");
	assert_string_equal(d->ifname, "vnet3");
	assert_false(d->link_down); /* the config's */
	assert_true(d->pending);    /* down live */

	d = dev_by(c, BE_DEVK_NIC, "52:54:00:00:00:02");
	assert_true(d->in_live);
	assert_false(d->in_config);
	assert_true(d->pending); /* hot-plugged: gone at next boot */

	d = dev_by(c, BE_DEVK_NIC, "52:54:00:00:00:03");
	assert_string_equal(d->net_type, "bridge");
	assert_string_equal(d->net_source, "br0");
	assert_string_equal(d->model, "e1000");
	assert_false(d->in_live);
	assert_true(d->pending); /* added for the next boot */

	d = dev_by(c, BE_DEVK_SERIAL, NULL);
	assert_int_equal(d->port, 0);
	assert_string_equal(d->pty, "/dev/pts/5");
	assert_false(d->pending);
	d = dev_by(c, BE_DEVK_CONSOLE, NULL);
	assert_string_equal(d->tgt_type, "serial");
	assert_false(d->pending);

	d = be_vmconf_agent(c);
	assert_non_null(d);
	assert_string_equal(d->state, "connected");
	assert_false(d->pending);

	d = dev_by(c, BE_DEVK_VIDEO, NULL);
	assert_string_equal(d->model, "virtio");
	d = dev_by(c, BE_DEVK_WATCHDOG, NULL);
	assert_string_equal(d->model, "i6300esb");
	assert_string_equal(d->detail, "reset");
	d = dev_by(c, BE_DEVK_RNG, NULL);
	assert_string_equal(d->model, "random");
	assert_string_equal(d->detail, "/dev/urandom");
	d = dev_by(c, BE_DEVK_TPM, NULL);
	assert_string_equal(d->model, "tpm-crb");
	assert_string_equal(d->detail, "2.0");
	assert_true(d->pending); /* not in the live XML */
	d = dev_by(c, BE_DEVK_OTHER, NULL);
	assert_string_equal(d->elem, "controller");
	assert_false(d->pending);

	assert_true(be_vmconf_pending(c));
	assert_int_equal(be_vmconf_find(c, BE_DEVK_NIC, 2), (int)(dev_by(c, BE_DEVK_NIC, "52:54:00:00:00:02") - c->devs));
	assert_int_equal(be_vmconf_find(c, BE_DEVK_NIC, 3), -1);
	be_vmconf_free(&c);
}

static void test_parse_shut_off(void **state)
{
	char *cfg = slurp("tests/fixtures/devices/inactive.xml"), *err = NULL, *t;
	be_vmconf *c = be_vmconf_parse(NULL, cfg, &err);
	assert_non_null(c);
	assert_false(c->active);
	assert_false(be_vmconf_pending(c)); /* nothing waits for a restart */
	assert_int_equal(c->live_mem, 0);
	assert_null(c->live_xml);
	assert_string_equal(c->config_xml, cfg);
	t = be_vmconf_free_target(c, "virtio");
	assert_string_equal(t, "vdc");
	free(t);
	t = be_vmconf_free_target(c, "sata");
	assert_string_equal(t, "sdb");
	free(t);
	be_vmconf_free(&c);
	free(cfg);
}

static void test_parse_bad(void **state)
{
	char *err = NULL;
	assert_null(be_vmconf_parse(NULL, "<pool/>", &err));
	assert_string_equal(err, "not a domain's XML");
	free(err);
	err = NULL;
	assert_null(be_vmconf_parse("not xml", NULL, &err));
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_null(be_vmconf_parse(NULL, NULL, &err));
	free(err);
}

/* ---- build ------------------------------------------------------------------ */

static xmlDocPtr parse_dev(const be_device *d)
{
	char *err = NULL, *xml = be_dev_xml(d, &err);
	xmlDocPtr doc;
	if (!xml)
		fail_msg("be_dev_xml: %s", err);
	doc = be_xml_parse(xml);
	assert_non_null(doc);
	free(xml);
	return doc;
}

static void expect(xmlDocPtr doc, const char *xpath, const char *want)
{
	char *v = be_xml_get(doc, xpath);
	if (!core_str_eq(v, want))
		fail_msg("%s: \"%s\", expected \"%s\"", xpath, v ? v : "(none)", want ? want : "(none)");
	free(v);
}

static void test_build_new(void **state)
{
	be_device d = { .kind = BE_DEVK_DISK, .port = -1 };
	xmlDocPtr doc;

	d.pool = "p<&\"o'ol";
	d.vol = "v<1>.qcow2";
	d.target = "vdc";
	doc = parse_dev(&d);
	expect(doc, "string(/disk/@type)", "volume");
	expect(doc, "string(/disk/@device)", "disk");
	expect(doc, "string(/disk/source/@pool)", "p<&\"o'ol");
	expect(doc, "string(/disk/source/@volume)", "v<1>.qcow2");
	expect(doc, "string(/disk/target/@bus)", "virtio");
	expect(doc, "string(/disk/driver/@type)", "qcow2");
	xmlFreeDoc(doc);

	memset(&d, 0, sizeof(d));
	d.kind = BE_DEVK_CDROM;
	d.target = "sdb";
	doc = parse_dev(&d); /* an empty drive */
	expect(doc, "string(/disk/@device)", "cdrom");
	expect(doc, "string(/disk/target/@bus)", "sata");
	expect(doc, "name(/disk/source)", NULL);
	expect(doc, "name(/disk/readonly)", "readonly");
	xmlFreeDoc(doc);

	memset(&d, 0, sizeof(d));
	d.kind = BE_DEVK_NIC;
	d.mac = "52:54:00:AB:cd:01";
	doc = parse_dev(&d);
	expect(doc, "string(/interface/@type)", "network");
	expect(doc, "string(/interface/source/@network)", "default");
	expect(doc, "string(/interface/mac/@address)", "52:54:00:ab:cd:01");
	expect(doc, "string(/interface/model/@type)", "virtio");
	expect(doc, "string(/interface/link/@state)", "up");
	xmlFreeDoc(doc);

	memset(&d, 0, sizeof(d));
	d.kind = BE_DEVK_CHANNEL;
	doc = parse_dev(&d);
	expect(doc, "string(/channel/@type)", "unix");
	expect(doc, "string(/channel/target/@type)", "virtio");
	expect(doc, "string(/channel/target/@name)", BE_AGENT_CHANNEL);
	xmlFreeDoc(doc);

	memset(&d, 0, sizeof(d));
	d.kind = BE_DEVK_TPM;
	doc = parse_dev(&d);
	expect(doc, "string(/tpm/@model)", "tpm-crb");
	expect(doc, "string(/tpm/backend/@type)", "emulator");
	expect(doc, "string(/tpm/backend/@version)", "2.0");
	xmlFreeDoc(doc);

	memset(&d, 0, sizeof(d));
	d.kind = BE_DEVK_SERIAL;
	d.port = 1;
	doc = parse_dev(&d);
	expect(doc, "string(/serial/@type)", "pty");
	expect(doc, "string(/serial/target/@port)", "1");
	xmlFreeDoc(doc);
}

static void test_build_update(void **state)
{
	be_vmconf *c = fixture();
	be_device d;
	xmlDocPtr doc;

	/* eject: the same drive without a source */
	be_device_copy(&d, dev_by(c, BE_DEVK_CDROM, "sda"));
	xfree(&d.source);
	doc = parse_dev(&d);
	expect(doc, "string(/disk/target/@dev)", "sda");
	expect(doc, "string(/disk/source/@file)", NULL);
	expect(doc, "string(/disk/@device)", "cdrom");
	expect(doc, "name(/disk/readonly)", "readonly");
	xmlFreeDoc(doc);
	/* insert a file with a hostile name */
	core_str_set(&d.source, "/isos/a<&>\"b'.iso");
	doc = parse_dev(&d);
	expect(doc, "string(/disk/source/@file)", "/isos/a<&>\"b'.iso");
	expect(doc, "string(/disk/@type)", "file");
	xmlFreeDoc(doc);
	be_device_clear(&d);

	/* link down keeps the rest of the interface */
	be_device_copy(&d, dev_by(c, BE_DEVK_NIC, "52:54:00:00:00:03"));
	d.link_down = true;
	doc = parse_dev(&d);
	expect(doc, "string(/interface/link/@state)", "down");
	expect(doc, "string(/interface/source/@bridge)", "br0");
	expect(doc, "string(/interface/model/@type)", "e1000");
	expect(doc, "string(/interface/mac/@address)", "52:54:00:00:00:03");
	xmlFreeDoc(doc);
	/* switch to virtio (Integration Services' use) */
	core_str_set(&d.model, "virtio");
	doc = parse_dev(&d);
	expect(doc, "string(/interface/model/@type)", "virtio");
	xmlFreeDoc(doc);
	be_device_clear(&d);
	be_vmconf_free(&c);
}

static void test_mac_check(void **state)
{
	char out[18], *err = NULL;
	be_device d = { .kind = BE_DEVK_NIC, .port = -1 };

	assert_int_equal(be_mac_check("52:54:00:AA:bb:0c", out, &err), 0);
	assert_string_equal(out, "52:54:00:aa:bb:0c");
	const char *bad[] = { "52:54:00:aa:bb", "52:54:00:aa:bb:0g", "52-54-00-aa-bb-cc", "52:54:00:aa:bb:cc:dd",
			      "", "01:00:5e:00:00:01" /* multicast */ };
	for (size_t i = 0; i < CORE_ARRAY_LEN(bad); i++) {
		assert_int_equal(be_mac_check(bad[i], out, &err), -1);
		assert_non_null(strstr(err, "MAC: "));
		free(err);
		err = NULL;
	}
	d.mac = "zz:54:00:aa:bb:cc";
	assert_null(be_dev_xml(&d, &err));
	assert_non_null(strstr(err, "not a MAC address"));
	free(err);
}

static void test_set_boot(void **state)
{
	char *cfg = slurp("tests/fixtures/devices/inactive.xml"), *err = NULL, *x;
	char *order[] = { "cdrom", "network", "hd" };
	char *bad[] = { "floppy-ish" };
	xmlDocPtr doc;
	size_t n;
	char **v;

	x = be_domxml_set_boot(cfg, order, 3, NULL, &err);
	assert_non_null(x);
	doc = be_xml_parse(x);
	v = be_xml_get_all(doc, "/domain/os/boot/@dev", &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "cdrom");
	assert_string_equal(v[1], "network");
	assert_string_equal(v[2], "hd");
	be_strv_free(&v, &n);
	expect(doc, "string(/domain/name)", "web<1> & \"co\""); /* the rest kept */
	expect(doc, "string(/domain/os/@firmware)", "efi");
	xmlFreeDoc(doc);
	free(x);

	x = be_domxml_set_boot(cfg, NULL, 0, "bios", &err);
	doc = be_xml_parse(x);
	expect(doc, "string(/domain/os/@firmware)", NULL);
	expect(doc, "string(/domain/os/boot[1]/@dev)", "hd"); /* order unchanged */
	xmlFreeDoc(doc);
	free(x);

	assert_null(be_domxml_set_boot(cfg, bad, 1, NULL, &err));
	assert_non_null(strstr(err, "Boot order: unknown device"));
	free(err);
	err = NULL;
	assert_null(be_domxml_set_boot(cfg, NULL, 0, "coreboot", &err));
	assert_non_null(strstr(err, "Firmware:"));
	free(err);
	err = NULL;
	assert_null(be_domxml_set_boot("<pool/>", order, 1, NULL, &err));
	free(err);
	free(cfg);
}

static void test_keep_secrets(void **state)
{
	const char *secure = "<domain><devices><graphics type='vnc' passwd='s3&lt;cr'/>"
			     "<graphics type='spice' passwd='sp'/></devices></domain>";
	const char *edited = "<domain><devices><graphics type='spice'/><graphics type='vnc' port='-1'/>"
			     "</devices></domain>";
	char *x = be_domxml_keep_secrets(edited, secure);
	xmlDocPtr doc;
	assert_non_null(x);
	doc = be_xml_parse(x);
	expect(doc, "string(/domain/devices/graphics[@type='vnc']/@passwd)", "s3<cr");
	expect(doc, "string(/domain/devices/graphics[@type='vnc']/@port)", "-1");
	expect(doc, "string(/domain/devices/graphics[@type='spice']/@passwd)", "sp");
	xmlFreeDoc(doc);
	free(x);
	/* a password the user typed stays; nothing to copy: NULL (use as is) */
	assert_null(be_domxml_keep_secrets("<domain><devices><graphics type='vnc' passwd='new'/></devices></domain>",
					   secure));
	assert_null(be_domxml_keep_secrets("<domain><devices/></domain>", secure));
	assert_null(be_domxml_keep_secrets("not xml", secure));
}

static void test_set_disk_bus(void **state)
{
	char *cfg = slurp("tests/fixtures/devices/inactive.xml"), *err = NULL, *x;
	xmlDocPtr doc;
	be_vmconf *c;

	x = be_domxml_set_disk_bus(cfg, "vda", "sata", &err);
	assert_non_null(x);
	c = be_vmconf_parse(NULL, x, &err);
	assert_non_null(c);
	/* sda is the CD/DVD drive's: the disk becomes sdb, its source kept */
	assert_null(dev_by(c, BE_DEVK_DISK, "vda"));
	assert_string_equal(dev_by(c, BE_DEVK_DISK, "sdb")->source, "/var/lib/libvirt/images/web.qcow2");
	assert_string_equal(dev_by(c, BE_DEVK_DISK, "sdb")->bus, "sata");
	assert_non_null(dev_by(c, BE_DEVK_DISK, "vdb"));
	be_vmconf_free(&c);
	doc = be_xml_parse(x);
	expect(doc, "string(/domain/name)", "web<1> & \"co\"");
	xmlFreeDoc(doc);
	free(x);

	assert_null(be_domxml_set_disk_bus(cfg, "vdz", "sata", &err));
	assert_string_equal(err, "Disk: the VM has no disk vdz");
	free(err);
	err = NULL;
	assert_null(be_domxml_set_disk_bus(cfg, "vda", "floppy", &err));
	assert_non_null(strstr(err, "Bus: unknown"));
	free(err);
	free(cfg);
}

static void test_set_nic_mac(void **state)
{
	char *cfg = slurp("tests/fixtures/devices/inactive.xml"), *err = NULL, *x;
	be_vmconf *c;
	be_device d = { .kind = BE_DEVK_NIC, .net_type = "network", .net_source = "lan<&>", .mac = "52:54:00:00:00:03" };

	/* the bridge's NIC (found by its MAC, any case) gets the new one, lower-cased */
	x = be_domxml_set_nic_mac(cfg, "52:54:00:00:00:03", "52:54:00:AB:CD:EF", &err);
	assert_non_null(x);
	c = be_vmconf_parse(NULL, x, &err);
	assert_non_null(c);
	assert_null(dev_by(c, BE_DEVK_NIC, "52:54:00:00:00:03"));
	assert_string_equal(dev_by(c, BE_DEVK_NIC, "52:54:00:ab:cd:ef")->net_source, "br0");
	assert_string_equal(dev_by(c, BE_DEVK_NIC, "52:54:00:00:00:01")->net_source, "default");
	be_vmconf_free(&c);
	free(x);
	/* refusals: no such NIC, a malformed or multicast MAC; nothing made */
	assert_null(be_domxml_set_nic_mac(cfg, "52:54:00:00:00:09", "52:54:00:00:00:0a", &err));
	assert_string_equal(err, "MAC: the VM has no network adapter 52:54:00:00:00:09");
	xfree(&err);
	assert_null(be_domxml_set_nic_mac(cfg, "52:54:00:00:00:01", "52:54:00:zz:00:0a", &err));
	assert_non_null(strstr(err, "is not a MAC address"));
	xfree(&err);
	assert_null(be_domxml_set_nic_mac(cfg, "52:54:00:00:00:01", "01:54:00:00:00:0a", &err));
	assert_non_null(strstr(err, "multicast"));
	xfree(&err);
	assert_null(be_domxml_set_nic_mac("<network/>", "52:54:00:00:00:01", "52:54:00:00:00:0a", &err));
	xfree(&err);
	free(cfg);

	/* a NIC switched from bridge to network: the type and the source element follow */
	d.xml = "<interface type='bridge'><mac address='52:54:00:00:00:03'/><source bridge='br0'/>"
		"<model type='e1000'/></interface>";
	x = be_dev_xml(&d, &err);
	assert_non_null(x);
	{
		xmlDocPtr doc = be_xml_parse(x);
		expect(doc, "string(/interface/@type)", "network");
		expect(doc, "string(/interface/source/@network)", "lan<&>");
		expect(doc, "string(/interface/source/@bridge)", NULL);
		expect(doc, "string(/interface/model/@type)", "e1000");
		xmlFreeDoc(doc);
	}
	free(x);
}

static void test_add_device(void **state)
{
	char *cfg = slurp("tests/fixtures/devices/inactive.xml"), *err = NULL, *x;
	be_vmconf *c;
	x = be_domxml_add_device(cfg, "<rng model='virtio'><backend model='random'>/dev/random</backend></rng>", &err);
	assert_non_null(x);
	c = be_vmconf_parse(NULL, x, &err);
	assert_int_equal(be_vmconf_find(c, BE_DEVK_RNG, 1), (int)c->ndevs - 1); /* a second RNG, last */
	assert_string_equal(c->devs[c->ndevs - 1].detail, "/dev/random");
	be_vmconf_free(&c);
	free(x);
	assert_null(be_domxml_add_device(cfg, "<rng", &err));
	assert_string_equal(err, "the device's XML cannot be read");
	free(err);
	err = NULL;
	assert_null(be_domxml_add_device("<pool/>", "<rng/>", &err));
	free(err);
	free(cfg);
}

/* A running VM's new CD/DVD drive can go in live only on a SCSI controller:
 * the fixture has a USB one (live and inactive), no SCSI; one added to the
 * inactive XML counts for the next boot, not live. */
static void test_has_controller(void **state)
{
	be_vmconf *c = fixture();
	char *cfg = slurp("tests/fixtures/devices/inactive.xml"), *live = slurp("tests/fixtures/devices/live.xml");
	char *err = NULL, *x;
	assert_true(be_vmconf_has_controller(c, "usb", true));
	assert_false(be_vmconf_has_controller(c, "scsi", false));
	be_vmconf_free(&c);
	x = be_domxml_add_device(cfg, "<controller type='scsi' model='virtio-scsi'/>", &err);
	assert_non_null(x);
	c = be_vmconf_parse(live, x, &err);
	assert_non_null(c);
	assert_true(be_vmconf_has_controller(c, "scsi", false));
	assert_false(be_vmconf_has_controller(c, "scsi", true)); /* not in the running VM */
	be_vmconf_free(&c);
	assert_false(be_vmconf_has_controller(NULL, "scsi", false));
	free(x);
	free(cfg);
	free(live);
}

/* Customize before install: a new CD/DVD drive (no target given) gets a
 * free SATA one, on a volume not made yet (pool/vol; the local file kept
 * with the change, copied and freed with it); names with < & " escaped. */
static void test_preview_cdrom(void **state)
{
	char *cfg = slurp("tests/fixtures/devices/inactive.xml"), *err = NULL, *x;
	be_vmchange *ch = be_vmchange_new();
	be_vmchg *g = be_vmchange_add(ch, BE_CHG_ATTACH, BE_WHEN_BOOT, NULL);
	be_vmconf *c;
	const be_device *d = NULL;
	be_device cp;
	int same = 0;
	g->dev.kind = BE_DEVK_CDROM;
	g->dev.pool = xstrdup("iso<&pool");
	g->dev.vol = xstrdup("a\"b.iso");
	g->dev.format = xstrdup("raw");
	g->dev.upload_from = xstrdup("/tmp/a.iso");
	be_device_copy(&cp, &g->dev);
	assert_string_equal(cp.upload_from, "/tmp/a.iso");
	assert_ptr_not_equal(cp.upload_from, g->dev.upload_from);
	be_device_clear(&cp);
	assert_null(cp.upload_from);
	x = be_vmchange_apply_xml(cfg, ch, &err);
	assert_null(err);
	assert_non_null(x);
	c = be_vmconf_parse(NULL, x, &err);
	assert_non_null(c);
	for (size_t i = 0; i < c->ndevs; i++)
		if (c->devs[i].kind == BE_DEVK_CDROM && core_str_eq(c->devs[i].vol, "a\"b.iso"))
			d = &c->devs[i];
	assert_non_null(d);
	assert_string_equal(d->pool, "iso<&pool");
	assert_string_equal(d->bus, "sata");
	assert_non_null(d->target);
	for (size_t i = 0; i < c->ndevs; i++)
		same += core_str_eq(c->devs[i].target, d->target);
	assert_int_equal(same, 1); /* a target no other drive has */
	be_vmconf_free(&c);
	be_vmchange_free_void(ch);
	free(x);
	free(cfg);
}

static void test_change_when(void **state)
{
	be_vmconf *c = fixture();
	be_vmchange *ch = be_vmchange_new();
	assert_int_equal(be_vmchange_add(ch, BE_CHG_MEMORY, BE_WHEN_AUTO, c)->when, BE_WHEN_NOW | BE_WHEN_BOOT);
	assert_int_equal(be_vmchange_add(ch, BE_CHG_BOOT, BE_WHEN_AUTO, c)->when, BE_WHEN_BOOT);
	assert_int_equal(be_vmchange_add(ch, BE_CHG_MAXVCPUS, BE_WHEN_AUTO, c)->when, BE_WHEN_BOOT);
	c->active = false;
	assert_int_equal(be_vmchange_add(ch, BE_CHG_ATTACH, BE_WHEN_AUTO, c)->when, BE_WHEN_BOOT);
	assert_int_equal(ch->n, 4);
	assert_string_equal(be_when_text(BE_WHEN_NOW | BE_WHEN_BOOT), "now and at next boot");
	assert_string_equal(be_when_text(BE_WHEN_BOOT), "at next boot");
	be_vmchange_free_void(ch);
	be_vmconf_free(&c);
}

/* ---- jobs on test:///default -------------------------------------------------- */

static struct {
	core_msgq *q;
	md_model *m;
	be_host *bh;
	uint64_t want;
	bool got_res, got_det, ok;
	char text[2048];
	be_vmconf *conf;
	bool det_ok;
	int det_gone;
	char det_text[512];
	char uuid[40];
} T;

static void record(md_msg *msg)
{
	if (msg->seq != T.want || !T.want)
		return;
	if (msg->type == MD_MSG_OP_RESULT) {
		T.got_res = true;
		T.ok = msg->ok;
		snprintf(T.text, sizeof(T.text), "%s", msg->text ? msg->text : "");
	} else if (msg->type == MD_MSG_VM_DETAILS) {
		T.got_det = true;
		be_vmconf_free(&T.conf);
		T.conf = msg->ext;
		msg->ext = NULL;
		T.det_ok = msg->ok;
		T.det_gone = msg->count;
		snprintf(T.det_text, sizeof(T.det_text), "%s", msg->text ? msg->text : "");
	}
}

static bool pump(int64_t end_ms)
{
	return pump_queue(T.q, T.m, record, end_ms);
}

static void run(int op, const char *uuid, be_vmchange *ch)
{
	T.got_res = T.got_det = false;
	T.want = ch ? be_host_submit_arg(T.bh, op, uuid, ch, be_vmchange_free_void)
		    : be_host_submit(T.bh, op, uuid, NULL, 0);
	WAIT(T.got_res && T.got_det, 10000);
	assert_true(T.got_res);
	assert_true(T.got_det);
}

static int jobs_setup(void **state)
{
	char *err = NULL;
	md_host *h;
	T.q = core_msgq_new(md_msg_free_void);
	T.m = md_model_new();
	if (be_init(T.q, &err) < 0)
		return -1;
	h = md_host_add(T.m, 1, "test:///default");
	T.bh = be_host_new(1, "test:///default");
	WAIT(h->listed, 10000);
	if (!h->listed || h->nvms < 1)
		return -1;
	for (size_t i = 0; i < h->nvms; i++)
		if (!strcmp(h->vms[i].name, "test"))
			snprintf(T.uuid, sizeof(T.uuid), "%s", h->vms[i].uuid);
	return T.uuid[0] ? 0 : -1;
}

static int jobs_teardown(void **state)
{
	be_host_free(&T.bh, 2000);
	be_fini();
	be_vmconf_free(&T.conf);
	md_model_free(&T.m);
	core_msgq_free(&T.q);
	return 0;
}

static void test_job_details(void **state)
{
	run(BE_OP_VM_DETAILS, T.uuid, NULL);
	assert_true(T.ok);
	assert_true(T.det_ok);
	assert_non_null(T.conf);
	assert_string_equal(T.conf->name, "test");
	assert_true(T.conf->active);
	assert_true(T.conf->persistent);
	assert_int_equal(T.conf->maxmem, 8ULL * 1024 * MIB);
	assert_int_equal(T.conf->maxvcpus, 2);
	assert_non_null(dev_by(T.conf, BE_DEVK_NIC, NULL));
	assert_non_null(T.conf->live_xml);
	assert_non_null(T.conf->config_xml);
}

static void test_job_memory_vcpus(void **state)
{
	be_vmchange *ch = be_vmchange_new();
	run(BE_OP_VM_DETAILS, T.uuid, NULL);
	be_vmchange_add(ch, BE_CHG_MEMORY, BE_WHEN_AUTO, T.conf)->value = 1024 * MIB;
	be_vmchange_add(ch, BE_CHG_VCPUS, BE_WHEN_NOW, T.conf)->value = 1;
	be_vmchange_add(ch, BE_CHG_TITLE, BE_WHEN_AUTO, T.conf)->text = xstrdup("t<&>\"i'tle");
	run(BE_OP_VM_CHANGE, T.uuid, ch);
	if (!T.ok)
		fail_msg("%s", T.text);
	assert_non_null(strstr(T.text, "Memory: 1 GiB now and at next boot"));
	assert_non_null(strstr(T.text, "Processors: 1 now"));
	/* the fresh details came with the answer */
	assert_int_equal(T.conf->live_mem, 1024 * MIB);
	assert_int_equal(T.conf->mem, 1024 * MIB);
	assert_int_equal(T.conf->live_vcpus, 1);
	assert_int_equal(T.conf->vcpus, 2);
	assert_true(T.conf->pending_vcpus); /* live only: pending */
	assert_string_equal(T.conf->title, "t<&>\"i'tle");
}

/* One change that must be refused with a text holding want; the VM's
 * memory stays as it was. kind/value/text as be_vmchg; dev: a device to
 * attach (copied), NULL none. */
static void refused(int kind, unsigned when, uint64_t value, const char *text, const be_device *dev,
		    const char *want)
{
	be_vmchange *ch = be_vmchange_new();
	be_vmchg *g = be_vmchange_add(ch, kind, when, T.conf);
	uint64_t before = T.conf->mem;
	g->value = value;
	g->text = xstrdup(text);
	if (dev)
		be_device_copy(&g->dev, dev);
	run(BE_OP_VM_CHANGE, T.uuid, ch);
	assert_false(T.ok);
	if (!strstr(T.text, want))
		fail_msg("\"%s\", expected \"%s\"", T.text, want);
	assert_int_equal(T.conf->mem, before);
}

static void test_job_refusals(void **state)
{
	be_device nic = { .kind = BE_DEVK_NIC, .port = -1 }, cd = { .kind = BE_DEVK_CDROM, .port = -1 };

	run(BE_OP_VM_DETAILS, T.uuid, NULL);
	refused(BE_CHG_MEMORY, BE_WHEN_AUTO, 16ULL * 1024 * MIB, NULL, NULL,
		"Memory: 16 GiB is above the maximum (8 GiB)");
	refused(BE_CHG_MEMORY, BE_WHEN_BOOT, 1000, NULL, NULL, "Memory: 1000 B is too little");
	refused(BE_CHG_VCPUS, BE_WHEN_AUTO, 3, NULL, NULL, "Processors: 3 is above the VM's maximum (2)");
	refused(BE_CHG_FIRMWARE, BE_WHEN_AUTO, 0, "efi", NULL,
		"Firmware: can only be changed while the VM is shut off");
	/* a bad MAC: refused before libvirt, nothing attached */
	nic.mac = "52:54:00:zz:00:01";
	refused(BE_CHG_ATTACH, BE_WHEN_AUTO, 0, NULL, &nic, "MAC: \"52:54:00:zz:00:01\" is not a MAC address");
	/* a MAC the host already uses (the test VM's own) */
	nic.mac = dev_by(T.conf, BE_DEVK_NIC, NULL)->mac;
	refused(BE_CHG_ATTACH, BE_WHEN_AUTO, 0, NULL, &nic, "is already used by VM 'test'");
	/* an ISO that does not exist (local host) */
	cd.source = "/nonexistent/vmmc-test.iso";
	refused(BE_CHG_ATTACH, BE_WHEN_BOOT, 0, NULL, &cd, "CD/DVD drive: /nonexistent/vmmc-test.iso does not exist");
}

/* A boot order change to a, b. */
static void boot_change(be_vmchange *ch, const char *a, const char *b)
{
	be_vmchg *g = be_vmchange_add(ch, BE_CHG_BOOT, BE_WHEN_AUTO, T.conf);
	g->boot = xcalloc(2, sizeof(char *));
	g->boot[0] = xstrdup(a);
	g->boot[1] = xstrdup(b);
	g->nboot = 2;
}

static void test_job_define(void **state)
{
	be_vmchange *ch;
	char *x;

	run(BE_OP_VM_DETAILS, T.uuid, NULL);
	/* boot order: a define of the inactive XML */
	ch = be_vmchange_new();
	boot_change(ch, "network", "hd");
	run(BE_OP_VM_CHANGE, T.uuid, ch);
	if (!T.ok)
		fail_msg("%s", T.text);
	assert_string_equal(T.text, "Boot order: 'network', 'hd' at next boot");
	assert_int_equal(T.conf->nboot, 2);
	assert_string_equal(T.conf->boot[0], "network");
	assert_true(T.conf->pending_boot);

	/* Edit XML: invalid XML is refused with libvirt's words; nothing changes */
	ch = be_vmchange_new();
	be_vmchange_add(ch, BE_CHG_DEFINE, BE_WHEN_AUTO, T.conf)->text = xstrdup("<domain type='test'><name>test</name><memory>x</memory></domain>");
	run(BE_OP_VM_CHANGE, T.uuid, ch);
	assert_false(T.ok);
	assert_true(core_str_has_prefix(T.text, "XML: "));
	assert_string_equal(T.conf->boot[0], "network");

	/* no uuid: refused (libvirt would take the name, maybe another VM's) */
	ch = be_vmchange_new();
	be_vmchange_add(ch, BE_CHG_DEFINE, BE_WHEN_AUTO, T.conf)->text =
		xstrdup("<domain type='test'><name>test2</name><memory>1024</memory><os><type>hvm</type></os></domain>");
	run(BE_OP_VM_CHANGE, T.uuid, ch);
	assert_false(T.ok);
	assert_non_null(strstr(T.text, "XML: the <uuid> element is missing"));

	/* another VM's uuid is refused */
	ch = be_vmchange_new();
	x = xstrdup(T.conf->config_xml);
	be_vmchange_add(ch, BE_CHG_DEFINE, BE_WHEN_AUTO, T.conf)->text = x;
	{
		char *p = strstr(x, "<uuid>");
		assert_non_null(p);
		p[6] = p[6] == 'a' ? 'b' : 'a';
	}
	run(BE_OP_VM_CHANGE, T.uuid, ch);
	assert_false(T.ok);
	assert_non_null(strstr(T.text, "is not this VM's"));

	/* a valid edit defines */
	ch = be_vmchange_new();
	x = be_domxml_set_boot(T.conf->config_xml, (char *[]){ "hd" }, 1, NULL, &(char *){ NULL });
	be_vmchange_add(ch, BE_CHG_DEFINE, BE_WHEN_AUTO, T.conf)->text = x;
	run(BE_OP_VM_CHANGE, T.uuid, ch);
	if (!T.ok)
		fail_msg("%s", T.text);
	assert_int_equal(T.conf->nboot, 1);
	assert_string_equal(T.conf->boot[0], "hd");
}

/* With Settings' view of the VM (be_vmchange_know): the answer's details
 * are its XML with the changes applied (the same values a read gives), the
 * VM list row patched (MD_MSG_VM_PATCH); a define reads its side back. */
static void test_job_known(void **state)
{
	md_host *h = md_host_get(T.m, 1);
	const md_vm *v;
	be_vmchange *ch = be_vmchange_new();

	run(BE_OP_VM_DETAILS, T.uuid, NULL);
	be_vmchange_add(ch, BE_CHG_MEMORY, BE_WHEN_AUTO, T.conf)->value = 768 * MIB;
	be_vmchange_add(ch, BE_CHG_DESCRIPTION, BE_WHEN_AUTO, T.conf)->text = xstrdup("d<&>\"'");
	be_vmchange_add(ch, BE_CHG_AUTOSTART, BE_WHEN_AUTO, T.conf)->value = 1;
	be_vmchange_know(ch, T.conf);
	assert_non_null(ch->live_xml);
	assert_non_null(ch->config_xml);
	run(BE_OP_VM_CHANGE, T.uuid, ch);
	if (!T.ok)
		fail_msg("%s", T.text);
	assert_int_equal(T.conf->live_mem, 768 * MIB);
	assert_int_equal(T.conf->mem, 768 * MIB);
	assert_string_equal(T.conf->description, "d<&>\"'");
	v = md_vm_find(h, T.uuid);
	assert_non_null(v);
	assert_int_equal(v->mem_kib, 768 * 1024);
	assert_true(v->autostart);
	/* what a read says is the same */
	run(BE_OP_VM_DETAILS, T.uuid, NULL);
	assert_int_equal(T.conf->live_mem, 768 * MIB);
	assert_int_equal(T.conf->mem, 768 * MIB);
	assert_string_equal(T.conf->description, "d<&>\"'");

	/* a define: its side read back */
	ch = be_vmchange_new();
	boot_change(ch, "cdrom", "hd");
	be_vmchange_know(ch, T.conf);
	run(BE_OP_VM_CHANGE, T.uuid, ch);
	if (!T.ok)
		fail_msg("%s", T.text);
	assert_int_equal(T.conf->nboot, 2);
	assert_string_equal(T.conf->boot[0], "cdrom");
	assert_string_equal(T.conf->description, "d<&>\"'");
	assert_int_equal(T.conf->live_mem, 768 * MIB);
}

static void test_job_gone(void **state)
{
	run(BE_OP_VM_DETAILS, "00000000-0000-0000-0000-00000000dead", NULL);
	assert_false(T.ok);
	assert_false(T.det_ok);
	assert_int_equal(T.det_gone, 1);
	assert_null(T.conf);
	assert_non_null(strstr(T.det_text, "no longer exists"));
}

/* ---- an applied change in the XML copies ---------------------------------------- */

/* c after change g (when as given), from its own XML: the sides be_vmxml_after
 * could not patch in *need */
static be_vmconf *after(const be_vmconf *c, be_vmchg *g, unsigned *need)
{
	char *live = xstrdup(c->live_xml), *cfg = xstrdup(c->config_xml), *err = NULL;
	be_vmconf *r;
	*need = be_vmxml_after(&live, &cfg, g);
	r = be_vmconf_parse(live, cfg, &err);
	assert_null(err);
	assert_non_null(r);
	free(live);
	free(cfg);
	return r;
}

static void test_after_scalars(void **state)
{
	be_vmconf *c = fixture(), *r, *r2;
	be_vmchg g = { .kind = BE_CHG_MEMORY, .when = BE_WHEN_NOW | BE_WHEN_BOOT, .value = 300 * MIB };
	unsigned need;

	r = after(c, &g, &need);
	assert_int_equal(need, 0);
	assert_int_equal(r->live_mem, 300 * MIB);
	assert_int_equal(r->mem, 300 * MIB);
	be_vmconf_free(&r);
	/* vCPUs now only: pending; a lower maximum lowers the current count */
	g = (be_vmchg){ .kind = BE_CHG_VCPUS, .when = BE_WHEN_NOW, .value = 1 };
	r = after(c, &g, &need);
	assert_int_equal(need, 0);
	assert_int_equal(r->live_vcpus, 1);
	assert_int_equal(r->vcpus, c->vcpus);
	assert_true(r->pending_vcpus);
	be_vmconf_free(&r);
	g = (be_vmchg){ .kind = BE_CHG_MAXVCPUS, .when = BE_WHEN_BOOT, .value = 1 };
	r = after(c, &g, &need);
	assert_int_equal(r->maxvcpus, 1);
	assert_int_equal(r->vcpus, 1);
	assert_int_equal(r->live_maxvcpus, c->live_maxvcpus);
	be_vmconf_free(&r);
	/* a lower maximum memory lowers the current memory too (as libvirt) */
	g = (be_vmchg){ .kind = BE_CHG_MAXMEM, .when = BE_WHEN_BOOT, .value = 64 * MIB };
	r = after(c, &g, &need);
	assert_int_equal(r->maxmem, 64 * MIB);
	assert_int_equal(r->mem, 64 * MIB);
	assert_true(r->pending_mem);
	be_vmconf_free(&r);
	/* a title with markup characters, on both sides; then none */
	g = (be_vmchg){ .kind = BE_CHG_TITLE, .when = BE_WHEN_NOW | BE_WHEN_BOOT, .text = "a<&>\"b'" };
	r = after(c, &g, &need);
	assert_int_equal(need, 0);
	assert_string_equal(r->title, "a<&>\"b'");
	assert_non_null(strstr(r->live_xml, "<title>a&lt;&amp;&gt;\"b'</title>"));
	g.text = "";
	r2 = after(r, &g, &need);
	assert_null(r2->title);
	be_vmconf_free(&r2);
	be_vmconf_free(&r);
	/* attached: libvirt gives it an address and an alias: read back */
	g = (be_vmchg){ .kind = BE_CHG_ATTACH, .when = BE_WHEN_NOW | BE_WHEN_BOOT };
	g.dev.kind = BE_DEVK_NIC;
	r = after(c, &g, &need);
	assert_int_equal(need, BE_SIDE_LIVE | BE_SIDE_CFG);
	be_vmconf_free(&r);
	g = (be_vmchg){ .kind = BE_CHG_BOOT, .when = BE_WHEN_BOOT };
	r = after(c, &g, &need);
	assert_int_equal(need, BE_SIDE_CFG);
	be_vmconf_free(&r);
	be_vmconf_free(&c);
}

/* NIC 52:54:00:00:00:01: its link down live only (pending). Its network
 * changed: the live update keeps the live link, the inactive one its own. */
static void test_after_nic_pending(void **state)
{
	be_vmconf *c = fixture(), *r;
	be_vmchg g = { .kind = BE_CHG_UPDATE, .when = BE_WHEN_NOW | BE_WHEN_BOOT };
	const be_device *d;
	char *x, *err = NULL;
	xmlDocPtr doc;
	unsigned need;

	be_device_copy(&g.dev, dev_by(c, BE_DEVK_NIC, "52:54:00:00:00:01"));
	assert_true(g.dev.pending);
	core_str_set(&g.dev.net_source, "other<&>");
	x = be_dev_xml_in(c->live_xml, &g.dev, &err);
	assert_null(err);
	assert_non_null(x);
	doc = be_xml_parse(x);
	expect(doc, "string(/interface/source/@network)", "other<&>");
	expect(doc, "string(/interface/link/@state)", "down");      /* the live one's */
	expect(doc, "string(/interface/target/@dev)", "vnet3");     /* the live element */
	expect(doc, "string(/interface/mac/@address)", "52:54:00:00:00:01");
	xmlFreeDoc(doc);
	free(x);
	r = after(c, &g, &need);
	assert_int_equal(need, 0);
	d = dev_by(r, BE_DEVK_NIC, "52:54:00:00:00:01");
	assert_non_null(d);
	assert_string_equal(d->net_source, "other<&>");
	assert_false(d->link_down); /* the inactive side's */
	assert_true(d->pending);    /* the live link still differs */
	assert_string_equal(d->alias, "net0");
	be_vmconf_free(&r);
	/* the link down for the next boot too: nothing pending any more */
	be_device_clear(&g.dev);
	be_device_copy(&g.dev, dev_by(c, BE_DEVK_NIC, "52:54:00:00:00:01"));
	g.dev.link_down = true;
	r = after(c, &g, &need);
	d = dev_by(r, BE_DEVK_NIC, "52:54:00:00:00:01");
	assert_true(d->link_down);
	assert_false(d->pending);
	be_vmconf_free(&r);
	/* removed: gone from both sides */
	g.kind = BE_CHG_DETACH;
	r = after(c, &g, &need);
	assert_int_equal(need, 0);
	assert_null(dev_by(r, BE_DEVK_NIC, "52:54:00:00:00:01"));
	be_vmconf_free(&r);
	be_device_clear(&g.dev);
	be_vmconf_free(&c);
}

static void test_balloon(void **state)
{
	be_vmconf *c = fixture(), *r;
	assert_null(be_vmconf_balloon(c, c->live_mem / 1024)); /* no change */
	c->autostart = true;
	r = be_vmconf_balloon(c, 100 * 1024);
	assert_non_null(r);
	assert_int_equal(r->live_mem, 100 * MIB);
	assert_int_equal(r->mem, c->mem);
	assert_true(r->autostart);
	be_vmconf_free(&r);
	be_vmconf_free(&c);
}

int main(void)
{
	const struct CMUnitTest parse[] = {
		cmocka_unit_test(test_parse_identity),
		cmocka_unit_test(test_has_controller),
		cmocka_unit_test(test_preview_cdrom),
		cmocka_unit_test(test_parse_memory_vcpus),
		cmocka_unit_test(test_parse_devices),
		cmocka_unit_test(test_parse_shut_off),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_build_new),
		cmocka_unit_test(test_build_update),
		cmocka_unit_test(test_mac_check),
		cmocka_unit_test(test_set_boot),
		cmocka_unit_test(test_keep_secrets),
		cmocka_unit_test(test_set_disk_bus),
		cmocka_unit_test(test_add_device),
		cmocka_unit_test(test_change_when),
		cmocka_unit_test(test_after_scalars),
		cmocka_unit_test(test_after_nic_pending),
		cmocka_unit_test(test_balloon),
	};
	const struct CMUnitTest jobs[] = {
		cmocka_unit_test(test_job_details),
		cmocka_unit_test(test_job_memory_vcpus),
		cmocka_unit_test(test_set_nic_mac),
		cmocka_unit_test(test_job_refusals),
		cmocka_unit_test(test_job_define),
		cmocka_unit_test(test_job_known),
		cmocka_unit_test(test_job_gone),
	};
	int rc;
	if (getenv("VMMC_TEST_FILTER"))
		cmocka_set_test_filter(getenv("VMMC_TEST_FILTER"));
	rc = cmocka_run_group_tests_name("devices", parse, NULL, NULL);
	rc |= cmocka_run_group_tests_name("devices_jobs", jobs, jobs_setup, jobs_teardown);
	return rc;
}
