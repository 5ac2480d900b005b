/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_iso.h - files out of an ISO 9660 image (libarchive, read
 * through a positioned-read callback, so only what the reader asks for is
 * read: the volume descriptors, the directories and the wanted files),
 * from a local file or from a volume in a storage pool by ranged
 * downloads (virStorageVolDownload with offset and length); the install
 * media's OS and its installer's kernel and initrd (libosinfo); and the
 * jobs of the text installer on the serial console (issue 18):
 *
 *   BE_OP_ISO_PROBE      what the ISO is (local file or pooled volume):
 *                        answers MD_MSG_OP_RESULT with .ext = be_iso_probe
 *   BE_OP_INSTALL_PREP   extract the kernel and initrd into two new raw
 *                        volumes of a pool (checked for room first); on
 *                        failure nothing is left
 *   BE_OP_INSTALL_START  the install run of a defined VM: its persistent
 *                        definition records the two volumes in its
 *                        <metadata> (vmmc:install), then the install XML
 *                        (the same VM plus <kernel>/<initrd>/<cmdline> and
 *                        the ISO in its CD-ROM) runs with virDomainCreateXML:
 *                        when it stops, the persistent (final) definition
 *                        is what is left, and the volumes are removed the
 *                        next time the worker sees the VM shut off
 *                        (be_install_cleanup), also after a restart.
 * Payloads go with be_host_submit_arg (be_storage.h), arg = be_install_arg. */
#ifndef BACKEND_BE_ISO_H
#define BACKEND_BE_ISO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "be_osinfo.h"

/* Read len bytes at off into buf: the bytes read (short only at the end),
 * or -1 with *err. */
typedef ssize_t (*be_iso_pread_fn)(void *ctx, void *buf, size_t len, uint64_t off, char **err);

typedef struct be_iso_reader {
	be_iso_pread_fn pread;
	void *ctx;
	uint64_t size;        /* the image's size in bytes */
	uint64_t bytes_read;  /* what pread was asked for, in all */
	unsigned reads;       /* how many times */
	uint64_t want;        /* a hint for a volume's reader: the reads from
	                         here on want this many bytes in a row (the rest
	                         of a file being read), 0 none */
	unsigned streams;     /* a volume's reader: downloads opened */
	uint64_t cached;      /* bytes served again from its small reads */
} be_iso_reader;

/* A local image file (owns an fd: be_iso_reader_close). */
int be_iso_reader_file(be_iso_reader *r, const char *path, char **err);
void be_iso_reader_close(be_iso_reader *r);

typedef struct be_iso_file {
	const char *want;     /* its path in the image ("install.amd/vmlinuz";
	                         a leading '/' or "./" and case do not matter) */
	bool found;
	uint64_t size;
	unsigned char *data;  /* when read (caller frees) */
} be_iso_file;

/* Look for files[] in the image; read: also read their bytes. Stops at
 * the last one found. 0 (see .found), -1 with *err when the image cannot
 * be read ("not an ISO 9660 image" ...). */
int be_iso_files(be_iso_reader *r, be_iso_file *files, size_t n, bool read, char **err);

/* Where be_iso_files_stream puts each found file's bytes as they are read
 * (no copy of the whole file): open(i, size) before the first byte of
 * files[i], data() for each piece in order, close(i) after the last; each
 * returns 0, or -1 with *err to stop. */
typedef struct be_iso_sink {
	int (*open)(void *opaque, size_t i, uint64_t size, char **err);
	int (*data)(void *opaque, size_t i, const void *buf, size_t len, char **err);
	int (*close)(void *opaque, size_t i, char **err);
	void *opaque;
} be_iso_sink;
/* be_iso_files with each file's bytes given to sink (files[].data stays
 * NULL). 0 (see .found), -1 with *err (the sink's, or the image's). */
int be_iso_files_stream(be_iso_reader *r, be_iso_file *files, size_t n, const be_iso_sink *sink, char **err);

