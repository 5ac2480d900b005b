/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_ssh.c - hosts reached over SSH, and questions for the user.
 *
 * ssh://[user@]host[:port][/system|/session][?driver=NAME&socket=PATH]
 * (core/hosturi.c parses it): one libssh session per host (remote/rm_ssh) carries everything for that
 * host. libvirt's protocol goes over a stream-local channel to the remote
 * daemon's socket, bridged to a private local socket that libvirt opens as
 * DRIVER+unix:///system?socket=LOCAL; so the remote needs only sshd and a
 * libvirt daemon, and consoles, events and stats share the one login.
 *
 * Prompts (host key, passphrase, password, keyboard-interactive, and
 * libvirt's own credential callbacks for qemu+libssh:// and the like) run
 * on the host's worker: the question goes to the UI as MD_MSG_PROMPT and
 * the worker waits for the answer; be_host_free cancels a pending one. */
#include "be_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/hosturi.h"
#include "../core/log.h"
#include "../core/prompt.h"
#include "../core/util.h"
#include "../remote/rm_ssh.h"

/* ---- ssh:// URIs ----------------------------------------------------------- */

/* ---- prompts --------------------------------------------------------------- */

/* Post p to the UI and wait (worker). Takes p. 0 answered, -1 cancelled. */
static int be_ask(be_host *h, core_prompt *p, int *choice, char *buf, size_t len)
{
	md_msg *m;
	int rc;

	pthread_mutex_lock(&h->lock);
	if (h->stop) {
		pthread_mutex_unlock(&h->lock);
		core_prompt_unref(&p);
		return -1;
	}
	h->prompt = p;
	pthread_mutex_unlock(&h->lock);

	m = md_msg_new(MD_MSG_PROMPT, h->id);
	core_prompt_ref(p);
	m->ext = p;
	m->ext_free = core_prompt_drop;
	be_post(m);
	rc = core_prompt_wait(p, choice, buf, len);

	pthread_mutex_lock(&h->lock);
	h->prompt = NULL;
	pthread_mutex_unlock(&h->lock);
	core_prompt_unref(&p);
	return rc;
}

static core_prompt *be_prompt(be_host *h, int kind, char *title, char *text, const char *label)
{
	core_prompt *p = core_prompt_new(kind, h->id);
	p->title = title;
	p->text = text;
	p->label = xstrdup(label);
	return p;
}

/* The X of /etc/ssh/ssh_host_X_key.pub for a key type ("ssh-ed25519",
 * "ecdsa-sha2-nistp256", "rsa-sha2-512", "ssh-rsa" ...). */
static const char *be_ssh_keyfile_kind(const char *keytype)
{
	if (strstr(keytype, "ed25519"))
		return "ed25519";
	if (strstr(keytype, "ecdsa"))
		return "ecdsa";
	if (strstr(keytype, "rsa"))
		return "rsa";
	if (strstr(keytype, "dss"))
		return "dsa";
	return keytype;
}

static rm_hostkey_answer be_ssh_hostkey(void *data, const char *host, const char *keytype,
					const char *fp)
{
	be_host *h = data;
	core_prompt *p;
	int choice = CORE_HOSTKEY_REJECT;

	if (h->ssh_accepted_fp && strcmp(h->ssh_accepted_fp, fp) == 0)
		return RM_HOSTKEY_ACCEPT_ONCE; /* accepted once in this session */
	p = be_prompt(h, CORE_PROMPT_HOSTKEY, xstrdup("Unknown Host Key"),
		      xasprintf("The authenticity of host %s cannot be established: it is not "
				"in your known_hosts file. Compare the fingerprint with the one "
				"the host's administrator gives you (ssh-keygen -lf "
				"/etc/ssh/ssh_host_%s_key.pub on the host).",
				host, be_ssh_keyfile_kind(keytype)),
		      NULL);
	p->keytype = xstrdup(keytype);
	p->fingerprint = xstrdup(fp);
	p->where = xstrdup(h->ssh_known_hosts ? h->ssh_known_hosts : "~/.ssh/known_hosts");
	core_log("ssh", "%s: unknown host key %s %s: asking", host, keytype, fp);
	if (be_ask(h, p, &choice, NULL, 0) < 0)
		return RM_HOSTKEY_REJECT;
	core_log("ssh", "%s: host key answer: %s", host, choice == CORE_HOSTKEY_SAVE ? "accept and save"
				       : choice == CORE_HOSTKEY_ONCE ? "accept once" : "reject");
	if (choice == CORE_HOSTKEY_ONCE)
		core_str_set(&h->ssh_accepted_fp, fp);
	return choice == CORE_HOSTKEY_SAVE   ? RM_HOSTKEY_ACCEPT_SAVE
	       : choice == CORE_HOSTKEY_ONCE ? RM_HOSTKEY_ACCEPT_ONCE
					     : RM_HOSTKEY_REJECT;
}

static int be_ssh_passphrase(void *data, const char *keyfile, char *buf, size_t len)
{
	be_host *h = data;
	core_prompt *p = be_prompt(h, CORE_PROMPT_SECRET, xstrdup("Key Passphrase"),
				   xasprintf("Enter the passphrase for the key %s (to log in to %s).",
					     keyfile, h->uri),
				   "Passphrase");
	core_log("ssh", "%s: asking the passphrase of %s", h->uri, keyfile);
	return be_ask(h, p, NULL, buf, len);
}

static int be_ssh_password(void *data, const char *who, int attempt, char *buf, size_t len)
{
	be_host *h = data;
	core_prompt *p = be_prompt(h, CORE_PROMPT_SECRET, xasprintf("Password for %s", who),
				   attempt > 1 ? xasprintf("Permission denied, please try again "
							   "(attempt %d). Password for %s:", attempt, who)
					       : xasprintf("Password for %s:", who),
				   "Password");
	core_log("ssh", "%s: password login for %s, attempt %d: asking", h->uri, who, attempt);
	return be_ask(h, p, NULL, buf, len);
}

static int be_ssh_kbdint(void *data, const char *name, const char *instruction,
			 const char *prompt, int echo, char *buf, size_t len)
{
	be_host *h = data;
	char *label = xstrdup(prompt && *prompt ? prompt : "Answer");
	size_t n = strlen(label);
	core_prompt *p;
	while (n > 1 && (label[n - 1] == ' ' || label[n - 1] == ':')) /* the dialog adds ':' */
		label[--n] = '\0';
	p = be_prompt(h, echo ? CORE_PROMPT_TEXT : CORE_PROMPT_SECRET,
		      xasprintf("%s", name && *name ? name : "Login"),
		      xasprintf("%s%s%s", h->uri, instruction && *instruction ? ": " : "",
				instruction ? instruction : ""),
		      label);
	core_log("ssh", "%s: keyboard-interactive prompt \"%s\" (%s): asking", h->uri, label,
		 echo ? "shown" : "hidden");
	free(label);
	return be_ask(h, p, NULL, buf, len);
}

static void be_ssh_warning(void *data, const char *text)
{
	be_host *h = data;
	md_msg *m = md_msg_new(MD_MSG_OP_RESULT, h->id);
	m->ok = true;
	m->text = xasprintf("%s: %s", h->uri, text);
	be_post(m);
}

static void be_ssh_closed(void *data, const char *reason)
{
	core_log("ssh", "%s: link closed: %s", ((be_host *)data)->uri, reason);
	be_host_mark_dead(data, reason); /* pump thread: the worker reconnects */
}

/* libvirt's credential callback (virConnectOpenAuth), on the worker. */
static int be_auth_cb(virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
	be_host *h = cbdata;
	for (unsigned int i = 0; i < ncred; i++) {
		bool secret = cred[i].type == VIR_CRED_PASSPHRASE || cred[i].type == VIR_CRED_NOECHOPROMPT;
		char buf[CORE_PROMPT_MAX];
		const char *what = cred[i].prompt && *cred[i].prompt ? cred[i].prompt : "Answer";
		core_prompt *p = be_prompt(h, secret ? CORE_PROMPT_SECRET : CORE_PROMPT_TEXT,
					   xasprintf("%s", cred[i].type == VIR_CRED_AUTHNAME ? "User Name"
							   : secret ? "Password" : "Question"),
					   xasprintf("%s asks: %s%s%s", h->uri, what,
						     cred[i].challenge && *cred[i].challenge ? "\n" : "",
						     cred[i].challenge ? cred[i].challenge : ""),
					   secret ? "Secret" : "Answer");
		if (cred[i].defresult)
			p->initial = xstrdup(cred[i].defresult);
		if (be_ask(h, p, NULL, buf, sizeof(buf)) < 0) {
			explicit_bzero(buf, sizeof(buf));
			return -1;
		}
		cred[i].result = xstrdup(buf);
		cred[i].resultlen = (unsigned int)strlen(buf);
		explicit_bzero(buf, sizeof(buf));
	}
	return 0;
}

static int be_auth_types[] = {
	VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE, VIR_CRED_ECHOPROMPT,
	VIR_CRED_NOECHOPROMPT, VIR_CRED_REALM, VIR_CRED_EXTERNAL,
};

virConnectPtr be_open_auth(be_host *h, const char *uri)
{
	virConnectAuth auth = { be_auth_types, CORE_ARRAY_LEN(be_auth_types), be_auth_cb, h };
	return virConnectOpenAuth(uri, &auth, 0);
}

/* ---- the session ----------------------------------------------------------- */

static const char *be_ssh_dir(void)
{
	const char *d = getenv("VMMC_SSH_DIR");
	return d && *d ? d : NULL;
}

/* ---- the remote sockets that worked ---------------------------------------
 * $XDG_CACHE_HOME/vmmc/ssh-sockets (else ~/.cache/vmmc/ssh-sockets): one
 * line per host, "user@host:port driver system|session<TAB>path", the
 * newest last, at most BE_SOCK_CACHE_MAX lines. The next connect opens that
 * socket first instead of probing the candidates one by one (a round trip
 * each). Only a hint: a wrong or missing line costs that one try. */
#define BE_SOCK_CACHE_MAX 256
static pthread_mutex_t be_sock_cache_mu = PTHREAD_MUTEX_INITIALIZER;

static char *be_sock_cache_file(void)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (x && x[0] == '/')
		return xasprintf("%s/vmmc/ssh-sockets", x);
	if (home && home[0] == '/')
		return xasprintf("%s/.cache/vmmc/ssh-sockets", home);
	return NULL;
}

