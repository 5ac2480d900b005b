/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/pump.h - drive the backend from a test: apply what it posts to
 * a model, waiting on the queue's fd with a deadline (header-only). */
#ifndef TESTS_UNIT_PUMP_H
#define TESTS_UNIT_PUMP_H

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"

/* Apply what is queued (record() sees each message first); wait for more
 * until end_ms. false once past end_ms. */
static bool pump_queue(core_msgq *q, md_model *m, void (*record)(md_msg *), int64_t end_ms)
{
	struct pollfd p = { .fd = core_msgq_fd(q), .events = POLLIN };
	int64_t left = end_ms - core_now_ms();
	md_msg *msg;

	if (left <= 0)
		return false;
	poll(&p, 1, (int)(left > 100 ? 100 : left));
	while ((msg = core_msgq_pop(q)) != NULL) {
		record(msg);
		md_apply(m, msg);
		md_msg_free(&msg);
	}
	return true;
}

/* Pump (the test's own pump(end_ms)) until cond holds or ms pass,
 * whichever is first: for a wait that is meant to run out (cond must stay
 * false) the caller asserts after. */
#define PUMP_UNTIL(cond, ms)                                \
	do {                                                \
		int64_t end_ = core_now_ms() + (ms);        \
		while (!(cond) && pump(end_)) {             \
		}                                           \
	} while (0)

/* Pump until cond holds; the test fails, naming the wait, when ms pass
 * first (an assertion after a wait that ran out would only see the last
 * record, not why). */
#define WAIT(cond, ms)                                                                              \
	do {                                                                                        \
		PUMP_UNTIL(cond, ms);                                                               \
		if (!(cond))                                                                        \
			fail_msg("%s:%d: still not (%s) after %d ms", __FILE__, __LINE__, #cond, (int)(ms)); \
	} while (0)

/* Apply what comes in for ms. */
#define PUMP_FOR(ms) PUMP_UNTIL(false, ms)

/* Before a group of tests against a real daemon listening on sock: -1 to
 * run them (with VMMC_TEST_FILTER applied), else main's exit status. A
 * missing daemon skips, saying so, unless tests/run-unit.sh started one
 * and set VMMC_REQUIRE_LIBVIRTD: then it is a failure. */
static inline int real_daemon_gate(const char *sock)
{
	if (access(sock, F_OK) != 0) {
		if (getenv("VMMC_REQUIRE_LIBVIRTD")) {
			printf("FAIL: no libvirtd (%s absent)\n", sock);
			return 1;
		}
		printf("SKIP: no libvirtd (%s absent)\n", sock);
		return 0;
	}
	if (getenv("VMMC_TEST_FILTER"))
		cmocka_set_test_filter(getenv("VMMC_TEST_FILTER"));
	return -1;
}

#endif
