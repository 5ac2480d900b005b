/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_settings.c - the pure parts of tui/settings_xml.c: the
 * line diff shown before a define, and the line libvirt's error names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../tui/settings.h"

static void test_diff_equal(void **state)
{
	char *d = tui_line_diff("<a>\n  <b/>\n</a>\n", "<a>\n  <b/>\n</a>\n");
	assert_string_equal(d, "");
	free(d);
}

static void test_diff_change(void **state)
{
	const char *a = "<domain>\n  <name>x</name>\n  <memory>1</memory>\n  <vcpu>1</vcpu>\n  <os/>\n  <on_crash>destroy</on_crash>\n</domain>\n";
	const char *b = "<domain>\n  <name>x</name>\n  <memory>1</memory>\n  <vcpu>2</vcpu>\n  <os/>\n  <on_crash>destroy</on_crash>\n  <devices/>\n</domain>\n";
	char *d = tui_line_diff(a, b);
	assert_string_equal(d, "@@ line 4\n"
			       "   <name>x</name>\n   <memory>1</memory>\n"
			       "-  <vcpu>1</vcpu>\n+  <vcpu>2</vcpu>\n"
			       "   <os/>\n   <on_crash>destroy</on_crash>\n"
			       "@@ line 7\n"
			       "   <os/>\n   <on_crash>destroy</on_crash>\n"
			       "+  <devices/>\n"
			       " </domain>\n");
	free(d);
}

static void test_diff_all_new(void **state)
{
	char *d = tui_line_diff("", "<a/>\n");
	assert_string_equal(d, "@@ line 1\n+<a/>\n");
	free(d);
	d = tui_line_diff("<a/>\n", "");
	assert_string_equal(d, "@@ line 1\n-<a/>\n");
	free(d);
}

static void test_error_line(void **state)
{
	const char *xml = "<domain type='qemu'>\n  <name>x</name>\n  <memory unit='KiB'>lots</memory>\n</domain>\n";
	char *l;
	/* the line named */
	l = tui_xml_error_line(xml, "XML error: (domain_definition):3: Opening and ending tag mismatch, line 3");
	assert_string_equal(l, "line 3: <memory unit='KiB'>lots</memory>");
	free(l);
	/* a quoted word of the message */
	l = tui_xml_error_line(xml, "XML error: Invalid value for element or attribute './memory[1]': 'lots'");
	assert_string_equal(l, "line 3: <memory unit='KiB'>lots</memory>");
	free(l);
	/* nothing to point at */
	assert_null(tui_xml_error_line(xml, "internal error: something"));
	assert_null(tui_xml_error_line(xml, NULL));
	assert_null(tui_xml_error_line(xml, "see line 99"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_equal),
		cmocka_unit_test(test_diff_change),
		cmocka_unit_test(test_diff_all_new),
		cmocka_unit_test(test_error_line),
	};
	return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
