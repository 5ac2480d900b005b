/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_agent.c - the QEMU guest agent: each VM's agent state for the
 * Agent column (domain XML + agent lifecycle events, no call per refresh),
 * the Integration Services jobs, the Integration Tools wizard's apply.
 * See be_agent.h. */
#include "be_agent.h"
#include "be_internal.h"
#include "be_xml.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "../core/log.h"
#include "../core/util.h"

#define BE_AGENT_NAME "org.qemu.guest_agent.0"
#define BE_AGENT_TIMEOUT_S 5
#define BE_COPY_CHUNK (48 * 1024)
#define BE_TIMESYNC_NS "https://vmmc.invalid/xmlns/timesync/1"
#define BE_AUTOSYNC_WAIT_S 120 /* a restored VM's agent connects within this */

const char *const be_svc_names[BE_SVC__COUNT] = {
	[BE_SVC_HEARTBEAT] = "Guest agent (heartbeat)",
	[BE_SVC_KVP] = "Data exchange",
	[BE_SVC_TIME] = "Time synchronisation",
	[BE_SVC_SHUTDOWN] = "Operating system shutdown",
	[BE_SVC_BACKUP] = "Backup (volume snapshot)",
	[BE_SVC_FILES] = "Guest services",
	[BE_SVC_PV] = "Paravirtual devices",
};

const char *be_svc_state_name(int st)
{
	switch (st) {
	case BE_SVC_ON: return "on";
	case BE_SVC_OFF: return "off";
	case BE_SVC_ERROR: return "error";
	default: return "not available";
	}
}

/* The APIs a host may lack: called once, then never again on that
 * connection. */
enum {
	BE_API_GETTIME = 1 << 0,
	BE_API_GUESTINFO = 1 << 1,
	BE_API_IFADDR = 1 << 2,
	BE_API_QEMUCMD = 1 << 3,
	BE_API_SETTIME = 1 << 4,
	BE_API_FREEZE = 1 << 5,
	BE_API_TIMEOUT = 1 << 6,
};

static const char *be_api_name(unsigned api)
{
	switch (api) {
	case BE_API_GETTIME: return "virDomainGetTime";
	case BE_API_GUESTINFO: return "virDomainGetGuestInfo";
	case BE_API_IFADDR: return "virDomainInterfaceAddresses";
	case BE_API_QEMUCMD: return "virDomainQemuAgentCommand";
	case BE_API_SETTIME: return "virDomainSetTime";
	case BE_API_TIMEOUT: return "virDomainAgentSetResponseTimeout";
	default: return "virDomainFSFreeze";
	}
}

struct be_agent_ent {
	unsigned char uuid[VIR_UUID_BUFLEN];
	int agent;   /* enum md_agent; UNKNOWN: its XML is still to read */
	bool channel;
	bool state_known; /* the XML says connected or disconnected */
	virDomainPtr dom; /* UNKNOWN: a reference for the scan, else NULL */
};

#define BE_AGENT_SCAN_CHUNK 256 /* XML reads per scan job: other jobs go between */

struct be_agent {
	pthread_mutex_t lock;
	struct be_agent_ent *v; /* lock; sorted by uuid */
	size_t n;
	unsigned missing;       /* worker: BE_API_* the host lacks */
	int cb;                 /* worker: agent event callback id, -1 none */
	size_t pending;         /* lock: entries still UNKNOWN */
	md_msg *batch;          /* worker: states read, not posted yet */
	size_t batch_cap;
	int64_t batch_ms;       /* worker: when the last batch was posted */
	atomic_uint_fast64_t calls, xml_reads;
	/* lock: VMs whose automatic time sync waits for their agent to connect */
	struct be_sync_wait { char uuid[VIR_UUID_STRING_BUFLEN]; int64_t until_ms; } *wait;
	size_t nwait;
};

static int be_autosync_get(virDomainPtr dom, char **err);
static void be_checkpoints_read(be_host *h, virDomainPtr dom, be_agent_info *i);

static int be_ent_cmp(const void *a, const void *b)
{
	return memcmp(a, b, VIR_UUID_BUFLEN);
}

struct be_agent *be_agent_new(void)
{
	struct be_agent *ag = xcalloc(1, sizeof(*ag));
	pthread_mutex_init(&ag->lock, NULL);
	ag->cb = -1;
	return ag;
}

static void be_ents_free(struct be_agent_ent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].dom)
			virDomainFree(v[i].dom);
	free(v);
}

void be_agent_free(struct be_agent **pag)
{
	struct be_agent *ag = *pag;
	if (!ag)
		return;
	pthread_mutex_destroy(&ag->lock);
	be_ents_free(ag->v, ag->n);
	md_msg_free(&ag->batch);
	free(ag->wait);
	free(ag);
	*pag = NULL;
}

void be_agent_counts(be_host *h, uint64_t *agent_calls, uint64_t *xml_reads)
{
	if (agent_calls)
		*agent_calls = h->agent ? atomic_load(&h->agent->calls) : 0;
	if (xml_reads)
		*xml_reads = h->agent ? atomic_load(&h->agent->xml_reads) : 0;
}

/* ---- the agent's state from the domain XML --------------------------------- */

/* The channel in a domain XML: present? its state when the XML says. */
static int be_agent_from_xml(const char *xml, bool *channel, bool *known)
{
	xmlDocPtr doc = be_xml_parse(xml);
	char *name, *state;
	int agent = MD_AGENT_NONE;

	*channel = *known = false;
	if (!doc)
		return MD_AGENT_NONE;
	name = be_xml_get(doc, "string(/domain/devices/channel/target[@name='" BE_AGENT_NAME "']/@name)");
	state = be_xml_get(doc, "string(/domain/devices/channel/target[@name='" BE_AGENT_NAME "']/@state)");
	if (name) {
		*channel = true;
		agent = MD_AGENT_DOWN;
		if (state) {
			*known = true;
			if (strcmp(state, "connected") == 0)
				agent = MD_AGENT_UP;
		}
	}
	free(name);
	free(state);
	xmlFreeDoc(doc);
	return agent;
}

static struct be_agent_ent *be_ent_find(struct be_agent *ag, const unsigned char *uuid)
{
	return ag->n ? bsearch(uuid, ag->v, ag->n, sizeof(*ag->v), be_ent_cmp) : NULL;
}

/* Read one VM's XML (one call) into e. */
static void be_ent_read(const be_host *h, virDomainPtr dom, struct be_agent_ent *e)
{
	char *xml = virDomainGetXMLDesc(dom, 0);
	atomic_fetch_add(&h->agent->xml_reads, 1);
	virDomainGetUUID(dom, e->uuid);
	e->agent = xml ? be_agent_from_xml(xml, &e->channel, &e->state_known) : MD_AGENT_NONE;
	free(xml);
}

/* The list's records: the states known (no call); a VM not seen before is
 * UNKNOWN and keeps a domain reference for be_agent_scan, which reads its
 * XML after the list is posted. Returns how many are to be read. */
size_t be_agent_fill_list(be_host *h, virDomainStatsRecordPtr *recs, int n, md_vm *vms)
{
	struct be_agent *ag = h->agent;
	struct be_agent_ent *nv, *old_v;
	size_t old_n, pending = 0;

	if (!ag)
		return 0;
	nv = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*nv));
	pthread_mutex_lock(&ag->lock);
	for (int i = 0; i < n; i++) {
		struct be_agent_ent *old;
		virDomainGetUUID(recs[i]->dom, nv[i].uuid);
		old = be_ent_find(ag, nv[i].uuid);
		if (old && old->agent != MD_AGENT_UNKNOWN) {
			nv[i] = *old;
			nv[i].dom = NULL;
		} else {
			nv[i].agent = MD_AGENT_UNKNOWN;
			virDomainRef(recs[i]->dom);
			nv[i].dom = recs[i]->dom;
			pending++;
		}
		vms[i].agent = nv[i].agent;
	}
	qsort(nv, (size_t)n, sizeof(*nv), be_ent_cmp);
	old_v = ag->v;
	old_n = ag->n;
	ag->v = nv;
	ag->n = (size_t)n;
	ag->pending = pending;
	pthread_mutex_unlock(&ag->lock);
	be_ents_free(old_v, old_n);
	return pending;
}

