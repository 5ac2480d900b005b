/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_devices.c - one VM's hardware: parse the live and inactive
 * domain XML into be_vmconf, build device and domain XML (libxml2), and the
 * change list's bookkeeping (no libvirt), then the worker's jobs. */
#include "be_devices.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../core/util.h"
#include "be_xml.h"

static const char *const be_devk_names[BE_DEVK__COUNT] = {
	[BE_DEVK_DISK] = "Disk",
	[BE_DEVK_CDROM] = "CD/DVD drive",
	[BE_DEVK_NIC] = "Network adapter",
	[BE_DEVK_SERIAL] = "Serial port",
	[BE_DEVK_CONSOLE] = "Console",
	[BE_DEVK_CHANNEL] = "Channel",
	[BE_DEVK_VIDEO] = "Video",
	[BE_DEVK_RNG] = "RNG",
	[BE_DEVK_WATCHDOG] = "Watchdog",
	[BE_DEVK_TPM] = "TPM",
	[BE_DEVK_OTHER] = "Other device",
};

const char *be_devk_name(int kind)
{
	return kind >= 0 && kind < BE_DEVK__COUNT ? be_devk_names[kind] : "Device";
}

/* ---- small libxml2 helpers --------------------------------------------------- */

static bool be_is(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0;
}

static xmlNodePtr be_child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (be_is(c, name))
			return c;
	return NULL;
}

static char *be_prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
	char *r = xstrdup((const char *)v);
	xmlFree(v);
	return r;
}

/* attribute of a child: <child attr=> */
static char *be_cprop(xmlNodePtr n, const char *child, const char *name)
{
	return be_prop(be_child(n, child), name);
}

static char *be_text(xmlNodePtr n)
{
	xmlChar *v = n ? xmlNodeGetContent(n) : NULL;
	char *r = v && *v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return r;
}

static uint64_t be_num(xmlNodePtr n)
{
	char *t = be_text(n);
	uint64_t v = t ? strtoull(t, NULL, 10) : 0;
	free(t);
	return v;
}

/* <memory unit='KiB'>N</memory> in bytes */
static uint64_t be_mem_bytes(xmlNodePtr n)
{
	char *unit = be_prop(n, "unit");
	uint64_t v = be_num(n), mul = 1024;
	if (unit) {
		if (!strcmp(unit, "b") || !strcmp(unit, "bytes"))
			mul = 1;
		else if (!strcmp(unit, "KB"))
			mul = 1000;
		else if (!strcmp(unit, "MB"))
			mul = 1000000;
		else if (!strcmp(unit, "M") || !strcmp(unit, "MiB"))
			mul = 1024 * 1024;
		else if (!strcmp(unit, "GB"))
			mul = 1000000000;
		else if (!strcmp(unit, "G") || !strcmp(unit, "GiB"))
			mul = 1024ULL * 1024 * 1024;
	}
	free(unit);
	return v * mul;
}

static char *be_node_xml(xmlDocPtr doc, xmlNodePtr n)
{
	xmlBufferPtr buf = xmlBufferCreate();
	char *r;
	xmlNodeDump(buf, doc, n, 0, 1);
	r = xstrdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return r;
}

/* ---- parse ----------------------------------------------------------------- */

static int be_kind_of(xmlNodePtr n)
{
	if (be_is(n, "disk")) {
		char *dev = be_prop(n, "device");
		int k = dev && (!strcmp(dev, "cdrom") || !strcmp(dev, "floppy")) ? BE_DEVK_CDROM : BE_DEVK_DISK;
		free(dev);
		return k;
	}
	if (be_is(n, "interface"))
		return BE_DEVK_NIC;
	if (be_is(n, "serial"))
		return BE_DEVK_SERIAL;
	if (be_is(n, "console"))
		return BE_DEVK_CONSOLE;
	if (be_is(n, "channel"))
		return BE_DEVK_CHANNEL;
	if (be_is(n, "video"))
		return BE_DEVK_VIDEO;
	if (be_is(n, "rng"))
		return BE_DEVK_RNG;
	if (be_is(n, "watchdog"))
		return BE_DEVK_WATCHDOG;
	if (be_is(n, "tpm"))
		return BE_DEVK_TPM;
	return BE_DEVK_OTHER;
}

static void be_parse_disk(be_device *d, xmlNodePtr n)
{
	xmlNodePtr src = be_child(n, "source");
	d->target = be_cprop(n, "target", "dev");
	d->bus = be_cprop(n, "target", "bus");
	d->format = be_cprop(n, "driver", "type");
	d->readonly = be_child(n, "readonly") != NULL;
	if (src) {
		d->source = be_prop(src, "file");
		if (!d->source)
			d->source = be_prop(src, "dev");
		d->pool = be_prop(src, "pool");
		d->vol = be_prop(src, "volume");
	}
}

static void be_parse_nic(be_device *d, xmlNodePtr n)
{
	xmlNodePtr src = be_child(n, "source");
	char *state = be_cprop(n, "link", "state");
	d->mac = be_cprop(n, "mac", "address");
	d->model = be_cprop(n, "model", "type");
	d->net_type = be_prop(n, "type");
	d->ifname = be_cprop(n, "target", "dev");
	if (src) {
		d->net_source = be_prop(src, "network");
		if (!d->net_source)
			d->net_source = be_prop(src, "bridge");
		if (!d->net_source)
			d->net_source = be_prop(src, "dev");
	}
	d->link_down = state && !strcmp(state, "down");
	free(state);
}

static void be_parse_chr(be_device *d, xmlNodePtr n)
{
	xmlNodePtr tgt = be_child(n, "target");
	char *port = be_prop(tgt, "port");
	d->chr_type = be_prop(n, "type");
	d->tgt_type = be_prop(tgt, "type");
	d->tgt_name = be_prop(tgt, "name");
	d->state = be_prop(tgt, "state");
	d->port = port ? atoi(port) : -1;
	d->pty = be_prop(n, "tty");
	if (!d->pty && d->chr_type && !strcmp(d->chr_type, "pty"))
		d->pty = be_cprop(n, "source", "path");
	free(port);
}

static void be_parse_misc(be_device *d, xmlNodePtr n)
{
	switch (d->kind) {
	case BE_DEVK_VIDEO:
		d->model = be_cprop(n, "model", "type");
		d->detail = be_cprop(n, "model", "vram");
		break;
	case BE_DEVK_RNG:
		d->model = be_cprop(n, "backend", "model");
		d->detail = be_text(be_child(n, "backend"));
		break;
	case BE_DEVK_WATCHDOG:
		d->model = be_prop(n, "model");
		d->detail = be_prop(n, "action");
		break;
	case BE_DEVK_TPM:
		d->model = be_prop(n, "model");
		d->detail = be_cprop(n, "backend", "version");
		if (!d->detail)
			d->detail = be_cprop(n, "backend", "type");
		break;
	default:
		break;
	}
}

static void be_parse_dev(be_device *d, xmlDocPtr doc, xmlNodePtr n)
{
	char *order;
	memset(d, 0, sizeof(*d));
	d->port = -1;
	d->kind = be_kind_of(n);
	d->elem = xstrdup((const char *)n->name);
	d->xml = be_node_xml(doc, n);
	d->alias = be_cprop(n, "alias", "name");
	order = be_cprop(n, "boot", "order");
	d->boot_order = order ? atoi(order) : 0;
	free(order);
	switch (d->kind) {
	case BE_DEVK_DISK:
	case BE_DEVK_CDROM:
		be_parse_disk(d, n);
		break;
	case BE_DEVK_NIC:
		be_parse_nic(d, n);
		break;
	case BE_DEVK_SERIAL:
	case BE_DEVK_CONSOLE:
	case BE_DEVK_CHANNEL:
		be_parse_chr(d, n);
		break;
	default:
		be_parse_misc(d, n);
		break;
	}
}

void be_device_clear(be_device *d)
{
	char **s[] = { &d->xml, &d->elem, &d->alias, &d->target, &d->bus, &d->source, &d->pool, &d->vol,
		       &d->format, &d->mac, &d->model, &d->net_type, &d->net_source, &d->ifname,
		       &d->chr_type, &d->tgt_type, &d->tgt_name, &d->pty, &d->state, &d->detail, &d->upload_from };
	for (size_t i = 0; i < CORE_ARRAY_LEN(s); i++)
		xfree(s[i]);
	memset(d, 0, sizeof(*d));
	d->port = -1;
}

void be_device_copy(be_device *dst, const be_device *src)
{
	*dst = *src;
	char **s[] = { &dst->xml, &dst->elem, &dst->alias, &dst->target, &dst->bus, &dst->source,
		       &dst->pool, &dst->vol, &dst->format, &dst->mac, &dst->model, &dst->net_type,
		       &dst->net_source, &dst->ifname, &dst->chr_type, &dst->tgt_type, &dst->tgt_name,
		       &dst->pty, &dst->state, &dst->detail, &dst->upload_from };
	for (size_t i = 0; i < CORE_ARRAY_LEN(s); i++)
		*s[i] = xstrdup(*s[i]);
}

/* What the user would call the same device in the live and the inactive
 * XML: disks by target, NICs by MAC, chardevs by kind+port/name; the rest
 * by kind and position (nth of its kind). */
static bool be_same_dev(const be_device *a, const be_device *b, int nth_a, int nth_b)
{
	if (a->kind != b->kind || !core_str_eq(a->elem, b->elem))
		return false;
	switch (a->kind) {
	case BE_DEVK_DISK:
	case BE_DEVK_CDROM:
		return core_str_eq(a->target, b->target);
	case BE_DEVK_NIC:
		return a->mac && b->mac ? !strcasecmp(a->mac, b->mac) : nth_a == nth_b;
	case BE_DEVK_CHANNEL:
		return core_str_eq(a->tgt_name, b->tgt_name) && core_str_eq(a->tgt_type, b->tgt_type);
	case BE_DEVK_SERIAL:
	case BE_DEVK_CONSOLE:
		return a->port == b->port && core_str_eq(a->tgt_type, b->tgt_type);
	default:
		return nth_a == nth_b;
	}
}

/* The fields a user sets differ (live-only details such as aliases, pty
 * paths and interface names do not count). */
static bool be_dev_differs(const be_device *a, const be_device *b)
{
	switch (a->kind) {
	case BE_DEVK_DISK:
	case BE_DEVK_CDROM:
		return !core_str_eq(a->source, b->source) || !core_str_eq(a->pool, b->pool) ||
		       !core_str_eq(a->vol, b->vol) || !core_str_eq(a->bus, b->bus) ||
		       a->readonly != b->readonly;
	case BE_DEVK_NIC:
		return !core_str_eq(a->model, b->model) || !core_str_eq(a->net_type, b->net_type) ||
		       !core_str_eq(a->net_source, b->net_source) || a->link_down != b->link_down;
	case BE_DEVK_SERIAL:
	case BE_DEVK_CONSOLE:
	case BE_DEVK_CHANNEL:
		return !core_str_eq(a->chr_type, b->chr_type);
	case BE_DEVK_OTHER:
		return false;
	default:
		return !core_str_eq(a->model, b->model) || !core_str_eq(a->detail, b->detail);
	}
}

typedef struct be_side {
	xmlDocPtr doc;
	be_device *devs;
	size_t n;
	uint64_t mem, maxmem;
	unsigned vcpus, maxvcpus;
	char *fw;
	bool sb;
	char **boot;
	size_t nboot;
} be_side;

static void be_side_free(be_side *s)
{
	for (size_t i = 0; i < s->n; i++)
		be_device_clear(&s->devs[i]);
	free(s->devs);
	be_strv_free(&s->boot, &s->nboot);
	free(s->fw);
	if (s->doc)
		xmlFreeDoc(s->doc);
	memset(s, 0, sizeof(*s));
}

