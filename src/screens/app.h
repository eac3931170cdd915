/* The explorer: its data, its screen stack and the title, status and
 * search lines around the screens. Keys come in through app_key (from the
 * terminal or from a headless script), the canvas goes out through
 * app_draw. No curses here: the terminal backend lives in ui/term.c. */
#ifndef ECII_SCREENS_APP_H
#define ECII_SCREENS_APP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "client/counts.h"
#include "client/federation.h"
#include "core/cohort.h"
#include "net/http_multi.h"
#include "screens/screen.h"
#include "ui/canvas.h"
#include "ui/line.h"

#define APP_MAX_DEPTH 16

struct app_frame {
	const struct screen_ops *ops;
	void *state;
};

/* What the bottom line is being used for when it has the keyboard. */
enum app_line_mode {
	APP_LINE_NONE,
	APP_LINE_SEARCH, /* live filter of the top screen (its search op) */
	APP_LINE_QUERY,  /* the cohort as text; Enter applies it */
	APP_LINE_PROMPT, /* a question from the top screen (its prompt op) */
};

struct app {
	struct federation *fed; /* the data (borrowed) */
	struct http_multi *net; /* a hub's transfers (borrowed); NULL in local mode */
	json_t *catalogue;      /* fed's §5 items, borrowed */
	json_t *selected;       /* object: collection id -> true; owned */
	struct cohort *cohort;  /* the cohort being built; owned */
	struct counts *counts;  /* its counts at every site; owned */
	struct app_frame stack[APP_MAX_DEPTH];
	size_t depth;
	char status[256]; /* one-line message, shown until the next key */
	bool status_error;
	enum app_line_mode line_mode;  /* the bottom line has the keyboard */
	struct ui_line line;           /* its text */
	char prompt[128];              /* its label (APP_LINE_PROMPT) */
	int prompt_tag;                /* the screen's tag for the question */
	int line_error_col;            /* 0, or the 1-based column of an error */
	int mouse_y, mouse_x;          /* of the last mouse event */
	char save_name[65];            /* the last name w saved as (or asked about) */
	char history_hash[65];         /* the cohort last added to the history */
	bool history_read;             /* history_hash was read from the file */
	bool history_failed;           /* a history error was shown once */
	unsigned long problem_version; /* the counts whose problem was shown */
	struct app_access *access;     /* access requests with a hub (screens/access.h) */
	bool quit;
};

/* An explorer over fed (borrowed), showing the catalogue. background (the
 * terminal): counts arrive while the user types, through app_wait; else
 * (headless) each count is done before the next key. A hub federation
 * needs net (borrowed), on which its transfers run. Returns new. */
struct app *app_new(struct federation *fed, struct http_multi *net, bool background);
void app_free(struct app **app);

/* Handles one key: the search line first when it is open, then the top
 * screen's actions, then global ones (help, quit). Returns false once the
 * app wants to quit. */
bool app_key(struct app *app, int key);
/* Draws everything into c (of any size). */
void app_draw(struct app *app, struct ui_canvas *c);

/* For screens: the status line message (printf-style). */
void app_status(struct app *app, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* For screens: call after changing app->cohort; asks the sites to count
 * the new cohort. */
void app_cohort_changed(struct app *app);
/* For screens: asks a question on the bottom line, prefilled with initial;
 * the answer goes to the top screen's prompt op with tag. */
void app_prompt(struct app *app, int tag, const char *label, const char *initial);
/* For the event loop: waits at most timeout_ms (-1: no limit) until the
 * tty (*tty: its revents are set; fd -1 is not watched) is ready or counts
 * arrive (from the worker, or over the network, which this moves on), and
 * takes them in. Returns 1 when the counts changed, 0 when not, or -1 when
 * waiting failed. */
int app_wait(struct app *app, struct pollfd *tty, int timeout_ms);
/* For screens: whether a collection is selected, and toggling it. */
bool app_is_selected(const struct app *app, const char *id);
void app_toggle_selected(struct app *app, const char *id);
/* Opens ops with arg on top, as a screen's SCREEN_PUSH would (tests, and
 * screens/access.h's flows). */
void app_push(struct app *app, const struct screen_ops *ops, const void *arg);
/* The top screen's state, for tests. Borrowed. */
void *app_top_state(struct app *app);

#endif
