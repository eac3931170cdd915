/* The results screen: the cohort's counts per site and collection, marked
 * with each site's privacy rule as `ecii count` marks them, filling in site
 * by site as the answers arrive; Tab turns it into the attrition grid (how
 * each site's count falls as the first group's criteria are added one by
 * one); E exports the results as CSV or as the JSON report. It only reads
 * app->counts and app->cohort (the one thing it asks of the app is a count
 * when none was made for the current cohort), and draws them again from
 * scratch at every draw, so it can never show a stale copy. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/report.h"
#include "screens/app.h"
#include "screens/cells.h"
#include "client/counts.h"
#include "screens/screen.h"
#include "ui/keys.h"
#include "util/buf.h"
#include "util/sanitize.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

enum results_view { VIEW_TABLE, VIEW_GRID, VIEW_COUNT };

enum { PROMPT_EXPORT = 1 };

#define GAP         2 /* between table columns */
#define GRID_GAP    1 /* between grid columns: more sites fit */
#define WHEEL_LINES 3
#define MARK_SIZE   48
/* The grid's step column: never narrower (when it can help), never wider. */
#define STEP_MIN 10
#define STEP_MAX 28

/* One line of the scrolling part of the table. */
enum line_kind { LINE_SITE, LINE_REASON, LINE_COLLECTION, LINE_SUBTOTAL };

struct line {
	enum line_kind kind;
	char *left;  /* sanitised; owned */
	char *right; /* a site's state in words, sanitised; owned, or NULL */
	enum ui_style style, right_style;
	char subjects[MARK_SIZE], studies[MARK_SIZE]; /* "" when none */
};

struct results_state {
	enum results_view view;
	/* Per view, as of its last draw: the first body line shown, the
	 * body's rows on the screen and its lines in all. */
	size_t top[VIEW_COUNT];
	int page_rows[VIEW_COUNT];
	size_t n_body[VIEW_COUNT];
	struct line *lines; /* the table's body, made at each draw */
	size_t n_lines;
	char *confirm;     /* a name given for an existing file: given again, it is replaced */
	char message[512]; /* the prompt op's answer, borrowed by the app */
};

/* Drawing helpers. */

/* text in width cells from x, cut with an ellipsis when it does not fit. */
static void put_cut(struct ui_canvas *c, int y, int x, int width, enum ui_style style,
                    const char *text, bool right)
{
	cells_put_cut(c, y, x, width, style, text, (int)utf8_width(text), right);
}

static int text_width(const char *s)
{
	return (int)utf8_width(s);
}

/* The first of texts (most detailed first) that fits width, else the last. */
static const char *fitting(const char *const *texts, size_t n, int width)
{
	for (size_t i = 0; i < n; i++)
		if (texts[i] != NULL && text_width(texts[i]) <= width)
			return texts[i];
	return texts[n - 1];
}

/* What the counts say. */

/* The site's state in words (new): pending, counting, answered in 12 ms,
 * failed: reason, no answer. */
static char *state_words(const struct app *app, const struct counts_site *s)
{
	char *reason, *words;

	if (!app->counts->asked)
		return xstrdup("no answer");
	switch (s->state) {
	case COUNTS_PENDING:
		return xstrdup("pending");
	case COUNTS_WORKING:
		return xstrdup("counting");
	case COUNTS_ANSWERED:
		if (s->ms < 1)
			return xstrdup("answered in <1 ms");
		return xasprintf("answered in %.0f ms", s->ms);
	case COUNTS_TIMED_OUT:
	case COUNTS_FAILED:
	default:
		reason = sanitize_text(s->error != NULL ? s->error : "no reason given");
		words = xasprintf("%s: %s", s->state == COUNTS_TIMED_OUT ? "timed out" : "failed",
		                  reason);
		free(reason);
		return words;
	}
}

/* Whether the totals are exact: every site answered, each exactly. */
static bool totals_exact(const struct counts *c)
{
	for (size_t i = 0; i < c->n_sites; i++)
		if (c->sites[i].state != COUNTS_ANSWERED || !c->sites[i].answer.exact)
			return false;
	return true;
}

/* The privacy legend for the answers in, fitted to width; "" when there
 * is no answer yet. Returns new. */
