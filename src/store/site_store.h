/* A site's SQLite store: the site's own metadata and privacy settings, its
 * collections (each kept as its PROTOCOL.md §5 catalogue item), subjects and
 * studies, and previews. The demo generator writes it; ecii in local mode and
 * ecii-node read it. Every value is bound; statements are prepared once.
 *
 * Schema (version 1):
 *   site(id TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT, secret BLOB NOT NULL,
 *        threshold INTEGER NOT NULL, rounding INTEGER NOT NULL, epsilon REAL NOT NULL,
 *        synthetic INTEGER NOT NULL)                       -- exactly one row
 *   collections(id TEXT PRIMARY KEY, name TEXT NOT NULL, item TEXT NOT NULL)
 *        -- item: the §5 catalogue item as compact JSON
 *   subjects(id INTEGER PRIMARY KEY, collection_id TEXT NOT NULL REFERENCES collections(id),
 *        sex, age_at_diagnosis, diagnosis, year_of_diagnosis, er, pr, her2, ki67, psa,
 *        gleason, isup, ct, pt, cn, pn, cm, pm, birads, pirads)
 *        -- categorical columns hold vocabulary codes (TEXT), numeric ones REAL/INTEGER,
 *        -- NULL where not recorded
 *   studies(id INTEGER PRIMARY KEY, subject_id INTEGER NOT NULL REFERENCES subjects(id),
 *        modality, body_part, manufacturer, study_year INTEGER, series_count INTEGER,
 *        image_count INTEGER)
 *        -- written in subject order; index studies_subject(subject_id)
 *   previews(id TEXT PRIMARY KEY, collection_id TEXT NOT NULL, title TEXT NOT NULL,
 *        media_type TEXT NOT NULL, bytes BLOB NOT NULL)
 *   schema_version(version INTEGER NOT NULL)
 */
#ifndef ECII_STORE_SITE_STORE_H
#define ECII_STORE_SITE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/site_data.h"
#include "core/vocab.h"

struct site_store;

/* What a site says about itself. Strings owned by the struct. */
struct site_info {
	char *id;
	char *name;
	char *country;
	uint8_t secret[32]; /* keys the deterministic privacy noise */
	int threshold;
	int rounding;
	double epsilon;
	bool synthetic; /* demo data: shown as such everywhere */
};
void site_info_clear(struct site_info *info);

/* The column of the subjects or studies table that holds a vocabulary field,
 * by the field's alias; NULL if the store has no such column. A fixed table
 * compiled in: no SQL is ever built from data. */
const char *site_store_column(const char *alias);

/* Opens an existing store read-only, or creates a new empty one (the file
 * must not exist) when create is set. Returns new or NULL with err set. */
struct site_store *site_store_open(const char *path, bool create, char *err, size_t errlen);
void site_store_close(struct site_store **s);

/* Reads the site row. Returns 0, or -1 with err set. */
int site_store_read_info(struct site_store *s, struct site_info *info, char *err, size_t errlen);
/* The collections' §5 items in id order: a new JSON array, or NULL with err. */
json_t *site_store_read_collections(struct site_store *s, char *err, size_t errlen);
/* Loads subjects and studies into columns. Returns new or NULL with err. */
struct site_data *site_store_load(struct site_store *s, const struct vocab *v, char *err,
                                  size_t errlen);

/* Writing, for the generator: all writes between begin and commit are one
 * transaction. Each returns 0 or -1 with err set. */
int site_store_begin(struct site_store *s, char *err, size_t errlen);
int site_store_commit(struct site_store *s, char *err, size_t errlen);
int site_store_write_info(struct site_store *s, const struct site_info *info, char *err,
                          size_t errlen);
/* item: §5 JSON (borrowed); its "id" and "name" are used as keys. */
int site_store_write_collection(struct site_store *s, json_t *item, char *err, size_t errlen);

/* A subject row: codes are borrowed vocabulary codes or NULL; numbers NAN
 * when not recorded. */
struct site_subject_row {
	int64_t id;
	const char *collection_id;
	const char *sex, *diagnosis, *er, *pr, *her2, *gleason, *isup;
	const char *ct, *pt, *cn, *pn, *cm, *pm, *birads, *pirads;
	double age_at_diagnosis, year_of_diagnosis, ki67, psa;
};
struct site_study_row {
	int64_t id;
	int64_t subject_id;
	const char *modality, *body_part, *manufacturer;
	int study_year, series_count, image_count;
};
int site_store_write_subject(struct site_store *s, const struct site_subject_row *row, char *err,
                             size_t errlen);
int site_store_write_study(struct site_store *s, const struct site_study_row *row, char *err,
                           size_t errlen);
int site_store_write_preview(struct site_store *s, const char *id, const char *collection_id,
                             const char *title, const char *media_type, const void *bytes,
                             size_t len, char *err, size_t errlen);

/* A preview row. Every pointer new; site_preview_clear frees them. */
struct site_preview {
	char *id;
	char *collection_id;
	char *title;
	char *media_type;
	unsigned char *bytes; /* NULL when len is 0 */
	size_t len;
};
/* Frees what p holds and zeroes it; NULL accepted. */
void site_preview_clear(struct site_preview *p);
/* Reads preview id (NULL accepted: none). Returns 1 with *p filled, 0
 * when the store has no such preview, -1 with err set on a read error. */
int site_store_read_preview(struct site_store *s, const char *id, struct site_preview *p, char *err,
                            size_t errlen);

/* The raw handle, for the other store/ modules only (site_load.c,
 * sql_count.c). Borrowed. */
struct sqlite3 *site_store_db(struct site_store *s);

#endif
