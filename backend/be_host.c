/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_host.c - a host: its job queue (run by the worker pool,
 * be_pool.c, one step at a time), connecting with paced slots and jittered
 * backoff, keepalive, the close callback, events, lost connections. */
#include "be_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "../core/hosturi.h"
#include "../core/log.h"
#include "../core/prompt.h"
#include "../core/util.h"
#include "../remote/rm_ssh.h"
#include "be_domcaps.h"
#include "be_storage.h"

static const int be_backoff_s[] = { 1, 2, 4, 8, 16, 30 };

/* ---- references ---------------------------------------------------------- */

void be_host_ref(be_host *h)
{
	__atomic_add_fetch(&h->refs, 1, __ATOMIC_SEQ_CST);
}

static void be_job_free(be_job **jp)
{
	be_job *j = *jp;
	if (!j)
		return;
	for (size_t i = 0; i < j->npaths; i++)
		free(j->paths[i]);
	free(j->paths);
	if (j->arg && j->arg_free)
		j->arg_free(j->arg);
	free(j);
	*jp = NULL;
}

void be_host_unref(be_host **hp)
{
	be_host *h = *hp;
	*hp = NULL;
	if (!h || __atomic_sub_fetch(&h->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	while (h->head) {
		be_job *j = h->head;
		h->head = j->next;
		be_job_free(&j);
	}
	free(h->uri);
	free(h->open_uri);
	free(h->dead_reason);
	be_agent_free(&h->agent);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->done_cond);
	free(h);
	be_live_hosts_add(-1);
}

static void be_host_unref_cb(void *opaque)
{
	be_host *h = opaque;
	be_host_unref(&h);
}

/* ---- job queue ----------------------------------------------------------- */

/* A re-read an event asked for (the lists; nothing waits for it). */
static bool be_job_reread(const be_job *j)
{
	return j->op == BE_JOB_VM_EVENT || j->op == BE_JOB_NETS_EVENT || j->op == BE_JOB_POOLS_EVENT;
}

/* Any other job goes ahead of the re-reads queued: far away a pool list
 * costs seconds, and a wizard's next step must not wait behind it. */
static void be_queue_push(be_host *h, be_job *j)
{
	be_job **p = &h->head;
	if (!be_job_reread(j))
		while (*p && !be_job_reread(*p))
			p = &(*p)->next;
	else
		p = h->tail ? &h->tail->next : &h->head;
	j->next = *p;
	*p = j;
	if (!j->next)
		h->tail = j;
	if (!h->done)
		be_pool_kick(h);
}

/* The steps a wizard's Finish runs one after the other (the next one is
 * submitted when the UI has this one's result). */
static bool be_op_chained(int op)
{
	static const int ops[] = { BE_OP_VOL_CREATE, BE_OP_VOL_CLONE, BE_OP_VOL_RESIZE, BE_OP_DEFINE,
				   BE_OP_START,      BE_OP_NET_START, BE_OP_INSTALL_PREP, BE_OP_INSTALL_START };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i] == op)
			return true;
	return false;
}

/* The head is a re-read held back: a wizard's step ended a moment ago and
 * the next one (submitted when the UI has the result) is likely on its
 * way; it goes first (be_queue_push). */
static bool be_reread_held(const be_host *h, int64_t now)
{
	return h->head && be_job_reread(h->head) && now < h->reread_hold_ms;
}

static be_job *be_queue_pop(be_host *h)
{
	be_job *j = h->head;
	if (j) {
		h->head = j->next;
		if (!h->head)
			h->tail = NULL;
		j->next = NULL;
	}
	return j;
}

/* Internal job from an event callback; an equal one already queued wins. */
static void be_queue_event(be_host *h, int op, const char *uuid)
{
	be_job *j;
	pthread_mutex_lock(&h->lock);
	for (j = h->head; j; j = j->next)
		if (j->op == op && (!uuid || strcmp(j->uuid, uuid) == 0))
			break;
	if (!j && !h->stop) {
		j = xcalloc(1, sizeof(*j));
		j->op = op;
		if (uuid)
			snprintf(j->uuid, sizeof(j->uuid), "%s", uuid);
		be_queue_push(h, j);
	}
	pthread_mutex_unlock(&h->lock);
}

void be_host_queue_event(be_host *h, int op)
{
	be_queue_event(h, op, NULL);
}

void be_host_queue_vm_event(be_host *h, int op, const char *uuid)
{
	be_queue_event(h, op, uuid);
}

bool be_host_push_job(be_host *h, be_job *j)
{
	pthread_mutex_lock(&h->lock);
	if (h->stop) {
		pthread_mutex_unlock(&h->lock);
		be_job_free(&j);
		return false;
	}
	be_queue_push(h, j);
	pthread_mutex_unlock(&h->lock);
	return true;
}

static uint64_t be_host_submit_arg2(be_host *h, int op, const char *uuid, char *const *paths,
				    size_t npaths, void *arg, void (*arg_free)(void *))
{
	be_job *j = xcalloc(1, sizeof(*j));
	uint64_t seq;

	j->arg = arg;
	j->arg_free = arg_free;
	j->op = op;
	if (uuid)
		snprintf(j->uuid, sizeof(j->uuid), "%s", uuid);
	if (paths && npaths) {
		j->paths = xcalloc(npaths, sizeof(*j->paths));
		for (size_t i = 0; i < npaths; i++)
			j->paths[i] = xstrdup(paths[i]);
		j->npaths = npaths;
	}
	pthread_mutex_lock(&h->lock);
	seq = j->seq = ++h->next_seq;
	be_queue_push(h, j);
	pthread_mutex_unlock(&h->lock);
	return seq;
}

uint64_t be_host_submit(be_host *h, int op, const char *uuid, char *const *paths, size_t npaths)
{
	return be_host_submit_arg2(h, op, uuid, paths, npaths, NULL, NULL);
}

uint64_t be_host_submit_arg(be_host *h, int op, const char *uuid, void *arg,
			    void (*arg_free)(void *))
{
	return be_host_submit_arg2(h, op, uuid, NULL, 0, arg, arg_free);
}

/* ---- callbacks (event-loop thread: no libvirt calls that reach the host) -- */

static void be_on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
			    void *opaque)
{
	char uuid[VIR_UUID_STRING_BUFLEN];
	/* virDomainGetUUIDString reads the handle: no round trip. */
	if (virDomainGetUUIDString(dom, uuid) == 0) {
		be_queue_event(opaque, BE_JOB_VM_EVENT, uuid);
		be_agent_lifecycle(opaque, uuid, event, detail);
	}
}

static void be_on_net(virConnectPtr conn, virNetworkPtr net, int event, int detail, void *opaque)
{
	be_queue_event(opaque, BE_JOB_NETS_EVENT, NULL);
}

static void be_on_pool(virConnectPtr conn, virStoragePoolPtr pool, int event, int detail,
		       void *opaque)
{
	be_queue_event(opaque, BE_JOB_POOLS_EVENT, NULL);
}

/* A VM's hardware moved (device added or removed, tray, balloon): views
 * of its hardware (Settings) read it again. No round trip here. */
static void be_post_devices(be_host *h, virDomainPtr dom, int event, uint64_t value)
{
	md_msg *m = md_msg_new(MD_MSG_VM_DEVICES, h->id);
	m->value = value;
	if (virDomainGetUUIDString(dom, m->uuid) < 0) {
		md_msg_free(&m);
		return;
	}
	m->count = event;
	be_post(m);
}

