/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_console.c - guest serial consoles (see be_console.h).
 *
 * Threads and ownership:
 *   - UI thread: be_console_open/close queue jobs to the host's worker;
 *     be_console_write appends to con->out (out_lock) and pokes a pipe that
 *     the event loop watches. It never calls libvirt.
 *   - worker: opens (virDomainOpenConsole on a VIR_STREAM_NONBLOCK stream),
 *     tears down (virStreamFinish on a clean close, virStreamAbort on
 *     error), decides on a reopen after the stream ended.
 *   - event loop: the stream callback reads guest output (capped per
 *     callback) and posts it; sends queued keys, with WRITABLE interest
 *     only while bytes wait; the pipe callback starts sending.
 * A be_con is reference-counted: the registry holds one, and every thread
 * working on it a temporary one (libvirt's callbacks get its id and look it
 * up); it holds a reference on its host,
 * so a host freed while consoles are open stays valid until they are gone.
 * Lock order: the registry lock, then a console's lock, then its out_lock
 * (never the registry lock while holding a console's). */
#include "be_internal.h"
#include "be_console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../core/util.h"

#define BE_CON_READ_CHUNK (64 * 1024)  /* one virStreamRecv */
#define BE_CON_READ_MAX (256 * 1024)   /* per callback, then let the loop breathe */
#define BE_CON_OUT_MAX (1024 * 1024)   /* keys queued beyond this are refused */
#define BE_CON_REOPEN_TRIES 6
#define BE_CON_REOPEN_WAIT_MS 250

static const int be_con_events = VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP;

typedef struct be_con {
	int refs; /* atomic */
	int id;
	be_host *h; /* a reference */
	char uuid[VIR_UUID_STRING_BUFLEN];
	char *dev;      /* worker: the alias asked for, then the one opened */
	unsigned flags; /* worker */
	bool reopen;    /* worker: the next OPENED follows a break */
	bool closing;   /* registry lock: be_console_close was called */

	pthread_mutex_t lock; /* the stream, between the worker and the event loop */
	virStreamPtr st;
	bool cb_on;
	bool writable;
	char *sending;
	size_t sending_len, sending_off, sending_cap;
	bool end_failed; /* the stream ended with an error (abort, not finish) */

	pthread_mutex_t out_lock; /* keys from the UI */
	char *out;
	size_t out_len, out_cap;

	/* worker */
	virConnectPtr conn; /* a reference: the connection the stream is on */
	int cb_reboot;
} be_con;

static pthread_mutex_t be_cons_lock = PTHREAD_MUTEX_INITIALIZER;
static be_con **be_cons; /* the registry: consoles not yet closed */
static size_t be_ncons, be_cap_cons;
static int be_con_next_id;
static int be_wake_fd[2] = { -1, -1 };
static int be_wake_watch = -1;
static atomic_bool be_wake_pending;

/* ---- references and the registry ---------------------------------------- */

static void con_ref(be_con *con)
{
	__atomic_add_fetch(&con->refs, 1, __ATOMIC_SEQ_CST);
}

static void con_unref(be_con *con)
{
	if (!con || __atomic_sub_fetch(&con->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	free(con->dev);
	free(con->sending);
	free(con->out);
	pthread_mutex_destroy(&con->lock);
	pthread_mutex_destroy(&con->out_lock);
	be_host_unref(&con->h);
	free(con);
}

/* A referenced console by id, NULL if gone (or closing, unless any). */
static be_con *con_find(int id, bool any)
{
	be_con *con = NULL;
	pthread_mutex_lock(&be_cons_lock);
	for (size_t i = 0; i < be_ncons; i++) {
		if (be_cons[i]->id == id && (any || !be_cons[i]->closing)) {
			con = be_cons[i];
			con_ref(con);
			break;
		}
	}
	pthread_mutex_unlock(&be_cons_lock);
	return con;
}

/* Take con out of the registry; true if it was there (its reference is
 * then the caller's to drop). */
static bool con_unlist(be_con *con, bool *was_closing)
{
	bool found = false;
	pthread_mutex_lock(&be_cons_lock);
	for (size_t i = 0; i < be_ncons; i++) {
		if (be_cons[i] == con) {
			memmove(&be_cons[i], &be_cons[i + 1], (be_ncons - i - 1) * sizeof(*be_cons));
			be_ncons--;
			found = true;
			break;
		}
	}
	if (was_closing)
		*was_closing = con->closing;
	pthread_mutex_unlock(&be_cons_lock);
	return found;
}

size_t be_console_count(void)
{
	size_t n;
	pthread_mutex_lock(&be_cons_lock);
	n = be_ncons;
	pthread_mutex_unlock(&be_cons_lock);
	return n;
}

/* ---- messages ------------------------------------------------------------- */

void be_console_devs_free(struct be_console_dev **devs, size_t *n)
{
	if (!*devs)
		return;
	for (size_t i = 0; i < *n; i++) {
		free((*devs)[i].alias);
		free((*devs)[i].desc);
	}
	free(*devs);
	*devs = NULL;
	*n = 0;
}

void be_console_ev_free(void *p)
{
	be_console_ev *ev = p;
	if (!ev)
		return;
	free(ev->text);
	free(ev->dev);
	free(ev->data);
	be_console_devs_free(&ev->devs, &ev->ndevs);
	free(ev);
}

static be_console_ev *con_ev(const be_con *con, int kind)
{
	be_console_ev *ev = xcalloc(1, sizeof(*ev));
	ev->id = con->id;
	ev->kind = kind;
	return ev;
}

static void con_post(const be_con *con, be_console_ev *ev)
{
	md_msg *m = md_msg_new(MD_MSG_CONSOLE, con->h->id);
	memcpy(m->uuid, con->uuid, sizeof(m->uuid));
	m->ext = ev;
	m->ext_free = be_console_ev_free;
	be_post(m);
}

/* The console is over: out of the registry, CLOSED posted (unless the user
 * closed it: then only the USER answer). Drops the registry's reference. */
static void con_finish(be_con *con, int reason, const char *text)
{
	bool closing = false;
	be_console_ev *ev;
	if (!con_unlist(con, &closing))
		return;
	ev = con_ev(con, BE_CONSOLE_CLOSED);
	ev->reason = closing ? BE_CONSOLE_R_USER : reason;
	ev->text = xstrdup(text);
	con_post(con, ev);
	con_unref(con);
}

/* ---- devices from the domain XML ------------------------------------------ */

static xmlNodePtr xml_child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

static char *xml_prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
	char *s = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

static void devs_add(struct be_console_dev **devs, size_t *n, size_t *cap, char *alias, char *desc)
{
	xgrow(devs, cap, *n + 1, sizeof(**devs));
	(*devs)[*n].alias = alias;
	(*devs)[*n].desc = desc;
	(*n)++;
}

int be_console_parse_devices(const char *xml, struct be_console_dev **devs, size_t *n, char **why,
			     char **err)
{
	xmlDocPtr doc;
	xmlNodePtr root, devices;
	size_t cap = 0;
	int nserial = 0, nconsole = 0;
	char serial_ports[64] = { 0 }; /* pty serial ports seen (0..63) */
	char *other = NULL;

	*devs = NULL;
	*n = 0;
	if (why)
		*why = NULL;
	doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
		  : NULL;
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || strcmp((const char *)root->name, "domain") != 0) {
		*err = xstrdup("not a domain description");
		xmlFreeDoc(doc);
		return -1;
	}
	devices = xml_child(root, "devices");
	/* serial ports first, then consoles that are not one of them */
	for (int pass = 0; pass < 2; pass++) {
		for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
			bool serial;
			char *type, *alias_name, *port, *ttype;
			xmlNodePtr target;
			int portn;
			if (c->type != XML_ELEMENT_NODE)
				continue;
			serial = strcmp((const char *)c->name, "serial") == 0;
			if (!serial && strcmp((const char *)c->name, "console") != 0)
				continue;
			if (serial != (pass == 0))
				continue;
			type = xml_prop(c, "type");
			target = xml_child(c, "target");
			port = xml_prop(target, "port");
			ttype = xml_prop(target, "type");
			alias_name = xml_prop(xml_child(c, "alias"), "name");
			portn = port ? atoi(port) : (serial ? nserial : 0);
			if (!type || strcmp(type, "pty") != 0) {
				if (!other)
					other = xasprintf("its %s device is of type '%s', not 'pty'",
							  serial ? "serial" : "console", type ? type : "?");
			} else if (serial) {
				char *alias = alias_name ? xstrdup(alias_name) : xasprintf("serial%d", nserial);
				devs_add(devs, n, &cap, alias, xasprintf("%s: serial port %d", alias, portn));
				if (portn >= 0 && portn < (int)sizeof(serial_ports))
					serial_ports[portn] = 1;
			} else if (!(( !ttype || strcmp(ttype, "serial") == 0) && portn >= 0 &&
				     portn < (int)sizeof(serial_ports) && serial_ports[portn])) {
				/* a console on a serial port is that port: not twice */
				char *alias = alias_name ? xstrdup(alias_name) : xasprintf("console%d", nconsole);
				devs_add(devs, n, &cap, alias,
					 xasprintf("%s: %s console", alias, ttype ? ttype : "serial"));
			}
			if (serial)
				nserial++;
			else
				nconsole++;
			free(type);
			free(port);
			free(ttype);
			free(alias_name);
		}
	}
	xmlFreeDoc(doc);
	if (why && *n == 0)
		*why = other;
	else
		free(other);
	return 0;
}

/* ---- sending keys (event loop, or the worker right after opening) ------- */

/* Send what waits; con->lock held, con->st set. 0, or -1 on a stream error. */
static int con_flush(be_con *con)
{
	bool want;
	pthread_mutex_lock(&con->out_lock);
	if (con->out_len) {
		if (con->sending_off == con->sending_len)
			con->sending_off = con->sending_len = 0;
		xgrow(&con->sending, &con->sending_cap, con->sending_len + con->out_len, 1);
		memcpy(con->sending + con->sending_len, con->out, con->out_len);
		con->sending_len += con->out_len;
		con->out_len = 0;
	}
	pthread_mutex_unlock(&con->out_lock);
	while (con->sending_off < con->sending_len) {
		int r = virStreamSend(con->st, con->sending + con->sending_off, con->sending_len - con->sending_off);
		if (r > 0)
			con->sending_off += (size_t)r;
		else if (r == -2)
			break;
		else
			return -1;
	}
	if (con->sending_off == con->sending_len)
		con->sending_off = con->sending_len = 0;
	want = con->sending_len > 0;
	if (want != con->writable && con->cb_on) {
		virStreamEventUpdateCallback(con->st, be_con_events | (want ? VIR_STREAM_EVENT_WRITABLE : 0));
		con->writable = want;
	}
	return 0;
}

/* con: a reference the caller holds. A job refused because the host is
 * stopping needs nothing here: the worker's last act tears down every
 * console of its host that is still listed. */
static void con_queue_job(be_con *con, int op)
{
	be_job *j = xcalloc(1, sizeof(*j));
	j->op = op;
	j->console = con->id;
	snprintf(j->uuid, sizeof(j->uuid), "%s", con->uuid);
	be_host_push_job(con->h, j);
}

/* The stream ended (con->lock held): stop watching it, let the worker
 * finish or abort it and decide what comes next. */
static void con_ended(be_con *con, bool failed)
{
	if (con->cb_on) {
		virStreamEventRemoveCallback(con->st);
		con->cb_on = false;
	}
	con->end_failed = failed;
	con_queue_job(con, BE_JOB_CONSOLE_END);
}

/* The opaque is the console's id, not a reference: libvirt runs a
 * callback's free function late (after a dispatch in progress) or, for
 * event callbacks, not at all when the connection goes first. */
static void con_stream_cb(virStreamPtr st, int events, void *opaque)
{
	be_con *con = con_find((int)(intptr_t)opaque, true);
	bool end = false, failed = false;

	if (!con)
		return;
	pthread_mutex_lock(&con->lock);
	if (con->st != st || !con->cb_on) {
		pthread_mutex_unlock(&con->lock);
		con_unref(con);
		return;
	}
	if ((events & VIR_STREAM_EVENT_WRITABLE) && con_flush(con) < 0)
		end = failed = true;
	if (!end && (events & be_con_events)) {
		char *buf = NULL;
		size_t got = 0, cap = 0;
		while (got < BE_CON_READ_MAX) {
			int r;
			xgrow(&buf, &cap, got + BE_CON_READ_CHUNK, 1);
			r = virStreamRecv(st, buf + got, BE_CON_READ_CHUNK);
			if (r > 0) {
				got += (size_t)r;
			} else if (r == -2) {
				break;
			} else {
				end = true;
				failed = r < 0;
				break;
			}
		}
		if (got) {
			be_console_ev *ev = con_ev(con, BE_CONSOLE_DATA);
			ev->data = xrealloc(buf, got);
			ev->len = got;
			con_post(con, ev);
		} else {
			free(buf);
		}
		if (!end && (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))) {
			end = true;
			failed = (events & VIR_STREAM_EVENT_ERROR) != 0;
		}
	}
	if (end)
		con_ended(con, failed);
	pthread_mutex_unlock(&con->lock);
	con_unref(con);
}

