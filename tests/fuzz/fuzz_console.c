/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/fuzz/fuzz_console.c - libFuzzer target: the console path, guest
 * bytes -> the bounding filter (core/vtfilter.c) -> libvterm -> the screen
 * model (tui/console.c). The first two bytes give the screen's size
 * (1..48 rows, 1..160 columns), the third where the bytes are cut in two
 * feeds; then every line (scrollback and screen) is read back as text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tui/console.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tui_con *c;
	size_t cut, total;
	if (size < 3)
		return 0;
	c = tui_con_new(1 + data[0] % 48, 1 + data[1] % 160);
	cut = size > 3 ? data[2] % (size - 3 + 1) : 0;
	data += 3;
	size -= 3;
	tui_con_feed(c, (const char *)data, cut);
	tui_con_feed(c, (const char *)data + cut, size - cut);
	total = tui_con_total_lines(c);
	for (size_t i = 0; i < total; i++) {
		char *t = tui_con_line_text(c, i);
		if (!t)
			abort();
		free(t);
	}
	if (tui_con_line_text(c, total))
		abort();
	tui_con_free(&c);
	return 0;
}
