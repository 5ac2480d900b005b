/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_tui.c - the console's logic without a terminal: the list
 * widget (sorting, filtering, selection kept by identity, nested rows,
 * clicks), the host registry's merge into the config, which actions are
 * enabled for each selection, and key routing through the mode stack, the
 * pane's mode and the action table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/conf.h"
#include "../../core/hostreg.h"
#include "../../core/model.h"
#include "../../core/util.h"
#include "../../tui/actions.h"
#include "../../tui/app.h"
#include "../../tui/list.h"
#include "../../tui/listview.h"
#include "../../tui/mode.h"

/* ---- the list widget over a small table of its own ------------------------- */

struct item {
	const char *name;
	int size;
	int nkids;
};

struct table {
	struct item *v;
	size_t n;
	uint64_t gen;
};

static const struct tui_list_col cols[] = {
	{ "Name", 0, 8, false, 0, true, false, true },
	{ "Size", 6, 0, true, 1, true, false, false },
	{ "Spare", 30, 0, false, 2, true, false, false },
};

static size_t t_count(const void *src)
{
	return ((const struct table *)src)->n;
}

static size_t t_kids(const void *src, size_t i)
{
	return (size_t)((const struct table *)src)->v[i].nkids;
}

static int t_cell(const void *src, struct tui_list_ref r, int col, char *buf, size_t len, const struct tui_app *a)
{
	const struct item *it = &((const struct table *)src)->v[r.i];
	(void)a;
	if (col == 0)
		snprintf(buf, len, r.child >= 0 ? "  %s.%d" : "%s", it->name, r.child);
	else if (col == 1)
		snprintf(buf, len, "%d", it->size);
	else
		snprintf(buf, len, "-");
	return -1;
}

static int t_cmp(const void *src, size_t x, size_t y, int col, const struct tui_app *a)
{
	const struct table *t = src;
	(void)a;
	if (col == 1)
		return (t->v[x].size > t->v[y].size) - (t->v[x].size < t->v[y].size);
	return 0;
}

static void t_key(const void *src, size_t i, int col, struct tui_list_key *k, const struct tui_app *a)
{
	(void)a;
	if (col == 1)
		k->num = ((const struct table *)src)->v[i].size;
}

static uint64_t t_gen(const void *src)
{
	return ((const struct table *)src)->gen;
}

static void t_id(const void *src, struct tui_list_ref r, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%d", ((const struct table *)src)->v[r.i].name, r.child);
}

static const char *t_name(const void *src, size_t i)
{
	return ((const struct table *)src)->v[i].name;
}

static bool t_empty(const void *src, int col, const struct tui_app *a)
{
	(void)src;
	(void)a;
	return col == 2;
}

static const struct tui_list_class tclass = {
	.cols = cols, .ncols = 3, .count = t_count, .nchildren = t_kids, .cell = t_cell, .cmp = t_cmp,
	.id = t_id, .name = t_name, .col_empty = t_empty,
};

/* The same with sort keys and a data generation (what the VM list uses). */
static const struct tui_list_class kclass = {
	.cols = cols, .ncols = 3, .count = t_count, .cell = t_cell, .key = t_key, .gen = t_gen,
	.id = t_id, .name = t_name,
};

static const char *row_name(const struct tui_list *l, size_t r)
{
	static char buf[64];
	t_cell(l->src, l->rows[r], 0, buf, sizeof(buf), NULL);
	return buf;
}

