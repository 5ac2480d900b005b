/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_osinfo.c - see be_osinfo.h. */
#include "be_osinfo.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <osinfo/osinfo.h>

#include "../core/util.h"
#include "be_detect.h"

/* libosinfo 1.10 leaks a little inside its loader and media reader (per
 * load / per ISO, not per use): not ours to fix, and LeakSanitizer must
 * not call it ours, so those two calls run with leak checking off (their
 * allocations only; this thread only). */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define LIB_LEAKS_BEGIN() __lsan_disable()
#define LIB_LEAKS_END() __lsan_enable()
#else
#define LIB_LEAKS_BEGIN() ((void)0)
#define LIB_LEAKS_END() ((void)0)
#endif

struct be_osinfo {
	OsinfoLoader *loader;  /* owns the db */
	OsinfoDb *db;          /* borrowed from loader */
	be_os *os;             /* the table, sorted by id */
	size_t n;
	int64_t load_ms;
};

/* ---- the table ------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* The resource list's values for x86_64, else "all". */
static void resources(OsinfoResourcesList *l, uint64_t *ram, unsigned *cpus, uint64_t *storage)
{
	int best = -1;
	for (int i = 0; l && i < osinfo_list_get_length(OSINFO_LIST(l)); i++) {
		OsinfoResources *r = OSINFO_RESOURCES(osinfo_list_get_nth(OSINFO_LIST(l), i));
		const char *arch = osinfo_resources_get_architecture(r);
		int rank = core_str_eq(arch, "x86_64") ? 2 : core_str_eq(arch, "all") ? 1 : 0;
		if (rank <= best || rank == 0)
			continue;
		best = rank;
		if (ram)
			*ram = osinfo_resources_get_ram(r) > 0 ? (uint64_t)osinfo_resources_get_ram(r) : 0;
		if (cpus)
			*cpus = osinfo_resources_get_n_cpus(r) > 0 ? (unsigned)osinfo_resources_get_n_cpus(r) : 0;
		if (storage)
			*storage = osinfo_resources_get_storage(r) > 0 ? (uint64_t)osinfo_resources_get_storage(r) : 0;
	}
	if (l)
		g_object_unref(l);
}

/* virtio-blk / virtio-net, legacy or 1.0, as virt-manager looks for them */
static void virtio_devices(OsinfoOs *os, bool *disk, bool *net)
{
	OsinfoDeviceList *l = osinfo_os_get_all_devices(os, NULL);
	*disk = *net = false;
	for (int i = 0; l && i < osinfo_list_get_length(OSINFO_LIST(l)); i++) {
		const char *id = osinfo_entity_get_id(osinfo_list_get_nth(OSINFO_LIST(l), i));
		if (!id)
			continue;
		if (strstr(id, "/pci/1af4/1001") || strstr(id, "/pci/1af4/1042"))
			*disk = true;
		if (strstr(id, "/pci/1af4/1000") || strstr(id, "/pci/1af4/1041"))
			*net = true;
	}
	if (l)
		g_object_unref(l);
}

/* UEFI only: it lists efi and says bios is unsupported (Windows 11) */
static bool uefi_only(OsinfoOs *os)
{
	OsinfoFirmwareList *l = osinfo_os_get_complete_firmware_list(os, NULL);
	bool efi = false, no_bios = false;
	for (int i = 0; l && i < osinfo_list_get_length(OSINFO_LIST(l)); i++) {
		OsinfoFirmware *f = OSINFO_FIRMWARE(osinfo_list_get_nth(OSINFO_LIST(l), i));
		const char *arch = osinfo_firmware_get_architecture(f);
		const char *type = osinfo_firmware_get_firmware_type(f);
		if (arch && strcmp(arch, "x86_64") != 0 && strcmp(arch, "all") != 0)
			continue;
		if (core_str_eq(type, "efi") && osinfo_firmware_is_supported(f))
			efi = true;
		if (core_str_eq(type, "bios") && !osinfo_firmware_is_supported(f))
			no_bios = true;
	}
	if (l)
		g_object_unref(l);
	return efi && no_bios;
}

