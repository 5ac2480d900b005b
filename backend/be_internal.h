/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_internal.h - what the backend's files share; not for tui/.
 *
 * A be_host is reference-counted: the UI's handle, the worker thread and
 * each libvirt callback registration hold one reference. Fields marked
 * "worker" are touched by the worker thread only; "lock" ones under
 * h->lock. */
#ifndef BACKEND_BE_INTERNAL_H
#define BACKEND_BE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "../core/model.h"
#include "be.h"

/* Internal jobs, queued by event callbacks (seq 0, no OP_RESULT). */
enum {
	BE_JOB_VM_EVENT = 100, /* re-read one VM (uuid) */
	BE_JOB_NETS_EVENT,     /* re-read the networks */
	BE_JOB_POOLS_EVENT,    /* re-read the pools */
	BE_JOB_AGENT_SCAN,     /* be_agent.c: read the XML of listed VMs not seen before */
	BE_JOB_AGENT_AUTOSYNC, /* be_agent.c: a VM (uuid) resumed / restored: sync its clock when enabled */
	BE_JOB_CONSOLE_OPEN = 200, /* be_console.c: open (or reopen) console j->console */
	BE_JOB_CONSOLE_END,    /* its stream ended: tear down, reopen if the VM runs */
	BE_JOB_CONSOLE_CLOSE,  /* the user closed it */
};

typedef struct be_job {
	struct be_job *next;
	int op;                /* enum be_op or BE_JOB_* */
	uint64_t seq;          /* 0 for internal jobs */
	char uuid[VIR_UUID_STRING_BUFLEN];
	char **paths;
	size_t npaths;
	int console;           /* BE_JOB_CONSOLE_*: the console's id */
	void *arg;             /* be_host_submit_arg's payload, freed with arg_free */
	void (*arg_free)(void *);
} be_job;

struct core_prompt;
struct core_ssh_target;
struct rm_ssh;

struct be_host {
	int refs;              /* atomic */
	int id;
	unsigned flags;        /* BE_HOST_* */
	char *uri;             /* as given */
	char *open_uri;        /* what is opened (ssh: no_tty=1 added) */
	pthread_mutex_t lock;
	pthread_cond_t done_cond; /* its last step has run (be_host_free) */

	/* lock */
	be_job *head, *tail;
	uint64_t next_seq;
	bool stop;             /* be_host_free was called */
	bool done;             /* the worker has returned */
	bool pace_granted;     /* a connect slot was handed to it (be_pace_give) */
	bool connect_first;    /* the first connect is still to run (before any job) */
	bool dead;             /* the connection was lost (close callback ...) */
	char *dead_reason;
	struct core_prompt *prompt; /* the question the worker waits for, or NULL */
	virConnectPtr shared_conn; /* h->conn while connected, for transfers */
	uint64_t conn_gen;     /* bumped on every new connection */

	/* worker */
	virConnectPtr conn;
	int cb_dom, cb_net, cb_pool; /* event callback ids, -1 = none */
	int cb_devs[4];        /* device added/removed, tray, balloon (MD_MSG_VM_DEVICES), -1 = none */
	bool cb_close;
	int backoff;           /* failed attempts since the last success */
	int64_t retry_at_ms;   /* next connection attempt, 0 = none */
	bool local_qemu;       /* qemu:///system on this machine: pid files */
	struct be_stats *stats; /* live figures' previous samples (be_stats.c) */
	struct be_names *names; /* the VMs posted, uuid -> name (be_names.c) */
	struct be_vmflags *vmflags; /* the VMs' flags of the last list, by uuid (be_list.c) */
	size_t nvmflags;

	/* SSH hosts (be_ssh.c); worker, set up by be_host_new */
	struct core_ssh_target *ssh; /* NULL: not an ssh:// host */
	char *ssh_parse_err;       /* a bad ssh:// URI: why */
	struct rm_ssh *rs;         /* the session, NULL when none */
	char *ssh_local;           /* the local end of the forward */
	char *ssh_remote;          /* the remote daemon's socket */
	char *ssh_known_hosts;     /* NULL: ~/.ssh/known_hosts */
	char *ssh_accepted_fp;     /* a host key accepted once in this run */

