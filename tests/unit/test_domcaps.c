/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_domcaps.c - domain capabilities: parsing real XML (saved
 * from `virsh domcapabilities --machine q35` on the test machine, kvm and
 * qemu) and a hand-made host without OVMF or swtpm; the model keeping
 * them; what the New VM wizard offers and refuses with each (through the
 * table main registers: create and set_host read md_host.domcaps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../backend/be_domcaps.h"
#include "../../core/util.h"
#include "../../wizards/newvm.h"

#define FIX "tests/fixtures/domcaps/"

static be_osinfo *db;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	if (!f)
		fail_msg("cannot open %s", path);
	buf = xcalloc(1, 1 << 20);
	len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	assert_true(len > 0);
	return buf;
}

static void parse_into(core_domcaps *c, const char *file)
{
	char *err = NULL, *xml = slurp(file);
	if (be_domcaps_parse(xml, c, &err) < 0)
		fail_msg("%s: %s", file, err);
	free(xml);
}

/* this machine: both virt types, as the worker reads them */
static core_domcaps *here(void)
{
	core_domcaps *c = xcalloc(1, sizeof(*c));
	parse_into(c, FIX "kvm-q35.xml");
	parse_into(c, FIX "qemu-q35.xml");
	return c;
}

static core_domcaps *no_ovmf(void)
{
	core_domcaps *c = xcalloc(1, sizeof(*c));
	parse_into(c, FIX "qemu-noovmf.xml");
	return c;
}

static int group_setup(void **state)
{
	char *err = NULL;
	db = be_osinfo_load(NULL, &err);
	if (!db)
		fprintf(stderr, "osinfo: %s\n", err);
	return db ? 0 : -1;
}

static int group_teardown(void **state)
{
	be_osinfo_free(&db);
	return 0;
}

/* ---- parsing ----------------------------------------------------------------------- */

static void test_parse_real(void **state)
{
	core_domcaps *c = here();
	assert_string_equal(c->arch, "x86_64");
	assert_string_equal(c->emulator, "/usr/bin/qemu-system-x86_64");
	assert_null(c->error);
	for (int i = 0; i < 2; i++) {
		const core_domcaps_type *t = i ? &c->qemu : &c->kvm;
		assert_true(t->present);
		assert_string_equal(t->machine, "pc-q35-7.2");
		assert_int_equal(t->max_vcpus, 288);
		assert_true(t->uefi);
		assert_true(t->secure_boot);
		assert_int_equal(t->nloaders, 3);
		assert_true(core_strv_has(t->loaders, t->nloaders, "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"));
		assert_true(t->tpm);
		assert_true(t->tpm_v2);
		assert_true(core_strv_has(t->disk_buses, t->ndisk_buses, "virtio"));
		assert_true(core_strv_has(t->disk_buses, t->ndisk_buses, "sata"));
		assert_false(core_strv_has(t->disk_buses, t->ndisk_buses, "ide")); /* q35 has no IDE */
		assert_true(core_strv_has(t->video_models, t->nvideo_models, "virtio"));
	}
	assert_ptr_equal(core_domcaps_pick(c, true), &c->qemu);
	assert_ptr_equal(core_domcaps_pick(c, false), &c->kvm);
	core_domcaps_free(&c);
	assert_null(c);
}

static void test_parse_no_ovmf(void **state)
{
	core_domcaps *c = no_ovmf();
	const core_domcaps_type *t = &c->qemu;
	assert_false(c->kvm.present);
	assert_true(t->present);
	assert_false(t->uefi);
	assert_false(t->secure_boot);
	assert_int_equal(t->nloaders, 0);
	assert_false(t->tpm);
	assert_int_equal(t->max_vcpus, 64);
	/* only qemu answered: it serves either wish */
	assert_ptr_equal(core_domcaps_pick(c, false), &c->qemu);
	core_domcaps_free(&c);
}

