/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_xfer.c - volume uploads and downloads (be_storage.h).
 *
 * One thread per transfer, not the host's worker: a transfer takes
 * minutes and the worker must keep answering. The thread holds a be_host
 * reference and a virConnectRef of the host's connection; when that link
 * is lost it waits for the worker to reconnect and goes on from the last
 * segment the host confirmed (virStreamFinish returned). */
#include "be_detect.h"
#include "be_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "../core/log.h"
#include "../core/sha256.h"
#include "../core/storage.h"
#include "../core/util.h"
#include "be_storage.h"
#include "be_xml.h"

enum {
	BE_XFER_BUF = 4 << 20,             /* bytes per read / write */
	BE_XFER_POST_MS = 100,             /* at most 10 progress messages a second */
};

typedef struct be_xfer {
	struct be_xfer *next;              /* registry (be_xfer_lock) */
	uint64_t id;
	atomic_bool cancel;
	be_host *h;                        /* a reference */
	int dir;
	char *local, *pool_uuid, *vol, *format;
	bool sparse, hash, verify, overwrite;
	uint64_t segment;

	/* the thread's own */
	virConnectPtr conn;
	uint64_t conn_gen;
	virStoragePoolPtr pool;
	virStorageVolPtr v;
	int fd;
	char *part;                        /* download: NAME.part */
	bool created;                      /* upload: the volume is ours */
	uint64_t pos, seg_end;             /* in the current segment */
	core_sha256 sha;                   /* download: running hash */
	bool sha_valid;                    /* sha covers [0, pos) in order */
	char *err;                         /* why it failed (local I/O or libvirt) */
	char *lverr;                       /* libvirt's error, kept at a stream's
	                                      failure (Abort resets it) */
	int64_t last_post_ms, rate_ms;
	uint64_t rate_done;
	md_xfer st;                        /* what the UI is told */
} be_xfer;

static pthread_mutex_t be_xfer_lock = PTHREAD_MUTEX_INITIALIZER;
static be_xfer *be_xfers;
static uint64_t be_xfer_next_id;

/* ---- registry, progress -------------------------------------------------- */

static void be_xfer_post(be_xfer *x, bool force)
{
	int64_t now = core_now_ms();
	md_msg *m;
	md_xfer *c;

	if (!force && now - x->last_post_ms < BE_XFER_POST_MS)
		return;
	if (now - x->rate_ms >= 500 || force) {
		double dt = (double)(now - x->rate_ms) / 1000.0;
		if (dt > 0.05 && x->st.done >= x->rate_done) {
			double r = (double)(x->st.done - x->rate_done) / dt;
			x->st.rate = x->st.rate > 0 ? 0.5 * x->st.rate + 0.5 * r : r;
		}
		x->rate_ms = now;
		x->rate_done = x->st.done;
	}
	x->st.eta_s = x->st.rate > 1 && x->st.total >= x->st.done
			      ? (int)((double)(x->st.total - x->st.done) / x->st.rate)
			      : -1;
	x->last_post_ms = now;
	c = xcalloc(1, sizeof(*c));
	md_xfer_copy(c, &x->st);
	m = md_msg_new(MD_MSG_XFER, x->st.host_id);
	m->ext = c;
	m->ext_free = md_xfer_free_void;
	be_post(m);
}

static void be_xfer_state(be_xfer *x, int state)
{
	x->st.state = state;
	be_xfer_post(x, true);
}

size_t be_xfer_running(void)
{
	size_t n = 0;
	pthread_mutex_lock(&be_xfer_lock);
	for (be_xfer *x = be_xfers; x; x = x->next)
		n++;
	pthread_mutex_unlock(&be_xfer_lock);
	return n;
}

void be_xfer_cancel(uint64_t id)
{
	pthread_mutex_lock(&be_xfer_lock);
	for (be_xfer *x = be_xfers; x; x = x->next)
		if (x->id == id)
			atomic_store(&x->cancel, true);
	pthread_mutex_unlock(&be_xfer_lock);
}

static bool be_xfer_stopping(be_xfer *x)
{
	return atomic_load(&x->cancel) || be_host_stopping(x->h);
}