	/* the driver's abilities (be_caps.c); worker */
	char *driver;              /* virConnectGetType, lower case; NULL before a connect */
	unsigned nosup;            /* MD_CAP_* libvirt answered "not supported" to */
	char probe_uuid[VIR_UUID_STRING_BUFLEN]; /* a VM of the last list, for the probes */
	struct be_agent *agent;    /* be_agent.c: the VMs' agent states (own lock) */
	char *ssh_xfer_uri;        /* lock: a URI of transfers' own (be_ssh_xfer_uri) */

	/* graphical consoles opened (be_graphics.c); worker */
	struct be_gfx *gfx;
	size_t ngfx, ngfx_cap;

	/* the worker pool (be_pool.c): pool lock */
	struct be_host *pool_next, *timer_next;
	bool in_runq, pool_running, in_timers;
	bool watched;          /* be_host_watch true: served first */
	bool unwatched;        /* be_host_watch false: its re-reads may wait */
	bool probes_wanted;    /* be_host_want_probes: pools and probes at once, watched or not */
	bool urgent;           /* be_pool_kick_first: to the head of the line once */
	uint32_t pool_dest;    /* its server (be_pace_key, hashed): be_pool's per-server limit */
	/* deferred network / pool re-reads (be_relist); worker */
	unsigned relist_pending;   /* bit 0 networks, bit 1 pools, bit 2 VMs (vm_pending) */
	int64_t relist_at_ms[3];
	int64_t reread_hold_ms;    /* worker: queued re-reads wait until then (be_queue_push) */
	char **vm_pending;         /* VMs (uuid) whose events wait */
	size_t nvm_pending, vm_pending_cap;
	int64_t timer_at_ms;
	/* connect pacing (be_host.c): its lock */
	struct be_host *pace_next;
	bool pace_queued;
	bool pace_dest;            /* it holds a slot of its destination (released once logged in) */
	/* the domains of the last VM list (be_devices.c); worker */
	struct be_domlist *domlist;
	bool setup_due;            /* worker: opened; the lists and registrations are a later step */
	/* its setup waits for the login line (be_setup_held): be_host.c's pace lock */
	bool setup_held;
	struct be_host *held_next;
	/* the connect deadline (be_connect_open, be_open_tick): lock */
	int64_t open_deadline_ms;  /* an open in progress must answer by then; 0 = none */
	bool open_stalled;         /* it did not: "not answering" posted, its connect slot given back */
	bool probes_due;           /* worker: the probes wait until the host is on screen (be_host_watch) */
};

/* be_loop.c */
void be_post(md_msg *m);     /* to the UI queue; dropped after be_fini */
void be_post_busy(const be_host *h, int delta);
void be_post_result(const be_host *h, const be_job *j, bool ok, char *text); /* takes text */
/* OP_RESULT after a failed libvirt call: "Could not <op> "NAME": <libvirt's
 * message>"; marks the connection lost when it is. */
void be_post_fail(be_host *h, const be_job *j, const char *name);
/* The text of job j's failed libvirt call (caller frees): libvirt's message,
 * or "not supported by the lxc driver" for VIR_ERR_NO_SUPPORT, which also
 * marks the op's ability missing (be_caps_learn). Checks the connection. */
char *be_job_error(be_host *h, const be_job *j);
/* Copy of libvirt's last error of this thread (never NULL); *code may be NULL. */
char *be_last_error(int *code);
void be_live_hosts_add(int delta);

/* be_pool.c: the worker threads that run every host's steps.
 * kick (h->lock held): h has work, queue it unless it is queued or running.
 * step_done (h->lock held, by be_host_step): the step ended; more: queue it
 * again; else timer_at_ms (core_now_ms clock, 0 = none): queue it then;
 * finished: its last step (forget its timer). figures: workers now, the
 * most at once, the base number ($VMMC_WORKERS, default 8). quit (be_fini):
 * idle workers end; waits up to timeout_ms. */