static void be_on_device(virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
	be_post_devices(opaque, dom, VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, 0);
}

static void be_on_tray(virConnectPtr conn, virDomainPtr dom, const char *alias, int reason, void *opaque)
{
	be_post_devices(opaque, dom, VIR_DOMAIN_EVENT_ID_TRAY_CHANGE, 0);
}

static void be_on_balloon(virConnectPtr conn, virDomainPtr dom, unsigned long long actual, void *opaque)
{
	be_post_devices(opaque, dom, VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE, actual);
}

static const char *be_close_reason(int reason)
{
	switch (reason) {
	case VIR_CONNECT_CLOSE_REASON_ERROR: return "connection error";
	case VIR_CONNECT_CLOSE_REASON_EOF: return "connection closed by the host";
	case VIR_CONNECT_CLOSE_REASON_KEEPALIVE: return "host stopped answering (keepalive timeout)";
	case VIR_CONNECT_CLOSE_REASON_CLIENT: return "connection closed";
	}
	return "connection lost";
}

static void be_on_close(virConnectPtr conn, int reason, void *opaque)
{
	be_host_mark_dead(opaque, be_close_reason(reason));
}

void be_host_mark_dead(be_host *h, const char *reason)
{
	pthread_mutex_lock(&h->lock);
	if (!h->dead) {
		h->dead = true;
		core_str_set(&h->dead_reason, reason);
		if (!h->done)
			be_pool_kick(h);
	}
	pthread_mutex_unlock(&h->lock);
}

/* A failed call: system and RPC errors can come from the far side of a
 * healthy connection (a guest's missing log socket), so the client's own
 * view of the connection decides. */
void be_host_check_conn(be_host *h, int code, const char *msg)
{
	if (!h->conn)
		return;
	if (code == VIR_ERR_NO_CONNECT || code == VIR_ERR_INVALID_CONN ||
	    virConnectIsAlive(h->conn) != 1)
		be_host_mark_dead(h, msg);
}

int be_host_fail(be_host *h, char **err)
{
	int code;
	*err = be_last_error(&code);
	be_host_check_conn(h, code, *err);
	return -1;
}

/* ---- connection ---------------------------------------------------------- */

static void be_post_state(be_host *h, int conn, const char *text, int retry_s, char *hostname)
{
	md_msg *m = md_msg_new(MD_MSG_HOST_STATE, h->id);
	m->conn = conn;
	m->text = xstrdup(text);
	m->retry_s = retry_s;
	m->hostname = hostname;
	if (conn == MD_CONN_CONNECTED)
		m->via = be_ssh_via(h);
	be_post(m);
}

int64_t be_backoff_ms(int attempt, uint32_t rnd)
{
	int n = (int)CORE_ARRAY_LEN(be_backoff_s);
	int64_t base = be_backoff_s[attempt < 0 ? 0 : attempt < n ? attempt : n - 1] * 1000LL;
	/* 50 % + rnd's share of 100 % */
	return base / 2 + (int64_t)((double)base * ((double)rnd / (double)UINT32_MAX));
}

static uint32_t be_random(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static uint64_t state;
	uint64_t x;
	pthread_mutex_lock(&lock);
	if (!state) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^ 1;
	}
	/* xorshift64* */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	x = state * 0x2545F4914F6CDD1DULL;
	pthread_mutex_unlock(&lock);
	return (uint32_t)(x >> 32);
}

/* Schedule the next attempt, jittered; returns its delay in whole seconds
 * (rounded up: what the tree counts down). */
static int be_schedule_retry(be_host *h)
{
	int64_t ms = be_backoff_ms(h->backoff, be_random());
	h->backoff++;
	h->retry_at_ms = core_now_ms() + ms;
	return (int)((ms + 999) / 1000);
}

static void be_register_callbacks(be_host *h)
{
	be_host_ref(h);
	h->cb_dom = virConnectDomainEventRegisterAny(h->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
						     VIR_DOMAIN_EVENT_CALLBACK(be_on_lifecycle),
						     h, be_host_unref_cb);
	if (h->cb_dom < 0)
		be_host_unref_cb(h);
	be_host_ref(h);
	h->cb_net = virConnectNetworkEventRegisterAny(h->conn, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
						      VIR_NETWORK_EVENT_CALLBACK(be_on_net),
						      h, be_host_unref_cb);
	if (h->cb_net < 0)
		be_host_unref_cb(h);
	be_host_ref(h);
	h->cb_pool = virConnectStoragePoolEventRegisterAny(h->conn, NULL,
							   VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
							   VIR_STORAGE_POOL_EVENT_CALLBACK(be_on_pool),
							   h, be_host_unref_cb);
	if (h->cb_pool < 0)
		be_host_unref_cb(h);
	{
		static const int ids[] = { VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
					   VIR_DOMAIN_EVENT_ID_TRAY_CHANGE, VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE };
		const virConnectDomainEventGenericCallback cbs[] = {
			VIR_DOMAIN_EVENT_CALLBACK(be_on_device), VIR_DOMAIN_EVENT_CALLBACK(be_on_device),
			VIR_DOMAIN_EVENT_CALLBACK(be_on_tray), VIR_DOMAIN_EVENT_CALLBACK(be_on_balloon) };
		for (size_t i = 0; i < CORE_ARRAY_LEN(ids); i++) {
			be_host_ref(h);
			h->cb_devs[i] = virConnectDomainEventRegisterAny(h->conn, NULL, ids[i], cbs[i], h,
									 be_host_unref_cb);
			if (h->cb_devs[i] < 0)
				be_host_unref_cb(h);
		}
	}
	be_agent_register(h, be_host_unref_cb);
	/* Drivers without close callbacks accept it and never free it: keep
	 * this reference ourselves and drop it after unregistering. */
	be_host_ref(h);
	h->cb_close = virConnectRegisterCloseCallback(h->conn, be_on_close, h, NULL) == 0;
	if (!h->cb_close)
		be_host_unref_cb(h);
}

static void be_unregister_callbacks(be_host *h)
{
	if (h->cb_dom >= 0)
		virConnectDomainEventDeregisterAny(h->conn, h->cb_dom);
	if (h->cb_net >= 0)
		virConnectNetworkEventDeregisterAny(h->conn, h->cb_net);
	if (h->cb_pool >= 0)
		virConnectStoragePoolEventDeregisterAny(h->conn, h->cb_pool);
	for (size_t i = 0; i < CORE_ARRAY_LEN(h->cb_devs); i++) {
		if (h->cb_devs[i] >= 0)
			virConnectDomainEventDeregisterAny(h->conn, h->cb_devs[i]);
		h->cb_devs[i] = -1;
	}
	h->cb_dom = h->cb_net = h->cb_pool = -1;
	be_agent_unregister(h);
	if (h->cb_close) {
		virConnectUnregisterCloseCallback(h->conn, be_on_close);
		h->cb_close = false;
		be_host_unref_cb(h);
	}
}

/* The connection other threads may borrow (be_host_conn_get). */
static void be_conn_publish(be_host *h, virConnectPtr conn)
{
	pthread_mutex_lock(&h->lock);
	h->shared_conn = conn;
	if (conn)
		h->conn_gen++;
	pthread_mutex_unlock(&h->lock);
}

