/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_batch.h - batch mode (vmmc --batch): the live figures of every
 * VM of the given hosts printed as CSV or JSON lines, one record per VM per
 * tick, with no curses. Like `virt-top -b`, for scripts and monitoring. */
#ifndef BACKEND_BE_BATCH_H
#define BACKEND_BE_BATCH_H

#include <stddef.h>

enum be_batch_format { BE_BATCH_CSV, BE_BATCH_JSON };

struct be_batch_opts {
	char *const *uris;   /* hosts to read */
	size_t nuris;
	double delay;        /* seconds between ticks, > 0 */
	long iterations;     /* records per VM (ticks per host) before exiting; 0 = until interrupted */
	int format;          /* enum be_batch_format */
};

/* "csv" or "json" -> *format; -1 for anything else. */
int be_batch_format_parse(const char *s, int *format);
/* The formats, for error messages: "csv, json". */
const char *be_batch_formats(void);

/* Runs until done; returns the exit status (0 ok, 1 when no host could be
 * read or stdout failed). A first reading of every host is taken at once and
 * not printed (rates need two); each printed record covers the interval
 * before it. Errors go to stderr. */
int be_batch_run(const struct be_batch_opts *o);

#endif
