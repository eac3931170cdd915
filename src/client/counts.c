/* The counts of a cohort: the sites' states and answers, and the sums the
 * screens and commands show; the sources feed it through counts_take(). */
#include "config.h"

#include "client/counts.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/counts_source.h"
#include "core/query_text.h"
#include "util/xmalloc.h"

double counts_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The attrition steps of q: its first group's criteria, one at a time. */
static void make_steps(struct counts *c, const struct query *q)
{
	for (size_t i = 0; i < c->n_steps; i++)
		free(c->steps[i]);
	free(c->steps);
	c->steps = NULL;
	c->n_steps = q->n_groups > 0 ? q->groups[0].n_criteria : 0;
	if (c->n_steps == 0)
		return;
	c->steps = xcalloc(c->n_steps, sizeof *c->steps);
	for (size_t i = 0; i < c->n_steps; i++) {
		struct query_group one = { &q->groups[0].criteria[i], 1 };
		struct query view = { &one, 1 };

		c->steps[i] = query_print_text(c->fed->vocab, &view);
	}
}

void counts_msg_free(struct counts_msg *m)
{
	if (m == NULL)
		return;
	json_decref(m->payload);
	free(m->error);
	free(m->attrition);
	free(m);
}

void counts_take(struct counts *c, struct counts_msg *m)
{
	struct counts_site *s = &c->sites[m->site];
	char err[512];

	if (m->version != c->version) {
		/* From a superseded request. */
	} else if (m->attrition != NULL) {
		free(s->attrition);
		s->attrition = m->attrition;
		m->attrition = NULL;
	} else {
		s->state = m->state;
		s->ms = m->ms;
		if (m->state == COUNTS_ANSWERED &&
		    payload_read(m->payload, &s->answer, err, sizeof err) != 0) {
			s->state = COUNTS_FAILED;
			free(m->error);
			m->error = xasprintf("bad payload: %s", err);
		}
		if (s->state == COUNTS_ANSWERED) {
			json_decref(s->payload);
			s->payload = m->payload;
			m->payload = NULL;
			if (s->answer.provider[0] != '\0') {
				free(s->name);
				s->name = xstrdup(s->answer.provider);
			}
		}
		free(s->error);
		s->error = m->error;
		m->error = NULL;
	}
	counts_msg_free(m);
}

struct counts *counts_new(struct federation *fed, struct http_multi *net, unsigned flags,
                          const size_t *only, size_t n_only)
{
	struct counts *c = xcalloc(1, sizeof *c);

	c->fed = fed;
	c->flags = flags;
	c->n_sites = only != NULL ? n_only : fed->n_sites;
	c->sites = xcalloc(c->n_sites, sizeof *c->sites);
	for (size_t i = 0; i < c->n_sites; i++) {
		const struct fed_site *fs = &fed->sites[only != NULL ? only[i] : i];

		c->sites[i].id = fs->id;
		c->sites[i].name = xstrdup(fs->id);
		c->sites[i].answer.elapsed_ms = -1;
	}
	c->ops = fed->local != NULL ? &counts_local_ops : &counts_hub_ops;
	if (c->ops->start(c, net) != 0)
		c->ops = NULL;
	return c;
}

static void clear_site(struct counts_site *s)
{
	json_decref(s->payload);
	s->payload = NULL;
	site_answer_clear(&s->answer);
	free(s->error);
	s->error = NULL;
	free(s->attrition);
	s->attrition = NULL;
	s->state = COUNTS_PENDING;
	s->ms = 0;
}

void counts_free(struct counts **cp)
{
	struct counts *c = *cp;

	if (c == NULL)
		return;
	if (c->ops != NULL)
		c->ops->stop(c);
	for (size_t i = 0; i < c->n_sites; i++) {
		clear_site(&c->sites[i]);
		free(c->sites[i].name);
	}
	for (size_t i = 0; i < c->n_steps; i++)
		free(c->steps[i]);
	free(c->steps);
	free(c->sites);
	free(c->problem);
	free(c);
	*cp = NULL;
}

