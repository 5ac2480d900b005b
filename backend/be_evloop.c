/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_evloop.c - the event loop libvirt runs its callbacks on: epoll
 * and a timer list, registered with virEventRegisterImpl.
 *
 * Why not libvirt's default (GLib) loop: each of its wake-ups prepares,
 * polls and checks every source it holds, and a thousand connections are
 * ~2000 sources (a socket and a keepalive timer each) woken ~400 times a
 * second (the daemons' keepalive pings, every 5 s per connection, and our
 * own timers): O(hosts) work per wake, O(hosts^2) per second - measured,
 * most of vmmc's idle CPU at 1000 ssh:// hosts. Here a wake costs what is
 * ready: epoll reports only the descriptors with something to do; the
 * timers are a list, scanned only when the earliest due time the loop
 * knows of has come (a bound kept as timers are set: libvirt pushes a
 * connection's keepalive timer back at every message, so the bound is
 * often early; reaching it costs a scan that finds the true one). At
 * 1000 hosts a scan per wake was a tenth of vmmc's idle CPU.
 *
 * libvirt's contract (libvirt-event.h): add/update/remove may be called
 * from any thread, and from inside a callback; a callback runs on the loop
 * thread without our lock; a free callback (ff) never runs inside remove
 * (libvirt would deadlock) but later, on the loop thread, after the pass
 * that may still be calling the callback; a handle with no events asked
 * reports nothing, not even a hang-up; a timeout of 0 fires on every pass,
 * -1 is off. Two handles on one descriptor (epoll keeps one entry per
 * descriptor) get their own duplicate of it.
 *
 * A socket's writability is asked for when something is to be sent (a
 * keepalive's answer: libvirt adds WRITABLE, writes when told, takes it
 * off again): two epoll_ctl calls and a wake of the loop per message, on
 * a descriptor that is writable nearly always. When the loop thread itself
 * asks (a callback queued output), epoll is not told at once: before its
 * next wait the loop polls those descriptors (one poll for all) and calls
 * back the writable ones; only a handle that still wants WRITABLE after
 * that (not writable, or not all written) is registered for EPOLLOUT. */
#include "be_internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../core/log.h"
#include "../core/util.h"

#define EVL_BUCKETS 1024 /* handle ids hashed (a chain each) */
#define EVL_BATCH 128    /* descriptors per epoll_wait */

struct evl_handle {
	struct evl_handle *next;   /* in its bucket */
	int id, fd, efd;           /* efd: the descriptor epoll watches (fd or a dup) */
	int events;                /* libvirt's VIR_EVENT_HANDLE_* asked */
	uint32_t reg;              /* the epoll events registered (in_epoll) */
	bool in_epoll, deleted;
	bool try_out;              /* in evl.try: WRITABLE asked, not registered yet */
	virEventHandleCallback cb;
	void *opaque;
	virFreeCallback ff;
};

struct evl_timer {
	struct evl_timer *next;    /* in its bucket */
	int id, freq;              /* ms; -1 off, 0 every pass */
	int64_t due_ms;
	bool deleted;
	virEventTimeoutCallback cb;
	void *opaque;
	virFreeCallback ff;
};

static struct {
	pthread_mutex_t lock;
	int ep, wake;              /* epoll and its eventfd (-1 before set-up) */
	int next_id;               /* handles and timers share one count: ids never reused */
	struct evl_handle *bucket[EVL_BUCKETS];
	struct evl_timer *tbucket[EVL_BUCKETS];
	struct evl_timer **tv;     /* every timer, for the scan of a pass */
	size_t ntv, tv_cap;
	int64_t sleep_until;       /* the loop waits until then (INT64_MAX: no timer); 0: awake */
	int64_t min_due, min_fire; /* no timer is due before min_due, nor due plus its slack before min_fire */
	int nhandles, ntimers, ndeleted;
	uint64_t wakes, scans;     /* passes of the loop, scans of evl.tv (be_evloop_figures) */
	int *try;                  /* handles to try for writing before the next wait (their ids) */
	size_t ntry, try_cap;
	_Atomic int64_t away_since; /* when the loop left its wait (0: waiting; 1: before it ever ran) */
} evl = { .lock = PTHREAD_MUTEX_INITIALIZER, .ep = -1, .wake = -1, .min_due = INT64_MAX, .min_fire = INT64_MAX,
	    .away_since = 1 };

