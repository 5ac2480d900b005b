/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_caps.c - what a host's driver can do, from libvirt's answers:
 * the driver's name, read-only probes after a connect, NO_SUPPORT answers
 * learned from jobs, and the VM list of drivers without bulk stats (LXC in
 * libvirt 9.0, ESX): virConnectListAllDomains plus one virDomainGetInfo per
 * VM (the fewest calls: what `virsh list --all` makes), as stats records, so the list and the live figures read them alike. */
#include "be_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "../core/log.h"
#include "../core/util.h"

static void be_caps_post(be_host *h)
{
	md_msg *m = md_msg_new(MD_MSG_HOST_CAPS, h->id);
	m->text = h->driver ? xstrdup(h->driver) : NULL;
	m->count = (int)h->nosup;
	be_post(m);
}

void be_caps_reset(be_host *h)
{
	xfree(&h->driver);
	h->nosup = 0;
	h->probe_uuid[0] = '\0';
}

/* virConnectGetType, lower case: once per connection (a round trip on
 * remote ones), when first needed */
static void be_caps_driver(be_host *h)
{
	const char *type;
	if (h->driver || !h->conn || !(type = virConnectGetType(h->conn)))
		return;
	h->driver = xstrdup(type);
	for (char *p = h->driver; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

void be_caps_set(be_host *h, unsigned bits)
{
	if ((h->nosup & bits) == bits)
		return;
	be_caps_driver(h);
	h->nosup |= bits;
	for (unsigned b = 1; b & MD_CAP__ALL; b <<= 1)
		if (bits & b)
			core_log("host", "%s: the %s driver does not support %s", h->uri,
				 h->driver ? h->driver : "connection", md_cap_name(b));
	be_caps_post(h);
}

static unsigned be_cap_of_op(int op)
{
	switch (op) {
	case BE_OP_SAVE:
	case BE_OP_SAVE_REMOVE: return MD_CAP_SAVE;
	case BE_OP_AUTOSTART_ON:
	case BE_OP_AUTOSTART_OFF: return MD_CAP_AUTOSTART;
	case BE_OP_SUSPEND:
	case BE_OP_RESUME: return MD_CAP_PAUSE;
	case BE_OP_SHUTDOWN: return MD_CAP_SHUTDOWN;
	case BE_OP_REBOOT: return MD_CAP_REBOOT;
	case BE_OP_RESET: return MD_CAP_RESET;
	case BE_OP_STATS: return MD_CAP_BULK_STATS;
	}
	return 0;
}

char *be_caps_learn(be_host *h, int op, int code)
{
	if (code != VIR_ERR_NO_SUPPORT)
		return NULL;
	be_caps_driver(h);
	if (be_cap_of_op(op))
		be_caps_set(h, be_cap_of_op(op));
	return xasprintf("not supported by the %s driver", h->driver ? h->driver : "host's");
}

/* A probe's answer: NO_SUPPORT sets bit; anything else leaves it. */
static void be_probe_answer(be_host *h, int rc, unsigned bit, unsigned *nosup)
{
	if (rc < 0 && virGetLastErrorCode() == VIR_ERR_NO_SUPPORT)
		*nosup |= bit;
	virResetLastError();
}

/* A console by a device name no VM has: a driver with consoles looks for
 * it and refuses ("cannot find character device"), one without refuses the
 * call (VIR_ERR_NO_SUPPORT); nothing is opened either way, running or not. */
static void be_probe_console(be_host *h, virDomainPtr dom, unsigned *nosup)
{
	virStreamPtr st = virStreamNew(h->conn, VIR_STREAM_NONBLOCK);
	int rc;
	if (!st)
		return;
	rc = virDomainOpenConsole(dom, "vmmc-probe-no-such-device", st, 0);
	if (rc == 0)
		virStreamAbort(st); /* not expected */
	be_probe_answer(h, rc, MD_CAP_CONSOLE, nosup);
	virStreamFree(st);
}

void be_caps_probe(be_host *h)
{
	virDomainPtr d;
	unsigned nosup = h->nosup;
	int autostart;

	if (!h->conn)
		return;
	be_caps_driver(h);
	if (h->cb_dom < 0 && !(h->flags & BE_HOST_LISTS_ONLY))
		nosup |= MD_CAP_EVENTS;
	/* a VM the list just read: one lookup, not another list */
	if (h->probe_uuid[0] && (d = virDomainLookupByUUIDString(h->conn, h->probe_uuid)) != NULL) {
		be_probe_answer(h, virDomainHasManagedSaveImage(d, 0), MD_CAP_SAVE, &nosup);
		be_probe_answer(h, virDomainSnapshotNum(d, 0), MD_CAP_SNAPSHOT, &nosup);
		be_probe_answer(h, virDomainGetAutostart(d, &autostart), MD_CAP_AUTOSTART, &nosup);
		be_probe_console(h, d, &nosup);
		virDomainFree(d);
	}
	virResetLastError();
	h->nosup = nosup;
	core_log("host", "%s: driver %s, not supported: 0x%x", h->uri, h->driver ? h->driver : "?",
		 h->nosup);
	be_caps_post(h);
}

/* VMware's client-side drivers: a SOAP fault is said with the server's
 * words first; a host with a self-signed certificate fails in curl's words:
 * name the option that skips the check. */
char *be_connect_hint(const char *uri, char *err, bool *final)
{
	static const char *const vmware[] = { "esx://", "vpx://", "gsx://" };
	bool vm = false;
	char *r;
	const char *fault, *call;
	for (size_t i = 0; i < CORE_ARRAY_LEN(vmware); i++)
		vm |= strncmp(uri, vmware[i], strlen(vmware[i])) == 0;
	if (!vm)
		return err;
	/* "internal error: HTTP response code 500 for call to 'Login'. Fault:
	 * ServerFaultCode - Login failure": the server's words first, where a
	 * status bar shows them */
	if ((fault = strstr(err, "Fault: ")) != NULL && (call = strstr(err, "for call to '")) != NULL &&
	    call < fault) {
		const char *msg = strstr(fault, " - ");
		int clen = (int)strcspn(call + 13, "'");
		r = xasprintf("%s (the server's answer to %.*s)", msg ? msg + 3 : fault + 7, clen, call + 13);
		free(err);
		return r;
	}
	if (!strstr(err, "certificate") || strstr(uri, "no_verify=1"))
		return err;
	*final = true;
	r = xasprintf("%s (a self-signed certificate? add no_verify=1 to the URI, e.g. %s%sno_verify=1, "
		      "to skip the check)",
		      err, uri, strchr(uri, '?') ? "&" : strchr(uri + 6, '/') ? "?" : "/?");
	free(err);
	return r;
}

/* ---- the list without bulk stats ------------------------------------------ */

/* One call per VM (a round trip on ESX): virDomainGetInfo has the state,
 * not its reason (left 0: "unknown"). */
static int be_rec_of(virDomainPtr dom, virDomainStatsRecordPtr r)
{
	virDomainInfo info;
	int max = 0, state;

	if (virDomainGetInfo(dom, &info) < 0)
		return -1;
	state = info.state;
	if (virTypedParamsAddInt(&r->params, &r->nparams, &max, "state.state", state) < 0 ||
	    virTypedParamsAddInt(&r->params, &r->nparams, &max, "state.reason", 0) < 0 ||
	    virTypedParamsAddUInt(&r->params, &r->nparams, &max, "vcpu.current", info.nrVirtCpu) < 0 ||
	    virTypedParamsAddULLong(&r->params, &r->nparams, &max, "balloon.current", info.memory) < 0 ||
	    virTypedParamsAddULLong(&r->params, &r->nparams, &max, "balloon.maximum", info.maxMem) < 0 ||
	    (md_vm_state_active(state) &&
	     virTypedParamsAddULLong(&r->params, &r->nparams, &max, "cpu.time", info.cpuTime) < 0))
		return -1;
	return 0;
}

static int be_recs_by_info(virConnectPtr conn, virDomainStatsRecordPtr **recs)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, 0), k = 0;

	if (n < 0)
		return -1;
	/* NULL-terminated, as virDomainStatsRecordListFree wants it; its
	 * g_free is free (GLib >= 2.46) */
	*recs = xcalloc((size_t)n + 1, sizeof(**recs));
	for (int i = 0; i < n; i++) {
		virDomainStatsRecordPtr r = xcalloc(1, sizeof(*r));
		if (be_rec_of(doms[i], r) < 0) {
			/* gone between the list and its info: not listed */
			virTypedParamsFree(r->params, r->nparams);
			free(r);
			virDomainFree(doms[i]);
			continue;
		}
		r->dom = doms[i];
		(*recs)[k++] = r;
	}
	free(doms);
	virResetLastError();
	return k;
}

