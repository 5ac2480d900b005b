/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/wizard.c - see wizard.h. */
#include "wizard.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void core_issues_clear(core_issues *is)
{
	for (size_t i = 0; i < is->n; i++)
		free(is->v[i].text);
	is->n = 0;
}

void core_issue_add(core_issues *is, const char *field, bool warning, const char *fmt, ...)
{
	va_list ap;
	if (is->n >= CORE_ARRAY_LEN(is->v))
		return;
	snprintf(is->v[is->n].field, sizeof(is->v[is->n].field), "%s", field);
	va_start(ap, fmt);
	is->v[is->n].text = xvasprintf(fmt, ap);
	va_end(ap);
	is->v[is->n].warning = warning;
	is->n++;
}

const core_issue *core_issues_for(const core_issues *is, const char *field)
{
	const core_issue *warn = NULL;
	for (size_t i = 0; i < is->n; i++)
		if (strcmp(is->v[i].field, field) == 0) {
			if (!is->v[i].warning)
				return &is->v[i];
			if (!warn)
				warn = &is->v[i];
		}
	return warn;
}

int core_issues_errors(const core_issues *is)
{
	int n = 0;
	for (size_t i = 0; i < is->n; i++)
		n += !is->v[i].warning;
	return n;
}

void core_steps_free(core_step **pv, size_t n)
{
	core_step *v = *pv;
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].label);
		free(v[i].pool);
		free(v[i].pool_uuid);
		free(v[i].vol);
		free(v[i].local);
		free(v[i].format);
		free(v[i].xml);
		free(v[i].new_vol);
		free(v[i].dst_pool_uuid);
		free(v[i].seed_meta);
		free(v[i].seed_user);
		free(v[i].src_pool_uuid);
		free(v[i].src_vol);
		free(v[i].kernel);
		free(v[i].initrd);
		free(v[i].kernel_vol);
		free(v[i].initrd_vol);
	}
	free(v);
	*pv = NULL;
}
