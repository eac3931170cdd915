/* The query text syntax: a hand-written lexer and parser that resolve
 * every name against the vocabulary and point at the offending token, and
 * the printer that gives the canonical text back. Pure: no I/O, no locale
 * dependence in what is read or printed. */
#include "config.h"

#include "core/query_text.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/query_json.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define EXAMPLE_SHAPE "a query is an OR of AND-groups, e.g. (a b) OR (c d)"

enum tok_type {
	TOK_END,
	TOK_TERM,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_OR,
	TOK_STAR,
};

struct token {
	enum tok_type type;
	size_t start, end; /* byte offsets into the text */
};

struct parser {
	const struct vocab *v;
	const char *text;
	size_t len;
	size_t pos; /* where the lexer goes on */
	struct token tok;
	struct query_error *err;
	struct query *q;
};

/* A field name or value as written: unquoted, with its place. */
struct word {
	struct buf s;
	size_t at;
	bool quoted;
};

/* A number or range as written on a numeric field. */
enum num_kind {
	NUM_EXACT,   /* a */
	NUM_RANGE,   /* a..b, a.., ..b, >=a, <=b */
	NUM_GREATER, /* >a */
	NUM_LOWER,   /* <b */
};

struct num_value {
	enum num_kind kind;
	double a, b;
	bool open_lo, open_hi; /* an end taken from the field's range */
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int parse_error(struct parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the error at byte offset at: line counts newlines, the column counts
 * characters (UTF-8 lead bytes) from the line's start, both 1-based. */
static int parse_error(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;
	int line = 1, column = 1;

	if (p->err == NULL)
		return -1;
	if (at > p->len)
		at = p->len;
	for (size_t i = 0; i < at; i++) {
		unsigned char c = (unsigned char)p->text[i];

		if (c == '\n') {
			line++;
			column = 1;
		} else if ((c & 0xc0) != 0x80) {
			column++;
		}
	}
	p->err->line = line;
	p->err->column = column;
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
	va_end(ap);
	return -1;
}

/* A short, one-line rendering of user text for a message. */
static const char *shown(const char *s, char out[64])
{
	size_t len = strlen(s), n = len > 60 ? 57 : len;

	/* Cut long text at a character boundary before the ellipsis. */
	if (len > 60)
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (len > 60) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

/* Offset of the first byte that is not valid UTF-8, or len. */
static size_t utf8_invalid_at(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return i;
		}
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

static int lex(struct parser *p)
{
	const char *t = p->text;
	size_t i = p->pos;

	while (i < p->len && is_space(t[i]))
		i++;
	p->tok.start = i;
	if (i == p->len) {
		p->tok.type = TOK_END;
	} else if (t[i] == '(' || t[i] == ')') {
		p->tok.type = t[i] == '(' ? TOK_LPAREN : TOK_RPAREN;
		i++;
	} else {
		while (i < p->len && !is_space(t[i]) && t[i] != '(' && t[i] != ')') {
			if (t[i] == '"') {
				size_t open = i++;

				while (i < p->len && t[i] != '"')
					i += t[i] == '\\' && i + 1 < p->len ? 2 : 1;
				if (i >= p->len)
					return parse_error(p, open, "unterminated quote");
			}
			i++;
		}
		p->tok.type = TOK_TERM;
		if (i - p->tok.start == 1 && t[p->tok.start] == '*')
			p->tok.type = TOK_STAR;
		else if (i - p->tok.start == 2 && strncasecmp(t + p->tok.start, "or", 2) == 0)
			p->tok.type = TOK_OR;
	}
	p->tok.end = i;
	p->pos = i;
	return 0;
}

/* Reads a word at *i in the term ending at e: a quoted string, or bare text
 * up to the stop character. */
static int read_word(struct parser *p, size_t *i, size_t e, char stop, struct word *w)
{
	const char *t = p->text;
	size_t k = *i;

	buf_reset(&w->s);
	w->at = k;
	w->quoted = k < e && t[k] == '"';
	if (w->quoted) {
		/* The lexer saw the closing quote inside this term. */
		for (k++; t[k] != '"'; k++) {
			if (t[k] == '\\' && (t[k + 1] == '"' || t[k + 1] == '\\'))
				k++;
			buf_putc(&w->s, t[k]);
		}
		k++;
		if (k < e && t[k] != stop)
			return parse_error(p, k, "unexpected text after a closing quote");
	} else {
		for (; k < e && t[k] != stop; k++) {
			if (t[k] == '"')
				return parse_error(p, k, "unexpected '\"' (quote the whole word)");
			buf_putc(&w->s, t[k]);
		}
	}
	buf_str(&w->s);
	*i = k;
	return 0;
}

/* The strict number grammar [+-]digits[.digits][(e|E)[+-]digits], read in
 * the C locale whatever the process's locale is. Returns false if s is not
 * one; *out may then be infinite for a huge exponent. */
static bool number_parse(const char *s, double *out)
{
	const char *dp = localeconv()->decimal_point;
	char tmp[80];
	size_t i = 0, n = strlen(s), digits, used = 0;

	if (n == 0 || n > 60)
		return false;
	if (s[i] == '+' || s[i] == '-')
		i++;
	for (digits = 0; s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (digits == 0)
		return false;
	if (s[i] == '.') {
		for (i++, digits = 0; s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (digits == 0)
			return false;
	}
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		for (digits = 0; s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
		if (digits == 0)
			return false;
	}
	if (i != n)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && dp != NULL && strlen(dp) < 8) {
			memcpy(tmp + used, dp, strlen(dp));
			used += strlen(dp);
		} else {
			tmp[used++] = s[i];
		}
	}
	tmp[used] = '\0';
	*out = query_json_round_number(strtod(tmp, NULL));
	return true;
}

/* Formats x as the syntax and the wire write it: integers exactly, other
 * numbers with 15 significant digits, always with a '.' decimal point. */
static void number_format(double x, char out[64])
{
	char *c;

	if (x == trunc(x) && fabs(x) < 9007199254740992.0)
		snprintf(out, 64, "%.0f", x);
	else
		snprintf(out, 64, "%.15g", x);
	for (c = out; *c != '\0'; c++)
		if (*c == ',')
			*c = '.';
}

static int check_in_range(struct parser *p, const struct vocab_field *f, double x,
                          const char *as_written, size_t at)
{
	char lo[64], hi[64], tmp[64];

	if (x >= f->min && x <= f->max)
		return 0;
	number_format(f->min, lo);
	number_format(f->max, hi);
	return parse_error(p, at, "%s is outside the range of %s (%s..%s)", shown(as_written, tmp),
	                   f->alias, lo, hi);
}

/* One end of a range, or the number after a comparison. */
static int read_end(struct parser *p, const struct vocab_field *f, const char *s, size_t at,
                    const char *whole, double *out)
{
	char tmp[64];

	if (!number_parse(s, out)) {
		if (strstr(s, "..") != NULL || s[0] == '.' ||
		    (s[0] != '\0' && s[strlen(s) - 1] == '.'))
			return parse_error(p, at, "malformed range '%s'", shown(whole, tmp));
		return parse_error(p, at, "malformed number '%s'", shown(s, tmp));
	}
	return check_in_range(p, f, *out, s, at);
}

static int parse_numeric(struct parser *p, const struct vocab_field *f, const struct word *w,
                         struct num_value *nv)
{
	const char *s = buf_str(&w->s);
	const char *dots = strstr(s, "..");
	static const struct {
		const char *prefix;
		enum num_kind kind;
	} cmps[] = {
		{ ">=", NUM_RANGE }, { "<=", NUM_RANGE }, { ">", NUM_GREATER }, { "<", NUM_LOWER }
	};
	char tmp[64];

	memset(nv, 0, sizeof *nv);
	nv->a = f->min;
	nv->b = f->max;
	for (size_t i = 0; i < sizeof cmps / sizeof cmps[0]; i++) {
		size_t plen = strlen(cmps[i].prefix);
		double x;

		if (strncmp(s, cmps[i].prefix, plen) != 0)
			continue;
		if (s[plen] == '\0')
			return parse_error(p, w->at, "missing number after '%s'", cmps[i].prefix);
		if (read_end(p, f, s + plen, w->at, s, &x) != 0)
			return -1;
		nv->kind = cmps[i].kind;
		if (cmps[i].prefix[0] == '>' && plen == 2) {
			nv->a = x;
			nv->open_hi = true;
		} else if (plen == 2) {
			nv->b = x;
			nv->open_lo = true;
		} else if (cmps[i].prefix[0] == '>') {
			nv->a = x;
		} else {
			nv->b = x;
		}
		return 0;
	}
	if (dots != NULL) {
		char *left = xstrndup(s, (size_t)(dots - s));
		const char *right = dots + 2;
		int rc = 0;

		nv->kind = NUM_RANGE;
		nv->open_lo = left[0] == '\0';
		nv->open_hi = right[0] == '\0';
		if (nv->open_lo && nv->open_hi)
			rc =
			    parse_error(p, w->at,
			                "malformed range '%s' (give at least one end, e.g. %s:50.. "
			                "or %s:..70)",
			                shown(s, tmp), f->alias, f->alias);
		if (rc == 0 && !nv->open_lo)
			rc = read_end(p, f, left, w->at, s, &nv->a);
		if (rc == 0 && !nv->open_hi)
			rc = read_end(p, f, right, w->at, s, &nv->b);
		if (rc == 0 && nv->a > nv->b)
			rc = parse_error(p, w->at, "inverted range %s (min is above max)",
			                 shown(s, tmp));
		free(left);
		return rc;
	}
	if (number_parse(s, &nv->a)) {
		nv->kind = NUM_EXACT;
		nv->b = nv->a;
		return check_in_range(p, f, nv->a, s, w->at);
	}
	if (s[0] != '\0' && strchr("0123456789+-.", s[0]) != NULL)
		return parse_error(p, w->at, "malformed number '%s'", shown(s, tmp));
	return parse_error(p, w->at,
	                   "%s takes a number or a range (e.g. %s:50..70 or %s:>40), not '%s'",
	                   f->alias, f->alias, f->alias, shown(s, tmp));
}

static struct query_leaf *add_number_leaf(struct query_criterion *c, enum query_op op, double x)
{
	struct query_leaf *l = query_add_leaf(c, op);

	l->vtype = QUERY_VALUE_NUMBER;
	l->num = x;
	return l;
}

static void add_range_leaf(struct query_criterion *c, double a, double b)
{
	struct query_leaf *l = query_add_leaf(c, QUERY_BETWEEN);

	l->vtype = QUERY_VALUE_RANGE;
	l->min = a;
	l->max = b;
}

/* The leaves meaning nv, or its negation, in c. */
static void add_numeric_leaves(struct query_criterion *c, const struct vocab_field *f,
                               const struct num_value *nv, bool neg)
{
	switch (nv->kind) {
	case NUM_EXACT:
	case NUM_RANGE:
		if (!neg) {
			add_range_leaf(c, nv->a, nv->b);
			break;
		}
		if (!nv->open_lo)
			add_number_leaf(c, QUERY_LOWER_THAN, nv->a);
		if (!nv->open_hi)
			add_number_leaf(c, QUERY_GREATER_THAN, nv->b);
		break;
	case NUM_GREATER:
		if (neg)
			add_range_leaf(c, f->min, nv->a);
		else
			add_number_leaf(c, QUERY_GREATER_THAN, nv->a);
		break;
	case NUM_LOWER:
		if (neg)
			add_range_leaf(c, nv->b, f->max);
		else
			add_number_leaf(c, QUERY_LOWER_THAN, nv->b);
		break;
	}
}

/* The criterion the next value goes into: the term's one criterion, or a new
 * one per value for a negated term (NOT a AND NOT b). */
static struct query_criterion *value_criterion(struct parser *p, struct query_group *g,
                                               const struct vocab_field *f, bool neg, size_t *first,
                                               size_t at, size_t term_at)
{
	struct query_criterion *c;

	if (neg || *first == (size_t)-1) {
		if (g->n_criteria >= QUERY_MAX_CRITERIA) {
			parse_error(p, term_at, "too many criteria in one group (at most %d)",
			            QUERY_MAX_CRITERIA);
			return NULL;
		}
		query_add_criterion(g, f->key);
		*first = g->n_criteria - 1;
		return &g->criteria[*first];
	}
	c = &g->criteria[*first];
	if (c->n_leaves >= QUERY_MAX_LEAVES) {
		parse_error(p, at, "too many values for %s (at most %d)", f->alias,
		            QUERY_MAX_LEAVES);
		return NULL;
	}
	return c;
}

/* One value of a term at *i: adds its leaves to the group. */
static int parse_value(struct parser *p, struct query_group *g, const struct vocab_field *f,
                       bool neg, size_t *i, size_t e, size_t *first, size_t term_at)
{
	const char *t = p->text;
	struct word w = { BUF_INIT, 0, false };
	struct query_criterion *c;
	struct num_value nv;
	char tmp[64];
	int rc = -1, idx;

	if (t[*i] == '~') {
		size_t tilde = (*i)++;

		if (neg) {
			parse_error(p, tilde, "'~' (contains) cannot be negated");
			goto out;
		}
		if (*i == e || t[*i] == ',') {
			parse_error(p, *i, "missing value after '~'");
			goto out;
		}
		if (read_word(p, i, e, ',', &w) != 0)
			goto out;
		if ((c = value_criterion(p, g, f, neg, first, tilde, term_at)) == NULL)
			goto out;
		query_add_leaf(c, QUERY_CONTAINS)->str = buf_steal(&w.s);
		rc = 0;
		goto out;
	}
	if (read_word(p, i, e, ',', &w) != 0)
		goto out;
	if (f->type == VOCAB_NUMERIC) {
		if (parse_numeric(p, f, &w, &nv) != 0)
			goto out;
		if ((c = value_criterion(p, g, f, neg, first, w.at, term_at)) == NULL)
			goto out;
		add_numeric_leaves(c, f, &nv, neg);
		rc = 0;
		goto out;
	}
	if (!w.quoted && (buf_str(&w.s)[0] == '<' || buf_str(&w.s)[0] == '>' ||
	                  strstr(buf_str(&w.s), "..") != NULL)) {
		parse_error(p, w.at, "range or comparison on categorical field %s", f->alias);
		goto out;
	}
	idx = vocab_value_find(f, buf_str(&w.s));
	if (idx < 0) {
		const char *hint = vocab_suggest(p->v, f, buf_str(&w.s));

		if (hint != NULL)
			parse_error(p, w.at, "unknown value '%s' for %s (did you mean '%s'?)",
			            shown(buf_str(&w.s), tmp), f->alias, hint);
		else
			parse_error(p, w.at, "unknown value '%s' for %s", shown(buf_str(&w.s), tmp),
			            f->alias);
		goto out;
	}
	if ((c = value_criterion(p, g, f, neg, first, w.at, term_at)) == NULL)
		goto out;
	query_add_leaf(c, neg ? QUERY_NOT_EQUALS : QUERY_EQUALS)->str =
	    xstrdup(f->values[idx].code);
	rc = 0;
out:
	buf_free(&w.s);
	return rc;
}

/* A term `[-]field:value[,value...]` spanning the current token. */
static int parse_term(struct parser *p, struct query_group *g)
{
	const char *t = p->text;
	size_t s = p->tok.start, e = p->tok.end, i = s, first = (size_t)-1;
	struct word field = { BUF_INIT, 0, false };
	const struct vocab_field *f;
	bool neg = false;
	char tmp[64];
	int rc = -1;

	if (t[i] == '-') {
		neg = true;
		i++;
	}
	if (i == e) {
		parse_error(p, s, "missing field after '-'");
		goto out;
	}
	if (t[i] == ':') {
		parse_error(p, i, "missing field name before ':'");
		goto out;
	}
	if (read_word(p, &i, e, ':', &field) != 0)
		goto out;
	if (i == e) {
		parse_error(p, field.at,
		            "missing ':' after '%s' (a term is field:value, e.g. sex:male)",
		            shown(buf_str(&field.s), tmp));
		goto out;
	}
	i++;
	f = vocab_field_find(p->v, buf_str(&field.s));
	if (f == NULL) {
		const char *hint = vocab_suggest(p->v, NULL, buf_str(&field.s));

		if (hint != NULL)
			parse_error(p, field.at, "unknown field '%s' (did you mean '%s'?)",
			            shown(buf_str(&field.s), tmp), hint);
		else
			parse_error(p, field.at, "unknown field '%s'",
			            shown(buf_str(&field.s), tmp));
		goto out;
	}
	for (;;) {
		if (i == e || t[i] == ',') {
			parse_error(p, i, "missing value for %s", f->alias);
			goto out;
		}
		if (parse_value(p, g, f, neg, &i, e, &first, s) != 0)
			goto out;
		if (i == e)
			break;
		i++;
	}
	rc = 0;
out:
	buf_free(&field.s);
	return rc;
}

static struct query_group *start_group(struct parser *p)
{
	if (p->q->n_groups >= QUERY_MAX_GROUPS) {
		parse_error(p, p->tok.start, "too many groups (at most %d)", QUERY_MAX_GROUPS);
		return NULL;
	}
	return query_add_group(p->q);
}

/* A token that cannot start or continue a group here. */
static int unexpected(struct parser *p, bool in_parens)
{
	switch (p->tok.type) {
	case TOK_STAR:
		return parse_error(p, p->tok.start, "'*' (everything) must stand alone");
	case TOK_RPAREN:
		return parse_error(p, p->tok.start, "unexpected ')'");
	case TOK_LPAREN:
		if (in_parens)
			return parse_error(p, p->tok.start, "nested parentheses: " EXAMPLE_SHAPE);
		return parse_error(p, p->tok.start, "missing OR before '(': " EXAMPLE_SHAPE);
	case TOK_OR:
		if (in_parens)
			return parse_error(p, p->tok.start,
			                   "OR inside parentheses: " EXAMPLE_SHAPE);
		return parse_error(p, p->tok.start, "OR twice in a row");
	case TOK_TERM:
		return parse_error(p, p->tok.start, "missing OR after ')': " EXAMPLE_SHAPE);
	case TOK_END:
		break;
	}
	return parse_error(p, p->tok.start, "unexpected end of the query");
}

/* One group: `( term... )` or `term...`; stops at OR or the end. */
static int parse_group(struct parser *p)
{
	struct query_group *g;

	if (p->tok.type == TOK_LPAREN) {
		size_t open = p->tok.start;

		if (lex(p) != 0)
			return -1;
		if (p->tok.type == TOK_RPAREN)
			return parse_error(p, open, "empty group '()'");
		if (p->tok.type == TOK_END)
			return parse_error(p, open, "unclosed '('");
		if (p->tok.type != TOK_TERM)
			return unexpected(p, true);
		if ((g = start_group(p)) == NULL)
			return -1;
		while (p->tok.type == TOK_TERM) {
			if (parse_term(p, g) != 0 || lex(p) != 0)
				return -1;
		}
		if (p->tok.type == TOK_END)
			return parse_error(p, open, "unclosed '('");
		if (p->tok.type != TOK_RPAREN)
			return unexpected(p, true);
		if (lex(p) != 0)
			return -1;
		if (p->tok.type != TOK_OR && p->tok.type != TOK_END)
			return unexpected(p, false);
		return 0;
	}
	if (p->tok.type != TOK_TERM)
		return unexpected(p, false);
	if ((g = start_group(p)) == NULL)
		return -1;
	while (p->tok.type == TOK_TERM) {
		if (parse_term(p, g) != 0 || lex(p) != 0)
			return -1;
	}
	if (p->tok.type != TOK_OR && p->tok.type != TOK_END)
		return unexpected(p, false);
	return 0;
}

static int parse_query(struct parser *p)
{
	size_t bad = utf8_invalid_at(p->text, p->len);

	if (bad < p->len)
		return parse_error(p, bad, "the query is not valid UTF-8");
	if (lex(p) != 0)
		return -1;
	if (p->tok.type == TOK_END)
		return parse_error(p, 0, "empty query (use '*' for everything)");
	if (p->tok.type == TOK_STAR) {
		size_t star = p->tok.start;

		if (lex(p) != 0)
			return -1;
		if (p->tok.type != TOK_END)
			return parse_error(p, star, "'*' (everything) must stand alone");
		return 0;
	}
	if (p->tok.type == TOK_OR)
		return parse_error(p, p->tok.start, "OR at the start of the query");
	for (;;) {
		size_t or_at;

		if (parse_group(p) != 0)
			return -1;
		if (p->tok.type == TOK_END)
			return 0;
		or_at = p->tok.start;
		if (lex(p) != 0)
			return -1;
		if (p->tok.type == TOK_END)
			return parse_error(p, or_at, "OR at the end of the query");
		if (p->tok.type == TOK_OR)
			return parse_error(p, p->tok.start, "OR twice in a row");
	}
}

struct query *query_parse_text(const struct vocab *v, const char *text, struct query_error *err)
{
	struct parser p = { 0 };

	p.v = v;
	p.text = text != NULL ? text : "";
	p.len = strlen(p.text);
	p.err = err;
	if (p.len > QUERY_MAX_TEXT) {
		parse_error(&p, QUERY_MAX_TEXT, "query is too long (%zu bytes; at most %d)", p.len,
		            QUERY_MAX_TEXT);
		return NULL;
	}
	if (v == NULL) {
		parse_error(&p, 0, "no criteria vocabulary");
		return NULL;
	}
	p.q = query_new();
	if (parse_query(&p) != 0)
		query_free(&p.q);
	return p.q;
}

/* Printing. */

static bool word_needs_quotes(const char *s, bool value)
{
	if (s[0] == '\0')
		return true;
	if (value && (s[0] == '<' || s[0] == '>' || s[0] == '~' || strstr(s, "..") != NULL))
		return true;
	if (!value && s[0] == '-')
		return true;
	for (; *s != '\0'; s++)
		if (is_space(*s) || strchr(",():\"", *s) != NULL)
			return true;
	return false;
}

static void put_word(struct buf *b, const char *s, bool value)
{
	if (s == NULL)
		s = "";
	if (!word_needs_quotes(s, value)) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

static void put_number(struct buf *b, double x)
{
	char tmp[64];

	number_format(x, tmp);
	buf_puts(b, tmp);
}

static void put_code(struct buf *b, const struct vocab_field *f, const char *code)
{
	int idx = f != NULL && f->type == VOCAB_CATEGORICAL && code != NULL
	              ? vocab_value_by_code(f, code)
	              : -1;

	put_word(b, idx >= 0 ? f->values[idx].alias : code, true);
}

static void put_range(struct buf *b, const struct vocab_field *f, double lo, double hi)
{
	bool numeric = f != NULL && f->type == VOCAB_NUMERIC;

	if (numeric && isnan(lo))
		lo = f->min;
	if (numeric && isnan(hi))
		hi = f->max;
	if (!isnan(lo) && lo == hi) {
		put_number(b, lo);
	} else if (numeric && lo == f->min && !isnan(hi)) {
		buf_puts(b, "<=");
		put_number(b, hi);
	} else if (numeric && hi == f->max && !isnan(lo)) {
		buf_puts(b, ">=");
		put_number(b, lo);
	} else {
		if (!isnan(lo))
			put_number(b, lo);
		buf_puts(b, "..");
		if (!isnan(hi))
			put_number(b, hi);
	}
}

static void put_value(struct buf *b, const struct vocab_field *f, const struct query_leaf *l)
{
	switch (l->vtype) {
	case QUERY_VALUE_STRING:
		put_code(b, f, l->str);
		break;
	case QUERY_VALUE_NUMBER:
		put_number(b, l->num);
		break;
	case QUERY_VALUE_BOOL:
		buf_puts(b, l->boolean ? "true" : "false");
		break;
	case QUERY_VALUE_STRINGS:
		for (size_t i = 0; i < l->n_strs; i++) {
			if (i > 0)
				buf_putc(b, ',');
			put_code(b, f, l->strs[i]);
		}
		break;
	case QUERY_VALUE_RANGE:
		put_range(b, f, l->min, l->max);
		break;
	}
}

static void put_leaf(struct buf *b, const struct vocab_field *f, const struct query_leaf *l)
{
	switch (l->op) {
	case QUERY_LOWER_THAN:
		buf_putc(b, '<');
		break;
	case QUERY_GREATER_THAN:
		buf_putc(b, '>');
		break;
	case QUERY_CONTAINS:
		buf_putc(b, '~');
		break;
	case QUERY_NOT_EQUALS:
		buf_putc(b, '-');
		break;
	default:
		break;
	}
	put_value(b, f, l);
}

static bool is_single_not(const struct query_criterion *c)
{
	return c->n_leaves == 1 && c->leaves[0].op == QUERY_NOT_EQUALS &&
	       c->leaves[0].vtype == QUERY_VALUE_STRING;
}

static void put_group(struct buf *b, const struct vocab *v, const struct query_group *g)
{
	if (g->n_criteria == 0) {
		buf_putc(b, '*');
		return;
	}
	for (size_t i = 0; i < g->n_criteria;) {
		const struct query_criterion *c = &g->criteria[i];
		const struct vocab_field *f = v != NULL ? vocab_field_by_key(v, c->key) : NULL;

		if (i > 0)
			buf_putc(b, ' ');
		if (is_single_not(c)) {
			size_t j = i;

			buf_putc(b, '-');
			put_word(b, f != NULL ? f->alias : c->key, false);
			buf_putc(b, ':');
			/* A run of NOT a, NOT b on one field is -field:a,b. */
			for (; j < g->n_criteria && is_single_not(&g->criteria[j]) &&
			       strcmp(g->criteria[j].key, c->key) == 0;
			     j++) {
				if (j > i)
					buf_putc(b, ',');
				put_code(b, f, g->criteria[j].leaves[0].str);
			}
			i = j;
			continue;
		}
		put_word(b, f != NULL ? f->alias : c->key, false);
		buf_putc(b, ':');
		for (size_t k = 0; k < c->n_leaves; k++) {
			if (k > 0)
				buf_putc(b, ',');
			put_leaf(b, f, &c->leaves[k]);
		}
		i++;
	}
}

char *query_print_text(const struct vocab *v, const struct query *q)
{
	struct buf b = BUF_INIT;

	if (q == NULL || q->n_groups == 0)
		return xstrdup("*");
	for (size_t i = 0; i < q->n_groups; i++) {
		if (i > 0)
			buf_puts(&b, " OR ");
		if (q->n_groups > 1)
			buf_putc(&b, '(');
		put_group(&b, v, &q->groups[i]);
		if (q->n_groups > 1)
			buf_putc(&b, ')');
	}
	return buf_steal(&b);
}
