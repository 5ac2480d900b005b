/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_dom.c - operations on one VM: lifecycle, the paths of its
 * disks (domain XML read with libxml2), delete with its volumes. Every
 * operation answers MD_MSG_OP_RESULT, then the VM's update or removal. */
#include "be_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "../core/log.h"
#include "../core/util.h"

/* ---- simple operations: one call, one text --------------------------------- */

typedef int (*be_dom_fn)(virDomainPtr dom);

static int be_do_shutdown(virDomainPtr d) { return virDomainShutdown(d); }
static int be_do_destroy(virDomainPtr d) { return virDomainDestroy(d); }
static int be_do_reboot(virDomainPtr d) { return virDomainReboot(d, 0); }
static int be_do_reset(virDomainPtr d) { return virDomainReset(d, 0); }
static int be_do_suspend(virDomainPtr d) { return virDomainSuspend(d); }
static int be_do_resume(virDomainPtr d) { return virDomainResume(d); }
static int be_do_save(virDomainPtr d) { return virDomainManagedSave(d, 0); }
static int be_do_save_remove(virDomainPtr d) { return virDomainManagedSaveRemove(d, 0); }
static int be_do_autostart_on(virDomainPtr d) { return virDomainSetAutostart(d, 1); }
static int be_do_autostart_off(virDomainPtr d) { return virDomainSetAutostart(d, 0); }

static const struct {
	be_dom_fn fn;
	const char *done; /* text before 'NAME' */
} be_simple_ops[BE_OP__COUNT] = {
	[BE_OP_SHUTDOWN] = { be_do_shutdown, "Shut down requested for " },
	[BE_OP_DESTROY] = { be_do_destroy, "Turned off " },
	[BE_OP_REBOOT] = { be_do_reboot, "Rebooting " },
	[BE_OP_RESET] = { be_do_reset, "Reset " },
	[BE_OP_SUSPEND] = { be_do_suspend, "Paused " },
	[BE_OP_RESUME] = { be_do_resume, "Resumed " },
	[BE_OP_SAVE] = { be_do_save, "Saved " },
	[BE_OP_SAVE_REMOVE] = { be_do_save_remove, "Discarded saved state of " },
	[BE_OP_AUTOSTART_ON] = { be_do_autostart_on, "Autostart on for " },
	[BE_OP_AUTOSTART_OFF] = { be_do_autostart_off, "Autostart off for " },
};

/* "Could not <op> 'NAME': <libvirt's message>"; checks the connection. */
static void be_fail_result(be_host *h, const be_job *j, const char *name)
{
	char *err = be_job_error(h, j);
	be_post_result(h, j, false, xasprintf("Could not %s '%s': %s", be_op_name(j->op), name, err));
	free(err);
}

static void be_dom_simple(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	if (be_simple_ops[j->op].fn(dom) < 0)
		be_fail_result(h, j, name);
	else
		be_post_result(h, j, true, xasprintf("%s'%s'", be_simple_ops[j->op].done, name));
}

/* libvirt starts from the managed save image when there is one. */
static void be_dom_start(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	bool saved = virDomainHasManagedSaveImage(dom, 0) == 1;
	if (virDomainCreate(dom) < 0)
		be_fail_result(h, j, name);
	else
		be_post_result(h, j, true, xasprintf("Started '%s'%s", name, saved ? " from saved state" : ""));
}

/* ---- disks ----------------------------------------------------------------- */

static char *be_volume_path(virConnectPtr conn, const char *pool_name, const char *vol_name)
{
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, pool_name);
	virStorageVolPtr vol = pool ? virStorageVolLookupByName(pool, vol_name) : NULL;
	char *path = vol ? virStorageVolGetPath(vol) : NULL;
	char *r = xstrdup(path);

	free(path);
	if (vol)
		virStorageVolFree(vol);
	if (pool)
		virStoragePoolFree(pool);
	return r;
}

static char *be_xml_prop(xmlNodePtr node, const char *name)
{
	xmlChar *v = xmlGetProp(node, BAD_CAST name);
	char *r = xstrdup((const char *)v);
	xmlFree(v);
	return r;
}

