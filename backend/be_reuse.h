/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_reuse.h - is a local file already a volume of a pool? A
 * volume of the same size and SHA-256 need not be uploaded again (an ISO
 * the user has sent before under any name). */
#ifndef BACKEND_BE_REUSE_H
#define BACKEND_BE_REUSE_H

#include <stddef.h>
#include <stdint.h>

#include "be.h"

/* Hash local (SHA-256) and each volume named in vols of the pool (uuid)
 * on host h, read whole with a sparse download (holes hashed as zeros,
 * not sent), until one matches; on a thread of its own with the
 * host's connection (held by reference). Answers one MD_MSG_OP_RESULT
 * (host_id, .op BE_OP_VOL_SAME, the returned seq): ok with .strs[0] the
 * matching volume's name, .strs[1] the file's hex SHA-256 and .strs[2]
 * local, nstrs 0 when none matched; !ok with .text when the file or the
 * host could not be read. The caller picks the volumes (those of the
 * file's size). Arguments are copied. */
uint64_t be_vol_same_start(be_host *h, int host_id, const char *pool_uuid, const char *local, char *const *vols,
			   size_t nvols);

/* The SHA-256 of a local file (hex), holes hashed as zeros. 0, -1 with *err. */
int be_file_sha256(const char *path, char hex[65], char **err);

#endif