static char *be_sock_cache_key(be_host *h)
{
	const char *t = rm_ssh_target(h->rs);
	if (strpbrk(t, "\t\n"))
		return NULL;
	return xasprintf("%s %s %s", t, h->ssh->driver, h->ssh->session ? "session" : "system");
}

/* The lines of the cache file but the one for key (file order). */
static size_t be_sock_cache_read(const char *file, const char *key, char ***lines, char **found)
{
	FILE *f = fopen(file, "r");
	char buf[4096];
	size_t n = 0, cap = 0, kl = strlen(key);

	*lines = NULL;
	if (found)
		*found = NULL;
	if (!f)
		return 0;
	while (fgets(buf, sizeof buf, f)) {
		size_t l = strcspn(buf, "\n");
		if (buf[l] != '\n')
			continue; /* too long or cut: not ours */
		buf[l] = '\0';
		if (strncmp(buf, key, kl) == 0 && buf[kl] == '\t') {
			if (found)
				core_str_set(found, buf + kl + 1);
			continue;
		}
		if (!strchr(buf, '\t'))
			continue;
		xgrow(lines, &cap, n + 1, sizeof **lines);
		(*lines)[n++] = xstrdup(buf);
	}
	fclose(f);
	return n;
}

static char *be_sock_cache_get(be_host *h)
{
	char *file = be_sock_cache_file(), *key = be_sock_cache_key(h), *path = NULL, **lines = NULL;
	size_t n = 0;
	if (file && key) {
		pthread_mutex_lock(&be_sock_cache_mu);
		n = be_sock_cache_read(file, key, &lines, &path);
		pthread_mutex_unlock(&be_sock_cache_mu);
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(file);
	free(key);
	if (path && path[0] != '/')
		xfree(&path);
	return path;
}

static void be_sock_cache_put(be_host *h, const char *path)
{
	char *file = be_sock_cache_file(), *key = be_sock_cache_key(h), *tmp = NULL, **lines = NULL;
	size_t n = 0;
	FILE *f = NULL;

	if (!file || !key || strpbrk(path, "\t\n"))
		goto out;
	pthread_mutex_lock(&be_sock_cache_mu);
	n = be_sock_cache_read(file, key, &lines, NULL);
	*strrchr(file, '/') = '\0';
	if (core_mkdir_p(file, 0700) == 0) {
		file[strlen(file)] = '/';
		tmp = xasprintf("%s.%ld.tmp", file, (long)getpid());
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0 && (f = fdopen(fd, "w")) == NULL)
			close(fd);
		if (fd >= 0 && f) {
			int bad;
			for (size_t i = n >= BE_SOCK_CACHE_MAX ? n - BE_SOCK_CACHE_MAX + 1 : 0; i < n; i++)
				fprintf(f, "%s\n", lines[i]);
			fprintf(f, "%s\t%s\n", key, path);
			bad = ferror(f);
			if (fclose(f) != 0 || bad || rename(tmp, file) != 0)
				unlink(tmp);
		}
	}
	pthread_mutex_unlock(&be_sock_cache_mu);
out:
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(tmp);
	free(file);
	free(key);
}

