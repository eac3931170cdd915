/* A site's SQLite store: schema, opening, the site row, collections and the
 * generator's bulk writes. Reading subjects and studies into columns lives in
 * site_load.c. A new store is written with journaling and syncing off (it is
 * made in one go and thrown away if that fails), and its studies index is
 * built once, at commit, after the bulk insert. */
#include "config.h"

#include "store/site_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/log.h"
#include "util/xmalloc.h"

static const char *const site_schema_steps[] = {
	/* version 1 */
	"CREATE TABLE site(id TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT,"
	" secret BLOB NOT NULL, threshold INTEGER NOT NULL, rounding INTEGER NOT NULL,"
	" epsilon REAL NOT NULL, synthetic INTEGER NOT NULL);"
	"CREATE TABLE collections(id TEXT PRIMARY KEY, name TEXT NOT NULL, item TEXT NOT NULL);"
	"CREATE TABLE subjects(id INTEGER PRIMARY KEY,"
	" collection_id TEXT NOT NULL REFERENCES collections(id),"
	" sex TEXT, age_at_diagnosis REAL, diagnosis TEXT, year_of_diagnosis INTEGER,"
	" er TEXT, pr TEXT, her2 TEXT, ki67 REAL, psa REAL, gleason TEXT, isup TEXT,"
	" ct TEXT, pt TEXT, cn TEXT, pn TEXT, cm TEXT, pm TEXT, birads TEXT, pirads TEXT);"
	"CREATE TABLE studies(id INTEGER PRIMARY KEY,"
	" subject_id INTEGER NOT NULL REFERENCES subjects(id),"
	" modality TEXT, body_part TEXT, manufacturer TEXT, study_year INTEGER,"
	" series_count INTEGER, image_count INTEGER);"
	"CREATE TABLE previews(id TEXT PRIMARY KEY, collection_id TEXT NOT NULL,"
	" title TEXT NOT NULL, media_type TEXT NOT NULL, bytes BLOB NOT NULL);",
};

static const struct db_schema site_schema = {
	.name = "site store",
	.steps = site_schema_steps,
	.n_steps = (int)(sizeof site_schema_steps / sizeof site_schema_steps[0]),
	/* Readers scan whole tables; big pages make that and the bulk
	 * insert faster (measured: ~10% at 1M subjects). */
	.page_size = 16384,
	.application_id = 0x65636973, /* "ecis" */
};

/* Vocabulary alias -> column. Fixed here so no SQL is built from data. */
static const struct {
	const char *alias;
	const char *column;
} site_columns[] = {
	{ "sex", "sex" },
	{ "age", "age_at_diagnosis" },
	{ "diagnosis", "diagnosis" },
	{ "year", "year_of_diagnosis" },
	{ "modality", "modality" },
	{ "bodypart", "body_part" },
	{ "manufacturer", "manufacturer" },
	{ "er", "er" },
	{ "pr", "pr" },
	{ "her2", "her2" },
	{ "psa", "psa" },
	{ "ki67", "ki67" },
	{ "gleason", "gleason" },
	{ "isup", "isup" },
	{ "ct", "ct" },
	{ "pt", "pt" },
	{ "cn", "cn" },
	{ "pn", "pn" },
	{ "cm", "cm" },
	{ "pm", "pm" },
	{ "birads", "birads" },
	{ "pirads", "pirads" },
};

struct site_store {
	sqlite3 *db;
	struct db_tx tx;
	bool dirty; /* rows written since the index and statistics were made */
	sqlite3_stmt *get_info;
	sqlite3_stmt *get_collections;
	sqlite3_stmt *del_info;
	sqlite3_stmt *put_info;
	sqlite3_stmt *put_collection;
	sqlite3_stmt *put_subject;
	sqlite3_stmt *put_study;
	sqlite3_stmt *put_preview;
	sqlite3_stmt *get_preview;
};

const char *site_store_column(const char *alias)
{
	if (alias == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof site_columns / sizeof site_columns[0]; i++)
		if (strcmp(site_columns[i].alias, alias) == 0)
			return site_columns[i].column;
	return NULL;
}

void site_info_clear(struct site_info *info)
{
	if (info == NULL)
		return;
	free(info->id);
	free(info->name);
	free(info->country);
	memset(info, 0, sizeof *info);
}

