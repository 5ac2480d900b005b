/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_demo.c - settings of a test-driver file that the driver cannot
 * express itself. data/demo-host.xml lists them in its <node>:
 *   <vmmc:demo xmlns:vmmc='urn:x-vmmc:demo:1'>
 *     <vmmc:autostart domain='web01'/> <vmmc:autostart network='default'/>
 *   </vmmc:demo>
 * and they are applied after connecting to test:///PATH. Each test:///PATH
 * connection holds its own in-memory copy, so nothing else is touched. */
#include "be_internal.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "../core/util.h"

#define BE_DEMO_NS "urn:x-vmmc:demo:1"

static char *be_demo_path(const char *uri)
{
	const char *p;
	if (strncmp(uri, "test:///", 8) != 0)
		return NULL;
	p = uri + strlen("test://");
	if (strncmp(p, "/default", 8) == 0 && (p[8] == '\0' || p[8] == '?'))
		return NULL;
	return xstrndup(p, strcspn(p, "?"));
}

static void be_demo_autostart(virConnectPtr conn, xmlNodePtr node)
{
	xmlChar *dom_name = xmlGetProp(node, BAD_CAST "domain");
	xmlChar *net_name = xmlGetProp(node, BAD_CAST "network");

	if (dom_name) {
		virDomainPtr d = virDomainLookupByName(conn, (const char *)dom_name);
		if (d) {
			virDomainSetAutostart(d, 1);
			virDomainFree(d);
		}
	}
	if (net_name) {
		virNetworkPtr n = virNetworkLookupByName(conn, (const char *)net_name);
		if (n) {
			virNetworkSetAutostart(n, 1);
			virNetworkFree(n);
		}
	}
	xmlFree(dom_name);
	xmlFree(net_name);
}

void be_demo_seed(be_host *h)
{
	char *path = be_demo_path(h->uri);
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr res = NULL;

	if (!path)
		return;
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(path);
	if (!doc)
		return;
	ctx = xmlXPathNewContext(doc);
	if (ctx && xmlXPathRegisterNs(ctx, BAD_CAST "vmmc", BAD_CAST BE_DEMO_NS) == 0)
		res = xmlXPathEvalExpression(BAD_CAST "/node/vmmc:demo/vmmc:autostart", ctx);
	for (int i = 0; res && res->nodesetval && i < res->nodesetval->nodeNr; i++)
		be_demo_autostart(h->conn, res->nodesetval->nodeTab[i]);
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
}
