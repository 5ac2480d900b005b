/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_loop.c - be_init/be_fini: libvirt's event loop in a thread of
 * its own, the UI queue that results go to, and small shared helpers. */
#include "be_detect.h"
#include "be_internal.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>

#include "../core/log.h"
#include "../core/util.h"

static pthread_mutex_t be_post_lock = PTHREAD_MUTEX_INITIALIZER;
static core_msgq *be_queue;          /* be_post_lock */

static pthread_mutex_t be_live_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t be_live_cond = PTHREAD_COND_INITIALIZER;
static int be_live;                  /* be_host objects not yet freed */

static pthread_t be_loop_thread;
static bool be_loop_running;
static atomic_bool be_loop_stop;
static bool be_loop_default;         /* libvirt's GLib loop, not be_evloop.c */

static const char *const be_op_names[BE_OP__COUNT] = {
	[BE_OP_NONE] = "do nothing with",
	[BE_OP_CONNECT] = "connect",
	[BE_OP_DISCONNECT] = "disconnect",
	[BE_OP_REFRESH] = "refresh",
	[BE_OP_START] = "start",
	[BE_OP_SHUTDOWN] = "shut down",
	[BE_OP_DESTROY] = "turn off",
	[BE_OP_REBOOT] = "reboot",
	[BE_OP_RESET] = "reset",
	[BE_OP_SUSPEND] = "pause",
	[BE_OP_RESUME] = "resume",
	[BE_OP_SAVE] = "save",
	[BE_OP_SAVE_REMOVE] = "discard the saved state of",
	[BE_OP_AUTOSTART_ON] = "turn autostart on for",
	[BE_OP_AUTOSTART_OFF] = "turn autostart off for",
	[BE_OP_DISKS] = "list the disks of",
	[BE_OP_DELETE] = "delete",
	[BE_OP_STATS] = "read the figures of",
	[BE_OP_POOL_START] = "start pool",
	[BE_OP_POOL_STOP] = "stop pool",
	[BE_OP_POOL_REFRESH] = "refresh pool",
	[BE_OP_POOL_AUTOSTART_ON] = "turn autostart on for pool",
	[BE_OP_POOL_AUTOSTART_OFF] = "turn autostart off for pool",
	[BE_OP_POOL_DELETE] = "delete pool",
	[BE_OP_POOL_CREATE] = "create pool",
	[BE_OP_VOL_CREATE] = "create volume",
	[BE_OP_VOL_DELETE] = "delete volume",
	[BE_OP_VOL_RESIZE] = "resize volume",
	[BE_OP_VOL_CLONE] = "clone volume",
	[BE_OP_NET_CREATE] = "create network",
	[BE_OP_NET_START] = "start network",
	[BE_OP_NET_STOP] = "stop network",
	[BE_OP_NET_AUTOSTART_ON] = "turn autostart on for network",
	[BE_OP_NET_AUTOSTART_OFF] = "turn autostart off for network",
	[BE_OP_NET_DELETE] = "delete network",
	[BE_OP_NET_LEASES] = "read the DHCP leases of network",
	[BE_OP_NET_SUGGEST] = "suggest a subnet on",
	[BE_OP_DEFINE] = "define",
	[BE_OP_OSINFO_READY] = "load the OS database for",
	[BE_OP_ISO_DETECT] = "detect the OS of",
	[BE_OP_SSH_KEYS] = "read the SSH keys for",
	[BE_OP_SEED_BUILD] = "make the cloud-init seed for",
	[BE_OP_VOL_SAME] = "compare a file with the volumes of",
	[BE_OP_HOST_WAIT] = "wait for the connection of",
	[BE_OP_AGENT_INFO] = "read the guest information of",
	[BE_OP_AGENT_SYNC_TIME] = "sync the clock of",
	[BE_OP_AGENT_SHUTDOWN] = "shut down",
	[BE_OP_AGENT_REBOOT] = "reboot",
	[BE_OP_AGENT_FREEZE] = "freeze the file systems of",
	[BE_OP_AGENT_THAW] = "thaw the file systems of",
	[BE_OP_AGENT_COPY] = "copy a file to",
	[BE_OP_AGENT_XML] = "read the configuration of",
	[BE_OP_AGENT_AUTOSYNC] = "set automatic time sync of",
	[BE_OP_AGENT_APPLY] = "change",
	[BE_OP_GRAPHICS_OPEN] = "open the graphical console of",
	[BE_OP_GRAPHICS_CLOSE] = "close the graphical console of",
	[BE_OP_VM_DETAILS] = "read the settings of",
	[BE_OP_VM_CHANGE] = "change the settings of",
	[BE_OP_ISO_PROBE] = "read the ISO",
	[BE_OP_INSTALL_PREP] = "extract the installer",
	[BE_OP_INSTALL_START] = "start the installer of",
	[BE_OP_AGENT_CHECKPOINT] = "take a Quiesced Checkpoint of",
};

