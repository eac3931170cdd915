/* SQLite glue shared by store/: open with the right flags and pragmas, check
 * and migrate the schema, keep a handle's read-only and transaction rules,
 * prepare persistent statements, bind values, read collection items and turn
 * sqlite's errors into one-line messages. No SQL here is built from data. */
#include "config.h"

#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void db_error(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	const char *msg = db != NULL ? sqlite3_errmsg(db) : "out of memory";

	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", what, msg);
}

int db_exec(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		db_error(db, what, err, errlen);
		return -1;
	}
	return 0;
}

int db_tx_writable(const struct db_tx *tx, char *err, size_t errlen)
{
	if (!tx->writable) {
		snprintf(err, errlen, "%s is open read-only", tx->name);
		return -1;
	}
	return 0;
}

int db_tx_begin(sqlite3 *db, struct db_tx *tx, char *err, size_t errlen)
{
	if (db_tx_writable(tx, err, errlen) < 0)
		return -1;
	if (tx->in_tx) {
		snprintf(err, errlen, "%s: a transaction is already open", tx->name);
		return -1;
	}
	if (db_begin(db, err, errlen) < 0)
		return -1;
	tx->in_tx = true;
	return 0;
}

int db_tx_commit(sqlite3 *db, struct db_tx *tx, char *err, size_t errlen)
{
	if (!tx->in_tx) {
		snprintf(err, errlen, "%s: no transaction to commit", tx->name);
		return -1;
	}
	if (db_commit(db, err, errlen) < 0)
		return -1;
	tx->in_tx = false;
	return 0;
}

int db_begin(sqlite3 *db, char *err, size_t errlen)
{
	return db_exec(db, "BEGIN IMMEDIATE", "begin", err, errlen);
}

int db_commit(sqlite3 *db, char *err, size_t errlen)
{
	return db_exec(db, "COMMIT", "commit", err, errlen);
}

void db_rollback(sqlite3 *db)
{
	if (db != NULL && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK) {
		db_error(db, "prepare", err, errlen);
		sqlite3_finalize(stmt);
		return NULL;
	}
	return stmt;
}

int db_cached(sqlite3 *db, sqlite3_stmt **stmt, const char *sql, char *err, size_t errlen)
{
	if (*stmt != NULL) {
		sqlite3_reset(*stmt);
		return 0;
	}
	*stmt = db_prepare(db, sql, err, errlen);
	return *stmt != NULL ? 0 : -1;
}

int db_bind_text(sqlite3_stmt *stmt, int col, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(stmt, col);
	return sqlite3_bind_text(stmt, col, s, -1, SQLITE_STATIC);
}

int db_bind_number(sqlite3_stmt *stmt, int col, double x)
{
	/* 2^53: every integer below it is exact in a double. */
	if (isnan(x))
		return sqlite3_bind_null(stmt, col);
	if (x == trunc(x) && fabs(x) < 9007199254740992.0)
		return sqlite3_bind_int64(stmt, col, (sqlite3_int64)x);
	return sqlite3_bind_double(stmt, col, x);
}

int db_step_done(sqlite3_stmt *stmt, const char *what, char *err, size_t errlen)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE) {
		/* The message belongs to the step; read it before the reset. */
		db_error(sqlite3_db_handle(stmt), what, err, errlen);
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

json_t *db_column_item(sqlite3_stmt *stmt, char *err, size_t errlen)
{
	const char *text = (const char *)sqlite3_column_text(stmt, 1);
	json_error_t jerr;
	json_t *item;

	item = text != NULL ? json_loads(text, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	if (!json_is_object(item)) {
		snprintf(err, errlen, "collection %s: stored item is not a JSON object",
		         (const char *)sqlite3_column_text(stmt, 0));
		json_decref(item);
		return NULL;
	}
	return item;
}

json_t *db_read_items(sqlite3_stmt *stmt, char *err, size_t errlen)
{
	json_t *items = json_array(), *item;
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		item = db_column_item(stmt, err, errlen);
		if (item == NULL)
			goto fail;
		json_array_append_new(items, item);
	}
	if (rc != SQLITE_DONE) {
		db_error(sqlite3_db_handle(stmt), "read collections", err, errlen);
		goto fail;
	}
	sqlite3_reset(stmt);
	return items;
fail:
	sqlite3_reset(stmt);
	json_decref(items);
	return NULL;
}

int db_write_item(sqlite3_stmt *stmt, int col, const char *id, json_t *item, char *err,
                  size_t errlen)
{
	char *text = json_dumps(item, JSON_COMPACT);
	int rc = -1;

	if (text == NULL) {
		snprintf(err, errlen, "collection %s: cannot encode its item", id);
		goto out;
	}
	db_bind_text(stmt, col, text);
	if (db_step_done(stmt, "write collection", err, errlen) < 0)
		goto out;
	rc = 0;
out:
	/* The text was bound static: unbind it before it is freed. */
	sqlite3_clear_bindings(stmt);
	free(text);
	return rc;
}

/* 1 if the database has a table called name, 0 if not, -1 on error. */
static int has_table(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int rc, found = -1;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
	                       -1, &stmt, NULL) != SQLITE_OK) {
		db_error(db, "read schema", err, errlen);
		goto out;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		found = 1;
	else if (rc == SQLITE_DONE)
		found = 0;
	else
		db_error(db, "read schema", err, errlen);
out:
	sqlite3_finalize(stmt);
	return found;
}