static void con_wake_cb(int watch, int fd, int events, void *opaque)
{
	char buf[256];
	be_con **list = NULL;
	size_t n = 0;

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	atomic_store(&be_wake_pending, false);
	pthread_mutex_lock(&be_cons_lock);
	if (be_ncons) {
		list = xcalloc(be_ncons, sizeof(*list));
		for (size_t i = 0; i < be_ncons; i++) {
			list[n] = be_cons[i];
			con_ref(list[n++]);
		}
	}
	pthread_mutex_unlock(&be_cons_lock);
	for (size_t i = 0; i < n; i++) {
		be_con *con = list[i];
		pthread_mutex_lock(&con->lock);
		if (con->cb_on && con_flush(con) < 0)
			con_ended(con, true);
		pthread_mutex_unlock(&con->lock);
		con_unref(con);
	}
	free(list);
}

static void con_reboot_cb(virConnectPtr c, virDomainPtr d, void *opaque)
{
	be_con *con = con_find((int)(intptr_t)opaque, false);
	be_console_ev *ev;
	if (!con)
		return;
	ev = con_ev(con, BE_CONSOLE_MARK);
	ev->text = xstrdup("guest reset");
	con_post(con, ev);
	con_unref(con);
}

/* ---- the worker's part ------------------------------------------------------ */

