/* The cohort builder: the researcher picks criteria field by field and
 * watches the counts at every site change as they do. The cohort's text,
 * hash and live total are on top; the vocabulary's fields, grouped as the
 * vocabulary groups them, are on the left; the values (or bins) of the
 * field under the cursor, each with what choosing it would give, are on
 * the right. Edits go through the cohort model (one undoable change each)
 * and then app_cohort_changed; the screen keeps nothing of the cohort but
 * the OR group it is editing and the field texts of that group, made once
 * per change. It never parses or counts anything itself. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cohort.h"
#include "core/query.h"
#include "core/vocab.h"
#include "screens/app.h"
#include "client/counts.h"
#include "screens/screen.h"
#include "ui/actions.h"
#include "ui/canvas.h"
#include "ui/keys.h"
#include "util/format.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define NO_FIELD      SIZE_MAX
#define WHEEL_LINES   3
#define NARROW_COLS   60 /* below this, one pane at a time */
#define LEFT_MIN      28
#define LEFT_MAX      40
#define COUNT_WIDTH   10 /* "≈1,234,567" */
#define MARK_WIDTH    4  /* "[x] " */
#define LABEL_KEEP    8  /* cells of a field's label kept beside its text */
#define RIGHT_ROW_MAX 60 /* a value's count stays near its label */

#define ELLIPSIS_UTF8 "\xe2\x80\xa6"
#define APPROX_UTF8   "\xe2\x89\x88"
#define BULLET_UTF8   "\xe2\x80\xa2"
#define VLINE_UTF8    "\xe2\x94\x82"

static const char strict_warning[] = "Some sites accept only one AND-group with one value per "
                                     "criterion: they may drop this query.";

static const char cells_note[] = "Noisy, rounded counts: cells need not add up.";

enum pane {
	PANE_LEFT,
	PANE_RIGHT,
};

/* A row of the left pane: a group heading or a field. */
struct left_row {
	size_t field;      /* index in the vocabulary, or NO_FIELD for a heading */
	const char *label; /* the heading's or the field's, borrowed from the vocabulary */
};

/* A scrolling list and where it was drawn last (for the mouse). */
struct list {
	size_t cursor, top;
	int y, x, w, rows; /* rows 0: not shown */
};

struct builder_state {
	const struct vocab *vocab; /* borrowed from the cohort */
	struct left_row *rows;     /* headings and fields, made at enter */
	size_t n_rows;
	struct list left, right; /* left.cursor is always on a field row */
	enum pane focus;
	size_t group;          /* the OR group edits go to; n_groups: a new one */
	unsigned long version; /* the cohort version group and texts follow */
	/* cohort_field_text of each field in texts_group (NULL: no criterion),
	 * made when the cohort or the group changes, not at every draw. */
	char *texts[VOCAB_MAX_FIELDS];
	size_t texts_group;
	bool texts_valid;
	char error[320]; /* the last prompt error, borrowed by the app */
};

/* Sizes and text. */

static int text_width(const char *text)
{
	return (int)utf8_width(text);
}

/* text (tw cells) in width cells from (y, x), cut with an ellipsis when it
 * does not fit. Nothing is drawn in less than one cell (ui_put would take
 * that as "to the edge"). Returns the cells used. */
static int put_cut(struct ui_canvas *c, int y, int x, int width, enum ui_style style,
                   const char *text, int tw)
{
	int used;

	if (width < 1)
		return 0;
	if (tw <= width)
		return ui_put(c, y, x, width, style, text);
	used = width > 1 ? ui_put(c, y, x, width - 1, style, text) : 0;
	return used + ui_put(c, y, x + used, 1, style, c->utf8 ? ELLIPSIS_UTF8 : "~");
}

static void fill(struct ui_canvas *c, int y, int x, int width, enum ui_style style)
{
	if (width >= 1)
		ui_put_fill(c, y, x, width, style, "");
}

static const char *approx_mark(const struct ui_canvas *c, bool exact)
{
	return exact ? "" : c->utf8 ? APPROX_UTF8 : "~";
}

/* The cohort and the group being edited. */

static size_t n_groups(const struct app *app)
{
	return app->cohort->query->n_groups;
}

static const struct vocab_field *field_at(const struct builder_state *s, size_t row)
{
	if (row >= s->n_rows || s->rows[row].field == NO_FIELD)
		return NULL;
	return &s->vocab->fields[s->rows[row].field];
}

static const struct vocab_field *current_field(const struct builder_state *s)
{
	return field_at(s, s->left.cursor);
}

static void texts_clear(struct builder_state *s)
{
	for (size_t i = 0; i < VOCAB_MAX_FIELDS; i++) {
		free(s->texts[i]);
		s->texts[i] = NULL;
	}
	s->texts_valid = false;
}

/* After any change to the cohort (ours, undo, the query line) the group
 * follows the cohort's focus: canonical order may have moved it. */
