/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/sha256.h - SHA-256 (FIPS 180-4), libc only, streaming. */
#ifndef CORE_SHA256_H
#define CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct core_sha256 {
	uint32_t h[8];
	uint64_t len;          /* bytes hashed */
	unsigned char buf[64];
	size_t nbuf;
} core_sha256;

void core_sha256_init(core_sha256 *c);
void core_sha256_update(core_sha256 *c, const void *data, size_t n);
/* n zero bytes (a hole), without a buffer of that size. */
void core_sha256_zeros(core_sha256 *c, uint64_t n);
/* The digest as 64 lowercase hex digits and a NUL (hex: 65 bytes). */
void core_sha256_hex(core_sha256 *c, char hex[65]);

#endif
