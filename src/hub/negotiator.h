/* What the Negotiator modules of ecii-hub share (negotiator_api.c: userinfo,
 * requests and negotiations; negotiator_flow.c: lifecycles, collections,
 * posts, timeline, the author's queries): who the caller is, reading a
 * body, loading a negotiation the caller may see, and building the JSON the
 * API sends (PROTOCOL.md §6); implemented in negotiator.c. Private to hub/.
 *
 * Who sees what, in one place (negotiator_may_read): a negotiation is seen
 * by its author, by the hub's admins (the committee) and, once it is no
 * longer a DRAFT, by the representatives of any of its collections. To
 * anyone else it does not exist: every route under it answers 404, so its
 * id leaks nothing. A caller who may see it but not do what was asked
 * gets 403 naming why. A PRIVATE post is seen by the negotiation's author,
 * the admins and the post's writer; a PUBLIC one by all who see the
 * negotiation. */
#ifndef ECII_HUB_NEGOTIATOR_H
#define ECII_HUB_NEGOTIATOR_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/negotiation.h"
#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"

/* What a site is refused, in hub_check_user's "a site may not <action>". */
#define NEGOTIATOR_ACTION "use the access-request API"

/* Who is asking. */
struct negotiator_caller {
	char *name; /* new */
	enum hub_role role;
};

/* Fills c from the request's token (hub_check_user). Returns 0, or -1 with
 * resp filled (401, 403, 500). */
int negotiator_caller_get(struct hub *hub, const struct server_request *req,
                          struct negotiator_caller *c, struct server_response *resp);
void negotiator_caller_clear(struct negotiator_caller *c);

/* The request's body as JSON: new; NULL with resp filled (400 naming what
 * is wrong) when it is not JSON. An empty body is NULL with resp untouched
 * when empty_ok, else a 400. */
json_t *negotiator_body(const struct server_request *req, bool empty_ok,
                        struct server_response *resp);

/* Epoch seconds as ISO 8601 UTC ("2026-01-02T03:04:05Z") into out. */
void negotiator_time(int64_t t, char out[32]);

/* A negotiation as the store has it (hub_store_negotiation_get's object)
 * with its request's document. */
struct negotiator_loaded {
	json_t *row;     /* new */
	json_t *request; /* new */
	enum negotiation_state status;
	const char *author; /* borrowed from row */
};

/* Loads negotiation id for c. Returns 0 with *n filled when c may see it;
 * -1 with resp filled otherwise (404 when there is none or c may not see
 * it, 500). */
int negotiator_load(struct hub *hub, const struct negotiator_caller *c, const char *id,
                    struct negotiator_loaded *n, struct server_response *resp);
void negotiator_loaded_clear(struct negotiator_loaded *n);
/* 1 if c may see the negotiation in row, 0 if not, -1 with err set. */
int negotiator_may_read(struct hub *hub, const struct negotiator_caller *c, json_t *row, char *err,
                        size_t errlen);
/* c's mask (enum negotiation_who) towards n: AUTHOR and ADMIN bits; with
 * collection not NULL also REPRESENTATIVE if c represents it. -1 on a read
 * error with err set. */
int negotiator_mask(struct hub *hub, const struct negotiator_caller *c,
                    const struct negotiator_loaded *n, const char *collection, unsigned *mask,
                    char *err, size_t errlen);

/* The request document's resource entry for collection (borrowed), or NULL. */
json_t *negotiator_request_resource(json_t *request, const char *collection);
/* NegotiationDTO of n: new. */
json_t *negotiator_dto(const struct negotiator_loaded *n);
/* The same from a store row and its request (both borrowed): new. */
json_t *negotiator_dto_of(json_t *row, json_t *request);
/* One resource of n with its currentState and, when events is not NULL,
 * "events": the wire names c may send now (borrowed array, copied). New. */
json_t *negotiator_resource_dto(const struct negotiator_loaded *n, json_t *stored, json_t *events);

/* Answers a refusal of the form (400) with {"error": what, "fields":
 * [...]}: errs as access_form_errors_json. */
void negotiator_form_errors(struct server_response *resp, const char *what,
                            const struct access_form_errors *errs);

/* The routes of negotiator_flow.c, joined into hub_negotiator_routes. */
void negotiator_put_lifecycle(void *ctx, const struct server_request *req,
                              struct server_response *resp);
void negotiator_get_lifecycle(void *ctx, const struct server_request *req,
                              struct server_response *resp);
void negotiator_get_resources(void *ctx, const struct server_request *req,
                              struct server_response *resp);
void negotiator_put_resource_lifecycle(void *ctx, const struct server_request *req,
                                       struct server_response *resp);
void negotiator_get_posts(void *ctx, const struct server_request *req,
                          struct server_response *resp);
void negotiator_post_post(void *ctx, const struct server_request *req,
                          struct server_response *resp);
void negotiator_get_timeline(void *ctx, const struct server_request *req,
                             struct server_response *resp);
void negotiator_get_author_queries(void *ctx, const struct server_request *req,
                                   struct server_response *resp);

#endif
