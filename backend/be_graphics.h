/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_graphics.h - a VM's graphical display (VNC, SPICE) and the way
 * to reach it from this machine.
 *
 * BE_OP_GRAPHICS_OPEN (uuid): on the host's worker, read the <graphics>
 * element of the VM's live XML (libxml2) and find where a viewer connects:
 *   - the local host: the display's own address (0.0.0.0 -> 127.0.0.1) or
 *     unix socket;
 *   - an ssh:// host: a private forward over the host's SSH session, on
 *     127.0.0.1 and a free port (remote/rm_ssh rm_ssh_forward_tcp), to the
 *     display's port (as the host sees it) or socket;
 *   - another remote libvirt URI (qemu+ssh:// ...): no forward; the viewer
 *     reaches the display itself (`virt-viewer --connect URI NAME`).
 * Answers MD_MSG_OP_RESULT: ok with .ext = be_graphics (below), or not ok
 * with the reason in .text. The XML is read without
 * VIR_DOMAIN_XML_SECURE: the display's password never reaches vmmc (the
 * viewer asks for it).
 * The forward lives until BE_OP_GRAPHICS_CLOSE (uuid, arg: a uint64_t *,
 * the OPEN job's seq; be_host_submit_arg, arg_free = free), the VM stops
 * or the host's session ends; then the worker posts MD_MSG_OP_RESULT with
 * op BE_OP_GRAPHICS_CLOSE and the OPEN job's seq (to the dialog that
 * asked), .text saying why. */
#ifndef BACKEND_BE_GRAPHICS_H
#define BACKEND_BE_GRAPHICS_H

#include <stdbool.h>

/* What the <graphics> element says (be_graphics_parse). */
typedef struct be_graphics_spec {
	char *type;      /* "vnc" or "spice" */
	char *listen;    /* the listen address, NULL when none or a socket */
	char *socket;    /* a unix socket path, NULL when none */
	int port;        /* > 0, or 0 when none (autoport before the start: -1 -> 0) */
	int tls_port;    /* SPICE tlsPort, 0 none */
	bool password;   /* a passwd attribute is there (its value is not kept) */
} be_graphics_spec;

/* The first VNC or SPICE display of a domain XML. 0, or -1 with *err (no
 * such display; not XML). */
int be_graphics_parse(const char *xml, be_graphics_spec *out, char **err);
void be_graphics_spec_clear(be_graphics_spec *g);

/* BE_OP_GRAPHICS_OPEN's answer (.ext, freed by .ext_free). */
typedef struct be_graphics {
	char *type;      /* "vnc" or "spice" */
	char *name;      /* the VM's name */
	char *addr;      /* where to connect from here: "127.0.0.1", a socket path, or NULL (remote URI) */
	int port;        /* 0 for a socket */
	bool tls;        /* port is SPICE's TLS port */
	bool forwarded;  /* addr:port is a private forward over SSH */
	bool password;   /* a password was in the XML read (never: it is read without SECURE) */
	char *remote;    /* the display as the host sees it: "127.0.0.1:5900" or a socket */
	char *via;       /* "root@host:22" for a forward, else NULL */
	char *uri;       /* remote libvirt URI when addr is NULL, else NULL */
} be_graphics;

void be_graphics_free(void *g); /* a be_graphics *, NULL is fine */

#endif
