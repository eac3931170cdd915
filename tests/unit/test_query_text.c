/* Unit tests of the query text syntax (core/query_text.c): what parses to
 * what, every error with its place and words, the canonical print, and the
 * round trip text -> AST -> text -> AST. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/query.h"
#include "core/query_json.h"
#include "core/query_text.h"
#include "core/vocab.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#include "support.h"

#define SEX       "SNOMEDCT263495000"
#define MALE      "SNOMEDCT248153007"
#define AGE       "SNOMEDCT423493009"
#define DIAGNOSIS "SNOMEDCT439401001"
#define PROSTATE  "SNOMEDCT399068003"
#define MODALITY  "RID10311"
#define MR        "RID10312"
#define CT        "RID10321"

static struct query *parse(const struct vocab *v, const char *text)
{
	struct query_error err = { 0 };
	struct query *q = query_parse_text(v, text, &err);

	if (q == NULL)
		fail_msg("parse '%s': %d:%d: %s", text, err.line, err.column, err.message);
	return q;
}

static void expect_error(const struct vocab *v, const char *text, int line, int column,
                         const char *message)
{
	struct query_error err = { 0 };
	struct query *q = query_parse_text(v, text, &err);

	if (q != NULL) {
		query_free(&q);
		fail_msg("'%s' parsed; expected %d:%d: %s", text, line, column, message);
	}
	if (err.line != line || err.column != column || strcmp(err.message, message) != 0)
		fail_msg("'%s': got %d:%d: %s; expected %d:%d: %s", text, err.line, err.column,
		         err.message, line, column, message);
}

/* Parses, canonicalises and prints. */
static char *canonical_text(const struct vocab *v, const char *text)
{
	struct query *q = parse(v, text);
	char *out;

	query_canonicalize(v, q);
	out = query_print_text(v, q);
	query_free(&q);
	return out;
}

static const struct query_leaf *leaf_at(const struct query *q, size_t g, size_t c, size_t l)
{
	assert_true(g < q->n_groups);
	assert_true(c < q->groups[g].n_criteria);
	assert_true(l < q->groups[g].criteria[c].n_leaves);
	return &q->groups[g].criteria[c].leaves[l];
}

/* Degenerate input first. */

static void test_null_and_empty(void **state)
{
	const struct vocab *v = *state;

	expect_error(v, NULL, 1, 1, "empty query (use '*' for everything)");
	expect_error(v, "", 1, 1, "empty query (use '*' for everything)");
	expect_error(v, "  \t\n \r\n", 1, 1, "empty query (use '*' for everything)");
	expect_error(NULL, "sex:male", 1, 1, "no criteria vocabulary");
	/* A NULL error is allowed. */
	assert_null(query_parse_text(v, "", NULL));
}

static void test_huge(void **state)
{
	const struct vocab *v = *state;
	size_t n = QUERY_MAX_TEXT;
	char *text = xmalloc(n + 2);
	struct query *q;

	memset(text, ' ', n + 1);
	memcpy(text, "sex:male", 8);
	text[n] = '\0';
	q = parse(v, text);
	assert_int_equal(q->n_groups, 1);
	query_free(&q);
	text[n] = ' ';
	text[n + 1] = '\0';
	expect_error(v, text, 1, 65537, "query is too long (65537 bytes; at most 65536)");
	free(text);
}

static void test_truncated(void **state)
{
	const struct vocab *v = *state;

	expect_error(v, "diagnosis:\"prostate", 1, 11, "unterminated quote");
	expect_error(v, "diagnosis:\"prostate\\\"", 1, 11, "unterminated quote");
	expect_error(v, "sex:", 1, 5, "missing value for sex");
	expect_error(v, "sex:male,", 1, 10, "missing value for sex");
	expect_error(v, "sex", 1, 1,
	             "missing ':' after 'sex' (a term is field:value, e.g. sex:male)");
	expect_error(v, "(sex:male", 1, 1, "unclosed '('");
	expect_error(v, "(", 1, 1, "unclosed '('");
	expect_error(v, "sex:male OR", 1, 10, "OR at the end of the query");
	expect_error(v, "-", 1, 1, "missing field after '-'");
	expect_error(v, "age:>", 1, 5, "missing number after '>'");
	expect_error(v, "age:<=", 1, 5, "missing number after '<='");
	expect_error(v, "diagnosis:~", 1, 12, "missing value after '~'");
}

