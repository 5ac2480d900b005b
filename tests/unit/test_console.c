/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_console.c - serial consoles without a guest: the terminal
 * emulator of a console tab (scrollback, search, keys, hostile output), the
 * escape key's notation, the device list from domain XML, and the backend's
 * open/close against libvirt's test driver (no consoles there: the clear
 * errors). The real-guest tests are tests/e2e/console.sh. */
#include <locale.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <curses.h>

#include "../../backend/be.h"
#include "../../backend/be_console.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"
#include "../../tui/console.h"

/* ---- the escape key -------------------------------------------------------- */

static void test_escape_notation(void **state)
{
	assert_int_equal(tui_console_parse_escape("^]"), 0x1d);
	assert_int_equal(tui_console_parse_escape("^a"), 0x01);
	assert_int_equal(tui_console_parse_escape("^A"), 0x01);
	assert_int_equal(tui_console_parse_escape("^?"), 0x7f);
	assert_int_equal(tui_console_parse_escape("^@"), 0x00);
	assert_int_equal(tui_console_parse_escape("^_"), 0x1f);
	assert_int_equal(tui_console_parse_escape("]"), -1);
	assert_int_equal(tui_console_parse_escape("^"), -1);
	assert_int_equal(tui_console_parse_escape("^]]"), -1);
	assert_int_equal(tui_console_parse_escape("^1"), -1);
	assert_int_equal(tui_console_parse_escape(""), -1);
	assert_int_equal(tui_console_parse_escape(NULL), -1);
}

/* ---- devices from the domain XML --------------------------------------------- */

static void test_devices_serial_and_console(void **state)
{
	const char *xml = "<domain type='qemu'><name>x</name><devices>"
			  "<serial type='pty'><source path='/dev/pts/3'/><target type='isa-serial' port='0'/>"
			  "<alias name='serial0'/></serial>"
			  "<console type='pty' tty='/dev/pts/3'><target type='serial' port='0'/>"
			  "<alias name='serial0'/></console>"
			  "</devices></domain>";
	struct be_console_dev *d;
	size_t n;
	char *why, *err = NULL;
	assert_int_equal(be_console_parse_devices(xml, &d, &n, &why, &err), 0);
	assert_int_equal(n, 1); /* the console on serial port 0 is that port */
	assert_string_equal(d[0].alias, "serial0");
	assert_non_null(strstr(d[0].desc, "serial port 0"));
	assert_null(why);
	be_console_devs_free(&d, &n);
	assert_null(d);
}

static void test_devices_two_serials_and_virtio(void **state)
{
	const char *xml = "<domain><devices>"
			  "<serial type='pty'><target port='0'/><alias name='serial0'/></serial>"
			  "<serial type='pty'><target port='1'/><alias name='serial1'/></serial>"
			  "<console type='pty'><target type='serial' port='0'/><alias name='serial0'/></console>"
			  "<console type='pty'><target type='virtio' port='1'/><alias name='console1'/></console>"
			  "</devices></domain>";
	struct be_console_dev *d;
	size_t n;
	char *err = NULL;
	assert_int_equal(be_console_parse_devices(xml, &d, &n, NULL, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].alias, "serial0");
	assert_string_equal(d[1].alias, "serial1");
	assert_string_equal(d[2].alias, "console1");
	assert_non_null(strstr(d[2].desc, "virtio"));
	be_console_devs_free(&d, &n);
}

static void test_devices_none_or_not_pty(void **state)
{
	struct be_console_dev *d;
	size_t n;
	char *why = NULL, *err = NULL;
	assert_int_equal(be_console_parse_devices("<domain><devices><disk/></devices></domain>", &d, &n, &why, &err), 0);
	assert_int_equal(n, 0);
	assert_null(why);
	assert_int_equal(be_console_parse_devices("<domain><devices><serial type='file'><source path='/x'/>"
						  "</serial></devices></domain>",
						  &d, &n, &why, &err),
			 0);
	assert_int_equal(n, 0);
	assert_non_null(why);
	assert_non_null(strstr(why, "'file'"));
	free(why);
	assert_int_equal(be_console_parse_devices("<network/>", &d, &n, NULL, &err), -1);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_int_equal(be_console_parse_devices("<domain><devices", &d, &n, NULL, &err), -1);
	free(err);
}

