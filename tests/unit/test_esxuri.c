/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_esxuri.c - the Add Host dialog's ESX / vCenter kind:
 * core_esx_uri_build (core/hosturi.c), and libvirt's own URI parser reading
 * the user name back from what it built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libxml/uri.h>

#include "../../core/hosturi.h"
#include "../../core/util.h"

static void built(bool vc, const char *user, const char *host, const char *port, const char *path, bool nv,
		  const char *want)
{
	char *err = NULL, *uri = core_esx_uri_build(vc, user, host, port, path, nv, &err);
	if (!uri)
		fail_msg("%s: %s", want, err);
	assert_string_equal(uri, want);
	free(uri);
}

static void refused(bool vc, const char *user, const char *host, const char *port, const char *path,
		    const char *want_err)
{
	char *err = NULL, *uri = core_esx_uri_build(vc, user, host, port, path, false, &err);
	if (uri)
		fail_msg("built %s, expected: %s", uri, want_err);
	assert_non_null(err);
	assert_non_null(strstr(err, want_err));
	free(err);
}

static void test_esx_built(void **state)
{
	built(false, NULL, "esx1.lab", NULL, NULL, false, "esx://esx1.lab/");
	built(false, "root", "10.0.0.5", "8443", "", true, "esx://root@10.0.0.5:8443/?no_verify=1");
	built(false, "root", "[2001:db8::5]", NULL, NULL, false, "esx://root@[2001:db8::5]/");
	/* a vCenter SSO user has an '@'; a path segment may have a space */
	built(true, "administrator@vsphere.local", "vc.lab", NULL, "/dc 1/cluster1/esx1", true,
	      "vpx://administrator%40vsphere.local@vc.lab/dc%201/cluster1/esx1?no_verify=1");
}

static void test_esx_refused(void **state)
{
	refused(false, "root", "", NULL, NULL, "Enter the ESX host");
	refused(true, "root", NULL, NULL, "dc1", "Enter the vCenter host");
	refused(true, "root", "vc.lab", NULL, "", "Enter the vCenter path");
	refused(false, "root", "esx1", NULL, "dc1", "for vCenter (vpx://) only");
	refused(false, "root", "esx1", "99999", NULL, "port");
	refused(false, "root", "esx1:443", NULL, NULL, "Port");
	refused(false, "ro ot", "esx1", NULL, NULL, "spaces");
	refused(false, "root", "-esx1", NULL, NULL, "'-'");
}

/* libvirt parses URIs with libxml2: the encoded user comes back whole */
static void test_user_round_trip(void **state)
{
	char *err = NULL, *uri = core_esx_uri_build(true, "a@b.local", "vc", NULL, "dc/c", false, &err);
	xmlURIPtr u = xmlParseURI(uri);
	char *user;
	assert_non_null(u);
	assert_string_equal(u->scheme, "vpx");
	assert_string_equal(u->server, "vc");
	user = xmlURIUnescapeString(u->user, 0, NULL);
	assert_string_equal(user, "a@b.local");
	assert_string_equal(u->path, "/dc/c");
	xmlFree(user);
	xmlFreeURI(u);
	free(uri);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esx_built),
		cmocka_unit_test(test_esx_refused),
		cmocka_unit_test(test_user_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
