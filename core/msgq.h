/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/msgq.h - a thread-safe FIFO of owned items with a wake fd.
 * Producers (backend threads) post; the UI thread polls core_msgq_fd() for
 * POLLIN and pops until empty. Never blocks the consumer. libc only. */
#ifndef CORE_MSGQ_H
#define CORE_MSGQ_H

#include <stddef.h>

typedef struct core_msgq core_msgq;
typedef void (*core_free_fn)(void *item);

/* free_fn destroys items still queued when the queue is freed. */
core_msgq *core_msgq_new(core_free_fn free_fn);
void core_msgq_free(core_msgq **q);
/* Takes ownership of item (non-NULL). Safe from any thread. */
void core_msgq_post(core_msgq *q, void *item);
/* Returns the oldest item (caller owns it) or NULL when empty. */
void *core_msgq_pop(core_msgq *q);
/* Readable while items wait. */
int core_msgq_fd(const core_msgq *q);
size_t core_msgq_len(core_msgq *q);

#endif
