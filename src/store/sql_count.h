/* The plain SQL route to the same counts as count_run(): one SQL query for
 * the collections and one per stratifier, run by SQLite over the site store.
 * It is the engine's oracle in tests and its baseline in the benchmark. The
 * SQL's shape comes from the query; every value in it is bound. */
#ifndef ECII_STORE_SQL_COUNT_H
#define ECII_STORE_SQL_COUNT_H

#include <stddef.h>

#include "core/count.h"
#include "store/site_store.h"

/* Counts q over the store's data; collections indexed in id order, as
 * site_store_load() does. Returns new, or NULL with err set. */
struct count_result *sql_count_run(struct site_store *s, const struct vocab *v,
                                   const struct query *q, char *err, size_t errlen);

#endif
