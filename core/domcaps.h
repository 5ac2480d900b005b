/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/domcaps.h - what a host's hypervisor offers a new domain, from its
 * domain capabilities (virConnectGetDomainCapabilities, read once per
 * connection by the host's worker: backend/be_domcaps.c) and posted as
 * MD_MSG_DOMCAPS (.ext, ext_free core_domcaps_free_void); md_apply keeps it
 * in md_host.domcaps. No libvirt types; strings raw from libvirt. */
#ifndef CORE_DOMCAPS_H
#define CORE_DOMCAPS_H

#include <stdbool.h>
#include <stddef.h>

/* One virt type's answer (<domain>kvm</domain> or qemu). */
typedef struct core_domcaps_type {
	bool present;            /* the host answered for this virt type */
	char *machine;           /* the machine asked for, canonical: "pc-q35-7.2" */
	unsigned max_vcpus;      /* <vcpu max=...>, 0 = unknown */
	bool uefi;               /* firmware 'efi' offered, or a loader file listed */
	bool secure_boot;        /* <loader><enum name='secure'> has yes */
	char **loaders;          /* <loader><value>: firmware files (OVMF_CODE...) */
	size_t nloaders;
	bool tpm;                /* <tpm supported='yes'> with backendModel emulator (swtpm) */
	bool tpm_v2;             /* ... and backendVersion 2.0 (or none listed) */
	char **disk_buses;       /* <disk><enum name='bus'>: "virtio", "sata" ... */
	size_t ndisk_buses;
	char **video_models;     /* <video><enum name='modelType'> */
	size_t nvideo_models;
} core_domcaps_type;

typedef struct core_domcaps {
	char *arch;              /* "x86_64" */
	char *emulator;          /* "/usr/bin/qemu-system-x86_64" */
	core_domcaps_type kvm;   /* hardware virtualization */
	core_domcaps_type qemu;  /* TCG, software emulation */
	char *error;             /* why neither answered (raw), NULL = fine */
} core_domcaps;

void core_domcaps_type_clear(core_domcaps_type *t);
void core_domcaps_free(core_domcaps **c);
void core_domcaps_free_void(void *c);   /* md_msg.ext_free */
core_domcaps *core_domcaps_copy(const core_domcaps *c);
/* The virt type's answer to use: kvm when tcg is false and present, else
 * qemu when present, else kvm (NULL when neither answered). */
const core_domcaps_type *core_domcaps_pick(const core_domcaps *c, bool tcg);
bool core_strv_has(char *const *v, size_t n, const char *s);

#endif
