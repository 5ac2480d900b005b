/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wizards/newvm.h - the New Virtual Machine wizard's state machine: the
 * user's choices, what the host offers (a snapshot copied from the model:
 * no round trip between pages), validation per field (the error goes
 * beside the field it names), the page order (next() skips pages that do
 * not apply), the domain XML and virt-install line (backend/be_domxml.h)
 * and the steps Finish runs. No curses, no libvirt: tui/ draws it, main
 * wires it; unit-tested on its own (tests/unit/test_newvm.c).
 *
 * Pages: Name and host, Installation source, Operating system, Firmware
 * and machine, Memory and processors, Network, Storage, Summary.
 *   - Firmware is skipped when the host offers nothing to choose (no UEFI
 *     firmware and no KVM);
 *   - Storage is skipped when the source brings the disk (import).
 * Text values (memory "2G", vCPUs "2", disk size "20G") are parsed when
 * checked, so a field shows its error as it is typed. */
#ifndef WIZARDS_NEWVM_H
#define WIZARDS_NEWVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../backend/be_devices.h"
#include "../backend/be_domxml.h"
#include "../backend/be_osinfo.h"
#include "../core/model.h"
#include "../core/wizard.h"

enum wz_page {
	WZ_PAGE_NAME = 0,
	WZ_PAGE_SOURCE,
	WZ_PAGE_OS,
	WZ_PAGE_FIRMWARE,
	WZ_PAGE_MEMORY,
	WZ_PAGE_NETWORK,
	WZ_PAGE_STORAGE,
	WZ_PAGE_SUMMARY,
	WZ_PAGE__N
};
const char *wz_page_title(int page);

enum wz_source {
	WZ_SRC_ISO_POOL = 0, /* an ISO volume already in a pool of the host */
	WZ_SRC_ISO_LOCAL,    /* an ISO file here, uploaded into a pool */
	WZ_SRC_IMPORT,       /* an existing disk volume becomes the VM's disk */
	WZ_SRC_PXE,          /* network boot */
	WZ_SRC_KERNEL,       /* direct kernel boot: kernel, initrd, command line */
	WZ_SRC_CLOUD,        /* a cloud image copied into the new disk + a cloud-init seed */
	WZ_SRC__N
};
const char *wz_source_label(int src);

enum wz_disk { WZ_DISK_NEW = 0, WZ_DISK_EXISTING, WZ_DISK_NONE };

/* What the host offers the wizard: copied from the model (md_host) and
 * the host's domain capabilities. */
typedef struct wz_caps {
	bool known;              /* filled from the host's domain capabilities */
	bool kvm;                /* <domain type='kvm'> is offered there */
	bool kvm_default;        /* KVM is the default accelerator (else TCG) */
	bool no_tcg;             /* <domain type='qemu'> is not offered */
	char *arch;              /* "x86_64" (NULL: x86_64) */
	char *machine;           /* the default machine, "pc-q35-7.2" (NULL: libvirt's) */
	bool uefi;               /* UEFI firmware installed */
	bool secure_boot;        /* ... with Secure Boot */
	bool tpm;                /* an emulated TPM (swtpm) */
	uint64_t mem_bytes;      /* the host's memory, 0 = unknown */
	unsigned cpus;           /* the host's CPUs, 0 = unknown */
	unsigned max_vcpus;      /* the lower of kvm's and qemu's limits; 0 = unknown */
} wz_caps;

/* The wizard's view of a host's domain capabilities (md_host.domcaps):
 * known, KVM and TCG offered, the machine (q35 when the host has it),
 * UEFI / Secure Boot / TPM (from the default accelerator's answer: the
 * same firmware and swtpm serve both), max vCPUs. dc NULL: not known.
 * The default accelerator is TCG even where KVM is offered: a host can
 * advertise KVM whose guests never run (nested virtualization; measured
 * on the test machine, TESTBED.md), while TCG always runs. KVM is one key
 * away on the Firmware page; VMMC_ACCEL=kvm in the environment makes it
 * the default (VMMC_ACCEL=tcg, or anything else: TCG). A host without
 * TCG defaults to KVM. The caller frees with wz_caps_clear. */
void wz_caps_from_domcaps(wz_caps *out, const core_domcaps *dc);
void wz_caps_clear(wz_caps *c);

typedef struct wz_host {
	int id;
	char *label, *uri;
	bool connected;
	bool local;              /* this machine: host paths can be checked here */
	char **vms;              /* names of its VMs */
	size_t nvms;
	md_pool *pools;          /* copies, with their volumes */
	size_t npools;
	md_net *nets;
	size_t nnets;
	wz_caps caps;
} wz_host;

