/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remote/rm_ssh.c - see rm_ssh.h */
#include "rm_ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h> /* ssh_send_keepalive (client-usable) */

#include "../core/log.h"
#include "../core/util.h"

#define RM_SECRET_LEN 1024
#define RM_BUF_LEN 32768

typedef struct rm_bridge {
	struct rm_bridge *next;
	int fd;           /* accepted local connection (non-blocking) */
	ssh_channel ch;   /* direct-streamlocal channel */
	int pfd;          /* index in this pass's pollfd array, -1 none */
	uint32_t ep;      /* events registered with the poller's epoll, 0 none */
	int opening;      /* its channel's open is not answered yet */
	int more;         /* its last pump stopped with data left in the channel */
	int drained;      /* its last read was short: the channel's buffer is empty */
	uint64_t pk_seen; /* the session's packet count when its channel was last emptied */
	size_t off, len;  /* pending bytes channel -> local in buf */
	int local_eof;    /* local side sent EOF; EOF forwarded to the channel */
	int chan_eof;     /* channel sent EOF (and it was forwarded when len == 0) */
	int shut_wr;      /* shutdown(SHUT_WR) done on fd */
	const struct rm_fwd *fwd; /* the forward that accepted it */
	int64_t t_acc_us; /* accepted at (the debug log's exchange times) */
	int turns;        /* exchanges logged (RM_LOG_TURNS at most), 0 while the log is off */
	int last_dir;     /* the last logged direction: 1 request (local -> channel), 2 answer */
	char buf[RM_BUF_LEN];
} rm_bridge;

typedef struct rm_fwd {
	struct rm_fwd *next;
	int lfd;          /* listening socket: unix, or TCP on 127.0.0.1 */
	int pfd;
	uint32_t ep;      /* events registered with the poller's epoll, 0 none */
	char *dir, *path, *remote; /* unix: local dir and socket; remote socket (both kinds) */
	char *rhost;      /* TCP: the server-side host of direct-tcpip, NULL: streamlocal */
	char *exec;       /* a command on the server whose stdin/stdout is the far end, or NULL */
	int rport, lport; /* TCP: the server-side port; the local port */
	ssh_channel ready; /* already open to remote: the first client's (one round trip less) */
} rm_fwd;

/* With the debug log on, a forward's first exchanges are logged (each
 * request and answer: the round trips of libvirt's open, the wait of each;
 * tests/bench/timeline.sh splits "libvirt open" with them). */
#define RM_LOG_TURNS 12

/* b's traffic turned to direction dir (1 request, 2 answer) with n bytes */
static void bridge_note(rm_bridge *b, int dir, long n)
{
	if (b->turns <= 0 || b->turns > RM_LOG_TURNS || b->last_dir == dir)
		return;
	b->last_dir = dir;
	core_log("ssh", "%s: %s %d after %.1f ms (%ld bytes)", b->fwd->path ? b->fwd->path : "?",
		 dir == 1 ? "request" : "answer", (b->turns + 1) / 2, (double)(core_now_us() - b->t_acc_us) / 1000,
		 n);
	b->turns++;
}

struct rm_ssh {
	struct rm_ssh *live_next; /* in live_sessions (sess_mu) */
	ssh_session ss;
	ssh_event ev;
	struct ssh_callbacks_struct sscb;
	rm_ssh_cb cb;
	char *target;     /* user@host:port */
	char *user, *host;
	int port;
	const char *method;
	int timeout_ms, ka_ms, ka_max;
	int pass_tries, pass_asked, pass_cancel;

	pthread_mutex_t mu;
	/* the poll thread that serves the session (see "the poll threads") */
	struct rm_poller *poller;
	struct rm_ssh *pnext;  /* in the poller's list (its mu) */
	struct rm_ssh *qnext;  /* in the poller's queue (its mu) */
	int queued;            /* in the poller's queue (its mu) */
	int retired;           /* the poller let go of it (its mu, its cv) */
	atomic_int missed;     /* the poller found mu held: the holder requeues */
	int sfd;               /* the SSH socket, -1 before the poller has it */
	uint32_t sfd_ep;       /* its events registered with the epoll */
	int64_t deadline;      /* next keepalive check (the poller's thread only) */
	int partial;           /* this round left something ready (a read budget ran out) */
	int wpend;             /* bytes wait in libssh's output buffer (socket full) */
	int stop, dead, reported;
	/* every packet libssh reads, wherever it reads it (a keepalive's answer
	 * may be read inside any libssh call, unseen by the poll thread's poll) */
	struct ssh_counter_struct rx_count;
	uint64_t rx_seen;
	struct ssh_counter_struct sock_count; /* the bytes of the socket's reads */
	char *dead_reason;
	void (*closed_fn)(void *, const char *);
	void *closed_data;
	rm_fwd *fwds;
	rm_bridge *bridges;
	ssh_channel spare; /* the channel rm_ssh_find_libvirt_socket opened last */
	char *spare_path;
	unsigned long long bytes;
	int64_t last_rx_ms, last_ka_ms;
	int64_t rtt_us;   /* the quickest channel open seen, -1 none */
};

static void set_err(char **err, const char *fmt, ...) CORE_PRINTF(2, 3);
static void set_err(char **err, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return;
	free(*err);
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
}

static void warn(rm_ssh *s, const char *fmt, ...) CORE_PRINTF(2, 3);
static void warn(rm_ssh *s, const char *fmt, ...)
{
	va_list ap;
	char *t;
	if (!s->cb.warning)
		return;
	va_start(ap, fmt);
	t = xvasprintf(fmt, ap);
	va_end(ap);
	s->cb.warning(s->cb.data, t);
	free(t);
}

static void wake(rm_ssh *s);

/* Unlock the session; when the poller found it locked meanwhile, it is
 * served again (the poller does not wait for a lock held over a round trip). */
static void sess_unlock(rm_ssh *s)
{
	pthread_mutex_unlock(&s->mu);
	if (atomic_exchange(&s->missed, 0))
		wake(s);
}

/* ---- ssh_config ------------------------------------------------------------ */

/* libssh reports unsupported / unknown ssh_config options through its log
 * (at a debug level in 0.10). The log callback, its user data and the level
 * are thread-local in libssh, so catch them on this thread only while the
 * config is parsed (cfg_session set), and pass on only the lines about
 * options. libssh refuses a NULL callback, so the one before (none, at
 * first) cannot be put back: outside a parse this callback does what libssh
 * does without one, a line on stderr (shown only when the level was raised:
 * it is 0, nothing, unless someone asked for more). */
static __thread rm_ssh *cfg_session;

static void cfg_log_cb(int prio, const char *fn, const char *msg, void *ud)
{
	rm_ssh *s = cfg_session;
	const char *m;
	(void)ud;
	if (!msg)
		return;
	if (!s) {
		fprintf(stderr, "[libssh %d] %s: %s\n", prio, fn ? fn : "?", msg);
		return;
	}
	if ((m = strstr(msg, "Unsupported option")) || (m = strstr(msg, "Unknown option")) ||
	    (m = strstr(msg, "Unapplicable option")) || (m = strstr(msg, "Option not")))
		warn(s, "ssh_config: %s (ignored)", m);
}

/* Read ssh_config like ssh: the user's file (SSH_DIR/config; its ignored
 * options are reported as warnings) then /etc/ssh/ssh_config (quietly: its
 * distribution defaults, like HashKnownHosts, are not the user's business).
 * The first value found for an option wins, as in ssh. */
static int parse_config(rm_ssh *s, const rm_ssh_spec *spec, char **err)
{
	ssh_logging_callback old_cb = ssh_get_log_callback();
	int old_level = ssh_get_log_level();
	char *user_file = NULL;
	int rc;

	if (spec->config_file && !spec->config_file[0])
		return 0;
	if (spec->config_file) {
		user_file = xstrdup(spec->config_file);
	} else if (spec->ssh_dir) {
		user_file = xasprintf("%s/config", spec->ssh_dir);
	} else {
		struct passwd pw, *res = NULL;
		char buf[4096];
		if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res)
			user_file = xasprintf("%s/.ssh/config", res->pw_dir);
	}
	ssh_set_log_callback(cfg_log_cb);
	cfg_session = s;
	ssh_set_log_level(SSH_LOG_TRACE);
	rc = user_file ? ssh_options_parse_config(s->ss, user_file) : 0;
	ssh_set_log_level(old_level);
	cfg_session = NULL;
	if (old_cb) /* else cfg_log_cb stays: see above */
		ssh_set_log_callback(old_cb);
	if (rc == 0 && !spec->config_file)
		rc = ssh_options_parse_config(s->ss, "/etc/ssh/ssh_config");
	if (rc < 0) {
		set_err(err, "cannot read ssh config %s: %s", user_file ? user_file : "?",
			ssh_get_error(s->ss));
		free(user_file);
		return -1;
	}
	free(user_file);
	return 0;
}

/* ---- known_hosts ----------------------------------------------------------- */

static char *opt_str(ssh_session ss, enum ssh_options_e o)
{
	char *v = NULL, *r;
	if (ssh_options_get(ss, o, &v) != SSH_OK || !v)
		return NULL;
	r = xstrdup(v);
	ssh_string_free_char(v);
	return r;
}

/* "host" for port 22, else "[host]:port" (known_hosts' form) */
static char *kh_label(const rm_ssh *s)
{
	if (s->port == 22)
		return xstrdup(s->host);
	return xasprintf("[%s]:%d", s->host, s->port);
}

/* "FILE:LINE" of the first plain (unhashed) entry for label in file, or NULL. */
static char *kh_find_line(const char *file, const char *label)
{
	FILE *f = fopen(file, "r");
	char line[8192];
	int no = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof line, f)) {
		char *p = line, *tok, *save = NULL, *pat;
		no++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || !*p)
			continue;
		if (*p == '@') { /* @cert-authority / @revoked marker */
			p += strcspn(p, " \t");
			p += strspn(p, " \t");
		}
		tok = strtok_r(p, " \t", &save);
		if (!tok)
			continue;
		for (pat = strtok_r(tok, ",", &save); pat; pat = strtok_r(NULL, ",", &save)) {
			if (strcmp(pat, label) == 0) {
				fclose(f);
				return xasprintf("%s:%d", file, no);
			}
		}
	}
	fclose(f);
	return NULL;
}