static void be_xfer_unlink(be_xfer *x)
{
	pthread_mutex_lock(&be_xfer_lock);
	for (be_xfer **p = &be_xfers; *p; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			break;
		}
	pthread_mutex_unlock(&be_xfer_lock);
}

static void be_xfer_drop_conn(be_xfer *x);

static void be_xfer_free(be_xfer *x)
{
	be_xfer_drop_conn(x);
	if (x->fd >= 0)
		close(x->fd);
	free(x->local);
	free(x->pool_uuid);
	free(x->vol);
	free(x->format);
	free(x->part);
	free(x->err);
	free(x->lverr);
	md_xfer_clear(&x->st);
	be_host_unref(&x->h);
	free(x);
}

/* ---- connection ----------------------------------------------------------- */

static void be_xfer_drop_conn(be_xfer *x)
{
	if (x->v)
		virStorageVolFree(x->v);
	if (x->pool)
		virStoragePoolFree(x->pool);
	if (x->conn)
		virConnectClose(x->conn);
	x->v = NULL;
	x->pool = NULL;
	x->conn = NULL;
}

/* After a failed stream: the link is gone (wait for it) or not. */
static bool be_xfer_link_lost(be_xfer *x)
{
	if (!x->conn || virConnectIsAlive(x->conn) == 1)
		return false;
	be_host_mark_dead(x->h, "connection lost during a transfer");
	return true;
}

/* After a failed libvirt call: true when the link was lost; else false
 * with libvirt's error in x->err (taken first: every call resets it). */
static bool be_xfer_lost_or_err(be_xfer *x)
{
	char *e = x->lverr ? x->lverr : be_last_error(NULL);
	x->lverr = NULL;
	if (be_xfer_link_lost(x)) {
		free(e);
		return true;
	}
	if (!x->err)
		x->err = e;
	else
		free(e);
	return false;
}

static int be_xfer_get_conn(be_xfer *x, bool newer);

/* An ssh:// host: a connection of the transfer's own over its own SSH
 * channel (be_ssh_xfer_uri) in place of the host's: the stream neither
 * waits behind the worker's calls nor shares their channel's window. One
 * connect more (a few round trips); the host's connection stays when it
 * fails. */
virConnectPtr be_xfer_conn_open(be_host *h)
{
	char *uri = be_ssh_xfer_uri(h);
	virConnectPtr c;
	/* A local QEMU daemon too (a socket connect, no login): a stream on
	 * the worker's client, when the daemon stops answering (SIGSTOP) and
	 * the keepalive closes the client under both, leaves libvirt 9.0 to
	 * dispatch the dead stream's late replies in the worker's call: a
	 * crash once the daemon goes on (tests/e2e/faults.sh). */
	if (!uri && (strncmp(h->uri, "qemu:///", 8) == 0 || strncmp(h->uri, "qemu+unix:///", 13) == 0))
		uri = xstrdup(h->uri);
	if (!uri)
		return NULL;
	c = virConnectOpen(uri);
	if (c) {
		virConnectSetKeepAlive(c, 5, 3); /* as the host's: a stopped daemon is found */
		core_log("xfer", "%s: a connection of its own (%s)", h->uri, uri);
	} else {
		char *e = be_last_error(NULL);
		core_log("xfer", "%s: no connection of its own (%s): the host's is used", h->uri, e);
		free(e);
	}
	free(uri);
	return c;
}

static void be_xfer_own_conn(be_xfer *x)
{
	virConnectPtr c = be_xfer_conn_open(x->h);
	if (c) {
		virConnectClose(x->conn);
		x->conn = c;
	}
}

/* Wait for the host's connection (a new one after a loss). 0, or -1 with
 * x->err (timeout) or on cancel. */