/* ---- the emulator ----------------------------------------------------------------- */

static void feed(struct tui_con *c, const char *s)
{
	tui_con_feed(c, s, strlen(s));
}

static char *line(struct tui_con *c, size_t i)
{
	char *t = tui_con_line_text(c, i);
	assert_non_null(t);
	return t;
}

/* bytes into a new console of rows x cols: its first line reads want */
static void expect_row0(int rows, int cols, const char *in, const char *want)
{
	struct tui_con *c = tui_con_new(rows, cols);
	char *t;
	feed(c, in);
	t = line(c, 0);
	assert_string_equal(t, want);
	free(t);
	tui_con_free(&c);
}

/* A console of one column (a tab opened in a window 2 wide) is made 2
 * wide: libvterm 0.1.4 crashes on a wide glyph in one column (found by
 * tests/fuzz/fuzz_console). */
static void test_one_column_wide_glyph(void **state)
{
	expect_row0(3, 1, "\352\200\200\r\n\344\270\255x", "\352\200\200");
}

static void test_scrollback_keeps_10000_lines(void **state)
{
	struct tui_con *c = tui_con_new(24, 80);
	char buf[64], *t;
	size_t total;
	for (int i = 1; i <= 12000; i++) {
		snprintf(buf, sizeof(buf), "line %d\r\n", i);
		feed(c, buf);
	}
	assert_int_equal(tui_con_sb_lines(c), TUI_CON_SCROLLBACK);
	assert_true(TUI_CON_SCROLLBACK >= 10000);
	total = tui_con_total_lines(c);
	assert_int_equal(total, TUI_CON_SCROLLBACK + 24);
	/* 12000 lines and the empty last one: 12001 - 24 went to the scrollback */
	t = line(c, total - 2);
	assert_string_equal(t, "line 12000");
	free(t);
	t = line(c, 0);
	snprintf(buf, sizeof(buf), "line %d", 12001 - 24 - TUI_CON_SCROLLBACK + 1);
	assert_string_equal(t, buf);
	free(t);
	assert_null(tui_con_line_text(c, total));
	/* a search back from the bottom finds the newest match first */
	{
		long hit = tui_con_search(c, "line 5000", (long)total, true);
		assert_true(hit >= 0);
		t = line(c, (size_t)hit);
		assert_string_equal(t, "line 5000");
		free(t);
		assert_int_equal(tui_con_search(c, "line 5000", hit, true), -1);
		assert_int_equal(tui_con_search(c, "no such text", (long)total, true), -1);
		assert_true(tui_con_search(c, "line 12000", 0, false) > hit);
	}
	tui_con_free(&c);
	assert_null(c);
}

static void test_hostile_output_dropped(void **state)
{
	struct tui_con *c = tui_con_new(5, 40);
	char *t;
	/* title, icon, clipboard write, a C1 CSI, palette change, then text */
	feed(c, "\033]0;pwned\007\033]1;icon\033\\\033]52;c;cHduZWQ=\007\302\23331m"
		"\033]4;1;rgb:ff/00/00\007ok\r\n");
	t = line(c, 0);
	assert_non_null(strstr(t, "ok"));
	assert_null(strchr(t, '\033'));
	assert_null(strchr(t, '\007'));
	assert_null(strstr(t, "\302\233"));
	assert_null(strstr(t, "pwned"));
	assert_null(strstr(t, "cHduZWQ"));
	free(t);
	assert_false(tui_con_title_set(c));
	/* full-screen programs: cursor moves and clears stay in the emulator */
	feed(c, "\033[2J\033[3;5Hmid\033[1;1Htop");
	t = line(c, 0);
	assert_string_equal(t, "top");
	free(t);
	t = line(c, 2);
	assert_string_equal(t, "    mid");
	free(t);
	tui_con_free(&c);
}

static void test_utf8_and_wide(void **state)
{
	/* a wide character takes two cells, drawn once */
	expect_row0(3, 20, "caf\303\251 \346\227\245\346\234\254 e\314\201",
		    "caf\303\251 \346\227\245\346\234\254 e");
}

