/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_reuse.c - see be_reuse.h. */
#include "be_reuse.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "be_xml.h"

#include "../core/log.h"
#include "../core/util.h"
#include "be_detect.h"
#include "be_internal.h"

enum { REUSE_BUF = 1 << 20 };

static atomic_uint_fast64_t reuse_seq;

struct reuse_job {
	be_host *h;
	int host_id;
	uint64_t seq;
	char *pool_uuid, *local;
	char **vols;
	size_t nvols;
};

/* A volume compared with the local file as its bytes arrive: the file is
 * read at the same offsets (pread, the page cache reading ahead: the
 * download and the local reads overlap) and memcmp'd; the first differing
 * block stops the download. No hashing: equal bytes are the proof. */
struct cmp {
	int fd;
	uint64_t off, size;   /* compared so far; the file's size */
	char *buf;
	bool differ;          /* a difference (or the volume is longer) */
	int err;              /* errno of a failed local read, 0 none */
};

/* len bytes of the file at k->off into k->buf; -1 (k->err or k->differ). */
static int cmp_read(struct cmp *k, size_t len)
{
	size_t got = 0;
	if (k->off + len > k->size) {
		k->differ = true; /* the volume holds more than the file */
		return -1;
	}
	while (got < len) {
		ssize_t r = pread(k->fd, k->buf + got, len - got, (off_t)(k->off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			k->err = r < 0 ? errno : EIO;
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

static int sink_data(virStreamPtr st, const char *data, size_t n, void *opaque)
{
	struct cmp *k = opaque;
	(void)st;
	for (size_t done = 0; done < n;) {
		size_t len = n - done < REUSE_BUF ? n - done : REUSE_BUF;
		if (cmp_read(k, len) < 0)
			return -1;
		if (memcmp(k->buf, data + done, len) != 0) {
			k->differ = true;
			return -1;
		}
		k->off += len;
		done += len;
	}
	return (int)n;
}

static int sink_hole(virStreamPtr st, long long length, void *opaque)
{
	struct cmp *k = opaque;
	(void)st;
	for (uint64_t left = (uint64_t)length; left > 0;) {
		size_t len = left < REUSE_BUF ? (size_t)left : REUSE_BUF;
		if (cmp_read(k, len) < 0)
			return -1;
		for (size_t i = 0; i < len; i++)
			if (k->buf[i]) {
				k->differ = true;
				return -1;
			}
		k->off += len;
		left -= len;
	}
	return 0;
}

/* ---- what this session knows equal ----------------------------------------------
 * A local file (device, inode, size, mtime) and a volume (pool, name and its
 * timestamps "mtime ctime": any write to the volume moves its ctime) found
 * or made equal: checked again with one read of the volume's XML instead of
 * reading it whole. Pools whose volumes have no timestamps are not kept. */
enum { KNOWN_MAX = 64 };

struct known {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim;
	char *pool_uuid, *vol, *stamp;
};

static pthread_mutex_t known_lock = PTHREAD_MUTEX_INITIALIZER;
static struct known known_v[KNOWN_MAX];
static size_t known_n;

static bool known_file(const struct known *k, const struct stat *st)
{
	return k->dev == st->st_dev && k->ino == st->st_ino && k->size == st->st_size &&
	       k->mtim.tv_sec == st->st_mtim.tv_sec && k->mtim.tv_nsec == st->st_mtim.tv_nsec;
}

static bool known_equal(const struct stat *st, const char *pool_uuid, const char *vol, const char *stamp)
{
	bool hit = false;
	pthread_mutex_lock(&known_lock);
	for (size_t i = 0; i < known_n && !hit; i++)
		hit = known_file(&known_v[i], st) && !strcmp(known_v[i].pool_uuid, pool_uuid) &&
		      !strcmp(known_v[i].vol, vol) && !strcmp(known_v[i].stamp, stamp);
	pthread_mutex_unlock(&known_lock);
	return hit;
}

/* Kept (replacing what was known of that volume; the oldest goes when full). */
static void known_add(const struct stat *st, const char *pool_uuid, const char *vol, const char *stamp)
{
	struct known *k = NULL;
	pthread_mutex_lock(&known_lock);
	for (size_t i = 0; i < known_n && !k; i++)
		if (!strcmp(known_v[i].pool_uuid, pool_uuid) && !strcmp(known_v[i].vol, vol))
			k = &known_v[i];
	if (!k && known_n == KNOWN_MAX) {
		free(known_v[0].pool_uuid);
		free(known_v[0].vol);
		free(known_v[0].stamp);
		memmove(&known_v[0], &known_v[1], (KNOWN_MAX - 1) * sizeof(known_v[0]));
		known_n--;
	}
	if (!k) {
		k = &known_v[known_n++];
		memset(k, 0, sizeof(*k));
	}
	free(k->pool_uuid);
	free(k->vol);
	free(k->stamp);
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->size = st->st_size;
	k->mtim = st->st_mtim;
	k->pool_uuid = xstrdup(pool_uuid);
	k->vol = xstrdup(vol);
	k->stamp = xstrdup(stamp);
	pthread_mutex_unlock(&known_lock);
}

/* The volume's "mtime ctime" (its XML's <target><timestamps>), NULL when
 * its pool gives none. */
static char *vol_stamp(virStorageVolPtr v)
{
	char *xml = virStorageVolGetXMLDesc(v, 0), *m = NULL, *c = NULL, *stamp = NULL;
	xmlDocPtr doc = xml ? be_xml_parse(xml) : NULL;
	if (doc) {
		m = be_xml_get(doc, "string(/volume/target/timestamps/mtime)");
		c = be_xml_get(doc, "string(/volume/target/timestamps/ctime)");
		if (m && c)
			stamp = xasprintf("%s %s", m, c);
		xmlFreeDoc(doc);
	}
	if (!xml)
		virResetLastError();
	free(m);
	free(c);
	free(xml);
	return stamp;
}

/* A local host's volume read as the file its path names (the bytes its
 * download would send), block by block against the local file: 1 equal, 0
 * differs (at the first differing block), -2 when it cannot be opened here
 * (not a file of this machine: read it through libvirt). */
static int vol_same_direct(virStorageVolPtr v, struct cmp *k)
{
	char *path = virStorageVolGetPath(v), *buf;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1, rc = 1;
	struct stat st;
	free(path);
	if (fd < 0 || fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		virResetLastError();
		if (fd >= 0)
			close(fd);
		return -2;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size != k->size) {
		close(fd);
		return 0;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	buf = xmalloc(REUSE_BUF);
	for (k->off = 0; k->off < k->size && rc == 1;) {
		size_t len = k->size - k->off < REUSE_BUF ? (size_t)(k->size - k->off) : REUSE_BUF, got = 0;
		ssize_t r = 0;
		while (got < len) {
			r = pread(fd, buf + got, len - got, (off_t)(k->off + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got < len) {
			rc = r < 0 ? -2 : 0; /* unreadable here (through libvirt then), or shorter: differs */
			break;
		}
		if (cmp_read(k, len) < 0)
			rc = k->err ? -2 : 0;
		else if (memcmp(buf, k->buf, len) != 0)
			rc = 0;
		else
			k->off += len;
	}
	free(buf);
	close(fd);
	return rc;
}

/* 1: the volume holds exactly the file's bytes (or did when this session
 * last looked, and neither has been written since); 0: it differs (stopped
 * at the first differing block); -1 with *err: the volume or the file
 * could not be read. */
static int vol_same(virConnectPtr conn, virStoragePoolPtr pool, const char *pool_uuid, const char *name,
		    const struct stat *file, bool local_host, struct cmp *k, char **err)
{
	virStorageVolPtr v = virStorageVolLookupByName(pool, name);
	char *stamp = v ? vol_stamp(v) : NULL;
	virStreamPtr st = NULL;
	int rc = -1;
	if (stamp && known_equal(file, pool_uuid, name, stamp)) {
		free(stamp);
		virStorageVolFree(v);
		return 1;
	}
	k->err = 0;
	if (v && local_host && (rc = vol_same_direct(v, k)) >= 0)
		goto done;
	rc = -1;
	st = v ? virStreamNew(conn, 0) : NULL;
	k->off = 0;
	k->differ = false;
	k->err = 0;
	if (st && virStorageVolDownload(v, st, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) == 0) {
		if (virStreamSparseRecvAll(st, sink_data, sink_hole, k) == 0 && virStreamFinish(st) == 0) {
			rc = k->off == k->size ? 1 : 0; /* a shorter volume differs too */
		} else {
			virStreamAbort(st);
			if (k->differ && !k->err)
				rc = 0;
		}
	}
	if (rc < 0) {
		const char *e = k->err ? strerror(k->err) : virGetLastErrorMessage();
		*err = xasprintf("volume \"%s\": %s", name, e ? e : "cannot be read");
	}
done:
	if (rc == 1 && stamp)
		known_add(file, pool_uuid, name, stamp);
	free(stamp);
	if (st)
		virStreamFree(st);
	if (v)
		virStorageVolFree(v);
	return rc;
}

static void *reuse_main(void *arg)
{
	struct reuse_job *j = arg;
	md_msg *m = md_msg_new(MD_MSG_OP_RESULT, j->host_id);
	struct cmp k = { .fd = -1 };
	struct stat st;
	char *err = NULL;
	virConnectPtr conn = NULL;
	virStoragePoolPtr pool = NULL;
	m->op = BE_OP_VOL_SAME;
	m->seq = j->seq;
	m->ok = true;
	if ((k.fd = open(j->local, O_RDONLY | O_CLOEXEC)) < 0 || fstat(k.fd, &st) < 0) {
		m->ok = false;
		err = xasprintf("%s: %s", j->local, strerror(errno));
	} else if (!(conn = be_host_conn_get(j->h, NULL))) {
		m->ok = false;
		err = xstrdup("the host is not connected");
	} else if (!(pool = virStoragePoolLookupByUUIDString(conn, j->pool_uuid))) {
		const char *e = virGetLastErrorMessage();
		m->ok = false;
		err = xasprintf("no pool: %s", e ? e : "?");
	}
	if (m->ok) {
		k.size = (uint64_t)st.st_size;
		k.buf = xmalloc(REUSE_BUF);
		posix_fadvise(k.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	for (size_t i = 0; m->ok && pool && i < j->nvols; i++) {
		char *e = NULL;
		int same = vol_same(conn, pool, j->pool_uuid, j->vols[i], &st, !be_conn_is_remote(j->h), &k, &e);
		if (same < 0) {
			core_log("reuse", "%s", e); /* not this one: the next */
			free(e);
			continue;
		}
		if (same) {
			m->strs = xcalloc(4, sizeof(*m->strs));
			m->strs[0] = xstrdup(j->vols[i]);
			m->strs[1] = xstrdup("");
			m->strs[2] = xstrdup(j->local);
			m->nstrs = 3;
			m->text = xasprintf("%s is in the pool already as %s (same size and content): not uploaded again",
					    j->local, j->vols[i]);
			break;
		}
	}
	if (!m->ok)
		m->text = xasprintf("Could not compare %s with the pool's volumes: %s", j->local, err ? err : "?");
	free(err);
	free(k.buf);
	if (k.fd >= 0)
		close(k.fd);
	if (pool)
		virStoragePoolFree(pool);
	if (conn)
		virConnectClose(conn);
	be_post(m);
	be_host_unref(&j->h);
	for (size_t i = 0; i < j->nvols; i++)
		free(j->vols[i]);
	free(j->vols);
	free(j->pool_uuid);
	free(j->local);
	free(j);
	be_live_hosts_add(-1);
	return NULL;
}

/* ---- a volume this session made from a file --------------------------------------- */

struct remember_job {
	be_host *h;
	char *pool_uuid, *vol, *local;
	struct stat before;
};

static void *remember_main(void *arg)
{
	struct remember_job *j = arg;
	struct stat now;
	virConnectPtr conn = NULL;
	virStoragePoolPtr pool = NULL;
	virStorageVolPtr v = NULL;
	char *stamp = NULL;
	/* the file as it was when the upload began: the volume has its bytes */
	if (stat(j->local, &now) == 0 && now.st_dev == j->before.st_dev && now.st_ino == j->before.st_ino &&
	    now.st_size == j->before.st_size && now.st_mtim.tv_sec == j->before.st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == j->before.st_mtim.tv_nsec && (conn = be_host_conn_get(j->h, NULL)) &&
	    (pool = virStoragePoolLookupByUUIDString(conn, j->pool_uuid)) &&
	    (v = virStorageVolLookupByName(pool, j->vol)) && (stamp = vol_stamp(v)))
		known_add(&now, j->pool_uuid, j->vol, stamp);
	virResetLastError();
	free(stamp);
	if (v)
		virStorageVolFree(v);
	if (pool)
		virStoragePoolFree(pool);
	if (conn)
		virConnectClose(conn);
	be_host_unref(&j->h);
	free(j->pool_uuid);
	free(j->vol);
	free(j->local);
	free(j);
	be_live_hosts_add(-1);
	return NULL;
}

void be_vol_same_remember(be_host *h, const char *pool_uuid, const char *vol, const char *local,
			  const struct stat *before)
{
	struct remember_job *j;
	if (!h || !pool_uuid || !vol || !local || !before)
		return;
	j = xcalloc(1, sizeof(*j));
	be_host_ref(h);
	j->h = h;
	j->pool_uuid = xstrdup(pool_uuid);
	j->vol = xstrdup(vol);
	j->local = xstrdup(local);
	j->before = *before;
	be_detached(remember_main, j);
}

uint64_t be_vol_same_start(be_host *h, int host_id, const char *pool_uuid, const char *local, char *const *vols,
			   size_t nvols)
{
	struct reuse_job *j = xcalloc(1, sizeof(*j));
	uint64_t seq;
	be_host_ref(h);
	j->h = h;
	j->host_id = host_id;
	/* top two bits: neither a host worker's seq nor be_detect's */
	seq = j->seq = (UINT64_C(3) << 62) | (uint64_t)(atomic_fetch_add(&reuse_seq, 1) + 1);
	j->pool_uuid = xstrdup(pool_uuid ? pool_uuid : "");
	j->local = xstrdup(local ? local : "");
	j->vols = xcalloc(nvols + 1, sizeof(*j->vols));
	for (size_t i = 0; i < nvols; i++)
		j->vols[j->nvols++] = xstrdup(vols[i]);
	be_detached(reuse_main, j);
	return seq;
}
