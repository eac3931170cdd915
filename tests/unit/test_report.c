/* The count report: the JSON of `ecii count --json` and the CSV export,
 * from hand-made site outcomes. Degenerate first (no sites, a failed
 * site, sites still counting), then answers, then what a spreadsheet
 * must never be handed: unquoted commas, control characters, formulas.
 * The CSV is read back with an RFC 4180 reader written here. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/payload.h"
#include "core/query_json.h"
#include "core/query_text.h"
#include "core/report.h"
#include "core/vocab.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#include "support.h"

/* A CSV read back: rows of fields. */
struct csv {
	char ***rows;
	size_t *n_fields;
	size_t n_rows;
};

static void csv_free(struct csv *c)
{
	for (size_t r = 0; r < c->n_rows; r++) {
		for (size_t f = 0; f < c->n_fields[r]; f++)
			free(c->rows[r][f]);
		free(c->rows[r]);
	}
	free(c->rows);
	free(c->n_fields);
	memset(c, 0, sizeof *c);
}

static void csv_push_field(struct csv *c, struct buf *field)
{
	size_t r = c->n_rows - 1;

	c->rows[r] = xreallocarray(c->rows[r], c->n_fields[r] + 1, sizeof *c->rows[r]);
	c->rows[r][c->n_fields[r]++] = buf_steal(field);
}

static void csv_push_row(struct csv *c)
{
	c->rows = xreallocarray(c->rows, c->n_rows + 1, sizeof *c->rows);
	c->n_fields = xreallocarray(c->n_fields, c->n_rows + 1, sizeof *c->n_fields);
	c->rows[c->n_rows] = NULL;
	c->n_fields[c->n_rows++] = 0;
}

/* Reads RFC 4180 text strictly: CRLF line ends, quotes only around whole
 * fields, "" inside them. Fails the test on anything else. */
static void csv_read(const char *text, struct csv *c)
{
	struct buf field = BUF_INIT;
	const char *p = text;

	memset(c, 0, sizeof *c);
	while (*p != '\0') {
		csv_push_row(c);
		for (;;) {
			buf_reset(&field);
			if (*p == '"') {
				for (p++;; p++) {
					if (*p == '\0')
						fail_msg("unterminated quoted field");
					if (*p == '"' && p[1] == '"') {
						buf_putc(&field, '"');
						p++;
					} else if (*p == '"') {
						p++;
						break;
					} else {
						buf_putc(&field, *p);
					}
				}
			} else {
				while (*p != ',' && *p != '\r' && *p != '\n' && *p != '\0') {
					if (*p == '"')
						fail_msg("a quote inside an unquoted field: %s", p);
					buf_putc(&field, *p++);
				}
			}
			csv_push_field(c, &field);
			if (*p == ',') {
				p++;
				continue;
			}
			if (p[0] != '\r' || p[1] != '\n')
				fail_msg("a row does not end with CRLF: '%.20s'", p);
			p += 2;
			break;
		}
	}
	buf_free(&field);
}

