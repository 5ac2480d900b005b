/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/test_remote.c - remote/rm_ssh against a real, hermetic sshd
 * (tests/remote/sshd.sh) on a free loopback port: host keys, agent / key /
 * password authentication, unix-socket forwards (an echo socket and the
 * real libvirtd when one runs), dead-link detection, bad input, secrets.
 * Then again in a second process whose sessions are served by an outside
 * loop (rm_ssh_set_loop, as the backend's libvirt loop serves them): the
 * forwards, dead links, many sessions, and a loop that stalls (a callback
 * that waits): the poll thread serves meanwhile.
 *
 * Everything lives in one temporary directory (HOME, XDG dirs, ~/.ssh, the
 * server's keys and config, the agent's socket), removed at the end; the
 * password user "vmmctPID" is created for the run and deleted after. Needs
 * root (sshd, useradd); without root or sshd the tests are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "../../core/util.h"
#include "../../remote/rm_ssh.h"

/* the password user: one per run (parallel runs must not share it) */
static char TUSER[32];

static char T[256];            /* the test's temporary directory */
static char sshd_sh[512];      /* tests/remote/sshd.sh */
static char sshdir[512];       /* T/home/.ssh */
static int port;
static int skip_all;           /* no root / no sshd: skip */
static pid_t agent_pid;
static char agent_sock[512];
static int have_user;
static char upass[64];         /* the test user's random password */
static const char passphrase[] = "correct horse battery staple 42";

/* ---- helpers --------------------------------------------------------------- */

static int sh(const char *fmt, ...) CORE_PRINTF(1, 2);
static int sh(const char *fmt, ...)
{
	va_list ap;
	char *c;
	int rc;
	va_start(ap, fmt);
	c = xvasprintf(fmt, ap);
	va_end(ap);
	rc = system(c);
	free(c);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* stdout of a shell command, trimmed; caller frees */
static char *sh_out(const char *fmt, ...) CORE_PRINTF(1, 2);
static char *sh_out(const char *fmt, ...)
{
	va_list ap;
	char *c, buf[8192];
	size_t n;
	FILE *p;
	va_start(ap, fmt);
	c = xvasprintf(fmt, ap);
	va_end(ap);
	p = popen(c, "r");
	free(c);
	if (!p)
		return xstrdup("");
	n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = '\0';
	pclose(p);
	return xstrdup(core_str_trim(buf));
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *b;
	size_t n;
	if (!f)
		return NULL;
	b = xcalloc(1, 1 << 20);
	n = fread(b, 1, (1 << 20) - 1, f);
	b[n] = '\0';
	fclose(f);
	return b;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* a spec for the test server: root@127.0.0.1:port, the test's ~/.ssh */
static rm_ssh_spec spec_base(void)
{
	rm_ssh_spec sp = {
		.host = "127.0.0.1",
		.user = "root",
		.port = port,
		.ssh_dir = sshdir,
		.config_file = "", /* read no ssh_config unless a test says so */
		.timeout_s = 5,
	};
	return sp;
}

/* what the callbacks saw */
typedef struct rec {
	int hostkey_calls;
	char fp[128], ktype[64], host[128];
	rm_hostkey_answer answer;
	int pass_calls, pass_wrong_first;
	int pw_calls, pw_wrong_first, pw_always_wrong;
	char warnings[4096];
	volatile int closed;
	int64_t closed_ms;
	char closed_reason[512];
} rec;

static rm_hostkey_answer cb_hostkey(void *d, const char *host, const char *kt, const char *fp)
{
	rec *r = d;
	r->hostkey_calls++;
	snprintf(r->host, sizeof r->host, "%s", host);
	snprintf(r->ktype, sizeof r->ktype, "%s", kt);
	snprintf(r->fp, sizeof r->fp, "%s", fp);
	return r->answer;
}

static int cb_pass(void *d, const char *keyfile, char *buf, size_t len)
{
	rec *r = d;
	(void)keyfile;
	r->pass_calls++;
	snprintf(buf, len, "%s", (r->pass_wrong_first && r->pass_calls == 1) ? "wrong" : passphrase);
	return 0;
}

static int cb_password(void *d, const char *who, int attempt, char *buf, size_t len)
{
	rec *r = d;
	(void)who;
	r->pw_calls++;
	assert_int_equal(attempt, r->pw_calls);
	if (r->pw_always_wrong || (r->pw_wrong_first && attempt == 1))
		snprintf(buf, len, "not-the-password");
	else
		snprintf(buf, len, "%s", upass);
	return 0;
}

static void cb_warn(void *d, const char *t)
{
	rec *r = d;
	size_t l = strlen(r->warnings);
	snprintf(r->warnings + l, sizeof r->warnings - l, "%s\n", t);
}

static void cb_closed(void *d, const char *why)
{
	rec *r = d;
	snprintf(r->closed_reason, sizeof r->closed_reason, "%s", why);
	r->closed_ms = core_now_ms();
	__atomic_store_n(&r->closed, 1, __ATOMIC_SEQ_CST);
}

static rm_ssh_cb cbs(rec *r)
{
	rm_ssh_cb c = {
		.data = r,
		.hostkey = cb_hostkey,
		.passphrase = cb_pass,
		.password = cb_password,
		.warning = cb_warn,
	};
	return c;
}

static void use_agent(bool on)
{
	if (on)
		setenv("SSH_AUTH_SOCK", agent_sock, 1);
	else
		unsetenv("SSH_AUTH_SOCK");
}

/* ---- the fixture ----------------------------------------------------------- */

static int group_setup(void **state)
{
	char *out, *here;
	unsigned char rnd[24];
	int fd;
	(void)state;

	here = sh_out("cd \"$(dirname '%s')\" && pwd", __FILE__);
	snprintf(sshd_sh, sizeof sshd_sh, "%s/../remote/sshd.sh", here);
	free(here);
	if (geteuid() != 0 || access("/usr/sbin/sshd", X_OK) != 0 || access(sshd_sh, R_OK) != 0) {
		fprintf(stderr, "test_remote: needs root and /usr/sbin/sshd; skipped\n");
		skip_all = 1;
		return 0;
	}
	/* the pid in the name: tests/run-unit.sh stops its sshd if this is killed */
	snprintf(T, sizeof T, "/tmp/vmmc-rmtest-%d-XXXXXX", (int)getpid());
	assert_non_null(mkdtemp(T));
	chmod(T, 0755); /* the password user's sshd child must reach its HOME */
	snprintf(sshdir, sizeof sshdir, "%s/home/.ssh", T);
	assert_int_equal(sh("mkdir -p '%s' '%s/run' '%s/config' '%s/cache' && chmod 700 '%s' '%s/run'",
			    sshdir, T, T, T, sshdir, T), 0);
	{
		static const char *const env[][2] = {
			{ "HOME", "home" }, { "XDG_RUNTIME_DIR", "run" },
			{ "XDG_CONFIG_HOME", "config" }, { "XDG_CACHE_HOME", "cache" },
		};
		for (size_t i = 0; i < CORE_ARRAY_LEN(env); i++) {
			char v[512];
			snprintf(v, sizeof v, "%s/%s", T, env[i][1]);
			setenv(env[i][0], v, 1);
		}
	}
	unsetenv("SSH_AUTH_SOCK");

	/* keys: one for the agent, one encrypted (IdentityFile) */
	assert_int_equal(sh("ssh-keygen -q -t ed25519 -N '' -C agentkey -f '%s/agentkey'", T), 0);
	assert_int_equal(sh("ssh-keygen -q -t ed25519 -N '%s' -C enckey -f '%s/enckey'", passphrase, T), 0);
	assert_int_equal(sh("mkdir -p '%s/srv' && cat '%s/agentkey.pub' '%s/enckey.pub' > '%s/srv/authorized_keys'",
			    T, T, T, T), 0);
	out = sh_out("'%s' start '%s/srv'", sshd_sh, T);
	port = atoi(out);
	free(out);
	assert_true(port > 0);
	/* the known host for most tests */
	assert_int_equal(sh("printf '[127.0.0.1]:%d ' > '%s/known_hosts' && cat '%s/srv/hostkey.pub' >> '%s/known_hosts'",
			    port, sshdir, T, sshdir), 0);

	/* an agent holding agentkey */
	snprintf(agent_sock, sizeof agent_sock, "%s/agent.sock", T);
	out = sh_out("ssh-agent -a '%s' -s | sed -n 's/^SSH_AGENT_PID=\\([0-9]*\\);.*/\\1/p'", agent_sock);
	agent_pid = atoi(out);
	free(out);
	assert_true(agent_pid > 0);
	assert_int_equal(sh("SSH_AUTH_SOCK='%s' ssh-add -q '%s/agentkey' 2>/dev/null", agent_sock, T), 0);

	/* the password user: a name of this run, a random password fed to
	 * chpasswd on stdin */
	snprintf(TUSER, sizeof TUSER, "vmmct%ld", (long)getpid());
	fd = open("/dev/urandom", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, rnd, sizeof rnd), (ssize_t)sizeof rnd);
	close(fd);
	for (size_t i = 0; i < sizeof rnd; i++)
		upass[i] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[rnd[i] % 57];
	upass[sizeof rnd] = '\0';
	explicit_bzero(rnd, sizeof rnd);
	{
		char *c = xasprintf("'%s' user-add %s '%s/home'", sshd_sh, TUSER, T);
		FILE *p = popen(c, "w");
		free(c);
		if (p) {
			fputs(upass, p);
			have_user = pclose(p) == 0;
		}
		if (!have_user)
			fprintf(stderr, "test_remote: cannot create user %s: password tests skipped\n", TUSER);
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (skip_all)
		return 0;
	if (agent_pid > 0)
		kill(agent_pid, SIGTERM);
	sh("'%s' stop '%s/srv'", sshd_sh, T);
	if (have_user)
		sh("'%s' user-del %s", sshd_sh, TUSER);
	explicit_bzero(upass, sizeof upass);
	if (getenv("VMMC_KEEP_TMP"))
		fprintf(stderr, "test_remote: kept %s\n", T);
	else
		nftw(T, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

#define SKIP_IF_NO_SSHD()          \
	do {                       \
		if (skip_all)      \
			skip();    \
	} while (0)

/* ---- bad input ------------------------------------------------------------- */

static void *plain_server(void *arg)
{
	int lfd = *(int *)arg, c;
	while ((c = accept(lfd, NULL, NULL)) >= 0) {
		static const char m[] = "HTTP/1.0 400 Bad Request\r\nServer: not-ssh\r\n\r\nhello\r\n";
		ssize_t w = write(c, m, sizeof m - 1);
		(void)w;
		usleep(200 * 1000);
		close(c);
	}
	return NULL;
}

static void *silent_server(void *arg)
{
	int lfd = *(int *)arg, c;
	while ((c = accept(lfd, NULL, NULL)) >= 0) {
		sleep(4);
		close(c);
	}
	return NULL;
}

static int tcp_listener(int *p)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 8), 0);
	getsockname(fd, (struct sockaddr *)&a, &l);
	*p = ntohs(a.sin_port);
	return fd;
}

static void expect_fail(rm_ssh_spec *sp, const char *needle, int64_t max_ms)
{
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL;
	int64_t t0 = core_now_ms();
	assert_int_equal(rm_ssh_open(sp, &c, &s, &err), -1);
	assert_null(s);
	assert_non_null(err);
	printf("    %s -> %s (%lld ms)\n", sp->host, err, (long long)(core_now_ms() - t0));
	if (needle && !strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
	assert_true(core_now_ms() - t0 < max_ms);
	free(err);
}

static void test_bad_input(void **state)
{
	rm_ssh_spec sp;
	int lfd, p;
	pthread_t th;
	(void)state;
	SKIP_IF_NO_SSHD();

	sp = spec_base();
	sp.host = NULL;
	{
		rm_ssh *s;
		char *err = NULL;
		assert_int_equal(rm_ssh_open(&sp, NULL, &s, &err), -1);
		assert_non_null(err);
		free(err);
	}
	/* a name that does not resolve */
	sp = spec_base();
	sp.host = "no-such-host.invalid";
	expect_fail(&sp, "resolve", 5000);

	/* a port where nothing listens */
	lfd = tcp_listener(&p);
	close(lfd);
	sp = spec_base();
	sp.port = p;
	expect_fail(&sp, "refused", 3000);

	/* a server that is not SSH */
	lfd = tcp_listener(&p);
	pthread_create(&th, NULL, plain_server, &lfd);
	sp = spec_base();
	sp.port = p;
	expect_fail(&sp, "is not an SSH server (it answered", 6000);
	shutdown(lfd, SHUT_RDWR);
	close(lfd);
	pthread_join(th, NULL);

	/* a server that says nothing: the timeout */
	lfd = tcp_listener(&p);
	pthread_create(&th, NULL, silent_server, &lfd);
	sp = spec_base();
	sp.port = p;
	sp.timeout_s = 2;
	expect_fail(&sp, NULL, 3500);
	shutdown(lfd, SHUT_RDWR);
	close(lfd);
	pthread_join(th, NULL);
}

/* ---- host keys ------------------------------------------------------------- */

static char *server_fp(void)
{
	return sh_out("ssh-keygen -lf '%s/srv/hostkey.pub' -E sha256 | awk '{print $2}'", T);
}

static void test_hostkey_unknown(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL, *fp = server_fp(), *kh = xasprintf("%s/kh-new", T), *label;
	(void)state;
	SKIP_IF_NO_SSHD();
	use_agent(true);
	sp.known_hosts = kh;
	label = xasprintf("[127.0.0.1]:%d", port);

	/* reject: no connection, nothing written */
	r.answer = RM_HOSTKEY_REJECT;
	assert_int_equal(rm_ssh_open(&sp, &c, &s, &err), -2);
	assert_int_equal(r.hostkey_calls, 1);
	assert_string_equal(r.fp, fp);
	assert_true(core_str_has_prefix(r.fp, "SHA256:"));
	assert_string_equal(r.ktype, "ssh-ed25519");
	assert_string_equal(r.host, label);
	assert_non_null(strstr(err, "not accepted"));
	xfree(&err);
	assert_int_not_equal(access(kh, F_OK), 0);

	/* accept once: connects, still nothing written */
	r.answer = RM_HOSTKEY_ACCEPT_ONCE;
	assert_int_equal(rm_ssh_open(&sp, &c, &s, &err), 0);
	assert_int_equal(r.hostkey_calls, 2);
	rm_ssh_close(&s);
	assert_int_not_equal(sh("ssh-keygen -F '%s' -f '%s' >/dev/null 2>&1", label, kh), 0);

	/* accept and save: ssh-keygen -F finds it; the next connect asks nothing */
	r.answer = RM_HOSTKEY_ACCEPT_SAVE;
	assert_int_equal(rm_ssh_open(&sp, &c, &s, &err), 0);
	assert_int_equal(r.hostkey_calls, 3);
	rm_ssh_close(&s);
	assert_int_equal(sh("ssh-keygen -F '%s' -f '%s' >/dev/null", label, kh), 0);
	r.answer = RM_HOSTKEY_REJECT;
	assert_int_equal(rm_ssh_open(&sp, &c, &s, &err), 0);
	assert_int_equal(r.hostkey_calls, 3);
	rm_ssh_close(&s);

	/* an unreadable known_hosts is an error, not "unknown" */
	sp.known_hosts = T; /* a directory */
	assert_int_equal(rm_ssh_open(&sp, &c, &s, &err), -2);
	printf("    %s\n", err);
	assert_non_null(strstr(err, "cannot read known_hosts"));
	assert_int_equal(r.hostkey_calls, 3);
	xfree(&err);
	free(fp);
	free(kh);
	free(label);
}

/* ---- authentication -------------------------------------------------------- */

static void test_agent(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL;
	int64_t t0;
	(void)state;
	SKIP_IF_NO_SSHD();
	use_agent(true);
	t0 = core_now_us();
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);
	printf("    connect+auth (agent) to loopback sshd: %.1f ms\n", (core_now_us() - t0) / 1000.0);
	assert_string_equal(rm_ssh_auth_method(s), "agent");
	assert_int_equal(r.hostkey_calls, 0);
	assert_int_equal(r.pass_calls, 0);
	assert_true(rm_ssh_is_alive(s));
	{
		char *out = NULL;
		int st = -1;
		assert_int_equal(rm_ssh_exec(s, "echo hello; exit 3", 100, &out, &st, &err), 0);
		assert_string_equal(out, "hello\n");
		assert_int_equal(st, 3);
		free(out);
	}
	rm_ssh_close(&s);
	assert_null(s);
	rm_ssh_close(&s); /* twice is fine */

	/* without the agent and without keys: refused with the server's methods */
	use_agent(false);
	c.password = NULL;
	assert_int_equal(rm_ssh_open(&sp, &c, &s, &err), -2);
	printf("    %s\n", err);
	assert_non_null(strstr(err, "Permission denied (publickey,password)"));
	free(err);
}

/* ssh_config alias + IdentityFile + an unsupported option; an encrypted key:
 * a wrong passphrase first, then the right one */
static void test_config_and_passphrase(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL, *cfg = xasprintf("%s/config", sshdir);
	FILE *f = fopen(cfg, "w");
	(void)state;
	SKIP_IF_NO_SSHD();
	assert_non_null(f);
	fprintf(f, "Host myalias\n  HostName 127.0.0.1\n  Port %d\n  User root\n"
		   "  IdentityFile %s/enckey\n  PermitLocalCommand yes\n  FrobnicateWidgets yes\n", port, T);
	fclose(f);
	use_agent(false);
	sp.host = "myalias";
	sp.user = NULL;
	sp.port = 0;
	sp.config_file = NULL; /* ~/.ssh/config (ssh_dir) and /etc/ssh/ssh_config */
	r.pass_wrong_first = 1;
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);
	printf("    target %s, warnings: %s", rm_ssh_target(s), r.warnings);
	assert_string_equal(rm_ssh_auth_method(s), "publickey");
	assert_int_equal(r.pass_calls, 2);
	assert_non_null(strstr(rm_ssh_target(s), "root@127.0.0.1:"));
	assert_non_null(strstr(r.warnings, "FrobnicateWidgets"));
	rm_ssh_close(&s);
	unlink(cfg);
	free(cfg);
}

static int own_log_lines;
static void own_log_cb(int prio, const char *fn, const char *msg, void *ud)
{
	(void)prio;
	(void)fn;
	(void)ud;
	if (msg && strstr(msg, "FrobnicateWidgets"))
		own_log_lines++;
}

/* read cfg with a fresh libssh session, logging everything */
static void parse_traced(const char *cfg)
{
	ssh_session ss = ssh_new();
	ssh_options_set(ss, SSH_OPTIONS_HOST, "127.0.0.1");
	ssh_set_log_level(SSH_LOG_TRACE);
	ssh_options_parse_config(ss, cfg);
	ssh_set_log_level(SSH_LOG_NOLOG);
	ssh_free(ss);
}

/* libssh's log callback is per thread and libssh refuses to set it back
 * to NULL: after rm_ssh_open read a config, this thread's libssh logging
 * neither reaches that session's warning callback (gone with the session)
 * nor is swallowed; a callback of the caller's own is put back. */
static void test_config_log_restored(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL, *cfg = xasprintf("%s/config", sshdir), *errf = xasprintf("%s/stderr", T);
	char *logged;
	FILE *f = fopen(cfg, "w");
	size_t nwarn;
	int saved;
	(void)state;
	SKIP_IF_NO_SSHD();
	assert_non_null(f);
	fprintf(f, "Host *\n  FrobnicateWidgets yes\n");
	fclose(f);
	use_agent(true);
	sp.config_file = cfg;
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);
	assert_non_null(strstr(r.warnings, "FrobnicateWidgets"));
	nwarn = strlen(r.warnings);
	rm_ssh_close(&s);

	/* the same option logged later at a raised level, outside rm_ssh:
	 * a line on stderr (libssh's way without a callback), no warning */
	fflush(stderr);
	saved = dup(2);
	f = fopen(errf, "w");
	assert_non_null(f);
	dup2(fileno(f), 2);
	fclose(f);
	parse_traced(cfg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	logged = read_file(errf);
	assert_non_null(logged);
	assert_non_null(strstr(logged, "FrobnicateWidgets"));
	assert_int_equal(strlen(r.warnings), nwarn);
	free(logged);

	/* a callback of our own stays ours */
	ssh_set_log_callback(own_log_cb);
	own_log_lines = 0;
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);
	rm_ssh_close(&s);
	assert_ptr_equal(ssh_get_log_callback(), own_log_cb);
	assert_int_equal(own_log_lines, 0); /* the parse's lines went to rm_ssh */
	parse_traced(cfg);
	assert_true(own_log_lines > 0);
	unlink(cfg);
	unlink(errf);
	free(cfg);
	free(errf);
}

