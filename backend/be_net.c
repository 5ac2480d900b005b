/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_net.c - virtual networks: the list for the model and the
 * network jobs of backend/be_storage.h (worker). XML with libxml2. */
#include "be_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "../core/storage.h"
#include "../core/util.h"
#include "be_storage.h"
#include "be_xml.h"

/* ---- list -------------------------------------------------------------------- */

static int be_net_cmp(const void *a, const void *b)
{
	return strcmp(((const md_net *)a)->name, ((const md_net *)b)->name);
}

#define BE_IPV4 "/network/ip[not(@family) or @family='ipv4'][1]"

/* The first IPv4 <ip> of a network document as a subnet; -1 if none. */
static int be_net_cidr(xmlDocPtr doc, core_cidr *c, char **addr_out)
{
	char *addr = be_xml_get(doc, "string(" BE_IPV4 "/@address)");
	char *prefix = be_xml_get(doc, "string(" BE_IPV4 "/@prefix)");
	char *mask = be_xml_get(doc, "string(" BE_IPV4 "/@netmask)");
	uint32_t a, m;
	int p = -1;

	if (addr && core_ipv4_parse(addr, &a) == 0) {
		if (prefix)
			p = atoi(prefix);
		else if (mask && core_ipv4_parse(mask, &m) == 0)
			p = core_netmask_prefix(m);
		else
			p = 24;
	}
	if (p >= 0 && p <= 32) {
		c->prefix = p;
		c->addr = p ? a & (0xffffffffu << (32 - p)) : 0;
	}
	if (addr_out)
		*addr_out = addr;
	else
		free(addr);
	free(prefix);
	free(mask);
	return p >= 0 && p <= 32 ? 0 : -1;
}

static void be_net_read(virNetworkPtr net, md_net *o)
{
	int autostart = 0;
	char *xml;
	xmlDocPtr doc;
	core_cidr c;

	o->name = xstrdup(virNetworkGetName(net));
	virNetworkGetUUIDString(net, o->uuid);
	o->active = virNetworkIsActive(net) == 1;
	if (virNetworkGetAutostart(net, &autostart) == 0)
		o->autostart = autostart != 0;
	xml = virNetworkGetXMLDesc(net, 0);
	if ((doc = be_xml_parse(xml)) != NULL) {
		o->bridge = be_xml_get(doc, "string(/network/bridge/@name)");
		o->forward = be_xml_get(doc, "string(/network/forward/@mode)");
		if (!o->forward)
			o->forward = xstrdup(be_xml_get(doc, "name(/network/forward)") ? "nat" : "isolated");
		if (be_net_cidr(doc, &c, &o->ipv4) == 0)
			o->prefix = c.prefix;
		o->dhcp_start = be_xml_get(doc, "string(" BE_IPV4 "/dhcp/range[1]/@start)");
		o->dhcp_end = be_xml_get(doc, "string(" BE_IPV4 "/dhcp/range[1]/@end)");
		o->domain = be_xml_get(doc, "string(/network/domain/@name)");
		xmlFreeDoc(doc);
	}
	free(xml);
}

int be_list_nets(be_host *h, char **err)
{
	virNetworkPtr *nets = NULL;
	md_msg *m;
	int n;

	if (!h->conn) {
		*err = xstrdup("not connected");
		return -1;
	}
	if ((n = virConnectListAllNetworks(h->conn, &nets, 0)) < 0)
		return be_list_fail(h, err, MD_MSG_NET_LIST);
	m = md_msg_new(MD_MSG_NET_LIST, h->id);
	m->nets = xcalloc((size_t)n, sizeof(*m->nets));
	m->nnets = (size_t)n;
	for (int i = 0; i < n; i++) {
		be_net_read(nets[i], &m->nets[i]);
		virNetworkFree(nets[i]);
	}
	free(nets);
	if (m->nnets)
		qsort(m->nets, m->nnets, sizeof(*m->nets), be_net_cmp);
	be_post(m);
	return 0;
}

/* ---- subnets in use ---------------------------------------------------------- */

/* The daemon runs on this machine (its routes are ours to read). */
static bool be_host_is_local(const be_host *h)
{
	const char *t = strstr(h->uri, "://");
	if (h->ssh || !t)
		return h->uri[0] == '\0'; /* "" = libvirt's default: local */
	return !memchr(h->uri, '+', (size_t)(t - h->uri)) && t[3] == '/';
}

