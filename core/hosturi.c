/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/hosturi.c - ssh:// host URIs: built from the Add Host dialog's
 * fields, and parsed for the backend (see hosturi.h). */
#include "hosturi.h"
#include "sanitize.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool uri_ctl_or_space(char ch)
{
	return (unsigned char)ch <= ' ' || ch == 0x7f;
}

static bool uri_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

int core_ssh_host_check(const char *host, char **err)
{
	size_t n = host ? strlen(host) : 0;
	if (n == 0) {
		*err = xstrdup("Enter the host: a name, an address or an ssh alias");
		return -1;
	}
	if (host[0] == '-') {
		*err = xstrdup("The host cannot begin with '-'");
		return -1;
	}
	if (host[0] == '[') {
		/* [IPv6 address] */
		bool colon = false;
		if (n < 2 || host[n - 1] != ']') {
			*err = xstrdup("An IPv6 address in brackets needs its closing ']'");
			return -1;
		}
		for (size_t i = 1; i + 1 < n; i++) {
			char ch = host[i];
			colon |= ch == ':';
			if (!strchr("0123456789abcdefABCDEF:.", ch)) {
				*err = xstrdup("An IPv6 address holds only hex digits, ':' and '.'");
				return -1;
			}
		}
		if (!colon) {
			*err = xstrdup("Brackets are for an IPv6 address, e.g. [2001:db8::1]");
			return -1;
		}
		return 0;
	}
	for (const char *p = host; *p; p++) {
		if (uri_ctl_or_space(*p)) {
			*err = xstrdup("The host cannot hold spaces or control characters");
			return -1;
		}
		if (*p == '@') {
			*err = xstrdup("The host cannot hold '@': the user goes in User");
			return -1;
		}
		if (*p == ':') {
			*err = xstrdup(strchr(p + 1, ':') ? "An IPv6 address goes in brackets: [2001:db8::1]"
							  : "The host cannot hold ':': the port goes in Port");
			return -1;
		}
		if ((unsigned char)*p >= 0x80) {
			*err = xstrdup("The host must be ASCII (international names: xn--)");
			return -1;
		}
		if (!uri_alnum(*p) && !strchr(".-_", *p)) {
			*err = xasprintf("The host cannot hold '%c'", *p);
			return -1;
		}
	}
	return 0;
}

int core_ssh_user_check(const char *user, char **err)
{
	if (!user || !*user)
		return 0;
	if (user[0] == '-') {
		*err = xstrdup("The user name cannot begin with '-'");
		return -1;
	}
	for (const char *p = user; *p; p++) {
		if (uri_ctl_or_space(*p)) {
			*err = xstrdup("The user name cannot hold spaces or control characters");
			return -1;
		}
		if (strchr("@:/?#&%[]\\\"'<>`", *p)) {
			*err = xasprintf("The user name cannot hold '%c'", *p);
			return -1;
		}
	}
	if (!core_utf8_valid(user)) {
		*err = xstrdup("The user name is not valid UTF-8");
		return -1;
	}
	return 0;
}

int core_ssh_port_check(const char *port, int *out, char **err)
{
	long v = 0;
	*out = 0;
	if (!port || !*port)
		return 0;
	for (const char *p = port; *p; p++) {
		if (*p < '0' || *p > '9' || v > 65535) {
			*err = xstrdup("The port must be a number from 1 to 65535");
			return -1;
		}
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535) {
		*err = xstrdup("The port must be a number from 1 to 65535");
		return -1;
	}
	*out = (int)v;
	return 0;
}