struct site_store *site_store_open(const char *path, bool create, char *err, size_t errlen)
{
	struct site_store *s;
	sqlite3 *db;

	db = db_open(path, create ? DB_CREATE : DB_READ, &site_schema, err, errlen);
	if (db == NULL)
		return NULL;
	/* A new store is made in one go by one writer and removed if that
	 * fails, so it needs neither a journal nor fsync; neither setting
	 * outlives this handle. */
	if (create && db_exec(db,
	                      "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
	                      "PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -65536",
	                      path, err, errlen) < 0) {
		db_close(&db);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->db = db;
	s->tx = (struct db_tx){ .name = site_schema.name, .writable = create };
	return s;
}

/* The index and statistics a reader's queries plan with. */
static int finish_writes(struct site_store *s, char *err, size_t errlen)
{
	if (db_exec(s->db, "CREATE INDEX IF NOT EXISTS studies_subject ON studies(subject_id)",
	            "index studies", err, errlen) < 0)
		return -1;
	return 0;
}

void site_store_close(struct site_store **sp)
{
	struct site_store *s;
	char err[256];

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	if (s->tx.in_tx) {
		log_warn("site store closed inside a transaction: writes discarded");
		db_rollback(s->db);
	} else if (s->tx.writable) {
		/* Written without begin/commit, or not at all: a new store is
		 * still left with its index (and statistics if it has rows). */
		if (finish_writes(s, err, sizeof err) < 0 ||
		    (s->dirty && db_exec(s->db, "PRAGMA analysis_limit = 1000; ANALYZE", "analyze",
		                         err, sizeof err) < 0))
			log_warn("site store: %s", err);
	}
	db_close(&s->db);
	free(s);
	*sp = NULL;
}

struct sqlite3 *site_store_db(struct site_store *s)
{
	return s->db;
}

int site_store_read_info(struct site_store *s, struct site_info *info, char *err, size_t errlen)
{
	const void *secret;
	const char *text;
	int rc;

	memset(info, 0, sizeof *info);
	if (db_cached(s->db, &s->get_info,
	              "SELECT id, name, country, secret, threshold, rounding, epsilon, synthetic"
	              " FROM site",
	              err, errlen) < 0)
		return -1;
	rc = sqlite3_step(s->get_info);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			snprintf(err, errlen, "site store has no site row");
		else
			db_error(s->db, "read site", err, errlen);
		goto fail;
	}
	secret = sqlite3_column_blob(s->get_info, 3);
	if (secret == NULL || sqlite3_column_bytes(s->get_info, 3) != (int)sizeof info->secret) {
		snprintf(err, errlen, "site store: the site secret must be %zu bytes",
		         sizeof info->secret);
		goto fail;
	}
	memcpy(info->secret, secret, sizeof info->secret);
	text = (const char *)sqlite3_column_text(s->get_info, 0);
	info->id = xstrdup(text != NULL ? text : "");
	text = (const char *)sqlite3_column_text(s->get_info, 1);
	info->name = xstrdup(text != NULL ? text : "");
	text = (const char *)sqlite3_column_text(s->get_info, 2);
	info->country = text != NULL ? xstrdup(text) : NULL;
	info->threshold = sqlite3_column_int(s->get_info, 4);
	info->rounding = sqlite3_column_int(s->get_info, 5);
	info->epsilon = sqlite3_column_double(s->get_info, 6);
	info->synthetic = sqlite3_column_int(s->get_info, 7) != 0;
	if (sqlite3_step(s->get_info) != SQLITE_DONE) {
		snprintf(err, errlen, "site store has more than one site row");
		goto fail;
	}
	sqlite3_reset(s->get_info);
	return 0;
fail:
	sqlite3_reset(s->get_info);
	site_info_clear(info);
	return -1;
}

json_t *site_store_read_collections(struct site_store *s, char *err, size_t errlen)
{
	if (db_cached(s->db, &s->get_collections, "SELECT id, item FROM collections ORDER BY id",
	              err, errlen) < 0)
		return NULL;
	return db_read_items(s->get_collections, err, errlen);
}

int site_store_begin(struct site_store *s, char *err, size_t errlen)
{
	return db_tx_begin(s->db, &s->tx, err, errlen);
}

