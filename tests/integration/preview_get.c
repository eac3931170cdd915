/* previews.sh's client: `preview_get HUB CACHE ID OUT` (HUB "-": local mode
 * over the demo search, CACHE the catalogue cache file) fetches preview ID
 * as ecii does (client/previews.h) and writes its bytes to OUT; its media
 * type goes to stdout, a note (the offline copy) or the error to stderr.
 * Exit status 0, or 1 on failure. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/federation.h"
#include "client/previews.h"
#include "net/http_client.h"

int main(int argc, char **argv)
{
	struct federation_options o = { 0 };
	struct preview_bytes b;
	struct federation *f;
	char err[512] = "";
	FILE *out;
	int rc = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: preview_get HUB|- CACHE ID OUT\n");
		return 2;
	}
	if (http_client_global_init() != 0)
		return 1;
	o.hub = strcmp(argv[1], "-") != 0 ? argv[1] : NULL;
	o.cache = argv[2];
	f = federation_open(&o, err, sizeof err);
	if (f == NULL) {
		fprintf(stderr, "preview_get: %s\n", err);
		goto out;
	}
	if (federation_preview(f, argv[3], &b, err, sizeof err) != 0) {
		fprintf(stderr, "preview_get: %s\n", err);
		goto out;
	}
	if (err[0] != '\0')
		fprintf(stderr, "preview_get: %s\n", err);
	out = fopen(argv[4], "wb");
	if (out != NULL) {
		bool written = b.len == 0 || fwrite(b.data, 1, b.len, out) == b.len;

		if (fclose(out) == 0 && written)
			rc = 0;
	}
	if (rc != 0)
		fprintf(stderr, "preview_get: cannot write %s\n", argv[4]);
	printf("%s\n", b.media_type);
	preview_bytes_clear(&b);
out:
	federation_close(&f);
	http_client_global_cleanup();
	return rc;
}
