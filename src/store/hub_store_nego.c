/* hub.db's access-request tables: representatives, requests, negotiations,
 * their collections and the append-only timeline. Every statement is
 * fixed SQL, prepared once on first use and bound; every change that
 * belongs together is one transaction, rolled back whole on any error. It
 * knows nothing of HTTP nor of who may do what. */
#include "config.h"

#include "store/hub_store_nego.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/hub_store_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct hub_store_nego {
	sqlite3_stmt *user_exists;
	sqlite3_stmt *rep_add;
	sqlite3_stmt *rep_remove;
	sqlite3_stmt *rep_has;
	sqlite3_stmt *rep_of_user;
	sqlite3_stmt *rep_all;
	sqlite3_stmt *rep_negotiation;
	sqlite3_stmt *req_add;
	sqlite3_stmt *req_get;
	sqlite3_stmt *coll_site;
	sqlite3_stmt *neg_by_key;
	sqlite3_stmt *neg_by_request;
	sqlite3_stmt *neg_add;
	sqlite3_stmt *res_add;
	sqlite3_stmt *neg_get;
	sqlite3_stmt *res_of;
	sqlite3_stmt *neg_list;
	sqlite3_stmt *neg_count;
	sqlite3_stmt *neg_payload;
	sqlite3_stmt *neg_move;
	sqlite3_stmt *res_move;
	sqlite3_stmt *neg_touch;
	sqlite3_stmt *tl_add;
	sqlite3_stmt *tl_list;
};

void hub_store_nego_free(struct hub_store_nego **n)
{
	if (n == NULL || *n == NULL)
		return;
	free(*n);
	*n = NULL;
}

/* s's statements, made on first use. */
static struct hub_store_nego *stmts(struct hub_store *s)
{
	struct hub_store_nego **slot = hub_store_nego_slot(s);

	if (*slot == NULL)
		*slot = xcalloc(1, sizeof **slot);
	return *slot;
}

/* Prepares *stmt (fixed sql) on first use, resets and unbinds it. */
static int prep(struct hub_store *s, sqlite3_stmt **stmt, const char *sql, char *err, size_t errlen)
{
	if (db_cached(hub_store_db(s), stmt, sql, err, errlen) < 0)
		return -1;
	sqlite3_clear_bindings(*stmt);
	return 0;
}

/* Done with a statement: reset and unbind, so no bound text outlives it. */
static void done(sqlite3_stmt *stmt)
{
	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
	}
}

static const char *col_text(sqlite3_stmt *q, int col)
{
	return (const char *)sqlite3_column_text(q, col);
}

static json_t *col_json_text(sqlite3_stmt *q, int col)
{
	return sqlite3_column_type(q, col) == SQLITE_NULL ? json_null()
	                                                  : json_string(col_text(q, col));
}

/* Begins a transaction on s; -1 with err set. */
static int tx_begin(struct hub_store *s, char *err, size_t errlen)
{
	return db_tx_begin(hub_store_db(s), hub_store_tx(s), err, errlen);
}

static int tx_commit(struct hub_store *s, char *err, size_t errlen)
{
	return db_tx_commit(hub_store_db(s), hub_store_tx(s), err, errlen);
}

/* Rolls back the transaction tx_begin began, if it is still open. */
static void tx_abort(struct hub_store *s)
{
	struct db_tx *tx = hub_store_tx(s);

	if (tx->in_tx) {
		db_rollback(hub_store_db(s));
		tx->in_tx = false;
	}
}

bool hub_collection_id_valid(const char *id)
{
	size_t n = 0;

	if (id == NULL)
		return false;
	for (; id[n] != '\0'; n++) {
		if (id[n] <= 0x20 || id[n] >= 0x7f || id[n] == '/' || id[n] == ',')
			return false;
	}
	return n >= 1 && n <= HUB_COLLECTION_ID_MAX;
}

/* ---- representatives ---- */

