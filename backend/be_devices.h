/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_devices.h - one VM's hardware (VM Settings): read, and changed
 * live and/or for the next boot. No libvirt types; no curses.
 *
 * ---- Reading ---------------------------------------------------------------
 * BE_OP_VM_DETAILS (uuid = the VM, no arg) reads the VM's live XML and,
 * when it runs, its inactive XML: with no lookup (the domains of the host's
 * last list are kept, and those Settings looked up, until the host closes
 * its connection (be_devices_host_closing), the VM is gone or renamed):
 * 1 round trip shut off, 2 running, the first open too. It answers, with
 * the job's .seq:
 *   1. MD_MSG_VM_DETAILS: .ext = be_vmconf (below), .ext_free =
 *      be_vmconf_free_void (take it: set .ext NULL); .uuid the VM's;
 *      .ok false and .text the reason when it could not be read (a VM
 *      deleted meanwhile says "... no longer exists": .count = 1 then).
 *   2. MD_MSG_OP_RESULT (.text NULL on success).
 * be_vmconf_parse() does the same parse without libvirt (fixtures, tests).
 *
 * The model: identity (name, uuid, title, description, autostart, state),
 * firmware (bios/efi, secure boot), the <os><boot dev=> order, memory and
 * vCPUs current/maximum (the live values when running, and the next-boot
 * ones), and devices of every kind in document order: disks, CD/DVD
 * drives, NICs, serial ports, consoles, channels (the guest agent's is
 * org.qemu.guest_agent.0), video, RNG, watchdog, TPM, and any other
 * element of <devices> as BE_DEVK_OTHER. Each device keeps its element's
 * XML (.xml, from the inactive definition when it has one, else the live
 * one) so that an update changes only the fields the caller set.
 *
 * Pending: a device whose live and inactive forms differ (a field the model
 * holds), or that is in only one of them (.in_live / .in_config), and the
 * memory, vCPUs, boot order, firmware whose live and next-boot values
 * differ; shut-off VMs have nothing pending.
 *
 * ---- Changing --------------------------------------------------------------
 * BE_OP_VM_CHANGE (uuid = the VM, arg = be_vmchange made with
 * be_vmchange_new / be_vmchange_add, freed with be_vmchange_free_void)
 * applies its changes in order, one libvirt call per change (plus a volume
 * create/delete where asked), and stops at the first that fails. With the
 * caller's view of the VM (be_vmchange_know: its limits and its XML,
 * copied) an Apply makes no lookup and no read but its changes: the XML
 * copies are patched with what went through (be_vmxml_after) and sent
 * back; only a side libvirt fills in (a device attached, a define) is read
 * back, once per Apply. A NIC update whose device's live and inactive
 * forms differ is sent live with the live element and only the changed
 * fields (be_dev_xml_in), then for the next boot. Answers:
 *   1. MD_MSG_OP_RESULT: .ok; .text says each change done ("Memory:
 *      512 MiB now and at next boot"), "; " between them, then the failing
 *      one's reason, the field first ("Memory: 8 GiB is above the maximum
 *      (4 GiB)").
 *   2. MD_MSG_VM_PATCH with the VM list row's fields the changes set
 *      (memory, processors, autostart: no re-read), then MD_MSG_VM_DETAILS
 *      with the same .seq (after a failure: read afresh, then the row's
 *      MD_MSG_VM_UPDATE; the agent channel's row is read again; a define's
 *      row comes with its lifecycle event).
 * .when (BE_WHEN_*) says where a change goes: NOW = the running VM (LIVE),
 * BOOT = the persistent definition (CONFIG). be_vmchange_add() with
 * BE_WHEN_AUTO picks: both when the VM runs and the change can be live,
 * else BOOT. Per kind (libvirt call):
 *   BE_CHG_MEMORY    .value bytes   virDomainSetMemoryFlags; refused above
 *                                   the maximum or the host's memory
 *   BE_CHG_MAXMEM    .value bytes   virDomainSetMemoryFlags(MAXIMUM|CONFIG)
 *   BE_CHG_VCPUS     .value         virDomainSetVcpusFlags; refused above max
 *   BE_CHG_MAXVCPUS  .value         virDomainSetVcpusFlags(MAXIMUM|CONFIG)
 *   BE_CHG_ATTACH    .dev           virDomainAttachDeviceFlags (.dev built by
 *                                   be_dev_xml); a disk with .new_size > 0
 *                                   first creates volume .dev.vol in pool
 *                                   .dev.pool (format .dev.format), removed
 *                                   again when the attach fails; a NIC MAC
 *                                   used by another VM of the host is refused;
 *                                   next boot only and refused by libvirt as
 *                                   unsupported (a TPM): a define with the
 *                                   device added (be_domxml_add_device)
 *   BE_CHG_UPDATE    .dev           virDomainUpdateDeviceFlags (CD media,
 *                                   NIC link / source / source type network
 *                                   or bridge: a NIC update libvirt cannot
 *                                   do live (unsupported) goes to the next
 *                                   boot only, and the answer says why)
 *   BE_CHG_DETACH    .dev           virDomainDetachDeviceFlags; disks with
 *                                   .delete_volume: the volume is deleted
 *                                   after, refused before anything when
 *                                   another VM uses it
 *   BE_CHG_BOOT      .boot          virDomainDefineXML of the inactive XML
 *                                   with the new <os><boot> order
 *   BE_CHG_FIRMWARE  .text "bios"/"efi"  define; refused while running
 *   BE_CHG_GROW      .dev (a disk), .value bytes: virDomainBlockResize
 *                                   when it runs, else virStorageVolResize
 *                                   of its volume; refused unless larger
 *   BE_CHG_BUS       .dev.target, .text = "virtio" / "sata" / "scsi" / "ide":
 *                                   define of the inactive XML with the disk
 *                                   on that bus (be_domxml_set_disk_bus);
 *                                   next boot
 *   BE_CHG_TITLE / BE_CHG_DESCRIPTION .text  virDomainSetMetadata
 *   BE_CHG_AUTOSTART .value 0/1     virDomainSetAutostart
 *   BE_CHG_MAC       .dev (the NIC, its MAC now), .text = the new MAC:
 *                                   define of the inactive XML with it
 *                                   (be_domxml_set_nic_mac); refused while
 *                                   the VM runs (libvirt changes no MAC
 *                                   live), malformed, or used by a VM of the
 *                                   host
 *   BE_CHG_DEFINE    .text = domain XML  virDomainDefineXML (Edit XML);
 *                                   refused without a <uuid> or with another
 *                                   VM's; graphics passwords kept
 *                                   (be_domxml_keep_secrets)
 * Strings in the structs are the structs' own (malloc'd). */
