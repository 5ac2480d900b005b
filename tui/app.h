/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/app.h - the console's state, shared by the tui/ modules.
 *
 * app.c holds the loop and the routing: keys to the top of the mode stack,
 * then the results pane's mode, then the action table; clicks likewise;
 * backend messages into the model, and job answers to the mode that sent
 * the job. What each view and dialog does lives in its own file (views.c
 * lists the views of the tree; view_*.c, perf.c, console.c, help.c). */
#ifndef TUI_APP_H
#define TUI_APP_H

#include <curses.h>
#include <panel.h>
#include <stdbool.h>
#include <stdint.h>

#include "../backend/be.h"
#include "../core/hostreg.h"
#include "../core/model.h"
#include "../core/msgq.h"
#include "../core/theme.h"
#include "bench.h"
#include "mode.h"
#include "tui.h"

struct tui_dialog;
struct tui_action;
struct tui_page;
struct tui_field;
struct tui_view;

enum tui_pane { TUI_PANE_TREE, TUI_PANE_LIST, TUI_PANE_ACTIONS, TUI_PANE__COUNT };

enum tui_node_kind { TUI_NODE_HOST, TUI_NODE_GROUP, TUI_NODE_VIEW };

/* A row of the console tree: a group (folder), a host, or one of a host's
 * views (views.c: Virtual Machines, Virtual Networks, Storage Pools ...).
 * Groups come first, in their order, each with its hosts; then the hosts
 * in no group. */
struct tui_node {
	int kind;
	int host_id;       /* -1 for a group */
	int group;         /* TUI_NODE_GROUP: index in a->reg.groups; else -1 */
	int depth;         /* indent level: 0 top, 1 in a group / a host's view, 2 both */
	const struct tui_view *view; /* TUI_NODE_VIEW */
};

/* A view of the results pane that the tree offers (views.c). */
struct tui_view {
	const char *id;              /* "vms", "nets", "pools" */
	const char *label;           /* the tree's text */
	bool host_child;             /* a node under each host */
	size_t (*count)(const md_host *h); /* the number the tree shows beside it */
	const struct tui_mode_ops *ops;
	struct tui_mode *(*make)(struct tui_app *a);
};
extern const struct tui_view tui_views[];
extern const size_t tui_nviews;
const struct tui_view *tui_view_by_id(const char *id);

/* The pane's overlays: Performance, consoles, help take the pane over the
 * tree node's view until they are left (tui_pane_overlay(a, NULL)). */

enum {
	TUI_DIRTY_MENU = 1,
	TUI_DIRTY_TREE = 2,
	TUI_DIRTY_LIST = 4,
	TUI_DIRTY_ACTIONS = 8,
	TUI_DIRTY_STATUS = 16,
	TUI_DIRTY_ALL = 31,
	TUI_DIRTY_ROWS = 64,     /* the pane's rows must be rebuilt (sync) */
	TUI_DIRTY_RESORT = 128,  /* ... and may have changed order */
};

/* A job whose answer goes to a mode. */
struct tui_expect {
	struct tui_mode *mode;
	int host_id;
	uint64_t seq;
};

struct tui_app {
	struct tui_opts *opts;
	md_model *model;
	core_msgq *queue;
	core_hostreg reg;        /* hosts (user: be_host *) and groups */
	bool demo_opened;

	/* tree */
	struct tui_node *nodes;
	size_t nnodes, cap_nodes;
	size_t tree_sel, tree_top;

	/* the results pane: the tree node's view (one instance per view kind,
	 * kept across nodes: sort order and filter stay), or an overlay */
	struct tui_mode **view_modes;   /* [tui_nviews + 2]: views, group, no host */
	struct tui_mode *pane;          /* what the node shows */
	struct tui_mode *overlay;       /* shown instead (perf, console, help), NULL none */
	const struct tui_node *pane_node_seen;
	int pane_host_seen;

	size_t action_sel;
	int focus;

	/* layout */
	int lines, cols;
	bool too_small;
	bool show_actions;       /* the user's wish */
	bool actions_visible;    /* wish and room */
	WINDOW *w_menu, *w_tree, *w_list, *w_actions, *w_status;
	PANEL *p_menu, *p_tree, *p_list, *p_actions, *p_status;
	int tree_w, actions_w;

	/* menu bar */
	int menu_open;           /* -1 closed, else index of the open menu */
	int menu_item;
	WINDOW *w_drop;
	PANEL *p_drop;