/* An existing known_hosts that cannot be read is an error (we refuse to
 * connect): treating it as empty would offer to "accept" a key that may be
 * recorded as a different one in the file we cannot read. */
static int kh_check_readable(const char *file, char **err)
{
	struct stat st;
	int fd;
	if (!file || stat(file, &st) != 0) {
		if (!file || errno == ENOENT)
			return 0;
		set_err(err, "cannot read known_hosts file %s: %s", file, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, "cannot read known_hosts file %s: not a regular file", file);
		return -1;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, "cannot read known_hosts file %s: %s", file, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int check_host_key(rm_ssh *s, char **err)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL, *label = kh_label(s), *khfile = opt_str(s->ss, SSH_OPTIONS_KNOWNHOSTS);
	const char *ktype;
	enum ssh_known_hosts_e st;
	int rc = -1;

	if (kh_check_readable(khfile, err) < 0)
		goto out;
	if (ssh_get_server_publickey(s->ss, &key) != SSH_OK) {
		set_err(err, "%s: no host key from the server: %s", s->target, ssh_get_error(s->ss));
		goto out;
	}
	ktype = ssh_key_type_to_char(ssh_key_type(key));
	if (!ktype)
		ktype = "unknown";
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0) {
		set_err(err, "%s: cannot hash the host key", s->target);
		goto out;
	}
	{
		char *f = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
		fp = xstrdup(f ? f : "?");
		ssh_string_free_char(f);
	}

	st = ssh_session_is_known_server(s->ss);
	switch (st) {
	case SSH_KNOWN_HOSTS_OK:
		rc = 0;
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER: {
		char *where = kh_find_line(khfile ? khfile : "", label);
		set_err(err,
			"WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for %s! Someone could be "
			"eavesdropping on you (a man-in-the-middle attack), or the host key has just "
			"been changed. The host sent a%s %s key with fingerprint %s; the known key "
			"is at %s. Connection refused. If the change is expected, remove the old "
			"key with: ssh-keygen -R '%s' -f %s",
			label, st == SSH_KNOWN_HOSTS_OTHER ? "n unexpected type of" : "", ktype, fp,
			where ? where : (khfile ? khfile : "~/.ssh/known_hosts"),
			label, khfile ? khfile : "~/.ssh/known_hosts");
		free(where);
		break;
	}
	case SSH_KNOWN_HOSTS_NOT_FOUND:
	case SSH_KNOWN_HOSTS_UNKNOWN: {
		rm_hostkey_answer a = RM_HOSTKEY_REJECT;
		if (s->cb.hostkey)
			a = s->cb.hostkey(s->cb.data, label, ktype, fp);
		if (a == RM_HOSTKEY_REJECT) {
			set_err(err, "%s: host key %s %s not accepted", label, ktype, fp);
			break;
		}
		if (a == RM_HOSTKEY_ACCEPT_SAVE && ssh_session_update_known_hosts(s->ss) != SSH_OK) {
			set_err(err, "%s: cannot add the host key to %s: %s", label,
				khfile ? khfile : "known_hosts", ssh_get_error(s->ss));
			break;
		}
		rc = 0;
		break;
	}
	case SSH_KNOWN_HOSTS_ERROR:
	default:
		set_err(err, "%s: cannot check the host key against %s: %s", label,
			khfile ? khfile : "known_hosts", ssh_get_error(s->ss));
		break;
	}
out:
	free(fp);
	if (hash)
		ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	free(label);
	free(khfile);
	return rc;
}

/* ---- authentication -------------------------------------------------------- */

/* libssh asks for a key's passphrase through this (buf is libssh's own). */
static int auth_fn(const char *prompt, char *buf, size_t len, int echo, int verify, void *ud)
{
	rm_ssh *s = ud;
	char *ident = NULL;
	int rc;
	(void)echo;
	(void)verify;
	if (!s->cb.passphrase || s->pass_cancel)
		return -1;
	if (ssh_userauth_publickey_auto_get_current_identity(s->ss, &ident) != SSH_OK)
		ident = NULL;
	s->pass_asked++;
	rc = s->cb.passphrase(s->cb.data, ident ? ident : prompt, buf, len);
	ssh_string_free_char(ident);
	if (rc != 0) {
		explicit_bzero(buf, len);
		s->pass_cancel = 1;
		return -1;
	}
	if (len)
		buf[len - 1] = '\0';
	return 0;
}

static char *methods_str(int m)
{
	char buf[128] = "";
	static const struct {
		int bit;
		const char *name;
	} t[] = {
		{ SSH_AUTH_METHOD_PUBLICKEY, "publickey" },
		{ SSH_AUTH_METHOD_GSSAPI_MIC, "gssapi-with-mic" },
		{ SSH_AUTH_METHOD_HOSTBASED, "hostbased" },
		{ SSH_AUTH_METHOD_INTERACTIVE, "keyboard-interactive" },
		{ SSH_AUTH_METHOD_PASSWORD, "password" },
	};
	for (size_t i = 0; i < CORE_ARRAY_LEN(t); i++) {
		if (!(m & t[i].bit))
			continue;
		if (buf[0])
			strcat(buf, ",");
		strcat(buf, t[i].name);
	}
	return xstrdup(buf[0] ? buf : "none");
}

static int auth_kbdint(rm_ssh *s, int *cancel)
{
	int rc = ssh_userauth_kbdint(s->ss, NULL, NULL);
	char *buf;
	while (rc == SSH_AUTH_INFO) {
		const char *name = ssh_userauth_kbdint_getname(s->ss);
		const char *instr = ssh_userauth_kbdint_getinstruction(s->ss);
		int n = ssh_userauth_kbdint_getnprompts(s->ss);
		for (int i = 0; i < n; i++) {
			char echo = 0;
			const char *prompt = ssh_userauth_kbdint_getprompt(s->ss, (unsigned)i, &echo);
			int r;
			buf = xcalloc(1, RM_SECRET_LEN);
			r = s->cb.kbdint(s->cb.data, name ? name : "", instr ? instr : "",
					 prompt ? prompt : "", echo ? 1 : 0, buf, RM_SECRET_LEN);
			buf[RM_SECRET_LEN - 1] = '\0';
			if (r != 0) {
				xfree_secret(&buf);
				*cancel = 1;
				return SSH_AUTH_DENIED;
			}
			r = ssh_userauth_kbdint_setanswer(s->ss, (unsigned)i, buf);
			xfree_secret(&buf);
			if (r < 0)
				return SSH_AUTH_ERROR;
		}
		rc = ssh_userauth_kbdint(s->ss, NULL, NULL);
	}
	return rc;
}

/* The server's pre-login banner (text from the network: the UI sanitizes). */
static void show_banner(rm_ssh *s)
{
	char *banner = ssh_get_issue_banner(s->ss);
	if (banner && banner[0])
		warn(s, "%s", banner);
	ssh_string_free_char(banner);
}

/* The first identity file (spec->identity, else ssh_config's first
 * IdentityFile, else SSH_DIR/id_ed25519), if it loads without a passphrase:
 * a signed request at once, without asking the server first whether it
 * would take the key (the agent's way in libssh 0.10, a round trip more).
 * A refused key costs what the question would have. SSH_AUTH_DENIED when
 * there is no such file. */
static int auth_first_file(rm_ssh *s)
{
	char *path = opt_str(s->ss, SSH_OPTIONS_IDENTITY);
	ssh_key key = NULL;
	int rc = SSH_AUTH_DENIED;

	if (path && access(path, R_OK) == 0 &&
	    ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) == SSH_OK)
		rc = ssh_userauth_publickey(s->ss, NULL, key);
	ssh_key_free(key);
	free(path);
	return rc;
}

/* After an attempt made before "none": 1 logged in, -1 the link is gone,
 * 0 go on. */
static int auth_early(rm_ssh *s, int rc, const char *method)
{
	if (rc == SSH_AUTH_SUCCESS) {
		show_banner(s);
		s->method = method;
		return 1;
	}
	return rc == SSH_AUTH_ERROR && !ssh_is_connected(s->ss) ? -1 : 0;
}