void be_pool_kick(be_host *h);
void be_pool_kick_first(be_host *h);  /* the same, to the head of the line */
bool be_pool_unwatched(be_host *h);   /* be_host_watch said false (never told: no) */
bool be_pool_probes_wait(be_host *h); /* unwatched and no be_host_want_probes */
void be_pool_step_done(be_host *h, bool more, int64_t timer_at_ms, bool finished);
void be_pool_figures(int *workers, int *peak, int *base);
void be_pool_quit(int timeout_ms);
/* The calling worker's step now waits on the network (a login and open:
 * on) or no longer (off): another worker may start meanwhile (be_pool.c). */
void be_pool_waiting(bool on);
/* The most connects in flight at once ($VMMC_CONNECT_TOTAL; be_host.c). */
int be_connect_total(void);

/* be_host.c */
/* One step of h's work on a pool worker: a job, a connect, a lost
 * connection, or its end (then h's pool reference is dropped). */
void be_host_step(be_host *h);
/* The delay before reconnect attempt n (0 = the first retry), in ms:
 * the backoff (1, 2, 4, 8, 16, 30 s) spread by rnd (0 .. UINT32_MAX) over
 * 50-150 % of it, so that hosts lost together do not all retry at once. */
int64_t be_backoff_ms(int attempt, uint32_t rnd);
void be_host_ref(be_host *h);
void be_host_unref(be_host **h);
/* Mark the connection lost (any thread); the worker reconnects. */
void be_host_mark_dead(be_host *h, const char *reason);
/* After a failed call with error code: marks the connection lost if it is. */
void be_host_check_conn(be_host *h, int code, const char *msg);
/* After a failed call: *err = copy of the error, check the connection; -1. */
int be_host_fail(be_host *h, char **err);

/* Any thread: a reference (virConnectRef; release with virConnectClose)
 * to the host's connection when it is up and not known lost, else NULL;
 * *gen (may be NULL) = which connection it is (bumped on each connect). */
virConnectPtr be_host_conn_get(be_host *h, uint64_t *gen);
bool be_host_stopping(be_host *h);   /* be_host_free was called (any thread) */
/* Queue an internal job (BE_JOB_POOLS_EVENT ...) unless one is queued. */
void be_host_queue_event(be_host *h, int op);
/* The same for one VM (uuid): an equal one (op and uuid) already queued wins. */
void be_host_queue_vm_event(be_host *h, int op, const char *uuid);

/* Queue a job made by another backend file. Takes j: once queued the
 * worker may run and free it, and anything it names, at once, so copy what
 * the caller still needs before. false (j freed) when the host is stopping. */
bool be_host_push_job(be_host *h, be_job *j);

/* be_ssh.c (any thread): for an ssh:// host, a libvirt URI that reaches
 * the daemon over an SSH channel of its own (an exec channel running
 * virt-ssh-helper: sshd returns its window sooner than a forwarded
 * socket's), for a transfer's own connection; NULL when there is none.
 * Caller frees. */
char *be_ssh_xfer_uri(be_host *h);

/* be_graphics.c (worker): run BE_OP_GRAPHICS_*; a VM changed (its forwards
 * go when it stopped); the connection is closing (all of them go). */
void be_graphics_job(be_host *h, const be_job *j);
void be_graphics_vm_event(be_host *h, const char *uuid);
void be_graphics_host_closing(be_host *h);

/* be_console.c: run a BE_JOB_CONSOLE_* job (worker); the host's connection
 * is closing (worker): tear down its consoles, posting CLOSED. */
void be_console_job(be_host *h, const be_job *j);
void be_console_host_closing(be_host *h);
/* The host closes its connection: Settings' domains kept for it are freed. */
void be_devices_host_closing(be_host *h);

/* The URI to open: ssh transports get no_tty=1 (batch mode, no prompts). */
char *be_open_uri(const char *uri);

/* be_list.c (VMs), be_net.c, be_storage.c: each posts its list message;
 * 0 or -1 with *err. */
