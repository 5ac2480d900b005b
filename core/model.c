/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/model.c - the view model and its reducer (see model.h). */
#include "model.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const md_state_names[] = {
	[MD_VM_NOSTATE] = "no state",
	[MD_VM_RUNNING] = "running",
	[MD_VM_BLOCKED] = "blocked",
	[MD_VM_PAUSED] = "paused",
	[MD_VM_SHUTDOWN] = "stopping",
	[MD_VM_SHUTOFF] = "shut off",
	[MD_VM_CRASHED] = "crashed",
	[MD_VM_PMSUSPENDED] = "pmsuspended", /* virsh's word: "suspended" reads as paused */
};

const char *md_vm_state_name(int state)
{
	if (state < 0 || (size_t)state >= CORE_ARRAY_LEN(md_state_names))
		return "unknown";
	return md_state_names[state];
}

bool md_vm_state_active(int state)
{
	return state == MD_VM_RUNNING || state == MD_VM_BLOCKED || state == MD_VM_PAUSED ||
	       state == MD_VM_SHUTDOWN || state == MD_VM_PMSUSPENDED;
}

bool md_vm_can_destroy(int state)
{
	return md_vm_state_active(state) || state == MD_VM_CRASHED;
}

bool md_vm_can_start(int state)
{
	return !md_vm_can_destroy(state);
}

size_t md_host_count_running(const md_host *h)
{
	size_t n = 0;
	for (size_t i = 0; i < h->nvms; i++)
		n += h->vms[i].state == MD_VM_RUNNING;
	return n;
}

const char *md_conn_name(int conn)
{
	switch (conn) {
	case MD_CONN_IDLE: return "not connected";
	case MD_CONN_CONNECTING: return "connecting";
	case MD_CONN_CONNECTED: return "connected";
	case MD_CONN_DISCONNECTED: return "disconnected";
	case MD_CONN_FAILED: return "failed";
	}
	return "unknown";
}

const char *md_host_state_name(const md_host *h)
{
	if (h->conn == MD_CONN_FAILED && h->stalled)
		return "no answer"; /* (fits the tree's state column) */
	return h->conn == MD_CONN_CONNECTING && h->waiting ? "waiting" : md_conn_name(h->conn);
}

const char *md_cap_name(unsigned cap)
{
	switch (cap) {
	case MD_CAP_BULK_STATS: return "bulk stats";
	case MD_CAP_EVENTS: return "events";
	case MD_CAP_SAVE: return "managed save";
	case MD_CAP_SNAPSHOT: return "snapshots";
	case MD_CAP_AUTOSTART: return "autostart";
	case MD_CAP_CONSOLE: return "consoles";
	case MD_CAP_PAUSE: return "pause";
	case MD_CAP_SHUTDOWN: return "shut down";
	case MD_CAP_REBOOT: return "reboot";
	case MD_CAP_RESET: return "reset";
	}
	return NULL;
}

md_msg *md_msg_new(int type, int host_id)
{
	md_msg *m = xcalloc(1, sizeof(*m));
	m->type = type;
	m->host_id = host_id;
	return m;
}

void md_vm_clear(md_vm *v)
{
	xfree(&v->name);
}

const char *md_agent_name(int agent)
{
	switch (agent) {
	case MD_AGENT_UP:
		return "up";
	case MD_AGENT_DOWN:
		return "down";
	case MD_AGENT_NONE:
		return "none";
	default:
		return "-";
	}
}

void md_vm_copy(md_vm *dst, const md_vm *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
}

static void md_strv_free(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	xfree(v);
	*n = 0;
}

void md_net_clear(md_net *n)
{
	xfree(&n->name);
	xfree(&n->bridge);
	xfree(&n->forward);
	xfree(&n->ipv4);
	xfree(&n->dhcp_start);
	xfree(&n->dhcp_end);
	xfree(&n->domain);
}

void md_net_copy(md_net *dst, const md_net *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->bridge = xstrdup(src->bridge);
	dst->forward = xstrdup(src->forward);
	dst->ipv4 = xstrdup(src->ipv4);
	dst->dhcp_start = xstrdup(src->dhcp_start);
	dst->dhcp_end = xstrdup(src->dhcp_end);
	dst->domain = xstrdup(src->domain);
}

