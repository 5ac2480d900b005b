/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/console.c - serial consoles in the results pane: tabs, one libvterm
 * per console, a scrollback ring, drawing of the emulator's cells, keys to
 * the guest, reconnects, logging (see console.h). */
#include "console.h"
#include "actions.h"
#include "app.h"
#include "dialog.h"
#include "lineedit.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <vterm.h>

#include "../backend/be_console.h"
#include "../core/sanitize.h"
#include "../core/util.h"
#include "../core/vtfilter.h"

#define CON_WAIT_START_MS 90000

struct con_cell {
	uint32_t ch;   /* 0: blank */
	int8_t fg, bg; /* -1 default, 0..15 */
	uint8_t attr;  /* CA_* */
	uint8_t width;
};

enum { CA_BOLD = 1, CA_UNDER = 2, CA_ITALIC = 4, CA_BLINK = 8, CA_REVERSE = 16 };

struct con_line {
	int n;
	struct con_cell c[];
};

enum con_state {
	CS_OPENING,    /* be_console_open sent */
	CS_OPEN,
	CS_STOPPED,    /* the VM is not running; reopens when it runs again */
	CS_LOST,       /* the connection went away; reopens when the host is back */
	CS_WAIT_START, /* we asked the VM to start; opens when it runs */
	CS_ASKING,     /* a dialog about it is open (device, take-over) */
	CS_FAILED,     /* closed with an error; the user reconnects */
};

struct tui_con {
	core_vtf vtf;         /* bounds what the guest's bytes ask of libvterm */
	VTerm *vt;
	VTermScreen *vs;
	int rows, cols;
	struct con_line **sb; /* ring, TUI_CON_SCROLLBACK */
	size_t sb_head, sb_len;
	size_t scroll;        /* lines back from the live screen */
	bool cursor_visible;
	bool title_kept;      /* never set: titles are dropped */
	char *kbuf;           /* what the emulator sends to the guest */
	size_t klen, kcap;

	/* the tab */
	int be_id;
	int host_id;
	char uuid[37];
	char *name;           /* raw */
	char *dev;            /* device alias, raw */
	unsigned flags;
	int state;
	char *note;           /* raw: why it is not open */
	bool ever_open;
	int64_t since_ms;
	FILE *log;
	char *log_path;
	bool scroll_mode, searching;
	core_line search;     /* the one line editor (core/line.h) */
	long last_match;
};

struct tui_consoles {
	struct tui_mode mode;  /* the consoles' view: a pane overlay */
	struct tui_con **v;
	size_t n, cap, active;
	int escape;
	char escape_name[16];
	size_t tree_sel_at_show;
	short pair_base;      /* 0: no colours */
	short pairs[17 * 17];
	bool pairs_inited;
	bool colors16;
};

/* ---- the emulator ------------------------------------------------------- */