/* Transfers get a channel of their own: an exec channel running libvirt's
 * relay, virt-ssh-helper (libvirt >= 6.8), which reaches the daemon the
 * URI names by itself. Not when the user named the socket (the helper
 * would not use it), nor on a near host (below BE_SSH_XFER_RTT_MS): there
 * the window is not what limits, and the helper's extra copy and the extra
 * connect cost more than they bring (loopback: the host's connection is
 * faster). Opens nothing now: a missing helper shows when a transfer
 * connects, and it then uses the host's connection. */
enum { BE_SSH_XFER_RTT_MS = 10 };

/* The threshold; $VMMC_SSH_XFER_RTT_MS (read once) moves it, so that a
 * test can take the far-host path on loopback (0: every ssh:// host). */
static int be_ssh_xfer_rtt = BE_SSH_XFER_RTT_MS;
static pthread_once_t be_ssh_xfer_rtt_once = PTHREAD_ONCE_INIT;

static void be_ssh_xfer_rtt_read(void)
{
	const char *e = getenv("VMMC_SSH_XFER_RTT_MS");
	char *end = NULL;
	long v = e && *e ? strtol(e, &end, 10) : -1;
	if (end && !*end && v >= 0 && v < 100000)
		be_ssh_xfer_rtt = (int)v;
}

