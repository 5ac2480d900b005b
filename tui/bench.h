/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/bench.h - the UI thread's own figures for VMMC_BENCH_STATS: time and
 * CPU per pass, per drawn frame (with the slowest frame's parts) and per
 * pass that read a key, over a window that SIGUSR1 ends (tests/bench). No
 * curses, no I/O but the one write. */
#ifndef TUI_BENCH_H
#define TUI_BENCH_H

#include <stdbool.h>
#include <stdint.h>

struct tui_bench {
	int64_t win_ms; /* the window's start */
	int64_t ui_us_total, ui_us_max;
	int64_t ui_cpu_us_total, ui_cpu_us_max; /* the UI thread's own CPU time per pass */
	long ui_passes;
	/* passes that drew a frame, and passes that read a key (poll's wake to
	 * the frame's doupdate) */
	int64_t frame_us_total, frame_us_max, frame_cpu_us_total, frame_cpu_us_max;
	long frame_n, frame_over_2ms;
	int64_t frame_max_part[3]; /* the slowest frame's drain, draw, doupdate (us) */
	int64_t key_us_total, key_us_max;
	long key_n;
	/* the pass that slept longest (its wall time less its CPU and its wait
	 * for a CPU): a lock, a blocking read or write, a page fault's wait */
	int64_t slept_us_max, slept_pass_us, slept_pass_cpu_us;
};

/* one pass of the UI loop */
struct tui_bench_pass {
	int64_t us, cpu_us;                 /* the pass's wall and CPU time */
	int64_t drain_us, draw_us, update_us; /* its parts, when it drew */
	int64_t queued_us;                  /* runnable, waiting for a CPU (-1: not known) */
	bool drew, key;
};

void tui_bench_add(struct tui_bench *b, const struct tui_bench_pass *p);
/* the figures as NAME=VALUE lines into path (nothing when it cannot be
 * opened); the start-up figures come from the caller */
void tui_bench_write(const struct tui_bench *b, const char *path, int64_t now_ms, int64_t first_draw_ms,
		     int64_t first_frame_ms, long frames);
/* a new window from now_ms: the counts back to zero */
void tui_bench_reset(struct tui_bench *b, int64_t now_ms);

#endif
