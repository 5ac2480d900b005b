/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_integ.c - issue 13: the Integration Tools wizard's state
 * machine (wizards/integ.c: offers, the Windows boot disk refusal, the XML
 * built with libxml2 and its diff, the install commands), the agent
 * helpers (JSON, base64), and the agent backend against libvirt's test
 * driver: the Agent column, "not available" with no agent call, and an API
 * the driver lacks called once, not again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pump.h"

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "../../backend/be.h"
#include "../../backend/be_agent.h"
#include "../../backend/be_storage.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"
#include "../../core/wizard.h"
#include "../../tui/media.h"
#include "../../wizards/integ.h"

#define WAIT_MS 10000

static const core_wizard_ops *W = &wz_integ_ops;

/* A domain as libvirt writes it: an IDE disk, an e1000 NIC, no balloon,
 * no agent channel; a name that needs escaping. */
static const char base_xml[] =
	"<domain type='kvm'>\n"
	"  <name>a&lt;b&amp;c\"d</name>\n"
	"  <memory unit='KiB'>1048576</memory>\n"
	"  <devices>\n"
	"    <disk type='file' device='disk'>\n"
	"      <source file='/var/lib/libvirt/images/x.qcow2'/>\n"
	"      <target dev='hda' bus='ide'/>\n"
	"      <address type='drive' controller='0' bus='0' target='0' unit='0'/>\n"
	"    </disk>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <target dev='hdc' bus='ide'/>\n"
	"    </disk>\n"
	"    <interface type='network'>\n"
	"      <source network='default'/>\n"
	"      <model type='e1000'/>\n"
	"    </interface>\n"
	"    <memballoon model='none'/>\n"
	"  </devices>\n"
	"</domain>\n";

static const char win_xml[] =
	"<domain type='kvm'><name>win</name>"
	"<metadata><libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>"
	"<libosinfo:os id='http://microsoft.com/win/10'/></libosinfo:libosinfo></metadata>"
	"<devices><disk type='file' device='disk'><target dev='sda' bus='sata'/></disk>"
	"<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
	"</devices></domain>";

static void *wz_with(const char *xml)
{
	void *w = W->create(NULL);
	assert_int_equal(W->set(w, "xml", xml), 0);
	return w;
}

static char *text(void *w, const char *what)
{
	char *err = NULL, *s = W->text(w, what, &err);
	free(err);
	return s;
}

static bool has(const char *s, const char *sub)
{
	return s && strstr(s, sub) != NULL;
}

/* An XPath string value of a document text. */
static char *xget(const char *xml, const char *xpath)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr r;
	char *out;
	assert_non_null(doc);
	ctx = xmlXPathNewContext(doc);
	r = xmlXPathEvalExpression(BAD_CAST xpath, ctx);
	out = xstrdup(r && r->type == XPATH_STRING ? (const char *)r->stringval : "");
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return out;
}

/* ---- the wizard ------------------------------------------------------------- */

static void test_look_and_offers(void **state)
{
	void *w = wz_with(base_xml);
	char *s;
	(void)state;
	s = W->get(w, "look");
	assert_true(has(s, "Guest agent: no channel"));
	assert_true(has(s, "Disks: 1 (bus: ide)"));
	assert_true(has(s, "model: e1000"));
	assert_true(has(s, "shut off"));
	free(s);
	/* the channel is offered and ticked; disks and NICs offered, not ticked */
	s = W->get(w, "offer.ch.agent");
	assert_true(has(s, "in the configuration: the VM is shut off"));
	free(s);
	s = W->get(w, "ch.agent");
	assert_string_equal(s, "1");
	free(s);
	s = W->get(w, "ch.disk");
	assert_string_equal(s, "0");
	free(s);
	s = W->get(w, "offer.ch.disk");
	assert_true(has(s, "Switch 1 disk(s) to virtio"));
	free(s);
	/* a shut-off VM: no hot-plug */
	assert_null(text(w, "device"));
	W->destroy(w);
}

static void test_xml_and_diff(void **state)
{
	void *w = wz_with(base_xml);
	char *xml, *diff, *v;
	(void)state;
	assert_int_equal(W->set(w, "ch.disk", "1"), 0);
	assert_int_equal(W->set(w, "ch.nic", "1"), 0);
	assert_int_equal(W->set(w, "ch.rng", "1"), 0);
	xml = text(w, "xml");
	assert_non_null(xml);
	v = xget(xml, "string(/domain/devices/channel/target[@type='virtio']/@name)");
	assert_string_equal(v, "org.qemu.guest_agent.0");
	free(v);
	/* the name round-trips through libxml2 */
	v = xget(xml, "string(/domain/name)");
	assert_string_equal(v, "a<b&c\"d");
	free(v);
	/* the disk to virtio as vda, its IDE address dropped; the CD-ROM kept */
	v = xget(xml, "string(/domain/devices/disk[@device='disk']/target/@bus)");
	assert_string_equal(v, "virtio");
	free(v);
	v = xget(xml, "string(/domain/devices/disk[@device='disk']/target/@dev)");
	assert_string_equal(v, "vda");
	free(v);
	v = xget(xml, "string(count(/domain/devices/disk[@device='disk']/address))");
	assert_string_equal(v, "0");
	free(v);
	v = xget(xml, "string(/domain/devices/disk[@device='cdrom']/target/@bus)");
	assert_string_equal(v, "ide");
	free(v);
	v = xget(xml, "string(/domain/devices/interface/model/@type)");
	assert_string_equal(v, "virtio");
	free(v);
	v = xget(xml, "string(/domain/devices/memballoon/@model)");
	assert_string_equal(v, "virtio");
	free(v);
	v = xget(xml, "string(/domain/devices/rng/backend)");
	assert_string_equal(v, "/dev/urandom");
	free(v);
	diff = text(w, "diff");
	assert_true(has(diff, "+ "));
	assert_true(has(diff, "org.qemu.guest_agent.0"));
	assert_true(has(diff, "- "));
	assert_true(has(diff, "bus=\"ide\""));
	/* only what changed: the lines around it are the same on both sides */
	assert_false(has(diff, "- <domain"));
	assert_false(has(diff, "+ <name>"));
	assert_false(has(diff, "- <memory"));
	free(diff);
	free(xml);
	/* nothing ticked: no XML, the diff says so */
	for (int c = 0; c < WZ_CH__N; c++)
		W->set(w, wz_integ_change_ids[c], "0");
	assert_null(text(w, "xml"));
	diff = text(w, "diff");
	assert_string_equal(diff, "(no change to the configuration)");
	free(diff);
	W->destroy(w);
}

