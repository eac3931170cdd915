/* The lifecycle tables of PROTOCOL.md §6 and the readers of what the
 * Negotiator API carries. The tables are data, not code: every question
 * about who may do what, or who acts next, is answered by walking them, so
 * a change to §6 is a change to one table here. Readers never trust a
 * member's presence or type; they build nothing on failure. */
#include "config.h"

#include "core/negotiation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_read.h"
#include "util/xmalloc.h"

#define NAME_(c, name) [c] = name,
const char *const negotiation_state_names[NEGOTIATION_N_STATES] = { NEGOTIATION_STATES(NAME_) };
const char *const negotiation_event_names[NEGOTIATION_N_EVENTS] = { NEGOTIATION_EVENTS(NAME_) };
const char *const negotiation_resource_state_names[NEGOTIATION_N_RESOURCE_STATES] = {
	NEGOTIATION_RESOURCE_STATES(NAME_)
};
const char *const negotiation_resource_event_names[NEGOTIATION_N_RESOURCE_EVENTS] = {
	NEGOTIATION_RESOURCE_EVENTS(NAME_)
};
#undef NAME_

#define A  NEGOTIATION_WHO_AUTHOR
#define AD NEGOTIATION_WHO_ADMIN
#define R  NEGOTIATION_WHO_REPRESENTATIVE
#define AA NEGOTIATION_WHO_AUTHOR_OR_ADMIN

/* §6, the negotiation's table, row for row. */
const struct negotiation_transition negotiation_transitions[] = {
	{ NEGOTIATION_DRAFT, NEGOTIATION_SUBMIT, NEGOTIATION_SUBMITTED, A, false },
	{ NEGOTIATION_SUBMITTED, NEGOTIATION_APPROVE, NEGOTIATION_IN_PROGRESS, AD, true },
	{ NEGOTIATION_SUBMITTED, NEGOTIATION_DECLINE, NEGOTIATION_DECLINED, AD, true },
	{ NEGOTIATION_IN_PROGRESS, NEGOTIATION_PAUSE, NEGOTIATION_PAUSED, AA, false },
	{ NEGOTIATION_IN_PROGRESS, NEGOTIATION_CONCLUDE, NEGOTIATION_CONCLUDED, AA, false },
	{ NEGOTIATION_IN_PROGRESS, NEGOTIATION_ABANDON, NEGOTIATION_ABANDONED, AA, false },
	{ NEGOTIATION_PAUSED, NEGOTIATION_UNPAUSE, NEGOTIATION_IN_PROGRESS, AA, false },
	{ NEGOTIATION_PAUSED, NEGOTIATION_ABANDON, NEGOTIATION_ABANDONED, AA, false },
};
const size_t negotiation_n_transitions =
    sizeof negotiation_transitions / sizeof negotiation_transitions[0];

/* §6, a collection's table, row for row. */
const struct negotiation_resource_transition negotiation_resource_transitions[] = {
	{ NEGOTIATION_RESOURCE_SUBMITTED, NEGOTIATION_RESOURCE_CONTACT,
	  NEGOTIATION_RESOURCE_REPRESENTATIVE_CONTACTED, AD },
	{ NEGOTIATION_RESOURCE_SUBMITTED, NEGOTIATION_RESOURCE_MARK_AS_UNREACHABLE,
	  NEGOTIATION_RESOURCE_REPRESENTATIVE_UNREACHABLE, AD },
	{ NEGOTIATION_RESOURCE_REPRESENTATIVE_UNREACHABLE, NEGOTIATION_RESOURCE_CONTACT,
	  NEGOTIATION_RESOURCE_REPRESENTATIVE_CONTACTED, AD },
	{ NEGOTIATION_RESOURCE_REPRESENTATIVE_CONTACTED,
	  NEGOTIATION_RESOURCE_MARK_AS_CHECKING_AVAILABILITY,
	  NEGOTIATION_RESOURCE_CHECKING_AVAILABILITY, R },
	{ NEGOTIATION_RESOURCE_REPRESENTATIVE_CONTACTED, NEGOTIATION_RESOURCE_STEP_AWAY,
	  NEGOTIATION_RESOURCE_UNAVAILABLE, R },
	{ NEGOTIATION_RESOURCE_CHECKING_AVAILABILITY, NEGOTIATION_RESOURCE_MARK_AS_AVAILABLE,
	  NEGOTIATION_RESOURCE_AVAILABLE, R },
	{ NEGOTIATION_RESOURCE_CHECKING_AVAILABILITY, NEGOTIATION_RESOURCE_MARK_AS_UNAVAILABLE,
	  NEGOTIATION_RESOURCE_UNAVAILABLE, R },
	{ NEGOTIATION_RESOURCE_AVAILABLE, NEGOTIATION_RESOURCE_INDICATE_ACCESS_CONDITIONS,
	  NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_INDICATED, R },
	{ NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_INDICATED,
	  NEGOTIATION_RESOURCE_ACCEPT_ACCESS_CONDITIONS, NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_MET,
	  A },
	{ NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_INDICATED,
	  NEGOTIATION_RESOURCE_DECLINE_ACCESS_CONDITIONS, NEGOTIATION_RESOURCE_NOT_MADE_AVAILABLE,
	  A },
	{ NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_MET, NEGOTIATION_RESOURCE_GRANT_ACCESS_TO_RESOURCE,
	  NEGOTIATION_RESOURCE_MADE_AVAILABLE, R },
};
const size_t negotiation_n_resource_transitions =
    sizeof negotiation_resource_transitions / sizeof negotiation_resource_transitions[0];

#undef A
#undef AD
#undef R
#undef AA

/* ---- names ---- */

static const char *name_of(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : NULL;
}