const char *be_op_name(int op)
{
	if (op < 0 || op >= BE_OP__COUNT || !be_op_names[op])
		return "do something with";
	return be_op_names[op];
}

/* GLib's messages (libosinfo's, GIO's) into the debug log, never the
 * terminal: both of its paths, the old g_log handler and the structured
 * writer. G_LOG_LEVEL_ERROR still aborts, as GLib makes it. */
static void be_glib_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	core_log("glib", "%s (level 0x%x): %s", domain ? domain : "-", (unsigned)level, msg ? msg : "");
}

static GLogWriterOutput be_glib_writer(GLogLevelFlags level, const GLogField *fields, gsize n, gpointer data)
{
	const char *domain = NULL, *msg = NULL;
	for (gsize i = 0; i < n; i++) {
		if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].length < 0)
			domain = fields[i].value;
		else if (strcmp(fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
			msg = fields[i].value;
	}
	be_glib_log(domain, level, msg, data);
	return G_LOG_WRITER_HANDLED;
}

static bool be_log_env_ours; /* LIBVIRT_LOG_OUTPUTS is vmmc's: not for children */

void be_libvirt_logs_to(const char *path)
{
	static bool glib_set;
	if (!glib_set) { /* the writer can be set once per process */
		g_log_set_default_handler(be_glib_log, NULL);
		g_log_set_writer_func(be_glib_writer, NULL, NULL);
		glib_set = true;
	}
	char *outputs;
	if (getenv("LIBVIRT_LOG_OUTPUTS") || getenv("LIBVIRT_DEBUG"))
		return;
	/* warnings and errors (libvirt's level 3) into the log; without a log,
	 * errors only, to /dev/null: libvirt's default output is stderr */
	outputs = path ? xasprintf("3:file:%s", path) : xstrdup("4:file:/dev/null");
	setenv("LIBVIRT_LOG_OUTPUTS", outputs, 1);
	be_log_env_ours = true;
	free(outputs);
}

