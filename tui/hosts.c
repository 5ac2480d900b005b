/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/hosts.c - groups of hosts (the tree's folders) and the dialogs of
 * the host and group actions: New Group, Rename Group, Remove Group, Move
 * to Group, Host Properties. The groups and the hosts' names and groups
 * are saved in the config (tui_save_config). */
#include "app.h"
#include "tree.h"
#include "dialog.h"
#include "nav.h"
#include "wizard_newvm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/conf.h"
#include "../core/log.h"
#include "../core/sanitize.h"
#include "../core/util.h"

/* ---- hosts (the registry in core/hostreg.c, the model, the backend) --------------------------------------------------------------------- */

static void host_label(struct tui_app *a, int id)
{
	struct core_reg_host *th = tui_host_by_id(a, id);
	md_host *h = md_host_get(a->model, id);
	if (!th || !h)
		return;
	if (th->name || th->demo) {
		core_str_set(&h->label, th->name ? th->name : "Demo host");
	} else {
		free(h->label);
		h->label = md_host_default_label(h->uri);
	}
}

int tui_add_host(struct tui_app *a, const char *uri, const char *name, const char *group, bool saved, bool demo)
{
	bool is_new;
	int id = core_hostreg_add(&a->reg, uri, name, group, saved, demo, &is_new);
	struct core_reg_host *th = tui_host_by_id(a, id);
	md_host *h;
	if (!is_new)
		return id;
	h = md_host_add(a->model, id, uri);
	h->demo = demo;
	h->conn = MD_CONN_CONNECTING;
	host_label(a, id);
	/* off screen until the next pass says otherwise (tui_perf_tick): a
	 * host that connects before it must not read what only the selected
	 * one reads */
	th->user = be_host_new_flags(id, uri, BE_HOST_AWAY);
	a->dirty |= TUI_DIRTY_ALL;
	if (!a->adding_many) /* start-up rebuilds once, after the last host */
		tui_rebuild_tree(a);
	return id;
}

void tui_host_set_name(struct tui_app *a, int id, const char *name)
{
	core_hostreg_set_name(&a->reg, id, name);
	host_label(a, id);
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_host_set_group(struct tui_app *a, int id, const char *group)
{
	core_hostreg_set_group(&a->reg, id, group);
	tui_rebuild_tree(a);
	a->dirty |= TUI_DIRTY_ALL;
}

/* host id's old backend freed (wait_ms: how long for its worker) after
 * what waits on it: a prompt, the modes' expected answers */
static void host_let_go(struct tui_app *a, int id, be_host **be, int wait_ms)
{
	tui_prompt_cancel_host(a, id); /* a worker waiting for an answer */
	tui_expects_drop(a, NULL, id);
	be_host_free(be, wait_ms);
}

void tui_remove_host(struct tui_app *a, int id)
{
	struct core_reg_host *th = tui_host_by_id(a, id);
	const md_host *h = md_host_get(a->model, id);
	be_host *be;
	if (!th)
		return;
	if (tui_newvm_cancel_runs(a, id) > 0) {
		/* its steps' undo needs the host: removed after that */
		tui_status(a, true, "%s: its New VM Finish is cancelled first, what it made removed: remove "
			   "the host again then", h && h->label ? h->label : "the host");
		return;
	}
	be = th->user;
	/* a host stuck in a call (a connect past its deadline, a job busy
	 * for long) would only hold the UI for the whole wait: its worker
	 * ends it when the call returns */
	host_let_go(a, id, &be, h && (h->stalled || tui_host_shows_busy(h)) ? 0 : 200);
	core_hostreg_remove(&a->reg, id);
	md_host_remove(a->model, id);
	tui_rebuild_tree(a);
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS | TUI_DIRTY_RESORT;
	/* the lists drop their pointer to the freed host now: the next key
	 * may be read in this same pass, before the loop's own sync (a
	 * heap-use-after-free the monkey test found, seed 31337) */
	tui_pane_sync(a);
	tui_save_config(a);
}

void tui_host_connect(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	be_host *be = h ? tui_host_be(tui_host_by_id(a, h->id)) : NULL;
	if (!be)
		return;
	if (h->conn == MD_CONN_FAILED && h->stalled) {
		/* its worker is inside the open: a second connect would only
		 * wait behind it (and show "busy") */
		long s = h->open_since_ms ? (long)((core_now_ms() - h->open_since_ms) / 1000) : 0;
		tui_status(a, false, "Still waiting for %s's daemon (%ld s): the connect goes on, the host "
			   "connects when the daemon answers", h->label, s);
		return;
	}
	be_host_submit(be, BE_OP_CONNECT, NULL, NULL, 0);
}

/* A host whose worker waits inside an open past its deadline ("no
 * answer") would run a Disconnect only when the daemon answers (and show
 * "busy"): that worker is abandoned instead (it ends when the open
 * returns, closing a late connection unused, as for a removed host) and
 * the host gets a new one that waits for a Connect. */
void tui_host_disconnect(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	struct core_reg_host *th = h ? tui_host_by_id(a, h->id) : NULL;
	be_host *be = th ? tui_host_be(th) : NULL;
	md_msg *m;
	if (!be)
		return;
	if (h->conn != MD_CONN_FAILED || !h->stalled) {
		be_host_submit(be, BE_OP_DISCONNECT, NULL, NULL, 0);
		return;
	}
	core_log("host", "%s: disconnect (asked) while the connect waits: its worker abandoned", h->uri);
	th->user = be_host_new_flags(h->id, h->uri, BE_HOST_IDLE);
	host_let_go(a, h->id, &be, 0);
	m = md_msg_new(MD_MSG_HOST_STATE, h->id); /* after what the old worker posted */
	m->conn = MD_CONN_IDLE;
	core_msgq_post(a->queue, m);
	tui_status(a, false, "%s disconnected: its connect that waits is dropped (a late answer is closed unused)",
		   h->label);
}

void tui_save_config(struct tui_app *a)
{
	struct core_conf c;
	char *err = NULL;
	int lock;
	if (!a->opts->config_path)
		return;
	/* read, merge, write under the lock: another vmmc saving now waits */
	if ((lock = core_conf_lock(a->opts->config_path, &err)) < 0) {
		tui_status_sticky(a, "Config not saved: %s", err);
		free(err);
		return;
	}
	core_conf_init(&c);
	if (core_conf_load(a->opts->config_path, &c, &err) != 0) {
		tui_status_sticky(a, "Config not saved: %s (fix the file, nothing was overwritten)", err);
		free(err);
		core_conf_free(&c);
		core_conf_unlock(lock);
		return;
	}
	core_hostreg_merge(&a->reg, &c);
	if (core_conf_save(a->opts->config_path, &c, &err) != 0) {
		tui_status_sticky(a, "Config not saved: %s", err);
		free(err);
	} else {
		core_hostreg_merged(&a->reg); /* in the file now */
	}
	core_conf_free(&c);
	core_conf_unlock(lock);
}

/* ---- the groups (core/hostreg.c keeps them; the tree follows) ------------ */

int tui_group_find(const struct tui_app *a, const char *name)
{
	return core_hostreg_group_find(&a->reg, name);
}

int tui_group_find_nocase(const struct tui_app *a, const char *name)
{
	return core_hostreg_group_find_nocase(&a->reg, name);
}

size_t tui_group_add(struct tui_app *a, const char *name)
{
	size_t n = a->reg.ngroups, gi = core_hostreg_group_add(&a->reg, name);
	if (a->reg.ngroups != n)
		tui_rebuild_tree(a);
	return gi;
}

int tui_host_group_index(const struct tui_app *a, const struct core_reg_host *th)
{
	return core_hostreg_host_group(&a->reg, th);
}

size_t tui_group_nhosts(const struct tui_app *a, size_t gi)
{
	return tui_tree_group_nhosts(a, gi); /* filed by the tree: O(1) */
}

void tui_group_rename(struct tui_app *a, size_t gi, const char *name)
{
	core_hostreg_group_rename(&a->reg, gi, name);
	tui_rebuild_tree(a);
}

void tui_group_remove(struct tui_app *a, size_t gi)
{
	core_hostreg_group_remove(&a->reg, gi);
	tui_rebuild_tree(a);
}

const struct core_reg_group *tui_sel_group(const struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	if (!n || n->kind != TUI_NODE_GROUP || n->group < 0 || (size_t)n->group >= a->reg.ngroups)
		return NULL;
	return &a->reg.groups[n->group];
}

/* The group a new host goes in by default: the selected group, or the
 * group of the selected host; -1 for none. */
int tui_sel_group_index(const struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	const struct core_reg_host *th;
	if (!n)
		return -1;
	if (n->kind == TUI_NODE_GROUP)
		return n->group;
	th = core_hostreg_get(&a->reg, n->host_id);
	return th ? tui_host_group_index(a, th) : -1;
}

/* A choice field "group" of the groups: "(none)" then each group, on sel (-1: none). */
struct tui_field *tui_add_group_choice(const struct tui_app *a, struct tui_page *p, const char *label, int sel)
{
	struct tui_field *f = tui_page_add(p, &tui_field_choice, "group", label, NULL);
	tui_field_add_choice(f, "(none)");
	for (size_t i = 0; i < a->reg.ngroups; i++) {
		char *safe = core_sanitize(a->reg.groups[i].name);
		tui_field_add_choice(f, safe);
		free(safe);
	}
	f->choice = sel >= 0 && (size_t)sel < a->reg.ngroups ? sel + 1 : 0;
	return f;
}

/* The group a choice made by tui_add_group_choice names (NULL: none). The
 * dialogs are modal: the groups do not change while one is open. */
const char *tui_group_choice_name(const struct tui_app *a, const struct tui_field *f)
{
	if (f->choice <= 0 || (size_t)(f->choice - 1) >= a->reg.ngroups)
		return NULL;
	return a->reg.groups[f->choice - 1].name;
}

/* A name for a new or renamed group: 0, or -1 and *err. except: the group
 * being renamed (its own name, in another case, is fine). */
static int group_name_validate(const struct tui_app *a, const char *name, int except, char **err)
{
	int other;
	char *safe;
	if (core_conf_group_name_check(name, err) < 0)
		return -1;
	other = tui_group_find_nocase(a, name);
	if (other < 0 || other == except)
		return 0;
	safe = core_sanitize(a->reg.groups[other].name);
	*err = xasprintf("There is a group '%s' already", safe);
	free(safe);
	return -1;
}

/* Dialogs about one group keep the app (for validate) and the group. */
struct group_ctx {
	struct tui_app *a;
	int group;
};

static struct group_ctx *group_ctx_new(struct tui_app *a, int group)
{
	struct group_ctx *c = xcalloc(1, sizeof(*c));
	c->a = a;
	c->group = group;
	return c;
}

/* ---- New Group ---------------------------------------------------------------- */

static int new_group_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct group_ctx *c = d->ctx;
	return group_name_validate(c->a, tui_field_value(tui_dialog_field(d, "name")), -1, err);
}

static void new_group_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	const char *name = tui_field_value(tui_dialog_field(d, "name"));
	size_t gi;
	if (result != TUI_DLG_OK)
		return;
	gi = tui_group_add(a, name);
	tui_select_group(a, gi);
	a->focus = TUI_PANE_TREE;
	tui_status(a, false, "Created group '%s'", name);
	tui_save_config(a);
}