static int be_side_parse(be_side *s, const char *xml)
{
	xmlNodePtr root, os, devs, vcpu;
	size_t cap = 0;
	char *cur;

	memset(s, 0, sizeof(*s));
	if (!xml)
		return 0;
	s->doc = be_xml_parse(xml);
	root = s->doc ? xmlDocGetRootElement(s->doc) : NULL;
	if (!be_is(root, "domain"))
		return -1;
	s->maxmem = be_mem_bytes(be_child(root, "memory"));
	s->mem = be_child(root, "currentMemory") ? be_mem_bytes(be_child(root, "currentMemory")) : s->maxmem;
	vcpu = be_child(root, "vcpu");
	s->maxvcpus = (unsigned)be_num(vcpu);
	cur = be_prop(vcpu, "current");
	s->vcpus = cur ? (unsigned)strtoul(cur, NULL, 10) : s->maxvcpus;
	free(cur);
	os = be_child(root, "os");
	s->fw = be_prop(os, "firmware");
	if (!s->fw) {
		char *loader = be_text(be_child(os, "loader"));
		s->fw = xstrdup(loader ? "efi" : "bios");
		free(loader);
	}
	for (xmlNodePtr c = os ? os->children : NULL; c; c = c->next) {
		if (be_is(c, "boot")) {
			char *dev = be_prop(c, "dev");
			if (dev) {
				s->boot = xrealloc(s->boot, (s->nboot + 1) * sizeof(*s->boot));
				s->boot[s->nboot++] = dev;
			}
		} else if (be_is(c, "loader")) {
			char *sec = be_prop(c, "secure");
			s->sb = sec && !strcmp(sec, "yes");
			free(sec);
		} else if (be_is(c, "firmware")) {
			for (xmlNodePtr f = c->children; f; f = f->next) {
				char *name = be_is(f, "feature") ? be_prop(f, "name") : NULL;
				char *en = name ? be_prop(f, "enabled") : NULL;
				if (name && !strcmp(name, "secure-boot") && en && !strcmp(en, "yes"))
					s->sb = true;
				free(name);
				free(en);
			}
		}
	}
	devs = be_child(root, "devices");
	for (xmlNodePtr c = devs ? devs->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || be_is(c, "emulator"))
			continue;
		xgrow(&s->devs, &cap, s->n + 1, sizeof(*s->devs));
		be_parse_dev(&s->devs[s->n++], s->doc, c);
	}
	return 0;
}

static bool be_strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!core_str_eq(a[i], b[i]))
			return false;
	return true;
}

static size_t be_nth(const be_device *v, size_t i)
{
	size_t nth = 0;
	for (size_t k = 0; k < i; k++)
		if (v[k].kind == v[i].kind && core_str_eq(v[k].elem, v[i].elem))
			nth++;
	return nth;
}

/* Devices: the config's in order, each matched with its live form; then
 * those only live (hot-plugged, gone at the next boot). */
static void be_merge_devs(be_vmconf *c, be_side *live, be_side *cfg)
{
	bool *used = live->n ? xcalloc(live->n, sizeof(*used)) : NULL;
	size_t cap = 0;

	for (size_t i = 0; i < cfg->n; i++) {
		be_device *d;
		xgrow(&c->devs, &cap, c->ndevs + 1, sizeof(*c->devs));
		d = &c->devs[c->ndevs++];
		*d = cfg->devs[i];
		memset(&cfg->devs[i], 0, sizeof(cfg->devs[i]));
		d->in_config = true;
		for (size_t k = 0; k < live->n; k++) {
			if (used[k] || !be_same_dev(d, &live->devs[k], (int)be_nth(c->devs, c->ndevs - 1),
						    (int)be_nth(live->devs, k)))
				continue;
			used[k] = true;
			d->in_live = true;
			d->pending = be_dev_differs(d, &live->devs[k]);
			/* live-only facts */
			core_str_set(&d->alias, live->devs[k].alias);
			core_str_set(&d->ifname, live->devs[k].ifname);
			core_str_set(&d->pty, live->devs[k].pty);
			core_str_set(&d->state, live->devs[k].state);
			if (!d->mac)
				core_str_set(&d->mac, live->devs[k].mac);
			break;
		}
		if (c->active && !d->in_live)
			d->pending = true; /* added for the next boot */
	}
	for (size_t k = 0; k < live->n; k++) {
		be_device *d;
		if (used[k])
			continue;
		xgrow(&c->devs, &cap, c->ndevs + 1, sizeof(*c->devs));
		d = &c->devs[c->ndevs++];
		*d = live->devs[k];
		memset(&live->devs[k], 0, sizeof(live->devs[k]));
		d->in_live = true;
		d->in_config = !c->persistent;
		d->pending = c->persistent; /* gone at the next boot */
	}
	free(used);
}

be_vmconf *be_vmconf_parse(const char *live_xml, const char *config_xml, char **err)
{
	be_side live, cfg;
	be_vmconf *c;
	xmlNodePtr root, os;
	bool have_live;

	memset(&cfg, 0, sizeof(cfg));
	if (be_side_parse(&live, live_xml) < 0 || be_side_parse(&cfg, config_xml) < 0 ||
	    (!live.doc && !cfg.doc)) {
		be_side_free(&live);
		be_side_free(&cfg);
		*err = xstrdup("not a domain's XML");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	have_live = live.doc != NULL;
	c->active = have_live;
	c->persistent = cfg.doc != NULL;
	c->live_xml = xstrdup(live_xml);
	c->config_xml = xstrdup(config_xml ? config_xml : live_xml);
	if (!cfg.doc) { /* transient: the live definition is the only one */
		cfg = live;
		memset(&live, 0, sizeof(live));
	}
	root = xmlDocGetRootElement(cfg.doc);
	c->name = be_text(be_child(root, "name"));
	c->uuid = be_text(be_child(root, "uuid"));
	c->title = be_text(be_child(root, "title"));
	c->description = be_text(be_child(root, "description"));
	c->virt_type = be_prop(root, "type");
	os = be_child(root, "os");
	c->arch = be_cprop(os, "type", "arch");
	c->machine = be_cprop(os, "type", "machine");
	c->kernel = be_text(be_child(os, "kernel"));
	c->mem = cfg.mem;
	c->maxmem = cfg.maxmem;
	c->vcpus = cfg.vcpus;
	c->maxvcpus = cfg.maxvcpus;
	c->firmware = cfg.fw;
	cfg.fw = NULL;
	c->secure_boot = cfg.sb;
	c->boot = cfg.boot;
	c->nboot = cfg.nboot;
	cfg.boot = NULL;
	cfg.nboot = 0;
	if (have_live && live.doc) {
		c->live_mem = live.mem;
		c->live_maxmem = live.maxmem;
		c->live_vcpus = live.vcpus;
		c->live_maxvcpus = live.maxvcpus;
		c->pending_mem = live.mem != c->mem || live.maxmem != c->maxmem;
		c->pending_vcpus = live.vcpus != c->vcpus || live.maxvcpus != c->maxvcpus;
		c->pending_boot = !be_strv_eq(live.boot, live.nboot, c->boot, c->nboot);
		c->pending_fw = !core_str_eq(live.fw, c->firmware) || live.sb != c->secure_boot;
	} else if (have_live) { /* transient */
		c->live_mem = c->mem;
		c->live_maxmem = c->maxmem;
		c->live_vcpus = c->vcpus;
		c->live_maxvcpus = c->maxvcpus;
	}
	be_merge_devs(c, &live, &cfg);
	be_side_free(&live);
	be_side_free(&cfg);
	return c;
}

void be_vmconf_free(be_vmconf **cp)
{
	be_vmconf *c = *cp;
	if (!c)
		return;
	for (size_t i = 0; i < c->ndevs; i++)
		be_device_clear(&c->devs[i]);
	free(c->devs);
	be_strv_free(&c->boot, &c->nboot);
	free(c->uuid);
	free(c->name);
	free(c->title);
	free(c->description);
	free(c->firmware);
	free(c->arch);
	free(c->machine);
	free(c->virt_type);
	free(c->kernel);
	free(c->live_xml);
	free(c->config_xml);
	free(c);
	*cp = NULL;
}

void be_vmconf_free_void(void *c)
{
	be_vmconf *v = c;
	be_vmconf_free(&v);
}

bool be_vmconf_pending(const be_vmconf *c)
{
	if (c->pending_mem || c->pending_vcpus || c->pending_boot || c->pending_fw || c->pending_other)
		return true;
	for (size_t i = 0; i < c->ndevs; i++)
		if (c->devs[i].pending)
			return true;
	return false;
}

const be_device *be_vmconf_agent(const be_vmconf *c)
{
	for (size_t i = 0; i < c->ndevs; i++)
		if (c->devs[i].kind == BE_DEVK_CHANNEL && core_str_eq(c->devs[i].tgt_name, BE_AGENT_CHANNEL))
			return &c->devs[i];
	return NULL;
}

int be_vmconf_find(const be_vmconf *c, int kind, int nth)
{
	for (size_t i = 0; i < c->ndevs; i++)
		if (c->devs[i].kind == kind && nth-- == 0)
			return (int)i;
	return -1;
}

static const char *be_bus_prefix(const char *bus)
{
	if (!bus || !strcmp(bus, "virtio"))
		return "vd";
	if (!strcmp(bus, "ide"))
		return "hd";
	return "sd"; /* sata, scsi, usb */
}

char *be_vmconf_free_target(const be_vmconf *c, const char *bus)
{
	const char *p = be_bus_prefix(bus);
	for (char l = 'a'; l <= 'z'; l++) {
		char name[8];
		bool used = false;
		snprintf(name, sizeof(name), "%s%c", p, l);
		for (size_t i = 0; c && i < c->ndevs && !used; i++)
			used = core_str_eq(c->devs[i].target, name);
		if (!used)
			return xstrdup(name);
	}
	return NULL;
}

/* ---- build ------------------------------------------------------------------ */

int be_mac_check(const char *mac, char out[18], char **err)
{
	unsigned b[6];
	char tail;
	if (!mac || strlen(mac) != 17 ||
	    sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6) {
		*err = xasprintf("MAC: \"%s\" is not a MAC address (six hex pairs: 52:54:00:12:34:56)",
				 mac ? mac : "");
		return -1;
	}
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? mac[i] != ':' : !isxdigit((unsigned char)mac[i])) {
			*err = xasprintf("MAC: \"%s\" is not a MAC address (six hex pairs: 52:54:00:12:34:56)", mac);
			return -1;
		}
	if (b[0] & 1) {
		*err = xasprintf("MAC: %s is a multicast address (the first byte must be even)", mac);
		return -1;
	}
	for (int i = 0; i < 17; i++)
		out[i] = (char)tolower((unsigned char)mac[i]);
	out[17] = 0;
	return 0;
}

/* The child name of n, made when missing. */
static xmlNodePtr be_ensure(xmlNodePtr n, const char *name)
{
	xmlNodePtr c = be_child(n, name);
	return c ? c : xmlNewChild(n, NULL, BAD_CAST name, NULL);
}

