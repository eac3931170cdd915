/* The access-request model of PROTOCOL.md §6 (BBMRI-ERIC Negotiator v3):
 * the two lifecycle tables (the negotiation's, and each collection's within
 * it) as the one source of truth hub and client share, with who may send
 * each event and who has to act next; and readers for what the API
 * carries: requests, negotiations (NegotiationDTO), their resources with
 * currentState, lifecycle event lists, posts, timeline entries and HAL
 * lists. Readers take outside data: every member's presence and type is
 * checked and every error is one line naming the place
 * ("resources[1].organization.name: not a string"); unknown members are
 * ignored. Pure C over jansson: no I/O, no HTTP, no store. */
#ifndef ECII_CORE_NEGOTIATION_H
#define ECII_CORE_NEGOTIATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Limits on what is read (and what the hub accepts). */
#define NEGOTIATION_MAX_RESOURCES 256          /* per request */
#define NEGOTIATION_MAX_ID        256          /* bytes of an id */
#define NEGOTIATION_MAX_TEXT      (64 * 1024)  /* humanReadable, a post, a message */
#define NEGOTIATION_MAX_URL       4096         /* bytes of url / redirectUrl */
#define NEGOTIATION_MAX_PAYLOAD   (256 * 1024) /* the form answers as compact JSON */
#define NEGOTIATION_MAX_ITEMS     (64 * 1024)  /* entries of any one list */

/* ---- the lifecycle tables ---- */

/* The states of a negotiation, in lifecycle order: X(constant, wire name). */
#define NEGOTIATION_STATES(X)                     \
	X(NEGOTIATION_DRAFT, "DRAFT")             \
	X(NEGOTIATION_SUBMITTED, "SUBMITTED")     \
	X(NEGOTIATION_IN_PROGRESS, "IN_PROGRESS") \
	X(NEGOTIATION_PAUSED, "PAUSED")           \
	X(NEGOTIATION_CONCLUDED, "CONCLUDED")     \
	X(NEGOTIATION_ABANDONED, "ABANDONED")     \
	X(NEGOTIATION_DECLINED, "DECLINED")

/* The events of a negotiation's lifecycle. */
#define NEGOTIATION_EVENTS(X)               \
	X(NEGOTIATION_SUBMIT, "SUBMIT")     \
	X(NEGOTIATION_APPROVE, "APPROVE")   \
	X(NEGOTIATION_DECLINE, "DECLINE")   \
	X(NEGOTIATION_PAUSE, "PAUSE")       \
	X(NEGOTIATION_UNPAUSE, "UNPAUSE")   \
	X(NEGOTIATION_CONCLUDE, "CONCLUDE") \
	X(NEGOTIATION_ABANDON, "ABANDON")

/* The states of one collection (resource) within a negotiation. */
#define NEGOTIATION_RESOURCE_STATES(X)                                                     \
	X(NEGOTIATION_RESOURCE_SUBMITTED, "SUBMITTED")                                     \
	X(NEGOTIATION_RESOURCE_REPRESENTATIVE_CONTACTED, "REPRESENTATIVE_CONTACTED")       \
	X(NEGOTIATION_RESOURCE_REPRESENTATIVE_UNREACHABLE, "REPRESENTATIVE_UNREACHABLE")   \
	X(NEGOTIATION_RESOURCE_CHECKING_AVAILABILITY, "CHECKING_AVAILABILITY")             \
	X(NEGOTIATION_RESOURCE_AVAILABLE, "RESOURCE_AVAILABLE")                            \
	X(NEGOTIATION_RESOURCE_UNAVAILABLE, "RESOURCE_UNAVAILABLE")                        \
	X(NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_INDICATED, "ACCESS_CONDITIONS_INDICATED") \
	X(NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_MET, "ACCESS_CONDITIONS_MET")             \
	X(NEGOTIATION_RESOURCE_NOT_MADE_AVAILABLE, "RESOURCE_NOT_MADE_AVAILABLE")          \
	X(NEGOTIATION_RESOURCE_MADE_AVAILABLE, "RESOURCE_MADE_AVAILABLE")

