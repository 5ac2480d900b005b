/* tui/perf.c - the Performance view and the host summary (live figures).
 * Placeholder: the live monitoring feature fills it in. */
#include "app.h"

void tui_perf_draw(struct tui_app *a, WINDOW *w)
{
	(void)a;
	werase(w);
}

bool tui_perf_key(struct tui_app *a, int key, bool is_char)
{
	if (is_char && key == 27) {
		a->view = TUI_VIEW_LIST;
		return true;
	}
	return false;
}

void tui_perf_free(struct tui_app *a)
{
	a->perf = NULL;
}