static int parse_name(const char *const *names, size_t n, const char *name, int *out)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], name) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return -1;
}

const char *negotiation_state_name(enum negotiation_state s)
{
	return name_of(negotiation_state_names, NEGOTIATION_N_STATES, (int)s);
}

const char *negotiation_event_name(enum negotiation_event e)
{
	return name_of(negotiation_event_names, NEGOTIATION_N_EVENTS, (int)e);
}

const char *negotiation_resource_state_name(enum negotiation_resource_state s)
{
	return name_of(negotiation_resource_state_names, NEGOTIATION_N_RESOURCE_STATES, (int)s);
}

const char *negotiation_resource_event_name(enum negotiation_resource_event e)
{
	return name_of(negotiation_resource_event_names, NEGOTIATION_N_RESOURCE_EVENTS, (int)e);
}

int negotiation_state_parse(const char *name, enum negotiation_state *out)
{
	int v;

	if (parse_name(negotiation_state_names, NEGOTIATION_N_STATES, name, &v) != 0)
		return -1;
	*out = (enum negotiation_state)v;
	return 0;
}

int negotiation_event_parse(const char *name, enum negotiation_event *out)
{
	int v;

	if (parse_name(negotiation_event_names, NEGOTIATION_N_EVENTS, name, &v) != 0)
		return -1;
	*out = (enum negotiation_event)v;
	return 0;
}

int negotiation_resource_state_parse(const char *name, enum negotiation_resource_state *out)
{
	int v;

	if (parse_name(negotiation_resource_state_names, NEGOTIATION_N_RESOURCE_STATES, name, &v) !=
	    0)
		return -1;
	*out = (enum negotiation_resource_state)v;
	return 0;
}

int negotiation_resource_event_parse(const char *name, enum negotiation_resource_event *out)
{
	int v;

	if (parse_name(negotiation_resource_event_names, NEGOTIATION_N_RESOURCE_EVENTS, name, &v) !=
	    0)
		return -1;
	*out = (enum negotiation_resource_event)v;
	return 0;
}

const char *negotiation_state_words(enum negotiation_state s)
{
	static const char *const words[NEGOTIATION_N_STATES] = {
		[NEGOTIATION_DRAFT] = "draft",
		[NEGOTIATION_SUBMITTED] = "submitted",
		[NEGOTIATION_IN_PROGRESS] = "in progress",
		[NEGOTIATION_PAUSED] = "paused",
		[NEGOTIATION_CONCLUDED] = "concluded",
		[NEGOTIATION_ABANDONED] = "abandoned",
		[NEGOTIATION_DECLINED] = "declined",
	};
	const char *w = name_of(words, NEGOTIATION_N_STATES, (int)s);

	return w != NULL ? w : "?";
}

const char *negotiation_resource_state_words(enum negotiation_resource_state s)
{
	static const char *const words[NEGOTIATION_N_RESOURCE_STATES] = {
		[NEGOTIATION_RESOURCE_SUBMITTED] = "submitted",
		[NEGOTIATION_RESOURCE_REPRESENTATIVE_CONTACTED] = "representative contacted",
		[NEGOTIATION_RESOURCE_REPRESENTATIVE_UNREACHABLE] = "representative unreachable",
		[NEGOTIATION_RESOURCE_CHECKING_AVAILABILITY] = "checking availability",
		[NEGOTIATION_RESOURCE_AVAILABLE] = "available",
		[NEGOTIATION_RESOURCE_UNAVAILABLE] = "unavailable",
		[NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_INDICATED] = "access conditions indicated",
		[NEGOTIATION_RESOURCE_ACCESS_CONDITIONS_MET] = "access conditions met",
		[NEGOTIATION_RESOURCE_NOT_MADE_AVAILABLE] = "not made available",
		[NEGOTIATION_RESOURCE_MADE_AVAILABLE] = "made available",
	};
	const char *w = name_of(words, NEGOTIATION_N_RESOURCE_STATES, (int)s);

	return w != NULL ? w : "?";
}

/* ---- the tables ---- */

const struct negotiation_transition *negotiation_transition_find(enum negotiation_state from,
                                                                 enum negotiation_event event)
{
	for (size_t i = 0; i < negotiation_n_transitions; i++) {
		if (negotiation_transitions[i].from == from &&
		    negotiation_transitions[i].event == event)
			return &negotiation_transitions[i];
	}
	return NULL;
}

const struct negotiation_resource_transition *
negotiation_resource_transition_find(enum negotiation_resource_state from,
                                     enum negotiation_resource_event event)
{
	for (size_t i = 0; i < negotiation_n_resource_transitions; i++) {
		if (negotiation_resource_transitions[i].from == from &&
		    negotiation_resource_transitions[i].event == event)
			return &negotiation_resource_transitions[i];
	}
	return NULL;
}

bool negotiation_transition_allowed(const struct negotiation_transition *t, unsigned caller)
{
	if (t == NULL || (t->who & caller) == 0)
		return false;
	return !(t->not_by_author && (caller & NEGOTIATION_WHO_AUTHOR) != 0);
}

bool negotiation_resource_transition_allowed(const struct negotiation_resource_transition *t,
                                             enum negotiation_state nstate, unsigned caller)
{
	return t != NULL && nstate == NEGOTIATION_IN_PROGRESS && (t->who & caller) != 0;
}

size_t negotiation_events_allowed(enum negotiation_state from, unsigned caller,
                                  enum negotiation_event out[NEGOTIATION_N_EVENTS])
{
	size_t n = 0;

	for (size_t i = 0; i < negotiation_n_transitions && n < NEGOTIATION_N_EVENTS; i++) {
		const struct negotiation_transition *t = &negotiation_transitions[i];

		if (t->from == from && negotiation_transition_allowed(t, caller))
			out[n++] = t->event;
	}
	return n;
}

