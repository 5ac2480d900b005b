/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/perf.c - live figures in the console: when each host's stats job is
 * due (one BE_OP_STATS per host per tick, never two in flight), the
 * Performance view of the selected VM or host (graphs of the history rings
 * in core/stats.h), the host summary above the VM list, and the keys that
 * freeze the figures, change the refresh interval and switch CPU % between
 * the VM's vCPUs and the host. No libvirt here: figures come as
 * MD_MSG_STATS and are already in the model when tui_perf_msg sees them. */
#include "app.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/stats.h"
#include "../core/util.h"

struct perf_host {
	int id;
	bool pending;      /* a stats job is out: no second one */
	bool baseline;     /* asked for a first reading since the host connected */
	char *error;       /* the last stats error put in the status bar */
	bool watched;      /* its figures are on screen (be_host_watch told) */
	bool told;         /* be_host_watch was called for it */
	int64_t read_ms;   /* when its last reading was asked */
};

/* Hosts with a row in the tree on screen, not selected, are read this
 * seldom: every $VMMC_OFFSCREEN_STATS seconds (default 10; 0: not at all).
 * Hosts scrolled out of the tree are not read at all (events keep their
 * states current; a reading is taken as soon as their row shows): at 1000
 * hosts, reading every one every 10 s was 100 calls a second, most of the
 * idle cost on both ends. */
#define PERF_UNWATCHED_MS 10000

static int64_t perf_unwatched_ms(void)
{
	static int64_t ms = -1;
	if (ms < 0) {
		const char *e = getenv("VMMC_OFFSCREEN_STATS");
		char *end;
		long v = e && *e ? strtol(e, &end, 10) : -1;
		ms = e && *e && !*end && v >= 0 && v <= 86400 ? v * 1000 : PERF_UNWATCHED_MS;
	}
	return ms;
}

/* A host counts as selected (be_host_watch: its deferred probes read, its
 * figures every tick) once the selection has rested on it
 * this long: an arrow key held down the tree of 1000 hosts passes each one
 * for a few ms and must not make each read its probes. */
#define PERF_DWELL_MS 300

struct tui_perf {
	struct tui_mode mode;   /* the Performance view: a pane overlay */
	struct perf_host *hosts;
	size_t nhosts, cap;
	int64_t seen_tick;
	int sel_id;             /* the selected host (-1: none) */
	int64_t sel_since;      /* since when (PERF_DWELL_MS) */
	bool frozen;
	bool cpu_host;     /* CPU % of the host instead of the VM's vCPUs */
	bool of_host;      /* the Performance view shows the host, not the VM */
};

static const struct tui_mode_ops perf_ops;

static struct tui_perf *perf(struct tui_app *a)
{
	if (!a->perf) {
		struct tui_perf *p = xcalloc(1, sizeof(struct tui_perf));
		p->mode.ops = &perf_ops;
		p->mode.host_id = -1;
		p->sel_id = -1;
		a->perf = p;
	}
	return a->perf;
}

/* hint: where the host's entry usually is (hosts come in the registry's
 * order), so a tick over a thousand hosts is not a thousand searches */
static struct perf_host *perf_host_at(struct tui_perf *p, int id, size_t hint)
{
	if (hint < p->nhosts && p->hosts[hint].id == id)
		return &p->hosts[hint];
	for (size_t i = 0; i < p->nhosts; i++)
		if (p->hosts[i].id == id)
			return &p->hosts[i];
	xgrow(&p->hosts, &p->cap, p->nhosts + 1, sizeof(*p->hosts));
	memset(&p->hosts[p->nhosts], 0, sizeof(*p->hosts));
	p->hosts[p->nhosts].id = id;
	return &p->hosts[p->nhosts++];
}

static struct perf_host *perf_host(struct tui_perf *p, int id)
{
	return perf_host_at(p, id, SIZE_MAX);
}

bool tui_perf_cpu_of_host(const struct tui_app *a)
{
	const struct tui_perf *p = a->perf;
	return p && p->cpu_host;
}

