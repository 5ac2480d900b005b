/* tui/console.c - serial consoles in the results pane.
 * Placeholder: the serial console feature fills it in. */
#include "app.h"

void tui_console_msg(struct tui_app *a, md_msg *m)
{
	(void)a;
	(void)m;
}

void tui_console_draw(struct tui_app *a, WINDOW *w)
{
	(void)a;
	werase(w);
}

bool tui_console_key(struct tui_app *a, int key, bool is_char)
{
	(void)a;
	(void)key;
	(void)is_char;
	return false;
}

void tui_console_free(struct tui_app *a)
{
	a->consoles = NULL;
}