static void scan_secret(const char *secret)
{
	/* in no file under the test's HOME / XDG dirs (all inside T) */
	if (sh("grep -rqF -e '%s' '%s' 2>/dev/null", secret, T) == 0)
		fail_msg("a secret was written to a file under %s", T);
	{
		char *cl = read_file("/proc/self/cmdline");
		assert_non_null(cl);
		assert_null(strstr(cl, secret));
		free(cl);
	}
}

static void test_password(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL;
	(void)state;
	SKIP_IF_NO_SSHD();
	if (!have_user)
		skip();
	use_agent(false);
	sp.user = TUSER;
	r.pw_wrong_first = 1;
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);
	assert_string_equal(rm_ssh_auth_method(s), "password");
	assert_int_equal(r.pw_calls, 2);
	rm_ssh_close(&s);
	scan_secret(upass);
	scan_secret(passphrase);

	/* always wrong: three tries, then the server's refusal */
	memset(&r, 0, sizeof r);
	r.pw_always_wrong = 1;
	assert_int_equal(rm_ssh_open(&sp, &c, &s, &err), -2);
	assert_int_equal(r.pw_calls, 3);
	printf("    %s\n", err);
	assert_non_null(strstr(err, "Permission denied"));
	free(err);
}

/* ---- forwards -------------------------------------------------------------- */

