/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_stats.c - live figures: rates from counters (gaps for
 * counters that go backwards, missing fields, zero intervals), VMs that come
 * and go between ticks, history rings and the model's MD_MSG_STATS. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/model.h"
#include "../../core/stats.h"
#include "../../core/util.h"

#define SEC 1000000LL /* us */

static core_stats_sample mk(int n, int64_t t_us)
{
	core_stats_sample s;
	memset(&s, 0, sizeof(s));
	snprintf(s.uuid, sizeof(s.uuid), "00000000-0000-0000-0000-%012d", n);
	s.t_us = t_us;
	return s;
}

static core_stats_sample full(int n, int64_t t_us, uint64_t cpu_ns, unsigned vcpus)
{
	core_stats_sample s = mk(n, t_us);
	s.have = CORE_SAMPLE_CPU | CORE_SAMPLE_VCPUS | CORE_SAMPLE_BALLOON | CORE_SAMPLE_BLOCK | CORE_SAMPLE_NET;
	s.cpu_ns = cpu_ns;
	s.vcpus = vcpus;
	s.bal_current = 1048576;
	return s;
}

static void test_cpu_pct(void **state)
{
	core_stats_sample a = full(1, 10 * SEC, 5000000000ULL, 2);
	core_stats_sample b = full(1, 12 * SEC, 7000000000ULL, 2); /* 2 s of CPU in 2 s, 2 vCPUs */
	core_stats_rate r;
	(void)state;
	core_stats_rate_of(&a, &b, 8, &r);
	assert_true(r.have & CORE_RATE_CPU);
	assert_true(r.have & CORE_RATE_CPU_HOST);
	assert_float_equal(r.cpu_pct, 50.0, 0.01);      /* one of two vCPUs busy */
	assert_float_equal(r.cpu_host_pct, 12.5, 0.01); /* one of eight host CPUs */
	/* both vCPUs busy: 100 %; a little over (timing) is held at 100 */
	b.cpu_ns = 5000000000ULL + 4100000000ULL;
	core_stats_rate_of(&a, &b, 0, &r);
	assert_float_equal(r.cpu_pct, 100.0, 0.01);
	assert_false(r.have & CORE_RATE_CPU_HOST); /* host CPU count unknown */
}

static void test_counter_reset_is_gap(void **state)
{
	core_stats_sample a = full(1, 10 * SEC, 900000000000ULL, 1);
	core_stats_sample b = full(1, 12 * SEC, 1000000ULL, 1); /* the guest restarted */
	core_stats_rate r;
	(void)state;
	a.rd_bytes = 1000000;
	a.rx_bytes = 5000;
	b.rd_bytes = 10;
	b.rx_bytes = 6000;
	b.tx_bytes = 0;
	core_stats_rate_of(&a, &b, 4, &r);
	assert_false(r.have & CORE_RATE_CPU);
	assert_false(r.have & CORE_RATE_CPU_HOST);
	assert_false(r.have & CORE_RATE_DISK); /* read bytes went back */
	assert_true(r.have & CORE_RATE_NET);   /* net counters did not */
	assert_float_equal(r.rx_bps, 500.0, 0.01);
	assert_true(r.have & CORE_RATE_MEM);   /* a level, not a counter */
	assert_int_equal(r.cpu_pct, 0);
}

static void test_counter_wrap_near_max(void **state)
{
	/* a 64-bit counter near its end that wraps is a reset too: never a spike */
	core_stats_sample a = full(1, 1 * SEC, UINT64_MAX - 10, 1);
	core_stats_sample b = full(1, 3 * SEC, 5, 1);
	core_stats_rate r;
	(void)state;
	a.tx_bytes = UINT64_MAX - 100;
	b.tx_bytes = 50;
	core_stats_rate_of(&a, &b, 1, &r);
	assert_false(r.have & (CORE_RATE_CPU | CORE_RATE_NET));
	assert_true(r.cpu_pct == 0 && r.tx_bps == 0);
}