static void sync_cohort(struct app *app, struct builder_state *s)
{
	const struct cohort *co = app->cohort;
	size_t n = n_groups(app);

	if (s->version == co->version && s->group <= n)
		return;
	s->version = co->version;
	s->group = co->focus < n ? co->focus : n > 0 ? n - 1 : 0;
	texts_clear(s);
}

/* What the current group says of f; nothing for a group not made yet. */
static void field_view(const struct app *app, const struct builder_state *s,
                       const struct vocab_field *f, struct cohort_field_view *v)
{
	memset(v, 0, sizeof *v);
	if (s->group < n_groups(app))
		cohort_field_view(app->cohort, s->group, f, v);
}

static void texts_update(const struct app *app, struct builder_state *s)
{
	if (s->texts_valid && s->texts_group == s->group)
		return;
	texts_clear(s);
	for (size_t i = 0; i < s->vocab->n_fields && i < VOCAB_MAX_FIELDS; i++) {
		const struct vocab_field *f = &s->vocab->fields[i];
		struct cohort_field_view v;

		field_view(app, s, f, &v);
		if (v.present)
			s->texts[i] = cohort_field_text(app->cohort, s->group, f);
	}
	s->texts_group = s->group;
	s->texts_valid = true;
}

static const char *field_text(const struct builder_state *s, const struct vocab_field *f)
{
	return f->index < VOCAB_MAX_FIELDS && s->texts[f->index] != NULL ? s->texts[f->index] : "";
}

/* Every edit ends here: a refused one says why, an accepted one asks the
 * sites to count again. */
static void edited(struct app *app, struct builder_state *s, int rc, const char *refusal)
{
	if (rc != 0) {
		app_status(app, true, "%s", refusal);
		return;
	}
	app_cohort_changed(app);
	sync_cohort(app, s);
}

/* The counts. */

struct totals {
	bool current; /* the counts are for this cohort */
	bool done;    /* and every site has answered or failed */
	bool exact;   /* every answer was exact */
	size_t answered, failed;
};

static void totals_get(const struct app *app, struct totals *t)
{
	const struct counts *k = app->counts;

	memset(t, 0, sizeof *t);
	if (k == NULL || !k->asked)
		return;
	t->current = k->version == app->cohort->version;
	for (size_t i = 0; i < k->n_sites; i++) {
		t->answered += k->sites[i].state == COUNTS_ANSWERED;
		t->failed += counts_site_failed(&k->sites[i]);
	}
	t->done = t->current && counts_done(k);
	if (t->current)
		counts_subjects(k, &t->exact);
}

/* The line under the cohort text: the total, or how far counting got. */
static void draw_total(struct app *app, struct ui_canvas *c, int y, int cols,
                       const struct totals *t)
{
	const struct counts *k = app->counts;
	const char *dots = c->utf8 ? ELLIPSIS_UTF8 : "...";
	char line[256], subjects[32], studies[32];
	enum ui_style style = UI_STYLE_ACCENT;

	if (k == NULL || !k->asked) {
		snprintf(line, sizeof line, "Not counted yet");
		style = UI_STYLE_MUTED;
	} else if (!t->current || t->answered == 0) {
		if (t->done)
			snprintf(line, sizeof line, "No site answered (%zu failed)", t->failed);
		else
			snprintf(line, sizeof line, "counting%s (%zu of %zu sites)", dots,
			         t->current ? t->answered + t->failed : 0, k->n_sites);
		style = t->done ? UI_STYLE_ERROR : UI_STYLE_MUTED;
	} else {
		uint64_t n_subjects = counts_subjects(k, NULL), n_studies = counts_studies(k);
		int n;

		/* Zero is exact whatever the rule: a site reports no one as 0. */
		format_count((long long)n_subjects, subjects, sizeof subjects);
		format_count((long long)n_studies, studies, sizeof studies);
		n = snprintf(line, sizeof line, "%s%s subjects, %s%s studies",
		             n_subjects > 0 ? approx_mark(c, t->exact) : "", subjects,
		             n_studies > 0 ? approx_mark(c, t->exact) : "", studies);
		/* Where they came from gives way on a narrow screen. */
		if (n > 0 && (size_t)n < sizeof line) {
			size_t m = (size_t)n;

			m += (size_t)snprintf(line + m, sizeof line - m, " at %zu of %zu sites",
			                      t->answered, k->n_sites);
			if (m < sizeof line && t->failed > 0)
				m += (size_t)snprintf(line + m, sizeof line - m, " (%zu failed)",
				                      t->failed);
			else if (m < sizeof line && !t->done)
				m += (size_t)snprintf(line + m, sizeof line - m, ", counting%s",
				                      dots);
			if (m < sizeof line && text_width(line) > cols)
				line[n] = '\0';
		}
		if (!t->done)
			style = UI_STYLE_MUTED;
	}
	put_cut(c, y, 0, cols, style, line, text_width(line));
}