size_t negotiation_resource_events_allowed(
    enum negotiation_state nstate, enum negotiation_resource_state from, unsigned caller,
    enum negotiation_resource_event out[NEGOTIATION_N_RESOURCE_EVENTS])
{
	size_t n = 0;

	for (size_t i = 0;
	     i < negotiation_n_resource_transitions && n < NEGOTIATION_N_RESOURCE_EVENTS; i++) {
		const struct negotiation_resource_transition *t =
		    &negotiation_resource_transitions[i];

		if (t->from == from && negotiation_resource_transition_allowed(t, nstate, caller))
			out[n++] = t->event;
	}
	return n;
}

unsigned negotiation_state_next(enum negotiation_state s)
{
	unsigned who = NEGOTIATION_WHO_NOBODY;

	for (size_t i = 0; i < negotiation_n_transitions; i++) {
		if (negotiation_transitions[i].from == s)
			who |= negotiation_transitions[i].who;
	}
	return who;
}

unsigned negotiation_resource_state_next(enum negotiation_resource_state s)
{
	unsigned who = NEGOTIATION_WHO_NOBODY;

	for (size_t i = 0; i < negotiation_n_resource_transitions; i++) {
		if (negotiation_resource_transitions[i].from == s)
			who |= negotiation_resource_transitions[i].who;
	}
	return who;
}

bool negotiation_state_final(enum negotiation_state s)
{
	return negotiation_state_next(s) == NEGOTIATION_WHO_NOBODY;
}

bool negotiation_resource_state_final(enum negotiation_resource_state s)
{
	return negotiation_resource_state_next(s) == NEGOTIATION_WHO_NOBODY;
}

unsigned negotiation_who_next(enum negotiation_state s,
                              const enum negotiation_resource_state *rstates, size_t n)
{
	unsigned who = NEGOTIATION_WHO_NOBODY;

	if (s != NEGOTIATION_IN_PROGRESS)
		return negotiation_state_next(s);
	for (size_t i = 0; i < n; i++)
		who |= negotiation_resource_state_next(rstates[i]);
	return who != NEGOTIATION_WHO_NOBODY ? who : negotiation_state_next(s);
}

const char *negotiation_who_words(unsigned who)
{
	static const char *const words[8] = {
		"nobody",
		"the author",
		"the committee",
		"the author or the committee",
		"a representative",
		"the author or a representative",
		"the committee or a representative",
		"the author, the committee or a representative",
	};

	return words[who & 7u];
}

/* ---- reading ---- */

static int need_object(json_t *v, const char *place, char *err, size_t errlen)
{
	if (json_is_object(v))
		return 0;
	return json_read_fail(err, errlen, place, v == NULL ? "missing" : "not an object");
}

/* Reads an ISO 8601 date-time string member (checked loosely: digits
 * where digits go). */
static int read_time(json_t *obj, const char *place, const char *member, char **out, char *err,
                     size_t errlen)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	char where[192];

	if (json_read_string(obj, place, member, JSON_READ_NON_EMPTY, 64, out, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < sizeof shape - 1; i++) {
		char c = (*out)[i];
		bool ok = shape[i] == 'd' ? c >= '0' && c <= '9' : c == shape[i];

		if (!ok) {
			free(*out);
			*out = NULL;
			json_read_join(where, sizeof where, place, member);
			return json_read_fail(err, errlen, where, "not a date and time (ISO 8601)");
		}
	}
	return 0;
}

static void org_clear(struct negotiation_org *o)
{
	free(o->id);
	free(o->external_id);
	free(o->name);
	memset(o, 0, sizeof *o);
}

static int read_org(json_t *doc, const char *place, enum negotiation_read mode,
                    struct negotiation_org *o, char *err, size_t errlen)
{
	enum json_read_need need =
	    mode == NEGOTIATION_READ_REPLY ? JSON_READ_REQUIRED : JSON_READ_OPTIONAL;

	memset(o, 0, sizeof *o);
	if (need_object(doc, place, err, errlen) != 0 ||
	    json_read_string(doc, place, "id", need, NEGOTIATION_MAX_ID, &o->id, err, errlen) !=
	        0 ||
	    json_read_string(doc, place, "externalId", need, NEGOTIATION_MAX_ID, &o->external_id,
	                     err, errlen) != 0 ||
	    json_read_string(doc, place, "name", need, NEGOTIATION_MAX_TEXT, &o->name, err,
	                     errlen) != 0) {
		org_clear(o);
		return -1;
	}
	return 0;
}

void negotiation_resource_clear(struct negotiation_resource *r)
{
	if (r == NULL)
		return;
	free(r->id);
	free(r->name);
	org_clear(&r->org);
	for (size_t i = 0; i < r->n_events; i++)
		free(r->events[i]);
	free(r->events);
	memset(r, 0, sizeof *r);
}

/* Reads an array member of event names (the "events" extension). */
static int read_event_names(json_t *arr, const char *place, char ***out, size_t *n, char *err,
                            size_t errlen)
{
	json_t *v;
	size_t i;
	char where[192];

	*out = NULL;
	*n = 0;
	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr) ||
	    json_array_size(arr) > NEGOTIATION_N_RESOURCE_EVENTS + NEGOTIATION_N_EVENTS)
		return json_read_fail(err, errlen, place, "not a short array");
	*out = xcalloc(json_array_size(arr) + 1, sizeof **out);
	json_array_foreach (arr, i, v) {
		if (!json_is_string(v) || json_string_length(v) > NEGOTIATION_MAX_ID) {
			json_read_place(where, sizeof where, "%s[%zu]", place, i);
			return json_read_fail(err, errlen, where, "not a short string");
		}
		(*out)[(*n)++] = xstrdup(json_string_value(v));
	}
	return 0;
}

