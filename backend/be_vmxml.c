/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_vmxml.c - Settings' changes applied to a domain XML not yet
 * defined (be_vmxml.h). */
#include "be_vmxml.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "be_xml.h"
#include "../core/util.h"

static xmlNodePtr vx_child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

/* <name> of the domain, made (before <devices>) when missing */
static xmlNodePtr vx_ensure(xmlNodePtr root, const char *name)
{
	xmlNodePtr c = vx_child(root, name), devs;
	if (c)
		return c;
	c = xmlNewNode(NULL, BAD_CAST name);
	if ((devs = vx_child(root, "devices")) != NULL)
		xmlAddPrevSibling(devs, c);
	else
		xmlAddChild(root, c);
	return c;
}

static uint64_t vx_num(xmlNodePtr n)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	uint64_t v = t ? strtoull((const char *)t, NULL, 10) : 0;
	xmlFree(t);
	return v;
}

/* a memory element's value in KiB (unit= read: KiB, MiB, GiB, bytes) */
static uint64_t vx_kib(xmlNodePtr n)
{
	xmlChar *u = n ? xmlGetProp(n, BAD_CAST "unit") : NULL;
	uint64_t v = vx_num(n);
	if (u && (!strcmp((char *)u, "b") || !strcmp((char *)u, "bytes")))
		v >>= 10;
	else if (u && (!strcmp((char *)u, "M") || !strcmp((char *)u, "MiB")))
		v <<= 10;
	else if (u && (!strcmp((char *)u, "G") || !strcmp((char *)u, "GiB")))
		v <<= 20;
	xmlFree(u);
	return v;
}

static void vx_set_num(xmlNodePtr n, uint64_t v, const char *unit)
{
	char num[32];
	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	xmlNodeSetContent(n, BAD_CAST num);
	if (unit)
		xmlSetProp(n, BAD_CAST "unit", BAD_CAST unit);
}

static void vx_memory(xmlNodePtr root, const be_vmchg *g)
{
	xmlNodePtr mem = vx_ensure(root, "memory"), cur = vx_ensure(root, "currentMemory");
	uint64_t kib = g->value >> 10;
	if (g->kind == BE_CHG_MEMORY) {
		vx_set_num(cur, kib, "KiB");
		if (vx_kib(mem) < kib)
			vx_set_num(mem, kib, "KiB");
	} else {
		vx_set_num(mem, kib, "KiB");
		if (vx_kib(cur) > kib)
			vx_set_num(cur, kib, "KiB");
	}
}

static void vx_vcpus(xmlNodePtr root, const be_vmchg *g)
{
	xmlNodePtr n = vx_ensure(root, "vcpu");
	xmlChar *cur = xmlGetProp(n, BAD_CAST "current");
	uint64_t max = vx_num(n), now = cur ? strtoull((char *)cur, NULL, 10) : max;
	xmlFree(cur);
	if (g->kind == BE_CHG_VCPUS) {
		now = g->value;
		if (max < now)
			max = now;
	} else {
		max = g->value;
		if (now > max)
			now = max;
	}
	vx_set_num(n, max, NULL);
	if (now == max) {
		xmlUnsetProp(n, BAD_CAST "current");
	} else {
		char num[32];
		snprintf(num, sizeof(num), "%llu", (unsigned long long)now);
		xmlSetProp(n, BAD_CAST "current", BAD_CAST num);
	}
}

static void vx_text(xmlNodePtr root, const char *name, const char *text)
{
	xmlNodePtr n = vx_child(root, name);
	if (!text || !*text) {
		if (n) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
		return;
	}
	if (!n) {
		/* <title> and <description> follow <name> / <uuid> */
		xmlNodePtr after = vx_child(root, "uuid") ? vx_child(root, "uuid") : vx_child(root, "name");
		n = xmlNewNode(NULL, BAD_CAST name);
		if (after)
			xmlAddNextSibling(after, n);
		else
			xmlAddChild(root, n);
	}
	xmlNodeSetContent(n, NULL);
	xmlAddChild(n, xmlNewText(BAD_CAST text)); /* escaped on output */
}

