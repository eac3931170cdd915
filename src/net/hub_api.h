/* Calls to a hub's JSON API (PROTOCOL.md §5, §6) on an http_multi: one
 * call is one request with a JSON body or none, its reply read as JSON.
 * The explorer starts calls and gets each reply in a callback from inside
 * http_multi_wait(); the commands use hub_api_call(), which waits for its
 * own call. The token is never logged nor put in an error. */
#ifndef ECII_NET_HUB_API_H
#define ECII_NET_HUB_API_H

#include <stddef.h>

#include <jansson.h>

#include "net/http_multi.h"

#define HUB_API_TIMEOUT_MS 30000 /* a whole call */

/* Where calls go. Borrowed pointers; net must outlive the calls. */
struct hub_api {
	struct http_multi *net;
	const char *hub;   /* "http://host:port", no trailing '/' */
	const char *token; /* the user's bearer token, or NULL */
};

/* What came back. */
struct hub_reply {
	long status; /* the HTTP status; 0 when none came */
	json_t *doc; /* the body as JSON, or NULL (none, or not JSON) */
	/* NULL for a 2xx reply; else one line: the transport's error ("cannot
	 * reach ...", "timed out after 30000 ms"), or "<status> <the hub's
	 * "error" message>" ("403 the negotiation is SUBMITTED; allowed:
	 * APPROVE, DECLINE"). Outside text: sanitise before showing it. */
	char *error;
};

/* Called once with the reply (owned by the call: take doc with
 * json_incref to keep it). */
typedef void (*hub_api_fn)(const struct hub_reply *r, void *arg);

/* Starts method on path ("/api/v3/..."; segments escaped by the caller,
 * see hub_api_escape) with body (borrowed, NULL: none) and idempotency_key
 * (NULL: none). Returns the transfer (cancel it with http_multi_cancel), or
 * NULL with err set. fn may be NULL. */
struct http_transfer *hub_api_start(const struct hub_api *a, const char *method, const char *path,
                                    json_t *body, const char *idempotency_key, hub_api_fn fn,
                                    void *arg, char *err, size_t errlen);
/* Sends the call and waits for its reply (other transfers on the multi
 * move on meanwhile). Returns 0 for a 2xx reply, else -1; out is filled
 * either way (release it with hub_reply_clear). */
int hub_api_call(const struct hub_api *a, const char *method, const char *path, json_t *body,
                 const char *idempotency_key, struct hub_reply *out);
void hub_reply_clear(struct hub_reply *r);

/* s percent-encoded for one path segment or query value (RFC 3986
 * unreserved characters kept). New. */
char *hub_api_escape(const char *s);

#endif