typedef struct echo_srv {
	int lfd;
	char path[300];
	pthread_t th;
} echo_srv;

static void *echo_conn(void *arg)
{
	int c = (int)(intptr_t)arg;
	char buf[65536];
	ssize_t n;
	while ((n = read(c, buf, sizeof buf)) > 0) {
		ssize_t o = 0;
		while (o < n) {
			ssize_t w = write(c, buf + o, (size_t)(n - o));
			if (w <= 0)
				goto out;
			o += w;
		}
	}
out:
	close(c);
	return NULL;
}

static void *echo_main(void *arg)
{
	echo_srv *e = arg;
	int c;
	while ((c = accept(e->lfd, NULL, NULL)) >= 0) {
		pthread_t th;
		pthread_create(&th, NULL, echo_conn, (void *)(intptr_t)c);
		pthread_detach(th);
	}
	return NULL;
}

static void echo_start(echo_srv *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(e->path, sizeof e->path, "%s/echo.sock", T);
	unlink(e->path);
	assert_true(strlen(e->path) < sizeof a.sun_path);
	memcpy(a.sun_path, e->path, strlen(e->path) + 1);
	e->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(e->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(e->lfd, 8), 0);
	pthread_create(&e->th, NULL, echo_main, e);
}

static void echo_stop(echo_srv *e)
{
	shutdown(e->lfd, SHUT_RDWR);
	close(e->lfd);
	pthread_join(e->th, NULL);
	unlink(e->path);
}

