/* The hub's authorization matrix (PROTOCOL.md §7: 401 = who are you, 403 =
 * you may not) over a real loopback socket: every route of every hub
 * module, asked by every kind of caller, must answer exactly the status
 * its row says, and a refusal is a JSON {"error": "..."} that never holds
 * what the caller sent as credentials. A test first checks that the table
 * has a row for each route the hub serves, so a new route cannot go
 * unlisted. The callers include a representative (of collection c-auth)
 * and a second researcher, so reading others' access requests is tested
 * too; rows that move a negotiation's state get a fresh one per caller.
 * The matrix is printed as TAP comments. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "core/access_form.h"
#include "core/vocab.h"
#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"
#include "store/hub_store_nego.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include "../unit/support.h"
#include "hub_support.h"

#define TIMEOUT_S    20 /* no request here should come near it */
#define UNKNOWN_TASK "00000000-0000-4000-8000-000000000000"
#define BASIC_SECRET "ZWNpaTpzM2NyM3Q=" /* ecii:s3cr3t */
#define PUBLISHED                                                                           \
	"[{\"id\":\"c-auth\",\"name\":\"Auth\",\"previews\":[{\"id\":\"p-auth\",\"title\":" \
	"\"T\",\"media_type\":\"image/png\"}]}]"
#define PREVIEW      "PNGDATA-auth" /* a preview's bytes; their SHA-256 below */
#define PREVIEW_ETAG "\"8645a7a3bf421ea5688bb3140121d9a5a5b5b8f2e2fff31927c00f672a9abf9d\""
#define AS_PNG       "Content-Type: image/png"
#define CLAIMED      "{\"status\":\"claimed\"}"
#define PERMFAILED   "{\"status\":\"permfailed\",\"body\":\"not today\"}"
#define PUBLISHED_B  "[{\"id\":\"c-b\",\"name\":\"B\"}]"
#define UNKNOWN_NEGO "00000000-0000-4000-8000-00000000000f"
/* A request body for collections (a JSON list of ids in quotes, joined). */
#define REQUEST_BODY(c)                                                 \
	"{\"url\":\"https://explorer.example/"                          \
	"\",\"humanReadable\":\"sex:male\",\"resources\":[{\"id\":\"" c \
	"\"}],\"query\":{\"operand\":\"OR\",\"children\":[]}}"
#define REQUEST_BODY_2                                                                         \
	"{\"url\":\"https://explorer.example/\",\"humanReadable\":\"sex:male\",\"resources\":" \
	"[{\"id\":\"c-auth\"},{\"id\":\"c-b\"}],\"query\":{\"operand\":\"OR\",\"children\":[]}}"

/* Who is asking: the columns of the matrix. */
enum caller {
	CALLER_ANON,        /* no Authorization header */
	CALLER_BEARER_NONE, /* "Bearer" and nothing after it */
	CALLER_BASIC,       /* not a bearer token at all */
	CALLER_UNKNOWN,     /* shaped like a user's token, but nobody's */
	CALLER_RESEARCHER,
	CALLER_ADMIN,
	CALLER_SITE_A,
	CALLER_SITE_B,
	CALLER_REMOVED,        /* a user removed after its token was issued and used */
	CALLER_ROTATED,        /* a user's token from before it was rotated */
	CALLER_REPRESENTATIVE, /* a researcher who represents collection c-auth */
	CALLER_OTHER,          /* another researcher: reads nobody else's data */
	N_CALLERS,
};

static const char *const caller_names[N_CALLERS] = {
	"anon",   "Bearer", "Basic",   "unknown", "research", "admin",
	"site-a", "site-b", "removed", "rotated", "rep",      "other",
};

/* The Authorization line of the callers that send no bearer token. */
static const char *const caller_auth[N_CALLERS] = {
	[CALLER_BEARER_NONE] = "Authorization: Bearer",
	[CALLER_BASIC] = "Authorization: Basic " BASIC_SECRET,
};

/* What replaces "{task}" in a row's path. */
enum task_arg {
	TASK_NONE,
	TASK_RESEARCHER, /* the researcher's search; site-a has answered */
	TASK_ADMIN,      /* the admin's search; site-a has answered */
	TASK_REMOVED,    /* the removed user's search; site-a has answered */
	TASK_UNKNOWN,    /* no search at all */
	TASK_FRESH,      /* a new search by the researcher to site-a and site-b, per call */
	TASK_FRESH_A,    /* a new search by the researcher to site-a only, per call */
};

/* What the request's body is. */
enum body_arg {
	BODY_TEXT,         /* row->body as it is (NULL: none) */
	BODY_SEARCH,       /* a new start-search body to site-a, per call */
	BODY_NEGO_DRAFT,   /* a draft negotiation of a new anonymous request, per call */
	BODY_NEGO_NOTHING, /* a submission without answers, of a new request, per call */
};

/* What replaces "{nego}" (a negotiation id) and "{req}" (a request id) in a
 * row's path. The shared ones are made once by rita (the researcher) with
 * collections c-auth (site-a, represented by rep) and c-b (site-b); the
 * fresh ones anew for every call, so a row that moves a state finds the
 * same state whoever asks. */
