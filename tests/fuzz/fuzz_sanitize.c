/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/fuzz/fuzz_sanitize.c - libFuzzer target: the display sanitizer
 * (core/sanitize.c), in UTF-8 and in ASCII mode. What core_sanitize gives
 * has no control byte and is valid UTF-8; core_str_fit never gives more
 * columns than asked. The first byte picks the mode and the width. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *s, *fit;
	uint32_t cp;
	int cols;
	bool utf8;

	if (size < 1)
		return 0;
	utf8 = data[0] & 0x80;
	cols = (data[0] & 0x7f) - 2; /* -2..125 */
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	core_sanitize_set_utf8(utf8);

	s = core_sanitize(buf);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (!utf8 && *p >= 0x80))
			abort();
	if (!core_utf8_valid(s))
		abort();
	if (core_str_width(s) < 0)
		abort();
	fit = core_str_fit(buf, cols, buf[0] & 1);
	if (core_str_width(fit) > (cols > 0 ? cols : 0))
		abort();
	free(fit);
	fit = core_str_fit(s, cols, false);
	if (core_str_width(fit) > (cols > 0 ? cols : 0))
		abort();
	free(fit);
	free(s);
	core_str_width(buf);
	core_utf8_valid(buf);
	core_utf8_decode(buf, &cp);
	free(buf);
	return 0;
}
