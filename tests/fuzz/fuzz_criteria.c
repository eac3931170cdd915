/* Fuzz target: the criteria vocabulary reader (criteria.json may come from
 * a --data directory or, later, from a hub). Whatever it accepts must be
 * usable: every lookup by alias finds its own field and value. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/vocab.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	json_t *doc = json_loadb((const char *)data, size, 0, NULL);
	struct vocab *v;
	char err[256];

	if (doc == NULL)
		return 0;
	v = vocab_from_json(doc, err, sizeof err);
	json_decref(doc);
	if (v == NULL) {
		if (err[0] == '\0')
			abort(); /* a refusal always says why */
		return 0;
	}
	for (size_t i = 0; i < v->n_fields; i++) {
		const struct vocab_field *f = &v->fields[i];

		if (f->index != i || vocab_field_by_key(v, f->key) == NULL)
			abort();
		for (size_t k = 0; k < f->n_values; k++)
			if (vocab_value_find(f, f->values[k].code) < 0)
				abort();
		for (size_t b = 0; b < f->n_bins; b++)
			if (!(f->bins[b].min < f->bins[b].max))
				abort();
		(void)vocab_suggest(v, f, f->alias);
	}
	vocab_free(&v);
	return 0;
}
