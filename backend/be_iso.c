/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_iso.c - see be_iso.h. */
#include "be_iso.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <libvirt/virterror.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "../core/log.h"
#include "../core/storage.h"

#include "../core/util.h"
#include "be_internal.h"
#include "be_xml.h"

/* ---- readers ---------------------------------------------------------------------- */

struct be_iso_fd {
	int fd;
	char *path;
};

static ssize_t fd_pread(void *ctx, void *buf, size_t len, uint64_t off, char **err)
{
	struct be_iso_fd *f = ctx;
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(f->fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = xasprintf("%s: %s", f->path, strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int be_iso_reader_file(be_iso_reader *r, const char *path, char **err)
{
	struct be_iso_fd *f;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	memset(r, 0, sizeof(*r));
	if (fd < 0 || fstat(fd, &st) < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		*err = xasprintf("%s: not a file", path);
		close(fd);
		return -1;
	}
	f = xcalloc(1, sizeof(*f));
	f->fd = fd;
	f->path = xstrdup(path);
	r->pread = fd_pread;
	r->ctx = f;
	r->size = (uint64_t)st.st_size;
	return 0;
}

void be_iso_reader_close(be_iso_reader *r)
{
	struct be_iso_fd *f = r->ctx;
	if (r->pread != fd_pread)
		return; /* not a file's */
	if (f) {
		close(f->fd);
		free(f->path);
		free(f);
	}
	r->ctx = NULL;
}

static ssize_t reader_pread(be_iso_reader *r, void *buf, size_t len, uint64_t off, char **err)
{
	ssize_t n;
	if (off >= r->size)
		return 0;
	if (len > r->size - off)
		len = (size_t)(r->size - off);
	n = r->pread(r->ctx, buf, len, off, err);
	if (n > 0)
		r->bytes_read += (uint64_t)n; /* what came, not what was asked */
	r->reads++;
	return n;
}

/* ---- libarchive over the reader ----------------------------------------------------- */

enum { CHUNK_MIN = 32 << 10, CHUNK_MAX = 4 << 20, CHUNK_FILE = 512 << 10 };

struct arc_ctx {
	be_iso_reader *r;
	uint64_t pos;      /* where the next read starts */
	uint64_t last_end; /* where the last one ended: sequential reads grow */
	size_t chunk;
	unsigned char *buf;
	char *err;
};

/* Sequential reads double the chunk, a seek starts small again
 * (directories: few bytes). A file's data (r->want set) comes in pieces of
 * CHUNK_FILE: a volume's reader serves them from one download of the whole
 * rest of the file, and each piece goes on (into an upload) while the next
 * ones arrive. */
static la_ssize_t arc_read(struct archive *a, void *data, const void **out)
{
	struct arc_ctx *c = data;
	ssize_t n;
	if (c->r->want)
		c->chunk = CHUNK_FILE;
	else
		c->chunk = c->pos == c->last_end && c->chunk ? (c->chunk * 2 > CHUNK_MAX ? CHUNK_MAX : c->chunk * 2)
							     : CHUNK_MIN;
	n = reader_pread(c->r, c->buf, c->chunk, c->pos, &c->err);
	if (n < 0) {
		archive_set_error(a, EIO, "%s", c->err ? c->err : "read failed");
		return -1;
	}
	c->pos += (uint64_t)n;
	c->last_end = c->pos;
	*out = c->buf;
	return n;
}

static la_int64_t arc_seek(struct archive *a, void *data, la_int64_t off, int whence)
{
	struct arc_ctx *c = data;
	int64_t to = whence == SEEK_SET ? off : whence == SEEK_CUR ? (int64_t)c->pos + off : (int64_t)c->r->size + off;
	(void)a;
	if (to < 0)
		return ARCHIVE_FATAL;
	c->pos = (uint64_t)to;
	return to;
}

static const char *strip_lead(const char *p)
{
	for (;;) {
		if (*p == '/')
			p++;
		else if (p[0] == '.' && p[1] == '/')
			p += 2;
		else
			return p;
	}
}

static bool path_is(const char *entry, const char *want)
{
	return strcasecmp(strip_lead(entry), strip_lead(want)) == 0;
}

/* The sink of be_iso_files(read): each file whole in memory. */
static int mem_open(void *o, size_t i, uint64_t size, char **err)
{
	be_iso_file *f = (be_iso_file *)o + i;
	(void)err;
	f->data = xmalloc(size ? size : 1);
	f->size = 0; /* counts the bytes meanwhile */
	return 0;
}

static int mem_data(void *o, size_t i, const void *buf, size_t len, char **err)
{
	be_iso_file *f = (be_iso_file *)o + i;
	(void)err;
	memcpy(f->data + f->size, buf, len);
	f->size += len;
	return 0;
}

static int mem_close(void *o, size_t i, char **err)
{
	(void)o, (void)i, (void)err;
	return 0;
}

/* files[i]'s bytes into the sink, in pieces as libarchive gives them */
static int read_entry(struct archive *a, be_iso_reader *r, be_iso_file *f, size_t i, const be_iso_sink *sink,
		      char **err)
{
	uint64_t got = 0, size = f->size;
	int rc = 0;
	if (sink->open(sink->opaque, i, size, err) < 0)
		return -1;
	while (got < size) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int st;
		r->want = size - got + 2048; /* the rest of the file, its last sector's end */
		st = archive_read_data_block(a, &buf, &len, &off);
		if (st == ARCHIVE_EOF || (st == ARCHIVE_OK && len == 0 && got < size)) {
			*err = xasprintf("%s: short file", f->want);
			rc = -1;
			break;
		}
		if (st < ARCHIVE_WARN) {
			*err = xasprintf("%s: %s", f->want, archive_error_string(a) ? archive_error_string(a) : "read failed");
			rc = -1;
			break;
		}
		if ((uint64_t)off != got) { /* a sparse entry: ISO 9660 has none */
			*err = xasprintf("%s: not stored in one piece", f->want);
			rc = -1;
			break;
		}
		if (len > size - got)
			len = (size_t)(size - got);
		if (sink->data(sink->opaque, i, buf, len, err) < 0) {
			rc = -1;
			break;
		}
		got += len;
	}
	r->want = 0;
	if (rc == 0 && sink->close(sink->opaque, i, err) < 0)
		rc = -1;
	return rc;
}

static int files_read(be_iso_reader *r, be_iso_file *files, size_t n, const be_iso_sink *sink, char **err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct arc_ctx c = { .r = r };
	size_t left = n;
	int rc = 0, st;

	for (size_t i = 0; i < n; i++) {
		files[i].found = false;
		files[i].size = 0;
		files[i].data = NULL;
	}
	c.buf = xmalloc(CHUNK_MAX);
	archive_read_support_format_iso9660(a);
	archive_read_set_read_callback(a, arc_read);
	archive_read_set_seek_callback(a, arc_seek);
	archive_read_set_callback_data(a, &c);
	if (archive_read_open1(a) != ARCHIVE_OK) {
		*err = xstrdup(c.err ? c.err : "not an ISO 9660 image");
		rc = -1;
		goto out;
	}
	while (left > 0 && (st = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		const char *p;
		if (st < ARCHIVE_WARN) {
			*err = xstrdup(c.err ? c.err : archive_error_string(a) ? archive_error_string(a) : "not an ISO 9660 image");
			rc = -1;
			break;
		}
		p = archive_entry_pathname(e);
		if (!p || archive_entry_filetype(e) != AE_IFREG)
			continue;
		for (size_t i = 0; i < n; i++) {
			uint64_t size;
			if (files[i].found || !path_is(p, files[i].want))
				continue;
			size = (uint64_t)archive_entry_size(e);
			left--;
			files[i].size = size;
			if (sink && read_entry(a, r, &files[i], i, sink, err) < 0)
				rc = -1;
			files[i].size = size;
			files[i].found = true;
			break;
		}
		if (rc < 0)
			break;
	}
out:
	archive_read_free(a);
	free(c.buf);
	free(c.err);
	return rc;
}

int be_iso_files_stream(be_iso_reader *r, be_iso_file *files, size_t n, const be_iso_sink *sink, char **err)
{
	return files_read(r, files, n, sink, err);
}

int be_iso_files(be_iso_reader *r, be_iso_file *files, size_t n, bool read, char **err)
{
	be_iso_sink mem = { mem_open, mem_data, mem_close, files };
	int rc = files_read(r, files, n, read ? &mem : NULL, err);
	if (rc < 0)
		for (size_t i = 0; i < n; i++)
			xfree(&files[i].data);
	return rc;
}

/* ---- the probe ------------------------------------------------------------------------ */

void be_iso_probe_clear(be_iso_probe *p)
{
	free(p->volume_id);
	free(p->os_id);
	free(p->os_name);
	free(p->family);
	free(p->kernel);
	free(p->initrd);
	free(p->why_not);
	memset(p, 0, sizeof(*p));
}

void be_iso_probe_free(void *p)
{
	if (p) {
		be_iso_probe_clear(p);
		free(p);
	}
}

enum { HEAD = 64 << 10 };

/* The first 64 KiB as a private file libosinfo can open. */
static char *head_file(be_iso_reader *r, char **err)
{
	const char *dir = getenv("TMPDIR");
	unsigned char *buf = xcalloc(1, HEAD);
	char *path = xasprintf("%s/vmmc-iso-XXXXXX", dir && *dir ? dir : "/tmp");
	ssize_t n = reader_pread(r, buf, HEAD, 0, err);
	int fd = n < 0 ? -1 : mkstemp(path);
	if (n >= 0 && fd < 0)
		*err = xasprintf("%s: %s", path, strerror(errno));
	if (fd >= 0 && write(fd, buf, HEAD) != HEAD) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		fd = -1;
	}
	free(buf);
	if (fd < 0) {
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static bool family_windows(const char *f)
{
	return f && (strncmp(f, "win", 3) == 0);
}

int be_iso_probe_reader(const be_osinfo *db, be_iso_reader *r, be_iso_probe *p, char **err)
{
	const be_os *os = NULL;
	char *tmp, *k = NULL, *i = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!(tmp = head_file(r, err)))
		return -1;
	p->volume_id = be_iso_volume_id(tmp, err);
	if (!p->volume_id) {
		char *e = *err;
		*err = xstrdup("not an ISO 9660 image");
		free(e);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	rc = be_osinfo_detect_media(db, tmp, &os, &k, &i, err);
	unlink(tmp);
	free(tmp);
	if (rc < 0)
		return -1;
	p->kernel = k;
	p->initrd = i;
	if (os) {
		p->os_id = xstrdup(os->id);
		p->os_name = xstrdup(os->name);
		p->family = xstrdup(os->family);
	}
	if (!os) {
		p->why_not = xasprintf("libosinfo does not know this ISO (volume ID \"%s\"): the text installer "
				       "needs the OS's kernel and initrd paths",
				       p->volume_id);
	} else if (family_windows(os->family)) {
		p->why_not = xasprintf("%s has no installer on a serial console: boot the ISO as is and use "
				       "the graphical console",
				       os->name);
	} else if (!p->kernel || !p->initrd) {
		p->why_not = xasprintf("osinfo-db names no installer kernel and initrd for %s's media", os->name);
	} else {
		be_iso_file f[2] = { { .want = p->kernel }, { .want = p->initrd } };
		if (be_iso_files(r, f, 2, false, err) < 0)
			return -1;
		p->kernel_found = f[0].found && f[1].found;
		if (!p->kernel_found)
			p->why_not = xasprintf("the installer's %s (%s, as osinfo-db names it) is not in the ISO",
					       f[0].found ? "initrd" : "kernel", f[0].found ? p->initrd : p->kernel);
		else if (!core_str_eq(os->family, "linux"))
			p->why_not = xasprintf("%s is not Linux: its installer's console arguments are not known",
					       os->name);
		else
			p->text_install = true;
	}
	p->bytes_read = r->bytes_read;
	return 0;
}

int be_iso_probe_file(const be_osinfo *db, const char *path, be_iso_probe *p, char **err)
{
	be_iso_reader r;
	int rc;
	if (be_iso_reader_file(&r, path, err) < 0)
		return -1;
	rc = be_iso_probe_reader(db, &r, p, err);
	if (rc < 0) {
		char *e = xasprintf("%s: %s", path, *err);
		free(*err);
		*err = e;
	}
	be_iso_reader_close(&r);
	return rc;
}

char *be_install_cmdline(const char *os_id)
{
	static const struct {
		const char *id_part, *args;
	} extra[] = {
		{ "fedoraproject.org", "inst.text" },
		{ "redhat.com", "inst.text" },
		{ "centos.org", "inst.text" },
		{ "rockylinux.org", "inst.text" },
		{ "almalinux.org", "inst.text" },
		{ "opensuse.org", "textmode=1" },
		{ "suse.com", "textmode=1" },
	};
	for (size_t i = 0; os_id && i < CORE_ARRAY_LEN(extra); i++)
		if (strstr(os_id, extra[i].id_part))
			return xasprintf("console=ttyS0,115200n8 %s", extra[i].args);
	return xstrdup("console=ttyS0,115200n8");
}

/* ---- payloads, XML -------------------------------------------------------------------- */

be_install_arg *be_install_arg_new(void)
{
	return xcalloc(1, sizeof(be_install_arg));
}

void be_install_arg_free(void *p)
{
	be_install_arg *a = p;
	if (!a)
		return;
	free(a->iso_local);
	free(a->iso_pool_uuid);
	free(a->iso_vol);
	free(a->kernel);
	free(a->initrd);
	free(a->pool_uuid);
	free(a->kernel_vol);
	free(a->initrd_vol);
	free(a->xml);
	free(a);
}

/* The first child element named name of parent, made when absent. */
static xmlNodePtr child(xmlNodePtr parent, const char *name, bool make)
{
	for (xmlNodePtr n = parent->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0)
			return n;
	return make ? xmlNewChild(parent, NULL, BAD_CAST name, NULL) : NULL;
}

static void set_text(xmlNodePtr parent, const char *name, const char *text)
{
	xmlNodePtr n;
	if (!text)
		return;
	n = child(parent, name, true);
	xmlNodeSetContent(n, NULL);
	xmlNodeAddContent(n, BAD_CAST text); /* escaped by libxml2 */
}

char *be_install_xml_set(const char *xml, const char *uuid, const char *kernel, const char *initrd)
{
	xmlDocPtr doc = be_xml_parse(xml);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, os;
	char *out;
	if (!root || xmlStrcmp(root->name, BAD_CAST "domain") != 0) {
		if (doc)
			xmlFreeDoc(doc);
		return NULL;
	}
	set_text(root, "uuid", uuid);
	os = child(root, "os", true);
	set_text(os, "kernel", kernel);
	set_text(os, "initrd", initrd);
	out = be_xml_dump(doc);
	xmlFreeDoc(doc);
	return out;
}

char *be_install_meta_xml(const char *pool_uuid, const char *kernel_vol, const char *initrd_vol)
{
	xmlDocPtr doc = be_xml_new("install");
	xmlNodePtr root = xmlDocGetRootElement(doc);
	char *out;
	be_xml_attr(root, "pool", pool_uuid);
	be_xml_attr(be_xml_add(root, "volume", NULL), "name", kernel_vol);
	be_xml_attr(be_xml_add(root, "volume", NULL), "name", initrd_vol);
	out = be_xml_dump(doc);
	xmlFreeDoc(doc);
	return out;
}

int be_install_meta_parse(const char *xml, char **pool_uuid, char **kernel_vol, char **initrd_vol)
{
	xmlDocPtr doc = xml ? be_xml_parse(xml) : NULL;
	char **vols = NULL;
	size_t n = 0;
	int rc = -1;
	*pool_uuid = *kernel_vol = *initrd_vol = NULL;
	if (!doc)
		return -1;
	*pool_uuid = be_xml_get(doc, "string(/*[local-name()='install']/@pool)");
	vols = be_xml_get_all(doc, "/*[local-name()='install']/*[local-name()='volume']/@name", &n);
	if (*pool_uuid && n == 2) {
		*kernel_vol = vols[0];
		*initrd_vol = vols[1];
		vols[0] = vols[1] = NULL;
		rc = 0;
	} else {
		xfree(pool_uuid);
	}
	be_strv_free(&vols, &n);
	xmlFreeDoc(doc);
	return rc;
}

/* ---- a volume of the host: long downloads ------------------------------------------ */

/* One download stream stays open from where the last read ended: the
 * next read in sequence takes the following bytes from it, a read
 * elsewhere ends it and opens another. Its length is the reader's hint
 * (r->want: the rest of a file, read in pieces into an upload) or the read
 * alone. At 200 ms RTT each stream costs round trips to open and finish
 * and restarts TCP's ramp-up after the idle gap: a file comes in one.
 * Small reads without a hint (the descriptors, the directories) are kept:
 * a second pass over the image reads them again without a round trip. */
enum { VOL_CACHE_MAX = 4 << 20, VOL_CACHE_READ = 1 << 20 };

struct vol_piece {
	uint64_t off;
	size_t len;
	unsigned char *data;
};

struct be_iso_vol {
	be_iso_reader *r;
	virConnectPtr conn;
	virStorageVolPtr vol;
	virStreamPtr st;        /* the open download, NULL none */
	uint64_t st_pos, st_end; /* the next byte it gives, where it ends */
	struct vol_piece *cache;
	size_t ncache, cache_bytes;
};

/* The open stream ends: finished when it gave all, else aborted. */
static void vol_stream_end(struct be_iso_vol *v)
{
	if (!v->st)
		return;
	if (v->st_pos < v->st_end || virStreamFinish(v->st) < 0)
		virStreamAbort(v->st);
	virStreamFree(v->st);
	v->st = NULL;
	virResetLastError();
}

static int vol_stream_open(struct be_iso_vol *v, uint64_t off, uint64_t len, char **err)
{
	vol_stream_end(v);
	v->st = virStreamNew(v->conn, 0);
	if (!v->st || virStorageVolDownload(v->vol, v->st, off, len, 0) < 0) {
		*err = be_last_error(NULL);
		if (v->st)
			virStreamFree(v->st);
		v->st = NULL;
		return -1;
	}
	v->st_pos = off;
	v->st_end = off + len;
	v->r->streams++;
	return 0;
}

static bool vol_cached(struct be_iso_vol *v, void *buf, size_t len, uint64_t off)
{
	for (size_t i = 0; i < v->ncache; i++) {
		const struct vol_piece *p = &v->cache[i];
		if (off >= p->off && off + len <= p->off + p->len) {
			memcpy(buf, p->data + (off - p->off), len);
			v->r->cached += len;
			return true;
		}
	}
	return false;
}

static ssize_t vol_pread(void *ctx, void *buf, size_t len, uint64_t off, char **err)
{
	struct be_iso_vol *v = ctx;
	uint64_t want = v->r->want;
	size_t got = 0;
	bool keep = false;
	if (vol_cached(v, buf, len, off))
		return (ssize_t)len;
	if (!v->st || off != v->st_pos || v->st_pos >= v->st_end) {
		uint64_t n = want > len ? want : len;
		if (n > v->r->size - off)
			n = v->r->size - off;
		if (vol_stream_open(v, off, n, err) < 0)
			return -1;
		keep = !want && len <= VOL_CACHE_READ && v->cache_bytes + len <= VOL_CACHE_MAX;
	}
	if (len > v->st_end - v->st_pos)
		len = (size_t)(v->st_end - v->st_pos);
	while (got < len) {
		int n = virStreamRecv(v->st, (char *)buf + got, len - got);
		if (n <= 0) {
			*err = n < 0 ? be_last_error(NULL) : xstrdup("the volume ended early");
			virStreamAbort(v->st);
			virStreamFree(v->st);
			v->st = NULL;
			return -1;
		}
		got += (size_t)n;
	}
	v->st_pos += got;
	if (v->st_pos >= v->st_end)
		vol_stream_end(v); /* all of it: finished now, not at the next read */
	if (keep) {
		struct vol_piece *p;
		v->cache = xrealloc(v->cache, (v->ncache + 1) * sizeof(*v->cache));
		p = &v->cache[v->ncache++];
		p->off = off;
		p->len = got;
		p->data = xmalloc(got ? got : 1);
		memcpy(p->data, buf, got);
		v->cache_bytes += got;
	}
	return (ssize_t)got;
}

int be_iso_reader_vol(be_iso_reader *r, virConnectPtr conn, virStorageVolPtr vol, char **err)
{
	virStorageVolInfo info;
	struct be_iso_vol *v;
	memset(r, 0, sizeof(*r));
	if (virStorageVolGetInfo(vol, &info) < 0) {
		*err = be_last_error(NULL);
		return -1;
	}
	v = xcalloc(1, sizeof(*v));
	v->r = r;
	v->conn = conn;
	v->vol = vol;
	r->pread = vol_pread;
	r->ctx = v;
	r->size = info.capacity;
	return 0;
}

void be_iso_reader_vol_close(be_iso_reader *r)
{
	struct be_iso_vol *v = r->ctx;
	if (r->pread != vol_pread || !v)
		return;
	vol_stream_end(v);
	for (size_t i = 0; i < v->ncache; i++)
		free(v->cache[i].data);
	free(v->cache);
	free(v);
	r->ctx = NULL;
}

/* ---- the jobs (worker) ------------------------------------------------------------------- */

static void pend_set(const be_host *h, const char *uuid, bool on);
static void left_add(const be_host *h, const char *pool_uuid, const char *name);

/* The reader for the job's image: a local file or a volume (*vol, *pool
 * to free after). -1 with *err. */
static int job_reader(be_host *h, virConnectPtr conn, const be_install_arg *a, be_iso_reader *r,
		      virStoragePoolPtr *pool, virStorageVolPtr *vol, char **err)
{
	*pool = NULL;
	*vol = NULL;
	if (a->iso_local)
		return be_iso_reader_file(r, a->iso_local, err);
	if (!a->iso_pool_uuid || !a->iso_vol ||
	    !(*pool = virStoragePoolLookupByUUIDString(conn, a->iso_pool_uuid)) ||
	    !(*vol = virStorageVolLookupByName(*pool, a->iso_vol))) {
		if (a->iso_pool_uuid && a->iso_vol)
			be_host_fail(h, err);
		else
			*err = xstrdup("no ISO given");
		return -1;
	}
	return be_iso_reader_vol(r, conn, *vol, err);
}

static void job_reader_close(be_iso_reader *r, virStoragePoolPtr pool, virStorageVolPtr vol)
{
	be_iso_reader_close(r);
	be_iso_reader_vol_close(r);
	if (vol)
		virStorageVolFree(vol);
	if (pool)
		virStoragePoolFree(pool);
}

static const char *iso_name(const be_install_arg *a)
{
	return a->iso_local ? a->iso_local : a->iso_vol ? a->iso_vol : "ISO";
}

static void iso_probe_job(be_host *h, const be_job *j, const be_install_arg *a)
{
	be_iso_reader r;
	virStoragePoolPtr pool;
	virStorageVolPtr vol;
	be_iso_probe *p = xcalloc(1, sizeof(*p));
	char *err = NULL;
	md_msg *m;
	int rc = job_reader(h, h->conn, a, &r, &pool, &vol, &err);
	/* the OS database loads on a thread of its own since start: wait for it here, not on the UI */
	if (rc == 0)
		rc = be_iso_probe_reader(be_osinfo_shared_wait(15000), &r, p, &err);
	job_reader_close(&r, pool, vol);
	if (rc < 0) {
		be_post_result(h, j, false, xasprintf("Could not read %s: %s", iso_name(a), err ? err : "?"));
		free(err);
		be_iso_probe_free(p);
		return;
	}
	core_log("iso", "%s: probe %s: volume id \"%s\", %s, kernel %s, %llu bytes in %u reads", h->uri, iso_name(a),
		 p->volume_id, p->os_id ? p->os_id : "unknown OS", p->kernel ? p->kernel : "-",
		 (unsigned long long)r.bytes_read, r.reads);
	m = md_msg_new(MD_MSG_OP_RESULT, h->id);
	m->ok = true;
	m->op = j->op;
	m->seq = j->seq;
	memcpy(m->uuid, j->uuid, sizeof(m->uuid));
	m->ext = p;
	m->ext_free = be_iso_probe_free;
	be_post(m);
}

/* true when name is gone from pool (removed now, or not there) */
static bool vol_drop(virStoragePoolPtr pool, const char *name)
{
	virStorageVolPtr v = virStorageVolLookupByName(pool, name);
	bool gone = !v && virGetLastErrorCode() == VIR_ERR_NO_STORAGE_VOL;
	if (v) {
		gone = virStorageVolDelete(v, 0) == 0;
		virStorageVolFree(v);
	}
	virResetLastError();
	return gone;
}

/* ---- extraction: the image's files streamed into new volumes ---------------------------- */

struct up_ctx {
	virConnectPtr conn;
	virStoragePoolPtr pool;
	const char *const *names;
	bool made[2];
	virStorageVolPtr v;
	virStreamPtr st;
	int64_t t0;
	be_iso_extract_stats *stats;
};

static void up_end(struct up_ctx *u, bool ok)
{
	if (u->st) {
		if (!ok)
			virStreamAbort(u->st);
		virStreamFree(u->st);
	}
	if (u->v)
		virStorageVolFree(u->v);
	u->st = NULL;
	u->v = NULL;
}

static int up_open(void *o, size_t i, uint64_t size, char **err)
{
	struct up_ctx *u = o;
	char *xml;
	if (i > 1 || size == 0) {
		*err = xasprintf("%s: an empty file", u->names[i > 1 ? 1 : i]);
		return -1;
	}
	u->t0 = core_now_ms();
	xml = be_vol_xml(u->names[i], size, "raw", NULL, NULL);
	u->v = virStorageVolCreateXML(u->pool, xml, 0);
	free(xml);
	if (!u->v) {
		*err = be_last_error(NULL);
		return -1;
	}
	u->made[i] = true;
	u->st = virStreamNew(u->conn, 0);
	if (!u->st || virStorageVolUpload(u->v, u->st, 0, size, 0) < 0) {
		*err = be_last_error(NULL);
		up_end(u, false);
		return -1;
	}
	return 0;
}

static int up_data(void *o, size_t i, const void *buf, size_t len, char **err)
{
	struct up_ctx *u = o;
	size_t sent = 0;
	(void)i;
	while (sent < len) {
		int n = virStreamSend(u->st, (const char *)buf + sent, len - sent);
		if (n < 0) {
			*err = be_last_error(NULL);
			up_end(u, false);
			return -1;
		}
		sent += (size_t)n;
	}
	return 0;
}

static int up_close(void *o, size_t i, char **err)
{
	struct up_ctx *u = o;
	if (virStreamFinish(u->st) < 0) {
		*err = be_last_error(NULL);
		up_end(u, false);
		return -1;
	}
	up_end(u, true);
	u->stats->file_ms[i] = core_now_ms() - u->t0;
	return 0;
}

int be_iso_extract(virConnectPtr conn, be_iso_reader *r, virStoragePoolPtr pool, be_iso_file *f,
		   const char *const names[2], be_iso_extract_stats *stats, char **err)
{
	struct up_ctx u = { .conn = conn, .pool = pool, .names = names, .stats = stats };
	be_iso_sink sink = { up_open, up_data, up_close, &u };
	virStoragePoolInfo info;
	int64_t t0 = core_now_ms();
	char fs[32], need[32];
	int rc;

	memset(stats, 0, sizeof(*stats));
	/* first the directories alone (small reads, kept by a volume's
	 * reader): both sizes, for the room check before anything is made */
	rc = be_iso_files(r, f, 2, false, err);
	stats->dirs_ms = core_now_ms() - t0;
	if (rc == 0 && (!f[0].found || !f[1].found)) {
		*err = xasprintf("%s is not in the ISO", f[0].found ? f[1].want : f[0].want);
		rc = -1;
	}
	if (rc == 0 && virStoragePoolGetInfo(pool, &info) < 0) {
		*err = be_last_error(NULL);
		rc = -1;
	}
	if (rc == 0 && info.available < f[0].size + f[1].size) {
		core_size_fmt(info.available, fs, sizeof(fs));
		core_size_fmt(f[0].size + f[1].size, need, sizeof(need));
		*err = xasprintf("the pool has %s free; the installer's kernel and initrd need %s", fs, need);
		rc = -1;
	}
	if (rc == 0)
		rc = be_iso_files_stream(r, f, 2, &sink, err);
	if (rc == 0 && (!f[0].found || !f[1].found)) {
		*err = xasprintf("%s is not in the ISO", f[0].found ? f[1].want : f[0].want);
		rc = -1;
	}
	up_end(&u, rc == 0);
	if (rc < 0)
		for (size_t i = 0; i < 2; i++)
			stats->left[i] = u.made[i] && !vol_drop(pool, names[i]); /* nothing half-made is left */
	stats->total_ms = core_now_ms() - t0;
	stats->bytes = f[0].size + f[1].size;
	return rc;
}

/* The transfers' own connection, opened on a thread of its own while the
 * worker reads the ISO's directories (far away the open costs seconds). */
struct conn_opener {
	be_host *h;
	virConnectPtr c;
};

static void *conn_opener_main(void *arg)
{
	struct conn_opener *o = arg;
	o->c = be_xfer_conn_open(o->h);
	return NULL;
}

static void install_prep_job(be_host *h, const be_job *j, const be_install_arg *a)
{
	be_iso_reader r;
	virStoragePoolPtr ipool = NULL, dst = NULL;
	virStorageVolPtr ivol = NULL;
	be_iso_file f[2] = { { .want = a->kernel }, { .want = a->initrd } };
	const char *const names[2] = { a->kernel_vol, a->initrd_vol };
	be_iso_extract_stats x = { 0 };
	struct conn_opener o = { .h = h };
	pthread_t t;
	bool opening;
	char *err = NULL, *text = NULL, fs[32];
	virConnectPtr c;
	int64_t t0 = core_now_ms(), conn_ms;
	int rc;

	if (!a->kernel || !a->initrd || !a->pool_uuid || !a->kernel_vol || !a->initrd_vol) {
		be_post_result(h, j, false, xstrdup("Could not extract the installer: incomplete request"));
		return;
	}
	/* the ISO's bytes come down the host's connection, the kernel and
	 * initrd go up the transfers' own (its own SSH channel far away):
	 * two channels, each with its window, and the worker's calls do not
	 * wait behind the upload */
	opening = pthread_create(&t, NULL, conn_opener_main, &o) == 0;
	memset(&r, 0, sizeof(r));
	rc = job_reader(h, h->conn, a, &r, &ipool, &ivol, &err);
	/* the directories meanwhile (kept by the reader: the extraction's
	 * first pass reads them again for free) */
	if (rc == 0)
		rc = be_iso_files(&r, f, 2, false, &err);
	if (opening)
		pthread_join(t, NULL);
	conn_ms = core_now_ms() - t0;
	if (!(c = o.c)) {
		c = h->conn;
		virConnectRef(c);
	}
	if (rc == 0 && !(dst = virStoragePoolLookupByUUIDString(c, a->pool_uuid))) {
		err = be_last_error(NULL);
		rc = -1;
	}
	if (rc == 0)
		rc = be_iso_extract(c, &r, dst, f, names, &x, &err);
	if (rc < 0 && c != h->conn && h->conn && (x.left[0] || x.left[1])) {
		/* its connection is gone: what it made goes over the host's */
		virStoragePoolPtr p = virStoragePoolLookupByUUIDString(h->conn, a->pool_uuid);
		for (size_t i = 0; p && i < 2; i++)
			if (x.left[i])
				x.left[i] = !vol_drop(p, names[i]);
		if (p)
			virStoragePoolFree(p);
		virResetLastError();
	}
	for (size_t i = 0; i < 2; i++)
		if (x.left[i]) /* the link is gone: removed when it is back (be_install_scan) */
			left_add(h, a->pool_uuid, names[i]);
	if (rc < 0) {
		text = xasprintf("Could not extract the installer from %s: %s%s", iso_name(a), err ? err : "?",
				 x.left[0] || x.left[1] ? " (what was extracted is removed when the host is back)" : "");
	} else {
		core_size_fmt(x.bytes, fs, sizeof(fs));
		text = xasprintf("Extracted the installer's kernel and initrd (%s; %llu bytes of the ISO read in %u "
				 "reads, %u downloads) in %.1f s",
				 fs, (unsigned long long)(r.bytes_read - r.cached), r.reads, r.streams,
				 (double)(core_now_ms() - t0) / 1000.0);
	}
	core_log("iso", "%s: %s (directories and the transfers' connection %lld ms; then directories again %lld ms, "
		 "kernel %lld ms, initrd %lld ms)",
		 h->uri, text, (long long)conn_ms, (long long)x.dirs_ms, (long long)x.file_ms[0], (long long)x.file_ms[1]);
	job_reader_close(&r, ipool, ivol);
	if (dst)
		virStoragePoolFree(dst);
	virConnectClose(c);
	be_post_result(h, j, rc == 0, text);
	free(err);
}

/* The volumes' paths on the host; -1 with *err. */
static int vol_paths(be_host *h, const char *pool_uuid, const char *k, const char *i, char **kp, char **ip,
		     char **err)
{
	virStoragePoolPtr pool = virStoragePoolLookupByUUIDString(h->conn, pool_uuid);
	const char *names[2] = { k, i };
	char **out[2] = { kp, ip };
	*kp = *ip = NULL;
	for (int n = 0; pool && n < 2; n++) {
		virStorageVolPtr v = virStorageVolLookupByName(pool, names[n]);
		*out[n] = v ? virStorageVolGetPath(v) : NULL;
		if (v)
			virStorageVolFree(v);
	}
	if (pool)
		virStoragePoolFree(pool);
	if (!*kp || !*ip) {
		be_host_fail(h, err);
		xfree(kp);
		xfree(ip);
		return -1;
	}
	return 0;
}

static void install_start_job(be_host *h, const be_job *j, const be_install_arg *a)
{
	virDomainPtr dom = virDomainLookupByUUIDString(h->conn, j->uuid), run = NULL;
	char *kp = NULL, *ip = NULL, *xml = NULL, *meta = NULL, *err = NULL;
	if (!dom || !a->xml || vol_paths(h, a->pool_uuid, a->kernel_vol, a->initrd_vol, &kp, &ip, &err) < 0) {
		if (!err)
			be_host_fail(h, &err);
		be_post_result(h, j, false, xasprintf("Could not start the installer: %s", err ? err : "?"));
		goto out;
	}
	xml = be_install_xml_set(a->xml, j->uuid, kp, ip);
	meta = be_install_meta_xml(a->pool_uuid, a->kernel_vol, a->initrd_vol);
	/* the persistent definition names what to remove once the install run ends */
	if (!xml || virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, meta, "vmmc", BE_INSTALL_NS,
					 VIR_DOMAIN_AFFECT_CONFIG) < 0) {
		if (xml)
			be_host_fail(h, &err);
		be_post_result(h, j, false, xasprintf("Could not start the installer: %s", err ? err : "bad XML"));
		goto out;
	}
	/* the install run: this XML for this run only; the definition stays the final one */
	if (!(run = virDomainCreateXML(h->conn, xml, 0))) {
		be_host_fail(h, &err);
		virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, BE_INSTALL_NS, VIR_DOMAIN_AFFECT_CONFIG);
		virResetLastError();
		be_post_result(h, j, false, xasprintf("Could not start the installer: %s", err));
		goto out;
	}
	pend_set(h, j->uuid, true);
	be_post_result(h, j, true, NULL);
	be_vm_post(h, j->uuid);
out:
	if (run)
		virDomainFree(run);
	if (dom)
		virDomainFree(dom);
	free(kp);
	free(ip);
	free(xml);
	free(meta);
	free(err);
}

void be_iso_job(be_host *h, const be_job *j)
{
	const be_install_arg *a = j->arg;
	if (!h->conn) {
		be_post_result(h, j, false, xasprintf("Could not %s: not connected", be_op_name(j->op)));
		return;
	}
	if (!a) {
		be_post_result(h, j, false, xstrdup("no request"));
		return;
	}
	if (j->op == BE_OP_ISO_PROBE)
		iso_probe_job(h, j, a);
	else if (j->op == BE_OP_INSTALL_PREP)
		install_prep_job(h, j, a);
	else
		install_start_job(h, j, a);
}

/* ---- the end of an install run ------------------------------------------------------------ */

/* The VMs with an install run to clean up after, per host: the ones this
 * vmmc started and the ones the scan at connect found; a VM event of any
 * other VM costs no call. Worker threads only (one per host), hence the
 * lock. */
static pthread_mutex_t pend_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pend {
	const be_host *h;
	char uuid[VIR_UUID_STRING_BUFLEN];
} *pend;
static size_t npend;

static ssize_t pend_find(const be_host *h, const char *uuid)
{
	for (size_t i = 0; i < npend; i++)
		if (pend[i].h == h && strcmp(pend[i].uuid, uuid) == 0)
			return (ssize_t)i;
	return -1;
}

static void pend_set(const be_host *h, const char *uuid, bool on)
{
	ssize_t i;
	pthread_mutex_lock(&pend_lock);
	i = pend_find(h, uuid);
	if (on && i < 0) {
		pend = xrealloc(pend, (npend + 1) * sizeof(*pend));
		pend[npend].h = h;
		snprintf(pend[npend].uuid, sizeof(pend[npend].uuid), "%s", uuid);
		npend++;
	} else if (!on && i >= 0) {
		pend[i] = pend[--npend];
	}
	pthread_mutex_unlock(&pend_lock);
}

static bool pend_has(const be_host *h, const char *uuid)
{
	bool r;
	pthread_mutex_lock(&pend_lock);
	r = pend_find(h, uuid) >= 0;
	pthread_mutex_unlock(&pend_lock);
	return r;
}

void be_install_cleanup(be_host *h, const char *uuid)
{
	virDomainPtr dom = h->conn && pend_has(h, uuid) ? virDomainLookupByUUIDString(h->conn, uuid) : NULL;
	char *meta = NULL, *pool_uuid = NULL, *k = NULL, *i = NULL;
	virStoragePoolPtr pool;
	int state = 0, reason = 0;
	if (!pend_has(h, uuid))
		return;
	if (!dom || virDomainGetState(dom, &state, &reason, 0) < 0) {
		if (!dom && h->conn)
			pend_set(h, uuid, false); /* the VM is gone */
		goto out;
	}
	/* the install runs, or has not run yet: shut off for an unknown reason
	 * is a VM defined and not started since; its record is written just
	 * before its install run starts, and another vmmc connecting to the
	 * host then (its scan) took the two for an ended run and removed the
	 * kernel under the starting run ("unable to stat ... install-kernel",
	 * seen at 200 ms RTT) */
	if (state != VIR_DOMAIN_SHUTOFF || reason == VIR_DOMAIN_SHUTOFF_UNKNOWN)
		goto out;
	if (!(meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, BE_INSTALL_NS, VIR_DOMAIN_AFFECT_CONFIG)) ||
	    be_install_meta_parse(meta, &pool_uuid, &k, &i) < 0) {
		pend_set(h, uuid, false); /* no record (any more): nothing to do */
		goto out;
	}
	if ((pool = virStoragePoolLookupByUUIDString(h->conn, pool_uuid)) != NULL) {
		vol_drop(pool, k);
		vol_drop(pool, i);
		virStoragePoolFree(pool);
	}
	if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, BE_INSTALL_NS,
				 VIR_DOMAIN_AFFECT_CONFIG) == 0)
		pend_set(h, uuid, false);
	if (!pend_has(h, uuid))
		core_log("iso", "%s: install run of %s ended: removed %s and %s", h->uri, uuid, k, i);
	{
		char *err = NULL;
		if (be_list_pools(h, &err) < 0)
			free(err);
	}
