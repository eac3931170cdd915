/* Counts from a hub: the cohort as one federated search over the asked
 * sites (net/beam_client.h), each site's news taken as it comes; once it is
 * over, the attrition steps as one search each, all at once. Everything
 * runs on the event loop's http_multi: in the background it moves on while
 * the loop waits; otherwise counts_request() waits here until it is done. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client/counts_source.h"
#include "net/beam_client.h"
#include "util/xmalloc.h"

/* One attrition step's search. */
struct step_call {
	struct counts_source *src;
	size_t k;
	struct beam_call *call;
};

struct counts_source {
	struct counts *counts; /* the owner, for the callbacks */
	struct http_multi *net;
	char **ids; /* the asked sites' ids, as the searches want them */
	struct query *query;
	struct beam_call *main;
	struct step_call *steps; /* n_steps of them, once the main search is over */
	size_t n_steps;
	/* Per site, the attrition cells gathered so far and how many are
	 * still to come; a site whose step failed gets no attrition. */
	uint64_t **cells;
	size_t *cells_left;
	bool *cells_failed;
	bool changed;
};

static void send_update(struct counts *c, const struct beam_site_update *u)
{
	struct counts_site *s = &c->sites[u->site];
	struct counts_msg *m;
	json_error_t je;

	if (u->state == BEAM_SITE_PENDING)
		return;
	if (u->state == BEAM_SITE_WORKING) {
		s->state = COUNTS_WORKING;
		s->ms = u->ms;
		return;
	}
	m = xcalloc(1, sizeof *m);
	m->version = c->version;
	m->site = u->site;
	m->ms = u->ms;
	switch (u->state) {
	case BEAM_SITE_ANSWERED:
		m->state = COUNTS_ANSWERED;
		m->payload = json_loadb(u->payload, u->len, 0, &je);
		if (m->payload == NULL) {
			m->state = COUNTS_FAILED;
			m->error = xasprintf("bad payload: not JSON: %s", je.text);
		}
		break;
	case BEAM_SITE_TIMED_OUT:
		m->state = COUNTS_TIMED_OUT;
		m->error = xstrdup(u->error != NULL ? u->error : "no answer in time");
		break;
	default:
		m->state = COUNTS_FAILED;
		m->error = xstrdup(u->error != NULL ? u->error : "no reason given");
		break;
	}
	counts_take(c, m);
}

static void start_steps(struct counts *c);

static void on_main(const struct beam_site_update *u, void *arg)
{
	struct counts_source *src = arg;
	struct counts *c = src->counts;

	src->changed = true;
	if (u->site != (size_t)-1) {
		send_update(c, u);
		return;
	}
	if (u->error != NULL && c->problem == NULL)
		c->problem = xstrdup(u->error);
	start_steps(c);
}

/* A site's attrition is complete: hand it over. */
static void step_site_done(struct counts *c, size_t i)
{
	struct counts_source *src = c->source;
	struct counts_msg *m;

	if (src->cells_failed[i] || c->sites[i].state != COUNTS_ANSWERED) {
		free(src->cells[i]);
		src->cells[i] = NULL;
		return;
	}
	m = xcalloc(1, sizeof *m);
	m->version = c->version;
	m->site = i;
	m->attrition = src->cells[i];
	src->cells[i] = NULL;
	counts_take(c, m);
}

static void on_step(const struct beam_site_update *u, void *arg)
{
	struct step_call *sc = arg;
	struct counts_source *src = sc->src;
	struct counts *c = src->counts;
	struct site_answer a;
	json_t *payload;
	char err[64];

	if (u->site == (size_t)-1 || u->state == BEAM_SITE_PENDING || u->state == BEAM_SITE_WORKING)
		return;
	src->changed = true;
	payload = u->state == BEAM_SITE_ANSWERED ? json_loadb(u->payload, u->len, 0, NULL) : NULL;
	if (payload != NULL && payload_read(payload, &a, err, sizeof err) == 0) {
		src->cells[u->site][sc->k] = a.subjects;
		site_answer_clear(&a);
	} else {
		src->cells_failed[u->site] = true;
	}
	json_decref(payload);
	if (--src->cells_left[u->site] == 0)
		step_site_done(c, u->site);
}

