/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tui/keydoc.c - `vmmc --dump-keys mdoc|text|tsv`: the key table made from
 * the action table, for the man page, the README and scripts. */
#include "actions.h"
#include "tui.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Put s for mdoc: backslashes and quotes escaped. key = true: a key name
 * inside a quoted macro argument, where mdoc's delimiters (". , ; : ? ! ( )
 * [ ] |") get a "\&" so that they stay text; key = false: a text line, cut at
 * blanks into lines of at most 80 bytes (a line that would start with '.'
 * or '\'' gets "\&"). */
static void mdoc_put(const char *s, bool key)
{
	size_t col = 0;
	while (*s) {
		const char *w = s;
		size_t n = 0, wlen;
		char buf[1024];
		while (*w == ' ')
			w++;
		if (!*w)
			break;
		/* the next word (for a key: the rest), escaped into buf */
		for (s = w; *s && (key || *s != ' ') && n + 8 < sizeof(buf); s++) {
			if (*s == '\\')
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\e");
			else if (*s == '"')
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\(dq");
			else if (key && strchr(".,;:?!()[]|", *s))
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\&%c", *s);
			else
				buf[n++] = *s;
		}
		buf[n] = '\0';
		wlen = n + (buf[0] == '.' || buf[0] == '\'' ? 2 : 0);
		if (col && col + 1 + wlen > 80) {
			putchar('\n');
			col = 0;
		} else if (col) {
			putchar(' ');
			col++;
		}
		if (!col && (buf[0] == '.' || buf[0] == '\''))
			fputs("\\&", stdout);
		fputs(buf, stdout);
		col += wlen;
	}
}

/* A field of a TSV line: tabs and newlines cannot occur in the table's
 * texts, but say so by replacing them. */
static void tsv_put(const char *s)
{
	for (; s && *s; s++)
		putchar(*s == '\t' || *s == '\n' ? ' ' : *s);
}

static void dump_tsv(void)
{
	fputs("id\tkeys\tmenu\tscope\tlabel\tdescription\n", stdout);
	for (size_t i = 0; i < tui_nactions; i++) {
		const struct tui_action *act = &tui_actions[i];
		char keys[64];
		if (act->key)
			tui_action_keys(act, keys, sizeof(keys));
		else
			keys[0] = '\0';
		printf("%s\t%s\t%s\t%s\t", act->id, keys, act->menu >= 0 ? tui_menu_names[act->menu] : "",
		       tui_scope_titles[act->scope]);
		tsv_put(act->label);
		putchar('\t');
		tsv_put(act->help);
		putchar('\n');
	}
}

int tui_dump_keys(const char *format)
{
	bool mdoc;
	if (strcmp(format, "tsv") == 0) {
		dump_tsv();
		return 0;
	}
	if (strcmp(format, "mdoc") == 0)
		mdoc = true;
	else if (strcmp(format, "text") == 0)
		mdoc = false;
	else {
		fprintf(stderr, "vmmc: --dump-keys takes mdoc, text or tsv, not '%s'\n", format);
		return 2;
	}
	for (int scope = 0; scope < TUI_SCOPE__COUNT; scope++) {
		bool any = false;
		for (size_t i = 0; i < tui_nactions; i++)
			any |= tui_actions[i].scope == (enum tui_scope)scope;
		if (!any)
			continue;
		if (mdoc)
			printf(".Ss %s\n.Bl -tag -width Ds -compact\n", tui_scope_titles[scope]);
		else
			printf("%s:\n", tui_scope_titles[scope]);
		for (size_t i = 0; i < tui_nactions; i++) {
			const struct tui_action *act = &tui_actions[i];
			char keys[64];
			if (act->scope != (enum tui_scope)scope)
				continue;
			tui_action_keys(act, keys, sizeof(keys));
			if (!mdoc) {
				printf("  %-16s %s\n", keys, act->help);
				continue;
			}
			if (act->key || act->menu < 0 || act->menu >= TUI_MENU__COUNT) {
				/* quoted, so that "," and "." stay keys, not punctuation */
				fputs(".It Sy \"", stdout);
				mdoc_put(act->key ? keys : "(none)", true);
				fputs("\"\n", stdout);
			} else { /* only in a menu: its path, "Help -> About" */
				fputs(".It Sy \"", stdout);
				mdoc_put(tui_menu_names[act->menu], true);
				fputs("\" No \\(-> Sy \"", stdout);
				mdoc_put(act->label, true);
				fputs("\"\n", stdout);
			}
			mdoc_put(act->help, false);
			putchar('\n');
		}
		if (mdoc)
			printf(".El\n");
	}
	return 0;
}
