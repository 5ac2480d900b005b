/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be.h - everything libvirt, behind an interface with no libvirt types.
 *
 * Threads: be_init() registers libvirt's default event loop and runs it in a
 * thread of its own (domain events, keepalive, stream callbacks). Each host
 * has a job queue that runs every blocking libvirt call for that host, in
 * order and one at a time, on a shared pool of worker threads
 * (backend/be_pool.c: $VMMC_WORKERS, default 8, growing a little while
 * hosts are blocked in slow calls). Results reach the UI only as md_msg messages posted on
 * the queue given to be_init(). No function here blocks on libvirt: each
 * one only queues work, so all of them are safe to call from the UI thread. */
#ifndef BACKEND_BE_H
#define BACKEND_BE_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/msgq.h"

typedef struct be_host be_host;

enum be_op {
	BE_OP_NONE = 0,
	BE_OP_CONNECT,      /* connect now (also cancels the backoff wait) */
	BE_OP_DISCONNECT,   /* close the connection, no retries until CONNECT */
	BE_OP_REFRESH,      /* re-read VMs, networks, pools */
	BE_OP_START,        /* start; starts from the managed save if there is one */
	BE_OP_SHUTDOWN,     /* ACPI shutdown */
	BE_OP_DESTROY,      /* turn off (force) */
	BE_OP_REBOOT,
	BE_OP_RESET,
	BE_OP_SUSPEND,      /* pause */
	BE_OP_RESUME,
	BE_OP_SAVE,         /* managed save */
	BE_OP_SAVE_REMOVE,  /* discard the managed save */
	BE_OP_AUTOSTART_ON,
	BE_OP_AUTOSTART_OFF,
	BE_OP_DISKS,        /* answer MD_MSG_VM_DISKS with the VM's disk source paths */
	BE_OP_DELETE,       /* undefine (turning it off first); delete the volumes in paths */
	BE_OP_STATS,        /* read the live figures: answers MD_MSG_STATS (no OP_RESULT) */
	/* storage and networks: uuid and payload in backend/be_storage.h */
	BE_OP_POOL_START,
	BE_OP_POOL_STOP,
	BE_OP_POOL_REFRESH,
	BE_OP_POOL_AUTOSTART_ON,
	BE_OP_POOL_AUTOSTART_OFF,
	BE_OP_POOL_DELETE,
	BE_OP_POOL_CREATE,
	BE_OP_VOL_CREATE,
	BE_OP_VOL_DELETE,
	BE_OP_VOL_RESIZE,
	BE_OP_VOL_CLONE,
	BE_OP_NET_CREATE,
	BE_OP_NET_START,
	BE_OP_NET_STOP,
	BE_OP_NET_AUTOSTART_ON,
	BE_OP_NET_AUTOSTART_OFF,
	BE_OP_NET_DELETE,
	BE_OP_NET_LEASES,
	BE_OP_NET_SUGGEST,
	BE_OP_DEFINE,       /* define a VM: be_host_submit_arg with arg = its domain XML
	                       (a malloc'd string, arg_free = free); OP_RESULT's .uuid
	                       is the new VM's, then MD_MSG_VM_UPDATE */
	BE_OP_OSINFO_READY, /* be_detect.h: libosinfo's database loaded (no host job) */
	BE_OP_ISO_DETECT,   /* be_detect.h: the OS of a local ISO (no host job) */
	BE_OP_SSH_KEYS,     /* be_detect.h: the user's SSH public keys (no host job) */
	BE_OP_SEED_BUILD,   /* be_detect.h: a cloud-init seed ISO made here (no host job) */
	BE_OP_VOL_SAME,     /* be_reuse.h: a pool's volume equal to a local file (own thread) */
	BE_OP_HOST_WAIT,    /* be_detect.h: a host's connection is back (own thread) */
	/* the guest agent and integration services: backend/be_agent.h */
	BE_OP_AGENT_INFO,
	BE_OP_AGENT_SYNC_TIME,
	BE_OP_AGENT_SHUTDOWN,   /* through the agent when connected, else ACPI */
	BE_OP_AGENT_REBOOT,
	BE_OP_AGENT_FREEZE,
	BE_OP_AGENT_THAW,
	BE_OP_AGENT_COPY,
	BE_OP_AGENT_XML,
	BE_OP_AGENT_AUTOSYNC,  /* automatic time sync on / off (paths[0] "on", "off", "toggle") */
	BE_OP_AGENT_APPLY,
	BE_OP_GRAPHICS_OPEN,  /* graphical console: see backend/be_graphics.h */
	BE_OP_GRAPHICS_CLOSE, /* its forward goes: arg = the OPEN job's seq (uint64_t *) */
	BE_OP_VM_DETAILS,   /* one VM's hardware (VM Settings): backend/be_devices.h */
	BE_OP_VM_CHANGE,    /* change it: arg = be_vmchange (backend/be_devices.h) */
	BE_OP_ISO_PROBE,    /* what an install ISO is (backend/be_iso.h): arg be_install_arg,
	                       OP_RESULT's .ext a be_iso_probe */
	BE_OP_INSTALL_PREP, /* extract its installer's kernel and initrd into a pool */
	BE_OP_INSTALL_START,/* the install run of the defined VM uuid (be_iso.h) */
	BE_OP_AGENT_CHECKPOINT, /* a Quiesced Checkpoint (backend/be_agent.h) */
	BE_OP__COUNT
};

const char *be_op_name(int op); /* "start", "shut down", ... for messages */

/* The version of the libvirt library vmmc runs with ("9.0.0"; virGetVersion),
 * "unknown" when it cannot say. Caller frees. */