static void be_drop(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;
	while ((c = be_child(n, name))) {
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
}

static void be_set_disk(xmlNodePtr n, const be_device *d)
{
	xmlNodePtr src, tgt;
	bool cd = d->kind == BE_DEVK_CDROM;

	if (!n->properties || !xmlHasProp(n, BAD_CAST "device"))
		xmlSetProp(n, BAD_CAST "device", BAD_CAST(cd ? "cdrom" : "disk"));
	if (d->pool && d->vol)
		xmlSetProp(n, BAD_CAST "type", BAD_CAST "volume");
	else if (d->source && !strncmp(d->source, "/dev/", 5) && !cd)
		xmlSetProp(n, BAD_CAST "type", BAD_CAST "block");
	else
		xmlSetProp(n, BAD_CAST "type", BAD_CAST "file");
	if (!be_child(n, "driver")) {
		xmlNodePtr drv = xmlNewChild(n, NULL, BAD_CAST "driver", NULL);
		xmlSetProp(drv, BAD_CAST "name", BAD_CAST "qemu");
		xmlSetProp(drv, BAD_CAST "type", BAD_CAST(d->format ? d->format : cd ? "raw" : "qcow2"));
	} else if (d->format) {
		xmlSetProp(be_child(n, "driver"), BAD_CAST "type", BAD_CAST d->format);
	}
	/* the media: replaced as a whole (an empty drive has no <source>) */
	be_drop(n, "source");
	if (d->pool && d->vol) {
		src = xmlNewNode(NULL, BAD_CAST "source");
		xmlSetProp(src, BAD_CAST "pool", BAD_CAST d->pool);
		xmlSetProp(src, BAD_CAST "volume", BAD_CAST d->vol);
	} else if (d->source) {
		src = xmlNewNode(NULL, BAD_CAST "source");
		xmlSetProp(src, BAD_CAST(!strncmp(d->source, "/dev/", 5) && !cd ? "dev" : "file"),
			   BAD_CAST d->source);
	} else {
		src = NULL;
	}
	tgt = be_child(n, "target");
	if (src && be_child(n, "driver"))
		xmlAddNextSibling(be_child(n, "driver"), src);
	else if (src)
		xmlAddChild(n, src);
	if (!tgt)
		tgt = xmlNewChild(n, NULL, BAD_CAST "target", NULL);
	if (d->target)
		xmlSetProp(tgt, BAD_CAST "dev", BAD_CAST d->target);
	if (d->bus || !xmlHasProp(tgt, BAD_CAST "bus"))
		xmlSetProp(tgt, BAD_CAST "bus", BAD_CAST(d->bus ? d->bus : cd ? "sata" : "virtio"));
	if ((d->readonly || cd) && !be_child(n, "readonly"))
		xmlNewChild(n, NULL, BAD_CAST "readonly", NULL);
	else if (!d->readonly && !cd)
		be_drop(n, "readonly");
}

static int be_set_nic(xmlNodePtr n, const be_device *d, char **err)
{
	const char *type = d->net_type ? d->net_type : xmlHasProp(n, BAD_CAST "type") ? NULL : "network";
	char mac[18];

	if (d->mac) {
		if (be_mac_check(d->mac, mac, err) < 0)
			return -1;
		xmlSetProp(be_ensure(n, "mac"), BAD_CAST "address", BAD_CAST mac);
	}
	if (type)
		xmlSetProp(n, BAD_CAST "type", BAD_CAST type);
	if (d->net_source || type) {
		xmlChar *t = xmlGetProp(n, BAD_CAST "type");
		const char *attr = !xmlStrcmp(t, BAD_CAST "bridge") ? "bridge" :
				   !xmlStrcmp(t, BAD_CAST "network") ? "network" :
				   !xmlStrcmp(t, BAD_CAST "direct") ? "dev" : NULL;
		xmlFree(t);
		be_drop(n, "source");
		if (attr) {
			xmlNodePtr src = xmlNewNode(NULL, BAD_CAST "source");
			xmlSetProp(src, BAD_CAST attr, BAD_CAST(d->net_source ? d->net_source : "default"));
			if (be_child(n, "mac"))
				xmlAddNextSibling(be_child(n, "mac"), src);
			else
				xmlAddChild(n, src);
		}
	}
	if (d->model || !be_child(n, "model"))
		xmlSetProp(be_ensure(n, "model"), BAD_CAST "type", BAD_CAST(d->model ? d->model : "virtio"));
	xmlSetProp(be_ensure(n, "link"), BAD_CAST "state", BAD_CAST(d->link_down ? "down" : "up"));
	return 0;
}

static void be_set_chr(xmlNodePtr n, const be_device *d)
{
	xmlNodePtr tgt;
	if (!xmlHasProp(n, BAD_CAST "type") || d->chr_type)
		xmlSetProp(n, BAD_CAST "type", BAD_CAST(d->chr_type ? d->chr_type : d->kind == BE_DEVK_CHANNEL ? "unix" : "pty"));
	tgt = be_ensure(n, "target");
	if (d->tgt_type || (d->kind == BE_DEVK_CHANNEL && !xmlHasProp(tgt, BAD_CAST "type")))
		xmlSetProp(tgt, BAD_CAST "type", BAD_CAST(d->tgt_type ? d->tgt_type : "virtio"));
	if (d->tgt_name || d->kind == BE_DEVK_CHANNEL)
		xmlSetProp(tgt, BAD_CAST "name", BAD_CAST(d->tgt_name ? d->tgt_name : BE_AGENT_CHANNEL));
	if (d->port >= 0 && d->kind != BE_DEVK_CHANNEL) {
		char port[16];
		snprintf(port, sizeof(port), "%d", d->port);
		xmlSetProp(tgt, BAD_CAST "port", BAD_CAST port);
	}
}

static const char *const be_new_elem[BE_DEVK__COUNT] = {
	[BE_DEVK_DISK] = "disk", [BE_DEVK_CDROM] = "disk", [BE_DEVK_NIC] = "interface",
	[BE_DEVK_SERIAL] = "serial", [BE_DEVK_CONSOLE] = "console", [BE_DEVK_CHANNEL] = "channel",
	[BE_DEVK_TPM] = "tpm",
};

/* A TPM: emulated (swtpm), 2.0, tpm-crb unless .model says. */
static void be_set_tpm(xmlNodePtr n, const be_device *d)
{
	xmlNodePtr b;
	if (d->model || !xmlHasProp(n, BAD_CAST "model"))
		xmlSetProp(n, BAD_CAST "model", BAD_CAST(d->model ? d->model : "tpm-crb"));
	if (!be_child(n, "backend")) {
		b = xmlNewChild(n, NULL, BAD_CAST "backend", NULL);
		xmlSetProp(b, BAD_CAST "type", BAD_CAST "emulator");
		xmlSetProp(b, BAD_CAST "version", BAD_CAST(d->detail ? d->detail : "2.0"));
	}
}

char *be_dev_xml(const be_device *d, char **err)
{
	xmlDocPtr doc;
	xmlNodePtr n;
	char *out;
	int rc = 0;

	if (d->xml) {
		doc = be_xml_parse(d->xml);
		if (!doc || !xmlDocGetRootElement(doc)) {
			if (doc)
				xmlFreeDoc(doc);
			*err = xstrdup("the device's XML cannot be read");
			return NULL;
		}
	} else {
		if (d->kind < 0 || d->kind >= BE_DEVK__COUNT || !be_new_elem[d->kind]) {
			*err = xasprintf("%s: cannot be made from fields (give its XML)", be_devk_name(d->kind));
			return NULL;
		}
		doc = be_xml_new(be_new_elem[d->kind]);
	}
	n = xmlDocGetRootElement(doc);
	switch (d->kind) {
	case BE_DEVK_DISK:
	case BE_DEVK_CDROM:
		if (!d->xml && d->kind == BE_DEVK_DISK && !d->source && !(d->pool && d->vol)) {
			*err = xstrdup("Disk: no file or volume given");
			rc = -1;
			break;
		}
		be_set_disk(n, d);
		break;
	case BE_DEVK_NIC:
		rc = be_set_nic(n, d, err);
		break;
	case BE_DEVK_SERIAL:
	case BE_DEVK_CONSOLE:
	case BE_DEVK_CHANNEL:
		be_set_chr(n, d);
		break;
	case BE_DEVK_TPM:
		be_set_tpm(n, d);
		break;
	default:
		break;
	}
	out = rc == 0 ? be_node_xml(doc, n) : NULL;
	xmlFreeDoc(doc);
	return out;
}

char *be_domxml_set_boot(const char *xml, char *const *boot, size_t nboot, const char *fw, char **err)
{
	xmlDocPtr doc = be_xml_parse(xml);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, os, devs, anchor = NULL;
	char *out;

	if (!be_is(root, "domain") || !(os = be_child(root, "os"))) {
		if (doc)
			xmlFreeDoc(doc);
		*err = xstrdup("not a domain's XML");
		return NULL;
	}
	for (size_t i = 0; i < nboot; i++)
		if (strcmp(boot[i], "hd") && strcmp(boot[i], "cdrom") && strcmp(boot[i], "network") &&
		    strcmp(boot[i], "fd")) {
			*err = xasprintf("Boot order: unknown device \"%s\" (hd, cdrom, network)", boot[i]);
			xmlFreeDoc(doc);
			return NULL;
		}
	if (boot) {
		be_drop(os, "boot");
		/* per-device orders exclude <os><boot>: libvirt refuses both */
		devs = be_child(root, "devices");
		for (xmlNodePtr c = devs ? devs->children : NULL; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				be_drop(c, "boot");
		/* after <type>, <loader>, <nvram>, <kernel> ...: before <bootmenu> etc. */
		for (xmlNodePtr c = os->children; c; c = c->next)
			if (be_is(c, "type") || be_is(c, "loader") || be_is(c, "nvram") || be_is(c, "kernel") ||
			    be_is(c, "initrd") || be_is(c, "cmdline") || be_is(c, "dtb") || be_is(c, "firmware"))
				anchor = c;
		for (size_t i = 0; i < nboot; i++) {
			xmlNodePtr b = xmlNewNode(NULL, BAD_CAST "boot");
			xmlSetProp(b, BAD_CAST "dev", BAD_CAST boot[i]);
			if (anchor)
				anchor = xmlAddNextSibling(anchor, b);
			else
				anchor = xmlAddChild(os, b);
		}
	}
	if (fw && !strcmp(fw, "efi")) {
		xmlSetProp(os, BAD_CAST "firmware", BAD_CAST "efi");
	} else if (fw && !strcmp(fw, "bios")) {
		xmlUnsetProp(os, BAD_CAST "firmware");
		be_drop(os, "loader");
		be_drop(os, "nvram");
		be_drop(os, "firmware");
	} else if (fw) {
		*err = xasprintf("Firmware: unknown \"%s\" (bios, efi)", fw);
		xmlFreeDoc(doc);
		return NULL;
	}
	out = be_xml_dump(doc);
	xmlFreeDoc(doc);
	return out;
}

char *be_domxml_set_disk_bus(const char *xml, const char *target, const char *bus, char **err)
{
	xmlDocPtr doc = be_xml_parse(xml);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, devs = be_child(root, "devices"), disk = NULL;
	be_vmconf *c;
	char *out = NULL, *nt = NULL, *e = NULL;

	if (!be_is(root, "domain") || !devs) {
		*err = xstrdup("not a domain's XML");
		goto out;
	}
	if (!bus || (strcmp(bus, "virtio") && strcmp(bus, "sata") && strcmp(bus, "scsi") && strcmp(bus, "ide"))) {
		*err = xasprintf("Bus: unknown \"%s\" (virtio, sata, scsi, ide)", bus ? bus : "");
		goto out;
	}
	for (xmlNodePtr n = devs->children; n && !disk; n = n->next) {
		char *t = be_is(n, "disk") ? be_cprop(n, "target", "dev") : NULL;
		if (core_str_eq(t, target))
			disk = n;
		free(t);
	}
	if (!disk) {
		*err = xasprintf("Disk: the VM has no disk %s", target ? target : "");
		goto out;
	}
	/* the new target name: the first free one of the bus's prefix */
	if (!(c = be_vmconf_parse(NULL, xml, &e))) {
		*err = e;
		goto out;
	}
	nt = be_vmconf_free_target(c, bus);
	be_vmconf_free(&c);
	if (!nt) {
		*err = xasprintf("Bus: no free %s target", bus);
		goto out;
	}
	xmlSetProp(be_child(disk, "target"), BAD_CAST "dev", BAD_CAST nt);
	xmlSetProp(be_child(disk, "target"), BAD_CAST "bus", BAD_CAST bus);
	be_drop(disk, "address"); /* libvirt gives it one on the new bus */
	out = be_xml_dump(doc);
out:
	free(nt);
	if (doc)
		xmlFreeDoc(doc);
	return out;
}

char *be_domxml_set_nic_mac(const char *xml, const char *old, const char *mac, char **err)
{
	xmlDocPtr doc = be_xml_parse(xml);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, devs = be_child(root, "devices"), nic = NULL;
	char m[18], *out = NULL;

	if (!be_is(root, "domain") || !devs) {
		*err = xstrdup("not a domain's XML");
		goto out;
	}
	if (be_mac_check(mac, m, err) < 0)
		goto out;
	for (xmlNodePtr n = devs->children; n && !nic; n = n->next) {
		char *a = be_is(n, "interface") ? be_cprop(n, "mac", "address") : NULL;
		if (be_is(n, "interface") && (old ? a && !strcasecmp(a, old) : !a))
			nic = n;
		free(a);
	}
	if (!nic) {
		*err = xasprintf("MAC: the VM has no network adapter %s", old ? old : "without a MAC");
		goto out;
	}
	xmlSetProp(be_ensure(nic, "mac"), BAD_CAST "address", BAD_CAST m);
	out = be_xml_dump(doc);
out:
	if (doc)
		xmlFreeDoc(doc);
	return out;
}

char *be_domxml_add_device(const char *xml, const char *dev_xml, char **err)
{
	xmlDocPtr doc = be_xml_parse(xml), dd = be_xml_parse(dev_xml);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, devs = be_child(root, "devices");
	xmlNodePtr dn = dd ? xmlDocGetRootElement(dd) : NULL;
	char *out = NULL;

	if (!be_is(root, "domain") || !devs || !dn) {
		*err = xstrdup(!dn ? "the device's XML cannot be read" : "not a domain's XML");
	} else {
		xmlAddChild(devs, xmlDocCopyNode(dn, doc, 1));
		out = be_xml_dump(doc);
	}
	if (doc)
		xmlFreeDoc(doc);
	if (dd)
		xmlFreeDoc(dd);
	return out;
}

/* <graphics passwd=> of secure_xml (read with VIR_DOMAIN_XML_SECURE) put
 * back into the same graphics (n-th of its type) of edited when it has none:
 * the editor never saw the password (it is not written to disk) and the
 * define must not drop it. NULL when nothing was copied (or either is not
 * XML): use edited as it is. */
char *be_domxml_keep_secrets(const char *edited, const char *secure_xml)
{
	xmlDocPtr e = be_xml_parse(edited), sx = e ? be_xml_parse(secure_xml) : NULL;
	xmlNodePtr ed = e ? be_child(xmlDocGetRootElement(e), "devices") : NULL;
	xmlNodePtr sd = sx ? be_child(xmlDocGetRootElement(sx), "devices") : NULL;
	char *out = NULL;
	bool copied = false;

	for (xmlNodePtr g = ed ? ed->children : NULL; g && sd; g = g->next) {
		char *type, *pw;
		size_t nth = 0, k = 0;
		if (!be_is(g, "graphics") || xmlHasProp(g, BAD_CAST "passwd"))
			continue;
		type = be_prop(g, "type");
		for (xmlNodePtr p = ed->children; p != g; p = p->next)
			if (be_is(p, "graphics") && (pw = be_prop(p, "type"))) {
				nth += core_str_eq(pw, type);
				free(pw);
			}
		for (xmlNodePtr q = sd->children; q; q = q->next) {
			char *t2 = be_is(q, "graphics") ? be_prop(q, "type") : NULL;
			if (t2 && core_str_eq(t2, type) && k++ == nth && (pw = be_prop(q, "passwd"))) {
				xmlSetProp(g, BAD_CAST "passwd", BAD_CAST pw);
				free(pw);
				copied = true;
			}
			free(t2);
		}
		free(type);
	}
	if (copied)
		out = be_xml_dump(e);
	if (e)
		xmlFreeDoc(e);
	if (sx)
		xmlFreeDoc(sx);
	return out;
}

/* ---- an applied change in the XML copies (no libvirt) ------------------------ */

/* The device element of doc matching d (NICs by MAC, else by alias; disks
 * and CD/DVD drives by target), NULL when none. */
static xmlNodePtr be_dev_node(xmlDocPtr doc, const be_device *d)
{
	xmlNodePtr devs = be_child(xmlDocGetRootElement(doc), "devices");
	for (xmlNodePtr n = devs ? devs->children : NULL; n; n = n->next) {
		be_device e;
		bool hit = false;
		if (n->type != XML_ELEMENT_NODE || be_kind_of(n) != d->kind || !be_is(n, d->elem ? d->elem : "-"))
			continue;
		be_parse_dev(&e, doc, n);
		if (d->kind == BE_DEVK_NIC)
			hit = d->mac && e.mac ? !strcasecmp(d->mac, e.mac) : d->alias && core_str_eq(d->alias, e.alias);
		else if (d->kind == BE_DEVK_DISK || d->kind == BE_DEVK_CDROM)
			hit = d->target && core_str_eq(d->target, e.target);
		be_device_clear(&e);
		if (hit)
			return n;
	}
	return NULL;
}

/* dst's field set to src's where src differs from the original (orig). */
static void be_take_str(char **dst, const char *src, const char *orig)
{
	if (!core_str_eq(src, orig))
		core_str_set(dst, src);
}

char *be_dev_xml_in(const char *dom_xml, const be_device *d, char **err)
{
	xmlDocPtr doc = dom_xml ? be_xml_parse(dom_xml) : NULL, od = d->xml ? be_xml_parse(d->xml) : NULL;
	xmlNodePtr n = doc ? be_dev_node(doc, d) : NULL, on = od ? xmlDocGetRootElement(od) : NULL;
	be_device e, o;
	char *r = NULL;

	if (n && on) {
		be_parse_dev(&e, doc, n);
		be_parse_dev(&o, od, on);
		be_take_str(&e.net_type, d->net_type, o.net_type);
		be_take_str(&e.net_source, d->net_source, o.net_source);
		be_take_str(&e.model, d->model, o.model);
		if (d->link_down != o.link_down)
			e.link_down = d->link_down;
		if (!core_str_eq(d->source, o.source) || !core_str_eq(d->pool, o.pool) || !core_str_eq(d->vol, o.vol)) {
			core_str_set(&e.source, d->source);
			core_str_set(&e.pool, d->pool);
			core_str_set(&e.vol, d->vol);
		}
		r = be_dev_xml(&e, err);
		be_device_clear(&e);
		be_device_clear(&o);
	}
	if (od)
		xmlFreeDoc(od);
	if (doc)
		xmlFreeDoc(doc);
	return r;
}

static void be_set_text(xmlNodePtr root, const char *name, const char *text, const char *after)
{
	xmlNodePtr n = be_child(root, name);
	if (!text || !*text) {
		be_drop(root, name);
		return;
	}
	if (!n) {
		n = xmlNewNode(NULL, BAD_CAST name);
		if (be_child(root, after))
			xmlAddNextSibling(be_child(root, after), n);
		else
			xmlAddChild(root, n);
	}
	xmlNodeSetContent(n, NULL);
	xmlNodeAddContent(n, BAD_CAST text);
}

static void be_set_kib(xmlNodePtr root, const char *name, uint64_t bytes)
{
	char v[32];
	xmlNodePtr n = be_ensure(root, name);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)(bytes / 1024));
	xmlSetProp(n, BAD_CAST "unit", BAD_CAST "KiB");
	xmlNodeSetContent(n, BAD_CAST v);
}

