/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/wizard.h - what a wizard's state machine (wizards/) and the UI that
 * draws it (tui/) share, with neither including the other: problems found
 * in fields (core_issues), the steps Finish runs (core_step), and the
 * table of a wizard's functions (core_wizard_ops) that main hands to the UI
 * (tui_register_wizard). Plain data; libc only. */
#ifndef CORE_WIZARD_H
#define CORE_WIZARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "util.h"

/* A problem with a field: field is its id ("name", "memory" ...), or ""
 * for the page; a warning lets the user go on. */
typedef struct core_issue {
	char field[24];
	char *text;
	bool warning;
} core_issue;
typedef struct core_issues {
	core_issue v[16];
	size_t n;
} core_issues;
void core_issues_clear(core_issues *is);
void core_issue_add(core_issues *is, const char *field, bool warning, const char *fmt, ...) CORE_PRINTF(4, 5);
/* The first issue for field (an error before a warning), NULL none. */
const core_issue *core_issues_for(const core_issues *is, const char *field);
int core_issues_errors(const core_issues *is);

/* What Finish does, in order; a step that makes something is undone (in
 * reverse) when a later one fails. */
enum core_step_kind {
	CORE_STEP_UPLOAD = 0, /* local file -> volume vol in pool (a new one: deleted on undo) */
	CORE_STEP_VOL_CREATE, /* new volume vol in pool: format, size (deleted on undo) */
	CORE_STEP_DEFINE,     /* the domain XML in .xml (undefined on undo) */
	CORE_STEP_START,
	CORE_STEP_CONSOLE,
	CORE_STEP_NET_START,  /* an inactive network the VM uses (uuid in .pool_uuid; stopped on undo) */
	CORE_STEP_VOL_CLONE,  /* volume vol of pool .pool_uuid copied as new_vol into dst_pool_uuid
	                         (virStorageVolCreateXMLFrom; the copy deleted on undo) */
	CORE_STEP_VOL_RESIZE, /* volume vol of pool .pool_uuid grown to .size (undone with the volume) */
	CORE_STEP_SEED,       /* a cloud-init seed ISO built here from .seed_meta / .seed_user, then
	                         uploaded as vol into .pool_uuid (deleted on undo; the local file
	                         removed either way) */
	/* the text installer (issue 18): the installer's .kernel and .initrd
	 * read out of the ISO (.local, or the volume .src_vol of pool
	 * .src_pool_uuid) into volumes .kernel_vol, .initrd_vol of pool
	 * .pool_uuid (deleted on undo) */
	CORE_STEP_INSTALL_PREP,
	/* the defined VM's install run: .xml with those volumes (replaces START) */
	CORE_STEP_INSTALL_START,
};
typedef struct core_step {
	int kind;
	char *label;          /* "Create volume web1.qcow2 (20 GiB, qcow2) in pool default" */
	char *pool, *pool_uuid, *vol, *local, *format, *xml;
	uint64_t size;
	char *new_vol, *dst_pool_uuid;   /* VOL_CLONE */
	char *seed_meta, *seed_user;     /* SEED: the files' text (a password only as its hash) */
	char *src_pool_uuid, *src_vol, *kernel, *initrd, *kernel_vol, *initrd_vol; /* INSTALL_* */
} core_step;
void core_steps_free(core_step **steps, size_t n);

/* A wizard's state machine, as the UI drives it (w: its own state). */
typedef struct core_wizard_ops {
	const char *name;                       /* "newvm" */
	int npages;
	const char *(*page_title)(int page);
	void *(*create)(const md_host *h);      /* a snapshot of h is copied */
	void (*destroy)(void *w);
	void (*set_host)(void *w, const md_host *h);  /* the model changed */
	/* A field's value by id, as text ("1" / "0" for check boxes, the index
	 * for choices); -1 when the id is unknown or the value is not one of
	 * its choices. get: caller frees, NULL for an unknown id. */
	int (*set)(void *w, const char *id, const char *value);
	char *(*get)(void *w, const char *id);
	/* The items a list or choice field offers (caller frees the vector and
	 * its strings). */
	char **(*options)(void *w, const char *id, size_t *n);
	int (*check)(void *w, int page, core_issues *is);    /* errors */
	int (*next)(void *w, int page);                       /* -1: last */
	bool (*ready)(void *w);
	/* "summary", "xml", "virt-install": caller frees; NULL with *err. */
	char *(*text)(void *w, const char *what, char **err);
	core_step *(*plan)(void *w, size_t *n, char **err);
	/* Hand an object over by id (the wizard's own kinds: newvm's
	 * "customize" takes a be_vmchange); 0 = taken, -1 with *err = not
	 * (the caller keeps it). NULL: the wizard takes none. */
	int (*take)(void *w, const char *id, void *obj, char **err);
} core_wizard_ops;

#endif
