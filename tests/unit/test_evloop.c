/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_evloop.c - backend/be_evloop.c, the epoll loop libvirt's
 * callbacks run on (after be_init), through libvirt's own virEvent* calls:
 * handles (readable, two on one descriptor, none asked while hung up),
 * timeouts (periodic, 0 = every pass, -1 = off), free callbacks run after
 * the removal, never inside it; a wake for a descriptor does not scan a
 * thousand timers not yet due; writability asked from a callback is tried
 * in the same pass (no second wake), and waited for when the socket is
 * full. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "../../backend/be.h"
#include "../../backend/be_internal.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"

static core_msgq *q;

static atomic_int calls[4], last_events[4], freed[4];
static pthread_t test_thread;

static void on_fd(int watch, int fd, int events, void *opaque)
{
	int k = (int)(intptr_t)opaque;
	char c;
	last_events[k] = events;
	calls[k]++;
	if ((events & VIR_EVENT_HANDLE_READABLE) && k == 0 && read(fd, &c, 1) < 0)
		fail_msg("read");
}

static void on_free(void *opaque)
{
	int k = (int)(intptr_t)opaque;
	if (pthread_equal(pthread_self(), test_thread)) /* libvirt would deadlock */
		fail_msg("free callback ran inside the remove call (the caller's thread)");
	freed[k]++;
}

static void on_timer(int timer, void *opaque)
{
	calls[(int)(intptr_t)opaque]++;
}

/* wait up to ms for *v >= want */
static bool wait_for(atomic_int *v, int want, int ms)
{
	for (int i = 0; i < ms / 5; i++) {
		if (atomic_load(v) >= want)
			return true;
		usleep(5000);
	}
	return atomic_load(v) >= want;
}

static void reset(void)
{
	for (int k = 0; k < 4; k++)
		calls[k] = last_events[k] = freed[k] = 0;
}

static int setup(void **state)
{
	char *err = NULL;
	test_thread = pthread_self();
	q = core_msgq_new(md_msg_free_void);
	if (be_init(q, &err) < 0) {
		fprintf(stderr, "be_init: %s\n", err);
		free(err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	be_fini();
	core_msgq_free(&q);
	return 0;
}

static void test_handle_readable_and_free(void **state)
{
	int p[2], w;
	reset();
	assert_int_equal(pipe(p), 0);
	w = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, on_fd, (void *)0, on_free);
	assert_true(w > 0);
	usleep(50000);
	assert_int_equal(calls[0], 0); /* nothing to read: not called */
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_true(wait_for(&calls[0], 1, 2000));
	assert_true(last_events[0] & VIR_EVENT_HANDLE_READABLE);
	assert_int_equal(virEventRemoveHandle(w), 0);
	assert_true(wait_for(&freed[0], 1, 2000)); /* later, on the loop */
	assert_int_equal(virEventRemoveHandle(w), -1); /* gone */
	int before = calls[0];
	assert_int_equal(write(p[1], "y", 1), 1);
	usleep(50000);
	assert_int_equal(calls[0], before); /* removed: no more calls */
	close(p[0]);
	close(p[1]);
}

static void test_two_handles_one_fd(void **state)
{
	int p[2], a, b;
	reset();
	assert_int_equal(pipe(p), 0);
	a = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, on_fd, (void *)1, on_free);
	b = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, on_fd, (void *)2, on_free);
	assert_true(a > 0 && b > 0 && a != b);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_true(wait_for(&calls[1], 1, 2000));
	assert_true(wait_for(&calls[2], 1, 2000));
	virEventUpdateHandle(a, 0); /* off: not called though readable */
	usleep(20000);
	int ca = calls[1];
	usleep(50000);
	assert_int_equal(calls[1], ca);
	assert_true(calls[2] > 1); /* level-triggered: b still is */
	virEventRemoveHandle(a);
	virEventRemoveHandle(b);
	assert_true(wait_for(&freed[1], 1, 2000));
	assert_true(wait_for(&freed[2], 1, 2000));
	close(p[0]);
	close(p[1]);
}