#ifndef BACKEND_BE_DEVICES_H
#define BACKEND_BE_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum be_devk {
	BE_DEVK_DISK = 0,
	BE_DEVK_CDROM,     /* <disk device='cdrom'> (and floppy) */
	BE_DEVK_NIC,
	BE_DEVK_SERIAL,
	BE_DEVK_CONSOLE,
	BE_DEVK_CHANNEL,
	BE_DEVK_VIDEO,
	BE_DEVK_RNG,
	BE_DEVK_WATCHDOG,
	BE_DEVK_TPM,
	BE_DEVK_OTHER,     /* controllers, input, graphics ...: .xml only */
	BE_DEVK__COUNT
};
const char *be_devk_name(int kind); /* "Disk", "CD/DVD drive", ... */

/* The agent channel's target name. */
#define BE_AGENT_CHANNEL "org.qemu.guest_agent.0"

typedef struct be_device {
	int kind;          /* enum be_devk */
	char *xml;         /* the element as defined (NULL: build from fields) */
	char *elem;        /* element name ("disk", "interface", "hostdev" ...) */
	char *alias;       /* live <alias name=>, NULL when not running */
	/* disk, cdrom */
	char *target;      /* "vda", "sda" */
	char *bus;         /* "virtio", "sata", "scsi", "ide" */
	char *source;      /* file or block device path; cdrom: NULL = empty */
	char *pool, *vol;  /* <source pool= volume=> */
	char *format;      /* driver type "qcow2", "raw" */
	bool readonly;
	uint64_t new_size; /* ATTACH: create the volume first (bytes) */
	bool delete_volume; /* DETACH: also delete the volume (pool/vol or path) */
	/* nic */
	char *mac;
	char *model;       /* "virtio", "e1000" */
	char *net_type;    /* "network", "bridge", "user", "direct" */
	char *net_source;  /* network or bridge name */
	bool link_down;
	char *ifname;      /* live target dev ("vnet3") */
	/* serial, console, channel */
	char *chr_type;    /* "pty", "unix" */
	char *tgt_type;    /* "isa-serial", "serial", "virtio" */
	char *tgt_name;    /* channel: "org.qemu.guest_agent.0" */
	int port;          /* serial/console target port, -1 none */
	char *pty;         /* live pty path ("/dev/pts/3") */
	char *state;       /* channel: "connected" / "disconnected" (live) */
	/* video, rng, watchdog, tpm: model (video type / rng backend model /
	 * watchdog model / tpm model) and a detail (vram KiB, backend source,
	 * action, backend version) */
	char *detail;
	int boot_order;    /* per-device <boot order=>, 0 none */
	/* live vs config */
	bool in_live, in_config;
	bool pending;      /* differs between live and config (running VM) */
	/* ATTACH of a cdrom in pool/vol not made yet (Customize before install):
	 * the local file the New VM wizard uploads as that volume at Finish */
	char *upload_from;
} be_device;

