/* tui/dialog.h - modal dialogs and forms that multi-page wizards stand on.
 *
 * A dialog is a list of pages; a page is data (fields), an optional
 * validate() and the dialog's Back/Next/Finish. Dialogs are resumable state
 * machines: the app loop feeds them keys (tui_dialog_key) and redraws them,
 * so events and refreshes go on behind them. Text fields are ncurses form
 * fields; their values are copied back into tui_field.value on every change
 * of page and before validate(). */
#ifndef TUI_DIALOG_H
#define TUI_DIALOG_H

#include <curses.h>
#include <form.h>
#include <panel.h>
#include <stdbool.h>
#include <stdint.h>

struct tui_app;
struct tui_dialog;

enum tui_field_kind { TUI_F_TEXT, TUI_F_PASSWORD, TUI_F_CHECK, TUI_F_CHOICE, TUI_F_LABEL };

struct tui_field {
	int kind;
	char *label;       /* shown left of the value; sanitized when drawn */
	char *value;       /* TEXT / PASSWORD / LABEL text, owned */
	bool checked;      /* CHECK */
	char **choices;    /* CHOICE, owned */
	size_t nchoices;
	int choice;
	int width;         /* TEXT/PASSWORD columns (0 = fill) */
	bool disabled;
};

struct tui_page {
	char *title;
	char *text;        /* explanatory text above the fields, may hold \n */
	struct tui_field *fields;
	size_t nfields;
	/* 0 = the page may be left forward; else -1 with *err (shown in the dialog). */
	int (*validate)(struct tui_dialog *d, struct tui_page *p, char **err);
	/* A check box or choice of the page changed (key or click), field being
	 * its index; the text fields' values are current. It may rebuild the
	 * page's fields (tui_page_clear_fields, tui_page_add_field): the dialog
	 * is laid out again after it, the focus kept by index. NULL: none. */
	void (*on_change)(struct tui_dialog *d, struct tui_page *p, int field);
};

enum tui_buttons {
	TUI_BTN_OK_CANCEL,   /* [OK] [Cancel] */
	TUI_BTN_YES_NO,      /* [Yes] [No], No focused first */
	TUI_BTN_CLOSE,       /* [Close] */
	TUI_BTN_WIZARD,      /* [< Back] [Next >] / [Finish] [Cancel] */
	TUI_BTN_CUSTOM,      /* btn_labels[0..nlabels-1]; the last one cancels; the
	                        others validate and finish OK with .pressed = index */
};

enum tui_dialog_result { TUI_DLG_RUNNING = 0, TUI_DLG_OK, TUI_DLG_CANCEL };

struct tui_dialog {
	char *title;
	struct tui_page *pages;
	size_t npages, cur;
	int buttons;
	char *ok_label;              /* replaces "OK" / "Yes" / "Finish" */
	char *btn_labels[4];         /* TUI_BTN_CUSTOM: owned, NULL after the last */
	int pressed;                 /* TUI_BTN_CUSTOM: the button that finished it */
	bool enter_no_default;       /* Enter in a field does not press the first button */
	bool error_style;            /* drawn with the error role */
	void (*on_done)(struct tui_app *a, struct tui_dialog *d, int result);
	void (*on_free)(struct tui_dialog *d);
	void *ctx;
	int host_id;                 /* what the dialog is about */
	char uuid[37];
	uint64_t wait_seq;           /* a backend job whose answer it waits for */

	/* runtime */
	int focus;                   /* index over focusable items: fields, then buttons */
	char *error;
	int result;
	WINDOW *win;
	PANEL *panel;
	FORM *form;
	FIELD **ff;                  /* form fields, one per TEXT/PASSWORD field, NULL-terminated */
	int *ff_of;                  /* page field index of each form field */
	int h, w, y, x;
	int btn_y, btn_x[4], btn_w[4], nbtn;
};

struct tui_dialog *tui_dialog_new(const char *title, int buttons);
/* TUI_BTN_CUSTOM: set button i's label (i < 4; the last set one cancels). */
void tui_dialog_set_button(struct tui_dialog *d, int i, const char *label);
struct tui_page *tui_dialog_add_page(struct tui_dialog *d, const char *title, const char *text);
struct tui_field *tui_page_add_field(struct tui_page *p, int kind, const char *label, const char *value);
void tui_field_add_choice(struct tui_field *f, const char *choice);
/* Free a page's fields (for on_change to rebuild them). */
void tui_page_clear_fields(struct tui_page *p);
/* The field of the current page whose label is label, or NULL. */
struct tui_field *tui_dialog_field(struct tui_dialog *d, size_t page, const char *label);
void tui_dialog_set_text(struct tui_dialog *d, size_t page, const char *text);

/* Feed a key; returns enum tui_dialog_result. */
int tui_dialog_key(struct tui_app *a, struct tui_dialog *d, int key, bool is_char);
/* A click at screen (y, x); returns enum tui_dialog_result. */
int tui_dialog_click(struct tui_app *a, struct tui_dialog *d, int y, int x);
/* (Re)create windows and form for the screen size and the current page. */
void tui_dialog_layout(struct tui_app *a, struct tui_dialog *d);
void tui_dialog_draw(struct tui_app *a, struct tui_dialog *d);
void tui_dialog_free(struct tui_dialog **d);

/* Convenience: a message box and a yes/no question. */
struct tui_dialog *tui_msgbox(const char *title, const char *text, bool error);
struct tui_dialog *tui_confirm(const char *title, const char *text, const char *yes_label,
			       void (*on_done)(struct tui_app *, struct tui_dialog *, int));

#endif
