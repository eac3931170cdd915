/* The preview routes: the anonymous read of PROTOCOL.md §5 (GET
 * /api/catalogue/previews/{id}, the bytes with their media type and an
 * ETag of their SHA-256) and the upload that feeds it, an ecii extension
 * (PUT /api/catalogue/sites/{site}/previews/{id}, the site's own token, as
 * for its collections). The store decides whether a site may hold an id;
 * this file only says it over HTTP. It must not look inside the bytes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"
#include "util/xmalloc.h"

/* The static name of a stored media type, for the Content-Type header. */
static const char *static_type(const char *media_type)
{
	if (media_type != NULL && strcmp(media_type, "image/png") == 0)
		return "image/png";
	return "application/dicom";
}

/* The media type of a Content-Type value ("image/png; q=1" is image/png),
 * as a static string, or NULL when it is not one a preview may have. */
static const char *upload_type(const char *value)
{
	static const char *const types[] = { "application/dicom", "image/png" };
	size_t n;

	if (value == NULL)
		return NULL;
	n = strcspn(value, "; \t");
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (n == strlen(types[i]) && strncasecmp(value, types[i], n) == 0)
			return types[i];
	return NULL;
}

static void get_preview(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	struct hub_preview p;
	char err[512] = "", *etag;
	bool fresh;
	int found;

	if (!hub_preview_id_valid(req->param)) {
		server_response_error(resp, 404, "no preview with that id");
		return;
	}
	/* the hash first: a client holding the bytes already costs no read of them */
	found = hub_store_preview_get(hub->store, req->param, false, &p, err, sizeof err);
	if (found == 0) {
		server_response_error(resp, 404, "no preview '%s'", req->param);
		return;
	}
	if (found < 0) {
		server_response_error(resp, 500, "cannot read the preview: %s", err);
		return;
	}
	etag = xasprintf("\"%s\"", p.sha256);
	fresh = server_etag_matches(server_request_header(req, "If-None-Match"), etag);
	hub_preview_clear(&p);
	if (fresh) {
		server_response_etag(resp, etag);
		resp->status = 304;
		free(etag);
		return;
	}
	found = hub_store_preview_get(hub->store, req->param, true, &p, err, sizeof err);
	if (found != 1) {
		if (found == 0)
			server_response_error(resp, 404, "no preview '%s'", req->param);
		else
			server_response_error(resp, 500, "cannot read the preview: %s", err);
		free(etag);
		return;
	}
	free(etag);
	etag = xasprintf("\"%s\"", p.sha256); /* it may have changed in between */
	server_response_etag(resp, etag);
	free(etag);
	resp->status = 200;
	resp->content_type = static_type(p.media_type);
	/* the server frees the body; an empty preview still needs one */
	resp->body = p.bytes != NULL ? (char *)p.bytes : xstrdup("");
	resp->body_len = p.len;
	p.bytes = NULL;
	hub_preview_clear(&p);
}

/* ecii extension: sites upload the previews their collections list. */
static void put_preview(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	const char *type;
	char err[512] = "";

	if (hub_check_site(hub, req, req->param, "upload previews", resp) != 0)
		return;
	if (!hub_preview_id_valid(req->param2)) {
		server_response_error(resp, 400,
		                      "a preview id is 1 to %d of A-Z a-z 0-9 . _ -, starting with "
		                      "a letter or digit",
		                      HUB_PREVIEW_ID_MAX);
		return;
	}
	type = upload_type(server_request_header(req, "Content-Type"));
	if (type == NULL) {
		server_response_error(resp, 415,
		                      "a preview is sent as application/dicom or image/png");
		return;
	}
	if (req->body_len > HUB_PREVIEW_MAX) {
		server_response_error(resp, 413, "a preview is at most %d bytes", HUB_PREVIEW_MAX);
		return;
	}
	switch (hub_store_preview_put(hub->store, req->param, req->param2, type, req->body,
	                              req->body_len, (int64_t)time(NULL), err, sizeof err)) {
	case HUB_PREVIEW_STORED:
		resp->status = 204;
		break;
	case HUB_PREVIEW_UNLISTED:
		server_response_error(resp, 404, "%s; publish the collection listing it first",
		                      err);
		break;
	case HUB_PREVIEW_OTHER_SITE:
		server_response_error(resp, 409, "%s", err);
		break;
	default:
		server_response_error(resp, 500, "cannot store the preview: %s", err);
		break;
	}
}

const struct server_route hub_preview_routes[] = {
	{ "GET", "/api/catalogue/previews/{id}", get_preview },
	/* ecii extension */
	{ "PUT", "/api/catalogue/sites/{site}/previews/{id}", put_preview },
};
const size_t hub_preview_n_routes = sizeof hub_preview_routes / sizeof hub_preview_routes[0];

const struct server_body_limit hub_preview_body_limits[] = {
	{ "PUT", "/api/catalogue/sites/{site}/previews/{id}", HUB_PREVIEW_MAX },
};
const size_t hub_preview_n_body_limits =
    sizeof hub_preview_body_limits / sizeof hub_preview_body_limits[0];
