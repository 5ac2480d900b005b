/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/hostreg.h - the console's hosts and groups: what the tree shows
 * beyond the model (a host's display name, its group, whether the config
 * keeps it), and the merge of that into the config file. Pure logic; the
 * UI keeps its backend handle in core_reg_host.user. */
#ifndef CORE_HOSTREG_H
#define CORE_HOSTREG_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

struct core_reg_host {
	int id;
	char *uri;
	char *name;        /* the display name the user gave; NULL: none */
	char *group;       /* the group it is in; NULL: top level */
	bool expanded;
	bool saved;        /* the config keeps it */
	bool demo;
	bool fallback_local;
	void *user;        /* the UI's (its be_host) */
};

struct core_reg_group {
	char *name;        /* unique; checked by core_conf_group_name_check */
	bool expanded;
};

typedef struct core_hostreg {
	struct core_reg_host *hosts;
	size_t nhosts, cap_hosts;
	int next_id;
	struct core_reg_group *groups;
	size_t ngroups, cap_groups;
	/* what the next merge applies to the file beyond what the registry
	 * shows: saved hosts removed; groups renamed (pairs old, new) and
	 * removed, for the file's hosts that are not open here */
	char **removed_uris;
	size_t nremoved_uris;
	char **group_renames;
	size_t ngroup_renames;
	char **removed_groups;
	size_t nremoved_groups;
} core_hostreg;

void core_hostreg_init(core_hostreg *r);
void core_hostreg_free(core_hostreg *r);   /* does not touch .user */

/* A new host (id returned), or the id of the one with uri already there.
 * group (NULL: top level) is made if missing. */
int core_hostreg_add(core_hostreg *r, const char *uri, const char *name, const char *group, bool saved,
		     bool demo, bool *is_new);
struct core_reg_host *core_hostreg_get(const core_hostreg *r, int id);
struct core_reg_host *core_hostreg_find_uri(const core_hostreg *r, const char *uri);
/* Removes it; a saved one is noted for the next merge. */
void core_hostreg_remove(core_hostreg *r, int id);
void core_hostreg_set_name(core_hostreg *r, int id, const char *name);      /* "" or NULL: none */
void core_hostreg_set_group(core_hostreg *r, int id, const char *group);    /* made if missing */
/* Not kept by the config any more (noted for the next merge). */
void core_hostreg_unsave(core_hostreg *r, int id);

int core_hostreg_group_find(const core_hostreg *r, const char *name);        /* index or -1 */
int core_hostreg_group_find_nocase(const core_hostreg *r, const char *name);
size_t core_hostreg_group_add(core_hostreg *r, const char *name);            /* index */
void core_hostreg_group_rename(core_hostreg *r, size_t gi, const char *name);/* its hosts follow */
void core_hostreg_group_remove(core_hostreg *r, size_t gi);                  /* hosts to the top level */
size_t core_hostreg_group_nhosts(const core_hostreg *r, size_t gi);
int core_hostreg_host_group(const core_hostreg *r, const struct core_reg_host *h); /* index or -1 */

/* Merge into c, the config as just read from the file: the file is the
 * truth for all but what changed here (saved hosts removed, groups renamed
 * or removed, also for the file's hosts that are not open here; the
 * registry's groups in its order; its saved hosts with their names and
 * groups). Then, once c is written, core_hostreg_merged() forgets the notes. */
void core_hostreg_merge(const core_hostreg *r, struct core_conf *c);
void core_hostreg_merged(core_hostreg *r);

#endif
