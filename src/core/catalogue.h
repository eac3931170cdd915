/* The catalogue model: collections as PROTOCOL.md §5 items (JSON objects as
 * the hub serves them), with the reading and matching the views need. Items
 * come from outside: every accessor tolerates a missing or mistyped member. */
#ifndef ECII_CORE_CATALOGUE_H
#define ECII_CORE_CATALOGUE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

/* A string member, borrowed; "" if absent or not a string. */
const char *catalogue_item_str(json_t *item, const char *name);
/* A member of a nested object, e.g. ("provider", "name"); borrowed or "". */
const char *catalogue_item_str2(json_t *item, const char *outer, const char *name);
/* A count member; -1 if absent or not a non-negative number. */
int64_t catalogue_item_count(json_t *item, const char *name);
/* A string-array member joined with sep (non-strings skipped); new. */
char *catalogue_item_join(json_t *item, const char *name, const char *sep);

/* True if every word of text (split on spaces) occurs, case-insensitively,
 * in the item's id, name, acronym, description, provider, condition, body
 * parts or modalities. NULL or empty text matches everything. */
bool catalogue_item_matches(json_t *item, const char *text);

/* The item with the given id in an array of items (borrowed), or NULL. */
json_t *catalogue_find(json_t *items, const char *id);

#endif