virConnectPtr be_host_conn_get(be_host *h, uint64_t *gen)
{
	virConnectPtr c = NULL;
	pthread_mutex_lock(&h->lock);
	if (h->shared_conn && !h->dead && !h->stop && virConnectRef(h->shared_conn) == 0) {
		c = h->shared_conn;
		if (gen)
			*gen = h->conn_gen;
	}
	pthread_mutex_unlock(&h->lock);
	return c;
}

bool be_host_stopping(be_host *h)
{
	bool r;
	pthread_mutex_lock(&h->lock);
	r = h->stop;
	pthread_mutex_unlock(&h->lock);
	return r;
}

static void be_conn_close(be_host *h)
{
	be_console_host_closing(h);
	be_graphics_host_closing(h);
	be_devices_host_closing(h);
	h->probes_due = false;
	if (!h->conn)
		return;
	be_conn_publish(h, NULL);
	be_unregister_callbacks(h);
	virConnectClose(h->conn);
	h->conn = NULL;
	pthread_mutex_lock(&h->lock);
	h->dead = false;
	pthread_mutex_unlock(&h->lock);
}

/* The URI libvirt settled on ("" opens the default one); no round trip. */
static bool be_uri_is_local_qemu_system(virConnectPtr conn)
{
	char *uri = virConnectGetURI(conn);
	size_t n = strlen("qemu:///system");
	bool r = uri && strncmp(uri, "qemu:///system", n) == 0 && (uri[n] == '\0' || uri[n] == '?');
	free(uri);
	return r;
}

/* Over a network: ssh://, a libvirt transport (qemu+ssh://), or a URI
 * with a host part (esx://user@HOST/, qemu://HOST/system: client-side
 * drivers and TLS), unlike qemu:///system. */
bool be_conn_is_remote(const be_host *h)
{
	const char *t = strstr(h->uri, "://");
	return h->ssh || (t && memchr(h->uri, '+', (size_t)(t - h->uri))) || (t && t[3] && t[3] != '/');
}

/* Everything the UI shows; on a lost connection the worker notices it. */
static int be_refresh_all(be_host *h, char **err)
{
	if (be_list_vms(h, err) < 0)
		return -1;
	if (be_list_nets(h, err) < 0)
		return -1;
	return be_list_pools(h, err);
}

/* What a new domain can have there (the New VM wizard's offers): once per
 * connection, after the lists the user waits for (2-4 round trips). */
static void be_post_domcaps(be_host *h)
{
	md_msg *m = md_msg_new(MD_MSG_DOMCAPS, h->id);
	int64_t t0 = core_now_ms();
	core_domcaps *c = be_domcaps_read(h->conn);
	core_log("host", "%s: domain capabilities in %lld ms: kvm %s, qemu %s%s%s", h->uri,
		 (long long)(core_now_ms() - t0), c->kvm.present ? "yes" : "no", c->qemu.present ? "yes" : "no",
		 c->error ? ": " : "", c->error ? c->error : "");
	m->ext = c;
	m->ext_free = core_domcaps_free_void;
	be_post(m);
}

static void be_deadline(struct timespec *ts, int64_t at_ms)
{
	core_timespec_in(ts, CLOCK_MONOTONIC, at_ms - core_now_ms());
}

/* ---- connect pacing and descriptors ---------------------------------------- */

/* Connects in flight are paced per destination (an ssh:// host's
 * address:port, a libvirt URI's host part, "" for local daemons): at most
 * $VMMC_CONNECT_MAX (default 8: sshd's default MaxStartups drops the 11th
 * concurrent unauthenticated login, and MaxStartups is per server) to one
 * destination - an ssh:// host leaves its destination's slot once logged
 * in (be_pace_authenticated), the forward and libvirt's open do not count
 * there - at most $VMMC_CONNECT_TOTAL (default 64) in all - a fleet
 * is many servers, each with its own limit (1-1000 each). A login is
 * round trips, not CPU: 1000 ssh:// hosts on the bench's 10 sshds
 * (tests/bench/hosts.sh) connected in 19.5-20.3 s with 32 in flight,
 * 15.5-16.7 s with 64 (two cores about half busy with 32), keys answered
 * alike. */
#define BE_CONNECT_MAX_DEFAULT 8
#define BE_CONNECT_TOTAL_DEFAULT 64
struct be_pace_dest {
	char *key;
	int busy;                                /* slots in use (granted included) */
	int waiting;                             /* hosts in line for it */
};
static pthread_mutex_t be_pace_lock = PTHREAD_MUTEX_INITIALIZER;
static int be_pace_busy, be_pace_max, be_pace_total;
static struct be_pace_dest *be_pace_dests;
static size_t be_pace_ndests, be_pace_cap;
static be_host *be_pace_head, *be_pace_tail; /* hosts waiting, each with a reference */
static be_host *be_held_head;                /* setups waiting for the line (be_setup_held), each with a reference */

static int be_pace_env(const char *name, int def)
{
	const char *e = getenv(name);
	long v = e && *e ? strtol(e, NULL, 10) : 0;
	return v >= 1 && v <= 1000 ? (int)v : def;
}

static int be_connect_max_locked(void)
{
	if (!be_pace_max) {
		be_pace_max = be_pace_env("VMMC_CONNECT_MAX", BE_CONNECT_MAX_DEFAULT);
		be_pace_total = be_pace_env("VMMC_CONNECT_TOTAL", BE_CONNECT_TOTAL_DEFAULT);
		if (be_pace_total < be_pace_max)
			be_pace_total = be_pace_max;
	}
	return be_pace_max;
}

int be_connect_total(void)
{
	int r;
	pthread_mutex_lock(&be_pace_lock);
	be_connect_max_locked();
	r = be_pace_total;
	pthread_mutex_unlock(&be_pace_lock);
	return r;
}

/* h's destination, in key (no round trip, no lookup: as written) */
static void be_pace_key(const be_host *h, char *key, size_t len)
{
	const char *a, *e;
	if (h->ssh) {
		snprintf(key, len, "ssh:%s:%d", h->ssh->host ? h->ssh->host : "", h->ssh->port);
		return;
	}
	a = strstr(h->uri, "://");
	a = a ? a + 3 : h->uri;
	e = a + strcspn(a, "/?");
	if (memchr(a, '@', (size_t)(e - a)))
		a = (const char *)memchr(a, '@', (size_t)(e - a)) + 1;
	snprintf(key, len, "%.*s", (int)(e - a), a);
}

/* h's destination as a number, for the pool's per-server limit (FNV-1a of
 * be_pace_key: two servers that share one share a limit) */
static uint32_t be_dest_hash(const be_host *h)
{
	char key[300];
	uint32_t d = 2166136261u;
	be_pace_key(h, key, sizeof(key));
	for (const char *c = key; *c; c++)
		d = (d ^ (unsigned char)*c) * 16777619u;
	return d;
}

/* pace lock: the destination of that key (made when new) */
static struct be_pace_dest *be_pace_dest_of(const char *key)
{
	for (size_t i = 0; i < be_pace_ndests; i++)
		if (strcmp(be_pace_dests[i].key, key) == 0)
			return &be_pace_dests[i];
	xgrow(&be_pace_dests, &be_pace_cap, be_pace_ndests + 1, sizeof(*be_pace_dests));
	be_pace_dests[be_pace_ndests] = (struct be_pace_dest){ xstrdup(key), 0, 0 };
	return &be_pace_dests[be_pace_ndests++];
}