int core_ssh_driver_check(const char *driver, char **err)
{
	size_t n = driver ? strlen(driver) : 0;
	if (n == 0)
		return 0;
	for (const char *p = driver; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			n = 0;
	if (n == 0 || n > 32) {
		*err = xstrdup("The driver is a name like qemu, lxc or xen (a-z, 0-9)");
		return -1;
	}
	return 0;
}

char *core_ssh_uri_build(const char *user, const char *host, const char *port, bool session,
			 const char *driver, char **err)
{
	char portbuf[16] = "";
	int portnum;
	bool has_user = user && *user;
	bool has_driver = driver && *driver && strcmp(driver, "qemu") != 0;

	if (core_ssh_host_check(host, err) < 0 || core_ssh_user_check(user, err) < 0 ||
	    core_ssh_port_check(port, &portnum, err) < 0 || core_ssh_driver_check(driver, err) < 0)
		return NULL;
	if (portnum)
		snprintf(portbuf, sizeof(portbuf), ":%d", portnum);
	return xasprintf("ssh://%s%s%s%s%s%s%s", has_user ? user : "", has_user ? "@" : "", host, portbuf,
			 session ? "/session" : "/system", has_driver ? "?driver=" : "", has_driver ? driver : "");
}

/* ---- parsing ------------------------------------------------------------------ */

bool core_uri_is_ssh(const char *uri)
{
	return uri && strncmp(uri, "ssh://", 6) == 0;
}

void core_ssh_target_free(struct core_ssh_target **tp)
{
	struct core_ssh_target *t = *tp;
	if (!t)
		return;
	free(t->user);
	free(t->host);
	free(t->driver);
	free(t->socket);
	free(t);
	*tp = NULL;
}

static bool uri_name_ok(const char *s, const char *bad)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (uri_ctl_or_space(*s) || strchr(bad, *s))
			return false;
	return true;
}

/* One query parameter into t; 0 or -1 with *err. */
static int uri_param(struct core_ssh_target *t, const char *kv, size_t n, char **err)
{
	const char *eq = memchr(kv, '=', n);
	char *val;
	if (!eq) {
		*err = xasprintf("bad parameter '%.*s' (expected driver=NAME or socket=PATH)", (int)n, kv);
		return -1;
	}
	val = xasprintf("%.*s", (int)(n - (size_t)(eq + 1 - kv)), eq + 1);
	if ((size_t)(eq - kv) == 6 && strncmp(kv, "driver", 6) == 0 && uri_name_ok(val, "/?&=:@")) {
		core_str_set(&t->driver, val);
	} else if ((size_t)(eq - kv) == 6 && strncmp(kv, "socket", 6) == 0 && val[0] == '/' &&
		   uri_name_ok(val, "?&")) {
		core_str_set(&t->socket, val);
	} else {
		*err = xasprintf("bad parameter '%.*s' (expected driver=NAME or socket=/PATH)", (int)n, kv);
		free(val);
		return -1;
	}
	free(val);
	return 0;
}

int core_ssh_uri_parse(const char *uri, struct core_ssh_target **out, char **err)
{
	struct core_ssh_target *t;
	const char *p, *end, *at, *q;
	char *hostport = NULL, *why = NULL;
	const char *what = "user name";

	*out = NULL;
	if (!core_uri_is_ssh(uri)) {
		*err = xstrdup("not an ssh:// URI");
		return -1;
	}
	t = xcalloc(1, sizeof(*t));
	p = uri + 6;
	end = p + strcspn(p, "/?");
	at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		t->user = xasprintf("%.*s", (int)(at - p), p);
		if (!uri_name_ok(t->user, "@:/?&")) {
			*err = xstrdup("bad user name in the ssh:// URI");
			goto fail;
		}
		p = at + 1;
	}
	hostport = xasprintf("%.*s", (int)(end - p), p);
	if (hostport[0] == '[') { /* [v6 address]:port */
		char *rb = strchr(hostport, ']');
		if (!rb) {
			*err = xstrdup("missing ']' in the ssh:// URI");
			goto fail;
		}
		t->host = xasprintf("%.*s", (int)(rb - hostport - 1), hostport + 1);
		q = rb[1] == ':' ? rb + 2 : (rb[1] ? "x" : NULL);
		rb[1] = '\0'; /* hostport: "[address]", for the field check below */
	} else {
		char *colon = strchr(hostport, ':');
		t->host = colon ? xasprintf("%.*s", (int)(colon - hostport), hostport) : xstrdup(hostport);
		q = colon ? colon + 1 : NULL;
	}
	if (!uri_name_ok(t->host, "@/?&[]")) {
		*err = xstrdup("no host name in the ssh:// URI");
		goto fail;
	}
	if (q) {
		char *e;
		long port = strtol(q, &e, 10);
		if (!*q || *e || port < 1 || port > 65535) {
			*err = xstrdup("bad port in the ssh:// URI (1-65535)");
			goto fail;
		}
		t->port = (int)port;
	}
	p = end;
	if (*p == '/') {
		size_t n = strcspn(p, "?");
		if (n == 1 || (n == 7 && strncmp(p, "/system", 7) == 0))
			t->session = false;
		else if (n == 8 && strncmp(p, "/session", 8) == 0)
			t->session = true;
		else {
			*err = xstrdup("bad path in the ssh:// URI (/system or /session)");
			goto fail;
		}
		p += n;
	}
	if (*p == '?') {
		for (p++; *p;) {
			size_t n = strcspn(p, "&");
			if (n && uri_param(t, p, n, err) < 0)
				goto fail;
			p += n;
			if (*p == '&')
				p++;
		}
	}
	/* The dialog's field checks as well: libssh puts the host and user into
	 * a ProxyCommand run by /bin/sh, so shell characters and a leading '-'
	 * must not get through a URI typed on the command line either. */
	if (core_ssh_user_check(t->user, &why) < 0)
		goto field_fail;
	what = "host";
	if (core_ssh_host_check(hostport[0] == '[' ? hostport : t->host, &why) < 0)
		goto field_fail;
	what = "driver";
	if (core_ssh_driver_check(t->driver, &why) < 0)
		goto field_fail;
	if (!t->driver)
		t->driver = xstrdup("qemu");
	free(hostport);
	*out = t;
	return 0;
