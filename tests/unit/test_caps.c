/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_caps.c - what a host's driver can do (backend/be_caps.c):
 * the model's MD_MSG_HOST_CAPS, the probes after a connect against
 * libvirt's test driver (the demo host file: inactive VMs), and the VM
 * records made of list + info per VM for drivers without bulk stats,
 * compared with the bulk stats of the same connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pump.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../../backend/be.h"
#include "../../backend/be_internal.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"

#define WAIT_MS 10000

static struct {
	core_msgq *q;
	md_model *m;
	int caps_msgs;
	char *demo_uri;
} T;

static void record(md_msg *msg)
{
	if (msg->type == MD_MSG_HOST_CAPS)
		T.caps_msgs++;
}

static bool pump(int64_t end_ms)
{
	return pump_queue(T.q, T.m, record, end_ms);
}

/* ---- the model --------------------------------------------------------------- */

static void test_cap_names(void **state)
{
	unsigned n = 0;
	for (unsigned a = 1; a & MD_CAP__ALL; a <<= 1, n++) {
		assert_non_null(md_cap_name(a));
		for (unsigned b = 1; b < a; b <<= 1)
			assert_string_not_equal(md_cap_name(a), md_cap_name(b));
	}
	assert_int_equal(n, 10);
	assert_null(md_cap_name(0));
	assert_null(md_cap_name(MD_CAP__ALL + 1));
}

static void test_model_applies_caps(void **state)
{
	md_model *m = md_model_new();
	md_host *h = md_host_add(m, 7, "lxc:///system");
	md_msg *msg = md_msg_new(MD_MSG_HOST_CAPS, 7);
	uint64_t gen = h->gen;

	assert_null(h->driver);
	assert_int_equal(h->nosup, 0);
	msg->text = xstrdup("lxc");
	msg->count = (int)(MD_CAP_BULK_STATS | MD_CAP_SAVE | ~MD_CAP__ALL);
	assert_true(md_apply(m, msg) & MD_DIRTY_TREE);
	md_msg_free(&msg);
	assert_string_equal(h->driver, "lxc");
	assert_int_equal(h->nosup, MD_CAP_BULK_STATS | MD_CAP_SAVE); /* unknown bits dropped */
	assert_true(h->gen > gen);
	/* a later answer without a name keeps the name */
	msg = md_msg_new(MD_MSG_HOST_CAPS, 7);
	msg->count = (int)MD_CAP_CONSOLE;
	md_apply(m, msg);
	md_msg_free(&msg);
	assert_string_equal(h->driver, "lxc");
	assert_int_equal(h->nosup, MD_CAP_CONSOLE);
	md_model_free(&m);
}

/* ---- the backend against the test driver -------------------------------------- */

/* The demo host has inactive VMs: the console probe runs on one. The test
 * driver has managed save, snapshots, autostart, bulk stats and events, and
 * no consoles (its answer: VIR_ERR_NO_SUPPORT). */
static void test_probe_test_driver(void **state)
{
	md_host *h = md_host_add(T.m, 1, T.demo_uri);
	be_host *bh = be_host_new(1, T.demo_uri);
	virConnectPtr c;
	virDomainPtr *doms = NULL;
	virStreamPtr st;
	int n, rc, code;

	WAIT(h->driver != NULL, WAIT_MS);
	assert_string_equal(h->driver, "test");
	assert_int_equal(h->nosup, MD_CAP_CONSOLE);
	assert_true(T.caps_msgs >= 1);
	be_host_free(&bh, 5000);

	/* libvirt's own answer, asked directly, is the one the probe took */
	c = virConnectOpen(T.demo_uri);
	assert_non_null(c);
	n = virConnectListAllDomains(c, &doms, VIR_CONNECT_LIST_DOMAINS_INACTIVE);
	assert_true(n > 0);
	st = virStreamNew(c, VIR_STREAM_NONBLOCK);
	rc = virDomainOpenConsole(doms[0], NULL, st, 0);
	code = virGetLastErrorCode();
	assert_int_equal(rc, -1);
	assert_int_equal(code, VIR_ERR_NO_SUPPORT);
	virStreamFree(st);
	for (int i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
	virConnectClose(c);
}

static const virTypedParameter *param(virDomainStatsRecordPtr r, const char *name)
{
	for (int i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].field, name) == 0)
			return &r->params[i];
	return NULL;
}

static virDomainStatsRecordPtr rec_of(virDomainStatsRecordPtr *recs, const char *name)
{
	for (int i = 0; recs[i]; i++)
		if (strcmp(virDomainGetName(recs[i]->dom), name) == 0)
			return recs[i];
	return NULL;
}