/* the running VM with a virtio-serial controller: the channel is
 * hot-plugged; without one (libvirt hot-plugs none) it waits for a restart
 * and the offer says so */
static const char live_vserial_xml[] =
	"<domain type='kvm'><name>a</name><devices>"
	"<controller type='virtio-serial' index='0'/></devices></domain>";

static void test_running_no_vserial(void **state)
{
	void *w = wz_with(base_xml);
	char *s;
	(void)state;
	W->set(w, "live", base_xml);
	assert_null(text(w, "device"));
	s = W->get(w, "offer.ch.agent");
	assert_non_null(strstr(s, "no virtio-serial controller"));
	free(s);
	s = text(w, "summary");
	assert_non_null(strstr(s, "the device changes wait for its next start"));
	free(s);
	W->destroy(w);
}

static void test_running_hot_plug(void **state)
{
	void *w = wz_with(base_xml);
	char *dev, *v;
	(void)state;
	W->set(w, "live", live_vserial_xml);
	dev = text(w, "device");
	assert_non_null(dev);
	v = xget(dev, "string(/channel/target/@name)");
	assert_string_equal(v, "org.qemu.guest_agent.0");
	free(v);
	free(dev);
	W->set(w, "ch.agent", "0");
	assert_null(text(w, "device"));
	W->destroy(w);
}

static void test_windows_boot_disk_refused(void **state)
{
	void *w = wz_with(win_xml);
	core_issues is = { .n = 0 };
	char *s;
	(void)state;
	s = W->get(w, "family");
	assert_string_equal(s, "windows");
	free(s);
	s = W->get(w, "offer.ch.agent"); /* it has the channel */
	assert_string_equal(s, "");
	free(s);
	W->set(w, "ch.disk", "1");
	assert_true(W->check(w, WZ_INTEG_OFFER, &is) > 0);
	assert_non_null(core_issues_for(&is, "ch.disk"));
	assert_true(has(core_issues_for(&is, "ch.disk")->text, "virtio drivers"));
	assert_false(W->ready(w));
	W->set(w, "drivers", "1");
	assert_int_equal(W->check(w, WZ_INTEG_OFFER, &is), 0);
	assert_true(W->ready(w));
	/* the virtio-win ISO: a bad path refused; a good one into a new CD-ROM */
	W->set(w, "iso", "virtio-win.txt");
	assert_true(W->check(w, WZ_INTEG_OFFER, &is) > 0);
	assert_non_null(core_issues_for(&is, "iso"));
	W->set(w, "iso", "/srv/iso/virtio-win <0.1>.iso");
	W->set(w, "ch.disk", "0"); /* the disk stays sda */
	assert_int_equal(W->check(w, WZ_INTEG_OFFER, &is), 0);
	core_issues_clear(&is);
	{
		char *xml = text(w, "xml"), *v;
		assert_non_null(xml);
		v = xget(xml, "string(/domain/devices/disk[@device='cdrom']/source/@file)");
		assert_string_equal(v, "/srv/iso/virtio-win <0.1>.iso");
		free(v);
		v = xget(xml, "string(/domain/devices/disk[@device='cdrom']/target/@dev)");
		assert_string_equal(v, "sdb"); /* sda is the disk */
		free(v);
		free(xml);
	}
	s = text(w, "command");
	assert_true(has(s, "virtio-win"));
	free(s);
	assert_null(text(w, "typed")); /* nothing to type into a Windows console */
	W->destroy(w);
}

/* A host with two active pools (one without a folder) and an inactive one:
 * the wizard's upload pools. */
static md_host *pools_host(void)
{
	md_host *h = xcalloc(1, sizeof(*h));
	h->pools = xcalloc(3, sizeof(*h->pools));
	h->npools = 3;
	h->pools[0] = (md_pool){ .name = xstrdup("images"), .path = xstrdup("/srv/img"), .active = true };
	h->pools[1] = (md_pool){ .name = xstrdup("default"), .path = xstrdup("/var/lib/libvirt/images"),
				 .active = true };
	h->pools[2] = (md_pool){ .name = xstrdup("off"), .path = xstrdup("/off"), .active = false };
	return h;
}

static void pools_host_free(md_host *h)
{
	for (size_t i = 0; i < h->npools; i++) {
		free(h->pools[i].name);
		free(h->pools[i].path);
	}
	free(h->pools);
	free(h);
}

/* Windows, the virtio-win ISO from a local file: the pools offered (active
 * ones, "default" first picked), the path it will have on the host in the
 * new CD-ROM, the summary saying it is uploaded at Finish; bad files and
 * both ISOs at once refused. */
