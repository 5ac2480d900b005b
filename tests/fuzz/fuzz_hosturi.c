/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/fuzz/fuzz_hosturi.c - libFuzzer target: the host/ssh URI parser
 * and the builder's checks (core/hosturi.c).
 *   1. the whole input as a URI: core_ssh_uri_parse; a URI it accepts is
 *      built again from its parts and, if the builder takes them, the new
 *      URI parses to the same target;
 *   2. the input cut at NUL bytes into user, host, port, driver (and a
 *      session flag from the first byte): whatever core_ssh_uri_build
 *      accepts must parse back to those parts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/hosturi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the same host: an IPv6 address may come with or without its brackets */
static bool host_eq(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > 1 && a[0] == '[' && a[na - 1] == ']')
		a++, na -= 2;
	if (nb > 1 && b[0] == '[' && b[nb - 1] == ']')
		b++, nb -= 2;
	return na == nb && memcmp(a, b, na) == 0;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a || !*a) ? (!b || !*b) : (b && strcmp(a, b) == 0);
}

/* built must parse to user/host/port/session/driver ("qemu" = none) */
static void check_built(const char *built, const char *user, const char *host, int port, bool session,
			const char *driver)
{
	struct core_ssh_target *t = NULL;
	char *err = NULL;
	if (core_ssh_uri_parse(built, &t, &err) != 0 || !t) {
		fprintf(stderr, "built URI '%s' does not parse: %s\n", built, err ? err : "?");
		abort();
	}
	if (!str_eq(user, t->user) || !t->host || !host_eq(host, t->host) || port != t->port || session != t->session ||
	    !str_eq(driver && *driver ? driver : "qemu", t->driver ? t->driver : "qemu")) {
		fprintf(stderr, "built URI '%s' parses to other parts\n", built);
		abort();
	}
	core_ssh_target_free(&t);
	free(err);
}

static void parse_whole(const char *uri)
{
	struct core_ssh_target *t = NULL;
	char *err = NULL;
	core_uri_is_ssh(uri);
	if (core_ssh_uri_parse(uri, &t, &err) == 0) {
		char port[16] = "", *e2 = NULL, *b;
		if (!t || !t->host || !t->host[0] || t->port < 0 || t->port > 65535)
			abort();
		if (t->port)
			snprintf(port, sizeof(port), "%d", t->port);
		b = core_ssh_uri_build(t->user, t->host, port, t->session, t->driver, &e2);
		if (b)
			check_built(b, t->user, t->host, t->port, t->session, t->driver);
		free(b);
		free(e2);
		core_ssh_target_free(&t);
	} else if (!err || t) {
		abort();
	}
	free(err);
}

static void build_parts(const char *buf, size_t size)
{
	const char *part[4] = { "", "", "", "" };
	const char *p = buf + 1, *end = buf + size;
	bool session;
	char *err = NULL, *b;
	int portnum = 0;
	if (size < 1)
		return;
	session = buf[0] & 1;
	for (int i = 0; i < 4 && p < end; i++) {
		part[i] = p;
		p += strlen(p) + 1;
	}
	b = core_ssh_uri_build(part[0], part[1], part[2], session, part[3], &err);
	if (b) {
		char *e2 = NULL;
		if (err || core_ssh_port_check(part[2], &portnum, &e2) != 0)
			abort();
		check_built(b, part[0], part[1], portnum, session, part[3]);
		free(e2);
		free(b);
	} else if (!err) {
		abort();
	}
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	parse_whole(buf);
	build_parts(buf, size);
	free(buf);
	return 0;
}