static void assert_row(const struct csv *c, size_t r, const char *const f[6])
{
	assert_true(r < c->n_rows);
	assert_int_equal(c->n_fields[r], 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(c->rows[r][i], f[i]);
}

static const char *const header[6] = {
	"site", "collection", "name", "subjects", "studies", "mark"
};

/* A payload from JSON text and the answer read from it. */
struct answered {
	json_t *payload;
	struct site_answer answer;
};

static void answered_make(struct answered *a, const char *json)
{
	char err[256];

	a->payload = json_loads(json, 0, NULL);
	assert_non_null(a->payload);
	if (payload_read(a->payload, &a->answer, err, sizeof err) != 0)
		fail_msg("payload: %s", err);
}

static void answered_clear(struct answered *a)
{
	json_decref(a->payload);
	site_answer_clear(&a->answer);
}

static const char *noisy_payload =
    "{\"provider\": \"Site A\", \"collections\": ["
    "{\"id\": \"c-1\", \"name\": \"One\", \"subjects_count\": 1230, \"studies_count\": 2500},"
    "{\"id\": \"c-2\", \"name\": \"Two\", \"subjects_count\": 10, \"studies_count\": 20,"
    " \"suppressed\": true}],"
    " \"privacy\": {\"threshold\": 10, \"rounding\": 10, \"noise\": \"laplace\","
    " \"epsilon\": 0.28}}";

static const char *exact_payload =
    "{\"provider\": \"Site B\", \"collections\": ["
    "{\"id\": \"c-3\", \"name\": \"Three\", \"subjects_count\": 7, \"studies_count\": 9}],"
    " \"privacy\": {\"threshold\": 0, \"rounding\": 1, \"noise\": \"none\", \"exact\": true}}";

static struct report report_of(struct vocab *v, const struct query *q, const char *text,
                               const struct report_site *sites, size_t n)
{
	return (struct report){ .vocab = v,
		                .query = q,
		                .text = text,
		                .mode = "local",
		                .synthetic = true,
		                .sites = sites,
		                .n_sites = n };
}

/* Degenerate. */

static void test_no_sites(void **state)
{
	struct vocab *v = *state;
	struct query *q = query_new();
	struct report r = report_of(v, q, "*", NULL, 0);
	json_t *doc = report_json(&r);
	char hash[65], *text, *csv = report_csv(NULL, 0);
	struct csv c;

	query_hash(v, q, hash);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "query"), "hash")), hash);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "query"), "text")), "*");
	assert_string_equal(json_string_value(json_object_get(doc, "mode")), "local");
	assert_true(json_is_true(json_object_get(doc, "synthetic")));
	assert_int_equal(json_array_size(json_object_get(doc, "sites")), 0);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(doc, "totals"), "subjects")), 0);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(doc, "totals"), "studies")), 0);
	/* The text form is that document, indented, with a final newline. */
	text = report_json_text(&r);
	{
		char *dump = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		char *want = xasprintf("%s\n", dump);

		assert_string_equal(text, want);
		free(want);
		free(dump);
	}
	assert_string_equal(csv, "site,collection,name,subjects,studies,mark\r\n");
	csv_read(csv, &c);
	assert_int_equal(c.n_rows, 1);
	assert_row(&c, 0, header);
	csv_free(&c);
	free(csv);
	free(text);
	json_decref(doc);
	query_free(&q);
}

static void test_failed_and_waiting_sites(void **state)
{
	struct vocab *v = *state;
	struct query *q = query_new();
	const struct report_site sites[] = {
		{ .id = "site-x", .name = "X", .state = REPORT_FAILED, .error = "disk on fire" },
		{ .id = "site-y", .state = REPORT_FAILED },
		{ .id = "site-z", .name = "Z", .state = REPORT_PENDING },
		{ .id = "site-w", .name = "W", .state = REPORT_WORKING },
		/* Answered without a payload is not an answer. */
		{ .id = "site-v", .name = "V", .state = REPORT_ANSWERED },
	};
	struct report r = report_of(v, q, "*", sites, 5);
	json_t *doc = report_json(&r), *js = json_object_get(doc, "sites");
	char *csv = report_csv(sites, 5);
	struct csv c;

	assert_int_equal(json_array_size(js), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(js, 0), "status")),
	                    "failed");
	assert_string_equal(json_string_value(json_object_get(json_array_get(js, 0), "error")),
	                    "disk on fire");
	assert_null(json_object_get(json_array_get(js, 0), "payload"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(js, 1), "name")),
	                    "site-y");
	assert_string_equal(json_string_value(json_object_get(json_array_get(js, 1), "error")),
	                    "no answer");
	assert_string_equal(json_string_value(json_object_get(json_array_get(js, 2), "status")),
	                    "pending");
	assert_null(json_object_get(json_array_get(js, 2), "error"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(js, 3), "status")),
	                    "claimed");
	assert_string_equal(json_string_value(json_object_get(json_array_get(js, 4), "status")),
	                    "failed");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(doc, "totals"), "subjects")), 0);

	csv_read(csv, &c);
	assert_int_equal(c.n_rows, 6);
	assert_row(&c, 0, header);
	assert_row(&c, 1, (const char *const[]){ "site-x", "", "disk on fire", "", "", "failed" });
	assert_row(&c, 2, (const char *const[]){ "site-y", "", "no answer", "", "", "failed" });
	assert_row(&c, 3, (const char *const[]){ "site-z", "", "Z", "", "", "pending" });
	assert_row(&c, 4, (const char *const[]){ "site-w", "", "W", "", "", "pending" });
	assert_row(&c, 5, (const char *const[]){ "site-v", "", "no answer", "", "", "failed" });
	csv_free(&c);
	free(csv);
	json_decref(doc);
	query_free(&q);
}

