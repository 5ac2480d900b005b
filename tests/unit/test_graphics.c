/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_graphics.c - the graphical console: the <graphics>
 * element read with libxml2 (backend/be_graphics.c: the first VNC or SPICE
 * display, its address, socket and ports; a password noticed, never kept)
 * and the viewer command lines of tui/graphics.c (shell-quoted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../backend/be_graphics.h"
#include "../../core/util.h"
#include "../../tui/graphics.h"

static be_graphics_spec parse_ok(const char *devices)
{
	char *xml = xasprintf("<domain type='qemu'><name>x</name><devices>%s</devices></domain>", devices);
	char *err = NULL;
	be_graphics_spec g;
	if (be_graphics_parse(xml, &g, &err) != 0)
		fail_msg("'%s': %s", devices, err);
	assert_null(err);
	free(xml);
	return g;
}

static void parse_err(const char *xml, const char *want)
{
	char *err = NULL;
	be_graphics_spec g;
	assert_int_equal(be_graphics_parse(xml, &g, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, want));
	assert_null(g.type);
	free(err);
}

static void test_parse_vnc(void **state)
{
	be_graphics_spec g;
	(void)state;
	/* a running VM's live XML: port given, listen attribute and child */
	g = parse_ok("<graphics type='vnc' port='5901' autoport='yes' listen='127.0.0.1' passwd='s&amp;e&lt;c'>"
		     "<listen type='address' address='127.0.0.1'/></graphics>");
	assert_string_equal(g.type, "vnc");
	assert_int_equal(g.port, 5901);
	assert_string_equal(g.listen, "127.0.0.1");
	assert_null(g.socket);
	assert_true(g.password);
	be_graphics_spec_clear(&g);
	/* before a start: port -1 is no port; the <listen> child wins */
	g = parse_ok("<graphics type='vnc' port='-1' listen='0.0.0.0'><listen type='address' address='::'/></graphics>");
	assert_int_equal(g.port, 0);
	assert_string_equal(g.listen, "::");
	assert_false(g.password);
	be_graphics_spec_clear(&g);
	/* a socket: no address */
	g = parse_ok("<graphics type='vnc' socket='/run/a b/vnc.sock'/>");
	assert_string_equal(g.socket, "/run/a b/vnc.sock");
	assert_null(g.listen);
	be_graphics_spec_clear(&g);
	g = parse_ok("<graphics type='vnc'><listen type='socket' socket='/var/lib/x/vnc.sock'/></graphics>");
	assert_string_equal(g.socket, "/var/lib/x/vnc.sock");
	be_graphics_spec_clear(&g);
}

static void test_parse_spice_and_errors(void **state)
{
	be_graphics_spec g;
	(void)state;
	/* the first VNC/SPICE one, after an egl-headless */
	g = parse_ok("<graphics type='egl-headless'/><graphics type='spice' tlsPort='5902' autoport='yes'>"
		     "<listen type='address' address='10.0.0.1'/></graphics><graphics type='vnc' port='5999'/>");
	assert_string_equal(g.type, "spice");
	assert_int_equal(g.port, 0);
	assert_int_equal(g.tls_port, 5902);
	assert_string_equal(g.listen, "10.0.0.1");
	be_graphics_spec_clear(&g);
	parse_err("<domain><devices><serial type='pty'/></devices></domain>", "has no graphical display");
	parse_err("<domain><devices><graphics type='sdl'/></devices></domain>", "neither VNC nor SPICE");
	parse_err("<domain><devices><graphics", "not XML");
	parse_err("", "not XML");
	/* vnc's port out of range: none */
	g = parse_ok("<graphics type='vnc' port='70000'/>");
	assert_int_equal(g.port, 0);
	be_graphics_spec_clear(&g);
}

static void test_commands(void **state)
{
	be_graphics g = { .type = "vnc", .addr = "127.0.0.1", .port = 41234, .forwarded = true };
	char *c;
	(void)state;
	c = tui_graphics_commands(&g);
	assert_string_equal(c, "remote-viewer 'vnc://127.0.0.1:41234'\nvncviewer '127.0.0.1::41234'");
	free(c);
	g.type = "spice";
	c = tui_graphics_commands(&g);
	assert_string_equal(c, "remote-viewer 'spice://127.0.0.1:41234'");
	free(c);
	g.tls = true;
	c = tui_graphics_commands(&g);
	assert_string_equal(c, "remote-viewer 'spice://127.0.0.1?tls-port=41234'");
	free(c);
	/* a remote libvirt URI: virt-viewer with the VM's name quoted */
	g = (be_graphics){ .type = "vnc", .name = "it's <x>", .uri = "qemu+ssh://root@h/system" };
	c = tui_graphics_commands(&g);
	assert_string_equal(c, "virt-viewer --connect 'qemu+ssh://root@h/system' 'it'\\''s <x>'");
	free(c);
}

static void test_viewer_needs_display(void **state)
{
	be_graphics g = { .type = "vnc", .addr = "127.0.0.1", .port = 5900 };
	const char *why = NULL;
	char *p;
	(void)state;
	unsetenv("DISPLAY");
	unsetenv("WAYLAND_DISPLAY");
	p = tui_graphics_viewer(&g, &why);
	assert_null(p);
	assert_non_null(why);
	assert_non_null(strstr(why, "no graphical session"));
	/* a display, and a PATH without any viewer */
	setenv("DISPLAY", ":99", 1);
	setenv("PATH", "/nonexistent", 1);
	p = tui_graphics_viewer(&g, &why);
	assert_null(p);
	assert_non_null(strstr(why, "vncviewer"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_vnc),
		cmocka_unit_test(test_parse_spice_and_errors),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_viewer_needs_display),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
