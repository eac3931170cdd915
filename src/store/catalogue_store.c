/* catalogue.db: schema, items in and out as JSON, and the meta rows (ETag,
 * source, synthetic flag). It does not interpret items beyond their id and
 * name; the catalogue model (core/catalogue.c) does that. */
#include "config.h"

#include "store/catalogue_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/log.h"
#include "util/xmalloc.h"

static const char *const catalogue_schema_steps[] = {
	/* version 1 */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE collections(id TEXT PRIMARY KEY, site TEXT NOT NULL, name TEXT NOT NULL,"
	" item TEXT NOT NULL);",
};

static const struct db_schema catalogue_schema = {
	.name = "catalogue",
	.steps = catalogue_schema_steps,
	.n_steps = (int)(sizeof catalogue_schema_steps / sizeof catalogue_schema_steps[0]),
	.application_id = 0x65636963, /* "ecic" */
};

struct catalogue_store {
	sqlite3 *db;
	struct db_tx tx;
	sqlite3_stmt *put;
	sqlite3_stmt *clear;
	sqlite3_stmt *list;
	sqlite3_stmt *get;
	sqlite3_stmt *set_meta;
	sqlite3_stmt *get_meta;
};

struct catalogue_store *catalogue_store_open(const char *path, bool create, char *err,
                                             size_t errlen)
{
	struct catalogue_store *s;
	sqlite3 *db;

	db = db_open(path, create ? DB_WRITE : DB_READ, &catalogue_schema, err, errlen);
	if (db == NULL)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->db = db;
	s->tx = (struct db_tx){ .name = catalogue_schema.name, .writable = create };
	return s;
}

void catalogue_store_close(struct catalogue_store **sp)
{
	struct catalogue_store *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	if (s->tx.in_tx) {
		log_warn("catalogue closed inside a transaction: writes discarded");
		db_rollback(s->db);
	}
	db_close(&s->db);
	free(s);
	*sp = NULL;
}

int catalogue_store_begin(struct catalogue_store *s, char *err, size_t errlen)
{
	return db_tx_begin(s->db, &s->tx, err, errlen);
}

int catalogue_store_commit(struct catalogue_store *s, char *err, size_t errlen)
{
	return db_tx_commit(s->db, &s->tx, err, errlen);
}

int catalogue_store_put(struct catalogue_store *s, const char *site_id, json_t *item, char *err,
                        size_t errlen)
{
	const char *id = json_string_value(json_object_get(item, "id"));
	const char *name = json_string_value(json_object_get(item, "name"));

	if (db_tx_writable(&s->tx, err, errlen) < 0)
		return -1;
	if (site_id == NULL || id == NULL || name == NULL) {
		snprintf(err, errlen, "a catalogue item needs a site and a string id and name");
		return -1;
	}
	if (db_cached(
	        s->db, &s->put,
	        "INSERT OR REPLACE INTO collections(id, site, name, item) VALUES (?, ?, ?, ?)", err,
	        errlen) < 0)
		return -1;
	db_bind_text(s->put, 1, id);
	db_bind_text(s->put, 2, site_id);
	db_bind_text(s->put, 3, name);
	return db_write_item(s->put, 4, id, item, err, errlen);
}

int catalogue_store_clear(struct catalogue_store *s, char *err, size_t errlen)
{
	if (db_tx_writable(&s->tx, err, errlen) < 0)
		return -1;
	if (db_cached(s->db, &s->clear, "DELETE FROM collections", err, errlen) < 0)
		return -1;
	return db_step_done(s->clear, "clear collections", err, errlen);
}

json_t *catalogue_store_list(struct catalogue_store *s, char *err, size_t errlen)
{
	if (db_cached(s->db, &s->list, "SELECT id, item FROM collections ORDER BY name, id", err,
	              errlen) < 0)
		return NULL;
	return db_read_items(s->list, err, errlen);
}

json_t *catalogue_store_get(struct catalogue_store *s, const char *id, char *err, size_t errlen)
{
	return db_read_item(s->db, &s->get, "SELECT id, item FROM collections WHERE id = ?", id,
	                    err, errlen);
}

int catalogue_store_set_meta(struct catalogue_store *s, const char *key, const char *value,
                             char *err, size_t errlen)
{
	int rc;

	if (db_tx_writable(&s->tx, err, errlen) < 0)
		return -1;
	if (key == NULL || value == NULL) {
		snprintf(err, errlen, "a catalogue meta row needs a key and a value");
		return -1;
	}
	if (db_cached(s->db, &s->set_meta, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
	              err, errlen) < 0)
		return -1;
	db_bind_text(s->set_meta, 1, key);
	db_bind_text(s->set_meta, 2, value);
	rc = db_step_done(s->set_meta, "write meta", err, errlen);
	sqlite3_clear_bindings(s->set_meta);
	return rc;
}

char *catalogue_store_get_meta(struct catalogue_store *s, const char *key)
{
	char err[256];
	const char *text;
	char *value = NULL;

	if (key == NULL)
		return NULL;
	if (db_cached(s->db, &s->get_meta, "SELECT value FROM meta WHERE key = ?", err,
	              sizeof err) < 0) {
		log_warn("catalogue: %s", err);
		return NULL;
	}
	db_bind_text(s->get_meta, 1, key);
	if (sqlite3_step(s->get_meta) == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(s->get_meta, 0);
		if (text != NULL)
			value = xstrdup(text);
	}
	sqlite3_reset(s->get_meta);
	sqlite3_clear_bindings(s->get_meta);
	return value;
}