/* The user's choices (owned strings, NULL = empty). The UI writes them,
 * then calls wz_newvm_check for the page. */
typedef struct wz_choices {
	char *name;
	int source;                      /* enum wz_source */
	char *iso_pool, *iso_vol;        /* ISO_POOL: pool and volume names */
	char *local_iso;                 /* ISO_LOCAL: a file on this machine */
	char *upload_pool;               /* ISO_LOCAL: the pool it is uploaded to */
	char *import_pool, *import_vol;  /* IMPORT */
	char *kernel, *initrd, *cmdline; /* KERNEL: paths on the host */
	char *os;                        /* libosinfo short id; NULL = generic */
	char *os_query;                  /* the OS page's search words */
	bool os_by_user;                 /* picked by hand: detection leaves it */
	int firmware;                    /* enum be_dom_fw */
	bool secure_boot, tpm;
	bool tcg;                        /* software emulation instead of KVM */
	char *memory;                    /* "2G", "2048 MiB" */
	char *vcpus;                     /* "2" */
	int nic;                         /* enum be_dom_nic */
	char *nic_source;                /* network or bridge name */
	int disk;                        /* enum wz_disk */
	char *disk_pool, *disk_size;     /* NEW: pool name, "20G" */
	char *disk_format;               /* NEW: "qcow2" (NULL) or "raw" */
	char *disk_vol_pool, *disk_vol;  /* EXISTING */
	bool start, console;             /* after Finish (both default on) */
	/* what the user typed over (defaults from the OS no longer apply) */
	bool memory_by_user, vcpus_by_user, size_by_user, firmware_by_user;
	/* CLOUD: a cloud image (a local qcow2/raw file, or a pool's volume)
	 * copied into the new disk volume (disk_pool, disk_size: grown to it),
	 * and a cloud-init NoCloud seed (backend/be_seed.h) as a CD-ROM */
	int cloud_from;                  /* 0 a local file, 1 a volume in a pool */
	char *cloud_local;               /* the local image file */
	char *cloud_pool, *cloud_vol;    /* the pooled image */
	char *ci_hostname;               /* NULL: the VM's name */
	char *ci_user;                   /* NULL: no user (the image's default) */
	char *ci_password;               /* clear text in memory only: hashed into the seed, wiped */
	char **ci_keys;                  /* the user's public keys offered */
	bool *ci_key_on;                 /* each one's check box */
	size_t nci_keys;
	bool ci_keys_known;              /* the list came (be_ssh_keys_start) */
	/* ISO_LOCAL: a volume of upload_pool with the file's size and SHA-256
	 * (backend/be_reuse.h): used as it is, nothing uploaded */
	char *reuse_pool, *reuse_vol, *reuse_for; /* pool, volume, for which file */
	/* KERNEL: kernel and initrd are files here, uploaded into upload_pool
	 * as NAME-kernel / NAME-initrd (default for a remote host) */
	bool kernel_upload;
} wz_choices;

typedef struct wz_newvm wz_newvm;

/* A new wizard for host h (copied) and the OS database (may be NULL
 * until loaded: wz_newvm_set_osinfo). Defaults: source ISO in a pool,
 * generic OS, 1 GiB, 1 vCPU, the host's "default" network (else the first
 * active one, else user networking), a new qcow2 disk in the pool named
 * "default" (else the first active one), start and console on. */
wz_newvm *wz_newvm_new(const md_host *h, const wz_caps *caps, const be_osinfo *db);
void wz_newvm_free(wz_newvm **w);
/* The model changed, or another host was picked: take a new snapshot
 * (choices stay; checks see the new data). */
void wz_newvm_set_host(wz_newvm *w, const md_host *h, const wz_caps *caps);
void wz_newvm_set_osinfo(wz_newvm *w, const be_osinfo *db);
const wz_host *wz_newvm_host(const wz_newvm *w);
wz_choices *wz_newvm_choices(wz_newvm *w);

/* The OS chosen (NULL: generic / unknown). */
const be_os *wz_newvm_os(const wz_newvm *w);
/* Choose an OS by short id or id (NULL or "generic": none) and apply its
 * defaults to the fields the user has not typed over: memory, vCPUs, disk
 * size, firmware (UEFI + Secure Boot + TPM for OSes that need UEFI, when
 * the host has them). by_user: the user picked it. -1 when unknown. */
