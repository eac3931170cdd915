/* The criteria vocabulary (data/criteria.json): fields, their values and
 * aliases, in vocabulary order. Pure model: no I/O beyond parsing JSON the
 * caller read. The field's index is its bit in the count engine's masks. */
#ifndef ECII_CORE_VOCAB_H
#define ECII_CORE_VOCAB_H

#include <jansson.h>
#include <stddef.h>

#define VOCAB_MAX_FIELDS       32
#define VOCAB_MAX_VALUES       63 /* codes 1..63 fit a 64-bit set */
#define VOCAB_MAX_STUDY_VALUES 15 /* study-level codes 1..15 fit a 16-bit set */

enum vocab_type {
	VOCAB_CATEGORICAL, /* EQUALS over a closed list of codes */
	VOCAB_NUMERIC,     /* BETWEEN over a number range */
};

enum vocab_level {
	VOCAB_SUBJECT, /* tests the subject */
	VOCAB_STUDY,   /* "has at least one study with"; categorical only */
};

struct vocab_value {
	char *code;
	char *label;
	char *alias;
};

/* A stratifier bin of a numeric field: [min, max). */
struct vocab_bin {
	char *label;
	double min;
	double max;
};

struct vocab_field {
	size_t index; /* position in vocabulary order */
	char *key;    /* EUCAIM criterion key, e.g. "SNOMEDCT263495000" */
	char *label;
	char *alias;          /* short lower-case name used in the text syntax */
	char *group;          /* group id: patient, clinical, imaging, ... */
	char *unit;           /* NULL if none */
	char *stratifier_key; /* key of its stratifier in a payload */
	enum vocab_type type;
	enum vocab_level level;
	double min, max;            /* numeric fields: allowed range */
	struct vocab_value *values; /* categorical: code index i is values[i] */
	size_t n_values;
	struct vocab_bin *bins; /* numeric: stratifier bins */
	size_t n_bins;
};

struct vocab_group {
	char *id;
	char *label;
};

struct vocab {
	struct vocab_field *fields;
	size_t n_fields;
	struct vocab_group *groups;
	size_t n_groups;
	json_t *json; /* the document it was read from, for serving it as is */
};

/* Builds a vocabulary from a parsed criteria document (borrowed). Returns new
 * or NULL with a one-line reason in err. */
struct vocab *vocab_from_json(json_t *doc, char *err, size_t errlen);
/* Reads and parses a criteria file. Returns new or NULL with err set. */
struct vocab *vocab_load(const char *path, char *err, size_t errlen);
void vocab_free(struct vocab **v);

/* Finds a field by alias, label (case-insensitive) or key; NULL if none. */
const struct vocab_field *vocab_field_find(const struct vocab *v, const char *name);
const struct vocab_field *vocab_field_by_key(const struct vocab *v, const char *key);
/* Finds a value of a categorical field by alias, label (case-insensitive) or
 * code; returns its index or -1. */
int vocab_value_find(const struct vocab_field *f, const char *name);
int vocab_value_by_code(const struct vocab_field *f, const char *code);
/* Index of the bin holding x, or -1. */
int vocab_bin_find(const struct vocab_field *f, double x);

/* The closest alias to a misspelled name within a small edit distance, for
 * "did you mean" hints: field aliases if f is NULL, else f's value aliases.
 * Returns borrowed or NULL. */
const char *vocab_suggest(const struct vocab *v, const struct vocab_field *f, const char *name);

#endif
