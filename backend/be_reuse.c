/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_reuse.c - see be_reuse.h. */
#include "be_reuse.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "../core/log.h"
#include "../core/sha256.h"
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

int be_file_sha256(const char *path, char hex[65], char **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	core_sha256 c;
	ssize_t r;
	if (fd < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(REUSE_BUF);
	core_sha256_init(&c);
	while ((r = read(fd, buf, REUSE_BUF)) > 0)
		core_sha256_update(&c, buf, (size_t)r);
	if (r < 0)
		*err = xasprintf("%s: %s", path, strerror(errno));
	else
		core_sha256_hex(&c, hex);
	free(buf);
	close(fd);
	return r < 0 ? -1 : 0;
}

static int sink_data(virStreamPtr st, const char *data, size_t n, void *opaque)
{
	(void)st;
	core_sha256_update(opaque, data, n);
	return (int)n;
}

static int sink_hole(virStreamPtr st, long long length, void *opaque)
{
	(void)st;
	core_sha256_zeros(opaque, (uint64_t)length);
	return 0;
}

/* the volume's SHA-256 (hex); -1 with *err */
static int vol_sha256(virConnectPtr conn, virStoragePoolPtr pool, const char *name, char hex[65], char **err)
{
	virStorageVolPtr v = virStorageVolLookupByName(pool, name);
	virStreamPtr st = v ? virStreamNew(conn, 0) : NULL;
	core_sha256 c;
	int rc = -1;
	core_sha256_init(&c);
	if (st && virStorageVolDownload(v, st, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) == 0) {
		if (virStreamSparseRecvAll(st, sink_data, sink_hole, &c) == 0 && virStreamFinish(st) == 0) {
			core_sha256_hex(&c, hex);
			rc = 0;
		} else {
			virStreamAbort(st);
		}
	}
	if (rc < 0) {
		const char *e = virGetLastErrorMessage();
		*err = xasprintf("volume \"%s\": %s", name, e ? e : "cannot be read");
	}
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
	char mine[65], theirs[65], *err = NULL;
	virConnectPtr conn = NULL;
	virStoragePoolPtr pool = NULL;
	m->op = BE_OP_VOL_SAME;
	m->seq = j->seq;
	m->ok = true;
	if (be_file_sha256(j->local, mine, &err) < 0) {
		m->ok = false;
	} else if (!(conn = be_host_conn_get(j->h, NULL))) {
		m->ok = false;
		err = xstrdup("the host is not connected");
	} else if (!(pool = virStoragePoolLookupByUUIDString(conn, j->pool_uuid))) {
		const char *e = virGetLastErrorMessage();
		m->ok = false;
		err = xasprintf("no pool: %s", e ? e : "?");
	}
	for (size_t i = 0; m->ok && pool && i < j->nvols; i++) {
		char *e = NULL;
		if (vol_sha256(conn, pool, j->vols[i], theirs, &e) < 0) {
			core_log("reuse", "%s", e); /* not this one: the next */
			free(e);
			continue;
		}
		if (strcmp(mine, theirs) == 0) {
			m->strs = xcalloc(4, sizeof(*m->strs));
			m->strs[0] = xstrdup(j->vols[i]);
			m->strs[1] = xstrdup(mine);
			m->strs[2] = xstrdup(j->local);
			m->nstrs = 3;
			m->text = xasprintf("%s is in the pool already as %s (same size and SHA-256): not uploaded again",
					    j->local, j->vols[i]);
			break;
		}
	}
	if (!m->ok)
		m->text = xasprintf("Could not compare %s with the pool's volumes: %s", j->local, err ? err : "?");
	free(err);
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
