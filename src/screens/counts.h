/* The explorer's counts for the current cohort: every site asked, each
 * shown as pending, working, answered or failed with its time, filling in
 * site by site. Counting runs on a worker thread and its results come back
 * as messages on a pipe the event loop polls, so typing never waits for a
 * count; a newer cohort supersedes an older one mid-way. In headless mode
 * counting is done at once, in the caller, so scripts are deterministic. */
#ifndef ECII_SCREENS_COUNTS_H
#define ECII_SCREENS_COUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/payload.h"
#include "core/query.h"
#include "node/local.h"

enum counts_state {
	COUNTS_PENDING,
	COUNTS_WORKING,
	COUNTS_ANSWERED,
	COUNTS_FAILED,
};

struct counts_site {
	const char *id; /* borrowed from the federation */
	char *name;
	enum counts_state state;
	double ms;       /* time to answer */
	json_t *payload; /* PROTOCOL.md §3, when answered */
	struct site_answer answer;
	char *error; /* when failed */
	/* Attrition: subjects once the first k + 1 attrition steps apply. */
	uint64_t *attrition; /* n_steps cells once computed, else NULL */
};

struct counts {
	unsigned long version; /* the cohort version these counts are for */
	bool asked;            /* a count was requested at all */
	struct counts_site *sites;
	size_t n_sites;
	/* The attrition steps: the first group's criteria, one per step in
	 * canonical order, each as text ("sex:male"); the grid shows how each
	 * site's count falls as they are added. */
	char **steps;
	size_t n_steps;
	struct counts_worker *worker; /* private */
};

/* Counts for fed's sites (fed borrowed). threaded: count on a worker
 * thread (the terminal); false: count in the caller (headless). New. */
struct counts *counts_new(struct local_fed *fed, bool threaded);
void counts_free(struct counts **c);

/* Asks every site to count q (copied) for cohort version; results from an
 * earlier version are dropped. */
void counts_request(struct counts *c, const struct query *q, unsigned long version);
/* A file descriptor that becomes readable when results arrive (-1 when
 * not threaded). */
int counts_fd(const struct counts *c);
/* Takes the results that arrived into c->sites. Returns true if anything
 * changed. Never blocks. */
bool counts_collect(struct counts *c);

/* True when every site has answered or failed. */
bool counts_done(const struct counts *c);
/* Sums over the answered sites. *exact tells whether every answer was
 * exact (NULL allowed). */
uint64_t counts_subjects(const struct counts *c, bool *exact);
uint64_t counts_studies(const struct counts *c);
/* The sum over answered sites of stratifier key's cell code (a value code
 * or a bin label); 0 if no site reported it. */
uint64_t counts_stratum(const struct counts *c, const char *key, const char *code);

#endif