int be_list_vms(be_host *h, char **err);
int be_list_nets(be_host *h, char **err);
int be_list_pools(be_host *h, char **err);
/* A listing failed: a driver without networks or storage (NO_SUPPORT)
 * posts an empty list of type and returns 0; else be_host_fail. */
int be_list_fail(be_host *h, char **err, int type);
/* be_storage.c: a <volume> document (raw or qcow2, allocation 0). */
char *be_vol_xml(const char *name, uint64_t capacity, const char *format,
		 const char *backing_path, const char *backing_format);
void be_list_free(be_host *h); /* the worker's end: what the lists keep */
/* Post n records (be_recs_read) as the VM list, with the flags of the last full list. */
void be_list_post_recs(be_host *h, virDomainStatsRecordPtr *recs, int n);
/* be_host.c: the host is reached over a network (ssh://, qemu+ssh:// ...). */
bool be_conn_is_remote(const be_host *h);
/* Post MD_MSG_VM_UPDATE or, when the VM is gone, MD_MSG_VM_REMOVED. */
void be_vm_post(be_host *h, const char *uuid);
/* The same with the domain looked up already (the caller keeps it). */
void be_vm_post_dom(be_host *h, virDomainPtr dom, const char *uuid);

/* be_names.c (worker): what the UI was told, so that a removal is posted
 * once and by name. set_list replaces all (a VM list), put one (an update);
 * take removes one and returns its name (caller frees), NULL if unknown;
 * get finds a listed VM's name, or a recently taken one's. */
void be_names_set_list(be_host *h, const md_vm *vms, size_t n);
void be_names_put(be_host *h, const char *uuid, const char *name);
const char *be_names_get(const be_host *h, const char *uuid);
char *be_names_take(be_host *h, const char *uuid);
void be_names_free(be_host *h);

/* be_dom.c */
void be_dom_job(be_host *h, const be_job *j);
/* be_devices.c: BE_OP_VM_DETAILS, BE_OP_VM_CHANGE (worker). */
void be_devices_job(be_host *h, const be_job *j);

/* be_storage.c / be_net.c: the storage and network jobs (worker). */
void be_storage_job(be_host *h, const be_job *j);
void be_net_job(be_host *h, const be_job *j);

/* be_usage.c: which VMs use which volumes, networks, MACs (from each
 * VM's XML, read once per call of be_usage_load). */
typedef struct be_vm_use {
	char *name;
	bool active;
	char **paths;          /* disk sources: file / dev / dir */
	size_t npaths;
	char **spools, **svols; /* <source pool= volume=> pairs */
	size_t npv;
	char **nets;           /* <interface type='network'> source networks */
	size_t nnets;
	char **bridges;        /* <interface type='bridge'> and live bridge targets */
	size_t nbridges;
	char **macs;           /* interface MACs, lowercase */
	size_t nmacs;
} be_vm_use;
typedef struct be_usage {
	be_vm_use *v;
	size_t n;
} be_usage;
/* active_only: running VMs only. 0 or -1 (libvirt error left set). */
int be_usage_load(virConnectPtr conn, bool active_only, be_usage *u);
void be_usage_free(be_usage *u);
/* Names of the VMs whose disks are path, or pool/vol; under: any disk
 * whose path starts with under + '/' (NULL: not asked). Caller frees
 * with be_strv_free (be_xml.h). */
char **be_usage_vol(const be_usage *u, const char *path, const char *pool, const char *vol,
		    const char *under, size_t *n);
char **be_usage_net(const be_usage *u, const char *net, const char *bridge, size_t *n);
const char *be_usage_mac(const be_usage *u, const char *mac); /* VM name or NULL */
/* "'a', 'b'" (caller frees) */
char *be_names_join(char *const *names, size_t n);

/* be_stats.c: BE_OP_STATS (one bulk call per host), and its state's end. */
void be_stats_job(be_host *h);
void be_stats_free(be_host *h);
/* The bulk stats call of a tick (all its groups). */
/* Drivers without bulk stats (MD_CAP_BULK_STATS learned): be_recs_by_info. */
int be_stats_read(be_host *h, virDomainStatsRecordPtr **recs);
/* Records of be_stats_read, read between t0 and t1 (core_now_us), as the
 * previous tick: the next BE_OP_STATS gives rates at once (batch mode's
 * first list). */