static int authenticate(rm_ssh *s, char **err)
{
	int rc, methods, tries = s->pass_tries;
	char *ms;

	/* A key file that needs no passphrase, then the agent, before "none":
	 * on a far host each request is a round trip, and one of these is what
	 * logs in most of the time. */
	{
		const char *sock = getenv("SSH_AUTH_SOCK");
		int e = auth_early(s, auth_first_file(s), "publickey");
		if (e == 0 && sock && sock[0])
			e = auth_early(s, ssh_userauth_agent(s->ss, NULL), "agent");
		if (e > 0)
			return 0;
		if (e < 0)
			goto error;
	}
	rc = ssh_userauth_none(s->ss, NULL);
	if (rc == SSH_AUTH_ERROR)
		goto error;
	show_banner(s);
	if (rc == SSH_AUTH_SUCCESS) {
		s->method = "none";
		return 0;
	}
	methods = ssh_userauth_list(s->ss, NULL);

	if (methods & SSH_AUTH_METHOD_PUBLICKEY) {
		const char *sock = getenv("SSH_AUTH_SOCK");
		if (sock && sock[0]) {
			rc = ssh_userauth_agent(s->ss, NULL);
			if (rc == SSH_AUTH_SUCCESS) {
				s->method = "agent";
				return 0;
			}
			if (rc == SSH_AUTH_ERROR && !ssh_is_connected(s->ss))
				goto error;
			if (rc == SSH_AUTH_PARTIAL)
				methods = ssh_userauth_list(s->ss, NULL);
		}
	}
	if (methods & SSH_AUTH_METHOD_PUBLICKEY) {
		/* key files (IdentityFile + defaults); libssh tries the agent again
		 * first, which is quick: its keys were refused above. A wrong
		 * passphrase: ask again (pass_tries rounds). */
		s->sscb.size = sizeof s->sscb;
		ssh_callbacks_init(&s->sscb);
		s->sscb.userdata = s;
		s->sscb.auth_function = auth_fn;
		ssh_set_callbacks(s->ss, &s->sscb);
		for (int round = 0; round < tries; round++) {
			s->pass_asked = 0;
			rc = ssh_userauth_publickey_auto(s->ss, NULL, NULL);
			if (rc == SSH_AUTH_SUCCESS) {
				s->method = "publickey";
				return 0;
			}
			if (rc == SSH_AUTH_ERROR && !ssh_is_connected(s->ss))
				goto error;
			if (rc == SSH_AUTH_PARTIAL) {
				methods = ssh_userauth_list(s->ss, NULL);
				break;
			}
			if (!s->pass_asked || s->pass_cancel)
				break;
			warn(s, "wrong passphrase, or the key was refused");
		}
	}
	if ((methods & SSH_AUTH_METHOD_INTERACTIVE) && s->cb.kbdint) {
		int cancel = 0;
		for (int i = 0; i < tries && !cancel; i++) {
			rc = auth_kbdint(s, &cancel);
			if (rc == SSH_AUTH_SUCCESS) {
				s->method = "keyboard-interactive";
				return 0;
			}
			if (rc == SSH_AUTH_ERROR)
				goto error;
			if (rc == SSH_AUTH_PARTIAL) {
				methods = ssh_userauth_list(s->ss, NULL);
				break;
			}
		}
	}
	if ((methods & SSH_AUTH_METHOD_PASSWORD) && s->cb.password) {
		char *who = xasprintf("%s@%s", s->user, s->host);
		for (int i = 0; i < tries; i++) {
			char *buf = xcalloc(1, RM_SECRET_LEN);
			int r = s->cb.password(s->cb.data, who, i + 1, buf, RM_SECRET_LEN);
			buf[RM_SECRET_LEN - 1] = '\0';
			if (r != 0) {
				xfree_secret(&buf);
				break;
			}
			rc = ssh_userauth_password(s->ss, NULL, buf);
			xfree_secret(&buf);
			if (rc == SSH_AUTH_SUCCESS) {
				free(who);
				s->method = "password";
				return 0;
			}
			if (rc == SSH_AUTH_ERROR) {
				free(who);
				goto error;
			}
			if (rc == SSH_AUTH_PARTIAL) {
				methods = ssh_userauth_list(s->ss, NULL);
				break;
			}
		}
		free(who);
	}
	ms = methods_str(ssh_userauth_list(s->ss, NULL));
	set_err(err, "%s: Permission denied (%s)", s->target, ms);
	free(ms);
	return -2;
error:
	set_err(err, "%s: authentication failed: %s", s->target, ssh_get_error(s->ss));
	return -1;
}

/* ---- forwards and bridges --------------------------------------------------- */

/* The forward sockets on disk, removed at exit as well: a worker that a
 * quick quit leaves running (closing a far host takes round trips) must not
 * leave them behind. */
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static char **live_socks;
static size_t nlive, cap_live;

static void live_add(const char *path)
{
	pthread_mutex_lock(&live_mu);
	xgrow(&live_socks, &cap_live, nlive + 1, sizeof *live_socks);
	live_socks[nlive++] = xstrdup(path);
	pthread_mutex_unlock(&live_mu);
}

static void live_del(const char *path)
{
	pthread_mutex_lock(&live_mu);
	for (size_t i = 0; i < nlive; i++) {
		if (strcmp(live_socks[i], path) == 0) {
			free(live_socks[i]);
			live_socks[i] = live_socks[--nlive];
			break;
		}
	}
	pthread_mutex_unlock(&live_mu);
}

static void live_at_exit(void)
{
	pthread_mutex_lock(&live_mu);
	for (size_t i = 0; i < nlive; i++) {
		char *slash = strrchr(live_socks[i], '/');
		unlink(live_socks[i]);
		if (slash) {
			*slash = '\0';
			rmdir(live_socks[i]);
		}
		free(live_socks[i]);
	}
	free(live_socks);
	live_socks = NULL;
	nlive = cap_live = 0;
	pthread_mutex_unlock(&live_mu);
}

/* The poll threads (below) watch each session's descriptors with one epoll
 * per thread, edge-triggered: ep_set makes fd's registration want (EPOLLIN,
 * EPOLLOUT; 0 removes it), *reg what is registered now. Under s->mu; a
 * descriptor is removed before it is closed (a number reused at once must
 * not inherit a registration). */
static int poller_epfd(const rm_ssh *s);

static void ep_set(rm_ssh *s, int fd, uint32_t *reg, uint32_t want)
{
	struct epoll_event e = { .events = want | EPOLLET, .data.ptr = s };
	int ep = poller_epfd(s);
	if (fd < 0 || ep < 0 || *reg == want)
		return;
	if (want == 0)
		epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	else if (epoll_ctl(ep, *reg ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &e) < 0 && errno == ENOENT)
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
	*reg = want;
}

static void chan_drop(ssh_channel *ch)
{
	if (!*ch)
		return;
	if (ssh_channel_is_open(*ch))
		ssh_channel_close(*ch);
	ssh_channel_free(*ch);
	*ch = NULL;
}

static void bridge_free(rm_ssh *s, rm_bridge *b)
{
	ep_set(s, b->fd, &b->ep, 0);
	if (b->ch) {
		if (ssh_channel_is_open(b->ch))
			ssh_channel_close(b->ch);
		ssh_channel_free(b->ch);
	}
	if (b->fd >= 0)
		close(b->fd);
	free(b);
}

/* Close a forward's listening socket, remove the socket file and its
 * private directory, free it. */
static void fwd_free(rm_ssh *s, rm_fwd *f)
{
	chan_drop(&f->ready);
	ep_set(s, f->lfd, &f->ep, 0);
	if (f->lfd >= 0) {
		/* at once, though a poll may still hold the file */
		shutdown(f->lfd, SHUT_RDWR);
		close(f->lfd);
	}
	if (f->path) {
		unlink(f->path);
		live_del(f->path);
	}
	if (f->dir)
		rmdir(f->dir);
	free(f->path);
	free(f->dir);
	free(f->remote);
	free(f->rhost);
	free(f->exec);
	free(f);
}

static void mark_dead(rm_ssh *s, const char *why)
{
	if (s->dead)
		return;
	s->dead = 1;
	s->dead_reason = xasprintf("%s: connection lost: %s", s->target, why);
}

/* Open ch to the forward's far end: direct-tcpip or direct-streamlocal. */
static int fwd_open(const rm_fwd *f, ssh_channel ch)
{
	if (f->exec) {
		int rc = ssh_channel_open_session(ch);
		return rc == SSH_OK ? ssh_channel_request_exec(ch, f->exec) : rc;
	}
	if (f->rhost)
		return ssh_channel_open_forward(ch, f->rhost, f->rport, "127.0.0.1", f->lport);
	return ssh_channel_open_forward_unix(ch, f->remote, "127.0.0.1", 0);
}

/* Move what can move for one bridge; 0 = keep it, -1 = done, free it. */
static int bridge_pump(rm_ssh *s, rm_bridge *b, short rev)
{
	char tmp[RM_BUF_LEN];

	if (b->opening) {
		/* non-blocking: SSH_AGAIN until the server answered */
		int rc = fwd_open(b->fwd, b->ch);
		if (rc == SSH_AGAIN)
			return 0;
		if (rc != SSH_OK) {
			warn(s, "%s: cannot open %s: %s", s->target, b->fwd->remote, ssh_get_error(s->ss));
			return -1; /* its client sees EOF */
		}
		b->opening = 0;
		s->last_rx_ms = core_now_ms(); /* the open was answered */
	}

	/* an exec channel's stderr: dropped (it would hold the window) */
	if (b->fwd && b->fwd->exec)
		while (ssh_channel_read_nonblocking(b->ch, tmp, sizeof tmp, 1) > 0) {
		}
	/* channel -> local */
	b->more = 1;
	for (int budget = 0; budget < 16; budget++) {
		/* a read short of the buffer emptied the channel: unless a packet
		 * came since, another would only find it empty, and libssh asks
		 * the socket first (a system call) when it is */
		if (b->len == 0 && b->drained && b->pk_seen == s->rx_count.in_packets && !b->chan_eof &&
		    !ssh_channel_is_eof(b->ch) && !ssh_channel_is_closed(b->ch)) {
			b->more = 0;
			break;
		}
		b->drained = 0;
		if (b->len == 0 && !b->chan_eof) {
			int n = ssh_channel_read_nonblocking(b->ch, b->buf, sizeof b->buf, 0);
			if (n == SSH_ERROR)
				return -1;
			if (n > 0) {
				b->off = 0;
				b->len = (size_t)n;
				s->bytes += (unsigned long long)n;
				bridge_note(b, 2, n);
				if ((size_t)n < sizeof b->buf) {
					b->drained = 1;
					b->pk_seen = s->rx_count.in_packets;
				}
			} else if (ssh_channel_is_eof(b->ch) || ssh_channel_is_closed(b->ch)) {
				b->chan_eof = 1;
			}
		}
		if (b->len == 0) {
			/* empty: nothing new inside libssh until a packet comes */
			b->more = 0;
			b->pk_seen = s->rx_count.in_packets;
			break;
		}
		{
			ssize_t w = send(b->fd, b->buf + b->off, b->len, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
					b->more = 0; /* POLLOUT on fd brings it back */
					break;
				}
				return -1;
			}
			b->off += (size_t)w;
			b->len -= (size_t)w;
		}
	}
	if (b->more)
		s->partial = 1;
	if (b->chan_eof && b->len == 0 && !b->shut_wr) {
		shutdown(b->fd, SHUT_WR);
		b->shut_wr = 1;
	}

	/* local -> channel */
	if (!b->local_eof && (rev & (POLLIN | POLLHUP | POLLERR))) {
		uint32_t win = ssh_channel_is_open(b->ch) ? ssh_channel_window_size(b->ch) : 0;
		if (win > 0 || !ssh_channel_is_open(b->ch)) {
			size_t want = win > sizeof tmp ? sizeof tmp : win;
			ssize_t n = want ? recv(b->fd, tmp, want, MSG_DONTWAIT) : 0;
			if (n > 0 && (size_t)n == want)
				s->partial = 1; /* maybe more: edge-triggered, read on */
			if (n > 0) {
				if (ssh_channel_write(b->ch, tmp, (uint32_t)n) != (int)n)
					return -1;
				s->bytes += (unsigned long long)n;
				bridge_note(b, 1, n);
			} else if (n == 0) {
				b->local_eof = 1;
				if (ssh_channel_is_open(b->ch))
					ssh_channel_send_eof(b->ch);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				return -1;
			}
		}
	}
	if (b->shut_wr && (b->local_eof || ssh_channel_is_closed(b->ch)))
		return -1;
	if (ssh_channel_is_closed(b->ch) && b->len == 0 && b->chan_eof)
		return -1;
	return 0;
}

