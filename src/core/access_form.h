/* The access form of PROTOCOL.md §6 (GET /api/v3/requests/{id}/access-form):
 * sections of elements, each element of one of §6's types, and the
 * checking of a negotiation's payload {"<section>":{"<element>":value}}
 * against it, field by field, so the hub can refuse a submission naming
 * every wrong field and the client can show each message at its field.
 * Sections and elements are keyed by their "name" in the payload. The
 * reader takes outside data: every member's presence and type is checked
 * and an error is one line naming the place ("sections[2].elements[0].type:
 * unknown type \"COLOUR\""). Pure C over jansson; no I/O but
 * access_form_load's reading of one file. */
#ifndef ECII_CORE_ACCESS_FORM_H
#define ECII_CORE_ACCESS_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define ACCESS_FORM_MAX_SECTIONS 64
#define ACCESS_FORM_MAX_ELEMENTS 256   /* per section */
#define ACCESS_FORM_MAX_VALUES   256   /* per choice element */
#define ACCESS_FORM_MAX_TEXT     1000  /* characters of a TEXT answer */
#define ACCESS_FORM_MAX_LARGE    20000 /* characters of a TEXT_LARGE answer */

/* The element types: X(constant, wire name). */
#define ACCESS_FORM_TYPES(X)                              \
	X(ACCESS_FORM_TEXT, "TEXT")                       \
	X(ACCESS_FORM_TEXT_LARGE, "TEXT_LARGE")           \
	X(ACCESS_FORM_NUMBER, "NUMBER")                   \
	X(ACCESS_FORM_DATE, "DATE")                       \
	X(ACCESS_FORM_BOOLEAN, "BOOLEAN")                 \
	X(ACCESS_FORM_SINGLE_CHOICE, "SINGLE_CHOICE")     \
	X(ACCESS_FORM_MULTIPLE_CHOICE, "MULTIPLE_CHOICE") \
	X(ACCESS_FORM_INFORMATION, "INFORMATION")

#define ACCESS_FORM_ENUM_(c, name) c,
enum access_form_type { ACCESS_FORM_TYPES(ACCESS_FORM_ENUM_) ACCESS_FORM_N_TYPES };
#undef ACCESS_FORM_ENUM_

/* The wire name of t (static), or NULL out of range. */
const char *access_form_type_name(enum access_form_type t);
/* Sets *out for an exact wire name and returns 0; -1 otherwise (NULL too). */
int access_form_type_parse(const char *name, enum access_form_type *out);

/* One choice of a SINGLE_CHOICE or MULTIPLE_CHOICE element. */
struct access_form_value {
	char *value; /* what the payload holds */
	char *label; /* what a person reads */
};

/* One element. Text members are never NULL ("" when the form has none). An
 * INFORMATION element is text to read: it takes no answer. */
struct access_form_element {
	char *id;
	char *name; /* its key in its section's payload object */
	char *label;
	char *description;
	char *placeholder;
	enum access_form_type type;
	bool required;
	struct access_form_value *values; /* choice types only; at least one */
	size_t n_values;
};

struct access_form_section {
	char *id;
	char *name; /* its key in the payload */
	char *label;
	char *description;
	struct access_form_element *elements;
	size_t n_elements;
};

struct access_form {
	char *id;
	char *name;
	struct access_form_section *sections;
	size_t n_sections;
};

/* Reads a form from doc (borrowed): {"id","name","sections":[{"id","name",
 * "label","description","elements":[{"id","name","label","description",
 * "placeholder","type","required","values"?}]}]}. description and
 * placeholder may be absent; choice types need "values"
 * [{"value","label"}], other types must not have them. Names are unique
 * within their level. Returns new, or NULL with err set. */
struct access_form *access_form_read(json_t *doc, char *err, size_t errlen);
/* The same from len bytes of JSON text (NULL refused). */
struct access_form *access_form_read_text(const char *text, size_t len, char *err, size_t errlen);
/* The same from the file at path; err names the path. */
struct access_form *access_form_load(const char *path, char *err, size_t errlen);
/* Frees *f and clears it; NULL or *f NULL is a no-op. */
void access_form_free(struct access_form **f);
/* The form as §6 sends it: new JSON, members in wire order ("values" only
 * on choice elements). */
json_t *access_form_to_json(const struct access_form *f);

/* The section / element called name (borrowed), or NULL. */
const struct access_form_section *access_form_section(const struct access_form *f,
                                                      const char *name);
const struct access_form_element *access_form_element(const struct access_form_section *s,
                                                      const char *name);

/* How much a payload is checked. */
enum access_form_check {
	/* a draft: may be incomplete; every answer present must have the
	 * right JSON type (null clears an answer), and sections and elements
	 * must be the form's; formats, choices and required are not checked */
	ACCESS_FORM_CHECK_DRAFT,
	/* a submission: additionally every required element answered (a
	 * non-blank text, a non-empty choice list), dates real YYYY-MM-DD,
	 * choices among the values, lengths within the limits */
	ACCESS_FORM_CHECK_SUBMIT,
};

/* One wrong field. section and element are names ("" for the payload as a
 * whole, or for a section as a whole); message is short and for people:
 * "required", "not a date (YYYY-MM-DD)", "not one of the choices", "not a
 * number", "not in the form", ... */
struct access_form_error {
	char *section;
	char *element;
	char *message;
};

struct access_form_errors {
	struct access_form_error *items;
	size_t n;
};

/* Checks payload (borrowed; NULL is taken as {}) against f in mode,
 * appending one error per wrong field to out (zero it first), in form
 * order, then those not in the form. Returns the number of errors: 0 means
 * valid. */
size_t access_form_validate(const struct access_form *f, json_t *payload,
                            enum access_form_check mode, struct access_form_errors *out);
/* Checks one answer (value borrowed; NULL: not answered) of element e in
 * mode: NULL when it is fine, else the message (static). */
const char *access_form_check_value(const struct access_form_element *e, json_t *value,
                                    enum access_form_check mode);
/* Frees what errs holds and zeroes it; NULL is a no-op. */
void access_form_errors_clear(struct access_form_errors *errs);
/* The errors as a new JSON array of {"section","element","message"}. */
json_t *access_form_errors_json(const struct access_form_errors *errs);
/* Reads such an array (doc borrowed) into out (zeroed first). Returns 0 or
 * -1 with out cleared and err set. */
int access_form_errors_read(json_t *doc, struct access_form_errors *out, char *err, size_t errlen);

/* true if text is a real calendar date written YYYY-MM-DD (NULL: false). */
bool access_form_date_valid(const char *text);

#endif
