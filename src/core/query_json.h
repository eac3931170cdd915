/* The query AST as JSON (PROTOCOL.md §2, the Lens/Focus wire form): reading
 * it exactly, with an error naming the place, and writing it with members in
 * wire order. Knows nothing of the vocabulary (query_resolve() checks that). */
#ifndef ECII_CORE_QUERY_JSON_H
#define ECII_CORE_QUERY_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/query.h"

/* Limits on what is read; beyond them reading fails with a message. */
#define QUERY_MAX_GROUPS   64
#define QUERY_MAX_CRITERIA 256   /* per group */
#define QUERY_MAX_LEAVES   256   /* per criterion */
#define QUERY_MAX_STRINGS  256   /* per IN leaf */
#define QUERY_MAX_TEXT     65536 /* bytes of query text, JSON or the text syntax */

/* Builds a query from a parsed AST (ast borrowed). Returns new, or NULL with
 * err->message naming the place ("children[0].children[1]: ...", line and
 * column 0); err may be NULL. */
struct query *query_from_json(json_t *ast, struct query_error *err);
/* Parses len bytes of JSON text (NULL or over QUERY_MAX_TEXT is an error) and
 * builds the query. Returns new or NULL; syntax errors carry jansson's line
 * and column. */
struct query *query_from_json_text(const char *text, size_t len, struct query_error *err);
/* Returns the AST of q as new JSON; numbers are integers when integral and
 * below 2^53 in magnitude; open range ends are null. */
json_t *query_to_json(const struct query *q);
/* Returns q's AST as new text (caller frees): compact unless pretty, members
 * in wire order, reals with at most 15 significant digits. This compact text
 * is what the cohort hash is taken over. */
char *query_to_json_text(const struct query *q, bool pretty);

/* Returns x as the wire keeps it: unchanged when an integer below 2^53 in
 * magnitude, else rounded to 15 significant digits; -0 becomes 0. Reading
 * JSON or text applies it, so what is read is what will be written. */
double query_json_round_number(double x);

#endif
