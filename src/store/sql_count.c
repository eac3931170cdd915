/* Counting with plain SQL, for comparison with the engine. */
#include "config.h"

#include "store/sql_count.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xmalloc.h"

/* SQL text with its bound values, in order. */
struct sql {
	struct buf text;
	struct bind {
		const char *str; /* borrowed; NULL for a number */
		double num;
	} * binds;
	size_t n_binds;
};

static void bind_str(struct sql *q, const char *s)
{
	q->binds = xreallocarray(q->binds, q->n_binds + 1, sizeof *q->binds);
	q->binds[q->n_binds++] = (struct bind){ s, 0 };
	buf_puts(&q->text, "?");
}

static void bind_num(struct sql *q, double x)
{
	q->binds = xreallocarray(q->binds, q->n_binds + 1, sizeof *q->binds);
	q->binds[q->n_binds++] = (struct bind){ NULL, x };
	buf_puts(&q->text, "?");
}

static void sql_free(struct sql *q)
{
	buf_free(&q->text);
	free(q->binds);
}

/* The column of field f qualified by its table alias (s or t). */
static void put_column(struct sql *q, const struct vocab_field *f)
{
	buf_printf(&q->text, "%s.%s", f->level == VOCAB_STUDY ? "t" : "s",
	           site_store_column(f->alias));
}

static void put_leaf(struct sql *q, const struct vocab_field *f, const struct query_leaf *l)
{
	bool numeric = f->type == VOCAB_NUMERIC;

	if (numeric && l->op == QUERY_BETWEEN && l->vtype == QUERY_VALUE_RANGE) {
		buf_putc(&q->text, '(');
		put_column(q, f);
		buf_puts(&q->text, " IS NOT NULL");
		if (!isnan(l->min)) {
			buf_puts(&q->text, " AND ");
			put_column(q, f);
			buf_puts(&q->text, " >= ");
			bind_num(q, l->min);
		}
		if (!isnan(l->max)) {
			buf_puts(&q->text, " AND ");
			put_column(q, f);
			buf_puts(&q->text, " <= ");
			bind_num(q, l->max);
		}
		buf_putc(&q->text, ')');
	} else if (numeric && l->vtype == QUERY_VALUE_NUMBER &&
	           (l->op == QUERY_LOWER_THAN || l->op == QUERY_GREATER_THAN ||
	            l->op == QUERY_EQUALS || l->op == QUERY_NOT_EQUALS)) {
		static const char *ops[] = { [QUERY_LOWER_THAN] = " < ",
			                     [QUERY_GREATER_THAN] = " > ",
			                     [QUERY_EQUALS] = " = ",
			                     [QUERY_NOT_EQUALS] = " <> " };

		put_column(q, f);
		buf_puts(&q->text, ops[l->op]);
		bind_num(q, l->num);
	} else if (!numeric && l->vtype == QUERY_VALUE_STRING &&
	           (l->op == QUERY_EQUALS || l->op == QUERY_NOT_EQUALS)) {
		put_column(q, f);
		buf_puts(&q->text, l->op == QUERY_EQUALS ? " = " : " <> ");
		bind_str(q, l->str);
	} else if (!numeric && l->op == QUERY_IN && l->vtype == QUERY_VALUE_STRINGS &&
	           l->n_strs > 0) {
		put_column(q, f);
		buf_puts(&q->text, " IN (");
		for (size_t i = 0; i < l->n_strs; i++) {
			if (i > 0)
				buf_puts(&q->text, ", ");
			bind_str(q, l->strs[i]);
		}
		buf_putc(&q->text, ')');
	} else {
		buf_puts(&q->text, "0");
	}
}

static void put_criterion(struct sql *q, const struct vocab_field *f,
                          const struct query_criterion *c)
{
	buf_putc(&q->text, '(');
	if (c->n_leaves == 0)
		buf_puts(&q->text, "0");
	for (size_t l = 0; l < c->n_leaves; l++) {
		if (l > 0)
			buf_puts(&q->text, " OR ");
		put_leaf(q, f, &c->leaves[l]);
	}
	buf_putc(&q->text, ')');
}

