/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/domxml_matrix.h - the new VM choices the domain XML tests walk
 * (test_domxml.c on the test driver, test_domxml_real.c on a real libvirtd):
 * case i picks one value per axis, and the 48 cases meet every value of
 * every axis. Header-only: each test binary is built from one .c file. */
#ifndef TESTS_UNIT_DOMXML_MATRIX_H
#define TESTS_UNIT_DOMXML_MATRIX_H

#include "../../backend/be_domxml.h"

enum { MATRIX_N = 48 };
enum { SRC_ISO_FILE, SRC_ISO_POOL, SRC_PXE, SRC_KERNEL, SRC_IMPORT, SRC_CLOUD, SRC__N };

static be_domspec base_spec(const char *name)
{
	be_domspec s = { 0 };
	s.name = name;
	s.virt_type = "kvm";
	s.arch = "x86_64";
	s.machine = "q35";
	s.memory = 1ULL << 30;
	s.vcpus = 1;
	return s;
}

struct matrix_case {
	be_domspec s;
	int src, fw, nic;    /* fw: 0 BIOS, 1 UEFI, 2 UEFI + Secure Boot */
	bool disk, virtio, tpm;
	size_t ncd;          /* CD-ROMs */
};

static void matrix_case(int i, const char *name, struct matrix_case *c)
{
	static const int nics[] = { BE_NIC_NONE, BE_NIC_NETWORK, BE_NIC_BRIDGE, BE_NIC_USER };
	be_domspec s = base_spec(name);
	int src = i % SRC__N, fw = (i / SRC__N) % 3, nic = nics[i % 4];
	bool disk = (i / 2) % 2, virtio = (i / 3) % 2, tpm = (i / 4) % 2;
	int bus = virtio ? BE_BUS_VIRTIO : BE_BUS_SATA;
	size_t ncd = 0;
	s.firmware = fw ? BE_FW_UEFI : BE_FW_BIOS;
	s.secure_boot = fw == 2;
	s.tpm = tpm;
	s.virt_type = i % 5 == 0 ? "qemu" : "kvm";
	s.machine = fw == 2 || i % 2 ? "q35" : "pc";
	s.os_id = virtio ? "http://debian.org/debian/11" : "http://microsoft.com/win/11";
	s.os_short = virtio ? "debian11" : "win11";
	s.nic = nic;
	s.nic_source = nic == BE_NIC_NETWORK ? "default" : nic == BE_NIC_BRIDGE ? "br0" : NULL;
	s.nic_model = virtio ? "virtio" : "e1000";
	if (src == SRC_ISO_FILE || src == SRC_ISO_POOL) {
		be_domdisk *cd = &s.disks[s.ndisks++];
		cd->device = BE_DEV_CDROM;
		if (src == SRC_ISO_FILE)
			cd->path = "/var/lib/libvirt/images/debian-11.iso";
		else
			cd->pool = "isos", cd->vol = "debian 11 & <netinst>.iso";
		s.boot[s.nboot++] = BE_BOOT_CDROM;
		ncd++;
	}
	if (src == SRC_PXE)
		s.boot[s.nboot++] = BE_BOOT_NETWORK;
	if (src == SRC_KERNEL) {
		s.kernel = "/var/lib/vmmc/vmlinuz";
		s.initrd = "/var/lib/vmmc/initrd.gz";
		s.cmdline = "console=ttyS0 quiet";
	}
	if (disk || src == SRC_IMPORT || src == SRC_CLOUD) {
		be_domdisk *d = &s.disks[s.ndisks++];
		d->bus = bus;
		if (src == SRC_IMPORT || i % 3 == 0)
			d->pool = "default", d->vol = "vmmc-matrix.qcow2";
		else
			d->path = "/var/lib/libvirt/images/vmmc-matrix.qcow2", d->new_size = 20ULL << 30;
		s.boot[s.nboot++] = BE_BOOT_HD;
	}
	if (src == SRC_CLOUD) {
		be_domdisk *cd = &s.disks[s.ndisks++];
		cd->device = BE_DEV_CDROM;
		cd->path = "/var/lib/libvirt/images/vmmc-matrix-seed.iso";
		ncd++;
	}
	c->s = s;
	c->src = src, c->fw = fw, c->nic = nic;
	c->disk = disk, c->virtio = virtio, c->tpm = tpm;
	c->ncd = ncd;
}

#endif