void be_agent_scan(be_host *h)
{
	struct be_agent *ag = h->agent;
	struct be_agent_ent got[BE_AGENT_SCAN_CHUNK];
	size_t ng = 0;
	bool more;
	md_msg *m;

	if (!ag)
		return;
	/* a host not selected since it connected shows no agent column: its
	 * VMs' XML is read when it is (BE_WAKE_PROBES queues this again) */
	if (h->probes_due && be_pool_probes_wait(h))
		return;
	/* take up to a chunk of domains to read (their references move here) */
	pthread_mutex_lock(&ag->lock);
	for (size_t i = 0; i < ag->n && ng < BE_AGENT_SCAN_CHUNK; i++) {
		if (ag->v[i].agent == MD_AGENT_UNKNOWN && ag->v[i].dom) {
			got[ng] = ag->v[i];
			ag->v[i].dom = NULL;
			ng++;
		}
	}
	pthread_mutex_unlock(&ag->lock);
	if (!ng)
		return;
	if (!ag->batch) {
		ag->batch = md_msg_new(MD_MSG_VM_AGENT, h->id);
		ag->batch->ext_free = free;
		ag->batch_cap = 0;
	}
	m = ag->batch;
	for (size_t i = 0; i < ng; i++) {
		char uuid[VIR_UUID_STRING_BUFLEN];
		virDomainPtr dom = got[i].dom;
		be_ent_read(h, dom, &got[i]);
		got[i].dom = NULL;
		virDomainGetUUIDString(dom, uuid);
		virDomainFree(dom);
		xgrow(&m->ext, &ag->batch_cap, m->next + 1, sizeof(md_agent_state));
		md_agent_state *st = (md_agent_state *)m->ext + m->next++;
		memcpy(st->uuid, uuid, sizeof(st->uuid));
		st->agent = got[i].agent;
	}
	pthread_mutex_lock(&ag->lock);
	for (size_t i = 0; i < ng; i++) {
		struct be_agent_ent *e = be_ent_find(ag, got[i].uuid);
		/* an agent event may have come meanwhile: it is newer */
		if (e && e->agent == MD_AGENT_UNKNOWN) {
			*e = got[i];
			ag->pending = ag->pending ? ag->pending - 1 : 0;
		}
	}
	pthread_mutex_unlock(&ag->lock);
	more = be_agent_pending(h);
	/* the UI re-sorts its list for each batch: at most two a second, and
	 * the last one at the end */
	if (!more || core_now_ms() - ag->batch_ms >= 500) {
		be_post(m);
		ag->batch = NULL;
		ag->batch_ms = core_now_ms();
	}
	if (more)
		be_host_queue_event(h, BE_JOB_AGENT_SCAN);
}

bool be_agent_pending(be_host *h)
{
	bool any = false;
	if (!h->agent)
		return false;
	pthread_mutex_lock(&h->agent->lock);
	for (size_t i = 0; i < h->agent->n && !any; i++)
		any = h->agent->v[i].agent == MD_AGENT_UNKNOWN && h->agent->v[i].dom;
	pthread_mutex_unlock(&h->agent->lock);
	return any;
}

/* Keep e in the sorted cache (insert or replace). */
static void be_ent_put(struct be_agent *ag, const struct be_agent_ent *e)
{
	struct be_agent_ent *old;
	size_t k = 0;
	pthread_mutex_lock(&ag->lock);
	old = be_ent_find(ag, e->uuid);
	if (old) {
		virDomainPtr d = old->dom;
		*old = *e;
		old->dom = NULL;
		if (d)
			virDomainFree(d); /* known now: no scan for it */
	} else {
		ag->v = xrealloc(ag->v, (ag->n + 1) * sizeof(*ag->v));
		while (k < ag->n && be_ent_cmp(ag->v[k].uuid, e->uuid) < 0)
			k++;
		memmove(&ag->v[k + 1], &ag->v[k], (ag->n - k) * sizeof(*ag->v));
		ag->v[k] = *e;
		ag->v[k].dom = NULL;
		ag->n++;
	}
	pthread_mutex_unlock(&ag->lock);
}

void be_agent_fill_vm(const be_host *h, virDomainPtr dom, md_vm *v)
{
	struct be_agent_ent e;
	if (!h->agent)
		return;
	be_ent_read(h, dom, &e);
	be_ent_put(h->agent, &e);
	v->agent = e.agent;
}

static int be_agent_cached(be_host *h, virDomainPtr dom, bool *channel, bool *known)
{
	unsigned char uuid[VIR_UUID_BUFLEN];
	struct be_agent_ent *e;
	int agent = -1;
	virDomainGetUUID(dom, uuid);
	pthread_mutex_lock(&h->agent->lock);
	e = be_ent_find(h->agent, uuid);
	if (e && e->agent != MD_AGENT_UNKNOWN) {
		agent = e->agent;
		*channel = e->channel;
		*known = e->state_known;
	}
	pthread_mutex_unlock(&h->agent->lock);
	if (agent < 0) {
		struct be_agent_ent ne;
		be_ent_read(h, dom, &ne);
		be_ent_put(h->agent, &ne);
		agent = ne.agent;
		*channel = ne.channel;
		*known = ne.state_known;
	}
	return agent;
}

/* ---- events ---------------------------------------------------------------- */

/* Take uuid off the list of syncs waiting for the agent: true when it was
 * there and its time is not up. */
static bool be_sync_unwait(struct be_agent *ag, const char *uuid)
{
	bool due = false;
	int64_t now = core_now_ms();
	pthread_mutex_lock(&ag->lock);
	for (size_t i = 0; i < ag->nwait;) {
		bool same = strcmp(ag->wait[i].uuid, uuid) == 0;
		if (same || ag->wait[i].until_ms < now) {
			due |= same && ag->wait[i].until_ms >= now;
			ag->wait[i] = ag->wait[--ag->nwait];
		} else {
			i++;
		}
	}
	pthread_mutex_unlock(&ag->lock);
	return due;
}

static void be_sync_wait(struct be_agent *ag, const char *uuid)
{
	be_sync_unwait(ag, uuid);
	pthread_mutex_lock(&ag->lock);
	ag->wait = xrealloc(ag->wait, (ag->nwait + 1) * sizeof(*ag->wait));
	snprintf(ag->wait[ag->nwait].uuid, sizeof(ag->wait[0].uuid), "%s", uuid);
	ag->wait[ag->nwait++].until_ms = core_now_ms() + BE_AUTOSYNC_WAIT_S * 1000LL;
	pthread_mutex_unlock(&ag->lock);
}

void be_agent_lifecycle(be_host *h, const char *uuid, int event, int detail)
{
	if (!h->agent)
		return;
	if (event == VIR_DOMAIN_EVENT_RESUMED ||
	    (event == VIR_DOMAIN_EVENT_STARTED &&
	     (detail == VIR_DOMAIN_EVENT_STARTED_RESTORED || detail == VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT)))
		be_host_queue_vm_event(h, BE_JOB_AGENT_AUTOSYNC, uuid);
}

/* Event loop thread: the agent connected or went away. */
static void be_agent_on_event(virConnectPtr conn, virDomainPtr dom, int state, int reason, void *opaque)
{
	be_host *h = opaque;
	struct be_agent_ent e = { .channel = true, .state_known = true };
	md_msg *m;
	(void)conn;
	(void)reason;
	virDomainGetUUID(dom, e.uuid);
	e.agent = state == VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED ? MD_AGENT_UP : MD_AGENT_DOWN;
	be_ent_put(h->agent, &e);
	m = md_msg_new(MD_MSG_VM_AGENT, h->id);
	virDomainGetUUIDString(dom, m->uuid);
	m->count = e.agent;
	if (e.agent == MD_AGENT_UP && be_sync_unwait(h->agent, m->uuid))
		be_host_queue_vm_event(h, BE_JOB_AGENT_AUTOSYNC, m->uuid);
	be_post(m);
}

void be_agent_register(be_host *h, void (*unref_cb)(void *))
{
	if (!h->agent)
		return;
	h->agent->missing = 0; /* a new connection: maybe a new daemon */
	md_msg_free(&h->agent->batch); /* states of the last one's scan */
	be_host_ref(h);
	h->agent->cb = virConnectDomainEventRegisterAny(h->conn, NULL, VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
							VIR_DOMAIN_EVENT_CALLBACK(be_agent_on_event), h,
							unref_cb);
	if (h->agent->cb < 0)
		unref_cb(h);
}

void be_agent_unregister(be_host *h)
{
	if (h->agent && h->agent->cb >= 0) {
		virConnectDomainEventDeregisterAny(h->conn, h->agent->cb);
		h->agent->cb = -1;
	}
}

/* ---- results --------------------------------------------------------------- */

