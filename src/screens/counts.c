/* Counting for the explorer. The worker thread owns the sites' data and
 * answers one request at a time, site by site; each answer goes back as a
 * message (a heap struct whose pointer is written to a pipe), so the two
 * threads share only the request slot, under a mutex. A request newer than
 * the one being answered makes the worker drop the rest of the old one. */
#include "config.h"

#include "screens/counts.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/query_text.h"
#include "util/xmalloc.h"

/* What the worker sends back. */
struct counts_msg {
	unsigned long version;
	size_t site;
	enum counts_state state;
	double ms;
	json_t *payload;     /* answered */
	char *error;         /* failed */
	uint64_t *attrition; /* n_steps cells, with state ANSWERED and no payload */
};

struct counts_worker {
	struct local_fed *fed;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int pipe[2];
	/* The request slot (under lock). */
	struct query *next;
	unsigned long next_version;
	bool stop;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The attrition steps of q: its first group's criteria, one at a time. */
static void make_steps(struct counts *c, const struct vocab *v, const struct query *q)
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

		c->steps[i] = query_print_text(v, &view);
	}
}

/* The subjects at site s once the first k + 1 criteria of q's first group
 * apply, for every k. New array of n cells. */
static uint64_t *attrition(struct node_site *s, const struct query *q, size_t n)
{
	uint64_t *cells = xcalloc(n, sizeof *cells);

	for (size_t k = 0; k < n; k++) {
		struct query_group head = { q->groups[0].criteria, k + 1 };
		struct query view = { &head, 1 };
		json_t *payload = node_site_answer(s, &view, false);
		struct site_answer a;
		char err[64];

		if (payload_read(payload, &a, err, sizeof err) == 0)
			cells[k] = a.subjects;
		site_answer_clear(&a);
		json_decref(payload);
	}
	return cells;
}

/* Answers q at site i of fed; the message is new. */
static struct counts_msg *answer(struct local_fed *fed, size_t i, const struct query *q,
                                 unsigned long version)
{
	struct counts_msg *m = xcalloc(1, sizeof *m);
	char err[512];
	double start = now_ms();

	m->version = version;
	m->site = i;
	if (local_site_load(fed, &fed->sites[i], err, sizeof err) != 0) {
		m->state = COUNTS_FAILED;
		m->error = xstrdup(err);
	} else {
		m->state = COUNTS_ANSWERED;
		m->payload = node_site_answer(fed->sites[i].node, q, false);
	}
	m->ms = now_ms() - start;
	return m;
}

/* Takes a message into c. */
static void take(struct counts *c, struct counts_msg *m)
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
			m->error = xasprintf("bad payload: %s", err);
		}
		if (s->state == COUNTS_ANSWERED) {
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
	json_decref(m->payload);
	free(m->error);
	free(m->attrition);
	free(m);
}

static void send_msg(struct counts_worker *w, struct counts_msg *m)
{
	ssize_t n;

	do
		n = write(w->pipe[1], &m, sizeof m);
	while (n < 0 && errno == EINTR);
	if (n != sizeof m) { /* cannot happen with a pipe this small a write */
		json_decref(m->payload);
		free(m->error);
		free(m->attrition);
		free(m);
	}
}

/* Takes the pending request, or waits for one; NULL when asked to stop. */
static struct query *next_request(struct counts_worker *w, unsigned long *version)
{
	struct query *q;

	pthread_mutex_lock(&w->lock);
	while (w->next == NULL && !w->stop)
		pthread_cond_wait(&w->wake, &w->lock);
	q = w->stop ? NULL : w->next;
	w->next = NULL;
	*version = w->next_version;
	pthread_mutex_unlock(&w->lock);
	return q;
}

static bool superseded(struct counts_worker *w)
{
	bool newer;

	pthread_mutex_lock(&w->lock);
	newer = w->next != NULL || w->stop;
	pthread_mutex_unlock(&w->lock);
	return newer;
}

static void *work(void *arg)
{
	struct counts_worker *w = arg;
	struct query *q;
	unsigned long version;

	while ((q = next_request(w, &version)) != NULL) {
		size_t n = w->fed->n_sites, steps = q->n_groups > 0 ? q->groups[0].n_criteria : 0;

		for (size_t i = 0; i < n && !superseded(w); i++)
			send_msg(w, answer(w->fed, i, q, version));
		for (size_t i = 0; i < n && steps > 0 && !superseded(w); i++) {
			struct counts_msg *m = xcalloc(1, sizeof *m);

			m->version = version;
			m->site = i;
			m->attrition = w->fed->sites[i].node != NULL
			                   ? attrition(w->fed->sites[i].node, q, steps)
			                   : xcalloc(steps, sizeof *m->attrition);
			send_msg(w, m);
		}
		query_free(&q);
	}
	return NULL;
}

