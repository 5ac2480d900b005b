/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_detect.c - backend/be_detect.h: the waits the wizard
 * does not do on the UI thread. The OS database's load and the OS of a
 * local ISO (images made here with genisoimage, volume ids that osinfo-db
 * knows and one it does not) run on threads of their own: each call
 * returns at once, the answer comes as an MD_MSG_OP_RESULT on the UI queue
 * with the call's seq. The wizard takes the answer by "detected". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tmpdir.h"

#include "../../backend/be.h"
#include "../../backend/be_detect.h"
#include "../../backend/be_osinfo.h"
#include "../../core/msgq.h"
#include "../../core/util.h"
#include "../../wizards/newvm.h"

static core_msgq *q;
static char *tmp;

/* answers that came while another was waited for */
static md_msg *kept[16];

/* the answer with seq, waiting up to ms; NULL when none came */
static md_msg *answer(uint64_t seq, int ms)
{
	int64_t end = core_now_ms() + ms;
	for (size_t i = 0; i < CORE_ARRAY_LEN(kept); i++)
		if (kept[i] && kept[i]->seq == seq) {
			md_msg *m = kept[i];
			kept[i] = NULL;
			return m;
		}
	while (core_now_ms() < end) {
		md_msg *m = core_msgq_pop(q);
		if (!m) {
			usleep(2000);
			continue;
		}
		if (m->type == MD_MSG_OP_RESULT && m->seq == seq)
			return m;
		for (size_t i = 0; m && i < CORE_ARRAY_LEN(kept); i++)
			if (!kept[i]) {
				kept[i] = m;
				m = NULL;
			}
		md_msg_free(&m);
	}
	return NULL;
}

static char *make_iso(const char *file, const char *volid)
{
	char *dir = xasprintf("%s/src", tmp), *path = xasprintf("%s/%s", tmp, file), *cmd;
	core_mkdir_p(dir, 0755);
	free(write_file(dir, "README.txt", "vmmc\n", 5));
	cmd = xasprintf("genisoimage -quiet -V '%s' -o '%s' '%s' >/dev/null 2>&1", volid, path, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
	return path;
}

/* The first call comes before the database is loaded (about a second):
 * it returns at once, the answer later. */
static void test_db_ready_no_wait(void **state)
{
	int64_t t0 = core_now_ms();
	uint64_t seq;
	md_msg *m;
	(void)state;
	assert_null(be_osinfo_shared()); /* nothing loaded it yet in this process */
	seq = be_osinfo_ready_start(7);
	assert_true(core_now_ms() - t0 < 100);
	assert_true(seq >> 63); /* never a host worker's seq */
	m = answer(seq, 60000);
	assert_non_null(m);
	assert_int_equal(m->op, BE_OP_OSINFO_READY);
	assert_int_equal(m->host_id, 7);
	assert_true(m->ok);
	assert_non_null(be_osinfo_shared());
	md_msg_free(&m);
	/* loaded: the answer comes at once */
	seq = be_osinfo_ready_start(7);
	m = answer(seq, 2000);
	assert_non_null(m);
	assert_true(m->ok);
	md_msg_free(&m);
}

static void test_iso_detect(void **state)
{
	char *deb = make_iso("debian-11.iso", "Debian 11.5.0 amd64 n");
	char *odd = make_iso("odd.iso", "VMMC_RANDOM_7f3a91");
	char *missing = xasprintf("%s/none.iso", tmp);
	uint64_t s1, s2, s3, s4;
	md_msg *m;
	(void)state;
	s1 = be_iso_detect_start(3, deb);
	s2 = be_iso_detect_start(3, odd);
	s3 = be_iso_detect_start(3, missing);
	s4 = be_iso_detect_start(3, tmp); /* a folder */
	assert_true(s1 != s2 && s2 != s3 && s3 != s4);

	m = answer(s1, 30000);
	assert_non_null(m);
	assert_int_equal(m->op, BE_OP_ISO_DETECT);
	assert_true(m->ok);
	assert_int_equal(m->nstrs, 2);
	assert_string_equal(m->strs[0], "http://debian.org/debian/11");
	assert_string_equal(m->strs[1], deb);
	assert_string_equal(m->text, "Detected Debian 11 on the install media");
	md_msg_free(&m);

	m = answer(s2, 30000);
	assert_non_null(m);
	assert_true(m->ok);
	assert_string_equal(m->strs[0], "");
	assert_non_null(strstr(m->text, "not one libosinfo knows"));
	md_msg_free(&m);

	m = answer(s3, 30000);
	assert_non_null(m);
	assert_false(m->ok);
	assert_non_null(strstr(m->text, "No such file"));
	md_msg_free(&m);

	m = answer(s4, 30000);
	assert_non_null(m);
	assert_false(m->ok);
	assert_non_null(strstr(m->text, "The OS was not detected"));
	md_msg_free(&m);
	free(deb);
	free(odd);
	free(missing);
}

/* the wizard takes a detection's answer unless the user picked an OS */
static void test_wizard_takes_answer(void **state)
{
	md_host h = { .id = 1, .uri = (char *)"qemu:///system", .conn = MD_CONN_CONNECTED };
	wz_newvm *w = wz_newvm_new(&h, NULL, be_osinfo_shared());
	char *v;
	(void)state;
	assert_int_equal(wz_newvm_ops.set(w, "detected", "http://debian.org/debian/11"), 0);
	v = wz_newvm_get_value(w, "os");
	assert_string_equal(v, "Debian 11 (debian11)");
	free(v);
	assert_int_equal(wz_newvm_ops.set(w, "detected", ""), 0);
	v = wz_newvm_get_value(w, "os");
	assert_string_equal(v, "Generic");
	free(v);
	assert_int_equal(wz_newvm_ops.set(w, "detected", "http://example.org/no-such-os"), -1);
	assert_int_equal(wz_newvm_set_value(w, "os", "win11"), 0); /* the user's pick */
	assert_int_equal(wz_newvm_ops.set(w, "detected", "http://debian.org/debian/11"), 0);
	v = wz_newvm_get_value(w, "os");
	assert_non_null(strstr(v, "(win11)"));
	free(v);
	wz_newvm_free(&w);
}

static int group_setup(void **state)
{
	char *err = NULL;
	(void)state;
	q = core_msgq_new(md_msg_free_void);
	if (be_init(q, &err) < 0) {
		fprintf(stderr, "be_init: %s\n", err);
		free(err);
		return -1;
	}
	return setup_dir((void **)&tmp);
}

static int group_teardown(void **state)
{
	(void)state;
	be_fini();
	for (size_t i = 0; i < CORE_ARRAY_LEN(kept); i++)
		md_msg_free(&kept[i]);
	core_msgq_free(&q);
	return teardown_dir((void **)&tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_db_ready_no_wait),
		cmocka_unit_test(test_iso_detect),
		cmocka_unit_test(test_wizard_takes_answer),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
