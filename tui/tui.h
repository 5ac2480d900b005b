/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/tui.h - the console's entry points for main.c. */
#ifndef TUI_TUI_H
#define TUI_TUI_H

#include <stdbool.h>
#include <stddef.h>

struct tui_host_spec {
	char *uri;
	char *name;    /* may be NULL */
	char *group;   /* the tree's group it goes in; NULL: top level */
	bool saved;    /* comes from the config file (removing it updates the file) */
	bool demo;
	bool fallback_local; /* the local hypervisor picked by default: open the demo when it fails */
};

struct tui_opts {
	struct tui_host_spec *hosts;
	size_t nhosts;
	char **groups;          /* the config's groups, in order (also those only hosts name) */
	size_t ngroups;
	char *demo_uri;         /* test:///.../demo-host.xml, NULL if not found */
	char *theme;            /* name given with --theme or by the config */
	bool theme_explicit;    /* --theme was given (overrides NO_COLOR) */
	double delay;           /* refresh interval, seconds */
	long max_iterations;    /* 0 = run until quit */
	char *config_path;      /* where hosts are saved; NULL = don't save */
	char **notes;           /* start-up warnings/errors to show in the status bar */
	size_t nnotes;
	char **theme_dirs;      /* searched in order for NAME.theme */
	size_t ntheme_dirs;
	const char *bench_stats; /* VMMC_BENCH_STATS */
	char *escape;           /* console escape key, caret notation ("^]"); NULL = ^] */
};

/* Runs the console until the user quits; returns the exit status. */
int tui_run(struct tui_opts *opts);

/* --dump-keys: the key table from the action table, "mdoc" or "text". */
int tui_dump_keys(const char *format);

#endif