void tui_open_new_group(struct tui_app *a)
{
	struct tui_dialog *d = tui_dialog_new("New Group", TUI_BTN_OK_CANCEL);
	struct tui_page *p = tui_dialog_add_page(d, NULL,
						 "A group is a folder of the console tree for hosts. "
						 "Put a host in it with Move to Group.");
	p->validate = new_group_validate;
	tui_page_add(p, &tui_field_text, "name", "&Name", NULL);
	d->ok_label = xstrdup("Create");
	d->ctx = group_ctx_new(a, -1);
	d->on_done = new_group_done;
	tui_push_dialog(a, d);
}

/* ---- Rename Group -------------------------------------------------------------- */

static int rename_group_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct group_ctx *c = d->ctx;
	return group_name_validate(c->a, tui_field_value(tui_dialog_field(d, "name")), c->group, err);
}

static void rename_group_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct group_ctx *c = d->ctx;
	const char *name = tui_field_value(tui_dialog_field(d, "name"));
	if (result != TUI_DLG_OK || c->group < 0 || (size_t)c->group >= a->reg.ngroups)
		return;
	if (strcmp(a->reg.groups[c->group].name, name) == 0)
		return;
	tui_group_rename(a, (size_t)c->group, name);
	tui_select_group(a, (size_t)c->group);
	tui_status(a, false, "Renamed the group to '%s'", name);
	tui_save_config(a);
}