static void accept_one(rm_ssh *s, rm_fwd *f)
{
	int fd = accept4(f->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	rm_bridge *b;
	ssh_channel ch;
	if (fd < 0)
		return;
	if (f->ready && ssh_channel_is_open(f->ready) && !ssh_channel_is_eof(f->ready)) {
		ch = f->ready; /* opened by the socket search: no round trip now */
		f->ready = NULL;
	} else {
		chan_drop(&f->ready);
		ch = ssh_channel_new(s->ss);
	}
	if (!ch) {
		warn(s, "%s: cannot open %s: %s", s->target, f->remote, ssh_get_error(s->ss));
		close(fd);
		return;
	}
	b = xcalloc(1, sizeof *b);
	b->fd = fd;
	b->ch = ch;
	b->pfd = -1;
	b->fwd = f;
	if (core_log_on()) {
		b->t_acc_us = core_now_us();
		b->turns = 1;
		core_log("ssh", "%s: a client (channel %s)", f->path ? f->path : "?",
			 ssh_channel_is_open(ch) ? "open already" : "to open");
	}
	/* a new channel: the request goes now, the answer comes later (bridge_pump) */
	b->opening = !ssh_channel_is_open(ch);
	b->next = s->bridges;
	s->bridges = b;
	s->partial = 1; /* another may wait in the backlog */
	if (b->opening && bridge_pump(s, b, 0) < 0) {
		s->bridges = b->next;
		bridge_free(s, b);
	}
}

static void send_keepalive(rm_ssh *s)
{
	/* never waits here for the reply (the session is non-blocking while
	 * served); any byte from the server (the reply included) counts as life.
	 * libssh's keepalive is a global request: a call made while the
	 * previous request's answer is still recorded only clears that answer
	 * and sends nothing, so every other keepalive went unsent (an idle
	 * link with 2 misses allowed was declared dead). The second call sends
	 * it then; while the previous one is unanswered both send nothing. */
	ssh_send_keepalive(s->ss);
	ssh_send_keepalive(s->ss);
	s->last_ka_ms = core_now_ms();
}

/* ---- the poll threads ------------------------------------------------------ */

/* A few threads serve every open session (not one thread each: at a
 * thousand hosts that was a thousand threads woken by every keepalive).
 * Each has one epoll over its sessions' descriptors (the SSH socket, the
 * forwards' listening sockets, the bridged connections), edge-triggered,
 * data.ptr the session; a session that is ready is served on that thread
 * (serve): libssh non-blocking, a poll(0) over the session's own
 * descriptors says what moves, and all that is ready moves, a few rounds at
 * most before the others get their turn. Nothing there waits: a channel
 * open is answered later (bridge->opening), a write that does not fit stays
 * in libssh's buffer (EPOLLOUT then, and no more reading from the local
 * side until it left). A session whose lock another thread holds (a
 * blocking call: rm_ssh_exec, a socket search) is skipped; its holder
 * queues it again on unlock (sess_unlock). One timer per thread: at the
 * earliest keepalive deadline of its sessions, those due are served. A
 * session's errors end only that session.
 *
 * With an outside loop (rm_ssh_set_loop: the backend's libvirt event
 * loop) the passes run on that loop's thread, one poller for all: an idle
 * fleet's traffic is the daemons' keepalive pings (every 5 s a host: 200 a
 * second at 1000), each a message in from SSH, libvirt's answer, and that
 * answer out; on two threads that was three or four wakes a ping, on one
 * it is one, and on a paravirtual machine a wake costs more than the work.
 * The poll thread then only watches: when the loop has been away from its
 * wait over RM_LOOP_STUCK_MS with sessions ready (a callback that waits,
 * a loop not running), it serves them itself until the loop is back, so
 * nothing the loop waits for can wait on the loop. */
typedef struct rm_poller {
	pthread_t th;
	int ep, efd;           /* the epoll; an eventfd to wake it (in the epoll, data.ptr NULL) */
	pthread_mutex_t serving; /* held over a pass: one thread serves at a time */
	atomic_bool outer;     /* the outside loop serves (else this thread) */
	struct pollfd *pfds;   /* serve_round's, for the pass (serving held) */
	size_t pcap;
	pthread_mutex_t mu;    /* the queue, the list, retired */
	pthread_cond_t cv;     /* a session retired */
	rm_ssh *queue, **qtail; /* to serve (by qnext) */
	rm_ssh **ready;        /* this pass's batch (the thread's own) */
	size_t cap_ready;
	rm_ssh *sessions;      /* served here (by pnext) */
	size_t nsess;
	int64_t next_sweep;    /* the earliest deadline seen; INT64_MAX none */
} rm_poller;

#define RM_POLLERS_MAX 8
static pthread_mutex_t pollers_mu = PTHREAD_MUTEX_INITIALIZER;
static rm_poller *pollers[RM_POLLERS_MAX];
static int npollers;
static __thread rm_poller *cur_poller; /* set while a pass runs on this thread */
static rm_ssh_loop outer;                /* set: the passes run on that loop */
#define RM_LOOP_STUCK_MS 50

static int poller_epfd(const rm_ssh *s)
{
	return s && s->poller ? s->poller->ep : -1;
}

/* Queue s on its poller (p->mu held). Not once it is retired: the closer
 * wakes it after setting stop, and a pass may have seen stop and retired
 * it in between; queued again it would be served after it was freed. */
static void enqueue_locked(rm_poller *p, rm_ssh *s)
{
	if (s->queued || s->retired)
		return;
	s->queued = 1;
	s->qnext = NULL;
	*p->qtail = s;
	p->qtail = &s->qnext;
}

static void wake(rm_ssh *s)
{
	rm_poller *p = s->poller;
	uint64_t one = 1;
	ssize_t r;
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	enqueue_locked(p, s);
	pthread_mutex_unlock(&p->mu);
	if (cur_poller == p)
		return; /* it looks at its queue before it sleeps */
	r = write(p->efd, &one, sizeof one);
	(void)r;
}

/* The events a bridge's descriptor waits for; *now = 1 when its channel
 * already holds data (or EOF) inside libssh. */
static short bridge_events(rm_ssh *s, rm_bridge *b, int wpend, int *now)
{
	short ev = 0;
	if (b->opening)
		return 0; /* the answer comes on the SSH socket */
	if (!b->local_eof && !wpend && ssh_channel_is_open(b->ch) && ssh_channel_window_size(b->ch) > 0)
		ev |= POLLIN;
	if (b->len > 0)
		ev |= POLLOUT;
	/* (ssh_channel_poll reads the socket when the channel's buffer is
	 * empty, a system call: only when a packet came since it was emptied) */
	else if (!b->chan_eof && (b->more || b->pk_seen != s->rx_count.in_packets) &&
		 ssh_channel_poll(b->ch, 0) != 0)
		*now = 1;
	return ev;
}

/* Push what libssh holds for the socket; 1 when some is still waiting (the
 * socket is full: EPOLLOUT then). (ssh_get_poll_flags cannot tell: after any
 * write libssh wants POLLOUT once more, its buffer empty or not, and writes
 * nothing more until it saw it.) */
static int flush_out(rm_ssh *s)
{
	return ssh_blocking_flush(s->ss, 0) == SSH_AGAIN;
}

/* Register what the session waits for now (s->mu held). 1 when a channel
 * already holds data inside libssh (read there while another channel was
 * served): no descriptor will say so, serve it again. */
static int rearm(rm_ssh *s)
{
	int wpend = s->wpend, now = 0;
	ep_set(s, s->sfd, &s->sfd_ep, EPOLLIN | (wpend ? EPOLLOUT : 0));
	for (rm_fwd *f = s->fwds; f; f = f->next)
		ep_set(s, f->lfd, &f->ep, f->lfd >= 0 ? EPOLLIN : 0);
	for (rm_bridge *b = s->bridges; b; b = b->next) {
		uint32_t ev = (uint32_t)bridge_events(s, b, wpend, &now);
		/* registered even when it waits for nothing now: EOF and errors */
		ep_set(s, b->fd, &b->ep, ev ? ev : EPOLLRDHUP);
	}
	return now;
}

static void unregister_all(rm_ssh *s)
{
	ep_set(s, s->sfd, &s->sfd_ep, 0);
	for (rm_fwd *f = s->fwds; f; f = f->next)
		ep_set(s, f->lfd, &f->ep, 0);
	for (rm_bridge *b = s->bridges; b; b = b->next)
		ep_set(s, b->fd, &b->ep, 0);
}

/* The most one read of libssh's takes from the socket (4 KiB in 0.10 and
 * 0.11), as seen: a read short of it found the socket empty. */
static _Atomic uint64_t sock_read_full;

/* One round: poll(0) the session's descriptors and move what is ready.
 * Returns 1 when something may be left (a read that filled its budget, a
 * connection accepted, data inside libssh): another round; 0 when all was
 * taken (the epoll is edge-triggered: what comes later wakes it); -1 when
 * the link died. s->mu held, libssh non-blocking. */
static int serve_round(rm_ssh *s, struct pollfd **pfds, size_t *cap, int first)
{
	size_t n = 0;
	int now_ready = 0, wpend = s->wpend, r;
	int64_t now;
	rm_fwd *f;
	rm_bridge *b, **pb;

	xgrow(pfds, cap, 1, sizeof **pfds);
	(*pfds)[n++] = (struct pollfd){ .fd = s->sfd, .events = (short)(POLLIN | (wpend ? POLLOUT : 0)) };
	for (f = s->fwds; f; f = f->next) {
		xgrow(pfds, cap, n + 1, sizeof **pfds);
		f->pfd = (int)n;
		(*pfds)[n++] = (struct pollfd){ .fd = f->lfd, .events = POLLIN };
	}
	for (b = s->bridges; b; b = b->next) {
		xgrow(pfds, cap, n + 1, sizeof **pfds);
		b->pfd = (int)n;
		(*pfds)[n++] = (struct pollfd){ .fd = b->fd, .events = bridge_events(s, b, wpend, &now_ready) };
	}
	r = poll(*pfds, (nfds_t)n, 0);
	if (r <= 0 && !now_ready && !first)
		return 0;
	s->partial = 0;
	now = core_now_ms();
	if ((*pfds)[0].revents) {
		if ((*pfds)[0].revents & (POLLIN | POLLHUP | POLLERR))
			s->last_rx_ms = now;
		/* one call reads at most 4 KiB of the socket (libssh 0.10): read
		 * on while more waits, up to 1 MiB, then the bridges move it on */
		for (int k = 0; k < 256; k++) {
			struct pollfd more = { .fd = s->sfd, .events = POLLIN };
			uint64_t got = s->sock_count.in_bytes, full = atomic_load(&sock_read_full);
			ssh_event_dopoll(s->ev, 0);
			got = s->sock_count.in_bytes - got;
			if (got > full)
				atomic_store(&sock_read_full, got);
			else if (got < full)
				break; /* a short read: the socket was empty (and what comes later is a new edge) */
			if (poll(&more, 1, 0) <= 0 || !(more.revents & POLLIN))
				break;
			if (k == 255)
				s->partial = 1;
		}
	}
	if (!ssh_is_connected(s->ss) || (ssh_get_status(s->ss) & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
		const char *e = ssh_get_error(s->ss);
		mark_dead(s, e && e[0] ? e : "the server closed the connection");
		return -1;
	}
	for (pb = &s->bridges; (b = *pb) != NULL;) {
		short rev = (b->pfd >= 0 && (size_t)b->pfd < n) ? (*pfds)[b->pfd].revents : 0;
		b->pfd = -1;
		if (bridge_pump(s, b, rev) < 0) {
			*pb = b->next;
			bridge_free(s, b);
		} else {
			pb = &b->next;
		}
	}
	for (f = s->fwds; f; f = f->next) {
		if (f->pfd >= 0 && (size_t)f->pfd < n && ((*pfds)[f->pfd].revents & POLLIN))
			accept_one(s, f);
		f->pfd = -1;
	}
	if (!ssh_is_connected(s->ss)) {
		mark_dead(s, ssh_get_error(s->ss));
		return -1;
	}
	s->wpend = flush_out(s);
	if (wpend && !s->wpend)
		s->partial = 1; /* the bridges may read again */
	return s->partial || now_ready;
}

/* After a round: the keepalive. -1 when the link is found dead. */
static int keepalive_check(rm_ssh *s)
{
	int64_t now = core_now_ms();
	if (s->rx_count.in_packets != s->rx_seen) { /* read by anyone since */
		s->rx_seen = s->rx_count.in_packets;
		s->last_rx_ms = now;
	}
	if (now - s->last_rx_ms >= (int64_t)s->ka_ms * s->ka_max) {
		char *why = xasprintf("no answer to keepalives for %lld s",
				      (long long)(now - s->last_rx_ms) / 1000);
		mark_dead(s, why);
		free(why);
		return -1;
	}
	if (now - s->last_rx_ms >= s->ka_ms && now - s->last_ka_ms >= s->ka_ms) {
		send_keepalive(s);
		s->wpend = flush_out(s);
	}
	s->deadline = (s->last_rx_ms > s->last_ka_ms ? s->last_rx_ms : s->last_ka_ms) + s->ka_ms;
	return 0;
}

static void retire(rm_poller *p, rm_ssh *s)
{
	pthread_mutex_lock(&p->mu);
	for (rm_ssh **q = &p->sessions; *q; q = &(*q)->pnext) {
		if (*q == s) {
			*q = s->pnext;
			p->nsess--;
			break;
		}
	}
	if (s->queued) {
		rm_ssh **q = &p->queue;
		while (*q && *q != s)
			q = &(*q)->qnext;
		if (*q) {
			*q = s->qnext;
			if (p->qtail == &s->qnext)
				p->qtail = q;
		}
		s->queued = 0;
	}
	s->retired = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Serve one session on its poll thread. 1: serve it again soon (a round
 * budget ran out); 0 done; -1: it was closed (rm_ssh_close may have freed
 * it already: do not touch it). */
static int serve(rm_poller *p, rm_ssh *s, struct pollfd **pfds, size_t *cap)
{
	int rc = 0;
	rm_bridge *b;

	if (pthread_mutex_trylock(&s->mu) != 0) {
		/* held over a blocking call: its holder queues s again */
		atomic_store(&s->missed, 1);
		if (pthread_mutex_trylock(&s->mu) != 0) {
			s->deadline = core_now_ms() + s->ka_ms; /* not swept meanwhile */
			return 0;
		}
		atomic_store(&s->missed, 0);
	}
	if (s->stop) {
		unregister_all(s);
		pthread_mutex_unlock(&s->mu);
		retire(p, s); /* s is the closer's now */
		return -1;
	}
	if (!s->dead) {
		ssh_set_blocking(s->ss, 0);
		for (int round = 0; round < 8; round++) {
			rc = serve_round(s, pfds, cap, round == 0);
			if (rc <= 0)
				break;
		}
		if (rc >= 0 && keepalive_check(s) < 0)
			rc = -1;
		ssh_set_blocking(s->ss, 1);
	}
	if (!s->dead) {
		if (rearm(s))
			rc = 1;
		pthread_mutex_unlock(&s->mu);
		return rc > 0;
	}
	/* the link is gone: drop the bridges (their clients see EOF), watch
	 * nothing more, no keepalive sweep; rm_ssh_close frees it */
	s->deadline = INT64_MAX;
	unregister_all(s);
	while ((b = s->bridges) != NULL) {
		s->bridges = b->next;
		bridge_free(s, b);
	}
	if (!s->reported && s->closed_fn) {
		void (*fn)(void *, const char *) = s->closed_fn;
		void *d = s->closed_data;
		char *why = xstrdup(s->dead_reason);
		s->reported = 1;
		pthread_mutex_unlock(&s->mu);
		fn(d, why);
		free(why);
		return 0;
	}
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* One pass (serving held, cur_poller p): wait up to timeout ms (-1: until
 * something comes; never longer than the earliest keepalive deadline) for
 * sessions that are ready, serve them. */
static void poller_pass(rm_poller *p, int timeout)
{
	struct epoll_event evs[128];
	size_t nready = 0;
	int64_t now = core_now_ms();
	int n;

	pthread_mutex_lock(&p->mu);
	if (p->queue)
		timeout = 0;
	else if (p->next_sweep != INT64_MAX) {
		int64_t left = p->next_sweep <= now ? 0 : p->next_sweep - now > 60000 ? 60000 : p->next_sweep - now;
		if (timeout < 0 || left < timeout)
			timeout = (int)left;
	}
	pthread_mutex_unlock(&p->mu);
	n = epoll_wait(p->ep, evs, (int)(sizeof evs / sizeof evs[0]), timeout);
	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr)
			enqueue_locked(p, evs[i].data.ptr);
		else {
			uint64_t c;
			while (read(p->efd, &c, sizeof c) > 0) {
			}
		}
	}
	now = core_now_ms();
	if (p->next_sweep <= now) {
		/* the keepalive deadlines: one pass over the sessions, at
		 * the earliest one only (not a timer per session) */
		p->next_sweep = INT64_MAX;
		for (rm_ssh *s = p->sessions; s; s = s->pnext) {
			if (s->deadline <= now)
				enqueue_locked(p, s);
			else if (s->deadline < p->next_sweep)
				p->next_sweep = s->deadline;
		}
	}
	for (rm_ssh *s = p->queue; s; s = s->qnext) {
		xgrow(&p->ready, &p->cap_ready, nready + 1, sizeof *p->ready);
		p->ready[nready++] = s;
		s->queued = 0;
	}
	p->queue = NULL;
	p->qtail = &p->queue;
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < nready; i++) {
		rm_ssh *s = p->ready[i];
		int again = serve(p, s, &p->pfds, &p->pcap);
		if (again < 0)
			continue; /* s may be gone already */
		pthread_mutex_lock(&p->mu);
		if (again)
			enqueue_locked(p, s);
		if (s->deadline < p->next_sweep)
			p->next_sweep = s->deadline;
		pthread_mutex_unlock(&p->mu);
	}
}

static bool poller_queued(rm_poller *p)
{
	pthread_mutex_lock(&p->mu);
	bool q = p->queue != NULL;
	pthread_mutex_unlock(&p->mu);
	return q;
}

/* The outside loop's call (its thread) when p's epoll is readable: the
 * passes that are due, unless the poll thread serves just now. What is
 * left queued after a few passes (a busy stream's round budget) comes
 * back through the eventfd, after the loop's other callbacks. */
static void poller_outer_run(void *arg)
{
	rm_poller *p = arg;
	uint64_t one = 1;
	bool left;
	if (pthread_mutex_trylock(&p->serving) != 0)
		return;
	cur_poller = p;
	for (int i = 0; i < 4; i++) {
		poller_pass(p, 0);
		if (!poller_queued(p))
			break;
	}
	cur_poller = NULL;
	left = poller_queued(p);
	pthread_mutex_unlock(&p->serving);
	if (left && write(p->efd, &one, sizeof one) < 0) {
		/* the counter is full: the epoll is readable anyway */
	}
}

static void *poller_main(void *arg)
{
	rm_poller *p = arg;

	core_thread_below_ui(); /* as the backend's workers */
	pthread_setname_np(pthread_self(), "vmmc-sshpoll"); /* for top -H, perf */
	/* with an outside loop this thread serves only what it leaves
	 * waiting (it is away from its wait, sessions are ready) and the
	 * keepalive deadlines */
	while (atomic_load(&p->outer)) {
		struct pollfd pe = { .fd = p->ep, .events = POLLIN };
		int64_t now = core_now_ms(), sweep;
		int wait = RM_LOOP_STUCK_MS;
		pthread_mutex_lock(&p->mu);
		sweep = p->next_sweep;
		pthread_mutex_unlock(&p->mu);
		if (sweep != INT64_MAX && sweep - now < wait)
			wait = sweep <= now ? 1 : (int)(sweep - now); /* (1: the loop may be serving it now) */
		poll(NULL, 0, wait);
		now = core_now_ms();
		/* (the loop's time away first: a load, not a system call) */
		bool stuck = outer.busy_ms() >= RM_LOOP_STUCK_MS && poll(&pe, 1, 0) > 0;
		if (!stuck && !(sweep != INT64_MAX && sweep <= now))
			continue;
		if (pthread_mutex_trylock(&p->serving) != 0)
			continue; /* the loop serves */
		cur_poller = p;
		poller_pass(p, 0); /* the deadlines due */
		/* the loop is away: serve as the poll thread did, until it waits again */
		while (stuck && outer.busy_ms() >= RM_LOOP_STUCK_MS)
			poller_pass(p, RM_LOOP_STUCK_MS);
		cur_poller = NULL;
		pthread_mutex_unlock(&p->serving);
	}
	cur_poller = p;
	pthread_mutex_lock(&p->serving);
	for (;;)
		poller_pass(p, -1);
	return NULL;
}

void rm_ssh_set_loop(const rm_ssh_loop *loop)
{
	const char *e = getenv("VMMC_SSH_LOOP");
	pthread_mutex_lock(&pollers_mu);
	if (npollers == 0 && loop && loop->watch && loop->busy_ms && !(e && strcmp(e, "thread") == 0))
		outer = *loop;
	pthread_mutex_unlock(&pollers_mu);
}

/* How many poll threads: VMMC_SSH_POLLERS (1..8), else one per two CPUs, at
 * most 4 (a poll thread serves a thousand idle sessions with a few % of a
 * core; more of them only matter for several busy streams at once). */
static int pollers_wanted(void)
{
	const char *e = getenv("VMMC_SSH_POLLERS");
	long n = e && e[0] ? strtol(e, NULL, 10) : 0;
	if (outer.watch)
		return 1; /* they would all run on the loop's one thread */
	if (n <= 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN) / 2;
		n = n < 1 ? 1 : n > 4 ? 4 : n;
	}
	return n > RM_POLLERS_MAX ? RM_POLLERS_MAX : (int)n;
}

