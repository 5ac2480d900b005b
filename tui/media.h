/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/media.h - a local file (an ISO on the machine vmmc runs on) into a
 * volume of a pool of a host, for a CD/DVD drive: a pooled volume of the
 * same size and SHA-256 is reused (backend/be_reuse.h), else the file is
 * uploaded (be_xfer_start: sparse, resumable, shown in Transfers) in a
 * progress dialog (bytes, rate, time left, Cancel); then the volume's path
 * on the host goes to a callback. One piece for Settings' CD/DVD form and
 * the Integration Tools wizard's virtio-win ISO. A cancelled or failed
 * upload removes the volume it made (be_xfer) and the callback gets NULL:
 * the caller changes nothing. */
#ifndef TUI_MEDIA_H
#define TUI_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"

/* What became of it: path = the volume's path on the host, NULL when it
 * failed or was cancelled; text = what happened ("Uploaded ...", "... is in
 * the pool already as x.iso ...", "Cancelled ...", the reason); pool_uuid
 * and vol name the volume; made: this upload made it (a caller whose next
 * step fails removes it with BE_OP_VOL_DELETE), false: a pooled copy. */
typedef struct tui_media_result {
	const char *path, *text, *pool_uuid, *vol;
	bool made;
} tui_media_result;
/* Called once, on the UI thread. */
typedef void (*tui_media_fn)(struct tui_app *a, void *ctx, const tui_media_result *r);

/* Put local into the active pool named pool of host host_id. owner: the
 * mode the callback is for (done is not called when owner has left the
 * stack meanwhile); NULL: done is always called (ctx is done's to free).
 * 0: a dialog follows it and done will be called (not before this
 * returns); -1 with *err (a clear reason: no such file, not a regular
 * file, empty, no such pool, host not connected): done is not called. */
int tui_media_upload(struct tui_app *a, int host_id, const char *pool, const char *local, struct tui_mode *owner,
		     tui_media_fn done, void *ctx, char **err);

/* local is an absolute path of a regular, non-empty file: 0 (its size in
 * *size), else -1 with *err ("Local file: ..."). */
int tui_media_check_file(const char *local, unsigned long long *size, char **err);

/* The pool's volumes of size bytes (those worth comparing), and a volume
 * name for local free in the pool ("x.iso", "x-1.iso" ...). Caller frees. */
char **tui_media_same_size(const md_pool *p, unsigned long long size, size_t *n);
char *tui_media_vol_name(const md_pool *p, const char *local);

#endif