out:
	virResetLastError();
	if (dom)
		virDomainFree(dom);
	free(meta);
	free(pool_uuid);
	free(k);
	free(i);
}

/* The VMs an install run was made for are found by their extracted
 * kernel's volume (NAME.install-kernel, in an active pool): one listing
 * per pool, no call per VM (a host far away with thousands of VMs would
 * otherwise cost a round trip each). */
/* Volumes an extraction made and could not remove (its link was cut):
 * removed at the host's next connect. */
static struct left_vol {
	const be_host *h;
	char pool[VIR_UUID_STRING_BUFLEN];
	char *name;
} *lefts;
static size_t nlefts;

static void left_add(const be_host *h, const char *pool_uuid, const char *name)
{
	pthread_mutex_lock(&pend_lock);
	lefts = xrealloc(lefts, (nlefts + 1) * sizeof(*lefts));
	lefts[nlefts].h = h;
	snprintf(lefts[nlefts].pool, sizeof(lefts[nlefts].pool), "%s", pool_uuid);
	lefts[nlefts].name = xstrdup(name);
	nlefts++;
	pthread_mutex_unlock(&pend_lock);
}

/* This host's entries are taken out under the lock and dropped without it
 * (libvirt calls: a far host must not hold up the other hosts' workers);
 * the ones that could not be removed go back. */
