/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_stats.c - BE_OP_STATS: the live figures of one host for one
 * tick, read in the host's worker. Per tick: ONE virConnectGetAllDomainStats
 * for every VM (state, cpu, balloon, vcpu, interfaces, block), plus the
 * node's CPU and memory counters (per host, not per VM). Rates come from the
 * previous tick's samples (core_stats_diff); the answer is one MD_MSG_STATS
 * with a core_stats_tick in .ext. Once per running VM (per domain id, so
 * again after a restart) the balloon's stats period is set when the guest
 * does not report its memory yet. */
#include "be_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvirt/virterror.h>

#include "../core/stats.h"
#include "../core/log.h"
#include "../core/util.h"

#define BE_STATS_PERIOD_S 2 /* the balloon driver's reporting period we ask for */

struct be_period_key {
	char uuid[VIR_UUID_STRING_BUFLEN];
	int id;
};

struct be_stats {
	core_stats_sample *prev;   /* sorted by uuid; only VMs with figures */
	size_t nprev;
	bool ticked;               /* a tick has run on this host */
	core_stats_host_sample host_prev;
	virConnectPtr conn;        /* the connection the fields below belong to */
	bool node_info;            /* virNodeGetInfo done */
	unsigned ncpus;
	uint64_t node_mem_kib;
	int ncpu_params, nmem_params; /* 0 = ask, -1 = not supported */
	bool period_unsupported;
	struct be_period_key *period; /* running VMs already handled, sorted */
	size_t nperiod;
};

void be_stats_free(be_host *h)
{
	struct be_stats *s = h->stats;
	if (!s)
		return;
	free(s->prev);
	free(s->period);
	free(s);
	h->stats = NULL;
}

static uint64_t param_ull(const virTypedParameter *p)
{
	switch (p->type) {
	case VIR_TYPED_PARAM_INT: return p->value.i > 0 ? (uint64_t)p->value.i : 0;
	case VIR_TYPED_PARAM_UINT: return p->value.ui;
	case VIR_TYPED_PARAM_LLONG: return p->value.l > 0 ? (uint64_t)p->value.l : 0;
	case VIR_TYPED_PARAM_ULLONG: return p->value.ul;
	case VIR_TYPED_PARAM_DOUBLE: return p->value.d > 0 ? (uint64_t)p->value.d : 0;
	}
	return 0;
}

/* "block.<n>.<rest>" -> rest (NULL if name is not of that form) */
static const char *indexed(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p;
	if (strncmp(name, prefix, n) != 0)
		return NULL;
	p = name + n;
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '.' ? p + 1 : NULL;
}

/* One record -> one sample, in one pass over its parameters. */
static void be_sample_of(virDomainStatsRecordPtr r, core_stats_sample *s, int *state)
{
	bool avail = false, unused = false;

	memset(s, 0, sizeof(*s));
	*state = 0;
	virDomainGetUUIDString(r->dom, s->uuid);
	for (int i = 0; i < r->nparams; i++) {
		const virTypedParameter *p = &r->params[i];
		const char *f = p->field, *rest;
		switch (f[0]) {
		case 's':
			if (strcmp(f, "state.state") == 0)
				*state = (int)param_ull(p);
			break;
		case 'c':
			if (strcmp(f, "cpu.time") == 0) {
				s->cpu_ns = param_ull(p);
				s->have |= CORE_SAMPLE_CPU;
			}
			break;
		case 'v':
			if (strcmp(f, "vcpu.current") == 0) {
				s->vcpus = (unsigned)param_ull(p);
				s->have |= CORE_SAMPLE_VCPUS;
			}
			break;
		case 'b':
			if (strncmp(f, "balloon.", 8) == 0) {
				const char *k = f + 8;
				if (strcmp(k, "current") == 0) {
					s->bal_current = param_ull(p);
					s->have |= CORE_SAMPLE_BALLOON;
				} else if (strcmp(k, "available") == 0) {
					s->bal_available = param_ull(p);
					avail = true;
				} else if (strcmp(k, "unused") == 0) {
					s->bal_unused = param_ull(p);
					unused = true;
				} else if (strcmp(k, "rss") == 0) {
					s->bal_rss = param_ull(p);
					s->have |= CORE_SAMPLE_RSS;
				}
			} else if ((rest = indexed(f, "block.")) != NULL) {
				if (strcmp(rest, "rd.bytes") == 0)
					s->rd_bytes += param_ull(p);
				else if (strcmp(rest, "wr.bytes") == 0)
					s->wr_bytes += param_ull(p);
				else if (strcmp(rest, "rd.reqs") == 0)
					s->rd_reqs += param_ull(p);
				else if (strcmp(rest, "wr.reqs") == 0)
					s->wr_reqs += param_ull(p);
				else
					break;
				s->have |= CORE_SAMPLE_BLOCK;
			}
			break;
		case 'n':
			if ((rest = indexed(f, "net.")) != NULL) {
				if (strcmp(rest, "rx.bytes") == 0)
					s->rx_bytes += param_ull(p);
				else if (strcmp(rest, "tx.bytes") == 0)
					s->tx_bytes += param_ull(p);
				else
					break;
				s->have |= CORE_SAMPLE_NET;
			}
			break;
		default:
			break;
		}
	}
	if (avail && unused)
		s->have |= CORE_SAMPLE_GUEST_MEM;
}