static int be_xfer_get_conn(be_xfer *x, bool newer)
{
	int64_t end = core_now_ms() + BE_XFER_RECONNECT_WAIT_S * 1000LL;
	uint64_t old = x->conn_gen, gen = 0;

	be_xfer_drop_conn(x);
	for (;;) {
		if (be_xfer_stopping(x))
			return -1;
		x->conn = be_host_conn_get(x->h, &gen);
		if (x->conn && (!newer || gen != old)) {
			be_xfer_own_conn(x);
			break;
		}
		if (x->conn)
			virConnectClose(x->conn);
		x->conn = NULL;
		if (core_now_ms() > end) {
			core_str_set(&x->err, "the host did not come back");
			return -1;
		}
		usleep(100 * 1000);
	}
	x->conn_gen = gen;
	if (!(x->pool = virStoragePoolLookupByUUIDString(x->conn, x->pool_uuid)))
		return be_xfer_lost_or_err(x) ? be_xfer_get_conn(x, true) : -1;
	free(x->st.pool);
	x->st.pool = xstrdup(virStoragePoolGetName(x->pool));
	return 0;
}

/* A step failed: when the link was lost, wait for the new one (true:
 * try the step again); else false with x->err. */
static bool be_xfer_retry(be_xfer *x)
{
	if (be_xfer_stopping(x) || x->err || !be_xfer_lost_or_err(x))
		return false;
	be_xfer_state(x, MD_XFER_RECONNECTING);
	if (be_xfer_get_conn(x, true) < 0)
		return false;
	x->st.resumes++;
	return true;
}

/* ---- local file ------------------------------------------------------------ */

static char *be_errno_text(const char *path, int e, bool writing)
{
	if (e == ENOENT)
		return xasprintf("%s does not exist", path);
	if (e == EACCES || e == EPERM)
		return xasprintf("%s cannot be %s (permission denied)", path,
				 writing ? "written" : "read");
	if (e == EROFS)
		return xasprintf("%s is on a read-only file system", path);
	if (e == EISDIR)
		return xasprintf("%s is a folder, not a file", path);
	return xasprintf("%s: %s", path, strerror(e));
}

/* Next data at or after pos below end: *data = start of data, *hole_end */
static void be_seek_data(int fd, uint64_t pos, uint64_t end, bool *in_data, uint64_t *len)
{
	off_t d = lseek(fd, (off_t)pos, SEEK_DATA), hole;
	if (d < 0 || (uint64_t)d >= end) { /* ENXIO: a hole to the end */
		*in_data = false;
		*len = end - pos;
		return;
	}
	if ((uint64_t)d > pos) {
		*in_data = false;
		*len = (uint64_t)d - pos;
		return;
	}
	hole = lseek(fd, (off_t)pos, SEEK_HOLE);
	*in_data = true;
	*len = (hole < 0 || (uint64_t)hole > end ? end : (uint64_t)hole) - pos;
}

/* Data bytes of the file (all of it when not sparse). */
static uint64_t be_data_size(int fd, uint64_t size)
{
	uint64_t pos = 0, n = 0, len;
	bool in;
	while (pos < size) {
		be_seek_data(fd, pos, size, &in, &len);
		if (!len)
			break;
		if (in)
			n += len;
		pos += len;
	}
	return n;
}

/* SHA-256 of the local file, holes hashed as zeros without reading them. */
static int be_hash_file(be_xfer *x, char hex[65])
{
	char *buf = xmalloc(BE_XFER_BUF);
	core_sha256 c;
	uint64_t pos = 0, len;
	bool in;
	int rc = 0;

	core_sha256_init(&c);
	x->st.done = 0;
	while (pos < x->st.total && rc == 0) {
		be_seek_data(x->fd, pos, x->st.total, &in, &len);
		if (!in) {
			core_sha256_zeros(&c, len);
			pos += len;
		}
		while (in && len && rc == 0) {
			ssize_t r = pread(x->fd, buf, len < BE_XFER_BUF ? len : BE_XFER_BUF, (off_t)pos);
			if (r <= 0) {
				x->err = be_errno_text(x->local, r < 0 ? errno : EIO, false);
				rc = -1;
				break;
			}
			core_sha256_update(&c, buf, (size_t)r);
			pos += (uint64_t)r;
			len -= (uint64_t)r;
		}
		x->st.done = pos;
		be_xfer_post(x, false);
		if (be_xfer_stopping(x))
			rc = -1;
	}
	free(buf);
	if (rc == 0)
		core_sha256_hex(&c, hex);
	x->st.done = 0;
	return rc;
}