static void test_zero_and_negative_interval(void **state)
{
	core_stats_sample a = full(1, 5 * SEC, 1000, 1);
	core_stats_sample b = full(1, 5 * SEC, 2000000000ULL, 1);
	core_stats_rate r;
	(void)state;
	assert_int_equal(core_stats_rate_of(&a, &b, 1, &r), CORE_RATE_MEM);
	b.t_us = 4 * SEC;
	assert_int_equal(core_stats_rate_of(&a, &b, 1, &r), CORE_RATE_MEM);
	assert_true(isfinite(r.cpu_pct) && r.cpu_pct == 0);
}

static void test_missing_fields(void **state)
{
	core_stats_sample a = mk(1, 1 * SEC), b = mk(1, 3 * SEC);
	core_stats_rate r;
	(void)state;
	/* the test driver: state only */
	assert_int_equal(core_stats_rate_of(&a, &b, 4, &r), 0);
	/* cpu.time without vcpu.current: only the share of the host */
	a.have = b.have = CORE_SAMPLE_CPU;
	a.cpu_ns = 0;
	b.cpu_ns = 2000000000ULL;
	core_stats_rate_of(&a, &b, 4, &r);
	assert_int_equal(r.have, CORE_RATE_CPU_HOST);
	assert_float_equal(r.cpu_host_pct, 25.0, 0.01);
	/* a field in one sample only */
	a.have = CORE_SAMPLE_NET;
	b.have = CORE_SAMPLE_NET | CORE_SAMPLE_BLOCK;
	b.rd_bytes = 100;
	b.rx_bytes = 400;
	core_stats_rate_of(&a, &b, 4, &r);
	assert_int_equal(r.have, CORE_RATE_NET);
	assert_float_equal(r.rx_bps, 200.0, 0.01);
}

static void test_memory_used(void **state)
{
	core_stats_sample s = mk(1, 1 * SEC);
	core_stats_rate r;
	(void)state;
	/* no balloon driver: balloon.current only */
	s.have = CORE_SAMPLE_BALLOON;
	s.bal_current = 524288;
	core_stats_rate_of(NULL, &s, 0, &r);
	assert_int_equal(r.have, CORE_RATE_MEM);
	assert_int_equal(r.mem_used_kib, 524288);
	/* the guest reports: available - unused */
	s.have |= CORE_SAMPLE_GUEST_MEM;
	s.bal_available = 500000;
	s.bal_unused = 300000;
	core_stats_rate_of(NULL, &s, 0, &r);
	assert_int_equal(r.have, CORE_RATE_MEM | CORE_RATE_MEM_GUEST);
	assert_int_equal(r.mem_used_kib, 200000);
	/* nonsense from the guest (unused > available): fall back */
	s.bal_unused = 600000;
	core_stats_rate_of(NULL, &s, 0, &r);
	assert_int_equal(r.have, CORE_RATE_MEM);
	assert_int_equal(r.mem_used_kib, 524288);
}

static void test_disk_and_net_rates(void **state)
{
	core_stats_sample a = full(1, 0, 0, 1), b = full(1, 4 * SEC, 0, 1);
	core_stats_rate r;
	(void)state;
	b.rd_bytes = 4096 * 100;
	b.wr_bytes = 8192;
	b.rd_reqs = 100;
	b.wr_reqs = 2;
	b.rx_bytes = 4000;
	b.tx_bytes = 40;
	core_stats_rate_of(&a, &b, 1, &r);
	assert_true(r.have & CORE_RATE_DISK);
	assert_float_equal(r.rd_bps, 102400.0, 0.1);
	assert_float_equal(r.wr_bps, 2048.0, 0.1);
	assert_float_equal(r.rd_iops, 25.0, 0.01);
	assert_float_equal(r.wr_iops, 0.5, 0.01);
	assert_float_equal(r.rx_bps, 1000.0, 0.01);
	assert_float_equal(r.tx_bps, 10.0, 0.01);
}

