/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/msgq.c - see msgq.h. A mutex-protected singly linked list plus a
 * self-pipe: one byte is written when the queue goes from empty to non-empty
 * and the pipe is drained when a pop empties it. */
#include "msgq.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct core_msgq_node {
	struct core_msgq_node *next;
	void *item;
};

struct core_msgq {
	pthread_mutex_t lock;
	struct core_msgq_node *head, *tail;
	size_t len;
	int fds[2];
	core_free_fn free_fn;
};

core_msgq *core_msgq_new(core_free_fn free_fn)
{
	core_msgq *q = xcalloc(1, sizeof(*q));
	pthread_mutex_init(&q->lock, NULL);
	q->free_fn = free_fn;
	if (pipe(q->fds) != 0)
		abort();
	for (int i = 0; i < 2; i++) {
		fcntl(q->fds[i], F_SETFL, fcntl(q->fds[i], F_GETFL) | O_NONBLOCK);
		fcntl(q->fds[i], F_SETFD, FD_CLOEXEC);
	}
	return q;
}

void core_msgq_free(core_msgq **qp)
{
	core_msgq *q = *qp;
	void *it;
	if (!q)
		return;
	while ((it = core_msgq_pop(q)) != NULL)
		if (q->free_fn)
			q->free_fn(it);
	close(q->fds[0]);
	close(q->fds[1]);
	pthread_mutex_destroy(&q->lock);
	free(q);
	*qp = NULL;
}

void core_msgq_post(core_msgq *q, void *item)
{
	struct core_msgq_node *n = xmalloc(sizeof(*n));
	int was_empty;
	n->next = NULL;
	n->item = item;
	pthread_mutex_lock(&q->lock);
	was_empty = q->head == NULL;
	if (q->tail)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	q->len++;
	if (was_empty) {
		char c = 1;
		ssize_t r;
		do
			r = write(q->fds[1], &c, 1);
		while (r < 0 && errno == EINTR);
	}
	pthread_mutex_unlock(&q->lock);
}

void *core_msgq_pop(core_msgq *q)
{
	struct core_msgq_node *n;
	void *it = NULL;
	pthread_mutex_lock(&q->lock);
	n = q->head;
	if (n) {
		q->head = n->next;
		if (!q->head)
			q->tail = NULL;
		q->len--;
		it = n->item;
		free(n);
	}
	if (!q->head) {
		char buf[64];
		while (read(q->fds[0], buf, sizeof(buf)) > 0)
			;
	}
	pthread_mutex_unlock(&q->lock);
	return it;
}

int core_msgq_fd(const core_msgq *q)
{
	return q->fds[0];
}

size_t core_msgq_len(core_msgq *q)
{
	size_t n;
	pthread_mutex_lock(&q->lock);
	n = q->len;
	pthread_mutex_unlock(&q->lock);
	return n;
}
