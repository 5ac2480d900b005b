/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/graphics.c - see graphics.h */
#include "graphics.h"
#include "app.h"
#include "dialog.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../backend/be_graphics.h"
#include "../backend/be_storage.h"
#include "../core/log.h"
#include "../core/sanitize.h"
#include "../core/util.h"

struct gfx_ctx {
	uint64_t seq;       /* the OPEN job: names the forward to close */
	char *name;         /* the VM's */
	char *viewer;       /* started: its path */
	bool open;          /* the backend holds a forward / entry for seq */
};

/* 'text' for a POSIX shell */
static char *sh_quote(const char *s)
{
	size_t n = 3;
	char *r, *p;
	for (const char *c = s; *c; c++)
		n += *c == '\'' ? 4 : 1;
	r = p = xmalloc(n);
	*p++ = '\'';
	for (const char *c = s; *c; c++) {
		if (*c == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *c;
		}
	}
	*p++ = '\'';
	*p = '\0';
	return r;
}

/* The viewer's address for g: "vnc://127.0.0.1:5900" */
static char *viewer_url(const struct be_graphics *g)
{
	bool v6 = g->addr && strchr(g->addr, ':') && g->addr[0] != '/';
	if (g->addr && g->addr[0] == '/')
		return xasprintf("%s+unix://%s", g->type, g->addr);
	if (g->tls)
		return xasprintf("spice://%s%s%s?tls-port=%d", v6 ? "[" : "", g->addr, v6 ? "]" : "", g->port);
	return xasprintf("%s://%s%s%s:%d", g->type, v6 ? "[" : "", g->addr, v6 ? "]" : "", g->port);
}

char *tui_graphics_commands(const struct be_graphics *g)
{
	char *url, *q, *r;
	if (!g->addr) { /* a remote libvirt URI: virt-viewer tunnels by itself */
		char *u = sh_quote(g->uri ? g->uri : ""), *n = sh_quote(g->name ? g->name : "");
		r = xasprintf("virt-viewer --connect %s %s", u, n);
		free(u);
		free(n);
		return r;
	}
	url = viewer_url(g);
	q = sh_quote(url);
	if (strcmp(g->type, "vnc") == 0) {
		char *hp = g->addr[0] == '/' ? xstrdup(g->addr) : xasprintf("%s::%d", g->addr, g->port);
		char *qh = sh_quote(hp);
		r = xasprintf("remote-viewer %s\nvncviewer %s", q, qh);
		free(hp);
		free(qh);
	} else {
		r = xasprintf("remote-viewer %s", q);
	}
	free(url);
	free(q);
	return r;
}

static char *find_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *dirs, *save = NULL, *found = NULL;
	if (!path || !path[0])
		path = "/usr/local/bin:/usr/bin:/bin";
	dirs = xstrdup(path);
	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d[0] ? d : ".", prog);
		struct stat st;
		if (d[0] == '/' && stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(dirs);
	return found;
}

char *tui_graphics_viewer(const struct be_graphics *g, const char **why)
{
	const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
	char *p;
	*why = NULL;
	if ((!x || !x[0]) && (!w || !w[0])) {
		*why = "no graphical session here ($DISPLAY and $WAYLAND_DISPLAY are not set)";
		return NULL;
	}
	if (!g->addr) {
		if ((p = find_in_path("virt-viewer")) == NULL)
			*why = "virt-viewer is not installed";
		return p;
	}
	if ((p = find_in_path("remote-viewer")) != NULL)
		return p;
	if (strcmp(g->type, "vnc") == 0 && (p = find_in_path("vncviewer")) != NULL)
		return p;
	*why = strcmp(g->type, "vnc") == 0 ? "neither remote-viewer (virt-viewer) nor vncviewer is installed"
					   : "remote-viewer (virt-viewer) is not installed";
	return NULL;
}

/* Start the viewer detached from the terminal (its own session, stdio on
 * /dev/null), reaped at once: a double fork. 0 or -1. */
static int spawn_viewer(const char *path, const struct be_graphics *g)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *arg1 = NULL, *arg2 = NULL, *arg3 = NULL;
	pid_t pid;
	int st = 0, rc = -1;

	if (!g->addr) {
		arg1 = xstrdup("--connect");
		arg2 = xstrdup(g->uri ? g->uri : "");
		arg3 = xstrdup(g->name ? g->name : "");
	} else if (strcmp(base, "vncviewer") == 0) {
		arg1 = g->addr[0] == '/' ? xstrdup(g->addr) : xasprintf("%s::%d", g->addr, g->port);
	} else {
		arg1 = viewer_url(g);
	}
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		setsid();
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (fork() == 0) {
			char *argv[] = { (char *)base, arg1, arg2, arg3, NULL };
			execv(path, argv);
		}
		_exit(0);
	}
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		rc = 0;
	free(arg1);
	free(arg2);
	free(arg3);
	return rc;
}

/* Each line of text sanitized, the newlines kept; indented by two. */
static char *sanitize_lines(const char *text)
{
	char *copy = xstrdup(text), *save = NULL, *r = xstrdup("");
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sl = core_sanitize(l), *t = xasprintf("%s%s  %s", r, r[0] ? "\n" : "", sl);
		free(r);
		free(sl);
		r = t;
	}
	free(copy);
	return r;
}