static void lefts_drop(be_host *h)
{
	struct left_vol *mine = NULL;
	size_t nmine = 0;
	pthread_mutex_lock(&pend_lock);
	for (size_t i = 0; i < nlefts;) {
		if (lefts[i].h != h) {
			i++;
			continue;
		}
		mine = xrealloc(mine, (nmine + 1) * sizeof(*mine));
		mine[nmine++] = lefts[i];
		lefts[i] = lefts[--nlefts];
	}
	pthread_mutex_unlock(&pend_lock);
	for (size_t i = 0; i < nmine; i++) {
		virStoragePoolPtr p = virStoragePoolLookupByUUIDString(h->conn, mine[i].pool);
		bool gone = p && vol_drop(p, mine[i].name);
		if (p)
			virStoragePoolFree(p);
		if (gone || (!p && virGetLastErrorCode() == VIR_ERR_NO_STORAGE_POOL))
			core_log("iso", "%s: removed %s, left by an extraction cut short", h->uri, mine[i].name);
		else
			left_add(h, mine[i].pool, mine[i].name);
		free(mine[i].name);
	}
	free(mine);
	virResetLastError();
}

void be_install_scan(be_host *h)
{
	static const char suffix[] = ".install-kernel";
	virStoragePoolPtr *pools = NULL;
	int np;
	if (h->conn)
		lefts_drop(h);
	np = h->conn ? virConnectListAllStoragePools(h->conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE) : -1;
	for (int p = 0; p < np; p++) {
		virStorageVolPtr *vols = NULL;
		int nv = virStoragePoolListAllVolumes(pools[p], &vols, 0);
		for (int v = 0; v < nv; v++) {
			const char *name = virStorageVolGetName(vols[v]);
			size_t len = name ? strlen(name) : 0;
			if (len > sizeof(suffix) - 1 && strcmp(name + len - (sizeof(suffix) - 1), suffix) == 0) {
				char *vm = xstrndup(name, len - (sizeof(suffix) - 1));
				virDomainPtr dom = virDomainLookupByName(h->conn, vm);
				char uuid[VIR_UUID_STRING_BUFLEN];
				if (dom && virDomainGetUUIDString(dom, uuid) == 0) {
					pend_set(h, uuid, true);
					be_install_cleanup(h, uuid);
				}
				if (dom)
					virDomainFree(dom);
				free(vm);
			}
			virStorageVolFree(vols[v]);
		}
		free(vols);
		virStoragePoolFree(pools[p]);
	}
	virResetLastError();
	free(pools);
}

