/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_backend_real.c - the backend against a real libvirtd
 * (qemu:///system). Skips, saying so, only when the daemon's socket is
 * absent. It touches no VM but the one it defines, "vmmc-test-<pid>-a"
 * (TCG, 32 MiB, no disks), and always destroys and undefines it.
 * Lost connections go through a small proxy in front of the daemon's
 * socket that the test can cut or freeze (a daemon stopped with SIGSTOP). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "pump.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "../../backend/be.h"
#include "../../backend/be_domcaps.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"

#define SOCK "/run/libvirt/libvirt-sock"
#include "proxy.h" /* uses SOCK */
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
	int domcaps_msgs[8];    /* MD_MSG_DOMCAPS per host id */
} T;

static void quiet(void *data, virErrorPtr err)
{
}

static void record(md_msg *msg)
{
	if (msg->type == MD_MSG_DOMCAPS && msg->host_id >= 0 && msg->host_id < 8)
		T.domcaps_msgs[msg->host_id]++;
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
	return pump_queue(T.q, T.m, record, end_ms);
}

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
	if (proxy_start("proxy") < 0) {
		fprintf(stderr, "cannot start the proxy\n");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	cleanup_vm();
	be_host_free(&T.bh, 5000);
	be_fini();
	proxy_stop();
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

static void expect_running_vm(void)
{
	const md_vm *v = our_vm();
	assert_non_null(v);
	assert_int_equal(v->state, MD_VM_RUNNING);
	assert_int_equal(v->vcpus, 1);
	assert_int_equal(v->maxmem_kib, 32 * 1024);
	assert_int_equal(v->mem_kib, 32 * 1024);
	assert_true(v->persistent);
	assert_false(v->autostart);
	/* uptime from the pid file of a local qemu:///system guest */
	assert_true(v->started_wall > core_wall_s() - 600);
	assert_true(v->started_wall <= core_wall_s() + 1);
}

static void test_connect(void **state)
{
	WAIT(T.h->conn == MD_CONN_CONNECTED && T.h->listed && T.h->hostname, 30000);
	if (T.h->conn != MD_CONN_CONNECTED)
		fail_msg("not connected: %s", T.h->error ? T.h->error : "?");
	assert_true(T.h->listed);
	assert_non_null(T.h->hostname);
}

/* The domain capabilities arrive once per connection, as the daemon's
 * own answer says (read here on the test's connection). */
static void test_domcaps(void **state)
{
	const core_domcaps *c;
	core_domcaps *mine = xcalloc(1, sizeof(*mine));
	char *xml, *err = NULL;
	WAIT(T.h->domcaps, 30000);
	c = T.h->domcaps;
	assert_non_null(c);
	assert_null(c->error);
	assert_true(c->qemu.present); /* TCG: what the tests' guests run on */
	assert_non_null(c->arch);
	assert_non_null(c->qemu.machine);
	xml = virConnectGetDomainCapabilities(T.raw, NULL, NULL, "q35", "qemu", 0);
	assert_non_null(xml);
	assert_int_equal(be_domcaps_parse(xml, mine, &err), 0);
	free(xml);
	assert_string_equal(c->qemu.machine, mine->qemu.machine);
	assert_int_equal(c->qemu.max_vcpus, mine->qemu.max_vcpus);
	assert_int_equal(c->qemu.nloaders, mine->qemu.nloaders);
	assert_int_equal(c->qemu.uefi, mine->qemu.uefi);
	assert_int_equal(c->qemu.secure_boot, mine->qemu.secure_boot);
	assert_int_equal(c->qemu.tpm, mine->qemu.tpm);
	xml = virConnectGetDomainCapabilities(T.raw, NULL, NULL, "q35", "kvm", 0);
	assert_int_equal(c->kvm.present, xml != NULL); /* present with /dev/kvm, absent without */
	free(xml);
	printf("domcaps: kvm %d qemu %d machine %s max vCPUs %u, UEFI %d Secure Boot %d TPM %d\n",
	       c->kvm.present, c->qemu.present, c->qemu.machine, c->qemu.max_vcpus, c->qemu.uefi,
	       c->qemu.secure_boot, c->qemu.tpm);
	core_domcaps_free(&mine);
	/* once: nothing more comes while the connection lasts */
	PUMP_FOR(300);
	assert_int_equal(T.domcaps_msgs[HOST_ID], 1);
}

/* Started from another connection: only events can tell the backend. */
static void test_events_from_outside(void **state)
{
	virDomainPtr d;
	int64_t t0, t1;
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
	t1 = core_now_ms();
	WAIT(T.updates_running > 0, 5000);
	assert_true(T.updates_running > 0);
	printf("virDomainCreate took %lld ms; VM_UPDATE (running) %lld ms after it returned\n",
	       (long long)(t1 - t0), (long long)(core_now_ms() - t1));
	expect_state(MD_VM_RUNNING, 1000);
	expect_running_vm();

	/* the same from the bulk list */
	T.got = false;
	T.want_seq = be_host_submit(T.bh, BE_OP_REFRESH, NULL, NULL, 0);
	WAIT(T.got, 30000);
	assert_true(T.got && T.ok);
	expect_running_vm();

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

/* ---- lost connections, through the proxy ----------------------------------- */

static md_host *proxied_host(be_host **bh, int id)
{
	char uri[200];
	md_host *h;

	snprintf(uri, sizeof(uri), "qemu+unix:///system?socket=%s", P.path);
	h = md_host_add(T.m, id, uri);
	*bh = be_host_new(id, uri);
	WAIT(h->conn == MD_CONN_CONNECTED && h->listed && h->busy == 0, 30000);
	if (h->conn != MD_CONN_CONNECTED || !h->listed)
		fail_msg("proxied host: %s", h->error ? h->error : md_conn_name(h->conn));
	return h;
}

/* The daemon goes away: the close callback fires, the backend says so,
 * retries after 1 s and lists everything again. */
static void test_cut_and_reconnect(void **state)
{
	be_host *bh;
	md_host *h = proxied_host(&bh, 2);

	proxy_say('c');
	WAIT(h->conn == MD_CONN_DISCONNECTED, 10000);
	assert_int_equal(h->conn, MD_CONN_DISCONNECTED);
	assert_non_null(h->error);
	printf("lost: %s (retry in %d s)\n", h->error, h->retry_s);
	assert_in_range(h->retry_s, 1, 2); /* 1 s, jittered */
	WAIT(h->conn == MD_CONN_CONNECTED && h->listed, 30000);
	assert_int_equal(h->conn, MD_CONN_CONNECTED);
	assert_true(h->listed);
	/* the new connection reads the capabilities again: once more */
	WAIT(T.domcaps_msgs[2] == 2, 30000);
	assert_int_equal(T.domcaps_msgs[2], 2);
	assert_non_null(h->domcaps);
	be_host_free(&bh, 5000);
	md_host_remove(T.m, 2);
}

/* The daemon stops answering (SIGSTOP): a job blocks, the host shows busy,
 * keepalive (5 s x 3) declares the connection dead, and once the daemon
 * answers again the backend is back. */
static void test_frozen_daemon(void **state)
{
	be_host *bh;
	md_host *h = proxied_host(&bh, 3);
	int64_t t0;

	proxy_say('f');
	be_host_submit(bh, BE_OP_REFRESH, NULL, NULL, 0);
	WAIT(h->busy > 0, 5000);
	if (h->busy == 0) {
		proxy_say('t');
		fail_msg("not busy");
	}
	t0 = core_now_ms();
	WAIT(h->conn == MD_CONN_DISCONNECTED, 60000);
	assert_int_equal(h->conn, MD_CONN_DISCONNECTED);
	printf("lost after %lld ms: %s\n", (long long)(core_now_ms() - t0), h->error);
	WAIT(h->busy == 0, 5000);
	assert_int_equal(h->busy, 0);
	proxy_say('c'); /* drop what is left of the frozen connection */
	proxy_say('t');
	WAIT(h->conn == MD_CONN_CONNECTED && h->listed, 60000);
	assert_int_equal(h->conn, MD_CONN_CONNECTED);
	be_host_free(&bh, 5000);
	md_host_remove(T.m, 3);
}

/* The same over an ssh:// host (a hermetic sshd on loopback forwarding to
 * the proxy's socket), where the VM list's four calls go out together from
 * four threads: libvirt 9.0 can leave the others waiting forever once one
 * of them saw the keepalive timeout, unless the backend ends them. */
static void test_frozen_daemon_ssh(void **state)
{
	char dir[64], sshd_sh[1024], uri[400], *env = NULL, *port_s;
	const char *here = __FILE__;
	be_host *bh;
	md_host *h;
	int port = 0;
	FILE *f;

	if (geteuid() != 0 || access("/usr/sbin/sshd", X_OK) != 0)
		skip();
	/* the pid in the name: tests/run-unit.sh stops its sshd if this is killed */
	snprintf(dir, sizeof(dir), "/tmp/vmmc-bereal-%d-XXXXXX", (int)getpid());
	snprintf(sshd_sh, sizeof(sshd_sh), "%.*s../remote/sshd.sh",
		 (int)(strrchr(here, '/') ? strrchr(here, '/') - here + 1 : 0), here);
	assert_non_null(mkdtemp(dir));
	env = xasprintf("mkdir '%s/srv' && '%s' start '%s/srv' && mkdir -m 700 '%s/ssh' && "
			"ssh-keygen -q -t ed25519 -N '' -f '%s/ssh/id_ed25519' && "
			"cat '%s/ssh/id_ed25519.pub' >>'%s/srv/authorized_keys' && "
			"ssh-keyscan -p \"$(cat '%s/srv/port')\" -t ed25519 127.0.0.1 >'%s/ssh/known_hosts' 2>/dev/null",
			dir, sshd_sh, dir, dir, dir, dir, dir, dir, dir);
	f = popen(env, "r");
	free(env);
	assert_non_null(f);
	port_s = xcalloc(1, 32);
	if (!fgets(port_s, 32, f))
		port_s[0] = '\0';
	if (pclose(f) != 0 || (port = atoi(port_s)) <= 0) {
		free(port_s);
		fail_msg("no sshd for the test (%s)", sshd_sh);
	}
	free(port_s);
	env = xasprintf("%s/ssh", dir);
	setenv("VMMC_SSH_DIR", env, 1);
	free(env);
	env = xasprintf("%s/cache", dir);
	setenv("XDG_CACHE_HOME", env, 1);
	free(env);
	unsetenv("SSH_AUTH_SOCK");
	snprintf(uri, sizeof(uri), "ssh://root@127.0.0.1:%d/system?socket=%s", port, P.path);

	h = md_host_add(T.m, 5, uri);
	bh = be_host_new(5, uri);
	WAIT(h->conn == MD_CONN_CONNECTED && h->listed && h->busy == 0, 30000);
	if (h->conn != MD_CONN_CONNECTED || !h->listed)
		fail_msg("ssh host: %s", h->error ? h->error : md_conn_name(h->conn));
	proxy_say('f');
	be_host_submit(bh, BE_OP_REFRESH, NULL, NULL, 0);
	WAIT(h->busy > 0, 5000);
	WAIT(h->conn == MD_CONN_DISCONNECTED, 60000);
	printf("ssh host lost: %s\n", h->error ? h->error : "?");
	if (h->conn != MD_CONN_DISCONNECTED)
		proxy_say('t');
	assert_int_equal(h->conn, MD_CONN_DISCONNECTED);
	WAIT(h->busy == 0, 5000);
	assert_int_equal(h->busy, 0);
	proxy_say('c');
	proxy_say('t');
	WAIT(h->conn == MD_CONN_CONNECTED && h->listed && h->busy == 0, 60000);
	assert_int_equal(h->conn, MD_CONN_CONNECTED);
	be_host_free(&bh, 5000);
	md_host_remove(T.m, 5);
	env = xasprintf("'%s' stop '%s/srv'; rm -rf '%s'", sshd_sh, dir, dir);
	if (system(env) != 0)
		printf("could not clean %s up\n", dir);
	free(env);
}

/* be_host_free on a worker stuck in a call returns at its timeout; the
 * worker finishes later on its own. */
static void test_free_while_stuck(void **state)
{
	be_host *bh;
	md_host *h = proxied_host(&bh, 4);
	int64_t t0, took;

	proxy_say('f');
	be_host_submit(bh, BE_OP_REFRESH, NULL, NULL, 0);
	WAIT(h->busy > 0, 5000);
	PUMP_FOR(200);
	t0 = core_now_ms();
	be_host_free(&bh, 300);
	took = core_now_ms() - t0;
	proxy_say('t');
	if (took > 1000)
		fail_msg("be_host_free took %lld ms", (long long)took);
	WAIT(h->busy == 0, 10000); /* the worker got its answer and went on */
	assert_int_equal(h->busy, 0);
	md_host_remove(T.m, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_domcaps),
		cmocka_unit_test_teardown(test_events_from_outside, vm_teardown),
		cmocka_unit_test(test_cut_and_reconnect),
		cmocka_unit_test(test_frozen_daemon),
		cmocka_unit_test(test_frozen_daemon_ssh),
		cmocka_unit_test(test_free_while_stuck),
	};

	int rc = real_daemon_gate(SOCK);

	if (rc >= 0)
		return rc;
	return cmocka_run_group_tests_name("backend-real", tests, group_setup, group_teardown);
}