/* One cell of a stratifier as the right pane shows it. */
static const char *cell_text(const struct app *app, const struct ui_canvas *c,
                             const struct totals *t, const struct vocab_field *f, const char *code,
                             char *buf, size_t size, uint64_t *n)
{
	char num[32];

	*n = 0;
	if (!t->current || t->answered == 0)
		return t->done ? "?" : c->utf8 ? ELLIPSIS_UTF8 : "...";
	*n = counts_stratum(app->counts, f->stratifier_key, code);
	format_count((long long)*n, num, sizeof num);
	snprintf(buf, size, "%s%s", *n > 0 ? approx_mark(c, t->exact) : "", num);
	return buf;
}

/* The left pane. */

static void build_rows(struct builder_state *s)
{
	const struct vocab *v = s->vocab;
	size_t n = 0;
	bool *placed = xcalloc(v->n_fields > 0 ? v->n_fields : 1, sizeof *placed);
	bool orphans = false;

	s->rows = xcalloc(v->n_groups + v->n_fields + 1, sizeof *s->rows);
	for (size_t g = 0; g < v->n_groups; g++) {
		size_t heading = n;

		s->rows[n++] = (struct left_row){ NO_FIELD, v->groups[g].label };
		for (size_t i = 0; i < v->n_fields; i++) {
			if (placed[i] || v->fields[i].group == NULL ||
			    strcmp(v->fields[i].group, v->groups[g].id) != 0)
				continue;
			s->rows[n++] = (struct left_row){ i, v->fields[i].label };
			placed[i] = true;
		}
		if (n == heading + 1) /* a group without fields shows nothing */
			n--;
	}
	for (size_t i = 0; i < v->n_fields; i++)
		orphans |= !placed[i];
	if (orphans) {
		s->rows[n++] = (struct left_row){ NO_FIELD, "Other" };
		for (size_t i = 0; i < v->n_fields; i++)
			if (!placed[i])
				s->rows[n++] = (struct left_row){ i, v->fields[i].label };
	}
	s->n_rows = n;
	free(placed);
}

static size_t list_length(const struct builder_state *s, enum pane p)
{
	const struct vocab_field *f;

	if (p == PANE_LEFT)
		return s->n_rows;
	f = current_field(s);
	if (f == NULL)
		return 0;
	return f->type == VOCAB_CATEGORICAL ? f->n_values : f->n_bins;
}

static struct list *pane_list(struct builder_state *s, enum pane p)
{
	return p == PANE_LEFT ? &s->left : &s->right;
}

static size_t page_of(const struct list *l)
{
	return l->rows > 0 ? (size_t)l->rows : 10;
}

/* Keeps the cursor in the list and in view. On the left it sits on a
 * field, and the heading above a group's first field stays in view. */
static void clamp(struct builder_state *s, enum pane p, int dir)
{
	struct list *l = pane_list(s, p);
	size_t n = list_length(s, p), page = page_of(l);

	if (n == 0) {
		l->cursor = l->top = 0;
		return;
	}
	if (l->cursor >= n)
		l->cursor = n - 1;
	if (p == PANE_LEFT && s->rows[l->cursor].field == NO_FIELD) {
		size_t c = l->cursor;

		/* Step the way we were going; at an end, turn back. */
		while (dir >= 0 && c < n && s->rows[c].field == NO_FIELD)
			c++;
		if (c >= n || s->rows[c].field == NO_FIELD) {
			c = l->cursor;
			while (c > 0 && s->rows[c].field == NO_FIELD)
				c--;
			if (s->rows[c].field == NO_FIELD)
				while (c + 1 < n && s->rows[c].field == NO_FIELD)
					c++;
		}
		l->cursor = c;
	}
	if (l->top > l->cursor)
		l->top = l->cursor;
	if (p == PANE_LEFT && l->top == l->cursor && l->top > 0 &&
	    s->rows[l->top - 1].field == NO_FIELD && page > 1)
		l->top--;
	if (l->cursor >= l->top + page)
		l->top = l->cursor - page + 1;
	if (n > page && l->top > n - page)
		l->top = n - page;
	else if (n <= page)
		l->top = 0;
}

/* The right pane shows another field: its list starts at the top. */
static void left_moved(struct builder_state *s, size_t before)
{
	if (s->left.cursor != before)
		s->right.cursor = s->right.top = 0;
}

static void move_cursor(struct builder_state *s, enum pane p, long delta)
{
	struct list *l = pane_list(s, p);
	size_t before = s->left.cursor;

	if (delta < 0)
		l->cursor = (size_t)-delta > l->cursor ? 0 : l->cursor - (size_t)-delta;
	else
		l->cursor += (size_t)delta;
	clamp(s, p, delta < 0 ? -1 : 1);
	if (p == PANE_LEFT)
		left_moved(s, before);
}

/* Scrolls the view; the cursor moves only when it would leave it, and
 * the view stays where the wheel put it unless the cursor needs it. */
