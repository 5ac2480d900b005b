/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend/be_batch.c - batch mode: the same hosts, workers and BE_OP_STATS
 * jobs as the console, the same model and reducer, printed instead of
 * drawn. The main thread only waits on the message queue; every libvirt
 * call runs in the hosts' workers. */
#include "be_batch.h"
#include "be.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/model.h"
#include "../core/msgq.h"
#include "../core/sanitize.h"
#include "../core/stats.h"
#include "../core/prompt.h"
#include "../core/util.h"

#define BE_BATCH_CONNECT_WAIT_MS 30000

static volatile sig_atomic_t be_batch_stop;

static void be_batch_on_signal(int sig)
{
	(void)sig;
	be_batch_stop = 1;
}

int be_batch_format_parse(const char *s, int *format)
{
	if (strcmp(s, "csv") == 0)
		*format = BE_BATCH_CSV;
	else if (strcmp(s, "json") == 0)
		*format = BE_BATCH_JSON;
	else
		return -1;
	return 0;
}

const char *be_batch_formats(void)
{
	return "csv, json";
}

struct be_bhost {
	int id;
	be_host *be;
	bool pending;        /* a stats job is out */
	long printed;        /* ticks printed for this host */
	int last_conn;       /* reported on stderr */
};

struct be_batch {
	const struct be_batch_opts *o;
	md_model *model;
	core_msgq *queue;
	struct be_bhost *hosts;
	size_t nhosts;
	bool write_failed;
	int write_errno;
};

/* ---- output -------------------------------------------------------------- */

static const char *const be_csv_header =
	"time,host,name,uuid,state,vcpus,cpu_pct,cpu_host_pct,mem_used_kib,mem_kib,"
	"disk_rd_bps,disk_wr_bps,disk_rd_iops,disk_wr_iops,net_rx_bps,net_tx_bps\n";

/* A string from outside, control characters escaped first (core_sanitize). */
static void be_put_csv_str(FILE *f, const char *raw)
{
	char *s = core_sanitize(raw);
	if (strpbrk(s, ",\"\n\r") || s[0] == ' ') {
		fputc('"', f);
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	free(s);
}

static void be_put_json_str(FILE *f, const char *raw)
{
	char *s = core_sanitize(raw);
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
	free(s);
}

/* one number field: "" in CSV / null in JSON when absent */
static void be_put_num(FILE *f, int format, const char *key, bool have, int prec, double v)
{
	if (format == BE_BATCH_JSON)
		fprintf(f, ",\"%s\":", key);
	else
		fputc(',', f);
	if (have)
		fprintf(f, "%.*f", prec, v);
	else if (format == BE_BATCH_JSON)
		fputs("null", f);
}

static void be_batch_print_vm(struct be_batch *b, const md_host *h, const md_vm *v, const char *when)
{
	FILE *f = stdout;
	int fm = b->o->format;
	const core_stats_rate *r = &v->rate;
	bool disk = r->have & CORE_RATE_DISK, net = r->have & CORE_RATE_NET;

	if (fm == BE_BATCH_JSON) {
		fprintf(f, "{\"time\":\"%s\",\"host\":", when);
		be_put_json_str(f, h->uri);
		fputs(",\"name\":", f);
		be_put_json_str(f, v->name);
		fprintf(f, ",\"uuid\":\"%s\",\"state\":\"%s\"", v->uuid, md_vm_state_name(v->state));
	} else {
		fprintf(f, "%s,", when);
		be_put_csv_str(f, h->uri);
		fputc(',', f);
		be_put_csv_str(f, v->name);
		fprintf(f, ",%s,%s", v->uuid, md_vm_state_name(v->state));
	}
	be_put_num(f, fm, "vcpus", v->vcpus > 0, 0, v->vcpus);
	be_put_num(f, fm, "cpu_pct", r->have & CORE_RATE_CPU, 1, r->cpu_pct);
	be_put_num(f, fm, "cpu_host_pct", r->have & CORE_RATE_CPU_HOST, 2, r->cpu_host_pct);
	be_put_num(f, fm, "mem_used_kib", r->have & CORE_RATE_MEM, 0, (double)r->mem_used_kib);
	be_put_num(f, fm, "mem_kib", v->mem_kib > 0, 0, (double)v->mem_kib);
	be_put_num(f, fm, "disk_rd_bps", disk, 0, r->rd_bps);
	be_put_num(f, fm, "disk_wr_bps", disk, 0, r->wr_bps);
	be_put_num(f, fm, "disk_rd_iops", disk, 1, r->rd_iops);
	be_put_num(f, fm, "disk_wr_iops", disk, 1, r->wr_iops);
	be_put_num(f, fm, "net_rx_bps", net, 0, r->rx_bps);
	be_put_num(f, fm, "net_tx_bps", net, 0, r->tx_bps);
	fputs(fm == BE_BATCH_JSON ? "}\n" : "\n", f);
}

static void be_batch_print_host(struct be_batch *b, const md_host *h)
{
	char when[32];
	time_t t = (time_t)(h->live && h->live->wall_ms ? h->live->wall_ms / 1000 : time(NULL));
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < h->nvms; i++)
		be_batch_print_vm(b, h, &h->vms[i], when);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		b->write_errno = errno;
		b->write_failed = true;
		be_batch_stop = 1;
	}
}