field_fail:
	*err = xasprintf("bad %s in the ssh:// URI: %s", what, why);
	free(why);
fail:
	free(hostport);
	core_ssh_target_free(&t);
	return -1;
}

/* ---- VMware (esx://, vpx://) ---------------------------------------------- */

/* s with every byte but RFC 3986's unreserved ones (and keep, if given) as %XX */
static char *uri_escape(const char *s, const char *keep)
{
	size_t n = strlen(s);
	char *out = xmalloc(3 * n + 1), *o = out;
	for (const char *p = s; *p; p++) {
		if (uri_alnum(*p) || strchr("-._~", *p) || (keep && strchr(keep, *p)))
			*o++ = *p;
		else
			o += sprintf(o, "%%%02X", (unsigned char)*p);
	}
	*o = '\0';
	return out;
}

char *core_esx_uri_build(bool vcenter, const char *user, const char *host, const char *port,
			 const char *path, bool no_verify, char **err)
{
	char portbuf[16] = "", *u = NULL, *pth = NULL, *r;
	int portnum;
	bool has_user = user && *user;

	if (!host || !*host) {
		*err = xstrdup(vcenter ? "Enter the vCenter host" : "Enter the ESX host");
		return NULL;
	}
	if (core_ssh_host_check(host, err) < 0 || core_ssh_port_check(port, &portnum, err) < 0)
		return NULL;
	if (has_user) {
		for (const char *p = user; *p; p++)
			if (uri_ctl_or_space(*p)) {
				*err = xstrdup("The user name cannot hold spaces or control characters");
				return NULL;
			}
		if (!core_utf8_valid(user)) {
			*err = xstrdup("The user name is not valid UTF-8");
			return NULL;
		}
	}
	while (path && *path == '/')
		path++;
	if (vcenter && (!path || !*path)) {
		*err = xstrdup("Enter the vCenter path: datacenter/compute resource, e.g. dc1/cluster1");
		return NULL;
	}
	if (!vcenter && path && *path) {
		*err = xstrdup("A path is for vCenter (vpx://) only");
		return NULL;
	}
	if (portnum)
		snprintf(portbuf, sizeof(portbuf), ":%d", portnum);
	if (has_user)
		u = uri_escape(user, NULL);
	pth = uri_escape(path ? path : "", "/");
	r = xasprintf("%s://%s%s%s%s/%s%s", vcenter ? "vpx" : "esx", u ? u : "", u ? "@" : "", host, portbuf, pth,
		      no_verify ? "?no_verify=1" : "");
	free(u);
	free(pth);
	return r;
}
