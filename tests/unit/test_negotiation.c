/* core/negotiation: the lifecycle tables of PROTOCOL.md §6 (names, who may
 * send what, who acts next) and the readers of what the Negotiator API
 * carries. Degenerate input first (NULL, wrong types, missing members,
 * oversized lists), then the documents the hub sends. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/negotiation.h"

#define RESOURCE                                                                \
	"{\"id\":\"c-1\",\"name\":\"One\",\"organization\":{\"id\":\"site-a\"," \
	"\"externalId\":\"site-a\",\"name\":\"Site A\"}}"

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (doc == NULL)
		fail_msg("test JSON: %s: %s", jerr.text, text);
	return doc;
}

/* ---- names ---- */

static void test_names_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < NEGOTIATION_N_STATES; i++) {
		enum negotiation_state s;

		assert_int_equal(negotiation_state_parse(negotiation_state_name(i), &s), 0);
		assert_int_equal(s, i);
		assert_string_not_equal(negotiation_state_words(i), "?");
	}
	for (int i = 0; i < NEGOTIATION_N_EVENTS; i++) {
		enum negotiation_event e;

		assert_int_equal(negotiation_event_parse(negotiation_event_name(i), &e), 0);
		assert_int_equal(e, i);
	}
	for (int i = 0; i < NEGOTIATION_N_RESOURCE_STATES; i++) {
		enum negotiation_resource_state s;

		assert_int_equal(
		    negotiation_resource_state_parse(negotiation_resource_state_name(i), &s), 0);
		assert_int_equal(s, i);
		assert_string_not_equal(negotiation_resource_state_words(i), "?");
	}
	for (int i = 0; i < NEGOTIATION_N_RESOURCE_EVENTS; i++) {
		enum negotiation_resource_event e;

		assert_int_equal(
		    negotiation_resource_event_parse(negotiation_resource_event_name(i), &e), 0);
		assert_int_equal(e, i);
	}
}

static void test_names_degenerate(void **state)
{
	enum negotiation_state s = NEGOTIATION_DRAFT;
	enum negotiation_event e;
	enum negotiation_resource_event re;

	(void)state;
	assert_int_equal(negotiation_state_parse(NULL, &s), -1);
	assert_int_equal(negotiation_state_parse("", &s), -1);
	assert_int_equal(negotiation_state_parse("draft", &s), -1); /* exact case */
	assert_int_equal(negotiation_state_parse("DRAFTX", &s), -1);
	assert_int_equal(s, NEGOTIATION_DRAFT);
	assert_int_equal(negotiation_event_parse("CONTACT", &e), -1); /* a resource event */
	assert_int_equal(negotiation_resource_event_parse("APPROVE", &re), -1);
	assert_null(negotiation_state_name(NEGOTIATION_N_STATES));
	assert_null(negotiation_state_name((enum negotiation_state) - 1));
	assert_null(negotiation_event_name(NEGOTIATION_N_EVENTS));
	assert_null(negotiation_resource_state_name(NEGOTIATION_N_RESOURCE_STATES));
	assert_null(negotiation_resource_event_name(NEGOTIATION_N_RESOURCE_EVENTS));
	assert_string_equal(negotiation_state_words(NEGOTIATION_N_STATES), "?");
	assert_string_equal(negotiation_state_name(NEGOTIATION_IN_PROGRESS), "IN_PROGRESS");
	assert_string_equal(negotiation_resource_state_name(NEGOTIATION_RESOURCE_AVAILABLE),
	                    "RESOURCE_AVAILABLE");
	assert_string_equal(
	    negotiation_resource_event_name(NEGOTIATION_RESOURCE_GRANT_ACCESS_TO_RESOURCE),
	    "GRANT_ACCESS_TO_RESOURCE");
}

/* ---- the tables ---- */

