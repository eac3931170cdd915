/* The small checks every reader of outside JSON repeats: a member's
 * presence, type and length, with one error shape. An error is one line,
 * "<place>: <message>", where place names the value ("sections[2].id",
 * "[0].author") and an empty place gives the message alone; the messages
 * are fixed words ("missing", "not a string") that the readers' tests
 * check byte for byte. Pure C over jansson: no I/O, and nothing built but
 * the strings a reader copies out. Checks that only one reader makes stay
 * in that reader. */
#ifndef ECII_CORE_JSON_READ_H
#define ECII_CORE_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* How much of a member a reader insists on. */
enum json_read_need {
	JSON_READ_OPTIONAL,  /* absent or null is accepted */
	JSON_READ_REQUIRED,  /* present and of the type (null is the wrong type) */
	JSON_READ_NON_EMPTY, /* required, and a string other than "" */
};

/* Writes "place: message" into err (errlen bytes, cut short if need be;
 * err may be NULL when errlen is 0), the message alone when place is NULL
 * or "". The formatted message is cut at 255 bytes. Always returns -1, so
 * a reader can `return json_read_fail(...)`. */
int json_read_fail(char *err, size_t errlen, const char *place, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Formats a place into out (len bytes), cut short if need be: a place
 * only names where an error is, so a truncated one is still useful. */
void json_read_place(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes place + "." + member into out (len bytes, cut short if need be),
 * or member alone when place is NULL or "". member is not NULL. */
void json_read_join(char *out, size_t len, const char *place, const char *member);

/* Reads the string member of obj (borrowed; NULL or a non-object reads as
 * having no members) into *out: new, or NULL when optional and absent or
 * null. Returns 0, or -1 with *out NULL and err naming place.member:
 * "missing", "not a string", "longer than <max> bytes", "empty" (need
 * JSON_READ_NON_EMPTY) or "holds a NUL character". */
int json_read_string(json_t *obj, const char *place, const char *member, enum json_read_need need,
                     size_t max, char **out, char *err, size_t errlen);

/* Reads the boolean member of obj (borrowed, as above) into *out, false
 * when optional and absent or null. Returns 0, or -1 with *out false and
 * err naming place.member: "missing" or "not true or false" (null too,
 * when required). JSON_READ_NON_EMPTY means JSON_READ_REQUIRED here. */
int json_read_bool(json_t *obj, const char *place, const char *member, enum json_read_need need,
                   bool *out, char *err, size_t errlen);

#endif
