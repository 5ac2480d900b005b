/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_detect.c - see be_detect.h. */
#include "be_detect.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "../core/util.h"
#include "be_internal.h"
#include "be_osinfo.h"
#include "be_seed.h"

/* the database's load takes about a second here; a minute is a wait for
 * a stuck disk, not for a load */
#define DETECT_DB_WAIT_MS 60000

static atomic_uint_fast64_t detect_seq;

struct detect_job {
	int op, host_id;
	uint64_t seq;
	char *path;
	char *meta, *user; /* SEED_BUILD */
};

static md_msg *detect_answer(const struct detect_job *j, bool ok, char *text)
{
	md_msg *m = md_msg_new(MD_MSG_OP_RESULT, j->host_id);
	m->op = j->op;
	m->seq = j->seq;
	m->ok = ok;
	m->text = text;
	return m;
}

static void detect_iso(const struct detect_job *j, const be_osinfo *db, md_msg *m)
{
	const be_os *os = NULL;
	char *err = NULL;
	m->strs = xcalloc(3, sizeof(*m->strs));
	m->nstrs = 2;
	m->strs[1] = xstrdup(j->path);
	if (be_osinfo_detect(db, j->path, &os, &err) < 0) {
		m->ok = false;
		m->text = xasprintf("The OS was not detected: %s", err ? err : "?");
		free(err);
		return;
	}
	m->ok = true;
	if (os) {
		m->strs[0] = xstrdup(os->id);
		m->text = xasprintf("Detected %s on the install media", os->name);
	} else {
		m->strs[0] = xstrdup("");
		m->text = xstrdup("The install media is not one libosinfo knows: Generic");
	}
}

/* BE_OP_SSH_KEYS, BE_OP_SEED_BUILD: no database needed */
static md_msg *other_job(struct detect_job *j)
{
	md_msg *m = detect_answer(j, true, NULL);
	char *err = NULL, *iso;
	if (j->op == BE_OP_SSH_KEYS) {
		m->strs = be_seed_user_keys(NULL, true, &m->nstrs);
		return m;
	}
	if (!(iso = be_seed_temp_iso(&err)) || be_seed_build_files(j->meta, j->user, iso, &err) < 0) {
		be_seed_discard(iso);
		free(iso);
		m->ok = false;
		m->text = xasprintf("Could not make the cloud-init seed: %s", err ? err : "?");
		free(err);
		return m;
	}
	m->strs = xcalloc(2, sizeof(*m->strs));
	m->strs[0] = iso;
	m->nstrs = 1;
	return m;
}

static void *detect_main(void *arg)
{
	struct detect_job *j = arg;
	if (j->op == BE_OP_SSH_KEYS || j->op == BE_OP_SEED_BUILD) {
		be_post(other_job(j));
		free(j->meta);
		free(j->user);
		free(j);
		be_live_hosts_add(-1);
		return NULL;
	}
	const be_osinfo *db = be_osinfo_shared_wait(DETECT_DB_WAIT_MS);
	const char *why = be_osinfo_shared_error();
	md_msg *m;
	if (!db)
		m = detect_answer(j, false, xasprintf("The OS database did not load: %s", why ? why : "it takes too long"));
	else if (j->op == BE_OP_OSINFO_READY)
		m = detect_answer(j, true, NULL);
	else
		detect_iso(j, db, m = detect_answer(j, false, NULL));
	be_post(m);
	free(j->path);
	free(j);
	be_live_hosts_add(-1);
	return NULL;
}

static uint64_t detect_run(struct detect_job *j, int op, int host_id, const char *path);

/* ---- the spawner: threads made off the UI thread ----------------------------
 *
 * pthread_create maps the new thread's stack: it takes the process's
 * mmap lock for writing, and waits (D state) while any other thread holds
 * it: a worker below the UI's priority in munmap or malloc_trim, starved
 * by a loaded machine, made a wizard's key wait hundreds of ms. So the
 * UI thread only queues the job (a mutex and a condition: no mapping);
 * the spawner, a thread made at be_init, makes the job's thread. */

struct spawn_job {
	void *(*fn)(void *);
	void *arg;
	struct spawn_job *next;
};

static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t spawn_cond = PTHREAD_COND_INITIALIZER;
static struct spawn_job *spawn_head, **spawn_tail = &spawn_head;
static bool spawn_up, spawn_stop;
static pthread_t spawn_thread;

static void spawn_now(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	if (pthread_create(&t, NULL, fn, arg) != 0)
		fn(arg); /* no thread: here (the answer still comes as a message) */
	else
		pthread_detach(t);
}

static void *spawn_main(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&spawn_lock);
	for (;;) {
		struct spawn_job *j = spawn_head;
		if (!j) {
			if (spawn_stop)
				break;
			pthread_cond_wait(&spawn_cond, &spawn_lock);
			continue;
		}
		spawn_head = j->next;
		if (!spawn_head)
			spawn_tail = &spawn_head;
		pthread_mutex_unlock(&spawn_lock);
		spawn_now(j->fn, j->arg);
		free(j);
		pthread_mutex_lock(&spawn_lock);
	}
	pthread_mutex_unlock(&spawn_lock);
	return NULL;
}