void md_vol_clear(md_vol *v)
{
	xfree(&v->name);
	xfree(&v->path);
	xfree(&v->key);
	xfree(&v->format);
	md_strv_free(&v->users, &v->nusers);
}

void md_vol_copy(md_vol *dst, const md_vol *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->path = xstrdup(src->path);
	dst->key = xstrdup(src->key);
	dst->format = xstrdup(src->format);
	dst->users = src->nusers ? xcalloc(src->nusers, sizeof(*dst->users)) : NULL;
	for (size_t i = 0; i < src->nusers; i++)
		dst->users[i] = xstrdup(src->users[i]);
}

void md_pool_clear(md_pool *p)
{
	for (size_t i = 0; i < p->nvols; i++)
		md_vol_clear(&p->vols[i]);
	xfree(&p->vols);
	p->nvols = 0;
	xfree(&p->name);
	xfree(&p->type);
	xfree(&p->path);
}

void md_pool_copy(md_pool *dst, const md_pool *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->type = xstrdup(src->type);
	dst->path = xstrdup(src->path);
	dst->vols = src->nvols ? xcalloc(src->nvols, sizeof(*dst->vols)) : NULL;
	for (size_t i = 0; i < src->nvols; i++)
		md_vol_copy(&dst->vols[i], &src->vols[i]);
}

static const char *const md_xfer_states[] = {
	[MD_XFER_QUEUED] = "queued",
	[MD_XFER_HASHING] = "hashing",
	[MD_XFER_RUNNING] = "running",
	[MD_XFER_RECONNECTING] = "reconnecting",
	[MD_XFER_VERIFYING] = "verifying",
	[MD_XFER_DONE] = "done",
	[MD_XFER_FAILED] = "failed",
	[MD_XFER_CANCELLED] = "cancelled",
};

const char *md_xfer_state_name(int state)
{
	if (state < 0 || state >= (int)CORE_ARRAY_LEN(md_xfer_states))
		return "?";
	return md_xfer_states[state];
}

bool md_xfer_state_final(int state)
{
	return state >= MD_XFER_DONE;
}

void md_xfer_clear(md_xfer *x)
{
	xfree(&x->local);
	xfree(&x->pool);
	xfree(&x->vol);
	xfree(&x->sha256);
	xfree(&x->text);
}

void md_xfer_copy(md_xfer *dst, const md_xfer *src)
{
	*dst = *src;
	dst->local = xstrdup(src->local);
	dst->pool = xstrdup(src->pool);
	dst->vol = xstrdup(src->vol);
	dst->sha256 = xstrdup(src->sha256);
	dst->text = xstrdup(src->text);
}

void md_xfer_free_void(void *p)
{
	md_xfer *x = p;
	if (!x)
		return;
	md_xfer_clear(x);
	free(x);
}

static void md_free_vms(md_vm **vms, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		md_vm_clear(&(*vms)[i]);
	xfree(vms);
	*n = 0;
}

static void md_free_nets(md_net **nets, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		md_net_clear(&(*nets)[i]);
	xfree(nets);
	*n = 0;
}

static void md_free_pools(md_pool **pools, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		md_pool_clear(&(*pools)[i]);
	xfree(pools);
	*n = 0;
}

/* MD_MSG_POOL_UPDATE: one pool read again (a volume made or removed in it);
 * the users of its volumes were not read: the ones known stay, by name. */
/* count 1 / 2 of MD_MSG_POOL_UPDATE: np's figures and volumes into old */
static void md_pool_merge(md_pool *old, md_pool *np, bool gone)
{
	old->capacity = np->capacity;
	old->allocation = np->allocation;
	old->available = np->available;
	for (size_t k = 0; k < np->nvols; k++) {
		md_vol *v = &np->vols[k];
		size_t at = 0;
		while (at < old->nvols && strcmp(old->vols[at].name, v->name) < 0)
			at++;
		if (at < old->nvols && strcmp(old->vols[at].name, v->name) == 0) {
			if (!gone && !v->nusers) { /* the users stay (not read) */
				v->users = old->vols[at].users;
				v->nusers = old->vols[at].nusers;
				old->vols[at].users = NULL;
				old->vols[at].nusers = 0;
			}
			md_vol_clear(&old->vols[at]);
			if (gone) {
				memmove(&old->vols[at], &old->vols[at + 1], (old->nvols - at - 1) * sizeof(*old->vols));
				old->nvols--;
				continue;
			}
		} else if (!gone) {
			old->vols = xrealloc(old->vols, (old->nvols + 1) * sizeof(*old->vols));
			memmove(&old->vols[at + 1], &old->vols[at], (old->nvols - at) * sizeof(*old->vols));
			old->nvols++;
		} else {
			continue;
		}
		old->vols[at] = *v;
		memset(v, 0, sizeof(*v));
	}
}