static char *legend(const struct app *app, bool utf8, int width)
{
	const struct counts *c = app->counts;
	bool exact = false, noisy = false;
	struct privacy_rule rule = PRIVACY_RULE_DEFAULT;
	const char *approx = utf8 ? "\xe2\x89\x88" : "~";
	char *texts[4] = { NULL, NULL, NULL, NULL };
	const char *exact_text = "";
	char *out;

	for (size_t i = 0; i < c->n_sites; i++) {
		const struct site_answer *a = &c->sites[i].answer;

		if (c->sites[i].state != COUNTS_ANSWERED)
			continue;
		if (a->exact) {
			exact = true;
		} else if (a->has_privacy) {
			noisy = true;
			rule = a->privacy;
		}
	}
	if (!noisy && !exact)
		return xstrdup("");
	if (exact)
		exact_text = noisy ? "; exact counts: for the site operator only"
		                   : "Exact counts: for the site operator only";
	if (noisy) {
		texts[0] = xasprintf("%s noisy count, rounded to %d (Laplace noise, epsilon %g); "
		                     "<%d fewer than %d, hidden%s",
		                     approx, rule.rounding, rule.epsilon, rule.threshold,
		                     rule.threshold, exact_text);
		texts[1] = xasprintf("%s noisy, rounded to %d (epsilon %g); <%d hidden: fewer than "
		                     "%d%s",
		                     approx, rule.rounding, rule.epsilon, rule.threshold,
		                     rule.threshold, exact_text);
		texts[2] = xasprintf("%s noisy, rounded to %d; <%d hidden%s", approx, rule.rounding,
		                     rule.threshold, exact ? "; some exact" : "");
		texts[3] = xasprintf("%s noisy  <%d hidden", approx, rule.threshold);
	} else {
		texts[0] = xstrdup(exact_text);
	}
	out = xstrdup(fitting((const char *const *)texts, noisy ? 4 : 1, width));
	for (size_t i = 0; i < 4; i++)
		free(texts[i]);
	return out;
}

static const char *overlap_note(int width)
{
	static const char *texts[] = {
		"Totals add up the collections: subjects may be counted in more than one "
		"collection.",
		"Subjects may be counted in more than one collection.",
		"Subjects may count in several collections.",
		"May count a subject twice.",
	};

	return fitting(texts, sizeof texts / sizeof texts[0], width);
}

/* The table. */

static void free_lines(struct results_state *s)
{
	for (size_t i = 0; i < s->n_lines; i++) {
		free(s->lines[i].left);
		free(s->lines[i].right);
	}
	free(s->lines);
	s->lines = NULL;
	s->n_lines = 0;
}

static struct line *add_line(struct results_state *s, enum line_kind kind, char *left,
                             enum ui_style style)
{
	struct line *l;

	s->lines = xreallocarray(s->lines, s->n_lines + 1, sizeof *s->lines);
	l = &s->lines[s->n_lines++];
	memset(l, 0, sizeof *l);
	l->kind = kind;
	l->left = left;
	l->style = style;
	l->right_style = UI_STYLE_MUTED;
	return l;
}

static char *clean_pair(const char *a, const char *b, const char *indent)
{
	char *ca = sanitize_text(a), *cb = sanitize_text(b);
	char *out =
	    *cb != '\0' ? xasprintf("%s%s  %s", indent, ca, cb) : xasprintf("%s%s", indent, ca);

	free(ca);
	free(cb);
	return out;
}

/* Makes the table's lines for cols cells: per site its row, then (once
 * answered) its collections and its subtotal. */