void tui_open_rename_group(struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	const struct core_reg_group *g = tui_sel_group(a);
	struct tui_dialog *d;
	struct tui_page *p;
	if (!g)
		return;
	d = tui_dialog_new("Rename Group", TUI_BTN_OK_CANCEL);
	p = tui_dialog_add_page(d, NULL, "The hosts in the group stay in it.");
	p->validate = rename_group_validate;
	tui_page_add(p, &tui_field_text, "name", "&Name", g->name); /* the cursor at its end */
	d->ok_label = xstrdup("Rename");
	d->ctx = group_ctx_new(a, n->group);
	d->on_done = rename_group_done;
	tui_push_dialog(a, d);
}

/* ---- Remove Group --------------------------------------------------------------- */

static void remove_group_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct group_ctx *c = d->ctx;
	char *name;
	if (result != TUI_DLG_OK || c->group < 0 || (size_t)c->group >= a->reg.ngroups)
		return;
	name = xstrdup(a->reg.groups[c->group].name);
	tui_group_remove(a, (size_t)c->group);
	tui_status(a, false, "Removed the group '%s'", name);
	free(name);
	tui_save_config(a);
}

void tui_open_remove_group(struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	const struct core_reg_group *g = tui_sel_group(a);
	struct tui_dialog *d;
	size_t nh;
	char *name, *text;
	if (!g)
		return;
	nh = tui_group_nhosts(a, (size_t)n->group);
	name = core_sanitize(g->name);
	if (nh)
		text = xasprintf("Remove the group '%s'?\n\nIts %zu host%s move%s to the top level of the tree; "
				 "no host is removed.", name, nh, nh == 1 ? "" : "s", nh == 1 ? "s" : "");
	else
		text = xasprintf("Remove the group '%s'?\n\nIt is empty.", name);
	d = tui_confirm("Remove Group", text, "Remove", remove_group_done);
	d->ctx = group_ctx_new(a, n->group);
	tui_push_dialog(a, d);
	free(name);
	free(text);
}

