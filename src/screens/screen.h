/* A screen of the explorer is an ops table (like tig's views): it draws
 * its part of the canvas and answers actions by saying what should happen
 * next; screens never call each other. State is sized by the screen and
 * owned by the app's screen stack (zeroed before enter, freed after leave). */
#ifndef ECII_SCREENS_SCREEN_H
#define ECII_SCREENS_SCREEN_H

#include <stddef.h>

#include "ui/actions.h"
#include "ui/canvas.h"

struct app;
struct screen_ops;

enum {
	SCREEN_UNHANDLED = 0,
	SCREEN_HANDLED = 1, /* done; the screen is redrawn */
	SCREEN_PUSH = 2,    /* open result.push with result.arg on top */
	SCREEN_POP = 4,     /* close this screen */
	SCREEN_QUIT = 8,    /* leave ecii */
};

struct screen_result {
	unsigned flags;
	const struct screen_ops *push;
	const void *arg; /* borrowed by push's enter, which copies what it keeps */
};

/* The area a screen draws in: rows top .. top + rows - 1, all columns. */
struct screen_area {
	int top;
	int rows;
	int cols;
};

struct screen_ops {
	const char *name;  /* e.g. "catalogue" */
	const char *title; /* shown in the title line */
	size_t state_size;
	void (*enter)(struct app *app, void *state, const void *arg);
	void (*leave)(struct app *app, void *state);
	void (*draw)(struct app *app, void *state, struct ui_canvas *c, struct screen_area area);
	struct screen_result (*action)(struct app *app, void *state, enum ui_action a);
	/* Optional: a key no action is bound to, or a mouse event (the app's
	 * mouse_y / mouse_x say where). */
	struct screen_result (*key)(struct app *app, void *state, int key);
	/* Optional: the search line changed (text never NULL; "" clears). */
	void (*search)(struct app *app, void *state, const char *text);
	/* Optional: the status line hint, e.g. "Enter open  Space select". */
	const char *(*hint)(struct app *app, void *state);
	/* Optional: the answer to app_prompt(tag). Returns NULL when taken, or
	 * a message (borrowed, shown as an error) to ask again. */
	const char *(*prompt)(struct app *app, void *state, int tag, const char *answer);
	/* Optional: the prompt's text changed as the user types (text
	 * borrowed), or the prompt was dropped with Esc (text NULL). */
	void (*prompt_edit)(struct app *app, void *state, int tag, const char *text);
};

static inline struct screen_result screen_handled(void)
{
	return (struct screen_result){ SCREEN_HANDLED, NULL, NULL };
}

static inline struct screen_result screen_unhandled(void)
{
	return (struct screen_result){ SCREEN_UNHANDLED, NULL, NULL };
}

static inline struct screen_result screen_push(const struct screen_ops *ops, const void *arg)
{
	return (struct screen_result){ SCREEN_HANDLED | SCREEN_PUSH, ops, arg };
}

static inline struct screen_result screen_pop(void)
{
	return (struct screen_result){ SCREEN_HANDLED | SCREEN_POP, NULL, NULL };
}

extern const struct screen_ops catalogue_screen;  /* arg: none */
extern const struct screen_ops collection_screen; /* arg: const char *collection id */
extern const struct screen_ops help_screen;       /* arg: none */
extern const struct screen_ops builder_screen;    /* arg: none */
extern const struct screen_ops results_screen;    /* arg: none */
extern const struct screen_ops cohorts_screen;    /* arg: none */
extern const struct screen_ops preview_screen;    /* arg: const char *collection id */
/* Access requests (screens/access.h says what they take). */
extern const struct screen_ops request_form_screen; /* arg: const struct request_form_open * */
extern const struct screen_ops requests_screen;     /* arg: none */
extern const struct screen_ops review_screen;       /* arg: none */
extern const struct screen_ops negotiation_screen;  /* arg: const struct access_open * */

#endif
