/* hub.db: schema, users and sites with their tokens, the published
 * catalogue and the query audit. Tokens are random bytes from the kernel,
 * hex-encoded behind a prefix that says their kind; they exist in memory
 * only long enough to be hashed and returned, and never reach the log or
 * the file. It knows nothing of HTTP: the hub turns its results and
 * messages into responses. */
#include "config.h"

#include "store/hub_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "store/db.h"
#include "store/hub_store_int.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define TOKEN_BYTES 32
#define HASH_HEX    (2 * HASH_SHA256_LEN + 1)

static const char *const hub_schema_steps[] = {
	/* version 1 */
	"CREATE TABLE users(name TEXT PRIMARY KEY,"
	" role TEXT NOT NULL CHECK (role IN ('researcher', 'admin')),"
	" token_hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);"
	"CREATE TABLE sites(name TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,"
	" country TEXT, created INTEGER NOT NULL, last_seen INTEGER);"
	"CREATE TABLE collections(id TEXT PRIMARY KEY,"
	" site TEXT NOT NULL REFERENCES sites(name) ON DELETE CASCADE,"
	" name TEXT NOT NULL, item TEXT NOT NULL);"
	"CREATE INDEX collections_site ON collections(site);"
	"CREATE INDEX collections_name ON collections(name, id);"
	"CREATE TABLE audit(id INTEGER PRIMARY KEY, user TEXT NOT NULL, at INTEGER NOT NULL,"
	" cohort_hash TEXT NOT NULL, sites TEXT NOT NULL);"
	"CREATE INDEX audit_user ON audit(user, at, id);",
	/* version 2: access requests (PROTOCOL.md §6); see hub_store_nego.h */
	"CREATE TABLE representatives("
	" user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
	" collection TEXT NOT NULL, PRIMARY KEY (user, collection));"
	"CREATE INDEX representatives_collection ON representatives(collection, user);"
	"CREATE TABLE requests(id TEXT PRIMARY KEY, creator TEXT, created INTEGER NOT NULL,"
	" doc TEXT NOT NULL);"
	"CREATE TABLE negotiations(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	" request TEXT NOT NULL UNIQUE REFERENCES requests(id), author TEXT NOT NULL,"
	" idempotency_key TEXT, status TEXT NOT NULL CHECK (status IN ('DRAFT', 'SUBMITTED',"
	" 'IN_PROGRESS', 'PAUSED', 'CONCLUDED', 'ABANDONED', 'DECLINED')),"
	" payload TEXT NOT NULL, created INTEGER NOT NULL, modified INTEGER NOT NULL,"
	" UNIQUE (author, idempotency_key));"
	"CREATE INDEX negotiations_author ON negotiations(author, seq);"
	"CREATE INDEX negotiations_status ON negotiations(status, seq);"
	"CREATE TABLE negotiation_resources("
	" negotiation TEXT NOT NULL REFERENCES negotiations(id), position INTEGER NOT NULL,"
	" collection TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('SUBMITTED',"
	" 'REPRESENTATIVE_CONTACTED', 'REPRESENTATIVE_UNREACHABLE', 'CHECKING_AVAILABILITY',"
	" 'RESOURCE_AVAILABLE', 'RESOURCE_UNAVAILABLE', 'ACCESS_CONDITIONS_INDICATED',"
	" 'ACCESS_CONDITIONS_MET', 'RESOURCE_NOT_MADE_AVAILABLE', 'RESOURCE_MADE_AVAILABLE')),"
	" PRIMARY KEY (negotiation, collection));"
	"CREATE INDEX negotiation_resources_collection ON negotiation_resources(collection);"
	"CREATE TABLE timeline(id INTEGER PRIMARY KEY,"
	" negotiation TEXT NOT NULL REFERENCES negotiations(id), at INTEGER NOT NULL,"
	" actor TEXT NOT NULL, kind TEXT NOT NULL, event TEXT, from_state TEXT, to_state TEXT,"
	" resource TEXT, message TEXT, post_type TEXT,"
	" CHECK ((kind = 'transition' AND event IS NOT NULL AND from_state IS NOT NULL"
	"   AND to_state IS NOT NULL AND post_type IS NULL)"
	"  OR (kind = 'post' AND message IS NOT NULL AND post_type IN ('PUBLIC', 'PRIVATE')"
	"   AND event IS NULL AND from_state IS NULL AND to_state IS NULL AND resource IS NULL)));"
	"CREATE INDEX timeline_negotiation ON timeline(negotiation, id);"
	"CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline"
	" BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;"
	"CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline"
	" BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;",
	/* version 3: previews uploaded by the sites (an ecii extension of §5).
	 * No foreign key to collections: a site republishing its list replaces
	 * those rows, and its previews must survive that. */
	"CREATE TABLE previews(id TEXT PRIMARY KEY,"
	" site TEXT NOT NULL REFERENCES sites(name) ON DELETE CASCADE,"
	" collection TEXT NOT NULL,"
	" media_type TEXT NOT NULL CHECK (media_type IN ('application/dicom', 'image/png')),"
	" bytes BLOB NOT NULL, sha256 TEXT NOT NULL, updated INTEGER NOT NULL);"
	"CREATE INDEX previews_site ON previews(site);",
};

