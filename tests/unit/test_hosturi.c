/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_hosturi.c - the ssh:// URI built from the Add Host
 * dialog's fields, and the check of each field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/hosturi.h"
#include "../../core/util.h"

static void expect_uri(const char *user, const char *host, const char *port, bool session, const char *driver,
		       const char *want)
{
	char *err = NULL, *uri = core_ssh_uri_build(user, host, port, session, driver, &err);
	if (!uri)
		fail_msg("'%s' expected, got error '%s'", want, err ? err : "(none)");
	assert_null(err);
	assert_string_equal(uri, want);
	free(uri);
}

static void expect_err(const char *user, const char *host, const char *port, bool session, const char *driver,
		       const char *want)
{
	char *err = NULL, *uri = core_ssh_uri_build(user, host, port, session, driver, &err);
	if (uri)
		fail_msg("error '%s' expected, got '%s'", want, uri);
	assert_non_null(err);
	assert_string_equal(err, want);
	assert_true(strlen(err) <= 56); /* one line of a 60-column dialog */
	free(err);
}

static void test_build(void **state)
{
	(void)state;
	/* the grammar: ssh://[user@]host[:port][/system|/session][?driver=NAME] */
	expect_uri("admin", "kvm1", "2222", true, "lxc", "ssh://admin@kvm1:2222/session?driver=lxc");
	expect_uri(NULL, "kvm1", NULL, false, NULL, "ssh://kvm1/system");
	expect_uri("", "kvm1", "", false, "", "ssh://kvm1/system");
	expect_uri("", "kvm1", "", true, "qemu", "ssh://kvm1/session");
	expect_uri("root", "kvm1.example.net", "22", false, "qemu", "ssh://root@kvm1.example.net:22/system");
	expect_uri(NULL, "192.0.2.7", "65535", false, "xen", "ssh://192.0.2.7:65535/system?driver=xen");
	expect_uri("u", "[2001:db8::1]", "1", false, NULL, "ssh://u@[2001:db8::1]:1/system");
	expect_uri(NULL, "[::1]", NULL, true, "libxl", "ssh://[::1]/session?driver=libxl");
	expect_uri(NULL, "my_alias-2", NULL, false, "bhyve", "ssh://my_alias-2/system?driver=bhyve");
	/* leading zeros of a port are dropped */
	expect_uri(NULL, "h", "0022", false, NULL, "ssh://h:22/system");
	/* a user name may be UTF-8 and hold dots, dashes, '+', '$' */
	expect_uri("j\xc3\xb6rg.w-x+y$", "h", NULL, false, NULL, "ssh://j\xc3\xb6rg.w-x+y$@h/system");
}

static void test_host(void **state)
{
	(void)state;
	expect_err(NULL, "", NULL, false, NULL, "Enter the host: a name, an address or an ssh alias");
	expect_err(NULL, NULL, NULL, false, NULL, "Enter the host: a name, an address or an ssh alias");
	expect_err(NULL, "kvm 1", NULL, false, NULL, "The host cannot hold spaces or control characters");
	expect_err(NULL, "kvm\t1", NULL, false, NULL, "The host cannot hold spaces or control characters");
	expect_err(NULL, "kvm\0331", NULL, false, NULL, "The host cannot hold spaces or control characters");
	expect_err(NULL, "kvm\x7f", NULL, false, NULL, "The host cannot hold spaces or control characters");
	expect_err(NULL, "root@kvm1", NULL, false, NULL,
		   "The host cannot hold '@': the user goes in User");
	expect_err(NULL, "kvm1/system", NULL, false, NULL, "The host cannot hold '/'");
	expect_err(NULL, "kvm1:22", NULL, false, NULL, "The host cannot hold ':': the port goes in Port");
	expect_err(NULL, "2001:db8::1", NULL, false, NULL, "An IPv6 address goes in brackets: [2001:db8::1]");
	expect_err(NULL, "kvm1?x", NULL, false, NULL, "The host cannot hold '?'");
	expect_err(NULL, "kvm#1", NULL, false, NULL, "The host cannot hold '#'");
	expect_err(NULL, "k%41", NULL, false, NULL, "The host cannot hold '%'");
	expect_err(NULL, "-oProxyCommand=x", NULL, false, NULL, "The host cannot begin with '-'");
	expect_err(NULL, "b\xc3\xbc" "cher.de", NULL, false, NULL,
		   "The host must be ASCII (international names: xn--)");
	expect_err(NULL, "[2001:db8::1", NULL, false, NULL, "An IPv6 address in brackets needs its closing ']'");
	expect_err(NULL, "[", NULL, false, NULL, "An IPv6 address in brackets needs its closing ']'");
	expect_err(NULL, "[]", NULL, false, NULL, "Brackets are for an IPv6 address, e.g. [2001:db8::1]");
	expect_err(NULL, "[kvm1]", NULL, false, NULL,
		   "An IPv6 address holds only hex digits, ':' and '.'");
	expect_err(NULL, "[1.2.3.4]", NULL, false, NULL, "Brackets are for an IPv6 address, e.g. [2001:db8::1]");
	expect_err(NULL, "a]b", NULL, false, NULL, "The host cannot hold ']'");
}

static void test_user(void **state)
{
	(void)state;
	expect_err("ad min", "h", NULL, false, NULL, "The user name cannot hold spaces or control characters");
	expect_err("ad\nmin", "h", NULL, false, NULL, "The user name cannot hold spaces or control characters");
	expect_err("a@b", "h", NULL, false, NULL, "The user name cannot hold '@'");
	expect_err("a:pw", "h", NULL, false, NULL, "The user name cannot hold ':'");
	expect_err("a/b", "h", NULL, false, NULL, "The user name cannot hold '/'");
	expect_err("a?b", "h", NULL, false, NULL, "The user name cannot hold '?'");
	expect_err("-l", "h", NULL, false, NULL, "The user name cannot begin with '-'");
	expect_err("\xff", "h", NULL, false, NULL, "The user name is not valid UTF-8");
}

static void test_port(void **state)
{
	static const char *const bad[] = { "0", "65536", "99999999999999999999", "-1", "+22", "22a", " 22", "0x16",
					   "2.5" };
	int out = -1;
	char *err = NULL;
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(bad); i++)
		expect_err(NULL, "h", bad[i], false, NULL, "The port must be a number from 1 to 65535");
	assert_int_equal(core_ssh_port_check("", &out, &err), 0);
	assert_int_equal(out, 0);
	assert_int_equal(core_ssh_port_check(NULL, &out, &err), 0);
	assert_int_equal(out, 0);
	assert_int_equal(core_ssh_port_check("65535", &out, &err), 0);
	assert_int_equal(out, 65535);
	assert_null(err);
}

static void test_driver(void **state)
{
	static const char *const bad[] = { "QEMU", "q emu", "qemu&socket=/x", "a/b", "qemu+ssh",
					   "abcdefghijklmnopqrstuvwxyz0123456" };
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(bad); i++)
		expect_err(NULL, "h", NULL, false, bad[i], "The driver is a name like qemu, lxc or xen (a-z, 0-9)");
	/* the first field found wrong is the one named; every message fits a
	 * dialog's error line (56 columns) */
	expect_err("a b", "", "0", false, "X", "Enter the host: a name, an address or an ssh alias");
	expect_err("a b", "h", "0", false, "X", "The user name cannot hold spaces or control characters");
	expect_err("ab", "h", "0", false, "X", "The port must be a number from 1 to 65535");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_driver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
