/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/bench/con_bench.c - drive a console client (vmmc, virsh console) in a
 * pseudo-terminal and time it. A small script in the arguments:
 *
 *   con_bench [-x COLS] [-y ROWS] STEP... -- CMD [ARG...]
 *     -k KEYS        send KEYS (C escapes: \r \n \t \\ \xHH)
 *     -w TEXT [S]    wait until TEXT shows in the output (at most S s, default 30)
 *     -q MS          wait until the output has been quiet for MS ms
 *     -r KEYS TEXT N send KEYS and wait 2 s for TEXT, up to N times (a
 *                    guest still booting drops what it gets)
 *     -t KEYS TEXT   send KEYS, print "elapsed_ms=N" when TEXT shows (300 s max)
 *     -l N           N keystroke echoes ('@' typed, then erased): prints
 *                    "echo_ms_median=X echo_ms_p90=Y"
 *
 * The output is drained at once, always, so the client never waits on us;
 * CON_BENCH_LOG=FILE keeps a copy of it.
 * Exit status 1 when a wait times out. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int fd = -1;
static char *win;       /* a window of recent output to search in */
static size_t win_len;
static FILE *logf;      /* $CON_BENCH_LOG: everything the client wrote */
#define WIN_MAX (1 << 20)

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void forget(void)
{
	win_len = 0;
}

/* Read what is there (waiting at most ms); 0 on EOF. */
static int pump(int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[65536];
	ssize_t n;
	if (poll(&p, 1, ms) <= 0)
		return 1;
	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	if (win_len + (size_t)n > WIN_MAX) {
		size_t keep = 4096 < win_len ? 4096 : win_len; /* markers may straddle reads */
		memmove(win, win + win_len - keep, keep);
		win_len = keep;
	}
	memcpy(win + win_len, buf, (size_t)n);
	win_len += (size_t)n;
	if (logf)
		fwrite(buf, 1, (size_t)n, logf);
	return 1;
}

static int seen(const char *text)
{
	return memmem(win, win_len, text, strlen(text)) != NULL;
}

static int wait_for(const char *text, double secs)
{
	double end = now_ms() + secs * 1e3;
	while (!seen(text)) {
		if (now_ms() > end || !pump(20)) {
			fprintf(stderr, "con_bench: '%s' did not show in %.0f s\n", text, secs);
			return -1;
		}
	}
	forget();
	return 0;
}

static void quiet(int ms)
{
	double last = now_ms();
	while (now_ms() - last < ms) {
		size_t before = win_len;
		if (!pump(10))
			return;
		if (win_len != before)
			last = now_ms();
	}
	forget();
}

static size_t unescape(const char *s, char *out)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'r': out[n++] = '\r'; break;
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case 'x': {
			char h[3] = { s[1], s[1] ? s[2] : 0, 0 };
			out[n++] = (char)strtol(h, NULL, 16);
			s += 2;
			break;
		}
		default: out[n++] = *s;
		}
	}
	return n;
}

static void send_keys(const char *keys)
{
	char *b = malloc(strlen(keys) + 1);
	size_t n = unescape(keys, b);
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, b + off, n - off);
		if (w < 0 && errno != EINTR && errno != EAGAIN)
			break;
		if (w > 0)
			off += (size_t)w;
		pump(0);
	}
	free(b);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int echo_latency(int n)
{
	double *t = calloc((size_t)n, sizeof(double));
	for (int i = 0; i < n; i++) {
		double t0;
		quiet(150);
		t0 = now_ms();
		send_keys("@");
		if (wait_for("@", 10) < 0)
			return -1;
		t[i] = now_ms() - t0;
		send_keys("\\x7f");
	}
	quiet(150);
	qsort(t, (size_t)n, sizeof(double), cmp_d);
	printf("echo_ms_median=%.2f echo_ms_p90=%.2f echo_ms_min=%.2f\n", t[n / 2], t[(n * 9) / 10], t[0]);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	struct winsize ws = { 40, 160, 0, 0 };
	int cmd = -1, rc = 0;
	pid_t pid;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			cmd = i + 1;
			break;
		}
	if (cmd < 0 || cmd >= argc) {
		fprintf(stderr, "usage: con_bench [-x C] [-y R] STEP... -- CMD [ARG...]\n");
		return 2;
	}
	for (int i = 1; i < cmd - 1; i++) {
		if (strcmp(argv[i], "-x") == 0 && i + 1 < cmd)
			ws.ws_col = (unsigned short)atoi(argv[++i]);
		else if (strcmp(argv[i], "-y") == 0 && i + 1 < cmd)
			ws.ws_row = (unsigned short)atoi(argv[++i]);
	}
	win = malloc(WIN_MAX);
	if (getenv("CON_BENCH_LOG"))
		logf = fopen(getenv("CON_BENCH_LOG"), "w");
	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		execvp(argv[cmd], argv + cmd);
		_exit(127);
	}
	for (int i = 1; i < cmd - 1 && rc == 0; i++) {
		const char *o = argv[i];
		if (strcmp(o, "-x") == 0 || strcmp(o, "-y") == 0) {
			i++;
		} else if (strcmp(o, "-k") == 0 && i + 1 < cmd) {
			send_keys(argv[++i]);
		} else if (strcmp(o, "-w") == 0 && i + 1 < cmd) {
			const char *text = argv[++i];
			double secs = 30;
			if (i + 1 < cmd - 1 && argv[i + 1][0] != '-')
				secs = atof(argv[++i]);
			rc = wait_for(text, secs) < 0;
		} else if (strcmp(o, "-q") == 0 && i + 1 < cmd) {
			quiet(atoi(argv[++i]));
		} else if (strcmp(o, "-r") == 0 && i + 3 < cmd) {
			const char *keys = argv[i + 1], *text = argv[i + 2];
			int tries = atoi(argv[i + 3]);
			i += 3;
			rc = 1;
			for (int k = 0; k < tries && rc; k++) {
				send_keys(keys);
				rc = wait_for(text, 2) < 0;
			}
		} else if (strcmp(o, "-t") == 0 && i + 2 < cmd) {
			double t0;
			const char *keys = argv[++i], *text = argv[++i];
			quiet(300);
			t0 = now_ms();
			send_keys(keys);
			rc = wait_for(text, 300) < 0;
			if (!rc)
				printf("elapsed_ms=%.0f\n", now_ms() - t0);
		} else if (strcmp(o, "-l") == 0 && i + 1 < cmd) {
			rc = echo_latency(atoi(argv[++i])) < 0;
		}
		fflush(stdout);
	}
	kill(pid, SIGTERM);
	for (int i = 0; i < 50 && waitpid(pid, NULL, WNOHANG) == 0; i++)
		pump(20);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return rc;
}