int wz_newvm_set_os(wz_newvm *w, const char *id, bool by_user);
/* Detection's answer for the install media (os NULL: not recognised):
 * taken unless the user picked an OS. */
void wz_newvm_detected(wz_newvm *w, const be_os *os);

/* Check the fields of page into *is (cleared first). Returns the number
 * of errors (warnings do not count): 0 = the page may be left forward. */
int wz_newvm_check(wz_newvm *w, int page, core_issues *is);
/* Check one field, as it is typed (same texts as wz_newvm_check). */
int wz_newvm_check_field(wz_newvm *w, const char *field, core_issues *is);
/* The page after page (skipping those that do not apply), -1 after the
 * summary. */
int wz_newvm_next(const wz_newvm *w, int page);
bool wz_newvm_page_applies(const wz_newvm *w, int page);
/* Every page that applies checks out (Finish may be pressed). */
bool wz_newvm_ready(wz_newvm *w);

/* The ISO volumes of the host's pools (name ends in .iso, or format iso):
 * "pool/volume" strings, caller frees the vector and its items. */
char **wz_newvm_isos(const wz_newvm *w, size_t *n);
/* Volumes that can be imported as a disk (not ISOs, used by no VM):
 * "pool/volume", caller frees. */
char **wz_newvm_disks(const wz_newvm *w, size_t *n);

/* The domain as built from the choices (strings borrowed from w, valid
 * until the next change); -1 with *err when a page does not check out. */
int wz_newvm_spec(wz_newvm *w, be_domspec *s, char **err);
char *wz_newvm_xml(wz_newvm *w, char **err);
char *wz_newvm_virt_install(wz_newvm *w);
/* Every choice as "Label: value" lines (the summary's table). */
char *wz_newvm_summary(wz_newvm *w);

/* The steps (caller frees with core_steps_free); NULL with *err when the
 * choices do not check out. */
core_step *wz_newvm_plan(wz_newvm *w, size_t *n, char **err);

/* The new disk volume's name: NAME.qcow2 (or .img for raw), with '/'
 * never in it (the name's rules forbid it). Caller frees. */
char *wz_newvm_disk_name(const wz_newvm *w);

/* The fields by id, as text (core/wizard.h's set/get/options): text
 * fields as typed; "source", "firmware" (0 BIOS, 1 UEFI), "accel" (0 KVM,
 * 1 TCG), "nic" (0 network, 1 bridge, 2 user, 3 none), "disk" (0 new,
 * 1 existing, 2 none) by index; "iso", "import", "disk_vol" as
 * "pool/volume"; "os" as "Name (short-id)" or a short id or "Generic";
 * check boxes "secure_boot", "tpm", "start", "console" as "1" / "0";
 * "offers" (read only): what the host's domain capabilities offer, "UEFI,
 * Secure Boot, TPM 2.0, KVM, TCG; pc-q35-7.2, up to 288 vCPUs" ("" while
 * not known).
 * Setting memory, vCPUs, disk size or firmware marks them as the user's
 * (an OS's defaults no longer change them); "os" is the user's pick, except
 * the OS shown already set again while the user has picked none (the
 * list's "Generic" pushed by Next while detection runs): it stays the
 * shown default and detection's answer still replaces it. "os_by_user"
 * (get): "1" once the user picked one. */
int wz_newvm_set_value(wz_newvm *w, const char *id, const char *value);
char *wz_newvm_get_value(wz_newvm *w, const char *id);
/* Items for "iso", "import", "disk_vol", "disk_pool", "upload_pool",
 * "nic_source", "source", and "os" (Generic, then the OSes matching
 * "os_query", best first). */
char **wz_newvm_options(wz_newvm *w, const char *id, size_t *n);

/* Detect the OS of a local ISO (source ISO_LOCAL) with libosinfo and take
 * it unless the user picked one (wz_newvm_detected). Reads 64 KiB of the
 * file (14 ms measured here). 1 detected, 0 not recognised or nothing to
 * do, -1 not readable; *msg says so for the user (NULL: nothing to do).
 * core_wizard_ops.text(w, "detect") runs it. */
int wz_newvm_detect(wz_newvm *w, char **msg);

/* The answer of a detection run on a worker (backend/be_detect.h): the
 * OS's id ("" or NULL: not recognised), taken unless the user picked an
 * OS (wz_newvm_detected). -1 when the database does not know the id.
 * core_wizard_ops.set(w, "detected", id) calls it. */