/* <source file=...>, <source dev=...> or <source pool=... volume=...>. */
static char *be_source_path(virConnectPtr conn, xmlNodePtr src)
{
	char *path = be_xml_prop(src, "file");
	char *pool, *vol;

	if (!path)
		path = be_xml_prop(src, "dev");
	if (path)
		return path;
	pool = be_xml_prop(src, "pool");
	vol = be_xml_prop(src, "volume");
	if (pool && vol)
		path = be_volume_path(conn, pool, vol);
	free(pool);
	free(vol);
	return path;
}

static int be_disk_paths(virConnectPtr conn, const char *xml, char ***out, size_t *nout)
{
	static const char expr[] = "/domain/devices/disk[@device='disk' or not(@device)]/source";
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr res;
	size_t cap = 0;

	/* No network, no entity substitution, no noise on the terminal. */
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return -1;
	ctx = xmlXPathNewContext(doc);
	res = ctx ? xmlXPathEvalExpression(BAD_CAST expr, ctx) : NULL;
	for (int i = 0; res && res->nodesetval && i < res->nodesetval->nodeNr; i++) {
		char *path = be_source_path(conn, res->nodesetval->nodeTab[i]);
		if (!path)
			continue;
		xgrow(out, &cap, *nout + 1, sizeof(**out));
		(*out)[(*nout)++] = path;
	}
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return 0;
}

static void be_dom_disks(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	md_msg *m = md_msg_new(MD_MSG_VM_DISKS, h->id);
	char *xml = virDomainGetXMLDesc(dom, 0);

	memcpy(m->uuid, j->uuid, sizeof(m->uuid));
	m->seq = j->seq;
	if (!xml) {
		/* the reason goes to the Delete dialog, which still offers the
		 * undefine alone (ESX: a VM whose .vmx libvirt cannot parse) */
		m->text = be_job_error(h, j);
		core_log("job", "%s: %s: no domain XML: %s", h->uri, name, m->text);
		be_post_result(h, j, true, NULL);
	} else if (be_disk_paths(h->conn, xml, &m->strs, &m->nstrs) < 0) {
		be_post_result(h, j, false,
			       xasprintf("Could not %s '%s': unreadable domain XML", be_op_name(j->op), name));
	} else {
		be_post_result(h, j, true, NULL);
	}
	free(xml);
	be_post(m);
}

/* ---- delete ---------------------------------------------------------------- */

/* The widest undefine first; drivers that refuse a flag get fewer, down to none. */
static int be_undefine(virDomainPtr dom)
{
	static const unsigned int tries[] = {
		VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
			VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | VIR_DOMAIN_UNDEFINE_NVRAM,
		VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
			VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA,
		VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
		0, /* ESX: "unsupported flags (0x1)"; a driver with saved state or
		    * snapshots refuses this one rather than leave them behind */
	};
	for (size_t i = 0; i < CORE_ARRAY_LEN(tries); i++) {
		int code;
		if (virDomainUndefineFlags(dom, tries[i]) == 0)
			return 0;
		code = virGetLastErrorCode();
		if (code != VIR_ERR_INVALID_ARG && code != VIR_ERR_NO_SUPPORT)
			return -1;
	}
	return -1;
}

static void be_str_append(char **s, const char *add)
{
	char *n = xasprintf("%s%s", *s, add);
	free(*s);
	*s = n;
}

/* Deletes the volumes; appends " and N volume(s)" and each failure to
 * *text. Returns false if any failed. */
static bool be_delete_vols(be_host *h, const be_job *j, char **text)
{
	char *fails = xstrdup(""), *part;
	size_t deleted = 0;

	for (size_t i = 0; i < j->npaths; i++) {
		virStorageVolPtr vol = virStorageVolLookupByPath(h->conn, j->paths[i]);
		if (vol && virStorageVolDelete(vol, 0) == 0) {
			deleted++;
		} else {
			char *err = be_last_error(NULL);
			part = xasprintf("; could not delete volume '%s': %s", j->paths[i], err);
			be_str_append(&fails, part);
			free(part);
			free(err);
		}
		if (vol)
			virStorageVolFree(vol);
	}
	if (deleted) {
		part = xasprintf(" and %zu volume(s)", deleted);
		be_str_append(text, part);
		free(part);
	}
	be_str_append(text, fails);
	free(fails);
	return deleted == j->npaths;
}

