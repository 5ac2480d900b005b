/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/input.c - see input.h. */
#include "input.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/log.h"
#include "../core/util.h"

enum { SGR_MAX = 32 }; /* "ESC [ < 65;1000;1000M" and room: longer is no report */

size_t tui_input_whole(const unsigned char *buf, size_t n)
{
	/* the last ESC starts the only report that can be unfinished */
	for (size_t i = n; i-- > 0;) {
		size_t k = n - i; /* bytes from the ESC on */
		if (buf[i] != 0x1b)
			continue;
		if (k == 1 || buf[i + 1] != '[')
			return n; /* a lone ESC or another sequence: curses times it */
		if (k == 2)
			return i; /* ESC [: what follows tells */
		if (buf[i + 2] == 'M') /* X10: three raw bytes follow */
			return k < 6 ? i : n;
		if (buf[i + 2] != '<' || k > SGR_MAX)
			return n;
		for (size_t j = i + 3; j < n; j++)
			if (buf[j] == 'M' || buf[j] == 'm' || !((buf[j] >= '0' && buf[j] <= '9') || buf[j] == ';'))
				return n; /* finished (or not a report) */
		return i;
	}
	return n;
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool up, paused, stop;
	int tty, out, wake[2];
	pthread_t th;
} relay = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .out = -1,
	    .wake = { -1, -1 } };

static bool write_all(int fd, const unsigned char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
	}
	return true;
}

static void *relay_main(void *unused)
{
	unsigned char buf[4096 + SGR_MAX];
	size_t held = 0;
	int64_t held_ms = 0;
	(void)unused;
	for (;;) {
		struct pollfd p[2] = { { .fd = relay.tty, .events = POLLIN }, { .fd = relay.wake[0], .events = POLLIN } };
		int timeout = -1, r;
		ssize_t k = 0;
		if (held) {
			int64_t left = held_ms + TUI_INPUT_HOLD_MS - core_now_ms();
			timeout = left > 0 ? (int)left : 0;
		}
		r = poll(p, 2, timeout);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && p[1].revents) {
			char c[16];
			if (read(relay.wake[0], c, sizeof(c)) < 0) {
				/* nothing to do: the flags say why it woke */
			}
		}
		pthread_mutex_lock(&relay.lock);
		if (relay.paused && !relay.stop) {
			/* lent to a program: what poll saw may be its key now */
			while (relay.paused && !relay.stop)
				pthread_cond_wait(&relay.cond, &relay.lock);
			pthread_mutex_unlock(&relay.lock);
			continue;
		}
		if (relay.stop) {
			pthread_mutex_unlock(&relay.lock);
			break;
		}
		/* read under the lock: a pause taken after this cannot lose a
		 * key to the relay (poll said readable: it does not block) */
		if (r > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			k = read(relay.tty, buf + held, sizeof(buf) - held);
		pthread_mutex_unlock(&relay.lock);
		if (k < 0 && errno == EIO) {
			pid_t fg = tcgetpgrp(relay.tty);
			errno = EIO;
			if (fg > 0 && fg != getpgrp()) {
				/* a background job whose read cannot stop it (an
				 * orphaned process group): wait to be in the
				 * foreground again (-1: the terminal is gone) */
				poll(&p[1], 1, 250);
				continue;
			}
		}
		if (r > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) && k <= 0 && !(k < 0 && errno == EINTR))
			break; /* the terminal is gone: curses reads end of file */
		if (k > 0) {
			size_t n = held + (size_t)k, w = tui_input_whole(buf, n);
			if (w && !write_all(relay.out, buf, w))
				break;
			memmove(buf, buf + w, n - w);
			if (!held && n > w)
				held_ms = core_now_ms();
			held = n - w;
		} else if (held && core_now_ms() >= held_ms + TUI_INPUT_HOLD_MS) {
			/* never finished: a mouse report's start is dropped (curses
			 * would wait for its rest in a blocking read), an ESC [ goes */
			if (held > 2) {
				core_log("input", "dropped an unfinished mouse report (%zu bytes, %d ms)", held,
					 TUI_INPUT_HOLD_MS);
			} else if (!write_all(relay.out, buf, held)) {
				break;
			}
			held = 0;
		}
	}
	close(relay.out);
	relay.out = -1;
	return NULL;
}

int tui_input_start(int tty_fd, int *curses_fd)
{
	int p[2], rc;
	sigset_t all, old;
	if (relay.up)
		return -1;
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(relay.wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	relay.tty = tty_fd;
	relay.out = p[1];
	relay.paused = relay.stop = false;
	/* no signal for the relay: SIGWINCH, SIGTERM ... go to the UI thread,
	 * whose poll they interrupt (the relay's mask is the one it is made with).
	 * But SIGTTIN: a read in the background (Ctrl-Z, then bg) stops the
	 * job as any job, where with it blocked the read failed with EIO and
	 * the relay ended; fg continues the read */
	sigfillset(&all);
	sigdelset(&all, SIGTTIN);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&relay.th, NULL, relay_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(p[0]);
		close(p[1]);
		close(relay.wake[0]);
		close(relay.wake[1]);
		relay.out = relay.wake[0] = relay.wake[1] = -1;
		return -1;
	}
	relay.up = true;
	*curses_fd = p[0];
	return 0;
}

static void relay_set(bool paused, bool stop)
{
	pthread_mutex_lock(&relay.lock);
	relay.paused = paused;
	relay.stop = relay.stop || stop;
	pthread_cond_broadcast(&relay.cond);
	pthread_mutex_unlock(&relay.lock);
	if (relay.up && write(relay.wake[1], "w", 1) < 0) {
		/* full: it wakes anyway */
	}
}

void tui_input_pause(void)
{
	relay_set(true, false);
}

void tui_input_resume(void)
{
	relay_set(false, false);
}

void tui_input_stop(void)
{
	if (!relay.up)
		return;
	relay_set(false, true);
	pthread_join(relay.th, NULL);
	close(relay.wake[0]);
	close(relay.wake[1]);
	relay.wake[0] = relay.wake[1] = -1;
	relay.up = false;
}

static FILE *curses_in; /* the relay's pipe as curses reads it */

int tui_input_newterm(void)
{
	int fd = -1;
	/* curses reads the terminal through the relay (a mouse report only
	 * whole: no blocking read of its rest), else the terminal */
	if (tui_input_start(STDIN_FILENO, &fd) == 0 && !(curses_in = fdopen(fd, "r"))) {
		close(fd);
		tui_input_stop();
	}
	if (!newterm(NULL, stdout, curses_in ? curses_in : stdin)) {
		tui_input_end();
		return -1;
	}
	return curses_in ? fd : STDIN_FILENO;
}

void tui_input_end(void)
{
	tui_input_stop();
	if (curses_in)
		fclose(curses_in);
	curses_in = NULL;
}