enum nego_arg {
	NEGO_NONE,
	NEGO_DRAFT,           /* rita's draft */
	NEGO_SUBMITTED,       /* rita's, submitted */
	NEGO_PROGRESS,        /* rita's, approved by adam */
	NEGO_UNKNOWN,         /* no negotiation at all */
	NEGO_FRESH_DRAFT,     /* rita's draft with every answer, per call */
	NEGO_FRESH_SUBMITTED, /* rita's submission, per call */
	NEGO_FRESH_ADMINS,    /* adam's own submission, per call */
	NEGO_FRESH_PROGRESS,  /* rita's, approved, per call */
	NEGO_FRESH_CONTACTED, /* rita's, approved, both collections contacted, per call */
	REQ_ANON,             /* an anonymous hand-over, in no negotiation */
	REQ_RITA,             /* rita's request, in no negotiation */
	REQ_SUBMITTED,        /* the request of NEGO_SUBMITTED */
	REQ_UNKNOWN,          /* no request at all */
};

struct row {
	const char *method;
	const char *path;
	const char *note; /* what tells the row from others on its path, or NULL */
	enum task_arg task;
	enum nego_arg nego;
	enum body_arg body_kind;
	const char *body;
	bool if_none_match; /* send If-None-Match with the listing's ETag */
	long want[N_CALLERS];
	const char *header; /* one more header line, or NULL */
};

/* Columns: anon, Bearer, Basic, unknown, researcher, admin, site-a, site-b,
 * removed, rotated, representative, other researcher. */
/* clang-format off */
#define ALL(s)                       { s, s, s, s, s, s, s, s, s, s, s, s }
#define USERS(r, a, rep, other, site) { 401, 401, 401, 401, r, a, site, site, 401, 401, rep, other }
#define SITES(sa, sb)                { 401, 401, 401, 401, 403, 403, sa, sb, 401, 401, 403, 403 }
/* anonymous allowed; a token sent must be a user's */
#define ANON(s)                      { s, s, s, 401, s, s, 403, 403, 401, 401, s, s }
/* clang-format on */
#define NEGO   "/api/v3/negotiations/{nego}"
#define NEGO_C NEGO "/resources/c-auth/lifecycle/"