/* pace lock: a slot free for d */
static bool be_pace_room(const struct be_pace_dest *d)
{
	return d->busy < be_connect_max_locked() && be_pace_busy < be_pace_total;
}

/* A connect slot for h (worker), or false: h waits in line, posted as
 * "waiting", and never holds a worker meanwhile: be_pace_give hands it the
 * next slot free for its destination and queues its step. */
static bool be_pace_take(be_host *h)
{
	bool granted;
	int busy;
	char key[300];

	pthread_mutex_lock(&h->lock);
	granted = h->pace_granted;
	h->pace_granted = false;
	pthread_mutex_unlock(&h->lock);
	if (granted)
		return true;
	be_pace_key(h, key, sizeof(key));
	pthread_mutex_lock(&be_pace_lock);
	struct be_pace_dest *d = be_pace_dest_of(key);
	if (!d->waiting && be_pace_room(d)) {
		d->busy++;
		be_pace_busy++;
		h->pace_dest = true;
		pthread_mutex_unlock(&be_pace_lock);
		return true;
	}
	busy = d->busy;
	if (!h->pace_queued) {
		be_host_ref(h);
		h->pace_queued = true;
		h->pace_next = NULL;
		d->waiting++;
		if (be_pace_tail)
			be_pace_tail->pace_next = h;
		else
			be_pace_head = h;
		be_pace_tail = h;
	}
	pthread_mutex_unlock(&be_pace_lock);
	core_log("host", "%s: waiting (%d connects in flight to it, %d in all)", h->uri, busy, be_pace_busy);
	h->retry_at_ms = 0; /* the slot, not the clock, brings it back */
	md_msg *m = md_msg_new(MD_MSG_HOST_STATE, h->id);
	m->conn = MD_CONN_CONNECTING;
	m->waiting = true;
	be_post(m);
	return false;
}

/* pace lock: w out of the line (prev: the host before it, NULL: head) */
static void be_pace_unlink(be_host *w, be_host *prev)
{
	if (prev)
		prev->pace_next = w->pace_next;
	else
		be_pace_head = w->pace_next;
	if (be_pace_tail == w)
		be_pace_tail = prev;
	w->pace_next = NULL;
	w->pace_queued = false;
}

/* ---- setups after the logins ----------------------------------------------
 * A connected host's setup (lists, events: about 10 calls, each work for
 * the daemon and for vmmc) is its next step. In a connect storm the setups
 * of hosts nobody looks at would share the CPU and the workers with the
 * logins still in line (on one daemon and one machine, 1000 hosts' setups
 * cost libvirtd about as much as their opens): while hosts wait in line
 * and every connect slot is taken, an off-screen host's setup waits
 * (be_setup_held); once the line is empty, or its hosts wait only for
 * their own server's slots, they all go. The host on screen,
 * or one selected meanwhile (be_host_watch), and batch mode's lists do not
 * wait. Its jobs wait with it: a user's action is on a selected host. */

/* pace lock: hosts wait in line and every connect slot is taken (not:
 * the line waits only for a slow server's own slots) */
static bool be_pace_line_full_locked(void)
{
	be_connect_max_locked();
	return be_pace_head && be_pace_busy >= be_pace_total;
}

/* h->lock (be_host_next): h's setup waits for the line; h joins the held */
static bool be_setup_held(be_host *h)
{
	bool held;
	if ((h->flags & BE_HOST_LISTS_ONLY) || !be_pool_unwatched(h))
		return false;
	pthread_mutex_lock(&be_pace_lock);
	held = be_pace_line_full_locked();
	if (held && !h->setup_held) {
		be_host_ref(h);
		h->setup_held = true;
		h->held_next = be_held_head;
		be_held_head = h;
	}
	pthread_mutex_unlock(&be_pace_lock);
	return held;
}

/* pace lock, released here: once the line is not full, the held setups
 * are queued */
static void be_setup_release_locked(void)
{
	be_host *h = be_pace_line_full_locked() ? NULL : be_held_head;
	int n = 0;

	if (h)
		be_held_head = NULL;
	for (be_host *w = h; w; w = w->held_next, n++)
		w->setup_held = false;
	pthread_mutex_unlock(&be_pace_lock);
	if (n)
		core_log("host", "connect slots free: the setup steps of %d hosts now", n);
	while (h) {
		be_host *next = h->held_next;
		h->held_next = NULL;
		pthread_mutex_lock(&h->lock);
		if (!h->stop && !h->done)
			be_pool_kick(h);
		pthread_mutex_unlock(&h->lock);
		be_host_unref(&h);
		h = next;
	}
}

/* pace lock: h out of the held (its reference: the caller's to drop) */
static bool be_setup_unhold_locked(be_host *h)
{
	if (!h->setup_held)
		return false;
	for (be_host **p = &be_held_head; *p; p = &(*p)->held_next)
		if (*p == h) {
			*p = h->held_next;
			break;
		}
	h->held_next = NULL;
	h->setup_held = false;
	return true;
}

/* pace lock, released here: slots free, to the first hosts in line with
 * room at their destination (their steps are queued). */
static void be_pace_hand_locked(void)
{
	for (;;) {
		be_host *w = NULL, *prev = NULL;
		char wkey[300];
		struct be_pace_dest *d = NULL;
		/* (all in flight: no walk down a line of a thousand) */
		for (w = be_pace_busy < be_pace_total ? be_pace_head : NULL; w; prev = w, w = w->pace_next) {
			be_pace_key(w, wkey, sizeof(wkey));
			d = be_pace_dest_of(wkey);
			if (be_pace_room(d))
				break;
		}
		if (!w) {
			be_setup_release_locked();
			return;
		}
		be_pace_unlink(w, prev);
		d->waiting--;
		d->busy++;
		be_pace_busy++;
		w->pace_dest = true;
		pthread_mutex_unlock(&be_pace_lock);
		pthread_mutex_lock(&w->lock);
		bool alive = !w->stop && !w->done;
		if (alive) {
			w->pace_granted = true;
			be_pool_kick_first(w); /* the slot waits for it */
		}
		pthread_mutex_unlock(&w->lock);
		be_host_unref(&w);
		pthread_mutex_lock(&be_pace_lock);
		if (!alive) {
			d->busy--; /* it is gone: the slot goes on */
			be_pace_busy--;
		}
	}
}

/* pace lock: h's destination slot, when it holds one, is free again */
static void be_pace_drop_dest_locked(be_host *h, const char *key)
{
	if (h->pace_dest) {
		be_pace_dest_of(key)->busy--;
		h->pace_dest = false;
	}
}

/* h's connect slot is free (its destination's too, when still held): to
 * the next hosts in line. */
static void be_pace_give(be_host *h, const char *key)
{
	pthread_mutex_lock(&be_pace_lock);
	be_pace_drop_dest_locked(h, key);
	be_pace_busy--;
	be_pace_hand_locked();
}

/* A login is authenticated: sshd's MaxStartups counts only logins not yet
 * authenticated, so the destination's slot goes on now and the rest of the
 * connect (the forward, libvirt's open) holds only a total slot: more of a
 * server's hosts past login at once, never more than $VMMC_CONNECT_MAX of
 * them logging in. */
