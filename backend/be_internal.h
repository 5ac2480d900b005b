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
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;      /* wakes the worker: job, stop, dead */
	pthread_cond_t done_cond; /* the worker has finished */

	/* lock */
	be_job *head, *tail;
	uint64_t next_seq;
	bool stop;             /* be_host_free was called */
	bool done;             /* the worker has returned */
	bool dead;             /* the connection was lost (close callback ...) */
	char *dead_reason;
	struct core_prompt *prompt; /* the question the worker waits for, or NULL */

	/* worker */
	virConnectPtr conn;
	int cb_dom, cb_net, cb_pool; /* event callback ids, -1 = none */
	bool cb_close;
	int backoff;           /* failed attempts since the last success */
	int64_t retry_at_ms;   /* next connection attempt, 0 = none */
	bool local_qemu;       /* qemu:///system on this machine: pid files */
	struct be_stats *stats; /* live figures' previous samples (be_stats.c) */
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
};

/* be_loop.c */
void be_post(md_msg *m);     /* to the UI queue; dropped after be_fini */
void be_post_busy(const be_host *h, int delta);
void be_post_result(const be_host *h, const be_job *j, bool ok, char *text); /* takes text */
/* Copy of libvirt's last error of this thread (never NULL); *code may be NULL. */
char *be_last_error(int *code);
void be_live_hosts_add(int delta);

/* be_host.c */
void be_host_ref(be_host *h);
void be_host_unref(be_host **h);
/* Mark the connection lost (any thread); the worker reconnects. */
void be_host_mark_dead(be_host *h, const char *reason);
/* After a failed call with error code: marks the connection lost if it is. */
void be_host_check_conn(be_host *h, int code, const char *msg);
/* After a failed call: *err = copy of the error, check the connection; -1. */
int be_host_fail(be_host *h, char **err);

/* Queue a job made by another backend file (takes j; freed if stopping). */
void be_host_push_job(be_host *h, be_job *j);

/* be_console.c: run a BE_JOB_CONSOLE_* job (worker); the host's connection
 * is closing (worker): tear down its consoles, posting CLOSED. */
void be_console_job(be_host *h, const be_job *j);
void be_console_host_closing(be_host *h);

/* The URI to open: ssh transports get no_tty=1 (batch mode, no prompts). */
char *be_open_uri(const char *uri);

/* be_list.c: each posts its list message; 0 or -1 with *err. */
int be_list_vms(be_host *h, char **err);
int be_list_nets(be_host *h, char **err);
int be_list_pools(be_host *h, char **err);
void be_list_free(be_host *h); /* the worker's end: what the lists keep */
/* Post MD_MSG_VM_UPDATE or, when the VM is gone, MD_MSG_VM_REMOVED. */
void be_vm_post(be_host *h, const char *uuid);

/* be_dom.c */
void be_dom_job(be_host *h, const be_job *j);

/* be_stats.c: BE_OP_STATS (one bulk call per host), and its state's end. */
void be_stats_job(be_host *h);
void be_stats_free(be_host *h);
/* The bulk stats call of a tick (all its groups). */
int be_stats_read(virConnectPtr conn, virDomainStatsRecordPtr **recs);
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
/* virConnectOpenAuth whose credential questions go to the UI (worker). */
virConnectPtr be_open_auth(be_host *h, const char *uri);

/* be_demo.c: apply the <vmmc:demo> settings of a test:/// file. */
void be_demo_seed(be_host *h);

#endif
