/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/view_vms.c - the Virtual Machines view: a host's VMs with their
 * state and live figures, and the host summary above them when the host
 * node itself is selected. */
#include "actions.h"
#include "console.h"
#include "listview.h"
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/stats.h"
#include "../core/util.h"

enum {
	COL_NAME, COL_STATE, COL_VCPUS, COL_CPU, COL_MEM, COL_MEMUSED, COL_DISKRD, COL_DISKWR, COL_IOPS,
	COL_NETRX, COL_NETTX, COL_AUTO, COL_UPTIME, COL_AGENT, COL__COUNT
};

static const struct tui_list_col vm_cols[COL__COUNT] = {
	[COL_NAME] = { "Name", 0, 12, false, 0, true, false, true },
	[COL_STATE] = { "State", 11, 0, false, 1, true },
	[COL_VCPUS] = { "vCPU", 4, 0, true, 5, true },
	[COL_CPU] = { "CPU%", 6, 0, true, 2, true, true },
	[COL_MEM] = { "Memory", 9, 0, true, 4, true },
	[COL_MEMUSED] = { "Used", 9, 0, true, 3, true, true },
	[COL_DISKRD] = { "DiskR", 7, 0, true, 7, true, true },
	[COL_DISKWR] = { "DiskW", 7, 0, true, 8, true, true },
	[COL_IOPS] = { "IOPS", 5, 0, true, 11, true, true },
	[COL_NETRX] = { "NetRx", 7, 0, true, 9, true, true },
	[COL_NETTX] = { "NetTx", 7, 0, true, 10, true, true },
	[COL_AUTO] = { "Auto", 4, 0, false, 12, true },
	[COL_UPTIME] = { "Uptime", 8, 0, true, 6, true },
	[COL_AGENT] = { "Agent", 5, 0, false, 8, true },
};

static bool col_live(int col)
{
	return col == COL_CPU || col == COL_MEMUSED || (col >= COL_DISKRD && col <= COL_NETTX);
}

static size_t vms_count(const void *src)
{
	return ((const md_host *)src)->nvms;
}

static const md_vm *vm_at(const void *src, size_t i)
{
	return &((const md_host *)src)->vms[i];
}

/* A live figure for sorting: -1 when absent (below every real figure). */
static double live_key(const md_vm *v, int col, bool cpu_host)
{
	const core_stats_rate *r = &v->rate;
	switch (col) {
	case COL_CPU:
		if (cpu_host)
			return r->have & CORE_RATE_CPU_HOST ? r->cpu_host_pct : -1;
		return r->have & CORE_RATE_CPU ? r->cpu_pct : -1;
	case COL_MEMUSED: return r->have & CORE_RATE_MEM ? (double)r->mem_used_kib : -1;
	case COL_DISKRD: return r->have & CORE_RATE_DISK ? r->rd_bps : -1;
	case COL_DISKWR: return r->have & CORE_RATE_DISK ? r->wr_bps : -1;
	case COL_IOPS: return r->have & CORE_RATE_DISK ? r->rd_iops + r->wr_iops : -1;
	case COL_NETRX: return r->have & CORE_RATE_NET ? r->rx_bps : -1;
	case COL_NETTX: return r->have & CORE_RATE_NET ? r->tx_bps : -1;
	}
	return -1;
}

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

static int vms_cmp(const void *src, size_t i, size_t j, int col, const struct tui_app *a)
{
	const md_vm *x = vm_at(src, i), *y = vm_at(src, j);
	if (col_live(col))
		return CMP(live_key(x, col, tui_perf_cpu_of_host(a)), live_key(y, col, tui_perf_cpu_of_host(a)));
	switch (col) {
	case COL_STATE: return strcmp(tui_vm_state_text(x), tui_vm_state_text(y));
	case COL_VCPUS: return CMP(x->vcpus, y->vcpus);
	case COL_MEM: return CMP(x->mem_kib, y->mem_kib);
	case COL_AUTO: return CMP(x->autostart, y->autostart);
	case COL_AGENT: return CMP(x->agent, y->agent);
	case COL_UPTIME: {
		int64_t ux = md_vm_state_active(x->state) && x->started_wall ? x->started_wall : INT64_MAX;
		int64_t uy = md_vm_state_active(y->state) && y->started_wall ? y->started_wall : INT64_MAX;
		return -CMP(ux, uy);
	}
	}
	return 0;
}