/* ---- Move to Group -------------------------------------------------------------- */

/* fields: "group" (choice), "new" (text: wins when given) */
static int move_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct group_ctx *c = d->ctx;
	const char *nw = tui_field_value(tui_dialog_field(d, "new"));
	if (!*nw)
		return 0;
	/* an existing group's name (in any case) moves it there */
	if (tui_group_find_nocase(c->a, nw) >= 0)
		return 0;
	return group_name_validate(c->a, nw, -1, err);
}

static void move_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct core_reg_host *th = tui_host_by_id(a, d->mode.host_id);
	const md_host *h = md_host_get(a->model, d->mode.host_id);
	const char *nw = tui_field_value(tui_dialog_field(d, "new"));
	char *group;
	if (result != TUI_DLG_OK || !th || !h)
		return;
	if (*nw) {
		int gi = tui_group_find_nocase(a, nw);
		group = xstrdup(gi >= 0 ? a->reg.groups[gi].name : nw);
	} else {
		group = xstrdup(tui_group_choice_name(a, tui_dialog_field(d, "group")));
	}
	tui_host_set_group(a, d->mode.host_id, group);
	tui_select_host(a, d->mode.host_id);
	if (group)
		tui_status(a, false, "Moved %s to the group '%s'", h->label, group);
	else
		tui_status(a, false, "Moved %s to the top level", h->label);
	free(group);
	tui_save_config(a);
}

void tui_open_move_to_group(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	struct core_reg_host *th = h ? tui_host_by_id(a, h->id) : NULL;
	struct tui_dialog *d;
	struct tui_page *p;
	char *label, *text;
	if (!th)
		return;
	label = core_sanitize(h->label);
	text = xasprintf("Where does %s go? Pick a group with Left and Right, or type the name of a new one.",
			 label);
	d = tui_dialog_new("Move to Group", TUI_BTN_OK_CANCEL);
	p = tui_dialog_add_page(d, NULL, text);
	p->validate = move_validate;
	tui_add_group_choice(a, p, "&Group", tui_host_group_index(a, th));
	tui_page_add(p, &tui_field_text, "new", "&New group", NULL);
	d->ok_label = xstrdup("Move");
	d->ctx = group_ctx_new(a, -1);
	d->on_done = move_done;
	d->mode.host_id = h->id;
	tui_push_dialog(a, d);
	free(label);
	free(text);
}

/* ---- Host Properties ------------------------------------------------------------ */

/* s sanitized and cut to at most cols columns; caller frees. */
static char *safe_cut(const char *raw, int cols)
{
	char *safe = core_sanitize(raw), *cut;
	if (core_str_width(safe) <= cols)
		return safe;
	cut = core_str_fit(safe, cols, false);
	free(safe);
	return cut;
}

