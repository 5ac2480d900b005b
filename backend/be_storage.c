/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_storage.c - pools and volumes: the list for the model and
 * the jobs of backend/be_storage.h (worker thread). XML with libxml2. */
#include "be_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>

#include "../core/storage.h"
#include "../core/util.h"
#include "be_storage.h"
#include "be_xml.h"

/* ---- payloads ------------------------------------------------------------------ */

be_pool_spec *be_pool_spec_new(void)
{
	be_pool_spec *s = xcalloc(1, sizeof(*s));
	s->tag = BE_ARG_POOL_SPEC;
	s->autostart = true;
	return s;
}

be_pool_del *be_pool_del_new(bool contents)
{
	be_pool_del *d = xcalloc(1, sizeof(*d));
	d->tag = BE_ARG_POOL_DEL;
	d->contents = contents;
	return d;
}

be_vol_spec *be_vol_spec_new(void)
{
	be_vol_spec *s = xcalloc(1, sizeof(*s));
	s->tag = BE_ARG_VOL_SPEC;
	return s;
}

be_vol_op *be_vol_op_new(const char *vol)
{
	be_vol_op *o = xcalloc(1, sizeof(*o));
	o->tag = BE_ARG_VOL_OP;
	o->vol = xstrdup(vol);
	return o;
}

be_net_spec *be_net_spec_new(void)
{
	be_net_spec *s = xcalloc(1, sizeof(*s));
	s->tag = BE_ARG_NET_SPEC;
	s->dhcp = true;
	s->autostart = true;
	return s;
}

void be_storage_arg_free(void *arg)
{
	int tag = arg ? *(int *)arg : 0;
	if (tag == BE_ARG_POOL_SPEC) {
		be_pool_spec *s = arg;
		free(s->name);
		free(s->path);
		free(s->host);
		free(s->source);
		free(s->xml);
	} else if (tag == BE_ARG_VOL_SPEC) {
		be_vol_spec *s = arg;
		free(s->name);
		free(s->format);
		free(s->backing);
	} else if (tag == BE_ARG_VOL_OP) {
		be_vol_op *o = arg;
		free(o->vol);
		free(o->new_name);
		free(o->dst_pool);
	} else if (tag == BE_ARG_NET_SPEC) {
		be_net_spec *s = arg;
		free(s->name);
		free(s->subnet);
		free(s->dhcp_start);
		free(s->dhcp_end);
		free(s->domain);
		free(s->dev);
	}
	free(arg);
}

/* The job's payload when it has the tag, else NULL. */
static void *be_job_arg(const be_job *j, int tag)
{
	return j->arg && *(int *)j->arg == tag ? j->arg : NULL;
}

/* ---- list -------------------------------------------------------------------- */

static int be_vol_cmp(const void *a, const void *b)
{
	return strcmp(((const md_vol *)a)->name, ((const md_vol *)b)->name);
}

static int be_pool_cmp(const void *a, const void *b)
{
	return strcmp(((const md_pool *)a)->name, ((const md_pool *)b)->name);
}

static void be_vol_read(virStorageVolPtr vol, md_vol *o)
{
	virStorageVolInfo info;
	char *path = virStorageVolGetPath(vol), *xml;
	xmlDocPtr doc;

	o->name = xstrdup(virStorageVolGetName(vol));
	o->path = xstrdup(path);
	free(path);
	o->key = xstrdup(virStorageVolGetKey(vol));
	if (virStorageVolGetInfo(vol, &info) == 0) {
		o->capacity = info.capacity;
		o->allocation = info.allocation;
	}
	xml = virStorageVolGetXMLDesc(vol, 0);
	if ((doc = be_xml_parse(xml)) != NULL) {
		o->format = be_xml_get(doc, "string(/volume/target/format/@type)");
		xmlFreeDoc(doc);
	}
	free(xml);
}

static void be_pool_vols(virStoragePoolPtr pool, md_pool *o)
{
	virStorageVolPtr *vols = NULL;
	int n = be_vols_list(pool, &vols);

	if (n <= 0) {
		free(vols); /* an empty list is still allocated */
		return;
	}
	o->vols = xcalloc((size_t)n, sizeof(*o->vols));
	o->nvols = (size_t)n;
	for (int i = 0; i < n; i++) {
		be_vol_read(vols[i], &o->vols[i]);
		virStorageVolFree(vols[i]);
	}
	free(vols);
	qsort(o->vols, o->nvols, sizeof(*o->vols), be_vol_cmp);
}

static void be_pool_read(virStoragePoolPtr pool, md_pool *o)
{
	virStoragePoolInfo info;
	int autostart = 0;
	char *xml;
	xmlDocPtr doc;

	o->name = xstrdup(virStoragePoolGetName(pool));
	virStoragePoolGetUUIDString(pool, o->uuid);
	o->active = virStoragePoolIsActive(pool) == 1;
	if (virStoragePoolGetAutostart(pool, &autostart) == 0)
		o->autostart = autostart != 0;
	if (o->active)
		virStoragePoolRefresh(pool, 0); /* best effort: new files show up */
	if (virStoragePoolGetInfo(pool, &info) == 0) {
		o->capacity = info.capacity;
		o->allocation = info.allocation;
		o->available = info.available;
	}
	xml = virStoragePoolGetXMLDesc(pool, 0);
	if ((doc = be_xml_parse(xml)) != NULL) {
		o->type = be_xml_get(doc, "string(/pool/@type)");
		o->path = be_xml_get(doc, "string(/pool/target/path)");
		xmlFreeDoc(doc);
	}
	free(xml);
	if (o->active)
		be_pool_vols(pool, o);
}

