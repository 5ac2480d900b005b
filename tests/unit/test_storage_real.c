/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_storage_real.c - pools, volumes, networks and volume
 * transfers against the real qemu:///system daemon. Everything it makes is
 * named "vmmc-st-<pid>-..." (pools, volumes, networks, VMs) or lives in its
 * own temporary folder, and is removed at the end, also after a failure
 * (group teardown). It touches nothing else. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "pump.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../../backend/be.h"
#include "../../backend/be_reuse.h"
#include "../../backend/be_storage.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/sha256.h"
#include "../../core/util.h"

#define SOCK "/run/libvirt/libvirt-sock"
#include "proxy.h" /* uses SOCK */
#define URI "qemu:///system"
#define HOST_ID 1
#define MIB (1024ULL * 1024)

static struct {
	core_msgq *q;
	md_model *m;
	md_host *h;
	be_host *bh;
	virConnectPtr raw;     /* the test's own connection */
	char prefix[64];       /* vmmc-st-<pid>- */
	char dir[128];         /* temporary folder */
	uint64_t want_seq;
	bool got, ok;
	char text[1024];
	char str0[64];         /* the answer's strs[0] (NET_SUGGEST) */
	be_lease_list *leases; /* copy of the last MD_MSG_NET_LEASES for want_seq */
	int host_id;           /* whose OP_RESULT is waited for */
} T;

static void quiet(void *data, virErrorPtr err)
{
}

static void record(md_msg *msg)
{
	if (msg->type == MD_MSG_OP_RESULT && msg->seq == T.want_seq && msg->host_id == T.host_id) {
		T.got = true;
		T.ok = msg->ok;
		snprintf(T.text, sizeof(T.text), "%s", msg->text ? msg->text : "");
		snprintf(T.str0, sizeof(T.str0), "%s", msg->nstrs ? msg->strs[0] : "");
	}
	if (msg->type == MD_MSG_NET_LEASES && msg->seq == T.want_seq) {
		be_lease_list_free(T.leases);
		T.leases = msg->ext; /* taken */
		msg->ext = NULL;
	}
}

static bool pump(int64_t end_ms)
{
	return pump_queue(T.q, T.m, record, end_ms);
}

static char *name(const char *suffix)
{
	return xasprintf("%s%s", T.prefix, suffix);
}

/* ---- cleanup: only what carries our prefix ---------------------------------- */

static bool ours(const char *n)
{
	return n && strncmp(n, T.prefix, strlen(T.prefix)) == 0;
}

