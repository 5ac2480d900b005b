/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wizards/integ.c - the Integration Tools wizard (see integ.h). The domain
 * XML is read and changed with libxml2 only: names with < & " round-trip. */
#include "integ.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "../backend/be_devices.h"
#include "../core/model.h"
#include "../core/util.h"


const char *const wz_integ_change_ids[WZ_CH__N] = {
	[WZ_CH_AGENT] = "ch.agent", [WZ_CH_DISK] = "ch.disk", [WZ_CH_NIC] = "ch.nic",
	[WZ_CH_BALLOON] = "ch.balloon", [WZ_CH_RNG] = "ch.rng",
};

static const char *const page_titles[WZ_INTEG__N] = {
	[WZ_INTEG_LOOK] = "The VM",
	[WZ_INTEG_OFFER] = "Changes",
	[WZ_INTEG_DIFF] = "Review",
	[WZ_INTEG_TOOLS] = "Guest tools",
};

/* The OSes the user may pick when neither libosinfo nor the agent says. */
static const struct {
	const char *label, *id;
} os_choices[] = {
	{ "Debian / Ubuntu (apt)", "debian" }, { "Fedora / RHEL / CentOS (dnf)", "fedora" },
	{ "openSUSE / SLES (zypper)", "opensuse" }, { "Alpine (apk)", "alpine" },
	{ "Arch Linux (pacman)", "arch" }, { "Windows (virtio-win)", "mswindows" },
};

struct wz_integ {
	char *xml, *live;
	int agent;
	char *guest_os;       /* from the agent */
	char *meta_os;        /* the libosinfo id of the domain's metadata */
	int os_pick;          /* index of os_choices, -1 none */
	bool ch[WZ_CH__N];
	bool drivers, restart;
	char *iso;            /* Windows: the virtio-win ISO on the host, NULL none */
	char *local_iso;      /* ... or a file on this machine, uploaded first, NULL none */
	char *upload_pool;    /* the pool it goes to (a name of pools[]) */
	char **pools, **pool_dirs; /* the host's active pools: names, target paths */
	size_t npools;
	/* found in the XML */
	bool parsed, has_channel, has_balloon, has_rng, balloon_virtio;
	bool live_vserial;    /* the running VM has a virtio-serial controller */
	size_t ndisks, ndisks_virtio, nnics, nnics_virtio;
	char *disk_buses, *nic_models, *video;
};

/* ---- OS ---------------------------------------------------------------------- */

static const char *os_id(const struct wz_integ *w)
{
	if (w->meta_os)
		return w->meta_os;
	if (w->guest_os)
		return w->guest_os;
	if (w->os_pick >= 0)
		return os_choices[w->os_pick].id;
	return NULL;
}

/* The pool named upload_pool's target path, NULL when it is none of the host's. */
static const char *upload_dir(const struct wz_integ *w)
{
	for (size_t i = 0; w->upload_pool && i < w->npools; i++)
		if (strcmp(w->pools[i], w->upload_pool) == 0)
			return w->pool_dirs[i];
	return NULL;
}

/* The virtio-win ISO's path on the host: the one given, or where the local
 * file will be once uploaded (the pool's folder and its name: a pooled copy
 * of the same SHA-256, or a name taken, changes it at Finish). NULL none. */
static char *iso_path(const struct wz_integ *w)
{
	const char *dir = upload_dir(w), *slash;
	if (w->iso)
		return xstrdup(w->iso);
	if (!w->local_iso || !dir)
		return NULL;
	slash = strrchr(w->local_iso, '/');
	return xasprintf("%s/%s", dir, slash ? slash + 1 : w->local_iso);
}

static bool has_word(const char *id, const char *const *words)
{
	for (; *words; words++)
		if (strstr(id, *words))
			return true;
	return false;
}

static bool os_is_windows(const char *id)
{
	static const char *const w[] = { "win", "microsoft", NULL };
	return id && has_word(id, w);
}

const char *wz_integ_install_command(const char *id)
{
	static const char *const apt[] = { "debian", "ubuntu", "mint", "devuan", NULL };
	static const char *const dnf[] = { "fedora", "rhel", "redhat", "centos", "rocky", "alma", "oracle", NULL };
	static const char *const zyp[] = { "suse", "sles", "sled", NULL };
	static const char *const apk[] = { "alpine", NULL };
	static const char *const pac[] = { "arch", "manjaro", NULL };
	if (!id)
		return NULL;
	if (has_word(id, apt))
		return "apt-get install -y qemu-guest-agent && systemctl enable --now qemu-guest-agent";
	if (has_word(id, dnf))
		return "dnf install -y qemu-guest-agent && systemctl enable --now qemu-guest-agent";
	if (has_word(id, zyp))
		return "zypper --non-interactive install qemu-guest-agent && systemctl enable --now qemu-guest-agent";
	if (has_word(id, apk))
		return "apk add qemu-guest-agent && rc-update add qemu-guest-agent default && "
		       "rc-service qemu-guest-agent start";
	if (has_word(id, pac))
		return "pacman -S --noconfirm qemu-guest-agent && systemctl enable --now qemu-guest-agent";
	return NULL;
}

