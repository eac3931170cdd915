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

/* A closed interval [lo, hi]; open ends are moved to the next double in,
 * which is exact, so each test is two comparisons and no branch. */
struct interval {
	double lo, hi;
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
	uint32_t fail[256];  /* categorical: the field's bit for codes not accepted */
	struct num_criterion *crit;
	size_t n_crit;
};

struct group_plan {
	bool never; /* holds a criterion this site cannot evaluate */
	uint32_t subject_bits, study_bits;
	struct field_test *tests;
	size_t n_tests;
	/* When the group tests one study-level field only: that field and the
	 * set of its codes that pass, so "has a study that passes" is one test
	 * against the subject's study code set. */
	int study_field;
	uint16_t study_accept;
};

struct plan {
	struct group_plan *groups;
	size_t n_groups;
	uint32_t all_bits;
	/* The study-level fields, whose stratifiers need per-study work. */
	size_t study_fields[VOCAB_MAX_FIELDS], n_study_fields;
};

static void add_interval(struct num_criterion *c, double lo, bool lo_open, double hi, bool hi_open)
{
	c->iv = xreallocarray(c->iv, c->n + 1, sizeof *c->iv);
	c->iv[c->n++] = (struct interval){ lo_open ? nextafter(lo, INFINITY) : lo,
		                           hi_open ? nextafter(hi, -INFINITY) : hi };
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
	r->unsupported =
	    xreallocarray(r->unsupported, r->n_unsupported + 1, sizeof *r->unsupported);
	r->unsupported[r->n_unsupported++] = xstrdup(key);
}

static bool single_bit(uint32_t m)
{
	return m != 0 && (m & (m - 1)) == 0;
}

static void compile_group(const struct vocab *v, const struct query_group *qg, struct group_plan *g,
                          struct count_result *r)
{
	g->study_field = -1;
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
	for (size_t t = 0; t < g->n_tests; t++) {
		struct field_test *ft = &g->tests[t];

		for (size_t k = 0; ft->categorical && k < 256; k++)
			ft->fail[k] = ft->accept[k] ? 0 : 1u << ft->field;
		if (single_bit(g->study_bits) && g->study_bits == 1u << ft->field) {
			g->study_field = (int)ft->field;
			for (unsigned k = 0; k <= VOCAB_MAX_STUDY_VALUES; k++)
				g->study_accept |= (uint16_t)(ft->accept[k] ? 1u << k : 0);
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
	}
	/* The empty query is one group with no criteria: everything. */
	p->n_groups = q->n_groups == 0 ? 1 : q->n_groups;
	p->groups = xcalloc(p->n_groups, sizeof *p->groups);
	p->groups[0].study_field = -1;
	for (size_t g = 0; g < q->n_groups; g++)
		compile_group(v, &q->groups[g], &p->groups[g], r);
}

static bool in_intervals(const struct num_criterion *c, double x)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct interval *iv = &c->iv[i];

		if (x >= iv->lo && x <= iv->hi)
			return true;
	}
	return false;
}

/* Sets bit t->field in mask[i] for rows [row0, row0 + n) that fail. */
static void run_test(const struct site_data *d, const struct field_test *t, size_t row0, size_t n,
                     uint32_t *mask)
{
	uint32_t bit = 1u << t->field;

	if (t->categorical) {
		const uint8_t *col = d->cat[t->field] + row0;

		for (size_t i = 0; i < n; i++)
			mask[i] |= t->fail[col[i]];
		return;
	}
	for (size_t c = 0; c < t->n_crit; c++) {
		const struct num_criterion *nc = &t->crit[c];
		const double *col = d->num[t->field] + row0;

		if (nc->n == 1) {
			const struct interval iv = nc->iv[0];

			for (size_t i = 0; i < n; i++) {
				double x = col[i];
				uint32_t ok = (x >= iv.lo) & (x <= iv.hi);

				mask[i] |= bit & (ok - 1);
			}
		} else {
			for (size_t i = 0; i < n; i++)
				mask[i] |= in_intervals(nc, col[i]) ? 0 : bit;
		}
	}
}