int counts_set_exact(struct counts *c, bool exact)
{
	if (exact && c->fed->local == NULL)
		return -1;
	c->exact = exact;
	return 0;
}

void counts_request(struct counts *c, const struct query *q, unsigned long version)
{
	c->version = version;
	c->asked = true;
	free(c->problem);
	c->problem = NULL;
	for (size_t i = 0; i < c->n_sites; i++)
		clear_site(&c->sites[i]);
	make_steps(c, q);
	if (c->ops == NULL) {
		c->problem = xstrdup("counting is not available");
		for (size_t i = 0; i < c->n_sites; i++) {
			c->sites[i].state = COUNTS_FAILED;
			c->sites[i].error = xstrdup(c->problem);
		}
		return;
	}
	c->ops->request(c, q);
}

int counts_fd(const struct counts *c)
{
	return c->ops != NULL ? c->ops->fd(c) : -1;
}

bool counts_collect(struct counts *c)
{
	return c->ops != NULL && c->ops->collect(c);
}

bool counts_done(const struct counts *c)
{
	for (size_t i = 0; i < c->n_sites; i++)
		if (c->sites[i].state == COUNTS_PENDING || c->sites[i].state == COUNTS_WORKING)
			return false;
	return c->asked;
}

size_t counts_answered(const struct counts *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_sites; i++)
		n += c->sites[i].state == COUNTS_ANSWERED;
	return n;
}

uint64_t counts_subjects(const struct counts *c, bool *exact)
{
	uint64_t n = 0;
	bool all_exact = true;

	for (size_t i = 0; i < c->n_sites; i++) {
		if (c->sites[i].state != COUNTS_ANSWERED)
			continue;
		n += c->sites[i].answer.subjects;
		all_exact = all_exact && c->sites[i].answer.exact;
	}
	if (exact != NULL)
		*exact = all_exact;
	return n;
}

uint64_t counts_studies(const struct counts *c)
{
	uint64_t n = 0;

	for (size_t i = 0; i < c->n_sites; i++)
		if (c->sites[i].state == COUNTS_ANSWERED)
			n += c->sites[i].answer.studies;
	return n;
}

uint64_t counts_stratum(const struct counts *c, const char *key, const char *code)
{
	uint64_t n = 0;

	for (size_t i = 0; i < c->n_sites; i++) {
		const struct answer_stratum *st;

		if (c->sites[i].state != COUNTS_ANSWERED)
			continue;
		st = site_answer_stratum(&c->sites[i].answer, key);
		for (size_t k = 0; st != NULL && k < st->n; k++)
			if (strcmp(st->codes[k], code) == 0)
				n += st->counts[k];
	}
	return n;
}

bool counts_site_failed(const struct counts_site *s)
{
	return s->state == COUNTS_FAILED || s->state == COUNTS_TIMED_OUT;
}

struct report_site *counts_report_sites(const struct counts *c)
{
	struct report_site *sites = xcalloc(c->n_sites > 0 ? c->n_sites : 1, sizeof *sites);

	for (size_t i = 0; i < c->n_sites; i++) {
		const struct counts_site *cs = &c->sites[i];
		struct report_site *r = &sites[i];

		r->id = cs->id;
		r->name = cs->name;
		r->error = cs->error;
		switch (cs->state) {
		case COUNTS_ANSWERED:
			r->state = REPORT_ANSWERED;
			r->payload = cs->payload;
			r->answer = &cs->answer;
			break;
		case COUNTS_FAILED:
			r->state = REPORT_FAILED;
			break;
		case COUNTS_TIMED_OUT:
			r->state = REPORT_TIMED_OUT;
			break;
		case COUNTS_WORKING:
			r->state = REPORT_WORKING;
			break;
		case COUNTS_PENDING:
		default:
			r->state = REPORT_PENDING;
			break;
		}
	}
	return sites;
}
