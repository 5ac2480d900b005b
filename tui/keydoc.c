/* tui/keydoc.c - `vmmc --dump-keys mdoc|text|tsv`: the key table made from
 * the action table, for the man page, the README and scripts. */
#include "actions.h"
#include "tui.h"

#include <stdio.h>
#include <string.h>

/* Escape a string for mdoc: a leading dot or quote, and backslashes. */
static void mdoc_put(const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '"')
			fputs("\\(dq", stdout);
		else
			putchar(*s);
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
			if (mdoc) {
				/* quoted, so that "," and "." stay keys, not punctuation */
				fputs(".It Sy \"", stdout);
				mdoc_put(keys);
				fputs("\"\n", stdout);
				mdoc_put(act->help);
				putchar('\n');
			} else {
				printf("  %-16s %s\n", keys, act->help);
			}
		}
		if (mdoc)
			printf(".El\n");
	}
	return 0;
}