typedef struct be_vmconf {
	char *uuid, *name, *title, *description;
	bool active;       /* running (or paused): live XML read */
	bool persistent;
	bool autostart;    /* not read by BE_OP_VM_DETAILS: md_vm.autostart has it */
	char *firmware;    /* "bios" or "efi" (next boot) */
	bool secure_boot;
	char *arch, *machine, *virt_type;
	char *kernel;      /* direct kernel boot, NULL none */
	char **boot;       /* next boot's <os><boot dev=>: "hd", "cdrom", "network" */
	size_t nboot;
	/* bytes / counts; live = running values (0 when shut off) */
	uint64_t mem, maxmem, live_mem, live_maxmem;
	unsigned vcpus, maxvcpus, live_vcpus, live_maxvcpus;
	bool pending_mem, pending_vcpus, pending_boot, pending_fw, pending_other;
	be_device *devs;
	size_t ndevs;
	char *live_xml;    /* NULL when shut off */
	char *config_xml;  /* the inactive definition */
} be_vmconf;

/* Parse (no I/O): live_xml may be NULL (shut off); config_xml may be NULL
 * (a transient VM: then the live one is both). NULL with *err when neither
 * is a domain. Caller frees with be_vmconf_free. */
be_vmconf *be_vmconf_parse(const char *live_xml, const char *config_xml, char **err);
void be_vmconf_free(be_vmconf **c);
void be_vmconf_free_void(void *c);
/* c with the running VM's balloon at kib (a balloon event: its live
 * current memory), NULL when that is what c has (or c is shut off). */
be_vmconf *be_vmconf_balloon(const be_vmconf *c, uint64_t kib);
/* Any pending item (for the list's mark and "restart to apply"). */
bool be_vmconf_pending(const be_vmconf *c);
/* The device the guest agent talks on, NULL when none. */
const be_device *be_vmconf_agent(const be_vmconf *c);
/* Index of the first device of kind (n-th: nth), -1 when none. */
int be_vmconf_find(const be_vmconf *c, int kind, int nth);
/* A free target name for a new disk on bus ("vdb", "sdc"); caller frees. */
char *be_vmconf_free_target(const be_vmconf *c, const char *bus);

void be_device_clear(be_device *d);
void be_device_copy(be_device *dst, const be_device *src); /* deep */

/* The device element's XML, with libxml2: d->xml with the fields set in d
 * applied (source, media, link, model, bus, MAC ...), or a new element from
 * the fields when d->xml is NULL: a disk (file or pool/volume, qcow2 by
 * default, bus virtio), a CD/DVD drive (sata, read-only, empty when no
 * source), a NIC (network "default" when no source, model virtio), a pty
 * serial port, a pty console, the guest agent's unix/virtio channel, an
 * emulated TPM (tpm-crb, 2.0: .model / .detail change them). NULL
 * with *err ("MAC: 52:54:zz:... is not a MAC address"). Caller frees. */
char *be_dev_xml(const be_device *d, char **err);
/* The domain XML xml with its <os><boot> order replaced by boot[] (and
 * per-device boot orders removed: libvirt refuses both), or firmware set
 * (fw NULL: unchanged; "bios": attribute removed). NULL with *err. */
char *be_domxml_set_boot(const char *xml, char *const *boot, size_t nboot, const char *fw,
			 char **err);
/* The domain XML with the device element dev_xml appended to <devices>
 * (a next-boot attach libvirt does not do itself: a TPM). NULL with *err. */
char *be_domxml_add_device(const char *xml, const char *dev_xml, char **err);
/* The domain XML with disk target moved to bus (its new target the first
 * free name of the bus: vdX, sdX, hdX; its <address> dropped for libvirt to
 * give a new one). NULL with *err. (Integration Services: "switch a disk to
 * virtio".) */
char *be_domxml_set_disk_bus(const char *xml, const char *target, const char *bus, char **err);
/* The domain XML with the NIC whose MAC is old (NULL: the first without
 * one) given MAC mac (checked, lower-cased). NULL with *err. */