bool tui_perf_frozen(const struct tui_app *a)
{
	const struct tui_perf *p = a->perf;
	return p && p->frozen;
}

/* ---- jobs and messages ------------------------------------------------------- */

/* The hosts with a row in the tree's visible part (ids into shown, at
 * most max); how many. */
static size_t perf_rows_shown(const struct tui_app *a, int *shown, size_t max)
{
	size_t n = 0;
	int vis = tui_tree_visible_rows(a);
	for (size_t r = a->tree_top; r < a->nnodes && r < a->tree_top + (size_t)(vis > 0 ? vis : 0) && n < max; r++)
		if (a->nodes[r].kind == TUI_NODE_HOST)
			shown[n++] = a->nodes[r].host_id;
	return n;
}

static bool perf_id_in(const int *ids, size_t n, int id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int64_t tui_perf_wake_ms(struct tui_app *a)
{
	const struct tui_perf *p = a->perf;
	return p && p->sel_id >= 0 ? p->sel_since + PERF_DWELL_MS : 0;
}

void tui_perf_tick(struct tui_app *a)
{
	struct tui_perf *p = perf(a);
	bool tick = a->next_tick_ms != p->seen_tick;
	const md_host *sel = tui_sel_host(a);
	int64_t now = core_now_ms();
	int shown[256];
	size_t nshown = perf_rows_shown(a, shown, CORE_ARRAY_LEN(shown));

	p->seen_tick = a->next_tick_ms;
	if ((sel ? sel->id : -1) != p->sel_id) {
		/* the first selection (start-up, one host) counts at once */
		p->sel_since = p->sel_id < 0 ? now - PERF_DWELL_MS : now;
		p->sel_id = sel ? sel->id : -1;
	}
	if (sel && now - p->sel_since < PERF_DWELL_MS)
		sel = NULL; /* passing by: not watched yet (tui_perf_wake_ms) */
	for (size_t i = 0; i < a->reg.nhosts; i++) {
		struct core_reg_host *th = &a->reg.hosts[i];
		const md_host *h = i < a->model->nhosts && a->model->hosts[i]->id == th->id
					   ? a->model->hosts[i] : md_host_get(a->model, th->id);
		struct perf_host *ph = perf_host_at(p, th->id, i);
		/* the selected host's figures are on screen (its VM list, its
		 * Performance views): read each tick, its jobs served first */
		bool watched = h && h == sel, due = tick;
		if (th->user && (watched != ph->watched || !ph->told)) {
			be_host_watch(tui_host_be(th), watched);
			ph->watched = watched;
			ph->told = true;
			due |= watched; /* a fresh reading now */
		}
		if (!h || !th->user || h->conn != MD_CONN_CONNECTED || !h->listed) {
			ph->baseline = false;
			continue;
		}
		/* a driver without bulk stats (ESX, LXC) pays a call per VM
		 * each reading: only the host shown is read */
		if ((h->nosup & MD_CAP_BULK_STATS) && h != tui_sel_host(a)) {
			ph->baseline = false;
			continue;
		}
		if (ph->pending || p->frozen)
			continue; /* a slow host: its next reading waits for its last one */
		if (ph->baseline && !due)
			continue;
		/* the others seldom (or never), but a driver without events
		 * needs its tick to see state changes */
		if (!ph->watched && !(h->nosup & MD_CAP_EVENTS) &&
		    (!perf_unwatched_ms() || !perf_id_in(shown, nshown, th->id) ||
		     (ph->baseline && now - ph->read_ms < perf_unwatched_ms())))
			continue;
		be_host_submit(tui_host_be(th), BE_OP_STATS, NULL, NULL, 0);
		ph->pending = true;
		ph->baseline = true;
		ph->read_ms = now;
	}
}

void tui_perf_msg(struct tui_app *a, const md_msg *m)
{
	struct tui_perf *p = perf(a);
	struct perf_host *ph = perf_host(p, m->host_id);
	const core_stats_tick *t = m->ext;
	const md_host *h = md_host_get(a->model, m->host_id);

	ph->pending = false;
	if (!t || !h)
		return;
	if (t->error && h->conn == MD_CONN_CONNECTED) {
		if (!core_str_eq(ph->error, t->error)) {
			tui_status(a, true, "%s: no live figures: %s", h->label, t->error);
			core_str_set(&ph->error, t->error);
		}
	} else if (!t->error) {
		xfree(&ph->error);
	}
	if (tui_pane_shows(a, &p->mode) && tui_sel_host(a) == h)
		a->dirty |= TUI_DIRTY_LIST;
}

/* ---- actions -------------------------------------------------------------------- */

void tui_perf_open(struct tui_app *a, bool host)
{
	struct tui_perf *p = perf(a);
	p->of_host = host;
	tui_pane_overlay(a, &p->mode);
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_perf_toggle_freeze(struct tui_app *a)
{
	struct tui_perf *p = perf(a);
	p->frozen = !p->frozen;
	if (p->frozen)
		tui_status(a, false, "Live figures frozen (Z lets them run again)");
	else
		tui_status(a, false, "Live figures running again");
	a->dirty |= TUI_DIRTY_ALL;
}

static const int64_t perf_delays_ms[] = { 500, 1000, 2000, 3000, 5000, 10000, 30000, 60000 };

void tui_perf_change_delay(struct tui_app *a, int dir)
{
	size_t n = CORE_ARRAY_LEN(perf_delays_ms), i = 0;
	char s[32];
	/* the step at or above the current interval, then one step */
	while (i + 1 < n && perf_delays_ms[i] < a->delay_ms)
		i++;
	if (dir < 0 && perf_delays_ms[i] >= a->delay_ms && i > 0)
		i--;
	else if (dir > 0 && perf_delays_ms[i] <= a->delay_ms && i + 1 < n)
		i++;
	a->delay_ms = perf_delays_ms[i];
	a->next_tick_ms = core_now_ms() + a->delay_ms;
	if (a->delay_ms % 1000)
		snprintf(s, sizeof(s), "%.1f s", (double)a->delay_ms / 1000.0);
	else
		snprintf(s, sizeof(s), "%lld s", (long long)(a->delay_ms / 1000));
	tui_status(a, false, "Refresh every %s", s);
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_perf_toggle_cpu_host(struct tui_app *a)
{
	struct tui_perf *p = perf(a);
	p->cpu_host = !p->cpu_host;
	tui_status(a, false, "CPU %% %s", p->cpu_host ? "of the host's CPUs" : "of the VM's vCPUs (100 = all busy)");
	a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
}

/* ---- drawing helpers ---------------------------------------------------------- */

enum { PERF_PCT, PERF_KIB, PERF_BPS };

static void fmt_val(int kind, double v, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "-");
		return;
	}
	switch (kind) {
	case PERF_PCT:
		snprintf(buf, len, "%.1f%%", v);
		break;
	case PERF_KIB:
		core_fmt_kib((unsigned long long)(v > 0 ? v : 0), buf, len);
		break;
	default:
		core_fmt_rate(v, buf, len);
		if (strlen(buf) + 3 < len && strcmp(buf, "-") != 0)
			strcat(buf, "/s");
		break;
	}
}

/* Sample i (0 = newest) of series sa (+ sb when sb >= 0); NAN for a gap. */
static double sample(const core_stats_hist *h, int sa, int sb, size_t i)
{
	double x = core_stats_hist_get(h, sa, i), y = sb >= 0 ? core_stats_hist_get(h, sb, i) : NAN;
	if (isnan(x))
		return y;
	return isnan(y) ? x : x + y;
}

/* A scale above v: 1, 2 or 5 times a power of ten. */
static double nice_max(double v)
{
	double m = 1;
	if (!(v > 0))
		return 1;
	while (m < v)
		m *= 10;
	if (m / 5 >= v)
		return m / 5;
	if (m / 2 >= v)
		return m / 2;
	return m;
}

static const char *const eighths_utf8[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char *const eighths_ascii[] = { " ", ".", ".", "_", "-", "=", "+", "*", "#" };

/* One cell of a bar of height units (eighths of a row) at row r (0 = bottom). */
static const char *cell(const struct tui_app *a, int units, int r)
{
	int u = units - r * 8;
	if (u < 0)
		u = 0;
	if (u > 8)
		u = 8;
	return a->utf8 ? eighths_utf8[u] : eighths_ascii[u];
}

struct graph {
	const char *title;
	int sa, sb;          /* series (sb -1: none) */
	int kind;            /* PERF_* */
	double fixed_max;    /* 0: scale to the peak */
	const char *extra;   /* shown after the figures, may be NULL */
};

/* Bucket the history into ncols columns, newest rightmost; the maximum of
 * each bucket (NAN when it holds only gaps). Returns the samples covered. */
static size_t bucket(const core_stats_hist *h, const struct graph *g, double *col, int ncols)
{
	size_t n = h ? h->count : 0, k;
	if (ncols < 1)
		return 0;
	k = n > (size_t)ncols ? (n + (size_t)ncols - 1) / (size_t)ncols : 1;
	for (int c = 0; c < ncols; c++) {
		size_t from = (size_t)c * k;
		double m = NAN;
		for (size_t i = from; i < from + k && i < n; i++) {
			double v = sample(h, g->sa, g->sb, i);
			if (!isnan(v) && (isnan(m) || v > m))
				m = v;
		}
		col[ncols - 1 - c] = m;
	}
	return n < (size_t)ncols * k ? n : (size_t)ncols * k;
}

static void span_text(size_t samples, int64_t delay_ms, char *buf, size_t len)
{
	long long s = (long long)((double)samples * (double)delay_ms / 1000.0 + 0.5);
	if (s >= 60)
		snprintf(buf, len, "-%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, len, "-%llds", s);
}

/* label line, rows of bars with the y axis, the x axis: 2 + rows lines */
static void draw_graph(struct tui_app *a, WINDOW *w, int y, int width, int rows,
		       const core_stats_hist *h, const struct graph *g)
{
	const int lw = 7; /* y-axis labels and the axis line */
	int pw = width - lw - 1;
	double *col, max = 0, sum = 0, peak = NAN, cur;
	size_t k = 0, covered;
	char now_s[32], avg_s[32], peak_s[32], max_s[32], span[32], *line;
	attr_t text = tui_attr(a, CORE_ROLE_ROW), graph = tui_attr(a, CORE_ROLE_GRAPH);

	if (pw < 4 || rows < 1)
		return;
	for (size_t i = 0; h && i < h->count; i++) {
		double v = sample(h, g->sa, g->sb, i);
		if (isnan(v))
			continue;
		sum += v;
		if (isnan(peak) || v > peak)
			peak = v;
		k++;
	}
	cur = sample(h, g->sa, g->sb, 0);
	fmt_val(g->kind, cur, now_s, sizeof(now_s));
	fmt_val(g->kind, k ? sum / (double)k : NAN, avg_s, sizeof(avg_s));
	fmt_val(g->kind, peak, peak_s, sizeof(peak_s));
	line = xasprintf("%s  now %s  avg %s  peak %s%s%s", g->title, now_s, avg_s, peak_s,
			 g->extra ? "  " : "", g->extra ? g->extra : "");
	wattrset(w, tui_attr(a, CORE_ROLE_HEADER));
	tui_put_safe(w, y, 0, width, line, false);
	free(line);

	max = g->fixed_max > 0 ? g->fixed_max : nice_max(isnan(peak) ? 0 : peak);
	/* the y axis' top label: short ("100%", "128M", "5.0K") */
	if (g->kind == PERF_PCT)
		snprintf(max_s, sizeof(max_s), "%.0f%%", max);
	else
		core_fmt_rate(g->kind == PERF_KIB ? max * 1024.0 : max, max_s, sizeof(max_s));

	col = xcalloc((size_t)pw, sizeof(*col));
	covered = bucket(h, g, col, pw);
	for (int r = 0; r < rows; r++) {
		int row_from_bottom = rows - 1 - r;
		size_t cap = (size_t)pw * 4 + 1, n = 0;
		char *bar = xmalloc(cap);
		wattrset(w, text);
		tui_put_safe(w, y + 1 + r, 0, lw - 1, r == 0 ? max_s : r == rows - 1 ? "0" : "", true);
		mvwaddstr(w, y + 1 + r, lw - 1, a->utf8 ? "│" : "|");
		for (int c = 0; c < pw; c++) {
			const char *ch = " ";
			if (!isnan(col[c])) {
				double f = col[c] / max;
				int units = (int)lround((f > 1 ? 1 : f) * rows * 8);
				if (units == 0 && col[c] > 0)
					units = 1; /* something happened: show it */
				ch = cell(a, units, row_from_bottom);
			}
			n += (size_t)snprintf(bar + n, cap - n, "%s", ch);
		}
		wattrset(w, graph);
		mvwaddstr(w, y + 1 + r, lw, bar);
		free(bar);
	}
	/* x axis: the time the graph covers, "now" at the right */
	span_text(covered, a->delay_ms, span, sizeof(span));
	{
		size_t cap = (size_t)width * 4 + 1, n = 0;
		char *ax = xmalloc(cap);
		int used = (int)strlen(span) + 3;
		n += (size_t)snprintf(ax + n, cap - n, "%*s%s%s", lw - 1, "", a->utf8 ? "└" : "+", span);
		for (int c = 0; c < pw - used; c++)
			n += (size_t)snprintf(ax + n, cap - n, "%s", a->utf8 ? "─" : "-");
		snprintf(ax + n, cap - n, "now");
		wattrset(w, text | A_DIM);
		mvwaddstr(w, y + 1 + rows, 0, ax);
		free(ax);
	}
	free(col);
}


/* ---- the Performance view ----------------------------------------------------- */

static void perf_draw(struct tui_mode *m, struct tui_app *a, WINDOW *w)
{
	struct tui_perf *p = perf(a);
	int width = tui_pane_width(a, w), height = getmaxy(w), y = 1;
	const md_host *h = tui_sel_host(a);
	const md_vm *v = p->of_host ? NULL : tui_sel_vm(a);
	const core_stats_hist *hist = NULL;
	char *label, *title, every[32], a1[32], a2[32], *info = NULL, *mem_extra = NULL;
	struct graph g[4];
	int rows, per;

	werase(w);
	if (a->delay_ms % 1000)
		snprintf(every, sizeof(every), "%.1f s", (double)a->delay_ms / 1000.0);
	else
		snprintf(every, sizeof(every), "%lld s", (long long)(a->delay_ms / 1000));
	if (!h || (!p->of_host && !v)) {
		tui_box_title(a, w, " Performance", a->focus == TUI_PANE_LIST);
		wattrset(w, tui_attr(a, CORE_ROLE_ROW));
		tui_put_safe(w, 2, 2, width - 4, h ? "Select a VM first. Escape goes back." : "No host. Escape goes back.",
			     false);
		return;
	}
	label = core_sanitize(p->of_host ? h->label : v->name);
	title = xasprintf(" Performance: %s  (every %s%s; Esc back)", label, every, p->frozen ? ", frozen" : "");
	wattrset(w, tui_attr(a, a->focus == TUI_PANE_LIST ? CORE_ROLE_TITLE_FOCUS : CORE_ROLE_TITLE));
	tui_put_safe(w, 0, 0, width, title, false);
	free(title);
	free(label);

	if (p->of_host) {
		const core_stats_store *s = h->live;
		hist = s ? &s->host : NULL;
		core_fmt_kib(s ? s->host_rate.mem_total_kib : 0, a1, sizeof(a1));
		info = xasprintf("%zu of %zu VMs running; %u CPUs, %s memory", md_host_count_running(h), h->nvms,
				 s ? s->host_rate.ncpus : 0, s && s->host_rate.mem_total_kib ? a1 : "?");
		if (s && (s->sum.have & CORE_RATE_CPU_HOST)) {
			char *t = xasprintf("%s; VMs use %.1f%% of it", info, s->sum.cpu_host_pct);
			free(info);
			info = t;
		}
		g[0] = (struct graph){ "Host CPU", CORE_SER_CPU, -1, PERF_PCT, 100, NULL };
		g[1] = (struct graph){ "Host memory used", CORE_SER_MEM, -1, PERF_KIB,
				       s ? (double)s->host_rate.mem_total_kib : 0, NULL };
		g[2] = (struct graph){ "VMs' disk R+W", CORE_SER_RD, CORE_SER_WR, PERF_BPS, 0, NULL };
		g[3] = (struct graph){ "VMs' net RX+TX", CORE_SER_RX, CORE_SER_TX, PERF_BPS, 0, NULL };
	} else {
		char up[32];
		hist = core_stats_store_find(h->live, v->uuid);
		core_fmt_kib(v->mem_kib ? v->mem_kib : v->maxmem_kib, a1, sizeof(a1));
		core_fmt_uptime(v->started_wall && md_vm_state_active(v->state) ? core_wall_s() - v->started_wall : -1,
				up, sizeof(up));
		info = xasprintf("%s; %u vCPU%s; %s memory; up %s", md_vm_state_name(v->state), v->vcpus,
				 v->vcpus == 1 ? "" : "s", a1, up);
		if (v->rate.have & CORE_RATE_MEM)
			mem_extra = xstrdup(v->rate.have & CORE_RATE_MEM_GUEST ? "(guest)" : "(balloon)");
		g[0] = (struct graph){ "CPU", CORE_SER_CPU, -1, PERF_PCT, 100, NULL };
		snprintf(a2, sizeof(a2), "CPU%% of %u vCPU%s", v->vcpus, v->vcpus == 1 ? "" : "s");
		g[0].title = a2;
		g[1] = (struct graph){ "Memory", CORE_SER_MEM, -1, PERF_KIB,
				       (double)(v->maxmem_kib ? v->maxmem_kib : v->mem_kib), mem_extra };
		g[2] = (struct graph){ "Disk R+W", CORE_SER_RD, CORE_SER_WR, PERF_BPS, 0, NULL };
		g[3] = (struct graph){ "Net RX+TX", CORE_SER_RX, CORE_SER_TX, PERF_BPS, 0, NULL };
	}
	wattrset(w, tui_attr(a, CORE_ROLE_ROW));
	tui_put(w, y++, 0, width, info, false);
	free(info);
	if (!hist || hist->count == 0) {
		wattrset(w, tui_attr(a, CORE_ROLE_ROW) | A_DIM);
		tui_put_safe(w, y++, 0, width,
			     !p->of_host && !md_vm_state_active(v->state) ? "Not running: no live figures."
			     : h->live && h->live->error ? "The host's figures could not be read (see the status bar)."
			     : "No figures yet (they need two readings; the test driver has none).",
			     false);
	}
	/* four graphs share the rest: title, bars, axis */
	per = (height - y) / 4;
	rows = per - 2;
	for (int i = 0; i < 4 && rows >= 1; i++)
		draw_graph(a, w, y + i * per, width, rows, hist, &g[i]);
	free(mem_extra);
	(void)m;
}

static int perf_key(struct tui_mode *m, struct tui_app *a, int key, bool is_char)
{
	(void)m;
	if (is_char && (key == 27 || key == 'q')) {
		tui_pane_overlay(a, NULL);
		return TUI_KEY_DONE;
	}
	return TUI_KEY_PASS;
}

static const struct tui_mode_ops perf_ops = {
	.name = "performance",
	.draw = perf_draw,
	.key = perf_key,
};

/* ---- the host summary above the VM list ----------------------------------------- */

int tui_perf_summary_lines(const struct tui_app *a)
{
	const struct tui_node *n = tui_sel_node(a);
	return n && n->kind == TUI_NODE_HOST && tui_sel_host(a) ? 2 : 0;
}

void tui_perf_draw_summary(struct tui_app *a, WINDOW *w, int y, int width, const md_host *h)
{
	const core_stats_store *s = h->live;
	char cpu[32], used[32], total[32], spark[10 * 4 + 1], *l1, *l2;
	size_t n = 0;

	if (s && (s->host_rate.have & CORE_HRATE_CPU))
		snprintf(cpu, sizeof(cpu), "%.1f%%", s->host_rate.cpu_pct);
	else
		snprintf(cpu, sizeof(cpu), "-");
	snprintf(used, sizeof(used), "-");
	snprintf(total, sizeof(total), "-");
	if (s && (s->host_rate.have & CORE_HRATE_MEM))
		core_fmt_kib(s->host_rate.mem_used_kib, used, sizeof(used));
	if (s && (s->host_rate.have & CORE_HRATE_MEM_TOTAL))
		core_fmt_kib(s->host_rate.mem_total_kib, total, sizeof(total));
	/* a small graph: the host's CPU over the last 10 readings */
	spark[0] = '\0';
	for (int i = 9; i >= 0; i--) {
		float v = s ? core_stats_hist_get(&s->host, CORE_SER_CPU, (size_t)i) : NAN;
		int units = isnan(v) ? 0 : (int)lroundf(v / 100.0f * 8);
		if (!isnan(v) && units == 0 && v > 0)
			units = 1;
		n += (size_t)snprintf(spark + n, sizeof(spark) - n, "%s", cell(a, units, 0));
	}
	l1 = xasprintf("Host CPU %-6s", cpu);
	wattrset(w, tui_attr(a, CORE_ROLE_ROW));
	tui_put_safe(w, y, 0, width, l1, false);
	wattrset(w, tui_attr(a, CORE_ROLE_GRAPH));
	if (width > 40)
		mvwaddstr(w, y, 16, spark);
	free(l1);
	l1 = xasprintf(" mem %s / %s%s", used, total, tui_perf_frozen(a) ? "  [frozen]" : "");
	wattrset(w, tui_attr(a, CORE_ROLE_ROW));
	if (width > 40)
		tui_put_safe(w, y, 26, width - 26, l1, false);
	free(l1);

	{
		char c2[32], m2[32], d2[32], n2[32];
		const core_stats_rate *sum = s ? &s->sum : NULL;
		snprintf(c2, sizeof(c2), "-");
		snprintf(m2, sizeof(m2), "-");
		snprintf(d2, sizeof(d2), "-");
		snprintf(n2, sizeof(n2), "-");
		if (sum && (sum->have & CORE_RATE_CPU_HOST))
			snprintf(c2, sizeof(c2), "%.1f%%", sum->cpu_host_pct);
		if (sum && (sum->have & CORE_RATE_MEM))
			core_fmt_kib(sum->mem_used_kib, m2, sizeof(m2));
		if (sum && (sum->have & CORE_RATE_DISK))
			fmt_val(PERF_BPS, sum->rd_bps + sum->wr_bps, d2, sizeof(d2));
		if (sum && (sum->have & CORE_RATE_NET))
			fmt_val(PERF_BPS, sum->rx_bps + sum->tx_bps, n2, sizeof(n2));
		l2 = xasprintf("VMs %zu/%zu running  cpu %s  mem %s  disk %s  net %s", md_host_count_running(h), h->nvms,
			       c2, m2, d2, n2);
		wattrset(w, tui_attr(a, CORE_ROLE_ROW) | A_DIM);
		tui_put_safe(w, y + 1, 0, width, l2, false);
		free(l2);
	}
}

void tui_perf_free(struct tui_app *a)
{
	struct tui_perf *p = a->perf;
	if (!p)
		return;
	for (size_t i = 0; i < p->nhosts; i++)
		free(p->hosts[i].error);
	free(p->hosts);
	free(p);
	a->perf = NULL;
}