void be_agent_info_free(be_agent_info **pi)
{
	be_agent_info *i = *pi;
	if (!i)
		return;
	for (int k = 0; k < BE_SVC__COUNT; k++)
		free(i->why[k]);
	free(i->version);
	free(i->os_name);
	free(i->os_version);
	free(i->os_id);
	free(i->kernel);
	free(i->hostname);
	free(i->timezone);
	be_strv_free(&i->users, &i->nusers);
	for (size_t k = 0; k < i->nfs; k++) {
		free(i->fs[k].mountpoint);
		free(i->fs[k].type);
	}
	free(i->fs);
	be_strv_free(&i->disks, &i->ndisks);
	for (size_t k = 0; k < i->nifs; k++) {
		free(i->ifs[k].name);
		free(i->ifs[k].hwaddr);
		be_strv_free(&i->ifs[k].addrs, &i->ifs[k].naddrs);
	}
	free(i->ifs);
	free(i->inactive_xml);
	free(i->live_xml);
	be_strv_free(&i->pv, &i->npv);
	be_strv_free(&i->checkpoints, &i->ncheckpoints);
	free(i);
	*pi = NULL;
}

void be_agent_info_free_void(void *p)
{
	be_agent_info *i = p;
	be_agent_info_free(&i);
}

void be_agent_copy_free_void(void *p)
{
	be_agent_copy *c = p;
	if (!c)
		return;
	free(c->local);
	free(c->guest);
	free(c);
}

void be_agent_apply_free_void(void *p)
{
	be_agent_apply *a = p;
	if (!a)
		return;
	free(a->old_xml);
	free(a->new_xml);
	free(a->device_xml);
	free(a->iso);
	free(a);
}

static void be_svc_set(be_agent_info *i, int svc, int st, char *why)
{
	i->st[svc] = st;
	free(i->why[svc]);
	i->why[svc] = why;
}

/* ---- agent calls: counted, a missing API remembered --------------------------- */

/* After a failed call of api: true when the host lacks it (remembered). */
static bool be_api_failed(be_host *h, unsigned api, char **err)
{
	int code;
	*err = be_last_error(&code);
	be_host_check_conn(h, code, *err);
	if (code == VIR_ERR_NO_SUPPORT) {
		h->agent->missing |= api;
		free(*err);
		*err = xasprintf("not available: this host's libvirt has no %s", be_api_name(api));
		return true;
	}
	return false;
}

/* May api be called? Counts the call it allows. */
static bool be_api_try(be_host *h, be_agent_info *i, unsigned api)
{
	if (h->agent->missing & api) {
		if (i)
			i->skipped++;
		return false;
	}
	atomic_fetch_add(&h->agent->calls, 1);
	if (i)
		i->agent_calls++;
	return true;
}

/* libvirt waits for an agent's answer for ever by default: a guest agent
 * that stopped answering would hold the host's worker. Its timeout for
 * this VM (a runtime setting of the domain: other clients get it too) to
 * BE_AGENT_TIMEOUT_S, once when a view opens and before each operation. */
static void be_agent_timeout(be_host *h, virDomainPtr dom)
{
	char *err = NULL;
	if (!be_api_try(h, NULL, BE_API_TIMEOUT))
		return;
	if (virDomainAgentSetResponseTimeout(dom, BE_AGENT_TIMEOUT_S, 0) < 0) {
		be_api_failed(h, BE_API_TIMEOUT, &err);
		free(err);
	}
}

static char *be_api_missing_text(unsigned api)
{
	return xasprintf("not available: this host's libvirt has no %s", be_api_name(api));
}

static const char *be_tp_str(virTypedParameterPtr p, int n, const char *key)
{
	const char *s = NULL;
	if (virTypedParamsGetString(p, n, key, &s) != 1)
		return NULL;
	return s;
}

/* The interfaces of virDomainGetGuestInfo (libvirt >= 7.10 includes them
 * for types 0): false when it has none (an older host: ask for them). */
static bool be_read_guestinfo_ifs(be_agent_info *i, virTypedParameterPtr p, int n)
{
	unsigned count = 0, na;
	char key[64];
	if (virTypedParamsGetUInt(p, n, "if.count", &count) != 1)
		return false;
	i->ifs = xcalloc(count ? count : 1, sizeof(*i->ifs));
	for (unsigned k = 0; k < count; k++) {
		be_agent_if *o = &i->ifs[i->nifs++];
		snprintf(key, sizeof(key), "if.%u.name", k);
		o->name = xstrdup(be_tp_str(p, n, key));
		snprintf(key, sizeof(key), "if.%u.hwaddr", k);
		o->hwaddr = xstrdup(be_tp_str(p, n, key));
		snprintf(key, sizeof(key), "if.%u.addr.count", k);
		na = 0;
		virTypedParamsGetUInt(p, n, key, &na);
		o->addrs = xcalloc(na ? na : 1, sizeof(*o->addrs));
		for (unsigned a = 0; a < na; a++) {
			const char *addr;
			unsigned prefix = 0;
			snprintf(key, sizeof(key), "if.%u.addr.%u.addr", k, a);
			if (!(addr = be_tp_str(p, n, key)))
				continue;
			snprintf(key, sizeof(key), "if.%u.addr.%u.prefix", k, a);
			virTypedParamsGetUInt(p, n, key, &prefix);
			o->addrs[o->naddrs++] = xasprintf("%s/%u", addr, prefix);
		}
	}
	return true;
}

static void be_read_guestinfo(be_agent_info *i, virTypedParameterPtr p, int n)
{
	unsigned count = 0;
	char key[64];
	const char *s;

	i->os_name = xstrdup(be_tp_str(p, n, "os.pretty-name"));
	if (!i->os_name)
		i->os_name = xstrdup(be_tp_str(p, n, "os.name"));
	i->os_version = xstrdup(be_tp_str(p, n, "os.version"));
	i->os_id = xstrdup(be_tp_str(p, n, "os.id"));
	i->kernel = xstrdup(be_tp_str(p, n, "os.kernel-release"));
	i->hostname = xstrdup(be_tp_str(p, n, "hostname"));
	i->timezone = xstrdup(be_tp_str(p, n, "timezone.name"));
	if (!i->timezone) {
		int off = 0;
		if (virTypedParamsGetInt(p, n, "timezone.offset", &off) == 1)
			i->timezone = xasprintf("UTC%+d:%02d", off / 3600, abs(off) % 3600 / 60);
	}
	if (virTypedParamsGetUInt(p, n, "user.count", &count) == 1) {
		i->users = xcalloc(count ? count : 1, sizeof(*i->users));
		for (unsigned k = 0; k < count; k++) {
			snprintf(key, sizeof(key), "user.%u.name", k);
			if ((s = be_tp_str(p, n, key)))
				i->users[i->nusers++] = xstrdup(s);
		}
	}
	count = 0;
	if (virTypedParamsGetUInt(p, n, "fs.count", &count) == 1) {
		i->fs = xcalloc(count ? count : 1, sizeof(*i->fs));
		for (unsigned k = 0; k < count; k++) {
			be_agent_fs *f = &i->fs[i->nfs++];
			unsigned long long v = 0;
			snprintf(key, sizeof(key), "fs.%u.mountpoint", k);
			f->mountpoint = xstrdup(be_tp_str(p, n, key));
			snprintf(key, sizeof(key), "fs.%u.fstype", k);
			f->type = xstrdup(be_tp_str(p, n, key));
			snprintf(key, sizeof(key), "fs.%u.total-bytes", k);
			if (virTypedParamsGetULLong(p, n, key, &v) == 1)
				f->total = v;
			snprintf(key, sizeof(key), "fs.%u.used-bytes", k);
			if (virTypedParamsGetULLong(p, n, key, &v) == 1)
				f->used = v;
		}
	}
	count = 0;
	if (virTypedParamsGetUInt(p, n, "disk.count", &count) == 1) {
		i->disks = xcalloc(count ? count : 1, sizeof(*i->disks));
		for (unsigned k = 0; k < count; k++) {
			const char *alias;
			snprintf(key, sizeof(key), "disk.%u.name", k);
			if (!(s = be_tp_str(p, n, key)))
				continue;
			snprintf(key, sizeof(key), "disk.%u.alias", k);
			alias = be_tp_str(p, n, key);
			i->disks[i->ndisks++] = alias ? xasprintf("%s (%s)", s, alias) : xstrdup(s);
		}
	}
}

