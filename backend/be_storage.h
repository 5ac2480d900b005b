/* backend/be_storage.h - storage pools, volumes, virtual networks and volume
 * transfers (upload / download): the contract for tui/ and wizards/.
 * No libvirt types here; everything libvirt runs on backend threads.
 *
 * ---- Lists (what the model holds) -------------------------------------
 * MD_MSG_POOL_LIST and MD_MSG_NET_LIST (core/model.h) carry the full lists,
 * sorted by name (strcmp, virsh's order). They come after every connect and
 * BE_OP_REFRESH, on libvirt's pool/network lifecycle events, and after every
 * job below that changed something. Per pool (md_pool): name, uuid, type
 * ("dir", "netfs", "logical" ...), state (active), autostart, capacity,
 * allocation, available, target path; its volumes (md_vol, sorted by name):
 * name, key, path, format ("qcow2", "raw", "iso" ...), capacity, allocation,
 * and users[]: the names of the VMs (any state) whose disk source is that
 * volume (by path, or <source pool= volume=>). The VMs' disks are read
 * once per pool list (one XML per VM), not on stats ticks. Per network
 * (md_net): name, uuid, active, autostart, forward ("nat", "route",
 * "isolated", "bridge", "open" ...), bridge, ipv4 address and prefix, DHCP
 * range, DNS domain.
 *
 * ---- Jobs ------------------------------------------------------------------
 * be_host_submit_arg() queues a job on the host's worker like
 * be_host_submit(); it TAKES arg (a payload struct below, allocated by the
 * caller; arg_free is called on it by the backend when the job is done or
 * dropped, also if the host is being freed). arg may be NULL where the
 * table says "-". The UI thread never touches arg again after the call.
 *
 *   op                      uuid          arg
 *   BE_OP_POOL_START        pool uuid     -
 *   BE_OP_POOL_STOP         pool uuid     -            (virStoragePoolDestroy)
 *   BE_OP_POOL_REFRESH      pool uuid     -
 *   BE_OP_POOL_AUTOSTART_ON / _OFF        pool uuid   -
 *   BE_OP_POOL_DELETE       pool uuid     be_pool_del  (refused while a VM
 *                           uses one of its volumes: the text names the VMs)
 *   BE_OP_POOL_CREATE       NULL          be_pool_spec
 *   BE_OP_VOL_CREATE        pool uuid     be_vol_spec
 *   BE_OP_VOL_DELETE        pool uuid     be_vol_op (.vol)   refused in use
 *   BE_OP_VOL_RESIZE        pool uuid     be_vol_op (.vol, .capacity, .shrink)
 *   BE_OP_VOL_CLONE         pool uuid     be_vol_op (.vol, .new_name, .dst_pool)
 *   BE_OP_NET_CREATE        NULL          be_net_spec
 *   BE_OP_NET_START / _STOP net uuid      -
 *   BE_OP_NET_AUTOSTART_ON / _OFF         net uuid    -
 *   BE_OP_NET_DELETE        net uuid      -  (stops and undefines; refused
 *                           while running VMs use it: the text names them)
 *   BE_OP_NET_LEASES        net uuid      -  posts MD_MSG_NET_LEASES first
 *   BE_OP_NET_SUGGEST       NULL          -  OP_RESULT text = a free private
 *                           IPv4 /24 ("192.168.124.0/24") that no network of
 *                           the host and (local hosts) no route uses
 *
 * Answers, in this order, all with the job's .seq and .op:
 *   1. (NET_LEASES only) MD_MSG_NET_LEASES: .ext is a be_lease_list (below),
 *      .ext_free frees it; a failed read posts it with n = 0.
 *   2. MD_MSG_OP_RESULT: .ok; .text says what went wrong (NULL or a short
 *      note such as "Pool \"x\" started" when ok); .uuid = the job's uuid.
 *   3. when something changed: a fresh MD_MSG_POOL_LIST (pool and volume
 *      ops) or MD_MSG_NET_LIST (network ops).
 * Bad input is refused by the worker with ok=false and a text naming the
 * field ("Volume name: may not contain '/'"), and nothing is created. Pool
 * and network XML is built with libxml2 (names with < & " ' are fine). A
 * create that fails half-way undoes what it did (a defined-but-unbuilt pool
 * is undefined; a network that would not start is undefined).
 *
 * ---- Transfers -------------------------------------------------------------
 * be_xfer_start() starts an upload (local file -> volume) or a download
 * (volume -> local file). Each transfer runs on a thread of its own, not on
 * the host's worker: a transfer takes minutes and the worker must go on
 * answering lists, stats and lifecycle jobs. The thread holds a reference
 * to the be_host and a reference (virConnectRef) to the host's connection
 * of the moment; libvirt multiplexes the stream with the worker's calls on
 * that one connection (one SSH session per host, as before). When the
 * connection is lost the thread waits (up to BE_XFER_RECONNECT_WAIT_S) for
 * the worker to reconnect, then goes on with the new connection.
 *
 * Data moves in segments (virStorageVolUpload/Download with offset and
 * length; by default each holds a quarter of the data, 32 MiB to 1 GiB,
 * holes not counted; spec.segment overrides):
 * each segment ends with virStreamFinish, which returns once the host has
 * written it: that is the "confirmed" offset. After a lost link, an upload
 * resumes at the last confirmed offset, not at zero. Sparse files (and
 * spec.sparse downloads) go as data plus holes (VIR_STORAGE_VOL_UPLOAD_-
 * SPARSE_STREAM, virStreamSparseSendAll / RecvAll): holes are not sent.
 * Within a segment data flows without waiting for answers (libvirt's
 * stream packets of 256 KiB, read with pread straight into libvirt's
 * buffer); the local SHA-256 reads 4 MiB at a time.
 *
 * Progress: MD_MSG_XFER messages, .ext = md_xfer (core/model.h; md_apply
 * keeps the model's list current), at most 10 a second per transfer, plus
 * one for each state change; the last one has a final state (DONE, FAILED,
 * CANCELLED) and .text the reason/result. No OP_RESULT for transfers.
 *
 * Checks before anything is made (FAILED with a clear text, nothing left):
 * local path missing / a directory / unreadable; volume name with '/';
 * an upload into an existing volume smaller than the file; not enough
 * room in the pool; a download whose folder is not writable, or to a file
 * that exists (unless spec.overwrite). A download writes NAME.part in the
 * target folder and renames it at the end; on failure or cancel the part
 * file is removed. An upload into a volume it created removes that volume
 * on failure or cancel; a volume that existed before is never removed.
 *
 * Threads: every function here is safe from any thread and does no I/O
 * and no libvirt call on the caller's thread (be_xfer_start only checks
 * its arguments' form and starts the thread).
 */
