/* What the Negotiator modules share (negotiator.h): the caller, bodies,
 * times, loading a negotiation under the rule of who sees what, the
 * caller's mask for the lifecycle tables and the JSON the API sends for a
 * negotiation and its collections. It answers no route itself. */
#include "config.h"

#include "hub/negotiator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/access_form.h"
#include "core/negotiation.h"
#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"
#include "store/hub_store_nego.h"
#include "util/format.h"
#include "util/xmalloc.h"

int negotiator_caller_get(struct hub *hub, const struct server_request *req,
                          struct negotiator_caller *c, struct server_response *resp)
{
	memset(c, 0, sizeof *c);
	return hub_check_user(hub, req, NEGOTIATOR_ACTION, &c->name, &c->role, resp);
}

void negotiator_caller_clear(struct negotiator_caller *c)
{
	free(c->name);
	memset(c, 0, sizeof *c);
}

json_t *negotiator_body(const struct server_request *req, bool empty_ok,
                        struct server_response *resp)
{
	json_error_t jerr;
	json_t *doc;

	if (req->body_len == 0) {
		if (!empty_ok)
			server_response_error(resp, 400, "a JSON body is required");
		return NULL;
	}
	doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		server_response_error(resp, 400, "body is not JSON: %d:%d: %s", jerr.line,
		                      jerr.column, jerr.text);
	return doc;
}