void be_stats_baseline(be_host *h, virDomainStatsRecordPtr *recs, int n, int64_t t0, int64_t t1);

/* be_ssh.c */
/* Worker: open the SSH session (prompting), find and forward the remote
 * socket; *open_uri = the URI libvirt opens. 0, -1 (retry may help) or -2
 * (it will not: bad URI, refused host key or login) with *err. */
int be_ssh_prepare(be_host *h, char **open_uri, char **err);
char *be_ssh_via(be_host *h);      /* for md_host.via; NULL when not SSH */
void be_ssh_close(be_host *h);     /* end the session (worker) */
void be_ssh_free(be_host *h);      /* and everything else (worker's end) */
void be_ssh_use_loop(void);        /* the sessions served on our libvirt loop (be_init, once) */
/* virConnectOpenAuth whose credential questions go to the UI (worker). */
virConnectPtr be_open_auth(be_host *h, const char *uri);

/* be_caps.c (worker): what the connection's driver can do.
 * be_caps_probe: after a connect and its first lists: the driver's name and
 * read-only probes on a VM (managed save, snapshots, autostart; a console
 * by a device name no VM has), posted as MD_MSG_HOST_CAPS. be_caps_reset: a new
 * connection forgets the old answers. be_caps_learn: a job failed with
 * code: when it is VIR_ERR_NO_SUPPORT, the op's bit is set and posted;
 * returns the text for the user ("not supported by the lxc driver") or
 * NULL. be_caps_set: bits found missing elsewhere, posted when new.
 * be_recs_read: virConnectGetAllDomainStats of groups (NOWAIT when the
 * driver takes it); a driver without it (VIR_ERR_NO_SUPPORT, remembered)
 * gets records made of virConnectListAllDomains + virDomainGetInfo per VM
 * (state.state, state.reason 0, vcpu.current, balloon.*, cpu.time).
 * Free with virDomainStatsRecordListFree; -1 with libvirt's error set. */
void be_caps_probe(be_host *h);
void be_caps_reset(be_host *h);
char *be_caps_learn(be_host *h, int op, int code);
void be_caps_set(be_host *h, unsigned bits);
int be_recs_read(be_host *h, unsigned groups, virDomainStatsRecordPtr **recs);
/* A failed connect's text (takes err): for esx://, vpx://, gsx://, a
 * server's fault comes first ("Login failure (the server's answer to
 * Login)"); refused for their certificate, the option that skips the check
 * is named and *final set (retrying cannot help). */
char *be_connect_hint(const char *uri, char *err, bool *final);
/* The pools of a driver without virConnectListAllStoragePools (ESX's
 * datastores): the active and defined names, each looked up. The count,
 * *pools as virConnectListAllStoragePools gives it; -1 with libvirt's error. */
int be_pools_legacy(virConnectPtr conn, virStoragePoolPtr **pools);
/* be_caps.c: a pool's volumes, through the older calls where the driver lacks
 * virStoragePoolListAllVolumes (esx); *vols freed with free() after each unref. */
int be_vols_list(virStoragePoolPtr pool, virStorageVolPtr **vols);

/* be_demo.c: apply the <vmmc:demo> settings of a test:/// file. */
void be_demo_seed(be_host *h);

/* be_agent.c: the guest agent (be_agent.h). new/free with the host;
 * register/unregister with the other event callbacks (worker); fill_list
 * sets vms[i].agent for the list's records (XML read only for VMs not seen
 * before), fill_vm re-reads one VM's XML; job runs BE_OP_AGENT_*. */
