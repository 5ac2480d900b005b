/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_xml.c - see be_xml.h. */
#include "be_xml.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "../core/util.h"

xmlDocPtr be_xml_parse(const char *xml)
{
	if (!xml)
		return NULL;
	return xmlReadMemory(xml, (int)strlen(xml), "libvirt.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static xmlXPathObjectPtr be_xml_eval(xmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr res = ctx ? xmlXPathEvalExpression(BAD_CAST xpath, ctx) : NULL;
	xmlXPathFreeContext(ctx);
	return res;
}

char *be_xml_get(xmlDocPtr doc, const char *xpath)
{
	xmlXPathObjectPtr res = be_xml_eval(doc, xpath);
	xmlChar *s = NULL;
	char *out = NULL;

	if (!res)
		return NULL;
	if (res->type == XPATH_STRING)
		s = xmlStrdup(res->stringval);
	else if (res->type == XPATH_NODESET && res->nodesetval && res->nodesetval->nodeNr > 0)
		s = xmlNodeGetContent(res->nodesetval->nodeTab[0]);
	if (s && *s)
		out = xstrdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(res);
	return out;
}

char **be_xml_get_all(xmlDocPtr doc, const char *xpath, size_t *n)
{
	xmlXPathObjectPtr res = be_xml_eval(doc, xpath);
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	for (int i = 0; res && res->nodesetval && i < res->nodesetval->nodeNr; i++) {
		xmlChar *s = xmlNodeGetContent(res->nodesetval->nodeTab[i]);
		if (s && *s) {
			xgrow(&v, &cap, *n + 1, sizeof(*v));
			v[(*n)++] = xstrdup((const char *)s);
		}
		xmlFree(s);
	}
	xmlXPathFreeObject(res);
	return v;
}

char *be_xml_dump(xmlDocPtr doc)
{
	xmlChar *buf = NULL;
	int len = 0;
	char *out;
	xmlDocDumpFormatMemory(doc, &buf, &len, 1);
	out = xstrdup(buf ? (const char *)buf : "");
	xmlFree(buf);
	return out;
}

xmlDocPtr be_xml_new(const char *root)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlDocSetRootElement(doc, xmlNewNode(NULL, BAD_CAST root));
	return doc;
}

xmlNodePtr be_xml_add(xmlNodePtr parent, const char *name, const char *text)
{
	/* xmlNewTextChild escapes; xmlNewChild would not */
	return xmlNewTextChild(parent, NULL, BAD_CAST name, text ? BAD_CAST text : NULL);
}

xmlNodePtr be_xml_attr(xmlNodePtr node, const char *name, const char *value)
{
	if (value)
		xmlSetProp(node, BAD_CAST name, BAD_CAST value);
	return node;
}

void be_strv_free(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	xfree(v);
	*n = 0;
}
