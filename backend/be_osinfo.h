/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_osinfo.h - operating systems from libosinfo's database
 * (osinfo-db), with no GLib or libosinfo type in the interface.
 *
 * Loading the database parses a few thousand XML files (measured here:
 * see be_osinfo_load_ms) and is too slow for the UI thread, so
 * be_osinfo_preload() loads it once on a thread of its own at start and
 * be_osinfo_shared() hands it out, non-blocking, once it is there. A loaded
 * database is read-only: its OS table (plain C, made at load) is read from
 * any thread without a lock; be_osinfo_search / _find touch no libosinfo
 * object. Media detection (be_osinfo_detect) reads a file: run it on a
 * worker, not the UI thread. */
#ifndef BACKEND_BE_OSINFO_H
#define BACKEND_BE_OSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct be_osinfo be_osinfo;

/* One OS (strings owned by the database when from it; be_os_copy gives
 * one of your own, freed with be_os_clear). */
typedef struct be_os {
	char *id;            /* "http://debian.org/debian/11" */
	char *short_id;      /* "debian11" */
	char *name;          /* "Debian 11" */
	char *vendor;        /* "Debian Project", may be NULL */
	char *family;        /* "linux", "winnt" ..., may be NULL */
	char *release;       /* "2021-08-14", may be NULL */
	uint64_t rec_ram;    /* recommended bytes of memory, 0 = not said */
	unsigned rec_cpus;   /* recommended vCPUs, 0 = not said */
	uint64_t rec_storage;/* recommended disk bytes, 0 = not said */
	uint64_t min_ram;    /* the minimum: memory, vCPUs, disk; 0 = not said */
	unsigned min_cpus;
	uint64_t min_storage;
	bool virtio_disk;    /* it has a driver for virtio-blk */
	bool virtio_net;     /* ... and virtio-net */
	bool needs_uefi;     /* UEFI only (BIOS unsupported), e.g. Windows 11 */
	bool eol;            /* end of life date passed */
} be_os;

/* Load a database: dir NULL = the system's (osinfo-db, also
 * $OSINFO_SYSTEM_DIR), else that folder (its os/ ... subfolders). Blocking.
 * NULL with *err when nothing loads. */
be_osinfo *be_osinfo_load(const char *dir, char **err);
void be_osinfo_free(be_osinfo **db);
/* How long the load took (ms), and how many OSes it holds. */
int64_t be_osinfo_load_ms(const be_osinfo *db);
size_t be_osinfo_count(const be_osinfo *db);

/* The process's database, loaded once on a thread of its own (the first
 * call starts it; later ones do nothing). */
void be_osinfo_preload(void);
/* NULL until that load is done (or when it failed: see
 * be_osinfo_shared_error). Never blocks. */
const be_osinfo *be_osinfo_shared(void);
/* Why the shared load failed (static text), NULL when it did not (yet). */
const char *be_osinfo_shared_error(void);
/* Wait up to ms for the shared load (tests, batch tools). */
const be_osinfo *be_osinfo_shared_wait(int ms);

/* By id ("http://debian.org/debian/11") or short id ("debian11"); NULL
 * when unknown. Borrowed from db. */
const be_os *be_osinfo_find(const be_osinfo *db, const char *id);
/* OSes whose short id or name holds every word of query (case-insensitive;
 * "deb 11", "win11"), best first: an exact short id, then short ids that
 * start with it, then the rest; newer releases first within each. At most
 * max (0: all); *n set. The array is the caller's (free()), its items
 * borrowed. An empty query gives every OS, newest first. */
const be_os **be_osinfo_search(const be_osinfo *db, const char *query, size_t max, size_t *n);

/* Identify install media: an ISO image file (its ISO 9660 volume
 * descriptors: the first 64 KiB suffice). 1 with *os (borrowed from db)
 * when libosinfo knows it, 0 when not (*os NULL), -1 with *err when the
 * file cannot be read as an ISO ("/x.iso: No such file or directory",
 * "/x: not an ISO 9660 image"). Reads the file: not on the UI thread. */
int be_osinfo_detect(const be_osinfo *db, const char *path, const be_os **os, char **err);
/* Same, and the media entry's installer kernel and initrd paths in the
 * image ("install.amd/vmlinuz"; osinfo-db's <kernel>/<initrd>), each NULL
 * when the entry names none (kernel, initrd may be NULL: not asked;
 * caller frees). */
int be_osinfo_detect_media(const be_osinfo *db, const char *path, const be_os **os, char **kernel, char **initrd,
			   char **err);
/* The volume id of an ISO image file (caller frees), NULL with *err. */
char *be_iso_volume_id(const char *path, char **err);

/* What a new VM of that OS gets (os NULL = unknown OS): memory, vCPUs and
 * disk from its recommended resources, else its minimum when that is more
 * than the fallback, else 1 GiB, 1 vCPU, 20 GiB. */
void be_os_defaults(const be_os *os, uint64_t *ram, unsigned *cpus, uint64_t *storage);

void be_os_copy(be_os *dst, const be_os *src);
void be_os_clear(be_os *os);

#endif