/* users[] of every volume: one XML per VM, and only when there are
 * volumes (a host of 10,000 VMs and empty pools reads none). */
static void be_pools_users(virConnectPtr conn, md_pool *pools, size_t n)
{
	be_usage u = { NULL, 0 };
	size_t nvols = 0;
	for (size_t i = 0; i < n; i++)
		nvols += pools[i].nvols;
	if (!nvols || be_usage_load(conn, false, &u) < 0) {
		be_usage_free(&u); /* no "used by" this time: not fatal */
		return;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < pools[i].nvols; k++) {
			md_vol *v = &pools[i].vols[k];
			v->users = be_usage_vol(&u, v->path, pools[i].name, v->name, NULL, &v->nusers);
		}
	be_usage_free(&u);
}


int be_list_fail(be_host *h, char **err, int type)
{
	if (virGetLastErrorCode() == VIR_ERR_NO_SUPPORT) {
		be_post(md_msg_new(type, h->id));
		return 0;
	}
	return be_host_fail(h, err);
}

int be_list_pools(be_host *h, char **err)
{
	virStoragePoolPtr *pools = NULL;
	md_msg *m;
	int n;

	if (!h->conn) {
		*err = xstrdup("not connected");
		return -1;
	}
	/* ESX has only the older calls: its datastores through them */
	if ((n = virConnectListAllStoragePools(h->conn, &pools, 0)) < 0 &&
	    (virGetLastErrorCode() != VIR_ERR_NO_SUPPORT || (n = be_pools_legacy(h->conn, &pools)) < 0))
		return be_list_fail(h, err, MD_MSG_POOL_LIST);
	m = md_msg_new(MD_MSG_POOL_LIST, h->id);
	m->pools = xcalloc((size_t)n, sizeof(*m->pools));
	m->npools = (size_t)n;
	for (int i = 0; i < n; i++) {
		be_pool_read(pools[i], &m->pools[i]);
		virStoragePoolFree(pools[i]);
	}
	free(pools);
	be_pools_users(h->conn, m->pools, m->npools);
	if (m->npools)
		qsort(m->pools, m->npools, sizeof(*m->pools), be_pool_cmp);
	be_post(m);
	return 0;
}

/* ---- helpers for jobs ----------------------------------------------------- */
static void be_st_refuse(be_host *h, const be_job *j, char *text)
{
	be_post_result(h, j, false, text);
}

static void be_st_done(be_host *h, const be_job *j, char *text)
{
	char *err = NULL;
	be_post_result(h, j, true, text);
	if (be_list_pools(h, &err) < 0)
		free(err);
}

/* One pool read again (a volume made or removed in it): MD_MSG_POOL_UPDATE,
 * not the whole list (far away every pool's refresh and every VM's XML for
 * the users cost seconds, in the worker's queue ahead of the next job: a
 * wizard's next step). The users of its volumes are not read (the model
 * keeps the ones it knows). */
static void be_list_pool_one(be_host *h, virStoragePoolPtr pool)
{
	md_msg *m = md_msg_new(MD_MSG_POOL_UPDATE, h->id);
	m->pools = xcalloc(1, sizeof(*m->pools));
	m->npools = 1;
	be_pool_read(pool, &m->pools[0]);
	be_post(m);
}

/* After vol was made in pool (or the volume gone was removed): the job's
 * result, then that volume alone and the pool's figures (the create
 * call's volume: 3 round trips, not a pool read), merged by the model
 * (MD_MSG_POOL_UPDATE, count 1 or 2); the pool read again when its
 * figures cannot be. */
static void be_st_done_pool(be_host *h, const be_job *j, char *text, virStoragePoolPtr pool, virStorageVolPtr vol,
			    const char *gone)
{
	virStoragePoolInfo info;
	md_msg *m;
	md_pool *p;
	be_post_result(h, j, true, text);
	if (virStoragePoolGetInfo(pool, &info) < 0) {
		virResetLastError();
		be_list_pool_one(h, pool);
		return;
	}
	m = md_msg_new(MD_MSG_POOL_UPDATE, h->id);
	m->pools = p = xcalloc(1, sizeof(*m->pools));
	m->npools = 1;
	p->name = xstrdup(virStoragePoolGetName(pool));
	virStoragePoolGetUUIDString(pool, p->uuid);
	p->active = true;
	p->capacity = info.capacity;
	p->allocation = info.allocation;
	p->available = info.available;
	p->vols = xcalloc(1, sizeof(*p->vols));
	p->nvols = 1;
	if (vol) {
		be_vol_read(vol, &p->vols[0]);
		m->count = 1;
	} else {
		p->vols[0].name = xstrdup(gone);
		m->count = 2;
	}
	be_post(m);
}

