/* hub.db: ecii-hub's own database. Users and sites with their bearer
 * tokens (PROTOCOL.md §7), the catalogue the sites publish (§4, §5) and an
 * audit of the queries run. Tokens are made here, handed to the caller once
 * and kept only as the SHA-256 hex of the whole token; no token is ever
 * stored or logged. Every value is bound; statements are prepared once. The
 * file is in WAL mode with foreign keys on, so the hub's readers do not wait
 * for its writer.
 *
 * Schema (version 1; versions 2 and 3 below):
 *   users(name TEXT PRIMARY KEY, role TEXT NOT NULL -- 'researcher' | 'admin',
 *        token_hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL)
 *   sites(name TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, country TEXT,
 *        created INTEGER NOT NULL, last_seen INTEGER)      -- NULL: never seen
 *   collections(id TEXT PRIMARY KEY,
 *        site TEXT NOT NULL REFERENCES sites(name) ON DELETE CASCADE,
 *        name TEXT NOT NULL, item TEXT NOT NULL)           -- item: §5 item, compact JSON
 *   audit(id INTEGER PRIMARY KEY, user TEXT NOT NULL, at INTEGER NOT NULL,
 *        cohort_hash TEXT NOT NULL, sites TEXT NOT NULL)   -- sites: JSON array
 *   schema_version(version INTEGER NOT NULL)
 * Version 2 adds the access requests of §6 (representatives, requests,
 * negotiations, their collections and the append-only timeline): see
 * store/hub_store_nego.h, which holds their functions.
 * Version 3 adds the previews sites upload (an ecii extension of §5):
 *   previews(id TEXT PRIMARY KEY,
 *        site TEXT NOT NULL REFERENCES sites(name) ON DELETE CASCADE,
 *        collection TEXT NOT NULL,                         -- the one listing it when stored
 *        media_type TEXT NOT NULL CHECK (media_type IN ('application/dicom', 'image/png')),
 *        bytes BLOB NOT NULL, sha256 TEXT NOT NULL,       -- lower-case hex of bytes
 *        updated INTEGER NOT NULL)
 *   A preview is served only while a collection its site publishes lists
 *   it in its "previews" array.
 * Times are seconds since the epoch. The header's application id
 * (0x65636968, "ecih") tells it from the other stores.
 */
#ifndef ECII_STORE_HUB_STORE_H
#define ECII_STORE_HUB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define HUB_NAME_MAX          64
#define HUB_TOKEN_USER_PREFIX "ecii_u_"
#define HUB_TOKEN_SITE_PREFIX "ecii_s_"

struct hub_store;

enum hub_store_mode {
	HUB_STORE_READ,   /* an existing file, read-only */
	HUB_STORE_WRITE,  /* an existing file, read-write */
	HUB_STORE_CREATE, /* read-write, created when missing */
};

enum hub_role {
	HUB_ROLE_RESEARCHER,
	HUB_ROLE_ADMIN,
};

/* "researcher" or "admin" (static), or NULL for a value out of range. */
const char *hub_role_name(enum hub_role role);
/* Parses "researcher" or "admin" into *role. Returns 0, or -1 with err set
 * (NULL accepted and refused). */
int hub_role_parse(const char *s, enum hub_role *role, char *err, size_t errlen);

/* true if name (NULL accepted) is 1..HUB_NAME_MAX of [A-Za-z0-9._-]: the
 * rule for user and site names. */
bool hub_name_valid(const char *name);

/* Opens path in mode. Refuses a file that is not a hub store or whose
 * schema is newer than the code. Returns new or NULL with err naming path. */
struct hub_store *hub_store_open(const char *path, enum hub_store_mode mode, char *err,
                                 size_t errlen);
/* Closes *s and clears it; NULL or *s NULL is a no-op. */
void hub_store_close(struct hub_store **s);

/* ---- users ---- */

/* Adds user name with role and makes its token. Returns the token, new
 * (shown once; only its hash is kept), or NULL with err set: a bad name,
 * a name already taken (named), no randomness, a write error. */
char *hub_store_user_add(struct hub_store *s, const char *name, enum hub_role role, char *err,
                         size_t errlen);
/* Who holds token (borrowed; NULL accepted). Returns 1 and sets *name (new)
 * and *role (either may be NULL: not wanted) when it is a user's current
 * token; 0 when it is not (empty, a site's, rotated away, unknown); -1 with
 * err set on a read error. */
int hub_store_user_find_by_token(struct hub_store *s, const char *token, char **name,
                                 enum hub_role *role, char *err, size_t errlen);
/* Gives user name a new token: returns it, new, and the old one stops
 * working; NULL with err set (unknown name named) on failure. */
char *hub_store_user_rotate(struct hub_store *s, const char *name, char *err, size_t errlen);
/* Removes user name (its audit rows stay). Returns 0, or -1 with err set
 * (unknown name named). */
int hub_store_user_remove(struct hub_store *s, const char *name, char *err, size_t errlen);
/* Every user in name order as a new array of {"name","role","created"}, or
 * NULL with err set. */
json_t *hub_store_user_list(struct hub_store *s, char *err, size_t errlen);

/* ---- sites ---- */

/* Adds site name in country (copied; NULL: not known; else 1..64 printable
 * ASCII) and makes its token. Returns the token, new, or NULL with err set
 * as for hub_store_user_add. */