static void scroll_view(struct builder_state *s, enum pane p, long delta)
{
	struct list *l = pane_list(s, p);
	size_t n = list_length(s, p), page = page_of(l), max = n > page ? n - page : 0;
	size_t before = s->left.cursor;
	int dir = 1;

	if (delta < 0)
		l->top = (size_t)-delta > l->top ? 0 : l->top - (size_t)-delta;
	else
		l->top = l->top + (size_t)delta > max ? max : l->top + (size_t)delta;
	if (l->cursor < l->top) {
		l->cursor = l->top;
	} else if (l->cursor >= l->top + page) {
		l->cursor = l->top + page - 1;
		dir = -1;
	}
	if (n > 0 && l->cursor >= n)
		l->cursor = n - 1;
	if (p == PANE_LEFT && n > 0 && s->rows[l->cursor].field == NO_FIELD) {
		size_t c = l->cursor;

		if (dir > 0)
			while (c + 1 < n && s->rows[c].field == NO_FIELD)
				c++;
		else
			while (c > 0 && s->rows[c].field == NO_FIELD)
				c--;
		l->cursor = c;
		if (l->cursor < l->top || l->cursor >= l->top + page)
			clamp(s, p, dir);
	}
	if (p == PANE_LEFT)
		left_moved(s, before);
}

static void draw_left_row(struct app *app, struct builder_state *s, struct ui_canvas *c, int y,
                          size_t row)
{
	const struct list *l = &s->left;
	const struct left_row *r = &s->rows[row];
	const struct vocab_field *f;
	const char *text;
	enum ui_style style;
	int avail, lw, tw, shown = 0;

	if (r->field == NO_FIELD) {
		fill(c, y, l->x, l->w, UI_STYLE_HEADER);
		put_cut(c, y, l->x, l->w, UI_STYLE_HEADER, r->label, text_width(r->label));
		return;
	}
	f = &s->vocab->fields[r->field];
	text = field_text(s, f);
	if (row == l->cursor)
		style = s->focus == PANE_LEFT ? UI_STYLE_CURSOR : UI_STYLE_ACCENT;
	else
		style = *text != '\0' ? UI_STYLE_MARKED : UI_STYLE_NORMAL;
	fill(c, y, l->x, l->w, style);
	if (*text != '\0' && l->w >= 1)
		ui_put(c, y, l->x, 1, style, c->utf8 ? BULLET_UTF8 : "*");
	avail = l->w - 3; /* the mark and a blank before, a blank after */
	lw = text_width(r->label);
	tw = text_width(text);
	if (tw > 0) {
		int tmax = avail - 1 - (lw < LABEL_KEEP ? lw : LABEL_KEEP);

		shown = tw < tmax ? tw : tmax;
		if (shown >= 1)
			put_cut(c, y, l->x + 2 + avail - shown, shown, style, text, tw);
		else
			shown = 0;
	}
	put_cut(c, y, l->x + 2, avail - (shown > 0 ? shown + 1 : 0), style, r->label, lw);
}

static void draw_left(struct app *app, struct builder_state *s, struct ui_canvas *c)
{
	const struct list *l = &s->left;

	if (s->n_rows == 0 && l->rows > 0)
		put_cut(c, l->y, l->x, l->w, UI_STYLE_WARNING, "The vocabulary has no criteria",
		        30);
	for (int i = 0; i < l->rows && l->top + (size_t)i < s->n_rows; i++)
		draw_left_row(app, s, c, l->y + i, l->top + (size_t)i);
}

/* The right pane. */

static const char *unit_suffix(const struct vocab_field *f, char *buf, size_t size)
{
	if (f->unit == NULL || *f->unit == '\0')
		return "";
	snprintf(buf, size, " %s", f->unit);
	return buf;
}

/* The current range of a numeric field in the group, for marking bins. */
static void field_range(const struct app *app, const struct builder_state *s,
                        const struct vocab_field *f, double *lo, double *hi, bool *any)
{
	const struct query_group *g;

	*lo = INFINITY;
	*hi = -INFINITY;
	*any = false;
	if (s->group >= n_groups(app))
		return;
	g = &app->cohort->query->groups[s->group];
	for (size_t i = 0; i < g->n_criteria; i++) {
		const struct query_criterion *cr = &g->criteria[i];

		if (strcmp(cr->key, f->key) != 0)
			continue;
		for (size_t j = 0; j < cr->n_leaves; j++) {
			const struct query_leaf *leaf = &cr->leaves[j];
			double a = f->min, b = f->max;

			if (leaf->vtype == QUERY_VALUE_RANGE) {
				a = isnan(leaf->min) ? f->min : leaf->min;
				b = isnan(leaf->max) ? f->max : leaf->max;
			} else if (leaf->op == QUERY_GREATER_THAN) {
				a = leaf->num;
			} else if (leaf->op == QUERY_LOWER_THAN) {
				b = leaf->num;
			} else {
				continue;
			}
			*lo = a < *lo ? a : *lo;
			*hi = b > *hi ? b : *hi;
			*any = true;
		}
	}
}