static void cleanup_all(void)
{
	virDomainPtr *doms = NULL;
	virStoragePoolPtr *pools = NULL;
	virNetworkPtr *nets = NULL;
	int n;

	if (!T.raw)
		return;
	n = virConnectListAllDomains(T.raw, &doms, 0);
	for (int i = 0; i < n; i++) {
		if (ours(virDomainGetName(doms[i]))) {
			virDomainDestroy(doms[i]);
			virDomainUndefine(doms[i]);
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	n = virConnectListAllStoragePools(T.raw, &pools, 0);
	for (int i = 0; i < n; i++) {
		if (ours(virStoragePoolGetName(pools[i]))) {
			virStorageVolPtr *vols = NULL;
			int nv;
			if (virStoragePoolIsActive(pools[i]) != 1)
				virStoragePoolCreate(pools[i], 0);
			nv = virStoragePoolListAllVolumes(pools[i], &vols, 0);
			for (int k = 0; k < nv; k++) {
				virStorageVolDelete(vols[k], 0);
				virStorageVolFree(vols[k]);
			}
			free(vols);
			virStoragePoolDestroy(pools[i]);
			virStoragePoolUndefine(pools[i]);
		}
		virStoragePoolFree(pools[i]);
	}
	free(pools);
	n = virConnectListAllNetworks(T.raw, &nets, 0);
	for (int i = 0; i < n; i++) {
		if (ours(virNetworkGetName(nets[i]))) {
			virNetworkDestroy(nets[i]);
			virNetworkUndefine(nets[i]);
		}
		virNetworkFree(nets[i]);
	}
	free(nets);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

/* Unmount what the tests mounted in their folder (a failed assertion
 * jumps past a test's own umount). */
static void unmount_ours(void)
{
	FILE *f = fopen("/proc/mounts", "r");
	char dev[256], dir[512];
	size_t n = strlen(T.dir);
	while (f && fscanf(f, "%255s %511s %*[^\n]", dev, dir) == 2) {
		if (strncmp(dir, T.dir, n) == 0 && dir[n] == '/') {
			char *cmd = xasprintf("umount '%s'", dir);
			if (system(cmd) != 0)
				fprintf(stderr, "cannot unmount %s\n", dir);
			free(cmd);
		}
	}
	if (f)
		fclose(f);
}

static int unmount_teardown(void **state)
{
	unmount_ours();
	return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

/* Submit, wait for the OP_RESULT, then for the lists (a REFRESH behind it). */
static bool op_on(be_host *bh, int host_id, int op, const char *uuid, void *arg)
{
	bool ok;
	char text[sizeof(T.text)];
	T.got = false;
	T.host_id = host_id;
	T.want_seq = be_host_submit_arg(bh, op, uuid, arg, arg ? be_storage_arg_free : NULL);
	WAIT(T.got, 120000);
	if (!T.got)
		fail_msg("%s: no answer", be_op_name(op));
	ok = T.ok;
	memcpy(text, T.text, sizeof(text));
	T.got = false;
	T.want_seq = be_host_submit(bh, BE_OP_REFRESH, NULL, NULL, 0);
	WAIT(T.got, 60000);
	assert_true(T.got);
	T.ok = ok;
	memcpy(T.text, text, sizeof(text));
	return ok;
}

static bool op(int op, const char *uuid, void *arg)
{
	return op_on(T.bh, HOST_ID, op, uuid, arg);
}

static void op_ok(int o, const char *uuid, void *arg)
{
	if (!op(o, uuid, arg))
		fail_msg("%s failed: %s", be_op_name(o), T.text);
}

/* The answer refused and its text holds each of the words. */
static void op_refused(int o, const char *uuid, void *arg, const char *w1, const char *w2)
{
	if (op(o, uuid, arg))
		fail_msg("%s succeeded; a refusal was expected (%s)", be_op_name(o), T.text);
	if ((w1 && !strstr(T.text, w1)) || (w2 && !strstr(T.text, w2)))
		fail_msg("%s: text \"%s\" lacks \"%s\" / \"%s\"", be_op_name(o), T.text, w1,
			 w2 ? w2 : "");
}

static const md_pool *pool_named(const char *n)
{
	for (size_t i = 0; i < T.h->npools; i++)
		if (strcmp(T.h->pools[i].name, n) == 0)
			return &T.h->pools[i];
	return NULL;
}

static const md_vol *vol_named(const md_pool *p, const char *n)
{
	for (size_t i = 0; p && i < p->nvols; i++)
		if (strcmp(p->vols[i].name, n) == 0)
			return &p->vols[i];
	return NULL;
}

static const md_net *net_named(const char *n)
{
	for (size_t i = 0; i < T.h->nnets; i++)
		if (strcmp(T.h->nets[i].name, n) == 0)
			return &T.h->nets[i];
	return NULL;
}

/* A started dir pool "<prefix><suffix>" at dir/<suffix>; its uuid. */
static void make_pool(const char *suffix, char uuid[37])
{
	be_pool_spec *s = be_pool_spec_new();
	const md_pool *p;
	char *n = name(suffix);
	s->kind = BE_POOL_DIR;
	s->name = xstrdup(n);
	s->path = xasprintf("%s/%s", T.dir, suffix);
	s->autostart = false;
	op_ok(BE_OP_POOL_CREATE, NULL, s);
	p = pool_named(n);
	free(n);
	assert_non_null(p);
	memcpy(uuid, p->uuid, 37);
}

static void make_vol(const char *pool_uuid, const char *vname, const char *fmt, uint64_t cap)
{
	be_vol_spec *v = be_vol_spec_new();
	v->name = xstrdup(vname);
	v->format = xstrdup(fmt);
	v->capacity = cap;
	op_ok(BE_OP_VOL_CREATE, pool_uuid, v);
}

static char *vol_path(const char *pool_uuid, const char *vname)
{
	const md_pool *p = NULL;
	const md_vol *v;
	for (size_t i = 0; i < T.h->npools; i++)
		if (strcmp(T.h->pools[i].uuid, pool_uuid) == 0)
			p = &T.h->pools[i];
	v = vol_named(p, vname);
	assert_non_null(v);
	return xstrdup(v->path);
}

/* SHA-256 of a local file, holes read as zeros. */
static void sha_file(const char *path, char hex[65])
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;
	core_sha256 c;
	assert_non_null(f);
	core_sha256_init(&c);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		core_sha256_update(&c, buf, n);
	fclose(f);
	core_sha256_hex(&c, hex);
}

/* virsh vol-download into a file; its SHA-256 (independent of the backend). */
static void sha_virsh(const char *pool_uuid, const char *vname, char hex[65])
{
	char *out = xasprintf("%s/virsh-down", T.dir);
	char *cmd = xasprintf("virsh -q -c %s vol-download --pool %s '%s' '%s'", URI, pool_uuid,
			      vname, out);
	int rc = system(cmd);
	assert_int_equal(rc, 0);
	sha_file(out, hex);
	unlink(out);
	free(out);
	free(cmd);
}

/* A file of size bytes: random data, or (sparse) data only in the given
 * extents (offset, length pairs in MiB), holes elsewhere. */
static char *make_file(const char *fname, uint64_t size, const int *ext, size_t next)
{
	char *path = xasprintf("%s/%s", T.dir, fname);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), ur = open("/dev/urandom", O_RDONLY);
	char *buf = xmalloc(MIB);
	assert_true(fd >= 0 && ur >= 0);
	if (!ext) {
		for (uint64_t off = 0; off < size; off += MIB) {
			assert_int_equal(read(ur, buf, MIB), (ssize_t)MIB);
			assert_int_equal(pwrite(fd, buf, MIB, (off_t)off), (ssize_t)MIB);
		}
	} else {
		for (size_t i = 0; i < next; i += 2)
			for (int k = 0; k < ext[i + 1]; k++) {
				assert_int_equal(read(ur, buf, MIB), (ssize_t)MIB);
				assert_int_equal(pwrite(fd, buf, MIB, (off_t)((uint64_t)(ext[i] + k) * MIB)),
						 (ssize_t)MIB);
			}
		assert_int_equal(ftruncate(fd, (off_t)size), 0);
	}
	close(fd);
	close(ur);
	free(buf);
	return path;
}

static const md_xfer *xfer_wait(uint64_t id, int ms)
{
	const md_xfer *x;
	WAIT((x = md_xfer_find(T.m, id)) && md_xfer_state_final(x->state), ms);
	x = md_xfer_find(T.m, id);
	assert_non_null(x);
	if (!md_xfer_state_final(x->state))
		fail_msg("transfer %llu still %s after %d ms", (unsigned long long)id,
			 md_xfer_state_name(x->state), ms);
	return x;
}

static const md_xfer *upload(const char *local, const char *pool_uuid, const char *vol,
			     bool sparse, bool verify, uint64_t segment)
{
	be_xfer_spec s = { .dir = BE_XFER_UPLOAD, .local = local, .pool = pool_uuid, .vol = vol,
			   .sparse = sparse, .verify = verify, .hash = true, .segment = segment };
	return xfer_wait(be_xfer_start(T.bh, &s), 180000);
}

static void expect_done(const md_xfer *x)
{
	if (x->state != MD_XFER_DONE)
		fail_msg("transfer %s: %s", md_xfer_state_name(x->state), x->text ? x->text : "");
}

static void expect_failed(const md_xfer *x, const char *word)
{
	if (x->state != MD_XFER_FAILED || !x->text || !strstr(x->text, word))
		fail_msg("transfer %s: \"%s\", expected a failure saying \"%s\"",
			 md_xfer_state_name(x->state), x->text ? x->text : "", word);
}

static bool raw_vol_exists(const char *pool_uuid, const char *vname)
{
	virStoragePoolPtr p = virStoragePoolLookupByUUIDString(T.raw, pool_uuid);
	virStorageVolPtr v;
	bool r;
	assert_non_null(p);
	virStoragePoolRefresh(p, 0);
	v = virStorageVolLookupByName(p, vname);
	r = v != NULL;
	if (v)
		virStorageVolFree(v);
	virStoragePoolFree(p);
	return r;
}

/* ---- group ------------------------------------------------------------------------ */

static int group_setup(void **state)
{
	char *err = NULL;

	T.q = core_msgq_new(md_msg_free_void);
	T.m = md_model_new();
	if (be_init(T.q, &err) < 0) {
		fprintf(stderr, "be_init: %s\n", err);
		free(err);
		return -1;
	}
	virSetErrorFunc(NULL, quiet);
	snprintf(T.prefix, sizeof(T.prefix), "vmmc-st-%d-", (int)getpid());
	snprintf(T.dir, sizeof(T.dir), "/tmp/vmmc-st-%d.XXXXXX", (int)getpid());
	if (!mkdtemp(T.dir))
		return -1;
	chmod(T.dir, 0755);
	T.raw = virConnectOpen(URI);
	if (!T.raw) {
		fprintf(stderr, "cannot open %s: %s\n", URI, virGetLastErrorMessage());
		return -1;
	}
	T.h = md_host_add(T.m, HOST_ID, URI);
	T.bh = be_host_new(HOST_ID, URI);
	WAIT(T.h->conn == MD_CONN_CONNECTED && T.h->listed && T.h->busy == 0, 30000);
	return T.h->conn == MD_CONN_CONNECTED ? 0 : -1;
}

static int group_teardown(void **state)
{
	for (int i = 0; i < 100 && be_xfer_running(); i++)
		usleep(100 * 1000);
	be_host_free(&T.bh, 5000);
	be_fini();
	cleanup_all();
	if (T.raw)
		virConnectClose(T.raw);
	unmount_ours();
	nftw(T.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	be_lease_list_free(T.leases);
	md_model_free(&T.m);
	core_msgq_free(&T.q);
	return 0;
}

/* ---- pools -------------------------------------------------------------------------- */

static void test_pool_lifecycle(void **state)
{
	/* a name with XML's special characters round-trips */
	char *pname = name("p<&\"'>");
	char *path = xasprintf("%s/pool one", T.dir);
	be_pool_spec *s = be_pool_spec_new();
	const md_pool *p;
	char uuid[37];
	struct stat st;

	s->kind = BE_POOL_DIR;
	s->name = xstrdup(pname);
	s->path = xstrdup(path);
	op_ok(BE_OP_POOL_CREATE, NULL, s);
	p = pool_named(pname);
	assert_non_null(p);
	assert_string_equal(p->type, "dir");
	assert_string_equal(p->path, path);
	assert_true(p->active);
	assert_true(p->autostart);
	assert_true(p->capacity > 0 && p->available > 0);
	assert_int_equal(strlen(p->uuid), 36);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	memcpy(uuid, p->uuid, sizeof(uuid));

	op_ok(BE_OP_POOL_STOP, uuid, NULL);
	assert_false(pool_named(pname)->active);
	op_ok(BE_OP_POOL_START, uuid, NULL);
	assert_true(pool_named(pname)->active);
	op_ok(BE_OP_POOL_AUTOSTART_OFF, uuid, NULL);
	assert_false(pool_named(pname)->autostart);
	op_ok(BE_OP_POOL_REFRESH, uuid, NULL);

	/* the same name again: refused, the first one untouched */
	s = be_pool_spec_new();
	s->kind = BE_POOL_DIR;
	s->name = xstrdup(pname);
	s->path = xasprintf("%s/other", T.dir);
	op_refused(BE_OP_POOL_CREATE, NULL, s, "already", NULL);
	assert_non_null(pool_named(pname));
	{
		char *other = xasprintf("%s/other", T.dir);
		assert_int_not_equal(stat(other, &st), 0); /* nothing made */
		free(other);
	}

	/* a path that is a file: refused, nothing defined */
	{
		char *file = xasprintf("%s/a-file", T.dir), *n2 = name("pfile");
		FILE *f = fopen(file, "w");
		fclose(f);
		s = be_pool_spec_new();
		s->kind = BE_POOL_DIR;
		s->name = xstrdup(n2);
		s->path = xstrdup(file);
		op_refused(BE_OP_POOL_CREATE, NULL, s, "Path", "not a folder");
		assert_null(pool_named(n2));
		free(file);
		free(n2);
	}

	op_ok(BE_OP_POOL_DELETE, uuid, be_pool_del_new(true));
	assert_null(pool_named(pname));
	assert_int_not_equal(stat(path, &st), 0); /* its folder is gone too */
	free(pname);
	free(path);
}

/* Other kinds: a pool from XML (validated by libvirt), NFS fields checked. */
static void test_pool_kinds(void **state)
{
	char *pname = name("px<ml>"), *path = xasprintf("%s/from-xml", T.dir);
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "pool"), t;
	xmlChar *buf = NULL;
	int len;
	be_pool_spec *s;
	const md_pool *p;
	char uuid[37];

	xmlDocSetRootElement(doc, root);
	xmlSetProp(root, BAD_CAST "type", BAD_CAST "dir");
	xmlNewTextChild(root, NULL, BAD_CAST "name", BAD_CAST pname);
	t = xmlNewChild(root, NULL, BAD_CAST "target", NULL);
	xmlNewTextChild(t, NULL, BAD_CAST "path", BAD_CAST path);
	xmlDocDumpMemory(doc, &buf, &len);
	xmlFreeDoc(doc);
	s = be_pool_spec_new();
	s->kind = BE_POOL_XML;
	s->xml = xstrdup((const char *)buf);
	xmlFree(buf);
	op_ok(BE_OP_POOL_CREATE, NULL, s);
	p = pool_named(pname);
	assert_non_null(p);
	assert_true(p->active);
	memcpy(uuid, p->uuid, sizeof(uuid));
	op_ok(BE_OP_POOL_DELETE, uuid, be_pool_del_new(true));

	/* XML that is not a pool, and a pool the schema refuses */
	s = be_pool_spec_new();
	s->kind = BE_POOL_XML;
	s->xml = xstrdup("<network><name>x</name></network>");
	op_refused(BE_OP_POOL_CREATE, NULL, s, "XML", "<pool>");
	s = be_pool_spec_new();
	s->kind = BE_POOL_XML;
	s->xml = xasprintf("<pool type='dir'><name>%sbad</name><target><path>%s</path></target>"
			   "<colour>red</colour></pool>", T.prefix, path);
	op_refused(BE_OP_POOL_CREATE, NULL, s, "colour", NULL);
	/* NFS: the fields are checked before libvirt sees them */
	s = be_pool_spec_new();
	s->kind = BE_POOL_NETFS;
	s->name = name("nfs");
	s->path = xasprintf("%s/nfs", T.dir);
	s->host = xstrdup("");
	s->source = xstrdup("/srv/x");
	op_refused(BE_OP_POOL_CREATE, NULL, s, "NFS server", NULL);
	s = be_pool_spec_new();
	s->kind = BE_POOL_NETFS;
	s->name = name("nfs");
	s->path = xstrdup("relative/path");
	s->host = xstrdup("nfs.example");
	s->source = xstrdup("/srv/x");
	op_refused(BE_OP_POOL_CREATE, NULL, s, "Path", "absolute");
	for (size_t i = 0; i < T.h->npools; i++)
		assert_false(ours(T.h->pools[i].name)); /* nothing was left */
	free(pname);
	free(path);
}

/* ---- volumes ------------------------------------------------------------------------- */

static void test_volumes(void **state)
{
	char pa[37], pb[37];
	const md_pool *p;
	const md_vol *v;
	be_vol_op *o;
	be_vol_spec *s;
	char *pan = name("pa"), *pbn = name("pb");

	make_pool("pa", pa);
	make_pool("pb", pb);
	make_vol(pa, "base.qcow2", "qcow2", 64 * MIB);
	make_vol(pa, "data.raw", "raw", 16 * MIB);

	/* an overlay on base */
	s = be_vol_spec_new();
	s->name = xstrdup("top.qcow2");
	s->format = xstrdup("qcow2");
	s->backing = xstrdup("base.qcow2");
	op_ok(BE_OP_VOL_CREATE, pa, s);

	p = pool_named(pan);
	assert_non_null(p);
	assert_int_equal(p->nvols, 3);
	/* sorted by name */
	assert_string_equal(p->vols[0].name, "base.qcow2");
	assert_string_equal(p->vols[1].name, "data.raw");
	assert_string_equal(p->vols[2].name, "top.qcow2");
	assert_string_equal(p->vols[0].format, "qcow2");
	assert_string_equal(p->vols[1].format, "raw");
	assert_int_equal(p->vols[1].capacity, 16 * MIB);
	assert_int_equal(p->vols[2].capacity, 64 * MIB); /* the backing volume's */
	assert_non_null(p->vols[1].key);
	assert_non_null(strstr(p->vols[1].path, "/pa/data.raw"));

	/* bad input: refused with the field named, nothing made */
	s = be_vol_spec_new();
	s->name = xstrdup("a/b");
	s->capacity = MIB;
	op_refused(BE_OP_VOL_CREATE, pa, s, "Name", "'/'");
	s = be_vol_spec_new();
	s->name = xstrdup("zero");
	op_refused(BE_OP_VOL_CREATE, pa, s, "Size", NULL);
	s = be_vol_spec_new();
	s->name = xstrdup("data.raw");
	s->capacity = MIB;
	op_refused(BE_OP_VOL_CREATE, pa, s, "already exists", NULL);
	assert_int_equal(pool_named(pan)->nvols, 3);

	/* resize: grow; shrink only when asked */
	o = be_vol_op_new("data.raw");
	o->capacity = 32 * MIB;
	op_ok(BE_OP_VOL_RESIZE, pa, o);
	assert_int_equal(vol_named(pool_named(pan), "data.raw")->capacity, 32 * MIB);
	o = be_vol_op_new("data.raw");
	o->capacity = 8 * MIB;
	op_refused(BE_OP_VOL_RESIZE, pa, o, "smaller", NULL);
	assert_int_equal(vol_named(pool_named(pan), "data.raw")->capacity, 32 * MIB);
	o = be_vol_op_new("data.raw");
	o->capacity = 8 * MIB;
	o->shrink = true;
	op_ok(BE_OP_VOL_RESIZE, pa, o);
	assert_int_equal(vol_named(pool_named(pan), "data.raw")->capacity, 8 * MIB);

	/* clone: same pool, another pool */
	o = be_vol_op_new("data.raw");
	o->new_name = xstrdup("copy <&>.raw");
	op_ok(BE_OP_VOL_CLONE, pa, o);
	v = vol_named(pool_named(pan), "copy <&>.raw");
	assert_non_null(v);
	assert_int_equal(v->capacity, 8 * MIB);
	o = be_vol_op_new("base.qcow2");
	o->new_name = xstrdup("base-copy.qcow2");
	o->dst_pool = xstrdup(pb);
	op_ok(BE_OP_VOL_CLONE, pa, o);
	v = vol_named(pool_named(pbn), "base-copy.qcow2");
	assert_non_null(v);
	assert_string_equal(v->format, "qcow2");

	/* delete */
	op_ok(BE_OP_VOL_DELETE, pa, be_vol_op_new("copy <&>.raw"));
	assert_null(vol_named(pool_named(pan), "copy <&>.raw"));
	op_refused(BE_OP_VOL_DELETE, pa, be_vol_op_new("no-such"), "no-such", NULL);

	op_ok(BE_OP_POOL_DELETE, pb, be_pool_del_new(true));
	assert_null(pool_named(pbn));
	free(pan);
	free(pbn);
}

/* ---- in use -------------------------------------------------------------------------- */

static void define_vm_with_disk(const char *vm, const char *disk)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "domain"), os, dev, d, src;
	xmlChar *buf = NULL;
	int len;
	virDomainPtr dom;

	xmlDocSetRootElement(doc, root);
	xmlSetProp(root, BAD_CAST "type", BAD_CAST "qemu");
	xmlNewTextChild(root, NULL, BAD_CAST "name", BAD_CAST vm);
	xmlSetProp(xmlNewTextChild(root, NULL, BAD_CAST "memory", BAD_CAST "32"), BAD_CAST "unit",
		   BAD_CAST "MiB");
	os = xmlNewChild(root, NULL, BAD_CAST "os", NULL);
	xmlSetProp(xmlNewTextChild(os, NULL, BAD_CAST "type", BAD_CAST "hvm"), BAD_CAST "arch",
		   BAD_CAST "x86_64");
	dev = xmlNewChild(root, NULL, BAD_CAST "devices", NULL);
	d = xmlNewChild(dev, NULL, BAD_CAST "disk", NULL);
	xmlSetProp(d, BAD_CAST "type", BAD_CAST "file");
	xmlSetProp(d, BAD_CAST "device", BAD_CAST "disk");
	src = xmlNewChild(d, NULL, BAD_CAST "source", NULL);
	xmlSetProp(src, BAD_CAST "file", BAD_CAST disk);
	xmlSetProp(xmlNewChild(d, NULL, BAD_CAST "target", NULL), BAD_CAST "dev", BAD_CAST "vda");
	xmlDocDumpMemory(doc, &buf, &len);
	dom = virDomainDefineXML(T.raw, (const char *)buf);
	xmlFree(buf);
	xmlFreeDoc(doc);
	if (!dom)
		fail_msg("define %s: %s", vm, virGetLastErrorMessage());
	virDomainFree(dom);
}