static void test_list_sort_and_keep_selection(void **state)
{
	struct item v[] = { { "web", 30, 0 }, { "db", 10, 0 }, { "cache", 20, 0 } };
	struct table t = { v, 3, 0 };
	struct tui_list l;
	(void)state;
	tui_list_init(&l, &tclass, 0);
	tui_list_sync(&l, &t, NULL, true);
	assert_int_equal(l.nrows, 3);
	assert_string_equal(row_name(&l, 0), "cache"); /* by name */
	assert_string_equal(row_name(&l, 2), "web");
	tui_list_select(&l, 2);
	assert_string_equal(l.sel_id, "web/-1");
	/* by size: web moves to the end still, db first; the selection follows web */
	tui_list_sort_by(&l, 1);
	assert_string_equal(row_name(&l, 0), "db");
	assert_string_equal(row_name(&l, l.sel), "web");
	/* again: descending */
	tui_list_sort_by(&l, 1);
	assert_true(l.sort_desc);
	assert_string_equal(row_name(&l, 0), "web");
	assert_int_equal(l.sel, 0);
	/* the data changes under it (a new item, another order): still web */
	{
		struct item v2[] = { { "a-new", 99, 0 }, { "cache", 20, 0 }, { "web", 30, 0 }, { "db", 10, 0 } };
		struct table t2 = { v2, 4, 0 };
		tui_list_sync(&l, &t2, NULL, true);
		assert_int_equal(l.nrows, 4);
		assert_string_equal(row_name(&l, l.sel), "web");
		/* the selected one goes: the selection stays in range */
		t2.n = 1;
		tui_list_sync(&l, &t2, NULL, true);
		assert_int_equal(l.sel, 0);
		assert_string_equal(row_name(&l, 0), "a-new");
	}
	tui_list_free(&l);
}

static void test_list_keys_and_gen(void **state)
{
	struct item v[] = { { "web", 30, 0 }, { "db", 10, 0 }, { "cache", 20, 0 }, { "app", 20, 0 } };
	struct table t = { v, 4, 1 };
	struct tui_list l;
	(void)state;
	tui_list_init(&l, &kclass, 1);
	tui_list_sync(&l, &t, NULL, true);
	/* by size, ties by name: db 10, app 20, cache 20, web 30 */
	assert_string_equal(row_name(&l, 0), "db");
	assert_string_equal(row_name(&l, 1), "app");
	assert_string_equal(row_name(&l, 2), "cache");
	assert_string_equal(row_name(&l, 3), "web");
	tui_list_sort_reverse(&l);
	assert_string_equal(row_name(&l, 0), "web");
	assert_string_equal(row_name(&l, 3), "db");
	/* the same generation: the rows are kept (no sort, no rebuild), even
	 * asked to resort */
	v[0].size = 1;
	tui_list_sync(&l, &t, NULL, true);
	assert_string_equal(row_name(&l, 0), "web");
	/* a new generation: rebuilt */
	t.gen++;
	tui_list_sync(&l, &t, NULL, true);
	assert_string_equal(row_name(&l, 3), "web");
	tui_list_free(&l);
}

static void test_list_filter_and_keys(void **state)
{
	struct item v[] = { { "web01", 1, 0 }, { "web02", 2, 0 }, { "db", 3, 0 }, { "Webmail", 4, 0 } };
	struct table t = { v, 4, 0 };
	struct tui_list l;
	(void)state;
	tui_list_init(&l, &tclass, 0);
	tui_list_sync(&l, &t, NULL, true);
	tui_list_filter_begin(&l);
	assert_true(tui_list_filtered(&l));
	assert_int_equal(tui_list_key(&l, 'w', true), TUI_KEY_DONE);
	assert_int_equal(tui_list_key(&l, 'E', true), TUI_KEY_DONE);
	assert_int_equal(l.nrows, 3); /* case-insensitive: web01, web02, Webmail */
	/* a control character is not typed into the filter */
	tui_list_key(&l, 0x15 /* Ctrl-U: clears */, true);
	assert_string_equal(core_line_text(&l.filter), "");
	assert_int_equal(l.nrows, 4);
	tui_list_key(&l, '\\', true);
	assert_string_equal(core_line_text(&l.filter), "\\");
	assert_int_equal(l.nrows, 0);
	tui_list_key(&l, 27, true); /* Escape: cleared, not editing */
	assert_false(tui_list_filtered(&l));
	assert_int_equal(l.nrows, 4);
	/* moving: Down, End, Home; j/k */
	l.page = 2;
	assert_int_equal(tui_list_key(&l, KEY_DOWN, false), TUI_KEY_DONE);
	assert_int_equal(l.sel, 1);
	tui_list_key(&l, KEY_END, false);
	assert_int_equal(l.sel, 3);
	assert_int_equal(l.top, 2); /* scrolled to show it */
	tui_list_key(&l, 'k', true);
	assert_int_equal(l.sel, 2);
	tui_list_key(&l, KEY_HOME, false);
	assert_int_equal(l.sel, 0);
	assert_int_equal(l.top, 0);
	assert_int_equal(tui_list_key(&l, 'x', true), TUI_KEY_PASS);
	tui_list_free(&l);
}

