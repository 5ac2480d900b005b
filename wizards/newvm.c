/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wizards/newvm.c - see newvm.h. */
#include "newvm.h"

#include "../backend/be_iso.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../backend/be_seed.h"
#include "../backend/be_vmxml.h"
#include "../core/stats.h"
#include "../core/storage.h"
#include "../core/util.h"

struct wz_newvm {
	wz_host host;
	wz_choices c;
	const be_osinfo *db;
	const be_os *os;
	/* the last spec's own strings (wz_newvm_spec) */
	char *spec_os_id, *spec_disk_vol;
	char *spec_seed_vol;
	char *spec_kernel, *spec_initrd; /* uploaded kernel / initrd: their paths on the host */
	/* the text installer on the serial console (issue 18) */
	be_iso_probe probe;      /* what the ISO named by probe_key is */
	char *probe_key;         /* NULL: not probed */
	int install;             /* enum wz_install */
	bool install_by_user;
	char *inst_kernel_vol, *inst_initrd_vol, *inst_cmdline;
	/* Customize before install: Settings' changes, applied to the built
	 * XML every time it is built (NULL: none) */
	be_vmchange *custom;
};

static void cloud_clear(wz_choices *c);
static void check_cloud(wz_newvm *w, core_issues *is);
static void check_cloud_storage(wz_newvm *w, core_issues *is);
static void cloud_spec(wz_newvm *w, be_domspec *s, bool virtio);
static void cloud_steps(wz_newvm *w, core_step **v, size_t *n);
static int cloud_set(wz_newvm *w, const char *id, const char *value);
static char *cloud_get(wz_newvm *w, const char *id);
static char **reuse_options(wz_newvm *w, size_t *n);
static void check_kernel_upload(wz_newvm *w, core_issues *is);
static void kernel_spec(wz_newvm *w, be_domspec *s);
static void kernel_steps(wz_newvm *w, core_step **v, size_t *n);

static void install_free(wz_newvm *w);
static void install_spec(wz_newvm *w, be_domspec *s);
static int install_plan(wz_newvm *w, be_domspec *s, core_step **v, size_t *n, char **err);
static char *install_summary(wz_newvm *w, char *sum);
static char *install_virt_install(wz_newvm *w);

static const char *const page_titles[WZ_PAGE__N] = {
	"Name and host", "Installation source", "Operating system", "Firmware and machine",
	"Memory and processors", "Network", "Storage", "Summary",
};

const char *wz_page_title(int page)
{
	return page >= 0 && page < WZ_PAGE__N ? page_titles[page] : "";
}

static const char *const source_labels[WZ_SRC__N] = {
	"ISO image in a storage pool", "Local ISO file (uploaded)", "Import an existing disk",
	"Network boot (PXE)", "Direct kernel boot", "Cloud image (cloud-init)",
};

const char *wz_source_label(int src)
{
	return src >= 0 && src < WZ_SRC__N ? source_labels[src] : "";
}

/* ---- the host -------------------------------------------------------------------- */

void wz_caps_clear(wz_caps *c)
{
	free(c->arch);
	free(c->machine);
	memset(c, 0, sizeof(*c));
}

void wz_caps_from_domcaps(wz_caps *out, const core_domcaps *dc)
{
	const char *env = getenv("VMMC_ACCEL");
	const core_domcaps_type *t;
	memset(out, 0, sizeof(*out));
	if (!dc || !(t = core_domcaps_pick(dc, true)))
		return;
	out->known = true;
	out->kvm = dc->kvm.present;
	out->no_tcg = !dc->qemu.present;
	out->kvm_default = out->kvm && (out->no_tcg || (env && strcmp(env, "kvm") == 0));
	if (out->kvm_default)
		t = &dc->kvm;
	out->arch = xstrdup(dc->arch);
	out->machine = xstrdup(t->machine);
	out->uefi = t->uefi;
	out->secure_boot = t->secure_boot;
	out->tpm = t->tpm && t->tpm_v2; /* the domain XML asks for a TPM 2.0 */
	out->max_vcpus = t->max_vcpus;
	if (dc->kvm.present && dc->qemu.present && dc->kvm.max_vcpus && dc->qemu.max_vcpus)
		out->max_vcpus = dc->kvm.max_vcpus < dc->qemu.max_vcpus ? dc->kvm.max_vcpus : dc->qemu.max_vcpus;
}

static void host_clear(wz_host *h)
{
	free(h->label);
	free(h->uri);
	for (size_t i = 0; i < h->nvms; i++)
		free(h->vms[i]);
	free(h->vms);
	for (size_t i = 0; i < h->npools; i++)
		md_pool_clear(&h->pools[i]);
	free(h->pools);
	for (size_t i = 0; i < h->nnets; i++)
		md_net_clear(&h->nets[i]);
	free(h->nets);
	wz_caps_clear(&h->caps);
	memset(h, 0, sizeof(*h));
}

/* a URI without a host part: this machine (qemu:///system, test:///...) */
static bool uri_local(const char *uri)
{
	const char *p = uri ? strstr(uri, "://") : NULL;
	return p && p[3] == '/';
}

static const char *default_pool(const wz_newvm *w);
static const char *default_net(const wz_newvm *w);

void wz_newvm_set_host(wz_newvm *w, const md_host *h, const wz_caps *caps)
{
	wz_host *d = &w->host;
	wz_caps keep = { 0 };
	if (caps) { /* caps may be d's own: copied before d is cleared */
		keep = *caps;
		keep.arch = xstrdup(caps->arch);
		keep.machine = xstrdup(caps->machine);
	}
	host_clear(d);
	if (h) {
		d->id = h->id;
		d->label = xstrdup(h->label ? h->label : h->uri);
		d->uri = xstrdup(h->uri);
		d->connected = h->conn == MD_CONN_CONNECTED;
		d->local = uri_local(h->uri);
		d->vms = xcalloc(h->nvms + 1, sizeof(*d->vms));
		for (size_t i = 0; i < h->nvms; i++)
			if (h->vms[i].name)
				d->vms[d->nvms++] = xstrdup(h->vms[i].name);
		d->pools = xcalloc(h->npools + 1, sizeof(*d->pools));
		for (size_t i = 0; i < h->npools; i++)
			md_pool_copy(&d->pools[d->npools++], &h->pools[i]);
		d->nets = xcalloc(h->nnets + 1, sizeof(*d->nets));
		for (size_t i = 0; i < h->nnets; i++)
			md_net_copy(&d->nets[d->nnets++], &h->nets[i]);
	}
	d->caps = keep;
	/* the host's memory and CPUs from its live figures, when the caps do
	 * not say (MD_MSG_STATS: virNodeGetInfo / virNodeGetMemoryStats) */
	if (h && h->live) {
		const core_stats_host_rate *r = &h->live->host_rate;
		if (!d->caps.mem_bytes && (r->have & CORE_HRATE_MEM_TOTAL))
			d->caps.mem_bytes = r->mem_total_kib * 1024;
		if (!d->caps.cpus && r->ncpus)
			d->caps.cpus = r->ncpus;
	}
	/* the lists came after the wizard opened: their defaults now */
	if (!w->c.disk_pool)
		w->c.disk_pool = xstrdup(default_pool(w));
	if (!w->c.upload_pool)
		w->c.upload_pool = xstrdup(default_pool(w));
	if (w->c.nic == BE_NIC_NETWORK && !w->c.nic_source)
		w->c.nic_source = xstrdup(default_net(w));
}

const wz_host *wz_newvm_host(const wz_newvm *w)
{
	return &w->host;
}

static const md_pool *pool_named(const wz_newvm *w, const char *name)
{
	for (size_t i = 0; name && i < w->host.npools; i++)
		if (strcmp(w->host.pools[i].name, name) == 0)
			return &w->host.pools[i];
	return NULL;
}

static const md_vol *vol_named(const md_pool *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->nvols; i++)
		if (strcmp(p->vols[i].name, name) == 0)
			return &p->vols[i];
	return NULL;
}

static const md_net *net_named(const wz_newvm *w, const char *name)
{
	for (size_t i = 0; name && i < w->host.nnets; i++)
		if (strcmp(w->host.nets[i].name, name) == 0)
			return &w->host.nets[i];
	return NULL;
}

static bool vm_exists(const wz_newvm *w, const char *name)
{
	for (size_t i = 0; name && i < w->host.nvms; i++)
		if (strcmp(w->host.vms[i], name) == 0)
			return true;
	return false;
}

/* "default" when active, else the first active pool (dir first) */
static const char *default_pool(const wz_newvm *w)
{
	const md_pool *p = pool_named(w, "default");
	if (p && p->active)
		return p->name;
	for (size_t i = 0; i < w->host.npools; i++)
		if (w->host.pools[i].active && core_str_eq(w->host.pools[i].type, "dir"))
			return w->host.pools[i].name;
	for (size_t i = 0; i < w->host.npools; i++)
		if (w->host.pools[i].active)
			return w->host.pools[i].name;
	return NULL;
}

static bool is_iso(const md_vol *v)
{
	size_t n = strlen(v->name);
	return core_str_eq(v->format, "iso") || (n > 4 && strcasecmp(v->name + n - 4, ".iso") == 0);
}

static char **vol_list(const wz_newvm *w, bool isos, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	for (size_t i = 0; i < w->host.npools; i++) {
		const md_pool *p = &w->host.pools[i];
		for (size_t k = 0; k < p->nvols; k++) {
			const md_vol *vol = &p->vols[k];
			if (is_iso(vol) != isos || (!isos && vol->nusers))
				continue;
			xgrow(&v, &cap, *n + 1, sizeof(*v));
			v[(*n)++] = xasprintf("%s/%s", p->name, vol->name);
		}
	}
	return v;
}

char **wz_newvm_isos(const wz_newvm *w, size_t *n)
{
	return vol_list(w, true, n);
}

char **wz_newvm_disks(const wz_newvm *w, size_t *n)
{
	return vol_list(w, false, n);
}

/* ---- the wizard ------------------------------------------------------------------------- */

/* "default" when it runs, else the first network that runs; none: NULL
 * (user networking: starting a network is the user's choice, on the
 * Network page) */
static const char *default_net(const wz_newvm *w)
{
	const md_net *def = net_named(w, "default");
	if (def && !def->active)
		def = NULL;
	for (size_t i = 0; i < w->host.nnets && !def; i++)
		if (w->host.nets[i].active)
			def = &w->host.nets[i];
	return def ? def->name : NULL;
}

wz_newvm *wz_newvm_new(const md_host *h, const wz_caps *caps, const be_osinfo *db)
{
	wz_newvm *w = xcalloc(1, sizeof(*w));
	wz_choices *c = &w->c;
	w->db = db;
	wz_newvm_set_host(w, h, caps);
	c->source = WZ_SRC_ISO_POOL;
	c->memory = xstrdup("1 GiB");
	c->vcpus = xstrdup("1");
	c->disk_size = xstrdup("20 GiB");
	c->disk = WZ_DISK_NEW; /* disk_pool, upload_pool: wz_newvm_set_host */
	c->cmdline = xstrdup("console=ttyS0");
	c->start = c->console = true;
	c->kernel_upload = !w->host.local; /* a remote host's paths cannot be checked or browsed here */
	c->tcg = !(w->host.caps.kvm && w->host.caps.kvm_default);
	if (default_net(w)) {
		c->nic = BE_NIC_NETWORK;
		c->nic_source = xstrdup(default_net(w));
	} else {
		c->nic = BE_NIC_USER;
	}
	return w;
}