static int md_apply_pool_update(md_host *h, md_msg *msg)
{
	md_pool *np = msg->npools == 1 ? &msg->pools[0] : NULL, *old = NULL;
	if (!np)
		return 0;
	for (size_t i = 0; i < h->npools && !old; i++)
		if (strcmp(h->pools[i].uuid, np->uuid) == 0)
			old = &h->pools[i];
	if (msg->count == 1 || msg->count == 2) {
		if (!old)
			return 0; /* not listed yet: the list comes whole */
		md_pool_merge(old, np, msg->count == 2);
		return MD_DIRTY_TREE | MD_DIRTY_LIST;
	}
	for (size_t k = 0; old && k < np->nvols; k++)
		for (size_t o = 0; o < old->nvols; o++)
			if (!np->vols[k].nusers && old->vols[o].name && np->vols[k].name &&
			    strcmp(old->vols[o].name, np->vols[k].name) == 0) {
				np->vols[k].users = old->vols[o].users;
				np->vols[k].nusers = old->vols[o].nusers;
				old->vols[o].users = NULL;
				old->vols[o].nusers = 0;
				break;
			}
	if (old) {
		md_pool_clear(old);
		*old = *np;
	} else {
		h->pools = xrealloc(h->pools, (h->npools + 1) * sizeof(*h->pools));
		h->pools[h->npools++] = *np;
	}
	free(msg->pools);
	msg->pools = NULL;
	msg->npools = 0;
	return MD_DIRTY_TREE | MD_DIRTY_LIST;
}

void md_msg_free(md_msg **mp)
{
	md_msg *m = *mp;
	if (!m)
		return;
	free(m->hostname);
	free(m->via);
	free(m->text);
	md_free_vms(&m->vms, &m->nvms);
	md_free_nets(&m->nets, &m->nnets);
	md_free_pools(&m->pools, &m->npools);
	for (size_t i = 0; i < m->nstrs; i++)
		free(m->strs[i]);
	free(m->strs);
	if (m->ext && m->ext_free)
		m->ext_free(m->ext);
	free(m);
	*mp = NULL;
}

void md_msg_free_void(void *m)
{
	md_msg *p = m;
	md_msg_free(&p);
}

md_model *md_model_new(void)
{
	return xcalloc(1, sizeof(md_model));
}

static void md_host_free(md_host **hp)
{
	md_host *h = *hp;
	if (!h)
		return;
	free(h->uri);
	free(h->label);
	free(h->hostname);
	free(h->via);
	free(h->error);
	free(h->driver);
	md_free_vms(&h->vms, &h->nvms);
	md_free_nets(&h->nets, &h->nnets);
	md_free_pools(&h->pools, &h->npools);
	core_stats_store_free(&h->live);
	core_domcaps_free(&h->domcaps);
	free(h);
	*hp = NULL;
}

void md_model_free(md_model **mp)
{
	md_model *m = *mp;
	if (!m)
		return;
	for (size_t i = 0; i < m->nhosts; i++)
		md_host_free(&m->hosts[i]);
	free(m->hosts);
	free(m->status);
	for (size_t i = 0; i < m->nxfers; i++)
		md_xfer_clear(&m->xfers[i]);
	free(m->xfers);
	free(m);
	*mp = NULL;
}