struct counts *counts_new(struct local_fed *fed, bool threaded)
{
	struct counts *c = xcalloc(1, sizeof *c);

	c->n_sites = fed->n_sites;
	c->sites = xcalloc(c->n_sites, sizeof *c->sites);
	for (size_t i = 0; i < c->n_sites; i++) {
		c->sites[i].id = fed->sites[i].id;
		c->sites[i].name = xstrdup(fed->sites[i].id);
		c->sites[i].answer.elapsed_ms = -1;
	}
	c->worker = xcalloc(1, sizeof *c->worker);
	c->worker->fed = fed;
	c->worker->pipe[0] = c->worker->pipe[1] = -1;
	if (threaded && pipe(c->worker->pipe) == 0) {
		fcntl(c->worker->pipe[0], F_SETFL, O_NONBLOCK);
		fcntl(c->worker->pipe[0], F_SETFD, FD_CLOEXEC);
		fcntl(c->worker->pipe[1], F_SETFD, FD_CLOEXEC);
		pthread_mutex_init(&c->worker->lock, NULL);
		pthread_cond_init(&c->worker->wake, NULL);
		if (pthread_create(&c->worker->thread, NULL, work, c->worker) != 0) {
			close(c->worker->pipe[0]);
			close(c->worker->pipe[1]);
			c->worker->pipe[0] = c->worker->pipe[1] = -1;
		}
	}
	return c;
}

static bool threaded(const struct counts *c)
{
	return c->worker->pipe[0] >= 0;
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
	if (threaded(c)) {
		pthread_mutex_lock(&c->worker->lock);
		c->worker->stop = true;
		pthread_cond_signal(&c->worker->wake);
		pthread_mutex_unlock(&c->worker->lock);
		pthread_join(c->worker->thread, NULL);
		counts_collect(c); /* frees what is still in the pipe */
		query_free(&c->worker->next);
		close(c->worker->pipe[0]);
		close(c->worker->pipe[1]);
		pthread_mutex_destroy(&c->worker->lock);
		pthread_cond_destroy(&c->worker->wake);
	}
	for (size_t i = 0; i < c->n_sites; i++) {
		clear_site(&c->sites[i]);
		free(c->sites[i].name);
	}
	for (size_t i = 0; i < c->n_steps; i++)
		free(c->steps[i]);
	free(c->steps);
	free(c->sites);
	free(c->worker);
	free(c);
	*cp = NULL;
}

void counts_request(struct counts *c, const struct query *q, unsigned long version)
{
	struct local_fed *fed = c->worker->fed;

	c->version = version;
	c->asked = true;
	for (size_t i = 0; i < c->n_sites; i++) {
		clear_site(&c->sites[i]);
		c->sites[i].state = threaded(c) ? COUNTS_WORKING : COUNTS_PENDING;
	}
	make_steps(c, fed->vocab, q);
	if (threaded(c)) {
		pthread_mutex_lock(&c->worker->lock);
		query_free(&c->worker->next);
		c->worker->next = query_copy(q);
		c->worker->next_version = version;
		pthread_cond_signal(&c->worker->wake);
		pthread_mutex_unlock(&c->worker->lock);
		return;
	}
	for (size_t i = 0; i < c->n_sites; i++) {
		take(c, answer(fed, i, q, version));
		if (c->sites[i].state == COUNTS_ANSWERED && c->n_steps > 0) {
			struct counts_msg *m = xcalloc(1, sizeof *m);

			m->version = version;
			m->site = i;
			m->attrition = attrition(fed->sites[i].node, q, c->n_steps);
			take(c, m);
		}
	}
}

int counts_fd(const struct counts *c)
{
	return c->worker->pipe[0];
}

bool counts_collect(struct counts *c)
{
	struct counts_msg *m;
	bool changed = false;

	if (!threaded(c))
		return false;
	while (read(c->worker->pipe[0], &m, sizeof m) == (ssize_t)sizeof m) {
		changed = changed || m->version == c->version;
		take(c, m);
	}
	return changed;
}

bool counts_done(const struct counts *c)
{
	for (size_t i = 0; i < c->n_sites; i++)
		if (c->sites[i].state != COUNTS_ANSWERED && c->sites[i].state != COUNTS_FAILED)
			return false;
	return c->asked;
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