static const struct db_schema hub_schema = {
	.name = "hub store",
	.steps = hub_schema_steps,
	.n_steps = (int)(sizeof hub_schema_steps / sizeof hub_schema_steps[0]),
	.application_id = 0x65636968, /* "ecih" */
};

/* Users and sites share token handling; their SQL differs only in the
 * table, so each kind has its own fixed statements. */
enum hub_kind {
	KIND_USER,
	KIND_SITE,
};

static const struct {
	const char *what;
	const char *prefix;
	const char *find_sql;
	const char *rotate_sql;
	const char *remove_sql;
} kinds[] = {
	[KIND_USER] = {
	    .what = "user",
	    .prefix = HUB_TOKEN_USER_PREFIX,
	    .find_sql = "SELECT name, role, token_hash FROM users WHERE token_hash = ?",
	    .rotate_sql = "UPDATE users SET token_hash = ? WHERE name = ?",
	    .remove_sql = "DELETE FROM users WHERE name = ?",
	},
	[KIND_SITE] = {
	    .what = "site",
	    .prefix = HUB_TOKEN_SITE_PREFIX,
	    .find_sql = "SELECT name, NULL, token_hash FROM sites WHERE token_hash = ?",
	    .rotate_sql = "UPDATE sites SET token_hash = ? WHERE name = ?",
	    .remove_sql = "DELETE FROM sites WHERE name = ?",
	},
};

struct hub_store {
	sqlite3 *db;
	struct db_tx tx;
	sqlite3_stmt *find[2];
	sqlite3_stmt *rotate[2];
	sqlite3_stmt *remove[2];
	sqlite3_stmt *user_add;
	sqlite3_stmt *user_list;
	sqlite3_stmt *site_add;
	sqlite3_stmt *site_touch;
	sqlite3_stmt *site_list;
	sqlite3_stmt *site_exists;
	sqlite3_stmt *coll_clear;
	sqlite3_stmt *coll_owner;
	sqlite3_stmt *coll_put;
	sqlite3_stmt *coll_list;
	sqlite3_stmt *coll_get;
	sqlite3_stmt *audit_add;
	sqlite3_stmt *audit_list;
	sqlite3_stmt *prev_lister;
	sqlite3_stmt *prev_put;
	sqlite3_stmt *prev_get;
	struct hub_store_nego *nego; /* hub_store_nego.c's statements, or NULL */
};

const char *hub_role_name(enum hub_role role)
{
	switch (role) {
	case HUB_ROLE_RESEARCHER:
		return "researcher";
	case HUB_ROLE_ADMIN:
		return "admin";
	}
	return NULL;
}

int hub_role_parse(const char *s, enum hub_role *role, char *err, size_t errlen)
{
	if (s != NULL && strcmp(s, "researcher") == 0) {
		*role = HUB_ROLE_RESEARCHER;
		return 0;
	}
	if (s != NULL && strcmp(s, "admin") == 0) {
		*role = HUB_ROLE_ADMIN;
		return 0;
	}
	snprintf(err, errlen, "a role is researcher or admin");
	return -1;
}

bool hub_name_valid(const char *name)
{
	size_t n;

	if (name == NULL)
		return false;
	n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
	return n >= 1 && n <= HUB_NAME_MAX && name[n] == '\0';
}

/* The name is not echoed: it may be huge or hold terminal escapes. */
static int check_name(const char *what, const char *name, char *err, size_t errlen)
{
	if (hub_name_valid(name))
		return 0;
	snprintf(err, errlen, "a %s name is 1 to %d of A-Z a-z 0-9 . _ - (got %s)", what,
	         HUB_NAME_MAX,
	         name == NULL                  ? "none"
	         : name[0] == '\0'             ? "an empty name"
	         : strlen(name) > HUB_NAME_MAX ? "a longer name"
	                                       : "other characters");
	return -1;
}

