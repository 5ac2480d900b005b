/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/fuzz/fuzz_conf.c - libFuzzer target: the config reader
 * (core_conf_load on a file of the input's bytes). A file it accepts keeps
 * its invariants: hosts with a URI, each findable, groups non-empty and
 * unique; a rejected one leaves the struct empty and marked broken. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/conf.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_conf c;
	char *err = NULL;
	const char *path = fz_write(data, size, "config");

	if (core_conf_load(path, &c, &err) == 0) {
		if (err)
			abort();
		for (size_t i = 0; i < c.nhosts; i++)
			if (!c.hosts[i].uri || !core_conf_find_host(&c, c.hosts[i].uri))
				abort();
		for (size_t i = 0; i < c.ngroups; i++) {
			if (!c.groups[i] || !c.groups[i][0])
				abort();
			for (size_t j = 0; j < i; j++)
				if (strcmp(c.groups[i], c.groups[j]) == 0)
					abort();
		}
		for (size_t i = 0; i < c.nwarnings; i++)
			if (strncmp(c.warnings[i], path, strlen(path)) != 0)
				abort();
	} else {
		if (!err || !c.broken || c.nhosts || c.ngroups)
			abort();
	}
	free(err);
	core_conf_free(&c);
	return 0;
}
