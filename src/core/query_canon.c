/* The canonical form of a query and the cohort hash taken over it: two
 * spellings of one cohort (aliases or codes, any order, duplicates, IN lists
 * or open ranges) canonicalise to the same AST and so the same hash. The
 * order used here is part of the hash: changing it changes every hash. */
#include "config.h"

#include "core/query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/query_json.h"
#include "util/hash.h"
#include "util/xmalloc.h"

typedef int (*cmp_fn)(const void *a, const void *b, const void *ctx);

/* A stable merge sort with a context, since qsort has none and qsort_r is
 * not portable. Sizes are bounded by the query limits. */
static void sort_ctx(void *base, size_t n, size_t size, cmp_fn cmp, const void *ctx)
{
	char *a = base, *tmp;
	size_t width, i;

	if (n < 2)
		return;
	tmp = xreallocarray(NULL, n, size);
	for (width = 1; width < n; width *= 2) {
		for (i = 0; i < n; i += 2 * width) {
			size_t lo = i, mid = i + width < n ? i + width : n;
			size_t hi = i + 2 * width < n ? i + 2 * width : n;
			size_t l = lo, r = mid, k = lo;

			while (l < mid && r < hi) {
				if (cmp(a + r * size, a + l * size, ctx) < 0)
					memcpy(tmp + k++ * size, a + r++ * size, size);
				else
					memcpy(tmp + k++ * size, a + l++ * size, size);
			}
			while (l < mid)
				memcpy(tmp + k++ * size, a + l++ * size, size);
			while (r < hi)
				memcpy(tmp + k++ * size, a + r++ * size, size);
		}
		memcpy(a, tmp, n * size);
	}
	free(tmp);
}

static int cmp_size(size_t a, size_t b)
{
	return a < b ? -1 : a > b;
}