static int read_resource_at(json_t *doc, const char *place, enum negotiation_read mode,
                            bool need_state, struct negotiation_resource *out, char *err,
                            size_t errlen)
{
	char where[192], *state = NULL;
	json_t *org;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (need_object(doc, place, err, errlen) != 0)
		return -1;
	if (json_read_string(doc, place, "id", JSON_READ_NON_EMPTY, NEGOTIATION_MAX_ID, &out->id,
	                     err, errlen) != 0 ||
	    json_read_string(doc, place, "name",
	                     mode == NEGOTIATION_READ_REPLY ? JSON_READ_REQUIRED
	                                                    : JSON_READ_OPTIONAL,
	                     NEGOTIATION_MAX_TEXT, &out->name, err, errlen) != 0)
		goto out;
	org = json_object_get(doc, "organization");
	json_read_join(where, sizeof where, place, "organization");
	if (org != NULL && !(json_is_null(org) && mode == NEGOTIATION_READ_INPUT)) {
		if (read_org(org, where, mode, &out->org, err, errlen) != 0)
			goto out;
		out->has_org = true;
	} else if (mode == NEGOTIATION_READ_REPLY) {
		json_read_fail(err, errlen, where, "missing");
		goto out;
	}
	if (json_read_string(doc, place, "currentState",
	                     need_state ? JSON_READ_REQUIRED : JSON_READ_OPTIONAL, 64, &state, err,
	                     errlen) != 0)
		goto out;
	if (state != NULL) {
		if (negotiation_resource_state_parse(state, &out->state) != 0) {
			json_read_join(where, sizeof where, place, "currentState");
			json_read_fail(err, errlen, where, "unknown state");
			goto out;
		}
		out->has_state = true;
	}
	json_read_join(where, sizeof where, place, "events");
	if (read_event_names(json_object_get(doc, "events"), where, &out->events, &out->n_events,
	                     err, errlen) != 0)
		goto out;
	rc = 0;
out:
	free(state);
	if (rc != 0)
		negotiation_resource_clear(out);
	return rc;
}

int negotiation_resource_read(json_t *doc, enum negotiation_read mode, bool need_state,
                              struct negotiation_resource *out, char *err, size_t errlen)
{
	return read_resource_at(doc, "", mode, need_state, out, err, errlen);
}

static void resources_free(struct negotiation_resource *rs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		negotiation_resource_clear(&rs[i]);
	free(rs);
}

/* Reads doc's "resources": a non-empty array of at most
 * NEGOTIATION_MAX_RESOURCES, ids unique. */
static int read_resources(json_t *doc, enum negotiation_read mode, bool need_state,
                          struct negotiation_resource **out, size_t *n, char *err, size_t errlen)
{
	json_t *arr = json_object_get(doc, "resources"), *v;
	char where[64];
	size_t i;

	*out = NULL;
	*n = 0;
	if (arr == NULL)
		return json_read_fail(err, errlen, "resources", "missing");
	if (!json_is_array(arr))
		return json_read_fail(err, errlen, "resources", "not an array");
	if (json_array_size(arr) == 0)
		return json_read_fail(err, errlen, "resources",
		                      "empty: name at least one collection");
	if (json_array_size(arr) > NEGOTIATION_MAX_RESOURCES)
		return json_read_fail(err, errlen, "resources", "more than %d collections",
		                      NEGOTIATION_MAX_RESOURCES);
	*out = xcalloc(json_array_size(arr), sizeof **out);
	json_array_foreach (arr, i, v) {
		json_read_place(where, sizeof where, "resources[%zu]", i);
		if (read_resource_at(v, where, mode, need_state, &(*out)[i], err, errlen) != 0)
			goto fail;
		*n = i + 1;
		for (size_t j = 0; j < i; j++) {
			if (strcmp((*out)[j].id, (*out)[i].id) == 0) {
				json_read_fail(err, errlen, where, "collection %s named twice",
				               (*out)[i].id);
				goto fail;
			}
		}
	}
	return 0;
fail:
	resources_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}

/* Reads doc's optional "query" member: an object, or absent/null. */
static int read_query(json_t *doc, json_t **query, char *err, size_t errlen)
{
	json_t *q = json_object_get(doc, "query");

	*query = NULL;
	if (q == NULL || json_is_null(q))
		return 0;
	if (!json_is_object(q))
		return json_read_fail(err, errlen, "query", "not an object (a query AST)");
	*query = json_incref(q);
	return 0;
}

void negotiation_request_clear(struct negotiation_request *r)
{
	if (r == NULL)
		return;
	free(r->id);
	free(r->url);
	free(r->human_readable);
	resources_free(r->resources, r->n_resources);
	free(r->redirect_url);
	json_decref(r->query);
	free(r->cohort_hash);
	free(r->negotiation);
	memset(r, 0, sizeof *r);
}

int negotiation_request_read(json_t *doc, enum negotiation_read mode,
                             struct negotiation_request *out, char *err, size_t errlen)
{
	bool reply = mode == NEGOTIATION_READ_REPLY;

