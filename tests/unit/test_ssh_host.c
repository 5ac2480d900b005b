/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_ssh_host.c - ssh:// host URIs (core/hosturi.c) and the
 * prompts a worker thread asks the UI (core/prompt.c). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../core/hosturi.h"
#include "../../core/prompt.h"
#include "../../core/util.h"

/* ---- ssh:// URIs ------------------------------------------------------------ */

static struct core_ssh_target *parse_ok(const char *uri)
{
	struct core_ssh_target *t = NULL;
	char *err = NULL;
	if (core_ssh_uri_parse(uri, &t, &err) != 0)
		fail_msg("%s: %s", uri, err);
	assert_non_null(t);
	assert_null(err);
	return t;
}

static void test_parse_full(void **state)
{
	struct core_ssh_target *t = parse_ok("ssh://admin@kvm1:2222/session?driver=lxc");
	(void)state;
	assert_string_equal(t->user, "admin");
	assert_string_equal(t->host, "kvm1");
	assert_int_equal(t->port, 2222);
	assert_true(t->session);
	assert_string_equal(t->driver, "lxc");
	assert_null(t->socket);
	core_ssh_target_free(&t);
	assert_null(t);
}

static void test_parse_minimal(void **state)
{
	struct core_ssh_target *t = parse_ok("ssh://myalias");
	(void)state;
	assert_null(t->user);
	assert_string_equal(t->host, "myalias");
	assert_int_equal(t->port, 0); /* ssh_config decides */
	assert_false(t->session);
	assert_string_equal(t->driver, "qemu");
	core_ssh_target_free(&t);

	t = parse_ok("ssh://root@[::1]:22/system?socket=/run/libvirt/virtqemud-sock");
	assert_string_equal(t->host, "::1");
	assert_int_equal(t->port, 22);
	assert_false(t->session);
	assert_string_equal(t->socket, "/run/libvirt/virtqemud-sock");
	core_ssh_target_free(&t);

	t = parse_ok("ssh://h/");
	assert_string_equal(t->host, "h");
	core_ssh_target_free(&t);
}

