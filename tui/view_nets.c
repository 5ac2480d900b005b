/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/view_nets.c - the Virtual Networks view: a host's networks. */
#include "actions.h"
#include "listview.h"
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/storage.h"

enum { COL_NAME, COL_STATE, COL_AUTO, COL_FORWARD, COL_BRIDGE, COL_IPV4, COL_DHCP, COL__COUNT };

static const struct tui_list_col net_cols[COL__COUNT] = {
	[COL_NAME] = { "Name", 0, 16, false, 0, true, false, true },
	[COL_STATE] = { "State", 8, 0, false, 1, true, false },
	[COL_AUTO] = { "Autostart", 9, 0, false, 4, true, false },
	[COL_FORWARD] = { "Forward", 8, 0, false, 2, true, false, true },
	[COL_BRIDGE] = { "Bridge", 10, 0, false, 5, true, false, true },
	[COL_IPV4] = { "IPv4", 16, 0, false, 3, true, false },
	[COL_DHCP] = { "DHCP range", 31, 0, false, 6, true, false, true },
};

static const md_net *net_at(const void *src, size_t i)
{
	return &((const md_host *)src)->nets[i];
}

static size_t nets_count(const void *src)
{
	return ((const md_host *)src)->nnets;
}

/* The network's subnet ("192.168.122.0/24") from the host's address on it. */
static void net_subnet(const md_net *n, char *buf, size_t len)
{
	uint32_t addr;
	char ip[16];
	if (!n->ipv4 || core_ipv4_parse(n->ipv4, &addr) != 0 || n->prefix <= 0 || n->prefix > 32) {
		snprintf(buf, len, "%s", n->ipv4 ? n->ipv4 : "-");
		return;
	}
	core_ipv4_fmt(addr & (uint32_t)(0xffffffffULL << (32 - n->prefix)), ip, sizeof(ip));
	snprintf(buf, len, "%s/%d", ip, n->prefix);
}

static int nets_cell(const void *src, struct tui_list_ref r, int col, char *buf, size_t len, const struct tui_app *a)
{
	const md_net *n = net_at(src, r.i);
	(void)a;
	switch (col) {
	case COL_NAME: snprintf(buf, len, "%s", n->name ? n->name : ""); break;
	case COL_STATE:
		snprintf(buf, len, "%s", n->active ? "active" : "inactive");
		return n->active ? CORE_ROLE_STATE_RUNNING : CORE_ROLE_STATE_SHUTOFF;
	case COL_AUTO: snprintf(buf, len, "%s", n->autostart ? "yes" : "no"); break;
	case COL_FORWARD: snprintf(buf, len, "%s", n->forward ? n->forward : "isolated"); break;
	case COL_BRIDGE: snprintf(buf, len, "%s", n->bridge ? n->bridge : "-"); break;
	case COL_IPV4: net_subnet(n, buf, len); break;
	case COL_DHCP:
		if (n->dhcp_start && n->dhcp_end)
			snprintf(buf, len, "%s - %s", n->dhcp_start, n->dhcp_end);
		else
			snprintf(buf, len, "-");
		break;
	}
	return -1;
}

static void nets_id(const void *src, struct tui_list_ref r, char *buf, size_t len)
{
	snprintf(buf, len, "%s", net_at(src, r.i)->name);
}

static const char *nets_name(const void *src, size_t i)
{
	return net_at(src, i)->name;
}

static uint64_t nets_gen(const void *src)
{
	return ((const md_host *)src)->nets_gen;
}

static const struct tui_list_class nets_list = {
	.cols = net_cols,
	.ncols = COL__COUNT,
	.count = nets_count,
	.cell = nets_cell,
	.gen = nets_gen,
	.id = nets_id,
	.name = nets_name,
};

static void nets_title(struct tui_listview *v, struct tui_app *a, char *buf, size_t len)
{
	const md_host *h = v->src;
	(void)a;
	tui_listview_host_title(v, "Virtual Networks", h ? h->nnets : 0, buf, len);
}

static const void *nets_object(const struct tui_listview *v, const struct tui_list_ref *r)
{
	const md_host *h = v->src;
	return r->i < h->nnets ? &h->nets[r->i] : NULL;
}

static const char *nets_empty(struct tui_listview *v, struct tui_app *a)
{
	const md_host *h = v->src;
	(void)a;
	return h && h->nnets ? "No network matches the filter." : "No virtual networks on this host.";
}

static const struct tui_listview_class nets_view = {
	.list = &nets_list,
	.scope = TUI_SCOPE_NET,
	.sort_col = COL_NAME,
	.source = tui_listview_host_source,
	.title = nets_title,
	.object = nets_object,
	.empty = nets_empty,
	.stale = tui_listview_host_stale,
};

struct tui_mode *tui_view_nets_new(struct tui_app *a)
{
	return tui_listview_new(a, &nets_view);
}

size_t tui_view_nets_count(const md_host *h)
{
	return h->nnets;
}