int be_recs_read(be_host *h, unsigned groups, virDomainStatsRecordPtr **recs)
{
	if (!(h->nosup & MD_CAP_BULK_STATS)) {
		/* NOWAIT: a guest stuck in a job must not hold up the whole list */
		int n = virConnectGetAllDomainStats(h->conn, groups, recs,
						    VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
		if (n < 0 && virGetLastErrorCode() == VIR_ERR_INVALID_ARG)
			n = virConnectGetAllDomainStats(h->conn, groups, recs, 0);
		if (n >= 0 || virGetLastErrorCode() != VIR_ERR_NO_SUPPORT)
			return n;
		be_caps_set(h, MD_CAP_BULK_STATS);
	}
	return be_recs_by_info(h->conn, recs);
}

/* ---- pools of drivers without virConnectListAllStoragePools ----------------- */

/* names from one of the older listing calls (active or defined) */
static int be_pool_names(virConnectPtr conn, bool active, char ***names)
{
	int n = active ? virConnectNumOfStoragePools(conn) : virConnectNumOfDefinedStoragePools(conn);
	if (n < 0)
		return -1;
	*names = xcalloc((size_t)n + 1, sizeof(**names));
	if (n > 0)
		n = active ? virConnectListStoragePools(conn, *names, n)
			   : virConnectListDefinedStoragePools(conn, *names, n);
	return n;
}

int be_pools_legacy(virConnectPtr conn, virStoragePoolPtr **pools)
{
	char **names[2] = { NULL, NULL };
	int n[2], k = 0, rc = -1;

	*pools = NULL;
	if ((n[0] = be_pool_names(conn, true, &names[0])) < 0 ||
	    (n[1] = be_pool_names(conn, false, &names[1])) < 0)
		goto out;
	*pools = xcalloc((size_t)n[0] + (size_t)n[1] + 1, sizeof(**pools));
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < n[s]; i++) {
			virStoragePoolPtr p = virStoragePoolLookupByName(conn, names[s][i]);
			if (p) /* gone in between: not listed */
				(*pools)[k++] = p;
		}
	virResetLastError();
	rc = k;
out:
	for (int s = 0; s < 2; s++) {
		for (int i = 0; names[s] && names[s][i]; i++)
			free(names[s][i]);
		free(names[s]);
	}
	return rc;
}

/* A pool's volumes: virStoragePoolListAllVolumes, else (the esx driver)
 * the older names call and a lookup per name. */
int be_vols_list(virStoragePoolPtr pool, virStorageVolPtr **vols)
{
	char **names;
	int n = virStoragePoolListAllVolumes(pool, vols, 0), k = 0;

	if (n >= 0 || virGetLastErrorCode() != VIR_ERR_NO_SUPPORT)
		return n;
	*vols = NULL;
	if ((n = virStoragePoolNumOfVolumes(pool)) < 0)
		return -1;
	names = xcalloc((size_t)n + 1, sizeof(*names));
	if (n > 0 && (n = virStoragePoolListVolumes(pool, names, n)) < 0) {
		free(names);
		return -1;
	}
	*vols = xcalloc((size_t)n + 1, sizeof(**vols));
	for (int i = 0; i < n; i++) {
		virStorageVolPtr v = virStorageVolLookupByName(pool, names[i]);
		if (v) /* gone in between: not listed */
			(*vols)[k++] = v;
		free(names[i]);
	}
	free(names);
	virResetLastError();
	return k;
}
