/* Fuzz target: the site-payload reader (data from other sites and hubs).
 * Whatever it accepts must be self-consistent: totals are the sums of the
 * collections, every string is set. */
#include "config.h"

#include <stdlib.h>

#include "core/payload.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	struct site_answer a;
	char err[256];
	uint64_t subjects = 0;

	if (payload_read_text((const char *)data, size, &a, err, sizeof err) != 0)
		return 0;
	for (size_t i = 0; i < a.n_collections; i++) {
		if (a.collections[i].id == NULL || a.collections[i].name == NULL)
			abort();
		subjects += a.collections[i].subjects;
	}
	if (subjects != a.subjects || a.provider == NULL)
		abort();
	for (size_t i = 0; i < a.n_strata; i++)
		(void)site_answer_stratum(&a, a.strata[i].key);
	site_answer_clear(&a);
	return 0;
}
