/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/stats.h - live figures: samples of cumulative counters, the rates
 * computed from two of them, the payload of MD_MSG_STATS, and the history
 * rings the graphs are drawn from. libc only.
 *
 * The backend reads one sample per VM per tick (one bulk call per host),
 * computes the rates against the previous tick's samples (core_stats_diff)
 * and posts the rates of one host in a core_stats_tick. The model keeps the
 * current rates in each md_vm and the history in a core_stats_store per
 * host. A counter that goes backwards (guest reboot, restore, a disk
 * unplugged) or a field missing from either sample gives a gap (the figure
 * is absent), never a negative figure or a spike. */
#ifndef CORE_STATS_H
#define CORE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a sample holds (core_stats_sample.have). */
enum {
	CORE_SAMPLE_CPU = 1 << 0,       /* cpu_ns */
	CORE_SAMPLE_VCPUS = 1 << 1,     /* vcpus */
	CORE_SAMPLE_BALLOON = 1 << 2,   /* bal_current */
	CORE_SAMPLE_GUEST_MEM = 1 << 3, /* bal_available and bal_unused (the guest reports) */
	CORE_SAMPLE_RSS = 1 << 4,       /* bal_rss */
	CORE_SAMPLE_BLOCK = 1 << 5,     /* rd/wr bytes and reqs, summed over the disks */
	CORE_SAMPLE_NET = 1 << 6,       /* rx/tx bytes, summed over the interfaces */
};

/* One VM at one instant: cumulative counters. */
typedef struct core_stats_sample {
	char uuid[37];
	unsigned have;                 /* CORE_SAMPLE_* */
	int64_t t_us;                  /* monotonic time of the reading */
	uint64_t cpu_ns;               /* cpu.time */
	unsigned vcpus;                /* vcpu.current */
	uint64_t bal_current, bal_available, bal_unused, bal_rss; /* KiB */
	uint64_t rd_bytes, wr_bytes, rd_reqs, wr_reqs;
	uint64_t rx_bytes, tx_bytes;
} core_stats_sample;

/* Which figures of a rate are valid (core_stats_rate.have). */
enum {
	CORE_RATE_CPU = 1 << 0,       /* cpu_pct (needs the vCPU count) */
	CORE_RATE_CPU_HOST = 1 << 1,  /* cpu_host_pct (needs the host's CPU count) */
	CORE_RATE_MEM = 1 << 2,       /* mem_used_kib */
	CORE_RATE_MEM_GUEST = 1 << 3, /* mem_used_kib is what the guest reports in use */
	CORE_RATE_DISK = 1 << 4,      /* rd/wr bps and iops */
	CORE_RATE_NET = 1 << 5,       /* rx/tx bps */
};

/* The figures of one VM over one interval. */
typedef struct core_stats_rate {
	unsigned have;                /* CORE_RATE_* */
	float cpu_pct;                /* of its vCPUs: 100 = every vCPU busy */
	float cpu_host_pct;           /* of the host's CPUs */
	float rd_bps, wr_bps, rd_iops, wr_iops;
	float rx_bps, tx_bps;
	uint64_t mem_used_kib;
} core_stats_rate;

/* Rates from prev to cur (same VM); prev may be NULL (first sample: only
 * the memory figure). host_cpus 0 = unknown. Returns out->have. */
unsigned core_stats_rate_of(const core_stats_sample *prev, const core_stats_sample *cur,
			    unsigned host_cpus, core_stats_rate *out);

/* One VM's figures in a tick. */
typedef struct core_stats_vm {
	char uuid[37];
	core_stats_rate rate;
} core_stats_vm;

/* Sort samples by uuid (core_stats_diff wants both lists sorted). */
void core_stats_sort_samples(core_stats_sample *s, size_t n);

/* Rates for each sample of cur (sorted by uuid) against the sample of the
 * same uuid in prev (sorted; VMs only in prev are gone, VMs only in cur are
 * new: memory only). VMs with no figure at all are left out. *out is
 * malloc'd (NULL when none), sorted by uuid; returns the count. */
size_t core_stats_diff(const core_stats_sample *prev, size_t nprev,
		       const core_stats_sample *cur, size_t ncur, unsigned host_cpus,
		       core_stats_vm **out);

/* The host at one instant. */
enum {
	CORE_HOST_CPU = 1 << 0,  /* cpu_busy_ns, cpu_total_ns (virNodeGetCPUStats) */
	CORE_HOST_MEM = 1 << 1,  /* mem_total_kib, mem_free_kib (virNodeGetMemoryStats) */
	CORE_HOST_NCPUS = 1 << 2, /* ncpus, mem_total_kib at least (virNodeGetInfo) */
};