static void test_windows_local_iso(void **state)
{
	md_host *h = pools_host();
	void *w = W->create(h);
	core_issues is = { .n = 0 };
	char **opts, *s, *xml, *v, dir[] = "/tmp/vmmc-integ-XXXXXX", *iso, *empty;
	size_t n = 0;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	iso = xasprintf("%s/virtio-win <1>.iso", dir);
	empty = xasprintf("%s/empty.iso", dir);
	f = fopen(iso, "w");
	assert_non_null(f);
	fputs("not really an ISO", f);
	fclose(f);
	fclose(fopen(empty, "w"));
	assert_int_equal(W->set(w, "xml", win_xml), 0);
	opts = W->options(w, "upload_pool", &n);
	assert_int_equal(n, 2); /* the inactive pool is no choice */
	assert_string_equal(opts[0], "images");
	assert_string_equal(opts[1], "default");
	for (size_t i = 0; i < n; i++)
		free(opts[i]);
	free(opts);
	s = W->get(w, "upload_pool");
	assert_string_equal(s, "default");
	free(s);
	assert_int_equal(W->set(w, "upload_pool", "off"), -1);
	assert_int_equal(W->set(w, "upload_pool", "images"), 0);
	/* a file that is not there, not an .iso, empty: refused, named */
	W->set(w, "local_iso", "/nonexistent/virtio-win.iso");
	assert_true(W->check(w, WZ_INTEG_OFFER, &is) > 0);
	assert_true(has(core_issues_for(&is, "local_iso")->text, "no such file"));
	W->set(w, "local_iso", "virtio-win.iso");
	assert_true(W->check(w, WZ_INTEG_OFFER, &is) > 0);
	assert_true(has(core_issues_for(&is, "local_iso")->text, "absolute path"));
	W->set(w, "local_iso", empty);
	assert_true(W->check(w, WZ_INTEG_OFFER, &is) > 0);
	assert_true(has(core_issues_for(&is, "local_iso")->text, "empty"));
	/* and an ISO on the host too: one or the other */
	W->set(w, "local_iso", iso);
	W->set(w, "iso", "/srv/iso/other.iso");
	assert_true(W->check(w, WZ_INTEG_OFFER, &is) > 0);
	assert_true(has(core_issues_for(&is, "local_iso")->text, "not both"));
	W->set(w, "iso", "");
	assert_int_equal(W->check(w, WZ_INTEG_OFFER, &is), 0);
	core_issues_clear(&is);
	assert_true(W->ready(w));
	/* where it will be: the pool's folder and the file's name, in a new CD-ROM */
	s = W->get(w, "iso_path");
	assert_string_equal(s, "/srv/img/virtio-win <1>.iso");
	free(s);
	xml = text(w, "xml");
	assert_non_null(xml);
	v = xget(xml, "string(/domain/devices/disk[@device='cdrom']/source/@file)");
	assert_string_equal(v, "/srv/img/virtio-win <1>.iso");
	free(v);
	free(xml);
	s = text(w, "summary");
	assert_true(has(s, "Upload "));
	assert_true(has(s, "into pool images at Finish"));
	free(s);
	/* the upload done (a pooled copy): the ISO's real path replaces it */
	W->set(w, "local_iso", "");
	W->set(w, "iso", "/srv/img/virtio-win-0.1.iso");
	xml = text(w, "xml");
	v = xget(xml, "string(/domain/devices/disk[@device='cdrom']/source/@file)");
	assert_string_equal(v, "/srv/img/virtio-win-0.1.iso");
	free(v);
	free(xml);
	/* no pool with a folder: refused at the pool */
	W->destroy(w);
	w = W->create(NULL);
	W->set(w, "xml", win_xml);
	W->set(w, "local_iso", iso);
	assert_true(W->check(w, WZ_INTEG_OFFER, &is) > 0);
	assert_non_null(core_issues_for(&is, "upload_pool"));
	core_issues_clear(&is);
	W->destroy(w);
	unlink(iso);
	unlink(empty);
	rmdir(dir);
	free(iso);
	free(empty);
	pools_host_free(h);
}

/* A local ISO's volume: a free name in the pool (the file's, then -1, -2
 * before the extension), and the volumes worth comparing (its size). */
static void test_media_names(void **state)
{
	md_vol vols[] = {
		{ .name = "virtio-win.iso", .capacity = 100 }, { .name = "virtio-win-1.iso", .capacity = 200 },
		{ .name = "boot", .capacity = 100 },
	};
	md_pool p = { .name = "default", .vols = vols, .nvols = 3 };
	size_t n = 0;
	char *v, **same;
	(void)state;
	v = tui_media_vol_name(&p, "/home/u/virtio-win.iso");
	assert_string_equal(v, "virtio-win-2.iso");
	free(v);
	v = tui_media_vol_name(&p, "/srv/boot");
	assert_string_equal(v, "boot-1");
	free(v);
	v = tui_media_vol_name(&p, "/srv/new <1>.iso");
	assert_string_equal(v, "new <1>.iso");
	free(v);
	same = tui_media_same_size(&p, 100, &n);
	assert_int_equal(n, 2);
	assert_string_equal(same[0], "virtio-win.iso");
	assert_string_equal(same[1], "boot");
	for (size_t i = 0; i < n; i++)
		free(same[i]);
	free(same);
	same = tui_media_same_size(&p, 7, &n);
	assert_int_equal(n, 0);
	free(same);
}

/* The Quiesced Checkpoint's name and snapshot XML (libxml2): qcow2 file
 * disks external with their overlay next to them, CD/DVD left out, names
 * escaped; raw, block and diskless VMs refused with the reason. */
