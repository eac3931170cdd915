/* The query model: building, copying, comparing and checking an AST against
 * the vocabulary. No text or JSON here (query_text.c, query_json.c) and no
 * evaluation (count.c). */
#include "config.h"

#include "core/query.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

static const char *const op_names[] = {
	[QUERY_EQUALS] = "EQUALS",
	[QUERY_NOT_EQUALS] = "NOT_EQUALS",
	[QUERY_IN] = "IN",
	[QUERY_BETWEEN] = "BETWEEN",
	[QUERY_LOWER_THAN] = "LOWER_THAN",
	[QUERY_GREATER_THAN] = "GREATER_THAN",
	[QUERY_CONTAINS] = "CONTAINS",
};

#define N_OPS (sizeof op_names / sizeof op_names[0])

struct query *query_new(void)
{
	return xcalloc(1, sizeof(struct query));
}

static void leaf_clear(struct query_leaf *l)
{
	free(l->str);
	for (size_t i = 0; i < l->n_strs; i++)
		free(l->strs[i]);
	free(l->strs);
}

static void criterion_clear(struct query_criterion *c)
{
	for (size_t i = 0; i < c->n_leaves; i++)
		leaf_clear(&c->leaves[i]);
	free(c->leaves);
	free(c->key);
}

static void group_clear(struct query_group *g)
{
	for (size_t i = 0; i < g->n_criteria; i++)
		criterion_clear(&g->criteria[i]);
	free(g->criteria);
}

void query_remove_criterion(struct query_group *g, size_t i)
{
	criterion_clear(&g->criteria[i]);
	memmove(&g->criteria[i], &g->criteria[i + 1],
	        (g->n_criteria - i - 1) * sizeof *g->criteria);
	g->n_criteria--;
}

void query_remove_group(struct query *q, size_t i)
{
	group_clear(&q->groups[i]);
	memmove(&q->groups[i], &q->groups[i + 1], (q->n_groups - i - 1) * sizeof *q->groups);
	q->n_groups--;
}

void query_free(struct query **qp)
{
	struct query *q = *qp;

	if (q == NULL)
		return;
	for (size_t i = 0; i < q->n_groups; i++)
		group_clear(&q->groups[i]);
	free(q->groups);
	free(q);
	*qp = NULL;
}

static void leaf_copy(struct query_leaf *dst, const struct query_leaf *src)
{
	*dst = *src;
	dst->str = src->str != NULL ? xstrdup(src->str) : NULL;
	dst->strs = NULL;
	if (src->n_strs > 0) {
		dst->strs = xcalloc(src->n_strs, sizeof *dst->strs);
		for (size_t i = 0; i < src->n_strs; i++)
			dst->strs[i] = xstrdup(src->strs[i] != NULL ? src->strs[i] : "");
	}
}

struct query *query_copy(const struct query *q)
{
	struct query *copy = query_new();

	if (q == NULL)
		return copy;
	for (size_t i = 0; i < q->n_groups; i++) {
		const struct query_group *g = &q->groups[i];
		struct query_group *cg = query_add_group(copy);

		for (size_t j = 0; j < g->n_criteria; j++) {
			const struct query_criterion *c = &g->criteria[j];
			struct query_criterion *cc = query_add_criterion(cg, c->key);

			cc->leaves = xcalloc(c->n_leaves, sizeof *cc->leaves);
			cc->n_leaves = c->n_leaves;
			for (size_t k = 0; k < c->n_leaves; k++)
				leaf_copy(&cc->leaves[k], &c->leaves[k]);
		}
	}
	return copy;
}

struct query_group *query_add_group(struct query *q)
{
	struct query_group *g;

	q->groups = xreallocarray(q->groups, q->n_groups + 1, sizeof *q->groups);
	g = &q->groups[q->n_groups++];
	memset(g, 0, sizeof *g);
	return g;
}

struct query_criterion *query_add_criterion(struct query_group *g, const char *key)
{
	struct query_criterion *c;

	g->criteria = xreallocarray(g->criteria, g->n_criteria + 1, sizeof *g->criteria);
	c = &g->criteria[g->n_criteria++];
	memset(c, 0, sizeof *c);
	c->key = xstrdup(key != NULL ? key : "");
	return c;
}

struct query_leaf *query_add_leaf(struct query_criterion *c, enum query_op op)
{
	struct query_leaf *l;

	c->leaves = xreallocarray(c->leaves, c->n_leaves + 1, sizeof *c->leaves);
	l = &c->leaves[c->n_leaves++];
	memset(l, 0, sizeof *l);
	l->op = op;
	switch (op) {
	case QUERY_IN:
		l->vtype = QUERY_VALUE_STRINGS;
		break;
	case QUERY_BETWEEN:
		l->vtype = QUERY_VALUE_RANGE;
		l->min = NAN;
		l->max = NAN;
		break;
	case QUERY_LOWER_THAN:
	case QUERY_GREATER_THAN:
		l->vtype = QUERY_VALUE_NUMBER;
		break;
	default:
		l->vtype = QUERY_VALUE_STRING;
		break;
	}
	return l;
}

const char *query_op_name(enum query_op op)
{
	if ((size_t)op >= N_OPS)
		return "UNKNOWN";
	return op_names[op];
}

int query_op_from_name(const char *name, enum query_op *op)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < N_OPS; i++) {
		if (strcmp(name, op_names[i]) == 0) {
			*op = (enum query_op)i;
			return 0;
		}
	}
	return -1;
}

