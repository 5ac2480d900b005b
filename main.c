/* main.c - vmmc: options, config, where the shipped data lives; then the console. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/be_batch.h"
#include "core/conf.h"
#include "core/util.h"
#include "tui/tui.h"

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
	      "      --dump-keys FORMAT  print the key table (mdoc or text) and exit\n"
	      "  -h, --help              this help\n"
	      "  -V, --version           print the version\n\n"
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

int main(int argc, char **argv)
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct tui_opts o;
	struct core_conf conf;
	char *err = NULL, *demo_path;
	bool want_demo = false, delay_given = false, batch = false;
	const char *format_arg = NULL;
	int format = BE_BATCH_CSV;
	char **cli_uris = NULL;
	size_t ncli = 0;
	int opt, rc;

	memset(&o, 0, sizeof(o));
	o.delay = 2.0;
	while ((opt = getopt_long(argc, argv, "c:t:d:n:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cli_uris = xrealloc(cli_uris, (ncli + 1) * sizeof(*cli_uris));
			cli_uris[ncli++] = optarg;
			break;
		case 'D':
			want_demo = true;
			break;
		case 't':
			free(o.theme);
			o.theme = xstrdup(optarg);
			o.theme_explicit = true;
			break;
		case 'd':
			if (parse_double(optarg, &o.delay) != 0 || o.delay <= 0 || o.delay > 3600) {
				fprintf(stderr, "vmmc: --delay takes a number of seconds above 0 and at most 3600, not '%s'\n", optarg);
				free(cli_uris);
				return 2;
			}
			delay_given = true;
			break;
		case 'n': {
			char *end;
			errno = 0;
			o.max_iterations = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o.max_iterations < 1) {
				fprintf(stderr, "vmmc: --max-iterations takes a whole number of at least 1, not '%s'\n", optarg);
				free(cli_uris);
				return 2;
			}
			break;
		}
		case 'K':
			free(cli_uris);
			return tui_dump_keys(optarg);
		case 'B':
			batch = true;
			break;
		case 'F':
			if (be_batch_format_parse(optarg, &format) != 0) {
				fprintf(stderr, "vmmc: --format takes one of: %s; not '%s'\n", be_batch_formats(), optarg);
				free(cli_uris);
				return 2;
			}
			format_arg = optarg;
			break;
		case 'h':
			usage(stdout);
			free(cli_uris);
			return 0;
		case 'V':
			printf("vmmc %s\n", VMMC_VERSION);
			free(cli_uris);
			return 0;
		default:
			usage(stderr);
			free(cli_uris);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		cli_uris = xrealloc(cli_uris, (ncli + 1) * sizeof(*cli_uris));
		cli_uris[ncli++] = argv[i];
	}
	if (format_arg && !batch) {
		fprintf(stderr, "vmmc: --format is for --batch\n");
		free(cli_uris);
		return 2;
	}

	/* the config: hosts, theme, refresh; a broken file is never overwritten */
	core_conf_init(&conf);
	o.config_path = core_conf_default_path();
	if (core_conf_load(o.config_path, &conf, &err) != 0) {
		add_note(&o, xasprintf("Config error in %s\nUsing defaults; the file is left as it is.", err));
		free(err);
		err = NULL;
	}
	for (size_t i = 0; i < conf.nwarnings; i++)
		add_note(&o, xasprintf("Config: %s", conf.warnings[i]));
	if (!o.theme && conf.theme)
		o.theme = xstrdup(conf.theme);
	if (!delay_given && conf.refresh > 0)
		o.delay = conf.refresh;
	if (conf.escape)
		o.escape = xstrdup(conf.escape);
	/* the tree's groups: the [group] sections, then those only hosts name
	 * (also hosts not opened: the tree keeps their groups in the file) */
	for (size_t i = 0; i < conf.ngroups; i++)
		add_group(&o, conf.groups[i]);
	for (size_t i = 0; i < conf.nhosts; i++)
		add_group(&o, conf.hosts[i].group);

	demo_path = find_data("demo-host.xml");
	if (demo_path)
		o.demo_uri = xasprintf("test://%s", demo_path);
	free(demo_path);
	add_theme_dirs(&o);
	o.bench_stats = getenv("VMMC_BENCH_STATS");

	for (size_t i = 0; i < ncli; i++)
		add_host(&o, cli_uris[i], NULL, NULL, false);
	if (want_demo) {
		if (!o.demo_uri) {
			fprintf(stderr, "vmmc: the demo host file (demo-host.xml) is not installed; "
					"looked in $VMMC_DATADIR, next to the binary and in %s\n", VMMC_DATADIR);
			core_conf_free(&conf);
			free_opts(&o);
			free(cli_uris);
			return 1;
		}
		add_host(&o, o.demo_uri, NULL, NULL, false);
		o.hosts[o.nhosts - 1].demo = true;
	}
	if (ncli == 0 && !want_demo) {
		const char *def = getenv("LIBVIRT_DEFAULT_URI");
		for (size_t i = 0; i < conf.nhosts; i++)
			if (conf.hosts[i].autoconnect)
				add_host(&o, conf.hosts[i].uri, conf.hosts[i].name, conf.hosts[i].group, true);
		if (def && *def)
			add_host(&o, def, NULL, NULL, false);
		if (o.nhosts == 0) {
			add_host(&o, geteuid() == 0 ? "qemu:///system" : "qemu:///session", NULL, NULL, false);
			o.hosts[0].fallback_local = true;
		}
	}
	core_conf_free(&conf);
	free(cli_uris);

	if (batch) {
		struct be_batch_opts bo = { NULL, 0, o.delay, o.max_iterations, format };
		char **uris = xcalloc(o.nhosts ? o.nhosts : 1, sizeof(*uris));
		for (size_t i = 0; i < o.nnotes; i++)
			fprintf(stderr, "vmmc: %s\n", o.notes[i]);
		for (size_t i = 0; i < o.nhosts; i++)
			uris[i] = o.hosts[i].uri;
		bo.uris = uris;
		bo.nuris = o.nhosts;
		rc = be_batch_run(&bo);
		free(uris);
		free_opts(&o);
		return rc;
	}
	rc = tui_run(&o);
	free_opts(&o);
	return rc;
}
