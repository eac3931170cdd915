/* The moving parts of a negotiation (PROTOCOL.md §6): its lifecycle and
 * each collection's, posts, the timeline and, as a hub extension, the
 * author's recent queries for the committee. Who may send which event
 * comes only from core/negotiation.h's tables; a refusal names the state
 * and the events allowed. Every change is one store transaction (state,
 * timeline row, the post a message becomes). Who sees what is negotiator.h's
 * rule. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/negotiation.h"
#include "hub/hub.h"
#include "hub/negotiator.h"
#include "net/server.h"
#include "store/hub_store.h"
#include "store/hub_store_nego.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define AUTHOR_QUERIES_DEFAULT 20
#define AUTHOR_QUERIES_MAX     100

/* Appends "A, B" (the wire names of the events caller may send now) or
 * "none" to b. */
static void put_allowed(struct buf *b, enum negotiation_state from, unsigned caller)
{
	enum negotiation_event ev[NEGOTIATION_N_EVENTS];
	size_t n = negotiation_events_allowed(from, caller, ev);

	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i > 0 ? ", " : "", negotiation_event_name(ev[i]));
	if (n == 0)
		buf_printf(b, "none");
}

static void put_resource_allowed(struct buf *b, enum negotiation_resource_state from,
                                 unsigned caller)
{
	enum negotiation_resource_event ev[NEGOTIATION_N_RESOURCE_EVENTS];
	size_t n = negotiation_resource_events_allowed(NEGOTIATION_IN_PROGRESS, from, caller, ev);

	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i > 0 ? ", " : "", negotiation_resource_event_name(ev[i]));
	if (n == 0)
		buf_printf(b, "none");
}

/* Appends what the table allows from a state, to anyone: "APPROVE (the
 * committee), DECLINE (the committee)", or "nothing: it is final". */
static void put_table(struct buf *b, enum negotiation_state from)
{
	size_t n = 0;

	for (size_t i = 0; i < negotiation_n_transitions; i++) {
		const struct negotiation_transition *t = &negotiation_transitions[i];

		if (t->from == from)
			buf_printf(b, "%s%s (%s)", n++ > 0 ? ", " : "",
			           negotiation_event_name(t->event), negotiation_who_words(t->who));
	}
	if (n == 0)
		buf_printf(b, "nothing: it is final");
}

static void put_resource_table(struct buf *b, enum negotiation_resource_state from)
{
	size_t n = 0;

	for (size_t i = 0; i < negotiation_n_resource_transitions; i++) {
		const struct negotiation_resource_transition *t =
		    &negotiation_resource_transitions[i];

		if (t->from == from)
			buf_printf(b, "%s%s (%s)", n++ > 0 ? ", " : "",
			           negotiation_resource_event_name(t->event),
			           negotiation_who_words(t->who));
	}
	if (n == 0)
		buf_printf(b, "nothing: it is final");
}

/* The optional {"message"} body: 0 with *message new or NULL, -1 with resp
 * filled. */
static int read_message(const struct server_request *req, char **message,
                        struct server_response *resp)
{
	char err[256] = "";
	json_t *body;

	*message = NULL;
	if (req->body_len == 0)
		return 0;
	body = negotiator_body(req, true, resp);
	if (body == NULL)
		return -1;
	if (negotiation_message_read(body, message, err, sizeof err) != 0) {
		server_response_error(resp, 400, "%s", err);
		json_decref(body);
		return -1;
	}
	json_decref(body);
	return 0;
}

/* PUT /api/v3/negotiations/{id}/lifecycle/{event} [{"message"}] -> 200
 * with the negotiation. */
