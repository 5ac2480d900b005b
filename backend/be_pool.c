/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_pool.c - the worker pool that runs the hosts' jobs.
 *
 * A fixed number of worker threads ($VMMC_WORKERS, default 8) serve every
 * host: a host with work (a job, a lost connection, a due reconnect, being
 * freed) is put on the run queue once; a worker takes it, runs ONE step of
 * it (be_host_step: one job, a connect ...) and puts it back at the tail
 * when it has more, so a host's jobs run in order, one at a time, and a
 * thousand hosts cost eight threads, not a thousand.
 *
 * A host blocked in a slow call (a far host, a daemon stopped, a prompt
 * waiting for the user) holds the one worker running its step and no
 * other. When work is queued, no worker is idle and fewer than the base
 * number are making progress (the others are in a login, or have been in
 * one step longer than BE_POOL_STUCK_MS, asleep for most of it: a step
 * slow because it computes or waits for a CPU is progress), one more worker
 * starts, up to four times the
 * base (at most BE_POOL_CAP); extra workers end after BE_POOL_RETIRE_MS
 * idle.
 *
 * At most $VMMC_SERVER_WORKERS (default 16) workers run steps of one
 * server's hosts at once (h->pool_dest: an ssh:// host's address and
 * port, a libvirt URI's host part, "" for this machine's daemons): the
 * others of its hosts wait in the run queue, the hosts of other servers
 * go past them. When a server stops answering, its hosts' steps block one
 * after another; more threads would block the same way, and each one
 * leaves its stack and malloc caches behind (the one-hour soak: 100 hosts
 * on one slow daemon made the pool grow to 88 workers and kept 1.5-3 MiB
 * after them).
 *
 * Idle workers wait on a stack, each on its own condition: new work wakes
 * the one that went idle last. Waking any waiter (one shared condition)
 * spread a steady trickle of jobs over every worker a surge had started,
 * so none stayed idle for BE_POOL_RETIRE_MS and the surge's threads, with
 * their malloc caches, stayed for good (tests/unit/test_pool.c
 * test_surge_retires).
 *
 * Timers (a reconnect due at some time) are kept here: the idle workers
 * wait until the earliest one, no thread wakes for a host that has nothing
 * to do. Lock order: a host's lock, then the pool's. */
#include "be_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <libxml/xmlerror.h>

#include "../core/log.h"
#include "../core/util.h"

#define BE_POOL_BASE_DEFAULT 8
#define BE_POOL_SERVER_DEFAULT 16
#define BE_POOL_CAP 96
#define BE_POOL_STUCK_MS 250
#define BE_POOL_RETIRE_MS 10000
#define BE_POOL_TRIM_MS 60000   /* be_heap_trim at most this often */

/* Workers are joined, not detached: a thread's exit runs its libraries'
 * thread-local destructors (OpenSSL's state of the SSH logins it made),
 * and be_pool_quit must know they ran before the program exits. */
struct be_worker {
	int64_t since_ms;          /* when its current step began, 0 = idle */
	bool waiting;              /* its step waits on the network (be_pool_waiting) */
	bool used;                 /* a thread has this slot */
	bool ended;                /* its thread returned: join it (be_pool_reap) */
	bool detached;             /* left running at be_pool_quit: never joined */
	bool idle;                 /* on the idle stack (be_pool.idle) */
	pid_t tid;                 /* its thread's id (/proc/self/task/TID) */
	int64_t busy0_ns;          /* be_thread_busy_ns at its step's start, -1 unknown */
	uint32_t dest;             /* its step's host's server (h->pool_dest), while since_ms */
	struct be_worker *idle_next;
	pthread_cond_t cond;       /* this worker, idle (CLOCK_MONOTONIC) */
	pthread_t th;
};

static struct {
	pthread_mutex_t lock;
	struct be_worker *idle;    /* idle workers, the last to go idle first */
	pthread_cond_t gone;       /* a worker ended */
	pthread_cond_t watch;      /* the watchdog: work queued, no worker idle */
	bool cond_init, watchdog;
	be_host *head, *tail;      /* run queue (h->pool_next) */
	be_host *timers;           /* hosts with a timer (h->timer_next) */
	int nworkers, nidle, base, cap, peak;
	int server_max;            /* workers in steps of one server's hosts at most */
	bool quit;
	int64_t trim_next_ms;      /* be_heap_trim's next turn */
	struct be_worker slot[BE_POOL_CAP];
} be_pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

