/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_pool.c - the worker pool (backend/be_pool.c) and connect
 * pacing against libvirt's test driver (in-process) and a mute daemon
 * socket (a listener that never answers: a connect blocked in libvirt):
 * hundreds of hosts on a bounded number of threads, a host's jobs in order,
 * blocked hosts not blocking the others, "waiting" behind the connect
 * limit, the reconnect jitter, and what a host off screen reads only once
 * it is selected. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/tree.h>

#include "pump.h"

#include "../../backend/be.h"
#include "../../backend/be_internal.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"

#define WAIT_MS 20000
#define WORKERS 4     /* $VMMC_WORKERS for this test */
#define CONNECT_MAX 2 /* $VMMC_CONNECT_MAX */

typedef struct result {
	int host_id;
	uint64_t seq;
} result;

static struct {
	core_msgq *q;
	md_model *m;
	result *res;
	size_t nres, cap_res;
	int waiting_posts; /* HOST_STATE "waiting" seen */
	int updates[1024]; /* VM_UPDATE messages by host id (< 1024) */
	int pool_lists[1024], net_lists[1024], domcaps[1024], caps[1024]; /* by host id */
	int next_id;
} T;

static void record(md_msg *msg)
{
	if (msg->type == MD_MSG_OP_RESULT) {
		xgrow(&T.res, &T.cap_res, T.nres + 1, sizeof(*T.res));
		T.res[T.nres++] = (result){ msg->host_id, msg->seq };
	} else if (msg->type == MD_MSG_HOST_STATE && msg->waiting) {
		T.waiting_posts++;
	} else if (msg->host_id >= 0 && msg->host_id < 1024) {
		int *n = msg->type == MD_MSG_VM_UPDATE ? T.updates : msg->type == MD_MSG_POOL_LIST ? T.pool_lists
			 : msg->type == MD_MSG_NET_LIST ? T.net_lists : msg->type == MD_MSG_DOMCAPS ? T.domcaps
			 : msg->type == MD_MSG_HOST_CAPS ? T.caps : NULL;
		if (n)
			n[msg->host_id]++;
	}
}

static bool pump(int64_t end_ms)
{
	return pump_queue(T.q, T.m, record, end_ms);
}

typedef struct th {
	be_host *bh;
	md_host *h;
	int id;
} th;

static th host_open(const char *uri)
{
	th t;
	t.id = ++T.next_id;
	t.h = md_host_add(T.m, t.id, uri);
	t.bh = be_host_new(t.id, uri);
	return t;
}

static void host_close(th *t, int timeout_ms)
{
	be_host_free(&t->bh, timeout_ms);
	assert_null(t->bh);
	md_host_remove(T.m, t->id);
}