/* After a failure that may have changed something (a half-done create). */
static void be_st_relist(be_host *h)
{
	char *err = NULL;
	if (be_list_pools(h, &err) < 0)
		free(err);
}

/* The VMs whose disks live in pool (any state); caller frees. */
static char **be_pool_users(be_host *h, virStoragePoolPtr pool, size_t *n)
{
	be_usage u;
	char *xml = virStoragePoolGetXMLDesc(pool, 0), *path = NULL;
	xmlDocPtr doc = be_xml_parse(xml);
	const char *name = virStoragePoolGetName(pool);
	char **names = NULL, **vn;
	size_t nv;
	virStorageVolPtr *vols = NULL;
	int nvols;

	*n = 0;
	free(xml);
	if (doc) {
		path = be_xml_get(doc, "string(/pool/target/path)");
		xmlFreeDoc(doc);
	}
	if (be_usage_load(h->conn, false, &u) < 0) {
		free(path);
		return NULL;
	}
	/* by directory, by <source pool=>, and by each volume's path */
	names = be_usage_vol(&u, NULL, name, NULL, path, n);
	nvols = virStoragePoolIsActive(pool) == 1 ? be_vols_list(pool, &vols) : 0;
	for (int i = 0; i < nvols; i++) {
		char *vp = virStorageVolGetPath(vols[i]);
		vn = be_usage_vol(&u, vp, NULL, NULL, NULL, &nv);
		for (size_t k = 0; k < nv; k++) {
			bool dup = false;
			for (size_t q = 0; q < *n && !dup; q++)
				dup = strcmp(names[q], vn[k]) == 0;
			if (!dup) {
				names = xrealloc(names, (*n + 1) * sizeof(*names));
				names[(*n)++] = xstrdup(vn[k]);
			}
		}
		be_strv_free(&vn, &nv);
		free(vp);
		virStorageVolFree(vols[i]);
	}
	free(vols);
	be_usage_free(&u);
	free(path);
	return names;
}

/* Names of the VMs using vol; active_only: running ones. */
static char **be_vol_users(be_host *h, virStoragePoolPtr pool, virStorageVolPtr vol,
			   bool active_only, size_t *n)
{
	be_usage u;
	char *path = virStorageVolGetPath(vol);
	char **names;
	*n = 0;
	if (be_usage_load(h->conn, active_only, &u) < 0) {
		free(path);
		return NULL;
	}
	names = be_usage_vol(&u, path, virStoragePoolGetName(pool), virStorageVolGetName(vol), NULL, n);
	be_usage_free(&u);
	free(path);
	return names;
}

/* "Volume "x" is in use by 'a', 'b'" when used: refuse and return true. */
static bool be_refuse_users(be_host *h, const be_job *j, char **names, size_t n,
			    const char *what, const char *name, const char *advice)
{
	char *list;
	if (!n)
		return false;
	list = be_names_join(names, n);
	be_st_refuse(h, j, xasprintf("Could not %s \"%s\": %s %s %s%s", be_op_name(j->op), name,
				     what, n == 1 ? "VM" : "VMs", list, advice));
	free(list);
	be_strv_free(&names, &n);
	return true;
}

/* ---- pools ------------------------------------------------------------------- */

static char *be_pool_xml(const be_pool_spec *s)
{
	static const char *const types[] = { "dir", "netfs", "logical" };
	xmlDocPtr doc = be_xml_new("pool");
	xmlNodePtr root = xmlDocGetRootElement(doc), src, target;
	char *xml, *vgpath = NULL;

	be_xml_attr(root, "type", types[s->kind]);
	be_xml_add(root, "name", s->name);
	if (s->kind == BE_POOL_NETFS) {
		src = be_xml_add(root, "source", NULL);
		be_xml_attr(be_xml_add(src, "host", NULL), "name", s->host);
		be_xml_attr(be_xml_add(src, "dir", NULL), "path", s->source);
		be_xml_attr(be_xml_add(src, "format", NULL), "type", "nfs");
	} else if (s->kind == BE_POOL_LOGICAL) {
		src = be_xml_add(root, "source", NULL);
		be_xml_add(src, "name", s->source);
		be_xml_attr(be_xml_add(src, "format", NULL), "type", "lvm2");
		vgpath = xasprintf("/dev/%s", s->source);
	}
	target = be_xml_add(root, "target", NULL);
	be_xml_add(target, "path", vgpath ? vgpath : s->path);
	xml = be_xml_dump(doc);
	xmlFreeDoc(doc);
	free(vgpath);
	return xml;
}