static void make_table(struct app *app, struct results_state *s, int cols, bool utf8)
{
	const struct counts *c = app->counts;

	free_lines(s);
	for (size_t i = 0; i < c->n_sites; i++) {
		const struct counts_site *cs = &c->sites[i];
		const struct site_answer *a = &cs->answer;
		struct line *l =
		    add_line(s, LINE_SITE, clean_pair(cs->id, cs->name, ""), UI_STYLE_ACCENT);
		int id_w = text_width(l->left) < 12 ? text_width(l->left) : 12;

		l->right = state_words(app, cs);
		if (counts_site_failed(cs) && c->asked) {
			l->right_style = UI_STYLE_ERROR;
			/* A reason too long for the row goes on a line of its own. */
			if (text_width(l->right) > cols - id_w - GAP) {
				char *reason = xstrdup(l->right + strlen("failed: "));

				free(l->right);
				l->right = xstrdup("failed");
				l = add_line(s, LINE_REASON, xasprintf("  %s", reason),
				             UI_STYLE_ERROR);
				free(reason);
			}
		}
		if (cs->state != COUNTS_ANSWERED || !c->asked)
			continue;
		for (size_t k = 0; k < a->n_collections; k++) {
			const struct answer_collection *ac = &a->collections[k];

			l = add_line(s, LINE_COLLECTION, clean_pair(ac->id, ac->name, "  "),
			             UI_STYLE_NORMAL);
			report_mark_subjects(a, ac, utf8, l->subjects, sizeof l->subjects);
			report_mark(ac->studies, a->exact, utf8, l->studies, sizeof l->studies);
		}
		l = add_line(
		    s, LINE_SUBTOTAL,
		    xstrdup(a->n_collections == 0 ? "  no matching subjects" : "  subtotal"),
		    UI_STYLE_MUTED);
		report_mark(a->subjects, a->exact, utf8, l->subjects, sizeof l->subjects);
		report_mark(a->studies, a->exact, utf8, l->studies, sizeof l->studies);
	}
}

/* The rows of the area, in drawing order, and which of them a short
 * terminal gives up first. */
enum part {
	PART_COHORT,
	PART_HASH,
	PART_NOTE,
	PART_HEADER,
	PART_RULE,
	PART_TOTAL,
	PART_LEGEND,
	PART_OVERLAP,
	PART_COUNT
};

/* Decides which fixed rows show so that the body keeps at least a few;
 * returns the body's rows. */
static int fit_parts(bool show[PART_COUNT], int rows, size_t n_body)
{
	static const enum part drop[] = { PART_HASH,   PART_NOTE,   PART_RULE,   PART_OVERLAP,
		                          PART_LEGEND, PART_COHORT, PART_HEADER, PART_TOTAL };
	int fixed = 0, want = n_body < 3 ? (int)n_body : 3;

	if (want < 1)
		want = 1;
	for (int p = 0; p < PART_COUNT; p++)
		fixed += show[p];
	for (size_t i = 0; i < sizeof drop / sizeof drop[0] && rows - fixed < want; i++) {
		if (show[drop[i]]) {
			show[drop[i]] = false;
			fixed--;
		}
	}
	return rows - fixed > 0 ? rows - fixed : 0;
}

static size_t max_top(size_t n_body, int rows)
{
	size_t page = rows > 0 ? (size_t)rows : 1;

	return n_body > page ? n_body - page : 0;
}

static void draw_cohort(struct app *app, struct ui_canvas *c, int y, int cols)
{
	int used = ui_put(c, y, 0, cols, UI_STYLE_ACCENT, "Cohort: ");

	put_cut(c, y, used, cols - used, UI_STYLE_NORMAL,
	        strcmp(app->cohort->text, "*") == 0 ? "* (everything)" : app->cohort->text, false);
}

static void draw_hash(struct app *app, struct ui_canvas *c, int y, int cols)
{
	const struct counts *cn = app->counts;
	char progress[64];
	int used = ui_put(c, y, 0, cols, UI_STYLE_ACCENT, "Hash:   ");

	if (!cn->asked)
		snprintf(progress, sizeof progress, "not counted");
	else if (counts_done(cn))
		snprintf(progress, sizeof progress, "%zu of %zu sites answered",
		         counts_answered(cn), cn->n_sites);
	else
		snprintf(progress, sizeof progress, "%zu of %zu sites so far", counts_answered(cn),
		         cn->n_sites);
	/* The progress stays; the hash gives way. */
	if (cols - used - GAP - text_width(progress) >= 16) {
		int w = cols - used - GAP - text_width(progress);

		put_cut(c, y, used, w, UI_STYLE_MUTED, app->cohort->hash, false);
		ui_put_right(c, y, cols - text_width(progress), text_width(progress),
		             UI_STYLE_MUTED, progress);
	} else {
		put_cut(c, y, used, cols - used, UI_STYLE_MUTED, app->cohort->hash, false);
	}
}

static void draw_legend(struct app *app, struct ui_canvas *c, int y, int cols)
{
	char *text = legend(app, c->utf8, cols);

	put_cut(c, y, 0, cols, UI_STYLE_MUTED, text, false);
	free(text);
}

/* The number columns: their widths and places for cols cells. */
struct table_layout {
	int sub_w, stu_w, sub_x, stu_x, left_w;
	bool studies;
};

