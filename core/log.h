/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/log.h - the debug log (--log FILE, $VMMC_LOG): timestamped lines of
 * connections, jobs, timings and libvirt/libssh errors, for bug reports.
 * libc only; thread-safe (one write(2) per line, under a lock).
 *
 * Never pass a secret: callers log what happened (a method, a host, an
 * outcome), not what was typed. As a second line of defence every message
 * is masked before it is written: the password of a URI
 * (scheme://user:SECRET@host) and the value after "password=",
 * "passphrase=", "passwd=" and "secret=" become "***"; control characters
 * are escaped (\xNN), so a hostile name cannot forge a line. */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Open (append, create with mode 0600) the log at path. Refuses a symbolic
 * link (O_NOFOLLOW) and anything but a regular file. 0, or -1 with *err
 * ("cannot write the log FILE: why") for the caller to print and free.
 * Opening again closes the earlier log. */
int core_log_open(const char *path, char **err);
void core_log_close(void);
bool core_log_on(void);

/* One line: "2026-12-01T11:30:00.123Z [tid] AREA: message". AREA is a short
 * word ("host", "ssh", "job", "libvirt"). Does nothing when no log is open. */
void core_log(const char *area, const char *fmt, ...) CORE_PRINTF(2, 3);

/* The masking applied to every message, into buf (always terminated). */
void core_log_mask(const char *in, char *buf, size_t len);

#endif
