/* The access requests of PROTOCOL.md §6 in hub.db (schema version 2):
 * who represents which collection, the requests handed over, the
 * negotiations made from them with each collection's state, and the
 * timeline of every transition and post. The store keeps state; it does
 * not decide who may do what (core/negotiation.h's tables and the hub do),
 * but it does make each change whole: a transition, its timeline row and
 * the post its message becomes are one transaction, and a transition only
 * happens from the state the caller saw.
 *
 * Schema (added in version 2):
 *   representatives(user TEXT REFERENCES users(name) ON DELETE CASCADE,
 *        collection TEXT, PRIMARY KEY (user, collection))
 *   requests(id TEXT PRIMARY KEY, creator TEXT,   -- NULL: made anonymously
 *        created INTEGER, doc TEXT)                -- doc: the request as JSON
 *   negotiations(seq INTEGER PRIMARY KEY,          -- the displayId
 *        id TEXT UNIQUE, request TEXT UNIQUE REFERENCES requests(id),
 *        author TEXT, idempotency_key TEXT, status TEXT, payload TEXT,
 *        created INTEGER, modified INTEGER, UNIQUE (author, idempotency_key))
 *   negotiation_resources(negotiation TEXT REFERENCES negotiations(id),
 *        position INTEGER, collection TEXT, state TEXT,
 *        PRIMARY KEY (negotiation, collection))
 *   timeline(id INTEGER PRIMARY KEY, negotiation TEXT REFERENCES
 *        negotiations(id), at INTEGER, actor TEXT, kind TEXT -- 'transition'
 *        | 'post', event, from_state, to_state, resource, message, post_type)
 * The timeline is append-only: triggers abort any UPDATE or DELETE of it.
 * A negotiation's author is kept by name without a foreign key, so removing
 * a user leaves the negotiations and their trail intact. Times are seconds
 * since the epoch. */
#ifndef ECII_STORE_HUB_STORE_NEGO_H
#define ECII_STORE_HUB_STORE_NEGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/hub_store.h"

#define HUB_COLLECTION_ID_MAX 256

/* true if id (NULL accepted) can name a collection: 1..HUB_COLLECTION_ID_MAX
 * printable ASCII characters other than space, '/' and ','. */
bool hub_collection_id_valid(const char *id);

/* ---- representatives ---- */

/* Makes user (an existing user) a representative of collection (which
 * need not be published yet). Returns 0, also when it already was; -1 with
 * err set: an unknown user or a bad collection id (named). */
int hub_store_represent(struct hub_store *s, const char *user, const char *collection, char *err,
                        size_t errlen);
/* Undoes it. Returns 0, or -1 with err set ("X does not represent Y"). */
int hub_store_unrepresent(struct hub_store *s, const char *user, const char *collection, char *err,
                          size_t errlen);
/* 1 if user represents collection, 0 if not, -1 with err set. */
int hub_store_represents(struct hub_store *s, const char *user, const char *collection, char *err,
                         size_t errlen);
/* The collections user represents, sorted: a new array of strings, or NULL
 * with err set. */
json_t *hub_store_represented(struct hub_store *s, const char *user, char *err, size_t errlen);
/* Every representative: a new object {"<user>": [collection, ...]} (users
 * without a collection left out), or NULL with err set. */
json_t *hub_store_representatives(struct hub_store *s, char *err, size_t errlen);

/* ---- requests ---- */

/* Stores request id made by creator (NULL: anonymous) at when, doc
 * (borrowed; written as compact JSON). Returns 0, or -1 with err set (the
 * id taken, a write error). */
int hub_store_request_add(struct hub_store *s, const char *id, const char *creator, int64_t when,
                          json_t *doc, char *err, size_t errlen);
/* Request id's doc: new, or NULL with err "" when there is none and the
 * reason otherwise. *creator (new; NULL: anonymous) and *negotiation (new:
 * the negotiation made from it; NULL: none yet) are set when not NULL. */
json_t *hub_store_request_get(struct hub_store *s, const char *id, char **creator,
                              char **negotiation, char *err, size_t errlen);
/* 1 with *site (new) set to the site that publishes collection, 0 when no
 * site does, -1 with err set. */