static const struct row rows[] = {
	/* catalogue (§5): anonymous reads, whatever the caller sends */
	{ "GET", "/api/catalogue/collections", .want = ALL(200) },
	{ "GET", "/api/catalogue/collections", "If-None-Match", .if_none_match = true,
	  .want = ALL(304) },
	{ "GET", "/api/catalogue/collections/c-auth", .want = ALL(200) },
	{ "GET", "/api/catalogue/collections/c-nowhere", .want = ALL(404) },
	{ "GET", "/api/catalogue/criteria", .want = ALL(200) },
	{ "GET", "/api/catalogue/sites", .want = ALL(200) },
	/* publishing (§4): the site's own token, for its own name only */
	{ "PUT", "/api/catalogue/sites/site-a/collections", .body = PUBLISHED,
	  .want = SITES(200, 403) },
	{ "PUT", "/api/catalogue/sites/site-b/collections", .body = "[]", .want = SITES(403, 200) },
	{ "PUT", "/api/catalogue/sites/site-z/collections", "unregistered", .body = "[]",
	  .want = SITES(403, 403) },
	{ "PUT", "/api/catalogue/sites/site-a/collections", "bad body", .body = "{}",
	  .want = SITES(400, 403) },
	/* previews (§5; the upload is an ecii extension): anonymous reads; a site
	 * uploads only previews its own collections list, as a preview's type */
	{ "PUT", "/api/catalogue/sites/site-a/previews/p-auth", .header = AS_PNG, .body = PREVIEW,
	  .want = SITES(204, 403) },
	{ "PUT", "/api/catalogue/sites/site-b/previews/p-auth", "site-a's", .header = AS_PNG,
	  .body = PREVIEW, .want = SITES(403, 409) },
	{ "PUT", "/api/catalogue/sites/site-a/previews/p-none", "unlisted", .header = AS_PNG,
	  .body = PREVIEW, .want = SITES(404, 403) },
	{ "PUT", "/api/catalogue/sites/site-a/previews/p-auth", "as JSON", .body = PREVIEW,
	  .want = SITES(415, 403) },
	{ "PUT", "/api/catalogue/sites/site-z/previews/p-auth", "unregistered", .header = AS_PNG,
	  .body = PREVIEW, .want = SITES(403, 403) },
	{ "GET", "/api/catalogue/previews/p-auth", .want = ALL(200) },
	{ "GET", "/api/catalogue/previews/p-auth", "If-None-Match",
	  .header = "If-None-Match: " PREVIEW_ETAG, .want = ALL(304) },
	{ "GET", "/api/catalogue/previews/p-none", .want = ALL(404) },
	/* searching (§3): a user's token; the results, their starter's only */
	{ "POST", "/backend/beam", .body_kind = BODY_SEARCH,
	  .want = USERS(201, 201, 201, 201, 403) },
	{ "POST", "/backend/beam", "bad body", .body = "", .want = USERS(400, 400, 400, 400, 403) },
	{ "GET", "/backend/beam/{task}?wait_count=1", "rita's", TASK_RESEARCHER,
	  .want = USERS(200, 403, 403, 403, 403) },
	{ "GET", "/backend/beam/{task}?wait_count=1", "adam's", TASK_ADMIN,
	  .want = USERS(403, 200, 403, 403, 403) },
	{ "GET", "/backend/beam/{task}?wait_count=1", "carol's", TASK_REMOVED,
	  .want = USERS(403, 403, 403, 403, 403) },
	{ "GET", "/backend/beam/{task}?wait_count=1", "no such task", TASK_UNKNOWN,
	  .want = USERS(404, 404, 404, 404, 403) },
	{ "GET", "/backend/beam/{task}?wait_count=0", "rita's", TASK_RESEARCHER,
	  .want = USERS(400, 403, 403, 403, 403) },
	/* a site's tasks (§4): its own token, for its own name only */
	{ "GET", "/beam/v1/tasks?to=site-a&wait_count=1&wait_time=1", .want = SITES(200, 403) },
	{ "GET", "/beam/v1/tasks?to=site-b&wait_count=1&wait_time=1", .want = SITES(403, 200) },
	{ "GET", "/beam/v1/tasks?wait_count=1&wait_time=1", "no to=", .want = SITES(403, 403) },
	{ "GET", "/beam/v1/tasks?to=site-a&wait_time=soon", .want = SITES(400, 403) },
	{ "PUT", "/beam/v1/tasks/{task}/results/site-a", "asked a, b", TASK_FRESH, .body = CLAIMED,
	  .want = SITES(201, 403) },
	{ "PUT", "/beam/v1/tasks/{task}/results/site-b", "asked a, b", TASK_FRESH, .body = CLAIMED,
	  .want = SITES(403, 201) },
	{ "PUT", "/beam/v1/tasks/{task}/results/site-b", "asked a", TASK_FRESH_A, .body = CLAIMED,
	  .want = SITES(403, 403) },
	{ "PUT", "/beam/v1/tasks/{task}/results/site-a", "no such task", TASK_UNKNOWN,
	  .body = CLAIMED, .want = SITES(404, 403) },
	{ "PUT", "/beam/v1/tasks/{task}/results/site-a", "bad body", TASK_FRESH, .body = "[]",
	  .want = SITES(400, 403) },
	/* access requests (§6): a user's token; a site is not a user */
	{ "GET", "/api/v3/userinfo", .want = USERS(200, 200, 200, 200, 403) },
	/* requests: anyone may hand one over; reading it is its creator's, the
	 * committee's and its negotiation's readers' (404 to the rest) */
	{ "POST", "/api/v3/requests", .body = REQUEST_BODY("c-auth"), .want = ANON(201) },
	{ "POST", "/api/v3/requests", "no such coll", .body = REQUEST_BODY("c-nowhere"),
	  .want = ANON(400) },
	{ "POST", "/api/v3/requests", "bad body", .body = "{", .want = ANON(400) },
	{ "GET", "/api/v3/requests/{req}", "anonymous", .nego = REQ_ANON,
	  .want = USERS(200, 200, 200, 200, 403) },
	{ "GET", "/api/v3/requests/{req}", "rita's", .nego = REQ_RITA,
	  .want = USERS(200, 200, 404, 404, 403) },
	{ "GET", "/api/v3/requests/{req}", "submitted", .nego = REQ_SUBMITTED,
	  .want = USERS(200, 200, 200, 404, 403) },
	{ "GET", "/api/v3/requests/{req}", "no such req", .nego = REQ_UNKNOWN,
	  .want = USERS(404, 404, 404, 404, 403) },
	{ "GET", "/api/v3/requests/{req}/access-form", "rita's", .nego = REQ_RITA,
	  .want = USERS(200, 200, 404, 404, 403) },
	/* negotiations: seen by the author, the committee and, once submitted,
	 * the representatives of its collections; 404 to anyone else */
	{ "POST", "/api/v3/negotiations", "draft", .body_kind = BODY_NEGO_DRAFT,
	  .want = USERS(201, 201, 201, 201, 403) },
	{ "POST", "/api/v3/negotiations", "no answers", .body_kind = BODY_NEGO_NOTHING,
	  .want = USERS(400, 400, 400, 400, 403) },
	{ "POST", "/api/v3/negotiations", "bad body", .body = "[]",
	  .want = USERS(400, 400, 400, 400, 403) },
	{ "GET", "/api/v3/negotiations", .want = USERS(403, 200, 403, 403, 403) },
	{ "GET", "/api/v3/negotiations?status=NOPE", .want = USERS(403, 400, 403, 403, 403) },
	{ "GET", NEGO, "draft", .nego = NEGO_DRAFT, .want = USERS(200, 200, 404, 404, 403) },
	{ "GET", NEGO, "submitted", .nego = NEGO_SUBMITTED,
	  .want = USERS(200, 200, 200, 404, 403) },
	{ "GET", NEGO, "no such nego", .nego = NEGO_UNKNOWN,
	  .want = USERS(404, 404, 404, 404, 403) },
	{ "PATCH", NEGO, "draft", .nego = NEGO_FRESH_DRAFT, .body = "{\"payload\":{}}",
	  .want = USERS(200, 403, 404, 404, 403) },
	{ "PATCH", NEGO, "submitted", .nego = NEGO_SUBMITTED, .body = "{\"payload\":{}}",
	  .want = USERS(403, 403, 403, 404, 403) },
	{ "PUT", NEGO "/lifecycle/SUBMIT", "draft", .nego = NEGO_FRESH_DRAFT,
	  .want = USERS(200, 403, 404, 404, 403) },
	{ "PUT", NEGO "/lifecycle/APPROVE", "submitted", .nego = NEGO_FRESH_SUBMITTED,
	  .want = USERS(403, 200, 403, 404, 403) },
	{ "PUT", NEGO "/lifecycle/APPROVE", "adam's own", .nego = NEGO_FRESH_ADMINS,
	  .want = USERS(404, 403, 403, 404, 403) },
	{ "PUT", NEGO "/lifecycle/ABANDON", "in progress", .nego = NEGO_FRESH_PROGRESS,
	  .want = USERS(200, 200, 403, 404, 403) },
	{ "PUT", NEGO "/lifecycle/BOGUS", "submitted", .nego = NEGO_SUBMITTED,
	  .want = USERS(400, 400, 400, 404, 403) },
	{ "GET", NEGO "/lifecycle", "submitted", .nego = NEGO_SUBMITTED,
	  .want = USERS(200, 200, 200, 404, 403) },
	{ "GET", NEGO "/resources", "in progress", .nego = NEGO_PROGRESS,
	  .want = USERS(200, 200, 200, 404, 403) },
	{ "PUT", NEGO_C "CONTACT", "in progress", .nego = NEGO_FRESH_PROGRESS,
	  .want = USERS(403, 200, 403, 404, 403) },
	{ "PUT", NEGO_C "MARK_AS_CHECKING_AVAILABILITY", "contacted", .nego = NEGO_FRESH_CONTACTED,
	  .want = USERS(403, 403, 200, 404, 403) },
	{ "PUT", NEGO "/resources/c-b/lifecycle/MARK_AS_CHECKING_AVAILABILITY", "not rep's",
	  .nego = NEGO_FRESH_CONTACTED, .want = USERS(403, 403, 403, 404, 403) },
	{ "PUT", NEGO_C "CONTACT", "submitted", .nego = NEGO_SUBMITTED,
	  .want = USERS(403, 403, 403, 404, 403) },
	{ "PUT", NEGO "/resources/c-nowhere/lifecycle/CONTACT", "in progress",
	  .nego = NEGO_PROGRESS, .want = USERS(404, 404, 404, 404, 403) },
	{ "GET", NEGO "/posts", "submitted", .nego = NEGO_SUBMITTED,
	  .want = USERS(200, 200, 200, 404, 403) },
	{ "POST", NEGO "/posts", "submitted", .nego = NEGO_SUBMITTED,
	  .body = "{\"text\":\"hello\",\"type\":\"PRIVATE\"}",
	  .want = USERS(201, 201, 201, 404, 403) },
	{ "POST", NEGO "/posts", "bad body", .nego = NEGO_SUBMITTED, .body = "{\"text\":\"\"}",
	  .want = USERS(400, 400, 400, 404, 403) },
	{ "GET", NEGO "/timeline", "submitted", .nego = NEGO_SUBMITTED,
	  .want = USERS(200, 200, 200, 404, 403) },
	{ "GET", NEGO "/author-queries", "submitted", .nego = NEGO_SUBMITTED,
	  .want = USERS(403, 200, 200, 404, 403) },
	{ "GET", "/api/v3/users/rita/negotiations", .want = USERS(200, 200, 403, 403, 403) },
	{ "GET", "/api/v3/users/rep/negotiations?role=REPRESENTATIVE",
	  .want = USERS(403, 200, 200, 403, 403) },
	{ "GET", "/api/v3/users/rita/negotiations?role=KING",
	  .want = USERS(400, 400, 403, 403, 403) },
	{ "DELETE", "/api/v3/negotiations/x", .want = ALL(405) },
	/* no route: the same for everyone, and no hint of who may */
	{ "DELETE", "/api/v3/userinfo", .want = ALL(405) },
	{ "GET", "/api/v3/nowhere", .want = ALL(404) },
};
#define N_ROWS (sizeof rows / sizeof rows[0])

