/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_console_open.c - opening consoles is a hand-over to the
 * host's worker: nothing the caller made may be touched after it (issue 9:
 * be_console_open read con->id after queueing the job, and the worker could
 * finish and free the console first: ASan heap-use-after-free, and the UI
 * got a wrong id, so its tab stayed "connecting"). Against libvirt's test
 * driver, whose VM has no serial device: the worker answers at once, which
 * is the fastest the race can go. Built plain, this checks the answers; under
 * ASan (B=build-asan) it also catches the old use after free. */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../backend/be.h"
#include "../../backend/be_console.h"
#include "../../backend/be_internal.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f" /* "test" in test:///default */
#define OPENERS 3
#define PER_OPENER 400

static core_msgq *Q;

/* What came back for each id: its CLOSED reason + 1 (0 = nothing yet). */
static int *answer;
static size_t nanswer;
static int answers_bad; /* CLOSED for an id never handed out, or twice */

static void drain(int wait_ms)
{
	struct pollfd p = { core_msgq_fd(Q), POLLIN, 0 };
	md_msg *m;
	poll(&p, 1, wait_ms);
	while ((m = core_msgq_pop(Q)) != NULL) {
		be_console_ev *ev = m->type == MD_MSG_CONSOLE ? m->ext : NULL;
		if (ev && ev->kind == BE_CONSOLE_CLOSED) {
			if (ev->id <= 0 || (size_t)ev->id >= nanswer || answer[ev->id])
				answers_bad++;
			else
				answer[ev->id] = ev->reason + 1;
		}
		md_msg_free(&m);
	}
}

static void wait_connected(void)
{
	/* the test driver connects in a few ms; a console opened before that
	 * says "not connected", which is not what this test is about */
	md_model *model = md_model_new();
	int64_t end = core_now_ms() + 10000;
	md_host_add(model, 1, "test:///default");
	while (core_now_ms() < end && md_host_get(model, 1)->conn != MD_CONN_CONNECTED) {
		struct pollfd p = { core_msgq_fd(Q), POLLIN, 0 };
		md_msg *m;
		poll(&p, 1, 50);
		while ((m = core_msgq_pop(Q)) != NULL) {
			md_apply(model, m);
			md_msg_free(&m);
		}
	}
	assert_int_equal(md_host_get(model, 1)->conn, MD_CONN_CONNECTED);
	md_model_free(&model);
}

/* The schedule of a busy machine, made certain: every thread on one CPU
 * (threads made later inherit it) and the host's worker at a real-time
 * priority (it inherits the creating thread's policy). Then the worker runs
 * the moment a job wakes it, to the end of the job, before the caller of
 * be_console_open returns: the caller must not touch the console after
 * queueing it. Without the privilege this still runs, the race just rarer. */
