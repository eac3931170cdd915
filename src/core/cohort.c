/* The cohort model. Field-level edits are made as text in the query syntax
 * ("alias:values"), parsed by the one parser, so the builder and the query
 * line cannot disagree on what a cohort means. History keeps canonical
 * texts, which parse back to the same query. */
#include "config.h"

#include "core/cohort.h"

#include <stdlib.h>
#include <string.h>

#include "core/query_text.h"
#include "util/buf.h"
#include "util/xmalloc.h"

static void set_current(struct cohort *c, struct query *q)
{
	query_free(&c->query);
	free(c->text);
	c->query = q;
	c->text = query_print_text(c->vocab, q);
	query_hash(c->vocab, q, c->hash);
	c->version++;
}

struct cohort *cohort_new(const struct vocab *v)
{
	struct cohort *c = xcalloc(1, sizeof *c);

	c->vocab = v;
	set_current(c, query_new());
	return c;
}

static void free_texts(char **texts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
}

void cohort_free(struct cohort **cp)
{
	struct cohort *c = *cp;

	if (c == NULL)
		return;
	query_free(&c->query);
	free(c->text);
	free_texts(c->undo, c->n_undo);
	free_texts(c->redo, c->n_redo);
	free(c->undo);
	free(c->redo);
	free(c);
	*cp = NULL;
}

static void push_text(char ***stack, size_t *n, char *text)
{
	if (*n == COHORT_MAX_UNDO) {
		free((*stack)[0]);
		memmove(*stack, *stack + 1, (*n - 1) * sizeof **stack);
		(*n)--;
	}
	*stack = xreallocarray(*stack, *n + 1, sizeof **stack);
	(*stack)[(*n)++] = text;
}

/* Makes q (stolen) the cohort if it differs, as one undoable change. */
static void commit(struct cohort *c, struct query *q)
{
	char *text;

	query_canonicalize(c->vocab, q);
	text = query_print_text(c->vocab, q);
	if (strcmp(text, c->text) == 0) {
		free(text);
		query_free(&q);
		return;
	}
	free(text);
	push_text(&c->undo, &c->n_undo, xstrdup(c->text));
	free_texts(c->redo, c->n_redo);
	c->n_redo = 0;
	set_current(c, q);
}

/* Parses text of the cohort's own making; NULL only if it does not parse. */
static struct query *parse(const struct cohort *c, const char *text)
{
	struct query_error err;

	return query_parse_text(c->vocab, text, &err);
}

int cohort_set_text(struct cohort *c, const char *text, struct query_error *err)
{
	struct query *q = query_parse_text(c->vocab, text, err);

	if (q == NULL)
		return -1;
	commit(c, q);
	c->focus = 0;
	return 0;
}

void cohort_clear(struct cohort *c)
{
	commit(c, query_new());
	c->focus = 0;
}

static bool travel(struct cohort *c, char ***from, size_t *n_from, char ***to, size_t *n_to)
{
	struct query *q;

	if (*n_from == 0)
		return false;
	q = parse(c, (*from)[*n_from - 1]);
	if (q == NULL)
		return false;
	push_text(to, n_to, xstrdup(c->text));
	free((*from)[--*n_from]);
	set_current(c, q);
	if (c->focus >= c->query->n_groups)
		c->focus = 0;
	return true;
}

bool cohort_undo(struct cohort *c)
{
	return travel(c, &c->undo, &c->n_undo, &c->redo, &c->n_redo);
}

bool cohort_redo(struct cohort *c)
{
	return travel(c, &c->redo, &c->n_redo, &c->undo, &c->n_undo);
}

/* A copy of the cohort without f's criteria in group g (g may be the
 * index one past the last group: a new, empty group is added). */
static struct query *without_field(const struct cohort *c, size_t g, const struct vocab_field *f)
{
	struct query *q = query_copy(c->query);
	struct query_group *grp;

	if (g == q->n_groups)
		query_add_group(q);
	grp = &q->groups[g];
	for (size_t i = grp->n_criteria; i-- > 0;)
		if (strcmp(grp->criteria[i].key, f->key) == 0)
			query_remove_criterion(grp, i);
	return q;
}

/* Makes q (stolen) the cohort, following group g through canonical order
 * into c->focus. A group left without criteria is dropped: it would mean
 * everyone. */
static void commit_group(struct cohort *c, struct query *q, size_t g)
{
	struct query view = { &q->groups[g], 1 };
	struct query *edited = query_copy(&view);

	if (q->groups[g].n_criteria == 0)
		query_remove_group(q, g);
	commit(c, q);
	c->focus = 0;
	query_canonicalize(c->vocab, edited);
	for (size_t i = 0; i < c->query->n_groups; i++) {
		struct query mine = { &c->query->groups[i], 1 };

		if (edited->n_groups == 1 && query_equal(&mine, edited))
			c->focus = i;
	}
	query_free(&edited);
}

static int bad_group(const struct cohort *c, size_t g, struct query_error *err)
{
	if (g <= c->query->n_groups)
		return 0;
	if (err != NULL) {
		memset(err, 0, sizeof *err);
		snprintf(err->message, sizeof err->message, "there is no group %zu", g + 1);
	}
	return -1;
}

int cohort_set_field_text(struct cohort *c, size_t g, const struct vocab_field *f, const char *text,
                          struct query_error *err)
{
	const char *t = text + strspn(text, " ");
	bool negated = *t == '-';
	struct query *q, *parsed;
	struct buf term = BUF_INIT;
	size_t prefix;