/* The events of a collection's lifecycle. */
#define NEGOTIATION_RESOURCE_EVENTS(X)                                                         \
	X(NEGOTIATION_RESOURCE_CONTACT, "CONTACT")                                             \
	X(NEGOTIATION_RESOURCE_MARK_AS_UNREACHABLE, "MARK_AS_UNREACHABLE")                     \
	X(NEGOTIATION_RESOURCE_MARK_AS_CHECKING_AVAILABILITY, "MARK_AS_CHECKING_AVAILABILITY") \
	X(NEGOTIATION_RESOURCE_STEP_AWAY, "STEP_AWAY")                                         \
	X(NEGOTIATION_RESOURCE_MARK_AS_AVAILABLE, "MARK_AS_AVAILABLE")                         \
	X(NEGOTIATION_RESOURCE_MARK_AS_UNAVAILABLE, "MARK_AS_UNAVAILABLE")                     \
	X(NEGOTIATION_RESOURCE_INDICATE_ACCESS_CONDITIONS, "INDICATE_ACCESS_CONDITIONS")       \
	X(NEGOTIATION_RESOURCE_ACCEPT_ACCESS_CONDITIONS, "ACCEPT_ACCESS_CONDITIONS")           \
	X(NEGOTIATION_RESOURCE_DECLINE_ACCESS_CONDITIONS, "DECLINE_ACCESS_CONDITIONS")         \
	X(NEGOTIATION_RESOURCE_GRANT_ACCESS_TO_RESOURCE, "GRANT_ACCESS_TO_RESOURCE")

#define NEGOTIATION_ENUM_(c, name) c,
enum negotiation_state { NEGOTIATION_STATES(NEGOTIATION_ENUM_) NEGOTIATION_N_STATES };
enum negotiation_event { NEGOTIATION_EVENTS(NEGOTIATION_ENUM_) NEGOTIATION_N_EVENTS };
enum negotiation_resource_state {
	NEGOTIATION_RESOURCE_STATES(NEGOTIATION_ENUM_) NEGOTIATION_N_RESOURCE_STATES
};
enum negotiation_resource_event {
	NEGOTIATION_RESOURCE_EVENTS(NEGOTIATION_ENUM_) NEGOTIATION_N_RESOURCE_EVENTS
};
#undef NEGOTIATION_ENUM_

/* The wire names, indexed by the enums (static). */
extern const char *const negotiation_state_names[NEGOTIATION_N_STATES];
extern const char *const negotiation_event_names[NEGOTIATION_N_EVENTS];
extern const char *const negotiation_resource_state_names[NEGOTIATION_N_RESOURCE_STATES];
extern const char *const negotiation_resource_event_names[NEGOTIATION_N_RESOURCE_EVENTS];

/* A wire name (static), or NULL for a value out of range. */
const char *negotiation_state_name(enum negotiation_state s);
const char *negotiation_event_name(enum negotiation_event e);
const char *negotiation_resource_state_name(enum negotiation_resource_state s);
const char *negotiation_resource_event_name(enum negotiation_resource_event e);
/* Sets *out for an exact wire name and returns 0; -1 for any other (NULL
 * accepted and refused). */
int negotiation_state_parse(const char *name, enum negotiation_state *out);
int negotiation_event_parse(const char *name, enum negotiation_event *out);
int negotiation_resource_state_parse(const char *name, enum negotiation_resource_state *out);
int negotiation_resource_event_parse(const char *name, enum negotiation_resource_event *out);

/* A state in words for people ("in progress", "access conditions met"),
 * static; "?" out of range. */
const char *negotiation_state_words(enum negotiation_state s);
const char *negotiation_resource_state_words(enum negotiation_resource_state s);

/* Who may send an event, and who a caller is, as bits: a caller's mask is
 * the OR of what it is to this negotiation (and, for a collection's event,
 * to that collection: REPRESENTATIVE only for a collection it represents). */
enum negotiation_who {
	NEGOTIATION_WHO_NOBODY = 0,
	NEGOTIATION_WHO_AUTHOR = 1 << 0,         /* the negotiation's author */
	NEGOTIATION_WHO_ADMIN = 1 << 1,          /* the data access committee */
	NEGOTIATION_WHO_REPRESENTATIVE = 1 << 2, /* of the collection concerned */
	NEGOTIATION_WHO_AUTHOR_OR_ADMIN = NEGOTIATION_WHO_AUTHOR | NEGOTIATION_WHO_ADMIN,
};

