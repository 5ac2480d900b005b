/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/help.c - F1: every key, from the action table, in the results pane.
 * Long descriptions wrap under their key; arrows, PgUp/PgDn, Home/End
 * scroll; Escape, q, ? or F1 close. */
#include "actions.h"
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/sanitize.h"
#include "../core/util.h"

struct help_mode {
	struct tui_mode mode;
	size_t top;
	size_t nlines;        /* at the last draw */
	int page;
};

static struct help_mode help_state;

#define KEYW 16

/* The help text as lines of width columns: headings and wrapped rows.
 * Fills lines (may be NULL to count) and returns how many. */
static size_t help_lines(int width, char ***out)
{
	char **lines = NULL;
	size_t n = 0, cap = 0;
	int dw = width - KEYW - 3;
	if (dw < 10)
		dw = 10;
	for (int scope = 0; scope < TUI_SCOPE__COUNT; scope++) {
		bool head = false;
		for (size_t i = 0; i < tui_nactions; i++) {
			const struct tui_action *act = &tui_actions[i];
			const char *s = act->help;
			char k[40];
			bool first = true;
			if ((int)act->scope != scope)
				continue;
			if (!head) {
				xgrow(&lines, &cap, n + 2, sizeof(*lines));
				if (n)
					lines[n++] = xstrdup("");
				lines[n++] = xasprintf("\001%s", tui_scope_titles[scope]);
				head = true;
			}
			tui_action_keys(act, k, sizeof(k));
			/* the description wrapped at spaces into dw columns */
			while (*s || first) {
				size_t len = strlen(s), take = len;
				if ((int)len > dw) {
					take = (size_t)dw;
					while (take > 0 && s[take] != ' ')
						take--;
					if (take == 0)
						take = (size_t)dw;
				}
				xgrow(&lines, &cap, n + 1, sizeof(*lines));
				lines[n++] = xasprintf("  %-*s %.*s", KEYW, first ? k : "", (int)take, s);
				s += take;
				while (*s == ' ')
					s++;
				first = false;
			}
		}
	}
	*out = lines;
	return n;
}

static void help_draw(struct tui_mode *m, struct tui_app *a, WINDOW *w)
{
	struct help_mode *hm = (struct help_mode *)m;
	int width = tui_pane_width(a, w), rows = getmaxy(w) - 1;
	char **lines;
	size_t n = help_lines(width, &lines);
	hm->nlines = n;
	hm->page = rows;
	if (hm->top + (size_t)rows > n)
		hm->top = n > (size_t)rows ? n - (size_t)rows : 0;
	tui_pane_title(a, w, " Help: keys (Escape or q closes, arrows scroll)");
	for (int r = 0; r < rows && hm->top + (size_t)r < n; r++) {
		const char *l = lines[hm->top + (size_t)r];
		bool head = l[0] == '\001';
		wattrset(w, tui_attr(a, head ? CORE_ROLE_HEADER : CORE_ROLE_ROW));
		tui_put_safe(w, r + 1, 0, width, head ? l + 1 : l, false);
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static int help_key(struct tui_mode *m, struct tui_app *a, int key, bool is_char)
{
	struct help_mode *hm = (struct help_mode *)m;
	size_t page = hm->page > 1 ? (size_t)hm->page - 1 : 1;
	if ((is_char && (key == 27 || key == 'q' || key == '?')) || (!is_char && key == KEY_F(1))) {
		tui_pane_overlay(a, NULL);
		return TUI_KEY_DONE;
	}
	if ((!is_char && key == KEY_DOWN) || (is_char && key == 'j'))
		hm->top++;
	else if ((!is_char && key == KEY_UP) || (is_char && key == 'k'))
		hm->top = hm->top ? hm->top - 1 : 0;
	else if ((!is_char && key == KEY_NPAGE) || (is_char && key == ' '))
		hm->top += page;
	else if (!is_char && key == KEY_PPAGE)
		hm->top = hm->top > page ? hm->top - page : 0;
	else if ((!is_char && key == KEY_HOME) || (is_char && key == 'g'))
		hm->top = 0;
	else if ((!is_char && key == KEY_END) || (is_char && key == 'G'))
		hm->top = hm->nlines;
	else
		return TUI_KEY_PASS;
	a->dirty |= TUI_DIRTY_LIST;
	return TUI_KEY_DONE;
}

static int help_click(struct tui_mode *m, struct tui_app *a, int y, int x, bool dbl)
{
	(void)m;
	(void)y;
	(void)x;
	(void)dbl;
	tui_pane_overlay(a, NULL);
	return TUI_KEY_DONE;
}

static const struct tui_mode_ops help_ops = {
	.name = "help",
	.draw = help_draw,
	.key = help_key,
	.click = help_click,
};

void tui_help_open(struct tui_app *a)
{
	help_state.mode.ops = &help_ops;
	help_state.mode.host_id = -1;
	help_state.top = 0;
	tui_pane_overlay(a, &help_state.mode);
}