/* be_iso_extract's times (ms) and bytes. */
typedef struct be_iso_extract_stats {
	int64_t dirs_ms;      /* the directories read: both files found */
	int64_t file_ms[2];   /* each file streamed into its volume */
	int64_t total_ms;
	uint64_t bytes;       /* the two files' */
	bool left[2];         /* failed: a volume made that could not be removed */
} be_iso_extract_stats;

/* What an install ISO is and whether its installer can run on the serial
 * console. */
typedef struct be_iso_probe {
	char *volume_id;
	char *os_id, *os_name;   /* libosinfo's, NULL when not known */
	char *family;            /* "linux", "winnt" ... */
	char *kernel, *initrd;   /* the media's paths (osinfo-db), NULL: none */
	bool kernel_found;       /* both are in the image */
	bool text_install;       /* the text installer can be offered */
	char *why_not;           /* else why not, for the user */
	uint64_t bytes_read;     /* what the probe read of the image */
} be_iso_probe;
void be_iso_probe_clear(be_iso_probe *p);
void be_iso_probe_free(void *p);       /* for md_msg.ext */

/* A probe as text lines "key=value" (values on one line), for a state
 * machine that takes text (wizards/newvm.c's "iso_probe" field), with the
 * ISO's key (what the caller names it by); and back: 0, or -1 when it is
 * not one. Caller frees. */
char *be_iso_probe_text(const be_iso_probe *p, const char *key);
int be_iso_probe_parse(const char *text, be_iso_probe *p, char **key);

/* Probe an image: its first 64 KiB go to libosinfo's media detection (as
 * a private temporary file: be_osinfo_detect_media), then, when the OS's
 * media names a kernel and initrd, the directories are read to see that
 * they are there. db NULL: the OS is unknown. -1 with *err when the image
 * cannot be read. No libvirt call. */
int be_iso_probe_reader(const be_osinfo *db, be_iso_reader *r, be_iso_probe *p, char **err);
int be_iso_probe_file(const be_osinfo *db, const char *path, be_iso_probe *p, char **err);

/* The serial console arguments for the kernel's command line:
 * "console=ttyS0,115200n8" plus the distribution's own (os_id may be NULL).
 * Caller frees. */
char *be_install_cmdline(const char *os_id);

/* The payload of BE_OP_ISO_PROBE / INSTALL_PREP / INSTALL_START (owned
 * strings; be_install_arg_free). */
typedef struct be_install_arg {
	char *iso_local;                 /* a local image file, or: */
	char *iso_pool_uuid, *iso_vol;   /* a volume of the host */
	char *kernel, *initrd;           /* PREP: the paths in the image */
	char *pool_uuid;                 /* PREP, START: the pool of the extracted files */
	char *kernel_vol, *initrd_vol;   /* their volumes' names */
	char *xml;                       /* START: the install XML; its <kernel> and
	                                    <initrd> are set to the volumes' paths
	                                    and its <uuid> to the VM's */
} be_install_arg;
be_install_arg *be_install_arg_new(void);
void be_install_arg_free(void *a);

/* The final definition from the install XML: no <kernel>, <initrd>,
 * <cmdline>, the CD-ROMs empty, boot from the disk (libxml2). Caller
 * frees; NULL when it is not a domain. */
char *be_install_final_xml(const char *install_xml);

/* The XML namespace of the <metadata> record. */
#define BE_INSTALL_NS "https://vmmc.invalid/xmlns/install/1"

/* Set /domain/uuid, /domain/os/kernel and /domain/os/initrd of a domain
 * XML (libxml2). Caller frees; NULL when it is not a domain. */
char *be_install_xml_set(const char *xml, const char *uuid, const char *kernel, const char *initrd);
/* The <install> metadata element naming the volumes (pool uuid, names). */
char *be_install_meta_xml(const char *pool_uuid, const char *kernel_vol, const char *initrd_vol);
/* Read it back: 0 with the three strings (caller frees), -1 when not one. */
int be_install_meta_parse(const char *xml, char **pool_uuid, char **kernel_vol, char **initrd_vol);

#endif