/* ---- reading the XML ----------------------------------------------------------- */

static xmlDocPtr parse(const char *xml)
{
	if (!xml || !*xml)
		return NULL;
	return xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
}

static xmlXPathObjectPtr eval(xmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = ctx ? xmlXPathEvalExpression(BAD_CAST xpath, ctx) : NULL;
	xmlXPathFreeContext(ctx);
	return r;
}

static size_t count_nodes(xmlXPathObjectPtr r)
{
	return r && r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0;
}

static char *prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *s = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0)
			return c;
	return NULL;
}

static void append_word(char **list, const char *w)
{
	char *n;
	if (*list && strstr(*list, w))
		return;
	n = xasprintf("%s%s%s", *list ? *list : "", *list ? ", " : "", w);
	free(*list);
	*list = n;
}

static void look(struct wz_integ *w)
{
	xmlDocPtr doc = parse(w->xml);
	xmlXPathObjectPtr r;
	free(w->meta_os);
	w->meta_os = NULL;
	xfree(&w->disk_buses);
	xfree(&w->nic_models);
	xfree(&w->video);
	w->parsed = doc != NULL;
	if (!doc)
		return;
	r = eval(doc, "/domain/metadata/*[local-name()='libosinfo']/*[local-name()='os']");
	if (count_nodes(r))
		w->meta_os = prop(r->nodesetval->nodeTab[0], "id");
	xmlXPathFreeObject(r);
	r = eval(doc, "/domain/devices/channel/target[@name='" BE_AGENT_CHANNEL "']");
	w->has_channel = count_nodes(r) > 0;
	xmlXPathFreeObject(r);
	r = eval(doc, "/domain/devices/disk[@device='disk' or not(@device)]/target");
	w->ndisks = count_nodes(r);
	w->ndisks_virtio = 0;
	for (size_t i = 0; i < w->ndisks; i++) {
		char *bus = prop(r->nodesetval->nodeTab[i], "bus");
		append_word(&w->disk_buses, bus ? bus : "default");
		w->ndisks_virtio += bus && strcmp(bus, "virtio") == 0;
		free(bus);
	}
	xmlXPathFreeObject(r);
	r = eval(doc, "/domain/devices/interface");
	w->nnics = count_nodes(r);
	w->nnics_virtio = 0;
	for (size_t i = 0; i < w->nnics; i++) {
		char *m = prop(child(r->nodesetval->nodeTab[i], "model"), "type");
		append_word(&w->nic_models, m ? m : "default");
		w->nnics_virtio += m && strcmp(m, "virtio") == 0;
		free(m);
	}
	xmlXPathFreeObject(r);
	r = eval(doc, "/domain/devices/memballoon");
	w->has_balloon = false;
	w->balloon_virtio = false;
	if (count_nodes(r)) {
		char *m = prop(r->nodesetval->nodeTab[0], "model");
		w->has_balloon = m && strcmp(m, "none") != 0;
		w->balloon_virtio = m && strcmp(m, "virtio") == 0;
		free(m);
	}
	xmlXPathFreeObject(r);
	r = eval(doc, "/domain/devices/rng");
	w->has_rng = count_nodes(r) > 0;
	xmlXPathFreeObject(r);
	r = eval(doc, "/domain/devices/video/model");
	if (count_nodes(r))
		w->video = prop(r->nodesetval->nodeTab[0], "type");
	xmlXPathFreeObject(r);
	xmlFreeDoc(doc);
	/* what is offered starts ticked when it helps and is safe */
	w->ch[WZ_CH_AGENT] = !w->has_channel;
	w->ch[WZ_CH_DISK] = w->ch[WZ_CH_NIC] = false;
	w->ch[WZ_CH_BALLOON] = !w->balloon_virtio;
	w->ch[WZ_CH_RNG] = false;
}