static uint32_t evl_to_epoll(int ev)
{
	uint32_t e = 0;
	if (ev & VIR_EVENT_HANDLE_READABLE)
		e |= EPOLLIN;
	if (ev & VIR_EVENT_HANDLE_WRITABLE)
		e |= EPOLLOUT;
	return e; /* EPOLLERR and EPOLLHUP are always reported */
}

static int evl_from_epoll(uint32_t e)
{
	int ev = 0;
	if (e & EPOLLIN)
		ev |= VIR_EVENT_HANDLE_READABLE;
	if (e & EPOLLOUT)
		ev |= VIR_EVENT_HANDLE_WRITABLE;
	if (e & EPOLLERR)
		ev |= VIR_EVENT_HANDLE_ERROR;
	if (e & EPOLLHUP)
		ev |= VIR_EVENT_HANDLE_HANGUP;
	return ev;
}

static void evl_wake(void)
{
	uint64_t one = 1;
	if (evl.wake >= 0 && write(evl.wake, &one, sizeof(one)) < 0) {
		/* full (it is a counter): the loop wakes anyway */
	}
}

/* lock */
static struct evl_handle *evl_handle_find(int id)
{
	for (struct evl_handle *h = evl.bucket[(unsigned)id % EVL_BUCKETS]; h; h = h->next)
		if (h->id == id && !h->deleted)
			return h;
	return NULL;
}

static __thread bool evl_on_loop; /* this thread runs the loop */

/* lock: epoll follows h->events (no events: out of epoll, so a hang-up
 * the caller does not want reported does not spin the loop) */
static int evl_sync(struct evl_handle *h)
{
	struct epoll_event ee = { .events = evl_to_epoll(h->events), .data.u64 = (uint64_t)h->id };
	if (!h->events || h->deleted) {
		if (h->in_epoll)
			epoll_ctl(evl.ep, EPOLL_CTL_DEL, h->efd, NULL);
		h->in_epoll = false;
		return 0;
	}
	if (h->in_epoll && h->reg == ee.events)
		return 0;
	if (epoll_ctl(evl.ep, h->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, h->efd, &ee) < 0) {
		if (errno != EEXIST || h->efd != h->fd)
			return -1;
		/* another handle watches this descriptor: a duplicate of our own */
		int d = fcntl(h->fd, F_DUPFD_CLOEXEC, 0);
		if (d < 0)
			return -1;
		h->efd = d;
		if (epoll_ctl(evl.ep, EPOLL_CTL_ADD, h->efd, &ee) < 0)
			return -1;
	}
	h->in_epoll = true;
	h->reg = ee.events;
	return 0;
}

static int evl_add_handle(int fd, int events, virEventHandleCallback cb, void *opaque, virFreeCallback ff)
{
	struct evl_handle *h = xcalloc(1, sizeof(*h));
	int id;

	h->fd = h->efd = fd;
	h->events = events;
	h->cb = cb;
	h->opaque = opaque;
	h->ff = ff;
	pthread_mutex_lock(&evl.lock);
	id = h->id = ++evl.next_id;
	if (evl_sync(h) < 0) {
		core_log("loop", "cannot watch descriptor %d: %s", fd, strerror(errno));
		pthread_mutex_unlock(&evl.lock);
		if (h->efd != h->fd)
			close(h->efd);
		free(h);
		return -1;
	}
	h->next = evl.bucket[(unsigned)id % EVL_BUCKETS];
	evl.bucket[(unsigned)id % EVL_BUCKETS] = h;
	evl.nhandles++;
	pthread_mutex_unlock(&evl.lock);
	return id;
}