/* Index (among the element children of <devices>) of the device d names in
 * conf, -1 when none. */
static int vx_find(const be_vmconf *conf, const be_device *d)
{
	for (size_t i = 0; i < conf->ndevs; i++) {
		const be_device *x = &conf->devs[i];
		if (x->kind != d->kind)
			continue;
		if ((d->kind == BE_DEVK_DISK || d->kind == BE_DEVK_CDROM) && d->target) {
			if (core_str_eq(x->target, d->target))
				return (int)i;
		} else if (d->kind == BE_DEVK_NIC && d->mac) {
			if (core_str_eq(x->mac, d->mac))
				return (int)i;
		} else if (d->xml && core_str_eq(x->xml, d->xml)) {
			return (int)i;
		}
	}
	return -1;
}

static xmlNodePtr vx_nth_dev(xmlNodePtr devs, int idx)
{
	int k = 0;
	for (xmlNodePtr c = devs ? devs->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && k++ == idx)
			return c;
	return NULL;
}

/* UPDATE / DETACH on xml: the new XML, NULL with *err */
static char *vx_device(const char *xml, const be_vmchg *g, char **err)
{
	be_vmconf *conf = be_vmconf_parse(NULL, xml, err);
	xmlDocPtr doc = NULL, dd = NULL;
	xmlNodePtr n;
	char *out = NULL, *dx = NULL;
	int i;
	if (!conf)
		return NULL;
	if ((i = vx_find(conf, &g->dev)) < 0) {
		*err = xasprintf("%s %s: not in the VM", be_devk_name(g->dev.kind),
				 g->dev.target ? g->dev.target : g->dev.mac ? g->dev.mac : "");
		goto out;
	}
	doc = be_xml_parse(xml);
	n = doc ? vx_nth_dev(vx_child(xmlDocGetRootElement(doc), "devices"), i) : NULL;
	if (!n) {
		*err = xstrdup("not a domain's XML");
		goto out;
	}
	if (g->kind == BE_CHG_UPDATE) {
		be_device d;
		xmlNodePtr nn;
		be_device_copy(&d, &g->dev);
		if (!d.xml)
			d.xml = xstrdup(conf->devs[i].xml);
		dx = be_dev_xml(&d, err);
		be_device_clear(&d);
		if (!dx || !(dd = be_xml_parse(dx)) || !(nn = xmlDocGetRootElement(dd))) {
			if (!*err)
				*err = xstrdup("the device's XML cannot be read");
			goto out;
		}
		xmlAddNextSibling(n, xmlDocCopyNode(nn, doc, 1));
	}
	xmlUnlinkNode(n);
	xmlFreeNode(n);
	out = be_xml_dump(doc);
out:
	free(dx);
	if (dd)
		xmlFreeDoc(dd);
	if (doc)
		xmlFreeDoc(doc);
	be_vmconf_free(&conf);
	return out;
}

static char *vx_attach(const char *xml, const be_vmchg *g, char **err)
{
	be_device d;
	char *dx, *out = NULL;
	be_device_copy(&d, &g->dev);
	if ((d.kind == BE_DEVK_DISK || d.kind == BE_DEVK_CDROM) && !d.target) { /* a CD/DVD drive too: SATA */
		be_vmconf *conf = be_vmconf_parse(NULL, xml, err);
		if (!conf) {
			be_device_clear(&d);
			return NULL;
		}
		d.target = be_vmconf_free_target(conf, d.bus ? d.bus : d.kind == BE_DEVK_CDROM ? "sata" : "virtio");
		be_vmconf_free(&conf);
	}
	if ((dx = be_dev_xml(&d, err)) != NULL)
		out = be_domxml_add_device(xml, dx, err);
	free(dx);
	be_device_clear(&d);
	return out;
}

