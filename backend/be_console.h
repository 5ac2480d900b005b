/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_console.h - guest serial consoles, with no libvirt types.
 *
 * A console is opened by a job in the host's worker (virDomainOpenConsole
 * on a non-blocking virStream); from then on the stream is driven by
 * libvirt's event-loop thread: guest output is read in the READABLE
 * callback and handed to the UI as MD_MSG_CONSOLE messages (payload
 * be_console_ev in md_msg.ext, md_msg.uuid = the VM); keys are queued by
 * be_console_write and sent from the event loop, with WRITABLE interest
 * only while bytes wait. When the stream ends while the VM still runs (a
 * guest reboot that restarted QEMU), the worker reopens it by itself and
 * says so (OPENED with reopened set). Nothing here blocks the caller and no
 * function calls libvirt on the caller's thread: all are safe on the UI
 * thread. Guest bytes are untrusted: they are never interpreted here. */
#ifndef BACKEND_BE_CONSOLE_H
#define BACKEND_BE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "be.h"

/* be_console_open flags */
enum {
	BE_CONSOLE_FORCE = 1, /* take the console over from another client */
	BE_CONSOLE_SAFE = 2,  /* refuse when the driver cannot guarantee exclusive access */
};

enum be_console_kind {
	BE_CONSOLE_OPENED = 1, /* dev: the device opened; reopened: after a break */
	BE_CONSOLE_DATA,       /* data/len: raw guest output (untrusted) */
	BE_CONSOLE_MARK,       /* text: a break to mark in the scrollback (guest reset) */
	BE_CONSOLE_PICK,       /* devs: the VM has several: open again naming one; id is gone */
	BE_CONSOLE_CLOSED,     /* reason, text; id is gone */
};

enum be_console_reason {
	BE_CONSOLE_R_USER = 0,  /* be_console_close */
	BE_CONSOLE_R_STOPPED,   /* the VM is not running (or stopped while connected) */
	BE_CONSOLE_R_NO_DEVICE, /* no usable serial/console device; text says what to add */
	BE_CONSOLE_R_BUSY,      /* another client holds it: open again with BE_CONSOLE_FORCE */
	BE_CONSOLE_R_UNSAFE,    /* BE_CONSOLE_SAFE and the driver cannot guarantee it */
	BE_CONSOLE_R_CONN_LOST, /* the connection to the host went away */
	BE_CONSOLE_R_ERROR,     /* anything else; text */
};

struct be_console_dev {
	char *alias; /* "serial0", "console1": what be_console_open takes */
	char *desc;  /* "serial0: serial port 0 (pty)" (raw: sanitize to draw) */
};

typedef struct be_console_ev {
	int id;
	int kind;               /* enum be_console_kind */
	int reason;             /* CLOSED: enum be_console_reason */
	bool reopened;          /* OPENED: after the stream broke (guest restart, reconnect) */
	char *text;             /* CLOSED, MARK: raw */
	char *dev;              /* OPENED: device alias, raw */
	char *data;             /* DATA */
	size_t len;
	struct be_console_dev *devs; /* PICK */
	size_t ndevs;
} be_console_ev;

/* Open the console of VM uuid on host h: dev is a device alias (NULL: the
 * only one; several give PICK). Returns the console's id (> 0) at once;
 * OPENED or CLOSED follows. Keys written before OPENED are sent on open. */
int be_console_open(be_host *h, const char *uuid, const char *dev, unsigned flags);
/* Queue bytes for the guest. 0, or -1 when id is not open (or opening). */
int be_console_write(int id, const void *buf, size_t len);
/* Close (virStreamFinish) in the host's worker; no more messages for id
 * except CLOSED with BE_CONSOLE_R_USER. Unknown ids are ignored. */
void be_console_close(int id);
/* Consoles not yet closed (for tests). */
size_t be_console_count(void);

void be_console_ev_free(void *ev); /* md_msg.ext_free */

/* The usable (pty) serial and console devices of a domain XML, first is
 * the default. 0 (*n may be 0) or -1 with *err when the XML is not a
 * domain. *why (may be NULL) says, when *n is 0, what is there instead. */
int be_console_parse_devices(const char *xml, struct be_console_dev **devs, size_t *n, char **why,
			     char **err);
void be_console_devs_free(struct be_console_dev **devs, size_t *n);

#endif
