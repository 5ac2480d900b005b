/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_domxml.c - see be_domxml.h. */
#include "be_domxml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "../core/util.h"
#include "be_xml.h"

#define OSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

int be_domname_check(const char *name, char **err)
{
	bool blank = true;
	if (!name || !*name) {
		*err = xstrdup("Name: enter a name for the VM");
		return -1;
	}
	if (strlen(name) > 200) {
		*err = xstrdup("Name: at most 200 bytes");
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p == '/') {
			*err = xstrdup("Name: may not contain '/'");
			return -1;
		}
		if (*p < 0x20 || *p == 0x7f) {
			*err = xstrdup("Name: may not contain control characters");
			return -1;
		}
		if (*p != ' ' && *p != '\t')
			blank = false;
	}
	if (blank) {
		*err = xstrdup("Name: may not be only spaces");
		return -1;
	}
	return 0;
}

static int spec_check(const be_domspec *s, char **err)
{
	if (be_domname_check(s->name, err) < 0)
		return -1;
	if (s->memory < (1ULL << 20)) {
		*err = xstrdup("Memory: at least 1 MiB");
		return -1;
	}
	if (s->vcpus < 1) {
		*err = xstrdup("vCPUs: at least 1");
		return -1;
	}
	if (s->ndisks > BE_DOM_MAX_DISKS) {
		*err = xasprintf("Storage: at most %d disks", BE_DOM_MAX_DISKS);
		return -1;
	}
	for (size_t i = 0; i < s->ndisks; i++) {
		const be_domdisk *d = &s->disks[i];
		if (!(d->path && *d->path) && !(d->pool && *d->pool && d->vol && *d->vol)) {
			*err = xstrdup("Storage: a disk needs a path or a pool and a volume");
			return -1;
		}
	}
	if ((s->nic == BE_NIC_NETWORK || s->nic == BE_NIC_BRIDGE) && !(s->nic_source && *s->nic_source)) {
		*err = xstrdup(s->nic == BE_NIC_NETWORK ? "Network: choose a virtual network"
							: "Network: enter a bridge's name");
		return -1;
	}
	if ((s->initrd || s->cmdline) && !s->kernel) {
		*err = xstrdup("Kernel: an initrd or a command line needs a kernel");
		return -1;
	}
	if (s->secure_boot && s->firmware != BE_FW_UEFI) {
		*err = xstrdup("Firmware: Secure Boot needs UEFI");
		return -1;
	}
	return 0;
}

static const char *disk_format(const be_domdisk *d)
{
	if (d->format && *d->format)
		return d->format;
	return d->device == BE_DEV_CDROM ? "raw" : "qcow2";
}

static int disk_bus(const be_domdisk *d)
{
	return d->device == BE_DEV_CDROM ? BE_BUS_SATA : d->bus;
}

/* vda, vdb ... / sda, sdb ...: counted per bus */
static void disk_target(int bus, int index, char *buf, size_t len)
{
	if (index < 26)
		snprintf(buf, len, "%s%c", bus == BE_BUS_VIRTIO ? "vd" : "sd", 'a' + index);
	else
		snprintf(buf, len, "%s%c%c", bus == BE_BUS_VIRTIO ? "vd" : "sd", 'a' + index / 26 - 1, 'a' + index % 26);
}

static const char *boot_dev(int b)
{
	return b == BE_BOOT_CDROM ? "cdrom" : b == BE_BOOT_NETWORK ? "network" : "hd";
}

static void add_os(xmlNodePtr dom, const be_domspec *s)
{
	xmlNodePtr os = be_xml_add(dom, "os", NULL), n;
	if (s->firmware == BE_FW_UEFI)
		be_xml_attr(os, "firmware", "efi");
	n = be_xml_add(os, "type", "hvm");
	be_xml_attr(n, "arch", s->arch ? s->arch : "x86_64");
	be_xml_attr(n, "machine", s->machine && *s->machine ? s->machine : NULL);
	if (s->firmware == BE_FW_UEFI) {
		xmlNodePtr fw = be_xml_add(os, "firmware", NULL);
		be_xml_attr(be_xml_add(fw, "feature", NULL), "enabled", s->secure_boot ? "yes" : "no");
		be_xml_attr(fw->last, "name", "secure-boot");
		if (s->secure_boot) {
			be_xml_attr(be_xml_add(fw, "feature", NULL), "enabled", "yes");
			be_xml_attr(fw->last, "name", "enrolled-keys");
		}
	}
	if (s->kernel) {
		be_xml_add(os, "kernel", s->kernel);
		if (s->initrd)
			be_xml_add(os, "initrd", s->initrd);
		if (s->cmdline)
			be_xml_add(os, "cmdline", s->cmdline);
	}
	if (s->nboot == 0 && !s->kernel)
		be_xml_attr(be_xml_add(os, "boot", NULL), "dev", "hd");
	for (size_t i = 0; i < s->nboot && i < 3; i++)
		be_xml_attr(be_xml_add(os, "boot", NULL), "dev", boot_dev(s->boot[i]));
}