static void be_dom_delete(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	int active = virDomainIsActive(dom), persistent = virDomainIsPersistent(dom);
	char *text, *err = NULL;
	bool ok;

	if (active < 0 || persistent < 0 ||
	    (active == 1 && virDomainDestroy(dom) < 0) ||
	    (persistent == 1 && be_undefine(dom) < 0)) {
		be_fail_result(h, j, name);
		return;
	}
	text = xasprintf("Deleted '%s'", name);
	ok = be_delete_vols(h, j, &text);
	be_post_result(h, j, ok, text);
	if (j->npaths && be_list_pools(h, &err) < 0)
		free(err);
}

/* ---- dispatch -------------------------------------------------------------- */

static bool be_is_dom_op(int op)
{
	return op == BE_OP_START || op == BE_OP_DISKS || op == BE_OP_DELETE ||
	       (op > 0 && op < BE_OP__COUNT && be_simple_ops[op].fn);
}

static void be_dom_run(be_host *h, const be_job *j, virDomainPtr dom)
{
	char *name = xstrdup(virDomainGetName(dom));

	if (j->op == BE_OP_START)
		be_dom_start(h, j, dom, name);
	else if (j->op == BE_OP_DISKS)
		be_dom_disks(h, j, dom, name);
	else if (j->op == BE_OP_DELETE)
		be_dom_delete(h, j, dom, name);
	else
		be_dom_simple(h, j, dom, name);
	free(name);
}

/* A job that found no VM to work on: named as the UI knows it. */
static void be_dom_no_vm(be_host *h, const be_job *j, const char *why)
{
	const char *name = be_names_get(h, j->uuid);
	if (name)
		be_post_result(h, j, false, xasprintf("Could not %s '%s': %s", be_op_name(j->op), name, why));
	else
		be_post_result(h, j, false, xasprintf("Could not %s VM %s: %s", be_op_name(j->op),
						       j->uuid[0] ? j->uuid : "(no uuid)", why));
	if (j->op == BE_OP_DISKS) {
		md_msg *m = md_msg_new(MD_MSG_VM_DISKS, h->id);
		memcpy(m->uuid, j->uuid, sizeof(m->uuid));
		m->seq = j->seq;
		be_post(m);
	}
}

/* BE_OP_DEFINE: the answer carries the new VM's uuid. A name another
 * client took meanwhile fails here, with libvirt's words. */
static void be_dom_define(be_host *h, const be_job *j)
{
	char uuid[VIR_UUID_STRING_BUFLEN] = "", *err = NULL;
	virDomainPtr dom = h->conn && j->arg ? virDomainDefineXML(h->conn, j->arg) : NULL;
	md_msg *m;
	if (!dom) {
		if (h->conn)
			be_host_fail(h, &err);
		be_post_result(h, j, false, xasprintf("Could not define the VM: %s", err ? err : "not connected"));
		free(err);
		return;
	}
	virDomainGetUUIDString(dom, uuid);
	m = md_msg_new(MD_MSG_OP_RESULT, h->id);
	m->ok = true;
	m->text = xasprintf("Defined '%s'", virDomainGetName(dom));
	m->op = j->op;
	m->seq = j->seq;
	snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
	be_post(m);
	virDomainFree(dom);
	be_vm_post(h, uuid);
}

void be_dom_job(be_host *h, const be_job *j)
{
	virDomainPtr dom;
	char *err = NULL;

	if (j->op == BE_OP_DEFINE) {
		be_dom_define(h, j);
		return;
	}
	if (j->op == BE_OP_VM_DETAILS || j->op == BE_OP_VM_CHANGE) {
		be_devices_job(h, j);
		return;
	}
	if (!be_is_dom_op(j->op)) {
		be_post_result(h, j, false, xasprintf("Unknown operation %d", j->op));
		return;
	}
	if (!h->conn) {
		be_dom_no_vm(h, j, "not connected");
		return;
	}
	if (!(dom = virDomainLookupByUUIDString(h->conn, j->uuid))) {
		be_host_fail(h, &err);
		be_dom_no_vm(h, j, err);
		free(err);
	} else {
		be_dom_run(h, j, dom);
		virDomainFree(dom);
	}
	be_vm_post(h, j->uuid);
}