/* One row of the negotiation's table. not_by_author: the caller must not
 * be the author even when it holds the role (an admin cannot approve or
 * decline a negotiation they authored). */
struct negotiation_transition {
	enum negotiation_state from;
	enum negotiation_event event;
	enum negotiation_state to;
	unsigned who; /* enum negotiation_who bits: any one suffices */
	bool not_by_author;
};

/* One row of a collection's table. Collection events are allowed only
 * while the negotiation is IN_PROGRESS. */
struct negotiation_resource_transition {
	enum negotiation_resource_state from;
	enum negotiation_resource_event event;
	enum negotiation_resource_state to;
	unsigned who;
};

/* §6's two tables, row for row (static). */
extern const struct negotiation_transition negotiation_transitions[];
extern const size_t negotiation_n_transitions;
extern const struct negotiation_resource_transition negotiation_resource_transitions[];
extern const size_t negotiation_n_resource_transitions;

/* The row for event from state from (borrowed, static), or NULL when the
 * event is not sent from that state at all, whoever asks. */
const struct negotiation_transition *negotiation_transition_find(enum negotiation_state from,
                                                                 enum negotiation_event event);
const struct negotiation_resource_transition *
negotiation_resource_transition_find(enum negotiation_resource_state from,
                                     enum negotiation_resource_event event);

/* true if a caller whose mask is caller may take t (NULL: false). */
bool negotiation_transition_allowed(const struct negotiation_transition *t, unsigned caller);
/* true if caller may take t while the negotiation is in nstate (NULL:
 * false; any nstate but IN_PROGRESS: false). */
bool negotiation_resource_transition_allowed(const struct negotiation_resource_transition *t,
                                             enum negotiation_state nstate, unsigned caller);

/* The events caller may send now, in table order, into out (room for every
 * event); returns how many. The resource form is empty unless nstate is
 * IN_PROGRESS. */
size_t negotiation_events_allowed(enum negotiation_state from, unsigned caller,
                                  enum negotiation_event out[NEGOTIATION_N_EVENTS]);
size_t negotiation_resource_events_allowed(
    enum negotiation_state nstate, enum negotiation_resource_state from, unsigned caller,
    enum negotiation_resource_event out[NEGOTIATION_N_RESOURCE_EVENTS]);

/* Who has to act next, from the tables: the OR of the who of every row
 * leaving the state (NEGOTIATION_WHO_NOBODY for a final state). */
unsigned negotiation_state_next(enum negotiation_state s);
unsigned negotiation_resource_state_next(enum negotiation_resource_state s);
/* true if no row leaves s. */
bool negotiation_state_final(enum negotiation_state s);
bool negotiation_resource_state_final(enum negotiation_resource_state s);
/* Who has to act next on a whole negotiation in state s whose collections
 * are in rstates (n of them; NULL when n is 0): while IN_PROGRESS that is
 * whoever must move a collection on (the OR over collections not in a
 * final state) or, once every collection is final, the author or the
 * committee, to conclude; otherwise negotiation_state_next(s). */
unsigned negotiation_who_next(enum negotiation_state s,
                              const enum negotiation_resource_state *rstates, size_t n);
/* who in words: "nobody", "the author", "the committee", "a
 * representative", "the author or the committee", ... (static). */
const char *negotiation_who_words(unsigned who);

/* ---- what the API carries ---- */

/* An organization (Negotiator's): for ecii a collection's provider. */
struct negotiation_org {
	char *id;
	char *external_id; /* "externalId" */
	char *name;
};

/* A resource: a collection of the catalogue. In a request every member
 * but id may be absent when read with NEGOTIATION_READ_INPUT; in a
 * negotiation has_state says currentState was there. */
struct negotiation_resource {
	char *id;
	char *name;                 /* NULL when absent (input only) */
	struct negotiation_org org; /* members NULL when absent (input only) */
	bool has_org;
	bool has_state;
	enum negotiation_resource_state state; /* "currentState" */
	char **events; /* extension "events": what the caller may send now, or NULL */
	size_t n_events;
};

