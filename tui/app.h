/* tui/app.h - the console's state, shared by the tui/ modules. */
#ifndef TUI_APP_H
#define TUI_APP_H

#include <curses.h>
#include <panel.h>
#include <stdbool.h>
#include <stdint.h>

#include "../backend/be.h"
#include "../core/model.h"
#include "../core/msgq.h"
#include "../core/theme.h"
#include "tui.h"

struct tui_dialog;
struct tui_action;
struct tui_page;
struct tui_field;

enum tui_pane { TUI_PANE_TREE, TUI_PANE_LIST, TUI_PANE_ACTIONS, TUI_PANE__COUNT };

/* What the results pane shows. */
enum tui_view { TUI_VIEW_LIST, TUI_VIEW_PERF, TUI_VIEW_CONSOLE };

enum tui_node_kind { TUI_NODE_HOST, TUI_NODE_VMS, TUI_NODE_NETS, TUI_NODE_POOLS, TUI_NODE_GROUP };

/* A row of the console tree: a group (folder), a host, or one of a host's
 * lists. Groups come first, in their order, each with its hosts; then the
 * hosts in no group. */
struct tui_node {
	int kind;
	int host_id;       /* -1 for a group */
	int group;         /* TUI_NODE_GROUP: index in a->groups; else -1 */
	int depth;         /* indent level: 0 top, 1 in a group / a host's list, 2 both */
};

/* A group of hosts: a folder of the tree, saved in the config ([group]). */
struct tui_group {
	char *name;        /* unique (tui_group_find), checked by core_conf_group_name_check */
	bool expanded;
};

struct tui_host {
	int id;
	be_host *be;
	char *name;        /* the display name the user gave; NULL: none (the URI shows) */
	char *group;       /* the group it is in (a->groups); NULL: top level */
	bool expanded;
	bool saved;
	bool demo;
	bool fallback_local;
};

/* Columns of the VM list, in display order; which show depends on the
 * width (draw.c drops the least useful first); tui_col_is_live(). */
enum tui_col {
	TUI_COL_NAME, TUI_COL_STATE, TUI_COL_VCPUS, TUI_COL_CPU, TUI_COL_MEM, TUI_COL_MEMUSED,
	TUI_COL_DISKRD, TUI_COL_DISKWR, TUI_COL_IOPS, TUI_COL_NETRX, TUI_COL_NETTX,
	TUI_COL_AUTO, TUI_COL_UPTIME, TUI_COL__COUNT
};

enum {
	TUI_DIRTY_MENU = 1,
	TUI_DIRTY_TREE = 2,
	TUI_DIRTY_LIST = 4,
	TUI_DIRTY_ACTIONS = 8,
	TUI_DIRTY_STATUS = 16,
	TUI_DIRTY_ALL = 31,
	TUI_DIRTY_ROWS = 64, /* rows must be re-filtered / re-sorted */
};

struct tui_app {
	struct tui_opts *opts;
	md_model *model;
	core_msgq *queue;
	struct tui_host *hosts;
	size_t nhosts, cap_hosts;
	int next_host_id;
	bool demo_opened;
	struct tui_group *groups;
	size_t ngroups, cap_groups;
	/* changes the next tui_save_config applies to the file beyond what the
	 * tree shows: saved hosts removed; groups renamed (pairs old, new) and
	 * removed, for the file's hosts the tree does not show */
	char **removed_uris;
	size_t nremoved_uris;
	char **group_renames;
	size_t ngroup_renames;
	char **removed_groups;
	size_t nremoved_groups;

	/* tree */
	struct tui_node *nodes;
	size_t nnodes, cap_nodes;
	size_t tree_sel, tree_top;

	/* results pane: indices into the selected host's vms (or nets/pools) */
	size_t *rows;
	size_t nrows, cap_rows;
	size_t list_sel, list_top;
	char sel_uuid[37];
	int sort_col;
	bool sort_desc;
	char filter[128];
	bool filter_editing;

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

	/* dialogs: a stack, top is last */
	struct tui_dialog **dialogs;
	size_t ndialogs, cap_dialogs;

	/* the results pane's view and the features' own state */
	int view;                /* enum tui_view */
	bool fullscreen;         /* the view has the whole screen (consoles) */
	void *perf;              /* perf.c */
	void *consoles;          /* console.c */
	void *prompts;           /* prompt.c */

	/* help screen */
	bool help_open;
	size_t help_top;

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
	int64_t ui_us_total, ui_us_max;
	long ui_passes;
};