static void choices_clear(wz_choices *c)
{
	char **s[] = { &c->name, &c->iso_pool, &c->iso_vol, &c->local_iso, &c->upload_pool, &c->import_pool,
		       &c->import_vol, &c->kernel, &c->initrd, &c->cmdline, &c->os, &c->memory, &c->vcpus,
		       &c->nic_source, &c->disk_pool, &c->disk_size, &c->disk_format, &c->disk_vol_pool,
		       &c->disk_vol, &c->os_query };
	for (size_t i = 0; i < CORE_ARRAY_LEN(s); i++)
		xfree(s[i]);
	cloud_clear(c);
}

void wz_newvm_free(wz_newvm **pw)
{
	wz_newvm *w = *pw;
	if (!w)
		return;
	host_clear(&w->host);
	choices_clear(&w->c);
	free(w->spec_os_id);
	free(w->spec_disk_vol);
	install_free(w);
	free(w->spec_seed_vol);
	free(w->spec_kernel);
	free(w->spec_initrd);
	be_vmchange_free_void(w->custom);
	free(w);
	*pw = NULL;
}

void wz_newvm_set_osinfo(wz_newvm *w, const be_osinfo *db)
{
	w->db = db;
	if (w->c.os && !w->os)
		w->os = be_osinfo_find(db, w->c.os);
}

wz_choices *wz_newvm_choices(wz_newvm *w)
{
	return &w->c;
}

const be_os *wz_newvm_os(const wz_newvm *w)
{
	return w->os;
}

static void set_size_text(char **dst, uint64_t bytes)
{
	char buf[32];
	core_size_fmt(bytes, buf, sizeof(buf));
	core_str_set(dst, buf);
}

static void apply_os_defaults(wz_newvm *w)
{
	wz_choices *c = &w->c;
	const wz_caps *caps = &w->host.caps;
	uint64_t ram, storage;
	unsigned cpus;
	char buf[16];
	be_os_defaults(w->os, &ram, &cpus, &storage);
	if (!c->memory_by_user)
		set_size_text(&c->memory, ram);
	if (!c->vcpus_by_user) {
		if (caps->cpus && cpus > caps->cpus)
			cpus = caps->cpus;
		snprintf(buf, sizeof(buf), "%u", cpus);
		core_str_set(&c->vcpus, buf);
	}
	if (!c->size_by_user)
		set_size_text(&c->disk_size, storage);
	if (!c->firmware_by_user) {
		bool uefi = w->os && w->os->needs_uefi && caps->uefi;
		c->firmware = uefi ? BE_FW_UEFI : BE_FW_BIOS;
		c->secure_boot = uefi && caps->secure_boot;
		c->tpm = uefi && caps->tpm;
	}
}

int wz_newvm_set_os(wz_newvm *w, const char *id, bool by_user)
{
	const be_os *os = NULL;
	if (id && *id && strcmp(id, "generic") != 0) {
		os = be_osinfo_find(w->db, id);
		if (!os)
			return -1;
	}
	w->os = os;
	core_str_set(&w->c.os, os ? os->short_id : NULL);
	w->c.os_by_user = by_user;
	apply_os_defaults(w);
	return 0;
}

void wz_newvm_detected(wz_newvm *w, const be_os *os)
{
	if (w->c.os_by_user)
		return;
	wz_newvm_set_os(w, os ? os->id : NULL, false);
}

/* ---- checks --------------------------------------------------------------------------- */

static bool empty(const char *s)
{
	return !s || !*s;
}

static void check_name(wz_newvm *w, core_issues *is)
{
	char *err = NULL;
	if (be_domname_check(w->c.name, &err) < 0) {
		core_issue_add(is, "name", false, "%s", err + (strncmp(err, "Name: ", 6) == 0 ? 6 : 0));
		free(err);
	} else if (vm_exists(w, w->c.name)) {
		core_issue_add(is, "name", false, "a VM of that name exists on %s", w->host.label ? w->host.label : "the host");
	}
	if (!w->host.connected)
		core_issue_add(is, "host", false, "the host is not connected");
}

/* a file here: exists, a regular file, readable, not empty */
static void check_local_file(core_issues *is, const char *field, const char *path, const char *what)
{
	struct stat st;
	if (empty(path)) {
		core_issue_add(is, field, false, "enter the path of the %s", what);
		return;
	}
	if (stat(path, &st) < 0) {
		core_issue_add(is, field, false, "%s", strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode))
		core_issue_add(is, field, false, "is a folder, not a file");
	else if (!S_ISREG(st.st_mode))
		core_issue_add(is, field, false, "not a regular file");
	else if (access(path, R_OK) != 0)
		core_issue_add(is, field, false, "cannot be read: %s", strerror(errno));
	else if (st.st_size == 0)
		core_issue_add(is, field, false, "the file is empty");
}

/* a pool/volume pair that must exist */
static const md_vol *check_vol(wz_newvm *w, core_issues *is, const char *field, const char *pool, const char *vol,
			       const char *what)
{
	const md_pool *p;
	const md_vol *v;
	if (empty(pool) || empty(vol)) {
		core_issue_add(is, field, false, "choose %s", what);
		return NULL;
	}
	p = pool_named(w, pool);
	if (!p) {
		core_issue_add(is, field, false, "no pool \"%s\" on the host", pool);
		return NULL;
	}
	if (!p->active) {
		core_issue_add(is, field, false, "pool \"%s\" is not active", pool);
		return NULL;
	}
	v = vol_named(p, vol);
	if (!v)
		core_issue_add(is, field, false, "no volume \"%s\" in pool \"%s\"", vol, pool);
	return v;
}

static void check_pool(wz_newvm *w, core_issues *is, const char *field, const char *pool)
{
	const md_pool *p = pool_named(w, pool);
	if (empty(pool))
		core_issue_add(is, field, false, "choose a storage pool");
	else if (!p)
		core_issue_add(is, field, false, "no pool \"%s\" on the host", pool);
	else if (!p->active)
		core_issue_add(is, field, false, "pool \"%s\" is not active", pool);
}

/* a path on the host: checked here when the host is this machine */
static void check_host_file(wz_newvm *w, core_issues *is, const char *field, const char *path, const char *what,
			    bool required)
{
	if (empty(path)) {
		if (required)
			core_issue_add(is, field, false, "enter the path of the %s on the host", what);
		return;
	}
	if (path[0] != '/') {
		core_issue_add(is, field, false, "an absolute path, starting with /");
		return;
	}
	if (w->host.local)
		check_local_file(is, field, path, what);
}

