/* The catalogue API (PROTOCOL.md §5): anonymous reads of the published
 * collections, the vocabulary and the sites, and the one write, a site
 * replacing the collections it publishes with its own token (§4, §7). The
 * store says what is wrong with an item; this file only says it over HTTP.
 * It must not parse or judge catalogue items itself. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"

static void list_collections(void *ctx, const struct server_request *req,
                             struct server_response *resp)
{
	struct hub *hub = ctx;
	char err[512] = "", *etag = NULL;
	json_t *items = hub_store_catalogue_list(hub->store, &etag, err, sizeof err);

	if (items == NULL) {
		server_response_error(resp, 500, "cannot read the catalogue: %s", err);
		return;
	}
	server_response_etag(resp, etag);
	if (server_etag_matches(server_request_header(req, "If-None-Match"), etag)) {
		resp->status = 304;
		json_decref(items);
	} else {
		server_response_json(resp, 200,
		                     json_pack("{s:I, s:o}", "total",
		                               (json_int_t)json_array_size(items), "items", items));
	}
	free(etag);
}

static void get_collection(void *ctx, const struct server_request *req,
                           struct server_response *resp)
{
	struct hub *hub = ctx;
	char err[512] = "";
	json_t *item = hub_store_catalogue_get(hub->store, req->param, err, sizeof err);

	if (item != NULL)
		server_response_json(resp, 200, item);
	else if (err[0] == '\0')
		server_response_error(resp, 404, "no collection '%s'", req->param);
	else
		server_response_error(resp, 500, "cannot read the catalogue: %s", err);
}

static void get_criteria(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;

	if (hub->vocab == NULL || hub->vocab->json == NULL) {
		server_response_error(resp, 503, "no criteria vocabulary loaded");
		return;
	}
	server_response_json(resp, 200, json_incref(hub->vocab->json));
}

static void list_sites(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	char err[512] = "";
	json_t *sites =
	    hub_store_site_list(hub->store, (int64_t)time(NULL), hub->heartbeat, err, sizeof err);

	if (sites == NULL)
		server_response_error(resp, 500, "cannot read the sites: %s", err);
	else
		server_response_json(resp, 200, sites);
}

static void put_site_collections(void *ctx, const struct server_request *req,
                                 struct server_response *resp)
{
	struct hub *hub = ctx;
	char err[512] = "";
	json_error_t jerr;
	json_t *items;

	if (hub_check_site(hub, req, req->param, "publish collections", resp) != 0)
		return;
	items = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (items == NULL) {
		server_response_error(resp, 400, "body is not JSON: %s at line %d column %d",
		                      jerr.text, jerr.line, jerr.column);
		return;
	}
	if (!json_is_array(items)) {
		server_response_error(resp, 400, "body must be a JSON array of catalogue items");
	} else if (hub_store_catalogue_replace(hub->store, req->param, items, err, sizeof err) !=
	           0) {
		server_response_error(resp, 400, "%s", err);
	} else {
		/* publishing is a sign of life too */
		hub_store_site_touch(hub->store, req->param, (int64_t)time(NULL), err, sizeof err);
		server_response_json(resp, 200,
		                     json_pack("{s:s, s:I}", "site", req->param, "collections",
		                               (json_int_t)json_array_size(items)));
	}
	json_decref(items);
}

const struct server_route hub_catalogue_routes[] = {
	{ "GET", "/api/catalogue/collections", list_collections },
	{ "GET", "/api/catalogue/collections/{id}", get_collection },
	{ "GET", "/api/catalogue/criteria", get_criteria },
	{ "GET", "/api/catalogue/sites", list_sites },
	{ "PUT", "/api/catalogue/sites/{site}/collections", put_site_collections },
};
const size_t hub_catalogue_n_routes = sizeof hub_catalogue_routes / sizeof hub_catalogue_routes[0];