static void evl_update_handle(int id, int events)
{
	pthread_mutex_lock(&evl.lock);
	struct evl_handle *h = evl_handle_find(id);
	if (h && h->events != events) {
		bool out_only = (events & ~h->events) == VIR_EVENT_HANDLE_WRITABLE;
		h->events = events;
		if (evl_on_loop && out_only && h->in_epoll && evl_to_epoll(events & ~VIR_EVENT_HANDLE_WRITABLE) == h->reg) {
			/* tried before the loop's next wait (evl_try_writes) */
			if (!h->try_out) {
				h->try_out = true;
				xgrow(&evl.try, &evl.try_cap, evl.ntry + 1, sizeof(*evl.try));
				evl.try[evl.ntry++] = h->id;
			}
		} else if (evl_sync(h) < 0) {
			core_log("loop", "cannot watch descriptor %d: %s", h->fd, strerror(errno));
		}
	}
	pthread_mutex_unlock(&evl.lock);
}

static int evl_remove_handle(int id)
{
	pthread_mutex_lock(&evl.lock);
	struct evl_handle *h = evl_handle_find(id);
	if (!h) {
		pthread_mutex_unlock(&evl.lock);
		return -1;
	}
	h->deleted = true; /* freed (ff called) by the loop, after this pass */
	evl_sync(h);
	evl.ndeleted++;
	pthread_mutex_unlock(&evl.lock);
	evl_wake();
	return 0;
}

/* lock */
static struct evl_timer *evl_timer_find(int id)
{
	for (struct evl_timer *t = evl.tbucket[(unsigned)id % EVL_BUCKETS]; t; t = t->next)
		if (t->id == id && !t->deleted)
			return t;
	return NULL;
}

/* How late a timer may fire so that timers due close together fire in one
 * wake: none under a second (streams, retries); 1/16 of the period, at most
 * 250 ms, above (a thousand connections' keepalive timers, every 5-6 s, due
 * 200 times a second: about 4 wakes a second then, not 200). */
static int64_t evl_slack(const struct evl_timer *t)
{
	return t->freq < 1000 ? 0 : t->freq / 16 > 250 ? 250 : t->freq / 16;
}

/* lock: t was set (added, updated, rescheduled): the bounds take it in */
static void evl_bound(const struct evl_timer *t)
{
	if (t->freq < 0)
		return;
	if (t->due_ms < evl.min_due)
		evl.min_due = t->due_ms;
	if (t->due_ms + evl_slack(t) < evl.min_fire)
		evl.min_fire = t->due_ms + evl_slack(t);
}

/* lock: the bounds made exact, leaving out the timers due by skip_due
 * (INT64_MIN: none; they are about to be rescheduled, each then bound) */
static void evl_rebound(int64_t skip_due)
{
	evl.min_due = evl.min_fire = INT64_MAX;
	evl.scans++;
	for (size_t i = 0; i < evl.ntv; i++) {
		const struct evl_timer *t = evl.tv[i];
		if (!t->deleted && t->due_ms > skip_due)
			evl_bound(t);
	}
}

/* lock: t is due before the loop wakes by itself (only then is it woken:
 * libvirt moves a connection's keepalive timer at every message, and a
 * wake per message would be a pass over every timer per message) */
static bool evl_sooner(const struct evl_timer *t)
{
	return t->freq >= 0 && evl.sleep_until && t->due_ms + evl_slack(t) < evl.sleep_until;
}