char *md_host_default_label(const char *uri)
{
	const char *p;
	size_t n;
	if (uri && strncmp(uri, "test:///", 8) == 0 && strchr(uri + 8, '/')) {
		/* test:///long/path/lab.xml -> test:lab.xml: three such hosts
		 * all read "test:///tm" in a narrow tree */
		const char *base = strrchr(uri, '/') + 1;
		return *base ? xasprintf("test:%s", base) : xstrdup(uri);
	}
	if (!uri || strncmp(uri, "ssh://", 6) != 0)
		return xstrdup(uri ? uri : "");
	/* ssh://root@kvm1/system -> root@kvm1: the tree is narrow */
	p = uri + 6;
	n = strlen(p);
	if (n > 7 && strcmp(p + n - 7, "/system") == 0)
		n -= 7;
	else if (n > 1 && p[n - 1] == '/')
		n--;
	return n ? xasprintf("%.*s", (int)n, p) : xstrdup(uri);
}

md_host *md_host_add(md_model *m, int id, const char *uri)
{
	md_host *h = xcalloc(1, sizeof(*h));
	h->id = id;
	h->uri = xstrdup(uri);
	h->label = md_host_default_label(uri);
	xgrow(&m->hosts, &m->cap_hosts, m->nhosts + 1, sizeof(*m->hosts));
	m->hosts[m->nhosts++] = h;
	m->gen++;
	return h;
}

void md_host_remove(md_model *m, int id)
{
	for (size_t i = 0; i < m->nhosts; i++) {
		if (m->hosts[i]->id == id) {
			md_host_free(&m->hosts[i]);
			memmove(&m->hosts[i], &m->hosts[i + 1], (m->nhosts - i - 1) * sizeof(*m->hosts));
			m->nhosts--;
			m->gen++;
			return;
		}
	}
}

bool md_model_settled(const md_model *m)
{
	for (size_t i = 0; i < m->nhosts; i++) {
		const md_host *h = m->hosts[i];
		if (h->conn == MD_CONN_CONNECTING || (h->conn == MD_CONN_CONNECTED && !h->listed))
			return false;
	}
	return true;
}

md_host *md_host_get(const md_model *m, int id)
{
	for (size_t i = 0; i < m->nhosts; i++)
		if (m->hosts[i]->id == id)
			return m->hosts[i];
	return NULL;
}

md_vm *md_vm_find(const md_host *h, const char *uuid)
{
	for (size_t i = 0; i < h->nvms; i++)
		if (strcmp(h->vms[i].uuid, uuid) == 0)
			return &h->vms[i];
	return NULL;
}

md_pool *md_pool_find(const md_host *h, const char *uuid)
{
	for (size_t i = 0; i < h->npools; i++)
		if (strcmp(h->pools[i].uuid, uuid) == 0)
			return &h->pools[i];
	return NULL;
}

md_net *md_net_find(const md_host *h, const char *uuid)
{
	for (size_t i = 0; i < h->nnets; i++)
		if (strcmp(h->nets[i].uuid, uuid) == 0)
			return &h->nets[i];
	return NULL;
}

md_xfer *md_xfer_find(const md_model *m, uint64_t id)
{
	for (size_t i = 0; i < m->nxfers; i++)
		if (m->xfers[i].id == id)
			return &m->xfers[i];
	return NULL;
}

void md_xfer_forget(md_model *m, uint64_t id)
{
	md_xfer *x = md_xfer_find(m, id);
	size_t i;
	if (!x || !md_xfer_state_final(x->state))
		return;
	i = (size_t)(x - m->xfers);
	md_xfer_clear(x);
	memmove(&m->xfers[i], &m->xfers[i + 1], (m->nxfers - i - 1) * sizeof(*m->xfers));
	m->nxfers--;
	m->gen++;
}

/* MD_MSG_XFER: insert or replace by id. */
static int md_apply_xfer(md_model *m, const md_msg *msg)
{
	const md_xfer *src = msg->ext;
	md_xfer *x;
	bool was_final = false;
	if (!src)
		return 0;
	if ((x = md_xfer_find(m, src->id)) != NULL) {
		was_final = md_xfer_state_final(x->state);
		md_xfer_clear(x);
	} else {
		m->xfers = xrealloc(m->xfers, (m->nxfers + 1) * sizeof(*m->xfers));
		x = &m->xfers[m->nxfers++];
	}
	md_xfer_copy(x, src);
	m->gen++;
	/* a transfer that ends (also in the background) says how in the
	 * status line, once */
	if (md_xfer_state_final(src->state) && !was_final)
		md_set_status(m, src->state == MD_XFER_FAILED, "%s", src->text ? src->text : md_xfer_state_name(src->state));
	/* STATUS: the UI redraws the status bar and its dialogs (progress) */
	return MD_DIRTY_XFER | MD_DIRTY_STATUS;
}