static void check_source(wz_newvm *w, core_issues *is)
{
	wz_choices *c = &w->c;
	switch (c->source) {
	case WZ_SRC_ISO_POOL:
		check_vol(w, is, "iso", c->iso_pool, c->iso_vol, "an ISO image");
		break;
	case WZ_SRC_ISO_LOCAL: {
		const md_pool *p = pool_named(w, c->upload_pool);
		check_local_file(is, "local_iso", c->local_iso, "ISO file");
		check_pool(w, is, "upload_pool", c->upload_pool);
		if (p && p->active && !empty(c->local_iso)) {
			const char *base = strrchr(c->local_iso, '/');
			struct stat st;
			base = base ? base + 1 : c->local_iso;
			if (wz_newvm_reusing(w))
				break; /* in the pool already: nothing to upload */
			if (vol_named(p, base))
				core_issue_add(is, "local_iso", false,
					       "pool \"%s\" has a volume \"%s\" already: choose it as an ISO image in a pool",
					       p->name, base);
			else if (stat(c->local_iso, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > p->available) {
				char need[32], have[32];
				core_size_fmt((uint64_t)st.st_size, need, sizeof(need));
				core_size_fmt(p->available, have, sizeof(have));
				core_issue_add(is, "upload_pool", false, "pool \"%s\" is full: %s free, the file needs %s", p->name,
				      have, need);
			}
		}
		break;
	}
	case WZ_SRC_IMPORT: {
		const md_vol *v = check_vol(w, is, "import", c->import_pool, c->import_vol, "a disk volume");
		if (v && v->nusers)
			core_issue_add(is, "import", false, "volume \"%s\" is used by VM '%s'", v->name, v->users[0]);
		break;
	}
	case WZ_SRC_PXE:
		break;
	case WZ_SRC_CLOUD:
		check_cloud(w, is);
		break;
	case WZ_SRC_KERNEL:
		if (c->kernel_upload) {
			check_kernel_upload(w, is);
			break;
		}
		check_host_file(w, is, "kernel", c->kernel, "kernel", true);
		check_host_file(w, is, "initrd", c->initrd, "initrd", false);
		break;
	default:
		core_issue_add(is, "source", false, "choose an installation source");
	}
}

static void check_firmware(wz_newvm *w, core_issues *is)
{
	wz_choices *c = &w->c;
	const wz_caps *caps = &w->host.caps;
	if (c->firmware == BE_FW_UEFI && caps->known && !caps->uefi)
		core_issue_add(is, "firmware", false, "the host has no UEFI firmware (install ovmf there)");
	if (c->secure_boot && c->firmware != BE_FW_UEFI)
		core_issue_add(is, "secure_boot", false, "Secure Boot needs UEFI");
	else if (c->secure_boot && caps->known && !caps->secure_boot)
		core_issue_add(is, "secure_boot", false, "the host's UEFI firmware has no Secure Boot");
	if (c->tpm && caps->known && !caps->tpm)
		core_issue_add(is, "tpm", false, "the host has no TPM emulator (install swtpm there)");
	if (!c->tcg && caps->known && !caps->kvm)
		core_issue_add(is, "accel", false, "the host has no KVM: choose software emulation (TCG)");
	else if (c->tcg && caps->known && caps->no_tcg)
		core_issue_add(is, "accel", false, "the host offers no software emulation (TCG): choose KVM");
	if (w->os && w->os->needs_uefi && c->firmware != BE_FW_UEFI)
		core_issue_add(is, "firmware", true, "%s needs UEFI", w->os->name);
}

static void check_memory(wz_newvm *w, core_issues *is)
{
	const wz_caps *caps = &w->host.caps;
	uint64_t mem = 0;
	char *err = NULL, host[32];
	if (core_size_parse(w->c.memory ? w->c.memory : "", &mem, &err) < 0) {
		core_issue_add(is, "memory", false, "%s", err);
		free(err);
	} else if (mem < (1ULL << 20)) {
		core_issue_add(is, "memory", false, "at least 1 MiB");
	} else if (caps->mem_bytes && mem > caps->mem_bytes) {
		core_size_fmt(caps->mem_bytes, host, sizeof(host));
		core_issue_add(is, "memory", false, "more than the host has (%s)", host);
	} else if (caps->mem_bytes && mem > caps->mem_bytes / 10 * 8) {
		core_size_fmt(caps->mem_bytes, host, sizeof(host));
		core_issue_add(is, "memory", true, "over 80%% of the host's %s", host);
	} else if (w->os && w->os->min_ram && mem < w->os->min_ram) {
		core_size_fmt(w->os->min_ram, host, sizeof(host));
		core_issue_add(is, "memory", true, "%s needs at least %s", w->os->name, host);
	}

	const char *v = w->c.vcpus ? w->c.vcpus : "";
	char *end = NULL;
	unsigned long n;
	errno = 0;
	n = strtoul(v, &end, 10);
	while (end && *end == ' ')
		end++;
	if (empty(v) || !end || *end || errno || v[0] == '-' || v[0] == '+')
		core_issue_add(is, "vcpus", false, "a whole number, e.g. 2");
	else if (n < 1)
		core_issue_add(is, "vcpus", false, "at least 1");
	else if (n > (caps->max_vcpus ? caps->max_vcpus : 255))
		core_issue_add(is, "vcpus", false, "at most %u", caps->max_vcpus ? caps->max_vcpus : 255);
	else if (caps->cpus && n > caps->cpus)
		core_issue_add(is, "vcpus", true, "more than the host's %u CPUs", caps->cpus);
}

static void check_network(wz_newvm *w, core_issues *is)
{
	wz_choices *c = &w->c;
	const md_net *n;
	switch (c->nic) {
	case BE_NIC_NETWORK:
		if (empty(c->nic_source)) {
			core_issue_add(is, "nic_source", false, "choose a virtual network");
			break;
		}
		n = net_named(w, c->nic_source);
		if (!n)
			core_issue_add(is, "nic_source", false, "no network \"%s\" on the host", c->nic_source);
		else if (!n->active)
			core_issue_add(is, "nic_source", true, "network \"%s\" is not active: it is started on Finish",
			      c->nic_source);
		break;
	case BE_NIC_BRIDGE:
		if (empty(c->nic_source))
			core_issue_add(is, "nic_source", false, "enter the bridge's name, e.g. br0");
		else if (strlen(c->nic_source) > 15 || strpbrk(c->nic_source, "/ \t"))
			core_issue_add(is, "nic_source", false, "not an interface name (at most 15 characters, no '/' or blanks)");
		break;
	case BE_NIC_USER:
		break;
	case BE_NIC_NONE:
		if (c->source == WZ_SRC_PXE)
			core_issue_add(is, "nic", false, "network boot (PXE) needs a network");
		break;
	}
}

char *wz_newvm_disk_name(const wz_newvm *w)
{
	return xasprintf("%s.%s", w->c.name ? w->c.name : "", core_str_eq(w->c.disk_format, "raw") ? "img" : "qcow2");
}

static void check_storage(wz_newvm *w, core_issues *is)
{
	wz_choices *c = &w->c;
	if (c->source == WZ_SRC_CLOUD) {
		check_cloud_storage(w, is);
		return;
	}
	if (c->disk == WZ_DISK_NEW) {
		const md_pool *p = pool_named(w, c->disk_pool);
		uint64_t size = 0;
		char *err = NULL, *vol = wz_newvm_disk_name(w);
		check_pool(w, is, "disk_pool", c->disk_pool);
		if (core_size_parse(c->disk_size ? c->disk_size : "", &size, &err) < 0) {
			core_issue_add(is, "disk_size", false, "%s", err);
			free(err);
		} else if (p && p->active && size > p->available) {
			char have[32];
			core_size_fmt(p->available, have, sizeof(have));
			/* a qcow2 grows as it is written: room now is not room later */
			core_issue_add(is, "disk_size", !core_str_eq(c->disk_format, "raw") ? true : false,
			      "pool \"%s\" has %s free", p->name, have);
		}
		if (!empty(c->disk_format) && strcmp(c->disk_format, "qcow2") != 0 && strcmp(c->disk_format, "raw") != 0)
			core_issue_add(is, "disk_format", false, "qcow2 or raw");
		if (p && vol_named(p, vol))
			core_issue_add(is, "disk_pool", false, "pool \"%s\" has a volume \"%s\" already", p->name, vol);
		free(vol);
	} else if (c->disk == WZ_DISK_EXISTING) {
		const md_vol *v = check_vol(w, is, "disk_vol", c->disk_vol_pool, c->disk_vol, "a disk volume");
		if (v && v->nusers)
			core_issue_add(is, "disk_vol", false, "volume \"%s\" is used by VM '%s'", v->name, v->users[0]);
	} else if (c->source == WZ_SRC_ISO_POOL || c->source == WZ_SRC_ISO_LOCAL) {
		core_issue_add(is, "disk", true, "no disk: the installer will have nowhere to install to");
	}
}

int wz_newvm_check(wz_newvm *w, int page, core_issues *is)
{
	core_issues_clear(is);
	switch (page) {
	case WZ_PAGE_NAME:
		check_name(w, is);
		break;
	case WZ_PAGE_SOURCE:
		check_source(w, is);
		break;
	case WZ_PAGE_OS:
		if (!empty(w->c.os) && !w->os)
			core_issue_add(is, "os", false, "libosinfo does not know \"%s\"", w->c.os);
		break;
	case WZ_PAGE_FIRMWARE:
		check_firmware(w, is);
		break;
	case WZ_PAGE_MEMORY:
		check_memory(w, is);
		break;
	case WZ_PAGE_NETWORK:
		check_network(w, is);
		break;
	case WZ_PAGE_STORAGE:
		if (wz_newvm_page_applies(w, page))
			check_storage(w, is);
		break;
	default:
		break;
	}
	return core_issues_errors(is);
}

/* the page each field is on */
static const struct {
	const char *field;
	int page;
} field_pages[] = {
	{ "name", WZ_PAGE_NAME },	  { "host", WZ_PAGE_NAME },	  { "iso", WZ_PAGE_SOURCE },
	{ "local_iso", WZ_PAGE_SOURCE },  { "upload_pool", WZ_PAGE_SOURCE }, { "import", WZ_PAGE_SOURCE },
	{ "kernel", WZ_PAGE_SOURCE },	  { "initrd", WZ_PAGE_SOURCE },	  { "os", WZ_PAGE_OS },
	{ "firmware", WZ_PAGE_FIRMWARE }, { "secure_boot", WZ_PAGE_FIRMWARE }, { "tpm", WZ_PAGE_FIRMWARE },
	{ "accel", WZ_PAGE_FIRMWARE },	  { "memory", WZ_PAGE_MEMORY },	  { "vcpus", WZ_PAGE_MEMORY },
	{ "nic", WZ_PAGE_NETWORK },	  { "nic_source", WZ_PAGE_NETWORK }, { "disk", WZ_PAGE_STORAGE },
	{ "disk_pool", WZ_PAGE_STORAGE }, { "disk_size", WZ_PAGE_STORAGE }, { "disk_format", WZ_PAGE_STORAGE },
	{ "disk_vol", WZ_PAGE_STORAGE },
};

int wz_newvm_check_field(wz_newvm *w, const char *field, core_issues *is)
{
	core_issues all = { 0 };
	core_issues_clear(is);
	for (size_t i = 0; i < CORE_ARRAY_LEN(field_pages); i++)
		if (strcmp(field_pages[i].field, field) == 0) {
			wz_newvm_check(w, field_pages[i].page, &all);
			break;
		}
	for (size_t i = 0; i < all.n; i++)
		if (strcmp(all.v[i].field, field) == 0 && is->n < CORE_ARRAY_LEN(is->v)) {
			is->v[is->n++] = all.v[i];
			all.v[i].text = NULL;
		}
	core_issues_clear(&all);
	return core_issues_errors(is);
}

bool wz_newvm_page_applies(const wz_newvm *w, int page)
{
	switch (page) {
	case WZ_PAGE_FIRMWARE:
		/* something to choose: UEFI firmware, or KVM vs TCG */
		return !w->host.caps.known || w->host.caps.uefi || w->host.caps.kvm;
	case WZ_PAGE_STORAGE:
		return w->c.source != WZ_SRC_IMPORT;
	default:
		return page >= 0 && page < WZ_PAGE__N;
	}
}

int wz_newvm_next(const wz_newvm *w, int page)
{
	for (int p = page + 1; p < WZ_PAGE__N; p++)
		if (wz_newvm_page_applies(w, p))
			return p;
	return -1;
}

bool wz_newvm_ready(wz_newvm *w)
{
	core_issues is = { 0 };
	bool ok = true;
	for (int p = 0; p < WZ_PAGE__N && ok; p++)
		if (wz_newvm_page_applies(w, p) && wz_newvm_check(w, p, &is) > 0)
			ok = false;
	core_issues_clear(&is);
	return ok;
}

/* ---- the domain --------------------------------------------------------------------- */

int wz_newvm_spec(wz_newvm *w, be_domspec *s, char **err)
{
	wz_choices *c = &w->c;
	const wz_caps *caps = &w->host.caps;
	core_issues is = { 0 };
	uint64_t mem = 0, size = 0;

	for (int p = 0; p < WZ_PAGE__N; p++) {
		if (!wz_newvm_page_applies(w, p) || wz_newvm_check(w, p, &is) == 0)
			continue;
		for (size_t i = 0; i < is.n; i++)
			if (!is.v[i].warning) {
				*err = xasprintf("%s: %s", wz_page_title(p), is.v[i].text);
				break;
			}
		core_issues_clear(&is);
		return -1;
	}
	core_issues_clear(&is);
	memset(s, 0, sizeof(*s));
	s->name = c->name;
	s->virt_type = c->tcg ? "qemu" : "kvm";
	s->arch = caps->arch ? caps->arch : "x86_64";
	s->machine = caps->machine;
	core_size_parse(c->memory, &mem, err);
	s->memory = mem;
	s->vcpus = (unsigned)strtoul(c->vcpus, NULL, 10);
	s->firmware = c->firmware;
	s->secure_boot = c->firmware == BE_FW_UEFI && c->secure_boot;
	s->tpm = c->tpm;
	s->os_id = w->os ? w->os->id : NULL;
	s->os_short = w->os ? w->os->short_id : NULL;

	switch (c->source) {
	case WZ_SRC_ISO_POOL:
	case WZ_SRC_ISO_LOCAL: {
		be_domdisk *cd = &s->disks[s->ndisks++];
		cd->device = BE_DEV_CDROM;
		if (c->source == WZ_SRC_ISO_POOL) {
			cd->pool = c->iso_pool;
			cd->vol = c->iso_vol;
		} else {
			const char *base = strrchr(c->local_iso, '/');
			cd->pool = c->upload_pool;
			cd->vol = base ? base + 1 : c->local_iso;
			if (wz_newvm_reusing(w))
				cd->vol = c->reuse_vol;
		}
		s->boot[s->nboot++] = BE_BOOT_CDROM;
		break;
	}
	case WZ_SRC_PXE:
		s->boot[s->nboot++] = BE_BOOT_NETWORK;
		break;
	case WZ_SRC_CLOUD:
		break; /* its disks below */
	case WZ_SRC_KERNEL:
		s->kernel = c->kernel;
		s->initrd = empty(c->initrd) ? NULL : c->initrd;
		s->cmdline = empty(c->cmdline) ? NULL : c->cmdline;
		if (c->kernel_upload)
			kernel_spec(w, s);
		break;
	default:
		break;
	}
	bool virtio = !w->os || w->os->virtio_disk;
	if (c->source == WZ_SRC_CLOUD) {
		cloud_spec(w, s, virtio);
	} else if (c->source == WZ_SRC_IMPORT) {
		be_domdisk *d = &s->disks[s->ndisks++];
		const md_vol *v = vol_named(pool_named(w, c->import_pool), c->import_vol);
		d->pool = c->import_pool;
		d->vol = c->import_vol;
		d->format = v && v->format ? v->format : NULL;
		d->bus = virtio ? BE_BUS_VIRTIO : BE_BUS_SATA;
	} else if (c->disk == WZ_DISK_NEW) {
		be_domdisk *d = &s->disks[s->ndisks++];
		xfree(&w->spec_disk_vol);
		w->spec_disk_vol = wz_newvm_disk_name(w);
		core_size_parse(c->disk_size, &size, err);
		d->pool = c->disk_pool;
		d->vol = w->spec_disk_vol;
		d->format = core_str_eq(c->disk_format, "raw") ? "raw" : "qcow2";
		d->new_size = size;
		d->bus = virtio ? BE_BUS_VIRTIO : BE_BUS_SATA;
	} else if (c->disk == WZ_DISK_EXISTING) {
		be_domdisk *d = &s->disks[s->ndisks++];
		const md_vol *v = vol_named(pool_named(w, c->disk_vol_pool), c->disk_vol);
		d->pool = c->disk_vol_pool;
		d->vol = c->disk_vol;
		d->format = v && v->format ? v->format : NULL;
		d->bus = virtio ? BE_BUS_VIRTIO : BE_BUS_SATA;
	}
	if (s->ndisks > 0 && s->disks[s->ndisks - 1].device == BE_DEV_DISK &&
	    (c->source != WZ_SRC_KERNEL || s->nboot > 0))
		s->boot[s->nboot++] = BE_BOOT_HD;
	s->nic = c->nic;
	s->nic_source = c->nic_source;
	s->nic_model = !w->os || w->os->virtio_net ? "virtio" : "e1000";
	install_spec(w, s);
	return 0;
}

/* The domain XML of spec s with the Settings changes made before install
 * (Customize) applied; NULL with *err. */
static char *dom_xml(wz_newvm *w, const be_domspec *s, char **err)
{
	char *xml = be_domxml_build(s, err), *out, *e = NULL;
	if (!xml || !w->custom)
		return xml;
	out = be_vmchange_apply_xml(xml, w->custom, &e);
	free(xml);
	if (!out) {
		*err = xasprintf("Customized settings: %s", e ? e : "?");
		free(e);
	}
	return out;
}

char *wz_newvm_xml(wz_newvm *w, char **err)
{
	be_domspec s;
	if (wz_newvm_spec(w, &s, err) < 0)
		return NULL;
	return dom_xml(w, &s, err);
}

int wz_newvm_customize(wz_newvm *w, be_vmchange **ch, char **err)
{
	char *xml, *out, *e = NULL;
	*err = NULL;
	if (!*ch || !(*ch)->n) {
		be_vmchange_free_void(*ch);
		*ch = NULL;
		return 0;
	}
	/* tried on the XML of now first: nothing kept that does not apply */
	if ((xml = wz_newvm_xml(w, err)) == NULL)
		return -1;
	out = be_vmchange_apply_xml(xml, *ch, &e);
	free(xml);
	if (!out) {
		*err = e ? e : xstrdup("the changes could not be made");
		return -1;
	}
	free(out);
	if (!w->custom)
		w->custom = be_vmchange_new();
	be_vmchange_move(w->custom, ch);
	return 0;
}

size_t wz_newvm_customized(const wz_newvm *w)
{
	return w->custom ? w->custom->n : 0;
}

void wz_newvm_customize_clear(wz_newvm *w)
{
	be_vmchange_free_void(w->custom);
	w->custom = NULL;
}

char *wz_newvm_virt_install(wz_newvm *w)
{
	be_domspec s;
	char *err = NULL;
	if (wz_newvm_text_install(w))
		return install_virt_install(w);
	if (wz_newvm_spec(w, &s, &err) < 0) {
		free(err);
		return NULL;
	}
	return be_domxml_virt_install(&s, w->host.uri);
}

/* the summary's accelerator, and why (short: the summary is 56 columns) */
static const char *accel_text(const wz_newvm *w)
{
	const wz_caps *caps = &w->host.caps;
	if (!w->c.tcg)
		return "KVM (hardware virtualization)";
	if (caps->known && !caps->kvm)
		return "TCG (software emulation; no KVM)";
	if (caps->known && !caps->kvm_default)
		return "TCG (software emulation, KVM not default)";
	return "TCG (software emulation)";
}

char *wz_newvm_summary(wz_newvm *w)
{
	wz_choices *c = &w->c;
	be_domspec s;
	char *err = NULL, *out, mem[32], disk[256] = "none", src[512];
	static const char *const nics[] = { "none", "virtual network", "bridge", "user networking" };
	if (wz_newvm_spec(w, &s, &err) < 0)
		return err;
	core_size_fmt(s.memory, mem, sizeof(mem));
	switch (c->source) {
	case WZ_SRC_ISO_POOL:
		snprintf(src, sizeof(src), "%s: %s/%s", wz_source_label(c->source), c->iso_pool, c->iso_vol);
		break;
	case WZ_SRC_ISO_LOCAL:
		if (wz_newvm_reusing(w))
			snprintf(src, sizeof(src), "%s: %s = %s/%s (same SHA-256: not uploaded)", wz_source_label(c->source),
				 c->local_iso, c->reuse_pool, c->reuse_vol);
		else
			snprintf(src, sizeof(src), "%s: %s -> pool %s", wz_source_label(c->source), c->local_iso,
				 c->upload_pool);
		break;
	case WZ_SRC_IMPORT:
		snprintf(src, sizeof(src), "%s: %s/%s", wz_source_label(c->source), c->import_pool, c->import_vol);
		break;
	case WZ_SRC_KERNEL:
		snprintf(src, sizeof(src), "%s: %s%s%s, \"%s\"", wz_source_label(c->source), c->kernel,
			 s.initrd ? " + " : "", s.initrd ? s.initrd : "", s.cmdline ? s.cmdline : "");
		break;
	default:
		snprintf(src, sizeof(src), "%s", wz_source_label(c->source));
	}
	for (size_t i = 0; i < s.ndisks; i++) {
		const be_domdisk *d = &s.disks[i];
		char sz[32];
		if (d->device != BE_DEV_DISK)
			continue;
		core_size_fmt(d->new_size, sz, sizeof(sz));
		snprintf(disk, sizeof(disk), "%s%s/%s (%s, %s)", d->new_size ? "new " : "", d->pool, d->vol,
			 d->format ? d->format : "qcow2", d->bus == BE_BUS_VIRTIO ? "virtio" : "SATA");
		if (d->new_size)
			snprintf(disk + strlen(disk), sizeof(disk) - strlen(disk), ", %s", sz);
	}
	out = xasprintf("Name:         %s\nHost:         %s\nSource:       %s\nOS:           %s\n"
			"Firmware:     %s%s%s\nAccelerator:  %s\nMachine:      %s\nMemory:       %s\n"
			"vCPUs:        %u\nNetwork:      %s%s%s%s (%s)\nDisk:         %s\n"
			"After Finish: %s%s",
			s.name, w->host.label ? w->host.label : "", src, w->os ? w->os->name : "Generic",
			s.firmware == BE_FW_UEFI ? "UEFI" : "BIOS", s.secure_boot ? ", Secure Boot" : "",
			s.tpm ? ", TPM 2.0" : "", accel_text(w),
			s.machine ? s.machine : "the host's default", mem, s.vcpus, nics[s.nic],
			s.nic_source ? " \"" : "", s.nic_source ? s.nic_source : "", s.nic_source ? "\"" : "",
			s.nic == BE_NIC_NONE ? "-" : s.nic_model, disk,
			c->start ? "start" : "leave it off", c->start && c->console ? ", open its serial console" : "");
	return install_summary(w, out);
}

/* ---- Finish's steps ------------------------------------------------------------------- */

static core_step *step_add(core_step **v, size_t *n, int kind)
{
	core_step *s;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	s = &(*v)[(*n)++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	return s;
}

/* the domain (conf) has a disk on volume vol of pool (by pool/volume) */
static bool uses_vol(const be_vmconf *conf, const char *pool, const char *vol)
{
	for (size_t i = 0; i < conf->ndevs; i++)
		if ((conf->devs[i].kind == BE_DEVK_DISK || conf->devs[i].kind == BE_DEVK_CDROM) &&
		    core_str_eq(conf->devs[i].pool, pool) &&
		    core_str_eq(conf->devs[i].vol, vol))
			return true;
	return false;
}

static void vol_step(wz_newvm *w, core_step **v, size_t *n, const char *pool, const char *vol, const char *format,
		     uint64_t size)
{
	const md_pool *p = pool_named(w, pool);
	core_step *st = step_add(v, n, CORE_STEP_VOL_CREATE);
	char sz[32];
	st->pool = xstrdup(pool);
	st->pool_uuid = xstrdup(p ? p->uuid : NULL);
	st->vol = xstrdup(vol);
	st->format = xstrdup(format);
	st->size = size;
	core_size_fmt(size, sz, sizeof(sz));
	st->label = xasprintf("Create volume %s (%s, %s) in pool %s", vol, sz, format, pool);
}

core_step *wz_newvm_plan(wz_newvm *w, size_t *n, char **err)
{
	wz_choices *c = &w->c;
	be_domspec s;
	core_step *v = NULL, *st;
	char *xml = NULL;
	be_vmconf *conf = NULL;
	const be_device **cv;
	size_t ncv;
	*n = 0;
	if (wz_newvm_spec(w, &s, err) < 0)
		return NULL;
	if (c->source == WZ_SRC_ISO_LOCAL && !wz_newvm_reusing(w)) {
		const md_pool *p = pool_named(w, c->upload_pool);
		const char *base = strrchr(c->local_iso, '/');
		st = step_add(&v, n, CORE_STEP_UPLOAD);
		st->pool = xstrdup(c->upload_pool);
		st->pool_uuid = xstrdup(p ? p->uuid : NULL);
		st->vol = xstrdup(base ? base + 1 : c->local_iso);
		st->local = xstrdup(c->local_iso);
		st->label = xasprintf("Upload %s to pool %s", st->vol, st->pool);
	}
	if (c->source == WZ_SRC_CLOUD)
		cloud_steps(w, &v, n);
	else if (c->source == WZ_SRC_KERNEL && c->kernel_upload)
		kernel_steps(w, &v, n);
	if ((xml = dom_xml(w, &s, err)) == NULL || (conf = be_vmconf_parse(NULL, xml, err)) == NULL) {
		free(xml);
		core_steps_free(&v, *n);
		*n = 0;
		return NULL;
	}
	/* new volumes: the wizard's, then those Customize added (each only
	 * while the final XML uses it: a disk removed in Settings makes none) */
	for (size_t i = 0; i < s.ndisks; i++) {
		const be_domdisk *d = &s.disks[i];
		if (d->new_size && uses_vol(conf, d->pool, d->vol))
			vol_step(w, &v, n, d->pool, d->vol, d->format, d->new_size);
	}
	cv = be_vmchange_new_vols(w->custom, &ncv);
	for (size_t i = 0; i < ncv; i++)
		if (uses_vol(conf, cv[i]->pool, cv[i]->vol))
			vol_step(w, &v, n, cv[i]->pool, cv[i]->vol, cv[i]->format ? cv[i]->format : "qcow2",
				 cv[i]->new_size);
	free(cv);
	/* Customize's new CD/DVD drives with a local ISO: uploaded as the volume
	 * the drive names (deleted on undo), while the final XML has the drive */
	for (size_t i = 0; w->custom && i < w->custom->n; i++) {
		const be_device *d = &w->custom->v[i].dev;
		if (w->custom->v[i].kind == BE_CHG_ATTACH && d->kind == BE_DEVK_CDROM && d->upload_from &&
		    uses_vol(conf, d->pool, d->vol)) {
			const md_pool *p = pool_named(w, d->pool);
			st = step_add(&v, n, CORE_STEP_UPLOAD);
			st->pool = xstrdup(d->pool);
			st->pool_uuid = xstrdup(p ? p->uuid : NULL);
			st->vol = xstrdup(d->vol);
			st->local = xstrdup(d->upload_from);
			st->label = xasprintf("Upload %s to pool %s", st->vol, st->pool);
		}
	}
	be_vmconf_free(&conf);
	if (c->nic == BE_NIC_NETWORK) {
		const md_net *net = net_named(w, c->nic_source);
		if (net && !net->active) {
			st = step_add(&v, n, CORE_STEP_NET_START);
			st->pool_uuid = xstrdup(net->uuid);
			st->label = xasprintf("Start network %s", net->name);
		}
	}
	if (wz_newvm_text_install(w)) {
		free(xml);
		if (install_plan(w, &s, &v, n, err) < 0) {
			core_steps_free(&v, *n);
			*n = 0;
			return NULL;
		}
		return v;
	}
	st = step_add(&v, n, CORE_STEP_DEFINE);
	st->label = xasprintf("Define VM %s", c->name);
	st->xml = xml;
	xml = NULL;
	if (c->start) {
		st = step_add(&v, n, CORE_STEP_START);
		st->label = xasprintf("Start VM %s", c->name);
		if (c->console) {
			st = step_add(&v, n, CORE_STEP_CONSOLE);
			st->label = xstrdup("Open its serial console");
		}
	}
	return v;
}

/* ---- the UI's view: fields by id (core_wizard_ops) ------------------------------------ */

/* the Network choice's order on screen */
static const int nic_order[] = { BE_NIC_NETWORK, BE_NIC_BRIDGE, BE_NIC_USER, BE_NIC_NONE };

static char **text_field(wz_newvm *w, const char *id)
{
	wz_choices *c = &w->c;
	static const struct {
		const char *id;
		size_t off;
	} t[] = {
		{ "name", offsetof(wz_choices, name) },		  { "local_iso", offsetof(wz_choices, local_iso) },
		{ "upload_pool", offsetof(wz_choices, upload_pool) }, { "kernel", offsetof(wz_choices, kernel) },
		{ "initrd", offsetof(wz_choices, initrd) },	  { "cmdline", offsetof(wz_choices, cmdline) },
		{ "memory", offsetof(wz_choices, memory) },	  { "vcpus", offsetof(wz_choices, vcpus) },
		{ "nic_source", offsetof(wz_choices, nic_source) }, { "disk_pool", offsetof(wz_choices, disk_pool) },
		{ "disk_size", offsetof(wz_choices, disk_size) }, { "disk_format", offsetof(wz_choices, disk_format) },
		{ "os_query", offsetof(wz_choices, os_query) },
	};
	for (size_t i = 0; i < CORE_ARRAY_LEN(t); i++)
		if (strcmp(t[i].id, id) == 0)
			return (char **)((char *)c + t[i].off);
	return NULL;
}

static bool *bool_field(wz_newvm *w, const char *id)
{
	wz_choices *c = &w->c;
	return strcmp(id, "secure_boot") == 0 ? &c->secure_boot
	       : strcmp(id, "tpm") == 0	      ? &c->tpm
	       : strcmp(id, "start") == 0     ? &c->start
	       : strcmp(id, "console") == 0   ? &c->console
					      : NULL;
}

/* "pool/volume" into two strings */
static int split_pool_vol(const char *v, char **pool, char **vol)
{
	const char *slash = v ? strchr(v, '/') : NULL;
	if (!slash)
		return -1;
	free(*pool);
	free(*vol);
	*pool = xstrndup(v, (size_t)(slash - v));
	*vol = xstrdup(slash + 1);
	return 0;
}

static int index_in(const char *v, int n)
{
	char *end = NULL;
	long i = v ? strtol(v, &end, 10) : -1;
	return end && end != v && !*end && i >= 0 && i < n ? (int)i : -1;
}

/* "Debian 11 (debian11)" -> "debian11"; "Generic" -> NULL */
static char *os_from_option(const char *v)
{
	const char *open = v ? strrchr(v, '(') : NULL;
	size_t n = v ? strlen(v) : 0;
	if (open && n && v[n - 1] == ')')
		return xstrndup(open + 1, (size_t)(v + n - 1 - open - 1));
	return xstrdup(v);
}

int wz_newvm_set_value(wz_newvm *w, const char *id, const char *value)
{
	wz_choices *c = &w->c;
	char **t;
	bool *b;
	int i;
	if (strncmp(id, "install", 7) == 0 || strcmp(id, "iso_probe") == 0)
		return wz_newvm_install_set(w, id, value);
	if (strcmp(id, "customize_clear") == 0) {
		wz_newvm_customize_clear(w);
		return 0;
	}
	if ((i = cloud_set(w, id, value)) != 1)
		return i;
	if (strcmp(id, "source") == 0) {
		if ((i = index_in(value, WZ_SRC__N)) < 0)
			return -1;
		c->source = i;
	} else if (strcmp(id, "firmware") == 0 || strcmp(id, "accel") == 0 || strcmp(id, "disk") == 0) {
		if ((i = index_in(value, strcmp(id, "disk") == 0 ? 3 : 2)) < 0)
			return -1;
		if (strcmp(id, "firmware") == 0) {
			c->firmware = i;
			c->firmware_by_user = true;
		} else if (strcmp(id, "accel") == 0) {
			c->tcg = i == 1;
		} else {
			c->disk = i;
		}
	} else if (strcmp(id, "nic") == 0) {
		if ((i = index_in(value, (int)CORE_ARRAY_LEN(nic_order))) < 0)
			return -1;
		if (c->nic != nic_order[i]) /* a network's name is no bridge's */
			core_str_set(&c->nic_source, nic_order[i] == BE_NIC_NETWORK ? default_net(w) : NULL);
		c->nic = nic_order[i];
	} else if (strcmp(id, "iso") == 0) {
		return split_pool_vol(value, &c->iso_pool, &c->iso_vol);
	} else if (strcmp(id, "import") == 0) {
		return split_pool_vol(value, &c->import_pool, &c->import_vol);
	} else if (strcmp(id, "disk_vol") == 0) {
		return split_pool_vol(value, &c->disk_vol_pool, &c->disk_vol);
	} else if (strcmp(id, "os") == 0) {
		char *os = os_from_option(value);
		const char *os_id = os && strcasecmp(os, "generic") != 0 ? os : NULL;
		int rc;
		/* the item the list shows pushed back unchanged (Next pressed
		 * before detection answered: "Generic" meanwhile) is no pick of
		 * the user's: detection still decides */
		if (!c->os_by_user && (os_id ? w->os && w->db && be_osinfo_find(w->db, os_id) == w->os : !w->os)) {
			free(os);
			return 0;
		}
		rc = wz_newvm_set_os(w, os_id, true);
		free(os);
		return rc;
	} else if ((b = bool_field(w, id)) != NULL) {
		*b = value && strcmp(value, "1") == 0;
		if (strcmp(id, "secure_boot") == 0 || strcmp(id, "tpm") == 0)
			c->firmware_by_user = true;
	} else if ((t = text_field(w, id)) != NULL) {
		core_str_set(t, value && *value ? value : NULL);
		if (strcmp(id, "memory") == 0)
			c->memory_by_user = true;
		else if (strcmp(id, "vcpus") == 0)
			c->vcpus_by_user = true;
		else if (strcmp(id, "disk_size") == 0)
			c->size_by_user = true;
	} else {
		return -1;
	}
	return 0;
}

/* "offers": what the host's domain capabilities offer, for the Firmware
 * page: "UEFI, Secure Boot, TPM 2.0, KVM, TCG; pc-q35-7.2, up to 288
 * vCPUs" ("" while they are not known: nothing is hidden then). */
static char *offers_text(const wz_newvm *w)
{
	const wz_caps *k = &w->host.caps;
	char buf[256] = "";
	if (!k->known)
		return xstrdup("");
	snprintf(buf, sizeof(buf), "%s%s%s%s%s", k->uefi ? ", UEFI" : ", BIOS only", k->secure_boot ? ", Secure Boot" : "",
		 k->tpm ? ", TPM 2.0" : "", k->kvm ? ", KVM" : "", k->no_tcg ? "" : ", TCG");
	if (k->machine)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "; %s", k->machine);
	if (k->max_vcpus)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s up to %u vCPUs", k->machine ? "," : ";",
			 k->max_vcpus);
	return xstrdup(buf + 2);
}