static void test_limits(void **state)
{
	const struct vocab *v = *state;
	struct buf b = BUF_INIT;
	struct query *q;

	for (int i = 0; i < QUERY_MAX_GROUPS; i++)
		buf_printf(&b, "%sage:%d", i > 0 ? " OR " : "", i);
	q = parse(v, buf_str(&b));
	assert_int_equal(q->n_groups, QUERY_MAX_GROUPS);
	query_free(&q);
	buf_puts(&b, " OR sex:male");
	expect_error(v, buf_str(&b), 1, (int)b.len - 7, "too many groups (at most 64)");
	buf_reset(&b);

	for (int i = 0; i < QUERY_MAX_CRITERIA; i++)
		buf_printf(&b, "age:%d ", i % 100);
	q = parse(v, buf_str(&b));
	assert_int_equal(q->groups[0].n_criteria, QUERY_MAX_CRITERIA);
	query_free(&q);
	buf_puts(&b, "sex:male");
	expect_error(v, buf_str(&b), 1, (int)b.len - 7,
	             "too many criteria in one group (at most 256)");
	buf_reset(&b);

	/* A negated list makes one criterion per value. */
	buf_puts(&b, "-modality:mr");
	for (int i = 1; i <= QUERY_MAX_CRITERIA; i++)
		buf_puts(&b, ",mr");
	expect_error(v, buf_str(&b), 1, 1, "too many criteria in one group (at most 256)");
	buf_reset(&b);

	buf_puts(&b, "modality:mr");
	for (int i = 1; i < QUERY_MAX_LEAVES; i++)
		buf_puts(&b, ",ct");
	q = parse(v, buf_str(&b));
	assert_int_equal(q->groups[0].criteria[0].n_leaves, QUERY_MAX_LEAVES);
	query_free(&q);
	buf_puts(&b, ",pet");
	expect_error(v, buf_str(&b), 1, (int)b.len - 2,
	             "too many values for modality (at most 256)");
	buf_free(&b);
}

/* Real cases. */

static void test_star_is_everything(void **state)
{
	const struct vocab *v = *state;
	struct query *q = parse(v, "  *\n");

	assert_int_equal(q->n_groups, 0);
	query_free(&q);
	expect_error(v, "* sex:male", 1, 1, "'*' (everything) must stand alone");
	expect_error(v, "sex:male *", 1, 10, "'*' (everything) must stand alone");
	expect_error(v, "(*)", 1, 2, "'*' (everything) must stand alone");
}

static void test_names_by_alias_label_code(void **state)
{
	const struct vocab *v = *state;
	static const char *const spellings[] = {
		"sex:male", "SEX:Male", "Sex:male", SEX ":" MALE, "\"sex\":\"male\"",
	};
	struct query *first = parse(v, spellings[0]), *q;
	const struct query_leaf *l = leaf_at(first, 0, 0, 0);

	assert_string_equal(first->groups[0].criteria[0].key, SEX);
	assert_int_equal(l->op, QUERY_EQUALS);
	assert_int_equal(l->vtype, QUERY_VALUE_STRING);
	assert_string_equal(l->str, MALE);
	for (size_t i = 1; i < sizeof spellings / sizeof spellings[0]; i++) {
		q = parse(v, spellings[i]);
		assert_true(query_equal(q, first));
		query_free(&q);
	}
	query_free(&first);

	q = parse(v, "diagnosis:\"prostate cancer\" \"Body part\":breast \"Age at diagnosis\":50");
	assert_string_equal(leaf_at(q, 0, 0, 0)->str, PROSTATE);
	assert_string_equal(q->groups[0].criteria[1].key, "SNOMEDCT123037004");
	assert_string_equal(leaf_at(q, 0, 1, 0)->str, "SNOMEDCT76752008");
	assert_string_equal(q->groups[0].criteria[2].key, AGE);
	query_free(&q);
}

