/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_detect.c - see be_detect.h. */
#include "be_detect.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "../core/util.h"
#include "be_internal.h"
#include "be_osinfo.h"

/* the database's load takes about a second here; a minute is a wait for
 * a stuck disk, not for a load */
#define DETECT_DB_WAIT_MS 60000

static atomic_uint_fast64_t detect_seq;

struct detect_job {
	int op, host_id;
	uint64_t seq;
	char *path;
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

static void *detect_main(void *arg)
{
	struct detect_job *j = arg;
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

static uint64_t detect_start(int op, int host_id, const char *path)
{
	struct detect_job *j = xcalloc(1, sizeof(*j));
	pthread_t t;
	j->op = op;
	j->host_id = host_id;
	j->seq = (UINT64_C(1) << 63) | (uint64_t)(atomic_fetch_add(&detect_seq, 1) + 1);
	j->path = path ? xstrdup(path) : NULL;
	uint64_t seq = j->seq;
	be_osinfo_preload();
	be_live_hosts_add(+1); /* be_fini waits for it (up to its limit) */
	if (pthread_create(&t, NULL, detect_main, j) != 0)
		detect_main(j); /* no thread: here (the answer still comes as a message) */
	else
		pthread_detach(t);
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