static void be_read_ifaddrs(be_agent_info *i, virDomainInterfacePtr *ifs, int n)
{
	i->ifs = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*i->ifs));
	for (int k = 0; k < n; k++) {
		be_agent_if *o = &i->ifs[i->nifs++];
		o->name = xstrdup(ifs[k]->name);
		o->hwaddr = xstrdup(ifs[k]->hwaddr);
		o->addrs = xcalloc(ifs[k]->naddrs ? ifs[k]->naddrs : 1, sizeof(*o->addrs));
		for (unsigned a = 0; a < ifs[k]->naddrs; a++)
			o->addrs[o->naddrs++] = xasprintf("%s/%u", ifs[k]->addrs[a].addr, ifs[k]->addrs[a].prefix);
	}
}

/* The value of "key": "..." in the agent's JSON answer (a flat string). */
char *be_agent_json_str(const char *json, const char *key)
{
	char *pat = xasprintf("\"%s\"", key), *out;
	const char *p = json ? strstr(json, pat) : NULL;
	size_t n = 0, cap = 0;
	free(pat);
	if (!p)
		return NULL;
	p = strchr(p + strlen(key) + 2, ':');
	if (!p)
		return NULL;
	p++;
	while (*p == ' ')
		p++;
	if (*p != '"')
		return NULL;
	out = NULL;
	for (p++; *p && *p != '"'; p++) {
		char c = *p;
		if (c == '\\' && p[1])
			c = *++p;
		xgrow(&out, &cap, n + 2, 1);
		out[n++] = c;
	}
	if (!out)
		return xstrdup("");
	out[n] = '\0';
	return out;
}

/* {"return": N}: N, or -1. */
long long be_agent_json_ret(const char *json)
{
	const char *p = json ? strstr(json, "\"return\"") : NULL;
	char *end;
	long long v;
	if (!p || !(p = strchr(p, ':')))
		return -1;
	v = strtoll(p + 1, &end, 10);
	return end == p + 1 ? -1 : v;
}