static int unix_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(strlen(path) < sizeof a.sun_path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

/* send len bytes and read them back (poll, both ways at once); 0 when equal */
static int roundtrip(int fd, size_t len, int64_t max_ms)
{
	unsigned char *out = xmalloc(len), *in = xmalloc(len);
	size_t wo = 0, ri = 0;
	int64_t end = core_now_ms() + max_ms;
	int rc;
	for (size_t i = 0; i < len; i++)
		out[i] = (unsigned char)(i * 7 + (i >> 9));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (ri < len && core_now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN | (wo < len ? POLLOUT : 0) };
		poll(&p, 1, 200);
		if ((p.revents & POLLOUT) && wo < len) {
			ssize_t w = write(fd, out + wo, len - wo > 65536 ? 65536 : len - wo);
			if (w > 0)
				wo += (size_t)w;
		}
		if (p.revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(fd, in + ri, len - ri);
			if (n == 0)
				break;
			if (n > 0)
				ri += (size_t)n;
		}
	}
	rc = (ri == len && memcmp(in, out, len) == 0) ? 0 : -1;
	free(in);
	free(out);
	return rc;
}

static void test_forward_echo(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL, *local = NULL, *dir;
	echo_srv e;
	struct stat st;
	int fd, fd2;
	int64_t t0;
	const size_t big = 8u << 20;
	(void)state;
	SKIP_IF_NO_SSHD();
	use_agent(true);
	echo_start(&e);
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);

	/* a missing remote socket fails at once, naming it */
	assert_int_equal(rm_ssh_forward_unix(s, "/nonexistent/sock", &local, &err), -1);
	assert_non_null(strstr(err, "/nonexistent/sock"));
	xfree(&err);

	if (rm_ssh_forward_unix(s, e.path, &local, &err) != 0)
		fail_msg("%s", err);
	printf("    local socket %s\n", local);
	assert_true(core_str_has_prefix(local, T)); /* under $XDG_RUNTIME_DIR */
	assert_int_equal(stat(local, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	dir = xstrdup(local);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* two connections at once, small and big */
	fd = unix_connect(local);
	fd2 = unix_connect(local);
	assert_int_equal(roundtrip(fd2, 100, 5000), 0);
	t0 = core_now_us();
	assert_int_equal(roundtrip(fd, big, 30000), 0);
	printf("    bridge echo: %zu MiB each way in %.0f ms (%.1f MiB/s each way)\n", big >> 20,
	       (core_now_us() - t0) / 1000.0, (double)(big >> 20) / ((core_now_us() - t0) / 1e6));
	assert_int_equal(roundtrip(fd2, 1000, 5000), 0);
	close(fd);
	close(fd2);
	assert_true(rm_ssh_bytes(s) >= 2 * big);

	rm_ssh_close(&s);
	assert_int_not_equal(access(local, F_OK), 0);
	assert_int_not_equal(access(dir, F_OK), 0);
	free(dir);
	free(local);
	echo_stop(&e);
}

/* the graphical console's and the transfers' forwards: a TCP port of the
 * server (sshd's own: its banner) on a free 127.0.0.1 port, freed by
 * rm_ssh_unforward; an exec channel (a shell's cat, with noise on stderr
 * that must not reach the data) */
static void test_forward_tcp_and_exec(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL, *local = NULL, buf[64] = "";
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int lport = 0, fd, n0;
	ssize_t got = 0;
	(void)state;
	SKIP_IF_NO_SSHD();
	use_agent(true);
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);
	n0 = rm_ssh_forward_count(s);

	/* nothing listens at the target: refused at once, named */
	assert_int_equal(rm_ssh_forward_tcp(s, "127.0.0.1", 1, NULL, &lport, &err), -1);
	assert_non_null(strstr(err, "127.0.0.1:1"));
	assert_int_equal(lport, 0);
	assert_int_equal(rm_ssh_forward_count(s), n0);
	xfree(&err);
	assert_int_equal(rm_ssh_forward_tcp(s, NULL, 0, "relative/sock", &lport, &err), -1);
	xfree(&err);

	if (rm_ssh_forward_tcp(s, "127.0.0.1", port, NULL, &lport, &err) != 0)
		fail_msg("%s", err);
	assert_true(lport > 0 && lport != port);
	assert_int_equal(rm_ssh_forward_count(s), n0 + 1);
	/* the channel open timed: a loopback round trip */
	assert_in_range(rm_ssh_rtt_ms(s), 0, 9);
	a.sin_port = htons((uint16_t)lport);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };
		while (got < 8 && poll(&p, 1, 5000) > 0) {
			ssize_t n = read(fd, buf + got, sizeof buf - 1 - (size_t)got);
			if (n <= 0)
				break;
			got += n;
		}
	}
	printf("    127.0.0.1:%d answers: %.7s\n", lport, buf);
	assert_memory_equal(buf, "SSH-2.0", 7);
	close(fd);
	assert_int_equal(rm_ssh_unforward(s, lport), 0);
	assert_int_equal(rm_ssh_unforward(s, lport), -1);
	assert_int_equal(rm_ssh_forward_count(s), n0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), -1);
	assert_int_equal(errno, ECONNREFUSED);
	close(fd);

	if (rm_ssh_forward_exec(s, "echo noise-on-stderr >&2; cat", &local, &err) != 0)
		fail_msg("%s", err);
	fd = unix_connect(local);
	assert_int_equal(roundtrip(fd, 1u << 20, 20000), 0);
	close(fd);
	rm_ssh_close(&s);
	assert_int_not_equal(access(local, F_OK), 0);
	free(local);
}