static int period_cmp(const void *a, const void *b)
{
	const struct be_period_key *x = a, *y = b;
	int r = strcmp(x->uuid, y->uuid);
	return r ? r : (x->id > y->id) - (x->id < y->id);
}

/* Ask the balloon driver of running VMs seen for the first time (this
 * domain id) to report every few seconds, when the guest does not yet.
 * The set kept is exactly the running VMs of this tick: it never grows. */
static void be_stats_periods(struct be_stats *s, virDomainStatsRecordPtr *recs, int n,
			     const core_stats_sample *samples, const int *states)
{
	struct be_period_key *seen = NULL;
	size_t nseen = 0;

	for (int i = 0; i < n; i++) {
		struct be_period_key k;
		if (states[i] != VIR_DOMAIN_RUNNING && states[i] != VIR_DOMAIN_BLOCKED &&
		    states[i] != VIR_DOMAIN_PAUSED)
			continue;
		memcpy(k.uuid, samples[i].uuid, sizeof(k.uuid));
		k.id = virDomainGetID(recs[i]->dom); /* from the handle: no round trip */
		if (!seen)
			seen = xcalloc((size_t)n, sizeof(*seen));
		seen[nseen++] = k;
		if (s->period_unsupported || (samples[i].have & CORE_SAMPLE_GUEST_MEM) ||
		    !(samples[i].have & CORE_SAMPLE_BALLOON))
			continue;
		if (s->nperiod && bsearch(&k, s->period, s->nperiod, sizeof(k), period_cmp))
			continue;
		if (virDomainSetMemoryStatsPeriod(recs[i]->dom, BE_STATS_PERIOD_S, VIR_DOMAIN_AFFECT_LIVE) < 0) {
			int code = virGetLastErrorCode();
			if (code == VIR_ERR_NO_SUPPORT)
				s->period_unsupported = true; /* the driver: never again on this connection */
			virResetLastError();
		}
	}
	if (nseen > 1)
		qsort(seen, nseen, sizeof(*seen), period_cmp);
	free(s->period);
	s->period = seen;
	s->nperiod = nseen;
}

/* Node counters: per host, a call or two per tick whatever the VM count.
 * active: a VM of this tick runs (batch mode, which prints no node figures,
 * needs the CPU count only for a running VM's cpu_host_pct: on a far host
 * a run with none makes one round trip less). */
