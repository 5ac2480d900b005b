/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/model.h - the view model: what the UI knows of hosts and their VMs,
 * and the messages that change it. Backend threads build messages
 * (md_msg_new + fields) and post them on the UI's core_msgq; the UI thread
 * applies them with md_apply(). No libvirt or curses types here. */
#ifndef CORE_MODEL_H
#define CORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domcaps.h"
#include "stats.h"

/* Same numbering as virDomainState. */
enum md_vm_state {
	MD_VM_NOSTATE = 0,
	MD_VM_RUNNING = 1,
	MD_VM_BLOCKED = 2,
	MD_VM_PAUSED = 3,
	MD_VM_SHUTDOWN = 4, /* being shut down */
	MD_VM_SHUTOFF = 5,
	MD_VM_CRASHED = 6,
	MD_VM_PMSUSPENDED = 7,
};

const char *md_vm_state_name(int state); /* "running", "shut off", "pmsuspended" ... */
bool md_vm_state_active(int state);      /* running, blocked, paused, shutdown, pmsuspended */
/* Turn Off (BE_OP_DESTROY) applies: the active states and CRASHED (a crashed
 * domain is still active in libvirt: destroy, then start, recovers it). */
bool md_vm_can_destroy(int state);
/* Start applies: not md_vm_can_destroy (starting a crashed domain fails
 * with "already active"). */
bool md_vm_can_start(int state);

typedef struct md_vm {
	char *name;                 /* raw, from libvirt: sanitize before drawing */
	char uuid[37];
	int state;                  /* enum md_vm_state */
	int reason;                 /* state reason code */
	unsigned vcpus;
	unsigned long long mem_kib;    /* current (balloon) memory */
	unsigned long long maxmem_kib;
	bool autostart;
	bool persistent;
	bool managed_save;          /* has a saved state to start from */
	int64_t started_wall;       /* epoch seconds when it started, 0 = unknown */
	core_stats_rate rate;       /* live figures (MD_MSG_STATS); rate.have 0 = none */
	int agent;                  /* enum md_agent: the guest agent (backend/be_agent.h) */
} md_vm;

/* The QEMU guest agent of a VM, from its domain XML (read when the list is
 * built) and libvirt's agent lifecycle events: no call per refresh. */
enum md_agent {
	MD_AGENT_UNKNOWN = 0,       /* not read yet (a long list is read after it is shown) */
	MD_AGENT_NONE,              /* no agent channel in the configuration */
	MD_AGENT_DOWN,              /* a channel, no agent connected on it */
	MD_AGENT_UP,                /* the agent is connected */
};
const char *md_agent_name(int agent); /* "-", "none", "down", "up" */
typedef struct md_agent_state {
	char uuid[37];
	int agent;                  /* enum md_agent */
} md_agent_state;

/* Storage and networks (backend/be_storage.h says where they come from).
 * All strings raw from libvirt (sanitize before drawing); NULL = unknown. */
typedef struct md_vol {
	char *name;
	char *path;
	char *key;
	char *format;                /* "qcow2", "raw", "iso" ... */
	unsigned long long capacity; /* bytes */
	unsigned long long allocation; /* bytes on the host */
	char **users;                /* names of the VMs whose disks use it */
	size_t nusers;
} md_vol;

typedef struct md_pool {
	char *name;
	char uuid[37];
	char *type;                  /* "dir", "netfs", "logical" ... */
	char *path;                  /* target path */
	bool active;
	bool autostart;
	unsigned long long capacity, allocation, available; /* bytes */
	md_vol *vols;                /* sorted by name; only for active pools */
	size_t nvols;
} md_pool;

typedef struct md_net {
	char *name;
	char uuid[37];
	bool active;
	bool autostart;
	char *bridge;
	char *forward;               /* "nat", "route", "isolated", "bridge", "open" ... */
	char *ipv4;                  /* the host's address on it, "192.168.122.1" */
	int prefix;                  /* of ipv4, 0 = none */
	char *dhcp_start, *dhcp_end; /* NULL = no DHCP */
	char *domain;                /* DNS domain */
} md_net;