static void test_list_nested_and_clicks(void **state)
{
	struct item v[] = { { "pool-b", 1, 2 }, { "pool-a", 2, 1 }, { "pool-c", 3, 0 } };
	struct table t = { v, 3, 0 };
	struct tui_list l;
	(void)state;
	tui_list_init(&l, &tclass, 0);
	tui_list_sync(&l, &t, NULL, true);
	/* pool-a, its volume, pool-b, its two, pool-c */
	assert_int_equal(l.nrows, 6);
	assert_string_equal(row_name(&l, 0), "pool-a");
	assert_string_equal(row_name(&l, 1), "  pool-a.0");
	assert_string_equal(row_name(&l, 2), "pool-b");
	assert_string_equal(row_name(&l, 4), "  pool-b.1");
	assert_string_equal(row_name(&l, 5), "pool-c");
	/* the layout the draw would use: header at row 1, rows from 2 */
	tui_list_layout(&l, 40);
	assert_true(l.col_w[0] >= 8);
	assert_int_equal(l.col_w[2], 0); /* the empty column folds first */
	l.header_y = 1;
	l.body_y = 2;
	l.page = 10;
	/* a click below the first pool's volumes selects the right row */
	assert_int_equal(tui_list_click(&l, 2 + 5, 3, false), 1);
	assert_string_equal(row_name(&l, l.sel), "pool-c");
	assert_int_equal(tui_list_click(&l, 2 + 2, 3, true), 2);
	assert_string_equal(row_name(&l, l.sel), "pool-b");
	/* past the last row: nothing */
	assert_int_equal(tui_list_click(&l, 2 + 9, 3, false), 0);
	/* a click on the Size header sorts by it */
	assert_int_equal(tui_list_click(&l, 1, l.col_x[1] + 1, false), 3);
	assert_int_equal(l.sort_col, 1);
	assert_string_equal(row_name(&l, 0), "pool-b");
	assert_string_equal(row_name(&l, l.sel), "pool-b");
	tui_list_free(&l);
}

/* ---- the host registry and the config merge ----------------------------------- */

static void test_hostreg_merge(void **state)
{
	core_hostreg r;
	struct core_conf c;
	int a, b;
	(void)state;
	core_hostreg_init(&r);
	a = core_hostreg_add(&r, "qemu:///system", "local", "lab", true, false, NULL);
	b = core_hostreg_add(&r, "ssh://kvm1", NULL, NULL, true, false, NULL);
	assert_int_equal(core_hostreg_add(&r, "ssh://kvm1", "dup", NULL, false, false, NULL), b);
	core_hostreg_add(&r, "test:///default", NULL, NULL, false, false, NULL);
	assert_int_equal(r.ngroups, 1);
	/* the file has hosts this run does not show, one in "lab" */
	core_conf_init(&c);
	core_conf_add_group(&c, "lab");
	core_conf_add_group(&c, "old");
	core_conf_add_host(&c, "ssh://far", NULL, "lab");
	core_conf_add_host(&c, "ssh://gone", NULL, "old");
	core_conf_add_host(&c, "ssh://kvm1", "kvm one", NULL);
	/* here: lab renamed, kvm1 removed, a new group */
	core_hostreg_group_rename(&r, 0, "Lab");
	core_hostreg_remove(&r, b);
	core_hostreg_group_add(&r, "new");
	core_hostreg_set_group(&r, a, "new");
	core_hostreg_merge(&r, &c);
	assert_null(core_conf_find_host(&c, "ssh://kvm1"));        /* removed */
	assert_string_equal(core_conf_find_host(&c, "ssh://far")->group, "Lab"); /* followed the rename */
	assert_string_equal(core_conf_find_host(&c, "ssh://gone")->group, "old"); /* untouched */
	assert_string_equal(core_conf_find_host(&c, "qemu:///system")->group, "new");
	assert_string_equal(core_conf_find_host(&c, "qemu:///system")->name, "local");
	assert_null(core_conf_find_host(&c, "test:///default"));   /* not saved */
	/* groups: the registry's in its order, then the file's others */
	assert_int_equal(c.ngroups, 3);
	assert_string_equal(c.groups[0], "Lab");
	assert_string_equal(c.groups[1], "new");
	assert_string_equal(c.groups[2], "old");
	core_hostreg_merged(&r);
	assert_int_equal(r.nremoved_uris, 0);
	/* removing a group sends its hosts to the top level, in the file too */
	core_hostreg_group_remove(&r, (size_t)core_hostreg_group_find(&r, "new"));
	assert_null(core_hostreg_get(&r, a)->group);
	core_hostreg_merge(&r, &c);
	assert_null(core_conf_find_host(&c, "qemu:///system")->group);
	core_conf_free(&c);
	core_hostreg_free(&r);
}