static rm_poller *poller_new(char **err)
{
	rm_poller *p = xcalloc(1, sizeof *p);
	struct epoll_event e = { .events = EPOLLIN };
	p->ep = epoll_create1(EPOLL_CLOEXEC);
	p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->qtail = &p->queue;
	p->next_sweep = INT64_MAX;
	pthread_mutex_init(&p->mu, NULL);
	pthread_mutex_init(&p->serving, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (p->ep < 0 || p->efd < 0 || epoll_ctl(p->ep, EPOLL_CTL_ADD, p->efd, &e) < 0) {
		set_err(err, "cannot start the SSH poll thread: %s", strerror(errno));
		goto fail;
	}
	atomic_store(&p->outer, outer.watch != NULL);
	if (pthread_create(&p->th, NULL, poller_main, p) != 0) {
		set_err(err, "cannot start the SSH poll thread");
		goto fail;
	}
	if (outer.watch && outer.watch(p->ep, poller_outer_run, p) < 0) {
		core_log("ssh", "cannot watch the SSH sessions from the event loop: %s; a thread of their own serves them",
			 strerror(errno));
		atomic_store(&p->outer, false);
	}
	return p;
fail:
	if (p->ep >= 0)
		close(p->ep);
	if (p->efd >= 0)
		close(p->efd);
	pthread_mutex_destroy(&p->mu);
	pthread_mutex_destroy(&p->serving);
	pthread_cond_destroy(&p->cv);
	free(p);
	return NULL;
}

/* Hand an opened session to the poll thread with the fewest sessions
 * (started the first time they are needed; they live as long as the
 * program). 0, or -1 with *err. */
static int poller_attach(rm_ssh *s, char **err)
{
	rm_poller *p = NULL;
	int want = pollers_wanted();
	char *why = NULL;

	pthread_mutex_lock(&pollers_mu);
	for (int i = 0; i < npollers; i++)
		if (!p || pollers[i]->nsess < p->nsess)
			p = pollers[i];
	if ((!p || p->nsess > 0) && npollers < want) {
		rm_poller *q = poller_new(&why);
		if (q)
			p = pollers[npollers++] = q;
	}
	pthread_mutex_unlock(&pollers_mu);
	if (!p) {
		set_err(err, "%s", why ? why : "no SSH poll thread");
		free(why);
		return -1;
	}
	free(why); /* one more thread could not start: the others serve */
	pthread_mutex_lock(&p->mu);
	s->poller = p;
	s->pnext = p->sessions;
	p->sessions = s;
	p->nsess++;
	pthread_mutex_unlock(&p->mu);
	pthread_mutex_lock(&s->mu);
	s->sfd = ssh_get_fd(s->ss);
	rearm(s);
	pthread_mutex_unlock(&s->mu);
	wake(s); /* the first pass sets its keepalive deadline */
	return 0;
}

/* Take s from its poll thread: on return no poll thread touches it. */
static void poller_detach(rm_ssh *s)
{
	rm_poller *p = s->poller;
	if (!p)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_mutex_unlock(&s->mu);
	wake(s);
	pthread_mutex_lock(&p->mu);
	while (!s->retired)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	s->poller = NULL;
}

/* ---- open / close ---------------------------------------------------------- */

static void free_session(rm_ssh *s)
{
	rm_fwd *f;
	rm_bridge *b;
	while ((b = s->bridges) != NULL) {
		s->bridges = b->next;
		bridge_free(s, b);
	}
	while ((f = s->fwds) != NULL) {
		s->fwds = f->next;
		fwd_free(s, f);
	}
	chan_drop(&s->spare);
	free(s->spare_path);
	if (s->ev) {
		ssh_event_remove_session(s->ev, s->ss);
		ssh_event_free(s->ev);
	}
	if (s->ss) {
		if (ssh_is_connected(s->ss))
			ssh_disconnect(s->ss);
		ssh_free(s->ss);
	}
	pthread_mutex_destroy(&s->mu);
	free(s->target);
	free(s->user);
	free(s->host);
	free(s->dead_reason);
	free(s);
}

/* After a failed handshake: what does that port say? A first line that is
 * not "SSH-..." means it is some other server. Returns that line, cleaned
 * to printable ASCII (caller frees), or NULL (no answer, or an SSH one). */
static char *probe_banner(const char *host, int port, int timeout_ms)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	char ps[16], buf[160];
	ssize_t n = -1;
	int fd;

	snprintf(ps, sizeof ps, "%d", port);
	if (!host || getaddrinfo(host, ps, &hints, &res) != 0 || !res)
		return NULL;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (connect(fd, res->ai_addr, res->ai_addrlen) == 0 || errno == EINPROGRESS)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, timeout_ms) > 0)
			n = read(fd, buf, sizeof buf - 1);
	}
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	if (n <= 0 || (n >= 4 && memcmp(buf, "SSH-", 4) == 0))
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
	return xstrdup(buf);
}