static void test_diff_vms_come_and_go(void **state)
{
	core_stats_sample prev[3], cur[3];
	core_stats_vm *out;
	size_t n;
	(void)state;
	/* prev: 1, 2, 3; cur: 3, 4, 1 (unsorted until sorted) */
	prev[0] = full(2, 0, 0, 1);
	prev[1] = full(1, 0, 0, 1);
	prev[2] = full(3, 0, 1000000000ULL, 1);
	cur[0] = full(3, 2 * SEC, 2000000000ULL, 1);
	cur[1] = full(4, 2 * SEC, 5000000000ULL, 1);
	cur[2] = full(1, 2 * SEC, 1000000000ULL, 1);
	core_stats_sort_samples(prev, 3);
	core_stats_sort_samples(cur, 3);
	n = core_stats_diff(prev, 3, cur, 3, 2, &out);
	assert_int_equal(n, 3); /* 2 is gone; 4 is new */
	assert_string_equal(out[0].uuid, cur[0].uuid);
	assert_true(strcmp(out[0].uuid, out[1].uuid) < 0 && strcmp(out[1].uuid, out[2].uuid) < 0);
	/* VM 1: 1 s of CPU in 2 s */
	assert_true(out[0].rate.have & CORE_RATE_CPU);
	assert_float_equal(out[0].rate.cpu_pct, 50.0, 0.01);
	/* VM 3: 1 s of CPU in 2 s */
	assert_float_equal(out[1].rate.cpu_pct, 50.0, 0.01);
	/* VM 4 appeared: memory only, no spike from its whole cpu.time */
	assert_true(strstr(out[2].uuid, "000000000004") != NULL);
	assert_int_equal(out[2].rate.have, CORE_RATE_MEM);
	free(out);

	/* VMs with no figure at all (test driver) are left out */
	cur[0].have = cur[1].have = cur[2].have = 0;
	n = core_stats_diff(prev, 3, cur, 3, 2, &out);
	assert_int_equal(n, 0);
	assert_null(out);
	/* empty lists */
	assert_int_equal(core_stats_diff(NULL, 0, NULL, 0, 2, &out), 0);
	assert_null(out);
}

static void test_host_rate(void **state)
{
	core_stats_host_sample a = { 0 }, b = { 0 };
	core_stats_host_rate r;
	(void)state;
	a.have = b.have = CORE_HOST_CPU | CORE_HOST_MEM | CORE_HOST_NCPUS;
	a.cpu_busy_ns = 1000;
	a.cpu_total_ns = 10000;
	b.cpu_busy_ns = 4000;
	b.cpu_total_ns = 22000;
	b.mem_total_kib = 8000000;
	b.mem_free_kib = 2000000;
	b.ncpus = 4;
	core_stats_host_rate_of(&a, &b, &r);
	assert_int_equal(r.have, CORE_HRATE_CPU | CORE_HRATE_MEM | CORE_HRATE_MEM_TOTAL);
	assert_float_equal(r.cpu_pct, 25.0, 0.01);
	assert_int_equal(r.mem_used_kib, 6000000);
	assert_int_equal(r.ncpus, 4);
	/* a host counter reset (reboot) is a gap; no previous sample neither */
	b.cpu_total_ns = 5;
	core_stats_host_rate_of(&a, &b, &r);
	assert_false(r.have & CORE_HRATE_CPU);
	core_stats_host_rate_of(NULL, &b, &r);
	assert_false(r.have & CORE_HRATE_CPU);
	/* test driver: no memory stats, only node info */
	b.have = CORE_HOST_NCPUS;
	core_stats_host_rate_of(NULL, &b, &r);
	assert_int_equal(r.have, CORE_HRATE_MEM_TOTAL);
}

