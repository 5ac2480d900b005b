/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/dialog.h - dialogs and wizards: modes on the stack (tui/mode.h).
 *
 * A dialog is a list of pages; a page is data (fields), validate(), next()
 * (which page follows: wizards skip pages) and on_enter() (a page may ask
 * the backend for data; the answer comes to the dialog's on_reply). Dialog
 * data holds no curses object: fields have ids and a small ops table per
 * kind (text, password, check, choice, label, list, radio, text area,
 * progress, size, path), so key handling, validation and page order are
 * unit-tested without a terminal (tests/unit/test_dialog.c). Only the
 * kinds' draw() and tui_dialog's mode draw() touch curses.
 *
 * Keys: Tab / Shift-Tab (and Down / Up outside multi-line fields) move the
 * focus; Alt+letter jumps to the field whose label marks that letter with
 * '&' ("&Host" shows "Host" and answers Alt+H); Enter presses the default
 * button; Escape cancels. Text fields use one line editor (core/line.h):
 * UTF-8, cursor, Ctrl-A/E/U/K/W, Home/End; control characters are never
 * inserted. */
#ifndef TUI_DIALOG_H
#define TUI_DIALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/line.h"
#include "mode.h"

struct tui_app;
struct tui_dialog;
struct tui_field;
struct tui_page;

/* What a field kind's key() did. */
enum tui_field_res { TUI_FIELD_IGNORED = 0, TUI_FIELD_CONSUMED, TUI_FIELD_CHANGED };

struct tui_field_ops {
	const char *name;                  /* "text", "check", ... */
	bool focusable;
	bool wants_arrows;                 /* Up/Down are its own (list, text area) */
	bool has_label_column;             /* drawn as "Label: value" */
	int (*height)(const struct tui_field *f, int width);  /* rows; NULL = 1 */
	/* Draw at (y, x), width columns, the field's rows (its label column
	 * is drawn by the dialog). The only curses call of a kind. */
	void (*draw)(const struct tui_field *f, struct tui_app *a, WINDOW *w, int y, int x, int width, bool focus);
	/* Where the terminal cursor goes when focused (column offset), -1 none. */
	int (*cursor)(const struct tui_field *f, int width);
	int (*key)(struct tui_field *f, int key, bool is_char);       /* enum tui_field_res */
	int (*click)(struct tui_field *f, int row, int col);        /* relative to the value area */
	void (*free)(struct tui_field *f);                           /* kind's own data; NULL = none */
	bool wants_enter;                  /* Enter is its own (an editable text area) */
	int (*cursor_row)(const struct tui_field *f, int width);     /* the cursor's row; NULL = 0 */
};

extern const struct tui_field_ops tui_field_text, tui_field_password, tui_field_check, tui_field_choice,
	tui_field_label, tui_field_list, tui_field_radio, tui_field_textarea, tui_field_progress, tui_field_size,
	tui_field_path, tui_field_editarea;

struct tui_field {
	const struct tui_field_ops *ops;
	char *id;           /* stable id ("uri", "host"), unique in its dialog */
	char *label;        /* shown without the '&' */
	int accel;          /* the lower-case letter after '&' in the label given, 0 none */
	core_line line;     /* text, password, size, path: the value edited */
	bool checked;       /* check */
	char **choices;     /* choice, radio, list: owned */
	size_t nchoices;
	int choice;         /* the selected / current item */
	bool *marked;       /* list with multi: which items are ticked */
	bool multi;
	char *text;         /* label, text area: owned (may hold \n) */
	int rows;           /* list, text area: rows shown (0 = the kind's default) */
	int pane_rows;      /* list: rows wanted in a left pane (two panes; 0 = rows), as
	                       many as the screen allows */
	int pane_shown;     /* list: the rows the layout gave it there (0: not in one) */
	int top;            /* list, text area: first row shown */
	double fraction;    /* progress: 0..1, < 0 unknown */
	char *detail;       /* progress: "12.0 MiB of 64.0 MiB, 8.1 MiB/s, 6 s left" */
	unsigned long long bytes; /* size: the parsed value (valid when !error) */
	int width;          /* columns of the value, 0 = fill */
	bool disabled;
	char *error;        /* shown beside the field, owned */
	void *data;         /* the kind's own */
};

/* The value of a text-like field (text, password, size, path); choice, radio,
 * list: the current item; label, text area, check: its text (a check box's
 * is the value given to tui_page_add). Never NULL. */
const char *tui_field_value(const struct tui_field *f);
void tui_field_set_value(struct tui_field *f, const char *v);  /* cursor at the end */
void tui_field_add_choice(struct tui_field *f, const char *choice);
void tui_field_set_error(struct tui_field *f, const char *err); /* NULL clears */

struct tui_page {
	char *id;
	char *title;
	char *text;          /* explanatory text above the fields, may hold \n */
	struct tui_field **fields;
	size_t nfields;
	/* 0: the page may be left forward; else -1 with *err (shown in the dialog) */
	int (*validate)(struct tui_dialog *d, struct tui_page *p, char **err);
	/* The index of the page that follows, or -1 when this is the last one
	 * (Next becomes Finish). NULL: the next in order. */
	int (*next)(struct tui_dialog *d, struct tui_page *p);
	/* The page is shown (forward or back). */
	void (*on_enter)(struct tui_dialog *d, struct tui_page *p);
	/* A field's value changed (a key or a click); the page may rebuild its
	 * fields (tui_page_clear_fields, tui_page_add): the focus stays on the
	 * field with the same id. */
	void (*on_change)(struct tui_dialog *d, struct tui_page *p, struct tui_field *f);
	/* Two panes: the first nleft fields make a left pane (a list, as
	 * Hyper-V's hardware list), the others the right one, when the screen
	 * is at least the dialog's split_cols wide; else one column. 0: one. */
	size_t nleft;
};

enum tui_buttons {
	TUI_BTN_OK_CANCEL,   /* [OK] [Cancel] */
	TUI_BTN_YES_NO,      /* [Yes] [No], No focused first */
	TUI_BTN_CLOSE,       /* [Close] */
	TUI_BTN_WIZARD,      /* [< Back] [Next >] / [Finish] [Cancel] */
	TUI_BTN_CUSTOM,      /* btn_labels[0..n-1]; the last one cancels; the
	                        others validate and finish OK with .pressed = index */
};

enum tui_dialog_result { TUI_DLG_RUNNING = 0, TUI_DLG_OK, TUI_DLG_CANCEL };

struct tui_dialog {
	struct tui_mode mode;        /* first: a dialog is a mode */
	char *title;
	struct tui_page **pages;
	size_t npages, cur;
	size_t *history;             /* pages left forward, for Back */
	size_t nhistory;
	int buttons;
	char *ok_label;              /* replaces "OK" / "Yes" / "Finish" / "Close" */
	char *btn_labels[4];         /* TUI_BTN_CUSTOM: owned, NULL after the last */
	int btn_accel[4];            /* TUI_BTN_CUSTOM: Alt+letter of a "&Apply" label, 0 none */
	int pressed;                 /* TUI_BTN_CUSTOM: the button that finished it */
	bool enter_no_default;       /* Enter in a field does not press the first button */
	bool error_style;            /* drawn with the error role */
	int split_cols;              /* pages with nleft: two panes from this many screen columns (0 never) */
	int split_left;              /* the left pane's columns (0: what its fields need, at most half) */
	int max_w;                   /* > 0: as wide as the screen allows, up to this many columns
	                                (0: 60, or what the title and the text's longest word need) */
	/* The dialog closed: result is TUI_DLG_OK or TUI_DLG_CANCEL. */
	void (*on_done)(struct tui_app *a, struct tui_dialog *d, int result);
	/* An answer to a job it sent (tui_mode_expect(a, &d->mode, ...)). */
	void (*on_reply)(struct tui_app *a, struct tui_dialog *d, const md_msg *m);
	void (*on_free)(struct tui_dialog *d);   /* frees ctx; NULL: free(ctx) */
	/* Transfers moved (MD_MSG_XFER applied to the model): a dialog that
	 * follows one looks at md_model.xfers. NULL: not called. */
	void (*on_sync)(struct tui_app *a, struct tui_dialog *d);
	/* A key, a button or a click would close it with result: false keeps
	 * it open (the dialog says why, or what it does instead). NULL: it
	 * closes. */
	bool (*can_close)(struct tui_app *a, struct tui_dialog *d, int result);
	void *ctx;
	char uuid[37];               /* the VM it is about, "" none (host: mode.host_id) */

	/* state */
	int focus;                   /* index over focusable items: fields, then buttons */
	char *error;
	int result;
	/* layout (tui_dialog_layout, no curses): size and the rows of the
	 * current page's fields inside the dialog, for drawing and clicks */
	int *field_row;
	int *field_x;                /* the column of each field's label (2 in one column) */
	int top_row;                 /* the first row of what scrolls (two panes: below the page's text) */
	int btn_y, btn_x[4], btn_w[4], nbtn;
	int scroll;                  /* content rows scrolled off (tall pages) */
	int scr_lines, scr_cols;     /* the screen of the last layout (0: none) */
	int err_rows;                /* rows of the error / answer line: wrapped, 1 to 3 */
};

struct tui_dialog *tui_dialog_new(const char *title, int buttons);
void tui_dialog_set_button(struct tui_dialog *d, int i, const char *label);
struct tui_page *tui_dialog_add_page(struct tui_dialog *d, const char *title, const char *text);
/* A field of kind ops with id and label ('&' marks the accelerator). */
struct tui_field *tui_page_add(struct tui_page *p, const struct tui_field_ops *ops, const char *id,
			       const char *label, const char *value);
void tui_page_clear_fields(struct tui_page *p);
/* The field with id on any page, or NULL. */
struct tui_field *tui_dialog_field(struct tui_dialog *d, const char *id);
void tui_dialog_set_text(struct tui_dialog *d, size_t page, const char *text);
/* Focus the field with id (on the current page). */
void tui_dialog_focus(struct tui_dialog *d, const char *id);
struct tui_field *tui_dialog_focused(struct tui_dialog *d);  /* NULL: a button */
struct tui_page *tui_dialog_page(struct tui_dialog *d);      /* the current page */

/* Feed a key; returns enum tui_dialog_result. No curses call. */
int tui_dialog_key(struct tui_dialog *d, int key, bool is_char);
/* A click at (y, x) relative to the dialog's top-left corner. */
int tui_dialog_click(struct tui_dialog *d, int y, int x);
/* Size and position for a screen of lines x cols (no curses). */
void tui_dialog_layout(struct tui_dialog *d, int lines, int cols);
void tui_dialog_free(struct tui_dialog **d);

/* Push on the app's stack (app.c does the window). */
void tui_push_dialog(struct tui_app *a, struct tui_dialog *d);

/* Convenience: a message box and a yes/no question. */
struct tui_dialog *tui_msgbox(const char *title, const char *text, bool error);
struct tui_dialog *tui_confirm(const char *title, const char *text, const char *yes_label,
			       void (*on_done)(struct tui_app *, struct tui_dialog *, int));

#endif