static char *tmpdir, *store_path;
static struct hub_store *store;
static struct vocab *vocab;
static struct hub *hub;
static char *tokens[N_CALLERS]; /* the bearer token each caller sends, or NULL */
static char *etag;              /* the listing's, once site-a has published */
static char *task_researcher, *task_admin, *task_removed;
static struct access_form *form;
static char *shared[REQ_UNKNOWN + 1]; /* the shared negotiations' and requests' ids */

/* Sends method path as caller with body (NULL: none) and header (NULL:
 * none); fills *r, zeroed first. */
static void request_as(enum caller who, const char *method, const char *path, const char *header,
                       const char *body, struct hub_test_reply *r)
{
	const char *lines[3] = { NULL, NULL, NULL };
	size_t n = 0;

	if (caller_auth[who] != NULL)
		lines[n++] = caller_auth[who];
	if (header != NULL)
		lines[n++] = header;
	memset(r, 0, sizeof *r);
	hub_test_send_headers(hub_port(hub), method, path, tokens[who], lines, body, TIMEOUT_S, r);
}

/* A start-search body for a new task to sites (a JSON array text); *id is
 * its task id (new). Returns new. */
static char *search_body(const char *sites, char **id)
{
	char *inner, *inner64, *outer, *outer64, *body;

	*id = xmalloc(UUID_TEXT_LEN + 1);
	assert_int_equal(uuid_v4(*id), 0);
	inner = xasprintf("{\"ast\":{\"operand\":\"OR\",\"children\":[]},\"id\":\"%s\"}", *id);
	inner64 = base64_encode(inner, strlen(inner));
	outer = xasprintf("{\"lang\":\"ast\",\"query\":\"%s\"}", inner64);
	outer64 = base64_encode(outer, strlen(outer));
	body = xasprintf("{\"id\":\"%s\",\"sites\":%s,\"query\":\"%s\"}", *id, sites, outer64);
	free(inner);
	free(inner64);
	free(outer);
	free(outer64);
	return body;
}