static void add_disk(xmlNodePtr devs, const be_domdisk *d, int index)
{
	xmlNodePtr disk = be_xml_add(devs, "disk", NULL), n;
	char target[8];
	int bus = disk_bus(d);
	be_xml_attr(disk, "type", d->path && *d->path ? "file" : "volume");
	be_xml_attr(disk, "device", d->device == BE_DEV_CDROM ? "cdrom" : "disk");
	n = be_xml_add(disk, "driver", NULL);
	be_xml_attr(n, "name", "qemu");
	be_xml_attr(n, "type", disk_format(d));
	n = be_xml_add(disk, "source", NULL);
	if (d->path && *d->path) {
		be_xml_attr(n, "file", d->path);
	} else {
		be_xml_attr(n, "pool", d->pool);
		be_xml_attr(n, "volume", d->vol);
	}
	disk_target(bus, index, target, sizeof(target));
	n = be_xml_add(disk, "target", NULL);
	be_xml_attr(n, "dev", target);
	be_xml_attr(n, "bus", bus == BE_BUS_VIRTIO ? "virtio" : "sata");
	if (d->device == BE_DEV_CDROM)
		be_xml_add(disk, "readonly", NULL);
}

static void add_devices(xmlNodePtr dom, const be_domspec *s)
{
	xmlNodePtr devs = be_xml_add(dom, "devices", NULL), n, t;
	int count[2] = { 0, 0 };
	for (size_t i = 0; i < s->ndisks; i++) {
		int bus = disk_bus(&s->disks[i]);
		add_disk(devs, &s->disks[i], count[bus]++);
	}
	if (s->nic != BE_NIC_NONE) {
		static const char *const kind[] = { NULL, "network", "bridge", "user" };
		n = be_xml_add(devs, "interface", NULL);
		be_xml_attr(n, "type", kind[s->nic]);
		if (s->mac)
			be_xml_attr(be_xml_add(n, "mac", NULL), "address", s->mac);
		if (s->nic == BE_NIC_NETWORK)
			be_xml_attr(be_xml_add(n, "source", NULL), "network", s->nic_source);
		else if (s->nic == BE_NIC_BRIDGE)
			be_xml_attr(be_xml_add(n, "source", NULL), "bridge", s->nic_source);
		be_xml_attr(be_xml_add(n, "model", NULL), "type", s->nic_model ? s->nic_model : "virtio");
	}
	n = be_xml_attr(be_xml_add(devs, "serial", NULL), "type", "pty");
	be_xml_attr(be_xml_add(n, "target", NULL), "port", "0");
	n = be_xml_attr(be_xml_add(devs, "console", NULL), "type", "pty");
	t = be_xml_attr(be_xml_add(n, "target", NULL), "type", "serial");
	be_xml_attr(t, "port", "0");
	n = be_xml_attr(be_xml_add(devs, "channel", NULL), "type", "unix");
	t = be_xml_attr(be_xml_add(n, "target", NULL), "type", "virtio");
	be_xml_attr(t, "name", "org.qemu.guest_agent.0");
	if (s->tpm) {
		n = be_xml_attr(be_xml_add(devs, "tpm", NULL), "model", "tpm-crb");
		t = be_xml_attr(be_xml_add(n, "backend", NULL), "type", "emulator");
		be_xml_attr(t, "version", "2.0");
	}
	be_xml_attr(be_xml_add(devs, "memballoon", NULL), "model", "virtio");
}