static __thread struct be_worker *be_self; /* the worker this thread is */

/* In-process drivers (test:///FILE) parse XML on the worker: libxml2's
 * per-thread default would print warnings on the terminal. */
static void be_xml_quiet(void *ctx, const char *fmt, ...)
{
}

/* pool lock */
static void be_pool_setup(void)
{
	pthread_condattr_t ca;
	const char *e;
	long v;

	if (be_pool.cond_init)
		return;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	for (int i = 0; i < BE_POOL_CAP; i++)
		pthread_cond_init(&be_pool.slot[i].cond, &ca);
	pthread_cond_init(&be_pool.gone, &ca);
	pthread_cond_init(&be_pool.watch, &ca);
	pthread_condattr_destroy(&ca);
	be_pool.cond_init = true;
	e = getenv("VMMC_WORKERS");
	v = e && *e ? strtol(e, NULL, 10) : 0;
	be_pool.base = v >= 1 && v <= BE_POOL_CAP ? (int)v : BE_POOL_BASE_DEFAULT;
	/* four times the base for steps stuck in slow calls, and one more per
	 * connect slot: logins wait on the network, not on this machine */
	v = be_pool.base * 4 + be_connect_total();
	be_pool.cap = v < BE_POOL_CAP ? (int)v : BE_POOL_CAP;
	e = getenv("VMMC_SERVER_WORKERS");
	v = e && *e ? strtol(e, NULL, 10) : 0;
	be_pool.server_max = v >= 1 && v <= BE_POOL_CAP ? (int)v : BE_POOL_SERVER_DEFAULT;
}

/* pool lock: h to the run queue's tail (a watched host: its head) unless
 * it is there or running */
static bool be_pool_push(be_host *h)
{
	if (h->pool_running || h->in_runq)
		return false;
	h->in_runq = true;
	h->pool_next = NULL;
	if ((h->watched || h->urgent) && be_pool.head) {
		h->pool_next = be_pool.head;
		be_pool.head = h;
	} else {
		if (be_pool.tail)
			be_pool.tail->pool_next = h;
		else
			be_pool.head = h;
		be_pool.tail = h;
	}
	return true;
}

/* pool lock: the idle worker on top (the one that watches the timers)
 * looks again, keeping its place: an earlier deadline */
static void be_pool_wake_timer(void)
{
	if (be_pool.idle)
		pthread_cond_signal(&be_pool.idle->cond);
}

/* pool lock: wake the worker that went idle last; false: none is idle */
static bool be_pool_wake_idle(void)
{
	struct be_worker *w = be_pool.idle;
	if (!w)
		return false;
	be_pool.idle = w->idle_next;
	w->idle_next = NULL;
	w->idle = false;
	be_pool.nidle--;
	pthread_cond_signal(&w->cond);
	if (be_pool.timers) /* the next one watches the clock now */
		be_pool_wake_timer();
	return true;
}

/* pool lock: every idle worker looks again (quitting) */
static void be_pool_wake_all(void)
{
	for (struct be_worker *w = be_pool.idle; w; w = w->idle_next)
		pthread_cond_signal(&w->cond);
}

/* pool lock: h, in the run queue after prev (NULL: at its head), out of it */
static void be_pool_unlink_after(be_host *h, be_host *prev)
{
	if (prev)
		prev->pool_next = h->pool_next;
	else
		be_pool.head = h->pool_next;
	if (be_pool.tail == h)
		be_pool.tail = prev;
	h->pool_next = NULL;
	h->in_runq = false;
}

/* pool lock: h out of the run queue (it is in it) */
static void be_pool_unlink(be_host *h)
{
	be_host *prev = NULL;
	be_host *k;
	for (k = be_pool.head; k && k != h; k = k->pool_next)
		prev = k;
	if (k)
		be_pool_unlink_after(h, prev);
}