/* A volume transfer (backend/be_storage.h), kept in md_model.xfers. */
enum md_xfer_state {
	MD_XFER_QUEUED = 0,
	MD_XFER_HASHING,         /* SHA-256 of the local file */
	MD_XFER_RUNNING,
	MD_XFER_RECONNECTING,    /* link lost: waiting for the host to come back */
	MD_XFER_VERIFYING,       /* reading the volume back */
	MD_XFER_DONE,            /* final states from here */
	MD_XFER_FAILED,
	MD_XFER_CANCELLED,
};
const char *md_xfer_state_name(int state); /* "running", "done" ... */
bool md_xfer_state_final(int state);

typedef struct md_xfer {
	uint64_t id;
	int host_id;
	bool upload;             /* false: download */
	int state;               /* enum md_xfer_state */
	char *local;             /* the local file */
	char *pool, *vol;        /* names */
	uint64_t total;          /* bytes of the file / volume */
	uint64_t done;           /* offset reached (holes count as done) */
	uint64_t sent;           /* bytes that went over the wire (data only) */
	uint64_t data;           /* data bytes in total (< total when sparse) */
	double rate;             /* bytes/s of progress, recent */
	int eta_s;               /* seconds left, -1 = unknown */
	int resumes;             /* times it went on after a lost link */
	char *sha256;            /* hex, when asked for */
	bool verified;           /* verify asked and matched */
	char *text;              /* final: the result or the reason */
} md_xfer;
void md_xfer_clear(md_xfer *x);
void md_xfer_copy(md_xfer *dst, const md_xfer *src);
void md_xfer_free_void(void *x); /* md_msg.ext_free for MD_MSG_XFER */

enum md_conn {
	MD_CONN_IDLE = 0,      /* not asked to connect yet / disconnected on purpose */
	MD_CONN_CONNECTING,
	MD_CONN_CONNECTED,
	MD_CONN_DISCONNECTED,  /* was connected, lost; retrying */
	MD_CONN_FAILED,        /* could not connect; retrying (retry_s > 0) or given up */
};

const char *md_conn_name(int conn); /* "connecting", "connected", ... */

typedef struct md_host {
	int id;                  /* stable id, given by the UI */
	char *uri;
	char *label;             /* display name (hostname or URI) */
	char *hostname;          /* from virConnectGetHostname, may be NULL */
	char *via;               /* how it is reached, e.g. "SSH root@kvm1:22 (agent),
	                            /run/libvirt/libvirt-sock"; NULL = directly (raw) */
	int conn;                /* enum md_conn */
	char *error;             /* last connection error, raw */
	int retry_s;             /* seconds until the next retry, 0 = none scheduled */
	int busy;                /* jobs in flight */
	int64_t busy_since_ms;   /* core_now_ms() when busy went from 0 to 1 */
	bool listed;             /* the first VM list arrived since the last connect */
	bool demo;               /* the shipped demo host */

	md_vm *vms;
	size_t nvms, cap_vms;
	md_net *nets;
	size_t nnets;
	md_pool *pools;
	size_t npools;

	uint64_t gen;            /* bumped on every change of this host's data */
	uint64_t vms_gen;        /* ... of its VM list (not their live figures) */
	uint64_t nets_gen;       /* ... of its networks */
	uint64_t pools_gen;      /* ... of its pools and volumes */
	core_stats_store *live;  /* live figures and history (MD_MSG_STATS), NULL = none yet */
	core_domcaps *domcaps;   /* what a new domain can have (MD_MSG_DOMCAPS), NULL = not yet;
	                            kept while the host is away, replaced on each connection */
	char *driver;            /* the connection's driver, lower case ("qemu", "lxc", "esx"),
	                            NULL = not known yet (MD_MSG_HOST_CAPS) */
	unsigned nosup;          /* MD_CAP_* bits the driver answered "not supported" to */
	bool waiting;            /* CONNECTING, in line behind the connect limit ("waiting") */
	bool stalled;            /* FAILED: the daemon did not answer the connect in time;
	                            the open still waits ("no answer") */
	unsigned drops;          /* times it went from connected to not connected */
	int64_t open_since_ms;   /* core_now_ms() when its current connect attempt began
	                            (CONNECTING, not in line); a stalled one still waits */
} md_host;

/* md_conn_name, or "waiting" for a host in line for a connect slot, or
 * "no answer" for one whose connect passed its deadline. */
const char *md_host_state_name(const md_host *h);

/* What a host's driver can do (md_host.nosup holds the missing ones). Each
 * bit comes from libvirt's own answer: a read-only probe after connecting,
 * or a job that failed with VIR_ERR_NO_SUPPORT. */
