/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_list.c - VM, network and pool lists for the model.
 * The VM list costs four calls whatever the number of VMs: bulk stats plus
 * three filtered listings (autostart, managed save, persistent) matched by
 * UUID with sort + binary search (one after another: libvirt 9.0's client
 * hangs or crashes when a connection dies under calls made at once from
 * several threads). The list is posted after the first call already, with
 * the flags of the last list (be_post_vms), and again with the flags read.
 * In batch mode (BE_HOST_LISTS_ONLY, no flags shown) one call, bulk stats
 * with every group a stats tick reads, taken as its first tick. */
#include "be_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libvirt/virterror.h>

#include "../core/log.h"
#include "../core/util.h"

typedef struct be_uuidset {
	unsigned char (*u)[VIR_UUID_BUFLEN];
	size_t n;
	bool unknown; /* the driver could not filter by it: the default applies */
} be_uuidset;

static int be_uuid_cmp(const void *a, const void *b)
{
	return memcmp(a, b, VIR_UUID_BUFLEN);
}

static int be_uuidset_load(virConnectPtr conn, unsigned int flags, be_uuidset *s)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, flags);
	if (n < 0)
		return -1;
	s->u = xcalloc((size_t)n, VIR_UUID_BUFLEN);
	s->n = (size_t)n;
	for (int i = 0; i < n; i++) {
		virDomainGetUUID(doms[i], s->u[i]);
		virDomainFree(doms[i]);
	}
	free(doms);
	qsort(s->u, s->n, VIR_UUID_BUFLEN, be_uuid_cmp);
	return 0;
}

static bool be_uuidset_has(const be_uuidset *s, const unsigned char *uuid)
{
	return s->n && bsearch(uuid, s->u, s->n, VIR_UUID_BUFLEN, be_uuid_cmp) != NULL;
}

/* Uptime of a local QEMU guest: its pid file is written at start. */
static int64_t be_started_wall(const be_host *h, const md_vm *v)
{
	static const char *const dirs[] = { "/run/libvirt/qemu", "/var/run/libvirt/qemu" };
	struct stat st;

	if (!h->local_qemu || !md_vm_state_active(v->state))
		return 0;
	for (size_t i = 0; i < CORE_ARRAY_LEN(dirs); i++) {
		char *path = xasprintf("%s/%s.pid", dirs[i], v->name);
		int rc = stat(path, &st);
		free(path);
		if (rc == 0)
			return (int64_t)st.st_mtime;
	}
	return 0;
}

/* ---- VM list ------------------------------------------------------------- */

enum { BE_SET_AUTOSTART, BE_SET_MANAGEDSAVE, BE_SET_PERSISTENT, BE_SET__COUNT };

static const unsigned int be_set_flags[BE_SET__COUNT] = {
	[BE_SET_AUTOSTART] = VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
	[BE_SET_MANAGEDSAVE] = VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE,
	[BE_SET_PERSISTENT] = VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
};

/* The flags of a VM as the last full list had them (be_host.vmflags). */
struct be_vmflags {
	unsigned char uuid[VIR_UUID_BUFLEN];
	bool autostart, managed_save, persistent;
};

void be_list_free(be_host *h)
{
	free(h->vmflags);
	h->vmflags = NULL;
	h->nvmflags = 0;
}

/* sets NULL: the flags the last full list saw for this VM, else a
 * persistent VM without autostart or saved state */