/* MEMORY, MAXMEM, VCPUS, MAXVCPUS, TITLE, DESCRIPTION: in place */
static char *vx_simple(const char *xml, const be_vmchg *g, char **err)
{
	xmlDocPtr doc = be_xml_parse(xml);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	char *out = NULL;
	if (!root || strcmp((const char *)root->name, "domain")) {
		*err = xstrdup("not a domain's XML");
	} else {
		if (g->kind == BE_CHG_MEMORY || g->kind == BE_CHG_MAXMEM)
			vx_memory(root, g);
		else if (g->kind == BE_CHG_VCPUS || g->kind == BE_CHG_MAXVCPUS)
			vx_vcpus(root, g);
		else
			vx_text(root, g->kind == BE_CHG_TITLE ? "title" : "description", g->text);
		out = be_xml_dump(doc);
	}
	if (doc)
		xmlFreeDoc(doc);
	return out;
}

static char *vx_one(const char *xml, const be_vmchg *g, char **err)
{
	switch (g->kind) {
	case BE_CHG_MEMORY:
	case BE_CHG_MAXMEM:
	case BE_CHG_VCPUS:
	case BE_CHG_MAXVCPUS:
	case BE_CHG_TITLE:
	case BE_CHG_DESCRIPTION:
		return vx_simple(xml, g, err);
	case BE_CHG_ATTACH:
		return vx_attach(xml, g, err);
	case BE_CHG_UPDATE:
	case BE_CHG_DETACH:
		return vx_device(xml, g, err);
	case BE_CHG_BOOT:
		return be_domxml_set_boot(xml, g->boot, g->nboot, NULL, err);
	case BE_CHG_FIRMWARE:
		return be_domxml_set_boot(xml, NULL, 0, g->text, err);
	case BE_CHG_BUS:
		return be_domxml_set_disk_bus(xml, g->dev.target, g->text, err);
	case BE_CHG_MAC:
		return be_domxml_set_nic_mac(xml, g->dev.mac, g->text, err);
	case BE_CHG_DEFINE: {
		xmlDocPtr doc = g->text ? be_xml_parse(g->text) : NULL;
		xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
		bool ok = root && !strcmp((const char *)root->name, "domain");
		if (doc)
			xmlFreeDoc(doc);
		if (!ok)
			*err = xstrdup("XML: not a domain's XML");
		return ok ? xstrdup(g->text) : NULL;
	}
	case BE_CHG_GROW:
		*err = xstrdup("Size: set the new disk's size on the wizard's Storage page (a volume grows once it exists)");
		return NULL;
	case BE_CHG_AUTOSTART:
		*err = xstrdup("Autostart: set it once the VM exists");
		return NULL;
	default:
		*err = xasprintf("change %d: not known", g->kind);
		return NULL;
	}
}

char *be_vmchange_apply_xml(const char *xml, const be_vmchange *ch, char **err)
{
	char *cur = xstrdup(xml), *next;
	*err = NULL;
	for (size_t i = 0; ch && i < ch->n; i++) {
		if ((next = vx_one(cur, &ch->v[i], err)) == NULL) {
			free(cur);
			if (!*err)
				*err = xstrdup("the change could not be made");
			return NULL;
		}
		free(cur);
		cur = next;
	}
	return cur;
}

void be_vmchange_move(be_vmchange *dst, be_vmchange **src)
{
	be_vmchange *s = *src;
	if (!s)
		return;
	if (s->n) {
		dst->v = xrealloc(dst->v, (dst->n + s->n) * sizeof(*dst->v));
		memcpy(dst->v + dst->n, s->v, s->n * sizeof(*s->v));
		dst->n += s->n;
	}
	free(s->v);
	free(s);
	*src = NULL;
}

const be_device **be_vmchange_new_vols(const be_vmchange *ch, size_t *n)
{
	const be_device **v = NULL;
	*n = 0;
	for (size_t i = 0; ch && i < ch->n; i++)
		if (ch->v[i].kind == BE_CHG_ATTACH && ch->v[i].dev.new_size > 0) {
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			v[(*n)++] = &ch->v[i].dev;
		}
	return v;
}