	memset(err, 0, sizeof *err);
	if (bad_group(c, g, err) != 0)
		return -1;
	q = without_field(c, g, f);
	if (*t == '\0') {
		commit_group(c, q, g);
		return 0;
	}
	buf_printf(&term, "%s%s:", negated ? "-" : "", f->alias);
	prefix = term.len - (negated ? 1 : 0);
	buf_puts(&term, negated ? t + 1 : t);
	parsed = query_parse_text(c->vocab, buf_str(&term), err);
	buf_free(&term);
	if (parsed == NULL) {
		/* Point at the column in the caller's text. */
		err->column = err->column > (int)prefix ? err->column - (int)prefix : 1;
		query_free(&q);
		return -1;
	}
	for (size_t i = 0; i < parsed->groups[0].n_criteria; i++) {
		struct query_criterion *from = &parsed->groups[0].criteria[i];
		struct query_criterion *to = query_add_criterion(&q->groups[g], from->key);

		to->leaves = from->leaves;
		to->n_leaves = from->n_leaves;
		from->leaves = NULL;
		from->n_leaves = 0;
	}
	query_free(&parsed);
	commit_group(c, q, g);
	return 0;
}

void cohort_field_view(const struct cohort *c, size_t g, const struct vocab_field *f,
                       struct cohort_field_view *out)
{
	memset(out, 0, sizeof *out);
	if (g >= c->query->n_groups)
		return;
	for (size_t i = 0; i < c->query->groups[g].n_criteria; i++) {
		const struct query_criterion *crit = &c->query->groups[g].criteria[i];

		if (strcmp(crit->key, f->key) != 0)
			continue;
		out->present = true;
		for (size_t l = 0; l < crit->n_leaves; l++) {
			const struct query_leaf *leaf = &crit->leaves[l];
			int v = leaf->vtype == QUERY_VALUE_STRING
			            ? vocab_value_by_code(f, leaf->str)
			            : -1;

			if (leaf->op == QUERY_NOT_EQUALS)
				out->negated = true;
			if (v >= 0)
				out->selected[v] = true;
		}
	}
}

char *cohort_field_text(const struct cohort *c, size_t g, const struct vocab_field *f)
{
	struct query *only = query_new();
	struct query_group *grp = query_add_group(only);
	char *text, *colon;

	if (g < c->query->n_groups) {
		struct query view = { &c->query->groups[g], 1 };
		struct query *copy = query_copy(&view);

		for (size_t i = 0; i < copy->groups[0].n_criteria; i++) {
			struct query_criterion *from = &copy->groups[0].criteria[i];
			struct query_criterion *to;

			if (strcmp(from->key, f->key) != 0)
				continue;
			to = query_add_criterion(grp, from->key);
			to->leaves = from->leaves;
			to->n_leaves = from->n_leaves;
			from->leaves = NULL;
			from->n_leaves = 0;
		}
		query_free(&copy);
	}
	if (grp->n_criteria == 0) {
		query_free(&only);
		return xstrdup("");
	}
	/* "[-]alias:values" without the alias, keeping the minus. */
	text = query_print_text(c->vocab, only);
	colon = strchr(text, ':');
	if (colon != NULL)
		memmove(text + (text[0] == '-' ? 1 : 0), colon + 1, strlen(colon + 1) + 1);
	query_free(&only);
	return text;
}

/* The values text of a categorical field with value v toggled. */
static char *toggled_values(const struct cohort *c, size_t g, const struct vocab_field *f, size_t v)
{
	struct cohort_field_view view;
	struct buf b = BUF_INIT;

	cohort_field_view(c, g, f, &view);
	view.selected[v] = !view.selected[v];
	for (size_t k = 0; k < f->n_values; k++) {
		if (!view.selected[k])
			continue;
		buf_puts(&b, b.len == 0 ? (view.negated ? "-" : "") : ",");
		buf_printf(&b, "\"%s\"", f->values[k].code);
	}
	return buf_steal(&b);
}

int cohort_toggle_value(struct cohort *c, size_t g, const struct vocab_field *f, size_t value)
{
	struct query_error err;
	char *text;
	int rc;

	if (f->type != VOCAB_CATEGORICAL || value >= f->n_values || bad_group(c, g, NULL) != 0)
		return -1;
	text = toggled_values(c, g, f, value);
	rc = cohort_set_field_text(c, g, f, text, &err);
	free(text);
	return rc;
}

int cohort_negate(struct cohort *c, size_t g, const struct vocab_field *f)
{
	struct cohort_field_view view;
	struct query_error err;
	struct buf b = BUF_INIT;
	int rc;

	if (f->type != VOCAB_CATEGORICAL || bad_group(c, g, NULL) != 0)
		return -1;
	cohort_field_view(c, g, f, &view);
	if (!view.present)
		return -1;
	for (size_t k = 0; k < f->n_values; k++) {
		if (!view.selected[k])
			continue;
		buf_puts(&b, b.len == 0 ? (view.negated ? "" : "-") : ",");
		buf_printf(&b, "\"%s\"", f->values[k].code);
	}
	rc = cohort_set_field_text(c, g, f, buf_str(&b), &err);
	buf_free(&b);
	return rc;
}

int cohort_clear_field(struct cohort *c, size_t g, const struct vocab_field *f)
{
	struct query_error err;

	if (bad_group(c, g, NULL) != 0 || g == c->query->n_groups)
		return -1;
	return cohort_set_field_text(c, g, f, "", &err);
}

int cohort_remove_group(struct cohort *c, size_t g)
{
	struct query *q;

	if (g >= c->query->n_groups)
		return -1;
	q = query_copy(c->query);
	query_remove_group(q, g);
	commit(c, q);
	c->focus = 0;
	return 0;
}
