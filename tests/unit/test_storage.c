/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_storage.c - core/storage.c (sizes, names, subnets),
 * core/sha256.c, and the model's pool/network/transfer records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../core/model.h"
#include "../../core/sha256.h"
#include "../../core/storage.h"
#include "../../core/util.h"

static uint64_t size_ok(const char *s)
{
	uint64_t v = 0;
	char *err = NULL;
	if (core_size_parse(s, &v, &err) < 0)
		fail_msg("\"%s\": %s", s, err);
	return v;
}

static void size_bad(const char *s, const char *word)
{
	uint64_t v = 7;
	char *err = NULL;
	if (core_size_parse(s, &v, &err) == 0)
		fail_msg("\"%s\" parsed as %llu", s, (unsigned long long)v);
	assert_non_null(err);
	if (!strstr(err, word))
		fail_msg("\"%s\": \"%s\" lacks \"%s\"", s, err, word);
	assert_int_equal(v, 7); /* untouched */
	free(err);
}

static void test_size_parse(void **state)
{
	assert_int_equal(size_ok("20G"), 20ULL << 30);
	assert_int_equal(size_ok("20 GiB"), 20ULL << 30);
	assert_int_equal(size_ok("512 MiB"), 512ULL << 20);
	assert_int_equal(size_ok(" 1.5g "), 3ULL << 29);
	assert_int_equal(size_ok("100MB"), 100000000ULL);
	assert_int_equal(size_ok("4096"), 4096);
	assert_int_equal(size_ok("10 B"), 10);
	assert_int_equal(size_ok("2T"), 2ULL << 40);
	assert_int_equal(size_ok("1k"), 1024);
	size_bad("20GG", "unknown unit \"GG\"");
	size_bad("0", "more than 0");
	size_bad("0.0001K", "more than 0");
	size_bad("", "enter a size");
	size_bad("-5G", "negative");
	size_bad("G", "start with a number");
	size_bad("1e3G", "plain digits");
	size_bad("0x10", "plain digits");
	size_bad("20 G x", "after the unit");
	size_bad("99999999999P", "too large");
	size_bad("5b", "B for bytes");
}

static void test_size_fmt(void **state)
{
	char b[32];
	core_size_fmt(20ULL << 30, b, sizeof(b));
	assert_string_equal(b, "20 GiB");
	core_size_fmt(3ULL << 29, b, sizeof(b));
	assert_string_equal(b, "1.5 GiB");
	core_size_fmt(100, b, sizeof(b));
	assert_string_equal(b, "100 B");
}

static void test_name_check(void **state)
{
	char *err = NULL;
	assert_int_equal(core_name_check("disk <&\"'>.qcow2", &err), 0);
	assert_int_equal(core_name_check("a/b", &err), -1);
	assert_non_null(strstr(err, "'/'"));
	xfree(&err);
	assert_int_equal(core_name_check("", &err), -1);
	xfree(&err);
	assert_int_equal(core_name_check("..", &err), -1);
	xfree(&err);
	assert_int_equal(core_name_check("a\nb", &err), -1);
	xfree(&err);
}

static void test_cidr(void **state)
{
	core_cidr a, b, used[3], out;
	uint32_t host;
	char *err = NULL, s[16];

	assert_int_equal(core_cidr_parse("192.168.124.7/24", &a, &host, &err), 0);
	core_ipv4_fmt(a.addr, s, sizeof(s));
	assert_string_equal(s, "192.168.124.0");
	core_ipv4_fmt(host, s, sizeof(s));
	assert_string_equal(s, "192.168.124.7");
	assert_int_equal(a.prefix, 24);
	assert_int_equal(core_cidr_parse("10.1.0.0/255.255.0.0", &b, NULL, &err), 0);
	assert_int_equal(b.prefix, 16);
	assert_int_equal(core_cidr_parse("10.1.0.0/255.0.255.0", &b, NULL, &err), -1);
	assert_non_null(strstr(err, "netmask"));
	xfree(&err);
	assert_int_equal(core_cidr_parse("10.1.0.0", &b, NULL, &err), -1);
	assert_non_null(strstr(err, "/24"));
	xfree(&err);
	assert_int_equal(core_cidr_parse("300.1.0.0/24", &b, NULL, &err), -1);
	xfree(&err);
	assert_int_equal(core_cidr_parse("10.0.0.0/31", &b, NULL, &err), -1);
	xfree(&err);

	core_cidr_parse("10.0.0.0/8", &a, NULL, &err);
	core_cidr_parse("10.20.30.0/24", &b, NULL, &err);
	assert_true(core_cidr_overlap(a, b));
	assert_true(core_cidr_overlap(b, a));
	core_cidr_parse("192.168.100.0/24", &b, NULL, &err);
	assert_false(core_cidr_overlap(a, b));

	/* the suggestion skips what is used */
	core_cidr_parse("192.168.100.0/24", &used[0], NULL, &err);
	core_cidr_parse("192.168.101.0/24", &used[1], NULL, &err);
	core_cidr_parse("192.168.96.0/20", &used[2], NULL, &err); /* .96 - .111 */
	assert_int_equal(core_subnet_suggest(used, 3, &out), 0);
	core_ipv4_fmt(out.addr, s, sizeof(s));
	assert_string_equal(s, "192.168.112.0");
	assert_int_equal(out.prefix, 24);
	/* everything of 192.168 used: 10.x next */
	core_cidr_parse("192.168.0.0/16", &used[0], NULL, &err);
	assert_int_equal(core_subnet_suggest(used, 1, &out), 0);
	core_ipv4_fmt(out.addr, s, sizeof(s));
	assert_string_equal(s, "10.0.0.0");
}

