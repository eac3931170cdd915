/* The query AST of PROTOCOL.md §2: an OR of AND-groups, each group an AND
 * of criteria, each criterion an OR of leaves on one key. The model keeps
 * keys and values as the wire has them; query_resolve() checks them against
 * the vocabulary. Text and JSON forms live in query_text.c / query_json.c. */
#ifndef ECII_CORE_QUERY_H
#define ECII_CORE_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/vocab.h"

enum query_op {
	QUERY_EQUALS,
	QUERY_NOT_EQUALS,
	QUERY_IN,
	QUERY_BETWEEN,
	QUERY_LOWER_THAN,
	QUERY_GREATER_THAN,
	QUERY_CONTAINS,
};

enum query_value_type {
	QUERY_VALUE_STRING,
	QUERY_VALUE_NUMBER,
	QUERY_VALUE_BOOL,
	QUERY_VALUE_STRINGS, /* IN */
	QUERY_VALUE_RANGE,   /* BETWEEN: {"min","max"}; NAN = open end */
};

struct query_leaf {
	enum query_op op;
	enum query_value_type vtype;
	char *str;    /* STRING */
	double num;   /* NUMBER */
	bool boolean; /* BOOL */
	char **strs;  /* STRINGS */
	size_t n_strs;
	double min; /* RANGE */
	double max;
};

struct query_criterion {
	char *key;
	struct query_leaf *leaves;
	size_t n_leaves;
};

struct query_group {
	struct query_criterion *criteria;
	size_t n_criteria;
};

struct query {
	struct query_group *groups; /* none = everything */
	size_t n_groups;
};

/* An error in a query with its place (1-based; 0 when not known). */
struct query_error {
	int line;
	int column;
	char message[256];
};

struct query *query_new(void);
void query_free(struct query **q);
/* Returns a new deep copy. */
struct query *query_copy(const struct query *q);
/* Appends an empty group / criterion / leaf and returns it, borrowed. */
struct query_group *query_add_group(struct query *q);
struct query_criterion *query_add_criterion(struct query_group *g, const char *key);
struct query_leaf *query_add_leaf(struct query_criterion *c, enum query_op op);
/* Remove criterion i of g / group i of q (in range), freeing it. */
void query_remove_criterion(struct query_group *g, size_t i);
void query_remove_group(struct query *q, size_t i);
const char *query_op_name(enum query_op op);
/* Returns 0 and sets *op for a wire name ("EQUALS", ...); -1 if unknown. */
int query_op_from_name(const char *name, enum query_op *op);

/* Deep equality (order-sensitive). */
bool query_equal(const struct query *a, const struct query *b);

/* Checks every key and value against the vocabulary: 0, or -1 with err set
 * (e.g. "unknown criterion key 'X'"). Unknown keys are allowed when
 * allow_unknown is set (a site reports them as unsupported). */
int query_resolve(const struct vocab *v, const struct query *q, bool allow_unknown,
                  struct query_error *err);

/* Rewrites q into canonical form: groups and criteria in vocabulary order,
 * values sorted and unique, ranges normalised, duplicate groups removed. */
void query_canonicalize(const struct vocab *v, struct query *q);
/* The cohort hash: lower-case hex SHA-256 of the canonical AST JSON (compact,
 * members in wire order) of a canonical copy of q. */
void query_hash(const struct vocab *v, const struct query *q, char out[65]);

/* True if q is a single AND of ORs with one value per criterion, the only
 * shape some EUCAIM sites accept (PROTOCOL.md §1): warn before sending a query
 * for which this is false. */
bool query_shape_is_strict(const struct query *q);

#endif
