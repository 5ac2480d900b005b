/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/storage.h - pure helpers for storage and network dialogs and the
 * backend: sizes with units, volume names, IPv4 subnets. libc only. */
#ifndef CORE_STORAGE_H
#define CORE_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "20G", "20 GiB", "512 MiB", "1.5T", "100MB", "4096" -> bytes.
 * K M G T P and KiB MiB GiB TiB PiB are powers of 1024, kB MB GB TB PB of
 * 1000, a bare number or "B" is bytes. Case of the letters is free except
 * that "b" alone is refused (bits?). 0, negative, junk ("20GG"), overflow:
 * -1 with *err (caller frees) saying what is wrong. */
int core_size_parse(const char *s, uint64_t *out, char **err);
/* bytes -> "20 GiB", "1.5 GiB", "512 MiB", "100 B" */
void core_size_fmt(uint64_t bytes, char *buf, size_t len);

/* A volume, pool or network name: not empty, no '/', no control
 * characters, not "." or "..", at most 255 bytes. 0 or -1 with *err
 * ("may not contain '/'"); what names the field is the caller's. */
int core_name_check(const char *name, char **err);

typedef struct core_cidr {
	uint32_t addr;   /* host order, the network address (host bits cleared) */
	int prefix;      /* 0..32 */
} core_cidr;

/* "192.168.124.0/24" (or an address with host bits set: cleared; "/N"
 * required, or a dotted netmask "192.168.1.0/255.255.255.0"). 0 or -1
 * with *err. *host (may be NULL) gets the address as written. */
int core_cidr_parse(const char *s, core_cidr *out, uint32_t *host, char **err);
int core_ipv4_parse(const char *s, uint32_t *out); /* 0 / -1 */
void core_ipv4_fmt(uint32_t addr, char *buf, size_t len); /* needs 16 bytes */
int core_netmask_prefix(uint32_t mask);                    /* -1 if not contiguous */
bool core_cidr_overlap(core_cidr a, core_cidr b);
bool core_cidr_contains(core_cidr net, uint32_t addr);
/* A free /24 among the private ranges: 192.168.100-254.0/24 first, then
 * 10.0-255.x, then 172.16-31.x, none overlapping used[]. 0 or -1 (all
 * used). */
int core_subnet_suggest(const core_cidr *used, size_t nused, core_cidr *out);

#endif
