/* The explorer's side of access requests (PROTOCOL.md §6), shared by the
 * request form, "My requests" and the review screens: who the user is at
 * the hub, calls to the hub that never block the screen (started on
 * app->net, answered inside app_wait; in headless mode each call is waited
 * for, so scripts are deterministic), the poll that notices when a
 * request changed (a badge in the title), the drafts left unfinished by an
 * earlier run, and "Request access", which turns the cohort on screen into
 * a local draft and opens the form. Nothing here draws but the badge text;
 * nothing here parses the API's JSON but through core/negotiation.h. */
#ifndef ECII_SCREENS_ACCESS_H
#define ECII_SCREENS_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/access_form.h"
#include "core/negotiation.h"
#include "net/hub_api.h"
#include "screens/screen.h"

struct app;

#define ACCESS_POLL_MS 30000 /* how often the hub is asked what changed */

/* What the negotiation screen opens: a negotiation by id, as its author
 * (My requests) or as a reviewer (the committee, a representative). */
struct access_open {
	const char *id; /* borrowed; the screen copies it */
	bool review;
};

/* What the form screen opens: a saved draft, and for tests a form (NULL:
 * the hub's, fetched after handing the request over when the draft has
 * none yet). Borrowed; the screen copies what it keeps. */
struct request_form_open {
	const char *draft_id;
	const struct access_form *form;
};

/* The app's access-request state for app (borrowed, must outlive it).
 * With a hub and a token it asks who the user is, starts the poll, sends
 * again every draft of this hub left SUBMITTING (same Idempotency-Key) and
 * says on the status line when unfinished drafts wait. Returns new; also
 * in local mode, where every call refuses. */
struct app_access *access_new(struct app *app);
/* Cancels every call still running and frees *ap; NULL accepted. */
void access_free(struct app_access **ap);

/* For app_wait: timeout_ms shortened so that the next poll is not late
 * (-1: no limit). */
int access_timeout(struct app *app, int timeout_ms);
/* For app_wait, after waiting: starts the poll when it is due. */
void access_tick(struct app *app);
/* The badge for the title ("2 requests changed"), or NULL (static or
 * owned by the state; valid until the next call). */
const char *access_badge(struct app *app);
/* Clears the badge: the user looked at their requests now. */
void access_seen(struct app *app);

/* Why access requests cannot be made here ("access requests go to a
 * hub..."), or NULL when they can. Static or owned by the state. */
const char *access_unavailable(struct app *app);
/* The user's id at the hub and roles, once userinfo answered: NULL /
 * false before. */
const char *access_user(struct app *app);
bool access_is_admin(struct app *app);
bool access_is_representative(struct app *app);
/* Calls fn(arg) once userinfo has answered (at once when it has; never
 * when it failed, which the status line says). The call belongs to
 * owner, like access_call's. */
void access_when_user(struct app *app, void *owner, void (*fn)(struct app *app, void *arg),
                      void *arg);

/* Starts a call to the hub for owner (a screen's state: access_cancel
 * drops its calls when it leaves). body borrowed; idempotency_key may be
 * NULL. fn is called once with the reply, from inside app_wait (or before
 * this returns, in headless mode), unless cancelled: then release (NULL:
 * nothing) is called on arg instead. Returns 0, or -1
 * after putting the reason on the status line (fn is then not called). */
int access_call(struct app *app, void *owner, const char *method, const char *path, json_t *body,
                const char *idempotency_key, hub_api_fn fn, void *arg, void (*release)(void *arg));
/* Cancels every call of owner (none of their callbacks runs). */
void access_cancel(struct app *app, void *owner);
/* How many calls of owner are running. */
size_t access_pending(struct app *app, const void *owner);

/* The "Request access" action: a draft from the cohort, its counts and the
 * chosen collections (app->selected, else those with subjects in the
 * counts), saved at once, and the form screen on it. Says on the status
 * line why not when it cannot. */
struct screen_result access_request(struct app *app);

/* Who acts next in words for the author ("you", "you or the committee")
 * when for_author, else negotiation_who_words(who). New. */
char *access_who_words(unsigned who, bool for_author);

/* Clears the badge with list (n of them) as what the user has seen. */
void access_seen_list(struct app *app, const struct negotiation *list, size_t n);

struct draft;

/* The submit of d: SUBMITTING saved before anything leaves (a refusal to
 * save sends nothing), then POST /api/v3/negotiations with d's
 * Idempotency-Key, as access_call for owner. Returns 0, or -1 after
 * saying why on the status line. */
int access_submit_send(struct app *app, void *owner, struct draft *d, hub_api_fn fn, void *arg,
                       void (*release)(void *arg));

/* How a submit ended. */
enum access_sent {
	ACCESS_SENT_DONE,    /* the hub made the negotiation: the draft is removed */
	ACCESS_SENT_REFUSED, /* a 4xx: EDITING again, with the hub's reason */
	ACCESS_SENT_UNKNOWN, /* no reply, or a 5xx: still SUBMITTING, send again */
};

/* Takes the submit's reply r into d (state, error, saved; removed once
 * submitted), the hub's field errors into errs (zeroed first; NULL: not
 * wanted) and a message for the status line into msg. */
enum access_sent access_submit_reply(struct draft *d, const struct hub_reply *r,
                                     struct access_form_errors *errs, char *msg, size_t msglen);

/* The field errors a hub's 400 carries ({"fields"|"errors":[...]}) into
 * out (zeroed first). Returns how many. */
size_t access_reply_errors(json_t *doc, struct access_form_errors *out);

#endif