enum md_cap {
	MD_CAP_BULK_STATS = 1u << 0, /* virConnectGetAllDomainStats (else: list + info per VM) */
	MD_CAP_EVENTS = 1u << 1,     /* domain lifecycle events (else: re-read each tick) */
	MD_CAP_SAVE = 1u << 2,       /* managed save */
	MD_CAP_SNAPSHOT = 1u << 3,
	MD_CAP_AUTOSTART = 1u << 4,
	MD_CAP_CONSOLE = 1u << 5,    /* serial console streams */
	MD_CAP_PAUSE = 1u << 6,      /* suspend / resume */
	MD_CAP_SHUTDOWN = 1u << 7,
	MD_CAP_REBOOT = 1u << 8,
	MD_CAP_RESET = 1u << 9,
	MD_CAP__ALL = (1u << 10) - 1
};
/* "bulk stats", "events", "managed save" ... for one bit (NULL if none). */
const char *md_cap_name(unsigned cap);

typedef struct md_model {
	md_host **hosts;
	size_t nhosts, cap_hosts;
	char *status;            /* last operation result, raw */
	bool status_error;
	int64_t status_ms;
	uint64_t gen;            /* bumped on any change */
	md_xfer *xfers;          /* transfers, oldest first, finished ones kept */
	size_t nxfers;
} md_model;

enum md_msg_type {
	MD_MSG_HOST_STATE = 1,  /* conn, error, retry_s, hostname */
	MD_MSG_HOST_BUSY,       /* busy delta in .count (+1 / -1) */
	MD_MSG_VM_LIST,         /* full list: vms/nvms replace the host's list */
	MD_MSG_VM_UPDATE,       /* vms[0]: insert or replace by uuid */
	MD_MSG_VM_REMOVED,      /* uuid; text: its name (raw). Once per VM that was listed */
	MD_MSG_NET_LIST,        /* nets/nnets */
	MD_MSG_POOL_LIST,       /* pools/npools */
	MD_MSG_OP_RESULT,       /* ok, text; uuid when about one VM */
	MD_MSG_VM_DISKS,        /* uuid; disks: paths of the VM's disk sources (strs/nstrs) */
	MD_MSG_STATS,           /* live figures of one host for one tick: payload in .ext (core/stats.h) */
	MD_MSG_CONSOLE,         /* serial console data / state: payload in .ext (backend/be_console.h) */
	MD_MSG_PROMPT,          /* a question for the user: .ext is a core_prompt (core/prompt.h),
	                           ext_free core_prompt_drop; the UI takes it over (ext = NULL) */
	MD_MSG_NET_LEASES,      /* seq: .ext is a be_lease_list (backend/be_storage.h) */
	MD_MSG_XFER,            /* transfer progress: .ext is an md_xfer; md_apply copies
	                           it into md_model.xfers (insert or replace by id) */
	MD_MSG_DOMCAPS,         /* .ext is a core_domcaps (core/domcaps.h), once per connection;
	                           md_apply takes it into md_host.domcaps */
	MD_MSG_HOST_CAPS,       /* text: the driver's name; count: md_host.nosup (MD_CAP_*) */
	MD_MSG_VM_AGENT,        /* uuid; .count: enum md_agent (an agent lifecycle event); or
	                           many: .ext an md_agent_state array of .next items, sorted
	                           by uuid (the states read after a list), ext_free free */
	MD_MSG_AGENT_INFO,      /* seq, uuid: .ext is a be_agent_info (backend/be_agent.h) */
	MD_MSG_AGENT_PROGRESS,  /* seq, uuid: .count = per cent of a Copy File to Guest */
	MD_MSG_VM_DETAILS,      /* seq, uuid: .ext is a be_vmconf (backend/be_devices.h);
	                           ok/text when it could not be read (count 1: VM gone) */
	MD_MSG_VM_DEVICES,      /* uuid: its hardware moved (count: the libvirt event id: device
	                           added/removed, tray, balloon); views of it (Settings) re-read;
	                           balloon: .value = the balloon's actual KiB */
	MD_MSG_VM_PATCH,        /* uuid: vms[0]'s fields named in .count (MD_VMF_*) set on the
	                           listed VM (a change applied: no re-read) */
	MD_MSG_POOL_UPDATE,     /* pools[0] (npools 1): replaces the pool of its uuid (or is
	                           added); its volumes' users (not read) kept by volume name.
	                           count 1: only its figures and the volumes it has are new
	                           (added, or replaced by name); count 2: its figures are new,
	                           the volumes named are gone */
};
/* MD_MSG_VM_PATCH: the fields it sets */
enum { MD_VMF_MEM = 1, MD_VMF_MAXMEM = 2, MD_VMF_VCPUS = 4, MD_VMF_AUTOSTART = 8 };