static void test_categorical_lists_and_negation(void **state)
{
	const struct vocab *v = *state;
	struct query *q = parse(v, "modality:MR,CT -manufacturer:toshiba,ge");

	assert_int_equal(q->n_groups, 1);
	assert_int_equal(q->groups[0].n_criteria, 3);
	assert_int_equal(q->groups[0].criteria[0].n_leaves, 2);
	assert_string_equal(leaf_at(q, 0, 0, 0)->str, MR);
	assert_string_equal(leaf_at(q, 0, 0, 1)->str, CT);
	assert_int_equal(leaf_at(q, 0, 1, 0)->op, QUERY_NOT_EQUALS);
	assert_string_equal(leaf_at(q, 0, 1, 0)->str, "birnlex_3067");
	assert_int_equal(q->groups[0].criteria[1].n_leaves, 1);
	assert_int_equal(leaf_at(q, 0, 2, 0)->op, QUERY_NOT_EQUALS);
	assert_string_equal(leaf_at(q, 0, 2, 0)->str, "birnlex_12833");
	query_free(&q);

	q = parse(v, "diagnosis:~pros modality:~\"M R\"");
	assert_int_equal(leaf_at(q, 0, 0, 0)->op, QUERY_CONTAINS);
	assert_string_equal(leaf_at(q, 0, 0, 0)->str, "pros");
	assert_string_equal(leaf_at(q, 0, 1, 0)->str, "M R");
	query_free(&q);
}

struct numeric_case {
	const char *text;
	size_t n_criteria;
	struct {
		enum query_op op;
		double a, b; /* BETWEEN min, max; a for LOWER/GREATER */
	} leaves[3];         /* of the first criterion */
	size_t n_leaves;
};

