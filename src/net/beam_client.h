/* A federated count as a client asks it of a hub (PROTOCOL.md §3): start
 * the search (POST /backend/beam), then read its result stream (GET
 * /backend/beam/{id}?wait_count=N as Server-Sent Events) and report each
 * site as it moves from pending to working (claimed) to answered or
 * failed, or timed out when it has not answered within the per-site
 * timeout counted from the start. Everything runs on an http_multi, so it
 * moves on only inside http_multi_wait(). The hub going away mid-stream
 * ends the call: every site still open is failed with the reason. */
#ifndef ECII_NET_BEAM_CLIENT_H
#define ECII_NET_BEAM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/query.h"
#include "net/http_multi.h"

/* A site's state, in the order it moves through them. */
enum beam_site_state {
	BEAM_SITE_PENDING,   /* asked; not claimed yet */
	BEAM_SITE_WORKING,   /* the site claimed the task */
	BEAM_SITE_ANSWERED,  /* succeeded: payload holds the decoded §3 payload */
	BEAM_SITE_FAILED,    /* tempfailed, permfailed, or the call broke */
	BEAM_SITE_TIMED_OUT, /* no answer within the per-site timeout */
};

/* One site's news. Borrowed, valid during the callback only. */
struct beam_site_update {
	size_t site; /* index into the sites the call was started with */
	enum beam_site_state state;
	const char *payload; /* ANSWERED: the payload text (NUL-terminated), which
	                        payload_read_text() (core/payload.h) accepts: a
	                        succeeded answer it refuses makes the site FAILED */
	size_t len;
	const char *error; /* FAILED, TIMED_OUT: one line, sanitised by the caller */
	double ms;         /* since the call started */
};

/* Called for every change of a site's state (never twice for the same
 * state, never after ANSWERED, FAILED or TIMED_OUT), then once with site
 * == (size_t)-1 when the call is over. Each site's first update is
 * PENDING, made when the hub has taken the search (201); a search the hub
 * never took moves its sites straight to FAILED or TIMED_OUT. A site
 * times out ("no answer within 10 s") when the per-site timeout, counted
 * from beam_call_start, passes first; "wait_expired" from the hub times
 * out every open site too ("the search expired at the hub"). The final
 * error is NULL when the hub took the search and every site reached an
 * end state, through the stream or by timing out; else why not, the same
 * line every open site failed with ("the hub refused the search: 401
 * unknown token", "cannot reach http://h:p: Couldn't connect to server",
 * "lost the hub: connection lost: ...", "lost the hub: the result stream
 * ended early"), or "the hub did not take the search within 10 s" when
 * the timeout passed before the hub answered the start (its sites then
 * TIMED_OUT). The callback must not free the call nor the multi, nor
 * call http_multi_wait(); free the call once http_multi_wait() has
 * returned. */
typedef void (*beam_update_fn)(const struct beam_site_update *u, void *arg);

struct beam_call;

/* What to ask. Every pointer is borrowed (copied by beam_call_start). */
struct beam_call_spec {
	const char *hub;    /* "http://host:port", a trailing '/' allowed */
	const char *token;  /* the user's bearer token, or NULL */
	char *const *sites; /* the site ids to ask, at least one, none twice */
	size_t n_sites;
	const struct query *query;
	long site_timeout_ms; /* 0: 10000 */
};

/* Starts the search on m (borrowed; must outlive the call). Returns the
 * call (owned by the caller: free it with beam_call_free, also from the
 * final callback's caller afterwards), or NULL with err set when it cannot
 * be started (no sites, a site named twice, a hub URL curl refuses). fn
 * is called only from inside http_multi_wait(). */
struct beam_call *beam_call_start(struct http_multi *m, const struct beam_call_spec *spec,
                                  beam_update_fn fn, void *arg, char *err, size_t errlen);
/* True once the final callback has been made (or the call was cancelled). */
bool beam_call_done(const struct beam_call *c);
/* The task id (a UUID), borrowed. */
const char *beam_call_id(const struct beam_call *c);
/* Cancels what is still running (no more callbacks) and frees *c; NULL accepted. */
void beam_call_free(struct beam_call **c);

#endif
