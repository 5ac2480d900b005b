/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_vmxml.h - Settings' changes (be_vmchange, be_devices.h)
 * applied to a domain XML that is not defined yet: the New VM wizard's
 * "Customize before install" opens Settings on its generated XML, and
 * what the user changes there goes into the XML Finish defines. No
 * libvirt, libxml2 only; no I/O.
 *
 * Per kind: MEMORY sets <currentMemory> (and <memory> when it is lower),
 * MAXMEM <memory> (<currentMemory> lowered to it), VCPUS <vcpu current=>
 * (<vcpu> raised when lower), MAXVCPUS <vcpu>; ATTACH appends be_dev_xml
 * of .dev (a disk without a target gets the first free one of its bus; a
 * new volume's creation is the caller's: be_vmchange_new_vols); UPDATE
 * replaces the device, DETACH removes it (the device found by kind and
 * target, MAC, or its XML); BOOT / FIRMWARE be_domxml_set_boot; BUS
 * be_domxml_set_disk_bus; TITLE / DESCRIPTION their elements (removed
 * when empty); DEFINE replaces the whole XML (a <domain> only). GROW and
 * AUTOSTART are refused: they need the defined VM. */
#ifndef BACKEND_BE_VMXML_H
#define BACKEND_BE_VMXML_H

#include <stddef.h>

#include "be_devices.h"

/* xml with ch's changes applied in order; NULL with *err naming the field
 * of the first that fails ("Size: grow the disk once the VM exists").
 * Caller frees. */
char *be_vmchange_apply_xml(const char *xml, const be_vmchange *ch, char **err);
/* Move every change of *src to the end of dst; *src freed and NULLed. */
void be_vmchange_move(be_vmchange *dst, be_vmchange **src);
/* The ATTACH changes of ch that create a volume (.dev.new_size > 0), in
 * order: pointers into ch (borrowed), caller frees the vector. */
const be_device **be_vmchange_new_vols(const be_vmchange *ch, size_t *n);

#endif