	memset(out, 0, sizeof *out);
	if (need_object(doc, "request", err, errlen) != 0)
		return -1;
	if (json_read_string(doc, "", "id", reply ? JSON_READ_NON_EMPTY : JSON_READ_OPTIONAL,
	                     NEGOTIATION_MAX_ID, &out->id, err, errlen) != 0 ||
	    json_read_string(doc, "", "url", JSON_READ_REQUIRED, NEGOTIATION_MAX_URL, &out->url,
	                     err, errlen) != 0 ||
	    json_read_string(doc, "", "humanReadable", JSON_READ_REQUIRED, NEGOTIATION_MAX_TEXT,
	                     &out->human_readable, err, errlen) != 0 ||
	    read_resources(doc, mode, false, &out->resources, &out->n_resources, err, errlen) !=
	        0 ||
	    json_read_string(doc, "", "redirectUrl",
	                     reply ? JSON_READ_REQUIRED : JSON_READ_OPTIONAL, NEGOTIATION_MAX_URL,
	                     &out->redirect_url, err, errlen) != 0 ||
	    read_query(doc, &out->query, err, errlen) != 0 ||
	    json_read_string(doc, "", "cohortHash", JSON_READ_OPTIONAL, 64, &out->cohort_hash, err,
	                     errlen) != 0 ||
	    json_read_string(doc, "", "negotiation", JSON_READ_OPTIONAL, NEGOTIATION_MAX_ID,
	                     &out->negotiation, err, errlen) != 0) {
		negotiation_request_clear(out);
		return -1;
	}
	/* an input's id and redirect are the hub's to make */
	if (!reply) {
		free(out->id);
		free(out->redirect_url);
		out->id = out->redirect_url = NULL;
	}
	return 0;
}

static void person_clear(struct negotiation_person *p)
{
	free(p->id);
	free(p->name);
	memset(p, 0, sizeof *p);
}

static int read_person(json_t *doc, const char *place, struct negotiation_person *p, char *err,
                       size_t errlen)
{
	memset(p, 0, sizeof *p);
	if (need_object(doc, place, err, errlen) != 0 ||
	    json_read_string(doc, place, "id", JSON_READ_NON_EMPTY, NEGOTIATION_MAX_ID, &p->id, err,
	                     errlen) != 0 ||
	    json_read_string(doc, place, "name", JSON_READ_REQUIRED, NEGOTIATION_MAX_ID, &p->name,
	                     err, errlen) != 0) {
		person_clear(p);
		return -1;
	}
	return 0;
}

void negotiation_clear(struct negotiation *n)
{
	if (n == NULL)
		return;
	free(n->id);
	free(n->display_id);
	person_clear(&n->author);
	json_decref(n->payload);
	free(n->human_readable);
	free(n->creation_date);
	free(n->modified_date);
	resources_free(n->resources, n->n_resources);
	free(n->request_id);
	json_decref(n->query);
	free(n->cohort_hash);
	memset(n, 0, sizeof *n);
}

int negotiation_read(json_t *doc, struct negotiation *out, char *err, size_t errlen)
{
	char *status = NULL;
	json_t *payload;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (need_object(doc, "negotiation", err, errlen) != 0)
		return -1;
	if (json_read_string(doc, "", "id", JSON_READ_NON_EMPTY, NEGOTIATION_MAX_ID, &out->id, err,
	                     errlen) != 0 ||
	    json_read_string(doc, "", "displayId", JSON_READ_REQUIRED, NEGOTIATION_MAX_ID,
	                     &out->display_id, err, errlen) != 0 ||
	    read_person(json_object_get(doc, "author"), "author", &out->author, err, errlen) != 0)
		goto out;
	payload = json_object_get(doc, "payload");
	if (need_object(payload, "payload", err, errlen) != 0)
		goto out;
	out->payload = json_incref(payload);
	if (json_read_string(doc, "", "status", JSON_READ_REQUIRED, 64, &status, err, errlen) != 0)
		goto out;
	if (negotiation_state_parse(status, &out->status) != 0) {
		json_read_fail(err, errlen, "status", "unknown state");
		goto out;
	}
	if (json_read_string(doc, "", "humanReadable", JSON_READ_REQUIRED, NEGOTIATION_MAX_TEXT,
	                     &out->human_readable, err, errlen) != 0 ||
	    read_time(doc, "", "creationDate", &out->creation_date, err, errlen) != 0 ||
	    read_time(doc, "", "modifiedDate", &out->modified_date, err, errlen) != 0 ||
	    read_resources(doc, NEGOTIATION_READ_REPLY, true, &out->resources, &out->n_resources,
	                   err, errlen) != 0 ||
	    json_read_string(doc, "", "request", JSON_READ_OPTIONAL, NEGOTIATION_MAX_ID,
	                     &out->request_id, err, errlen) != 0 ||
	    read_query(doc, &out->query, err, errlen) != 0 ||
	    json_read_string(doc, "", "cohortHash", JSON_READ_OPTIONAL, 64, &out->cohort_hash, err,
	                     errlen) != 0)
		goto out;
	rc = 0;
out:
	free(status);
	if (rc != 0)
		negotiation_clear(out);
	return rc;
}

void negotiation_create_clear(struct negotiation_create *c)
{
	if (c == NULL)
		return;
	free(c->request_id);
	json_decref(c->payload);
	memset(c, 0, sizeof *c);
}

int negotiation_create_read(json_t *doc, struct negotiation_create *out, char *err, size_t errlen)
{
	json_t *payload;

	memset(out, 0, sizeof *out);
	if (need_object(doc, "body", err, errlen) != 0 ||
	    json_read_string(doc, "", "request", JSON_READ_NON_EMPTY, NEGOTIATION_MAX_ID,
	                     &out->request_id, err, errlen) != 0)
		return -1;
	if (json_read_bool(doc, "", "draft", JSON_READ_OPTIONAL, &out->draft, err, errlen) != 0) {
		negotiation_create_clear(out);
		return -1;
	}
	payload = json_object_get(doc, "payload");
	if (payload == NULL || json_is_null(payload)) {
		out->payload = json_object();
	} else if (!json_is_object(payload)) {
		negotiation_create_clear(out);
		return json_read_fail(err, errlen, "payload", "not an object");
	} else {
		out->payload = json_incref(payload);
	}
	return 0;
}

