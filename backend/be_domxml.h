/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_domxml.h - a new VM's domain XML, built with libxml2 (names
 * with < & " ' escaped by the library), and the virt-install command line
 * that makes the same VM. No libvirt types; no I/O; safe from any thread.
 *
 * What it writes (virt-install's choices where there are any):
 *   <domain type=virt_type> name, memory (KiB), vcpu, <metadata> with
 *   libosinfo's <libosinfo:os id=...> (namespace
 *   http://libosinfo.org/xmlns/libvirt/domain/1.0, as virt-install writes
 *   it); <os> hvm with arch and machine, firmware='efi' for UEFI (with the
 *   secure-boot / enrolled-keys firmware features, and SMM on, for Secure
 *   Boot), kernel/initrd/cmdline for direct kernel boot, <boot dev=> in the
 *   order of the install source (cdrom, network, hd); features acpi, apic;
 *   cpu host-passthrough for kvm; clock utc; the disks and CD-ROMs
 *   (file path or <source pool= volume=>, bus virtio (vdX) or sata (sdX),
 *   CD-ROMs read-only on sata); one interface (network, bridge, user or
 *   none; model virtio or e1000); a pty serial port and its console; the
 *   guest agent's virtio channel, always; a TPM 2.0 emulator (tpm-crb) when
 *   asked. */
#ifndef BACKEND_BE_DOMXML_H
#define BACKEND_BE_DOMXML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum be_dom_fw { BE_FW_BIOS = 0, BE_FW_UEFI };
enum be_dom_bus { BE_BUS_VIRTIO = 0, BE_BUS_SATA };
enum be_dom_dev { BE_DEV_DISK = 0, BE_DEV_CDROM };
enum be_dom_nic { BE_NIC_NONE = 0, BE_NIC_NETWORK, BE_NIC_BRIDGE, BE_NIC_USER };
enum be_dom_boot { BE_BOOT_HD = 0, BE_BOOT_CDROM, BE_BOOT_NETWORK };

typedef struct be_domdisk {
	int device;          /* enum be_dom_dev */
	const char *path;    /* a file on the host, or NULL with pool + vol */
	const char *pool;    /* <source pool= volume=> (type='volume') */
	const char *vol;
	const char *format;  /* driver type: "qcow2", "raw"; NULL: raw for
	                        CD-ROMs, qcow2 for disks */
	int bus;             /* enum be_dom_bus (CD-ROMs: always sata) */
	uint64_t new_size;   /* virt-install line only: a volume it creates
	                        (bytes, 0 = an existing one) */
} be_domdisk;

enum { BE_DOM_MAX_DISKS = 4 };

/* Every string is borrowed; NULL = absent. */
typedef struct be_domspec {
	const char *name;
	const char *virt_type;   /* "kvm" or "qemu" (NULL: kvm) */
	const char *arch;        /* NULL: x86_64 */
	const char *machine;     /* "q35", "pc-q35-7.2", NULL: the host's default */
	uint64_t memory;         /* bytes, >= 1 MiB */
	unsigned vcpus;          /* >= 1 */
	int firmware;            /* enum be_dom_fw */
	bool secure_boot;        /* UEFI only */
	bool tpm;                /* TPM 2.0, emulated (swtpm) */
	const char *os_id;       /* libosinfo's id ("http://debian.org/debian/11") */
	const char *os_short;    /* its short id for virt-install ("debian11") */
	be_domdisk disks[BE_DOM_MAX_DISKS];
	size_t ndisks;
	const char *kernel;      /* direct kernel boot: paths on the host */
	const char *initrd;
	const char *cmdline;
	int boot[3];             /* enum be_dom_boot, in order */
	size_t nboot;            /* 0: hd */
	int nic;                 /* enum be_dom_nic */
	const char *nic_source;  /* the network's or bridge's name */
	const char *nic_model;   /* "virtio", "e1000"; NULL: virtio */
	const char *mac;         /* NULL: libvirt picks one */
} be_domspec;

/* The domain XML; NULL with *err ("Name: may not be empty") when the spec
 * cannot make a VM. Caller frees. */
char *be_domxml_build(const be_domspec *s, char **err);

/* The same VM as a virt-install command line (one line, every argument
 * quoted for a POSIX shell where it needs to be). uri: --connect's value
 * (NULL: none). Caller frees. */
char *be_domxml_virt_install(const be_domspec *s, const char *uri);

/* A word quoted for a POSIX shell ('it'\''s'), as is when it is safe.
 * Caller frees. */
char *be_shell_quote(const char *word);

/* libvirt's rules for a VM's name: not empty, at most 200 bytes, no '/',
 * no control characters, not only blanks. 0, or -1 with *err. */
int be_domname_check(const char *name, char **err);

#endif
