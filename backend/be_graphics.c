/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_graphics.c - see be_graphics.h */
#include "be_graphics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>

#include "../core/log.h"
#include "../core/util.h"
#include "../remote/rm_ssh.h"
#include "be_internal.h"
#include "be_xml.h"

/* One open graphical console of the host (worker): what to undo. */
struct be_gfx {
	uint64_t seq;                    /* the OPEN job's */
	char uuid[VIR_UUID_STRING_BUFLEN];
	char *name;
	int lport;                       /* the forward's local port, 0 none */
};

/* ---- the XML --------------------------------------------------------------- */

void be_graphics_spec_clear(be_graphics_spec *g)
{
	free(g->type);
	free(g->listen);
	free(g->socket);
	memset(g, 0, sizeof *g);
}

static char *attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *r = v && v[0] ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return r;
}

static int attr_int(xmlNodePtr n, const char *name)
{
	char *v = attr(n, name), *end = NULL;
	long l = v ? strtol(v, &end, 10) : 0;
	int r = v && end && !*end && l > 0 && l <= 65535 ? (int)l : 0;
	free(v);
	return r;
}

/* The <listen> children say more than the attributes: an address, a
 * socket, or none. */
static void parse_listens(xmlNodePtr gr, be_graphics_spec *g)
{
	for (xmlNodePtr c = gr->children; c; c = c->next) {
		char *type;
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "listen") != 0)
			continue;
		type = attr(c, "type");
		if (type && strcmp(type, "socket") == 0) {
			char *s = attr(c, "socket");
			if (s) {
				free(g->socket);
				g->socket = s;
			}
		} else if (type && (strcmp(type, "address") == 0 || strcmp(type, "network") == 0)) {
			char *a = attr(c, "address");
			if (a) {
				free(g->listen);
				g->listen = a;
			}
		}
		free(type);
		break; /* the first one is the one used */
	}
}

int be_graphics_parse(const char *xml, be_graphics_spec *out, char **err)
{
	xmlDocPtr doc = xml ? be_xml_parse(xml) : NULL;
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr res = NULL;
	bool other = false;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (!doc) {
		*err = xstrdup("the VM's definition could not be read (not XML)");
		return -1;
	}
	ctx = xmlXPathNewContext(doc);
	res = ctx ? xmlXPathEvalExpression((const xmlChar *)"/domain/devices/graphics", ctx) : NULL;
	for (int i = 0; res && res->nodesetval && i < res->nodesetval->nodeNr; i++) {
		xmlNodePtr n = res->nodesetval->nodeTab[i];
		char *type = attr(n, "type"), *pw;
		if (!type || (strcmp(type, "vnc") != 0 && strcmp(type, "spice") != 0)) {
			other = true;
			free(type);
			continue;
		}
		out->type = type;
		out->port = attr_int(n, "port");
		out->tls_port = strcmp(type, "spice") == 0 ? attr_int(n, "tlsPort") : 0;
		out->listen = attr(n, "listen");
		out->socket = attr(n, "socket");
		parse_listens(n, out);
		if (out->socket)
			xfree(&out->listen);
		pw = attr(n, "passwd");
		out->password = pw != NULL;
		xfree_secret(&pw);
		rc = 0;
		break;
	}
	/* no copy of a password left in freed memory */
	for (int i = 0; res && res->nodesetval && i < res->nodesetval->nodeNr; i++) {
		xmlAttrPtr a = xmlHasProp(res->nodesetval->nodeTab[i], (const xmlChar *)"passwd");
		for (xmlNodePtr t = a ? a->children : NULL; t; t = t->next)
			if (t->content)
				explicit_bzero(t->content, strlen((const char *)t->content));
	}
	if (rc < 0)
		*err = xstrdup(other ? "the VM's display is neither VNC nor SPICE: no graphical console"
				     : "the VM has no graphical display (VNC or SPICE)");
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return rc;
}

void be_graphics_free(void *p)
{
	be_graphics *g = p;
	if (!g)
		return;
	free(g->type);
	free(g->name);
	free(g->addr);
	free(g->remote);
	free(g->via);
	free(g->uri);
	free(g);
}

/* ---- the worker's side --------------------------------------------------- */

/* Where a viewer on the host itself would connect for a listen address. */
static const char *host_side_addr(const char *listen)
{
	if (!listen || !listen[0] || strcmp(listen, "0.0.0.0") == 0)
		return "127.0.0.1";
	if (strcmp(listen, "::") == 0 || strcmp(listen, "[::]") == 0)
		return "::1";
	return listen;
}

static void gfx_drop(be_host *h, size_t i, const char *why)
{
	struct be_gfx *e = &h->gfx[i];
	if (e->lport > 0 && h->rs)
		rm_ssh_unforward(h->rs, e->lport);
	core_log("graphics", "%s: %s: forward %d closed: %s", h->uri, e->name, e->lport, why ? why : "asked");
	if (why) {
		md_msg *m = md_msg_new(MD_MSG_OP_RESULT, h->id);
		m->ok = true;
		m->op = BE_OP_GRAPHICS_CLOSE;
		m->seq = e->seq;
		memcpy(m->uuid, e->uuid, sizeof m->uuid);
		m->text = e->lport > 0 ? xasprintf("Graphical console of '%s': the forward at 127.0.0.1:%d is "
						  "closed (%s)", e->name, e->lport, why)
				       : xasprintf("Graphical console of '%s': %s", e->name, why);
		be_post(m);
	}
	free(e->name);
	h->gfx[i] = h->gfx[--h->ngfx];
}