#ifndef BACKEND_BE_STORAGE_H
#define BACKEND_BE_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "be.h"

/* ---- jobs with a payload ---------------------------------------------------- */

/* Like be_host_submit (uuid: the pool or network, see the table), taking
 * arg: arg_free(arg) is called by the backend (any thread) once the job no
 * longer needs it; use be_storage_arg_free for the structs below. */
uint64_t be_host_submit_arg(be_host *h, int op, const char *uuid, void *arg,
			    void (*arg_free)(void *));

/* Frees any of the payload structs below (their .tag says which). */
void be_storage_arg_free(void *arg);

enum be_arg_kind {
	BE_ARG_POOL_SPEC = 1,
	BE_ARG_POOL_DEL,
	BE_ARG_VOL_SPEC,
	BE_ARG_VOL_OP,
	BE_ARG_NET_SPEC,
};

enum be_pool_kind {
	BE_POOL_DIR = 0,     /* path: the directory (created if missing; an
	                        existing file there is refused) */
	BE_POOL_NETFS,       /* host + source (NFS export), path: mount point */
	BE_POOL_LOGICAL,     /* source: an existing volume group's name */
	BE_POOL_XML,         /* xml: a whole <pool> document, validated by libvirt */
};

/* BE_OP_POOL_CREATE: define, build (dir: mkdir; netfs: mount point),
 * start, set autostart; undone on failure. */
typedef struct be_pool_spec {
	int tag;             /* BE_ARG_POOL_SPEC (set by be_pool_spec_new) */
	int kind;            /* enum be_pool_kind */
	char *name;          /* not for BE_POOL_XML (the XML has it) */
	char *path;
	char *host;
	char *source;
	char *xml;
	bool autostart;      /* be_pool_spec_new: true */
} be_pool_spec;
be_pool_spec *be_pool_spec_new(void);

/* BE_OP_POOL_DELETE: stop, (contents: delete each volume, then the
 * directory: virStoragePoolDelete), undefine. */
typedef struct be_pool_del {
	int tag;             /* BE_ARG_POOL_DEL */
	bool contents;       /* also delete its volumes and directory */
} be_pool_del;
be_pool_del *be_pool_del_new(bool contents);