/* Asserts method path as who answers status; fails with the body if not. */
static void expect_as(enum caller who, const char *method, const char *path, const char *body,
                      long status)
{
	struct hub_test_reply r;

	request_as(who, method, path, NULL, body, &r);
	if (r.status != status)
		fail_msg("%s %s as %s: status %ld, want %ld: %s", method, path, caller_names[who],
		         r.status, status, buf_str(&r.body));
	hub_test_reply_clear(&r);
}

/* Starts a search to sites as who; returns its id, new. */
static char *start_search(enum caller who, const char *sites)
{
	char *id, *body = search_body(sites, &id);

	expect_as(who, "POST", "/backend/beam", body, 201);
	free(body);
	return id;
}

/* Starts a search as who that site-a answers at once, so a stream of it
 * with wait_count=1 ends without waiting. Returns its id, new. */
static char *answered_search(enum caller who)
{
	char *id = start_search(who, "[\"site-a\"]"), path[256];

	snprintf(path, sizeof path, "/beam/v1/tasks/%s/results/site-a", id);
	expect_as(CALLER_SITE_A, "PUT", path, PERMFAILED, 201);
	return id;
}

/* Sends body as who to path, expects status, and returns the reply's "id"
 * (new; NULL when it has none). */
static char *create_as(enum caller who, const char *method, const char *path, const char *body,
                       long status)
{
	struct hub_test_reply r;
	char *id = NULL;
	json_t *doc;

	request_as(who, method, path, NULL, body, &r);
	if (r.status != status)
		fail_msg("%s %s as %s: status %ld, want %ld: %s", method, path, caller_names[who],
		         r.status, status, buf_str(&r.body));
	doc = json_loads(buf_str(&r.body), 0, NULL);
	if (json_is_string(json_object_get(doc, "id")))
		id = xstrdup(json_string_value(json_object_get(doc, "id")));
	json_decref(doc);
	hub_test_reply_clear(&r);
	return id;
}

/* A new request by who (CALLER_ANON: anonymous) for c-auth and c-b: its id,
 * new. Site-b publishes c-b again first, since a row of the matrix takes it
 * away. */
static char *new_request(enum caller who)
{
	expect_as(CALLER_SITE_B, "PUT", "/api/catalogue/sites/site-b/collections", PUBLISHED_B,
	          200);
	return create_as(who, "POST", "/api/v3/requests", REQUEST_BODY_2, 201);
}

/* A new negotiation by who of a new request: a draft or a submission with
 * every answer. Returns its id, new. */
static char *new_negotiation(enum caller who, bool draft)
{
	char *req = new_request(who), *body, *id;

	body = xasprintf("{\"request\":\"%s\",\"draft\":%s,\"payload\":%s}", req,
	                 draft ? "true" : "false", hub_test_valid_payload);
	id = create_as(who, "POST", "/api/v3/negotiations", body, 201);
	free(body);
	free(req);
	return id;
}

/* who sends event to negotiation id (or to its collection coll), which
 * must answer 200. */
static void send_event(enum caller who, const char *id, const char *coll, const char *event)
{
	char *path = coll == NULL ? xasprintf("/api/v3/negotiations/%s/lifecycle/%s", id, event)
	                          : xasprintf("/api/v3/negotiations/%s/resources/%s/lifecycle/%s",
	                                      id, coll, event);

	expect_as(who, "PUT", path, NULL, 200);
	free(path);
}

/* The id a row's "{nego}" or "{req}" stands for in this call: new, or
 * NULL when the row has none. */
static char *row_nego(const struct row *row)
{
	char *id;

	switch (row->nego) {
	case NEGO_NONE:
		return NULL;
	case NEGO_UNKNOWN:
		return xstrdup(UNKNOWN_NEGO);
	case REQ_UNKNOWN:
		return xstrdup(UNKNOWN_TASK);
	case NEGO_FRESH_DRAFT:
		return new_negotiation(CALLER_RESEARCHER, true);
	case NEGO_FRESH_SUBMITTED:
		return new_negotiation(CALLER_RESEARCHER, false);
	case NEGO_FRESH_ADMINS:
		return new_negotiation(CALLER_ADMIN, false);
	case NEGO_FRESH_PROGRESS:
	case NEGO_FRESH_CONTACTED:
		id = new_negotiation(CALLER_RESEARCHER, false);
		send_event(CALLER_ADMIN, id, NULL, "APPROVE");
		if (row->nego == NEGO_FRESH_CONTACTED) {
			send_event(CALLER_ADMIN, id, "c-auth", "CONTACT");
			send_event(CALLER_ADMIN, id, "c-b", "CONTACT");
		}
		return id;
	default:
		return xstrdup(shared[row->nego]);
	}
}