static void draw_right_header(struct app *app, struct builder_state *s, struct ui_canvas *c, int y,
                              int x, int w, int rows, const struct vocab_field *f)
{
	char unit[64], line[256];
	const char *text = field_text(s, f);
	struct cohort_field_view v;

	if (rows < 1)
		return;
	if (f->unit != NULL && *f->unit != '\0')
		snprintf(line, sizeof line, "%s (%s)", f->label, f->unit);
	else
		snprintf(line, sizeof line, "%s", f->label);
	fill(c, y, x, w, UI_STYLE_HEADER);
	put_cut(c, y, x, w, UI_STYLE_HEADER, line, text_width(line));
	if (rows < 2)
		return;
	field_view(app, s, f, &v);
	if (f->type == VOCAB_NUMERIC) {
		if (*text != '\0')
			snprintf(line, sizeof line, "Range %s%s  (Enter changes it)", text,
			         unit_suffix(f, unit, sizeof unit));
		else
			snprintf(line, sizeof line, "Any value  (Enter sets a range: 50..70, >40)");
	} else if (!v.present) {
		snprintf(line, sizeof line, "Any value  (Space chooses)");
	} else if (v.negated) {
		snprintf(line, sizeof line, "None of these: %s", text);
	} else {
		snprintf(line, sizeof line, "One of these: %s", text);
	}
	put_cut(c, y + 1, x, w, v.present ? UI_STYLE_MARKED : UI_STYLE_MUTED, line,
	        text_width(line));
}

static void draw_value_row(struct app *app, struct builder_state *s, struct ui_canvas *c, int y,
                           size_t pos, const struct vocab_field *f,
                           const struct cohort_field_view *v, const struct totals *t, double lo,
                           double hi, bool ranged)
{
	const struct list *l = &s->right;
	int x = l->x, w = l->w < RIGHT_ROW_MAX ? l->w : RIGHT_ROW_MAX;
	char buf[48], unit[64], label[256];
	const char *count, *mark;
	bool chosen;
	enum ui_style style;
	uint64_t n;
	int count_w, cw, label_w;

	if (f->type == VOCAB_CATEGORICAL) {
		chosen = v->present && pos < VOCAB_MAX_VALUES && v->selected[pos];
		mark = !chosen ? "[ ] " : v->negated ? "[-] " : "[x] ";
		snprintf(label, sizeof label, "%s", f->values[pos].label);
		count = cell_text(app, c, t, f, f->values[pos].code, buf, sizeof buf, &n);
	} else {
		const struct vocab_bin *b = &f->bins[pos];

		chosen = ranged && b->min <= hi && b->max > lo;
		mark = !chosen ? "    " : c->utf8 ? " " BULLET_UTF8 "  " : " *  ";
		snprintf(label, sizeof label, "%s%s", b->label, unit_suffix(f, unit, sizeof unit));
		count = cell_text(app, c, t, f, b->label, buf, sizeof buf, &n);
	}
	if (pos == l->cursor && s->focus == PANE_RIGHT)
		style = UI_STYLE_CURSOR;
	else if (chosen)
		style = UI_STYLE_MARKED;
	else if (n == 0)
		style = UI_STYLE_MUTED;
	else
		style = UI_STYLE_NORMAL;
	if (w < 1)
		return;
	fill(c, y, x, w, style);
	ui_put(c, y, x, w < MARK_WIDTH ? w : MARK_WIDTH, style, mark);
	cw = text_width(count);
	count_w = w - MARK_WIDTH - 1 >= COUNT_WIDTH + 4 ? COUNT_WIDTH : 0;
	if (count_w > 0 && cw <= count_w)
		ui_put_right(c, y, x + w - count_w, count_w, style, count);
	label_w = w - MARK_WIDTH - (count_w > 0 ? count_w + 1 : 0);
	put_cut(c, y, x + MARK_WIDTH, label_w, style, label, text_width(label));
}

/* The right pane: the field's name and criterion, then its values or
 * bins; only the rows in view are drawn. */
static void draw_right(struct app *app, struct builder_state *s, struct ui_canvas *c, int y, int x,
                       int w, int rows, const struct totals *t)
{
	const struct vocab_field *f = current_field(s);
	struct cohort_field_view v;
	double lo = 0, hi = 0;
	bool ranged = false;
	int head = rows >= 4 ? 2 : rows >= 2 ? 1 : 0;
	size_t n;

	s->right.x = x;
	s->right.w = w;
	s->right.y = y + head;
	s->right.rows = rows - head;
	if (f == NULL || rows < 1) {
		s->right.rows = 0;
		return;
	}
	draw_right_header(app, s, c, y, x, w, head, f);
	clamp(s, PANE_RIGHT, 0);
	field_view(app, s, f, &v);
	if (f->type == VOCAB_NUMERIC)
		field_range(app, s, f, &lo, &hi, &ranged);
	n = list_length(s, PANE_RIGHT);
	for (int i = 0; i < s->right.rows && s->right.top + (size_t)i < n; i++)
		draw_value_row(app, s, c, s->right.y + i, s->right.top + (size_t)i, f, &v, t, lo,
		               hi, ranged);
	/* PROTOCOL.md §8: each cell is protected on its own. */
	if (t->current && t->answered > 0 && !t->exact && s->right.top == 0 &&
	    n + 2 <= (size_t)s->right.rows)
		put_cut(c, s->right.y + (int)n + 1, x, w, UI_STYLE_MUTED, cells_note,
		        text_width(cells_note));
}