/* BE_OP_VOL_CREATE */
typedef struct be_vol_spec {
	int tag;             /* BE_ARG_VOL_SPEC */
	char *name;          /* no '/', not empty */
	char *format;        /* "qcow2" or "raw" (NULL: qcow2) */
	uint64_t capacity;   /* bytes, > 0 (core_size_parse); with a backing
	                        volume 0 = the backing volume's capacity */
	char *backing;       /* NULL, or a volume (name in this pool, or a path
	                        or key) that a qcow2 overlay is based on */
} be_vol_spec;
be_vol_spec *be_vol_spec_new(void);

/* BE_OP_VOL_DELETE / _RESIZE / _CLONE */
typedef struct be_vol_op {
	int tag;             /* BE_ARG_VOL_OP */
	char *vol;           /* the volume's name in the pool (job's uuid) */
	uint64_t capacity;   /* RESIZE: the new capacity in bytes */
	bool shrink;         /* RESIZE: allow a smaller capacity (else refused) */
	char *new_name;      /* CLONE: the copy's name */
	char *dst_pool;      /* CLONE: uuid of the target pool, NULL = same pool */
} be_vol_op;
be_vol_op *be_vol_op_new(const char *vol);

enum be_net_mode {
	BE_NET_NAT = 0,
	BE_NET_ROUTE,
	BE_NET_ISOLATED,
};

/* BE_OP_NET_CREATE: define, start, autostart; refused when the subnet
 * overlaps another network of the host or (local host) a route. */
typedef struct be_net_spec {
	int tag;             /* BE_ARG_NET_SPEC */
	char *name;
	int mode;            /* enum be_net_mode */
	char *subnet;        /* "192.168.124.0/24"; the host part of the
	                        address given is ignored; the gateway is .1 */
	bool dhcp;           /* be_net_spec_new: true */
	char *dhcp_start;    /* NULL: second host address .. */
	char *dhcp_end;      /* NULL: last host address */
	char *domain;        /* DNS domain, NULL = none */
	char *dev;           /* ROUTE/NAT: forward dev, NULL = any */
	bool autostart;      /* be_net_spec_new: true */
} be_net_spec;
be_net_spec *be_net_spec_new(void);

/* MD_MSG_NET_LEASES payload (.ext), freed by .ext_free. */
typedef struct be_lease {
	char *mac;           /* "52:54:00:..." */
	char *ip;            /* "192.168.124.57" */
	int prefix;
	char *hostname;      /* NULL when the client sent none */
	int64_t expiry;      /* epoch seconds, 0 = never */
	char *vm;            /* the VM with that MAC on this host, NULL = none */
} be_lease;
typedef struct be_lease_list {
	char *net;           /* the network's name */
	be_lease *v;
	size_t n;
} be_lease_list;
void be_lease_list_free(void *list);

/* ---- transfers ----------------------------------------------------------------- */

enum be_xfer_dir { BE_XFER_UPLOAD = 0, BE_XFER_DOWNLOAD };

enum { BE_XFER_RECONNECT_WAIT_S = 300 };

typedef struct be_xfer_spec {
	int dir;             /* enum be_xfer_dir */
	const char *local;   /* local file: read (upload) / written (download) */
	const char *pool;    /* the pool's uuid */
	const char *vol;     /* volume name; upload: created when missing */
	const char *format;  /* unused for now: a new volume is made raw, and the
	                        pool refresh after the upload detects a qcow2
	                        (or other) header in what was uploaded */
	bool sparse;         /* holes not sent (upload: read with SEEK_DATA;
	                        download: holes written as holes) */
	bool hash;           /* SHA-256 of the local file (before an upload,
	                        after a download): md_xfer.sha256 */
	bool verify;         /* upload: read the volume back and compare its
	                        SHA-256 with the file's (implies hash) */
	bool overwrite;      /* download: replace an existing local file */
	uint64_t segment;    /* bytes per confirmed segment, 0 = default */
} be_xfer_spec;

/* Start a transfer on host h (copies spec). Returns its id (> 0, unique
 * in the process): the md_xfer.id of its progress messages. Never fails
 * here: problems come as a FAILED MD_MSG_XFER. */
uint64_t be_xfer_start(be_host *h, const be_xfer_spec *spec);
/* Ask a transfer to stop (any thread); it posts CANCELLED when it has
 * cleaned up. Unknown or finished ids are ignored. */
void be_xfer_cancel(uint64_t id);
/* Transfers still running (all hosts). */
size_t be_xfer_running(void);

#endif