/* ---- stream callbacks -------------------------------------------------------- */

static int be_src_data(virStreamPtr st, char *data, size_t n, void *opaque)
{
	be_xfer *x = opaque;
	ssize_t r;
	if (be_xfer_stopping(x))
		return -1;
	if (x->pos >= x->seg_end)
		return 0;
	if (n > x->seg_end - x->pos)
		n = (size_t)(x->seg_end - x->pos);
	r = pread(x->fd, data, n, (off_t)x->pos);
	if (r <= 0) {
		if (!x->err)
			x->err = be_errno_text(x->local, r < 0 ? errno : EIO, false);
		return -1;
	}
	x->pos += (uint64_t)r;
	x->st.done = x->pos;
	x->st.sent += (uint64_t)r;
	be_xfer_post(x, false);
	return (int)r;
}

static int be_src_hole(virStreamPtr st, int *in_data, long long *length, void *opaque)
{
	be_xfer *x = opaque;
	bool in;
	uint64_t len;
	if (be_xfer_stopping(x))
		return -1;
	if (x->pos >= x->seg_end) {
		*in_data = 0;
		*length = 0;
		return 0;
	}
	be_seek_data(x->fd, x->pos, x->seg_end, &in, &len);
	*in_data = in;
	*length = (long long)len;
	return 0;
}

static int be_src_skip(virStreamPtr st, long long length, void *opaque)
{
	be_xfer *x = opaque;
	x->pos += (uint64_t)length;
	x->st.done = x->pos;
	be_xfer_post(x, false);
	return 0;
}

static int be_sink_data(virStreamPtr st, const char *data, size_t n, void *opaque)
{
	be_xfer *x = opaque;
	size_t off = 0;
	if (be_xfer_stopping(x))
		return -1;
	while (x->fd >= 0 && off < n) { /* fd -1: reading back, hash only */
		ssize_t w = pwrite(x->fd, data + off, n - off, (off_t)(x->pos + off));
		if (w < 0) {
			if (!x->err)
				x->err = be_errno_text(x->part ? x->part : x->local, errno, true);
			return -1;
		}
		off += (size_t)w;
	}
	if (x->sha_valid)
		core_sha256_update(&x->sha, data, n);
	x->pos += n;
	x->st.done = x->pos;
	if (x->fd >= 0)
		x->st.sent += n;
	be_xfer_post(x, false);
	return (int)n;
}

static int be_sink_hole(virStreamPtr st, long long length, void *opaque)
{
	be_xfer *x = opaque;
	if (be_xfer_stopping(x))
		return -1;
	if (x->sha_valid)
		core_sha256_zeros(&x->sha, (uint64_t)length);
	x->pos += (uint64_t)length;
	x->st.done = x->pos;
	be_xfer_post(x, false);
	return 0;
}

/* ---- segments ----------------------------------------------------------------- */

/* Bytes of data in the first segment: a quarter of the data, 32 MiB to
 * 1 GiB. Each segment costs a new stream on the host and the wait for it
 * to finish: ~9 ms measured on the local daemon, so 8 segments of a
 * sparse 8 GiB upload (256 MiB of data) cost 25% over one. The segments
 * after the first (be_segment_next) also hold at least 2 s of data at the
 * rate seen: a cut link costs at most a quarter of the data or 2 s of
 * work again, and a fast link makes few segments. */
static uint64_t be_segment(const be_xfer *x)
{
	uint64_t s = x->st.data / 4;
	if (x->segment)
		return x->segment;
	if (s < (32u << 20))
		s = 32u << 20;
	if (s > (1ULL << 30))
		s = 1ULL << 30;
	return s;
}

enum { BE_XFER_SEGMENT_S = 2 };

static uint64_t be_segment_next(const be_xfer *x, uint64_t base, uint64_t data, int64_t us)
{
	uint64_t by_time;
	if (x->segment || us <= 0)
		return base;
	by_time = (uint64_t)((double)data * 1e6 / (double)us) * BE_XFER_SEGMENT_S;
	if (by_time > (4ULL << 30))
		by_time = 4ULL << 30;
	return by_time > base ? by_time : base;
}