static void test_libvirt_socket(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL, *path = NULL, *local = NULL, *via, *direct, lvdir[512];
	int lv_started[2] = { 0, 0 };
	(void)state;
	SKIP_IF_NO_SSHD();
	use_agent(true);
	snprintf(lvdir, sizeof lvdir, "%s", sshd_sh);
	*strrchr(lvdir, '/') = '\0'; /* tests/remote */
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);

	/* a remote without that libvirt: the error says what was tried */
	assert_int_equal(rm_ssh_find_libvirt_socket(s, "nosuch", 1, NULL, &path, &err), -1);
	printf("    %s\n", err);
	assert_non_null(strstr(err, "/run/user/0/libvirt/virtnosuchd-sock"));
	assert_non_null(strstr(err, "/.cache/libvirt/libvirt-sock"));
	xfree(&err);
	/* a remembered path that is gone: tried first, named, then the rest */
	assert_int_equal(rm_ssh_find_libvirt_socket(s, "nosuch", 1, "/run/nosuch/gone-sock", &path, &err), -1);
	assert_non_null(strstr(err, "/run/nosuch/gone-sock ("));
	assert_true(strstr(err, "/run/nosuch/gone-sock (") < strstr(err, "virtnosuchd-sock"));
	assert_non_null(strstr(err, "/.cache/libvirt/libvirt-sock"));
	xfree(&err);

	if (access("/run/libvirt/libvirt-sock", F_OK) != 0 &&
	    access("/run/libvirt/virtqemud-sock", F_OK) != 0) {
		/* start one with the harness (stopped again below if we did) */
		char *fl = sh_out("bash -c '. \"%s/../lib/libvirtd.sh\" && lv_up >&2 && "
				  "echo \"$LV_STARTED_VIRTLOGD $LV_STARTED_LIBVIRTD\"' 2>/dev/null",
				  lvdir);
		if (sscanf(fl, "%d %d", &lv_started[0], &lv_started[1]) != 2) {
			free(fl);
			if (getenv("VMMC_REQUIRE_LIBVIRTD"))
				fail_msg("no libvirtd and cannot start one");
			printf("    no libvirtd here: the real-daemon part is skipped\n");
			rm_ssh_close(&s);
			return;
		}
		free(fl);
	}
	if (rm_ssh_find_libvirt_socket(s, NULL, 0, NULL, &path, &err) != 0)
		fail_msg("%s", err);
	printf("    found %s\n", path);
	{
		/* remembered: that path is taken as it is (even if it is not a
		 * candidate, e.g. a ?socket= of an earlier run) */
		char *again = NULL;
		if (rm_ssh_find_libvirt_socket(s, "nosuch", 0, path, &again, &err) != 0)
			fail_msg("%s", err);
		assert_string_equal(again, path);
		free(again);
	}
	if (rm_ssh_forward_unix(s, path, &local, &err) != 0)
		fail_msg("%s", err);
	via = sh_out("timeout 30 virsh -c 'qemu+unix:///system?socket=%s' list --all 2>&1; echo rc=$?", local);
	printf("    virsh list --all through the bridge:\n%s\n", via);
	assert_non_null(strstr(via, "rc=0"));
	assert_non_null(strstr(via, "Name"));
	free(via);
	/* the same daemon: the same host name (the lists may change meanwhile,
	 * other suites run guests on it) */
	via = sh_out("timeout 30 virsh -c 'qemu+unix:///system?socket=%s' hostname 2>&1; echo rc=$?", local);
	direct = sh_out("timeout 30 virsh -c 'qemu:///system' hostname 2>&1; echo rc=$?");
	assert_string_equal(via, direct);
	free(via);
	free(direct);
	if (lv_started[0] || lv_started[1])
		sh("bash -c '. \"%s/../lib/libvirtd.sh\" && LV_STARTED_VIRTLOGD=%d LV_STARTED_LIBVIRTD=%d lv_down'",
		   lvdir, lv_started[0], lv_started[1]);
	free(path);
	free(local);
	rm_ssh_close(&s);
}

