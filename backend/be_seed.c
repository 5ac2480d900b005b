/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_seed.c - see be_seed.h. */
#include "be_seed.h"

#include <crypt.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/util.h"

extern char **environ;

/* ---- the files' text -------------------------------------------------------------- */

char *be_seed_yaml_quote(const char *s)
{
	size_t n = 2;
	char *out, *o;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		n += *p < 0x20 || *p == 0x7f ? 4 : *p == '"' || *p == '\\' ? 2 : 1;
	o = out = xcalloc(1, n + 1);
	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			o += sprintf(o, "\\x%02x", *p);
		} else {
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = (char)*p;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* a host name cloud-init sets: labels of letters, digits and '-', dots between */
static bool hostname_ok(const char *h)
{
	size_t label = 0, n = 0;
	if (!h || !*h || *h == '.' || *h == '-')
		return false;
	for (; *h; h++, n++) {
		if (*h == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)*h) || *h == '-') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return n <= 253 && label > 0;
}

/* a user name useradd takes: [a-z_][a-z0-9_-]*, at most 32 */
static bool user_ok(const char *u)
{
	size_t n = 0;
	if (!u || !(islower((unsigned char)*u) || *u == '_'))
		return false;
	for (; *u; u++, n++)
		if (!(islower((unsigned char)*u) || isdigit((unsigned char)*u) || *u == '_' || *u == '-'))
			return false;
	return n <= 32;
}

/* one printable line: "type base64 [comment]", the type one of OpenSSH's
 * (ssh-*, ecdsa-*, sk-*), the base64 at least 16 of its characters */