/* pool lock: the earliest timer, 0 = none; due ones move to the run queue */
static int64_t be_pool_timers_due(int64_t now)
{
	int64_t next = 0;
	be_host **pp = &be_pool.timers;
	while (*pp) {
		be_host *h = *pp;
		if (h->timer_at_ms <= now) {
			*pp = h->timer_next;
			h->timer_next = NULL;
			h->timer_at_ms = 0;
			h->in_timers = false;
			if (be_pool_push(h))
				be_pool_wake_idle(); /* more than this worker takes */
			continue;
		}
		if (!next || h->timer_at_ms < next)
			next = h->timer_at_ms;
		pp = &h->timer_next;
	}
	return next;
}

/* pool lock: the workers in a step of server d's hosts (all of them: -1) */
static int be_pool_on_server(int64_t d)
{
	int n = 0;
	for (int i = 0; i < BE_POOL_CAP; i++) {
		const struct be_worker *w = &be_pool.slot[i];
		n += w->used && w->since_ms && (d < 0 || w->dest == (uint32_t)d);
	}
	return n;
}

/* pool lock: the first host in the run queue whose server has room
 * (be_pool.server_max), *prev the one before it; NULL: none may run now */
static be_host *be_pool_pick(be_host **prev)
{
	bool any = be_pool_on_server(-1) < be_pool.server_max; /* (no server can be full) */
	int64_t full = -1;

	*prev = NULL;
	for (be_host *h = be_pool.head; h; *prev = h, h = h->pool_next) {
		if (any)
			return h;
		if (full == (int64_t)h->pool_dest)
			continue;
		if (be_pool_on_server(h->pool_dest) < be_pool.server_max)
			return h;
		full = h->pool_dest; /* (its other hosts: not counted again) */
	}
	return NULL;
}

static be_host *be_pool_pop(void)
{
	be_host *prev, *h = be_pool_pick(&prev);
	if (h) {
		be_pool_unlink_after(h, prev);
		h->pool_running = true;
		h->urgent = false;
	}
	return h;
}

/* Memory freed after a burst of work (many hosts re-reading their lists at
 * once) stays in glibc's per-thread arenas, so RSS kept each burst's
 * high-water mark (the one-hour soak, tests/soak/hosts.sh, 100 ssh:// hosts:
 * 3.5 MiB of 61 came back). At most once a BE_POOL_TRIM_MS, by a worker that
 * found the queue empty (never the UI thread), the free pages go back. */
static void be_heap_trim(void)
{
#ifdef __GLIBC__
	int64_t t0 = core_now_us();
	malloc_trim(0);
	if (core_now_us() - t0 > 2000)
		core_log("pool", "malloc_trim took %lld us", (long long)(core_now_us() - t0));
#endif
}

/* The time thread tid has spent on a CPU or waiting for one (ns, from
 * /proc's schedstat: run time + run-queue wait); -1 unknown. */
static int64_t be_thread_busy_ns(pid_t tid)
{
	int64_t run, wait;
	if (tid <= 0 || core_thread_schedstat((int)tid, &run, &wait) < 0)
		return -1;
	return run + wait;
}

/* pool lock: w (idle) off the idle stack; when it was on top, the next
 * one watches the timers now */
static void be_pool_idle_drop(struct be_worker *w)
{
	bool top = be_pool.idle == w;
	for (struct be_worker **pp = &be_pool.idle; *pp; pp = &(*pp)->idle_next)
		if (*pp == w) {
			*pp = w->idle_next;
			break;
		}
	w->idle_next = NULL;
	w->idle = false;
	be_pool.nidle--;
	if (top && be_pool.timers)
		be_pool_wake_timer();
}