static int threads_now(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* a listener that never accepts: libvirt's open blocks on it */
typedef struct mute {
	int fd;
	char path[108];
	char uri[200];
} mute;

static void mute_open(mute *mu, int i)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mu->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(mu->fd >= 0);
	snprintf(mu->path, sizeof(mu->path), "/tmp/vmmc-pool-mute-%d-%d.sock", (int)getpid(), i);
	unlink(mu->path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", mu->path);
	assert_int_equal(bind(mu->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(mu->fd, 4), 0);
	snprintf(mu->uri, sizeof(mu->uri), "qemu+unix:///system?socket=%s", sa.sun_path);
}

static void mute_close(mute *mu)
{
	close(mu->fd); /* the blocked open fails now */
	unlink(mu->path);
}

/* ---- jitter ----------------------------------------------------------------- */

static void test_backoff_jitter(void **state)
{
	static const int base[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };
	for (int a = 0; a < (int)CORE_ARRAY_LEN(base); a++) {
		int64_t lo = be_backoff_ms(a, 0), hi = be_backoff_ms(a, UINT32_MAX);
		int64_t mid = be_backoff_ms(a, UINT32_MAX / 2);
		assert_int_equal(lo, base[a] / 2);
		assert_int_equal(hi, base[a] * 3 / 2);
		assert_in_range(mid, base[a] - 1, base[a] + 1);
	}
	assert_int_equal(be_backoff_ms(-1, 0), 500);
	/* 1000 hosts lost together: their retries spread over the whole window,
	 * none two in the same 10 ms more than a handful of times */
	{
		int buckets[300] = { 0 }, worst = 0, used = 0;
		uint64_t x = 88172645463325252ULL;
		for (int i = 0; i < 1000; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			int64_t ms = be_backoff_ms(0, (uint32_t)(x >> 32));
			assert_in_range(ms, 500, 1500);
			buckets[(ms - 500) / 10 < 300 ? (ms - 500) / 10 : 299]++;
		}
		for (int b = 0; b < 100; b++) {
			used += buckets[b] > 0;
			if (buckets[b] > worst)
				worst = buckets[b];
		}
		assert_true(used >= 95);   /* nearly every 10 ms slot of the second */
		assert_true(worst <= 25);  /* 10 expected per slot */
	}
}

/* ---- the pool ------------------------------------------------------------ */

/* 300 hosts: all connect and list, on at most 4 x WORKERS pool threads */
static void test_many_hosts_few_threads(void **state)
{
	enum { N = 300 };
	th *t = xcalloc(N, sizeof(*t));
	int before = threads_now(), during, workers, peak, base;
	size_t connected = 0;
	char uri[64];

	for (int i = 0; i < N; i++) {
		snprintf(uri, sizeof(uri), "test:///default?name=pool%d", i);
		t[i] = host_open(uri);
	}
	for (int i = 0; i < N; i++) {
		WAIT(t[i].h->conn == MD_CONN_CONNECTED && t[i].h->listed, WAIT_MS);
		connected += t[i].h->conn == MD_CONN_CONNECTED && t[i].h->listed;
	}
	during = threads_now();
	be_pool_figures(&workers, &peak, &base);
	printf("%d hosts: %zu connected; threads %d before, %d with them; pool %d (peak %d, base %d)\n", N,
	       connected, before, during, workers, peak, base);
	assert_int_equal(connected, N);
	assert_int_equal(base, WORKERS);
	assert_true(peak <= 4 * WORKERS);
	assert_true(during - before <= 4 * WORKERS);
	for (int i = 0; i < N; i++)
		host_close(&t[i], 5000);
	free(t);
}

/* A host's jobs run in order, one at a time, among other hosts' jobs */
static void test_jobs_in_order(void **state)
{
	enum { H = 6, J = 40 };
	th t[H];
	uint64_t seqs[H][J];
	char uri[64];

	for (int i = 0; i < H; i++) {
		snprintf(uri, sizeof(uri), "test:///default?name=order%d", i);
		t[i] = host_open(uri);
	}
	T.nres = 0;
	for (int j = 0; j < J; j++)
		for (int i = 0; i < H; i++)
			seqs[i][j] = be_host_submit(t[i].bh, BE_OP_REFRESH, NULL, NULL, 0);
	WAIT(T.nres >= (size_t)(H * J), WAIT_MS);
	assert_int_equal(T.nres, H * J);
	for (int i = 0; i < H; i++) {
		int next = 0;
		for (size_t k = 0; k < T.nres; k++)
			if (T.res[k].host_id == t[i].id) {
				assert_true(next < J);
				assert_int_equal(T.res[k].seq, seqs[i][next]);
				next++;
			}
		assert_int_equal(next, J);
		assert_int_equal(t[i].h->conn, MD_CONN_CONNECTED);
	}
	for (int i = 0; i < H; i++)
		host_close(&t[i], 5000);
}

/* The watched host (the one on screen) is served first: its jobs finish
 * while most of the other hosts' queued jobs still wait */
static void test_watched_first(void **state)
{
	enum { H = 40, J = 15 };
	th t[H];
	char uri[64];
	int done[H] = { 0 }, finished_before = 0;
	size_t k;

	for (int i = 0; i < H; i++) {
		snprintf(uri, sizeof(uri), "test:///default?name=watch%d", i);
		t[i] = host_open(uri);
	}
	for (int i = 0; i < H; i++)
		WAIT(t[i].h->conn == MD_CONN_CONNECTED && t[i].h->listed, WAIT_MS);
	T.nres = 0;
	for (int j = 0; j < J; j++)
		for (int i = 0; i < H; i++)
			be_host_submit(t[i].bh, BE_OP_REFRESH, NULL, NULL, 0);
	be_host_watch(t[H - 1].bh, true); /* the last in line */
	WAIT(T.nres >= (size_t)(H * J), WAIT_MS);
	assert_int_equal(T.nres, H * J);
	for (k = 0; k < T.nres; k++) {
		int i = T.res[k].host_id - t[0].id;
		assert_in_range(i, 0, H - 1);
		if (++done[i] == J && i == H - 1)
			break;
	}
	for (int i = 0; i < H - 1; i++)
		finished_before += done[i] == J;
	printf("the watched host's %d jobs done after %zu of %d results; %d of %d other hosts done by then\n",
	       J, k + 1, H * J, finished_before, H - 1);
	assert_true(finished_before < (H - 1) / 2);
	be_host_watch(t[H - 1].bh, false);
	for (int i = 0; i < H; i++)
		host_close(&t[i], 5000);
}

static bool got_result(uint64_t seq, int id)
{
	for (size_t k = 0; k < T.nres; k++)
		if (T.res[k].seq == seq && T.res[k].host_id == id)
			return true;
	return false;
}

/* A host the UI says is off screen acts on VM events at most once per 5 s
 * (the rest wait and are read in one pass); one never told acts on each */
static void test_unwatched_events_batched(void **state)
{
	th told = host_open("test:///default?name=evoff"), never = host_open("test:///default?name=evon");
	const md_vm *v;
	int base_told, base_never, after_told;
	int64_t t0;

	assert_in_range(told.id, 0, 1023);
	assert_in_range(never.id, 0, 1023);
	WAIT(told.h->listed && never.h->listed, WAIT_MS);
	assert_true(told.h->listed && never.h->listed && told.h->nvms == 1 && never.h->nvms == 1);
	be_host_watch(told.bh, false);
	base_told = T.updates[told.id];
	base_never = T.updates[never.id];
	for (int i = 0; i < 6; i++) {
		int op = i % 2 ? BE_OP_RESUME : BE_OP_SUSPEND;
		uint64_t a = be_host_submit(told.bh, op, told.h->vms[0].uuid, NULL, 0);
		uint64_t b = be_host_submit(never.bh, op, never.h->vms[0].uuid, NULL, 0);
		WAIT(got_result(a, told.id) && got_result(b, never.id), WAIT_MS);
		assert_true(got_result(a, told.id) && got_result(b, never.id));
		PUMP_FOR(100); /* the events come */
	}
	t0 = core_now_ms();
	PUMP_FOR(500);
	after_told = T.updates[told.id] - base_told;
	printf("VM updates after 6 operations: %d on the host off screen, %d on the one never told\n",
	       after_told, T.updates[never.id] - base_never);
	/* each operation posts its own update; the events add one each to the
	 * host never told, at most one (the first) to the other so far */
	assert_true(T.updates[never.id] - base_never >= 6 + 4);
	assert_true(after_told <= 6 + 2);
	/* the waiting ones are read in one pass, within 5 s */
	WAIT(T.updates[told.id] - base_told > after_told, 7000);
	printf("the batched re-read came %lld ms later\n", (long long)(core_now_ms() - t0));
	assert_true(T.updates[told.id] - base_told > after_told);
	v = &told.h->vms[0];
	assert_int_equal(v->state, MD_VM_RUNNING);
	host_close(&told, 5000);
	host_close(&never, 5000);
}

/* Hosts blocked in a connect (more than the pool's base) hold one worker
 * each; the pool grows and the other hosts connect and answer meanwhile.
 * With CONNECT_MAX slots all taken by blocked hosts, a new host shows
 * "waiting" until a slot frees. */
static void test_blocked_hosts_and_waiting(void **state)
{
	enum { B = CONNECT_MAX };
	mute mu[B];
	th blocked[B], ok, later;
	int64_t t0;

	for (int i = 0; i < B; i++) {
		mute_open(&mu[i], i);
		blocked[i] = host_open(mu[i].uri);
	}
	for (int i = 0; i < B; i++)
		WAIT(blocked[i].h->conn == MD_CONN_CONNECTING && !blocked[i].h->waiting, WAIT_MS);
	PUMP_FOR(400); /* inside their blocking opens */
	/* the slots are taken: a new host waits in line, says so, holds no worker */
	later = host_open("test:///default?name=later");
	WAIT(later.h->waiting, WAIT_MS);
	assert_true(later.h->waiting);
	assert_int_equal(later.h->conn, MD_CONN_CONNECTING);
	assert_string_equal(md_host_state_name(later.h), "waiting");
	assert_true(T.waiting_posts >= 1);
	/* a connected host's jobs still run while the others are stuck */
	{
		uint64_t seq;
		size_t n0;
		ok = host_open("test:///default?name=meanwhile");
		/* it waits for a slot too, so free one: the blocked open fails */
		mute_close(&mu[0]);
		WAIT(blocked[0].h->conn == MD_CONN_FAILED, WAIT_MS);
		assert_int_equal(blocked[0].h->conn, MD_CONN_FAILED);
		WAIT(later.h->conn == MD_CONN_CONNECTED && later.h->listed, WAIT_MS);
		assert_false(later.h->waiting);
		assert_int_equal(later.h->conn, MD_CONN_CONNECTED);
		WAIT(ok.h->conn == MD_CONN_CONNECTED && ok.h->listed, WAIT_MS);
		assert_int_equal(ok.h->conn, MD_CONN_CONNECTED);
		n0 = T.nres;
		t0 = core_now_ms();
		seq = be_host_submit(ok.bh, BE_OP_REFRESH, NULL, NULL, 0);
		WAIT(T.nres > n0 && T.res[T.nres - 1].seq == seq, WAIT_MS);
		assert_true(T.nres > n0);
		printf("a refresh answered in %lld ms with %d host(s) blocked in a connect\n",
		       (long long)(core_now_ms() - t0), B - 1);
		assert_true(core_now_ms() - t0 < 5000);
	}
	assert_int_equal(blocked[1].h->conn, MD_CONN_CONNECTING); /* still stuck */
	/* freeing a stuck host returns after its timeout; its worker ends the
	 * host when the call returns */
	t0 = core_now_ms();
	host_close(&blocked[1], 200);
	assert_true(core_now_ms() - t0 < 2000);
	mute_close(&mu[1]);
	host_close(&blocked[0], 5000);
	host_close(&later, 5000);
	host_close(&ok, 5000);
}

/* A host (uri) connected while not selected: two hosts that never answer
 * hold the connect slots (blocked, closed by the caller) until the UI has
 * said "not watched", then it connects and sets up */
static th offscreen_host(th blocked[2], int mute_base, const char *uri)
{
	mute mu[2];
	th t;
	for (int i = 0; i < 2; i++) {
		mute_open(&mu[i], mute_base + i);
		blocked[i] = host_open(mu[i].uri);
	}
	for (int i = 0; i < 2; i++)
		WAIT(blocked[i].h->conn == MD_CONN_CONNECTING && !blocked[i].h->waiting, WAIT_MS);
	t = host_open(uri);
	WAIT(t.h->waiting, WAIT_MS);
	assert_true(t.h->waiting);
	be_host_watch(t.bh, false); /* the UI: its row is not selected */
	mute_close(&mu[0]);
	mute_close(&mu[1]);
	WAIT(t.h->conn == MD_CONN_CONNECTED && t.h->listed && T.net_lists[t.id] > 0, WAIT_MS);
	assert_int_equal(t.h->conn, MD_CONN_CONNECTED);
	return t;
}

/* A host the UI says is not on screen reads what its tree row needs (VMs,
 * networks, pools: the tree shows their numbers) when it connects; its probes (driver abilities,
 * domain capabilities) when it is selected. Two mute hosts hold both
 * connect slots so the host is told before it connects. */
static void test_unwatched_setup_deferred(void **state)
{
	th blocked[2], t = offscreen_host(blocked, 10, "test:///default?name=offscreen");

	assert_true(t.h->nvms >= 1); /* the test driver's VM "test" */
	assert_true(T.net_lists[t.id] >= 1);
	WAIT(T.pool_lists[t.id] > 0, WAIT_MS);
	PUMP_FOR(300); /* nothing more comes for it */
	assert_int_equal(T.pool_lists[t.id], 1);
	assert_int_equal(T.domcaps[t.id], 0);
	assert_int_equal(T.caps[t.id], 0);
	assert_null(t.h->domcaps);
	be_host_watch(t.bh, true); /* selected */
	WAIT(T.domcaps[t.id] > 0 && T.caps[t.id] > 0, WAIT_MS);
	assert_int_equal(T.pool_lists[t.id], 1); /* not listed again */
	assert_int_equal(T.domcaps[t.id], 1);
	assert_true(T.caps[t.id] >= 1);
	assert_non_null(t.h->domcaps);
	be_host_watch(t.bh, false);
	be_host_watch(t.bh, true); /* once per connection */
	PUMP_FOR(300);
	assert_int_equal(T.domcaps[t.id], 1);
	host_close(&t, 5000);
	for (int i = 0; i < 2; i++)
		host_close(&blocked[i], 5000);
}

/* In a connect storm (hosts in line, every connect slot taken) a host off
 * screen that connected waits with its setup (lists, events) until the
 * line is not full, so the logins behind it go first; the host on screen
 * does not wait. Two mute hosts hold both slots (VMMC_CONNECT_TOTAL is 2
 * here); a (off screen), w (on screen), a third mute host and c wait in
 * line. One mute host gives up its slot: a and w connect one after the
 * other, then the third mute host takes the slot and c still waits - the
 * line is full. w is listed, a is not, until the third mute host gives
 * its slot to c: the line is empty, a's setup runs. */
static void test_setup_held(void **state)
{
	mute mu[3];
	th m[3], a, w, c;

	for (int i = 0; i < 2; i++) {
		mute_open(&mu[i], 40 + i);
		m[i] = host_open(mu[i].uri);
	}
	for (int i = 0; i < 2; i++)
		WAIT(m[i].h->conn == MD_CONN_CONNECTING && !m[i].h->waiting, WAIT_MS);
	a = host_open("test:///default?name=held");
	WAIT(a.h->waiting, WAIT_MS);
	be_host_watch(a.bh, false); /* its row is not on screen */
	w = host_open("test:///default?name=shown");
	WAIT(w.h->waiting, WAIT_MS);
	mute_open(&mu[2], 42);
	m[2] = host_open(mu[2].uri);
	WAIT(m[2].h->waiting, WAIT_MS);
	c = host_open("test:///default?name=last");
	WAIT(c.h->waiting, WAIT_MS);
	assert_true(a.h->waiting && w.h->waiting && m[2].h->waiting && c.h->waiting);
	mute_close(&mu[0]);
	WAIT(a.h->conn == MD_CONN_CONNECTED && w.h->listed && m[2].h->conn == MD_CONN_CONNECTING &&
		     !m[2].h->waiting, WAIT_MS);
	assert_int_equal(a.h->conn, MD_CONN_CONNECTED);
	assert_true(w.h->listed); /* on screen: its setup did not wait */
	assert_true(c.h->waiting);
	PUMP_FOR(500);
	assert_false(a.h->listed); /* its setup waits for the line */
	assert_int_equal(T.net_lists[a.id], 0);
	assert_true(c.h->waiting);
	mute_close(&mu[2]); /* its slot to c, the last in line */
	WAIT(c.h->listed && a.h->listed && T.net_lists[a.id] >= 1, WAIT_MS);
	assert_true(a.h->listed);
	assert_true(c.h->listed);
	assert_true(T.net_lists[a.id] >= 1);
	host_close(&c, 5000);
	host_close(&w, 5000);
	host_close(&a, 5000);
	mute_close(&mu[1]);
	for (int i = 0; i < 3; i++)
		host_close(&m[i], 5000);
}

/* A host not selected that a wizard picks (be_host_want_probes): its probes
 * (the domain capabilities the wizard offers from) are read then, still not
 * selected (t_nvm_host_choice found the New VM wizard empty for such a host). */
static void test_wanted_probes(void **state)
{
	th blocked[2], t = offscreen_host(blocked, 20, "test:///default?name=wanted");

	PUMP_FOR(300);
	assert_int_equal(T.domcaps[t.id], 0); /* deferred, as above */
	be_host_want_probes(t.bh);            /* a wizard picked it */
	WAIT(T.domcaps[t.id] > 0, WAIT_MS);
	assert_int_equal(T.domcaps[t.id], 1);
	assert_non_null(t.h->domcaps);
	be_host_want_probes(NULL); /* no host: nothing */
	host_close(&t, 5000);
	for (int i = 0; i < 2; i++)
		host_close(&blocked[i], 5000);
}

/* ---- surges ------------------------------------------------------------- */

/* $VMMC_TIMEOUT_SCALE (1): a loaded machine's room for waits */
static int timeout_scale(void)
{
	const char *e = getenv("VMMC_TIMEOUT_SCALE");
	int v = e ? atoi(e) : 1;
	return v >= 1 ? v : 1;
}

/* the pool's worker count now (be_pool_figures) */
static int workers_now(void)
{
	int w;
	be_pool_figures(&w, NULL, NULL);
	return w;
}

/* n test:///default hosts named PREFIXi in t, connected and listed */
static void default_hosts(th *t, int n, const char *prefix)
{
	char uri[64];
	for (int i = 0; i < n; i++) {
		snprintf(uri, sizeof(uri), "test:///default?name=%s%d", prefix, i);
		t[i] = host_open(uri);
	}
	for (int i = 0; i < n; i++)
		WAIT(t[i].h->conn == MD_CONN_CONNECTED && t[i].h->listed, WAIT_MS);
}

/* A surge's extra workers end once the work is a trickle again: idle
 * workers are woken last-idle-first, so a job every 100 ms keeps one
 * worker busy, not every worker the surge started, and the rest retire
 * after BE_POOL_RETIRE_MS (10 s). Two mute hosts, blocked in their opens
 * (asleep: stuck), make the pool start more workers for a burst of jobs. */
static void test_surge_retires(void **state)
{
	enum { N = 12 };
	th t[N], blocked[2];
	mute mu[2];
	int surge = 0, end, base;
	int64_t until;

	be_pool_figures(NULL, NULL, &base);
	default_hosts(t, N, "surge");
	for (int i = 0; i < 2; i++) {
		mute_open(&mu[i], 30 + i);
		blocked[i] = host_open(mu[i].uri);
	}
	for (int i = 0; i < 2; i++)
		WAIT(blocked[i].h->conn == MD_CONN_CONNECTING && !blocked[i].h->waiting, WAIT_MS);
	PUMP_FOR(400); /* both asleep in their opens for over BE_POOL_STUCK_MS */
	/* bursts of jobs: the two free workers cannot keep up, the pool grows */
	until = core_now_ms() + 5000;
	while (core_now_ms() < until && surge <= base) {
		for (int i = 0; i < N; i++)
			be_host_submit(t[i].bh, BE_OP_REFRESH, NULL, NULL, 0);
		PUMP_FOR(50);
		if (workers_now() > surge)
			surge = workers_now();
	}
	for (int i = 0; i < 2; i++)
		mute_close(&mu[i]);
	for (int i = 0; i < 2; i++)
		WAIT(blocked[i].h->conn == MD_CONN_FAILED, WAIT_MS);
	/* a trickle: one job every 100 ms for the retire time and 4 s more */
	until = core_now_ms() + 14000 * timeout_scale();
	for (int k = 0; core_now_ms() < until && (k < 140 || workers_now() > base); k++) {
		be_host_submit(t[k % N].bh, BE_OP_REFRESH, NULL, NULL, 0);
		PUMP_FOR(100);
	}
	end = workers_now();
	printf("surge: %d workers (base %d); after the trickle %d\n", surge, base, end);
	assert_true(surge > base);
	assert_int_equal(end, base);
	for (int i = 0; i < 2; i++)
		host_close(&blocked[i], 5000);
	for (int i = 0; i < N; i++)
		host_close(&t[i], 5000);
}

/* a test-driver node of n domains in path (libxml2 builds it) */
static void big_node(const char *path, int n)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr node = xmlNewNode(NULL, BAD_CAST "node");
	char name[32];

	xmlDocSetRootElement(doc, node);
	for (int i = 0; i < n; i++) {
		xmlNodePtr d = xmlNewChild(node, NULL, BAD_CAST "domain", NULL);
		xmlNodePtr os;
		xmlNewProp(d, BAD_CAST "type", BAD_CAST "test");
		snprintf(name, sizeof(name), "busy%05d", i);
		xmlNewTextChild(d, NULL, BAD_CAST "name", BAD_CAST name);
		xmlNewTextChild(d, NULL, BAD_CAST "memory", BAD_CAST "65536");
		os = xmlNewChild(d, NULL, BAD_CAST "os", NULL);
		xmlNewTextChild(os, NULL, BAD_CAST "type", BAD_CAST "hvm");
	}
	assert_true(xmlSaveFormatFile(path, doc, 1) > 0);
	xmlFreeDoc(doc);
}

/* Steps slow because they compute (here two hosts opening a test-driver
 * node of 8000 domains, parsed in this process; on a busy machine, any
 * step waiting for a CPU) are on a CPU or waiting for one, not stuck:
 * more threads would not make them faster, so the pool does not grow for
 * them while other hosts' jobs keep the remaining workers busy (it grew by
 * one worker per such step before: a surge each time other work loaded
 * the machine, each leaving memory behind). */
static void test_busy_steps_no_surge(void **state)
{
	enum { N = 8, DOMS = 8000 };
	th t[N], big[2];
	char path[96], uri[160];
	int base, most = 0;
	int64_t t0, took;

	snprintf(path, sizeof(path), "/tmp/vmmc-pool-busy-%d.xml", (int)getpid());
	big_node(path, DOMS);
	be_pool_figures(NULL, NULL, &base);
	default_hosts(t, N, "busy");
	WAIT(workers_now() <= base, 15000 * timeout_scale()); /* earlier extra workers gone */
	assert_int_equal(workers_now(), base);
	t0 = core_now_ms();
	for (int i = 0; i < 2; i++) {
		snprintf(uri, sizeof(uri), "test://%s?name=big%d", path, i);
		big[i] = host_open(uri);
	}
	/* the other hosts' jobs meanwhile: more than the two free workers run */
	while ((big[0].h->conn != MD_CONN_CONNECTED || big[1].h->conn != MD_CONN_CONNECTED) &&
	       core_now_ms() - t0 < 6 * WAIT_MS) {
		for (int i = 0; i < N; i++)
			be_host_submit(t[i].bh, BE_OP_REFRESH, NULL, NULL, 0);
		PUMP_FOR(50);
		if (workers_now() > most)
			most = workers_now();
	}
	took = core_now_ms() - t0;
	printf("two hosts of %d domains opened in %lld ms, other jobs queued meanwhile: workers at most %d "
	       "(base %d)\n", DOMS, (long long)took, most, base);
	assert_int_equal(big[0].h->conn, MD_CONN_CONNECTED);
	assert_int_equal(big[1].h->conn, MD_CONN_CONNECTED);
	assert_true(took > 1000); /* long enough for the opens to count as stuck */
	assert_true(most <= base + 1);
	for (int i = 0; i < 2; i++)
		host_close(&big[i], 5000);
	for (int i = 0; i < N; i++)
		host_close(&t[i], 5000);
	unlink(path);
}

static int group_setup(void **state)
{
	char *err = NULL;
	char n[16];

	snprintf(n, sizeof(n), "%d", WORKERS);
	setenv("VMMC_WORKERS", n, 1);
	snprintf(n, sizeof(n), "%d", CONNECT_MAX);
	setenv("VMMC_CONNECT_MAX", n, 1);
	setenv("VMMC_CONNECT_TOTAL", n, 1); /* (one server here: the same limit) */
	T.q = core_msgq_new(md_msg_free_void);
	T.m = md_model_new();
	if (be_init(T.q, &err) < 0) {
		fprintf(stderr, "be_init: %s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	be_fini();
	free(T.res);
	md_model_free(&T.m);
	core_msgq_free(&T.q);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_jitter),
		cmocka_unit_test(test_many_hosts_few_threads),
		cmocka_unit_test(test_jobs_in_order),
		cmocka_unit_test(test_watched_first),
		cmocka_unit_test(test_unwatched_events_batched),
		cmocka_unit_test(test_blocked_hosts_and_waiting),
		cmocka_unit_test(test_unwatched_setup_deferred),
		cmocka_unit_test(test_setup_held),
		cmocka_unit_test(test_wanted_probes),
		cmocka_unit_test(test_surge_retires),
		cmocka_unit_test(test_busy_steps_no_surge),
	};
	if (getenv("VMMC_TEST_FILTER"))
		cmocka_set_test_filter(getenv("VMMC_TEST_FILTER"));
	return cmocka_run_group_tests_name("pool", tests, group_setup, group_teardown);
}