/* JSON string of s, quoted and escaped (caller frees). */
char *be_agent_json_quote(const char *s)
{
	size_t n = 0, cap = 0;
	char *o = NULL;
	xgrow(&o, &cap, 2, 1);
	o[n++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		xgrow(&o, &cap, n + 8, 1);
		if (c == '"' || c == '\\') {
			o[n++] = '\\';
			o[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(o + n, 8, "\\u%04x", c);
		} else {
			o[n++] = (char)c;
		}
	}
	xgrow(&o, &cap, n + 2, 1);
	o[n++] = '"';
	o[n] = '\0';
	return o;
}

/* ---- BE_OP_AGENT_INFO --------------------------------------------------------- */

static void be_info_kvp(be_host *h, virDomainPtr dom, be_agent_info *i)
{
	virTypedParameterPtr p = NULL;
	virDomainInterfacePtr *ifs = NULL;
	int np = 0, nif;
	char *err = NULL;
	bool have_ifs = false;

	if (be_api_try(h, i, BE_API_GUESTINFO)) {
		if (virDomainGetGuestInfo(dom, 0, &p, &np, 0) == 0) {
			be_read_guestinfo(i, p, np);
			have_ifs = be_read_guestinfo_ifs(i, p, np);
			virTypedParamsFree(p, np);
			i->heartbeat_s = core_wall_s();
			be_svc_set(i, BE_SVC_KVP, BE_SVC_ON,
				   xasprintf("%s; host name %s", i->os_name ? i->os_name : "OS unknown",
					     i->hostname ? i->hostname : "unknown"));
		} else {
			bool na = be_api_failed(h, BE_API_GUESTINFO, &err);
			be_svc_set(i, BE_SVC_KVP, na ? BE_SVC_NA : BE_SVC_ERROR, err);
		}
	} else {
		be_svc_set(i, BE_SVC_KVP, BE_SVC_NA, be_api_missing_text(BE_API_GUESTINFO));
	}
	if (!have_ifs && be_api_try(h, i, BE_API_IFADDR)) {
		nif = virDomainInterfaceAddresses(dom, &ifs, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0);
		if (nif >= 0) {
			be_read_ifaddrs(i, ifs, nif);
			for (int k = 0; k < nif; k++)
				virDomainInterfaceFree(ifs[k]);
			free(ifs);
			if (i->st[BE_SVC_KVP] != BE_SVC_ON)
				be_svc_set(i, BE_SVC_KVP, BE_SVC_ON, xasprintf("%zu interface(s)", i->nifs));
		} else {
			char *e2 = NULL;
			be_api_failed(h, BE_API_IFADDR, &e2);
			free(e2);
		}
	}
}

static void be_info_time(be_host *h, virDomainPtr dom, be_agent_info *i)
{
	long long sec = 0;
	unsigned int nsec = 0;
	char *err = NULL;
	struct timespec t0, t1;

	if (!be_api_try(h, i, BE_API_GETTIME)) {
		be_svc_set(i, BE_SVC_TIME, BE_SVC_NA, be_api_missing_text(BE_API_GETTIME));
		return;
	}
	clock_gettime(CLOCK_REALTIME, &t0);
	if (virDomainGetTime(dom, &sec, &nsec, 0) < 0) {
		bool na = be_api_failed(h, BE_API_GETTIME, &err);
		be_svc_set(i, BE_SVC_TIME, na ? BE_SVC_NA : BE_SVC_ERROR, err);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &t1);
	i->have_time = true;
	i->guest_ms = sec * 1000 + nsec / 1000000;
	/* the host's clock half way through the round trip */
	i->host_ms = ((int64_t)t0.tv_sec * 1000 + t0.tv_nsec / 1000000 + (int64_t)t1.tv_sec * 1000 +
		      t1.tv_nsec / 1000000) / 2;
	i->heartbeat_s = core_wall_s();
	be_svc_set(i, BE_SVC_TIME, BE_SVC_ON,
		   xasprintf("guest clock %+.1f s from the host's", (double)(i->guest_ms - i->host_ms) / 1000.0));
}

static void be_info_version(be_host *h, virDomainPtr dom, be_agent_info *i)
{
	char *out, *err = NULL;
	if (!be_api_try(h, i, BE_API_QEMUCMD))
		return;
	out = virDomainQemuAgentCommand(dom, "{\"execute\":\"guest-info\"}", BE_AGENT_TIMEOUT_S, 0);
	if (!out) {
		be_api_failed(h, BE_API_QEMUCMD, &err);
		free(err);
		return;
	}
	i->version = be_agent_json_str(out, "version");
	free(out);
}

static void be_pv_add(be_agent_info *i, size_t *cap, bool *all, const char *what, const char *model,
		      const char *virtio_need)
{
	bool v = model && strcmp(model, "virtio") == 0;
	xgrow(&i->pv, cap, i->npv + 1, sizeof(*i->pv));
	i->pv[i->npv++] = v ? xasprintf("%s: virtio", what)
			    : xasprintf("%s: %s (virtio: %s)", what, model ? model : "default", virtio_need);
	*all = *all && v;
}

/* The devices of the running (else persistent) XML: which are virtio. */
static void be_info_pv(be_host *h, virDomainPtr dom, be_agent_info *i)
{
	char *xml = virDomainGetXMLDesc(dom, 0);
	xmlDocPtr doc = be_xml_parse(xml);
	size_t cap = 0, n = 0, nd = 0;
	char **v, **devs;
	bool all = true;
	char *s;
	free(xml);
	if (!doc) {
		be_svc_set(i, BE_SVC_PV, BE_SVC_ERROR, xstrdup("the domain XML could not be read"));
		return;
	}
	devs = be_xml_get_all(doc, "/domain/devices/disk[@device='disk' or not(@device)]/target/@dev", &nd);
	v = be_xml_get_all(doc, "/domain/devices/disk[@device='disk' or not(@device)]/target/@bus", &n);
	for (size_t k = 0; k < nd; k++) {
		s = xasprintf("disk %s", devs[k]);
		be_pv_add(i, &cap, &all, s, k < n ? v[k] : NULL, "the guest's virtio-blk driver, a restart");
		free(s);
	}
	be_strv_free(&v, &n);
	be_strv_free(&devs, &nd);
	v = be_xml_get_all(doc, "/domain/devices/interface/model/@type", &n);
	for (size_t k = 0; k < n; k++) {
		s = xasprintf("network interface %zu", k + 1);
		be_pv_add(i, &cap, &all, s, v[k], "the guest's virtio-net driver, a restart");
		free(s);
	}
	be_strv_free(&v, &n);
	s = be_xml_get(doc, "string(/domain/devices/memballoon/@model)");
	be_pv_add(i, &cap, &all, "memory balloon", s ? s : "none", "a restart");
	free(s);
	s = be_xml_get(doc, "string(/domain/devices/rng/@model)");
	be_pv_add(i, &cap, &all, "random number generator", s ? s : "none", "a restart");
	free(s);
	s = be_xml_get(doc, "string(/domain/devices/channel/target[@name='" BE_AGENT_NAME "']/@type)");
	be_pv_add(i, &cap, &all, "agent channel", s ? s : "none", "added by Install Integration Tools");
	free(s);
	s = be_xml_get(doc, "string(/domain/devices/video/model/@type)");
	if (s) {
		be_pv_add(i, &cap, &all, "video", s, "a restart");
		free(s);
	}
	/* the time sync setting (be_autosync_get without its call) */
	s = be_xml_get(doc, "string(/domain/metadata/*[local-name()='timesync' and namespace-uri()='" BE_TIMESYNC_NS
			    "']/@auto)");
	i->autosync = s && strcmp(s, "yes") == 0;
	free(s);
	xmlFreeDoc(doc);
	(void)h;
	be_svc_set(i, BE_SVC_PV, all ? BE_SVC_ON : BE_SVC_OFF,
		   xstrdup(all ? "all virtio" : "not all virtio (Install Integration Tools offers the switch)"));
}

/* Opening the view at a host far away costs a round trip per call: the
 * XML gives the time sync setting too (its <metadata>), and when the
 * agent's events say it is connected the VM runs: no state to ask. */
static void be_info_fill(be_host *h, virDomainPtr dom, const be_agent_req *req, be_agent_info *i)
{
	bool known = false;
	int state = 0, reason = 0;

	i->agent = be_agent_cached(h, dom, &i->channel, &known);
	if (i->channel && known && i->agent == MD_AGENT_UP)
		i->vm_state = VIR_DOMAIN_RUNNING;
	else if (virDomainGetState(dom, &state, &reason, 0) == 0)
		i->vm_state = state;
	for (int k = 0; k < BE_SVC__COUNT; k++)
		be_svc_set(i, k, BE_SVC_NA, NULL);
	i->autosync = -1;
	if (req && req->version) {
		be_info_pv(h, dom, i);
		be_checkpoints_read(h, dom, i);
	}
	if (!i->channel) {
		for (int k = 0; k < BE_SVC_PV; k++)
			be_svc_set(i, k, BE_SVC_NA, xstrdup("not available: the VM has no guest agent channel "
							  "(Install Integration Tools adds it)"));
		be_svc_set(i, BE_SVC_SHUTDOWN, BE_SVC_OFF, xstrdup("ACPI (no guest agent)"));
		return;
	}
	if (!md_vm_state_active(i->vm_state) || (known && i->agent != MD_AGENT_UP)) {
		const char *why = md_vm_state_active(i->vm_state) ? "off: the agent is not connected"
								   : "off: the VM is not running";
		for (int k = 0; k < BE_SVC_PV; k++)
			be_svc_set(i, k, BE_SVC_OFF, xstrdup(why));
		be_svc_set(i, BE_SVC_SHUTDOWN, BE_SVC_OFF, xstrdup("ACPI (the agent is not connected)"));
		i->skipped += 3;
		return;
	}
	/* the agent is up (or the host does not say): at most 3 calls */
	if (req && req->version)
		be_agent_timeout(h, dom);
	be_info_time(h, dom, i);
	if (i->st[BE_SVC_TIME] == BE_SVC_ERROR) {
		/* the ping failed (an agent that stopped answering costs a
		 * timeout per call): the other calls wait for the next round */
		be_svc_set(i, BE_SVC_KVP, BE_SVC_ERROR, xstrdup("the agent did not answer the ping"));
		i->skipped += 2;
	} else {
		be_info_kvp(h, dom, i);
	}
	if (req && req->version)
		be_info_version(h, dom, i);
	if (i->heartbeat_s) {
		be_svc_set(i, BE_SVC_HEARTBEAT, BE_SVC_ON,
			   xasprintf("connected%s%s", i->version ? ", version " : "", i->version ? i->version : ""));
		be_svc_set(i, BE_SVC_SHUTDOWN, BE_SVC_ON, xstrdup("through the guest agent"));
		be_svc_set(i, BE_SVC_BACKUP, (h->agent->missing & BE_API_FREEZE) ? BE_SVC_NA : BE_SVC_ON,
			   xstrdup("freeze / thaw of the guest's file systems"));
		be_svc_set(i, BE_SVC_FILES, (h->agent->missing & BE_API_QEMUCMD) ? BE_SVC_NA : BE_SVC_ON,
			   (h->agent->missing & BE_API_QEMUCMD) ? be_api_missing_text(BE_API_QEMUCMD)
								 : xstrdup("Copy File to Guest"));
	} else {
		be_svc_set(i, BE_SVC_HEARTBEAT, known ? BE_SVC_ERROR : BE_SVC_NA,
			   xstrdup(i->why[BE_SVC_TIME] ? i->why[BE_SVC_TIME] : "no answer"));
		be_svc_set(i, BE_SVC_SHUTDOWN, BE_SVC_OFF, xstrdup("ACPI (the agent does not answer)"));
	}
}

static void be_post_info(be_host *h, const be_job *j, be_agent_info *i)
{
	md_msg *m = md_msg_new(MD_MSG_AGENT_INFO, h->id);
	memcpy(m->uuid, j->uuid, sizeof(m->uuid));
	m->seq = j->seq;
	m->ext = i;
	m->ext_free = be_agent_info_free_void;
	be_post(m);
}

static void be_agent_info_job(be_host *h, const be_job *j, virDomainPtr dom)
{
	be_agent_info *i = xcalloc(1, sizeof(*i));
	snprintf(i->uuid, sizeof(i->uuid), "%s", j->uuid);
	be_info_fill(h, dom, j->arg, i);
	be_post_info(h, j, i);
	be_post_result(h, j, true, NULL);
}

/* ---- BE_OP_AGENT_XML / BE_OP_AGENT_APPLY ---------------------------------------- */

static void be_agent_xml_job(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	be_agent_info *i = xcalloc(1, sizeof(*i));
	int state = 0, reason = 0;
	bool known;
	snprintf(i->uuid, sizeof(i->uuid), "%s", j->uuid);
	i->inactive_xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	if (!i->inactive_xml) {
		be_agent_info_free(&i);
		be_post_fail(h, j, name);
		return;
	}
	if (virDomainGetState(dom, &state, &reason, 0) == 0)
		i->vm_state = state;
	if (md_vm_state_active(i->vm_state))
		i->live_xml = virDomainGetXMLDesc(dom, 0);
	i->agent = be_agent_cached(h, dom, &i->channel, &known);
	be_post_info(h, j, i);
	be_post_result(h, j, true, NULL);
}

static bool be_wait_inactive(virDomainPtr dom, int ms)
{
	for (int t = 0; t < ms; t += 100) {
		if (virDomainIsActive(dom) == 0)
			return true;
		usleep(100 * 1000);
	}
	return virDomainIsActive(dom) == 0;
}

static void be_agent_apply_job(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	const be_agent_apply *ap = j->arg;
	char *cur = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE), *err = NULL;
	virDomainPtr nd = NULL;
	bool active = virDomainIsActive(dom) == 1;
	char *done = xstrdup("");

	if (!ap || !cur) {
		free(cur);
		free(done);
		be_post_fail(h, j, name);
		return;
	}
	if (ap->old_xml && strcmp(cur, ap->old_xml) != 0) {
		be_post_result(h, j, false,
			       xasprintf("Could not change '%s': its configuration changed since the wizard read it "
					 "(nothing was changed; open the wizard again)", name));
		free(cur);
		free(done);
		return;
	}
	free(cur);
	if (ap->iso) {
		virStorageVolPtr vol = virStorageVolLookupByPath(h->conn, ap->iso);
		bool ok = vol != NULL || (!be_conn_is_remote(h) && access(ap->iso, R_OK) == 0);
		if (vol)
			virStorageVolFree(vol);
		if (!ok) {
			be_post_result(h, j, false, xasprintf("Could not change '%s': the virtio-win ISO '%s' is not on "
							      "the host (not a volume of its pools%s; nothing was "
							      "changed)", name, ap->iso,
							      be_conn_is_remote(h) ? "" : ", no such file"));
			free(done);
			return;
		}
	}
	if (ap->new_xml) {
		if (!(nd = virDomainDefineXML(h->conn, ap->new_xml))) {
			be_host_fail(h, &err);
			be_post_result(h, j, false, xasprintf("Could not change '%s': %s (nothing was changed)", name, err));
			free(err);
			free(done);
			return;
		}
		virDomainFree(nd);
		core_str_set(&done, "configuration saved");
	}
	if (ap->device_xml && active && !ap->restart) {
		if (virDomainAttachDeviceFlags(dom, ap->device_xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
			be_host_fail(h, &err);
			be_post_result(h, j, false, xasprintf("Changed the configuration of '%s', but the live hot-plug "
							      "failed: %s (restart the VM to use it)", name, err));
			free(err);
			free(done);
			return;
		}
		char *d = xasprintf("%s%sagent channel hot-plugged", done, *done ? ", " : "");
		free(done);
		done = d;
	}
	if (ap->restart && active) {
		if ((virDomainDestroy(dom) < 0 && virDomainIsActive(dom) == 1) || !be_wait_inactive(dom, 10000) ||
		    virDomainCreate(dom) < 0) {
			be_host_fail(h, &err);
			be_post_result(h, j, false, xasprintf("Changed '%s' (%s), but the restart failed: %s", name,
							      done, err));
			free(err);
			free(done);
			return;
		}
		char *d = xasprintf("%s%srestarted", done, *done ? ", " : "");
		free(done);
		done = d;
	}
	be_post_result(h, j, true, xasprintf("Integration tools for '%s': %s%s", name, *done ? done : "nothing to do",
					     active || !ap->new_xml ? "" : " (the VM is shut off: persistent configuration only)"));
	free(done);
}

/* ---- time, shutdown, freeze ----------------------------------------------------- */

static void be_agent_sync_time(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	char *err = NULL;
	long long s0 = 0;
	unsigned n0 = 0;
	bool before = false;

	be_agent_timeout(h, dom);
	if (!(h->agent->missing & BE_API_GETTIME)) {
		atomic_fetch_add(&h->agent->calls, 1);
		before = virDomainGetTime(dom, &s0, &n0, 0) == 0;
	}
	if (!be_api_try(h, NULL, BE_API_SETTIME)) {
		be_post_result(h, j, false, xasprintf("Sync Time Now on '%s': %s", name,
						      be_api_missing_text(BE_API_SETTIME)));
		return;
	}
	if (virDomainSetTime(dom, 0, 0, VIR_DOMAIN_TIME_SYNC) < 0) {
		be_api_failed(h, BE_API_SETTIME, &err);
		be_post_result(h, j, false, xasprintf("Could not sync the clock of '%s': %s", name, err));
		free(err);
		return;
	}
	if (before)
		be_post_result(h, j, true, xasprintf("Synchronised the clock of '%s' (it was %+lld s off)", name,
						     s0 - (long long)time(NULL)));
	else
		be_post_result(h, j, true, xasprintf("Synchronised the clock of '%s'", name));
}

/* ---- automatic time sync ---------------------------------------------------------- */

char *be_autosync_xml(bool on)
{
	xmlDocPtr doc = be_xml_new("timesync");
	char *out;
	be_xml_attr(xmlDocGetRootElement(doc), "auto", on ? "yes" : "no");
	out = be_xml_dump(doc);
	xmlFreeDoc(doc);
	return out;
}

int be_autosync_parse(const char *meta)
{
	xmlDocPtr doc = meta ? be_xml_parse(meta) : NULL;
	char *v = doc ? be_xml_get(doc, "string(/*[local-name()='timesync']/@auto)") : NULL;
	int on = v && strcmp(v, "yes") == 0;
	free(v);
	if (doc)
		xmlFreeDoc(doc);
	return on;
}

/* The VM's setting (its running definition when it runs): 1 on, 0 off
 * (also when not set), -1 unreadable (*err when err). */
static int be_autosync_get(virDomainPtr dom, char **err)
{
	char *meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, BE_TIMESYNC_NS, VIR_DOMAIN_AFFECT_CURRENT);
	int on, code;
	if (!meta) {
		char *e = be_last_error(&code);
		if (code == VIR_ERR_NO_DOMAIN_METADATA) {
			free(e);
			return 0;
		}
		if (err)
			*err = e;
		else
			free(e);
		return -1;
	}
	on = be_autosync_parse(meta);
	free(meta);
	return on;
}

