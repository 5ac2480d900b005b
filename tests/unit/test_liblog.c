/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_liblog.c - libvirt's own messages during a session go to
 * vmmc's debug log, never to the terminal (be_libvirt_logs_to): a real
 * libvirt error (the test driver refusing a file that is not there) is
 * raised with stderr pointing at a file, which must stay empty while the
 * log gets libvirt's line; GLib's warnings likewise. Its own binary: libvirt reads its log settings
 * once per process, at its first call. */
#include <fcntl.h>
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

#include "tmpdir.h"
#include "pump.h"

#include <glib.h>
#include <libvirt/libvirt.h>

#include "../../backend/be.h"
#include "../../core/log.h"
#include "../../core/model.h"
#include "../../core/msgq.h"
#include "../../core/util.h"

static md_model *M;
static core_msgq *Q;

static void record(md_msg *msg)
{
	(void)msg;
}

static bool pump(int64_t end_ms)
{
	return pump_queue(Q, M, record, end_ms);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = xcalloc(1, 1 << 16);
	if (f) {
		size_t n = fread(buf, 1, (1 << 16) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static void test_libvirt_error_goes_to_log(void **state)
{
	const char *dir = *state;
	char *log = xasprintf("%s/vmmc.log", dir), *errf = write_file(dir, "stderr", "", 0);
	char *uri = xasprintf("test://%s/no-such-host-file.xml", dir), *err = NULL, *text;
	md_host *h;
	be_host *bh;
	struct stat st;
	int saved, fd;

	assert_int_equal(core_log_open(log, &err), 0);
	be_libvirt_logs_to(log);
	fflush(stderr);
	saved = dup(2);
	fd = open(errf, O_WRONLY | O_TRUNC);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);

	/* the session's set-up, and a host whose connect fails on its worker
	 * (libvirt reports an error, libxml2 a warning) */
	Q = core_msgq_new(md_msg_free_void);
	M = md_model_new();
	assert_int_equal(be_init(Q, &err), 0);
	h = md_host_add(M, 1, uri);
	bh = be_host_new(1, uri);
	WAIT(h->conn == MD_CONN_FAILED, 10000);
	be_host_free(&bh, 5000);
	be_fini();
	g_warning("vmmc-test-glib %d", 42); /* GLib's path (libosinfo's messages) */
	g_log_structured("vmmc-test", G_LOG_LEVEL_MESSAGE, "MESSAGE", "vmmc-test-structured %d", 7);

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(h->conn, MD_CONN_FAILED);
	assert_non_null(strstr(h->error, "no-such-host-file.xml"));
	core_log_close();

	assert_int_equal(stat(errf, &st), 0);
	if (st.st_size != 0) {
		text = slurp(errf);
		fail_msg("libvirt wrote on the terminal: %s", text);
	}
	text = slurp(log);
	assert_non_null(strstr(text, "no-such-host-file.xml"));
	assert_non_null(strstr(text, " error : ")); /* libvirt's own line, its level */
	assert_non_null(strstr(text, "glib: "));
	assert_non_null(strstr(text, "vmmc-test-glib 42"));
	assert_non_null(strstr(text, "vmmc-test-structured 7"));
	free(text);
	free(log);
	free(errf);
	free(uri);
	md_model_free(&M);
	core_msgq_free(&Q);
}

/* a LIBVIRT_LOG_OUTPUTS of the user's is theirs */
static void test_user_outputs_kept(void **state)
{
	setenv("LIBVIRT_LOG_OUTPUTS", "1:file:/tmp/theirs.log", 1);
	be_libvirt_logs_to("/tmp/ours.log");
	assert_string_equal(getenv("LIBVIRT_LOG_OUTPUTS"), "1:file:/tmp/theirs.log");
	unsetenv("LIBVIRT_LOG_OUTPUTS");
	be_libvirt_logs_to(NULL);
	assert_string_equal(getenv("LIBVIRT_LOG_OUTPUTS"), "4:file:/dev/null");
	unsetenv("LIBVIRT_LOG_OUTPUTS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvirt_error_goes_to_log),
		cmocka_unit_test(test_user_outputs_kept),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