char *be_libvirt_version(void)
{
	unsigned long v = 0;
	if (virGetVersion(&v, NULL, NULL) < 0)
		return xstrdup("unknown");
	return xasprintf("%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}

/* libvirt must never print: the screen belongs to curses. */
static void be_quiet_error(void *data, virErrorPtr err)
{
	(void)data;
	if (err)
		core_log("libvirt", "error %d (domain %d, level %d): %s", err->code, err->domain,
			 err->level, err->message ? err->message : "?");
}

static void be_wake_timer(int timer, void *opaque)
{
	(void)timer;
	(void)opaque;
}

static void *be_loop_main(void *arg)
{
	(void)arg;
	if (be_loop_default)
		while (!atomic_load(&be_loop_stop))
			virEventRunDefaultImpl();
	else
		be_evloop_run(&be_loop_stop);
	return NULL;
}

/* A write on a connection the far side closed must fail with EPIPE, not
 * kill the console: ignore SIGPIPE unless the program handles it. */
static void be_ignore_sigpipe(void)
{
	struct sigaction sa;
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
}

int be_init(core_msgq *ui_queue, char **err)
{
	static bool registered;

	if (be_loop_running) {
		*err = xstrdup("backend already initialised");
		return -1;
	}
	be_ignore_sigpipe();
	xmlInitParser();
	if (virInitialize() < 0) {
		*err = xasprintf("could not initialise libvirt: %s", virGetLastErrorMessage());
		return -1;
	}
	virSetErrorFunc(NULL, be_quiet_error);
	/* read once, by virInitialize: programs vmmc starts (ssh, viewers)
	 * keep their own */
	if (be_log_env_ours) {
		unsetenv("LIBVIRT_LOG_OUTPUTS");
		be_log_env_ours = false;
	}
	if (!registered) {
		/* $VMMC_EVENT_LOOP=glib: libvirt's own loop (to compare) */
		const char *e = getenv("VMMC_EVENT_LOOP");
		be_loop_default = e && strcmp(e, "glib") == 0;
		if (be_loop_default ? virEventRegisterDefaultImpl() < 0 : be_evloop_register(err) < 0) {
			if (be_loop_default)
				*err = be_last_error(NULL);
			return -1;
		}
		if (!be_loop_default)
			be_ssh_use_loop(); /* ssh:// sessions served on this loop's thread */
		registered = true;
	}
	pthread_mutex_lock(&be_post_lock);
	be_queue = ui_queue;
	pthread_mutex_unlock(&be_post_lock);
	atomic_store(&be_loop_stop, false);
	if (pthread_create(&be_loop_thread, NULL, be_loop_main, NULL) != 0) {
		*err = xstrdup("could not start the event thread");
		return -1;
	}
	be_loop_running = true;
	be_spawner_start(); /* threads made off the UI thread (be_detect.h) */
	return 0;
}

/* Let late libvirt free-callbacks (which run on the event loop) drop their
 * host references, then stop the loop. */
static void be_wait_hosts_gone(int timeout_ms)
{
	struct timespec ts;
	core_timespec_in(&ts, CLOCK_REALTIME, timeout_ms);
	pthread_mutex_lock(&be_live_lock);
	while (be_live > 0)
		if (pthread_cond_timedwait(&be_live_cond, &be_live_lock, &ts) != 0)
			break;
	pthread_mutex_unlock(&be_live_lock);
}

void be_fini(void)
{
	int timer;

	if (!be_loop_running)
		return;
	be_wait_hosts_gone(2000);
	be_spawner_stop();
	be_pool_quit(2000);
	atomic_store(&be_loop_stop, true);
	timer = virEventAddTimeout(0, be_wake_timer, NULL, NULL); /* wakes either loop */
	pthread_join(be_loop_thread, NULL);
	if (timer >= 0)
		virEventRemoveTimeout(timer);
	be_loop_running = false;
	pthread_mutex_lock(&be_post_lock);
	be_queue = NULL;
	pthread_mutex_unlock(&be_post_lock);
}

void be_live_hosts_add(int delta)
{
	pthread_mutex_lock(&be_live_lock);
	be_live += delta;
	if (be_live <= 0)
		pthread_cond_broadcast(&be_live_cond);
	pthread_mutex_unlock(&be_live_lock);
}

void be_post(md_msg *m)
{
	pthread_mutex_lock(&be_post_lock);
	if (be_queue)
		core_msgq_post(be_queue, m);
	else
		md_msg_free(&m);
	pthread_mutex_unlock(&be_post_lock);
}

void be_post_busy(const be_host *h, int delta)
{
	md_msg *m = md_msg_new(MD_MSG_HOST_BUSY, h->id);
	m->count = delta;
	be_post(m);
}

void be_post_result(const be_host *h, const be_job *j, bool ok, char *text)
{
	md_msg *m = md_msg_new(MD_MSG_OP_RESULT, h->id);
	core_log("job", "%s: %s %s: %s%s%s", h->uri, be_op_name(j->op), j->uuid,
		 ok ? "done" : "failed", text ? ": " : "", text ? text : "");
	m->ok = ok;
	m->text = text;
	m->op = j->op;
	m->seq = j->seq;
	memcpy(m->uuid, j->uuid, sizeof(m->uuid));
	be_post(m);
}

char *be_job_error(be_host *h, const be_job *j)
{
	char *err = NULL, *nosup;
	int code = virGetLastErrorCode();
	be_host_fail(h, &err);
	/* a driver without the call: say so plainly, and grey it from now on */
	if ((nosup = be_caps_learn(h, j->op, code)) != NULL) {
		core_log("job", "%s: %s", h->uri, err);
		free(err);
		err = nosup;
	}
	return err;
}

void be_post_fail(be_host *h, const be_job *j, const char *name)
{
	char *err = be_job_error(h, j);
	be_post_result(h, j, false, xasprintf("Could not %s \"%s\": %s", be_op_name(j->op),
					      name ? name : "", err));
	free(err);
}

char *be_last_error(int *code)
{
	virErrorPtr e = virGetLastError();
	if (code)
		*code = e ? e->code : VIR_ERR_OK;
	if (!e || !e->message)
		return xstrdup("unknown libvirt error");
	return xstrdup(e->message);
}
