/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/fuzz/fuzz_theme.c - libFuzzer target: the theme reader
 * (core_theme_load on a file of the input's bytes). Whatever it accepts
 * has every role's colours in -1..255 and only known attributes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/theme.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ATTRS_ALL (CORE_ATTR_BOLD | CORE_ATTR_DIM | CORE_ATTR_UNDERLINE | CORE_ATTR_REVERSE | \
		   CORE_ATTR_ITALIC | CORE_ATTR_BLINK | CORE_ATTR_STANDOUT)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_theme t;
	char *err = NULL;
	const char *path = fz_write(data, size, "fuzz.theme");

	memset(&t, 0, sizeof(t));
	if (core_theme_load(path, &t, &err) == 0) {
		if (err || !t.name)
			abort();
		for (int r = 0; r < CORE_ROLE__COUNT; r++) {
			const struct core_style *s = &t.role[r];
			if (s->fg < -1 || s->fg > 255 || s->bg < -1 || s->bg > 255 || (s->attrs & ~ATTRS_ALL))
				abort();
		}
	} else if (!err) {
		abort();
	}
	free(err);
	core_theme_free(&t);
	return 0;
}