static void test_parse_bad(void **state)
{
	core_domcaps *c = xcalloc(1, sizeof(*c));
	char *err = NULL;
	assert_int_equal(be_domcaps_parse("not xml <", c, &err), -1);
	assert_non_null(err);
	xfree(&err);
	assert_int_equal(be_domcaps_parse("<capabilities><host/></capabilities>", c, &err), -1);
	assert_string_equal(err, "not domain capabilities XML");
	xfree(&err);
	assert_int_equal(be_domcaps_parse("<domainCapabilities><domain>xen</domain></domainCapabilities>", c,
					  &err), -1);
	assert_non_null(strstr(err, "'xen'"));
	xfree(&err);
	assert_int_equal(be_domcaps_parse(NULL, c, &err), -1);
	xfree(&err);
	assert_false(c->kvm.present || c->qemu.present);
	/* a loader with secure='yes' but no firmware at all is no Secure Boot */
	assert_int_equal(be_domcaps_parse("<domainCapabilities><domain>kvm</domain><vcpu max='8'/><os supported='yes'>"
					  "<loader supported='yes'><enum name='secure'><value>yes</value></enum>"
					  "</loader></os></domainCapabilities>", c, &err), 0);
	assert_true(c->kvm.present);
	assert_false(c->kvm.uefi || c->kvm.secure_boot);
	assert_int_equal(c->kvm.max_vcpus, 8);
	core_domcaps_free(&c);
}

/* ---- the model ------------------------------------------------------------------------ */

static void test_model_keeps(void **state)
{
	md_model *m = md_model_new();
	md_host *h = md_host_add(m, 7, "qemu:///system");
	uint64_t gen = h->gen;
	md_msg *msg = md_msg_new(MD_MSG_DOMCAPS, 7);
	msg->ext = here();
	msg->ext_free = core_domcaps_free_void;
	assert_true(md_apply(m, msg) != 0);
	assert_null(msg->ext); /* taken */
	md_msg_free(&msg);
	assert_non_null(h->domcaps);
	assert_true(h->domcaps->kvm.present);
	assert_true(h->gen > gen);
	/* the next connection's replace them */
	msg = md_msg_new(MD_MSG_DOMCAPS, 7);
	msg->ext = no_ovmf();
	msg->ext_free = core_domcaps_free_void;
	md_apply(m, msg);
	md_msg_free(&msg);
	assert_false(h->domcaps->kvm.present);
	/* a payload of another kind is not taken */
	msg = md_msg_new(MD_MSG_DOMCAPS, 7);
	msg->ext = xstrdup("x");
	msg->ext_free = free;
	assert_int_equal(md_apply(m, msg), 0);
	assert_non_null(msg->ext);
	md_msg_free(&msg);
	assert_false(h->domcaps->kvm.present);
	md_model_free(&m); /* frees them (ASan) */
}

/* ---- the wizard ----------------------------------------------------------------------- */

static md_host *host_with(md_model *m, core_domcaps *dc)
{
	md_host *h = md_host_add(m, 1, "qemu:///system");
	h->conn = MD_CONN_CONNECTED;
	h->domcaps = dc;
	return h;
}

static wz_newvm *open_wizard(const md_host *h)
{
	wz_newvm *w = wz_newvm_ops.create(h);
	wz_newvm_set_osinfo(w, db); /* the UI's shared one loads on a thread */
	assert_int_equal(wz_newvm_set_value(w, "name", "vmmc-test-caps"), 0);
	assert_int_equal(wz_newvm_set_value(w, "source", "3"), 0); /* PXE */
	assert_int_equal(wz_newvm_set_value(w, "disk", "2"), 0);   /* none */
	return w;
}