static void be_stats_node(be_host *h, struct be_stats *s, bool active, core_stats_host_sample *hs)
{
	memset(hs, 0, sizeof(*hs));
	if (!s->node_info && (active || !(h->flags & BE_HOST_LISTS_ONLY))) {
		virNodeInfo info;
		s->node_info = true;
		if (virNodeGetInfo(h->conn, &info) == 0) {
			s->ncpus = info.cpus;
			s->node_mem_kib = info.memory;
		}
	}
	if (s->ncpus) {
		hs->ncpus = s->ncpus;
		hs->mem_total_kib = s->node_mem_kib;
		hs->have |= CORE_HOST_NCPUS;
	}
	if (h->flags & BE_HOST_LISTS_ONLY)
		return; /* batch mode prints the VMs only: no host CPU / memory calls */
	if (s->ncpu_params == 0 &&
	    virNodeGetCPUStats(h->conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &s->ncpu_params, 0) < 0)
		s->ncpu_params = -1;
	if (s->ncpu_params > 0) {
		virNodeCPUStatsPtr p = xcalloc((size_t)s->ncpu_params, sizeof(*p));
		int np = s->ncpu_params;
		if (virNodeGetCPUStats(h->conn, VIR_NODE_CPU_STATS_ALL_CPUS, p, &np, 0) == 0) {
			uint64_t busy = 0, total = 0;
			bool any = false;
			for (int i = 0; i < np; i++) {
				if (strcmp(p[i].field, VIR_NODE_CPU_STATS_KERNEL) == 0 ||
				    strcmp(p[i].field, VIR_NODE_CPU_STATS_USER) == 0) {
					busy += p[i].value;
					total += p[i].value;
					any = true;
				} else if (strcmp(p[i].field, VIR_NODE_CPU_STATS_IDLE) == 0 ||
					   strcmp(p[i].field, VIR_NODE_CPU_STATS_IOWAIT) == 0) {
					total += p[i].value;
				}
			}
			if (any) {
				hs->cpu_busy_ns = busy;
				hs->cpu_total_ns = total;
				hs->have |= CORE_HOST_CPU;
			}
		}
		free(p);
	}
	if (s->nmem_params == 0 &&
	    virNodeGetMemoryStats(h->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &s->nmem_params, 0) < 0)
		s->nmem_params = -1;
	if (s->nmem_params > 0) {
		virNodeMemoryStatsPtr p = xcalloc((size_t)s->nmem_params, sizeof(*p));
		int np = s->nmem_params;
		if (virNodeGetMemoryStats(h->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, p, &np, 0) == 0) {
			uint64_t total = 0, avail = 0;
			for (int i = 0; i < np; i++) {
				if (strcmp(p[i].field, VIR_NODE_MEMORY_STATS_TOTAL) == 0)
					total = p[i].value;
				else if (strcmp(p[i].field, VIR_NODE_MEMORY_STATS_FREE) == 0 ||
					 strcmp(p[i].field, VIR_NODE_MEMORY_STATS_BUFFERS) == 0 ||
					 strcmp(p[i].field, VIR_NODE_MEMORY_STATS_CACHED) == 0)
					avail += p[i].value;
			}
			if (total > 0) {
				hs->mem_total_kib = total;
				hs->mem_free_kib = avail < total ? avail : total;
				hs->have |= CORE_HOST_MEM;
			}
		}
		free(p);
	}
	virResetLastError();
}

int be_stats_read(be_host *h, virDomainStatsRecordPtr **recs)
{
	unsigned int groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON |
			      VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
	return be_recs_read(h, groups, recs);
}

static void be_stats_post(be_host *h, core_stats_tick *t)
{
	md_msg *m = md_msg_new(MD_MSG_STATS, h->id);
	m->ext = t;
	m->ext_free = core_stats_tick_free;
	be_post(m);
}

/* The host's stats state, fresh for a new connection. */
static struct be_stats *be_stats_of(be_host *h)
{
	struct be_stats *s;
	if (!h->stats)
		h->stats = xcalloc(1, sizeof(*h->stats));
	s = h->stats;
	if (s->conn != h->conn) {
		/* a new connection: ask the node and the drivers again */
		free(s->period);
		s->period = NULL;
		s->nperiod = 0;
		s->conn = h->conn;
		s->node_info = false;
		s->ncpu_params = s->nmem_params = 0;
		s->period_unsupported = false;
	}
	return s;
}