char *be_domxml_set_nic_mac(const char *xml, const char *old, const char *mac, char **err);
/* Edit XML: the <graphics passwd=> of secure_xml (the inactive XML read
 * with VIR_DOMAIN_XML_SECURE) put back into the same graphics (n-th of its
 * type) of edited where it has none: the editor never sees a password, and
 * the define must not drop it. NULL when nothing was copied. */
char *be_domxml_keep_secrets(const char *edited, const char *secure_xml);
/* Device d's element as it stands in the domain XML dom_xml (matched:
 * NICs by MAC, else alias; disks and CD/DVD drives by target) with the
 * fields changed on d (those that differ from d->xml's: network, model,
 * link, media) set: the live side of an update where the live element
 * differs from the inactive one (a NIC model pending for the next boot
 * stays pending). NULL when dom_xml has no such device (or *err). */
char *be_dev_xml_in(const char *dom_xml, const be_device *d, char **err);
/* "52:54:00:12:ab:CD" -> 0 when a unicast MAC (lowercased into out[18]). */
int be_mac_check(const char *mac, char out[18], char **err);

/* ---- changes ------------------------------------------------------------- */

enum be_chg_kind {
	BE_CHG_MEMORY = 1,
	BE_CHG_MAXMEM,
	BE_CHG_VCPUS,
	BE_CHG_MAXVCPUS,
	BE_CHG_ATTACH,
	BE_CHG_UPDATE,
	BE_CHG_DETACH,
	BE_CHG_BOOT,
	BE_CHG_FIRMWARE,
	BE_CHG_TITLE,
	BE_CHG_DESCRIPTION,
	BE_CHG_AUTOSTART,
	BE_CHG_DEFINE,
	BE_CHG_GROW,
	BE_CHG_BUS,
	BE_CHG_MAC,
};

enum { BE_WHEN_AUTO = 0, BE_WHEN_NOW = 1, BE_WHEN_BOOT = 2 };

typedef struct be_vmchg {
	int kind;          /* enum be_chg_kind */
	unsigned when;     /* BE_WHEN_NOW | BE_WHEN_BOOT */
	uint64_t value;
	char *text;
	char **boot;
	size_t nboot;
	be_device dev;
} be_vmchg;

typedef struct be_vmchange {
	int tag;           /* BE_VMCHANGE_TAG */
	be_vmchg *v;
	size_t n;
	/* The caller's view of the VM from its last details read
	 * (be_vmchange_know): the job then reads no state and no limits of
	 * its own (libvirt still refuses what no longer fits). */
	bool known;
	bool active, persistent;
	uint64_t maxmem, live_maxmem;      /* bytes */
	unsigned maxvcpus, live_maxvcpus;
	/* ... and its XML (copies): the job patches them with what it
	 * applied (be_vmxml_after) and answers with them, reading back only
	 * what it cannot know; NULL: shut off / transient */
	char *live_xml, *config_xml;
	uint64_t host_mem_kib;             /* the host's memory when known (0: read) */
} be_vmchange;
enum { BE_VMCHANGE_TAG = 0x5e77 };

be_vmchange *be_vmchange_new(void);
/* Append a change (zeroed but for kind and when) and return it to fill in.
 * BE_WHEN_AUTO is resolved here from c: running VM and a kind that can be
 * live -> NOW|BOOT, else BOOT (c NULL: BOOT). */
be_vmchg *be_vmchange_add(be_vmchange *ch, int kind, unsigned when, const be_vmconf *c);
void be_vmchange_free_void(void *ch);
/* ch's known view of the VM (above) from c (copied: c stays the caller's). */
void be_vmchange_know(be_vmchange *ch, const be_vmconf *c);
/* After change g went through: the live (NULL when shut off) and the
 * inactive XML copies patched to what libvirt now holds where that is
 * known without asking (memory, maximum memory, vCPUs, maximum vCPUs,
 * title, description, autostart, a grown disk, a device updated or
 * removed); returns the sides in g->when it could not patch (BE_SIDE_*:
 * read them back): a device attached (libvirt gives it an alias, an
 * address, a MAC), a define. */
enum { BE_SIDE_LIVE = 1, BE_SIDE_CFG = 2 };
unsigned be_vmxml_after(char **live, char **cfg, const be_vmchg *g);
/* "now", "at next boot", "now and at next boot" */
const char *be_when_text(unsigned when);

/* The VM has a <controller type=type> (live: in the running VM). A running
 * VM's new CD/DVD drive can only be hot-plugged on a SCSI controller (with
 * an ISO in it: libvirt 9.0 hot-plugs no empty drive); SATA and IDE say
 * "does not support hotplugging". */
bool be_vmconf_has_controller(const be_vmconf *c, const char *type, bool live);

#endif
