/* The counts of the current cohort: every site asked, each shown as
 * pending, working, answered, failed or timed out with its time, filling in
 * site by site. Where they come from is the source's business (the local
 * demo: a worker thread counting in-process; a hub: federated searches on
 * the event loop's http_multi), and a newer cohort supersedes an older one
 * mid-way. In the background (the terminal) results arrive through
 * counts_fd()/counts_collect() and the network wait; otherwise (headless
 * scripts, `ecii count`) counts_request() returns with every site settled,
 * so output is deterministic. */
#ifndef ECII_CLIENT_COUNTS_H
#define ECII_CLIENT_COUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "client/federation.h"
#include "core/payload.h"
#include "core/query.h"
#include "core/report.h"
#include "net/http_multi.h"

enum counts_state {
	COUNTS_PENDING,
	COUNTS_WORKING,
	COUNTS_ANSWERED,
	COUNTS_FAILED,
	COUNTS_TIMED_OUT,
};

struct counts_site {
	const char *id; /* borrowed from the federation */
	char *name;
	enum counts_state state;
	double ms;       /* time to answer, or to fail */
	json_t *payload; /* PROTOCOL.md §3, when answered */
	struct site_answer answer;
	char *error; /* when failed or timed out */
	/* Attrition: subjects once the first k + 1 attrition steps apply. */
	uint64_t *attrition; /* n_steps cells once computed, else NULL */
};

struct counts_source;

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
	/* Why the last request could not reach every site (the hub refused it,
	 * was lost mid-stream), sanitised for display; NULL when all is well. */
	char *problem;
	struct federation *fed;              /* borrowed */
	unsigned flags;                      /* COUNTS_BACKGROUND, COUNTS_ATTRITION */
	bool exact;                          /* local only: no privacy rule */
	const struct counts_source_ops *ops; /* private */
	struct counts_source *source;        /* private */
};

/* How counts_new's counts work. */
enum {
	COUNTS_BACKGROUND = 1 << 0, /* results arrive later (the terminal); without
	                               it counts_request() answers at once */
	COUNTS_ATTRITION = 1 << 1,  /* also count the attrition steps */
};

/* Counts for fed's sites (fed borrowed), or only for the n_only sites whose
 * indices only lists (NULL: all), working as flags say. A hub federation
 * needs net (borrowed), on which its searches run. New. */
struct counts *counts_new(struct federation *fed, struct http_multi *net, unsigned flags,
                          const size_t *only, size_t n_only);
void counts_free(struct counts **c);
/* Local mode only: exact counts without the privacy rule, for a site's own
 * operator. Returns 0, or -1 with a hub (whose sites always apply it). */
int counts_set_exact(struct counts *c, bool exact);

/* Asks every site to count q (copied) for cohort version; results from an
 * earlier version are dropped. */
void counts_request(struct counts *c, const struct query *q, unsigned long version);
/* A file descriptor that becomes readable when results arrive (-1 when
 * there is none: not in the background, or results come over the network,
 * whose waiting moves them on). */
int counts_fd(const struct counts *c);
/* Takes the results that arrived into c->sites. Returns true if anything
 * changed since the last call. Never blocks. */
bool counts_collect(struct counts *c);

/* True when every site has answered, failed or timed out. */
bool counts_done(const struct counts *c);
/* How many sites have answered. */
size_t counts_answered(const struct counts *c);
/* Sums over the answered sites. *exact tells whether every answer was
 * exact (NULL allowed). */
uint64_t counts_subjects(const struct counts *c, bool *exact);
uint64_t counts_studies(const struct counts *c);
/* The sum over answered sites of stratifier key's cell code (a value code
 * or a bin label); 0 if no site reported it. */
uint64_t counts_stratum(const struct counts *c, const char *key, const char *code);
/* True when site s settled without an answer (failed or timed out). */
bool counts_site_failed(const struct counts_site *s);
/* The sites as a report wants them (core/report.h): a new array of
 * c->n_sites entries borrowing from c. */
struct report_site *counts_report_sites(const struct counts *c);

#endif