/* The number of objects in the schema, or -1. */
static int count_objects(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &stmt, NULL) !=
	    SQLITE_OK) {
		db_error(db, "read schema", err, errlen);
		goto out;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	else
		db_error(db, "read schema", err, errlen);
out:
	sqlite3_finalize(stmt);
	return n;
}

int db_schema_version(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int found, version = -1;

	found = has_table(db, "schema_version", err, errlen);
	if (found <= 0)
		return found;
	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version", -1, &stmt, NULL) !=
	    SQLITE_OK) {
		db_error(db, "read schema version", err, errlen);
		goto out;
	}
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		db_error(db, "read schema version", err, errlen);
		goto out;
	}
	version = sqlite3_column_type(stmt, 0) == SQLITE_NULL ? 0 : sqlite3_column_int(stmt, 0);
	if (version < 0)
		version = 0;
out:
	sqlite3_finalize(stmt);
	return version;
}

/* Brings the schema from version to version + 1 in one transaction. */
static int migrate_step(sqlite3 *db, const struct db_schema *schema, int version, char *err,
                        size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (db_begin(db, err, errlen) < 0)
		return -1;
	if (db_exec(db, schema->steps[version], "migrate", err, errlen) < 0)
		goto out;
	if (db_exec(db,
	            "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
	            "DELETE FROM schema_version",
	            "migrate", err, errlen) < 0)
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO schema_version(version) VALUES (?)", -1, &stmt,
	                       NULL) != SQLITE_OK) {
		db_error(db, "migrate", err, errlen);
		goto out;
	}
	sqlite3_bind_int(stmt, 1, version + 1);
	if (db_step_done(stmt, "migrate", err, errlen) < 0)
		goto out;
	if (db_commit(db, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc < 0)
		db_rollback(db);
	return rc;
}

/* Checks the version and migrates; -1 with err (without the path) if not. */
static int check_schema(sqlite3 *db, enum db_mode mode, const struct db_schema *schema, char *err,
                        size_t errlen)
{
	int version = db_schema_version(db, err, errlen);

	if (version < 0)
		return -1;
	if (version > schema->n_steps) {
		snprintf(err, errlen,
		         "%s schema version %d is newer than this ecii understands (%d); "
		         "upgrade ecii to read it",
		         schema->name, version, schema->n_steps);
		return -1;
	}
	if (version == 0) {
		int n = count_objects(db, err, errlen);

		if (n < 0)
			return -1;
		if (n > 0 || mode == DB_READ) {
			snprintf(err, errlen, "not an ecii %s (it has no schema version)",
			         schema->name);
			return -1;
		}
	}
	if (mode == DB_READ) {
		if (version < schema->n_steps) {
			snprintf(err, errlen,
			         "%s schema version %d is older than this ecii needs (%d); "
			         "open it once for writing or make it again",
			         schema->name, version, schema->n_steps);
			return -1;
		}
		return 0;
	}
	for (; version < schema->n_steps; version++)
		if (migrate_step(db, schema, version, err, errlen) < 0)
			return -1;
	return 0;
}

