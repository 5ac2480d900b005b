/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/conf.h - the config file, $XDG_CONFIG_HOME/vmmc/config. libc only.
 *
 * Format: UTF-8 text, one setting a line. Blank lines and comments ('#' to
 * the end of the line, outside quotes) are ignored. Lines are
 * `key = value`; a value is bare (trimmed) or double-quoted with \" and \\
 * as its only escapes (for spaces at the ends, '#' or '"').
 *
 *   # vmmc configuration
 *   version = 1             # format version; only 1 is understood
 *   theme = dark            # themes/NAME.theme
 *   refresh = 2             # seconds between refreshes, > 0 and <= 3600
 *   escape = ^]             # console escape key, caret notation
 *
 *   [group]                 # zero or more, after the global keys: the
 *   name = Lab              # console tree's folders, in this order; kept
 *                           # even when no host is in them. name: required,
 *                           # unique
 *
 *   [host]                  # zero or more, after the global keys
 *   uri = qemu+ssh://admin@kvm1/system    # required, unique
 *   name = "KVM #1"
 *   group = Lab             # the folder it is in (need not have a [group])
 *   autoconnect = no        # yes (default) or no
 *
 * [group] and [host] sections may come in any order. Unknown keys give a
 * warning. Errors (file:line): a line without '=', an unknown section, a
 * [host] without uri, a [group] without name, a bad value, an unterminated
 * quote, a duplicate key, uri or group name, an empty uri or group name, a
 * NUL, control character or invalid UTF-8, a line longer than 4096 bytes. */
#ifndef CORE_CONF_H
#define CORE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

#define CORE_CONF_MAX_LINE 4096
#define CORE_CONF_GROUP_MAX 64   /* bytes of a group name entered in the UI */

struct core_conf_host {
	char *uri;
	char *name;   /* NULL: not set */
	char *group;  /* NULL: not set */
	bool autoconnect;
};

struct core_conf {
	int version;
	char *theme;     /* NULL: not set */
	double refresh;  /* seconds */
	char *escape;    /* NULL: not set */
	struct core_conf_host *hosts;
	size_t nhosts;
	char **groups;   /* [group] names, in file order; non-empty, unique */
	size_t ngroups;
	char **warnings; /* "PATH:LINE: ..." from the last load */
	size_t nwarnings;
	bool broken;     /* the file could not be read: never save over it */
};

/* The keys a section takes, NULL-terminated: section NULL or "" for the
 * global keys, "host", "group"; NULL for another section. The parser uses
 * these tables; vmmc.conf(5) is checked against them (tests/unit/test_man.c). */
const char *const *core_conf_keys(const char *section);

/* Defaults: version 1, refresh 2.0, nothing else. Does not free. */
void core_conf_init(struct core_conf *c);
/* Load path into c (overwritten, not freed first: core_conf_free() it when
 * reusing). 0 on success, also when path does not exist (defaults). -1 on a
 * read error (*err = "PATH: strerror") or a malformed file (*err =
 * "PATH:LINE: what"): c holds the defaults and c->broken is set. */
int core_conf_load(const char *path, struct core_conf *c, char **err);
/* Atomic save: parent dirs made 0700, PATH.tmp.XXXXXX (0600) written,
 * fsync'd and renamed over PATH (over a symlink's target when PATH is one).
 * -1 and *err when c->broken, when a value cannot be written (no uri, an
 * empty or duplicate group name, a control character, invalid UTF-8,
 * refresh out of range) or on I/O error. Written in the order: global keys,
 * [group] sections, [host] sections. */
int core_conf_save(const char *path, const struct core_conf *c, char **err);
/* 0 added (autoconnect yes), 1 when uri is already there, -1 when uri is
 * NULL or empty. name and group may be NULL. */
int core_conf_add_host(struct core_conf *c, const char *uri, const char *name, const char *group);
int core_conf_remove_host(struct core_conf *c, const char *uri); /* 0 removed, -1 not found */
struct core_conf_host *core_conf_find_host(const struct core_conf *c, const char *uri); /* NULL: none */
/* 0 added at the end, 1 when name is already there, -1 when name is NULL or
 * empty. */
int core_conf_add_group(struct core_conf *c, const char *name);
int core_conf_remove_group(struct core_conf *c, const char *name); /* 0 removed, -1 not found */
/* A group name typed by the user: 0, or -1 and *err ("Enter a group name",
 * "... control character", ...). Not empty, no blank at either end, no
 * control character, valid UTF-8, at most CORE_CONF_GROUP_MAX bytes.
 * Uniqueness is the caller's business. */
int core_conf_group_name_check(const char *name, char **err);
void core_conf_free(struct core_conf *c);
/* Two instances saving at once must not lose each other's changes: hold
 * this lock (PATH.lock next to the file, flock) around read-merge-write.
 * Waits up to 5 s; the fd, or -1 with *err. */
int core_conf_lock(const char *path, char **err);
void core_conf_unlock(int fd);  /* frees members, leaves c as core_conf_init() */
char *core_conf_default_path(void);        /* core_config_dir() + "/config" */

/* A line reader shared by the config and theme parsers: counts lines,
 * strips "\n" / "\r\n" and a UTF-8 BOM, rejects NUL bytes, control
 * characters other than tab, invalid UTF-8 and lines over max bytes. */
struct core_lines {
	FILE *f;
	const char *path; /* borrowed */
	int line;
	size_t max;
	char *buf;
};

/* 1 opened, 0 path does not exist, -1 other error (*err = "PATH: strerror"). */
int core_lines_open(struct core_lines *lr, const char *path, size_t max, char **err);
/* 1 and *line (in lr's buffer, writable until the next call), 0 at end of
 * file, -1 and *err ("PATH:LINE: ..." or "PATH: strerror"). */
int core_lines_next(struct core_lines *lr, char **line, char **err);
/* *err = "PATH:LINE: " + the message for lr's current line; returns -1. */
int core_lines_err(const struct core_lines *lr, char **err, const char *fmt, ...) CORE_PRINTF(3, 4);
void core_lines_close(struct core_lines *lr);

#endif
