/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/log.c - see log.h */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;

int core_log_open(const char *path, char **err)
{
	struct stat st;
	int fd, e;

	*err = NULL;
	if (!path || !*path) {
		*err = xstrdup("cannot write the log: no file name given");
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0) {
		e = errno;
		*err = e == ELOOP ? xasprintf("cannot write the log %s: it is a symbolic link (refused; "
					      "name the file it points to)", path)
				  : xasprintf("cannot write the log %s: %s", path, strerror(e));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*err = xasprintf("cannot write the log %s: not a regular file", path);
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_APPEND); /* drop O_NONBLOCK (it only kept a FIFO from blocking open) */
	pthread_mutex_lock(&log_lock);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void core_log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	pthread_mutex_unlock(&log_lock);
}

bool core_log_on(void)
{
	bool on;
	pthread_mutex_lock(&log_lock);
	on = log_fd >= 0;
	pthread_mutex_unlock(&log_lock);
	return on;
}

/* Length of a "key=" that announces a secret at s, else 0. */
static size_t secret_key_len(const char *s)
{
	static const char *const keys[] = { "password=", "passphrase=", "passwd=", "secret=" };
	for (size_t i = 0; i < CORE_ARRAY_LEN(keys); i++)
		if (strncasecmp(s, keys[i], strlen(keys[i])) == 0)
			return strlen(keys[i]);
	return 0;
}

/* At s (just after "://"): the length of a "user:" whose password follows up
 * to an '@' in the same authority; 0 when there is none. */
static size_t uri_user_len(const char *s)
{
	size_t colon = 0, i;
	for (i = 0; s[i] && s[i] != '/' && s[i] != '@' && s[i] != ' ' && s[i] != '?'; i++)
		if (s[i] == ':' && !colon)
			colon = i + 1;
	return s[i] == '@' && colon ? colon : 0;
}

void core_log_mask(const char *in, char *buf, size_t len)
{
	size_t o = 0;
	const char *s = in;
#define PUT(c)                              \
	do {                                \
		if (o + 1 < len)            \
			buf[o++] = (char)(c); \
	} while (0)
	if (!len)
		return;
	while (*s) {
		size_t k;
		if (strncmp(s, "://", 3) == 0 && (k = uri_user_len(s + 3)) > 0) {
			for (size_t i = 0; i < 3 + k; i++)
				PUT(s[i]);
			s += 3 + k;
			while (*s != '@')
				s++;
			for (const char *m = "***"; *m; m++)
				PUT(*m);
			continue;
		}
		if ((s == in || !((s[-1] >= 'a' && s[-1] <= 'z') || (s[-1] >= 'A' && s[-1] <= 'Z'))) &&
		    (k = secret_key_len(s)) > 0) {
			for (size_t i = 0; i < k; i++)
				PUT(s[i]);
			s += k;
			while (*s && *s != ' ' && *s != '&' && *s != ';' && *s != ',' && *s != '\n')
				s++;
			for (const char *m = "***"; *m; m++)
				PUT(*m);
			continue;
		}
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			char hex[5];
			snprintf(hex, sizeof(hex), "\\x%02x", (unsigned char)*s);
			for (const char *m = hex; *m; m++)
				PUT(*m);
		} else {
			PUT(*s);
		}
		s++;
	}
	buf[o] = '\0';
#undef PUT
}

void core_log(const char *area, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX], masked[LOG_LINE_MAX], line[LOG_LINE_MAX + 96];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (!core_log_on())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	core_log_mask(msg, masked, sizeof(masked));
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ [%ld] %s: %s\n",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     ts.tv_nsec / 1000000L, (long)syscall(SYS_gettid), area, masked);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	pthread_mutex_lock(&log_lock);
	if (log_fd >= 0) {
		ssize_t w = write(log_fd, line, (size_t)n);
		(void)w; /* a full disk loses log lines, never the console */
	}
	pthread_mutex_unlock(&log_lock);
}