static int evl_add_timeout(int freq, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
	struct evl_timer *t = xcalloc(1, sizeof(*t));
	int id;
	t->freq = freq;
	t->cb = cb;
	t->opaque = opaque;
	t->ff = ff;
	t->due_ms = core_now_ms() + (freq > 0 ? freq : 0);
	pthread_mutex_lock(&evl.lock);
	id = t->id = ++evl.next_id;
	t->next = evl.tbucket[(unsigned)id % EVL_BUCKETS];
	evl.tbucket[(unsigned)id % EVL_BUCKETS] = t;
	xgrow(&evl.tv, &evl.tv_cap, evl.ntv + 1, sizeof(*evl.tv));
	evl.tv[evl.ntv++] = t;
	evl.ntimers++;
	evl_bound(t);
	bool wake = evl_sooner(t);
	pthread_mutex_unlock(&evl.lock);
	if (wake)
		evl_wake();
	return id;
}


static void evl_update_timeout(int id, int freq)
{
	bool wake = false;
	pthread_mutex_lock(&evl.lock);
	struct evl_timer *t = evl_timer_find(id);
	if (t) {
		t->freq = freq;
		t->due_ms = core_now_ms() + (freq > 0 ? freq : 0);
		evl_bound(t);
		wake = evl_sooner(t);
	}
	pthread_mutex_unlock(&evl.lock);
	if (wake)
		evl_wake();
}

static int evl_remove_timeout(int id)
{
	pthread_mutex_lock(&evl.lock);
	struct evl_timer *t = evl_timer_find(id);
	if (!t) {
		pthread_mutex_unlock(&evl.lock);
		return -1;
	}
	t->deleted = true;
	evl.ndeleted++;
	pthread_mutex_unlock(&evl.lock);
	evl_wake();
	return 0;
}

/* Loop thread, no lock held: what was removed leaves, its free callback
 * runs now (no callback of it can be running: they run on this thread). */
static void evl_reap(void)
{
	struct evl_handle *hdead = NULL;
	struct evl_timer *tdead = NULL;

	pthread_mutex_lock(&evl.lock);
	if (!evl.ndeleted) {
		pthread_mutex_unlock(&evl.lock);
		return;
	}
	for (int b = 0; b < EVL_BUCKETS; b++)
		for (struct evl_handle **pp = &evl.bucket[b]; *pp;) {
			struct evl_handle *h = *pp;
			if (!h->deleted) {
				pp = &h->next;
				continue;
			}
			*pp = h->next;
			h->next = hdead;
			hdead = h;
			evl.nhandles--;
		}
	for (int b = 0; b < EVL_BUCKETS; b++)
		for (struct evl_timer **pp = &evl.tbucket[b]; *pp;) {
			struct evl_timer *t = *pp;
			if (!t->deleted) {
				pp = &t->next;
				continue;
			}
			*pp = t->next;
			t->next = tdead;
			tdead = t;
			evl.ntimers--;
		}
	size_t k = 0;
	for (size_t i = 0; i < evl.ntv; i++)
		if (!evl.tv[i]->deleted)
			evl.tv[k++] = evl.tv[i];
	evl.ntv = k;
	evl.ndeleted = 0;
	pthread_mutex_unlock(&evl.lock);
	while (hdead) {
		struct evl_handle *h = hdead;
		hdead = h->next;
		if (h->efd != h->fd)
			close(h->efd);
		if (h->ff)
			h->ff(h->opaque);
		free(h);
	}
	while (tdead) {
		struct evl_timer *t = tdead;
		tdead = t->next;
		if (t->ff)
			t->ff(t->opaque);
		free(t);
	}
}

/* lock: when the loop must wake for the timers, the earliest due time
 * plus its slack (INT64_MAX: none); every timer due by then fires then.
 * The bound when it is still ahead (waking at it when it was early costs
 * one pass), else the true one. */
static int64_t evl_next_due(int64_t now)
{
	if (evl.min_fire <= now)
		evl_rebound(INT64_MIN);
	return evl.min_fire;
}

/* The timers due: each called once, rescheduled first (a callback may
 * update or remove its own timer). */