int wz_newvm_set_detected(wz_newvm *w, const char *id);

/* Cloud images (source CLOUD). Fields: "cloud_from" (0 a local file,
 * 1 a volume), "cloud_local", "cloud_vol" ("pool/volume", options: the
 * host's disk volumes), "ci_hostname", "ci_user", "ci_password", "ci_keys"
 * (set: the user's keys, one a line, each checked; get: "" while not
 * known), "ci_key:N" check boxes ("1" / "0"), "ci_key_label:N" (get: the
 * key shortened for a check box). The seed volume is NAME-seed.iso, the
 * disk NAME.qcow2 (NAME.img for a raw image) in disk_pool.
 * The image's format and size: a local file's qcow2 header (magic, virtual
 * size) or its length (raw); a pooled one's from the model. 0, -1 with
 * *err when the file cannot be read. */
int wz_cloud_image_info(const char *path, bool *qcow2, uint64_t *vsize, char **err);
char *wz_newvm_seed_name(const wz_newvm *w);

/* A local ISO already in its pool: "iso_same" (options) are the volumes
 * of upload_pool of the file's size (candidates for be_vol_same_start);
 * "iso_reuse" set to "pool/volume" (or "" to forget) says one has the
 * file's SHA-256, for the file set in "iso_reuse_for" before it. While
 * the source is that file and that pool, nothing is uploaded: the CD-ROM
 * is that volume (and a volume of the file's name there is no error). */
bool wz_newvm_reusing(const wz_newvm *w);

/* A name for the VM from its install source, as Quick Create proposes it:
 * the ISO's or image's file name without .iso/.img/.qcow2/.raw, "-2",
 * "-3" ... added while the host has a VM of that name ("" when there is no
 * source yet). get(w, "name_suggested") gives it. Caller frees. */
char *wz_newvm_suggest_name(const wz_newvm *w);
/* ---- the text installer on the serial console (issue 18) ----
 * For an ISO source, the UI has the host's worker probe the ISO
 * (BE_OP_ISO_PROBE) and hands the answer over as text: set "iso_probe" =
 * be_iso_probe_text(probe, key) with key = get "iso_key" at the time it
 * asked ("local:PATH" or "pool:POOL/VOL"; an answer for another ISO is
 * kept but not used). When the probe says the installer can run on the
 * serial console, field "install" offers 0 "Text installer on the serial
 * console" (the default) and 1 "Boot the ISO as is"; "install_offered"
 * "1"/"0"; "install_note" says what happens, or why it is not offered.
 * Finish then plans INSTALL_PREP, DEFINE (the final definition: no kernel,
 * CD-ROM empty), INSTALL_START (the install XML), CONSOLE. */
enum wz_install { WZ_INSTALL_TEXT = 0, WZ_INSTALL_ISO };
char *wz_newvm_iso_key(const wz_newvm *w);           /* NULL: no ISO chosen */
bool wz_newvm_install_offered(const wz_newvm *w);
bool wz_newvm_text_install(const wz_newvm *w);       /* offered and chosen */
char *wz_newvm_install_note(const wz_newvm *w);
int wz_newvm_install_set(wz_newvm *w, const char *id, const char *value);
char *wz_newvm_install_get(wz_newvm *w, const char *id);

/* ---- Customize before install (issue 12) ----
 * The Summary page opens Settings on wz_newvm_xml (not defined: parsed
 * into be_vmconf); its OK hands the changes here. They are tried on the
 * XML of now (-1 with *err, nothing kept, *ch left to the caller), then
 * kept (*ch taken, NULLed) and applied (backend/be_vmxml.h) to every XML
 * built after: wz_newvm_xml, the summary's, Finish's DEFINE (and the text
 * installer's). Finish creates the new volumes they ask for (VOL_CREATE,
 * deleted on undo) and no volume of a disk removed there. A choice made
 * after that a change no longer fits (a disk's target gone) makes the
 * XML fail with "Customized settings: ..." until wz_newvm_customize_clear.
 * core_wizard_ops.take(w, "customize", be_vmchange *) calls it (ops.set
 * "customize_clear" clears; get "customized": the count). */
int wz_newvm_customize(wz_newvm *w, be_vmchange **ch, char **err);
size_t wz_newvm_customized(const wz_newvm *w);
void wz_newvm_customize_clear(wz_newvm *w);

/* The table main hands to the UI (core/wizard.h). */
extern const core_wizard_ops wz_newvm_ops;

#endif
