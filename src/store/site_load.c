/* Loading a site store's subjects and studies into the count engine's
 * columns. Studies are read in rowid order and bucketed by subject with a
 * counting sort, so no index walk is needed however large the site is. */
#include "config.h"

#include "store/site_store.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct loader {
	sqlite3 *db;
	const struct vocab *v;
	struct site_data *d;
	int64_t *subject_ids; /* sorted, to map a study's subject_id to an index */
	size_t unknown_codes; /* values not in the vocabulary: kept as not recorded */
	char *err;
	size_t errlen;
};

static int64_t count_rows(struct loader *l, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static uint8_t code_index(struct loader *l, const struct vocab_field *f, sqlite3_stmt *st, int col)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	int len = sqlite3_column_bytes(st, col);

	if (text == NULL)
		return 0;
	for (size_t k = 0; k < f->n_values; k++) {
		const char *code = f->values[k].code;

		if (strncmp(code, text, (size_t)len) == 0 && code[len] == '\0')
			return (uint8_t)(k + 1);
	}
	l->unknown_codes++;
	return 0;
}

/* "SELECT <first>, <the columns of fields at level> FROM <table> ORDER BY id",
 * with column names only from site_store_column()'s fixed table. */
static char *select_sql(const struct vocab *v, enum vocab_level level, const char *first,
                        const char *table, size_t *fields, size_t *n_fields)
{
	struct buf sql = BUF_INIT;

	*n_fields = 0;
	buf_printf(&sql, "SELECT %s", first);
	for (size_t i = 0; i < v->n_fields; i++) {
		const char *col = site_store_column(v->fields[i].alias);

		if (v->fields[i].level != level || col == NULL)
			continue;
		buf_printf(&sql, ", %s", col);
		fields[(*n_fields)++] = i;
	}
	buf_printf(&sql, " FROM %s ORDER BY id", table);
	return buf_steal(&sql);
}