/* <vcpu current=cur>max</vcpu>, current left out when equal (as libvirt does) */
static void be_set_vcpu(xmlNodePtr root, unsigned cur, unsigned max)
{
	char v[16];
	xmlNodePtr n = be_ensure(root, "vcpu");
	snprintf(v, sizeof(v), "%u", max);
	xmlNodeSetContent(n, BAD_CAST v);
	snprintf(v, sizeof(v), "%u", cur);
	if (cur < max)
		xmlSetProp(n, BAD_CAST "current", BAD_CAST v);
	else
		xmlUnsetProp(n, BAD_CAST "current");
}

/* One side's domain XML with change g applied; false when it cannot be
 * known without asking libvirt. */
static bool be_side_apply(xmlDocPtr doc, const be_vmchg *g)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n, nn;
	char *cur, *x, *err = NULL;
	unsigned vcur, vmax;
	xmlDocPtr dd;

	if (!be_is(root, "domain"))
		return false;
	switch (g->kind) {
	case BE_CHG_MEMORY:
		be_set_kib(root, "currentMemory", g->value);
		return true;
	case BE_CHG_MAXMEM:
		/* libvirt lowers the current memory too */
		if ((n = be_child(root, "currentMemory")) && be_mem_bytes(n) > g->value)
			be_set_kib(root, "currentMemory", g->value);
		be_set_kib(root, "memory", g->value);
		return true;
	case BE_CHG_VCPUS:
	case BE_CHG_MAXVCPUS:
		n = be_child(root, "vcpu");
		vmax = (unsigned)be_num(n);
		cur = be_prop(n, "current");
		vcur = cur ? (unsigned)strtoul(cur, NULL, 10) : vmax;
		free(cur);
		if (g->kind == BE_CHG_VCPUS)
			vcur = (unsigned)g->value;
		else
			vmax = (unsigned)g->value;
		be_set_vcpu(root, vcur < vmax ? vcur : vmax, vmax);
		return true;
	case BE_CHG_TITLE:
		be_set_text(root, "title", g->text, "uuid");
		return true;
	case BE_CHG_DESCRIPTION:
		be_set_text(root, "description", g->text, be_child(root, "title") ? "title" : "uuid");
		return true;
	case BE_CHG_AUTOSTART:
	case BE_CHG_GROW:
		return true; /* not in the XML (a disk's size: its pool's listing) */
	case BE_CHG_UPDATE:
	case BE_CHG_DETACH:
		if (!(n = be_dev_node(doc, &g->dev)))
			return false;
		if (g->kind == BE_CHG_DETACH) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
			return true;
		}
		x = be_node_xml(doc, root);
		cur = be_dev_xml_in(x, &g->dev, &err);
		free(x);
		free(err);
		dd = cur ? be_xml_parse(cur) : NULL;
		free(cur);
		if (!dd)
			return false;
		nn = xmlDocCopyNode(xmlDocGetRootElement(dd), doc, 1);
		xmlFreeDoc(dd);
		if (!nn)
			return false;
		xmlReplaceNode(n, nn);
		xmlFreeNode(n);
		return true;
	default:
		return false; /* attached (libvirt gives it an alias, an address, a MAC), defined */
	}
}

unsigned be_vmxml_after(char **live, char **cfg, const be_vmchg *g)
{
	unsigned need = 0;
	char **side[2] = { live, cfg };
	for (int i = 0; i < 2; i++) {
		unsigned bit = i ? BE_SIDE_CFG : BE_SIDE_LIVE;
		xmlDocPtr doc;
		if (!(g->when & (i ? BE_WHEN_BOOT : BE_WHEN_NOW)) || !*side[i])
			continue;
		doc = be_xml_parse(*side[i]);
		if (doc && be_side_apply(doc, g)) {
			free(*side[i]);
			*side[i] = be_node_xml(doc, xmlDocGetRootElement(doc));
		} else {
			need |= bit;
		}
		if (doc)
			xmlFreeDoc(doc);
	}
	return need;
}

be_vmconf *be_vmconf_balloon(const be_vmconf *c, uint64_t kib)
{
	be_vmchg g = { .kind = BE_CHG_MEMORY, .when = BE_WHEN_NOW, .value = kib * 1024 };
	char *live, *cfg = NULL, *err = NULL;
	be_vmconf *r;
	if (!c || !c->active || !c->live_xml || !kib || c->live_mem == kib * 1024)
		return NULL;
	live = xstrdup(c->live_xml);
	r = be_vmxml_after(&live, &cfg, &g) ? NULL : be_vmconf_parse(live, c->persistent ? c->config_xml : NULL, &err);
	if (r)
		r->autostart = c->autostart;
	free(err);
	free(live);
	return r;
}

/* ---- change lists ---------------------------------------------------------- */

be_vmchange *be_vmchange_new(void)
{
	be_vmchange *ch = xcalloc(1, sizeof(*ch));
	ch->tag = BE_VMCHANGE_TAG;
	return ch;
}