static void want_value(wz_newvm *w, const char *id, const char *want)
{
	char *v = wz_newvm_get_value(w, id);
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static const char *issue(wz_newvm *w, int page, const char *field, bool *warning, char *buf, size_t len)
{
	core_issues is = { 0 };
	const core_issue *i;
	wz_newvm_check(w, page, &is);
	i = core_issues_for(&is, field);
	buf[0] = 0;
	if (i) {
		snprintf(buf, len, "%s", i->text);
		if (warning)
			*warning = i->warning;
	}
	core_issues_clear(&is);
	return i ? buf : NULL;
}

static void test_wizard_here(void **state)
{
	md_model *m = md_model_new();
	md_host *h = host_with(m, here());
	wz_newvm *w;
	wz_choices *c;
	const wz_host *wh;
	char *xml, *err = NULL, *sum, buf[256];

	unsetenv("VMMC_ACCEL");
	w = open_wizard(h);
	c = wz_newvm_choices(w);
	wh = wz_newvm_host(w);
	assert_true(wh->caps.known);
	assert_true(wh->caps.kvm);
	assert_false(wh->caps.kvm_default);
	assert_true(wh->caps.uefi && wh->caps.secure_boot && wh->caps.tpm);
	assert_int_equal(wh->caps.max_vcpus, 288);
	assert_string_equal(wh->caps.machine, "pc-q35-7.2");
	want_value(w, "offers", "UEFI, Secure Boot, TPM 2.0, KVM, TCG; pc-q35-7.2, up to 288 vCPUs");
	/* KVM offered, TCG the default (TESTBED.md: KVM guests do not run here) */
	assert_true(c->tcg);
	assert_true(wz_newvm_page_applies(w, WZ_PAGE_FIRMWARE));
	/* an OS that needs UEFI: UEFI, Secure Boot and a TPM, all offered */
	assert_int_equal(wz_newvm_set_os(w, "win11", true), 0);
	assert_int_equal(c->firmware, BE_FW_UEFI);
	assert_true(c->secure_boot);
	assert_true(c->tpm);
	assert_int_equal(wz_newvm_check(w, WZ_PAGE_FIRMWARE, &(core_issues){ 0 }), 0);
	xml = wz_newvm_xml(w, &err);
	if (!xml)
		fail_msg("xml: %s", err);
	assert_non_null(strstr(xml, "<domain type=\"qemu\""));
	assert_non_null(strstr(xml, "machine=\"pc-q35-7.2\""));
	assert_non_null(strstr(xml, "name=\"secure-boot\""));
	assert_non_null(strstr(xml, "<tpm"));
	free(xml);
	sum = wz_newvm_summary(w);
	assert_non_null(strstr(sum, "Accelerator:  TCG (software emulation, KVM not default)\n"));
	assert_non_null(strstr(sum, "Machine:      pc-q35-7.2"));
	assert_non_null(strstr(sum, "UEFI, Secure Boot, TPM 2.0"));
	free(sum);
	/* KVM is one choice away, and then said so */
	assert_int_equal(wz_newvm_set_value(w, "accel", "0"), 0);
	assert_null(issue(w, WZ_PAGE_FIRMWARE, "accel", NULL, buf, sizeof(buf)));
	sum = wz_newvm_summary(w);
	assert_non_null(strstr(sum, "Accelerator:  KVM (hardware virtualization)"));
	free(sum);
	/* max vCPUs from the capabilities */
	assert_int_equal(wz_newvm_set_value(w, "vcpus", "288"), 0);
	assert_int_equal(wz_newvm_check(w, WZ_PAGE_MEMORY, &(core_issues){ 0 }), 0); /* a warning at most */
	assert_int_equal(wz_newvm_set_value(w, "vcpus", "289"), 0);
	assert_non_null(issue(w, WZ_PAGE_MEMORY, "vcpus", NULL, buf, sizeof(buf)));
	assert_string_equal(buf, "at most 288");
	wz_newvm_free(&w);

	/* VMMC_ACCEL=kvm: KVM by default */
	setenv("VMMC_ACCEL", "kvm", 1);
	w = open_wizard(h);
	c = wz_newvm_choices(w);
	assert_true(wz_newvm_host(w)->caps.kvm_default);
	assert_false(c->tcg);
	xml = wz_newvm_xml(w, &err);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<domain type=\"kvm\""));
	free(xml);
	wz_newvm_free(&w);
	unsetenv("VMMC_ACCEL");
	md_model_free(&m);
}