/* Answers. */

static void test_answered_sites(void **state)
{
	struct vocab *v = *state;
	struct query_error err;
	struct query *q = query_parse_text(v, "sex:male modality:MR", &err);
	struct answered a, b;
	struct report_site sites[3];
	struct report r;
	json_t *doc, *js;
	char *csv;
	struct csv c;

	assert_non_null(q);
	answered_make(&a, noisy_payload);
	answered_make(&b, exact_payload);
	sites[0] = (struct report_site){ .id = "a",
		                         .name = "Site A",
		                         .state = REPORT_ANSWERED,
		                         .payload = a.payload,
		                         .answer = &a.answer };
	sites[1] = (struct report_site){ .id = "b",
		                         .name = "Site B",
		                         .state = REPORT_ANSWERED,
		                         .payload = b.payload,
		                         .answer = &b.answer };
	sites[2] = (struct report_site){ .id = "c", .state = REPORT_FAILED, .error = "timeout" };
	r = report_of(v, q, "modality:mr sex:male", sites, 3);
	doc = report_json(&r);
	js = json_object_get(doc, "sites");
	/* The payloads go out as the sites sent them. */
	assert_ptr_equal(json_object_get(json_array_get(js, 0), "payload"), a.payload);
	assert_string_equal(json_string_value(json_object_get(json_array_get(js, 0), "status")),
	                    "succeeded");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(doc, "totals"), "subjects")),
	    1230 + 10 + 7);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(doc, "totals"), "studies")),
	    2500 + 20 + 9);
	{
		json_t *ast = query_to_json(q);

		assert_true(json_equal(json_object_get(json_object_get(doc, "query"), "ast"), ast));
		json_decref(ast);
	}

	csv = report_csv(sites, 3);
	csv_read(csv, &c);
	assert_int_equal(c.n_rows, 5);
	assert_row(&c, 1, (const char *const[]){ "a", "c-1", "One", "1230", "2500", "approx" });
	assert_row(&c, 2, (const char *const[]){ "a", "c-2", "Two", "10", "20", "hidden" });
	assert_row(&c, 3, (const char *const[]){ "b", "c-3", "Three", "7", "9", "exact" });
	assert_row(&c, 4, (const char *const[]){ "c", "", "timeout", "", "", "failed" });
	csv_free(&c);
	free(csv);
	json_decref(doc);
	answered_clear(&a);
	answered_clear(&b);
	query_free(&q);
}