static void os_fill(be_os *o, OsinfoOs *os, const char *today)
{
	OsinfoProduct *p = OSINFO_PRODUCT(os);
	const char *eol = osinfo_product_get_eol_date_string(p);
	memset(o, 0, sizeof(*o));
	o->id = xstrdup(osinfo_entity_get_id(OSINFO_ENTITY(os)));
	o->short_id = dup_or_null(osinfo_product_get_short_id(p));
	o->name = dup_or_null(osinfo_product_get_name(p));
	o->vendor = dup_or_null(osinfo_product_get_vendor(p));
	o->family = dup_or_null(osinfo_os_get_family(os));
	o->release = dup_or_null(osinfo_product_get_release_date_string(p));
	resources(osinfo_os_get_recommended_resources(os), &o->rec_ram, &o->rec_cpus, &o->rec_storage);
	resources(osinfo_os_get_minimum_resources(os), &o->min_ram, &o->min_cpus, &o->min_storage);
	virtio_devices(os, &o->virtio_disk, &o->virtio_net);
	o->needs_uefi = uefi_only(os);
	o->eol = eol && strcmp(eol, today) < 0;
}

static int os_cmp_id(const void *a, const void *b)
{
	return strcmp(((const be_os *)a)->id, ((const be_os *)b)->id);
}

be_osinfo *be_osinfo_load(const char *dir, char **err)
{
	int64_t t0 = core_now_ms();
	be_osinfo *db = xcalloc(1, sizeof(*db));
	OsinfoOsList *l;
	GError *gerr = NULL;
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	db->loader = osinfo_loader_new();
	LIB_LEAKS_BEGIN();
	if (dir)
		osinfo_loader_process_path(db->loader, dir, &gerr);
	else
		osinfo_loader_process_default_path(db->loader, &gerr);
	LIB_LEAKS_END();
	if (gerr) {
		*err = xasprintf("libosinfo: %s", gerr->message);
		g_error_free(gerr);
		be_osinfo_free(&db);
		return NULL;
	}
	db->db = osinfo_loader_get_db(db->loader);
	l = osinfo_db_get_os_list(db->db);
	n = l ? osinfo_list_get_length(OSINFO_LIST(l)) : 0;
	if (n <= 0) {
		*err = xasprintf("libosinfo: no operating systems in %s (is osinfo-db installed?)",
				 dir ? dir : "the system's database");
		if (l)
			g_object_unref(l);
		be_osinfo_free(&db);
		return NULL;
	}
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	db->os = xcalloc((size_t)n, sizeof(*db->os));
	for (int i = 0; i < n; i++)
		os_fill(&db->os[db->n++], OSINFO_OS(osinfo_list_get_nth(OSINFO_LIST(l), i)), today);
	g_object_unref(l);
	qsort(db->os, db->n, sizeof(*db->os), os_cmp_id);
	db->load_ms = core_now_ms() - t0;
	return db;
}

void be_osinfo_free(be_osinfo **pdb)
{
	be_osinfo *db = *pdb;
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++)
		be_os_clear(&db->os[i]);
	free(db->os);
	if (db->loader)
		g_object_unref(db->loader);
	free(db);
	*pdb = NULL;
}

int64_t be_osinfo_load_ms(const be_osinfo *db)
{
	return db ? db->load_ms : -1;
}

size_t be_osinfo_count(const be_osinfo *db)
{
	return db ? db->n : 0;
}

/* ---- the shared one ---------------------------------------------------------- */

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t shared_cond = PTHREAD_COND_INITIALIZER;
static bool shared_started, shared_done;
static be_osinfo *shared_db;
static char *shared_err;

static void *shared_main(void *arg)
{
	char *err = NULL;
	be_osinfo *db = be_osinfo_load(NULL, &err);
	(void)arg;
	pthread_mutex_lock(&shared_lock);
	shared_db = db;
	shared_err = err;
	shared_done = true;
	pthread_cond_broadcast(&shared_cond);
	pthread_mutex_unlock(&shared_lock);
	return NULL;
}