static void test_in_use(void **state)
{
	char pu[37];
	char *pun = name("pu"), *vm = name("vm-disk"), *path;
	const md_vol *v;
	virDomainPtr d;

	make_pool("pu", pu);
	make_vol(pu, "disk.qcow2", "qcow2", 32 * MIB);
	path = vol_path(pu, "disk.qcow2");
	define_vm_with_disk(vm, path);
	op_ok(BE_OP_POOL_REFRESH, pu, NULL);
	v = vol_named(pool_named(pun), "disk.qcow2");
	assert_non_null(v);
	assert_int_equal(v->nusers, 1);
	assert_string_equal(v->users[0], vm);

	op_refused(BE_OP_VOL_DELETE, pu, be_vol_op_new("disk.qcow2"), vm, "used");
	op_refused(BE_OP_POOL_DELETE, pu, be_pool_del_new(true), vm, "used");
	op_refused(BE_OP_POOL_DELETE, pu, be_pool_del_new(false), vm, NULL);
	assert_non_null(vol_named(pool_named(pun), "disk.qcow2"));
	assert_true(access(path, F_OK) == 0);

	/* the VM gone, both go */
	d = virDomainLookupByName(T.raw, vm);
	assert_non_null(d);
	virDomainUndefine(d);
	virDomainFree(d);
	op_ok(BE_OP_VOL_DELETE, pu, be_vol_op_new("disk.qcow2"));
	op_ok(BE_OP_POOL_DELETE, pu, be_pool_del_new(true));
	assert_null(pool_named(pun));
	free(pun);
	free(vm);
	free(path);
}