void md_set_status(md_model *m, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(m->status);
	m->status = xvasprintf(fmt, ap);
	va_end(ap);
	m->status_error = error;
	m->status_ms = core_now_ms();
	m->gen++;
}

static int md_apply_host_state(md_host *h, md_msg *msg)
{
	int was = h->conn;
	bool was_open = was == MD_CONN_CONNECTING && !h->waiting;
	h->conn = msg->conn;
	h->waiting = msg->conn == MD_CONN_CONNECTING && msg->waiting;
	if (h->conn == MD_CONN_CONNECTING && !h->waiting && !was_open)
		h->open_since_ms = core_now_ms();
	h->stalled = msg->conn == MD_CONN_FAILED && msg->stalled;
	if (was == MD_CONN_CONNECTED && h->conn != MD_CONN_CONNECTED)
		h->drops++;
	h->retry_s = msg->retry_s;
	core_str_set(&h->error, msg->text);
	if (msg->hostname) {
		core_str_set(&h->hostname, msg->hostname);
	}
	if (h->conn == MD_CONN_CONNECTED)
		core_str_set(&h->via, msg->via);
	if (h->conn == MD_CONN_CONNECTING && was != MD_CONN_CONNECTING)
		h->listed = false;
	/* A host that is not connected keeps its last lists (greyed by the UI),
	 * so that nothing the user was looking at vanishes on a blip. */
	return MD_DIRTY_TREE | MD_DIRTY_LIST | MD_DIRTY_STATUS;
}

/* Uptime: keep what we knew of when a VM started while it stays active;
 * stamp "now" when we see it become active; forget it when it stops. */
static void md_carry_start(md_vm *nv, const md_vm *old)
{
	bool now_active = md_vm_state_active(nv->state);
	if (!now_active) {
		nv->started_wall = 0;
		return;
	}
	if (nv->started_wall)
		return;
	if (old && md_vm_state_active(old->state))
		nv->started_wall = old->started_wall;
	else if (old)
		nv->started_wall = core_wall_s();
}

/* Live figures stay with a VM that stays active until the next tick. */
static void md_carry_rate(md_vm *nv, const md_vm *old)
{
	if (old && md_vm_state_active(nv->state))
		nv->rate = old->rate;
	else
		memset(&nv->rate, 0, sizeof(nv->rate));
}

static int md_stats_vm_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const core_stats_vm *)elem)->uuid);
}

/* One tick of a host: O(n log n) by uuid, whatever order the VMs are in. */
static int md_apply_stats(md_host *h, const md_msg *msg)
{
	const core_stats_tick *t = msg->ext;
	if (!t)
		return 0;
	if (!h->live)
		h->live = core_stats_store_new();
	core_stats_store_apply(h->live, t);
	for (size_t i = 0; i < h->nvms; i++) {
		md_vm *v = &h->vms[i];
		const core_stats_vm *r = t->nvms ? bsearch(v->uuid, t->vms, t->nvms, sizeof(*t->vms),
							   md_stats_vm_cmp) : NULL;
		if (r)
			v->rate = r->rate;
		else
			memset(&v->rate, 0, sizeof(v->rate));
	}
	return MD_DIRTY_LIVE;
}

static bool md_vms_sorted(const md_vm *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i - 1].uuid, v[i].uuid) > 0)
			return false;
	return true;
}

static int md_vm_uuid_cmp(const void *a, const void *b)
{
	return strcmp(((const md_vm *)a)->uuid, ((const md_vm *)b)->uuid);
}

static int md_apply_vm_update(md_host *h, md_msg *msg)
{
	md_vm *v;
	if (msg->nvms < 1)
		return 0;
	v = md_vm_find(h, msg->vms[0].uuid);
	if (!v && h->listed && md_vm_state_active(msg->vms[0].state) && !msg->vms[0].started_wall)
		msg->vms[0].started_wall = core_wall_s(); /* a new VM, seen starting */
	md_carry_start(&msg->vms[0], v);
	md_carry_rate(&msg->vms[0], v);
	if (v) {
		md_vm_clear(v);
		*v = msg->vms[0];
	} else {
		xgrow(&h->vms, &h->cap_vms, h->nvms + 1, sizeof(*h->vms));
		h->vms[h->nvms++] = msg->vms[0];
	}
	/* The name now belongs to the model. */
	msg->vms[0].name = NULL;
	return MD_DIRTY_LIST | MD_DIRTY_TREE;
}

