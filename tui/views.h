/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/views.h - the results-pane views (each in its own file) that
 * views.c lists for the tree. */
#ifndef TUI_VIEWS_H
#define TUI_VIEWS_H

#include "app.h"

struct tui_mode *tui_view_vms_new(struct tui_app *a);
size_t tui_view_vms_count(const md_host *h);
struct tui_mode *tui_view_nets_new(struct tui_app *a);
size_t tui_view_nets_count(const md_host *h);
struct tui_mode *tui_view_pools_new(struct tui_app *a);
size_t tui_view_pools_count(const md_host *h);
/* The volume row selected in the Storage Pools view, NULL when a pool row
 * (or nothing, or another view) is; its pool is tui_selected(a,
 * TUI_SCOPE_POOL). */
const md_vol *tui_sel_vol(const struct tui_app *a);
/* Not in the tree's per-host rows: a group's hosts, and "no host". */
struct tui_mode *tui_view_group_new(struct tui_app *a);
struct tui_mode *tui_view_none_new(struct tui_app *a);

#endif