/* Where the segment from `from` ends: seg bytes further, or, for a sparse
 * upload, once it holds seg bytes of data (holes cost nothing). */
static uint64_t be_segment_end(be_xfer *x, bool upload, bool sparse, uint64_t from, uint64_t seg)
{
	uint64_t pos = from, data = 0, len;
	bool in;

	if (!upload || !sparse)
		return seg < x->st.total - from ? from + seg : x->st.total;
	while (pos < x->st.total && data < seg) {
		be_seek_data(x->fd, pos, x->st.total, &in, &len);
		if (!len)
			break;
		if (in) {
			if (len > seg - data)
				len = seg - data;
			data += len;
		}
		pos += len;
	}
	/* the holes right after the last data go with it */
	if (pos < x->st.total) {
		be_seek_data(x->fd, pos, x->st.total, &in, &len);
		if (!in)
			pos += len;
	}
	return pos > from ? pos : x->st.total;
}

/* Move [from, to) of the volume over one stream; 0 when the host has it. */
static int be_xfer_segment(be_xfer *x, bool upload, uint64_t from, uint64_t to, bool sparse)
{
	virStreamPtr st = virStreamNew(x->conn, 0);
	int rc;

	if (!st) {
		free(x->lverr);
		x->lverr = be_last_error(NULL);
		return -1;
	}
	x->pos = from;
	x->seg_end = to;
	if (upload)
		rc = virStorageVolUpload(x->v, st, from, to - from,
					 sparse ? VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0);
	else
		rc = virStorageVolDownload(x->v, st, from, to - from,
					   sparse ? VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM : 0);
	if (rc == 0) {
		if (upload)
			rc = sparse ? virStreamSparseSendAll(st, be_src_data, be_src_hole, be_src_skip, x)
				    : virStreamSendAll(st, be_src_data, x);
		else
			rc = sparse ? virStreamSparseRecvAll(st, be_sink_data, be_sink_hole, x)
				    : virStreamRecvAll(st, be_sink_data, x);
	}
	if (rc == 0)
		rc = virStreamFinish(st);
	if (rc < 0) {
		free(x->lverr);
		x->lverr = be_last_error(NULL); /* before Abort resets it */
		virStreamAbort(st);
	}
	virStreamFree(st);
	return rc;
}

/* Every segment from x->st.done on, resuming after lost links.
 * 0, or -1 with x->err (or cancelled). */
static int be_xfer_move(be_xfer *x, bool upload, bool sparse)
{
	uint64_t base = be_segment(x), seg = base, confirmed = x->st.done;

	while (confirmed < x->st.total) {
		uint64_t end = be_segment_end(x, upload, sparse, confirmed, seg);
		uint64_t sent0 = x->st.sent;
		int64_t t0 = core_now_us();
		if (be_xfer_segment(x, upload, confirmed, end, sparse) == 0) {
			confirmed = end;
			seg = be_segment_next(x, base, x->st.sent - sent0, core_now_us() - t0);
			continue;
		}
		if (be_xfer_stopping(x))
			return -1;
		if (!x->err && be_xfer_lost_or_err(x)) {
			/* resume at the last confirmed offset on the new link */
			x->st.done = confirmed;
			x->sha_valid = false; /* a download's hash is redone from the file */
			be_xfer_state(x, MD_XFER_RECONNECTING);
			if (be_xfer_get_conn(x, true) < 0)
				return -1;
			if (!(x->v = virStorageVolLookupByName(x->pool, x->vol))) {
				x->err = be_last_error(NULL);
				return -1;
			}
			x->st.resumes++;
			be_xfer_state(x, MD_XFER_RUNNING);
			continue;
		}
		return -1;
	}
	x->st.done = x->st.total;
	return 0;
}