/* list + info per VM gives what bulk stats give for state, vCPUs, memory */
static void test_recs_without_bulk_stats(void **state)
{
	unsigned groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BALLOON;
	be_host h;
	virDomainStatsRecordPtr *bulk = NULL, *info = NULL;
	int nb, ni, running = 0;

	memset(&h, 0, sizeof(h));
	h.uri = T.demo_uri;
	h.conn = virConnectOpen(T.demo_uri);
	assert_non_null(h.conn);
	nb = be_recs_read(&h, groups, &bulk);
	assert_true(nb > 5);
	assert_int_equal(h.nosup, 0);
	h.nosup = MD_CAP_BULK_STATS; /* as a driver without them had answered */
	ni = be_recs_read(&h, groups, &info);
	assert_int_equal(ni, nb);
	assert_null(info[ni]); /* NULL-terminated for virDomainStatsRecordListFree */
	for (int i = 0; i < nb; i++) {
		virDomainStatsRecordPtr b = bulk[i], r = rec_of(info, virDomainGetName(bulk[i]->dom));
		virDomainInfo di;
		assert_non_null(r);
		assert_int_equal(param(r, "state.state")->value.i, param(b, "state.state")->value.i);
		assert_int_equal(virDomainGetInfo(b->dom, &di), 0);
		assert_int_equal(param(r, "vcpu.current")->value.ui, di.nrVirtCpu);
		assert_int_equal(param(r, "balloon.maximum")->value.ul, di.maxMem);
		assert_int_equal(param(r, "balloon.current")->value.ul, di.memory);
		/* cpu.time only for an active VM (the live figures' rates) */
		running += param(r, "state.state")->value.i == VIR_DOMAIN_RUNNING;
		if (md_vm_state_active(param(r, "state.state")->value.i)) {
			assert_non_null(param(r, "cpu.time"));
		} else {
			assert_null(param(r, "cpu.time"));
		}
	}
	assert_true(running > 0);
	virDomainStatsRecordListFree(bulk);
	virDomainStatsRecordListFree(info);
	virConnectClose(h.conn);
}

/* connect errors of VMware's drivers: the server's words first, the
 * certificate option named (and no retry); others untouched */
static void test_connect_hint(void **state)
{
	bool final = false;
	char *e = be_connect_hint("esx://root@h/?no_verify=1",
				  xstrdup("internal error: HTTP response code 500 for call to 'Login'. "
					  "Fault: ServerFaultCode - Login failure"),
				  &final);
	assert_string_equal(e, "Login failure (the server's answer to Login)");
	assert_false(final);
	free(e);
	e = be_connect_hint("esx://root@h/", xstrdup("curl: SSL peer certificate was not OK (60)"), &final);
	assert_non_null(strstr(e, "add no_verify=1 to the URI, e.g. esx://root@h/?no_verify=1"));
	assert_true(final);
	free(e);
	final = false;
	e = be_connect_hint("vpx://root@h/dc1?x=1", xstrdup("certificate not OK"), &final);
	assert_non_null(strstr(e, "vpx://root@h/dc1?x=1&no_verify=1"));
	free(e);
	final = false;
	e = be_connect_hint("esx://h/?no_verify=1", xstrdup("certificate not OK"), &final);
	assert_string_equal(e, "certificate not OK");
	assert_false(final);
	free(e);
	e = be_connect_hint("qemu+ssh://h/system", xstrdup("certificate ... Fault: x - y for call to 'z'"), &final);
	assert_string_equal(e, "certificate ... Fault: x - y for call to 'z'");
	assert_false(final);
	free(e);
}

static int group_setup(void **state)
{
	char *err = NULL;
	char cwd[4096];

	T.q = core_msgq_new(md_msg_free_void);
	T.m = md_model_new();
	if (be_init(T.q, &err) < 0) {
		fprintf(stderr, "be_init: %s\n", err);
		return -1;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	T.demo_uri = xasprintf("test://%s/data/demo-host.xml", cwd);
	return 0;
}

static int group_teardown(void **state)
{
	be_fini();
	md_model_free(&T.m);
	core_msgq_free(&T.q);
	free(T.demo_uri);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_names),
		cmocka_unit_test(test_model_applies_caps),
		cmocka_unit_test(test_probe_test_driver),
		cmocka_unit_test(test_recs_without_bulk_stats),
		cmocka_unit_test(test_connect_hint),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