static void be_vm_from_rec(const be_host *h, virDomainStatsRecordPtr r,
			   const be_uuidset *sets, md_vm *v)
{
	unsigned char raw[VIR_UUID_BUFLEN];
	unsigned int vcpus = 0;
	unsigned long long cur = 0, max = 0;
	bool have_vcpus, have_mem;

	v->name = xstrdup(virDomainGetName(r->dom));
	virDomainGetUUIDString(r->dom, v->uuid);
	virDomainGetUUID(r->dom, raw);
	virTypedParamsGetInt(r->params, r->nparams, "state.state", &v->state);
	virTypedParamsGetInt(r->params, r->nparams, "state.reason", &v->reason);
	have_vcpus = virTypedParamsGetUInt(r->params, r->nparams, "vcpu.current", &vcpus) == 1;
	have_mem = virTypedParamsGetULLong(r->params, r->nparams, "balloon.current", &cur) == 1 &&
		   virTypedParamsGetULLong(r->params, r->nparams, "balloon.maximum", &max) == 1;
	if (!have_vcpus || !have_mem) {
		/* The test driver's bulk stats hold only state.*: in-process, cheap. */
		virDomainInfo info;
		if (virDomainGetInfo(r->dom, &info) == 0) {
			vcpus = have_vcpus ? vcpus : info.nrVirtCpu;
			cur = have_mem ? cur : info.memory;
			max = have_mem ? max : info.maxMem;
		}
	}
	v->vcpus = vcpus;
	v->mem_kib = cur;
	v->maxmem_kib = max;
	if (sets) {
		v->autostart = be_uuidset_has(&sets[BE_SET_AUTOSTART], raw);
		v->managed_save = be_uuidset_has(&sets[BE_SET_MANAGEDSAVE], raw);
		v->persistent = sets[BE_SET_PERSISTENT].unknown || be_uuidset_has(&sets[BE_SET_PERSISTENT], raw);
	} else {
		const struct be_vmflags *f =
			h->nvmflags ? bsearch(raw, h->vmflags, h->nvmflags, sizeof(*f), be_uuid_cmp) : NULL;
		v->autostart = f && f->autostart;
		v->managed_save = f && f->managed_save;
		v->persistent = !f || f->persistent;
	}
	v->started_wall = be_started_wall(h, v);
}

/* Post the VM list of n records (sets: see be_vm_from_rec); with sets,
 * remember the flags for the next list's first post. */
static int be_vm_uuid_cmp(const void *a, const void *b)
{
	return strcmp(((const md_vm *)a)->uuid, ((const md_vm *)b)->uuid);
}

static void be_post_vms(be_host *h, virDomainStatsRecordPtr *recs, int n, const be_uuidset *sets)
{
	md_msg *m = md_msg_new(MD_MSG_VM_LIST, h->id);

	m->vms = xcalloc((size_t)n, sizeof(*m->vms));
	m->nvms = (size_t)n;
	for (int i = 0; i < n; i++)
		be_vm_from_rec(h, recs[i], sets, &m->vms[i]);
	/* the Agent column: known states now; VMs not seen before get their
	 * XML read after the list is shown (BE_JOB_AGENT_SCAN) */
	if (be_agent_fill_list(h, recs, n, m->vms))
		be_host_queue_event(h, BE_JOB_AGENT_SCAN);
	if (sets) {
		be_list_free(h);
		h->vmflags = xcalloc((size_t)n ? (size_t)n : 1, sizeof(*h->vmflags));
		h->nvmflags = (size_t)n;
		for (int i = 0; i < n; i++) {
			struct be_vmflags *f = &h->vmflags[i];
			virDomainGetUUID(recs[i]->dom, f->uuid);
			f->autostart = m->vms[i].autostart;
			f->managed_save = m->vms[i].managed_save;
			f->persistent = m->vms[i].persistent;
		}
		qsort(h->vmflags, h->nvmflags, sizeof(*h->vmflags), be_uuid_cmp);
	}
	be_names_set_list(h, m->vms, m->nvms); /* before m is the UI's */
	be_devices_list_seen(h, recs, n);
	snprintf(h->probe_uuid, sizeof(h->probe_uuid), "%s", m->nvms ? m->vms[0].uuid : "");
	/* by uuid: the model matches it to the old list in one walk */
	qsort(m->vms, m->nvms, sizeof(*m->vms), be_vm_uuid_cmp);
	be_post(m);
}

void be_list_post_recs(be_host *h, virDomainStatsRecordPtr *recs, int n)
{
	be_post_vms(h, recs, n, NULL);
}

/* A filtered listing failed. On a live connection the driver could not
 * answer that filter (ESX against a host without an autostart manager:
 * "The object has already been deleted"): the list goes on with the
 * default for it, logged once per list; else the list fails. */
static int be_set_fail(be_host *h, unsigned flag, be_uuidset *s, char **err)
{
	int code;
	char *e = be_last_error(&code);
	be_host_check_conn(h, code, e);
	if (virConnectIsAlive(h->conn) != 1) {
		*err = e;
		return -1;
	}
	core_log("host", "%s: listing by flag 0x%x failed, default used: %s", h->uri, flag, e);
	free(e);
	s->unknown = true;
	return 0;
}