static void start_steps(struct counts *c)
{
	struct counts_source *src = c->source;
	size_t steps = (c->flags & COUNTS_ATTRITION) ? c->n_steps : 0;
	char err[256];

	if (steps == 0)
		return;
	for (size_t i = 0; i < c->n_sites; i++) {
		src->cells[i] = xcalloc(steps, sizeof **src->cells);
		src->cells_left[i] = steps;
		src->cells_failed[i] = c->sites[i].state != COUNTS_ANSWERED;
		/* With one group, the last step is the cohort itself. */
		if (src->query->n_groups == 1 && !src->cells_failed[i]) {
			src->cells[i][steps - 1] = c->sites[i].answer.subjects;
			src->cells_left[i]--;
		}
		if (src->cells_left[i] == 0)
			step_site_done(c, i);
	}
	src->steps = xcalloc(steps, sizeof *src->steps);
	src->n_steps = steps;
	for (size_t k = 0; k < steps; k++) {
		struct query_group head = { src->query->groups[0].criteria, k + 1 };
		struct query view = { &head, 1 };
		struct beam_call_spec spec = {
			.hub = c->fed->hub,
			.token = c->fed->token,
			.sites = src->ids,
			.n_sites = c->n_sites,
			.query = &view,
			.site_timeout_ms = c->fed->site_timeout_ms,
		};

		src->steps[k] = (struct step_call){ src, k, NULL };
		if (k == steps - 1 && src->query->n_groups == 1)
			break;
		src->steps[k].call =
		    beam_call_start(src->net, &spec, on_step, &src->steps[k], err, sizeof err);
		if (src->steps[k].call == NULL)
			for (size_t i = 0; i < c->n_sites; i++)
				src->cells_failed[i] = true;
	}
}

/* Ends every search of the last request and forgets its partial results. */
static void drop_calls(struct counts *c)
{
	struct counts_source *src = c->source;

	beam_call_free(&src->main);
	for (size_t k = 0; k < src->n_steps; k++)
		beam_call_free(&src->steps[k].call);
	free(src->steps);
	src->steps = NULL;
	src->n_steps = 0;
	for (size_t i = 0; i < c->n_sites; i++) {
		free(src->cells[i]);
		src->cells[i] = NULL;
	}
	query_free(&src->query);
}

static int hub_start(struct counts *c, struct http_multi *net)
{
	struct counts_source *src;

	if (net == NULL)
		return -1;
	src = xcalloc(1, sizeof *src);
	src->counts = c;
	src->net = net;
	src->ids = xcalloc(c->n_sites, sizeof *src->ids);
	for (size_t i = 0; i < c->n_sites; i++)
		src->ids[i] = xstrdup(c->sites[i].id);
	src->cells = xcalloc(c->n_sites, sizeof *src->cells);
	src->cells_left = xcalloc(c->n_sites, sizeof *src->cells_left);
	src->cells_failed = xcalloc(c->n_sites, sizeof *src->cells_failed);
	c->source = src;
	return 0;
}

static bool busy(const struct counts *c)
{
	const struct counts_source *src = c->source;

	if (src->main != NULL && !beam_call_done(src->main))
		return true;
	for (size_t k = 0; k < src->n_steps; k++)
		if (src->steps[k].call != NULL && !beam_call_done(src->steps[k].call))
			return true;
	return false;
}

/* Every asked site fails at once with why. */
static void fail_all(struct counts *c, const char *why)
{
	c->problem = xstrdup(why);
	for (size_t i = 0; i < c->n_sites; i++) {
		c->sites[i].state = COUNTS_FAILED;
		c->sites[i].error = xstrdup(why);
	}
}

static void hub_request(struct counts *c, const struct query *q)
{
	struct counts_source *src = c->source;
	struct beam_call_spec spec = {
		.hub = c->fed->hub,
		.token = c->fed->token,
		.sites = src->ids,
		.n_sites = c->n_sites,
		.query = q,
		.site_timeout_ms = c->fed->site_timeout_ms,
	};
	char err[256], *why;

	drop_calls(c);
	src->changed = true;
	if (c->n_sites == 0)
		return;
	if (c->fed->token == NULL) {
		why = xasprintf("not logged in to %s: run ecii login", c->fed->hub);
		fail_all(c, why);
		free(why);
		return;
	}
	src->query = query_copy(q);
	src->main = beam_call_start(src->net, &spec, on_main, src, err, sizeof err);
	if (src->main == NULL) {
		fail_all(c, err);
		return;
	}
	while (!(c->flags & COUNTS_BACKGROUND) && busy(c))
		if (http_multi_wait(src->net, NULL, 0, -1) < 0)
			break;
}

static int hub_fd(const struct counts *c)
{
	(void)c;
	return -1;
}

static bool hub_collect(struct counts *c)
{
	bool changed = c->source->changed;

	c->source->changed = false;
	return changed;
}

static void hub_stop(struct counts *c)
{
	struct counts_source *src = c->source;

	drop_calls(c);
	for (size_t i = 0; i < c->n_sites; i++)
		free(src->ids[i]);
	free(src->ids);
	free(src->cells);
	free(src->cells_left);
	free(src->cells_failed);
	free(src);
	c->source = NULL;
}

const struct counts_source_ops counts_hub_ops = {
	.start = hub_start,
	.request = hub_request,
	.fd = hub_fd,
	.collect = hub_collect,
	.stop = hub_stop,
};