/* Fill g from the spec for host h; a forward for ssh:// hosts. */
static int gfx_reach(be_host *h, const be_graphics_spec *sp, be_graphics *g, int *lport, char **err)
{
	int port = sp->port > 0 ? sp->port : sp->tls_port;
	const char *rhost = host_side_addr(sp->listen);

	*lport = 0;
	g->tls = sp->port <= 0 && sp->tls_port > 0;
	if (!sp->socket && port <= 0) {
		*err = xstrdup("the display has no port (the VM is not running, or its listen type is none)");
		return -1;
	}
	g->remote = sp->socket ? xstrdup(sp->socket)
		    : strchr(rhost, ':') ? xasprintf("[%s]:%d", rhost, port) : xasprintf("%s:%d", rhost, port);
	if (h->ssh) {
		if (!h->rs || !rm_ssh_is_alive(h->rs)) {
			*err = xstrdup("the host's SSH session is not up");
			return -1;
		}
		if (rm_ssh_forward_tcp(h->rs, sp->socket ? NULL : rhost, port, sp->socket, lport, err) < 0)
			return -1;
		g->addr = xstrdup("127.0.0.1");
		g->port = *lport;
		g->forwarded = true;
		g->via = xstrdup(rm_ssh_target(h->rs));
		return 0;
	}
	if (be_conn_is_remote(h)) {
		g->uri = xstrdup(h->uri);
		return 0;
	}
	g->addr = xstrdup(sp->socket ? sp->socket : rhost);
	g->port = sp->socket ? 0 : port;
	return 0;
}

static void gfx_open(be_host *h, const be_job *j)
{
	virDomainPtr dom = virDomainLookupByUUIDString(h->conn, j->uuid);
	be_graphics_spec sp = { 0 };
	be_graphics *g = NULL;
	char *xml = NULL, *err = NULL, *name = NULL;
	int lport = 0;
	md_msg *m;

	if (!dom) {
		be_post_fail(h, j, j->uuid);
		return;
	}
	name = xstrdup(virDomainGetName(dom));
	if (virDomainIsActive(dom) != 1) {
		be_post_result(h, j, false, xasprintf("Could not open the graphical console of \"%s\": "
						      "the VM is not running", name));
		goto out;
	}
	/* without VIR_DOMAIN_XML_SECURE: the display's password never comes
	 * here (libvirt's and libxml2's buffers would keep copies in freed
	 * memory); the viewer asks for it */
	xml = virDomainGetXMLDesc(dom, 0);
	if (!xml) {
		be_post_fail(h, j, name);
		goto out;
	}
	if (be_graphics_parse(xml, &sp, &err) < 0 || (g = xcalloc(1, sizeof *g),
						     gfx_reach(h, &sp, g, &lport, &err) < 0)) {
		be_post_result(h, j, false, xasprintf("Could not open the graphical console of \"%s\": %s",
						      name, err));
		goto out;
	}
	g->type = xstrdup(sp.type);
	g->name = xstrdup(name);
	g->password = sp.password;
	xgrow(&h->gfx, &h->ngfx_cap, h->ngfx + 1, sizeof *h->gfx);
	h->gfx[h->ngfx++] = (struct be_gfx){ .seq = j->seq, .name = xstrdup(name), .lport = lport };
	memcpy(h->gfx[h->ngfx - 1].uuid, j->uuid, sizeof j->uuid);
	core_log("graphics", "%s: %s: %s display at %s, reached at %s:%d", h->uri, name, g->type,
		 g->remote, g->addr ? g->addr : "(the viewer's own connection)", g->port);
	m = md_msg_new(MD_MSG_OP_RESULT, h->id);
	m->ok = true;
	m->op = j->op;
	m->seq = j->seq;
	memcpy(m->uuid, j->uuid, sizeof m->uuid);
	m->ext = g;
	m->ext_free = be_graphics_free;
	g = NULL;
	be_post(m);
out:
	if (xml) {
		explicit_bzero(xml, strlen(xml));
		free(xml);
	}
	be_graphics_free(g);
	be_graphics_spec_clear(&sp);
	free(err);
	free(name);
	virDomainFree(dom);
}

void be_graphics_job(be_host *h, const be_job *j)
{
	if (j->op == BE_OP_GRAPHICS_OPEN) {
		gfx_open(h, j);
		return;
	}
	/* CLOSE: arg is the OPEN job's seq */
	for (size_t i = 0; j->arg && i < h->ngfx; i++) {
		if (h->gfx[i].seq == *(const uint64_t *)j->arg) {
			gfx_drop(h, i, NULL);
			break;
		}
	}
	be_post_result(h, j, true, NULL);
}

void be_graphics_vm_event(be_host *h, const char *uuid)
{
	virDomainPtr dom = NULL;
	bool active = true, looked = false;
	for (size_t i = 0; i < h->ngfx;) {
		if (strcmp(h->gfx[i].uuid, uuid) != 0) {
			i++;
			continue;
		}
		if (!looked) {
			looked = true;
			dom = h->conn ? virDomainLookupByUUIDString(h->conn, uuid) : NULL;
			active = dom && virDomainIsActive(dom) == 1;
		}
		if (active) {
			i++;
			continue;
		}
		gfx_drop(h, i, dom ? "the VM stopped" : "the VM is gone");
	}
	if (dom)
		virDomainFree(dom);
}

void be_graphics_host_closing(be_host *h)
{
	while (h->ngfx)
		gfx_drop(h, h->ngfx - 1, "the host's connection closed");
	free(h->gfx);
	h->gfx = NULL;
	h->ngfx_cap = 0;
}