int hub_store_collection_site(struct hub_store *s, const char *collection, char **site, char *err,
                              size_t errlen);

/* ---- negotiations ---- */

/* A negotiation to create; everything borrowed. */
struct hub_negotiation_new {
	const char *id; /* a new UUID */
	const char *request;
	const char *author;
	const char *idempotency_key; /* NULL: none */
	bool draft;                  /* false: created SUBMITTED, with a SUBMIT in the timeline */
	json_t *payload;             /* an object */
	const char *const *collections; /* the request's, in its order; each starts SUBMITTED */
	size_t n_collections;
	int64_t when;
};

enum hub_store_made {
	HUB_STORE_MADE = 0,   /* created */
	HUB_STORE_REPLAYED,   /* author used the key before: *existing names that negotiation */
	HUB_STORE_TAKEN,      /* the request is in another negotiation: *existing names it */
	HUB_STORE_MADE_ERROR, /* err says why */
};

/* Creates n in one transaction, unless the author already used its
 * idempotency key or the request is taken; then *existing (new) names the
 * negotiation found and nothing is written. */
enum hub_store_made hub_store_negotiation_create(struct hub_store *s,
                                                 const struct hub_negotiation_new *n,
                                                 char **existing, char *err, size_t errlen);
/* Negotiation id as a new {"id","seq","request","author","status","payload",
 * "created","modified","resources":[{"id","state"}]} (payload an object,
 * resources in the request's order), or NULL with err "" when there is
 * none and the reason otherwise. */
json_t *hub_store_negotiation_get(struct hub_store *s, const char *id, char *err, size_t errlen);

/* Which negotiations to list; NULL members do not filter. */
struct hub_negotiation_filter {
	const char *status;         /* a state name */
	const char *author;         /* by this author */
	const char *representative; /* with a collection this user represents, and not a DRAFT */
};

/* The negotiations f lets through, oldest first, skipping offset and at
 * most limit of them, as a new array of hub_store_negotiation_get's
 * objects; *total is how many f lets through in all. NULL with err set on
 * a read error. */
json_t *hub_store_negotiation_list(struct hub_store *s, const struct hub_negotiation_filter *f,
                                   int64_t offset, int64_t limit, int64_t *total, char *err,
                                   size_t errlen);
/* 1 if user represents a collection of negotiation id, 0 if not, -1 with
 * err set. */
int hub_store_represents_negotiation(struct hub_store *s, const char *user, const char *id,
                                     char *err, size_t errlen);

/* Replaces the payload (borrowed, an object) of negotiation id while it is
 * a DRAFT. Returns 0, 1 when it is not (any longer) a DRAFT or not there,
 * or -1 with err set. */
int hub_store_negotiation_set_payload(struct hub_store *s, const char *id, json_t *payload,
                                      int64_t when, char *err, size_t errlen);

/* One transition; everything borrowed. */
struct hub_transition {
	const char *negotiation;
	const char *resource; /* NULL: the negotiation's own state moves */
	const char *event;
	const char *from; /* the state the caller saw */
	const char *to;
	const char *actor;
	const char *message; /* NULL: none; else also written as a PUBLIC post */
	int64_t when;
};

/* Moves t's negotiation (or its collection t->resource) from t->from to
 * t->to and appends the timeline row and, with a message, the post, all in
 * one transaction; a collection moves only while its negotiation is
 * IN_PROGRESS. Returns 0; 1 when the state was not t->from (any more) and
 * nothing was written; -1 with err set. */
int hub_store_transition(struct hub_store *s, const struct hub_transition *t, char *err,
                         size_t errlen);
/* Appends a post of text by actor of type ("PUBLIC" or "PRIVATE") to
 * negotiation's timeline at when; *id is its timeline id. Returns 0 or -1
 * with err set. */
int hub_store_post_add(struct hub_store *s, const char *negotiation, const char *actor,
                       int64_t when, const char *text, const char *type, int64_t *id, char *err,
                       size_t errlen);
/* negotiation's timeline, in order, as a new array of {"id","at","actor",
 * "kind","event","from","to","resource","message","post_type"} (absent
 * values null), or NULL with err set. */
json_t *hub_store_timeline(struct hub_store *s, const char *negotiation, char *err, size_t errlen);

#endif
