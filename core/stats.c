/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/stats.c - rates from samples, history rings (see stats.h). */
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rates ---------------------------------------------------------------- */

static float clamp_pct(double v)
{
	if (v < 0)
		return 0;
	return v > 100.0 ? 100.0f : (float)v;
}

unsigned core_stats_rate_of(const core_stats_sample *prev, const core_stats_sample *cur,
			    unsigned host_cpus, core_stats_rate *out)
{
	double sec;

	memset(out, 0, sizeof(*out));
	/* memory in use is a level, not a counter: one sample is enough */
	if ((cur->have & CORE_SAMPLE_GUEST_MEM) && cur->bal_available > 0 &&
	    cur->bal_available >= cur->bal_unused) {
		out->mem_used_kib = cur->bal_available - cur->bal_unused;
		out->have |= CORE_RATE_MEM | CORE_RATE_MEM_GUEST;
	} else if (cur->have & CORE_SAMPLE_BALLOON) {
		out->mem_used_kib = cur->bal_current;
		out->have |= CORE_RATE_MEM;
	}
	if (!prev || cur->t_us <= prev->t_us)
		return out->have; /* no interval: no rates */
	sec = (double)(cur->t_us - prev->t_us) / 1e6;

	if ((prev->have & cur->have & CORE_SAMPLE_CPU) && cur->cpu_ns >= prev->cpu_ns) {
		double busy = (double)(cur->cpu_ns - prev->cpu_ns) / 1e9 / sec; /* CPUs kept busy */
		if ((cur->have & CORE_SAMPLE_VCPUS) && cur->vcpus > 0) {
			out->cpu_pct = clamp_pct(busy * 100.0 / cur->vcpus);
			out->have |= CORE_RATE_CPU;
		}
		if (host_cpus > 0) {
			out->cpu_host_pct = clamp_pct(busy * 100.0 / host_cpus);
			out->have |= CORE_RATE_CPU_HOST;
		}
	}
	if ((prev->have & cur->have & CORE_SAMPLE_BLOCK) &&
	    cur->rd_bytes >= prev->rd_bytes && cur->wr_bytes >= prev->wr_bytes &&
	    cur->rd_reqs >= prev->rd_reqs && cur->wr_reqs >= prev->wr_reqs) {
		out->rd_bps = (float)((double)(cur->rd_bytes - prev->rd_bytes) / sec);
		out->wr_bps = (float)((double)(cur->wr_bytes - prev->wr_bytes) / sec);
		out->rd_iops = (float)((double)(cur->rd_reqs - prev->rd_reqs) / sec);
		out->wr_iops = (float)((double)(cur->wr_reqs - prev->wr_reqs) / sec);
		out->have |= CORE_RATE_DISK;
	}
	if ((prev->have & cur->have & CORE_SAMPLE_NET) &&
	    cur->rx_bytes >= prev->rx_bytes && cur->tx_bytes >= prev->tx_bytes) {
		out->rx_bps = (float)((double)(cur->rx_bytes - prev->rx_bytes) / sec);
		out->tx_bps = (float)((double)(cur->tx_bytes - prev->tx_bytes) / sec);
		out->have |= CORE_RATE_NET;
	}
	return out->have;
}

static int sample_cmp(const void *a, const void *b)
{
	return strcmp(((const core_stats_sample *)a)->uuid, ((const core_stats_sample *)b)->uuid);
}

void core_stats_sort_samples(core_stats_sample *s, size_t n)
{
	if (n > 1)
		qsort(s, n, sizeof(*s), sample_cmp);
}

size_t core_stats_diff(const core_stats_sample *prev, size_t nprev,
		       const core_stats_sample *cur, size_t ncur, unsigned host_cpus,
		       core_stats_vm **out)
{
	core_stats_vm *v = NULL;
	size_t n = 0, p = 0;

	*out = NULL;
	for (size_t i = 0; i < ncur; i++) {
		const core_stats_sample *old = NULL;
		core_stats_rate r;
		int c = 1;
		/* both sorted: walk prev along */
		while (p < nprev && (c = strcmp(prev[p].uuid, cur[i].uuid)) < 0)
			p++;
		if (p < nprev && c == 0)
			old = &prev[p];
		if (core_stats_rate_of(old, &cur[i], host_cpus, &r) == 0)
			continue;
		if (!v)
			v = xcalloc(ncur - i, sizeof(*v));
		memcpy(v[n].uuid, cur[i].uuid, sizeof(v[n].uuid));
		v[n].rate = r;
		n++;
	}
	*out = v;
	return n;
}

