/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_seed.c - backend/be_seed.h: the cloud-init NoCloud
 * seed. Values with YAML's special characters read back unchanged by a
 * real YAML reader (python3's yaml); names cloud-init refuses are refused
 * with a clear message; the password only as a SHA-512 crypt(3) hash that
 * crypt(3) verifies; the user's keys from a made-up ~/.ssh (no repeats,
 * no private keys); the image built by the tool on PATH, read back with
 * xorriso, volume id cidata, the clear password nowhere in it; no tool on
 * PATH: a clear message and no file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <crypt.h>

#include "tmpdir.h"

#include "../../backend/be_seed.h"
#include "../../core/util.h"

static char *tmp;

#define KEY1 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyOne me@host"
#define KEY1B "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyOne other"
#define KEY2 "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQFakeKeyTwo odd: #\"x'\\ y"

/* python3 prints expr of the YAML file (one line) */
static char *yaml_get(const char *file, const char *expr)
{
	char *cmd = xasprintf("python3 -c 'import yaml,sys; d=yaml.safe_load(open(sys.argv[1])); print(%s)' '%s'", expr,
			      file);
	FILE *p = popen(cmd, "r");
	char buf[4096] = "";
	assert_non_null(p);
	if (!fgets(buf, sizeof(buf), p))
		buf[0] = '\0';
	pclose(p);
	free(cmd);
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

static void test_quote(void **state)
{
	char *q;
	(void)state;
	q = be_seed_yaml_quote("a\"b\\c\nd: #e");
	assert_string_equal(q, "\"a\\\"b\\\\c\\x0ad: #e\"");
	free(q);
	q = be_seed_yaml_quote(NULL);
	assert_string_equal(q, "\"\"");
	free(q);
}

static void test_files_read_back(void **state)
{
	const char *keys[] = { KEY1, KEY2 };
	char *err = NULL, *hash = be_seed_hash_password("s3cret pass", &err), *meta, *user, *f, *v;
	be_seed_spec s = { .hostname = "web-1.lab", .user = "ann", .keys = keys, .nkeys = 2 };
	struct crypt_data cd;
	(void)state;
	assert_non_null(hash);
	assert_memory_equal(hash, "$6$", 3);
	assert_null(strstr(hash, "s3cret"));
	memset(&cd, 0, sizeof(cd));
	assert_string_equal(crypt_r("s3cret pass", hash, &cd), hash); /* verifies */
	memset(&cd, 0, sizeof(cd));
	assert_string_not_equal(crypt_r("s3cret pasS", hash, &cd), hash);
	s.password_hash = hash;

	meta = be_seed_meta_data(&s, &err);
	user = be_seed_user_data(&s, &err);
	assert_non_null(meta);
	assert_non_null(user);
	assert_memory_equal(user, "#cloud-config\n", 14);
	free(write_file(tmp, "meta-data", meta, strlen(meta)));
	f = write_file(tmp, "user-data", user, strlen(user));
	v = yaml_get(f, "d[\"hostname\"]");
	assert_string_equal(v, "web-1.lab");
	free(v);
	v = yaml_get(f, "d[\"users\"][0][\"name\"]");
	assert_string_equal(v, "ann");
	free(v);
	v = yaml_get(f, "d[\"users\"][0][\"passwd\"]");
	assert_string_equal(v, hash);
	free(v);
	v = yaml_get(f, "d[\"users\"][0][\"lock_passwd\"]");
	assert_string_equal(v, "False");
	free(v);
	v = yaml_get(f, "d[\"users\"][0][\"ssh_authorized_keys\"][1]");
	assert_string_equal(v, KEY2); /* ": #\"'\\" in the comment: one value */
	free(v);
	v = yaml_get(f, "len(d[\"users\"][0][\"ssh_authorized_keys\"])");
	assert_string_equal(v, "2");
	free(v);
	free(f);
	f = xasprintf("%s/meta-data", tmp);
	v = yaml_get(f, "d[\"instance-id\"] + \" \" + d[\"local-hostname\"]");
	assert_string_equal(v, "iid-web-1.lab web-1.lab");
	free(v);
	free(f);
	free(meta);
	free(user);
	free(hash);
}

static void test_refused(void **state)
{
	const char *bad_key[] = { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake x\nruncmd: [reboot]" };
	be_seed_spec s = { .hostname = "web 1" };
	char *err = NULL;
	(void)state;
	assert_null(be_seed_user_data(&s, &err));
	assert_non_null(strstr(err, "Host name \"web 1\""));
	xfree(&err);
	s.hostname = "ok";
	s.user = "Root: x";
	assert_null(be_seed_meta_data(&s, &err));
	assert_non_null(strstr(err, "User name"));
	xfree(&err);
	s.user = "ann";
	s.keys = bad_key;
	s.nkeys = 1;
	assert_null(be_seed_user_data(&s, &err));
	assert_non_null(strstr(err, "SSH key 1"));
	xfree(&err);
	s.nkeys = 0;
	s.password_hash = "plain text";
	assert_null(be_seed_user_data(&s, &err));
	assert_non_null(strstr(err, "SHA-512"));
	xfree(&err);
	assert_null(be_seed_hash_password("", &err));
	xfree(&err);
}

static void test_user_keys(void **state)
{
	char *home = xasprintf("%s/home", tmp), *ssh = xasprintf("%s/.ssh", home);
	char **k;
	size_t n = 0;
	(void)state;
	core_mkdir_p(ssh, 0700);
	free(write_file(ssh, "id_ed25519.pub", KEY1 "\n", strlen(KEY1) + 1));
	free(write_file(ssh, "id_rsa.pub", KEY2 "\n", strlen(KEY2) + 1));
	free(write_file(ssh, "copy.pub", KEY1B "\n", strlen(KEY1B) + 1)); /* the same key */
	free(write_file(ssh, "id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36)); /* never read */
	free(write_file(ssh, "junk.pub", "not a key\n", 10));
	k = be_seed_user_keys(home, false, &n);
	assert_int_equal(n, 2);
	/* sorted by file: copy.pub (key one), id_ed25519.pub (same: left out), id_rsa.pub */
	assert_string_equal(k[0], KEY1B);
	assert_string_equal(k[1], KEY2);
	assert_null(k[2]);
	for (size_t i = 0; i < n; i++)
		free(k[i]);
	free(k);
	k = be_seed_user_keys(tmp, false, &n); /* no .ssh */
	assert_int_equal(n, 0);
	assert_null(k);
	free(ssh);
	free(home);
}

static void test_build(void **state)
{
	const char *keys[] = { KEY1 };
	char *err = NULL, *hash = be_seed_hash_password("s3cret pass", &err);
	be_seed_spec s = { .hostname = "seedtest", .user = "ann", .password_hash = hash, .keys = keys, .nkeys = 1 };
	char *iso = xasprintf("%s/seed.iso", tmp), *meta, *user, *cmd, *all;
	size_t len = 0;
	(void)state;
	assert_non_null(be_seed_tool());
	assert_int_equal(be_seed_build(&s, iso, &err), 0);
	meta = be_seed_iso_read(iso, "meta-data", &err);
	user = be_seed_iso_read(iso, "user-data", &err);
	assert_non_null(meta);
	assert_non_null(user);
	assert_non_null(strstr(meta, "local-hostname: \"seedtest\""));
	assert_non_null(strstr(user, KEY1));
	assert_non_null(strstr(user, hash));
	/* volume id cidata (isoinfo -d), the clear text nowhere in the image */
	cmd = xasprintf("isoinfo -d -i '%s' | grep -q '^Volume id: cidata$'", iso);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	{
		FILE *fp = fopen(iso, "rb");
		assert_non_null(fp);
		all = xcalloc(1, 1 << 20);
		len = fread(all, 1, 1 << 20, fp);
		fclose(fp);
		assert_true(len > 0 && len < (1 << 20));
	}
	assert_null(memmem(all, len, "s3cret", 6));
	free(all);
	free(meta);
	free(user);
	/* no temporary folder left */
	cmd = xasprintf("ls -d %s/vmmc-seed.* 2>/dev/null | grep -q .", getenv("TMPDIR"));
	assert_int_not_equal(system(cmd), 0);
	free(cmd);
	/* no tool: a clear message, no image */
	unlink(iso);
	{
		char *path = xstrdup(getenv("PATH"));
		setenv("PATH", tmp, 1);
		assert_null(be_seed_tool());
		assert_int_equal(be_seed_build(&s, iso, &err), -1);
		assert_non_null(strstr(err, "install xorriso or genisoimage"));
		xfree(&err);
		setenv("PATH", path, 1);
		free(path);
	}
	assert_int_not_equal(access(iso, F_OK), 0);
	free(iso);
	free(hash);
}

static int group_setup(void **state)
{
	(void)state;
	if (setup_dir((void **)&tmp) < 0)
		return -1;
	setenv("TMPDIR", tmp, 1); /* the seed's temporary folders: checked to go */
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return teardown_dir((void **)&tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),	     cmocka_unit_test(test_files_read_back),
		cmocka_unit_test(test_refused),	     cmocka_unit_test(test_user_keys),
		cmocka_unit_test(test_build),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
