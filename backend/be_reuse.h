/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_reuse.h - is a local file already a volume of a pool? A
 * volume of the same size and SHA-256 need not be uploaded again (an ISO
 * the user has sent before under any name). */
#ifndef BACKEND_BE_REUSE_H
#define BACKEND_BE_REUSE_H

#include <stddef.h>
#include <stdint.h>

#include "be.h"

/* Compare local with each volume named in vols of the pool (uuid) on host
 * h, byte for byte: each volume read with a sparse download (holes checked
 * as zeros, not sent) while the file is read at the same offsets, stopped
 * at the first differing block; until one matches. On a local host (not
 * ssh, not a "driver+transport" URI) a volume whose path opens here is read
 * as that file instead (no stream through the daemon). A pair this session
 * found (or made: be_vol_same_remember) equal is checked with one read of
 * the volume's timestamps instead, while neither has been written since. On a thread of its own
 * with the host's connection (held by reference). Answers one
 * MD_MSG_OP_RESULT (host_id, .op BE_OP_VOL_SAME, the returned seq): ok
 * with .strs[0] the matching volume's name, .strs[1] "" (no hash is
 * computed: equal bytes are the proof) and .strs[2] local, nstrs 0 when
 * none matched; !ok with .text when the file or the host could not be
 * read. The caller picks the volumes (those of the file's size). Arguments
 * are copied. */
uint64_t be_vol_same_start(be_host *h, int host_id, const char *pool_uuid, const char *local, char *const *vols,
			   size_t nvols);

/* A volume this session uploaded from local, whose stat was *before when
 * the upload began: kept as equal to the file (on a thread of its own: one
 * read of the volume's timestamps), so that comparing the same file with
 * it later costs that one read instead of reading the volume whole. Nothing
 * is kept if the file changed meanwhile or the pool gives no timestamps. */
struct stat;
void be_vol_same_remember(be_host *h, const char *pool_uuid, const char *vol, const char *local,
			  const struct stat *before);

#endif
