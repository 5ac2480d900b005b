/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_model.c - the view model reducer: messages in, state out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/model.h"
#include "../../core/util.h"

#define ALL_DIRTY (MD_DIRTY_TREE | MD_DIRTY_LIST | MD_DIRTY_STATUS)
#define VM_DIRTY (MD_DIRTY_TREE | MD_DIRTY_LIST)

static int setup(void **state)
{
	md_model *m = md_model_new();
	md_host_add(m, 1, "qemu:///system");
	md_host_add(m, 2, "test:///default");
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	md_model *m = *state;
	md_model_free(&m);
	assert_null(m);
	return 0;
}

static md_vm mk_vm(const char *name, int n, int st, int64_t started)
{
	md_vm v = { 0 };
	v.name = xstrdup(name);
	snprintf(v.uuid, sizeof(v.uuid), "00000000-0000-0000-0000-%012d", n);
	v.state = st;
	v.started_wall = started;
	return v;
}

static const char *uuid_of(int n)
{
	static char u[37];
	snprintf(u, sizeof(u), "00000000-0000-0000-0000-%012d", n);
	return u;
}

/* Applies msg, frees it, returns the dirty bits. */
static int apply(md_model *m, md_msg *msg)
{
	int d = md_apply(m, msg);
	md_msg_free(&msg);
	return d;
}

/* A VM_LIST message: n VMs named vmN (uuid N), state st, started_wall 0. */
static md_msg *vm_list(int host, const int *ids, const int *states, size_t n)
{
	md_msg *msg = md_msg_new(MD_MSG_VM_LIST, host);
	msg->vms = n ? xcalloc(n, sizeof(md_vm)) : NULL;
	msg->nvms = n;
	for (size_t i = 0; i < n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "vm%d", ids[i]);
		msg->vms[i] = mk_vm(name, ids[i], states[i], 0);
	}
	return msg;
}

static md_msg *vm_update(int host, md_vm v)
{
	md_msg *msg = md_msg_new(MD_MSG_VM_UPDATE, host);
	msg->vms = xcalloc(1, sizeof(md_vm));
	msg->vms[0] = v;
	msg->nvms = 1;
	return msg;
}

static md_msg *host_state(int host, int conn, const char *err, const char *hostname)
{
	md_msg *msg = md_msg_new(MD_MSG_HOST_STATE, host);
	msg->conn = conn;
	msg->text = xstrdup(err);
	msg->hostname = xstrdup(hostname);
	return msg;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(md_vm_state_name(MD_VM_RUNNING), "running");
	assert_string_equal(md_vm_state_name(MD_VM_SHUTOFF), "shut off");
	assert_string_equal(md_vm_state_name(99), "unknown");
	assert_string_equal(md_vm_state_name(-1), "unknown");
	assert_string_equal(md_vm_state_name(MD_VM_PMSUSPENDED), "pmsuspended"); /* virsh's word */
	assert_string_equal(md_vm_state_name(MD_VM_CRASHED), "crashed");
	assert_true(md_vm_state_active(MD_VM_PAUSED));
	assert_true(md_vm_state_active(MD_VM_PMSUSPENDED));
	assert_false(md_vm_state_active(MD_VM_SHUTOFF));
	assert_false(md_vm_state_active(MD_VM_CRASHED));
	/* Turn Off and Start: exactly one of them for every state */
	for (int st = MD_VM_NOSTATE; st <= MD_VM_PMSUSPENDED; st++) {
		bool off = st == MD_VM_RUNNING || st == MD_VM_BLOCKED || st == MD_VM_PAUSED ||
			   st == MD_VM_SHUTDOWN || st == MD_VM_PMSUSPENDED || st == MD_VM_CRASHED;
		assert_int_equal(md_vm_can_destroy(st), off);
		assert_int_equal(md_vm_can_start(st), !off);
	}
	assert_string_equal(md_conn_name(MD_CONN_CONNECTED), "connected");
	assert_string_equal(md_conn_name(42), "unknown");
}

