/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_agent.h - the QEMU guest agent and a VM's integration services
 * (issue 13), behind an interface with no libvirt types.
 *
 * The agent's state of every VM (md_vm.agent: none / down / up) comes from
 * the channel in its domain XML, read once when the VM is first listed and
 * again when one of its lifecycle events re-reads it, and from libvirt's
 * agent lifecycle events (VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE, posted as
 * MD_MSG_VM_AGENT). A list refresh costs no call per VM for it.
 *
 * Jobs (be_host_submit / be_host_submit_arg, uuid = the VM), all on the
 * host's worker:
 *   BE_OP_AGENT_INFO      arg: be_agent_req (may be NULL). Answers
 *                         MD_MSG_AGENT_INFO (.ext a be_agent_info) and an
 *                         OP_RESULT without text. When the agent is up, at
 *                         most 3 agent calls: virDomainGetTime (the ping, and
 *                         the clock's drift), virDomainGetGuestInfo (OS,
 *                         hostname, time zone, users, file systems, disks),
 *                         virDomainInterfaceAddresses(source agent); with
 *                         req->version also guest-info through
 *                         virDomainQemuAgentCommand (once per view). No
 *                         agent call at all when the VM has no channel or no
 *                         agent connected; an API the host lacks
 *                         (VIR_ERR_NO_SUPPORT) is not called again on that
 *                         connection: "not available" and which API. With
 *                         req->version also the paravirtual devices, from
 *                         the domain XML (one call, not the agent).
 *   BE_OP_AGENT_SYNC_TIME virDomainSetTime(SYNC): the guest reads the RTC.
 *   BE_OP_AGENT_SHUTDOWN, BE_OP_AGENT_REBOOT: through the agent when it is
 *                         up, else ACPI; the result says which was used.
 *   BE_OP_AGENT_FREEZE, BE_OP_AGENT_THAW: virDomainFSFreeze / FSThaw.
 *   BE_OP_AGENT_COPY      arg: be_agent_copy. A local file to a guest path
 *                         with guest-file-open/write/close (base64 chunks of
 *                         48 KiB), MD_MSG_AGENT_PROGRESS per chunk; refused
 *                         above BE_AGENT_COPY_MAX; a guest that refuses the
 *                         path: its words in the OP_RESULT.
 *   BE_OP_AGENT_XML       answers MD_MSG_AGENT_INFO whose .inactive_xml is
 *                         the persistent configuration (for the Integration
 *                         Tools wizard), .live_xml the running one.
 *   BE_OP_AGENT_AUTOSYNC  paths[0] "on", "off" or "toggle" (no paths: toggle):
 *                         automatic time sync of the VM, kept in its metadata
 *                         (<vmmc:timesync auto="yes"/>, the persistent and the
 *                         running definition). When on, the backend syncs the
 *                         guest's clock through the agent (virDomainSetTime
 *                         SYNC) by itself after each lifecycle event RESUMED
 *                         (Resume) and STARTED with reason RESTORED or
 *                         FROM_SNAPSHOT (restore from saved state, revert); a
 *                         guest whose agent is not connected yet is synced
 *                         when it connects (within 2 minutes). Each such
 *                         event costs the lookup and one metadata read (and
 *                         the 2 agent calls when on); the result is an
 *                         OP_RESULT with .seq 0 ("Synchronised the clock of
 *                         'x' by itself ...").
 *   BE_OP_AGENT_APPLY     arg: be_agent_apply: defines the new persistent
 *                         XML (after checking the configuration is still the
 *                         one the wizard read), hot-plugs device_xml into
 *                         the running VM, restarts it when asked (turn off,
 *                         start: a guest without an agent may ignore ACPI).
 *   BE_OP_AGENT_CHECKPOINT a Quiesced Checkpoint: a disk-only external
 *                         snapshot named vmmc-YYYYmmdd-HHMMSS (local time)
 *                         taken with the guest's file systems frozen
 *                         (virDomainSnapshotCreateXML DISK_ONLY | QUIESCE |
 *                         ATOMIC; the XML from be_checkpoint_xml). Refused
 *                         with the reason when the VM is not running, has
 *                         no agent channel or its agent is not connected,
 *                         or a disk cannot have an overlay (a raw or non-file
 *                         disk: be_checkpoint_xml says which). On success an
 *                         MD_MSG_AGENT_INFO (with .checkpoints) before the
 *                         OP_RESULT ("Quiesced Checkpoint vmmc-... taken").
 *                         The checkpoints (disk-only snapshots) are also read
 *                         by BE_OP_AGENT_INFO with req->version.
 */
#ifndef BACKEND_BE_AGENT_H
#define BACKEND_BE_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "be.h"

#define BE_AGENT_COPY_MAX (64ULL * 1024 * 1024) /* bytes: Copy File to Guest */
#define BE_CHECKPOINTS_MAX 5                     /* checkpoints listed per VM */

/* A service's state, as the Integration Services view shows it. */
enum be_svc_state { BE_SVC_NA = 0, BE_SVC_OFF, BE_SVC_ON, BE_SVC_ERROR };
const char *be_svc_state_name(int st); /* "not available", "off", "on", "error" */

enum be_svc {
	BE_SVC_HEARTBEAT = 0, /* guest agent: channel, connected, ping, version */
	BE_SVC_KVP,           /* data exchange: virDomainGetGuestInfo + addresses */
	BE_SVC_TIME,          /* time synchronisation */
	BE_SVC_SHUTDOWN,      /* operating system shutdown */
	BE_SVC_BACKUP,        /* freeze / thaw */
	BE_SVC_FILES,         /* guest services: Copy File to Guest */
	BE_SVC_PV,            /* paravirtual devices (from the domain XML) */
	BE_SVC__COUNT
};
extern const char *const be_svc_names[BE_SVC__COUNT];

typedef struct be_agent_req {
	bool version;         /* also ask the agent's version (guest-info) */
} be_agent_req;

typedef struct be_agent_fs {
	char *mountpoint, *type;
	uint64_t used, total; /* bytes, 0 = unknown */
} be_agent_fs;

typedef struct be_agent_if {
	char *name, *hwaddr;
	char **addrs;         /* "192.168.1.5/24" */
	size_t naddrs;
} be_agent_if;

typedef struct be_agent_info {
	char uuid[37];
	int agent;            /* enum md_agent, as the backend knows it */
	bool channel;         /* the configuration has the agent channel */
	int st[BE_SVC__COUNT];       /* enum be_svc_state */
	char *why[BE_SVC__COUNT];    /* what it last reported, or why not: raw */
	int64_t heartbeat_s;  /* wall time of the last answer, 0 = none */
	char *version;        /* the agent's version, NULL unknown */
	/* data exchange */
	char *os_name, *os_version, *os_id, *kernel, *hostname, *timezone;
	char **users;
	size_t nusers;
	be_agent_fs *fs;
	size_t nfs;
	char **disks;         /* "vda (virtio disk, serial X)" */
	size_t ndisks;
	be_agent_if *ifs;
	size_t nifs;
	/* time */
	bool have_time;
	int64_t guest_ms, host_ms; /* the guest's clock and the host's, same moment */
	/* BE_OP_AGENT_XML */
	char *inactive_xml, *live_xml;
	char **pv;            /* paravirtual devices, a line each ("disk vda: virtio") */
	size_t npv;
	int vm_state;         /* enum md_vm_state */
	int autosync;         /* automatic time sync: 1 on, 0 off, -1 not read (read with req->version) */
	char **checkpoints;   /* disk-only snapshots, newest first, at most
	                         BE_CHECKPOINTS_MAX: "2026-12-01 17:34:37  vmmc-..." */
	size_t ncheckpoints;
	bool checkpoints_read; /* they were read (req->version, a checkpoint) */
	unsigned agent_calls; /* agent calls this job made */
	unsigned skipped;     /* calls not made: API known missing / agent down */
} be_agent_info;
void be_agent_info_free(be_agent_info **i);
void be_agent_info_free_void(void *i); /* md_msg.ext_free */

typedef struct be_agent_copy {
	char *local;          /* the local file */
	char *guest;          /* the absolute path in the guest */
} be_agent_copy;
void be_agent_copy_free_void(void *c);

typedef struct be_agent_apply {
	char *old_xml;        /* the persistent XML the wizard read (unchanged check) */
	char *new_xml;        /* to define; NULL: none */
	char *device_xml;     /* to hot-plug into the running VM; NULL: none */
	bool restart;         /* turn off, then start */
	char *iso;            /* a virtio-win ISO new_xml inserts: must exist on the host
	                         (a pool's volume, or a file of a local host), NULL none */
} be_agent_apply;
void be_agent_apply_free_void(void *a);

/* Calls the agent code made on this host (any thread): agent calls (info,
 * time, copy ...) and domain XML reads for the Agent column. For tests and
 * the bench. */
void be_agent_counts(be_host *h, uint64_t *agent_calls, uint64_t *xml_reads);

/* Helpers, for the unit tests: the value of "key": "..." in an agent's
 * JSON answer (caller frees, NULL absent); N of {"return": N} (-1 none);
 * s as a quoted, escaped JSON string; base64 of n bytes. */
char *be_agent_json_str(const char *json, const char *key);
long long be_agent_json_ret(const char *json);
char *be_agent_json_quote(const char *s);
char *be_agent_base64(const unsigned char *p, size_t n);
/* The automatic time sync metadata element (<timesync auto="yes|no"/>),
 * and whether one says on (NULL / unreadable: off). */
char *be_autosync_xml(bool on);
int be_autosync_parse(const char *meta);
/* A Quiesced Checkpoint's name for time t ("vmmc-20261201-173437", local
 * time), and its snapshot XML for a domain XML (libxml2): each qcow2 file
 * disk external, its overlay DIR/STEM.NAME.qcow2 next to it; CD/DVD,
 * floppy, read-only and empty drives snapshot='no'. NULL with *err when a
 * disk cannot be (raw, block, network, volume) or none can. Caller frees. */
char *be_checkpoint_name(time_t t);
char *be_checkpoint_xml(const char *dom_xml, const char *name, char **err);

#endif