/* app.c */
struct tui_host *tui_host_by_id(struct tui_app *a, int id);
const md_host *tui_sel_host(const struct tui_app *a);
const struct tui_node *tui_sel_node(const struct tui_app *a);
const md_vm *tui_sel_vm(const struct tui_app *a);
void tui_status(struct tui_app *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A host in the tree (its id); an existing one's id when uri is already
 * there. name may be NULL; group (NULL: top level) is made if missing. */
int tui_add_host(struct tui_app *a, const char *uri, const char *name, const char *group, bool saved, bool demo);
void tui_remove_host(struct tui_app *a, int id);
/* The display name: name when not NULL or empty, else the URI ("Demo host"
 * for the demo). */
void tui_host_set_name(struct tui_app *a, int id, const char *name);
/* Into group (NULL or "": top level; made if missing). Does not save. */
void tui_host_set_group(struct tui_app *a, int id, const char *group);
/* Merge the tree's hosts and groups into the config file (unless the file
 * could not be read: then the status bar says so and nothing is written). */
void tui_save_config(struct tui_app *a);
/* Select the tree node of host id (its host row), or of group gi. */
void tui_select_host(struct tui_app *a, int id);
void tui_tree_select(struct tui_app *a, size_t i);
void tui_select_group(struct tui_app *a, size_t gi);

/* groups (hosts.c) */
int tui_group_find(const struct tui_app *a, const char *name);  /* index or -1; exact */
int tui_group_find_nocase(const struct tui_app *a, const char *name); /* ASCII case-insensitive */
size_t tui_group_add(struct tui_app *a, const char *name);      /* index; made if missing */
void tui_group_rename(struct tui_app *a, size_t gi, const char *name); /* its hosts follow */
void tui_group_remove(struct tui_app *a, size_t gi);            /* its hosts to the top level */
size_t tui_group_nhosts(const struct tui_app *a, size_t gi);
int tui_host_group_index(const struct tui_app *a, const struct tui_host *th); /* -1: top level */
const struct tui_group *tui_sel_group(const struct tui_app *a); /* a group node selected, or NULL */
/* The selected group, or the selected host's group: where a new host goes
 * by default (-1: none). */
int tui_sel_group_index(const struct tui_app *a);
/* A CHOICE field: "(none)" then the groups (sanitized), on group sel (-1:
 * none); and the group it names (NULL: none). */
struct tui_field *tui_add_group_choice(const struct tui_app *a, struct tui_page *p, const char *label, int sel);
const char *tui_group_choice_name(const struct tui_app *a, const struct tui_field *f);
void tui_groups_free(struct tui_app *a);
/* app.c: group changes the next save applies to the file's other hosts */
void tui_note_group_renamed(struct tui_app *a, const char *from, const char *to);
void tui_note_group_removed(struct tui_app *a, const char *name);
void tui_note_host_unsaved(struct tui_app *a, const char *uri);
void tui_config_notes_free(struct tui_app *a);
void tui_rebuild_tree(struct tui_app *a);
void tui_rebuild_rows(struct tui_app *a);
void tui_layout(struct tui_app *a);
void tui_push_dialog(struct tui_app *a, struct tui_dialog *d);
void tui_submit_vm(struct tui_app *a, int op);
bool tui_list_is_vms(const struct tui_app *a);

/* draw.c */
void tui_draw(struct tui_app *a);
void tui_theme_apply(struct tui_app *a);
attr_t tui_attr(const struct tui_app *a, int role);
/* Draws raw (untrusted) text sanitized and fitted to exactly w columns. */
void tui_put(WINDOW *w, int y, int x, int width, const char *raw, bool align_right);
/* Same for text that is already safe (sanitized, or our own). */
void tui_put_safe(WINDOW *w, int y, int x, int width, const char *safe, bool align_right);
void tui_box_title(struct tui_app *a, WINDOW *w, const char *title, bool focus);
int tui_col_width(const struct tui_app *a, int col, int total);
int tui_list_visible_rows(const struct tui_app *a);
int tui_tree_visible_rows(const struct tui_app *a);

int tui_menu_x(int menu);
size_t tui_menu_items(int menu, const struct tui_action **out, size_t max);
size_t tui_pane_actions(const struct tui_app *a, const struct tui_action **out, size_t max);
bool tui_host_shows_busy(const md_host *h);

/* perf.c: the Performance view and the host summary (live figures). */
void tui_perf_draw(struct tui_app *a, WINDOW *w);
void tui_perf_tick(struct tui_app *a);                /* every pass: stats jobs due */
void tui_perf_msg(struct tui_app *a, const md_msg *m); /* MD_MSG_STATS, after md_apply */
bool tui_perf_cpu_of_host(const struct tui_app *a);   /* the CPU column shows % of the host */
bool tui_perf_frozen(const struct tui_app *a);
/* The host summary above the VM list when a host node is selected: lines
 * it takes (0 = none), and drawing it from line y. */
int tui_perf_summary_lines(const struct tui_app *a);
void tui_perf_draw_summary(struct tui_app *a, WINDOW *w, int y, int width, const md_host *h);
/* Actions (actions.c): the Performance view of the selected VM or host,
 * freeze, the refresh interval, % of vCPUs / of the host. */
void tui_perf_open(struct tui_app *a, bool host);
void tui_perf_toggle_freeze(struct tui_app *a);
void tui_perf_change_delay(struct tui_app *a, int dir);
void tui_perf_toggle_cpu_host(struct tui_app *a);
bool tui_col_is_live(int col);
bool tui_perf_key(struct tui_app *a, int key, bool is_char); /* true: consumed */
void tui_perf_free(struct tui_app *a);

/* console.c: serial consoles in the results pane. */
void tui_console_msg(struct tui_app *a, md_msg *m);          /* MD_MSG_CONSOLE */
void tui_console_draw(struct tui_app *a, WINDOW *w);
bool tui_console_key(struct tui_app *a, int key, bool is_char); /* true: consumed */
void tui_console_free(struct tui_app *a);

/* prompt.c: questions from backend threads (host keys, passwords). */
void tui_prompt_msg(struct tui_app *a, md_msg *m);           /* MD_MSG_PROMPT: queue or show */
void tui_prompt_cancel_host(struct tui_app *a, int host_id); /* the host goes away */
void tui_prompt_free(struct tui_app *a);

/* input.c */
void tui_handle_key(struct tui_app *a, int key, bool is_char);
void tui_handle_mouse(struct tui_app *a);

#endif