unsigned core_stats_host_rate_of(const core_stats_host_sample *prev,
				 const core_stats_host_sample *cur, core_stats_host_rate *out)
{
	memset(out, 0, sizeof(*out));
	if (cur->have & CORE_HOST_NCPUS)
		out->ncpus = cur->ncpus;
	if (cur->mem_total_kib > 0 && (cur->have & (CORE_HOST_MEM | CORE_HOST_NCPUS))) {
		out->mem_total_kib = cur->mem_total_kib;
		out->have |= CORE_HRATE_MEM_TOTAL;
	}
	if ((cur->have & CORE_HOST_MEM) && cur->mem_total_kib >= cur->mem_free_kib) {
		out->mem_used_kib = cur->mem_total_kib - cur->mem_free_kib;
		out->have |= CORE_HRATE_MEM;
	}
	if (prev && (prev->have & cur->have & CORE_HOST_CPU) && cur->cpu_total_ns > prev->cpu_total_ns &&
	    cur->cpu_busy_ns >= prev->cpu_busy_ns) {
		double busy = (double)(cur->cpu_busy_ns - prev->cpu_busy_ns);
		double total = (double)(cur->cpu_total_ns - prev->cpu_total_ns);
		out->cpu_pct = clamp_pct(busy * 100.0 / total);
		out->have |= CORE_HRATE_CPU;
	}
	return out->have;
}

void core_stats_tick_free(void *tick)
{
	core_stats_tick *t = tick;
	if (!t)
		return;
	free(t->error);
	free(t->vms);
	free(t);
}

/* ---- history -------------------------------------------------------------- */

void core_stats_hist_push(core_stats_hist *h, const float vals[CORE_SER__COUNT])
{
	for (int s = 0; s < CORE_SER__COUNT; s++)
		h->v[s][h->head] = vals[s];
	h->head = (uint16_t)((h->head + 1) % CORE_STATS_HIST);
	if (h->count < CORE_STATS_HIST)
		h->count++;
}

float core_stats_hist_get(const core_stats_hist *h, int ser, size_t i)
{
	if (!h || ser < 0 || ser >= CORE_SER__COUNT || i >= h->count)
		return NAN;
	return h->v[ser][(h->head + CORE_STATS_HIST - 1 - i) % CORE_STATS_HIST];
}

bool core_stats_hist_summary(const core_stats_hist *h, int ser, size_t n,
			     float *cur, float *avg, float *peak)
{
	double sum = 0;
	size_t k = 0;
	float pk = 0;

	*cur = core_stats_hist_get(h, ser, 0);
	for (size_t i = 0; h && i < n && i < h->count; i++) {
		float v = core_stats_hist_get(h, ser, i);
		if (isnan(v))
			continue;
		sum += v;
		if (k == 0 || v > pk)
			pk = v;
		k++;
	}
	*avg = k ? (float)(sum / (double)k) : NAN;
	*peak = k ? pk : NAN;
	return k > 0;
}

static void rate_series(const core_stats_rate *r, float vals[CORE_SER__COUNT])
{
	vals[CORE_SER_CPU] = (r->have & CORE_RATE_CPU) ? r->cpu_pct : NAN;
	vals[CORE_SER_MEM] = (r->have & CORE_RATE_MEM) ? (float)r->mem_used_kib : NAN;
	vals[CORE_SER_RD] = (r->have & CORE_RATE_DISK) ? r->rd_bps : NAN;
	vals[CORE_SER_WR] = (r->have & CORE_RATE_DISK) ? r->wr_bps : NAN;
	vals[CORE_SER_RX] = (r->have & CORE_RATE_NET) ? r->rx_bps : NAN;
	vals[CORE_SER_TX] = (r->have & CORE_RATE_NET) ? r->tx_bps : NAN;
}

static void push_gap(core_stats_hist *h)
{
	float gap[CORE_SER__COUNT];
	for (int s = 0; s < CORE_SER__COUNT; s++)
		gap[s] = NAN;
	core_stats_hist_push(h, gap);
}

core_stats_store *core_stats_store_new(void)
{
	return xcalloc(1, sizeof(core_stats_store));
}

void core_stats_store_free(core_stats_store **sp)
{
	core_stats_store *s = *sp;
	if (!s)
		return;
	for (size_t i = 0; i < s->nvms; i++)
		free(s->vms[i]);
	free(s->vms);
	free(s->error);
	free(s);
	*sp = NULL;
}

