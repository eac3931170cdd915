/* Reading and writing the query AST JSON of PROTOCOL.md §2. Reading is exact:
 * anything that is not the documented shape is refused with the place named,
 * extra members are ignored. Writing emits members in wire order. */
#include "config.h"

#include "core/query_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sanitize.h"
#include "util/xmalloc.h"

/* 2^53: integers below it are exact in a double and in every JSON reader. */
#define EXACT_INT_LIMIT 9007199254740992.0

/* Where in the AST an error is: "children[0].children[1]" or "top level". */
struct place {
	int depth;
	size_t index[3];
};

static void place_format(const struct place *p, char *out, size_t len)
{
	size_t used = 0;

	if (p->depth == 0) {
		snprintf(out, len, "top level");
		return;
	}
	out[0] = '\0';
	for (int i = 0; i < p->depth && used < len; i++) {
		int n = snprintf(out + used, len - used, "%schildren[%zu]", i > 0 ? "." : "",
		                 p->index[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static void place_error(struct query_error *err, const struct place *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void place_error(struct query_error *err, const struct place *p, const char *fmt, ...)
{
	char where[96], what[200];
	va_list ap;

	if (err == NULL)
		return;
	place_format(p, where, sizeof where);
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	err->line = 0;
	err->column = 0;
	snprintf(err->message, sizeof err->message, "%s: %s", where, what);
}

double query_json_round_number(double x)
{
	char tmp[64];

	if (x == 0)
		return 0.0;
	if (!isfinite(x) || (x == trunc(x) && fabs(x) < EXACT_INT_LIMIT))
		return x;
	snprintf(tmp, sizeof tmp, "%.15g", x);
	return strtod(tmp, NULL);
}

/* A JSON string as a C string, refusing embedded NULs. */
static const char *string_of(json_t *j)
{
	const char *s = json_string_value(j);

	if (s == NULL || strlen(s) != json_string_length(j))
		return NULL;
	return s;
}

/* The children array of an operand node, or NULL if j is not one. */
static json_t *node_children(json_t *j, const char *operand)
{
	const char *op = json_string_value(json_object_get(j, "operand"));
	json_t *children = json_object_get(j, "children");

	if (!json_is_object(j) || op == NULL || strcmp(op, operand) != 0 ||
	    !json_is_array(children))
		return NULL;
	return children;
}

static int read_number_or_null(json_t *j, double *out)
{
	if (j == NULL || json_is_null(j)) {
		*out = NAN;
		return 0;
	}
	if (!json_is_number(j))
		return -1;
	*out = query_json_round_number(json_number_value(j));
	return 0;
}

static int read_value(struct query_leaf *l, json_t *value, const struct place *p,
                      struct query_error *err)
{
	const char *name = query_op_name(l->op);
	size_t i;

	switch (l->op) {
	case QUERY_EQUALS:
	case QUERY_NOT_EQUALS:
		if (json_is_string(value) && string_of(value) != NULL) {
			l->vtype = QUERY_VALUE_STRING;
			l->str = xstrdup(string_of(value));
		} else if (json_is_number(value)) {
			l->vtype = QUERY_VALUE_NUMBER;
			l->num = query_json_round_number(json_number_value(value));
		} else if (json_is_boolean(value)) {
			l->vtype = QUERY_VALUE_BOOL;
			l->boolean = json_is_true(value);
		} else {
			place_error(err, p, "%s needs a string, number or boolean \"value\"", name);
			return -1;
		}
		return 0;
	case QUERY_IN:
		l->vtype = QUERY_VALUE_STRINGS;
		if (!json_is_array(value) || json_array_size(value) == 0) {
			place_error(err, p, "IN needs a non-empty array of strings as \"value\"");
			return -1;
		}
		if (json_array_size(value) > QUERY_MAX_STRINGS) {
			place_error(err, p, "too many IN values (at most %d)", QUERY_MAX_STRINGS);
			return -1;
		}
		l->strs = xcalloc(json_array_size(value), sizeof *l->strs);
		for (i = 0; i < json_array_size(value); i++) {
			json_t *item = json_array_get(value, i);

			if (string_of(item) == NULL) {
				place_error(err, p, "IN value[%zu] is not a string", i);
				return -1;
			}
			l->strs[l->n_strs++] = xstrdup(string_of(item));
		}
		return 0;
	case QUERY_BETWEEN:
		l->vtype = QUERY_VALUE_RANGE;
		if (!json_is_object(value)) {
			place_error(err, p,
			            "BETWEEN needs an object {\"min\", \"max\"} as \"value\"");
			return -1;
		}
		if (read_number_or_null(json_object_get(value, "min"), &l->min) != 0) {
			place_error(err, p, "BETWEEN \"min\" must be a number or null");
			return -1;
		}
		if (read_number_or_null(json_object_get(value, "max"), &l->max) != 0) {
			place_error(err, p, "BETWEEN \"max\" must be a number or null");
			return -1;
		}
		return 0;
	case QUERY_LOWER_THAN:
	case QUERY_GREATER_THAN:
		l->vtype = QUERY_VALUE_NUMBER;
		if (!json_is_number(value)) {
			place_error(err, p, "%s needs a number as \"value\"", name);
			return -1;
		}
		l->num = query_json_round_number(json_number_value(value));
		return 0;
	case QUERY_CONTAINS:
		l->vtype = QUERY_VALUE_STRING;
		if (string_of(value) == NULL) {
			place_error(err, p, "CONTAINS needs a string as \"value\"");
			return -1;
		}
		l->str = xstrdup(string_of(value));
		return 0;
	}
	place_error(err, p, "unknown type");
	return -1;
}

static int read_criterion(struct query_group *g, json_t *node, struct place *p,
                          struct query_error *err)
{
	json_t *leaves = node_children(node, "OR");
	struct query_criterion *c = NULL;
	size_t i;

	if (leaves == NULL) {
		place_error(err, p, "expected an OR node with \"children\"");
		return -1;
	}
	if (json_array_size(leaves) == 0) {
		place_error(err, p, "a criterion needs at least one leaf");
		return -1;
	}
	if (json_array_size(leaves) > QUERY_MAX_LEAVES) {
		place_error(err, p, "too many leaves (at most %d)", QUERY_MAX_LEAVES);
		return -1;
	}
	p->depth = 3;
	for (i = 0; i < json_array_size(leaves); i++) {
		json_t *leaf = json_array_get(leaves, i);
		const char *key = string_of(json_object_get(leaf, "key"));
		const char *type = json_string_value(json_object_get(leaf, "type"));
		json_t *value = json_object_get(leaf, "value");
		enum query_op op;

		p->index[2] = i;
		if (!json_is_object(leaf) || key == NULL || type == NULL || value == NULL) {
			place_error(err, p, "expected a leaf with \"key\", \"type\" and \"value\"");
			return -1;
		}
		if (query_op_from_name(type, &op) != 0) {
			place_error(err, p,
			            "unknown type '%.40s' (EQUALS, NOT_EQUALS, IN, BETWEEN, "
			            "LOWER_THAN, GREATER_THAN or CONTAINS)",
			            type);
			return -1;
		}
		if (c == NULL) {
			c = query_add_criterion(g, key);
		} else if (strcmp(key, c->key) != 0) {
			place_error(err, p, "key '%.40s' differs from the criterion's key '%.40s'",
			            key, c->key);
			return -1;
		}
		if (read_value(query_add_leaf(c, op), value, p, err) != 0)
			return -1;
	}
	p->depth = 2;
	return 0;
}

struct query *query_from_json(json_t *ast, struct query_error *err)
{
	struct query *q = query_new();
	struct place p = { 0 };
	json_t *groups = node_children(ast, "OR");
	size_t i;

	if (groups == NULL) {
		place_error(err, &p, "expected an OR node with \"children\"");
		goto fail;
	}
	if (json_array_size(groups) > QUERY_MAX_GROUPS) {
		place_error(err, &p, "too many groups (at most %d)", QUERY_MAX_GROUPS);
		goto fail;
	}
	for (i = 0; i < json_array_size(groups); i++) {
		json_t *group = json_array_get(groups, i);
		json_t *criteria = node_children(group, "AND");
		struct query_group *g;
		size_t j;

		p.depth = 1;
		p.index[0] = i;
		if (criteria == NULL) {
			place_error(err, &p, "expected an AND node with \"children\"");
			goto fail;
		}
		if (json_array_size(criteria) > QUERY_MAX_CRITERIA) {
			place_error(err, &p, "too many criteria (at most %d)", QUERY_MAX_CRITERIA);
			goto fail;
		}
		g = query_add_group(q);
		for (j = 0; j < json_array_size(criteria); j++) {
			json_t *node = json_array_get(criteria, j);

			p.depth = 2;
			p.index[1] = j;
			if (read_criterion(g, node, &p, err) != 0)
				goto fail;
		}
	}
	return q;
fail:
	query_free(&q);
	return NULL;
}

struct query *query_from_json_text(const char *text, size_t len, struct query_error *err)
{
	json_error_t jerr;
	json_t *ast;
	struct query *q;

	if (text == NULL) {
		if (err != NULL) {
			err->line = 0;
			err->column = 0;
			snprintf(err->message, sizeof err->message, "no query");
		}
		return NULL;
	}
	if (len > QUERY_MAX_TEXT) {
		if (err != NULL) {
			err->line = 0;
			err->column = 0;
			snprintf(err->message, sizeof err->message,
			         "query is too long (%zu bytes; at most %d)", len, QUERY_MAX_TEXT);
		}
		return NULL;
	}
	ast = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (ast == NULL) {
		if (err != NULL) {
			err->line = jerr.line > 0 ? jerr.line : 0;
			err->column = jerr.column > 0 ? jerr.column : 0;
			snprintf(err->message, sizeof err->message, "%s", jerr.text);
		}
		return NULL;
	}
	q = query_from_json(ast, err);
	json_decref(ast);
	return q;
}

/* Strings read are valid UTF-8; one built through the API may not be, and
 * jansson refuses those, so it goes out with the bad bytes replaced. */
static json_t *string_to_json(const char *s)
{
	json_t *j = json_string(s != NULL ? s : "");
	char *fixed;

	if (j != NULL)
		return j;
	fixed = sanitize_text(s);
	j = json_string(fixed);
	free(fixed);
	return j != NULL ? j : json_string("");
}

static json_t *number_to_json(double x)
{
	if (!isfinite(x))
		return json_null();
	if (x == trunc(x) && fabs(x) < EXACT_INT_LIMIT)
		return json_integer((json_int_t)x);
	return json_real(x);
}

static json_t *value_to_json(const struct query_leaf *l)
{
	json_t *arr;

	switch (l->vtype) {
	case QUERY_VALUE_STRING:
		return string_to_json(l->str);
	case QUERY_VALUE_NUMBER:
		return number_to_json(l->num);
	case QUERY_VALUE_BOOL:
		return json_boolean(l->boolean);
	case QUERY_VALUE_STRINGS:
		arr = json_array();
		for (size_t i = 0; i < l->n_strs; i++)
			json_array_append_new(arr, string_to_json(l->strs[i]));
		return arr;
	case QUERY_VALUE_RANGE:
		return json_pack("{s:o, s:o}", "min", number_to_json(l->min), "max",
		                 number_to_json(l->max));
	}
	return json_null();
}

json_t *query_to_json(const struct query *q)
{
	json_t *groups = json_array();

	for (size_t i = 0; q != NULL && i < q->n_groups; i++) {
		const struct query_group *g = &q->groups[i];
		json_t *criteria = json_array();

		for (size_t j = 0; j < g->n_criteria; j++) {
			const struct query_criterion *c = &g->criteria[j];
			json_t *leaves = json_array();

			for (size_t k = 0; k < c->n_leaves; k++) {
				const struct query_leaf *l = &c->leaves[k];

				json_array_append_new(leaves,
				                      json_pack("{s:o, s:s, s:o}", "key",
				                                string_to_json(c->key), "type",
				                                query_op_name(l->op), "value",
				                                value_to_json(l)));
			}
			json_array_append_new(
			    criteria, json_pack("{s:s, s:o}", "operand", "OR", "children", leaves));
		}
		json_array_append_new(
		    groups, json_pack("{s:s, s:o}", "operand", "AND", "children", criteria));
	}
	return json_pack("{s:s, s:o}", "operand", "OR", "children", groups);
}

char *query_to_json_text(const struct query *q, bool pretty)
{
	json_t *j = query_to_json(q);
	size_t flags = JSON_REAL_PRECISION(15) | (pretty ? JSON_INDENT(2) : JSON_COMPACT);
	char *dumped, *text;

	if (j == NULL)
		fatal("cannot build the query JSON");
	dumped = json_dumps(j, flags);
	json_decref(j);
	if (dumped == NULL)
		fatal("cannot write the query JSON");
	/* Hand back memory from our allocator, so callers simply free() it
	 * whatever allocator jansson was given. */
	text = xstrdup(dumped);
	free(dumped);
	return text;
}