char *be_domxml_build(const be_domspec *s, char **err)
{
	xmlDocPtr doc;
	xmlNodePtr dom, n;
	char num[32];
	char *out;

	if (spec_check(s, err) < 0)
		return NULL;
	doc = be_xml_new("domain");
	dom = xmlDocGetRootElement(doc);
	be_xml_attr(dom, "type", s->virt_type && *s->virt_type ? s->virt_type : "kvm");
	be_xml_add(dom, "name", s->name);
	if (s->os_id && *s->os_id) {
		xmlNodePtr md = be_xml_add(dom, "metadata", NULL);
		xmlNodePtr lo = xmlNewChild(md, NULL, BAD_CAST "libosinfo", NULL);
		xmlNsPtr ns = xmlNewNs(lo, BAD_CAST OSINFO_NS, BAD_CAST "libosinfo");
		xmlSetNs(lo, ns);
		n = xmlNewChild(lo, ns, BAD_CAST "os", NULL);
		be_xml_attr(n, "id", s->os_id);
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)(s->memory >> 10));
	be_xml_attr(be_xml_add(dom, "memory", num), "unit", "KiB");
	be_xml_attr(be_xml_add(dom, "currentMemory", num), "unit", "KiB");
	snprintf(num, sizeof(num), "%u", s->vcpus);
	be_xml_add(dom, "vcpu", num);
	add_os(dom, s);
	n = be_xml_add(dom, "features", NULL);
	be_xml_add(n, "acpi", NULL);
	be_xml_add(n, "apic", NULL);
	if (s->secure_boot)
		be_xml_attr(be_xml_add(n, "smm", NULL), "state", "on");
	if (!s->virt_type || strcmp(s->virt_type, "kvm") == 0)
		be_xml_attr(be_xml_add(dom, "cpu", NULL), "mode", "host-passthrough");
	be_xml_attr(be_xml_add(dom, "clock", NULL), "offset", "utc");
	be_xml_add(dom, "on_poweroff", "destroy");
	be_xml_add(dom, "on_reboot", "restart");
	be_xml_add(dom, "on_crash", "destroy");
	add_devices(dom, s);
	out = be_xml_dump(doc);
	xmlFreeDoc(doc);
	return out;
}

/* ---- virt-install ------------------------------------------------------------ */