/* Field checks of a pool spec; NULL when fine, else the text. */
static char *be_pool_spec_check(const be_host *h, const be_pool_spec *s, bool *made_dir)
{
	char *err = NULL, *text;
	struct stat st;

	*made_dir = false;
	if (s->kind == BE_POOL_XML) {
		xmlDocPtr doc;
		char *path;
		if (be_pool_xml_check(s->xml, &err) < 0)
			return err;
		/* the folder a build makes (dir, netfs' mount point) goes
		 * again when the pool fails to start: local hosts */
		doc = be_xml_parse(s->xml);
		path = be_xml_get(doc, "/pool/target/path");
		xmlFreeDoc(doc);
		*made_dir = h->local_qemu && path && path[0] == '/' && stat(path, &st) < 0 && errno == ENOENT;
		free(path);
		return NULL;
	}
	if (s->kind < BE_POOL_DIR || s->kind > BE_POOL_LOGICAL)
		return xstrdup("Type: unknown pool type");
	if (core_name_check(s->name, &err) < 0) {
		text = xasprintf("Name: %s", err);
		free(err);
		return text;
	}
	if (s->kind == BE_POOL_LOGICAL) {
		if (core_name_check(s->source, &err) < 0) {
			text = xasprintf("Volume group: %s", err);
			free(err);
			return text;
		}
		return NULL;
	}
	if (!s->path || s->path[0] != '/')
		return xstrdup("Path: enter an absolute path, such as /var/lib/libvirt/images/new");
	if (s->kind == BE_POOL_NETFS) {
		if (!s->host || !*s->host || strpbrk(s->host, " /"))
			return xstrdup("NFS server: enter a host name or address");
		if (!s->source || s->source[0] != '/')
			return xstrdup("Export: enter the exported path, such as /srv/nfs/images");
	}
	/* a local daemon's path can be checked here; a far one's by libvirt */
	if (h->local_qemu) {
		if (stat(s->path, &st) == 0 && !S_ISDIR(st.st_mode))
			return xasprintf("Path: %s exists and is not a folder", s->path);
		*made_dir = stat(s->path, &st) < 0 && errno == ENOENT;
	}
	return NULL;
}

/* "server:/export" of a netfs pool (the form's or the XML's), else NULL */
static char *be_pool_mount_of(const be_pool_spec *s)
{
	char *host = NULL, *dir = NULL, *out = NULL;
	if (s->kind == BE_POOL_NETFS) {
		host = xstrdup(s->host ? s->host : "");
		dir = xstrdup(s->source ? s->source : "");
	} else if (s->kind == BE_POOL_XML) {
		xmlDocPtr doc = be_xml_parse(s->xml);
		char *type = doc ? be_xml_get(doc, "string(/pool/@type)") : NULL;
		if (type && strcmp(type, "netfs") == 0) {
			host = be_xml_get(doc, "string(/pool/source/host/@name)");
			dir = be_xml_get(doc, "string(/pool/source/dir/@path)");
		}
		free(type);
		xmlFreeDoc(doc);
	}
	if (host || dir)
		out = xasprintf("%s:%s", host ? host : "", dir ? dir : "");
	free(host);
	free(dir);
	return out;
}

static void be_pool_create(be_host *h, const be_job *j)
{
	const be_pool_spec *s = be_job_arg(j, BE_ARG_POOL_SPEC);
	virStoragePoolPtr pool;
	char *xml, *text, *name;
	bool made_dir = false, built = false, at_start = false;

	if (!s) {
		be_st_refuse(h, j, xstrdup("Could not create pool: no description given"));
		return;
	}
	if ((text = be_pool_spec_check(h, s, &made_dir)) != NULL) {
		be_st_refuse(h, j, text);
		return;
	}
	xml = s->kind == BE_POOL_XML ? xstrdup(s->xml) : be_pool_xml(s);
	pool = virStoragePoolDefineXML(h->conn, xml, VIR_STORAGE_POOL_DEFINE_VALIDATE);
	free(xml);
	if (!pool) {
		xmlDocPtr doc = s->kind == BE_POOL_XML ? be_xml_parse(s->xml) : NULL;
		name = doc ? be_xml_get(doc, "/pool/name") : NULL;
		xmlFreeDoc(doc);
		be_post_fail(h, j, name ? name : s->name ? s->name : "");
		free(name);
		return;
	}
	name = xstrdup(virStoragePoolGetName(pool));
	/* logical: an existing volume group; building would make a new one */
	if (s->kind != BE_POOL_LOGICAL && virStoragePoolBuild(pool, 0) < 0)
		goto fail;
	built = s->kind != BE_POOL_LOGICAL;
	at_start = true;
	if (virStoragePoolCreate(pool, 0) < 0)
		goto fail;
	at_start = false;
	if (s->autostart && virStoragePoolSetAutostart(pool, 1) < 0)
		goto fail;
	virStoragePoolFree(pool);
	be_st_done(h, j, xasprintf("Pool \"%s\" created and started", name));
	free(name);
	return;
fail:
	/* libvirt's reason first (the undo below overwrites it), the
	 * answer after the undo: when it comes, nothing is left */
	text = be_job_error(h, j);
	if (virStoragePoolIsActive(pool) == 1)
		virStoragePoolDestroy(pool);
	if (built && made_dir)
		virStoragePoolDelete(pool, 0); /* the folder we made (empty) */
	virStoragePoolUndefine(pool);
	virStoragePoolFree(pool);
	{
		char *mnt = at_start ? be_pool_mount_of(s) : NULL;
		be_post_result(h, j, false,
			       mnt ? xasprintf("Could not create pool \"%s\": the host could not mount %s (the pool "
					       "was removed again): %s", name, mnt, text)
				   : xasprintf("Could not create pool \"%s\" (it was removed again): %s", name, text));
		free(mnt);
	}
	free(text);
	free(name);
	be_st_relist(h);
}

