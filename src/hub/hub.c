/* The hub's state and the one route table made from its modules' tables. */
#include "config.h"

#include "hub/hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* Every module's route table, joined in this order into the hub's one. */
static const struct {
	const struct server_route *routes;
	const size_t *n_routes;
} hub_modules[] = {
	{ hub_catalogue_routes, &hub_catalogue_n_routes },
	{ hub_preview_routes, &hub_preview_n_routes },
	{ hub_beam_routes, &hub_beam_n_routes },
	{ hub_negotiator_routes, &hub_negotiator_n_routes },
};

struct hub *hub_new(struct hub_store *store, const struct vocab *vocab)
{
	struct hub *hub = xcalloc(1, sizeof *hub);

	hub->store = store;
	hub->vocab = vocab;
	hub->heartbeat = HUB_DEFAULT_HEARTBEAT;
	hub->task_ttl_ms = HUB_DEFAULT_TASK_TTL_MS;
	hub->beam = hub_beam_new();
	for (size_t i = 0; i < sizeof hub_modules / sizeof hub_modules[0]; i++)
		hub->n_routes += *hub_modules[i].n_routes;
	hub->routes = xreallocarray(NULL, hub->n_routes, sizeof *hub->routes);
	for (size_t i = 0, at = 0; i < sizeof hub_modules / sizeof hub_modules[0]; i++) {
		memcpy(hub->routes + at, hub_modules[i].routes,
		       *hub_modules[i].n_routes * sizeof *hub->routes);
		at += *hub_modules[i].n_routes;
	}
	return hub;
}

int hub_start(struct hub *hub, const char *address, uint16_t port, enum server_mode mode, char *err,
              size_t errlen)
{
	struct server_config cfg = {
		.address = address,
		.port = port,
		.mode = mode,
		.max_body = hub->max_body,
		.routes = hub->routes,
		.n_routes = hub->n_routes,
		.body_limits = hub_preview_body_limits,
		.n_body_limits = hub_preview_n_body_limits,
		.ctx = hub,
	};

	if (hub->server != NULL) {
		snprintf(err, errlen, "the hub is already serving");
		return -1;
	}
	if (hub->heartbeat <= 0)
		hub->heartbeat = HUB_DEFAULT_HEARTBEAT;
	hub->server = server_start(&cfg, err, errlen);
	return hub->server != NULL ? 0 : -1;
}

uint16_t hub_port(const struct hub *hub)
{
	return hub->server != NULL ? server_port(hub->server) : 0;
}

void hub_stop(struct hub *hub)
{
	server_stop(&hub->server);
}

void hub_free(struct hub **hub)
{
	if (hub == NULL || *hub == NULL)
		return;
	hub_stop(*hub);
	hub_beam_free(&(*hub)->beam); /* after the server: its streams use it */
	free((*hub)->routes);
	free(*hub);
	*hub = NULL;
}

int hub_check_site(struct hub *hub, const struct server_request *req, const char *site,
                   const char *action, struct server_response *resp)
{
	char err[512] = "", *holder = NULL;
	int found;

	if (req->token == NULL || req->token[0] == '\0') {
		server_response_error(resp, 401, "a site token is required");
		return -1;
	}
	found = hub_store_site_find_by_token(hub->store, req->token, &holder, err, sizeof err);
	if (found == 1) {
		int mine = site != NULL && strcmp(holder, site) == 0;

		free(holder);
		if (mine)
			return 0;
		server_response_error(resp, 403, "a site may %s only for itself", action);
		return -1;
	}
	if (found == 0)
		found = hub_store_user_find_by_token(hub->store, req->token, NULL, NULL, err,
		                                     sizeof err);
	if (found == 1)
		server_response_error(resp, 403, "only a site may %s", action);
	else if (found == 0)
		server_response_error(resp, 401, "unknown token");
	else
		server_response_error(resp, 500, "cannot check the token: %s", err);
	return -1;
}

int hub_check_user(struct hub *hub, const struct server_request *req, const char *action,
                   char **name, enum hub_role *role, struct server_response *resp)
{
	char err[512] = "";
	int found;

	if (name != NULL)
		*name = NULL;
	if (req->token == NULL || req->token[0] == '\0') {
		server_response_error(resp, 401, "a user token is required");
		return -1;
	}
	found = hub_store_user_find_by_token(hub->store, req->token, name, role, err, sizeof err);
	if (found == 1)
		return 0;
	if (found == 0)
		found = hub_store_site_find_by_token(hub->store, req->token, NULL, err, sizeof err);
	if (found == 1)
		server_response_error(resp, 403, "a site may not %s", action);
	else if (found == 0)
		server_response_error(resp, 401, "unknown token");
	else
		server_response_error(resp, 500, "cannot check the token: %s", err);
	return -1;
}