typedef struct md_msg {
	int type;
	int host_id;
	/* HOST_STATE */
	int conn;
	int retry_s;
	char *hostname;
	char *via;               /* CONNECTED: md_host.via */
	/* HOST_BUSY */
	int count;
	/* OP_RESULT, HOST_STATE error */
	bool ok;
	char *text;
	int op;                  /* backend op code an OP_RESULT answers, for the UI */
	/* VM_*, OP_RESULT */
	char uuid[37];
	md_vm *vms;
	size_t nvms;
	md_net *nets;
	size_t nnets;
	md_pool *pools;
	size_t npools;
	char **strs;
	size_t nstrs;
	uint64_t seq;            /* job sequence number, for OP_RESULT / VM_DISKS */
	/* a payload of a feature's own (stats, consoles), freed with ext_free */
	void *ext;
	void (*ext_free)(void *ext);
	size_t next;             /* items in .ext when it is an array (MD_MSG_VM_AGENT) */
	bool waiting;            /* HOST_STATE CONNECTING: in line for a connect slot */
	uint64_t value;          /* VM_DEVICES balloon: the actual KiB */
	bool stalled;            /* HOST_STATE FAILED: the connect's deadline passed, it still waits */
} md_msg;

md_msg *md_msg_new(int type, int host_id);
void md_msg_free(md_msg **m);
void md_msg_free_void(void *m); /* for core_msgq */

void md_vm_clear(md_vm *v);
void md_vm_copy(md_vm *dst, const md_vm *src); /* deep copy into dst */
void md_net_clear(md_net *n);
void md_net_copy(md_net *dst, const md_net *src);   /* deep copy into dst */
void md_vol_clear(md_vol *v);
void md_vol_copy(md_vol *dst, const md_vol *src);
void md_pool_clear(md_pool *p);
void md_pool_copy(md_pool *dst, const md_pool *src); /* with its volumes */

md_model *md_model_new(void);
void md_model_free(md_model **m);
/* The label of a host with no name: its URI; for ssh:// without the scheme
 * and a /system path (ssh://root@kvm1/system -> "root@kvm1"). Caller frees. */
char *md_host_default_label(const char *uri);
/* Adds a host record (state IDLE, label md_host_default_label(uri));
 * returns it. Ids must be unique. */
md_host *md_host_add(md_model *m, int id, const char *uri);
void md_host_remove(md_model *m, int id);
/* Every host has settled: connected and listed, or not connected (failed,
 * lost, idle); none is still connecting or listing. */
bool md_model_settled(const md_model *m);
md_host *md_host_get(const md_model *m, int id);
/* VMs in state RUNNING only, as `virsh list --state-running` counts
 * (VIR_CONNECT_LIST_DOMAINS_RUNNING: paused, pmsuspended, blocked, crashed
 * and "in shutdown" are not running). For "VMs N/M running". */
size_t md_host_count_running(const md_host *h);
md_vm *md_vm_find(const md_host *h, const char *uuid);
md_pool *md_pool_find(const md_host *h, const char *uuid);
md_net *md_net_find(const md_host *h, const char *uuid);
md_xfer *md_xfer_find(const md_model *m, uint64_t id);
/* Drop a finished transfer from the list (the user dismissed it). */
void md_xfer_forget(md_model *m, uint64_t id);

/* What md_apply changed, for the UI's dirty flags. */
enum {
	MD_DIRTY_TREE = 1,
	MD_DIRTY_LIST = 2,
	MD_DIRTY_STATUS = 4,
	MD_DIRTY_LIVE = 8,       /* live figures changed (MD_MSG_STATS) */
	MD_DIRTY_XFER = 16,      /* md_model.xfers changed */
};

/* Apply one message; it may take the arrays out of msg (leaving them NULL),
 * the caller still frees msg. Returns MD_DIRTY_* bits. */
int md_apply(md_model *m, md_msg *msg);
void md_set_status(md_model *m, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