/* BE_OP_AGENT_AUTOSYNC: paths[0] "on", "off" or "toggle"; in the persistent
 * definition and, when it runs, the running one. */
static void be_agent_autosync_set(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	const char *how = j->npaths ? j->paths[0] : "toggle";
	char *err = NULL, *meta;
	int on = strcmp(how, "on") == 0, cur, rc;
	unsigned flags = VIR_DOMAIN_AFFECT_CONFIG;
	if (strcmp(how, "toggle") == 0) {
		if ((cur = be_autosync_get(dom, &err)) < 0) {
			be_post_result(h, j, false, xasprintf("Could not read the time sync setting of '%s': %s", name, err));
			free(err);
			return;
		}
		on = !cur;
	}
	if (virDomainIsActive(dom) == 1)
		flags |= VIR_DOMAIN_AFFECT_LIVE;
	meta = be_autosync_xml(on);
	rc = virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, meta, "vmmc", BE_TIMESYNC_NS, flags);
	free(meta);
	if (rc < 0) {
		be_host_fail(h, &err);
		be_post_result(h, j, false, xasprintf("Could not set the automatic time sync of '%s': %s", name, err));
		free(err);
		return;
	}
	be_post_result(h, j, true, xasprintf("Automatic time sync of '%s': %s", name,
					     on ? "on (after Resume, restore from saved state and revert)" : "off"));
}

void be_agent_autosync_job(be_host *h, const char *uuid)
{
	virDomainPtr dom;
	bool ch = false, known = false;
	char *err = NULL;
	long long s0 = 0;
	unsigned n0 = 0;
	bool before;
	md_msg *m;

	if (!h->agent || !(dom = virDomainLookupByUUIDString(h->conn, uuid))) {
		virResetLastError(); /* gone meanwhile */
		return;
	}
	if (be_autosync_get(dom, NULL) != 1 || (h->agent->missing & BE_API_SETTIME))
		goto out;
	if (be_agent_cached(h, dom, &ch, &known) != MD_AGENT_UP && (known || !ch)) {
		if (ch)
			be_sync_wait(h->agent, uuid); /* a restored guest's agent reconnects */
		goto out;
	}
	be_agent_timeout(h, dom);
	atomic_fetch_add(&h->agent->calls, 2);
	before = virDomainGetTime(dom, &s0, &n0, 0) == 0;
	virResetLastError();
	if (virDomainSetTime(dom, 0, 0, VIR_DOMAIN_TIME_SYNC) < 0) {
		be_api_failed(h, BE_API_SETTIME, &err);
		core_log("agent", "%s: automatic time sync of %s: %s; again when its agent connects", h->uri, uuid, err);
		be_sync_wait(h->agent, uuid);
		free(err);
		goto out;
	}
	m = md_msg_new(MD_MSG_OP_RESULT, h->id);
	m->ok = true;
	m->op = BE_OP_AGENT_SYNC_TIME;
	memcpy(m->uuid, uuid, sizeof(m->uuid));
	if (before)
		m->text = xasprintf("Synchronised the clock of '%s' by itself (it was %+lld s off)", virDomainGetName(dom),
				    s0 - (long long)time(NULL));
	else
		m->text = xasprintf("Synchronised the clock of '%s' by itself", virDomainGetName(dom));
	core_log("agent", "%s: %s", h->uri, m->text);
	be_post(m);
out:
	virDomainFree(dom);
}

static void be_agent_power(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	bool ch = false, known = false;
	bool agent = be_agent_cached(h, dom, &ch, &known) == MD_AGENT_UP;
	bool reboot = j->op == BE_OP_AGENT_REBOOT;
	int rc;
	if (agent)
		be_agent_timeout(h, dom);
	/* without the agent the default path (flags 0, ACPI on QEMU), as
	 * before: every driver takes it */
	if (reboot)
		rc = virDomainReboot(dom, agent ? VIR_DOMAIN_REBOOT_GUEST_AGENT : 0);
	else
		rc = virDomainShutdownFlags(dom, agent ? VIR_DOMAIN_SHUTDOWN_GUEST_AGENT : 0);
	if (rc < 0) {
		be_post_fail(h, j, name);
		return;
	}
	if (reboot)
		be_post_result(h, j, true, xasprintf("Rebooting '%s' (%s)", name,
						     agent ? "through the guest agent" : "ACPI"));
	else
		be_post_result(h, j, true, xasprintf("Shut down requested for '%s' (%s)", name,
						     agent ? "through the guest agent" : "ACPI power button"));
}