int site_store_commit(struct site_store *s, char *err, size_t errlen)
{
	/* The index is made inside the transaction, before its commit; with
	 * no transaction, db_tx_commit says so. */
	if (s->tx.in_tx && s->dirty && finish_writes(s, err, errlen) < 0)
		return -1;
	if (db_tx_commit(s->db, &s->tx, err, errlen) < 0)
		return -1;
	if (s->dirty) {
		/* Statistics for the planner, over a sample of what was just
		 * written: a full ANALYZE costs seconds at 10M subjects. */
		if (db_exec(s->db, "PRAGMA analysis_limit = 1000; ANALYZE", "analyze", err,
		            errlen) < 0)
			return -1;
		s->dirty = false;
	}
	return 0;
}

int site_store_write_info(struct site_store *s, const struct site_info *info, char *err,
                          size_t errlen)
{
	sqlite3_stmt *st;

	if (db_tx_writable(&s->tx, err, errlen) < 0)
		return -1;
	if (info->id == NULL || info->name == NULL) {
		snprintf(err, errlen, "site info needs an id and a name");
		return -1;
	}
	/* Exactly one site row: replace whatever was there. */
	if (db_cached(s->db, &s->del_info, "DELETE FROM site", err, errlen) < 0 ||
	    db_step_done(s->del_info, "write site", err, errlen) < 0)
		return -1;
	if (db_cached(s->db, &s->put_info,
	              "INSERT INTO site(id, name, country, secret, threshold, rounding, epsilon,"
	              " synthetic) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	              err, errlen) < 0)
		return -1;
	st = s->put_info;
	db_bind_text(st, 1, info->id);
	db_bind_text(st, 2, info->name);
	db_bind_text(st, 3, info->country);
	sqlite3_bind_blob(st, 4, info->secret, (int)sizeof info->secret, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, info->threshold);
	sqlite3_bind_int(st, 6, info->rounding);
	sqlite3_bind_double(st, 7, info->epsilon);
	sqlite3_bind_int(st, 8, info->synthetic ? 1 : 0);
	if (db_step_done(st, "write site", err, errlen) < 0)
		return -1;
	s->dirty = true;
	return 0;
}

int site_store_write_collection(struct site_store *s, json_t *item, char *err, size_t errlen)
{
	const char *id = json_string_value(json_object_get(item, "id"));
	const char *name = json_string_value(json_object_get(item, "name"));

	if (db_tx_writable(&s->tx, err, errlen) < 0)
		return -1;
	if (id == NULL || name == NULL) {
		snprintf(err, errlen, "a collection item needs a string id and name");
		return -1;
	}
	if (db_cached(s->db, &s->put_collection,
	              "INSERT OR REPLACE INTO collections(id, name, item) VALUES (?, ?, ?)", err,
	              errlen) < 0)
		return -1;
	db_bind_text(s->put_collection, 1, id);
	db_bind_text(s->put_collection, 2, name);
	if (db_write_item(s->put_collection, 3, id, item, err, errlen) < 0)
		return -1;
	s->dirty = true;
	return 0;
}

int site_store_write_subject(struct site_store *s, const struct site_subject_row *row, char *err,
                             size_t errlen)
{
	sqlite3_stmt *st;

	if (db_tx_writable(&s->tx, err, errlen) < 0)
		return -1;
	if (db_cached(s->db, &s->put_subject,
	              "INSERT INTO subjects(id, collection_id, sex, age_at_diagnosis, diagnosis,"
	              " year_of_diagnosis, er, pr, her2, ki67, psa, gleason, isup, ct, pt, cn, pn,"
	              " cm, pm, birads, pirads)"
	              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	              err, errlen) < 0)
		return -1;
	st = s->put_subject;
	sqlite3_bind_int64(st, 1, row->id);
	db_bind_text(st, 2, row->collection_id);
	db_bind_text(st, 3, row->sex);
	db_bind_number(st, 4, row->age_at_diagnosis);
	db_bind_text(st, 5, row->diagnosis);
	db_bind_number(st, 6, row->year_of_diagnosis);
	db_bind_text(st, 7, row->er);
	db_bind_text(st, 8, row->pr);
	db_bind_text(st, 9, row->her2);
	db_bind_number(st, 10, row->ki67);
	db_bind_number(st, 11, row->psa);
	db_bind_text(st, 12, row->gleason);
	db_bind_text(st, 13, row->isup);
	db_bind_text(st, 14, row->ct);
	db_bind_text(st, 15, row->pt);
	db_bind_text(st, 16, row->cn);
	db_bind_text(st, 17, row->pn);
	db_bind_text(st, 18, row->cm);
	db_bind_text(st, 19, row->pm);
	db_bind_text(st, 20, row->birads);
	db_bind_text(st, 21, row->pirads);
	if (db_step_done(st, "write subject", err, errlen) < 0)
		return -1;
	s->dirty = true;
	return 0;
}

int site_store_write_study(struct site_store *s, const struct site_study_row *row, char *err,
                           size_t errlen)
{
	sqlite3_stmt *st;

	if (db_tx_writable(&s->tx, err, errlen) < 0)
		return -1;
	if (db_cached(s->db, &s->put_study,
	              "INSERT INTO studies(id, subject_id, modality, body_part, manufacturer,"
	              " study_year, series_count, image_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	              err, errlen) < 0)
		return -1;
	st = s->put_study;
	sqlite3_bind_int64(st, 1, row->id);
	sqlite3_bind_int64(st, 2, row->subject_id);
	db_bind_text(st, 3, row->modality);
	db_bind_text(st, 4, row->body_part);
	db_bind_text(st, 5, row->manufacturer);
	sqlite3_bind_int(st, 6, row->study_year);
	sqlite3_bind_int(st, 7, row->series_count);
	sqlite3_bind_int(st, 8, row->image_count);
	if (db_step_done(st, "write study", err, errlen) < 0)
		return -1;
	s->dirty = true;
	return 0;
}

int site_store_write_preview(struct site_store *s, const char *id, const char *collection_id,
                             const char *title, const char *media_type, const void *bytes,
                             size_t len, char *err, size_t errlen)
{
	sqlite3_stmt *st;

	if (db_tx_writable(&s->tx, err, errlen) < 0)
		return -1;
	if (id == NULL || collection_id == NULL || title == NULL || media_type == NULL ||
	    (bytes == NULL && len > 0) || len > (size_t)0x7fffffff) {
		snprintf(err, errlen,
		         "a preview needs an id, collection, title, media type and "
		         "at most 2 GiB of bytes");
		return -1;
	}
	if (db_cached(s->db, &s->put_preview,
	              "INSERT OR REPLACE INTO previews(id, collection_id, title, media_type, bytes)"
	              " VALUES (?, ?, ?, ?, ?)",
	              err, errlen) < 0)
		return -1;
	st = s->put_preview;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, collection_id);
	db_bind_text(st, 3, title);
	db_bind_text(st, 4, media_type);
	/* A zero-length blob, not NULL: the column is NOT NULL. */
	sqlite3_bind_blob(st, 5, len > 0 ? bytes : "", (int)len, SQLITE_STATIC);
	if (db_step_done(st, "write preview", err, errlen) < 0)
		return -1;
	s->dirty = true;
	return 0;
}

void site_preview_clear(struct site_preview *p)
{
	if (p == NULL)
		return;
	free(p->id);
	free(p->collection_id);
	free(p->title);
	free(p->media_type);
	free(p->bytes);
	memset(p, 0, sizeof *p);
}

static char *column_dup(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return xstrdup(t != NULL ? t : "");
}

int site_store_read_preview(struct site_store *s, const char *id, struct site_preview *p, char *err,
                            size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	memset(p, 0, sizeof *p);
	if (id == NULL)
		return 0;
	if (db_cached(
	        s->db, &s->get_preview,
	        "SELECT id, collection_id, title, media_type, bytes FROM previews WHERE id = ?",
	        err, errlen) < 0)
		return -1;
	st = s->get_preview;
	db_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(st, 4);
		int n = sqlite3_column_bytes(st, 4);

		p->id = column_dup(st, 0);
		p->collection_id = column_dup(st, 1);
		p->title = column_dup(st, 2);
		p->media_type = column_dup(st, 3);
		if (n > 0 && blob != NULL) {
			p->len = (size_t)n;
			p->bytes = xmalloc(p->len);
			memcpy(p->bytes, blob, p->len);
		}
	} else if (rc != SQLITE_DONE) {
		db_error(s->db, "read preview", err, errlen);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}