void negotiator_put_lifecycle(void *ctx, const struct server_request *req,
                              struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct negotiator_loaded n = { 0 };
	const struct negotiation_transition *t;
	enum negotiation_event event;
	struct hub_transition ht;
	struct buf msg = { 0 };
	char err[512] = "", *message = NULL;
	unsigned mask;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (negotiator_load(hub, &c, req->param, &n, resp) != 0)
		goto out;
	if (negotiation_event_parse(req->param2, &event) != 0) {
		server_response_error(
		    resp, 400,
		    "unknown event %s; a negotiation's events are SUBMIT, APPROVE, "
		    "DECLINE, PAUSE, UNPAUSE, CONCLUDE, ABANDON",
		    req->param2);
		goto out;
	}
	if (negotiator_mask(hub, &c, &n, NULL, &mask, err, sizeof err) != 0) {
		server_response_error(resp, 500, "%s", err);
		goto out;
	}
	t = negotiation_transition_find(n.status, event);
	if (!negotiation_transition_allowed(t, mask)) {
		if (t != NULL && t->not_by_author && (t->who & mask) != 0)
			buf_printf(&msg,
			           "you authored negotiation %s: another member of the "
			           "committee must %s it; ",
			           req->param, negotiation_event_name(event));
		buf_printf(&msg, "%s is not allowed: negotiation %s is %s; allowed for you: ",
		           negotiation_event_name(event), req->param,
		           negotiation_state_name(n.status));
		put_allowed(&msg, n.status, mask);
		buf_printf(&msg, "; from %s: ", negotiation_state_name(n.status));
		put_table(&msg, n.status);
		server_response_error(resp, 403, "%s", buf_str(&msg));
		goto out;
	}
	if (read_message(req, &message, resp) != 0)
		goto out;
	if (event == NEGOTIATION_SUBMIT) {
		struct access_form_errors errs = { 0 };

		if (hub->form == NULL) {
			server_response_error(resp, 503, "this hub has no access form");
			goto out;
		}
		if (access_form_validate(hub->form, json_object_get(n.row, "payload"),
		                         ACCESS_FORM_CHECK_SUBMIT, &errs) > 0) {
			negotiator_form_errors(resp, "cannot submit", &errs);
			access_form_errors_clear(&errs);
			goto out;
		}
	}
	ht = (struct hub_transition){
		.negotiation = req->param,
		.event = negotiation_event_name(event),
		.from = negotiation_state_name(n.status),
		.to = negotiation_state_name(t->to),
		.actor = c.name,
		.message = message,
		.when = (int64_t)time(NULL),
	};
	switch (hub_store_transition(hub->store, &ht, err, sizeof err)) {
	case 0:
		negotiator_loaded_clear(&n);
		if (negotiator_load(hub, &c, req->param, &n, resp) == 0)
			server_response_json(resp, 200, negotiator_dto(&n));
		break;
	case 1:
		server_response_error(resp, 409, "negotiation %s changed meanwhile; read it again",
		                      req->param);
		break;
	default:
		server_response_error(resp, 500, "cannot record %s: %s", ht.event, err);
		break;
	}
out:
	free(message);
	buf_free(&msg);
	negotiator_loaded_clear(&n);
	negotiator_caller_clear(&c);
}

/* GET /api/v3/negotiations/{id}/lifecycle: the events the caller may send
 * now, [{"value","label","description"}]. */
void negotiator_get_lifecycle(void *ctx, const struct server_request *req,
                              struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct negotiator_loaded n;
	enum negotiation_event ev[NEGOTIATION_N_EVENTS];
	char err[512] = "";
	unsigned mask;
	json_t *list;
	size_t k;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (negotiator_load(hub, &c, req->param, &n, resp) != 0)
		goto out;
	if (negotiator_mask(hub, &c, &n, NULL, &mask, err, sizeof err) != 0) {
		server_response_error(resp, 500, "%s", err);
	} else {
		list = json_array();
		k = negotiation_events_allowed(n.status, mask, ev);
		for (size_t i = 0; i < k; i++)
			json_array_append_new(list, negotiation_event_info_json(ev[i]));
		server_response_json(resp, 200, list);
	}
	negotiator_loaded_clear(&n);
out:
	negotiator_caller_clear(&c);
}

/* The resource DTO of stored (an entry of n's row) with the events c may
 * send for it now: new, or NULL with err set. */
static json_t *resource_for(struct hub *hub, const struct negotiator_caller *c,
                            const struct negotiator_loaded *n, json_t *stored, char *err,
                            size_t errlen)
{
	enum negotiation_resource_event ev[NEGOTIATION_N_RESOURCE_EVENTS];
	enum negotiation_resource_state rs;
	const char *id = json_string_value(json_object_get(stored, "id"));
	json_t *names = json_array(), *out;
	unsigned mask;
	size_t k = 0;

	if (negotiator_mask(hub, c, n, id, &mask, err, errlen) != 0) {
		json_decref(names);
		return NULL;
	}
	if (negotiation_resource_state_parse(json_string_value(json_object_get(stored, "state")),
	                                     &rs) == 0)
		k = negotiation_resource_events_allowed(n->status, rs, mask, ev);
	for (size_t i = 0; i < k; i++)
		json_array_append_new(names, json_string(negotiation_resource_event_name(ev[i])));
	out = negotiator_resource_dto(n, stored, names);
	json_decref(names);
	return out;
}