/* How strict a reader is. */
enum negotiation_read {
	NEGOTIATION_READ_REPLY, /* what the hub answers: every member required */
	NEGOTIATION_READ_INPUT, /* what a client sends: ids required, the rest optional */
};

/* Reads one resource (doc borrowed) in mode; with need_state its
 * currentState must be there. Returns 0 or -1 with out cleared and err set
 * (the place is the caller's to prefix). */
int negotiation_resource_read(json_t *doc, enum negotiation_read mode, bool need_state,
                              struct negotiation_resource *out, char *err, size_t errlen);
void negotiation_resource_clear(struct negotiation_resource *r);

/* A request (the hand-over of a query to the Negotiator). */
struct negotiation_request {
	char *id;             /* NULL in an input */
	char *url;            /* where the query was made */
	char *human_readable; /* "humanReadable" */
	struct negotiation_resource *resources;
	size_t n_resources; /* at least 1 */
	char *redirect_url; /* "redirectUrl"; NULL in an input */
	json_t *query;      /* extension: the cohort AST as sent (a reference
	                       owned here), or NULL when absent or null */
	char *cohort_hash;  /* extension "cohortHash", or NULL */
	char *negotiation;  /* extension: the negotiation made from it, or NULL */
};

/* Reads a request (doc borrowed) in mode. Returns 0 with out filled, or -1
 * with out cleared and err set. The query is only checked to be an object;
 * core/query_json.h reads it. */
int negotiation_request_read(json_t *doc, enum negotiation_read mode,
                             struct negotiation_request *out, char *err, size_t errlen);
/* Frees what r holds and zeroes it; NULL is a no-op. */
void negotiation_request_clear(struct negotiation_request *r);

/* A person as the API names one: author, post author. */
struct negotiation_person {
	char *id;
	char *name;
};

/* A negotiation: NegotiationDTO. */
struct negotiation {
	char *id;
	char *display_id; /* "displayId" */
	struct negotiation_person author;
	json_t *payload; /* the form answers {"<section>":{"<element>":value}}: an
	                    object, a reference owned here */
	enum negotiation_state status;
	char *human_readable;
	char *creation_date; /* "creationDate", ISO 8601 UTC as sent */
	char *modified_date; /* "modifiedDate" */
	struct negotiation_resource *resources;
	size_t n_resources;
	char *request_id; /* extension "request", or NULL */
	json_t *query;    /* extension: the cohort AST, a reference, or NULL */
	char *cohort_hash;
};

/* Reads a NegotiationDTO (doc borrowed). Every resource must carry its
 * currentState. Returns 0 with out filled, or -1 with out cleared and err
 * set. */
int negotiation_read(json_t *doc, struct negotiation *out, char *err, size_t errlen);
void negotiation_clear(struct negotiation *n);

/* The body of POST /api/v3/negotiations. */
struct negotiation_create {
	char *request_id; /* "request" */
	bool draft;       /* absent: false */
	json_t *payload;  /* an object (absent: a new {}), a reference owned here */
};

/* Reads it (doc borrowed). Returns 0 or -1 with out cleared and err set. */
int negotiation_create_read(json_t *doc, struct negotiation_create *out, char *err, size_t errlen);
void negotiation_create_clear(struct negotiation_create *c);

/* The body of PUT .../lifecycle/{EVENT}: {"message"} or empty. Sets
 * *message (new, or NULL when there is none: an empty body, {} or null
 * message). doc may be NULL (no body). Returns 0 or -1 with err set. */
int negotiation_message_read(json_t *doc, char **message, char *err, size_t errlen);

/* One event the caller may send (GET .../lifecycle):
 * {"value","label","description"}. */
struct negotiation_event_info {
	char *value; /* the wire name */
	char *label;
	char *description;
};

struct negotiation_event_list {
	struct negotiation_event_info *items;
	size_t n;
};

/* Reads a JSON array of event infos (doc borrowed). Returns 0 or -1 with
 * out cleared and err set. */
int negotiation_event_list_read(json_t *doc, struct negotiation_event_list *out, char *err,
                                size_t errlen);