static be_host *host_new_worker_first(const char *uri)
{
	cpu_set_t set;
	struct sched_param fifo = { .sched_priority = 10 }, other = { .sched_priority = 0 };
	int cpu = sched_getcpu();
	bool rt;
	be_host *h;

	CPU_ZERO(&set);
	CPU_SET(cpu >= 0 ? cpu : 0, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		printf("(could not pin to one CPU: the race is rarer)\n");
	rt = pthread_setschedparam(pthread_self(), SCHED_FIFO, &fifo) == 0;
	if (!rt)
		printf("(no real-time priority for the worker: the race is rarer)\n");
	h = be_host_new(1, uri);
	if (rt)
		assert_int_equal(pthread_setschedparam(pthread_self(), SCHED_OTHER, &other), 0);
	return h;
}

struct opener {
	be_host *h;
	int ids[PER_OPENER];
};

static void *opener_main(void *arg)
{
	struct opener *o = arg;
	for (int i = 0; i < PER_OPENER; i++)
		o->ids[i] = be_console_open(o->h, TEST_UUID, NULL, 0);
	return NULL;
}

/* Many opens at once from several threads (the UI thread is one caller;
 * more of them make the worker's answer race the return more often). Every
 * id handed out is distinct and gets exactly one CLOSED, NO_DEVICE. */
static void test_many_opens_no_device(void **state)
{
	char *err = NULL;
	be_host *h;
	pthread_t th[OPENERS];
	struct opener op[OPENERS];
	size_t total = (size_t)OPENERS * PER_OPENER, got = 0;
	int64_t end;

	Q = core_msgq_new(md_msg_free_void);
	assert_int_equal(be_init(Q, &err), 0);
	h = host_new_worker_first("test:///default");
	wait_connected();
	/* ids count up from 1 in this process: leave room for all of them */
	nanswer = total + 2;
	answer = xcalloc(nanswer, sizeof(*answer));

	for (int t = 0; t < OPENERS; t++) {
		op[t].h = h;
		assert_int_equal(pthread_create(&th[t], NULL, opener_main, &op[t]), 0);
	}
	for (int t = 0; t < OPENERS; t++)
		pthread_join(th[t], NULL);

	end = core_now_ms() + 30000;
	while (core_now_ms() < end) {
		got = 0;
		drain(50);
		for (size_t i = 0; i < nanswer; i++)
			got += answer[i] != 0;
		if (got >= total)
			break;
	}
	assert_int_equal(answers_bad, 0);
	for (int t = 0; t < OPENERS; t++) {
		for (int i = 0; i < PER_OPENER; i++) {
			int id = op[t].ids[i];
			if (id <= 0 || (size_t)id >= nanswer)
				fail_msg("opener %d, open %d: id %d out of range", t, i, id);
			if (answer[id] != BE_CONSOLE_R_NO_DEVICE + 1)
				fail_msg("console %d: %s", id,
					 answer[id] ? "wrong CLOSED reason" : "no CLOSED: the tab would stay 'connecting'");
			answer[id] = -1; /* each id handed out once */
		}
	}
	assert_int_equal(got, total);
	assert_int_equal(be_console_count(), 0);

	be_host_free(&h, 10000);
	be_fini();
	free(answer);
	answer = NULL;
	core_msgq_free(&Q);
}

/* Open, then lose the connection at once: the worker tears down every
 * console of the host, also those whose open job is still queued. Each
 * open still gets exactly one CLOSED, and none is left behind. */
static void test_open_while_connection_drops(void **state)
{
	char *err = NULL;
	be_host *h;
	int ids[200];
	size_t got = 0;
	int64_t end;

	Q = core_msgq_new(md_msg_free_void);
	assert_int_equal(be_init(Q, &err), 0);
	h = host_new_worker_first("test:///default");
	wait_connected();
	nanswer = 100000; /* ids go on counting from the test before */
	answer = xcalloc(nanswer, sizeof(*answer));
	answers_bad = 0;
	for (size_t i = 0; i < CORE_ARRAY_LEN(ids); i++) {
		ids[i] = be_console_open(h, TEST_UUID, NULL, 0);
		if (i % 20 == 10)
			be_host_mark_dead(h, "cable pulled");
	}
	end = core_now_ms() + 30000;
	while (core_now_ms() < end) {
		got = 0;
		drain(50);
		for (size_t i = 0; i < CORE_ARRAY_LEN(ids); i++)
			got += ids[i] > 0 && (size_t)ids[i] < nanswer && answer[ids[i]] != 0;
		if (got == CORE_ARRAY_LEN(ids))
			break;
	}
	assert_int_equal(answers_bad, 0);
	assert_int_equal(got, CORE_ARRAY_LEN(ids));
	for (size_t i = 0; i < CORE_ARRAY_LEN(ids); i++) {
		int r = answer[ids[i]] - 1;
		if (r != BE_CONSOLE_R_NO_DEVICE && r != BE_CONSOLE_R_CONN_LOST)
			fail_msg("console %d: reason %d", ids[i], r);
	}
	assert_int_equal(be_console_count(), 0);

	/* a host being freed refuses the job: the console ends at once, with
	 * no worker left to answer (a reference keeps the struct for the call) */
	{
		be_host *kept = h;
		int id;
		be_host_ref(kept);
		be_host_free(&h, 10000);
		drain(0);
		id = be_console_open(kept, TEST_UUID, NULL, 0);
		assert_true(id > 0 && (size_t)id < nanswer);
		assert_int_equal(be_console_count(), 0);
		drain(0);
		assert_int_equal(answer[id], BE_CONSOLE_R_CONN_LOST + 1);
		assert_int_equal(answers_bad, 0);
		be_host_unref(&kept);
	}
	be_fini();
	free(answer);
	answer = NULL;
	core_msgq_free(&Q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_opens_no_device),
		cmocka_unit_test(test_open_while_connection_drops),
	};
	return cmocka_run_group_tests_name("console_open", tests, NULL, NULL);
}