static bool str_equal(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* Open range ends are NAN; two of them are the same end. */
static bool num_equal(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

static bool leaf_equal(const struct query_leaf *a, const struct query_leaf *b)
{
	if (a->op != b->op || a->vtype != b->vtype)
		return false;
	switch (a->vtype) {
	case QUERY_VALUE_STRING:
		return str_equal(a->str, b->str);
	case QUERY_VALUE_NUMBER:
		return num_equal(a->num, b->num);
	case QUERY_VALUE_BOOL:
		return a->boolean == b->boolean;
	case QUERY_VALUE_STRINGS:
		if (a->n_strs != b->n_strs)
			return false;
		for (size_t i = 0; i < a->n_strs; i++)
			if (!str_equal(a->strs[i], b->strs[i]))
				return false;
		return true;
	case QUERY_VALUE_RANGE:
		return num_equal(a->min, b->min) && num_equal(a->max, b->max);
	}
	return false;
}

static bool criterion_equal(const struct query_criterion *a, const struct query_criterion *b)
{
	if (!str_equal(a->key, b->key) || a->n_leaves != b->n_leaves)
		return false;
	for (size_t i = 0; i < a->n_leaves; i++)
		if (!leaf_equal(&a->leaves[i], &b->leaves[i]))
			return false;
	return true;
}

bool query_equal(const struct query *a, const struct query *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->n_groups != b->n_groups)
		return false;
	for (size_t i = 0; i < a->n_groups; i++) {
		const struct query_group *ga = &a->groups[i], *gb = &b->groups[i];

		if (ga->n_criteria != gb->n_criteria)
			return false;
		for (size_t j = 0; j < ga->n_criteria; j++)
			if (!criterion_equal(&ga->criteria[j], &gb->criteria[j]))
				return false;
	}
	return true;
}

static void set_error(struct query_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_error(struct query_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->line = 0;
	err->column = 0;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

/* Checks one categorical code; the message names the key and the value. */
static int resolve_code(const struct vocab_field *f, const char *code, struct query_error *err)
{
	if (code == NULL || vocab_value_by_code(f, code) < 0) {
		set_error(err, "unknown value '%.64s' for criterion '%s' (%s)",
		          code != NULL ? code : "", f->key, f->alias);
		return -1;
	}
	return 0;
}

static int resolve_categorical(const struct vocab_field *f, const struct query_leaf *l,
                               struct query_error *err)
{
	switch (l->op) {
	case QUERY_EQUALS:
	case QUERY_NOT_EQUALS:
		if (l->vtype != QUERY_VALUE_STRING) {
			set_error(err, "criterion '%s' (%s): %s needs a value code (a string)",
			          f->key, f->alias, query_op_name(l->op));
			return -1;
		}
		return resolve_code(f, l->str, err);
	case QUERY_IN:
		if (l->vtype != QUERY_VALUE_STRINGS) {
			set_error(err, "criterion '%s' (%s): IN needs a list of value codes",
			          f->key, f->alias);
			return -1;
		}
		for (size_t i = 0; i < l->n_strs; i++)
			if (resolve_code(f, l->strs[i], err) != 0)
				return -1;
		return 0;
	default:
		set_error(err, "criterion '%s' (%s) is categorical: %s is not allowed", f->key,
		          f->alias, query_op_name(l->op));
		return -1;
	}
}

static int resolve_numeric(const struct vocab_field *f, const struct query_leaf *l,
                           struct query_error *err)
{
	switch (l->op) {
	case QUERY_BETWEEN:
		if (l->vtype != QUERY_VALUE_RANGE) {
			set_error(err, "criterion '%s' (%s): BETWEEN needs {\"min\", \"max\"}",
			          f->key, f->alias);
			return -1;
		}
		if (l->min > l->max) {
			set_error(err, "criterion '%s' (%s): inverted range %.15g..%.15g", f->key,
			          f->alias, l->min, l->max);
			return -1;
		}
		return 0;
	case QUERY_EQUALS:
	case QUERY_LOWER_THAN:
	case QUERY_GREATER_THAN:
		if (l->vtype != QUERY_VALUE_NUMBER || !isfinite(l->num)) {
			set_error(err, "criterion '%s' (%s): %s needs a number", f->key, f->alias,
			          query_op_name(l->op));
			return -1;
		}
		return 0;
	default:
		set_error(err, "criterion '%s' (%s) is numeric: %s is not allowed", f->key,
		          f->alias, query_op_name(l->op));
		return -1;
	}
}

int query_resolve(const struct vocab *v, const struct query *q, bool allow_unknown,
                  struct query_error *err)
{
	for (size_t i = 0; i < q->n_groups; i++) {
		const struct query_group *g = &q->groups[i];

		for (size_t j = 0; j < g->n_criteria; j++) {
			const struct query_criterion *c = &g->criteria[j];
			const struct vocab_field *f = vocab_field_by_key(v, c->key);

			if (f == NULL) {
				if (allow_unknown)
					continue;
				set_error(err, "unknown criterion key '%.64s'", c->key);
				return -1;
			}
			for (size_t k = 0; k < c->n_leaves; k++) {
				const struct query_leaf *l = &c->leaves[k];
				int rc = f->type == VOCAB_CATEGORICAL
				             ? resolve_categorical(f, l, err)
				             : resolve_numeric(f, l, err);

				if (rc != 0)
					return -1;
			}
		}
	}
	return 0;
}

bool query_shape_is_strict(const struct query *q)
{
	if (q->n_groups > 1)
		return false;
	for (size_t i = 0; i < q->n_groups; i++) {
		const struct query_group *g = &q->groups[i];

		for (size_t j = 0; j < g->n_criteria; j++) {
			const struct query_criterion *c = &g->criteria[j];

			if (c->n_leaves != 1)
				return false;
			/* An IN leaf carries several values in one leaf. */
			if (c->leaves[0].vtype == QUERY_VALUE_STRINGS && c->leaves[0].n_strs != 1)
				return false;
		}
	}
	return true;
}
