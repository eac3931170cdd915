/* The SQLite glue every store/ module shares: opening a database read-only
 * or for writing, pragmas, schema migrations against a schema_version table,
 * the read-only and transaction rules of a store's handle, persistent
 * prepared statements, reading collection items and error text. It never
 * builds SQL from data: callers pass fixed statements and bind every value.
 * Only store/ includes this header (sqlite3 stays behind it). */
#ifndef ECII_STORE_DB_H
#define ECII_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

enum db_mode {
	DB_READ,   /* an existing file, read-only; works on a read-only file system */
	DB_CREATE, /* a new file; fails if path exists */
	DB_WRITE,  /* read-write, created if missing */
};

/* A store's schema: steps[i] is the fixed SQL that brings version i to
 * version i + 1, so n_steps is the version the code writes. */
struct db_schema {
	const char *name; /* for messages: "site store", "catalogue" */
	const char *const *steps;
	int n_steps;
	int page_size;      /* for a new file: a power of two 512..65536; 0: sqlite's */
	int application_id; /* set in a new file's header and required on open;
	                       0: neither */
};

/* Opens path in mode and checks its kind (application id) and schema:
 * DB_READ requires exactly schema->n_steps; DB_CREATE and DB_WRITE migrate up to it, each step in
 * its own transaction. A database whose version is newer than the code, or that is not a database
 * at all, is refused. Returns new (close with db_close) or NULL with a one-line reason naming path
 * in err. */
sqlite3 *db_open(const char *path, enum db_mode mode, const struct db_schema *schema, char *err,
                 size_t errlen);
/* Finalises every statement still prepared on *db, closes it and clears
 * *db; NULL or *db NULL is a no-op. */
void db_close(sqlite3 **db);

/* The schema_version of an open database: 0 when it has none, -1 with err
 * set on a read error. */
int db_schema_version(sqlite3 *db, char *err, size_t errlen);

/* What a store keeps beside its handle to refuse writes when opened
 * read-only and to pair begin with commit. name is the store's kind for
 * messages (its schema's name; borrowed). */
struct db_tx {
	const char *name;
	bool writable;
	bool in_tx; /* between db_tx_begin and db_tx_commit */
};

/* 0 if tx was opened for writing, else -1 with err "<name> is open
 * read-only". */
int db_tx_writable(const struct db_tx *tx, char *err, size_t errlen);
/* Begins a transaction on db. Returns 0, or -1 with err set when tx is
 * read-only, already in a transaction, or BEGIN fails. */
int db_tx_begin(sqlite3 *db, struct db_tx *tx, char *err, size_t errlen);
/* Commits the transaction db_tx_begin began. Returns 0, or -1 with err set
 * when there is none or COMMIT fails (the transaction then stays open). */
int db_tx_commit(sqlite3 *db, struct db_tx *tx, char *err, size_t errlen);

/* Runs fixed SQL (one or more statements, no data in it). Returns 0 or -1
 * with err set to "what: sqlite's message". */
int db_exec(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen);
/* BEGIN, COMMIT and ROLLBACK. Each returns 0 or -1 with err set; rollback
 * never fails loudly (it is the cleanup path). */
int db_begin(sqlite3 *db, char *err, size_t errlen);
int db_commit(sqlite3 *db, char *err, size_t errlen);
void db_rollback(sqlite3 *db);

/* Prepares fixed SQL with SQLITE_PREPARE_PERSISTENT (statements the caller
 * keeps for the life of the handle). Returns new (sqlite3_finalize, or left
 * to db_close) or NULL with err set. */
sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql, char *err, size_t errlen);
/* Prepares *stmt on first use and resets it on later ones. Returns 0 or -1
 * with err set. */
int db_cached(sqlite3 *db, sqlite3_stmt **stmt, const char *sql, char *err, size_t errlen);

/* Binding helpers: NULL text and NAN numbers bind SQL NULL. Text is bound
 * SQLITE_STATIC: it must live until the statement is reset. A number with no
 * fractional part binds as an integer. Return sqlite's result code. */
int db_bind_text(sqlite3_stmt *stmt, int col, const char *s);
int db_bind_number(sqlite3_stmt *stmt, int col, double x);

/* Steps a statement that returns no rows and resets it, keeping its
 * bindings. Returns 0 or -1 with err set to "what: sqlite's message". */
int db_step_done(sqlite3_stmt *stmt, const char *what, char *err, size_t errlen);

/* Both stores keep collections as rows whose first two columns are the id
 * and the item (a catalogue item in compact JSON). The item of stmt's
 * current row: new, or NULL with err set when it is not a JSON object. */
json_t *db_column_item(sqlite3_stmt *stmt, char *err, size_t errlen);
/* Steps stmt (rows as above) to the end and returns their items in row
 * order: a new array, or NULL with err set. Resets stmt either way. */
json_t *db_read_items(sqlite3_stmt *stmt, char *err, size_t errlen);
/* Runs the cached statement *stmt (fixed sql selecting id, item with one
 * id parameter) for id and returns the item (new), or NULL: err "" when
 * there is no such item, else why. */
json_t *db_read_item(sqlite3 *db, sqlite3_stmt **stmt, const char *sql, const char *id, char *err,
                     size_t errlen);
/* Writes the collection id's item (borrowed) through stmt, whose other
 * parameters the caller has bound: binds the item as compact JSON to
 * parameter col, steps stmt and clears its bindings. Returns 0 or -1 with
 * err set. */
int db_write_item(sqlite3_stmt *stmt, int col, const char *id, json_t *item, char *err,
                  size_t errlen);

/* Writes "what: sqlite's current message" into err. */
void db_error(sqlite3 *db, const char *what, char *err, size_t errlen);

#endif