void be_osinfo_preload(void)
{
	bool start;
	pthread_mutex_lock(&shared_lock);
	start = !shared_started;
	shared_started = true;
	pthread_mutex_unlock(&shared_lock);
	if (!start)
		return;
	be_spawn(shared_main, NULL); /* made off the UI thread (be_detect.h) */
}

const be_osinfo *be_osinfo_shared(void)
{
	const be_osinfo *db;
	pthread_mutex_lock(&shared_lock);
	db = shared_done ? shared_db : NULL;
	pthread_mutex_unlock(&shared_lock);
	return db;
}

const char *be_osinfo_shared_error(void)
{
	const char *e;
	pthread_mutex_lock(&shared_lock);
	e = shared_done ? shared_err : NULL;
	pthread_mutex_unlock(&shared_lock);
	return e;
}

const be_osinfo *be_osinfo_shared_wait(int ms)
{
	struct timespec end;
	const be_osinfo *db;
	be_osinfo_preload();
	core_timespec_in(&end, CLOCK_REALTIME, ms);
	pthread_mutex_lock(&shared_lock);
	while (!shared_done)
		if (pthread_cond_timedwait(&shared_cond, &shared_lock, &end) != 0)
			break;
	db = shared_done ? shared_db : NULL;
	pthread_mutex_unlock(&shared_lock);
	return db;
}

/* ---- look-ups ------------------------------------------------------------------ */

const be_os *be_osinfo_find(const be_osinfo *db, const char *id)
{
	be_os key = { .id = (char *)id };
	const be_os *o;
	if (!db || !id || !*id)
		return NULL;
	o = bsearch(&key, db->os, db->n, sizeof(*db->os), os_cmp_id);
	if (o)
		return o;
	for (size_t i = 0; i < db->n; i++)
		if (core_str_eq(db->os[i].short_id, id))
			return &db->os[i];
	return NULL;
}

static bool has_ci(const char *hay, const char *needle, size_t len)
{
	if (!hay)
		return false;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, len) == 0)
			return true;
	return false;
}

/* every blank-separated word of q in the short id or the name */
static bool matches(const be_os *o, const char *q)
{
	while (*q) {
		size_t len;
		while (*q == ' ')
			q++;
		len = strcspn(q, " ");
		if (len && !has_ci(o->short_id, q, len) && !has_ci(o->name, q, len))
			return false;
		q += len;
	}
	return true;
}

struct ranked {
	const be_os *os;
	int rank;
};

static int ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;
	int c;
	if (a->rank != b->rank)
		return a->rank - b->rank;
	c = strcmp(b->os->release ? b->os->release : "", a->os->release ? a->os->release : "");
	return c ? c : strcmp(a->os->id, b->os->id);
}

const be_os **be_osinfo_search(const be_osinfo *db, const char *query, size_t max, size_t *n)
{
	struct ranked *r;
	const be_os **out;
	size_t m = 0, qlen;
	char *q = core_str_trim(xstrdup(query ? query : ""));
	*n = 0;
	if (!db || db->n == 0) {
		free(q);
		return NULL;
	}
	qlen = strlen(q);
	r = xcalloc(db->n, sizeof(*r));
	for (size_t i = 0; i < db->n; i++) {
		const be_os *o = &db->os[i];
		if (!matches(o, q))
			continue;
		r[m].os = o;
		r[m].rank = qlen && o->short_id && strcasecmp(o->short_id, q) == 0		? 0
			    : qlen && o->short_id && strncasecmp(o->short_id, q, qlen) == 0 ? 1
											     : 2;
		m++;
	}
	qsort(r, m, sizeof(*r), ranked_cmp);
	if (max && m > max)
		m = max;
	out = xcalloc(m + 1, sizeof(*out));
	for (size_t i = 0; i < m; i++)
		out[i] = r[i].os;
	*n = m;
	free(r);
	free(q);
	return out;
}

/* ---- media ----------------------------------------------------------------------- */

/* The primary volume descriptor: sector 16 (2 KiB sectors) holds type 1,
 * "CD001", version 1; the volume id is 32 bytes at offset 40, padded with
 * spaces. */
