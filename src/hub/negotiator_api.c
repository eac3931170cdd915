/* The access-request API under /api/v3, ecii's subset of the BBMRI-ERIC
 * Negotiator v3 (PROTOCOL.md §6): who the caller is, the requests handed
 * over, and the negotiations made from them: creation (with drafts and
 * Idempotency-Key), reading, changing a draft, and the listings. The
 * lifecycles, collections, posts and timeline are in negotiator_flow.c.
 * Every route but POST /api/v3/requests needs a user's bearer token (§7):
 * none or nobody's is 401, a site's is 403, since a site is not a user;
 * who may see and do what beyond that is negotiator.h's rule. It must not
 * tell callers apart by anything but hub_check_user and the store's
 * representatives, and it must not talk to the sites. */
#include "config.h"

#include "hub/negotiator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/access_form.h"
#include "core/negotiation.h"
#include "core/query.h"
#include "core/query_json.h"
#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"
#include "store/hub_store_nego.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#define IDEMPOTENCY_KEY_MAX 128
#define PAGE_SIZE_DEFAULT   50
#define PAGE_SIZE_MAX       100
#define PAGE_MAX            1000000

/* ---- userinfo ---- */

/* GET /api/v3/userinfo: {"id","name","roles"} and, for a representative,
 * "represents": the collection ids (an extension). A hub user has no id
 * but its name, so both are the name; it is the {uid} of the user routes.
 * Roles: RESEARCHER for everyone, ADMIN (the DAC) for the hub's admins,
 * REPRESENTATIVE for whoever represents a collection. */
static void get_userinfo(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	json_t *roles, *reps, *doc;
	char err[512] = "";

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	reps = hub_store_represented(hub->store, c.name, err, sizeof err);
	if (reps == NULL) {
		server_response_error(resp, 500, "cannot read representatives: %s", err);
		goto out;
	}
	roles = json_array();
	json_array_append_new(roles, json_string("RESEARCHER"));
	if (c.role == HUB_ROLE_ADMIN)
		json_array_append_new(roles, json_string("ADMIN"));
	if (json_array_size(reps) > 0)
		json_array_append_new(roles, json_string("REPRESENTATIVE"));
	doc = json_pack("{s:s, s:s, s:o}", "id", c.name, "name", c.name, "roles", roles);
	if (json_array_size(reps) > 0)
		json_object_set(doc, "represents", reps);
	json_decref(reps);
	server_response_json(resp, 200, doc);
out:
	negotiator_caller_clear(&c);
}

/* ---- requests ---- */

/* A request document as the API sends it: stored plus redirectUrl and the
 * negotiation made from it (null: none yet). New. */
static json_t *request_dto(json_t *doc, const char *negotiation)
{
	json_t *dto = json_deep_copy(doc);
	char *redirect =
	    xasprintf("/api/v3/requests/%s", json_string_value(json_object_get(doc, "id")));

	json_object_set_new(dto, "redirectUrl", json_string(redirect));
	json_object_set_new(dto, "negotiation",
	                    negotiation != NULL ? json_string(negotiation) : json_null());
	free(redirect);
	return dto;
}

/* The catalogue's entry for collection id as a request resource {"id",
 * "name","organization":{"id","externalId","name"}}: the organization is
 * the collection's provider, its id the site that publishes it. Returns
 * new; NULL with *missing true when the catalogue has no such collection,
 * or with err set on a read error. */
static json_t *catalogue_resource(struct hub *hub, const char *id, bool *missing, char *err,
                                  size_t errlen)
{
	json_t *item, *provider, *res;
	const char *name, *pid, *pname;
	char *site = NULL;
	int found;

	*missing = false;
	found = hub_store_collection_site(hub->store, id, &site, err, errlen);
	if (found <= 0) {
		*missing = found == 0;
		return NULL;
	}
	item = hub_store_catalogue_get(hub->store, id, err, errlen);
	if (item == NULL) {
		free(site);
		*missing = err[0] == '\0';
		return NULL;
	}
	provider = json_object_get(item, "provider");
	name = json_string_value(json_object_get(item, "name"));
	pid = json_string_value(json_object_get(provider, "id"));
	pname = json_string_value(json_object_get(provider, "name"));
	res = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "id", id, "name", name != NULL ? name : id,
	                "organization", "id", site, "externalId", pid != NULL ? pid : site, "name",
	                pname != NULL ? pname : site);
	json_decref(item);
	free(site);
	return res;
}