static void test_hangup_not_asked(void **state)
{
	int p[2], w;
	reset();
	assert_int_equal(pipe(p), 0);
	w = virEventAddHandle(p[0], 0, on_fd, (void *)3, NULL);
	close(p[1]); /* a hang-up nobody asked for */
	usleep(100000);
	assert_int_equal(calls[3], 0);
	virEventUpdateHandle(w, VIR_EVENT_HANDLE_READABLE);
	assert_true(wait_for(&calls[3], 1, 2000));
	assert_true(last_events[3] & VIR_EVENT_HANDLE_HANGUP);
	virEventRemoveHandle(w);
	usleep(20000);
	close(p[0]);
}

static void test_timeouts(void **state)
{
	int t, z;
	reset();
	t = virEventAddTimeout(10, on_timer, (void *)0, on_free);
	assert_true(t > 0);
	assert_true(wait_for(&calls[0], 3, 2000)); /* periodic */
	virEventUpdateTimeout(t, -1);
	usleep(30000);
	int c = calls[0];
	usleep(100000);
	assert_int_equal(calls[0], c); /* off */
	virEventUpdateTimeout(t, 5000);
	usleep(50000);
	assert_int_equal(calls[0], c); /* not due yet */
	virEventUpdateTimeout(t, 0); /* every pass: at once */
	assert_true(wait_for(&calls[0], c + 5, 2000));
	assert_int_equal(virEventRemoveTimeout(t), 0);
	assert_true(wait_for(&freed[0], 1, 2000));
	assert_int_equal(virEventRemoveTimeout(t), -1);
	/* a timer made from another thread wakes a loop asleep with no timer due */
	z = virEventAddTimeout(0, on_timer, (void *)1, NULL);
	assert_true(wait_for(&calls[1], 1, 2000));
	virEventRemoveTimeout(z);
}

static _Atomic int64_t fired_ms[4];

static void on_timer_at(int timer, void *opaque)
{
	int k = (int)(intptr_t)opaque;
	if (!fired_ms[k])
		fired_ms[k] = core_now_ms();
	calls[k]++;
}

/* Long timers due close together fire in one wake (keepalives of many
 * connections): a 1600 ms timer and one made 60 ms later (100 ms slack
 * each) fire together, neither early, neither more than its slack late. */
static void test_timers_coalesce(void **state)
{
	int a, b;
	int64_t t0;
	(void)state;
	reset();
	fired_ms[0] = fired_ms[1] = 0;
	t0 = core_now_ms();
	a = virEventAddTimeout(1600, on_timer_at, (void *)0, NULL);
	usleep(60000);
	b = virEventAddTimeout(1600, on_timer_at, (void *)1, NULL);
	assert_true(wait_for(&calls[0], 1, 4000));
	assert_true(wait_for(&calls[1], 1, 4000));
	printf("    fired after %lld and %lld ms\n", (long long)(fired_ms[0] - t0),
	       (long long)(fired_ms[1] - t0));
	assert_true(fired_ms[0] - t0 >= 1600);
	assert_true(fired_ms[1] - t0 >= 1660);
	assert_true(fired_ms[1] - fired_ms[0] <= 15); /* one pass */
	assert_true(fired_ms[0] - t0 <= 1600 + 100 + 200); /* the slack (and a loaded machine) */
	virEventRemoveTimeout(a);
	virEventRemoveTimeout(b);
}

/* A thousand connections' keepalive timers (5 s, pushed back at every
 * message) and a descriptor readable 300 times: 300 passes, and the timer
 * list is scanned at most a few times, not at each pass. */
static void test_wakes_do_not_scan_timers(void **state)
{
	enum { NT = 1000, NWAKE = 300 };
	int *t = calloc(NT, sizeof(*t)), fds[2], w;
	unsigned long long wakes0, scans0, wakes1, scans1;
	(void)state;
	reset();
	assert_non_null(t);
	for (int i = 0; i < NT; i++)
		assert_true((t[i] = virEventAddTimeout(5000 + i, on_timer, (void *)2, NULL)) > 0);
	assert_int_equal(pipe(fds), 0);
	w = virEventAddHandle(fds[0], VIR_EVENT_HANDLE_READABLE, on_fd, (void *)0, NULL);
	assert_true(w > 0);
	usleep(50000);
	be_evloop_figures(NULL, NULL, &wakes0, &scans0);
	for (int i = 0; i < NWAKE; i++) {
		assert_int_equal(write(fds[1], "x", 1), 1);
		assert_true(wait_for(&calls[0], i + 1, 2000));
		if (i % 10 == 0) /* a keepalive pushed back, as at a message */
			virEventUpdateTimeout(t[i], 5000);
	}
	be_evloop_figures(NULL, NULL, &wakes1, &scans1);
	printf("    %llu passes, %llu scans of %d timers\n", wakes1 - wakes0, scans1 - scans0, NT);
	assert_true(wakes1 - wakes0 >= NWAKE);
	assert_true(scans1 - scans0 <= 5);
	assert_int_equal(calls[2], 0); /* none was due */
	virEventRemoveHandle(w);
	for (int i = 0; i < NT; i++)
		assert_int_equal(virEventRemoveTimeout(t[i]), 0);
	close(fds[0]);
	close(fds[1]);
	free(t);
}