/* MD_MSG_VM_PATCH: a change applied, its fields set (no re-read). */
static int md_apply_vm_patch(md_host *h, const md_msg *msg)
{
	md_vm *v = msg->nvms ? md_vm_find(h, msg->uuid) : NULL;
	const md_vm *p = msg->vms;
	if (!v)
		return 0;
	if (msg->count & MD_VMF_MEM)
		v->mem_kib = p->mem_kib;
	if (msg->count & MD_VMF_MAXMEM)
		v->maxmem_kib = p->maxmem_kib;
	if (msg->count & MD_VMF_VCPUS)
		v->vcpus = p->vcpus;
	if (msg->count & MD_VMF_AUTOSTART)
		v->autostart = p->autostart;
	return MD_DIRTY_LIST;
}

static int md_set_agent(md_host *h, const char *uuid, int agent)
{
	md_vm *v = md_vm_find(h, uuid);
	if (!v || v->agent == agent)
		return 0;
	v->agent = agent;
	return MD_DIRTY_LIST;
}

static int md_apply_vm_agent(md_host *h, const md_msg *msg)
{
	const md_agent_state *st = msg->ext;
	int dirty = 0;
	if (!st)
		return md_set_agent(h, msg->uuid, msg->count);
	/* a batch, sorted by uuid as the backend reads them: one walk beside
	 * the list sorted by uuid (10,000 VMs: no search per VM) */
	if (h->nvms && !md_vms_sorted(h->vms, h->nvms))
		qsort(h->vms, h->nvms, sizeof(*h->vms), md_vm_uuid_cmp);
	for (size_t i = 0, k = 0; i < msg->next; i++) {
		int c = 1;
		if (i && strcmp(st[i - 1].uuid, st[i].uuid) > 0)
			k = 0; /* not sorted after all: from the start again */
		while (k < h->nvms && (c = strcmp(h->vms[k].uuid, st[i].uuid)) < 0)
			k++;
		if (k < h->nvms && c == 0 && h->vms[k].agent != st[i].agent) {
			h->vms[k].agent = st[i].agent;
			dirty = MD_DIRTY_LIST;
		}
	}
	return dirty;
}

static int md_apply_vm_removed(md_host *h, const md_msg *msg)
{
	for (size_t i = 0; i < h->nvms; i++) {
		if (strcmp(h->vms[i].uuid, msg->uuid) == 0) {
			md_vm_clear(&h->vms[i]);
			memmove(&h->vms[i], &h->vms[i + 1], (h->nvms - i - 1) * sizeof(*h->vms));
			h->nvms--;
			return MD_DIRTY_LIST | MD_DIRTY_TREE;
		}
	}
	return 0;
}