/* A negotiation body of a new anonymous request (draft, or a submission
 * without answers): new. */
static char *nego_body(bool draft)
{
	char *req = new_request(CALLER_ANON), *body;

	body = xasprintf("{\"request\":\"%s\",\"draft\":%s,\"payload\":{}}", req,
	                 draft ? "true" : "false");
	free(req);
	return body;
}

static int group_setup(void **state)
{
	char err[512] = "", *fresh;
	struct hub_store *admin;
	struct hub_test_reply r;

	tmpdir = test_tmpdir("hub-auth");
	store_path = test_temp_path(tmpdir, "hub.db");
	store = hub_store_open(store_path, HUB_STORE_CREATE, err, sizeof err);
	if (store == NULL)
		fail_msg("open: %s", err);
	tokens[CALLER_UNKNOWN] =
	    xstrdup(HUB_TOKEN_USER_PREFIX
	            "0000000000000000000000000000000000000000000000000000000000000000");
	tokens[CALLER_RESEARCHER] = hub_test_add_user(store, "rita", HUB_ROLE_RESEARCHER);
	tokens[CALLER_ADMIN] = hub_test_add_user(store, "adam", HUB_ROLE_ADMIN);
	tokens[CALLER_SITE_A] = hub_test_add_site(store, "site-a", "ES");
	tokens[CALLER_SITE_B] = hub_test_add_site(store, "site-b", NULL);
	tokens[CALLER_REMOVED] = hub_test_add_user(store, "carol", HUB_ROLE_ADMIN);
	tokens[CALLER_ROTATED] = hub_test_add_user(store, "rob", HUB_ROLE_RESEARCHER);
	tokens[CALLER_REPRESENTATIVE] = hub_test_add_user(store, "rep", HUB_ROLE_RESEARCHER);
	tokens[CALLER_OTHER] = hub_test_add_user(store, "olga", HUB_ROLE_RESEARCHER);
	if (hub_store_represent(store, "rep", "c-auth", err, sizeof err) != 0)
		fail_msg("represent: %s", err);
	vocab = test_vocab_load();
	form = hub_test_form_load();
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	hub = hub_new(store, vocab);
	hub->form = form;
	hub_test_start(hub);

	expect_as(CALLER_SITE_A, "PUT", "/api/catalogue/sites/site-a/collections", PUBLISHED, 200);
	request_as(CALLER_SITE_A, "PUT", "/api/catalogue/sites/site-a/previews/p-auth", AS_PNG,
	           PREVIEW, &r);
	assert_int_equal(r.status, 204);
	hub_test_reply_clear(&r);
	task_researcher = answered_search(CALLER_RESEARCHER);
	task_admin = answered_search(CALLER_ADMIN);
	task_removed = answered_search(CALLER_REMOVED);
	expect_as(CALLER_ROTATED, "GET", "/api/v3/userinfo", NULL, 200);
	shared[NEGO_DRAFT] = new_negotiation(CALLER_RESEARCHER, true);
	shared[NEGO_SUBMITTED] = new_negotiation(CALLER_RESEARCHER, false);
	shared[NEGO_PROGRESS] = new_negotiation(CALLER_RESEARCHER, false);
	send_event(CALLER_ADMIN, shared[NEGO_PROGRESS], NULL, "APPROVE");
	shared[REQ_ANON] = new_request(CALLER_ANON);
	shared[REQ_RITA] = new_request(CALLER_RESEARCHER);
	{
		char path[128];
		json_t *doc;

		snprintf(path, sizeof path, "/api/v3/negotiations/%s", shared[NEGO_SUBMITTED]);
		request_as(CALLER_RESEARCHER, "GET", path, NULL, NULL, &r);
		assert_int_equal(r.status, 200);
		doc = json_loads(buf_str(&r.body), 0, NULL);
		shared[REQ_SUBMITTED] = xstrdup(json_string_value(json_object_get(doc, "request")));
		json_decref(doc);
		hub_test_reply_clear(&r);
	}

	/* as `ecii-hub user remove` and `user rotate` would, from another
	 * connection while the hub serves */
	admin = hub_store_open(store_path, HUB_STORE_WRITE, err, sizeof err);
	if (admin == NULL)
		fail_msg("open again: %s", err);
	if (hub_store_user_remove(admin, "carol", err, sizeof err) != 0)
		fail_msg("remove carol: %s", err);
	fresh = hub_store_user_rotate(admin, "rob", err, sizeof err);
	if (fresh == NULL)
		fail_msg("rotate rob: %s", err);
	free(fresh);
	hub_store_close(&admin);
	/* last: the fixtures above publish c-b */
	request_as(CALLER_ANON, "GET", "/api/catalogue/collections", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(r.etag);
	etag = xstrdup(r.etag);
	hub_test_reply_clear(&r);
	return 0;
}

static int group_teardown(void **state)
{
	hub_free(&hub);
	curl_global_cleanup();
	vocab_free(&vocab);
	access_form_free(&form);
	hub_store_close(&store);
	for (size_t i = 0; i < N_CALLERS; i++)
		free(tokens[i]);
	for (size_t i = 0; i <= REQ_UNKNOWN; i++)
		free(shared[i]);
	free(etag);
	free(task_researcher);
	free(task_admin);
	free(task_removed);
	test_rmtree(tmpdir);
	free(tmpdir);
	free(store_path);
	return 0;
}

/* true if path (its query string ignored) fits pattern, each "{name}"
 * standing for one non-empty segment. */
static bool path_fits(const char *pattern, const char *path)
{
	size_t plen = strcspn(path, "?");

	while (*pattern != '\0' && plen > 0) {
		size_t pn = strcspn(pattern, "/"), qn = strcspn(path, "/?");

		if (qn > plen)
			qn = plen;
		if (pattern[0] == '{') {
			if (qn == 0)
				return false;
		} else if (pn != qn || strncmp(pattern, path, pn) != 0) {
			return false;
		}
		pattern += pn;
		path += qn;
		plen -= qn;
		if ((*pattern == '/') != (plen > 0 && *path == '/'))
			return false;
		if (*pattern == '/') {
			pattern++;
			path++;
			plen--;
		}
	}
	return *pattern == '\0' && plen == 0;
}

static void test_path_fits(void **state)
{
	assert_true(path_fits("/a/b", "/a/b"));
	assert_true(path_fits("/a/{x}", "/a/{task}?q=1"));
	assert_true(path_fits("/a/{x}/c/{y}", "/a/1/c/2"));
	assert_false(path_fits("/a/{x}", "/a/"));
	assert_false(path_fits("/a/{x}", "/a"));
	assert_false(path_fits("/a/b", "/a/b/c"));
	assert_false(path_fits("/a/b/c", "/a/b"));
	assert_false(path_fits("/a/bc", "/a/b"));
}

/* Every route the hub serves has a row of the matrix. */
static void test_every_route_listed(void **state)
{
	for (size_t i = 0; i < hub->n_routes; i++) {
		const struct server_route *route = &hub->routes[i];
		bool listed = false;

		for (size_t j = 0; j < N_ROWS && !listed; j++)
			listed = strcmp(rows[j].method, route->method) == 0 &&
			         path_fits(route->pattern, rows[j].path);
		if (!listed)
			fail_msg("%s %s has no row in the authorization matrix", route->method,
			         route->pattern);
	}
	/* and the Negotiator's table is among them */
	assert_true(hub_negotiator_n_routes > 0);
}

/* The id a row's "{task}" stands for in this call: new. */
static char *row_task(const struct row *row)
{
	switch (row->task) {
	case TASK_RESEARCHER:
		return xstrdup(task_researcher);
	case TASK_ADMIN:
		return xstrdup(task_admin);
	case TASK_REMOVED:
		return xstrdup(task_removed);
	case TASK_UNKNOWN:
		return xstrdup(UNKNOWN_TASK);
	case TASK_FRESH:
		return start_search(CALLER_RESEARCHER, "[\"site-a\",\"site-b\"]");
	case TASK_FRESH_A:
		return start_search(CALLER_RESEARCHER, "[\"site-a\"]");
	case TASK_NONE:
		break;
	}
	return NULL;
}

/* row's path with "{task}" replaced by task and "{nego}" or "{req}" by
 * nego (NULL: none): new. */
static char *row_path(const struct row *row, const char *task, const char *nego)
{
	static const char *const marks[] = { "{task}", "{nego}", "{req}" };
	char *path = xstrdup(row->path), *next;

	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		const char *value = i == 0 ? task : nego, *at = strstr(path, marks[i]);

		if (at == NULL || value == NULL)
			continue;
		next = xasprintf("%.*s%s%s", (int)(at - path), path, value, at + strlen(marks[i]));
		free(path);
		path = next;
	}
	return path;
}

