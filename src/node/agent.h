/* ecii-node's work loop (PROTOCOL.md §4): publish the site's collections
 * and the previews they list (each uploaded only when the hub's copy has
 * another SHA-256, an ecii extension), then long-poll the hub for count tasks and answer each one
 * through the site's count engine with the privacy rule applied (node/site.h). Only outbound
 * connections; when the hub is down or answers with an error the agent says so in the log and tries
 * again with exponential backoff and jitter. It must never send a count that did not go through the
 * privacy rule, and never log the token. */
#ifndef ECII_NODE_AGENT_H
#define ECII_NODE_AGENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "node/site.h"

#define NODE_AGENT_WAIT_S      20    /* the long poll's wait_time */
#define NODE_AGENT_BACKOFF_MS  500   /* the first retry's delay, doubled after each failure */
#define NODE_AGENT_BACKOFF_MAX 30000 /* the longest delay between retries */
#define NODE_AGENT_CLAIM_MS    20    /* claim first when answers take longer */

struct node_agent_config {
	const char *hub_url; /* borrowed: "http://host:port" */
	const char *token;   /* borrowed: the site's bearer token */
	int wait_time_s;     /* the long poll's wait (0: NODE_AGENT_WAIT_S; at most 30) */
	long backoff_ms;     /* 0: NODE_AGENT_BACKOFF_MS */
	long backoff_max_ms; /* 0: NODE_AGENT_BACKOFF_MAX */
	/* A task is claimed ("claimed", the researcher's "working") before it is
	 * counted only when this site's answers lately took longer than this
	 * (or none was timed yet): a site that answers in a few ms sends its
	 * answer alone, a third fewer requests per count. 0: NODE_AGENT_CLAIM_MS;
	 * < 0: always claim. */
	long claim_ms;
	/* publish, answer the tasks waiting now (no long poll) and return; any
	 * failure to reach the hub is then an error, not retried */
	bool once;
	const atomic_bool *stop; /* borrowed, may be NULL: checked between polls and
	                            while waiting; honoured within a second */
};

/* Serves site (borrowed; the site's id is its name at the hub) until
 * *cfg->stop is set (or, with once, after one round). The program has run
 * http_client_global_init(). Returns 0, or -1 with one line in err when serving
 * cannot go on: the hub refused the token (401/403) or the site's
 * collections (400), or, with once, the hub could not be reached. */
int node_agent_run(struct node_site *site, const struct node_agent_config *cfg, char *err,
                   size_t errlen);

#endif
