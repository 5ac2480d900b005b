/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_detect.h - waits the UI must not do, done on a thread of
 * their own with the answer as a message: libosinfo's database being
 * ready, and the OS of a local install ISO (its first 64 KiB read and
 * matched by libosinfo). Each returns at once with a job number (seq);
 * the answer is one MD_MSG_OP_RESULT with that .seq, the caller's host_id
 * and .op BE_OP_OSINFO_READY / BE_OP_ISO_DETECT, so a mode that expects it
 * (tui_mode_expect) gets it in its reply(). Their seqs have the top bit
 * set: never a host worker's. Arguments are copied. After be_init. */
#ifndef BACKEND_BE_DETECT_H
#define BACKEND_BE_DETECT_H

#include <stdint.h>

#include "be.h"

/* BE_OP_OSINFO_READY: ok when the shared database (be_osinfo_preload,
 * started here when it is not yet) loaded, else .text says why. Answers
 * at once when it is there already. */
uint64_t be_osinfo_ready_start(int host_id);

/* BE_OP_ISO_DETECT for the file at path: ok = it was read as an ISO
 * (.text: what the user is told, "Detected Debian 12 on the install
 * media"; .strs[0]: the OS's id when libosinfo knows it, nstrs 0 when
 * not); !ok: .text says why ("The OS was not detected: /x.iso: No such
 * file or directory"). .strs[1] is the path that was read. */
uint64_t be_iso_detect_start(int host_id, const char *path);

/* BE_OP_SSH_KEYS: the user's SSH public keys (be_seed_user_keys: the
 * ~/.ssh/NAME.pub files and the agent's) in .strs, one each; always ok. */
uint64_t be_ssh_keys_start(int host_id);

/* BE_OP_SEED_BUILD: a cloud-init seed ISO made from the two files' text
 * (be_seed_build_files) in a new 0700 temporary folder: ok with .strs[0]
 * its path (the caller uploads it, then be_seed_discard), else .text says
 * why ("Could not make the cloud-init seed: No tool to make the seed ISO:
 * install xorriso or genisoimage") and nothing is left. */
uint64_t be_seed_build_start(int host_id, const char *meta, const char *user);

/* BE_OP_HOST_WAIT: ok once host h has a connection (after min_ms at
 * least), !ok with .text after timeout_ms or when h is being freed. h is
 * held by reference meanwhile. */
uint64_t be_host_wait_start(be_host *h, int host_id, int timeout_ms, int min_ms);

/* Run fn(arg) on a detached thread of its own (here when none can be
 * made), counted for be_fini: fn ends with be_live_hosts_add(-1). */
void be_detached(void *(*fn)(void *), void *arg);

/* Run fn(arg) on a detached thread of its own, made by the spawner thread
 * (be_spawner_start, by be_init): the caller (the UI thread) never maps a
 * stack, so never waits for the process's mmap lock. Not counted for
 * be_fini. Made here when the spawner is not running. */
void be_spawn(void *(*fn)(void *), void *arg);
void be_spawner_start(void);
void be_spawner_stop(void); /* starts what was queued, then ends */

#endif