int negotiation_message_read(json_t *doc, char **message, char *err, size_t errlen)
{
	*message = NULL;
	if (doc == NULL || json_is_null(doc))
		return 0;
	if (!json_is_object(doc))
		return json_read_fail(err, errlen, "body", "not an object");
	if (json_read_string(doc, "", "message", JSON_READ_OPTIONAL, NEGOTIATION_MAX_TEXT, message,
	                     err, errlen) != 0)
		return -1;
	if (*message != NULL && (*message)[0] == '\0') {
		free(*message);
		*message = NULL;
	}
	return 0;
}

/* ---- event lists ---- */

void negotiation_event_list_clear(struct negotiation_event_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].value);
		free(l->items[i].label);
		free(l->items[i].description);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

int negotiation_event_list_read(json_t *doc, struct negotiation_event_list *out, char *err,
                                size_t errlen)
{
	char where[64];
	json_t *v;
	size_t i;

	memset(out, 0, sizeof *out);
	if (!json_is_array(doc))
		return json_read_fail(err, errlen, "events", "not an array");
	if (json_array_size(doc) > NEGOTIATION_N_RESOURCE_EVENTS + NEGOTIATION_N_EVENTS)
		return json_read_fail(err, errlen, "events", "more events than there are");
	out->items = xcalloc(json_array_size(doc) + 1, sizeof *out->items);
	json_array_foreach (doc, i, v) {
		struct negotiation_event_info *e = &out->items[i];

		json_read_place(where, sizeof where, "[%zu]", i);
		out->n = i + 1;
		if (need_object(v, where, err, errlen) != 0 ||
		    json_read_string(v, where, "value", JSON_READ_NON_EMPTY, 64, &e->value, err,
		                     errlen) != 0 ||
		    json_read_string(v, where, "label", JSON_READ_OPTIONAL, 256, &e->label, err,
		                     errlen) != 0 ||
		    json_read_string(v, where, "description", JSON_READ_OPTIONAL, 1024,
		                     &e->description, err, errlen) != 0) {
			negotiation_event_list_clear(out);
			return -1;
		}
	}
	return 0;
}

/* "MARK_AS_AVAILABLE" -> "Mark as available": new. */
static char *label_of(const char *name)
{
	char *s = xstrdup(name);

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (s[i] == '_')
			s[i] = ' ';
		else if (i > 0 && s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	}
	return s;
}

static json_t *event_info(const char *name, const char *from, const char *to, unsigned who)
{
	char *label = label_of(name);
	char *desc = xasprintf("%s -> %s, by %s", from, to, negotiation_who_words(who));
	json_t *doc =
	    json_pack("{s:s, s:s, s:s}", "value", name, "label", label, "description", desc);

	free(label);
	free(desc);
	return doc;
}

json_t *negotiation_event_info_json(enum negotiation_event e)
{
	for (size_t i = 0; i < negotiation_n_transitions; i++) {
		const struct negotiation_transition *t = &negotiation_transitions[i];

		if (t->event == e)
			return event_info(negotiation_event_name(e),
			                  negotiation_state_name(t->from),
			                  negotiation_state_name(t->to), t->who);
	}
	return json_pack("{s:s}", "value",
	                 negotiation_event_name(e) ? negotiation_event_name(e) : "?");
}

json_t *negotiation_resource_event_info_json(enum negotiation_resource_event e)
{
	for (size_t i = 0; i < negotiation_n_resource_transitions; i++) {
		const struct negotiation_resource_transition *t =
		    &negotiation_resource_transitions[i];

		if (t->event == e)
			return event_info(negotiation_resource_event_name(e),
			                  negotiation_resource_state_name(t->from),
			                  negotiation_resource_state_name(t->to), t->who);
	}
	return json_pack("{s:s}", "value",
	                 negotiation_resource_event_name(e) ? negotiation_resource_event_name(e)
	                                                    : "?");
}

/* ---- posts ---- */

const char *negotiation_post_type_name(enum negotiation_post_type t)
{
	switch (t) {
	case NEGOTIATION_POST_PUBLIC:
		return "PUBLIC";
	case NEGOTIATION_POST_PRIVATE:
		return "PRIVATE";
	}
	return NULL;
}

int negotiation_post_type_parse(const char *name, enum negotiation_post_type *out)
{
	if (name != NULL && strcmp(name, "PUBLIC") == 0)
		*out = NEGOTIATION_POST_PUBLIC;
	else if (name != NULL && strcmp(name, "PRIVATE") == 0)
		*out = NEGOTIATION_POST_PRIVATE;
	else
		return -1;
	return 0;
}

void negotiation_post_clear(struct negotiation_post *p)
{
	if (p == NULL)
		return;
	free(p->id);
	free(p->text);
	person_clear(&p->author);
	free(p->creation_date);
	memset(p, 0, sizeof *p);
}