static void test_numeric_forms(void **state)
{
	const struct vocab *v = *state;
	static const struct numeric_case cases[] = {
		{ "age:50..70", 1, { { QUERY_BETWEEN, 50, 70 } }, 1 },
		{ "age:50..", 1, { { QUERY_BETWEEN, 50, 120 } }, 1 },
		{ "age:..70", 1, { { QUERY_BETWEEN, 0, 70 } }, 1 },
		{ "age:<=70", 1, { { QUERY_BETWEEN, 0, 70 } }, 1 },
		{ "age:>=50", 1, { { QUERY_BETWEEN, 50, 120 } }, 1 },
		{ "age:>50", 1, { { QUERY_GREATER_THAN, 50, 0 } }, 1 },
		{ "age:<40", 1, { { QUERY_LOWER_THAN, 40, 0 } }, 1 },
		{ "age:50", 1, { { QUERY_BETWEEN, 50, 50 } }, 1 },
		{ "psa:0.5,4..10,>20",
		  1,
		  { { QUERY_BETWEEN, 0.5, 0.5 },
		    { QUERY_BETWEEN, 4, 10 },
		    { QUERY_GREATER_THAN, 20, 0 } },
		  3 },
		{ "year:1.995e3", 1, { { QUERY_BETWEEN, 1995, 1995 } }, 1 },
		{ "-age:50..70",
		  1,
		  { { QUERY_LOWER_THAN, 50, 0 }, { QUERY_GREATER_THAN, 70, 0 } },
		  2 },
		{ "-age:>70", 1, { { QUERY_BETWEEN, 0, 70 } }, 1 },
		{ "-age:<50", 1, { { QUERY_BETWEEN, 50, 120 } }, 1 },
		{ "-age:>=50", 1, { { QUERY_LOWER_THAN, 50, 0 } }, 1 },
		{ "-age:<=50", 1, { { QUERY_GREATER_THAN, 50, 0 } }, 1 },
		{ "-age:..70", 1, { { QUERY_GREATER_THAN, 70, 0 } }, 1 },
		{ "-psa:4", 1, { { QUERY_LOWER_THAN, 4, 0 }, { QUERY_GREATER_THAN, 4, 0 } }, 2 },
		{ "-age:50..70,80",
		  2,
		  { { QUERY_LOWER_THAN, 50, 0 }, { QUERY_GREATER_THAN, 70, 0 } },
		  2 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct numeric_case *nc = &cases[i];
		struct query *q = parse(v, nc->text);
		const struct query_criterion *c = &q->groups[0].criteria[0];

		if (q->groups[0].n_criteria != nc->n_criteria || c->n_leaves != nc->n_leaves)
			fail_msg("%s: %zu criteria, %zu leaves", nc->text, q->groups[0].n_criteria,
			         c->n_leaves);
		for (size_t k = 0; k < nc->n_leaves; k++) {
			const struct query_leaf *l = &c->leaves[k];

			if (l->op != nc->leaves[k].op)
				fail_msg("%s: leaf %zu is %s", nc->text, k, query_op_name(l->op));
			if (l->op == QUERY_BETWEEN &&
			    (l->min != nc->leaves[k].a || l->max != nc->leaves[k].b))
				fail_msg("%s: leaf %zu is %g..%g", nc->text, k, l->min, l->max);
			if (l->op != QUERY_BETWEEN && l->num != nc->leaves[k].a)
				fail_msg("%s: leaf %zu is %g", nc->text, k, l->num);
		}
		query_free(&q);
	}
}

static void test_groups(void **state)
{
	const struct vocab *v = *state;
	struct query *a = parse(v, "(diagnosis:breast modality:MR) OR (diagnosis:breast age:<40)");
	struct query *b = parse(v, "diagnosis:breast modality:MR or\n diagnosis:breast age:<40");
	struct query *c = parse(v, "( diagnosis:breast modality:MR ) Or diagnosis:breast age:<40");

	assert_int_equal(a->n_groups, 2);
	assert_int_equal(a->groups[0].n_criteria, 2);
	assert_int_equal(a->groups[1].n_criteria, 2);
	assert_int_equal(leaf_at(a, 1, 1, 0)->op, QUERY_LOWER_THAN);
	assert_true(query_equal(a, b));
	assert_true(query_equal(a, c));
	query_free(&a);
	query_free(&b);
	query_free(&c);
}

static void test_errors(void **state)
{
	const struct vocab *v = *state;
	static const struct {
		const char *text;
		int line, column;
		const char *message;
	} cases[] = {
		{ "age:50..70 diagnosis:prostrate", 1, 22,
		  "unknown value 'prostrate' for diagnosis (did you mean 'prostate'?)" },
		{ "sex:zzzzzzzz", 1, 5, "unknown value 'zzzzzzzz' for sex" },
		{ "diagnosys:breast", 1, 1,
		  "unknown field 'diagnosys' (did you mean 'diagnosis'?)" },
		{ "sex:male xyzzyplugh:1", 1, 10, "unknown field 'xyzzyplugh'" },
		{ "age:5O..70", 1, 5, "malformed number '5O'" },
		{ "age:50...70", 1, 5, "malformed range '50...70'" },
		{ "age:..", 1, 5,
		  "malformed range '..' (give at least one end, e.g. age:50.. or age:..70)" },
		{ "age:1..2..3", 1, 5, "malformed range '1..2..3'" },
		{ "age:1e", 1, 5, "malformed number '1e'" },
		{ "age:70..50", 1, 5, "inverted range 70..50 (min is above max)" },
		{ "age:150", 1, 5, "150 is outside the range of age (0..120)" },
		{ "age:>-1", 1, 5, "-1 is outside the range of age (0..120)" },
		{ "psa:1e999", 1, 5, "1e999 is outside the range of psa (0..10000)" },
		{ "age:10,130..140", 1, 8, "130 is outside the range of age (0..120)" },
		{ "sex:>5", 1, 5, "range or comparison on categorical field sex" },
		{ "sex:male,1..2", 1, 10, "range or comparison on categorical field sex" },
		{ "age:old", 1, 5,
		  "age takes a number or a range (e.g. age:50..70 or age:>40), not 'old'" },
		{ "prostate", 1, 1,
		  "missing ':' after 'prostate' (a term is field:value, e.g. sex:male)" },
		{ ":male", 1, 1, "missing field name before ':'" },
		{ "-sex:~ma", 1, 6, "'~' (contains) cannot be negated" },
		{ "sex:\"male\"x", 1, 11, "unexpected text after a closing quote" },
		{ "sex:ma\"le\"", 1, 7, "unexpected '\"' (quote the whole word)" },
		{ "()", 1, 1, "empty group '()'" },
		{ "sex:male ( )", 1, 10,
		  "missing OR before '(': a query is an OR of AND-groups, e.g. (a b) OR (c d)" },
		{ "(sex:male age:5", 1, 1, "unclosed '('" },
		{ "sex:male)", 1, 9, "unexpected ')'" },
		{ "(sex:male))", 1, 11, "unexpected ')'" },
		{ "OR sex:male", 1, 1, "OR at the start of the query" },
		{ "sex:male OR or age:5", 1, 13, "OR twice in a row" },
		{ "sex:male OR (age:5) OR", 1, 21, "OR at the end of the query" },
		{ "sex:male OR )", 1, 13, "unexpected ')'" },
		{ "((sex:male))", 1, 2,
		  "nested parentheses: a query is an OR of AND-groups, e.g. (a b) OR (c d)" },
		{ "(sex:male OR age:5)", 1, 11,
		  "OR inside parentheses: a query is an OR of AND-groups, e.g. (a b) OR (c d)" },
		{ "(sex:male) age:5", 1, 12,
		  "missing OR after ')': a query is an OR of AND-groups, e.g. (a b) OR (c d)" },
		{ "(sex:male) (age:5)", 1, 12,
		  "missing OR before '(': a query is an OR of AND-groups, e.g. (a b) OR (c d)" },
		{ "sex:male\n  agee:5", 2, 3, "unknown field 'agee' (did you mean 'age'?)" },
		{ "diagnosis:~\"\xc3\xa9\" agee:5", 1, 16,
		  "unknown field 'agee' (did you mean 'age'?)" },
		{ "sex:male\n\nage:5 diagnosis:~\"a\nb\" x:1", 4, 4, "unknown field 'x'" },
		{ "sex:\xff", 1, 5, "the query is not valid UTF-8" },
		{ "sex:\xc0\xaf", 1, 5, "the query is not valid UTF-8" },
		{ "sex:\xed\xa0\x80", 1, 5, "the query is not valid UTF-8" },
		{ "sex:\xe2\x82", 1, 5, "the query is not valid UTF-8" },
		{ "sex:\"\x01\"", 1, 5, "unknown value '?' for sex" },
	};

	char long_value[4 + 70 + 1], expected[128];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_error(v, cases[i].text, cases[i].line, cases[i].column, cases[i].message);
	/* A long token is cut short in the message. */
	memcpy(long_value, "sex:", 4);
	memset(long_value + 4, 'a', 70);
	long_value[74] = '\0';
	snprintf(expected, sizeof expected, "unknown value '%.57s...' for sex", long_value + 4);
	expect_error(v, long_value, 1, 5, expected);
}

static void test_print_degenerate(void **state)
{
	const struct vocab *v = *state;
	struct query *q = query_new();
	char *text = query_print_text(v, NULL);

	assert_string_equal(text, "*");
	free(text);
	text = query_print_text(v, q);
	assert_string_equal(text, "*");
	free(text);
	query_free(&q);
}

static void test_print_canonical(void **state)
{
	const struct vocab *v = *state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "*", "*" },
		{ "sex:male diagnosis:prostate modality:MR,CT age:50..70 psa:>10 "
		  "-manufacturer:toshiba",
		  "sex:male age:50..70 diagnosis:prostate modality:mr,ct -manufacturer:toshiba "
		  "psa:>10" },
		{ "modality:CT,MR,mr", "modality:mr,ct" },
		{ "-manufacturer:toshiba,ge,toshiba", "-manufacturer:ge,toshiba" },
		{ "sex:female -sex:other sex:male,female",
		  "sex:male,female sex:female -sex:other" },
		{ "age:0..70", "age:<=70" },
		{ "age:..70", "age:<=70" },
		{ "age:50..", "age:>=50" },
		{ "age:0..120", "age:<=120" },
		{ "age:50..50", "age:50" },
		{ "age:0", "age:0" },
		{ "-age:50..70", "age:<50,>70" },
		{ "-psa:4", "psa:<4,>4" },
		{ "-age:>70 -age:<50", "age:<=70 age:>=50" },
		{ "psa:0.10,1e-3,4.25", "psa:0.001,0.1,4.25" },
		{ "psa:0.1234567890123456789", "psa:0.123456789012346" },
		{ "year:2000..2010,1995", "year:1995,2000..2010" },
		{ "diagnosis:~\"pros tate\"", "diagnosis:~\"pros tate\"" },
		{ "diagnosis:~\"a\\\"b\\\\c\"", "diagnosis:~\"a\\\"b\\\\c\"" },
		{ "diagnosis:~a\\b", "diagnosis:~a\\b" },
		{ "diagnosis:~\"<x\"", "diagnosis:~\"<x\"" },
		{ "diagnosis:~\"\"", "diagnosis:~\"\"" },
		{ "her2:\"3+\",1+ manufacturer:\"Siemens Medical Solutions\"",
		  "manufacturer:siemens-ms her2:1+,3+" },
		{ "(diagnosis:breast modality:MR) OR (diagnosis:breast age:<40)",
		  "(age:<40 diagnosis:breast) OR (diagnosis:breast modality:mr)" },
		{ "sex:male OR sex:male", "sex:male" },
		{ "(sex:male age:5) OR (age:5 sex:male sex:male)", "sex:male age:5" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = canonical_text(v, cases[i].in);

		if (strcmp(out, cases[i].out) != 0)
			fail_msg("'%s' printed '%s', expected '%s'", cases[i].in, out,
			         cases[i].out);
		free(out);
	}
}