static void test_wizard_no_ovmf(void **state)
{
	md_model *m = md_model_new();
	md_host *h = host_with(m, no_ovmf());
	wz_newvm *w;
	wz_choices *c;
	char *sum, buf[256];
	bool warning = false;

	setenv("VMMC_ACCEL", "kvm", 1); /* no KVM there: TCG all the same */
	w = open_wizard(h);
	unsetenv("VMMC_ACCEL");
	c = wz_newvm_choices(w);
	assert_true(wz_newvm_host(w)->caps.known);
	assert_false(wz_newvm_host(w)->caps.uefi);
	want_value(w, "offers", "BIOS only, TCG; pc-q35-7.2, up to 64 vCPUs");
	assert_true(c->tcg);
	/* nothing to choose: no UEFI firmware, no KVM */
	assert_false(wz_newvm_page_applies(w, WZ_PAGE_FIRMWARE));
	/* an OS that needs UEFI gets BIOS, and a warning says why */
	assert_int_equal(wz_newvm_set_os(w, "win11", true), 0);
	assert_int_equal(c->firmware, BE_FW_BIOS);
	assert_false(c->secure_boot);
	assert_false(c->tpm);
	assert_non_null(issue(w, WZ_PAGE_FIRMWARE, "firmware", &warning, buf, sizeof(buf)));
	assert_true(warning);
	assert_non_null(strstr(buf, "needs UEFI"));
	/* asked for anyway: refused, beside the field */
	wz_newvm_set_value(w, "firmware", "1");
	assert_non_null(issue(w, WZ_PAGE_FIRMWARE, "firmware", &warning, buf, sizeof(buf)));
	assert_false(warning);
	assert_string_equal(buf, "the host has no UEFI firmware (install ovmf there)");
	wz_newvm_set_value(w, "secure_boot", "1");
	assert_non_null(issue(w, WZ_PAGE_FIRMWARE, "secure_boot", NULL, buf, sizeof(buf)));
	assert_string_equal(buf, "the host's UEFI firmware has no Secure Boot");
	wz_newvm_set_value(w, "tpm", "1");
	assert_non_null(issue(w, WZ_PAGE_FIRMWARE, "tpm", NULL, buf, sizeof(buf)));
	assert_string_equal(buf, "the host has no TPM emulator (install swtpm there)");
	wz_newvm_set_value(w, "accel", "0");
	assert_non_null(issue(w, WZ_PAGE_FIRMWARE, "accel", NULL, buf, sizeof(buf)));
	assert_string_equal(buf, "the host has no KVM: choose software emulation (TCG)");
	wz_newvm_set_value(w, "accel", "1");
	wz_newvm_set_value(w, "firmware", "0");
	wz_newvm_set_value(w, "secure_boot", "0");
	wz_newvm_set_value(w, "tpm", "0");
	wz_newvm_set_value(w, "vcpus", "65");
	assert_non_null(issue(w, WZ_PAGE_MEMORY, "vcpus", NULL, buf, sizeof(buf)));
	assert_string_equal(buf, "at most 64");
	wz_newvm_set_value(w, "vcpus", "2");
	sum = wz_newvm_summary(w);
	assert_non_null(strstr(sum, "Accelerator:  TCG (software emulation; no KVM)\n"));
	assert_non_null(strstr(sum, "Firmware:     BIOS\n"));
	free(sum);
	wz_newvm_free(&w);
	md_model_free(&m);
}

/* the capabilities come after the wizard opened: set_host takes them and
 * the accelerator's default with them; later ones leave the choice */
static void test_wizard_caps_later(void **state)
{
	md_model *m = md_model_new();
	md_host *h = host_with(m, NULL);
	wz_newvm *w;
	unsetenv("VMMC_ACCEL");
	w = open_wizard(h);
	assert_false(wz_newvm_host(w)->caps.known);
	want_value(w, "offers", ""); /* not known: the UI hides nothing */
	assert_true(wz_newvm_choices(w)->tcg);
	setenv("VMMC_ACCEL", "kvm", 1);
	h->domcaps = here();
	wz_newvm_ops.set_host(w, h);
	unsetenv("VMMC_ACCEL");
	assert_true(wz_newvm_host(w)->caps.known);
	assert_false(wz_newvm_choices(w)->tcg);
	assert_string_equal(wz_newvm_host(w)->caps.machine, "pc-q35-7.2");
	wz_newvm_set_value(w, "accel", "1");
	wz_newvm_ops.set_host(w, h);
	assert_true(wz_newvm_choices(w)->tcg); /* the user's choice stays */
	wz_newvm_free(&w);
	md_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real),	cmocka_unit_test(test_parse_no_ovmf),
		cmocka_unit_test(test_parse_bad),	cmocka_unit_test(test_model_keeps),
		cmocka_unit_test(test_wizard_here),	cmocka_unit_test(test_wizard_no_ovmf),
		cmocka_unit_test(test_wizard_caps_later),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
