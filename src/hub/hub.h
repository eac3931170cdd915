/* ecii-hub's state and its HTTP face: the hub store, the vocabulary it
 * serves, its limits, and the server answering the routes of every hub
 * module (the catalogue API, PROTOCOL.md §5, the search broker, §3 and
 * §4, whose tasks live in memory, and the access requests, §6). It owns
 * the server,
 * not the store or the vocabulary. Handlers run one at a time on the
 * server's thread, so the store's one connection is never shared. */
#ifndef ECII_HUB_HUB_H
#define ECII_HUB_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "core/access_form.h"
#include "core/vocab.h"
#include "net/server.h"
#include "store/hub_store.h"

#define HUB_DEFAULT_HEARTBEAT   60           /* seconds a site may stay silent and be online */
#define HUB_DEFAULT_TASK_TTL_MS (360 * 1000) /* a search task's lifetime */
#define HUB_MAX_TASKS           1024         /* searches alive at once */

struct hub_beam;

struct hub {
	struct hub_store *store;        /* borrowed */
	const struct vocab *vocab;      /* borrowed */
	const struct access_form *form; /* borrowed; NULL: no access form, so no
	                                   negotiation can be made (503) */
	size_t max_body;                /* 0: SERVER_DEFAULT_MAX_BODY */
	int64_t heartbeat;              /* seconds; <= 0: HUB_DEFAULT_HEARTBEAT */
	int64_t task_ttl_ms;            /* <= 0: HUB_DEFAULT_TASK_TTL_MS */
	size_t max_tasks;               /* searches alive at once; 0: HUB_MAX_TASKS */
	struct hub_beam *beam;          /* owned: the search tasks */
	struct server *server;          /* owned; NULL when not serving */
	struct server_route *routes;    /* owned: every module's routes */
	size_t n_routes;
};

/* The catalogue API's routes (catalogue_api.c): static, ctx is a struct hub. */
extern const struct server_route hub_catalogue_routes[];
extern const size_t hub_catalogue_n_routes;

/* The preview routes (preview_api.c; the upload is an ecii extension of
 * §5): static, ctx is a struct hub. Uploads may be up to HUB_PREVIEW_MAX
 * bytes, as hub_preview_body_limits says to the server. */
extern const struct server_route hub_preview_routes[];
extern const size_t hub_preview_n_routes;
extern const struct server_body_limit hub_preview_body_limits[];
extern const size_t hub_preview_n_body_limits;

/* The search broker's routes (beam_api.c): static, ctx is a struct hub. */
extern const struct server_route hub_beam_routes[];
extern const size_t hub_beam_n_routes;

/* The access-request routes, Negotiator v3 (negotiator_api.c): static,
 * ctx is a struct hub. */
extern const struct server_route hub_negotiator_routes[];
extern const size_t hub_negotiator_n_routes;

/* The broker's task list: new (never NULL); freed with hub_beam_free,
 * which accepts NULL and clears *b. hub_new and hub_free call them. */
struct hub_beam *hub_beam_new(void);
void hub_beam_free(struct hub_beam **b);
/* How many tasks are alive (expired ones go at the next request). */
size_t hub_beam_n_tasks(const struct hub_beam *b);

/* Makes a hub over store and vocab (both borrowed, must outlive it) with
 * the default limits. Returns new; never NULL. */
struct hub *hub_new(struct hub_store *store, const struct vocab *vocab);
/* Starts serving on address (NULL: 127.0.0.1) and port (0: a free one) in
 * mode. Returns 0, or -1 with err set (already serving, cannot listen). */
int hub_start(struct hub *hub, const char *address, uint16_t port, enum server_mode mode, char *err,
              size_t errlen);
/* The port it listens on, or 0 when not serving. */
uint16_t hub_port(const struct hub *hub);
/* Stops serving; a no-op when not serving. */
void hub_stop(struct hub *hub);
/* Stops and frees *hub and clears it; NULL or *hub NULL is a no-op. */
void hub_free(struct hub **hub);

/* For the routes sites call: 0 when the request's token is site's own.
 * Otherwise fills resp and returns -1: 401 for no token or nobody's, 403
 * for a user's token ("only a site may <action>") or another site's ("a
 * site may <action> only for itself"), 500 when the store cannot say. The
 * token never reaches a message. */
int hub_check_site(struct hub *hub, const struct server_request *req, const char *site,
                   const char *action, struct server_response *resp);

/* For the routes users call: 0 when the request's token is a user's
 * current one, with *name (new) and *role set (either may be NULL: not
 * wanted). Otherwise fills resp and returns -1: 401 for no token or
 * nobody's (unknown, rotated away, its user removed), 403 for a site's
 * ("a site may not <action>"), 500 when the store cannot say. The token
 * never reaches a message. */
int hub_check_user(struct hub *hub, const struct server_request *req, const char *action,
                   char **name, enum hub_role *role, struct server_response *resp);

#endif