/* The open sessions, for rm_ssh_quit_all. Lock order: sess_mu, then a
 * session's mu. */
static pthread_mutex_t sess_mu = PTHREAD_MUTEX_INITIALIZER;
static rm_ssh *live_sessions;

static void sess_add(rm_ssh *s)
{
	pthread_mutex_lock(&sess_mu);
	s->live_next = live_sessions;
	live_sessions = s;
	pthread_mutex_unlock(&sess_mu);
}

static void sess_del(rm_ssh *s)
{
	pthread_mutex_lock(&sess_mu);
	for (rm_ssh **p = &live_sessions; *p; p = &(*p)->live_next) {
		if (*p == s) {
			*p = s->live_next;
			break;
		}
	}
	pthread_mutex_unlock(&sess_mu);
}

void rm_ssh_quit_all(void)
{
	pthread_mutex_lock(&sess_mu);
	for (rm_ssh *s = live_sessions; s; s = s->live_next) {
		pthread_mutex_lock(&s->mu);
		if (!s->dead) {
			mark_dead(s, "closed (quitting)");
			s->reported = 1; /* not a loss: no closed callback */
		}
		sess_unlock(s);
		wake(s);
	}
	pthread_mutex_unlock(&sess_mu);
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static void lib_init(void)
{
	ssh_init();
	atexit(live_at_exit);
}

int rm_ssh_open(const rm_ssh_spec *spec, const rm_ssh_cb *cb, rm_ssh **out, char **err)
{
	rm_ssh *s;
	long timeout;
	unsigned int port = 0;
	int off = 0, rc = -1;

	*out = NULL;
	if (!spec || !spec->host || !spec->host[0]) {
		set_err(err, "ssh: no host given");
		return -1;
	}
	pthread_once(&init_once, lib_init);
	s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->mu, NULL);
	s->sfd = -1;
	s->rtt_us = -1;
	if (cb)
		s->cb = *cb;
	s->method = "none";
	timeout = spec->timeout_s > 0 ? spec->timeout_s : 10;
	s->timeout_ms = (int)timeout * 1000;
	s->ka_ms = (spec->keepalive_s > 0 ? spec->keepalive_s : 15) * 1000;
	s->ka_max = spec->keepalive_max > 0 ? spec->keepalive_max : 3;
	s->pass_tries = spec->password_tries > 0 ? spec->password_tries : 3;
	s->target = xasprintf("%s", spec->host);

	s->ss = ssh_new();
	if (!s->ss) {
		set_err(err, "ssh: cannot create a session");
		goto fail;
	}
	/* ssh_config first (as ssh does), then what the caller set overrides */
	if (ssh_options_set(s->ss, SSH_OPTIONS_HOST, spec->host) < 0) {
		set_err(err, "ssh: bad host '%s': %s", spec->host, ssh_get_error(s->ss));
		goto fail;
	}
	ssh_options_set(s->ss, SSH_OPTIONS_PROCESS_CONFIG, &off);
	if (spec->ssh_dir)
		ssh_options_set(s->ss, SSH_OPTIONS_SSH_DIR, spec->ssh_dir);
	if (parse_config(s, spec, err) < 0)
		goto fail;
	if (spec->user && spec->user[0])
		ssh_options_set(s->ss, SSH_OPTIONS_USER, spec->user);
	if (spec->port > 0) {
		unsigned int p = (unsigned int)spec->port;
		ssh_options_set(s->ss, SSH_OPTIONS_PORT, &p);
	}
	if (spec->known_hosts)
		ssh_options_set(s->ss, SSH_OPTIONS_KNOWNHOSTS, spec->known_hosts);
	if (spec->identity)
		ssh_options_set(s->ss, SSH_OPTIONS_IDENTITY, spec->identity);
	ssh_options_set(s->ss, SSH_OPTIONS_TIMEOUT, &timeout);
	/* TCP_NODELAY: SSH sends whole messages and waits for answers; with
	 * Nagle a small message after another (NEWKEYS then SERVICE_REQUEST,
	 * a WINDOW_ADJUST then a request) waits for the first one's ACK, a
	 * round trip (and the server's 40 ms delayed ACK) each time */
	ssh_options_set(s->ss, SSH_OPTIONS_NODELAY, &(int){ 1 });

	s->host = opt_str(s->ss, SSH_OPTIONS_HOST);
	if (ssh_options_get_port(s->ss, &port) < 0 || port == 0)
		port = 22;
	s->port = (int)port;
	free(s->target);
	s->target = xasprintf("%s:%d", s->host ? s->host : spec->host, s->port);

	if (ssh_connect(s->ss) != SSH_OK) {
		char *proxy = opt_str(s->ss, SSH_OPTIONS_PROXYCOMMAND);
		const char *e = ssh_get_error(s->ss);
		/* a silent server already had its time: no second wait */
		char *other = proxy || (e && strstr(e, "imeout")) ? NULL : probe_banner(s->host, s->port, 2000);
		if (other)
			set_err(err, "%s is not an SSH server (it answered \"%s\")", s->target, other);
		else
			set_err(err, "cannot connect to %s: %s", s->target, ssh_get_error(s->ss));
		free(other);
		free(proxy);
		goto fail;
	}
	s->user = opt_str(s->ss, SSH_OPTIONS_USER);
	if (!s->user)
		s->user = xstrdup("?");
	free(s->target);
	s->target = xasprintf("%s@%s:%d", s->user, s->host, s->port);

	rc = -2; /* a refused host key or login: retrying alone will not help */
	if (check_host_key(s, err) < 0)
		goto fail;
	if ((rc = authenticate(s, err)) < 0)
		goto fail;
	rc = -1;
	ssh_set_callbacks(s->ss, NULL); /* no more passphrase prompts */

	/* served from now on by a poll thread */
	s->ev = ssh_event_new();
	if (!s->ev || ssh_event_add_session(s->ev, s->ss) != SSH_OK) {
		set_err(err, "%s: cannot set up the session's event loop", s->target);
		goto fail;
	}
	s->last_rx_ms = s->last_ka_ms = core_now_ms();
	ssh_set_counters(s->ss, &s->sock_count, &s->rx_count);
	s->rx_seen = s->rx_count.in_packets;
	s->deadline = s->last_rx_ms + s->ka_ms;
	if (poller_attach(s, err) < 0)
		goto fail;
	sess_add(s);
	*out = s;
	return 0;
fail:
	free_session(s);
	return rc;
}