static void test_parse_bad(void **state)
{
	static const struct {
		const char *uri, *needle;
	} bad[] = {
		{ "qemu:///system", "not an ssh:// URI" },
		{ "ssh://", "no host name" },
		{ "ssh://@h", "bad user name" },
		{ "ssh://u@h:0", "bad port" },
		{ "ssh://u@h:65536", "bad port" },
		{ "ssh://u@h:22x", "bad port" },
		{ "ssh://u@h:", "bad port" },
		{ "ssh://h/sys", "bad path" },
		{ "ssh://h/system?driver=", "bad parameter" },
		{ "ssh://h/system?socket=relative", "bad parameter" },
		{ "ssh://h/system?color=red", "bad parameter" },
		{ "ssh://h/system?nokey", "bad parameter" },
		{ "ssh://[::1", "missing ']'" },
		{ "ssh://h\x1b[2J", "no host name" },
		{ "ssh://a b@h", "bad user name" },
		/* what libssh would hand to /bin/sh in a ProxyCommand */
		{ "ssh://h;id", "bad host in the ssh:// URI: The host cannot hold ';'" },
		{ "ssh://h$(id)", "bad host in the ssh:// URI" },
		{ "ssh://-oProxyCommand=id", "bad host in the ssh:// URI: The host cannot begin with '-'" },
		{ "ssh://-l@h", "bad user name in the ssh:// URI: The user name cannot begin with '-'" },
		{ "ssh://u`id`@h", "bad user name in the ssh:// URI" },
		{ "ssh://h/system?driver=Q;x", "bad driver in the ssh:// URI" },
		{ "ssh://[zz::1]:22", "bad host in the ssh:// URI: An IPv6 address holds only" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct core_ssh_target *t = NULL;
		char *err = NULL;
		if (core_ssh_uri_parse(bad[i].uri, &t, &err) != -1)
			fail_msg("accepted: %s", bad[i].uri);
		assert_null(t);
		assert_non_null(err);
		if (!strstr(err, bad[i].needle))
			fail_msg("%s: '%s' lacks '%s'", bad[i].uri, err, bad[i].needle);
		free(err);
	}
	assert_true(core_uri_is_ssh("ssh://x"));
	assert_false(core_uri_is_ssh("qemu+ssh://x/system"));
	assert_false(core_uri_is_ssh(NULL));
}

/* ---- prompts ---------------------------------------------------------------- */

struct asker {
	core_prompt *p;
	int rc, choice;
	char buf[64];
};

static void *ask_main(void *arg)
{
	struct asker *k = arg;
	k->rc = core_prompt_wait(k->p, &k->choice, k->buf, sizeof(k->buf));
	return NULL;
}

static void test_prompt_answer(void **state)
{
	struct asker k = { 0 };
	core_prompt *ui;
	pthread_t th;
	(void)state;
	k.p = core_prompt_new(CORE_PROMPT_SECRET, 7);
	core_prompt_ref(k.p); /* the UI's */
	assert_int_equal(pthread_create(&th, NULL, ask_main, &k), 0);
	usleep(20000);
	assert_true(core_prompt_pending(k.p));
	core_prompt_answer(k.p, 0, "hunter2");
	pthread_join(th, NULL);
	assert_int_equal(k.rc, 0);
	assert_string_equal(k.buf, "hunter2");
	/* the prompt's own copy is wiped once taken */
	assert_int_equal(k.p->answer[0], '\0');
	assert_false(core_prompt_pending(k.p));
	core_prompt_cancel(k.p); /* too late: no effect */
	assert_int_equal(k.p->state, CORE_PROMPT_ANSWERED);
	ui = k.p;
	core_prompt_unref(&ui); /* the UI's reference */
	assert_null(ui);
	core_prompt_unref(&k.p); /* the asker's: the last one frees */
	assert_null(k.p);
}

static void test_prompt_cancel_by_drop(void **state)
{
	struct asker k = { 0 };
	core_prompt *ui;
	pthread_t th;
	(void)state;
	k.p = core_prompt_new(CORE_PROMPT_HOSTKEY, 1);
	ui = k.p;
	core_prompt_ref(ui);
	assert_int_equal(pthread_create(&th, NULL, ask_main, &k), 0);
	core_prompt_drop(ui); /* the message was freed unanswered: the asker goes on */
	pthread_join(th, NULL);
	assert_int_equal(k.rc, -1);
	core_prompt_unref(&k.p);
}

static void test_prompt_hostkey_and_truncation(void **state)
{
	struct asker k = { 0 };
	pthread_t th;
	char big[CORE_PROMPT_MAX + 100];
	(void)state;
	k.p = core_prompt_new(CORE_PROMPT_HOSTKEY, 1);
	core_prompt_answer(k.p, CORE_HOSTKEY_SAVE, NULL); /* answered before the wait */
	assert_int_equal(pthread_create(&th, NULL, ask_main, &k), 0);
	pthread_join(th, NULL);
	assert_int_equal(k.rc, 0);
	assert_int_equal(k.choice, CORE_HOSTKEY_SAVE);
	core_prompt_unref(&k.p);

	/* an answer longer than the buffers is cut, NUL-terminated */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	k.p = core_prompt_new(CORE_PROMPT_TEXT, 1);
	core_prompt_answer(k.p, 0, big);
	assert_int_equal(core_prompt_wait(k.p, NULL, k.buf, sizeof(k.buf)), 0);
	assert_int_equal(strlen(k.buf), sizeof(k.buf) - 1);
	core_prompt_unref(&k.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_minimal),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_prompt_answer),
		cmocka_unit_test(test_prompt_cancel_by_drop),
		cmocka_unit_test(test_prompt_hostkey_and_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