void be_spawner_start(void)
{
	pthread_mutex_lock(&spawn_lock);
	if (!spawn_up) {
		spawn_stop = false;
		spawn_up = pthread_create(&spawn_thread, NULL, spawn_main, NULL) == 0;
	}
	pthread_mutex_unlock(&spawn_lock);
}

void be_spawner_stop(void)
{
	bool up;
	pthread_mutex_lock(&spawn_lock);
	up = spawn_up;
	spawn_stop = true;
	pthread_cond_broadcast(&spawn_cond);
	pthread_mutex_unlock(&spawn_lock);
	if (up)
		pthread_join(spawn_thread, NULL); /* it starts what was queued first */
	pthread_mutex_lock(&spawn_lock);
	spawn_up = false;
	pthread_mutex_unlock(&spawn_lock);
}

void be_spawn(void *(*fn)(void *), void *arg)
{
	struct spawn_job *j;
	pthread_mutex_lock(&spawn_lock);
	if (!spawn_up || spawn_stop) {
		pthread_mutex_unlock(&spawn_lock);
		spawn_now(fn, arg);
		return;
	}
	j = xcalloc(1, sizeof(*j));
	j->fn = fn;
	j->arg = arg;
	*spawn_tail = j;
	spawn_tail = &j->next;
	pthread_cond_signal(&spawn_cond);
	pthread_mutex_unlock(&spawn_lock);
}

void be_detached(void *(*fn)(void *), void *arg)
{
	be_live_hosts_add(+1); /* be_fini waits for it (up to its limit); fn ends with -1 */
	be_spawn(fn, arg);
}

static uint64_t detect_start(int op, int host_id, const char *path)
{
	return detect_run(xcalloc(1, sizeof(struct detect_job)), op, host_id, path);
}

static uint64_t detect_run(struct detect_job *j, int op, int host_id, const char *path)
{
	j->op = op;
	j->host_id = host_id;
	j->seq = (UINT64_C(1) << 63) | (uint64_t)(atomic_fetch_add(&detect_seq, 1) + 1);
	j->path = path ? xstrdup(path) : NULL;
	uint64_t seq = j->seq;
	if (op == BE_OP_OSINFO_READY || op == BE_OP_ISO_DETECT)
		be_osinfo_preload();
	be_detached(detect_main, j);
	return seq;
}

uint64_t be_osinfo_ready_start(int host_id)
{
	return detect_start(BE_OP_OSINFO_READY, host_id, NULL);
}

uint64_t be_iso_detect_start(int host_id, const char *path)
{
	return detect_start(BE_OP_ISO_DETECT, host_id, path ? path : "");
}

uint64_t be_ssh_keys_start(int host_id)
{
	return detect_start(BE_OP_SSH_KEYS, host_id, NULL);
}

uint64_t be_seed_build_start(int host_id, const char *meta, const char *user)
{
	struct detect_job *j = xcalloc(1, sizeof(*j));
	j->meta = xstrdup(meta ? meta : "");
	j->user = xstrdup(user ? user : "");
	return detect_run(j, BE_OP_SEED_BUILD, host_id, NULL);
}

/* ---- waiting for a host's connection ----------------------------------------------- */

struct wait_job {
	be_host *h;
	int host_id, timeout_ms, min_ms;
	uint64_t seq;
};

static void *wait_main(void *arg)
{
	struct wait_job *j = arg;
	int64_t end = core_now_ms() + j->timeout_ms;
	virConnectPtr conn = NULL;
	md_msg *m = md_msg_new(MD_MSG_OP_RESULT, j->host_id);
	if (j->min_ms > 0)
		usleep((useconds_t)j->min_ms * 1000);
	while (!(conn = be_host_conn_get(j->h, NULL)) && !be_host_stopping(j->h) && core_now_ms() < end)
		usleep(100 * 1000);
	m->op = BE_OP_HOST_WAIT;
	m->seq = j->seq;
	m->ok = conn != NULL;
	if (conn)
		virConnectClose(conn);
	else
		m->text = xasprintf("The host did not come back in %d s", j->timeout_ms / 1000);
	be_post(m);
	be_host_unref(&j->h);
	free(j);
	be_live_hosts_add(-1);
	return NULL;
}

uint64_t be_host_wait_start(be_host *h, int host_id, int timeout_ms, int min_ms)
{
	struct wait_job *j = xcalloc(1, sizeof(*j));
	uint64_t seq;
	be_host_ref(h);
	j->h = h;
	j->host_id = host_id;
	j->timeout_ms = timeout_ms;
	j->min_ms = min_ms;
	seq = j->seq = (UINT64_C(1) << 63) | (uint64_t)(atomic_fetch_add(&detect_seq, 1) + 1);
	be_detached(wait_main, j);
	return seq;
}