static void table_layout(struct results_state *s, const char *total_sub, const char *total_stu,
                         int cols, struct table_layout *t)
{
	t->sub_w = text_width("SUBJECTS");
	t->stu_w = text_width("STUDIES");
	if (text_width(total_sub) > t->sub_w)
		t->sub_w = text_width(total_sub);
	if (text_width(total_stu) > t->stu_w)
		t->stu_w = text_width(total_stu);
	for (size_t i = 0; i < s->n_lines; i++) {
		if (text_width(s->lines[i].subjects) > t->sub_w)
			t->sub_w = text_width(s->lines[i].subjects);
		if (text_width(s->lines[i].studies) > t->stu_w)
			t->stu_w = text_width(s->lines[i].studies);
	}
	t->studies = cols - t->sub_w - t->stu_w - 2 * GAP >= 12;
	t->stu_x = cols - t->stu_w;
	t->sub_x = t->studies ? t->stu_x - GAP - t->sub_w : cols - t->sub_w;
	t->left_w = t->sub_x - GAP;
}

static void draw_table_line(struct ui_canvas *c, int y, const struct line *l,
                            const struct table_layout *t, int cols)
{
	if (l->kind == LINE_SITE) {
		int rw = text_width(l->right != NULL ? l->right : "");
		int lw = text_width(l->left);

		/* The state keeps the room the site id needs; the name gives way. */
		if (rw > cols - GAP - (lw < 12 ? lw : 12))
			rw = cols - GAP - (lw < 12 ? lw : 12);
		if (rw < 0)
			rw = 0;
		put_cut(c, y, 0, cols - rw - (rw > 0 ? GAP : 0), l->style, l->left, false);
		if (rw > 0)
			put_cut(c, y, cols - rw, rw, l->right_style, l->right, true);
		return;
	}
	put_cut(c, y, 0, l->kind == LINE_REASON ? cols : t->left_w, l->style, l->left, false);
	if (l->kind == LINE_REASON)
		return;
	put_cut(c, y, t->sub_x, t->sub_w, l->style, l->subjects, true);
	if (t->studies)
		put_cut(c, y, t->stu_x, t->stu_w, l->style, l->studies, true);
}

static void draw_table(struct app *app, struct results_state *s, struct ui_canvas *c,
                       struct screen_area area)
{
	const struct counts *cn = app->counts;
	bool show[PART_COUNT], exact = totals_exact(cn);
	char total_sub[MARK_SIZE], total_stu[MARK_SIZE], *label;
	struct table_layout t;
	int y = area.top, body, shown;
	uint64_t subjects = counts_subjects(cn, NULL), studies = counts_studies(cn);
	size_t answered = counts_answered(cn);

	make_table(app, s, area.cols, c->utf8);
	report_mark(subjects, exact, c->utf8, total_sub, sizeof total_sub);
	report_mark(studies, exact, c->utf8, total_stu, sizeof total_stu);
	table_layout(s, total_sub, total_stu, area.cols, &t);
	for (int p = 0; p < PART_COUNT; p++)
		show[p] = true;
	show[PART_NOTE] = false;
	show[PART_LEGEND] = answered > 0;
	show[PART_OVERLAP] = answered > 0;
	body = fit_parts(show, area.rows, s->n_lines);
	s->page_rows[VIEW_TABLE] = body > 0 ? body : 1;
	s->n_body[VIEW_TABLE] = s->n_lines;
	if (s->top[VIEW_TABLE] > max_top(s->n_lines, body))
		s->top[VIEW_TABLE] = max_top(s->n_lines, body);
	if (show[PART_COHORT])
		draw_cohort(app, c, y++, area.cols);
	if (show[PART_HASH])
		draw_hash(app, c, y++, area.cols);
	if (show[PART_HEADER]) {
		ui_put_fill(c, y, 0, area.cols, UI_STYLE_HEADER, "");
		put_cut(c, y, 0, t.left_w, UI_STYLE_HEADER, "SITE / COLLECTION", false);
		put_cut(c, y, t.sub_x, t.sub_w, UI_STYLE_HEADER, "SUBJECTS", true);
		if (t.studies)
			put_cut(c, y, t.stu_x, t.stu_w, UI_STYLE_HEADER, "STUDIES", true);
		y++;
	}
	shown = 0;
	for (size_t i = s->top[VIEW_TABLE]; i < s->n_lines && shown < body; i++, shown++)
		draw_table_line(c, y + shown, &s->lines[i], &t, area.cols);
	y += shown;
	if (show[PART_RULE]) {
		size_t below = s->n_lines - s->top[VIEW_TABLE] - (size_t)shown;

		ui_hline(c, y, 0, area.cols, UI_STYLE_MUTED);
		if (below > 0) {
			char more[48];

			snprintf(more, sizeof more, " %zu more %s ", below,
			         c->utf8 ? "\xe2\x86\x93" : "v");
			if (text_width(more) < area.cols)
				ui_put(c, y, area.cols - text_width(more) - 1, text_width(more),
				       UI_STYLE_MUTED, more);
		}
		y++;
	}
	if (show[PART_TOTAL]) {
		if (cn->asked && answered < cn->n_sites)
			label = xasprintf("TOTAL (%zu of %zu sites)", answered, cn->n_sites);
		else
			label = xstrdup("TOTAL");
		put_cut(c, y, 0, t.left_w, UI_STYLE_HEADER, label, false);
		put_cut(c, y, t.sub_x, t.sub_w, UI_STYLE_HEADER, total_sub, true);
		if (t.studies)
			put_cut(c, y, t.stu_x, t.stu_w, UI_STYLE_HEADER, total_stu, true);
		free(label);
		y++;
	}
	if (show[PART_LEGEND])
		draw_legend(app, c, y++, area.cols);
	if (show[PART_OVERLAP])
		ui_put(c, y++, 0, area.cols, UI_STYLE_MUTED, overlap_note(area.cols));
}