static int be_pool_delete_contents(virStoragePoolPtr pool)
{
	virStorageVolPtr *vols = NULL;
	int n = virStoragePoolListAllVolumes(pool, &vols, 0), rc = n < 0 ? -1 : 0;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && virStorageVolDelete(vols[i], 0) < 0)
			rc = -1;
		virStorageVolFree(vols[i]);
	}
	free(vols);
	return rc;
}

static void be_pool_delete(be_host *h, const be_job *j, virStoragePoolPtr pool, const char *name)
{
	const be_pool_del *d = be_job_arg(j, BE_ARG_POOL_DEL);
	bool contents = d && d->contents, was_active;
	size_t nu;
	char **users = be_pool_users(h, pool, &nu);

	if (be_refuse_users(h, j, users, nu, "its volumes are used by", name,
			    ": delete or change those VMs' disks first"))
		return;
	if (contents) {
		if (virStoragePoolIsActive(pool) != 1 && virStoragePoolCreate(pool, 0) < 0)
			goto fail;
		if (be_pool_delete_contents(pool) < 0)
			goto fail;
	}
	was_active = virStoragePoolIsActive(pool) == 1;
	if (was_active && virStoragePoolDestroy(pool) < 0)
		goto fail;
	if (contents && virStoragePoolDelete(pool, 0) < 0) {
		be_post_fail(h, j, name);
		if (was_active) /* as it was, less the volumes */
			virStoragePoolCreate(pool, 0);
		be_st_relist(h);
		return;
	}
	if (virStoragePoolIsPersistent(pool) == 1 && virStoragePoolUndefine(pool) < 0)
		goto fail;
	be_st_done(h, j, xasprintf(contents ? "Pool \"%s\" and its contents deleted"
					    : "Pool \"%s\" deleted (its files are kept)", name));
	return;
fail:
	be_post_fail(h, j, name);
	be_st_relist(h);
}

/* ---- volumes ------------------------------------------------------------------ */

static virStorageVolPtr be_vol_find(virStoragePoolPtr pool, const char *ref)
{
	virConnectPtr conn = virStoragePoolGetConnect(pool);
	virStorageVolPtr v = virStorageVolLookupByName(pool, ref);
	if (!v && ref && ref[0] == '/')
		v = virStorageVolLookupByPath(conn, ref);
	if (!v && ref)
		v = virStorageVolLookupByKey(conn, ref);
	return v;
}

static char *be_vol_format(virStorageVolPtr vol)
{
	char *xml = virStorageVolGetXMLDesc(vol, 0), *fmt = NULL;
	xmlDocPtr doc = be_xml_parse(xml);
	free(xml);
	if (doc) {
		fmt = be_xml_get(doc, "string(/volume/target/format/@type)");
		xmlFreeDoc(doc);
	}
	return fmt;
}

/* A <volume> document: name, capacity, format; backing when given. */
char *be_vol_xml(const char *name, uint64_t capacity, const char *format,
		 const char *backing_path, const char *backing_format)
{
	xmlDocPtr doc = be_xml_new("volume");
	xmlNodePtr root = xmlDocGetRootElement(doc), n;
	char num[32], *xml;

	be_xml_add(root, "name", name);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)capacity);
	be_xml_attr(be_xml_add(root, "capacity", num), "unit", "bytes");
	be_xml_attr(be_xml_add(root, "allocation", "0"), "unit", "bytes");
	n = be_xml_add(root, "target", NULL);
	be_xml_attr(be_xml_add(n, "format", NULL), "type", format);
	if (backing_path) {
		n = be_xml_add(root, "backingStore", NULL);
		be_xml_add(n, "path", backing_path);
		be_xml_attr(be_xml_add(n, "format", NULL), "type", backing_format ? backing_format : "raw");
	}
	xml = be_xml_dump(doc);
	xmlFreeDoc(doc);
	return xml;
}

/* Name field: the common check, and not taken in pool. */
static char *be_vol_name_check(virStoragePoolPtr pool, const char *name, const char *field)
{
	char *err = NULL, *text;
	virStorageVolPtr v;
	if (core_name_check(name, &err) < 0) {
		text = xasprintf("%s: %s", field, err);
		free(err);
		return text;
	}
	if ((v = virStorageVolLookupByName(pool, name)) != NULL) {
		virStorageVolFree(v);
		return xasprintf("%s: \"%s\" already exists in pool \"%s\"", field, name,
				 virStoragePoolGetName(pool));
	}
	return NULL;
}