static void sha(const char *in, size_t n, const char *want)
{
	core_sha256 c;
	char hex[65];
	core_sha256_init(&c);
	core_sha256_update(&c, in, n);
	core_sha256_hex(&c, hex);
	assert_string_equal(hex, want);
}

static void test_sha256(void **state)
{
	core_sha256 c;
	char hex[65], *a = xmalloc(1000000);

	sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(a, 'a', 1000000);
	/* a million 'a', fed in odd pieces */
	core_sha256_init(&c);
	for (size_t off = 0; off < 1000000;) {
		size_t k = off % 7 == 0 ? 63 : 1001;
		if (k > 1000000 - off)
			k = 1000000 - off;
		core_sha256_update(&c, a + off, k);
		off += k;
	}
	core_sha256_hex(&c, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* zeros without a buffer = zeros from a buffer */
	memset(a, 0, 100000);
	core_sha256_init(&c);
	core_sha256_update(&c, "x", 1);
	core_sha256_zeros(&c, 100000);
	core_sha256_hex(&c, hex);
	{
		core_sha256 d;
		char hex2[65];
		core_sha256_init(&d);
		core_sha256_update(&d, "x", 1);
		core_sha256_update(&d, a, 100000);
		core_sha256_hex(&d, hex2);
		assert_string_equal(hex, hex2);
	}
	free(a);
}

static void test_model_records(void **state)
{
	md_model *m = md_model_new();
	md_host *h = md_host_add(m, 1, "test:///default");
	md_msg *msg = md_msg_new(MD_MSG_POOL_LIST, 1);
	md_pool copy;
	md_xfer *x;

	msg->pools = xcalloc(1, sizeof(*msg->pools));
	msg->npools = 1;
	msg->pools[0].name = xstrdup("p");
	snprintf(msg->pools[0].uuid, 37, "%s", "11111111-2222-3333-4444-555555555555");
	msg->pools[0].type = xstrdup("dir");
	msg->pools[0].vols = xcalloc(1, sizeof(md_vol));
	msg->pools[0].nvols = 1;
	msg->pools[0].vols[0].name = xstrdup("v");
	msg->pools[0].vols[0].users = xcalloc(1, sizeof(char *));
	msg->pools[0].vols[0].users[0] = xstrdup("vm1");
	msg->pools[0].vols[0].nusers = 1;
	md_apply(m, msg);
	md_msg_free(&msg);
	assert_non_null(md_pool_find(h, "11111111-2222-3333-4444-555555555555"));
	md_pool_copy(&copy, &h->pools[0]);
	assert_string_equal(copy.vols[0].users[0], "vm1");
	assert_ptr_not_equal(copy.vols[0].users[0], h->pools[0].vols[0].users[0]);
	md_pool_clear(&copy);

	/* transfers: inserted, replaced by id, kept until forgotten when final */
	for (int i = 0; i < 3; i++) {
		md_xfer *p = xcalloc(1, sizeof(*p));
		int dirty;
		p->id = 9;
		p->host_id = 1;
		p->state = i ? MD_XFER_DONE : MD_XFER_RUNNING;
		p->done = i ? 100 : 50;
		p->local = xstrdup("/tmp/f");
		p->text = i ? xstrdup(i == 1 ? "Uploaded /tmp/f" : "again") : NULL;
		msg = md_msg_new(MD_MSG_XFER, 1);
		msg->ext = p;
		msg->ext_free = md_xfer_free_void;
		dirty = md_apply(m, msg);
		/* progress redraws the status bar and the dialogs over it */
		assert_true(dirty & MD_DIRTY_XFER);
		assert_true(dirty & MD_DIRTY_STATUS);
		md_msg_free(&msg);
		assert_int_equal(m->nxfers, 1);
		/* the end is told in the status line once */
		if (i == 0)
			assert_null(m->status);
		else
			assert_string_equal(m->status, "Uploaded /tmp/f");
		assert_false(m->status_error);
	}
	x = md_xfer_find(m, 9);
	assert_non_null(x);
	assert_int_equal(x->done, 100);
	assert_string_equal(md_xfer_state_name(x->state), "done");
	md_xfer_forget(m, 9);
	assert_int_equal(m->nxfers, 0);
	md_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_parse),
		cmocka_unit_test(test_size_fmt),
		cmocka_unit_test(test_name_check),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_model_records),
	};
	return cmocka_run_group_tests_name("storage", tests, NULL, NULL);
}
