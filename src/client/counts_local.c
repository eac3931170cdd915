/* Counts from the local federation. The worker thread owns the sites' data
 * and answers one request at a time, site by site; each answer goes back as
 * a message (a heap struct whose pointer is written to a pipe), so the two
 * threads share only the request slot, under a mutex. A request newer than
 * the one being answered makes the worker drop the rest of the old one.
 * Not in the background, the caller's thread answers at once. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/counts_source.h"
#include "util/xmalloc.h"

struct counts_source {
	struct local_fed *fed;
	struct local_site **sites; /* counts.sites[i]'s local site */
	size_t n_sites;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int pipe[2];
	/* The request slot (under lock). */
	struct query *next;
	unsigned long next_version;
	bool next_exact;
	bool attrition; /* COUNTS_ATTRITION */
	bool stop;
};

/* The subjects at site s once the first k + 1 criteria of q's first group
 * apply, for every k. New array of n cells. */
static uint64_t *attrition(struct node_site *s, const struct query *q, size_t n, bool exact)
{
	uint64_t *cells = xcalloc(n, sizeof *cells);

	for (size_t k = 0; k < n; k++) {
		struct query_group head = { q->groups[0].criteria, k + 1 };
		struct query view = { &head, 1 };
		json_t *payload = node_site_answer(s, &view, exact);
		struct site_answer a;
		char err[64];

		if (payload_read(payload, &a, err, sizeof err) == 0)
			cells[k] = a.subjects;
		site_answer_clear(&a);
		json_decref(payload);
	}
	return cells;
}

/* Answers q at site i; the message is new. */
static struct counts_msg *answer(struct counts_source *src, size_t i, const struct query *q,
                                 unsigned long version, bool exact)
{
	struct counts_msg *m = xcalloc(1, sizeof *m);
	char err[512];
	double start = counts_now_ms();

	m->version = version;
	m->site = i;
	if (local_site_load(src->fed, src->sites[i], err, sizeof err) != 0) {
		m->state = COUNTS_FAILED;
		m->error = xstrdup(err);
	} else {
		m->state = COUNTS_ANSWERED;
		m->payload = node_site_answer(src->sites[i]->node, q, exact);
	}
	m->ms = counts_now_ms() - start;
	return m;
}

/* The attrition message for site i: zeros for a site that could not load. */
static struct counts_msg *attrition_msg(struct counts_source *src, size_t i, const struct query *q,
                                        size_t steps, unsigned long version, bool exact)
{
	struct counts_msg *m = xcalloc(1, sizeof *m);

	m->version = version;
	m->site = i;
	m->attrition = src->sites[i]->node != NULL ? attrition(src->sites[i]->node, q, steps, exact)
	                                           : xcalloc(steps, sizeof *m->attrition);
	return m;
}

static void send_msg(struct counts_source *src, struct counts_msg *m)
{
	ssize_t n;

	do
		n = write(src->pipe[1], &m, sizeof m);
	while (n < 0 && errno == EINTR);
	if (n != sizeof m) /* cannot happen with a pipe this small a write */
		counts_msg_free(m);
}

/* Takes the pending request, or waits for one; NULL when asked to stop. */
static struct query *next_request(struct counts_source *src, unsigned long *version, bool *exact)
{
	struct query *q;

	pthread_mutex_lock(&src->lock);
	while (src->next == NULL && !src->stop)
		pthread_cond_wait(&src->wake, &src->lock);
	q = src->stop ? NULL : src->next;
	src->next = NULL;
	*version = src->next_version;
	*exact = src->next_exact;
	pthread_mutex_unlock(&src->lock);
	return q;
}

static bool superseded(struct counts_source *src)
{
	bool newer;

	pthread_mutex_lock(&src->lock);
	newer = src->next != NULL || src->stop;
	pthread_mutex_unlock(&src->lock);
	return newer;
}