static void be_vol_create(be_host *h, const be_job *j, virStoragePoolPtr pool, const char *pname)
{
	const be_vol_spec *s = be_job_arg(j, BE_ARG_VOL_SPEC);
	const char *fmt = s && s->format ? s->format : "qcow2";
	virStorageVolPtr backing = NULL, vol;
	char *text, *bpath = NULL, *bfmt = NULL, *xml;
	uint64_t cap;

	if (!s) {
		be_st_refuse(h, j, xstrdup("Could not create volume: no description given"));
		return;
	}
	if ((text = be_vol_name_check(pool, s->name, "Name")) != NULL) {
		be_st_refuse(h, j, text);
		return;
	}
	if (strcmp(fmt, "qcow2") != 0 && strcmp(fmt, "raw") != 0) {
		be_st_refuse(h, j, xasprintf("Format: \"%s\" is not qcow2 or raw", fmt));
		return;
	}
	cap = s->capacity;
	if (s->backing && *s->backing) {
		virStorageVolInfo info;
		if (strcmp(fmt, "qcow2") != 0) {
			be_st_refuse(h, j, xstrdup("Backing volume: only a qcow2 volume can have one"));
			return;
		}
		if (!(backing = be_vol_find(pool, s->backing))) {
			be_st_refuse(h, j, xasprintf("Backing volume: \"%s\" not found", s->backing));
			return;
		}
		bpath = virStorageVolGetPath(backing);
		bfmt = be_vol_format(backing);
		if (!cap && virStorageVolGetInfo(backing, &info) == 0)
			cap = info.capacity;
		virStorageVolFree(backing);
	}
	if (!cap) {
		free(bpath);
		free(bfmt);
		be_st_refuse(h, j, xstrdup("Size: the size must be more than 0"));
		return;
	}
	xml = be_vol_xml(s->name, cap, fmt, bpath, bfmt);
	vol = virStorageVolCreateXML(pool, xml, 0);
	free(xml);
	free(bpath);
	free(bfmt);
	if (!vol) {
		be_post_fail(h, j, s->name);
		return;
	}
	be_st_done_pool(h, j, xasprintf("Volume \"%s\" created in pool \"%s\"", s->name, pname), pool, vol, NULL);
	virStorageVolFree(vol);
}

static void be_vol_resize(be_host *h, const be_job *j, const be_vol_op *o,
			  virStoragePoolPtr pool, virStorageVolPtr vol)
{
	virStorageVolInfo info;
	char a[32], b[32];
	size_t nu;
	char **users;

	if (virStorageVolGetInfo(vol, &info) < 0) {
		be_post_fail(h, j, o->vol);
		return;
	}
	if (!o->capacity) {
		be_st_refuse(h, j, xstrdup("Size: the size must be more than 0"));
		return;
	}
	if (o->capacity < info.capacity && !o->shrink) {
		core_size_fmt(o->capacity, a, sizeof(a));
		core_size_fmt(info.capacity, b, sizeof(b));
		be_st_refuse(h, j, xasprintf("Size: %s is smaller than the volume's %s; shrinking "
					     "loses the data past the new end: ask for it to shrink",
					     a, b));
		return;
	}
	users = be_vol_users(h, pool, vol, true, &nu);
	if (be_refuse_users(h, j, users, nu, "it is in use by the running", o->vol,
			    ": resize the disk from the VM's settings or turn it off"))
		return;
	if (virStorageVolResize(vol, o->capacity,
				o->capacity < info.capacity ? VIR_STORAGE_VOL_RESIZE_SHRINK : 0) < 0) {
		be_post_fail(h, j, o->vol);
		return;
	}
	core_size_fmt(o->capacity, a, sizeof(a));
	be_st_done(h, j, xasprintf("Volume \"%s\" resized to %s", o->vol, a));
}

static void be_vol_clone(be_host *h, const be_job *j, const be_vol_op *o,
			 virStoragePoolPtr pool, virStorageVolPtr vol)
{
	virStoragePoolPtr dst = pool;
	virStorageVolInfo info;
	virStorageVolPtr copy;
	char *text, *xml, *fmt;
	size_t nu;
	char **users;

	if (o->dst_pool && *o->dst_pool &&
	    !(dst = virStoragePoolLookupByUUIDString(h->conn, o->dst_pool))) {
		be_post_fail(h, j, o->vol);
		return;
	}
	if ((text = be_vol_name_check(dst, o->new_name, "New name")) != NULL) {
		be_st_refuse(h, j, text);
		goto out;
	}
	users = be_vol_users(h, pool, vol, true, &nu);
	if (be_refuse_users(h, j, users, nu, "it is in use by the running", o->vol,
			    ": a copy would not be consistent; turn the VM off first"))
		goto out;
	if (virStorageVolGetInfo(vol, &info) < 0) {
		be_post_fail(h, j, o->vol);
		goto out;
	}
	fmt = be_vol_format(vol);
	xml = be_vol_xml(o->new_name, info.capacity, fmt ? fmt : "raw", NULL, NULL);
	free(fmt);
	copy = virStorageVolCreateXMLFrom(dst, xml, vol, 0);
	free(xml);
	if (!copy) {
		be_post_fail(h, j, o->vol);
		be_st_relist(h);
		goto out;
	}
	virStorageVolFree(copy);
	be_st_done(h, j, xasprintf("Volume \"%s\" copied to \"%s\" in pool \"%s\"", o->vol,
				   o->new_name, virStoragePoolGetName(dst)));
out:
	if (dst != pool)
		virStoragePoolFree(dst);
}