/* Stop the stream and drop what belongs to it. */
static void con_teardown(be_con *con, bool abort_it)
{
	virStreamPtr st;
	pthread_mutex_lock(&con->lock);
	st = con->st;
	if (con->cb_on) {
		virStreamEventRemoveCallback(st);
		con->cb_on = false;
	}
	con->st = NULL;
	con->writable = false;
	con->sending_len = con->sending_off = 0;
	if (con->end_failed)
		abort_it = true;
	con->end_failed = false;
	pthread_mutex_unlock(&con->lock);
	pthread_mutex_lock(&con->out_lock);
	con->out_len = 0;
	pthread_mutex_unlock(&con->out_lock);
	if (st) {
		if (abort_it || virStreamFinish(st) < 0)
			virStreamAbort(st);
		virStreamFree(st);
	}
	if (con->conn) {
		if (con->cb_reboot >= 0)
			virConnectDomainEventDeregisterAny(con->conn, con->cb_reboot);
		virConnectClose(con->conn);
		con->conn = NULL;
	}
	con->cb_reboot = -1;
}

static void be_wake_watch_ensure(void)
{
	pthread_mutex_lock(&be_cons_lock);
	if (be_wake_watch < 0 && be_wake_fd[0] >= 0)
		be_wake_watch = virEventAddHandle(be_wake_fd[0], VIR_EVENT_HANDLE_READABLE, con_wake_cb, NULL, NULL);
	pthread_mutex_unlock(&be_cons_lock);
}