static void test_default_label(void **state)
{
	static const char *const cases[][2] = {
		{ "qemu:///system", "qemu:///system" },
		{ "qemu+ssh://root@kvm1/system", "qemu+ssh://root@kvm1/system" },
		{ "ssh://root@kvm1/system", "root@kvm1" },
		{ "ssh://root@kvm1", "root@kvm1" },
		{ "ssh://admin@kvm1:2222/session?driver=lxc", "admin@kvm1:2222/session?driver=lxc" },
		{ "ssh://myalias/", "myalias" },
		{ "ssh://", "ssh://" },
		/* test-driver files: their names tell them apart in the tree */
		{ "test:///tmp/a/lab1.xml", "test:lab1.xml" },
		{ "test:///default", "test:///default" },
		{ "test:///tmp/a/", "test:///tmp/a/" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *l = md_host_default_label(cases[i][0]);
		assert_string_equal(l, cases[i][1]);
		free(l);
	}
}

static void test_hosts(void **state)
{
	md_model *m = *state;
	uint64_t g = m->gen;
	assert_int_equal(m->nhosts, 2);
	assert_string_equal(md_host_get(m, 2)->uri, "test:///default");
	assert_string_equal(md_host_get(m, 2)->label, "test:///default");
	assert_int_equal(md_host_get(m, 1)->conn, MD_CONN_IDLE);
	assert_null(md_host_get(m, 3));
	md_host_remove(m, 1);
	assert_true(m->gen > g);
	assert_int_equal(m->nhosts, 1);
	assert_null(md_host_get(m, 1));
	assert_non_null(md_host_get(m, 2));
	md_host_remove(m, 1); /* not there: nothing happens */
	assert_int_equal(m->nhosts, 1);
}

static void test_host_state(void **state)
{
	md_model *m = *state;
	md_host *h = md_host_get(m, 1);
	uint64_t hg = h->gen, mg = m->gen;
	md_msg *msg;

	h->listed = true;
	assert_int_equal(apply(m, host_state(1, MD_CONN_CONNECTING, NULL, NULL)), ALL_DIRTY);
	assert_int_equal(h->conn, MD_CONN_CONNECTING);
	assert_false(h->listed); /* a new connection: wait for a new list */
	assert_true(h->gen > hg);
	assert_true(m->gen > mg);

	h->listed = true;
	apply(m, host_state(1, MD_CONN_CONNECTING, NULL, NULL));
	assert_true(h->listed); /* still connecting: not reset again */

	apply(m, host_state(1, MD_CONN_CONNECTED, NULL, "kvm1.example.net"));
	assert_int_equal(h->conn, MD_CONN_CONNECTED);
	assert_string_equal(h->hostname, "kvm1.example.net");
	assert_null(h->error);

	msg = host_state(1, MD_CONN_FAILED, "Connection refused", NULL);
	msg->retry_s = 30;
	apply(m, msg);
	assert_int_equal(h->conn, MD_CONN_FAILED);
	assert_string_equal(h->error, "Connection refused");
	assert_int_equal(h->retry_s, 30);
	assert_string_equal(h->hostname, "kvm1.example.net"); /* kept without a new one */

	apply(m, host_state(1, MD_CONN_DISCONNECTED, NULL, NULL));
	assert_int_equal(h->conn, MD_CONN_DISCONNECTED);
	assert_null(h->error);   /* cleared */
	assert_int_equal(h->retry_s, 0);
	assert_int_equal(md_host_get(m, 2)->conn, MD_CONN_IDLE); /* the other host untouched */
}

/* A connect past its deadline (be_host.c): FAILED + stalled reads "no
 * answer" until any other state; drops counts connected -> not connected. */
static void test_host_state_stalled(void **state)
{
	md_model *m = *state;
	md_host *h = md_host_get(m, 1);
	md_msg *msg;

	assert_int_equal(h->drops, 0);
	apply(m, host_state(1, MD_CONN_CONNECTING, NULL, NULL));
	msg = host_state(1, MD_CONN_FAILED, "the daemon did not answer in 15 s", NULL);
	msg->stalled = true;
	apply(m, msg);
	assert_true(h->stalled);
	assert_string_equal(md_host_state_name(h), "no answer");
	assert_string_equal(h->error, "the daemon did not answer in 15 s");
	assert_int_equal(h->drops, 0); /* never connected: nothing dropped */
	apply(m, host_state(1, MD_CONN_CONNECTED, NULL, NULL)); /* it answered late */
	assert_false(h->stalled);
	assert_string_equal(md_host_state_name(h), "connected");
	apply(m, host_state(1, MD_CONN_FAILED, "refused", NULL)); /* a plain failure */
	assert_false(h->stalled);
	assert_string_equal(md_host_state_name(h), "failed");
	assert_int_equal(h->drops, 1);
	apply(m, host_state(1, MD_CONN_CONNECTED, NULL, NULL));
	apply(m, host_state(1, MD_CONN_DISCONNECTED, "lost", NULL));
	apply(m, host_state(1, MD_CONN_CONNECTING, NULL, NULL));
	assert_int_equal(h->drops, 2); /* once per drop, not per state after it */
}

static void test_host_state_keeps_lists(void **state)
{
	md_model *m = *state;
	md_host *h = md_host_get(m, 1);
	static const int ids[] = { 1, 2 }, st[] = { MD_VM_RUNNING, MD_VM_SHUTOFF };
	apply(m, vm_list(1, ids, st, 2));
	apply(m, host_state(1, MD_CONN_DISCONNECTED, "lost", NULL));
	assert_int_equal(h->nvms, 2); /* greyed by the UI, not dropped */
}

static void test_busy(void **state)
{
	md_model *m = *state;
	md_host *h = md_host_get(m, 1);
	md_msg *msg;
	int64_t since;

	msg = md_msg_new(MD_MSG_HOST_BUSY, 1);
	msg->count = 1;
	assert_int_equal(apply(m, msg), MD_DIRTY_TREE);
	assert_int_equal(h->busy, 1);
	since = h->busy_since_ms;
	assert_true(since > 0);
	msg = md_msg_new(MD_MSG_HOST_BUSY, 1);
	msg->count = 1;
	apply(m, msg);
	assert_int_equal(h->busy, 2);
	assert_int_equal(h->busy_since_ms, since); /* from 0 to 1 only */
	for (int i = 0; i < 4; i++) {
		msg = md_msg_new(MD_MSG_HOST_BUSY, 1);
		msg->count = -1;
		apply(m, msg);
		assert_int_equal(h->busy, i < 2 ? 1 - i : 0); /* never below 0 */
	}
	msg = md_msg_new(MD_MSG_HOST_BUSY, 1);
	msg->count = 1;
	apply(m, msg);
	assert_int_equal(h->busy, 1);
	assert_int_equal(md_host_get(m, 2)->busy, 0);
}

static void test_vm_list(void **state)
{
	md_model *m = *state;
	md_host *h = md_host_get(m, 1);
	static const int ids1[] = { 3, 1, 2 }, st1[] = { MD_VM_RUNNING, MD_VM_SHUTOFF, MD_VM_PAUSED };
	static const int ids2[] = { 2, 4 }, st2[] = { MD_VM_SHUTOFF, MD_VM_RUNNING };
	md_msg *msg = vm_list(1, ids1, st1, 3);
	md_vm *arr = msg->vms;
	uint64_t g = h->gen;

	assert_false(h->listed);
	assert_int_equal(md_apply(m, msg), VM_DIRTY);
	assert_null(msg->vms);   /* taken, not copied */
	assert_int_equal(msg->nvms, 0);
	md_msg_free(&msg);
	assert_ptr_equal(h->vms, arr);
	assert_int_equal(h->nvms, 3);
	assert_true(h->listed);
	assert_true(h->gen > g);
	assert_string_equal(h->vms[0].name, "vm3"); /* in the order given */
	assert_string_equal(md_vm_find(h, uuid_of(2))->name, "vm2");
	assert_null(md_vm_find(h, uuid_of(9)));

	/* A second list replaces the first (ASan: the old one is freed). */
	apply(m, vm_list(1, ids2, st2, 2));
	assert_int_equal(h->nvms, 2);
	assert_null(md_vm_find(h, uuid_of(1)));
	assert_null(md_vm_find(h, uuid_of(3)));
	assert_int_equal(md_vm_find(h, uuid_of(2))->state, MD_VM_SHUTOFF);
	assert_int_equal(md_vm_find(h, uuid_of(4))->state, MD_VM_RUNNING);

	/* An empty list empties the host. */
	apply(m, vm_list(1, NULL, NULL, 0));
	assert_int_equal(h->nvms, 0);
	assert_int_equal(md_host_get(m, 2)->nvms, 0);
}

/* "VMs N/M running": what virsh list --state-running counts, RUNNING only */
static void test_count_running(void **state)
{
	md_model *m = *state;
	md_host *h = md_host_get(m, 1);
	static const int ids[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const int st[] = { MD_VM_RUNNING, MD_VM_PAUSED, MD_VM_PMSUSPENDED, MD_VM_CRASHED, MD_VM_BLOCKED,
				  MD_VM_SHUTDOWN, MD_VM_SHUTOFF, MD_VM_NOSTATE, MD_VM_RUNNING };

	assert_int_equal(md_host_count_running(h), 0);
	apply(m, vm_list(1, ids, st, CORE_ARRAY_LEN(ids)));
	assert_int_equal(md_host_count_running(h), 2);
	apply(m, vm_update(1, mk_vm("vm2", 2, MD_VM_RUNNING, 0))); /* resumed */
	assert_int_equal(md_host_count_running(h), 3);
}

static void test_vm_update(void **state)
{
	md_model *m = *state;
	md_host *h = md_host_get(m, 1);
	static const int ids[] = { 1, 2 }, st[] = { MD_VM_SHUTOFF, MD_VM_SHUTOFF };
	md_msg *msg;
	md_vm v;

	apply(m, vm_list(1, ids, st, 2));
	/* Insert. */
	msg = vm_update(1, mk_vm("new", 3, MD_VM_SHUTOFF, 0));
	assert_int_equal(md_apply(m, msg), VM_DIRTY);
	assert_null(msg->vms[0].name); /* the name went to the model */
	md_msg_free(&msg);
	assert_int_equal(h->nvms, 3);
	assert_string_equal(md_vm_find(h, uuid_of(3))->name, "new");
	/* Replace by uuid. */
	v = mk_vm("renamed", 1, MD_VM_PAUSED, 0);
	v.vcpus = 4;
	v.mem_kib = 1024;
	apply(m, vm_update(1, v));
	assert_int_equal(h->nvms, 3);
	assert_string_equal(md_vm_find(h, uuid_of(1))->name, "renamed");
	assert_int_equal(md_vm_find(h, uuid_of(1))->state, MD_VM_PAUSED);
	assert_int_equal(md_vm_find(h, uuid_of(1))->vcpus, 4);
	assert_string_equal(md_vm_find(h, uuid_of(2))->name, "vm2");
	/* Nothing in it: nothing done. */
	msg = md_msg_new(MD_MSG_VM_UPDATE, 1);
	assert_int_equal(apply(m, msg), 0);
	assert_int_equal(h->nvms, 3);
}

static void test_vm_removed(void **state)
{
	md_model *m = *state;
	md_host *h = md_host_get(m, 1);
	static const int ids[] = { 1, 2, 3 }, st[] = { MD_VM_SHUTOFF, MD_VM_RUNNING, MD_VM_SHUTOFF };
	md_msg *msg;

	apply(m, vm_list(1, ids, st, 3));
	msg = md_msg_new(MD_MSG_VM_REMOVED, 1);
	strcpy(msg->uuid, uuid_of(2));
	assert_int_equal(apply(m, msg), VM_DIRTY);
	assert_int_equal(h->nvms, 2);
	assert_string_equal(h->vms[0].name, "vm1");
	assert_string_equal(h->vms[1].name, "vm3");
	msg = md_msg_new(MD_MSG_VM_REMOVED, 1);
	strcpy(msg->uuid, uuid_of(2)); /* again: not there */
	assert_int_equal(apply(m, msg), 0);
	assert_int_equal(h->nvms, 2);
}

/* MD_MSG_POOL_UPDATE count 1 (vol made) / 2 (vol gone) in pool uuid */
static md_msg *pool_vol_msg(const char *uuid, const char *vol, int count)
{
	md_msg *msg = md_msg_new(MD_MSG_POOL_UPDATE, 2);
	msg->count = count;
	msg->pools = xcalloc(1, sizeof(md_pool));
	msg->npools = 1;
	msg->pools[0].name = xstrdup("default");
	strcpy(msg->pools[0].uuid, uuid);
	msg->pools[0].available = 7;
	msg->pools[0].vols = xcalloc(1, sizeof(md_vol));
	msg->pools[0].nvols = 1;
	msg->pools[0].vols[0].name = xstrdup(vol);
	return msg;
}

static void test_net_pool_lists(void **state)
{
	md_model *m = *state;
	md_host *h = md_host_get(m, 2);
	md_msg *msg = md_msg_new(MD_MSG_NET_LIST, 2);
	md_net *nets;

	msg->nets = nets = xcalloc(2, sizeof(md_net));
	msg->nnets = 2;
	msg->nets[0].name = xstrdup("default");
	msg->nets[0].bridge = xstrdup("virbr0");
	msg->nets[1].name = xstrdup("isolated");
	assert_int_equal(md_apply(m, msg), VM_DIRTY);
	assert_null(msg->nets);
	md_msg_free(&msg);
	assert_ptr_equal(h->nets, nets);
	assert_int_equal(h->nnets, 2);
	assert_string_equal(h->nets[0].bridge, "virbr0");

	msg = md_msg_new(MD_MSG_POOL_LIST, 2);
	msg->pools = xcalloc(1, sizeof(md_pool));
	msg->npools = 1;
	msg->pools[0].name = xstrdup("default");
	msg->pools[0].vols = xcalloc(1, sizeof(md_vol));
	msg->pools[0].nvols = 1;
	msg->pools[0].vols[0].name = xstrdup("disk.qcow2");
	msg->pools[0].vols[0].path = xstrdup("/var/lib/libvirt/images/disk.qcow2");
	assert_int_equal(apply(m, msg), VM_DIRTY);
	assert_int_equal(h->npools, 1);
	assert_string_equal(h->pools[0].vols[0].name, "disk.qcow2");

	/* One pool read again (a volume made in it): replaced in place, the
	 * users of the volumes it had kept (not read with it); a pool not
	 * known is added */
	h->pools[0].vols[0].users = xcalloc(1, sizeof(char *));
	h->pools[0].vols[0].users[0] = xstrdup("web1");
	h->pools[0].vols[0].nusers = 1;
	strcpy(h->pools[0].uuid, "11111111-2222-3333-4444-555555555555");
	msg = md_msg_new(MD_MSG_POOL_UPDATE, 2);
	msg->pools = xcalloc(1, sizeof(md_pool));
	msg->npools = 1;
	msg->pools[0].name = xstrdup("default");
	strcpy(msg->pools[0].uuid, "11111111-2222-3333-4444-555555555555");
	msg->pools[0].vols = xcalloc(2, sizeof(md_vol));
	msg->pools[0].nvols = 2;
	msg->pools[0].vols[0].name = xstrdup("disk.qcow2");
	msg->pools[0].vols[1].name = xstrdup("new.qcow2");
	assert_int_equal(apply(m, msg), VM_DIRTY);
	assert_int_equal(h->npools, 1);
	assert_int_equal(h->pools[0].nvols, 2);
	assert_int_equal(h->pools[0].vols[0].nusers, 1);
	assert_string_equal(h->pools[0].vols[0].users[0], "web1");
	assert_string_equal(h->pools[0].vols[1].name, "new.qcow2");
	assert_int_equal(h->pools[0].vols[1].nusers, 0);
	msg = md_msg_new(MD_MSG_POOL_UPDATE, 2);
	msg->pools = xcalloc(1, sizeof(md_pool));
	msg->npools = 1;
	msg->pools[0].name = xstrdup("other");
	strcpy(msg->pools[0].uuid, "99999999-2222-3333-4444-555555555555");
	assert_int_equal(apply(m, msg), VM_DIRTY);
	assert_int_equal(h->npools, 2);
	assert_string_equal(h->pools[1].name, "other");

	/* count 1: one volume made (merged in name order, the figures new);
	 * count 2: one removed; a pool not listed: nothing */
	msg = pool_vol_msg("11111111-2222-3333-4444-555555555555", "m.qcow2", 1);
	assert_int_equal(apply(m, msg), VM_DIRTY);
	assert_int_equal(h->pools[0].nvols, 3);
	assert_string_equal(h->pools[0].vols[0].name, "disk.qcow2");
	assert_string_equal(h->pools[0].vols[1].name, "m.qcow2");
	assert_string_equal(h->pools[0].vols[2].name, "new.qcow2");
	assert_int_equal(h->pools[0].available, 7);
	assert_string_equal(h->pools[0].vols[0].users[0], "web1");
	msg = pool_vol_msg("11111111-2222-3333-4444-555555555555", "disk.qcow2", 2);
	assert_int_equal(apply(m, msg), VM_DIRTY);
	assert_int_equal(h->pools[0].nvols, 2);
	assert_string_equal(h->pools[0].vols[0].name, "m.qcow2");
	msg = pool_vol_msg("00000000-2222-3333-4444-555555555555", "x.qcow2", 1);
	assert_int_equal(apply(m, msg), 0);

	/* Replaced again: the old ones are freed (ASan). */
	apply(m, md_msg_new(MD_MSG_NET_LIST, 2));
	apply(m, md_msg_new(MD_MSG_POOL_LIST, 2));
	assert_int_equal(h->nnets, 0);
	assert_int_equal(h->npools, 0);
}

static void test_op_result(void **state)
{
	md_model *m = *state;
	md_msg *msg = md_msg_new(MD_MSG_OP_RESULT, 1);
	uint64_t g = m->gen;

	msg->ok = false;
	msg->text = xstrdup("Start failed: no memory");
	assert_int_equal(apply(m, msg), MD_DIRTY_STATUS);
	assert_string_equal(m->status, "Start failed: no memory");
	assert_true(m->status_error);
	assert_true(m->status_ms > 0);
	assert_true(m->gen > g);

	msg = md_msg_new(MD_MSG_OP_RESULT, 1);
	msg->ok = true;
	msg->text = xstrdup("Started vm1 (100% done)"); /* no printf of the text */
	apply(m, msg);
	assert_string_equal(m->status, "Started vm1 (100% done)");
	assert_false(m->status_error);

	/* No text: the status stays. */
	msg = md_msg_new(MD_MSG_OP_RESULT, 1);
	apply(m, msg);
	assert_string_equal(m->status, "Started vm1 (100% done)");

	md_set_status(m, true, "%s: %d", "x", 3);
	assert_string_equal(m->status, "x: 3");
	assert_true(m->status_error);
}

static void test_vm_disks(void **state)
{
	md_model *m = *state;
	md_msg *msg = md_msg_new(MD_MSG_VM_DISKS, 1);
	msg->strs = xcalloc(1, sizeof(char *));
	msg->strs[0] = xstrdup("/a.qcow2");
	msg->nstrs = 1;
	assert_int_equal(md_apply(m, msg), 0); /* for the UI, not the model */
	assert_non_null(msg->strs);
	md_msg_free(&msg);
}

/* A removed host's late messages change nothing. */
static void test_unknown_host(void **state)
{
	md_model *m = *state;
	static const int ids[] = { 1 }, st[] = { MD_VM_RUNNING };
	uint64_t g = m->gen;
	md_msg *msg;

	assert_int_equal(apply(m, host_state(7, MD_CONN_CONNECTED, NULL, "x")), 0);
	msg = md_msg_new(MD_MSG_HOST_BUSY, 7);
	msg->count = 1;
	assert_int_equal(apply(m, msg), 0);
	assert_int_equal(apply(m, vm_list(7, ids, st, 1)), 0); /* freed with the msg */
	assert_int_equal(apply(m, vm_update(7, mk_vm("x", 1, MD_VM_RUNNING, 0))), 0);
	msg = md_msg_new(MD_MSG_VM_REMOVED, 7);
	strcpy(msg->uuid, uuid_of(1));
	assert_int_equal(apply(m, msg), 0);
	assert_int_equal(apply(m, md_msg_new(MD_MSG_NET_LIST, 7)), 0);
	assert_int_equal(m->gen, g);
	for (size_t i = 0; i < m->nhosts; i++) {
		assert_int_equal(m->hosts[i]->nvms, 0);
		assert_int_equal(m->hosts[i]->busy, 0);
		assert_int_equal(m->hosts[i]->conn, MD_CONN_IDLE);
	}
	assert_int_equal(apply(m, md_msg_new(99, 1)), 0); /* unknown type */
}

static md_vm *vm(md_model *m, int n)
{
	return md_vm_find(md_host_get(m, 1), uuid_of(n));
}

/* md_carry_start: started_wall kept while active, stamped when seen becoming
 * active, cleared when stopped. */
static void test_uptime_list(void **state)
{
	md_model *m = *state;
	static const int ids[] = { 1, 2, 3 };
	static const int st1[] = { MD_VM_RUNNING, MD_VM_SHUTOFF, MD_VM_SHUTOFF };
	static const int st2[] = { MD_VM_PAUSED, MD_VM_RUNNING, MD_VM_SHUTOFF };
	static const int st3[] = { MD_VM_SHUTOFF, MD_VM_RUNNING, MD_VM_RUNNING };
	md_msg *msg;
	int64_t t0;

	/* First list: a start time given by the backend is kept, none is not
	 * invented, a stopped VM has none. */
	msg = vm_list(1, ids, st1, 3);
	msg->vms[0].started_wall = 1000;
	msg->vms[2].started_wall = 5; /* stale: it is shut off */
	apply(m, msg);
	assert_int_equal(vm(m, 1)->started_wall, 1000);
	assert_int_equal(vm(m, 2)->started_wall, 0);
	assert_int_equal(vm(m, 3)->started_wall, 0);

	/* Still active (running -> paused): carried over. Became active: now. */
	t0 = core_wall_s();
	apply(m, vm_list(1, ids, st2, 3));
	assert_int_equal(vm(m, 1)->started_wall, 1000);
	assert_in_range(vm(m, 2)->started_wall, t0, core_wall_s());
	assert_int_equal(vm(m, 3)->started_wall, 0);

	/* Stopped: cleared, even if the message says otherwise. */
	msg = vm_list(1, ids, st3, 3);
	msg->vms[0].started_wall = 1000;
	apply(m, msg);
	assert_int_equal(vm(m, 1)->started_wall, 0);
	assert_true(vm(m, 2)->started_wall >= t0);
	assert_true(vm(m, 3)->started_wall >= t0);

	/* A newer start time from the backend wins over the carried one. */
	msg = vm_list(1, ids, st3, 3);
	msg->vms[1].started_wall = 42;
	apply(m, msg);
	assert_int_equal(vm(m, 2)->started_wall, 42);
}

static void test_uptime_list_new_vm(void **state)
{
	md_model *m = *state;
	static const int ids1[] = { 1 }, st1[] = { MD_VM_SHUTOFF };
	static const int ids2[] = { 1, 2 }, st2[] = { MD_VM_SHUTOFF, MD_VM_RUNNING };
	apply(m, vm_list(1, ids1, st1, 1));
	/* A VM not in the last list: its start is unknown, not "now". */
	apply(m, vm_list(1, ids2, st2, 2));
	assert_int_equal(vm(m, 2)->started_wall, 0);
}

static void test_uptime_update(void **state)
{
	md_model *m = *state;
	static const int ids[] = { 1 }, st[] = { MD_VM_RUNNING };
	md_msg *msg = vm_list(1, ids, st, 1);
	int64_t t0;

	msg->vms[0].started_wall = 500;
	apply(m, msg);
	apply(m, vm_update(1, mk_vm("vm1", 1, MD_VM_RUNNING, 0)));
	assert_int_equal(vm(m, 1)->started_wall, 500);
	apply(m, vm_update(1, mk_vm("vm1", 1, MD_VM_PAUSED, 0)));
	assert_int_equal(vm(m, 1)->started_wall, 500);
	apply(m, vm_update(1, mk_vm("vm1", 1, MD_VM_SHUTOFF, 500)));
	assert_int_equal(vm(m, 1)->started_wall, 0);
	t0 = core_wall_s();
	apply(m, vm_update(1, mk_vm("vm1", 1, MD_VM_RUNNING, 0)));
	assert_in_range(vm(m, 1)->started_wall, t0, core_wall_s());
	/* A new VM seen starting after the host was listed: now. */
	apply(m, vm_update(1, mk_vm("vm2", 2, MD_VM_RUNNING, 0)));
	assert_in_range(vm(m, 2)->started_wall, t0, core_wall_s());
	/* A new VM that is off: none. */
	apply(m, vm_update(1, mk_vm("vm3", 3, MD_VM_SHUTOFF, 77)));
	assert_int_equal(vm(m, 3)->started_wall, 0);
}

static void test_uptime_update_unlisted(void **state)
{
	md_model *m = *state;
	/* Before the first list, a running VM's start is unknown. */
	apply(m, vm_update(1, mk_vm("vm1", 1, MD_VM_RUNNING, 0)));
	assert_int_equal(vm(m, 1)->started_wall, 0);
}

static void test_msg_queue_free(void **state)
{
	md_msg *msg = vm_list(1, (const int[]){ 1, 2 }, (const int[]){ 1, 5 }, 2);
	(void)state;
	msg->text = xstrdup("t");
	msg->hostname = xstrdup("h");
	md_msg_free_void(msg); /* everything freed: ASan checks */
	msg = NULL;
	md_msg_free(&msg);     /* NULL: no-op */
	assert_null(msg);
}

static void test_vm_copy(void **state)
{
	md_vm a = mk_vm("orig", 1, MD_VM_RUNNING, 9), b;
	(void)state;
	md_vm_copy(&b, &a);
	assert_ptr_not_equal(a.name, b.name);
	assert_string_equal(b.name, "orig");
	assert_string_equal(b.uuid, a.uuid);
	assert_int_equal(b.started_wall, 9);
	md_vm_clear(&a);
	assert_null(a.name);
	md_vm_clear(&b);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_default_label),
		T(test_hosts),
		T(test_host_state),
		T(test_host_state_keeps_lists),
		T(test_busy),
		T(test_vm_list),
		T(test_count_running),
		T(test_vm_update),
		T(test_vm_removed),
		T(test_net_pool_lists),
		T(test_op_result),
		T(test_vm_disks),
		T(test_unknown_host),
		T(test_uptime_list),
		T(test_uptime_list_new_vm),
		T(test_uptime_update),
		T(test_uptime_update_unlisted),
		cmocka_unit_test(test_msg_queue_free),
		cmocka_unit_test(test_vm_copy),
		T(test_host_state_stalled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
