/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/util.h - allocation wrappers (abort on OOM), small string and time helpers.
 * libc only. */
#ifndef CORE_UTIL_H
#define CORE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CORE_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CORE_PRINTF(f, a) __attribute__((format(printf, f, a)))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow *p (an array of *cap items of size sz) so that it holds at least need items. */
void xgrow(void *pp, size_t *cap, size_t need, size_t sz);
char *xstrdup(const char *s);          /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) CORE_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) CORE_PRINTF(1, 0);
/* free(*pp) and set *pp to NULL; pp is a pointer to any pointer. */
void xfree(void *pp);
/* Overwrite then free a secret (password, passphrase). */
void xfree_secret(char **pp);

/* Replace *dst with a copy of src (freeing the old value). */
void core_str_set(char **dst, const char *src);
int core_str_eq(const char *a, const char *b); /* NULL-safe */
int core_str_has_prefix(const char *s, const char *prefix);
/* Trim ASCII white space at both ends, in place; returns s. */
char *core_str_trim(char *s);

int64_t core_now_ms(void);  /* CLOCK_MONOTONIC in ms */
int64_t core_now_us(void);  /* CLOCK_MONOTONIC in us */
/* CPU time the calling thread has used, in us (benchmarks). */
int64_t core_thread_cpu_us(void);
int64_t core_wall_s(void);  /* time(NULL) */
/* *ts = clock's now + ms (ms < 0: now), for pthread_cond_timedwait. */
struct timespec;
void core_timespec_in(struct timespec *ts, int clock, int64_t ms);

/* "3d 04:05", "04:05:06", "-" for secs < 0 */
void core_fmt_uptime(int64_t secs, char *buf, size_t len);
/* Bytes as virsh prints capacities (vol-list / pool-list --details): two
 * decimals and the largest binary unit with a value of at least 1:
 * "1000.00 B", "1.95 KiB", "3.00 TiB" (B, KiB ... EiB). For sizes in bytes
 * (volumes, pools): dividing by 1024 for core_fmt_kib loses what is below
 * 1 KiB (1000 bytes would read "0 KiB"). */
void core_fmt_bytes(unsigned long long bytes, char *buf, size_t len);
/* KiB (memory) to at most 8 characters: exact values as integers ("512 MiB",
 * "1023 KiB", "16 GiB"), others rounded to three significant digits, two
 * decimals below 10 ("1.50 MiB", "19.5 GiB", "200 MiB", "0.98 GiB"). */
void core_fmt_kib(unsigned long long kib, char *buf, size_t len);

/* mkdir -p with mode for created directories; 0 or -1 (errno set). */
int core_mkdir_p(const char *path, unsigned mode);
/* $XDG_CONFIG_HOME/vmmc (or ~/.config/vmmc); caller frees. */
char *core_config_dir(void);

/* s cut at its newlines into *n malloc'd lines (no '\n'; a last line
 * without one counts); NULL and *n = 0 for NULL or "". core_free_lines
 * frees them. */
char **core_split_lines(const char *s, size_t *n);
void core_free_lines(char **v, size_t n);

/* The calling thread below the UI thread's priority (Linux: a thread's
 * nice value is its own): $VMMC_WORKER_NICE (0-19, default 5), for the
 * backend's workers and the SSH pumps, so a connect storm does not make a
 * key wait for the CPU. Where that is not allowed it keeps the program's. */
void core_thread_below_ui(void);

/* Time the calling thread has spent runnable but waiting for a CPU, in us
 * (/proc/thread-self/schedstat; -1 when the kernel does not say): a pass's
 * wall time less its CPU and this is the time it slept (benchmarks). */
int64_t core_thread_queued_us(void);

/* Thread tid's (0: the caller's) time on a CPU and time runnable waiting
 * for one, in ns (/proc schedstat); -1 when the kernel does not say. */
int core_thread_schedstat(int tid, int64_t *run_ns, int64_t *wait_ns);

#endif
