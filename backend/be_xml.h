/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_xml.h - libxml2 helpers for the storage and network code:
 * parse quietly, read values by XPath, build documents (libxml2 escapes
 * text and attributes: names with < & " ' round-trip). */
#ifndef BACKEND_BE_XML_H
#define BACKEND_BE_XML_H

#include <stddef.h>

#include <libxml/tree.h>

/* No network, no entities, no noise on the terminal; NULL when not XML. */
xmlDocPtr be_xml_parse(const char *xml);
/* The string value of an XPath expression ("string(/pool/@type)" or a
 * path: its first node's text); NULL when empty or absent. Caller frees. */
char *be_xml_get(xmlDocPtr doc, const char *xpath);
/* The string values of every node the expression selects. */
char **be_xml_get_all(xmlDocPtr doc, const char *xpath, size_t *n);
/* Serialize (caller frees). */
char *be_xml_dump(xmlDocPtr doc);

/* Building: a new document with root element name. */
xmlDocPtr be_xml_new(const char *root);
/* A child element, with text when text != NULL (escaped). */
xmlNodePtr be_xml_add(xmlNodePtr parent, const char *name, const char *text);
/* An attribute (escaped); value NULL: nothing. Returns node. */
xmlNodePtr be_xml_attr(xmlNodePtr node, const char *name, const char *value);

void be_strv_free(char ***v, size_t *n);

#endif
