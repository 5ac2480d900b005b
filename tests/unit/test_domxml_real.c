/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_domxml_real.c - the domain XML matrix (domxml_matrix.h)
 * and hostile names defined on the real libvirtd (qemu:///system), whose
 * QEMU driver checks more than the schema: machine types, firmware (OVMF)
 * for UEFI and Secure Boot, the TPM emulator, disk buses. Each VM is named
 * vmmc-test-PID-domxml-..., defined, read back and undefined at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../../backend/be_domxml.h"
#include "../../backend/be_xml.h"
#include "../../core/util.h"
#include "domxml_matrix.h"
#include "pump.h"

#define SOCK "/run/libvirt/libvirt-sock"

static virConnectPtr conn;
static bool has_kvm; /* the daemon offers <domain type='kvm'> (a machine without /dev/kvm does not) */

static void quiet(void *opaque, virErrorPtr e)
{
	(void)opaque, (void)e;
}

static int group_setup(void **state)
{
	(void)state;
	virSetErrorFunc(NULL, quiet);
	conn = virConnectOpen("qemu:///system");
	if (conn) {
		char *caps = virConnectGetDomainCapabilities(conn, NULL, NULL, "q35", "kvm", 0);
		has_kvm = caps != NULL;
		if (!has_kvm)
			fprintf(stderr, "test_domxml_real: the daemon offers no KVM: the matrix's kvm cases are defined as qemu\n");
		free(caps);
	}
	return conn ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	virConnectClose(conn);
	return 0;
}

/* Define, compare the name and the libosinfo id libvirt kept, undefine
 * (with its NVRAM and TPM state). */
static void define_real(const char *xml, const char *name, const char *os_id)
{
	virDomainPtr d = virDomainDefineXML(conn, xml);
	char *back, *v;
	xmlDocPtr doc;
	if (!d) {
		virErrorPtr e = virGetLastError();
		fail_msg("define failed: %s\n%s", e && e->message ? e->message : "?", xml);
	}
	back = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
	assert_int_equal(virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_TPM), 0);
	virDomainFree(d);
	assert_non_null(back);
	doc = be_xml_parse(back);
	assert_non_null(doc);
	v = be_xml_get(doc, "string(/domain/name)");
	assert_string_equal(v, name);
	free(v);
	v = be_xml_get(doc, "string(/domain/metadata/*[local-name()='libosinfo']/*[local-name()='os']/@id)");
	assert_true(core_str_eq(v, os_id));
	free(v);
	xmlFreeDoc(doc);
	free(back);
}

static void test_matrix_real(void **state)
{
	(void)state;
	for (int i = 0; i < MATRIX_N; i++) {
		struct matrix_case c;
		char *name = xasprintf("vmmc-test-%d-domxml-%02d", (int)getpid(), i);
		char *err = NULL, *xml;
		matrix_case(i, name, &c);
		if (!has_kvm && strcmp(c.s.virt_type, "kvm") == 0)
			c.s.virt_type = "qemu"; /* as the wizard picks from the capabilities */
		xml = be_domxml_build(&c.s, &err);
		if (!xml)
			fail_msg("case %d: %s", i, err);
		define_real(xml, name, c.s.os_id);
		free(xml);
		free(name);
	}
}

static void test_hostile_real(void **state)
{
	static const char *const tails[] = { "a<b&c\"d'e>", "]]><x>", "&amp; sp ace", "$(id) `id` ;|" };
	(void)state;
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		char *name = xasprintf("vmmc-test-%d-domxml-%s", (int)getpid(), tails[i]);
		be_domspec s = base_spec(name);
		char *err = NULL, *xml;
		s.virt_type = "qemu";
		s.machine = NULL;
		s.memory = 128ULL << 20;
		s.kernel = "/nonexistent/vmlinuz <&>";
		s.cmdline = "console=ttyS0 x=\"a&b\"";
		xml = be_domxml_build(&s, &err);
		assert_non_null(xml);
		define_real(xml, name, NULL);
		free(xml);
		free(name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_real),
		cmocka_unit_test(test_hostile_real),
	};
	int rc = real_daemon_gate(SOCK);
	(void)pump_queue; /* pump.h: only the gate here */
	if (rc >= 0)
		return rc;
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
