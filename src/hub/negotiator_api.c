/* The access-request API under /api/v3, ecii's subset of the BBMRI-ERIC
 * Negotiator v3 (PROTOCOL.md §6): who the caller is, and the requests,
 * negotiations, their lifecycles, posts and timeline as they come. Every
 * route but POST /api/v3/requests needs a user's bearer token (§7): none or
 * nobody's is 401, a site's is 403, since a site is not a user; who may do
 * what beyond that is the route's to say, from the caller's roles. It must
 * not tell callers apart by anything but hub_check_user, and it must not
 * talk to the sites. */
#include "config.h"

#include <stdlib.h>

#include <jansson.h>

#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"

/* What a site is refused, in hub_check_user's "a site may not <action>". */
#define NEGOTIATOR_ACTION "use the access-request API"

/* The caller's Negotiator roles as a new array of upper-case names:
 * RESEARCHER for everyone, ADMIN (the DAC) for the hub's admins. */
static json_t *negotiator_roles(enum hub_role role)
{
	json_t *roles = json_array();

	json_array_append_new(roles, json_string("RESEARCHER"));
	if (role == HUB_ROLE_ADMIN)
		json_array_append_new(roles, json_string("ADMIN"));
	return roles;
}

/* GET /api/v3/userinfo: {"id","name","roles"}. A hub user has no id but
 * its name, so both are the name; it is the {uid} of the user routes. */
static void get_userinfo(void *ctx, const struct server_request *req, struct server_response *resp)
{
	struct hub *hub = ctx;
	enum hub_role role;
	char *name = NULL;

	if (hub_check_user(hub, req, NEGOTIATOR_ACTION, &name, &role, resp) != 0)
		return;
	server_response_json(resp, 200,
	                     json_pack("{s:s, s:s, s:o}", "id", name, "name", name, "roles",
	                               negotiator_roles(role)));
	free(name);
}

const struct server_route hub_negotiator_routes[] = {
	{ "GET", "/api/v3/userinfo", get_userinfo },
};
const size_t hub_negotiator_n_routes =
    sizeof hub_negotiator_routes / sizeof hub_negotiator_routes[0];