/* ---- transfers -------------------------------------------------------------------------- */

static char up_pool[37];

/* The pool the transfer tests share (each test runs alone, too). */
static void need_up_pool(void)
{
	if (!up_pool[0])
		make_pool("px", up_pool);
}

static void test_upload_64m(void **state)
{
	char *file, h1[65], h2[65];
	const md_xfer *x;
	const md_vol *v;
	char *pn = name("px");

	need_up_pool();
	file = make_file("rand64", 64 * MIB, NULL, 0);
	sha_file(file, h1);
	x = upload(file, up_pool, "rand64.img", false, true, 0);
	expect_done(x);
	assert_string_equal(x->sha256, h1);
	assert_true(x->verified);
	assert_int_equal(x->total, 64 * MIB);
	assert_int_equal(x->done, 64 * MIB);
	sha_virsh(up_pool, "rand64.img", h2);
	assert_string_equal(h1, h2);
	op_ok(BE_OP_POOL_REFRESH, up_pool, NULL);
	v = vol_named(pool_named(pn), "rand64.img");
	assert_non_null(v);
	assert_int_equal(v->capacity, 64 * MIB);
	free(file);
	free(pn);
}

static void test_upload_sparse(void **state)
{
	/* 256 MiB: data at 0-3, 100-107, 250-251 MiB; holes between */
	static const int ext[] = { 0, 4, 100, 8, 250, 2 };
	char *file, h1[65], h2[65], *down;
	const md_xfer *x;
	virStoragePoolPtr p;
	virStorageVolPtr v;
	virStorageVolInfo info;
	struct stat st;

	need_up_pool();
	file = make_file("sparse", 256 * MIB, ext, 6);
	sha_file(file, h1);
	x = upload(file, up_pool, "sparse.img", true, true, 0);
	expect_done(x);
	assert_true(x->verified);
	assert_int_equal(x->data, 14 * MIB);
	assert_true(x->sent <= 14 * MIB); /* the holes did not travel */
	sha_virsh(up_pool, "sparse.img", h2);
	assert_string_equal(h1, h2);
	/* on the host: about the data, not 256 MiB */
	p = virStoragePoolLookupByUUIDString(T.raw, up_pool);
	virStoragePoolRefresh(p, 0);
	v = virStorageVolLookupByName(p, "sparse.img");
	assert_non_null(v);
	assert_int_equal(virStorageVolGetInfo(v, &info), 0);
	assert_int_equal(info.capacity, 256 * MIB);
	if (info.allocation > 14 * MIB + 4 * MIB)
		fail_msg("sparse volume allocates %llu bytes for 14 MiB of data", info.allocation);
	virStorageVolFree(v);
	virStoragePoolFree(p);

	/* and back: a sparse download, same content, holes kept */
	down = xasprintf("%s/sparse-back", T.dir);
	{
		be_xfer_spec s = { .dir = BE_XFER_DOWNLOAD, .local = down, .pool = up_pool,
				   .vol = "sparse.img", .sparse = true, .hash = true };
		x = xfer_wait(be_xfer_start(T.bh, &s), 120000);
	}
	expect_done(x);
	assert_string_equal(x->sha256, h1);
	sha_file(down, h2);
	assert_string_equal(h1, h2);
	assert_int_equal(stat(down, &st), 0);
	assert_true((uint64_t)st.st_blocks * 512 <= 14 * MIB + 4 * MIB);
	free(down);
	free(file);
}