static bool key_ok(const char *k)
{
	const char *sp = k ? strchr(k, ' ') : NULL;
	size_t b64;
	if (!sp || !(strncmp(k, "ssh-", 4) == 0 || strncmp(k, "ecdsa-", 6) == 0 || strncmp(k, "sk-", 3) == 0))
		return false;
	for (const unsigned char *p = (const unsigned char *)k; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	b64 = strspn(sp + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
	return b64 >= 16 && (sp[1 + b64] == ' ' || sp[1 + b64] == '\0');
}

static int spec_check(const be_seed_spec *s, char **err)
{
	if (!hostname_ok(s->hostname)) {
		*err = xasprintf("Host name \"%s\": letters, digits and '-' in labels of at most 63, dots between",
				 s->hostname ? s->hostname : "");
		return -1;
	}
	if (s->user && *s->user && !user_ok(s->user)) {
		*err = xasprintf("User name \"%s\": lower-case letters, digits, '_' and '-', starting with a letter "
				 "or '_', at most 32", s->user);
		return -1;
	}
	if (s->password_hash && strncmp(s->password_hash, "$6$", 3) != 0) {
		*err = xstrdup("The password is not a SHA-512 crypt(3) hash");
		return -1;
	}
	for (size_t i = 0; i < s->nkeys; i++)
		if (!key_ok(s->keys[i])) {
			*err = xasprintf("SSH key %zu is not one \"type base64 comment\" line", i + 1);
			return -1;
		}
	return 0;
}

/* text += "prefix" + quoted value + "\n" */
static void add_line(char **text, const char *prefix, const char *value)
{
	char *q = be_seed_yaml_quote(value), *t = xasprintf("%s%s%s\n", *text, prefix, q);
	free(q);
	free(*text);
	*text = t;
}

char *be_seed_meta_data(const be_seed_spec *s, char **err)
{
	char *t, *iid;
	if (spec_check(s, err) < 0)
		return NULL;
	t = xstrdup("");
	iid = s->instance_id ? xstrdup(s->instance_id) : xasprintf("iid-%s", s->hostname);
	add_line(&t, "instance-id: ", iid);
	add_line(&t, "local-hostname: ", s->hostname);
	free(iid);
	return t;
}

char *be_seed_user_data(const be_seed_spec *s, char **err)
{
	char *t;
	if (spec_check(s, err) < 0)
		return NULL;
	t = xstrdup("#cloud-config\n");
	add_line(&t, "hostname: ", s->hostname);
	if (s->user && *s->user) {
		char *n = xasprintf("%susers:\n", t);
		free(t);
		t = n;
		add_line(&t, "  - name: ", s->user);
		add_line(&t, "    shell: ", "/bin/bash");
		add_line(&t, "    sudo: ", "ALL=(ALL) NOPASSWD:ALL");
		add_line(&t, "    groups: ", "sudo");
		n = xasprintf("%s    lock_passwd: %s\n", t, s->password_hash ? "false" : "true");
		free(t);
		t = n;
		if (s->password_hash)
			add_line(&t, "    passwd: ", s->password_hash);
		if (s->nkeys) {
			n = xasprintf("%s    ssh_authorized_keys:\n", t);
			free(t);
			t = n;
			for (size_t i = 0; i < s->nkeys; i++)
				add_line(&t, "      - ", s->keys[i]);
		}
	} else if (s->nkeys) {
		char *n = xasprintf("%sssh_authorized_keys:\n", t);
		free(t);
		t = n;
		for (size_t i = 0; i < s->nkeys; i++)
			add_line(&t, "  - ", s->keys[i]);
	}
	if (s->password_hash) {
		char *n = xasprintf("%sssh_pwauth: true\n", t);
		free(t);
		t = n;
	}
	return t;
}

char *be_seed_hash_password(const char *password, char **err)
{
	static const char abc[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char rnd[16];
	char salt[3 + 16 + 2];
	struct crypt_data *cd;
	char *out = NULL;
	if (!password || !*password) {
		*err = xstrdup("no password");
		return NULL;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		*err = xasprintf("no random salt: %s", strerror(errno));
		return NULL;
	}
	memcpy(salt, "$6$", 3);
	for (size_t i = 0; i < sizeof(rnd); i++)
		salt[3 + i] = abc[rnd[i] % 64];
	strcpy(salt + 3 + sizeof(rnd), "$");
	cd = xcalloc(1, sizeof(*cd));
	const char *h = crypt_r(password, salt, cd);
	if (h && strncmp(h, "$6$", 3) == 0)
		out = xstrdup(h);
	else
		*err = xasprintf("crypt(3) has no SHA-512: %s", strerror(errno));
	explicit_bzero(cd, sizeof(*cd)); /* it held the password */
	free(cd);
	return out;
}

/* ---- the user's keys -------------------------------------------------------------- */

static char **key_add(char **v, size_t *n, const char *line)
{
	char *k;
	size_t len = strcspn(line, "\r\n");
	k = xstrndup(line, len);
	const char *sp = strchr(k, ' ');
	if (!key_ok(k)) {
		free(k);
		return v;
	}
	/* the same key (type and base64) once */
	size_t id = strcspn(sp + 1, " ") + (size_t)(sp + 1 - k);
	for (size_t i = 0; i < *n; i++)
		if (strncmp(v[i], k, id) == 0 && (v[i][id] == ' ' || v[i][id] == '\0')) {
			free(k);
			return v;
		}
	v = xrealloc(v, (*n + 2) * sizeof(*v));
	v[(*n)++] = k;
	v[*n] = NULL;
	return v;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run argv (no shell) with stdout and stderr into out (a file path, or
 * NULL: /dev/null). The exit status, -1 when it did not run. */
static int run(char *const argv[], const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = 0, rc;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *read_small(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	if (!f)
		return NULL;
	buf = xcalloc(1, max + 1);
	n = fread(buf, 1, max, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

/* a 0700 folder of our own under $TMPDIR (caller removes, frees) */
static char *temp_dir(char **err)
{
	const char *base = getenv("TMPDIR");
	char *d = xasprintf("%s/vmmc-seed.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(d)) { /* mkdtemp makes it 0700 */
		*err = xasprintf("no temporary folder in %s: %s", base && *base ? base : "/tmp", strerror(errno));
		free(d);
		return NULL;
	}
	return d;
}

static void temp_dir_rm(char **d)
{
	if (*d)
		nftw(*d, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	xfree(d);
}

char **be_seed_user_keys(const char *home, bool agent, size_t *n)
{
	char **v = NULL, *dir, **names = NULL;
	size_t nn = 0;
	DIR *dh;
	struct dirent *e;
	*n = 0;
	if (!home)
		home = getenv("HOME");
	dir = xasprintf("%s/.ssh", home ? home : "");
	if ((dh = opendir(dir)) != NULL) {
		while ((e = readdir(dh)) != NULL) {
			size_t len = strlen(e->d_name);
			if (len > 4 && strcmp(e->d_name + len - 4, ".pub") == 0) {
				names = xrealloc(names, (nn + 1) * sizeof(*names));
				names[nn++] = xasprintf("%s/%s", dir, e->d_name);
			}
		}
		closedir(dh);
	}
	if (nn)
		qsort(names, nn, sizeof(*names), name_cmp);
	for (size_t i = 0; i < nn; i++) {
		char *t = read_small(names[i], 16384);
		if (t)
			v = key_add(v, n, t);
		free(t);
		free(names[i]);
	}
	free(names);
	free(dir);
	if (agent && getenv("SSH_AUTH_SOCK")) {
		char *err = NULL, *tmp = temp_dir(&err), *out, *text;
		char *argv[] = { (char *)"ssh-add", (char *)"-L", NULL };
		if (tmp) {
			out = xasprintf("%s/keys", tmp);
			if (run(argv, out) == 0 && (text = read_small(out, 1 << 20)) != NULL) {
				for (char *line = text; *line;) {
					v = key_add(v, n, line);
					line += strcspn(line, "\n");
					line += *line == '\n';
				}
				free(text);
			}
			free(out);
		}
		temp_dir_rm(&tmp);
		free(err);
	}
	return v;
}

/* ---- the image -------------------------------------------------------------------- */

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy = xstrdup(path && *path ? path : "/usr/bin:/bin"), *save = NULL;
	bool found = false;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *d ? d : ".", prog);
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

const char *be_seed_tool(void)
{
	static const char *const tools[] = { "xorriso", "genisoimage", "mkisofs" };
	for (size_t i = 0; i < CORE_ARRAY_LEN(tools); i++)
		if (on_path(tools[i]))
			return tools[i];
	return NULL;
}

static int write_text(const char *dir, const char *name, const char *text, char **err)
{
	char *p = xasprintf("%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t len = strlen(text), done = 0;
	while (fd >= 0 && done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (fd < 0 || done < len || close(fd) != 0) {
		*err = xasprintf("%s: %s", p, strerror(errno));
		if (fd >= 0 && done < len)
			close(fd);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int be_seed_build(const be_seed_spec *s, const char *iso, char **err)
{
	char *meta = NULL, *user = NULL;
	int rc = -1;
	if ((meta = be_seed_meta_data(s, err)) != NULL && (user = be_seed_user_data(s, err)) != NULL)
		rc = be_seed_build_files(meta, user, iso, err);
	free(meta);
	free(user); /* holds the hash, never the password */
	return rc;
}

int be_seed_build_files(const char *meta, const char *user, const char *iso, char **err)
{
	const char *tool = be_seed_tool();
	char *dir = NULL, *log = NULL, *m = NULL, *u = NULL;
	int rc = -1;
	if (!tool) {
		*err = xstrdup("No tool to make the seed ISO: install xorriso or genisoimage");
		return -1;
	}
	if (!(dir = temp_dir(err)))
		return -1;
	if (write_text(dir, "meta-data", meta, err) < 0 || write_text(dir, "user-data", user, err) < 0)
		goto out;
	log = xasprintf("%s/log", dir);
	m = xasprintf("%s/meta-data", dir);
	u = xasprintf("%s/user-data", dir);
	{
		char *xorriso[] = { (char *)tool, (char *)"-as", (char *)"mkisofs", (char *)"-quiet", (char *)"-V",
				    (char *)"cidata", (char *)"-J", (char *)"-r", (char *)"-o", (char *)iso, m, u, NULL };
		char *mkisofs[] = { (char *)tool, (char *)"-quiet", (char *)"-V", (char *)"cidata", (char *)"-J",
				    (char *)"-r", (char *)"-o", (char *)iso, m, u, NULL };
		int st = run(strcmp(tool, "xorriso") == 0 ? xorriso : mkisofs, log);
		if (st != 0) {
			char *said = read_small(log, 2000);
			size_t len = said ? strlen(said) : 0;
			while (len && (said[len - 1] == '\n' || said[len - 1] == ' '))
				said[--len] = '\0';
			*err = st < 0 ? xasprintf("%s did not run", tool)
				      : xasprintf("%s failed (exit %d)%s%s", tool, st, len ? ": " : "", len ? said : "");
			free(said);
			unlink(iso);
			goto out;
		}
	}
	rc = 0;
out:
	free(log);
	free(m);
	free(u);
	temp_dir_rm(&dir);
	return rc;
}

char *be_seed_temp_iso(char **err)
{
	char *dir = temp_dir(err), *iso;
	if (!dir)
		return NULL;
	iso = xasprintf("%s/seed.iso", dir);
	free(dir);
	return iso;
}

void be_seed_discard(const char *iso)
{
	const char *slash = iso ? strrchr(iso, '/') : NULL;
	char *dir;
	if (!slash)
		return;
	dir = xstrndup(iso, (size_t)(slash - iso));
	if (strstr(dir, "/vmmc-seed.")) /* only a folder of be_seed_temp_iso */
		temp_dir_rm(&dir);
	free(dir);
}

char *be_seed_iso_read(const char *iso, const char *name, char **err)
{
	char *dir = temp_dir(err), *out, *path, *inside, *text = NULL;
	int st;
	if (!dir)
		return NULL;
	out = xasprintf("%s/file", dir);
	path = xasprintf("%s/log", dir);
	inside = xasprintf("/%s", name);
	if (on_path("xorriso")) {
		char *argv[] = { (char *)"xorriso", (char *)"-osirrox", (char *)"on", (char *)"-indev", (char *)iso,
				 (char *)"-extract", inside, out, NULL };
		st = run(argv, path);
		if (st == 0)
			text = read_small(out, 1 << 20);
	} else {
		char *argv[] = { (char *)"isoinfo", (char *)"-R", (char *)"-i", (char *)iso, (char *)"-x", inside, NULL };
		st = run(argv, out);
		if (st == 0)
			text = read_small(out, 1 << 20);
	}
	if (!text)
		*err = xasprintf("%s: no %s in it (exit %d)", iso, inside, st);
	free(out);
	free(path);
	free(inside);
	temp_dir_rm(&dir);
	return text;
}