/* The top: cohort text and hash, the total, the shape warning, the group. */

/* Word-wraps text over at most max_lines rows from y; the last is cut with
 * an ellipsis. Returns the rows used. */
static int put_wrapped(struct ui_canvas *c, int y, int width, int max_lines, enum ui_style style,
                       const char *text)
{
	int used = 0;

	while (*text != '\0' && used < max_lines && width >= 1) {
		size_t len = strlen(text), cut = len;
		char line[512];

		if (used + 1 < max_lines && text_width(text) > width) {
			/* The last blank before the width: ASCII text, so bytes are cells. */
			cut = (size_t)width < len ? (size_t)width : len;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = (size_t)width;
		}
		snprintf(line, sizeof line, "%.*s", (int)cut, text);
		put_cut(c, y + used, 0, width, style, line, text_width(line));
		used++;
		text += cut;
		while (*text == ' ')
			text++;
	}
	return used;
}

static int draw_top(struct app *app, struct builder_state *s, struct ui_canvas *c,
                    struct screen_area area, const struct totals *t)
{
	const struct cohort *co = app->cohort;
	size_t n = n_groups(app);
	int y = area.top, end = area.top + area.rows, cols = area.cols, text_w = cols;
	char hash[16], line[256];

	if (y >= end)
		return y;
	snprintf(hash, sizeof hash, "#%.8s", co->hash);
	/* The hash gives way to the text on a narrow screen. */
	if (cols >= NARROW_COLS ||
	    (cols >= 20 && text_width(co->text) + (int)strlen(hash) + 2 <= cols)) {
		text_w = cols - (int)strlen(hash) - 2;
		ui_put(c, y, cols - (int)strlen(hash), (int)strlen(hash), UI_STYLE_MUTED, hash);
	}
	{
		int used =
		    put_cut(c, y, 0, text_w, UI_STYLE_ACCENT, co->text, text_width(co->text));

		if (n == 0 && text_w - used > 3)
			put_cut(c, y, used + 2, text_w - used - 2, UI_STYLE_MUTED,
			        "everyone: choose criteria below", 31);
	}
	if (++y >= end)
		return y;
	draw_total(app, c, y, cols, t);
	if (++y >= end)
		return y;
	if (!query_shape_is_strict(co->query)) {
		int lines = area.rows >= 16 && text_width(strict_warning) > cols ? 2 : 1;

		y += put_wrapped(c, y, cols, lines, UI_STYLE_WARNING, strict_warning);
		if (y >= end)
			return y;
	}
	if (n > 1 || (n > 0 && s->group >= n)) {
		if (s->group >= n)
			snprintf(line, sizeof line,
			         "Group %zu of %zu (OR), new: your next choice starts it", n + 1,
			         n + 1);
		else
			snprintf(line, sizeof line, "Group %zu of %zu (OR)   ] next  [ previous",
			         s->group + 1, n);
		put_cut(c, y, 0, cols, UI_STYLE_HEADER, line, text_width(line));
		if (++y >= end)
			return y;
	}
	ui_hline(c, y, 0, cols, UI_STYLE_MUTED);
	return y + 1;
}

static void builder_draw(struct app *app, void *state, struct ui_canvas *c, struct screen_area area)
{
	struct builder_state *s = state;
	struct totals t;
	int y, rows, left_w;
	bool narrow = area.cols < NARROW_COLS;

	sync_cohort(app, s);
	texts_update(app, s);
	totals_get(app, &t);
	y = draw_top(app, s, c, area, &t);
	rows = area.top + area.rows - y;
	s->left.rows = s->right.rows = s->left.w = s->right.w = 0;
	if (rows < 1)
		return;
	if (narrow) {
		if (s->focus == PANE_LEFT) {
			s->left =
			    (struct list){ s->left.cursor, s->left.top, y, 0, area.cols, rows };
			clamp(s, PANE_LEFT, 0);
			draw_left(app, s, c);
		} else {
			draw_right(app, s, c, y, 0, area.cols, rows, &t);
		}
		return;
	}
	left_w = area.cols * 3 / 10;
	left_w = left_w < LEFT_MIN ? LEFT_MIN : left_w > LEFT_MAX ? LEFT_MAX : left_w;
	s->left = (struct list){ s->left.cursor, s->left.top, y, 0, left_w, rows };
	clamp(s, PANE_LEFT, 0);
	draw_left(app, s, c);
	for (int i = 0; i < rows; i++)
		ui_put(c, y + i, left_w, 1, UI_STYLE_MUTED, c->utf8 ? VLINE_UTF8 : "|");
	draw_right(app, s, c, y, left_w + 2, area.cols - left_w - 2, rows, &t);
}