/* GET /api/v3/negotiations/{id}/resources: {"_embedded":{"resources":
 * [{"id","name","organization","currentState","events"}]}}, events being
 * what the caller may send for that collection now (an extension). */
void negotiator_get_resources(void *ctx, const struct server_request *req,
                              struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct negotiator_loaded n;
	json_t *items, *stored, *one;
	char err[512] = "";
	size_t i;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (negotiator_load(hub, &c, req->param, &n, resp) != 0)
		goto out;
	items = json_array();
	json_array_foreach (json_object_get(n.row, "resources"), i, stored) {
		one = resource_for(hub, &c, &n, stored, err, sizeof err);
		if (one == NULL) {
			server_response_error(resp, 500, "%s", err);
			json_decref(items);
			goto done;
		}
		json_array_append_new(items, one);
	}
	server_response_json(resp, 200, negotiation_hal_build("resources", items, NULL));
done:
	negotiator_loaded_clear(&n);
out:
	negotiator_caller_clear(&c);
}

/* The stored entry of collection in n's row (borrowed), or NULL. */
static json_t *stored_resource(const struct negotiator_loaded *n, const char *collection)
{
	json_t *stored;
	size_t i;

	json_array_foreach (json_object_get(n->row, "resources"), i, stored) {
		if (strcmp(json_string_value(json_object_get(stored, "id")), collection) == 0)
			return stored;
	}
	return NULL;
}

/* PUT /api/v3/negotiations/{id}/resources/{rid}/lifecycle/{event}
 * [{"message"}] -> 200 with the collection. */
void negotiator_put_resource_lifecycle(void *ctx, const struct server_request *req,
                                       struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct negotiator_loaded n = { 0 };
	const struct negotiation_resource_transition *t;
	enum negotiation_resource_event event;
	enum negotiation_resource_state rs;
	struct hub_transition ht;
	struct buf msg = { 0 };
	char err[512] = "", *message = NULL;
	const char *rid = req->param2;
	json_t *stored, *one;
	unsigned mask;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (negotiator_load(hub, &c, req->param, &n, resp) != 0)
		goto out;
	stored = stored_resource(&n, rid);
	if (stored == NULL) {
		server_response_error(resp, 404, "negotiation %s has no collection %s", req->param,
		                      rid);
		goto out;
	}
	if (negotiation_resource_event_parse(req->param3, &event) != 0) {
		server_response_error(
		    resp, 400,
		    "unknown event %s; a collection's events are CONTACT, "
		    "MARK_AS_UNREACHABLE, MARK_AS_CHECKING_AVAILABILITY, STEP_AWAY, "
		    "MARK_AS_AVAILABLE, MARK_AS_UNAVAILABLE, "
		    "INDICATE_ACCESS_CONDITIONS, ACCEPT_ACCESS_CONDITIONS, "
		    "DECLINE_ACCESS_CONDITIONS, GRANT_ACCESS_TO_RESOURCE",
		    req->param3);
		goto out;
	}
	if (negotiation_resource_state_parse(json_string_value(json_object_get(stored, "state")),
	                                     &rs) != 0) {
		server_response_error(resp, 500, "collection %s: stored state unknown", rid);
		goto out;
	}
	if (n.status != NEGOTIATION_IN_PROGRESS) {
		server_response_error(resp, 403,
		                      "%s is not allowed: collection %s is %s, but its events wait "
		                      "until negotiation %s is IN_PROGRESS (it is %s); allowed "
		                      "events: none",
		                      negotiation_resource_event_name(event), rid,
		                      negotiation_resource_state_name(rs), req->param,
		                      negotiation_state_name(n.status));
		goto out;
	}
	if (negotiator_mask(hub, &c, &n, rid, &mask, err, sizeof err) != 0) {
		server_response_error(resp, 500, "%s", err);
		goto out;
	}
	t = negotiation_resource_transition_find(rs, event);
	if (!negotiation_resource_transition_allowed(t, n.status, mask)) {
		buf_printf(&msg, "%s is not allowed: collection %s is %s; allowed for you: ",
		           negotiation_resource_event_name(event), rid,
		           negotiation_resource_state_name(rs));
		put_resource_allowed(&msg, rs, mask);
		buf_printf(&msg, "; from %s: ", negotiation_resource_state_name(rs));
		put_resource_table(&msg, rs);
		server_response_error(resp, 403, "%s", buf_str(&msg));
		goto out;
	}
	if (read_message(req, &message, resp) != 0)
		goto out;
	ht = (struct hub_transition){
		.negotiation = req->param,
		.resource = rid,
		.event = negotiation_resource_event_name(event),
		.from = negotiation_resource_state_name(rs),
		.to = negotiation_resource_state_name(t->to),
		.actor = c.name,
		.message = message,
		.when = (int64_t)time(NULL),
	};
	switch (hub_store_transition(hub->store, &ht, err, sizeof err)) {
	case 0:
		negotiator_loaded_clear(&n);
		if (negotiator_load(hub, &c, req->param, &n, resp) != 0)
			break;
		one = resource_for(hub, &c, &n, stored_resource(&n, rid), err, sizeof err);
		if (one == NULL)
			server_response_error(resp, 500, "%s", err);
		else
			server_response_json(resp, 200, one);
		break;
	case 1:
		server_response_error(resp, 409,
		                      "collection %s of negotiation %s changed meanwhile; read it "
		                      "again",
		                      rid, req->param);
		break;
	default:
		server_response_error(resp, 500, "cannot record %s: %s", ht.event, err);
		break;
	}
out:
	free(message);
	buf_free(&msg);
	negotiator_loaded_clear(&n);
	negotiator_caller_clear(&c);
}