static void test_checkpoint_xml(void **state)
{
	static const char two[] =
		"<domain type='qemu'><name>x</name><devices>"
		"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
		"<source file='/p/a&amp;b.qcow2'/><target dev='vda' bus='virtio'/></disk>"
		"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
		"<source file='/q/data'/><target dev='vdb' bus='virtio'/></disk>"
		"<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
		"<source file='/i/x.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>"
		"</devices></domain>";
	static const char raw[] = "<domain><devices><disk type='file' device='disk'><driver name='qemu' type='raw'/>"
				  "<source file='/p/r.img'/><target dev='vda'/></disk></devices></domain>";
	static const char blk[] = "<domain><devices><disk type='block' device='disk'><driver name='qemu' "
				  "type='raw'/><source dev='/dev/sdz'/><target dev='vda'/></disk></devices></domain>";
	static const char none[] = "<domain><devices><disk type='file' device='cdrom'><target dev='hdc'/>"
				   "</disk></devices></domain>";
	char *err = NULL, *x, *v, *name;
	struct tm tm = { .tm_year = 126, .tm_mon = 11, .tm_mday = 1, .tm_hour = 17, .tm_min = 34, .tm_sec = 37,
			 .tm_isdst = -1 };
	(void)state;
	name = be_checkpoint_name(mktime(&tm));
	assert_string_equal(name, "vmmc-20261201-173437");
	x = be_checkpoint_xml(two, name, &err);
	assert_null(err);
	assert_non_null(x);
	v = xget(x, "string(/domainsnapshot/name)");
	assert_string_equal(v, name);
	free(v);
	v = xget(x, "string(/domainsnapshot/disks/disk[@name='vda']/@snapshot)");
	assert_string_equal(v, "external");
	free(v);
	v = xget(x, "string(/domainsnapshot/disks/disk[@name='vda']/source/@file)");
	assert_string_equal(v, "/p/a&b.vmmc-20261201-173437.qcow2");
	free(v);
	v = xget(x, "string(/domainsnapshot/disks/disk[@name='vdb']/source/@file)");
	assert_string_equal(v, "/q/data.vmmc-20261201-173437.qcow2");
	free(v);
	v = xget(x, "string(/domainsnapshot/disks/disk[@name='hdc']/@snapshot)");
	assert_string_equal(v, "no");
	free(v);
	free(x);
	assert_null(be_checkpoint_xml(raw, name, &err));
	assert_true(has(err, "disk vda is a raw file: only qcow2 disks"));
	assert_true(has(err, "/p/r.img"));
	free(err);
	err = NULL;
	assert_null(be_checkpoint_xml(blk, name, &err));
	assert_true(has(err, "disk vda is a 'block' disk"));
	free(err);
	err = NULL;
	assert_null(be_checkpoint_xml(none, name, &err));
	assert_true(has(err, "no disk to snapshot"));
	free(err);
	err = NULL;
	assert_null(be_checkpoint_xml("not xml", name, &err));
	assert_non_null(err);
	free(err);
	free(name);
}

static void test_unknown_os_asks(void **state)
{
	void *w = wz_with(base_xml);
	core_issues is = { .n = 0 };
	size_t n = 0;
	char **opts, *s;
	(void)state;
	assert_true(W->check(w, WZ_INTEG_LOOK, &is) > 0);
	assert_non_null(core_issues_for(&is, "os"));
	opts = W->options(w, "os", &n);
	assert_true(n >= 6);
	assert_true(has(opts[1], "dnf"));
	for (size_t i = 0; i < n; i++)
		free(opts[i]);
	free(opts);
	assert_int_equal(W->set(w, "os", "99"), -1);
	assert_int_equal(W->set(w, "os", "1"), 0);
	assert_int_equal(W->check(w, WZ_INTEG_LOOK, &is), 0);
	s = text(w, "command");
	assert_true(has(s, "dnf install -y qemu-guest-agent"));
	free(s);
	/* what the agent says wins over a pick */
	W->set(w, "guest_os", "alpine");
	s = text(w, "command");
	assert_true(has(s, "apk add qemu-guest-agent"));
	free(s);
	/* the command alone, for the serial console */
	s = text(w, "typed");
	assert_string_equal(s, wz_integ_install_command("alpine"));
	free(s);
	W->set(w, "guest_os", "vmmctest"); /* unknown distribution: nothing to type */
	assert_null(text(w, "typed"));
	core_issues_clear(&is);
	W->destroy(w);
}

static void test_bad_xml(void **state)
{
	void *w = W->create(NULL);
	core_issues is = { .n = 0 };
	(void)state;
	assert_int_equal(W->set(w, "xml", "<domain><name>x</nam"), -1);
	assert_true(W->check(w, WZ_INTEG_LOOK, &is) > 0);
	assert_null(text(w, "xml"));
	core_issues_clear(&is);
	W->destroy(w);
}

static void test_install_commands(void **state)
{
	(void)state;
	assert_true(has(wz_integ_install_command("http://debian.org/debian/11"), "apt-get install"));
	assert_true(has(wz_integ_install_command("ubuntu"), "apt-get install"));
	assert_true(has(wz_integ_install_command("http://fedoraproject.org/fedora/38"), "dnf install"));
	assert_true(has(wz_integ_install_command("http://redhat.com/rhel/9.0"), "dnf install"));
	assert_true(has(wz_integ_install_command("opensuse-leap"), "zypper"));
	assert_true(has(wz_integ_install_command("alpine"), "apk add"));
	assert_true(has(wz_integ_install_command("arch"), "pacman -S"));
	assert_null(wz_integ_install_command("vmmctest"));
	assert_null(wz_integ_install_command(NULL));
}

static void test_line_diff(void **state)
{
	char *d;
	(void)state;
	d = wz_integ_line_diff("a\nb\nc\n", "a\nb\nc\n", 1);
	assert_string_equal(d, "");
	free(d);
	d = wz_integ_line_diff("a\nb\nc\nd\ne\nf\n", "a\nb\nX\nd\ne\nf\n", 1);
	assert_string_equal(d, "  b\n- c\n+ X\n  d\n");
	free(d);
	d = wz_integ_line_diff("1\n2\n3\n4\n5\n6\n7\n", "0\n1\n2\n3\n4\n5\n6\n7\n8\n", 0);
	assert_string_equal(d, "+ 0\n...\n+ 8\n");
	free(d);
}