/* Edits. */

static void ask_range(struct app *app, struct builder_state *s, const struct vocab_field *f)
{
	char label[256];

	texts_update(app, s);
	snprintf(label, sizeof label, "%s (e.g. 50..70, >40, <=30; empty removes):", f->alias);
	app_prompt(app, (int)f->index, label, field_text(s, f));
}

/* Space or Enter on the value under the right cursor. */
static void choose(struct app *app, struct builder_state *s)
{
	const struct vocab_field *f = current_field(s);

	if (f == NULL)
		return;
	if (f->type == VOCAB_NUMERIC) {
		ask_range(app, s, f);
		return;
	}
	if (s->right.cursor >= f->n_values)
		return;
	edited(app, s, cohort_toggle_value(app->cohort, s->group, f, s->right.cursor),
	       "This value cannot be chosen here");
}

static void negate(struct app *app, struct builder_state *s)
{
	const struct vocab_field *f = current_field(s);
	struct cohort_field_view v;
	int rc;

	if (f == NULL)
		return;
	field_view(app, s, f, &v);
	if (f->type != VOCAB_CATEGORICAL) {
		app_status(app, true, "%s: only a list of values can be excluded", f->label);
		return;
	}
	if (!v.present) {
		app_status(app, false, "Choose values of %s first: ! then excludes them", f->label);
		return;
	}
	rc = cohort_negate(app->cohort, s->group, f);
	edited(app, s, rc, "This criterion cannot be negated");
	if (rc == 0) {
		field_view(app, s, f, &v);
		app_status(app, false, "%s: %s", f->label,
		           v.negated ? "excluding these values" : "one of these values");
	}
}

static void clear_field(struct app *app, struct builder_state *s)
{
	const struct vocab_field *f = current_field(s);
	struct cohort_field_view v;

	if (f == NULL)
		return;
	field_view(app, s, f, &v);
	if (!v.present) {
		app_status(app, false, "%s: nothing to remove", f->label);
		return;
	}
	edited(app, s, cohort_clear_field(app->cohort, s->group, f),
	       "This criterion cannot be removed");
}

static void add_group(struct app *app, struct builder_state *s)
{
	size_t n = n_groups(app);

	if (n == 0) {
		app_status(app, false, "Choose criteria first: o then adds another group to OR");
		return;
	}
	if (s->group >= n) {
		app_status(app, false, "Group %zu is new already: choose its criteria", n + 1);
		return;
	}
	s->group = n;
	app_status(app, false, "Group %zu (OR): your next choice starts it", n + 1);
}

static void step_group(struct app *app, struct builder_state *s, int dir)
{
	size_t n = n_groups(app);

	if (n <= 1 && s->group < n) {
		app_status(app, false, "One group only: o adds an OR group");
		return;
	}
	if (s->group >= n) /* leaving a new group unmade */
		s->group = dir > 0 ? 0 : n - 1;
	else
		s->group = dir > 0 ? (s->group + 1) % n : (s->group + n - 1) % n;
}

static void switch_pane(struct builder_state *s)
{
	s->focus = s->focus == PANE_LEFT ? PANE_RIGHT : PANE_LEFT;
}

static struct screen_result builder_action(struct app *app, void *state, enum ui_action a)
{
	struct builder_state *s = state;
	const struct vocab_field *f;
	enum pane p;

	sync_cohort(app, s);
	p = s->focus;
	f = current_field(s);
	switch (a) {
	case UI_ACTION_MOVE_UP:
		move_cursor(s, p, -1);
		break;
	case UI_ACTION_MOVE_DOWN:
		move_cursor(s, p, 1);
		break;
	case UI_ACTION_PAGE_UP:
		move_cursor(s, p, -(long)page_of(pane_list(s, p)));
		break;
	case UI_ACTION_PAGE_DOWN:
		move_cursor(s, p, (long)page_of(pane_list(s, p)));
		break;
	case UI_ACTION_FIRST:
		move_cursor(s, p, -(long)list_length(s, p));
		break;
	case UI_ACTION_LAST:
		move_cursor(s, p, (long)list_length(s, p));
		break;
	case UI_ACTION_NEXT_PANE:
	case UI_ACTION_PREV_PANE:
		switch_pane(s);
		break;
	case UI_ACTION_OPEN:
		if (p == PANE_RIGHT) {
			choose(app, s);
		} else if (f != NULL) {
			s->focus = PANE_RIGHT;
			if (f->type == VOCAB_NUMERIC)
				ask_range(app, s, f);
		}
		break;
	case UI_ACTION_SELECT:
		if (p == PANE_RIGHT)
			choose(app, s);
		else if (f != NULL && f->type == VOCAB_NUMERIC)
			ask_range(app, s, f);
		else if (f != NULL)
			s->focus = PANE_RIGHT;
		break;
	case UI_ACTION_BACK:
		if (p == PANE_LEFT)
			return screen_unhandled();
		s->focus = PANE_LEFT;
		break;
	case UI_ACTION_NEGATE:
		negate(app, s);
		break;
	case UI_ACTION_CLEAR_FIELD:
		clear_field(app, s);
		break;
	case UI_ACTION_ADD_GROUP:
		add_group(app, s);
		break;
	case UI_ACTION_NEXT_GROUP:
		step_group(app, s, 1);
		break;
	case UI_ACTION_PREV_GROUP:
		step_group(app, s, -1);
		break;
	default:
		return screen_unhandled();
	}
	return screen_handled();
}

