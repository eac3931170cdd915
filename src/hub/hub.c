/* The hub's state and the one route table made from its modules' tables. */
#include "config.h"

#include "hub/hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

struct hub *hub_new(struct hub_store *store, const struct vocab *vocab)
{
	struct hub *hub = xcalloc(1, sizeof *hub);

	hub->store = store;
	hub->vocab = vocab;
	hub->heartbeat = HUB_DEFAULT_HEARTBEAT;
	hub->task_ttl_ms = HUB_DEFAULT_TASK_TTL_MS;
	hub->beam = hub_beam_new();
	hub->n_routes = hub_catalogue_n_routes + hub_beam_n_routes;
	hub->routes = xreallocarray(NULL, hub->n_routes, sizeof *hub->routes);
	memcpy(hub->routes, hub_catalogue_routes, hub_catalogue_n_routes * sizeof *hub->routes);
	memcpy(hub->routes + hub_catalogue_n_routes, hub_beam_routes,
	       hub_beam_n_routes * sizeof *hub->routes);
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