/* SHA-256 of the first x->st.total bytes of the volume (read back). */
static int be_xfer_readback(be_xfer *x, char hex[65])
{
	virStreamPtr st;
	int rc;
	int fd = x->fd;

	x->fd = -1;
	core_sha256_init(&x->sha);
	x->sha_valid = true;
	x->pos = 0;
	st = virStreamNew(x->conn, 0);
	rc = st ? virStorageVolDownload(x->v, st, 0, x->st.total, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
		: -1;
	if (rc == 0)
		rc = virStreamSparseRecvAll(st, be_sink_data, be_sink_hole, x);
	if (rc == 0)
		rc = virStreamFinish(st);
	if (rc < 0 && !x->err)
		x->err = be_last_error(NULL); /* before Abort resets it */
	if (rc < 0 && st)
		virStreamAbort(st);
	if (st)
		virStreamFree(st);
	x->fd = fd;
	if (rc < 0)
		return -1;
	core_sha256_hex(&x->sha, hex);
	return 0;
}

/* ---- upload -------------------------------------------------------------------- */

/* Open and check the local file: a readable regular file. */
static int be_up_open(be_xfer *x)
{
	struct stat st;
	if (stat(x->local, &st) < 0) {
		x->err = be_errno_text(x->local, errno, false);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		x->err = be_errno_text(x->local, EISDIR, false);
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		x->err = xasprintf("%s is not a regular file", x->local);
		return -1;
	}
	if ((x->fd = open(x->local, O_RDONLY | O_CLOEXEC)) < 0) {
		x->err = be_errno_text(x->local, errno, false);
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(x->fd, 0, SEEK_END);
		x->st.total = end > 0 ? (uint64_t)end : 0;
	} else {
		x->st.total = (uint64_t)st.st_size;
	}
	if (x->st.total == 0) {
		x->err = xasprintf("%s is empty", x->local);
		return -1;
	}
	return 0;
}

/* The target volume: existing (big enough), or made now (x->created). */
static int be_up_volume(be_xfer *x)
{
	virStoragePoolInfo pinfo;
	virStorageVolInfo info;
	char a[32], b[32], *xml;

	if ((x->v = virStorageVolLookupByName(x->pool, x->vol)) != NULL) {
		if (virStorageVolGetInfo(x->v, &info) < 0)
			return -1; /* be_xfer_retry tells a lost link from an error */
		if (info.capacity < x->st.total) {
			core_size_fmt(info.capacity, a, sizeof(a));
			core_size_fmt(x->st.total, b, sizeof(b));
			x->err = xasprintf("volume \"%s\" (%s) is smaller than the file (%s)", x->vol, a, b);
			return -1;
		}
		/* holes would leave the old bytes there: send them as zeros */
		x->sparse = false;
		return 0;
	}
	if (virGetLastErrorCode() != VIR_ERR_NO_STORAGE_VOL)
		return -1;
	if (virStoragePoolGetInfo(x->pool, &pinfo) == 0 && pinfo.available < x->st.data) {
		core_size_fmt(pinfo.available, a, sizeof(a));
		core_size_fmt(x->st.data, b, sizeof(b));
		x->err = xasprintf("pool \"%s\" is full: %s free, the file needs %s", x->st.pool, a, b);
		return -1;
	}
	xml = be_vol_xml(x->vol, x->st.total, "raw", NULL, NULL);
	x->v = virStorageVolCreateXML(x->pool, xml, 0);
	free(xml);
	if (!x->v)
		return -1;
	x->created = true;
	return 0;
}

static void be_up_remove_created(be_xfer *x)
{
	virStorageVolPtr v;
	if (!x->created)
		return;
	/* the link may be new: look the volume up on the connection we have */
	if (!x->conn && be_xfer_get_conn(x, false) < 0)
		return;
	if (x->pool && (v = virStorageVolLookupByName(x->pool, x->vol)) != NULL) {
		virStorageVolDelete(v, 0);
		virStorageVolFree(v);
	}
}

/* "pool full" instead of libvirt's bare ENOSPC text */
static void be_xfer_explain(be_xfer *x)
{
	if (x->err && (strstr(x->err, "No space left") || strstr(x->err, "ENOSPC"))) {
		char *t = xasprintf("pool \"%s\" is full (%s)", x->st.pool ? x->st.pool : "?", x->err);
		free(x->err);
		x->err = t;
	}
}

static int be_upload(be_xfer *x)
{
	char hex[65], back[65], *err = NULL;

	if (core_name_check(x->vol, &err) < 0) { /* before any work */
		x->err = xasprintf("Volume name: %s", err);
		free(err);
		return -1;
	}
	if (be_up_open(x) < 0)
		return -1;
	x->st.data = x->sparse ? be_data_size(x->fd, x->st.total) : x->st.total;
	if (x->hash) {
		be_xfer_state(x, MD_XFER_HASHING);
		if (be_hash_file(x, hex) < 0)
			return -1;
		x->st.sha256 = xstrdup(hex);
	}
	if (be_xfer_get_conn(x, false) < 0)
		return -1;
	while (be_up_volume(x) < 0)
		if (!be_xfer_retry(x))
			return -1;
	if (!x->sparse)
		x->st.data = x->st.total;
	be_xfer_state(x, MD_XFER_RUNNING);
	if (be_xfer_move(x, true, x->sparse) < 0)
		return -1;
	if (x->verify) {
		be_xfer_state(x, MD_XFER_VERIFYING);
		if (be_xfer_readback(x, back) < 0)
			return -1;
		if (strcmp(back, x->st.sha256) != 0) {
			x->err = xasprintf("verify failed: the volume reads back as %.16s..., the file is "
					   "%.16s...", back, x->st.sha256);
			return -1;
		}
		x->st.verified = true;
	}
	/* the worker's pool list (queued at the end) refreshes the pool: the
	 * host then shows the volume's allocation and detected format */
	return 0;
}

/* ---- download ----------------------------------------------------------------- */

static int be_down_open(be_xfer *x)
{
	char *copy = xstrdup(x->local), *dir = dirname(copy);
	struct stat st;
	int rc = -1;

	if (stat(x->local, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			x->err = be_errno_text(x->local, EISDIR, true);
		else if (!x->overwrite)
			x->err = xasprintf("%s exists: choose another name or allow replacing it", x->local);
		else
			rc = 0;
	} else {
		rc = 0;
	}
	if (rc == 0 && stat(dir, &st) < 0) {
		x->err = xasprintf("the folder %s does not exist", dir);
		rc = -1;
	} else if (rc == 0 && access(dir, W_OK) < 0) {
		x->err = xasprintf("the folder %s cannot be written (%s)", dir,
				   errno == EROFS ? "read-only file system" : "permission denied");
		rc = -1;
	}
	free(copy);
	if (rc < 0)
		return -1;
	x->part = xasprintf("%s.part", x->local);
	x->fd = open(x->part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (x->fd < 0) {
		int e = errno;
		x->err = e == EEXIST ? xasprintf("%s exists (another download?): remove it first", x->part)
				     : be_errno_text(x->part, e, true);
		xfree(&x->part); /* not ours: never removed */
		return -1;
	}
	return 0;
}

static int be_down_hash_file(be_xfer *x, char hex[65])
{
	int fd = x->fd, rc;
	uint64_t total = x->st.total;
	x->fd = open(x->part, O_RDONLY | O_CLOEXEC);
	if (x->fd < 0) {
		x->fd = fd;
		x->err = be_errno_text(x->part, errno, false);
		return -1;
	}
	rc = be_hash_file(x, hex);
	close(x->fd);
	x->fd = fd;
	x->st.done = x->st.total = total;
	return rc;
}

static int be_download(be_xfer *x)
{
	virStorageVolInfo info;
	char hex[65];

	if (be_down_open(x) < 0)
		return -1;
	if (be_xfer_get_conn(x, false) < 0)
		return -1;
	/* the bytes of the file on the host (a qcow2's physical size) */
	while (!(x->v = virStorageVolLookupByName(x->pool, x->vol)) ||
	       virStorageVolGetInfoFlags(x->v, &info, VIR_STORAGE_VOL_GET_PHYSICAL) < 0)
		if (!be_xfer_retry(x))
			return -1;
	x->st.total = info.allocation ? info.allocation : info.capacity;
	x->st.data = x->st.total;
	core_sha256_init(&x->sha);
	x->sha_valid = true;
	be_xfer_state(x, MD_XFER_RUNNING);
	if (be_xfer_move(x, false, x->sparse) < 0)
		return -1;
	if (ftruncate(x->fd, (off_t)x->st.total) < 0 || fsync(x->fd) < 0) {
		x->err = be_errno_text(x->part, errno, true);
		return -1;
	}
	if (x->hash) {
		if (x->sha_valid) {
			core_sha256_hex(&x->sha, hex);
		} else {
			be_xfer_state(x, MD_XFER_HASHING);
			if (be_down_hash_file(x, hex) < 0)
				return -1;
		}
		x->st.sha256 = xstrdup(hex);
	}
	if (rename(x->part, x->local) < 0) {
		x->err = be_errno_text(x->local, errno, true);
		return -1;
	}
	xfree(&x->part);
	return 0;
}

/* ---- thread ---------------------------------------------------------------------- */

static void *be_xfer_main(void *arg)
{
	be_xfer *x = arg;
	bool up = x->dir == BE_XFER_UPLOAD;
	int64_t t0 = core_now_ms();
	int rc = up ? be_upload(x) : be_download(x);
	char a[32], b[32];
	double secs;

	if (rc < 0) {
		bool cancelled = atomic_load(&x->cancel);
		if (up)
			be_up_remove_created(x);
		if (x->part)
			unlink(x->part);
		be_xfer_explain(x);
		x->st.text = cancelled ? xstrdup(up && x->created ? "Cancelled; the new volume was removed"
								  : "Cancelled")
				       : xasprintf("Could not %s %s: %s", up ? "upload" : "download",
						   x->local, x->err ? x->err : "the host is going away");
		x->st.eta_s = -1;
		be_xfer_state(x, cancelled ? MD_XFER_CANCELLED : MD_XFER_FAILED);
	} else {
		secs = (double)(core_now_ms() - t0) / 1000.0;
		core_size_fmt(x->st.total, a, sizeof(a));
		core_size_fmt(x->st.sent, b, sizeof(b));
		x->st.text = xasprintf("%s %s (%s, %s sent) in %.1f s, %.0f MB/s%s",
				       up ? "Uploaded" : "Downloaded", x->local, a, b, secs,
				       secs > 0 ? (double)x->st.total / secs / 1e6 : 0.0,
				       x->st.verified ? ", verified" : "");
		x->st.rate = secs > 0 ? (double)x->st.total / secs : 0;
		x->st.eta_s = 0;
		be_xfer_state(x, MD_XFER_DONE);
	}
	if (up || rc < 0)
		be_host_queue_event(x->h, BE_JOB_POOLS_EVENT); /* a fresh POOL_LIST */
	be_xfer_unlink(x);
	be_xfer_free(x);
	return NULL;
}

uint64_t be_xfer_start(be_host *h, const be_xfer_spec *s)
{
	be_xfer *x = xcalloc(1, sizeof(*x));
	uint64_t id;

	be_host_ref(h);
	x->h = h;
	x->fd = -1;
	x->dir = s->dir;
	x->local = xstrdup(s->local ? s->local : "");
	x->pool_uuid = xstrdup(s->pool ? s->pool : "");
	x->vol = xstrdup(s->vol ? s->vol : "");
	x->format = xstrdup(s->format);
	x->sparse = s->sparse;
	x->hash = s->hash || s->verify;
	x->verify = s->verify && s->dir == BE_XFER_UPLOAD;
	x->overwrite = s->overwrite;
	x->segment = s->segment;
	x->st.host_id = h->id;
	x->st.upload = s->dir == BE_XFER_UPLOAD;
	x->st.state = MD_XFER_QUEUED;
	x->st.local = xstrdup(x->local);
	x->st.vol = xstrdup(x->vol);
	x->st.eta_s = -1;
	x->rate_ms = core_now_ms();
	pthread_mutex_lock(&be_xfer_lock);
	id = x->id = x->st.id = ++be_xfer_next_id;
	x->next = be_xfers;
	be_xfers = x;
	pthread_mutex_unlock(&be_xfer_lock);
	be_xfer_post(x, true);
	/* from here x is the thread's: it may be gone before this returns;
	 * the thread made by the spawner, not here (be_detect.h) */
	be_spawn(be_xfer_main, x);
	return id;
}