char *hub_store_site_add(struct hub_store *s, const char *name, const char *country, char *err,
                         size_t errlen);
/* As hub_store_user_find_by_token, for a site's token: 1 and *name (new;
 * NULL: not wanted), 0, or -1 with err set. */
int hub_store_site_find_by_token(struct hub_store *s, const char *token, char **name, char *err,
                                 size_t errlen);
/* Records that site name was seen at now. Returns 0, or -1 with err set
 * (unknown name named). */
int hub_store_site_touch(struct hub_store *s, const char *name, int64_t now, char *err,
                         size_t errlen);
/* As hub_store_user_rotate and hub_store_user_remove, for sites. Removing
 * a site removes the collections it published. */
char *hub_store_site_rotate(struct hub_store *s, const char *name, char *err, size_t errlen);
int hub_store_site_remove(struct hub_store *s, const char *name, char *err, size_t errlen);
/* Every site in name order as a new array of {"name","country","created",
 * "last_seen","online"}: country and last_seen are null when not known;
 * online is true when the site was seen at most heartbeat seconds before
 * now. NULL with err set on a read error. */
json_t *hub_store_site_list(struct hub_store *s, int64_t now, int64_t heartbeat, char *err,
                            size_t errlen);

/* ---- catalogue ---- */

/* Replaces every collection site publishes with items (borrowed; an array
 * of §5 objects, each with a string "id" and "name"), all or nothing.
 * Returns 0, or -1 with err set: an unknown site, a bad item, an id twice,
 * an id another site publishes (both sites named). */
int hub_store_catalogue_replace(struct hub_store *s, const char *site, json_t *items, char *err,
                                size_t errlen);
/* Every item, ordered by name then id: a new array, or NULL with err set.
 * When etag is not NULL *etag is set to the list's ETag (new): "\"<sha256
 * hex>\"" of the list as compact JSON with sorted keys, so it changes
 * exactly when the list does. */
json_t *hub_store_catalogue_list(struct hub_store *s, char **etag, char *err, size_t errlen);
/* The item with this id (NULL accepted): new, or NULL. When it is simply
 * not there err is set to ""; on a read error err says why. */
json_t *hub_store_catalogue_get(struct hub_store *s, const char *id, char *err, size_t errlen);

/* ---- previews (ecii extension of §5) ---- */

#define HUB_PREVIEW_MAX    (8 * 1024 * 1024) /* the largest preview a site may upload */
#define HUB_PREVIEW_ID_MAX 128

/* true if id (NULL accepted) is 1..HUB_PREVIEW_ID_MAX of [A-Za-z0-9._-]
 * starting with a letter or digit: safe in a URL path segment and as a
 * file name. */
bool hub_preview_id_valid(const char *id);
/* true if media_type (NULL accepted) is one a preview may have:
 * "application/dicom" or "image/png". */
bool hub_preview_type_valid(const char *media_type);

/* A stored preview. Every pointer new; hub_preview_clear frees them. */
struct hub_preview {
	char *site;
	char *media_type;
	char sha256[2 * 32 + 1]; /* lower-case hex of the bytes */
	unsigned char *bytes;    /* NULL unless asked for (or when empty) */
	size_t len;
};
/* Frees what p holds and zeroes it; NULL accepted. */
void hub_preview_clear(struct hub_preview *p);

enum hub_preview_status {
	HUB_PREVIEW_STORED,     /* written */
	HUB_PREVIEW_UNLISTED,   /* no collection of the site lists the id */
	HUB_PREVIEW_OTHER_SITE, /* another site's collection lists the id */
	HUB_PREVIEW_ERROR,      /* bad arguments, read-only, a write error */
};

/* Stores (or replaces) preview id of site: media_type one of
 * hub_preview_type_valid's, len bytes (at most HUB_PREVIEW_MAX; borrowed)
 * and their SHA-256, at time now, provided a collection site publishes
 * lists id in its "previews". Returns the status; err is set for every
 * status but STORED (naming the other site for OTHER_SITE). */
enum hub_preview_status hub_store_preview_put(struct hub_store *s, const char *site, const char *id,
                                              const char *media_type, const void *bytes, size_t len,
                                              int64_t now, char *err, size_t errlen);
/* Preview id (NULL accepted) while its site still lists it: returns 1 with
 * *p filled (bytes only when with_bytes), 0 when there is none, -1 with
 * err set on a read error. */
int hub_store_preview_get(struct hub_store *s, const char *id, bool with_bytes,
                          struct hub_preview *p, char *err, size_t errlen);

/* ---- audit ---- */

/* Records that user ran the query whose cohort hash (64 lower-case hex) is
 * cohort_hash at time when, sent to sites (borrowed; an array of site name
 * strings, possibly empty). Returns 0, or -1 with err set. */
int hub_store_audit_add(struct hub_store *s, const char *user, int64_t when,
                        const char *cohort_hash, json_t *sites, char *err, size_t errlen);
/* user's audit rows, newest first, at most limit of them (limit <= 0: all),
 * as a new array of {"user","when","cohort_hash","sites"}; NULL with err
 * set on a read error. */
json_t *hub_store_audit_list_by_user(struct hub_store *s, const char *user, int limit, char *err,
                                     size_t errlen);

#endif