struct hub_store *hub_store_open(const char *path, enum hub_store_mode mode, char *err,
                                 size_t errlen)
{
	struct hub_store *s;
	sqlite3 *db;
	sqlite3_stmt *wal = NULL;
	const char *jm;
	struct stat st;
	bool writable = mode != HUB_STORE_READ;

	/* db.h's DB_WRITE creates a missing file; an admin command pointed
	 * at a mistyped path must not start an empty hub. */
	if (mode == HUB_STORE_WRITE && path != NULL && *path != '\0' && stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	db = db_open(path, writable ? DB_WRITE : DB_READ, &hub_schema, err, errlen);
	if (db == NULL)
		return NULL;
	/* foreign_keys is per connection; journal_mode = WAL is kept in the
	 * file, so a reader finds it already set. The busy timeout is db.h's. */
	if (db_exec(db, "PRAGMA foreign_keys = ON", path, err, errlen) < 0)
		goto fail;
	if (writable) {
		wal = db_prepare(db, "PRAGMA journal_mode = WAL", err, errlen);
		if (wal == NULL)
			goto fail;
		jm = sqlite3_step(wal) == SQLITE_ROW ? (const char *)sqlite3_column_text(wal, 0)
		                                     : NULL;
		if (jm == NULL || strcmp(jm, "wal") != 0) {
			snprintf(err, errlen, "%s: cannot use WAL mode (journal mode is %s)", path,
			         jm != NULL ? jm : "unknown");
			goto fail;
		}
		sqlite3_finalize(wal);
		wal = NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->db = db;
	s->tx = (struct db_tx){ .name = hub_schema.name, .writable = writable };
	return s;
fail:
	sqlite3_finalize(wal);
	db_close(&db);
	return NULL;
}

void hub_store_close(struct hub_store **sp)
{
	struct hub_store *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	db_rollback(s->db);
	db_close(&s->db); /* finalises the negotiation statements too */
	hub_store_nego_free(&s->nego);
	free(s);
	*sp = NULL;
}

/* ---- tokens ---- */

static int fill_random(void *buf, size_t len, char *err, size_t errlen)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "no randomness for a token: %s", strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new token of kind: new, with its hash in hash_hex; NULL with err set. */
static char *token_make(enum hub_kind kind, char hash_hex[HASH_HEX], char *err, size_t errlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[TOKEN_BYTES];
	size_t plen = strlen(kinds[kind].prefix);
	char *token;

	if (fill_random(raw, sizeof raw, err, errlen) < 0)
		return NULL;
	token = xmalloc(plen + 2 * sizeof raw + 1);
	memcpy(token, kinds[kind].prefix, plen);
	for (size_t i = 0; i < sizeof raw; i++) {
		token[plen + 2 * i] = hex[raw[i] >> 4];
		token[plen + 2 * i + 1] = hex[raw[i] & 0xf];
	}
	token[plen + 2 * sizeof raw] = '\0';
	explicit_bzero(raw, sizeof raw);
	hash_sha256_hex(token, strlen(token), hash_hex);
	return token;
}

/* Frees a token the caller will not get, wiping it first. */
static void token_free(char *token)
{
	if (token == NULL)
		return;
	explicit_bzero(token, strlen(token));
	free(token);
}

/* true if token has kind's shape: its prefix and 64 lower-case hex digits. */
static bool token_shaped(enum hub_kind kind, const char *token)
{
	size_t plen = strlen(kinds[kind].prefix);

	if (token == NULL || strncmp(token, kinds[kind].prefix, plen) != 0)
		return false;
	token += plen;
	return strspn(token, "0123456789abcdef") == 2 * TOKEN_BYTES &&
	       token[2 * TOKEN_BYTES] == '\0';
}

/* Compares two hash hex strings in time that depends only on their length. */
static bool hash_equal(const char *a, const char *b)
{
	unsigned char diff = 0;

	if (a == NULL || b == NULL || strlen(a) != HASH_HEX - 1 || strlen(b) != HASH_HEX - 1)
		return false;
	for (size_t i = 0; i < HASH_HEX - 1; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static int find_by_token(struct hub_store *s, enum hub_kind kind, const char *token, char **name,
                         char **role, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	char hash[HASH_HEX];
	const char *text;
	int rc, found = -1;

	if (!token_shaped(kind, token))
		return 0;
	hash_sha256_hex(token, strlen(token), hash);
	if (db_cached(s->db, &s->find[kind], kinds[kind].find_sql, err, errlen) < 0)
		return -1;
	q = s->find[kind];
	db_bind_text(q, 1, hash);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		found = hash_equal((const char *)sqlite3_column_text(q, 2), hash) ? 1 : 0;
		if (found && name != NULL) {
			text = (const char *)sqlite3_column_text(q, 0);
			*name = xstrdup(text != NULL ? text : "");
		}
		if (found && role != NULL) {
			text = (const char *)sqlite3_column_text(q, 1);
			*role = xstrdup(text != NULL ? text : "");
		}
	} else if (rc == SQLITE_DONE) {
		found = 0;
	} else {
		db_error(s->db, "read tokens", err, errlen);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return found;
}

/* Steps an insert of a named row; a taken name is reported by name. */
static int insert_named(struct hub_store *s, sqlite3_stmt *q, enum hub_kind kind, const char *name,
                        char *err, size_t errlen)
{
	int rc = sqlite3_step(q), ext = sqlite3_extended_errcode(s->db);

	if (rc == SQLITE_DONE)
		rc = 0;
	else if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE) {
		snprintf(err, errlen, "%s %s already exists", kinds[kind].what, name);
		rc = -1;
	} else {
		db_error(s->db, kinds[kind].what, err, errlen);
		rc = -1;
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc;
}

static char *rotate(struct hub_store *s, enum hub_kind kind, const char *name, char *err,
                    size_t errlen)
{
	char hash[HASH_HEX], *token = NULL;

	if (db_tx_writable(&s->tx, err, errlen) < 0 ||
	    check_name(kinds[kind].what, name, err, errlen) < 0)
		return NULL;
	if (db_cached(s->db, &s->rotate[kind], kinds[kind].rotate_sql, err, errlen) < 0)
		return NULL;
	token = token_make(kind, hash, err, errlen);
	if (token == NULL)
		return NULL;
	db_bind_text(s->rotate[kind], 1, hash);
	db_bind_text(s->rotate[kind], 2, name);
	if (db_step_done(s->rotate[kind], "rotate token", err, errlen) < 0)
		goto fail;
	if (sqlite3_changes(s->db) != 1) {
		snprintf(err, errlen, "no %s %s", kinds[kind].what, name);
		goto fail;
	}
	sqlite3_clear_bindings(s->rotate[kind]);
	log_info("hub store: new token for %s %s", kinds[kind].what, name);
	return token;
fail:
	sqlite3_clear_bindings(s->rotate[kind]);
	token_free(token);
	return NULL;
}

static int remove_named(struct hub_store *s, enum hub_kind kind, const char *name, char *err,
                        size_t errlen)
{
	int rc = -1;

	if (db_tx_writable(&s->tx, err, errlen) < 0 ||
	    check_name(kinds[kind].what, name, err, errlen) < 0)
		return -1;
	if (db_cached(s->db, &s->remove[kind], kinds[kind].remove_sql, err, errlen) < 0)
		return -1;
	db_bind_text(s->remove[kind], 1, name);
	if (db_step_done(s->remove[kind], "remove", err, errlen) < 0)
		goto out;
	if (sqlite3_changes(s->db) != 1) {
		snprintf(err, errlen, "no %s %s", kinds[kind].what, name);
		goto out;
	}
	log_info("hub store: removed %s %s", kinds[kind].what, name);
	rc = 0;
out:
	sqlite3_clear_bindings(s->remove[kind]);
	return rc;
}

/* ---- users ---- */

char *hub_store_user_add(struct hub_store *s, const char *name, enum hub_role role, char *err,
                         size_t errlen)
{
	char hash[HASH_HEX], *token;
	const char *role_name = hub_role_name(role);

	if (db_tx_writable(&s->tx, err, errlen) < 0 || check_name("user", name, err, errlen) < 0)
		return NULL;
	if (role_name == NULL) {
		snprintf(err, errlen, "a role is researcher or admin");
		return NULL;
	}
	if (db_cached(s->db, &s->user_add,
	              "INSERT INTO users(name, role, token_hash, created) VALUES (?, ?, ?, ?)", err,
	              errlen) < 0)
		return NULL;
	token = token_make(KIND_USER, hash, err, errlen);
	if (token == NULL)
		return NULL;
	db_bind_text(s->user_add, 1, name);
	db_bind_text(s->user_add, 2, role_name);
	db_bind_text(s->user_add, 3, hash);
	sqlite3_bind_int64(s->user_add, 4, (sqlite3_int64)time(NULL));
	if (insert_named(s, s->user_add, KIND_USER, name, err, errlen) < 0) {
		token_free(token);
		return NULL;
	}
	log_info("hub store: added user %s (%s)", name, role_name);
	return token;
}

int hub_store_user_find_by_token(struct hub_store *s, const char *token, char **name,
                                 enum hub_role *role, char *err, size_t errlen)
{
	char *role_text = NULL, *user = NULL;
	enum hub_role r;
	int found;

	found = find_by_token(s, KIND_USER, token, &user, &role_text, err, errlen);
	if (found == 1 && hub_role_parse(role_text, &r, err, errlen) < 0)
		found = -1;
	if (found == 1) {
		if (name != NULL) {
			*name = user;
			user = NULL;
		}
		if (role != NULL)
			*role = r;
	}
	free(user);
	free(role_text);
	return found;
}

char *hub_store_user_rotate(struct hub_store *s, const char *name, char *err, size_t errlen)
{
	return rotate(s, KIND_USER, name, err, errlen);
}

int hub_store_user_remove(struct hub_store *s, const char *name, char *err, size_t errlen)
{
	return remove_named(s, KIND_USER, name, err, errlen);
}

json_t *hub_store_user_list(struct hub_store *s, char *err, size_t errlen)
{
	json_t *list;
	int rc;

	if (db_cached(s->db, &s->user_list, "SELECT name, role, created FROM users ORDER BY name",
	              err, errlen) < 0)
		return NULL;
	list = json_array();
	while ((rc = sqlite3_step(s->user_list)) == SQLITE_ROW)
		json_array_append_new(
		    list, json_pack("{s:s, s:s, s:I}", "name",
		                    (const char *)sqlite3_column_text(s->user_list, 0), "role",
		                    (const char *)sqlite3_column_text(s->user_list, 1), "created",
		                    (json_int_t)sqlite3_column_int64(s->user_list, 2)));
	if (rc != SQLITE_DONE) {
		db_error(s->db, "read users", err, errlen);
		json_decref(list);
		list = NULL;
	}
	sqlite3_reset(s->user_list);
	return list;
}

/* ---- sites ---- */

static bool country_valid(const char *country)
{
	size_t n = 0;

	if (country == NULL)
		return true;
	for (; country[n] != '\0'; n++)
		if (country[n] < 0x20 || country[n] > 0x7e)
			return false;
	return n >= 1 && n <= 64;
}

char *hub_store_site_add(struct hub_store *s, const char *name, const char *country, char *err,
                         size_t errlen)
{
	char hash[HASH_HEX], *token;

	if (db_tx_writable(&s->tx, err, errlen) < 0 || check_name("site", name, err, errlen) < 0)
		return NULL;
	if (!country_valid(country)) {
		snprintf(err, errlen, "a site's country is 1 to 64 printable ASCII characters");
		return NULL;
	}
	if (db_cached(s->db, &s->site_add,
	              "INSERT INTO sites(name, token_hash, country, created) VALUES (?, ?, ?, ?)",
	              err, errlen) < 0)
		return NULL;
	token = token_make(KIND_SITE, hash, err, errlen);
	if (token == NULL)
		return NULL;
	db_bind_text(s->site_add, 1, name);
	db_bind_text(s->site_add, 2, hash);
	db_bind_text(s->site_add, 3, country);
	sqlite3_bind_int64(s->site_add, 4, (sqlite3_int64)time(NULL));
	if (insert_named(s, s->site_add, KIND_SITE, name, err, errlen) < 0) {
		token_free(token);
		return NULL;
	}
	log_info("hub store: added site %s", name);
	return token;
}

int hub_store_site_find_by_token(struct hub_store *s, const char *token, char **name, char *err,
                                 size_t errlen)
{
	return find_by_token(s, KIND_SITE, token, name, NULL, err, errlen);
}

int hub_store_site_touch(struct hub_store *s, const char *name, int64_t now, char *err,
                         size_t errlen)
{
	int rc = -1;

	if (db_tx_writable(&s->tx, err, errlen) < 0 || check_name("site", name, err, errlen) < 0)
		return -1;
	if (db_cached(s->db, &s->site_touch, "UPDATE sites SET last_seen = ? WHERE name = ?", err,
	              errlen) < 0)
		return -1;
	sqlite3_bind_int64(s->site_touch, 1, (sqlite3_int64)now);
	db_bind_text(s->site_touch, 2, name);
	if (db_step_done(s->site_touch, "touch site", err, errlen) < 0)
		goto out;
	if (sqlite3_changes(s->db) != 1) {
		snprintf(err, errlen, "no site %s", name);
		goto out;
	}
	rc = 0;
out:
	sqlite3_clear_bindings(s->site_touch);
	return rc;
}

char *hub_store_site_rotate(struct hub_store *s, const char *name, char *err, size_t errlen)
{
	return rotate(s, KIND_SITE, name, err, errlen);
}

int hub_store_site_remove(struct hub_store *s, const char *name, char *err, size_t errlen)
{
	return remove_named(s, KIND_SITE, name, err, errlen);
}

json_t *hub_store_site_list(struct hub_store *s, int64_t now, int64_t heartbeat, char *err,
                            size_t errlen)
{
	sqlite3_stmt *q;
	json_t *list, *site;
	int64_t seen;
	int rc;

	if (db_cached(s->db, &s->site_list,
	              "SELECT name, country, created, last_seen FROM sites ORDER BY name", err,
	              errlen) < 0)
		return NULL;
	q = s->site_list;
	list = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		site = json_pack("{s:s, s:I}", "name", (const char *)sqlite3_column_text(q, 0),
		                 "created", (json_int_t)sqlite3_column_int64(q, 2));
		if (sqlite3_column_type(q, 1) == SQLITE_NULL)
			json_object_set_new(site, "country", json_null());
		else
			json_object_set_new(site, "country",
			                    json_string((const char *)sqlite3_column_text(q, 1)));
		if (sqlite3_column_type(q, 3) == SQLITE_NULL) {
			json_object_set_new(site, "last_seen", json_null());
			json_object_set_new(site, "online", json_false());
		} else {
			seen = sqlite3_column_int64(q, 3);
			json_object_set_new(site, "last_seen", json_integer(seen));
			json_object_set_new(site, "online", json_boolean(now - seen <= heartbeat));
		}
		json_array_append_new(list, site);
	}
	if (rc != SQLITE_DONE) {
		db_error(s->db, "read sites", err, errlen);
		json_decref(list);
		list = NULL;
	}
	sqlite3_reset(q);
	return list;
}

/* ---- catalogue ---- */

/* 1 if site exists, 0 if not, -1 with err set. */
static int site_exists(struct hub_store *s, const char *site, char *err, size_t errlen)
{
	int rc;

	if (db_cached(s->db, &s->site_exists, "SELECT 1 FROM sites WHERE name = ?", err, errlen) <
	    0)
		return -1;
	db_bind_text(s->site_exists, 1, site);
	rc = sqlite3_step(s->site_exists);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_error(s->db, "read sites", err, errlen);
	sqlite3_reset(s->site_exists);
	sqlite3_clear_bindings(s->site_exists);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Writes one item of site's publication; the old rows are already gone,
 * so an id still present was published by another site or earlier in
 * this list. */
static int put_item(struct hub_store *s, const char *site, json_t *item, size_t index, char *err,
                    size_t errlen)
{
	const char *id = json_string_value(json_object_get(item, "id"));
	const char *name = json_string_value(json_object_get(item, "name"));
	char *owner = NULL;
	int rc;

	if (!json_is_object(item) || id == NULL || *id == '\0' || name == NULL) {
		snprintf(err, errlen, "site %s: collection %zu needs a string id and name", site,
		         index);
		return -1;
	}
	if (db_cached(s->db, &s->coll_owner, "SELECT site FROM collections WHERE id = ?", err,
	              errlen) < 0)
		return -1;
	db_bind_text(s->coll_owner, 1, id);
	rc = sqlite3_step(s->coll_owner);
	if (rc == SQLITE_ROW)
		owner = xstrdup((const char *)sqlite3_column_text(s->coll_owner, 0));
	else if (rc != SQLITE_DONE)
		db_error(s->db, "read collections", err, errlen);
	sqlite3_reset(s->coll_owner);
	sqlite3_clear_bindings(s->coll_owner);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (owner != NULL) {
		if (strcmp(owner, site) == 0)
			snprintf(err, errlen, "site %s: collection %s appears twice", site, id);
		else
			snprintf(err, errlen,
			         "site %s: collection %s is already published by site %s", site, id,
			         owner);
		free(owner);
		return -1;
	}
	if (db_cached(s->db, &s->coll_put,
	              "INSERT INTO collections(id, site, name, item) VALUES (?, ?, ?, ?)", err,
	              errlen) < 0)
		return -1;
	db_bind_text(s->coll_put, 1, id);
	db_bind_text(s->coll_put, 2, site);
	db_bind_text(s->coll_put, 3, name);
	return db_write_item(s->coll_put, 4, id, item, err, errlen);
}

int hub_store_catalogue_replace(struct hub_store *s, const char *site, json_t *items, char *err,
                                size_t errlen)
{
	json_t *item;
	size_t i;
	int rc = -1;

	if (db_tx_writable(&s->tx, err, errlen) < 0 || check_name("site", site, err, errlen) < 0)
		return -1;
	if (!json_is_array(items)) {
		snprintf(err, errlen, "site %s: collections must be an array", site);
		return -1;
	}
	if (db_tx_begin(s->db, &s->tx, err, errlen) < 0)
		return -1;
	switch (site_exists(s, site, err, errlen)) {
	case 0:
		snprintf(err, errlen, "no site %s", site);
		goto out;
	case 1:
		break;
	default:
		goto out;
	}
	if (db_cached(s->db, &s->coll_clear, "DELETE FROM collections WHERE site = ?", err,
	              errlen) < 0)
		goto out;
	db_bind_text(s->coll_clear, 1, site);
	if (db_step_done(s->coll_clear, "clear collections", err, errlen) < 0) {
		sqlite3_clear_bindings(s->coll_clear);
		goto out;
	}
	sqlite3_clear_bindings(s->coll_clear);
	json_array_foreach (items, i, item) {
		if (put_item(s, site, item, i, err, errlen) < 0)
			goto out;
	}
	if (db_tx_commit(s->db, &s->tx, err, errlen) < 0)
		goto out;
	log_info("hub store: site %s published %zu collections", site, json_array_size(items));
	rc = 0;
out:
	if (rc < 0 && s->tx.in_tx) {
		db_rollback(s->db);
		s->tx.in_tx = false;
	}
	return rc;
}

json_t *hub_store_catalogue_list(struct hub_store *s, char **etag, char *err, size_t errlen)
{
	char hash[HASH_HEX], *text;
	json_t *items;

	if (db_cached(s->db, &s->coll_list, "SELECT id, item FROM collections ORDER BY name, id",
	              err, errlen) < 0)
		return NULL;
	items = db_read_items(s->coll_list, err, errlen);
	if (items == NULL || etag == NULL)
		return items;
	text = json_dumps(items, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL) {
		snprintf(err, errlen, "catalogue: cannot encode the list");
		json_decref(items);
		return NULL;
	}
	hash_sha256_hex(text, strlen(text), hash);
	free(text);
	*etag = xasprintf("\"%s\"", hash);
	return items;
}

json_t *hub_store_catalogue_get(struct hub_store *s, const char *id, char *err, size_t errlen)
{
	return db_read_item(s->db, &s->coll_get, "SELECT id, item FROM collections WHERE id = ?",
	                    id, err, errlen);
}

/* ---- previews ---- */

bool hub_preview_id_valid(const char *id)
{
	size_t n;

	if (id == NULL || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z') ||
	                    (id[0] >= '0' && id[0] <= '9')))
		return false;
	n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
	return n <= HUB_PREVIEW_ID_MAX && id[n] == '\0';
}

bool hub_preview_type_valid(const char *media_type)
{
	return media_type != NULL && (strcmp(media_type, "application/dicom") == 0 ||
	                              strcmp(media_type, "image/png") == 0);
}

void hub_preview_clear(struct hub_preview *p)
{
	if (p == NULL)
		return;
	free(p->site);
	free(p->media_type);
	free(p->bytes);
	memset(p, 0, sizeof *p);
}

/* The collections listing preview id, site's own first: 1 with *owner and
 * *collection (new) of the first, 0 when none does, -1 with err set. The
 * CASE keeps json_extract away from array members that are not objects. */
static int preview_lister(struct hub_store *s, const char *site, const char *id, char **owner,
                          char **collection, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	int rc;

	if (db_cached(
	        s->db, &s->prev_lister,
	        "SELECT c.site, c.id FROM collections c, json_each(c.item, '$.previews') j"
	        " WHERE CASE WHEN j.type = 'object' THEN json_extract(j.value, '$.id') END = ?"
	        " ORDER BY c.site = ? DESC, c.id LIMIT 1",
	        err, errlen) < 0)
		return -1;
	q = s->prev_lister;
	db_bind_text(q, 1, id);
	db_bind_text(q, 2, site);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*owner = xstrdup((const char *)sqlite3_column_text(q, 0));
		*collection = xstrdup((const char *)sqlite3_column_text(q, 1));
	} else if (rc != SQLITE_DONE) {
		db_error(s->db, "read collections", err, errlen);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

enum hub_preview_status hub_store_preview_put(struct hub_store *s, const char *site, const char *id,
                                              const char *media_type, const void *bytes, size_t len,
                                              int64_t now, char *err, size_t errlen)
{
	char hash[HASH_HEX], *owner = NULL, *collection = NULL;
	enum hub_preview_status st = HUB_PREVIEW_ERROR;
	int found;

	if (db_tx_writable(&s->tx, err, errlen) < 0 || check_name("site", site, err, errlen) < 0)
		return HUB_PREVIEW_ERROR;
	if (!hub_preview_id_valid(id)) {
		snprintf(err, errlen,
		         "a preview id is 1 to %d of A-Z a-z 0-9 . _ -, starting with a "
		         "letter or digit",
		         HUB_PREVIEW_ID_MAX);
		return HUB_PREVIEW_ERROR;
	}
	if (!hub_preview_type_valid(media_type)) {
		snprintf(err, errlen, "a preview is application/dicom or image/png");
		return HUB_PREVIEW_ERROR;
	}
	if ((bytes == NULL && len > 0) || len > HUB_PREVIEW_MAX) {
		snprintf(err, errlen, "a preview is at most %d bytes", HUB_PREVIEW_MAX);
		return HUB_PREVIEW_ERROR;
	}
	/* the check and the write in one transaction: a publication in
	 * between cannot leave a preview stored that nothing lists */
	if (db_tx_begin(s->db, &s->tx, err, errlen) < 0)
		return HUB_PREVIEW_ERROR;
	found = preview_lister(s, site, id, &owner, &collection, err, errlen);
	if (found < 0)
		goto out;
	if (found == 0) {
		snprintf(err, errlen, "no collection site %s publishes lists preview %s", site, id);
		st = HUB_PREVIEW_UNLISTED;
		goto out;
	}
	if (strcmp(owner, site) != 0) {
		snprintf(err, errlen, "preview %s is listed by site %s's collection %s, not by %s",
		         id, owner, collection, site);
		st = HUB_PREVIEW_OTHER_SITE;
		goto out;
	}
	if (db_cached(s->db, &s->prev_put,
	              "INSERT OR REPLACE INTO previews(id, site, collection, media_type, bytes,"
	              " sha256, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
	              err, errlen) < 0)
		goto out;
	hash_sha256_hex(len > 0 ? bytes : "", len, hash);
	db_bind_text(s->prev_put, 1, id);
	db_bind_text(s->prev_put, 2, site);
	db_bind_text(s->prev_put, 3, collection);
	db_bind_text(s->prev_put, 4, media_type);
	/* a zero-length blob, not NULL: the column is NOT NULL */
	sqlite3_bind_blob(s->prev_put, 5, len > 0 ? bytes : "", (int)len, SQLITE_STATIC);
	db_bind_text(s->prev_put, 6, hash);
	sqlite3_bind_int64(s->prev_put, 7, (sqlite3_int64)now);
	if (db_step_done(s->prev_put, "write preview", err, errlen) == 0 &&
	    db_tx_commit(s->db, &s->tx, err, errlen) == 0) {
		st = HUB_PREVIEW_STORED;
		log_info("hub store: site %s stored preview %s (%zu bytes)", site, id, len);
	}
	sqlite3_clear_bindings(s->prev_put);
out:
	if (s->tx.in_tx) {
		db_rollback(s->db);
		s->tx.in_tx = false;
	}
	free(owner);
	free(collection);
	return st;
}

int hub_store_preview_get(struct hub_store *s, const char *id, bool with_bytes,
                          struct hub_preview *p, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	const char *hash;
	int rc;

	memset(p, 0, sizeof *p);
	if (!hub_preview_id_valid(id))
		return 0;
	if (db_cached(s->db, &s->prev_get,
	              "SELECT p.site, p.media_type, p.sha256, CASE WHEN ? THEN p.bytes END,"
	              " length(p.bytes) FROM previews p WHERE p.id = ? AND EXISTS (SELECT 1"
	              " FROM collections c, json_each(c.item, '$.previews') j WHERE c.site = p.site"
	              " AND CASE WHEN j.type = 'object' THEN json_extract(j.value, '$.id') END"
	              " = p.id)",
	              err, errlen) < 0)
		return -1;
	q = s->prev_get;
	sqlite3_bind_int(q, 1, with_bytes ? 1 : 0);
	db_bind_text(q, 2, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		hash = (const char *)sqlite3_column_text(q, 2);
		p->site = xstrdup((const char *)sqlite3_column_text(q, 0));
		p->media_type = xstrdup((const char *)sqlite3_column_text(q, 1));
		snprintf(p->sha256, sizeof p->sha256, "%s", hash != NULL ? hash : "");
		p->len = (size_t)sqlite3_column_int64(q, 4);
		if (with_bytes && p->len > 0) {
			const void *blob = sqlite3_column_blob(q, 3);

			if (blob == NULL || (size_t)sqlite3_column_bytes(q, 3) != p->len) {
				db_error(s->db, "read preview", err, errlen);
				hub_preview_clear(p);
				rc = SQLITE_ERROR;
			} else {
				p->bytes = xmalloc(p->len);
				memcpy(p->bytes, blob, p->len);
			}
		}
	} else if (rc != SQLITE_DONE) {
		db_error(s->db, "read preview", err, errlen);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* ---- audit ---- */

static bool hex64(const char *s)
{
	return s != NULL && strspn(s, "0123456789abcdef") == HASH_HEX - 1 &&
	       s[HASH_HEX - 1] == '\0';
}

int hub_store_audit_add(struct hub_store *s, const char *user, int64_t when,
                        const char *cohort_hash, json_t *sites, char *err, size_t errlen)
{
	json_t *site;
	size_t i;
	char *text = NULL;
	int rc = -1;

	if (db_tx_writable(&s->tx, err, errlen) < 0 || check_name("user", user, err, errlen) < 0)
		return -1;
	if (!hex64(cohort_hash)) {
		snprintf(err, errlen, "a cohort hash is 64 lower-case hex digits");
		return -1;
	}
	if (!json_is_array(sites)) {
		snprintf(err, errlen, "the audited sites must be an array of names");
		return -1;
	}
	json_array_foreach (sites, i, site) {
		if (!hub_name_valid(json_string_value(site))) {
			snprintf(err, errlen, "audited site %zu is not a site name", i);
			return -1;
		}
	}
	if (db_cached(s->db, &s->audit_add,
	              "INSERT INTO audit(user, at, cohort_hash, sites) VALUES (?, ?, ?, ?)", err,
	              errlen) < 0)
		return -1;
	text = json_dumps(sites, JSON_COMPACT);
	if (text == NULL) {
		snprintf(err, errlen, "cannot encode the audited sites");
		goto out;
	}
	db_bind_text(s->audit_add, 1, user);
	sqlite3_bind_int64(s->audit_add, 2, (sqlite3_int64)when);
	db_bind_text(s->audit_add, 3, cohort_hash);
	db_bind_text(s->audit_add, 4, text);
	rc = db_step_done(s->audit_add, "write audit", err, errlen);
out:
	sqlite3_clear_bindings(s->audit_add);
	free(text);
	return rc;
}

json_t *hub_store_audit_list_by_user(struct hub_store *s, const char *user, int limit, char *err,
                                     size_t errlen)
{
	sqlite3_stmt *q;
	json_t *list, *sites;
	json_error_t jerr;
	const char *text;
	int rc;

	if (check_name("user", user, err, errlen) < 0)
		return NULL;
	if (db_cached(s->db, &s->audit_list,
	              "SELECT user, at, cohort_hash, sites FROM audit WHERE user = ?"
	              " ORDER BY at DESC, id DESC LIMIT ?",
	              err, errlen) < 0)
		return NULL;
	q = s->audit_list;
	db_bind_text(q, 1, user);
	sqlite3_bind_int(q, 2, limit > 0 ? limit : -1);
	list = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(q, 3);
		sites = text != NULL ? json_loads(text, 0, &jerr) : NULL;
		if (!json_is_array(sites)) {
			json_decref(sites);
			snprintf(err, errlen, "audit: a stored site list is not a JSON array");
			goto fail;
		}
		json_array_append_new(
		    list, json_pack("{s:s, s:I, s:s, s:o}", "user",
		                    (const char *)sqlite3_column_text(q, 0), "when",
		                    (json_int_t)sqlite3_column_int64(q, 1), "cohort_hash",
		                    (const char *)sqlite3_column_text(q, 2), "sites", sites));
	}
	if (rc != SQLITE_DONE) {
		db_error(s->db, "read audit", err, errlen);
		goto fail;
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return list;
fail:
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	json_decref(list);
	return NULL;
}

/* ---- for hub_store_nego.c (hub_store_int.h) ---- */

sqlite3 *hub_store_db(struct hub_store *s)
{
	return s->db;
}

struct db_tx *hub_store_tx(struct hub_store *s)
{
	return &s->tx;
}

struct hub_store_nego **hub_store_nego_slot(struct hub_store *s)
{
	return &s->nego;
}