void be_pace_authenticated(be_host *h)
{
	char key[300];
	int busy;

	be_pace_key(h, key, sizeof(key));
	pthread_mutex_lock(&be_pace_lock);
	if (!h->pace_dest) {
		pthread_mutex_unlock(&be_pace_lock);
		return;
	}
	be_pace_drop_dest_locked(h, key);
	busy = be_pace_dest_of(key)->busy;
	be_pace_hand_locked(); /* (unlocks) */
	core_log("host", "%s: logged in: its destination slot is free (%d logging in there)", h->uri, busy);
}

/* h's end: out of the line; a slot handed to it and not used goes on. */
static void be_pace_leave(be_host *h)
{
	bool granted, queued = false, held;
	char key[300];

	be_pace_key(h, key, sizeof(key));
	pthread_mutex_lock(&be_pace_lock);
	if (h->pace_queued) {
		be_host *prev = NULL;
		for (be_host *w = be_pace_head; w; prev = w, w = w->pace_next)
			if (w == h) {
				be_pace_unlink(h, prev);
				be_pace_dest_of(key)->waiting--;
				queued = true;
				break;
			}
	}
	held = be_setup_unhold_locked(h);
	be_setup_release_locked(); /* (it may have been the line's last) */
	if (queued)
		be_host_unref_cb(h); /* the line's reference; the caller holds another */
	if (held)
		be_host_unref_cb(h); /* the held list's */
	pthread_mutex_lock(&h->lock);
	granted = h->pace_granted;
	h->pace_granted = false;
	pthread_mutex_unlock(&h->lock);
	if (granted)
		be_pace_give(h, key);
}

/* Descriptors a connect may need (libvirt reads its config, opens a socket
 * and GLib wake pipes; SSH adds a forward socket pair): below that many
 * free, the host is refused with a clear message rather than failing half
 * way, or GLib aborting the whole program on a wake pipe it cannot make. */
#define BE_FD_RESERVE 24

static char *be_fd_message(rlim_t now)
{
	return xasprintf("too many open files: raise ulimit -n (now %llu)", (unsigned long long)now);
}

/* NULL when enough descriptors are free, else the message for the host.
 * BE_FD_RESERVE descriptors taken (dup: the lowest free ones) and given
 * back: 0.02 ms. Counting /proc/self/fd instead read every open
 * descriptor's entry at each connect: 5.8 ms at 5000 descriptors, about 3 s
 * of CPU over a 1000-host connect storm. */
static char *be_fd_shortage(void)
{
	struct rlimit rl;
	int fds[BE_FD_RESERVE], n = 0;
	bool short_of = false;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return NULL;
	while (n < BE_FD_RESERVE) {
		int fd = n ? fcntl(fds[0], F_DUPFD_CLOEXEC, 0) : open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			short_of = errno == EMFILE || errno == ENFILE;
			break;
		}
		fds[n++] = fd;
	}
	while (n > 0)
		close(fds[--n]);
	return short_of ? be_fd_message(rl.rlim_cur) : NULL;
}

