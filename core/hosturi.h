/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/hosturi.h - the URI of a host reached over SSH: built from the Add
 * Host dialog's fields and checked field by field, and parsed for the
 * backend (backend/be_ssh.c). libc only.
 *
 * Grammar:
 *
 *   ssh://[user@]host[:port][/system|/session][?driver=NAME&socket=PATH]
 *
 * host is a name, an address or an ~/.ssh/config alias; an IPv6 address
 * goes in brackets ("[2001:db8::1]"). The built URI always has the path
 * (/system or /session); ":port" is left out when no port is given and
 * "?driver=" when the driver is qemu (the default). */
#ifndef CORE_HOSTURI_H
#define CORE_HOSTURI_H

#include <stdbool.h>

/* The URI for these fields, or NULL and *err (one sentence naming the
 * field: "Enter the host: ...", "The port must be a number from 1 to
 * 65535", ...). user, port and driver may be NULL or "" (not given; driver
 * then qemu). Values are taken as they are: the caller trims them. */
char *core_ssh_uri_build(const char *user, const char *host, const char *port, bool session,
			 const char *driver, char **err);

/* The checks core_ssh_uri_build makes, one field each: 0, or -1 and *err. */
int core_ssh_host_check(const char *host, char **err);
int core_ssh_user_check(const char *user, char **err);   /* NULL / "" is fine */
int core_ssh_port_check(const char *port, int *out, char **err); /* NULL / "": *out = 0 */
int core_ssh_driver_check(const char *driver, char **err); /* NULL / "" is fine */

/* A VMware URI (libvirt's esx driver) from the Add Host fields: vcenter
 * false: esx://[user@]host[:port]/, true: vpx://[user@]host[:port]/PATH
 * (PATH: the datacenter and compute resource, e.g. "dc1/cluster1/esx1";
 * needed for vCenter). no_verify adds ?no_verify=1 (skips the server
 * certificate check). The user is percent-encoded (administrator@vsphere.local
 * has an '@'), path segments too; the host is checked as for ssh://.
 * NULL and *err naming the field. */
char *core_esx_uri_build(bool vcenter, const char *user, const char *host, const char *port,
			 const char *path, bool no_verify, char **err);

/* What an ssh:// URI names. */
struct core_ssh_target {
	char *user;            /* NULL: ssh_config's, else the local user */
	char *host;            /* a name, an address or an ssh_config alias */
	int port;              /* 0: ssh_config's, else 22 */
	bool session;          /* the remote user's session daemon */
	char *driver;          /* "qemu" unless given */
	char *socket;          /* the remote daemon's socket; NULL: look for it */
};

bool core_uri_is_ssh(const char *uri); /* it starts with "ssh://" */
/* Parse an ssh:// URI: 0 and *out, or -1 and *err. */
int core_ssh_uri_parse(const char *uri, struct core_ssh_target **out, char **err);
void core_ssh_target_free(struct core_ssh_target **t);

#endif