static void *be_pool_main(void *arg)
{
	struct be_worker *w = arg;
	int64_t idle_since = core_now_ms();

	be_self = w;
	w->tid = (pid_t)syscall(SYS_gettid);
	core_thread_below_ui(); /* a connect storm must not make a key wait */
	xmlSetGenericErrorFunc(NULL, be_xml_quiet);
	pthread_mutex_lock(&be_pool.lock);
	for (;;) {
		be_host *h;
		int64_t now = core_now_ms(), next = be_pool_timers_due(now);
		if ((h = be_pool_pop()) != NULL) {
			if (w->idle) /* woken to look again, and work is there */
				be_pool_idle_drop(w);
			w->since_ms = now;
			w->dest = h->pool_dest;
			w->busy0_ns = -1;
			pthread_mutex_unlock(&be_pool.lock);
			__atomic_store_n(&w->busy0_ns, be_thread_busy_ns(w->tid), __ATOMIC_RELAXED);
			be_host_step(h); /* may free h */
			pthread_mutex_lock(&be_pool.lock);
			w->since_ms = 0;
			w->waiting = false;
			idle_since = core_now_ms();
			continue;
		}
		if (be_pool.quit ||
		    (be_pool.nworkers > be_pool.base && now - idle_since >= BE_POOL_RETIRE_MS)) {
			if (w->idle)
				be_pool_idle_drop(w);
			break;
		}
		if (now >= be_pool.trim_next_ms) { /* the queue ran dry: a burst's memory goes back */
			be_pool.trim_next_ms = now + BE_POOL_TRIM_MS;
			pthread_mutex_unlock(&be_pool.lock);
			be_heap_trim();
			pthread_mutex_lock(&be_pool.lock);
			continue;
		}
		if (!w->idle) { /* on top; one woken to look again keeps its place */
			w->idle = true;
			w->idle_next = be_pool.idle;
			be_pool.idle = w;
			be_pool.nidle++;
		}
		if (be_pool.idle != w) /* only the one on top watches the timers */
			next = 0;
		if (next || be_pool.nworkers > be_pool.base) {
			struct timespec ts;
			int64_t until = be_pool.nworkers > be_pool.base ? idle_since + BE_POOL_RETIRE_MS : next;
			if (next && next < until)
				until = next;
			core_timespec_in(&ts, CLOCK_MONOTONIC, until - now);
			pthread_cond_timedwait(&w->cond, &be_pool.lock, &ts);
		} else {
			pthread_cond_wait(&w->cond, &be_pool.lock);
		}
	}
	w->ended = true; /* joined by be_pool_reap */
	be_pool.nworkers--;
	pthread_cond_broadcast(&be_pool.gone);
	pthread_mutex_unlock(&be_pool.lock);
	return NULL;
}

/* pool lock: the slots of workers that ended are free again (their
 * threads joined: past the pool lock already, they only finish exiting) */
static void be_pool_reap(void)
{
	for (int i = 0; i < BE_POOL_CAP; i++) {
		struct be_worker *w = &be_pool.slot[i];
		if (!w->used || !w->ended)
			continue;
		if (!w->detached)
			pthread_join(w->th, NULL);
		w->used = w->ended = w->detached = false;
	}
}

/* pool lock: start one more worker; false when none could start */
static bool be_pool_spawn(void)
{
	struct be_worker *w = NULL;
	int rc;

	be_pool_reap();
	for (int i = 0; i < BE_POOL_CAP && !w; i++)
		if (!be_pool.slot[i].used)
			w = &be_pool.slot[i];
	if (!w)
		return false;
	w->used = true;
	w->ended = w->detached = false;
	w->since_ms = 0;
	rc = pthread_create(&w->th, NULL, be_pool_main, w);
	if (rc != 0) {
		w->used = false;
		core_log("host", "cannot start a worker thread: %s (%d running)", strerror(rc),
			 be_pool.nworkers);
		return false;
	}
	be_pool.nworkers++;
	if (be_pool.nworkers > be_pool.peak)
		be_pool.peak = be_pool.nworkers;
	return true;
}

/* pool lock: worker w counts as stuck: in a login (waiting), or in one
 * step for over BE_POOL_STUCK_MS and asleep (on no CPU, wanting none) for
 * most of it. A step slow because it computes, or because this machine
 * is busy and it waits for a CPU, does not go faster with more threads:
 * each new one only adds its stack and malloc caches, which stay in the
 * heap after it ends (the one-hour soak grew by about 1 MiB per surge). */
static bool be_worker_stuck(const struct be_worker *w, int64_t now)
{
	int64_t b0, b;
	if (!w->used || !w->since_ms)
		return false;
	if (w->waiting)
		return true;
	if (now - w->since_ms <= BE_POOL_STUCK_MS)
		return false;
	b0 = __atomic_load_n(&w->busy0_ns, __ATOMIC_RELAXED);
	b = b0 >= 0 ? be_thread_busy_ns(w->tid) : -1;
	if (b < 0)
		return true; /* unknown: as if asleep */
	return (b - b0) * 2 < (now - w->since_ms) * 1000000;
}

