/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_domcaps.c - domain capabilities: read, parse (libxml2). */
#include "be_domcaps.h"

#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "../core/util.h"
#include "be_internal.h"
#include "be_xml.h"

static bool xp_has(xmlDocPtr doc, const char *xpath, const char *value)
{
	size_t n = 0;
	char **v = be_xml_get_all(doc, xpath, &n);
	bool r = core_strv_has(v, n, value);
	be_strv_free(&v, &n);
	return r;
}

int be_domcaps_parse(const char *xml, core_domcaps *c, char **err)
{
	xmlDocPtr doc = xml ? be_xml_parse(xml) : NULL;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	core_domcaps_type *t;
	char *type, *s;

	if (!root || xmlStrcmp(root->name, BAD_CAST "domainCapabilities") != 0) {
		*err = xstrdup("not domain capabilities XML");
		xmlFreeDoc(doc);
		return -1;
	}
	type = be_xml_get(doc, "string(/domainCapabilities/domain)");
	t = !type ? NULL : strcmp(type, "kvm") == 0 ? &c->kvm : strcmp(type, "qemu") == 0 ? &c->qemu : NULL;
	if (!t) {
		*err = xasprintf("domain capabilities for virt type '%s', not kvm or qemu", type ? type : "");
		free(type);
		xmlFreeDoc(doc);
		return -1;
	}
	free(type);
	core_domcaps_type_clear(t);
	t->present = true;
	if (!c->arch)
		c->arch = be_xml_get(doc, "string(/domainCapabilities/arch)");
	if (!c->emulator)
		c->emulator = be_xml_get(doc, "string(/domainCapabilities/path)");
	t->machine = be_xml_get(doc, "string(/domainCapabilities/machine)");
	s = be_xml_get(doc, "string(/domainCapabilities/vcpu/@max)");
	t->max_vcpus = s ? (unsigned)strtoul(s, NULL, 10) : 0;
	free(s);

	/* UEFI: the firmware auto-selection offers efi, or loader files exist
	 * (without ovmf both lists are empty) */
	t->loaders = be_xml_get_all(doc, "/domainCapabilities/os[@supported='yes']/loader[@supported='yes']/value",
				    &t->nloaders);
	t->uefi = t->nloaders > 0 ||
		  xp_has(doc, "/domainCapabilities/os[@supported='yes']/enum[@name='firmware']/value", "efi");
	t->secure_boot = t->uefi && xp_has(doc, "/domainCapabilities/os/loader/enum[@name='secure']/value", "yes");

	/* an emulated TPM: libvirt lists backendModel emulator only when swtpm is there */
	if (xp_has(doc, "/domainCapabilities/devices/tpm[@supported='yes']/enum[@name='backendModel']/value",
		   "emulator")) {
		size_t n = 0;
		char **v = be_xml_get_all(doc, "/domainCapabilities/devices/tpm/enum[@name='backendVersion']/value", &n);
		t->tpm = true;
		t->tpm_v2 = n == 0 || core_strv_has(v, n, "2.0");
		be_strv_free(&v, &n);
	}
	t->disk_buses = be_xml_get_all(doc, "/domainCapabilities/devices/disk[@supported='yes']/enum[@name='bus']/value",
				       &t->ndisk_buses);
	t->video_models = be_xml_get_all(
		doc, "/domainCapabilities/devices/video[@supported='yes']/enum[@name='modelType']/value",
		&t->nvideo_models);
	xmlFreeDoc(doc);
	return 0;
}

/* q35 first (Secure Boot needs its SMM), else the emulator's default. */
static void read_type(virConnectPtr conn, const char *type, core_domcaps *c, char **err)
{
	static const char *const machines[] = { "q35", NULL };
	for (size_t i = 0; i < sizeof(machines) / sizeof(*machines); i++) {
		char *xml = virConnectGetDomainCapabilities(conn, NULL, NULL, machines[i], type, 0);
		char *perr = NULL;
		if (!xml) {
			free(*err);
			*err = be_last_error(NULL);
			continue;
		}
		if (be_domcaps_parse(xml, c, &perr) == 0) {
			free(xml);
			return;
		}
		free(*err);
		*err = perr;
		free(xml);
	}
}

core_domcaps *be_domcaps_read(virConnectPtr conn)
{
	core_domcaps *c = xcalloc(1, sizeof(*c));
	char *err = NULL;
	read_type(conn, "kvm", c, &err);
	read_type(conn, "qemu", c, &err);
	if (!c->kvm.present && !c->qemu.present)
		c->error = err ? err : xstrdup("no domain capabilities");
	else
		free(err);
	return c;
}