/* The criteria of group g at one level, leaving out field skip (or -1). */
static void put_level(struct sql *q, const struct vocab *v, const struct query_group *g,
                      enum vocab_level level, int skip)
{
	buf_puts(&q->text, "1");
	for (size_t c = 0; c < g->n_criteria; c++) {
		const struct vocab_field *f = vocab_field_by_key(v, g->criteria[c].key);

		if (f == NULL || f->level != level || (int)f->index == skip)
			continue;
		buf_puts(&q->text, " AND ");
		put_criterion(q, f, &g->criteria[c]);
	}
}

static bool group_has_unknown(const struct vocab *v, const struct query_group *g)
{
	for (size_t c = 0; c < g->n_criteria; c++)
		if (vocab_field_by_key(v, g->criteria[c].key) == NULL)
			return true;
	return false;
}

static bool group_has_study(const struct vocab *v, const struct query_group *g)
{
	for (size_t c = 0; c < g->n_criteria; c++) {
		const struct vocab_field *f = vocab_field_by_key(v, g->criteria[c].key);

		if (f != NULL && f->level == VOCAB_STUDY)
			return true;
	}
	return false;
}

/* How the WHERE clause treats each group's study criteria. */
enum study_mode {
	STUDY_EXISTS, /* subject has a study passing them */
	STUDY_JOINED, /* the joined study t passes them */
};

/* OR over the groups of: subject criteria AND study criteria, leaving out
 * field skip (or -1). The empty query matches everything. */
static void put_where(struct sql *q, const struct vocab *v, const struct query *qu, int skip,
                      enum study_mode mode)
{
	if (qu->n_groups == 0) {
		buf_puts(&q->text, "1");
		return;
	}
	buf_putc(&q->text, '(');
	for (size_t g = 0; g < qu->n_groups; g++) {
		const struct query_group *grp = &qu->groups[g];

		if (g > 0)
			buf_puts(&q->text, " OR ");
		if (group_has_unknown(v, grp)) {
			buf_puts(&q->text, "0");
			continue;
		}
		buf_putc(&q->text, '(');
		put_level(q, v, grp, VOCAB_SUBJECT, skip);
		if (mode == STUDY_JOINED) {
			buf_puts(&q->text, " AND ");
			put_level(q, v, grp, VOCAB_STUDY, skip);
		} else if (group_has_study(v, grp)) {
			buf_puts(&q->text, " AND EXISTS (SELECT 1 FROM studies t WHERE "
			                   "t.subject_id = s.id AND ");
			put_level(q, v, grp, VOCAB_STUDY, skip);
			buf_putc(&q->text, ')');
		}
		buf_putc(&q->text, ')');
	}
	buf_putc(&q->text, ')');
}