void negotiator_time(int64_t t, char out[32])
{
	if (format_utc((time_t)t, out) != 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

void negotiator_loaded_clear(struct negotiator_loaded *n)
{
	json_decref(n->row);
	json_decref(n->request);
	memset(n, 0, sizeof *n);
}

int negotiator_may_read(struct hub *hub, const struct negotiator_caller *c, json_t *row, char *err,
                        size_t errlen)
{
	const char *author = json_string_value(json_object_get(row, "author"));
	const char *status = json_string_value(json_object_get(row, "status"));

	if (c->role == HUB_ROLE_ADMIN || (author != NULL && strcmp(author, c->name) == 0))
		return 1;
	if (status == NULL || strcmp(status, "DRAFT") == 0)
		return 0;
	return hub_store_represents_negotiation(
	    hub->store, c->name, json_string_value(json_object_get(row, "id")), err, errlen);
}

int negotiator_load(struct hub *hub, const struct negotiator_caller *c, const char *id,
                    struct negotiator_loaded *n, struct server_response *resp)
{
	char err[512] = "";
	int may;

	memset(n, 0, sizeof *n);
	n->row = hub_store_negotiation_get(hub->store, id, err, sizeof err);
	if (n->row == NULL) {
		if (err[0] != '\0')
			server_response_error(resp, 500, "cannot read negotiation %s: %s", id, err);
		else
			server_response_error(resp, 404, "no negotiation %s", id);
		return -1;
	}
	may = negotiator_may_read(hub, c, n->row, err, sizeof err);
	if (may != 1) {
		if (may < 0)
			server_response_error(resp, 500, "cannot read representatives: %s", err);
		else
			server_response_error(resp, 404, "no negotiation %s", id);
		goto fail;
	}
	if (negotiation_state_parse(json_string_value(json_object_get(n->row, "status")),
	                            &n->status) != 0) {
		server_response_error(resp, 500, "negotiation %s: stored status unknown", id);
		goto fail;
	}
	n->author = json_string_value(json_object_get(n->row, "author"));
	n->request =
	    hub_store_request_get(hub->store, json_string_value(json_object_get(n->row, "request")),
	                          NULL, NULL, err, sizeof err);
	if (n->request == NULL) {
		server_response_error(resp, 500, "negotiation %s: cannot read its request: %s", id,
		                      err[0] != '\0' ? err : "missing");
		goto fail;
	}
	return 0;
fail:
	negotiator_loaded_clear(n);
	return -1;
}

int negotiator_mask(struct hub *hub, const struct negotiator_caller *c,
                    const struct negotiator_loaded *n, const char *collection, unsigned *mask,
                    char *err, size_t errlen)
{
	*mask = NEGOTIATION_WHO_NOBODY;
	if (strcmp(n->author, c->name) == 0)
		*mask |= NEGOTIATION_WHO_AUTHOR;
	if (c->role == HUB_ROLE_ADMIN)
		*mask |= NEGOTIATION_WHO_ADMIN;
	if (collection != NULL) {
		int r = hub_store_represents(hub->store, c->name, collection, err, errlen);

		if (r < 0)
			return -1;
		if (r == 1)
			*mask |= NEGOTIATION_WHO_REPRESENTATIVE;
	}
	return 0;
}

json_t *negotiator_request_resource(json_t *request, const char *collection)
{
	json_t *res = json_object_get(request, "resources"), *r;
	size_t i;

	json_array_foreach (res, i, r) {
		const char *id = json_string_value(json_object_get(r, "id"));

		if (id != NULL && strcmp(id, collection) == 0)
			return r;
	}
	return NULL;
}

/* A resource entry of request (its id, name and organization) with
 * currentState: new. */
static json_t *resource_with_state(json_t *request, json_t *stored)
{
	const char *id = json_string_value(json_object_get(stored, "id"));
	json_t *entry = negotiator_request_resource(request, id), *out;

	out = entry != NULL ? json_deep_copy(entry) : json_pack("{s:s}", "id", id);
	json_object_set(out, "currentState", json_object_get(stored, "state"));
	return out;
}

json_t *negotiator_resource_dto(const struct negotiator_loaded *n, json_t *stored, json_t *events)
{
	json_t *out = resource_with_state(n->request, stored);

	if (events != NULL)
		json_object_set(out, "events", events);
	return out;
}

/* member of obj, or JSON null: a new reference. */
static json_t *member_or_null(json_t *obj, const char *member)
{
	json_t *v = json_object_get(obj, member);

	return v != NULL ? json_incref(v) : json_null();
}

json_t *negotiator_dto_of(json_t *row, json_t *request)
{
	char created[32], modified[32], display[32];
	json_t *resources = json_array(), *stored, *dto;
	const char *author = json_string_value(json_object_get(row, "author"));
	size_t i;

	json_array_foreach (json_object_get(row, "resources"), i, stored)
		json_array_append_new(resources, resource_with_state(request, stored));
	negotiator_time(json_integer_value(json_object_get(row, "created")), created);
	negotiator_time(json_integer_value(json_object_get(row, "modified")), modified);
	snprintf(display, sizeof display, "%" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(row, "seq")));
	dto = json_pack("{s:O, s:s, s:{s:s, s:s}, s:O, s:O, s:O, s:s, s:s, s:o, s:O, s:o, s:o}",
	                "id", json_object_get(row, "id"), "displayId", display, "author", "id",
	                author, "name", author, "payload", json_object_get(row, "payload"),
	                "status", json_object_get(row, "status"), "humanReadable",
	                json_object_get(request, "humanReadable"), "creationDate", created,
	                "modifiedDate", modified, "resources", resources, "request",
	                json_object_get(row, "request"), "query", member_or_null(request, "query"),
	                "cohortHash", member_or_null(request, "cohortHash"));
	json_object_set_new(dto, "counts", member_or_null(request, "counts"));
	return dto;
}

json_t *negotiator_dto(const struct negotiator_loaded *n)
{
	return negotiator_dto_of(n->row, n->request);
}

void negotiator_form_errors(struct server_response *resp, const char *what,
                            const struct access_form_errors *errs)
{
	char *msg = xasprintf("%s: %zu field%s to correct", what, errs->n, errs->n == 1 ? "" : "s");

	server_response_json(
	    resp, 400,
	    json_pack("{s:s, s:o}", "error", msg, "fields", access_form_errors_json(errs)));
	free(msg);
}