static void test_tables_are_section_6(void **state)
{
	const struct negotiation_transition *t;
	const struct negotiation_resource_transition *rt;

	(void)state;
	assert_int_equal(negotiation_n_transitions, 8);
	assert_int_equal(negotiation_n_resource_transitions, 11);
	t = negotiation_transition_find(NEGOTIATION_DRAFT, NEGOTIATION_SUBMIT);
	assert_non_null(t);
	assert_int_equal(t->to, NEGOTIATION_SUBMITTED);
	assert_int_equal(t->who, NEGOTIATION_WHO_AUTHOR);
	t = negotiation_transition_find(NEGOTIATION_SUBMITTED, NEGOTIATION_DECLINE);
	assert_int_equal(t->to, NEGOTIATION_DECLINED);
	assert_int_equal(t->who, NEGOTIATION_WHO_ADMIN);
	assert_true(t->not_by_author);
	t = negotiation_transition_find(NEGOTIATION_PAUSED, NEGOTIATION_UNPAUSE);
	assert_int_equal(t->to, NEGOTIATION_IN_PROGRESS);
	assert_int_equal(t->who, NEGOTIATION_WHO_AUTHOR_OR_ADMIN);
	assert_null(negotiation_transition_find(NEGOTIATION_PAUSED, NEGOTIATION_PAUSE));
	assert_null(negotiation_transition_find(NEGOTIATION_DRAFT, NEGOTIATION_APPROVE));
	assert_null(negotiation_transition_find(NEGOTIATION_CONCLUDED, NEGOTIATION_ABANDON));
	rt = negotiation_resource_transition_find(NEGOTIATION_RESOURCE_REPRESENTATIVE_UNREACHABLE,
	                                          NEGOTIATION_RESOURCE_CONTACT);
	assert_non_null(rt);
	assert_int_equal(rt->to, NEGOTIATION_RESOURCE_REPRESENTATIVE_CONTACTED);
	assert_int_equal(rt->who, NEGOTIATION_WHO_ADMIN);
	rt = negotiation_resource_transition_find(NEGOTIATION_RESOURCE_REPRESENTATIVE_CONTACTED,
	                                          NEGOTIATION_RESOURCE_STEP_AWAY);
	assert_int_equal(rt->to, NEGOTIATION_RESOURCE_UNAVAILABLE);
	assert_int_equal(rt->who, NEGOTIATION_WHO_REPRESENTATIVE);
	rt = negotiation_resource_transition_find(NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_INDICATED,
	                                          NEGOTIATION_RESOURCE_DECLINE_ACCESS_CONDITIONS);
	assert_int_equal(rt->to, NEGOTIATION_RESOURCE_NOT_MADE_AVAILABLE);
	assert_int_equal(rt->who, NEGOTIATION_WHO_AUTHOR);
	assert_null(negotiation_resource_transition_find(NEGOTIATION_RESOURCE_SUBMITTED,
	                                                 NEGOTIATION_RESOURCE_MARK_AS_AVAILABLE));
	/* every row's states and events have names, and no (from, event) twice */
	for (size_t i = 0; i < negotiation_n_transitions; i++) {
		assert_non_null(negotiation_state_name(negotiation_transitions[i].to));
		assert_ptr_equal(negotiation_transition_find(negotiation_transitions[i].from,
		                                             negotiation_transitions[i].event),
		                 &negotiation_transitions[i]);
	}
	for (size_t i = 0; i < negotiation_n_resource_transitions; i++)
		assert_ptr_equal(
		    negotiation_resource_transition_find(negotiation_resource_transitions[i].from,
		                                         negotiation_resource_transitions[i].event),
		    &negotiation_resource_transitions[i]);
}