/* ---- dead links ------------------------------------------------------------ */

static void wait_closed(rec *r, int64_t max_ms)
{
	int64_t end = core_now_ms() + max_ms;
	while (!__atomic_load_n(&r->closed, __ATOMIC_SEQ_CST) && core_now_ms() < end)
		usleep(20 * 1000);
}

/* the server stops answering (session processes frozen): keepalives notice */
static void test_dead_link_silent(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL;
	int64_t t0;
	(void)state;
	SKIP_IF_NO_SSHD();
	use_agent(true);
	sp.keepalive_s = 1;
	sp.keepalive_max = 2;
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);
	rm_ssh_on_closed(s, cb_closed, &r);
	usleep(2500 * 1000); /* idle but answering keepalives: stays up */
	assert_false(r.closed);
	assert_true(rm_ssh_is_alive(s));
	t0 = core_now_ms();
	assert_int_equal(sh("'%s' signal '%s/srv' STOP", sshd_sh, T), 0);
	wait_closed(&r, 6000);
	sh("'%s' signal '%s/srv' KILL", sshd_sh, T);
	assert_true(r.closed);
	printf("    frozen server noticed after %lld ms: %s\n", (long long)(r.closed_ms - t0),
	       r.closed_reason);
	assert_true(r.closed_ms - t0 <= 3500);
	assert_false(rm_ssh_is_alive(s));
	{
		char *lp = NULL;
		assert_int_equal(rm_ssh_forward_unix(s, "/x", &lp, &err), -1);
		xfree(&err);
	}
	rm_ssh_close(&s);
}

/* sshd killed while a bridge carries a connection */
static void test_dead_link_killed(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL, *local = NULL;
	echo_srv e;
	int fd;
	int64_t t0;
	(void)state;
	SKIP_IF_NO_SSHD();
	use_agent(true);
	sp.keepalive_s = 2;
	echo_start(&e);
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);
	rm_ssh_on_closed(s, cb_closed, &r);
	if (rm_ssh_forward_unix(s, e.path, &local, &err) != 0)
		fail_msg("%s", err);
	fd = unix_connect(local);
	assert_int_equal(roundtrip(fd, 4096, 5000), 0);
	t0 = core_now_ms();
	assert_int_equal(sh("'%s' signal '%s/srv' KILL", sshd_sh, T), 0);
	wait_closed(&r, 6000);
	assert_true(r.closed);
	printf("    killed server noticed after %lld ms: %s\n", (long long)(r.closed_ms - t0),
	       r.closed_reason);
	assert_true(r.closed_ms - t0 <= 2000);
	{ /* the bridged client sees EOF */
		char b[16];
		struct pollfd p = { .fd = fd, .events = POLLIN };
		assert_int_equal(poll(&p, 1, 2000), 1);
		assert_true(read(fd, b, sizeof b) <= 0);
	}
	close(fd);
	rm_ssh_close(&s);
	free(local);
	echo_stop(&e);
}