static void test_hist_ring(void **state)
{
	core_stats_hist *h = xcalloc(1, sizeof(*h));
	float v[CORE_SER__COUNT] = { 0 }, cur, avg, peak;
	(void)state;
	assert_true(isnan(core_stats_hist_get(h, CORE_SER_CPU, 0)));
	assert_false(core_stats_hist_summary(h, CORE_SER_CPU, 10, &cur, &avg, &peak));
	for (int i = 0; i < CORE_STATS_HIST + 10; i++) {
		v[CORE_SER_CPU] = (float)i;
		v[CORE_SER_MEM] = i % 2 ? NAN : 7.0f;
		core_stats_hist_push(h, v);
	}
	assert_int_equal(h->count, CORE_STATS_HIST);
	assert_float_equal(core_stats_hist_get(h, CORE_SER_CPU, 0), CORE_STATS_HIST + 9, 0);
	assert_float_equal(core_stats_hist_get(h, CORE_SER_CPU, CORE_STATS_HIST - 1), 10, 0);
	assert_true(isnan(core_stats_hist_get(h, CORE_SER_CPU, CORE_STATS_HIST)));
	assert_true(core_stats_hist_summary(h, CORE_SER_CPU, 4, &cur, &avg, &peak));
	assert_float_equal(cur, 159, 0);
	assert_float_equal(avg, (159 + 158 + 157 + 156) / 4.0, 0.001);
	assert_float_equal(peak, 159, 0);
	/* gaps are skipped */
	assert_true(core_stats_hist_summary(h, CORE_SER_MEM, 6, &cur, &avg, &peak));
	assert_true(isnan(cur));
	assert_float_equal(avg, 7, 0);
	free(h);
}

static core_stats_tick *mk_tick(int64_t wall, const int *ids, const float *cpu, size_t n)
{
	core_stats_tick *t = xcalloc(1, sizeof(*t));
	t->wall_ms = wall;
	t->vms = xcalloc(n ? n : 1, sizeof(*t->vms));
	t->nvms = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(t->vms[i].uuid, sizeof(t->vms[i].uuid), "00000000-0000-0000-0000-%012d", ids[i]);
		t->vms[i].rate.have = CORE_RATE_CPU | CORE_RATE_CPU_HOST | CORE_RATE_MEM | CORE_RATE_NET;
		t->vms[i].rate.cpu_pct = cpu[i];
		t->vms[i].rate.cpu_host_pct = cpu[i] / 4;
		t->vms[i].rate.mem_used_kib = 1000;
		t->vms[i].rate.rx_bps = 10;
	}
	t->host.have = CORE_HRATE_CPU;
	t->host.cpu_pct = 33;
	return t;
}

static void test_store(void **state)
{
	core_stats_store *s = core_stats_store_new();
	int ids1[] = { 1, 2, 3 }, ids2[] = { 2, 3, 5 };
	float c1[] = { 10, 20, 30 }, c2[] = { 40, 50, 60 };
	core_stats_tick *t = mk_tick(1000, ids1, c1, 3);
	const core_stats_hist *h2;
	(void)state;
	core_stats_store_apply(s, t);
	core_stats_tick_free(t);
	assert_int_equal(s->nvms, 3);
	assert_float_equal(s->sum.cpu_host_pct, 15, 0.001);
	assert_int_equal(s->sum.mem_used_kib, 3000);
	assert_float_equal(s->sum.rx_bps, 30, 0.001);
	h2 = core_stats_store_find(s, "00000000-0000-0000-0000-000000000002");
	assert_non_null(h2);
	/* VM 1 goes, VM 5 comes: 2 and 3 keep their rings (same pointer) */
	t = mk_tick(3000, ids2, c2, 3);
	core_stats_store_apply(s, t);
	core_stats_tick_free(t);
	assert_int_equal(s->nvms, 3);
	assert_ptr_equal(core_stats_store_find(s, "00000000-0000-0000-0000-000000000002"), h2);
	assert_int_equal(h2->count, 2);
	assert_float_equal(core_stats_hist_get(h2, CORE_SER_CPU, 0), 40, 0);
	assert_float_equal(core_stats_hist_get(h2, CORE_SER_CPU, 1), 20, 0);
	assert_null(core_stats_store_find(s, "00000000-0000-0000-0000-000000000001"));
	assert_int_equal(core_stats_store_find(s, "00000000-0000-0000-0000-000000000005")->count, 1);
	assert_int_equal(s->host.count, 2);
	assert_float_equal(core_stats_hist_get(&s->host, CORE_SER_CPU, 0), 33, 0);
	/* a failed tick: the error, a gap, the rings kept */
	t = xcalloc(1, sizeof(*t));
	t->error = xstrdup("Timed out during operation");
	core_stats_store_apply(s, t);
	core_stats_tick_free(t);
	assert_string_equal(s->error, "Timed out during operation");
	assert_int_equal(s->nvms, 3);
	assert_true(isnan(core_stats_hist_get(h2, CORE_SER_CPU, 0)));
	assert_int_equal(s->sum.have, 0);
	/* the next good tick clears the error */
	t = mk_tick(5000, ids2, c2, 0);
	core_stats_store_apply(s, t);
	core_stats_tick_free(t);
	assert_null(s->error);
	assert_int_equal(s->nvms, 0);
	core_stats_store_free(&s);
	assert_null(s);
}