/* ---- agent helpers ---------------------------------------------------------- */

static void test_autosync_xml(void **state)
{
	char *x = be_autosync_xml(true);
	(void)state;
	assert_true(has(x, "<timesync auto=\"yes\"/>"));
	assert_int_equal(be_autosync_parse(x), 1);
	free(x);
	x = be_autosync_xml(false);
	assert_int_equal(be_autosync_parse(x), 0);
	free(x);
	/* as libvirt gives it back: with its namespace */
	assert_int_equal(be_autosync_parse("<vmmc:timesync xmlns:vmmc=\"https://vmmc.invalid/xmlns/timesync/1\" "
					   "auto=\"yes\"/>"), 1);
	assert_int_equal(be_autosync_parse(NULL), 0);
	assert_int_equal(be_autosync_parse("not xml <"), 0);
	assert_int_equal(be_autosync_parse("<timesync auto=\"maybe\"/>"), 0);
}

static void test_json_base64(void **state)
{
	char *s;
	(void)state;
	s = be_agent_json_str("{\"return\":{\"version\":\"7.2.\\\"x\",\"other\":1}}", "version");
	assert_string_equal(s, "7.2.\"x");
	free(s);
	assert_null(be_agent_json_str("{\"return\":{}}", "version"));
	assert_int_equal(be_agent_json_ret("{\"return\": 1000}"), 1000);
	assert_int_equal(be_agent_json_ret("{\"error\":{}}"), -1);
	s = be_agent_json_quote("/tmp/a \"b\"\\c\n");
	assert_string_equal(s, "\"/tmp/a \\\"b\\\"\\\\c\\u000a\"");
	free(s);
	s = be_agent_base64((const unsigned char *)"", 0);
	assert_string_equal(s, "");
	free(s);
	s = be_agent_base64((const unsigned char *)"f", 1);
	assert_string_equal(s, "Zg==");
	free(s);
	s = be_agent_base64((const unsigned char *)"fo", 2);
	assert_string_equal(s, "Zm8=");
	free(s);
	s = be_agent_base64((const unsigned char *)"foobar", 6);
	assert_string_equal(s, "Zm9vYmFy");
	free(s);
	assert_string_equal(md_agent_name(MD_AGENT_UP), "up");
	assert_string_equal(md_agent_name(MD_AGENT_DOWN), "down");
	assert_string_equal(md_agent_name(MD_AGENT_NONE), "none");
	assert_string_equal(md_agent_name(MD_AGENT_UNKNOWN), "-");
}

/* ---- the model ------------------------------------------------------------------ */

/* MD_MSG_VM_AGENT with n states, as the backend's scan posts them */
static md_msg *agent_batch(const char *const *uuids, const int *agent, size_t n)
{
	md_msg *msg = md_msg_new(MD_MSG_VM_AGENT, 7);
	md_agent_state *st = xcalloc(n, sizeof(*st));
	for (size_t i = 0; i < n; i++) {
		snprintf(st[i].uuid, sizeof(st[i].uuid), "%s", uuids[i]);
		st[i].agent = agent[i];
	}
	msg->ext = st;
	msg->ext_free = free;
	msg->next = n;
	return msg;
}

static void test_model_agent_batch(void **state)
{
	md_model *m = md_model_new();
	md_host *h = md_host_add(m, 7, "test:///x");
	md_msg *msg = md_msg_new(MD_MSG_VM_LIST, 7);
	static const char *const uuids[] = { "00000000-0000-4000-8000-000000000001",
					     "00000000-0000-4000-8000-000000000002",
					     "00000000-0000-4000-8000-000000000003" };
	(void)state;
	msg->vms = xcalloc(3, sizeof(*msg->vms));
	msg->nvms = 3;
	for (int i = 0; i < 3; i++) {
		msg->vms[i].name = xasprintf("vm%d", i);
		snprintf(msg->vms[i].uuid, sizeof(msg->vms[i].uuid), "%s", uuids[i]);
	}
	md_apply(m, msg);
	md_msg_free(&msg);
	assert_int_equal(h->vms[0].agent, MD_AGENT_UNKNOWN);
	/* a batch in order, with a VM the list does not have */
	{
		const char *u[] = { uuids[0], "00000000-0000-4000-8000-00000000001f", uuids[2] };
		const int st[] = { MD_AGENT_NONE, MD_AGENT_UP, MD_AGENT_UP };
		msg = agent_batch(u, st, 3);
	}
	assert_true(md_apply(m, msg) & MD_DIRTY_LIST);
	md_msg_free(&msg);
	assert_int_equal(md_vm_find(h, uuids[0])->agent, MD_AGENT_NONE);
	assert_int_equal(md_vm_find(h, uuids[1])->agent, MD_AGENT_UNKNOWN);
	assert_int_equal(md_vm_find(h, uuids[2])->agent, MD_AGENT_UP);
	/* out of order still lands */
	{
		const char *u[] = { uuids[2], uuids[1] };
		const int st[] = { MD_AGENT_DOWN, MD_AGENT_DOWN };
		msg = agent_batch(u, st, 2);
	}
	md_apply(m, msg);
	md_msg_free(&msg);
	assert_int_equal(md_vm_find(h, uuids[1])->agent, MD_AGENT_DOWN);
	assert_int_equal(md_vm_find(h, uuids[2])->agent, MD_AGENT_DOWN);
	/* one VM (an agent event) */
	msg = md_msg_new(MD_MSG_VM_AGENT, 7);
	snprintf(msg->uuid, sizeof(msg->uuid), "%s", uuids[1]);
	msg->count = MD_AGENT_UP;
	assert_true(md_apply(m, msg) & MD_DIRTY_LIST);
	assert_int_equal(md_apply(m, msg), 0); /* no change: nothing dirty */
	md_msg_free(&msg);
	assert_int_equal(md_vm_find(h, uuids[1])->agent, MD_AGENT_UP);
	md_model_free(&m);
}

