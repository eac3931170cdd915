/* The count report: one place that turns the sites' outcomes into the JSON
 * `ecii count --json` prints and the explorer exports, and into CSV for a
 * spreadsheet. The JSON carries the payloads as the sites sent them; the
 * CSV is read by programs that run formulas, so every cell from outside is
 * sanitised and defused there. */
#include "config.h"

#include "core/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/query_json.h"
#include "util/format.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

static const char *state_name(enum report_state s)
{
	switch (s) {
	case REPORT_ANSWERED:
		return "succeeded";
	case REPORT_FAILED:
		return "failed";
	case REPORT_TIMED_OUT:
		return "timed_out";
	case REPORT_WORKING:
		return "claimed";
	case REPORT_PENDING:
	default:
		return "pending";
	}
}

json_t *report_json(const struct report *r)
{
	json_t *out = json_object(), *sites = json_array();
	uint64_t subjects = 0, studies = 0;
	char hash[65];

	query_hash(r->vocab, r->query, hash);
	json_object_set_new(out, "query",
	                    json_pack("{s:s, s:o, s:s}", "text", r->text != NULL ? r->text : "",
	                              "ast", query_to_json(r->query), "hash", hash));
	json_object_set_new(out, "mode", json_string(r->mode != NULL ? r->mode : "local"));
	json_object_set_new(out, "synthetic", json_boolean(r->synthetic));
	for (size_t i = 0; i < r->n_sites; i++) {
		const struct report_site *s = &r->sites[i];
		bool answered = s->state == REPORT_ANSWERED && s->payload != NULL;
		enum report_state state = answered                      ? REPORT_ANSWERED
		                          : s->state == REPORT_ANSWERED ? REPORT_FAILED
		                                                        : s->state;
		json_t *site = json_pack("{s:s, s:s}", "site", s->id != NULL ? s->id : "", "name",
		                         s->name != NULL ? s->name
		                         : s->id != NULL ? s->id
		                                         : "");

		json_object_set_new(site, "status", json_string(state_name(state)));
		if (answered) {
			json_object_set(site, "payload", s->payload);
			if (s->answer != NULL) {
				subjects += s->answer->subjects;
				studies += s->answer->studies;
			}
		} else if (state == REPORT_FAILED || state == REPORT_TIMED_OUT) {
			json_object_set_new(site, "error",
			                    json_string(s->error != NULL ? s->error : "no answer"));
		}
		json_array_append_new(sites, site);
	}
	json_object_set_new(out, "sites", sites);
	json_object_set_new(out, "totals",
	                    json_pack("{s:I, s:I}", "subjects", (json_int_t)subjects, "studies",
	                              (json_int_t)studies));
	return out;
}

char *report_json_text(const struct report *r)
{
	json_t *doc = report_json(r);
	char *dump = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *text;

	json_decref(doc);
	if (dump == NULL)
		fatal("out of memory");
	text = xasprintf("%s\n", dump);
	free(dump);
	return text;
}

void report_csv_field(struct buf *out, const char *text)
{
	struct buf clean = BUF_INIT;
	const char *s;
	bool formula;

	if (text == NULL)
		text = "";
	/* Without layout: a newline or tab becomes a blank and every other
	 * control character visible, so no field spans lines. */
	sanitize_append(&clean, text, strlen(text), 0);
	s = buf_str(&clean);
	/* Some spreadsheets skip leading blanks before a formula. */
	formula = s[strspn(s, " ")] != '\0' && strchr("=+-@", s[strspn(s, " ")]) != NULL;
	if (strpbrk(s, ",\"") != NULL) {
		buf_putc(out, '"');
		if (formula)
			buf_putc(out, '\'');
		for (; *s != '\0'; s++) {
			if (*s == '"')
				buf_putc(out, '"');
			buf_putc(out, *s);
		}
		buf_putc(out, '"');
	} else {
		if (formula)
			buf_putc(out, '\'');
		buf_puts(out, s);
	}
	buf_free(&clean);
}

static void csv_number(struct buf *out, uint64_t n)
{
	buf_printf(out, "%" PRIu64, n);
}

static void csv_row(struct buf *out, const char *site, const char *collection, const char *name,
                    const uint64_t *subjects, const uint64_t *studies, const char *mark)
{
	report_csv_field(out, site);
	buf_putc(out, ',');
	report_csv_field(out, collection);
	buf_putc(out, ',');
	report_csv_field(out, name);
	buf_putc(out, ',');
	if (subjects != NULL)
		csv_number(out, *subjects);
	buf_putc(out, ',');
	if (studies != NULL)
		csv_number(out, *studies);
	buf_putc(out, ',');
	report_csv_field(out, mark);
	buf_puts(out, "\r\n");
}

char *report_csv(const struct report_site *sites, size_t n)
{
	struct buf out = BUF_INIT;

	buf_puts(&out, "site,collection,name,subjects,studies,mark\r\n");
	for (size_t i = 0; i < n; i++) {
		const struct report_site *s = &sites[i];
		const struct site_answer *a = s->answer;

		if (s->state == REPORT_ANSWERED && a != NULL) {
			for (size_t c = 0; c < a->n_collections; c++) {
				const struct answer_collection *ac = &a->collections[c];
				const char *mark = a->exact         ? "exact"
				                   : ac->suppressed ? "hidden"
				                                    : "approx";

				csv_row(&out, s->id, ac->id, ac->name, &ac->subjects, &ac->studies,
				        mark);
			}
		} else if (s->state == REPORT_ANSWERED || s->state == REPORT_FAILED ||
		           s->state == REPORT_TIMED_OUT) {
			csv_row(&out, s->id, "", s->error != NULL ? s->error : "no answer", NULL,
			        NULL, s->state == REPORT_TIMED_OUT ? "timed out" : "failed");
		} else {
			csv_row(&out, s->id, "", s->name, NULL, NULL, "pending");
		}
	}
	return buf_steal(&out);
}

const char *report_mark(uint64_t n, bool exact, bool utf8, char *buf, size_t size)
{
	char num[32];

	format_count((long long)n, num, sizeof num);
	snprintf(buf, size, "%s%s", exact || n == 0 ? "" : utf8 ? "\xe2\x89\x88" : "~", num);
	return buf;
}

const char *report_mark_subjects(const struct site_answer *a, const struct answer_collection *ac,
                                 bool utf8, char *buf, size_t size)
{
	if (!ac->suppressed || a->exact)
		return report_mark(ac->subjects, a->exact, utf8, buf, size);
	snprintf(buf, size, "<%d", a->privacy.threshold);
	return buf;
}