/* ---- the probe as text ------------------------------------------------------------------ */

static void kv(char **out, const char *k, const char *v)
{
	char *n, *clean;
	if (!v)
		return;
	clean = xstrdup(v);
	for (char *c = clean; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	n = xasprintf("%s%s=%s\n", *out, k, clean);
	free(clean);
	free(*out);
	*out = n;
}

char *be_iso_probe_text(const be_iso_probe *p, const char *key)
{
	char *t = xstrdup("vmmc-iso-probe=1\n");
	kv(&t, "key", key);
	kv(&t, "volume_id", p->volume_id);
	kv(&t, "os_id", p->os_id);
	kv(&t, "os_name", p->os_name);
	kv(&t, "family", p->family);
	kv(&t, "kernel", p->kernel);
	kv(&t, "initrd", p->initrd);
	kv(&t, "kernel_found", p->kernel_found ? "1" : "0");
	kv(&t, "text_install", p->text_install ? "1" : "0");
	kv(&t, "why_not", p->why_not);
	return t;
}

int be_iso_probe_parse(const char *text, be_iso_probe *p, char **key)
{
	static const char *const names[] = { "key", "volume_id", "os_id", "os_name", "family", "kernel", "initrd", "why_not" };
	char **slots[] = { key, &p->volume_id, &p->os_id, &p->os_name, &p->family, &p->kernel, &p->initrd, &p->why_not };
	const char *s = text;
	memset(p, 0, sizeof(*p));
	*key = NULL;
	if (!text || strncmp(text, "vmmc-iso-probe=1\n", 17) != 0)
		return -1;
	while (*s) {
		size_t len = strcspn(s, "\n");
		const char *eq = memchr(s, '=', len);
		if (eq) {
			size_t kl = (size_t)(eq - s);
			char *v = xstrndup(eq + 1, len - kl - 1);
			bool used = false;
			for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++)
				if (strlen(names[i]) == kl && strncmp(s, names[i], kl) == 0 && !*slots[i]) {
					*slots[i] = v;
					used = true;
				}
			if (kl == 12 && strncmp(s, "kernel_found", 12) == 0)
				p->kernel_found = strcmp(v, "1") == 0;
			if (kl == 12 && strncmp(s, "text_install", 12) == 0)
				p->text_install = strcmp(v, "1") == 0;
			if (!used)
				free(v);
		}
		s += len;
		if (*s)
			s++;
	}
	return 0;
}