/* be_vol_same_start on pool up_pool: the first of vols holding exactly
 * local's bytes (T.str0), "" when none; false: no answer or !ok. */
static bool same_as(be_host *bh, int host_id, const char *local, const char **vols, size_t n)
{
	T.got = false;
	T.host_id = host_id;
	T.str0[0] = '\0';
	T.want_seq = be_vol_same_start(bh, host_id, up_pool, local, (char *const *)vols, n);
	WAIT(T.got, 60000);
	return T.got && T.ok;
}

/* A file compared byte for byte with the pool's volumes of its size: data
 * and holes, a difference in either, the volume that matches among others,
 * an unreadable file; on the local host (the volumes' files read here) and
 * through qemu+unix:// (taken for a remote one: read with sparse downloads). */
static void test_vol_same(void **state)
{
	md_host *h5 = md_host_add(T.m, 5, "qemu+unix:///system");
	be_host *bh5 = be_host_new(5, "qemu+unix:///system");
	struct { be_host *bh; int id; } hosts[2] = { { T.bh, HOST_ID }, { bh5, 5 } };
	static const int ext[] = { 0, 2, 6, 1 }; /* 8 MiB: data in 0-2 and 6-7 MiB, holes between and after */
	const char *ab[] = { "same-b.img", "same-a.img" }, *a_only[] = { "same-a.img" }, *ba[] = { "same-a.img", "same-b.img" };
	char *a, *b, *c, *cmd, *missing;
	int fd;

	need_up_pool();
	a = make_file("same-a", 8 * MIB, ext, 4);
	b = xasprintf("%s/same-b", T.dir);
	c = xasprintf("%s/same-c", T.dir);
	cmd = xasprintf("cp --sparse=always '%s' '%s' && cp --sparse=always '%s' '%s'", a, b, a, c);
	assert_int_equal(system(cmd), 0);
	/* b: its last byte (in the trailing hole) set; c: a byte of data changed */
	assert_true((fd = open(b, O_WRONLY)) >= 0);
	assert_int_equal(pwrite(fd, "x", 1, (off_t)(8 * MIB - 1)), 1);
	close(fd);
	assert_true((fd = open(c, O_RDWR)) >= 0);
	{
		char byte;
		assert_int_equal(pread(fd, &byte, 1, (off_t)MIB), 1);
		byte = (char)~byte;
		assert_int_equal(pwrite(fd, &byte, 1, (off_t)MIB), 1);
	}
	close(fd);
	expect_done(upload(a, up_pool, "same-a.img", true, false, 0));
	expect_done(upload(b, up_pool, "same-b.img", true, false, 0));

	WAIT(h5->conn == MD_CONN_CONNECTED && h5->listed && h5->busy == 0, 30000);
	assert_int_equal(h5->conn, MD_CONN_CONNECTED);
	missing = xasprintf("%s/no-such-file", T.dir);
	for (int i = 0; i < 2; i++) {
		be_host *bh = hosts[i].bh;
		int id = hosts[i].id;
		assert_true(same_as(bh, id, a, ab, 2));
		assert_string_equal(T.str0, "same-a.img");
		assert_true(same_as(bh, id, b, ba, 2));
		assert_string_equal(T.str0, "same-b.img");
		assert_true(same_as(bh, id, b, a_only, 1)); /* differs in a hole */
		assert_string_equal(T.str0, "");
		assert_true(same_as(bh, id, c, ba, 2)); /* differs in the data */
		assert_string_equal(T.str0, "");
		assert_false(same_as(bh, id, missing, a_only, 1));
		assert_true(T.got);
		assert_non_null(strstr(T.text, "no-such-file"));
		/* written again (the same bytes, a new mtime): what this session
		 * knew of them no longer holds, the next host compares anew */
		assert_int_equal(utimes(a, NULL), 0);
		assert_int_equal(utimes(b, NULL), 0);
	}
	be_host_free(&bh5, 5000);
	md_host_remove(T.m, 5);
	free(missing);
	free(cmd);
	free(a);
	free(b);
	free(c);
}