/* A guest that sends a CSI with 17 parameters, or ESC [ and 3000 ':',
 * crashed the console inside libvterm 0.1.4; now the text around it shows
 * and the console goes on, split across feeds too. */
static void test_csi_overflow_survives(void **state)
{
	struct tui_con *c = tui_con_new(5, 40);
	char big[3100], *t;
	(void)state;
	feed(c, "a\033[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1mb");
	memset(big, ':', sizeof(big));
	memcpy(big, "\033[", 2);
	big[sizeof(big) - 2] = 'm';
	big[sizeof(big) - 1] = '\0';
	feed(c, big);
	/* the same, a byte at a time */
	for (const char *p = "\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18m"; *p; p++)
		tui_con_feed(c, p, 1);
	feed(c, "c");
	t = line(c, 0);
	assert_string_equal(t, "abc");
	free(t);
	tui_con_free(&c);
}

static void test_keys_to_guest(void **state)
{
	struct tui_con *c = tui_con_new(24, 80);
	char out[32];
	size_t n;
	n = tui_con_key_bytes(c, 'a', true, out, sizeof(out));
	assert_int_equal(n, 1);
	assert_memory_equal(out, "a", 1);
	n = tui_con_key_bytes(c, 0xe9, true, out, sizeof(out));
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\303\251", 2);
	n = tui_con_key_bytes(c, '\r', true, out, sizeof(out));
	assert_int_equal(n, 1);
	assert_int_equal(out[0], '\r');
	n = tui_con_key_bytes(c, 3, true, out, sizeof(out)); /* Ctrl-C */
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 3);
	n = tui_con_key_bytes(c, KEY_UP, false, out, sizeof(out));
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\033[A", 3);
	/* the guest asks for application cursor keys (vi, less do) */
	feed(c, "\033[?1h");
	n = tui_con_key_bytes(c, KEY_UP, false, out, sizeof(out));
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\033OA", 3);
	n = tui_con_key_bytes(c, KEY_DC, false, out, sizeof(out));
	assert_int_equal(n, 4);
	assert_memory_equal(out, "\033[3~", 4);
	n = tui_con_key_bytes(c, KEY_F(1), false, out, sizeof(out));
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\033OP", 3);
	n = tui_con_key_bytes(c, KEY_BACKSPACE, false, out, sizeof(out));
	assert_int_equal(n, 1);
	assert_int_equal((unsigned char)out[0], 0x7f);
	assert_int_equal(tui_con_key_bytes(c, KEY_MOUSE, false, out, sizeof(out)), 0);
	assert_int_equal(tui_con_key_bytes(c, 0xd800, true, out, sizeof(out)), 0);
	tui_con_free(&c);
}

/* ---- the backend against the test driver ----------------------------------------- */

static core_msgq *Q;

static md_msg *wait_console(int id, int kind, int64_t ms)
{
	int64_t end = core_now_ms() + ms;
	while (core_now_ms() < end) {
		struct pollfd p = { core_msgq_fd(Q), POLLIN, 0 };
		md_msg *m;
		poll(&p, 1, 50);
		while ((m = core_msgq_pop(Q)) != NULL) {
			be_console_ev *ev = m->type == MD_MSG_CONSOLE ? m->ext : NULL;
			if (ev && ev->id == id && ev->kind == kind)
				return m;
			md_msg_free(&m);
		}
	}
	return NULL;
}

