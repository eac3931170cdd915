/* The researcher's access-request drafts, kept on their own machine so that
 * nothing typed is lost: one JSON file per draft in
 * $XDG_DATA_HOME/ecii/drafts/<id>.json (by default under ~/.local/share;
 * directory 0700, files 0600). A draft holds the cohort as it was when
 * access was requested (text, AST, hash, the counts the user saw), the
 * chosen collections, the access-form answers, and what the hub gave back;
 * a submit whose reply never came is marked SUBMITTING and must be retried
 * with the same Idempotency-Key. Every save replaces the whole file
 * atomically (temporary file, fsync, rename, fsync of the directory), so a
 * kill -9 at any moment leaves the old draft or the new one, never half of
 * one. The files are outside data when read back (the user may edit them,
 * a disk may corrupt them): the reader checks every member and says in one
 * line which file and member is wrong. Strings read back are as the file
 * has them: sanitise them before they reach a terminal. No terminal, no
 * network, no sqlite here. Two ecii saving the same draft at once: the
 * last save wins, whole. */
#ifndef ECII_STORE_DRAFTS_H
#define ECII_STORE_DRAFTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/uuid.h"

/* Times are ISO 8601 UTC with milliseconds as ecii writes them
 * ("2026-01-31T12:00:00.000Z"); the reader also takes whole seconds. */
#define DRAFT_VERSION  1                 /* the file format written and read */
#define DRAFT_FILE_MAX (4 * 1024 * 1024) /* bytes: a larger file is refused */
#define DRAFT_TIME_LEN 24                /* "2026-01-31T12:00:00.000Z" */
#define DRAFT_HASH_LEN 64                /* lower-case hex SHA-256 */

/* Where a draft is in its submit: X(constant, name in the file).
 * EDITING: being filled in; nothing sent, or the hub refused what was sent.
 * SUBMITTING: a submit was sent and no reply is known: whoever opens the
 * draft must send it again with the same idempotency_key.
 * SUBMITTED: the hub answered with the negotiation; the caller may now
 * remove the draft. */
#define DRAFT_STATES(X)                   \
	X(DRAFT_EDITING, "EDITING")       \
	X(DRAFT_SUBMITTING, "SUBMITTING") \
	X(DRAFT_SUBMITTED, "SUBMITTED")

#define DRAFT_ENUM_(c, name) c,
enum draft_state { DRAFT_STATES(DRAFT_ENUM_) DRAFT_N_STATES };
#undef DRAFT_ENUM_

/* The state's name as in the file (static), or NULL out of range. */
const char *draft_state_name(enum draft_state s);
/* Sets *out for an exact name and returns 0; -1 for any other (NULL too). */
int draft_state_parse(const char *name, enum draft_state *out);

/* What one site answered when the user asked for access. */
struct draft_site_count {
	char *site;       /* the site's id, owned */
	int64_t subjects; /* -1: the site gave no count (see status) */
	int64_t studies;  /* -1: no count */
	char *status;     /* "succeeded", "failed", "timed_out" (core/report.h's
	                     words; not checked), owned */
};

/* The counts the user saw when requesting. */
struct draft_counts {
	bool present; /* false: none were seen (a request from the catalogue) */
	int64_t subjects;
	int64_t studies;
	char when[DRAFT_TIME_LEN + 1]; /* ISO 8601 UTC; "" when !present */
	struct draft_site_count *sites;
	size_t n_sites;
};

/* A chosen collection: a Negotiator resource and its organization. */
struct draft_collection {
	char *id; /* never "" */
	char *name;
	char *provider_id;
	char *provider_name;
};

/* A draft. Every pointer is owned by the draft; text members are UTF-8
 * (draft_save refuses anything else) and may hold any character but NUL.
 * Callers may change members directly, keeping to these rules, and
 * then draft_save. */