/* ---- the backend on the test driver --------------------------------------------- */

static struct {
	core_msgq *q;
	md_model *m;
	be_agent_info *info; /* the last AGENT_INFO */
	uint64_t info_seq;
	uint64_t res_seq;    /* the last OP_RESULT of a job the test submitted */
	bool res_ok;
	char *res_text;
	char *auto_text;     /* the last OP_RESULT of no job (seq 0: by itself) */
} T;

static void record(md_msg *msg)
{
	if (msg->type == MD_MSG_AGENT_INFO && msg->ext) {
		be_agent_info_free(&T.info);
		T.info = msg->ext;
		T.info_seq = msg->seq;
		msg->ext = NULL;
	} else if (msg->type == MD_MSG_OP_RESULT && msg->seq == 0) {
		core_str_set(&T.auto_text, msg->text);
	} else if (msg->type == MD_MSG_OP_RESULT) {
		T.res_seq = msg->seq;
		T.res_ok = msg->ok;
		core_str_set(&T.res_text, msg->text);
	}
}

static bool pump(int64_t end_ms)
{
	return pump_queue(T.q, T.m, record, end_ms);
}

static const md_vm *vm_named(const md_host *h, const char *name)
{
	for (size_t i = 0; i < h->nvms; i++)
		if (strcmp(h->vms[i].name, name) == 0)
			return &h->vms[i];
	return NULL;
}

static be_agent_info *info_of(be_host *bh, const char *uuid)
{
	uint64_t seq = be_host_submit(bh, BE_OP_AGENT_INFO, uuid, NULL, 0);
	WAIT(T.info_seq == seq && T.res_seq == seq, WAIT_MS);
	assert_int_equal(T.info_seq, seq);
	return T.info;
}

static const char chan_xml[] =
	"<domain type='test'><name>integ-agent &lt;1&gt;</name>"
	"<uuid>7e570000-0000-4000-8000-0000000000a1</uuid>"
	"<memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os>"
	"<devices><channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
	"</devices></domain>";