void negotiation_event_list_clear(struct negotiation_event_list *l);
/* The event info of e (label in words, description saying the move) as a
 * new JSON object; resource events use the _resource_ form. */
json_t *negotiation_event_info_json(enum negotiation_event e);
json_t *negotiation_resource_event_info_json(enum negotiation_resource_event e);

enum negotiation_post_type {
	NEGOTIATION_POST_PUBLIC,
	NEGOTIATION_POST_PRIVATE,
};

/* "PUBLIC" or "PRIVATE" (static), NULL out of range; the parser returns 0
 * or -1. */
const char *negotiation_post_type_name(enum negotiation_post_type t);
int negotiation_post_type_parse(const char *name, enum negotiation_post_type *out);

/* A post: {"id","text","type","author":{"id","name"},"creationDate"}. */
struct negotiation_post {
	char *id;
	char *text;
	enum negotiation_post_type type;
	struct negotiation_person author;
	char *creation_date;
};

/* Reads one post, or a JSON array of them (posts, n). Return 0 or -1 with
 * the output cleared and err set. */
int negotiation_post_read(json_t *doc, struct negotiation_post *out, char *err, size_t errlen);
int negotiation_posts_read(json_t *doc, struct negotiation_post **posts, size_t *n, char *err,
                           size_t errlen);
void negotiation_post_clear(struct negotiation_post *p);
void negotiation_posts_free(struct negotiation_post **posts, size_t n);

/* The body of POST .../posts: {"text","type"} (type absent: PUBLIC).
 * Returns 0 with *text new, or -1 with err set. */
int negotiation_post_input_read(json_t *doc, char **text, enum negotiation_post_type *type,
                                char *err, size_t errlen);

enum negotiation_entry_kind {
	NEGOTIATION_ENTRY_TRANSITION,
	NEGOTIATION_ENTRY_POST,
};

/* One timeline entry: {"id","time","actor","kind":"transition"|"post",
 * "event","from","to","resource","message","postType"}. A transition has
 * event, from and to (strings), resource a collection id or null (the
 * negotiation itself), message a string or null, postType null. A post has
 * message (its text) and postType; event, from, to and resource null. */
struct negotiation_entry {
	int64_t id; /* its place in the timeline: ascending */
	char *time; /* ISO 8601 UTC */
	char *actor;
	enum negotiation_entry_kind kind;
	char *event;                          /* transition only */
	char *from;                           /* transition only */
	char *to;                             /* transition only */
	char *resource;                       /* NULL: the negotiation */
	char *message;                        /* NULL: none */
	enum negotiation_post_type post_type; /* post only */
};

/* Reads a JSON array of timeline entries. Returns 0 or -1 with *entries
 * NULL, *n 0 and err set. */
int negotiation_timeline_read(json_t *doc, struct negotiation_entry **entries, size_t *n, char *err,
                              size_t errlen);
void negotiation_timeline_free(struct negotiation_entry **entries, size_t n);

/* A HAL page: {"size","totalElements","totalPages","number"} (number is
 * 0-based). */
struct negotiation_page {
	int64_t size;
	int64_t total_elements;
	int64_t total_pages;
	int64_t number;
};

/* Reads a HAL list {"_embedded":{"<name>":[...]},"page":{...}} (doc
 * borrowed): *items is the array, borrowed from doc, or NULL when
 * "_embedded" is absent (how Spring sends an empty list); *page is filled,
 * all zeros when "page" is absent. Returns 0 or -1 with err set. */
int negotiation_hal_read(json_t *doc, const char *name, json_t **items,
                         struct negotiation_page *page, char *err, size_t errlen);
/* Builds a HAL list: steals items (an array), page values as given.
 * Returns new. */
json_t *negotiation_hal_build(const char *name, json_t *items, const struct negotiation_page *page);
/* Reads a HAL list of negotiations. Returns 0 with *list (new array, NULL
 * when n is 0) and *n, or -1 with err naming the entry. */
int negotiation_list_read(json_t *doc, struct negotiation **list, size_t *n,
                          struct negotiation_page *page, char *err, size_t errlen);
void negotiation_list_free(struct negotiation **list, size_t n);

#endif