/* A peer that answers each byte it reads with one byte, as libvirt answers
 * a keepalive: the answer queued, WRITABLE asked, written when called,
 * WRITABLE taken off. */
static atomic_int w_reads, w_writes, w_pending, w_wcalls;

static void on_ping(int watch, int fd, int events, void *opaque)
{
	(void)opaque;
	if (events & VIR_EVENT_HANDLE_READABLE) {
		char c;
		if (read(fd, &c, 1) == 1) {
			w_reads++;
			w_pending++;
			virEventUpdateHandle(watch, VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_WRITABLE);
		}
	}
	if (events & VIR_EVENT_HANDLE_WRITABLE) {
		w_wcalls++;
		while (w_pending > 0 && write(fd, "p", 1) == 1) {
			w_pending--;
			w_writes++;
		}
		if (w_pending == 0)
			virEventUpdateHandle(watch, VIR_EVENT_HANDLE_READABLE);
	}
}

static bool read_byte(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	return poll(&p, 1, ms) == 1 && read(fd, &c, 1) == 1 && c == 'p';
}

static void test_write_asked_on_loop(void **state)
{
	enum { N = 200 };
	int sv[2], w, filled = 0;
	unsigned long long wakes0, wakes1;
	char junk[4096] = { 0 };
	(void)state;
	w_reads = w_writes = w_pending = w_wcalls = 0;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	w = virEventAddHandle(sv[0], VIR_EVENT_HANDLE_READABLE, on_ping, NULL, NULL);
	assert_true(w > 0);
	usleep(50000);
	be_evloop_figures(NULL, NULL, &wakes0, NULL);
	for (int i = 0; i < N; i++) {
		assert_int_equal(write(sv[1], "x", 1), 1);
		assert_true(read_byte(sv[1], 2000));
	}
	be_evloop_figures(NULL, NULL, &wakes1, NULL);
	printf("    %d answers in %llu passes of the loop\n", N, wakes1 - wakes0);
	assert_true(wait_for(&w_writes, N, 2000)); /* (counted just after the write) */
	/* one pass a message: the answer goes out in the pass that read it
	 * (two each when the loop waits for EPOLLOUT) */
	assert_true(wakes1 - wakes0 < N + N / 4);

	/* the socket full: the answer waits until the peer reads */
	while (write(sv[0], junk, sizeof junk) > 0)
		filled += (int)sizeof junk;
	assert_true(filled > 0);
	w_wcalls = 0;
	assert_int_equal(write(sv[1], "x", 1), 1);
	assert_true(wait_for(&w_reads, N + 1, 2000));
	usleep(100000);
	assert_int_equal(w_writes, N);  /* not written: no room */
	assert_true(w_wcalls <= 1);     /* (not called again and again meanwhile) */
	assert_int_equal(w_pending, 1);
	for (int got = 0; got < filled;) { /* the peer reads: room again */
		ssize_t r = read(sv[1], junk, sizeof junk);
		assert_true(r > 0);
		got += (int)r;
	}
	assert_true(read_byte(sv[1], 2000));
	assert_true(wait_for(&w_writes, N + 1, 2000));
	assert_int_equal(virEventRemoveHandle(w), 0);
	usleep(20000);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handle_readable_and_free),
		cmocka_unit_test(test_two_handles_one_fd),
		cmocka_unit_test(test_hangup_not_asked),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_timers_coalesce),
		cmocka_unit_test(test_wakes_do_not_scan_timers),
		cmocka_unit_test(test_write_asked_on_loop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