static bool be_chg_can_live(int kind)
{
	switch (kind) {
	case BE_CHG_MEMORY:
	case BE_CHG_VCPUS:
	case BE_CHG_ATTACH:
	case BE_CHG_UPDATE:
	case BE_CHG_DETACH:
	case BE_CHG_TITLE:
	case BE_CHG_DESCRIPTION:
		return true;
	default:
		return false;
	}
}

be_vmchg *be_vmchange_add(be_vmchange *ch, int kind, unsigned when, const be_vmconf *c)
{
	be_vmchg *g;
	ch->v = xrealloc(ch->v, (ch->n + 1) * sizeof(*ch->v));
	g = &ch->v[ch->n++];
	memset(g, 0, sizeof(*g));
	g->dev.port = -1;
	g->kind = kind;
	if (when == BE_WHEN_AUTO)
		when = c && c->active && be_chg_can_live(kind) ? BE_WHEN_NOW | BE_WHEN_BOOT : BE_WHEN_BOOT;
	if (c && !c->persistent)
		when &= ~(unsigned)BE_WHEN_BOOT;
	g->when = when;
	return g;
}

void be_vmchange_know(be_vmchange *ch, const be_vmconf *c)
{
	if (!c)
		return;
	ch->known = true;
	ch->active = c->active;
	ch->persistent = c->persistent;
	ch->maxmem = c->maxmem;
	ch->live_maxmem = c->live_maxmem;
	ch->maxvcpus = c->maxvcpus;
	ch->live_maxvcpus = c->live_maxvcpus;
	core_str_set(&ch->live_xml, c->live_xml);
	core_str_set(&ch->config_xml, c->persistent ? c->config_xml : NULL);
}

void be_vmchange_free_void(void *p)
{
	be_vmchange *ch = p;
	if (!ch)
		return;
	for (size_t i = 0; i < ch->n; i++) {
		free(ch->v[i].text);
		be_strv_free(&ch->v[i].boot, &ch->v[i].nboot);
		be_device_clear(&ch->v[i].dev);
	}
	free(ch->v);
	free(ch->live_xml);
	free(ch->config_xml);
	free(ch);
}

const char *be_when_text(unsigned when)
{
	if ((when & BE_WHEN_NOW) && (when & BE_WHEN_BOOT))
		return "now and at next boot";
	if (when & BE_WHEN_NOW)
		return "now (until the VM shuts down)";
	return "at next boot";
}

/* ---- the worker's jobs ---------------------------------------------------------- */

#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../core/storage.h"
#include "be_internal.h"

/* ---- the domains Settings looked up, kept per host -------------------------------
 * Opening Settings again, its Apply and the reads events ask for skip the
 * lookup round trip (a far host: 200 ms each). An entry holds a reference
 * on its connection: dropped when the host closes it
 * (be_devices_host_closing), when the VM is gone or renamed, and the
 * oldest when the table is full. */
#define BE_DOMC_N 16
static struct be_domc {
	const be_host *h;
	virConnectPtr conn;        /* compared, the entry's own is dom's */
	char uuid[VIR_UUID_STRING_BUFLEN];
	virDomainPtr dom;
	uint64_t used;
} be_domc[BE_DOMC_N];
static uint64_t be_domc_clock;
static pthread_mutex_t be_domc_lock = PTHREAD_MUTEX_INITIALIZER;

static void be_domc_clear(struct be_domc *e)
{
	if (e->dom)
		virDomainFree(e->dom);
	memset(e, 0, sizeof(*e));
}

/* ---- the domains of the host's last list (its worker only) ----------------------
 * The handles virConnectListAllDomains (bulk stats) gave the list, kept by
 * uuid until the next list or the connection closes: the first open of a
 * VM's Settings needs no lookup either. */
struct be_domlist {
	size_t n;
	struct be_domref {
		char uuid[VIR_UUID_STRING_BUFLEN];
		virDomainPtr dom;
	} *v;
};

static int be_domref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct be_domref *)a)->uuid, ((const struct be_domref *)b)->uuid);
}

static void be_domlist_free(be_host *h)
{
	struct be_domlist *l = h->domlist;
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		virDomainFree(l->v[i].dom);
	free(l->v);
	free(l);
	h->domlist = NULL;
}

void be_devices_list_seen(be_host *h, virDomainStatsRecordPtr *recs, int n)
{
	struct be_domlist *l = xcalloc(1, sizeof(*l));
	l->v = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*l->v));
	for (int i = 0; i < n; i++) {
		struct be_domref *r = &l->v[l->n];
		if (virDomainGetUUIDString(recs[i]->dom, r->uuid) == 0 && virDomainRef(recs[i]->dom) == 0) {
			r->dom = recs[i]->dom;
			l->n++;
		}
	}
	qsort(l->v, l->n, sizeof(*l->v), be_domref_cmp);
	be_domlist_free(h);
	h->domlist = l;
}

/* A reference of the caller's to the listed domain uuid, NULL when not listed. */
static virDomainPtr be_domlist_get(be_host *h, const char *uuid)
{
	struct be_domref key, *r;
	if (!h->domlist || !h->domlist->n)
		return NULL;
	snprintf(key.uuid, sizeof(key.uuid), "%s", uuid);
	r = bsearch(&key, h->domlist->v, h->domlist->n, sizeof(key), be_domref_cmp);
	return r && virDomainRef(r->dom) == 0 ? r->dom : NULL;
}

static void be_domlist_drop(be_host *h, const char *uuid)
{
	struct be_domref key, *r;
	if (!h->domlist)
		return;
	snprintf(key.uuid, sizeof(key.uuid), "%s", uuid);
	if ((r = bsearch(&key, h->domlist->v, h->domlist->n, sizeof(key), be_domref_cmp))) {
		virDomainFree(r->dom);
		memmove(r, r + 1, (size_t)(h->domlist->v + h->domlist->n - (r + 1)) * sizeof(*r));
		h->domlist->n--;
	}
}

/* h's domain uuid (a reference of the caller's), from the table, the last
 * list or looked up. */
static virDomainPtr be_domc_get(be_host *h, const char *uuid)
{
	virDomainPtr dom = NULL;
	struct be_domc *slot = &be_domc[0];
	pthread_mutex_lock(&be_domc_lock);
	for (size_t i = 0; i < BE_DOMC_N && !dom; i++) {
		struct be_domc *e = &be_domc[i];
		if (e->dom && e->h == h && e->conn == h->conn && !strcmp(e->uuid, uuid) && virDomainRef(e->dom) == 0) {
			e->used = ++be_domc_clock;
			dom = e->dom;
		}
	}
	pthread_mutex_unlock(&be_domc_lock);
	if (dom || (dom = be_domlist_get(h, uuid)) || !(dom = virDomainLookupByUUIDString(h->conn, uuid)))
		return dom;
	pthread_mutex_lock(&be_domc_lock);
	for (size_t i = 0; i < BE_DOMC_N; i++)
		if (!be_domc[i].dom || be_domc[i].used < slot->used)
			slot = &be_domc[i];
	be_domc_clear(slot);
	if (virDomainRef(dom) == 0) {
		slot->h = h;
		slot->conn = h->conn;
		snprintf(slot->uuid, sizeof(slot->uuid), "%s", uuid);
		slot->dom = dom;
		slot->used = ++be_domc_clock;
	}
	pthread_mutex_unlock(&be_domc_lock);
	return dom;
}

/* Forget h's entries (uuid NULL: all of them). */
static void be_domc_drop(be_host *h, const char *uuid)
{
	if (uuid)
		be_domlist_drop(h, uuid);
	else
		be_domlist_free(h);
	pthread_mutex_lock(&be_domc_lock);
	for (size_t i = 0; i < BE_DOMC_N; i++)
		if (be_domc[i].dom && be_domc[i].h == h && (!uuid || !strcmp(be_domc[i].uuid, uuid)))
			be_domc_clear(&be_domc[i]);
	pthread_mutex_unlock(&be_domc_lock);
}

void be_devices_host_closing(be_host *h)
{
	be_domc_drop(h, NULL);
}

/* One XML read (libvirt's error copied at once). */
struct be_xmlread {
	virDomainPtr dom;
	unsigned flags;
	char *xml, *err;
};

static void *be_xmlread_run(void *p)
{
	struct be_xmlread *r = p;
	if (!(r->xml = virDomainGetXMLDesc(r->dom, r->flags)))
		r->err = be_last_error(NULL);
	return NULL;
}

static bool be_xml_active(const char *xml)
{
	xmlDocPtr d = be_xml_parse(xml);
	char *id = d ? be_xml_get(d, "string(/domain/@id)") : NULL;
	bool active = id && strcmp(id, "-1") != 0;
	free(id);
	if (d)
		xmlFreeDoc(d);
	return active;
}

/* The VM's XML: the live one, then (when it runs) the inactive one: 1
 * round trip for a shut-off VM, 2 for a running one, with no lookup (the
 * domain comes from the host's list or Settings' earlier lookup).
 * Both calls at once from two threads (libvirt's client sends them
 * together) measured no faster on the far host (ssh://, 200 ms RTT): the
 * far sshd's Nagle holds the second answer's last segment until the
 * client's ACK of the first answer's comes back, a round trip later (job
 * 448-493 ms either way). Autostart is not read (a round trip): the VM list
 * has it. */
static be_vmconf *be_details_read(be_host *h, virDomainPtr dom, char **err)
{
	struct be_xmlread l = { .dom = dom }, c = { .dom = dom, .flags = VIR_DOMAIN_XML_INACTIVE };
	bool active;
	be_vmconf *r = NULL;

	be_xmlread_run(&l);
	if (!l.xml) {
		*err = l.err;
		l.err = NULL;
		goto out;
	}
	active = be_xml_active(l.xml);
	if (active)
		be_xmlread_run(&c);
	if (active) {
		if (!c.xml && virDomainIsPersistent(dom) != 0) {
			*err = c.err ? c.err : be_last_error(NULL);
			c.err = NULL;
			goto out;
		}
		virResetLastError();
		r = be_vmconf_parse(l.xml, c.xml, err);
	} else {
		r = be_vmconf_parse(NULL, l.xml, err);
	}
out:
	free(l.xml);
	free(l.err);
	free(c.xml);
	free(c.err);
	return r;
}

/* MD_MSG_VM_DETAILS of conf c (taken; NULL: the reason is why, else err,
 * read fresh when dom is given). */
static void be_details_post_conf(be_host *h, const be_job *j, virDomainPtr dom, be_vmconf *c, bool gone,
				 const char *why, char *err)
{
	md_msg *m = md_msg_new(MD_MSG_VM_DETAILS, h->id);

	if (dom && (!c || !core_str_eq(c->name, virDomainGetName(dom))))
		be_domc_drop(h, j->uuid); /* gone, failing or renamed: looked up afresh next time */
	m->seq = j->seq;
	m->op = j->op;
	memcpy(m->uuid, j->uuid, sizeof(m->uuid));
	if (c) {
		m->ok = true;
		m->ext = c;
		m->ext_free = be_vmconf_free_void;
	} else {
		const char *name = be_names_get(h, j->uuid);
		int code = 0;
		if (!why && err && dom) {
			virDomainPtr again = virDomainLookupByUUIDString(h->conn, j->uuid);
			if (!again) {
				be_last_error(&code);
				gone = code == VIR_ERR_NO_DOMAIN;
			} else {
				virDomainFree(again);
			}
		}
		m->count = gone;
		m->text = gone ? xasprintf("VM '%s' no longer exists (deleted by someone else?)", name ? name : j->uuid)
			       : xasprintf("Could not read the settings of '%s': %s", name ? name : j->uuid,
					   why ? why : err ? err : "unknown error");
	}
	free(err);
	be_post(m);
}

static void be_details_post(be_host *h, const be_job *j, virDomainPtr dom, bool gone, const char *why)
{
	char *err = NULL;
	be_vmconf *c = dom ? be_details_read(h, dom, &err) : NULL;
	be_details_post_conf(h, j, dom, c, gone, why, err);
}