/* fields: "name", "group", "saved" (not for the demo host) */
static void props_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct core_reg_host *th = tui_host_by_id(a, d->mode.host_id);
	const md_host *h = md_host_get(a->model, d->mode.host_id);
	const char *name = tui_field_value(tui_dialog_field(d, "name")), *group;
	struct tui_field *saved_f = tui_dialog_field(d, "saved");
	bool changed = false, saved;
	if (result != TUI_DLG_OK || !th || !h)
		return;
	group = tui_group_choice_name(a, tui_dialog_field(d, "group"));
	saved = saved_f ? saved_f->checked : th->saved;
	if (!core_str_eq(th->name, *name ? name : NULL)) {
		tui_host_set_name(a, th->id, name);
		changed = true;
	}
	if (!core_str_eq(th->group, group)) {
		tui_host_set_group(a, th->id, group);
		tui_select_host(a, d->mode.host_id);
		th = tui_host_by_id(a, d->mode.host_id);
		changed = true;
	}
	if (th->saved != saved) {
		if (th->saved) /* out of the file at the next save */
			core_hostreg_unsave(&a->reg, th->id);
		else
			th->saved = true;
		changed = true;
	}
	if (!changed)
		return;
	tui_status(a, false, "Host %s updated", h->label);
	tui_save_config(a);
}

/* "Driver:     lxc\nLacks:      bulk stats, managed save\n" ("" before
 * the first connect); caller frees. */
static char *tui_host_driver_text(const md_host *h)
{
	char lacks[256] = "nothing vmmc uses", *drv, *text;
	size_t len = 0;
	if (!h->driver)
		return xstrdup("");
	for (unsigned bit = 1; bit & MD_CAP__ALL; bit <<= 1)
		if ((h->nosup & bit) && len < sizeof(lacks))
			len += (size_t)snprintf(lacks + len, sizeof(lacks) - len, "%s%s", len ? ", " : "",
						md_cap_name(bit));
	drv = safe_cut(h->driver, 40);
	text = xasprintf("Driver:     %s\nLacks:      %s\n", drv, lacks);
	free(drv);
	return text;
}

void tui_open_host_properties(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	struct core_reg_host *th = h ? tui_host_by_id(a, h->id) : NULL;
	struct tui_dialog *d;
	struct tui_page *p;
	char *uri, *host, *err, *via, *drv, *text, retry[48];
	const char *state;
	if (!th)
		return;
	uri = safe_cut(h->uri, 400);
	host = safe_cut(h->hostname ? h->hostname : "-", 100);
	err = safe_cut(h->error && *h->error ? h->error : "none", 240);
	state = tui_host_shows_busy(h) ? "busy" : md_host_state_name(h);
	if (h->retry_s > 0)
		snprintf(retry, sizeof(retry), "in %d s", h->retry_s);
	else
		snprintf(retry, sizeof(retry), "%s",
			 h->conn == MD_CONN_CONNECTED || h->conn == MD_CONN_CONNECTING ? "-" : "no (Connect Host retries)");
	via = h->via ? safe_cut(h->via, 200) : NULL;
	drv = tui_host_driver_text(h);
	text = xasprintf("URI:        %s\nHostname:   %s\n%s%s%sState:      %s, %zu VM%s\nRetry:      %s\n"
			 "%s"
			 "Last error: %s",
			 uri, host, via ? "Via:        " : "", via ? via : "", via ? "\n" : "", state, h->nvms,
			 h->nvms == 1 ? "" : "s", retry, drv, err);
	d = tui_dialog_new("Host Properties", TUI_BTN_CUSTOM);
	tui_dialog_set_button(d, 0, "OK");
	tui_dialog_set_button(d, 1, "Close");
	p = tui_dialog_add_page(d, NULL, text);
	tui_page_add(p, &tui_field_text, "name", "&Name", th->name);
	tui_add_group_choice(a, p, "&Group", tui_host_group_index(a, th));
	if (!th->demo)
		tui_page_add(p, &tui_field_check, "saved", "&Saved in the config (opened at start)", NULL)->checked =
			th->saved;
	d->on_done = props_done;
	d->mode.host_id = h->id;
	tui_push_dialog(a, d);
	free(uri);
	free(host);
	free(err);
	free(via);
	free(drv);
	free(text);
}