int be_list_vms(be_host *h, char **err)
{
	virDomainStatsRecordPtr *recs = NULL;
	be_uuidset sets[BE_SET__COUNT] = { { NULL, 0, false } };
	int n, rc = 0;
	int64_t t0, t1;
	/* batch mode shows no flags; its one call is also the first stats
	 * tick */
	bool batch = h->flags & BE_HOST_LISTS_ONLY;

	if (!h->conn) {
		*err = xstrdup("not connected");
		return -1;
	}
	t0 = core_now_us();
	n = batch ? be_stats_read(h, &recs)
		  : be_recs_read(h, VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BALLOON, &recs);
	t1 = core_now_us();
	if (n < 0)
		return be_host_fail(h, err);
	core_log("host", "%s: %d VMs read in %lld ms%s", h->uri, n, (long long)(t1 - t0) / 1000,
		 h->nosup & MD_CAP_BULK_STATS ? " (list + info per VM)" : "");
	if (batch) {
		be_post_vms(h, recs, n, sets);
		be_stats_baseline(h, recs, n, t0, t1);
	} else {
		/* the VMs at once, with the flags they had (the first time:
		 * none known); then again once the flags are read, three
		 * round trips later on a far host (a local host answers at
		 * once: one list, not two for the UI to take in) */
		if (be_conn_is_remote(h))
			be_post_vms(h, recs, n, NULL);
		for (int i = 0; i < BE_SET__COUNT && rc == 0; i++)
			if (be_uuidset_load(h->conn, be_set_flags[i], &sets[i]) < 0)
				rc = be_set_fail(h, be_set_flags[i], &sets[i], err);
		if (rc == 0)
			be_post_vms(h, recs, n, sets);
	}
	for (int i = 0; i < BE_SET__COUNT; i++)
		free(sets[i].u);
	virDomainStatsRecordListFree(recs);
	return rc;
}

/* ---- one VM -------------------------------------------------------------- */

static int be_vm_read(const be_host *h, virDomainPtr dom, md_vm *v)
{
	virDomainInfo info;
	int autostart = 0, saved, persistent;

	if (virDomainGetState(dom, &v->state, &v->reason, 0) < 0 ||
	    virDomainGetInfo(dom, &info) < 0 ||
	    virDomainGetAutostart(dom, &autostart) < 0 ||
	    (saved = virDomainHasManagedSaveImage(dom, 0)) < 0 ||
	    (persistent = virDomainIsPersistent(dom)) < 0)
		return -1;
	v->name = xstrdup(virDomainGetName(dom));
	virDomainGetUUIDString(dom, v->uuid);
	v->vcpus = info.nrVirtCpu;
	v->mem_kib = info.memory;
	v->maxmem_kib = info.maxMem;
	v->autostart = autostart != 0;
	v->managed_save = saved == 1;
	v->persistent = persistent == 1;
	v->started_wall = be_started_wall(h, v);
	be_agent_fill_vm(h, dom, v);
	return 0;
}

/* A VM that is gone is reported once, with its name; one the UI was never
 * told about (or was told is gone) needs no report. */
static void be_vm_gone_or_fail(be_host *h, const char *uuid)
{
	int code;
	char *err = be_last_error(&code);
	if (code == VIR_ERR_NO_DOMAIN) {
		char *name = be_names_take(h, uuid);
		if (name) {
			md_msg *m = md_msg_new(MD_MSG_VM_REMOVED, h->id);
			snprintf(m->uuid, sizeof(m->uuid), "%s", uuid);
			m->text = name;
			be_post(m);
		}
	} else {
		be_host_check_conn(h, code, err);
	}
	free(err);
}

void be_vm_post(be_host *h, const char *uuid)
{
	virDomainPtr dom;

	if (!h->conn)
		return;
	if (!(dom = virDomainLookupByUUIDString(h->conn, uuid))) {
		be_vm_gone_or_fail(h, uuid);
		return;
	}
	be_vm_post_dom(h, dom, uuid);
	virDomainFree(dom);
}

void be_vm_post_dom(be_host *h, virDomainPtr dom, const char *uuid)
{
	md_msg *m = md_msg_new(MD_MSG_VM_UPDATE, h->id);
	m->vms = xcalloc(1, sizeof(*m->vms));
	m->nvms = 1;
	if (be_vm_read(h, dom, &m->vms[0]) == 0) {
		snprintf(m->uuid, sizeof(m->uuid), "%s", m->vms[0].uuid);
		be_names_put(h, m->vms[0].uuid, m->vms[0].name);
		be_post(m);
	} else {
		be_vm_gone_or_fail(h, uuid);
		md_msg_free(&m);
	}
}