static void sum_add(core_stats_rate *sum, const core_stats_rate *r)
{
	sum->have |= r->have & ~(unsigned)CORE_RATE_MEM_GUEST;
	if (r->have & CORE_RATE_CPU_HOST)
		sum->cpu_host_pct += r->cpu_host_pct;
	if (r->have & CORE_RATE_MEM)
		sum->mem_used_kib += r->mem_used_kib;
	if (r->have & CORE_RATE_DISK) {
		sum->rd_bps += r->rd_bps;
		sum->wr_bps += r->wr_bps;
		sum->rd_iops += r->rd_iops;
		sum->wr_iops += r->wr_iops;
	}
	if (r->have & CORE_RATE_NET) {
		sum->rx_bps += r->rx_bps;
		sum->tx_bps += r->tx_bps;
	}
}

void core_stats_store_apply(core_stats_store *s, const core_stats_tick *t)
{
	core_stats_hist **nv;
	size_t n = 0, p = 0;
	float vals[CORE_SER__COUNT];

	s->ticks++;
	s->wall_ms = t->wall_ms;
	core_str_set(&s->error, t->error);
	if (t->error) {
		/* nothing is known this tick: a gap everywhere, the rings kept */
		for (size_t i = 0; i < s->nvms; i++)
			push_gap(s->vms[i]);
		push_gap(&s->host);
		memset(&s->sum, 0, sizeof(s->sum));
		memset(&s->host_rate, 0, sizeof(s->host_rate));
		s->nvms_live = 0;
		return;
	}
	memset(&s->sum, 0, sizeof(s->sum));
	nv = t->nvms ? xcalloc(t->nvms, sizeof(*nv)) : NULL;
	for (size_t i = 0; i < t->nvms; i++) {
		int c = 1;
		core_stats_hist *h = NULL;
		/* both sorted by uuid: old rings of VMs not reported any more are freed */
		while (p < s->nvms && (c = strcmp(s->vms[p]->uuid, t->vms[i].uuid)) < 0)
			free(s->vms[p++]);
		if (p < s->nvms && c == 0) {
			h = s->vms[p++];
		} else {
			h = xcalloc(1, sizeof(*h));
			memcpy(h->uuid, t->vms[i].uuid, sizeof(h->uuid));
		}
		rate_series(&t->vms[i].rate, vals);
		core_stats_hist_push(h, vals);
		sum_add(&s->sum, &t->vms[i].rate);
		nv[n++] = h;
	}
	while (p < s->nvms)
		free(s->vms[p++]);
	free(s->vms);
	s->vms = nv;
	s->nvms = s->cap = n;
	s->nvms_live = n;
	s->host_rate = t->host;

	vals[CORE_SER_CPU] = (t->host.have & CORE_HRATE_CPU) ? t->host.cpu_pct : NAN;
	vals[CORE_SER_MEM] = (t->host.have & CORE_HRATE_MEM) ? (float)t->host.mem_used_kib : NAN;
	vals[CORE_SER_RD] = (s->sum.have & CORE_RATE_DISK) ? s->sum.rd_bps : NAN;
	vals[CORE_SER_WR] = (s->sum.have & CORE_RATE_DISK) ? s->sum.wr_bps : NAN;
	vals[CORE_SER_RX] = (s->sum.have & CORE_RATE_NET) ? s->sum.rx_bps : NAN;
	vals[CORE_SER_TX] = (s->sum.have & CORE_RATE_NET) ? s->sum.tx_bps : NAN;
	core_stats_hist_push(&s->host, vals);
}

static int hist_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(const core_stats_hist *const *)elem)->uuid);
}

const core_stats_hist *core_stats_store_find(const core_stats_store *s, const char *uuid)
{
	core_stats_hist *const *h;
	if (!s || !s->nvms)
		return NULL;
	h = bsearch(uuid, s->vms, s->nvms, sizeof(*s->vms), hist_key_cmp);
	return h ? *h : NULL;
}

size_t core_stats_store_bytes(const core_stats_store *s)
{
	if (!s)
		return 0;
	return sizeof(*s) + s->cap * sizeof(*s->vms) + s->nvms * sizeof(core_stats_hist);
}

/* ---- formatting ------------------------------------------------------------ */

void core_fmt_rate(double bps, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	double v = bps;
	int u = -1;

	if (!(v >= 0) || isinf(v)) {
		snprintf(buf, len, "-");
		return;
	}
	if (v < 1000) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	while (v >= 1000 && u + 1 < (int)sizeof(units) - 1) {
		v /= 1024.0;
		u++;
	}
	if (v < 9.95)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}