const char *rm_ssh_target(const rm_ssh *s)
{
	return s->target;
}

const char *rm_ssh_auth_method(const rm_ssh *s)
{
	return s->method;
}

void rm_ssh_on_closed(rm_ssh *s, void (*fn)(void *data, const char *reason), void *data)
{
	char *why = NULL;
	pthread_mutex_lock(&s->mu);
	s->closed_fn = fn;
	s->closed_data = data;
	if (fn && s->dead && !s->reported) {
		s->reported = 1;
		why = xstrdup(s->dead_reason);
	}
	sess_unlock(s);
	if (why) {
		fn(data, why);
		free(why);
	}
}

int rm_ssh_is_alive(rm_ssh *s)
{
	int r;
	pthread_mutex_lock(&s->mu);
	r = !s->dead;
	sess_unlock(s);
	return r;
}

int rm_ssh_rtt_ms(rm_ssh *s)
{
	int r;
	pthread_mutex_lock(&s->mu);
	r = s->rtt_us < 0 ? -1 : (int)((s->rtt_us + 999) / 1000);
	sess_unlock(s);
	return r;
}

unsigned long long rm_ssh_bytes(rm_ssh *s)
{
	unsigned long long r;
	pthread_mutex_lock(&s->mu);
	r = s->bytes;
	sess_unlock(s);
	return r;
}

/* Under the lock: can a channel to path be opened? 0 or -1 with *why. */
/* Open a channel to path as a test. keep: on success it stays open as the
 * session's spare (rm_ssh_forward_unix hands it to the first client). */
/* A channel open took us microseconds: one round trip (and the server's
 * connect, next to nothing): keep the quickest. */
static void note_rtt(rm_ssh *s, int64_t us)
{
	if (s->rtt_us < 0 || us < s->rtt_us)
		s->rtt_us = us;
}

static int try_unix(rm_ssh *s, const char *path, char **why, bool keep)
{
	ssh_channel ch = ssh_channel_new(s->ss);
	int64_t t0 = core_now_us();
	if (!ch) {
		*why = xstrdup("cannot create a channel");
		return -1;
	}
	if (ssh_channel_open_forward_unix(ch, path, "127.0.0.1", 0) != SSH_OK) {
		const char *e = ssh_get_error(s->ss);
		*why = xstrdup(e && e[0] ? e : "open failed");
		ssh_channel_free(ch);
		return -1;
	}
	note_rtt(s, core_now_us() - t0);
	s->last_rx_ms = core_now_ms();
	if (keep) {
		chan_drop(&s->spare);
		s->spare = ch;
		core_str_set(&s->spare_path, path);
	} else {
		chan_drop(&ch);
	}
	return 0;
}

static int check_alive_locked(rm_ssh *s, char **err)
{
	if (s->dead) {
		set_err(err, "%s", s->dead_reason);
		return -1;
	}
	return 0;
}

/* The end of making forward f (under the lock): rc 0 adds it to the
 * session, else frees it (f may be NULL); unlock, wake its poll thread; rc. */
static int fwd_finish(rm_ssh *s, rm_fwd *f, int rc)
{
	if (f && rc == 0) {
		f->next = s->fwds;
		s->fwds = f;
	} else if (f) {
		fwd_free(s, f);
	}
	sess_unlock(s);
	wake(s);
	return rc;
}

/* A new forward listening on a private unix socket (a fresh 0700 directory
 * under $XDG_RUNTIME_DIR, else $TMPDIR, else /tmp), its far end named
 * remote; recorded for removal at exit. NULL with *err. */
