/* Reading and matching catalogue items. */
#include "config.h"

#include "core/catalogue.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xmalloc.h"

const char *catalogue_item_str(json_t *item, const char *name)
{
	const char *s = json_string_value(json_object_get(item, name));

	return s != NULL ? s : "";
}

const char *catalogue_item_str2(json_t *item, const char *outer, const char *name)
{
	return catalogue_item_str(json_object_get(item, outer), name);
}

int64_t catalogue_item_count(json_t *item, const char *name)
{
	json_t *v = json_object_get(item, name);

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return json_integer_value(v);
	if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 9e15)
		return (int64_t)json_real_value(v);
	return -1;
}

char *catalogue_item_join(json_t *item, const char *name, const char *sep)
{
	struct buf b = BUF_INIT;
	json_t *arr = json_object_get(item, name), *v;
	size_t i;

	json_array_foreach (arr, i, v) {
		if (!json_is_string(v))
			continue;
		if (b.len > 0)
			buf_puts(&b, sep);
		buf_puts(&b, json_string_value(v));
	}
	return buf_steal(&b);
}

static bool contains_word(const char *hay, const char *word, size_t n)
{
	size_t len = strlen(hay);

	for (size_t i = 0; i + n <= len; i++) {
		size_t k = 0;

		while (k < n &&
		       tolower((unsigned char)hay[i + k]) == tolower((unsigned char)word[k]))
			k++;
		if (k == n)
			return true;
	}
	return false;
}

bool catalogue_item_matches(json_t *item, const char *text)
{
	static const char *scalars[] = { "id", "name", "acronym", "description" };
	static const char *lists[] = { "condition", "body_part_examined", "imaging_modality" };
	struct buf hay = BUF_INIT;
	const char *p = text;
	bool all = true;

	if (text == NULL)
		return true;
	for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
		buf_puts(&hay, catalogue_item_str(item, scalars[i]));
		buf_putc(&hay, '\n');
	}
	buf_puts(&hay, catalogue_item_str2(item, "provider", "name"));
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		char *joined = catalogue_item_join(item, lists[i], "\n");

		buf_putc(&hay, '\n');
		buf_puts(&hay, joined);
		free(joined);
	}
	while (all && *p != '\0') {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n > 0 && !contains_word(buf_str(&hay), p, n))
			all = false;
		p += n;
	}
	buf_free(&hay);
	return all;
}

json_t *catalogue_find(json_t *items, const char *id)
{
	size_t i;
	json_t *item;

	json_array_foreach (items, i, item)
		if (strcmp(catalogue_item_str(item, "id"), id) == 0)
			return item;
	return NULL;
}
