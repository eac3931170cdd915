/* The user's own ecii files under $XDG_DATA_HOME/ecii (by default
 * ~/.local/share/ecii, made with mode 0700 when missing): saved cohorts,
 * one small text file each in cohorts/<name>.cohort, and history, one
 * line per query run. Plain text, no sqlite. What is read back came from
 * outside: a line that does not parse is skipped, and the query text is
 * handed back to be parsed again by whoever loads it, never trusted here.
 * Every write of a whole file goes to a temporary file that is renamed
 * into place, so a crash never leaves half a file. No terminal here. */
#ifndef ECII_STORE_USER_FILES_H
#define ECII_STORE_USER_FILES_H

#include <stdbool.h>
#include <stddef.h>

#define USER_NAME_MAX     64   /* characters (ASCII) in a saved cohort's name */
#define USER_HISTORY_KEEP 1000 /* lines kept when the history is cut */
#define USER_HISTORY_MAX  1200 /* lines that make it be cut */
#define USER_TIME_LEN     20   /* "2026-01-31T12:00:00Z" */
#define USER_HASH_LEN     64

/* A saved cohort. */
struct user_cohort {
	char name[USER_NAME_MAX + 1];
	char hash[USER_HASH_LEN + 1];  /* "" if the file had none that parses */
	char saved[USER_TIME_LEN + 1]; /* ISO 8601 UTC; "" if none parses */
	char *text;                    /* the query as saved, owned; parse it again */
};

/* A query the user ran. */
struct user_history {
	char time[USER_TIME_LEN + 1]; /* ISO 8601 UTC */
	char hash[USER_HASH_LEN + 1];
	char *text; /* owned; parse it again */
};

/* Points the module at dir (copied) instead of $XDG_DATA_HOME/ecii, for
 * tests; NULL goes back to the environment. */
void user_files_set_dir(const char *dir);
/* The directory in use: the one set, else $XDG_DATA_HOME/ecii when that is
 * an absolute path, else $HOME/.local/share/ecii. Returns new, or NULL with
 * err set when neither variable is usable. Nothing is created. */
char *user_files_dir(char *err, size_t errlen);
/* Counts the changes this process made (saves, deletes, history lines),
 * so a screen can tell its lists are stale. */
unsigned long user_files_generation(void);

/* Returns 0 if name (may be NULL) can name a saved cohort: 1 to
 * USER_NAME_MAX ASCII letters, digits, spaces, '-', '_' and '.', not
 * starting with '.'; else -1 with a one-line reason in err. */
int user_name_check(const char *name, char *err, size_t errlen);

/* Saves text (one line, borrowed) with its hash (64 hex digits) as name.
 * An existing cohort of that name is replaced only if replace is true.
 * Returns 0, or -1 with err set (bad name, hash or text, a cohort of that
 * name exists, or the files could not be written); a failure leaves any
 * earlier file of that name as it was. */
int user_cohort_save(const char *name, const char *text, const char *hash, bool replace, char *err,
                     size_t errlen);
/* Whether a cohort is saved as name (false for a name that is not valid). */
bool user_cohort_exists(const char *name);
/* The saved cohorts sorted by name (case-insensitively): *out is new
 * (user_cohorts_free), *n its length. Files that are not a saved cohort
 * (temporary files, other names, no query line) are skipped. No directory
 * yet is an empty list. Returns 0, or -1 with err set and *out NULL. */
int user_cohort_list(struct user_cohort **out, size_t *n, char *err, size_t errlen);
void user_cohorts_free(struct user_cohort **list, size_t n);
/* Deletes the cohort saved as name. Returns 0, or -1 with err set (no such
 * cohort, or it could not be removed). */
int user_cohort_delete(const char *name, char *err, size_t errlen);

/* Appends "<now>\t<hash>\t<text>" to the history (hash: 64 hex digits;
 * text: one line, borrowed), then cuts it to its last USER_HISTORY_KEEP
 * lines once it holds more than USER_HISTORY_MAX. Returns 0, or -1 with
 * err set. */
int user_history_add(const char *hash, const char *text, char *err, size_t errlen);
/* The last max queries, newest first: *out is new (user_history_free), *n
 * its length; lines that do not parse are skipped. No file yet is an empty
 * list. Returns 0, or -1 with err set and *out NULL. */
int user_history_list(size_t max, struct user_history **out, size_t *n, char *err, size_t errlen);
void user_history_free(struct user_history **list, size_t n);

#endif