char *wz_newvm_get_value(wz_newvm *w, const char *id)
{
	wz_choices *c = &w->c;
	char **t;
	bool *b;
	if (strncmp(id, "install", 7) == 0 || strcmp(id, "iso_key") == 0)
		return wz_newvm_install_get(w, id);
	if ((t = (char **)cloud_get(w, id)) != NULL)
		return (char *)t;
	if (strcmp(id, "source") == 0)
		return xasprintf("%d", c->source);
	if (strcmp(id, "firmware") == 0)
		return xasprintf("%d", c->firmware);
	if (strcmp(id, "accel") == 0)
		return xasprintf("%d", c->tcg ? 1 : 0);
	if (strcmp(id, "offers") == 0)
		return offers_text(w);
	if (strcmp(id, "disk") == 0)
		return xasprintf("%d", c->disk);
	if (strcmp(id, "nic") == 0) {
		for (size_t i = 0; i < CORE_ARRAY_LEN(nic_order); i++)
			if (nic_order[i] == c->nic)
				return xasprintf("%zu", i);
		return xstrdup("0");
	}
	if (strcmp(id, "iso") == 0)
		return c->iso_pool && c->iso_vol ? xasprintf("%s/%s", c->iso_pool, c->iso_vol) : xstrdup("");
	if (strcmp(id, "import") == 0)
		return c->import_pool && c->import_vol ? xasprintf("%s/%s", c->import_pool, c->import_vol)
						       : xstrdup("");
	if (strcmp(id, "disk_vol") == 0)
		return c->disk_vol_pool && c->disk_vol ? xasprintf("%s/%s", c->disk_vol_pool, c->disk_vol)
						       : xstrdup("");
	if (strcmp(id, "os") == 0)
		return w->os ? xasprintf("%s (%s)", w->os->name, w->os->short_id) : xstrdup("Generic");
	if (strcmp(id, "customized") == 0)
		return xasprintf("%zu", wz_newvm_customized(w));
	if (strcmp(id, "os_by_user") == 0)
		return xstrdup(c->os_by_user ? "1" : "0");
	if ((b = bool_field(w, id)) != NULL)
		return xstrdup(*b ? "1" : "0");
	if ((t = text_field(w, id)) != NULL)
		return xstrdup(*t ? *t : "");
	return NULL;
}