static void test_marks(void **state)
{
	struct answered a, b;
	char buf[48];

	assert_string_equal(report_mark(1230, true, true, buf, sizeof buf), "1,230");
	assert_string_equal(report_mark(1230, false, true, buf, sizeof buf), "\xe2\x89\x88"
	                                                                     "1,230");
	assert_string_equal(report_mark(1230, false, false, buf, sizeof buf), "~1,230");
	assert_string_equal(report_mark(0, false, true, buf, sizeof buf), "0");
	assert_string_equal(report_mark(1234567890123ULL, false, false, buf, sizeof buf),
	                    "~1,234,567,890,123");
	answered_make(&a, noisy_payload);
	answered_make(&b, exact_payload);
	assert_string_equal(
	    report_mark_subjects(&a.answer, &a.answer.collections[1], true, buf, sizeof buf),
	    "<10");
	assert_string_equal(
	    report_mark_subjects(&a.answer, &a.answer.collections[0], false, buf, sizeof buf),
	    "~1,230");
	assert_string_equal(
	    report_mark_subjects(&b.answer, &b.answer.collections[0], true, buf, sizeof buf), "7");
	/* An exact answer never says "<": the operator sees the true count. */
	b.answer.collections[0].suppressed = true;
	assert_string_equal(
	    report_mark_subjects(&b.answer, &b.answer.collections[0], true, buf, sizeof buf), "7");
	answered_clear(&a);
	answered_clear(&b);
}

/* What a spreadsheet must not get. */

static char *field(const char *text)
{
	struct buf b = BUF_INIT;

	report_csv_field(&b, text);
	return buf_steal(&b);
}

static void assert_field(const char *text, const char *want)
{
	char *got = field(text);

	assert_string_equal(got, want);
	free(got);
}

static void test_quoting(void **state)
{
	assert_field(NULL, "");
	assert_field("", "");
	assert_field("plain", "plain");
	assert_field("a,b", "\"a,b\"");
	assert_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	assert_field("\"", "\"\"\"\"");
	assert_field("caf\xc3\xa9", "caf\xc3\xa9");
	/* No control character survives; nothing spans lines. */
	assert_field("two\nlines", "two lines");
	assert_field("cr\r\nlf", "cr^M lf");
	assert_field("tab\there", "tab here");
	assert_field("\x1b[31mred", "^[[31mred");
	assert_field("bad \xff byte", "bad \xef\xbf\xbd byte");
}

static void test_injection(void **state)
{
	assert_field("=1+2", "'=1+2");
	assert_field("+1", "'+1");
	assert_field("-1", "'-1");
	assert_field("@SUM(A1)", "'@SUM(A1)");
	assert_field("=HYPERLINK(\"http://x\",\"y\")",
	             "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	assert_field("a=b", "a=b");
	assert_field("c-1", "c-1");
	/* Blanks in front do not hide a formula behind them (some
	 * spreadsheets skip them), nor does a tab, which becomes a blank. */
	assert_field("  =1", "'  =1");
	assert_field("\t=1", "' =1");
	assert_field("\x01=1", "^A=1");
}

static void test_hostile_site(void **state)
{
	struct answered a;
	struct report_site site;
	char *csv;
	struct csv c;

	answered_make(&a, "{\"provider\": \"=evil\", \"collections\": [{\"id\": \"-x,y\", "
	                  "\"name\": \"@a\\nb\\u001b[2J\", \"subjects_count\": 20, "
	                  "\"studies_count\": 30}]}");
	site = (struct report_site){ .id = "+s",
		                     .name = "=evil",
		                     .state = REPORT_ANSWERED,
		                     .payload = a.payload,
		                     .answer = &a.answer };
	csv = report_csv(&site, 1);
	for (const char *p = csv; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\r' && *p != '\n')
			fail_msg("control byte 0x%02x in the CSV", *p);
	csv_read(csv, &c);
	assert_int_equal(c.n_rows, 2);
	assert_row(&c, 1,
	           (const char *const[]){ "'+s", "'-x,y", "'@a b^[[2J", "20", "30", "approx" });
	csv_free(&c);
	free(csv);
	answered_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_sites),
		cmocka_unit_test(test_failed_and_waiting_sites),
		cmocka_unit_test(test_answered_sites),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_hostile_site),
	};

	return cmocka_run_group_tests(tests, test_vocab_setup, test_vocab_teardown);
}