static void test_fmt_rate(void **state)
{
	char b[16];
	(void)state;
	core_fmt_rate(0, b, sizeof(b));
	assert_string_equal(b, "0");
	core_fmt_rate(999, b, sizeof(b));
	assert_string_equal(b, "999");
	core_fmt_rate(1536, b, sizeof(b));
	assert_string_equal(b, "1.5K");
	core_fmt_rate(12.0 * 1024, b, sizeof(b));
	assert_string_equal(b, "12K");
	core_fmt_rate(3.4 * 1024 * 1024, b, sizeof(b));
	assert_string_equal(b, "3.4M");
	core_fmt_rate(-1, b, sizeof(b));
	assert_string_equal(b, "-");
	core_fmt_rate(NAN, b, sizeof(b));
	assert_string_equal(b, "-");
}

/* ---- the model's reducer --------------------------------------------------- */

static md_vm mk_vm(int n, int st)
{
	md_vm v = { 0 };
	v.name = xasprintf("vm%d", n);
	snprintf(v.uuid, sizeof(v.uuid), "00000000-0000-0000-0000-%012d", n);
	v.state = st;
	return v;
}

static void post_list(md_model *m, int n)
{
	md_msg *msg = md_msg_new(MD_MSG_VM_LIST, 1);
	msg->vms = xcalloc((size_t)n, sizeof(*msg->vms));
	msg->nvms = (size_t)n;
	/* reverse order: the model must match by uuid, not by position */
	for (int i = 0; i < n; i++)
		msg->vms[i] = mk_vm(n - i, MD_VM_RUNNING);
	md_apply(m, msg);
	md_msg_free(&msg);
}