/* ---- the loop ------------------------------------------------------------ */

static struct be_bhost *be_batch_host(struct be_batch *b, int id)
{
	for (size_t i = 0; i < b->nhosts; i++)
		if (b->hosts[i].id == id)
			return &b->hosts[i];
	return NULL;
}

static void be_batch_msg(struct be_batch *b, md_msg *m)
{
	struct be_bhost *bh = be_batch_host(b, m->host_id);
	const md_host *h = md_host_get(b->model, m->host_id);
	const core_stats_tick *t = m->type == MD_MSG_STATS ? m->ext : NULL;

	md_apply(b->model, m);
	if (!bh || !h)
		return;
	switch (m->type) {
	case MD_MSG_HOST_STATE:
		if ((h->conn == MD_CONN_FAILED || h->conn == MD_CONN_DISCONNECTED) && bh->last_conn != h->conn)
			fprintf(stderr, "vmmc: %s: %s%s\n", h->uri, h->error ? h->error : md_conn_name(h->conn),
				h->retry_s > 0 ? " (retrying)" : h->stalled ? " (still waiting)" : "");
		bh->last_conn = h->conn;
		break;
	case MD_MSG_STATS:
		bh->pending = false;
		if (!t)
			break;
		if (t->error)
			fprintf(stderr, "vmmc: %s: cannot read the figures: %s\n", h->uri, t->error);
		else if (!t->first && (b->o->iterations <= 0 || bh->printed < b->o->iterations)) {
			be_batch_print_host(b, h);
			bh->printed++;
		}
		break;
	case MD_MSG_OP_RESULT:
		if (m->seq == 0 && m->ok && m->text) /* a warning nobody asked for */
			fprintf(stderr, "vmmc: warning: %s\n", m->text);
		break;
	case MD_MSG_PROMPT: {
		const core_prompt *p = m->ext;
		/* freeing the message cancels the question: the connection fails */
		fprintf(stderr, "vmmc: %s: %s: batch mode cannot ask%s\n", h->uri,
			p && p->title ? p->title : "a question",
			p && p->kind == CORE_PROMPT_HOSTKEY ? " (add the key to known_hosts first)" : "");
		break;
	}
	default:
		break;
	}
}

static void be_batch_drain(struct be_batch *b)
{
	void *item;
	while ((item = core_msgq_pop(b->queue)) != NULL) {
		md_msg *m = item;
		be_batch_msg(b, m);
		md_msg_free(&m);
	}
}

static void be_batch_wait(struct be_batch *b, int64_t until_ms)
{
	struct pollfd p = { .fd = core_msgq_fd(b->queue), .events = POLLIN };
	int64_t now = core_now_ms();
	int t = until_ms > now ? (int)(until_ms - now) : 0;
	if (poll(&p, 1, t) < 0 && errno != EINTR)
		be_batch_stop = 1;
	be_batch_drain(b);
}


static size_t be_batch_submit(struct be_batch *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->nhosts; i++) {
		const md_host *h = md_host_get(b->model, b->hosts[i].id);
		if (!h || h->conn != MD_CONN_CONNECTED || !h->listed || b->hosts[i].pending)
			continue; /* a slow host only delays its own figures */
		if (b->o->iterations > 0 && b->hosts[i].printed >= b->o->iterations)
			continue; /* done */
		be_host_submit(b->hosts[i].be, BE_OP_STATS, NULL, NULL, 0);
		b->hosts[i].pending = true;
		n++;
	}
	return n;
}