/* Scanning state. Per block, each subject that counts anywhere gets an
 * entry in the selection: which fields' stratifiers it counts in (pass),
 * whether it matches the query (full), and for study-level fields the codes
 * of the studies that qualify it. Stratifiers are then summed column by
 * column over the selection. */
struct scan {
	const struct site_data *d;
	const struct plan *p;
	struct count_result *r;
	bool study_criteria; /* some group tests studies */
	uint32_t *smask;     /* n_groups x COUNT_BLOCK subject masks */
	uint32_t *stmask;    /* n_groups x stcap study masks */
	size_t stcap;
	/* The selection of the current block: subjects that match (full), and
	 * subjects that count only in the stratifiers of the fields that keep
	 * them out (near), with the fields as a mask. */
	size_t n_full, n_near;
	uint32_t full[COUNT_BLOCK], near[COUNT_BLOCK], near_pass[COUNT_BLOCK];
	uint16_t full_sets[VOCAB_MAX_FIELDS][COUNT_BLOCK]; /* by study field ordinal */
	uint16_t near_sets[VOCAB_MAX_FIELDS][COUNT_BLOCK];
	/* Stratifier columns by field ordinal within a level, and by field. */
	const uint8_t *study_col[VOCAB_MAX_FIELDS];
	const uint8_t *field_col[VOCAB_MAX_FIELDS];
	int study_ordinal[VOCAB_MAX_FIELDS];    /* -1 for subject-level fields */
	uint32_t study_clear[VOCAB_MAX_FIELDS]; /* by study ordinal: all bits but its own */
	/* Near misses count straight into per-field histograms; matches count
	 * into histograms of the site's packed keys and of study code sets,
	 * spread over the fields at the end (collect_strata). */
	uint64_t (*hist)[256];
	uint64_t *key_hist[VOCAB_MAX_FIELDS];
	uint64_t set_hist[VOCAB_MAX_FIELDS][256]; /* by study ordinal, for small sets */
};

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

/* Subject i when no group tests studies: every study qualifies it. */
static uint32_t judge_simple(const struct scan *s, size_t b, bool *full)
{
	uint32_t pass = 0;

	for (size_t g = 0; g < s->p->n_groups; g++) {
		uint32_t m = s->smask[g * COUNT_BLOCK + b];

		if (s->p->groups[g].never)
			continue;
		if (m == 0) {
			*full = true;
			return s->p->all_bits;
		}
		if (single_bit(m))
			pass |= m;
	}
	return pass;
}

/* Subject i in general: groups that test studies need a qualifying study,
 * and decide which study codes count for each study-level stratifier. With
 * one group, *n_match is set to the number of matching studies. */
static uint32_t judge_studies(struct scan *s, size_t b, size_t i, size_t st0, uint16_t *sets,
                              bool *full, uint64_t *n_match)
{
	const struct site_data *d = s->d;
	const struct plan *p = s->p;
	const uint32_t first = d->study_first[i], last = d->study_first[i + 1];
	uint32_t pass = 0;

	for (size_t g = 0; g < p->n_groups; g++) {
		const struct group_plan *gp = &p->groups[g];
		uint32_t sm = s->smask[g * COUNT_BLOCK + b], has1 = 0;
		const uint32_t *stm = s->stmask + g * s->stcap - st0;
		uint64_t n0 = 0;

		if (gp->never || (sm != 0 && !single_bit(sm)))
			continue;
		if (gp->study_bits == 0) {
			if (sm != 0) {
				pass |= sm;
				continue;
			}
			*full = true;
			*n_match = last - first;
			for (size_t k = 0; k < p->n_study_fields; k++)
				sets[k] |= d->study_set[p->study_fields[k]][i];
			continue;
		}
		if (sm != 0 && gp->study_field >= 0) {
			/* Only whether a study passes matters: this subject counts for
			 * sm's stratifier alone. */
			n0 = (d->study_set[gp->study_field][i] & gp->study_accept) != 0;
		} else if (sm != 0) {
			for (uint32_t j = first; j < last && n0 == 0; j++)
				n0 += stm[j] == 0;
		} else {
			for (uint32_t j = first; j < last; j++) {
				uint32_t m = stm[j];
				uint32_t one = (uint32_t) - (uint32_t)((m & (m - 1)) == 0);

				n0 += m == 0;
				has1 |= m & one;
				for (size_t k = 0; k < p->n_study_fields; k++) {
					uint32_t keep = (m & s->study_clear[k]) == 0;

					sets[k] |= (uint16_t)(keep << s->study_col[k][j]);
				}
			}
		}
		if (sm == 0) {
			*full = *full || n0 > 0;
			*n_match = n0;
			pass |= has1;
		} else if (n0 > 0) {
			pass |= sm;
		}
	}
	return *full ? p->all_bits : pass;
}