static void test_transfer_bad_input(void **state)
{
	char *missing = xasprintf("%s/no-such-file", T.dir), *ro, *target;
	be_xfer_spec s = { .dir = BE_XFER_UPLOAD, .pool = up_pool };
	const md_xfer *x;
	char *small;
	size_t nvols = 0;

	need_up_pool();
	op_ok(BE_OP_POOL_REFRESH, up_pool, NULL);
	for (size_t i = 0; i < T.h->npools; i++)
		if (strcmp(T.h->pools[i].uuid, up_pool) == 0)
			nvols = T.h->pools[i].nvols;
	s.local = missing;
	s.vol = "x1";
	expect_failed(xfer_wait(be_xfer_start(T.bh, &s), 30000), "does not exist");
	s.local = T.dir;
	expect_failed(xfer_wait(be_xfer_start(T.bh, &s), 30000), "is a folder");
	small = make_file("small", MIB, NULL, 0);
	s.local = small;
	s.vol = "a/b";
	expect_failed(xfer_wait(be_xfer_start(T.bh, &s), 30000), "'/'");
	/* an existing volume smaller than the file */
	make_vol(up_pool, "tiny.raw", "raw", 4096);
	s.vol = "tiny.raw";
	expect_failed(xfer_wait(be_xfer_start(T.bh, &s), 30000), "smaller");
	assert_true(raw_vol_exists(up_pool, "tiny.raw")); /* not ours to remove */
	/* unreadable (as root only a mode does not stop us: skip that one) */
	/* download into a read-only folder */
	ro = xasprintf("%s/ro", T.dir);
	assert_int_equal(mkdir(ro, 0755), 0);
	target = xasprintf("%s/out.img", ro);
	{
		be_xfer_spec d = { .dir = BE_XFER_DOWNLOAD, .local = target, .pool = up_pool,
				   .vol = "tiny.raw" };
		/* root ignores modes: a read-only bind mount is what a user meets */
		char *cmd = xasprintf("mount --bind '%s' '%s' && mount -o remount,bind,ro '%s'", ro, ro, ro);
		bool mounted = system(cmd) == 0;
		free(cmd);
		if (!mounted)
			fail_msg("cannot make %s read-only", ro);
		x = xfer_wait(be_xfer_start(T.bh, &d), 30000);
		cmd = xasprintf("umount '%s'", ro);
		if (system(cmd) != 0)
			fail_msg("umount %s", ro);
		free(cmd);
		expect_failed(x, "cannot be written");
		assert_int_not_equal(access(target, F_OK), 0);
		/* a file there already */
		d.local = small;
		expect_failed(xfer_wait(be_xfer_start(T.bh, &d), 30000), "exists");
	}
	op_ok(BE_OP_VOL_DELETE, up_pool, be_vol_op_new("tiny.raw"));
	op_ok(BE_OP_POOL_REFRESH, up_pool, NULL);
	for (size_t i = 0; i < T.h->npools; i++)
		if (strcmp(T.h->pools[i].uuid, up_pool) == 0)
			assert_int_equal(T.h->pools[i].nvols, nvols); /* nothing half-made */
	free(missing);
	free(small);
	free(ro);
	free(target);
}

/* A pool on a 16 MiB tmpfs: a 32 MiB upload is refused before anything is
 * made ("pool ... is full"); /dev/null is not a file to upload. */
static void test_pool_full(void **state)
{
	char *dir = xasprintf("%s/tmpfs-pool", T.dir), *cmd, *file, *pn = name("small");
	char uuid[37];
	be_pool_spec *s;
	const md_xfer *x;
	const md_pool *p;

	need_up_pool();
	assert_int_equal(mkdir(dir, 0755), 0);
	cmd = xasprintf("mount -t tmpfs -o size=16m vmmc-st-tmpfs '%s'", dir);
	if (system(cmd) != 0)
		fail_msg("cannot mount a tmpfs on %s", dir);
	free(cmd);
	s = be_pool_spec_new();
	s->kind = BE_POOL_DIR;
	s->name = xstrdup(pn);
	s->path = xstrdup(dir);
	s->autostart = false;
	if (!op(BE_OP_POOL_CREATE, NULL, s))
		goto out;
	p = pool_named(pn);
	assert_non_null(p);
	memcpy(uuid, p->uuid, sizeof(uuid));
	file = make_file("f32", 32 * MIB, NULL, 0);
	{
		be_xfer_spec sp = { .dir = BE_XFER_UPLOAD, .local = file, .pool = uuid, .vol = "big.img" };
		x = xfer_wait(be_xfer_start(T.bh, &sp), 60000);
	}
	expect_failed(x, "is full");
	assert_false(raw_vol_exists(uuid, "big.img"));
	/* /dev/null: not a regular file */
	{
		be_xfer_spec sp = { .dir = BE_XFER_UPLOAD, .local = "/dev/null", .pool = uuid,
				    .vol = "null.img" };
		expect_failed(xfer_wait(be_xfer_start(T.bh, &sp), 60000), "not a regular file");
	}
	assert_false(raw_vol_exists(uuid, "null.img"));
	/* two 10 MiB uploads at once into 16 MiB: both may pass the check
	 * before either writes; the one that runs out fails, says the pool is
	 * full, and its half-written volume is removed */
	{
		char *f10 = make_file("f10", 10 * MIB, NULL, 0);
		be_xfer_spec a = { .dir = BE_XFER_UPLOAD, .local = f10, .pool = uuid, .vol = "a.img" };
		be_xfer_spec b = a;
		uint64_t ia, ib;
		const md_xfer *xa, *xb;
		b.vol = "b.img";
		ia = be_xfer_start(T.bh, &a);
		ib = be_xfer_start(T.bh, &b);
		xa = xfer_wait(ia, 60000);
		xb = xfer_wait(ib, 60000);
		/* at least one runs out (both may); each failed one says so and
		 * leaves no volume; a finished one stays */
		if (xa->state == MD_XFER_DONE && xb->state == MD_XFER_DONE)
			fail_msg("20 MiB went into a 16 MiB pool");
		if (xa->state != MD_XFER_DONE)
			expect_failed(xa, "full");
		if (xb->state != MD_XFER_DONE)
			expect_failed(xb, "full");
		assert_int_equal(raw_vol_exists(uuid, "a.img"), xa->state == MD_XFER_DONE);
		assert_int_equal(raw_vol_exists(uuid, "b.img"), xb->state == MD_XFER_DONE);
		printf("pool full: %s\n", (xa->state == MD_XFER_DONE ? xb : xa)->text);
		if (xa->state != MD_XFER_DONE && xb->state != MD_XFER_DONE)
			printf("pool full: %s\n", xb->text);
		unlink(f10);
		free(f10);
	}
	op_ok(BE_OP_POOL_DELETE, uuid, be_pool_del_new(false)); /* a mount point stays */
	unlink(file);
	free(file);
out:
	unmount_ours();
	free(dir);
	free(pn);
	if (!T.ok)
		fail_msg("pool on tmpfs: %s", T.text);
}