static void be_agent_freeze(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	bool thaw = j->op == BE_OP_AGENT_THAW;
	char *err = NULL;
	int n;
	if (!be_api_try(h, NULL, BE_API_FREEZE)) {
		be_post_result(h, j, false, xasprintf("%s '%s': %s", thaw ? "Thaw" : "Freeze", name,
						      be_api_missing_text(BE_API_FREEZE)));
		return;
	}
	be_agent_timeout(h, dom);
	n = thaw ? virDomainFSThaw(dom, NULL, 0, 0) : virDomainFSFreeze(dom, NULL, 0, 0);
	if (n < 0) {
		be_api_failed(h, BE_API_FREEZE, &err);
		be_post_result(h, j, false, xasprintf("Could not %s the file systems of '%s': %s",
						      thaw ? "thaw" : "freeze", name, err));
		free(err);
		return;
	}
	be_post_result(h, j, true, xasprintf("%s %d file system(s) of '%s'", thaw ? "Thawed" : "Froze", n, name));
}

/* ---- Quiesced Checkpoint -------------------------------------------------------------- */

char *be_checkpoint_name(time_t t)
{
	struct tm tm;
	char buf[32];
	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "vmmc-%Y%m%d-%H%M%S", &tm);
	return xstrdup(buf);
}

/* disk i's (1-based) value at rel ("@device", "driver/@type" ...) */
static char *be_disk_get(xmlDocPtr doc, size_t i, const char *rel)
{
	char xp[128];
	snprintf(xp, sizeof(xp), "string(/domain/devices/disk[%zu]/%s)", i, rel);
	return be_xml_get(doc, xp);
}

/* One disk of the checkpoint: 1 external (overlay path *ov), 0 left out
 * (CD/DVD, floppy, read-only, empty), -1 refused (*err). */
static int be_ckpt_disk(xmlDocPtr doc, size_t i, const char *name, char **ov, char **err)
{
	char *dev = be_disk_get(doc, i, "@device"), *type = be_disk_get(doc, i, "@type"),
	     *fmt = be_disk_get(doc, i, "driver/@type"), *file = be_disk_get(doc, i, "source/@file"),
	     *tgt = be_disk_get(doc, i, "target/@dev"), *ro = be_disk_get(doc, i, "readonly/../target/@dev");
	int rc = 1;
	*ov = NULL;
	if ((dev && strcmp(dev, "disk") != 0) || ro) {
		rc = 0;
	} else if (type && strcmp(type, "file") != 0) {
		*err = xasprintf("disk %s is a '%s' disk: a Quiesced Checkpoint puts an overlay file next to "
				 "each disk, so it takes VMs whose disks are files", tgt ? tgt : "?", type);
		rc = -1;
	} else if (!file) {
		rc = 0; /* no medium */
	} else if (!fmt || strcmp(fmt, "qcow2") != 0) {
		*err = xasprintf("disk %s is a %s file: only qcow2 disks get a Quiesced Checkpoint (qemu-img convert "
				 "-O qcow2 converts %s)", tgt ? tgt : "?", fmt ? fmt : "raw", file);
		rc = -1;
	} else {
		const char *slash = strrchr(file, '/'), *base = slash ? slash + 1 : file, *dot = strrchr(base, '.');
		size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
		*ov = xasprintf("%.*s%.*s.%s.qcow2", (int)(base - file), file, (int)stem, base, name);
	}
	free(dev);
	free(type);
	free(fmt);
	free(file);
	free(tgt);
	free(ro);
	return rc;
}

char *be_checkpoint_xml(const char *dom_xml, const char *name, char **err)
{
	xmlDocPtr doc = be_xml_parse(dom_xml), out;
	xmlNodePtr disks;
	size_t n = 0, ext = 0;
	char **tgts, *x = NULL;
	*err = NULL;
	if (!doc) {
		*err = xstrdup("the domain XML cannot be read");
		return NULL;
	}
	tgts = be_xml_get_all(doc, "/domain/devices/disk/target/@dev", &n);
	out = be_xml_new("domainsnapshot");
	be_xml_add(xmlDocGetRootElement(out), "name", name);
	be_xml_add(xmlDocGetRootElement(out), "description", "Quiesced Checkpoint (vmmc): file systems frozen");
	disks = be_xml_add(xmlDocGetRootElement(out), "disks", NULL);
	for (size_t i = 0; i < n && !*err; i++) {
		char *ov = NULL;
		int rc = be_ckpt_disk(doc, i + 1, name, &ov, err);
		xmlNodePtr d;
		if (rc < 0)
			break;
		d = be_xml_attr(be_xml_add(disks, "disk", NULL), "name", tgts[i]);
		be_xml_attr(d, "snapshot", rc ? "external" : "no");
		if (rc) {
			be_xml_attr(be_xml_add(d, "driver", NULL), "type", "qcow2");
			be_xml_attr(be_xml_add(d, "source", NULL), "file", ov);
			ext++;
		}
		free(ov);
	}
	if (!*err && !ext)
		*err = xstrdup("the VM has no disk to snapshot (only CD/DVD drives, or none)");
	if (!*err)
		x = be_xml_dump(out);
	be_strv_free(&tgts, &n);
	xmlFreeDoc(out);
	xmlFreeDoc(doc);
	return x;
}

static int be_ckpt_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a); /* "YYYY-mm-dd HH:MM:SS name": newest first */
}

/* The VM's disk-only snapshots, newest first, at most BE_CHECKPOINTS_MAX:
 * "YYYY-mm-dd HH:MM:SS  name" (one list call, one XML read each). */
