/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/net_dialogs.c - the Virtual Networks view's actions: start, stop,
 * autostart, delete, New Network (a free subnet suggested by the host) and
 * the DHCP leases of a network with the VM owning each MAC. */
#include "actions.h"
#include "storage_ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backend/be_storage.h"
#include "../core/sanitize.h"
#include "../core/storage.h"
#include "../core/util.h"

static const md_net *cur_net(struct tui_app *a)
{
	return tui_selected(a, TUI_SCOPE_NET);
}

static void net_op(struct tui_app *a, int op, const char *verb)
{
	const md_net *n = cur_net(a);
	char *what;
	if (!n)
		return;
	what = xasprintf("%s network '%s'", verb, n->name ? n->name : "");
	st_simple_op(a, op, n->uuid, what);
	free(what);
}

void tui_net_start(struct tui_app *a)
{
	net_op(a, BE_OP_NET_START, "Starting");
}

void tui_net_stop(struct tui_app *a)
{
	net_op(a, BE_OP_NET_STOP, "Stopping");
}

void tui_net_autostart(struct tui_app *a)
{
	const md_net *n = cur_net(a);
	if (n)
		net_op(a, n->autostart ? BE_OP_NET_AUTOSTART_OFF : BE_OP_NET_AUTOSTART_ON,
		       n->autostart ? "Autostart off for" : "Autostart on for");
}

static struct tui_dialog *net_dialog(struct tui_app *a, const char *title, int buttons)
{
	const md_host *h = tui_sel_host(a);
	const md_net *n = cur_net(a);
	struct tui_dialog *d;
	if (!h || !n)
		return NULL;
	d = st_dialog_new(a, h->id, title, buttons);
	snprintf(st_ctx(d)->uuid, sizeof(st_ctx(d)->uuid), "%s", n->uuid);
	st_ctx(d)->name = xstrdup(n->name ? n->name : "");
	return d;
}

/* ---- Delete ------------------------------------------------------------------ */

static int netdel_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	(void)p;
	return st_submit(d, BE_OP_NET_DELETE, st_ctx(d)->uuid, NULL, "Deleting the network...", err);
}

void tui_open_net_delete(struct tui_app *a)
{
	struct tui_dialog *d = net_dialog(a, "Delete Virtual Network", TUI_BTN_OK_CANCEL);
	char *name, *text;
	if (!d)
		return;
	name = core_sanitize(st_ctx(d)->name);
	text = xasprintf("Delete the virtual network '%s'?\n\nIt is stopped and its definition removed. "
			 "The host refuses while a running VM is connected to it.",
			 name);
	tui_dialog_add_page(d, NULL, text)->validate = netdel_validate;
	d->ok_label = xstrdup("Delete");
	d->focus = 1; /* Cancel */
	tui_push_dialog(a, d);
	free(text);
	free(name);
}

/* ---- New network ---------------------------------------------------------------- */

static int addr_in(struct tui_dialog *d, const char *id, core_cidr net, char **err)
{
	struct tui_field *f = tui_dialog_field(d, id);
	const char *v = tui_field_value(f);
	uint32_t ip;
	if (!*v)
		return 0;
	if (core_ipv4_parse(v, &ip) != 0 || !core_cidr_contains(net, ip)) {
		*err = xasprintf("%s: %s is not an address of the subnet", f->label, v);
		tui_dialog_focus(d, id);
		return -1;
	}
	return 0;
}

static int newnet_validate(struct tui_dialog *d, struct tui_page *p, char **err)
{
	struct tui_field *mode = tui_dialog_field(d, "mode"), *dhcp = tui_dialog_field(d, "dhcp");
	const char *subnet = tui_field_value(tui_dialog_field(d, "subnet"));
	const char *domain = tui_field_value(tui_dialog_field(d, "domain"));
	const char *start = tui_field_value(tui_dialog_field(d, "dhcp_start"));
	const char *end = tui_field_value(tui_dialog_field(d, "dhcp_end"));
	char *why = NULL;
	core_cidr net;
	be_net_spec *s;
	(void)p;
	if (st_check_name(tui_dialog_field(d, "name"), err) != 0) {
		tui_dialog_focus(d, "name");
		return -1;
	}
	if (core_cidr_parse(subnet, &net, NULL, &why) != 0 || net.prefix > 30) {
		*err = xasprintf("Subnet: %s", why ? why : "too small (at most /30)");
		free(why);
		tui_dialog_focus(d, "subnet");
		return -1;
	}
	if (dhcp->checked && (addr_in(d, "dhcp_start", net, err) || addr_in(d, "dhcp_end", net, err)))
		return -1;
	s = be_net_spec_new();
	s->name = xstrdup(tui_field_value(tui_dialog_field(d, "name")));
	s->mode = mode->choice == 0 ? BE_NET_NAT : mode->choice == 1 ? BE_NET_ROUTE : BE_NET_ISOLATED;
	s->subnet = xstrdup(subnet);
	s->dhcp = dhcp->checked;
	s->dhcp_start = dhcp->checked && *start ? xstrdup(start) : NULL;
	s->dhcp_end = dhcp->checked && *end ? xstrdup(end) : NULL;
	s->domain = *domain ? xstrdup(domain) : NULL;
	s->autostart = tui_dialog_field(d, "autostart")->checked;
	return st_submit(d, BE_OP_NET_CREATE, NULL, s, "Creating the network...", err);
}