/* ---- an app without a terminal --------------------------------------------------- */

static md_vm mk_vm(const char *name, int n, int st)
{
	md_vm v = { 0 };
	v.name = xstrdup(name);
	snprintf(v.uuid, sizeof(v.uuid), "00000000-0000-0000-0000-%012d", n);
	v.state = st;
	v.persistent = true;
	v.vcpus = 1;
	return v;
}

struct fixture {
	struct tui_app app;
	struct tui_opts opts;
};

static int app_setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct tui_app *a = &f->app;
	md_host *h;
	md_msg *m;
	static const struct { const char *name; int st; bool save; } vms[] = {
		{ "run", MD_VM_RUNNING, false }, { "crash", MD_VM_CRASHED, false }, { "pause", MD_VM_PAUSED, false },
		{ "pmsusp", MD_VM_PMSUSPENDED, false }, { "off", MD_VM_SHUTOFF, false }, { "saved", MD_VM_SHUTOFF, true },
	};
	a->opts = &f->opts;
	a->model = md_model_new();
	a->menu_open = -1;
	a->focus = TUI_PANE_LIST;
	core_hostreg_init(&a->reg);
	core_hostreg_add(&a->reg, "test:///default", NULL, NULL, false, false, NULL);
	h = md_host_add(a->model, 0, "test:///default");
	h->conn = MD_CONN_CONNECTED;
	m = md_msg_new(MD_MSG_VM_LIST, 0);
	m->vms = xcalloc(CORE_ARRAY_LEN(vms), sizeof(*m->vms));
	for (size_t i = 0; i < CORE_ARRAY_LEN(vms); i++) {
		m->vms[i] = mk_vm(vms[i].name, (int)i, vms[i].st);
		m->vms[i].managed_save = vms[i].save;
	}
	m->nvms = CORE_ARRAY_LEN(vms);
	md_apply(a->model, m);
	md_msg_free(&m);
	tui_rebuild_tree(a);
	tui_tree_select(a, 1); /* the host's Virtual Machines */
	tui_tree_select(a, 0); /* and back to the host: its VMs too */
	tui_pane_sync(a);
	*state = f;
	return 0;
}

static int app_teardown(void **state)
{
	struct fixture *f = *state;
	struct tui_app *a = &f->app;
	while (a->nstack)
		tui_mode_pop(a, a->stack[a->nstack - 1]);
	for (size_t i = 0; a->view_modes && i < tui_nviews; i++)
		if (a->view_modes[i])
			a->view_modes[i]->ops->free(a->view_modes[i]);
	free(a->view_modes);
	free(a->stack);
	free(a->expects);
	free(a->nodes);
	core_hostreg_free(&a->reg);
	md_model_free(&a->model);
	free(f);
	return 0;
}

static struct tui_list *vm_list(struct tui_app *a)
{
	assert_non_null(a->pane);
	assert_ptr_equal(a->pane->ops, &tui_listview_ops);
	return &((struct tui_listview *)a->pane)->list;
}

