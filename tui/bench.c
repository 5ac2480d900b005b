// SPDX-License-Identifier: GPL-2.0-or-later
/* tui/bench.c - see bench.h */
#include "bench.h"

#include <stdio.h>
#include <string.h>

static int64_t avg(int64_t total, long n)
{
	return n ? total / n : 0;
}

void tui_bench_add(struct tui_bench *b, const struct tui_bench_pass *p)
{
	b->ui_cpu_us_total += p->cpu_us;
	if (p->cpu_us > b->ui_cpu_us_max)
		b->ui_cpu_us_max = p->cpu_us;
	b->ui_us_total += p->us;
	b->ui_passes++;
	if (p->us > b->ui_us_max)
		b->ui_us_max = p->us;
	if (p->drew) {
		b->frame_n++;
		b->frame_us_total += p->us;
		b->frame_cpu_us_total += p->cpu_us;
		b->frame_over_2ms += p->us > 2000;
		if (p->us > b->frame_us_max) {
			b->frame_us_max = p->us;
			b->frame_max_part[0] = p->drain_us;
			b->frame_max_part[1] = p->draw_us;
			b->frame_max_part[2] = p->update_us;
		}
		if (p->cpu_us > b->frame_cpu_us_max)
			b->frame_cpu_us_max = p->cpu_us;
	}
	if (p->queued_us >= 0) {
		int64_t slept = p->us - p->cpu_us - p->queued_us;
		if (slept > b->slept_us_max) {
			b->slept_us_max = slept;
			b->slept_pass_us = p->us;
			b->slept_pass_cpu_us = p->cpu_us;
		}
	}
	if (p->key) {
		b->key_n++;
		b->key_us_total += p->us;
		if (p->us > b->key_us_max)
			b->key_us_max = p->us;
	}
}

void tui_bench_write(const struct tui_bench *b, const char *path, int64_t now_ms, int64_t first_draw_ms,
		     int64_t first_frame_ms, long frames)
{
	FILE *f = path ? fopen(path, "w") : NULL;
	if (!f)
		return;
	fprintf(f, "ui_cpu_us_avg=%lld\nui_cpu_us_max=%lld\n", (long long)avg(b->ui_cpu_us_total, b->ui_passes),
		(long long)b->ui_cpu_us_max);
	fprintf(f, "first_draw_ms=%lld\n", (long long)first_draw_ms);
	fprintf(f, "first_frame_ms=%lld\nframes=%ld\nui_us_avg=%lld\nui_us_max=%lld\npasses=%ld\n",
		(long long)first_frame_ms, frames, (long long)avg(b->ui_us_total, b->ui_passes),
		(long long)b->ui_us_max, b->ui_passes);
	fprintf(f, "window_ms=%lld\nframes_drawn=%ld\nframe_us_avg=%lld\nframe_us_max=%lld\n"
		"frame_cpu_us_avg=%lld\nframe_cpu_us_max=%lld\nframes_over_2ms=%ld\n"
		"frame_max_drain_us=%lld\nframe_max_draw_us=%lld\nframe_max_update_us=%lld\n"
		"key_passes=%ld\nkey_us_avg=%lld\nkey_us_max=%lld\n",
		(long long)(now_ms - b->win_ms), b->frame_n, (long long)avg(b->frame_us_total, b->frame_n),
		(long long)b->frame_us_max, (long long)avg(b->frame_cpu_us_total, b->frame_n),
		(long long)b->frame_cpu_us_max, b->frame_over_2ms, (long long)b->frame_max_part[0],
		(long long)b->frame_max_part[1], (long long)b->frame_max_part[2], b->key_n,
		(long long)avg(b->key_us_total, b->key_n), (long long)b->key_us_max);
	fprintf(f, "ui_slept_us_max=%lld\nui_slept_pass_us=%lld\nui_slept_pass_cpu_us=%lld\n",
		(long long)b->slept_us_max, (long long)b->slept_pass_us, (long long)b->slept_pass_cpu_us);
	fclose(f);
}

void tui_bench_reset(struct tui_bench *b, int64_t now_ms)
{
	memset(b, 0, sizeof(*b));
	b->win_ms = now_ms;
}
