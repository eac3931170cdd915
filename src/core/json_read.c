/* The shared checks of outside JSON (core/json_read.h). Every error goes
 * through json_read_fail, so every reader's errors have one shape; a
 * member's place is built in a fixed buffer and cut short rather than
 * allocated, since it only names where an error is. */
#include "config.h"

#include "core/json_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/xmalloc.h"

#define PLACE_MAX 192 /* bytes of a member's place, with its NUL */

int json_read_fail(char *err, size_t errlen, const char *place, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (place != NULL && place[0] != '\0')
		snprintf(err, errlen, "%s: %s", place, msg);
	else
		snprintf(err, errlen, "%s", msg);
	return -1;
}

void json_read_place(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, len, fmt, ap);
	va_end(ap);
}

void json_read_join(char *out, size_t len, const char *place, const char *member)
{
	if (place == NULL || place[0] == '\0')
		snprintf(out, len, "%s", member);
	else
		snprintf(out, len, "%s.%s", place, member);
}

int json_read_string(json_t *obj, const char *place, const char *member, enum json_read_need need,
                     size_t max, char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, member);
	char where[PLACE_MAX];

	*out = NULL;
	json_read_join(where, sizeof where, place, member);
	if (v == NULL || (json_is_null(v) && need == JSON_READ_OPTIONAL)) {
		if (need == JSON_READ_OPTIONAL)
			return 0;
		return json_read_fail(err, errlen, where, "missing");
	}
	if (!json_is_string(v))
		return json_read_fail(err, errlen, where, "not a string");
	if (json_string_length(v) > max)
		return json_read_fail(err, errlen, where, "longer than %zu bytes", max);
	/* "" holds no NUL and a NUL makes a string non-empty, so the order of
	 * these two never shows */
	if (need == JSON_READ_NON_EMPTY && json_string_length(v) == 0)
		return json_read_fail(err, errlen, where, "empty");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return json_read_fail(err, errlen, where, "holds a NUL character");
	*out = xstrdup(json_string_value(v));
	return 0;
}

int json_read_bool(json_t *obj, const char *place, const char *member, enum json_read_need need,
                   bool *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, member);
	char where[PLACE_MAX];

	*out = false;
	if (need == JSON_READ_OPTIONAL && (v == NULL || json_is_null(v)))
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	json_read_join(where, sizeof where, place, member);
	return json_read_fail(err, errlen, where, v == NULL ? "missing" : "not true or false");
}