static void be_vol_job(be_host *h, const be_job *j, virStoragePoolPtr pool, const char *pname)
{
	const be_vol_op *o = be_job_arg(j, BE_ARG_VOL_OP);
	virStorageVolPtr vol;
	size_t nu;
	char **users;

	if (!o || !o->vol) {
		be_st_refuse(h, j, xasprintf("Could not %s: no volume given", be_op_name(j->op)));
		return;
	}
	if (!(vol = virStorageVolLookupByName(pool, o->vol))) {
		be_post_fail(h, j, o->vol);
		return;
	}
	switch (j->op) {
	case BE_OP_VOL_DELETE:
		users = be_vol_users(h, pool, vol, false, &nu);
		if (be_refuse_users(h, j, users, nu, "it is used by", o->vol,
				    ": remove it from the VM's disks first"))
			break;
		if (virStorageVolDelete(vol, 0) < 0)
			be_post_fail(h, j, o->vol);
		else
			be_st_done_pool(h, j, xasprintf("Volume \"%s\" deleted from pool \"%s\"", o->vol, pname), pool,
					NULL, o->vol);
		break;
	case BE_OP_VOL_RESIZE:
		be_vol_resize(h, j, o, pool, vol);
		break;
	case BE_OP_VOL_CLONE:
		be_vol_clone(h, j, o, pool, vol);
		break;
	}
	virStorageVolFree(vol);
}

/* ---- dispatch ----------------------------------------------------------------- */

void be_storage_job(be_host *h, const be_job *j)
{
	virStoragePoolPtr pool;
	char *name;
	int rc = 0;

	if (!h->conn) {
		be_st_refuse(h, j, xasprintf("Could not %s: not connected", be_op_name(j->op)));
		return;
	}
	if (j->op == BE_OP_POOL_CREATE) {
		be_pool_create(h, j);
		return;
	}
	if (!(pool = virStoragePoolLookupByUUIDString(h->conn, j->uuid))) {
		be_post_fail(h, j, j->uuid);
		return;
	}
	name = xstrdup(virStoragePoolGetName(pool));
	switch (j->op) {
	case BE_OP_POOL_START:
		rc = virStoragePoolCreate(pool, 0);
		break;
	case BE_OP_POOL_STOP:
		rc = virStoragePoolDestroy(pool);
		break;
	case BE_OP_POOL_REFRESH:
		rc = virStoragePoolRefresh(pool, 0);
		break;
	case BE_OP_POOL_AUTOSTART_ON:
	case BE_OP_POOL_AUTOSTART_OFF:
		rc = virStoragePoolSetAutostart(pool, j->op == BE_OP_POOL_AUTOSTART_ON);
		break;
	case BE_OP_POOL_DELETE:
		be_pool_delete(h, j, pool, name);
		goto out;
	case BE_OP_VOL_CREATE:
		be_vol_create(h, j, pool, name);
		goto out;
	default:
		be_vol_job(h, j, pool, name);
		goto out;
	}
	if (rc < 0) {
		be_post_fail(h, j, name);
	} else {
		static const char *const done[] = {
			[BE_OP_POOL_START - BE_OP_POOL_START] = "started",
			[BE_OP_POOL_STOP - BE_OP_POOL_START] = "stopped",
			[BE_OP_POOL_REFRESH - BE_OP_POOL_START] = "refreshed",
			[BE_OP_POOL_AUTOSTART_ON - BE_OP_POOL_START] = "will start with the host",
			[BE_OP_POOL_AUTOSTART_OFF - BE_OP_POOL_START] = "will not start with the host",
		};
		be_st_done(h, j, xasprintf("Pool \"%s\" %s", name, done[j->op - BE_OP_POOL_START]));
	}
out:
	free(name);
	virStoragePoolFree(pool);
}

/* ---- New Pool's XML page ------------------------------------------------------ */

/* What each type's skeleton holds: "source" children as element[@attr=value]
 * triples, and the target path ("" none). Placeholders are upper case. */
struct pool_skel {
	const char *type;
	const char *src[4][3]; /* element, attribute (NULL: text), value */
	const char *format;    /* <source><format type=...>, NULL none */
	const char *target;    /* target path, NULL none */
	bool named;            /* the pool's name follows the target path */
};

