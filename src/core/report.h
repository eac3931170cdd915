/* The count report shared by `ecii count` and the explorer's export: the
 * JSON document `ecii count --json` prints (the query, each site's outcome
 * with its §3 payload, the totals) and a CSV of the results table, both
 * made from a small array saying how each site answered. Also the privacy
 * marks counts are shown with ("≈1,230", "<10"). Pure: no I/O, no curses;
 * the caller writes the text where it wants. */
#ifndef ECII_CORE_REPORT_H
#define ECII_CORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/payload.h"
#include "core/query.h"
#include "core/vocab.h"
#include "util/buf.h"

enum report_state {
	REPORT_PENDING,   /* asked, no answer yet */
	REPORT_WORKING,   /* the site is counting (§3 "claimed") */
	REPORT_ANSWERED,  /* payload and answer are set */
	REPORT_FAILED,    /* error says why */
	REPORT_TIMED_OUT, /* no answer within the client's per-site timeout */
};

/* One site's outcome. Everything borrowed. */
struct report_site {
	const char *id;
	const char *name; /* NULL: the id */
	enum report_state state;
	json_t *payload;                  /* the §3 payload, when answered */
	const struct site_answer *answer; /* the payload as read, when answered */
	const char *error;                /* when failed or timed out; NULL: no reason given */
};

/* A whole report. Everything borrowed. */
struct report {
	const struct vocab *vocab;
	const struct query *query; /* the cohort counted (canonical) */
	const char *text;          /* its canonical text */
	const char *mode;          /* "local", ... */
	bool synthetic;            /* the demo federation */
	const struct report_site *sites;
	size_t n_sites;
};

/* The JSON report: {"query":{"text","ast","hash"},"mode","synthetic",
 * "sites":[{"site","name","status", "payload" | "error"}], "totals":
 * {"subjects","studies"}}; status is "succeeded", "failed", "timed_out",
 * "pending" or "claimed"; totals add up the answered sites. Returns new. */
json_t *report_json(const struct report *r);
/* report_json indented by two, members in order, with a final newline,
 * as `ecii count --json` prints it. Returns new. */
char *report_json_text(const struct report *r);

/* The results table as CSV (RFC 4180, CRLF line ends): the header
 * site,collection,name,subjects,studies,mark and one row per collection
 * of each answered site, mark "exact", "approx" or "hidden" (the site hid
 * a count below its threshold: subjects is the threshold it reported).
 * A failed site is one row with the reason as its name and mark "failed";
 * one still counting, one row with mark "pending". Returns new. */
char *report_csv(const struct report_site *sites, size_t n);
/* Appends text (NULL: empty) as one CSV field: sanitised (no control
 * character survives), prefixed with ' if it starts with = + - or @ (so
 * a spreadsheet does not run it as a formula), quoted if it holds a comma
 * or a double quote. */
void report_csv_field(struct buf *out, const char *text);

/* A count as shown next to its privacy rule: "1,230" when exact or zero,
 * else "≈1,230" ("~1,230" without utf8). Returns buf (48 bytes are
 * always enough). */
const char *report_mark(uint64_t n, bool exact, bool utf8, char *buf, size_t size);
/* A collection's subjects as shown: "<10" (the site's threshold) when the
 * site hid the true count, else as report_mark. Returns buf. */
const char *report_mark_subjects(const struct site_answer *a, const struct answer_collection *ac,
                                 bool utf8, char *buf, size_t size);

#endif