/* Sort keys without a call per comparison (tui_list_class.key). */
static void vms_key(const void *src, size_t i, int col, struct tui_list_key *k, const struct tui_app *a)
{
	const md_vm *v = vm_at(src, i);
	if (col_live(col)) {
		k->num = live_key(v, col, tui_perf_cpu_of_host(a));
		return;
	}
	switch (col) {
	case COL_STATE: k->str = tui_vm_state_text(v); break;
	case COL_VCPUS: k->num = v->vcpus; break;
	case COL_MEM: k->num = (double)v->mem_kib; break;
	case COL_AUTO: k->num = v->autostart; break;
	case COL_AGENT: k->num = v->agent; break;
	case COL_UPTIME:
		/* the longest up first, the stopped last */
		k->num = md_vm_state_active(v->state) && v->started_wall ? (double)v->started_wall : 1e300;
		k->num = -k->num;
		break;
	}
}

static uint64_t vms_gen(const void *src)
{
	return ((const md_host *)src)->vms_gen;
}

static void live_text(const struct tui_app *a, const md_vm *v, int c, char *buf, size_t len)
{
	const core_stats_rate *r = &v->rate;
	bool disk = r->have & CORE_RATE_DISK, net = r->have & CORE_RATE_NET;
	bool host = tui_perf_cpu_of_host(a);
	snprintf(buf, len, "-");
	switch (c) {
	case COL_CPU:
		if (host ? (r->have & CORE_RATE_CPU_HOST) : (r->have & CORE_RATE_CPU))
			snprintf(buf, len, "%.1f", host ? r->cpu_host_pct : r->cpu_pct);
		break;
	case COL_MEMUSED:
		if (r->have & CORE_RATE_MEM)
			core_fmt_kib(r->mem_used_kib, buf, len);
		break;
	case COL_DISKRD:
		if (disk)
			core_fmt_rate(r->rd_bps, buf, len);
		break;
	case COL_DISKWR:
		if (disk)
			core_fmt_rate(r->wr_bps, buf, len);
		break;
	case COL_IOPS:
		if (disk)
			snprintf(buf, len, "%.0f", (double)(r->rd_iops + r->wr_iops));
		break;
	case COL_NETRX:
		if (net)
			core_fmt_rate(r->rx_bps, buf, len);
		break;
	case COL_NETTX:
		if (net)
			core_fmt_rate(r->tx_bps, buf, len);
		break;
	}
}

static int vms_cell(const void *src, struct tui_list_ref r, int col, char *buf, size_t len, const struct tui_app *a)
{
	const md_vm *v = vm_at(src, r.i);
	switch (col) {
	case COL_NAME:
		if (tui_console_has_vm(a, v->uuid))
			snprintf(buf, len, "%s %s", a->utf8 ? "»" : ">", v->name ? v->name : "");
		else
			snprintf(buf, len, "%s", v->name ? v->name : "");
		return -1;
	case COL_STATE:
		snprintf(buf, len, "%s", tui_vm_state_text(v));
		return tui_state_role(v);
	case COL_VCPUS: snprintf(buf, len, "%u", v->vcpus); return -1;
	case COL_MEM: core_fmt_kib(v->mem_kib ? v->mem_kib : v->maxmem_kib, buf, len); return -1;
	case COL_AUTO: snprintf(buf, len, "%s", v->autostart ? "yes" : "no"); return -1;
	case COL_AGENT: snprintf(buf, len, "%s", md_agent_name(v->agent)); return -1;
	case COL_UPTIME:
		core_fmt_uptime(v->started_wall && md_vm_state_active(v->state) ? core_wall_s() - v->started_wall : -1,
				buf, len);
		return -1;
	}
	live_text(a, v, col, buf, len);
	return -1;
}

static void vms_id(const void *src, struct tui_list_ref r, char *buf, size_t len)
{
	const char *u = vm_at(src, r.i)->uuid;
	size_t n = strnlen(u, sizeof(((md_vm *)0)->uuid));
	if (n >= len)
		n = len - 1;
	memcpy(buf, u, n); /* (for 10,000 VMs per sync: no snprintf) */
	buf[n] = '\0';
}

