/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/conf.c - see conf.h */
#include "conf.h"
#include "sanitize.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- line reader ---------------------------------------------------------- */

int core_lines_open(struct core_lines *lr, const char *path, size_t max, char **err)
{
	memset(lr, 0, sizeof(*lr));
	lr->path = path;
	lr->max = max;
	{
		/* O_NONBLOCK: a FIFO in its place must not hang the start;
		 * only a regular file is read (the config and theme files) */
		struct stat st;
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			if (errno == ENOENT)
				return 0;
			*err = xasprintf("%s: %s", path, strerror(errno));
			return -1;
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			*err = xasprintf("%s: %s", path, S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
			close(fd);
			return -1;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		lr->f = fdopen(fd, "re");
		if (!lr->f) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	lr->buf = xmalloc(max + 2);
	return 1;
}

int core_lines_err(const struct core_lines *lr, char **err, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	*err = xasprintf("%s:%d: %s", lr->path, lr->line, msg);
	free(msg);
	return -1;
}

int core_lines_next(struct core_lines *lr, char **line, char **err)
{
	size_t n = 0;
	int ch;
	char *s;

	lr->line++;
	while ((ch = getc(lr->f)) != EOF && ch != '\n') {
		if (ch == 0)
			return core_lines_err(lr, err, "NUL byte");
		if (n > lr->max) /* room for a '\r' more */
			return core_lines_err(lr, err, "line longer than %zu bytes", lr->max);
		lr->buf[n++] = (char)ch;
	}
	if (ferror(lr->f)) {
		*err = xasprintf("%s: %s", lr->path, strerror(errno));
		return -1;
	}
	if (ch == EOF && n == 0) {
		lr->line--;
		return 0;
	}
	if (n && lr->buf[n - 1] == '\r')
		n--;
	if (n > lr->max)
		return core_lines_err(lr, err, "line longer than %zu bytes", lr->max);
	lr->buf[n] = '\0';
	s = lr->buf;
	if (lr->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	for (const char *p = s; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return core_lines_err(lr, err, "control character 0x%02x", (unsigned)*p);
	if (!core_utf8_valid(s))
		return core_lines_err(lr, err, "invalid UTF-8");
	*line = s;
	return 1;
}

void core_lines_close(struct core_lines *lr)
{
	if (lr->f)
		fclose(lr->f);
	lr->f = NULL;
	xfree(&lr->buf);
}

/* ---- config --------------------------------------------------------------- */

void core_conf_init(struct core_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->version = 1;
	c->refresh = 2.0;
}

void core_conf_free(struct core_conf *c)
{
	for (size_t i = 0; i < c->nhosts; i++) {
		free(c->hosts[i].uri);
		free(c->hosts[i].name);
		free(c->hosts[i].group);
	}
	for (size_t i = 0; i < c->ngroups; i++)
		free(c->groups[i]);
	for (size_t i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->groups);
	free(c->hosts);
	free(c->warnings);
	free(c->theme);
	free(c->escape);
	core_conf_init(c);
}

char *core_conf_default_path(void)
{
	char *dir = core_config_dir();
	char *p = xasprintf("%s/config", dir);
	free(dir);
	return p;
}

static struct core_conf_host *conf_find(const struct core_conf *c, const char *uri)
{
	for (size_t i = 0; i < c->nhosts; i++)
		if (core_str_eq(c->hosts[i].uri, uri))
			return &c->hosts[i];
	return NULL;
}

struct core_conf_host *core_conf_find_host(const struct core_conf *c, const char *uri)
{
	return uri ? conf_find(c, uri) : NULL;
}

static ssize_t conf_group_index(const struct core_conf *c, const char *name)
{
	for (size_t i = 0; i < c->ngroups; i++)
		if (core_str_eq(c->groups[i], name))
			return (ssize_t)i;
	return -1;
}

int core_conf_add_group(struct core_conf *c, const char *name)
{
	if (!name || !*name)
		return -1;
	if (conf_group_index(c, name) >= 0)
		return 1;
	c->groups = xrealloc(c->groups, (c->ngroups + 1) * sizeof(*c->groups));
	c->groups[c->ngroups++] = xstrdup(name);
	return 0;
}

int core_conf_remove_group(struct core_conf *c, const char *name)
{
	ssize_t i = name ? conf_group_index(c, name) : -1;
	if (i < 0)
		return -1;
	free(c->groups[i]);
	memmove(&c->groups[i], &c->groups[i + 1], (c->ngroups - (size_t)i - 1) * sizeof(*c->groups));
	c->ngroups--;
	return 0;
}

int core_conf_group_name_check(const char *name, char **err)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0) {
		*err = xstrdup("Enter a group name");
		return -1;
	}
	for (const char *p = name; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*err = xstrdup("A group name cannot hold a control character");
			return -1;
		}
	}
	if (!core_utf8_valid(name)) {
		*err = xstrdup("A group name must be valid UTF-8");
		return -1;
	}
	if (name[0] == ' ' || name[n - 1] == ' ') {
		*err = xstrdup("A group name cannot begin or end with a space");
		return -1;
	}
	if (n > CORE_CONF_GROUP_MAX) {
		*err = xasprintf("A group name is at most %d bytes long", CORE_CONF_GROUP_MAX);
		return -1;
	}
	return 0;
}

int core_conf_add_host(struct core_conf *c, const char *uri, const char *name, const char *group)
{
	struct core_conf_host *h;
	if (!uri || !*uri)
		return -1;
	if (conf_find(c, uri))
		return 1;
	c->hosts = xrealloc(c->hosts, (c->nhosts + 1) * sizeof(*c->hosts));
	h = &c->hosts[c->nhosts++];
	h->uri = xstrdup(uri);
	h->name = xstrdup(name);
	h->group = xstrdup(group);
	h->autoconnect = true;
	return 0;
}

int core_conf_remove_host(struct core_conf *c, const char *uri)
{
	struct core_conf_host *h = uri ? conf_find(c, uri) : NULL;
	if (!h)
		return -1;
	free(h->uri);
	free(h->name);
	free(h->group);
	memmove(h, h + 1, (size_t)(c->hosts + c->nhosts - (h + 1)) * sizeof(*h));
	c->nhosts--;
	return 0;
}

static char *conf_skip_ws(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The value after '=', in place: bare up to a '#', or quoted. */
static int conf_value(const struct core_lines *lr, char *p, char **val, char **err)
{
	char *o;

	p = conf_skip_ws(p);
	if (*p != '"') {
		o = strchr(p, '#');
		if (o)
			*o = '\0';
		*val = core_str_trim(p);
		return 0;
	}
	*val = o = ++p;
	for (; *p != '"'; *o++ = *p++) {
		if (*p == '\\') {
			p++;
			if (*p != '"' && *p != '\\' && *p)
				return core_lines_err(lr, err, "bad escape in quoted value (only \\\" and \\\\)");
		}
		if (!*p)
			return core_lines_err(lr, err, "unterminated quote");
	}
	*o = '\0';
	p = conf_skip_ws(p + 1);
	if (*p && *p != '#')
		return core_lines_err(lr, err, "text after the closing quote");
	return 0;
}

/* A decimal number of seconds, > 0 and <= 3600. */
static bool conf_refresh(const char *s, double *out)
{
	char *end;
	double d;
	if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
		return false;
	errno = 0;
	d = strtod(s, &end);
	if (*end || errno || !isfinite(d) || d <= 0 || d > 3600)
		return false;
	*out = d;
	return true;
}

/* The section the parser is in. */
enum conf_section { CONF_SEC_GLOBAL, CONF_SEC_HOST, CONF_SEC_GROUP };

static const char *const conf_gkeys[] = { "version", "theme", "refresh", "escape", NULL };
static const char *const conf_hkeys[] = { "uri", "name", "group", "autoconnect", NULL };
static const char *const conf_grkeys[] = { "name", NULL };

const char *const *core_conf_keys(const char *section)
{
	if (!section || !*section)
		return conf_gkeys;
	if (strcmp(section, "host") == 0)
		return conf_hkeys;
	if (strcmp(section, "group") == 0)
		return conf_grkeys;
	return NULL;
}

static int conf_key_index(const char *const *keys, const char *key)
{
	for (int i = 0; keys[i]; i++)
		if (strcmp(keys[i], key) == 0)
			return i;
	return -1;
}

static void conf_warn(struct core_conf *c, const struct core_lines *lr, int sec, const char *key)
{
	char *w = NULL;
	core_lines_err(lr, &w, "unknown key '%s'%s ignored", key,
		       sec == CONF_SEC_HOST ? " in [host]" : sec == CONF_SEC_GROUP ? " in [group]" : "");
	c->warnings = xrealloc(c->warnings, (c->nwarnings + 1) * sizeof(*c->warnings));
	c->warnings[c->nwarnings++] = w;
}

/* The section that began on line sline must have its required key: a
 * [host] its uri, a [group] its name (*named). */
static int conf_section_done(const struct core_conf *c, const struct core_lines *lr, int sec, int sline,
			     bool named, char **err)
{
	struct core_lines at = *lr;
	at.line = sline;
	if (sec == CONF_SEC_HOST && !c->hosts[c->nhosts - 1].uri)
		return core_lines_err(&at, err, "[host] section has no uri");
	if (sec == CONF_SEC_GROUP && !named)
		return core_lines_err(&at, err, "[group] section has no name");
	return 0;
}

static int conf_set_group(struct core_conf *c, const struct core_lines *lr, const char *val, char **err)
{
	if (!*val)
		return core_lines_err(lr, err, "empty group name");
	if (conf_group_index(c, val) >= 0)
		return core_lines_err(lr, err, "duplicate group '%s'", val);
	core_conf_add_group(c, val);
	return 0;
}

static int conf_set(struct core_conf *c, const struct core_lines *lr, int sec,
		    const char *key, char *val, unsigned *seen, char **err)
{
	int k = conf_key_index(sec == CONF_SEC_HOST ? conf_hkeys : sec == CONF_SEC_GROUP ? conf_grkeys : conf_gkeys,
			       key);
	struct core_conf_host *h = sec == CONF_SEC_HOST ? &c->hosts[c->nhosts - 1] : NULL;

	if (k < 0) {
		conf_warn(c, lr, sec, key);
		return 0;
	}
	if (*seen & 1u << k)
		return core_lines_err(lr, err, "duplicate key '%s'", key);
	*seen |= 1u << k;
	if (sec == CONF_SEC_GROUP)
		return conf_set_group(c, lr, val, err);
	if (!h) {
		switch (k) {
		case 0:
			if (strcmp(val, "1") != 0)
				return core_lines_err(lr, err, "unsupported version '%s' (want 1)", val);
			break;
		case 1: core_str_set(&c->theme, val); break;
		case 2:
			if (!conf_refresh(val, &c->refresh))
				return core_lines_err(lr, err, "bad refresh '%s' (want seconds, > 0 and <= 3600)", val);
			break;
		case 3: core_str_set(&c->escape, val); break;
		}
		return 0;
	}
	switch (k) {
	case 0:
		if (!*val)
			return core_lines_err(lr, err, "empty uri");
		if (conf_find(c, val))
			return core_lines_err(lr, err, "duplicate host uri '%s'", val);
		h->uri = xstrdup(val);
		break;
	case 1: core_str_set(&h->name, val); break;
	case 2: core_str_set(&h->group, val); break;
	case 3:
		if (strcmp(val, "yes") && strcmp(val, "no"))
			return core_lines_err(lr, err, "autoconnect must be yes or no, not '%s'", val);
		h->autoconnect = val[0] == 'y';
		break;
	}
	return 0;
}

static int conf_parse(struct core_lines *lr, struct core_conf *c, char **err)
{
	unsigned seen = 0;
	int sline = 0, sec = CONF_SEC_GLOBAL, r;
	char *line;

	while ((r = core_lines_next(lr, &line, err)) > 0) {
		char *p = conf_skip_ws(line), *eq, *key, *val;

		if (!*p || *p == '#')
			continue;
		if (*p == '[') {
			char *e = strchr(p, ']');
			if (!e)
				return core_lines_err(lr, err, "unterminated section header");
			*e = '\0';
			key = core_str_trim(p + 1);
			if (strcmp(key, "host") != 0 && strcmp(key, "group") != 0)
				return core_lines_err(lr, err, "unknown section '[%s]'", key);
			e = conf_skip_ws(e + 1);
			if (*e && *e != '#')
				return core_lines_err(lr, err, "text after the section header");
			if (conf_section_done(c, lr, sec, sline, seen != 0, err) < 0)
				return -1;
			if (strcmp(key, "host") == 0) {
				c->hosts = xrealloc(c->hosts, (c->nhosts + 1) * sizeof(*c->hosts));
				c->hosts[c->nhosts++] = (struct core_conf_host){ .autoconnect = true };
				sec = CONF_SEC_HOST;
			} else {
				sec = CONF_SEC_GROUP;
			}
			sline = lr->line;
			seen = 0;
			continue;
		}
		eq = strchr(p, '=');
		if (!eq)
			return core_lines_err(lr, err, "expected 'key = value'");
		*eq = '\0';
		key = core_str_trim(p);
		if (!*key || strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(key))
			return core_lines_err(lr, err, "bad key '%s'", key);
		if (conf_value(lr, eq + 1, &val, err) < 0 ||
		    conf_set(c, lr, sec, key, val, &seen, err) < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	return conf_section_done(c, lr, sec, sline, seen != 0, err);
}

int core_conf_load(const char *path, struct core_conf *c, char **err)
{
	struct core_lines lr;
	int r;

	core_conf_init(c);
	r = core_lines_open(&lr, path, CORE_CONF_MAX_LINE, err);
	if (r > 0) {
		r = conf_parse(&lr, c, err);
		core_lines_close(&lr);
	}
	if (r < 0) {
		core_conf_free(c);
		c->broken = true;
		return -1;
	}
	return 0;
}

/* ---- save ----------------------------------------------------------------- */

static bool conf_value_ok(const char *v)
{
	for (const char *p = v; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
	return core_utf8_valid(v);
}

static void conf_put(FILE *f, const char *key, const char *v)
{
	size_t n = strlen(v);
	if (n && !strpbrk(v, "#\"\\") && !strchr(" \t", v[0]) && !strchr(" \t", v[n - 1])) {
		fprintf(f, "%s = %s\n", key, v);
		return;
	}
	fprintf(f, "%s = \"", key);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			putc('\\', f);
		putc(*v, f);
	}
	fputs("\"\n", f);
}

/* Where to write: path, or what its symlinks point to (dotfile managers
 * keep the config as a link; a rename over the link would replace it). */
static char *conf_target(const char *path)
{
	char *t = xstrdup(path), buf[4096];
	struct stat st;
	ssize_t n;

	for (int depth = 0; depth < 8 && lstat(t, &st) == 0 && S_ISLNK(st.st_mode); depth++) {
		char *slash = strrchr(t, '/'), *next;
		if ((n = readlink(t, buf, sizeof(buf) - 1)) <= 0)
			break;
		buf[n] = '\0';
		if (buf[0] == '/' || !slash)
			next = xstrdup(buf);
		else
			next = xasprintf("%.*s/%s", (int)(slash - t), t, buf);
		free(t);
		t = next;
	}
	return t;
}

static int conf_check(const struct core_conf *c, const char *path, char **err)
{
	const char *bad = NULL;
	if (c->broken)
		bad = "the file could not be read; not overwriting it";
	else if (!(c->refresh > 0 && c->refresh <= 3600))
		bad = "refresh out of range";
	else if ((c->theme && !conf_value_ok(c->theme)) || (c->escape && !conf_value_ok(c->escape)))
		bad = "a value has a control character or invalid UTF-8";
	for (size_t i = 0; !bad && i < c->ngroups; i++) {
		if (!c->groups[i] || !*c->groups[i])
			bad = "a group has no name";
		else if (!conf_value_ok(c->groups[i]))
			bad = "a value has a control character or invalid UTF-8";
		else if (conf_group_index(c, c->groups[i]) != (ssize_t)i)
			bad = "two groups have the same name";
	}
	for (size_t i = 0; !bad && i < c->nhosts; i++) {
		const struct core_conf_host *h = &c->hosts[i];
		if (!h->uri || !*h->uri)
			bad = "a host has no uri";
		else if (!conf_value_ok(h->uri) || (h->name && !conf_value_ok(h->name)) ||
			 (h->group && !conf_value_ok(h->group)))
			bad = "a value has a control character or invalid UTF-8";
	}
	if (!bad)
		return 0;
	*err = xasprintf("%s: cannot save: %s", path, bad);
	return -1;
}

static void conf_write(FILE *f, const struct core_conf *c)
{
	char num[32];
	/* The shortest text that reads back as the same double. */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(num, sizeof(num), "%.*g", prec, c->refresh);
		if (strtod(num, NULL) == c->refresh)
			break;
	}
	fputs("# vmmc configuration, written by vmmc (comments are not kept).\n", f);
	fputs("version = 1\n", f);
	if (c->theme)
		conf_put(f, "theme", c->theme);
	fprintf(f, "refresh = %s\n", num);
	if (c->escape)
		conf_put(f, "escape", c->escape);
	for (size_t i = 0; i < c->ngroups; i++) {
		fputs("\n[group]\n", f);
		conf_put(f, "name", c->groups[i]);
	}
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct core_conf_host *h = &c->hosts[i];
		fputs("\n[host]\n", f);
		conf_put(f, "uri", h->uri);
		if (h->name)
			conf_put(f, "name", h->name);
		if (h->group)
			conf_put(f, "group", h->group);
		fprintf(f, "autoconnect = %s\n", h->autoconnect ? "yes" : "no");
	}
}

int core_conf_save(const char *path, const struct core_conf *c, char **err)
{
	char *target, *dir, *slash, *tmp = NULL;
	FILE *f = NULL;
	int fd, rc = -1;

	if (conf_check(c, path, err) < 0)
		return -1;
	target = conf_target(path);
	{
		/* a link to a device or a FIFO: never replaced by a file */
		struct stat st;
		if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
			*err = xasprintf("%s is not a regular file: not writing the config through it", target);
			free(target);
			return -1;
		}
	}
	dir = xstrdup(target);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (slash && core_mkdir_p(dir, 0700) < 0) {
		*err = xasprintf("%s: %s", dir, strerror(errno));
		goto out;
	}
	tmp = xasprintf("%s.tmp.XXXXXX", target);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("%s: %s", target, strerror(errno));
		xfree(&tmp); /* nothing was created */
		goto out;
	}
	if (!(f = fdopen(fd, "w"))) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	conf_write(f, c);
	if (fflush(f) != 0 || ferror(f) || fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
		*err = xasprintf("%s: %s", tmp, strerror(errno ? errno : EIO));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, target) != 0) {
		*err = xasprintf("%s: %s", target, strerror(errno));
		goto out;
	}
	xfree(&tmp);
	if ((fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd); /* make the rename durable; best effort */
		close(fd);
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(dir);
	free(target);
	return rc;
}

int core_conf_lock(const char *path, char **err)
{
	char *target = conf_target(path), *lock, *dir, *slash;
	int fd;
	dir = xstrdup(target);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		core_mkdir_p(dir, 0700);
	}
	free(dir);
	lock = xasprintf("%s.lock", target);
	free(target);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		*err = xasprintf("%s: %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	/* another vmmc saving at the same moment: wait for it (5 s at most) */
	for (int i = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; i++) {
		if (errno != EWOULDBLOCK || i >= 100) {
			*err = xasprintf("%s: %s", lock, errno == EWOULDBLOCK ? "held by another vmmc for 5 s"
									 : strerror(errno));
			close(fd);
			free(lock);
			return -1;
		}
		usleep(50 * 1000);
	}
	free(lock);
	return fd;
}

void core_conf_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
