/* core/hosturi.h - the URI of a host reached over SSH, built from the Add
 * Host dialog's fields and checked field by field. libc only.
 *
 * Grammar (backend/be_ssh.c parses it):
 *
 *   ssh://[user@]host[:port][/system|/session][?driver=NAME]
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

#endif