/* The attrition grid. */

/* Site i's cell at step k (into buf, MARK_SIZE bytes); *known false while
 * it is not computed yet. */
static const char *grid_cell(const struct counts_site *cs, size_t k, bool utf8, char *buf,
                             bool *known)
{
	*known = false;
	if (counts_site_failed(cs))
		return "failed";
	if (cs->state != COUNTS_ANSWERED || cs->attrition == NULL)
		return utf8 ? "\xe2\x80\xa6" : "...";
	*known = true;
	return report_mark(cs->attrition[k], cs->answer.exact, utf8, buf, MARK_SIZE);
}

static const char *grid_total(const struct counts *cn, size_t k, bool utf8, char *buf)
{
	uint64_t sum = 0;
	bool exact = true;

	for (size_t i = 0; i < cn->n_sites; i++) {
		const struct counts_site *cs = &cn->sites[i];

		if (counts_site_failed(cs)) {
			exact = false;
			continue;
		}
		if (cs->state != COUNTS_ANSWERED || cs->attrition == NULL)
			return utf8 ? "\xe2\x80\xa6" : "...";
		sum += cs->attrition[k];
		exact = exact && cs->answer.exact;
	}
	return report_mark(sum, exact, utf8, buf, MARK_SIZE);
}

static char *step_label(const struct counts *cn, size_t k)
{
	return xasprintf("%s%s", k > 0 ? "+ " : "", cn->steps[k]);
}

/* Column widths of the grid for cols cells: the step column, one per site
 * (0: not shown) and the total. */
static void grid_layout(const struct counts *cn, bool utf8, int cols, int *step_w, int *site_w,
                        int *total_w, size_t *n_shown)
{
	char buf[MARK_SIZE];
	int need, num_w = 0;
	bool known;

	*step_w = STEP_MIN;
	*total_w = text_width("TOTAL");
	for (size_t k = 0; k < cn->n_steps; k++) {
		char *label = step_label(cn, k);
		int w = text_width(label), tw = text_width(grid_total(cn, k, utf8, buf));

		if (w > *step_w)
			*step_w = w;
		if (tw > *total_w)
			*total_w = tw;
		free(label);
		for (size_t i = 0; i < cn->n_sites; i++) {
			int cw = text_width(grid_cell(&cn->sites[i], k, utf8, buf, &known));

			if (cw > num_w)
				num_w = cw;
		}
	}
	if (*step_w > STEP_MAX)
		*step_w = STEP_MAX;
	/* Sites as wide as their ids when that fits, else as their numbers
	 * (ids cut); then the step column narrows; then sites drop off. */
	need = *step_w + *total_w + GRID_GAP;
	for (size_t i = 0; i < cn->n_sites; i++) {
		int w = text_width(cn->sites[i].id);

		site_w[i] = w > num_w ? w : num_w;
		need += site_w[i] + GRID_GAP;
	}
	if (need > cols) {
		need = *step_w + *total_w + GRID_GAP;
		for (size_t i = 0; i < cn->n_sites; i++) {
			site_w[i] = num_w > 6 ? num_w : 6;
			need += site_w[i] + GRID_GAP;
		}
		/* What is left goes to the ids still cut, a cell each in turn. */
		for (bool grew = true; grew && need < cols;) {
			grew = false;
			for (size_t i = 0; i < cn->n_sites && need < cols; i++) {
				if (site_w[i] < text_width(cn->sites[i].id)) {
					site_w[i]++;
					need++;
					grew = true;
				}
			}
		}
	}
	if (need > cols && *step_w > STEP_MIN) {
		int cut = need - cols < *step_w - STEP_MIN ? need - cols : *step_w - STEP_MIN;

		*step_w -= cut;
		need -= cut;
	}
	*n_shown = cn->n_sites;
	while (need > cols && *n_shown > 0) {
		(*n_shown)--;
		need -= site_w[*n_shown] + GRID_GAP;
	}
	if (need > cols) /* not even the total: the steps take what there is */
		*step_w = cols - *total_w - GRID_GAP > 1 ? cols - *total_w - GRID_GAP : 1;
}

