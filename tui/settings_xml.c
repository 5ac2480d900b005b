/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/settings_xml.c - Edit XML... as `virsh edit` does it: the inactive
 * XML in a private temporary file (mkstemp, mode 0600, removed as soon as it
 * is read back), $VISUAL or $EDITOR run with the terminal given back
 * (endwin before, refresh after), then the diff shown and, when asked, the
 * define (BE_OP_VM_CHANGE with BE_CHG_DEFINE). libvirt's refusal is shown
 * with the offending line; Edit again reopens the editor on the text the
 * user wrote, Discard drops it. No editor: a read-only view with a hint. */
#include "input.h"
#include "settings.h"

#include "app.h"
#include "dialog.h"
#include "nav.h"
#include "storage_ui.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../backend/be_devices.h"
#include "../backend/be_storage.h"
#include "../core/sanitize.h"
#include "../core/util.h"

/* ---- diff (no curses) ---------------------------------------------------------------- */

static void cat(char **out, size_t *len, size_t *cap, const char *s)
{
	size_t l = strlen(s);
	xgrow(out, cap, *len + l + 1, 1);
	memcpy(*out + *len, s, l + 1);
	*len += l;
}

char *tui_line_diff(const char *a, const char *b)
{
	size_t na, nb, len = 0, cap = 0, i = 0, j = 0;
	char **la = core_split_lines(a, &na), **lb = core_split_lines(b, &nb), *out = xstrdup("");
	unsigned *lcs;
	bool *keep_a, *keep_b;

	cap = 1;
	/* LCS table, (na+1) x (nb+1): domain XML is a few hundred lines */
	lcs = xcalloc((na + 1) * (nb + 1), sizeof(*lcs));
	for (size_t x = na; x-- > 0;)
		for (size_t y = nb; y-- > 0;)
			lcs[x * (nb + 1) + y] = !strcmp(la[x], lb[y]) ? lcs[(x + 1) * (nb + 1) + y + 1] + 1
				: lcs[(x + 1) * (nb + 1) + y] > lcs[x * (nb + 1) + y + 1] ? lcs[(x + 1) * (nb + 1) + y]
											  : lcs[x * (nb + 1) + y + 1];
	keep_a = xcalloc(na + 1, sizeof(bool));
	keep_b = xcalloc(nb + 1, sizeof(bool));
	while (i < na && j < nb) {
		if (!strcmp(la[i], lb[j])) {
			keep_a[i++] = true;
			keep_b[j++] = true;
		} else if (lcs[(i + 1) * (nb + 1) + j] >= lcs[i * (nb + 1) + j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	/* walk both: kept lines in step; a run of changes with 2 lines of context */
	i = j = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && keep_a[i] && keep_b[j]) {
			i++;
			j++;
			continue;
		}
		{
			char *h = xasprintf("@@ line %zu\n", j + 1);
			size_t c0 = j >= 2 ? j - 2 : 0;
			cat(&out, &len, &cap, h);
			free(h);
			for (size_t k = c0; k < j; k++) {
				cat(&out, &len, &cap, " ");
				cat(&out, &len, &cap, lb[k]);
				cat(&out, &len, &cap, "\n");
			}
		}
		while (i < na && !keep_a[i]) {
			cat(&out, &len, &cap, "-");
			cat(&out, &len, &cap, la[i++]);
			cat(&out, &len, &cap, "\n");
		}
		while (j < nb && !keep_b[j]) {
			cat(&out, &len, &cap, "+");
			cat(&out, &len, &cap, lb[j++]);
			cat(&out, &len, &cap, "\n");
		}
		for (size_t k = j; k < j + 2 && k < nb && keep_b[k]; k++) {
			cat(&out, &len, &cap, " ");
			cat(&out, &len, &cap, lb[k]);
			cat(&out, &len, &cap, "\n");
		}
	}
	free(lcs);
	free(keep_a);
	free(keep_b);
	core_free_lines(la, na);
	core_free_lines(lb, nb);
	return out;
}

char *tui_xml_error_line(const char *xml, const char *error)
{
	size_t n, want = 0;
	char **l = core_split_lines(xml, &n), *r = NULL;
	const char *p = error ? strstr(error, "line ") : NULL;

	if (p)
		want = strtoul(p + 5, NULL, 10);
	if (!want && error) {
		/* a quoted word of the message: 'foo' or "foo" */
		for (const char *q = error; *q && !want; q++) {
			const char *e;
			if ((*q != '\'' && *q != '"') || !(e = strchr(q + 1, *q)) || e - q < 2)
				continue;
			{
				char *word = xstrndup(q + 1, (size_t)(e - q - 1));
				for (size_t i = 0; i < n && !want; i++)
					if (strstr(l[i], word))
						want = i + 1;
				free(word);
			}
			q = e;
		}
	}
	if (want >= 1 && want <= n) {
		const char *t = l[want - 1];
		while (*t == ' ' || *t == '\t')
			t++;
		r = xasprintf("line %zu: %s", want, t);
	}
	core_free_lines(l, n);
	return r;
}

/* Sanitized line by line: the newlines kept (a diff, an XML). */
static char *sanitize_lines(const char *raw)
{
	size_t n, len = 0, cap = 0;
	char **l = core_split_lines(raw, &n), *out = xstrdup("");
	cap = 1;
	for (size_t i = 0; i < n; i++) {
		char *s = core_sanitize(l[i]);
		cat(&out, &len, &cap, s);
		cat(&out, &len, &cap, "\n");
		free(s);
	}
	core_free_lines(l, n);
	return out;
}

/* ---- the editor ---------------------------------------------------------------------- */

struct xml_ctx {
	int host_id;
	char uuid[37];
	char *name;
	char *orig;      /* the XML given */
	char *edited;    /* the user's text */
	uint64_t seq;
};

static void xml_ctx_free(struct xml_ctx *x)
{
	if (!x)
		return;
	free(x->name);
	free(x->orig);
	free(x->edited);
	free(x);
}

static const char *editor(void)
{
	const char *e = getenv("VISUAL");
	if (!e || !*e)
		e = getenv("EDITOR");
	return e && *e ? e : NULL;
}

/* Write text to a new private file; its path (caller frees) or NULL. */
static char *write_private(const char *name, const char *text, char **err)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/vmmc-edit-XXXXXX.xml", dir && *dir ? dir : "/tmp");
	size_t len = strlen(text), off = 0;
	int fd = mkstemps(path, 4);
	(void)name;
	if (fd < 0 || fchmod(fd, 0600) < 0) {
		*err = xasprintf("Could not make a temporary file in %s: %s", dir && *dir ? dir : "/tmp", strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w <= 0) {
			*err = xasprintf("Could not write %s: %s", path, strerror(errno));
			close(fd);
			unlink(path);
			free(path);
			return NULL;
		}
		off += (size_t)w;
	}
	close(fd);
	return path;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, r;
	if (!f)
		return NULL;
	do {
		xgrow(&buf, &cap, len + 4097, 1);
		r = fread(buf + len, 1, 4096, f);
		len += r;
	} while (r > 0);
	buf[len] = 0;
	fclose(f);
	return buf;
}