static const struct pool_skel pool_skels[] = {
	{ "dir", { { NULL } }, NULL, "/var/lib/libvirt/images/", true },
	{ "fs", { { "device", "path", "/dev/DEVICE" } }, "auto", "/var/lib/libvirt/", true },
	{ "netfs", { { "host", "name", "NFS-SERVER" }, { "dir", "path", "/EXPORT" } }, "nfs", "/var/lib/libvirt/", true },
	{ "logical", { { "name", NULL, "VOLUME-GROUP" } }, "lvm2", "/dev/VOLUME-GROUP", false },
	{ "disk", { { "device", "path", "/dev/DISK" } }, "gpt", "/dev", false },
	{ "iscsi", { { "host", "name", "ISCSI-SERVER" }, { "device", "path", "IQN-OF-THE-TARGET" } }, NULL,
	  "/dev/disk/by-path", false },
	{ "scsi", { { "adapter", "name", "host0" } }, NULL, "/dev/disk/by-path", false },
	{ "mpath", { { NULL } }, NULL, "/dev/mapper", false },
	{ "rbd", { { "name", NULL, "CEPH-POOL" }, { "host", "name", "CEPH-MONITOR" } }, NULL, NULL, false },
	{ "gluster", { { "host", "name", "GLUSTER-SERVER" }, { "dir", "path", "/" }, { "name", NULL, "GLUSTER-VOLUME" } },
	  NULL, NULL, false },
	{ "zfs", { { "name", NULL, "ZFS-POOL" } }, NULL, NULL, false },
	{ "vstorage", { { "name", NULL, "CLUSTER" } }, NULL, "/mnt/", true },
};

const char *const be_pool_xml_types[] = { "dir", "fs", "netfs", "logical", "disk", "iscsi", "scsi",
					  "mpath", "rbd", "gluster", "zfs", "vstorage", NULL };

/* The root element's text with no XML declaration, indented. */
static char *be_xml_dump_root(xmlDocPtr doc)
{
	xmlBufferPtr buf = xmlBufferCreate();
	char *out;
	xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 1);
	out = xasprintf("%s\n", (const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return out;
}

char *be_pool_xml_skeleton(const char *type, const char *name)
{
	const struct pool_skel *k = NULL;
	xmlDocPtr doc;
	xmlNodePtr root, src = NULL;
	char *xml;

	for (size_t i = 0; type && i < sizeof(pool_skels) / sizeof(pool_skels[0]); i++)
		if (strcmp(pool_skels[i].type, type) == 0)
			k = &pool_skels[i];
	if (!k)
		return NULL;
	doc = be_xml_new("pool");
	root = xmlDocGetRootElement(doc);
	be_xml_attr(root, "type", k->type);
	be_xml_add(root, "name", name && *name ? name : "newpool");
	for (int i = 0; i < 4 && k->src[i][0]; i++) {
		xmlNodePtr e;
		if (!src)
			src = be_xml_add(root, "source", NULL);
		e = be_xml_add(src, k->src[i][0], k->src[i][1] ? NULL : k->src[i][2]);
		if (k->src[i][1])
			be_xml_attr(e, k->src[i][1], k->src[i][2]);
		if (strcmp(k->type, "scsi") == 0)
			be_xml_attr(e, "type", "scsi_host");
	}
	if (k->format)
		be_xml_attr(be_xml_add(src ? src : be_xml_add(root, "source", NULL), "format", NULL), "type", k->format);
	if (k->target) {
		char *path = xasprintf("%s%s", k->target, !k->named ? "" : name && *name ? name : "newpool");
		be_xml_add(be_xml_add(root, "target", NULL), "path", path);
		free(path);
	}
	xml = be_xml_dump_root(doc);
	xmlFreeDoc(doc);
	return xml;
}

int be_pool_xml_check(const char *xml, char **err)
{
	xmlParserCtxtPtr ctx = xmlNewParserCtxt();
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	char *name = NULL, *type = NULL, *why = NULL;
	int rc = -1;

	*err = NULL;
	if (!xml || !*xml || strspn(xml, " \t\r\n") == strlen(xml)) {
		*err = xstrdup("XML: empty: write a <pool> description");
		goto out;
	}
	if (ctx)
		doc = xmlCtxtReadMemory(ctx, xml, (int)strlen(xml), "pool.xml", NULL,
					XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = ctx ? xmlCtxtGetLastError(ctx) : NULL;
		char *msg = xstrdup(e && e->message ? e->message : "not well-formed");
		size_t l = strlen(msg);
		while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
			msg[--l] = '\0';
		*err = e && e->line > 0 ? xasprintf("XML: line %d: %s", e->line, msg) : xasprintf("XML: %s", msg);
		free(msg);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || strcmp((const char *)root->name, "pool") != 0) {
		*err = xasprintf("XML: the root element is <%s>, not <pool>", root ? (const char *)root->name : "");
		goto out;
	}
	type = be_xml_get(doc, "string(/pool/@type)");
	name = be_xml_get(doc, "/pool/name");
	if (!type) {
		*err = xstrdup("XML: <pool> needs a type attribute (type='dir', 'netfs' ...)");
		goto out;
	}
	if (!name) {
		*err = xstrdup("XML: <pool> needs a <name>");
		goto out;
	}
	if (core_name_check(name, &why) < 0) {
		*err = xasprintf("XML: <name>: %s", why);
		goto out;
	}
	rc = 0;
out:
	free(why);
	free(name);
	free(type);
	xmlFreeDoc(doc);
	if (ctx)
		xmlFreeParserCtxt(ctx);
	return rc;
}

char *be_pool_xml_type_of(const char *xml)
{
	xmlDocPtr doc = be_xml_parse(xml);
	char *t = doc ? be_xml_get(doc, "string(/pool/@type)") : NULL;
	xmlFreeDoc(doc);
	return t;
}
