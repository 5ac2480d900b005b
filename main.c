/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - vmmc: options, config, where the shipped data lives; then the
 * console (tui_run) or batch mode (be_batch_run). main() has one exit: each
 * step below returns CLI_GO to go on, or the exit status. */
#include <curses.h> /* curses_version() for --version only: no drawing here */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/resource.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "backend/be.h"
#include "backend/be_batch.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/util.h"
#include "remote/rm_ssh.h"
#include "tui/tui.h"
#include "tui/view_integ.h"
#include "tui/wizard_newvm.h"
#include "wizards/integ.h"
#include "wizards/newvm.h"

#define VMMC_LICENSE "GPL-2.0-or-later"
#ifndef VMMC_VTERM_VERSION
#define VMMC_VTERM_VERSION "unknown"
#endif

enum { CLI_GO = -1 }; /* a step's "go on"; anything else is the exit status */

static void usage(FILE *f)
{
	fputs("Usage: vmmc [options] [URI...]\n"
	      "A terminal management console for virtual machines (libvirt).\n\n"
	      "  -c, --connect URI       open this libvirt URI (repeatable); URIs may also\n"
	      "                          be given as arguments\n"
	      "      --demo              open the shipped demo host (libvirt test driver)\n"
	      "  -t, --theme NAME        colour theme (default, dark, mono, or a user theme)\n"
	      "  -d, --delay SECONDS     refresh interval (default 2)\n"
	      "  -n, --max-iterations N  exit after N refresh cycles (for benchmarks)\n"
	      "      --batch             no console: print every VM's live figures, one\n"
	      "                          record per VM per refresh, to stdout\n"
	      "      --iterations N      with --batch: exit after N records per VM\n"
	      "      --format FORMAT     with --batch: csv (default) or json (one object a line)\n"
	      "      --dump-keys FORMAT  print the key table (mdoc, text or tsv) and exit\n"
	      "      --log FILE          append a debug log (connections, jobs, timings,\n"
	      "                          libvirt and libssh errors; never a secret) to FILE;\n"
	      "                          also $VMMC_LOG\n"
	      "  -h, --help              this help\n"
	      "  -V, --version           print the version, the license and the versions of\n"
	      "                          libvirt, libssh, ncurses and libvterm in use\n\n"
	      "With no URI, vmmc opens the hosts saved in $XDG_CONFIG_HOME/vmmc/config,\n"
	      "then $LIBVIRT_DEFAULT_URI, else the local hypervisor (qemu:///system as\n"
	      "root, qemu:///session otherwise), and the demo host when none answers.\n"
	      "Press F1 in the console for every key; see vmmc(1).\n",
	      f);
}

static char *exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;
	if (n <= 0)
		return xstrdup(".");
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	return xstrdup(buf);
}

/* The first of the data directories that holds rel; NULL if none. */
static char *find_data(const char *rel)
{
	char *dir = exe_dir();
	const char *env = getenv("VMMC_DATADIR");
	char *cands[5];
	char *found = NULL;
	size_t n = 0;
	if (env && *env)
		cands[n++] = xasprintf("%s/%s", env, rel);
	cands[n++] = xasprintf("%s/data/%s", dir, rel);
	cands[n++] = xasprintf("%s/../data/%s", dir, rel);
	cands[n++] = xasprintf("%s/../share/vmmc/%s", dir, rel);
	cands[n++] = xasprintf("%s/%s", VMMC_DATADIR, rel);
	for (size_t i = 0; i < n; i++) {
		if (!found && access(cands[i], R_OK) == 0)
			found = realpath(cands[i], NULL);
		free(cands[i]);
	}
	free(dir);
	return found;
}

static void add_theme_dirs(struct tui_opts *o)
{
	char *dir = exe_dir(), *cfg = core_config_dir();
	char *cands[] = {
		xasprintf("%s/themes", cfg), xasprintf("%s/themes", dir), xasprintf("%s/../themes", dir),
		xasprintf("%s/../share/vmmc/themes", dir), xasprintf("%s/themes", VMMC_DATADIR),
	};
	o->theme_dirs = xcalloc(CORE_ARRAY_LEN(cands), sizeof(char *));
	for (size_t i = 0; i < CORE_ARRAY_LEN(cands); i++)
		o->theme_dirs[o->ntheme_dirs++] = cands[i];
	free(dir);
	free(cfg);
}

static void add_host(struct tui_opts *o, const char *uri, const char *name, const char *group, bool saved)
{
	for (size_t i = 0; i < o->nhosts; i++)
		if (strcmp(o->hosts[i].uri, uri) == 0)
			return;
	o->hosts = xrealloc(o->hosts, (o->nhosts + 1) * sizeof(*o->hosts));
	memset(&o->hosts[o->nhosts], 0, sizeof(*o->hosts));
	o->hosts[o->nhosts].uri = xstrdup(uri);
	o->hosts[o->nhosts].name = xstrdup(name);
	o->hosts[o->nhosts].group = group && *group ? xstrdup(group) : NULL;
	o->hosts[o->nhosts].saved = saved;
	o->nhosts++;
}

