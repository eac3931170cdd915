/* catalogue.db: the hub's collection list as a client keeps it (its cache,
 * with the ETag it was fetched under) and as the demo ships it. Each
 * collection is kept whole, as its PROTOCOL.md §5 item in compact JSON;
 * id, site and name are copied out only to key and order it. Every value is
 * bound; statements are prepared once.
 *
 * Schema (version 1):
 *   meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)
 *        -- etag, fetched_at, source ("demo", or the hub URL), synthetic ("1")
 *   collections(id TEXT PRIMARY KEY, site TEXT NOT NULL, name TEXT NOT NULL,
 *        item TEXT NOT NULL)
 *   schema_version(version INTEGER NOT NULL)
 * The header's application id (0x65636963, "ecic") tells it from a site
 * store, which also has schema version 1.
 */
#ifndef ECII_STORE_CATALOGUE_STORE_H
#define ECII_STORE_CATALOGUE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct catalogue_store;

/* Opens path read-only (create false: the file must exist and may sit on a
 * read-only file system), or read-write, creating it when missing (create
 * true). Refuses a file that is not a catalogue or whose schema is newer
 * than the code. Returns new or NULL with err set. */
struct catalogue_store *catalogue_store_open(const char *path, bool create, char *err,
                                             size_t errlen);
/* Closes *s (rolling back an open transaction) and clears it; NULL is a no-op. */
void catalogue_store_close(struct catalogue_store **s);

/* Writes between begin and commit are one transaction; without begin each
 * write is its own. Return 0 or -1 with err set. */
int catalogue_store_begin(struct catalogue_store *s, char *err, size_t errlen);
int catalogue_store_commit(struct catalogue_store *s, char *err, size_t errlen);

/* Inserts or replaces the collection whose id is item's "id"; site_id is the
 * site that holds it (copied). item: borrowed; needs string "id" and "name".
 * Returns 0 or -1 with err set. */
int catalogue_store_put(struct catalogue_store *s, const char *site_id, json_t *item, char *err,
                        size_t errlen);
/* Removes every collection (before a full refresh). Returns 0 or -1. */
int catalogue_store_clear(struct catalogue_store *s, char *err, size_t errlen);
/* Every item, ordered by name then id: a new array, or NULL with err set. */
json_t *catalogue_store_list(struct catalogue_store *s, char *err, size_t errlen);
/* The item with this id: new, or NULL. When it is simply not there err is
 * set to ""; on a read error err says why. */
json_t *catalogue_store_get(struct catalogue_store *s, const char *id, char *err, size_t errlen);

/* Sets meta key to value (both copied). Returns 0 or -1 with err set. */
int catalogue_store_set_meta(struct catalogue_store *s, const char *key, const char *value,
                             char *err, size_t errlen);
/* The value of meta key: new, or NULL when unset or unreadable. */
char *catalogue_store_get_meta(struct catalogue_store *s, const char *key);

#endif