static bool state_active(int state)
{
	return state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED || state == VIR_DOMAIN_PAUSED ||
	       state == VIR_DOMAIN_SHUTDOWN || state == VIR_DOMAIN_PMSUSPENDED;
}

static bool conn_gone(be_host *h, int code)
{
	return !h->conn || code == VIR_ERR_NO_CONNECT || code == VIR_ERR_INVALID_CONN ||
	       virConnectIsAlive(h->conn) != 1;
}

/* Error of the last call: *reason and *text (caller frees). */
static void con_error(be_host *h, const char *what, int *reason, char **text)
{
	int code;
	char *e = be_last_error(&code);
	be_host_check_conn(h, code, e);
	if (conn_gone(h, code)) {
		*reason = BE_CONSOLE_R_CONN_LOST;
		*text = xasprintf("connection lost (%s)", e);
	} else if (code == VIR_ERR_NO_DOMAIN) {
		*reason = BE_CONSOLE_R_ERROR;
		*text = xstrdup("the VM no longer exists");
	} else {
		*reason = BE_CONSOLE_R_ERROR;
		*text = xasprintf("%s: %s", what, e);
	}
	free(e);
}

enum { CON_OPENED = 0, CON_FAILED = -1, CON_PICK = 1 };

/* Try to open; CON_OPENED (OPENED posted), CON_PICK (PICK posted) or
 * CON_FAILED with *reason and *text. */