static bool offered(const struct wz_integ *w, int ch)
{
	switch (ch) {
	case WZ_CH_AGENT: return w->parsed && !w->has_channel;
	case WZ_CH_DISK: return w->ndisks_virtio < w->ndisks;
	case WZ_CH_NIC: return w->nnics_virtio < w->nnics;
	case WZ_CH_BALLOON: return w->parsed && !w->balloon_virtio;
	case WZ_CH_RNG: return w->parsed && !w->has_rng;
	}
	return false;
}

static bool running(const struct wz_integ *w)
{
	return w->live && *w->live;
}

/* libvirt hot-plugs a channel only onto a virtio-serial controller the
 * running VM already has, and hot-plugs no such controller (only SCSI
 * ones): without it the channel waits for the next start. */
static bool hot_pluggable(const struct wz_integ *w)
{
	return running(w) && w->live_vserial;
}

static char *offer_text(const struct wz_integ *w, int ch)
{
	bool run = running(w);
	if (!offered(w, ch))
		return xstrdup("");
	switch (ch) {
	case WZ_CH_AGENT:
		return xasprintf("Add the guest agent channel (%s): the guest's qemu-guest-agent talks to the "
				 "host over it.",
				 !run ? "in the configuration: the VM is shut off"
				 : w->live_vserial ? "hot-plugged now and in the configuration"
						   : "in the configuration; after a restart: the running VM has no "
						     "virtio-serial controller and libvirt cannot hot-plug one");
	case WZ_CH_DISK:
		return xasprintf("Switch %zu disk(s) to virtio (now %s): faster; the guest needs the virtio "
				 "drivers; takes effect after a restart.", w->ndisks - w->ndisks_virtio,
				 w->disk_buses ? w->disk_buses : "?");
	case WZ_CH_NIC:
		return xasprintf("Switch %zu network interface(s) to virtio (now %s): takes effect after a "
				 "restart.", w->nnics - w->nnics_virtio, w->nic_models ? w->nic_models : "?");
	case WZ_CH_BALLOON:
		return xstrdup("Add a virtio memory balloon: the host can reclaim memory and read the guest's "
			       "use; after a restart.");
	case WZ_CH_RNG:
		return xstrdup("Add a virtio random number generator (from the host's /dev/urandom); after a "
			       "restart.");
	}
	return xstrdup("");
}

/* ---- building the new XML ---------------------------------------------------------- */

static xmlNodePtr devices(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), d = child(root, "devices");
	return d ? d : xmlNewChild(root, NULL, BAD_CAST "devices", NULL);
}

/* The guest agent's channel element, as Settings builds it (be_devices). */
static char *agent_channel_xml(char **err)
{
	be_device d = { .kind = BE_DEVK_CHANNEL, .port = -1 };
	return be_dev_xml(&d, err);
}