struct be_agent *be_agent_new(void);
void be_agent_free(struct be_agent **ag);
void be_agent_register(be_host *h, void (*unref_cb)(void *));
void be_agent_unregister(be_host *h);
size_t be_agent_fill_list(be_host *h, virDomainStatsRecordPtr *recs, int n, md_vm *vms);
void be_agent_scan(be_host *h);      /* BE_JOB_AGENT_SCAN: a chunk, then queues the next */
bool be_agent_pending(be_host *h);   /* VMs whose XML is still to read */
void be_agent_fill_vm(const be_host *h, virDomainPtr dom, md_vm *v);
void be_agent_job(be_host *h, const be_job *j);
/* Automatic time sync (event loop thread, no libvirt call): a lifecycle
 * event of VM uuid; RESUMED, and STARTED after a restore or a revert, queue
 * BE_JOB_AGENT_AUTOSYNC. */
void be_agent_lifecycle(be_host *h, const char *uuid, int event, int detail);
/* BE_JOB_AGENT_AUTOSYNC (worker): when the VM's metadata enables it, sync
 * its clock through the agent now, or when its agent connects (within
 * BE_AUTOSYNC_WAIT_S). */
void be_agent_autosync_job(be_host *h, const char *uuid);
/* be_iso.c (worker): BE_OP_ISO_PROBE, INSTALL_PREP, INSTALL_START; the
 * end of an install run: a shut-off VM whose definition records extracted
 * installer volumes (<metadata> vmmc:install) gets them removed and the
 * record dropped (after each VM event, and after a connect for the VMs
 * whose NAME.install-kernel volume is in an active pool: one listing per
 * pool); a volume as an image
 * reader (ranged downloads; the pointers stay the caller's). */
void be_iso_job(be_host *h, const be_job *j);
void be_install_cleanup(be_host *h, const char *uuid);
void be_install_scan(be_host *h);
struct be_iso_reader;
int be_iso_reader_vol(struct be_iso_reader *r, virConnectPtr conn, virStorageVolPtr vol, char **err);
void be_iso_reader_vol_close(struct be_iso_reader *r);
/* The image's files f[0] and f[1] (the installer's kernel and initrd) into
 * new raw volumes names[] of pool, on conn: the directories read first
 * (both found, the pool's room checked: nothing made before), then each
 * file streamed from the image straight into its volume's upload (no copy
 * of it here). -1 with *err: the volumes made are removed. */
struct be_iso_file;
struct be_iso_extract_stats;
int be_iso_extract(virConnectPtr conn, struct be_iso_reader *r, virStoragePoolPtr pool, struct be_iso_file *f,
		   const char *const names[2], struct be_iso_extract_stats *stats, char **err);
/* be_xfer.c: a connection of a transfer's own to h's daemon (over its own
 * SSH channel for a far ssh:// host, be_ssh_xfer_uri; a socket connect
 * for a local one), keepalive set; NULL when there is none (use h->conn).
 * Any thread; the caller closes it. */
virConnectPtr be_xfer_conn_open(be_host *h);
/* be_host.c: how long re-reads (events' list refreshes) wait after a
 * wizard's step (be_op_chained), for its next step to go first */
enum { BE_REREAD_HOLD_MS = 500 };

/* be_devices.c (worker): the handles of a VM list (bulk stats records),
 * kept for Settings (no lookup); dropped with the connection. */
void be_devices_list_seen(be_host *h, virDomainStatsRecordPtr *recs, int n);
/* be_evloop.c: libvirt's event loop on epoll (O(ready) per wake, not
 * O(connections)); register once before any connection, run on the loop
 * thread until *stop, interrupt wakes it to see the flag. */
int be_evloop_register(char **err);
void be_evloop_run(const _Atomic bool *stop);
void be_evloop_interrupt(void);
/* how long the loop's thread has been away from its wait (running
 * callbacks; not running at all), 0 while it waits; any thread */
int64_t be_evloop_away_ms(void);
/* live handles, timers; the loop's passes since the start, and its scans
 * of the timer list among them (NULL: not wanted) */
void be_evloop_figures(int *handles, int *timers, unsigned long long *wakes, unsigned long long *scans);
/* be_host.c (worker): h's login is authenticated - its destination's slot
 * (unauthenticated logins, sshd's MaxStartups) goes to the next host in
 * line; the total slot stays held until the open's end. */
void be_pace_authenticated(be_host *h);

#endif