/* A group of the tree (the config's, in order; once each). */
static void add_group(struct tui_opts *o, const char *name)
{
	if (!name || !*name)
		return;
	for (size_t i = 0; i < o->ngroups; i++)
		if (strcmp(o->groups[i], name) == 0)
			return;
	o->groups = xrealloc(o->groups, (o->ngroups + 1) * sizeof(*o->groups));
	o->groups[o->ngroups++] = xstrdup(name);
}

static void add_note(struct tui_opts *o, char *note)
{
	o->notes = xrealloc(o->notes, (o->nnotes + 1) * sizeof(*o->notes));
	o->notes[o->nnotes++] = note;
}

static void free_opts(struct tui_opts *o)
{
	for (size_t i = 0; i < o->nhosts; i++) {
		free(o->hosts[i].uri);
		free(o->hosts[i].name);
		free(o->hosts[i].group);
	}
	free(o->hosts);
	for (size_t i = 0; i < o->ngroups; i++)
		free(o->groups[i]);
	free(o->groups);
	for (size_t i = 0; i < o->nnotes; i++)
		free(o->notes[i]);
	free(o->notes);
	for (size_t i = 0; i < o->ntheme_dirs; i++)
		free(o->theme_dirs[i]);
	free(o->theme_dirs);
	free(o->demo_uri);
	free(o->theme);
	free(o->config_path);
	free(o->escape);
}

static int parse_double(const char *s, double *out)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v != v)
		return -1;
	*out = v;
	return 0;
}

/* Everything the command line asks for. */
struct cli {
	struct tui_opts o;
	bool want_demo, delay_given, batch, help, version;
	const char *format_arg;
	int format;              /* enum be_batch_format */
	const char *dump_keys;   /* --dump-keys FORMAT */
	const char *log_path;    /* --log FILE, else $VMMC_LOG */
	char **uris;             /* -c and the arguments (borrowed from argv) */
	size_t nuris;
};

static void cli_add_uri(struct cli *c, char *uri)
{
	c->uris = xrealloc(c->uris, (c->nuris + 1) * sizeof(*c->uris));
	c->uris[c->nuris++] = uri;
}

static int opt_delay(struct cli *c, const char *arg)
{
	if (parse_double(arg, &c->o.delay) != 0 || c->o.delay <= 0 || c->o.delay > 3600) {
		fprintf(stderr, "vmmc: --delay takes a number of seconds above 0 and at most 3600, not '%s'\n", arg);
		return 2;
	}
	c->delay_given = true;
	return CLI_GO;
}

static int opt_count(struct cli *c, const char *arg)
{
	char *end;
	errno = 0;
	c->o.max_iterations = strtol(arg, &end, 10);
	if (errno || *end || end == arg || c->o.max_iterations < 1) {
		fprintf(stderr, "vmmc: --max-iterations takes a whole number of at least 1, not '%s'\n", arg);
		return 2;
	}
	return CLI_GO;
}

static int opt_format(struct cli *c, const char *arg)
{
	if (be_batch_format_parse(arg, &c->format) != 0) {
		fprintf(stderr, "vmmc: --format takes one of: %s; not '%s'\n", be_batch_formats(), arg);
		return 2;
	}
	c->format_arg = arg;
	return CLI_GO;
}

/* One option; CLI_GO, or the exit status of a bad one. */
static int cli_option(struct cli *c, int opt, char *arg)
{
	int rc = CLI_GO;
	switch (opt) {
	case 'c': cli_add_uri(c, arg); break;
	case 'D': c->want_demo = true; break;
	case 't':
		core_str_set(&c->o.theme, arg);
		c->o.theme_explicit = true;
		break;
	case 'd': rc = opt_delay(c, arg); break;
	case 'n': rc = opt_count(c, arg); break;
	case 'K': c->dump_keys = arg; break;
	case 'B': c->batch = true; break;
	case 'F': rc = opt_format(c, arg); break;
	case 'L': c->log_path = arg; break;
	case 'h': c->help = true; break;
	case 'V': c->version = true; break;
	default:
		usage(stderr);
		rc = 2;
		break;
	}
	return rc;
}

/* The command line into c. Parsing stops at --help, --version and
 * --dump-keys (what follows them is not looked at). */