static void test_backend_test_driver(void **state)
{
	md_host *h = md_host_add(T.m, 1, "test:///default");
	be_host *bh = be_host_new(1, "test:///default");
	const md_vm *v;
	be_agent_info *i;
	uint64_t calls = 0, xml_reads = 0, seq, calls1;
	char uuid[37];
	(void)state;
	WAIT(h->conn == MD_CONN_CONNECTED && h->listed, WAIT_MS);
	assert_true(h->listed);
	v = vm_named(h, "test");
	assert_non_null(v);
	/* the column: no channel in test's XML; read after the list is shown,
	 * one XML read per VM */
	WAIT((v = vm_named(h, "test")) && v->agent != MD_AGENT_UNKNOWN, WAIT_MS);
	assert_int_equal(v->agent, MD_AGENT_NONE);
	be_agent_counts(bh, &calls, &xml_reads);
	assert_int_equal(calls, 0);
	assert_int_equal(xml_reads, h->nvms);
	snprintf(uuid, sizeof(uuid), "%s", v->uuid);
	/* no channel: every service "not available", no agent call, ever */
	for (int k = 0; k < 3; k++) {
		i = info_of(bh, uuid);
		assert_int_equal(i->agent, MD_AGENT_NONE);
		for (int s = 0; s < BE_SVC__COUNT; s++)
			assert_int_not_equal(i->st[s], BE_SVC_ON);
		assert_int_equal(i->st[BE_SVC_KVP], BE_SVC_NA);
		assert_true(has(i->why[BE_SVC_HEARTBEAT], "no guest agent channel"));
		assert_int_equal(i->agent_calls, 0);
	}
	be_agent_counts(bh, &calls, &xml_reads);
	assert_int_equal(calls, 0);
	/* the first ask of a view: also the paravirtual devices, from the XML */
	{
		be_agent_req *req = xcalloc(1, sizeof(*req));
		req->version = true;
		seq = be_host_submit_arg(bh, BE_OP_AGENT_INFO, uuid, req, free);
		WAIT(T.info_seq == seq && T.res_seq == seq, WAIT_MS);
		assert_int_equal(T.info_seq, seq);
		i = T.info;
		assert_int_equal(i->agent_calls, 0);
		assert_int_equal(i->st[BE_SVC_PV], BE_SVC_OFF);
		assert_true(i->npv >= 3);
		bool seen = false;
		for (size_t k = 0; k < i->npv; k++)
			seen = seen || has(i->pv[k], "agent channel: none");
		assert_true(seen);
	}
	/* a refresh of the list reads no XML again */
	seq = be_host_submit(bh, BE_OP_REFRESH, NULL, NULL, 0);
	WAIT(T.res_seq == seq, WAIT_MS);
	be_agent_counts(bh, NULL, &calls1);
	assert_int_equal(calls1, xml_reads);

	/* a VM with a channel whose state the driver does not say: the agent
	 * is asked; virDomainGetGuestInfo, which the test driver lacks, once */
	seq = be_host_submit_arg(bh, BE_OP_DEFINE, NULL, xstrdup(chan_xml), free);
	WAIT(T.res_seq == seq && (v = vm_named(h, "integ-agent <1>")) && v->agent != MD_AGENT_UNKNOWN, WAIT_MS);
	v = vm_named(h, "integ-agent <1>");
	assert_non_null(v);
	assert_int_equal(v->agent, MD_AGENT_DOWN);
	snprintf(uuid, sizeof(uuid), "%s", v->uuid);
	seq = be_host_submit(bh, BE_OP_START, uuid, NULL, 0);
	WAIT(T.res_seq == seq, WAIT_MS);
	assert_true(T.res_ok);
	i = info_of(bh, uuid);
	assert_true(i->channel);
	assert_int_equal(i->st[BE_SVC_KVP] == BE_SVC_NA || i->st[BE_SVC_KVP] == BE_SVC_ON, 1);
	assert_true(i->agent_calls >= 1 && i->agent_calls <= 3);
	be_agent_counts(bh, &calls1, NULL);
	i = info_of(bh, uuid);
	assert_true(i->agent_calls <= 3);
	assert_true(i->skipped >= 1); /* GetGuestInfo: known missing, not called */
	assert_true(has(i->why[BE_SVC_KVP], "virDomainGetGuestInfo") || i->st[BE_SVC_KVP] == BE_SVC_ON);
	/* Sync Time Now works on the test driver; Copy File: no QemuAgentCommand */
	seq = be_host_submit(bh, BE_OP_AGENT_SYNC_TIME, uuid, NULL, 0);
	WAIT(T.res_seq == seq, WAIT_MS);
	assert_true(T.res_ok);
	assert_true(has(T.res_text, "Synchronised the clock of 'integ-agent <1>'"));
	{
		be_agent_copy *cp = xcalloc(1, sizeof(*cp));
		cp->local = xstrdup("/etc/hostname");
		cp->guest = xstrdup("/tmp/x");
		seq = be_host_submit_arg(bh, BE_OP_AGENT_COPY, uuid, cp, be_agent_copy_free_void);
		WAIT(T.res_seq == seq, WAIT_MS);
		assert_false(T.res_ok);
		assert_true(has(T.res_text, "virDomainQemuAgentCommand"));
	}
	/* a file beyond the limit is refused before any call */
	{
		be_agent_copy *cp = xcalloc(1, sizeof(*cp));
		cp->local = xstrdup("/nonexistent/file");
		cp->guest = xstrdup("/tmp/x");
		seq = be_host_submit_arg(bh, BE_OP_AGENT_COPY, uuid, cp, be_agent_copy_free_void);
		WAIT(T.res_seq == seq, WAIT_MS);
		assert_false(T.res_ok);
		assert_true(has(T.res_text, "cannot read '/nonexistent/file'"));
	}
	/* apply: a configuration changed meanwhile is refused, nothing made */
	{
		be_agent_apply *ap = xcalloc(1, sizeof(*ap));
		ap->old_xml = xstrdup("<domain>not what the host has</domain>");
		ap->new_xml = xstrdup(chan_xml);
		seq = be_host_submit_arg(bh, BE_OP_AGENT_APPLY, uuid, ap, be_agent_apply_free_void);
		WAIT(T.res_seq == seq, WAIT_MS);
		assert_false(T.res_ok);
		assert_true(has(T.res_text, "changed since the wizard read it"));
	}
	/* a virtio-win ISO that is not on the host: refused, nothing made */
	{
		be_agent_apply *ap = xcalloc(1, sizeof(*ap));
		seq = be_host_submit(bh, BE_OP_AGENT_XML, uuid, NULL, 0);
		WAIT(T.info_seq == seq && T.res_seq == seq, WAIT_MS);
		assert_non_null(T.info->inactive_xml);
		assert_true(has(T.info->inactive_xml, "integ-agent &lt;1&gt;"));
		ap->old_xml = xstrdup(T.info->inactive_xml);
		ap->new_xml = xstrdup(T.info->inactive_xml);
		ap->iso = xstrdup("/nonexistent/virtio-win.iso");
		seq = be_host_submit_arg(bh, BE_OP_AGENT_APPLY, uuid, ap, be_agent_apply_free_void);
		WAIT(T.res_seq == seq, WAIT_MS);
		assert_false(T.res_ok);
		assert_true(has(T.res_text, "the virtio-win ISO '/nonexistent/virtio-win.iso' is not on the host"));
		/* the same XML, no ISO: goes through (define of the same) */
		ap = xcalloc(1, sizeof(*ap));
		ap->old_xml = xstrdup(T.info->inactive_xml);
		ap->new_xml = xstrdup(T.info->inactive_xml);
		seq = be_host_submit_arg(bh, BE_OP_AGENT_APPLY, uuid, ap, be_agent_apply_free_void);
		WAIT(T.res_seq == seq, WAIT_MS);
		assert_true(T.res_ok);
		assert_true(has(T.res_text, "configuration saved"));
	}
	/* automatic time sync: off by default, so a Resume syncs nothing ... */
	seq = be_host_submit(bh, BE_OP_SUSPEND, uuid, NULL, 0);
	WAIT(T.res_seq == seq, WAIT_MS);
	assert_true(T.res_ok);
	seq = be_host_submit(bh, BE_OP_RESUME, uuid, NULL, 0);
	WAIT(T.res_seq == seq, WAIT_MS);
	assert_true(T.res_ok);
	PUMP_FOR(500); /* the Resume's lifecycle event's job */
	assert_null(T.auto_text);
	/* ... turned on (kept in the metadata, read with the version) ... */
	seq = be_host_submit(bh, BE_OP_AGENT_AUTOSYNC, uuid, NULL, 0);
	WAIT(T.res_seq == seq, WAIT_MS);
	assert_true(T.res_ok);
	assert_true(has(T.res_text, "Automatic time sync of 'integ-agent <1>': on"));
	{
		be_agent_req *req = xcalloc(1, sizeof(*req));
		req->version = true;
		seq = be_host_submit_arg(bh, BE_OP_AGENT_INFO, uuid, req, free);
		WAIT(T.info_seq == seq && T.res_seq == seq, WAIT_MS);
		assert_int_equal(T.info->autosync, 1);
		assert_int_equal(info_of(bh, uuid)->autosync, -1); /* not read again */
	}
	/* ... then a Resume syncs the clock by itself */
	core_str_set(&T.auto_text, NULL);
	seq = be_host_submit(bh, BE_OP_SUSPEND, uuid, NULL, 0);
	WAIT(T.res_seq == seq, WAIT_MS);
	seq = be_host_submit(bh, BE_OP_RESUME, uuid, NULL, 0);
	WAIT(T.auto_text, WAIT_MS);
	assert_true(has(T.auto_text, "Synchronised the clock of 'integ-agent <1>' by itself"));
	/* and off again */
	{
		char *off[] = { "off" };
		seq = be_host_submit(bh, BE_OP_AGENT_AUTOSYNC, uuid, off, 1);
		WAIT(T.res_seq == seq, WAIT_MS);
		assert_true(has(T.res_text, "Automatic time sync of 'integ-agent <1>': off"));
	}
	seq = be_host_submit(bh, BE_OP_DELETE, uuid, NULL, 0);
	WAIT(T.res_seq == seq, WAIT_MS);
	assert_true(T.res_ok);
	be_host_free(&bh, 5000);
	md_host_remove(T.m, 1);
}

