/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remote/rm_ssh.h - SSH sessions on libssh for SSH hosts: ~/.ssh/config,
 * known_hosts checked like OpenSSH, authentication with prompts through
 * callbacks, and stream-local forwards to a remote unix socket (libvirt's)
 * bridged to a private local unix socket.
 *
 * No curses, no libvirt types; libssh stays inside remote/.
 *
 * THREADS
 *   rm_ssh_open() blocks (connect, key exchange, authentication; each
 *   blocking step is bounded by spec->timeout_s) and runs on the caller's
 *   thread - in vmmc the host's worker thread. The prompt callbacks
 *   (hostkey, passphrase, password, kbdint, warning) are called on that
 *   same thread, synchronously: a callback may block as long as it likes
 *   (post a prompt to the UI, wait on a condition variable for the answer)
 *   and then return the answer. The connect timeout does not run while a
 *   callback waits.
 *   After a successful open, the session is served by one of a few poll
 *   threads shared by all sessions (VMMC_SSH_POLLERS, default one per two
 *   CPUs, at most 4; one epoll each, libssh non-blocking there): it sends
 *   keepalives, accepts connections on the local forward sockets and pumps
 *   bytes both ways for all of the session's channels. Nothing there waits
 *   on one session: a slow reader or a dead link holds up no other. The
 *   other functions below may be called from any one thread at a time
 *   (they take the session's lock; while a blocking call holds it, the
 *   session is served after it). The closed callback runs on the poll
 *   thread, without the session's lock held; it must be quick and must not
 *   call rm_ssh_close() itself (post a message and close from elsewhere).
 *
 * SECRETS
 *   Passphrases, passwords and keyboard-interactive answers are written by
 *   the callback into a buffer that this library owns (buf, len); the
 *   library wipes it (explicit_bzero) right after handing it to libssh.
 *   Nothing here logs or stores a secret, and nothing goes through argv.
 *
 * ERRORS
 *   Functions return 0 / -1; on -1 *err (when err is not NULL) is a
 *   malloc'd message the caller frees. Messages may quote text that came
 *   from the network (a banner, a server's reason): sanitize before display.
 *
 * INTEGRATION (backend/be_ssh.c)
 *   backend, on the host's worker, for ssh://[user@]host[:port]: rm_ssh_open
 *   with callbacks that post a prompt message to the UI and wait on a
 *   condition variable; rm_ssh_on_closed posting "disconnected";
 *   rm_ssh_find_libvirt_socket then rm_ssh_forward_unix; virConnectOpen of
 *   "qemu+unix:///system?socket=LOCAL" (///session for the session daemon).
 *   One rm_ssh per host; on close: virConnectClose, rm_ssh_close, reconnect
 *   with backoff (an agent key needs no new prompt).
 *   tui: dialogs for the host key (Accept once / Accept and save / Reject),
 *   the passphrase and the password / keyboard-interactive prompts (no
 *   echo); copy the answer into the worker's buffer and wipe the UI's copy.
 */
#ifndef REMOTE_RM_SSH_H
#define REMOTE_RM_SSH_H

#include <stddef.h>
#include <stdint.h>

typedef struct rm_ssh rm_ssh;

/* What the user answered for a host key not in known_hosts. */
typedef enum rm_hostkey_answer {
	RM_HOSTKEY_REJECT = 0,     /* do not connect */
	RM_HOSTKEY_ACCEPT_ONCE,    /* connect, remember nothing */
	RM_HOSTKEY_ACCEPT_SAVE,    /* connect and append the key to known_hosts */
} rm_hostkey_answer;

/* Where to connect. Only host is required; the rest overrides ssh_config. */
typedef struct rm_ssh_spec {
	const char *host;        /* a name, an address or a ~/.ssh/config Host alias */
	const char *user;        /* NULL: ssh_config's User, else the local user */
	int port;                /* 0: ssh_config's Port, else 22 */
	const char *ssh_dir;     /* NULL: ~/.ssh (the passwd entry's home, like ssh) */
	const char *config_file; /* NULL: SSH_DIR/config then /etc/ssh/ssh_config;
	                            "": read no config; else only that file */
	const char *known_hosts; /* NULL: SSH_DIR/known_hosts (UserKnownHostsFile) */
	const char *identity;    /* an extra private key file, tried first; NULL none */
	int timeout_s;           /* connect and each blocking step; 0: 10 s */
	int keepalive_s;         /* idle time before a keepalive; 0: 15 s */
	int keepalive_max;       /* unanswered intervals before "dead"; 0: 3 */
	int password_tries;      /* password / kbd-interactive rounds; 0: 3 */
} rm_ssh_spec;

/* Prompts. Any of them may be NULL (= cannot answer: reject / skip). All
 * are called on the rm_ssh_open() thread and may block; see THREADS. */
typedef struct rm_ssh_cb {
	void *data; /* passed to every callback */
	/* An unknown host key. host is "name" or "[name]:port" as written to
	 * known_hosts; keytype like "ssh-ed25519"; fingerprint "SHA256:..."
	 * (OpenSSH's format). Not called for a known or a changed key. */
	rm_hostkey_answer (*hostkey)(void *data, const char *host, const char *keytype,
				     const char *fingerprint);
	/* The passphrase of an encrypted key file: write it NUL-terminated into
	 * buf (len bytes) and return 0, or return -1 to skip that key. */
	int (*passphrase)(void *data, const char *keyfile, char *buf, size_t len);
	/* A password for user@host; attempt counts from 1 (2 after a wrong one).
	 * Fill buf, return 0; -1 cancels password authentication. */
	int (*password)(void *data, const char *user_at_host, int attempt, char *buf, size_t len);
	/* One keyboard-interactive prompt (name and instruction may be ""),
	 * echo = 1 when the answer may be shown. Fill buf, return 0; -1 cancels. */
	int (*kbdint)(void *data, const char *name, const char *instruction, const char *prompt,
		      int echo, char *buf, size_t len);
	/* Something to show but not fatal: an unsupported ssh_config option,
	 * a key file that could not be read, the server's banner. */
	void (*warning)(void *data, const char *text);
} rm_ssh_cb;

/* Connect, check the host key, authenticate (agent, key files, keyboard-
 * interactive, password, in that order); hand the session to a poll thread.
 * cb is copied (cb->data must stay valid until rm_ssh_close). Returns 0;
 * -1 on an error that may go away (network, timeout); -2 when the host key
 * was refused (changed, rejected, unreadable known_hosts) or the login was
 * (Permission denied, prompts cancelled): retrying alone will not help. */
int rm_ssh_open(const rm_ssh_spec *spec, const rm_ssh_cb *cb, rm_ssh **out, char **err);

/* Who and where, as resolved from ssh_config: "user@hostname:port". Borrowed. */
const char *rm_ssh_target(const rm_ssh *s);
/* The method that logged in: "agent", "publickey", "keyboard-interactive",
 * "password" (or "none"). Borrowed. */
const char *rm_ssh_auth_method(const rm_ssh *s);

/* Called once (on the poll thread) when the link is found dead: EOF or an
 * error on the SSH socket, or keepalive_max keepalive intervals without a
 * byte from the server. reason is borrowed for the call. Not called for
 * rm_ssh_close(). Set it right after open; a NULL fn removes it. If the link
 * died before it was set, it is called at once from here. */
void rm_ssh_on_closed(rm_ssh *s, void (*fn)(void *data, const char *reason), void *data);
/* 1 while the link is up, 0 once it was found dead. */
int rm_ssh_is_alive(rm_ssh *s);

/* Listen on a private local unix socket (mode 0600, in a fresh 0700
 * directory under $XDG_RUNTIME_DIR, else $TMPDIR, else /tmp; removed by
 * rm_ssh_close and, for one still open then, at exit) and bridge each connection
 * accepted there to a new direct-streamlocal channel to remote_path on the
 * server. *local_path (caller frees) is the socket; libvirt opens it as
 * "qemu+unix:///system?socket=<local_path>". The first channel is opened at
 * once as a check, so a missing remote socket fails here. Several forwards
 * per session are fine; all are removed by rm_ssh_close(). */
int rm_ssh_forward_unix(rm_ssh *s, const char *remote_path, char **local_path, char **err);

/* Like rm_ssh_forward_unix, but each connection accepted on the local
 * socket runs command on the server (an exec channel: its stdin and stdout
 * are the far end; its stderr is dropped), e.g. "virt-ssh-helper
 * qemu:///system", libvirt's own relay. Nothing is opened now: a command
 * that fails shows as EOF on the connection. OpenSSH's sshd returns the
 * window of a session channel sooner than that of a forwarded socket:
 * measured at 200 ms RTT, 7.7 MB/s against 4.8 MB/s (OpenSSH's own client:
 * 6.6 and 4.7). */
int rm_ssh_forward_exec(rm_ssh *s, const char *command, char **local_path, char **err);

/* A display (VNC, SPICE) or any TCP service of the server: listen on
 * 127.0.0.1 only, at a free port the kernel picks (*local_port), and
 * bridge each connection accepted there to a new channel on the server:
 * direct-tcpip to remote_host:remote_port as the server sees it (give
 * "127.0.0.1" for a service on the server's loopback), or, when
 * remote_host is NULL, direct-streamlocal to the unix socket remote_path.
 * One channel is opened (and closed) at once as a check, so an unreachable
 * target fails here. Lives until rm_ssh_unforward or rm_ssh_close. */
int rm_ssh_forward_tcp(rm_ssh *s, const char *remote_host, int remote_port, const char *remote_path,
		       int *local_port, char **err);
/* Stop the forward listening at local_port: its socket is closed (the port
 * is free again) and its connections dropped. 0, or -1 when there is none. */
int rm_ssh_unforward(rm_ssh *s, int local_port);
/* How many forwards the session has (unix and TCP). */
int rm_ssh_forward_count(rm_ssh *s);

/* Find the remote libvirt daemon's socket by opening a test channel to
 * each candidate, one after another (a round trip each): first, when not
 * NULL (an absolute path: the one that worked last time for this host),
 * then: driver ("qemu" if NULL) picks virt<driver>d-sock before the
 * monolithic libvirt-sock; session = 0: /run/libvirt/..., session = 1: the
 * remote user's /run/user/UID/libvirt/... then ~/.cache/libvirt/... (UID
 * and HOME asked with one exec channel, not needed when first opens).
 * *path: caller frees. On failure the error lists every socket tried and
 * why. */
int rm_ssh_find_libvirt_socket(rm_ssh *s, const char *driver, int session, const char *first,
			       char **path, char **err);

/* Run a command on the server and collect its stdout (at most max bytes,
 * NUL-terminated, caller frees) and exit status. For small queries only. */
int rm_ssh_exec(rm_ssh *s, const char *cmd, size_t max, char **out, int *status, char **err);

/* The version of the libssh library vmmc runs with ("0.10.6/openssl/zlib"). */
const char *rm_ssh_lib_version(void);

/* The round trip to the server in ms (rounded up), from the quickest
 * channel open seen (rm_ssh_find_libvirt_socket, rm_ssh_forward_unix's
 * check, rm_ssh_forward_tcp); -1 before any. */
int rm_ssh_rtt_ms(rm_ssh *s);

/* Bytes carried through all forwards, both ways (for tests / stats). */
unsigned long long rm_ssh_bytes(rm_ssh *s);

/* An outside event loop that serves the sessions (their SSH sockets and
 * forwards) on its own thread, instead of a poll thread of their own (one
 * wake per message through, not three: see rm_ssh.c). watch: call run(arg)
 * on the loop's thread whenever fd is readable (0, or -1 with errno);
 * busy_ms: how long the loop's thread has been away from its wait (0:
 * waiting) - a poll thread still runs, serving what the loop leaves
 * waiting longer than 50 ms (a callback that blocks, a loop not running).
 * Before the first session opens; $VMMC_SSH_LOOP=thread keeps the poll
 * threads serving. */
typedef struct rm_ssh_loop {
	int (*watch)(int fd, void (*run)(void *arg), void *arg);
	int64_t (*busy_ms)(void);
} rm_ssh_loop;
void rm_ssh_set_loop(const rm_ssh_loop *loop);

/* Quitting: every open session drops its forwards' connections at once
 * (their clients see EOF, so libvirt's virConnectClose does not wait a
 * round trip for the answer to its CONNECT_CLOSE) and counts as closed
 * (rm_ssh_is_alive 0; no closed callback). Any thread; rm_ssh_close is
 * still needed. */
void rm_ssh_quit_all(void);

/* Take the session from its poll thread, close every channel and socket, remove the
 * local sockets and their directories, disconnect, free; *s = NULL. */
void rm_ssh_close(rm_ssh **s);

/* The unix forward at local_path stops listening (its descriptor closed,
 * its socket file removed) once its client is connected: the connections
 * it bridged go on. Forwards left this way whose connections have ended
 * are freed. 0, or -1 when no such forward listens. */
int rm_ssh_unlisten(rm_ssh *s, const char *local_path);

#endif
