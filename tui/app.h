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

enum tui_pane { TUI_PANE_TREE, TUI_PANE_LIST, TUI_PANE_ACTIONS, TUI_PANE__COUNT };

/* What the results pane shows. */
enum tui_view { TUI_VIEW_LIST, TUI_VIEW_PERF, TUI_VIEW_CONSOLE };

enum tui_node_kind { TUI_NODE_HOST, TUI_NODE_VMS, TUI_NODE_NETS, TUI_NODE_POOLS };

struct tui_node {
	int kind;
	int host_id;
};

struct tui_host {
	int id;
	be_host *be;
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
int tui_add_host(struct tui_app *a, const char *uri, const char *name, bool saved, bool demo);
void tui_remove_host(struct tui_app *a, int id);
void tui_save_config(struct tui_app *a);
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

/* input.c */
void tui_handle_key(struct tui_app *a, int key, bool is_char);
void tui_handle_mouse(struct tui_app *a);

#endif