/* Checks the request's query (borrowed; NULL: none) and sets hash (the
 * cohort hash, "" when there is no query or no vocabulary). Returns 0, or
 * -1 with resp filled (400). */
static int check_query(struct hub *hub, json_t *ast, char hash[65], struct server_response *resp)
{
	struct query_error qerr = { 0 };
	struct query *q;

	hash[0] = '\0';
	if (ast == NULL)
		return 0;
	q = query_from_json(ast, &qerr);
	if (q == NULL) {
		server_response_error(resp, 400, "query: %s", qerr.message);
		return -1;
	}
	if (hub->vocab != NULL) {
		if (query_resolve(hub->vocab, q, false, &qerr) != 0) {
			server_response_error(resp, 400, "query: %s", qerr.message);
			query_free(&q);
			return -1;
		}
		query_hash(hub->vocab, q, hash);
	}
	query_free(&q);
	return 0;
}

/* POST /api/v3/requests: the hand-over. Anonymous callers may make one
 * (§7); a token sent must still be a user's. 201 with the request. */
static void post_request(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c = { 0 };
	struct negotiation_request r = { 0 };
	struct buf unknown = { 0 };
	char err[512] = "", id[UUID_TEXT_LEN + 1], hash[65];
	json_t *body = NULL, *resources = NULL, *doc = NULL;
	bool missing;

	if (req->token != NULL && req->token[0] != '\0' &&
	    negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	body = negotiator_body(req, false, resp);
	if (body == NULL)
		goto out;
	if (negotiation_request_read(body, NEGOTIATION_READ_INPUT, &r, err, sizeof err) != 0) {
		server_response_error(resp, 400, "%s", err);
		goto out;
	}
	resources = json_array();
	for (size_t i = 0; i < r.n_resources; i++) {
		json_t *res;

		if (!hub_collection_id_valid(r.resources[i].id)) {
			server_response_error(resp, 400, "resources[%zu].id: not a collection id",
			                      i);
			goto out;
		}
		res = catalogue_resource(hub, r.resources[i].id, &missing, err, sizeof err);
		if (res == NULL && !missing) {
			server_response_error(resp, 500, "cannot read the catalogue: %s", err);
			goto out;
		}
		if (res == NULL)
			buf_printf(&unknown, "%s%s", unknown.len > 0 ? ", " : "",
			           r.resources[i].id);
		else
			json_array_append_new(resources, res);
	}
	if (unknown.len > 0) {
		server_response_error(resp, 400, "unknown collection%s: %s",
		                      strchr(buf_str(&unknown), ',') != NULL ? "s" : "",
		                      buf_str(&unknown));
		goto out;
	}
	if (check_query(hub, r.query, hash, resp) != 0)
		goto out;
	if (uuid_v4(id) != 0) {
		server_response_error(resp, 500, "cannot make a request id");
		goto out;
	}
	doc = json_pack("{s:s, s:s, s:s, s:O, s:O, s:o}", "id", id, "url", r.url, "humanReadable",
	                r.human_readable, "resources", resources, "query",
	                r.query != NULL ? r.query : json_null(), "cohortHash",
	                hash[0] != '\0' ? json_string(hash) : json_null());
	/* Extension: the counts the researcher saw when asking, kept as sent
	 * (bounded) for the committee to compare with the counts now. */
	if (json_is_object(json_object_get(body, "counts"))) {
		char *text = json_dumps(json_object_get(body, "counts"), JSON_COMPACT);

		if (text != NULL && strlen(text) <= NEGOTIATION_MAX_PAYLOAD)
			json_object_set(doc, "counts", json_object_get(body, "counts"));
		free(text);
	}
	if (hub_store_request_add(hub->store, id, c.name, (int64_t)time(NULL), doc, err,
	                          sizeof err) != 0) {
		server_response_error(resp, 500, "cannot store the request: %s", err);
		goto out;
	}
	log_info("request %s by %s for %zu collections", id, c.name ? c.name : "(anonymous)",
	         r.n_resources);
	server_response_json(resp, 201, request_dto(doc, NULL));
out:
	json_decref(doc);
	json_decref(resources);
	json_decref(body);
	buf_free(&unknown);
	negotiation_request_clear(&r);
	negotiator_caller_clear(&c);
}

/* Loads request id for c: its document (new) and the negotiation made from
 * it (*negotiation new, or NULL). A request is seen by the admins, by its
 * creator, by whoever may see its negotiation, and, while it is an
 * anonymous hand-over not yet in a negotiation, by any user who has its id
 * (a random UUID). Otherwise, and when there is none, 404. NULL with resp
 * filled on refusal. */
static json_t *request_load(struct hub *hub, const struct negotiator_caller *c, const char *id,
                            char **negotiation, struct server_response *resp)
{
	char err[512] = "", *creator = NULL;
	json_t *doc, *row = NULL;
	int may = 0;

	*negotiation = NULL;
	doc = hub_store_request_get(hub->store, id, &creator, negotiation, err, sizeof err);
	if (doc == NULL) {
		if (err[0] != '\0')
			server_response_error(resp, 500, "cannot read request %s: %s", id, err);
		else
			server_response_error(resp, 404, "no request %s", id);
		return NULL;
	}
	if (c->role == HUB_ROLE_ADMIN || (creator != NULL && strcmp(creator, c->name) == 0)) {
		may = 1;
	} else if (*negotiation != NULL) {
		row = hub_store_negotiation_get(hub->store, *negotiation, err, sizeof err);
		may = row != NULL ? negotiator_may_read(hub, c, row, err, sizeof err) : -1;
	} else {
		may = creator == NULL;
	}
	json_decref(row);
	free(creator);
	if (may == 1)
		return doc;
	if (may < 0)
		server_response_error(resp, 500, "cannot read request %s: %s", id, err);
	else
		server_response_error(resp, 404, "no request %s", id);
	json_decref(doc);
	free(*negotiation);
	*negotiation = NULL;
	return NULL;
}

/* GET /api/v3/requests/{id} */
static void get_request(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	char *negotiation = NULL;
	json_t *doc;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	doc = request_load(hub, &c, req->param, &negotiation, resp);
	if (doc != NULL)
		server_response_json(resp, 200, request_dto(doc, negotiation));
	json_decref(doc);
	free(negotiation);
	negotiator_caller_clear(&c);
}

/* GET /api/v3/requests/{id}/access-form: the hub's one form. */
static void get_access_form(void *ctx, const struct server_request *req,
                            struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	char *negotiation = NULL;
	json_t *doc;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	doc = request_load(hub, &c, req->param, &negotiation, resp);
	if (doc != NULL) {
		if (hub->form == NULL)
			server_response_error(resp, 503, "this hub has no access form");
		else
			server_response_json(resp, 200, access_form_to_json(hub->form));
	}
	json_decref(doc);
	free(negotiation);
	negotiator_caller_clear(&c);
}

/* ---- negotiations ---- */

/* The Idempotency-Key header: 0 with *key borrowed (NULL: none), or -1
 * with resp filled (400) when it is not 1..128 printable characters. */
static int idempotency_key(const struct server_request *req, const char **key,
                           struct server_response *resp)
{
	const char *k = server_request_header(req, "Idempotency-Key");
	size_t n = 0;

	*key = NULL;
	if (k == NULL)
		return 0;
	for (; k[n] != '\0'; n++) {
		if (k[n] <= 0x20 || k[n] >= 0x7f)
			break;
	}
	if (k[n] != '\0' || n == 0 || n > IDEMPOTENCY_KEY_MAX) {
		server_response_error(resp, 400,
		                      "Idempotency-Key must be 1 to %d printable characters",
		                      IDEMPOTENCY_KEY_MAX);
		return -1;
	}
	*key = k;
	return 0;
}

/* Checks payload against the hub's form for a draft or a submission.
 * Returns 0, or -1 with resp filled (400 with the fields, 503 without a
 * form). */
static int check_payload(struct hub *hub, json_t *payload, bool submit, const char *what,
                         struct server_response *resp)
{
	struct access_form_errors errs = { 0 };
	char *text;

	if (hub->form == NULL) {
		server_response_error(resp, 503, "this hub has no access form");
		return -1;
	}
	text = json_dumps(payload, JSON_COMPACT);
	if (text == NULL || strlen(text) > NEGOTIATION_MAX_PAYLOAD) {
		free(text);
		server_response_error(resp, 400, "payload: longer than %d bytes",
		                      NEGOTIATION_MAX_PAYLOAD);
		return -1;
	}
	free(text);
	if (access_form_validate(hub->form, payload,
	                         submit ? ACCESS_FORM_CHECK_SUBMIT : ACCESS_FORM_CHECK_DRAFT,
	                         &errs) == 0)
		return 0;
	negotiator_form_errors(resp, what, &errs);
	access_form_errors_clear(&errs);
	return -1;
}

/* Answers status with negotiation id's DTO as c sees it. */
static void answer_negotiation(struct hub *hub, const struct negotiator_caller *c, const char *id,
                               int status, struct server_response *resp)
{
	struct negotiator_loaded n;

	if (negotiator_load(hub, c, id, &n, resp) != 0)
		return;
	server_response_json(resp, status, negotiator_dto(&n));
	negotiator_loaded_clear(&n);
}

/* POST /api/v3/negotiations {"request","draft","payload"} with an optional
 * Idempotency-Key: the same key from the same author answers 201 with the
 * negotiation it made the first time, never a second one. A submission
 * (draft false) must satisfy the access form: 400 with the fields. */
static void post_negotiation(void *ctx, const struct server_request *req,
                             struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct negotiation_create nc = { 0 };
	struct hub_negotiation_new nn = { 0 };
	char err[512] = "", id[UUID_TEXT_LEN + 1], *existing = NULL, *taken_by = NULL;
	char **collections = NULL;
	const char *key;
	json_t *body = NULL, *request = NULL, *res, *row;
	size_t i, n = 0;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (idempotency_key(req, &key, resp) != 0)
		goto out;
	body = negotiator_body(req, false, resp);
	if (body == NULL)
		goto out;
	if (negotiation_create_read(body, &nc, err, sizeof err) != 0) {
		server_response_error(resp, 400, "%s", err);
		goto out;
	}
	request = request_load(hub, &c, nc.request_id, &taken_by, resp);
	if (request == NULL) {
		/* the request is named in the body, not the path */
		if (resp->status == 404)
			server_response_error(resp, 400, "no request %s", nc.request_id);
		goto out;
	}
	if (check_payload(hub, nc.payload, !nc.draft,
	                  nc.draft ? "the draft's answers" : "cannot submit", resp) != 0)
		goto out;
	collections = xcalloc(json_array_size(json_object_get(request, "resources")) + 1,
	                      sizeof *collections);
	json_array_foreach (json_object_get(request, "resources"), i, res)
		collections[n++] = xstrdup(json_string_value(json_object_get(res, "id")));
	if (uuid_v4(id) != 0) {
		server_response_error(resp, 500, "cannot make a negotiation id");
		goto out;
	}
	nn = (struct hub_negotiation_new){
		.id = id,
		.request = nc.request_id,
		.author = c.name,
		.idempotency_key = key,
		.draft = nc.draft,
		.payload = nc.payload,
		.collections = (const char *const *)collections,
		.n_collections = n,
		.when = (int64_t)time(NULL),
	};
	switch (hub_store_negotiation_create(hub->store, &nn, &existing, err, sizeof err)) {
	case HUB_STORE_MADE:
		answer_negotiation(hub, &c, id, 201, resp);
		break;
	case HUB_STORE_REPLAYED:
		row = hub_store_negotiation_get(hub->store, existing, err, sizeof err);
		if (row != NULL &&
		    strcmp(json_string_value(json_object_get(row, "request")), nc.request_id) != 0)
			server_response_error(
			    resp, 422, "Idempotency-Key %s was used for another request", key);
		else
			answer_negotiation(hub, &c, existing, 201, resp);
		json_decref(row);
		break;
	case HUB_STORE_TAKEN:
		server_response_error(resp, 409, "request %s is already in a negotiation",
		                      nc.request_id);
		break;
	case HUB_STORE_MADE_ERROR:
		server_response_error(resp, 500, "cannot store the negotiation: %s", err);
		break;
	}
out:
	for (i = 0; i < n; i++)
		free(collections[i]);
	free(collections);
	free(existing);
	free(taken_by);
	json_decref(request);
	json_decref(body);
	negotiation_create_clear(&nc);
	negotiator_caller_clear(&c);
}

/* GET /api/v3/negotiations/{id} */
static void get_negotiation(void *ctx, const struct server_request *req,
                            struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	answer_negotiation(hub, &c, req->param, 200, resp);
	negotiator_caller_clear(&c);
}

/* PATCH /api/v3/negotiations/{id} {"payload"}: the author changes a DRAFT. */
static void patch_negotiation(void *ctx, const struct server_request *req,
                              struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct negotiator_loaded n = { 0 };
	char err[512] = "";
	json_t *body = NULL, *payload;

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (negotiator_load(hub, &c, req->param, &n, resp) != 0)
		goto out;
	if (strcmp(n.author, c.name) != 0) {
		server_response_error(resp, 403, "only its author may change negotiation %s",
		                      req->param);
		goto out;
	}
	if (n.status != NEGOTIATION_DRAFT) {
		server_response_error(resp, 403,
		                      "negotiation %s is %s: only a DRAFT can be changed",
		                      req->param, negotiation_state_name(n.status));
		goto out;
	}
	body = negotiator_body(req, false, resp);
	if (body == NULL)
		goto out;
	payload = json_object_get(body, "payload");
	if (!json_is_object(body) || !json_is_object(payload)) {
		server_response_error(resp, 400, "payload: %s",
		                      payload == NULL ? "missing" : "not an object");
		goto out;
	}
	if (check_payload(hub, payload, false, "the draft's answers", resp) != 0)
		goto out;
	switch (hub_store_negotiation_set_payload(hub->store, req->param, payload,
	                                          (int64_t)time(NULL), err, sizeof err)) {
	case 0:
		answer_negotiation(hub, &c, req->param, 200, resp);
		break;
	case 1:
		server_response_error(resp, 409, "negotiation %s is no longer a DRAFT", req->param);
		break;
	default:
		server_response_error(resp, 500, "cannot store the answers: %s", err);
		break;
	}
out:
	json_decref(body);
	negotiator_loaded_clear(&n);
	negotiator_caller_clear(&c);
}

/* Parses a query argument as a whole number in 0..max; absent leaves *v. */
static int parse_arg(const struct server_request *req, const char *name, long long max,
                     long long *v, struct server_response *resp)
{
	const char *text = server_request_arg(req, name);
	char *end;
	long long n;

	if (text == NULL)
		return 0;
	n = text[0] >= '0' && text[0] <= '9' ? strtoll(text, &end, 10) : -1;
	if (n < 0 || *end != '\0' || n > max) {
		server_response_error(resp, 400, "%s must be a whole number from 0 to %lld", name,
		                      max);
		return -1;
	}
	*v = n;
	return 0;
}

/* Answers a HAL page of the negotiations f lets through (?page=&size=). */
static void answer_list(struct hub *hub, const struct server_request *req,
                        struct hub_negotiation_filter *f, struct server_response *resp)
{
	long long page = 0, size = PAGE_SIZE_DEFAULT;
	struct negotiation_page pg;
	const char *status = server_request_arg(req, "status");
	enum negotiation_state st;
	json_t *rows, *items, *row;
	char err[512] = "";
	int64_t total = 0;
	size_t i;

	if (status != NULL && negotiation_state_parse(status, &st) != 0) {
		server_response_error(
		    resp, 400,
		    "status must be one of DRAFT, SUBMITTED, IN_PROGRESS, PAUSED, "
		    "CONCLUDED, ABANDONED, DECLINED");
		return;
	}
	f->status = status;
	if (parse_arg(req, "page", PAGE_MAX, &page, resp) != 0 ||
	    parse_arg(req, "size", PAGE_SIZE_MAX, &size, resp) != 0)
		return;
	if (size == 0) {
		server_response_error(resp, 400, "size must be a whole number from 1 to %d",
		                      PAGE_SIZE_MAX);
		return;
	}
	rows =
	    hub_store_negotiation_list(hub->store, f, page * size, size, &total, err, sizeof err);
	if (rows == NULL) {
		server_response_error(resp, 500, "cannot list negotiations: %s", err);
		return;
	}
	items = json_array();
	json_array_foreach (rows, i, row) {
		json_t *request = hub_store_request_get(
		    hub->store, json_string_value(json_object_get(row, "request")), NULL, NULL, err,
		    sizeof err);

		if (request == NULL) {
			server_response_error(resp, 500, "cannot read a request: %s", err);
			json_decref(items);
			json_decref(rows);
			return;
		}
		json_array_append_new(items, negotiator_dto_of(row, request));
		json_decref(request);
	}
	json_decref(rows);
	pg = (struct negotiation_page){
		.size = size,
		.total_elements = total,
		.total_pages = (total + size - 1) / size,
		.number = page,
	};
	server_response_json(resp, 200, negotiation_hal_build("negotiations", items, &pg));
}

/* GET /api/v3/negotiations?status=&page=&size=: every negotiation, for
 * the committee. */
static void get_negotiations(void *ctx, const struct server_request *req,
                             struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct hub_negotiation_filter f = { 0 };

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (c.role != HUB_ROLE_ADMIN)
		server_response_error(resp, 403, "only an admin may list every negotiation");
	else
		answer_list(hub, req, &f, resp);
	negotiator_caller_clear(&c);
}

/* GET /api/v3/users/{uid}/negotiations?role=AUTHOR|REPRESENTATIVE&status=
 * &page=&size=: a user's own (an admin may ask for anyone's). */
static void get_user_negotiations(void *ctx, const struct server_request *req,
                                  struct server_response *resp)
{
	struct hub *hub = ctx;
	struct negotiator_caller c;
	struct hub_negotiation_filter f = { 0 };
	const char *role = server_request_arg(req, "role");

	if (negotiator_caller_get(hub, req, &c, resp) != 0)
		return;
	if (strcmp(req->param, c.name) != 0 && c.role != HUB_ROLE_ADMIN) {
		server_response_error(resp, 403, "you may list only your own negotiations");
	} else if (role == NULL || strcmp(role, "AUTHOR") == 0) {
		f.author = req->param;
		answer_list(hub, req, &f, resp);
	} else if (strcmp(role, "REPRESENTATIVE") == 0) {
		f.representative = req->param;
		answer_list(hub, req, &f, resp);
	} else {
		server_response_error(resp, 400, "role must be AUTHOR or REPRESENTATIVE");
	}
	negotiator_caller_clear(&c);
}

const struct server_route hub_negotiator_routes[] = {
	{ "GET", "/api/v3/userinfo", get_userinfo },
	{ "POST", "/api/v3/requests", post_request },
	{ "GET", "/api/v3/requests/{id}", get_request },
	{ "GET", "/api/v3/requests/{id}/access-form", get_access_form },
	{ "POST", "/api/v3/negotiations", post_negotiation },
	{ "GET", "/api/v3/negotiations", get_negotiations },
	{ "GET", "/api/v3/negotiations/{id}", get_negotiation },
	{ "PATCH", "/api/v3/negotiations/{id}", patch_negotiation },
	{ "PUT", "/api/v3/negotiations/{id}/lifecycle/{event}", negotiator_put_lifecycle },
	{ "GET", "/api/v3/negotiations/{id}/lifecycle", negotiator_get_lifecycle },
	{ "GET", "/api/v3/negotiations/{id}/resources", negotiator_get_resources },
	{ "PUT", "/api/v3/negotiations/{id}/resources/{rid}/lifecycle/{event}",
	  negotiator_put_resource_lifecycle },
	{ "GET", "/api/v3/negotiations/{id}/posts", negotiator_get_posts },
	{ "POST", "/api/v3/negotiations/{id}/posts", negotiator_post_post },
	{ "GET", "/api/v3/negotiations/{id}/timeline", negotiator_get_timeline },
	{ "GET", "/api/v3/negotiations/{id}/author-queries", negotiator_get_author_queries },
	{ "GET", "/api/v3/users/{uid}/negotiations", get_user_negotiations },
};
const size_t hub_negotiator_n_routes =
    sizeof hub_negotiator_routes / sizeof hub_negotiator_routes[0];