	/* the mode stack (dialogs, wizards): top is last */
	struct tui_mode **stack;
	size_t nstack, cap_stack;
	struct tui_expect *expects;
	size_t nexpects, cap_expects;

	bool fullscreen;         /* the overlay has the whole screen (consoles) */
	void *perf;              /* perf.c */
	void *consoles;          /* console.c */
	void *prompts;           /* prompt.c */

	/* where the terminal cursor shows after this frame (tui_cursor), or
	 * hidden when cursor_win is NULL */
	WINDOW *cursor_win;
	int cursor_y, cursor_x;

	/* a problem the status bar keeps for a while whatever comes after it
	 * ("Config not saved"): tui_status_sticky */
	char *sticky_status;
	int64_t sticky_until_ms;

	unsigned dirty;
	bool quit;
	int exit_status;
	bool use_color;
	bool utf8;
	struct core_theme theme;
	attr_t role_attr[CORE_ROLE__COUNT];

	/* refresh cycles */
	int64_t delay_ms;        /* the refresh interval; changed live by perf.c's keys */
	int64_t next_tick_ms;
	long iterations;
	bool settled_once;
	int64_t start_ms, first_frame_ms;
	int64_t first_draw_ms;   /* the tree first on screen (bench) */
	bool adding_many;        /* tui_add_host leaves the tree rebuild to the caller */
	struct tui_bench bench;  /* VMMC_BENCH_STATS (tui/bench.h) */
};

static inline be_host *tui_host_be(const struct core_reg_host *th)
{
	return th ? (be_host *)th->user : NULL;
}