/* pool lock: work waits and no worker is idle: one more worker when fewer
 * than the base number are making progress. true: nothing more to do now
 * (one started, or the pool is at its cap) */
static bool be_pool_grow(void)
{
	int stuck = 0;
	int64_t now = core_now_ms();
	be_host *prev;

	if (be_pool.nworkers >= be_pool.cap)
		return true;
	if (!be_pool_pick(&prev))
		return false; /* what waits is all of servers with their workers in use */
	for (int i = 0; i < BE_POOL_CAP; i++)
		stuck += be_worker_stuck(&be_pool.slot[i], now);
	if (be_pool.nworkers - stuck >= be_pool.base)
		return false;
	if (!be_pool_spawn())
		return false;
	core_log("host", "%d hosts logging in or blocked in a call for over %d ms: %d workers", stuck,
		 BE_POOL_STUCK_MS, be_pool.nworkers);
	return true;
}

/* A thread that sleeps unless work waits with no worker idle; then it
 * looks every BE_POOL_STUCK_MS / 2 whether the busy workers are stuck (no
 * new job may come to trigger the check: a connect storm against hosts
 * that do not answer). */
static void *be_pool_watchdog(void *arg)
{
	pthread_mutex_lock(&be_pool.lock);
	for (;;) {
		struct timespec ts;
		while (!(be_pool.head && be_pool.nidle == 0) && !be_pool.quit)
			pthread_cond_wait(&be_pool.watch, &be_pool.lock);
		if (be_pool.quit)
			break;
		core_timespec_in(&ts, CLOCK_MONOTONIC, BE_POOL_STUCK_MS / 2);
		pthread_cond_timedwait(&be_pool.watch, &be_pool.lock, &ts);
		if (be_pool.head && be_pool.nidle == 0)
			be_pool_grow();
	}
	be_pool.watchdog = false;
	pthread_cond_broadcast(&be_pool.gone);
	pthread_mutex_unlock(&be_pool.lock);
	return NULL;
}

/* pool lock: work was queued; wake a worker or start one */
static void be_pool_wake(void)
{
	if (be_pool_wake_idle())
		return;
	if (be_pool.nworkers < be_pool.base) {
		be_pool_spawn();
		return;
	}
	if (be_pool_grow())
		return;
	if (!be_pool.watchdog) {
		pthread_attr_t attr;
		pthread_t t;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		be_pool.watchdog = pthread_create(&t, &attr, be_pool_watchdog, NULL) == 0;
		pthread_attr_destroy(&attr);
	}
	pthread_cond_signal(&be_pool.watch);
}

/* pool lock */
static void be_pool_enqueue(be_host *h)
{
	if (be_pool_push(h))
		be_pool_wake();
}

/* A login is I/O: hundreds of milliseconds of round trips and the
 * server's key exchange, little CPU here. While one runs its worker does
 * not count as making progress, so the hosts behind it (more logins, up to
 * the connect slots, and the lists of hosts already in) get a worker at
 * once instead of after BE_POOL_STUCK_MS. */
void be_pool_waiting(bool on)
{
	struct be_worker *w = be_self;
	if (!w)
		return; /* not a pool worker (a unit test's thread) */
	pthread_mutex_lock(&be_pool.lock);
	w->waiting = on;
	if (on && be_pool.head && be_pool.nidle == 0)
		be_pool_grow();
	pthread_mutex_unlock(&be_pool.lock);
}

void be_pool_kick(be_host *h)
{
	pthread_mutex_lock(&be_pool.lock);
	be_pool_setup();
	be_pool_enqueue(h);
	pthread_mutex_unlock(&be_pool.lock);
}

void be_pool_kick_first(be_host *h)
{
	pthread_mutex_lock(&be_pool.lock);
	be_pool_setup();
	h->urgent = true;
	if (h->in_runq) /* to the head of the line */
		be_pool_unlink(h);
	be_pool_enqueue(h);
	pthread_mutex_unlock(&be_pool.lock);
}

/* h->unwatched, and with probes also !h->probes_wanted, read under the
 * pool lock */