static void evl_run_timers(void)
{
	int64_t now = core_now_ms();
	size_t cap = 0, n = 0;
	int *ids = NULL;

	pthread_mutex_lock(&evl.lock);
	if (now < evl.min_due) { /* none due: no scan */
		pthread_mutex_unlock(&evl.lock);
		return;
	}
	for (size_t k = 0; k < evl.ntv; k++) {
		const struct evl_timer *t = evl.tv[k];
		if (!t->deleted && t->freq >= 0 && t->due_ms <= now) {
			xgrow(&ids, &cap, n + 1, sizeof(*ids));
			ids[n++] = t->id;
		}
	}
	evl_rebound(now);
	pthread_mutex_unlock(&evl.lock);
	for (size_t i = 0; i < n; i++) {
		virEventTimeoutCallback cb;
		void *opaque;
		pthread_mutex_lock(&evl.lock);
		struct evl_timer *t = evl_timer_find(ids[i]);
		if (!t || t->freq < 0) {
			pthread_mutex_unlock(&evl.lock);
			continue;
		}
		t->due_ms = now + t->freq;
		evl_bound(t);
		cb = t->cb;
		opaque = t->opaque;
		pthread_mutex_unlock(&evl.lock);
		cb(ids[i], opaque);
	}
	free(ids);
}

/* lock: the handle called back with events (evl.lock dropped over the call) */
static void evl_call(struct evl_handle *h, int events)
{
	virEventHandleCallback cb = h->cb;
	void *opaque = h->opaque;
	int id = h->id, fd = h->fd;
	pthread_mutex_unlock(&evl.lock);
	cb(id, fd, events, opaque);
	pthread_mutex_lock(&evl.lock);
}

/* The handles that asked for WRITABLE from the loop thread (see the top):
 * one poll for all, the writable called back; what still wants WRITABLE
 * after that is registered with epoll. A few rounds (a callback may ask
 * again), then the rest are registered. */
static void evl_try_writes(void)
{
	struct pollfd *pf = NULL;
	int *ids = NULL;
	size_t cap = 0, icap = 0;

	if (evl.ntry == 0)
		return; /* (only this thread adds to evl.try: no lock needed to see it empty) */
	pthread_mutex_lock(&evl.lock);
	for (int round = 0; round < 4 && evl.ntry > 0; round++) {
		size_t n = evl.ntry;
		xgrow(&ids, &icap, n, sizeof(*ids));
		xgrow(&pf, &cap, n, sizeof(*pf));
		memcpy(ids, evl.try, n * sizeof(*ids));
		evl.ntry = 0;
		for (size_t i = 0; i < n; i++) {
			struct evl_handle *h = evl_handle_find(ids[i]);
			if (h)
				h->try_out = false;
			pf[i] = (struct pollfd){ .fd = h && (h->events & VIR_EVENT_HANDLE_WRITABLE) ? h->fd : -1,
						 .events = POLLOUT };
		}
		pthread_mutex_unlock(&evl.lock);
		int r = poll(pf, (nfds_t)n, 0);
		pthread_mutex_lock(&evl.lock);
		for (size_t i = 0; r > 0 && i < n; i++) {
			struct evl_handle *h = pf[i].revents ? evl_handle_find(ids[i]) : NULL;
			int events = h ? evl_from_epoll((uint32_t)pf[i].revents) &
						 (h->events | VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP)
				       : 0;
			if (events & (VIR_EVENT_HANDLE_WRITABLE | VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP))
				evl_call(h, events);
		}
		for (size_t i = 0; i < n; i++) {
			struct evl_handle *h = evl_handle_find(ids[i]);
			if (h && !h->try_out && evl_sync(h) < 0)
				core_log("loop", "cannot watch descriptor %d: %s", h->fd, strerror(errno));
		}
	}
	for (size_t i = 0; i < evl.ntry; i++) {
		struct evl_handle *h = evl_handle_find(evl.try[i]);
		if (h) {
			h->try_out = false;
			if (evl_sync(h) < 0)
				core_log("loop", "cannot watch descriptor %d: %s", h->fd, strerror(errno));
		}
	}
	evl.ntry = 0;
	pthread_mutex_unlock(&evl.lock);
	free(pf);
	free(ids);
}