static char **strv_add(char **v, size_t *n, char *s)
{
	v = xrealloc(v, (*n + 2) * sizeof(*v));
	v[(*n)++] = s;
	v[*n] = NULL;
	return v;
}

char **wz_newvm_options(wz_newvm *w, const char *id, size_t *n)
{
	char **v = NULL;
	*n = 0;
	if (strcmp(id, "install") == 0) {
		v = strv_add(v, n, xstrdup("Text installer on the serial console"));
		return strv_add(v, n, xstrdup("Boot the ISO as is"));
	}
	if (strcmp(id, "iso") == 0)
		return wz_newvm_isos(w, n);
	if (strcmp(id, "import") == 0 || strcmp(id, "disk_vol") == 0 || strcmp(id, "cloud_vol") == 0)
		return wz_newvm_disks(w, n);
	if (strcmp(id, "iso_same") == 0)
		return reuse_options(w, n);
	if (strcmp(id, "disk_pool") == 0 || strcmp(id, "upload_pool") == 0) {
		for (size_t i = 0; i < w->host.npools; i++)
			if (w->host.pools[i].active)
				v = strv_add(v, n, xstrdup(w->host.pools[i].name));
	} else if (strcmp(id, "nic_source") == 0) {
		for (size_t i = 0; i < w->host.nnets; i++)
			v = strv_add(v, n, xstrdup(w->host.nets[i].name));
	} else if (strcmp(id, "os") == 0) {
		size_t m = 0;
		const be_os **r = be_osinfo_search(w->db, w->c.os_query, 200, &m);
		v = strv_add(v, n, xstrdup("Generic"));
		if (w->os && empty(w->c.os_query))
			v = strv_add(v, n, xasprintf("%s (%s)", w->os->name, w->os->short_id));
		for (size_t i = 0; i < m; i++)
			if (r[i] != w->os || !empty(w->c.os_query))
				v = strv_add(v, n, xasprintf("%s (%s)", r[i]->name, r[i]->short_id));
		free(r);
	} else if (strcmp(id, "source") == 0) {
		for (int i = 0; i < WZ_SRC__N; i++)
			v = strv_add(v, n, xstrdup(wz_source_label(i)));
	}
	return v;
}