/* true if c may see a timeline row of kind post written by actor with
 * type: PUBLIC posts, and PRIVATE ones to the author, the admins and their
 * writer. */
static bool post_visible(const struct negotiator_caller *c, const struct negotiator_loaded *n,
                         json_t *row)
{
	const char *type = json_string_value(json_object_get(row, "post_type"));
	const char *actor = json_string_value(json_object_get(row, "actor"));

	if (type == NULL || strcmp(type, "PRIVATE") != 0)
		return true;
	return c->role == HUB_ROLE_ADMIN || strcmp(n->author, c->name) == 0 ||
	       (actor != NULL && strcmp(actor, c->name) == 0);
}

/* A timeline row of kind post as a post: new. */
static json_t *post_dto(json_t *row)
{
	char when[32], id[32];
	const char *actor = json_string_value(json_object_get(row, "actor"));

	negotiator_time(json_integer_value(json_object_get(row, "at")), when);
	snprintf(id, sizeof id, "%" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(row, "id")));
	return json_pack("{s:s, s:O, s:O, s:{s:s, s:s}, s:s}", "id", id, "text",
	                 json_object_get(row, "message"), "type", json_object_get(row, "post_type"),
	                 "author", "id", actor, "name", actor, "creationDate", when);
}

/* A timeline row as a timeline entry: new. */
static json_t *entry_dto(json_t *row)
{
	char when[32];

	negotiator_time(json_integer_value(json_object_get(row, "at")), when);
	return json_pack(
	    "{s:O, s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(row, "id"),
	    "time", when, "actor", json_object_get(row, "actor"), "kind",
	    json_object_get(row, "kind"), "event", json_object_get(row, "event"), "from",
	    json_object_get(row, "from"), "to", json_object_get(row, "to"), "resource",
	    json_object_get(row, "resource"), "message", json_object_get(row, "message"),
	    "postType", json_object_get(row, "post_type"));
}

/* Answers n's timeline as c sees it: every row (posts_only: only posts, as
 * posts). */
static void answer_timeline(struct hub *hub, const struct negotiator_caller *c,
                            const struct negotiator_loaded *n, const char *id, bool posts_only,
                            struct server_response *resp)
{
	json_t *rows, *row, *out;
	char err[512] = "";
	size_t i;

	rows = hub_store_timeline(hub->store, id, err, sizeof err);
	if (rows == NULL) {
		server_response_error(resp, 500, "cannot read the timeline: %s", err);
		return;
	}
	out = json_array();
	json_array_foreach (rows, i, row) {
		bool is_post = strcmp(json_string_value(json_object_get(row, "kind")), "post") == 0;

		if (is_post && !post_visible(c, n, row))
			continue;
		if (posts_only && is_post)
			json_array_append_new(out, post_dto(row));
		else if (!posts_only)
			json_array_append_new(out, entry_dto(row));
	}
	json_decref(rows);
	server_response_json(resp, 200, out);
}

/* GET /api/v3/negotiations/{id}/posts: the posts the caller may see. */
void negotiator_get_posts(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct negotiator_loaded n;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (negotiator_load(hub, &c, req->param, &n, resp) == 0) {
		answer_timeline(hub, &c, &n, req->param, true, resp);
		negotiator_loaded_clear(&n);
	}
	negotiator_caller_clear(&c);
}

/* POST /api/v3/negotiations/{id}/posts {"text","type"} -> 201 with the
 * post. Whoever sees the negotiation may write. */