/* last: a new host key on the same host:port is refused */
static void test_hostkey_changed(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL, *fp, *where;
	(void)state;
	SKIP_IF_NO_SSHD();
	use_agent(true);
	assert_int_equal(sh("'%s' rekey '%s/srv'", sshd_sh, T), 0);
	fp = server_fp();
	r.answer = RM_HOSTKEY_ACCEPT_SAVE; /* must never be asked */
	assert_int_equal(rm_ssh_open(&sp, &c, &s, &err), -2);
	assert_null(s);
	printf("    %s\n", err);
	assert_int_equal(r.hostkey_calls, 0);
	assert_non_null(strstr(err, "CHANGED"));
	assert_non_null(strstr(err, fp));
	where = xasprintf("%s/known_hosts:1", sshdir);
	assert_non_null(strstr(err, where));
	free(where);
	free(err);
	free(fp);
}

/* ---- many sessions on the shared poll threads ------------------------------ */

/* A TCP relay in front of sshd for one session, which the test can cut
 * (both sockets closed: that session's link dies, no other's). */
typedef struct relay {
	int lfd, lport, cut;
	pthread_t th;
} relay;

static void *relay_main(void *arg)
{
	relay *y = arg;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons((uint16_t)port) };
	int c = accept(y->lfd, NULL, NULL), u = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char buf[65536];
	if (c < 0 || u < 0 || connect(u, (struct sockaddr *)&a, sizeof a) < 0)
		goto out;
	while (!__atomic_load_n(&y->cut, __ATOMIC_SEQ_CST)) {
		struct pollfd p[2] = { { .fd = c, .events = POLLIN }, { .fd = u, .events = POLLIN } };
		if (poll(p, 2, 50) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			ssize_t n, o = 0;
			if (!p[i].revents)
				continue;
			if ((n = read(p[i].fd, buf, sizeof buf)) <= 0)
				goto out;
			while (o < n) {
				ssize_t w = write(p[1 - i].fd, buf + o, (size_t)(n - o));
				if (w <= 0)
					goto out;
				o += w;
			}
		}
	}
out:
	if (c >= 0)
		close(c);
	if (u >= 0)
		close(u);
	return NULL;
}

static int thread_count(void)
{
	char *s = read_file("/proc/self/status"), *t = s ? strstr(s, "Threads:") : NULL;
	int n = t ? atoi(t + 8) : -1;
	free(s);
	return n;
}

/* Many sessions share a few poll threads (not a thread each); a slow reader
 * (a bridge whose client reads nothing while the far end sends 8 MiB) does
 * not hold up the others; one session's link cut ends that session only,
 * the others go on answering. */
static void test_many_sessions(void **state)
{
	enum { N = 12 };
	rm_ssh_spec sp = spec_base();
	rec r[N];
	rm_ssh *s[N] = { 0 };
	char *err = NULL, *local[N] = { 0 };
	int fd[N], slow, t0, t1, slow_sent = 0;
	echo_srv e;
	relay y = { 0 };
	int64_t t;
	(void)state;
	SKIP_IF_NO_SSHD();
	use_agent(true);
	/* the echo's answer to the slow reader may still be on its way when
	 * that connection closes: EPIPE there, not the test killed */
	signal(SIGPIPE, SIG_IGN);
	echo_start(&e);
	memset(r, 0, sizeof r);
	/* session 0 goes through the relay (its host key: accepted once) */
	y.lfd = tcp_listener(&y.lport);
	pthread_create(&y.th, NULL, relay_main, &y);
	t0 = thread_count();
	for (int i = 0; i < N; i++) {
		rm_ssh_cb c = cbs(&r[i]);
		rm_ssh_spec si = sp;
		r[i].answer = RM_HOSTKEY_ACCEPT_ONCE;
		if (i == 0)
			si.port = y.lport;
		si.keepalive_s = 1;
		si.keepalive_max = 3;
		if (rm_ssh_open(&si, &c, &s[i], &err) != 0)
			fail_msg("session %d: %s", i, err);
		rm_ssh_on_closed(s[i], cb_closed, &r[i]);
	}
	t1 = thread_count();
	printf("    %d sessions: %d more threads\n", N, t1 - t0);
	assert_true(t1 - t0 <= 4); /* a few poll threads, not one per session */
	for (int i = 0; i < N; i++) {
		if (rm_ssh_forward_unix(s[i], e.path, &local[i], &err) != 0)
			fail_msg("session %d: %s", i, err);
		fd[i] = unix_connect(local[i]);
		assert_int_equal(roundtrip(fd[i], 1000, 5000), 0);
	}

	/* the slow reader: session 1's second connection sends 8 MiB and reads
	 * nothing back; the echo's answer fills the windows and buffers */
	slow = unix_connect(local[1]);
	fcntl(slow, F_SETFL, O_NONBLOCK);
	{
		static char junk[65536];
		t = core_now_ms() + 5000;
		while (slow_sent < (8 << 20) && core_now_ms() < t) {
			ssize_t w = write(slow, junk, sizeof junk);
			if (w > 0)
				slow_sent += (int)w;
			else
				usleep(10 * 1000);
		}
	}
	printf("    slow reader: %d KiB sent, none read\n", slow_sent >> 10);
	assert_true(slow_sent >= 1 << 20); /* it was stuck beyond any one buffer */
	t = core_now_ms();
	for (int i = 0; i < N; i++)
		if (i != 1)
			assert_int_equal(roundtrip(fd[i], 64 << 10, 5000), 0);
	printf("    the others answer beside it: %d x 64 KiB round trips in %lld ms\n", N - 1,
	       (long long)(core_now_ms() - t));
	close(slow);

	/* session 0's link cut: noticed there at once, the others go on */
	t = core_now_ms();
	__atomic_store_n(&y.cut, 1, __ATOMIC_SEQ_CST);
	wait_closed(&r[0], 5000);
	assert_true(r[0].closed);
	printf("    cut link noticed after %lld ms: %s\n", (long long)(r[0].closed_ms - t), r[0].closed_reason);
	assert_false(rm_ssh_is_alive(s[0]));
	usleep(1500 * 1000); /* over a keepalive interval: the others stay up */
	for (int i = 1; i < N; i++) {
		assert_false(r[i].closed);
		assert_true(rm_ssh_is_alive(s[i]));
		assert_int_equal(roundtrip(fd[i], 4096, 5000), 0);
	}
	for (int i = 0; i < N; i++) {
		close(fd[i]);
		rm_ssh_close(&s[i]);
		assert_int_not_equal(access(local[i], F_OK), 0);
		free(local[i]);
	}
	pthread_join(y.th, NULL);
	close(y.lfd);
	echo_stop(&e);
}