static int load_collections(struct loader *l)
{
	sqlite3_stmt *st;
	size_t i = 0;

	if (sqlite3_prepare_v2(l->db, "SELECT id FROM collections ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	while (i < l->d->n_collections && sqlite3_step(st) == SQLITE_ROW)
		l->d->collection_ids[i++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return i == l->d->n_collections ? 0 : -1;
}

static int collection_index(const struct site_data *d, const char *id)
{
	size_t lo = 0, hi = d->n_collections;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(d->collection_ids[mid], id);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int load_subjects(struct loader *l)
{
	size_t fields[VOCAB_MAX_FIELDS], n_fields, i = 0;
	char *sql =
	    select_sql(l->v, VOCAB_SUBJECT, "id, collection_id", "subjects", fields, &n_fields);
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	while (i < l->d->n_subjects && sqlite3_step(st) == SQLITE_ROW) {
		int c = collection_index(l->d, (const char *)sqlite3_column_text(st, 1));

		if (c < 0) {
			snprintf(l->err, l->errlen, "subject %lld: unknown collection",
			         (long long)sqlite3_column_int64(st, 0));
			goto out;
		}
		l->subject_ids[i] = sqlite3_column_int64(st, 0);
		l->d->subject_collection[i] = (uint16_t)c;
		for (size_t k = 0; k < n_fields; k++) {
			const struct vocab_field *f = &l->v->fields[fields[k]];
			int col = (int)k + 2;

			if (f->type == VOCAB_CATEGORICAL)
				l->d->cat[f->index][i] = code_index(l, f, st, col);
			else if (sqlite3_column_type(st, col) != SQLITE_NULL)
				l->d->num[f->index][i] = sqlite3_column_double(st, col);
		}
		i++;
	}
	rc = i == l->d->n_subjects ? 0 : -1;
out:
	sqlite3_finalize(st);
	free(sql);
	return rc;
}

static int64_t subject_index(const struct loader *l, int64_t id)
{
	size_t n = l->d->n_subjects, lo = 0, hi = n;

	/* Ids are usually dense: try the direct position first. */
	if (n > 0 && id >= l->subject_ids[0] && (uint64_t)(id - l->subject_ids[0]) < n &&
	    l->subject_ids[id - l->subject_ids[0]] == id)
		return id - l->subject_ids[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->subject_ids[mid] == id)
			return (int64_t)mid;
		if (l->subject_ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int load_studies(struct loader *l)
{
	struct site_data *d = l->d;
	size_t fields[VOCAB_MAX_FIELDS], n_fields, n = 0;
	char *sql = select_sql(l->v, VOCAB_STUDY, "subject_id", "studies", fields, &n_fields);
	uint32_t *owner = xreallocarray(NULL, d->n_studies, sizeof *owner);
	uint8_t *codes = xreallocarray(NULL, d->n_studies, VOCAB_MAX_FIELDS);
	uint32_t *next = NULL;
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	while (n < d->n_studies && sqlite3_step(st) == SQLITE_ROW) {
		int64_t s = subject_index(l, sqlite3_column_int64(st, 0));

		if (s < 0) {
			snprintf(l->err, l->errlen, "a study belongs to unknown subject %lld",
			         (long long)sqlite3_column_int64(st, 0));
			goto out;
		}
		owner[n] = (uint32_t)s;
		d->study_first[s + 1]++;
		for (size_t k = 0; k < n_fields; k++)
			codes[n * VOCAB_MAX_FIELDS + k] =
			    code_index(l, &l->v->fields[fields[k]], st, (int)k + 1);
		n++;
	}
	if (n != d->n_studies)
		goto out;
	for (size_t i = 0; i < d->n_subjects; i++)
		d->study_first[i + 1] += d->study_first[i];
	/* Counting sort: studies keep their order within each subject. */
	next = xreallocarray(NULL, d->n_subjects + 1, sizeof *next);
	memcpy(next, d->study_first, (d->n_subjects + 1) * sizeof *next);
	for (size_t j = 0; j < n; j++) {
		uint32_t to = next[owner[j]]++;

		for (size_t k = 0; k < n_fields; k++)
			d->cat[fields[k]][to] = codes[j * VOCAB_MAX_FIELDS + k];
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(sql);
	free(owner);
	free(codes);
	free(next);
	return rc;
}

struct site_data *site_store_load(struct site_store *s, const struct vocab *v, char *err,
                                  size_t errlen)
{
	struct loader l = { .db = site_store_db(s), .v = v, .err = err, .errlen = errlen };
	int64_t n_subjects, n_studies, n_collections;

	err[0] = '\0';
	n_subjects = count_rows(&l, "SELECT count(*) FROM subjects");
	n_studies = count_rows(&l, "SELECT count(*) FROM studies");
	n_collections = count_rows(&l, "SELECT count(*) FROM collections");
	if (n_subjects < 0 || n_studies < 0 || n_collections < 0) {
		snprintf(err, errlen, "cannot read the site store: %s", sqlite3_errmsg(l.db));
		return NULL;
	}
	if (n_collections > SITE_MAX_COLLECTIONS || n_studies > UINT32_MAX) {
		snprintf(err, errlen, "site too large (%lld collections, %lld studies)",
		         (long long)n_collections, (long long)n_studies);
		return NULL;
	}
	l.d = site_data_new(v, (size_t)n_subjects, (size_t)n_studies, (size_t)n_collections);
	l.subject_ids = xreallocarray(NULL, (size_t)n_subjects + 1, sizeof *l.subject_ids);
	if (load_collections(&l) != 0 || load_subjects(&l) != 0 || load_studies(&l) != 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "cannot read the site store: %s",
			         sqlite3_errmsg(l.db));
		site_data_free(&l.d);
	} else {
		site_data_prepare(l.d);
		if (l.unknown_codes > 0)
			log_warn("%zu values not in the vocabulary read as not recorded",
			         l.unknown_codes);
	}
	free(l.subject_ids);
	return l.d;
}