static bool be_pool_away(be_host *h, bool probes)
{
	bool w;
	pthread_mutex_lock(&be_pool.lock);
	w = h->unwatched && !(probes && h->probes_wanted);
	pthread_mutex_unlock(&be_pool.lock);
	return w;
}

bool be_pool_unwatched(be_host *h)
{
	return be_pool_away(h, false);
}

/* its deferred probes may still wait (not on screen, not wanted by a wizard) */
bool be_pool_probes_wait(be_host *h)
{
	return be_pool_away(h, true);
}

void be_host_want_probes(be_host *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&be_pool.lock);
	be_pool_setup();
	if (!h->probes_wanted) {
		h->probes_wanted = true;
		be_pool_enqueue(h); /* its deferred probes now */
	}
	pthread_mutex_unlock(&be_pool.lock);
}

/* pool lock */
static void be_pool_timer_drop(be_host *h)
{
	be_host **pp;
	if (!h->in_timers)
		return;
	for (pp = &be_pool.timers; *pp; pp = &(*pp)->timer_next)
		if (*pp == h) {
			*pp = h->timer_next;
			break;
		}
	h->timer_next = NULL;
	h->in_timers = false;
	h->timer_at_ms = 0;
}

void be_pool_step_done(be_host *h, bool more, int64_t timer_at_ms, bool finished)
{
	pthread_mutex_lock(&be_pool.lock);
	h->pool_running = false;
	if (finished) {
		be_pool_timer_drop(h);
	} else if (more) {
		be_pool_enqueue(h);
	} else if (timer_at_ms) {
		if (!h->in_timers) {
			h->timer_next = be_pool.timers;
			be_pool.timers = h;
			h->in_timers = true;
			h->timer_at_ms = timer_at_ms;
			be_pool_wake_timer(); /* an earlier deadline */
		} else if (timer_at_ms != h->timer_at_ms) {
			h->timer_at_ms = timer_at_ms;
			be_pool_wake_timer();
		}
		if (be_pool.nidle == 0 && be_pool.nworkers == 0)
			be_pool_spawn(); /* someone must watch the clock */
	}
	pthread_mutex_unlock(&be_pool.lock);
}

void be_pool_figures(int *workers, int *peak, int *base)
{
	pthread_mutex_lock(&be_pool.lock);
	be_pool_setup();
	if (workers)
		*workers = be_pool.nworkers;
	if (peak)
		*peak = be_pool.peak;
	if (base)
		*base = be_pool.base;
	pthread_mutex_unlock(&be_pool.lock);
}

void be_pool_quit(int timeout_ms)
{
	struct timespec ts;
	core_timespec_in(&ts, CLOCK_MONOTONIC, timeout_ms);
	pthread_mutex_lock(&be_pool.lock);
	if (!be_pool.cond_init) {
		pthread_mutex_unlock(&be_pool.lock);
		return;
	}
	be_pool.quit = true;
	be_pool_wake_all();
	pthread_cond_broadcast(&be_pool.watch);
	/* a worker still in a step (a host left by be_host_free's timeout)
	 * finishes it and ends on its own */
	while (be_pool.nworkers > 0 || be_pool.watchdog)
		if (pthread_cond_timedwait(&be_pool.gone, &be_pool.lock, &ts) == ETIMEDOUT)
			break;
	be_pool_reap();
	for (int i = 0; i < BE_POOL_CAP; i++) /* still in a step: it ends on its own */
		if (be_pool.slot[i].used && !be_pool.slot[i].detached) {
			pthread_detach(be_pool.slot[i].th);
			be_pool.slot[i].detached = true;
		}
	be_pool.quit = false;
	be_pool.peak = be_pool.nworkers;
	pthread_mutex_unlock(&be_pool.lock);
}

void be_host_watch(be_host *h, bool watched)
{
	pthread_mutex_lock(&be_pool.lock);
	be_pool_setup();
	h->unwatched = !watched;
	if (h->watched != watched) {
		h->watched = watched;
		if (watched && h->in_runq) /* to the head of the line */
			be_pool_unlink(h);
		if (watched) /* events it let wait are read now */
			be_pool_enqueue(h);
	}
	pthread_mutex_unlock(&be_pool.lock);
}
