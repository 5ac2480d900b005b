/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/util.c - see util.h */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void core_oom(void)
{
	static const char msg[] = "vmmc: out of memory\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);
	(void)r;
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		core_oom();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		core_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		core_oom();
	return q;
}

void xgrow(void *pp, size_t *cap, size_t need, size_t sz)
{
	void **p = pp;
	size_t c = *cap;
	if (need <= c)
		return;
	if (c < 8)
		c = 8;
	while (c < need) {
		if (c > SIZE_MAX / 2 / sz)
			core_oom();
		c *= 2;
	}
	*p = xrealloc(*p, c * sz);
	*cap = c;
}

char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t l;
	char *r;
	if (!s)
		return NULL;
	l = strnlen(s, n);
	r = xmalloc(l + 1);
	memcpy(r, s, l);
	r[l] = '\0';
	return r;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *r;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		core_oom();
	r = xmalloc((size_t)n + 1);
	vsnprintf(r, (size_t)n + 1, fmt, ap);
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;
	va_start(ap, fmt);
	r = xvasprintf(fmt, ap);
	va_end(ap);
	return r;
}

void xfree(void *pp)
{
	void **p = pp;
	if (p) {
		free(*p);
		*p = NULL;
	}
}

void xfree_secret(char **pp)
{
	if (pp && *pp) {
		volatile char *v = *pp;
		size_t n = strlen(*pp);
		while (n--)
			*v++ = 0;
		free(*pp);
		*pp = NULL;
	}
}

void core_str_set(char **dst, const char *src)
{
	char *n = xstrdup(src);
	free(*dst);
	*dst = n;
}

int core_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int core_str_has_prefix(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

char *core_str_trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		memmove(s, s + 1, strlen(s));
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int64_t core_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void core_timespec_in(struct timespec *ts, int clock, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	clock_gettime((clockid_t)clock, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int64_t core_now_ms(void)
{
	return core_now_us() / 1000;
}

int64_t core_wall_s(void)
{
	return (int64_t)time(NULL);
}

void core_fmt_uptime(int64_t secs, char *buf, size_t len)
{
	if (secs < 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (secs >= 86400)
		snprintf(buf, len, "%lldd %02lld:%02lld", (long long)(secs / 86400),
			 (long long)(secs % 86400 / 3600), (long long)(secs % 3600 / 60));
	else
		snprintf(buf, len, "%02lld:%02lld:%02lld", (long long)(secs / 3600),
			 (long long)(secs % 3600 / 60), (long long)(secs % 60));
}

static const char *const core_units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB" };

/* virsh's unit (vshPrettyCapacity): the largest whose value is at least 1;
 * v counts units of core_units[base]. Returns the unit's index; *div is
 * its size in base units (bytes stop at EiB: 2^64 is 16 EiB). */
static size_t core_unit_of(unsigned long long v, size_t base, unsigned long long *div)
{
	size_t u = base;
	*div = 1;
	while (u + 1 < CORE_ARRAY_LEN(core_units) && v / 1024 >= *div) {
		*div *= 1024;
		u++;
	}
	return u;
}

void core_fmt_bytes(unsigned long long bytes, char *buf, size_t len)
{
	unsigned long long div;
	size_t u = core_unit_of(bytes, 0, &div);
	snprintf(buf, len, "%.2f %s", (double)bytes / (double)div, core_units[u]);
}

void core_fmt_kib(unsigned long long kib, char *buf, size_t len)
{
	unsigned long long div;
	size_t u = core_unit_of(kib, 1, &div);
	double v = (double)kib / (double)div;

	if (kib % div == 0) { /* exact: "512 MiB", "1023 KiB" */
		snprintf(buf, len, "%llu %s", kib / div, core_units[u]);
		return;
	}
	/* three significant digits, never more than 8 characters: 999.5 and
	 * up reads as 0.98 .. 1.00 of the next unit */
	if (v >= 999.5 && u + 1 < CORE_ARRAY_LEN(core_units)) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len, v < 9.995 ? "%.2f %s" : v < 99.95 ? "%.1f %s" : "%.0f %s", v, core_units[u]);
}

int core_mkdir_p(const char *path, unsigned mode)
{
	char *p, *s;
	struct stat st;
	int rc = 0;
	if (!*path) {
		errno = ENOENT;
		return -1;
	}
	p = xstrdup(path);
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	if (rc == 0 && stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR; /* the path exists but is not a directory */
		rc = -1;
	}
	return rc;
}

char *core_config_dir(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	const char *h = getenv("HOME");
	if (x && *x == '/')
		return xasprintf("%s/vmmc", x);
	return xasprintf("%s/.config/vmmc", h && *h ? h : "/tmp");
}

int64_t core_thread_cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

char **core_split_lines(const char *s, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	while (s && *s) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		xgrow(&v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = xstrndup(s, len);
		s += len + (e ? 1 : 0);
	}
	return v;
}

void core_free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

#define CORE_WORKER_NICE 5

void core_thread_below_ui(void)
{
	const char *e = getenv("VMMC_WORKER_NICE");
	char *end;
	long v = e && *e ? strtol(e, &end, 10) : -1;
	int nice = e && *e && !*end && v >= 0 && v <= 19 ? (int)v : CORE_WORKER_NICE;
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice) != 0) {
		/* not allowed: it runs at the program's priority */
	}
}

int core_thread_schedstat(int tid, int64_t *run_ns, int64_t *wait_ns)
{
	char path[64], buf[96];
	unsigned long long run, wait;
	ssize_t n;
	int fd;

	if (tid > 0)
		snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/schedstat");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &run, &wait) != 2)
		return -1;
	*run_ns = (int64_t)run;
	*wait_ns = (int64_t)wait;
	return 0;
}

int64_t core_thread_queued_us(void)
{
	int64_t run, wait;
	return core_thread_schedstat(0, &run, &wait) < 0 ? -1 : wait / 1000;
}