static size_t count_agent(const md_host *h, int agent)
{
	size_t n = 0;
	for (size_t i = 0; i < h->nvms; i++)
		n += h->vms[i].agent == agent;
	return n;
}

/* The Agent column at 10,000 VMs: the list is posted with no XML read
 * (its time unchanged), each VM's XML is read once after it, a refresh
 * reads none: 0 libvirt calls for the column beyond the list's own. */
static void test_agent_column_10000(void **state)
{
	char path[] = "/tmp/vmmc-integ-many-XXXXXX.xml", cmd[256], uri[256];
	int fd = mkstemps(path, 4);
	md_host *h;
	be_host *bh;
	uint64_t calls = 0, reads0 = 0, reads1 = 0, reads2 = 0, seq;
	int64_t t0, t_listed, t_scanned;
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sh tests/bench/gen-host.sh 10000 %s", path);
	assert_int_equal(system(cmd), 0);
	snprintf(uri, sizeof(uri), "test://%s", path);
	h = md_host_add(T.m, 2, uri);
	bh = be_host_new(2, uri);
	WAIT(h->conn == MD_CONN_CONNECTED, 30000);
	t0 = core_now_ms();
	WAIT(h->listed, 30000);
	t_listed = core_now_ms();
	unlink(path);
	assert_int_equal(h->nvms, 10000);
	WAIT(count_agent(h, MD_AGENT_UNKNOWN) == 0, 60000);
	t_scanned = core_now_ms();
	assert_int_equal(count_agent(h, MD_AGENT_UNKNOWN), 0);
	be_agent_counts(bh, &calls, &reads0);
	assert_int_equal(reads0, 10000);
	assert_int_equal(calls, 0);
	for (int k = 0; k < 2; k++) {
		seq = be_host_submit(bh, BE_OP_REFRESH, NULL, NULL, 0);
		WAIT(T.res_seq == seq, 30000);
		assert_int_equal(T.res_seq, seq);
	}
	be_agent_counts(bh, &calls, &reads1);
	assert_int_equal(reads1, reads0); /* no XML read per refresh */
	/* the stats ticks neither */
	seq = be_host_submit(bh, BE_OP_STATS, NULL, NULL, 0);
	(void)seq;
	PUMP_FOR(500);
	be_agent_counts(bh, &calls, &reads2);
	assert_int_equal(reads2, reads0);
	assert_int_equal(calls, 0);
	assert_int_equal(count_agent(h, MD_AGENT_UNKNOWN), 0);
	printf("Agent column, 10,000 VMs: list in %lld ms, XML of all read %lld ms later (%llu reads, once); "
	       "per refresh: %llu XML reads, %llu agent calls\n",
	       (long long)(t_listed - t0), (long long)(t_scanned - t_listed), (unsigned long long)reads0,
	       (unsigned long long)(reads1 - reads0) / 2, (unsigned long long)calls);
	be_host_free(&bh, 5000);
	md_host_remove(T.m, 2);
}

static int group_setup(void **state)
{
	char *err = NULL;
	(void)state;
	T.q = core_msgq_new(md_msg_free_void);
	T.m = md_model_new();
	if (be_init(T.q, &err) < 0) {
		fprintf(stderr, "be_init: %s\n", err);
		free(err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	be_fini();
	be_agent_info_free(&T.info);
	free(T.res_text);
	free(T.auto_text);
	md_model_free(&T.m);
	core_msgq_free(&T.q);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_look_and_offers),
		cmocka_unit_test(test_xml_and_diff),
		cmocka_unit_test(test_running_hot_plug),
		cmocka_unit_test(test_running_no_vserial),
		cmocka_unit_test(test_windows_boot_disk_refused),
		cmocka_unit_test(test_windows_local_iso),
		cmocka_unit_test(test_checkpoint_xml),
		cmocka_unit_test(test_media_names),
		cmocka_unit_test(test_unknown_os_asks),
		cmocka_unit_test(test_bad_xml),
		cmocka_unit_test(test_install_commands),
		cmocka_unit_test(test_line_diff),
		cmocka_unit_test(test_autosync_xml),
		cmocka_unit_test(test_json_base64),
		cmocka_unit_test(test_model_agent_batch),
		cmocka_unit_test(test_backend_test_driver),
		cmocka_unit_test(test_agent_column_10000),
	};
	if (getenv("VMMC_TEST_FILTER"))
		cmocka_set_test_filter(getenv("VMMC_TEST_FILTER"));
	return cmocka_run_group_tests_name("integ", tests, group_setup, group_teardown);
}
