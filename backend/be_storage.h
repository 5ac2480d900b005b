/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_storage.h - storage pools, volumes, virtual networks and volume
 * transfers (upload / download): the contract for tui/ and wizards/.
 * No libvirt types here; every libvirt call runs on a backend thread. All
 * functions here are safe from any thread (the UI's included): they copy
 * their arguments, queue work and return; none blocks or does I/O.
 *
 * ---- Lists (what the model holds) -------------------------------------
 * MD_MSG_POOL_LIST and MD_MSG_NET_LIST (core/model.h) carry full lists,
 * sorted by name (strcmp: virsh's order); md_apply replaces the host's.
 * They come after every connect and BE_OP_REFRESH, on libvirt's pool and
 * network lifecycle events, after every job below that changed something,
 * and after each upload or failed transfer. Per pool (md_pool): name, uuid,
 * type ("dir", "netfs", "logical" ...), active, autostart, capacity,
 * allocation, available (bytes), target path; active pools are refreshed
 * first and carry their volumes (md_vol, sorted by name): name, key, path,
 * format ("qcow2", "raw", "iso" ...), capacity, allocation, users[] = the
 * names of the VMs (any state) with a disk whose source is that path, or
 * <source pool= volume=> naming it. The VMs' XML is read once per pool
 * list (one call per VM, none when no pool has volumes), never on stats
 * ticks. Per network (md_net): name, uuid, active, autostart, forward
 * ("nat", "route", "isolated", "bridge", "open" ...), bridge, ipv4 (the
 * host's address on it) and prefix, dhcp_start/dhcp_end (NULL = no DHCP),
 * domain. Use md_pool_find / md_net_find (by uuid) and md_pool_copy /
 * md_net_copy / md_vol_copy to keep one past the next list.
 *
 * ---- Jobs ------------------------------------------------------------------
 * be_host_submit_arg() queues a job on the host's worker like
 * be_host_submit() and returns its seq; it TAKES arg (one of the payload
 * structs below, made with its _new function; NULL where the table says
 * "-"): the backend calls arg_free(arg) (be_storage_arg_free) when the job
 * is done or dropped (also when the host is freed first). The caller never
 * touches arg after the call.
 *
 *   op                         uuid        arg          refused when
 *   BE_OP_POOL_START           pool        -
 *   BE_OP_POOL_STOP            pool        -            (virStoragePoolDestroy)
 *   BE_OP_POOL_REFRESH         pool        -
 *   BE_OP_POOL_AUTOSTART_ON/_OFF pool      -
 *   BE_OP_POOL_DELETE          pool        be_pool_del  a VM (any state) uses a
 *                                                       volume of it, or a disk
 *                                                       under its path
 *   BE_OP_POOL_CREATE          NULL        be_pool_spec bad fields, name taken,
 *                                                       path is a file (local)
 *   BE_OP_VOL_CREATE           pool        be_vol_spec  bad name/format/size,
 *                                                       name taken, no backing
 *   BE_OP_VOL_DELETE           pool        be_vol_op    a VM (any state) uses it
 *   BE_OP_VOL_RESIZE           pool        be_vol_op    smaller without .shrink;
 *                                                       a running VM uses it
 *   BE_OP_VOL_CLONE            pool        be_vol_op    new name taken/bad; a
 *                                                       running VM uses the source
 *   BE_OP_NET_CREATE           NULL        be_net_spec  bad fields, name taken,
 *                                                       subnet overlaps a network
 *                                                       or (local host) a route
 *   BE_OP_NET_START / _STOP    net         -
 *   BE_OP_NET_AUTOSTART_ON/_OFF net        -
 *   BE_OP_NET_DELETE           net         -            a running VM is connected
 *                                                       (by network or its bridge)
 *   BE_OP_NET_LEASES           net         -
 *   BE_OP_NET_SUGGEST          NULL        -
 * (pool / net = the pool's / network's uuid string, md_pool.uuid.)
 *
 * Answers, in this order, all with the job's .seq and .op:
 *   1. NET_LEASES only: MD_MSG_NET_LEASES, .ext = be_lease_list (below),
 *      .ext_free frees it (take it: set .ext NULL); n = 0 on failure.
 *   2. MD_MSG_OP_RESULT: .ok; .text: on failure the reason ("Could not
 *      delete volume "disk.qcow2": it is used by VM 'web1': remove it from
 *      the VM's disks first"; a field refused names the field first: "Name:
 *      may not contain '/'", "Subnet: 192.168.122.0/24 overlaps network
 *      "default""), on success a short note ("Pool "x" started") or NULL
 *      (LEASES). NET_SUGGEST: .text NULL, .strs[0] = a free private IPv4
 *      /24 ("192.168.100.0/24", 192.168.100-254 first, then 10.x, 172.16-31)
 *      that no network of the host and, on a local host, no route uses.
 *   3. When something changed (also after a failure that undid a half-made
 *      create): a fresh MD_MSG_POOL_LIST (pool and volume jobs) or
 *      MD_MSG_NET_LIST (network jobs). Not after a refusal.
 * Refusals make nothing. A create that fails half-way undoes itself: a pool
 * that would not build or start is stopped and undefined (and the folder
 * removed when this run made it, local hosts); a network that would not
 * start is undefined. Pool, volume and network XML is built and read with
 * libxml2: names with < & " ' round-trip.
 *
 * ---- Transfers -------------------------------------------------------------
 * be_xfer_start() starts an upload (a local file into a new or existing
 * volume) or a download (a volume into a new local file). Each transfer
 * runs on a thread of its own, NOT on the host's worker: a transfer takes
 * minutes and the worker must go on with lists, stats and lifecycle jobs.
 * The thread holds a reference to the be_host and one (virConnectRef) to
 * the host's connection of the moment; libvirt multiplexes the stream with
 * the worker's calls on that connection (one SSH session per host, as
 * before). Several transfers may run at once, on one host or several.
 *
 * Segments and resume: data moves in segments (virStorageVolUpload /
 * Download with offset and length), the first holding a quarter of the
 * data (32 MiB to 1 GiB; holes do not count), the next ones that or 2 s
 * of data at the rate seen, whichever is more (spec.segment: a fixed
 * size), each closed with virStreamFinish, which returns once the host
 * has written it: the confirmed offset. When the link is lost (an SSH host's session cut,
 * the daemon gone), the thread says RECONNECTING, waits up to
 * BE_XFER_RECONNECT_WAIT_S for the worker's reconnect (be_host.c does it
 * with backoff), and goes on from the last confirmed offset on the new
 * connection (md_xfer.resumes counts it): at most one segment goes again
 * (a quarter of the data or 2 s of work).
 * The first steps (opening the pool, making the volume) are retried the
 * same way. Within a segment data flows without waiting for answers
 * (libvirt's stream packets of 256 KiB).
 *
 * Sparse (spec.sparse): an upload sends data plus holes (SEEK_DATA/HOLE on
 * the file, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM, virStreamSparseSendAll):
 * an 8 GiB file with 256 MiB of data moves 256 MiB and allocates about
 * that on the host. Into an existing volume an upload is never sparse
 * (a hole would leave the old bytes). A sparse download writes holes as
 * holes (VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM, virStreamSparseRecvAll).
 *
 * Progress: MD_MSG_XFER messages (.ext = md_xfer, core/model.h; md_apply
 * keeps md_model.xfers current: insert or replace by id, finished ones
 * kept until md_xfer_forget), at most 10 a second per transfer, plus one
 * at each state change: QUEUED, HASHING (spec.hash: SHA-256 of the file
 * before the upload), RUNNING, RECONNECTING, VERIFYING (spec.verify:
 * reading the volume back), then DONE, FAILED or CANCELLED with .text
 * ("Uploaded /x.iso (4 GiB, 4 GiB sent) in 9.1 s, 472 MB/s, verified" /
 * the reason). md_xfer: total = bytes of the file (upload) or of the
 * volume's file on the host (download: a qcow2's physical size); done =
 * offset reached (holes count); sent = bytes that travelled, resent ones
 * included; data = data bytes of the file; rate (bytes/s, smoothed) and
 * eta_s; sha256 (hex) and verified. No MD_MSG_OP_RESULT for transfers.
 *
 * Checks, before anything is made (FAILED with a clear text, nothing left):
 * local path missing, a folder, not a regular file, unreadable, empty;
 * volume name empty / with '/'; an existing volume smaller than the file;
 * a pool with less room than the file's data ("pool "p" is full: 3 GiB
 * free, the file needs 4 GiB"); a download whose folder is missing or not
 * writable ("the folder /ro cannot be written (read-only file system)"),
 * or whose file exists (unless spec.overwrite). If the pool fills up
 * during the upload anyway (another writer), it fails with "pool "p" is
 * full (... No space left on device)". A download writes NAME.part next
 * to NAME and renames it at the end; on failure or cancel the .part file
 * is removed. An upload removes, on failure or cancel, a volume it created;
 * a volume that existed before is never removed (its bytes up to the
 * failure are overwritten).
 *
 * Cancel: be_xfer_cancel(id) from any thread; the transfer stops at its
 * next callback (within one 256 KiB packet), aborts the stream, cleans up
 * as above and posts CANCELLED. be_host_free() on the host ends its
 * transfers the same way (FAILED, "the host is going away"); be_fini
 * waits for them like for the hosts.
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

/* Frees any of the payload structs below (their .tag says which) and
 * their strings: every char * in them is the struct's own (malloc'd, e.g.
 * xstrdup), NULL where unused. */
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

/* BE_OP_POOL_DELETE: (contents: delete each volume), stop, (contents:
 * remove the directory: virStoragePoolDelete), undefine. When the
 * directory cannot go, the pool is started again (less its volumes) and
 * the answer says why. */
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

/* Start a transfer on host h (copies spec and its strings). Returns its id
 * (> 0, unique in the process): the md_xfer.id of its progress messages.
 * Never fails here: problems come as a FAILED MD_MSG_XFER. */
uint64_t be_xfer_start(be_host *h, const be_xfer_spec *spec);
/* Ask a transfer to stop (any thread); it posts CANCELLED when it has
 * cleaned up. Unknown or finished ids are ignored. */
void be_xfer_cancel(uint64_t id);
/* Transfers still running (all hosts). */
size_t be_xfer_running(void);

/* ---- New Pool's XML page (pure: libxml2 only, no libvirt, any thread) ----
 * be_pool_xml_types: the libvirt pool types the page offers, NULL-ended.
 * be_pool_xml_skeleton: a <pool type=...> document for that type with
 * name (escaped by libxml2) and the source / target elements the type
 * needs, placeholders where the user must fill in; caller frees; NULL for
 * an unknown type. be_pool_xml_check: the checks before a define (well
 * formed, root <pool> with a type, a non-empty valid <name>): 0, or -1
 * with *err ("line 3: ..." for a parse error), caller frees. */
extern const char *const be_pool_xml_types[];
char *be_pool_xml_skeleton(const char *type, const char *name);
int be_pool_xml_check(const char *xml, char **err);
/* The type attribute of a <pool> document; NULL when none (or not XML). */
char *be_pool_xml_type_of(const char *xml);

#endif