static void be_ssh_xfer_forward(be_host *h)
{
	struct core_ssh_target *t = h->ssh;
	char *cmd, *local = NULL, *err = NULL, *uri = NULL;
	int rtt = rm_ssh_rtt_ms(h->rs);

	if (t->socket || strspn(t->driver, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(t->driver))
		return;
	pthread_once(&be_ssh_xfer_rtt_once, be_ssh_xfer_rtt_read);
	if (rtt < be_ssh_xfer_rtt) {
		core_log("ssh", "%s: round trip %d ms: transfers use the host's connection", h->uri, rtt);
		return;
	}
	cmd = xasprintf("virt-ssh-helper %s:///%s", t->driver, t->session ? "session" : "system");
	if (rm_ssh_forward_exec(h->rs, cmd, &local, &err) == 0)
		core_log("ssh", "%s: round trip %d ms: transfers get a channel of their own (%s)", h->uri, rtt, cmd);
	if (local)
		uri = xasprintf("%s+unix:///%s?socket=%s", t->driver, t->session ? "session" : "system", local);
	else
		core_log("ssh", "%s: no channel for transfers: %s", h->uri, err);
	pthread_mutex_lock(&h->lock);
	free(h->ssh_xfer_uri);
	h->ssh_xfer_uri = uri;
	pthread_mutex_unlock(&h->lock);
	free(local);
	free(err);
	free(cmd);
}

char *be_ssh_xfer_uri(be_host *h)
{
	char *r;
	pthread_mutex_lock(&h->lock);
	r = h->ssh_xfer_uri ? xstrdup(h->ssh_xfer_uri) : NULL;
	pthread_mutex_unlock(&h->lock);
	return r;
}

int be_ssh_prepare(be_host *h, char **open_uri, char **err)
{
	struct core_ssh_target *t = h->ssh;
	rm_ssh_spec spec = { 0 };
	rm_ssh_cb cb = { h, be_ssh_hostkey, be_ssh_passphrase, be_ssh_password, be_ssh_kbdint,
			 be_ssh_warning };
	char *sock = NULL, *local = NULL;
	int rc;

	*open_uri = NULL;
	if (h->ssh_parse_err) {
		*err = xstrdup(h->ssh_parse_err);
		return -2;
	}
	if (h->rs && !rm_ssh_is_alive(h->rs))
		be_ssh_close(h);
	if (!h->rs) {
		const char *dir = be_ssh_dir();
		free(h->ssh_known_hosts);
		h->ssh_known_hosts = dir ? xasprintf("%s/known_hosts", dir) : NULL;
		spec.host = t->host;
		spec.user = t->user;
		spec.port = t->port;
		spec.ssh_dir = dir;
		spec.known_hosts = h->ssh_known_hosts;
		/* a keepalive after 6 quiet seconds: never while the daemon's 5 s
		 * pings flow through the link (every one of a thousand idle hosts
		 * sent both); a dead link is found after 2 x 6 = 12 s (was 15) */
		spec.keepalive_s = 6;
		spec.keepalive_max = 2;
		core_log("ssh", "%s: connecting to %s", h->uri, t->host);
		rc = rm_ssh_open(&spec, &cb, &h->rs, err);
		if (rc < 0) {
			core_log("ssh", "%s: login failed: %s", h->uri, *err);
			return rc;
		}
		core_log("ssh", "%s: logged in to %s with %s", h->uri, rm_ssh_target(h->rs),
			 rm_ssh_auth_method(h->rs));
		rm_ssh_on_closed(h->rs, be_ssh_closed, h);
		xfree(&h->ssh_local);
	}
	be_pace_authenticated(h); /* past sshd's MaxStartups */
	if (!h->ssh_local) {
		if (t->socket) {
			sock = xstrdup(t->socket);
		} else {
			char *last = be_sock_cache_get(h);
			rc = rm_ssh_find_libvirt_socket(h->rs, t->driver, t->session, last, &sock, err);
			if (rc == 0 && (!last || strcmp(last, sock) != 0))
				be_sock_cache_put(h, sock);
			free(last);
			if (rc < 0)
				return -1;
		}
		if (rm_ssh_forward_unix(h->rs, sock, &local, err) < 0) {
			free(sock);
			return -1;
		}
		h->ssh_local = local;
		core_log("ssh", "%s: remote socket %s forwarded to %s", h->uri, sock, local);
		be_ssh_xfer_forward(h);
		core_str_set(&h->ssh_remote, sock);
		free(sock);
	}
	*open_uri = xasprintf("%s+unix:///%s?socket=%s", t->driver, t->session ? "session" : "system",
			      h->ssh_local);
	return 0;
}

/* The SSH sessions' epoll on the libvirt event loop (be_evloop.c):
 * readable, the sessions are served there (rm_ssh_set_loop). */
struct be_ssh_loop_watch {
	void (*run)(void *arg);
	void *arg;
};

static void be_ssh_loop_cb(int watch, int fd, int events, void *opaque)
{
	const struct be_ssh_loop_watch *w = opaque;
	(void)watch;
	(void)fd;
	(void)events;
	w->run(w->arg);
}

static int be_ssh_loop_watch(int fd, void (*run)(void *arg), void *arg)
{
	struct be_ssh_loop_watch *w = xcalloc(1, sizeof(*w)); /* the poller's, for good */
	w->run = run;
	w->arg = arg;
	if (virEventAddHandle(fd, VIR_EVENT_HANDLE_READABLE, be_ssh_loop_cb, w, free) < 0) {
		free(w);
		return -1;
	}
	return 0;
}

void be_ssh_use_loop(void)
{
	static const rm_ssh_loop loop = { be_ssh_loop_watch, be_evloop_away_ms };
	rm_ssh_set_loop(&loop);
}

void be_ssh_quit_all(void)
{
	rm_ssh_quit_all();
}

char *be_ssh_via(be_host *h)
{
	if (!h->rs)
		return NULL;
	return xasprintf("SSH %s (%s), %s", rm_ssh_target(h->rs), rm_ssh_auth_method(h->rs),
			 h->ssh_remote ? h->ssh_remote : "?");
}

void be_ssh_close(be_host *h)
{
	pthread_mutex_lock(&h->lock);
	xfree(&h->ssh_xfer_uri);
	pthread_mutex_unlock(&h->lock);
	rm_ssh_close(&h->rs);
	xfree(&h->ssh_local);
}

void be_ssh_free(be_host *h)
{
	be_ssh_close(h);
	core_ssh_target_free(&h->ssh);
	free(h->ssh_parse_err);
	free(h->ssh_accepted_fp);
	free(h->ssh_known_hosts);
	free(h->ssh_remote);
}