/* Run "$EDITOR path" through the shell (the variable may hold arguments),
 * with the terminal given back. The exit status, -1 when it did not run. */
static int run_editor(const char *ed, const char *path)
{
	pid_t pid;
	int st = 0;
	def_prog_mode();
	endwin();
	tui_input_pause(); /* the editor reads the terminal, not the relay */
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", "exec $VMMC_EDITOR \"$1\"", "sh", path, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	tui_input_resume();
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (pid < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void edit_loop(struct tui_app *a, struct xml_ctx *x);

static void on_define_reply(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct xml_ctx *x = d->ctx;
	char *line, *text, *safe;
	if (m->type != MD_MSG_OP_RESULT || m->seq != x->seq)
		return;
	x->seq = 0;
	if (m->ok) {
		tui_status(a, false, "Defined the edited XML of '%s'", x->name ? x->name : "");
		tui_dialog_set_text(d, 0, "Defined. The changes apply at the next boot where they cannot apply now.");
		d->buttons = TUI_BTN_CLOSE;
		return;
	}
	line = tui_xml_error_line(x->edited, m->text);
	text = xasprintf("libvirt refused the XML; the definition is unchanged.\n\n%s%s%s\n\n"
			 "Yes edits again, No discards your changes.",
			 m->text ? m->text : "", line ? "\nat " : "", line ? line : "");
	safe = sanitize_lines(text);
	tui_dialog_set_text(d, 0, safe);
	d->error_style = true;
	d->buttons = TUI_BTN_YES_NO;
	free(d->ok_label);
	d->ok_label = xstrdup("Edit again");
	free(safe);
	free(text);
	free(line);
}

static void on_diff_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct xml_ctx *x = d->ctx;
	if (result != TUI_DLG_OK || x->seq)
		return;
	if (d->buttons == TUI_BTN_YES_NO && d->error_style) {
		/* "Edit again" after a refusal */
		d->ctx = NULL;
		edit_loop(a, x);
	}
}

static void diff_free(struct tui_dialog *d)
{
	xml_ctx_free(d->ctx);
}

static struct tui_mode_ops xml_define_ops;
static const struct tui_mode_ops *xml_define_base;

/* [Define] sends the job and keeps the dialog for the answer. */
static int xml_define_key(struct tui_mode *m, struct tui_app *a, int key, bool is_char)
{
	struct tui_dialog *d = (struct tui_dialog *)m;
	struct xml_ctx *x = d->ctx;
	int r = xml_define_base->key(m, a, key, is_char);
	be_host *be;
	be_vmchange *ch;
	if (r != TUI_KEY_CLOSE || d->result != TUI_DLG_OK || d->buttons != TUI_BTN_OK_CANCEL || !x)
		return r;
	if (!(be = st_host_be(a, x->host_id))) {
		tui_dialog_set_text(d, 0, "The host is not connected.");
		d->buttons = TUI_BTN_CLOSE;
		d->result = TUI_DLG_RUNNING;
		return TUI_KEY_DONE;
	}
	ch = be_vmchange_new();
	be_vmchange_add(ch, BE_CHG_DEFINE, BE_WHEN_BOOT, NULL)->text = xstrdup(x->edited);
	x->seq = be_host_submit_arg(be, BE_OP_VM_CHANGE, x->uuid, ch, be_vmchange_free_void);
	tui_mode_expect(a, m, x->host_id, x->seq);
	tui_dialog_set_text(d, 0, "Defining...");
	d->buttons = TUI_BTN_CLOSE;
	d->result = TUI_DLG_RUNNING;
	return TUI_KEY_DONE;
}

static void show_diff(struct tui_app *a, struct xml_ctx *x)
{
	char *diff = tui_line_diff(x->orig, x->edited), *safe = sanitize_lines(diff), *text;
	struct tui_dialog *d = tui_dialog_new("Edit XML - the changes", TUI_BTN_OK_CANCEL);
	text = xasprintf("%s\nDefine the VM with these changes?", safe);
	tui_dialog_add_page(d, NULL, text);
	d->ok_label = xstrdup("Define");
	d->ctx = x;
	d->mode.host_id = x->host_id;
	d->on_reply = on_define_reply;
	d->on_done = on_diff_done;
	d->on_free = diff_free;
	if (!xml_define_base) {
		xml_define_base = d->mode.ops;
		xml_define_ops = *xml_define_base;
		xml_define_ops.key = xml_define_key;
	}
	d->mode.ops = &xml_define_ops;
	tui_push_dialog(a, d);
	free(text);
	free(safe);
	free(diff);
}

static void edit_loop(struct tui_app *a, struct xml_ctx *x)
{
	const char *ed = editor();
	char *err = NULL, *path, *got;
	int rc;

	path = write_private(x->name, x->edited ? x->edited : x->orig, &err);
	if (!path) {
		tui_push_dialog(a, tui_msgbox("Edit XML", err, true));
		free(err);
		xml_ctx_free(x);
		return;
	}
	setenv("VMMC_EDITOR", ed, 1);
	rc = run_editor(ed, path);
	got = read_all(path);
	unlink(path); /* removed at once, whatever happened */
	free(path);
	a->dirty |= TUI_DIRTY_ALL;
	if (rc != 0) {
		char *t = xasprintf("The editor exited with status %d: nothing was changed.\n(%s)", rc, ed);
		char *s = sanitize_lines(t);
		tui_push_dialog(a, tui_msgbox("Edit XML", s, true));
		free(s);
		free(t);
		free(got);
		xml_ctx_free(x);
		return;
	}
	if (!got || !*core_str_trim(got)) {
		tui_push_dialog(a, tui_msgbox("Edit XML", "The file was left empty: nothing was changed.", true));
		free(got);
		xml_ctx_free(x);
		return;
	}
	free(x->edited);
	x->edited = got;
	{
		char *o = xstrdup(x->orig), *g = xstrdup(got);
		bool same = !strcmp(core_str_trim(o), core_str_trim(g));
		free(o);
		free(g);
		if (same) {
			tui_status(a, false, "Edit XML: no changes");
			xml_ctx_free(x);
			return;
		}
	}
	show_diff(a, x);
}

void tui_edit_xml_run(struct tui_app *a, int host_id, const char *uuid, const char *name, const char *xml)
{
	struct xml_ctx *x;
	if (!xml)
		return;
	if (!editor()) {
		char *safe = sanitize_lines(xml);
		char *text = xasprintf("No editor: set VISUAL or EDITOR (e.g. export VISUAL=vi) to edit this XML. "
				       "Read-only view:\n\n%s", safe);
		tui_push_dialog(a, tui_msgbox("Edit XML (read-only)", text, false));
		free(text);
		free(safe);
		return;
	}
	x = xcalloc(1, sizeof(*x));
	x->host_id = host_id;
	snprintf(x->uuid, sizeof(x->uuid), "%s", uuid);
	x->name = xstrdup(name);
	x->orig = xstrdup(xml);
	edit_loop(a, x);
}

/* Edit XML from the VM list: the inactive XML comes first (a details job
 * answered into a small waiting dialog). */
static void on_details(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct xml_ctx *x = d->ctx;
	const be_vmconf *c = m->ext;
	if (m->type != MD_MSG_VM_DETAILS || m->seq != x->seq)
		return;
	x->seq = 0;
	if (!m->ok || !c) {
		char *s = core_sanitize(m->text ? m->text : "Could not read the VM's XML");
		tui_dialog_set_text(d, 0, s);
		d->error_style = true;
		free(s);
		return;
	}
	x->orig = xstrdup(c->config_xml);
	tui_dialog_set_text(d, 0, "Read. Press Enter to open the editor.");
	d->buttons = TUI_BTN_OK_CANCEL;
	free(d->ok_label);
	d->ok_label = xstrdup("Edit");
}

static void on_details_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct xml_ctx *x = d->ctx;
	if (result != TUI_DLG_OK || !x || !x->orig)
		return;
	tui_edit_xml_run(a, x->host_id, x->uuid, x->name, x->orig);
}

void tui_open_edit_xml(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	const md_vm *v = tui_sel_vm(a);
	be_host *be = h ? st_host_be(a, h->id) : NULL;
	struct tui_dialog *d;
	struct xml_ctx *x;
	if (!v || !be)
		return;
	x = xcalloc(1, sizeof(*x));
	x->host_id = h->id;
	snprintf(x->uuid, sizeof(x->uuid), "%s", v->uuid);
	x->name = xstrdup(v->name);
	d = tui_dialog_new("Edit XML", TUI_BTN_CLOSE);
	tui_dialog_add_page(d, NULL, "Reading the VM's XML...");
	d->ctx = x;
	d->mode.host_id = h->id;
	d->on_reply = on_details;
	d->on_done = on_details_done;
	d->on_free = diff_free;
	tui_push_dialog(a, d);
	x->seq = be_host_submit(be, BE_OP_VM_DETAILS, x->uuid, NULL, 0);
	tui_mode_expect(a, &d->mode, h->id, x->seq);
}
