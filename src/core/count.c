/* The count engine. A query is first compiled into per-group tests: one
 * 256-entry table of accepted codes per categorical field, interval lists
 * per numeric criterion. Subjects are then scanned in blocks: each test runs
 * down its column and sets a "failed" bit per field, so a subject's mask
 * says which fields keep it out. A subject with an empty mask matches; one
 * with exactly one bit f still counts in f's stratifier, because the
 * stratifier of f is computed with f's own criteria left out. Study-level
 * fields get their own per-study masks: "has at least one study with" is
 * a study whose mask is empty (or is {f} for f's stratifier). */
#include "config.h"

#include "core/count.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define COUNT_BLOCK 1024

struct interval {
	double lo, hi;
	bool lo_open, hi_open;
};

/* A numeric criterion: passes if the value lies in any interval. */
struct num_criterion {
	struct interval *iv;
	size_t n;
};

struct field_test {
	size_t field;
	bool categorical;
	uint8_t accept[256]; /* categorical: AND over the field's criteria */
	struct num_criterion *crit;
	size_t n_crit;
};

struct group_plan {
	bool never; /* holds a criterion this site cannot evaluate */
	uint32_t subject_bits, study_bits;
	struct field_test *tests;
	size_t n_tests;
};

struct plan {
	struct group_plan *groups;
	size_t n_groups;
	uint32_t all_bits;
	/* Stratifier columns, split by level. */
	size_t subj_fields[VOCAB_MAX_FIELDS], n_subj_fields;
	size_t study_fields[VOCAB_MAX_FIELDS], n_study_fields;
};

static void add_interval(struct num_criterion *c, double lo, bool lo_open, double hi, bool hi_open)
{
	c->iv = xreallocarray(c->iv, c->n + 1, sizeof *c->iv);
	c->iv[c->n++] = (struct interval){ lo, hi, lo_open, hi_open };
}

static void compile_numeric_leaf(struct num_criterion *c, const struct query_leaf *l)
{
	switch (l->op) {
	case QUERY_BETWEEN:
		if (l->vtype == QUERY_VALUE_RANGE)
			add_interval(c, isnan(l->min) ? -INFINITY : l->min, false,
				     isnan(l->max) ? INFINITY : l->max, false);
		break;
	case QUERY_LOWER_THAN:
		if (l->vtype == QUERY_VALUE_NUMBER)
			add_interval(c, -INFINITY, false, l->num, true);
		break;
	case QUERY_GREATER_THAN:
		if (l->vtype == QUERY_VALUE_NUMBER)
			add_interval(c, l->num, true, INFINITY, false);
		break;
	case QUERY_EQUALS:
		if (l->vtype == QUERY_VALUE_NUMBER)
			add_interval(c, l->num, false, l->num, false);
		break;
	case QUERY_NOT_EQUALS:
		if (l->vtype == QUERY_VALUE_NUMBER) {
			add_interval(c, -INFINITY, false, l->num, true);
			add_interval(c, l->num, true, INFINITY, false);
		}
		break;
	default:
		break; /* other shapes match nothing */
	}
}

static void accept_code(const struct vocab_field *f, uint8_t accept[256], const char *code,
			bool negate)
{
	int v = vocab_value_by_code(f, code);

	for (size_t k = 1; k <= f->n_values; k++) {
		if (!negate && (int)k == v + 1)
			accept[k] = 1;
		if (negate && (int)k != v + 1)
			accept[k] = 1;
	}
}

static void compile_categorical_leaf(const struct vocab_field *f, uint8_t accept[256],
				     const struct query_leaf *l)
{
	if (l->op == QUERY_EQUALS && l->vtype == QUERY_VALUE_STRING)
		accept_code(f, accept, l->str, false);
	else if (l->op == QUERY_NOT_EQUALS && l->vtype == QUERY_VALUE_STRING)
		accept_code(f, accept, l->str, true);
	else if (l->op == QUERY_IN && l->vtype == QUERY_VALUE_STRINGS)
		for (size_t i = 0; i < l->n_strs; i++)
			accept_code(f, accept, l->strs[i], false);
}