static rm_fwd *fwd_listen_unix(const char *remote, char **err)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	rm_fwd *f;
	char *tmpl;

	if (!base || !base[0] || stat(base, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    access(base, W_OK) != 0)
		base = getenv("TMPDIR");
	if (!base || !base[0] || stat(base, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    access(base, W_OK) != 0)
		base = "/tmp";
	f = xcalloc(1, sizeof *f);
	f->lfd = -1;
	f->pfd = -1;
	f->remote = xstrdup(remote);
	tmpl = xasprintf("%s/vmmc-ssh-XXXXXX", base);
	if (!mkdtemp(tmpl)) { /* mkdtemp creates it 0700 */
		set_err(err, "cannot create a directory in %s: %s", base, strerror(errno));
		free(tmpl);
		fwd_free(NULL, f);
		return NULL;
	}
	f->dir = tmpl;
	f->path = xasprintf("%s/sock", f->dir);
	if (strlen(f->path) >= sizeof sa.sun_path) {
		set_err(err, "socket path too long: %s", f->path);
		fwd_free(NULL, f);
		return NULL;
	}
	strcpy(sa.sun_path, f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    chmod(f->path, 0600) < 0 || listen(f->lfd, 64) < 0) {
		set_err(err, "cannot listen on %s: %s", f->path, strerror(errno));
		fwd_free(NULL, f);
		return NULL;
	}
	live_add(f->path);
	return f;
}

int rm_ssh_forward_unix(rm_ssh *s, const char *remote_path, char **local_path, char **err)
{
	rm_fwd *f = NULL;
	char *why = NULL;
	int rc = -1;

	*local_path = NULL;
	pthread_mutex_lock(&s->mu);
	if (check_alive_locked(s, err) < 0)
		goto out;
	if (s->spare && s->spare_path && strcmp(s->spare_path, remote_path) == 0) {
		/* just found open by rm_ssh_find_libvirt_socket: that is the check */
	} else if (try_unix(s, remote_path, &why, true) < 0) {
		set_err(err,
			"%s: cannot open the remote socket %s: %s (is the daemon running? sshd also "
			"refuses when its AllowStreamLocalForwarding or AllowTcpForwarding is 'no')",
			s->target, remote_path, why);
		goto out;
	}
	if ((f = fwd_listen_unix(remote_path, err)) == NULL)
		goto out;
	*local_path = xstrdup(f->path);
	f->ready = s->spare;
	s->spare = NULL;
	xfree(&s->spare_path);
	rc = 0;
out:
	free(why);
	return fwd_finish(s, f, rc);
}

int rm_ssh_forward_exec(rm_ssh *s, const char *command, char **local_path, char **err)
{
	rm_fwd *f = NULL;
	int rc = -1;

	*local_path = NULL;
	pthread_mutex_lock(&s->mu);
	if (check_alive_locked(s, err) == 0 && (f = fwd_listen_unix(command, err)) != NULL) {
		f->exec = xstrdup(command);
		*local_path = xstrdup(f->path);
		rc = 0;
	}
	return fwd_finish(s, f, rc);
}

int rm_ssh_forward_tcp(rm_ssh *s, const char *remote_host, int remote_port, const char *remote_path,
		       int *local_port, char **err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	ssh_channel ch = NULL;
	int64_t t0;
	rm_fwd *f;
	int rc = -1;

	*local_port = 0;
	if (remote_host ? (remote_port <= 0 || remote_port > 65535 || !remote_host[0])
			: (!remote_path || remote_path[0] != '/')) {
		set_err(err, "bad forward target %s:%d", remote_host ? remote_host : remote_path ? remote_path : "?",
			remote_port);
		return -1;
	}
	f = xcalloc(1, sizeof *f);
	f->pfd = -1;
	if (remote_host) {
		f->rhost = xstrdup(remote_host);
		f->rport = remote_port;
		f->remote = strchr(remote_host, ':') ? xasprintf("[%s]:%d", remote_host, remote_port)
						     : xasprintf("%s:%d", remote_host, remote_port);
	} else {
		f->remote = xstrdup(remote_path);
	}
	/* 127.0.0.1 only, a port the kernel picks: nothing on other addresses */
	f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    getsockname(f->lfd, (struct sockaddr *)&sa, &sl) < 0 || listen(f->lfd, 16) < 0) {
		set_err(err, "cannot listen on 127.0.0.1: %s", strerror(errno));
		fwd_free(s, f);
		return -1;
	}
	f->lport = ntohs(sa.sin_port);
	pthread_mutex_lock(&s->mu);
	if (check_alive_locked(s, err) < 0)
		goto out;
	/* one channel now, as a check (and closed: a display server counts an
	 * idle client as one) */
	ch = ssh_channel_new(s->ss);
	t0 = core_now_us();
	if (!ch || fwd_open(f, ch) != SSH_OK) {
		const char *e = ssh_get_error(s->ss);
		set_err(err,
			"%s: cannot reach %s on the host: %s (sshd refuses when its "
			"AllowTcpForwarding or AllowStreamLocalForwarding is 'no')",
			s->target, f->remote, e && e[0] ? e : "open failed");
		if (ch)
			ssh_channel_free(ch);
		goto out;
	}
	note_rtt(s, core_now_us() - t0);
	s->last_rx_ms = core_now_ms();
	chan_drop(&ch);
	*local_port = f->lport;
	rc = 0;
out:
	return fwd_finish(s, f, rc);
}

int rm_ssh_unforward(rm_ssh *s, int local_port)
{
	rm_fwd *f = NULL;
	pthread_mutex_lock(&s->mu);
	for (rm_fwd **pf = &s->fwds; *pf; pf = &(*pf)->next) {
		if ((*pf)->lport == local_port && local_port > 0) {
			f = *pf;
			*pf = f->next;
			break;
		}
	}
	if (f) {
		for (rm_bridge **pb = &s->bridges, *b; (b = *pb) != NULL;) {
			if (b->fwd == f) {
				*pb = b->next;
				bridge_free(s, b);
			} else {
				pb = &b->next;
			}
		}
		fwd_free(s, f);
	}
	sess_unlock(s);
	wake(s);
	return f ? 0 : -1;
}

int rm_ssh_forward_count(rm_ssh *s)
{
	int n = 0;
	pthread_mutex_lock(&s->mu);
	for (rm_fwd *f = s->fwds; f; f = f->next)
		n++;
	sess_unlock(s);
	return n;
}

static int exec_locked(rm_ssh *s, const char *cmd, size_t max, char **out, int *status,
		       char **err)
{
	ssh_channel ch = ssh_channel_new(s->ss);
	size_t len = 0;
	char *buf = xmalloc(max + 1);
	int rc = -1;

	*out = NULL;
	if (!ch || ssh_channel_open_session(ch) != SSH_OK ||
	    ssh_channel_request_exec(ch, cmd) != SSH_OK) {
		set_err(err, "%s: cannot run a command: %s", s->target, ssh_get_error(s->ss));
		goto out;
	}
	for (;;) {
		char tmp[4096];
		int n = ssh_channel_read_timeout(ch, tmp, sizeof tmp, 0, s->timeout_ms);
		if (n == SSH_ERROR) {
			set_err(err, "%s: command: %s", s->target, ssh_get_error(s->ss));
			goto out;
		}
		if (n == 0) {
			if (ssh_channel_is_eof(ch) || ssh_channel_is_closed(ch))
				break;
			set_err(err, "%s: command: no answer in %d s", s->target, s->timeout_ms / 1000);
			goto out;
		}
		if (len < max) {
			size_t take = (size_t)n > max - len ? max - len : (size_t)n;
			memcpy(buf + len, tmp, take);
			len += take;
		}
	}
	s->last_rx_ms = core_now_ms();
	ssh_channel_send_eof(ch);
	ssh_channel_close(ch);
	if (status)
		*status = ssh_channel_get_exit_status(ch);
	buf[len] = '\0';
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (ch)
		ssh_channel_free(ch);
	return rc;
}

int rm_ssh_exec(rm_ssh *s, const char *cmd, size_t max, char **out, int *status, char **err)
{
	int rc;
	pthread_mutex_lock(&s->mu);
	rc = check_alive_locked(s, err);
	if (rc == 0)
		rc = exec_locked(s, cmd, max, out, status, err);
	sess_unlock(s);
	wake(s);
	return rc;
}

/* Try the channel to path; on failure add "path (why)" to *tried. */
static int try_candidate(rm_ssh *s, const char *path, char **tried)
{
	char *why = NULL, *t;
	if (try_unix(s, path, &why, true) == 0)
		return 0;
	t = xasprintf("%s%s%s (%s)", *tried, (*tried)[0] ? ", " : "", path, why);
	free(*tried);
	*tried = t;
	free(why);
	return -1;
}

int rm_ssh_find_libvirt_socket(rm_ssh *s, const char *driver, int session, const char *first,
			       char **path, char **err)
{
	char *cand[6] = { 0 }, *tried = xstrdup(""), *out = NULL;
	size_t nc = 0;
	int rc = -1;

	*path = NULL;
	if (!driver || !driver[0])
		driver = "qemu";
	pthread_mutex_lock(&s->mu);
	if (check_alive_locked(s, err) < 0)
		goto out;
	/* the one that worked last time: no probing (and, for a session
	 * daemon, no command to learn the remote uid and home) */
	if (first && first[0] == '/' && try_candidate(s, first, &tried) == 0) {
		*path = xstrdup(first);
		rc = 0;
		goto out;
	}
	if (!session) {
		cand[nc++] = xasprintf("/run/libvirt/virt%sd-sock", driver);
		cand[nc++] = xstrdup("/run/libvirt/libvirt-sock");
	} else {
		int st = -1;
		char *uid, *home, *save = NULL;
		if (exec_locked(s, "id -u; printf '%s\\n' \"$HOME\"", 4096, &out, &st, err) < 0)
			goto out;
		uid = strtok_r(out, "\n", &save);
		home = strtok_r(NULL, "\n", &save);
		if (uid && uid[0]) {
			cand[nc++] = xasprintf("/run/user/%s/libvirt/virt%sd-sock", uid, driver);
			cand[nc++] = xasprintf("/run/user/%s/libvirt/libvirt-sock", uid);
		}
		if (home && home[0]) {
			cand[nc++] = xasprintf("%s/.cache/libvirt/virt%sd-sock", home, driver);
			cand[nc++] = xasprintf("%s/.cache/libvirt/libvirt-sock", home);
		}
	}
	for (size_t i = 0; i < nc; i++) {
		if (first && strcmp(cand[i], first) == 0)
			continue; /* tried above */
		if (try_candidate(s, cand[i], &tried) == 0) {
			*path = xstrdup(cand[i]);
			rc = 0;
			goto out;
		}
	}
	set_err(err, "%s: no libvirt %s daemon socket found; tried %s", s->target,
		session ? "session" : "system", nc ? tried : "nothing (no remote uid or home)");
out:
	sess_unlock(s);
	wake(s);
	for (size_t i = 0; i < nc; i++)
		free(cand[i]);
	free(tried);
	free(out);
	return rc;
}

void rm_ssh_close(rm_ssh **sp)
{
	rm_ssh *s = sp ? *sp : NULL;
	if (!s)
		return;
	*sp = NULL;
	sess_del(s);
	poller_detach(s);
	free_session(s);
}

const char *rm_ssh_lib_version(void)
{
	return ssh_version(0);
}

/* A forward no longer listening whose connections are all gone (s->mu). */
static bool fwd_spent(rm_ssh *s, const rm_fwd *f)
{
	if (f->lfd >= 0)
		return false;
	for (rm_bridge *b = s->bridges; b; b = b->next)
		if (b->fwd == f)
			return false;
	return true;
}

int rm_ssh_unlisten(rm_ssh *s, const char *local_path)
{
	rm_fwd *f, **pf;
	int rc = -1;

	pthread_mutex_lock(&s->mu);
	for (pf = &s->fwds; (f = *pf) != NULL;) {
		if (f->lfd >= 0 && f->path && local_path && strcmp(f->path, local_path) == 0) {
			ep_set(s, f->lfd, &f->ep, 0);
			shutdown(f->lfd, SHUT_RDWR);
			close(f->lfd);
			f->lfd = -1;
			chan_drop(&f->ready);
			unlink(f->path);
			live_del(f->path);
			rc = 0;
		}
		if (fwd_spent(s, f)) { /* an earlier one: its connection ended */
			*pf = f->next;
			fwd_free(s, f);
			continue;
		}
		pf = &f->next;
	}
	sess_unlock(s);
	wake(s);
	return rc;
}