/* The samples of n records read between t0 and t1 (us): the active VMs
 * with figures, sorted (NULL when none; *ncur their count). periods: also
 * ask for balloon reports (be_stats_periods). */
static core_stats_sample *be_stats_samples(struct be_stats *s, virDomainStatsRecordPtr *recs, int n,
					   int64_t t0, int64_t t1, bool periods, size_t *ncur)
{
	core_stats_sample *cur = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*cur));
	int *states = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*states));

	*ncur = 0;
	for (int i = 0; i < n; i++) {
		be_sample_of(recs[i], &cur[i], &states[i]);
		cur[i].t_us = t0 + (t1 - t0) / 2; /* the records were read in between */
	}
	if (n > 0 && periods)
		be_stats_periods(s, recs, n, cur, states);
	/* keep only active VMs with figures (the test driver has none: nothing
	 * kept); an inactive domain can still report a stale cpu.time */
	for (int i = 0; i < n; i++)
		if (cur[i].have && md_vm_state_active(states[i]))
			cur[(*ncur)++] = cur[i];
	free(states);
	core_stats_sort_samples(cur, *ncur);
	if (!*ncur)
		xfree(&cur);
	return cur;
}

/* The previous tick is now cur (taken) and hs. */
static void be_stats_keep(struct be_stats *s, core_stats_sample *cur, size_t ncur,
			  const core_stats_host_sample *hs)
{
	free(s->prev);
	s->prev = cur;
	s->nprev = ncur;
	s->host_prev = *hs;
	s->ticked = true;
}

void be_stats_baseline(be_host *h, virDomainStatsRecordPtr *recs, int n, int64_t t0, int64_t t1)
{
	struct be_stats *s = be_stats_of(h);
	core_stats_host_sample hs;
	size_t ncur;
	core_stats_sample *cur = be_stats_samples(s, recs, n, t0, t1, false, &ncur);

	/* no node figures here: batch mode prints none (the CPU count for
	 * cpu_host_pct comes with the next tick, when a VM runs) */
	memset(&hs, 0, sizeof(hs));
	hs.t_us = t1;
	be_stats_keep(s, cur, ncur, &hs);
}

void be_stats_job(be_host *h)
{
	struct be_stats *s;
	core_stats_tick *t = xcalloc(1, sizeof(*t));
	core_stats_host_sample hs;
	core_stats_host_rate hr;
	virDomainStatsRecordPtr *recs = NULL;
	core_stats_sample *cur;
	size_t ncur = 0;
	int64_t t0, t1;
	int n;

	t->wall_ms = (int64_t)time(NULL) * 1000;
	if (!h->conn) {
		t->error = xstrdup("not connected");
		be_stats_post(h, t);
		return;
	}
	s = be_stats_of(h);
	t0 = core_now_us();
	n = be_stats_read(h, &recs);
	t1 = core_now_us();
	/* one line per reading: tests/e2e/scale.sh counts whose figures are read */
	core_log("stats", "%s: read %d domains in %lld us", h->uri, n, (long long)(t1 - t0));
	if (n < 0) {
		be_host_fail(h, &t->error);
		be_stats_post(h, t);
		return;
	}
	/* a driver without domain events (ESX): the tick's records are the
	 * list, re-read at the refresh interval at no extra call */
	if ((h->nosup & MD_CAP_EVENTS) && !(h->flags & BE_HOST_LISTS_ONLY))
		be_list_post_recs(h, recs, n);
	cur = be_stats_samples(s, recs, n, t0, t1, true, &ncur);
	virDomainStatsRecordListFree(recs);

	be_stats_node(h, s, ncur > 0, &hs);
	hs.t_us = core_now_us();
	core_stats_host_rate_of(s->ticked ? &s->host_prev : NULL, &hs, &hr);
	t->host = hr;
	t->first = !s->ticked;
	t->nvms = core_stats_diff(s->prev, s->nprev, cur, ncur, hs.ncpus, &t->vms);
	be_stats_keep(s, cur, ncur, &hs);
	be_stats_post(h, t);
}
