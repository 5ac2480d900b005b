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

const char *md_vm_state_name(int state); /* "running", "shut off", ... */
bool md_vm_state_active(int state);      /* running, blocked, paused, shutdown, pmsuspended */

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
} md_vm;

typedef struct md_vol {
	char *name;
	char *path;
	unsigned long long capacity; /* bytes */
} md_vol;

typedef struct md_pool {
	char *name;
	bool active;
	unsigned long long capacity, allocation; /* bytes */
	md_vol *vols;
	size_t nvols;
} md_pool;

typedef struct md_net {
	char *name;
	bool active;
	bool autostart;
	char *bridge;
} md_net;

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
	core_stats_store *live;  /* live figures and history (MD_MSG_STATS), NULL = none yet */
} md_host;

typedef struct md_model {
	md_host **hosts;
	size_t nhosts, cap_hosts;
	char *status;            /* last operation result, raw */
	bool status_error;
	int64_t status_ms;
	uint64_t gen;            /* bumped on any change */
} md_model;

enum md_msg_type {
	MD_MSG_HOST_STATE = 1,  /* conn, error, retry_s, hostname */
	MD_MSG_HOST_BUSY,       /* busy delta in .count (+1 / -1) */
	MD_MSG_VM_LIST,         /* full list: vms/nvms replace the host's list */
	MD_MSG_VM_UPDATE,       /* vms[0]: insert or replace by uuid */
	MD_MSG_VM_REMOVED,      /* uuid */
	MD_MSG_NET_LIST,        /* nets/nnets */
	MD_MSG_POOL_LIST,       /* pools/npools */
	MD_MSG_OP_RESULT,       /* ok, text; uuid when about one VM */
	MD_MSG_VM_DISKS,        /* uuid; disks: paths of the VM's disk sources (strs/nstrs) */
	MD_MSG_STATS,           /* live figures of one host for one tick: payload in .ext (core/stats.h) */
	MD_MSG_CONSOLE,         /* serial console data / state: payload in .ext (backend/be_console.h) */
	MD_MSG_PROMPT,          /* a question for the user: .ext is a core_prompt (core/prompt.h),
	                           ext_free core_prompt_drop; the UI takes it over (ext = NULL) */
};

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
} md_msg;

md_msg *md_msg_new(int type, int host_id);
void md_msg_free(md_msg **m);
void md_msg_free_void(void *m); /* for core_msgq */

void md_vm_clear(md_vm *v);
void md_vm_copy(md_vm *dst, const md_vm *src); /* deep copy into dst */
void md_net_clear(md_net *n);
void md_pool_clear(md_pool *p);

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
md_vm *md_vm_find(const md_host *h, const char *uuid);

/* What md_apply changed, for the UI's dirty flags. */
enum {
	MD_DIRTY_TREE = 1,
	MD_DIRTY_LIST = 2,
	MD_DIRTY_STATUS = 4,
	MD_DIRTY_LIVE = 8,       /* live figures changed (MD_MSG_STATS) */
};

/* Apply one message; it may take the arrays out of msg (leaving them NULL),
 * the caller still frees msg. Returns MD_DIRTY_* bits. */
int md_apply(md_model *m, md_msg *msg);
void md_set_status(md_model *m, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