/* Runs q, calling row(ctx, statement) for each result row. */
static int run(sqlite3 *db, struct sql *q, void (*row)(void *, sqlite3_stmt *), void *ctx,
               char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, buf_str(&q->text), -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "SQL: %s", sqlite3_errmsg(db));
		return -1;
	}
	for (size_t i = 0; i < q->n_binds; i++) {
		if (q->binds[i].str != NULL)
			sqlite3_bind_text(st, (int)i + 1, q->binds[i].str, -1, SQLITE_STATIC);
		else
			sqlite3_bind_double(st, (int)i + 1, q->binds[i].num);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		row(ctx, st);
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "SQL: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

struct collect {
	struct count_result *r;
	char **ids;
	const struct vocab_field *f;
	bool studies;
};

static int find_id(char **ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return (int)i;
	return -1;
}

static void collection_row(void *ctx, sqlite3_stmt *st)
{
	struct collect *c = ctx;
	int i = find_id(c->ids, c->r->n_collections, (const char *)sqlite3_column_text(st, 0));

	if (i < 0)
		return;
	if (c->studies)
		c->r->collections[i].studies = (uint64_t)sqlite3_column_int64(st, 1);
	else
		c->r->collections[i].subjects = (uint64_t)sqlite3_column_int64(st, 1);
}

static void stratum_row(void *ctx, sqlite3_stmt *st)
{
	struct collect *c = ctx;
	const struct vocab_field *f = c->f;
	int k;

	if (f->type == VOCAB_CATEGORICAL)
		k = vocab_value_by_code(f, (const char *)sqlite3_column_text(st, 0));
	else
		k = sqlite3_column_int(st, 0);
	if (k >= 0)
		c->r->strata[f->index][k] = (uint64_t)sqlite3_column_int64(st, 1);
}

static void put_bin_case(struct sql *q, const struct vocab_field *f)
{
	buf_puts(&q->text, "CASE");
	for (size_t b = 0; b < f->n_bins; b++) {
		buf_puts(&q->text, " WHEN s.");
		buf_puts(&q->text, site_store_column(f->alias));
		buf_puts(&q->text, " >= ");
		bind_num(q, f->bins[b].min);
		buf_puts(&q->text, " AND s.");
		buf_puts(&q->text, site_store_column(f->alias));
		buf_puts(&q->text, " < ");
		bind_num(q, f->bins[b].max);
		buf_printf(&q->text, " THEN %zu", b);
	}
	buf_puts(&q->text, " END");
}

static int stratum(sqlite3 *db, const struct vocab *v, const struct query *qu,
                   const struct vocab_field *f, struct collect *c, char *err, size_t errlen)
{
	struct sql q = { BUF_INIT, NULL, 0 };
	int rc;

	/* A subject counts once per value; only a join with studies can
	 * repeat it, so only then is DISTINCT needed. */
	buf_puts(&q.text, "SELECT ");
	if (f->type == VOCAB_NUMERIC)
		put_bin_case(&q, f);
	else
		put_column(&q, f);
	if (f->level == VOCAB_STUDY) {
		buf_puts(&q.text, " AS k, count(DISTINCT s.id) FROM subjects s"
		                  " JOIN studies t ON t.subject_id = s.id WHERE ");
		put_where(&q, v, qu, (int)f->index, STUDY_JOINED);
	} else {
		buf_puts(&q.text, " AS k, count(*) FROM subjects s WHERE ");
		put_where(&q, v, qu, (int)f->index, STUDY_EXISTS);
	}
	buf_puts(&q.text, " AND k IS NOT NULL GROUP BY k");
	c->f = f;
	rc = run(db, &q, stratum_row, c, err, errlen);
	sql_free(&q);
	return rc;
}

static char **collection_ids(sqlite3 *db, size_t *n)
{
	sqlite3_stmt *st;
	char **ids = NULL;

	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT id FROM collections ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, *n + 1, sizeof *ids);
		ids[(*n)++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return ids;
}

struct count_result *sql_count_run(struct site_store *s, const struct vocab *v,
                                   const struct query *qu, char *err, size_t errlen)
{
	sqlite3 *db = site_store_db(s);
	struct count_result *r = xcalloc(1, sizeof *r);
	struct sql q = { BUF_INIT, NULL, 0 };
	struct collect c = { .r = r };
	int rc = -1;

	c.ids = collection_ids(db, &r->n_collections);
	r->collections = xcalloc(r->n_collections, sizeof *r->collections);
	for (size_t f = 0; f < v->n_fields; f++)
		r->strata[f] =
		    xcalloc(v->fields[f].type == VOCAB_CATEGORICAL ? v->fields[f].n_values
		                                                   : v->fields[f].n_bins,
		            sizeof *r->strata[f]);

	buf_puts(&q.text, "SELECT s.collection_id, count(*) FROM subjects s WHERE ");
	put_where(&q, v, qu, -1, STUDY_EXISTS);
	buf_puts(&q.text, " GROUP BY s.collection_id");
	if (run(db, &q, collection_row, &c, err, errlen) != 0)
		goto out;
	sql_free(&q);
	memset(&q, 0, sizeof q);
	buf_puts(&q.text, "SELECT s.collection_id, count(*) FROM subjects s JOIN studies t ON "
	                  "t.subject_id = s.id WHERE ");
	put_where(&q, v, qu, -1, STUDY_JOINED);
	buf_puts(&q.text, " GROUP BY s.collection_id");
	c.studies = true;
	if (run(db, &q, collection_row, &c, err, errlen) != 0)
		goto out;
	for (size_t f = 0; f < v->n_fields; f++)
		if (stratum(db, v, qu, &v->fields[f], &c, err, errlen) != 0)
			goto out;
	for (size_t i = 0; i < r->n_collections; i++) {
		r->subjects += r->collections[i].subjects;
		r->studies += r->collections[i].studies;
	}
	rc = 0;
out:
	sql_free(&q);
	for (size_t i = 0; i < r->n_collections; i++)
		free(c.ids[i]);
	free(c.ids);
	if (rc != 0)
		count_result_free(&r);
	return r;
}