static void draw_grid(struct app *app, struct results_state *s, struct ui_canvas *c,
                      struct screen_area area)
{
	const struct counts *cn = app->counts;
	bool show[PART_COUNT];
	int *site_w = xcalloc(cn->n_sites > 0 ? cn->n_sites : 1, sizeof *site_w);
	int step_w, total_w, y = area.top, body, shown = 0;
	size_t n_shown, groups = app->cohort->query->n_groups;
	char buf[MARK_SIZE];
	bool known;

	grid_layout(cn, c->utf8, area.cols, &step_w, site_w, &total_w, &n_shown);
	for (int p = 0; p < PART_COUNT; p++)
		show[p] = true;
	show[PART_NOTE] = groups > 1 || (cn->n_steps > 0 && n_shown < cn->n_sites);
	show[PART_RULE] = false;
	show[PART_TOTAL] = false;
	show[PART_LEGEND] = counts_answered(cn) > 0 && cn->n_steps > 0;
	body = fit_parts(show, area.rows, cn->n_steps > 0 ? cn->n_steps : 1);
	s->page_rows[VIEW_GRID] = body > 0 ? body : 1;
	s->n_body[VIEW_GRID] = cn->n_steps;
	if (s->top[VIEW_GRID] > max_top(cn->n_steps, body))
		s->top[VIEW_GRID] = max_top(cn->n_steps, body);
	if (show[PART_COHORT])
		draw_cohort(app, c, y++, area.cols);
	if (show[PART_HASH])
		draw_hash(app, c, y++, area.cols);
	if (show[PART_NOTE]) {
		char *note;

		if (groups > 1 && n_shown < cn->n_sites)
			note = xasprintf("OR group 1 of %zu only; %zu sites do not fit", groups,
			                 cn->n_sites - n_shown);
		else if (groups > 1)
			note = xasprintf(
			    "The cohort has %zu OR groups: the grid follows the first.", groups);
		else
			note = xasprintf("%zu sites do not fit: a wider terminal shows them.",
			                 cn->n_sites - n_shown);
		put_cut(c, y++, 0, area.cols, UI_STYLE_WARNING, note, false);
		free(note);
	}
	if (cn->n_steps == 0) {
		if (body > 0)
			put_cut(c, y, 0, area.cols, UI_STYLE_WARNING,
			        "The cohort has no criteria: no steps to show (b builds one).",
			        false);
		free(site_w);
		return;
	}
	if (show[PART_HEADER]) {
		int x = step_w + GRID_GAP;

		ui_put_fill(c, y, 0, area.cols, UI_STYLE_HEADER, "");
		put_cut(c, y, 0, step_w, UI_STYLE_HEADER, "STEP", false);
		for (size_t i = 0; i < n_shown; i++) {
			char *id = sanitize_text(cn->sites[i].id);

			put_cut(c, y, x, site_w[i], UI_STYLE_HEADER, id, true);
			x += site_w[i] + GRID_GAP;
			free(id);
		}
		put_cut(c, y, x, total_w, UI_STYLE_HEADER, "TOTAL", true);
		y++;
	}
	for (size_t k = s->top[VIEW_GRID]; k < cn->n_steps && shown < body; k++, shown++) {
		char *label = step_label(cn, k);
		int x = step_w + GRID_GAP;

		put_cut(c, y, 0, step_w, UI_STYLE_NORMAL, label, false);
		for (size_t i = 0; i < n_shown; i++) {
			const char *cell = grid_cell(&cn->sites[i], k, c->utf8, buf, &known);

			put_cut(c, y, x, site_w[i],
			        counts_site_failed(&cn->sites[i]) ? UI_STYLE_ERROR
			        : known                           ? UI_STYLE_NORMAL
			                                          : UI_STYLE_MUTED,
			        cell, true);
			x += site_w[i] + GRID_GAP;
		}
		put_cut(c, y, x, total_w, UI_STYLE_ACCENT, grid_total(cn, k, c->utf8, buf), true);
		free(label);
		y++;
	}
	if (show[PART_LEGEND])
		draw_legend(app, c, y++, area.cols);
	if (show[PART_OVERLAP]) {
		static const char *texts[] = {
			"Subjects left as each criterion is added; a cell at the threshold may "
			"hide fewer.",
			"Subjects left as each criterion is added.",
			"Subjects left, step by step.",
		};

		ui_put(c, y++, 0, area.cols, UI_STYLE_MUTED,
		       fitting(texts, sizeof texts / sizeof texts[0], area.cols));
	}
	free(site_w);
}