/* Open ends (NAN) first, then numeric order. */
static int cmp_num(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(b) - isnan(a);
	return a < b ? -1 : a > b;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

/* Categorical codes in vocabulary order, unknown codes after them. */
static int cmp_code(const struct vocab_field *f, const char *a, const char *b)
{
	if (f != NULL && f->type == VOCAB_CATEGORICAL) {
		int ia = vocab_value_by_code(f, a != NULL ? a : "");
		int ib = vocab_value_by_code(f, b != NULL ? b : "");
		size_t ra = ia >= 0 ? (size_t)ia : f->n_values;
		size_t rb = ib >= 0 ? (size_t)ib : f->n_values;

		if (ra != rb)
			return cmp_size(ra, rb);
	}
	return cmp_str(a, b);
}

/* Leaves of one criterion (ctx: its field or NULL): by op, then value. */
static int cmp_leaf(const void *pa, const void *pb, const void *ctx)
{
	const struct query_leaf *a = pa, *b = pb;
	const struct vocab_field *f = ctx;
	int c;

	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if (a->vtype != b->vtype)
		return a->vtype < b->vtype ? -1 : 1;
	switch (a->vtype) {
	case QUERY_VALUE_STRING:
		return cmp_code(f, a->str, b->str);
	case QUERY_VALUE_NUMBER:
		return cmp_num(a->num, b->num);
	case QUERY_VALUE_BOOL:
		return (int)a->boolean - (int)b->boolean;
	case QUERY_VALUE_STRINGS:
		for (size_t i = 0; i < a->n_strs && i < b->n_strs; i++)
			if ((c = cmp_code(f, a->strs[i], b->strs[i])) != 0)
				return c;
		return cmp_size(a->n_strs, b->n_strs);
	case QUERY_VALUE_RANGE:
		if ((c = cmp_num(a->min, b->min)) != 0)
			return c;
		return cmp_num(a->max, b->max);
	}
	return 0;
}

static size_t field_rank(const struct vocab *v, const char *key)
{
	const struct vocab_field *f = vocab_field_by_key(v, key != NULL ? key : "");

	return f != NULL ? f->index : v->n_fields;
}

/* Criteria of one group (ctx: the vocabulary): by field, then leaves. */
static int cmp_criterion(const void *pa, const void *pb, const void *ctx)
{
	const struct query_criterion *a = pa, *b = pb;
	const struct vocab *v = ctx;
	size_t ra = field_rank(v, a->key), rb = field_rank(v, b->key);
	const struct vocab_field *f;
	int c;

	if (ra != rb)
		return cmp_size(ra, rb);
	if ((c = cmp_str(a->key, b->key)) != 0)
		return c;
	f = vocab_field_by_key(v, a->key);
	for (size_t i = 0; i < a->n_leaves && i < b->n_leaves; i++)
		if ((c = cmp_leaf(&a->leaves[i], &b->leaves[i], f)) != 0)
			return c;
	return cmp_size(a->n_leaves, b->n_leaves);
}

static void leaf_release(struct query_leaf *l)
{
	free(l->str);
	for (size_t i = 0; i < l->n_strs; i++)
		free(l->strs[i]);
	free(l->strs);
	memset(l, 0, sizeof *l);
}

static void criterion_release(struct query_criterion *c)
{
	for (size_t i = 0; i < c->n_leaves; i++)
		leaf_release(&c->leaves[i]);
	free(c->leaves);
	free(c->key);
	memset(c, 0, sizeof *c);
}

static void group_release(struct query_group *g)
{
	for (size_t i = 0; i < g->n_criteria; i++)
		criterion_release(&g->criteria[i]);
	free(g->criteria);
	memset(g, 0, sizeof *g);
}

/* IN lists become one EQUALS leaf per string. */
static void expand_in(struct query_criterion *c)
{
	size_t n = 0, k = 0;
	struct query_leaf *leaves;

	for (size_t i = 0; i < c->n_leaves; i++)
		n += c->leaves[i].vtype == QUERY_VALUE_STRINGS ? c->leaves[i].n_strs : 1;
	if (n == c->n_leaves) {
		bool any_in = false;

		for (size_t i = 0; i < c->n_leaves; i++)
			any_in |= c->leaves[i].vtype == QUERY_VALUE_STRINGS;
		if (!any_in)
			return;
	}
	leaves = xcalloc(n > 0 ? n : 1, sizeof *leaves);
	for (size_t i = 0; i < c->n_leaves; i++) {
		struct query_leaf *l = &c->leaves[i];

		if (l->vtype != QUERY_VALUE_STRINGS) {
			leaves[k++] = *l;
			continue;
		}
		for (size_t j = 0; j < l->n_strs; j++) {
			leaves[k].op = QUERY_EQUALS;
			leaves[k].vtype = QUERY_VALUE_STRING;
			leaves[k].str = l->strs[j];
			k++;
		}
		free(l->strs);
		free(l->str);
	}
	free(c->leaves);
	c->leaves = leaves;
	c->n_leaves = k;
}

/* Numbers as the wire keeps them; open ends and EQUALS on a numeric field
 * become the closed BETWEEN they mean. */
static void normalise_leaf(const struct vocab_field *f, struct query_leaf *l)
{
	bool numeric = f != NULL && f->type == VOCAB_NUMERIC;

	switch (l->vtype) {
	case QUERY_VALUE_NUMBER:
		l->num = query_json_round_number(l->num);
		if (numeric && l->op == QUERY_EQUALS && isfinite(l->num)) {
			l->op = QUERY_BETWEEN;
			l->vtype = QUERY_VALUE_RANGE;
			l->min = l->num;
			l->max = l->num;
			l->num = 0;
		}
		break;
	case QUERY_VALUE_RANGE:
		l->min = query_json_round_number(l->min);
		l->max = query_json_round_number(l->max);
		if (numeric && isnan(l->min))
			l->min = f->min;
		if (numeric && isnan(l->max))
			l->max = f->max;
		break;
	default:
		break;
	}
}

static void canonicalize_criterion(const struct vocab *v, struct query_criterion *c)
{
	const struct vocab_field *f = vocab_field_by_key(v, c->key);
	size_t kept = 0;

	expand_in(c);
	for (size_t i = 0; i < c->n_leaves; i++)
		normalise_leaf(f, &c->leaves[i]);
	sort_ctx(c->leaves, c->n_leaves, sizeof *c->leaves, cmp_leaf, f);
	for (size_t i = 0; i < c->n_leaves; i++) {
		if (kept > 0 && cmp_leaf(&c->leaves[kept - 1], &c->leaves[i], f) == 0)
			leaf_release(&c->leaves[i]);
		else
			c->leaves[kept++] = c->leaves[i];
	}
	c->n_leaves = kept;
}

static void canonicalize_group(const struct vocab *v, struct query_group *g)
{
	size_t kept = 0;

	for (size_t i = 0; i < g->n_criteria; i++)
		canonicalize_criterion(v, &g->criteria[i]);
	sort_ctx(g->criteria, g->n_criteria, sizeof *g->criteria, cmp_criterion, v);
	for (size_t i = 0; i < g->n_criteria; i++) {
		if (kept > 0 && cmp_criterion(&g->criteria[kept - 1], &g->criteria[i], v) == 0)
			criterion_release(&g->criteria[i]);
		else
			g->criteria[kept++] = g->criteria[i];
	}
	g->n_criteria = kept;
}

struct keyed_group {
	char *json;
	struct query_group group;
};

static int cmp_keyed_group(const void *pa, const void *pb, const void *ctx)
{
	const struct keyed_group *a = pa, *b = pb;

	(void)ctx;
	return strcmp(a->json, b->json);
}

void query_canonicalize(const struct vocab *v, struct query *q)
{
	struct keyed_group *keyed;
	size_t kept = 0;

	for (size_t i = 0; i < q->n_groups; i++) {
		if (q->groups[i].n_criteria > 0)
			continue;
		/* An empty AND is true, and so is the OR holding it: the
		 * query asks for everything, whose form is no group at all. */
		for (size_t j = 0; j < q->n_groups; j++)
			group_release(&q->groups[j]);
		free(q->groups);
		q->groups = NULL;
		q->n_groups = 0;
		return;
	}
	if (q->n_groups == 0)
		return;
	keyed = xcalloc(q->n_groups, sizeof *keyed);
	for (size_t i = 0; i < q->n_groups; i++) {
		struct query one = { &q->groups[i], 1 };

		canonicalize_group(v, &q->groups[i]);
		/* Each group is keyed by its compact JSON inside the same
		 * wrapper; no JSON object is a prefix of another, so the
		 * wrapper does not change the order. */
		keyed[i].json = query_to_json_text(&one, false);
		keyed[i].group = q->groups[i];
	}
	sort_ctx(keyed, q->n_groups, sizeof *keyed, cmp_keyed_group, NULL);
	for (size_t i = 0; i < q->n_groups; i++) {
		if (kept > 0 && strcmp(keyed[i].json, keyed[kept - 1].json) == 0) {
			group_release(&keyed[i].group);
			free(keyed[i].json);
			continue;
		}
		keyed[kept++] = keyed[i];
	}
	for (size_t i = 0; i < kept; i++) {
		q->groups[i] = keyed[i].group;
		free(keyed[i].json);
	}
	q->n_groups = kept;
	free(keyed);
}

void query_hash(const struct vocab *v, const struct query *q, char out[65])
{
	struct query *canon = query_copy(q);
	char *json;

	query_canonicalize(v, canon);
	json = query_to_json_text(canon, false);
	hash_sha256_hex(json, strlen(json), out);
	free(json);
	query_free(&canon);
}