/* Routes of this machine (/proc/net/route), default route left out. */
static void be_routes(core_cidr **v, size_t *n, size_t *cap)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[512];
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char ifname[64];
		unsigned dest, gw, flags, mask;
		int prefix;
		if (sscanf(line, "%63s %x %x %x %*d %*d %*d %x", ifname, &dest, &gw, &flags, &mask) != 5)
			continue; /* the header */
		prefix = core_netmask_prefix(ntohl(mask));
		if (prefix <= 0)
			continue;
		xgrow(v, cap, *n + 1, sizeof(**v));
		(*v)[*n].addr = ntohl(dest) & ntohl(mask);
		(*v)[(*n)++].prefix = prefix;
	}
	fclose(f);
}

typedef struct be_used_net {
	core_cidr c;
	char *what;   /* "network 'default'" / "a route of this machine" */
} be_used_net;

/* Every subnet in use: the host's networks, and its routes when local. */
static be_used_net *be_used_subnets(be_host *h, size_t *n)
{
	virNetworkPtr *nets = NULL;
	be_used_net *u = NULL;
	core_cidr *routes = NULL;
	size_t cap = 0, nr = 0, rcap = 0;
	int k = virConnectListAllNetworks(h->conn, &nets, 0);

	*n = 0;
	for (int i = 0; i < k; i++) {
		char *xml = virNetworkGetXMLDesc(nets[i], 0);
		xmlDocPtr doc = be_xml_parse(xml);
		core_cidr c;
		free(xml);
		if (doc && be_net_cidr(doc, &c, NULL) == 0) {
			xgrow(&u, &cap, *n + 1, sizeof(*u));
			u[*n].c = c;
			u[(*n)++].what = xasprintf("network \"%s\"", virNetworkGetName(nets[i]));
		}
		xmlFreeDoc(doc);
		virNetworkFree(nets[i]);
	}
	free(nets);
	if (be_host_is_local(h))
		be_routes(&routes, &nr, &rcap);
	for (size_t i = 0; i < nr; i++) {
		char a[16];
		core_ipv4_fmt(routes[i].addr, a, sizeof(a));
		xgrow(&u, &cap, *n + 1, sizeof(*u));
		u[*n].c = routes[i];
		u[(*n)++].what = xasprintf("a route of the host (%s/%d)", a, routes[i].prefix);
	}
	free(routes);
	return u;
}

static void be_used_free(be_used_net *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(u[i].what);
	free(u);
}

/* ---- helpers ------------------------------------------------------------------ */

static void be_net_relist(be_host *h)
{
	char *err = NULL;
	if (be_list_nets(h, &err) < 0)
		free(err);
}

static void be_net_done(be_host *h, const be_job *j, char *text)
{
	be_post_result(h, j, true, text);
	be_net_relist(h);
}

/* ---- create ------------------------------------------------------------------- */

typedef struct be_net_plan {
	core_cidr c;
	char gw[16], start[16], end[16];
} be_net_plan;

static char *be_net_check(be_host *h, const be_net_spec *s, be_net_plan *p)
{
	char *err = NULL, *text;
	uint32_t a, b, gw, last;
	be_used_net *used;
	size_t nused;
	virNetworkPtr other;

	if (core_name_check(s->name, &err) < 0) {
		text = xasprintf("Name: %s", err);
		free(err);
		return text;
	}
	if ((other = virNetworkLookupByName(h->conn, s->name)) != NULL) {
		virNetworkFree(other);
		return xasprintf("Name: a network \"%s\" already exists", s->name);
	}
	if (s->mode < BE_NET_NAT || s->mode > BE_NET_ISOLATED)
		return xstrdup("Mode: choose NAT, routed or isolated");
	if (core_cidr_parse(s->subnet, &p->c, NULL, &err) < 0) {
		text = xasprintf("Subnet: %s", err);
		free(err);
		return text;
	}
	used = be_used_subnets(h, &nused);
	for (size_t i = 0; i < nused; i++) {
		if (core_cidr_overlap(p->c, used[i].c)) {
			text = xasprintf("Subnet: %s overlaps %s", s->subnet, used[i].what);
			be_used_free(used, nused);
			return text;
		}
	}
	be_used_free(used, nused);
	gw = p->c.addr + 1;
	last = p->c.addr + (uint32_t)((1ULL << (32 - p->c.prefix)) - 2);
	core_ipv4_fmt(gw, p->gw, sizeof(p->gw));
	a = gw + 1;
	b = last;
	if (s->dhcp_start && *s->dhcp_start &&
	    (core_ipv4_parse(s->dhcp_start, &a) < 0 || !core_cidr_contains(p->c, a) || a == gw ||
	     a > last))
		return xasprintf("DHCP start: %s is not a free address of %s", s->dhcp_start, s->subnet);
	if (s->dhcp_end && *s->dhcp_end &&
	    (core_ipv4_parse(s->dhcp_end, &b) < 0 || !core_cidr_contains(p->c, b) || b == gw ||
	     b > last))
		return xasprintf("DHCP end: %s is not a free address of %s", s->dhcp_end, s->subnet);
	if (s->dhcp && a > b)
		return xstrdup("DHCP range: the start comes after the end");
	core_ipv4_fmt(a, p->start, sizeof(p->start));
	core_ipv4_fmt(b, p->end, sizeof(p->end));
	if (s->domain && *s->domain && strpbrk(s->domain, " /\\\"'<>&"))
		return xasprintf("DNS domain: \"%s\" is not a domain name", s->domain);
	return NULL;
}