/* A libvirt error that is really the descriptor limit: say what to do. */
static char *be_fd_explain(char *err)
{
	struct rlimit rl;
	char *r;
	if (!err || !strstr(err, strerror(EMFILE)) || getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return err;
	r = be_fd_message(rl.rlim_cur);
	core_log("host", "descriptor limit reached: %s", err);
	free(err);
	return r;
}

static bool be_connect_open(be_host *h, bool *stalled);
static void be_connect_setup(be_host *h);

/* ---- the connect deadline ---------------------------------------------------
 * virConnectOpen has no timeout: to a daemon that is stopped (SIGSTOP, a
 * hung host) it waits for ever. After $VMMC_CONNECT_TIMEOUT seconds (default
 * 15, 0 = no deadline) the host is posted FAILED + stalled ("not answering:
 * the daemon did not answer in N s") and its connect slot is given back, so
 * the hosts in line behind it go on. The open itself keeps its worker (the
 * pool grows for stuck hosts); when it returns, its answer is used as usual,
 * or closed when the host was removed meanwhile. A question to the user
 * (the auth callback) restarts the clock: the user's time does not count. */
#define BE_CONNECT_TIMEOUT_DEFAULT 15

static int be_connect_timeout_s(void)
{
	const char *e = getenv("VMMC_CONNECT_TIMEOUT");
	char *end;
	long v;
	if (!e || !*e)
		return BE_CONNECT_TIMEOUT_DEFAULT;
	v = strtol(e, &end, 10);
	return *end || v < 0 || v > 3600 ? BE_CONNECT_TIMEOUT_DEFAULT : (int)v;
}

/* Event loop, every second while an open runs. */
static void be_open_tick(int timer, void *opaque)
{
	be_host *h = opaque;
	int secs = be_connect_timeout_s();
	int64_t now = core_now_ms();
	bool give = false;

	pthread_mutex_lock(&h->lock);
	if (h->open_deadline_ms && !h->open_stalled && !h->stop) {
		if (h->prompt) {
			h->open_deadline_ms = now + secs * 1000LL;
		} else if (secs > 0 && now >= h->open_deadline_ms) {
			md_msg *m = md_msg_new(MD_MSG_HOST_STATE, h->id);
			m->conn = MD_CONN_FAILED;
			m->stalled = true;
			m->text = xasprintf("the daemon did not answer in %d s", secs);
			be_post(m); /* under the lock: before the open's own answer */
			h->open_stalled = give = true;
		}
	}
	pthread_mutex_unlock(&h->lock);
	if (give) {
		core_log("host", "%s: not answering: no answer to the connect in %d s (still waiting for it)",
			 h->uri, secs);
		char key[300];
		be_pace_key(h, key, sizeof(key));
		be_pace_give(h, key);
	}
}

/* be_open_auth with the deadline; *stalled: it passed (the slot was given
 * back). */
static virConnectPtr be_open_timed(be_host *h, const char *uri, bool *stalled)
{
	int secs = be_connect_timeout_s(), timer = -1;
	virConnectPtr c;

	*stalled = false;
	if (secs > 0) {
		pthread_mutex_lock(&h->lock);
		h->open_deadline_ms = core_now_ms() + secs * 1000LL;
		h->open_stalled = false;
		pthread_mutex_unlock(&h->lock);
		be_host_ref(h);
		timer = virEventAddTimeout(1000, be_open_tick, h, be_host_unref_cb);
		if (timer < 0)
			be_host_unref_cb(h);
	}
	c = be_open_auth(h, uri);
	if (timer >= 0)
		virEventRemoveTimeout(timer); /* its reference goes with it */
	pthread_mutex_lock(&h->lock);
	h->open_deadline_ms = 0;
	*stalled = h->open_stalled;
	h->open_stalled = false;
	pthread_mutex_unlock(&h->lock);
	return c;
}

/* The slot is held for the login and the open only (what sshd's
 * MaxStartups and a daemon's accept queue see); the lists and
 * registrations after it run without one. */
static void be_connect(be_host *h)
{
	char *err;
	bool opened = false, stalled = false;

	char key[300];

	if (!be_pace_take(h))
		return;
	be_pace_key(h, key, sizeof(key));
	err = be_fd_shortage();
	if (err) {
		int retry = be_schedule_retry(h);
		core_log("host", "%s: not connecting (retry in %d s): %s", h->uri, retry, err);
		be_post_state(h, MD_CONN_FAILED, err, retry, NULL);
		free(err);
	} else {
		/* a login's round trips: the hosts behind it get workers (an
		 * in-process or local open is work on this machine, not a wait) */
		bool io = be_conn_is_remote(h);
		if (io)
			be_pool_waiting(true);
		opened = be_connect_open(h, &stalled);
		if (io)
			be_pool_waiting(false);
	}
	if (!stalled) /* (a stalled open gave its slot back at the deadline) */
		be_pace_give(h, key);
	/* the lists and registrations are the host's next step, not this
	 * one: in a connect storm the logins waiting for a worker go first
	 * (a host put back goes to the run queue's tail; a watched one, the
	 * host on screen, to its head) */
	h->setup_due = opened;
}

/* Log in (ssh://) and open the connection; false when that failed (said).
 * *stalled: the open passed its deadline (be_open_timed). */
static bool be_connect_open(be_host *h, bool *stalled)
{
	char *err = NULL, *ssh_uri = NULL;
	int64_t t0 = core_now_ms();

	h->retry_at_ms = 0;
	pthread_mutex_lock(&h->lock);
	h->dead = false; /* a stale report of an earlier link */
	pthread_mutex_unlock(&h->lock);
	be_post_state(h, MD_CONN_CONNECTING, NULL, 0, NULL);
	core_log("host", "%s: %s", h->uri, h->backoff ? "reconnecting" : "connecting");
	if (h->ssh || h->ssh_parse_err) {
		int rc = be_ssh_prepare(h, &ssh_uri, &err);
		if (rc < 0) {
			err = be_fd_explain(err);
			/* a refused key or login: retrying would only ask again */
			int retry = rc == -1 ? be_schedule_retry(h) : 0;
			core_log("host", "%s: connect failed (retry in %d s, 0: none): %s", h->uri, retry, err);
			be_post_state(h, MD_CONN_FAILED, err, retry, NULL);
			free(err);
			return false;
		}
	}
	h->conn = be_open_timed(h, ssh_uri ? ssh_uri : h->open_uri, stalled);
	free(ssh_uri);
	if (h->conn && be_host_stopping(h)) {
		/* removed while the open waited (a stalled daemon answered late) */
		core_log("host", "%s: the connect answered after the host was removed: closed", h->uri);
		virConnectClose(h->conn);
		h->conn = NULL;
		return false;
	}
	if (!h->conn) {
		bool final = false;
		int retry;
		err = be_fd_explain(be_connect_hint(h->uri, be_last_error(NULL), &final));
		/* a refused certificate stays refused: no retry (each would ask
		 * for the password again) */
		retry = final ? 0 : be_schedule_retry(h);
		core_log("host", "%s: connect failed (retry in %d s): %s", h->uri, retry, err);
		if (!be_host_stopping(h)) /* (a host removed or abandoned meanwhile: its id may be another's) */
			be_post_state(h, MD_CONN_FAILED, err, retry, NULL);
		free(err);
		return false;
	}
	/* Lists first: on a far host every call is a round trip, and the user
	 * waits for the VMs, not for the event registrations (4 calls) or the
	 * host name (1). Events that fire in between are caught by a second
	 * VM list on remote connections. */
	h->local_qemu = !h->ssh && be_uri_is_local_qemu_system(h->conn);
	be_caps_reset(h);
	core_log("host", "%s: connected in %lld ms%s", h->uri, (long long)(core_now_ms() - t0),
		 h->backoff ? " (reconnected)" : "");
	h->backoff = 0;
	be_conn_publish(h, h->conn);
	be_post_state(h, MD_CONN_CONNECTED, NULL, 0, NULL);
	if (h->rs && h->ssh_local) {
		/* libvirt holds its connection: the forward's listener goes (a
		 * descriptor less per host); a reconnect forwards anew */
		rm_ssh_unlisten(h->rs, h->ssh_local);
		xfree(&h->ssh_local);
	}
	return true;
}

static void be_vm_events_due(be_host *h, bool drop);

/* The probes: what the driver can do (a few calls on a VM), what a new
 * domain can have (the New VM wizard's offers), install runs that ended
 * while vmmc was away. */
static void be_host_probes(be_host *h)
{
	be_caps_probe(h);
	be_post_domcaps(h);
	be_install_scan(h);
}

/* After the open: the lists, events, host name, probes.
 * A host the UI said is not on screen (be_host_watch false: not selected)
 * gets what its tree rows need - the VMs (their number and states), the
 * networks, the storage pools (the tree shows how many), events - and the
 * rest waits until it is selected (be_host_next: BE_WAKE_PROBES): what its
 * driver can do, its domain capabilities, the install and guest-agent
 * scans. No tree row shows them; the host's views open on a selected host,
 * and a wizard that picks another host asks for them (be_host_want_probes).
 * Its events are registered before its VM list, so one list misses
 * nothing (the host on screen gets its list first, then a second one). */
static void be_connect_setup(be_host *h)
{
	char *err = NULL, *hostname;
	int64_t t0 = core_now_ms();
	bool lists_only = h->flags & BE_HOST_LISTS_ONLY; /* batch mode: the VMs, nothing else */
	bool away = !lists_only && be_pool_probes_wait(h);

	be_vm_events_due(h, true); /* events of the last connection: all re-read now */
	h->relist_pending = 0;
	h->probes_due = false;

	be_post_busy(h, +1); /* the first lists can take long on a slow host */
	be_demo_seed(h);
	if (away)
		be_register_callbacks(h);
	if (be_list_vms(h, &err) < 0 || (!lists_only && be_list_nets(h, &err) < 0) ||
	    (!lists_only && be_list_pools(h, &err) < 0)) { /* the tree shows their number */
		md_msg *m = md_msg_new(MD_MSG_OP_RESULT, h->id);
		m->text = xasprintf("Could not list %s: %s", h->uri, err);
		be_post(m);
		xfree(&err);
	}
	if (!lists_only) {
		/* fails for local drivers: fine. 6 s, not the daemon's own 5: its
		 * pings (libvirtd's keepalive_interval, 5 s) keep ours from ever
		 * firing while it answers, so an idle connection carries one
		 * ping and pong per 5 s, not two; a stopped daemon is found after
		 * 2 unanswered pings, 18 s (it was 20 s with 5 s x 3) */
		virConnectSetKeepAlive(h->conn, 6, 2);
		if (!away)
			be_register_callbacks(h);
		hostname = virConnectGetHostname(h->conn);
		if (hostname)
			be_post_state(h, MD_CONN_CONNECTED, NULL, 0, xstrdup(hostname));
		free(hostname);
		/* (a driver without events re-reads the list each tick anyway) */
		if (!away && be_conn_is_remote(h) && h->cb_dom >= 0 && be_list_vms(h, &err) < 0)
			xfree(&err);
		h->probes_due = away;
		if (!away)
			be_host_probes(h);
		else if (h->cb_dom < 0) /* the tree's ticks need this one now */
			be_caps_set(h, MD_CAP_EVENTS);
	}
	core_log("host", "%s: setup done in %lld ms%s", h->uri, (long long)(core_now_ms() - t0),
		 h->probes_due ? " (its probes wait until it is selected)" : "");
	be_post_busy(h, -1);
}

static void be_lost(be_host *h)
{
	char *reason;
	int retry;
	pthread_mutex_lock(&h->lock);
	reason = h->dead_reason;
	h->dead_reason = NULL;
	pthread_mutex_unlock(&h->lock);
	be_conn_close(h);
	if (h->rs && !rm_ssh_is_alive(h->rs))
		be_ssh_close(h);
	retry = be_schedule_retry(h);
	core_log("host", "%s: disconnected: %s; retry in %d s", h->uri, reason ? reason : "connection lost",
		 retry);
	be_post_state(h, MD_CONN_DISCONNECTED, reason ? reason : "connection lost", retry, NULL);
	free(reason);
}

/* ---- jobs ---------------------------------------------------------------- */

/* A network or pool event: re-read that list. For a host the UI said is
 * not on screen (be_host_watch false) at most once per BE_RELIST_MS (a burst of events, e.g. a script making pools,
 * is one re-read; a thousand hosts do not all re-read at every event);
 * the rest is done when due (be_host_step). */
#define BE_RELIST_MS 5000
static void be_relist(be_host *h, int pools, bool due)
{
	int64_t now = core_now_ms();
	char *err = NULL;

	if (!due && now < h->relist_at_ms[pools] && be_pool_unwatched(h)) {
		h->relist_pending |= 1u << pools;
		return;
	}
	h->relist_pending &= ~(1u << pools);
	h->relist_at_ms[pools] = now + BE_RELIST_MS;
	if (pools)
		be_list_pools(h, &err);
	else
		be_list_nets(h, &err);
	free(err);
}

/* A VM event: re-read the VM. For a host not on screen, an event within
 * BE_RELIST_MS of the last re-read waits for the next one (the VM list is
 * not shown; many events, one pass: be_vm_events_due). */
static void be_vm_event(be_host *h, const char *uuid, bool due)
{
	int64_t now = core_now_ms();
	if (!due && now < h->relist_at_ms[2] && be_pool_unwatched(h)) {
		for (size_t i = 0; i < h->nvm_pending; i++)
			if (strcmp(h->vm_pending[i], uuid) == 0)
				return;
		xgrow(&h->vm_pending, &h->vm_pending_cap, h->nvm_pending + 1, sizeof(*h->vm_pending));
		h->vm_pending[h->nvm_pending++] = xstrdup(uuid);
		h->relist_pending |= 1u << 2;
		return;
	}
	if (!due)
		h->relist_at_ms[2] = now + BE_RELIST_MS;
	be_vm_post(h, uuid);
	be_graphics_vm_event(h, uuid);
	be_install_cleanup(h, uuid); /* an install run that ended */
}

/* The VMs whose events waited (or, with drop, forget them: closing). */
static void be_vm_events_due(be_host *h, bool drop)
{
	size_t n = h->nvm_pending;
	char **v = h->vm_pending;
	h->vm_pending = NULL;
	h->nvm_pending = h->vm_pending_cap = 0;
	h->relist_pending &= ~(1u << 2);
	h->relist_at_ms[2] = core_now_ms() + BE_RELIST_MS;
	for (size_t i = 0; i < n; i++) {
		if (!drop && h->conn)
			be_vm_event(h, v[i], true);
		free(v[i]);
	}
	free(v);
}

/* The earliest deferred re-read, 0 = none. */
static int64_t be_relist_due(const be_host *h)
{
	int64_t at = 0;
	for (int k = 0; k < 3; k++)
		if ((h->relist_pending & (1u << k)) && (!at || h->relist_at_ms[k] < at))
			at = h->relist_at_ms[k];
	return at;
}

static void be_job_refresh(be_host *h, const be_job *j)
{
	char *err = NULL;
	if (!h->conn) {
		be_post_result(h, j, false, xasprintf("Could not refresh %s: not connected", h->uri));
		return;
	}
	if (be_refresh_all(h, &err) < 0) {
		be_post_result(h, j, false, xasprintf("Could not refresh %s: %s", h->uri, err));
		free(err);
		return;
	}
	be_post_result(h, j, true, NULL);
}

static void be_job_run(be_host *h, const be_job *j)
{
	char *err = NULL;
	int64_t t0;

	if (j->op >= BE_JOB_CONSOLE_OPEN && j->op <= BE_JOB_CONSOLE_CLOSE) {
		be_console_job(h, j); /* also without a connection: it says so */
		return;
	}
	if (j->op >= BE_JOB_VM_EVENT && !h->conn)
		return; /* stale event of a closed connection */
	if (j->op == BE_OP_STATS) {
		be_stats_job(h); /* every tick: not shown as busy */
		return;
	}
	be_post_busy(h, +1);
	t0 = core_now_ms();
	core_log("job", "%s: start %s %s (job %llu)", h->uri, be_op_name(j->op), j->uuid,
		 (unsigned long long)j->seq);
	switch (j->op) {
	case BE_OP_CONNECT:
		if (!h->conn) {
			h->backoff = 0;
			be_connect(h);
		}
		be_post_result(h, j, h->conn != NULL, NULL);
		break;
	case BE_OP_DISCONNECT:
		core_log("host", "%s: disconnect (asked)", h->uri);
		be_pace_leave(h); /* out of the line for a connect slot */
		be_conn_close(h);
		be_ssh_close(h);
		h->retry_at_ms = 0;
		h->backoff = 0;
		be_post_state(h, MD_CONN_IDLE, NULL, 0, NULL);
		be_post_result(h, j, true, NULL);
		break;
	case BE_OP_REFRESH:
		be_job_refresh(h, j);
		break;
	case BE_JOB_VM_EVENT:
		be_vm_event(h, j->uuid, false);
		break;
	case BE_JOB_NETS_EVENT:
	case BE_JOB_POOLS_EVENT:
		be_relist(h, j->op == BE_JOB_POOLS_EVENT, false);
		break;
	case BE_JOB_AGENT_SCAN:
		be_agent_scan(h);
		break;
	case BE_JOB_AGENT_AUTOSYNC:
		be_agent_autosync_job(h, j->uuid);
		break;
	default:
		if (j->op >= BE_OP_POOL_START && j->op <= BE_OP_VOL_CLONE)
			be_storage_job(h, j);
		else if (j->op >= BE_OP_NET_CREATE && j->op <= BE_OP_NET_SUGGEST)
			be_net_job(h, j);
		else if ((j->op >= BE_OP_AGENT_INFO && j->op <= BE_OP_AGENT_APPLY) || j->op == BE_OP_AGENT_CHECKPOINT)
			be_agent_job(h, j);
		else if (j->op == BE_OP_GRAPHICS_OPEN || j->op == BE_OP_GRAPHICS_CLOSE)
			be_graphics_job(h, j);
		else if (j->op >= BE_OP_ISO_PROBE && j->op <= BE_OP_INSTALL_START)
			be_iso_job(h, j);
		else
			be_dom_job(h, j);
		break;
	}
	free(err);
	core_log("job", "%s: end %s %s (job %llu) in %lld ms", h->uri, be_op_name(j->op), j->uuid,
		 (unsigned long long)j->seq, (long long)(core_now_ms() - t0));
	be_post_busy(h, -1);
}

/* ---- steps (be_pool.c runs them) ------------------------------------------ */

enum be_wake { BE_WAKE_NONE, BE_WAKE_STOP, BE_WAKE_JOB, BE_WAKE_LOST, BE_WAKE_RETRY, BE_WAKE_RELIST, BE_WAKE_SETUP,
	       BE_WAKE_PROBES };

/* h->lock: what h has to do now (a job popped into *job). */
static enum be_wake be_host_next(be_host *h, be_job **job, int64_t now)
{
	if (h->stop)
		return BE_WAKE_STOP;
	if (h->dead && h->conn)
		return BE_WAKE_LOST;
	if (h->connect_first) { /* be_host_new's connect comes before any job */
		if (job)
			h->connect_first = false;
		return BE_WAKE_RETRY;
	}
	if (h->setup_due && h->conn) /* (its jobs wait with it) */
		return be_setup_held(h) ? BE_WAKE_NONE : BE_WAKE_SETUP;
	if (h->probes_due && h->conn && !be_pool_probes_wait(h))
		return BE_WAKE_PROBES; /* on screen now, or a wizard wants them */
	if (h->head && !be_reread_held(h, now)) {
		if (job)
			*job = be_queue_pop(h);
		return BE_WAKE_JOB;
	}
	if (!h->conn && (h->pace_granted || (h->retry_at_ms && now >= h->retry_at_ms)))
		return BE_WAKE_RETRY;
	if (h->conn && h->relist_pending && (now >= be_relist_due(h) || !be_pool_unwatched(h)))
		return BE_WAKE_RELIST; /* due, or the host is on screen now */
	return BE_WAKE_NONE;
}

/* The host's end (its last step): what the worker held goes. */
static void be_host_finish(be_host *h)
{
	be_pace_leave(h);
	be_vm_events_due(h, true);
	be_conn_close(h);
	be_ssh_free(h);
	be_stats_free(h);
	be_names_free(h);
	be_list_free(h);
	be_caps_reset(h);
	pthread_mutex_lock(&h->lock);
	h->done = true;
	pthread_cond_broadcast(&h->done_cond);
	be_pool_step_done(h, false, 0, true);
	pthread_mutex_unlock(&h->lock);
	be_host_unref(&h); /* the pool's reference */
}

void be_host_step(be_host *h)
{
	be_job *job = NULL;
	enum be_wake w;
	bool more;
	int64_t at;

	pthread_mutex_lock(&h->lock);
	w = be_host_next(h, &job, core_now_ms());
	pthread_mutex_unlock(&h->lock);
	switch (w) {
	case BE_WAKE_STOP:
		be_host_finish(h);
		return;
	case BE_WAKE_LOST:
		be_lost(h);
		break;
	case BE_WAKE_RETRY:
		be_connect(h);
		break;
	case BE_WAKE_SETUP:
		h->setup_due = false;
		be_connect_setup(h);
		break;
	case BE_WAKE_PROBES: {
		h->probes_due = false;
		core_log("host", "%s: selected: its probes now", h->uri);
		be_post_busy(h, +1);
		be_host_probes(h);
		if (be_agent_pending(h)) /* the agent scan waited too */
			be_host_queue_event(h, BE_JOB_AGENT_SCAN);
		be_post_busy(h, -1);
		break;
	}
	case BE_WAKE_JOB:
		be_job_run(h, job);
		if (job->seq && be_op_chained(job->op))
			h->reread_hold_ms = core_now_ms() + BE_REREAD_HOLD_MS;
		be_job_free(&job);
		break;
	case BE_WAKE_RELIST: {
		bool all = !be_pool_unwatched(h);
		for (int k = 0; k < 2; k++)
			if ((h->relist_pending & (1u << k)) && (all || core_now_ms() >= h->relist_at_ms[k]))
				be_relist(h, k, true);
		if ((h->relist_pending & (1u << 2)) && (all || core_now_ms() >= h->relist_at_ms[2]))
			be_vm_events_due(h, false);
		break;
	}
	case BE_WAKE_NONE:
		break;
	}
	pthread_mutex_lock(&h->lock);
	more = be_host_next(h, NULL, core_now_ms()) != BE_WAKE_NONE;
	at = more ? 0 : !h->conn ? h->retry_at_ms : be_relist_due(h);
	if (!more && be_reread_held(h, core_now_ms()) && (!at || h->reread_hold_ms < at))
		at = h->reread_hold_ms; /* the held re-read's turn */
	be_pool_step_done(h, more, at, false);
	pthread_mutex_unlock(&h->lock);
}

/* ---- public -------------------------------------------------------------- */

/* ssh must never ask on the terminal: no_tty=1 makes it run in batch mode. */
char *be_open_uri(const char *uri)
{
	const char *scheme_end = strstr(uri, "://");
	size_t slen = scheme_end ? (size_t)(scheme_end - uri) : 0;
	if (slen < 4 || strncmp(scheme_end - 4, "+ssh", 4) != 0 || strstr(uri, "no_tty="))
		return xstrdup(uri);
	return xasprintf("%s%sno_tty=1", uri, strchr(uri, '?') ? "&" : "?");
}

be_host *be_host_new(int id, const char *uri)
{
	return be_host_new_flags(id, uri, 0);
}

be_host *be_host_new_flags(int id, const char *uri, unsigned flags)
{
	be_host *h = xcalloc(1, sizeof(*h));
	pthread_condattr_t ca;

	h->refs = 2; /* the caller's handle and the pool's */
	h->id = id;
	h->flags = flags;
	h->uri = xstrdup(uri ? uri : "");
	h->open_uri = be_open_uri(h->uri);
	if (core_uri_is_ssh(h->uri))
		core_ssh_uri_parse(h->uri, &h->ssh, &h->ssh_parse_err);
	h->pool_dest = be_dest_hash(h);
	h->cb_dom = h->cb_net = h->cb_pool = -1;
	for (size_t i = 0; i < CORE_ARRAY_LEN(h->cb_devs); i++)
		h->cb_devs[i] = -1;
	if (!(flags & BE_HOST_LISTS_ONLY))
		h->agent = be_agent_new(); /* the Agent column (batch mode shows none) */
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->done_cond, &ca);
	pthread_condattr_destroy(&ca);
	be_live_hosts_add(+1);
	h->unwatched = flags & BE_HOST_AWAY; /* (before the pool sees it) */
	if (!(flags & BE_HOST_IDLE)) {
		h->retry_at_ms = 1; /* connect at once */
		h->connect_first = true;
	}
	pthread_mutex_lock(&h->lock);
	be_pool_kick(h);
	pthread_mutex_unlock(&h->lock);
	return h;
}

void be_host_stop(be_host *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	if (h->prompt)
		core_prompt_cancel(h->prompt);
	if (!h->done)
		be_pool_kick(h);
	pthread_mutex_unlock(&h->lock);
}

void be_host_free(be_host **hp, int timeout_ms)
{
	be_host *h = *hp;
	struct timespec ts;

	if (!h)
		return;
	*hp = NULL;
	be_deadline(&ts, core_now_ms() + (timeout_ms > 0 ? timeout_ms : 0));
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	if (h->prompt)
		core_prompt_cancel(h->prompt); /* a worker waiting for the user */
	if (!h->done)
		be_pool_kick(h);
	/* a step stuck in a blocking call past the timeout: its worker runs
	 * the host's last step when the call returns */
	while (!h->done)
		if (pthread_cond_timedwait(&h->done_cond, &h->lock, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&h->lock);
	be_host_unref(&h);
}