static void test_allowed(void **state)
{
	enum negotiation_event ev[NEGOTIATION_N_EVENTS];
	enum negotiation_resource_event rev[NEGOTIATION_N_RESOURCE_EVENTS];
	const struct negotiation_transition *approve =
	    negotiation_transition_find(NEGOTIATION_SUBMITTED, NEGOTIATION_APPROVE);
	const struct negotiation_resource_transition *grant =
	    negotiation_resource_transition_find(NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_MET,
	                                         NEGOTIATION_RESOURCE_GRANT_ACCESS_TO_RESOURCE);

	(void)state;
	assert_false(negotiation_transition_allowed(NULL, NEGOTIATION_WHO_ADMIN));
	assert_false(negotiation_transition_allowed(approve, NEGOTIATION_WHO_NOBODY));
	assert_true(negotiation_transition_allowed(approve, NEGOTIATION_WHO_ADMIN));
	assert_false(negotiation_transition_allowed(approve, NEGOTIATION_WHO_AUTHOR));
	/* an admin cannot approve what they authored */
	assert_false(negotiation_transition_allowed(approve, NEGOTIATION_WHO_AUTHOR_OR_ADMIN));
	assert_false(negotiation_resource_transition_allowed(NULL, NEGOTIATION_IN_PROGRESS,
	                                                     NEGOTIATION_WHO_REPRESENTATIVE));
	assert_true(negotiation_resource_transition_allowed(grant, NEGOTIATION_IN_PROGRESS,
	                                                    NEGOTIATION_WHO_REPRESENTATIVE));
	assert_false(negotiation_resource_transition_allowed(grant, NEGOTIATION_PAUSED,
	                                                     NEGOTIATION_WHO_REPRESENTATIVE));
	assert_false(negotiation_resource_transition_allowed(grant, NEGOTIATION_IN_PROGRESS,
	                                                     NEGOTIATION_WHO_ADMIN));

	assert_int_equal(negotiation_events_allowed(NEGOTIATION_DRAFT, NEGOTIATION_WHO_NOBODY, ev),
	                 0);
	assert_int_equal(negotiation_events_allowed(NEGOTIATION_DRAFT, NEGOTIATION_WHO_AUTHOR, ev),
	                 1);
	assert_int_equal(ev[0], NEGOTIATION_SUBMIT);
	assert_int_equal(
	    negotiation_events_allowed(NEGOTIATION_SUBMITTED, NEGOTIATION_WHO_ADMIN, ev), 2);
	assert_int_equal(ev[0], NEGOTIATION_APPROVE);
	assert_int_equal(ev[1], NEGOTIATION_DECLINE);
	assert_int_equal(
	    negotiation_events_allowed(NEGOTIATION_SUBMITTED, NEGOTIATION_WHO_AUTHOR_OR_ADMIN, ev),
	    0);
	assert_int_equal(
	    negotiation_events_allowed(NEGOTIATION_IN_PROGRESS, NEGOTIATION_WHO_AUTHOR, ev), 3);
	assert_int_equal(
	    negotiation_events_allowed(NEGOTIATION_PAUSED, NEGOTIATION_WHO_REPRESENTATIVE, ev), 0);
	assert_int_equal(negotiation_events_allowed(
	                     NEGOTIATION_DECLINED,
	                     NEGOTIATION_WHO_AUTHOR_OR_ADMIN | NEGOTIATION_WHO_REPRESENTATIVE, ev),
	                 0);
	assert_int_equal(negotiation_resource_events_allowed(NEGOTIATION_IN_PROGRESS,
	                                                     NEGOTIATION_RESOURCE_SUBMITTED,
	                                                     NEGOTIATION_WHO_ADMIN, rev),
	                 2);
	assert_int_equal(rev[0], NEGOTIATION_RESOURCE_CONTACT);
	assert_int_equal(rev[1], NEGOTIATION_RESOURCE_MARK_AS_UNREACHABLE);
	assert_int_equal(negotiation_resource_events_allowed(NEGOTIATION_SUBMITTED,
	                                                     NEGOTIATION_RESOURCE_SUBMITTED,
	                                                     NEGOTIATION_WHO_ADMIN, rev),
	                 0);
	assert_int_equal(
	    negotiation_resource_events_allowed(NEGOTIATION_IN_PROGRESS,
	                                        NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_INDICATED,
	                                        NEGOTIATION_WHO_REPRESENTATIVE, rev),
	    0);
}

static void test_who_next(void **state)
{
	enum negotiation_resource_state rs[2] = {
		NEGOTIATION_RESOURCE_SUBMITTED, NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_INDICATED
	};
	enum negotiation_resource_state done[2] = { NEGOTIATION_RESOURCE_MADE_AVAILABLE,
		                                    NEGOTIATION_RESOURCE_UNAVAILABLE };

	(void)state;
	assert_int_equal(negotiation_state_next(NEGOTIATION_DRAFT), NEGOTIATION_WHO_AUTHOR);
	assert_int_equal(negotiation_state_next(NEGOTIATION_SUBMITTED), NEGOTIATION_WHO_ADMIN);
	assert_int_equal(negotiation_state_next(NEGOTIATION_PAUSED),
	                 NEGOTIATION_WHO_AUTHOR_OR_ADMIN);
	assert_int_equal(negotiation_state_next(NEGOTIATION_CONCLUDED), NEGOTIATION_WHO_NOBODY);
	assert_true(negotiation_state_final(NEGOTIATION_DECLINED));
	assert_true(negotiation_state_final(NEGOTIATION_ABANDONED));
	assert_false(negotiation_state_final(NEGOTIATION_IN_PROGRESS));
	assert_int_equal(negotiation_resource_state_next(NEGOTIATION_RESOURCE_SUBMITTED),
	                 NEGOTIATION_WHO_ADMIN);
	assert_int_equal(
	    negotiation_resource_state_next(NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_MET),
	    NEGOTIATION_WHO_REPRESENTATIVE);
	assert_true(negotiation_resource_state_final(NEGOTIATION_RESOURCE_MADE_AVAILABLE));
	assert_true(negotiation_resource_state_final(NEGOTIATION_RESOURCE_NOT_MADE_AVAILABLE));
	assert_true(negotiation_resource_state_final(NEGOTIATION_RESOURCE_UNAVAILABLE));
	assert_false(
	    negotiation_resource_state_final(NEGOTIATION_RESOURCE_REPRESENTATIVE_UNREACHABLE));

	assert_int_equal(negotiation_who_next(NEGOTIATION_SUBMITTED, NULL, 0),
	                 NEGOTIATION_WHO_ADMIN);
	assert_int_equal(negotiation_who_next(NEGOTIATION_IN_PROGRESS, rs, 2),
	                 NEGOTIATION_WHO_ADMIN | NEGOTIATION_WHO_AUTHOR);
	assert_int_equal(negotiation_who_next(NEGOTIATION_IN_PROGRESS, rs, 1),
	                 NEGOTIATION_WHO_ADMIN);
	assert_int_equal(negotiation_who_next(NEGOTIATION_IN_PROGRESS, done, 2),
	                 NEGOTIATION_WHO_AUTHOR_OR_ADMIN);
	assert_int_equal(negotiation_who_next(NEGOTIATION_IN_PROGRESS, NULL, 0),
	                 NEGOTIATION_WHO_AUTHOR_OR_ADMIN);
	assert_string_equal(negotiation_who_words(NEGOTIATION_WHO_NOBODY), "nobody");
	assert_string_equal(negotiation_who_words(NEGOTIATION_WHO_ADMIN), "the committee");
	assert_string_equal(negotiation_who_words(NEGOTIATION_WHO_AUTHOR_OR_ADMIN),
	                    "the author or the committee");
	assert_string_equal(negotiation_who_words(NEGOTIATION_WHO_REPRESENTATIVE),
	                    "a representative");
}