/* app.c: lookups; hosts.c: hosts */
struct core_reg_host *tui_host_by_id(struct tui_app *a, int id);
const md_host *tui_sel_host(const struct tui_app *a);
const struct tui_node *tui_sel_node(const struct tui_app *a);
/* The selection of the pane's mode when it is of scope (enum tui_scope). */
const void *tui_selected(const struct tui_app *a, int scope);
const md_vm *tui_sel_vm(const struct tui_app *a);
void tui_status(struct tui_app *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An error that stays in the status bar for 15 s, whatever comes after it. */
void tui_status_sticky(struct tui_app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A host in the tree (its id); an existing one's id when uri is already
 * there. name may be NULL; group (NULL: top level) is made if missing. */
int tui_add_host(struct tui_app *a, const char *uri, const char *name, const char *group, bool saved, bool demo);
void tui_remove_host(struct tui_app *a, int id);
/* Connect Host on the selected host; one whose connect passed its deadline
 * and still waits ("no answer") is told so, not sent a second connect. */
void tui_host_connect(struct tui_app *a);
/* Disconnect the selected host; one stuck in an open that does not answer
 * ("no answer") at once (tui/hosts.c). */
void tui_host_disconnect(struct tui_app *a);
void tui_host_set_name(struct tui_app *a, int id, const char *name);
void tui_host_set_group(struct tui_app *a, int id, const char *group);
/* Merge the tree's hosts and groups into the config file (unless the file
 * could not be read: then the status bar says so and nothing is written). */
void tui_save_config(struct tui_app *a);
void tui_select_host(struct tui_app *a, int id);
void tui_tree_select(struct tui_app *a, size_t i);
void tui_select_group(struct tui_app *a, size_t gi);
void tui_rebuild_tree(struct tui_app *a);
void tui_layout(struct tui_app *a);
/* Queue op on the selected VM (status: "start 'web01'..."). */
void tui_submit_vm(struct tui_app *a, int op);
/* The pane shows m instead of the node's view (NULL: the view again). */
void tui_pane_overlay(struct tui_app *a, struct tui_mode *m);
bool tui_pane_shows(const struct tui_app *a, const struct tui_mode *m);
struct tui_mode *tui_pane_mode(const struct tui_app *a);   /* overlay, else the view */

/* groups (hosts.c) */
int tui_group_find(const struct tui_app *a, const char *name);  /* index or -1; exact */
int tui_group_find_nocase(const struct tui_app *a, const char *name); /* ASCII case-insensitive */
size_t tui_group_add(struct tui_app *a, const char *name);      /* index; made if missing */
void tui_group_rename(struct tui_app *a, size_t gi, const char *name); /* its hosts follow */
void tui_group_remove(struct tui_app *a, size_t gi);            /* its hosts to the top level */
size_t tui_group_nhosts(const struct tui_app *a, size_t gi);
int tui_host_group_index(const struct tui_app *a, const struct core_reg_host *th); /* -1: top level */
const struct core_reg_group *tui_sel_group(const struct tui_app *a); /* a group node selected, or NULL */
int tui_sel_group_index(const struct tui_app *a);
/* A choice field "group": "(none)" then the groups (sanitized), on group
 * sel (-1: none); and the group it names (NULL: none). */
struct tui_field *tui_add_group_choice(const struct tui_app *a, struct tui_page *p, const char *label, int sel);
const char *tui_group_choice_name(const struct tui_app *a, const struct tui_field *f);

/* draw.c */
void tui_draw(struct tui_app *a);
/* ms until a frame no key asked for may be drawn ($VMMC_FRAME_MS; <= 0: now) */
int64_t tui_frame_wait_ms(void);
void tui_frame_drawn(void);
void tui_theme_apply(struct tui_app *a);
attr_t tui_attr(const struct tui_app *a, int role);
/* Draws raw (untrusted) text sanitized and fitted to exactly w columns. */
void tui_put(WINDOW *w, int y, int x, int width, const char *raw, bool align_right);
/* Same for text that is already safe (sanitized, or our own). */
void tui_put_safe(WINDOW *w, int y, int x, int width, const char *safe, bool align_right);
/* Show the terminal cursor at (y, x) of w after this frame. */
void tui_cursor(struct tui_app *a, WINDOW *w, int y, int x);
void tui_box_title(struct tui_app *a, WINDOW *w, const char *title, bool focus);
/* The pane's usable width (the separator left out) and its title line. */
int tui_pane_width(const struct tui_app *a, WINDOW *w);
void tui_pane_title(struct tui_app *a, WINDOW *w, const char *title);
int tui_tree_visible_rows(const struct tui_app *a);
void tui_wrap_put(struct tui_app *a, WINDOW *w, int *y, int x, int width, int maxy, const char *safe);

int tui_menu_x(int menu);
size_t tui_menu_items(int menu, const struct tui_action **out, size_t max);
size_t tui_pane_actions(const struct tui_app *a, const struct tui_action **out, size_t max);
bool tui_host_shows_busy(const md_host *h);
int tui_state_role(const md_vm *v);
const char *tui_vm_state_text(const md_vm *v);

/* perf.c: the Performance view and the host summary (live figures). */
void tui_perf_tick(struct tui_app *a);                /* every pass: stats jobs due */
int64_t tui_perf_wake_ms(struct tui_app *a);          /* when the selection counts as resting (0: no need) */
void tui_perf_msg(struct tui_app *a, const md_msg *m); /* MD_MSG_STATS, after md_apply */
bool tui_perf_cpu_of_host(const struct tui_app *a);   /* the CPU column shows % of the host */
bool tui_perf_frozen(const struct tui_app *a);
int tui_perf_summary_lines(const struct tui_app *a);
void tui_perf_draw_summary(struct tui_app *a, WINDOW *w, int y, int width, const md_host *h);
void tui_perf_open(struct tui_app *a, bool host);
void tui_perf_toggle_freeze(struct tui_app *a);
void tui_perf_change_delay(struct tui_app *a, int dir);
void tui_perf_toggle_cpu_host(struct tui_app *a);
void tui_perf_free(struct tui_app *a);

/* console.c: serial consoles in the results pane (see console.h). */
void tui_console_msg(struct tui_app *a, md_msg *m);          /* MD_MSG_CONSOLE */
void tui_console_free(struct tui_app *a);

/* help.c */
void tui_help_open(struct tui_app *a);

/* prompt.c: questions from backend threads (host keys, passwords). */
void tui_prompt_msg(struct tui_app *a, md_msg *m);           /* MD_MSG_PROMPT: queue or show */
void tui_prompt_cancel_host(struct tui_app *a, int host_id); /* the host goes away */
void tui_prompt_free(struct tui_app *a);

/* app.c: forget the job answers mode m waits for (m NULL: those of host
 * host_id; host_id -1: all of m's). */
void tui_expects_drop(struct tui_app *a, const struct tui_mode *m, int host_id);

/* app.c: the pane's modes rebuild their rows from the model (the loop
 * does it when TUI_DIRTY_ROWS is set). */
void tui_pane_sync(struct tui_app *a);
/* An answer to a job a mode sent (tui_mode_expect): given to its reply();
 * true when that was all (OP_RESULTs also reach the model: false). */
bool tui_route_reply(struct tui_app *a, const md_msg *m);

/* app.c: input */
void tui_handle_key(struct tui_app *a, int key, bool is_char);
void tui_handle_mouse(struct tui_app *a);

#endif