typedef struct core_stats_host_sample {
	unsigned have;           /* CORE_HOST_* */
	int64_t t_us;
	uint64_t cpu_busy_ns, cpu_total_ns;
	uint64_t mem_total_kib, mem_free_kib; /* free = free + buffers + cached */
	unsigned ncpus;
} core_stats_host_sample;

/* The host's figures over one interval. */
enum { CORE_HRATE_CPU = 1, CORE_HRATE_MEM = 2, CORE_HRATE_MEM_TOTAL = 4 };

typedef struct core_stats_host_rate {
	unsigned have;           /* CORE_HRATE_* */
	float cpu_pct;           /* of all its CPUs */
	uint64_t mem_used_kib, mem_total_kib;
	unsigned ncpus;
} core_stats_host_rate;

unsigned core_stats_host_rate_of(const core_stats_host_sample *prev,
				 const core_stats_host_sample *cur, core_stats_host_rate *out);

/* The payload of MD_MSG_STATS (md_msg.ext, freed by core_stats_tick_free). */
typedef struct core_stats_tick {
	int64_t wall_ms;         /* when the host was read (epoch ms) */
	char *error;             /* the stats call failed: libvirt's error (raw) */
	core_stats_vm *vms;      /* sorted by uuid; only VMs with figures */
	size_t nvms;
	core_stats_host_rate host;
	bool first;              /* the first reading since connecting: no rates yet */
} core_stats_tick;

void core_stats_tick_free(void *tick); /* for md_msg.ext_free */

/* ---- history ------------------------------------------------------------- */

#define CORE_STATS_HIST 150   /* samples kept per VM and per host */

/* Series of a history ring. For a VM: CPU % (of its vCPUs), memory used
 * (KiB), disk read, disk write, net rx, net tx (B/s). For a host: CPU %,
 * memory used (KiB), the sum of its VMs' disk and net B/s. NAN = a gap. */
enum {
	CORE_SER_CPU, CORE_SER_MEM, CORE_SER_RD, CORE_SER_WR, CORE_SER_RX, CORE_SER_TX,
	CORE_SER__COUNT
};

typedef struct core_stats_hist {
	char uuid[37];
	uint16_t head;           /* next slot to write */
	uint16_t count;          /* samples held, <= CORE_STATS_HIST */
	float v[CORE_SER__COUNT][CORE_STATS_HIST];
} core_stats_hist;

void core_stats_hist_push(core_stats_hist *h, const float vals[CORE_SER__COUNT]);
/* The i-th newest sample (0 = newest) of series ser; NAN if none. */
float core_stats_hist_get(const core_stats_hist *h, int ser, size_t i);

/* Current, average and peak of the last n samples of a series (gaps skipped);
 * false when every sample is a gap. */
bool core_stats_hist_summary(const core_stats_hist *h, int ser, size_t n,
			     float *cur, float *avg, float *peak);

/* A host's live state in the model: history of its VMs (only those with
 * figures: active VMs of drivers that report them) and of the host. */
typedef struct core_stats_store {
	core_stats_hist **vms;   /* sorted by uuid */
	size_t nvms, cap;
	core_stats_hist host;    /* CPU %, memory used, sums of disk/net B/s */
	core_stats_host_rate host_rate;
	core_stats_rate sum;     /* the sum of the VMs' figures (cpu_host_pct: of the host) */
	size_t nvms_live;        /* VMs with figures in the last tick */
	int64_t wall_ms;         /* time of the last tick, 0 = none */
	uint64_t ticks;
	char *error;             /* the last tick's error, NULL when it went well */
} core_stats_store;

core_stats_store *core_stats_store_new(void);
void core_stats_store_free(core_stats_store **s);
/* Apply one tick: VM histories get a sample (new VMs a ring, VMs no longer
 * reported lose theirs); a failed tick (error) pushes a gap everywhere. */
void core_stats_store_apply(core_stats_store *s, const core_stats_tick *t);
const core_stats_hist *core_stats_store_find(const core_stats_store *s, const char *uuid);
/* Bytes held by the store (for the benchmark's report). */
size_t core_stats_store_bytes(const core_stats_store *s);

/* ---- formatting ---------------------------------------------------------- */

/* B/s to a short figure: "0", "999", "1.5K", "12K", "3.4M", "1.2G" (1024-based). */
void core_fmt_rate(double bps, char *buf, size_t len);

#endif