static struct field_test *group_test(struct group_plan *g, const struct vocab_field *f)
{
	struct field_test *t;

	for (size_t i = 0; i < g->n_tests; i++)
		if (g->tests[i].field == f->index)
			return &g->tests[i];
	g->tests = xreallocarray(g->tests, g->n_tests + 1, sizeof *g->tests);
	t = &g->tests[g->n_tests++];
	memset(t, 0, sizeof *t);
	t->field = f->index;
	t->categorical = f->type == VOCAB_CATEGORICAL;
	if (t->categorical)
		memset(t->accept + 1, 1, f->n_values);
	if (f->level == VOCAB_STUDY)
		g->study_bits |= 1u << f->index;
	else
		g->subject_bits |= 1u << f->index;
	return t;
}

static void add_unsupported(struct count_result *r, const char *key)
{
	for (size_t i = 0; i < r->n_unsupported; i++)
		if (strcmp(r->unsupported[i], key) == 0)
			return;
	r->unsupported = xreallocarray(r->unsupported, r->n_unsupported + 1,
				       sizeof *r->unsupported);
	r->unsupported[r->n_unsupported++] = xstrdup(key);
}

static void compile_group(const struct vocab *v, const struct query_group *qg,
			  struct group_plan *g, struct count_result *r)
{
	for (size_t c = 0; c < qg->n_criteria; c++) {
		const struct query_criterion *qc = &qg->criteria[c];
		const struct vocab_field *f = vocab_field_by_key(v, qc->key);
		struct field_test *t;

		if (f == NULL) {
			g->never = true;
			add_unsupported(r, qc->key);
			continue;
		}
		t = group_test(g, f);
		if (t->categorical) {
			uint8_t accept[256] = { 0 };

			for (size_t l = 0; l < qc->n_leaves; l++)
				compile_categorical_leaf(f, accept, &qc->leaves[l]);
			for (size_t k = 0; k < 256; k++)
				t->accept[k] &= accept[k];
		} else {
			struct num_criterion nc = { NULL, 0 };

			for (size_t l = 0; l < qc->n_leaves; l++)
				compile_numeric_leaf(&nc, &qc->leaves[l]);
			t->crit = xreallocarray(t->crit, t->n_crit + 1, sizeof *t->crit);
			t->crit[t->n_crit++] = nc;
		}
	}
}

static void plan_free(struct plan *p)
{
	for (size_t g = 0; g < p->n_groups; g++) {
		for (size_t t = 0; t < p->groups[g].n_tests; t++) {
			struct field_test *ft = &p->groups[g].tests[t];

			for (size_t c = 0; c < ft->n_crit; c++)
				free(ft->crit[c].iv);
			free(ft->crit);
		}
		free(p->groups[g].tests);
	}
	free(p->groups);
}

static void plan_build(const struct vocab *v, const struct query *q, struct plan *p,
		       struct count_result *r)
{
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < v->n_fields; i++) {
		p->all_bits |= 1u << i;
		if (v->fields[i].level == VOCAB_STUDY)
			p->study_fields[p->n_study_fields++] = i;
		else
			p->subj_fields[p->n_subj_fields++] = i;
	}
	/* The empty query is one group with no criteria: everything. */
	p->n_groups = q->n_groups == 0 ? 1 : q->n_groups;
	p->groups = xcalloc(p->n_groups, sizeof *p->groups);
	for (size_t g = 0; g < q->n_groups; g++)
		compile_group(v, &q->groups[g], &p->groups[g], r);
}

static bool in_intervals(const struct num_criterion *c, double x)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct interval *iv = &c->iv[i];

		if ((iv->lo_open ? x > iv->lo : x >= iv->lo) &&
		    (iv->hi_open ? x < iv->hi : x <= iv->hi))
			return true;
	}
	return false;
}