static void drop_child(xmlNodePtr n, const char *name)
{
	xmlNodePtr c = child(n, name);
	if (c) {
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
}

/* xml (freed) through one step of be_devices: its result, or NULL with *err. */
static char *step(char *xml, char *next)
{
	free(xml);
	return next;
}

/* Every disk not on virtio moved to it (vda, vdb ... the first free name,
 * its old address dropped): be_domxml_set_disk_bus, as Settings does. */
static char *disks_virtio(char *xml, char **err)
{
	be_vmconf *c = be_vmconf_parse(NULL, xml, err);
	if (!c)
		return step(xml, NULL);
	for (size_t k = 0; k < c->ndevs && xml; k++) {
		const be_device *d = &c->devs[k];
		if (d->kind == BE_DEVK_DISK && d->target && !core_str_eq(d->bus, "virtio"))
			xml = step(xml, be_domxml_set_disk_bus(xml, d->target, "virtio", err));
	}
	be_vmconf_free(&c);
	return xml;
}

static void nics_virtio(xmlDocPtr doc)
{
	xmlXPathObjectPtr r = eval(doc, "/domain/devices/interface");
	for (size_t i = 0; i < count_nodes(r); i++) {
		xmlNodePtr nic = r->nodesetval->nodeTab[i], m = child(nic, "model");
		char *type = prop(m, "type");
		if (!type || strcmp(type, "virtio") != 0) {
			if (!m)
				m = xmlNewChild(nic, NULL, BAD_CAST "model", NULL);
			xmlSetProp(m, BAD_CAST "type", BAD_CAST "virtio");
			drop_child(nic, "address");
		}
		free(type);
	}
	xmlXPathFreeObject(r);
}

static void balloon_virtio(xmlDocPtr doc)
{
	xmlNodePtr d = devices(doc), b = child(d, "memballoon");
	if (!b)
		b = xmlNewChild(d, NULL, BAD_CAST "memballoon", NULL);
	xmlSetProp(b, BAD_CAST "model", BAD_CAST "virtio");
	drop_child(b, "address");
}

static void add_rng(xmlDocPtr doc)
{
	xmlNodePtr rng = xmlNewChild(devices(doc), NULL, BAD_CAST "rng", NULL), be;
	xmlSetProp(rng, BAD_CAST "model", BAD_CAST "virtio");
	be = xmlNewTextChild(rng, NULL, BAD_CAST "backend", BAD_CAST "/dev/urandom");
	xmlSetProp(be, BAD_CAST "model", BAD_CAST "random");
}

/* The virtio-win ISO into the first CD-ROM (false when the VM has none). */
static bool insert_iso(xmlDocPtr doc, const char *iso)
{
	xmlXPathObjectPtr r = eval(doc, "/domain/devices/disk[@device='cdrom']");
	xmlNodePtr cd, src;
	bool done = count_nodes(r) > 0;
	if (done) {
		cd = r->nodesetval->nodeTab[0];
		xmlSetProp(cd, BAD_CAST "type", BAD_CAST "file");
		src = child(cd, "source");
		if (!src)
			src = xmlNewChild(cd, NULL, BAD_CAST "source", NULL);
		xmlUnsetProp(src, BAD_CAST "dev");
		xmlSetProp(src, BAD_CAST "file", BAD_CAST iso);
	}
	xmlXPathFreeObject(r);
	return done;
}

/* ... or a new SATA CD-ROM with it (sdX not taken), as Settings adds one. */
static char *add_cdrom(char *xml, const char *iso, char **err)
{
	be_vmconf *c = be_vmconf_parse(NULL, xml, err);
	be_device d = { .kind = BE_DEVK_CDROM, .port = -1 };
	char *dev;
	if (!c)
		return step(xml, NULL);
	d.target = be_vmconf_free_target(c, "sata");
	d.source = (char *)iso;
	be_vmconf_free(&c);
	dev = d.target ? be_dev_xml(&d, err) : NULL;
	if (!d.target)
		*err = xstrdup("CD-ROM: no free SATA target");
	free(d.target);
	if (!dev)
		return step(xml, NULL);
	xml = step(xml, be_domxml_add_device(xml, dev, err));
	free(dev);
	return xml;
}

static char *dump(xmlDocPtr doc)
{
	char *s;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlBufferPtr buf = xmlBufferCreate();
	xmlNodeDump(buf, doc, root, 0, 1);
	s = xasprintf("%s\n", (const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return s;
}

static bool any_change(const struct wz_integ *w)
{
	if (w->iso || w->local_iso)
		return true;
	for (int c = 0; c < WZ_CH__N; c++)
		if (w->ch[c] && offered(w, c))
			return true;
	return false;
}

/* The persistent XML before (as libxml2 writes it) and after the changes:
 * the agent channel, disk buses and a new CD-ROM through be_devices (as
 * Settings makes them), then the models and the ISO on the document. */
static int build(const struct wz_integ *w, char **before, char **after, char **err)
{
	xmlDocPtr doc = parse(w->xml);
	char *x, *iso;
	if (!doc) {
		*err = xstrdup("the VM's configuration is not readable XML");
		return -1;
	}
	*before = dump(doc);
	x = xstrdup(*before);
	if (w->ch[WZ_CH_AGENT] && offered(w, WZ_CH_AGENT)) {
		char *ch = agent_channel_xml(err);
		x = ch ? step(x, be_domxml_add_device(x, ch, err)) : step(x, NULL);
		free(ch);
	}
	if (x && w->ch[WZ_CH_DISK] && offered(w, WZ_CH_DISK))
		x = disks_virtio(x, err);
	xmlFreeDoc(doc);
	if (!x || !(doc = parse(x))) {
		if (x && !*err)
			*err = xstrdup("the changed configuration is not readable XML");
		free(x);
		free(*before);
		*before = NULL;
		return -1;
	}
	free(x);
	if (w->ch[WZ_CH_NIC] && offered(w, WZ_CH_NIC))
		nics_virtio(doc);
	if (w->ch[WZ_CH_BALLOON] && offered(w, WZ_CH_BALLOON))
		balloon_virtio(doc);
	if (w->ch[WZ_CH_RNG] && offered(w, WZ_CH_RNG))
		add_rng(doc);
	iso = iso_path(w);
	if (iso && !insert_iso(doc, iso)) {
		x = add_cdrom(dump(doc), iso, err);
		xmlFreeDoc(doc);
		if (!x || !(doc = parse(x))) {
			free(x);
			free(iso);
			free(*before);
			*before = NULL;
			return -1;
		}
		free(x);
	}
	free(iso);
	*after = dump(doc);
	xmlFreeDoc(doc);
	return 0;
}

/* ---- line diff ------------------------------------------------------------------------ */

static void out_add(char **o, size_t *len, size_t *cap, const char *pre, const char *line)
{
	size_t add = strlen(pre) + strlen(line) + 1;
	xgrow(o, cap, *len + add + 1, 1);
	*len += (size_t)snprintf(*o + *len, *cap - *len, "%s%s\n", pre, line);
}

char *wz_integ_line_diff(const char *a, const char *b, int ctx)
{
	size_t na, nb, len = 0, cap = 0;
	char **la = core_split_lines(a, &na), **lb = core_split_lines(b, &nb), *o = NULL;
	/* LCS table, (na+1) x (nb+1): domain XML is a few hundred lines */
	unsigned *t = xcalloc((na + 1) * (nb + 1), sizeof(*t));
	char *ops = xcalloc(na + nb + 1, 1); /* ' ', '-', '+' in order */
	size_t *ia = xcalloc(na + nb + 1, sizeof(*ia)), nops = 0;
	bool *show;
#define T(i, j) t[(i) * (nb + 1) + (j)]
	for (size_t i = na; i-- > 0;)
		for (size_t j = nb; j-- > 0;)
			T(i, j) = strcmp(la[i], lb[j]) == 0 ? T(i + 1, j + 1) + 1
							     : (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	for (size_t i = 0, j = 0; i < na || j < nb;) {
		if (i < na && j < nb && strcmp(la[i], lb[j]) == 0) {
			ops[nops] = ' ';
			ia[nops++] = i++;
			j++;
		} else if (i < na && (j >= nb || T(i + 1, j) >= T(i, j + 1))) {
			ops[nops] = '-'; /* removals before additions */
			ia[nops++] = i++;
		} else {
			ops[nops] = '+';
			ia[nops++] = j++;
		}
	}
#undef T
	show = xcalloc(nops + 1, sizeof(*show));
	for (size_t k = 0; k < nops; k++)
		if (ops[k] != ' ')
			for (long d = -ctx; d <= ctx; d++)
				if ((long)k + d >= 0 && (size_t)((long)k + d) < nops)
					show[(long)k + d] = true;
	for (size_t k = 0; k < nops; k++) {
		if (!show[k])
			continue;
		if (k > 0 && !show[k - 1] && len)
			out_add(&o, &len, &cap, "", "...");
		if (ops[k] == '+')
			out_add(&o, &len, &cap, "+ ", lb[ia[k]]);
		else
			out_add(&o, &len, &cap, ops[k] == '-' ? "- " : "  ", la[ia[k]]);
	}
	free(show);
	free(ops);
	free(ia);
	free(t);
	core_free_lines(la, na);
	core_free_lines(lb, nb);
	return o ? o : xstrdup("");
}

/* ---- core_wizard_ops ------------------------------------------------------------------- */

static const char *integ_page_title(int page)
{
	return page >= 0 && page < WZ_INTEG__N ? page_titles[page] : "";
}

static void pools_free(struct wz_integ *w)
{
	for (size_t i = 0; i < w->npools; i++) {
		free(w->pools[i]);
		free(w->pool_dirs[i]);
	}
	xfree(&w->pools);
	xfree(&w->pool_dirs);
	w->npools = 0;
}

/* The host's active pools with a folder (where an upload goes); the
 * upload pool: the one picked if still there, else "default", else the first. */
static void integ_set_host(void *p, const md_host *h)
{
	struct wz_integ *w = p;
	pools_free(w);
	w->pools = xcalloc((h ? h->npools : 0) + 1, sizeof(char *));
	w->pool_dirs = xcalloc((h ? h->npools : 0) + 1, sizeof(char *));
	for (size_t i = 0; h && i < h->npools; i++)
		if (h->pools[i].active && h->pools[i].path && h->pools[i].name) {
			w->pools[w->npools] = xstrdup(h->pools[i].name);
			w->pool_dirs[w->npools++] = xstrdup(h->pools[i].path);
		}
	if (!upload_dir(w)) {
		core_str_set(&w->upload_pool, w->npools ? w->pools[0] : NULL);
		for (size_t i = 0; i < w->npools; i++)
			if (strcmp(w->pools[i], "default") == 0)
				core_str_set(&w->upload_pool, "default");
	}
}

static void *integ_create(const md_host *h)
{
	struct wz_integ *w = xcalloc(1, sizeof(*w));
	w->os_pick = -1;
	integ_set_host(w, h);
	return w;
}

static void integ_destroy(void *p)
{
	struct wz_integ *w = p;
	if (!w)
		return;
	free(w->xml);
	free(w->live);
	free(w->guest_os);
	free(w->meta_os);
	free(w->disk_buses);
	free(w->nic_models);
	free(w->video);
	free(w->iso);
	free(w->local_iso);
	free(w->upload_pool);
	pools_free(w);
	free(w);
}

static int change_index(const char *id)
{
	for (int c = 0; c < WZ_CH__N; c++)
		if (strcmp(id, wz_integ_change_ids[c]) == 0)
			return c;
	return -1;
}

static int integ_set(void *p, const char *id, const char *value)
{
	struct wz_integ *w = p;
	int c;
	if (!value)
		return -1;
	if (strcmp(id, "xml") == 0) {
		core_str_set(&w->xml, value);
		look(w);
		return w->parsed ? 0 : -1;
	}
	if (strcmp(id, "live") == 0) {
		xmlDocPtr doc;
		core_str_set(&w->live, value);
		w->live_vserial = false;
		if (*value && (doc = parse(value))) {
			xmlXPathObjectPtr r = eval(doc, "/domain/devices/controller[@type='virtio-serial']");
			w->live_vserial = count_nodes(r) > 0;
			xmlXPathFreeObject(r);
			xmlFreeDoc(doc);
		}
		return 0;
	}
	if (strcmp(id, "agent") == 0) {
		w->agent = atoi(value);
		return 0;
	}
	if (strcmp(id, "guest_os") == 0) {
		core_str_set(&w->guest_os, *value ? value : NULL);
		return 0;
	}
	if (strcmp(id, "os") == 0) {
		int k = atoi(value);
		if (k < -1 || k >= (int)CORE_ARRAY_LEN(os_choices))
			return -1;
		w->os_pick = k;
		return 0;
	}
	if (strcmp(id, "drivers") == 0) {
		w->drivers = strcmp(value, "1") == 0;
		return 0;
	}
	if (strcmp(id, "iso") == 0) {
		core_str_set(&w->iso, *value ? value : NULL);
		return 0;
	}
	if (strcmp(id, "local_iso") == 0) {
		core_str_set(&w->local_iso, *value ? value : NULL);
		return 0;
	}
	if (strcmp(id, "upload_pool") == 0) {
		for (size_t i = 0; i < w->npools; i++)
			if (strcmp(w->pools[i], value) == 0) {
				core_str_set(&w->upload_pool, value);
				return 0;
			}
		return -1;
	}
	if (strcmp(id, "restart") == 0) {
		w->restart = strcmp(value, "1") == 0;
		return 0;
	}
	if ((c = change_index(id)) >= 0) {
		w->ch[c] = strcmp(value, "1") == 0;
		return 0;
	}
	return -1;
}

static char *look_text(const struct wz_integ *w)
{
	const char *id = os_id(w);
	return xasprintf("Guest OS: %s%s\n"
			 "Guest agent: %s\n"
			 "Disks: %zu (bus: %s)\n"
			 "Network interfaces: %zu (model: %s)\n"
			 "Memory balloon: %s; random number generator: %s; video: %s\n"
			 "State: %s",
			 id ? id : "unknown", w->meta_os ? " (libosinfo)" : w->guest_os ? " (from the agent)" : "",
			 !w->has_channel ? "no channel" : w->agent == MD_AGENT_UP ? "channel, agent connected"
									      : "channel, agent not connected",
			 w->ndisks, w->disk_buses ? w->disk_buses : "-", w->nnics,
			 w->nic_models ? w->nic_models : "-",
			 w->balloon_virtio ? "virtio" : w->has_balloon ? "yes" : "none", w->has_rng ? "yes" : "none",
			 w->video ? w->video : "none",
			 running(w) ? "running" : "shut off: changes go to the persistent configuration only");
}

static char *integ_get(void *p, const char *id)
{
	struct wz_integ *w = p;
	const char *os = os_id(w);
	int c;
	if (strcmp(id, "look") == 0)
		return look_text(w);
	if (strcmp(id, "xml_read") == 0)
		return xstrdup(w->xml);
	if (strcmp(id, "local_iso") == 0)
		return xstrdup(w->local_iso ? w->local_iso : "");
	if (strcmp(id, "upload_pool") == 0)
		return xstrdup(w->upload_pool ? w->upload_pool : "");
	if (strcmp(id, "iso_path") == 0) {
		char *i = iso_path(w);
		return i ? i : xstrdup("");
	}
	if (strcmp(id, "os_known") == 0)
		return xstrdup(os ? "1" : "0");
	if (strcmp(id, "os_name") == 0)
		return xstrdup(os ? os : "unknown");
	if (strcmp(id, "family") == 0)
		return xstrdup(!os ? "unknown" : os_is_windows(os) ? "windows" : "linux");
	if (strcmp(id, "running") == 0)
		return xstrdup(running(w) ? "1" : "0");
	if (strcmp(id, "os") == 0)
		return xasprintf("%d", w->os_pick);
	if (strcmp(id, "drivers") == 0)
		return xstrdup(w->drivers ? "1" : "0");
	if (strcmp(id, "restart") == 0)
		return xstrdup(w->restart ? "1" : "0");
	if (strcmp(id, "iso") == 0)
		return xstrdup(w->iso ? w->iso : "");
	if (strncmp(id, "offer.", 6) == 0 && (c = change_index(id + 6)) >= 0)
		return offer_text(w, c);
	if ((c = change_index(id)) >= 0)
		return xstrdup(w->ch[c] && offered(w, c) ? "1" : "0");
	return NULL;
}

static char **integ_options(void *p, const char *id, size_t *n)
{
	struct wz_integ *w = p;
	char **v;
	*n = 0;
	if (strcmp(id, "upload_pool") == 0) {
		v = xcalloc(w->npools + 1, sizeof(*v));
		for (size_t i = 0; i < w->npools; i++)
			v[(*n)++] = xstrdup(w->pools[i]);
		return v;
	}
	if (strcmp(id, "os") != 0)
		return NULL;
	v = xcalloc(CORE_ARRAY_LEN(os_choices), sizeof(*v));
	for (size_t i = 0; i < CORE_ARRAY_LEN(os_choices); i++)
		v[(*n)++] = xstrdup(os_choices[i].label);
	return v;
}

/* A local virtio-win ISO: an absolute path to a readable, non-empty .iso
 * file here, not with an ISO on the host too, and a pool to go to. */
static void check_local_iso(const struct wz_integ *w, core_issues *is)
{
	const char *l = w->local_iso;
	size_t n = strlen(l);
	struct stat st;
	if (w->iso)
		core_issue_add(is, "local_iso", false, "virtio-win ISO: give the ISO on the host or a local file, "
						       "not both");
	else if (l[0] != '/' || n < 5 || strcasecmp(l + n - 4, ".iso") != 0)
		core_issue_add(is, "local_iso", false, "Local virtio-win ISO: the absolute path of an .iso file on "
						       "this machine");
	else if (stat(l, &st) < 0 || !S_ISREG(st.st_mode))
		core_issue_add(is, "local_iso", false, "Local virtio-win ISO: no such file on this machine");
	else if (st.st_size == 0)
		core_issue_add(is, "local_iso", false, "Local virtio-win ISO: the file is empty");
	else if (!upload_dir(w))
		core_issue_add(is, "upload_pool", false, "Upload to pool: the host has no active pool with a folder");
}

static int integ_check(void *p, int page, core_issues *is)
{
	struct wz_integ *w = p;
	const char *os = os_id(w);
	core_issues_clear(is);
	if (!w->parsed) {
		core_issue_add(is, "", false, "The VM's configuration could not be read");
		return core_issues_errors(is);
	}
	if (page == WZ_INTEG_LOOK && !os)
		core_issue_add(is, "os", false, "Guest OS: not in the VM's libosinfo data and no agent to ask: "
					       "pick the guest's OS");
	if (page == WZ_INTEG_OFFER) {
		if (w->ch[WZ_CH_DISK] && offered(w, WZ_CH_DISK) && os_is_windows(os) && !w->drivers)
			core_issue_add(is, "ch.disk", false,
				       "Disks to virtio: refused for a Windows guest until the virtio drivers are "
				       "installed (confirm below): Windows cannot boot from a virtio disk without "
				       "them (INACCESSIBLE_BOOT_DEVICE)");
		if (w->iso && (w->iso[0] != '/' || strlen(w->iso) < 5 ||
			       strcasecmp(w->iso + strlen(w->iso) - 4, ".iso") != 0))
			core_issue_add(is, "iso", false, "virtio-win ISO: the absolute path of an .iso file on the host");
		if (w->local_iso)
			check_local_iso(w, is);
		if (!any_change(w) && w->has_channel && !w->iso)
			core_issue_add(is, "", true, "Nothing to change: the VM already has the agent channel");
		if (any_change(w) && !running(w))
			core_issue_add(is, "", true, "The VM is shut off: only its persistent configuration changes");
	}
	return core_issues_errors(is);
}

static int integ_next(void *p, int page)
{
	(void)p;
	return page + 1 < WZ_INTEG__N ? page + 1 : -1;
}

static bool integ_ready(void *p)
{
	core_issues is = { .n = 0 };
	bool ok = integ_check(p, WZ_INTEG_OFFER, &is) == 0 && integ_check(p, WZ_INTEG_LOOK, &is) == 0;
	core_issues_clear(&is);
	return ok;
}

static char *command_text(const struct wz_integ *w)
{
	const char *os = os_id(w), *cmd = wz_integ_install_command(os);
	if (os_is_windows(os))
		return xstrdup("Windows: insert the virtio-win ISO (https://fedorapeople.org/groups/virt/virtio-win/) "
			       "into a CD-ROM and run virtio-win-guest-tools.exe from it: it installs the virtio "
			       "drivers and the QEMU guest agent.");
	if (cmd)
		return xasprintf("In the guest, as root:\n  %s", cmd);
	return xstrdup("Install and start the qemu-guest-agent package of the guest's distribution.");
}

static char *integ_text(void *p, const char *what, char **err)
{
	struct wz_integ *w = p;
	char *before = NULL, *after = NULL, *out;
	if (strcmp(what, "command") == 0)
		return command_text(w);
	if (strcmp(what, "typed") == 0) { /* the command alone, for the serial console */
		const char *cmd = os_is_windows(os_id(w)) ? NULL : wz_integ_install_command(os_id(w));
		if (!cmd)
			*err = xstrdup("no install command is known for this guest");
		return cmd ? xstrdup(cmd) : NULL;
	}
	if (strcmp(what, "device") == 0) {
		if (!(w->ch[WZ_CH_AGENT] && offered(w, WZ_CH_AGENT) && hot_pluggable(w)))
			return NULL;
		return agent_channel_xml(err);
	}
	if (strcmp(what, "diff") != 0 && strcmp(what, "xml") != 0 && strcmp(what, "summary") != 0) {
		*err = xasprintf("unknown text '%s'", what);
		return NULL;
	}
	if (build(w, &before, &after, err) < 0)
		return NULL;
	if (strcmp(what, "xml") == 0) {
		free(before);
		if (!any_change(w)) {
			free(after);
			*err = xstrdup("no change");
			return NULL;
		}
		return after;
	}
	if (strcmp(what, "diff") == 0) {
		out = wz_integ_line_diff(before, after, 2);
		if (!*out) {
			free(out);
			out = xstrdup("(no change to the configuration)");
		}
	} else {
		out = xstrdup("");
		for (int c = 0; c < WZ_CH__N; c++) {
			if (w->ch[c] && offered(w, c)) {
				char *t = offer_text(w, c), *n = xasprintf("%s- %s\n", out, t);
				free(t);
				free(out);
				out = n;
			}
		}
		if (w->iso) {
			char *n2 = xasprintf("%s- Insert the virtio-win ISO %s into a CD-ROM.\n", out, w->iso);
			free(out);
			out = n2;
		} else if (w->local_iso) {
			char *i = iso_path(w), *n2;
			n2 = xasprintf("%s- Upload %s into pool %s at Finish (as %s; a pooled copy with the same "
				       "SHA-256 is used instead) and insert it into a CD-ROM.\n",
				       out, w->local_iso, w->upload_pool ? w->upload_pool : "?", i ? i : "?");
			free(i);
			free(out);
			out = n2;
		}
		char *n = xasprintf("%s%s", *out ? out : "No change to the configuration.\n",
				    running(w) ? (w->restart ? "The VM restarts (turn off, start) after the changes.\n"
							     : hot_pluggable(w) ? "The VM is not restarted: device changes other "
										  "than the agent channel wait for its next "
										  "start.\n"
									: "The VM is not restarted: the device changes "
									  "wait for its next start.\n")
					       : "The VM is shut off: the persistent configuration only.\n");
		free(out);
		out = n;
	}
	free(before);
	free(after);
	return out;
}

const core_wizard_ops wz_integ_ops = {
	.name = "integ",
	.npages = WZ_INTEG__N,
	.page_title = integ_page_title,
	.create = integ_create,
	.destroy = integ_destroy,
	.set_host = integ_set_host,
	.set = integ_set,
	.get = integ_get,
	.options = integ_options,
	.check = integ_check,
	.next = integ_next,
	.ready = integ_ready,
	.text = integ_text,
};