static void gfx_show(struct tui_dialog *d, const struct be_graphics *g)
{
	struct gfx_ctx *c = d->ctx;
	char *name = core_sanitize(c->name), *remote = core_sanitize(g->remote ? g->remote : "?");
	char *cmds = tui_graphics_commands(g), *scmds = sanitize_lines(cmds), *where, *viewer, *text;
	const char *why = NULL;
	char *vpath = tui_graphics_viewer(g, &why);
	const char *type = strcmp(g->type, "spice") == 0 ? "SPICE" : "VNC";

	if (g->forwarded) {
		char *via = core_sanitize(g->via ? g->via : "?");
		where = xasprintf("The %s display of '%s' is forwarded over the SSH session %s to this "
				  "machine only.\n\n  Address: %s:%d%s\n  On the host: %s",
				  type, name, via, g->addr, g->port, g->tls ? " (TLS)" : "", remote);
		free(via);
	} else if (g->addr) {
		char *a = core_sanitize(g->addr);
		where = g->port ? xasprintf("The %s display of '%s' is on this machine.\n\n  Address: %s:%d%s",
					    type, name, a, g->port, g->tls ? " (TLS)" : "")
				: xasprintf("The %s display of '%s' is on this machine.\n\n  Socket: %s", type,
					    name, a);
		free(a);
	} else {
		where = xasprintf("The %s display of '%s' is on the host (%s there); virt-viewer reaches "
				  "it over the host's own libvirt connection.", type, name, remote);
	}
	if (vpath && spawn_viewer(vpath, g) == 0) {
		char *v = core_sanitize(vpath);
		viewer = xasprintf("Started %s. Or connect with:", v);
		core_log("graphics", "%s: started %s", c->name, vpath);
		core_str_set(&c->viewer, vpath);
		free(v);
	} else {
		viewer = xasprintf("No viewer started: %s. Connect with:",
				   vpath ? "the viewer could not be started" : why);
	}
	text = xasprintf("%s\n\n%s\n\n%s%s%s", where, viewer, scmds,
			 g->password ? "\n\nThe display asks for a password: it is in the VM's definition "
				       "(not shown here)."
				     : "\n\nIf the display has a password, the viewer asks for it (vmmc "
				       "does not read it).",
			 g->forwarded ? "\n\nClosing this dialog closes the forward and frees the port."
				      : "");
	tui_dialog_set_text(d, 0, text);
	free(text);
	free(viewer);
	free(where);
	free(vpath);
	free(scmds);
	free(cmds);
	free(remote);
	free(name);
}

static void gfx_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct gfx_ctx *c = d->ctx;
	(void)a;
	if (m->type != MD_MSG_OP_RESULT)
		return;
	if (m->op == BE_OP_GRAPHICS_OPEN && m->ok && m->ext) {
		c->open = true;
		gfx_show(d, m->ext);
	} else if (m->op == BE_OP_GRAPHICS_OPEN || m->op == BE_OP_GRAPHICS_CLOSE) {
		char *t = core_sanitize(m->text ? m->text : "failed");
		c->open = false;
		tui_dialog_set_text(d, 0, t);
		d->error_style = m->op == BE_OP_GRAPHICS_OPEN;
		free(t);
	}
}

static void gfx_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct gfx_ctx *c = d->ctx;
	be_host *be = tui_host_be(tui_host_by_id(a, d->mode.host_id));
	(void)result;
	if (c->open && be) {
		uint64_t *seq = xmalloc(sizeof *seq);
		*seq = c->seq;
		be_host_submit_arg(be, BE_OP_GRAPHICS_CLOSE, d->uuid, seq, free);
	}
	c->open = false;
}

static void gfx_free(struct tui_dialog *d)
{
	struct gfx_ctx *c = d->ctx;
	free(c->name);
	free(c->viewer);
	free(c);
	d->ctx = NULL;
}

void tui_open_graphics(struct tui_app *a)
{
	const md_vm *v = tui_sel_vm(a);
	const md_host *h = tui_sel_host(a);
	be_host *be = h ? tui_host_be(tui_host_by_id(a, h->id)) : NULL;
	struct tui_dialog *d;
	struct gfx_ctx *c;
	char *name, *text;

	if (!v || !be)
		return;
	c = xcalloc(1, sizeof *c);
	c->name = xstrdup(v->name ? v->name : v->uuid);
	name = core_sanitize(c->name);
	text = xasprintf("Reading the display of '%s'...", name);
	d = tui_dialog_new("Graphical Console", TUI_BTN_CLOSE);
	tui_dialog_add_page(d, NULL, text);
	d->ctx = c;
	d->on_reply = gfx_reply;
	d->on_done = gfx_done;
	d->on_free = gfx_free;
	d->mode.host_id = h->id;
	snprintf(d->uuid, sizeof d->uuid, "%s", v->uuid);
	tui_push_dialog(a, d);
	c->seq = be_host_submit_arg(be, BE_OP_GRAPHICS_OPEN, v->uuid, NULL, NULL);
	tui_mode_expect(a, &d->mode, h->id, c->seq);
	free(text);
	free(name);
}