/* Sets bit t->field in mask[i] for rows [row0, row0 + n) that fail. */
static void run_test(const struct site_data *d, const struct field_test *t, size_t row0,
		     size_t n, uint32_t *mask)
{
	uint32_t bit = 1u << t->field;

	if (t->categorical) {
		const uint8_t *col = d->cat[t->field] + row0;

		for (size_t i = 0; i < n; i++)
			mask[i] |= t->accept[col[i]] ? 0 : bit;
		return;
	}
	for (size_t c = 0; c < t->n_crit; c++) {
		const struct num_criterion *nc = &t->crit[c];
		const double *col = d->num[t->field] + row0;

		if (nc->n == 1) {
			const struct interval iv = nc->iv[0];

			for (size_t i = 0; i < n; i++) {
				double x = col[i];
				bool ok = (iv.lo_open ? x > iv.lo : x >= iv.lo) &&
					  (iv.hi_open ? x < iv.hi : x <= iv.hi);

				mask[i] |= ok ? 0 : bit;
			}
		} else {
			for (size_t i = 0; i < n; i++)
				mask[i] |= in_intervals(nc, col[i]) ? 0 : bit;
		}
	}
}

struct scan {
	const struct site_data *d;
	const struct plan *p;
	struct count_result *r;
	uint64_t (*hist)[256]; /* per field, by code */
	uint32_t *smask;       /* n_groups x COUNT_BLOCK subject masks */
	uint32_t *stmask;      /* n_groups x stcap study masks */
	size_t stcap;
};

static bool single_bit(uint32_t m)
{
	return m != 0 && (m & (m - 1)) == 0;
}

/* Studies of subject i that make it match: those passing the study tests
 * of a group whose subject tests it passes. */
static uint64_t matching_studies(const struct scan *s, size_t b, size_t i, size_t st0)
{
	const struct site_data *d = s->d;
	uint64_t n = 0;

	for (uint32_t j = d->study_first[i]; j < d->study_first[i + 1]; j++) {
		for (size_t g = 0; g < s->p->n_groups; g++) {
			const struct group_plan *gp = &s->p->groups[g];

			if (gp->never || s->smask[g * COUNT_BLOCK + b] != 0)
				continue;
			if (gp->study_bits == 0 || s->stmask[g * s->stcap + (j - st0)] == 0) {
				n++;
				break;
			}
		}
	}
	return n;
}

static void scan_subject(struct scan *s, size_t b, size_t i, size_t st0)
{
	const struct site_data *d = s->d;
	const struct plan *p = s->p;
	uint32_t pass = 0;
	uint64_t svals[VOCAB_MAX_FIELDS];
	bool full = false, any_study_vals = false;

	for (size_t g = 0; g < p->n_groups; g++) {
		const struct group_plan *gp = &p->groups[g];
		uint32_t sm = s->smask[g * COUNT_BLOCK + b];
		const uint32_t *stm = s->stmask + g * s->stcap;
		bool any0 = gp->study_bits == 0;
		uint32_t has1 = 0;

		if (gp->never || (sm != 0 && !single_bit(sm)))
			continue;
		if (sm == 0 && !any_study_vals) {
			memset(svals, 0, sizeof svals);
			any_study_vals = true;
		}
		for (uint32_t j = d->study_first[i]; j < d->study_first[i + 1]; j++) {
			uint32_t m = gp->study_bits != 0 ? stm[j - st0] : 0;


			if (m == 0)
				any0 = true;
			else if (single_bit(m))
				has1 |= m;
			if (sm != 0)
				continue;
			for (size_t k = 0; k < p->n_study_fields; k++) {
				size_t f = p->study_fields[k];

				if ((m & ~(1u << f)) == 0)
					svals[f] |= 1ull << site_data_strata_column(d, f)[j];
			}
		}
		if (sm == 0) {
			if (any0)
				full = true;
			pass |= has1;
		} else if (any0) {
			pass |= sm;
		}
	}
	if (full)
		pass = p->all_bits;
	if (pass == 0)
		return;
	for (size_t k = 0; k < p->n_subj_fields; k++) {
		size_t f = p->subj_fields[k];

		if (pass & (1u << f))
			s->hist[f][site_data_strata_column(d, f)[i]]++;
	}
	if (any_study_vals) {
		for (size_t k = 0; k < p->n_study_fields; k++) {
			size_t f = p->study_fields[k];
			uint64_t vals = svals[f] & ~1ull; /* bit 0: not recorded */

			if (!(pass & (1u << f)))
				continue;
			while (vals != 0) {
				s->hist[f][__builtin_ctzll(vals)]++;
				vals &= vals - 1;
			}
		}
	}
	if (full) {
		struct count_collection *c = &s->r->collections[d->subject_collection[i]];

		c->subjects++;
		c->studies += matching_studies(s, b, i, st0);
	}
}

