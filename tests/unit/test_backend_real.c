/* tests/unit/test_backend_real.c - the backend against a real libvirtd
 * (qemu:///system). Skips, saying so, only when the daemon's socket is
 * absent. It touches no VM but the one it defines, "vmmc-test-<pid>-a"
 * (TCG, 32 MiB, no disks), and always destroys and undefines it. */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../../backend/be.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"

#define SOCK "/run/libvirt/libvirt-sock"
#define URI "qemu:///system"
#define HOST_ID 1

static struct {
	core_msgq *q;
	md_model *m;
	md_host *h;
	be_host *bh;
	virConnectPtr raw;      /* the test's own connection */
	char name[64];
	char uuid[VIR_UUID_STRING_BUFLEN];
	uint64_t want_seq;      /* OP_RESULT being waited for */
	bool got, ok;
	char text[512];
	int updates_running;    /* VM_UPDATE of our VM saying running */
} T;

static void quiet(void *data, virErrorPtr err)
{
}

static void record(const md_msg *msg)
{
	if (msg->type == MD_MSG_OP_RESULT && msg->seq == T.want_seq && msg->host_id == HOST_ID) {
		T.got = true;
		T.ok = msg->ok;
		snprintf(T.text, sizeof(T.text), "%s", msg->text ? msg->text : "");
	}
	if (msg->type == MD_MSG_VM_UPDATE && msg->nvms == 1 &&
	    strcmp(msg->vms[0].uuid, T.uuid) == 0 && msg->vms[0].state == MD_VM_RUNNING)
		T.updates_running++;
}

static bool pump(int64_t end_ms)
{
	struct pollfd p = { .fd = core_msgq_fd(T.q), .events = POLLIN };
	int64_t left = end_ms - core_now_ms();
	md_msg *msg;

	if (left <= 0)
		return false;
	poll(&p, 1, (int)(left > 100 ? 100 : left));
	while ((msg = core_msgq_pop(T.q)) != NULL) {
		record(msg);
		md_apply(T.m, msg);
		md_msg_free(&msg);
	}
	return true;
}

#define WAIT(cond, ms)                                      \
	do {                                                \
		int64_t end_ = core_now_ms() + (ms);        \
		while (!(cond) && pump(end_)) {             \
		}                                           \
	} while (0)

static const md_vm *our_vm(void)
{
	return T.uuid[0] ? md_vm_find(T.h, T.uuid) : NULL;
}

/* Destroy and undefine our VM if it exists; nothing else. */
static void cleanup_vm(void)
{
	virDomainPtr d;
	if (!T.raw || !T.name[0])
		return;
	if ((d = virDomainLookupByName(T.raw, T.name)) != NULL) {
		if (virDomainIsActive(d) == 1)
			virDomainDestroy(d);
		virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE);
		virDomainFree(d);
	}
}

static int group_setup(void **state)
{
	char *err = NULL;

	T.q = core_msgq_new(md_msg_free_void);
	T.m = md_model_new();
	if (be_init(T.q, &err) < 0) {
		fprintf(stderr, "be_init: %s\n", err);
		free(err);
		return -1;
	}
	virSetErrorFunc(NULL, quiet);
	snprintf(T.name, sizeof(T.name), "vmmc-test-%d-a", (int)getpid());
	T.raw = virConnectOpen(URI);
	if (!T.raw) {
		fprintf(stderr, "cannot open %s: %s\n", URI, virGetLastErrorMessage());
		return -1;
	}
	T.h = md_host_add(T.m, HOST_ID, URI);
	T.bh = be_host_new(HOST_ID, URI);
	return 0;
}

static int group_teardown(void **state)
{
	cleanup_vm();
	be_host_free(&T.bh, 5000);
	be_fini();
	if (T.raw)
		virConnectClose(T.raw);
	md_model_free(&T.m);
	core_msgq_free(&T.q);
	return 0;
}

static int vm_teardown(void **state)
{
	cleanup_vm();
	return 0;
}

