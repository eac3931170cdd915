/* A site answering count queries over its own store: load its columns once,
 * then for each query count, apply the privacy rule and build the PROTOCOL.md
 * §3 payload. ecii-node serves it over the network; ecii's local mode calls
 * it in-process for each demo site. */
#ifndef ECII_NODE_SITE_H
#define ECII_NODE_SITE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/query.h"
#include "core/vocab.h"
#include "store/site_store.h"

struct node_site {
	char *path; /* the store's, for what is read on demand (previews) */
	struct site_info info;
	json_t *items; /* the site's §5 catalogue items */
	struct site_data *data;
	const struct vocab *vocab; /* borrowed */
};

/* Opens the store at path and loads it. Returns new or NULL with err set. */
struct node_site *node_site_open(const char *path, const struct vocab *v, char *err, size_t errlen);
void node_site_close(struct node_site **s);
/* Counts q and returns the payload (new), privacy rule applied unless exact
 * (the site operator's own view). */
json_t *node_site_answer(struct node_site *s, const struct query *q, bool exact);

#endif
