/* The cohort being built in the explorer: a canonical query with its text
 * and hash, edited field by field (the builder) or as text (the query
 * line), with undo and redo. Every edit leaves the cohort canonical; an
 * edit that would not parse leaves it unchanged. Pure: no I/O. */
#ifndef ECII_CORE_COHORT_H
#define ECII_CORE_COHORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/query.h"
#include "core/vocab.h"

#define COHORT_MAX_UNDO 200

struct cohort {
	const struct vocab *vocab; /* borrowed */
	struct query *query;       /* canonical; no groups = everything */
	char *text;                /* canonical text ("*" for everything) */
	char hash[65];
	unsigned long version; /* bumped by every change, for callers to notice */
	size_t focus;          /* the group the last edit touched (groups are kept in
	                          canonical order, so an edit can move its group) */
	char **undo;           /* earlier texts, oldest first */
	size_t n_undo;
	char **redo;
	size_t n_redo;
};

/* An empty cohort (everything). Returns new. */
struct cohort *cohort_new(const struct vocab *v);
void cohort_free(struct cohort **c);

/* Replaces the cohort by text in the query syntax. Returns 0, or -1 with
 * err set (line, column, message) and the cohort unchanged. */
int cohort_set_text(struct cohort *c, const char *text, struct query_error *err);
/* Back to everything (undoable). */
void cohort_clear(struct cohort *c);
/* Undo / redo the last change; false when there is nothing to undo/redo. */
bool cohort_undo(struct cohort *c);
bool cohort_redo(struct cohort *c);

/* The builder's edits, on group g of the query (g == n_groups adds a new
 * group; a group left empty disappears). Each is one undoable change and
 * returns 0, or -1 when the arguments make no sense (field of the wrong
 * type, value out of range, group out of range). */

/* Adds value (an index into f's values) to f's criterion in g, or removes
 * it if present. Values of one field are ORed; a negated field's values
 * are all excluded. */
int cohort_toggle_value(struct cohort *c, size_t g, const struct vocab_field *f, size_t value);
/* Replaces f's criteria in g by what text says in the query syntax after
 * "field:" (e.g. "50..70", ">40", "<=30,>80", "mr,ct", "-toshiba" to
 * exclude); empty text removes them. Returns 0, or -1 with err set (its
 * column counted in text) and the cohort unchanged. */
int cohort_set_field_text(struct cohort *c, size_t g, const struct vocab_field *f, const char *text,
                          struct query_error *err);
/* The text cohort_set_field_text would take for f's criteria in g ("" if
 * none). New. */
char *cohort_field_text(const struct cohort *c, size_t g, const struct vocab_field *f);
/* Flips f in g between "one of these values" and "none of these values". */
int cohort_negate(struct cohort *c, size_t g, const struct vocab_field *f);
/* Removes every criterion on f in g. */
int cohort_clear_field(struct cohort *c, size_t g, const struct vocab_field *f);
/* Removes group g. */
int cohort_remove_group(struct cohort *c, size_t g);

/* What group g says of f, for drawing the builder. */
struct cohort_field_view {
	bool present;                    /* g has criteria on f */
	bool negated;                    /* they exclude values */
	bool selected[VOCAB_MAX_VALUES]; /* categorical: the values named */
};
void cohort_field_view(const struct cohort *c, size_t g, const struct vocab_field *f,
                       struct cohort_field_view *out);

#endif