static void *ops_create(const md_host *h)
{
	wz_caps caps;
	wz_newvm *w;
	wz_caps_from_domcaps(&caps, h ? h->domcaps : NULL);
	w = wz_newvm_new(h, &caps, be_osinfo_shared());
	wz_caps_clear(&caps);
	return w;
}

static void ops_destroy(void *w)
{
	wz_newvm *p = w;
	wz_newvm_free(&p);
}

static void ops_set_host(void *w, const md_host *h)
{
	wz_newvm *p = w;
	if (h && h->domcaps) { /* they may have come since the wizard opened */
		wz_caps caps;
		bool had = p->host.caps.known;
		wz_caps_from_domcaps(&caps, h->domcaps);
		wz_newvm_set_host(p, h, &caps);
		if (!had) /* the defaults that waited for them */
			p->c.tcg = !caps.kvm_default;
		wz_caps_clear(&caps);
	} else {
		wz_newvm_set_host(p, h, &p->host.caps);
	}
	if (!p->db)
		wz_newvm_set_osinfo(p, be_osinfo_shared());
}

static int ops_set(void *w, const char *id, const char *value)
{
	if (strcmp(id, "detected") == 0)
		return wz_newvm_set_detected(w, value);
	return wz_newvm_set_value(w, id, value);
}

static char *ops_get(void *w, const char *id)
{
	return wz_newvm_get_value(w, id);
}

static char **ops_options(void *w, const char *id, size_t *n)
{
	wz_newvm *p = w;
	if (!p->db)
		wz_newvm_set_osinfo(p, be_osinfo_shared());
	return wz_newvm_options(p, id, n);
}

static int ops_check(void *w, int page, core_issues *is)
{
	return wz_newvm_check(w, page, is);
}

static int ops_next(void *w, int page)
{
	return wz_newvm_next(w, page);
}

static bool ops_ready(void *w)
{
	return wz_newvm_ready(w);
}

int wz_newvm_detect(wz_newvm *w, char **msg)
{
	const be_os *os = NULL;
	char *err = NULL;
	int rc;
	*msg = NULL;
	if (w->c.source != WZ_SRC_ISO_LOCAL || empty(w->c.local_iso))
		return 0;
	if (!w->db)
		wz_newvm_set_osinfo(w, be_osinfo_shared());
	rc = be_osinfo_detect(w->db, w->c.local_iso, &os, &err);
	if (rc < 0) {
		*msg = xasprintf("The OS was not detected: %s", err);
		free(err);
		return -1;
	}
	if (w->c.os_by_user)
		*msg = xasprintf("Detected %s; your choice of OS stays", os ? os->name : "no known OS");
	else
		*msg = os ? xasprintf("Detected %s on the install media", os->name)
			  : xstrdup("The install media is not one libosinfo knows: Generic");
	wz_newvm_detected(w, os);
	return rc;
}

/* A detection's answer from a worker (be_detect.h): the OS's id, "" or
 * NULL for none; taken unless the user picked an OS. */
int wz_newvm_set_detected(wz_newvm *w, const char *id)
{
	const be_os *os = NULL;
	if (!w->db)
		wz_newvm_set_osinfo(w, be_osinfo_shared());
	if (!empty(id) && !(os = be_osinfo_find(w->db, id)))
		return -1;
	wz_newvm_detected(w, os);
	return 0;
}

static char *ops_text(void *w, const char *what, char **err)
{
	char *t = NULL;
	if (strcmp(what, "detect") == 0) {
		wz_newvm_detect(w, &t);
		if (!t)
			*err = xstrdup("nothing to detect");
		return t;
	}
	if (strcmp(what, "xml") == 0)
		return wz_newvm_xml(w, err);
	if (strcmp(what, "virt-install") == 0)
		t = wz_newvm_virt_install(w);
	else if (strcmp(what, "summary") == 0)
		t = wz_newvm_summary(w);
	if (!t)
		*err = xasprintf("no %s", what);
	return t;
}

static core_step *ops_plan(void *w, size_t *n, char **err)
{
	return wz_newvm_plan(w, n, err);
}

static int ops_take(void *w, const char *id, void *obj, char **err)
{
	be_vmchange *ch = obj;
	*err = NULL;
	if (strcmp(id, "customize") != 0) {
		*err = xasprintf("%s: nothing to hand over", id);
		return -1;
	}
	return wz_newvm_customize(w, &ch, err);
}

const core_wizard_ops wz_newvm_ops = {
	.name = "newvm",
	.npages = WZ_PAGE__N,
	.page_title = wz_page_title,
	.create = ops_create,
	.destroy = ops_destroy,
	.set_host = ops_set_host,
	.set = ops_set,
	.get = ops_get,
	.options = ops_options,
	.check = ops_check,
	.next = ops_next,
	.ready = ops_ready,
	.text = ops_text,
	.plan = ops_plan,
	.take = ops_take,
};

/* ---- the text installer on the serial console (issue 18) ------------------------------- */

static void install_free(wz_newvm *w)
{
	be_iso_probe_clear(&w->probe);
	xfree(&w->probe_key);
	xfree(&w->inst_kernel_vol);
	xfree(&w->inst_initrd_vol);
	xfree(&w->inst_cmdline);
}

char *wz_newvm_iso_key(const wz_newvm *w)
{
	const wz_choices *c = &w->c;
	if (c->source == WZ_SRC_ISO_LOCAL && !empty(c->local_iso))
		return xasprintf("local:%s", c->local_iso);
	if (c->source == WZ_SRC_ISO_POOL && !empty(c->iso_pool) && !empty(c->iso_vol))
		return xasprintf("pool:%s/%s", c->iso_pool, c->iso_vol);
	return NULL;
}

/* the probe is of the ISO chosen now */
static bool probe_current(const wz_newvm *w)
{
	char *key = wz_newvm_iso_key(w);
	bool ok = key && w->probe_key && strcmp(key, w->probe_key) == 0;
	free(key);
	return ok;
}

bool wz_newvm_install_offered(const wz_newvm *w)
{
	return probe_current(w) && w->probe.text_install;
}

bool wz_newvm_text_install(const wz_newvm *w)
{
	return wz_newvm_install_offered(w) && w->install == WZ_INSTALL_TEXT;
}

char *wz_newvm_install_note(const wz_newvm *w)
{
	if (w->c.source != WZ_SRC_ISO_POOL && w->c.source != WZ_SRC_ISO_LOCAL)
		return xstrdup("The text installer needs an install ISO as the source.");
	if (!probe_current(w))
		return xstrdup("Reading the ISO...");
	if (!w->probe.text_install)
		return xasprintf("Text installer not offered: %s.", w->probe.why_not ? w->probe.why_not : "?");
	return xasprintf("%s: the installer's %s and %s are read out of the ISO into the pool, booted with \"%s\" "
			 "and removed after the install run; the next boot is from the disk, the CD-ROM empty.",
			 w->probe.os_name ? w->probe.os_name : "?", w->probe.kernel, w->probe.initrd,
			 w->inst_cmdline ? w->inst_cmdline : "console=ttyS0");
}

/* The probe's answer (be_iso_probe_text) for the ISO it names: taken when
 * that is still the chosen one; the OS it found as detection's. */
static int take_probe(wz_newvm *w, const char *text)
{
	be_iso_probe p;
	char *key = NULL;
	if (be_iso_probe_parse(text, &p, &key) < 0)
		return -1;
	install_free(w);
	w->probe = p;
	w->probe_key = key;
	if (!probe_current(w))
		return 0;
	if (!w->db)
		wz_newvm_set_osinfo(w, be_osinfo_shared());
	if (p.os_id && w->db)
		wz_newvm_detected(w, be_osinfo_find(w->db, p.os_id));
	if (!w->install_by_user)
		w->install = p.text_install ? WZ_INSTALL_TEXT : WZ_INSTALL_ISO;
	w->inst_cmdline = be_install_cmdline(p.os_id);
	return 0;
}

int wz_newvm_install_set(wz_newvm *w, const char *id, const char *value)
{
	if (strcmp(id, "iso_probe") == 0)
		return take_probe(w, value);
	if (strcmp(id, "install") == 0) {
		int i = index_in(value, 2);
		if (i < 0)
			return -1;
		w->install = i;
		w->install_by_user = true;
		return 0;
	}
	return -1;
}

char *wz_newvm_install_get(wz_newvm *w, const char *id)
{
	if (strcmp(id, "iso_key") == 0)
		return wz_newvm_iso_key(w);
	if (strcmp(id, "install") == 0)
		return xasprintf("%d", wz_newvm_install_offered(w) ? w->install : WZ_INSTALL_ISO);
	if (strcmp(id, "install_offered") == 0)
		return xstrdup(wz_newvm_install_offered(w) ? "1" : "0");
	if (strcmp(id, "install_note") == 0)
		return wz_newvm_install_note(w);
	return NULL;
}

/* the volumes the kernel and initrd go to: NAME.install-kernel ... ('/'
 * is never in a VM's name) */
static void install_spec(wz_newvm *w, be_domspec *s)
{
	if (!wz_newvm_text_install(w))
		return;
	xfree(&w->inst_kernel_vol);
	xfree(&w->inst_initrd_vol);
	w->inst_kernel_vol = xasprintf("%s.install-kernel", w->c.name);
	w->inst_initrd_vol = xasprintf("%s.install-initrd", w->c.name);
	/* the volumes' names: the worker puts their paths there (be_install_xml_set) */
	s->kernel = w->inst_kernel_vol;
	s->initrd = w->inst_initrd_vol;
	s->cmdline = w->inst_cmdline;
}

/* where the extracted files go: the new disk's pool, else the ISO's */
static const char *install_pool(const wz_newvm *w)
{
	const wz_choices *c = &w->c;
	if (c->disk == WZ_DISK_NEW && c->source != WZ_SRC_IMPORT && !empty(c->disk_pool))
		return c->disk_pool;
	return c->source == WZ_SRC_ISO_LOCAL ? c->upload_pool : c->iso_pool;
}

static char *install_summary(wz_newvm *w, char *sum)
{
	char *out;
	if (w->c.source != WZ_SRC_ISO_POOL && w->c.source != WZ_SRC_ISO_LOCAL)
		return sum;
	out = wz_newvm_text_install(w)
		      ? xasprintf("%s\nInstall:      text installer on the serial console (%s, %s -> pool %s; "
				  "removed after the install run)",
				  sum, w->probe.kernel, w->probe.initrd, install_pool(w))
		      : xasprintf("%s\nInstall:      boot the ISO as is", sum);
	free(sum);
	return out;
}

/* PREP (before the definition), DEFINE the final XML, INSTALL_START the
 * install XML (the VM always starts: the run is what removes the files),
 * CONSOLE when asked. */