char *be_shell_quote(const char *word)
{
	size_t n = 0;
	char *out, *o;
	bool plain = word && *word;
	for (const char *p = word ? word : ""; *p; p++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-", *p))
			plain = false;
		n += *p == '\'' ? 4 : 1;
	}
	if (plain)
		return xstrdup(word);
	out = o = xmalloc(n + 3);
	*o++ = '\'';
	for (const char *p = word ? word : ""; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

struct strbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct strbuf *b, const char *t)
{
	size_t n = strlen(t);
	xgrow(&b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, t, n + 1);
	b->len += n;
}

/* " OPT VALUE" with VALUE quoted */
static void sb_opt(struct strbuf *b, const char *opt, const char *value)
{
	sb_add(b, " ");
	sb_add(b, opt);
	if (value) {
		char *q = be_shell_quote(value);
		sb_add(b, " ");
		sb_add(b, q);
		free(q);
	}
}

/* virt-install's sub-option values may not hold a ',' unquoted: it takes
 * ",," for a literal comma. */
static char *vi_val(const char *v)
{
	size_t n = 0;
	char *out, *o;
	for (const char *p = v; *p; p++)
		n += *p == ',' ? 2 : 1;
	out = o = xmalloc(n + 1);
	for (const char *p = v; *p; p++) {
		*o++ = *p;
		if (*p == ',')
			*o++ = ',';
	}
	*o = '\0';
	return out;
}

/* "key=value" appended to a sub-option list (comma first unless empty) */
static void kv_add(char **list, const char *key, const char *value)
{
	char *v = vi_val(value);
	char *s = xasprintf("%s%s%s=%s", *list && **list ? *list : "", *list && **list ? "," : "", key, v);
	free(v);
	free(*list);
	*list = s;
}

char *be_domxml_virt_install(const be_domspec *s, const char *uri)
{
	struct strbuf b = { 0 };
	char num[64];
	char *o;
	bool installs = false;

	sb_add(&b, "virt-install");
	if (uri)
		sb_opt(&b, "--connect", uri);
	sb_opt(&b, "--name", s->name ? s->name : "");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)(s->memory >> 20));
	sb_opt(&b, "--memory", num);
	snprintf(num, sizeof(num), "%u", s->vcpus);
	sb_opt(&b, "--vcpus", num);
	sb_opt(&b, "--osinfo", s->os_short && *s->os_short ? s->os_short : "detect=on,require=off");
	if (s->virt_type && *s->virt_type)
		sb_opt(&b, "--virt-type", s->virt_type);
	if (s->arch && *s->arch)
		sb_opt(&b, "--arch", s->arch);
	if (s->machine && *s->machine)
		sb_opt(&b, "--machine", s->machine);

	o = NULL;
	if (s->firmware == BE_FW_UEFI) {
		o = xstrdup("uefi");
		kv_add(&o, "firmware.feature0.name", "secure-boot");
		kv_add(&o, "firmware.feature0.enabled", s->secure_boot ? "yes" : "no");
	}
	if (s->kernel) {
		kv_add(&o, "kernel", s->kernel);
		if (s->initrd)
			kv_add(&o, "initrd", s->initrd);
		if (s->cmdline)
			kv_add(&o, "kernel_args", s->cmdline);
	}
	if (!s->kernel && s->nboot > 0) {
		char *order = NULL;
		for (size_t i = 0; i < s->nboot && i < 3; i++) {
			char *t = xasprintf("%s%s%s", order ? order : "", order ? "," : "", boot_dev(s->boot[i]));
			free(order);
			order = t;
		}
		/* a list: virt-install reads "--boot cdrom,hd" as the boot order */
		if (o) {
			char *t = xasprintf("%s,%s", o, order);
			free(o);
			o = t;
			free(order);
		} else {
			o = order;
		}
	}
	if (o)
		sb_opt(&b, "--boot", o);
	xfree(&o);

	for (size_t i = 0; i < s->ndisks; i++) {
		const be_domdisk *d = &s->disks[i];
		if (d->device == BE_DEV_CDROM && i == 0 && d->path) {
			sb_opt(&b, "--cdrom", d->path);
			installs = true;
			continue;
		}
		if (d->path && *d->path) {
			kv_add(&o, "path", d->path);
		} else if (d->new_size) {
			char gib[32];
			kv_add(&o, "pool", d->pool);
			snprintf(gib, sizeof(gib), "%g", (double)d->new_size / (double)(1ULL << 30));
			kv_add(&o, "size", gib);
		} else {
			char *pv = xasprintf("%s/%s", d->pool, d->vol);
			kv_add(&o, "vol", pv);
			free(pv);
		}
		if (d->device == BE_DEV_CDROM)
			kv_add(&o, "device", "cdrom");
		kv_add(&o, "format", disk_format(d));
		kv_add(&o, "bus", disk_bus(d) == BE_BUS_VIRTIO ? "virtio" : "sata");
		sb_opt(&b, "--disk", o);
		xfree(&o);
	}
	if (s->ndisks == 0)
		sb_opt(&b, "--disk", "none");

	switch (s->nic) {
	case BE_NIC_NETWORK:
		kv_add(&o, "network", s->nic_source);
		break;
	case BE_NIC_BRIDGE:
		kv_add(&o, "bridge", s->nic_source);
		break;
	case BE_NIC_USER:
		o = xstrdup("user");
		break;
	default:
		o = xstrdup("none");
	}
	if (s->nic != BE_NIC_NONE)
		kv_add(&o, "model", s->nic_model ? s->nic_model : "virtio");
	if (s->mac)
		kv_add(&o, "mac", s->mac);
	sb_opt(&b, "--network", o);
	xfree(&o);
	for (size_t i = 0; i < s->nboot; i++)
		if (s->boot[i] == BE_BOOT_NETWORK && !installs) {
			sb_opt(&b, "--pxe", NULL);
			installs = true;
		}
	if (!installs)
		sb_opt(&b, "--import", NULL);
	if (s->tpm)
		sb_opt(&b, "--tpm", "emulator,model=tpm-crb,version=2.0");
	sb_opt(&b, "--serial", "pty");
	sb_opt(&b, "--console", "pty,target_type=serial");
	sb_opt(&b, "--channel", "unix,target_type=virtio,name=org.qemu.guest_agent.0");
	sb_opt(&b, "--graphics", "none");
	sb_opt(&b, "--noautoconsole", NULL);
	return b.s;
}