static void be_checkpoints_read(be_host *h, virDomainPtr dom, be_agent_info *i)
{
	virDomainSnapshotPtr *snaps = NULL;
	int n = virDomainListAllSnapshots(dom, &snaps, VIR_DOMAIN_SNAPSHOT_LIST_DISK_ONLY);
	char **v;
	size_t k = 0;
	(void)h;
	i->checkpoints_read = n >= 0;
	if (n <= 0) {
		free(snaps);
		return;
	}
	v = xcalloc((size_t)n + 1, sizeof(*v));
	for (int s = 0; s < n; s++) {
		char *x = virDomainSnapshotGetXMLDesc(snaps[s], 0);
		xmlDocPtr doc = x ? be_xml_parse(x) : NULL;
		char *t = doc ? be_xml_get(doc, "string(/domainsnapshot/creationTime)") : NULL, when[32] = "?";
		if (t) {
			time_t tt = (time_t)strtoll(t, NULL, 10);
			struct tm tm;
			localtime_r(&tt, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		}
		v[k++] = xasprintf("%s  %s", when, virDomainSnapshotGetName(snaps[s]));
		free(t);
		if (doc)
			xmlFreeDoc(doc);
		free(x);
		virDomainSnapshotFree(snaps[s]);
	}
	free(snaps);
	qsort(v, k, sizeof(*v), be_ckpt_cmp);
	i->ncheckpoints = k < BE_CHECKPOINTS_MAX ? k : BE_CHECKPOINTS_MAX;
	for (size_t s = i->ncheckpoints; s < k; s++)
		free(v[s]);
	i->checkpoints = v;
}

/* BE_OP_AGENT_CHECKPOINT: refused unless the VM runs, its agent is
 * connected and every disk can have an overlay; then one
 * virDomainSnapshotCreateXML(DISK_ONLY | QUIESCE | ATOMIC): libvirt freezes
 * the guest's file systems through the agent, makes the overlays and thaws
 * them (ATOMIC: all disks or none). The answer: an AGENT_INFO with the
 * checkpoints, then the OP_RESULT. */
static void be_agent_checkpoint(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	int state = 0, reason = 0, agent;
	bool channel = false, known = false;
	char *xml = NULL, *sx = NULL, *err = NULL, *sn = NULL;
	virDomainSnapshotPtr snap;
	be_agent_info *i;
	if (virDomainGetState(dom, &state, &reason, 0) < 0 || state != VIR_DOMAIN_RUNNING) {
		be_post_result(h, j, false, xasprintf("Quiesced Checkpoint of '%s': the VM is not running (its guest "
						      "agent freezes the file systems of a running guest)", name));
		return;
	}
	if (!(xml = virDomainGetXMLDesc(dom, 0))) {
		be_post_fail(h, j, name);
		return;
	}
	agent = be_agent_from_xml(xml, &channel, &known);
	if (!channel || (known && agent != MD_AGENT_UP)) {
		be_post_result(h, j, false,
			       xasprintf("Quiesced Checkpoint of '%s': %s: its file systems cannot be frozen", name,
					 channel ? "the guest agent is not connected"
						 : "the VM has no guest agent channel (Install Integration Tools adds it)"));
		free(xml);
		return;
	}
	sn = be_checkpoint_name(time(NULL));
	if (!(sx = be_checkpoint_xml(xml, sn, &err))) {
		be_post_result(h, j, false, xasprintf("Quiesced Checkpoint of '%s': %s", name, err));
	} else {
		be_agent_timeout(h, dom);
		atomic_fetch_add(&h->agent->calls, 1); /* the freeze and thaw libvirt makes */
		snap = virDomainSnapshotCreateXML(dom, sx,
						  VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | VIR_DOMAIN_SNAPSHOT_CREATE_QUIESCE |
							  VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC);
		if (!snap) {
			int code;
			free(err);
			err = be_last_error(&code);
			be_host_check_conn(h, code, err);
			be_post_result(h, j, false, xasprintf("Could not take a Quiesced Checkpoint of '%s': %s", name,
							      err));
		} else {
			i = xcalloc(1, sizeof(*i));
			snprintf(i->uuid, sizeof(i->uuid), "%s", j->uuid);
			be_info_fill(h, dom, &(be_agent_req){ .version = true }, i);
			be_post_info(h, j, i);
			be_post_result(h, j, true, xasprintf("Quiesced Checkpoint %s of '%s' taken: the guest's file "
							     "systems were frozen while the disks' overlays were made",
							     sn, name));
			virDomainSnapshotFree(snap);
		}
	}
	free(err);
	free(sx);
	free(sn);
	free(xml);
}

/* ---- Copy File to Guest ----------------------------------------------------------- */

static const char be_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *be_agent_base64(const unsigned char *p, size_t n)
{
	char *o = xmalloc(4 * ((n + 2) / 3) + 1), *q = o;
	size_t i;
	for (i = 0; i + 2 < n; i += 3) {
		*q++ = be_b64[p[i] >> 2];
		*q++ = be_b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*q++ = be_b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*q++ = be_b64[p[i + 2] & 63];
	}
	if (i < n) {
		*q++ = be_b64[p[i] >> 2];
		if (i + 1 < n) {
			*q++ = be_b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*q++ = be_b64[(p[i + 1] & 15) << 2];
		} else {
			*q++ = be_b64[(p[i] & 3) << 4];
			*q++ = '=';
		}
		*q++ = '=';
	}
	*q = '\0';
	return o;
}

static char *be_agent_cmd(be_host *h, virDomainPtr dom, const char *cmd, char **err)
{
	char *out;
	if (!be_api_try(h, NULL, BE_API_QEMUCMD)) {
		*err = be_api_missing_text(BE_API_QEMUCMD);
		return NULL;
	}
	out = virDomainQemuAgentCommand(dom, cmd, BE_AGENT_TIMEOUT_S, 0);
	if (!out)
		be_api_failed(h, BE_API_QEMUCMD, err);
	return out;
}

static void be_copy_progress(be_host *h, const be_job *j, int pct)
{
	md_msg *m = md_msg_new(MD_MSG_AGENT_PROGRESS, h->id);
	memcpy(m->uuid, j->uuid, sizeof(m->uuid));
	m->seq = j->seq;
	m->count = pct;
	be_post(m);
}

static void be_agent_copy_job(be_host *h, const be_job *j, virDomainPtr dom, const char *name)
{
	const be_agent_copy *c = j->arg;
	struct stat st;
	char *err = NULL, *cmd, *out, *q;
	long long handle;
	unsigned char *buf;
	uint64_t done = 0;
	int fd;
	bool ok = true;

	if (!c || !c->local || !c->guest || c->guest[0] == '\0') {
		be_post_result(h, j, false, xstrdup("Copy File to Guest: a local file and a guest path are needed"));
		return;
	}
	if ((fd = open(c->local, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		be_post_result(h, j, false, xasprintf("Copy File to Guest: cannot read '%s': %s", c->local,
						      fd < 0 ? strerror(errno) : "not a regular file"));
		if (fd >= 0)
			close(fd);
		return;
	}
	if ((uint64_t)st.st_size > BE_AGENT_COPY_MAX) {
		close(fd);
		be_post_result(h, j, false, xasprintf("Copy File to Guest: '%s' is %lld bytes; the limit is %llu MiB",
						      c->local, (long long)st.st_size, BE_AGENT_COPY_MAX >> 20));
		return;
	}
	be_agent_timeout(h, dom);
	q = be_agent_json_quote(c->guest);
	cmd = xasprintf("{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":%s,\"mode\":\"w\"}}", q);
	free(q);
	out = be_agent_cmd(h, dom, cmd, &err);
	free(cmd);
	handle = be_agent_json_ret(out);
	free(out);
	if (handle < 0) {
		close(fd);
		be_post_result(h, j, false, xasprintf("Copy File to Guest: the guest refused '%s': %s", c->guest,
						      err ? err : "no file handle"));
		free(err);
		return;
	}
	buf = xmalloc(BE_COPY_CHUNK);
	be_copy_progress(h, j, 0);
	while (ok && done < (uint64_t)st.st_size) {
		ssize_t n = read(fd, buf, BE_COPY_CHUNK);
		char *b64;
		if (n <= 0) {
			err = xasprintf("reading '%s': %s", c->local, n < 0 ? strerror(errno) : "file shrank");
			ok = false;
			break;
		}
		b64 = be_agent_base64(buf, (size_t)n);
		cmd = xasprintf("{\"execute\":\"guest-file-write\",\"arguments\":{\"handle\":%lld,\"buf-b64\":\"%s\"}}",
				handle, b64);
		free(b64);
		out = be_agent_cmd(h, dom, cmd, &err);
		free(cmd);
		ok = out != NULL;
		free(out);
		done += (uint64_t)n;
		if (ok)
			be_copy_progress(h, j, (int)(done * 100 / (uint64_t)st.st_size));
	}
	free(buf);
	close(fd);
	cmd = xasprintf("{\"execute\":\"guest-file-close\",\"arguments\":{\"handle\":%lld}}", handle);
	{
		char *cerr = NULL; /* a write's error says more than the close's */
		out = be_agent_cmd(h, dom, cmd, &cerr);
		if (!out && ok) {
			ok = false;
			err = cerr;
			cerr = NULL;
		}
		free(cerr);
	}
	free(cmd);
	free(out);
	if (ok)
		be_post_result(h, j, true, xasprintf("Copied '%s' to '%s' in '%s' (%lld bytes)", c->local, c->guest,
						     name, (long long)st.st_size));
	else
		be_post_result(h, j, false, xasprintf("Copy File to Guest '%s' failed: %s", c->guest,
						      err ? err : "unknown error"));
	free(err);
}

/* ---- dispatch ---------------------------------------------------------------------- */

void be_agent_job(be_host *h, const be_job *j)
{
	virDomainPtr dom;
	char *name, *err = NULL;

	if (!h->conn || !h->agent) {
		be_post_result(h, j, false, xasprintf("Could not %s: not connected", be_op_name(j->op)));
		return;
	}
	if (!(dom = virDomainLookupByUUIDString(h->conn, j->uuid))) {
		be_host_fail(h, &err);
		be_post_result(h, j, false, xasprintf("Could not %s VM %s: %s", be_op_name(j->op), j->uuid, err));
		free(err);
		return;
	}
	name = xstrdup(virDomainGetName(dom));
	switch (j->op) {
	case BE_OP_AGENT_INFO: be_agent_info_job(h, j, dom); break;
	case BE_OP_AGENT_SYNC_TIME: be_agent_sync_time(h, j, dom, name); break;
	case BE_OP_AGENT_SHUTDOWN:
	case BE_OP_AGENT_REBOOT: be_agent_power(h, j, dom, name); break;
	case BE_OP_AGENT_FREEZE:
	case BE_OP_AGENT_THAW: be_agent_freeze(h, j, dom, name); break;
	case BE_OP_AGENT_COPY: be_agent_copy_job(h, j, dom, name); break;
	case BE_OP_AGENT_XML: be_agent_xml_job(h, j, dom, name); break;
	case BE_OP_AGENT_AUTOSYNC: be_agent_autosync_set(h, j, dom, name); break;
	case BE_OP_AGENT_APPLY: be_agent_apply_job(h, j, dom, name); break;
	case BE_OP_AGENT_CHECKPOINT: be_agent_checkpoint(h, j, dom, name); break;
	default: be_post_result(h, j, false, xasprintf("Unknown operation %d", j->op)); break;
	}
	free(name);
	virDomainFree(dom);
	if (j->op == BE_OP_AGENT_APPLY || j->op == BE_OP_AGENT_SHUTDOWN || j->op == BE_OP_AGENT_REBOOT)
		be_vm_post(h, j->uuid);
}