/* Three uploads at once, two on one host and one on a second host: all
 * arrive whole. */
static void test_concurrent(void **state)
{
	char *files[3], sums[3][65], back[65], vol[32];
	uint64_t ids[3];
	be_host *bh2;
	md_host *h2 = md_host_add(T.m, 4, URI);

	need_up_pool();
	bh2 = be_host_new(4, URI);
	WAIT(h2->conn == MD_CONN_CONNECTED && h2->listed && h2->busy == 0, 30000);
	assert_int_equal(h2->conn, MD_CONN_CONNECTED);
	for (int i = 0; i < 3; i++) {
		char fn[16];
		snprintf(fn, sizeof(fn), "conc%d", i);
		files[i] = make_file(fn, (uint64_t)(24 + 8 * i) * MIB, NULL, 0);
		sha_file(files[i], sums[i]);
	}
	for (int i = 0; i < 3; i++) {
		be_xfer_spec sp = { .dir = BE_XFER_UPLOAD, .local = files[i], .pool = up_pool,
				    .segment = 4 * MIB };
		snprintf(vol, sizeof(vol), "conc%d.img", i);
		sp.vol = vol;
		ids[i] = be_xfer_start(i == 2 ? bh2 : T.bh, &sp);
	}
	assert_true(be_xfer_running() >= 1);
	for (int i = 0; i < 3; i++) {
		const md_xfer *x = xfer_wait(ids[i], 120000);
		expect_done(x);
		assert_int_equal(x->host_id, i == 2 ? 4 : HOST_ID);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(vol, sizeof(vol), "conc%d.img", i);
		sha_virsh(up_pool, vol, back);
		assert_string_equal(back, sums[i]);
		unlink(files[i]);
		free(files[i]);
	}
	be_host_free(&bh2, 5000);
	md_host_remove(T.m, 4);
}

/* Cancel once the transfer has moved some bytes. */
static const md_xfer *upload_and_cancel(const char *file, const char *vol)
{
	be_xfer_spec s = { .dir = BE_XFER_UPLOAD, .local = file, .pool = up_pool, .vol = vol,
			   .segment = 8 * MIB };
	uint64_t id = be_xfer_start(T.bh, &s);
	const md_xfer *x;
	WAIT((x = md_xfer_find(T.m, id)) && (x->done > 0 || md_xfer_state_final(x->state)), 60000);
	be_xfer_cancel(id);
	return xfer_wait(id, 60000);
}

static void test_cancel(void **state)
{
	char *file;
	const md_xfer *x;

	need_up_pool();
	file = make_file("big", 512 * MIB, NULL, 0);

	x = upload_and_cancel(file, "cancelled.img");
	if (x->state != MD_XFER_CANCELLED)
		fail_msg("state %s: %s", md_xfer_state_name(x->state), x->text ? x->text : "");
	assert_true(x->done < x->total);
	assert_false(raw_vol_exists(up_pool, "cancelled.img"));

	/* into a volume that was there before: it stays */
	make_vol(up_pool, "kept.raw", "raw", 512 * MIB);
	x = upload_and_cancel(file, "kept.raw");
	assert_int_equal(x->state, MD_XFER_CANCELLED);
	assert_true(raw_vol_exists(up_pool, "kept.raw"));
	unlink(file);
	free(file);
}

/* ---- resume after a lost link: the proxy of proxy.h in front of the daemon ---- */

static void test_resume_after_cut(void **state)
{
	char *file, h1[65], h2[65], uri[200];
	be_xfer_spec s = { .dir = BE_XFER_UPLOAD, .pool = up_pool, .vol = "resumed.img",
			   .segment = 16 * MIB, .hash = true };
	md_host *h;
	be_host *bh;
	const md_xfer *x;
	uint64_t id, before;

	need_up_pool();
	s.local = file = make_file("resume", 256 * MIB, NULL, 0);
	assert_int_equal(proxy_start("st-proxy"), 0);

	snprintf(uri, sizeof(uri), "qemu+unix:///system?socket=%s", P.path);
	h = md_host_add(T.m, 2, uri);
	bh = be_host_new(2, uri);
	WAIT(h->conn == MD_CONN_CONNECTED && h->listed && h->busy == 0, 30000);
	assert_int_equal(h->conn, MD_CONN_CONNECTED);

	sha_file(file, h1);
	before = __atomic_load_n(&P.bytes, __ATOMIC_SEQ_CST);
	id = be_xfer_start(bh, &s);
	/* cut at about half, keep the link down for 2 s, then let it back */
	WAIT((x = md_xfer_find(T.m, id)) &&
	     ((x->state == MD_XFER_RUNNING && x->done >= 128 * MIB) || md_xfer_state_final(x->state)),
	     120000);
	x = md_xfer_find(T.m, id);
	assert_non_null(x);
	assert_false(md_xfer_state_final(x->state));
	proxy_say('d');
	WAIT((x = md_xfer_find(T.m, id)) && x->state == MD_XFER_RECONNECTING, 30000);
	x = md_xfer_find(T.m, id);
	if (x->state != MD_XFER_RECONNECTING)
		fail_msg("after the cut: %s: %s", md_xfer_state_name(x->state), x->text ? x->text : "");
	usleep(2000 * 1000);
	proxy_say('o');
	x = xfer_wait(id, 180000);
	expect_done(x);
	assert_int_equal(x->resumes, 1);
	/* less than 60% of the file went again after the cut: all bytes
	 * through the proxy < 1.6 x the file */
	{
		uint64_t moved = __atomic_load_n(&P.bytes, __ATOMIC_SEQ_CST) - before;
		printf("resume: %.1f MiB through the link for a 256 MiB file\n", (double)moved / MIB);
		assert_true(moved < 256 * MIB * 16 / 10);
	}
	sha_virsh(up_pool, "resumed.img", h2);
	assert_string_equal(h1, h2);

	be_host_free(&bh, 5000);
	md_host_remove(T.m, 2);
	proxy_stop();
	unlink(file);
	free(file);
}