/* Header settings of a new, empty database. A pragma cannot take a bound
 * value, so the numbers are printed from ints, never from text. */
static int set_header(sqlite3 *db, const struct db_schema *schema, char *err, size_t errlen)
{
	char sql[96];
	int n = count_objects(db, err, errlen);

	if (n != 0)
		return n < 0 ? -1 : 0;
	if (schema->page_size > 0) {
		snprintf(sql, sizeof sql, "PRAGMA page_size = %d", schema->page_size);
		if (db_exec(db, sql, "page size", err, errlen) < 0)
			return -1;
	}
	if (schema->application_id != 0) {
		snprintf(sql, sizeof sql, "PRAGMA application_id = %d", schema->application_id);
		if (db_exec(db, sql, "application id", err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* Tells a site store from a catalogue: both have schema version 1. */
static int check_kind(sqlite3 *db, const struct db_schema *schema, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int id = 0, rc = -1;

	if (schema->application_id == 0)
		return 0;
	if (sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &stmt, NULL) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW) {
		db_error(db, "read header", err, errlen);
		goto out;
	}
	id = sqlite3_column_int(stmt, 0);
	if (id != schema->application_id) {
		snprintf(err, errlen, "not an ecii %s%s", schema->name,
		         id != 0 ? " (it is another kind of database)" : "");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

sqlite3 *db_open(const char *path, enum db_mode mode, const struct db_schema *schema, char *err,
                 size_t errlen)
{
	sqlite3 *db = NULL;
	struct stat st;
	char why[512];
	bool created = false;
	int flags, fd;

	why[0] = '\0';
	if (path == NULL || *path == '\0') {
		snprintf(err, errlen, "no %s path given", schema->name);
		return NULL;
	}
	switch (mode) {
	case DB_READ:
		/* Say plainly what is wrong before sqlite's "unable to open". */
		if (stat(path, &st) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return NULL;
		}
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s: not a regular file", path);
			return NULL;
		}
		flags = SQLITE_OPEN_READONLY;
		break;
	case DB_CREATE:
		/* O_EXCL: of two writers racing for one path, one loses. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			snprintf(err, errlen, "%s: %s", path,
			         errno == EEXIST ? "already exists" : strerror(errno));
			return NULL;
		}
		close(fd);
		created = true;
		flags = SQLITE_OPEN_READWRITE;
		break;
	case DB_WRITE:
	default:
		created = stat(path, &st) != 0 && errno == ENOENT;
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
		break;
	}
	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(why, sizeof why, "%s", db != NULL ? sqlite3_errmsg(db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(db, 5000);
	if (mode == DB_READ && sqlite3_exec(db, "PRAGMA query_only = 1; PRAGMA temp_store = MEMORY",
	                                    NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(why, sizeof why, "%s", sqlite3_errmsg(db));
		goto fail;
	}
	if (mode != DB_READ && set_header(db, schema, why, sizeof why) < 0)
		goto fail;
	if (check_kind(db, schema, why, sizeof why) < 0 ||
	    check_schema(db, mode, schema, why, sizeof why) < 0)
		goto fail;
	return db;
fail:
	snprintf(err, errlen, "%s: %s", path, why[0] != '\0' ? why : "cannot open");
	db_close(&db);
	if (created)
		unlink(path);
	return NULL;
}

void db_close(sqlite3 **db)
{
	sqlite3_stmt *stmt;

	if (db == NULL || *db == NULL)
		return;
	while ((stmt = sqlite3_next_stmt(*db, NULL)) != NULL)
		sqlite3_finalize(stmt);
	sqlite3_close(*db);
	*db = NULL;
}

json_t *db_read_item(sqlite3 *db, sqlite3_stmt **stmt, const char *sql, const char *id, char *err,
                     size_t errlen)
{
	json_t *item = NULL;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	if (id == NULL || db_cached(db, stmt, sql, err, errlen) < 0)
		return NULL;
	db_bind_text(*stmt, 1, id);
	rc = sqlite3_step(*stmt);
	if (rc == SQLITE_ROW)
		item = db_column_item(*stmt, err, errlen);
	else if (rc != SQLITE_DONE)
		db_error(db, "read collection", err, errlen);
	sqlite3_reset(*stmt);
	sqlite3_clear_bindings(*stmt);
	return item;
}