static int install_plan(wz_newvm *w, be_domspec *s, core_step **v, size_t *n, char **err)
{
	wz_choices *c = &w->c;
	const md_pool *dst = pool_named(w, install_pool(w));
	char *install_xml = dom_xml(w, s, err);
	core_step *st;
	if (!install_xml)
		return -1;
	if (!dst) {
		*err = xasprintf("Storage: no pool \"%s\" for the installer's kernel and initrd", install_pool(w));
		free(install_xml);
		return -1;
	}
	st = step_add(v, n, CORE_STEP_INSTALL_PREP);
	st->label = xasprintf("Extract the installer's kernel and initrd into pool %s", dst->name);
	st->pool = xstrdup(dst->name);
	st->pool_uuid = xstrdup(dst->uuid);
	if (c->source == WZ_SRC_ISO_LOCAL) {
		st->local = xstrdup(c->local_iso);
	} else {
		const md_pool *ip = pool_named(w, c->iso_pool);
		st->src_pool_uuid = xstrdup(ip ? ip->uuid : NULL);
		st->src_vol = xstrdup(c->iso_vol);
	}
	st->kernel = xstrdup(w->probe.kernel);
	st->initrd = xstrdup(w->probe.initrd);
	st->kernel_vol = xstrdup(w->inst_kernel_vol);
	st->initrd_vol = xstrdup(w->inst_initrd_vol);

	st = step_add(v, n, CORE_STEP_DEFINE);
	st->label = xasprintf("Define VM %s (boots from its disk after the install)", c->name);
	st->xml = be_install_final_xml(install_xml);

	st = step_add(v, n, CORE_STEP_INSTALL_START);
	st->label = xasprintf("Start the installer of %s (%s)", c->name, w->inst_cmdline);
	st->xml = install_xml;
	st->pool_uuid = xstrdup(dst->uuid);
	st->kernel_vol = xstrdup(w->inst_kernel_vol);
	st->initrd_vol = xstrdup(w->inst_initrd_vol);
	if (c->console) {
		st = step_add(v, n, CORE_STEP_CONSOLE);
		st->label = xstrdup("Open its serial console");
	}
	return 0;
}

/* virt-install's way to the same install: --location ISO --extra-args
 * (it extracts the kernel and initrd itself and attaches the ISO) */
static char *install_virt_install(wz_newvm *w)
{
	wz_choices *c = &w->c;
	be_domspec s;
	char *err = NULL, *line, *iso, *args, *out;
	const md_vol *v;
	if (wz_newvm_spec(w, &s, &err) < 0) {
		free(err);
		return NULL;
	}
	s.kernel = s.initrd = s.cmdline = NULL;
	if (s.ndisks > 0 && s.disks[0].device == BE_DEV_CDROM) { /* --location brings it */
		memmove(&s.disks[0], &s.disks[1], (s.ndisks - 1) * sizeof(s.disks[0]));
		s.ndisks--;
	}
	s.nboot = 0;
	line = be_domxml_virt_install(&s, w->host.uri);
	v = c->source == WZ_SRC_ISO_POOL ? vol_named(pool_named(w, c->iso_pool), c->iso_vol) : NULL;
	iso = be_shell_quote(c->source == WZ_SRC_ISO_LOCAL ? c->local_iso : v && v->path ? v->path : c->iso_vol);
	args = be_shell_quote(w->inst_cmdline ? w->inst_cmdline : "console=ttyS0");
	out = xasprintf("%s --location %s --extra-args %s", line ? line : "virt-install", iso, args);
	free(line);
	free(iso);
	free(args);
	return out;
}

/* ---- cloud images and the cloud-init seed -------------------------------------------- */

static void cloud_clear(wz_choices *c)
{
	xfree(&c->reuse_pool);
	xfree(&c->reuse_vol);
	xfree(&c->reuse_for);
	xfree(&c->cloud_local);
	xfree(&c->cloud_pool);
	xfree(&c->cloud_vol);
	xfree(&c->ci_hostname);
	xfree(&c->ci_user);
	xfree_secret(&c->ci_password);
	for (size_t i = 0; i < c->nci_keys; i++)
		free(c->ci_keys[i]);
	xfree(&c->ci_keys);
	xfree(&c->ci_key_on);
	c->nci_keys = 0;
	c->ci_keys_known = false;
}

