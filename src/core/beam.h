/* The federated search envelope of PROTOCOL.md §3 and §4 (Spot/Beam): the
 * start-search request body with its query base64-encoded twice, the outer
 * query a site receives as a task body, and the result events sites send
 * back. Pure: text in, text out; no HTTP here. Readers take outside data,
 * so every member's presence and type is checked and every error is one
 * line naming the place ("query.query: bad base64 at byte 12"). */
#ifndef ECII_CORE_BEAM_H
#define ECII_CORE_BEAM_H

#include <stddef.h>

#include "core/query.h"

/* Bodies, outer queries and events longer than this are refused. */
#define BEAM_MAX_BODY (1024 * 1024)

enum beam_status {
	BEAM_CLAIMED,
	BEAM_SUCCEEDED,
	BEAM_TEMPFAILED,
	BEAM_PERMFAILED,
};

/* "claimed", "succeeded", "tempfailed" or "permfailed" (static). */
const char *beam_status_name(enum beam_status s);
/* Sets *s for a wire name and returns 0; -1 for any other (NULL too). */
int beam_status_from_name(const char *name, enum beam_status *s);

/* Returns the outer query, B64({"lang":"ast","query":B64(inner)}) with
 * inner = {"ast":<query_to_json(q)>,"id":id}, as new text. q and id
 * borrowed, neither NULL; exits through fatal() if id is not UTF-8. */
char *beam_query_build(const struct query *q, const char *id);
/* Reads len bytes of outer query text (as a site gets it in a task body).
 * Returns the query, new, or NULL with a one-line reason in err ("query:
 * unknown lang \"cql\"", "query.query.ast: children[0]: ..."). */
struct query *beam_query_read(const char *text, size_t len, char *err, size_t errlen);

/* Returns the start-search body {"id","sites","query"} as new compact JSON
 * text; the inner id is task_id too. sites (n_sites strings) may be NULL:
 * "sites" is then left out, meaning all sites. All arguments borrowed;
 * exits through fatal() if task_id or a site name is not UTF-8. */
char *beam_search_build(const char *task_id, char *const *sites, size_t n_sites,
                        const struct query *q);

/* A start-search request as read. Everything owned. */
struct beam_search {
	char *task_id; /* a UUID */
	char **sites;  /* NULL when the body has none: all sites */
	size_t n_sites;
	struct query *query;
};

/* Reads len bytes of a start-search body. Returns 0 with out filled, or -1
 * with out cleared and a one-line reason in err: "No sites specified" for
 * an empty "sites", else as "not JSON: 1:1: ...", "missing \"id\"",
 * "query: bad base64 at byte 4". Unknown members are ignored. */
int beam_search_read(const char *body, size_t len, struct beam_search *out, char *err,
                     size_t errlen);
/* Frees what s holds and zeroes it; NULL is a no-op. */
void beam_search_clear(struct beam_search *s);

/* Returns a result event as new compact JSON text: {"from":"focus.<site>.
 * <broker>","to":["spot"],"task","status","metadata":null,"body"}. body:
 * for BEAM_SUCCEEDED the payload text (base64-encoded here), for a failure
 * the error string, for BEAM_CLAIMED ignored and left out; NULL leaves it
 * out. broker NULL means "broker.example". Returns NULL if site is empty or
 * holds a '.'. All arguments borrowed; exits through fatal() if a string
 * is not UTF-8. */
char *beam_result_build(const char *site, const char *broker, const char *task_id,
                        enum beam_status status, const char *body);

/* A result event as read. Strings owned. */
struct beam_result {
	char *site; /* the second dot-separated part of "from" */
	char *task_id;
	enum beam_status status;
	/* succeeded: the decoded payload text (body_len bytes, NUL after);
	 * tempfailed/permfailed: the error string, or NULL if none was sent;
	 * claimed: NULL. */
	char *body;
	size_t body_len;
};

/* Reads len bytes of a result event (the data of one SSE event). Returns 0
 * with out filled, or -1 with out cleared and a one-line reason in err
 * ("unknown status \"done\"", "body: bad base64 at byte 7"). */
int beam_result_read(const char *event, size_t len, struct beam_result *out, char *err,
                     size_t errlen);
/* Frees what r holds and zeroes it; NULL is a no-op. */
void beam_result_clear(struct beam_result *r);

#endif