int md_apply(md_model *m, md_msg *msg)
{
	md_host *h = md_host_get(m, msg->host_id);
	int dirty = 0;

	if (msg->type == MD_MSG_OP_RESULT) {
		if (msg->text)
			md_set_status(m, !msg->ok, "%s", msg->text);
		return MD_DIRTY_STATUS;
	}
	if (msg->type == MD_MSG_XFER)
		return md_apply_xfer(m, msg); /* kept after its host is removed */
	if (!h)
		return 0; /* a late message for a host that was removed */

	switch (msg->type) {
	case MD_MSG_HOST_STATE:
		dirty = md_apply_host_state(h, msg);
		break;
	case MD_MSG_HOST_BUSY:
		if (h->busy == 0 && msg->count > 0)
			h->busy_since_ms = core_now_ms();
		h->busy += msg->count;
		if (h->busy < 0)
			h->busy = 0;
		dirty = MD_DIRTY_TREE;
		break;
	case MD_MSG_VM_LIST:
		/* the backend posts lists sorted by uuid: then the old and the
		 * new list are walked side by side (10,000 VMs: no sort, no
		 * search on the UI thread) */
		if (h->nvms && !md_vms_sorted(h->vms, h->nvms))
			qsort(h->vms, h->nvms, sizeof(*h->vms), md_vm_uuid_cmp);
		if (md_vms_sorted(msg->vms, msg->nvms)) {
			size_t k = 0;
			for (size_t i = 0; i < msg->nvms; i++) {
				const md_vm *old = NULL;
				while (k < h->nvms && strcmp(h->vms[k].uuid, msg->vms[i].uuid) < 0)
					k++;
				if (k < h->nvms && strcmp(h->vms[k].uuid, msg->vms[i].uuid) == 0)
					old = &h->vms[k];
				md_carry_start(&msg->vms[i], old); /* also on the first list */
				md_carry_rate(&msg->vms[i], old);
			}
		} else {
			for (size_t i = 0; i < msg->nvms; i++) {
				const md_vm *old = h->nvms ? bsearch(&msg->vms[i], h->vms, h->nvms,
								     sizeof(*h->vms), md_vm_uuid_cmp) : NULL;
				md_carry_start(&msg->vms[i], old);
				md_carry_rate(&msg->vms[i], old);
			}
		}
		md_free_vms(&h->vms, &h->nvms);
		h->vms = msg->vms;
		h->nvms = msg->nvms;
		h->cap_vms = msg->nvms;
		msg->vms = NULL;
		msg->nvms = 0;
		h->listed = true;
		dirty = MD_DIRTY_LIST | MD_DIRTY_TREE;
		break;
	case MD_MSG_VM_UPDATE:
		dirty = md_apply_vm_update(h, msg);
		break;
	case MD_MSG_VM_REMOVED:
		dirty = md_apply_vm_removed(h, msg);
		break;
	case MD_MSG_VM_PATCH:
		dirty = md_apply_vm_patch(h, msg);
		break;
	case MD_MSG_NET_LIST:
		md_free_nets(&h->nets, &h->nnets);
		h->nets = msg->nets;
		h->nnets = msg->nnets;
		msg->nets = NULL;
		msg->nnets = 0;
		dirty = MD_DIRTY_TREE | MD_DIRTY_LIST;
		break;
	case MD_MSG_POOL_LIST:
		md_free_pools(&h->pools, &h->npools);
		h->pools = msg->pools;
		h->npools = msg->npools;
		msg->pools = NULL;
		msg->npools = 0;
		dirty = MD_DIRTY_TREE | MD_DIRTY_LIST;
		break;
	case MD_MSG_POOL_UPDATE:
		dirty = md_apply_pool_update(h, msg);
		break;
	case MD_MSG_VM_DISKS:
		dirty = 0; /* consumed by the UI's dialog, not the model */
		break;
	case MD_MSG_VM_AGENT:
		dirty = md_apply_vm_agent(h, msg);
		break;
	case MD_MSG_STATS:
		dirty = md_apply_stats(h, msg);
		break;
	case MD_MSG_DOMCAPS:
		if (!msg->ext || msg->ext_free != core_domcaps_free_void)
			break;
		core_domcaps_free(&h->domcaps);
		h->domcaps = msg->ext;
		msg->ext = NULL;
		dirty = MD_DIRTY_TREE; /* nothing drawn changes; h->gen tells the wizard */
		break;
	case MD_MSG_HOST_CAPS:
		if (msg->text)
			core_str_set(&h->driver, msg->text);
		h->nosup = (unsigned)msg->count & MD_CAP__ALL;
		dirty = MD_DIRTY_TREE; /* the tree shows the driver; actions grey */
		break;
	default:
		break;
	}
	if (dirty) {
		h->gen++;
		m->gen++;
		/* an agent event re-sorts the list; the batch of states read
		 * after a long list only redraws it (10,000 rows: no rebuild) */
		if (msg->type == MD_MSG_VM_LIST || msg->type == MD_MSG_VM_UPDATE || msg->type == MD_MSG_VM_REMOVED ||
		    msg->type == MD_MSG_VM_PATCH || (msg->type == MD_MSG_VM_AGENT && !msg->ext))
			h->vms_gen++;
		else if (msg->type == MD_MSG_NET_LIST)
			h->nets_gen++;
		else if (msg->type == MD_MSG_POOL_LIST || msg->type == MD_MSG_POOL_UPDATE)
			h->pools_gen++;
	}
	return dirty;
}