static char *be_net_xml(const be_net_spec *s, const be_net_plan *p)
{
	xmlDocPtr doc = be_xml_new("network");
	xmlNodePtr root = xmlDocGetRootElement(doc), ip, fw;
	char prefix[8], *xml;

	be_xml_add(root, "name", s->name);
	if (s->mode != BE_NET_ISOLATED) {
		fw = be_xml_attr(be_xml_add(root, "forward", NULL), "mode",
				 s->mode == BE_NET_NAT ? "nat" : "route");
		if (s->dev && *s->dev)
			be_xml_attr(fw, "dev", s->dev);
	}
	be_xml_attr(be_xml_attr(be_xml_add(root, "bridge", NULL), "stp", "on"), "delay", "0");
	if (s->domain && *s->domain)
		be_xml_attr(be_xml_attr(be_xml_add(root, "domain", NULL), "name", s->domain),
			    "localOnly", "yes");
	snprintf(prefix, sizeof(prefix), "%d", p->c.prefix);
	ip = be_xml_attr(be_xml_attr(be_xml_add(root, "ip", NULL), "address", p->gw), "prefix", prefix);
	if (s->dhcp) {
		xmlNodePtr range = be_xml_add(be_xml_add(ip, "dhcp", NULL), "range", NULL);
		be_xml_attr(be_xml_attr(range, "start", p->start), "end", p->end);
	}
	xml = be_xml_dump(doc);
	xmlFreeDoc(doc);
	return xml;
}

static void be_net_create(be_host *h, const be_job *j)
{
	const be_net_spec *s = j->arg && *(int *)j->arg == BE_ARG_NET_SPEC ? j->arg : NULL;
	be_net_plan p;
	virNetworkPtr net;
	char *text, *xml;

	if (!s) {
		be_post_result(h, j, false, xstrdup("Could not create network: no description given"));
		return;
	}
	memset(&p, 0, sizeof(p));
	if ((text = be_net_check(h, s, &p)) != NULL) {
		be_post_result(h, j, false, text);
		return;
	}
	xml = be_net_xml(s, &p);
	net = virNetworkDefineXML(h->conn, xml);
	free(xml);
	if (!net) {
		be_post_fail(h, j, s->name);
		return;
	}
	if (virNetworkCreate(net) < 0 || (s->autostart && virNetworkSetAutostart(net, 1) < 0)) {
		be_post_fail(h, j, s->name);
		if (virNetworkIsActive(net) == 1)
			virNetworkDestroy(net);
		virNetworkUndefine(net);
		virNetworkFree(net);
		be_net_relist(h);
		return;
	}
	virNetworkFree(net);
	be_net_done(h, j, xasprintf("Network \"%s\" (%s/%d) created and started", s->name, p.gw,
				    p.c.prefix));
}

/* ---- leases, suggestion ------------------------------------------------------------ */

void be_lease_list_free(void *p)
{
	be_lease_list *l = p;
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].mac);
		free(l->v[i].ip);
		free(l->v[i].hostname);
		free(l->v[i].vm);
	}
	free(l->v);
	free(l->net);
	free(l);
}

static void be_net_leases(be_host *h, const be_job *j, virNetworkPtr net, const char *name)
{
	virNetworkDHCPLeasePtr *leases = NULL;
	be_lease_list *l = xcalloc(1, sizeof(*l));
	md_msg *m = md_msg_new(MD_MSG_NET_LEASES, h->id);
	be_usage u = { NULL, 0 };
	int n = virNetworkGetDHCPLeases(net, NULL, &leases, 0);
	char *err = NULL;

	if (n < 0)
		be_host_fail(h, &err);
	else if (be_usage_load(h->conn, false, &u) < 0)
		be_usage_free(&u);
	l->net = xstrdup(name);
	for (int i = 0; i < n; i++) {
		virNetworkDHCPLeasePtr s = leases[i];
		be_lease *d;
		l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		d = &l->v[l->n++];
		d->mac = xstrdup(s->mac);
		d->ip = xstrdup(s->ipaddr);
		d->prefix = (int)s->prefix;
		d->hostname = xstrdup(s->hostname);
		d->expiry = (int64_t)s->expirytime;
		d->vm = xstrdup(be_usage_mac(&u, s->mac));
		virNetworkDHCPLeaseFree(s);
	}
	free(leases);
	be_usage_free(&u);
	m->seq = j->seq;
	m->op = j->op;
	memcpy(m->uuid, j->uuid, sizeof(m->uuid));
	m->ext = l;
	m->ext_free = be_lease_list_free;
	be_post(m);
	if (err)
		be_post_result(h, j, false, xasprintf("Could not %s \"%s\": %s", be_op_name(j->op), name, err));
	else
		be_post_result(h, j, true, NULL);
	free(err);
}