static void test_print_as_is_and_raw(void **state)
{
	const struct vocab *v = *state;
	struct query *q = parse(v, "modality:ct,mr sex:male");
	struct query_criterion *c;
	struct query_leaf *l;
	char *out = query_print_text(v, q);

	/* Not canonicalised: printed in the order given. */
	assert_string_equal(out, "modality:ct,mr sex:male");
	free(out);
	query_free(&q);

	q = query_new();
	c = query_add_criterion(query_add_group(q), "X.key with space");
	query_add_leaf(c, QUERY_EQUALS)->str = xstrdup("a,b");
	query_add_leaf(c, QUERY_EQUALS)->str = xstrdup("plain");
	l = query_add_leaf(c, QUERY_IN);
	l->strs = xcalloc(2, sizeof *l->strs);
	l->strs[0] = xstrdup("p");
	l->strs[1] = xstrdup("q:r");
	l->n_strs = 2;
	l = query_add_leaf(c, QUERY_BETWEEN);
	l->min = 1.5;
	c = query_add_criterion(&q->groups[0], "-dash");
	l = query_add_leaf(c, QUERY_EQUALS);
	l->vtype = QUERY_VALUE_BOOL;
	l->boolean = true;
	out = query_print_text(v, q);
	assert_string_equal(out,
	                    "\"X.key with space\":\"a,b\",plain,p,\"q:r\",1.5.. \"-dash\":true");
	free(out);

	/* Without a vocabulary every key and code prints raw. */
	query_free(&q);
	q = parse(v, "sex:male age:>=50");
	out = query_print_text(NULL, q);
	assert_string_equal(out, SEX ":" MALE " " AGE ":50..120");
	free(out);
	query_free(&q);
}