static int con_try_open(be_host *h, be_con *con, int *reason, char **text)
{
	virDomainPtr dom;
	virStreamPtr st;
	struct be_console_dev *devs = NULL;
	size_t ndevs = 0;
	char *xml, *why = NULL, *perr = NULL;
	const char *dev = NULL;
	int state = 0, sreason = 0, cb;
	be_console_ev *ev;

	if (!h->conn) {
		*reason = BE_CONSOLE_R_CONN_LOST;
		*text = xstrdup("not connected to the host");
		return CON_FAILED;
	}
	dom = virDomainLookupByUUIDString(h->conn, con->uuid);
	if (!dom) {
		con_error(h, "could not find the VM", reason, text);
		return CON_FAILED;
	}
	if (virDomainGetState(dom, &state, &sreason, 0) < 0) {
		con_error(h, "could not read the VM's state", reason, text);
		virDomainFree(dom);
		return CON_FAILED;
	}
	if (!state_active(state)) {
		*reason = BE_CONSOLE_R_STOPPED;
		*text = xstrdup(state == VIR_DOMAIN_CRASHED ? "the VM has crashed" : "the VM is shut off");
		virDomainFree(dom);
		return CON_FAILED;
	}
	xml = virDomainGetXMLDesc(dom, 0);
	if (!xml) {
		con_error(h, "could not read the VM's description", reason, text);
		virDomainFree(dom);
		return CON_FAILED;
	}
	if (be_console_parse_devices(xml, &devs, &ndevs, &why, &perr) < 0) {
		*reason = BE_CONSOLE_R_ERROR;
		*text = xasprintf("could not read the VM's devices: %s", perr);
		free(perr);
		free(xml);
		virDomainFree(dom);
		return CON_FAILED;
	}
	free(xml);
	if (ndevs == 0) {
		*reason = BE_CONSOLE_R_NO_DEVICE;
		*text = xasprintf("the VM has no serial console%s%s. Add <serial type='pty'/> and "
				  "<console type='pty'/> to its <devices> (virsh edit), and "
				  "console=ttyS0 to a Linux guest's kernel command line",
				  why ? ": " : "", why ? why : "");
		free(why);
		virDomainFree(dom);
		return CON_FAILED;
	}
	free(why);
	if (con->dev) {
		for (size_t i = 0; i < ndevs && !dev; i++)
			if (strcmp(devs[i].alias, con->dev) == 0)
				dev = devs[i].alias;
		if (!dev) {
			*reason = BE_CONSOLE_R_ERROR;
			*text = xasprintf("the VM has no console device '%s'", con->dev);
			be_console_devs_free(&devs, &ndevs);
			virDomainFree(dom);
			return CON_FAILED;
		}
	} else if (ndevs > 1) {
		ev = con_ev(con, BE_CONSOLE_PICK);
		ev->devs = devs;
		ev->ndevs = ndevs;
		con_post(con, ev);
		virDomainFree(dom);
		return CON_PICK;
	} else {
		dev = devs[0].alias;
	}
	core_str_set(&con->dev, dev);
	be_console_devs_free(&devs, &ndevs);

	st = virStreamNew(h->conn, VIR_STREAM_NONBLOCK);
	if (!st) {
		con_error(h, "could not make a stream", reason, text);
		virDomainFree(dom);
		return CON_FAILED;
	}
	if (virDomainOpenConsole(dom, con->dev, st,
				 (con->flags & BE_CONSOLE_FORCE ? VIR_DOMAIN_CONSOLE_FORCE : 0) |
					 (con->flags & BE_CONSOLE_SAFE ? VIR_DOMAIN_CONSOLE_SAFE : 0)) < 0) {
		int code;
		char *e = be_last_error(&code);
		if (strstr(e, "Active console session") || strstr(e, "console session exists")) {
			*reason = BE_CONSOLE_R_BUSY;
			*text = xstrdup("another client (virsh console, another vmmc...) holds the console");
		} else if ((con->flags & BE_CONSOLE_SAFE) &&
			   (code == VIR_ERR_OPERATION_UNSUPPORTED || code == VIR_ERR_NO_SUPPORT ||
			    code == VIR_ERR_ARGUMENT_UNSUPPORTED)) {
			*reason = BE_CONSOLE_R_UNSAFE;
			*text = xasprintf("the host's driver cannot guarantee exclusive access (%s)", e);
		} else if (code == VIR_ERR_NO_SUPPORT) {
			be_caps_set(h, MD_CAP_CONSOLE); /* greyed from now on */
			*reason = BE_CONSOLE_R_ERROR;
			*text = xasprintf("consoles are not supported by the %s driver (%s)",
					  h->driver ? h->driver : "host's", e);
		} else {
			be_host_check_conn(h, code, e);
			*reason = conn_gone(h, code) ? BE_CONSOLE_R_CONN_LOST : BE_CONSOLE_R_ERROR;
			*text = xasprintf("could not open the console: %s", e);
		}
		free(e);
		virStreamFree(st);
		virDomainFree(dom);
		return CON_FAILED;
	}

	/* hold the console's lock while the callback is added: it must see
	 * con->st set when it first runs */
	pthread_mutex_lock(&con->lock);
	con->st = st;
	con->cb_on = true;
	con->writable = false;
	if (virStreamEventAddCallback(st, be_con_events, con_stream_cb, (void *)(intptr_t)con->id, NULL) < 0) {
		con->st = NULL;
		con->cb_on = false;
		pthread_mutex_unlock(&con->lock);
		con_error(h, "could not watch the console stream", reason, text);
		virStreamAbort(st);
		virStreamFree(st);
		virDomainFree(dom);
		return CON_FAILED;
	}
	if (con_flush(con) < 0) /* keys typed while it opened */
		con_ended(con, true);
	pthread_mutex_unlock(&con->lock);

	con->conn = h->conn;
	virConnectRef(con->conn);
	cb = virConnectDomainEventRegisterAny(h->conn, dom, VIR_DOMAIN_EVENT_ID_REBOOT,
					      VIR_DOMAIN_EVENT_CALLBACK(con_reboot_cb),
					      (void *)(intptr_t)con->id, NULL);
	con->cb_reboot = cb;
	virDomainFree(dom);
	be_wake_watch_ensure();

	ev = con_ev(con, BE_CONSOLE_OPENED);
	ev->dev = xstrdup(con->dev);
	ev->reopened = con->reopen;
	con_post(con, ev);
	return CON_OPENED;
}