/* Export. */

static bool ends_with_json(const char *name)
{
	size_t n = strlen(name);

	return n >= 5 && strcasecmp(name + n - 5, ".json") == 0;
}

/* The path for a name the user typed: a leading ~/ is the home directory.
 * Returns new. */
static char *expand_home(const char *name)
{
	const char *home = getenv("HOME");

	if (strncmp(name, "~/", 2) == 0 && home != NULL && *home != '\0')
		return xasprintf("%s/%s", home, name + 2);
	return xstrdup(name);
}

/* Writes text to path; replace: an existing file may be replaced. Returns
 * 0, or -1 with errno set. */
static int write_text(const char *path, const char *text, bool replace)
{
	size_t n = strlen(text);
	FILE *f = fopen(path, replace ? "w" : "wx");
	int err;

	if (f == NULL)
		return -1;
	if (fwrite(text, 1, n, f) != n) {
		err = errno;
		fclose(f);
		errno = err;
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

static const char *export_to(struct app *app, struct results_state *s, const char *answer)
{
	const struct counts *cn = app->counts;
	struct report_site *sites;
	struct report r;
	struct stat st;
	bool json = ends_with_json(answer), exists;
	char *path, *text, still[64] = "";
	size_t rows = 0, waiting = 0;

	if (*answer == '\0') {
		app_status(app, false, "Nothing exported");
		return NULL;
	}
	path = expand_home(answer);
	exists = stat(path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		snprintf(s->message, sizeof s->message, "That is a directory: give a file name");
		free(path);
		return s->message;
	}
	if (exists && (s->confirm == NULL || strcmp(s->confirm, answer) != 0)) {
		free(s->confirm);
		s->confirm = xstrdup(answer);
		snprintf(s->message, sizeof s->message,
		         "The file exists: Enter again to replace it, or change the name");
		free(path);
		return s->message;
	}
	sites = counts_report_sites(cn);
	r = (struct report){ .vocab = app->fed->vocab,
		             .query = app->cohort->query,
		             .text = app->cohort->text,
		             .mode = "local",
		             .synthetic = app->fed->synthetic,
		             .sites = sites,
		             .n_sites = cn->n_sites };
	text = json ? report_json_text(&r) : report_csv(sites, cn->n_sites);
	for (const char *p = text; !json && *p != '\0'; p++)
		rows += *p == '\n';
	for (size_t i = 0; i < cn->n_sites; i++)
		waiting +=
		    cn->sites[i].state == COUNTS_PENDING || cn->sites[i].state == COUNTS_WORKING;
	if (waiting > 0)
		snprintf(still, sizeof still, " (%zu site%s still counting)", waiting,
		         waiting == 1 ? "" : "s");
	if (write_text(path, text, exists) != 0) {
		snprintf(s->message, sizeof s->message, "Not exported: %s (change the name)",
		         strerror(errno));
		free(text);
		free(sites);
		free(path);
		return s->message;
	}
	free(s->confirm);
	s->confirm = NULL;
	if (json)
		app_status(app, false, "Wrote the JSON report on %zu sites to %s%s", cn->n_sites,
		           answer, still);
	else
		app_status(app, false, "Wrote %zu rows to %s%s", rows > 0 ? rows - 1 : 0, answer,
		           still);
	free(text);
	free(sites);
	free(path);
	return NULL;
}

static void start_export(struct app *app, struct results_state *s)
{
	char initial[64];

	free(s->confirm);
	s->confirm = NULL;
	snprintf(initial, sizeof initial, "ecii-results-%.8s.csv", app->cohort->hash);
	app_prompt(app, PROMPT_EXPORT, "Export to (.csv or .json):", initial);
}

/* The ops. */

static void results_enter(struct app *app, void *state, const void *arg)
{
	struct results_state *s = state;

	s->view = VIEW_TABLE;
	s->page_rows[VIEW_TABLE] = s->page_rows[VIEW_GRID] = 10;
	/* Opened before anything was counted (or on a cohort not counted
	 * yet): ask now, so the screen has something to fill in. */
	if (!app->counts->asked || app->counts->version != app->cohort->version)
		app_cohort_changed(app);
}

static void results_leave(struct app *app, void *state)
{
	struct results_state *s = state;

	free_lines(s);
	free(s->confirm);
}

static void results_draw(struct app *app, void *state, struct ui_canvas *c, struct screen_area area)
{
	struct results_state *s = state;

	if (area.rows < 1 || area.cols < 1)
		return;
	if (s->view == VIEW_GRID)
		draw_grid(app, s, c, area);
	else
		draw_table(app, s, c, area);
}

static void scroll(struct results_state *s, long n)
{
	size_t *top = &s->top[s->view], max = max_top(s->n_body[s->view], s->page_rows[s->view]);

	if (n < 0)
		*top = (size_t)-n > *top ? 0 : *top - (size_t)-n;
	else
		*top = *top + (size_t)n > max ? max : *top + (size_t)n;
}

static struct screen_result results_action(struct app *app, void *state, enum ui_action a)
{
	struct results_state *s = state;
	long page = s->page_rows[s->view] > 1 ? s->page_rows[s->view] - 1 : 1;

	switch (a) {
	case UI_ACTION_MOVE_UP:
		scroll(s, -1);
		break;
	case UI_ACTION_MOVE_DOWN:
		scroll(s, 1);
		break;
	case UI_ACTION_PAGE_UP:
		scroll(s, -page);
		break;
	case UI_ACTION_PAGE_DOWN:
		scroll(s, page);
		break;
	case UI_ACTION_FIRST:
		s->top[s->view] = 0;
		break;
	case UI_ACTION_LAST:
		s->top[s->view] = SIZE_MAX; /* the draw brings it back to the last page */
		break;
	case UI_ACTION_NEXT_PANE:
	case UI_ACTION_PREV_PANE:
		s->view = s->view == VIEW_TABLE ? VIEW_GRID : VIEW_TABLE;
		break;
	case UI_ACTION_EXPORT:
		start_export(app, s);
		break;
	default:
		return screen_unhandled();
	}
	return screen_handled();
}

static struct screen_result results_key(struct app *app, void *state, int key)
{
	struct results_state *s = state;

	switch (key) {
	case UI_KEY_WHEEL_UP:
		scroll(s, -WHEEL_LINES);
		return screen_handled();
	case UI_KEY_WHEEL_DOWN:
		scroll(s, WHEEL_LINES);
		return screen_handled();
	case UI_KEY_MOUSE_CLICK:
		return screen_handled(); /* nothing to pick here */
	default:
		return screen_unhandled();
	}
}

static const char *results_hint(struct app *app, void *state)
{
	const struct results_state *s = state;

	return s->view == VIEW_TABLE ? "Tab attrition  E export" : "Tab sites  E export";
}

static const char *results_prompt(struct app *app, void *state, int tag, const char *answer)
{
	if (tag != PROMPT_EXPORT)
		return NULL;
	return export_to(app, state, answer);
}

const struct screen_ops results_screen = {
	.name = "results",
	.title = "Results",
	.state_size = sizeof(struct results_state),
	.enter = results_enter,
	.leave = results_leave,
	.draw = results_draw,
	.action = results_action,
	.key = results_key,
	.hint = results_hint,
	.prompt = results_prompt,
};