/* What is wrong with a reply to who at path, or NULL: new. The access-
 * request API answers 201 with what it made, and a form's refusal lists
 * the fields beside its error. */
static char *reply_problem(const struct hub_test_reply *r, const char *path, enum caller who,
                           long want)
{
	const char *body = buf_str(&r->body);
	bool v3 = strncmp(path, "/api/v3/", 8) == 0;
	const char *msg;
	json_t *doc;
	bool bad;

	if (r->status != want)
		return xasprintf("status %ld, want %ld: %s", r->status, want, body);
	if (tokens[who] != NULL && strstr(body, tokens[who]) != NULL)
		return xstrdup("the reply holds the caller's token");
	if (strstr(body, BASIC_SECRET) != NULL)
		return xstrdup("the reply holds the Basic credentials");
	if (want == 201 && v3) {
		doc = json_loads(body, 0, NULL);
		bad = !json_is_object(doc) || !json_is_string(json_object_get(doc, "id"));
		json_decref(doc);
		return bad ? xasprintf("201 without what was made: %s", body) : NULL;
	}
	if (want == 201 || want == 204 || want == 304)
		return r->body.len == 0 ? NULL : xasprintf("a body with %ld: %s", want, body);
	if (want < 400)
		return NULL;
	if (r->content_type == NULL || strcmp(r->content_type, "application/json") != 0)
		return xasprintf("error sent as %s", r->content_type ? r->content_type : "nothing");
	doc = json_loads(body, 0, NULL);
	msg = json_string_value(json_object_get(doc, "error"));
	bad =
	    msg == NULL || msg[0] == '\0' ||
	    json_object_size(doc) !=
	        (size_t)(1 + (v3 && want == 400 && json_is_array(json_object_get(doc, "fields"))));
	json_decref(doc);
	return bad ? xasprintf("not a JSON {\"error\": \"...\"}: %s", body) : NULL;
}