int wz_cloud_image_info(const char *path, bool *qcow2, uint64_t *vsize, char **err)
{
	unsigned char h[32];
	struct stat st;
	FILE *f = path ? fopen(path, "rb") : NULL;
	size_t n;
	if (!f || fstat(fileno(f), &st) < 0) {
		*err = xstrdup(strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	n = fread(h, 1, sizeof(h), f);
	fclose(f);
	*qcow2 = n == sizeof(h) && memcmp(h, "QFI\xfb", 4) == 0;
	*vsize = (uint64_t)st.st_size;
	if (*qcow2) {
		*vsize = 0;
		for (int i = 24; i < 32; i++) /* the header's size: big-endian */
			*vsize = (*vsize << 8) | h[i];
	}
	return 0;
}

/* the image's format and virtual size (0: not known) */
static const char *cloud_format(const wz_newvm *w, uint64_t *vsize)
{
	const wz_choices *c = &w->c;
	bool qcow2 = true;
	*vsize = 0;
	if (c->cloud_from == 0) {
		char *err = NULL;
		if (wz_cloud_image_info(c->cloud_local, &qcow2, vsize, &err) < 0)
			free(err);
	} else {
		const md_vol *v = vol_named(pool_named(w, c->cloud_pool), c->cloud_vol);
		if (v) {
			qcow2 = !v->format || strcmp(v->format, "raw") != 0;
			*vsize = v->capacity;
		}
	}
	return qcow2 ? "qcow2" : "raw";
}

static char *cloud_disk_name(const wz_newvm *w)
{
	uint64_t vsize;
	return xasprintf("%s.%s", w->c.name ? w->c.name : "", strcmp(cloud_format(w, &vsize), "raw") == 0 ? "img" : "qcow2");
}

char *wz_newvm_seed_name(const wz_newvm *w)
{
	return xasprintf("%s-seed.iso", w->c.name ? w->c.name : "");
}

static const char *ci_hostname(const wz_newvm *w)
{
	return !empty(w->c.ci_hostname) ? w->c.ci_hostname : w->c.name;
}

/* the seed's spec (keys: the checked ones, a vector the caller frees) */
static void seed_spec(const wz_newvm *w, be_seed_spec *s, const char ***keys)
{
	const wz_choices *c = &w->c;
	size_t k = 0;
	memset(s, 0, sizeof(*s));
	*keys = xcalloc(c->nci_keys + 1, sizeof(**keys));
	for (size_t i = 0; i < c->nci_keys; i++)
		if (c->ci_key_on[i])
			(*keys)[k++] = c->ci_keys[i];
	s->hostname = ci_hostname(w);
	s->user = empty(c->ci_user) ? NULL : c->ci_user;
	s->keys = *keys;
	s->nkeys = k;
}

static void check_cloud(wz_newvm *w, core_issues *is)
{
	wz_choices *c = &w->c;
	be_seed_spec s;
	const char **keys;
	char *err = NULL, *meta;
	if (c->cloud_from == 0) {
		check_local_file(is, "cloud_local", c->cloud_local, "cloud image");
	} else {
		const md_vol *v = check_vol(w, is, "cloud_vol", c->cloud_pool, c->cloud_vol, "a cloud image volume");
		if (v && is_iso(v))
			core_issue_add(is, "cloud_vol", false, "\"%s\" is an ISO, not a disk image", v->name);
	}
	seed_spec(w, &s, &keys);
	if (!empty(c->name) || !empty(c->ci_hostname)) {
		if ((meta = be_seed_meta_data(&s, &err)) == NULL) {
			core_issue_add(is, strncmp(err, "User", 4) == 0 ? "ci_user" : "ci_hostname", false, "%s", err);
			free(err);
		}
		free(meta);
	}
	if (empty(c->ci_user) && (!empty(c->ci_password) || s.nkeys))
		core_issue_add(is, "ci_user", true, "no user: the password and keys go to the image's default user");
	if (!empty(c->ci_user) && empty(c->ci_password) && !s.nkeys)
		core_issue_add(is, "ci_password", true, "no password and no SSH key: %s cannot log in", c->ci_user);
	if (!be_seed_tool())
		core_issue_add(is, "cloud_from", false, "no tool to make the cloud-init seed ISO: install xorriso or genisoimage");
	free(keys);
}

static void check_cloud_storage(wz_newvm *w, core_issues *is)
{
	wz_choices *c = &w->c;
	const md_pool *p = pool_named(w, c->disk_pool);
	uint64_t size = 0, vsize = 0;
	char *err = NULL, *vol = cloud_disk_name(w), *seed = wz_newvm_seed_name(w);
	cloud_format(w, &vsize);
	check_pool(w, is, "disk_pool", c->disk_pool);
	if (core_size_parse(c->disk_size ? c->disk_size : "", &size, &err) < 0) {
		core_issue_add(is, "disk_size", false, "%s", err);
		free(err);
	} else if (vsize && size < vsize) {
		char have[32];
		core_size_fmt(vsize, have, sizeof(have));
		core_issue_add(is, "disk_size", false, "the image is %s: at least that", have);
	}
	if (p && vol_named(p, vol))
		core_issue_add(is, "disk_pool", false, "pool \"%s\" has a volume \"%s\" already", p->name, vol);
	else if (p && vol_named(p, seed))
		core_issue_add(is, "disk_pool", false, "pool \"%s\" has a volume \"%s\" already", p->name, seed);
	free(vol);
	free(seed);
}

static void cloud_spec(wz_newvm *w, be_domspec *s, bool virtio)
{
	wz_choices *c = &w->c;
	uint64_t vsize;
	be_domdisk *d = &s->disks[s->ndisks++], *cd;
	xfree(&w->spec_disk_vol);
	w->spec_disk_vol = cloud_disk_name(w);
	d->pool = c->disk_pool;
	d->vol = w->spec_disk_vol;
	d->format = cloud_format(w, &vsize);
	d->bus = virtio ? BE_BUS_VIRTIO : BE_BUS_SATA;
	cd = &s->disks[s->ndisks++];
	xfree(&w->spec_seed_vol);
	w->spec_seed_vol = wz_newvm_seed_name(w);
	cd->device = BE_DEV_CDROM;
	cd->pool = c->disk_pool;
	cd->vol = w->spec_seed_vol;
	/* the disk boots: it goes last for wz_newvm_spec's boot order */
	be_domdisk t = *d;
	*d = *cd;
	*cd = t;
}

/* the image into the new volume, grown, then the seed */
static void cloud_steps(wz_newvm *w, core_step **v, size_t *n)
{
	wz_choices *c = &w->c;
	const md_pool *dst = pool_named(w, c->disk_pool);
	uint64_t vsize = 0, size = 0;
	char *err = NULL, sz[32];
	core_step *st;
	be_seed_spec s;
	const char **keys;
	cloud_format(w, &vsize);
	core_size_parse(c->disk_size, &size, &err);
	free(err);
	err = NULL;
	if (c->cloud_from == 0) {
		st = step_add(v, n, CORE_STEP_UPLOAD);
		st->local = xstrdup(c->cloud_local);
		st->vol = cloud_disk_name(w);
		st->label = xasprintf("Upload the cloud image as %s to pool %s", st->vol, c->disk_pool);
	} else {
		const md_pool *src = pool_named(w, c->cloud_pool);
		st = step_add(v, n, CORE_STEP_VOL_CLONE);
		st->vol = xstrdup(c->cloud_vol);
		st->pool_uuid = xstrdup(src ? src->uuid : NULL);
		st->new_vol = cloud_disk_name(w);
		st->dst_pool_uuid = xstrdup(dst ? dst->uuid : NULL);
		st->label = xasprintf("Copy %s/%s as %s to pool %s", c->cloud_pool, c->cloud_vol, st->new_vol, c->disk_pool);
	}
	st->pool = xstrdup(c->disk_pool);
	if (st->kind == CORE_STEP_UPLOAD)
		st->pool_uuid = xstrdup(dst ? dst->uuid : NULL);
	if (size > vsize) {
		st = step_add(v, n, CORE_STEP_VOL_RESIZE);
		st->pool = xstrdup(c->disk_pool);
		st->pool_uuid = xstrdup(dst ? dst->uuid : NULL);
		st->vol = cloud_disk_name(w);
		st->size = size;
		core_size_fmt(size, sz, sizeof(sz));
		st->label = xasprintf("Grow %s to %s", st->vol, sz);
	}
	st = step_add(v, n, CORE_STEP_SEED);
	st->pool = xstrdup(c->disk_pool);
	st->pool_uuid = xstrdup(dst ? dst->uuid : NULL);
	st->vol = wz_newvm_seed_name(w);
	seed_spec(w, &s, &keys);
	if (!empty(c->ci_user) && !empty(c->ci_password))
		s.password_hash = be_seed_hash_password(c->ci_password, &err);
	st->seed_meta = be_seed_meta_data(&s, &err);
	st->seed_user = be_seed_user_data(&s, &err);
	st->label = xasprintf("Make the cloud-init seed %s (host %s%s%s, %zu SSH key%s) in pool %s", st->vol,
			      s.hostname, s.user ? ", user " : "", s.user ? s.user : "", s.nkeys, s.nkeys == 1 ? "" : "s",
			      c->disk_pool);
	free((char *)s.password_hash);
	free(keys);
	free(err);
}

/* 1: not a cloud field; else set_value's answer */
static int cloud_set(wz_newvm *w, const char *id, const char *value)
{
	wz_choices *c = &w->c;
	char **t = strcmp(id, "cloud_local") == 0   ? &c->cloud_local
		   : strcmp(id, "ci_hostname") == 0 ? &c->ci_hostname
		   : strcmp(id, "ci_user") == 0	    ? &c->ci_user
						    : NULL;
	if (t) {
		core_str_set(t, value && *value ? value : NULL);
		return 0;
	}
	if (strcmp(id, "ci_password") == 0) {
		xfree_secret(&c->ci_password);
		c->ci_password = value && *value ? xstrdup(value) : NULL;
		return 0;
	}
	if (strcmp(id, "cloud_from") == 0) {
		int i = index_in(value, 2);
		if (i < 0)
			return -1;
		c->cloud_from = i;
		return 0;
	}
	if (strcmp(id, "cloud_vol") == 0)
		return split_pool_vol(value, &c->cloud_pool, &c->cloud_vol);
	if (strcmp(id, "kernel_upload") == 0) {
		c->kernel_upload = value && strcmp(value, "1") == 0;
		return 0;
	}
	if (strcmp(id, "iso_reuse_for") == 0) {
		core_str_set(&c->reuse_for, value && *value ? value : NULL);
		return 0;
	}
	if (strcmp(id, "iso_reuse") == 0) {
		if (!value || !*value) {
			xfree(&c->reuse_pool);
			xfree(&c->reuse_vol);
			return 0;
		}
		return split_pool_vol(value, &c->reuse_pool, &c->reuse_vol);
	}
	if (strcmp(id, "ci_keys") == 0) {
		for (size_t i = 0; i < c->nci_keys; i++)
			free(c->ci_keys[i]);
		xfree(&c->ci_keys);
		xfree(&c->ci_key_on);
		c->nci_keys = 0;
		for (const char *l = value ? value : ""; *l;) {
			size_t len = strcspn(l, "\n");
			if (len) {
				c->ci_keys = xrealloc(c->ci_keys, (c->nci_keys + 1) * sizeof(*c->ci_keys));
				c->ci_key_on = xrealloc(c->ci_key_on, (c->nci_keys + 1) * sizeof(*c->ci_key_on));
				c->ci_keys[c->nci_keys] = xstrndup(l, len);
				c->ci_key_on[c->nci_keys++] = true;
			}
			l += len;
			l += *l == '\n';
		}
		c->ci_keys_known = true;
		return 0;
	}
	if (strncmp(id, "ci_key:", 7) == 0) {
		int i = index_in(id + 7, (int)c->nci_keys);
		if (i < 0)
			return -1;
		c->ci_key_on[i] = value && strcmp(value, "1") == 0;
		return 0;
	}
	return 1;
}

/* NULL: not a cloud field */
static char *cloud_get(wz_newvm *w, const char *id)
{
	wz_choices *c = &w->c;
	int i;
	if (strcmp(id, "cloud_local") == 0)
		return xstrdup(c->cloud_local ? c->cloud_local : "");
	if (strcmp(id, "ci_hostname") == 0)
		return xstrdup(c->ci_hostname ? c->ci_hostname : "");
	if (strcmp(id, "ci_user") == 0)
		return xstrdup(c->ci_user ? c->ci_user : "");
	if (strcmp(id, "ci_password") == 0)
		return xstrdup(c->ci_password ? c->ci_password : "");
	if (strcmp(id, "cloud_from") == 0)
		return xasprintf("%d", c->cloud_from);
	if (strcmp(id, "iso_reuse") == 0)
		return wz_newvm_reusing(w) ? xasprintf("%s/%s", c->reuse_pool, c->reuse_vol) : xstrdup("");
	if (strcmp(id, "name_suggested") == 0)
		return wz_newvm_suggest_name(w);
	if (strcmp(id, "kernel_upload") == 0)
		return xstrdup(c->kernel_upload ? "1" : "0");
	if (strcmp(id, "cloud_vol") == 0)
		return c->cloud_pool && c->cloud_vol ? xasprintf("%s/%s", c->cloud_pool, c->cloud_vol) : xstrdup("");
	if (strcmp(id, "ci_keys") == 0)
		return c->ci_keys_known ? xasprintf("%zu", c->nci_keys) : xstrdup("");
	if (strncmp(id, "ci_key:", 7) == 0 && (i = index_in(id + 7, (int)c->nci_keys)) >= 0)
		return xstrdup(c->ci_key_on[i] ? "1" : "0");
	if (strncmp(id, "ci_key_label:", 13) == 0 && (i = index_in(id + 13, (int)c->nci_keys)) >= 0) {
		/* "ssh-ed25519 AAAAC3Nz...Kx1 me@host": type, the base64's ends, comment */
		const char *k = c->ci_keys[i], *sp = strchr(k, ' ');
		const char *b = sp ? sp + 1 : k, *end = b + strcspn(b, " ");
		size_t len = (size_t)(end - b);
		if (len <= 16)
			return xstrdup(k);
		return xasprintf("%.*s %.8s...%.4s%s", (int)(sp - k), k, b, end - 4, end);
	}
	return NULL;
}

/* ---- a local ISO already in the pool ------------------------------------------------- */

bool wz_newvm_reusing(const wz_newvm *w)
{
	const wz_choices *c = &w->c;
	const md_pool *p = pool_named(w, c->reuse_pool);
	return c->source == WZ_SRC_ISO_LOCAL && !empty(c->reuse_vol) && core_str_eq(c->reuse_for, c->local_iso) &&
	       core_str_eq(c->reuse_pool, c->upload_pool) && p && vol_named(p, c->reuse_vol);
}

/* the volumes of upload_pool of the local ISO's size */
static char **reuse_options(wz_newvm *w, size_t *n)
{
	const wz_choices *c = &w->c;
	const md_pool *p = pool_named(w, c->upload_pool);
	struct stat st;
	char **v = NULL;
	*n = 0;
	if (!p || empty(c->local_iso) || stat(c->local_iso, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	for (size_t i = 0; i < p->nvols; i++)
		if (p->vols[i].capacity == (unsigned long long)st.st_size)
			v = strv_add(v, n, xstrdup(p->vols[i].name));
	return v;
}

/* ---- a name from the install source (Quick Create) ------------------------------- */

char *wz_newvm_suggest_name(const wz_newvm *w)
{
	static const char *const exts[] = { ".iso", ".img", ".qcow2", ".raw" };
	const wz_choices *c = &w->c;
	const char *src = c->source == WZ_SRC_ISO_POOL	  ? c->iso_vol
			  : c->source == WZ_SRC_ISO_LOCAL ? c->local_iso
			  : c->source == WZ_SRC_CLOUD	  ? (c->cloud_from ? c->cloud_vol : c->cloud_local)
							  : NULL;
	const char *slash = src ? strrchr(src, '/') : NULL;
	char *base, *name, *err = NULL;
	size_t len;
	if (empty(src))
		return xstrdup("");
	base = xstrdup(slash ? slash + 1 : src);
	len = strlen(base);
	for (size_t i = 0; i < CORE_ARRAY_LEN(exts); i++) {
		size_t e = strlen(exts[i]);
		if (len > e && strcasecmp(base + len - e, exts[i]) == 0)
			base[len - e] = '\0';
	}
	name = xstrdup(base);
	for (int n = 2; (vm_exists(w, name) || be_domname_check(name, &err) < 0) && n < 1000; n++) {
		xfree(&err);
		free(name);
		name = xasprintf("%s-%d", base, n);
	}
	free(err);
	free(base);
	return name;
}

/* ---- direct kernel boot from files here, uploaded -------------------------------- */

/* NAME-kernel, NAME-initrd (caller frees) */
static char *kernel_vol(const wz_newvm *w, const char *what)
{
	return xasprintf("%s-%s", w->c.name ? w->c.name : "", what);
}

static void check_kernel_upload(wz_newvm *w, core_issues *is)
{
	wz_choices *c = &w->c;
	const md_pool *p = pool_named(w, c->upload_pool);
	static const char *const what[] = { "kernel", "initrd" };
	check_local_file(is, "kernel", c->kernel, "kernel");
	if (!empty(c->initrd))
		check_local_file(is, "initrd", c->initrd, "initrd");
	check_pool(w, is, "upload_pool", c->upload_pool);
	if (p && p->active && empty(p->path))
		core_issue_add(is, "upload_pool", false, "pool \"%s\" has no folder the kernel can be booted from", p->name);
	for (size_t i = 0; p && i < CORE_ARRAY_LEN(what); i++) {
		char *v = kernel_vol(w, what[i]);
		if ((i == 0 || !empty(c->initrd)) && vol_named(p, v))
			core_issue_add(is, "upload_pool", false, "pool \"%s\" has a volume \"%s\" already", p->name, v);
		free(v);
	}
}

/* the uploaded files' paths on the host: the pool's folder + volume name */
static void kernel_spec(wz_newvm *w, be_domspec *s)
{
	const md_pool *p = pool_named(w, w->c.upload_pool);
	char *k = kernel_vol(w, "kernel"), *i = kernel_vol(w, "initrd");
	xfree(&w->spec_kernel);
	xfree(&w->spec_initrd);
	w->spec_kernel = xasprintf("%s/%s", p && p->path ? p->path : "", k);
	s->kernel = w->spec_kernel;
	if (s->initrd) {
		w->spec_initrd = xasprintf("%s/%s", p && p->path ? p->path : "", i);
		s->initrd = w->spec_initrd;
	}
	free(k);
	free(i);
}

static void kernel_steps(wz_newvm *w, core_step **v, size_t *n)
{
	wz_choices *c = &w->c;
	const md_pool *p = pool_named(w, c->upload_pool);
	const char *local[] = { c->kernel, c->initrd }, *what[] = { "kernel", "initrd" };
	for (size_t i = 0; i < 2; i++) {
		core_step *st;
		if (empty(local[i]))
			continue;
		st = step_add(v, n, CORE_STEP_UPLOAD);
		st->pool = xstrdup(c->upload_pool);
		st->pool_uuid = xstrdup(p ? p->uuid : NULL);
		st->vol = kernel_vol(w, what[i]);
		st->local = xstrdup(local[i]);
		st->label = xasprintf("Upload the %s as %s to pool %s", what[i], st->vol, st->pool);
	}
}
