/* The query text syntax users type (DESIGN.md "Text query syntax"):
 * `sex:male diagnosis:prostate age:50..70 -manufacturer:toshiba`, groups
 * joined by OR, `*` for everything. Parsing resolves names against the
 * vocabulary; printing gives back aliases. No I/O, no terminal. */
#ifndef ECII_CORE_QUERY_TEXT_H
#define ECII_CORE_QUERY_TEXT_H

#include "core/query.h"
#include "core/vocab.h"

/* Parses text (borrowed, NUL-terminated, at most QUERY_MAX_TEXT bytes) with
 * the vocabulary v (borrowed). Returns new, or NULL with err set: the 1-based
 * line and column of the offending token and a one-line message; err may
 * be NULL. NULL or blank text is the error "empty query". */
struct query *query_parse_text(const struct vocab *v, const char *text, struct query_error *err);
/* Returns q printed in the text syntax as new text (caller frees). Prints q
 * as it is: canonicalise first for the canonical form. NULL or the empty
 * query prints as `*`; keys and codes not in v (v may be NULL) print raw.
 * A query the syntax cannot say (an OR mixing EQUALS and NOT_EQUALS,
 * booleans, ranges on categorical fields) prints in a form parsing refuses. */
char *query_print_text(const struct vocab *v, const struct query *q);

#endif