static void test_matrix(void **state)
{
	struct buf line = { 0 }, problems = { 0 };
	size_t n_problems = 0;
	long got[N_ROWS][N_CALLERS];

	for (size_t i = 0; i < N_ROWS; i++) {
		const struct row *row = &rows[i];

		for (size_t c = 0; c < N_CALLERS; c++) {
			char *task = row_task(row), *nego = row_nego(row);
			char *path = row_path(row, task, nego), *id = NULL;
			char *body = NULL, header[256], *problem;
			struct hub_test_reply r;

			if (row->body_kind == BODY_SEARCH)
				body = search_body("[\"site-a\"]", &id);
			else if (row->body_kind == BODY_NEGO_DRAFT ||
			         row->body_kind == BODY_NEGO_NOTHING)
				body = nego_body(row->body_kind == BODY_NEGO_DRAFT);
			snprintf(header, sizeof header, "If-None-Match: %s", etag);
			request_as((enum caller)c, row->method, path,
			           row->header != NULL  ? row->header
			           : row->if_none_match ? header
			                                : NULL,
			           body != NULL ? body : row->body, &r);
			got[i][c] = r.status;
			problem = reply_problem(&r, path, (enum caller)c, row->want[c]);
			if (problem != NULL) {
				buf_printf(&problems, "# %s %s as %s: %s\n", row->method, path,
				           caller_names[c], problem);
				n_problems++;
			}
			free(problem);
			hub_test_reply_clear(&r);
			free(body);
			free(id);
			free(path);
			free(task);
			free(nego);
		}
	}

	/* the matrix as TAP comments: a cell is the status got, with "!want"
	 * after it where that differs */
	buf_printf(&line, "# %-83s", "route");
	for (size_t c = 0; c < N_CALLERS; c++)
		buf_printf(&line, " %8s", caller_names[c]);
	printf("%s\n", buf_str(&line));
	for (size_t i = 0; i < N_ROWS; i++) {
		char cell[32];

		line.len = 0;
		buf_printf(&line, "# %-6s %-62.62s %-13s", rows[i].method, rows[i].path,
		           rows[i].note != NULL ? rows[i].note : "");
		for (size_t c = 0; c < N_CALLERS; c++) {
			if (got[i][c] == rows[i].want[c])
				snprintf(cell, sizeof cell, "%ld", got[i][c]);
			else
				snprintf(cell, sizeof cell, "%ld!%ld", got[i][c], rows[i].want[c]);
			buf_printf(&line, " %8s", cell);
		}
		printf("%s\n", buf_str(&line));
	}
	fflush(stdout);
	buf_free(&line);
	/* each wrong cell in full, as comments too, since a failure message is
	 * cut short */
	printf("%s", buf_str(&problems));
	fflush(stdout);
	buf_free(&problems);
	if (n_problems > 0)
		fail_msg("%zu cells of the matrix are wrong", n_problems);
}

/* Asserts that who's userinfo is exactly id and name, and roles. */
static void expect_userinfo(enum caller who, const char *name, const char *roles)
{
	struct hub_test_reply r;
	json_t *doc, *want;

	request_as(who, "GET", "/api/v3/userinfo", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(r.content_type);
	assert_string_equal(r.content_type, "application/json");
	doc = json_loads(buf_str(&r.body), 0, NULL);
	assert_non_null(doc);
	want = json_pack("{s:s, s:s, s:o}", "id", name, "name", name, "roles",
	                 json_loads(roles, 0, NULL));
	if (strstr(roles, "REPRESENTATIVE") != NULL)
		json_object_set_new(want, "represents", json_pack("[s]", "c-auth"));
	if (!json_equal(doc, want))
		fail_msg("userinfo as %s: %s", caller_names[who], buf_str(&r.body));
	json_decref(want);
	json_decref(doc);
	hub_test_reply_clear(&r);
}

static void test_userinfo(void **state)
{
	expect_userinfo(CALLER_RESEARCHER, "rita", "[\"RESEARCHER\"]");
	expect_userinfo(CALLER_ADMIN, "adam", "[\"RESEARCHER\",\"ADMIN\"]");
	expect_userinfo(CALLER_REPRESENTATIVE, "rep", "[\"RESEARCHER\",\"REPRESENTATIVE\"]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_fits),
		cmocka_unit_test(test_every_route_listed),
		cmocka_unit_test(test_userinfo),
		cmocka_unit_test(test_matrix),
	};

	return cmocka_run_group_tests_name("hub_auth", tests, group_setup, group_teardown);
}