static bool inside(const struct list *l, int y, int x)
{
	return l->rows > 0 && y >= l->y && y < l->y + l->rows && x >= l->x && x < l->x + l->w;
}

static void click(struct app *app, struct builder_state *s, int y, int x)
{
	if (inside(&s->left, y, x)) {
		size_t row = s->left.top + (size_t)(y - s->left.y), before = s->left.cursor;

		s->focus = PANE_LEFT;
		if (field_at(s, row) != NULL) {
			s->left.cursor = row;
			left_moved(s, before);
		}
	} else if (s->right.w > 0 && x >= s->right.x && x < s->right.x + s->right.w &&
	           y >= s->right.y - 2 && y < s->right.y + s->right.rows) {
		const struct vocab_field *f = current_field(s);
		size_t pos;

		s->focus = PANE_RIGHT;
		if (y < s->right.y || f == NULL)
			return;
		pos = s->right.top + (size_t)(y - s->right.y);
		if (pos >= list_length(s, PANE_RIGHT))
			return;
		s->right.cursor = pos;
		if (f->type == VOCAB_CATEGORICAL && x < s->right.x + MARK_WIDTH - 1)
			choose(app, s);
	}
}

static struct screen_result builder_key(struct app *app, void *state, int key)
{
	struct builder_state *s = state;
	enum pane p;

	sync_cohort(app, s);
	switch (key) {
	case UI_KEY_WHEEL_UP:
	case UI_KEY_WHEEL_DOWN:
		p = inside(&s->left, app->mouse_y, app->mouse_x)      ? PANE_LEFT
		    : s->right.rows > 0 && app->mouse_x >= s->right.x ? PANE_RIGHT
		                                                      : s->focus;
		scroll_view(s, p, key == UI_KEY_WHEEL_UP ? -WHEEL_LINES : WHEEL_LINES);
		return screen_handled();
	case UI_KEY_MOUSE_CLICK:
		click(app, s, app->mouse_y, app->mouse_x);
		return screen_handled();
	default:
		return screen_unhandled();
	}
}

static const char *builder_prompt(struct app *app, void *state, int tag, const char *answer)
{
	struct builder_state *s = state;
	const struct vocab_field *f;
	struct query_error err;

	sync_cohort(app, s);
	if (tag < 0 || (size_t)tag >= s->vocab->n_fields)
		return NULL;
	f = &s->vocab->fields[tag];
	memset(&err, 0, sizeof err);
	if (cohort_set_field_text(app->cohort, s->group, f, answer != NULL ? answer : "", &err) !=
	    0) {
		if (err.column > 0)
			snprintf(s->error, sizeof s->error, "column %d: %s", err.column,
			         err.message);
		else
			snprintf(s->error, sizeof s->error, "%s", err.message);
		return s->error;
	}
	app_cohort_changed(app);
	sync_cohort(app, s);
	return NULL;
}

static const char *builder_hint(struct app *app, void *state)
{
	const struct vocab_field *f = current_field(state);

	if (f != NULL && f->type == VOCAB_NUMERIC)
		return "Enter range  d remove  Tab pane  o OR-group";
	return "Space choose  ! exclude  d remove  Tab pane  o OR-group";
}

static void builder_enter(struct app *app, void *state, const void *arg)
{
	struct builder_state *s = state;

	s->vocab = app->cohort->vocab;
	build_rows(s);
	s->version = app->cohort->version + 1; /* anything but the current one */
	sync_cohort(app, s);
	s->focus = PANE_LEFT;
	clamp(s, PANE_LEFT, 1);
	/* The builder shows live counts: if nothing asked for this cohort's
	 * yet, ask now. */
	if (app->counts != NULL &&
	    (!app->counts->asked || app->counts->version != app->cohort->version))
		app_cohort_changed(app);
}

static void builder_leave(struct app *app, void *state)
{
	struct builder_state *s = state;

	texts_clear(s);
	free(s->rows);
}

const struct screen_ops builder_screen = {
	.name = "builder",
	.title = "Cohort builder",
	.state_size = sizeof(struct builder_state),
	.enter = builder_enter,
	.leave = builder_leave,
	.draw = builder_draw,
	.action = builder_action,
	.key = builder_key,
	.hint = builder_hint,
	.prompt = builder_prompt,
};
