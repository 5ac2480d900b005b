/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_input.c - the input relay (tui/input.h): what of the
 * terminal's bytes may go to curses now (a mouse report only whole), and
 * the relay itself over a pipe standing for the terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../tui/input.h"

struct whole_case {
	const char *in;
	size_t whole; /* bytes that may go now */
};

static const struct whole_case whole_cases[] = {
	{ "", 0 },
	{ "abc", 3 },
	{ "\033", 1 },                      /* the Escape key: curses times it */
	{ "x\033[", 1 },                    /* ESC [: what follows tells */
	{ "\033[A", 3 },                    /* an arrow */
	{ "\033[1;5C", 6 },                 /* Ctrl+Right */
	{ "\033[M", 0 },                    /* X10 report, its three bytes to come */
	{ "\033[M ", 0 },
	{ "ab\033[M >", 2 },
	{ "\033[M >*", 6 },                 /* whole */
	{ "\033[M >*q", 7 },
	{ "\033[M >*\033[M#", 6 },          /* one whole, the next not yet */
	{ "\033[<", 0 },                    /* SGR report */
	{ "\033[<0;12;3", 0 },
	{ "\033[<0;12;3M", 10 },
	{ "\033[<0;12;3m", 10 },
	{ "\033[<0;12;3Mz\033[<0;1", 11 },
	{ "\033[<0;12;3x", 10 },            /* not a report: on */
	{ "\033[<000000000000000000000000000000000", 36 }, /* too long for one */
	{ "\033O", 2 },                     /* SS3 */
};

static void test_whole(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(whole_cases) / sizeof(whole_cases[0]); i++) {
		const struct whole_case *c = &whole_cases[i];
		size_t got = tui_input_whole((const unsigned char *)c->in, strlen(c->in));
		if (got != c->whole)
			fail_msg("case %zu: %zu, not %zu", i, got, c->whole);
	}
}

/* bytes readable from fd within ms (0 none) */
static size_t read_within(int fd, char *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	if (poll(&p, 1, ms) != 1)
		return 0;
	n = read(fd, buf, len);
	return n > 0 ? (size_t)n : 0;
}

/* the relay: keys pass at once, a report cut in two only once whole; a
 * pause reads nothing (a program has the terminal), resume goes on */
static void test_relay(void **state)
{
	int tty[2], cur;
	char buf[64];
	size_t n;
	(void)state;
	assert_int_equal(pipe(tty), 0);
	assert_int_equal(tui_input_start(tty[0], &cur), 0);
	assert_int_equal(write(tty[1], "ab", 2), 2);
	n = read_within(cur, buf, sizeof(buf), 2000);
	assert_int_equal(n, 2);
	assert_memory_equal(buf, "ab", 2);
	assert_int_equal(write(tty[1], "\033[M ", 4), 4);
	assert_int_equal(read_within(cur, buf, sizeof(buf), 200), 0); /* held */
	assert_int_equal(write(tty[1], ">*", 2), 2);
	n = read_within(cur, buf, sizeof(buf), 2000);
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "\033[M >*", 6);
	tui_input_pause();
	assert_int_equal(write(tty[1], "k", 1), 1);
	assert_int_equal(read_within(cur, buf, sizeof(buf), 200), 0);
	assert_int_equal(read(tty[0], buf, 1), 1); /* the program took it */
	tui_input_resume();
	assert_int_equal(write(tty[1], "z", 1), 1);
	n = read_within(cur, buf, sizeof(buf), 2000);
	assert_int_equal(n, 1);
	assert_int_equal(buf[0], 'z');
	tui_input_stop();
	close(cur);
	close(tty[0]);
	close(tty[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_relay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