/* One pass: wait for a descriptor or the next timer, call what is due. */
static void evl_run_once(void)
{
	struct epoll_event ev[EVL_BATCH];
	int n, timeout;
	int64_t now, next;

	evl_reap();
	pthread_mutex_lock(&evl.lock);
	now = core_now_ms();
	next = evl_next_due(now);
	timeout = next == INT64_MAX ? -1 : next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
	evl.sleep_until = timeout < 0 ? INT64_MAX : timeout == 0 ? 0 : now + timeout;
	evl.wakes++;
	pthread_mutex_unlock(&evl.lock);
	atomic_store(&evl.away_since, 0);
	n = epoll_wait(evl.ep, ev, EVL_BATCH, timeout);
	atomic_store(&evl.away_since, core_now_ms());
	pthread_mutex_lock(&evl.lock);
	evl.sleep_until = 0; /* awake: the next pass sees every change */
	pthread_mutex_unlock(&evl.lock);
	for (int i = 0; i < n; i++) {
		virEventHandleCallback cb;
		void *opaque;
		int id = (int)ev[i].data.u64, fd, events;
		if (id == 0) { /* our eventfd */
			uint64_t v;
			if (read(evl.wake, &v, sizeof(v)) < 0) {
				/* nothing to read: another pass drained it */
			}
			continue;
		}
		pthread_mutex_lock(&evl.lock);
		struct evl_handle *h = evl_handle_find(id);
		events = h ? evl_from_epoll(ev[i].events) & (h->events | VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP)
			   : 0;
		if (!h || !h->events || !events) {
			pthread_mutex_unlock(&evl.lock);
			continue;
		}
		cb = h->cb;
		opaque = h->opaque;
		fd = h->fd;
		pthread_mutex_unlock(&evl.lock);
		cb(id, fd, events, opaque);
	}
	evl_run_timers();
	evl_try_writes();
}

int be_evloop_register(char **err)
{
	struct epoll_event ee = { .events = EPOLLIN, .data.u64 = 0 };

	evl.ep = epoll_create1(EPOLL_CLOEXEC);
	evl.wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (evl.ep < 0 || evl.wake < 0 || epoll_ctl(evl.ep, EPOLL_CTL_ADD, evl.wake, &ee) < 0) {
		*err = xasprintf("could not set up the event loop: %s", strerror(errno));
		if (evl.ep >= 0)
			close(evl.ep);
		if (evl.wake >= 0)
			close(evl.wake);
		evl.ep = evl.wake = -1;
		return -1;
	}
	virEventRegisterImpl(evl_add_handle, evl_update_handle, evl_remove_handle, evl_add_timeout,
			     evl_update_timeout, evl_remove_timeout);
	return 0;
}

void be_evloop_run(const _Atomic bool *stop)
{
	evl_on_loop = true;
	while (!atomic_load(stop))
		evl_run_once();
	evl_on_loop = false;
	evl_try_writes(); /* (none: each pass ends with it) */
	evl_reap();
	atomic_store(&evl.away_since, core_now_ms()); /* not running: away */
}

int64_t be_evloop_away_ms(void)
{
	int64_t since = atomic_load(&evl.away_since);
	return since ? core_now_ms() - since : 0;
}

void be_evloop_interrupt(void)
{
	evl_wake();
}

void be_evloop_figures(int *handles, int *timers, unsigned long long *wakes, unsigned long long *scans)
{
	pthread_mutex_lock(&evl.lock);
	if (handles)
		*handles = evl.nhandles;
	if (timers)
		*timers = evl.ntimers;
	if (wakes)
		*wakes = evl.wakes;
	if (scans)
		*scans = evl.scans;
	pthread_mutex_unlock(&evl.lock);
}