static void select_subjects(struct scan *s, size_t row0, size_t n, size_t st0)
{
	const struct site_data *d = s->d;
	const struct plan *p = s->p;

	s->n_full = s->n_near = 0;
	for (size_t b = 0; b < n; b++) {
		size_t i = row0 + b;
		uint16_t sets[VOCAB_MAX_FIELDS];
		bool full = false, alive = false;
		uint32_t pass;

		for (size_t g = 0; g < p->n_groups && !alive; g++) {
			uint32_t m = s->smask[g * COUNT_BLOCK + b];

			alive = !p->groups[g].never && (m & (m - 1)) == 0;
		}
		if (!alive)
			continue;
		for (size_t f = 0; f < p->n_study_fields; f++)
			sets[f] = 0;
		uint64_t n_match = d->study_first[i + 1] - d->study_first[i];

		pass = s->study_criteria ? judge_studies(s, b, i, st0, sets, &full, &n_match)
		                         : judge_simple(s, b, &full);
		if (full) {
			struct count_collection *c = &s->r->collections[d->subject_collection[i]];
			size_t k = s->n_full++;

			c->subjects++;
			c->studies += s->study_criteria && p->n_groups > 1
			                  ? matching_studies(s, b, i, st0)
			                  : n_match;
			s->full[k] = (uint32_t)i;
			for (size_t f = 0; f < p->n_study_fields; f++)
				s->full_sets[f][k] = s->study_criteria
				                         ? sets[f]
				                         : d->study_set[p->study_fields[f]][i];
		} else if (pass != 0) {
			size_t k = s->n_near++;

			s->near[k] = (uint32_t)i;
			s->near_pass[k] = pass;
			for (size_t f = 0; f < p->n_study_fields; f++)
				s->near_sets[f][k] = sets[f];
		}
	}
}

static void count_set(uint64_t *h, unsigned set)
{
	set &= ~1u; /* code 0: not recorded */
	while (set != 0) {
		h[__builtin_ctz(set)]++;
		set &= set - 1;
	}
}

/* Adds the block's selection to the stratifiers. */
static void count_selection(struct scan *s)
{
	const struct plan *p = s->p;
	const size_t n = s->n_full;
	const uint32_t *sel = s->full;

	for (size_t q = 0; q < s->d->n_keys; q++) {
		const uint16_t *codes = s->d->keys[q].codes;
		uint64_t *h = s->key_hist[q];

		for (size_t j = 0; j < n; j++)
			h[codes[sel[j]]]++;
	}
	for (size_t k = 0; k < p->n_study_fields; k++) {
		const uint16_t *sets = s->full_sets[k];
		size_t f = p->study_fields[k];

		if (s->d->vocab->fields[f].n_values < 8) {
			for (size_t j = 0; j < n; j++)
				s->set_hist[k][sets[j]]++;
		} else {
			for (size_t j = 0; j < n; j++)
				count_set(s->hist[f], sets[j]);
		}
	}
	for (size_t j = 0; j < s->n_near; j++) {
		uint32_t bits = s->near_pass[j];

		while (bits != 0) {
			unsigned f = (unsigned)__builtin_ctz(bits);
			int k = s->study_ordinal[f];

			if (k < 0)
				s->hist[f][s->field_col[f][s->near[j]]]++;
			else
				count_set(s->hist[f], s->near_sets[k][j]);
			bits &= bits - 1;
		}
	}
}