/* ---- readers ---- */

/* Reads text as a request in mode and expects failure with err holding
 * want. */
static void expect_request_error(const char *text, enum negotiation_read mode, const char *want)
{
	struct negotiation_request r;
	char err[256] = "";
	json_t *doc = parse(text);

	memset(&r, 0xa5, sizeof r);
	if (negotiation_request_read(doc, mode, &r, err, sizeof err) == 0)
		fail_msg("accepted %s", text);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	assert_null(r.id);
	assert_null(r.resources);
	assert_null(r.query);
	json_decref(doc);
}

static void test_request_degenerate(void **state)
{
	struct negotiation_request r;
	char err[256] = "";
	char *many;
	size_t len;

	(void)state;
	assert_int_equal(
	    negotiation_request_read(NULL, NEGOTIATION_READ_INPUT, &r, err, sizeof err), -1);
	assert_string_equal(err, "request: missing");
	expect_request_error("[]", NEGOTIATION_READ_INPUT, "request: not an object");
	expect_request_error("{}", NEGOTIATION_READ_INPUT, "url: missing");
	expect_request_error("{\"url\":1}", NEGOTIATION_READ_INPUT, "url: not a string");
	expect_request_error("{\"url\":\"u\"}", NEGOTIATION_READ_INPUT, "humanReadable: missing");
	expect_request_error("{\"url\":\"u\",\"humanReadable\":\"h\"}", NEGOTIATION_READ_INPUT,
	                     "resources: missing");
	expect_request_error("{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":{}}",
	                     NEGOTIATION_READ_INPUT, "resources: not an array");
	expect_request_error("{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":[]}",
	                     NEGOTIATION_READ_INPUT, "resources: empty");
	expect_request_error("{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":[{}]}",
	                     NEGOTIATION_READ_INPUT, "resources[0].id: missing");
	expect_request_error(
	    "{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":[{\"id\":\"\"}]}",
	    NEGOTIATION_READ_INPUT, "resources[0].id: empty");
	expect_request_error("{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":[" RESOURCE
	                     ",{\"id\":\"c-2\",\"organization\":{\"name\":3}}]}",
	                     NEGOTIATION_READ_INPUT,
	                     "resources[1].organization.name: not a string");
	expect_request_error("{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":[" RESOURCE
	                     "," RESOURCE "]}",
	                     NEGOTIATION_READ_INPUT, "resources[1]: collection c-1 named twice");
	expect_request_error("{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":[" RESOURCE
	                     "],\"query\":[]}",
	                     NEGOTIATION_READ_INPUT, "query: not an object");
	/* a reply needs every member */
	expect_request_error("{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":[" RESOURCE "]}",
	                     NEGOTIATION_READ_REPLY, "id: missing");
	expect_request_error("{\"id\":\"r\",\"url\":\"u\",\"humanReadable\":\"h\",\"redirectUrl\":"
	                     "\"x\",\"resources\":[{\"id\":\"c-1\",\"name\":\"n\"}]}",
	                     NEGOTIATION_READ_REPLY, "resources[0].organization: missing");
	/* too many collections */
	len = 64 + (NEGOTIATION_MAX_RESOURCES + 1) * 16;
	many = malloc(len);
	strcpy(many, "{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":[");
	for (int i = 0; i <= NEGOTIATION_MAX_RESOURCES; i++)
		sprintf(many + strlen(many), "%s{\"id\":\"c%d\"}", i > 0 ? "," : "", i);
	strcat(many, "]}");
	expect_request_error(many, NEGOTIATION_READ_INPUT, "resources: more than");
	free(many);
}

static void test_request_input_and_reply(void **state)
{
	struct negotiation_request r;
	char err[256] = "";
	json_t *doc =
	    parse("{\"url\":\"https://x\",\"humanReadable\":\"sex:male\",\"id\":\"ignored\","
	          "\"resources\":[{\"id\":\"c-1\"}," RESOURCE "],"
	          "\"query\":{\"operand\":\"OR\",\"children\":[]},\"extra\":1}");

	(void)state;
	/* ids in the second entry collide: use another */
	json_object_set_new(json_array_get(json_object_get(doc, "resources"), 1), "id",
	                    json_string("c-2"));
	assert_int_equal(negotiation_request_read(doc, NEGOTIATION_READ_INPUT, &r, err, sizeof err),
	                 0);
	assert_null(r.id); /* the hub makes it */
	assert_string_equal(r.url, "https://x");
	assert_int_equal(r.n_resources, 2);
	assert_string_equal(r.resources[0].id, "c-1");
	assert_null(r.resources[0].name);
	assert_false(r.resources[0].has_org);
	assert_true(r.resources[1].has_org);
	assert_string_equal(r.resources[1].org.external_id, "site-a");
	assert_non_null(r.query);
	assert_string_equal(json_string_value(json_object_get(r.query, "operand")), "OR");
	negotiation_request_clear(&r);
	negotiation_request_clear(&r); /* twice is fine */
	negotiation_request_clear(NULL);
	json_decref(doc);

	doc = parse("{\"id\":\"r-1\",\"url\":\"u\",\"humanReadable\":\"h\",\"redirectUrl\":\"x\","
	            "\"resources\":[" RESOURCE "],\"query\":null,\"cohortHash\":\"abc\","
	            "\"negotiation\":\"n-1\"}");
	assert_int_equal(negotiation_request_read(doc, NEGOTIATION_READ_REPLY, &r, err, sizeof err),
	                 0);
	assert_string_equal(r.id, "r-1");
	assert_string_equal(r.redirect_url, "x");
	assert_null(r.query);
	assert_string_equal(r.cohort_hash, "abc");
	assert_string_equal(r.negotiation, "n-1");
	negotiation_request_clear(&r);
	json_decref(doc);
}

#define NEGOTIATION_DOC                                                                        \
	"{\"id\":\"n-1\",\"displayId\":\"1\",\"author\":{\"id\":\"rita\",\"name\":\"rita\"},"  \
	"\"payload\":{},\"status\":\"IN_PROGRESS\",\"humanReadable\":\"h\","                   \
	"\"creationDate\":\"2026-01-02T03:04:05Z\",\"modifiedDate\":\"2026-01-02T03:04:06Z\"," \
	"\"resources\":[{\"id\":\"c-1\",\"name\":\"One\",\"organization\":{\"id\":\"a\","      \
	"\"externalId\":\"a\",\"name\":\"A\"},\"currentState\":\"SUBMITTED\","                 \
	"\"events\":[\"CONTACT\"]}],\"request\":\"r-1\"}"

/* NEGOTIATION_DOC with member set to value (JSON text; NULL: removed) must
 * fail naming want. */
static void expect_negotiation_error(const char *member, const char *value, const char *want)
{
	struct negotiation n;
	char err[256] = "";
	json_t *doc = parse(NEGOTIATION_DOC);

	if (value == NULL)
		json_object_del(doc, member);
	else
		json_object_set_new(doc, member, parse(value));
	if (negotiation_read(doc, &n, err, sizeof err) == 0)
		fail_msg("accepted %s = %s", member, value ? value : "(absent)");
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	assert_null(n.id);
	assert_null(n.payload);
	json_decref(doc);
}

static void test_negotiation_degenerate(void **state)
{
	struct negotiation n;
	char err[256];

	(void)state;
	assert_int_equal(negotiation_read(NULL, &n, err, sizeof err), -1);
	expect_negotiation_error("id", NULL, "id: missing");
	expect_negotiation_error("id", "7", "id: not a string");
	expect_negotiation_error("author", "\"rita\"", "author: not an object");
	expect_negotiation_error("author", "{\"id\":\"rita\"}", "author.name: missing");
	expect_negotiation_error("payload", "[]", "payload: not an object");
	expect_negotiation_error("status", "\"DONE\"", "status: unknown state");
	expect_negotiation_error("status", "null", "status: not a string");
	expect_negotiation_error("creationDate", "\"yesterday\"", "creationDate: not a date");
	expect_negotiation_error("creationDate", "\"2026-01-02\"", "creationDate: not a date");
	expect_negotiation_error("modifiedDate", NULL, "modifiedDate: missing");
	expect_negotiation_error("resources",
	                         "[{\"id\":\"c\",\"name\":\"n\",\"organization\":"
	                         "{\"id\":\"a\",\"externalId\":\"a\",\"name\":\"A\"}}]",
	                         "resources[0].currentState: missing");
	expect_negotiation_error("resources",
	                         "[{\"id\":\"c\",\"name\":\"n\",\"organization\":"
	                         "{\"id\":\"a\",\"externalId\":\"a\",\"name\":\"A\"},"
	                         "\"currentState\":\"IN_PROGRESS\"}]",
	                         "resources[0].currentState: unknown state");
	expect_negotiation_error("query", "\"sex:male\"", "query: not an object");
}

static void test_negotiation_read(void **state)
{
	struct negotiation n;
	char err[256] = "";
	json_t *doc = parse(NEGOTIATION_DOC);

	(void)state;
	assert_int_equal(negotiation_read(doc, &n, err, sizeof err), 0);
	assert_string_equal(n.id, "n-1");
	assert_string_equal(n.author.name, "rita");
	assert_int_equal(n.status, NEGOTIATION_IN_PROGRESS);
	assert_int_equal(n.n_resources, 1);
	assert_true(n.resources[0].has_state);
	assert_int_equal(n.resources[0].state, NEGOTIATION_RESOURCE_SUBMITTED);
	assert_int_equal(n.resources[0].n_events, 1);
	assert_string_equal(n.resources[0].events[0], "CONTACT");
	assert_string_equal(n.request_id, "r-1");
	assert_null(n.query);
	assert_true(json_is_object(n.payload));
	negotiation_clear(&n);
	negotiation_clear(NULL);
	json_decref(doc);
}

static void test_create_and_message(void **state)
{
	struct negotiation_create c;
	char err[256] = "", dummy[] = "x", *msg = dummy;
	json_t *doc;

	(void)state;
	assert_int_equal(negotiation_create_read(NULL, &c, err, sizeof err), -1);
	doc = parse("{}");
	assert_int_equal(negotiation_create_read(doc, &c, err, sizeof err), -1);
	assert_string_equal(err, "request: missing");
	json_decref(doc);
	doc = parse("{\"request\":\"r\",\"draft\":\"yes\"}");
	assert_int_equal(negotiation_create_read(doc, &c, err, sizeof err), -1);
	assert_string_equal(err, "draft: not true or false");
	json_decref(doc);
	doc = parse("{\"request\":\"r\",\"payload\":[1]}");
	assert_int_equal(negotiation_create_read(doc, &c, err, sizeof err), -1);
	assert_string_equal(err, "payload: not an object");
	json_decref(doc);
	doc = parse("{\"request\":\"r\"}");
	assert_int_equal(negotiation_create_read(doc, &c, err, sizeof err), 0);
	assert_false(c.draft);
	assert_true(json_is_object(c.payload));
	assert_int_equal(json_object_size(c.payload), 0);
	negotiation_create_clear(&c);
	json_decref(doc);
	doc = parse("{\"request\":\"r\",\"draft\":true,\"payload\":{\"a\":{}}}");
	assert_int_equal(negotiation_create_read(doc, &c, err, sizeof err), 0);
	assert_true(c.draft);
	assert_string_equal(c.request_id, "r");
	negotiation_create_clear(&c);
	json_decref(doc);

	assert_int_equal(negotiation_message_read(NULL, &msg, err, sizeof err), 0);
	assert_null(msg);
	doc = parse("[\"hi\"]");
	assert_int_equal(negotiation_message_read(doc, &msg, err, sizeof err), -1);
	json_decref(doc);
	doc = parse("{\"message\":5}");
	assert_int_equal(negotiation_message_read(doc, &msg, err, sizeof err), -1);
	assert_string_equal(err, "message: not a string");
	json_decref(doc);
	doc = parse("{\"message\":\"\"}");
	assert_int_equal(negotiation_message_read(doc, &msg, err, sizeof err), 0);
	assert_null(msg);
	json_decref(doc);
	doc = parse("{\"message\":\"approved, see conditions\"}");
	assert_int_equal(negotiation_message_read(doc, &msg, err, sizeof err), 0);
	assert_string_equal(msg, "approved, see conditions");
	free(msg);
	json_decref(doc);
}

static void test_event_list(void **state)
{
	struct negotiation_event_list l;
	char err[256] = "";
	json_t *doc, *info;

	(void)state;
	assert_int_equal(negotiation_event_list_read(NULL, &l, err, sizeof err), -1);
	doc = parse("[{\"label\":\"x\"}]");
	assert_int_equal(negotiation_event_list_read(doc, &l, err, sizeof err), -1);
	assert_string_equal(err, "[0].value: missing");
	assert_null(l.items);
	json_decref(doc);

	doc = json_array();
	json_array_append_new(doc, negotiation_event_info_json(NEGOTIATION_APPROVE));
	json_array_append_new(doc, negotiation_resource_event_info_json(
	                               NEGOTIATION_RESOURCE_MARK_AS_CHECKING_AVAILABILITY));
	assert_int_equal(negotiation_event_list_read(doc, &l, err, sizeof err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].value, "APPROVE");
	assert_string_equal(l.items[0].label, "Approve");
	assert_string_equal(l.items[0].description, "SUBMITTED -> IN_PROGRESS, by the committee");
	assert_string_equal(l.items[1].label, "Mark as checking availability");
	negotiation_event_list_clear(&l);
	json_decref(doc);
	info = negotiation_event_info_json(NEGOTIATION_N_EVENTS);
	assert_string_equal(json_string_value(json_object_get(info, "value")), "?");
	json_decref(info);
}

static void test_posts(void **state)
{
	struct negotiation_post *posts = NULL, p;
	enum negotiation_post_type type;
	char err[256] = "", *text;
	size_t n = 9;
	json_t *doc;

	(void)state;
	assert_int_equal(negotiation_posts_read(NULL, &posts, &n, err, sizeof err), -1);
	assert_int_equal(n, 0);
	doc = parse("[{\"id\":\"1\",\"text\":\"hi\",\"type\":\"PUBLIC\",\"author\":{\"id\":\"a\","
	            "\"name\":\"a\"},\"creationDate\":\"2026-01-01T00:00:00Z\"},"
	            "{\"id\":\"2\",\"text\":\"psst\",\"type\":\"SECRET\"}]");
	assert_int_equal(negotiation_posts_read(doc, &posts, &n, err, sizeof err), -1);
	assert_string_equal(err, "[1].type: not PUBLIC or PRIVATE");
	assert_null(posts);
	json_object_set_new(json_array_get(doc, 1), "type", json_string("PRIVATE"));
	assert_int_equal(negotiation_posts_read(doc, &posts, &n, err, sizeof err), -1);
	assert_string_equal(err, "[1].author: missing");
	json_object_set_new(json_array_get(doc, 1), "author",
	                    parse("{\"id\":\"b\",\"name\":\"b\"}"));
	json_object_set_new(json_array_get(doc, 1), "creationDate",
	                    json_string("2026-01-01T00:00:01Z"));
	assert_int_equal(negotiation_posts_read(doc, &posts, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(posts[1].type, NEGOTIATION_POST_PRIVATE);
	assert_string_equal(posts[1].author.id, "b");
	negotiation_posts_free(&posts, n);
	assert_null(posts);
	assert_int_equal(negotiation_post_read(json_array_get(doc, 0), &p, err, sizeof err), 0);
	assert_string_equal(p.text, "hi");
	negotiation_post_clear(&p);
	json_decref(doc);

	doc = parse("{\"text\":\"\"}");
	assert_int_equal(negotiation_post_input_read(doc, &text, &type, err, sizeof err), -1);
	assert_string_equal(err, "text: empty");
	json_decref(doc);
	doc = parse("{\"text\":\"hello\",\"type\":\"public\"}");
	assert_int_equal(negotiation_post_input_read(doc, &text, &type, err, sizeof err), -1);
	assert_null(text);
	json_decref(doc);
	doc = parse("{\"text\":\"hello\"}");
	assert_int_equal(negotiation_post_input_read(doc, &text, &type, err, sizeof err), 0);
	assert_int_equal(type, NEGOTIATION_POST_PUBLIC);
	free(text);
	json_decref(doc);
	doc = parse("{\"text\":\"hello\",\"type\":\"PRIVATE\"}");
	assert_int_equal(negotiation_post_input_read(doc, &text, &type, err, sizeof err), 0);
	assert_int_equal(type, NEGOTIATION_POST_PRIVATE);
	free(text);
	json_decref(doc);
}

static void test_timeline(void **state)
{
	struct negotiation_entry *e = NULL;
	char err[256] = "";
	size_t n = 0;
	json_t *doc;

	(void)state;
	doc = parse("{}");
	assert_int_equal(negotiation_timeline_read(doc, &e, &n, err, sizeof err), -1);
	json_decref(doc);
	doc = parse("[]");
	assert_int_equal(negotiation_timeline_read(doc, &e, &n, err, sizeof err), 0);
	assert_int_equal(n, 0);
	negotiation_timeline_free(&e, n);
	json_decref(doc);
	doc = parse("[{\"id\":1,\"time\":\"2026-01-01T00:00:00Z\",\"actor\":\"rita\","
	            "\"kind\":\"transition\",\"event\":\"SUBMIT\",\"from\":\"DRAFT\","
	            "\"to\":\"SUBMITTED\",\"resource\":null,\"message\":null,\"postType\":null},"
	            "{\"id\":2,\"time\":\"2026-01-01T00:00:01Z\",\"actor\":\"adam\","
	            "\"kind\":\"post\",\"event\":\"APPROVE\",\"message\":\"ok\","
	            "\"postType\":\"PUBLIC\"}]");
	assert_int_equal(negotiation_timeline_read(doc, &e, &n, err, sizeof err), -1);
	assert_string_equal(err, "[1].event: must be null in a post");
	assert_null(e);
	json_object_set_new(json_array_get(doc, 1), "event", json_null());
	json_object_set_new(json_array_get(doc, 0), "kind", json_string("edit"));
	assert_int_equal(negotiation_timeline_read(doc, &e, &n, err, sizeof err), -1);
	assert_string_equal(err, "[0].kind: not transition or post");
	json_object_set_new(json_array_get(doc, 0), "kind", json_string("transition"));
	json_object_set_new(json_array_get(doc, 0), "id", json_integer(-1));
	assert_int_equal(negotiation_timeline_read(doc, &e, &n, err, sizeof err), -1);
	assert_string_equal(err, "[0].id: not a whole number");
	json_object_set_new(json_array_get(doc, 0), "id", json_integer(1));
	assert_int_equal(negotiation_timeline_read(doc, &e, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].kind, NEGOTIATION_ENTRY_TRANSITION);
	assert_string_equal(e[0].event, "SUBMIT");
	assert_null(e[0].resource);
	assert_null(e[0].message);
	assert_int_equal(e[1].kind, NEGOTIATION_ENTRY_POST);
	assert_string_equal(e[1].message, "ok");
	assert_null(e[1].event);
	negotiation_timeline_free(&e, n);
	json_decref(doc);
}

static void test_hal(void **state)
{
	struct negotiation_page page = { 50, 1, 1, 0 }, got;
	struct negotiation *list = NULL;
	char err[256] = "";
	json_t *doc, *items;
	size_t n = 0;

	(void)state;
	assert_int_equal(negotiation_hal_read(NULL, "x", &items, &got, err, sizeof err), -1);
	doc = parse("{}"); /* Spring's empty list */
	assert_int_equal(negotiation_hal_read(doc, "negotiations", &items, &got, err, sizeof err),
	                 0);
	assert_null(items);
	assert_int_equal(got.total_elements, 0);
	json_decref(doc);
	doc = parse("{\"_embedded\":{\"other\":[]}}");
	assert_int_equal(negotiation_hal_read(doc, "negotiations", &items, &got, err, sizeof err),
	                 -1);
	assert_string_equal(err, "_embedded.negotiations: missing");
	json_decref(doc);
	doc = parse("{\"_embedded\":{\"negotiations\":[]},\"page\":{\"size\":-1}}");
	assert_int_equal(negotiation_hal_read(doc, "negotiations", &items, &got, err, sizeof err),
	                 -1);
	assert_string_equal(err, "page.size: not a whole number");
	json_decref(doc);

	items = json_array();
	json_array_append_new(items, parse(NEGOTIATION_DOC));
	doc = negotiation_hal_build("negotiations", items, &page);
	assert_int_equal(negotiation_list_read(doc, &list, &n, &got, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].id, "n-1");
	assert_int_equal(got.size, 50);
	assert_int_equal(got.total_pages, 1);
	negotiation_list_free(&list, n);
	json_object_del(
	    json_array_get(json_object_get(json_object_get(doc, "_embedded"), "negotiations"), 0),
	    "status");
	assert_int_equal(negotiation_list_read(doc, &list, &n, &got, err, sizeof err), -1);
	assert_string_equal(err, "_embedded.negotiations[0]: status: missing");
	assert_null(list);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_degenerate),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_tables_are_section_6),
		cmocka_unit_test(test_allowed),
		cmocka_unit_test(test_who_next),
		cmocka_unit_test(test_request_degenerate),
		cmocka_unit_test(test_request_input_and_reply),
		cmocka_unit_test(test_negotiation_degenerate),
		cmocka_unit_test(test_negotiation_read),
		cmocka_unit_test(test_create_and_message),
		cmocka_unit_test(test_event_list),
		cmocka_unit_test(test_posts),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_hal),
	};

	return cmocka_run_group_tests_name("negotiation", tests, NULL, NULL);
}