char *be_libvirt_version(void);

/* Before the first libvirt call (virInitialize reads it once): libvirt's
 * own log messages (the esx driver's parse warnings ...) go to path (vmmc's
 * debug log, NULL: nowhere), never to the terminal. A LIBVIRT_LOG_OUTPUTS
 * or LIBVIRT_DEBUG the user set is left as it is. GLib's messages
 * (libosinfo's) go to the debug log too (core_log, area "glib"). */
void be_libvirt_logs_to(const char *path);

/* Start the event-loop thread; results go to ui_queue (items are md_msg *).
 * Also sets SIGPIPE to ignored if it is at its default (a closed socket
 * must not kill the console) and silences libvirt's and libxml2's printing
 * on the terminal. 0, or -1 with *err set (caller frees). */
int be_init(core_msgq *ui_queue, char **err);
/* Stop the event loop; call after every host is freed (waits up to 2 s for
 * workers left running by be_host_free's timeout). Messages posted after
 * this are dropped. */
void be_fini(void);

/* A host and its worker (after be_init); the worker connects at once, posting
 * MD_MSG_HOST_STATE (connecting, then connected or failed with retries),
 * and on success MD_MSG_VM_LIST, MD_MSG_NET_LIST, MD_MSG_POOL_LIST. After
 * that, domain lifecycle events keep the list current by MD_MSG_VM_UPDATE /
 * MD_MSG_VM_REMOVED (once per VM that was listed, its name in .text). A
 * lost connection (keepalive or close callback) posts MD_CONN_DISCONNECTED
 * and retries with backoff (1, 2, 4 ... 30 s).
 * Questions for the user (an unknown SSH host key, a passphrase, a password,
 * keyboard-interactive prompts of ssh:// hosts, and libvirt's own credential
 * callbacks) go to the UI as MD_MSG_PROMPT (a core_prompt, core/prompt.h):
 * the worker waits for core_prompt_answer / core_prompt_cancel, never the UI;
 * be_host_free cancels a pending one. libvirt's ssh transports (qemu+ssh://)
 * get no_tty=1, so the ssh program never asks on the terminal.
 * For test:///FILE, the file's <vmmc:demo> settings (autostart,
 * which the test driver cannot express) are applied after connecting. */
be_host *be_host_new(int id, const char *uri);
/* Same, for batch mode: after connecting only the VM list is read (no
 * events, networks, pools or host name): the fewest round trips. */
enum { BE_HOST_LISTS_ONLY = 1 };
/* BE_HOST_IDLE: no connect at start (MD_CONN_IDLE); a BE_OP_CONNECT job connects */
enum { BE_HOST_IDLE = 2 };
/* BE_HOST_AWAY: not on screen until be_host_watch says it is (as if told
 * be_host_watch false at once): a host the UI adds, whose first connect
 * may come before the UI's first pass tells it. Without it a host counts
 * as watched until told. */
enum { BE_HOST_AWAY = 4 };
be_host *be_host_new_flags(int id, const char *uri, unsigned flags);

/* Queue a job. uuid: the VM for VM operations (NULL otherwise). paths: for
 * BE_OP_DELETE, the volumes to delete with the VM (may be NULL/0); copied.
 * Every job answers MD_MSG_OP_RESULT with its .op and .seq (text NULL when
 * there is nothing to say: CONNECT, DISCONNECT, REFRESH, DISKS that went
 * well); VM operations then post MD_MSG_VM_UPDATE or MD_MSG_VM_REMOVED.
 * BE_OP_DISKS always posts MD_MSG_VM_DISKS (no paths on failure; its text
 * says why when the VM's XML could not be read: the VM can still be undefined).
 * BE_OP_DELETE answers ok=false when a volume could not be deleted (the
 * text names each one) and posts a fresh MD_MSG_POOL_LIST after volumes.
 * Each job, and the lists after a connect, run between MD_MSG_HOST_BUSY
 * +1 and -1. Safe from any thread. Returns the job's seq (> 0). */
uint64_t be_host_submit(be_host *h, int op, const char *uuid, char *const *paths, size_t npaths);

/* Stop the worker and free the host. Waits at most timeout_ms for a worker
 * stuck in a blocking call; after that the worker is left to finish on its
 * own (it frees its own state) and this returns. */
void be_host_free(be_host **h, int timeout_ms);
/* Tell h to end (its last step queued), not waiting: quitting with many
 * hosts stops them all first, then frees each (their ends run in parallel
 * on the pool, not one after the other). */
void be_host_stop(be_host *h);

/* Quitting (before be_host_free of the hosts): the SSH links of ssh://
 * hosts drop their libvirt connections at once, so that closing them does
 * not wait a round trip for the daemon's answer. Any thread. */
void be_ssh_quit_all(void);

/* The UI shows h's live figures (the selected host: its VM list, its
 * Performance views) or does not. A watched host's work is served before
 * the others' in the worker pool; the UI reads its figures each tick and
 * the others' seldom. A host told "not watched" re-reads a VM, its
 * networks or its pools after an event at most once per 5 s (a burst is
 * one re-read); a host never told re-reads at once. No libvirt call; any
 * thread. */
void be_host_watch(be_host *h, bool watched);
/* Something on screen needs host h's pools and probes (what its driver
 * can do, its domain capabilities) although it is not selected: a wizard
 * that picked it. A host not selected reads them only when it is (setup
 * leaves them for later); from now on this host reads them at once, also
 * after a reconnect. No libvirt call; any thread. */
void be_host_want_probes(be_host *h);

#endif
