/* Fuzz target: the config file reader (the user's ~/.config/ecii/config,
 * ecii-hub --config). Whatever it accepts reads back: every key is well
 * formed and conf_get finds a value for it; a refusal always says why,
 * naming the file. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/conf.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	struct conf c;
	char err[256] = "";

	if (conf_parse("fuzz.conf", (const char *)data, size, &c, err, sizeof err) != 0) {
		if (strncmp(err, "fuzz.conf:", 10) != 0 || c.n != 0 || c.entries != NULL)
			abort();
		return 0;
	}
	for (size_t i = 0; i < c.n; i++) {
		const char *k = c.entries[i].key;

		if (k[0] == '\0' ||
		    k[strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_-")] != '\0' ||
		    conf_get(&c, k) == NULL || c.entries[i].line == 0)
			abort();
	}
	conf_clear(&c);
	return 0;
}
