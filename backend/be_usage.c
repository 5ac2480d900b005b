/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_usage.c - which VMs use which volumes, networks and MACs,
 * read from each VM's XML (libxml2) once per be_usage_load. */
#include "be_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "be_xml.h"

static void be_lower(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (char *p = v[i]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
}

static void be_vm_use_read(xmlDocPtr doc, be_vm_use *u)
{
	size_t n2;

	u->paths = be_xml_get_all(doc, "/domain/devices/disk/source/@file | "
				       "/domain/devices/disk/source/@dev | "
				       "/domain/devices/disk/source/@dir", &u->npaths);
	u->spools = be_xml_get_all(doc, "/domain/devices/disk/source[@pool and @volume]/@pool", &u->npv);
	u->svols = be_xml_get_all(doc, "/domain/devices/disk/source[@pool and @volume]/@volume", &n2);
	if (n2 != u->npv) { /* empty attribute values are skipped: drop the pairs */
		be_strv_free(&u->spools, &u->npv);
		be_strv_free(&u->svols, &n2);
	}
	u->nets = be_xml_get_all(doc, "/domain/devices/interface[@type='network']/source/@network",
				 &u->nnets);
	u->bridges = be_xml_get_all(doc, "/domain/devices/interface[@type='bridge']/source/@bridge | "
					 "/domain/devices/interface/source/@bridge",
				    &u->nbridges);
	u->macs = be_xml_get_all(doc, "/domain/devices/interface/mac/@address", &u->nmacs);
	be_lower(u->macs, u->nmacs);
}

int be_usage_load(virConnectPtr conn, bool active_only, be_usage *u)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, active_only ? VIR_CONNECT_LIST_DOMAINS_ACTIVE : 0);

	u->v = NULL;
	u->n = 0;
	if (n < 0)
		return -1;
	u->v = xcalloc((size_t)n + 1, sizeof(*u->v));
	for (int i = 0; i < n; i++) {
		char *xml = virDomainGetXMLDesc(doms[i], 0);
		xmlDocPtr doc = be_xml_parse(xml);
		be_vm_use *vu = &u->v[u->n];

		free(xml);
		if (doc) {
			vu->name = xstrdup(virDomainGetName(doms[i]));
			vu->active = virDomainIsActive(doms[i]) == 1;
			be_vm_use_read(doc, vu);
			xmlFreeDoc(doc);
			u->n++;
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	return 0;
}

void be_usage_free(be_usage *u)
{
	for (size_t i = 0; i < u->n; i++) {
		be_vm_use *v = &u->v[i];
		size_t n = v->npv;
		free(v->name);
		be_strv_free(&v->paths, &v->npaths);
		be_strv_free(&v->spools, &v->npv);
		be_strv_free(&v->svols, &n);
		be_strv_free(&v->nets, &v->nnets);
		be_strv_free(&v->bridges, &v->nbridges);
		be_strv_free(&v->macs, &v->nmacs);
	}
	xfree(&u->v);
	u->n = 0;
}

static bool be_in(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool be_under(char *const *v, size_t n, const char *dir)
{
	size_t len = dir ? strlen(dir) : 0;
	while (len > 1 && dir[len - 1] == '/')
		len--;
	for (size_t i = 0; len && i < n; i++)
		if (strncmp(v[i], dir, len) == 0 && v[i][len] == '/')
			return true;
	return false;
}

static void be_names_add(char ***names, size_t *n, const char *name)
{
	*names = xrealloc(*names, (*n + 1) * sizeof(**names));
	(*names)[(*n)++] = xstrdup(name);
}

char **be_usage_vol(const be_usage *u, const char *path, const char *pool, const char *vol,
		    const char *under, size_t *n)
{
	char **names = NULL;
	*n = 0;
	for (size_t i = 0; i < u->n; i++) {
		const be_vm_use *v = &u->v[i];
		bool hit = be_in(v->paths, v->npaths, path) || be_under(v->paths, v->npaths, under);
		for (size_t k = 0; !hit && pool && k < v->npv; k++)
			hit = strcmp(v->spools[k], pool) == 0 && (!vol || strcmp(v->svols[k], vol) == 0);
		if (hit)
			be_names_add(&names, n, v->name);
	}
	return names;
}

char **be_usage_net(const be_usage *u, const char *net, const char *bridge, size_t *n)
{
	char **names = NULL;
	*n = 0;
	for (size_t i = 0; i < u->n; i++) {
		const be_vm_use *v = &u->v[i];
		if (be_in(v->nets, v->nnets, net) || be_in(v->bridges, v->nbridges, bridge))
			be_names_add(&names, n, v->name);
	}
	return names;
}

const char *be_usage_mac(const be_usage *u, const char *mac)
{
	char low[64];
	size_t i;
	for (i = 0; mac && mac[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)mac[i]);
	low[i] = '\0';
	for (i = 0; mac && i < u->n; i++)
		if (be_in(u->v[i].macs, u->v[i].nmacs, low))
			return u->v[i].name;
	return NULL;
}

char *be_names_join(char *const *names, size_t n)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s'%s'", s, i ? ", " : "", names[i]);
		free(s);
		s = t;
	}
	return s;
}