struct draft {
	char id[UUID_TEXT_LEN + 1]; /* made by draft_new; names the file */
	char *hub;                  /* the hub's URL, never NULL or "" */
	char created[DRAFT_TIME_LEN + 1];
	char updated[DRAFT_TIME_LEN + 1]; /* set by every draft_save */
	/* The cohort, exactly as it was when access was requested. */
	char *cohort_text;  /* the query as the user wrote it */
	json_t *cohort_ast; /* the Lens AST: an object, a reference */
	char cohort_hash[DRAFT_HASH_LEN + 1];
	struct draft_counts counts;
	struct draft_collection *collections; /* in the user's order */
	size_t n_collections;
	/* The access-form answers {"<section>":{"<element>":value}}: an
	 * object whose members are objects; a reference. Values are any JSON,
	 * checked against the form by core/access_form.h, not here. */
	json_t *payload;
	char *request_id;     /* the hub's request, NULL until it gave one */
	char *negotiation_id; /* NULL until the hub answered the submit */
	/* Sent as Idempotency-Key with the submit; made with the draft and
	 * kept until the submit is known to have landed. */
	char idempotency_key[UUID_TEXT_LEN + 1];
	enum draft_state state;
	char *error; /* the last error the hub gave, for the form; or NULL */
};

/* Points the module at dir (copied) instead of $XDG_DATA_HOME/ecii/drafts,
 * for tests; NULL goes back to the environment. */
void draft_set_dir(const char *dir);
/* The drafts directory: the one set, else util/xdg.h's data directory +
 * "/drafts". Returns new, or NULL with err set. Nothing is created. */
char *draft_dir(char *err, size_t errlen);
/* Counts the saves and removals this process made, so a list on screen
 * can tell it is stale. */
unsigned long draft_generation(void);

/* A new draft (not saved yet) for hub (copied) and the cohort: its text
 * (copied), AST (an object; deep-copied) and hash (64 lower-case hex
 * digits). It has a new id and Idempotency-Key, created = updated = now,
 * state EDITING, no counts, no collections, an empty payload. Returns new,
 * or NULL with err set (a bad argument, or no random bytes). */
struct draft *draft_new(const char *hub, const char *cohort_text, json_t *cohort_ast,
                        const char *cohort_hash, char *err, size_t errlen);
/* Frees *d and clears it; NULL or *d NULL is a no-op. */
void draft_free(struct draft **d);

/* Records the counts the user saw: totals, and when (ISO 8601 UTC as
 * DRAFT_TIME_LEN or seconds only, copied; NULL: now). Replaces earlier
 * counts, sites included. Returns 0, or -1 with err set (negative totals,
 * a bad time). */
int draft_set_counts(struct draft *d, int64_t subjects, int64_t studies, const char *when,
                     char *err, size_t errlen);
/* Appends one site's counts (site and status copied; -1 for no count).
 * Returns 0, or -1 with err set (no counts set yet, empty site, a count
 * below -1). */
int draft_add_site_count(struct draft *d, const char *site, int64_t subjects, int64_t studies,
                         const char *status, char *err, size_t errlen);
/* Appends a collection (all copied; names may be ""). Returns 0, or -1
 * with err set (NULL or "" id, NULL names, an id already chosen). */
int draft_add_collection(struct draft *d, const char *id, const char *name, const char *provider_id,
                         const char *provider_name, char *err, size_t errlen);
/* Removes the collection with that id; returns 0, or -1 if it is not there. */
int draft_remove_collection(struct draft *d, const char *id);

/* Sets the answer of element in section (both non-empty, copied) to value
 * (borrowed; the draft keeps a deep copy, so later changes to value do not
 * reach it; JSON null is kept as an answer); a NULL value removes the
 * answer, and the section once it has none left. Returns 0, or -1 for a
 * NULL or empty name. */
int draft_set_answer(struct draft *d, const char *section, const char *element, json_t *value);
/* The answer of element in section (borrowed, valid until the draft
 * changes it), or NULL when there is none. */