static void con_job_open(be_host *h, be_con *con)
{
	int reason = 0;
	char *text = NULL;
	int r = con_try_open(h, con, &reason, &text);
	if (r == CON_PICK) {
		if (con_unlist(con, NULL))
			con_unref(con);
	} else if (r == CON_FAILED) {
		con_finish(con, reason, text);
	}
	free(text);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The stream ended by itself: when the VM still runs (its QEMU restarted,
 * the device came back), reopen it; else say why it is over. */
static void con_job_end(be_host *h, be_con *con)
{
	int reason = BE_CONSOLE_R_ERROR;
	char *text = NULL;

	con_teardown(con, false);
	con->reopen = true;
	con->flags &= ~(unsigned)BE_CONSOLE_FORCE; /* never fight another client */
	for (int i = 0; i < BE_CON_REOPEN_TRIES; i++) {
		bool closing;
		pthread_mutex_lock(&be_cons_lock);
		closing = con->closing;
		pthread_mutex_unlock(&be_cons_lock);
		if (closing)
			break;
		if (i > 0)
			sleep_ms(BE_CON_REOPEN_WAIT_MS);
		free(text);
		text = NULL;
		if (con_try_open(h, con, &reason, &text) == CON_OPENED)
			return;
		if (reason == BE_CONSOLE_R_STOPPED || reason == BE_CONSOLE_R_CONN_LOST ||
		    reason == BE_CONSOLE_R_NO_DEVICE)
			break;
	}
	if (reason == BE_CONSOLE_R_BUSY) {
		free(text);
		text = xstrdup("another client took the console over");
	} else if (reason == BE_CONSOLE_R_STOPPED) {
		free(text);
		text = xstrdup("the VM stopped");
	}
	con_finish(con, reason, text);
	free(text);
}

void be_console_job(be_host *h, const be_job *j)
{
	be_con *con = con_find(j->console, true);
	if (!con)
		return;
	switch (j->op) {
	case BE_JOB_CONSOLE_OPEN:
		con_job_open(h, con);
		break;
	case BE_JOB_CONSOLE_END:
		con_job_end(h, con);
		break;
	case BE_JOB_CONSOLE_CLOSE:
		con_teardown(con, false);
		con_finish(con, BE_CONSOLE_R_USER, NULL);
		break;
	}
	con_unref(con);
}

void be_console_host_closing(be_host *h)
{
	be_con **list = NULL;
	size_t n = 0;
	bool stopping;

	pthread_mutex_lock(&be_cons_lock);
	for (size_t i = 0; i < be_ncons; i++) {
		if (be_cons[i]->h != h)
			continue;
		list = xrealloc(list, (n + 1) * sizeof(*list));
		list[n] = be_cons[i];
		con_ref(list[n++]);
	}
	pthread_mutex_unlock(&be_cons_lock);
	pthread_mutex_lock(&h->lock);
	stopping = h->stop;
	pthread_mutex_unlock(&h->lock);
	for (size_t i = 0; i < n; i++) {
		con_teardown(list[i], true);
		con_finish(list[i], BE_CONSOLE_R_CONN_LOST,
			   stopping ? "the host was closed" : "connection lost");
		con_unref(list[i]);
	}
	free(list);
}

/* ---- public (any thread; never libvirt) ------------------------------------ */

int be_console_open(be_host *h, const char *uuid, const char *dev, unsigned flags)
{
	be_con *con = xcalloc(1, sizeof(*con));
	be_job *j = xcalloc(1, sizeof(*j));
	int id;

	con->refs = 1; /* the registry */
	be_host_ref(h);
	con->h = h;
	snprintf(con->uuid, sizeof(con->uuid), "%s", uuid ? uuid : "");
	con->dev = xstrdup(dev);
	con->flags = flags;
	con->cb_reboot = -1;
	pthread_mutex_init(&con->lock, NULL);
	pthread_mutex_init(&con->out_lock, NULL);
	j->op = BE_JOB_CONSOLE_OPEN;
	snprintf(j->uuid, sizeof(j->uuid), "%s", con->uuid);
	pthread_mutex_lock(&be_cons_lock);
	if (be_wake_fd[0] < 0 && pipe2(be_wake_fd, O_NONBLOCK | O_CLOEXEC) < 0)
		be_wake_fd[0] = be_wake_fd[1] = -1;
	id = con->id = j->console = ++be_con_next_id;
	xgrow(&be_cons, &be_cap_cons, be_ncons + 1, sizeof(*be_cons));
	be_cons[be_ncons++] = con;
	pthread_mutex_unlock(&be_cons_lock);
	/* con is the registry's now: the host's worker may finish it and free
	 * it at any moment (its OPEN job, or the connection closing tears down
	 * every console of the host, even one whose job is not queued yet).
	 * Only the id is used from here on. */
	if (!be_host_push_job(h, j)) {
		/* the host is being freed: no worker will answer */
		be_con *gone = con_find(id, true);
		if (gone) {
			con_finish(gone, BE_CONSOLE_R_CONN_LOST, "the host was closed");
			con_unref(gone);
		}
	}
	return id;
}

int be_console_write(int id, const void *buf, size_t len)
{
	be_con *con = con_find(id, false);
	int rc = 0;
	if (!con)
		return -1;
	pthread_mutex_lock(&con->out_lock);
	if (con->out_len + len > BE_CON_OUT_MAX) {
		rc = -1;
	} else {
		xgrow(&con->out, &con->out_cap, con->out_len + len, 1);
		memcpy(con->out + con->out_len, buf, len);
		con->out_len += len;
	}
	pthread_mutex_unlock(&con->out_lock);
	con_unref(con);
	if (rc == 0 && len && be_wake_fd[1] >= 0 && !atomic_exchange(&be_wake_pending, true)) {
		ssize_t w = write(be_wake_fd[1], "k", 1);
		(void)w; /* a full pipe already wakes the loop */
	}
	return rc;
}

void be_console_close(int id)
{
	be_con *con = NULL;
	pthread_mutex_lock(&be_cons_lock);
	for (size_t i = 0; i < be_ncons; i++) {
		if (be_cons[i]->id == id && !be_cons[i]->closing) {
			con = be_cons[i];
			con->closing = true;
			con_ref(con);
			break;
		}
	}
	pthread_mutex_unlock(&be_cons_lock);
	if (!con)
		return;
	con_queue_job(con, BE_JOB_CONSOLE_CLOSE);
	con_unref(con);
}