static const char *vms_name(const void *src, size_t i)
{
	return vm_at(src, i)->name;
}

/* A live column with nothing to show on this host (the test driver has no
 * figures): folded before the others. */
static bool vms_col_empty(const void *src, int col, const struct tui_app *a)
{
	const md_host *h = src;
	unsigned bit = col == COL_CPU ? CORE_RATE_CPU | CORE_RATE_CPU_HOST
		       : col == COL_MEMUSED ? CORE_RATE_MEM
		       : col == COL_NETRX || col == COL_NETTX ? CORE_RATE_NET
		       : CORE_RATE_DISK;
	(void)a;
	if (!col_live(col))
		return false;
	return !h->live || !(h->live->sum.have & bit);
}

static const char *vms_col_name(int col, const struct tui_app *a)
{
	return col == COL_CPU && tui_perf_cpu_of_host(a) ? "Host%" : NULL;
}

static const struct tui_list_class vms_list = {
	.cols = vm_cols,
	.ncols = COL__COUNT,
	.count = vms_count,
	.cell = vms_cell,
	.cmp = vms_cmp,
	.key = vms_key,
	.gen = vms_gen,
	.id = vms_id,
	.name = vms_name,
	.col_empty = vms_col_empty,
	.col_name = vms_col_name,
};

static void vms_title(struct tui_listview *v, struct tui_app *a, char *buf, size_t len)
{
	const md_host *h = v->src;
	char *label;
	(void)a;
	if (!h)
		return;
	label = core_sanitize(h->label);
	if (tui_list_filtered(&v->list))
		snprintf(buf, len, " Virtual Machines (%zu of %zu) on %s", v->list.nrows, h->nvms, label);
	else
		snprintf(buf, len, " Virtual Machines (%zu) on %s", h->nvms, label);
	free(label);
}

static const void *vms_object(const struct tui_listview *v, const struct tui_list_ref *r)
{
	const md_host *h = v->src;
	return r->i < h->nvms ? &h->vms[r->i] : NULL;
}

static const char *vms_empty(struct tui_listview *v, struct tui_app *a)
{
	const md_host *h = v->src;
	(void)a;
	if (!h)
		return "";
	return h->conn == MD_CONN_CONNECTING ? "Connecting..."
	       : !h->listed && h->conn == MD_CONN_CONNECTED ? "Loading..."
	       : h->conn != MD_CONN_CONNECTED && h->nvms == 0 ? "Not connected."
	       : h->nvms ? "No virtual machine matches the filter."
	       : "No virtual machines on this host.";
}

static int vms_head_lines(struct tui_listview *v, struct tui_app *a)
{
	(void)v;
	return tui_perf_summary_lines(a);
}

static void vms_draw_head(struct tui_listview *v, struct tui_app *a, WINDOW *w, int y, int width)
{
	tui_perf_draw_summary(a, w, y, width, v->src);
}

/* Enter on a VM: a running one's serial console, else its properties. */
static void vms_open(struct tui_listview *v, struct tui_app *a)
{
	const md_vm *vm = tui_sel_vm(a);
	(void)v;
	if (vm && (vm->state == MD_VM_RUNNING || vm->state == MD_VM_BLOCKED || vm->state == MD_VM_PAUSED))
		tui_action_run(a, tui_action_by_id("vm.console"));
	else if (vm)
		tui_action_run(a, tui_action_by_id("vm.properties"));
}

static const struct tui_listview_class vms_view = {
	.list = &vms_list,
	.scope = TUI_SCOPE_VM,
	.sort_col = COL_NAME,
	.source = tui_listview_host_source,
	.title = vms_title,
	.object = vms_object,
	.empty = vms_empty,
	.head_lines = vms_head_lines,
	.draw_head = vms_draw_head,
	.open = vms_open,
	.stale = tui_listview_host_stale,
};

struct tui_mode *tui_view_vms_new(struct tui_app *a)
{
	return tui_listview_new(a, &vms_view);
}

size_t tui_view_vms_count(const md_host *h)
{
	return h->nvms;
}