static int cli_parse(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "demo", no_argument, NULL, 'D' },
		{ "theme", required_argument, NULL, 't' },
		{ "delay", required_argument, NULL, 'd' },
		{ "max-iterations", required_argument, NULL, 'n' },
		{ "dump-keys", required_argument, NULL, 'K' },
		{ "batch", no_argument, NULL, 'B' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'F' },
		{ "log", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = CLI_GO;

	while (rc == CLI_GO && !c->help && !c->version && !c->dump_keys &&
	       (opt = getopt_long(argc, argv, "c:t:d:n:hV", longopts, NULL)) != -1)
		rc = cli_option(c, opt, optarg);
	if (rc != CLI_GO || c->help || c->version || c->dump_keys)
		return rc;
	for (int i = optind; i < argc; i++)
		cli_add_uri(c, argv[i]);
	if (c->format_arg && !c->batch) {
		fprintf(stderr, "vmmc: --format is for --batch\n");
		rc = 2;
	}
	return rc;
}

/* "ncurses 6.4.20221231" -> "6.4.20221231" */
static const char *ncurses_version(void)
{
	const char *v = curses_version();
	return strncmp(v, "ncurses ", 8) == 0 ? v + 8 : v;
}

static int print_version(void)
{
	char *lv = be_libvirt_version();
	printf("vmmc %s\n"
	       "License %s: GNU GPL version 2 or later <https://www.gnu.org/licenses/>.\n"
	       "This is free software: you are free to change and redistribute it.\n"
	       "There is NO WARRANTY, to the extent permitted by law.\n\n"
	       "Running with:\n"
	       "  libvirt  %s\n"
	       "  libssh   %s\n"
	       "  ncurses  %s\n"
	       "  libvterm %s (built with; libvterm has no run-time version call)\n",
	       VMMC_VERSION, VMMC_LICENSE, lv, rm_ssh_lib_version(), ncurses_version(), VMMC_VTERM_VERSION);
	free(lv);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

/* --log FILE, else $VMMC_LOG: a file that cannot be written stops vmmc
 * before anything starts (no silent log loss). */
static int open_log(struct cli *c)
{
	const char *path = c->log_path;
	char *err = NULL, *lv;
	if (!path) {
		path = getenv("VMMC_LOG");
		if (!path || !*path) {
			be_libvirt_logs_to(NULL); /* never on the terminal */
			return CLI_GO;
		}
	}
	if (core_log_open(path, &err) != 0) {
		fprintf(stderr, "vmmc: %s%s\n", err, c->log_path ? "" : " (from $VMMC_LOG)");
		free(err);
		return 1;
	}
	be_libvirt_logs_to(path);
	lv = be_libvirt_version();
	core_log("vmmc", "vmmc %s started (pid %ld): libvirt %s, libssh %s, ncurses %s, libvterm %s%s",
		 VMMC_VERSION, (long)getpid(), lv, rm_ssh_lib_version(), ncurses_version(),
		 VMMC_VTERM_VERSION, c->batch ? "; batch mode" : "");
	free(lv);
	return CLI_GO;
}

/* The config: hosts, groups, theme, refresh; a broken file is never
 * overwritten. The hosts to open come from it in pick_hosts(). */
static void load_config(struct cli *c, struct core_conf *conf)
{
	struct tui_opts *o = &c->o;
	char *err = NULL;

	o->config_path = core_conf_default_path();
	if (core_conf_load(o->config_path, conf, &err) != 0) {
		add_note(o, xasprintf("Config error in %s\nUsing defaults; the file is left as it is.", err));
		core_log("vmmc", "config error in %s", err);
		free(err);
	}
	for (size_t i = 0; i < conf->nwarnings; i++)
		add_note(o, xasprintf("Config: %s", conf->warnings[i]));
	if (!o->theme && conf->theme)
		o->theme = xstrdup(conf->theme);
	if (!c->delay_given && conf->refresh > 0)
		o->delay = conf->refresh;
	if (conf->escape)
		o->escape = xstrdup(conf->escape);
	/* the tree's groups: the [group] sections, then those only hosts name
	 * (also hosts not opened: the tree keeps their groups in the file) */
	for (size_t i = 0; i < conf->ngroups; i++)
		add_group(o, conf->groups[i]);
	for (size_t i = 0; i < conf->nhosts; i++)
		add_group(o, conf->hosts[i].group);
}

/* Where the shipped data is: the demo host, the themes. */
static void find_shipped(struct cli *c)
{
	char *demo_path = find_data("demo-host.xml");
	if (demo_path)
		c->o.demo_uri = xasprintf("test://%s", demo_path);
	free(demo_path);
	add_theme_dirs(&c->o);
	c->o.bench_stats = getenv("VMMC_BENCH_STATS");
}

/* With no URI and no --demo: the config's hosts, $LIBVIRT_DEFAULT_URI, else
 * the local hypervisor. */
static void pick_default_hosts(struct tui_opts *o, const struct core_conf *conf)
{
	const char *def = getenv("LIBVIRT_DEFAULT_URI");
	for (size_t i = 0; i < conf->nhosts; i++)
		if (conf->hosts[i].autoconnect)
			add_host(o, conf->hosts[i].uri, conf->hosts[i].name, conf->hosts[i].group, true);
	if (def && *def)
		add_host(o, def, NULL, NULL, false);
	if (o->nhosts == 0) {
		add_host(o, geteuid() == 0 ? "qemu:///system" : "qemu:///session", NULL, NULL, false);
		o->hosts[0].fallback_local = true;
	}
}

static int pick_hosts(struct cli *c, const struct core_conf *conf)
{
	struct tui_opts *o = &c->o;
	for (size_t i = 0; i < c->nuris; i++)
		add_host(o, c->uris[i], NULL, NULL, false);
	if (c->want_demo) {
		if (!o->demo_uri) {
			fprintf(stderr, "vmmc: the demo host file (demo-host.xml) is not installed; "
					"looked in $VMMC_DATADIR, next to the binary and in %s\n", VMMC_DATADIR);
			return 1;
		}
		add_host(o, o->demo_uri, NULL, NULL, false);
		o->hosts[o->nhosts - 1].demo = true;
	}
	if (c->nuris == 0 && !c->want_demo)
		pick_default_hosts(o, conf);
	return CLI_GO;
}

static int run_batch(struct cli *c)
{
	struct tui_opts *o = &c->o;
	struct be_batch_opts bo = { NULL, 0, o->delay, o->max_iterations, c->format };
	char **uris = xcalloc(o->nhosts ? o->nhosts : 1, sizeof(*uris));
	int rc;
	for (size_t i = 0; i < o->nnotes; i++)
		fprintf(stderr, "vmmc: %s\n", o->notes[i]);
	for (size_t i = 0; i < o->nhosts; i++)
		uris[i] = o->hosts[i].uri;
	bo.uris = uris;
	bo.nuris = o->nhosts;
	rc = be_batch_run(&bo);
	free(uris);
	return rc;
}

/* The console or batch mode, after the log, the config and the hosts. */
/* Many hosts take many descriptors (a socket, wake pipes, an SSH forward
 * each): the soft open-file limit goes up to the hard one, as daemons do.
 * Said in the log; a host that still finds none left says so itself. */
static void raise_nofile(void)
{
	struct rlimit rl;
	rlim_t was;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		core_log("vmmc", "open-file limit raised from %llu to the hard limit %llu",
			 (unsigned long long)was, (unsigned long long)rl.rlim_max);
	else
		core_log("vmmc", "open-file limit %llu: could not raise it to %llu: %s",
			 (unsigned long long)was, (unsigned long long)rl.rlim_max, strerror(errno));
}

/* glibc gives each thread that allocates while the others hold their arena
 * an arena of its own, up to eight per core, and memory freed in one stays
 * there: with worker threads coming and going under load, the one-hour
 * soak (tests/soak/hosts.sh, 100 ssh:// hosts, load 5-20) grew 16 % after
 * its warm-up with 16 arenas, 0 % with 2 (same binary, same half hour).
 * $MALLOC_ARENA_MAX, when set, is the user's and wins. */
#define VMMC_ARENA_MAX 2

static void limit_arenas(void)
{
#ifdef __GLIBC__
	if (!getenv("MALLOC_ARENA_MAX") && mallopt(M_ARENA_MAX, VMMC_ARENA_MAX) != 1)
		core_log("vmmc", "could not limit malloc's arenas to %d", VMMC_ARENA_MAX);
#endif
}

static int run(struct cli *c)
{
	struct core_conf conf;
	int rc = open_log(c);

	raise_nofile();
	limit_arenas(); /* before the threads */

	core_conf_init(&conf);
	if (rc == CLI_GO) {
		load_config(c, &conf);
		find_shipped(c);
		rc = pick_hosts(c, &conf);
	}
	core_conf_free(&conf);
	if (rc == CLI_GO) {
		tui_register_wizard(&wz_newvm_ops); /* tui/ does not include wizards/ */
		tui_register_integ_wizard(&wz_integ_ops);
		rc = c->batch ? run_batch(c) : tui_run(&c->o);
	}
	core_log("vmmc", "exit status %d", rc);
	core_log_close();
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.o.delay = 2.0;
	c.format = BE_BATCH_CSV;
	rc = cli_parse(&c, argc, argv);
	if (rc == CLI_GO && c.help) {
		usage(stdout);
		rc = 0;
	} else if (rc == CLI_GO && c.version) {
		rc = print_version();
	} else if (rc == CLI_GO && c.dump_keys) {
		rc = tui_dump_keys(c.dump_keys);
	} else if (rc == CLI_GO) {
		rc = run(&c);
	}
	free_opts(&c.o);
	free(c.uris);
	return rc;
}