/* text -> AST -> canonical -> text -> AST gives the canonical AST, and the
 * canonical text prints back unchanged. */
static void test_round_trip(void **state)
{
	const struct vocab *v = *state;
	static const char *const inputs[] = {
		"*",
		"sex:male diagnosis:prostate modality:MR,CT age:50..70 psa:>10 "
		"-manufacturer:toshiba",
		"(diagnosis:breast modality:MR) OR (diagnosis:breast age:<40)",
		"-age:50..70 -psa:4 -ki67:>20 -year:<2000 year:2001.5..2002.25",
		"\"Body part\":breast,\"head\" her2:\"3+\" er:positive pr:negative -pirads:1,2,3",
		"cT:T1,t2 pt:t3 cn:n0 pn:N1 cm:M0 pm:m1 gleason:7,10 isup:5 birads:0",
		"diagnosis:~\"x y\" modality:~\"\\\\\" sex:~\"\\\"\"",
		"(sex:male) OR (sex:female) OR (sex:other age:1) OR (-sex:unknown)",
	};

	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		struct query_error err = { 0 };
		struct query *q = query_parse_text(v, inputs[i], &err), *again;
		char *text, *text2;

		if (q == NULL)
			fail_msg("'%s': %s", inputs[i], err.message);
		query_canonicalize(v, q);
		text = query_print_text(v, q);
		again = query_parse_text(v, text, &err);
		if (again == NULL)
			fail_msg("'%s' printed '%s' which fails: %s", inputs[i], text, err.message);
		if (!query_equal(q, again))
			fail_msg("'%s' printed '%s' which parses differently", inputs[i], text);
		text2 = query_print_text(v, again);
		assert_string_equal(text, text2);
		free(text);
		free(text2);
		query_free(&q);
		query_free(&again);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_star_is_everything),
		cmocka_unit_test(test_names_by_alias_label_code),
		cmocka_unit_test(test_categorical_lists_and_negation),
		cmocka_unit_test(test_numeric_forms),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_print_degenerate),
		cmocka_unit_test(test_print_canonical),
		cmocka_unit_test(test_print_as_is_and_raw),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, test_vocab_setup, test_vocab_teardown);
}
