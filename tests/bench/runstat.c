/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/bench/runstat.c - run a command N times and report its wall time and
 * peak memory.
 *
 *   runstat [-n RUNS] [-t COLSxROWS] [-T TERM] [-o FILE] [-q] [-k SECONDS] [-v] -- CMD [ARG]...
 *
 *   -n RUNS       how many runs (default 5)
 *   -t COLSxROWS  run CMD in a pseudo-terminal of that size (forkpty), with
 *                 TERM set (-T, default xterm-256color) and LINES/COLUMNS
 *                 unset, so a curses program runs as on a real terminal; its
 *                 output is read and thrown away
 *   -q            without -t: CMD's stdout goes to /dev/null
 *   -o FILE       with -t: write what CMD printed on the terminal to FILE
 *                 (the last run's), to see why it failed
 *   -k SECONDS    kill a run that takes longer (default 300); it counts as failed
 *   -v            print each run on stderr
 *
 * Without -t, stdin is /dev/null. Prints one line:
 *   runs=5 failed=0 median_ms=2061.3 min_ms=2050.2 max_ms=2102.9 maxrss_kib=45120
 * maxrss_kib is the largest ru_maxrss (wait4) over the runs: the peak resident
 * memory of CMD's own process (not of its children). Exit status 1 when a run
 * failed (non-zero status, signal, timeout), 2 on a usage error.
 *
 * Build: cc -O2 -o build/runstat tests/bench/runstat.c -lutil
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: runstat [-n RUNS] [-t COLSxROWS] [-T TERM] [-o FILE] [-q] [-k SECONDS] [-v] -- CMD [ARG]...\n");
	exit(2);
}

struct opts {
	int runs;
	int cols, rows; /* 0: no pty */
	const char *term;
	const char *out; /* -o */
	int quiet;
	double timeout_ms;
	int verbose;
	char **argv;
};

static volatile sig_atomic_t timed_out;
static volatile pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	if (child > 0)
		kill(child, SIGKILL);
}

/* One run: returns 0 if CMD exited with status 0. */
static int run_once(const struct opts *o, double *ms, long *maxrss)
{
	int master = -1, status = 0, outfd = -1;
	struct rusage ru;
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	double t0 = now_ms();
	pid_t pid, w;

	timed_out = 0;
	if (o->cols) {
		struct winsize ws = { .ws_row = (unsigned short)o->rows, .ws_col = (unsigned short)o->cols };

		pid = forkpty(&master, NULL, NULL, &ws);
		if (pid == 0) {
			setenv("TERM", o->term, 1);
			unsetenv("LINES");
			unsetenv("COLUMNS");
			execvp(o->argv[0], o->argv);
			fprintf(stderr, "runstat: %s: %s\n", o->argv[0], strerror(errno));
			_exit(127);
		}
	} else {
		pid = fork();
		if (pid == 0) {
			int fd = open("/dev/null", O_RDWR);

			if (fd >= 0) {
				dup2(fd, 0);
				if (o->quiet)
					dup2(fd, 1);
				if (fd > 2)
					close(fd);
			}
			execvp(o->argv[0], o->argv);
			fprintf(stderr, "runstat: %s: %s\n", o->argv[0], strerror(errno));
			_exit(127);
		}
	}
	if (pid < 0) {
		perror("runstat: fork");
		return -1;
	}
	child = pid;
	if (master >= 0 && o->out) {
		outfd = open(o->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (outfd < 0)
			fprintf(stderr, "runstat: %s: %s\n", o->out, strerror(errno));
	}
	it.it_value.tv_sec = (time_t)(o->timeout_ms / 1e3);
	it.it_value.tv_usec = (suseconds_t)((o->timeout_ms - it.it_value.tv_sec * 1e3) * 1e3);
	setitimer(ITIMER_REAL, &it, NULL);

	memset(&ru, 0, sizeof ru);
	for (;;) {
		if (master >= 0) {
			/* drain the terminal so the program never blocks writing;
			 * EIO (or EOF) once every slave is closed: it is exiting */
			struct pollfd p = { .fd = master, .events = POLLIN };
			char buf[65536];

			if (poll(&p, 1, 20) > 0) {
				ssize_t n = read(master, buf, sizeof buf);

				if (n > 0 && outfd >= 0 && write(outfd, buf, (size_t)n) != n) {
					close(outfd);
					outfd = -1;
				}
				if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
					close(master);
					master = -1;
				}
			}
			w = wait4(pid, &status, WNOHANG, &ru);
		} else {
			w = wait4(pid, &status, 0, &ru);
		}
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			perror("runstat: wait4");
			return -1;
		}
	}
	*ms = now_ms() - t0;
	child = 0;
	it.it_value.tv_sec = 0;
	it.it_value.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	if (master >= 0)
		close(master);
	if (outfd >= 0)
		close(outfd);
	*maxrss = ru.ru_maxrss;
	if (timed_out) {
		fprintf(stderr, "runstat: run took more than %.1f s: killed\n", o->timeout_ms / 1e3);
		return -1;
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "runstat: %s killed by signal %d\n", o->argv[0], WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) != 0) {
		fprintf(stderr, "runstat: %s exited with status %d\n", o->argv[0], WEXITSTATUS(status));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .runs = 5, .term = "xterm-256color", .timeout_ms = 300e3 };
	double *ms, median;
	long maxrss = 0;
	int c, i, failed = 0;

	while ((c = getopt(argc, argv, "+n:t:T:o:qk:v")) != -1) {
		switch (c) {
		case 'n':
			o.runs = atoi(optarg);
			if (o.runs < 1)
				usage();
			break;
		case 't':
			if (sscanf(optarg, "%dx%d", &o.cols, &o.rows) != 2 || o.cols < 1 || o.rows < 1 ||
			    o.cols > 65535 || o.rows > 65535)
				usage();
			break;
		case 'T':
			o.term = optarg;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'k':
			o.timeout_ms = atof(optarg) * 1e3;
			if (o.timeout_ms <= 0)
				usage();
			break;
		case 'v':
			o.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	o.argv = argv + optind;
	signal(SIGPIPE, SIG_IGN);
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
		sigaction(SIGALRM, &sa, NULL);
	}

	ms = calloc((size_t)o.runs, sizeof *ms);
	if (!ms)
		return 2;
	for (i = 0; i < o.runs; i++) {
		long rss = 0;

		if (run_once(&o, &ms[i], &rss) != 0)
			failed++;
		if (rss > maxrss)
			maxrss = rss;
		if (o.verbose)
			fprintf(stderr, "runstat: run %d: %.1f ms, %ld KiB\n", i + 1, ms[i], rss);
	}
	qsort(ms, (size_t)o.runs, sizeof *ms, cmp_double);
	median = o.runs % 2 ? ms[o.runs / 2] : (ms[o.runs / 2 - 1] + ms[o.runs / 2]) / 2;
	printf("runs=%d failed=%d median_ms=%.1f min_ms=%.1f max_ms=%.1f maxrss_kib=%ld\n",
	       o.runs, failed, median, ms[0], ms[o.runs - 1], maxrss);
	free(ms);
	return failed ? 1 : 0;
}