/* Select the VM named name in the pane's list. */
static void select_vm(struct tui_app *a, const char *name)
{
	struct tui_list *l = vm_list(a);
	for (size_t r = 0; r < l->nrows; r++) {
		tui_list_select(l, r);
		if (strcmp(tui_sel_vm(a)->name, name) == 0)
			return;
	}
	fail_msg("no VM %s", name);
}

static bool enabled(struct tui_app *a, const char *id)
{
	const struct tui_action *act = tui_action_by_id(id);
	assert_non_null(act);
	return tui_action_enabled(a, act);
}

static void test_actions_enabled(void **state)
{
	struct tui_app *a = &((struct fixture *)*state)->app;
	assert_int_equal(vm_list(a)->nrows, 6);
	select_vm(a, "run");
	assert_false(enabled(a, "vm.start"));
	assert_true(enabled(a, "vm.shutdown"));
	assert_true(enabled(a, "vm.destroy"));
	assert_true(enabled(a, "vm.save"));
	/* a crashed VM can be turned off, then started (virsh destroy; start) */
	select_vm(a, "crash");
	assert_true(enabled(a, "vm.destroy"));
	assert_false(enabled(a, "vm.start"));
	assert_false(enabled(a, "vm.shutdown"));
	select_vm(a, "pause");
	assert_true(enabled(a, "vm.resume"));
	assert_true(enabled(a, "vm.destroy"));
	select_vm(a, "pmsusp");
	assert_true(enabled(a, "vm.resume"));
	assert_false(enabled(a, "vm.start"));
	select_vm(a, "off");
	assert_true(enabled(a, "vm.start"));
	assert_false(enabled(a, "vm.destroy"));
	assert_false(enabled(a, "vm.discard"));
	select_vm(a, "saved");
	assert_true(enabled(a, "vm.start"));
	assert_true(enabled(a, "vm.discard"));
	assert_string_equal(tui_vm_state_text(tui_sel_vm(a)), "saved");
	/* a host that is not connected: no VM action */
	md_host_get(a->model, 0)->conn = MD_CONN_DISCONNECTED;
	assert_false(enabled(a, "vm.start"));
	assert_true(enabled(a, "vm.properties"));
	assert_true(enabled(a, "host.connect"));
	/* a group's node: group actions, no VM */
	tui_group_add(a, "g");
	tui_tree_select(a, 0);
	tui_pane_sync(a);
	assert_non_null(tui_sel_group(a));
	assert_null(tui_sel_vm(a));
	assert_true(enabled(a, "group.rename"));
	assert_false(enabled(a, "vm.properties"));
}

/* A stack mode that takes some keys. */
struct rec_mode {
	struct tui_mode mode;
	int keys, last;
	bool freed_flag;
};

static bool rec_freed;

static int rec_key(struct tui_mode *m, struct tui_app *a, int key, bool is_char)
{
	struct rec_mode *r = (struct rec_mode *)m;
	(void)a;
	(void)is_char;
	r->keys++;
	r->last = key;
	if (key == 'x')
		return TUI_KEY_CLOSE;
	return key == 'p' || key == 27 ? TUI_KEY_PASS : TUI_KEY_DONE;
}

static void rec_free(struct tui_mode *m)
{
	rec_freed = true;
	free(m);
}

static const struct tui_mode_ops rec_ops = { .name = "rec", .key = rec_key, .free = rec_free };