/* Drivers that take LIVE and CONFIG only one at a time (the test driver's
 * memory) get two calls. */
static int be_both(virDomainPtr dom, int (*fn)(virDomainPtr, unsigned long, unsigned), unsigned long v,
		   unsigned flags)
{
	int code = 0;
	char *e;
	if (fn(dom, v, flags) == 0)
		return 0;
	if ((flags & (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)) !=
	    (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG))
		return -1;
	e = be_last_error(&code);
	free(e);
	if (code != VIR_ERR_INVALID_ARG)
		return -1;
	if (fn(dom, v, flags & ~(unsigned)VIR_DOMAIN_AFFECT_CONFIG) < 0)
		return -1;
	return fn(dom, v, flags & ~(unsigned)VIR_DOMAIN_AFFECT_LIVE);
}

static int be_set_mem(virDomainPtr dom, unsigned long kib, unsigned flags)
{
	return virDomainSetMemoryFlags(dom, kib, flags);
}

static int be_set_vcpus(virDomainPtr dom, unsigned long n, unsigned flags)
{
	return virDomainSetVcpusFlags(dom, (unsigned)n, flags);
}

static unsigned be_chg_flags(unsigned when)
{
	unsigned f = 0;
	if (when & BE_WHEN_NOW)
		f |= VIR_DOMAIN_AFFECT_LIVE;
	if (when & BE_WHEN_BOOT)
		f |= VIR_DOMAIN_AFFECT_CONFIG;
	return f;
}

/* One change's state: the VM, its conf read once when a check needs it. */
typedef struct be_chgctx {
	be_host *h;
	virDomainPtr dom;
	be_vmconf *conf;
	bool pools_changed;
	bool active;           /* read once per Apply, not per change */
	const be_vmchange *ch; /* ch->known: its limits, patched by MAXMEM / MAXVCPUS */
	uint64_t maxmem, live_maxmem;
	unsigned maxvcpus, live_maxvcpus;
	bool row;              /* a change the VM list shows: its row read again */
	/* the caller's XML (be_vmchange.live_xml, .config_xml) with what
	 * went through applied: the answer's details, no read */
	char *lx, *cx;
	bool have_xml;
	unsigned need;         /* BE_SIDE_*: sides the copies cannot know: read back */
	unsigned rowf;         /* MD_VMF_*: the VM list row's fields changed */
} be_chgctx;

static const be_vmconf *be_ctx_conf(be_chgctx *x, char **err);

/* The memory and vCPU limits the checks use: the caller's, else read. */
static int be_ctx_limits(be_chgctx *x, char **err)
{
	const be_vmconf *c;
	if (x->ch && x->ch->known)
		return 0;
	if (!(c = be_ctx_conf(x, err)))
		return -1;
	x->maxmem = c->maxmem;
	x->live_maxmem = c->live_maxmem;
	x->maxvcpus = c->maxvcpus;
	x->live_maxvcpus = c->live_maxvcpus;
	return 0;
}

/* The host's memory (KiB), read once per connection of the worker. */
static unsigned long be_node_mem(virConnectPtr conn)
{
	static __thread virConnectPtr seen; /* compared only, never used */
	static __thread unsigned long mem;
	virNodeInfo ni;
	if (conn != seen || !mem) {
		mem = virNodeGetInfo(conn, &ni) == 0 ? ni.memory : 0;
		seen = conn;
	}
	return mem;
}

/* The VM as the checks see it: from the caller's XML with what went
 * through applied, else (a copy stale after an attach or a define) read. */
static const be_vmconf *be_ctx_conf(be_chgctx *x, char **err)
{
	if (!x->conf && x->have_xml && !x->need)
		x->conf = be_vmconf_parse(x->lx, x->cx, err);
	if (!x->conf)
		x->conf = be_details_read(x->h, x->dom, err);
	return x->conf;
}

/* After a change: the next check sees it. A new maximum is patched in
 * (no read); changes no check reads keep the conf; devices and defines
 * drop it (read again when a check needs it). */
static void be_ctx_after(be_chgctx *x, const be_vmchg *g)
{
	if (g->kind == BE_CHG_MAXMEM)
		x->maxmem = g->value;
	else if (g->kind == BE_CHG_MAXVCPUS)
		x->maxvcpus = (unsigned)g->value;
	if (!x->conf)
		return;
	switch (g->kind) {
	case BE_CHG_MAXMEM:
		x->conf->maxmem = g->value;
		break;
	case BE_CHG_MAXVCPUS:
		x->conf->maxvcpus = (unsigned)g->value;
		break;
	case BE_CHG_MEMORY:
	case BE_CHG_VCPUS:
	case BE_CHG_TITLE:
	case BE_CHG_DESCRIPTION:
	case BE_CHG_AUTOSTART:
	case BE_CHG_GROW:
		break;
	default:
		be_vmconf_free(&x->conf);
		break;
	}
}

static char *be_bytes_text(uint64_t b)
{
	char buf[32];
	core_size_fmt(b, buf, sizeof(buf));
	return xstrdup(buf);
}

static int be_chg_memory(be_chgctx *x, be_vmchg *g, char **done, char **err)
{
	unsigned long node;
	uint64_t max;
	char *v, *m;

	if (be_ctx_limits(x, err) < 0)
		return -1;
	x->row = true;
	max = g->kind == BE_CHG_MAXMEM ? 0 : (g->when & BE_WHEN_NOW) && x->active ? x->live_maxmem : x->maxmem;
	v = be_bytes_text(g->value);
	if (g->value < 1024 * 1024) {
		*err = xasprintf("Memory: %s is too little (at least 1 MiB)", v);
		free(v);
		return -1;
	}
	if (max && g->value > max) {
		m = be_bytes_text(max);
		*err = xasprintf("Memory: %s is above the maximum (%s): raise the maximum first (next boot)", v, m);
		free(m);
		free(v);
		return -1;
	}
	node = x->ch && x->ch->host_mem_kib ? (unsigned long)x->ch->host_mem_kib : be_node_mem(virDomainGetConnect(x->dom));
	if (node && g->value / 1024 > node) {
		m = be_bytes_text((uint64_t)node * 1024);
		*err = xasprintf("Memory: %s is more than the host has (%s)", v, m);
		free(m);
		free(v);
		return -1;
	}
	if (g->kind == BE_CHG_MAXMEM) {
		g->when = BE_WHEN_BOOT;
		if (virDomainSetMemoryFlags(x->dom, g->value / 1024, VIR_DOMAIN_MEM_MAXIMUM | VIR_DOMAIN_AFFECT_CONFIG) < 0) {
			free(v);
			return -2;
		}
		*done = xasprintf("Maximum memory: %s %s", v, be_when_text(g->when));
	} else {
		if (be_both(x->dom, be_set_mem, g->value / 1024, be_chg_flags(g->when)) < 0) {
			free(v);
			return -2;
		}
		*done = xasprintf("Memory: %s %s", v, be_when_text(g->when));
	}
	free(v);
	return 0;
}

static int be_chg_vcpus(be_chgctx *x, be_vmchg *g, char **done, char **err)
{
	unsigned max;

	if (be_ctx_limits(x, err) < 0)
		return -1;
	x->row = true;
	if (g->value < 1) {
		*err = xstrdup("Processors: at least 1");
		return -1;
	}
	if (g->kind == BE_CHG_MAXVCPUS) {
		g->when = BE_WHEN_BOOT;
		if (virDomainSetVcpusFlags(x->dom, (unsigned)g->value, VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_AFFECT_CONFIG) < 0)
			return -2;
		*done = xasprintf("Maximum processors: %llu %s", (unsigned long long)g->value, be_when_text(g->when));
		return 0;
	}
	max = (g->when & BE_WHEN_NOW) && x->active ? x->live_maxvcpus : x->maxvcpus;
	if (g->value > max) {
		*err = xasprintf("Processors: %llu is above the VM's maximum (%u): raise the maximum first (next boot)",
				 (unsigned long long)g->value, max);
		return -1;
	}
	if (be_both(x->dom, be_set_vcpus, g->value, be_chg_flags(g->when)) < 0)
		return -2;
	*done = xasprintf("Processors: %llu %s", (unsigned long long)g->value, be_when_text(g->when));
	return 0;
}

/* A disk's path on the host (its file, or its volume's path). */
static char *be_dev_path(virConnectPtr conn, const be_device *d)
{
	virStoragePoolPtr pool;
	virStorageVolPtr vol;
	char *p = NULL;
	if (d->source)
		return xstrdup(d->source);
	if (!d->pool || !d->vol || !(pool = virStoragePoolLookupByName(conn, d->pool)))
		return NULL;
	if ((vol = virStorageVolLookupByName(pool, d->vol))) {
		char *lp = virStorageVolGetPath(vol);
		p = xstrdup(lp);
		free(lp);
		virStorageVolFree(vol);
	}
	virStoragePoolFree(pool);
	return p;
}

/* Other VMs using a disk's volume or file: their names, NULL none. */
static char *be_dev_users(be_chgctx *x, const be_device *d, const char *self)
{
	be_usage u = { 0 };
	char *path = be_dev_path(virDomainGetConnect(x->dom), d), **names, *r = NULL;
	size_t n = 0, k = 0;

	if (be_usage_load(virDomainGetConnect(x->dom), false, &u) < 0) {
		free(path);
		return NULL;
	}
	names = be_usage_vol(&u, path, d->pool, d->vol, NULL, &n);
	for (size_t i = 0; i < n; i++)
		if (!core_str_eq(names[i], self))
			names[k++] = names[i];
		else
			free(names[i]);
	if (k)
		r = be_names_join(names, k);
	be_strv_free(&names, &k);
	free(path);
	be_usage_free(&u);
	return r;
}

/* A new volume for a disk: in pool .dev.pool, named .dev.vol. */
static int be_chg_new_vol(be_chgctx *x, const be_vmchg *g, char **err)
{
	virStoragePoolPtr pool = virStoragePoolLookupByName(virDomainGetConnect(x->dom), g->dev.pool);
	virStorageVolPtr vol = NULL;
	char *xml, *e;

	if (pool) {
		xml = be_vol_xml(g->dev.vol, g->dev.new_size, g->dev.format ? g->dev.format : "qcow2", NULL, NULL);
		vol = virStorageVolCreateXML(pool, xml, 0);
		free(xml);
	}
	if (!vol) {
		e = be_last_error(NULL);
		*err = xasprintf("Disk: could not make volume \"%s\" in pool \"%s\": %s", g->dev.vol,
				 g->dev.pool, e);
		free(e);
		if (pool)
			virStoragePoolFree(pool);
		return -1;
	}
	x->pools_changed = true;
	virStorageVolFree(vol);
	virStoragePoolFree(pool);
	return 0;
}

static int be_vol_delete(be_chgctx *x, const be_device *d, char **err)
{
	virConnectPtr conn = virDomainGetConnect(x->dom);
	char *path = be_dev_path(conn, d), *e;
	virStorageVolPtr vol = path ? virStorageVolLookupByPath(conn, path) : NULL;
	int rc = vol ? virStorageVolDelete(vol, 0) : -1;

	if (rc < 0) {
		e = be_last_error(NULL);
		*err = xasprintf("Disk: could not delete volume %s: %s", path ? path : d->vol ? d->vol : "?", e);
		free(e);
	} else {
		x->pools_changed = true;
	}
	if (vol)
		virStorageVolFree(vol);
	free(path);
	return rc;
}

/* An ISO or disk file that is neither a volume of the host nor (local host)
 * a file there is refused before libvirt takes it for the next boot. */
static int be_source_check(be_chgctx *x, const be_device *d, char **err)
{
	virStorageVolPtr vol;
	if (!d->source || (d->kind != BE_DEVK_CDROM && d->kind != BE_DEVK_DISK))
		return 0;
	if ((vol = virStorageVolLookupByPath(virDomainGetConnect(x->dom), d->source))) {
		virStorageVolFree(vol);
		return 0;
	}
	virResetLastError();
	if (!be_conn_is_remote(x->h) && access(d->source, F_OK) != 0) {
		*err = xasprintf("%s: %s does not exist", be_devk_name(d->kind), d->source);
		return -1;
	}
	return 0;
}