static void define_vm(void)
{
	char *xml = xasprintf(
		"<domain type='qemu'><name>%s</name>"
		"<memory unit='MiB'>32</memory><vcpu>1</vcpu>"
		"<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>"
		"<on_crash>destroy</on_crash>"
		"<devices><serial type='pty'><target port='0'/></serial>"
		"<console type='pty'><target type='serial' port='0'/></console></devices>"
		"</domain>", T.name);
	virDomainPtr d = virDomainDefineXML(T.raw, xml);
	free(xml);
	if (!d)
		fail_msg("define %s: %s", T.name, virGetLastErrorMessage());
	virDomainGetUUIDString(d, T.uuid);
	virDomainFree(d);
}

static void backend_op(int op, const char *want_text)
{
	T.got = false;
	T.want_seq = be_host_submit(T.bh, op, T.uuid, NULL, 0);
	WAIT(T.got, 30000);
	assert_true(T.got);
	if (!T.ok || strcmp(T.text, want_text) != 0)
		fail_msg("%s: %s '%s', expected '%s'", be_op_name(op), T.ok ? "ok" : "failed",
			 T.text, want_text);
}

static void expect_state(int state, int ms)
{
	WAIT(our_vm() && our_vm()->state == state, ms);
	assert_non_null(our_vm());
	if (our_vm()->state != state)
		fail_msg("state %s, expected %s", md_vm_state_name(our_vm()->state),
			 md_vm_state_name(state));
}

static void test_connect(void **state)
{
	WAIT(T.h->conn == MD_CONN_CONNECTED && T.h->listed, 30000);
	if (T.h->conn != MD_CONN_CONNECTED)
		fail_msg("not connected: %s", T.h->error ? T.h->error : "?");
	assert_true(T.h->listed);
	assert_non_null(T.h->hostname);
}

/* Started from another connection: only events can tell the backend. */
static void test_events_from_outside(void **state)
{
	virDomainPtr d;
	int64_t t0;
	char want[128];

	WAIT(T.h->conn == MD_CONN_CONNECTED && T.h->listed, 30000);
	define_vm();
	WAIT(our_vm() != NULL, 5000); /* the "defined" event */
	assert_non_null(our_vm());
	assert_int_equal(our_vm()->state, MD_VM_SHUTOFF);
	assert_true(our_vm()->persistent);

	d = virDomainLookupByUUIDString(T.raw, T.uuid);
	assert_non_null(d);
	t0 = core_now_ms();
	if (virDomainCreate(d) < 0) {
		virDomainFree(d);
		fail_msg("start %s: %s", T.name, virGetLastErrorMessage());
	}
	virDomainFree(d);
	WAIT(T.updates_running > 0, 5000);
	assert_true(T.updates_running > 0);
	printf("VM_UPDATE (running) %lld ms after virDomainCreate\n", (long long)(core_now_ms() - t0));
	expect_state(MD_VM_RUNNING, 1000);
	assert_int_equal(our_vm()->vcpus, 1);
	assert_int_equal(our_vm()->maxmem_kib, 32 * 1024);
	/* uptime from the pid file of a local qemu:///system guest */
	assert_true(our_vm()->started_wall > 0);
	assert_true(our_vm()->started_wall <= core_wall_s() + 1);

	/* and the backend's own operations on it */
	snprintf(want, sizeof(want), "Paused '%s'", T.name);
	backend_op(BE_OP_SUSPEND, want);
	expect_state(MD_VM_PAUSED, 5000);
	snprintf(want, sizeof(want), "Resumed '%s'", T.name);
	backend_op(BE_OP_RESUME, want);
	expect_state(MD_VM_RUNNING, 5000);
	backend_op(BE_OP_DISKS, "");
	snprintf(want, sizeof(want), "Turned off '%s'", T.name);
	backend_op(BE_OP_DESTROY, want);
	expect_state(MD_VM_SHUTOFF, 5000);
	assert_int_equal(our_vm()->started_wall, 0);
	snprintf(want, sizeof(want), "Deleted '%s'", T.name);
	backend_op(BE_OP_DELETE, want);
	WAIT(our_vm() == NULL, 5000);
	assert_null(our_vm());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect),
		cmocka_unit_test_teardown(test_events_from_outside, vm_teardown),
	};

	if (access(SOCK, F_OK) != 0) {
		printf("SKIP: no libvirtd (%s absent)\n", SOCK);
		return 0;
	}
	return cmocka_run_group_tests_name("backend-real", tests, group_setup, group_teardown);
}