json_t *draft_answer(const struct draft *d, const char *section, const char *element);

/* The request id (copied; NULL clears it) once POST /requests answered. */
void draft_set_request(struct draft *d, const char *request_id);
/* The last error the hub gave (copied; NULL clears it). State unchanged. */
void draft_set_error(struct draft *d, const char *error);

/* The submit protocol. Save the draft after each step, and before sending
 * anything for draft_submit_begin: a kill -9 after the request left must
 * find SUBMITTING on disk.
 * - draft_submit_begin: EDITING -> SUBMITTING (the error is cleared);
 *   SUBMITTING stays (a retry, same key). Returns 0; -1 once SUBMITTED.
 * - draft_submit_done: the hub answered with the negotiation (id copied,
 *   not NULL or ""): -> SUBMITTED, error cleared. Returns 0, or -1 if the
 *   draft was not SUBMITTING or the id is missing.
 * - draft_submit_refused: the hub answered and made nothing (a 4xx with a
 *   reason, copied): -> EDITING with the error kept and a new
 *   Idempotency-Key, since the hub may have stored its refusal under the
 *   old one. Never call it for a reply that did not come or a 5xx: then
 *   the submit may have landed, so stay SUBMITTING (draft_set_error to
 *   say why) and retry. Returns 0, or -1 if not SUBMITTING or no new key
 *   could be made (the old one is then kept). */
int draft_submit_begin(struct draft *d);
int draft_submit_done(struct draft *d, const char *negotiation_id);
int draft_submit_refused(struct draft *d, const char *error);

/* The draft as the file holds it (members in a fixed order, "version"
 * first). Returns new, or NULL with err naming the member whose text is
 * not UTF-8 or that breaks the rules above. */
json_t *draft_to_json(const struct draft *d, char *err, size_t errlen);
/* Reads a draft from len bytes of JSON text (NULL refused): every member's
 * presence and type is checked, unknown members are ignored, a newer
 * "version" is refused. Nullable members (counts, requestId,
 * negotiationId, error) may be absent. Returns new, or NULL with a
 * one-line err naming the member ("collections[2].provider.name: not a
 * string"). */
struct draft *draft_read_text(const char *text, size_t len, char *err, size_t errlen);

/* Writes d to <dir>/<d->id>.json, making the directory when missing, after
 * setting d->updated to now. Returns 0, or -1 with err set and d->updated
 * unchanged; the file then holds the previous save (or is absent), never
 * part of this one. A draft whose file would be over DRAFT_FILE_MAX is
 * refused. */
int draft_save(struct draft *d, char *err, size_t errlen);
/* Reads the draft id (a UUID; anything else is refused before any file is
 * touched). Returns new, or NULL with a one-line err naming the file and
 * the member ("<path>: cohort.hash: not 64 lower-case hex digits"), or
 * saying there is no such draft. A file whose "id" is not its name is
 * refused. */
struct draft *draft_load(const char *id, char *err, size_t errlen);
/* Deletes the draft id's file. Returns 0, or -1 with err set (not a UUID,
 * no such draft, or it could not be removed). */
int draft_remove(const char *id, char *err, size_t errlen);

/* Every draft in the directory. */
struct draft_list {
	struct draft **items; /* newest "updated" first (then newest created,
	                         then id); owned */
	size_t n;
	/* One line per <uuid>.json file that did not read ("<path>: reason"):
	 * it is skipped, never deleted. Other names (temporary files start
	 * with '.') are not drafts and are ignored. Owned. */
	char **problems;
	size_t n_problems;
};

/* Fills out (zeroed first) with every draft that reads; no directory yet
 * is an empty list. Returns 0, or -1 with err set and out empty when the
 * directory exists but cannot be listed. */
int draft_list(struct draft_list *out, char *err, size_t errlen);
/* Frees what l holds and zeroes it; NULL is a no-op. */
void draft_list_clear(struct draft_list *l);

#endif