static void test_backend_test_driver(void **state)
{
	char *err = NULL;
	be_host *h;
	md_msg *m;
	be_console_ev *ev;
	int id;
	const char *uuid = "6695eb01-f6a4-8304-79aa-97f2502e193f"; /* "test" in test:///default */

	Q = core_msgq_new(md_msg_free_void);
	assert_int_equal(be_init(Q, &err), 0);
	h = be_host_new(1, "test:///default");

	/* the test driver's domain has no serial device: say what to add */
	id = be_console_open(h, uuid, NULL, 0);
	assert_true(id > 0);
	assert_int_equal(be_console_write(id, "x", 1), 0); /* queued while it opens */
	m = wait_console(id, BE_CONSOLE_CLOSED, 10000);
	assert_non_null(m);
	ev = m->ext;
	assert_string_equal(m->uuid, uuid);
	assert_int_equal(ev->reason, BE_CONSOLE_R_NO_DEVICE);
	assert_non_null(strstr(ev->text, "<serial type='pty'/>"));
	md_msg_free(&m);
	assert_int_equal(be_console_count(), 0);
	assert_int_equal(be_console_write(id, "x", 1), -1); /* gone */

	/* a VM that does not exist */
	id = be_console_open(h, "00000000-0000-0000-0000-000000000001", NULL, 0);
	m = wait_console(id, BE_CONSOLE_CLOSED, 10000);
	assert_non_null(m);
	ev = m->ext;
	assert_int_equal(ev->reason, BE_CONSOLE_R_ERROR);
	assert_non_null(strstr(ev->text, "no longer exists"));
	md_msg_free(&m);

	/* a shut-off VM */
	be_host_submit(h, BE_OP_DESTROY, uuid, NULL, 0);
	id = be_console_open(h, uuid, NULL, 0);
	m = wait_console(id, BE_CONSOLE_CLOSED, 10000);
	assert_non_null(m);
	ev = m->ext;
	assert_int_equal(ev->reason, BE_CONSOLE_R_STOPPED);
	md_msg_free(&m);

	/* closed before the worker ran: only the USER answer. The worker is
	 * held for sure: the second host's test driver reads its file from a
	 * FIFO, and its connect (which the open job waits for) blocks until
	 * the FIFO is written, after the close. (Before CI caught it, this
	 * closed on the connected host and lost the race to a quick worker:
	 * the answer was STOPPED.) */
	{
		char dir[] = "/tmp/vmmc-test-console-XXXXXX", fifo[64], file[64], uri[96];
		be_host *gated;
		FILE *f;
		assert_non_null(mkdtemp(dir));
		snprintf(fifo, sizeof(fifo), "%s/node.xml", dir);
		snprintf(file, sizeof(file), "%s/plain.xml", dir);
		snprintf(uri, sizeof(uri), "test://%s", fifo);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		f = fopen(file, "w");
		assert_non_null(f);
		fputs("<node/>", f);
		assert_int_equal(fclose(f), 0);
		gated = be_host_new(2, uri);
		id = be_console_open(gated, uuid, NULL, 0);
		be_console_close(id);
		f = fopen(fifo, "w"); /* the worker's connect opened it: it waits on us */
		assert_non_null(f);
		/* later readers of the path (the backend reads a test driver's
		 * file again for its demo figures) get a plain file */
		assert_int_equal(rename(file, fifo), 0);
		fputs("<node/>", f);
		fclose(f);
		m = wait_console(id, BE_CONSOLE_CLOSED, 10000);
		assert_non_null(m);
		assert_int_equal(((be_console_ev *)m->ext)->reason, BE_CONSOLE_R_USER);
		md_msg_free(&m);
		be_console_close(id); /* twice: ignored */
		m = wait_console(id, BE_CONSOLE_CLOSED, 300);
		assert_null(m); /* one answer, not two */
		be_host_free(&gated, 10000);
		unlink(fifo);
		rmdir(dir);
	}

	/* a host freed with a console still opening: no crash, nothing left */
	id = be_console_open(h, uuid, NULL, 0);
	/* (wait long enough for a loaded machine: if the worker is left running,
	 * what it still holds is not "left" but not finished either) */
	be_host_free(&h, 10000);
	be_fini();
	assert_int_equal(be_console_count(), 0);
	core_msgq_free(&Q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_notation),
		cmocka_unit_test(test_devices_serial_and_console),
		cmocka_unit_test(test_devices_two_serials_and_virtio),
		cmocka_unit_test(test_devices_none_or_not_pty),
		cmocka_unit_test(test_one_column_wide_glyph),
		cmocka_unit_test(test_scrollback_keeps_10000_lines),
		cmocka_unit_test(test_hostile_output_dropped),
		cmocka_unit_test(test_utf8_and_wide),
		cmocka_unit_test(test_csi_overflow_survives),
		cmocka_unit_test(test_keys_to_guest),
		cmocka_unit_test(test_backend_test_driver),
	};
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