static void scan_block(struct scan *s, size_t row0, size_t n)
{
	const struct site_data *d = s->d;
	size_t st0 = d->study_first[row0], st_n = d->study_first[row0 + n] - st0;

	if (st_n > s->stcap) {
		s->stcap = st_n;
		s->stmask = xreallocarray(s->stmask, s->p->n_groups * s->stcap, sizeof *s->stmask);
	}
	for (size_t g = 0; g < s->p->n_groups; g++) {
		const struct group_plan *gp = &s->p->groups[g];
		uint32_t *sm = s->smask + g * COUNT_BLOCK, *stm = s->stmask + g * s->stcap;

		memset(sm, 0, n * sizeof *sm);
		if (gp->study_bits != 0)
			memset(stm, 0, st_n * sizeof *stm);
		for (size_t t = 0; t < gp->n_tests; t++) {
			const struct field_test *ft = &gp->tests[t];

			if (gp->subject_bits & (1u << ft->field))
				run_test(d, ft, row0, n, sm);
			else
				run_test(d, ft, st0, st_n, stm);
		}
	}
	for (size_t b = 0; b < n; b++) {
		bool alive = false;

		for (size_t g = 0; g < s->p->n_groups && !alive; g++) {
			uint32_t m = s->smask[g * COUNT_BLOCK + b];

			alive = !s->p->groups[g].never && (m & (m - 1)) == 0;
		}
		if (alive)
			scan_subject(s, b, row0 + b, st0);
	}
}

static void collect_strata(const struct site_data *d, struct scan *s)
{
	const struct vocab *v = d->vocab;

	for (size_t f = 0; f < v->n_fields; f++) {
		size_t cells = v->fields[f].type == VOCAB_CATEGORICAL ? v->fields[f].n_values
								      : v->fields[f].n_bins;

		s->r->strata[f] = xcalloc(cells, sizeof *s->r->strata[f]);
		for (size_t k = 0; k < cells; k++)
			s->r->strata[f][k] = s->hist[f][k + 1];
	}
}

struct count_result *count_run(const struct site_data *d, const struct query *q)
{
	struct count_result *r = xcalloc(1, sizeof *r);
	struct plan p;
	struct scan s = { 0 };

	r->n_collections = d->n_collections;
	r->collections = xcalloc(d->n_collections, sizeof *r->collections);
	plan_build(d->vocab, q, &p, r);
	s.d = d;
	s.p = &p;
	s.r = r;
	s.hist = xcalloc(VOCAB_MAX_FIELDS, sizeof *s.hist);
	s.smask = xreallocarray(NULL, p.n_groups * COUNT_BLOCK, sizeof *s.smask);
	for (size_t row0 = 0; row0 < d->n_subjects; row0 += COUNT_BLOCK) {
		size_t n = d->n_subjects - row0 < COUNT_BLOCK ? d->n_subjects - row0 : COUNT_BLOCK;

		scan_block(&s, row0, n);
	}
	collect_strata(d, &s);
	for (size_t c = 0; c < r->n_collections; c++) {
		r->subjects += r->collections[c].subjects;
		r->studies += r->collections[c].studies;
	}
	free(s.hist);
	free(s.smask);
	free(s.stmask);
	plan_free(&p);
	return r;
}

void count_result_free(struct count_result **rp)
{
	struct count_result *r = *rp;

	if (r == NULL)
		return;
	free(r->collections);
	for (size_t f = 0; f < VOCAB_MAX_FIELDS; f++)
		free(r->strata[f]);
	for (size_t i = 0; i < r->n_unsupported; i++)
		free(r->unsupported[i]);
	free(r->unsupported);
	free(r);
	*rp = NULL;
}
