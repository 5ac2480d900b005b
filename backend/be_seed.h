/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_seed.h - a cloud-init NoCloud seed: an ISO 9660 image with
 * volume id "cidata" holding meta-data and user-data, built here (no
 * libvirt) and uploaded into a pool by the caller.
 *
 * The two files are YAML written from data: every value is a YAML
 * double-quoted scalar with '\' '"' and control characters escaped, so a
 * hostname, user name or key comment with ": #'\"" or a newline stays one
 * value (cloud-init reads it back as given). The password goes in only as
 * a crypt(3) SHA-512 hash ("$6$..."): the clear text is never written.
 * The image is made by a packaged tool found on PATH at run time (xorriso,
 * else genisoimage, else mkisofs), run without a shell, in a temporary
 * folder of mode 0700 that is removed afterwards, whatever happened. */
#ifndef BACKEND_BE_SEED_H
#define BACKEND_BE_SEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct be_seed_spec {
	const char *hostname;      /* required: also local-hostname */
	const char *instance_id;   /* NULL: "iid-" + hostname */
	const char *user;          /* NULL or "": no user added (the image's default one stays) */
	const char *password_hash; /* crypt(3) hash for user, NULL: password login locked */
	const char *const *keys;   /* SSH public keys ("ssh-ed25519 AAAA... c") for user */
	size_t nkeys;
} be_seed_spec;

/* A YAML double-quoted scalar of s (caller frees). */
char *be_seed_yaml_quote(const char *s);
/* The two files' text (caller frees); NULL with *err when the spec is
 * not usable (no hostname, a hostname or user name cloud-init refuses, a
 * key that is not one line, a hash that is not crypt(3)'s). */
char *be_seed_meta_data(const be_seed_spec *s, char **err);
char *be_seed_user_data(const be_seed_spec *s, char **err);

/* A crypt(3) SHA-512 hash of password with a random 16-character salt
 * (caller frees); NULL with *err. */
char *be_seed_hash_password(const char *password, char **err);

/* The SSH public keys of the user: each ~/.ssh/NAME.pub (home NULL: $HOME)
 * that holds a key line, then the agent's (ssh-add -L, when
 * SSH_AUTH_SOCK is set and agent is true), without repeats (same type and
 * base64). Each "type base64 comment" (caller frees the vector and its
 * items, NULL-terminated); *n set. Reads files and asks the agent: not on
 * the UI thread. */
char **be_seed_user_keys(const char *home, bool agent, size_t *n);

/* The tool that makes the image: "xorriso", "genisoimage" or "mkisofs"
 * (static text), NULL when none is on PATH. */
const char *be_seed_tool(void);

/* Write the seed image to iso (replaced when it exists). 0, or -1 with
 * *err ("no ISO tool: install xorriso or genisoimage", the tool's own
 * words). Runs a program: not on the UI thread. */
int be_seed_build(const be_seed_spec *s, const char *iso, char **err);

/* Same from the two files' text (be_seed_meta_data / _user_data). */
int be_seed_build_files(const char *meta, const char *user, const char *iso, char **err);
/* A path for a seed image in a new 0700 temporary folder (caller frees;
 * be_seed_discard removes the image and the folder). NULL with *err. */
char *be_seed_temp_iso(char **err);
void be_seed_discard(const char *iso);

/* Read a file of an ISO image back (xorriso -osirrox, else isoinfo): for
 * tests and checks. NULL with *err. */
char *be_seed_iso_read(const char *iso, const char *name, char **err);

#endif
