/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/storage_ui.h - the storage pool, volume, network and transfer
 * dialogs (tui/pool_dialogs.c, tui/net_dialogs.c, tui/xfer_dialogs.c) and
 * what they share (tui/storage_job.c): a dialog whose OK sends a backend
 * job (backend/be_storage.h) and stays open until the answer, closing on
 * success and showing the host's reason on a refusal (nothing typed is
 * lost). */
#ifndef TUI_STORAGE_UI_H
#define TUI_STORAGE_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "dialog.h"

/* The context of every storage / network dialog (d->ctx). */
struct st_ctx {
	struct tui_app *a;
	char uuid[37];          /* the pool or network the dialog is about */
	char *name;             /* its name (raw) */
	char *vol;              /* the volume (raw name), NULL none */
	char **vols;            /* raw names behind a choice field's items */
	size_t nvols;
	char **pools;           /* uuids behind a pool choice's items */
	size_t npools;
	char **keep_id, **keep_val; /* values kept across a rebuild of the fields */
	size_t nkeep;
	uint64_t seq;           /* the job sent, 0 none */
	bool pending;           /* waiting for its answer */
	bool close;             /* answered OK: the dialog closes */
	int kind;               /* the dialog's own */
	char *base_text;        /* the page's text before a refusal was added */
	uint64_t xfer;          /* transfer dialogs: md_xfer.id */
	/* an answer other than the job's OP_RESULT (a lease list, a
	 * suggestion); NULL: none expected */
	void (*on_msg)(struct tui_app *a, struct tui_dialog *d, const md_msg *m);
	/* the id of the field whose error line gets a refusal (and the
	 * focus), NULL: the refusal goes under the page's text */
	const char *error_field;
};

/* A dialog about host_id with a fresh st_ctx (freed with it) whose
 * answers close it or show the refusal. */
struct tui_dialog *st_dialog_new(struct tui_app *a, int host_id, const char *title, int buttons);
static inline struct st_ctx *st_ctx(struct tui_dialog *d)
{
	return d->ctx;
}
/* Send op (uuid, arg as be_host_submit_arg: arg is taken) for the dialog;
 * returns -1 with *err set (the host is gone, or a job is pending), else
 * -1 with *err = working (the dialog waits for the answer). For validate(). */
int st_submit(struct tui_dialog *d, int op, const char *uuid, void *arg, const char *working, char **err);
/* Keep the text-like and check fields' values of page p by id, and put
 * them back after the page's fields were rebuilt. */
void st_keep(struct tui_dialog *d, struct tui_page *p);
void st_restore(struct tui_dialog *d, struct tui_page *p);
/* A name field's value checked (core_name_check): 0, or -1 with *err
 * "Label: reason". */
int st_check_name(struct tui_field *f, char **err);
/* The selected host's backend, NULL when it is not connected. */
be_host *st_host_be(struct tui_app *a, int host_id);
/* Send op on uuid with no dialog (the answer goes to the status bar). */
void st_simple_op(struct tui_app *a, int op, const char *uuid, const char *what);

/* Enabled-when, for the action table. */
bool tui_en_pool_row(const struct tui_app *a);      /* a pool row, connected */
bool tui_en_pool_any(const struct tui_app *a);      /* a pool or volume row */
bool tui_en_pool_active(const struct tui_app *a);   /* ... of an active pool */
bool tui_en_pool_inactive(const struct tui_app *a);
bool tui_en_pool_view(const struct tui_app *a);     /* the Storage Pools view, connected */
bool tui_en_vol(const struct tui_app *a);           /* a volume row, connected */
bool tui_en_net(const struct tui_app *a);
bool tui_en_net_active(const struct tui_app *a);
bool tui_en_net_inactive(const struct tui_app *a);
bool tui_en_net_view(const struct tui_app *a);
bool tui_en_xfers(const struct tui_app *a);         /* any transfer in the list */

/* pool_dialogs.c */
void tui_pool_start(struct tui_app *a);
void tui_pool_stop(struct tui_app *a);
void tui_pool_refresh(struct tui_app *a);
void tui_pool_autostart(struct tui_app *a);
void tui_open_pool_delete(struct tui_app *a);
void tui_open_pool_new(struct tui_app *a);
void tui_open_vol_new(struct tui_app *a);
void tui_open_vol_delete(struct tui_app *a);
void tui_open_vol_resize(struct tui_app *a);
void tui_open_vol_clone(struct tui_app *a);
/* net_dialogs.c */
void tui_net_start(struct tui_app *a);
void tui_net_stop(struct tui_app *a);
void tui_net_autostart(struct tui_app *a);
void tui_open_net_delete(struct tui_app *a);
void tui_open_net_new(struct tui_app *a);
void tui_open_net_leases(struct tui_app *a);
/* xfer_dialogs.c */
void tui_open_upload(struct tui_app *a);
void tui_open_download(struct tui_app *a);
void tui_open_transfers(struct tui_app *a);
/* The progress of transfer id (a dialog that Escape sends to the
 * background; "Cancel Transfer" stops it). */
void tui_open_xfer_progress(struct tui_app *a, uint64_t id);
/* "12.0 MiB of 64.0 MiB, 8.1 MiB/s, 6 s left" into buf (pure). */
void tui_xfer_detail(const md_xfer *x, char *buf, size_t len);

#endif