/* ---- the final definition --------------------------------------------------------------- */

static void drop_children(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = parent->children, next;
	for (; n; n = next) {
		next = n->next;
		if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
}

char *be_install_final_xml(const char *install_xml)
{
	xmlDocPtr doc = be_xml_parse(install_xml);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, os, devs;
	char *out;
	if (!root || xmlStrcmp(root->name, BAD_CAST "domain") != 0) {
		if (doc)
			xmlFreeDoc(doc);
		return NULL;
	}
	os = child(root, "os", true);
	drop_children(os, "kernel");
	drop_children(os, "initrd");
	drop_children(os, "cmdline");
	drop_children(os, "boot");
	be_xml_attr(be_xml_add(os, "boot", NULL), "dev", "hd");
	devs = child(root, "devices", false);
	for (xmlNodePtr d = devs ? devs->children : NULL; d; d = d->next) {
		xmlChar *dev;
		if (d->type != XML_ELEMENT_NODE || xmlStrcmp(d->name, BAD_CAST "disk") != 0)
			continue;
		dev = xmlGetProp(d, BAD_CAST "device");
		if (dev && xmlStrcmp(dev, BAD_CAST "cdrom") == 0) {
			drop_children(d, "source"); /* ejected: an empty drive */
			xmlSetProp(d, BAD_CAST "type", BAD_CAST "file");
		}
		xmlFree(dev);
	}
	out = be_xml_dump(doc);
	xmlFreeDoc(doc);
	return out;
}
