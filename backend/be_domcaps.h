/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_domcaps.h - a host's domain capabilities (core/domcaps.h),
 * read with virConnectGetDomainCapabilities for virt types kvm and qemu,
 * machine q35 (Secure Boot needs it: SMM) else the emulator's default,
 * parsed with libxml2. The host's worker reads them once per connection,
 * after the first lists, and posts MD_MSG_DOMCAPS. */
#ifndef BACKEND_BE_DOMCAPS_H
#define BACKEND_BE_DOMCAPS_H

#include <libvirt/libvirt.h>

#include "../core/domcaps.h"

/* Parse one <domainCapabilities> document into c: the virt type it names
 * (<domain>) fills c->kvm or c->qemu; arch and emulator when c has none.
 * -1 with *err when it is not domain capabilities XML. */
int be_domcaps_parse(const char *xml, core_domcaps *c, char **err);
/* Ask conn for both virt types (4 calls at most); never NULL: error says
 * why when neither answered. */
core_domcaps *be_domcaps_read(virConnectPtr conn);

#endif