static void be_net_suggest(be_host *h, const be_job *j)
{
	size_t nused;
	be_used_net *used = be_used_subnets(h, &nused);
	core_cidr *c = xcalloc(nused + 1, sizeof(*c)), out;
	char a[16];

	for (size_t i = 0; i < nused; i++)
		c[i] = used[i].c;
	be_used_free(used, nused);
	if (core_subnet_suggest(c, nused, &out) < 0) {
		be_post_result(h, j, false, xstrdup("No free private /24 subnet is left on this host"));
	} else {
		md_msg *m = md_msg_new(MD_MSG_OP_RESULT, h->id);
		core_ipv4_fmt(out.addr, a, sizeof(a));
		/* in strs, not text: a suggestion is not news for the status line */
		m->ok = true;
		m->op = j->op;
		m->seq = j->seq;
		m->strs = xcalloc(1, sizeof(*m->strs));
		m->strs[0] = xasprintf("%s/%d", a, out.prefix);
		m->nstrs = 1;
		be_post(m);
	}
	free(c);
}

/* ---- dispatch ----------------------------------------------------------------- */

void be_net_job(be_host *h, const be_job *j)
{
	virNetworkPtr net;
	char *name, *bridge;
	int rc = 0;

	if (!h->conn) {
		be_post_result(h, j, false, xasprintf("Could not %s: not connected", be_op_name(j->op)));
		return;
	}
	if (j->op == BE_OP_NET_CREATE) {
		be_net_create(h, j);
		return;
	}
	if (j->op == BE_OP_NET_SUGGEST) {
		be_net_suggest(h, j);
		return;
	}
	if (!(net = virNetworkLookupByUUIDString(h->conn, j->uuid))) {
		be_post_fail(h, j, j->uuid);
		return;
	}
	name = xstrdup(virNetworkGetName(net));
	switch (j->op) {
	case BE_OP_NET_START:
		rc = virNetworkCreate(net);
		break;
	case BE_OP_NET_STOP:
		rc = virNetworkDestroy(net);
		break;
	case BE_OP_NET_AUTOSTART_ON:
	case BE_OP_NET_AUTOSTART_OFF:
		rc = virNetworkSetAutostart(net, j->op == BE_OP_NET_AUTOSTART_ON);
		break;
	case BE_OP_NET_LEASES:
		be_net_leases(h, j, net, name);
		goto out;
	case BE_OP_NET_DELETE: {
		be_usage u;
		size_t nu = 0;
		char **users = NULL, *list;
		bridge = virNetworkIsActive(net) == 1 ? virNetworkGetBridgeName(net) : NULL;
		if (be_usage_load(h->conn, true, &u) == 0) {
			users = be_usage_net(&u, name, bridge, &nu);
			be_usage_free(&u);
		}
		free(bridge);
		if (nu) {
			list = be_names_join(users, nu);
			be_post_result(h, j, false,
				       xasprintf("Could not delete network \"%s\": the running %s %s %s "
						 "connected to it: turn %s off or move %s first",
						 name, nu == 1 ? "VM" : "VMs", list, nu == 1 ? "is" : "are",
						 nu == 1 ? "it" : "them", nu == 1 ? "it" : "them"));
			free(list);
			be_strv_free(&users, &nu);
			goto out;
		}
		if (virNetworkIsActive(net) == 1 && virNetworkDestroy(net) < 0)
			rc = -1;
		else if (virNetworkIsPersistent(net) == 1)
			rc = virNetworkUndefine(net);
		break;
	}
	}
	if (rc < 0) {
		be_post_fail(h, j, name);
		be_net_relist(h);
	} else {
		static const char *const done[] = {
			[BE_OP_NET_START - BE_OP_NET_START] = "started",
			[BE_OP_NET_STOP - BE_OP_NET_START] = "stopped",
			[BE_OP_NET_AUTOSTART_ON - BE_OP_NET_START] = "will start with the host",
			[BE_OP_NET_AUTOSTART_OFF - BE_OP_NET_START] = "will not start with the host",
			[BE_OP_NET_DELETE - BE_OP_NET_START] = "deleted",
		};
		be_net_done(h, j, xasprintf("Network \"%s\" %s", name, done[j->op - BE_OP_NET_START]));
	}
out:
	free(name);
	virNetworkFree(net);
}
