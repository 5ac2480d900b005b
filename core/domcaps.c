/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/domcaps.c - a host's domain capabilities, as the model keeps them. */
#include "domcaps.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void strv_free(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

static char **strv_copy(char *const *v, size_t n)
{
	char **r = xcalloc(n + 1, sizeof(*r));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

void core_domcaps_type_clear(core_domcaps_type *t)
{
	free(t->machine);
	strv_free(&t->loaders, &t->nloaders);
	strv_free(&t->disk_buses, &t->ndisk_buses);
	strv_free(&t->video_models, &t->nvideo_models);
	memset(t, 0, sizeof(*t));
}

void core_domcaps_free(core_domcaps **cp)
{
	core_domcaps *c = *cp;
	if (!c)
		return;
	free(c->arch);
	free(c->emulator);
	free(c->error);
	core_domcaps_type_clear(&c->kvm);
	core_domcaps_type_clear(&c->qemu);
	free(c);
	*cp = NULL;
}

void core_domcaps_free_void(void *c)
{
	core_domcaps *p = c;
	core_domcaps_free(&p);
}

static void type_copy(core_domcaps_type *d, const core_domcaps_type *s)
{
	*d = *s;
	d->machine = xstrdup(s->machine);
	d->loaders = strv_copy(s->loaders, s->nloaders);
	d->disk_buses = strv_copy(s->disk_buses, s->ndisk_buses);
	d->video_models = strv_copy(s->video_models, s->nvideo_models);
}

core_domcaps *core_domcaps_copy(const core_domcaps *c)
{
	core_domcaps *d;
	if (!c)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->arch = xstrdup(c->arch);
	d->emulator = xstrdup(c->emulator);
	d->error = xstrdup(c->error);
	type_copy(&d->kvm, &c->kvm);
	type_copy(&d->qemu, &c->qemu);
	return d;
}

const core_domcaps_type *core_domcaps_pick(const core_domcaps *c, bool tcg)
{
	if (!c)
		return NULL;
	if (!tcg && c->kvm.present)
		return &c->kvm;
	if (c->qemu.present)
		return &c->qemu;
	return c->kvm.present ? &c->kvm : NULL;
}

bool core_strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (v[i] && strcmp(v[i], s) == 0)
			return true;
	return false;
}
