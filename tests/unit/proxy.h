/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tests/unit/proxy.h - a proxy in front of the daemon's socket that a test
 * can cut, take down, or freeze (header-only: each test binary is built
 * from one .c file). Include it after <cmocka.h>; the test defines SOCK.
 * Control bytes (proxy_say): c = cut every connection, d = down (cut and
 * refuse new ones until o = open), f = freeze (copy nothing), t = thaw,
 * q = quit. P.bytes counts what clients sent towards the daemon. */
#ifndef TESTS_UNIT_PROXY_H
#define TESTS_UNIT_PROXY_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define PROXY_MAX 16

static struct {
	char path[108];
	int lfd;
	int ctl[2];
	pthread_t th;
	int pair[PROXY_MAX][2]; /* client, daemon */
	int npairs;
	bool frozen;
	bool down;
	uint64_t bytes;         /* client -> daemon (atomic) */
} P = { .lfd = -1 };

static int unix_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0)
		return -1;
	return fd;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void proxy_drop(int i)
{
	close(P.pair[i][0]);
	close(P.pair[i][1]);
	P.pair[i][0] = P.pair[P.npairs - 1][0];
	P.pair[i][1] = P.pair[P.npairs - 1][1];
	P.npairs--;
}

/* Copy one chunk from fd to its partner; false on EOF or error. */
static bool proxy_copy(int from, int to, bool up)
{
	static char buf[262144];
	ssize_t n = read(from, buf, sizeof(buf)), off = 0;
	if (n <= 0)
		return false;
	if (up)
		__atomic_add_fetch(&P.bytes, (uint64_t)n, __ATOMIC_SEQ_CST);
	while (off < n) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

static bool proxy_control(void)
{
	char c = 0;
	if (read(P.ctl[0], &c, 1) != 1 || c == 'q') {
		while (P.npairs)
			proxy_drop(0);
		return false;
	}
	if (c == 'c' || c == 'd')
		while (P.npairs)
			proxy_drop(0);
	P.frozen = c == 'f' ? true : c == 't' ? false : P.frozen;
	P.down = c == 'd' ? true : c == 'o' ? false : P.down;
	return true;
}

static void proxy_accept(void)
{
	int c = accept4(P.lfd, NULL, NULL, SOCK_CLOEXEC), d;
	if (c < 0)
		return;
	if (P.down || P.npairs == PROXY_MAX || (d = unix_connect(SOCK)) < 0) {
		close(c);
		return;
	}
	P.pair[P.npairs][0] = c;
	P.pair[P.npairs][1] = d;
	P.npairs++;
}

static void *proxy_main(void *arg)
{
	for (;;) {
		struct pollfd fds[2 + 2 * PROXY_MAX] = { { .fd = P.ctl[0], .events = POLLIN } };
		int n = 1, npairs = P.npairs;

		if (!P.frozen) {
			fds[n++] = (struct pollfd){ .fd = P.lfd, .events = POLLIN };
			for (int i = 0; i < npairs; i++) {
				fds[n++] = (struct pollfd){ .fd = P.pair[i][0], .events = POLLIN };
				fds[n++] = (struct pollfd){ .fd = P.pair[i][1], .events = POLLIN };
			}
		}
		if (poll(fds, (nfds_t)n, -1) < 0)
			continue;
		if (fds[0].revents) {
			if (!proxy_control())
				return NULL;
			continue;
		}
		if (P.frozen)
			continue;
		for (int i = npairs - 1; i >= 0; i--) {
			short a = fds[2 + 2 * i].revents, b = fds[3 + 2 * i].revents;
			if ((a && !proxy_copy(P.pair[i][0], P.pair[i][1], true)) ||
			    (b && !proxy_copy(P.pair[i][1], P.pair[i][0], false)))
				proxy_drop(i);
		}
		if (fds[1].revents)
			proxy_accept();
	}
}

static void proxy_say(char c)
{
	if (write(P.ctl[1], &c, 1) != 1)
		fail_msg("proxy control");
}

/* Listen on /tmp/vmmc-<tag>-<pid>.sock; 0 or -1. */
static int proxy_start(const char *tag)
{
	snprintf(P.path, sizeof(P.path), "/tmp/vmmc-%s-%d.sock", tag, (int)getpid());
	if ((P.lfd = unix_listen(P.path)) < 0 || pipe(P.ctl) < 0)
		return -1;
	return pthread_create(&P.th, NULL, proxy_main, NULL) == 0 ? 0 : -1;
}

static void proxy_stop(void)
{
	if (P.lfd < 0)
		return;
	proxy_say('q');
	pthread_join(P.th, NULL);
	close(P.lfd);
	close(P.ctl[0]);
	close(P.ctl[1]);
	unlink(P.path);
	P.lfd = -1;
}

#endif