/* 1 if user exists, 0 if not, -1. */
static int user_exists(struct hub_store *s, const char *user, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	int rc;

	if (prep(s, &n->user_exists, "SELECT 1 FROM users WHERE name = ?", err, errlen) < 0)
		return -1;
	db_bind_text(n->user_exists, 1, user);
	rc = sqlite3_step(n->user_exists);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_error(hub_store_db(s), "read users", err, errlen);
	done(n->user_exists);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int check_ids(const char *user, const char *collection, char *err, size_t errlen)
{
	if (!hub_name_valid(user)) {
		snprintf(err, errlen, "not a user name");
		return -1;
	}
	if (!hub_collection_id_valid(collection)) {
		snprintf(
		    err, errlen,
		    "a collection id is 1 to %d printable characters without spaces, '/' or ','",
		    HUB_COLLECTION_ID_MAX);
		return -1;
	}
	return 0;
}

int hub_store_represent(struct hub_store *s, const char *user, const char *collection, char *err,
                        size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	int rc = -1;

	if (db_tx_writable(hub_store_tx(s), err, errlen) < 0 ||
	    check_ids(user, collection, err, errlen) < 0)
		return -1;
	switch (user_exists(s, user, err, errlen)) {
	case 1:
		break;
	case 0:
		snprintf(err, errlen, "no user %s", user);
		return -1;
	default:
		return -1;
	}
	if (prep(s, &n->rep_add,
	         "INSERT OR IGNORE INTO representatives(user, collection) VALUES (?, ?)", err,
	         errlen) < 0)
		return -1;
	db_bind_text(n->rep_add, 1, user);
	db_bind_text(n->rep_add, 2, collection);
	rc = db_step_done(n->rep_add, "write representatives", err, errlen);
	done(n->rep_add);
	if (rc == 0)
		log_info("hub store: %s represents %s", user, collection);
	return rc;
}

int hub_store_unrepresent(struct hub_store *s, const char *user, const char *collection, char *err,
                          size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	int rc;

	if (db_tx_writable(hub_store_tx(s), err, errlen) < 0 ||
	    check_ids(user, collection, err, errlen) < 0)
		return -1;
	if (prep(s, &n->rep_remove, "DELETE FROM representatives WHERE user = ? AND collection = ?",
	         err, errlen) < 0)
		return -1;
	db_bind_text(n->rep_remove, 1, user);
	db_bind_text(n->rep_remove, 2, collection);
	rc = db_step_done(n->rep_remove, "write representatives", err, errlen);
	done(n->rep_remove);
	if (rc == 0 && sqlite3_changes(hub_store_db(s)) != 1) {
		snprintf(err, errlen, "%s does not represent %s", user, collection);
		rc = -1;
	}
	return rc;
}

int hub_store_represents(struct hub_store *s, const char *user, const char *collection, char *err,
                         size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	int rc;

	if (prep(s, &n->rep_has, "SELECT 1 FROM representatives WHERE user = ? AND collection = ?",
	         err, errlen) < 0)
		return -1;
	db_bind_text(n->rep_has, 1, user);
	db_bind_text(n->rep_has, 2, collection);
	rc = sqlite3_step(n->rep_has);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_error(hub_store_db(s), "read representatives", err, errlen);
	done(n->rep_has);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

json_t *hub_store_represented(struct hub_store *s, const char *user, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	json_t *list;
	int rc;

	if (prep(s, &n->rep_of_user,
	         "SELECT collection FROM representatives WHERE user = ? ORDER BY collection", err,
	         errlen) < 0)
		return NULL;
	db_bind_text(n->rep_of_user, 1, user);
	list = json_array();
	while ((rc = sqlite3_step(n->rep_of_user)) == SQLITE_ROW)
		json_array_append_new(list, json_string(col_text(n->rep_of_user, 0)));
	if (rc != SQLITE_DONE) {
		db_error(hub_store_db(s), "read representatives", err, errlen);
		json_decref(list);
		list = NULL;
	}
	done(n->rep_of_user);
	return list;
}

json_t *hub_store_representatives(struct hub_store *s, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	json_t *all, *list;
	const char *user;
	int rc;

	if (prep(s, &n->rep_all,
	         "SELECT user, collection FROM representatives ORDER BY user, collection", err,
	         errlen) < 0)
		return NULL;
	all = json_object();
	while ((rc = sqlite3_step(n->rep_all)) == SQLITE_ROW) {
		user = col_text(n->rep_all, 0);
		list = json_object_get(all, user);
		if (list == NULL) {
			list = json_array();
			json_object_set_new(all, user, list);
		}
		json_array_append_new(list, json_string(col_text(n->rep_all, 1)));
	}
	if (rc != SQLITE_DONE) {
		db_error(hub_store_db(s), "read representatives", err, errlen);
		json_decref(all);
		all = NULL;
	}
	done(n->rep_all);
	return all;
}

int hub_store_represents_negotiation(struct hub_store *s, const char *user, const char *id,
                                     char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	int rc;

	if (prep(s, &n->rep_negotiation,
	         "SELECT 1 FROM negotiation_resources r JOIN representatives p"
	         " ON p.collection = r.collection WHERE r.negotiation = ? AND p.user = ? LIMIT 1",
	         err, errlen) < 0)
		return -1;
	db_bind_text(n->rep_negotiation, 1, id);
	db_bind_text(n->rep_negotiation, 2, user);
	rc = sqlite3_step(n->rep_negotiation);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_error(hub_store_db(s), "read representatives", err, errlen);
	done(n->rep_negotiation);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* ---- requests ---- */

int hub_store_request_add(struct hub_store *s, const char *id, const char *creator, int64_t when,
                          json_t *doc, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	char *text;
	int rc;

	if (db_tx_writable(hub_store_tx(s), err, errlen) < 0)
		return -1;
	if (prep(s, &n->req_add,
	         "INSERT INTO requests(id, creator, created, doc) VALUES (?, ?, ?, ?)", err,
	         errlen) < 0)
		return -1;
	text = json_dumps(doc, JSON_COMPACT);
	if (text == NULL) {
		snprintf(err, errlen, "request %s: cannot encode it", id);
		return -1;
	}
	db_bind_text(n->req_add, 1, id);
	db_bind_text(n->req_add, 2, creator);
	sqlite3_bind_int64(n->req_add, 3, (sqlite3_int64)when);
	db_bind_text(n->req_add, 4, text);
	rc = db_step_done(n->req_add, "write request", err, errlen);
	done(n->req_add);
	free(text);
	return rc;
}

json_t *hub_store_request_get(struct hub_store *s, const char *id, char **creator,
                              char **negotiation, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	json_t *doc = NULL;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	if (creator != NULL)
		*creator = NULL;
	if (negotiation != NULL)
		*negotiation = NULL;
	if (prep(s, &n->req_get,
	         "SELECT q.doc, q.creator, n.id FROM requests q"
	         " LEFT JOIN negotiations n ON n.request = q.id WHERE q.id = ?",
	         err, errlen) < 0)
		return NULL;
	db_bind_text(n->req_get, 1, id);
	rc = sqlite3_step(n->req_get);
	if (rc == SQLITE_ROW) {
		doc = json_loads(col_text(n->req_get, 0), 0, NULL);
		if (!json_is_object(doc)) {
			json_decref(doc);
			doc = NULL;
			snprintf(err, errlen, "request %s: stored document is not a JSON object",
			         id);
		} else {
			if (creator != NULL && sqlite3_column_type(n->req_get, 1) != SQLITE_NULL)
				*creator = xstrdup(col_text(n->req_get, 1));
			if (negotiation != NULL &&
			    sqlite3_column_type(n->req_get, 2) != SQLITE_NULL)
				*negotiation = xstrdup(col_text(n->req_get, 2));
		}
	} else if (rc != SQLITE_DONE) {
		db_error(hub_store_db(s), "read request", err, errlen);
	}
	done(n->req_get);
	return doc;
}

int hub_store_collection_site(struct hub_store *s, const char *collection, char **site, char *err,
                              size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	int rc;

	*site = NULL;
	if (prep(s, &n->coll_site, "SELECT site FROM collections WHERE id = ?", err, errlen) < 0)
		return -1;
	db_bind_text(n->coll_site, 1, collection);
	rc = sqlite3_step(n->coll_site);
	if (rc == SQLITE_ROW)
		*site = xstrdup(col_text(n->coll_site, 0));
	else if (rc != SQLITE_DONE)
		db_error(hub_store_db(s), "read collections", err, errlen);
	done(n->coll_site);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* ---- negotiations ---- */

/* Runs stmt (one text parameter bound by the caller, one text column) and
 * sets *out (new) to the first row's value: 1, 0 when there is no row, -1. */
static int one_text(struct hub_store *s, sqlite3_stmt *stmt, char **out, char *err, size_t errlen)
{
	int rc = sqlite3_step(stmt);

	*out = NULL;
	if (rc == SQLITE_ROW)
		*out = xstrdup(col_text(stmt, 0));
	else if (rc != SQLITE_DONE)
		db_error(hub_store_db(s), "read negotiations", err, errlen);
	done(stmt);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Appends one timeline row inside the caller's transaction. */
static int timeline_add(struct hub_store *s, const char *negotiation, int64_t when,
                        const char *actor, const char *kind, const char *event, const char *from,
                        const char *to, const char *resource, const char *message,
                        const char *post_type, int64_t *id, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	sqlite3_stmt *q;
	int rc;

	if (prep(s, &n->tl_add,
	         "INSERT INTO timeline(negotiation, at, actor, kind, event, from_state, to_state,"
	         " resource, message, post_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	         err, errlen) < 0)
		return -1;
	q = n->tl_add;
	db_bind_text(q, 1, negotiation);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)when);
	db_bind_text(q, 3, actor);
	db_bind_text(q, 4, kind);
	db_bind_text(q, 5, event);
	db_bind_text(q, 6, from);
	db_bind_text(q, 7, to);
	db_bind_text(q, 8, resource);
	db_bind_text(q, 9, message);
	db_bind_text(q, 10, post_type);
	rc = db_step_done(q, "write timeline", err, errlen);
	done(q);
	if (rc == 0 && id != NULL)
		*id = (int64_t)sqlite3_last_insert_rowid(hub_store_db(s));
	return rc;
}

/* Sets negotiation id's modified time, inside the caller's transaction. */
static int touch(struct hub_store *s, const char *id, int64_t when, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	int rc;

	if (prep(s, &n->neg_touch, "UPDATE negotiations SET modified = ? WHERE id = ?", err,
	         errlen) < 0)
		return -1;
	sqlite3_bind_int64(n->neg_touch, 1, (sqlite3_int64)when);
	db_bind_text(n->neg_touch, 2, id);
	rc = db_step_done(n->neg_touch, "write negotiation", err, errlen);
	done(n->neg_touch);
	return rc;
}

static int insert_negotiation(struct hub_store *s, const struct hub_negotiation_new *nn, char *err,
                              size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	char *payload = json_dumps(nn->payload, JSON_COMPACT);
	int rc;

	if (payload == NULL) {
		snprintf(err, errlen, "negotiation: cannot encode the payload");
		return -1;
	}
	if (prep(s, &n->neg_add,
	         "INSERT INTO negotiations(id, request, author, idempotency_key, status, payload,"
	         " created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	         err, errlen) < 0) {
		free(payload);
		return -1;
	}
	db_bind_text(n->neg_add, 1, nn->id);
	db_bind_text(n->neg_add, 2, nn->request);
	db_bind_text(n->neg_add, 3, nn->author);
	db_bind_text(n->neg_add, 4, nn->idempotency_key);
	db_bind_text(n->neg_add, 5, nn->draft ? "DRAFT" : "SUBMITTED");
	db_bind_text(n->neg_add, 6, payload);
	sqlite3_bind_int64(n->neg_add, 7, (sqlite3_int64)nn->when);
	sqlite3_bind_int64(n->neg_add, 8, (sqlite3_int64)nn->when);
	rc = db_step_done(n->neg_add, "write negotiation", err, errlen);
	done(n->neg_add);
	free(payload);
	if (rc < 0)
		return -1;
	if (prep(s, &n->res_add,
	         "INSERT INTO negotiation_resources(negotiation, position, collection, state)"
	         " VALUES (?, ?, ?, 'SUBMITTED')",
	         err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < nn->n_collections; i++) {
		db_bind_text(n->res_add, 1, nn->id);
		sqlite3_bind_int64(n->res_add, 2, (sqlite3_int64)i);
		db_bind_text(n->res_add, 3, nn->collections[i]);
		rc = db_step_done(n->res_add, "write negotiation collections", err, errlen);
		done(n->res_add);
		if (rc < 0)
			return -1;
	}
	if (!nn->draft)
		return timeline_add(s, nn->id, nn->when, nn->author, "transition", "SUBMIT",
		                    "DRAFT", "SUBMITTED", NULL, NULL, NULL, NULL, err, errlen);
	return 0;
}

enum hub_store_made hub_store_negotiation_create(struct hub_store *s,
                                                 const struct hub_negotiation_new *nn,
                                                 char **existing, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	enum hub_store_made made = HUB_STORE_MADE_ERROR;
	int found;

	*existing = NULL;
	if (tx_begin(s, err, errlen) < 0)
		return HUB_STORE_MADE_ERROR;
	if (nn->idempotency_key != NULL) {
		if (prep(s, &n->neg_by_key,
		         "SELECT id FROM negotiations WHERE author = ? AND idempotency_key = ?",
		         err, errlen) < 0)
			goto out;
		db_bind_text(n->neg_by_key, 1, nn->author);
		db_bind_text(n->neg_by_key, 2, nn->idempotency_key);
		found = one_text(s, n->neg_by_key, existing, err, errlen);
		if (found != 0) {
			made = found == 1 ? HUB_STORE_REPLAYED : HUB_STORE_MADE_ERROR;
			goto out;
		}
	}
	if (prep(s, &n->neg_by_request, "SELECT id FROM negotiations WHERE request = ?", err,
	         errlen) < 0)
		goto out;
	db_bind_text(n->neg_by_request, 1, nn->request);
	found = one_text(s, n->neg_by_request, existing, err, errlen);
	if (found != 0) {
		made = found == 1 ? HUB_STORE_TAKEN : HUB_STORE_MADE_ERROR;
		goto out;
	}
	if (insert_negotiation(s, nn, err, errlen) < 0 || tx_commit(s, err, errlen) < 0)
		goto out;
	log_info("hub store: negotiation %s by %s (%s)", nn->id, nn->author,
	         nn->draft ? "draft" : "submitted");
	made = HUB_STORE_MADE;
out:
	/* a replay or a taken request wrote nothing: its transaction ends
	 * the same way as a failure */
	tx_abort(s);
	return made;
}

/* Reads the current row of n->neg_get / neg_list (columns id, seq,
 * request, author, status, payload, created, modified) with its
 * collections: new, or NULL with err set. */
static json_t *negotiation_row(struct hub_store *s, sqlite3_stmt *q, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	json_t *doc, *payload, *resources;
	const char *id = col_text(q, 0);
	int rc;

	payload = json_loads(col_text(q, 5), 0, NULL);
	if (!json_is_object(payload)) {
		json_decref(payload);
		snprintf(err, errlen, "negotiation %s: stored payload is not a JSON object", id);
		return NULL;
	}
	doc = json_pack("{s:s, s:I, s:s, s:s, s:s, s:o, s:I, s:I}", "id", id, "seq",
	                (json_int_t)sqlite3_column_int64(q, 1), "request", col_text(q, 2), "author",
	                col_text(q, 3), "status", col_text(q, 4), "payload", payload, "created",
	                (json_int_t)sqlite3_column_int64(q, 6), "modified",
	                (json_int_t)sqlite3_column_int64(q, 7));
	if (prep(s, &n->res_of,
	         "SELECT collection, state FROM negotiation_resources WHERE negotiation = ?"
	         " ORDER BY position",
	         err, errlen) < 0) {
		json_decref(doc);
		return NULL;
	}
	db_bind_text(n->res_of, 1, id);
	resources = json_array();
	while ((rc = sqlite3_step(n->res_of)) == SQLITE_ROW)
		json_array_append_new(resources,
		                      json_pack("{s:s, s:s}", "id", col_text(n->res_of, 0), "state",
		                                col_text(n->res_of, 1)));
	if (rc != SQLITE_DONE) {
		db_error(hub_store_db(s), "read negotiation collections", err, errlen);
		json_decref(resources);
		json_decref(doc);
		done(n->res_of);
		return NULL;
	}
	done(n->res_of);
	json_object_set_new(doc, "resources", resources);
	return doc;
}

#define NEGOTIATION_COLUMNS "id, seq, request, author, status, payload, created, modified"

json_t *hub_store_negotiation_get(struct hub_store *s, const char *id, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	json_t *doc = NULL;
	int rc;

	if (errlen > 0)
		err[0] = '\0';
	if (prep(s, &n->neg_get, "SELECT " NEGOTIATION_COLUMNS " FROM negotiations WHERE id = ?",
	         err, errlen) < 0)
		return NULL;
	db_bind_text(n->neg_get, 1, id);
	rc = sqlite3_step(n->neg_get);
	if (rc == SQLITE_ROW)
		doc = negotiation_row(s, n->neg_get, err, errlen);
	else if (rc != SQLITE_DONE)
		db_error(hub_store_db(s), "read negotiation", err, errlen);
	done(n->neg_get);
	return doc;
}

/* The filter's WHERE, shared by the listing and its count: each NULL
 * parameter lets everything through. */
#define LIST_WHERE                                                                                 \
	" WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR author = ?2)"                       \
	" AND (?3 IS NULL OR (status <> 'DRAFT' AND EXISTS (SELECT 1 FROM negotiation_resources r" \
	" JOIN representatives p ON p.collection = r.collection"                                   \
	" WHERE r.negotiation = negotiations.id AND p.user = ?3)))"

static void bind_filter(sqlite3_stmt *q, const struct hub_negotiation_filter *f)
{
	db_bind_text(q, 1, f != NULL ? f->status : NULL);
	db_bind_text(q, 2, f != NULL ? f->author : NULL);
	db_bind_text(q, 3, f != NULL ? f->representative : NULL);
}

json_t *hub_store_negotiation_list(struct hub_store *s, const struct hub_negotiation_filter *f,
                                   int64_t offset, int64_t limit, int64_t *total, char *err,
                                   size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	json_t *list, *doc;
	int rc;

	if (prep(s, &n->neg_count, "SELECT count(*) FROM negotiations" LIST_WHERE, err, errlen) < 0)
		return NULL;
	bind_filter(n->neg_count, f);
	rc = sqlite3_step(n->neg_count);
	if (rc != SQLITE_ROW) {
		db_error(hub_store_db(s), "count negotiations", err, errlen);
		done(n->neg_count);
		return NULL;
	}
	*total = (int64_t)sqlite3_column_int64(n->neg_count, 0);
	done(n->neg_count);
	if (prep(s, &n->neg_list,
	         "SELECT " NEGOTIATION_COLUMNS " FROM negotiations" LIST_WHERE
	         " ORDER BY seq LIMIT ?4 OFFSET ?5",
	         err, errlen) < 0)
		return NULL;
	bind_filter(n->neg_list, f);
	sqlite3_bind_int64(n->neg_list, 4, (sqlite3_int64)limit);
	sqlite3_bind_int64(n->neg_list, 5, (sqlite3_int64)offset);
	list = json_array();
	/* negotiation_row uses another statement, so this one stays open */
	while ((rc = sqlite3_step(n->neg_list)) == SQLITE_ROW) {
		doc = negotiation_row(s, n->neg_list, err, errlen);
		if (doc == NULL)
			goto fail;
		json_array_append_new(list, doc);
	}
	if (rc != SQLITE_DONE) {
		db_error(hub_store_db(s), "read negotiations", err, errlen);
		goto fail;
	}
	done(n->neg_list);
	return list;
fail:
	done(n->neg_list);
	json_decref(list);
	return NULL;
}

int hub_store_negotiation_set_payload(struct hub_store *s, const char *id, json_t *payload,
                                      int64_t when, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	char *text;
	int rc;

	if (db_tx_writable(hub_store_tx(s), err, errlen) < 0)
		return -1;
	text = json_dumps(payload, JSON_COMPACT);
	if (text == NULL) {
		snprintf(err, errlen, "negotiation %s: cannot encode the payload", id);
		return -1;
	}
	if (prep(s, &n->neg_payload,
	         "UPDATE negotiations SET payload = ?, modified = ? WHERE id = ? AND status = "
	         "'DRAFT'",
	         err, errlen) < 0) {
		free(text);
		return -1;
	}
	db_bind_text(n->neg_payload, 1, text);
	sqlite3_bind_int64(n->neg_payload, 2, (sqlite3_int64)when);
	db_bind_text(n->neg_payload, 3, id);
	rc = db_step_done(n->neg_payload, "write negotiation", err, errlen);
	done(n->neg_payload);
	free(text);
	if (rc < 0)
		return -1;
	return sqlite3_changes(hub_store_db(s)) == 1 ? 0 : 1;
}

/* Moves the state inside the caller's transaction: 0, 1 (not from), -1. */
static int move(struct hub_store *s, const struct hub_transition *t, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	sqlite3_stmt *q;
	int rc;

	if (t->resource == NULL) {
		if (prep(s, &n->neg_move,
		         "UPDATE negotiations SET status = ?, modified = ? WHERE id = ? AND status "
		         "= ?",
		         err, errlen) < 0)
			return -1;
		q = n->neg_move;
		db_bind_text(q, 1, t->to);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)t->when);
		db_bind_text(q, 3, t->negotiation);
		db_bind_text(q, 4, t->from);
	} else {
		if (prep(
		        s, &n->res_move,
		        "UPDATE negotiation_resources SET state = ?1 WHERE negotiation = ?2"
		        " AND collection = ?3 AND state = ?4 AND EXISTS (SELECT 1 FROM negotiations"
		        " WHERE id = ?2 AND status = 'IN_PROGRESS')",
		        err, errlen) < 0)
			return -1;
		q = n->res_move;
		db_bind_text(q, 1, t->to);
		db_bind_text(q, 2, t->negotiation);
		db_bind_text(q, 3, t->resource);
		db_bind_text(q, 4, t->from);
	}
	rc = db_step_done(q, "write state", err, errlen);
	done(q);
	if (rc < 0)
		return -1;
	if (sqlite3_changes(hub_store_db(s)) != 1)
		return 1;
	return t->resource != NULL ? touch(s, t->negotiation, t->when, err, errlen) : 0;
}

int hub_store_transition(struct hub_store *s, const struct hub_transition *t, char *err,
                         size_t errlen)
{
	int rc = -1;

	if (tx_begin(s, err, errlen) < 0)
		return -1;
	rc = move(s, t, err, errlen);
	if (rc != 0)
		goto out;
	rc = -1;
	if (timeline_add(s, t->negotiation, t->when, t->actor, "transition", t->event, t->from,
	                 t->to, t->resource, t->message, NULL, NULL, err, errlen) < 0)
		goto out;
	if (t->message != NULL &&
	    timeline_add(s, t->negotiation, t->when, t->actor, "post", NULL, NULL, NULL, NULL,
	                 t->message, "PUBLIC", NULL, err, errlen) < 0)
		goto out;
	if (tx_commit(s, err, errlen) < 0)
		goto out;
	log_info("hub store: negotiation %s%s%s: %s by %s, %s -> %s", t->negotiation,
	         t->resource != NULL ? " collection " : "", t->resource != NULL ? t->resource : "",
	         t->event, t->actor, t->from, t->to);
	rc = 0;
out:
	tx_abort(s);
	return rc;
}

int hub_store_post_add(struct hub_store *s, const char *negotiation, const char *actor,
                       int64_t when, const char *text, const char *type, int64_t *id, char *err,
                       size_t errlen)
{
	int rc = -1;

	if (tx_begin(s, err, errlen) < 0)
		return -1;
	if (timeline_add(s, negotiation, when, actor, "post", NULL, NULL, NULL, NULL, text, type,
	                 id, err, errlen) < 0 ||
	    touch(s, negotiation, when, err, errlen) < 0 || tx_commit(s, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	tx_abort(s);
	return rc;
}

json_t *hub_store_timeline(struct hub_store *s, const char *negotiation, char *err, size_t errlen)
{
	struct hub_store_nego *n = stmts(s);
	sqlite3_stmt *q;
	json_t *list;
	int rc;

	if (prep(s, &n->tl_list,
	         "SELECT id, at, actor, kind, event, from_state, to_state, resource, message,"
	         " post_type FROM timeline WHERE negotiation = ? ORDER BY id",
	         err, errlen) < 0)
		return NULL;
	q = n->tl_list;
	db_bind_text(q, 1, negotiation);
	list = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(
		    list, json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
		                    (json_int_t)sqlite3_column_int64(q, 0), "at",
		                    (json_int_t)sqlite3_column_int64(q, 1), "actor", col_text(q, 2),
		                    "kind", col_text(q, 3), "event", col_json_text(q, 4), "from",
		                    col_json_text(q, 5), "to", col_json_text(q, 6), "resource",
		                    col_json_text(q, 7), "message", col_json_text(q, 8),
		                    "post_type", col_json_text(q, 9)));
	if (rc != SQLITE_DONE) {
		db_error(hub_store_db(s), "read timeline", err, errlen);
		json_decref(list);
		list = NULL;
	}
	done(q);
	return list;
}