char *be_iso_volume_id(const char *path, char **err)
{
	unsigned char pvd[2048];
	struct stat st;
	ssize_t got;
	int fd;
	size_t len;

	if (stat(path, &st) < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		*err = xasprintf("%s: is a folder, not an ISO image", path);
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	got = pread(fd, pvd, sizeof(pvd), 16 * 2048);
	close(fd);
	if (got != (ssize_t)sizeof(pvd) || pvd[0] != 1 || memcmp(pvd + 1, "CD001", 5) != 0) {
		*err = xasprintf("%s: not an ISO 9660 image", path);
		return NULL;
	}
	len = 32;
	while (len > 0 && (pvd[40 + len - 1] == ' ' || pvd[40 + len - 1] == '\0'))
		len--;
	return xstrndup((const char *)pvd + 40, len);
}

int be_osinfo_detect(const be_osinfo *db, const char *path, const be_os **os, char **err)
{
	return be_osinfo_detect_media(db, path, os, NULL, NULL, err);
}

/* a media property's value (caller frees), NULL when empty */
static char *media_path(const char *v)
{
	return v && *v ? xstrdup(v) : NULL;
}

int be_osinfo_detect_media(const be_osinfo *db, const char *path, const be_os **os, char **kernel, char **initrd,
			   char **err)
{
	OsinfoMedia *media;
	GError *gerr = NULL;
	char *vid;
	int rc = 0;

	*os = NULL;
	if (kernel)
		*kernel = NULL;
	if (initrd)
		*initrd = NULL;
	vid = be_iso_volume_id(path, err); /* the clear errors, before libosinfo */
	if (!vid)
		return -1;
	free(vid);
	if (!db)
		return 0;
	/* flags 0: a volume id that matches is enough (no El Torito record
	 * required, as osinfo_media_create_from_location would) */
	LIB_LEAKS_BEGIN();
	media = osinfo_media_create_from_location_with_flags(path, NULL, 0, &gerr);
	LIB_LEAKS_END();
	if (!media) {
		*err = xasprintf("%s: %s", path, gerr ? gerr->message : "libosinfo cannot read it");
		if (gerr)
			g_error_free(gerr);
		return -1;
	}
	/* a match fills media with the database entry's values (its installer
	 * kernel and initrd paths among them) */
	if (osinfo_db_identify_media(db->db, media)) {
		OsinfoOs *o = osinfo_media_get_os(media);
		if (o) {
			*os = be_osinfo_find(db, osinfo_entity_get_id(OSINFO_ENTITY(o)));
			g_object_unref(o);
		}
		rc = *os ? 1 : 0;
		if (*os && kernel)
			*kernel = media_path(osinfo_media_get_kernel_path(media));
		if (*os && initrd)
			*initrd = media_path(osinfo_media_get_initrd_path(media));
	}
	g_object_unref(media);
	return rc;
}

/* ---- values ---------------------------------------------------------------------- */

void be_os_defaults(const be_os *os, uint64_t *ram, unsigned *cpus, uint64_t *storage)
{
	/* recommended, else the minimum when above the fallback */
	*ram = os && os->rec_ram ? os->rec_ram : os && os->min_ram > (1ULL << 30) ? os->min_ram : 1ULL << 30;
	*cpus = os && os->rec_cpus ? os->rec_cpus : os && os->min_cpus > 1 ? os->min_cpus : 1;
	*storage = os && os->rec_storage	       ? os->rec_storage
		   : os && os->min_storage > (20ULL << 30) ? os->min_storage
							   : 20ULL << 30;
}

void be_os_copy(be_os *dst, const be_os *src)
{
	*dst = *src;
	dst->id = xstrdup(src->id);
	dst->short_id = xstrdup(src->short_id);
	dst->name = xstrdup(src->name);
	dst->vendor = xstrdup(src->vendor);
	dst->family = xstrdup(src->family);
	dst->release = xstrdup(src->release);
}

void be_os_clear(be_os *o)
{
	free(o->id);
	free(o->short_id);
	free(o->name);
	free(o->vendor);
	free(o->family);
	free(o->release);
	memset(o, 0, sizeof(*o));
}
