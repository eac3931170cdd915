/* Answering count queries at a site. */
#include "config.h"

#include "node/site.h"

#include <stdlib.h>
#include <time.h>

#include "core/count.h"
#include "core/payload.h"
#include "core/privacy.h"
#include "util/xmalloc.h"

struct node_site *node_site_open(const char *path, const struct vocab *v, char *err, size_t errlen)
{
	struct site_store *store = site_store_open(path, false, err, errlen);
	struct node_site *s;

	if (store == NULL)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->vocab = v;
	s->path = xstrdup(path);
	if (site_store_read_info(store, &s->info, err, errlen) != 0 ||
	    (s->items = site_store_read_collections(store, err, errlen)) == NULL ||
	    (s->data = site_store_load(store, v, err, errlen)) == NULL)
		node_site_close(&s);
	site_store_close(&store);
	return s;
}

void node_site_close(struct node_site **sp)
{
	struct node_site *s = *sp;

	if (s == NULL)
		return;
	free(s->path);
	site_info_clear(&s->info);
	json_decref(s->items);
	site_data_free(&s->data);
	free(s);
	*sp = NULL;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

json_t *node_site_answer(struct node_site *s, const struct query *q, bool exact)
{
	struct privacy_rule rule = { s->info.threshold, s->info.rounding, s->info.epsilon };
	struct payload_site site = { s->info.id, s->info.name, &rule, s->info.secret, exact };
	double start = now_ms();
	struct count_result *r = count_run(s->data, q);
	json_t *payload =
	    payload_build(s->vocab, &site, s->items, s->data->collection_ids, r, now_ms() - start);

	count_result_free(&r);
	return payload;
}