/* ---- the outside loop (rm_ssh_set_loop) --------------------------------------- */

static struct {
	int ep;
	void (*run)(void *);
	void *arg;
	_Atomic int64_t away_since; /* 0: waiting */
	_Atomic int64_t stall_ms;   /* the next pass first sleeps this long (a callback that waits) */
	atomic_int passes;
	pthread_t th;
} L = { .ep = -1 };

static int loop_watch(int fd, void (*run)(void *arg), void *arg)
{
	struct epoll_event e = { .events = EPOLLIN };
	if (L.run) /* one poller when a loop serves */
		fail_msg("a second poller was watched");
	L.run = run;
	L.arg = arg;
	return epoll_ctl(L.ep, EPOLL_CTL_ADD, fd, &e);
}

static int64_t loop_busy_ms(void)
{
	int64_t since = atomic_load(&L.away_since);
	return since ? core_now_ms() - since : 0;
}

static void *loop_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct epoll_event e;
		int64_t stall;
		atomic_store(&L.away_since, 0);
		int n = epoll_wait(L.ep, &e, 1, -1);
		atomic_store(&L.away_since, core_now_ms());
		if ((stall = atomic_exchange(&L.stall_ms, 0)) > 0)
			usleep((useconds_t)stall * 1000);
		if (n == 1 && L.run) {
			L.run(L.arg);
			atomic_fetch_add(&L.passes, 1);
		}
	}
	return NULL;
}

/* The loop stalls for 1.5 s in the middle of a forward's traffic: the
 * traffic goes on meanwhile (the poll thread serves it, each round trip
 * within RM_LOOP_STUCK_MS and a bit), and the loop serves again after. */
static void test_outer_loop_stalls(void **state)
{
	rm_ssh_spec sp = spec_base();
	rec r = { 0 };
	rm_ssh_cb c = cbs(&r);
	rm_ssh *s = NULL;
	char *err = NULL, *local = NULL;
	echo_srv e;
	int fd, n = 0, p0;
	int64_t t0, worst = 0;
	(void)state;
	SKIP_IF_NO_SSHD();
	use_agent(true);
	echo_start(&e);
	if (rm_ssh_open(&sp, &c, &s, &err) != 0)
		fail_msg("%s", err);
	if (rm_ssh_forward_unix(s, e.path, &local, &err) != 0)
		fail_msg("%s", err);
	fd = unix_connect(local);
	assert_int_equal(roundtrip(fd, 100, 5000), 0);
	p0 = atomic_load(&L.passes);
	assert_true(p0 > 0); /* the loop serves */
	atomic_store(&L.stall_ms, 1500);
	assert_int_equal(roundtrip(fd, 10, 5000), 0); /* wakes the loop into its stall */
	t0 = core_now_ms();
	while (core_now_ms() - t0 < 1200) {
		int64_t t1 = core_now_ms();
		assert_int_equal(roundtrip(fd, 1000, 5000), 0);
		if (core_now_ms() - t1 > worst)
			worst = core_now_ms() - t1;
		n++;
	}
	printf("    loop stalled 1.5 s: %d round trips meanwhile, the slowest %lld ms\n", n, (long long)worst);
	assert_true(n >= 5);
	assert_true(worst < 1000);
	usleep(500 * 1000); /* the stall is over */
	p0 = atomic_load(&L.passes);
	assert_int_equal(roundtrip(fd, 100, 5000), 0);
	assert_true(atomic_load(&L.passes) > p0); /* the loop serves again */
	close(fd);
	rm_ssh_close(&s);
	free(local);
	echo_stop(&e);
}

static int run_outer(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_echo),
		cmocka_unit_test(test_forward_tcp_and_exec),
		cmocka_unit_test(test_outer_loop_stalls),
		cmocka_unit_test(test_dead_link_silent),
		cmocka_unit_test(test_dead_link_killed),
		cmocka_unit_test(test_many_sessions),
	};
	static const rm_ssh_loop loop = { loop_watch, loop_busy_ms };
	L.ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(L.ep >= 0);
	rm_ssh_set_loop(&loop);
	if (pthread_create(&L.th, NULL, loop_main, NULL) != 0)
		return 1;
	printf("-- again, the sessions served by an outside loop (rm_ssh_set_loop)\n");
	return cmocka_run_group_tests_name("outer loop", tests, group_setup, group_teardown);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_hostkey_unknown),
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_config_and_passphrase),
		cmocka_unit_test(test_config_log_restored),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_forward_echo),
		cmocka_unit_test(test_forward_tcp_and_exec),
		cmocka_unit_test(test_libvirt_socket),
		cmocka_unit_test(test_dead_link_silent),
		cmocka_unit_test(test_dead_link_killed),
		cmocka_unit_test(test_many_sessions),
		cmocka_unit_test(test_hostkey_changed),
	};
	int rc, st;
	pid_t pid;
	(void)argc;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (getenv("VMMC_TEST_SSH_OUTER"))
		return run_outer();
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	/* the outside loop's run: a process of its own (the loop is set
	 * before the first session) */
	fflush(NULL);
	if ((pid = fork()) == 0) {
		setenv("VMMC_TEST_SSH_OUTER", "1", 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		rc = rc ? rc : 1;
		if (pid > 0) { /* what it made and did not remove (its sshd, agent, folder, user) */
			sh("for d in /tmp/vmmc-rmtest-%d-*; do [ -d \"$d\" ] || continue; "
			   "pkill -f -- \"$d/\"; rm -rf \"$d\"; done; true", (int)pid);
			sh("'%s' user-del vmmct%d >/dev/null 2>&1; true", sshd_sh, (int)pid);
		}
	}
	return rc;
}