static const uint8_t ansi_rgb[16][3] = {
	{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 }, { 0, 0, 238 }, { 205, 0, 205 },
	{ 0, 205, 205 }, { 229, 229, 229 }, { 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 },
	{ 255, 255, 0 }, { 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};

static int8_t color_index(VTermScreen *vs, VTermColor col, bool fg)
{
	int best = 0;
	long bestd = -1;
	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(&col) : VTERM_COLOR_IS_DEFAULT_BG(&col))
		return -1;
	if (VTERM_COLOR_IS_INDEXED(&col) && col.indexed.idx < 16)
		return (int8_t)col.indexed.idx;
	vterm_screen_convert_color_to_rgb(vs, &col);
	for (int i = 0; i < 16; i++) {
		long dr = col.rgb.red - ansi_rgb[i][0], dg = col.rgb.green - ansi_rgb[i][1],
		     db = col.rgb.blue - ansi_rgb[i][2];
		long d = dr * dr + dg * dg + db * db;
		if (bestd < 0 || d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return (int8_t)best;
}

static void cell_conv(VTermScreen *vs, const VTermScreenCell *vc, struct con_cell *out)
{
	out->ch = vc->chars[0] == (uint32_t)-1 ? 0 : vc->chars[0];
	out->width = (uint8_t)(vc->width > 0 ? vc->width : 1);
	out->attr = (uint8_t)((vc->attrs.bold ? CA_BOLD : 0) | (vc->attrs.underline ? CA_UNDER : 0) |
			      (vc->attrs.italic ? CA_ITALIC : 0) | (vc->attrs.blink ? CA_BLINK : 0) |
			      (vc->attrs.reverse ? CA_REVERSE : 0));
	out->fg = color_index(vs, vc->fg, true);
	out->bg = color_index(vs, vc->bg, false);
}

static int cb_damage(VTermRect rect, void *user)
{
	return 1;
}

static int cb_moverect(VTermRect dest, VTermRect src, void *user)
{
	return 1;
}

static int cb_movecursor(VTermPos pos, VTermPos oldpos, int visible, void *user)
{
	return 1;
}

/* Titles, icon names and the like never reach the real terminal. */
static int cb_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct tui_con *c = user;
	if (prop == VTERM_PROP_CURSORVISIBLE)
		c->cursor_visible = val->boolean != 0;
	return 1;
}

static int cb_bell(void *user)
{
	return 1;
}

static int cb_pushline(int cols, const VTermScreenCell *cells, void *user)
{
	struct tui_con *c = user;
	struct con_line *l;
	int n = cols;
	size_t slot;
	while (n > 0 && (cells[n - 1].chars[0] == 0 || cells[n - 1].chars[0] == ' ') && !cells[n - 1].attrs.reverse &&
	       VTERM_COLOR_IS_DEFAULT_BG(&cells[n - 1].bg))
		n--;
	l = xmalloc(sizeof(*l) + (size_t)n * sizeof(struct con_cell));
	l->n = n;
	for (int i = 0; i < n; i++)
		cell_conv(c->vs, &cells[i], &l->c[i]);
	if (c->sb_len < TUI_CON_SCROLLBACK) {
		slot = (c->sb_head + c->sb_len) % TUI_CON_SCROLLBACK;
		c->sb_len++;
	} else {
		slot = c->sb_head;
		free(c->sb[slot]);
		c->sb_head = (c->sb_head + 1) % TUI_CON_SCROLLBACK;
	}
	c->sb[slot] = l;
	/* a reader scrolled back keeps looking at the same lines */
	if (c->scroll > 0 && c->scroll < c->sb_len)
		c->scroll++;
	return 1;
}

static int cb_popline(int cols, VTermScreenCell *cells, void *user)
{
	return 0;
}

static const VTermScreenCallbacks con_screen_cbs = {
	.damage = cb_damage,
	.moverect = cb_moverect,
	.movecursor = cb_movecursor,
	.settermprop = cb_settermprop,
	.bell = cb_bell,
	.sb_pushline = cb_pushline,
	.sb_popline = cb_popline,
};

static void con_output(const char *s, size_t len, void *user)
{
	struct tui_con *c = user;
	xgrow(&c->kbuf, &c->kcap, c->klen + len, 1);
	memcpy(c->kbuf + c->klen, s, len);
	c->klen += len;
}

struct tui_con *tui_con_new(int rows, int cols)
{
	struct tui_con *c = xcalloc(1, sizeof(*c));
	core_vtf_init(&c->vtf);
	c->rows = rows > 0 ? rows : 24;
	c->cols = cols > 1 ? cols : cols == 1 ? 2 : 80; /* libvterm 0.1.4 crashes on a wide glyph in 1 */
	c->vt = vterm_new(c->rows, c->cols);
	vterm_set_utf8(c->vt, 1);
	c->vs = vterm_obtain_screen(c->vt);
	vterm_screen_set_callbacks(c->vs, &con_screen_cbs, c);
	vterm_screen_set_damage_merge(c->vs, VTERM_DAMAGE_SCROLL);
	vterm_screen_enable_altscreen(c->vs, 1);
	vterm_output_set_callback(c->vt, con_output, c);
	vterm_screen_reset(c->vs, 1);
	c->sb = xcalloc(TUI_CON_SCROLLBACK, sizeof(*c->sb));
	c->cursor_visible = true;
	c->last_match = -1;
	return c;
}

void tui_con_free(struct tui_con **cp)
{
	struct tui_con *c = *cp;
	if (!c)
		return;
	*cp = NULL;
	vterm_free(c->vt);
	core_line_free(&c->search);
	for (size_t i = 0; i < c->sb_len; i++)
		free(c->sb[(c->sb_head + i) % TUI_CON_SCROLLBACK]);
	free(c->sb);
	free(c->kbuf);
	free(c->name);
	free(c->dev);
	free(c->note);
	if (c->log)
		fclose(c->log);
	free(c->log_path);
	free(c);
}

/* Send what the emulator produced (key translations, answers to the
 * guest's terminal queries) to the guest. */
static void con_send(struct tui_con *c)
{
	if (c->klen && c->be_id > 0 && (c->state == CS_OPEN || c->state == CS_OPENING))
		be_console_write(c->be_id, c->kbuf, c->klen);
	c->klen = 0;
}

/* Guest bytes through the guard (core/vtfilter.h: libvterm 0.1.4 crashes
 * on a CSI of 17 parameters) into the emulator, in pieces. */
void tui_con_feed(struct tui_con *c, const char *bytes, size_t len)
{
	enum { PIECE = 16384 };
	static char out[PIECE + CORE_VTF_HOLD];
	while (len > 0) {
		size_t n = len < PIECE ? len : PIECE;
		size_t k = core_vtf_feed(&c->vtf, bytes, n, out);
		if (k)
			vterm_input_write(c->vt, out, k);
		bytes += n;
		len -= n;
	}
	vterm_screen_flush_damage(c->vs);
}

size_t tui_con_sb_lines(const struct tui_con *c)
{
	return c->sb_len;
}

size_t tui_con_total_lines(const struct tui_con *c)
{
	return c->sb_len + (size_t)c->rows;
}

bool tui_con_title_set(const struct tui_con *c)
{
	return c->title_kept;
}

/* A code point fit to draw in a cell of the given width; else 0. */
static uint32_t safe_cp(uint32_t ch, int width)
{
	int w;
	if (ch < 0x20 || (ch >= 0x7f && ch < 0xa0) || ch > 0x10ffff || (ch >= 0xd800 && ch <= 0xdfff))
		return 0;
	w = wcwidth((wchar_t)ch);
	return w >= 1 && w == width ? ch : 0;
}

static bool combining_ok(uint32_t ch)
{
	return (ch >= 0x300 && ch <= 0x36f) || (ch >= 0x1ab0 && ch <= 0x1aff) || (ch >= 0x1dc0 && ch <= 0x1dff) ||
	       (ch >= 0x20d0 && ch <= 0x20ff) || (ch >= 0xfe20 && ch <= 0xfe2f);
}

static void utf8_put(char **buf, size_t *len, size_t *cap, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	xgrow(buf, cap, *len + n + 1, 1);
	memcpy(*buf + *len, b, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* One cell of virtual line idx (scrollback, then screen). */
static void con_cell_at(const struct tui_con *c, size_t idx, int x, struct con_cell *out, uint32_t *comb,
			int *ncomb)
{
	memset(out, 0, sizeof(*out));
	out->fg = out->bg = -1;
	out->width = 1;
	if (ncomb)
		*ncomb = 0;
	if (idx < c->sb_len) {
		const struct con_line *l = c->sb[(c->sb_head + idx) % TUI_CON_SCROLLBACK];
		if (x < l->n)
			*out = l->c[x];
	} else {
		VTermScreenCell vc;
		VTermPos pos = { (int)(idx - c->sb_len), x };
		if (pos.row < c->rows && vterm_screen_get_cell(c->vs, pos, &vc)) {
			cell_conv(c->vs, &vc, out);
			if (comb && ncomb)
				for (int i = 1; i < VTERM_MAX_CHARS_PER_CELL && vc.chars[i] && *ncomb < 4; i++)
					if (combining_ok(vc.chars[i]))
						comb[(*ncomb)++] = vc.chars[i];
		}
	}
}

char *tui_con_line_text(const struct tui_con *c, size_t idx)
{
	char *s = NULL;
	size_t len = 0, cap = 0, keep = 0;
	if (idx >= tui_con_total_lines(c))
		return NULL;
	xgrow(&s, &cap, 1, 1);
	s[0] = '\0';
	for (int x = 0; x < c->cols; x++) {
		struct con_cell cell;
		con_cell_at(c, idx, x, &cell, NULL, NULL);
		if (idx < c->sb_len && x >= c->sb[(c->sb_head + idx) % TUI_CON_SCROLLBACK]->n)
			break;
		utf8_put(&s, &len, &cap, cell.ch ? cell.ch : ' ');
		if (cell.ch && cell.ch != ' ')
			keep = len;
		if (cell.width == 2)
			x++;
	}
	s[keep] = '\0';
	return s;
}

long tui_con_search(const struct tui_con *c, const char *needle, long from, bool backward)
{
	long total = (long)tui_con_total_lines(c);
	if (!needle || !*needle)
		return -1;
	for (long i = backward ? from - 1 : from + 1; i >= 0 && i < total; i += backward ? -1 : 1) {
		char *t = tui_con_line_text(c, (size_t)i);
		bool hit = t && strstr(t, needle);
		free(t);
		if (hit)
			return i;
	}
	return -1;
}

static const struct {
	int curses;
	VTermKey key;
	VTermModifier mod;
} con_keys[] = {
	{ KEY_UP, VTERM_KEY_UP, VTERM_MOD_NONE }, { KEY_DOWN, VTERM_KEY_DOWN, VTERM_MOD_NONE },
	{ KEY_LEFT, VTERM_KEY_LEFT, VTERM_MOD_NONE }, { KEY_RIGHT, VTERM_KEY_RIGHT, VTERM_MOD_NONE },
	{ KEY_SR, VTERM_KEY_UP, VTERM_MOD_SHIFT }, { KEY_SF, VTERM_KEY_DOWN, VTERM_MOD_SHIFT },
	{ KEY_SLEFT, VTERM_KEY_LEFT, VTERM_MOD_SHIFT }, { KEY_SRIGHT, VTERM_KEY_RIGHT, VTERM_MOD_SHIFT },
	{ KEY_HOME, VTERM_KEY_HOME, VTERM_MOD_NONE }, { KEY_END, VTERM_KEY_END, VTERM_MOD_NONE },
	{ KEY_SHOME, VTERM_KEY_HOME, VTERM_MOD_SHIFT }, { KEY_SEND, VTERM_KEY_END, VTERM_MOD_SHIFT },
	{ KEY_IC, VTERM_KEY_INS, VTERM_MOD_NONE }, { KEY_DC, VTERM_KEY_DEL, VTERM_MOD_NONE },
	{ KEY_SDC, VTERM_KEY_DEL, VTERM_MOD_SHIFT }, { KEY_PPAGE, VTERM_KEY_PAGEUP, VTERM_MOD_NONE },
	{ KEY_NPAGE, VTERM_KEY_PAGEDOWN, VTERM_MOD_NONE }, { KEY_BACKSPACE, VTERM_KEY_BACKSPACE, VTERM_MOD_NONE },
	{ KEY_ENTER, VTERM_KEY_ENTER, VTERM_MOD_NONE }, { KEY_BTAB, VTERM_KEY_TAB, VTERM_MOD_SHIFT },
};

size_t tui_con_key_bytes(struct tui_con *c, int key, bool is_char, char *out, size_t cap)
{
	size_t n;
	c->klen = 0;
	if (is_char) {
		char *s = NULL;
		size_t len = 0, scap = 0;
		if (key < 0 || key > 0x10ffff || (key >= 0xd800 && key <= 0xdfff))
			return 0;
		utf8_put(&s, &len, &scap, (uint32_t)key);
		con_output(s, len, c);
		free(s);
	} else if (key >= KEY_F(1) && key <= KEY_F(24)) {
		int f = key - KEY_F(0);
		vterm_keyboard_key(c->vt, VTERM_KEY_FUNCTION(f > 12 ? f - 12 : f),
				   f > 12 ? VTERM_MOD_SHIFT : VTERM_MOD_NONE);
	} else {
		for (size_t i = 0; i < CORE_ARRAY_LEN(con_keys); i++)
			if (con_keys[i].curses == key)
				vterm_keyboard_key(c->vt, con_keys[i].key, con_keys[i].mod);
	}
	n = c->klen < cap ? c->klen : cap;
	memcpy(out, c->kbuf, n);
	c->klen = 0;
	return n;
}

int tui_console_parse_escape(const char *s)
{
	if (!s || s[0] != '^' || !s[1] || s[2])
		return -1;
	if (s[1] == '?')
		return 0x7f;
	if (toupper((unsigned char)s[1]) >= '@' && toupper((unsigned char)s[1]) <= '_')
		return toupper((unsigned char)s[1]) & 0x1f;
	return -1;
}

/* ---- tabs ----------------------------------------------------------------- */

static const struct tui_mode_ops console_ops;

/* The pane shows the consoles. */
static bool shown(const struct tui_app *a)
{
	const struct tui_consoles *cs = a->consoles;
	return cs && tui_pane_shows(a, &cs->mode);
}

static struct tui_consoles *cons(struct tui_app *a)
{
	struct tui_consoles *cs = a->consoles;
	if (!cs) {
		const char *esc = a->opts ? a->opts->escape : NULL;
		int k = tui_console_parse_escape(esc ? esc : "^]");
		cs = xcalloc(1, sizeof(*cs));
		cs->mode.ops = &console_ops;
		cs->mode.host_id = -1;
		if (k < 0) {
			tui_status(a, true, "Config: escape = %s is not a control key like ^]; using ^]", "(invalid)");
			k = 0x1d;
		}
		cs->escape = k;
		tui_key_name(k, cs->escape_name, sizeof(cs->escape_name));
		a->consoles = cs;
	}
	return cs;
}

static struct tui_con *active(const struct tui_app *a)
{
	const struct tui_consoles *cs = a->consoles;
	return cs && cs->active < cs->n ? cs->v[cs->active] : NULL;
}

static struct tui_con *by_be_id(struct tui_app *a, int id)
{
	struct tui_consoles *cs = a->consoles;
	for (size_t i = 0; cs && i < cs->n; i++)
		if (cs->v[i]->be_id == id && id > 0)
			return cs->v[i];
	return NULL;
}

static struct tui_con *by_vm(const struct tui_app *a, int host_id, const char *uuid, size_t *idx)
{
	const struct tui_consoles *cs = a->consoles;
	for (size_t i = 0; cs && i < cs->n; i++) {
		if (cs->v[i]->host_id == host_id && strcmp(cs->v[i]->uuid, uuid) == 0) {
			if (idx)
				*idx = i;
			return cs->v[i];
		}
	}
	return NULL;
}

bool tui_console_any(const struct tui_app *a)
{
	const struct tui_consoles *cs = a->consoles;
	return cs && cs->n > 0;
}

bool tui_console_shown(const struct tui_app *a)
{
	return tui_console_any(a) && shown(a);
}

bool tui_console_has_vm(const struct tui_app *a, const char *uuid)
{
	const struct tui_consoles *cs = a->consoles;
	for (size_t i = 0; cs && i < cs->n; i++)
		if (strcmp(cs->v[i]->uuid, uuid) == 0)
			return true;
	return false;
}

static void set_state(struct tui_con *c, int state, const char *note)
{
	c->state = state;
	core_str_set(&c->note, note);
	c->since_ms = core_now_ms();
}

/* A line of our own in the flow (never guest text). */
static void con_mark(struct tui_con *c, const char *what)
{
	char *s = xasprintf("\r\n\033[0;7m--- %s ---\033[0m\r\n", what);
	tui_con_feed(c, s, strlen(s));
	free(s);
}

static void show(struct tui_app *a, size_t idx, bool attach)
{
	struct tui_consoles *cs = cons(a);
	cs->active = idx;
	tui_pane_overlay(a, &cs->mode);
	if (attach)
		a->focus = TUI_PANE_LIST;
	cs->tree_sel_at_show = a->tree_sel;
	a->dirty |= TUI_DIRTY_ALL;
}

static void remove_tab(struct tui_app *a, struct tui_con *c)
{
	struct tui_consoles *cs = a->consoles;
	for (size_t i = 0; cs && i < cs->n; i++) {
		if (cs->v[i] != c)
			continue;
		if (c->be_id > 0)
			be_console_close(c->be_id);
		tui_con_free(&cs->v[i]);
		memmove(&cs->v[i], &cs->v[i + 1], (cs->n - i - 1) * sizeof(*cs->v));
		cs->n--;
		if (cs->active >= cs->n)
			cs->active = cs->n ? cs->n - 1 : 0;
		else if (cs->active > i)
			cs->active--;
		if (!cs->n) {
			tui_pane_overlay(a, NULL);
			if (a->fullscreen) {
				a->fullscreen = false;
				tui_layout(a);
			}
		}
		a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
		return;
	}
}

static void open_tab(struct tui_app *a, struct tui_con *c, unsigned flags)
{
	be_host *be = tui_host_be(tui_host_by_id(a, c->host_id));
	if (!be) {
		set_state(c, CS_FAILED, "the host is gone");
		return;
	}
	if (c->be_id > 0)
		be_console_close(c->be_id);
	c->flags = flags;
	c->be_id = be_console_open(be, c->uuid, c->dev, flags);
	set_state(c, CS_OPENING, "connecting");
}

static struct tui_con *new_tab(struct tui_app *a, const md_host *h, const md_vm *v, size_t *idx)
{
	struct tui_consoles *cs = cons(a);
	int rows = a->w_list ? getmaxy(a->w_list) - 1 : 24;
	int cols = a->w_list ? getmaxx(a->w_list) - 1 : 80;
	struct tui_con *c = tui_con_new(rows, cols);
	c->host_id = h->id;
	snprintf(c->uuid, sizeof(c->uuid), "%s", v->uuid);
	c->name = xstrdup(v->name);
	xgrow(&cs->v, &cs->cap, cs->n + 1, sizeof(*cs->v));
	cs->v[cs->n] = c;
	*idx = cs->n++;
	return c;
}

static void start_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	const md_host *h = md_host_get(a->model, d->mode.host_id);
	const md_vm *v = h ? md_vm_find(h, d->uuid) : NULL;
	be_host *be = tui_host_be(tui_host_by_id(a, d->mode.host_id));
	struct tui_con *c;
	size_t idx;
	if (result != TUI_DLG_OK || !v || !be)
		return;
	c = by_vm(a, h->id, v->uuid, &idx);
	if (!c)
		c = new_tab(a, h, v, &idx);
	be_host_submit(be, BE_OP_START, v->uuid, NULL, 0);
	set_state(c, CS_WAIT_START, "starting the VM");
	tui_status(a, false, "Starting '%s'; its console opens when it runs...", v->name);
	show(a, idx, true);
}

void tui_console_open_vm(struct tui_app *a, int host_id, const char *uuid)
{
	const md_host *h = md_host_get(a->model, host_id);
	const md_vm *v = h ? md_vm_find(h, uuid) : NULL;
	struct tui_con *c;
	size_t idx;
	if (!v)
		return;
	c = by_vm(a, h->id, v->uuid, &idx);
	if (!c)
		c = new_tab(a, h, v, &idx);
	if (md_vm_state_active(v->state))
		open_tab(a, c, 0);
	else
		set_state(c, CS_WAIT_START, "starting the VM");
	show(a, idx, true);
}

void tui_console_connect(struct tui_app *a, unsigned flags)
{
	const md_host *h = tui_sel_host(a);
	const md_vm *v = tui_sel_vm(a);
	struct tui_con *c;
	size_t idx;
	if (!h || !v)
		return;
	c = by_vm(a, h->id, v->uuid, &idx);
	if (c && (c->state == CS_OPEN || c->state == CS_OPENING || c->state == CS_WAIT_START ||
		  c->state == CS_ASKING) && !(flags & BE_CONSOLE_FORCE)) {
		show(a, idx, true);
		return;
	}
	if (!md_vm_state_active(v->state)) {
		char *name = core_sanitize(v->name);
		char *text = xasprintf("'%s' is %s.\n\nStart it and connect to its serial console?", name,
				       md_vm_state_name(v->state));
		struct tui_dialog *d = tui_confirm("Connect Console", text, "Start", start_done);
		d->mode.host_id = h->id;
		snprintf(d->uuid, sizeof(d->uuid), "%s", v->uuid);
		tui_push_dialog(a, d);
		free(name);
		free(text);
		return;
	}
	if (!c)
		c = new_tab(a, h, v, &idx);
	open_tab(a, c, flags);
	show(a, idx, true);
	tui_status(a, false, "Connecting to the console of '%s'... (%s returns to the tree)", v->name,
		   cons(a)->escape_name);
}

void tui_console_next(struct tui_app *a)
{
	struct tui_consoles *cs = a->consoles;
	if (!cs || !cs->n)
		return;
	if (!shown(a))
		show(a, cs->active, false);
	else
		show(a, (cs->active + 1) % cs->n, false);
}

void tui_console_detach(struct tui_app *a)
{
	a->focus = TUI_PANE_TREE;
	if (a->fullscreen) {
		a->fullscreen = false;
		tui_layout(a);
	}
	if (a->consoles)
		((struct tui_consoles *)a->consoles)->tree_sel_at_show = a->tree_sel;
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_console_fullscreen(struct tui_app *a)
{
	struct tui_consoles *cs = a->consoles;
	if (!cs || !cs->n)
		return;
	a->fullscreen = !a->fullscreen;
	if (a->fullscreen) {
		tui_pane_overlay(a, &cs->mode);
		a->focus = TUI_PANE_LIST;
		cs->tree_sel_at_show = a->tree_sel;
	}
	tui_layout(a);
}

void tui_console_close_active(struct tui_app *a)
{
	struct tui_con *c = active(a);
	if (!c)
		return;
	tui_status(a, false, "Closed the console of '%s'", c->name ? c->name : "");
	remove_tab(a, c);
}

void tui_console_scrollback(struct tui_app *a)
{
	struct tui_con *c = active(a);
	if (!c)
		return;
	if (!shown(a))
		show(a, ((struct tui_consoles *)a->consoles)->active, false);
	a->focus = TUI_PANE_LIST;
	c->scroll_mode = true;
	c->scroll += (size_t)(c->rows > 2 ? c->rows - 1 : 1);
	if (c->scroll > c->sb_len)
		c->scroll = c->sb_len;
	a->dirty |= TUI_DIRTY_ALL;
}

/* ---- logging ------------------------------------------------------------------ */

static void log_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct tui_field *f = tui_dialog_field(d, "file");
	struct tui_con *c = by_vm(a, d->mode.host_id, d->uuid, NULL);
	char *path;
	if (result != TUI_DLG_OK || !f || !c)
		return;
	path = xstrdup(tui_field_value(f));
	core_str_trim(path);
	if (path[0] == '~' && path[1] == '/' && getenv("HOME")) {
		char *p = xasprintf("%s%s", getenv("HOME"), path + 1);
		free(path);
		path = p;
	}
	if (!*path) {
		free(path);
		return;
	}
	c->log = fopen(path, "ae");
	if (!c->log) {
		char *safe = core_sanitize(path);
		char *text = xasprintf("Could not open %s for appending: %s", safe, strerror(errno));
		tui_push_dialog(a, tui_msgbox("Log Console to File", text, true));
		free(text);
		free(safe);
		free(path);
		return;
	}
	setvbuf(c->log, NULL, _IOFBF, 64 * 1024);
	c->log_path = path;
	tui_status(a, false, "Logging the console of '%s' to %s", c->name ? c->name : "", path);
}

void tui_console_log(struct tui_app *a)
{
	struct tui_con *c = active(a);
	struct tui_dialog *d;
	struct tui_page *p;
	char *def, *clean;
	if (!c)
		return;
	if (c->log) {
		fclose(c->log);
		c->log = NULL;
		tui_status(a, false, "Stopped logging to %s", c->log_path);
		xfree(&c->log_path);
		return;
	}
	clean = xstrdup(c->name ? c->name : "vm");
	for (char *s = clean; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			*s = '_';
	def = xasprintf("~/vmmc-%s-console.log", clean);
	d = tui_dialog_new("Log Console to File", TUI_BTN_OK_CANCEL);
	p = tui_dialog_add_page(d, NULL, "The console's output (raw bytes, as the guest sent them) is appended to:");
	tui_page_add(p, &tui_field_path, "file", "&File", def); /* Tab completes */
	d->on_done = log_done;
	d->ok_label = xstrdup("Log");
	d->mode.host_id = c->host_id;
	snprintf(d->uuid, sizeof(d->uuid), "%s", c->uuid);
	tui_push_dialog(a, d);
	free(def);
	free(clean);
}

/* ---- messages from the backend ----------------------------------------------- */

struct pick_ctx {
	char **aliases;
	size_t n;
	unsigned flags;
};

static void pick_free(struct tui_dialog *d)
{
	struct pick_ctx *p = d->ctx;
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->aliases[i]);
	free(p->aliases);
	free(p);
}

static void pick_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct pick_ctx *p = d->ctx;
	struct tui_field *f = tui_dialog_field(d, "device");
	struct tui_con *c = by_vm(a, d->mode.host_id, d->uuid, NULL);
	if (!c)
		return;
	if (result != TUI_DLG_OK || !f || f->choice < 0 || (size_t)f->choice >= p->n) {
		if (!c->ever_open)
			remove_tab(a, c);
		else
			set_state(c, CS_FAILED, "no device picked");
		return;
	}
	core_str_set(&c->dev, p->aliases[f->choice]);
	open_tab(a, c, p->flags);
}

static void takeover_done(struct tui_app *a, struct tui_dialog *d, int result)
{
	struct tui_con *c = by_vm(a, d->mode.host_id, d->uuid, NULL);
	if (!c)
		return;
	if (result == TUI_DLG_OK) {
		open_tab(a, c, c->flags | BE_CONSOLE_FORCE);
		return;
	}
	if (!c->ever_open)
		remove_tab(a, c);
	else
		set_state(c, CS_FAILED, "held by another client");
}

static void on_closed(struct tui_app *a, struct tui_con *c, const be_console_ev *ev)
{
	char *name = core_sanitize(c->name);
	char *why = core_sanitize(ev->text ? ev->text : "");
	c->be_id = 0;
	switch (ev->reason) {
	case BE_CONSOLE_R_STOPPED:
		set_state(c, CS_STOPPED, ev->text ? ev->text : "the VM is shut off");
		if (c->ever_open)
			con_mark(c, "the VM stopped; the console reopens when it runs");
		tui_status(a, false, "Console of '%s': %s", c->name, c->note);
		break;
	case BE_CONSOLE_R_CONN_LOST:
		set_state(c, CS_LOST, "connection lost");
		if (c->ever_open)
			con_mark(c, "connection lost; reconnecting when the host is back");
		tui_status(a, true, "Console of '%s': connection lost (%s)", c->name, ev->text ? ev->text : "");
		break;
	case BE_CONSOLE_R_BUSY: {
		char *text = xasprintf("Another client holds the serial console of '%s' (virsh console, "
				       "another vmmc...).\n\nTake it over? The other client is disconnected.",
				       name);
		struct tui_dialog *d = tui_confirm("Console in Use", text, "Take Over", takeover_done);
		d->mode.host_id = c->host_id;
		snprintf(d->uuid, sizeof(d->uuid), "%s", c->uuid);
		set_state(c, CS_ASKING, "held by another client");
		if (c->ever_open)
			con_mark(c, "another client took the console");
		tui_push_dialog(a, d);
		free(text);
		break;
	}
	default: {
		const char *title = ev->reason == BE_CONSOLE_R_NO_DEVICE ? "No Serial Console"
				    : ev->reason == BE_CONSOLE_R_UNSAFE ? "Console Not Safe"
									 : "Console Error";
		char *text = xasprintf("Console of '%s': %s.", name, why);
		set_state(c, CS_FAILED, ev->text ? ev->text : "closed");
		tui_status(a, true, "Console of '%s': %s", c->name, ev->text ? ev->text : "closed");
		if (!c->ever_open) {
			tui_push_dialog(a, tui_msgbox(title, text, true));
			remove_tab(a, c);
		} else {
			con_mark(c, "console closed");
		}
		free(text);
		break;
	}
	}
	free(name);
	free(why);
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_console_msg(struct tui_app *a, md_msg *m)
{
	be_console_ev *ev = m->ext;
	struct tui_con *c = ev ? by_be_id(a, ev->id) : NULL;
	if (!c)
		return;
	switch (ev->kind) {
	case BE_CONSOLE_OPENED:
		if (c->ever_open && ev->reopened)
			con_mark(c, c->state == CS_LOST ? "reconnected" : "console reopened");
		else if (c->ever_open)
			con_mark(c, "console reopened");
		set_state(c, CS_OPEN, NULL);
		core_str_set(&c->dev, ev->dev);
		c->ever_open = true;
		if (c == active(a))
			tui_status(a, false, "Connected to the console of '%s' (%s); %s returns to the tree", c->name,
				   c->dev ? c->dev : "", cons(a)->escape_name);
		break;
	case BE_CONSOLE_DATA:
		tui_con_feed(c, ev->data, ev->len);
		con_send(c); /* the emulator's answers to the guest's queries */
		if (c->log && fwrite(ev->data, 1, ev->len, c->log) != ev->len) {
			tui_status(a, true, "Logging to %s stopped: %s", c->log_path, strerror(errno));
			fclose(c->log);
			c->log = NULL;
			xfree(&c->log_path);
		}
		if (c == active(a) && shown(a))
			a->dirty |= TUI_DIRTY_LIST;
		return;
	case BE_CONSOLE_MARK:
		con_mark(c, ev->text ? ev->text : "break");
		break;
	case BE_CONSOLE_PICK: {
		struct tui_dialog *d = tui_dialog_new("Pick a Serial Device", TUI_BTN_OK_CANCEL);
		struct tui_page *p = tui_dialog_add_page(d, NULL, "The VM has more than one serial or console device.");
		struct tui_field *f = tui_page_add(p, &tui_field_choice, "device", "&Device", NULL);
		struct pick_ctx *pc = xcalloc(1, sizeof(*pc));
		c->be_id = 0;
		pc->flags = c->flags;
		pc->aliases = xcalloc(ev->ndevs, sizeof(char *));
		for (size_t i = 0; i < ev->ndevs; i++) {
			char *safe = core_sanitize(ev->devs[i].desc);
			tui_field_add_choice(f, safe);
			free(safe);
			pc->aliases[pc->n++] = xstrdup(ev->devs[i].alias);
		}
		d->ctx = pc;
		d->on_free = pick_free;
		d->on_done = pick_done;
		d->ok_label = xstrdup("Connect");
		d->mode.host_id = c->host_id;
		snprintf(d->uuid, sizeof(d->uuid), "%s", c->uuid);
		set_state(c, CS_ASKING, "pick a device");
		tui_push_dialog(a, d);
		break;
	}
	case BE_CONSOLE_CLOSED:
		if (ev->reason != BE_CONSOLE_R_USER)
			on_closed(a, c, ev);
		break;
	}
	a->dirty |= TUI_DIRTY_ALL;
}

void tui_console_poll(struct tui_app *a)
{
	struct tui_consoles *cs = a->consoles;
	if (a->fullscreen && (!shown(a) || !cs || !cs->n)) {
		a->fullscreen = false;
		tui_layout(a);
	}
	if (!cs)
		return;
	if (shown(a) && a->tree_sel != cs->tree_sel_at_show && !a->fullscreen) {
		tui_pane_overlay(a, NULL); /* another node picked in the tree: its list */
		a->dirty |= TUI_DIRTY_ALL | TUI_DIRTY_ROWS;
	}
	for (size_t i = 0; i < cs->n; i++) {
		struct tui_con *c = cs->v[i];
		const md_host *h = md_host_get(a->model, c->host_id);
		const md_vm *v = h ? md_vm_find(h, c->uuid) : NULL;
		bool up = h && h->conn == MD_CONN_CONNECTED && h->listed;
		bool runs = v && md_vm_state_active(v->state) && v->state != MD_VM_SHUTDOWN;
		switch (c->state) {
		case CS_LOST:
			if (up && runs)
				open_tab(a, c, c->flags & ~(unsigned)BE_CONSOLE_FORCE);
			else if (up && v)
				set_state(c, CS_STOPPED, "the VM is shut off");
			break;
		case CS_STOPPED:
			if (up && runs)
				open_tab(a, c, c->flags & ~(unsigned)BE_CONSOLE_FORCE);
			break;
		case CS_WAIT_START:
			if (up && runs)
				open_tab(a, c, c->flags);
			else if (core_now_ms() - c->since_ms > CON_WAIT_START_MS)
				set_state(c, CS_FAILED, "the VM did not start");
			break;
		default:
			break;
		}
	}
}

/* ---- drawing --------------------------------------------------------------------- */

static short con_pair(struct tui_app *a, struct tui_consoles *cs, int fg, int bg, attr_t *extra)
{
	int idx;
	if (!cs->pairs_inited) {
		int limit = COLOR_PAIRS > 32767 ? 32767 : COLOR_PAIRS;
		cs->pairs_inited = true;
		cs->colors16 = COLORS >= 16;
		if (a->use_color && !a->theme.mono && has_colors() && limit - 17 * 17 > CORE_ROLE__COUNT + 64)
			cs->pair_base = (short)(limit - 17 * 17);
	}
	if (!cs->pair_base || (fg < 0 && bg < 0))
		return 0;
	if (!cs->colors16) {
		if (fg >= 8) {
			fg -= 8;
			*extra |= A_BOLD;
		}
		if (bg >= 8)
			bg -= 8;
	}
	idx = (fg + 1) * 17 + (bg + 1);
	if (!cs->pairs[idx]) {
		short p = (short)(cs->pair_base + idx);
		if (init_pair(p, (short)fg, (short)bg) == ERR)
			return 0;
		cs->pairs[idx] = p;
	}
	return cs->pairs[idx];
}

static void draw_cell(struct tui_app *a, struct tui_consoles *cs, WINDOW *w, int y, int x,
		      const struct con_cell *cell, const uint32_t *comb, int ncomb, bool cursor)
{
	wchar_t wc[8];
	int n = 0;
	attr_t at = 0;
	short pair;
	cchar_t cc;
	uint32_t ch = cell->ch ? safe_cp(cell->ch, cell->width) : ' ';
	if (!ch || (!a->utf8 && ch > 126))
		ch = '?';
	wc[n++] = (wchar_t)ch;
	for (int i = 0; i < ncomb && a->utf8 && ch != '?'; i++)
		wc[n++] = (wchar_t)comb[i];
	wc[n] = 0;
	if (cell->attr & CA_BOLD)
		at |= A_BOLD;
	if (cell->attr & CA_UNDER)
		at |= A_UNDERLINE;
	if (cell->attr & CA_ITALIC)
		at |= A_ITALIC;
	if (cell->attr & CA_BLINK)
		at |= A_BLINK;
	if (((cell->attr & CA_REVERSE) != 0) != cursor)
		at |= A_REVERSE;
	pair = con_pair(a, cs, cell->fg, cell->bg, &at);
	setcchar(&cc, wc, at, pair, NULL);
	mvwadd_wch(w, y, x, &cc);
}

static const char *state_text(const struct tui_con *c)
{
	switch (c->state) {
	case CS_OPENING: return "connecting";
	case CS_OPEN: return NULL;
	case CS_STOPPED: return "shut off";
	case CS_LOST: return "connection lost";
	case CS_WAIT_START: return "starting";
	case CS_ASKING: return c->note ? c->note : "waiting";
	}
	return c->note ? c->note : "closed";
}

static void draw_title(struct tui_app *a, struct tui_consoles *cs, WINDOW *w, int width)
{
	struct tui_con *c = cs->v[cs->active];
	bool attached = a->focus == TUI_PANE_LIST;
	int x = 0;
	char *hint;
	wattrset(w, tui_attr(a, CORE_ROLE_TITLE));
	tui_put_safe(w, 0, 0, width, "", false);
	if (c->scroll_mode && c->searching)
		hint = xasprintf(" Search: %s_ ", core_line_text(&c->search));
	else if (c->scroll_mode)
		hint = xasprintf(" scrollback %zu/%zu  / search  n next  Esc live ", c->scroll, c->sb_len);
	else if (attached)
		hint = xasprintf(" %s: to tree  Shift-PgUp: scroll ", cs->escape_name);
	else
		hint = xasprintf(" Enter: attach  n: next  w: close  Esc: list ");
	for (size_t i = 0; i < cs->n && x < width; i++) {
		const char *st = state_text(cs->v[i]);
		char *name = core_sanitize(cs->v[i]->name);
		char *lab = xasprintf(" %zu:%s%s%s%s%s ", i + 1, name, st ? " (" : "", st ? st : "", st ? ")" : "",
				      cs->v[i]->log ? " [log]" : "");
		char *safe = core_sanitize(lab);
		int lw = core_str_width(safe);
		if (lw > width - x)
			lw = width - x;
		wattrset(w, tui_attr(a, i == cs->active ? (attached ? CORE_ROLE_TITLE_FOCUS : CORE_ROLE_ROW_SEL_UNFOCUSED)
						       : CORE_ROLE_TITLE));
		tui_put_safe(w, 0, x, lw, safe, false);
		x += lw + 1;
		free(name);
		free(lab);
		free(safe);
	}
	{
		int hw = core_str_width(hint);
		if (x + hw <= width) {
			wattrset(w, tui_attr(a, CORE_ROLE_TITLE));
			tui_put_safe(w, 0, width - hw, hw, hint, false);
		}
	}
	free(hint);
}

static void console_draw(struct tui_mode *m, struct tui_app *a, WINDOW *w)
{
	struct tui_consoles *cs = a->consoles;
	struct tui_con *c;
	int h = getmaxy(w), width = getmaxx(w), cols, rows;
	size_t top;
	VTermPos cur;
	bool sep = a->actions_visible && !a->fullscreen;
	bool attached = a->focus == TUI_PANE_LIST;
	werase(w);
	cols = width - (sep ? 1 : 0);
	rows = h - 1;
	if (!cs || !cs->n) {
		wattrset(w, tui_attr(a, CORE_ROLE_TITLE));
		tui_put_safe(w, 0, 0, cols, " Consoles", false);
		wattrset(w, tui_attr(a, CORE_ROLE_ROW));
		tui_put_safe(w, 2, 2, cols - 2, "No console open: select a running VM and press Enter (or c).", false);
		return;
	}
	if (rows < 1 || cols < 2)
		return;
	c = cs->v[cs->active];
	if (c->rows != rows || c->cols != cols) {
		vterm_set_size(c->vt, rows, cols);
		vterm_screen_flush_damage(c->vs);
		c->rows = rows;
		c->cols = cols;
	}
	if (c->scroll > c->sb_len)
		c->scroll = c->sb_len;
	draw_title(a, cs, w, cols);
	top = c->sb_len - c->scroll;
	vterm_state_get_cursorpos(vterm_obtain_state(c->vt), &cur);
	for (int r = 0; r < rows; r++) {
		size_t idx = top + (size_t)r;
		for (int x = 0; x < cols; x++) {
			struct con_cell cell;
			uint32_t comb[4];
			int ncomb = 0;
			bool is_cursor;
			con_cell_at(c, idx, x, &cell, comb, &ncomb);
			is_cursor = attached && c->scroll == 0 && c->cursor_visible && c->state == CS_OPEN &&
				    idx - c->sb_len == (size_t)cur.row && x == cur.col;
			if (cell.width == 2 && x + 1 >= cols)
				cell.ch = ' ', cell.width = 1;
			if (cell.width == 2 && !safe_cp(cell.ch, 2)) {
				/* drawn as '?' and a blank */
				struct con_cell q = cell;
				q.ch = '?';
				q.width = 1;
				draw_cell(a, cs, w, r + 1, x, &q, NULL, 0, is_cursor);
				q.ch = ' ';
				draw_cell(a, cs, w, r + 1, x + 1, &q, NULL, 0, false);
				x++;
				continue;
			}
			draw_cell(a, cs, w, r + 1, x, &cell, comb, ncomb, is_cursor);
			if (cell.width == 2)
				x++;
		}
	}
	if (c->state != CS_OPEN && c->state != CS_OPENING && rows > 2) {
		char *msg;
		switch (c->state) {
		case CS_STOPPED: msg = xasprintf(" The VM is not running: scrollback kept; the console reopens when it runs. w closes. "); break;
		case CS_LOST: msg = xasprintf(" Connection lost: scrollback kept; vmmc reconnects when the host is back. "); break;
		case CS_WAIT_START: msg = xasprintf(" Starting the VM... "); break;
		default: {
			char *note = core_sanitize(c->note ? c->note : "closed");
			msg = xasprintf(" Console closed: %s. c reconnects, w closes. ", note);
			free(note);
		}
		}
		wattrset(w, tui_attr(a, CORE_ROLE_STATUS_ERROR));
		tui_put_safe(w, rows, 0, cols, msg, false);
		free(msg);
	}
	if (sep) {
		wattrset(w, tui_attr(a, CORE_ROLE_BORDER));
		mvwvline(w, 0, width - 1, ACS_VLINE, h);
	}
}

/* ---- keys ----------------------------------------------------------------------- */

static void scroll_by(struct tui_con *c, long d)
{
	long s = (long)c->scroll + d;
	if (s < 0)
		s = 0;
	if (s > (long)c->sb_len)
		s = (long)c->sb_len;
	c->scroll = (size_t)s;
}

/* Put line idx at the top of the pane (as far as the scrollback allows). */
static void scroll_to(struct tui_con *c, long idx)
{
	long s = (long)c->sb_len - idx;
	if (s < 0)
		s = 0;
	c->scroll = (size_t)s;
	if (c->scroll > c->sb_len)
		c->scroll = c->sb_len;
}

static void do_search(struct tui_app *a, struct tui_con *c, bool backward)
{
	long from = c->last_match >= 0 ? c->last_match : (long)(c->sb_len - c->scroll);
	long hit = tui_con_search(c, core_line_text(&c->search), from, backward);
	if (hit < 0) {
		char *safe = core_sanitize(core_line_text(&c->search));
		tui_status(a, true, "Not found: %s", safe);
		free(safe);
		return;
	}
	c->last_match = hit;
	scroll_to(c, hit);
}

static void scroll_key(struct tui_app *a, struct tui_consoles *cs, struct tui_con *c, int key, bool is_char)
{
	int page = c->rows > 2 ? c->rows - 1 : 1;
	if (c->searching) {
		if (is_char && key == 27) {
			c->searching = false;
		} else if ((is_char && (key == '\r' || key == '\n')) || (!is_char && key == KEY_ENTER)) {
			c->searching = false;
			c->last_match = -1;
			do_search(a, c, true);
		} else {
			tui_line_key(&c->search, key, is_char);
		}
		return;
	}
	if (is_char && key == cs->escape) {
		c->scroll_mode = false;
		c->scroll = 0;
		tui_console_detach(a);
		return;
	}
	if (is_char) {
		switch (key) {
		case 'k': scroll_by(c, 1); return;
		case 'j': scroll_by(c, -1); break;
		case 'b': scroll_by(c, page); return;
		case ' ': scroll_by(c, -page); break;
		case 'g': c->scroll = c->sb_len; return;
		case 'G': c->scroll = 0; break;
		case '/':
			c->searching = true;
			core_line_set(&c->search, "");
			return;
		case 'n': do_search(a, c, true); return;
		case 'N': do_search(a, c, false); return;
		case 27:
		case 'q': c->scroll = 0; break;
		default: return;
		}
	} else {
		switch (key) {
		case KEY_UP: scroll_by(c, 1); return;
		case KEY_DOWN: scroll_by(c, -1); break;
		case KEY_PPAGE:
		case KEY_SPREVIOUS: scroll_by(c, page); return;
		case KEY_NPAGE:
		case KEY_SNEXT: scroll_by(c, -page); break;
		case KEY_HOME: c->scroll = c->sb_len; return;
		case KEY_END: c->scroll = 0; break;
		default: return;
		}
	}
	if (c->scroll == 0) {
		c->scroll_mode = false; /* back at the live screen */
		c->last_match = -1;
	}
}

static bool console_key(struct tui_app *a, int key, bool is_char)
{
	struct tui_consoles *cs = a->consoles;
	struct tui_con *c = active(a);
	char buf[64];
	size_t n;
	if (!cs || !c)
		return false;
	if (a->focus != TUI_PANE_LIST) {
		if (is_char && key == 27) {
			tui_pane_overlay(a, NULL); /* the list again; the consoles stay open */
			return true;
		}
		return false;
	}
	if (c->scroll_mode) {
		scroll_key(a, cs, c, key, is_char);
		return true;
	}
	if (is_char && key == cs->escape) {
		/* whatever came in the same chunk after the escape key (a paste)
		 * is dropped: it must reach neither the guest nor the key map */
		flushinp();
		tui_console_detach(a);
		return true;
	}
	if (!is_char && key == KEY_SPREVIOUS) {
		tui_console_scrollback(a);
		return true;
	}
	if (!is_char && (key == KEY_SNEXT || key == KEY_MOUSE))
		return true;
	if (c->state != CS_OPEN && c->state != CS_OPENING) {
		if (is_char && (key == 'c' || key == '\r' || key == '\n') && c->state == CS_FAILED) {
			open_tab(a, c, c->flags & ~(unsigned)BE_CONSOLE_FORCE);
		} else if (is_char && key == 'w') {
			tui_console_close_active(a);
		} else {
			tui_status(a, true, "The console is %s: %s returns to the tree", state_text(c),
				   cs->escape_name);
		}
		return true;
	}
	n = tui_con_key_bytes(c, key, is_char, buf, sizeof(buf));
	if (n) {
		c->scroll = 0;
		be_console_write(c->be_id, buf, n);
	}
	return true;
}

int tui_console_type(struct tui_app *a, int host_id, const char *uuid, const char *text)
{
	struct tui_con *c = by_vm(a, host_id, uuid, NULL);
	if (!c || c->be_id <= 0 || c->state != CS_OPEN)
		return -1;
	c->scroll = 0;
	be_console_write(c->be_id, text, strlen(text));
	return 0;
}

static int console_mode_key(struct tui_mode *m, struct tui_app *a, int key, bool is_char)
{
	(void)m;
	return console_key(a, key, is_char) ? TUI_KEY_DONE : TUI_KEY_PASS;
}

static const struct tui_mode_ops console_ops = {
	.name = "console",
	.draw = console_draw,
	.key = console_mode_key,
};

void tui_console_free(struct tui_app *a)
{
	struct tui_consoles *cs = a->consoles;
	if (!cs) {
		a->consoles = NULL;
		return;
	}
	for (size_t i = 0; i < cs->n; i++) {
		if (cs->v[i]->be_id > 0)
			be_console_close(cs->v[i]->be_id);
		tui_con_free(&cs->v[i]);
	}
	free(cs->v);
	free(cs);
	a->consoles = NULL;
}
