/* Runs a fuzz target over the files named on the command line, so every
 * corpus entry is replayed under make check (and under the sanitizers in
 * CI) without libFuzzer. Prints TAP: one line per file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/file.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

int main(int argc, char **argv)
{
	printf("1..%d\n", argc - 1);
	for (int i = 1; i < argc; i++) {
		size_t len;
		char *data = file_read_all(argv[i], &len);

		if (data == NULL) {
			printf("not ok %d - %s: cannot read\n", i, argv[i]);
			continue;
		}
		LLVMFuzzerTestOneInput((const unsigned char *)data, len);
		printf("ok %d - %s\n", i, argv[i]);
		free(data);
	}
	return 0;
}