static void scan_block(struct scan *s, size_t row0, size_t n)
{
	const struct site_data *d = s->d;
	size_t st0 = d->study_first[row0], st_n = d->study_first[row0 + n] - st0;

	if (s->study_criteria && st_n > s->stcap) {
		s->stcap = st_n;
		s->stmask = xreallocarray(s->stmask, s->p->n_groups * s->stcap, sizeof *s->stmask);
	}
	for (size_t g = 0; g < s->p->n_groups; g++) {
		const struct group_plan *gp = &s->p->groups[g];
		uint32_t *sm = s->smask + g * COUNT_BLOCK;
		uint32_t *stm = gp->study_bits != 0 ? s->stmask + g * s->stcap : NULL;

		memset(sm, 0, n * sizeof *sm);
		if (stm != NULL)
			memset(stm, 0, st_n * sizeof *stm);
		for (size_t t = 0; t < gp->n_tests; t++) {
			const struct field_test *ft = &gp->tests[t];

			if (gp->subject_bits & (1u << ft->field))
				run_test(d, ft, row0, n, sm);
			else
				run_test(d, ft, st0, st_n, stm);
		}
	}
	select_subjects(s, row0, n, st0);
	count_selection(s);
}

/* Spreads the key and set histograms over their fields, then copies each
 * field's cells (code k + 1 is value k) into the result. */
static void collect_strata(const struct site_data *d, struct scan *s)
{
	const struct vocab *v = d->vocab;

	for (size_t q = 0; q < d->n_keys; q++) {
		const struct site_key *key = &d->keys[q];

		for (uint32_t c = 0; c < key->cells; c++) {
			uint32_t rest = c;

			if (s->key_hist[q][c] == 0)
				continue;
			for (size_t j = 0; j < key->n_fields; j++) {
				s->hist[key->fields[j]][rest % key->radix[j]] += s->key_hist[q][c];
				rest /= key->radix[j];
			}
		}
	}
	for (size_t k = 0; k < s->p->n_study_fields; k++)
		for (unsigned set = 0; set < 256; set++)
			for (unsigned b = 1; b < 8; b++)
				if (set & (1u << b))
					s->hist[s->p->study_fields[k]][b] += s->set_hist[k][set];
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
	struct scan *s = xcalloc(1, sizeof *s);

	r->n_collections = d->n_collections;
	r->collections = xcalloc(d->n_collections, sizeof *r->collections);
	plan_build(d->vocab, q, &p, r);
	s->d = d;
	s->p = &p;
	s->r = r;
	for (size_t g = 0; g < p.n_groups; g++)
		s->study_criteria = s->study_criteria || p.groups[g].study_bits != 0;
	for (size_t k = 0; k < p.n_study_fields; k++)
		s->study_col[k] = d->cat[p.study_fields[k]];
	for (size_t f = 0; f < d->vocab->n_fields; f++) {
		s->study_ordinal[f] = -1;
		s->field_col[f] = site_data_strata_column(d, f);
	}
	for (size_t k = 0; k < p.n_study_fields; k++) {
		s->study_ordinal[p.study_fields[k]] = (int)k;
		s->study_clear[k] = ~(1u << p.study_fields[k]);
	}
	s->hist = xcalloc(VOCAB_MAX_FIELDS, sizeof *s->hist);
	for (size_t k = 0; k < d->n_keys; k++)
		s->key_hist[k] = xcalloc(d->keys[k].cells, sizeof *s->key_hist[k]);
	s->smask = xreallocarray(NULL, p.n_groups * COUNT_BLOCK, sizeof *s->smask);
	for (size_t row0 = 0; row0 < d->n_subjects; row0 += COUNT_BLOCK) {
		size_t n = d->n_subjects - row0 < COUNT_BLOCK ? d->n_subjects - row0 : COUNT_BLOCK;

		scan_block(s, row0, n);
	}
	collect_strata(d, s);
	for (size_t c = 0; c < r->n_collections; c++) {
		r->subjects += r->collections[c].subjects;
		r->studies += r->collections[c].studies;
	}
	free(s->hist);
	for (size_t k = 0; k < d->n_keys; k++)
		free(s->key_hist[k]);
	free(s->smask);
	free(s->stmask);
	free(s);
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