void negotiator_post_post(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct negotiator_loaded n = { 0 };
	enum negotiation_post_type type;
	char err[512] = "", *text = NULL;
	json_t *body = NULL, *row;
	int64_t id, when = (int64_t)time(NULL);

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (negotiator_load(hub, &c, req->param, &n, resp) != 0)
		goto out;
	body = negotiator_body(req, false, resp);
	if (body == NULL)
		goto out;
	if (negotiation_post_input_read(body, &text, &type, err, sizeof err) != 0) {
		server_response_error(resp, 400, "%s", err);
		goto out;
	}
	if (hub_store_post_add(hub->store, req->param, c.name, when, text,
	                       negotiation_post_type_name(type), &id, err, sizeof err) != 0) {
		server_response_error(resp, 500, "cannot store the post: %s", err);
		goto out;
	}
	row = json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "at", (json_int_t)when,
	                "actor", c.name, "message", text, "post_type",
	                negotiation_post_type_name(type));
	server_response_json(resp, 201, post_dto(row));
	json_decref(row);
out:
	free(text);
	json_decref(body);
	negotiator_loaded_clear(&n);
	negotiator_caller_clear(&c);
}

/* GET /api/v3/negotiations/{id}/timeline: every transition and the posts
 * the caller may see, in order. */
void negotiator_get_timeline(void *ctx, const struct server_request *req,
                             struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct negotiator_loaded n;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (negotiator_load(hub, &c, req->param, &n, resp) == 0) {
		answer_timeline(hub, &c, &n, req->param, false, resp);
		negotiator_loaded_clear(&n);
	}
	negotiator_caller_clear(&c);
}

/* GET /api/v3/negotiations/{id}/author-queries?limit=N (a hub extension):
 * {"author","cohortHash","queries":[{"user","time","cohortHash","sites",
 * "matchesRequest"}]}, the author's most recent searches through this hub,
 * newest first, for the committee and the negotiation's representatives. */
void negotiator_get_author_queries(void *ctx, const struct server_request *req,
                                   struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct negotiator_loaded n = { 0 };
	const char *limit_text = server_request_arg(req, "limit"), *hash;
	long limit = AUTHOR_QUERIES_DEFAULT;
	json_t *rows = NULL, *row, *queries;
	char err[512] = "", *end, when[32];
	int rep = 0;
	size_t i;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (negotiator_load(hub, &c, req->param, &n, resp) != 0)
		goto out;
	if (c.role != HUB_ROLE_ADMIN) {
		rep = hub_store_represents_negotiation(hub->store, c.name, req->param, err,
		                                       sizeof err);
		if (rep < 0) {
			server_response_error(resp, 500, "cannot read representatives: %s", err);
			goto out;
		}
		if (rep == 0) {
			server_response_error(resp, 403,
			                      "only the committee and the representatives of its "
			                      "collections may see the author's queries");
			goto out;
		}
	}
	if (limit_text != NULL) {
		limit = limit_text[0] >= '0' && limit_text[0] <= '9' ? strtol(limit_text, &end, 10)
		                                                     : -1;
		if (limit < 1 || *end != '\0' || limit > AUTHOR_QUERIES_MAX) {
			server_response_error(resp, 400,
			                      "limit must be a whole number from 1 to %d",
			                      AUTHOR_QUERIES_MAX);
			goto out;
		}
	}
	rows = hub_store_audit_list_by_user(hub->store, n.author, (int)limit, err, sizeof err);
	if (rows == NULL) {
		server_response_error(resp, 500, "cannot read the audit: %s", err);
		goto out;
	}
	hash = json_string_value(json_object_get(n.request, "cohortHash"));
	queries = json_array();
	json_array_foreach (rows, i, row) {
		const char *h = json_string_value(json_object_get(row, "cohort_hash"));

		negotiator_time(json_integer_value(json_object_get(row, "when")), when);
		json_array_append_new(
		    queries,
		    json_pack("{s:O, s:s, s:O, s:O, s:b}", "user", json_object_get(row, "user"),
		              "time", when, "cohortHash", json_object_get(row, "cohort_hash"),
		              "sites", json_object_get(row, "sites"), "matchesRequest",
		              hash != NULL && h != NULL && strcmp(hash, h) == 0));
	}
	server_response_json(resp, 200,
	                     json_pack("{s:s, s:o, s:o}", "author", n.author, "cohortHash",
	                               hash != NULL ? json_string(hash) : json_null(), "queries",
	                               queries));
out:
	json_decref(rows);
	negotiator_loaded_clear(&n);
	negotiator_caller_clear(&c);
}