/* ---- networks ------------------------------------------------------------------------------- */

static char *suggest(void)
{
	T.got = false;
	T.host_id = HOST_ID;
	T.want_seq = be_host_submit(T.bh, BE_OP_NET_SUGGEST, NULL, NULL, 0);
	WAIT(T.got, 30000);
	assert_true(T.got && T.ok);
	assert_string_equal(T.text, ""); /* nothing for the status line */
	assert_true(strlen(T.str0) > 8);
	return xstrdup(T.str0);
}

/* The tiny guest of tests/guest on network net, started. */
static void start_guest(const char *vm, const char *net)
{
	char *cmd = xasprintf("LV_URI=%s tests/guest/domain.sh '%s'", URI, vm);
	FILE *f = popen(cmd, "r");
	char *xml = NULL;
	size_t cap = 0, len = 0, n;
	xmlDocPtr doc;
	xmlNodePtr dev = NULL, nic, c, next;
	xmlChar *out = NULL;
	int olen;
	virDomainPtr d;

	assert_non_null(f);
	for (;;) {
		xgrow(&xml, &cap, len + 4097, 1);
		n = fread(xml + len, 1, 4096, f);
		if (!n)
			break;
		len += n;
	}
	xml[len] = '\0';
	assert_int_equal(pclose(f), 0);
	free(cmd);
	doc = xmlReadMemory(xml, (int)len, "d.xml", NULL, XML_PARSE_NONET);
	free(xml);
	assert_non_null(doc);
	for (c = xmlDocGetRootElement(doc)->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "devices") == 0)
			dev = c;
	assert_non_null(dev);
	for (c = dev->children; c; c = next) { /* drop a NIC on "default" */
		next = c->next;
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "interface") == 0) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	nic = xmlNewChild(dev, NULL, BAD_CAST "interface", NULL);
	xmlSetProp(nic, BAD_CAST "type", BAD_CAST "network");
	xmlSetProp(xmlNewChild(nic, NULL, BAD_CAST "source", NULL), BAD_CAST "network", BAD_CAST net);
	xmlSetProp(xmlNewChild(nic, NULL, BAD_CAST "model", NULL), BAD_CAST "type", BAD_CAST "virtio");
	xmlDocDumpMemory(doc, &out, &olen);
	xmlFreeDoc(doc);
	d = virDomainDefineXML(T.raw, (const char *)out);
	xmlFree(out);
	if (!d)
		fail_msg("define %s: %s", vm, virGetLastErrorMessage());
	if (virDomainCreate(d) < 0)
		fail_msg("start %s: %s", vm, virGetLastErrorMessage());
	virDomainFree(d);
}

static void test_networks(void **state)
{
	char *sub = suggest(), *nn = name("net<&>"), *n2 = name("net2"), *vm = name("guest");
	be_net_spec *s = be_net_spec_new();
	const md_net *n;
	char uuid[37];
	bool found = false;

	/* the suggestion overlaps nothing the host has */
	for (size_t i = 0; i < T.h->nnets; i++)
		if (T.h->nets[i].ipv4)
			assert_true(strncmp(T.h->nets[i].ipv4, sub, strlen(sub) - 4) != 0);
	s->name = xstrdup(nn);
	s->mode = BE_NET_NAT;
	s->subnet = xstrdup(sub);
	s->domain = xstrdup("vmmc.test");
	s->autostart = false;
	op_ok(BE_OP_NET_CREATE, NULL, s);
	n = net_named(nn);
	assert_non_null(n);
	assert_true(n->active);
	assert_string_equal(n->forward, "nat");
	assert_int_equal(n->prefix, 24);
	assert_non_null(n->bridge);
	assert_non_null(n->dhcp_start);
	assert_non_null(n->dhcp_end);
	assert_string_equal(n->domain, "vmmc.test");
	assert_true(strncmp(n->ipv4, sub, strlen(n->ipv4) - 1) == 0); /* x.y.z.1 in x.y.z.0/24 */
	memcpy(uuid, n->uuid, sizeof(uuid));

	/* the same subnet again: refused, naming the network */
	s = be_net_spec_new();
	s->name = xstrdup(n2);
	s->mode = BE_NET_ISOLATED;
	s->subnet = xstrdup(sub);
	op_refused(BE_OP_NET_CREATE, NULL, s, "overlaps", nn);
	assert_null(net_named(n2));
	/* and the next suggestion is another one */
	{
		char *sub2 = suggest();
		assert_string_not_equal(sub, sub2);
		free(sub2);
	}
	s = be_net_spec_new();
	s->name = xstrdup(n2);
	s->subnet = xstrdup("192.168.1.0/24");
	s->dhcp_start = xstrdup("10.0.0.5");
	op_refused(BE_OP_NET_CREATE, NULL, s, "DHCP start", NULL);

	/* a running guest on it: a lease, and delete is refused */
	start_guest(vm, nn);
	for (int i = 0; i < 90 && !found; i++) {
		T.got = false;
		T.host_id = HOST_ID;
		T.want_seq = be_host_submit(T.bh, BE_OP_NET_LEASES, uuid, NULL, 0);
		WAIT(T.got, 30000);
		assert_true(T.got && T.ok);
		assert_non_null(T.leases);
		for (size_t k = 0; k < T.leases->n; k++)
			if (T.leases->v[k].vm && strcmp(T.leases->v[k].vm, vm) == 0) {
				found = true;
				assert_non_null(T.leases->v[k].ip);
				assert_non_null(T.leases->v[k].mac);
				assert_true(T.leases->v[k].expiry > 0);
			}
		if (!found)
			usleep(1000 * 1000);
	}
	if (!found)
		fail_msg("no DHCP lease for %s after 90 s", vm);
	op_refused(BE_OP_NET_DELETE, uuid, NULL, vm, "running");
	assert_non_null(net_named(nn));

	cleanup_all(); /* the guest goes (and the network with it) */
	free(sub);
	free(nn);
	free(n2);
	free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_lifecycle),
		cmocka_unit_test(test_pool_kinds),
		cmocka_unit_test(test_volumes),
		cmocka_unit_test(test_in_use),
		cmocka_unit_test(test_upload_64m),
		cmocka_unit_test(test_upload_sparse),
		cmocka_unit_test(test_vol_same),
		cmocka_unit_test_teardown(test_transfer_bad_input, unmount_teardown),
		cmocka_unit_test_teardown(test_pool_full, unmount_teardown),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_resume_after_cut),
		cmocka_unit_test(test_networks),
	};

	int rc = real_daemon_gate(SOCK);

	if (rc >= 0)
		return rc;
	return cmocka_run_group_tests_name("storage-real", tests, group_setup, group_teardown);
}
