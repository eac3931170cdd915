/* The help screen: the keys, made from ui_action_table in its order (so
 * help and key dispatch cannot disagree), then a few words on the search
 * line and the mouse. It must not list a key the table does not bind. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "screens/app.h"
#include "screens/pager.h"
#include "screens/screen.h"
#include "ui/actions.h"
#include "util/buf.h"
#include "util/utf8.h"

/* The key column never takes more than this, however many keys an action
 * has: the help text wraps beside it. */
#define HELP_MAX_KEYS_WIDTH 20

struct help_state {
	struct pager page;
};

/* "k Up" as the help shows it: "k, Up". New. */
static char *keys_text(const char *keys)
{
	struct buf b = BUF_INIT;
	const char *p = keys;

	while (*p != '\0') {
		size_t n = strcspn(p, " ");

		if (n > 0) {
			if (b.len > 0)
				buf_puts(&b, ", ");
			buf_append(&b, p, n);
		}
		p += n;
		p += strspn(p, " ");
	}
	return buf_steal(&b);
}

static void help_enter(struct app *app, void *state, const void *arg)
{
	struct help_state *s = state;
	int width = 0;

	for (size_t i = 0; i < ui_action_count; i++) {
		char *keys = keys_text(ui_action_table[i].keys);
		int w = (int)utf8_width(keys);

		if (w > width)
			width = w;
		free(keys);
	}
	if (width > HELP_MAX_KEYS_WIDTH)
		width = HELP_MAX_KEYS_WIDTH;
	pager_reset(&s->page, width + 1);
	pager_add_heading(&s->page, "Keys", UI_STYLE_HEADER);
	for (size_t i = 0; i < ui_action_count; i++) {
		char *keys = keys_text(ui_action_table[i].keys);

		pager_add_field(&s->page, keys, ui_action_table[i].help);
		free(keys);
	}
	pager_add_blank(&s->page);
	pager_add_heading(&s->page, "Search", UI_STYLE_HEADER);
	pager_add_paragraph(
	    &s->page,
	    "Press / on the catalogue and type: the list narrows with every key. Each word "
	    "you type must occur, in any case, in a collection's id, name, acronym, "
	    "description, provider, condition, body parts or modalities, so 'prostate mr' "
	    "finds the prostate collections with MR. Enter keeps the filter and gives the "
	    "keys back to the list; Esc clears it.",
	    0, UI_STYLE_NORMAL);
	pager_add_blank(&s->page);
	pager_add_heading(&s->page, "Mouse", UI_STYLE_HEADER);
	pager_add_paragraph(&s->page,
	                    "Click a row to move there, click a column header to sort by it "
	                    "(again to reverse); the wheel scrolls.",
	                    0, UI_STYLE_NORMAL);
}

static void help_leave(struct app *app, void *state)
{
	struct help_state *s = state;

	pager_free(&s->page);
}

static void help_draw(struct app *app, void *state, struct ui_canvas *c, struct screen_area area)
{
	struct help_state *s = state;

	pager_draw(&s->page, c, area);
}

static struct screen_result help_action(struct app *app, void *state, enum ui_action a)
{
	struct help_state *s = state;

	if (pager_action(&s->page, a))
		return screen_handled();
	if (a == UI_ACTION_BACK || a == UI_ACTION_HELP)
		return screen_pop();
	return screen_unhandled();
}

static struct screen_result help_key(struct app *app, void *state, int key)
{
	struct help_state *s = state;

	return pager_key(&s->page, key) ? screen_handled() : screen_unhandled();
}

const struct screen_ops help_screen = {
	.name = "help",
	.title = "Help",
	.state_size = sizeof(struct help_state),
	.enter = help_enter,
	.leave = help_leave,
	.draw = help_draw,
	.action = help_action,
	.key = help_key,
};