/* Every host still readable has printed its N ticks. A host connected
 * whose list never came (it failed half-way: given up on after the connect
 * wait) is asked nothing (be_batch_submit) and waited for no longer. */
static bool be_batch_done(const struct be_batch *b)
{
	for (size_t i = 0; i < b->nhosts; i++) {
		const md_host *h = md_host_get(b->model, b->hosts[i].id);
		if (h && h->conn == MD_CONN_CONNECTED && h->listed && b->hosts[i].printed < b->o->iterations)
			return false;
	}
	return true;
}

int be_batch_run(const struct be_batch_opts *o)
{
	struct be_batch bb, *b = &bb;
	struct sigaction sa;
	char *err = NULL;
	int64_t delay_ms = (int64_t)(o->delay * 1000.0), next, deadline;
	int64_t give_up = 0;
	size_t connected = 0;
	int rc = 0;

	memset(b, 0, sizeof(*b));
	b->o = o;
	if (delay_ms < 1)
		delay_ms = 1;
	b->model = md_model_new();
	b->queue = core_msgq_new(md_msg_free_void);
	if (be_init(b->queue, &err) != 0) {
		fprintf(stderr, "vmmc: %s\n", err ? err : "cannot start the libvirt event loop");
		free(err);
		core_msgq_free(&b->queue);
		md_model_free(&b->model);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = be_batch_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL); /* a closed stdout is a write error, not a death */

	b->hosts = xcalloc(o->nuris ? o->nuris : 1, sizeof(*b->hosts));
	for (size_t i = 0; i < o->nuris; i++) {
		struct be_bhost *bh = &b->hosts[b->nhosts++];
		bh->id = (int)i + 1;
		bh->last_conn = MD_CONN_CONNECTING;
		md_host_add(b->model, bh->id, o->uris[i])->conn = MD_CONN_CONNECTING;
		bh->be = be_host_new_flags(bh->id, o->uris[i], BE_HOST_LISTS_ONLY);
	}

	/* the hosts connect and list their VMs (each in its worker) */
	deadline = core_now_ms() + BE_BATCH_CONNECT_WAIT_MS;
	while (!be_batch_stop && !md_model_settled(b->model) && core_now_ms() < deadline)
		be_batch_wait(b, core_now_ms() + 100 < deadline ? core_now_ms() + 100 : deadline);
	for (size_t i = 0; i < b->model->nhosts; i++) {
		const md_host *h = b->model->hosts[i];
		if (h->conn == MD_CONN_CONNECTED && h->listed)
			connected++;
		else if (h->conn == MD_CONN_CONNECTING || h->conn == MD_CONN_CONNECTED)
			fprintf(stderr, "vmmc: %s: no answer after %d s; going on without it\n", h->uri,
				BE_BATCH_CONNECT_WAIT_MS / 1000);
	}
	if (connected == 0 && !be_batch_stop) {
		fprintf(stderr, "vmmc: no host could be read\n");
		rc = 1;
	}

	if (rc == 0 && !be_batch_stop) {
		if (o->format == BE_BATCH_CSV) {
			fputs(be_csv_header, stdout);
			if (fflush(stdout) != 0) {
				b->write_errno = errno;
				b->write_failed = true;
			}
		}
		/* tick 0, the baseline reading, was each host's first list
		 * (be_list.c): the first tick comes one interval later (a host
		 * without a baseline answers it as one, not printed) */
		next = core_now_ms() + delay_ms;
		/* N ticks per host: a slow host skips ticks (never two jobs out)
		 * and so takes longer; one that stops answering is given up on */
		if (o->iterations > 0)
			give_up = next + (int64_t)(o->iterations + 1) * delay_ms + 60000;
		while (!be_batch_stop && !b->write_failed) {
			be_batch_wait(b, next);
			if (o->iterations > 0 && (be_batch_done(b) || core_now_ms() >= give_up))
				break;
			if (core_now_ms() < next)
				continue;
			be_batch_submit(b);
			next += delay_ms;
			if (next < core_now_ms())
				next = core_now_ms() + delay_ms;
		}
	}
	if (b->write_failed && b->write_errno != EPIPE)
		rc = 1;

	be_ssh_quit_all(); /* no round trip for closing a far host */
	for (size_t i = 0; i < b->nhosts; i++)
		be_host_free(&b->hosts[i].be, 500);
	free(b->hosts);
	be_fini();
	core_msgq_free(&b->queue);
	md_model_free(&b->model);
	return rc;
}