static void test_model_stats(void **state)
{
	md_model *m = md_model_new();
	int ids[] = { 2, 3 };
	float cpu[] = { 25, 75 };
	md_msg *msg;
	int dirty;
	(void)state;
	md_host_add(m, 1, "qemu:///system");
	post_list(m, 3);
	msg = md_msg_new(MD_MSG_STATS, 1);
	msg->ext = mk_tick(2000, ids, cpu, 2);
	msg->ext_free = core_stats_tick_free;
	dirty = md_apply(m, msg);
	md_msg_free(&msg);
	assert_true(dirty & MD_DIRTY_LIVE);
	assert_non_null(m->hosts[0]->live);
	assert_float_equal(md_vm_find(m->hosts[0], "00000000-0000-0000-0000-000000000003")->rate.cpu_pct, 75, 0);
	assert_float_equal(md_vm_find(m->hosts[0], "00000000-0000-0000-0000-000000000002")->rate.cpu_pct, 25, 0);
	assert_int_equal(md_vm_find(m->hosts[0], "00000000-0000-0000-0000-000000000001")->rate.have, 0);
	/* an update of one VM keeps its figures while it stays active */
	msg = md_msg_new(MD_MSG_VM_UPDATE, 1);
	msg->vms = xcalloc(1, sizeof(*msg->vms));
	msg->nvms = 1;
	msg->vms[0] = mk_vm(3, MD_VM_PAUSED);
	md_apply(m, msg);
	md_msg_free(&msg);
	assert_float_equal(md_vm_find(m->hosts[0], "00000000-0000-0000-0000-000000000003")->rate.cpu_pct, 75, 0);
	/* ... and loses them when it stops */
	msg = md_msg_new(MD_MSG_VM_UPDATE, 1);
	msg->vms = xcalloc(1, sizeof(*msg->vms));
	msg->nvms = 1;
	msg->vms[0] = mk_vm(3, MD_VM_SHUTOFF);
	md_apply(m, msg);
	md_msg_free(&msg);
	assert_int_equal(md_vm_find(m->hosts[0], "00000000-0000-0000-0000-000000000003")->rate.have, 0);
	/* a new full list keeps the figures of VMs still running */
	post_list(m, 3);
	assert_float_equal(md_vm_find(m->hosts[0], "00000000-0000-0000-0000-000000000002")->rate.cpu_pct, 25, 0);
	/* a failed stats call: every figure goes, the error is kept */
	msg = md_msg_new(MD_MSG_STATS, 1);
	msg->ext = xcalloc(1, sizeof(core_stats_tick));
	((core_stats_tick *)msg->ext)->error = xstrdup("cannot read stats");
	msg->ext_free = core_stats_tick_free;
	md_apply(m, msg);
	md_msg_free(&msg);
	assert_int_equal(md_vm_find(m->hosts[0], "00000000-0000-0000-0000-000000000002")->rate.have, 0);
	assert_string_equal(m->hosts[0]->live->error, "cannot read stats");
	/* a stats message for an unknown host is ignored */
	msg = md_msg_new(MD_MSG_STATS, 9);
	msg->ext = mk_tick(2000, ids, cpu, 2);
	msg->ext_free = core_stats_tick_free;
	assert_int_equal(md_apply(m, msg), 0);
	md_msg_free(&msg);
	md_model_free(&m);
}

static void test_model_stats_many(void **state)
{
	/* 10,000 VMs in one tick: matched by uuid (no quadratic walk) */
	md_model *m = md_model_new();
	md_msg *msg;
	core_stats_tick *t;
	int64_t t0;
	const int n = 10000;
	(void)state;
	md_host_add(m, 1, "test:///big");
	post_list(m, n);
	t = xcalloc(1, sizeof(*t));
	t->vms = xcalloc((size_t)n, sizeof(*t->vms));
	t->nvms = (size_t)n;
	for (int i = 0; i < n; i++) {
		snprintf(t->vms[i].uuid, sizeof(t->vms[i].uuid), "00000000-0000-0000-0000-%012d", i + 1);
		t->vms[i].rate.have = CORE_RATE_CPU;
		t->vms[i].rate.cpu_pct = (float)(i % 100);
	}
	msg = md_msg_new(MD_MSG_STATS, 1);
	msg->ext = t;
	msg->ext_free = core_stats_tick_free;
	t0 = core_now_us();
	md_apply(m, msg);
	t0 = core_now_us() - t0;
	md_msg_free(&msg);
	for (size_t i = 0; i < m->hosts[0]->nvms; i++) {
		const md_vm *v = &m->hosts[0]->vms[i];
		int id = atoi(v->uuid + 24);
		assert_true(v->rate.have & CORE_RATE_CPU);
		assert_float_equal(v->rate.cpu_pct, (float)((id - 1) % 100), 0);
	}
	print_message("10,000 VMs: one stats tick applied in %lld us\n", (long long)t0);
	assert_true(t0 < 2000000); /* generous: far above what a linear-log pass takes */
	md_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_pct),
		cmocka_unit_test(test_counter_reset_is_gap),
		cmocka_unit_test(test_counter_wrap_near_max),
		cmocka_unit_test(test_zero_and_negative_interval),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_memory_used),
		cmocka_unit_test(test_disk_and_net_rates),
		cmocka_unit_test(test_diff_vms_come_and_go),
		cmocka_unit_test(test_host_rate),
		cmocka_unit_test(test_hist_ring),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_fmt_rate),
		cmocka_unit_test(test_model_stats),
		cmocka_unit_test(test_model_stats_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