static int be_mac_free(be_chgctx *x, const be_device *d, const char *self, char **err)
{
	be_usage u = { 0 };
	char mac[18];
	const char *user;
	int rc = 0;

	if (!d->mac)
		return 0;
	if (be_mac_check(d->mac, mac, err) < 0)
		return -1;
	if (be_usage_load(virDomainGetConnect(x->dom), false, &u) < 0)
		return 0; /* libvirt will say */
	user = be_usage_mac(&u, mac);
	if (user) {
		*err = xasprintf("MAC: %s is already used by VM '%s'", mac, user);
		rc = -1;
	}
	be_usage_free(&u);
	(void)self;
	return rc;
}

/* CONFIG attach refused as unsupported: the inactive XML with the device
 * added, defined (libvirt 9.0 attaches no TPM, even persistently). 0, or -1
 * with libvirt's error of the step that failed left in place. */
static int be_attach_by_define(be_chgctx *x, const char *dev_xml)
{
	int code = 0;
	char *e = be_last_error(&code), *cfg, *xml, *err = NULL;
	virDomainPtr nd = NULL;

	free(e);
	if (code != VIR_ERR_OPERATION_UNSUPPORTED && code != VIR_ERR_NO_SUPPORT)
		return -1;
	cfg = virDomainGetXMLDesc(x->dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
	xml = cfg ? be_domxml_add_device(cfg, dev_xml, &err) : NULL;
	if (xml)
		nd = virDomainDefineXML(virDomainGetConnect(x->dom), xml);
	free(err);
	free(cfg);
	free(xml);
	if (!nd)
		return -1;
	virDomainFree(nd);
	return 0;
}

/* A NIC update libvirt cannot do live ("unable to change config on 'user'
 * network type"): for the next boot only; *why says libvirt's reason. 0,
 * or -1 with libvirt's first error left in place. */
static int be_nic_boot_only(be_chgctx *x, be_vmchg *g, const char *xml, char **why)
{
	int code = 0;
	char *e = be_last_error(&code);
	if (code != VIR_ERR_OPERATION_UNSUPPORTED && code != VIR_ERR_NO_SUPPORT &&
	    code != VIR_ERR_CONFIG_UNSUPPORTED) {
		free(e);
		return -1;
	}
	if (virDomainUpdateDeviceFlags(x->dom, xml, VIR_DOMAIN_AFFECT_CONFIG) < 0) {
		free(e);
		return -1;
	}
	g->when = BE_WHEN_BOOT;
	*why = e;
	return 0;
}

/* A NIC's new MAC: for the next boot, while the VM is shut off. */
static int be_chg_mac(be_chgctx *x, be_vmchg *g, const char *name, char **done, char **err)
{
	be_device nd = { .kind = BE_DEVK_NIC, .mac = g->text };
	char *cfg, *xml;
	virDomainPtr dom;

	g->when = BE_WHEN_BOOT;
	if (x->active) {
		*err = xstrdup("MAC: can only be changed while the VM is shut off (libvirt refuses a live MAC change)");
		return -1;
	}
	if (be_mac_free(x, &nd, name, err) < 0)
		return -1;
	if (!(cfg = virDomainGetXMLDesc(x->dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE)))
		return -2;
	xml = be_domxml_set_nic_mac(cfg, g->dev.mac, g->text, err);
	free(cfg);
	if (!xml)
		return -1;
	dom = virDomainDefineXML(virDomainGetConnect(x->dom), xml);
	free(xml);
	if (!dom)
		return -2;
	virDomainFree(dom);
	*done = xasprintf("Network adapter %s: MAC %s %s", g->dev.mac ? g->dev.mac : "", g->text, be_when_text(g->when));
	return 0;
}

static int be_chg_device(be_chgctx *x, be_vmchg *g, const char *name, char **done, char **err)
{
	be_device *d = &g->dev;
	char *xml, *users, *why = NULL;
	const char *what = be_devk_name(d->kind), *id;
	int rc;

	if (g->kind == BE_CHG_ATTACH && d->kind == BE_DEVK_NIC && be_mac_free(x, d, name, err) < 0)
		return -1;
	if (g->kind != BE_CHG_DETACH && be_source_check(x, d, err) < 0)
		return -1;
	if (g->kind == BE_CHG_ATTACH && (d->kind == BE_DEVK_DISK || d->kind == BE_DEVK_CDROM) && !d->target &&
	    !d->xml) {
		const be_vmconf *c = be_ctx_conf(x, err);
		if (!c)
			return -1;
		d->target = be_vmconf_free_target(c, d->bus ? d->bus : d->kind == BE_DEVK_CDROM ? "sata" : "virtio");
	}
	if (g->kind == BE_CHG_DETACH && d->delete_volume && (users = be_dev_users(x, d, name))) {
		*err = xasprintf("Disk: the volume is also used by %s: not removed", users);
		free(users);
		return -1;
	}
	if (!(xml = be_dev_xml(d, err)))
		return -1;
	if (g->kind == BE_CHG_ATTACH && d->new_size && be_chg_new_vol(x, g, err) < 0) {
		free(xml);
		return -1;
	}
	if (g->kind == BE_CHG_ATTACH) {
		rc = virDomainAttachDeviceFlags(x->dom, xml, be_chg_flags(g->when));
		if (rc < 0 && g->when == BE_WHEN_BOOT)
			rc = be_attach_by_define(x, xml); /* a device libvirt cannot attach (a TPM) */
	}
	else if (g->kind == BE_CHG_UPDATE) {
		/* live and inactive forms differ (a NIC model pending for the next
		 * boot): the live one with only what changed, then the inactive one */
		char *e2 = NULL, *lxml = d->pending && (g->when & BE_WHEN_NOW) && x->lx ? be_dev_xml_in(x->lx, d, &e2) : NULL;
		free(e2);
		if (lxml) {
			rc = virDomainUpdateDeviceFlags(x->dom, lxml, VIR_DOMAIN_AFFECT_LIVE);
			if (rc == 0 && (g->when & BE_WHEN_BOOT))
				rc = virDomainUpdateDeviceFlags(x->dom, xml, VIR_DOMAIN_AFFECT_CONFIG);
			free(lxml);
		} else {
			rc = virDomainUpdateDeviceFlags(x->dom, xml, be_chg_flags(g->when));
			if (rc < 0 && d->kind == BE_DEVK_NIC && (g->when & BE_WHEN_NOW) && (g->when & BE_WHEN_BOOT))
				rc = be_nic_boot_only(x, g, xml, &why);
		}
	} else
		rc = virDomainDetachDeviceFlags(x->dom, xml, be_chg_flags(g->when));
	free(xml);
	if (rc < 0) {
		if (g->kind == BE_CHG_ATTACH && d->new_size) {
			char *e = be_last_error(NULL), *e2 = NULL;
			be_vol_delete(x, d, &e2); /* undo the volume made above */
			free(e2);
			*err = xasprintf("%s: %s", what, e);
			free(e);
			return -1;
		}
		return -2;
	}
	if (g->kind == BE_CHG_DETACH && d->delete_volume && be_vol_delete(x, d, err) < 0) {
		char *e = *err;
		*err = xasprintf("%s removed, but: %s", what, e);
		free(e);
		return -1;
	}
	id = d->target ? d->target : d->mac ? d->mac : d->tgt_name;
	*done = xasprintf("%s%s%s: %s %s%s%s%s", what, id ? " " : "", id ? id : "",
			  g->kind == BE_CHG_ATTACH ? "added" : g->kind == BE_CHG_UPDATE ? "changed" :
			  d->delete_volume ? "removed with its volume" : "removed",
			  be_when_text(g->when), why ? " (not now: " : "", why ? why : "", why ? ")" : "");
	free(why);
	return 0;
}

static int be_chg_define(be_chgctx *x, be_vmchg *g, char **done, char **err)
{
	virConnectPtr conn = virDomainGetConnect(x->dom);
	char *xml = NULL, *cfg;
	virDomainPtr nd;

	g->when = BE_WHEN_BOOT;
	if (g->kind == BE_CHG_DEFINE) {
		xmlDocPtr doc = be_xml_parse(g->text);
		char *uuid = doc ? be_xml_get(doc, "string(/domain/uuid)") : NULL;
		char self[VIR_UUID_STRING_BUFLEN] = "";
		if (doc)
			xmlFreeDoc(doc);
		virDomainGetUUIDString(x->dom, self);
		if (uuid && strcasecmp(uuid, self) != 0) {
			*err = xasprintf("XML: its <uuid> %s is not this VM's (%s)", uuid, self);
			free(uuid);
			return -1;
		}
		if (!uuid) {
			*err = xasprintf("XML: the <uuid> element is missing (it says which VM this is: %s)", self);
			return -1;
		}
		free(uuid);
		/* passwords the editor was not shown (never on disk) are kept */
		cfg = virDomainGetXMLDesc(x->dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
		xml = cfg ? be_domxml_keep_secrets(g->text, cfg) : NULL;
		virResetLastError();
		free(cfg);
		if (!xml)
			xml = xstrdup(g->text);
	} else {
		if (g->kind == BE_CHG_FIRMWARE && x->active) {
			*err = xstrdup("Firmware: can only be changed while the VM is shut off");
			return -1;
		}
		if (!(cfg = virDomainGetXMLDesc(x->dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE)))
			return -2;
		if (g->kind == BE_CHG_BUS)
			xml = be_domxml_set_disk_bus(cfg, g->dev.target, g->text, err);
		else if (g->kind == BE_CHG_BOOT)
			xml = be_domxml_set_boot(cfg, g->boot, g->nboot, NULL, err);
		else
			xml = be_domxml_set_boot(cfg, NULL, 0, g->text, err);
		free(cfg);
		if (!xml)
			return -1;
	}
	nd = virDomainDefineXML(conn, xml);
	free(xml);
	if (!nd)
		return -2;
	virDomainFree(nd);
	if (g->kind == BE_CHG_BOOT) {
		char *order = be_names_join(g->boot, g->nboot);
		*done = xasprintf("Boot order: %s %s", order, be_when_text(g->when));
		free(order);
	} else if (g->kind == BE_CHG_BUS) {
		*done = xasprintf("Disk %s: on the %s bus %s", g->dev.target, g->text, be_when_text(g->when));
	} else if (g->kind == BE_CHG_FIRMWARE) {
		*done = xasprintf("Firmware: %s %s", g->text, be_when_text(g->when));
	} else {
		*done = xstrdup("XML: defined (changes apply at next boot where they cannot apply now)");
	}
	return 0;
}

/* Grow a disk: the running VM's block device (QEMU grows the file), or
 * its volume while shut off. */
static int be_chg_grow(be_chgctx *x, be_vmchg *g, char **done, char **err)
{
	const be_device *d = &g->dev;
	bool live = x->active;
	unsigned long long cap = 0;
	char *path = NULL, *v, *c;
	virStorageVolPtr vol = NULL;
	int rc = -2;

	if (!d->target) {
		*err = xstrdup("Disk: which one (no target)");
		return -1;
	}
	if (live) {
		virDomainBlockInfo bi;
		if (virDomainGetBlockInfo(x->dom, d->target, &bi, 0) < 0)
			return -2;
		cap = bi.capacity;
	} else {
		virStorageVolInfo vi;
		path = be_dev_path(virDomainGetConnect(x->dom), d);
		vol = path ? virStorageVolLookupByPath(virDomainGetConnect(x->dom), path) : NULL;
		if (!vol || virStorageVolGetInfo(vol, &vi) < 0) {
			if (vol)
				virStorageVolFree(vol);
			free(path);
			return -2;
		}
		cap = vi.capacity;
	}
	v = be_bytes_text(g->value);
	c = be_bytes_text(cap);
	if (g->value <= cap) {
		*err = xasprintf("Disk %s: %s is not larger than its size (%s): disks only grow", d->target, v, c);
		rc = -1;
	} else if (live ? virDomainBlockResize(x->dom, d->target, g->value, VIR_DOMAIN_BLOCK_RESIZE_BYTES) == 0
			: virStorageVolResize(vol, g->value, 0) == 0) {
		g->when = live ? BE_WHEN_NOW | BE_WHEN_BOOT : BE_WHEN_BOOT;
		*done = xasprintf("Disk %s: grown from %s to %s %s", d->target, c, v,
				  live ? "now (the guest sees it at once)" : "(for the next boot)");
		x->pools_changed = true;
		rc = 0;
	}
	if (vol)
		virStorageVolFree(vol);
	free(path);
	free(v);
	free(c);
	return rc;
}

static int be_chg_one(be_chgctx *x, be_vmchg *g, const char *name, char **done, char **err)
{
	int t;
	switch (g->kind) {
	case BE_CHG_MEMORY:
	case BE_CHG_MAXMEM:
		return be_chg_memory(x, g, done, err);
	case BE_CHG_VCPUS:
	case BE_CHG_MAXVCPUS:
		return be_chg_vcpus(x, g, done, err);
	case BE_CHG_ATTACH:
	case BE_CHG_UPDATE:
	case BE_CHG_DETACH:
		return be_chg_device(x, g, name, done, err);
	case BE_CHG_BOOT:
	case BE_CHG_FIRMWARE:
	case BE_CHG_DEFINE:
	case BE_CHG_BUS:
		return be_chg_define(x, g, done, err);
	case BE_CHG_TITLE:
	case BE_CHG_DESCRIPTION:
		t = g->kind == BE_CHG_TITLE ? VIR_DOMAIN_METADATA_TITLE : VIR_DOMAIN_METADATA_DESCRIPTION;
		if (virDomainSetMetadata(x->dom, t, g->text && *g->text ? g->text : NULL, NULL, NULL,
					 be_chg_flags(g->when)) < 0)
			return -2;
		*done = xasprintf("%s: set %s", t == VIR_DOMAIN_METADATA_TITLE ? "Title" : "Description",
				  be_when_text(g->when));
		return 0;
	case BE_CHG_GROW:
		return be_chg_grow(x, g, done, err);
	case BE_CHG_MAC:
		return be_chg_mac(x, g, name, done, err);
	case BE_CHG_AUTOSTART:
		if (virDomainSetAutostart(x->dom, g->value != 0) < 0)
			return -2;
		*done = xasprintf("Autostart: %s", g->value ? "on" : "off");
		return 0;
	}
	*err = xasprintf("Unknown change %d", g->kind);
	return -1;
}

static const char *be_chg_field(const be_vmchg *g)
{
	switch (g->kind) {
	case BE_CHG_MEMORY: return "Memory";
	case BE_CHG_MAXMEM: return "Maximum memory";
	case BE_CHG_VCPUS: return "Processors";
	case BE_CHG_MAXVCPUS: return "Maximum processors";
	case BE_CHG_BOOT: return "Boot order";
	case BE_CHG_FIRMWARE: return "Firmware";
	case BE_CHG_TITLE: return "Title";
	case BE_CHG_DESCRIPTION: return "Description";
	case BE_CHG_AUTOSTART: return "Autostart";
	case BE_CHG_DEFINE: return "XML";
	default: return be_devk_name(g->dev.kind);
	}
}

/* The changes the VM list shows (memory, processors, autostart, the
 * agent's channel, a define that may rename): its row is read again. */
static bool be_chg_row(const be_vmchg *g)
{
	switch (g->kind) {
	case BE_CHG_MEMORY:
	case BE_CHG_MAXMEM:
	case BE_CHG_VCPUS:
	case BE_CHG_MAXVCPUS:
	case BE_CHG_AUTOSTART:
	case BE_CHG_DEFINE:
		return true;
	case BE_CHG_ATTACH:
	case BE_CHG_DETACH:
		return g->dev.kind == BE_DEVK_CHANNEL;
	default:
		return false;
	}
}

/* The VM list row's fields a change sets (MD_VMF_*): posted from what was
 * applied, no read. */
static unsigned be_chg_rowf(const be_vmchg *g)
{
	switch (g->kind) {
	case BE_CHG_MEMORY: return MD_VMF_MEM;
	case BE_CHG_MAXMEM: return MD_VMF_MEM | MD_VMF_MAXMEM;
	case BE_CHG_VCPUS:
	case BE_CHG_MAXVCPUS: return MD_VMF_VCPUS;
	case BE_CHG_AUTOSTART: return MD_VMF_AUTOSTART;
	default: return 0;
	}
}

/* The row's new fields, from the VM's applied conf (running: its live
 * values). */
static void be_post_row_patch(be_host *h, const char *uuid, const be_vmconf *c, unsigned rowf, bool autostart)
{
	md_msg *m = md_msg_new(MD_MSG_VM_PATCH, h->id);
	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	m->vms = xcalloc(1, sizeof(*m->vms));
	m->nvms = 1;
	m->count = (int)rowf;
	m->vms[0].mem_kib = (c->active ? c->live_mem : c->mem) / 1024;
	m->vms[0].maxmem_kib = (c->active ? c->live_maxmem : c->maxmem) / 1024;
	m->vms[0].vcpus = c->active ? c->live_vcpus : c->vcpus;
	m->vms[0].autostart = autostart;
	be_post(m);
}

/* The answer's details when the caller's XML came with the job: the
 * copies with the changes applied, the sides they cannot know read back
 * (each side once); the row's changed fields posted first (Settings takes
 * autostart from the row). false: read it all (no copies, a failure). */
static bool be_vm_change_answer(be_chgctx *x, const be_job *j, bool ok, bool autostart)
{
	struct be_xmlread l = { .dom = x->dom }, c = { .dom = x->dom, .flags = VIR_DOMAIN_XML_INACTIVE };
	be_vmconf *conf;
	char *err = NULL;

	if (!ok || !x->have_xml)
		return false;
	if ((x->need & BE_SIDE_LIVE) && x->lx)
		be_xmlread_run(&l);
	if ((x->need & BE_SIDE_CFG) && x->cx)
		be_xmlread_run(&c);
	free(l.err);
	free(c.err);
	if (l.xml) {
		free(x->lx);
		x->lx = l.xml;
	}
	if (c.xml) {
		free(x->cx);
		x->cx = c.xml;
	}
	if ((x->need & BE_SIDE_LIVE && x->lx && !l.xml) || (x->need & BE_SIDE_CFG && x->cx && !c.xml) ||
	    !(conf = be_vmconf_parse(x->lx, x->cx, &err))) {
		free(err);
		return false;
	}
	if (x->rowf)
		be_post_row_patch(x->h, j->uuid, conf, x->rowf, autostart);
	be_details_post_conf(x->h, j, x->dom, conf, false, NULL, NULL);
	return true;
}

/* Apply the changes; true when the VM list's row wants reading again. */
static bool be_vm_change(be_host *h, const be_job *j, virDomainPtr dom)
{
	be_vmchange *ch = j->arg;
	bool known = ch && ch->tag == BE_VMCHANGE_TAG && ch->known;
	bool ok = true, active = known ? ch->active : virDomainIsActive(dom) == 1,
	     persistent = known ? ch->persistent : virDomainIsPersistent(dom) == 1, autostart = false;
	be_chgctx x = { .h = h, .dom = dom, .active = active, .ch = known ? ch : NULL };
	char *name = xstrdup(virDomainGetName(dom)), *text = xstrdup(""), *e = NULL;
	bool row = false;

	if (known) {
		x.maxmem = ch->maxmem;
		x.live_maxmem = ch->live_maxmem;
		x.maxvcpus = ch->maxvcpus;
		x.live_maxvcpus = ch->live_maxvcpus;
		x.lx = active ? xstrdup(ch->live_xml) : NULL;
		x.cx = persistent ? xstrdup(ch->config_xml) : NULL;
		x.have_xml = (x.lx || !active) && (x.cx || !persistent) && (x.lx || x.cx);
	}

	for (size_t i = 0; ch && ch->tag == BE_VMCHANGE_TAG && i < ch->n && ok; i++) {
		be_vmchg *g = &ch->v[i];
		char *done = NULL, *err = NULL, *t;
		int rc;
		if (!active)
			g->when &= ~(unsigned)BE_WHEN_NOW;
		if (!persistent)
			g->when &= ~(unsigned)BE_WHEN_BOOT;
		if (!g->when)
			g->when = active ? BE_WHEN_NOW : BE_WHEN_BOOT;
		rc = be_chg_one(&x, g, name, &done, &err);
		x.row = x.row || (rc == 0 && be_chg_row(g));
		if (rc == -2) { /* libvirt refused: its words, the field first */
			e = NULL;
			be_host_fail(h, &e);
			err = xasprintf("%s: %s", be_chg_field(g), e);
			free(e);
		}
		if (rc < 0) {
			ok = false;
			t = xasprintf("%s%s%s", text, *text ? "; " : "", err ? err : "failed");
		} else {
			t = xasprintf("%s%s%s", text, *text ? "; " : "", done);
			be_ctx_after(&x, g);
			if (x.have_xml)
				x.need |= be_vmxml_after(&x.lx, &x.cx, g);
			x.rowf |= be_chg_rowf(g);
			if (g->kind == BE_CHG_AUTOSTART)
				autostart = g->value != 0;
			/* a define says so in an event: the host reads the row then */
			row = row || (be_chg_row(g) && !be_chg_rowf(g) && g->kind != BE_CHG_DEFINE);
		}
		free(text);
		text = t;
		free(done);
		free(err);
	}
	if (!*text)
		core_str_set(&text, "Nothing to change");
	be_post_result(h, j, ok, text);
	be_vmconf_free(&x.conf);
	if (!be_vm_change_answer(&x, j, ok, autostart)) {
		be_details_post(h, j, dom, false, NULL);
		row = x.row;
	}
	if (x.pools_changed && be_list_pools(h, &e) < 0)
		free(e);
	free(x.lx);
	free(x.cx);
	free(name);
	return row;
}

void be_devices_job(be_host *h, const be_job *j)
{
	virDomainPtr dom = h->conn ? be_domc_get(h, j->uuid) : NULL;
	char *err = NULL;
	int code = 0;

	if (!dom) {
		bool gone = false;
		if (h->conn) {
			err = be_last_error(&code);
			gone = code == VIR_ERR_NO_DOMAIN;
			be_host_check_conn(h, code, err);
		}
		be_details_post(h, j, NULL, gone, h->conn ? err : "not connected");
		be_post_result(h, j, false, xasprintf("Could not %s VM %s: %s", be_op_name(j->op), j->uuid,
						       gone ? "it no longer exists" : err ? err : "not connected"));
		free(err);
		return;
	}
	if (j->op == BE_OP_VM_DETAILS) {
		be_details_post(h, j, dom, false, NULL);
		be_post_result(h, j, true, NULL);
	} else if (be_vm_change(h, j, dom)) {
		be_vm_post_dom(h, dom, j->uuid); /* the same domain: no second lookup */
	}
	virDomainFree(dom);
}

/* ---- controllers: what a new CD/DVD drive can be hot-plugged on ------------------- */

bool be_vmconf_has_controller(const be_vmconf *c, const char *type, bool live)
{
	bool found = false;
	for (size_t i = 0; c && i < c->ndevs && !found; i++) {
		const be_device *d = &c->devs[i];
		xmlDocPtr doc;
		char *t;
		if (d->kind != BE_DEVK_OTHER || !core_str_eq(d->elem, "controller") || !d->xml ||
		    (live && !d->in_live) || !(doc = be_xml_parse(d->xml)))
			continue;
		t = be_xml_get(doc, "string(/controller/@type)");
		found = core_str_eq(t, type);
		free(t);
		xmlFreeDoc(doc);
	}
	return found;
}