/* The host's free subnet (NET_SUGGEST's strs[0]) fills an empty field. */
static void newnet_msg(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	struct tui_field *f = tui_dialog_field(d, "subnet");
	(void)a;
	if (m->type == MD_MSG_OP_RESULT && m->op == BE_OP_NET_SUGGEST && m->ok && m->nstrs && m->strs[0] && f &&
	    !*tui_field_value(f))
		tui_field_set_value(f, m->strs[0]);
}

static void newnet_enter(struct tui_dialog *d, struct tui_page *p)
{
	struct st_ctx *c = st_ctx(d);
	be_host *be = st_host_be(c->a, d->mode.host_id);
	(void)p;
	if (be)
		tui_mode_expect(c->a, &d->mode, d->mode.host_id, be_host_submit_arg(be, BE_OP_NET_SUGGEST, NULL, NULL, NULL));
}

void tui_open_net_new(struct tui_app *a)
{
	const md_host *h = tui_sel_host(a);
	struct tui_dialog *d;
	struct tui_page *p;
	struct tui_field *f;
	if (!h)
		return;
	d = st_dialog_new(a, h->id, "New Virtual Network", TUI_BTN_OK_CANCEL);
	p = tui_dialog_add_page(d, NULL,
				"NAT: guests reach out through the host's address. Routed: the subnet is routed, "
				"not hidden. Isolated: guests and the host only. The subnet offered is one no "
				"other network (and no route of a local host) uses; the host is .1. DHCP empty: "
				"the whole subnet.");
	tui_page_add(p, &tui_field_text, "name", "&Name", NULL);
	f = tui_page_add(p, &tui_field_choice, "mode", "&Mode", NULL);
	tui_field_add_choice(f, "NAT");
	tui_field_add_choice(f, "routed");
	tui_field_add_choice(f, "isolated");
	tui_page_add(p, &tui_field_text, "subnet", "&Subnet", NULL)->width = 20;
	tui_page_add(p, &tui_field_check, "dhcp", "&DHCP", NULL)->checked = true;
	tui_page_add(p, &tui_field_text, "dhcp_start", "DHCP s&tart", NULL)->width = 16;
	tui_page_add(p, &tui_field_text, "dhcp_end", "DHCP &end", NULL)->width = 16;
	tui_page_add(p, &tui_field_text, "domain", "DNS d&omain", NULL);
	tui_page_add(p, &tui_field_check, "autostart", "&Autostart with the host", NULL)->checked = true;
	p->validate = newnet_validate;
	p->on_enter = newnet_enter;
	st_ctx(d)->on_msg = newnet_msg;
	d->ok_label = xstrdup("Create");
	tui_push_dialog(a, d);
	newnet_enter(d, p); /* the first page is shown without enter_page */
}

/* ---- DHCP leases ------------------------------------------------------------------ */

static void leases_msg(struct tui_app *a, struct tui_dialog *d, const md_msg *m)
{
	const be_lease_list *l = m->ext;
	struct tui_field *f = tui_dialog_field(d, "leases");
	char *name = core_sanitize(st_ctx(d)->name), *text;
	(void)a;
	if (m->type == MD_MSG_OP_RESULT && !m->ok) {
		text = xasprintf("The leases of '%s' could not be read: %s", name, m->text ? m->text : "");
		free(d->error);
		d->error = core_sanitize(text);
		free(text);
	}
	if (m->type != MD_MSG_NET_LEASES || !l || !f) {
		free(name);
		return;
	}
	text = xasprintf("%zu DHCP lease%s on the network '%s':", l->n, l->n == 1 ? "" : "s", name);
	tui_dialog_set_text(d, 0, text);
	free(text);
	text = xstrdup(l->n ? "" : "(none)");
	for (size_t i = 0; i < l->n; i++) {
		const be_lease *e = &l->v[i];
		char when[32], *t, *mac = core_sanitize(e->mac ? e->mac : "?"), *ip = core_sanitize(e->ip ? e->ip : "?"),
				   *vm = core_sanitize(e->vm ? e->vm : "-"),
				   *host = core_sanitize(e->hostname ? e->hostname : "-");
		if (e->expiry > 0) {
			time_t tt = (time_t)e->expiry;
			struct tm tm;
			localtime_r(&tt, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		} else {
			snprintf(when, sizeof(when), "never");
		}
		t = xasprintf("%s%s%s/%d  %s\n  VM: %s\n  hostname %s, expires %s", text, i ? "\n" : "", ip, e->prefix,
			      mac, vm, host, when);
		free(text);
		free(mac);
		free(ip);
		free(vm);
		free(host);
		text = t;
	}
	core_str_set(&f->text, text);
	free(text);
	free(name);
}

void tui_open_net_leases(struct tui_app *a)
{
	struct tui_dialog *d = net_dialog(a, "DHCP Leases", TUI_BTN_CLOSE);
	struct tui_page *p;
	be_host *be;
	char *name, *text;
	if (!d)
		return;
	name = core_sanitize(st_ctx(d)->name);
	text = xasprintf("Reading the leases of '%s'...", name);
	p = tui_dialog_add_page(d, NULL, text);
	tui_page_add(p, &tui_field_textarea, "leases", NULL, "")->rows = 10;
	st_ctx(d)->on_msg = leases_msg;
	tui_push_dialog(a, d);
	if ((be = st_host_be(a, d->mode.host_id)) != NULL)
		tui_mode_expect(a, &d->mode, d->mode.host_id,
				be_host_submit_arg(be, BE_OP_NET_LEASES, st_ctx(d)->uuid, NULL, NULL));
	free(text);
	free(name);
}
