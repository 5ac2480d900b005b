/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/tree.h - the console tree (tui/tree.c). */
#ifndef TUI_TREE_H
#define TUI_TREE_H

#include <stdbool.h>
#include <stddef.h>

struct tui_app;
struct tui_node;

/* Fold (expand false: or go up to the parent) / unfold the selected node. */
void tui_tree_expand(struct tui_app *a, bool expand);
void tui_tree_toggle(struct tui_app *a);
/* A group's or host's "expanded" flag; NULL for a view node. */
bool *tui_tree_node_open(struct tui_app *a, const struct tui_node *n);
/* A click at screen (y, x) in the tree pane. */
void tui_tree_click(struct tui_app *a, int y, int x, bool dbl);
/* Group g's host count and its i-th host (registry order; NULL past the
 * end), filed at each tree rebuild: O(1) per call. */
struct core_reg_host;
size_t tui_tree_group_nhosts(const struct tui_app *a, size_t g);
const struct core_reg_host *tui_tree_group_host(const struct tui_app *a, size_t g, size_t i);

#endif
