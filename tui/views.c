/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/views.c - the views the tree offers under each host. A new view is
 * a file of its own (view_*.c) and a row here. */
#include "listview.h"
#include "views.h"

#include <string.h>

const struct tui_view tui_views[] = {
	{ "vms", "Virtual Machines", true, tui_view_vms_count, &tui_listview_ops, tui_view_vms_new },
	{ "nets", "Virtual Networks", true, tui_view_nets_count, &tui_listview_ops, tui_view_nets_new },
	{ "pools", "Storage Pools", true, tui_view_pools_count, &tui_listview_ops, tui_view_pools_new },
	/* the group node's and the empty tree's */
	{ "group", "Group", false, NULL, &tui_listview_ops, tui_view_group_new },
	{ "none", "No host", false, NULL, NULL, tui_view_none_new },
};

const size_t tui_nviews = sizeof(tui_views) / sizeof(tui_views[0]);

const struct tui_view *tui_view_by_id(const char *id)
{
	for (size_t i = 0; i < tui_nviews; i++)
		if (strcmp(tui_views[i].id, id) == 0)
			return &tui_views[i];
	return NULL;
}