static int read_post_at(json_t *doc, const char *place, struct negotiation_post *out, char *err,
                        size_t errlen)
{
	char *type = NULL, where[192];
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (need_object(doc, place, err, errlen) != 0)
		return -1;
	json_read_join(where, sizeof where, place, "author");
	if (json_read_string(doc, place, "id", JSON_READ_NON_EMPTY, NEGOTIATION_MAX_ID, &out->id,
	                     err, errlen) != 0 ||
	    json_read_string(doc, place, "text", JSON_READ_REQUIRED, NEGOTIATION_MAX_TEXT,
	                     &out->text, err, errlen) != 0 ||
	    json_read_string(doc, place, "type", JSON_READ_REQUIRED, 16, &type, err, errlen) != 0)
		goto out;
	if (negotiation_post_type_parse(type, &out->type) != 0) {
		json_read_join(where, sizeof where, place, "type");
		json_read_fail(err, errlen, where, "not PUBLIC or PRIVATE");
		goto out;
	}
	if (read_person(json_object_get(doc, "author"), where, &out->author, err, errlen) != 0 ||
	    read_time(doc, place, "creationDate", &out->creation_date, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	free(type);
	if (rc != 0)
		negotiation_post_clear(out);
	return rc;
}

int negotiation_post_read(json_t *doc, struct negotiation_post *out, char *err, size_t errlen)
{
	return read_post_at(doc, "", out, err, errlen);
}

void negotiation_posts_free(struct negotiation_post **posts, size_t n)
{
	if (posts == NULL || *posts == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		negotiation_post_clear(&(*posts)[i]);
	free(*posts);
	*posts = NULL;
}

int negotiation_posts_read(json_t *doc, struct negotiation_post **posts, size_t *n, char *err,
                           size_t errlen)
{
	char where[32];
	json_t *v;
	size_t i;

	*posts = NULL;
	*n = 0;
	if (!json_is_array(doc))
		return json_read_fail(err, errlen, "posts", "not an array");
	if (json_array_size(doc) > NEGOTIATION_MAX_ITEMS)
		return json_read_fail(err, errlen, "posts", "more than %d", NEGOTIATION_MAX_ITEMS);
	*posts = xcalloc(json_array_size(doc) + 1, sizeof **posts);
	json_array_foreach (doc, i, v) {
		json_read_place(where, sizeof where, "[%zu]", i);
		if (read_post_at(v, where, &(*posts)[i], err, errlen) != 0) {
			negotiation_posts_free(posts, i);
			*n = 0;
			return -1;
		}
		*n = i + 1;
	}
	return 0;
}

int negotiation_post_input_read(json_t *doc, char **text, enum negotiation_post_type *type,
                                char *err, size_t errlen)
{
	char *name = NULL;

	*text = NULL;
	if (need_object(doc, "body", err, errlen) != 0 ||
	    json_read_string(doc, "", "text", JSON_READ_NON_EMPTY, NEGOTIATION_MAX_TEXT, text, err,
	                     errlen) != 0 ||
	    json_read_string(doc, "", "type", JSON_READ_OPTIONAL, 16, &name, err, errlen) != 0)
		goto fail;
	*type = NEGOTIATION_POST_PUBLIC;
	if (name != NULL && negotiation_post_type_parse(name, type) != 0) {
		json_read_fail(err, errlen, "type", "not PUBLIC or PRIVATE");
		goto fail;
	}
	free(name);
	return 0;
fail:
	free(name);
	free(*text);
	*text = NULL;
	return -1;
}

/* ---- the timeline ---- */

static void entry_clear(struct negotiation_entry *e)
{
	free(e->time);
	free(e->actor);
	free(e->event);
	free(e->from);
	free(e->to);
	free(e->resource);
	free(e->message);
	memset(e, 0, sizeof *e);
}

void negotiation_timeline_free(struct negotiation_entry **entries, size_t n)
{
	if (entries == NULL || *entries == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		entry_clear(&(*entries)[i]);
	free(*entries);
	*entries = NULL;
}

/* A member that must be JSON null (or absent) in this kind of entry. */
static int must_be_null(json_t *doc, const char *place, const char *member, const char *kind,
                        char *err, size_t errlen)
{
	json_t *v = json_object_get(doc, member);
	char where[192];

	if (v == NULL || json_is_null(v))
		return 0;
	json_read_join(where, sizeof where, place, member);
	return json_read_fail(err, errlen, where, "must be null in a %s", kind);
}

static int read_entry_at(json_t *doc, const char *place, struct negotiation_entry *e, char *err,
                         size_t errlen)
{
	char *kind = NULL, *type = NULL, where[192];
	json_t *id;
	int rc = -1;

	memset(e, 0, sizeof *e);
	if (need_object(doc, place, err, errlen) != 0)
		return -1;
	id = json_object_get(doc, "id");
	json_read_join(where, sizeof where, place, "id");
	if (!json_is_integer(id) || json_integer_value(id) < 0) {
		json_read_fail(err, errlen, where, id == NULL ? "missing" : "not a whole number");
		goto out;
	}
	e->id = json_integer_value(id);
	if (read_time(doc, place, "time", &e->time, err, errlen) != 0 ||
	    json_read_string(doc, place, "actor", JSON_READ_NON_EMPTY, NEGOTIATION_MAX_ID,
	                     &e->actor, err, errlen) != 0 ||
	    json_read_string(doc, place, "kind", JSON_READ_REQUIRED, 16, &kind, err, errlen) != 0)
		goto out;
	if (strcmp(kind, "transition") == 0) {
		e->kind = NEGOTIATION_ENTRY_TRANSITION;
		if (json_read_string(doc, place, "event", JSON_READ_NON_EMPTY, 64, &e->event, err,
		                     errlen) != 0 ||
		    json_read_string(doc, place, "from", JSON_READ_NON_EMPTY, 64, &e->from, err,
		                     errlen) != 0 ||
		    json_read_string(doc, place, "to", JSON_READ_NON_EMPTY, 64, &e->to, err,
		                     errlen) != 0 ||
		    json_read_string(doc, place, "resource", JSON_READ_OPTIONAL, NEGOTIATION_MAX_ID,
		                     &e->resource, err, errlen) != 0 ||
		    json_read_string(doc, place, "message", JSON_READ_OPTIONAL,
		                     NEGOTIATION_MAX_TEXT, &e->message, err, errlen) != 0 ||
		    must_be_null(doc, place, "postType", "transition", err, errlen) != 0)
			goto out;
	} else if (strcmp(kind, "post") == 0) {
		e->kind = NEGOTIATION_ENTRY_POST;
		if (json_read_string(doc, place, "message", JSON_READ_REQUIRED,
		                     NEGOTIATION_MAX_TEXT, &e->message, err, errlen) != 0 ||
		    json_read_string(doc, place, "postType", JSON_READ_REQUIRED, 16, &type, err,
		                     errlen) != 0)
			goto out;
		if (negotiation_post_type_parse(type, &e->post_type) != 0) {
			json_read_join(where, sizeof where, place, "postType");
			json_read_fail(err, errlen, where, "not PUBLIC or PRIVATE");
			goto out;
		}
		if (must_be_null(doc, place, "event", "post", err, errlen) != 0 ||
		    must_be_null(doc, place, "from", "post", err, errlen) != 0 ||
		    must_be_null(doc, place, "to", "post", err, errlen) != 0 ||
		    must_be_null(doc, place, "resource", "post", err, errlen) != 0)
			goto out;
	} else {
		json_read_join(where, sizeof where, place, "kind");
		json_read_fail(err, errlen, where, "not transition or post");
		goto out;
	}
	rc = 0;
out:
	free(kind);
	free(type);
	if (rc != 0)
		entry_clear(e);
	return rc;
}

int negotiation_timeline_read(json_t *doc, struct negotiation_entry **entries, size_t *n, char *err,
                              size_t errlen)
{
	char where[32];
	json_t *v;
	size_t i;

	*entries = NULL;
	*n = 0;
	if (!json_is_array(doc))
		return json_read_fail(err, errlen, "timeline", "not an array");
	if (json_array_size(doc) > NEGOTIATION_MAX_ITEMS)
		return json_read_fail(err, errlen, "timeline", "more than %d entries",
		                      NEGOTIATION_MAX_ITEMS);
	*entries = xcalloc(json_array_size(doc) + 1, sizeof **entries);
	json_array_foreach (doc, i, v) {
		json_read_place(where, sizeof where, "[%zu]", i);
		if (read_entry_at(v, where, &(*entries)[i], err, errlen) != 0) {
			negotiation_timeline_free(entries, i);
			*n = 0;
			return -1;
		}
		*n = i + 1;
	}
	return 0;
}

/* ---- HAL ---- */

static int read_count(json_t *page, const char *member, int64_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(page, member);
	char where[64];

	json_read_place(where, sizeof where, "page.%s", member);
	if (v == NULL)
		return json_read_fail(err, errlen, where, "missing");
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return json_read_fail(err, errlen, where, "not a whole number");
	*out = json_integer_value(v);
	return 0;
}

int negotiation_hal_read(json_t *doc, const char *name, json_t **items,
                         struct negotiation_page *page, char *err, size_t errlen)
{
	json_t *emb, *arr, *pg;
	char where[128];

	*items = NULL;
	memset(page, 0, sizeof *page);
	if (need_object(doc, "list", err, errlen) != 0)
		return -1;
	emb = json_object_get(doc, "_embedded");
	if (emb != NULL) {
		if (need_object(emb, "_embedded", err, errlen) != 0)
			return -1;
		arr = json_object_get(emb, name);
		json_read_place(where, sizeof where, "_embedded.%s", name);
		if (arr == NULL)
			return json_read_fail(err, errlen, where, "missing");
		if (!json_is_array(arr))
			return json_read_fail(err, errlen, where, "not an array");
		if (json_array_size(arr) > NEGOTIATION_MAX_ITEMS)
			return json_read_fail(err, errlen, where, "more than %d",
			                      NEGOTIATION_MAX_ITEMS);
		*items = arr;
	}
	pg = json_object_get(doc, "page");
	if (pg == NULL)
		return 0;
	if (need_object(pg, "page", err, errlen) != 0 ||
	    read_count(pg, "size", &page->size, err, errlen) != 0 ||
	    read_count(pg, "totalElements", &page->total_elements, err, errlen) != 0 ||
	    read_count(pg, "totalPages", &page->total_pages, err, errlen) != 0 ||
	    read_count(pg, "number", &page->number, err, errlen) != 0) {
		*items = NULL;
		memset(page, 0, sizeof *page);
		return -1;
	}
	return 0;
}

json_t *negotiation_hal_build(const char *name, json_t *items, const struct negotiation_page *page)
{
	json_t *doc = json_object(), *emb = json_object();

	json_object_set_new(emb, name, items);
	json_object_set_new(doc, "_embedded", emb);
	if (page != NULL)
		json_object_set_new(
		    doc, "page",
		    json_pack("{s:I, s:I, s:I, s:I}", "size", (json_int_t)page->size,
		              "totalElements", (json_int_t)page->total_elements, "totalPages",
		              (json_int_t)page->total_pages, "number", (json_int_t)page->number));
	return doc;
}

void negotiation_list_free(struct negotiation **list, size_t n)
{
	if (list == NULL || *list == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		negotiation_clear(&(*list)[i]);
	free(*list);
	*list = NULL;
}

int negotiation_list_read(json_t *doc, struct negotiation **list, size_t *n,
                          struct negotiation_page *page, char *err, size_t errlen)
{
	char why[512];
	json_t *items, *v;
	size_t i;

	*list = NULL;
	*n = 0;
	if (negotiation_hal_read(doc, "negotiations", &items, page, err, errlen) != 0)
		return -1;
	if (items == NULL || json_array_size(items) == 0)
		return 0;
	*list = xcalloc(json_array_size(items), sizeof **list);
	json_array_foreach (items, i, v) {
		if (negotiation_read(v, &(*list)[i], why, sizeof why) != 0) {
			snprintf(err, errlen, "_embedded.negotiations[%zu]: %s", i, why);
			negotiation_list_free(list, i);
			*n = 0;
			memset(page, 0, sizeof *page);
			return -1;
		}
		*n = i + 1;
	}
	return 0;
}