static void *work(void *arg)
{
	struct counts_source *src = arg;
	struct query *q;
	unsigned long version;
	bool exact;

	while ((q = next_request(src, &version, &exact)) != NULL) {
		size_t n = src->n_sites,
		       steps = src->attrition && q->n_groups > 0 ? q->groups[0].n_criteria : 0;

		for (size_t i = 0; i < n && !superseded(src); i++)
			send_msg(src, answer(src, i, q, version, exact));
		for (size_t i = 0; i < n && steps > 0 && !superseded(src); i++)
			send_msg(src, attrition_msg(src, i, q, steps, version, exact));
		query_free(&q);
	}
	return NULL;
}

static int local_start(struct counts *c, struct http_multi *net)
{
	struct counts_source *src = xcalloc(1, sizeof *src);

	(void)net;
	src->fed = c->fed->local;
	src->n_sites = c->n_sites;
	src->sites = xcalloc(c->n_sites, sizeof *src->sites);
	for (size_t i = 0; i < c->n_sites; i++)
		src->sites[i] = local_site_find(src->fed, c->sites[i].id);
	src->pipe[0] = src->pipe[1] = -1;
	src->attrition = c->flags & COUNTS_ATTRITION;
	c->source = src;
	if ((c->flags & COUNTS_BACKGROUND) && pipe(src->pipe) == 0) {
		fcntl(src->pipe[0], F_SETFL, O_NONBLOCK);
		fcntl(src->pipe[0], F_SETFD, FD_CLOEXEC);
		fcntl(src->pipe[1], F_SETFD, FD_CLOEXEC);
		pthread_mutex_init(&src->lock, NULL);
		pthread_cond_init(&src->wake, NULL);
		if (pthread_create(&src->thread, NULL, work, src) != 0) {
			close(src->pipe[0]);
			close(src->pipe[1]);
			src->pipe[0] = src->pipe[1] = -1;
		}
	}
	return 0;
}

static bool threaded(const struct counts_source *src)
{
	return src->pipe[0] >= 0;
}

static void local_request(struct counts *c, const struct query *q)
{
	struct counts_source *src = c->source;

	if (threaded(src)) {
		for (size_t i = 0; i < c->n_sites; i++)
			c->sites[i].state = COUNTS_WORKING;
		pthread_mutex_lock(&src->lock);
		query_free(&src->next);
		src->next = query_copy(q);
		src->next_version = c->version;
		src->next_exact = c->exact;
		pthread_cond_signal(&src->wake);
		pthread_mutex_unlock(&src->lock);
		return;
	}
	for (size_t i = 0; i < c->n_sites; i++) {
		counts_take(c, answer(src, i, q, c->version, c->exact));
		if (c->sites[i].state == COUNTS_ANSWERED && src->attrition && c->n_steps > 0)
			counts_take(c, attrition_msg(src, i, q, c->n_steps, c->version, c->exact));
	}
}

static int local_fd(const struct counts *c)
{
	return c->source->pipe[0];
}

static bool local_collect(struct counts *c)
{
	struct counts_source *src = c->source;
	struct counts_msg *m;
	bool changed = false;

	if (!threaded(src))
		return false;
	while (read(src->pipe[0], &m, sizeof m) == (ssize_t)sizeof m) {
		changed = changed || m->version == c->version;
		counts_take(c, m);
	}
	return changed;
}

static void local_stop(struct counts *c)
{
	struct counts_source *src = c->source;

	if (threaded(src)) {
		pthread_mutex_lock(&src->lock);
		src->stop = true;
		pthread_cond_signal(&src->wake);
		pthread_mutex_unlock(&src->lock);
		pthread_join(src->thread, NULL);
		local_collect(c); /* frees what is still in the pipe */
		query_free(&src->next);
		close(src->pipe[0]);
		close(src->pipe[1]);
		pthread_mutex_destroy(&src->lock);
		pthread_cond_destroy(&src->wake);
	}
	free(src->sites);
	free(src);
	c->source = NULL;
}

const struct counts_source_ops counts_local_ops = {
	.start = local_start,
	.request = local_request,
	.fd = local_fd,
	.collect = local_collect,
	.stop = local_stop,
};