static void test_key_routing(void **state)
{
	struct tui_app *a = &((struct fixture *)*state)->app;
	struct tui_list *l = vm_list(a);
	struct rec_mode *r = xcalloc(1, sizeof(*r));
	size_t tree_sel = a->tree_sel;
	/* the pane's mode gets Down when it has the focus */
	tui_list_select(l, 0);
	tui_handle_key(a, KEY_DOWN, false);
	assert_int_equal(l->sel, 1);
	/* with the tree focused, Down moves the tree */
	a->focus = TUI_PANE_TREE;
	tui_handle_key(a, KEY_DOWN, false);
	assert_int_equal(a->tree_sel, tree_sel + 1);
	assert_int_equal(l->sel, 0); /* another node: its list from the top */
	tui_tree_select(a, tree_sel);
	tui_pane_sync(a);
	a->focus = TUI_PANE_LIST;
	/* a mode on the stack takes every key first, even one it passes */
	r->mode.ops = &rec_ops;
	r->mode.host_id = -1;
	tui_mode_push(a, &r->mode);
	assert_ptr_equal(tui_mode_top(a), &r->mode);
	tui_handle_key(a, KEY_DOWN, false);
	tui_handle_key(a, 'p', true);
	assert_int_equal(r->keys, 2);
	assert_int_equal(vm_list(a)->sel, 0); /* the pane saw nothing */
	assert_null(a->overlay);              /* 'p' did not reach the action table */
	/* Escape passed by the mode closes it */
	rec_freed = false;
	tui_handle_key(a, 27, true);
	assert_true(rec_freed);
	assert_null(tui_mode_top(a));
	/* the action table: '?' opens help over the pane; Escape leaves it */
	tui_handle_key(a, '?', true);
	assert_non_null(a->overlay);
	assert_ptr_equal(tui_pane_mode(a), a->overlay);
	tui_handle_key(a, 27, true);
	assert_null(a->overlay);
	/* '/' starts the filter; typed keys go to it, not to actions */
	tui_handle_key(a, '/', true);
	tui_handle_key(a, 's', true); /* would be Start */
	assert_string_equal(core_line_text(&vm_list(a)->filter), "s");
	assert_int_equal(vm_list(a)->nrows, 4); /* crash, pause, pmsusp, saved */
	tui_handle_key(a, '\n', true);
	tui_handle_key(a, 27, true);
	assert_int_equal(vm_list(a)->nrows, 6);
}

/* A job's answer goes to the mode that sent it (by host and seq). */
static struct tui_mode *replied;
static uint64_t replied_seq;

static void rec_reply(struct tui_mode *m, struct tui_app *a, const md_msg *msg)
{
	(void)a;
	replied = m;
	replied_seq = msg->seq;
}

static const struct tui_mode_ops rep_ops = { .name = "rep", .reply = rec_reply, .free = rec_free };

static void test_reply_routing(void **state)
{
	struct tui_app *a = &((struct fixture *)*state)->app;
	struct rec_mode *r1 = xcalloc(1, sizeof(*r1)), *r2 = xcalloc(1, sizeof(*r2));
	md_msg *m;
	r1->mode.ops = r2->mode.ops = &rep_ops;
	tui_mode_push(a, &r1->mode);
	tui_mode_push(a, &r2->mode);
	tui_mode_expect(a, &r1->mode, 0, 41);
	tui_mode_expect(a, &r2->mode, 0, 42);
	m = md_msg_new(MD_MSG_OP_RESULT, 0);
	m->seq = 41;
	m->ok = true;
	assert_false(tui_route_reply(a, m));
	assert_ptr_equal(replied, &r1->mode);
	/* a later message of the same job still reaches it */
	m->type = MD_MSG_VM_DISKS;
	replied = NULL;
	assert_true(tui_route_reply(a, m));
	assert_ptr_equal(replied, &r1->mode);
	m->type = MD_MSG_OP_RESULT;
	/* another host's job 42 is not r2's */
	m->host_id = 7;
	m->seq = 42;
	replied = NULL;
	tui_route_reply(a, m);
	assert_null(replied);
	/* a popped mode gets nothing */
	tui_mode_pop(a, &r2->mode);
	m->host_id = 0;
	tui_route_reply(a, m);
	assert_null(replied);
	assert_int_equal(a->nexpects, 1); /* r1's, until it goes */
	tui_mode_pop(a, &r1->mode);
	assert_int_equal(a->nexpects, 0);
	md_msg_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_sort_and_keep_selection),
		cmocka_unit_test(test_list_keys_and_gen),
		cmocka_unit_test(test_list_filter_and_keys),
		cmocka_unit_test(test_list_nested_and_clicks),
		cmocka_unit_test(test_hostreg_merge),
		cmocka_unit_test_setup_teardown(test_actions_enabled, app_setup, app_teardown),
		cmocka_unit_test_setup_teardown(test_key_routing, app_setup, app_teardown),
		cmocka_unit_test_setup_teardown(test_reply_routing, app_setup, app_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
